import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from '../playwright.config';

// The browser tests run against the real binary, built with the web app
// embedded, on a free port and a throw-away SQLite database.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// One state file per runner process, so two runs on one machine never stop
// each other's server.
export const stateFile = join(tmpdir(), `nexo-e2e-state-${process.pid}.json`);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/**
 * postgres points the server at a new PostgreSQL database and Redis when
 * NEXO_TEST_DATABASE_URL (an owner-role URL, as for the Go tests) is set:
 * migrations run as the owner, the server as the non-owner app role, so the
 * browser journeys exercise row-level security too.
 */
function postgres(bin: string, dir: string, env: Record<string, string>): Record<string, string> {
  const owner = process.env.NEXO_TEST_DATABASE_URL;
  if (!owner) return {};
  const name = `nexo_e2e_${process.pid}_${Date.now().toString(36)}`;
  execFileSync('psql', [owner, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { stdio: 'inherit' });
  const at = (role: string) => {
    const u = new URL(owner);
    u.username = role;
    u.pathname = `/${name}`;
    return u.toString();
  };
  execFileSync(bin, ['migrate', 'up'], { cwd: dir, env: { ...env, NEXO_MIGRATE_DATABASE_URL: at(new URL(owner).username) }, stdio: 'inherit' });
  return {
    NEXO_DATABASE_URL: at(process.env.NEXO_DB_APP_ROLE ?? 'nexo_app'),
    ...(process.env.NEXO_TEST_REDIS_URL ? { NEXO_REDIS_URL: process.env.NEXO_TEST_REDIS_URL } : {}),
  };
}

/** stripeMockBin finds stripe-mock on PATH or in $(go env GOPATH)/bin, as the Go tests do. */
function stripeMockBin(): string {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d && existsSync(join(d, 'stripe-mock'))) return join(d, 'stripe-mock');
  }
  const p = join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'stripe-mock');
  if (!existsSync(p)) throw new Error('stripe-mock not found on PATH or in $(go env GOPATH)/bin: go install github.com/stripe/stripe-mock@latest');
  return p;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const c = connect(port, '127.0.0.1', () => {
      c.end();
      ok(true);
    });
    c.on('error', () => ok(false));
  });
}

/**
 * stripe starts stripe-mock on a free loopback port (its requests are logged
 * to a file the billing journey reads) and returns the server's Stripe
 * settings: a test key, the mock as API base, webhook signing secrets the
 * journeys sign with (billing's and the Connect endpoint's), plans with Stripe price ids, and a 15 s grace period
 * so the journey sees a failed payment turn read-only without waiting days.
 */
async function stripe(dir: string): Promise<{ pid: number; env: Record<string, string> }> {
  const port = await freePort();
  const log = join(dir, 'stripe-mock.log');
  const out = openSync(log, 'a');
  const child = spawn(stripeMockBin(), ['-http-addr', `127.0.0.1:${port}`, '-https-addr', '127.0.0.1:0'], { stdio: ['ignore', out, out], detached: false });
  const deadline = Date.now() + 15_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`stripe-mock exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('stripe-mock did not listen in 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const plans = JSON.parse(readFileSync(join(root, 'billing', 'plans.json'), 'utf8')) as { plans: { id: string; stripe_price_id: string }[] };
  for (const p of plans.plans) p.stripe_price_id = `price_e2e_${p.id}`;
  const plansFile = join(dir, 'plans.json');
  writeFileSync(plansFile, JSON.stringify(plans));
  const secret = `whsec_e2e_${randomBytes(16).toString('hex')}`;
  process.env.NEXO_E2E_STRIPE_LOG = log;
  process.env.NEXO_E2E_STRIPE_WEBHOOK_SECRET = secret;
  const connectSecret = `whsec_e2e_connect_${randomBytes(16).toString('hex')}`;
  process.env.NEXO_E2E_STRIPE_CONNECT_WEBHOOK_SECRET = connectSecret;
  process.env.NEXO_E2E_BILLING_GRACE_SECONDS = '15';
  return {
    pid: child.pid!,
    env: {
      NEXO_STRIPE_SECRET_KEY: 'sk_test_e2e',
      NEXO_STRIPE_API_BASE: `http://127.0.0.1:${port}`,
      NEXO_STRIPE_WEBHOOK_SECRET: secret,
      NEXO_STRIPE_CONNECT_WEBHOOK_SECRET: connectSecret,
      NEXO_BILLING_PLANS: plansFile,
      NEXO_BILLING_GRACE: '15s',
    },
  };
}

export default async function globalSetup() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  if (!existsSync(join(root, 'frontend', 'dist', 'index.html'))) {
    throw new Error('frontend/dist is missing: run `npm run build` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'nexo-e2e-'));
  const bin = join(dir, 'nexo');
  execFileSync('go', ['build', '-o', bin, './cmd/nexo'], { cwd: root, stdio: 'inherit' });
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    NEXO_HTTP_ADDR: `127.0.0.1:${port}`,
    NEXO_BASE_URL: base,
    NEXO_DATA_DIR: join(dir, 'data'),
    NEXO_LOG_FORMAT: 'text',
    NEXO_LOG_LEVEL: 'warn',
    NEXO_DEV_MAILBOX: 'true',
  };
  const pg = postgres(bin, dir, env);
  Object.assign(env, pg);
  const mock = await stripe(dir);
  Object.assign(env, mock.env);
  const child = spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    const failed = child.exitCode !== null ? `nexo exited with ${child.exitCode}` : Date.now() > deadline ? 'nexo did not become ready in 30 s' : '';
    if (failed) {
      process.kill(mock.pid, 'SIGTERM'); // the teardown does not run after a failed setup
      throw new Error(failed);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.NEXO_E2E_BASE_URL = base;
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, stripeMockPid: mock.pid, dir, database: pg.NEXO_DATABASE_URL ? new URL(pg.NEXO_DATABASE_URL).pathname.slice(1) : '' }));
}

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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
  const child = spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`nexo exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('nexo did not become ready in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.NEXO_E2E_BASE_URL = base;
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, dir, database: pg.NEXO_DATABASE_URL ? new URL(pg.NEXO_DATABASE_URL).pathname.slice(1) : '' }));
}

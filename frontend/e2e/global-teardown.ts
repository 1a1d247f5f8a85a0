import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { stateFile } from './global-setup';

export default async function globalTeardown() {
  const { pid, stripeMockPid, dir, database } = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    pid: number;
    stripeMockPid?: number;
    dir: string;
    database: string;
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break; // exited
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (stripeMockPid) {
    try {
      process.kill(stripeMockPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (database && process.env.NEXO_TEST_DATABASE_URL) {
    execFileSync('psql', [process.env.NEXO_TEST_DATABASE_URL, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`], { stdio: 'inherit' });
  }
}

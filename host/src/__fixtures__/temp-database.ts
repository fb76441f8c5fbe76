/**
 * A fresh SQLite database file per call, in a temporary directory removed when the test process
 * exits: hosts in tests keep their data the way a production host does (the default store) without
 * sharing a file with another test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;
let n = 0;

/** The directory this test process keeps its databases in (created on first use). */
export function tempDirectory(): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

/**
 * A store config naming a new database file.
 * @param name - a readable part of the file name
 * @returns `{ kind: 'sqlite', path, synchronous: 'normal' }`
 */
export function tempDatabase(name = 'host'): { kind: 'sqlite'; path: string; synchronous: 'normal' } {
  return { kind: 'sqlite', path: join(tempDirectory(), `${name}-${n++}.db`), synchronous: 'normal' };
}

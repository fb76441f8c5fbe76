/**
 * The drivers a store contract suite runs on: memory always, SQLite (a database file in a temporary
 * directory, so a restart really reopens it), and MongoDB when SWITCHBOARD_MONGODB_URI is set
 * (skipped plainly otherwise: no MongoDB server can be installed on the development machines).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';

/** An open driver, and how to open the same database again (a restart of the host process). */
export interface OpenedDriver {
  driver: StorageDriver;
  /**
   * Closes this driver and opens the same database anew (memory: the same driver, since its data
   * cannot outlive it).
   */
  reopen(): Promise<StorageDriver>;
  /** Closes the driver and removes what the run left behind. */
  close(): Promise<void>;
}

/** A driver a suite runs on. */
export interface DriverUnderTest {
  name: string;
  /** Opens a fresh, empty database. */
  open(): Promise<OpenedDriver>;
  /** Why this driver is skipped, when it is. */
  skip?: string;
}

let dir: string | undefined;
let n = 0;
function tempFile(name: string): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'switchboard-stores-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return join(dir, `${name}-${process.pid}-${n++}.db`);
}

const sqliteAvailable = existsSync(new URL('../stores/drivers/sqlite-driver.ts', import.meta.url));

/**
 * The drivers every store suite runs on.
 * @param label - names the MongoDB database of the run (`switchboard_<label>_…`)
 * @returns memory, SQLite and MongoDB, each with a reason when skipped
 */
export function driversUnderTest(label: string): DriverUnderTest[] {
  const uri = process.env.SWITCHBOARD_MONGODB_URI;
  return [
    {
      name: 'memory',
      async open() {
        const driver = new MemoryDriver();
        return { driver, reopen: async () => driver, close: () => driver.close() };
      },
    },
    {
      name: 'sqlite',
      ...(sqliteAvailable ? {} : { skip: 'the SQLite driver is not written yet (host/src/stores/drivers/sqlite-driver.ts)' }),
      async open() {
        const { openStorageDriver } = await import('../stores/open-driver.js');
        const path = tempFile(label);
        let driver = await openStorageDriver({ kind: 'sqlite', path, synchronous: 'normal' });
        return {
          driver,
          reopen: async () => { await driver.close(); driver = await openStorageDriver({ kind: 'sqlite', path, synchronous: 'normal' }); return driver; },
          close: () => driver.close(),
        };
      },
    },
    {
      name: 'mongodb',
      ...(uri ? {} : { skip: 'SWITCHBOARD_MONGODB_URI is not set (no MongoDB server on this machine; see host/README.md, "Running against MongoDB")' }),
      async open() {
        const { openStorageDriver } = await import('../stores/open-driver.js');
        const config = { kind: 'mongodb' as const, uri: uri!, dbName: `switchboard_${label}_${process.pid}_${n++}` };
        let driver = await openStorageDriver(config);
        await driver.clear();
        return {
          driver,
          reopen: async () => { await driver.close(); driver = await openStorageDriver(config); return driver; },
          close: async () => { await driver.clear(); await driver.close(); },
        };
      },
    },
  ];
}

/**
 * Runs a suite once per driver under test; a skipped driver shows as one skipped test saying why.
 * @param label - the suite's name (also names MongoDB databases)
 * @param suite - defines the tests for one driver
 */
export function describeOnDrivers(label: string, suite: (driver: DriverUnderTest) => void): void {
  for (const d of driversUnderTest(label.replace(/[^a-z0-9]+/gi, '_').toLowerCase())) {
    if (d.skip) {
      // skipped because the driver cannot run here (no MongoDB server without SWITCHBOARD_MONGODB_URI); the test's name says so
      describe(`${label}: ${d.name}`, () => { it.skip(`skipped: ${d.skip}`, () => {}); });
      continue;
    }
    suite(d);
  }
}

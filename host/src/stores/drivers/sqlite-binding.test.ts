import { describe, expect, it, vi } from 'vitest';
import { StorageError } from '../driver.js';
import { loadBetterSqlite3 } from './sqlite-binding.js';
import { SqliteDriver } from './sqlite-driver.js';

// better-sqlite3 whose compiled part is missing: the package imports, `new Database()` throws (as
// the `bindings` package does when the install script never ran).
vi.mock('better-sqlite3', () => ({
  default: class {
    constructor() {
      throw new Error('Could not locate the bindings file. Tried: build/Release/better_sqlite3.node');
    }
  },
}));

describe('the better-sqlite3 binding', () => {
  it('a missing native module fails start-up with StorageError native saying what to run', async () => {
    const err = await loadBetterSqlite3().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).failure).toBe('native');
    expect((err as StorageError).message).toContain('better-sqlite3 native module is missing: run npm rebuild better-sqlite3 (its install script must be allowed)');
    expect((err as StorageError).cause).toBeInstanceOf(Error);
    await expect(SqliteDriver.open({ path: ':memory:' })).rejects.toMatchObject({ failure: 'native' });
  });
});

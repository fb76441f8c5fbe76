/**
 * The native SQLite binding behind the SQLite driver, reduced to the few calls the driver makes
 * (prepare, run/get/all, exec, close), so another binding (`node:sqlite`) can replace
 * better-sqlite3 without touching the SQL or the driver's logic.
 * @module
 */
import { StorageError } from '../driver.js';

/** A value bound to or read from a statement. */
export type SqlValue = string | number | bigint | Buffer | null;

/** A prepared statement. Rows are objects keyed by column name. */
export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number };
  get(...params: SqlValue[]): Record<string, SqlValue> | undefined;
  all(...params: SqlValue[]): Record<string, SqlValue>[];
}

/** An open database connection. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
  /** Whether a transaction is open (SQLite ends one by itself on some errors, e.g. a full disk). */
  readonly inTransaction: boolean;
}

/** How to open a connection. */
export interface SqliteOpenOptions {
  readonly: boolean;
  busyTimeoutMs: number;
}

/** Opens a connection to a file (or `:memory:`). */
export type SqliteOpener = (path: string, options: SqliteOpenOptions) => SqliteConnection;

const NATIVE_MISSING = 'better-sqlite3 native module is missing: run npm rebuild better-sqlite3 (its install script must be allowed)';

let loaded: Promise<SqliteOpener> | undefined;

/**
 * Loads better-sqlite3 on first use (so a host on another driver never loads it) and checks that
 * its native part loads too: the JavaScript package imports fine without it, and would only fail
 * at the first `new Database()`.
 * @returns a function that opens connections
 * @throws StorageError `native` when the package or its compiled module is missing
 */
export function loadBetterSqlite3(): Promise<SqliteOpener> {
  loaded ??= (async () => {
    let Database: typeof import('better-sqlite3');
    try {
      Database = (await import('better-sqlite3')).default;
      new Database(':memory:').close();
    } catch (err) {
      loaded = undefined;
      throw new StorageError('native', 'better-sqlite3', NATIVE_MISSING, err);
    }
    return (path, options) => {
      const db = new Database(path, { readonly: options.readonly, timeout: options.busyTimeoutMs });
      return {
        prepare: (sql) => db.prepare(sql) as unknown as SqliteStatement,
        exec: (sql) => { db.exec(sql); },
        close: () => { db.close(); },
        get inTransaction() { return db.inTransaction; },
      };
    };
  })();
  return loaded;
}

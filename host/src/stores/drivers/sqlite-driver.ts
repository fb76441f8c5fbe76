/**
 * The SQLite driver: the embedded default store. One database file (WAL mode), one table per
 * collection (see `sqlite-sql.ts` for the layout), better-sqlite3 as the binding (`sqlite-binding.ts`).
 *
 * Durability: a write is committed before its promise resolves. With `synchronous: 'normal'` (the
 * default) a committed write survives a crash of the process (SIGKILL, out of memory); the last
 * commits before a power loss or an OS crash may be lost (the database stays consistent). With
 * `'full'` every commit is flushed to the disk before it returns and also survives a power loss,
 * at the price of an fsync per commit.
 *
 * Group commit: the writes of one turn of the event loop share one `BEGIN IMMEDIATE` transaction,
 * committed in the check phase of that turn (`setImmediate`); each write's promise settles only
 * after that commit — resolved when it committed, rejected (with every other write of the group)
 * when it did not. So a webhook answered after its insert resolved is on the disk as before, while
 * the 32 webhooks that arrived together cost one commit instead of 32. A write that fails alone
 * (a unique key, a bad value) is undone alone: every write of several statements runs in a
 * savepoint. Reads in that turn see the group's writes before they commit; the group either
 * commits as a whole or every writer in it is told it failed, so nothing is acknowledged that was
 * not committed.
 *
 * Atomicity: the group transaction holds the database's write lock from its start (`BEGIN
 * IMMEDIATE`), so the compare-and-set of `updateOne` (a read and a write in one savepoint) also
 * holds between processes sharing the file; the lock is held for one turn of the event loop. A
 * process waiting for that lock longer than `busyTimeoutMs` gets a `StorageError('busy')`.
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { StorageError, UniqueViolationError, searchWords } from '../driver.js';
import type { Collection, CollectionSpec, Doc, DriverCapabilities, FieldType, Filter, FindOptions, LinkedUpdate, Sort, StorageDriver, Update } from '../driver.js';
import { applyUpdate, assertFilter, assertSearchable, assertSort, assertUpdate, declaredCollection, compareBy, decodeDoc, encodeDoc, getPath } from './documents.js';
import { loadBetterSqlite3 } from './sqlite-binding.js';
import type { SqliteConnection, SqliteStatement, SqlValue } from './sqlite-binding.js';
import { toStorageError } from './sqlite-errors.js';
import {
  CREATE_META, DOC_COLUMN, META_TABLE, SCHEMA_VERSION, addColumnSql, columnValue, compileFilter, compileSort, createElemsIndexSql,
  createIndexSql, createTablesSql, elementValues, ident, irregularFieldOf, isMarker, literal, sortsInSql, tableNames, uniqueFields,
  createTextSql, dropTextSql, ftsQuery, textNames, textSourceSql,
} from './sqlite-sql.js';
import type { TableNames } from './sqlite-sql.js';

/** Options of {@link SqliteDriver.open}. */
export interface SqliteDriverOptions {
  /** The database file (created with its directory when missing), or `:memory:` for a private in-memory database. */
  path: string;
  /**
   * `normal` (default): a commit survives a crash of the process, not necessarily a power loss.
   * `full`: every commit is on the disk before it returns (survives a power loss; slower).
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another connection's lock before failing with `busy` (default 5000). */
  busyTimeoutMs?: number;
  /** Opens the file read-only: reads work, writes fail with `readonly`; nothing is created or migrated. */
  readonly?: boolean;
  /** How often a passive WAL checkpoint runs (default 60 000 ms; 0: only SQLite's automatic ones). */
  checkpointIntervalMs?: number;
  /**
   * `PRAGMA secure_delete` (default true): deleted and overwritten content is zeroed in the file
   * instead of lingering in free pages and free space of pages, where an erased contact's text
   * could be read back from the raw file. Its cost on the host's write mix is within the noise of
   * a shared machine (test/bench/secure-delete.bench.ts: inserts, updates and deletes each within
   * about ±20 % run to run, the file the same size); false turns it off.
   */
  secureDelete?: boolean;
}

/** The most prepared statements a connection keeps (filters of many shapes would otherwise pile up). */
const STATEMENT_CACHE_LIMIT = 1000;
/** Rows per step when a new column is filled from the stored documents. */
const BACKFILL_BATCH = 500;
/** The WAL file is truncated to this size after a checkpoint. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** WAL pages (4 KiB) after which a commit checkpoints: the journal size limit's worth. */
const WAL_AUTOCHECKPOINT_PAGES = JOURNAL_SIZE_LIMIT / 4096;

/** The driver of this process holding an open group transaction, by database file. */
const GROUP_HOLDERS = new Map<string, SqliteDriver>();

/** What the meta table records about a collection. */
interface CollectionRecord {
  fields: Record<string, FieldType>;
  /** The text paths the full-text tables were made for (absent: none). */
  text?: string[];
}

/**
 * A {@link StorageDriver} on a SQLite file (or `:memory:`).
 * @example
 * ```ts
 * const driver = await SqliteDriver.open({ path: './data/switchboard.db' });
 * const users = driver.collection<{ id: string; name: string }>({ name: 'users', fields: { name: 'string' } });
 * await users.insert({ id: 'u1', name: 'Ada' });
 * await driver.close();
 * ```
 */
export class SqliteDriver implements StorageDriver {
  readonly kind = 'sqlite';
  readonly capabilities: DriverCapabilities;
  /** `updateTogether` runs in one savepoint of the group transaction. */
  readonly transactional = true;
  private readonly collections = new Map<string, SqliteCollection<Doc>>();
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly schemaVersion: SqliteStatement;
  private readonly begin: SqliteStatement;
  private readonly commit: SqliteStatement;
  private readonly rollback: SqliteStatement;
  private readonly savepoint: SqliteStatement;
  private readonly release: SqliteStatement;
  private readonly rollbackTo: SqliteStatement;
  /** The writers of the open group transaction, told its outcome when it ends (undefined: none is open). */
  private group: ((error: unknown) => void)[] | undefined;
  private cookie: number;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly db: SqliteConnection,
    /** The database file as an absolute path, or `:memory:`; named by every error. */
    readonly path: string,
    private readonly readonly: boolean,
  ) {
    const memory = path === ':memory:';
    this.capabilities = { durable: !memory, shared: !memory, backup: true };
    this.schemaVersion = db.prepare('PRAGMA schema_version');
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT write');
    this.release = db.prepare('RELEASE write');
    this.rollbackTo = db.prepare('ROLLBACK TO write');
    this.cookie = this.readCookie();
  }

  /**
   * Opens (creating when missing) a database: sets WAL mode and the pragmas, checks that the file is
   * a readable SQLite database and migrates its layout to this version, under the write lock so
   * processes starting together do not race.
   * @param options - the file and its settings
   * @returns the open driver
   * @throws StorageError `native` (better-sqlite3 not built), `corrupt` (not a database, damaged),
   *   `version` (written by a newer Switchboard), `busy`, `readonly`, `full` or `unavailable`, naming the file
   */
  static async open(options: SqliteDriverOptions): Promise<SqliteDriver> {
    const openConnection = await loadBetterSqlite3();
    const memory = options.path === ':memory:' || options.path === '';
    const where = memory ? ':memory:' : resolve(options.path);
    const readonly = options.readonly === true;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new TypeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
    if (!memory && !readonly) {
      try {
        mkdirSync(dirname(where), { recursive: true });
      } catch (err) {
        throw toStorageError(err, where, 'unavailable');
      }
    }
    let db: SqliteConnection;
    try {
      db = openConnection(where, { readonly, busyTimeoutMs });
    } catch (err) {
      throw toStorageError(err, where, 'unavailable');
    }
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      // Reading the schema fails right here on a file that is not a database (or has a damaged header).
      db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
      if (!readonly && !memory) db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.exec('PRAGMA foreign_keys = ON');
      db.exec(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
      // A checkpoint runs inside the commit that crosses this many WAL pages (with two fsyncs): at
      // SQLite's default of 1,000 pages that is every few hundred webhooks; at this size (the
      // journal size limit) far fewer, and a page written many times is copied once.
      db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.exec(`PRAGMA secure_delete = ${options.secureDelete === false ? 'OFF' : 'ON'}`);
      const driver = new SqliteDriver(db, where, readonly);
      driver.migrate();
      const interval = options.checkpointIntervalMs ?? 60_000;
      if (!readonly && !memory && interval > 0) {
        driver.timer = setInterval(() => driver.checkpoint(), interval);
        driver.timer.unref();
      }
      return driver;
    } catch (err) {
      try { db.close(); } catch { /* already failing */ }
      throw toStorageError(err, where, 'unavailable');
    }
  }

  /**
   * The collection of a spec: creates its table, columns and indexes when missing (a field or an
   * index added to the spec since the table was created is added, and the new column filled from
   * the stored documents). The same collection for the same name.
   * @throws Error when the spec is malformed or differs from the one the name was first declared with
   * @throws StorageError when the database cannot be changed (read-only, busy, …)
   */
  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    this.assertOpen();
    const existing = declaredCollection(this.collections, spec);
    if (existing !== undefined) return existing as unknown as Collection<T>;
    const names = tableNames(spec.name);
    const fields = Object.entries(spec.fields).filter(([field]) => field !== 'id');
    this.guard(() => {
      if (this.readonly) this.checkReadonlySchema(spec, names, fields);
      else this.transaction(() => this.ensureSchema(spec, names, fields));
    });
    const created = new SqliteCollection<Doc>(structuredClone(spec), names, fields, this);
    created.reloadIrregular();
    this.collections.set(spec.name, created);
    return created as unknown as Collection<T>;
  }

  /**
   * Applies the updates in one savepoint of the group transaction: they commit together, and one
   * that fails (a unique key) undoes the others with it.
   */
  async updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> {
    this.assertOpen();
    const collections = updates.map((u) => this.collection(u.collection) as unknown as SqliteCollection<Doc>);
    updates.forEach((u, i) => collections[i]!.checkUpdate(u.filter, u.update));
    if (updates.length === 0) return [];
    return this.write(() => {
      this.refresh();
      return updates.map((u, i) => collections[i]!.updateNow(u.filter, u.update));
    }, true);
  }

  /** Resolves when the database answers a query. @throws StorageError otherwise */
  async ping(): Promise<void> {
    this.assertOpen();
    this.guard(() => this.statement(`SELECT count(*) AS n FROM ${META_TABLE}`).get());
  }

  /**
   * Makes what was deleted unreadable from the database's files: with `secure_delete` on, deleted
   * content is zeroed in the pages that held it, but the page images written before the deletion
   * stay in the WAL until it is reused; a `TRUNCATE` checkpoint copies every committed page into the
   * main file and empties the WAL. Erasure calls it when it is done.
   * @returns false when another connection's read kept the checkpoint from completing (the WAL is
   *   emptied at a later checkpoint), true otherwise
   * @throws StorageError when the database cannot be written
   */
  async purgeDeleted(): Promise<boolean> {
    this.assertOpen();
    if (this.readonly || this.path === ':memory:') return true;
    this.commitGroup();
    const row = this.guard(() => this.statement('PRAGMA wal_checkpoint(TRUNCATE)').get());
    return Number(row?.['busy'] ?? 0) === 0;
  }

  /**
   * Writes a consistent copy of the database to a file (`VACUUM INTO`: one read transaction, so
   * writers, also in other processes, go on meanwhile), through a temporary file renamed into place.
   * @param path - the target file (its directory is created; an existing file is replaced)
   * @throws StorageError naming the target when it cannot be written
   */
  async backup(path: string): Promise<void> {
    this.assertOpen();
    const target = resolve(path);
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      mkdirSync(dirname(target), { recursive: true });
      this.commitGroup();
      this.db.exec(`VACUUM INTO ${literal(temp)}`);
      const fd = openSync(temp, 'r+');
      try { fsyncSync(fd); } finally { closeSync(fd); }
      renameSync(temp, target);
      syncDirectory(dirname(target));
    } catch (err) {
      rmSync(temp, { force: true });
      throw toStorageError(err, target);
    }
  }

  /** Deletes every document of every collection in the database (also collections this process did not open). */
  async clear(): Promise<void> {
    this.assertOpen();
    this.guard(() => this.transaction(() => {
      const rows = this.statement(`SELECT key FROM ${META_TABLE} WHERE key LIKE 'collection:%'`).all();
      for (const row of rows) {
        const names = tableNames(String(row['key']).slice('collection:'.length));
        this.db.exec(`DELETE FROM ${ident(names.elems)}; DELETE FROM ${ident(names.table)}`);
      }
    }));
  }

  /** Checkpoints the WAL and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.commitGroup();
    this.checkpoint();
    this.statements.clear();
    this.collections.clear();
    this.db.close();
  }

  // -------------------------------------------------------------------------------------------
  // Internals shared with the collections

  /**
   * @internal Throws when the driver is closed.
   * @throws StorageError (`unavailable`) after {@link SqliteDriver.close}
   */
  assertOpen(): void {
    if (this.closed) throw new StorageError('unavailable', this.path, 'the storage driver is closed');
  }

  /** @internal Runs `fn`, converting SQLite's errors into StorageErrors naming the file. */
  guard<R>(fn: () => R): R {
    try {
      return fn();
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  /**
   * @internal Runs `fn` in its own `BEGIN IMMEDIATE` transaction, rolled back when it throws (schema
   * changes, `clear`): the open group transaction is committed first.
   */
  transaction<R>(fn: () => R): R {
    this.commitGroup();
    this.commitOthersGroup();
    this.begin.run();
    try {
      const result = fn();
      this.commit.run();
      return result;
    } catch (err) {
      try { this.rollback.run(); } catch { /* SQLite rolled back already (e.g. on SQLITE_FULL) */ }
      throw err;
    }
  }

  /**
   * @internal Runs a write in the group transaction of this turn of the event loop (opening it when
   * none is open) and settles after that transaction ends: resolved with `fn`'s result once it is
   * committed, rejected when it is not. `atomic` writes (several statements) run in a savepoint, so
   * their failure undoes them alone and the group goes on.
   * @param fn - the write (synchronous statements)
   * @param atomic - whether `fn` runs more than one statement
   */
  write<R>(fn: () => R, atomic: boolean): Promise<R> {
    let result: R;
    try {
      this.assertOpen();
      this.openGroup();
      result = atomic ? this.inSavepoint(fn) : fn();
    } catch (err) {
      const error = toStorageError(err, this.path);
      // SQLite ends the whole transaction on some failures (a full disk, an I/O error): the group's
      // earlier writes are gone with it, so their writers are told
      if (this.group !== undefined && !this.db.inTransaction) this.endGroup(error);
      return Promise.reject(error);
    }
    const group = this.group;
    // no group left means `fn` itself ended it by committing (a failed one would have thrown above)
    if (group === undefined) return Promise.resolve(result);
    return new Promise<R>((resolve, reject) => {
      group.push((error) => { if (error === undefined) resolve(result); else reject(error); });
    });
  }

  /** Opens the group transaction unless one is open; it commits in this turn's check phase. */
  private openGroup(): void {
    if (this.group !== undefined) return;
    this.commitOthersGroup();
    this.begin.run();
    this.group = [];
    if (this.path !== ':memory:') GROUP_HOLDERS.set(this.path, this);
    setImmediate(() => this.commitGroup());
    // under the write lock no other connection changes the schema: one look serves the whole group
    this.refreshNow();
  }

  /**
   * Another driver of this process on the same file with a group open holds the write lock, and
   * would only release it in this turn's check phase: waiting for it here would block the event
   * loop until the busy timeout. It commits first instead.
   */
  private commitOthersGroup(): void {
    const holder = GROUP_HOLDERS.get(this.path);
    if (holder !== undefined && holder !== this) holder.commitGroup();
  }

  /** Commits the open group transaction (if any) and tells its writers. */
  private commitGroup(): void {
    if (this.group === undefined) return;
    let error: unknown;
    try {
      this.commit.run();
    } catch (err) {
      error = toStorageError(err, this.path);
      try { if (this.db.inTransaction) this.rollback.run(); } catch { /* SQLite rolled back already */ }
    }
    this.endGroup(error);
  }

  /** Ends the group (after its commit, or when SQLite ended its transaction) and tells every writer in it. */
  private endGroup(error: unknown): void {
    const writers = this.group ?? [];
    this.group = undefined;
    if (GROUP_HOLDERS.get(this.path) === this) GROUP_HOLDERS.delete(this.path);
    for (const settle of writers) settle(error);
  }

  /** @internal Runs `fn` in a savepoint of the group transaction, undone alone when it throws. */
  inSavepoint<R>(fn: () => R): R {
    this.savepoint.run();
    try {
      const result = fn();
      this.release.run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) {
        try { this.rollbackTo.run(); this.release.run(); } catch { /* the transaction is gone: write() ends the group */ }
      }
      throw err;
    }
  }

  /** @internal A prepared statement, cached by its text. */
  statement(sql: string): SqliteStatement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** @internal Runs DDL. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * @internal Re-reads which fields are irregular when the schema changed since the last look (another
   * connection, here or in another process, created an elements index).
   */
  refresh(): void {
    if (this.group === undefined) this.refreshNow();
  }

  private refreshNow(): void {
    const cookie = this.readCookie();
    if (cookie === this.cookie) return;
    this.cookie = cookie;
    for (const collection of this.collections.values()) collection.reloadIrregular();
  }

  /**
   * @internal Runs a read (one statement) with an up-to-date view of the irregular fields: when the
   * schema changed between the look and the statement (another process made a field irregular in
   * the meantime), the read runs again, so it never misses what that process committed.
   */
  read<R>(fn: () => R): R {
    // inside the group transaction this connection holds the write lock: no other can change the schema
    if (this.group !== undefined) return fn();
    for (;;) {
      this.refresh();
      const seen = this.cookie;
      const result = fn();
      if (this.readCookie() === seen) return result;
    }
  }

  private readCookie(): number {
    return Number(this.schemaVersion.get()?.['schema_version'] ?? 0);
  }

  private checkpoint(): void {
    if (this.readonly || this.path === ':memory:') return;
    try {
      this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // A checkpoint is an optimisation; SQLite checkpoints on its own and at the last close.
    }
  }

  /** Creates the meta table and records (or checks) the layout version, migrating older layouts. */
  private migrate(): void {
    if (this.readonly) {
      const table = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(META_TABLE);
      if (table !== undefined) this.checkVersion(this.readVersion());
      return;
    }
    this.transaction(() => {
      this.db.exec(CREATE_META);
      const version = this.readVersion();
      this.checkVersion(version);
      if (version === undefined || version < SCHEMA_VERSION) {
        // Layout 1 is the first: nothing to convert yet. Later layouts add their steps here, each
        // inside this transaction, so a crash mid-migration leaves the previous layout intact.
        this.db.prepare(`INSERT INTO ${META_TABLE} (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(SCHEMA_VERSION));
      }
    });
  }

  private readVersion(): number | undefined {
    const row = this.db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = 'schema_version'`).get();
    return row === undefined ? undefined : Number(row['value']);
  }

  private checkVersion(version: number | undefined): void {
    if (version !== undefined && !(version <= SCHEMA_VERSION)) {
      throw new StorageError('version', this.path, `written by a newer Switchboard (schema ${version} > ${SCHEMA_VERSION}); upgrade Switchboard to open it, or restore a backup made by this version`);
    }
  }

  private readRecord(name: string): CollectionRecord | undefined {
    const row = this.db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = ?`).get(`collection:${name}`);
    return row === undefined ? undefined : (JSON.parse(String(row['value'])) as CollectionRecord);
  }

  private columnsOf(table: string): Set<string> {
    return new Set(this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table).map((row) => String(row['name'])));
  }

  /** Creates or upgrades a collection's tables, columns and indexes (inside a write transaction). */
  private ensureSchema(spec: CollectionSpec, names: TableNames, fields: readonly (readonly [string, FieldType])[]): void {
    for (const sql of createTablesSql(names)) this.db.exec(sql);
    const columns = this.columnsOf(names.table);
    const record = this.readRecord(spec.name);
    const backfill: (readonly [string, FieldType])[] = [];
    for (const [field, type] of fields) {
      if (!columns.has(field)) {
        this.db.exec(addColumnSql(names, field));
        backfill.push([field, type]);
      } else if (record !== undefined && record.fields[field] !== undefined && record.fields[field] !== type) {
        backfill.push([field, type]);
      }
    }
    if (backfill.length > 0) this.backfill(names, backfill);
    for (const index of spec.indexes ?? []) this.db.exec(createIndexSql(names, index.fields, index.unique === true));
    this.ensureText(spec, names, record);
    const merged: CollectionRecord = { fields: { ...record?.fields, ...Object.fromEntries(fields) }, ...(spec.text !== undefined ? { text: [...spec.text] } : {}) };
    this.db.prepare(`INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(`collection:${spec.name}`, JSON.stringify(merged));
  }

  /**
   * Creates the full-text tables and triggers when the spec has text paths and the database has
   * none or others (a database written before, or for other paths): they are made again and filled
   * from the stored documents, inside the transaction that migrates the collection. Drops them when
   * the spec no longer has text paths.
   */
  private ensureText(spec: CollectionSpec, names: TableNames, record: CollectionRecord | undefined): void {
    const wanted = spec.text ?? [];
    const had = record?.text ?? [];
    const present = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(textNames(names).fts) !== undefined;
    const same = present && wanted.length === had.length && wanted.every((p, i) => had[i] === p);
    if (same) return;
    for (const sql of dropTextSql(names)) this.db.exec(sql);
    if (wanted.length > 0) for (const sql of createTextSql(names, wanted)) this.db.exec(sql);
  }

  /** Fills columns (new, or of a field whose type changed) from the stored documents, in batches. */
  private backfill(names: TableNames, fields: readonly (readonly [string, FieldType])[]): void {
    const table = ident(names.table);
    const select = this.db.prepare(`SELECT rowid AS r, id, ${DOC_COLUMN} AS doc FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${BACKFILL_BATCH}`);
    const update = this.db.prepare(`UPDATE ${table} SET ${fields.map(([f]) => `${ident(f)} = ?`).join(', ')} WHERE rowid = ?`);
    const dropElems = this.db.prepare(`DELETE FROM ${ident(names.elems)} WHERE id = ? AND field = ?`);
    const addElem = this.db.prepare(`INSERT INTO ${ident(names.elems)} (id, field, value) VALUES (?, ?, ?)`);
    const irregular = new Set<string>();
    let after = 0;
    for (;;) {
      const rows = select.all(after);
      if (rows.length === 0) break;
      for (const row of rows) {
        const doc = decodeDoc<Doc>(String(row['doc']));
        const id = String(row['id']);
        const values = fields.map(([field, type]) => {
          const raw = getPath(doc, field);
          const value = columnValue(raw, type);
          dropElems.run(id, field);
          if (isMarker(value)) {
            irregular.add(field);
            for (const element of elementValues(raw, type)) addElem.run(id, field, element);
          }
          return value;
        });
        update.run(...values, row['r'] as number);
        after = row['r'] as number;
      }
    }
    for (const field of irregular) this.db.exec(createElemsIndexSql(names, field));
  }

  /** On a read-only connection: the collection's table and columns must exist already. */
  private checkReadonlySchema(spec: CollectionSpec, names: TableNames, fields: readonly (readonly [string, FieldType])[]): void {
    const columns = this.columnsOf(names.table);
    const missing = columns.size === 0 ? `collection "${spec.name}"` : fields.map(([f]) => f).filter((f) => !columns.has(f)).map((f) => `field "${f}" of collection "${spec.name}"`)[0];
    const noText = spec.text !== undefined && columns.size > 0
      && this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(textNames(names).fts) === undefined;
    if (missing === undefined && noText) {
      throw new StorageError('readonly', this.path, `the database is open read-only and has no text index of collection "${spec.name}" (open it writable once to create it)`);
    }
    if (missing !== undefined) {
      throw new StorageError('readonly', this.path, `the database is open read-only and has no ${missing} (open it writable once to create it)`);
    }
  }

  /** @internal The names of the elements indexes of a table (= its irregular fields). */
  irregularFields(names: TableNames): Set<string> {
    const rows = this.statement(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`).all(names.elems);
    const fields = new Set<string>();
    for (const row of rows) {
      const field = irregularFieldOf(names, String(row['name']));
      if (field !== undefined) fields.add(field);
    }
    return fields;
  }
}

/** A document turned into column values. */
interface Row {
  id: string;
  /** `$doc`, then one value per declared field (in the collection's field order). */
  values: SqlValue[];
  /** Fields holding a marker, with the raw value (arrays give element rows). */
  markers: (readonly [string, FieldType, unknown])[];
}

class SqliteCollection<T extends Doc> implements Collection<T> {
  private readonly ctx: { names: TableNames; irregular: Set<string> };
  private readonly insertSql: string;
  /** UPDATE statements by the declared fields they write besides the document ('1' at position i: field i). */
  private readonly updateSqls = new Map<string, string>();
  private readonly getSql: string;
  private readonly table: string;
  private readonly elems: string;

  constructor(
    readonly spec: CollectionSpec,
    private readonly names: TableNames,
    private readonly fields: readonly (readonly [string, FieldType])[],
    private readonly driver: SqliteDriver,
  ) {
    this.ctx = { names, irregular: new Set() };
    this.table = ident(names.table);
    this.elems = ident(names.elems);
    const columns = [DOC_COLUMN, ...fields.map(([f]) => ident(f))];
    this.insertSql = `INSERT INTO ${this.table} (id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
    this.getSql = `SELECT ${DOC_COLUMN} AS doc FROM ${this.table} WHERE id = ?`;
  }

  /** Re-reads the irregular fields from the schema. */
  reloadIrregular(): void {
    const fields = this.driver.irregularFields(this.names);
    this.ctx.irregular.clear();
    for (const field of fields) this.ctx.irregular.add(field);
  }

  async insert(doc: T): Promise<boolean> {
    this.driver.assertOpen();
    const row = this.row(doc);
    return this.driver.write(() => this.add(row), row.markers.length > 0);
  }

  async insertMany(docs: readonly T[]): Promise<boolean[]> {
    this.driver.assertOpen();
    const rows = docs.map((doc) => this.row(doc)); // all valid before any is inserted
    if (rows.length === 0) return [];
    return this.driver.write(() => rows.map((row) => this.add(row)), true);
  }

  async get(id: string): Promise<T | undefined> {
    this.driver.assertOpen();
    if (typeof id !== 'string') return undefined;
    const row = this.driver.guard(() => this.driver.statement(this.getSql).get(id));
    return row === undefined ? undefined : decodeDoc<T>(String(row['doc']));
  }

  async findOne(filter: Filter, options?: { sort?: Sort }): Promise<T | undefined> {
    const [doc] = await this.find(filter, { ...(options?.sort !== undefined ? { sort: options.sort } : {}), limit: 1 });
    return doc;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.driver.assertOpen();
    const { offset = 0, limit, sort } = options;
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`${this.spec.name}: offset must be a non-negative integer`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`${this.spec.name}: limit must be a non-negative integer`);
    assertFilter(this.spec, filter);
    if (sort !== undefined) assertSort(this.spec, sort);
    if (limit === 0) return [];
    const rows = this.driver.guard(() => this.driver.read(() => this.select(filter, sort, offset, limit)));
    return rows.map((row) => decodeDoc<T>(row.doc));
  }

  async count(filter: Filter): Promise<number> {
    this.driver.assertOpen();
    assertFilter(this.spec, filter);
    return this.driver.guard(() => this.driver.read(() => {
      const where = compileFilter(filter, this.ctx);
      const row = this.driver.statement(`SELECT count(*) AS n FROM ${this.table} WHERE ${where.sql}`).get(...where.params);
      return Number(row?.['n'] ?? 0);
    }));
  }

  async updateOne(filter: Filter, update: Update, options?: { sort?: Sort }): Promise<T | undefined> {
    this.driver.assertOpen();
    this.checkUpdate(filter, update, options?.sort);
    return this.driver.write(() => {
      this.driver.refresh();
      return this.updateNow(filter, update, options?.sort);
    }, false);
  }

  /** @internal Checks an update's filter, fields and sort against the spec (before anything is written). */
  checkUpdate(filter: Filter, update: Update, sort?: Sort): void {
    assertUpdate(this.spec, update);
    assertFilter(this.spec, filter);
    if (sort !== undefined) assertSort(this.spec, sort);
  }

  /** @internal `updateOne`'s statements, inside the caller's transaction. */
  updateNow(filter: Filter, update: Update, sort?: Sort): T | undefined {
    const [found] = this.select(filter, sort, 0, 1);
    if (found === undefined) return undefined;
    const before = decodeDoc<T>(found.doc);
    const after = applyUpdate(before, update, this.spec);
    this.rewriteAtomically(before, this.row(after));
    return after;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.driver.assertOpen();
    assertUpdate(this.spec, update);
    assertFilter(this.spec, filter);
    return this.driver.write(() => {
      this.driver.refresh();
      const found = this.select(filter, undefined, 0, undefined);
      for (const { doc } of found) {
        const before = decodeDoc<T>(doc);
        this.rewrite(before, this.row(applyUpdate(before, update, this.spec)));
      }
      return found.length;
    }, true);
  }

  async replaceOne(filter: Filter, doc: T): Promise<boolean> {
    this.driver.assertOpen();
    assertFilter(this.spec, filter);
    const row = this.row(doc);
    return this.driver.write(() => {
      this.driver.refresh();
      const where = compileFilter(filter, this.ctx);
      const found = this.driver.statement(`SELECT ${DOC_COLUMN} AS doc FROM ${this.table} WHERE id = ? AND ${where.sql}`).get(row.id, ...where.params);
      if (found === undefined) return false;
      this.rewriteAtomically(decodeDoc<T>(String(found['doc'])), row);
      return true;
    }, false);
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.driver.assertOpen();
    assertFilter(this.spec, filter);
    return this.driver.write(() => {
      this.driver.refresh();
      const where = compileFilter(filter, this.ctx);
      // one statement (element rows go with it by their foreign key): atomic by itself
      return this.driver.statement(`DELETE FROM ${this.table} WHERE ${where.sql}`).run(...where.params).changes;
    }, false);
  }

  /**
   * The documents whose text holds every word, through the FTS5 index (see `sqlite-sql.ts`): the
   * index gives the candidates, the filter and sort apply to them as in `find`.
   */
  async search(text: string, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.driver.assertOpen();
    assertSearchable(this.spec);
    const { offset = 0, limit, sort } = options;
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`${this.spec.name}: offset must be a non-negative integer`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`${this.spec.name}: limit must be a non-negative integer`);
    assertFilter(this.spec, filter);
    if (sort !== undefined) assertSort(this.spec, sort);
    const words = searchWords(text);
    if (limit === 0 || words.length === 0) return [];
    const also = { ...textSourceSql(this.names), params: [ftsQuery(words)] };
    const rows = this.driver.guard(() => this.driver.read(() => this.select(filter, sort, offset, limit, also)));
    return rows.map((row) => decodeDoc<T>(row.doc));
  }

  /** The matching rows' documents (encoded), in order, sliced; sorts on irregular fields are done here. */
  private select(filter: Filter, sort: Sort | undefined, offset: number, limit: number | undefined, also?: { from: string; join: string; params: SqlValue[] }): { doc: string }[] {
    const where = compileFilter(filter, this.ctx);
    let from = this.table;
    if (also !== undefined) {
      // the parameters of the FROM clause come before the WHERE's
      from = also.from;
      where.sql = `${also.join} AND ${where.sql}`;
      where.params.unshift(...also.params);
    }
    const base = `SELECT ${this.table}.${DOC_COLUMN} AS doc FROM ${from} WHERE ${where.sql}`;
    if (sort !== undefined && !sortsInSql(sort, this.ctx)) {
      const compare = compareBy(sort, this.spec);
      const docs = this.driver.statement(base).all(...where.params).map((row) => ({ text: String(row['doc']), value: decodeDoc<T>(String(row['doc'])) }));
      docs.sort((a, b) => compare(a.value, b.value));
      return docs.slice(offset, limit === undefined ? undefined : offset + limit).map((d) => ({ doc: d.text }));
    }
    let sql = base;
    const params = where.params;
    if (sort !== undefined) sql += ` ORDER BY ${compileSort(sort)}`;
    if (limit !== undefined || offset > 0) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(limit ?? -1, offset);
    }
    return this.driver.statement(sql).all(...params).map((row) => ({ doc: String(row['doc']) }));
  }

  /** Column values of a document (validating it: plain data with a string id). */
  private row(doc: T): Row {
    if (typeof doc !== 'object' || doc === null || typeof (doc as { id?: unknown }).id !== 'string') {
      throw new TypeError(`${this.spec.name}: a document needs a string id`);
    }
    const values: SqlValue[] = [encodeDoc(doc)];
    const markers: (readonly [string, FieldType, unknown])[] = [];
    for (const [field, type] of this.fields) {
      const raw = getPath(doc, field);
      const value = columnValue(raw, type);
      if (isMarker(value)) markers.push([field, type, raw]);
      values.push(value);
    }
    return { id: doc.id, values, markers };
  }

  /** Inserts a row unless its id or a unique key is taken. Inside a transaction when it has markers. */
  private add(row: Row): boolean {
    const inserted = this.driver.statement(this.insertSql).run(row.id, ...row.values).changes === 1;
    if (inserted && row.markers.length > 0) this.writeElements(row);
    return inserted;
  }

  /**
   * Writes a new version of a stored document as one unit: when that is a single UPDATE (no element
   * rows to change) the statement is atomic by itself — SQLite undoes a failed statement alone — and
   * needs no savepoint; with element rows the UPDATE and their changes run in one. (A compare-and-set
   * reads before it writes; the read changes nothing, so it needs no undoing.)
   */
  private rewriteAtomically(before: T, row: Row): void {
    const elements = row.markers.length > 0 || (this.ctx.irregular.size > 0 && this.hasMarkers(before));
    if (elements) this.driver.inSavepoint(() => this.rewrite(before, row));
    else this.rewrite(before, row);
  }

  /** Writes a new version of a stored document (inside a transaction). */
  private rewrite(before: T, row: Row): void {
    try {
      const { sql, values } = this.changedColumns(before, row);
      this.driver.statement(sql).run(...values, row.id);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const fields = typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT') ? uniqueFields((err as Error).message, this.names) : undefined;
      if (fields !== undefined) throw new UniqueViolationError(this.spec.name, fields);
      throw err;
    }
    // Element rows exist only for fields that are irregular; `before` had none when no field is.
    if (this.ctx.irregular.size > 0 && this.hasMarkers(before)) {
      this.driver.statement(`DELETE FROM ${this.elems} WHERE id = ?`).run(row.id);
    }
    if (row.markers.length > 0) this.writeElements(row);
  }

  /**
   * The UPDATE of a new version: the document and only the declared fields whose column value
   * differs from `before`'s. SQLite leaves alone every index none of whose columns is in the SET
   * list, so a status change rewrites the indexes on the status, not all of the table's — fewer
   * pages changed, less written at the commit. A field holding a marker is always written.
   */
  private changedColumns(before: T, row: Row): { sql: string; values: SqlValue[] } {
    const values: SqlValue[] = [row.values[0]!];
    let key = '';
    for (let i = 0; i < this.fields.length; i++) {
      const [field, type] = this.fields[i]!;
      const next = row.values[i + 1]!;
      // scalars compare by value (0 and -0 are one key to SQLite too); markers are always written,
      // so the old value is only looked at when the new one is a scalar
      if (!isMarker(next) && columnValue(getPath(before, field), type) === next) { key += '0'; continue; }
      key += '1';
      values.push(next);
    }
    let sql = this.updateSqls.get(key);
    if (sql === undefined) {
      const set = [DOC_COLUMN, ...this.fields.filter((_, i) => key[i] === '1').map(([f]) => ident(f))];
      sql = `UPDATE ${this.table} SET ${set.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
      this.updateSqls.set(key, sql);
    }
    return { sql, values };
  }

  private hasMarkers(doc: T): boolean {
    return this.fields.some(([field, type]) => this.ctx.irregular.has(field) && isMarker(columnValue(getPath(doc, field), type)));
  }

  /** Element rows of a row's markers; the first marker of a field makes it irregular (an index, seen by every connection). */
  private writeElements(row: Row): void {
    const insert = this.driver.statement(`INSERT INTO ${this.elems} (id, field, value) VALUES (?, ?, ?)`);
    for (const [field, type, raw] of row.markers) {
      if (!this.ctx.irregular.has(field)) {
        this.driver.exec(createElemsIndexSql(this.names, field));
        this.ctx.irregular.add(field);
      }
      for (const value of elementValues(raw, type)) insert.run(row.id, field, value);
    }
  }
}


/** Flushes a directory entry (a rename) to the disk; not possible on every platform, so best effort. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Windows cannot open directories; the rename is still atomic.
  }
}


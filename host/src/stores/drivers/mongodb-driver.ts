/**
 * The MongoDB driver: the storage contract on a MongoDB deployment (a replica set in production),
 * for hosts that scale out over several machines. It uses the native collections of a mongoose
 * connection — no models — and keeps each contract document as one MongoDB document with `_id` = id.
 *
 * mongoose is an optional peer dependency, imported only by {@link MongoDriver.connect}, so a host on
 * SQLite or memory never loads it.
 *
 * What the contract asks and how MongoDB gives it:
 * - single-document atomicity and compare-and-set: `findOneAndUpdate` / `replaceOne` with the filter,
 *   which MongoDB applies atomically on the primary, also across processes;
 * - unique indexes: partial unique indexes (see `mongoIndexes`), E11000 becomes
 *   {@link UniqueViolationError} (or `false` from `insert`);
 * - durability: writes are acknowledged by a majority of the replica set, journaled;
 * - `updateTogether`: the updates one after the other, in order, each atomic on its own — not a
 *   multi-document transaction (which would need a session threaded through every operation, and
 *   fails on a standalone server). The stores order such updates so that every prefix is a safe
 *   state and a repeat is harmless: a send's result writes the message first, then completes its
 *   outbox entry; a crash in between leaves the entry leased with the message already recording
 *   what the platform accepted, and the dispatcher that takes the entry over sends nothing again;
 * - schema version: a `switchboard_meta` collection; a database written by a newer Switchboard is
 *   refused ({@link StorageError} `version`), data migrations run one process at a time behind a
 *   lock document.
 *
 * Where MongoDB differs from the shared semantics (`documents.ts`), in cases the stores avoid:
 * - `insertMany` is not one transaction: each document is atomic, and a crash in the middle leaves
 *   some of the batch inserted (a retry then reports those as taken);
 * - a dotted path walks through arrays of objects (`a.b` matches `{ a: [{ b: 1 }] }`, and an update
 *   of `a.b` changes every element where the shared semantics refuse it), and `$exists` sees an
 *   array holding a null as null;
 * - an update meeting a value of another type than the declared one (`$max` of a number on a
 *   string) compares by MongoDB's type order where the shared semantics refuse it.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import {
  StorageError, UniqueViolationError, searchWords, updateInOrder,
  type Collection, type LinkedUpdate, type CollectionSpec, type Doc, type DriverCapabilities, type Filter, type FindOptions, type Sort, type StorageDriver, type StorageFailure, type Update,
} from '../driver.js';
import {
  fromMongoDocument, INDEX_PREFIX, mongoIndexes, mongoTextCondition, redactMongoUri, toMongoDocument, toMongoFilter, toMongoSort, toMongoUpdate, unescapeKey,
  type MongoDocument, type MongoFilter, type MongoIndex, type MongoUpdate,
} from './mongodb-translate.js';
import { assertSearchable, declaredCollection } from './documents.js';

export {
  escapeKey, escapePath, fromMongoDocument, mongoIndexes, mongoPath, mongoTextCondition, mongoTextIndex, redactMongoUri, toMongoDocument, toMongoFilter, toMongoSort, toMongoUpdate, toStoredValue, unescapeKey,
  type MongoDocument, type MongoFilter, type MongoIndex, type MongoSort, type MongoUpdate,
} from './mongodb-translate.js';

/** Options of {@link MongoDriver.connect}. */
export interface MongoDriverOptions {
  /** The database (default: the one named in the URI, else mongoose's default `test`). */
  dbName?: string;
  /** Prefix of every collection name (default `sb_`), so one database can hold other data too. */
  collectionPrefix?: string;
  /** How long to look for a usable server before failing with `unavailable` (default 10 s). */
  serverSelectionTimeoutMS?: number;
}

/** The schema version this code writes. A database with a higher one is refused. */
export const MONGO_SCHEMA_VERSION = 1;

/**
 * A data migration: brings a database from `version - 1` to `version`. Run in order, one process at
 * a time (behind the lock document), each recorded in `switchboard_meta` when done.
 */
export interface MongoMigration {
  version: number;
  /** @param db - the database; @param prefix - the collection prefix */
  up(db: unknown, prefix: string): Promise<void>;
}

/**
 * The data migrations, oldest first. Version 1 is the first schema (its indexes are synced by each
 * collection on first use, so it needs no step).
 */
export const MONGO_MIGRATIONS: readonly MongoMigration[] = [];

/** Name of the collection (after the prefix) that holds the schema version and the migration lock. */
export const MONGO_META_COLLECTION = 'switchboard_meta';

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
/** How long a migration lock is held before another process may take it over (a crashed migrator). */
const MIGRATION_LOCK_MS = 60_000;
/** How long a process waits for another one's migration before it gives up (`busy`). */
const MIGRATION_WAIT_MS = 5 * 60_000;

/** Error names of the MongoDB driver (and mongoose) that mean: the deployment cannot be reached now. */
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongooseServerSelectionError',
  'MongoTopologyClosedError', 'MongoNotConnectedError', 'MongoServerClosedError', 'MongoPoolClearedError',
  'PoolClearedError', 'PoolClosedError', 'PoolClearedOnNetworkError', 'MongoWriteConcernError', 'MongoExpiredSessionError',
]);
/** Server codes that mean the same: no primary, shutting down, stepping down, unreachable, timed out. */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 64, 100, 18, 13]);
/** Server codes that mean the storage or the quota is full. */
const FULL_CODES = new Set([12501, 14031, 8000]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  keyPattern?: unknown;
  errorResponse?: { keyPattern?: unknown; errmsg?: unknown };
  errmsg?: unknown;
  writeErrors?: unknown;
  writeConcernError?: unknown;
  result?: { getWriteConcernError?: () => unknown; hasWriteErrors?: () => boolean };
  hasErrorLabel?: (label: string) => boolean;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
}

function isDuplicateKey(error: unknown): boolean {
  return asErrorLike(error).code === DUPLICATE_KEY;
}

/**
 * The storage failure a MongoDB error means, or undefined for an error that is a bug (a bad query)
 * and is thrown as it is.
 * @param error - what the MongoDB driver threw
 * @returns the failure
 */
export function mongoFailure(error: unknown): StorageFailure | undefined {
  const e = asErrorLike(error);
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return 'unavailable';
  if (typeof e.code === 'number' && FULL_CODES.has(e.code)) return 'full';
  if (typeof e.code === 'number' && UNAVAILABLE_CODES.has(e.code)) return 'unavailable';
  if (e.writeConcernError !== undefined && e.writeConcernError !== null) return 'unavailable';
  if (typeof e.hasErrorLabel === 'function' && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError') || e.hasErrorLabel('ResetPool'))) return 'unavailable';
  return undefined;
}

function messageOf(error: unknown): string {
  const message = asErrorLike(error).message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Removes a connection string's secrets from a message (in case a driver error quotes them).
 * @param message - any text
 * @param uri - the connection string
 * @returns the text without the URI's user info and query
 */
function scrub(message: string, uri: string): string {
  let out = message.split(uri).join(redactMongoUri(uri));
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*(?:@[^@/?#]*)*)@/i.exec(uri)?.[1];
  if (userInfo) {
    out = out.split(userInfo).join('***');
    const password = userInfo.slice(userInfo.indexOf(':') + 1);
    if (userInfo.includes(':') && password.length > 0) {
      out = out.split(password).join('***');
      try { out = out.split(decodeURIComponent(password)).join('***'); } catch { /* not percent-encoded */ }
    }
  }
  const query = uri.search(/[?#]/);
  if (query >= 0 && query < uri.length - 1) out = out.split(uri.slice(query + 1)).join('***');
  return out;
}

/**
 * Rethrows a MongoDB error as a {@link StorageError} when it is one (unreachable, full), as it is otherwise.
 * @param error - what the MongoDB driver threw
 * @param where - the database, without credentials
 * @param doing - what was being done (for the message)
 * @returns never
 */
function fail(error: unknown, where: string, doing: string): never {
  if (error instanceof StorageError || error instanceof UniqueViolationError) throw error;
  const failure = mongoFailure(error);
  if (failure === undefined) throw error;
  const advice = failure === 'full' ? 'the database or its quota is full' : 'MongoDB is not reachable or has no primary; retry later';
  throw new StorageError(failure, where, `${doing} failed: ${messageOf(error)} (${advice})`, error);
}

type NativeCollection = mongo.Collection<MongoDocument>;

/** One contract collection over one MongoDB collection. */
class MongoDocumentCollection<T extends Doc> implements Collection<T> {
  readonly #native: NativeCollection;
  readonly #where: string;
  readonly #indexes: MongoIndex[];
  #ready: Promise<void> | undefined;

  constructor(readonly spec: CollectionSpec, native: NativeCollection, where: string) {
    this.#native = native;
    this.#where = where;
    this.#indexes = mongoIndexes(spec);
    // start syncing the indexes now; every operation waits for it (a unique index must exist before the first write)
    this.#ready = this.#syncIndexes();
    this.#ready.catch(() => { /* reported to the first operation, which retries */ });
  }

  /** Waits for the indexes; after a failure, the next operation tries again. */
  async #whenReady(): Promise<void> {
    this.#ready ??= this.#syncIndexes();
    const ready = this.#ready;
    try {
      await ready;
    } catch (error) {
      if (this.#ready === ready) this.#ready = undefined;
      throw error;
    }
  }

  /** Drops this driver's indexes the spec no longer has (or has differently), creates the missing ones. */
  async #syncIndexes(): Promise<void> {
    const doing = `${this.#native.collectionName}: creating indexes`;
    try {
      let existing: mongo.Document[] = [];
      try {
        existing = await this.#native.listIndexes().toArray();
      } catch (error) {
        if (asErrorLike(error).code !== NAMESPACE_NOT_FOUND) throw error;
      }
      const wanted = new Map(this.#indexes.map((index) => [index.name, index]));
      for (const index of existing) {
        const name = typeof index.name === 'string' ? index.name : '';
        if (!name.startsWith(INDEX_PREFIX)) continue;
        const want = wanted.get(name);
        if (want && sameIndex(want, index)) continue;
        await this.#native.dropIndex(name);
      }
      if (this.#indexes.length > 0) await this.#native.createIndexes(this.#indexes);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new StorageError('corrupt', this.#where, `${doing}: collection ${this.#native.collectionName} holds documents that break a unique index (${messageOf(error)}); remove the duplicates`, error);
      }
      fail(error, this.#where, doing);
    }
  }

  /** The fields of the unique index a duplicate-key error names. */
  #violated(error: unknown): UniqueViolationError {
    const e = asErrorLike(error);
    const pattern = e.keyPattern ?? e.errorResponse?.keyPattern;
    if (typeof pattern === 'object' && pattern !== null && Object.keys(pattern).length > 0) {
      return new UniqueViolationError(this.spec.name, Object.keys(pattern).map((p) => (p === '_id' ? 'id' : p.split('.').map(unescapeKey).join('.'))));
    }
    const text = typeof e.errmsg === 'string' ? e.errmsg : messageOf(error);
    const name = /index: (\S+) dup key/.exec(text)?.[1];
    const index = this.spec.indexes?.find((i) => mongoIndexes({ ...this.spec, indexes: [i] })[0]?.name === name);
    return new UniqueViolationError(this.spec.name, index ? index.fields : ['id']);
  }

  /** A given sort, even empty, orders by it and then by id; no sort leaves the order to MongoDB. */
  #sortOption(sort: Sort | undefined): { sort?: mongo.Sort } {
    return sort ? { sort: toMongoSort(this.spec, sort) as unknown as mongo.Sort } : {};
  }

  async insert(doc: T): Promise<boolean> {
    const stored = toMongoDocument(doc);
    await this.#whenReady();
    try {
      await this.#native.insertOne(stored);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      fail(error, this.#where, `${this.spec.name}: insert`);
    }
  }

  async insertMany(docs: readonly T[]): Promise<boolean[]> {
    if (docs.length === 0) return [];
    const stored = docs.map(toMongoDocument);
    await this.#whenReady();
    try {
      await this.#native.insertMany(stored, { ordered: false });
      return docs.map(() => true);
    } catch (error) {
      const inserted = insertManyOutcome(error, docs.length);
      if (inserted) return inserted;
      fail(error, this.#where, `${this.spec.name}: insertMany`);
    }
  }

  async get(id: string): Promise<T | undefined> {
    return this.#findOne({ _id: id }, {}, 'get');
  }

  async findOne(filter: Filter, options: { sort?: Sort } = {}): Promise<T | undefined> {
    return this.#findOne(toMongoFilter(this.spec, filter), this.#sortOption(options.sort), 'findOne');
  }

  async #findOne(query: MongoFilter, options: { sort?: mongo.Sort }, doing: string): Promise<T | undefined> {
    await this.#whenReady();
    try {
      const found = await this.#native.findOne(query, options);
      return found ? fromMongoDocument<T>(found) : undefined;
    } catch (error) {
      fail(error, this.#where, `${this.spec.name}: ${doing}`);
    }
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const query = toMongoFilter(this.spec, filter);
    if (options.limit !== undefined && options.limit <= 0) return []; // MongoDB reads limit 0 as "no limit"
    return this.#findAll(query, options, 'find');
  }

  /** The documents a query finds, sorted, skipped and limited as `options` say (`find` and `search`). */
  async #findAll(query: MongoFilter, options: FindOptions, what: string): Promise<T[]> {
    await this.#whenReady();
    try {
      const found = await this.#native.find(query, {
        ...this.#sortOption(options.sort),
        ...(options.offset ? { skip: options.offset } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      }).toArray();
      return found.map((d) => fromMongoDocument<T>(d));
    } catch (error) {
      fail(error, this.#where, `${this.spec.name}: ${what}`);
    }
  }

  async count(filter: Filter): Promise<number> {
    const query = toMongoFilter(this.spec, filter);
    await this.#whenReady();
    try {
      return await this.#native.countDocuments(query);
    } catch (error) {
      fail(error, this.#where, `${this.spec.name}: count`);
    }
  }

  async updateOne(filter: Filter, update: Update, options: { sort?: Sort } = {}): Promise<T | undefined> {
    const query = toMongoFilter(this.spec, filter);
    const change = toMongoUpdate(this.spec, update);
    const sort = this.#sortOption(options.sort);
    if (isNoUpdate(change)) return this.#findOne(query, sort, 'updateOne'); // MongoDB refuses an empty update
    await this.#whenReady();
    try {
      const after = await this.#native.findOneAndUpdate(query, asNativeUpdate(change), { ...sort, returnDocument: 'after' });
      return after ? fromMongoDocument<T>(after) : undefined;
    } catch (error) {
      if (isDuplicateKey(error)) throw this.#violated(error);
      fail(error, this.#where, `${this.spec.name}: updateOne`);
    }
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    const query = toMongoFilter(this.spec, filter);
    const change = toMongoUpdate(this.spec, update);
    if (isNoUpdate(change)) return this.count(filter);
    await this.#whenReady();
    try {
      return (await this.#native.updateMany(query, asNativeUpdate(change))).matchedCount;
    } catch (error) {
      if (isDuplicateKey(error)) throw this.#violated(error);
      fail(error, this.#where, `${this.spec.name}: updateMany`);
    }
  }

  async replaceOne(filter: Filter, doc: T): Promise<boolean> {
    const condition = toMongoFilter(this.spec, filter);
    const { _id, ...replacement } = toMongoDocument(doc);
    const query = Object.keys(condition).length === 0 ? { _id } : { $and: [{ _id }, condition] };
    await this.#whenReady();
    try {
      return (await this.#native.replaceOne(query, replacement)).matchedCount === 1;
    } catch (error) {
      if (isDuplicateKey(error)) throw this.#violated(error);
      fail(error, this.#where, `${this.spec.name}: replaceOne`);
    }
  }

  /** Through the collection's text index (`$text`), with the filter beside it. */
  async search(text: string, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    assertSearchable(this.spec);
    const query = toMongoFilter(this.spec, filter);
    const words = searchWords(text);
    if (words.length === 0 || (options.limit !== undefined && options.limit <= 0)) return [];
    return this.#findAll({ ...query, ...mongoTextCondition(words) }, options, 'search');
  }

  async deleteMany(filter: Filter): Promise<number> {
    const query = toMongoFilter(this.spec, filter);
    await this.#whenReady();
    try {
      return (await this.#native.deleteMany(query)).deletedCount;
    } catch (error) {
      fail(error, this.#where, `${this.spec.name}: deleteMany`);
    }
  }
}

/** The driver's types want pipeline stages as plain documents. */
function asNativeUpdate(update: MongoUpdate): mongo.Document[] {
  return update;
}

function isNoUpdate(update: MongoUpdate): boolean {
  return update.length === 0;
}

/** Whether an index listed by the server is the one wanted (same key, uniqueness and partial filter). */
function sameIndex(want: MongoIndex, have: mongo.Document): boolean {
  if (want.weights !== undefined) {
    // the server lists a text index's key as { _fts: 'text', _ftsx: 1 } and its paths as weights
    const weights = (have.weights ?? {}) as Record<string, unknown>;
    return (have.key as Record<string, unknown> | undefined)?.['_fts'] === 'text' && have.default_language === want.default_language
      && JSON.stringify(Object.keys(weights).sort()) === JSON.stringify(Object.keys(want.weights).sort());
  }
  return JSON.stringify(want.key) === JSON.stringify(have.key)
    && Boolean(want.unique) === Boolean(have.unique)
    && JSON.stringify(want.partialFilterExpression ?? null) === JSON.stringify(have.partialFilterExpression ?? null);
}

/**
 * What an unordered `insertMany` that failed did, per document: `false` for each document refused
 * as a duplicate (id or unique index), `true` for the others.
 * @param error - what `insertMany({ ordered: false })` threw
 * @param count - how many documents were sent
 * @returns per document whether it was inserted, or undefined when the error is not only duplicates
 *   (then nothing can be said per document and the error is thrown)
 */
export function insertManyOutcome(error: unknown, count: number): boolean[] | undefined {
  const e = asErrorLike(error);
  if (e.writeErrors === undefined || e.writeErrors === null) return undefined;
  if (e.writeConcernError || e.result?.getWriteConcernError?.()) return undefined; // not known to be durable
  const writeErrors = [e.writeErrors].flat() as { index?: unknown; code?: unknown }[];
  if (writeErrors.length === 0) return undefined;
  const inserted = Array.from({ length: count }, () => true);
  for (const writeError of writeErrors) {
    if (writeError.code !== DUPLICATE_KEY || typeof writeError.index !== 'number' || writeError.index < 0 || writeError.index >= count) return undefined;
    inserted[writeError.index] = false;
  }
  return inserted;
}

async function loadMongoose(where: string): Promise<typeof import('mongoose').default> {
  try {
    const loaded = await import('mongoose');
    return loaded.default;
  } catch (error) {
    const code = asErrorLike(error).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new StorageError('native', where, 'the MongoDB driver needs mongoose: npm install mongoose', error);
    }
    throw error;
  }
}

/** The `switchboard_meta` documents. */
interface MetaDocument {
  _id: string;
  version?: number;
  owner?: string;
  until?: Date;
}

/** The storage contract on MongoDB. Open with {@link MongoDriver.connect}. */
export class MongoDriver implements StorageDriver {
  /** Always `mongodb`. */
  readonly kind = 'mongodb';
  /** Durable and shared by every process connected to the deployment; no file backup (use mongodump). */
  readonly capabilities: DriverCapabilities = { durable: true, shared: true, backup: false };
  /** `updateTogether` applies its updates in order, without a multi-document transaction (see the module's notes). */
  readonly transactional = false;
  /** The deployment and database, without credentials (as errors name it). */
  readonly where: string;
  readonly #connection: Connection;
  readonly #db: mongo.Db;
  readonly #prefix: string;
  readonly #collections = new Map<string, MongoDocumentCollection<Doc>>();
  readonly #mongo: typeof mongo;

  private constructor(connection: Connection, db: mongo.Db, where: string, prefix: string, driver: typeof mongo) {
    this.#connection = connection;
    this.#db = db;
    this.where = where;
    this.#prefix = prefix;
    this.#mongo = driver;
  }

  /** Applies the updates one after the other (no transaction; see the module's notes). */
  async updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> {
    return updateInOrder(this, updates);
  }

  /**
   * A GridFS bucket on this database, named with the driver's collection prefix (its `.files` and
   * `.chunks` collections are cleared by {@link MongoDriver.clear} like the others): where the media
   * store keeps file bytes on MongoDB.
   * @param name - the bucket's name without the prefix (`[a-z][a-z0-9_]*`)
   * @returns the bucket (writes use the connection's majority write concern) and its chunks
   *   collection (to find what an interrupted upload left), and where it is (no credentials)
   */
  gridFsBucket(name: string): { bucket: mongo.GridFSBucket; chunks: mongo.Collection; where: string } {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new TypeError(`GridFS bucket name "${name}" must match [a-z][a-z0-9_]*`);
    const bucketName = this.#prefix + name;
    return {
      bucket: new this.#mongo.GridFSBucket(this.#db, { bucketName, writeConcern: { w: 'majority', journal: true } }),
      chunks: this.#db.collection(`${bucketName}.chunks`),
      where: `${this.where}, GridFS bucket ${bucketName}`,
    };
  }

  /**
   * Connects, checks the schema version and runs pending data migrations.
   * @param uri - a MongoDB connection string (a replica set in production: `mongodb://h1,h2,h3/db?replicaSet=rs0`)
   * @param options - database name, collection prefix, server selection timeout
   * @returns the connected driver
   * @throws StorageError `native` when mongoose is not installed, `unavailable` when the deployment
   *   cannot be reached, `version` when the database was written by a newer Switchboard
   * @example
   * const driver = await MongoDriver.connect(process.env.MONGODB_URI!, { dbName: 'switchboard' });
   */
  static async connect(uri: string, options: MongoDriverOptions = {}): Promise<MongoDriver> {
    const redacted = redactMongoUri(uri);
    const where = options.dbName ? `${redacted} (database ${options.dbName})` : redacted;
    const prefix = options.collectionPrefix ?? 'sb_';
    if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new TypeError(`MongoDB collection prefix "${prefix}" may hold only letters, digits and _`);
    const mongoose = await loadMongoose(where);
    let connection: Connection | undefined;
    try {
      connection = mongoose.createConnection(uri, {
        ...(options.dbName ? { dbName: options.dbName } : {}),
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
        // acknowledged only once a majority of the replica set has it in its journal: survives a failover
        writeConcern: { w: 'majority', journal: true },
        autoIndex: false,
        autoCreate: false,
      });
      await connection.asPromise();
    } catch (error) {
      await connection?.close().catch(() => undefined);
      throw new StorageError('unavailable', where, `cannot connect to MongoDB: ${scrub(messageOf(error), uri)}`, error);
    }
    const db = connection.db;
    if (!db) {
      await connection.close().catch(() => undefined);
      throw new StorageError('unavailable', where, 'the MongoDB connection opened without a database');
    }
    try {
      await migrate(db, prefix, where);
    } catch (error) {
      await connection.close().catch(() => undefined);
      fail(error, where, 'checking the schema version');
    }
    return new MongoDriver(connection, db, where, prefix, mongoose.mongo);
  }

  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    const existing = declaredCollection(this.#collections, spec);
    if (existing) return existing as unknown as Collection<T>;
    if (spec.name === MONGO_META_COLLECTION) throw new TypeError(`collection name "${spec.name}" is reserved for the driver`);
    const created = new MongoDocumentCollection<Doc>(spec, this.#db.collection(this.#prefix + spec.name), this.where);
    this.#collections.set(spec.name, created);
    return created as unknown as Collection<T>;
  }

  async ping(): Promise<void> {
    try {
      await this.#db.command({ ping: 1 });
    } catch (error) {
      if (mongoFailure(error) === undefined) throw new StorageError('unavailable', this.where, `ping failed: ${messageOf(error)}`, error);
      fail(error, this.where, 'ping');
    }
  }

  /** Deletes every document of every collection with this driver's prefix (the schema version stays). */
  async clear(): Promise<void> {
    try {
      const collections = await this.#db.listCollections({}, { nameOnly: true }).toArray();
      for (const { name } of collections) {
        if (!name.startsWith(this.#prefix) || name === this.#prefix + MONGO_META_COLLECTION || name.startsWith('system.')) continue;
        await this.#db.collection(name).deleteMany({});
      }
    } catch (error) {
      fail(error, this.where, 'clear');
    }
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/**
 * Records the schema version, refusing a newer database, and runs pending data migrations one
 * process at a time: the first takes the lock document, the others wait for it and then see the
 * version already current. A lock left by a crashed process expires after a minute.
 */
async function migrate(db: mongo.Db, prefix: string, where: string): Promise<void> {
  const meta = db.collection<MetaDocument>(prefix + MONGO_META_COLLECTION);
  const latest = MONGO_MIGRATIONS.reduce((v, m) => Math.max(v, m.version), MONGO_SCHEMA_VERSION);
  const versionOf = async (): Promise<number> => {
    const version = (await meta.findOne({ _id: 'schema' }))?.version ?? 0;
    if (version > latest) {
      throw new StorageError('version', where, `the database has schema version ${version}, written by a newer version of Switchboard (this one knows ${latest}); upgrade Switchboard`);
    }
    return version;
  };
  if (await versionOf() === latest) return;
  const owner = randomUUID();
  const giveUp = Date.now() + MIGRATION_WAIT_MS;
  for (;;) {
    try {
      // the upsert inserts the lock when there is none; when another process holds a live one, its
      // filter matches nothing and the insert fails on _id: E11000
      await meta.findOneAndUpdate(
        { _id: 'lock', $or: [{ until: { $lt: new Date() } }, { until: { $exists: false } }] },
        { $set: { owner, until: new Date(Date.now() + MIGRATION_LOCK_MS) } },
        { upsert: true },
      );
      break;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (await versionOf() === latest) return;
      if (Date.now() > giveUp) throw new StorageError('busy', where, 'another process has been migrating the database for too long; check its logs, or delete the lock document { _id: "lock" } in switchboard_meta if it crashed');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    let version = await versionOf();
    for (const migration of [...MONGO_MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (migration.version <= version) continue;
      await migration.up(db, prefix);
      await meta.updateOne({ _id: 'schema' }, { $set: { version: migration.version } }, { upsert: true });
      version = migration.version;
    }
    if (version < latest) await meta.updateOne({ _id: 'schema' }, { $max: { version: latest } }, { upsert: true });
  } finally {
    await meta.deleteOne({ _id: 'lock', owner }).catch(() => undefined);
  }
}

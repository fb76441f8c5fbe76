/**
 * The storage contract every driver implements (memory, SQLite, MongoDB): typed document
 * collections with declared fields and indexes, a small Mongo-like filter and update language, and
 * single-document atomic operations. Every store of the host is written once on top of this
 * contract (see `document-stores.ts`); a driver only keeps documents, indexes and atomicity.
 *
 * Rules every driver follows (the driver conformance suite checks each):
 * - Documents are plain data: objects, arrays, strings, finite numbers, booleans, `null` and `Date`
 *   at any depth. What goes in comes back equal (`Date` as `Date`), never sharing objects with the caller.
 *   `undefined` members are dropped.
 * - Only declared fields (`CollectionSpec.fields`, plus `id`) may appear in filters, sorts,
 *   updates' `$inc`/`$max`/`$min` and indexes. Anything else is a programming error
 *   ({@link UndeclaredFieldError}).
 * - A field that is missing equals `null` in a filter (`{ f: null }` matches missing and null).
 *   Range operators never match a missing field.
 * - Every single-document operation is atomic, also across processes sharing one database:
 *   `updateOne` applies its update only when the document still matches its filter
 *   (compare-and-set), and a unique index is never violated ({@link UniqueViolationError}).
 * - `updateTogether` applies several such updates, to documents of several collections, in order;
 *   on a `transactional` driver as one unit (all or none, for readers and after a crash), otherwise
 *   one after the other.
 * - Sorting compares values of one declared type; missing values sort first (ascending).
 * @module
 */
import { SwitchboardError } from '@switchboard/core';

/** The type of a declared field. Dates are compared as instants. */
export type FieldType = 'string' | 'number' | 'date' | 'boolean';

/** An index over declared fields, in order. */
export interface IndexSpec {
  fields: readonly string[];
  /**
   * No two documents share the values of these fields. Documents in which one of the fields is
   * missing are not indexed (they never conflict), as with a partial index.
   */
  unique?: boolean;
}

/**
 * A collection: its name (a table or a MongoDB collection, prefixed by the driver), the fields
 * that may be queried (dotted paths into the document; `id` is always the primary key) and its
 * indexes.
 */
export interface CollectionSpec {
  /** `[a-z][a-z0-9_]*` */
  name: string;
  fields: Readonly<Record<string, FieldType>>;
  indexes?: readonly IndexSpec[];
  /**
   * Paths (dotted, into the document; they need not be declared fields) whose string values are
   * indexed for {@link Collection.search}: a full-text index kept in step with every write of the
   * collection (SQLite FTS5, a MongoDB text index, a scan on the memory driver). A value that is
   * not a string is not indexed.
   */
  text?: readonly string[];
}

/** A value a filter compares with. */
export type Scalar = string | number | boolean | Date;

/** Comparison operators on one field. */
export interface Operators {
  $eq?: Scalar | null;
  $ne?: Scalar | null;
  $in?: readonly Scalar[];
  $nin?: readonly Scalar[];
  $lt?: Scalar;
  $lte?: Scalar;
  $gt?: Scalar;
  $gte?: Scalar;
  /** true: the field is present and not null; false: missing or null. */
  $exists?: boolean;
}

/**
 * A filter: every entry must hold (AND). A field maps to a value (equality; `null` = missing),
 * or to operators; `undefined` entries are ignored. `$or` holds alternatives, at least one of which
 * must hold; `$and` more conditions.
 */
export interface Filter {
  $or?: readonly Filter[];
  $and?: readonly Filter[];
  [field: string]: Scalar | null | Operators | readonly Filter[] | undefined;
}

/** Sort order: declared fields with 1 (ascending) or -1 (descending); ties by `id` ascending. */
export type Sort = readonly (readonly [field: string, direction: 1 | -1])[];

/**
 * An update. Paths may be dotted (`a.b`); `$set` of `undefined` removes the field.
 * `$inc`, `$max` and `$min` apply to declared fields of type number (or date for max/min); a missing
 * field counts as 0 for `$inc` and is simply set by `$max`/`$min`.
 */
export interface Update {
  $set?: Readonly<Record<string, unknown>>;
  $unset?: readonly string[];
  $inc?: Readonly<Record<string, number>>;
  $max?: Readonly<Record<string, number | Date>>;
  $min?: Readonly<Record<string, number | Date>>;
  /** Appends to an array (created when missing). */
  $push?: Readonly<Record<string, unknown>>;
}

/** Options of {@link Collection.find}. */
export interface FindOptions {
  sort?: Sort;
  limit?: number;
  offset?: number;
}

/** A document: anything with a string `id`. */
export interface Doc {
  id: string;
}

/** A collection of documents of one kind. Every method is atomic on its own. */
export interface Collection<T extends Doc> {
  readonly spec: CollectionSpec;
  /** Inserts a document. @returns false, inserting nothing, when its id or a unique index is taken. */
  insert(doc: T): Promise<boolean>;
  /**
   * Inserts several documents in one commit; each is inserted unless its id or a unique index is
   * taken (by a stored document or an earlier one of the batch). @returns per document, whether it was inserted
   */
  insertMany(docs: readonly T[]): Promise<boolean[]>;
  get(id: string): Promise<T | undefined>;
  findOne(filter: Filter, options?: { sort?: Sort }): Promise<T | undefined>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /**
   * Updates the first document matching the filter (in `sort` order, else any), atomically: the
   * update is applied only if the document still matches.
   * @returns the document after the update, or undefined when none matched
   * @throws UniqueViolationError when the update would break a unique index (nothing is changed)
   */
  updateOne(filter: Filter, update: Update, options?: { sort?: Sort }): Promise<T | undefined>;
  /** Updates every matching document. @returns how many */
  updateMany(filter: Filter, update: Update): Promise<number>;
  /**
   * Replaces the document with the same id when it matches the filter (a compare-and-set on the whole document).
   * @returns whether it was replaced
   */
  replaceOne(filter: Filter, doc: T): Promise<boolean>;
  /** Deletes every matching document. @returns how many */
  deleteMany(filter: Filter): Promise<number>;
  /**
   * Full-text search over the spec's `text` paths: the documents holding every word of `text`
   * (words as {@link textWords} splits them: case, accents and punctuation ignored, whole words
   * only) in any of those paths, and matching the filter, ordered and sliced as
   * {@link Collection.find} does. A text of no words finds nothing.
   * @param text - what to look for
   * @param filter - a filter on declared fields, as for `find`
   * @param options - sort, limit, offset
   * @throws Error when the spec declares no `text` paths
   */
  search(text: string, filter: Filter, options?: FindOptions): Promise<T[]>;
}

/** The most words {@link Collection.search} takes; further words are ignored. */
export const MAX_SEARCH_WORDS = 16;

/**
 * The words of a text as {@link Collection.search} compares them: runs of letters and digits,
 * lower-cased, with accents removed (`Émile` → `emile`). Every driver's text index splits the same way.
 * @param text - any text
 * @returns the words, in order (repeats kept)
 */
export function textWords(text: string): string[] {
  const folded = text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  return folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * The words a search looks for: those of {@link textWords}, without repeats, at most {@link MAX_SEARCH_WORDS}.
 * @param text - the search text
 * @returns the distinct words
 */
export function searchWords(text: string): string[] {
  return [...new Set(textWords(text))].slice(0, MAX_SEARCH_WORDS);
}

/** What a driver can do beyond the contract (each is checked by the suite where declared). */
export interface DriverCapabilities {
  /** Data survives the process (false for memory). */
  durable: boolean;
  /** Several processes may share the same data. */
  shared: boolean;
  /** `backup(path)` makes a consistent online copy. */
  backup: boolean;
}

/** One update of {@link StorageDriver.updateTogether}: an `updateOne` on a collection of the driver. */
export interface LinkedUpdate {
  /** The collection's spec (the collection is made with it when missing, as {@link StorageDriver.collection} does). */
  collection: CollectionSpec;
  /** Which document: the first matching (any order); the update is not applied when none matches. */
  filter: Filter;
  update: Update;
}

/** DI token for {@link StorageDriver}. */
export const StorageDriver = Symbol.for('switchboard.StorageDriver');
/** A storage driver: creates collections, and owns the connection's life cycle. */
export interface StorageDriver {
  readonly kind: 'memory' | 'sqlite' | 'mongodb' | (string & {});
  readonly capabilities: DriverCapabilities;
  /**
   * {@link StorageDriver.updateTogether} commits its updates as one unit: no reader, in this process
   * or another, sees some applied and not the others, a crash keeps all or none, and a failing update
   * undoes the earlier ones. Without it (absent or false), they are applied one after the other in
   * the given order, each atomic on its own: callers order them so that every prefix is a safe state
   * and applying them again is harmless.
   */
  readonly transactional?: boolean;
  /**
   * The collection of a spec, created with its indexes when missing. Calling it twice with the same
   * name returns the same collection.
   */
  collection<T extends Doc>(spec: CollectionSpec): Collection<T>;
  /**
   * Applies several single-document updates, in order, each as {@link Collection.updateOne} would
   * (to the first document matching its filter, only while it matches; nothing when none does). On a
   * {@link StorageDriver.transactional} driver they are one unit: a reader sees all of them or none, a
   * crash keeps all or none, and when one fails (a {@link UniqueViolationError}) none is applied.
   * Otherwise they are applied one after the other.
   * @param updates - the updates, in the order they are applied
   * @returns per update, the document after it, or undefined when none matched its filter
   * @throws UniqueViolationError when an update would break a unique index
   */
  updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]>;
  /** Resolves when the database is reachable and usable; throws a {@link StorageError} otherwise. */
  ping(): Promise<void>;
  /** Consistent online copy to a file (drivers whose capabilities say so). */
  backup?(path: string): Promise<void>;
  /**
   * Optional: makes deleted documents unreadable from the database's own files (SQLite: empties
   * the WAL that still holds their page images; deleted content is zeroed by `secure_delete`).
   * Erasure calls it. Drivers without files of their own (memory) or whose server manages them
   * (MongoDB) leave it out.
   * @returns false when it could not complete now (a later checkpoint does it)
   */
  purgeDeleted?(): Promise<boolean>;
  /** Deletes every document of every collection (tests). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Why a storage operation failed. */
export type StorageFailure =
  | 'unavailable' // cannot connect or open
  | 'busy' // locked by another program for longer than the timeout
  | 'corrupt' // not a database, or damaged
  | 'readonly' // the file or disk cannot be written
  | 'full' // the disk or quota is full
  | 'version' // the database was written by a newer version of Switchboard
  | 'native'; // the native module is missing

/**
 * A storage failure the host can explain: which database (file or URI without credentials) and why.
 * Answered as 503 STORE_UNAVAILABLE (retryable) through the API, so nothing is acknowledged.
 */
export class StorageError extends SwitchboardError {
  /**
   * @param failure - the kind of failure
   * @param where - the database file or URI (without credentials)
   * @param message - what happened and what to do
   * @param cause - the driver's own error
   */
  constructor(readonly failure: StorageFailure, readonly where: string, message: string, cause?: unknown) {
    super('STORE_UNAVAILABLE', `${where}: ${message}`, failure === 'busy' || failure === 'unavailable', { details: { failure, where }, ...(cause !== undefined ? { cause } : {}) });
    this.name = 'StorageError';
  }
}

/** A unique index (or the id) is already taken. */
export class UniqueViolationError extends SwitchboardError {
  /**
   * @param collection - the collection's name
   * @param fields - the fields of the unique index (or `['id']`)
   */
  constructor(readonly collection: string, readonly fields: readonly string[]) {
    super('CONFLICT', `${collection}: a document with the same ${fields.join(', ')} exists`, false, { details: { collection, fields: [...fields] } });
    this.name = 'UniqueViolationError';
  }
}

/** A filter, sort, update or index names a field the collection did not declare (a programming error). */
export class UndeclaredFieldError extends Error {
  /**
   * @param collection - the collection's name
   * @param field - the field
   */
  constructor(readonly collection: string, readonly field: string) {
    super(`${collection}: field "${field}" is not declared in the collection's spec`);
    this.name = 'UndeclaredFieldError';
  }
}

/**
 * {@link StorageDriver.updateTogether} for a driver without multi-document transactions: each update
 * applied after the one before it, atomic on its own; a failure leaves the earlier ones applied.
 * @param driver - the driver
 * @param updates - the updates, in order
 * @returns per update, the document after it, or undefined when none matched
 */
export async function updateInOrder(driver: Pick<StorageDriver, 'collection'>, updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> {
  const after: (Doc | undefined)[] = [];
  for (const u of updates) after.push(await driver.collection(u.collection).updateOne(u.filter, u.update));
  return after;
}

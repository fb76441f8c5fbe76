/**
 * How the MongoDB driver writes the storage contract (`driver.ts`) in MongoDB's own language:
 * documents, filters, updates, sorts and indexes. Pure functions over plain objects — no mongoose,
 * no connection — so every translation is tested without a server.
 *
 * Validation is the shared one (`documents.ts`: declared fields, known operators, values of the
 * declared type), so a bad query fails the same way on every driver.
 *
 * Keys are stored escaped where MongoDB would read them as something else: `.` (a path), a leading
 * `$` (an operator), `\0`, and `_id` at the top (the primary key) are written `%2E`, `%24`, `%00`,
 * `%5Fid`, and `%` itself `%25`; ordinary keys are stored as they are. Updates are aggregation
 * pipelines (MongoDB 4.2+), so that `null` counts as missing for `$inc`, `$max`, `$min`, `$push` and
 * `$set` through it, as in the shared semantics, and every value is a `$literal`.
 *
 * Where MongoDB and the shared
 * semantics already agree nothing is translated: equality on an array field matches any element,
 * `{ f: null }` matches a missing field and an array holding null, `$ne`/`$nin` match a missing
 * field, range operators never match a missing field or another type, Dates compare as instants,
 * strings by code point, and sorting puts missing/null first and orders an array by its smallest
 * (ascending) or largest (descending) element. What differs is written out here: `$exists` (the
 * contract's "present and not null"), `undefined` entries, empty `$or`/`$and`, `$set` of
 * `undefined`, `id` ↔ `_id`, and sort ties.
 * @module
 */
import { UndeclaredFieldError, type CollectionSpec, type Doc, type FieldType, type Filter, type Operators, type Sort, type Update } from '../driver.js';
import { assertFilter, assertSort, assertUpdate, checkSpec, cloneDoc } from './documents.js';

/** A MongoDB query document. */
export type MongoFilter = Record<string, unknown>;

/** A MongoDB update: an aggregation pipeline of at most a `$set` and an `$unset` stage. */
export type MongoUpdate = ({ $set: Record<string, unknown> } | { $unset: string[] })[];

/** A MongoDB sort: `[path, direction]` pairs in order (an array, so no key is ever reordered). */
export type MongoSort = [path: string, direction: 1 | -1][];

/** An index as `createIndexes` takes it. */
export interface MongoIndex {
  key: Record<string, 1 | 'text'>;
  name: string;
  unique?: true;
  partialFilterExpression?: Record<string, { $type: string }>;
  /** A text index: no language, so no stemming and no stop words (every word is found as written). */
  default_language?: 'none';
  /** A text index: each path weighs the same. */
  weights?: Record<string, 1>;
}

/** A stored document: the contract's `id` kept as MongoDB's primary key `_id`. */
export interface MongoDocument {
  _id: string;
  [field: string]: unknown;
}

/** Matches no document (what an empty `$or` means: none of no alternatives holds). */
const NOTHING: MongoFilter = { _id: { $in: [] } };

/** Prefix of every index this driver creates; others (an operator's own) are left alone. */
export const INDEX_PREFIX = 'sb_';

/** The `$type` alias of each declared field type, for the partial filters of unique indexes. */
const BSON_TYPE: Record<FieldType, string> = { string: 'string', number: 'number', date: 'date', boolean: 'bool' };

const COMPARISONS = new Set(['$eq', '$ne', '$lt', '$lte', '$gt', '$gte']);

const NEEDS_ESCAPE = /[%.\0]|^\$/;
const ESCAPES: Record<string, string> = { '%': '%25', '.': '%2E', '\0': '%00' };
const UNESCAPES: Record<string, string> = { '25': '%', '2E': '.', '00': '\0', '24': '$', '5F': '_' };

/**
 * A document key as stored (see the module notes).
 * @param key - a key of a document, at any depth
 * @param top - whether it is a key of the document itself (where `_id` is taken)
 * @returns the stored key
 */
export function escapeKey(key: string, top = false): string {
  if (top && key === '_id') return '%5Fid';
  if (!NEEDS_ESCAPE.test(key)) return key;
  return key.replace(/[%.\0]/g, (c) => ESCAPES[c]!).replace(/^\$/, '%24');
}

/**
 * A stored key as the document had it.
 * @param key - a stored key
 * @returns the original key
 */
export function unescapeKey(key: string): string {
  return key.includes('%') ? key.replace(/%(25|2E|00|24|5F)/g, (_, code: string) => UNESCAPES[code]!) : key;
}

/**
 * A dotted path as stored: each segment escaped (`id` is `_id`).
 * @param path - a dotted path into the document
 * @returns the stored path
 */
export function escapePath(path: string): string {
  if (path === 'id') return '_id';
  if (!/[%\0$]/.test(path) && path !== '_id' && !path.startsWith('_id.')) return path;
  return path.split('.').map((segment, i) => escapeKey(segment, i === 0)).join('.');
}

/**
 * The stored path of a declared field (`id` is `_id`).
 * @param spec - the collection
 * @param field - a field named by a filter, sort, update or index
 * @returns the path in the stored document
 * @throws UndeclaredFieldError when the spec does not declare the field
 */
export function mongoPath(spec: CollectionSpec, field: string): string {
  if (field !== 'id' && !Object.hasOwn(spec.fields, field)) throw new UndeclaredFieldError(spec.name, field);
  return escapePath(field);
}

/** Defines an own property, also for the key `__proto__`. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Escapes the keys of plain data at every depth (a fresh copy is expected: objects are rebuilt only where a key changes). */
function escapeKeys(value: unknown, top = false): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = escapeKeys(value[i]);
    return value;
  }
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  const obj = value as Record<string, unknown>;
  let changed = false;
  for (const key of Object.keys(obj)) {
    obj[key] = escapeKeys(obj[key]);
    if (escapeKey(key, top) !== key) changed = true;
  }
  if (!changed) return obj;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) put(out, escapeKey(key, top), obj[key]);
  return out;
}

/** Restores the keys of stored data at every depth (in place where no key changes). */
function unescapeKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unescapeKeys(value[i]);
    return value;
  }
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  const obj = value as Record<string, unknown>;
  let changed = false;
  for (const key of Object.keys(obj)) {
    obj[key] = unescapeKeys(obj[key]);
    if (key.includes('%')) changed = true;
  }
  if (!changed) return obj;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) put(out, unescapeKey(key), obj[key]);
  return out;
}

/**
 * A value as stored: a copy of plain data (`undefined` members dropped, an `undefined` array
 * element as `null`, `-0` as `0`: what the other drivers keep) with its keys escaped.
 * @param value - plain data
 * @returns the stored value
 * @throws TypeError for anything that is not plain data
 */
export function toStoredValue(value: unknown): unknown {
  return escapeKeys(cloneDoc(value));
}

function isOperators(value: unknown): value is Operators {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

function isEmpty(filter: MongoFilter): boolean {
  return Object.keys(filter).length === 0;
}

/**
 * Translates a contract filter into a MongoDB query.
 * @param spec - the collection (fields are checked against it)
 * @param filter - the contract's filter
 * @returns the query; `{}` matches every document
 * @throws UndeclaredFieldError for a field the spec does not declare
 * @example
 * toMongoFilter(spec, { id: 'a', sentAt: { $exists: true } }) // { _id: 'a', sentAt: { $ne: null } }
 */
export function toMongoFilter(spec: CollectionSpec, filter: Filter): MongoFilter {
  assertFilter(spec, filter);
  return translateFilter(spec, filter);
}

function translateFilter(spec: CollectionSpec, filter: Filter): MongoFilter {
  const out: MongoFilter = {};
  const and: MongoFilter[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$or') {
      const alternatives = (value as readonly Filter[]).filter((f) => f !== undefined).map((f) => translateFilter(spec, f));
      if (alternatives.some(isEmpty)) continue; // one alternative always holds
      if (alternatives.length === 0) and.push(NOTHING);
      else if (alternatives.length === 1) and.push(alternatives[0]!);
      else out.$or = alternatives;
      continue;
    }
    if (key === '$and') {
      for (const f of value as readonly Filter[]) {
        if (f === undefined) continue;
        const condition = translateFilter(spec, f);
        if (!isEmpty(condition)) and.push(condition);
      }
      continue;
    }
    if (key.startsWith('$')) throw new TypeError(`${spec.name}: unsupported filter operator ${key}`);
    const path = mongoPath(spec, key);
    if (Array.isArray(value)) throw new TypeError(`${spec.name}: filter on "${key}" compares with an array; use $in`);
    if (!isOperators(value)) {
      out[path] = value; // equality; null also matches a missing field, as in the contract
      continue;
    }
    const ops: Record<string, unknown> = {};
    let exists: boolean | undefined;
    for (const [op, operand] of Object.entries(value)) {
      if (operand === undefined) continue;
      if (COMPARISONS.has(op)) ops[op] = operand;
      else if (op === '$in' || op === '$nin') ops[op] = [...(operand as readonly unknown[])];
      else if (op === '$exists') exists = Boolean(operand);
      else throw new TypeError(`${spec.name}: unsupported operator ${op} on "${key}"`);
    }
    if (exists !== undefined) {
      // the contract's $exists is about null too: "present and not null" / "missing or null"
      const [op, condition] = exists ? ['$ne', { $ne: null }] as const : ['$eq', { $eq: null }] as const;
      if (!(op in ops)) ops[op] = null;
      else if (ops[op] !== null) and.push({ [path]: condition });
    }
    if (Object.keys(ops).length > 0) out[path] = ops;
  }
  if (and.length > 0) out.$and = and;
  return out;
}

/**
 * A contract document as stored: `id` becomes `_id`, a copy of plain data (`undefined` members
 * dropped, an `undefined` array element as `null`, `-0` as `0`: what the other drivers keep).
 * @param doc - the document
 * @returns the stored document
 * @throws TypeError for anything that is not plain data
 */
export function toMongoDocument(doc: Doc): MongoDocument {
  if (typeof doc.id !== 'string') throw new TypeError('a document needs a string id');
  const stored: MongoDocument = { _id: doc.id };
  const copy = cloneDoc(doc) as unknown as Record<string, unknown>;
  for (const key of Object.keys(copy)) if (key !== 'id') put(stored, escapeKey(key, true), escapeKeys(copy[key]));
  return stored;
}

/**
 * A stored document as the contract gives it back: `_id` becomes `id`.
 * @param stored - what MongoDB returned
 * @returns the document
 */
export function fromMongoDocument<T extends Doc>(stored: Record<string, unknown>): T {
  const doc: Record<string, unknown> = { id: stored['_id'] };
  for (const key of Object.keys(stored)) if (key !== '_id') put(doc, unescapeKey(key), unescapeKeys(stored[key]));
  return doc as unknown as T;
}

/**
 * Translates a contract update into a MongoDB update pipeline: one `$set` stage (values as
 * `$literal`; `$inc`, `$max`, `$min` and `$push` computed from the current value, `null` counting as
 * missing) and one `$unset` stage (`$unset` and `$set` of `undefined`). No path is touched twice
 * (the shared validation refuses it), so the order of the stages changes nothing.
 * @param spec - the collection (`$inc`/`$max`/`$min` fields are checked against it)
 * @param update - the contract's update
 * @returns the pipeline; empty when the update changes nothing
 * @throws UndeclaredFieldError for an undeclared `$inc`/`$max`/`$min` field
 * @example
 * toMongoUpdate(spec, { $inc: { attempts: 1 } })
 * // [{ $set: { attempts: { $add: [{ $ifNull: ['$attempts', 0] }, 1] } } }]
 */
export function toMongoUpdate(spec: CollectionSpec, update: Update): MongoUpdate {
  assertUpdate(spec, update);
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [path, value] of Object.entries(update.$set ?? {})) {
    if (value === undefined) unset.push(escapePath(path));
    else set[escapePath(path)] = { $literal: toStoredValue(value) };
  }
  for (const path of update.$unset ?? []) unset.push(escapePath(path));
  for (const [field, by] of Object.entries(update.$inc ?? {})) {
    const path = mongoPath(spec, field);
    set[path] = { $add: [{ $ifNull: [`$${path}`, 0] }, by] };
  }
  // a null or missing field becomes the value itself, and max(v, v) is v: simply set, as the contract says
  for (const op of ['$max', '$min'] as const) {
    for (const [field, value] of Object.entries(update[op] ?? {})) {
      const path = mongoPath(spec, field);
      const literal = { $literal: toStoredValue(value) };
      set[path] = { [op]: [{ $ifNull: [`$${path}`, literal] }, literal] };
    }
  }
  for (const [rawPath, value] of Object.entries(update.$push ?? {})) {
    const path = escapePath(rawPath);
    set[path] = { $concatArrays: [{ $ifNull: [`$${path}`, []] }, [{ $literal: value === undefined ? null : toStoredValue(value) }]] };
  }
  const pipeline: MongoUpdate = [];
  if (Object.keys(set).length > 0) pipeline.push({ $set: set });
  if (unset.length > 0) pipeline.push({ $unset: unset });
  return pipeline;
}

/**
 * Translates a contract sort; ties are broken by id ascending, as the contract says.
 * @param spec - the collection
 * @param sort - the contract's sort
 * @returns `[path, direction]` pairs ending with `_id`
 */
export function toMongoSort(spec: CollectionSpec, sort: Sort): MongoSort {
  assertSort(spec, sort);
  const out: MongoSort = [];
  for (const [field, direction] of sort) {
    const path = mongoPath(spec, field);
    if (!out.some(([p]) => p === path)) out.push([path, direction]);
  }
  if (!out.some(([p]) => p === '_id')) out.push(['_id', 1]);
  return out;
}

/**
 * The indexes of a spec as `createIndexes` takes them. A unique index is partial: a document is in
 * it only when each of its fields holds a value of the declared type, so a missing or null field
 * never conflicts (the contract's rule; a partial filter cannot say `$ne: null`, `$type` can).
 * An index on `id` alone is MongoDB's own `_id` index and is not created again.
 * @param spec - the collection
 * @returns the indexes, each named `sb_…` after its fields
 * @throws UndeclaredFieldError for an index over an undeclared field
 */
export function mongoIndexes(spec: CollectionSpec): MongoIndex[] {
  checkSpec(spec);
  const out: MongoIndex[] = [];
  for (const index of spec.indexes ?? []) {
    const paths = index.fields.map((f) => mongoPath(spec, f));
    if (paths.length === 0 || (paths.length === 1 && paths[0] === '_id')) continue;
    const key: Record<string, 1> = {};
    for (const path of paths) key[path] = 1;
    const name = `${INDEX_PREFIX}${index.unique ? 'unique_' : ''}${index.fields.join('+')}`;
    if (!index.unique) {
      out.push({ key, name });
      continue;
    }
    const partialFilterExpression: Record<string, { $type: string }> = {};
    for (const field of index.fields) {
      const type = spec.fields[field];
      if (field !== 'id' && type !== undefined) partialFilterExpression[mongoPath(spec, field)] = { $type: BSON_TYPE[type] };
    }
    out.push({ key, name, unique: true, ...(Object.keys(partialFilterExpression).length > 0 ? { partialFilterExpression } : {}) });
  }
  const text = mongoTextIndex(spec);
  if (text !== undefined) out.push(text);
  return out;
}

/** The name of a collection's text index (MongoDB allows one per collection). */
export const TEXT_INDEX_NAME = `${INDEX_PREFIX}text`;

/**
 * The text index of a collection with `text` paths: one index over every path, with language
 * `none` (MongoDB then splits on spaces and punctuation, folds case and accents, and neither stems
 * nor drops stop words, as the contract's `textWords` does).
 * @param spec - the collection
 * @returns the index, or undefined when the spec has no text paths
 */
export function mongoTextIndex(spec: CollectionSpec): MongoIndex | undefined {
  if (spec.text === undefined || spec.text.length === 0) return undefined;
  const key: Record<string, 'text'> = {};
  const weights: Record<string, 1> = {};
  for (const path of spec.text) {
    key[escapePath(path)] = 'text';
    weights[escapePath(path)] = 1;
  }
  return { key, name: TEXT_INDEX_NAME, default_language: 'none', weights };
}

/**
 * The `$text` condition finding the documents that hold every word: each word quoted as a phrase,
 * which MongoDB requires (all phrases must match) where bare words would be alternatives.
 * @param words - the folded words (`searchWords`)
 * @returns the condition, to add to a filter at its top level
 */
export function mongoTextCondition(words: readonly string[]): { $text: { $search: string; $caseSensitive: false; $diacriticSensitive: false } } {
  return { $text: { $search: words.map((w) => `"${w.replaceAll('"', '')}"`).join(' '), $caseSensitive: false, $diacriticSensitive: false } };
}

/**
 * A MongoDB connection string without what must not be logged: the user name and password, and
 * the query string (it may hold TLS key passwords or AWS session tokens).
 * @param uri - a connection string
 * @returns e.g. `mongodb+srv://***@cluster0.example.net/switchboard`
 */
export function redactMongoUri(uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(uri);
  if (!scheme) return '(a MongoDB URI)';
  let rest = uri.slice(scheme[1]!.length);
  const query = rest.search(/[?#]/);
  if (query >= 0) rest = rest.slice(0, query);
  const at = rest.lastIndexOf('@');
  return `${scheme[1]}${at >= 0 ? `***@${rest.slice(at + 1)}` : rest}`;
}

/**
 * How the MongoDB driver writes the storage contract (`driver.ts`) in MongoDB's own language:
 * documents, filters, updates, sorts and indexes. Pure functions over plain objects — no mongoose,
 * no connection — so every translation is tested without a server.
 *
 * Validation is the shared one (`documents.ts`: declared fields, known operators, values of the
 * declared type), so a bad query fails the same way on every driver. Where MongoDB and the shared
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

/** A MongoDB update document (classic update operators only, never a pipeline). */
export interface MongoUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, ''>;
  $inc?: Record<string, number>;
  $max?: Record<string, number | Date>;
  $min?: Record<string, number | Date>;
  $push?: Record<string, unknown>;
}

/** A MongoDB sort: `[path, direction]` pairs in order (an array, so no key is ever reordered). */
export type MongoSort = [path: string, direction: 1 | -1][];

/** An index as `createIndexes` takes it. */
export interface MongoIndex {
  key: Record<string, 1>;
  name: string;
  unique?: true;
  partialFilterExpression?: Record<string, { $type: string }>;
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

/**
 * The stored path of a declared field (`id` is `_id`).
 * @param spec - the collection
 * @param field - a field named by a filter, sort, update or index
 * @returns the path in the stored document
 * @throws UndeclaredFieldError when the spec does not declare the field
 */
export function mongoPath(spec: CollectionSpec, field: string): string {
  if (field === 'id') return '_id';
  if (!Object.hasOwn(spec.fields, field)) throw new UndeclaredFieldError(spec.name, field);
  return field;
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
  const { id, ...rest } = cloneDoc(doc) as Doc & Record<string, unknown>;
  return { _id: id, ...rest };
}

/**
 * A stored document as the contract gives it back: `_id` becomes `id`.
 * @param stored - what MongoDB returned
 * @returns the document
 */
export function fromMongoDocument<T extends Doc>(stored: Record<string, unknown>): T {
  const { _id, ...rest } = stored;
  return { id: _id, ...rest } as unknown as T;
}

/**
 * Translates a contract update into a MongoDB update. `$set` of `undefined` becomes `$unset`.
 * @param spec - the collection (`$inc`/`$max`/`$min` fields are checked against it)
 * @param update - the contract's update
 * @returns the MongoDB update; `{}` when it changes nothing
 * @throws UndeclaredFieldError for an undeclared `$inc`/`$max`/`$min` field
 */
export function toMongoUpdate(spec: CollectionSpec, update: Update): MongoUpdate {
  assertUpdate(spec, update);
  const out: MongoUpdate = {};
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const [path, value] of Object.entries(update.$set ?? {})) {
    if (value === undefined) unset[path] = '';
    else set[path] = cloneDoc(value);
  }
  for (const path of update.$unset ?? []) unset[path] = '';
  const inc: Record<string, number> = {};
  for (const [field, by] of Object.entries(update.$inc ?? {})) if (by !== undefined) inc[mongoPath(spec, field)] = by;
  const max: Record<string, number | Date> = {};
  for (const [field, v] of Object.entries(update.$max ?? {})) if (v !== undefined) max[mongoPath(spec, field)] = cloneDoc(v);
  const min: Record<string, number | Date> = {};
  for (const [field, v] of Object.entries(update.$min ?? {})) if (v !== undefined) min[mongoPath(spec, field)] = cloneDoc(v);
  const push: Record<string, unknown> = {};
  for (const [path, v] of Object.entries(update.$push ?? {})) push[path] = v === undefined ? null : cloneDoc(v);
  if (Object.keys(set).length > 0) out.$set = set;
  if (Object.keys(unset).length > 0) out.$unset = unset;
  if (Object.keys(inc).length > 0) out.$inc = inc;
  if (Object.keys(max).length > 0) out.$max = max;
  if (Object.keys(min).length > 0) out.$min = min;
  if (Object.keys(push).length > 0) out.$push = push;
  return out;
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
      if (field !== 'id' && type !== undefined) partialFilterExpression[field] = { $type: BSON_TYPE[type] };
    }
    out.push({ key, name, unique: true, ...(Object.keys(partialFilterExpression).length > 0 ? { partialFilterExpression } : {}) });
  }
  return out;
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

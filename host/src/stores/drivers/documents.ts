/**
 * The document semantics every driver shares, as pure functions: spec and query validation, the
 * filter language ({@link matches}), updates ({@link applyUpdate}), sorting ({@link compareBy}),
 * copying ({@link cloneDoc}), the text encoding of documents ({@link encodeDoc}/{@link decodeDoc})
 * and keys for indexes ({@link indexKey}).
 *
 * The memory driver is built from these alone; the SQLite driver uses them for its read-modify-write
 * updates and its stored text; a driver that translates filters into its own query language (SQL,
 * MongoDB) must agree with {@link matches} and {@link compareBy}, which the driver conformance suite checks.
 *
 * Semantics beyond what `driver.ts` states:
 * - Values of different types are never equal and never in range of each other (`5` is not `'5'`,
 *   a `Date` equals a `Date` of the same instant only). Strings compare by code point (the order of
 *   their UTF-8 bytes, as SQLite and MongoDB compare them), not by UTF-16 code unit.
 * - When the value at a path is an array, a condition holds when it holds for some element
 *   (equality, `$in`, ranges, `null`); `$ne`/`$nin` hold when no element equals. Declare such a field
 *   with its element type. Paths walk through objects only (`a.b` with `a` an array is missing).
 * - Sorting orders missing/null first, then numbers, strings, booleans, dates (MongoDB's order);
 *   an array sorts by its smallest element ascending and its largest descending.
 * @module
 */
import { UndeclaredFieldError, textWords } from '../driver.js';
import type { CollectionSpec, Doc, FieldType, Filter, Operators, Scalar, Sort, Update } from '../driver.js';

const NAME = /^[a-z][a-z0-9_]*$/;
const FIELD_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'date', 'boolean']);
const OPERATORS: ReadonlySet<string> = new Set(['$eq', '$ne', '$in', '$nin', '$lt', '$lte', '$gt', '$gte', '$exists']);
const UPDATE_OPERATORS: ReadonlySet<string> = new Set(['$set', '$unset', '$inc', '$max', '$min', '$push']);

const hasOwn = Object.prototype.hasOwnProperty;

// ---------------------------------------------------------------------------------------------
// Paths

const splitCache = new Map<string, readonly string[]>();

/** Splits a dotted path, cached: the paths a program uses are few and used often. */
function segments(path: string): readonly string[] {
  let parts = splitCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Defines an own property, also for the key `__proto__` (which plain assignment would treat as the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * The value at a dotted path of a document (own properties of plain objects only).
 * @param doc - the document
 * @param path - e.g. `address.userId`
 * @returns the value, or undefined when a step is missing or not an object
 */
export function getPath(doc: unknown, path: string): unknown {
  if (path.indexOf('.') < 0) {
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && hasOwn.call(doc, path) ? (doc as Record<string, unknown>)[path] : undefined;
  }
  let current: unknown = doc;
  for (const key of segments(path)) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || current instanceof Date || !hasOwn.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Validation

function checkPath(spec: CollectionSpec, path: string, what: string): void {
  if (path.length === 0 || segments(path).some((s) => s.length === 0 || s.startsWith('$'))) {
    throw new Error(`${spec.name}: invalid ${what} path "${path}" (dotted, no empty or $-segments)`);
  }
}

function declaredType(spec: CollectionSpec, field: string): FieldType {
  if (field === 'id') return 'string';
  const type = hasOwn.call(spec.fields, field) ? spec.fields[field] : undefined;
  if (type === undefined) throw new UndeclaredFieldError(spec.name, field);
  return type;
}

/**
 * Checks a collection spec: its name, its declared fields and that every index names declared fields
 * (`id` is implicitly declared as a string).
 * @param spec - the spec
 * @throws UndeclaredFieldError when an index names an undeclared field; Error for anything else malformed
 */
export function checkSpec(spec: CollectionSpec): void {
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) throw new Error(`invalid collection name "${String(spec.name)}": expected [a-z][a-z0-9_]*`);
  for (const [field, type] of Object.entries(spec.fields)) {
    checkPath(spec, field, 'field');
    if (!FIELD_TYPES.has(type)) throw new Error(`${spec.name}: field "${field}" has unknown type "${String(type)}"`);
    if (field === 'id' && type !== 'string') throw new Error(`${spec.name}: "id" is always a string`);
    if (field.startsWith('id.')) throw new Error(`${spec.name}: "${field}" reaches into the id`);
  }
  for (const index of spec.indexes ?? []) {
    if (index.fields.length === 0) throw new Error(`${spec.name}: an index needs at least one field`);
    if (new Set(index.fields).size !== index.fields.length) throw new Error(`${spec.name}: index [${index.fields.join(', ')}] repeats a field`);
    for (const field of index.fields) declaredType(spec, field);
  }
  if (spec.text !== undefined) {
    if (spec.text.length === 0) throw new Error(`${spec.name}: "text" needs at least one path`);
    if (new Set(spec.text).size !== spec.text.length) throw new Error(`${spec.name}: "text" repeats a path`);
    for (const path of spec.text) {
      checkPath(spec, path, 'text');
      if (path === 'id' || path.startsWith('id.')) throw new Error(`${spec.name}: the id is not a text path`);
    }
  }
}

/**
 * The text a document holds at a spec's `text` paths: per path, its string value ('' otherwise).
 * @param doc - the document
 * @param spec - the collection (with `text` paths)
 * @returns one string per text path
 */
export function textValues(doc: unknown, spec: CollectionSpec): string[] {
  return (spec.text ?? []).map((path) => {
    const value = getPath(doc, path);
    return typeof value === 'string' ? value : '';
  });
}

/**
 * Whether a document holds every word (as {@link textWords} makes them) at its spec's text paths:
 * the contract's meaning of a search hit, which the memory driver applies by a scan.
 * @param doc - the document
 * @param spec - the collection
 * @param words - the search's words (already folded)
 */
export function textMatches(doc: unknown, spec: CollectionSpec, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const held = new Set(textValues(doc, spec).flatMap((value) => textWords(value)));
  return words.every((w) => held.has(w));
}

/**
 * Checks that a collection can be searched.
 * @param spec - the collection
 * @throws Error when it declares no `text` paths
 */
export function assertSearchable(spec: CollectionSpec): void {
  if (spec.text === undefined || spec.text.length === 0) throw new Error(`${spec.name}: search needs "text" paths in the collection's spec`);
}

function typeOfScalar(value: unknown): FieldType | undefined {
  switch (typeof value) {
    case 'string': return 'string';
    case 'number': return Number.isFinite(value) ? 'number' : undefined;
    case 'boolean': return 'boolean';
    default: return value instanceof Date && !Number.isNaN(value.getTime()) ? 'date' : undefined;
  }
}

function checkScalar(spec: CollectionSpec, field: string, type: FieldType, value: unknown, op: string): void {
  const actual = typeOfScalar(value);
  if (actual !== type) {
    throw new Error(`${spec.name}: ${op} on "${field}" compares with ${describe(value)}, but the field is declared as ${type}`);
  }
}

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Whether a filter entry is an operator object (rather than a value to compare with). */
function isOperators(value: unknown): value is Operators {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

/**
 * Checks a filter against a spec: only declared fields, known operators, values of the declared type.
 * @param spec - the collection's spec
 * @param filter - the filter
 * @throws UndeclaredFieldError for an undeclared field; Error for an unknown operator or a value of the wrong type
 */
export function assertFilter(spec: CollectionSpec, filter: Filter): void {
  for (const key in filter) {
    if (!hasOwn.call(filter, key)) continue;
    const value = filter[key];
    if (value === undefined) continue;
    if (key === '$or' || key === '$and') {
      if (!Array.isArray(value)) throw new Error(`${spec.name}: ${key} takes an array of filters`);
      for (const sub of value as readonly Filter[]) {
        if (!isPlainObject(sub)) throw new Error(`${spec.name}: ${key} takes an array of filters`);
        assertFilter(spec, sub);
      }
      continue;
    }
    if (key.startsWith('$')) throw new Error(`${spec.name}: unknown filter operator "${key}"`);
    const type = declaredType(spec, key);
    if (value === null) continue;
    if (!isOperators(value)) {
      checkScalar(spec, key, type, value, 'equality');
      continue;
    }
    if (!isPlainObject(value)) throw new Error(`${spec.name}: filter on "${key}" must be a value or an object of operators`);
    for (const op in value) {
      const arg = (value as Record<string, unknown>)[op];
      if (!OPERATORS.has(op)) throw new Error(`${spec.name}: unknown operator "${op}" on "${key}"`);
      if (arg === undefined) continue;
      switch (op) {
        case '$eq':
        case '$ne':
          if (arg !== null) checkScalar(spec, key, type, arg, op);
          break;
        case '$in':
        case '$nin':
          if (!Array.isArray(arg)) throw new Error(`${spec.name}: ${op} on "${key}" takes an array`);
          for (const item of arg) checkScalar(spec, key, type, item, op);
          break;
        case '$exists':
          if (typeof arg !== 'boolean') throw new Error(`${spec.name}: $exists on "${key}" takes a boolean`);
          break;
        default:
          checkScalar(spec, key, type, arg, op);
      }
    }
  }
}

/**
 * Checks a sort against a spec.
 * @param spec - the collection's spec
 * @param sort - the sort
 * @throws UndeclaredFieldError for an undeclared field; Error for a direction other than 1/-1
 */
export function assertSort(spec: CollectionSpec, sort: Sort): void {
  for (const entry of sort) {
    const [field, direction] = entry;
    declaredType(spec, field);
    if (direction !== 1 && direction !== -1) throw new Error(`${spec.name}: sort direction of "${field}" must be 1 or -1`);
  }
}

/**
 * Checks an update against a spec: `$inc`/`$max`/`$min` on declared fields of a fitting type, no
 * operator touching `id`, no path touched twice (`a` and `a.b` count as the same), valid paths.
 * @param spec - the collection's spec
 * @param update - the update
 * @throws UndeclaredFieldError for an undeclared `$inc`/`$max`/`$min` field; Error for anything else malformed
 */
export function assertUpdate(spec: CollectionSpec, update: Update): void {
  const touched: string[] = [];
  const touch = (path: string, op: string): void => {
    checkPath(spec, path, op);
    if (path === 'id' || path.startsWith('id.')) throw new Error(`${spec.name}: ${op} may not change the id`);
    for (const other of touched) {
      if (other === path || other.startsWith(`${path}.`) || path.startsWith(`${other}.`)) throw new Error(`${spec.name}: the update touches "${path}" and "${other}" together`);
    }
    touched.push(path);
  };
  for (const op in update) {
    if (!UPDATE_OPERATORS.has(op)) throw new Error(`${spec.name}: unknown update operator "${op}"`);
  }
  for (const path of Object.keys(update.$set ?? {})) touch(path, '$set');
  for (const path of Object.keys(update.$push ?? {})) touch(path, '$push');
  for (const path of update.$unset ?? []) touch(path, '$unset');
  for (const [path, by] of Object.entries(update.$inc ?? {})) {
    const type = declaredType(spec, path);
    touch(path, '$inc');
    if (type !== 'number') throw new Error(`${spec.name}: $inc on "${path}", declared as ${type}`);
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new Error(`${spec.name}: $inc on "${path}" by ${describe(by)}`);
  }
  for (const op of ['$max', '$min'] as const) {
    for (const [path, value] of Object.entries(update[op] ?? {})) {
      const type = declaredType(spec, path);
      touch(path, op);
      if (type !== 'number' && type !== 'date') throw new Error(`${spec.name}: ${op} on "${path}", declared as ${type}`);
      checkScalar(spec, path, type, value, op);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Compares two strings by code point (= UTF-8 byte order), as SQLite and MongoDB do. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800–DFFF) encode code points above U+FFFF, so they sort after U+E000–FFFF.
      if (x >= 0xd800 && y >= 0xd800) return codeUnitRank(x) - codeUnitRank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function codeUnitRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Equality of two scalars: same type, dates by instant. */
function equalScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
}

/** Compares two scalars of the same type; undefined when the types differ (not comparable). */
function compareScalar(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return undefined;
}

function anyOf(value: unknown, test: (v: unknown) => boolean): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (test(item)) return true;
    return false;
  }
  return test(value);
}

const isNullish = (v: unknown): boolean => v === undefined || v === null;

function matchesOperators(value: unknown, ops: Operators): boolean {
  for (const op in ops) {
    const arg = (ops as Record<string, unknown>)[op];
    if (arg === undefined) continue;
    switch (op) {
      case '$eq':
        if (!matchesEquality(value, arg as Scalar | null)) return false;
        break;
      case '$ne':
        if (matchesEquality(value, arg as Scalar | null)) return false;
        break;
      case '$in': {
        const list = arg as readonly Scalar[];
        if (!anyOf(value, (v) => list.some((x) => equalScalar(v, x)))) return false;
        break;
      }
      case '$nin': {
        const list = arg as readonly Scalar[];
        if (anyOf(value, (v) => list.some((x) => equalScalar(v, x)))) return false;
        break;
      }
      case '$exists':
        if (isNullish(value) === (arg as boolean)) return false;
        break;
      case '$lt':
        if (!anyOf(value, (v) => { const c = compareScalar(v, arg); return c !== undefined && c < 0; })) return false;
        break;
      case '$lte':
        if (!anyOf(value, (v) => { const c = compareScalar(v, arg); return c !== undefined && c <= 0; })) return false;
        break;
      case '$gt':
        if (!anyOf(value, (v) => { const c = compareScalar(v, arg); return c !== undefined && c > 0; })) return false;
        break;
      case '$gte':
        if (!anyOf(value, (v) => { const c = compareScalar(v, arg); return c !== undefined && c >= 0; })) return false;
        break;
      default:
        throw new Error(`unknown operator "${op}"`);
    }
  }
  return true;
}

function matchesEquality(value: unknown, arg: Scalar | null): boolean {
  if (arg === null) return isNullish(value) || (Array.isArray(value) && value.some((v) => v === null));
  return anyOf(value, (v) => equalScalar(v, arg));
}

/**
 * Whether a document matches a filter (see `driver.ts` and this module's notes for the semantics).
 * The filter is not validated here: call {@link assertFilter} once per operation.
 * @param doc - the document
 * @param filter - the filter
 * @param spec - the collection's spec
 * @returns whether every condition holds
 */
export function matches(doc: unknown, filter: Filter, spec: CollectionSpec): boolean {
  for (const key in filter) {
    const cond = filter[key];
    if (cond === undefined) continue;
    if (key === '$or') {
      const alternatives = cond as readonly Filter[];
      if (!alternatives.some((f) => matches(doc, f, spec))) return false;
      continue;
    }
    if (key === '$and') {
      if (!(cond as readonly Filter[]).every((f) => matches(doc, f, spec))) return false;
      continue;
    }
    const value = getPath(doc, key);
    if (isOperators(cond)) {
      if (!matchesOperators(value, cond)) return false;
    } else if (!matchesEquality(value, cond as Scalar | null)) {
      return false;
    }
  }
  return true;
}

type Rankable = { rank: number; value: unknown };

function sortValue(value: unknown, direction: 1 | -1): Rankable {
  if (Array.isArray(value)) {
    let best: Rankable | undefined;
    for (const item of value) {
      const r = sortValue(item, direction);
      if (best === undefined || compareRanked(r, best) * direction < 0) best = r;
    }
    return best ?? { rank: 0, value: undefined };
  }
  if (value === undefined || value === null) return { rank: 0, value: undefined };
  switch (typeof value) {
    case 'number': return { rank: 1, value };
    case 'string': return { rank: 2, value };
    case 'boolean': return { rank: 3, value };
    default: return value instanceof Date ? { rank: 4, value } : { rank: 5, value: undefined };
  }
}

function compareRanked(a: Rankable, b: Rankable): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  return compareScalar(a.value, b.value) ?? 0;
}

function compareValues(a: unknown, b: unknown, direction: 1 | -1): number {
  // Fast path for the common case: two values of one scalar type.
  const plain = compareScalar(a, b);
  if (plain !== undefined) return plain;
  return compareRanked(sortValue(a, direction), sortValue(b, direction));
}

/**
 * A comparator for a sort: fields in order, missing values first ascending, ties by `id` ascending.
 * The sort is not validated here: call {@link assertSort} once per operation.
 * @param sort - the sort
 * @param _spec - the collection's spec
 * @returns a comparator of documents
 */
export function compareBy(sort: Sort, _spec: CollectionSpec): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const [field, direction] of sort) {
      const c = compareValues(getPath(a, field), getPath(b, field), direction);
      if (c !== 0) return c * direction;
    }
    const x = getPath(a, 'id');
    const y = getPath(b, 'id');
    return typeof x === 'string' && typeof y === 'string' ? compareStrings(x, y) : 0;
  };
}

// ---------------------------------------------------------------------------------------------
// Copies and updates

function invalid(value: unknown, where: string): Error {
  return new TypeError(`a document holds only plain data (objects, arrays, strings, finite numbers, booleans, null, valid Dates): found ${describe(value)} at ${where || 'the root'}`);
}

/**
 * How deep a document may nest. Deeper data is refused with a clear error instead of overflowing
 * the stack in a copy or an encoding (the host's request schemas stop at 32 levels).
 */
export const MAX_DOCUMENT_DEPTH = 1_000;

function tooDeep(where: string): Error {
  return new TypeError(`a document nests at most ${MAX_DOCUMENT_DEPTH} levels deep: ${where.slice(0, 200)}… is deeper`);
}

/**
 * Where a value sits in a document, for error messages only: built into text when something is
 * wrong, so the copy and the encoding of a good document compose no path strings. A value is named
 * by its container's place and its own key (an index, a property name, or the dotted path of an
 * update at the top).
 */
interface Place { readonly parent: Place | undefined; readonly key: string | number | undefined }

function placeText(parent: Place | undefined, key: string | number | undefined): string {
  const above = parent === undefined ? '' : placeText(parent.parent, parent.key);
  if (key === undefined) return above;
  if (typeof key === 'number') return `${above}[${key}]`;
  return above ? `${above}.${key}` : key;
}

function cloneValue(value: unknown, parent: Place | undefined, key: string | number | undefined, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(value, placeText(parent, key));
      return value === 0 ? 0 : value; // -0 is 0
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_DOCUMENT_DEPTH) throw tooDeep(placeText(parent, key));
      if (Array.isArray(value)) {
        const here: Place = { parent, key };
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          out[i] = item === undefined ? null : cloneValue(item, here, i, depth + 1);
        }
        return out;
      }
      if (value instanceof Date) {
        const time = value.getTime();
        if (Number.isNaN(time)) throw invalid(value, placeText(parent, key));
        return new Date(time);
      }
      if (!isPlainObject(value)) throw invalid(value, placeText(parent, key));
      const here: Place = { parent, key };
      const out: Record<string, unknown> = {};
      for (const name in value) {
        if (!hasOwn.call(value, name)) continue;
        const item = value[name];
        if (item !== undefined) put(out, name, cloneValue(item, here, name, depth + 1));
      }
      return out;
    }
    default:
      throw invalid(value, placeText(parent, key));
  }
}

/**
 * A deep copy of plain data (objects, arrays, `Date`), dropping `undefined` members (an `undefined`
 * array element becomes `null`) and turning `-0` into `0`.
 * @param doc - the data
 * @returns the copy
 * @throws TypeError for anything that is not plain data (functions, class instances, non-finite numbers, invalid dates)
 */
export function cloneDoc<T>(doc: T): T {
  return cloneValue(doc, undefined, undefined) as T;
}

/** Update state: which objects of the result are already copies (may be mutated). */
class Draft {
  readonly fresh = new Set<object>();
  readonly root: Record<string, unknown>;
  constructor(doc: object) {
    this.root = { ...(doc as Record<string, unknown>) };
    this.fresh.add(this.root);
  }

  /** The parent object of a path's last segment, copied along the way; created when `create`. */
  parent(path: string, create: boolean): [Record<string, unknown>, string] | undefined {
    const parts = segments(path);
    let current = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts[i]!;
      const next = hasOwn.call(current, key) ? current[key] : undefined;
      let child: Record<string, unknown>;
      if (next === undefined || next === null) {
        if (!create) return undefined;
        child = {};
        this.fresh.add(child);
      } else if (isPlainObject(next)) {
        if (this.fresh.has(next)) child = next;
        else {
          child = { ...next };
          if (hasOwn.call(next, '__proto__')) put(child, '__proto__', next['__proto__']);
          this.fresh.add(child);
        }
      } else {
        throw new Error(`cannot update "${path}": "${parts.slice(0, i + 1).join('.')}" is ${describe(next)}, not an object`);
      }
      put(current, key, child);
      current = child;
    }
    return [current, parts[parts.length - 1]!];
  }

  set(path: string, value: unknown): void {
    const [target, key] = this.parent(path, true)!;
    put(target, key, value);
  }

  get(path: string): unknown {
    return getPath(this.root, path);
  }

  unset(path: string): void {
    const found = this.parent(path, false);
    if (found !== undefined && hasOwn.call(found[0], found[1])) delete found[0][found[1]];
  }
}

/**
 * Applies an update to a document. The input is never changed: the result shares unchanged parts
 * with it, so treat both as immutable (clone before handing either out).
 * The update is not validated here: call {@link assertUpdate} once per operation.
 * @param doc - the document
 * @param update - the update
 * @param spec - the collection's spec
 * @returns the updated document
 * @throws Error when a path runs through a non-object, `$inc` meets a non-number, `$max`/`$min`
 *   meet a value of another type or `$push` a non-array
 */
export function applyUpdate<T>(doc: T, update: Update, spec: CollectionSpec): T {
  const draft = new Draft(doc as object);
  const fail = (op: string, path: string, found: unknown): Error => new Error(`${spec.name}: ${op} on "${path}", which holds ${describe(found)}`);
  if (update.$set !== undefined) {
    for (const path of Object.keys(update.$set)) {
      const value = update.$set[path];
      if (value === undefined) draft.unset(path);
      else draft.set(path, cloneValue(value, undefined, path));
    }
  }
  for (const path of update.$unset ?? []) draft.unset(path);
  if (update.$inc !== undefined) {
    for (const path of Object.keys(update.$inc)) {
      const by = update.$inc[path]!;
      const current = draft.get(path);
      if (current === undefined || current === null) draft.set(path, by === 0 ? 0 : by);
      else if (typeof current === 'number') {
        const sum = current + by;
        if (!Number.isFinite(sum)) throw new Error(`${spec.name}: $inc on "${path}" overflows`);
        draft.set(path, sum === 0 ? 0 : sum);
      } else throw fail('$inc', path, current);
    }
  }
  for (const op of ['$max', '$min'] as const) {
    const entries = update[op];
    if (entries === undefined) continue;
    for (const path of Object.keys(entries)) {
      const value = entries[path]!;
      const current = draft.get(path);
      if (current === undefined || current === null) {
        draft.set(path, cloneValue(value, undefined, path));
        continue;
      }
      const c = compareScalar(value, current);
      if (c === undefined) throw fail(op, path, current);
      if (op === '$max' ? c > 0 : c < 0) draft.set(path, cloneValue(value, undefined, path));
    }
  }
  if (update.$push !== undefined) {
    for (const path of Object.keys(update.$push)) {
      const value = update.$push[path];
      const current = draft.get(path);
      const item = value === undefined ? null : cloneValue(value, undefined, path);
      if (current === undefined || current === null) draft.set(path, [item]);
      else if (Array.isArray(current)) draft.set(path, [...current, item]);
      else throw fail('$push', path, current);
    }
  }
  return draft.root as T;
}

// ---------------------------------------------------------------------------------------------
// Text encoding

function encodeValue(value: unknown, parent: Place | undefined, key: string | number | undefined, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw invalid(value, placeText(parent, key));
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_DOCUMENT_DEPTH) throw tooDeep(placeText(parent, key));
      if (Array.isArray(value)) {
        const here: Place = { parent, key };
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined ? 'null' : encodeValue(item, here, i, depth + 1);
        }
        return `${out}]`;
      }
      if (value instanceof Date) {
        const time = value.getTime();
        if (Number.isNaN(time)) throw invalid(value, placeText(parent, key));
        return `{"$date":"${value.toISOString()}"}`;
      }
      if (!isPlainObject(value)) throw invalid(value, placeText(parent, key));
      const here: Place = { parent, key };
      let out = '{';
      let first = true;
      for (const name in value) {
        if (!hasOwn.call(value, name)) continue;
        const item = value[name];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(name.startsWith('$') ? `$${name}` : name);
        out += ':';
        out += encodeValue(item, here, name, depth + 1);
      }
      return `${out}}`;
    }
    default:
      throw invalid(value, placeText(parent, key));
  }
}

/**
 * Encodes a document as JSON text: a `Date` becomes `{"$date":"<ISO>"}`, a key beginning with `$`
 * gets another `$` in front, so {@link decodeDoc} restores exactly what was given (minus `undefined` members).
 * @param doc - the document
 * @returns the JSON text
 * @throws TypeError for anything that is not plain data (non-finite numbers, invalid dates, class instances, functions)
 */
export function encodeDoc(doc: unknown): string {
  return encodeValue(doc, undefined, undefined);
}

function decodeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  let escaped = false;
  for (const key in obj) {
    if (key.charCodeAt(0) === 36 /* $ */) {
      if (key === '$date' && typeof obj[key] === 'string') {
        const date = new Date(obj[key]);
        if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${obj[key]}`);
        return date;
      }
      escaped = true;
    }
    put(obj, key, decodeValue(obj[key]));
  }
  if (!escaped) return obj;
  const out: Record<string, unknown> = {};
  for (const key in obj) put(out, key.charCodeAt(0) === 36 ? key.slice(1) : key, obj[key]);
  return out;
}

/**
 * Decodes what {@link encodeDoc} produced.
 * @param text - the JSON text
 * @returns the document
 * @throws SyntaxError when the text is not JSON
 */
export function decodeDoc<T>(text: string): T {
  return decodeValue(JSON.parse(text)) as T;
}

// ---------------------------------------------------------------------------------------------
// Index keys

function keyPart(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': return `s${value}`;
    case 'number': return `n${value === 0 ? 0 : value}`;
    case 'boolean': return value ? 'b1' : 'b0';
    case 'undefined': return undefined;
    default:
      if (value === null) return undefined;
      if (value instanceof Date) return `d${value.getTime()}`;
      return `j${encodeDoc(value)}`;
  }
}

/**
 * A stable key for the values of an index's fields, equal for equal values (dates by instant, `-0`
 * as `0`) and different for values of different types.
 * @param values - the values, in the index's field order
 * @returns the key, or undefined when a value is missing or null (such documents are not indexed)
 */
export function indexKey(values: readonly unknown[]): string | undefined {
  if (values.length === 1) return keyPart(values[0]);
  const parts: string[] = [];
  for (const value of values) {
    const part = keyPart(value);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return JSON.stringify(parts);
}

/** Convenience for drivers: whether `doc` is a document (an object with a string id). */
export function isDoc(doc: unknown): doc is Doc {
  return isPlainObject(doc) && typeof doc['id'] === 'string';
}

/**
 * The collection a driver already made for a spec's name, checking the two declarations agree; or
 * undefined (after checking the new spec) when there is none yet. Every driver's `collection()`
 * starts here, so a name means the same collection on every driver.
 * @param collections - the driver's collections by name
 * @param spec - the spec asked for
 * @returns the existing collection, or undefined when the driver must create it
 * @throws Error when the spec is malformed or differs from the one the name was first declared with
 */
export function declaredCollection<C extends { readonly spec: CollectionSpec }>(collections: ReadonlyMap<string, C>, spec: CollectionSpec): C | undefined {
  const existing = collections.get(spec.name);
  if (existing === undefined) {
    checkSpec(spec);
    return undefined;
  }
  const canon = (s: CollectionSpec): string => JSON.stringify([
    Object.entries(s.fields).sort(([x], [y]) => compareStrings(x, y)),
    (s.indexes ?? []).map((i) => [i.fields, i.unique === true]),
    s.text ?? [],
  ]);
  if (canon(existing.spec) !== canon(spec)) throw new Error(`collection "${spec.name}" is declared twice with different fields, indexes or text paths`);
  return existing;
}

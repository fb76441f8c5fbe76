/**
 * The memory driver: documents in maps, for unit tests and the host's explicit ephemeral mode.
 * Nothing survives the process. Every declared index is kept as a hash map, so unique checks are
 * O(1) and a find that pins every field of an index with equality (or `$in`) reads only its matches.
 * @module
 */
import { StorageError, UniqueViolationError } from '../driver.js';
import type { Collection, CollectionSpec, Doc, DriverCapabilities, Filter, FindOptions, IndexSpec, Operators, Sort, StorageDriver, Update } from '../driver.js';
import { applyUpdate, assertFilter, assertSort, assertUpdate, checkSpec, cloneDoc, compareBy, getPath, indexKey, matches } from './documents.js';

/** How many combinations of pinned values a find looks up through an index before it scans instead. */
const MAX_LOOKUPS = 256;

/** One declared index: its key → the ids of the documents holding it. */
class MemoryIndex {
  readonly fields: readonly string[];
  readonly unique: boolean;
  /** For a unique index, the one id holding each key. */
  readonly owners = new Map<string, string>();
  /** For a non-unique index, the ids holding each key. */
  readonly members = new Map<string, Set<string>>();

  constructor(spec: IndexSpec) {
    this.fields = spec.fields;
    this.unique = spec.unique === true;
  }

  /**
   * The keys of a document. A field holding an array is indexed by each element (as MongoDB's
   * multikey indexes), so equality on an element finds it; no key when a field is missing or null.
   */
  keys(doc: unknown): string[] {
    let combos: unknown[][] = [[]];
    for (const field of this.fields) {
      const value = getPath(doc, field);
      if (value === undefined || value === null) return [];
      const options = Array.isArray(value) ? [...new Set(value.filter((v) => v !== null && v !== undefined))] : [value];
      const next: unknown[][] = [];
      for (const combo of combos) for (const option of options) next.push([...combo, option]);
      combos = next;
    }
    const keys = new Set<string>();
    for (const combo of combos) {
      const key = indexKey(combo);
      if (key !== undefined) keys.add(key);
    }
    return [...keys];
  }

  add(id: string, keys: readonly string[]): void {
    for (const key of keys) {
      if (this.unique) this.owners.set(key, id);
      else {
        let set = this.members.get(key);
        if (set === undefined) this.members.set(key, (set = new Set()));
        set.add(id);
      }
    }
  }

  remove(id: string, keys: readonly string[]): void {
    for (const key of keys) {
      if (this.unique) {
        if (this.owners.get(key) === id) this.owners.delete(key);
      } else {
        const set = this.members.get(key);
        if (set !== undefined && set.delete(id) && set.size === 0) this.members.delete(key);
      }
    }
  }

  /** Whether a key is held by a document other than `id`. */
  taken(key: string, id: string): boolean {
    const owner = this.owners.get(key);
    return owner !== undefined && owner !== id;
  }

  /** The ids holding a key. */
  lookup(key: string): Iterable<string> {
    if (this.unique) {
      const owner = this.owners.get(key);
      return owner === undefined ? [] : [owner];
    }
    return this.members.get(key) ?? [];
  }

  /** How many ids a lookup of these keys visits at most (to choose the best index). */
  cost(keys: readonly string[]): number {
    let n = 0;
    for (const key of keys) n += this.unique ? (this.owners.has(key) ? 1 : 0) : (this.members.get(key)?.size ?? 0);
    return n;
  }

  clear(): void {
    this.owners.clear();
    this.members.clear();
  }
}

/** The values a filter pins a field to by plain equality or `$in`, or undefined. */
function pinned(filter: Filter, field: string): readonly unknown[] | undefined {
  const cond = filter[field];
  if (cond === undefined || cond === null) return undefined;
  if (typeof cond !== 'object' || cond instanceof Date) return [cond];
  if (Array.isArray(cond)) return undefined;
  let values: readonly unknown[] | undefined;
  for (const op in cond) {
    const arg = (cond as Record<string, unknown>)[op];
    if (arg === undefined) continue;
    if (values !== undefined) return undefined; // more than one operator: let matches() decide
    if (op === '$eq' && arg !== null) values = [arg];
    else if (op === '$in') values = arg as readonly unknown[];
    else return undefined;
  }
  return values;
}

/** Every combination of the pinned values of some fields, as index keys; undefined when there are too many. */
function pinnedKeys(filter: Filter, fields: readonly string[]): string[] | undefined {
  let combos: unknown[][] = [[]];
  for (const field of fields) {
    const values = pinned(filter, field);
    if (values === undefined || combos.length * values.length > MAX_LOOKUPS) return undefined;
    const next: unknown[][] = [];
    for (const combo of combos) for (const value of values) next.push([...combo, value]);
    combos = next;
  }
  const keys = new Set<string>();
  for (const combo of combos) {
    const key = indexKey(combo);
    if (key !== undefined) keys.add(key);
  }
  return [...keys];
}

class MemoryCollection<T extends Doc> implements Collection<T> {
  private readonly docs = new Map<string, T>();
  private readonly indexes: MemoryIndex[];
  private readonly uniques: MemoryIndex[];

  constructor(readonly spec: CollectionSpec, private readonly driver: MemoryDriver) {
    this.indexes = (spec.indexes ?? []).map((index) => new MemoryIndex(index));
    this.uniques = this.indexes.filter((index) => index.unique);
  }

  async insert(doc: T): Promise<boolean> {
    this.driver.assertOpen();
    return this.add(this.own(doc));
  }

  async insertMany(docs: readonly T[]): Promise<boolean[]> {
    this.driver.assertOpen();
    const copies = docs.map((doc) => this.own(doc)); // all valid before any is inserted
    return copies.map((doc) => this.add(doc));
  }

  async get(id: string): Promise<T | undefined> {
    this.driver.assertOpen();
    const doc = this.docs.get(id);
    return doc === undefined ? undefined : cloneDoc(doc);
  }

  async findOne(filter: Filter, options?: { sort?: Sort }): Promise<T | undefined> {
    this.driver.assertOpen();
    const [doc] = this.select(filter, options?.sort, 0, 1);
    return doc === undefined ? undefined : cloneDoc(doc);
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.driver.assertOpen();
    const { offset = 0, limit } = options;
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`${this.spec.name}: offset must be a non-negative integer`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`${this.spec.name}: limit must be a non-negative integer`);
    return this.select(filter, options.sort, offset, limit).map((doc) => cloneDoc(doc));
  }

  async count(filter: Filter): Promise<number> {
    this.driver.assertOpen();
    assertFilter(this.spec, filter);
    let n = 0;
    for (const doc of this.candidates(filter)) if (matches(doc, filter, this.spec)) n++;
    return n;
  }

  async updateOne(filter: Filter, update: Update, options?: { sort?: Sort }): Promise<T | undefined> {
    this.driver.assertOpen();
    assertUpdate(this.spec, update);
    const [doc] = this.select(filter, options?.sort, 0, 1);
    if (doc === undefined) return undefined;
    const next = applyUpdate(doc, update, this.spec);
    this.replace([[doc, next]]);
    return cloneDoc(next);
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    this.driver.assertOpen();
    assertUpdate(this.spec, update);
    const docs = this.select(filter, undefined, 0, undefined);
    this.replace(docs.map((doc) => [doc, applyUpdate(doc, update, this.spec)]));
    return docs.length;
  }

  async replaceOne(filter: Filter, doc: T): Promise<boolean> {
    this.driver.assertOpen();
    assertFilter(this.spec, filter);
    const next = this.own(doc);
    const current = this.docs.get(next.id);
    if (current === undefined || !matches(current, filter, this.spec)) return false;
    this.replace([[current, next]]);
    return true;
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.driver.assertOpen();
    const docs = this.select(filter, undefined, 0, undefined);
    for (const doc of docs) {
      this.docs.delete(doc.id);
      for (const index of this.indexes) index.remove(doc.id, index.keys(doc));
    }
    return docs.length;
  }

  /** Empties the collection. */
  clear(): void {
    this.docs.clear();
    for (const index of this.indexes) index.clear();
  }

  /** A validated private copy of a document the caller gave. */
  private own(doc: T): T {
    if (typeof doc !== 'object' || doc === null || typeof (doc as { id?: unknown }).id !== 'string') {
      throw new TypeError(`${this.spec.name}: a document needs a string id`);
    }
    return cloneDoc(doc);
  }

  private add(doc: T): boolean {
    if (this.docs.has(doc.id)) return false;
    const keys = this.indexes.map((index) => index.keys(doc));
    for (let i = 0; i < this.indexes.length; i++) {
      const index = this.indexes[i]!;
      if (index.unique && keys[i]!.some((key) => index.owners.has(key))) return false;
    }
    this.docs.set(doc.id, doc);
    this.indexes.forEach((index, i) => index.add(doc.id, keys[i]!));
    return true;
  }

  /**
   * Replaces stored documents by new versions (same ids), all or none: when a new version would
   * take a unique key held by another document (or by another new version), nothing changes.
   */
  private replace(pairs: readonly (readonly [T, T])[]): void {
    if (pairs.length === 0) return;
    const old = pairs.map(([before]) => this.indexes.map((index) => index.keys(before)));
    const fresh = pairs.map(([, after]) => this.indexes.map((index) => index.keys(after)));
    for (let p = 0; p < pairs.length; p++) {
      for (let i = 0; i < this.indexes.length; i++) this.indexes[i]!.remove(pairs[p]![0].id, old[p]![i]!);
    }
    const claimed = new Map<MemoryIndex, Set<string>>();
    for (let p = 0; p < pairs.length; p++) {
      const id = pairs[p]![1].id;
      for (let i = 0; i < this.indexes.length; i++) {
        const index = this.indexes[i]!;
        if (!index.unique) continue;
        let seen = claimed.get(index);
        if (seen === undefined) claimed.set(index, (seen = new Set()));
        for (const key of fresh[p]![i]!) {
          if (index.taken(key, id) || seen.has(key)) {
            for (let q = 0; q < pairs.length; q++) {
              for (let j = 0; j < this.indexes.length; j++) this.indexes[j]!.add(pairs[q]![0].id, old[q]![j]!);
            }
            throw new UniqueViolationError(this.spec.name, index.fields);
          }
          seen.add(key);
        }
      }
    }
    for (let p = 0; p < pairs.length; p++) {
      const after = pairs[p]![1];
      this.docs.set(after.id, after);
      for (let i = 0; i < this.indexes.length; i++) this.indexes[i]!.add(after.id, fresh[p]![i]!);
    }
  }

  /** The stored documents (not copies) matching a filter, sorted, sliced. */
  private select(filter: Filter, sort: Sort | undefined, offset: number, limit: number | undefined): T[] {
    assertFilter(this.spec, filter);
    if (sort !== undefined) assertSort(this.spec, sort);
    if (limit === 0) return [];
    const wanted = limit === undefined ? Infinity : offset + limit;
    if (sort === undefined) {
      // No order asked for: insertion order (or the index's), stopping as soon as enough matched.
      const out: T[] = [];
      for (const doc of this.candidates(filter)) {
        if (!matches(doc, filter, this.spec)) continue;
        out.push(doc);
        if (out.length >= wanted) break;
      }
      return offset === 0 ? out : out.slice(offset);
    }
    const compare = compareBy(sort, this.spec);
    if (wanted === Infinity) {
      const out: T[] = [];
      for (const doc of this.candidates(filter)) if (matches(doc, filter, this.spec)) out.push(doc);
      return out.sort(compare).slice(offset);
    }
    // Keep only the first `wanted` in order (sorted insertion): a lease of a few from thousands stays cheap.
    const top: T[] = [];
    for (const doc of this.candidates(filter)) {
      if (!matches(doc, filter, this.spec)) continue;
      if (top.length >= wanted && compare(doc, top[top.length - 1]!) >= 0) continue;
      let lo = 0;
      let hi = top.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compare(top[mid]!, doc) <= 0) lo = mid + 1;
        else hi = mid;
      }
      top.splice(lo, 0, doc);
      if (top.length > wanted) top.pop();
    }
    return top.slice(offset);
  }

  /** The documents a filter may match: through the id or the most selective fully pinned index, else all. */
  private candidates(filter: Filter): Iterable<T> {
    const ids = pinned(filter, 'id');
    if (ids !== undefined) return this.byIds(ids.filter((id): id is string => typeof id === 'string'));
    let best: { index: MemoryIndex; keys: string[]; cost: number } | undefined;
    for (const index of this.indexes) {
      const keys = pinnedKeys(filter, index.fields);
      if (keys === undefined) continue;
      const cost = index.cost(keys);
      if (best === undefined || cost < best.cost) best = { index, keys, cost };
    }
    if (best === undefined) return this.docs.values();
    const found = new Set<string>();
    for (const key of best.keys) for (const id of best.index.lookup(key)) found.add(id);
    return this.byIds(found);
  }

  private *byIds(ids: Iterable<string>): Iterable<T> {
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc !== undefined) yield doc;
    }
  }
}

function sameSpec(a: CollectionSpec, b: CollectionSpec): boolean {
  const canon = (s: CollectionSpec): string => JSON.stringify([
    Object.entries(s.fields).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    (s.indexes ?? []).map((i) => [i.fields, i.unique === true]),
  ]);
  return canon(a) === canon(b);
}

/**
 * A {@link StorageDriver} keeping documents in memory (not durable, not shared between processes).
 * @example
 * ```ts
 * const driver = new MemoryDriver();
 * const users = driver.collection<{ id: string; name: string }>({ name: 'users', fields: { name: 'string' } });
 * await users.insert({ id: 'u1', name: 'Ada' });
 * ```
 */
export class MemoryDriver implements StorageDriver {
  readonly kind = 'memory';
  readonly capabilities: DriverCapabilities = { durable: false, shared: false, backup: false };
  private readonly collections = new Map<string, MemoryCollection<Doc>>();
  private closed = false;

  /**
   * The collection of a spec; the same collection for the same name.
   * @throws Error when the spec is malformed or differs from the one the name was first declared with
   */
  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    this.assertOpen();
    const existing = this.collections.get(spec.name);
    if (existing !== undefined) {
      if (!sameSpec(existing.spec, spec)) throw new Error(`collection "${spec.name}" is declared twice with different fields or indexes`);
      return existing as unknown as Collection<T>;
    }
    checkSpec(spec);
    const created = new MemoryCollection<Doc>(cloneDoc(spec), this);
    this.collections.set(spec.name, created);
    return created as unknown as Collection<T>;
  }

  /** Resolves while the driver is open. */
  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Deletes every document of every collection. */
  async clear(): Promise<void> {
    this.assertOpen();
    for (const collection of this.collections.values()) collection.clear();
  }

  /** Drops every document; the driver cannot be used afterwards. */
  async close(): Promise<void> {
    for (const collection of this.collections.values()) collection.clear();
    this.collections.clear();
    this.closed = true;
  }

  /**
   * @internal Throws when the driver is closed.
   * @throws StorageError (`unavailable`) after {@link MemoryDriver.close}
   */
  assertOpen(): void {
    if (this.closed) throw new StorageError('unavailable', 'memory', 'the storage driver is closed');
  }
}

/**
 * The memory driver: documents in maps, for unit tests and the host's explicit ephemeral mode.
 * Nothing survives the process. Every declared index is kept in hash maps: unique checks are O(1),
 * and a find that pins a prefix of an index's fields with equality (or `$in`) reads only the
 * documents under that prefix (the whole key, for a unique index) instead of scanning the collection.
 * @module
 */
import { StorageError, UniqueViolationError, searchWords } from '../driver.js';
import type { Collection, CollectionSpec, Doc, DriverCapabilities, Filter, FindOptions, IndexSpec, LinkedUpdate, Sort, StorageDriver, Update } from '../driver.js';
import { applyUpdate, assertFilter, assertSort, assertUpdate, declaredCollection, cloneDoc, compareBy, getPath, indexKey, matches, assertSearchable, textMatches } from './documents.js';

/** How many combinations of pinned values a find looks up through an index before it scans instead. */
const MAX_LOOKUPS = 256;

/** The key parts of one index entry, one per field of the index. */
type Path = readonly string[];

/** A node of a non-unique index: one per distinct prefix of the entries' paths. */
interface Node {
  /** Entries below (a document with array values may count several times). */
  count: number;
  children: Map<string, Node> | undefined;
  /** At the last field: the ids holding this path. */
  ids: Set<string> | undefined;
}

/** The index part of a missing or null value (indexKey never produces it: it is not JSON). */
const MISSING = '\u0000missing';

const newNode = (): Node => ({ count: 0, children: undefined, ids: undefined });

/**
 * One declared index. A unique index is a map from the whole key to the one id holding it; a
 * non-unique index is a tree keyed field by field, so a find that pins a prefix of its fields
 * (e.g. tenant and status of `[tenantId, status, notBefore]`) reads only the documents under that prefix.
 */
class MemoryIndex {
  readonly fields: readonly string[];
  readonly unique: boolean;
  private readonly owners = new Map<string, string>();
  private readonly root: Node = newNode();

  constructor(spec: IndexSpec) {
    this.fields = spec.fields;
    this.unique = spec.unique === true;
  }

  /**
   * The entries of a document. A field holding an array is indexed by each element (as MongoDB's
   * multikey indexes), so equality on an element finds it. A missing or null field: no entry in a
   * unique index, the {@link MISSING} part in a non-unique one.
   */
  paths(doc: unknown): Path[] {
    let paths: string[][] = [[]];
    for (const field of this.fields) {
      const value = getPath(doc, field);
      const parts = new Set<string>();
      for (const item of Array.isArray(value) ? value : [value]) {
        const part = indexKey([item]);
        if (part !== undefined) parts.add(part);
      }
      if (parts.size === 0) {
        // a unique index holds no entry for a document missing a field (it never conflicts); a
        // non-unique one still files it, under a part no pinned value produces, so a find pinning
        // only the fields before this one still reaches it
        if (this.unique) return [];
        parts.add(MISSING);
      }
      const next: string[][] = [];
      for (const path of paths) for (const part of parts) next.push([...path, part]);
      paths = next;
    }
    return paths;
  }

  add(id: string, paths: readonly Path[]): void {
    for (const path of paths) {
      if (this.unique) {
        this.owners.set(flat(path), id);
        continue;
      }
      const trail: Node[] = [this.root];
      let node = this.root;
      for (const part of path) {
        node.children ??= new Map();
        let child = node.children.get(part);
        if (child === undefined) node.children.set(part, (child = newNode()));
        node = child;
        trail.push(node);
      }
      node.ids ??= new Set();
      if (node.ids.has(id)) continue;
      node.ids.add(id);
      for (const n of trail) n.count++;
    }
  }

  remove(id: string, paths: readonly Path[]): void {
    for (const path of paths) {
      if (this.unique) {
        const key = flat(path);
        if (this.owners.get(key) === id) this.owners.delete(key);
        continue;
      }
      const trail: Node[] = [this.root];
      let node: Node | undefined = this.root;
      for (const part of path) {
        node = node.children?.get(part);
        if (node === undefined) break;
        trail.push(node);
      }
      if (node === undefined || node.ids?.delete(id) !== true) continue;
      for (const n of trail) n.count--;
      for (let i = trail.length - 1; i > 0; i--) {
        if (trail[i]!.count === 0) trail[i - 1]!.children?.delete(path[i - 1]!);
      }
    }
  }

  /** Whether a unique entry is held by a document other than `id`. */
  taken(path: Path, id: string): boolean {
    const owner = this.owners.get(flat(path));
    return owner !== undefined && owner !== id;
  }

  /** Whether a unique entry is held by any document. */
  held(path: Path): boolean {
    return this.owners.has(flat(path));
  }

  /**
   * How to read the documents under some pinned prefixes: their number at most, and the reader.
   * @returns undefined when this index cannot serve them (a unique index needs every field pinned)
   */
  lookup(prefixes: readonly Path[]): { cost: number; ids: () => Iterable<string> } | undefined {
    if (this.unique) {
      if (prefixes.some((p) => p.length !== this.fields.length)) return undefined;
      const ids = prefixes.map((p) => this.owners.get(flat(p))).filter((id): id is string => id !== undefined);
      return { cost: ids.length, ids: () => ids };
    }
    const nodes: Node[] = [];
    for (const prefix of prefixes) {
      let node: Node | undefined = this.root;
      for (const part of prefix) node = node?.children?.get(part);
      if (node !== undefined) nodes.push(node);
    }
    return { cost: nodes.reduce((n, node) => n + node.count, 0), ids: () => collect(nodes) };
  }

  clear(): void {
    this.owners.clear();
    this.root.children = undefined;
    this.root.count = 0;
  }
}

function flat(path: Path): string {
  return path.length === 1 ? path[0]! : JSON.stringify(path);
}

/** The ids under some index nodes, each once. */
function collect(nodes: readonly Node[]): Set<string> {
  const out = new Set<string>();
  const stack = [...nodes];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.ids !== undefined) for (const id of node.ids) out.add(id);
    if (node.children !== undefined) for (const child of node.children.values()) stack.push(child);
  }
  return out;
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

/**
 * The longest prefix of an index's fields the filter pins, as every combination of the pinned
 * values; undefined when no field is pinned or there are too many combinations.
 */
function pinnedPrefixes(filter: Filter, fields: readonly string[]): Path[] | undefined {
  let combos: string[][] = [[]];
  for (const field of fields) {
    const values = pinned(filter, field);
    if (values === undefined) break;
    if (combos.length * values.length > MAX_LOOKUPS) return undefined;
    const parts = [...new Set(values.map((v) => indexKey([v])).filter((k): k is string => k !== undefined))];
    const next: string[][] = [];
    for (const combo of combos) for (const part of parts) next.push([...combo, part]);
    combos = next;
  }
  return combos.length > 0 && combos[0]!.length === 0 ? undefined : combos;
}

class MemoryCollection<T extends Doc> implements Collection<T> {
  private readonly docs = new Map<string, T>();
  private readonly indexes: MemoryIndex[];

  constructor(readonly spec: CollectionSpec, private readonly driver: MemoryDriver) {
    this.indexes = (spec.indexes ?? []).map((index) => new MemoryIndex(index));
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
    return this.updateNow(filter, update, options?.sort)?.[1];
  }

  /**
   * @internal `updateOne` done synchronously.
   * @returns the stored document before and a copy of it after, or undefined when none matched
   */
  updateNow(filter: Filter, update: Update, sort?: Sort): [before: T, after: T] | undefined {
    assertUpdate(this.spec, update);
    const [doc] = this.select(filter, sort, 0, 1);
    if (doc === undefined) return undefined;
    const next = applyUpdate(doc, update, this.spec);
    this.replace([[doc, next]]);
    return [doc, cloneDoc(next)];
  }

  /** @internal Puts back the version of a document an {@link MemoryCollection.updateNow} replaced. */
  restore(before: T): void {
    const current = this.docs.get(before.id);
    if (current !== undefined) this.replace([[current, before]]);
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

  /** A scan: every candidate of the filter is checked for the words (see {@link textMatches}). */
  async search(text: string, filter: Filter, options: FindOptions = {}): Promise<T[]> {
    this.driver.assertOpen();
    assertSearchable(this.spec);
    const { offset = 0, limit } = options;
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`${this.spec.name}: offset must be a non-negative integer`);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`${this.spec.name}: limit must be a non-negative integer`);
    const words = searchWords(text);
    if (words.length === 0) {
      assertFilter(this.spec, filter);
      return [];
    }
    return this.select(filter, options.sort, offset, limit, (doc) => textMatches(doc, this.spec, words)).map((doc) => cloneDoc(doc));
  }

  async deleteMany(filter: Filter): Promise<number> {
    this.driver.assertOpen();
    const docs = this.select(filter, undefined, 0, undefined);
    for (const doc of docs) {
      this.docs.delete(doc.id);
      for (const index of this.indexes) index.remove(doc.id, index.paths(doc));
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
    const keys = this.indexes.map((index) => index.paths(doc));
    for (let i = 0; i < this.indexes.length; i++) {
      const index = this.indexes[i]!;
      if (index.unique && keys[i]!.some((path) => index.held(path))) return false;
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
    const old = pairs.map(([before]) => this.indexes.map((index) => index.paths(before)));
    const fresh = pairs.map(([, after]) => this.indexes.map((index) => index.paths(after)));
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
        for (const path of fresh[p]![i]!) {
          const key = JSON.stringify(path);
          if (index.taken(path, id) || seen.has(key)) {
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
  private select(filter: Filter, sort: Sort | undefined, offset: number, limit: number | undefined, also?: (doc: T) => boolean): T[] {
    assertFilter(this.spec, filter);
    if (sort !== undefined) assertSort(this.spec, sort);
    if (limit === 0) return [];
    const wanted = limit === undefined ? Infinity : offset + limit;
    if (sort === undefined) {
      // No order asked for: insertion order (or the index's), stopping as soon as enough matched.
      const out: T[] = [];
      for (const doc of this.candidates(filter)) {
        if (!(matches(doc, filter, this.spec) && (also === undefined || also(doc)))) continue;
        out.push(doc);
        if (out.length >= wanted) break;
      }
      return offset === 0 ? out : out.slice(offset);
    }
    const compare = compareBy(sort, this.spec);
    if (wanted === Infinity) {
      const out: T[] = [];
      for (const doc of this.candidates(filter)) if ((matches(doc, filter, this.spec) && (also === undefined || also(doc)))) out.push(doc);
      return out.sort(compare).slice(offset);
    }
    // Keep only the first `wanted` in order (sorted insertion): a lease of a few from thousands stays cheap.
    const top: T[] = [];
    for (const doc of this.candidates(filter)) {
      if (!(matches(doc, filter, this.spec) && (also === undefined || also(doc)))) continue;
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
    let best: { cost: number; ids: () => Iterable<string> } | undefined;
    for (const index of this.indexes) {
      const prefixes = pinnedPrefixes(filter, index.fields);
      if (prefixes === undefined) continue;
      const found = index.lookup(prefixes);
      if (found !== undefined && (best === undefined || found.cost < best.cost)) best = found;
    }
    return best === undefined ? this.docs.values() : this.byIds(best.ids());
  }

  private *byIds(ids: Iterable<string>): Iterable<T> {
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc !== undefined) yield doc;
    }
  }
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
  /** `updateTogether` runs in one synchronous step, undone when an update fails. */
  readonly transactional = true;
  private readonly collections = new Map<string, MemoryCollection<Doc>>();
  private closed = false;

  /**
   * The collection of a spec; the same collection for the same name.
   * @throws Error when the spec is malformed or differs from the one the name was first declared with
   */
  collection<T extends Doc>(spec: CollectionSpec): Collection<T> {
    this.assertOpen();
    const existing = declaredCollection(this.collections, spec);
    if (existing !== undefined) return existing as unknown as Collection<T>;
    const created = new MemoryCollection<Doc>(cloneDoc(spec), this);
    this.collections.set(spec.name, created);
    return created as unknown as Collection<T>;
  }

  /**
   * Applies the updates in one synchronous step (nothing else runs in between); when one throws, the
   * earlier ones are put back.
   */
  async updateTogether(updates: readonly LinkedUpdate[]): Promise<(Doc | undefined)[]> {
    this.assertOpen();
    const collections = updates.map((u) => this.collection(u.collection) as unknown as MemoryCollection<Doc>);
    const done: [MemoryCollection<Doc>, Doc][] = [];
    const after: (Doc | undefined)[] = [];
    try {
      updates.forEach((u, i) => {
        const changed = collections[i]!.updateNow(u.filter, u.update);
        if (changed) done.push([collections[i]!, changed[0]]);
        after.push(changed?.[1]);
      });
    } catch (err) {
      for (const [collection, before] of done.reverse()) collection.restore(before);
      throw err;
    }
    return after;
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

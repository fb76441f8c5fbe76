/**
 * What the document stores share: their options, hidden bookkeeping fields, time-range filters,
 * a ledger sequence and a keyset scan. Everything here works on the {@link StorageDriver} contract
 * only, so it behaves the same on every driver.
 * @module
 */
import type { Collection, Doc, Filter, Sort, Update } from './driver.js';
import type { TimeRange } from './stores.js';

/** Options every document store takes. */
export interface DocumentStoreOptions {
  /**
   * The clock for bookkeeping times the store sets itself (`updatedAt` of a status change, the
   * ledger sequence), in ms. Default `Date.now`.
   */
  now?: () => number;
}

/**
 * Removes bookkeeping fields a store keeps beside a record (they are never part of what callers see).
 * The driver hands out fresh copies, so the document is changed in place.
 * @param doc - a document as the driver returned it
 * @param hidden - the fields to drop
 * @returns the record
 */
export function withoutHidden<T>(doc: object, hidden: readonly string[]): T {
  const record = doc as Record<string, unknown>;
  for (const field of hidden) delete record[field];
  return record as T;
}

/**
 * A filter for `from <= field < to` (either bound may be missing).
 * @param field - a declared date field
 * @param range - the bounds
 * @returns the filter entries (empty when there is no bound)
 */
export function timeRange(field: string, range: Partial<TimeRange>): Filter {
  const ops: { $gte?: Date; $lt?: Date } = {};
  if (range.from !== undefined) ops.$gte = range.from;
  if (range.to !== undefined) ops.$lt = range.to;
  return ops.$gte !== undefined || ops.$lt !== undefined ? { [field]: ops } : {};
}

/**
 * A filter no document matches (for an empty list of alternatives).
 * @returns the filter
 */
export function matchNothing(): Filter {
  return { id: { $in: [] } };
}

/**
 * The ledger sequence: the order of appends among entries with the same time. Values are
 * `max(last + 1, now × 1000)`, so they strictly increase within a process and follow the clock
 * across processes and restarts; the first value of a store continues after the largest stored
 * one (read once, through an index on `seq`), so a clock set back after a restart does not reorder
 * the ledger. Two processes appending in the same millisecond may draw the same value: the
 * document id then decides, so the order is still total and stable.
 */
export class LedgerSequence {
  private last = 0;
  private seeded: Promise<void> | undefined;

  /**
   * @param collection - the ledger's collection (declares a number field `seq`, indexed)
   * @param now - the clock in ms
   */
  constructor(private readonly collection: Collection<Doc & { seq?: number }>, private readonly now: () => number) {}

  /** @returns the next sequence value */
  async next(): Promise<number> {
    this.seeded ??= this.collection.findOne({}, { sort: [['seq', -1]] }).then((top) => { this.last = Math.max(this.last, top?.seq ?? 0); });
    await this.seeded;
    this.last = Math.max(this.last + 1, Math.floor(this.now()) * 1000);
    return this.last;
  }
}

/**
 * Reads every document matching a filter in batches, in ascending order of `fields` then id, by
 * key (each batch starts after the last document of the one before), so a large result is never
 * held at once and no batch re-reads what an earlier one skipped. Every field of `fields` must be
 * present in every matching document.
 * @param collection - the collection
 * @param filter - the filter
 * @param fields - declared sort fields (ascending)
 * @param batch - documents per read
 * @returns the documents, batch by batch
 */
export async function* scanByKey<T extends Doc>(collection: Collection<T>, filter: Filter, fields: readonly string[], batch = 500): AsyncGenerator<T[]> {
  const sort: Sort = fields.map((f) => [f, 1] as const);
  let after: T | undefined;
  for (;;) {
    const page = await collection.find(after === undefined ? filter : { $and: [filter, keyAfter(after, fields)] }, { sort, limit: batch });
    if (page.length > 0) yield page;
    if (page.length < batch) return;
    after = page[page.length - 1];
  }
}

/** The filter for "after this document" in (fields…, id) order. */
function keyAfter(doc: Doc, fields: readonly string[]): Filter {
  const value = (f: string): Filter[string] => f.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc) as Filter[string];
  const keys = [...fields, 'id'];
  const alternatives: Filter[] = keys.map((field, i) => {
    const alt: Filter = {};
    for (const prior of keys.slice(0, i)) alt[prior] = value(prior);
    alt[field] = { $gt: value(field) as never };
    return alt;
  });
  return { $or: alternatives };
}

/**
 * Runs a compare-and-set step until it succeeds: `attempt` reads, decides and writes conditionally,
 * answering `retry` when the document changed in between. Each retry means another writer made
 * progress, so contention ends; the bound only guards against a livelock bug.
 * @param what - what is being changed (for the error)
 * @param attempt - one read-decide-write round
 * @returns the round's result
 */
export async function compareAndSet<R>(what: string, attempt: () => Promise<R | typeof RETRY>): Promise<R> {
  for (let round = 0; round < 64; round++) {
    const result = await attempt();
    if (result !== RETRY) return result;
  }
  throw new Error(`${what}: gave up after 64 concurrent changes`);
}

/** The answer of a {@link compareAndSet} round whose write lost a race. */
export const RETRY: unique symbol = Symbol('retry');

/** What {@link leaseDue} needs to lease documents of one queue. */
export interface LeaseQuery<T extends Doc> {
  /** How many to lease at most. */
  limit: number;
  /** Due candidates, oldest first, at most `want` of them (pending ones and ones whose lease expired). */
  candidates(want: number): Promise<T[]>;
  /** The filter a candidate must still match to be taken (what was read: due, or the same expired lease). */
  still(candidate: T): Filter;
  /** The update that takes it. */
  take: Update;
  /** Order of the candidates and of the result. */
  order(a: T, b: T): number;
}

/**
 * Leases due documents by compare-and-set, the rule the inbox and the outbox share: candidates are
 * read, then each is taken only if it still matches what was read; the conditional updates go out
 * together (on SQLite one group commit, not one commit each). A round that lost candidates to another
 * process reads the next due ones, up to four rounds.
 * @param docs - the queue's collection
 * @param query - limit, candidates, the still-filter and the taking update
 * @returns the leased documents, in `order`
 */
export async function leaseDue<T extends Doc>(docs: Collection<T>, query: LeaseQuery<T>): Promise<T[]> {
  const leased: T[] = [];
  for (let round = 0; round < 4 && leased.length < query.limit; round++) {
    const want = query.limit - leased.length;
    const candidates = (await query.candidates(want)).sort(query.order).slice(0, want);
    let lost = 0;
    for (const taken of await Promise.all(candidates.map((c) => docs.updateOne(query.still(c), query.take)))) {
      if (taken) leased.push(taken); else lost++;
    }
    if (lost === 0) break;
  }
  return leased.sort(query.order);
}

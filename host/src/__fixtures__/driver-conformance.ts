/**
 * The driver conformance suite: what every {@link StorageDriver} must do, run once per driver
 * (memory, SQLite in memory and on a file, MongoDB when a server is set). It knows no driver: no
 * `instanceof`, no per-driver branches. Each test works in a collection of its own (or clears the
 * database), so a database shared between runs or processes stays clean.
 *
 * @example
 * ```ts
 * describeDriverConformance('sqlite :memory:', async () => SqliteDriver.open({ path: ':memory:' }));
 * ```
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndeclaredFieldError, UniqueViolationError, searchWords, textWords } from '../stores/driver.js';
import type { Collection, CollectionSpec, Doc, Filter, Sort, StorageDriver, Update } from '../stores/driver.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';

/** Options of {@link describeDriverConformance}. */
export interface DriverConformanceOptions {
  /** Two drivers on the same database (e.g. two connections to one SQLite file), for the cross-driver races. */
  shared?: () => Promise<[StorageDriver, StorageDriver]>;
  /** Runs of the model test (random operation sequences compared with the memory driver); 60 unless set. */
  modelRuns?: number;
}

/** A document of the suite's collections. */
interface Item extends Doc {
  tenant?: string;
  n?: number | null;
  at?: Date | null;
  flag?: boolean;
  email?: string | null;
  tags?: string[];
  status?: string;
  owner?: string;
  meta?: { kind?: string; [key: string]: unknown };
  [key: string]: unknown;
}

let counter = 0;
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
/** A collection name no other test (or process sharing the database) uses. */
const fresh = (prefix = 'c'): string => `${prefix}_${run}_${(counter++).toString(36)}`;

const specOf = (name: string): CollectionSpec => ({
  name,
  fields: { tenant: 'string', n: 'number', at: 'date', flag: 'boolean', email: 'string', tags: 'string', status: 'string', 'meta.kind': 'string' },
  indexes: [{ fields: ['tenant', 'n'] }, { fields: ['email'], unique: true }, { fields: ['status'] }],
});

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const idsOf = (docs: readonly Doc[]): string[] => docs.map((d) => d.id).sort();
const inOrder = (docs: readonly Doc[]): string[] => docs.map((d) => d.id);

/**
 * Declares the driver conformance suite for one driver.
 * @param name - the driver's name in test titles (`memory` skips the comparison with the memory driver)
 * @param open - opens a driver (called once for the suite; the suite closes it)
 * @param options - two drivers on one database for the cross-driver cases; model test runs
 */
export function describeDriverConformance(name: string, open: () => Promise<StorageDriver>, options: DriverConformanceOptions = {}): void {
  describe(`driver conformance: ${name}`, () => {
    let driver: StorageDriver;
    beforeAll(async () => {
      driver = await open();
    });
    afterAll(async () => {
      await driver?.close();
    });
    const items = (spec: CollectionSpec = specOf(fresh())): Collection<Item> => driver.collection<Item>(spec);

    describe('documents', () => {
      it('round-trips nested data with dates, $-keys, dotted keys and unicode, dropping undefined', async () => {
        const c = items();
        const doc: Item = {
          id: 'doc-1',
          tenant: 't',
          n: -12.5,
          at: at(1),
          flag: false,
          tags: [],
          meta: { kind: 'k', nested: { deep: [1, 'two', null, true, { when: new Date(-86_400_000) }] } },
          $set: 'a key that looks like an operator',
          prices: { $inc: 3, $date: '2020-01-01T00:00:00.000Z', $$double: [{ $oid: 'x' }] },
          'dotted.key': 'kept as one key',
          unicode: 'Grüße 👋 \u0000 ☃',
          big: Number.MAX_SAFE_INTEGER,
          tiny: 5e-324,
          precise: 0.1 + 0.2,
          third: 1 / 3,
          empty: {},
          nothing: null,
          gone: undefined,
        };
        expect(await c.insert(doc)).toBe(true);
        const { gone: _gone, ...expected } = doc;
        const back = await c.get('doc-1');
        expect(back).toEqual(expected);
        expect(back).not.toHaveProperty('gone');
        expect(back!.at).toBeInstanceOf(Date);
        expect((back!.meta!['nested'] as { deep: [unknown, unknown, unknown, unknown, { when: Date }] }).deep[4].when).toBeInstanceOf(Date);
        expect(await c.findOne({ id: 'doc-1' })).toEqual(expected);
        expect(await c.find({ tenant: 't' })).toEqual([expected]);
      });

      it('keeps its own copy: changing what was given or what came back changes nothing stored', async () => {
        const c = items();
        const doc: Item = { id: 'a', tenant: 't', n: 1, at: at(1), tags: ['x'], meta: { kind: 'k', list: [{ v: 1 }] } };
        const snapshot = structuredClone(doc);
        await c.insert(doc);
        doc.tags!.push('y');
        doc.at!.setTime(0);
        (doc.meta!['list'] as { v: number }[])[0]!.v = 2;
        doc.n = 99;
        expect(await c.get('a')).toEqual(snapshot);

        const got = (await c.get('a'))!;
        got.tags!.push('z');
        got.at!.setTime(0);
        const found = (await c.find({}))[0]!;
        found.meta!.kind = 'changed';
        const one = (await c.findOne({ id: 'a' }))!;
        one.n = 7;
        const updated = (await c.updateOne({ id: 'a' }, { $set: { status: 's' } }))!;
        updated.tags!.push('w');
        expect(await c.get('a')).toEqual({ ...snapshot, status: 's' });

        const set = { deep: { v: 1 } };
        await c.updateOne({ id: 'a' }, { $set: { extra: set }, $push: { tags: set } });
        set.deep.v = 2;
        expect(await c.get('a')).toMatchObject({ extra: { deep: { v: 1 } }, tags: ['x', { deep: { v: 1 } }] });

        const replacement: Item = { id: 'a', tenant: 't', meta: { kind: 'r' } };
        await c.replaceOne({ id: 'a' }, replacement);
        replacement.meta!.kind = 'changed';
        expect((await c.get('a'))!.meta).toEqual({ kind: 'r' });
      });

      it('refuses what is not plain data, storing nothing', async () => {
        const c = items();
        await expect(c.insert({ id: 'nan', n: Number.NaN })).rejects.toThrow();
        await expect(c.insert({ id: 'inf', extra: { x: Number.POSITIVE_INFINITY } })).rejects.toThrow();
        await expect(c.insert({ id: 'bad-date', at: new Date(Number.NaN) })).rejects.toThrow();
        expect(await c.count({})).toBe(0);
      });

      it('gives the same collection for the same spec twice, and an empty get for an unknown id', async () => {
        const spec = specOf(fresh());
        await driver.collection<Item>(spec).insert({ id: 'a', tenant: 't' });
        expect(await driver.collection<Item>(spec).get('a')).toEqual({ id: 'a', tenant: 't' });
        expect(await driver.collection<Item>(spec).get('nope')).toBeUndefined();
      });

      it('rejects a malformed spec', () => {
        expect(() => driver.collection({ name: 'Bad-Name', fields: {} })).toThrow();
        expect(() => driver.collection({ name: fresh(), fields: { a: 'string' }, indexes: [{ fields: ['b'] }] })).toThrow(UndeclaredFieldError);
      });
    });

    describe('filters', () => {
      let c: Collection<Item>;
      beforeAll(async () => {
        c = items();
        const docs: Item[] = [
          { id: 'a', tenant: 't1', n: 1, at: at(1), flag: true, email: 'a@x', tags: ['red', 'blue'], status: 'open', meta: { kind: 'k1' } },
          { id: 'b', tenant: 't1', n: 2, at: at(2), flag: false, tags: ['blue'], status: 'closed', meta: { kind: 'k2' } },
          { id: 'c', tenant: 't2', n: 3, at: at(3), tags: [], status: 'open', meta: {} },
          { id: 'd', tenant: 't2', n: null, at: null, email: null, status: 'open' },
          { id: 'e', tenant: 't3', n: -1, at: at(0), flag: true, email: 'e@x', tags: ['green'] },
          { id: 'f', tenant: 'T1', n: 2.5, status: 'closed', meta: { kind: 'k1' } },
        ];
        expect(await c.insertMany(docs)).toEqual(docs.map(() => true));
      });
      const expectIds = async (filter: Filter, ids: string[]): Promise<void> => {
        expect(idsOf(await c.find(filter)), JSON.stringify(filter)).toEqual(ids);
        expect(await c.count(filter), `count ${JSON.stringify(filter)}`).toBe(ids.length);
      };

      it('equality on strings (case-sensitive), numbers, booleans, dates (by instant) and ids', async () => {
        await expectIds({ tenant: 't1' }, ['a', 'b']);
        await expectIds({ n: 2 }, ['b']);
        await expectIds({ n: 2.5 }, ['f']);
        await expectIds({ flag: true }, ['a', 'e']);
        await expectIds({ flag: false }, ['b']);
        await expectIds({ at: new Date(at(2).getTime()) }, ['b']);
        await expectIds({ id: 'c' }, ['c']);
        await expectIds({ tenant: 't1', n: 2 }, ['b']);
        await expectIds({ 'meta.kind': 'k1' }, ['a', 'f']);
        await expectIds({ tenant: 'nobody' }, []);
        await expectIds({}, ['a', 'b', 'c', 'd', 'e', 'f']);
      });

      it('null matches missing and null; $exists; $eq and $ne with null', async () => {
        await expectIds({ email: null }, ['b', 'c', 'd', 'f']);
        await expectIds({ n: null }, ['d']);
        await expectIds({ 'meta.kind': null }, ['c', 'd', 'e']);
        await expectIds({ email: { $eq: null } }, ['b', 'c', 'd', 'f']);
        await expectIds({ email: { $ne: null } }, ['a', 'e']);
        await expectIds({ email: { $exists: true } }, ['a', 'e']);
        await expectIds({ email: { $exists: false } }, ['b', 'c', 'd', 'f']);
        await expectIds({ at: { $exists: true } }, ['a', 'b', 'c', 'e']);
        await expectIds({ tags: { $exists: true } }, ['a', 'b', 'c', 'e']);
      });

      it('$ne, $in and $nin (both match a missing field when the value is not null)', async () => {
        await expectIds({ status: { $ne: 'open' } }, ['b', 'e', 'f']);
        await expectIds({ status: { $in: ['closed', 'other'] } }, ['b', 'f']);
        await expectIds({ status: { $nin: ['open'] } }, ['b', 'e', 'f']);
        await expectIds({ n: { $in: [1, 3] } }, ['a', 'c']);
        await expectIds({ at: { $in: [at(0), at(3)] } }, ['c', 'e']);
        await expectIds({ id: { $in: ['a', 'f', 'zz'] } }, ['a', 'f']);
        await expectIds({ id: { $nin: ['a', 'b'] } }, ['c', 'd', 'e', 'f']);
        await expectIds({ n: { $in: [] } }, []);
        await expectIds({ n: { $nin: [] } }, ['a', 'b', 'c', 'd', 'e', 'f']);
      });

      it('ranges on numbers, dates and strings never match missing or null', async () => {
        await expectIds({ n: { $gt: 1 } }, ['b', 'c', 'f']);
        await expectIds({ n: { $gte: 1 } }, ['a', 'b', 'c', 'f']);
        await expectIds({ n: { $lt: 2 } }, ['a', 'e']);
        await expectIds({ n: { $lte: 2 } }, ['a', 'b', 'e']);
        await expectIds({ n: { $gt: 1, $lt: 3 } }, ['b', 'f']);
        await expectIds({ at: { $lt: at(2) } }, ['a', 'e']);
        await expectIds({ at: { $gte: at(2) } }, ['b', 'c']);
        await expectIds({ tenant: { $gte: 't1', $lt: 't3' } }, ['a', 'b', 'c', 'd']);
        await expectIds({ tenant: { $lt: 't' } }, ['f']); // 'T1' < 't': by code point, not by locale
        await expectIds({ id: { $gt: 'd' } }, ['e', 'f']);
        await expectIds({ flag: { $gt: false } }, ['a', 'e']);
      });

      it('an array field matches when one of its elements does', async () => {
        await expectIds({ tags: 'blue' }, ['a', 'b']);
        await expectIds({ tags: { $eq: 'red' } }, ['a']);
        await expectIds({ tags: { $in: ['green', 'red'] } }, ['a', 'e']);
        await expectIds({ tags: { $ne: 'blue' } }, ['c', 'd', 'e', 'f']);
        await expectIds({ tags: { $nin: ['blue', 'green'] } }, ['c', 'd', 'f']);
        await expectIds({ tags: null }, ['d', 'f']); // an empty array is not missing
      });

      it('$or, $and, nesting, and undefined entries ignored', async () => {
        await expectIds({ $or: [{ tenant: 't2' }, { n: 1 }] }, ['a', 'c', 'd']);
        await expectIds({ status: 'open', $or: [{ tenant: 't1' }, { n: { $gt: 2 } }] }, ['a', 'c']);
        await expectIds({ $and: [{ n: { $gt: 0 } }, { n: { $lt: 3 } }] }, ['a', 'b', 'f']);
        await expectIds({ $or: [{ $and: [{ tenant: 't1' }, { flag: false }] }, { email: 'e@x' }] }, ['b', 'e']);
        await expectIds({ $or: [] }, []);
        await expectIds({ $and: [] }, ['a', 'b', 'c', 'd', 'e', 'f']);
        await expectIds({ tenant: undefined, n: 1 }, ['a']);
        await expectIds({ n: { $gt: undefined, $lt: 2 } }, ['a', 'e']);
      });

      it('names an undeclared field (filter, sort, $inc) as a programming error', async () => {
        await expect(c.find({ nickname: 'x' })).rejects.toThrow(UndeclaredFieldError);
        await expect(c.count({ $or: [{ 'meta.other': 'x' }] })).rejects.toThrow(UndeclaredFieldError);
        await expect(c.find({}, { sort: [['nickname', 1]] })).rejects.toThrow(UndeclaredFieldError);
        await expect(c.updateOne({ id: 'a' }, { $inc: { score: 1 } })).rejects.toThrow(UndeclaredFieldError);
        await expect(c.deleteMany({ nickname: 'x' })).rejects.toThrow(UndeclaredFieldError);
        expect(await c.count({})).toBe(6);
      });

      it('refuses a filter value of another type than the declared one', async () => {
        await expect(c.find({ n: '1' })).rejects.toThrow();
        await expect(c.find({ at: { $lt: 5 } })).rejects.toThrow();
      });
    });

    describe('sort, limit, offset', () => {
      let c: Collection<Item>;
      beforeAll(async () => {
        c = items();
        await c.insertMany([
          { id: 'e', n: 2, at: at(5), tenant: 'b' },
          { id: 'a', n: 2, at: at(1), tenant: 'a' },
          { id: 'd', n: 1, tenant: 'é' },
          { id: 'c', n: null, at: at(3), tenant: 'Z' },
          { id: 'b', at: at(2), tenant: '😀' },
          { id: 'f', n: -5, at: at(4), tenant: '\uffee' },
        ]);
      });
      const sorted = async (sort: Sort, limit?: number, offset?: number): Promise<string[]> =>
        inOrder(await c.find({}, { sort, ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) }));

      it('ascending and descending, missing first ascending and last descending, ties by id', async () => {
        expect(await sorted([['n', 1]])).toEqual(['b', 'c', 'f', 'd', 'a', 'e']);
        expect(await sorted([['n', -1]])).toEqual(['a', 'e', 'd', 'f', 'b', 'c']);
        expect(await sorted([['at', 1]])).toEqual(['d', 'a', 'b', 'c', 'f', 'e']);
        expect(await sorted([['at', -1]])).toEqual(['e', 'f', 'c', 'b', 'a', 'd']);
        expect(await sorted([['n', -1], ['at', -1]])).toEqual(['e', 'a', 'd', 'f', 'c', 'b']);
        expect(await sorted([])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
        expect(await sorted([['id', -1]])).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
      });

      it('strings by code point (UTF-8 byte order)', async () => {
        expect(await sorted([['tenant', 1]])).toEqual(['c', 'a', 'e', 'd', 'f', 'b']);
      });

      it('limit and offset page through the sorted result', async () => {
        const all = await sorted([['n', 1]]);
        expect(await sorted([['n', 1]], 2)).toEqual(all.slice(0, 2));
        expect(await sorted([['n', 1]], 2, 2)).toEqual(all.slice(2, 4));
        expect(await sorted([['n', 1]], 10, 4)).toEqual(all.slice(4));
        expect(await sorted([['n', 1]], undefined, 5)).toEqual(all.slice(5));
        expect(await sorted([['n', 1]], 3, 6)).toEqual([]);
        expect(idsOf(await c.find({}, { limit: 3 }))).toHaveLength(3);
        expect(inOrder(await c.find({ n: { $gte: 1 } }, { sort: [['at', 1]], limit: 1 }))).toEqual(['d']);
        expect((await c.findOne({ n: { $exists: true } }, { sort: [['n', -1]] }))?.id).toBe('a');
      });
    });

    describe('inserts and unique indexes', () => {
      it('insert answers false on a taken id or unique value, changing nothing', async () => {
        const c = items();
        expect(await c.insert({ id: 'a', email: 'x@y', n: 1 })).toBe(true);
        expect(await c.insert({ id: 'a', email: 'other', n: 2 })).toBe(false);
        expect(await c.insert({ id: 'b', email: 'x@y' })).toBe(false);
        expect(await c.get('a')).toEqual({ id: 'a', email: 'x@y', n: 1 });
        expect(await c.get('b')).toBeUndefined();
        expect(await c.count({})).toBe(1);
      });

      it('a document missing a unique field (or holding null there) never conflicts', async () => {
        const c = items();
        expect(await c.insert({ id: 'a' })).toBe(true);
        expect(await c.insert({ id: 'b' })).toBe(true);
        expect(await c.insert({ id: 'c', email: null })).toBe(true);
        expect(await c.insert({ id: 'd', email: null })).toBe(true);
        expect(await c.updateOne({ id: 'a' }, { $set: { email: 'a@x' } })).toBeDefined();
        expect(await c.updateOne({ id: 'a' }, { $unset: ['email'] })).toBeDefined();
        expect(await c.insert({ id: 'e', email: 'a@x' })).toBe(true);
      });

      it('a unique index over several fields conflicts only when all are equal', async () => {
        const spec: CollectionSpec = { name: fresh(), fields: { tenant: 'string', channel: 'string', ext: 'string' }, indexes: [{ fields: ['tenant', 'channel', 'ext'], unique: true }] };
        const c = driver.collection<Item>(spec);
        expect(await c.insert({ id: '1', tenant: 't', channel: 'wa', ext: 'x' })).toBe(true);
        expect(await c.insert({ id: '2', tenant: 't', channel: 'tg', ext: 'x' })).toBe(true);
        expect(await c.insert({ id: '3', tenant: 'u', channel: 'wa', ext: 'x' })).toBe(true);
        expect(await c.insert({ id: '4', tenant: 't', channel: 'wa', ext: 'x' })).toBe(false);
        expect(await c.insert({ id: '5', tenant: 't', channel: 'wa' })).toBe(true);
        expect(await c.insert({ id: '6', tenant: 't', channel: 'wa' })).toBe(true);
        expect(await c.insert({ id: '7', tenant: 't', channel: 'wa', ext: 'y' })).toBe(true);
      });

      it('insertMany inserts each document unless taken by a stored one or an earlier one of the batch', async () => {
        const c = items();
        await c.insert({ id: 'stored', email: 's@x' });
        const result = await c.insertMany([
          { id: 'a', email: 'a@x' },
          { id: 'stored', email: 'new@x' },
          { id: 'b', email: 's@x' },
          { id: 'a', email: 'again@x' },
          { id: 'c', email: 'a@x' },
          { id: 'd' },
          { id: 'e', email: 'e@x' },
        ]);
        expect(result).toEqual([true, false, false, false, false, true, true]);
        expect(idsOf(await c.find({}))).toEqual(['a', 'd', 'e', 'stored']);
        expect(await c.get('stored')).toEqual({ id: 'stored', email: 's@x' });
        expect(await c.get('a')).toEqual({ id: 'a', email: 'a@x' });
        expect(await c.insertMany([])).toEqual([]);
      });

      it('concurrent inserts of the same unique value: exactly one wins', async () => {
        const c = items();
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.insert({ id: `i${i}`, email: 'same@x' })));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await c.count({ email: 'same@x' })).toBe(1);
      });
    });

    describe('updates', () => {
      it('updateOne is a compare-and-set: of two concurrent updates with the same precondition exactly one wins', async () => {
        const c = items();
        await c.insert({ id: 'job', status: 'queued' });
        const results = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => c.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased', owner } })));
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await c.get('job')).toEqual(winners[0]);
        expect(await c.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased' } })).toBeUndefined();
      });

      it('concurrent leases through updateOne with a sort each take a different document, in order', async () => {
        const c = items();
        await c.insertMany(Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, status: 'queued', at: at(10 - i) })));
        const leased = await Promise.all(Array.from({ length: 6 }, (_, i) => c.updateOne({ status: 'queued' }, { $set: { status: 'leased', owner: `w${i}` } }, { sort: [['at', 1]] })));
        expect(leased.map((d) => d?.id).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
        expect(await c.updateOne({ status: 'queued' }, { $set: { status: 'leased' } })).toBeUndefined();
        expect(await c.count({ status: 'leased' })).toBe(6);
      });

      it('the sort chooses which document updateOne changes', async () => {
        const c = items();
        await c.insertMany([{ id: 'a', tenant: 't', n: 2 }, { id: 'b', tenant: 't', n: 1 }, { id: 'c', tenant: 't', n: 3 }, { id: 'd', tenant: 't', n: 1 }]);
        expect((await c.updateOne({ tenant: 't' }, { $set: { status: 'first' } }, { sort: [['n', 1]] }))?.id).toBe('b');
        expect((await c.updateOne({ tenant: 't' }, { $set: { status: 'last' } }, { sort: [['n', -1]] }))?.id).toBe('c');
        expect((await c.updateOne({ tenant: 't', status: { $exists: false } }, { $set: { status: 'next' } }, { sort: [['n', 1]] }))?.id).toBe('d');
      });

      it('updateOne answers the document after the update, or undefined when none matched', async () => {
        const c = items();
        await c.insert({ id: 'a', n: 1, tenant: 't' });
        expect(await c.updateOne({ id: 'a' }, { $set: { status: 'x' }, $inc: { n: 2 } })).toEqual({ id: 'a', n: 3, tenant: 't', status: 'x' });
        expect(await c.updateOne({ id: 'zz' }, { $set: { status: 'x' } })).toBeUndefined();
        expect(await c.updateOne({ id: 'a', n: 1 }, { $set: { status: 'y' } })).toBeUndefined();
        expect((await c.get('a'))?.status).toBe('x');
      });

      it('an update that would break a unique index throws UniqueViolationError and changes nothing', async () => {
        const c = items();
        await c.insertMany([{ id: 'a', email: 'a@x', n: 1 }, { id: 'b', email: 'b@x', n: 1 }]);
        await expect(c.updateOne({ id: 'b' }, { $set: { email: 'a@x', status: 'moved' }, $inc: { n: 1 } })).rejects.toThrow(UniqueViolationError);
        expect(await c.get('b')).toEqual({ id: 'b', email: 'b@x', n: 1 });
        expect(await c.findOne({ email: 'b@x' })).toMatchObject({ id: 'b' });
        await expect(c.updateMany({}, { $set: { email: 'same@x' } })).rejects.toThrow(UniqueViolationError);
        await expect(c.replaceOne({ id: 'b' }, { id: 'b', email: 'a@x' })).rejects.toThrow(UniqueViolationError);
        expect(await c.get('a')).toEqual({ id: 'a', email: 'a@x', n: 1 });
        expect(await c.updateOne({ id: 'a' }, { $set: { email: 'a@x', status: 'same value is fine' } })).toMatchObject({ status: 'same value is fine' });
        expect(await c.updateOne({ id: 'b' }, { $set: { email: 'c@x' } })).toMatchObject({ email: 'c@x' });
        expect(await c.insert({ id: 'd', email: 'b@x' })).toBe(true);
      });

      it('updateTogether applies single-document updates over several collections in order, answering each document after (undefined when none matched)', async () => {
        const [specA, specB] = [specOf(fresh()), specOf(fresh())];
        const [a, b] = [items(specA), items(specB)];
        await a.insert({ id: 'm', status: 'queued', n: 1 });
        await b.insert({ id: 'e', status: 'leased', owner: 'A' });
        const after = await driver.updateTogether([
          { collection: specA, filter: { id: 'm' }, update: { $set: { email: 'x@1' } } },
          // the second update of the same document sees the first
          { collection: specA, filter: { id: 'm', status: 'queued' }, update: { $set: { status: 'sent' }, $inc: { n: 1 }, $push: { tags: 'sent' } } },
          { collection: specB, filter: { id: 'e', status: 'leased' }, update: { $set: { status: 'done' }, $unset: ['owner'] } },
          { collection: specB, filter: { id: 'e', status: 'leased' }, update: { $set: { status: 'again' } } },
        ]);
        expect(after).toEqual([
          { id: 'm', status: 'queued', n: 1, email: 'x@1' },
          { id: 'm', status: 'sent', n: 2, email: 'x@1', tags: ['sent'] },
          { id: 'e', status: 'done' },
          undefined,
        ]);
        expect(await a.get('m')).toEqual(after[1]);
        expect(await b.get('e')).toEqual({ id: 'e', status: 'done' });
        expect(await driver.updateTogether([])).toEqual([]);
      });

      it('updateTogether: an update that breaks a unique index throws, undoing the earlier ones on a transactional driver (else they stay, in order)', async () => {
        const [specA, specB] = [specOf(fresh()), specOf(fresh())];
        const [a, b] = [items(specA), items(specB)];
        await a.insert({ id: 'm', status: 'queued' });
        await b.insertMany([{ id: 'e', status: 'leased', email: 'e@x' }, { id: 'f', email: 'f@x' }]);
        await expect(driver.updateTogether([
          { collection: specA, filter: { id: 'm' }, update: { $set: { status: 'sent' } } },
          { collection: specB, filter: { id: 'e' }, update: { $set: { status: 'done', email: 'f@x' } } },
        ])).rejects.toThrow(UniqueViolationError);
        expect(await b.get('e')).toEqual({ id: 'e', status: 'leased', email: 'e@x' });
        expect((await a.get('m'))?.status).toBe(driver.transactional === true ? 'queued' : 'sent');
        // the collections stay usable, and a failing first update leaves nothing on any driver
        await expect(driver.updateTogether([
          { collection: specB, filter: { id: 'e' }, update: { $set: { email: 'f@x' } } },
          { collection: specA, filter: { id: 'm' }, update: { $set: { status: 'later' } } },
        ])).rejects.toThrow(UniqueViolationError);
        expect((await a.get('m'))?.status).not.toBe('later');
      });

      it('updateTogether refuses an undeclared field before writing anything', async () => {
        const [specA, specB] = [specOf(fresh()), specOf(fresh())];
        const [a] = [items(specA), items(specB)];
        await a.insert({ id: 'm', status: 'queued' });
        await expect(driver.updateTogether([
          { collection: specA, filter: { id: 'm' }, update: { $set: { status: 'sent' } } },
          { collection: specB, filter: { nope: 1 }, update: { $set: { status: 'x' } } },
        ])).rejects.toThrow(UndeclaredFieldError);
        expect((await a.get('m'))?.status).toBe(driver.transactional === true ? 'queued' : 'sent');
      });

      it('$inc, $max, $min, $push, $unset and $set (undefined removes, dotted paths create objects)', async () => {
        const c = items();
        await c.insert({ id: 'a', n: 5, at: at(5), tags: ['x'], status: 's', meta: { kind: 'k', keep: 1 } });
        const u = (update: Update): Promise<Item | undefined> => c.updateOne({ id: 'a' }, update);
        expect(await u({ $inc: { n: 2.5 } })).toMatchObject({ n: 7.5 });
        expect(await u({ $inc: { n: -7.5 } })).toMatchObject({ n: 0 });
        expect(await u({ $max: { n: 3, at: at(3) } })).toMatchObject({ n: 3, at: at(5) });
        expect(await u({ $max: { n: 1, at: at(9) } })).toMatchObject({ n: 3, at: at(9) });
        expect(await u({ $min: { n: -4, at: at(10) } })).toMatchObject({ n: -4, at: at(9) });
        expect(await u({ $push: { tags: 'y' } })).toMatchObject({ tags: ['x', 'y'] });
        expect(await u({ $push: { log: { when: at(1), what: 'first' } } })).toMatchObject({ log: [{ when: at(1), what: 'first' }] });
        expect(await u({ $set: { 'meta.kind': 'k2', 'deep.er.path': 1 } })).toMatchObject({ meta: { kind: 'k2', keep: 1 }, deep: { er: { path: 1 } } });
        expect(await u({ $set: { status: undefined, 'meta.keep': undefined } })).not.toHaveProperty('status');
        expect(await u({ $unset: ['tags', 'deep.er', 'not.there'] })).toEqual({ id: 'a', n: -4, at: at(9), meta: { kind: 'k2' }, log: [{ when: at(1), what: 'first' }], deep: {} });
        expect((await c.get('a'))?.at).toBeInstanceOf(Date);
        expect((await c.get('a'))?.log).toEqual([{ when: at(1), what: 'first' }]);
        expect(await c.count({ 'meta.kind': 'k2', n: -4 })).toBe(1);
      });

      it('$inc on a missing field starts from 0; $max and $min on a missing field set it', async () => {
        const c = items();
        await c.insert({ id: 'a' });
        expect(await c.updateOne({ id: 'a' }, { $inc: { n: 3 }, $max: { at: at(4) } })).toEqual({ id: 'a', n: 3, at: at(4) });
        await c.insert({ id: 'b' });
        expect(await c.updateOne({ id: 'b' }, { $min: { n: 7 } })).toEqual({ id: 'b', n: 7 });
      });

      it('keeps every bit of a number through $inc', async () => {
        const c = items();
        await c.insert({ id: 'a', n: 0.1 });
        expect(await c.updateOne({ id: 'a' }, { $inc: { n: 0.2 } })).toEqual({ id: 'a', n: 0.1 + 0.2 });
        expect(await c.updateOne({ id: 'a' }, { $inc: { n: 1 / 3 } })).toEqual({ id: 'a', n: 0.1 + 0.2 + 1 / 3 });
        expect(await c.count({ n: 0.1 + 0.2 + 1 / 3 })).toBe(1);
        expect(await c.get('a')).toEqual({ id: 'a', n: 0.1 + 0.2 + 1 / 3 });
      });

      it('refuses to change the id', async () => {
        const c = items();
        await c.insert({ id: 'a' });
        await expect(c.updateOne({ id: 'a' }, { $set: { id: 'b' } })).rejects.toThrow();
        expect(await c.get('a')).toEqual({ id: 'a' });
      });

      it('finds by indexed fields see the new values after an update', async () => {
        const c = items();
        await c.insertMany([{ id: 'a', tenant: 't', n: 1, status: 'queued' }, { id: 'b', tenant: 't', n: 2, status: 'queued' }]);
        await c.updateOne({ id: 'a' }, { $set: { n: 5, status: 'sent' } });
        expect(idsOf(await c.find({ tenant: 't', n: 1 }))).toEqual([]);
        expect(idsOf(await c.find({ tenant: 't', n: 5 }))).toEqual(['a']);
        expect(idsOf(await c.find({ status: 'queued' }))).toEqual(['b']);
        expect(idsOf(await c.find({ status: { $in: ['sent', 'queued'] } }))).toEqual(['a', 'b']);
      });

      it('replaceOne replaces the document with the same id only when it matches the filter', async () => {
        const c = items();
        await c.insert({ id: 'a', n: 1, status: 'draft', tags: ['x'] });
        expect(await c.replaceOne({ status: 'sent' }, { id: 'a', n: 2 })).toBe(false);
        expect(await c.replaceOne({ status: 'draft' }, { id: 'zz', n: 2 })).toBe(false);
        expect(await c.replaceOne({ status: 'draft', n: 1 }, { id: 'a', n: 2, status: 'sent' })).toBe(true);
        expect(await c.get('a')).toEqual({ id: 'a', n: 2, status: 'sent' });
        expect(await c.get('zz')).toBeUndefined();
        expect(idsOf(await c.find({ status: 'draft' }))).toEqual([]);
      });

      it('updateMany, deleteMany and count answer how many; a deleted unique value is free again', async () => {
        const c = items();
        await c.insertMany([
          { id: 'a', tenant: 't', n: 1, email: 'a@x' },
          { id: 'b', tenant: 't', n: 2 },
          { id: 'c', tenant: 'u', n: 3 },
        ]);
        expect(await c.updateMany({ tenant: 't' }, { $inc: { n: 10 }, $set: { status: 'bumped' } })).toBe(2);
        expect(await c.count({ status: 'bumped', n: { $gt: 10 } })).toBe(2);
        expect(await c.updateMany({ tenant: 'nobody' }, { $set: { status: 'x' } })).toBe(0);
        expect(await c.deleteMany({ n: { $ne: 11 } })).toBe(2);
        expect(idsOf(await c.find({}))).toEqual(['a']);
        expect(await c.deleteMany({ id: 'a' })).toBe(1);
        expect(await c.get('a')).toBeUndefined();
        expect(await c.insert({ id: 'a2', email: 'a@x' })).toBe(true);
        expect(await c.deleteMany({})).toBe(1);
        expect(await c.count({})).toBe(0);
      });
    });

    describe('model: random operations agree with the memory driver', () => {
      it.skipIf(name === 'memory')('insert, insertMany, updateOne, updateMany, replaceOne, deleteMany, find and count', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (ops) => {
            const spec = specOf(fresh('m'));
            const reference = new MemoryDriver();
            const expected = reference.collection<Item>(spec);
            const actual = driver.collection<Item>(spec);
            try {
              for (const op of ops) {
                const [want, got] = [await apply(expected, op), await apply(actual, op)];
                expect(got, JSON.stringify(op, dateReplacer)).toEqual(want);
              }
              expect(await actual.find({}, { sort: [] })).toEqual(await expected.find({}, { sort: [] }));
            } finally {
              await actual.deleteMany({});
              await reference.close();
            }
          }),
          { numRuns: options.modelRuns ?? 60 },
        );
      });
    });

    describe('text search', () => {
      const textSpec = (): CollectionSpec => ({ ...specOf(fresh('t')), text: ['body', 'meta.caption'] });

      it('finds the documents holding every word, in any text path, ignoring case, accents and punctuation', async () => {
        const c = items(textSpec());
        await c.insertMany([
          { id: 'a', tenant: 't1', n: 1, body: 'The brake pads are worn, Émile.' },
          { id: 'b', tenant: 't1', n: 2, body: 'Pads ordered', meta: { caption: 'BRAKE photo' } },
          { id: 'c', tenant: 't2', n: 3, body: 'brake pads' },
          { id: 'd', tenant: 't1', n: 4, body: 'brakes padded' },
          { id: 'e', tenant: 't1', n: 5, body: 42 as unknown as string, meta: { caption: 'nothing here' } },
        ]);
        expect(idsOf(await c.search('brake PADS', {}))).toEqual(['a', 'b', 'c']);
        expect(idsOf(await c.search('émile', {}))).toEqual(['a']);
        expect(idsOf(await c.search('EMILE!', { tenant: 't1' }))).toEqual(['a']);
        expect(idsOf(await c.search('brake pads', { tenant: 't1' }))).toEqual(['a', 'b']);
        expect(await c.search('brak', {})).toEqual([]); // whole words only
        expect(await c.search('42', {})).toEqual([]); // only strings are text
        expect(inOrder(await c.search('pads', { tenant: 't1' }, { sort: [['n', -1]], limit: 1 }))).toEqual(['b']);
        expect(inOrder(await c.search('pads', { tenant: 't1' }, { sort: [['n', -1]], offset: 1 }))).toEqual(['a']);
        expect(await c.search('pads', {}, { limit: 0 })).toEqual([]);
      });

      it('gives back whole documents, equal to what find gives', async () => {
        const c = items(textSpec());
        const doc: Item = { id: 'x', tenant: 't', at: at(3), body: 'hello world', tags: ['a'] };
        await c.insert(doc);
        expect(await c.search('world', {})).toEqual([await c.get('x')]);
        expect(await c.search('world', {})).toEqual([doc]);
      });

      it('reads the words of a query as words, never as query syntax', async () => {
        const c = items(textSpec());
        await c.insertMany([{ id: 'a', body: 'or and not near' }, { id: 'b', body: 'x" OR "y' }]);
        const cases: [string, string[]][] = [['"', []], ['NEAR(', ['a']], ['*', []], ['or AND', ['a']], ['-not', ['a']], ['body:near', []], ['^x', ['b']], ['"x" OR "y"', ['b']]];
        for (const [q, expected] of cases) expect(idsOf(await c.search(q, {})), q).toEqual(expected);
      });

      it('keeps the index in step with inserts, updates, replaces, deletes and clear', async () => {
        const c = items(textSpec());
        await c.insert({ id: 'a', status: 'new', body: 'alpha beta' });
        await c.updateOne({ id: 'a' }, { $set: { status: 'old' } }); // not a text change
        expect(idsOf(await c.search('alpha', {}))).toEqual(['a']);
        await c.updateOne({ id: 'a' }, { $set: { body: 'gamma' } });
        expect(await c.search('alpha', {})).toEqual([]);
        expect(idsOf(await c.search('gamma', { status: 'old' }))).toEqual(['a']);
        await c.updateMany({}, { $set: { 'meta.caption': 'delta' } });
        expect(idsOf(await c.search('gamma delta', {}))).toEqual(['a']);
        await c.replaceOne({ id: 'a' }, { id: 'a', body: 'epsilon' });
        expect(await c.search('gamma', {})).toEqual([]);
        expect(idsOf(await c.search('epsilon', {}))).toEqual(['a']);
        await c.deleteMany({ id: 'a' });
        expect(await c.search('epsilon', {})).toEqual([]);
        await c.insert({ id: 'a', body: 'zeta' });
        expect(idsOf(await c.search('zeta', {}))).toEqual(['a']);
        expect(await c.search('epsilon', {})).toEqual([]);
        await driver.clear();
        expect(await c.search('zeta', {})).toEqual([]);
        await c.insert({ id: 'a', body: 'zeta again' });
        expect(idsOf(await c.search('zeta', {}))).toEqual(['a']);
      });

      it('finds nothing for a text without words; refuses a collection without text paths', async () => {
        const c = items(textSpec());
        await c.insert({ id: 'a', body: 'word' });
        expect(await c.search(' ,.!? ', {})).toEqual([]);
        await expect(items().search('word', {})).rejects.toThrow(/text/);
      });

      it('agrees with the contract on random texts (whole words, every word)', async () => {
        const c = items(textSpec());
        const vocabulary = ['ab', 'Ab', 'ába', 'cd', 'c-d', 'ef', '12', 'ab12'];
        const docs: Item[] = Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, body: [vocabulary[i % 8]!, vocabulary[(i * 3) % 8]!, vocabulary[(i * 5 + 1) % 8]!].join(i % 2 === 0 ? ' ' : ', ') }));
        await c.insertMany(docs);
        const spec = c.spec;
        await fc.assert(fc.asyncProperty(fc.subarray(vocabulary, { minLength: 1, maxLength: 3 }), async (words) => {
          const q = words.join(' ');
          const wanted = searchWords(q);
          const expected = docs.filter((d) => {
            const held = new Set((spec.text ?? []).flatMap((p) => (typeof d[p] === 'string' ? textWords(d[p]) : [])));
            return wanted.every((w) => held.has(w));
          }).map((d) => d.id).sort();
          expect(idsOf(await c.search(q, {}))).toEqual(expected);
        }), { numRuns: 25 });
      });
    });

    describe('clear', () => {
      it('empties every collection, which stay usable', async () => {
        const a = items();
        const b = items();
        await a.insert({ id: '1', email: 'x@y' });
        await b.insert({ id: '2' });
        await driver.clear();
        expect(await a.count({})).toBe(0);
        expect(await b.get('2')).toBeUndefined();
        expect(await a.insert({ id: '1', email: 'x@y' })).toBe(true);
        await driver.ping();
      });
    });

    const shared = options.shared;
    describe.skipIf(shared === undefined)('two drivers on one database', () => {
      let one: StorageDriver;
      let two: StorageDriver;
      beforeAll(async () => {
        [one, two] = await shared!();
      });
      afterAll(async () => {
        await one?.close();
        await two?.close();
      });
      const both = (): [Collection<Item>, Collection<Item>] => {
        const spec = specOf(fresh('s'));
        return [one.collection<Item>(spec), two.collection<Item>(spec)];
      };

      it('each sees what the other wrote', async () => {
        const [a, b] = both();
        await a.insert({ id: 'x', at: at(1), tenant: 't' });
        expect(await b.get('x')).toEqual({ id: 'x', at: at(1), tenant: 't' });
        await b.updateOne({ id: 'x' }, { $set: { status: 'seen' } });
        expect(await a.findOne({ status: 'seen' })).toMatchObject({ id: 'x' });
      });

      it('compare-and-set across drivers: exactly one of the concurrent updates wins', async () => {
        const [a, b] = both();
        await a.insert({ id: 'job', status: 'queued' });
        const results = await Promise.all([
          a.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased', owner: 'a' } }),
          b.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased', owner: 'b' } }),
          a.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased', owner: 'a2' } }),
          b.updateOne({ id: 'job', status: 'queued' }, { $set: { status: 'leased', owner: 'b2' } }),
        ]);
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await b.get('job')).toEqual(winners[0]);
      });

      it('leases across drivers never take the same document twice', async () => {
        const [a, b] = both();
        await a.insertMany(Array.from({ length: 10 }, (_, i) => ({ id: `m${i}`, status: 'queued', n: i })));
        const leased = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).updateOne({ status: 'queued' }, { $set: { status: 'leased', owner: `w${i}` } }, { sort: [['n', 1]] })));
        const ids = leased.filter((d) => d !== undefined).map((d) => d.id);
        expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
      });

      it('unique inserts across drivers: exactly one wins', async () => {
        const [a, b] = both();
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).insert({ id: `u${i}`, email: 'same@x' })));
        expect(results.filter(Boolean)).toHaveLength(1);
        const ids = await Promise.all([a.insert({ id: 'same', n: 1 }), b.insert({ id: 'same', n: 2 })]);
        expect(ids.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The model test's operations

type Operation =
  | { kind: 'insert'; doc: Item }
  | { kind: 'insertMany'; docs: Item[] }
  | { kind: 'updateOne'; filter: Filter; update: Update; sort: Sort }
  | { kind: 'updateMany'; filter: Filter; update: Update }
  | { kind: 'replaceOne'; filter: Filter; doc: Item }
  | { kind: 'deleteMany'; filter: Filter }
  | { kind: 'find'; filter: Filter; sort: Sort; limit: number | undefined; offset: number | undefined }
  | { kind: 'count'; filter: Filter };

function dateReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

async function apply(c: Collection<Item>, op: Operation): Promise<unknown> {
  try {
    switch (op.kind) {
      case 'insert': return await c.insert(op.doc);
      case 'insertMany': return await c.insertMany(op.docs);
      case 'updateOne': return await c.updateOne(op.filter, op.update, { sort: op.sort });
      case 'updateMany': return await c.updateMany(op.filter, op.update);
      case 'replaceOne': return await c.replaceOne(op.filter, op.doc);
      case 'deleteMany': return await c.deleteMany(op.filter);
      case 'find': return await c.find(op.filter, { sort: op.sort, ...(op.limit !== undefined ? { limit: op.limit } : {}), ...(op.offset !== undefined ? { offset: op.offset } : {}) });
      case 'count': return await c.count(op.filter);
    }
  } catch (error) {
    return { threw: error instanceof UniqueViolationError ? 'UniqueViolationError' : 'Error' };
  }
}

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });
const idArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j');
const tenantArb = fc.constantFrom('t1', 't2', 'T', 'é');
const numberArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1.5, 100));
const dateArb = fc.integer({ min: 0, max: 4 }).map((s) => at(s));
const emailArb = fc.constantFrom('a@x', 'b@x', 'c@x');
const tagArb = fc.constantFrom('red', 'blue', 'green');
const statusArb = fc.constantFrom('queued', 'leased', 'sent');

const itemArb: fc.Arbitrary<Item> = fc
  .record({
    id: idArb,
    tenant: optional(tenantArb),
    n: optional(fc.option(numberArb, { nil: null, freq: 5 })),
    at: optional(fc.option(dateArb, { nil: null, freq: 5 })),
    flag: optional(fc.boolean()),
    email: optional(fc.option(emailArb, { nil: null, freq: 4 })),
    tags: optional(fc.uniqueArray(tagArb, { maxLength: 3 })),
    status: optional(statusArb),
    meta: optional(fc.record({ kind: optional(fc.constantFrom('k1', 'k2')) })),
  })
  .map((doc) => {
    const out: Item = { id: doc.id };
    for (const [key, value] of Object.entries(doc)) if (value !== undefined) out[key] = value;
    if (out.meta !== undefined && out.meta.kind === undefined) out.meta = {};
    return out;
  });

/** Conditions on one field holding values of `arb` (with null and ranges when `ranged`). */
function conditionArb<T>(arb: fc.Arbitrary<T>, ranged: boolean): fc.Arbitrary<unknown> {
  const common = [
    arb,
    fc.constant(null),
    arb.map(($eq) => ({ $eq })),
    fc.option(arb, { nil: null }).map(($ne) => ({ $ne })),
    fc.array(arb, { maxLength: 3 }).map(($in) => ({ $in })),
    fc.array(arb, { maxLength: 3 }).map(($nin) => ({ $nin })),
    fc.boolean().map(($exists) => ({ $exists })),
  ];
  if (!ranged) return fc.oneof(...common);
  return fc.oneof(
    ...common,
    arb.map(($lt) => ({ $lt })),
    arb.map(($lte) => ({ $lte })),
    arb.map(($gt) => ({ $gt })),
    arb.map(($gte) => ({ $gte })),
    fc.tuple(arb, arb).map(([$gt, $lte]) => ({ $gt, $lte })),
  );
}

/** Up to `max` of the entries (distinct keys), as an object: filters that pin everything match nothing. */
function someOf(entries: Record<string, fc.Arbitrary<unknown>>, max: number): fc.Arbitrary<Record<string, unknown>> {
  const one = fc.oneof(...Object.entries(entries).map(([key, arb]) => arb.map((value) => [key, value] as const)));
  return fc.uniqueArray(one, { maxLength: max, selector: ([key]) => key }).map((pairs) => Object.fromEntries(pairs));
}

const fieldFilterArb: fc.Arbitrary<Filter> = someOf(
  {
    id: conditionArb(idArb, true),
    tenant: conditionArb(tenantArb, true),
    n: conditionArb(numberArb, true),
    at: conditionArb(dateArb, true),
    flag: conditionArb(fc.boolean(), false),
    email: conditionArb(emailArb, true),
    tags: conditionArb(tagArb, false),
    status: conditionArb(statusArb, false),
    'meta.kind': conditionArb(fc.constantFrom('k1', 'k2'), true),
  },
  2,
).map((filter) => filter as Filter);

const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 4, arbitrary: fieldFilterArb },
  { weight: 1, arbitrary: fc.tuple(fieldFilterArb, fc.array(fieldFilterArb, { minLength: 1, maxLength: 3 })).map(([f, $or]) => ({ ...f, $or })) },
  { weight: 1, arbitrary: fc.array(fieldFilterArb, { maxLength: 2 }).map(($and) => ({ $and })) },
);

const sortArb: fc.Arbitrary<Sort> = fc.uniqueArray(
  fc.tuple(fc.constantFrom('n', 'at', 'tenant', 'flag', 'email', 'status', 'meta.kind', 'id'), fc.constantFrom<1 | -1>(1, -1)),
  { maxLength: 2, selector: ([field]) => field },
);

/** One operation per field at most, so no update touches a path twice. */
const updateArb: fc.Arbitrary<Update> = someOf(
    {
      tenant: fc.oneof(tenantArb.map((v) => ['$set', v] as const), fc.constant(['$unset'] as const)),
      n: fc.oneof(
        numberArb.map((v) => ['$set', v] as const),
        numberArb.map((v) => ['$inc', v] as const),
        numberArb.map((v) => ['$max', v] as const),
        numberArb.map((v) => ['$min', v] as const),
        fc.constant(['$set', undefined] as const),
      ),
      at: fc.oneof(dateArb.map((v) => ['$set', v] as const), dateArb.map((v) => ['$max', v] as const), dateArb.map((v) => ['$min', v] as const), fc.constant(['$unset'] as const)),
      email: fc.oneof(emailArb.map((v) => ['$set', v] as const), fc.constant(['$set', null] as const), fc.constant(['$unset'] as const)),
      tags: fc.oneof(tagArb.map((v) => ['$push', v] as const), fc.uniqueArray(tagArb, { maxLength: 2 }).map((v) => ['$set', v] as const), fc.constant(['$unset'] as const)),
      status: fc.oneof(statusArb.map((v) => ['$set', v] as const), fc.constant(['$unset'] as const)),
      'meta.kind': fc.oneof(fc.constantFrom('k1', 'k2').map((v) => ['$set', v] as const), fc.constant(['$unset'] as const)),
      flag: fc.boolean().map((v) => ['$set', v] as const),
    },
    3,
  )
  .map((fields) => {
    const update: { $set: Record<string, unknown>; $unset: string[]; $inc: Record<string, number>; $max: Record<string, number | Date>; $min: Record<string, number | Date>; $push: Record<string, unknown> } = { $set: {}, $unset: [], $inc: {}, $max: {}, $min: {}, $push: {} };
    for (const [path, change] of Object.entries(fields) as [string, readonly [string, unknown?]][]) {
      const [op, value] = change;
      if (op === '$unset') update.$unset.push(path);
      else if (op === '$set') update.$set[path] = value;
      else if (op === '$inc') update.$inc[path] = value as number;
      else if (op === '$max' || op === '$min') update[op][path] = value as number | Date;
      else update.$push[path] = value;
    }
    const out: Record<string, unknown> = {};
    for (const [op, part] of Object.entries(update)) if (Array.isArray(part) ? part.length > 0 : Object.keys(part).length > 0) out[op] = part;
    return out as Update;
  });

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: itemArb.map((doc) => ({ kind: 'insert' as const, doc })) },
  { weight: 1, arbitrary: fc.array(itemArb, { maxLength: 4 }).map((docs) => ({ kind: 'insertMany' as const, docs })) },
  { weight: 4, arbitrary: fc.record({ filter: filterArb, update: updateArb, sort: sortArb }).map((o) => ({ kind: 'updateOne' as const, ...o })) },
  { weight: 1, arbitrary: fc.record({ filter: filterArb, update: updateArb }).map((o) => ({ kind: 'updateMany' as const, ...o })) },
  { weight: 1, arbitrary: fc.record({ filter: filterArb, doc: itemArb }).map((o) => ({ kind: 'replaceOne' as const, ...o })) },
  { weight: 1, arbitrary: filterArb.map((filter) => ({ kind: 'deleteMany' as const, filter })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ filter: filterArb, sort: sortArb, limit: optional(fc.integer({ min: 1, max: 4 })), offset: optional(fc.integer({ min: 0, max: 3 })) })
      .map((o) => ({ kind: 'find' as const, ...o })),
  },
  { weight: 2, arbitrary: filterArb.map((filter) => ({ kind: 'count' as const, filter })) },
);

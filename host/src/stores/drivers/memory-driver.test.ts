import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeDriverConformance } from '../../__fixtures__/driver-conformance.js';
import { StorageError } from '../driver.js';
import type { CollectionSpec, Doc, Filter, Update } from '../driver.js';
import { applyUpdate, compareBy, matches } from './documents.js';
import { MemoryDriver } from './memory-driver.js';

describeDriverConformance('memory', async () => new MemoryDriver());

interface Entry extends Doc {
  tenant: string;
  status: string;
  n: number;
  parts?: string[];
  key?: string;
}

const spec: CollectionSpec = {
  name: 'entries',
  fields: { tenant: 'string', status: 'string', n: 'number', parts: 'string', key: 'string' },
  indexes: [{ fields: ['tenant', 'status'] }, { fields: ['parts'] }, { fields: ['key'], unique: true }],
};

describe('MemoryDriver', () => {
  it('answers finds through an index the same as a scan, with arrays indexed by element', async () => {
    const driver = new MemoryDriver();
    const c = driver.collection<Entry>(spec);
    const docs: Entry[] = Array.from({ length: 300 }, (_, i) => ({
      id: `e${i.toString().padStart(3, '0')}`,
      tenant: `t${i % 3}`,
      status: ['queued', 'leased', 'sent'][i % 5 % 3]!,
      n: i % 7,
      parts: [`p${i % 4}`, `p${i % 6}`],
      ...(i % 2 === 0 ? { key: `k${i}` } : {}),
    }));
    await c.insertMany(docs);
    const scan = (test: (d: Entry) => boolean): string[] => docs.filter(test).map((d) => d.id).sort();
    const ids = async (filter: Parameters<typeof c.find>[0]): Promise<string[]> => (await c.find(filter)).map((d) => d.id).sort();
    expect(await ids({ tenant: 't1', status: 'queued' })).toEqual(scan((d) => d.tenant === 't1' && d.status === 'queued'));
    expect(await ids({ tenant: { $in: ['t0', 't2'] }, status: 'sent', n: { $gt: 3 } })).toEqual(scan((d) => d.tenant !== 't1' && d.status === 'sent' && d.n > 3));
    expect(await ids({ tenant: 't1', status: { $eq: 'leased' } })).toEqual(scan((d) => d.tenant === 't1' && d.status === 'leased'));
    expect(await ids({ parts: 'p5' })).toEqual(scan((d) => d.parts!.includes('p5')));
    expect(await ids({ tenant: 't2', n: { $lt: 3 } })).toEqual(scan((d) => d.tenant === 't2' && d.n < 3));
    expect(await ids({ tenant: { $in: ['t2', 't0'] }, key: { $exists: true } })).toEqual(scan((d) => d.tenant !== 't1' && d.key !== undefined));
    const sorted = await c.find({ tenant: 't0', n: { $gte: 2 } }, { sort: [['n', -1]], limit: 5, offset: 2 });
    expect(sorted.map((d) => d.id)).toEqual(
      docs.filter((d) => d.tenant === 't0' && d.n >= 2).sort((a, b) => b.n - a.n || (a.id < b.id ? -1 : 1)).slice(2, 7).map((d) => d.id),
    );
    expect(await ids({ key: 'k10' })).toEqual(['e010']);
    expect(await ids({ id: { $in: ['e001', 'e002', 'nope'] }, tenant: 't1' })).toEqual(['e001']);
    await c.updateMany({ tenant: 't1', status: 'queued' }, { $set: { status: 'sent' } });
    expect(await ids({ tenant: 't1', status: 'queued' })).toEqual([]);
    await c.deleteMany({ parts: 'p0' });
    expect(await ids({ parts: 'p0' })).toEqual([]);
    expect(await ids({ tenant: 't1' })).toEqual(scan((d) => d.tenant === 't1' && !d.parts!.includes('p0')));
    await c.updateMany({ tenant: 't1' }, { $set: { tenant: 't9' } });
    expect(await ids({ tenant: 't1' })).toEqual([]);
    expect(await ids({ tenant: 't9' })).toEqual(scan((d) => d.tenant === 't1' && !d.parts!.includes('p0')));
    expect(await c.count({})).toBe(docs.filter((d) => !d.parts!.includes('p0')).length);
  });

  it('answers through its index trees exactly as a scan of every document does (random operations)', async () => {
    const indexed: CollectionSpec = { name: 'indexed', fields: spec.fields, indexes: [{ fields: ['tenant', 'status', 'n'] }, { fields: ['parts'] }, { fields: ['status'] }, { fields: ['n', 'tenant'] }] };
    const docArb = fc.record({
      id: fc.constantFrom(...'abcdefghijkl'),
      tenant: fc.constantFrom('t0', 't1'),
      status: fc.constantFrom('queued', 'sent'),
      n: fc.integer({ min: 0, max: 3 }),
      parts: fc.array(fc.constantFrom('p0', 'p1', 'p2'), { maxLength: 3 }),
    });
    const condition = (values: readonly (string | number)[]): fc.Arbitrary<unknown> =>
      fc.oneof(fc.constantFrom(...values), fc.subarray([...values]).map(($in) => ({ $in })), fc.constantFrom(...values).map(($gte) => ({ $gte })));
    const filterArb = fc.record(
      { id: condition([...'abcdefghijkl']), tenant: condition(['t0', 't1', 't2']), status: condition(['queued', 'sent']), n: condition([0, 1, 2, 3]), parts: condition(['p0', 'p1', 'p2']) },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Filter>;
    const updateArb = fc.oneof(
      fc.record({ tenant: fc.constantFrom('t0', 't1'), status: fc.constantFrom('queued', 'sent') }).map(($set): Update => ({ $set })),
      fc.integer({ min: -1, max: 1 }).map((n): Update => ({ $inc: { n } })),
      fc.constantFrom('p0', 'p1', 'p3').map((p): Update => ({ $push: { parts: p } })),
      fc.constant<Update>({ $unset: ['parts'] }),
    );
    const op = fc.oneof(
      docArb.map((doc) => ({ kind: 'insert' as const, doc })),
      fc.record({ filter: filterArb, update: updateArb }).map((o) => ({ kind: 'update' as const, ...o })),
      filterArb.map((filter) => ({ kind: 'delete' as const, filter })),
      fc.record({ filter: filterArb, limit: fc.integer({ min: 1, max: 4 }) }).map((o) => ({ kind: 'find' as const, ...o })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const driver = new MemoryDriver();
        const c = driver.collection<Entry>(indexed);
        let all: Entry[] = [];
        const byId = compareBy([], indexed);
        for (const o of ops) {
          if (o.kind === 'insert') {
            const fresh = !all.some((d) => d.id === o.doc.id);
            if (fresh) all.push(o.doc);
            expect(await c.insert(o.doc)).toBe(fresh);
          } else if (o.kind === 'update') {
            all = all.map((d) => (matches(d, o.filter, indexed) ? applyUpdate(d, o.update, indexed) : d));
            await c.updateMany(o.filter, o.update);
          } else if (o.kind === 'delete') {
            all = all.filter((d) => !matches(d, o.filter, indexed));
            await c.deleteMany(o.filter);
          } else {
            const sort = [['n', -1], ['tenant', 1]] as const;
            const want = all.filter((d) => matches(d, o.filter, indexed)).sort(compareBy(sort, indexed)).slice(0, o.limit);
            expect(await c.find(o.filter, { sort, limit: o.limit })).toEqual(want);
          }
          for (const tenant of ['t0', 't1']) {
            expect(await c.find({ tenant }, { sort: [] })).toEqual(all.filter((d) => d.tenant === tenant).sort(byId));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('regression: a document missing a later field of an index is still found by the fields before it', async () => {
    const c = new MemoryDriver().collection<{ id: string; tenant: string; n?: number }>({ name: 'x', fields: { tenant: 'string', n: 'number' }, indexes: [{ fields: ['tenant', 'n'] }] });
    await c.insert({ id: 'a', tenant: 't1' });
    await c.insert({ id: 'b', tenant: 't1', n: 2 });
    expect(await c.count({ tenant: 't1' })).toBe(2);
    expect(await c.count({ tenant: { $in: ['t1'] }, $or: [{}] })).toBe(2);
    expect(await c.count({ tenant: 't1', n: 2 })).toBe(1);
    expect(await c.count({ tenant: 't1', n: null })).toBe(1);
    expect(await c.updateMany({ tenant: { $eq: 't1' } }, { $inc: { n: 1 } })).toBe(2);
    expect(await c.count({ tenant: 't1', n: 1 })).toBe(1);
    await c.deleteMany({ id: 'a' });
    expect(await c.find({ tenant: 't1' })).toEqual([{ id: 'b', tenant: 't1', n: 3 }]);
  });

  it('refuses a second declaration of a collection with another spec', () => {
    const driver = new MemoryDriver();
    driver.collection(spec);
    expect(() => driver.collection({ ...spec, indexes: [] })).toThrow(/different/);
    expect(() => driver.collection({ ...spec })).not.toThrow();
  });

  it('is unusable once closed, and forgets everything', async () => {
    const driver = new MemoryDriver();
    const c = driver.collection<Entry>(spec);
    await c.insert({ id: 'a', tenant: 't', status: 's', n: 1 });
    await driver.close();
    await expect(c.get('a')).rejects.toThrow(StorageError);
    await expect(driver.ping()).rejects.toThrow(StorageError);
    expect(() => driver.collection(spec)).toThrow(StorageError);
  });
});

import { describe, expect, it } from 'vitest';
import { describeDriverConformance } from '../../__fixtures__/driver-conformance.js';
import { StorageError } from '../driver.js';
import type { CollectionSpec, Doc } from '../driver.js';
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
    expect(await ids({ key: 'k10' })).toEqual(['e010']);
    expect(await ids({ id: { $in: ['e001', 'e002', 'nope'] }, tenant: 't1' })).toEqual(['e001']);
    await c.updateMany({ tenant: 't1', status: 'queued' }, { $set: { status: 'sent' } });
    expect(await ids({ tenant: 't1', status: 'queued' })).toEqual([]);
    await c.deleteMany({ parts: 'p0' });
    expect(await ids({ parts: 'p0' })).toEqual([]);
    expect(await c.count({})).toBe(docs.filter((d) => !d.parts!.includes('p0')).length);
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

/**
 * The media record store on every driver (memory, SQLite, MongoDB when SWITCHBOARD_MONGODB_URI is
 * set), and the media store on each records-and-blobs pairing the host makes: memory + memory,
 * SQLite + a directory beside the database (the default), MongoDB + GridFS.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import { DocumentMediaRecordStore } from '../stores/document-media-store.js';
import { describeMediaRecordStoreConformance, describeMediaStoreConformance } from './__fixtures__/media-conformance.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
import { DocumentMediaJobStore, type MediaJob } from './media-job-store.js';
import { MemoryBlobStore } from './memory-blob-store.js';

describeOnDrivers('media records', (d) => describeMediaRecordStoreConformance(d.name, async () => {
  const opened = await d.open();
  return { records: new DocumentMediaRecordStore(opened.driver), close: () => opened.close() };
}));

describeMediaStoreConformance('memory driver + memory blobs', async () => {
  const driver = new MemoryDriver();
  const blobs = new MemoryBlobStore();
  return { records: new DocumentMediaRecordStore(driver), blobs, leftovers: async () => [], close: async () => { await blobs.close(); await driver.close(); } };
});

describeOnDrivers('media store', (d) => {
  if (d.name === 'memory') return;
  describeMediaStoreConformance(`${d.name} + its default blob store`, async () => {
    const opened = await d.open();
    if (d.name === 'mongodb') {
      const { GridFsBlobStore } = await import('./gridfs-blob-store.js');
      const driver = opened.driver as import('../stores/drivers/mongodb-driver.js').MongoDriver;
      const blobs = new GridFsBlobStore(driver);
      const { bucket, chunks } = driver.gridFsBucket('media_bytes');
      return {
        records: new DocumentMediaRecordStore(opened.driver), blobs,
        leftovers: async () => {
          const orphans: string[] = [];
          for (const id of await chunks.distinct('files_id')) if (!(await bucket.find({ _id: id }).hasNext())) orphans.push(String(id));
          return orphans;
        },
        close: () => opened.close(),
      };
    }
    const root = mkdtempSync(join(tmpdir(), 'switchboard-media-'));
    const blobs = await DirectoryBlobStore.open(join(root, 'media'));
    return {
      records: new DocumentMediaRecordStore(opened.driver), blobs,
      leftovers: async () => readdirSync(join(root, 'media', '.tmp')),
      close: async () => { await opened.close(); rmSync(root, { recursive: true, force: true }); },
    };
  });
});

describeOnDrivers('media jobs', (d) => {
  describe(`media job store: ${d.name}`, () => {
    const job = (id: string, at: number, channel = 'acme'): MediaJob => ({ id, tenantId: 't1', channel, accountId: 'a', attempts: 0, notBefore: new Date(at), createdAt: new Date(at) });

    it('leases due jobs of a channel once, counts attempts, takes over expired leases, and gives back only to the owner', async () => {
      const opened = await d.open();
      try {
        const jobs = new DocumentMediaJobStore(opened.driver);
        expect(await jobs.add(job('j1', 1000))).toBe(true);
        expect(await jobs.add(job('j1', 1000))).toBe(false);
        await jobs.add(job('j2', 2000));
        await jobs.add(job('j3', 9000));
        await jobs.add(job('other', 1000, 'zeta'));
        await jobs.add({ ...job('t2job', 1000), tenantId: 't2' });
        const now = new Date(5000);
        const first = await jobs.lease({ tenantId: 't1', channel: 'acme', owner: 'p1', limit: 10, leaseMs: 1000, now });
        expect(first.map((j) => [j.id, j.attempts, j.leaseOwner])).toEqual([['j1', 1, 'p1'], ['j2', 1, 'p1']]);
        expect(await jobs.lease({ tenantId: 't1', channel: 'acme', owner: 'p2', limit: 10, leaseMs: 1000, now })).toEqual([]);
        expect(await jobs.retry('j1', 'p2', new Date(7000), 'not mine')).toBe(false);
        expect(await jobs.retry('j1', 'p1', new Date(7000), 'platform 500')).toBe(true);
        // j2's lease ran out (p1 died): p2 takes it; j1 waits for its retry time
        const later = await jobs.lease({ tenantId: 't1', channel: 'acme', owner: 'p2', limit: 10, leaseMs: 1000, now: new Date(6500) });
        expect(later.map((j) => [j.id, j.attempts, j.leaseOwner])).toEqual([['j2', 2, 'p2']]);
        expect((await jobs.get('t1', 'j1'))).toMatchObject({ lastError: 'platform 500', notBefore: new Date(7000) });
        expect((await jobs.get('t1', 'j1'))!.leaseOwner).toBeUndefined();
        expect(await jobs.get('t2', 'j1')).toBeUndefined();
        expect(await jobs.remove('t2', 'j1')).toBe(false);
        expect(await jobs.remove('t1', 'j1')).toBe(true);
      } finally {
        await opened.close();
      }
    });

    it('two owners racing for the same jobs each get different ones', async () => {
      const opened = await d.open();
      try {
        const jobs = new DocumentMediaJobStore(opened.driver);
        for (let i = 0; i < 20; i++) await jobs.add(job(`r${String(i).padStart(2, '0')}`, 1000 + i));
        const now = new Date(5000);
        const [a, b] = await Promise.all([
          jobs.lease({ tenantId: 't1', channel: 'acme', owner: 'a', limit: 15, leaseMs: 1000, now }),
          jobs.lease({ tenantId: 't1', channel: 'acme', owner: 'b', limit: 15, leaseMs: 1000, now }),
        ]);
        const ids = [...a, ...b].map((j) => j.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(20);
      } finally {
        await opened.close();
      }
    });
  });
});

/**
 * The media record store on every driver (memory, SQLite, MongoDB when SWITCHBOARD_MONGODB_URI is
 * set), and the media store on each records-and-blobs pairing the host makes: memory + memory,
 * SQLite + a directory beside the database (the default), MongoDB + GridFS.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import { DocumentMediaRecordStore } from '../stores/document-media-store.js';
import { describeMediaRecordStoreConformance, describeMediaStoreConformance } from './__fixtures__/media-conformance.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
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

/**
 * The blob store contract on every implementation: memory, a directory, and MongoDB GridFS when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunked, describeBlobStoreConformance, pattern } from './__fixtures__/media-conformance.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
import { MemoryBlobStore } from './memory-blob-store.js';

describeBlobStoreConformance('memory', async () => {
  const store = new MemoryBlobStore();
  return { store, leftovers: async () => [], close: () => store.close() };
});

/** Every regular file under a directory, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

describeBlobStoreConformance('directory', async () => {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-blobs-'));
  const store = await DirectoryBlobStore.open(join(root, 'media'));
  return {
    store,
    leftovers: async () => readdirSync(join(root, 'media', '.tmp')),
    close: async () => { await store.close(); rmSync(root, { recursive: true, force: true }); },
  };
});

describe('directory blob store', () => {
  it('keeps each file under its key, private to the host user; a deleted file leaves no file behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-blobs-'));
    try {
      const store = await DirectoryBlobStore.open(join(root, 'media'));
      await store.write('acme/ab/abc', chunked(pattern(5000)).body, { maxBytes: 1e6 });
      await store.write('acme/cd/cde', chunked(pattern(5000)).body, { maxBytes: 1e6 });
      expect(filesUnder(join(root, 'media'))).toEqual(['acme/ab/abc', 'acme/cd/cde']);
      if (process.platform !== 'win32') expect(statSync(join(root, 'media', 'acme', 'ab', 'abc')).mode & 0o777).toBe(0o600);
      await store.delete('acme/ab/abc');
      await store.delete('acme/cd/cde');
      expect(filesUnder(join(root, 'media'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the sweep removes temporary files of writes a crash interrupted, once old enough', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-blobs-'));
    try {
      const store = await DirectoryBlobStore.open(root);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(root, '.tmp', 'left-by-a-crash'), 'partial');
      const written = statSync(join(root, '.tmp', 'left-by-a-crash')).mtimeMs;
      expect(await store.sweep(new Date(written - 1))).toBe(0);
      expect(await store.sweep(new Date(written + 1))).toBe(1);
      expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says where it failed when the directory cannot be created', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-blobs-'));
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(root, 'file'), 'not a directory');
      await expect(DirectoryBlobStore.open(join(root, 'file', 'media'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', where: join(root, 'file', 'media') });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

const uri = process.env.SWITCHBOARD_MONGODB_URI;
if (uri) {
  let n = 0;
  describeBlobStoreConformance('gridfs', async () => {
    const { MongoDriver } = await import('../stores/drivers/mongodb-driver.js');
    const { GridFsBlobStore } = await import('./gridfs-blob-store.js');
    const driver = await MongoDriver.connect(uri, { dbName: `switchboard_blobs_${process.pid}_${n++}` });
    await driver.clear();
    const store = new GridFsBlobStore(driver);
    const { bucket, chunks } = driver.gridFsBucket('media_bytes');
    return {
      store,
      leftovers: async () => {
        const ids = await chunks.distinct('files_id');
        const orphans: string[] = [];
        for (const id of ids) if (!(await bucket.find({ _id: id }).hasNext())) orphans.push(String(id));
        return orphans;
      },
      close: async () => { await driver.clear(); await driver.close(); },
    };
  });
} else {
  console.log('GridFS blob store: SWITCHBOARD_MONGODB_URI is not set — its contract suite was skipped');
  describe('blob store contract: gridfs', () => {
    // skipped: no MongoDB server can be installed on these machines; set SWITCHBOARD_MONGODB_URI to run it
    it.skip('needs SWITCHBOARD_MONGODB_URI (a MongoDB replica set, e.g. mongodb://localhost:27017/?replicaSet=rs0)', () => {});
  });
}

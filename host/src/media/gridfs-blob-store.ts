/**
 * Media bytes in MongoDB GridFS, with the MongoDB storage driver: every host process connected to
 * the deployment reads the same files. The mongodb driver comes with mongoose (an optional peer of
 * the host), reached through the open {@link MongoDriver}, so nothing here loads it on a SQLite host.
 *
 * A write streams into an upload (255 KiB chunks); its files document is written last, so a key's
 * file is complete once visible. A write past its limit or failing aborts the upload, which removes
 * its chunks; a crash mid-upload leaves chunks without a files document, which
 * {@link GridFsBlobStore.sweep} removes. A second write to a key replaces the first once complete.
 * @module
 */
import { once } from 'node:events';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { mongo } from 'mongoose';
import { StorageError } from '../stores/driver.js';
import type { MongoDriver } from '../stores/drivers/mongodb-driver.js';
import { checkRange } from './directory-blob-store.js';
import { BlobTooLargeError, checkBlobKey, type BlobStore, type BlobWriteOptions, type BlobWritten, type ByteRange } from './media-store.js';
import { createHash } from 'node:crypto';

/** The bucket's name (prefixed by the driver: `sb_media_bytes.files`, `sb_media_bytes.chunks`). */
export const GRIDFS_BUCKET = 'media_bytes';

/** {@link BlobStore} on a MongoDB GridFS bucket. */
export class GridFsBlobStore implements BlobStore {
  readonly kind = 'gridfs';
  readonly where: string;
  private readonly bucket: mongo.GridFSBucket;
  private readonly chunks: mongo.Collection;

  /**
   * @param driver - the open MongoDB storage driver (the bucket lives in its database)
   * @param name - the bucket's name without the driver's prefix
   */
  constructor(driver: Pick<MongoDriver, 'gridFsBucket'>, name = GRIDFS_BUCKET) {
    const { bucket, chunks, where } = driver.gridFsBucket(name);
    this.bucket = bucket;
    this.chunks = chunks;
    this.where = where;
  }

  async write(key: string, body: AsyncIterable<Uint8Array>, options: BlobWriteOptions): Promise<BlobWritten> {
    checkBlobKey(key);
    options.signal?.throwIfAborted();
    const upload = this.bucket.openUploadStream(key, { metadata: { key } });
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        size += chunk.byteLength;
        if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
        hash.update(chunk);
        if (!upload.write(chunk)) await once(upload, 'drain');
      }
      options.signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        upload.once('error', reject);
        upload.end(() => resolve());
      });
    } catch (error) {
      // removes the chunks written so far
      await upload.abort().catch(() => undefined);
      if (error instanceof BlobTooLargeError || (error as Error).name === 'AbortError') throw error;
      if ((error as Error).name?.startsWith('Mongo')) throw new StorageError('unavailable', this.where, `cannot write ${key}: ${(error as Error).message}`, error);
      throw error;
    }
    // the older versions of the key, now replaced
    for (const old of await this.bucket.find({ filename: key, _id: { $ne: upload.id } }).toArray()) {
      await this.bucket.delete(old._id).catch(() => undefined);
    }
    return { size, sha256: hash.digest('hex') };
  }

  private async latest(key: string): Promise<mongo.GridFSFile | null> {
    return this.bucket.find({ filename: checkBlobKey(key) }).sort({ uploadDate: -1, _id: -1 }).limit(1).next();
  }

  async size(key: string): Promise<number | undefined> {
    return (await this.latest(key))?.length;
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const file = await this.latest(key);
    if (!file) return undefined;
    if (range) checkRange(range, file.length);
    // GridFS's end is exclusive
    return this.bucket.openDownloadStream(file._id, range ? { start: range.start, end: range.end + 1 } : {});
  }

  async openBlob(key: string): Promise<{ blob: Blob; release(): Promise<void> } | undefined> {
    const stream = await this.read(key);
    if (!stream) return undefined;
    // a Blob backed by a file: the bytes are copied to a private temporary file, never held in memory
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-media-'));
    const release = (): Promise<void> => rm(dir, { recursive: true, force: true });
    try {
      const path = join(dir, 'file');
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
      return { blob: await openAsBlob(path), release };
    } catch (error) {
      await release();
      throw error;
    }
  }

  async delete(key: string): Promise<boolean> {
    const files = await this.bucket.find({ filename: checkBlobKey(key) }).toArray();
    for (const f of files) await this.bucket.delete(f._id);
    return files.length > 0;
  }

  async *keys(prefix = ''): AsyncIterable<string> {
    const start = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
    const filter = start === '' ? {} : { filename: { $regex: `^${start.replace(/[^A-Za-z0-9/]/g, (c) => `\\${c}`)}` } };
    const names = new Set<string>();
    for await (const f of this.bucket.find(filter, { projection: { filename: 1 } })) names.add(f.filename);
    yield* [...names].sort();
  }

  async sweep(before: Date): Promise<number> {
    // chunks of uploads that never wrote their files document (a crash mid-upload), old enough that
    // no upload is still running: ObjectIds carry their creation time
    const orphans: mongo.ObjectId[] = [];
    const fileIds = await this.chunks.distinct('files_id', { n: 0 }) as mongo.ObjectId[];
    for (const id of fileIds) {
      if (typeof id?.getTimestamp !== 'function' || id.getTimestamp().getTime() >= before.getTime()) continue;
      if (!(await this.bucket.find({ _id: id }).limit(1).hasNext())) orphans.push(id);
    }
    if (orphans.length > 0) await this.chunks.deleteMany({ files_id: { $in: orphans } });
    return orphans.length;
  }

  async close(): Promise<void> {
    // the driver owns the connection
  }
}

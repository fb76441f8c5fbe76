/**
 * Media bytes in memory: for unit tests and the explicit ephemeral mode (nothing survives the
 * process). The one blob store that holds whole files in memory, by its nature.
 * @module
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { checkRange } from './directory-blob-store.js';
import { BlobTooLargeError, checkBlobKey, type BlobStore, type BlobWriteOptions, type BlobWritten, type ByteRange } from './media-store.js';

/** {@link BlobStore} in memory. */
export class MemoryBlobStore implements BlobStore {
  readonly kind = 'memory';
  readonly where = 'memory';
  private readonly blobs = new Map<string, Buffer>();

  async write(key: string, body: AsyncIterable<Uint8Array>, options: BlobWriteOptions): Promise<BlobWritten> {
    checkBlobKey(key);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    options.signal?.throwIfAborted();
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      size += chunk.byteLength;
      if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
      hash.update(chunk);
      // a copy: the caller may reuse its buffer
      chunks.push(Buffer.from(chunk));
    }
    options.signal?.throwIfAborted();
    this.blobs.set(key, Buffer.concat(chunks, size));
    return { size, sha256: hash.digest('hex') };
  }

  async size(key: string): Promise<number | undefined> {
    return this.blobs.get(checkBlobKey(key))?.length;
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const bytes = this.blobs.get(checkBlobKey(key));
    if (!bytes) return undefined;
    if (range) checkRange(range, bytes.length);
    const part = range ? bytes.subarray(range.start, range.end + 1) : bytes;
    // in chunks of 64 KiB, as a file would stream
    return Readable.from((function* () { for (let i = 0; i < part.length; i += 65536) yield part.subarray(i, i + 65536); })(), { objectMode: false });
  }

  async openBlob(key: string): Promise<{ blob: Blob; release(): Promise<void> } | undefined> {
    const bytes = this.blobs.get(checkBlobKey(key));
    return bytes ? { blob: new Blob([bytes]), release: async () => undefined } : undefined;
  }

  async delete(key: string): Promise<boolean> {
    return this.blobs.delete(checkBlobKey(key));
  }

  async *keys(prefix = ''): AsyncIterable<string> {
    const start = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
    for (const key of [...this.blobs.keys()].sort()) if (start === '' || key.startsWith(start)) yield key;
  }

  async sweep(): Promise<number> {
    // a write either finishes or keeps nothing: there is never anything left behind
    return 0;
  }

  async close(): Promise<void> {
    this.blobs.clear();
  }
}

/**
 * Media bytes as files in a directory: the embedded default, beside the SQLite database
 * (`<db dir>/media/`). A write goes to a temporary file in `.tmp/` (same file system), is synced,
 * renamed into place and its directory synced, so a file under its key is always complete and
 * durable; a crash leaves at most a temporary file, which {@link DirectoryBlobStore.sweep} removes.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StorageError, type StorageFailure } from '../stores/driver.js';
import { BlobTooLargeError, checkBlobKey, type BlobStore, type BlobWriteOptions, type BlobWritten, type ByteRange } from './media-store.js';

/** The folder of unfinished writes inside the root. */
const TEMP = '.tmp';

/** {@link BlobStore} on a directory of the local file system. */
export class DirectoryBlobStore implements BlobStore {
  readonly kind = 'directory';
  /** The root directory (absolute). */
  readonly where: string;

  private constructor(root: string) {
    this.where = root;
  }

  /**
   * Opens (creating when missing, mode 0700) a directory store.
   * @param root - the directory; relative paths resolve against the working directory
   * @returns the store
   * @throws StorageError when the directory cannot be created or written
   */
  static async open(root: string): Promise<DirectoryBlobStore> {
    const absolute = resolve(root);
    try {
      await mkdir(join(absolute, TEMP), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw fsError(error, absolute, 'cannot create the media directory');
    }
    return new DirectoryBlobStore(absolute);
  }

  /** The file of a key. */
  pathOf(key: string): string {
    return join(this.where, ...checkBlobKey(key).split('/'));
  }

  async write(key: string, body: AsyncIterable<Uint8Array>, options: BlobWriteOptions): Promise<BlobWritten> {
    const target = this.pathOf(key);
    const temp = join(this.where, TEMP, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    let handle: import('node:fs/promises').FileHandle | undefined;
    try {
      options.signal?.throwIfAborted();
      handle = await open(temp, 'wx', 0o600);
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        size += chunk.byteLength;
        // stop reading at once: the rest of the body is never taken
        if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
        hash.update(chunk);
        for (let written = 0; written < chunk.byteLength;) {
          written += (await handle.write(chunk, written, chunk.byteLength - written)).bytesWritten;
        }
      }
      options.signal?.throwIfAborted();
      await handle.sync();
      await handle.close();
      handle = undefined;
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await rename(temp, target);
      await syncDirectory(dirname(target));
      return { size, sha256: hash.digest('hex') };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      if (error instanceof BlobTooLargeError || isAbort(error) || !isFsError(error)) throw error;
      throw fsError(error, this.where, `cannot write ${key}`);
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined;
      throw fsError(error, this.where, `cannot read ${key}`);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    let handle: import('node:fs/promises').FileHandle;
    try {
      // the open handle keeps the bytes readable even when the file is deleted meanwhile
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined;
      throw fsError(error, this.where, `cannot read ${key}`);
    }
    try {
      const { size } = await handle.stat();
      if (range) checkRange(range, size);
      return handle.createReadStream({ ...(range ? { start: range.start, end: range.end } : {}), autoClose: true });
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async openBlob(key: string): Promise<{ blob: Blob; release(): Promise<void> } | undefined> {
    const path = this.pathOf(key);
    try {
      // openAsBlob reports a missing file as an invalid argument: look first
      await stat(path);
      return { blob: await openAsBlob(path), release: async () => undefined };
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined;
      throw fsError(error, this.where, `cannot read ${key}`);
    }
  }

  async delete(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (code(error) === 'ENOENT') return false;
      throw fsError(error, this.where, `cannot delete ${key}`);
    }
    // the removal itself is made durable, so an erased file does not come back after a power cut
    await syncDirectory(dirname(path));
    return true;
  }

  async *keys(prefix = ''): AsyncIterable<string> {
    const start = prefix.replace(/\/+$/, '');
    if (start !== '') checkBlobKey(start);
    yield* walk(start === '' ? this.where : join(this.where, ...start.split('/')), start);
  }

  async sweep(before: Date): Promise<number> {
    let removed = 0;
    const dir = join(this.where, TEMP);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < before.getTime()) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    // nothing held open: every read and write opens and closes its own file
  }
}

async function* walk(dir: string, key: string): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return;
    throw error;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (key === '' && e.name === TEMP) continue;
    const child = key === '' ? e.name : `${key}/${e.name}`;
    if (e.isDirectory()) yield* walk(join(dir, e.name), child);
    else if (e.isFile()) yield child;
  }
}

/**
 * Checks a range against a size.
 * @param range - inclusive range
 * @param size - the bytes' length
 * @throws RangeError when it is outside
 */
export function checkRange(range: ByteRange, size: number): void {
  if (!(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < size)) {
    throw new RangeError(`range ${range.start}-${range.end} is outside 0-${size - 1}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // a directory cannot be opened for fsync on every platform (Windows): the rename is then as durable as the OS makes it
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try { await handle.sync(); } catch { /* not supported on this file system */ } finally { await handle.close().catch(() => undefined); }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isFsError(error: unknown): boolean {
  return typeof code(error) === 'string' && /^E[A-Z]+$/.test(code(error)!);
}

function isAbort(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'AbortError';
}

function fsError(error: unknown, where: string, what: string): StorageError {
  const c = code(error);
  const failure: StorageFailure = c === 'ENOSPC' || c === 'EDQUOT' ? 'full' : c === 'EACCES' || c === 'EPERM' || c === 'EROFS' ? 'readonly' : 'unavailable';
  return new StorageError(failure, where, `${what}: ${(error as Error).message}`, error);
}

/**
 * Reads a whole zip in a test with yauzl (the reader from yazl's author), checking every entry's
 * sizes and CRC as it goes.
 */
import { buffer as readAll } from 'node:stream/consumers';
import { fromBufferPromise, type Entry } from 'yauzl';

/** One entry of a zip, in archive order. */
export interface ZipEntry {
  name: string;
  bytes: Buffer;
  /** 0 stored, 8 deflated. */
  compressionMethod: number;
  /** The entry's modification time as the archive records it. */
  modified: Date;
}

/**
 * @param zip - the archive's bytes
 * @returns its entries in archive order
 * @throws yauzl's error for anything that is not a whole, valid zip (a truncated one included)
 */
export async function readZip(zip: Buffer): Promise<ZipEntry[]> {
  const file = await fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  const entries: ZipEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    file.on('error', reject);
    file.on('end', () => resolve());
    file.on('entry', (entry: Entry) => {
      file.openReadStreamPromise(entry).then((stream) => readAll(stream)).then((bytes) => {
        entries.push({ name: entry.fileName, bytes, compressionMethod: entry.compressionMethod, modified: entry.getLastModDate() });
        file.readEntry();
      }, reject);
    });
    file.readEntry();
  });
  return entries;
}

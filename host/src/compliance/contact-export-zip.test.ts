/**
 * The zip export: the manifest lists every file and the zip holds the bytes of each one not
 * quarantined, equal to what the media store keeps; a file whose bytes went away is listed with
 * the reason; a failure or a client that leaves cuts the output and closes the store's stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplePdf, samplePng } from '@switchboard/core';
import { HostMediaStore } from '../media/host-media-store.js';
import type { MediaScanner } from '../media/media-policy.js';
import type { MediaContent, MediaRecord } from '../media/media-store.js';
import { MemoryBlobStore } from '../media/memory-blob-store.js';
import { DocumentMediaRecordStore } from '../stores/document-media-store.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import { readZip } from './__fixtures__/read-zip.js';
import { describeMediaFile, type ContactMediaFile } from './contact-media.js';
import { buildOpenApi } from '../api/openapi.js';
import {
  ContactExportQuerySchema, exportFormatOf, mediaPathOf, writeContactExportZip, ZIP_CONTENT_TYPE, type ContactExportManifest,
} from './contact-export-zip.js';
import type { ContactExport } from './contact-privacy.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A scanner that rejects files named `virus…`. */
const scanner: MediaScanner = async (input) => {
  input.body.destroy();
  return input.filename?.startsWith('virus') ? { verdict: 'reject', reason: `test signature in ${input.filename}` } : { verdict: 'clean' };
};

function mediaStore(blobs = new MemoryBlobStore()): { store: HostMediaStore; blobs: MemoryBlobStore } {
  return { store: new HostMediaStore({ records: new DocumentMediaRecordStore(new MemoryDriver()), blobs, scanner, now: () => NOW }), blobs };
}

async function put(store: HostMediaStore, body: Buffer, filename: string): Promise<MediaRecord> {
  const result = await store.put('t1', Readable.from([body]), { origin: 'inbound', filename, messageId: `m-${filename}`, conversationId: 'c1', contactId: 'k1' });
  if (!result.stored) throw new Error(result.reason);
  return result.record;
}

/** A JSON export naming the files (the rest of it is only carried into the manifest). */
function exportOf(media: ContactMediaFile[]): ContactExport {
  return { format: 'switchboard.contact-export/1', exportedAt: new Date(NOW), tenantId: 't1', contact: { id: 'k1' }, media } as unknown as ContactExport;
}

/** Collects what is written. */
function sink(): { out: PassThrough; bytes: Promise<Buffer> } {
  const out = new PassThrough();
  return { out, bytes: readAll(out) };
}

describe('zip export', () => {
  it('holds manifest.json and every file not quarantined, byte for byte; quarantined ones are listed with the reason', async () => {
    const { store } = mediaStore();
    const photo = samplePng(16, [10, 200, 30]);
    const pdf = samplePdf('Invoice 2026-031 for Ann');
    const note = Buffer.from('Plain text the customer sent as a file.\n'.repeat(50));
    const records = [await put(store, photo, 'car.png'), await put(store, pdf, 'invoice.pdf'), await put(store, note, 'virus.txt'), await put(store, note, 'note.txt')];
    expect(records[2]!.quarantine?.reason).toBe('test signature in virus.txt');
    const files = records.map(describeMediaFile);

    const { out, bytes } = sink();
    const summary = await writeContactExportZip(exportOf(files), store, out);
    expect(summary).toEqual({ files: 3, bytes: photo.length + pdf.length + note.length, excluded: 1 });
    const entries = await readZip(await bytes);

    // the files first (as the zip took them), the manifest last
    expect(entries.map((e) => e.name)).toEqual([mediaPathOf(files[0]!), mediaPathOf(files[1]!), mediaPathOf(files[3]!), 'manifest.json']);
    expect(entries.map((e) => e.name).slice(0, 3)).toEqual([`media/${records[0]!.id}.png`, `media/${records[1]!.id}.pdf`, `media/${records[3]!.id}.txt`]);
    const manifest = JSON.parse(entries[3]!.bytes.toString('utf8')) as ContactExportManifest;
    expect(manifest.format).toBe('switchboard.contact-export/1');
    expect(manifest.contact).toEqual({ id: 'k1' });
    expect(manifest.media.map((m) => m.id)).toEqual(records.map((r) => r.id));
    expect(manifest.media[2]).toEqual({
      ...JSON.parse(JSON.stringify(files[2])), excluded: 'quarantined: test signature in virus.txt',
    });
    expect(manifest.media[2]!.path).toBeUndefined();
    for (const [i, original] of [[0, photo], [1, pdf], [3, note]] as const) {
      const m = manifest.media[i]!;
      const entry = entries.find((e) => e.name === m.path)!;
      expect(entry.bytes.equals(original)).toBe(true);
      expect(sha(entry.bytes)).toBe(m.sha256);
      expect(m).toMatchObject({ id: records[i]!.id, messageId: records[i]!.messageId, kind: records[i]!.kind, contentType: records[i]!.contentType, size: original.length, sha256: records[i]!.sha256 });
      expect(entry.modified.getTime()).toBe(NOW);
    }
    // a picture is stored as it is, text is deflated
    expect(entries[0]!.compressionMethod).toBe(0);
    expect(entries[2]!.compressionMethod).toBe(8);
    // no quarantined byte anywhere in the archive
    expect((await bytes).includes(Buffer.from('Plain text the customer sent'))).toBe(false);
  });

  it('lists a file whose bytes went away with the reason, and still writes the others', async () => {
    const { store, blobs } = mediaStore();
    const kept = await put(store, samplePng(8, [1, 2, 3]), 'a.png');
    const lost = await put(store, samplePng(8, [4, 5, 6]), 'b.png');
    for await (const key of blobs.keys()) if (key.endsWith(lost.id)) await blobs.delete(key);
    const { out, bytes } = sink();
    expect(await writeContactExportZip(exportOf([kept, lost].map(describeMediaFile)), store, out)).toMatchObject({ files: 1, excluded: 1 });
    const entries = await readZip(await bytes);
    const manifest = JSON.parse(entries.at(-1)!.bytes.toString('utf8')) as ContactExportManifest;
    expect(entries.map((e) => e.name)).toEqual([`media/${kept.id}.png`, 'manifest.json']);
    expect(manifest.media[1]).toMatchObject({ id: lost.id, excluded: expect.stringContaining('no longer in the media store') });
  });

  it('writes a zip with only the manifest when the contact has no file', async () => {
    const { store } = mediaStore();
    const { out, bytes } = sink();
    expect(await writeContactExportZip(exportOf([]), store, out)).toEqual({ files: 0, bytes: 0, excluded: 0 });
    const entries = await readZip(await bytes);
    expect(entries.map((e) => e.name)).toEqual(['manifest.json']);
    expect(JSON.parse(entries[0]!.bytes.toString('utf8'))).toMatchObject({ tenantId: 't1', media: [] });
  });

  /** A store whose one file (a video: stored as it is) streams `size` random bytes in 1 KiB chunks as they are read, and says when it is closed. */
  function slowStore(size: number, recordedSize = size): { store: { read: () => Promise<MediaContent> }; closed: Promise<void>; file: ContactMediaFile; pulled: () => number } {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => { close = resolve; });
    let pulled = 0;
    const body = Readable.from((function* () {
      for (let sent = 0; sent < size; sent += 1024) { const chunk = randomBytes(Math.min(1024, size - sent)); pulled += chunk.length; yield chunk; }
    })(), { objectMode: false, highWaterMark: 1024 });
    body.once('close', () => close());
    const file: ContactMediaFile = { id: 'f1', kind: 'video', contentType: 'video/mp4', size: recordedSize, sha256: '0'.repeat(64), origin: 'upload', createdAt: new Date(NOW) };
    return { store: { read: async () => ({ record: file as MediaRecord, length: recordedSize, body }) }, closed, file, pulled: () => pulled };
  }

  it('when the client leaves, the output is cut and the store\'s stream is closed (nothing keeps it open)', async () => {
    const { store, closed, file, pulled } = slowStore(4 * 1024 * 1024);
    let received = 0;
    // a client that reads 64 KiB and then goes away
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received >= 64 * 1024) { done(); this.destroy(); return; }
        done();
      },
    });
    await expect(writeContactExportZip(exportOf([file]), store, out)).rejects.toThrow();
    await closed;
    // streamed: what was read from the store stayed near what the client took, far from the 4 MiB file
    expect(received).toBeLessThan(1024 * 1024);
    expect(pulled()).toBeLessThan(1024 * 1024);
  });

  it('a stream that yields other than the recorded size fails the export and cuts the output', async () => {
    const { store, closed, file } = slowStore(10_000, 12_000);
    const { out, bytes } = sink();
    const failed = writeContactExportZip(exportOf([file]), store, out);
    await expect(failed).rejects.toThrow();
    await closed;
    expect(out.destroyed).toBe(true);
    await expect(bytes).rejects.toThrow();
  });

  it('property: for any set of files, the zip holds exactly the files not quarantined, each equal to its stored bytes, and the manifest lists all of them', async () => {
    const fileArb = fc.record({
      kind: fc.constantFrom('text', 'png', 'pdf'),
      text: fc.string({ unit: fc.constantFrom(...'abcdefghij KLMNOP 0123456789.,\n'.split('')), minLength: 1, maxLength: 3000 }),
      colour: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)),
      size: fc.integer({ min: 1, max: 24 }),
      quarantined: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fc.array(fileArb, { maxLength: 6 }), async (specs) => {
      const { store } = mediaStore();
      const originals = new Map<string, Buffer>();
      const records: MediaRecord[] = [];
      for (const [i, s] of specs.entries()) {
        const body = s.kind === 'png' ? samplePng(s.size, s.colour) : s.kind === 'pdf' ? samplePdf(s.text.replace(/\n/g, ' ').trim() || 'x') : Buffer.from(s.text);
        const r = await put(store, body, `${s.quarantined ? 'virus' : 'file'}-${i}`);
        originals.set(r.id, body);
        records.push(r);
      }
      const { out, bytes } = sink();
      await writeContactExportZip(exportOf(records.map(describeMediaFile)), store, out);
      const entries = await readZip(await bytes);
      const manifest = JSON.parse(entries.at(-1)!.bytes.toString('utf8')) as ContactExportManifest;
      expect(manifest.media.map((m) => m.id)).toEqual(records.map((r) => r.id));
      const served = records.filter((r) => !r.quarantine);
      expect(entries.slice(0, -1).map((e) => e.name)).toEqual(served.map((r) => mediaPathOf(r)));
      for (const r of served) {
        const entry = entries.find((e) => e.name === mediaPathOf(r))!;
        expect(entry.bytes.equals(originals.get(r.id)!)).toBe(true);
        expect(sha(entry.bytes)).toBe(r.sha256);
      }
      for (const m of manifest.media) expect(m.path === undefined).toBe(m.quarantined !== undefined);
    }), { numRuns: 25 });
  });
});

describe('zip paths and the answer format', () => {
  it('property: a path in the zip is always media/<safe id>.<ext>, whatever the id and type', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 80 }), (id, contentType) => {
      expect(mediaPathOf({ id, contentType })).toMatch(/^media\/[A-Za-z0-9_-]{1,128}\.[a-z0-9]{1,5}$/);
    }));
    expect(mediaPathOf({ id: '../../etc/passwd', contentType: 'image/jpeg' })).toBe('media/______etc_passwd.jpg');
    expect(mediaPathOf({ id: 'abc', contentType: 'audio/ogg; codecs=opus' })).toBe('media/abc.ogg');
    expect(mediaPathOf({ id: 'abc', contentType: 'application/x-unknown' })).toBe('media/abc.bin');
  });

  it('a content type named like an object\'s own members gets bin, not the prototype (fast-check found media/_.[object Object])', () => {
    for (const contentType of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(mediaPathOf({ id: 'abc', contentType })).toBe('media/abc.bin');
    }
  });

  it('the OpenAPI document names the format query, the Accept header and both answers', () => {
    const get = (buildOpenApi() as { paths: Record<string, { get: { parameters: { name: string; schema: { enum?: string[] } }[]; responses: { 200: { content: Record<string, unknown> } } } }> }).paths['/v1/contacts/{id}/export']!.get;
    expect(get.parameters.find((p) => p.name === 'format')?.schema.enum).toEqual(ContactExportQuerySchema.shape.format.unwrap().options);
    expect(get.parameters.map((p) => p.name)).toContain('Accept');
    expect(Object.keys(get.responses[200].content).sort()).toEqual(['application/json', ZIP_CONTENT_TYPE]);
  });

  it('format: the query wins, else Accept chooses between JSON and zip, JSON by default', () => {
    const accepting = (header: string | undefined) => (types: string[]): string | false => {
      if (header === undefined || header === '*/*') return types[0]!;
      const ranked = header.split(',').map((p) => p.trim().split(';')[0]!);
      return ranked.find((t) => types.includes(t)) ?? false;
    };
    expect(exportFormatOf('zip', accepting('application/json'))).toBe('zip');
    expect(exportFormatOf('json', accepting('application/zip'))).toBe('json');
    expect(exportFormatOf(undefined, accepting(undefined))).toBe('json');
    expect(exportFormatOf(undefined, accepting('*/*'))).toBe('json');
    expect(exportFormatOf(undefined, accepting('application/zip'))).toBe('zip');
    expect(exportFormatOf(undefined, accepting('text/html'))).toBe('json');
  });
});

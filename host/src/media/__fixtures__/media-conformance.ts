/**
 * The media contracts' conformance suites: one for every {@link BlobStore} (memory, directory,
 * GridFS), one for the {@link MediaRecordStore} on every storage driver, one for the
 * {@link MediaStore} on a records-and-blobs pairing. Nothing here depends on machine speed: times
 * come from a manual clock, and streams are driven by generators the tests control.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, sampleMedia } from '@switchboard/core';
import { BlobTooLargeError, type BlobStore, type MediaRecordStore, type StoredMediaRecord } from '../media-store.js';
import { HostMediaStore } from '../host-media-store.js';
import { DEFAULT_MEDIA_LIMITS, mergeMediaLimits, type MediaLimits, type MediaScanner } from '../media-policy.js';

/** An open blob store under test. */
export interface OpenedBlobStore {
  store: BlobStore;
  /** What interrupted or refused writes left behind in the medium (temp files, chunks); [] when nothing. */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

/** Bytes 0..n-1 with a pattern, so a misplaced range shows. */
export function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return b;
}

/** A body in chunks of `size`, counting how many bytes were taken from it. */
export function chunked(bytes: Buffer, size = 1000): { body: AsyncIterable<Uint8Array>; taken: () => number } {
  let taken = 0;
  return {
    body: (async function* () {
      for (let i = 0; i < bytes.length; i += size) {
        const c = bytes.subarray(i, i + size);
        taken += c.length;
        yield c;
      }
    })(),
    taken: () => taken,
  };
}

/** A body that yields some bytes, then fails. */
function failing(bytes: Buffer): AsyncIterable<Uint8Array> {
  return (async function* () {
    yield bytes;
    throw new Error('the peer went away');
  })();
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readKey(store: BlobStore, key: string, range?: { start: number; end: number }): Promise<Buffer | undefined> {
  const s = await store.read(key, range);
  return s ? readAll(s) : undefined;
}

async function allKeys(store: BlobStore, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of store.keys(prefix)) keys.push(k);
  return keys;
}

/**
 * The {@link BlobStore} contract.
 * @param name - the implementation's name
 * @param open - opens a fresh, empty store
 */
export function describeBlobStoreConformance(name: string, open: () => Promise<OpenedBlobStore>): void {
  describe(`blob store contract: ${name}`, () => {
    let opened: OpenedBlobStore;
    let store: BlobStore;
    beforeEach(async () => { opened = await open(); store = opened.store; });
    afterEach(async () => { await opened.close(); });

    it('writes a streamed body and reads the same bytes back, with their size and SHA-256', async () => {
      const bytes = pattern(300_000);
      const written = await store.write('t1/ab/f1', chunked(bytes, 4096).body, { maxBytes: 1_000_000 });
      expect(written).toEqual({ size: bytes.length, sha256: sha(bytes) });
      expect(await store.size('t1/ab/f1')).toBe(bytes.length);
      expect((await readKey(store, 't1/ab/f1'))!.equals(bytes)).toBe(true);
    });

    it('keeps an empty file', async () => {
      expect(await store.write('t1/e', chunked(Buffer.alloc(0)).body, { maxBytes: 10 })).toEqual({ size: 0, sha256: sha(Buffer.alloc(0)) });
      expect(await store.size('t1/e')).toBe(0);
      expect((await readKey(store, 't1/e'))!.length).toBe(0);
    });

    it('reads inclusive byte ranges, and refuses one outside the bytes', async () => {
      const bytes = pattern(100_000);
      await store.write('t1/r', chunked(bytes).body, { maxBytes: 1e6 });
      for (const [start, end] of [[0, 0], [0, 99_999], [99_999, 99_999], [1234, 70_000], [65_535, 65_537]] as const) {
        expect((await readKey(store, 't1/r', { start, end }))!.equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      }
      await expect(store.read('t1/r', { start: 5, end: 100_000 })).rejects.toBeInstanceOf(RangeError);
      await expect(store.read('t1/r', { start: 10, end: 9 })).rejects.toBeInstanceOf(RangeError);
    });

    it('refuses a body past maxBytes, stops reading it, and keeps nothing', async () => {
      const source = chunked(pattern(50_000), 1000);
      await expect(store.write('t1/big', source.body, { maxBytes: 10_500 })).rejects.toBeInstanceOf(BlobTooLargeError);
      // the chunk that crossed the limit was the last one taken
      expect(source.taken()).toBe(11_000);
      expect(await store.size('t1/big')).toBeUndefined();
      expect(await store.read('t1/big')).toBeUndefined();
      expect(await allKeys(store)).toEqual([]);
      expect(await opened.leftovers()).toEqual([]);
    });

    it('keeps nothing of a body that fails or a write that is aborted', async () => {
      await expect(store.write('t1/x', failing(pattern(5000)), { maxBytes: 1e6 })).rejects.toThrow('the peer went away');
      const abort = new AbortController();
      const body = (async function* () { yield pattern(100); abort.abort(); yield pattern(100); })();
      await expect(store.write('t1/y', body, { maxBytes: 1e6, signal: abort.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(await allKeys(store)).toEqual([]);
      expect(await opened.leftovers()).toEqual([]);
    });

    it('replaces a key only with a complete write', async () => {
      const v1 = pattern(20_000, 1);
      const v2 = pattern(30_000, 2);
      await store.write('t1/k', chunked(v1).body, { maxBytes: 1e6 });
      await expect(store.write('t1/k', failing(v2), { maxBytes: 1e6 })).rejects.toThrow();
      await expect(store.write('t1/k', chunked(v2).body, { maxBytes: 100 })).rejects.toBeInstanceOf(BlobTooLargeError);
      expect((await readKey(store, 't1/k'))!.equals(v1)).toBe(true);
      await store.write('t1/k', chunked(v2).body, { maxBytes: 1e6 });
      expect((await readKey(store, 't1/k'))!.equals(v2)).toBe(true);
      expect(await allKeys(store)).toEqual(['t1/k']);
    });

    it('deletes a key: its bytes are gone', async () => {
      await store.write('t1/d', chunked(pattern(1000)).body, { maxBytes: 1e6 });
      expect(await store.delete('t1/d')).toBe(true);
      expect(await store.delete('t1/d')).toBe(false);
      expect(await store.size('t1/d')).toBeUndefined();
      expect(await store.read('t1/d')).toBeUndefined();
      expect(await store.openBlob('t1/d')).toBeUndefined();
      expect(await allKeys(store)).toEqual([]);
    });

    it('lists keys, under a prefix', async () => {
      for (const k of ['a/1/x', 'a/2/y', 'b/1/z']) await store.write(k, chunked(pattern(10)).body, { maxBytes: 100 });
      expect(await allKeys(store)).toEqual(['a/1/x', 'a/2/y', 'b/1/z']);
      expect(await allKeys(store, 'a')).toEqual(['a/1/x', 'a/2/y']);
      expect(await allKeys(store, 'c')).toEqual([]);
    });

    it('hands the bytes out as a Blob', async () => {
      const bytes = pattern(70_000);
      await store.write('t1/b', chunked(bytes).body, { maxBytes: 1e6 });
      const opened = (await store.openBlob('t1/b'))!;
      expect(opened.blob.size).toBe(bytes.length);
      expect(Buffer.from(await opened.blob.arrayBuffer()).equals(bytes)).toBe(true);
      await opened.release();
    });

    it('refuses keys that could leave their place', async () => {
      for (const k of ['', '../x', 'a/../b', 'a//b', '/a', 'a/b/c/d/e', 'a.b', 'a\\b']) {
        await expect(store.write(k, chunked(pattern(1)).body, { maxBytes: 10 }), k).rejects.toBeInstanceOf(TypeError);
      }
    });

    it('sweeps nothing that is complete', async () => {
      await store.write('t1/s', chunked(pattern(10)).body, { maxBytes: 100 });
      await store.sweep(new Date(Date.now() + 3_600_000));
      expect(await store.size('t1/s')).toBe(10);
    });
  });
}

/** An open record store under test. */
export interface OpenedRecordStore {
  records: MediaRecordStore;
  close(): Promise<void>;
}

function record(over: Partial<StoredMediaRecord> & { id: string }): StoredMediaRecord {
  return {
    tenantId: 't1', state: 'writing', blobKey: `t1/${over.id}`, sha256: '', size: 0, contentType: '', kind: 'image', origin: 'inbound',
    createdAt: new Date(1_000), ...over,
  };
}

/**
 * The {@link MediaRecordStore} contract.
 * @param name - the driver's name
 * @param open - opens the record store on a fresh database
 */
export function describeMediaRecordStoreConformance(name: string, open: () => Promise<OpenedRecordStore>): void {
  describe(`media record store contract: ${name}`, () => {
    let opened: OpenedRecordStore;
    let records: MediaRecordStore;
    beforeEach(async () => { opened = await open(); records = opened.records; });
    afterEach(async () => { await opened.close(); });

    const stored = { sha256: 'ab'.repeat(32), size: 42, contentType: 'image/png', kind: 'image' as const };

    it('a record is read only once committed, by its own tenant only', async () => {
      expect(await records.begin(record({ id: 'm1', messageId: 'msg1' }))).toBe(true);
      expect(await records.begin(record({ id: 'm1' }))).toBe(false);
      expect(await records.get('t1', 'm1')).toBeUndefined();
      const committed = await records.commit('t1', 'm1', stored);
      expect(committed).toMatchObject({ id: 'm1', state: 'stored', ...stored, messageId: 'msg1' });
      expect(await records.get('t1', 'm1')).toEqual(committed);
      expect(await records.get('t2', 'm1')).toBeUndefined();
      // committing twice, or another tenant's, does nothing
      expect(await records.commit('t1', 'm1', stored)).toBeUndefined();
      expect(await records.commit('t2', 'm1', stored)).toBeUndefined();
    });

    it('keeps a quarantine marker', async () => {
      await records.begin(record({ id: 'q' }));
      const at = new Date(5_000);
      expect((await records.commit('t1', 'q', { ...stored, quarantine: { reason: 'EICAR test signature', at } }))!.quarantine).toEqual({ reason: 'EICAR test signature', at });
      expect((await records.get('t1', 'q'))!.quarantine).toEqual({ reason: 'EICAR test signature', at });
    });

    it('links a record to a message, conversation and contact', async () => {
      await records.begin(record({ id: 'u', origin: 'upload' }));
      await records.commit('t1', 'u', stored);
      expect(await records.link('t2', 'u', { messageId: 'x' })).toBeUndefined();
      expect(await records.link('t1', 'u', { messageId: 'msg', conversationId: 'c', contactId: 'k' })).toMatchObject({ messageId: 'msg', conversationId: 'c', contactId: 'k' });
      expect(await records.list('t1', { conversationId: 'c' })).toHaveLength(1);
    });

    it('lists a tenant\'s stored records oldest first, filtered and paged', async () => {
      for (let i = 0; i < 5; i++) {
        await records.begin(record({ id: `r${i}`, createdAt: new Date(10_000 - i * 1000), conversationId: i % 2 ? 'odd' : 'even', origin: i === 4 ? 'upload' : 'inbound' }));
        if (i !== 3) await records.commit('t1', `r${i}`, stored);
      }
      await records.begin(record({ id: 'other', tenantId: 't2' }));
      await records.commit('t2', 'other', stored);
      expect((await records.list('t1')).map((r) => r.id)).toEqual(['r4', 'r2', 'r1', 'r0']);
      expect((await records.list('t1', { conversationId: 'even' })).map((r) => r.id)).toEqual(['r4', 'r2', 'r0']);
      expect((await records.list('t1', { origin: 'upload' })).map((r) => r.id)).toEqual(['r4']);
      expect((await records.list('t1', { createdBefore: new Date(8_000) })).map((r) => r.id)).toEqual(['r4']);
      expect((await records.list('t1', { limit: 2, offset: 1 })).map((r) => r.id)).toEqual(['r2', 'r1']);
    });

    it('selects what erasure and retention name, any field selecting', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const id = `s${String(i).padStart(2, '0')}`;
        ids.push(id);
        await records.begin(record({ id, createdAt: new Date(1_000 * (i + 1)), messageId: `msg${i}`, conversationId: `c${i % 3}`, contactId: `k${i % 4}` }));
        await records.commit('t1', id, stored);
      }
      const pick = async (selection: Parameters<MediaRecordStore['select']>[1]): Promise<string[]> => {
        const out: string[] = [];
        for await (const batch of records.select('t1', selection)) out.push(...batch.map((r) => r.id));
        return out.sort();
      };
      expect(await pick({})).toEqual([]);
      expect(await pick({ messageIds: ['msg1', 'msg2', 'nope'] })).toEqual(['s01', 's02']);
      expect(await pick({ conversationIds: ['c0'] })).toEqual(['s00', 's03', 's06', 's09']);
      expect(await pick({ contactIds: ['k1'], createdBefore: new Date(2_500) })).toEqual(['s00', 's01', 's05', 's09']);
      expect(await pick({ messageIds: Array.from({ length: 1200 }, (_, i) => `msg${i}`) })).toEqual(ids);
      expect(await (async () => { const out: string[] = []; for await (const b of records.select('t2', { conversationIds: ['c0'] })) out.push(...b.map((r) => r.id)); return out; })()).toEqual([]);
    });

    it('finds interrupted writes by age, and removes records in any state', async () => {
      await records.begin(record({ id: 'w-old', createdAt: new Date(1_000) }));
      await records.begin(record({ id: 'w-new', createdAt: new Date(9_000) }));
      await records.begin(record({ id: 'done', createdAt: new Date(1_000) }));
      await records.commit('t1', 'done', stored);
      expect((await records.listWriting('t1', new Date(5_000), 10)).map((r) => r.id)).toEqual(['w-old']);
      expect(await records.listWriting('t2', new Date(5_000), 10)).toEqual([]);
      expect(await records.remove('t2', 'w-old')).toBe(false);
      expect(await records.remove('t1', 'w-old')).toBe(true);
      expect(await records.remove('t1', 'done')).toBe(true);
      expect(await records.get('t1', 'done')).toBeUndefined();
    });

    it('sums a tenant\'s usage over stored records', async () => {
      for (let i = 0; i < 3; i++) {
        await records.begin(record({ id: `u${i}` }));
        await records.commit('t1', `u${i}`, { ...stored, size: 100 * (i + 1), ...(i === 2 ? { quarantine: { reason: 'x', at: new Date(0) } } : {}) });
      }
      await records.begin(record({ id: 'writing' }));
      expect(await records.usage('t1')).toEqual({ files: 3, bytes: 600, quarantined: 1 });
      expect(await records.usage('t2')).toEqual({ files: 0, bytes: 0, quarantined: 0 });
    });
  });
}

/** An open media store under test, with its parts. */
export interface OpenedMediaStore {
  records: MediaRecordStore;
  blobs: BlobStore;
  /** What the blob medium holds besides complete files (temp files, orphan chunks). */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The {@link MediaStore} contract on a records-and-blobs pairing.
 * @param name - the pairing's name
 * @param open - opens fresh, empty records and blobs
 */
export function describeMediaStoreConformance(name: string, open: () => Promise<OpenedMediaStore>): void {
  describe(`media store contract: ${name}`, () => {
    let opened: OpenedMediaStore;
    let clock: ManualClock;
    let scanner: MediaScanner | undefined;
    let limits: MediaLimits;
    let media: HostMediaStore;
    beforeEach(async () => {
      opened = await open();
      clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
      scanner = undefined;
      limits = DEFAULT_MEDIA_LIMITS;
      media = new HostMediaStore({
        records: opened.records, blobs: opened.blobs, now: () => clock.now(),
        limits: (t) => (t === 'strict' ? mergeMediaLimits(limits, { maxBytes: { image: 1000 } }) : limits),
        scanner: (input) => (scanner ? scanner(input) : Promise.resolve({ verdict: 'clean' })),
      });
    });
    afterEach(async () => { await opened.close(); });

    const png = sampleMedia('image');
    const pdf = sampleMedia('file');

    it('stores a file with the type its bytes show, its hash and size; serves it to its tenant only', async () => {
      const result = await media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image', declaredType: 'image/jpeg', filename: '../../etc/car.png', messageId: 'm1', conversationId: 'c1', contactId: 'k1' });
      expect(result.stored).toBe(true);
      const r = result.stored ? result.record : undefined!;
      expect(r).toMatchObject({ tenantId: 't1', contentType: 'image/png', kind: 'image', size: png.body.length, sha256: sha(png.body), filename: 'car.png', origin: 'inbound', messageId: 'm1', createdAt: new Date(clock.now()) });
      expect(r).not.toHaveProperty('state');
      expect(r).not.toHaveProperty('blobKey');
      expect(await media.get('t1', r.id)).toEqual(r);
      expect(await media.get('t2', r.id)).toBeUndefined();
      expect(await media.read('t2', r.id)).toBeUndefined();
      const content = (await media.read('t1', r.id))!;
      expect(content.length).toBe(png.body.length);
      expect((await readAll(content.body)).equals(png.body)).toBe(true);
      const part = (await media.read('t1', r.id, { start: 1, end: 3 }))!;
      expect(part.length).toBe(3);
      expect((await readAll(part.body)).toString('latin1')).toBe('PNG');
      const file = (await media.openBlob('t1', r.id))!;
      expect(Buffer.from(await file.blob.arrayBuffer()).equals(png.body)).toBe(true);
      await file.release();
      expect(await media.usage('t1')).toEqual({ files: 1, bytes: png.body.length, quarantined: 0 });
    });

    it('derives the kind from the bytes when not given', async () => {
      const r = await media.put('t1', Readable.from([pdf.body]), { origin: 'upload', filename: 'invoice.pdf' });
      expect(r).toMatchObject({ stored: true, record: { kind: 'document', contentType: 'application/pdf' } });
      const text = await media.put('t1', Readable.from([Buffer.from('name,total\nÜmit,12\n')]), { origin: 'upload', declaredType: 'text/csv' });
      expect(text).toMatchObject({ stored: true, record: { kind: 'document', contentType: 'text/csv' } });
    });

    it('refuses a file past the tenant\'s limit for its kind, reading no further, keeping nothing', async () => {
      const big = Buffer.concat([png.body, pattern(5000)]);
      const source = chunked(big, 500);
      const result = await media.put('strict', source.body, { origin: 'inbound', kind: 'image' });
      expect(result).toMatchObject({ stored: false, code: 'MEDIA_TOO_LARGE', details: { maxBytes: 1000, kind: 'image' } });
      expect(source.taken()).toBeLessThanOrEqual(1500);
      const announced = chunked(big, 500);
      expect(await media.put('strict', announced.body, { origin: 'inbound', kind: 'image', declaredSize: big.length })).toMatchObject({ stored: false, code: 'MEDIA_TOO_LARGE' });
      expect(announced.taken()).toBe(0);
      expect(await media.list('strict')).toEqual([]);
      expect(await allKeys(opened.blobs)).toEqual([]);
      expect(await opened.leftovers()).toEqual([]);
    });

    it('refuses a file whose bytes are not an allowed type for its kind, whatever it declared', async () => {
      const result = await media.put('t1', Readable.from([pdf.body]), { origin: 'inbound', kind: 'image', declaredType: 'image/jpeg' });
      expect(result).toMatchObject({ stored: false, code: 'MEDIA_TYPE_NOT_ALLOWED', details: { kind: 'image', contentType: 'application/pdf', declaredType: 'image/jpeg' } });
      expect((result as { reason: string }).reason).toMatch(/image of type application\/pdf is not allowed/);
      const exe = await media.put('t1', Readable.from([Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0)])]), { origin: 'upload' });
      expect(exe).toMatchObject({ stored: false, code: 'MEDIA_TYPE_NOT_ALLOWED' });
      expect(await media.put('t1', Readable.from([]), { origin: 'upload' })).toMatchObject({ stored: false, code: 'MEDIA_EMPTY' });
      expect(await media.list('t1')).toEqual([]);
      expect(await allKeys(opened.blobs)).toEqual([]);
    });

    it('quarantines what the scanner rejects: the record says why, the bytes are never served', async () => {
      const seen: { contentType: string; size: number; bytes: Buffer }[] = [];
      scanner = async (input) => {
        seen.push({ contentType: input.contentType, size: input.size, bytes: await readAll(input.body) });
        return { verdict: 'reject', reason: 'Eicar-Test-Signature FOUND' };
      };
      const result = await media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image' });
      expect(result).toMatchObject({ stored: true, record: { quarantine: { reason: 'Eicar-Test-Signature FOUND', at: new Date(clock.now()) } } });
      expect(seen[0]).toMatchObject({ contentType: 'image/png', size: png.body.length });
      expect(seen[0]!.bytes.equals(png.body)).toBe(true);
      const id = result.stored ? result.record.id : '';
      expect(await media.read('t1', id)).toBeUndefined();
      expect(await media.openBlob('t1', id)).toBeUndefined();
      expect(await media.usage('t1')).toMatchObject({ files: 1, quarantined: 1 });
    });

    it('a scanner that fails keeps nothing and says the store cannot take the file now', async () => {
      scanner = async () => { throw new Error('clamd: connection refused'); };
      await expect(media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      expect(await media.list('t1')).toEqual([]);
      expect(await allKeys(opened.blobs)).toEqual([]);
    });

    it('a body that fails keeps nothing', async () => {
      await expect(media.put('t1', failing(png.body), { origin: 'inbound', kind: 'image' })).rejects.toThrow('the peer went away');
      expect(await media.list('t1')).toEqual([]);
      expect(await allKeys(opened.blobs)).toEqual([]);
    });

    it('deletes files one by one and by selection, bytes first', async () => {
      const ids: string[] = [];
      for (const [i, conv] of ['c1', 'c1', 'c2', 'c3'].entries()) {
        clock.advance(1000);
        const r = await media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image', conversationId: conv, contactId: i === 3 ? 'k9' : 'k1', messageId: `m${i}` });
        ids.push(r.stored ? r.record.id : '');
      }
      const other = await media.put('t2', Readable.from([png.body]), { origin: 'inbound', kind: 'image', conversationId: 'c1' });
      expect(await media.delete('t2', ids[0]!)).toBe(false);
      expect(await media.delete('t1', ids[0]!)).toBe(true);
      expect(await media.delete('t1', ids[0]!)).toBe(false);
      expect(await media.deleteMatching('t1', { conversationIds: ['c1'] })).toBe(1);
      expect(await media.deleteMatching('t1', { contactIds: ['k9'], messageIds: ['m2'] })).toBe(2);
      expect(await media.list('t1')).toEqual([]);
      expect(await media.usage('t1')).toEqual({ files: 0, bytes: 0, quarantined: 0 });
      // the other tenant's file, and only it, is left
      expect(await allKeys(opened.blobs)).toHaveLength(1);
      expect(await media.get('t2', other.stored ? other.record.id : '')).toBeDefined();
    });

    it('retention deletes files stored before a time', async () => {
      await media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image' });
      clock.advance(86_400_000);
      const kept = await media.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image' });
      expect(await media.deleteMatching('t1', { createdBefore: new Date(clock.now() - 1000) })).toBe(1);
      expect((await media.list('t1')).map((r) => r.id)).toEqual([kept.stored ? kept.record.id : '']);
    });

    it('the sweep removes writes a crash interrupted, once they are old enough', async () => {
      await opened.records.begin({ id: 'crashed', tenantId: 't1', state: 'writing', blobKey: 't1/cr/crashed', sha256: '', size: 0, contentType: '', kind: 'image', origin: 'inbound', createdAt: new Date(clock.now()) });
      await opened.blobs.write('t1/cr/crashed', chunked(pattern(100)).body, { maxBytes: 1000 });
      expect(await media.sweep(['t1'])).toBe(0);
      clock.advance(2 * 60 * 60 * 1000);
      expect(await media.sweep(['t1'])).toBeGreaterThanOrEqual(1);
      expect(await opened.records.listWriting('t1', new Date(clock.now()), 10)).toEqual([]);
      expect(await allKeys(opened.blobs)).toEqual([]);
    });

    it('links an upload to the message that sends it', async () => {
      const r = await media.put('t1', Readable.from([pdf.body]), { origin: 'upload' });
      const id = r.stored ? r.record.id : '';
      expect(await media.link('t1', id, { messageId: 'out1', conversationId: 'c1', contactId: 'k1' })).toMatchObject({ id, messageId: 'out1' });
      expect(await media.link('t2', id, { messageId: 'x' })).toBeUndefined();
      expect((await media.list('t1', { messageId: 'out1' })).map((x) => x.id)).toEqual([id]);
    });
  });
}

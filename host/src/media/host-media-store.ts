/**
 * The {@link MediaStore} the host uses: records on the storage driver, bytes in a blob store, the
 * tenant's limits, the type found in the bytes and the tenant's scanner applied on the way in.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { SwitchboardError, type MediaKind } from '@switchboard/core';
import {
  DEFAULT_MEDIA_LIMITS, kindOfType, MEDIA_KINDS, SNIFF_BYTES, sniffHead, sniffStream, typeAllowed, type MediaLimits, type MediaScanner,
} from './media-policy.js';
import {
  BlobTooLargeError,
  type BlobStore, type ByteRange, type MediaContent, type MediaFile, type MediaLinks, type MediaListFilter, type MediaPutInput,
  type MediaPutResult, type MediaQuarantine, type MediaRecord, type MediaRecordStore, type MediaSelection, type MediaStore,
  type MediaUsage, type StoredMediaRecord,
} from './media-store.js';

/** Options of {@link HostMediaStore}. */
export interface HostMediaStoreOptions {
  /** Where the records are (`DocumentMediaRecordStore` on the host's driver). */
  records: MediaRecordStore;
  /** Where the bytes are. */
  blobs: BlobStore;
  /** The limits of a tenant (default {@link DEFAULT_MEDIA_LIMITS} for every tenant). */
  limits?: (tenantId: string) => MediaLimits;
  /** The virus scanner every new file passes (none by default). */
  scanner?: MediaScanner;
  /** The host clock in ms (record times, quarantine times, the sweep's age). Default `Date.now`. */
  now?: () => number;
}

/** A half-written file older than this is an interrupted write (its process crashed): the sweep removes it. */
export const STALE_WRITE_MS = 60 * 60 * 1000;

/** {@link MediaStore} on a {@link MediaRecordStore} and a {@link BlobStore}. */
export class HostMediaStore implements MediaStore {
  /** Where the bytes are. */
  readonly blobs: BlobStore;
  private readonly records: MediaRecordStore;
  private readonly limitsOf: (tenantId: string) => MediaLimits;
  private readonly scanner: MediaScanner | undefined;
  private readonly now: () => number;

  /** @param options - records, blobs, limits, scanner, clock */
  constructor(options: HostMediaStoreOptions) {
    this.records = options.records;
    this.blobs = options.blobs;
    this.limitsOf = options.limits ?? (() => DEFAULT_MEDIA_LIMITS);
    this.scanner = options.scanner;
    this.now = options.now ?? Date.now;
  }

  /**
   * The limits in force for a tenant.
   * @param tenantId - the tenant
   * @returns its limits
   */
  limits(tenantId: string): MediaLimits {
    return this.limitsOf(tenantId);
  }

  async put(tenantId: string, body: AsyncIterable<Uint8Array>, input: MediaPutInput): Promise<MediaPutResult> {
    const limits = this.limitsOf(tenantId);
    const largest = Math.max(...MEDIA_KINDS.map((k) => limits.maxBytes[k]));
    let limit = input.kind ? limits.maxBytes[input.kind] : largest;
    if (input.declaredSize !== undefined && input.declaredSize > limit) {
      await closeBody(body);
      return tooLarge(input.kind, limit, input.declaredSize);
    }
    const id = randomUUID();
    const record: StoredMediaRecord = {
      id, tenantId, state: 'writing', blobKey: `${tenantSegment(tenantId)}/${id.slice(0, 2)}/${id}`,
      sha256: '', size: 0, contentType: '', kind: input.kind ?? 'document', origin: input.origin,
      ...cleanFilename(input.filename), ...links(input), createdAt: new Date(this.now()),
    };
    if (!(await this.records.begin(record))) throw new Error(`media id ${id} is taken`);
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let sniffed = false;
    // counts against the limit of the file's kind, known from the start or from its first bytes
    const metered = async function* (): AsyncGenerator<Uint8Array> {
      let size = 0;
      for await (const chunk of input.signal ? abortable(body, input.signal) : body) {
        size += chunk.byteLength;
        if (!sniffed) {
          if (headBytes < SNIFF_BYTES) { head.push(Buffer.from(chunk.subarray(0, SNIFF_BYTES - headBytes))); headBytes += Math.min(chunk.byteLength, SNIFF_BYTES - headBytes); }
          if (headBytes >= SNIFF_BYTES) {
            sniffed = true;
            const early = await sniffHead(concat(head));
            if (!input.kind && early) limit = limits.maxBytes[kindOfType(early)];
          }
        }
        if (size > limit) throw new BlobTooLargeError(limit);
        yield chunk;
      }
    };
    let written: { size: number; sha256: string };
    try {
      written = await this.blobs.write(record.blobKey, metered(), { maxBytes: largest, ...(input.signal ? { signal: input.signal } : {}) });
    } catch (error) {
      await this.records.remove(tenantId, id);
      if (error instanceof BlobTooLargeError) return tooLarge(input.kind, error.maxBytes);
      throw error;
    }
    const refuse = async (result: MediaPutResult): Promise<MediaPutResult> => {
      await this.discard(record);
      return result;
    };
    try {
      if (written.size === 0) return await refuse({ stored: false, code: 'MEDIA_EMPTY', reason: 'the file is empty', details: {} });
      const stream = await this.blobs.read(record.blobKey);
      if (!stream) throw new Error(`media ${id}: its bytes vanished while it was stored`);
      const contentType = await sniffStream(stream, concat(head), input.declaredType);
      const kind: MediaKind = input.kind ?? kindOfType(contentType);
      if (!typeAllowed(limits, kind, contentType)) {
        return await refuse({
          stored: false, code: 'MEDIA_TYPE_NOT_ALLOWED',
          reason: `a ${kind} of type ${contentType} is not allowed (allowed: ${limits.allowedTypes[kind].join(', ') || 'none'})`,
          details: { kind, contentType, allowed: [...limits.allowedTypes[kind]], ...(input.declaredType ? { declaredType: input.declaredType } : {}) },
        });
      }
      if (written.size > limits.maxBytes[kind]) return await refuse(tooLarge(kind, limits.maxBytes[kind], written.size));
      const quarantine = await this.scan(tenantId, record, { contentType, size: written.size, kind });
      const committed = await this.records.commit(tenantId, id, { sha256: written.sha256, size: written.size, contentType, kind, ...(quarantine ? { quarantine } : {}) });
      if (!committed) throw new Error(`media ${id}: its record was removed while it was written (an interrupted write swept by another process)`);
      return { stored: true, record: toRecord(committed) };
    } catch (error) {
      await this.discard(record).catch(() => undefined);
      throw error;
    }
  }

  private async scan(tenantId: string, record: StoredMediaRecord, found: { contentType: string; size: number; kind: MediaKind }): Promise<MediaQuarantine | undefined> {
    if (!this.scanner) return undefined;
    const body = await this.blobs.read(record.blobKey);
    if (!body) throw new Error(`media ${record.id}: its bytes vanished while it was scanned`);
    let verdict: Awaited<ReturnType<MediaScanner>>;
    try {
      verdict = await this.scanner({ tenantId, body, ...found, ...(record.filename !== undefined ? { filename: record.filename } : {}) });
    } catch (error) {
      throw new SwitchboardError('STORE_UNAVAILABLE', `the virus scanner failed: ${(error as Error)?.message ?? String(error)}`, true, { cause: error, details: { failure: 'scanner' } });
    } finally {
      body.destroy();
    }
    if (verdict.verdict === 'clean') return undefined;
    return { reason: String(verdict.reason || 'rejected by the scanner').slice(0, 500), at: new Date(this.now()) };
  }

  /** Bytes first, then the record: a crash in between leaves a record whose bytes are gone (read as missing), never bytes nobody can find. */
  private async discard(record: StoredMediaRecord): Promise<void> {
    await this.blobs.delete(record.blobKey);
    await this.records.remove(record.tenantId, record.id);
  }

  async get(tenantId: string, id: string): Promise<MediaRecord | undefined> {
    const r = await this.records.get(tenantId, id);
    return r ? toRecord(r) : undefined;
  }

  async read(tenantId: string, id: string, range?: ByteRange): Promise<MediaContent | undefined> {
    const r = await this.records.get(tenantId, id);
    if (!r || r.quarantine) return undefined;
    const body = await this.blobs.read(r.blobKey, range);
    if (!body) return undefined;
    return { record: toRecord(r), length: range ? range.end - range.start + 1 : r.size, body };
  }

  async openBlob(tenantId: string, id: string): Promise<MediaFile | undefined> {
    const r = await this.records.get(tenantId, id);
    if (!r || r.quarantine) return undefined;
    const opened = await this.blobs.openBlob(r.blobKey);
    return opened ? { record: toRecord(r), blob: opened.blob, release: opened.release } : undefined;
  }

  async link(tenantId: string, id: string, given: MediaLinks): Promise<MediaRecord | undefined> {
    const r = await this.records.link(tenantId, id, links(given));
    return r ? toRecord(r) : undefined;
  }

  async list(tenantId: string, filter?: MediaListFilter): Promise<MediaRecord[]> {
    return (await this.records.list(tenantId, filter)).map(toRecord);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.records.get(tenantId, id);
    if (!r) return false;
    await this.discard(r);
    return true;
  }

  async deleteMatching(tenantId: string, selection: MediaSelection): Promise<number> {
    let n = 0;
    for await (const batch of this.records.select(tenantId, selection)) {
      for (const r of batch) {
        await this.discard(r);
        n++;
      }
    }
    return n;
  }

  async usage(tenantId: string): Promise<MediaUsage> {
    return this.records.usage(tenantId);
  }

  /**
   * Removes what interrupted writes left: records still `writing` after {@link STALE_WRITE_MS} (a
   * process crashed mid-write) with their bytes, and the blob store's own leftovers. Run at start.
   * @param tenantIds - the tenants to sweep
   * @returns how many leftovers were removed
   */
  async sweep(tenantIds: readonly string[]): Promise<number> {
    const before = new Date(this.now() - STALE_WRITE_MS);
    let n = 0;
    for (const tenantId of tenantIds) {
      for (;;) {
        const stale = await this.records.listWriting(tenantId, before, 100);
        for (const r of stale) { await this.discard(r); n++; }
        if (stale.length < 100) break;
      }
    }
    // temporary files carry wall-clock times: one younger than an hour on the wall clock may be a
    // write still running in another process, whatever the host clock says (a sandbox moves it ahead)
    return n + await this.blobs.sweep(new Date(Math.min(before.getTime(), Date.now() - STALE_WRITE_MS)));
  }
}

/** A record without the store's bookkeeping. */
function toRecord(r: StoredMediaRecord): MediaRecord {
  const { state: _state, blobKey: _key, ...record } = r;
  return record;
}

function links(given: MediaLinks): MediaLinks {
  return {
    ...(given.messageId !== undefined ? { messageId: given.messageId } : {}),
    ...(given.conversationId !== undefined ? { conversationId: given.conversationId } : {}),
    ...(given.contactId !== undefined ? { contactId: given.contactId } : {}),
  };
}

function tooLarge(kind: MediaKind | undefined, maxBytes: number, size?: number): MediaPutResult {
  return {
    stored: false, code: 'MEDIA_TOO_LARGE',
    reason: `the file is larger than the ${maxBytes} bytes allowed${kind ? ` for a ${kind}` : ''}`,
    details: { maxBytes, ...(kind ? { kind } : {}), ...(size !== undefined ? { size } : {}) },
  };
}

/**
 * A file name as kept: no path, no control characters, at most 255 characters.
 * @returns `{ filename }`, or nothing when none is left
 */
function cleanFilename(name: string | undefined): { filename?: string } {
  if (name === undefined) return {};
  // eslint-disable-next-line no-control-regex
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[/\\]/).pop()!.trim().slice(0, 255);
  return base === '' || base === '.' || base === '..' ? {} : { filename: base };
}

/** The tenant's folder in the blob store: its id when it is a safe key segment, else a hash of it. */
function tenantSegment(tenantId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(tenantId) ? tenantId : `t_${createHash('sha256').update(tenantId).digest('hex').slice(0, 32)}`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

async function closeBody(body: AsyncIterable<Uint8Array>): Promise<void> {
  // ending the iteration destroys a Node stream or cancels a web stream: nothing more is read
  try { await body[Symbol.asyncIterator]().return?.(); } catch { /* it failed on its own: nothing to close */ }
}

/**
 * Iterates a body until a signal aborts, even while the body is waiting for its next chunk (a client
 * that went silent, a stalled download): the abort's reason is thrown at once and the body closed.
 */
async function* abortable(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    if (signal.aborted) onAbort(); else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort!);
    // not awaited: a body stuck waiting may never settle its return
    void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

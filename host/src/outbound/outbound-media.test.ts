/**
 * Outbound media, unit by unit on an injected clock: a stored file named by a message is resolved
 * for its tenant before the policy judges it (real size, sniffed type, hash; unknown id 404,
 * quarantined refused, a PDF is no image), and at each send attempt goes the connector's way —
 * its bytes once, then the platform reference kept for (tenant, account, hash, kind) until it
 * expires; a signed URL ending in the file's name for platforms that fetch. A reference the
 * platform forgot is dropped and the bytes sent once more. The service refuses what the channel
 * cannot carry before anything is queued.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CONTENT_TYPES, ContentInvalidError, createPolicyEngine, isMediaContent, ManualClock, PermanentError, RetryableError, sampleMedia, sendInParts,
  type CapabilityTable, type ChannelPolicy, type Connector, type ConnectorBinding, type ConnectorPlugin, type Content, type OutboundMessage,
  type ProviderRequest, type SendContext, type SendResult,
} from '@switchboard/core';
import { MemoryStores } from '../stores/host-stores.js';
import { HostMediaStore } from '../media/host-media-store.js';
import { MemoryBlobStore } from '../media/memory-blob-store.js';
import { SignedMediaUrls } from '../media/media-urls.js';
import type { MediaFile, MediaRecord } from '../media/media-store.js';
import { OutboundMedia } from './outbound-media.js';
import { OutboundService } from './outbound-service.js';
import { StaticConnectorRegistry } from '../plugins/connector-registry.js';
import { DocumentUploadedMediaStore } from './uploaded-media-store.js';

const DAY = 86_400_000;
const PUBLIC = 'https://chat.example.com';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const png = sampleMedia('image');
const pdf = sampleMedia('file');

/** What the recording platform received for one send. */
interface Received { content: Content; file?: { bytes: Buffer; contentType: string; filename?: string; size: number; sha256: string } }

/**
 * A connector whose platform keeps uploads under ids, answers a send by an unknown id with a
 * permanent refusal (as Graph and Apple do), and can be told to forget every upload. A caption is a
 * second part. In 'url' mode the platform "fetches" the URL (recorded) and answers an attachment id.
 */
class RecordingConnector implements Connector {
  readonly channel = 'relay';
  readonly accountId = 'acct-1';
  readonly received: Received[] = [];
  readonly held = new Map<string, Buffer>();
  /** Thrown by the next sends of the caption part (index 1). */
  failCaption: Error | undefined;
  /** Thrown by the next send by reference (before the platform looks the id up). */
  failByReference: Error | undefined;
  /** Carried in the error of a send that failed after its upload. */
  failAfterUpload = false;
  private n = 0;
  constructor(private readonly clock: ManualClock, private readonly mode: 'bytes' | 'url' | undefined) {}
  handshake(): undefined { return undefined; }
  verify(): void { /* not used */ }
  parse(): [] { return []; }
  classify(error: unknown): PermanentError { return new PermanentError(String((error as Error).message)); }
  render(msg: OutboundMessage): ProviderRequest {
    const c = msg.content;
    if (!isMediaContent(c)) return { method: 'POST', url: 'https://relay.example/send', headers: {}, body: c };
    if (!msg.file && !c.media.id && !c.media.url) throw new ContentInvalidError(`${c.type} needs an id, a url or the file`);
    return {
      method: 'POST', url: 'https://relay.example/send', headers: {}, body: { media: c.media.id ?? c.media.url ?? 'upload' },
      ...(c.media.caption ? { followUps: [{ method: 'POST', url: 'https://relay.example/send', headers: {}, body: { text: c.media.caption } }] } : {}),
    };
  }
  forgetAll(): void { this.held.clear(); }
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const request = this.render(msg);
    const c = msg.content;
    let media: SendResult['media'];
    const ids = await sendInParts([request, ...(request.followUps ?? [])], context, async (_r, index) => {
      if (index === 1) { if (this.failCaption) throw this.failCaption; return `caption-${++this.n}`; }
      if (!isMediaContent(c)) { this.received.push({ content: c }); return `m-${++this.n}`; }
      if (msg.file) {
        const bytes = Buffer.from(await msg.file.body.arrayBuffer());
        this.received.push({ content: c, file: { bytes, contentType: msg.file.contentType, size: msg.file.size, sha256: msg.file.sha256, ...(msg.file.filename ? { filename: msg.file.filename } : {}) } });
        const id = `upload-${++this.n}`;
        this.held.set(id, bytes);
        media = { ref: { id, mimeType: msg.file.contentType }, expiresAt: new Date(this.clock.now() + 30 * DAY) };
        if (this.failAfterUpload) { this.failAfterUpload = false; throw new RetryableError('the message call timed out', { details: { uploadedMedia: media } }); }
        return `m-${++this.n}`;
      }
      this.received.push({ content: c });
      if (c.media.id) {
        if (this.failByReference) { const e = this.failByReference; this.failByReference = undefined; throw e; }
        if (!this.held.has(c.media.id)) throw new PermanentError(`(#100) ${c.media.id} is not a valid media id`);
        return `m-${++this.n}`;
      }
      if (this.mode === 'url') {
        const id = `attachment-${++this.n}`;
        this.held.set(id, Buffer.from(c.media.url!));
        media = { ref: { id }, expiresAt: new Date(this.clock.now() + 90 * DAY) };
      }
      return `m-${++this.n}`;
    });
    return { externalId: ids[0]!, acceptedAt: new Date(this.clock.now()), ...(ids.length > 1 ? { partIds: ids.slice(1) } : {}), ...(media ? { media } : {}) };
  }
}

const capabilities = Object.fromEntries(CONTENT_TYPES.map((t) => [t, 'native'])) as CapabilityTable;
const policy: ChannelPolicy = {
  channel: 'relay', initiation: 'business', consentRequiredFor: [], marketingAllowed: true,
  broadcast: { allowed: false }, rateLimits: [], text: { maxLength: 1000, overflow: 'refuse', captionMaxLength: 100 }, restrictedCommerce: [],
  mediaMaxBytes: { image: png.body.length + 10, document: 5_000_000 }, mediaTypes: { image: ['image/png'] },
  sources: [{ rule: 'all', url: 'https://example.com/relay-docs', grade: 'G' }],
};

function pluginOf(mode: 'bytes' | 'url' | undefined): ConnectorPlugin {
  return {
    apiVersion: 1, channel: 'relay', displayName: 'Relay', policy, capabilities,
    parseConfig: () => ({}), create: () => { throw new Error('not used'); }, module: () => { throw new Error('not used'); },
    ...(mode ? { media: { download: false, upload: mode } } : {}),
  };
}

interface World {
  clock: ManualClock;
  stores: MemoryStores;
  mediaStore: HostMediaStore;
  urls: SignedMediaUrls;
  uploads: DocumentUploadedMediaStore;
  media: OutboundMedia;
  connector: RecordingConnector;
  binding: ConnectorBinding;
  opened: number;
  released: number;
  put(bytes: Buffer, filename?: string, tenantId?: string): Promise<MediaRecord>;
  message(content: Content): OutboundMessage;
}

function world(mode: 'bytes' | 'url' | undefined, options: { publicUrl?: string } = { publicUrl: PUBLIC }): World {
  const clock = new ManualClock(Date.parse('2026-11-20T10:00:00Z'));
  const stores = new MemoryStores({ now: () => clock.now() });
  const mediaStore = new HostMediaStore({ records: stores.media, blobs: new MemoryBlobStore(), now: () => clock.now() });
  const urls = new SignedMediaUrls({ driver: stores.driver, clock, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) });
  const uploads = new DocumentUploadedMediaStore(stores.driver);
  const connector = new RecordingConnector(clock, mode);
  const w: World = {
    clock, stores, mediaStore, urls, uploads, connector, opened: 0, released: 0,
    binding: { channel: 'relay', account: 'main', connector, plugin: pluginOf(mode) },
    media: undefined as unknown as OutboundMedia,
    async put(bytes, filename, tenantId = 't1') {
      const result = await mediaStore.put(tenantId, [bytes], { origin: 'upload', ...(filename ? { filename } : {}) });
      if (!result.stored) throw new Error(result.reason);
      return result.record;
    },
    message: (content) => ({ id: `msg-${Math.random().toString(36).slice(2)}`, to: { channel: 'relay', accountId: 'acct-1', userId: 'u1' }, content }),
  };
  // counts the Blobs handed out and given back
  const counted = {
    get: (t: string, id: string) => mediaStore.get(t, id),
    read: (t: string, id: string, range?: { start: number; end: number }) => mediaStore.read(t, id, range),
    link: (t: string, id: string, links: Parameters<HostMediaStore['link']>[2]) => mediaStore.link(t, id, links),
    openBlob: async (t: string, id: string): Promise<MediaFile | undefined> => {
      const file = await mediaStore.openBlob(t, id);
      if (!file) return undefined;
      w.opened++;
      return { ...file, release: async () => { w.released++; await file.release(); } };
    },
  };
  w.media = new OutboundMedia({ store: counted, urls, uploads, clock });
  return w;
}

async function resolved(w: World, content: Content, tenantId = 't1'): Promise<OutboundMessage> {
  return w.message((await w.media.resolveContent(tenantId, content)).content);
}

describe('outbound media: resolving a stored file before the policy', () => {
  it('fills size, the type found in the bytes, the hash and the stored name; drops ids and urls given beside it', async () => {
    const w = world('bytes');
    const record = await w.put(png.body, 'car damage.png');
    const { content, record: found } = await w.media.resolveContent('t1', { type: 'image', media: { storedId: record.id, mimeType: 'image/jpeg', caption: 'the dent', url: 'https://elsewhere.example/x.jpg', id: 'foreign' } });
    expect(content).toEqual({ type: 'image', media: { storedId: record.id, caption: 'the dent', size: png.body.length, mimeType: 'image/png', sha256: sha(png.body), filename: 'car damage.png' } });
    expect(found?.id).toBe(record.id);
    // the name the message gives wins over the stored one
    const named = await w.media.resolveContent('t1', { type: 'document', media: { storedId: record.id, filename: 'evidence.png' } });
    expect(named.content).toMatchObject({ media: { filename: 'evidence.png' } });
  });

  it('answers 404 for an unknown id and for another tenant\'s file', async () => {
    const w = world('bytes');
    const theirs = await w.put(png.body, 'x.png', 't2');
    for (const storedId of ['no-such-file', theirs.id]) {
      await expect(w.media.resolveContent('t1', { type: 'image', media: { storedId } })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { kind: 'media', id: storedId } });
    }
  });

  it('refuses a quarantined file with the scanner\'s reason', async () => {
    const w = world('bytes');
    const scanned = new HostMediaStore({ records: w.stores.media, blobs: new MemoryBlobStore(), scanner: async () => ({ verdict: 'reject', reason: 'Eicar-Test-Signature' }) });
    const put = await scanned.put('t1', [pdf.body], { origin: 'upload', filename: 'invoice.pdf' });
    expect(put.stored && put.record.quarantine).toBeTruthy();
    const id = put.stored ? put.record.id : '';
    await expect(w.media.resolveContent('t1', { type: 'document', media: { storedId: id } })).rejects.toMatchObject({
      code: 'CONTENT_UNSUPPORTED', details: { refusal: 'MEDIA_QUARANTINED', storedId: id, reason: 'Eicar-Test-Signature' },
    });
  });

  it('refuses an image, video or audio naming a file of another family, and sends anything as a document', async () => {
    const w = world('bytes');
    const doc = await w.put(pdf.body, 'invoice.pdf');
    await expect(w.media.resolveContent('t1', { type: 'image', media: { storedId: doc.id } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'content.media.storedId' } });
    const image = await w.put(png.body, 'photo.png');
    await expect(w.media.resolveContent('t1', { type: 'document', media: { storedId: image.id } })).resolves.toMatchObject({ content: { media: { mimeType: 'image/png' } } });
  });

  it('resolves a template header naming a stored file, and sends it by signed URL', async () => {
    const w = world('bytes');
    const doc = await w.put(pdf.body, 'boarding-pass.pdf');
    const template: Content = { type: 'template', name: 'pass', language: 'en', category: 'utility', parameters: [{ component: 'header', media: { kind: 'document', storedId: doc.id } }, { text: 'Ada' }] };
    const message = await resolved(w, template);
    expect(message.content).toMatchObject({ parameters: [{ media: { kind: 'document', storedId: doc.id, size: pdf.body.length, mimeType: 'application/pdf', sha256: sha(pdf.body) } }, { text: 'Ada' }] });
    await w.media.send('t1', w.binding, message);
    const header = (w.connector.received[0]!.content as { parameters: { media?: { url?: string; storedId?: string } }[] }).parameters[0]!.media!;
    expect(new URL(header.url!).pathname).toBe(`/media/${doc.id}/boarding-pass.pdf`);
    expect(w.opened).toBe(0);
  });
});

describe('outbound media: a connector that uploads bytes', () => {
  let w: World;
  beforeEach(() => { w = world('bytes'); });

  it('hands over the bytes once, keeps the reference, and sends the same bytes by reference next time', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id, caption: 'hi' } });
    const first = await w.media.send('t1', w.binding, message);
    expect(first.media?.ref.id).toBe('upload-1');
    expect(w.connector.received[0]!.file).toEqual({ bytes: png.body, contentType: 'image/png', filename: 'photo.png', size: png.body.length, sha256: sha(png.body) });
    expect([w.opened, w.released]).toEqual([1, 1]);
    // another message, another stored copy of the same bytes: by reference, no file
    const copy = await w.put(png.body, 'again.png');
    await w.media.send('t1', w.binding, await resolved(w, { type: 'image', media: { storedId: copy.id } }));
    expect(w.connector.received[1]).toEqual({ content: { type: 'image', media: expect.objectContaining({ id: 'upload-1', mimeType: 'image/png', storedId: copy.id }) } });
    expect(w.opened).toBe(1);
    // the same bytes as a document are another platform object (Telegram ties a file_id to how it was sent)
    await w.media.send('t1', w.binding, await resolved(w, { type: 'document', media: { storedId: copy.id } }));
    expect(w.connector.received[2]!.file?.bytes).toEqual(png.body);
  });

  it('uploads again once the reference expires on the clock (with a margin)', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    await w.media.send('t1', w.binding, message);
    w.clock.advance(30 * DAY - 2 * 60 * 60 * 1000);
    await w.media.send('t1', w.binding, message);
    expect(w.connector.received.map((r) => (r.file ? 'bytes' : 'ref'))).toEqual(['bytes', 'ref']);
    // within the hour before it expires it is not used any more
    w.clock.advance(90 * 60 * 1000);
    await w.media.send('t1', w.binding, message);
    expect(w.connector.received[2]!.file).toBeDefined();
    expect(w.opened).toBe(2);
  });

  it('drops a reference the platform forgot and sends the bytes once more, keeping the new reference', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    await w.media.send('t1', w.binding, message);
    w.connector.forgetAll();
    const again = await w.media.send('t1', w.binding, message);
    expect(w.connector.received.map((r) => (r.file ? 'bytes' : 'ref'))).toEqual(['bytes', 'ref', 'bytes']);
    expect(again.media?.ref.id).toMatch(/^upload-/);
    expect(again.media?.ref.id).not.toBe('upload-1');
    expect((await w.uploads.find({ tenantId: 't1', channel: 'relay', account: 'main', sha256: sha(png.body), kind: 'image' }, w.clock.now()))?.ref.id).toBe(again.media?.ref.id);
    expect([w.opened, w.released]).toEqual([2, 2]);
  });

  it('does not upload again for a retryable failure by reference, nor once a part was accepted', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id, caption: 'see this' } });
    await w.media.send('t1', w.binding, message);
    w.connector.failByReference = new RetryableError('503 from the platform');
    await expect(w.media.send('t1', w.binding, message)).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    // the media part went, the caption failed permanently: not a forgotten file
    w.connector.failCaption = new PermanentError('caption refused');
    const accepted: string[] = [];
    await expect(w.media.send('t1', w.binding, message, { onPartAccepted: (p) => { accepted.push(p.externalId); } })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    expect(accepted).toHaveLength(1);
    expect(w.connector.received.filter((r) => r.file)).toHaveLength(1);
    // a retry from the accepted part sends the caption only: no upload, the reference stays
    w.connector.failCaption = undefined;
    const resumed = await w.media.send('t1', w.binding, message, { acceptedParts: accepted });
    expect(resumed.externalId).toBe(accepted[0]);
    expect(w.connector.received.filter((r) => r.file)).toHaveLength(1);
    expect(await w.uploads.find({ tenantId: 't1', channel: 'relay', account: 'main', sha256: sha(png.body), kind: 'image' }, w.clock.now())).toBeDefined();
  });

  it('keeps the reference a failed send carries (details.uploadedMedia), so the retry sends by it', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    w.connector.failAfterUpload = true;
    await expect(w.media.send('t1', w.binding, message)).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    await w.media.send('t1', w.binding, message);
    expect(w.connector.received.map((r) => (r.file ? 'bytes' : 'ref'))).toEqual(['bytes', 'ref']);
    expect([w.opened, w.released]).toEqual([1, 1]);
  });

  it('fails permanently when the stored file is gone by the time of the send', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    await w.mediaStore.delete('t1', record.id);
    await expect(w.media.send('t1', w.binding, message)).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { storedId: record.id } });
  });

  it('shows render the file\'s description at the API, without reading a byte', async () => {
    const record = await w.put(png.body, 'photo.png');
    const message = await w.media.forRender('t1', w.binding, await resolved(w, { type: 'image', media: { storedId: record.id } }));
    expect(message.file).toMatchObject({ kind: 'image', size: png.body.length, contentType: 'image/png', sha256: sha(png.body), filename: 'photo.png' });
    expect(w.opened).toBe(0);
  });
});

describe('outbound media: platforms that fetch by URL', () => {
  it('gives a signed URL ending in the file name, valid for days, and reuses the attachment id', async () => {
    const w = world('url');
    const record = await w.put(png.body, 'car damage.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    const first = await w.media.send('t1', w.binding, message);
    const url = new URL((w.connector.received[0]!.content as { media: { url: string } }).media.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC}/media/${record.id}/car%20damage.png`);
    expect(await w.urls.check('t1', record.id, url.searchParams.get('exp')!, url.searchParams.get('sig')!)).toBe('valid');
    expect(Number(url.searchParams.get('exp'))).toBe(w.clock.now() + 7 * DAY);
    expect(first.media?.ref.id).toBe('attachment-1');
    await w.media.send('t1', w.binding, message);
    expect(w.connector.received[1]!.content).toMatchObject({ media: { id: 'attachment-1' } });
    expect((w.connector.received[1]!.content as { media: { url?: string } }).media.url).toBeUndefined();
    // forgotten by the platform: the URL again
    w.connector.forgetAll();
    await w.media.send('t1', w.binding, message);
    expect((w.connector.received[3]!.content as { media: { url?: string } }).media.url).toMatch(/^https:\/\/chat\.example\.com\/media\//);
    expect(w.opened).toBe(0);
  });

  it('ends the URL in the extension the bytes show when the file has no name', async () => {
    for (const mode of ['url', undefined] as const) {
      const w = world(mode);
      const record = await w.put(png.body);
      const message = await w.media.forRender('t1', w.binding, await resolved(w, { type: 'image', media: { storedId: record.id } }));
      expect(new URL((message.content as { media: { url: string } }).media.url).pathname).toBe(`/media/${record.id}/image.png`);
      const named = await w.put(pdf.body, 'receipt');
      const doc = await w.media.forRender('t1', w.binding, await resolved(w, { type: 'document', media: { storedId: named.id } }));
      expect(new URL((doc.content as { media: { url: string } }).media.url).pathname).toBe(`/media/${named.id}/receipt.pdf`);
    }
  });

  it('fails the send permanently when the stored file was deleted after the message was accepted', async () => {
    const w = world('url');
    const record = await w.put(png.body, 'photo.png');
    const message = await resolved(w, { type: 'image', media: { storedId: record.id } });
    await w.mediaStore.delete('t1', record.id);
    await expect(w.media.send('t1', w.binding, message)).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { storedId: record.id } });
    expect(w.connector.received).toEqual([]);
  });

  it('refuses at the API when the host has no publicUrl for the platform to fetch from', async () => {
    const w = world('url', {});
    const record = await w.put(png.body, 'photo.png');
    await expect(w.media.forRender('t1', w.binding, await resolved(w, { type: 'image', media: { storedId: record.id } }))).rejects.toMatchObject({
      code: 'CONTENT_UNSUPPORTED', details: { refusal: 'NO_PUBLIC_URL', channel: 'relay' },
    });
  });
});

describe('outbound media: the service judges the real file before queueing', () => {
  const service = (w: World): OutboundService => new OutboundService({
    stores: w.stores, templates: w.stores.templates, engine: createPolicyEngine(w.clock), connectors: new StaticConnectorRegistry([{ ...w.binding, tenantId: 't1' }]),
    tenants: { policyFor: (id) => (id === 't1' ? { business: {}, consentScope: 'all-channels' } : undefined) }, clock: w.clock, idempotency: w.stores.idempotency, media: w.media,
  });
  const request = (content: Content) => ({ channel: 'relay', accountId: 'main', userId: 'u1', content, purpose: 'service' as const, sender: 'agent' as const });

  it('queues the resolved content and links the file to its first message', async () => {
    const w = world('bytes');
    const record = await w.put(png.body, 'photo.png');
    const outcome = await service(w).send('t1', request({ type: 'image', media: { storedId: record.id } }));
    expect(outcome.accepted).toBe(true);
    const [entry] = await w.stores.outbox.list('t1', { limit: 10 });
    expect(entry!.message.content).toEqual({ type: 'image', media: { storedId: record.id, size: png.body.length, mimeType: 'image/png', sha256: sha(png.body), filename: 'photo.png' } });
    expect(entry!.message.file).toBeUndefined();
    const message = await w.stores.messages.get('t1', outcome.accepted ? outcome.id : '');
    expect(message?.content).toEqual(entry!.message.content);
    expect(await w.mediaStore.get('t1', record.id)).toMatchObject({ messageId: message!.id, conversationId: message!.conversationId });
  });

  it('refuses a file over the channel\'s size, of a type it does not take, or a caption too long, queueing nothing', async () => {
    const w = world('bytes');
    const big = await w.put(Buffer.concat([png.body, Buffer.alloc(64)]), 'big.png');
    const gif = await w.put(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'), 'dot.gif');
    const ok = await w.put(png.body, 'photo.png');
    const cases: [Content, string, string][] = [
      [{ type: 'image', media: { storedId: big.id } }, 'MEDIA_TOO_LARGE', 'mediaMaxBytes'],
      [{ type: 'image', media: { storedId: gif.id } }, 'MEDIA_TYPE_UNSUPPORTED', 'mediaTypes'],
      [{ type: 'image', media: { storedId: ok.id, caption: 'x'.repeat(101) } }, 'CAPTION_TOO_LONG', 'captionMaxLength'],
    ];
    for (const [content, code, rule] of cases) {
      const outcome = await service(w).send('t1', request(content));
      expect(outcome.accepted).toBe(false);
      expect(outcome.accepted ? [] : outcome.reasons).toEqual([expect.objectContaining({ code, source: 'channel', rule: expect.stringContaining(rule) })]);
    }
    expect(await w.stores.outbox.list('t1', { limit: 10 })).toEqual([]);
  });

  it('answers 404 for an unknown stored file, queueing nothing; a host without media refuses stored files', async () => {
    const w = world('bytes');
    await expect(service(w).send('t1', request({ type: 'image', media: { storedId: 'nope' } }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const bare = new OutboundService({
      stores: w.stores, templates: w.stores.templates, engine: createPolicyEngine(w.clock), connectors: new StaticConnectorRegistry([{ ...w.binding, tenantId: 't1' }]),
      tenants: { policyFor: () => ({ business: {}, consentScope: 'all-channels' }) }, clock: w.clock, idempotency: w.stores.idempotency,
    });
    await expect(bare.send('t1', request({ type: 'image', media: { storedId: 'any' } }))).rejects.toMatchObject({ code: 'CONTENT_UNSUPPORTED' });
    expect(await w.stores.outbox.list('t1', { limit: 10 })).toEqual([]);
  });
});

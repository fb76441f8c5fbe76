/**
 * The inbound media fetcher against a stub connector: a customer's file is fetched, checked and
 * stored, and its message says so; retries follow the connector's classification with backoff on
 * the host clock; oversize and wrong-type files are refused with a reason and kept out; a crash
 * loses nothing (the start-up sweep, expired leases); downloads per channel stay within the bound.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isSwitchboardError, ManualClock, PermanentError, RateLimitedError, RetryableError, sampleMedia, silentLogger,
  type Connector, type ConnectorError, type ConnectorPlugin, type DownloadedMedia, type MediaDownloadOptions, type MediaRef,
} from '@switchboard/core';
import { StaticConnectorRegistry } from '../plugins/connector-registry.js';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams, type HostStreams, type StatusNotice } from '../streams.js';
import type { HostMessage } from '../stores/stores.js';
import { HostMediaStore } from './host-media-store.js';
import { MediaFetcher } from './media-fetcher.js';
import { presentMessage } from './media-presenter.js';
import { DEFAULT_MEDIA_LIMITS, mergeMediaLimits, type MediaScanner } from './media-policy.js';
import { MemoryBlobStore } from './memory-blob-store.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const png = sampleMedia('image');
const pdf = sampleMedia('file');

type Download = (ref: MediaRef, options: MediaDownloadOptions) => Promise<DownloadedMedia>;

/** A connector whose downloads the test scripts. */
function stubConnector(download: Download | undefined): Connector {
  return {
    channel: 'acme', accountId: 'page1',
    ...(download ? { downloadMedia: download } : {}),
    classify: (error: unknown): ConnectorError => (isSwitchboardError(error) ? error as ConnectorError : new RetryableError(String(error))),
  } as unknown as Connector;
}

describe('media fetcher', () => {
  let clock: ManualClock;
  let stores: MemoryStores;
  let streams: HostStreams;
  let store: HostMediaStore;
  let scanner: MediaScanner | undefined;
  let download: Download | undefined;
  let notices: StatusNotice[];
  let fetchers: MediaFetcher[];

  const fetcher = (options: ConstructorParameters<typeof MediaFetcher>[1] = {}): MediaFetcher => {
    const connector = stubConnector(download === undefined ? undefined : (ref, o) => download!(ref, o));
    const registry = new StaticConnectorRegistry([{ tenantId: 't1', channel: 'acme', account: 'main', connector, plugin: {} as ConnectorPlugin }]);
    const f = new MediaFetcher({ stores, media: store, registry, streams, clock, logger: silentLogger, tenants: () => ['t1'] }, { random: () => 0.5, retryBaseMs: 1000, ...options });
    fetchers.push(f);
    return f;
  };

  let n = 0;
  /** Stores a customer's media message as the inbox processor does, and publishes it unless `crash`. */
  const receive = async (content: HostMessage['content'], options: { crash?: boolean } = {}): Promise<HostMessage> => {
    const now = new Date(clock.now());
    const address = { channel: 'acme', accountId: 'page1', userId: 'u1' };
    const { conversation } = await stores.conversations.findOrCreate('t1', address, () => ({ id: 'conv1', tenantId: 't1', contactId: 'contact1', address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now }) as never);
    const { message } = await stores.messages.insert({
      id: `m${++n}`, tenantId: 't1', conversationId: conversation.id, direction: 'inbound', externalId: `ext${n}`, ...address,
      content, status: 'delivered', timestamp: now, createdAt: now, updatedAt: now,
    } as HostMessage);
    if (!options.crash) streams.inbound$.next({ tenantId: 't1', message, conversation, contact: { id: 'contact1' } as never });
    return message;
  };
  const image = (media: Partial<MediaRef> = {}): HostMessage['content'] => ({ type: 'image', media: { id: 'platform-media-1', mimeType: 'image/jpeg', ...media } });
  const mediaOf = async (id: string): Promise<MediaRef> => ((await stores.messages.get('t1', id))!.content as { media: MediaRef }).media;
  /** Lets the notice handlers (job writes) finish. */
  const settle = async (f: MediaFetcher): Promise<void> => { await f.drain(); };

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    stores = new MemoryStores({ now: () => clock.now() });
    streams = createHostStreams();
    scanner = undefined;
    download = async () => ({ body: Readable.from([png.body]), declaredType: 'image/jpeg', filename: 'damage.jpg' });
    notices = [];
    fetchers = [];
    streams.status$.subscribe((s) => notices.push(s));
    store = new HostMediaStore({
      records: stores.media, blobs: new MemoryBlobStore(), now: () => clock.now(),
      limits: () => mergeMediaLimits(DEFAULT_MEDIA_LIMITS, { maxBytes: { image: 1000 } }),
      scanner: (input) => (scanner ? scanner(input) : Promise.resolve({ verdict: 'clean' })),
    });
  });
  afterEach(async () => { for (const f of fetchers) await f.stop(); });

  it('fetches a customer\'s image, stores its bytes and tells the message and the streams', async () => {
    const f = fetcher();
    f.listen();
    const seen: MediaRef[] = [];
    download = async (ref) => { seen.push(ref); return { body: Readable.from([png.body]), declaredType: 'image/jpeg', filename: 'damage.jpg' }; };
    const message = await receive(image());
    expect(message.mediaPending).toBe(true);
    await settle(f);
    expect(seen).toEqual([expect.objectContaining({ id: 'platform-media-1' })]);
    const media = await mediaOf(message.id);
    expect(media).toMatchObject({ id: 'platform-media-1', storeState: 'stored', sha256: sha(png.body), storedId: expect.any(String) });
    expect((await stores.messages.get('t1', message.id))!.mediaPending).toBeUndefined();
    const record = await store.get('t1', media.storedId!);
    expect(record).toMatchObject({ contentType: 'image/png', kind: 'image', origin: 'inbound', messageId: message.id, conversationId: 'conv1', contactId: 'contact1', filename: 'damage.jpg' });
    expect(sha(await readAll((await store.read('t1', media.storedId!))!.body))).toBe(sha(png.body));
    expect(notices.map((s) => (s.message.content as { media: MediaRef }).media.storeState)).toEqual(['stored']);
    expect(await stores.mediaJobs.get('t1', message.id)).toBeUndefined();
    expect(await stores.messages.listMediaPending('t1')).toEqual([]);
  });

  it('retries what the connector calls retryable, with backoff measured on the host clock', async () => {
    const f = fetcher();
    f.listen();
    let calls = 0;
    download = async () => {
      calls++;
      if (calls === 1) throw new RetryableError('platform 500');
      if (calls === 2) throw new RateLimitedError('slow down', 30_000);
      return { body: Readable.from([png.body]) };
    };
    const message = await receive(image());
    await settle(f);
    expect(calls).toBe(1);
    // still to fetch: the message stays mediaPending, which the API shows as storeState pending
    expect((await stores.messages.get('t1', message.id))!.mediaPending).toBe(true);
    expect(presentMessage((await stores.messages.get('t1', message.id))!, { apiUrl: (id) => `/v1/media/${id}` }).content).toMatchObject({ media: { storeState: 'pending' } });
    // first retry: full jitter of 1 s × 2^0 with random 0.5 → 500 ms
    expect((await stores.mediaJobs.get('t1', message.id))!).toMatchObject({ attempts: 1, notBefore: new Date(clock.now() + 500), lastError: 'platform 500' });
    clock.advance(499);
    await f.drain();
    expect(calls).toBe(1);
    clock.advance(1);
    await f.drain();
    expect(calls).toBe(2);
    // the platform's Retry-After wins over a shorter backoff
    expect((await stores.mediaJobs.get('t1', message.id))!.notBefore).toEqual(new Date(clock.now() + 30_000));
    clock.advance(30_000);
    await f.drain();
    expect(calls).toBe(3);
    expect(await mediaOf(message.id)).toMatchObject({ storeState: 'stored', sha256: sha(png.body) });
  });

  it('gives up after maxAttempts, and at once on a permanent error, marking the file failed with the reason', async () => {
    const f = fetcher({ maxAttempts: 2 });
    f.listen();
    download = async () => { throw new RetryableError('platform 503'); };
    const retried = await receive(image());
    await settle(f);
    clock.advance(10_000);
    await f.drain();
    expect(await mediaOf(retried.id)).toMatchObject({ storeState: 'failed', storeNote: 'gave up after 2 attempts: platform 503' });
    download = async () => { throw new PermanentError('the media id is unknown (expired)'); };
    const gone = await receive(image({ id: 'expired' }));
    await settle(f);
    expect(await mediaOf(gone.id)).toMatchObject({ storeState: 'failed', storeNote: 'the media id is unknown (expired)' });
    expect(await store.list('t1')).toEqual([]);
  });

  it('gives up on a download that stalls once its timeout passes, keeping nothing, and retries it', async () => {
    // the stall never ends: whenever the timeout fires, the outcome is the same
    const f = fetcher({ timeoutMs: 20 });
    f.listen();
    download = async () => ({ body: (async function* () { yield png.body.subarray(0, 10); await new Promise(() => undefined); })() });
    const message = await receive(image());
    await settle(f);
    expect(await stores.mediaJobs.get('t1', message.id)).toMatchObject({ attempts: 1, lastError: expect.stringContaining('took longer than 20 ms') });
    expect(await stores.media.listWriting('t1', new Date(clock.now() + 1), 10)).toEqual([]);
    download = async () => ({ body: Readable.from([png.body]) });
    clock.advance(60_000);
    await f.drain();
    expect(await mediaOf(message.id)).toMatchObject({ storeState: 'stored' });
  });

  it('refuses an oversize file (declared, streamed, or stopped by the connector) and one whose bytes are not an image, keeping nothing', async () => {
    const f = fetcher();
    f.listen();
    let called = 0;
    download = async (_ref, options) => {
      called++;
      expect(options.maxBytes).toBe(1000);
      return { body: Readable.from([png.body, Buffer.alloc(2000)]) };
    };
    const declared = await receive(image({ size: 5000 }));
    await settle(f);
    expect(called).toBe(0);
    expect(await mediaOf(declared.id)).toMatchObject({ storeState: 'refused', storeNote: expect.stringContaining('larger than the 1000 bytes allowed for a image') });
    const streamed = await receive(image());
    await settle(f);
    expect(await mediaOf(streamed.id)).toMatchObject({ storeState: 'refused', storeNote: expect.stringContaining('larger than the 1000 bytes') });
    download = async (_ref, options) => ({ body: (async function* () { yield png.body; throw new PermanentError(`more than ${options.maxBytes} bytes`, { details: { size: 2000, maxBytes: options.maxBytes } }); })() });
    const byConnector = await receive(image());
    await settle(f);
    expect(await mediaOf(byConnector.id)).toMatchObject({ storeState: 'refused', storeNote: 'more than 1000 bytes' });
    download = async () => ({ body: Readable.from([pdf.body]), declaredType: 'image/jpeg' });
    const disguised = await receive(image());
    await settle(f);
    expect(await mediaOf(disguised.id)).toMatchObject({ storeState: 'refused', storeNote: expect.stringMatching(/image of type application\/pdf is not allowed/) });
    expect(await store.list('t1')).toEqual([]);
    expect(await store.usage('t1')).toEqual({ files: 0, bytes: 0, quarantined: 0 });
  });

  it('marks a file the scanner rejects quarantined: stored, never served', async () => {
    const f = fetcher();
    f.listen();
    scanner = async () => ({ verdict: 'reject', reason: 'Win.Test.EICAR_HDB-1' });
    const message = await receive(image());
    await settle(f);
    const media = await mediaOf(message.id);
    expect(media).toMatchObject({ storeState: 'quarantined', storeNote: 'Win.Test.EICAR_HDB-1', storedId: expect.any(String) });
    expect(await store.read('t1', media.storedId!)).toBeUndefined();
  });

  it('leaves the media of a connector that cannot download as the reference it is', async () => {
    download = undefined;
    const f = fetcher();
    f.listen();
    const message = await receive(image());
    await settle(f);
    const stored = (await stores.messages.get('t1', message.id))!;
    expect(stored.mediaPending).toBeUndefined();
    expect((stored.content as { media: MediaRef }).media).toEqual({ id: 'platform-media-1', mimeType: 'image/jpeg' });
    expect(await stores.mediaJobs.get('t1', message.id)).toBeUndefined();
  });

  it('loses nothing across a crash: the start-up sweep finds messages stored without a job, and an expired lease is taken over', async () => {
    // the process died after storing the message, before its notice
    const orphan = await receive(image(), { crash: true });
    // another died while fetching: its job is leased, the lease runs out
    const leased = await receive(image({ id: 'second' }), { crash: true });
    await stores.mediaJobs.add({ id: leased.id, tenantId: 't1', channel: 'acme', accountId: 'page1', attempts: 0, notBefore: new Date(clock.now()), createdAt: new Date(clock.now()) });
    expect(await stores.mediaJobs.lease({ tenantId: 't1', channel: 'acme', owner: 'dead-process', limit: 10, leaseMs: 60_000, now: new Date(clock.now()) })).toHaveLength(1);
    const f = fetcher();
    expect(await f.sweep()).toBe(2);
    await f.drain();
    expect(await mediaOf(orphan.id)).toMatchObject({ storeState: 'stored' });
    // still leased by the dead process
    expect((await stores.messages.get('t1', leased.id))!.mediaPending).toBe(true);
    clock.advance(60_001);
    await f.drain();
    expect(await mediaOf(leased.id)).toMatchObject({ storeState: 'stored' });
    // a fetch that stored its file before its process died (its job leased, so counted as an
    // attempt) is not fetched again once the lease runs out
    const again = await receive(image(), { crash: true });
    await stores.mediaJobs.add({ id: again.id, tenantId: 't1', channel: 'acme', accountId: 'page1', attempts: 0, notBefore: new Date(clock.now()), createdAt: new Date(clock.now()) });
    expect(await stores.mediaJobs.lease({ tenantId: 't1', channel: 'acme', owner: 'dead-process', limit: 10, leaseMs: 60_000, now: new Date(clock.now()) })).toHaveLength(1);
    const kept = await store.put('t1', Readable.from([png.body]), { origin: 'inbound', kind: 'image', messageId: again.id });
    let called = 0;
    download = async () => { called++; return { body: Readable.from([png.body]) }; };
    await f.sweep();
    clock.advance(60_001);
    await f.drain();
    expect(called).toBe(0);
    expect(await mediaOf(again.id)).toMatchObject({ storeState: 'stored', storedId: kept.stored ? kept.record.id : '' });
  });

  it('downloads at most concurrencyPerChannel files of a channel at once', async () => {
    const f = fetcher({ concurrencyPerChannel: 2 });
    f.listen();
    let running = 0;
    let most = 0;
    const waiting: (() => void)[] = [];
    download = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      return { body: Readable.from([png.body]) };
    };
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await receive(image({ id: `p${i}` })));
    const draining = f.drain();
    for (let released = 0; released < 5; released++) {
      await expect.poll(() => waiting.length).toBeGreaterThan(0);
      expect(running).toBeLessThanOrEqual(2);
      waiting.shift()!();
    }
    await draining;
    expect(most).toBe(2);
    for (const m of messages) expect(await mediaOf(m.id)).toMatchObject({ storeState: 'stored' });
  });
});

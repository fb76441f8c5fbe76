/**
 * How the console presents files, on a real media store (memory driver and blob store) and real
 * signed URLs on a ManualClock: a stored file gets a same-origin signed link that is valid for the
 * console's life and no longer, and a view per display; every other state says why there is no
 * link; the platform's URL and a decryption key never reach the browser.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, sampleMedia, type MediaRef } from '@switchboard/core';
import { HostMediaStore } from '../media/host-media-store.js';
import { MemoryBlobStore } from '../media/memory-blob-store.js';
import type { MediaRecord } from '../media/media-store.js';
import { SignedMediaUrls } from '../media/media-urls.js';
import { DocumentMediaRecordStore } from '../stores/document-media-store.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import {
  ConsoleMediaDraftSchema, DEFAULT_CONSOLE_MEDIA_URL_TTL_MS, displayOf, presentConsoleMessage, presentConsoleMessages, redactMessageMedia, sameOriginPath, sendKindOf,
  type ConsoleMediaDeps, type ConsoleMediaRef,
} from './console-media.js';

const png = sampleMedia('image');
const pdf = sampleMedia('file');
const mp4 = sampleMedia('video');

type Shown = { content: { type: string; media: ConsoleMediaRef } };

describe('console media presentation', () => {
  let driver: MemoryDriver;
  let store: HostMediaStore;
  let urls: SignedMediaUrls;
  let clock: ManualClock;
  let deps: ConsoleMediaDeps;

  const put = async (tenantId: string, body: Buffer, input: { kind?: MediaRecord['kind']; filename?: string } = {}): Promise<MediaRecord> => {
    const result = await store.put(tenantId, Readable.from([body]), { origin: 'inbound', ...input });
    if (!result.stored) throw new Error(result.reason);
    return result.record;
  };
  const message = (content: unknown, direction: 'inbound' | 'outbound' = 'inbound') => ({ id: 'm1', direction, content: content as { type: string } });
  const present = async (tenantId: string, content: unknown, direction: 'inbound' | 'outbound' = 'inbound'): Promise<ConsoleMediaRef> =>
    ((await presentConsoleMessage(tenantId, message(content, direction), deps)) as unknown as Shown).content.media;
  /** Checks a presented link as the signed route does: `valid`, `expired` or `invalid`. */
  const check = (link: string) => {
    const u = new URL(link, 'http://console.test');
    const [, , id] = u.pathname.split('/');
    return urls.check(u.searchParams.get('tenant')!, decodeURIComponent(id!), u.searchParams.get('exp')!, u.searchParams.get('sig')!);
  };

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-05-01T09:00:00Z'));
    driver = new MemoryDriver();
    store = new HostMediaStore({ records: new DocumentMediaRecordStore(driver), blobs: new MemoryBlobStore(), now: () => clock.now() });
    urls = new SignedMediaUrls({ driver, clock, publicUrl: 'https://chat.example.com' });
    deps = { store, urls };
  });
  afterEach(async () => {
    await driver.close();
  });

  it('gives a stored picture a same-origin signed link that works for the console\'s life, then expires', async () => {
    const r = await put('shop', png.body, { kind: 'image' });
    const media = await present('shop', { type: 'image', media: { id: 'wamid-media-1', storedId: r.id, storeState: 'stored', sha256: r.sha256, caption: 'Dented door' } });
    expect(media.view).toEqual({
      state: 'stored', display: 'image', storedId: r.id, url: expect.stringMatching(new RegExp(`^/media/${r.id}\\?tenant=shop&exp=\\d+&sig=`)),
      expiresInMs: DEFAULT_CONSOLE_MEDIA_URL_TTL_MS, contentType: 'image/png', size: png.body.length, alt: 'Dented door',
    });
    // relative although the host's publicUrl is absolute: the browser asks the origin that served the console
    expect(media.view.state === 'stored' && media.view.url.startsWith('/')).toBe(true);
    const link = (media.view as { url: string }).url;
    expect(await check(link)).toBe('valid');
    clock.advance(DEFAULT_CONSOLE_MEDIA_URL_TTL_MS - 1);
    expect(await check(link)).toBe('valid');
    clock.advance(2);
    expect(await check(link)).toBe('expired');
  });

  it('uses the configured life for its links', async () => {
    const r = await put('shop', png.body, { kind: 'image' });
    deps = { ...deps, ttlMs: 60_000 };
    const media = await present('shop', { type: 'image', media: { storedId: r.id, storeState: 'stored' } });
    expect(media.view).toMatchObject({ state: 'stored', expiresInMs: 60_000 });
    clock.advance(60_001);
    expect(await check((media.view as { url: string }).url)).toBe('expired');
  });

  it('never hands the browser the platform\'s URL or a decryption key', async () => {
    const r = await put('shop', png.body, { kind: 'image' });
    const source: MediaRef = {
      url: 'https://api.telegram.org/file/bot123456:SECRET-TOKEN/photos/file_1.jpg', storedId: r.id, storeState: 'stored',
      encryption: { decryptionKey: '00aabbccddeeff', owner: 'mmcs-owner', signature: 'c2ln' },
    };
    const media = await present('shop', { type: 'image', media: source });
    const json = JSON.stringify(media);
    expect(json).not.toContain('SECRET-TOKEN');
    expect(json).not.toContain('00aabbccddeeff');
    expect(media).not.toHaveProperty('url');
    expect(media).not.toHaveProperty('encryption');
    // the stream's copy of a message is redacted the same way
    const streamed = JSON.stringify(redactMessageMedia({ id: 'm1', content: { type: 'image', media: source } }));
    expect(streamed).not.toContain('SECRET-TOKEN');
    expect(streamed).not.toContain('00aabbccddeeff');
    expect(redactMessageMedia({ id: 'm2', content: { type: 'text', text: 'hi' } })).toEqual({ id: 'm2', content: { type: 'text', text: 'hi' } });
    expect(redactMessageMedia(undefined)).toBeUndefined();
  });

  it('shows audio and video in players, documents as downloads named after the file', async () => {
    const video = await put('shop', mp4.body, { kind: 'video' });
    const doc = await put('shop', pdf.body, { kind: 'document', filename: 'invoice 2026-04.pdf' });
    const v = await present('shop', { type: 'video', media: { storedId: video.id, storeState: 'stored' } });
    expect(v.view).toMatchObject({ state: 'stored', display: 'video', contentType: 'video/mp4', alt: 'Video from the customer' });
    const d = await present('shop', { type: 'document', media: { storedId: doc.id, filename: 'invoice 2026-04.pdf' } }, 'outbound');
    expect(d.view).toMatchObject({ state: 'stored', display: 'file', filename: 'invoice 2026-04.pdf', size: pdf.body.length, contentType: 'application/pdf' });
    // the name ends the link's path, so the browser saves the download under it
    expect((d.view as { url: string }).url).toMatch(new RegExp(`^/media/${doc.id}/invoice%202026-04\\.pdf\\?`));
    expect(await check((d.view as { url: string }).url)).toBe('valid');
  });

  it('says why there is no link: fetching, refused, failed, quarantined — and asks for no URL', async () => {
    const signed = vi.spyOn(urls, 'signedUrl');
    // stored a moment ago, its fetch not yet recorded: fetching all the same (the bookkeeping stays out)
    const fresh = await presentConsoleMessage('shop', { ...message({ type: 'image', media: { id: 'p0' } }), mediaPending: true }, deps);
    expect((fresh as unknown as Shown).content.media.view).toEqual({ state: 'pending' });
    expect(fresh).not.toHaveProperty('mediaPending');
    expect((await present('shop', { type: 'image', media: { id: 'p1', storeState: 'pending' } })).view).toEqual({ state: 'pending' });
    expect((await present('shop', { type: 'image', media: { id: 'p2', storeState: 'refused', storeNote: 'the file is larger than the 65536 bytes allowed for a image' } })).view)
      .toEqual({ state: 'refused', reason: 'the file is larger than the 65536 bytes allowed for a image' });
    expect((await present('shop', { type: 'audio', media: { id: 'p3', storeState: 'failed', storeNote: 'gave up after 5 attempts: 404' } })).view)
      .toEqual({ state: 'failed', reason: 'gave up after 5 attempts: 404' });
    const r = await put('shop', png.body, { kind: 'image' });
    expect((await present('shop', { type: 'image', media: { storedId: r.id, storeState: 'quarantined', storeNote: 'EICAR test signature' } })).view)
      .toEqual({ state: 'quarantined', reason: 'EICAR test signature' });
    expect(signed).not.toHaveBeenCalled();
  });

  it('treats a file the scanner rejected as quarantined whatever the message says, and a deleted one as missing', async () => {
    const infected = await store.put('shop', Readable.from([png.body]), { origin: 'upload' });
    expect(infected.stored).toBe(true);
    const scanning = new HostMediaStore({
      records: new DocumentMediaRecordStore(driver), blobs: new MemoryBlobStore(), now: () => clock.now(),
      scanner: async () => ({ verdict: 'reject', reason: 'Win.Test.EICAR' }),
    });
    const q = await scanning.put('shop', Readable.from([pdf.body]), { origin: 'upload' });
    if (!q.stored) throw new Error('not stored');
    deps = { store: scanning, urls };
    expect((await present('shop', { type: 'document', media: { storedId: q.record.id } })).view).toEqual({ state: 'quarantined', reason: 'Win.Test.EICAR' });
    deps = { store, urls };
    const r = await put('shop', png.body, { kind: 'image' });
    await store.delete('shop', r.id);
    expect((await present('shop', { type: 'image', media: { storedId: r.id, storeState: 'stored' } })).view).toMatchObject({ state: 'missing' });
  });

  it('finds no file of another tenant', async () => {
    const r = await put('shop', png.body, { kind: 'image' });
    expect((await present('other', { type: 'image', media: { storedId: r.id, storeState: 'stored' } })).view).toMatchObject({ state: 'missing' });
  });

  it('says when the host keeps no copy (a platform reference only)', async () => {
    const media = await present('shop', { type: 'sticker', media: { id: '369239263222822', url: 'https://scontent.xx.fbcdn.net/v/like.png' } });
    expect(media.view).toMatchObject({ state: 'not-stored' });
    expect(media).not.toHaveProperty('url');
  });

  it('reads each file once for a history, and leaves other content as it is', async () => {
    const r = await put('shop', png.body, { kind: 'image' });
    const get = vi.spyOn(store, 'get');
    const list = [
      message({ type: 'text', text: 'hello' }),
      { ...message({ type: 'image', media: { storedId: r.id, storeState: 'stored' } }), id: 'm2' },
      { ...message({ type: 'image', media: { storedId: r.id } }, 'outbound'), id: 'm3' },
    ];
    const shown = await presentConsoleMessages('shop', list, deps);
    expect(get).toHaveBeenCalledTimes(1);
    expect(shown[0]).toBe(list[0]);
    expect(shown.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect((shown[2] as unknown as Shown).content.media.view).toMatchObject({ state: 'stored', alt: 'Picture sent to the customer' });
  });

  it('shows in place only what a browser shows safely', () => {
    expect(displayOf('image', 'image/png')).toBe('image');
    expect(displayOf('image', 'image/jpeg; charset=binary')).toBe('image');
    expect(displayOf('sticker', 'image/webp')).toBe('image');
    // scriptable, or not what the message said it is: offered for download
    expect(displayOf('image', 'image/svg+xml')).toBe('file');
    expect(displayOf('image', 'application/pdf')).toBe('file');
    expect(displayOf('document', 'image/png')).toBe('file');
    expect(displayOf('video', 'video/mp4')).toBe('video');
    expect(displayOf('video', 'audio/ogg')).toBe('file');
    expect(displayOf('audio', 'audio/ogg')).toBe('audio');
  });

  it('makes links relative to the console\'s own origin', () => {
    expect(sameOriginPath('https://chat.example.com/media/abc/x.pdf?tenant=t&exp=1&sig=s')).toBe('/media/abc/x.pdf?tenant=t&exp=1&sig=s');
    expect(sameOriginPath('/media/abc?tenant=t')).toBe('/media/abc?tenant=t');
  });

  it('parses a file reply and picks the kind to send it as', () => {
    expect(ConsoleMediaDraftSchema.parse({ kind: 'media', storedId: 'abc_DEF-1' })).toEqual({ kind: 'media', storedId: 'abc_DEF-1', sendAs: 'auto' });
    expect(ConsoleMediaDraftSchema.safeParse({ kind: 'media', storedId: '../etc/passwd' }).success).toBe(false);
    expect(ConsoleMediaDraftSchema.safeParse({ kind: 'media', storedId: 'a', extra: 1 }).success).toBe(false);
    expect(ConsoleMediaDraftSchema.safeParse({ kind: 'media', storedId: 'a', sendAs: 'sticker' }).success).toBe(false);
    expect(sendKindOf({ kind: 'image' }, 'auto')).toBe('image');
    expect(sendKindOf({ kind: 'sticker' }, 'auto')).toBe('image');
    expect(sendKindOf({ kind: 'image' }, 'document')).toBe('document');
  });
});

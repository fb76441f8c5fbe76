import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock, collectBody, isSwitchboardError, sampleMedia,
  type DownloadedMedia, type MediaRef, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { DEFAULT_ATTACHMENT_URL_TTL_MS, FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';
import { MEDIA_USER_AGENT, MESSENGER_ATTACHMENT_TTL_MS, filenameOfLink } from './messenger-media.js';
import plugin from './index.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const PSID = '6543210987654321';
const TOKEN = messengerSandboxConfig.pageAccessToken;
const PATH = `/v23.0/${messengerSandboxConfig.pageId}/messages`;
const clock = new ManualClock(T0);
const fake = new FakeMessengerServer({ config: { ...messengerSandboxConfig }, clock });

/** What the connector's fetch sent. */
interface Sent { method: string; url: string; headers: Record<string, string> }
const sent: Sent[] = [];
const recording: typeof fetch = async (input, init) => {
  sent.push({ method: init?.method ?? 'GET', url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
  return fetch(input, init);
};
let connector: MessengerConnector;

/** The business's own file host (what the host's media URL would be), counting hits per path. */
const files = new Map<string, { body: Buffer; type: string; status?: number }>();
const hits = new Map<string, number>();
let host: Server;
let hostUrl = '';

beforeAll(async () => {
  await fake.start();
  connector = new MessengerConnector(parseConfig(fake.connectorConfig()), { fetch: recording, clock });
  host = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files.get(path);
    if (!file) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not here'); return; }
    res.writeHead(file.status ?? 200, { 'content-type': file.type, 'content-length': String(file.body.length) });
    res.end(file.body);
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', () => r()));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.stop();
  host.closeAllConnections();
  await new Promise<void>((r) => host.close(() => r()));
});
beforeEach(() => {
  fake.reset();
  clock.set(T0);
  sent.length = 0;
  hits.clear();
  fake.userMessage({ userId: PSID, text: 'Hello' });
});

const asRaw = (w: SignedWebhook): RawWebhook => ({ method: 'POST', path: '/webhooks', query: {}, headers: w.headers, body: w.body });

function inboundMedia(mediaType: 'image' | 'video' | 'audio' | 'file', file?: { body: Buffer; mimeType?: string }): MediaRef {
  const events = connector.parse(asRaw(fake.simulate({ kind: 'media', userId: PSID, mediaType, ...(file ? { file } : {}) })));
  const event = events.find((e) => e.kind === 'message' && 'media' in e.content);
  if (event?.kind !== 'message' || !('media' in event.content)) throw new Error('no media message');
  return event.content.media;
}

const bytesOf = (media: DownloadedMedia): Promise<Buffer> => collectBody(media.body);

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    expect(isSwitchboardError(error)).toBe(true);
    return error as unknown as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('Messenger attachment download: the CDN link, no token', () => {
  it('declares download and upload by URL on the plugin', () => {
    expect(plugin.media).toEqual({ download: true, upload: 'url' });
  });

  it('exact request: a plain GET of the link with a User-Agent and no token; the bytes are the fake\'s', async () => {
    const media = inboundMedia('image');
    const downloaded = await connector.downloadMedia(media, { maxBytes: 1024 * 1024 });
    const bytes = await bytesOf(downloaded);
    expect(bytes).toEqual(sampleMedia('image').body);
    expect(bytes).toEqual(fake.storedMedia(media));
    expect(sent).toEqual([{ method: 'GET', url: media.url!, headers: { 'user-agent': MEDIA_USER_AGENT } }]);
    expect(downloaded).toMatchObject({ declaredType: 'image/png', declaredSize: bytes.length });
    // the Graph API saw nothing: the CDN is a host of its own
    expect(fake.requests).toEqual([]);
  });

  it('a PDF and a test\'s own bytes arrive as the fake holds them', async () => {
    const pdf = inboundMedia('file');
    expect(await bytesOf(await connector.downloadMedia(pdf, { maxBytes: 1024 * 1024 }))).toEqual(sampleMedia('file').body);
    const own = inboundMedia('audio', { body: Buffer.from('not really audio'), mimeType: 'audio/mpeg' });
    const downloaded = await connector.downloadMedia(own, { maxBytes: 1024 });
    expect(downloaded.declaredType).toBe('audio/mpeg');
    expect((await bytesOf(downloaded)).toString()).toBe('not really audio');
  });

  it('regression: an expired link (403 on the platform clock) is a permanent error that says no fresh link can be had, and is not retried', async () => {
    const media = inboundMedia('image');
    clock.advance(DEFAULT_ATTACHMENT_URL_TTL_MS + 1000);
    const answer = await fetch(media.url!);
    expect([answer.status, await answer.text()]).toEqual([403, 'URL signature expired']);
    sent.length = 0;
    const error = await rejection(connector.downloadMedia(media, { maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'link-expired', status: 403 } });
    expect(String(error.message)).toMatch(/expired or is no longer valid.*no way to fetch a fresh link/);
    expect(sent).toHaveLength(1);
  });

  it('a tampered link is refused by the CDN (403 Bad URL hash), an unknown file 404: both permanent', async () => {
    const media = inboundMedia('image');
    const tampered = media.url!.replace(/oh=[^&]+/, 'oh=AAAA');
    expect(await (await fetch(tampered)).text()).toBe('Bad URL hash');
    expect(await rejection(connector.downloadMedia({ url: tampered }, { maxBytes: 1024 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'link-expired', status: 403 } });
    const unknown = media.url!.replace(/\/v\/\d+\./, '/v/42.');
    expect(await rejection(connector.downloadMedia({ url: unknown }, { maxBytes: 1024 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { status: 404 } });
  });

  it('honours config.attachmentUrlTtlMs', async () => {
    const short = new FakeMessengerServer({ config: { ...messengerSandboxConfig, attachmentUrlTtlMs: 60_000 }, clock });
    await short.start();
    try {
      const [event] = connector.parse(asRaw(short.simulate({ kind: 'media', userId: PSID, mediaType: 'video' })));
      const url = (event as { content: { media: { url: string } } }).content.media.url;
      clock.advance(59_000);
      expect((await fetch(url)).status).toBe(200);
      clock.advance(2_000);
      expect((await fetch(url)).status).toBe(403);
    } finally {
      await short.stop();
    }
  });

  it('refuses a file over maxBytes: by content-length before reading, and while streaming a body without one', async () => {
    const media = inboundMedia('video', { body: Buffer.alloc(5000, 1), mimeType: 'video/mp4' });
    expect(await rejection(connector.downloadMedia(media, { maxBytes: 4999 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', size: 5000 } });
    const chunked: typeof fetch = async () => new Response(new ReadableStream<Uint8Array>({ pull(c) { c.enqueue(new Uint8Array(700)); } }), { status: 200, headers: { 'content-type': 'video/mp4' } });
    const downloaded = await new MessengerConnector(parseConfig(fake.connectorConfig()), { fetch: chunked }).downloadMedia(media, { maxBytes: 1000 });
    expect(await rejection(bytesOf(downloaded))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', maxBytes: 1000, size: 1400 } });
  });

  it('classifies the CDN\'s other failures: 5xx and network errors retryable, 429 rate-limited', async () => {
    const media = inboundMedia('image');
    const answering = (status: number): MessengerConnector => new MessengerConnector(parseConfig(fake.connectorConfig()), { fetch: async () => new Response('x', { status }) });
    expect(await rejection(answering(503).downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'RETRYABLE_FAILURE' });
    expect(await rejection(answering(429).downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'RATE_LIMITED' });
    const offline = new MessengerConnector(parseConfig(fake.connectorConfig()), { fetch: async () => { throw new TypeError('fetch failed'); } });
    expect(await rejection(offline.downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });

  it('bad input gets a typed error and no request: no link, a link that is not http(s), a bad limit', async () => {
    expect(await rejection(connector.downloadMedia({ id: '369239263222822' }, { maxBytes: 10 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'no-url' } });
    expect(await rejection(connector.downloadMedia({ url: 'file:///etc/passwd' }, { maxBytes: 10 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'no-url' } });
    expect(await rejection(connector.downloadMedia({ url: 'https://cdn.example/x.png' }, { maxBytes: -1 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'bad-limit' } });
    expect(sent).toEqual([]);
  });

  it('a sticker\'s bytes are found by its link, though its id is the sticker id', () => {
    const [event] = connector.parse(asRaw(fake.simulate({ kind: 'sticker', userId: PSID })));
    const media = (event as { content: { media: MediaRef } }).content.media;
    expect(media.id).toBe('369239263222822');
    expect(fake.storedMedia(media)?.length).toBe(64);
  });

  it('filenameOfLink reads a file name from a link and never throws', () => {
    expect(filenameOfLink('https://cdn.fbsbx.com/v/t59/invoice%202042.pdf?oh=1&oe=2')).toBe('invoice 2042.pdf');
    expect(filenameOfLink('https://scontent.xx.fbcdn.net/v/t1.15752-9/')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => { const name = filenameOfLink(s); return name === undefined || (name.length > 0 && !name.includes('/')); }));
    fc.assert(fc.property(fc.webUrl(), (s) => { const name = filenameOfLink(s); return name === undefined || !name.includes('/'); }));
  });
});

const out = (content: OutboundMessage['content'], extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'msg-1', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content, purpose: 'service', ...extra,
});

describe('Messenger media by URL: is_reusable, then attachment_id', () => {
  it('exact request: the attachment by url with is_reusable; Meta fetches the file and its attachment_id comes back as SendResult.media for 90 days', async () => {
    const png = sampleMedia('image');
    files.set('/media/car.png', { body: png.body, type: 'image/png' });
    const result = await connector.send(out({ type: 'image', media: { url: `${hostUrl}/media/car.png` } }));
    const [request] = fake.requests;
    expect(fake.requests).toHaveLength(1);
    expect([request!.method, request!.path, request!.headers.authorization, request!.headers['content-type']]).toEqual(['POST', PATH, `Bearer ${TOKEN}`, 'application/json']);
    expect(request!.body).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: `${hostUrl}/media/car.png`, is_reusable: true } } } });
    expect(hits.get('/media/car.png')).toBe(1);
    const id = result.media?.ref.id;
    expect(id).toMatch(/^\d+$/);
    expect(result.media).toEqual({ ref: { id }, expiresAt: new Date(T0 + MESSENGER_ATTACHMENT_TTL_MS) });
    expect(fake.storedMedia({ id: id! })).toEqual(png.body);
    clock.advance(MESSENGER_ATTACHMENT_TTL_MS + 1000);
    expect(fake.storedMedia({ id: id! })).toBeUndefined();
  });

  it('the next send of the same bytes goes by attachment_id: no fetch, no new attachment', async () => {
    files.set('/media/bp.pdf', { body: sampleMedia('file').body, type: 'application/pdf' });
    const first = await connector.send(out({ type: 'document', media: { url: `${hostUrl}/media/bp.pdf`, filename: 'bp.pdf' } }));
    const id = first.media!.ref.id!;
    fake.reset();
    fake.userMessage({ userId: PSID, text: 'again please' });
    const again = await connector.send(out({ type: 'document', media: { id, url: `${hostUrl}/media/bp.pdf` } }));
    expect(fake.requests[0]!.body).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { attachment: { type: 'file', payload: { attachment_id: id } } } });
    expect(again.media).toBeUndefined();
    expect(hits.get('/media/bp.pdf')).toBe(1);
  });

  it('a caption follows as text; the attachment_id comes from the first part, and a retry past it reports none', async () => {
    files.set('/media/tour.mp4', { body: sampleMedia('video').body, type: 'video/mp4' });
    const m = out({ type: 'video', media: { url: `${hostUrl}/media/tour.mp4`, caption: 'Workshop tour' } });
    const result = await connector.send(m);
    expect(fake.requests.map((r) => (r.body as { message: Record<string, unknown> }).message)).toEqual([
      { attachment: { type: 'video', payload: { url: `${hostUrl}/media/tour.mp4`, is_reusable: true } } }, { text: 'Workshop tour' },
    ]);
    expect(result.media?.ref.id).toMatch(/^\d+$/);
    const retry = await connector.send(m, { acceptedParts: [result.externalId] });
    expect(retry).toMatchObject({ externalId: result.externalId, partIds: [expect.stringMatching(/^m_/)] });
    expect(retry.media).toBeUndefined();
    expect(hits.get('/media/tour.mp4')).toBe(1);
  });

  it('a file the host passes is not uploaded: Messenger takes the URL (the plugin declares upload by url)', async () => {
    files.set('/media/a.png', { body: sampleMedia('image').body, type: 'image/png' });
    const body = sampleMedia('image').body;
    await connector.send(out({ type: 'image', media: { url: `${hostUrl}/media/a.png` } }, {
      file: { kind: 'image', body: new Blob([new Uint8Array(body)]), size: body.length, contentType: 'image/png', sha256: 'x' },
    }));
    expect(fake.requests.map((r) => r.headers['content-type'])).toEqual(['application/json']);
  });

  it('the fake refuses what its crawler cannot fetch, with Graph\'s #100 / 2018008: a 404, no server, an image over 8 MB, audio not served as audio', async () => {
    const refused = { code: 'PERMANENT_FAILURE', details: { graphCode: 100, graphSubcode: 2018008, httpStatus: 400 } };
    expect(await rejection(connector.send(out({ type: 'image', media: { url: `${hostUrl}/media/missing.png` } })))).toMatchObject(refused);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await rejection(connector.send(out({ type: 'image', media: { url: `http://127.0.0.1:${port}/x.png` } })))).toMatchObject(refused);
    files.set('/media/huge.jpg', { body: Buffer.alloc(8 * 1024 * 1024 + 1), type: 'image/jpeg' });
    expect(await rejection(connector.send(out({ type: 'image', media: { url: `${hostUrl}/media/huge.jpg` } })))).toMatchObject(refused);
    files.set('/media/note.mp3', { body: Buffer.from('ID3'), type: 'text/plain' });
    expect(await rejection(connector.send(out({ type: 'audio', media: { url: `${hostUrl}/media/note.mp3` } })))).toMatchObject(refused);
    files.set('/media/voice.mp3', { body: Buffer.from('ID3'), type: 'audio/mpeg' });
    await expect(connector.send(out({ type: 'audio', media: { url: `${hostUrl}/media/voice.mp3` } }))).resolves.toMatchObject({ media: { ref: { id: expect.stringMatching(/^\d+$/) } } });
    expect(fake.sentMessages()).toHaveLength(1);
  });

  it('a link on a host reserved for examples is accepted without fetching, and nothing is kept (a fake-only concession for samples)', async () => {
    const result = await connector.send(out({ type: 'document', media: { url: 'https://files.lumen-air.example/boarding-passes/K7Q2ZP.pdf' } }));
    expect(result.externalId).toMatch(/^m_/);
    expect(result.media).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock, collectBody, connectorErrorKind, isSwitchboardError, sampleMedia,
  type DownloadedMedia, type MediaKind, type MediaRef, type OutboundFile, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig } from './fake-whatsapp-server.js';
import { PENDING_UPLOAD_MEDIA_ID } from './render-whatsapp-message.js';
import { WhatsAppConnector } from './whatsapp-connector.js';
import { MEDIA_USER_AGENT, WHATSAPP_MEDIA_TTL_MS, readMediaInfo } from './whatsapp-media.js';
import plugin from './index.js';

const USER = '4915112345678';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const PNID = whatsappSandboxConfig.phoneNumberId;
const TOKEN = whatsappSandboxConfig.accessToken;
const DAY = 24 * 60 * 60 * 1000;

/** A request as the connector's fetch made it. */
interface Sent { method: string; url: string; headers: Record<string, string>; body?: unknown }

let fake: FakeWhatsAppServer | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

/**
 * A fake on a manual clock and a connector on the same clock whose fetch records each request;
 * `after` runs after each answer (the test moves the clock there, between the connector's calls).
 */
async function start(after?: (request: Sent, response: Response) => void): Promise<{ fake: FakeWhatsAppServer; connector: WhatsAppConnector; clock: ManualClock; sent: Sent[] }> {
  const clock = new ManualClock(T0);
  fake = new FakeWhatsAppServer({ clock, config: { ...whatsappSandboxConfig } });
  await fake.start();
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const request: Sent = { method: init?.method ?? 'GET', url: String(input), headers, ...(init?.body !== undefined ? { body: init.body } : {}) };
    sent.push(request);
    const response = await fetch(input, init);
    after?.(request, response);
    return response;
  };
  return { fake, clock, sent, connector: new WhatsAppConnector(parseConfig(fake.connectorConfig()), { fetch: recording, clock }) };
}

const asRaw = (w: SignedWebhook): RawWebhook => ({ method: 'POST', path: '/webhooks/whatsapp/x', query: {}, headers: w.headers, body: w.body });

/** A simulated customer media message, parsed by the connector: its media reference. */
function inboundMedia(f: FakeWhatsAppServer, connector: WhatsAppConnector, mediaType: 'image' | 'video' | 'audio' | 'file', file?: { body: Buffer; mimeType?: string; filename?: string }): MediaRef {
  const [event] = connector.parse(asRaw(f.simulate({ kind: 'media', userId: USER, mediaType, ...(file ? { file } : {}) })));
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

const graphPath = (url: string): string => { const u = new URL(url); return `${u.pathname}${u.search}`; };
const isRetrieve = (r: Sent): boolean => /\/v23\.0\/\d+\?phone_number_id=/.test(r.url);

describe('WhatsApp media download: media id → URL → bytes', () => {
  it('exact requests: GET /{media-id}?phone_number_id with the token, then the URL with the token and a User-Agent; the bytes are the fake\'s', async () => {
    const { fake, connector, sent } = await start();
    const media = inboundMedia(fake, connector, 'image');
    const downloaded = await connector.downloadMedia(media, { maxBytes: 5 * 1024 * 1024 });
    const bytes = await bytesOf(downloaded);
    expect(bytes).toEqual(sampleMedia('image').body);
    expect(bytes).toEqual(fake.storedMedia(media));
    expect(downloaded).toMatchObject({ declaredType: 'image/png', declaredSize: bytes.length });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ method: 'GET', url: `${fake.url}/v23.0/${media.id!}?phone_number_id=${PNID}`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(sent[1]).toEqual({ method: 'GET', url: expect.stringMatching(/\/whatsapp_business\/attachments\/\?mid=\d+&ext=\d+&hash=/) as unknown as string, headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': MEDIA_USER_AGENT } });
    // the Graph request the fake received is the same one
    expect(fake.requests.map((r) => [r.method, `${r.path}?${new URLSearchParams(r.query).toString()}`, r.headers.authorization])).toEqual([['GET', graphPath(sent[0]!.url), `Bearer ${TOKEN}`]]);
  });

  it('a document keeps its file name; a test\'s own bytes and declared type arrive as sent', async () => {
    const { fake, connector } = await start();
    const pdf = sampleMedia('file');
    const media = inboundMedia(fake, connector, 'file', { body: pdf.body, filename: 'invoice-2042.pdf' });
    expect(media).toMatchObject({ filename: 'invoice-2042.pdf', mimeType: 'application/pdf' });
    const downloaded = await connector.downloadMedia(media, { maxBytes: 1024 * 1024 });
    expect(downloaded.filename).toBe('invoice-2042.pdf');
    expect(await bytesOf(downloaded)).toEqual(pdf.body);
    const liar = inboundMedia(fake, connector, 'image', { body: Buffer.from('%PDF-1.4 not an image'), mimeType: 'image/jpeg' });
    const claimed = await connector.downloadMedia(liar, { maxBytes: 1024 });
    expect(claimed.declaredType).toBe('image/jpeg');
    expect((await bytesOf(claimed)).toString()).toBe('%PDF-1.4 not an image');
  });

  it('refuses a file whose announced size passes maxBytes before downloading it (permanent)', async () => {
    const { fake, connector, sent } = await start();
    const media = inboundMedia(fake, connector, 'video', { body: Buffer.alloc(2048, 1), mimeType: 'video/mp4' });
    const error = await rejection(connector.downloadMedia(media, { maxBytes: 2047 }));
    expect(connectorErrorKind(error as never)).toBe('permanent');
    expect(error.details).toMatchObject({ reason: 'too-large', maxBytes: 2047, size: 2048 });
    expect(sent.filter((r) => !isRetrieve(r))).toEqual([]);
  });

  it('without an announced file_size: refuses by the media host\'s content-length, and stops a body without one once it passes maxBytes', async () => {
    const { fake, connector } = await start();
    const media = inboundMedia(fake, connector, 'audio', { body: Buffer.alloc(3000, 7), mimeType: 'audio/ogg' });
    const info = (await (await fetch(`${fake.url}/v23.0/${media.id!}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, unknown>;
    const withoutSize = { status: 200, body: { messaging_product: 'whatsapp', url: info.url, mime_type: 'audio/ogg', id: media.id } };
    fake.script([withoutSize], new RegExp(`/${media.id!}$`));
    expect(await rejection(connector.downloadMedia(media, { maxBytes: 1000 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', size: 3000 } });
    // a media host answer whose length is only known by reading it (a stub: the fake's host always sends content-length)
    let pulled = 0;
    const chunked: typeof fetch = async (input, init) => {
      if (!String(input).includes('/whatsapp_business/')) return fetch(input, init);
      return new Response(new ReadableStream<Uint8Array>({ pull(controller) { pulled += 1; controller.enqueue(new Uint8Array(400)); } }), { status: 200 });
    };
    fake.script([withoutSize], new RegExp(`/${media.id!}$`));
    const streaming = new WhatsAppConnector(parseConfig(fake.connectorConfig()), { fetch: chunked });
    const downloaded = await streaming.downloadMedia(media, { maxBytes: 1000 });
    expect(await rejection(bytesOf(downloaded))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', maxBytes: 1000, size: 1200 } });
    // it stopped reading: the stream is cancelled, not drained (at most the chunks already queued)
    expect(pulled).toBeLessThan(6);
  });

  it('regression: an expired URL (404 after 5 minutes of platform time) is requested afresh once, and the download succeeds', async () => {
    let moved = false;
    const { fake, connector, clock, sent } = await start((request) => {
      // the first URL expires between the connector's two calls
      if (!moved && isRetrieve(request)) { moved = true; clock.advance(WHATSAPP_MEDIA_TTL_MS.downloadUrl + 1000); }
    });
    const media = inboundMedia(fake, connector, 'image');
    const bytes = await bytesOf(await connector.downloadMedia(media, { maxBytes: 1024 * 1024 }));
    expect(bytes).toEqual(fake.storedMedia(media));
    expect(sent.map((r) => (isRetrieve(r) ? 'retrieve' : 'download'))).toEqual(['retrieve', 'download', 'retrieve', 'download']);
    expect(sent[1]!.url).not.toBe(sent[3]!.url);
  });

  it('a URL that answers 404 again after the refresh is a permanent error saying the media is gone', async () => {
    const { fake, connector, clock, sent } = await start((request) => { if (isRetrieve(request)) clock.advance(WHATSAPP_MEDIA_TTL_MS.downloadUrl + 1000); });
    const media = inboundMedia(fake, connector, 'image');
    const error = await rejection(connector.downloadMedia(media, { maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'media-gone', status: 404 } });
    expect(sent).toHaveLength(4);
  });

  it('a media id from a webhook expires after 7 days: Graph answers #100, a permanent error', async () => {
    const { fake, connector, clock } = await start();
    const media = inboundMedia(fake, connector, 'image');
    clock.advance(WHATSAPP_MEDIA_TTL_MS.inboundId + 1000);
    const error = await rejection(connector.downloadMedia(media, { maxBytes: 1024 * 1024 }));
    expect(error).toMatchObject({ code: 'PERMANENT_FAILURE', details: { graphCode: 100, subcode: 33 } });
    expect(fake.storedMedia(media)).toBeUndefined();
  });

  it('bytes that do not match the announced SHA-256 fail the stream with a retryable error', async () => {
    const { fake, connector } = await start();
    const media = inboundMedia(fake, connector, 'image');
    const held = fake.getMedia(media.id!)!;
    held.bytes = Buffer.from(held.bytes).fill(0, 20, 30); // the platform's copy is damaged: same size, other bytes
    const error = await rejection(bytesOf(await connector.downloadMedia(media, { maxBytes: 1024 * 1024 })));
    expect(error).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'checksum-mismatch' } });
  });

  it('classifies like the send path: wrong token permanent, 429 rate-limited, 5xx retryable; a media host that fails is classified too', async () => {
    const { fake, connector } = await start();
    const media = inboundMedia(fake, connector, 'image');
    const wrongToken = new WhatsAppConnector(parseConfig({ ...fake.connectorConfig(), accessToken: 'EAAwrong' }));
    expect(await rejection(wrongToken.downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { status: 401, graphCode: 190 } });
    fake.script([{ status: 429, headers: { 'retry-after': '7' }, body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } } }]);
    expect(await rejection(connector.downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 7000 });
    fake.script([{ status: 500, body: { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } } }]);
    expect(await rejection(connector.downloadMedia(media, { maxBytes: 1024 }))).toMatchObject({ code: 'RETRYABLE_FAILURE' });
    // the media host's own failures (a stub stands in for it: the fake's media host does not fail on demand)
    const flaky: typeof fetch = async (input, init) => (String(input).includes('/whatsapp_business/') ? new Response('busy', { status: 503 }) : fetch(input, init));
    const viaFlaky = new WhatsAppConnector(parseConfig(fake.connectorConfig()), { fetch: flaky });
    expect(await rejection(viaFlaky.downloadMedia(media, { maxBytes: 1024 * 1024 }))).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { status: 503 } });
    const refused: typeof fetch = async (input, init) => (String(input).includes('/whatsapp_business/') ? new Response('no', { status: 403 }) : fetch(input, init));
    expect(await rejection(new WhatsAppConnector(parseConfig(fake.connectorConfig()), { fetch: refused }).downloadMedia(media, { maxBytes: 1024 * 1024 })))
      .toMatchObject({ code: 'PERMANENT_FAILURE', details: { status: 403 } });
  });

  it('bad input gets a typed error and no request: no media id, an id that is no Graph id, a bad limit', async () => {
    const { connector, sent } = await start();
    expect(await rejection(connector.downloadMedia({ url: 'https://example.com/a.jpg' }, { maxBytes: 10 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'no-media-id' } });
    expect(await rejection(connector.downloadMedia({ id: '../106540352242922/messages' }, { maxBytes: 10 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'bad-media-id' } });
    expect(await rejection(connector.downloadMedia({ id: '123' }, { maxBytes: 0 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'bad-limit' } });
    expect(sent).toEqual([]);
  });

  it('the access token goes only to an https media URL when Graph is reached over https', async () => {
    const connector = new WhatsAppConnector(parseConfig({ accessToken: 'EAAt', appSecret: 's', verifyToken: 'v', phoneNumberId: PNID }), {
      fetch: async () => new Response(JSON.stringify({ messaging_product: 'whatsapp', url: 'http://lookaside.example/whatsapp_business/attachments/?mid=1', id: '1' }), { status: 200 }),
    });
    expect(await rejection(connector.downloadMedia({ id: '1' }, { maxBytes: 10 }))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'insecure-url' } });
  });

  it('readMediaInfo reads any answer without throwing anything but a typed error', () => {
    fc.assert(fc.property(fc.anything(), (body) => {
      try {
        const info = readMediaInfo(body, '1');
        return typeof info.url === 'string';
      } catch (error) {
        return isSwitchboardError(error) && error.code === 'PERMANENT_FAILURE';
      }
    }));
    expect(readMediaInfo({ url: 'https://lookaside.fbsbx.com/x', file_size: '303833', sha256: 'ab'.repeat(32), mime_type: 'image/jpeg' }, '1'))
      .toEqual({ url: 'https://lookaside.fbsbx.com/x', fileSize: 303833, sha256: Buffer.from('ab'.repeat(32), 'hex'), mimeType: 'image/jpeg' });
  });
});

/** An outbound file as the host passes it. */
function fileOf(kind: MediaKind, body: Buffer, contentType: string, filename?: string): OutboundFile {
  return { kind, body: new Blob([new Uint8Array(body)]), size: body.length, contentType, sha256: createHash('sha256').update(body).digest('hex'), ...(filename !== undefined ? { filename } : {}) };
}
const out = (content: OutboundMessage['content'], file?: OutboundFile): OutboundMessage => ({
  id: 'msg-1', to: { channel: 'whatsapp', accountId: PNID, userId: USER }, content, ...(file ? { file } : {}),
});

describe('WhatsApp media upload: bytes → media id → send by id', () => {
  it('declares download and upload by bytes on the plugin', () => {
    expect(plugin.media).toEqual({ download: true, upload: 'bytes' });
  });

  it('exact requests: a multipart upload (messaging_product, type, file with name and type), then the message by the id; the result carries the id for 30 days', async () => {
    const { fake, connector, clock, sent } = await start();
    fake.userMessage({ userId: USER, text: 'Can you send the photo?' });
    const png = sampleMedia('image');
    const result = await connector.send(out({ type: 'image', media: { caption: 'Your car', storedId: 'st-1' } }, fileOf('image', png.body, 'image/png', 'car.png')));
    expect(sent.map((r) => [r.method, new URL(r.url).pathname])).toEqual([['POST', `/v23.0/${PNID}/media`], ['POST', `/v23.0/${PNID}/messages`]]);
    const [upload, message] = fake.requests;
    expect(upload!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(upload!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(upload!.rawBody), { headers: { 'content-type': upload!.headers['content-type']! } }).formData();
    expect([...form.keys()]).toEqual(['messaging_product', 'type', 'file']);
    expect(form.get('messaging_product')).toBe('whatsapp');
    expect(form.get('type')).toBe('image/png');
    const part = form.get('file') as File;
    expect([part.name, part.type]).toEqual(['car.png', 'image/png']);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(png.body);
    const id = result.media?.ref.id;
    expect(id).toMatch(/^\d+$/);
    expect(message!.headers['content-type']).toBe('application/json');
    expect(message!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: USER, type: 'image', image: { id, caption: 'Your car' } });
    expect(result.media).toEqual({ ref: { id }, expiresAt: new Date(T0 + 30 * DAY) });
    expect(clock.now()).toBe(T0);
    expect(fake.storedMedia({ id: id! })).toEqual(png.body);
  });

  it('render stays pure: it renders the send by the id the upload will give, and sends nothing', async () => {
    const { connector, sent } = await start();
    const rendered = connector.render(out({ type: 'document', media: { caption: 'Boarding pass' } }, fileOf('document', sampleMedia('file').body, 'application/pdf', 'bp.pdf')));
    expect(rendered.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: USER, type: 'document', document: { id: PENDING_UPLOAD_MEDIA_ID, caption: 'Boarding pass', filename: 'bp.pdf' } });
    expect(sent).toEqual([]);
  });

  it('a later send of the same bytes goes by the id, without an upload; after 30 days the fake refuses the id', async () => {
    const { fake, connector, clock, sent } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const pdf = sampleMedia('file');
    const first = await connector.send(out({ type: 'document', media: { filename: 'bp.pdf' } }, fileOf('document', pdf.body, 'application/pdf')));
    const id = first.media!.ref.id!;
    sent.length = 0;
    const again = await connector.send(out({ type: 'document', media: { id, filename: 'bp.pdf' } }));
    expect(again.media).toBeUndefined();
    expect(sent.map((r) => new URL(r.url).pathname)).toEqual([`/v23.0/${PNID}/messages`]);
    expect(fake.accepted.at(-1)?.body.document).toEqual({ id, filename: 'bp.pdf' });
    clock.advance(30 * DAY + 1000);
    fake.userMessage({ userId: USER, text: 'Still there?' });
    expect(await rejection(connector.send(out({ type: 'document', media: { id } })))).toMatchObject({ code: 'PERMANENT_FAILURE', details: { graphCode: 100 } });
    expect(fake.storedMedia({ id })).toBeUndefined();
  });

  it('a document without its own file name takes the file\'s', async () => {
    const { fake, connector } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    await connector.send(out({ type: 'document', media: {} }, fileOf('document', sampleMedia('file').body, 'application/pdf', 'invoice.pdf')));
    expect(fake.accepted.at(-1)?.body.document).toEqual({ id: expect.stringMatching(/^\d+$/) as unknown as string, filename: 'invoice.pdf' });
  });

  it('when the message fails after the upload, the error carries the uploaded media for the retry to send by id', async () => {
    const { fake, connector } = await start();
    // no customer message: the service window is closed, so the free-form image is refused after the upload
    const error = await rejection(connector.send(out({ type: 'image', media: {} }, fileOf('image', sampleMedia('image').body, 'image/png'))));
    expect(error).toMatchObject({ code: 'WINDOW_CLOSED', details: { uploadedMedia: { ref: { id: expect.stringMatching(/^\d+$/) as unknown as string }, expiresAt: new Date(T0 + 30 * DAY) } } });
    const id = (error.details as { uploadedMedia: { ref: { id: string } } }).uploadedMedia.ref.id;
    expect(fake.storedMedia({ id })).toEqual(sampleMedia('image').body);
  });

  it('a retry whose first part was accepted uploads nothing: only the caption part is sent', async () => {
    const { fake, connector, sent } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const ogg = sampleMedia('audio');
    const result = await connector.send(out({ type: 'audio', media: { caption: 'From the mechanic' } }, fileOf('audio', ogg.body, 'audio/ogg')), { acceptedParts: ['wamid.FIRST'] });
    expect(sent.map((r) => new URL(r.url).pathname)).toEqual([`/v23.0/${PNID}/messages`]);
    expect(fake.accepted.map((a) => a.body.type)).toEqual(['text']);
    expect(result).toMatchObject({ externalId: 'wamid.FIRST', partIds: [expect.stringMatching(/^wamid\./)] });
    expect(result.media).toBeUndefined();
  });

  it('refuses a type or size WhatsApp does not take before any bytes move (permanent), and a file that does not match the content', async () => {
    const { connector, sent } = await start();
    const gif = await rejection(connector.send(out({ type: 'image', media: {} }, fileOf('image', Buffer.from('GIF89a'), 'image/gif'))));
    expect(gif).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'type-not-supported', contentType: 'image/gif' } });
    const vorbis = await rejection(connector.send(out({ type: 'audio', media: {} }, fileOf('audio', sampleMedia('audio').body, 'audio/ogg; codecs=vorbis'))));
    expect(vorbis).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'type-not-supported' } });
    const big = await rejection(connector.send(out({ type: 'sticker', media: {} }, fileOf('sticker', Buffer.alloc(500 * 1024 + 1), 'image/webp'))));
    expect(big).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', maxBytes: 500 * 1024 } });
    expect(() => connector.render(out({ type: 'image', media: {} }, fileOf('video', sampleMedia('video').body, 'video/mp4')))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
    expect(() => connector.render(out({ type: 'text', text: 'hi' }, fileOf('image', sampleMedia('image').body, 'image/png')))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
    expect(sent).toEqual([]);
  });

  it('the fake\'s upload endpoint refuses unsupported types, oversize files and a part whose type contradicts `type`, with Graph error bodies', async () => {
    const { fake } = await start();
    const upload = async (bytes: Buffer, type: string, partType = type): Promise<{ status: number; body: { error?: { code: number; message: string; error_data?: { details: string } }; id?: string } }> => {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', type);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: partType }), 'f');
      const res = await fetch(`${fake.url}/v23.0/${PNID}/media`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: await res.json() as never };
    };
    expect(await upload(Buffer.from('x'), 'image/gif')).toMatchObject({ status: 400, body: { error: { code: 100, error_data: { details: expect.stringContaining("Received file of type 'image/gif'") } } } });
    expect(await upload(Buffer.alloc(16 * 1024 * 1024 + 1), 'video/mp4')).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await upload(Buffer.from('x'), 'image/png', 'application/pdf')).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await upload(Buffer.alloc(400 * 1024), 'image/webp')).toMatchObject({ status: 200, body: { id: expect.stringMatching(/^\d+$/) } });
  });

  it('the fake refuses a send by an id it does not hold, as Graph does', async () => {
    const { fake, connector } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const error = await rejection(connector.send(out({ type: 'image', media: { id: '999000111' } })));
    expect(error).toMatchObject({ code: 'PERMANENT_FAILURE', message: expect.stringContaining("Param image['id'] is not a valid whatsapp business account media attachment ID") });
  });
});

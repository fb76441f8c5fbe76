import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ContentInvalidError, ManualClock, PermanentError, RateLimitedError, RetryableError, sampleMedia, samplePdf, samplePng, startFakeSideServer,
  type Content, type DownloadedMedia, type FakeSideServer, type MediaRef, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeViberServer, viberSandboxConfig } from './fake-viber-server.js';
import { extensionOf } from './viber-api.js';
import { ViberConnector } from './viber-connector.js';
import { plugin } from './viber-plugin.js';

const USER = 'jc9HsWTZ2Yf2NkRZ8KcNug==';
const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
const fake = new FakeViberServer({ config: { ...viberSandboxConfig }, clock, receipts: { enabled: false }, mediaLimits: { pictureBytes: 2_000, fileBytes: 4_000 } });
/** Every request the connector made, as it made it. */
const fetched: { method: string; url: string; headers: Record<string, string> }[] = [];
/** Rewrites an answer the connector's fetch got (tests drop headers here). */
let rewrite: (url: string, response: Response) => Response = (_url, r) => r;
let connector: ViberConnector;
/** The business's files, as the host serves them: `/<status>/<size>/<name>`. */
let host: FakeSideServer;

beforeAll(async () => {
  await fake.start();
  host = await startFakeSideServer((req, res) => {
    const [, status, size] = (req.url ?? '/').split('/');
    res.writeHead(Number(status), { 'content-type': 'application/octet-stream', ...(status === '429' ? { 'retry-after': '7' } : {}) });
    res.end(Buffer.alloc(Number(size), 3));
  });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    fetched.push({ method: init?.method ?? 'GET', url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
    return rewrite(String(input), await globalThis.fetch(input, init));
  };
  connector = new ViberConnector(parseConfig(fake.connectorConfig()), { clock, fetch });
});
afterAll(async () => { await fake.stop(); await host.stop(); });
beforeEach(() => { fake.reset(); fake.subscribe(USER); fetched.length = 0; rewrite = (_url, r) => r; clock.advance(60_000); });

const raw = (w: SignedWebhook): RawWebhook => ({
  method: 'POST', path: '/webhooks/viber', query: {}, body: w.body, headers: Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k.toLowerCase(), v])),
});
const mediaOf = (w: SignedWebhook): MediaRef => {
  const [event] = connector.parse(raw(w));
  if (event?.kind !== 'message' || !('media' in event.content)) throw new Error('not a media message');
  return event.content.media;
};
const callbackOf = (w: SignedWebhook): { message: Record<string, unknown> } => JSON.parse(w.body.toString()) as { message: Record<string, unknown> };
async function bytesOf(download: DownloadedMedia): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
const msg = (content: Content): OutboundMessage => ({
  id: 'm1', to: { channel: 'viber', accountId: viberSandboxConfig.accountId, userId: USER }, content, purpose: 'service', sender: 'bot',
});

describe('plugin', () => {
  it('declares downloads, and uploads by URL', () => {
    expect(plugin.media).toEqual({ download: true, upload: 'url' });
  });
});

describe('inbound media: the callback\'s media URL, streamed', () => {
  it('a picture: Viber\'s callback shape; the download is a GET of the media URL without the auth token; the bytes are what the fake holds', async () => {
    const webhook = fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Scratch' });
    expect(callbackOf(webhook).message).toEqual({
      type: 'picture', text: 'Scratch', file_name: 'photo.png',
      media: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/m\/\w+\/photo\.png$/), thumbnail: expect.stringMatching(/\/thumbnail\.png$/),
    });
    const media = mediaOf(webhook);
    expect(media).toEqual({ url: callbackOf(webhook).message.media, caption: 'Scratch', filename: 'photo.png' });
    const download = await connector.downloadMedia(media, { maxBytes: 1_000_000 });
    expect(fetched).toEqual([{ method: 'GET', url: media.url, headers: {} }]);
    const bytes = await bytesOf(download);
    expect(bytes.equals(sampleMedia('image').body)).toBe(true);
    expect(bytes.equals(fake.storedMedia(media)!)).toBe(true);
    expect(download).toMatchObject({ declaredSize: bytes.length, declaredType: 'image/png', filename: 'photo.png' });
  });

  it('a file carries file_name and file_size; audio arrives as a file; a video carries file_size and duration', async () => {
    const file = fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', caption: 'Invoice' });
    expect(callbackOf(file).message).toEqual({ type: 'file', media: expect.stringMatching(/\/document\.pdf$/), file_name: 'document.pdf', file_size: sampleMedia('file').body.length, text: 'Invoice' });
    const doc = mediaOf(file);
    expect(doc).toMatchObject({ filename: 'document.pdf', size: sampleMedia('file').body.length, caption: 'Invoice' });
    expect((await bytesOf(await connector.downloadMedia(doc, { maxBytes: 1_000_000 }))).equals(sampleMedia('file').body)).toBe(true);
    const voice = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'audio' }));
    expect((await bytesOf(await connector.downloadMedia(voice, { maxBytes: 1_000_000 }))).equals(sampleMedia('audio').body)).toBe(true);
    const video = fake.simulate({ kind: 'media', userId: USER, mediaType: 'video' });
    expect(callbackOf(video).message).toMatchObject({ type: 'video', file_size: sampleMedia('video').body.length, duration: 12 });
    expect((await bytesOf(await connector.downloadMedia(mediaOf(video), { maxBytes: 1_000_000 }))).equals(sampleMedia('video').body)).toBe(true);
  });

  it('the test\'s own bytes and declared type are served as given', async () => {
    const own = Buffer.from('%PDF-1.4 but not really');
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: own, mimeType: 'application/pdf', filename: 'claim.pdf' } }));
    const download = await connector.downloadMedia(media, { maxBytes: 1_000_000 });
    expect(download.declaredType).toBe('application/pdf');
    expect((await bytesOf(download)).equals(own)).toBe(true);
  });

  it('a link older than an hour on the platform clock is gone for good: a permanent error that says it expired', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    clock.advance(3_600_000);
    const error = await connector.downloadMedia(media, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/expired.*cannot be requested again/);
    expect((error as PermanentError).details).toMatchObject({ status: 403 });
    expect(fetched).toHaveLength(1);
    expect(fake.storedMedia(media)).toBeDefined();
  });

  it('maxBytes: the callback\'s size refuses before any request, content-length before reading, counting while reading', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    await expect(connector.downloadMedia(media, { maxBytes: 10 })).rejects.toThrow(/more than the 10 bytes allowed/);
    expect(fetched).toHaveLength(0);
    const { size: _size, ...withoutSize } = media;
    await expect(connector.downloadMedia(withoutSize, { maxBytes: 10 })).rejects.toThrow(/more than the 10 bytes allowed/);
    expect(fetched).toHaveLength(1);
    rewrite = (_url, r) => new Response(r.body, { status: r.status });
    const download = await connector.downloadMedia(withoutSize, { maxBytes: 10 });
    await expect(bytesOf(download)).rejects.toBeInstanceOf(PermanentError);
  });

  it('the media host\'s failures: 5xx retryable, 429 rate-limited with its Retry-After, other 4xx permanent, no answer retryable', async () => {
    await expect(connector.downloadMedia({ url: `${host.url}/503/0/a.jpg` }, { maxBytes: 100 })).rejects.toBeInstanceOf(RetryableError);
    const limited = await connector.downloadMedia({ url: `${host.url}/429/0/a.jpg` }, { maxBytes: 100 }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(7_000);
    await expect(connector.downloadMedia({ url: `${host.url}/400/0/a.jpg` }, { maxBytes: 100 })).rejects.toBeInstanceOf(PermanentError);
    await expect(connector.downloadMedia({ url: 'http://127.0.0.1:1/a.jpg' }, { maxBytes: 100 })).rejects.toBeInstanceOf(RetryableError);
  });

  it('media without an http(s) URL and a bad maxBytes are typed errors', async () => {
    await expect(connector.downloadMedia({ id: '46105' }, { maxBytes: 100 })).rejects.toBeInstanceOf(PermanentError);
    await expect(connector.downloadMedia({ url: 'ftp://example.com/a.jpg' }, { maxBytes: 100 })).rejects.toBeInstanceOf(PermanentError);
    await expect(connector.downloadMedia({ url: `${host.url}/200/1/a.jpg` }, { maxBytes: Number.NaN })).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('outbound media: Viber fetches the URL the host gives', () => {
  it('a file: send_message with media, size and file_name; the fake fetched and kept the bytes', async () => {
    const url = `${host.url}/200/3000/invoice-2042.pdf`;
    await connector.send(msg({ type: 'document', media: { url, size: 3000, filename: 'Invoice 2042.pdf', caption: 'Your invoice' } }));
    expect(fake.requests.map((r) => ({ path: r.path, body: r.body }))).toEqual([
      { path: '/pa/send_message', body: { receiver: USER, sender: { name: viberSandboxConfig.botName }, tracking_data: expect.any(String), type: 'file', media: url, size: 3000, file_name: 'Invoice 2042.pdf' } },
      { path: '/pa/send_message', body: { receiver: USER, sender: { name: viberSandboxConfig.botName }, tracking_data: expect.any(String), type: 'text', text: 'Your invoice' } },
    ]);
    expect(fake.storedMedia({ url })!.equals(Buffer.alloc(3000, 3))).toBe(true);
  });

  it('a picture and a video are fetched and kept the same way', async () => {
    const picture = `${host.url}/200/1500/car.png`;
    const video = `${host.url}/200/900/tour.mp4`;
    await connector.send(msg({ type: 'image', media: { url: picture } }));
    await connector.send(msg({ type: 'video', media: { url: video, size: 900 } }));
    expect(fake.storedMedia({ url: picture })!.length).toBe(1500);
    expect(fake.storedMedia({ url: video })!.length).toBe(900);
  });

  it('the fake refuses what it fetched and found wrong: a file over the limit (by content-length or counted), a URL answering 404', async () => {
    const tooBig = await connector.send(msg({ type: 'image', media: { url: `${host.url}/200/2001/car.jpg` } })).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(PermanentError);
    expect((tooBig as PermanentError).details).toMatchObject({ viberStatus: 3, statusMessage: 'badData: media is larger than 2000 bytes' });
    const missing = await connector.send(msg({ type: 'document', media: { url: `${host.url}/404/0/a.pdf`, size: 10 } })).catch((e: unknown) => e);
    expect((missing as PermanentError).details).toMatchObject({ viberStatus: 3, statusMessage: 'badData: media URL answered 404' });
    expect(fake.sentMessages()).toHaveLength(0);
  });

  it('a URL the fake cannot reach at all is accepted, as Viber accepts it, and nothing is kept for it', async () => {
    const url = 'http://127.0.0.1:1/boarding-pass.pdf';
    await expect(connector.send(msg({ type: 'document', media: { url, size: 48_213, filename: 'Boarding pass.pdf' } }))).resolves.toMatchObject({ externalId: expect.any(String) });
    expect(fake.storedMedia({ url })).toBeUndefined();
  });

  it('the fake refuses, as Viber documents, a picture URL not ending in .jpeg/.png/.gif, a video URL not ending in .mp4, a forbidden file format', async () => {
    const call = async (body: Record<string, unknown>) => (await fetch(`${fake.url}/pa/send_message`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'X-Viber-Auth-Token': viberSandboxConfig.authToken },
      body: JSON.stringify({ receiver: USER, sender: { name: 'Bot' }, ...body }),
    })).json() as Record<string, unknown>;
    expect(await call({ type: 'picture', text: '', media: `${host.url}/200/10/picture` })).toEqual({ status: 3, status_message: 'badData: media must end in .jpeg, .png or .gif' });
    expect(await call({ type: 'video', media: `${host.url}/200/10/clip.mov`, size: 10 })).toEqual({ status: 3, status_message: 'badData: media must end in .mp4' });
    expect(await call({ type: 'file', media: `${host.url}/200/10/setup.exe`, size: 10, file_name: 'setup.exe' })).toEqual({ status: 3, status_message: 'badData: forbidden file format' });
  });

  it('render refuses those before sending, and sends a non-MP4 video with a size as a file', () => {
    expect(() => connector.render(msg({ type: 'image', media: { url: `${host.url}/media/abc123` } }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'document', media: { url: `${host.url}/200/10/setup.exe`, size: 10 } }))).toThrow(ContentInvalidError);
    const mov = connector.render(msg({ type: 'video', media: { url: `${host.url}/200/10/clip.mov`, size: 10 } }));
    expect(mov.body).toMatchObject({ type: 'file', media: `${host.url}/200/10/clip.mov`, size: 10, file_name: 'clip.mov' });
    expect(mov.rendering).toMatchObject({ form: 'degraded' });
    expect(connector.render(msg({ type: 'sticker', media: { url: `${host.url}/200/10/s.webp` } })).body).toMatchObject({ type: 'url' });
  });

  it('sample files sent by URL arrive byte for byte', async () => {
    const files = await startFakeSideServer((req, res) => {
      const body = req.url?.endsWith('.pdf') ? samplePdf() : samplePng();
      res.writeHead(200, { 'content-length': String(body.length) }); res.end(body);
    });
    try {
      await connector.send(msg({ type: 'image', media: { url: `${files.url}/car.png` } }));
      await connector.send(msg({ type: 'document', media: { url: `${files.url}/doc.pdf`, size: samplePdf().length } }));
      expect(fake.storedMedia({ url: `${files.url}/car.png` })!.equals(samplePng())).toBe(true);
      expect(fake.storedMedia({ url: `${files.url}/doc.pdf` })!.equals(samplePdf())).toBe(true);
    } finally {
      await files.stop();
    }
  });
});

describe('helpers', () => {
  it('extensionOf never throws and gives a lower-case extension without dots or slashes', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const ext = extensionOf(s);
      return !ext.includes('.') && !ext.includes('/') && ext === ext.toLowerCase();
    }));
    expect(extensionOf('https://e.com/a/b/Car.JPG?x=1')).toBe('jpg');
    expect(extensionOf('Boarding pass K7Q2ZP.pdf')).toBe('pdf');
    expect(extensionOf('https://e.com/media/abc')).toBe('');
  });
});

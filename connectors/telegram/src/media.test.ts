import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ContentInvalidError, ManualClock, PermanentError, RetryableError, readFormBody, sampleMedia, samplePdf, samplePng,
  type Content, type DownloadedMedia, type Logger, type MediaKind, type MediaRef, type OutboundFile, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeTelegramServer, telegramSandboxConfig } from './fake-telegram-server.js';
import { TelegramConnector } from './telegram-connector.js';
import { telegramPlugin } from './index.js';
import { sentFileId } from './telegram-media.js';

const USER = '1111111';
const TOKEN = telegramSandboxConfig.botToken;
const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
const fake = new FakeTelegramServer({
  config: { ...telegramSandboxConfig }, clock,
  limits: { perChat: { limit: 1000, perMs: 1000 }, global: { limit: 1000, perMs: 1000 } },
  fileLimits: { downloadMaxBytes: 4096, photoUploadMaxBytes: 2048, uploadMaxBytes: 8192 },
});
const logged: unknown[] = [];
const logger: Logger = {
  debug: (...a: unknown[]) => { logged.push(a); }, info: (...a: unknown[]) => { logged.push(a); },
  warn: (...a: unknown[]) => { logged.push(a); }, error: (...a: unknown[]) => { logged.push(a); },
} as unknown as Logger;
/** Runs after each answer the connector's fetch gets (tests move the platform's clock here). */
let afterFetch: (url: string, response: Response) => Response | void = () => undefined;
let connector: TelegramConnector;

beforeAll(async () => {
  await fake.start();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    return afterFetch(String(input), response) ?? response;
  };
  connector = new TelegramConnector(parseConfig(fake.connectorConfig()), { clock, fetch, logger });
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); fake.startUser(USER); afterFetch = () => undefined; logged.length = 0; mark = 0; clock.advance(60_000); });

const raw = (w: SignedWebhook): RawWebhook => ({ method: 'POST', path: '/webhooks/telegram/7000000001', query: {}, headers: w.headers, body: w.body });
const mediaOf = (w: SignedWebhook): MediaRef => {
  const [event] = connector.parse(raw(w));
  if (event?.kind !== 'message' || !('media' in event.content)) throw new Error('not a media message');
  return event.content.media;
};
async function bytesOf(download: DownloadedMedia): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
/** Requests before this index were made before the step a test looks at. */
let mark = 0;
const markRequests = (): void => { mark = fake.requests.length; };
const since = () => fake.requests.slice(mark);
const requestsSeen = () => since().map((r) => ({ method: r.method, path: r.path, contentType: r.headers['content-type'], body: r.body }));
const getFile = (fileId: string) => ({ method: 'POST', path: `/bot${TOKEN}/getFile`, contentType: 'application/json', body: { file_id: fileId } });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const outboundFile = (kind: MediaKind, bytes: Buffer, contentType: string, filename?: string): OutboundFile => ({
  kind, body: new Blob([new Uint8Array(bytes)], { type: contentType }), size: bytes.length, contentType, sha256: sha256(bytes), ...(filename ? { filename } : {}),
});
const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'out-1', to: { channel: 'telegram', accountId: '7000000001', userId: USER }, content, purpose: 'service', sender: 'bot', ...extra,
});

describe('plugin', () => {
  it('declares downloads and uploads of bytes', () => {
    expect(telegramPlugin.media).toEqual({ download: true, upload: 'bytes' });
  });
});

describe('downloadMedia: getFile, then the file path, streamed', () => {
  it('a customer photo: getFile with the largest size\'s file_id, then GET /file/bot<token>/<file_path>; the bytes are what the fake holds', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Scratch' }));
    markRequests();
    const download = await connector.downloadMedia(media, { maxBytes: 1_000_000 });
    const bytes = await bytesOf(download);
    expect(bytes.equals(sampleMedia('image').body)).toBe(true);
    expect(bytes.equals(fake.storedMedia(media)!)).toBe(true);
    expect(download.declaredSize).toBe(bytes.length);
    const [first, second] = requestsSeen();
    expect(first).toEqual(getFile(media.id!));
    expect(second).toMatchObject({ method: 'GET', path: expect.stringMatching(new RegExp(`^/file/bot${TOKEN}/photos/file_\\d+\\.jpg$`)) });
    expect(since()).toHaveLength(2);
  });

  it('a document keeps its declared type and name; a voice note, a video and the test\'s own bytes come back as sent', async () => {
    const doc = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const download = await connector.downloadMedia(doc, { maxBytes: 1_000_000 });
    expect(download).toMatchObject({ declaredType: 'application/pdf', filename: 'document.pdf' });
    expect((await bytesOf(download)).equals(sampleMedia('file').body)).toBe(true);
    for (const mediaType of ['audio', 'video'] as const) {
      const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType }));
      expect((await bytesOf(await connector.downloadMedia(media, { maxBytes: 1_000_000 }))).equals(sampleMedia(mediaType).body)).toBe(true);
    }
    const own = Buffer.from('not really a pdf');
    const claimed = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: own, mimeType: 'application/pdf', filename: 'x.pdf' } }));
    expect((await bytesOf(await connector.downloadMedia(claimed, { maxBytes: 1_000_000 }))).equals(own)).toBe(true);
  });

  it('a file path that expired between getFile and the download (on the platform clock) is asked for again once', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    markRequests();
    let first = true;
    afterFetch = (url) => { if (first && url.endsWith('/getFile')) { first = false; clock.advance(3_600_001); } };
    const bytes = await bytesOf(await connector.downloadMedia(media, { maxBytes: 1_000_000 }));
    expect(bytes.equals(sampleMedia('file').body)).toBe(true);
    const seen = requestsSeen();
    expect(seen.map((r) => r.method + ' ' + r.path.replace(TOKEN, '<token>'))).toEqual([
      'POST /bot<token>/getFile', expect.stringMatching(/^GET \/file\/bot<token>\/documents\/file_\d+\.pdf$/),
      'POST /bot<token>/getFile', expect.stringMatching(/^GET \/file\/bot<token>\/documents\/file_\d+\.pdf$/),
    ]);
    expect(seen[1]!.path).not.toBe(seen[3]!.path);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
  });

  it('a link that is gone again after the second getFile is a permanent error that says so and never names the token', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    markRequests();
    afterFetch = (url) => { if (url.endsWith('/getFile')) clock.advance(3_600_001); };
    const error = await connector.downloadMedia(media, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/404/);
    expect(since()).toHaveLength(4);
    const text = JSON.stringify({ message: (error as Error).message, details: (error as PermanentError).details, cause: String((error as Error).cause) });
    expect(text).not.toContain(TOKEN);
  });

  it('a file over 20 MB (declared by the webhook) is refused before anything is requested', async () => {
    const error = await connector.downloadMedia({ id: 'BQACAgQAAxkBAAIBt2S_doc', size: 20 * 1024 * 1024 + 1 }, { maxBytes: 100 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/20 MB/);
    expect(fake.requests).toHaveLength(0);
  });

  it('a file over maxBytes is refused: by the webhook\'s size before any request, by getFile\'s file_size before the download', async () => {
    await expect(connector.downloadMedia({ id: 'BQACAgQAAxkBAAIBt2S_doc', size: 600 }, { maxBytes: 500 })).rejects.toBeInstanceOf(PermanentError);
    expect(fake.requests).toHaveLength(0);
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const { size: _size, ...withoutSize } = media;
    markRequests();
    await expect(connector.downloadMedia(withoutSize, { maxBytes: 100 })).rejects.toThrow(/more than the 100 bytes allowed/);
    expect(requestsSeen()).toEqual([getFile(media.id!)]);
  });

  it('a stream that passes maxBytes (no size declared anywhere) fails permanently while it is read', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const { size: _size, ...withoutSize } = media;
    // a platform that announces no size: file_size and content-length left out
    afterFetch = (url, response) => {
      if (url.endsWith('/getFile')) {
        return new Response(response.body, { status: response.status, headers: { 'content-type': 'application/json' } });
      }
      return new Response(response.body, { status: response.status });
    };
    fake.script([{ status: 200, body: { ok: true, result: { file_id: media.id, file_unique_id: 'AQADx', file_path: await pathOf(media.id!) } } }], `/bot${TOKEN}/getFile`);
    const download = await connector.downloadMedia(withoutSize, { maxBytes: 100 });
    await expect(bytesOf(download)).rejects.toThrow(PermanentError);
  });

  it('getFile refusing a file as too big (Telegram\'s limit) is permanent', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: Buffer.alloc(5000, 1), mimeType: 'application/pdf', filename: 'big.pdf' } }));
    const { size: _size, ...withoutSize } = media;
    const error = await connector.downloadMedia(withoutSize, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe('Bad Request: file is too big');
  });

  it('media without a file_id, an unknown file_id and a bad maxBytes are typed errors', async () => {
    await expect(connector.downloadMedia({ url: 'https://example.com/a.jpg' }, { maxBytes: 10 })).rejects.toBeInstanceOf(PermanentError);
    await expect(connector.downloadMedia({ id: 'AgACAgQAAxkBAAIBunknown' }, { maxBytes: 10 })).rejects.toThrow('Bad Request: invalid file_id');
    await expect(connector.downloadMedia({ id: 'AgACAgQAAxkBAAIBunknown' }, { maxBytes: -1 })).rejects.toBeInstanceOf(PermanentError);
  });

  it('a download whose connection fails is retryable, and its message has the token blanked out', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const failing = new TelegramConnector(parseConfig(fake.connectorConfig()), {
      clock, fetch: async (input, init) => {
        if (String(input).includes('/file/bot')) throw new TypeError(`Failed to fetch ${String(input)}`);
        return globalThis.fetch(input, init);
      },
    });
    const error = await failing.downloadMedia(media, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toContain('[redacted]');
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('an aborted download is retryable', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const controller = new AbortController();
    controller.abort();
    await expect(connector.downloadMedia(media, { maxBytes: 1_000_000, signal: controller.signal })).rejects.toBeInstanceOf(RetryableError);
  });
});

/** A valid file path for a file the fake knows (what getFile answers). */
async function pathOf(fileId: string): Promise<string> {
  const r = await globalThis.fetch(`${fake.url}/bot${TOKEN}/getFile`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file_id: fileId }) });
  return ((await r.json()) as { result: { file_path: string } }).result.file_path;
}

describe('a download that breaks off mid-stream', () => {
  it('is retryable, and neither its message, details nor cause chain name the bot token (the file URL holds it)', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    afterFetch = (url, response) => {
      if (!url.includes('/file/bot')) return undefined;
      void response.body?.cancel();
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (!sent) { sent = true; c.enqueue(new Uint8Array(3)); return; }
          c.error(new TypeError(`terminated: ${url}`, { cause: new Error(`socket closed reading ${url}`) }));
        },
      });
      return new Response(body, { status: 200 });
    };
    const error = await bytesOf(await connector.downloadMedia(media, { maxBytes: 1_000_000 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'interrupted', received: 3 } });
    const cause = (error as Error).cause as Error;
    const text = JSON.stringify({ message: (error as Error).message, details: (error as RetryableError).details, cause: String(cause), chain: String(cause.cause) });
    expect(text).not.toContain(TOKEN);
  });
});

describe('sentFileId', () => {
  it('never throws, whatever the answer', () => {
    fc.assert(fc.property(fc.anything(), (value) => { sentFileId(value); return true; }));
  });
  it('picks the largest size of a photo and the file of any other kind', () => {
    expect(sentFileId({ photo: [{ file_id: 'small', width: 90, height: 90 }, { file_id: 'large', width: 1280, height: 960 }, { file_id: 'mid', width: 320, height: 240 }] })).toBe('large');
    expect(sentFileId({ voice: { file_id: 'v' } })).toBe('v');
    expect(sentFileId({ text: 'x' })).toBeUndefined();
  });
});

describe('upload: multipart/form-data by kind and type, then sends by file_id', () => {
  const png = samplePng(16);

  /** The multipart request the fake received, read back as fields. */
  async function uploaded(index = 0): Promise<{ path: string; contentType: string | undefined; fields: Record<string, unknown> }> {
    const request = since()[index]!;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of await readFormBody(request)) fields[k] = typeof v === 'string' ? v : { bytes: v.bytes, type: v.type, name: v.name };
    return { path: request.path, contentType: request.headers['content-type'], fields };
  }

  it('a photo: sendPhoto with chat_id, the file part, caption and reply_parameters; the result names the largest size\'s file_id', async () => {
    const webhook = fake.userMessage({ userId: USER, text: 'Photo please' });
    const replyTo = String((JSON.parse(webhook.body.toString()) as { message: { message_id: number } }).message.message_id);
    markRequests();
    const file = outboundFile('image', png, 'image/png', 'car.png');
    const message = msg({ type: 'image', media: { caption: 'Your car', mimeType: 'image/png' } }, { file, replyTo });
    expect(connector.render(message)).toMatchObject({
      method: 'POST', url: `${fake.url}/bot${TOKEN}/sendPhoto`, headers: { 'content-type': 'multipart/form-data' },
      body: { chat_id: 1111111, photo: { upload: 'car.png', contentType: 'image/png', size: png.length, sha256: sha256(png) }, caption: 'Your car' },
    });
    const result = await connector.send(message);
    const { path, contentType, fields } = await uploaded();
    expect(path).toBe(`/bot${TOKEN}/sendPhoto`);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(fields).toEqual({
      chat_id: '1111111', photo: { bytes: png, type: 'image/png', name: 'car.png' }, caption: 'Your car',
      reply_parameters: JSON.stringify({ message_id: Number(replyTo), allow_sending_without_reply: true }),
    });
    expect(since()).toHaveLength(1);
    const answer = result.raw as { photo: { file_id: string; width: number }[] };
    expect(result.media).toEqual({ ref: { id: answer.photo[1]!.file_id, mimeType: 'image/png' } });
    expect(answer.photo[0]!.file_id).not.toBe(answer.photo[1]!.file_id);
    expect(fake.storedMedia(result.media!.ref)!.equals(png)).toBe(true);

    // the next send of the same bytes goes by file_id, as JSON, with no file part
    markRequests();
    await connector.send(msg({ type: 'image', media: { ...result.media!.ref, caption: 'Again' } }));
    expect(requestsSeen()).toEqual([{ method: 'POST', path: `/bot${TOKEN}/sendPhoto`, contentType: 'application/json', body: { chat_id: 1111111, photo: result.media!.ref.id, caption: 'Again' } }]);
  });

  it.each([
    ['video', 'video/mp4', sampleMedia('video').body, 'sendVideo', 'video', 'video.mp4'],
    ['audio', 'audio/ogg', sampleMedia('audio').body, 'sendVoice', 'voice', 'audio.ogg'],
    ['audio', 'audio/mpeg', Buffer.from('ID3\u0003\u0000fake mp3'), 'sendAudio', 'audio', 'audio.mp3'],
    ['document', 'application/pdf', samplePdf('Invoice 2042'), 'sendDocument', 'document', 'document.pdf'],
    ['sticker', 'image/webp', Buffer.from('RIFF\u0010\u0000\u0000\u0000WEBPVP8 '), 'sendSticker', 'sticker', 'sticker.webp'],
  ] as const)('%s (%s): %s with the file in "%s", named %s when the host gives no name', async (kind, type, bytes, method, field, name) => {
    const result = await connector.send(msg({ type: kind, media: { mimeType: type } }, { file: outboundFile(kind, bytes, type) }));
    const { path, fields } = await uploaded();
    expect(path).toBe(`/bot${TOKEN}/${method}`);
    expect(fields).toEqual({ chat_id: '1111111', [field]: { bytes, type, name } });
    expect(result.media?.ref.id).toEqual(expect.any(String));
    expect(fake.storedMedia(result.media!.ref)!.equals(bytes)).toBe(true);
  });

  it('a voice note\'s file_id is sent again with sendVoice (Telegram does not change a file\'s type on resend)', async () => {
    const ogg = sampleMedia('audio').body;
    const first = await connector.send(msg({ type: 'audio', media: {} }, { file: outboundFile('audio', ogg, 'audio/ogg') }));
    markRequests();
    await connector.send(msg({ type: 'audio', media: first.media!.ref }));
    expect(requestsSeen()).toEqual([{ method: 'POST', path: `/bot${TOKEN}/sendVoice`, contentType: 'application/json', body: { chat_id: 1111111, voice: first.media!.ref.id } }]);
  });

  it('a caption over 1,024 characters: its head goes with the upload, the rest follows as text; a retry after the upload was accepted does not upload again', async () => {
    const caption = `${'Brake pads replaced. '.repeat(60)}Done.`;
    const message = msg({ type: 'document', media: { caption, filename: 'invoice.pdf' } }, { file: outboundFile('document', samplePdf(), 'application/pdf') });
    const result = await connector.send(message);
    const { fields } = await uploaded();
    expect((fields.caption as string).length).toBeLessThanOrEqual(1024);
    expect(fields.document).toMatchObject({ name: 'invoice.pdf' });
    expect(since()[1]).toMatchObject({ path: `/bot${TOKEN}/sendMessage`, headers: { 'content-type': 'application/json' } });
    expect(`${fields.caption as string} ${(since()[1]!.body as { text: string }).text}`).toBe(caption);
    expect(result.partIds).toHaveLength(1);

    markRequests();
    const retry = await connector.send(message, { acceptedParts: [result.externalId] });
    expect(since().map((r) => r.path)).toEqual([`/bot${TOKEN}/sendMessage`]);
    expect(retry.media).toBeUndefined();
  });

  it('render refuses an upload over Telegram\'s limits (photo 10 MB, other files 50 MB) with a typed error', () => {
    const big = (kind: MediaKind, size: number): OutboundFile => ({ ...outboundFile(kind, png, 'image/png'), size });
    expect(() => connector.render(msg({ type: 'image', media: {} }, { file: big('image', 10 * 1024 * 1024 + 1) }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'document', media: {} }, { file: big('document', 50 * 1024 * 1024 + 1) }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'document', media: {} }, { file: big('document', 50 * 1024 * 1024) }))).not.toThrow();
  });

  it('the fake refuses as Telegram does: a photo that is no image, a photo over its limit, a file over the upload limit', async () => {
    await expect(connector.send(msg({ type: 'image', media: {} }, { file: outboundFile('image', samplePdf(), 'image/png') })))
      .rejects.toThrow(expect.objectContaining({ code: 'PERMANENT_FAILURE', message: 'Bad Request: IMAGE_PROCESS_FAILED' }));
    await expect(connector.send(msg({ type: 'image', media: {} }, { file: outboundFile('image', Buffer.concat([png, Buffer.alloc(3000)]), 'image/png') })))
      .rejects.toThrow('Bad Request: PHOTO_SAVE_FILE_INVALID');
    const wide = samplePng(1);
    wide.writeUInt32BE(9_000, 16); wide.writeUInt32BE(2_000, 20);
    await expect(connector.send(msg({ type: 'image', media: {} }, { file: outboundFile('image', wide, 'image/png') }))).rejects.toThrow('Bad Request: PHOTO_INVALID_DIMENSIONS');
    const error = await connector.send(msg({ type: 'document', media: {} }, { file: outboundFile('document', Buffer.alloc(9000), 'application/pdf') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).details).toMatchObject({ status: 413, description: 'Request Entity Too Large' });
    expect(fake.sentMessages()).toHaveLength(0);
  });

  it('regression: an upload answered 413 by a proxy with an HTML page (no error_code) was classified as a retryable 500 — it is permanent', async () => {
    fake.script([{ status: 413, body: '<html><head><title>413 Request Entity Too Large</title></head></html>' }], `/bot${TOKEN}/sendDocument`);
    const error = await connector.send(msg({ type: 'document', media: {} }, { file: outboundFile('document', samplePdf(), 'application/pdf') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).details).toMatchObject({ status: 413 });
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock, sampleMedia, startFakeSideServer,
  type DownloadedMedia, type MediaContent, type MediaRef, type MessageEvent, type OutboundFile, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { encryptAttachment, messageUuid } from './apple-crypto.js';
import { APPLE_UPLOAD_REUSE_MS } from './apple-media.js';
import { parseConfig } from './config.js';
import { FakeAppleServer, appleSandboxConfig } from './fake-apple-server.js';
import { applePlugin } from './apple-plugin.js';
import { APPLE_MEDIA_MAX_BYTES } from './policy.js';

const TTL = 10 * 60_000;
const clock = new ManualClock(Date.UTC(2026, 2, 2, 10));
const fake = new FakeAppleServer({ config: { ...appleSandboxConfig }, clock, mmcsUrlTtlMs: TTL });
const KEY = Buffer.alloc(32, 0x5a);
const USER = 'urn:mbid:AQAAYmediaCustomer0001';
const BUSINESS = appleSandboxConfig.businessId;

/** Runs after each response the connector gets, and may replace it (a test's view of the wire). */
let onResponse: ((url: string, response: Response) => Response | undefined) | undefined;
const fetchThroughHook: typeof globalThis.fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return onResponse?.(url, response) ?? response;
};
let connector: AppleConnector;

beforeAll(async () => {
  await fake.start();
  connector = new AppleConnector(parseConfig(fake.connectorConfig()), { clock, fetch: fetchThroughHook }, { attachmentKey: () => KEY });
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => {
  fake.reset();
  onResponse = undefined;
});

const raw = (w: SignedWebhook): RawWebhook => ({ method: w.method, path: '/webhooks/apple', query: {}, headers: w.headers, body: w.body });
function mediaOf(w: SignedWebhook): MediaRef {
  connector.verify(raw(w));
  const [event] = connector.parse(raw(w)) as MessageEvent[];
  return (event!.content as MediaContent).media;
}
async function collect(download: DownloadedMedia): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of download.body) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Apple's file signature as the fake computes it: a 0x81 type byte and the SHA-1 of the encrypted file, Base64. */
const mmcsChecksum = (encrypted: Buffer): string => Buffer.concat([Buffer.from([0x81]), createHash('sha1').update(encrypted).digest()]).toString('base64');
const to = { channel: 'apple', accountId: BUSINESS, userId: USER };

describe('the plugin declares its media support', () => {
  it('downloads customer files and uploads outbound files as bytes', () => {
    expect(applePlugin.media).toEqual({ download: true, upload: 'bytes' });
  });
});

describe('downloadMedia: preDownload, MMCS download, AES-256-CTR decryption as the bytes arrive', () => {
  it('a simulated image: GET /preDownload with url, owner and Base64 signature (authenticated like every call), then the download URL; decrypts to the sample file and to what the fake holds', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Dent' }));
    const sample = sampleMedia('image');
    const download = await connector.downloadMedia(media, { maxBytes: 1_000_000 });
    expect(download).toMatchObject({ declaredSize: sample.body.length, declaredType: 'image/png', filename: 'photo.png' });
    const { bytes } = await collect(download);
    expect(sha256(bytes)).toBe(sha256(sample.body));
    expect(sha256(fake.storedMedia(media)!)).toBe(sha256(sample.body));

    const pre = fake.requestsTo('/preDownload');
    expect(pre).toHaveLength(1);
    expect(pre[0]!.method).toBe('GET');
    expect(pre[0]!.rawBody).toHaveLength(0);
    expect(pre[0]!.headers).toMatchObject({
      authorization: `Bearer ${connector.token()}`, 'source-id': BUSINESS,
      url: media.url, owner: media.encryption!.owner, signature: media.encryption!.signature,
    });
    expect(media.encryption).toMatchObject({ signatureEncoding: 'base64', algorithm: 'aes-256-ctr', decryptionKey: expect.stringMatching(/^00[0-9a-f]{64}$/) });
    // the download URL is MMCS's own, and carries no bearer token
    expect(fake.mmcsRequests.map((r) => [r.method, r.path])).toEqual([['GET', expect.stringMatching(/^\/download\/[0-9a-f]{32}$/)]]);
    expect(fake.mmcsRequests[0]!.headers.authorization).toBeUndefined();
  });

  it('every sample type round-trips (video, audio, document)', async () => {
    for (const mediaType of ['video', 'audio', 'file'] as const) {
      const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType }));
      const { bytes } = await collect(await connector.downloadMedia(media, { maxBytes: 1_000_000 }));
      expect(bytes.equals(sampleMedia(mediaType).body)).toBe(true);
    }
  });

  it('a test\'s own bytes and declared type: served as declared, streamed in several chunks', async () => {
    const body = randomBytes(2 * 1024 * 1024);
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', file: { body, mimeType: 'image/jpeg', filename: 'damage.jpg' } }));
    expect(media).toMatchObject({ mimeType: 'image/jpeg', filename: 'damage.jpg', size: body.length });
    const { bytes, chunks } = await collect(await connector.downloadMedia(media, { maxBytes: 3 * 1024 * 1024 }));
    expect(sha256(bytes)).toBe(sha256(body));
    expect(chunks).toBeGreaterThan(1);
  });

  it('a signature given as hex (some attachments carry `signature`) reaches preDownload as Base64', async () => {
    const bytes = Buffer.from('%PDF-1.7 hex-signed');
    const media = mediaOf(fake.attachmentMessage(USER, { bytes, name: 'a.pdf', mimeType: 'application/pdf', signatureEncoding: 'hex' }));
    expect(media.encryption).toMatchObject({ signature: expect.stringMatching(/^81[0-9a-f]{40}$/), signatureEncoding: 'hex' });
    const { bytes: plain } = await collect(await connector.downloadMedia(media, { maxBytes: 1000 }));
    expect(plain.equals(bytes)).toBe(true);
    expect(fake.requestsTo('/preDownload')[0]!.headers.signature).toBe(Buffer.from(media.encryption!.signature!, 'hex').toString('base64'));
  });

  it('a declared size over maxBytes is refused before any request, with a permanent error', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: randomBytes(5000) } }));
    await expect(connector.downloadMedia(media, { maxBytes: 4999 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', retryable: false, details: { reason: 'too-large', size: 5000, maxBytes: 4999 } });
    expect(fake.requestsTo('/preDownload')).toHaveLength(0);
    expect(fake.mmcsRequests).toHaveLength(0);
  });

  it('without a declared size, a content-length over maxBytes is refused before any byte is read', async () => {
    const { size: _, ...media } = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: randomBytes(5000) } }));
    await expect(connector.downloadMedia(media, { maxBytes: 4000 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', size: 5000 } });
  });

  it('without a declared size or content-length, the stream fails once it passes maxBytes', async () => {
    const { size: _, ...media } = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file', file: { body: randomBytes(300_000) } }));
    onResponse = (url, response) => {
      if (!url.includes('/download/')) return undefined;
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      return new Response(response.body, { status: response.status, headers });
    };
    const download = await connector.downloadMedia(media, { maxBytes: 100_000 });
    expect(download.declaredSize).toBeUndefined();
    let received = 0;
    const reading = (async () => { for await (const chunk of download.body) received += chunk.byteLength; })();
    await expect(reading).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', retryable: false, details: { reason: 'too-large', maxBytes: 100_000 } });
    expect(received).toBeLessThanOrEqual(100_000);
  });

  it('regression: a download URL past its lifetime was fatal — an expired URL (on the injected clock) is asked for again once from preDownload', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'video' }));
    let delayed = false;
    onResponse = (url) => {
      // the host's worker was slow between the two calls: the URL is stale when it is used
      if (url.endsWith('/preDownload') && !delayed) { delayed = true; clock.advance(TTL + 1); }
      return undefined;
    };
    const { bytes } = await collect(await connector.downloadMedia(media, { maxBytes: 1_000_000 }));
    expect(bytes.equals(sampleMedia('video').body)).toBe(true);
    expect(fake.requestsTo('/preDownload')).toHaveLength(2);
    expect(fake.mmcsRequests).toHaveLength(2);
    expect(fake.mmcsRequests[0]!.path).not.toBe(fake.mmcsRequests[1]!.path);
  });

  it('a fresh URL refused again is a retryable error (no third preDownload)', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'video' }));
    onResponse = (url) => { if (url.endsWith('/preDownload')) clock.advance(TTL + 1); return undefined; };
    await expect(connector.downloadMedia(media, { maxBytes: 1_000_000 })).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE', retryable: true });
    expect(fake.requestsTo('/preDownload')).toHaveLength(2);
  });

  it('preDownload refuses a wrong signature (400): permanent, nothing downloaded', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    const forged = { ...media, encryption: { ...media.encryption!, signature: Buffer.alloc(21, 1).toString('base64') } };
    await expect(connector.downloadMedia(forged, { maxBytes: 1_000_000 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', message: expect.stringContaining('(400)') });
    const wrongOwner = { ...media, encryption: { ...media.encryption!, owner: 'someone-else' } };
    await expect(connector.downloadMedia(wrongOwner, { maxBytes: 1_000_000 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    expect(fake.mmcsRequests).toHaveLength(0);
  });

  it('a file MMCS does not hold (404 from preDownload) is permanent', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    await expect(connector.downloadMedia({ ...media, url: `${fake.mmcsUrl}/files/unknown` }, { maxBytes: 1_000_000 }))
      .rejects.toMatchObject({ code: 'PERMANENT_FAILURE', message: expect.stringContaining('(404)') });
  });

  it('a 5xx from preDownload is retryable', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    fake.script([{ status: 503 }], '/preDownload');
    await expect(connector.downloadMedia(media, { maxBytes: 1_000_000 })).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });

  it('a reference that is not Apple\'s, a malformed key or another cipher: a typed permanent error before any request', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    const bad: MediaRef[] = [
      { url: media.url! },
      { id: 'wamid.123' },
      { ...media, encryption: { ...media.encryption!, decryptionKey: '00abc' } },
      { ...media, encryption: { ...media.encryption!, algorithm: 'aes-128-cbc' } },
    ];
    for (const ref of bad) await expect(connector.downloadMedia(ref, { maxBytes: 1000 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', retryable: false });
    await expect(connector.downloadMedia(media, { maxBytes: -1 })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    expect(fake.requestsTo('/preDownload')).toHaveLength(0);
  });

  it('a wrong key cannot be detected (documented): AES-256-CTR has no authentication tag and Apple\'s signature covers the encrypted bytes — the stream yields bytes of the right length that are not the file', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }));
    const wrong = { ...media, encryption: { ...media.encryption!, decryptionKey: `00${randomBytes(32).toString('hex')}` } };
    const { bytes } = await collect(await connector.downloadMedia(wrong, { maxBytes: 1_000_000 }));
    const original = sampleMedia('file').body;
    expect(bytes).toHaveLength(original.length);
    expect(bytes.equals(original)).toBe(false);
    // what catches it downstream: the bytes are not a PDF any more
    expect(bytes.subarray(0, 5).toString('latin1')).not.toBe('%PDF-');
  });

  it('an aborted signal ends the download with a retryable error', async () => {
    const media = mediaOf(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    const controller = new AbortController();
    controller.abort();
    await expect(connector.downloadMedia(media, { maxBytes: 1_000_000, signal: controller.signal })).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
});

function outboundFile(body: Buffer, contentType: string, filename: string, kind: OutboundFile['kind'] = 'document'): OutboundFile {
  return { kind, body: new Blob([body]), size: body.length, contentType, filename, sha256: sha256(body) };
}

describe('upload of msg.file: preUpload, encrypted MMCS upload, attachment message, reusable reference', () => {
  const pdf = sampleMedia('file');
  const content: MediaContent = { type: 'document', media: { storedId: 'stored-1', mimeType: 'application/pdf', filename: 'invoice.pdf', caption: 'Your invoice' } };
  const message = (id: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ id, to, content, file: outboundFile(pdf.body, 'application/pdf', 'invoice.pdf'), ...extra });

  it('render stays pure: a name-and-type descriptor for the file, no URL needed', () => {
    const rendered = connector.render(message('up-0'));
    expect(rendered.body).toMatchObject({ type: 'text', body: '\uFFFC', attachments: [{ name: 'invoice.pdf', mimeType: 'application/pdf' }] });
    expect(rendered.rendering).toMatchObject({ form: 'native', parts: 2, note: expect.stringContaining('uploaded by send()') });
  });

  it('exact payloads: GET /preUpload (size = encrypted size), POST of the encrypted bytes with their content-length, then /message with the completed descriptor; SendResult.media is the reference', async () => {
    const result = await connector.send(message('up-1'));
    const encrypted = encryptAttachment(pdf.body, KEY).data;

    const pre = fake.requestsTo('/preUpload');
    expect(pre).toHaveLength(1);
    expect(pre[0]!.method).toBe('GET');
    expect(pre[0]!.rawBody).toHaveLength(0);
    expect(pre[0]!.headers).toMatchObject({ authorization: `Bearer ${connector.token()}`, 'source-id': BUSINESS, size: String(pdf.body.length) });

    expect(fake.mmcsRequests).toHaveLength(1);
    const upload = fake.mmcsRequests[0]!;
    expect(upload.method).toBe('POST');
    expect(upload.path).toMatch(/^\/upload\/[0-9a-f]{32}$/);
    expect(upload.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-length': String(pdf.body.length) });
    expect(upload.headers.authorization).toBeUndefined();
    expect(upload.rawBody.equals(encrypted)).toBe(true);

    const ref = result.media!.ref;
    expect(result.media).toEqual({
      ref: {
        url: expect.stringMatching(new RegExp(`^${fake.mmcsUrl}/files/`)), mimeType: 'application/pdf', filename: 'invoice.pdf', size: pdf.body.length,
        encryption: {
          decryptionKey: `00${KEY.toString('hex')}`, owner: expect.stringMatching(/^owner-/), signature: mmcsChecksum(encrypted),
          signatureEncoding: 'base64', algorithm: 'aes-256-ctr',
        },
      },
      // Apple documents no retention for uploads; 30 days is the longest Apple keeps anything for delivery
      expiresAt: new Date(clock.now() + APPLE_UPLOAD_REUSE_MS),
    });

    const [first, caption] = fake.requestsTo('/message');
    const id = messageUuid('up-1', 0);
    expect(first!.headers).toMatchObject({ authorization: `Bearer ${connector.token()}`, 'content-type': 'application/json', id, 'source-id': BUSINESS, 'destination-id': USER });
    expect(first!.body).toEqual({
      v: 1, id, sourceId: BUSINESS, destinationId: USER, type: 'text', body: '\uFFFC',
      attachments: [{
        name: 'invoice.pdf', mimeType: 'application/pdf', size: pdf.body.length, url: ref.url, owner: ref.encryption!.owner,
        key: `00${KEY.toString('hex')}`, 'signature-base64': mmcsChecksum(encrypted),
      }],
    });
    expect(caption!.body).toMatchObject({ type: 'text', body: 'Your invoice', id: messageUuid('up-1', 1) });
    expect(result.partIds).toEqual([messageUuid('up-1', 1)]);

    // what the customer's device gets decrypts to the host's file
    expect(sha256(fake.storedMedia(ref)!)).toBe(sha256(pdf.body));
    expect(fake.receivedAttachments[0]!.plain.equals(pdf.body)).toBe(true);
  });

  it('the same bytes again by reference: render writes the full descriptor, send uploads nothing', async () => {
    const { media } = await connector.send(message('up-2'));
    const first = (fake.requestsTo('/message')[0]!.body as { attachments: unknown[] }).attachments[0];
    // reset() would forget the stored files too: count from here instead
    const before = { pre: fake.requestsTo('/preUpload').length, mmcs: fake.mmcsRequests.length, messages: fake.requestsTo('/message').length };
    const again: OutboundMessage = { id: 'up-3', to, content: { type: 'document', media: { ...media!.ref, caption: 'Copy' } } };
    const rendered = connector.render(again);
    expect((rendered.body as { attachments: unknown[] }).attachments).toEqual([first]);
    expect(rendered.rendering?.note).toContain('sent by its Apple reference');
    const result = await connector.send(again);
    expect(result.media).toBeUndefined();
    expect(fake.requestsTo('/preUpload')).toHaveLength(before.pre);
    expect(fake.mmcsRequests).toHaveLength(before.mmcs);
    const sent = fake.requestsTo('/message').slice(before.messages);
    expect(sent.map((r) => r.body)).toEqual([
      expect.objectContaining({ type: 'text', body: '\uFFFC', attachments: [first] }),
      expect.objectContaining({ type: 'text', body: 'Copy' }),
    ]);
    expect(fake.receivedAttachments.at(-1)!.plain.equals(pdf.body)).toBe(true);
  });

  it('an image file without a file name gets one from its kind and type', async () => {
    const png = sampleMedia('image');
    const msg: OutboundMessage = { id: 'up-4', to, content: { type: 'image', media: { storedId: 's' } }, file: { ...outboundFile(png.body, 'image/png', '', 'image'), filename: undefined } as unknown as OutboundFile };
    const { media } = await connector.send(msg);
    expect(media!.ref).toMatchObject({ filename: 'image.png', mimeType: 'image/png' });
    expect(fake.receivedAttachments[0]!.plain.equals(png.body)).toBe(true);
  });

  it('a reference without owner, size or a well-formed key is invalid content', () => {
    const ref: MediaRef = { url: `${fake.mmcsUrl}/files/x`, size: 10, encryption: { decryptionKey: `00${KEY.toString('hex')}`, owner: 'o', signature: 'c2ln' } };
    const render = (media: MediaRef) => () => connector.render({ id: 'r', to, content: { type: 'image', media } });
    expect(render(ref)).not.toThrow();
    for (const broken of [{ ...ref, size: undefined }, { ...ref, encryption: { ...ref.encryption!, owner: undefined } }, { ...ref, encryption: { ...ref.encryption!, decryptionKey: 'nope' } }]) {
      expect(render(broken as MediaRef)).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
    }
  });

  it('over Apple\'s 100 MB: refused as invalid content before any request', async () => {
    const tooBig = { ...message('up-5').file!, size: APPLE_MEDIA_MAX_BYTES + 1 };
    await expect(connector.send({ ...message('up-5'), file: tooBig })).rejects.toMatchObject({ code: 'CONTENT_INVALID' });
    const lying = { ...message('up-6').file!, size: pdf.body.length + 1 };
    await expect(connector.send({ ...message('up-6'), file: lying })).rejects.toMatchObject({ code: 'CONTENT_INVALID' });
    expect(fake.requests).toHaveLength(0);
  });

  it('an upload URL past its lifetime (injected clock) is asked for again once; the file is read afresh', async () => {
    let delayed = false;
    onResponse = (url) => { if (url.endsWith('/preUpload') && !delayed) { delayed = true; clock.advance(TTL + 1); } return undefined; };
    const { media } = await connector.send(message('up-7'));
    expect(fake.requestsTo('/preUpload')).toHaveLength(2);
    expect(fake.mmcsRequests).toHaveLength(2);
    expect(sha256(fake.storedMedia(media!.ref)!)).toBe(sha256(pdf.body));
  });

  it('a reference Apple does not hold: /message answers 400 and the send fails permanently', async () => {
    const ref: MediaRef = { url: `${fake.mmcsUrl}/files/gone`, size: 10, mimeType: 'image/png', encryption: { decryptionKey: `00${KEY.toString('hex')}`, owner: 'o', signature: 'c2ln' } };
    await expect(connector.send({ id: 'up-8', to, content: { type: 'image', media: ref } })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });
});

describe('upload of a file the business names by URL', () => {
  const mp4 = sampleMedia('video');
  const served: string[] = [];
  let files: Awaited<ReturnType<typeof startFakeSideServer>>;
  beforeAll(async () => {
    files = await startFakeSideServer((req, res) => {
      served.push(req.url ?? '');
      // /sized answers with its content-length (streamed through); /chunked without one (read first, bounded)
      res.writeHead(200, { 'content-type': 'video/mp4', ...(req.url === '/sized/tour.mp4' ? { 'content-length': String(mp4.body.length) } : {}) });
      res.end(mp4.body);
    });
  });
  afterAll(async () => { await files.stop(); });
  beforeEach(() => { served.length = 0; });

  it('with and without a content-length: encrypted and uploaded, the customer gets the same bytes', async () => {
    for (const path of ['/sized/tour.mp4', '/chunked/tour.mp4']) {
      const { media } = await connector.send({ id: `url-${path}`, to, content: { type: 'video', media: { url: `${files.url}${path}` } } });
      expect(media!.ref).toMatchObject({ filename: 'tour.mp4', mimeType: 'video/mp4', size: mp4.body.length });
      expect(fake.mmcsRequests.at(-1)!.rawBody.equals(encryptAttachment(mp4.body, KEY).data)).toBe(true);
      expect(fake.storedMedia(media!.ref)!.equals(mp4.body)).toBe(true);
    }
    expect(served).toEqual(['/sized/tour.mp4', '/chunked/tour.mp4']);
  });

  it('a stale upload URL: the file is fetched again for the fresh one', async () => {
    let delayed = false;
    onResponse = (url) => { if (url.endsWith('/preUpload') && !delayed) { delayed = true; clock.advance(TTL + 1); } return undefined; };
    const { media } = await connector.send({ id: 'url-stale', to, content: { type: 'video', media: { url: `${files.url}/sized/tour.mp4` } } });
    expect(served).toEqual(['/sized/tour.mp4', '/sized/tour.mp4']);
    expect(fake.storedMedia(media!.ref)!.equals(mp4.body)).toBe(true);
  });
});

describe('the fake MMCS refuses as Apple and a signed storage URL do', () => {
  const preUpload = (size: string) => fetch(`${fake.url}/preUpload`, { headers: { authorization: `Bearer ${connector.token()}`, 'source-id': BUSINESS, size } });

  it('preUpload: 400 for a size over 100 MB or not a positive integer', async () => {
    expect((await preUpload(String(APPLE_MEDIA_MAX_BYTES + 1))).status).toBe(400);
    for (const size of ['0', '-1', '1.5', 'ten']) expect((await preUpload(size)).status).toBe(400);
    expect((await preUpload(String(APPLE_MEDIA_MAX_BYTES))).status).toBe(200);
  });

  it('upload: 400 when content-length differs from the preUpload size; an upload URL is single-use; unknown URLs 404', async () => {
    const { 'upload-url': uploadUrl } = await (await preUpload('4')).json() as { 'upload-url': string };
    expect((await fetch(uploadUrl, { method: 'POST', body: Buffer.alloc(5) })).status).toBe(400);
    expect((await fetch(uploadUrl, { method: 'POST', body: Buffer.alloc(4) })).status).toBe(200);
    expect((await fetch(uploadUrl, { method: 'POST', body: Buffer.alloc(4) })).status).toBe(400);
    expect((await fetch(`${fake.mmcsUrl}/upload/${'0'.repeat(32)}`, { method: 'POST', body: Buffer.alloc(4) })).status).toBe(404);
    expect((await fetch(uploadUrl.replace('/upload/', '/download/'))).status).toBe(404);
  });

  it('a URL past its lifetime on the platform clock answers 403 with an empty body', async () => {
    const { 'upload-url': uploadUrl } = await (await preUpload('4')).json() as { 'upload-url': string };
    clock.advance(TTL + 1);
    const res = await fetch(uploadUrl, { method: 'POST', body: Buffer.alloc(4) });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('');
  });

  it('storedMedia is undefined for a reference the fake does not hold', () => {
    expect(fake.storedMedia({ url: `${fake.mmcsUrl}/files/none`, encryption: { decryptionKey: `00${KEY.toString('hex')}` } })).toBeUndefined();
    expect(fake.storedMedia({ id: 'x' })).toBeUndefined();
  });
});

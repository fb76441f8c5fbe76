/**
 * The media checks of the conformance suite: what a plugin declares in `media` (download of
 * customer media, upload of outbound files as bytes or by URL) is exercised against its own fake
 * platform. Each check is a plain async function that throws a {@link MediaConformanceError}
 * saying what the plugin got wrong, so the suite registers them as tests and the kit's own tests
 * run them against broken plugins. Nothing here knows a connector: every difference comes from
 * the plugin's declarations (`media`, `capabilities`, `policy.mediaTypes`, `policy.mediaMaxBytes`)
 * and from what its fake platform holds (`storedMedia`).
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  capabilityOf, connectorErrorKind, isMediaContent, isSwitchboardError, mimeTypeAccepted, sampleMedia,
  type Address, type Connector, type ConnectorPlugin, type FakePlatform, type MediaKind, type MediaRef,
  type OutboundFile, type OutboundMessage, type RawWebhook, type SampleMedia, type SignedWebhook,
} from '@switchboard/core';

/** A media check found the plugin not doing what it declares. */
export class MediaConformanceError extends Error {
  override readonly name = 'MediaConformanceError';
}

function fail(plugin: ConnectorPlugin, message: string): never {
  throw new MediaConformanceError(`${plugin.channel}: ${message}`);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function describeError(error: unknown): string {
  if (isSwitchboardError(error)) return `${error.name} ${error.code} (${connectorErrorKind(error)}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Checks that a plugin declares `media.download` exactly when its connector implements
 * `downloadMedia`: a declared download the connector lacks would make the host call a method that
 * is not there; an undeclared one is never called, and customer media is lost when its link expires.
 * @param plugin - the plugin under test
 * @param config - a valid config input for `plugin.parseConfig`
 * @throws MediaConformanceError naming the mismatch
 */
export function checkMediaDeclaration(plugin: ConnectorPlugin, config: unknown): void {
  const connector = plugin.create(plugin.parseConfig(config));
  const declared = plugin.media?.download === true;
  const implemented = typeof connector.downloadMedia === 'function';
  if (declared && !implemented) {
    fail(plugin, 'the plugin declares media.download, but its connector has no downloadMedia(media, options): the host would call a method that is not there');
  }
  if (!declared && implemented) {
    fail(plugin, 'the connector implements downloadMedia, but the plugin does not declare media.download, so the host never calls it: declare `media: { download: true }`');
  }
}

/** Starts the plugin's fake (receipts off: nothing happens behind the check's back), runs `check`, stops it. */
async function withFake<T>(plugin: ConnectorPlugin, what: string, check: (fake: FakePlatform, connector: Connector) => Promise<T>): Promise<T> {
  if (!plugin.fake) fail(plugin, `${what} is declared, but the plugin has no fake() platform to check it against`);
  const fake = plugin.fake({ receipts: { enabled: false } });
  await fake.start();
  try {
    return await check(fake, plugin.create(plugin.parseConfig(fake.connectorConfig())));
  } finally {
    await fake.stop();
  }
}

function rawWebhook(webhook: SignedWebhook): RawWebhook {
  const headers = Object.fromEntries(Object.entries(webhook.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', path: '/webhooks', query: {}, headers, body: webhook.body };
}

/**
 * The address the fake's own customer writes from: a text message from the fake, verified and
 * parsed, names the account and user as the connector sees them (as the suite's text send does).
 */
function customerOf(plugin: ConnectorPlugin, fake: FakePlatform, connector: Connector, userId: string, accountId: string): Address {
  const raw = rawWebhook(fake.userMessage({ userId, text: 'Can you send me the invoice?', name: 'Ada' }));
  connector.verify(raw);
  const message = connector.parse(raw).find((e) => e.kind === 'message');
  if (!message || message.kind !== 'message') fail(plugin, 'a text message from the fake platform parsed to no message event');
  return { channel: plugin.channel, accountId: message.accountId || accountId, userId: message.userId || userId };
}

/** What a drained download gave: the bytes counted, their hash, and the error that ended it early. */
interface Drained { bytes: number; sha256: string; error?: unknown }

async function drain(body: AsyncIterable<Uint8Array>): Promise<Drained> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      hash.update(chunk);
    }
  } catch (error) {
    return { bytes, sha256: hash.digest('hex'), error };
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Calls `downloadMedia` and reads the whole stream; an error of the call or of the stream ends up in `error`. */
async function download(connector: Connector, media: MediaRef, maxBytes: number): Promise<Drained & { declaredSize?: number }> {
  let downloaded;
  try {
    downloaded = await connector.downloadMedia!(media, { maxBytes });
  } catch (error) {
    return { bytes: 0, sha256: sha256(new Uint8Array(0)), error };
  }
  return { ...(await drain(downloaded.body)), ...(downloaded.declaredSize !== undefined ? { declaredSize: downloaded.declaredSize } : {}) };
}

/** What {@link checkMediaDownload} saw, for a report. */
export interface MediaDownloadReport {
  /** The reference `parse` produced for the simulated image. */
  ref: MediaRef;
  /** Size of the file the fake holds. */
  bytes: number;
  /** Its hex SHA-256, equal to the downloaded bytes'. */
  sha256: string;
}

/**
 * Checks a declared `media.download`: the fake simulates a customer's image, the connector parses
 * it into a media message, and `downloadMedia(ref, { maxBytes })` streams exactly the bytes the fake
 * holds for that reference (SHA-256 compared) — with room to spare and with `maxBytes` equal to the
 * file's size; with `maxBytes` one byte under it, the call or the stream fails with a
 * `ConnectorError` classified permanent, having delivered no more than `maxBytes`.
 * @param plugin - the plugin under test (with a fake that simulates `media` and knows `storedMedia`)
 * @param address - the customer the fake's message comes from (`userId`)
 * @returns what was downloaded
 * @throws MediaConformanceError naming what went wrong
 */
export async function checkMediaDownload(plugin: ConnectorPlugin, address: Address): Promise<MediaDownloadReport> {
  return withFake(plugin, 'media.download', async (fake, connector) => {
    if (typeof connector.downloadMedia !== 'function') fail(plugin, 'media.download is declared, but the connector has no downloadMedia(media, options)');
    if (!fake.simulate || !fake.simulatedKinds?.includes('media')) {
      fail(plugin, 'media.download is declared, but the fake platform cannot simulate a customer\'s media message (its simulatedKinds lack \'media\'), so the download cannot be checked');
    }
    if (!fake.storedMedia) fail(plugin, 'media.download is declared, but the fake platform has no storedMedia(ref) to say which bytes a download must give');
    const raw = rawWebhook(fake.simulate({ kind: 'media', userId: address.userId, mediaType: 'image', caption: 'The scratch on the left door', name: 'Ada' }));
    connector.verify(raw);
    const events = connector.parse(raw);
    const message = events.find((e) => e.kind === 'message' && isMediaContent(e.content));
    if (!message || message.kind !== 'message' || !isMediaContent(message.content)) {
      fail(plugin, `the fake's simulated image parsed to no media message (events: ${events.map((e) => (e.kind === 'message' ? `message ${e.content.type}` : e.kind)).join(', ') || 'none'})`);
    }
    const ref = message.content.media;
    const held = fake.storedMedia(ref);
    if (!held) fail(plugin, `the fake holds no bytes for the reference parse produced (${JSON.stringify(ref)})`);
    const expected = sha256(held);

    const whole = await download(connector, ref, held.length * 2 + 1024);
    if (whole.error !== undefined) fail(plugin, `downloadMedia of the simulated image (${held.length} bytes, maxBytes ${held.length * 2 + 1024}) failed after ${whole.bytes} bytes: ${describeError(whole.error)}`);
    if (whole.sha256 !== expected) {
      fail(plugin, `downloadMedia streamed ${whole.bytes} bytes with SHA-256 ${whole.sha256}; the fake holds ${held.length} bytes with SHA-256 ${expected}`);
    }
    if (whole.declaredSize !== undefined && whole.declaredSize !== held.length) {
      fail(plugin, `downloadMedia announced declaredSize ${whole.declaredSize}; the file has ${held.length} bytes`);
    }
    const exact = await download(connector, ref, held.length);
    if (exact.error !== undefined || exact.sha256 !== expected) {
      fail(plugin, `with maxBytes equal to the file's ${held.length} bytes the download must succeed; it ${exact.error !== undefined ? `failed: ${describeError(exact.error)}` : `gave ${exact.bytes} bytes with SHA-256 ${exact.sha256}`}`);
    }
    const under = held.length - 1;
    const refused = await download(connector, ref, under);
    if (refused.error === undefined) fail(plugin, `downloadMedia with maxBytes ${under} (one byte under the file's ${held.length}) delivered ${refused.bytes} bytes instead of failing`);
    if (!isSwitchboardError(refused.error) || connectorErrorKind(refused.error) !== 'permanent') {
      fail(plugin, `downloadMedia past maxBytes must fail with a ConnectorError classified permanent (retrying cannot make the file smaller); got ${describeError(refused.error)}`);
    }
    if (refused.bytes > under) fail(plugin, `downloadMedia delivered ${refused.bytes} bytes before failing, more than maxBytes ${under}`);
    return { ref, bytes: held.length, sha256: expected };
  });
}

/** Sample file per media kind, as core's fakes send them (a document is the sample PDF). */
const SAMPLE_OF: Record<Exclude<MediaKind, 'sticker'>, 'image' | 'video' | 'audio' | 'file'> = { image: 'image', document: 'file', video: 'video', audio: 'audio' };

/**
 * The media kind and sample file an upload check sends: the first of image, document, video and
 * audio the plugin can carry — rendered natively or degraded, of a type its policy accepts, within
 * its size limit.
 */
function uploadSample(plugin: ConnectorPlugin): { kind: MediaKind; sample: SampleMedia } {
  for (const kind of ['image', 'document', 'video', 'audio'] as const) {
    const sample = sampleMedia(SAMPLE_OF[kind]);
    const types = plugin.policy.mediaTypes?.[kind];
    const max = plugin.policy.mediaMaxBytes?.[kind];
    if (capabilityOf(plugin.capabilities, kind) === 'unsupported') continue;
    if (types !== undefined && !mimeTypeAccepted(sample.mimeType, types)) continue;
    if (max !== undefined && max < sample.body.length) continue;
    return { kind, sample };
  }
  return fail(plugin, 'media.upload is declared, but no media kind (image, document, video, audio) is both supported and of a type and size the policy accepts for a sample file');
}

const outboundFile = (kind: MediaKind, sample: SampleMedia): OutboundFile => ({
  kind, body: new Blob([new Uint8Array(sample.body)], { type: sample.mimeType }), size: sample.body.length,
  contentType: sample.mimeType, filename: sample.filename, sha256: sha256(sample.body),
});

const message = (id: string, to: Address, kind: MediaKind, media: MediaRef, file?: OutboundFile): OutboundMessage => ({
  id, to, content: { type: kind, media } as OutboundMessage['content'], purpose: 'service', sender: 'agent', ...(file ? { file } : {}),
});

/** What {@link checkMediaUploadBytes} saw, for a report. */
export interface MediaUploadReport {
  /** The platform's reference the first send returned. */
  ref: MediaRef;
  /** Requests the first send (with the file) and the second (by reference) made to the fake. */
  requests: { first: number; second: number };
}

/**
 * Checks `media.upload === 'bytes'`: `send` of a media message with `file` (a sample file the plugin
 * can carry, as a Blob) succeeds and returns `SendResult.media.ref`, under which the fake holds the
 * very bytes sent; a second send by that reference (`content.media` from the ref, no file) succeeds
 * and uploads nothing — no request of it carries the file's bytes, and where the first upload did
 * not carry them in the clear (an encrypted upload) the second send makes fewer requests than the first.
 * @param plugin - the plugin under test (with a fake that knows `storedMedia`)
 * @param address - the customer to send to (`userId`, `accountId`), as in the fixtures
 * @returns the reference and request counts
 * @throws MediaConformanceError naming what went wrong
 */
export async function checkMediaUploadBytes(plugin: ConnectorPlugin, address: Address): Promise<MediaUploadReport> {
  return withFake(plugin, 'media.upload \'bytes\'', async (fake, connector) => {
    if (!fake.storedMedia) fail(plugin, 'media.upload is \'bytes\', but the fake platform has no storedMedia(ref) to say what it received');
    const to = customerOf(plugin, fake, connector, address.userId, address.accountId);
    const { kind, sample } = uploadSample(plugin);
    const caption = 'Your invoice, as promised';
    const carrying = (): number => fake.requests.filter((r) => r.rawBody.includes(sample.body)).length;

    const before = { requests: fake.requests.length, carrying: carrying() };
    let first;
    try {
      first = await connector.send(message('conformance-upload-1', to, kind, { mimeType: sample.mimeType, filename: sample.filename, caption, size: sample.body.length }, outboundFile(kind, sample)));
    } catch (error) {
      fail(plugin, `send of ${kind === 'image' ? 'an' : 'a'} ${kind} with a file (${sample.body.length} bytes, ${sample.mimeType}) failed: ${describeError(error)}`);
    }
    if (!first.externalId) fail(plugin, 'send with a file returned no externalId');
    const ref = first.media?.ref;
    if (!ref || (!ref.id && !ref.url)) {
      fail(plugin, 'media.upload is \'bytes\', but send with a file returned no SendResult.media.ref with an id or url: the host cannot send these bytes again by reference');
    }
    const held = fake.storedMedia(ref);
    if (!held) fail(plugin, `the fake holds no bytes for the reference the upload returned (${JSON.stringify(ref)})`);
    if (!held.equals(sample.body)) {
      fail(plugin, `the fake holds ${held.length} bytes (SHA-256 ${sha256(held)}) for the uploaded reference, not the ${sample.body.length} bytes sent (SHA-256 ${sha256(sample.body)})`);
    }
    const firstSend = { requests: fake.requests.length - before.requests, carrying: carrying() - before.carrying };

    const mid = { requests: fake.requests.length, carrying: carrying() };
    let second;
    try {
      second = await connector.send(message('conformance-upload-2', to, kind, { mimeType: sample.mimeType, filename: sample.filename, ...ref, caption }));
    } catch (error) {
      fail(plugin, `the second send, by the reference the upload returned (${JSON.stringify(ref)}) and without the file, failed: ${describeError(error)}`);
    }
    if (!second.externalId) fail(plugin, 'the second send, by reference, returned no externalId');
    const secondSend = { requests: fake.requests.length - mid.requests, carrying: carrying() - mid.carrying };
    if (secondSend.carrying > 0) {
      const paths = fake.requests.slice(mid.requests).filter((r) => r.rawBody.includes(sample.body)).map((r) => `${r.method} ${r.path}`);
      fail(plugin, `the second send, by reference, uploaded the file again: ${secondSend.carrying} request(s) carried its bytes (${paths.join(', ')})`);
    }
    if (firstSend.carrying === 0 && secondSend.requests >= firstSend.requests) {
      fail(plugin, `the first send's upload carried the bytes in no request the fake saw (an encrypted upload?), and the second send by reference made ${secondSend.requests} request(s), no fewer than the first's ${firstSend.requests}: it must skip the upload`);
    }
    return { ref, requests: { first: firstSend.requests, second: secondSend.requests } };
  });
}

/** A local file server for the URL check: serves one file and counts who fetched it. */
async function serveFile(sample: SampleMedia): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== `/conformance/${sample.filename}`) { res.writeHead(404).end(); return; }
    fetches += 1;
    res.writeHead(200, { 'content-type': sample.mimeType, 'content-length': String(sample.body.length) });
    res.end(req.method === 'HEAD' ? undefined : sample.body);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/conformance/${sample.filename}`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Waits until `ready()` holds. A platform may fetch a URL after answering the send; this waits for
 * that, not for a time: the bound is a safety net against a fake that never fetches, not a deadline.
 */
async function until(ready: () => boolean, boundMs = 30_000): Promise<boolean> {
  // checked first: a fake that fetched during the send is judged without waiting at all
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > boundMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * Checks `media.upload === 'url'`: a send whose `content.media.url` points at a small HTTP server
 * the check starts (serving a sample file the plugin can carry) succeeds, the platform fetches the
 * URL, and the fake then holds the same bytes (`storedMedia` of the returned reference, or of the URL).
 * @param plugin - the plugin under test (with a fake that fetches URLs and knows `storedMedia`)
 * @param address - the customer to send to (`userId`, `accountId`), as in the fixtures
 * @param options - `fetchBoundMs`: how long a fake that fetches after answering the send may take
 *   before the check gives up (default 30 000; a safety net, not a deadline: a fake that fetches
 *   during the send is judged at once)
 * @returns the reference the fake holds the file under
 * @throws MediaConformanceError naming what went wrong
 */
export async function checkMediaUploadUrl(plugin: ConnectorPlugin, address: Address, options: { fetchBoundMs?: number } = {}): Promise<{ ref: MediaRef }> {
  return withFake(plugin, 'media.upload \'url\'', async (fake, connector) => {
    if (!fake.storedMedia) fail(plugin, 'media.upload is \'url\', but the fake platform has no storedMedia(ref) to say what it fetched');
    const storedMedia = fake.storedMedia.bind(fake);
    const to = customerOf(plugin, fake, connector, address.userId, address.accountId);
    const { kind, sample } = uploadSample(plugin);
    const files = await serveFile(sample);
    try {
      let result;
      try {
        result = await connector.send(message('conformance-url-1', to, kind, { url: files.url, mimeType: sample.mimeType, filename: sample.filename, caption: 'Your invoice' }));
      } catch (error) {
        fail(plugin, `send of ${kind === 'image' ? 'an' : 'a'} ${kind} by URL (${files.url}) failed: ${describeError(error)}`);
      }
      if (!result.externalId) fail(plugin, 'send by URL returned no externalId');
      const ref: MediaRef = result.media?.ref ?? { url: files.url };
      const held = await until(() => files.fetches() > 0 && storedMedia(ref) !== undefined, options.fetchBoundMs) ? storedMedia(ref) : undefined;
      if (files.fetches() === 0) fail(plugin, `the platform never fetched ${files.url}: a send by URL must hand the URL to the platform`);
      if (!held) fail(plugin, `the fake holds no bytes for ${JSON.stringify(ref)} although it fetched the URL`);
      if (!held.equals(sample.body)) {
        fail(plugin, `the fake holds ${held.length} bytes (SHA-256 ${sha256(held)}) for the file, not the ${sample.body.length} bytes served (SHA-256 ${sha256(sample.body)})`);
      }
      return { ref };
    } finally {
      await files.close();
    }
  });
}

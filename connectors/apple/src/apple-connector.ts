/**
 * The Apple Messages for Business connector: the MSP side of Apple's MSP REST API.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  ContentInvalidError, PermanentError, ProviderHttpError, ProviderNetworkError, RecipientBlockedError, RetryableError,
  WebhookVerificationError, classifyUnknownPlatformFailure, executeProviderRequest, isMediaContent, isConnectorError, isObject, sendInParts, signJwtHs256, silentLogger, systemClock,
  verifyJwtHs256,
  type Clock, type Connector, type ConnectorDeps, type ConnectorError, type Content, type DownloadedMedia, type InboundEvent, type Logger,
  type MediaContent, type MediaDownloadOptions, type MediaRef, type OutboundFile, type OutboundMessage, type ProviderRequest, type RawWebhook,
  type SendContext, type SendResult, type UploadedMedia,
} from '@switchboard/core';
import type { AppleConfig } from './config.js';
import { APPLE_ATTACHMENT_ALGORITHM, attachmentKeyHex, parseAttachmentKey, signatureBase64 } from './apple-crypto.js';
import { APPLE_UPLOAD_REUSE_MS, decryptAttachmentStream, encryptAttachmentStream, mediaTooLarge } from './apple-media.js';
import { interactiveDataToContent, parseAppleWebhook } from './apple-parse.js';
import type { AppleAttachmentDescriptor, AppleInteractiveDataRef } from './apple-payloads.js';
import { renderApple } from './apple-render.js';
import { APPLE_MEDIA_MAX_BYTES } from './policy.js';

/** How long an MMCS upload or the start of a download may take before it is given up (retryable). */
const TRANSFER_TIMEOUT_MS = 15 * 60_000;

/** The most bytes of an MMCS error answer read (they are short; the rest is dropped). */
const ERROR_BODY_MAX = 4096;

/**
 * MMCS answers to a download or upload URL that mean the URL is no longer good (expired, or the
 * ticket already used): the URL is asked for again once.
 */
const STALE_URL_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 410]);

/** Extra options for tests and special deployments. */
export interface AppleConnectorOptions {
  /** Source of single-use attachment keys (32 bytes); `crypto.randomBytes` by default. */
  attachmentKey?: () => Buffer;
}

/** What `downloadMedia` needs of an Apple attachment, read from a {@link MediaRef}. */
interface AttachmentLocation {
  url: string;
  owner: string;
  /** Base64, as preDownload takes it. */
  signature: string;
  keyHex: string;
}

function codeOf(error: unknown): string | undefined {
  return isObject(error) || error instanceof Error ? (error as { code?: unknown }).code as string | undefined : undefined;
}

async function boundedText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_MAX) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch { /* an error answer that breaks off says nothing more */ } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_MAX).toString('utf8');
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => { headers[k] = v; });
  return headers;
}

function withSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** An Apple Messages for Business account (one business id) through one MSP. */
export class AppleConnector implements Connector {
  /** The channel id. */
  readonly channel = 'apple';
  /** The business id. */
  readonly accountId: string;
  private readonly config: AppleConfig;
  private readonly fetch: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly attachmentKey: () => Buffer;

  /**
   * @param config - parsed config
   * @param deps - fetch, clock, logger
   * @param options - attachment key source
   */
  constructor(config: AppleConfig, deps: Partial<ConnectorDeps> = {}, options: AppleConnectorOptions = {}) {
    this.config = config;
    this.accountId = config.businessId;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.attachmentKey = options.attachmentKey ?? (() => randomBytes(32));
  }

  /** Apple has no subscription handshake. */
  handshake(): undefined {
    return undefined;
  }

  /**
   * Verifies `Authorization: Bearer <JWT>`: HS256 with the decoded MSP secret, `aud` = MSP id,
   * `iat` present and not in the future, not expired (`exp`, or older than `tokenMaxAgeSeconds`),
   * and the message addressed to this business. The body plays no part (Apple signs no body).
   * @param req - the raw webhook
   * @throws WebhookVerificationError
   */
  verify(req: RawWebhook): void {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') throw new WebhookVerificationError('missing authorization header');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (!match) throw new WebhookVerificationError('authorization must be "Bearer <JWT>"');
    verifyJwtHs256(match[1], {
      secret: this.config.secretKey,
      audience: this.config.mspId,
      now: this.clock.now(),
      skewSeconds: this.config.clockSkewSeconds,
      maxAgeSeconds: this.config.tokenMaxAgeSeconds,
      requireIat: true,
    });
    const destination = req.headers['destination-id'];
    if (destination !== undefined && destination !== this.config.businessId) {
      throw new WebhookVerificationError('destination-id is not this business');
    }
  }

  /**
   * Parses a verified webhook (gzip bodies are decoded first).
   * @param req - the raw webhook
   * @returns the events
   */
  parse(req: RawWebhook): InboundEvent[] {
    return parseAppleWebhook(req, new Date(this.clock.now()));
  }

  /**
   * The bearer token for calls to Apple: HS256 with the decoded secret, `iss` = MSP id, `iat` = now.
   * @returns a compact JWT
   */
  token(): string {
    return signJwtHs256({ iss: this.config.mspId, iat: Math.floor(this.clock.now() / 1000) }, this.config.secretKey);
  }

  /**
   * Renders a message into `/message` request(s). Interactive kinds are native only when
   * `msg.recipientCapabilities` carries the device capability; otherwise they degrade to text.
   * @param msg - the outbound message
   * @returns the request
   */
  render(msg: OutboundMessage): ProviderRequest {
    return renderApple(msg, { config: this.config, token: this.token() });
  }

  /**
   * Sends a message and any follow-up parts — from the first part an earlier attempt did not get
   * accepted (`context.acceptedParts`), reporting each accepted part to `context.onPartAccepted`.
   *
   * Media reaches Apple one of three ways, in this order:
   * 1. `msg.file` (the host holds the bytes and knows no Apple reference for them): the file is
   *    encrypted with a fresh key while it is read, `GET /preUpload` authorises the encrypted size,
   *    the bytes are `POST`ed to the upload URL and the returned `fileChecksum` becomes the
   *    descriptor's `signature-base64`. `SendResult.media` then carries the reference (MMCS url,
   *    owner, key, signature, size) for sending the same bytes again.
   * 2. `media.encryption` with `media.url` (such a reference): `render` already wrote the full
   *    descriptor; nothing is uploaded.
   * 3. `media.url` alone (`http(s)` or `data:`): the file is fetched, encrypted and uploaded as in 1.
   *
   * Every request carries the `id` header Apple requires: a UUID derived from the host's message id
   * and the part's index (`messageUuid`), so a retry of a part repeats the id of the original
   * request — the MSP REST API names a message by that id, and a repeated id is the same message.
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the external id (the message UUID), part ids and, after an upload, the reference
   * @throws a classified ConnectorError; ContentUnsupportedError/ContentInvalidError unchanged
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const request = this.render(msg);
    const requests = [request, ...(request.followUps ?? [])];
    let raw: { status: number; body: unknown } | undefined;
    let uploaded: UploadedMedia | undefined;
    const ids = await sendInParts(requests, context, async (part, index) => {
      try {
        let ready = part;
        if (index === 0 && isMediaContent(msg.content)) {
          const attached = await this.withAttachment(part, msg, msg.content);
          ready = attached.request;
          uploaded = attached.uploaded;
        }
        const answer = await executeProviderRequest(ready, { fetch: this.fetch });
        if (index === 0) raw = { status: answer.status, body: answer.body };
        return part.headers.id!;
      } catch (error) {
        const code = codeOf(error);
        if (code === 'CONTENT_INVALID' || code === 'CONTENT_UNSUPPORTED') throw error;
        throw this.classify(error);
      }
    });
    const [externalId, ...partIds] = ids;
    return {
      externalId: externalId!,
      acceptedAt: new Date(this.clock.now()),
      ...(partIds.length ? { partIds } : {}),
      ...(uploaded ? { media: uploaded } : {}),
      ...(raw ? { raw } : {}),
    };
  }

  /**
   * Encrypts and uploads a file as an Apple attachment, streaming: `GET /preUpload` with the
   * encrypted size (equal to the plain size: CTR keeps lengths), then `POST` of the encrypted bytes
   * to the upload URL with that `content-length`. An upload URL MMCS refuses as stale (401, 403,
   * 404, 410) is asked for again once, re-reading the file.
   * @param file - the file: a Blob (read twice at most), its size, name and type
   * @returns the descriptor to put in a message's `attachments`
   * @throws ContentInvalidError over 100 MB or when the Blob's size is not `size`; a classified
   *   ConnectorError when Apple or MMCS refuses
   */
  async uploadFile(file: Pick<OutboundFile, 'body' | 'size' | 'contentType' | 'filename'> & { filename: string }): Promise<AppleAttachmentDescriptor> {
    if (file.body.size !== file.size) throw new ContentInvalidError(`attachment body is ${file.body.size} bytes but its size says ${file.size}`);
    return this.uploadStream(file.size, async () => file.body.stream(), file.filename, file.contentType);
  }

  /**
   * The upload itself, from a source that can be opened again (for the one retry with a fresh URL).
   * @param size - the file's size (plain = encrypted)
   * @param open - opens the plain bytes from the start
   * @param name - file name shown to the customer
   * @param mimeType - MIME type
   */
  private async uploadStream(size: number, open: () => Promise<ReadableStream<Uint8Array>>, name: string, mimeType: string): Promise<AppleAttachmentDescriptor> {
    if (!Number.isSafeInteger(size) || size < 0) throw new ContentInvalidError(`attachment size ${String(size)} is not a byte count`);
    if (size > APPLE_MEDIA_MAX_BYTES) throw new ContentInvalidError(`attachment is ${size} bytes; Apple accepts up to ${APPLE_MEDIA_MAX_BYTES}`);
    const key = this.attachmentKey();
    for (let attempt = 1; ; attempt++) {
      const slot = await this.preUpload(size);
      const response = await this.transfer(slot.uploadUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: encryptAttachmentStream(await open(), key, size),
        duplex: 'half',
      } as RequestInit);
      if (!response.ok) {
        const text = await boundedText(response);
        if (STALE_URL_STATUSES.has(response.status)) {
          if (attempt === 1) {
            this.logger.info({ status: response.status }, 'apple: MMCS refused the upload URL; asking preUpload again');
            continue;
          }
          throw new RetryableError(`MMCS refused a fresh upload URL too (${response.status})`, { cause: new ProviderHttpError(response.status, text, headersOf(response)) });
        }
        throw new ProviderHttpError(response.status, text, headersOf(response));
      }
      const answer = await boundedText(response);
      let checksum: unknown;
      try {
        const parsed = JSON.parse(answer) as unknown;
        checksum = isObject(parsed) && isObject(parsed.singleFile) ? parsed.singleFile.fileChecksum : undefined;
      } catch { /* not JSON: reported below */ }
      if (typeof checksum !== 'string' || checksum === '') throw new PermanentError('MMCS upload answered without singleFile.fileChecksum', { cause: answer });
      return {
        name, mimeType, size, 'signature-base64': checksum,
        url: slot.mmcsUrl, owner: slot.owner, key: attachmentKeyHex(key),
      };
    }
  }

  /**
   * Encrypts and uploads bytes held in memory as an Apple attachment (see {@link uploadFile}).
   * @param bytes - the plain file
   * @param name - file name shown to the customer
   * @param mimeType - MIME type
   * @returns the descriptor to put in a message's `attachments`
   */
  async uploadAttachment(bytes: Buffer, name: string, mimeType: string): Promise<AppleAttachmentDescriptor> {
    return this.uploadFile({ body: new Blob([bytes]), size: bytes.length, contentType: mimeType, filename: name });
  }

  /**
   * Fetches and decrypts a file a customer sent, as a stream (`media.download` on the plugin).
   *
   * `GET /preDownload` with the attachment's `url`, `owner` and `signature` (Base64) headers,
   * authenticated like every call (bearer JWT, `source-id`), answers a `download-url`; its bytes
   * are deciphered (AES-256-CTR, all-zero IV, the `00`-prefixed hex key without its prefix) as they
   * arrive. A download URL MMCS refuses as stale (401, 403, 404, 410) is asked for again once.
   *
   * Limits: a declared `media.size` over `maxBytes` fails before any request; an announced
   * `content-length` over it before any byte is read; otherwise the stream fails once it passes it.
   * A wrong key cannot be detected (see the package README): the bytes are then not the file.
   * @param media - the media reference `parse` produced (`url` and `encryption`)
   * @param options - the size limit and an abort signal
   * @returns the plain bytes, streamed, with the declared size, type and name
   * @throws PermanentError for a reference without Apple's details, a malformed key, a file over
   *   the limit, or a refusal; otherwise a classified ConnectorError
   */
  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    const location = this.attachmentLocation(media);
    const { maxBytes } = options;
    if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) throw new PermanentError(`maxBytes must be a byte count, not ${String(maxBytes)}`);
    if (media.size !== undefined && media.size > maxBytes) throw mediaTooLarge(media.size, maxBytes, 'is declared as');
    const response = await this.openDownload(location, options.signal);
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(announced) && announced > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw mediaTooLarge(announced, maxBytes, 'download announces');
    }
    const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const declaredSize = media.size ?? (Number.isFinite(announced) ? announced : undefined);
    return {
      body: decryptAttachmentStream(body, location.keyHex, maxBytes),
      ...(declaredSize !== undefined ? { declaredSize } : {}),
      ...(media.mimeType ? { declaredType: media.mimeType } : {}),
      ...(media.filename ? { filename: media.filename } : {}),
    };
  }

  /**
   * Downloads and decrypts an attachment or interactive data reference into memory (for small
   * payloads; files go through {@link downloadMedia}, which streams).
   * @param descriptor - the attachment descriptor (event metadata `attachment`) or an interactiveDataRef
   * @param maxBytes - the most bytes accepted (default: Apple's attachment limit)
   * @returns the plain bytes
   * @throws a classified ConnectorError when Apple or MMCS fails; PermanentError past `maxBytes`
   */
  async downloadAttachment(descriptor: Pick<AppleAttachmentDescriptor, 'url' | 'owner' | 'key' | 'signature' | 'signature-base64'> & { size?: number | string }, maxBytes = APPLE_MEDIA_MAX_BYTES): Promise<Buffer> {
    const b64 = descriptor['signature-base64'];
    const signature = b64 ?? descriptor.signature;
    const size = typeof descriptor.size === 'number' ? descriptor.size : typeof descriptor.size === 'string' && /^\d+$/.test(descriptor.size) ? Number(descriptor.size) : undefined;
    const download = await this.downloadMedia({
      url: descriptor.url,
      ...(size !== undefined ? { size } : {}),
      encryption: {
        decryptionKey: descriptor.key, owner: descriptor.owner, algorithm: APPLE_ATTACHMENT_ALGORITHM,
        // `signature` is hex on most references, Base64 on some (Apple Developer Forums 109410): read as it looks
        ...(signature !== undefined ? { signature, ...(b64 !== undefined ? { signatureEncoding: 'base64' as const } : {}) } : {}),
      },
    }, { maxBytes });
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }

  /**
   * Fetches interactive data Apple sent by reference (over 10 KB): download, decrypt, then
   * POST /decodePayload with the extension's `bid`.
   * @param ref - the `interactiveDataRef` kept in the event's metadata
   * @returns the decoded `interactiveData` and the content it maps to
   */
  async resolveInteractiveDataRef(ref: AppleInteractiveDataRef): Promise<{ interactiveData: unknown; content: Content | undefined }> {
    const plain = await this.downloadAttachment(ref);
    try {
      const decoded = await executeProviderRequest({
        method: 'POST',
        url: `${this.config.apiBaseUrl}/decodePayload`,
        headers: {
          authorization: `Bearer ${this.token()}`, 'source-id': this.config.businessId, bid: ref.bid,
          'content-type': 'application/octet-stream', accept: 'application/json',
        },
        body: plain,
      }, { fetch: this.fetch });
      const interactiveData = decoded.body;
      return { interactiveData, content: isObject(interactiveData) ? interactiveDataToContent(interactiveData) : undefined };
    } catch (error) {
      const code = codeOf(error);
      if (code === 'MALFORMED_PAYLOAD') throw error;
      throw this.classify(error);
    }
  }

  /**
   * Where the webhook URL goes (core's optional `Connector.webhookSetup`): Apple has no API to
   * register one. The MSP's endpoint is part of its account on Apple Business Register, and the
   * MSP API has no harmless authenticated read either, so `switchboard doctor` cannot check the
   * credentials of an Apple account (no `probe`).
   * @param url - the host's public webhook URL for this business
   * @returns the steps, one line each
   */
  webhookSetup(url: string): readonly string[] {
    return [
      `Apple has no API to register a webhook: sign in to Apple Business Register (https://register.apple.com) with your Messaging Service Provider account (MSP id ${this.config.mspId}).`,
      `In the MSP account's Messages for Business settings, enter ${url} as the endpoint Apple delivers messages to (HTTPS with a publicly trusted certificate). Apple posts each message to <endpoint>/message with a Bearer JWT signed with the MSP secret: have your proxy rewrite ${url}/message to ${url}.`,
      `Check that business ${this.config.businessId} has chosen this MSP as its messaging service provider, then send a message from an Apple device to the business to see it arrive.`,
    ];
  }

  /**
   * Maps a failure onto the core taxonomy. Apple documents 400 (malformed), 401 (no
   * Authorization), 403 (Authorization rejected), 404 (destination-id not recognised), 5xx; a 410
   * means the customer deleted the conversation. Everything else (another status, a network
   * failure, anything unrecognised) is classified as core's {@link classifyUnknownPlatformFailure}
   * does for every connector.
   * @param error - what a call threw
   * @returns the classified error, keeping the original as `cause`
   */
  classify(error: unknown): ConnectorError {
    const code = codeOf(error);
    const now = this.clock.now();
    const status = (error as Partial<ProviderHttpError> | undefined)?.status;
    if (code === 'PROVIDER_HTTP_ERROR' && typeof status === 'number') {
      const opts = { cause: error };
      // the customer deleted the conversation: Apple no longer delivers to this opaque id
      if (status === 410) return new RecipientBlockedError('Apple answered 410: the customer is gone (conversation deleted)', opts);
      if (status === 404) return new PermanentError('Apple did not recognise the destination-id (404)', opts);
      if (status === 401 || status === 403) return new PermanentError(`Apple rejected the MSP credentials (${status}): check mspId and mspSecret`, opts);
      const message = status === 429 ? 'Apple throttled the request (429)' : status >= 500 ? `Apple answered ${status}` : `Apple refused the request (${status})`;
      return classifyUnknownPlatformFailure(error, { now, platform: 'Apple', message });
    }
    if (code === 'CONTENT_INVALID' || code === 'CONTENT_UNSUPPORTED' || code === 'MALFORMED_PAYLOAD') {
      return new PermanentError((error as Error).message, { cause: error });
    }
    if (!isConnectorError(error) && code !== 'PROVIDER_NETWORK_ERROR') this.logger.warn({ err: error }, 'apple: unclassified error treated as retryable');
    return classifyUnknownPlatformFailure(error, { now, platform: 'Apple' });
  }

  private attachmentLocation(media: MediaRef): AttachmentLocation {
    const enc = media.encryption;
    if (!media.url || !enc?.decryptionKey || !enc.owner || !enc.signature) {
      throw new PermanentError('not an Apple attachment reference: downloading needs media.url and encryption.decryptionKey, owner and signature');
    }
    if (enc.algorithm !== undefined && enc.algorithm.toLowerCase() !== APPLE_ATTACHMENT_ALGORITHM) {
      throw new PermanentError(`Apple attachments are ${APPLE_ATTACHMENT_ALGORITHM}; this reference says ${enc.algorithm}`);
    }
    try {
      parseAttachmentKey(enc.decryptionKey);
    } catch (cause) {
      throw new PermanentError((cause as Error).message, { cause });
    }
    return { url: media.url, owner: enc.owner, signature: signatureBase64(enc.signature, enc.signatureEncoding), keyHex: enc.decryptionKey };
  }

  private async preDownload(location: AttachmentLocation): Promise<string> {
    const pre = await executeProviderRequest({
      method: 'GET',
      url: `${this.config.apiBaseUrl}/preDownload`,
      headers: {
        // Apple's preDownload headers: the MMCS url, the owner and the Base64 signature of the file
        authorization: `Bearer ${this.token()}`, 'source-id': this.config.businessId,
        url: location.url, owner: location.owner, signature: location.signature,
      },
    }, { fetch: this.fetch });
    const downloadUrl = isObject(pre.body) ? pre.body['download-url'] : undefined;
    if (typeof downloadUrl !== 'string' || !/^https?:\/\//.test(downloadUrl)) throw new PermanentError('preDownload answered without a download-url', { cause: pre.body });
    return downloadUrl;
  }

  private async openDownload(location: AttachmentLocation, signal: AbortSignal | undefined): Promise<Response> {
    try {
      for (let attempt = 1; ; attempt++) {
        const downloadUrl = await this.preDownload(location);
        const response = await this.transfer(downloadUrl, { method: 'GET', signal: signal ?? null });
        if (response.ok) return response;
        const text = await boundedText(response);
        if (STALE_URL_STATUSES.has(response.status)) {
          if (attempt === 1) {
            this.logger.info({ status: response.status }, 'apple: MMCS refused the download URL; asking preDownload again');
            continue;
          }
          // a URL refused right after it was issued: a later attempt gets another one
          throw new RetryableError(`MMCS refused a fresh download URL too (${response.status})`, { cause: new ProviderHttpError(response.status, text, headersOf(response)) });
        }
        throw new ProviderHttpError(response.status, text, headersOf(response));
      }
    } catch (error) {
      throw this.mediaError(error, 'download');
    }
  }

  private async preUpload(size: number): Promise<{ uploadUrl: string; mmcsUrl: string; owner: string }> {
    const pre = await executeProviderRequest({
      method: 'GET',
      url: `${this.config.apiBaseUrl}/preUpload`,
      headers: { authorization: `Bearer ${this.token()}`, 'source-id': this.config.businessId, size: String(size) },
    }, { fetch: this.fetch });
    const pb = isObject(pre.body) ? pre.body : {};
    const uploadUrl = pb['upload-url'], mmcsUrl = pb['mmcs-url'], owner = pb['mmcs-owner'];
    if (typeof uploadUrl !== 'string' || typeof mmcsUrl !== 'string' || typeof owner !== 'string') {
      throw new PermanentError('preUpload answered without upload-url, mmcs-url and mmcs-owner', { cause: pre.body });
    }
    return { uploadUrl, mmcsUrl, owner };
  }

  /** A request to an MMCS URL (not the gateway: no bearer token), bounded by the transfer timeout. */
  private async transfer(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, signal: withSignal(init.signal ?? undefined, TRANSFER_TIMEOUT_MS) });
    } catch (cause) {
      throw new ProviderNetworkError(`MMCS request to ${new URL(url).host} failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** Errors of the media calls, classified with the step named (a gateway 404 there is the file, not the customer). */
  private mediaError(error: unknown, step: 'download' | 'upload'): ConnectorError {
    const code = codeOf(error);
    if (code === 'PROVIDER_HTTP_ERROR') {
      const status = (error as ProviderHttpError).status;
      if (status === 400) return new PermanentError(`Apple refused the attachment ${step} (400): its url, owner or signature do not match a file`, { cause: error });
      if (status === 404 || status === 410) return new PermanentError(`Apple no longer has the attachment (${status})`, { cause: error });
    }
    return this.classify(error);
  }

  private async withAttachment(request: ProviderRequest, msg: OutboundMessage, content: MediaContent): Promise<{ request: ProviderRequest; uploaded?: UploadedMedia }> {
    const body = request.body as { attachments: Partial<AppleAttachmentDescriptor>[] } & Record<string, unknown>;
    const pending = body.attachments[0]!;
    if (!msg.file && pending.url !== undefined) return { request };
    const name = pending.name!, mimeType = pending.mimeType!;
    let descriptor: AppleAttachmentDescriptor;
    if (msg.file) {
      descriptor = await this.uploadFile({ body: msg.file.body, size: msg.file.size, contentType: mimeType, filename: name });
    } else {
      descriptor = await this.uploadFromUrl(content.media.url!, name, mimeType);
    }
    const size = Number(descriptor.size);
    const uploaded: UploadedMedia = {
      ref: {
        url: descriptor.url, mimeType, filename: name, size,
        encryption: {
          decryptionKey: descriptor.key, owner: descriptor.owner, signature: descriptor['signature-base64']!,
          signatureEncoding: 'base64', algorithm: APPLE_ATTACHMENT_ALGORITHM,
        },
      },
      expiresAt: new Date(this.clock.now() + APPLE_UPLOAD_REUSE_MS),
    };
    return { request: { ...request, body: { ...body, attachments: [descriptor] } }, uploaded };
  }

  /**
   * Uploads a file the business named by URL: a `data:` URL from memory; an `http(s)` URL streamed
   * from its answer when it announces a `content-length` (fetched again for the retry with a fresh
   * upload URL), else read into memory first, bounded by Apple's limit (the size must be known
   * before `preUpload`).
   */
  private async uploadFromUrl(url: string, name: string, mimeType: string): Promise<AppleAttachmentDescriptor> {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      if (comma < 0) throw new ContentInvalidError('malformed data: URL');
      const meta = url.slice(5, comma);
      const payload = url.slice(comma + 1);
      const bytes = meta.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
      return this.uploadAttachment(bytes, name, mimeType);
    }
    let first: Response | undefined = await this.getRemote(url);
    const announced = first.headers.get('content-length');
    // a compressed answer's length is not the file's (fetch decodes it)
    const encoded = (first.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    if (announced === null || !/^\d+$/.test(announced) || encoded) return this.uploadAttachment(await this.readBounded(first), name, mimeType);
    const size = Number(announced);
    if (size > APPLE_MEDIA_MAX_BYTES) {
      await first.body?.cancel().catch(() => undefined);
      throw new ContentInvalidError(`file is ${size} bytes; Apple accepts up to ${APPLE_MEDIA_MAX_BYTES}`);
    }
    const emptyStream = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (c) => c.close() });
    try {
      return await this.uploadStream(size, async () => {
        const response = first ?? await this.getRemote(url);
        first = undefined;
        return response.body ?? emptyStream();
      }, name, mimeType);
    } finally {
      // a first answer never read (preUpload failed) is released
      await first?.body?.cancel().catch(() => undefined);
    }
  }

  /** `GET` a file the business named by URL. */
  private async getRemote(url: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(url, { method: 'GET', signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS) });
    } catch (cause) {
      throw new ProviderNetworkError(`download from ${new URL(url).host} failed: ${(cause as Error).message}`, { cause });
    }
    if (!response.ok) throw new ProviderHttpError(response.status, await boundedText(response), headersOf(response));
    return response;
  }

  /** Reads an answer without a length into memory, refusing it past Apple's limit. */
  private async readBounded(response: Response): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > APPLE_MEDIA_MAX_BYTES) throw new ContentInvalidError(`file is over ${APPLE_MEDIA_MAX_BYTES} bytes; Apple accepts up to ${APPLE_MEDIA_MAX_BYTES}`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
}

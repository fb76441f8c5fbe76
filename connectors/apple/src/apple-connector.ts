/**
 * The Apple Messages for Business connector: the MSP side of Apple's MSP REST API.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  ContentInvalidError, PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError, RetryableError,
  WebhookVerificationError, executeProviderRequest, isMediaContent, isObject, parseRetryAfter, sendInParts, signJwtHs256, silentLogger, systemClock,
  verifyJwtHs256,
  type Clock, type Connector, type ConnectorDeps, type ConnectorError, type Content, type InboundEvent, type Logger, type MediaContent,
  type OutboundMessage, type ProviderRequest, type RawWebhook, type SendContext, type SendResult,
} from '@switchboard/core';
import type { AppleConfig } from './config.js';
import { decryptAttachment, encryptAttachment } from './apple-crypto.js';
import { interactiveDataToContent, parseAppleWebhook } from './apple-parse.js';
import type { AppleAttachmentDescriptor, AppleInteractiveDataRef } from './apple-payloads.js';
import { renderApple } from './apple-render.js';
import { APPLE_MEDIA_MAX_BYTES } from './policy.js';

/** Default wait after a 429 without Retry-After: Apple documents no limit, so one second. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** Extra options for tests and special deployments. */
export interface AppleConnectorOptions {
  /** Source of single-use attachment keys (32 bytes); `crypto.randomBytes` by default. */
  attachmentKey?: () => Buffer;
}

function codeOf(error: unknown): string | undefined {
  return isObject(error) || error instanceof Error ? (error as { code?: unknown }).code as string | undefined : undefined;
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
   * Sends a message: for media, downloads the file, encrypts it, authorises the upload
   * (preUpload), uploads it to MMCS and completes the attachment descriptor; then posts the
   * message and any follow-up parts — from the first part an earlier attempt did not get accepted
   * (`context.acceptedParts`), reporting each accepted part to `context.onPartAccepted`.
   *
   * Every request carries the `id` header Apple requires: a UUID derived from the host's message id
   * and the part's index (`messageUuid`), so a retry of a part repeats the id of the original
   * request — the MSP REST API names a message by that id, and a repeated id is the same message.
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the external id (the message UUID) and part ids
   * @throws a classified ConnectorError; ContentUnsupportedError/ContentInvalidError unchanged
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const request = this.render(msg);
    const requests = [request, ...(request.followUps ?? [])];
    let raw: { status: number; body: unknown } | undefined;
    const ids = await sendInParts(requests, context, async (part, index) => {
      try {
        const ready = index === 0 && isMediaContent(msg.content) ? await this.withUploadedAttachment(part, msg.content) : part;
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
      ...(raw ? { raw } : {}),
    };
  }

  /**
   * Encrypts and uploads bytes as an Apple attachment: GET /preUpload, then POST to the MMCS
   * upload URL.
   * @param bytes - the plain file
   * @param name - file name shown to the customer
   * @param mimeType - MIME type
   * @returns the descriptor to put in a message's `attachments`
   */
  async uploadAttachment(bytes: Buffer, name: string, mimeType: string): Promise<AppleAttachmentDescriptor> {
    if (bytes.length > APPLE_MEDIA_MAX_BYTES) throw new ContentInvalidError(`attachment is ${bytes.length} bytes; Apple accepts up to ${APPLE_MEDIA_MAX_BYTES}`);
    const { data, keyHex } = encryptAttachment(bytes, this.attachmentKey());
    const pre = await executeProviderRequest({
      method: 'GET',
      url: `${this.config.apiBaseUrl}/preUpload`,
      headers: { authorization: `Bearer ${this.token()}`, 'source-id': this.config.businessId, size: String(data.length) },
    }, { fetch: this.fetch });
    const pb = isObject(pre.body) ? pre.body : {};
    const uploadUrl = pb['upload-url'], mmcsUrl = pb['mmcs-url'], owner = pb['mmcs-owner'];
    if (typeof uploadUrl !== 'string' || typeof mmcsUrl !== 'string' || typeof owner !== 'string') {
      throw new PermanentError('preUpload answered without upload-url, mmcs-url and mmcs-owner', { cause: pre.body });
    }
    const up = await executeProviderRequest({
      method: 'POST', url: uploadUrl, headers: { 'content-type': 'application/octet-stream' }, body: data,
    }, { fetch: this.fetch });
    const single = isObject(up.body) && isObject(up.body.singleFile) ? up.body.singleFile : undefined;
    const checksum = single?.fileChecksum;
    if (typeof checksum !== 'string') throw new PermanentError('MMCS upload answered without singleFile.fileChecksum', { cause: up.body });
    return { name, mimeType, size: data.length, 'signature-base64': checksum, url: mmcsUrl, owner, key: keyHex };
  }

  /**
   * Downloads and decrypts an attachment a customer sent (GET /preDownload, then the download URL).
   * @param descriptor - the attachment descriptor (event metadata `attachment`) or an interactiveDataRef
   * @returns the plain bytes
   * @throws a classified ConnectorError when Apple or MMCS fails
   */
  async downloadAttachment(descriptor: Pick<AppleAttachmentDescriptor, 'url' | 'owner' | 'key' | 'signature' | 'signature-base64'>): Promise<Buffer> {
    try {
      const signature = descriptor['signature-base64'] ?? (descriptor.signature ? Buffer.from(descriptor.signature, 'hex').toString('base64') : undefined);
      if (!signature) throw new ContentInvalidError('attachment descriptor has no signature');
      const pre = await executeProviderRequest({
        method: 'GET',
        url: `${this.config.apiBaseUrl}/preDownload`,
        headers: {
          // Apple's preDownload headers: url, signature (Base64) and owner of the MMCS file
          authorization: `Bearer ${this.token()}`, 'source-id': this.config.businessId,
          url: descriptor.url, signature, owner: descriptor.owner,
        },
      }, { fetch: this.fetch });
      const downloadUrl = isObject(pre.body) ? pre.body['download-url'] : undefined;
      if (typeof downloadUrl !== 'string') throw new PermanentError('preDownload answered without download-url', { cause: pre.body });
      const encrypted = await this.getBytes(downloadUrl);
      return decryptAttachment(encrypted, descriptor.key);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'CONTENT_INVALID' || code === 'PERMANENT_FAILURE') throw error;
      throw this.classify(error);
    }
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
   * Maps a failure onto the core taxonomy. Apple documents 400 (malformed), 401 (no
   * Authorization), 403 (Authorization rejected), 404 (destination-id not recognised), 5xx.
   * @param error - what a call threw
   * @returns the classified error, keeping the original as `cause`
   */
  classify(error: unknown): ConnectorError {
    const code = codeOf(error);
    if (code === 'RATE_LIMITED' || code === 'RECIPIENT_BLOCKED' || code === 'WINDOW_CLOSED' || code === 'PERMANENT_FAILURE' || code === 'RETRYABLE_FAILURE') {
      return error as ConnectorError;
    }
    if (error instanceof ProviderHttpError || code === 'PROVIDER_HTTP_ERROR') {
      const e = error as ProviderHttpError;
      const retryAfter = parseRetryAfter(e.headers['retry-after'], this.clock.now());
      const opts = { cause: error };
      if (e.status === 429) return new RateLimitedError('Apple throttled the request (429)', retryAfter ?? DEFAULT_RETRY_AFTER_MS, opts);
      // the customer deleted the conversation: Apple no longer delivers to this opaque id
      if (e.status === 410) return new RecipientBlockedError('Apple answered 410: the customer is gone (conversation deleted)', opts);
      if (e.status === 404) return new PermanentError('Apple did not recognise the destination-id (404)', opts);
      if (e.status === 401 || e.status === 403) return new PermanentError(`Apple rejected the MSP credentials (${e.status}): check mspId and mspSecret`, opts);
      if (e.status >= 500) return new RetryableError(`Apple answered ${e.status}`, { ...opts, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
      return new PermanentError(`Apple refused the request (${e.status})`, opts);
    }
    if (error instanceof ProviderNetworkError || code === 'PROVIDER_NETWORK_ERROR') {
      return new RetryableError((error as Error).message, { cause: error });
    }
    if (code === 'CONTENT_INVALID' || code === 'CONTENT_UNSUPPORTED' || code === 'MALFORMED_PAYLOAD') {
      return new PermanentError((error as Error).message, { cause: error });
    }
    this.logger.warn({ err: error }, 'apple: unclassified error treated as retryable');
    return new RetryableError(error instanceof Error ? error.message : 'unexpected failure', { cause: error });
  }

  private async withUploadedAttachment(request: ProviderRequest, content: MediaContent): Promise<ProviderRequest> {
    const body = request.body as { attachments: { name: string; mimeType: string }[] } & Record<string, unknown>;
    const pending = body.attachments[0]!;
    const bytes = await this.loadMedia(content.media.url!);
    const descriptor = await this.uploadAttachment(bytes, pending.name, pending.mimeType);
    return { ...request, body: { ...body, attachments: [descriptor] } };
  }

  private async loadMedia(url: string): Promise<Buffer> {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      if (comma < 0) throw new ContentInvalidError('malformed data: URL');
      const meta = url.slice(5, comma);
      const payload = url.slice(comma + 1);
      return meta.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
    }
    return this.getBytes(url);
  }

  private async getBytes(url: string): Promise<Buffer> {
    let response: Response;
    try {
      response = await this.fetch(url, { method: 'GET', signal: AbortSignal.timeout(60_000) });
    } catch (cause) {
      throw new ProviderNetworkError(`download from ${new URL(url).host} failed: ${(cause as Error).message}`, { cause });
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > APPLE_MEDIA_MAX_BYTES) throw new ContentInvalidError(`file is ${declared} bytes; Apple accepts up to ${APPLE_MEDIA_MAX_BYTES}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (!response.ok) {
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => { headers[k] = v; });
      throw new ProviderHttpError(response.status, bytes.toString('utf8'), headers);
    }
    return bytes;
  }
}

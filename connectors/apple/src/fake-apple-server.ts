/**
 * A fake Apple Messages for Business gateway (and its MMCS content store) for tests and the sandbox.
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  FakePlatformServer, isObject, sampleMedia, signJwtHs256, startFakeSideServer, verifyJwtHs256,
  type FakeInboundEvent, type FakeInboundKind, type FakePlatformOptions, type FakeResponse, type FakeSideServer, type JwtClaims, type MediaRef,
  type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { decryptAttachment, encryptAttachment, isUuid } from './apple-crypto.js';
import { APPLE_BID, type AppleAttachmentDescriptor, type AppleInteractiveDataRef } from './apple-payloads.js';
import { APPLE_MEDIA_MAX_BYTES } from './policy.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const appleSandboxConfig = {
  mspId: 'sandbox-msp-0000-switchboard',
  mspSecret: Buffer.from('switchboard-apple-sandbox-secret-32b!').toString('base64'),
  businessId: 'sandbox-business-0000-switchboard',
} as const;

/** The capability list a recent iPhone reports. */
export const APPLE_FULL_CAPABILITIES = ['QUICK', 'LIST', 'TIME', 'AUTH', 'AUTH2', 'FORM'] as const;

/** Options of a fake customer's webhook. */
export interface AppleWebhookOptions {
  /** The message UUID (random by default). */
  messageId?: string;
  /** Device capabilities (`capability-list`); all of them by default. */
  capabilities?: readonly string[];
  /** `device-agent` (default "iPhone OS"). */
  deviceAgent?: string;
  /** Gzip the body and say so in `content-encoding`, as Apple may. */
  gzip?: boolean;
  /** Replace the bearer token's claims (to forge expired or foreign tokens). */
  claims?: JwtClaims;
  /** Sign with another secret (Base64), to forge a bad signature. */
  secret?: string;
}

/** Options of the fake gateway beyond every fake's own. */
export interface FakeAppleOptions extends FakePlatformOptions {
  /**
   * How long an MMCS upload or download URL from `preUpload`/`preDownload` stays good, in platform
   * time (default 15 minutes). Apple documents no lifetime; the URLs are short-lived tickets, and a
   * stale one is refused with 403 as a signed storage URL is.
   */
  mmcsUrlTtlMs?: number;
}

/** Default lifetime of an MMCS URL in the fake (Apple documents none). */
export const FAKE_MMCS_URL_TTL_MS = 15 * 60_000;

interface StoredFile {
  token: string;
  owner: string;
  mmcsUrl: string;
  declaredSize: number;
  /** The encrypted bytes, once uploaded (or stored by a simulated customer). */
  data?: Buffer;
  checksum?: string;
  /** The key the file's bytes were encrypted with, once known (a customer's file, or the first message sending an upload). */
  keyHex?: string;
}

/** A short-lived MMCS URL handed out by preUpload or preDownload. */
interface Ticket {
  file: StoredFile;
  action: 'upload' | 'download';
  /** Platform time after which the URL is refused. */
  expiresAt: number;
  used: boolean;
}

/** An attachment the fake received in a `/message`, decrypted with the message's key. */
export interface ReceivedAttachment {
  messageId: string;
  descriptor: AppleAttachmentDescriptor;
  plain: Buffer;
}

/**
 * The fake gateway: `/message`, `/preUpload`, `/preDownload`, `/decodePayload`, with an MMCS
 * content store on a second port (as Apple's content hosts differ from the gateway). Files are kept
 * encrypted as MMCS keeps them; the upload and download URLs are single tickets that expire on the
 * platform clock ({@link FakeAppleOptions.mmcsUrlTtlMs}). Checks the
 * MSP's bearer JWT like Apple (401 without Authorization, 403 when it does not validate) and
 * answers 200 with an empty body on success. Every token age and `iat` is on the platform clock
 * (`options.clock`), so a sandbox whose clock was moved forward keeps agreeing with its host.
 *
 * Apple sends the MSP no delivery or read receipts for business messages, so this fake has no
 * `statusUpdate`: what it accepted is in {@link FakeAppleServer.sentMessages}, and no receipts follow.
 */
export class FakeAppleServer extends FakePlatformServer {
  /** The channel. */
  readonly channel = 'apple';
  /** Text, attachments (`media`), quick-reply taps (`button`), close, and a device's capability list. */
  override readonly simulatedKinds: readonly FakeInboundKind[] = ['text', 'media', 'button', 'close', 'capabilities'];
  /** Opaque ids Apple does not know: `/message` answers 404. */
  readonly unknownDestinations = new Set<string>();
  /** Opaque ids whose conversation was deleted: `/message` answers 410. */
  readonly goneDestinations = new Set<string>();
  /** Attachments received in `/message`, decrypted. */
  readonly receivedAttachments: ReceivedAttachment[] = [];
  /**
   * The `/message` requests delivered to customers, one per message `id`: a request repeating the id
   * of one already delivered is the same message (answered 200, not delivered again, counted in
   * {@link FakeAppleServer.duplicatesAbsorbed}).
   */
  readonly delivered: RecordedRequest[] = [];
  /** How many `/message` requests repeated the id of a message already delivered. */
  duplicatesAbsorbed = 0;
  private readonly deliveredIds = new Set<string>();
  private readonly mspId: string;
  private readonly mspSecret: string;
  private readonly businessId: string;
  /** Requests the MMCS content store received (uploads with their raw bytes), oldest first. */
  readonly mmcsRequests: RecordedRequest[] = [];
  private readonly files = new Map<string, StoredFile>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly urlTtlMs: number;
  private mmcs: FakeSideServer | undefined;
  private mmcsBase = '';

  /** @param options - port, latency, clock, MMCS URL lifetime and config overrides (mspId, mspSecret, businessId) */
  constructor(options: FakeAppleOptions = {}) {
    super(options);
    this.urlTtlMs = options.mmcsUrlTtlMs ?? FAKE_MMCS_URL_TTL_MS;
    // a secret not given is this instance's own: a sandbox reachable by others has no public secret
    const c = { ...appleSandboxConfig, mspSecret: randomBytes(32).toString('base64'), ...(options.config ?? {}) } as Record<string, unknown>;
    this.mspId = String(c.mspId);
    this.mspSecret = String(c.mspSecret);
    this.businessId = String(c.businessId);
  }

  /** The MMCS content store's base URL. */
  get mmcsUrl(): string {
    return this.mmcsBase;
  }

  /** Starts the gateway and the content store. */
  override async start(): Promise<void> {
    await super.start();
    if (this.mmcs) return;
    this.mmcs = await startFakeSideServer((req, res) => { void this.onMmcs(req, res); });
    this.mmcsBase = this.mmcs.url;
  }

  /** Stops both servers. */
  override async stop(): Promise<void> {
    const server = this.mmcs;
    this.mmcs = undefined;
    await server?.stop();
    await super.stop();
  }

  /** Forgets requests, scripts, files and destination sets. */
  override reset(): void {
    super.reset();
    this.files.clear();
    this.tickets.clear();
    this.mmcsRequests.length = 0;
    this.unknownDestinations.clear();
    this.goneDestinations.clear();
    this.receivedAttachments.length = 0;
    this.delivered.length = 0;
    this.deliveredIds.clear();
    this.duplicatesAbsorbed = 0;
  }

  /** @returns a config for `@switchboard/apple` that talks to this fake */
  connectorConfig(): Record<string, unknown> {
    return { mspId: this.mspId, mspSecret: this.mspSecret, businessId: this.businessId, apiBaseUrl: this.url };
  }

  /**
   * A bearer token as Apple signs webhooks: HS256 with the decoded MSP secret, `aud` = MSP id, `iat` = now.
   * @param claims - replace the claims
   * @param secret - another Base64 secret
   */
  bearer(claims?: JwtClaims, secret?: string): string {
    const key = Buffer.from(secret ?? this.mspSecret, 'base64');
    return signJwtHs256(claims ?? { aud: this.mspId, iat: Math.floor(this.platformNow() / 1000) }, key);
  }

  /**
   * Any inbound message as Apple delivers it to the MSP's `/message`.
   * @param userId - the customer's opaque id
   * @param fields - body fields besides v, id, sourceId, destinationId
   * @param options - headers, gzip, token forgery
   */
  webhook(userId: string, fields: Record<string, unknown>, options: AppleWebhookOptions = {}): SignedWebhook {
    const id = options.messageId ?? randomUUID();
    const json = Buffer.from(JSON.stringify({ v: 1, id, sourceId: userId, destinationId: this.businessId, ...fields }), 'utf8');
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.bearer(options.claims, options.secret)}`,
      'content-type': 'application/json',
      id,
      'source-id': userId,
      'destination-id': this.businessId,
      'capability-list': (options.capabilities ?? APPLE_FULL_CAPABILITIES).join(','),
      'device-agent': options.deviceAgent ?? 'iPhone OS',
    };
    if (options.gzip) headers['content-encoding'] = 'gzip';
    return { method: 'POST', headers, body: options.gzip ? gzipSync(json) : json };
  }

  /** A customer's text message (options: gzip, capabilities, device agent). */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date } & AppleWebhookOptions): SignedWebhook {
    return this.webhook(input.userId, { type: 'text', body: input.text }, input);
  }

  /** The customer started or stopped typing. */
  typing(userId: string, active: boolean, options: AppleWebhookOptions = {}): SignedWebhook {
    return this.webhook(userId, { type: active ? 'typing_start' : 'typing_end' }, options);
  }

  /** The customer closed (deleted) the conversation. */
  close(userId: string, options: AppleWebhookOptions = {}): SignedWebhook {
    return this.webhook(userId, { type: 'close' }, options);
  }

  /** A reply to an interactive message (list picker, time picker, Apple Pay, auth, form, quick reply). */
  interactiveReply(userId: string, data: Record<string, unknown>, options: AppleWebhookOptions = {}): SignedWebhook {
    return this.webhook(userId, { type: 'interactive', interactiveData: { bid: APPLE_BID, data } }, options);
  }

  /**
   * A reply whose interactive data exceeds 10 KB: stored encrypted in MMCS and referenced by
   * `interactiveDataRef`. Needs the fake started.
   */
  largeInteractiveReply(userId: string, data: Record<string, unknown>, options: AppleWebhookOptions & { title?: string } = {}): SignedWebhook {
    const plain = Buffer.from(JSON.stringify({ bid: APPLE_BID, data }), 'utf8');
    const stored = this.storeEncrypted(plain);
    const ref: AppleInteractiveDataRef = {
      url: stored.descriptor.url, owner: stored.descriptor.owner, key: stored.descriptor.key, size: stored.descriptor.size,
      bid: APPLE_BID, signature: Buffer.from(stored.descriptor['signature-base64']!, 'base64').toString('hex'),
      ...(options.title ? { title: options.title } : {}),
    };
    return this.webhook(userId, { type: 'interactive', interactiveDataRef: ref }, options);
  }

  /**
   * A customer's attachment: encrypted with a fresh key and stored in MMCS as Apple does, delivered
   * as a `text` message whose body has the `U+FFFC` placeholder and whose descriptor carries `name`,
   * `mimeType`, `size`, `url`, `owner`, `key` and the checksum — Base64 in `signature-base64`, or
   * hex in `signature` with `signatureEncoding: 'hex'` (some attachments arrive so). Needs the fake started.
   */
  attachmentMessage(
    userId: string,
    file: { bytes: Buffer; name: string; mimeType: string; caption?: string; signatureEncoding?: 'base64' | 'hex' },
    options: AppleWebhookOptions = {},
  ): SignedWebhook {
    const { descriptor } = this.storeEncrypted(file.bytes, file.name, file.mimeType);
    const { 'signature-base64': b64, ...rest } = descriptor;
    const attachment = file.signatureEncoding === 'hex' ? { ...rest, signature: Buffer.from(b64!, 'base64').toString('hex') } : descriptor;
    const body = file.caption ? `${file.caption}\uFFFC` : '\uFFFC';
    return this.webhook(userId, { type: 'text', body, attachments: [attachment] }, options);
  }

  /**
   * The plain bytes MMCS holds for a reference: a file a simulated customer sent (`parse` gives its
   * `url` and key) or one the business uploaded (`SendResult.media.ref`). Decrypted with the key the
   * file was encrypted with as far as the fake knows it (the customer's, or the key of the first
   * message that sent the upload), else with the reference's own key.
   * @param ref - a media reference with the MMCS `url`
   * @returns the plain bytes, or undefined for a file the fake does not hold
   */
  storedMedia(ref: MediaRef): Buffer | undefined {
    const file = ref.url === undefined ? undefined : [...this.files.values()].find((f) => f.mmcsUrl === ref.url);
    const keyHex = file?.keyHex ?? ref.encryption?.decryptionKey;
    if (!file?.data || keyHex === undefined) return undefined;
    try {
      return decryptAttachment(file.data, keyHex);
    } catch {
      return undefined;
    }
  }

  /**
   * A signed webhook for any simulated inbound event, as Apple delivers it: `media` is a text
   * message carrying an attachment encrypted with a fresh key and kept in MMCS — the test's
   * `file`, else core's sample file of the media type (a real PNG, MP4, Ogg or PDF) with its MIME
   * type (needs the fake started; {@link storedMedia} gives the plain bytes back); `button` a
   * quick-reply answer (`interactive` with `quick-reply.selectedIdentifier`); `close` the customer
   * deleting the conversation; `capabilities` a `typing_start` whose `capability-list` header is the
   * given list (Apple sends the list as a header on every message, not as a message of its own).
   * @param event - the event
   * @returns the webhook
   * @throws RangeError for a kind Apple has not
   */
  override simulate(event: FakeInboundEvent): SignedWebhook {
    switch (event.kind) {
      case 'text': return this.userMessage({ userId: event.userId, text: event.text });
      case 'media': {
        // a real file of the type (core's samples) unless the test brings its own bytes and declared type
        const sample = sampleMedia(event.mediaType);
        const bytes = event.file?.body ?? sample.body;
        return this.attachmentMessage(event.userId, {
          bytes, name: event.file?.filename ?? sample.filename, mimeType: event.file?.mimeType ?? sample.mimeType,
          ...(event.caption !== undefined ? { caption: event.caption } : {}),
        });
      }
      case 'button': {
        const title = event.title ?? event.payload;
        return this.interactiveReply(event.userId, {
          version: '1.0', requestIdentifier: randomUUID(),
          'quick-reply': { selectedIdentifier: event.payload, selectedIndex: 0, items: [{ identifier: event.payload, title }] },
          replyMessage: { title },
        });
      }
      case 'close': return this.close(event.userId);
      case 'capabilities': return this.typing(event.userId, true, { capabilities: event.capabilities });
      default: throw new RangeError(`apple fake cannot simulate '${event.kind}' events (supported: ${this.simulatedKinds.join(', ')})`);
    }
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const auth = req.headers.authorization;
    if (!auth) return fail(401, 'missing Authorization');
    try {
      verifyJwtHs256(/^Bearer\s+(\S+)$/i.exec(auth)?.[1], {
        secret: Buffer.from(this.mspSecret, 'base64'), issuer: this.mspId, now: this.platformNow(), maxAgeSeconds: 3600,
      });
    } catch (error) {
      return fail(403, (error as Error).message);
    }
    if (req.headers['source-id'] !== this.businessId) return fail(400, 'source-id is not the business id');
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case 'POST /message': return this.message(req);
      case 'GET /preUpload': return this.preUpload(req);
      case 'GET /preDownload': return this.preDownload(req);
      case 'POST /decodePayload': return this.decodePayload(req);
      default: return { status: 404, body: '' };
    }
  }

  /** A message whose id was delivered before is the same message: 200 again, nothing delivered twice. */
  private message(req: RecordedRequest): FakeResponse {
    const id = req.headers.id;
    if (id !== undefined && this.deliveredIds.has(id)) {
      this.duplicatesAbsorbed++;
      return { status: 200, body: '' };
    }
    const answer = this.newMessage(req);
    if (answer.status === 200 && id !== undefined) {
      this.deliveredIds.add(id);
      this.delivered.push(req);
      const type = isObject(req.body) && typeof req.body.type === 'string' ? req.body.type : 'unknown';
      // typing indicators are not messages
      if (type !== 'typing_start' && type !== 'typing_end') {
        this.recordSent({ id, userId: req.headers['destination-id'] ?? '', type, request: { method: req.method, path: req.path, body: req.body } });
      }
    }
    return answer;
  }

  private newMessage(req: RecordedRequest): FakeResponse {
    const h = req.headers;
    if (!h.id || !isUuid(h.id)) return fail(400, 'id header must be a UUID');
    const to = h['destination-id'];
    if (!to) return fail(400, 'missing destination-id');
    const b = req.body;
    if (!isObject(b)) return fail(400, 'body must be JSON');
    if (b.v !== 1) return fail(400, 'v must be 1');
    if (b.id !== h.id || b.sourceId !== this.businessId || b.destinationId !== to) return fail(400, 'body id/sourceId/destinationId must match the headers');
    if (this.unknownDestinations.has(to)) return fail(404, 'destination-id not recognised');
    if (this.goneDestinations.has(to)) return fail(410, 'conversation deleted');
    switch (b.type) {
      case 'text': {
        if (typeof b.body !== 'string' || b.body === '') return fail(400, 'text needs body');
        const attachments = b.attachments === undefined ? [] : b.attachments;
        if (!Array.isArray(attachments)) return fail(400, 'attachments must be an array');
        const received: ReceivedAttachment[] = [];
        const keys: [StoredFile, string][] = [];
        for (const a of attachments) {
          if (!isObject(a)) return fail(400, 'attachment must be an object');
          const file = [...this.files.values()].find((f) => f.mmcsUrl === a.url);
          if (!file?.data || a.owner !== file.owner || a['signature-base64'] !== file.checksum || Number(a.size) !== file.data.length) {
            return fail(400, 'attachment does not reference an uploaded file');
          }
          if (typeof a.key !== 'string' || !/^00[0-9a-f]{64}$/i.test(a.key) || typeof a.name !== 'string' || typeof a.mimeType !== 'string') {
            return fail(400, 'attachment needs name, mimeType and a 00-prefixed hex key');
          }
          received.push({ messageId: h.id, descriptor: a as unknown as AppleAttachmentDescriptor, plain: decryptAttachment(file.data, a.key) });
          keys.push([file, a.key]);
        }
        this.receivedAttachments.push(...received);
        // what a customer's device decrypts an upload with: the key of the first message that sent it
        for (const [file, key] of keys) file.keyHex ??= key;
        return { status: 200, body: '' };
      }
      case 'interactive': {
        const d = b.interactiveData;
        if (!isObject(d) || typeof d.bid !== 'string' || !isObject(d.data)) return fail(400, 'interactiveData needs bid and data');
        if (typeof d.data.requestIdentifier !== 'string' || typeof d.data.version !== 'string') return fail(400, 'data needs version and requestIdentifier');
        if (!isObject(d.data['quick-reply']) && !(isObject(d.receivedMessage) && typeof d.receivedMessage.title === 'string')) {
          return fail(400, 'receivedMessage.title is required');
        }
        return { status: 200, body: '' };
      }
      case 'richLink': {
        const r = b.richLinkData;
        if (!isObject(r) || typeof r.url !== 'string' || typeof r.title !== 'string') return fail(400, 'richLinkData needs url and title');
        return { status: 200, body: '' };
      }
      case 'typing_start': case 'typing_end':
        return { status: 200, body: '' };
      default:
        return fail(400, `unknown type ${String(b.type)}`);
    }
  }

  /**
   * `GET /preUpload` with the encrypted `size`: 400 unless a positive integer up to Apple's 100 MB
   * limit; else a single-use `upload-url` good for {@link FakeAppleOptions.mmcsUrlTtlMs}, the
   * `mmcs-url` naming the file and its `mmcs-owner`.
   */
  private preUpload(req: RecordedRequest): FakeResponse {
    const raw = req.headers.size ?? '';
    const size = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(size) || size <= 0) return fail(400, 'size header must be a positive integer');
    if (size > APPLE_MEDIA_MAX_BYTES) return fail(400, 'attachment too large');
    const token = randomUUID();
    const file: StoredFile = { token, owner: `owner-${token}`, mmcsUrl: `${this.mmcsBase}/files/${token}`, declaredSize: size };
    this.files.set(token, file);
    return { status: 200, body: { 'upload-url': `${this.mmcsBase}/upload/${this.ticket(file, 'upload')}`, 'mmcs-url': file.mmcsUrl, 'mmcs-owner': file.owner } };
  }

  /**
   * `GET /preDownload` with the attachment's `url`, `owner` and `signature` headers — the signature
   * Base64, as an attachment's `signature-base64` carries it (one given as hex must be converted):
   * 400 when a header is missing or the owner or signature do not match the file, 404 for a file
   * MMCS does not hold; else a `download-url` good for {@link FakeAppleOptions.mmcsUrlTtlMs}.
   */
  private preDownload(req: RecordedRequest): FakeResponse {
    const { url, owner, signature } = req.headers;
    if (!url || !owner || !signature) return fail(400, 'preDownload needs url, owner and signature headers');
    const file = [...this.files.values()].find((f) => f.mmcsUrl === url);
    if (!file?.data) return fail(404, 'unknown url');
    if (owner !== file.owner || signature !== file.checksum) return fail(400, 'owner or signature mismatch');
    return { status: 200, body: { 'download-url': `${this.mmcsBase}/download/${this.ticket(file, 'download')}` } };
  }

  private ticket(file: StoredFile, action: Ticket['action']): string {
    const id = randomBytes(16).toString('hex');
    this.tickets.set(id, { file, action, expiresAt: this.platformNow() + this.urlTtlMs, used: false });
    return id;
  }

  private decodePayload(req: RecordedRequest): FakeResponse {
    if (!req.headers.bid) return fail(400, 'missing bid');
    try {
      // the fake stores interactive data as JSON; Apple decodes its own binary encoding here
      return { status: 200, body: JSON.parse(req.rawBody.toString('utf8')) as unknown };
    } catch {
      return fail(400, 'payload does not decode');
    }
  }

  /**
   * The MMCS content store. `POST /upload/:ticket`: the encrypted bytes, exactly the size given to
   * preUpload (400 otherwise, refused from `content-length` before reading when it says more),
   * once per ticket; answers `{ singleFile: { size, fileChecksum, receipt } }`. `GET
   * /download/:ticket`: the encrypted bytes with their `content-length`. A ticket past its time
   * answers 403 with an empty body (as a signed storage URL does), an unknown one 404.
   */
  private async onMmcs(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mmcs');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: '', rawBody: Buffer.alloc(0), at: new Date(this.platformNow()),
    };
    this.mmcsRequests.push(recorded);
    const send = (status: number, body?: Buffer | Record<string, unknown>, reason?: string): void => {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body === undefined ? '' : JSON.stringify(body));
      res.writeHead(status, {
        'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json',
        'content-length': String(bytes.length),
        ...(reason ? { 'x-fake-reason': reason } : {}),
      });
      res.end(bytes);
    };
    const [, action, id] = url.pathname.split('/');
    const ticket = id ? this.tickets.get(id) : undefined;
    if (!ticket || ticket.action !== action || (action === 'upload' ? req.method !== 'POST' : req.method !== 'GET')) {
      req.resume();
      send(404, undefined, 'unknown MMCS URL');
      return;
    }
    if (this.platformNow() > ticket.expiresAt) {
      req.resume();
      send(403, undefined, 'MMCS URL expired');
      return;
    }
    const file = ticket.file;
    if (action === 'download') {
      send(200, file.data!);
      return;
    }
    if (ticket.used || file.data) {
      req.resume();
      send(400, { error: 'file already uploaded' }, 'file already uploaded');
      return;
    }
    const announced = Number(headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(announced) && announced !== file.declaredSize) {
      req.resume();
      send(400, { error: 'content-length differs from the size given to preUpload' }, 'size differs from preUpload');
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req) {
      total += (chunk as Buffer).length;
      if (total > file.declaredSize) {
        send(400, { error: 'more bytes than the size given to preUpload' }, 'size differs from preUpload');
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    recorded.rawBody = body;
    if (body.length !== file.declaredSize) {
      send(400, { error: 'size differs from preUpload' }, 'size differs from preUpload');
      return;
    }
    ticket.used = true;
    file.data = body;
    file.checksum = checksumOf(body);
    send(200, { singleFile: { size: body.length, fileChecksum: file.checksum, receipt: `receipt-${file.token}` } });
  }

  private storeEncrypted(plain: Buffer, name = 'data.bin', mimeType = 'application/octet-stream'): { descriptor: AppleAttachmentDescriptor } {
    if (!this.mmcsBase) throw new Error('start the fake before creating attachment webhooks');
    const { data, keyHex } = encryptAttachment(plain);
    const token = randomUUID();
    const file: StoredFile = { token, owner: `owner-${token}`, mmcsUrl: `${this.mmcsBase}/files/${token}`, declaredSize: data.length, data, checksum: checksumOf(data), keyHex };
    this.files.set(token, file);
    return { descriptor: { name, mimeType, size: data.length, url: file.mmcsUrl, owner: file.owner, key: keyHex, 'signature-base64': file.checksum! } };
  }
}

function checksumOf(data: Buffer): string {
  // MMCS signatures are a type byte followed by SHA-1
  return Buffer.concat([Buffer.from([0x81]), createHash('sha1').update(data).digest()]).toString('base64');
}

function fail(status: number, reason: string): FakeResponse {
  // Apple answers errors with an empty body; the reason header only helps debugging the fake
  return { status, body: '', headers: { 'x-fake-reason': reason } };
}

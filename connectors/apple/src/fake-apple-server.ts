/**
 * A fake Apple Messages for Business gateway (and its MMCS content store) for tests and the sandbox.
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  FakePlatformServer, isObject, signJwtHs256, verifyJwtHs256,
  type FakeInboundEvent, type FakeInboundKind, type FakePlatformOptions, type FakeResponse, type JwtClaims, type RecordedRequest, type SignedWebhook,
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

interface StoredFile {
  token: string;
  owner: string;
  mmcsUrl: string;
  declaredSize: number;
  data?: Buffer;
  checksum?: string;
}

/** An attachment the fake received in a `/message`, decrypted with the message's key. */
export interface ReceivedAttachment {
  messageId: string;
  descriptor: AppleAttachmentDescriptor;
  plain: Buffer;
}

/**
 * The fake gateway: `/message`, `/preUpload`, `/preDownload`, `/decodePayload`, with an MMCS
 * content store on a second port (as Apple's content hosts differ from the gateway). Checks the
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
  private readonly files = new Map<string, StoredFile>();
  private mmcs: Server | undefined;
  private mmcsBase = '';

  /** @param options - port, latency and config overrides (mspId, mspSecret, businessId) */
  constructor(options: FakePlatformOptions = {}) {
    super(options);
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
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.handleMmcs(req.method ?? 'GET', new URL(req.url ?? '/', 'http://mmcs').pathname, Buffer.concat(chunks));
        res.writeHead(answer.status, { 'content-type': Buffer.isBuffer(answer.body) ? 'application/octet-stream' : 'application/json' });
        res.end(Buffer.isBuffer(answer.body) ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
    this.mmcs = server;
    this.mmcsBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops both servers. */
  override async stop(): Promise<void> {
    const server = this.mmcs;
    this.mmcs = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await super.stop();
  }

  /** Forgets requests, scripts, files and destination sets. */
  override reset(): void {
    super.reset();
    this.files.clear();
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

  /** A customer's attachment (encrypted and stored in MMCS as Apple does). Needs the fake started. */
  attachmentMessage(userId: string, file: { bytes: Buffer; name: string; mimeType: string; caption?: string }, options: AppleWebhookOptions = {}): SignedWebhook {
    const { descriptor } = this.storeEncrypted(file.bytes, file.name, file.mimeType);
    const body = file.caption ? `${file.caption}\uFFFC` : '\uFFFC';
    return this.webhook(userId, { type: 'text', body, attachments: [descriptor] }, options);
  }

  /**
   * A signed webhook for any simulated inbound event, as Apple delivers it: `media` is a text
   * message carrying an encrypted attachment in MMCS (needs the fake started); `button` a
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
        const kinds = { image: ['photo.jpeg', 'image/jpeg'], video: ['video.mov', 'video/quicktime'], audio: ['Audio Message.caf', 'audio/x-caf'], file: ['document.pdf', 'application/pdf'] } as const;
        const [name, mimeType] = kinds[event.mediaType];
        return this.attachmentMessage(event.userId, { bytes: Buffer.from(`switchboard fake apple ${event.mediaType}\n`), name, mimeType, ...(event.caption !== undefined ? { caption: event.caption } : {}) });
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
        }
        this.receivedAttachments.push(...received);
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

  private preUpload(req: RecordedRequest): FakeResponse {
    const size = Number(req.headers.size);
    if (!Number.isInteger(size) || size <= 0) return fail(400, 'size header must be a positive integer');
    if (size > APPLE_MEDIA_MAX_BYTES) return fail(400, 'attachment too large');
    const token = randomUUID();
    const file: StoredFile = { token, owner: `owner-${token}`, mmcsUrl: `${this.mmcsBase}/files/${token}`, declaredSize: size };
    this.files.set(token, file);
    return { status: 200, body: { 'upload-url': `${this.mmcsBase}/upload/${token}`, 'mmcs-url': file.mmcsUrl, 'mmcs-owner': file.owner } };
  }

  /**
   * `GET /preDownload` with the attachment's `url`, `owner` and `signature` headers — the signature
   * Base64, as an attachment's `signature-base64` carries it (an interactive data reference carries
   * it as hex in `signature`: the MSP converts it).
   */
  private preDownload(req: RecordedRequest): FakeResponse {
    const { url, owner, signature } = req.headers;
    if (!url || !owner || !signature) return fail(400, 'preDownload needs url, owner and signature headers');
    const file = [...this.files.values()].find((f) => f.mmcsUrl === url);
    if (!file?.data) return fail(404, 'unknown url');
    if (owner !== file.owner || signature !== file.checksum) return fail(400, 'owner or signature mismatch');
    return { status: 200, body: { 'download-url': `${this.mmcsBase}/download/${file.token}` } };
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

  private handleMmcs(method: string, path: string, body: Buffer): { status: number; body?: unknown } {
    const [, action, token] = path.split('/');
    const file = token ? this.files.get(token) : undefined;
    if (!file) return { status: 404 };
    if (method === 'POST' && action === 'upload') {
      if (body.length !== file.declaredSize) return { status: 400, body: { error: 'size differs from preUpload' } };
      file.data = body;
      file.checksum = checksumOf(body);
      return { status: 200, body: { singleFile: { size: body.length, fileChecksum: file.checksum, receipt: `receipt-${token}` } } };
    }
    if (method === 'GET' && action === 'download' && file.data) return { status: 200, body: file.data };
    return { status: 404 };
  }

  private storeEncrypted(plain: Buffer, name = 'data.bin', mimeType = 'application/octet-stream'): { descriptor: AppleAttachmentDescriptor } {
    if (!this.mmcsBase) throw new Error('start the fake before creating attachment webhooks');
    const { data, keyHex } = encryptAttachment(plain);
    const token = randomUUID();
    const file: StoredFile = { token, owner: `owner-${token}`, mmcsUrl: `${this.mmcsBase}/files/${token}`, declaredSize: data.length, data, checksum: checksumOf(data) };
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

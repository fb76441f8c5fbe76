/**
 * A fake Messenger Platform, for the connector's tests, the sandbox and an integrator's own client:
 * the Send API (`POST /{version}/{page-id|me}/messages`) with the documented messages — text, quick
 * replies (text, email, phone number), attachments (a URL attachment is fetched like Meta's crawler
 * fetches it and refused when it cannot be; with `is_reusable` the file is kept and its
 * `attachment_id` answered, valid 90 days), button / generic / media / receipt templates with
 * postback, URL and call buttons, sender actions, Marketing Messages tokens — the Attachment Upload
 * API, customers' attachments on a CDN of its own (signed links that expire on the platform clock), the User Profile API (`GET /{PSID}`) and the Messenger Profile API (get started, greeting,
 * persistent menu, ice breakers, allowlisted domains), validated like Graph validates them and
 * answering with Graph's error bodies; the 24-hour window (7 days for HUMAN_AGENT), unknown and
 * blocked users and per-second throttling (#613) on the platform's clock; and webhooks signed with
 * the app secret — customer messages of every kind the connector parses, delivery and read receipts.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FakePlatformServer, hmacSha256Hex, isObject, sampleMedia, startFakeSideServer, type FakeSideServer,
  type FakeInboundEvent, type FakeInboundKind, type FakePlatformOptions, type FakeResponse, type MediaRef, type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { DEFAULT_API_VERSION } from './config.js';
import { GraphFailure, checkAccessToken, graphError, graphParams, type GraphFile } from './fake-graph-api.js';
import { MESSENGER_ATTACHMENT_TTL_MS } from './messenger-media.js';
import { MESSENGER_MESSAGE_TAGS } from './policy.js';
import { MESSENGER_LIMITS } from './render-message.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const messengerSandboxConfig = {
  pageAccessToken: 'EAAsandboxPageAccessToken0000000000',
  appSecret: 'sandbox-messenger-app-secret',
  verifyToken: 'sandbox-messenger-verify-token',
  pageId: '104000000000001',
  apiVersion: DEFAULT_API_VERSION,
} as const;

/** Options of the fake Messenger server. */
export interface FakeMessengerOptions extends FakePlatformOptions {
  /**
   * The platform's time in ms.
   * @deprecated pass `clock` (the same time as a core `Clock`); kept for callers written before it
   */
  now?: () => number;
}

const HOUR = 3_600_000;
const MB = 1024 * 1024;
/** A JSON object as the fake reads and records it. */
export type Json = Record<string, unknown>;

/** A person who has interacted with the page (only they have a PSID for it). */
interface FakeUser { firstName: string; lastName: string; locale: string }

/** A file the fake holds: a customer's attachment on the CDN, or an asset the page saved (`is_reusable`). */
interface FakeAttachment {
  bytes: Buffer;
  mime: string;
  /** A saved asset, usable as `attachment_id` until `expiresAt`. */
  reusable: boolean;
  /** Platform time after which a saved asset is forgotten. */
  expiresAt?: number;
}

/**
 * How long a customer's attachment link stays valid on the fake's CDN by default. Meta signs these
 * links with an expiry (`oe`, hex seconds) but documents no lifetime; `config.attachmentUrlTtlMs` sets another.
 */
export const DEFAULT_ATTACHMENT_URL_TTL_MS = 24 * HOUR;

/** Meta's limits for assets it fetches or takes: 25 MB, images fetched from a URL 8 MB (Messenger Platform, Saving assets). */
const ASSET_MAX_BYTES = 25 * MB;
const IMAGE_URL_MAX_BYTES = 8 * MB;
/** Meta's crawler gives up on a video after 75 s (Saving assets); the fake uses that bound for every fetch. */
const FETCH_TIMEOUT_MS = 75_000;

/** The attachment type Messenger reports for each simulated media type. */
const SIMULATED_MEDIA: Readonly<Record<'image' | 'video' | 'audio' | 'file', string>> = { image: 'image', video: 'video', audio: 'audio', file: 'file' };
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'video/mp4': 'mp4', 'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a', 'audio/ogg': 'ogg', 'application/pdf': 'pdf',
};

/**
 * Host names reserved for examples (RFC 2606 / RFC 6761: example.com, .net, .org and the `.example`
 * top-level domain). Samples and examples send placeholder links there; the fake accepts them without
 * fetching (Meta would refuse them, as it cannot fetch them) and keeps nothing.
 */
function isPlaceholderHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return /(^|\.)example\.(com|net|org)$/.test(h) || h === 'example' || h.endsWith('.example');
}

/**
 * The one crawl failure whose Graph wording is confirmed (`(#100) Failed to fetch the file from the
 * url`, subcode 2018008, as quoted by client code): every refusal of a URL attachment answers it,
 * whatever the reason.
 */
const fetchFailed = (): GraphFailure => graphError(400, 100, '(#100) Failed to fetch the file from the url', { subcode: 2018008 });
const PROFILE_FIELDS = ['get_started', 'greeting', 'persistent_menu', 'ice_breakers', 'whitelisted_domains', 'account_linking_url', 'commands', 'title', 'subtitle'] as const;
/** The name the fake gives its Page. */
export const FAKE_PAGE_NAME = 'Switchboard Sandbox Page';
/** The id of the Meta app the fake's page token belongs to. */
const FAKE_APP_ID = '1234567890123456';
/** The Page webhook fields a Messenger app may subscribe a Page to. */
const PAGE_WEBHOOK_FIELDS = new Set([
  'messages', 'message_echoes', 'messaging_postbacks', 'message_deliveries', 'message_reads', 'messaging_optins', 'messaging_optouts',
  'messaging_referrals', 'message_reactions', 'message_edits', 'messaging_handovers', 'standby', 'messaging_policy_enforcement',
  'messaging_account_linking', 'messaging_game_plays', 'response_feedback', 'feed',
]);
const USER_FIELDS = ['id', 'name', 'first_name', 'last_name', 'profile_pic', 'locale', 'timezone', 'gender'] as const;

const invalidParam = (message: string, subcode?: number): GraphFailure => graphError(400, 100, `(#100) ${message}`, subcode !== undefined ? { subcode } : {});
const noSuchObject = (method: string, id: string): GraphFailure => graphError(400, 100,
  `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  { type: 'GraphMethodException', subcode: 33 });

const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const nonEmpty = (o: Json, k: string, max: number): boolean => typeof o[k] === 'string' && o[k] !== '' && o[k].length <= max;
const isUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);

/** The fake Messenger Platform. */
export class FakeMessengerServer extends FakePlatformServer {
  /** Always `messenger`. */
  readonly channel = 'messenger';
  /** Customer events this fake delivers as Messenger does (Messenger has no block or close webhook). */
  override readonly simulatedKinds: readonly FakeInboundKind[] = ['text', 'media', 'location', 'button', 'subscribe', 'unsubscribe', 'conversation-started', 'sticker', 'reaction'];
  /** Per-second Send API limits per page (Meta: 300 for text, 10 for audio/video). */
  readonly limits = { textPerSecond: 300, mediaPerSecond: 10 };
  private pageSubscription: string[] | undefined;
  private readonly config: { pageAccessToken: string; appSecret: string; verifyToken: string; pageId: string; apiVersion: string };
  private readonly legacyNow: (() => number) | undefined;
  private readonly lastInbound = new Map<string, number>();
  private readonly users = new Map<string, FakeUser>();
  private readonly blocked = new Set<string>();
  private readonly unknown = new Set<string>();
  /** People whose Messenger account was made with a phone number: the User Profile API has no profile for them. */
  private readonly withoutProfiles = new Set<string>();
  private readonly tokens = new Map<string, { psid: string; expiresAt: number; stopped: boolean }>();
  private readonly attachments = new Map<string, FakeAttachment>();
  private readonly urlKey = randomBytes(16);
  private readonly attachmentUrlTtlMs: number;
  private profile: Json = {};
  private attachmentCounter = 0;
  private cdn: FakeSideServer | undefined;
  /** Messages the fake accepted, oldest first. */
  readonly sent: { messageId: string; recipientId: string; body: Json; at: number }[] = [];

  /** @param options - port, latency, clock, receipts, webhook URL, config overrides (any {@link messengerSandboxConfig} field, `attachmentUrlTtlMs`) */
  constructor(options: FakeMessengerOptions = {}) {
    super(options);
    const c = options.config ?? {};
    const pick = (key: keyof typeof messengerSandboxConfig, fallback: string = messengerSandboxConfig[key]): string => (typeof c[key] === 'string' ? c[key] as string : fallback);
    // secrets not given are this instance's own: a sandbox reachable by others has no public secret
    this.config = {
      pageAccessToken: pick('pageAccessToken', `EAA${randomBytes(24).toString('hex')}`), appSecret: pick('appSecret', randomBytes(16).toString('hex')),
      verifyToken: pick('verifyToken', randomBytes(16).toString('base64url')), pageId: pick('pageId'), apiVersion: pick('apiVersion'),
    };
    this.legacyNow = options.now;
    this.attachmentUrlTtlMs = typeof c.attachmentUrlTtlMs === 'number' && c.attachmentUrlTtlMs > 0 ? c.attachmentUrlTtlMs : DEFAULT_ATTACHMENT_URL_TTL_MS;
  }

  /** The platform's time: the `clock` option (or the deprecated `now`), else the base's scaled wall clock. */
  override platformNow(): number {
    return this.legacyNow ? this.legacyNow() : super.platformNow();
  }

  /** The connector config that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    return { ...this.config, apiBaseUrl: this.url };
  }

  /** Forgets requests, scripts, throttling, customers, windows, blocks, tokens, sent messages and the Page subscription (the Messenger profile is kept). */
  override reset(): void {
    super.reset();
    this.pageSubscription = undefined;
    this.lastInbound.clear();
    this.users.clear();
    this.blocked.clear();
    this.unknown.clear();
    this.tokens.clear();
    this.sent.length = 0;
  }

  /** The customer blocked the page: sends to them fail with #551. */
  blockUser(psid: string): void {
    this.blocked.add(psid);
  }

  /** No such PSID for this page: sends fail with #100/2018001. */
  forgetUser(psid: string): void {
    this.unknown.add(psid);
    this.users.delete(psid);
  }

  /**
   * The person has interacted with the page (a PSID exists for them), with the profile the User
   * Profile API answers. Every webhook the fake builds for a person does this too.
   */
  knowUser(psid: string, name = 'Sandbox User'): void {
    this.unknown.delete(psid);
    const [first = 'Sandbox', ...rest] = name.trim().split(/\s+/);
    const known = this.users.get(psid);
    if (!known || name !== 'Sandbox User') this.users.set(psid, { firstName: first, lastName: rest.join(' '), locale: known?.locale ?? 'en_US' });
  }

  /**
   * Makes the person one whose Messenger account was made with a phone number: the User Profile API
   * answers them with Graph's 2018218 "No profile available for this user", as Meta documents.
   */
  withoutProfile(psid: string): void {
    this.withoutProfiles.add(psid);
  }

  /** Records a customer message at `at`, opening the 24 h window (userMessage does this too). */
  openWindow(psid: string, at: number = this.platformNow()): void {
    if (!this.users.has(psid)) this.knowUser(psid);
    this.lastInbound.set(psid, Math.max(at, this.lastInbound.get(psid) ?? at));
  }

  /** The page's Messenger profile as set through the Messenger Profile API. */
  messengerProfile(): Json {
    return structuredClone(this.profile);
  }

  // ---- the media host (Messenger serves attachment URLs from a CDN of its own) ----

  /** Starts the Graph API and the attachment host. */
  override async start(): Promise<void> {
    await super.start();
    this.cdn ??= await startFakeSideServer((req, res) => { this.serveAttachment(req, res); });
  }

  /** Stops the attachment host and the Graph API. */
  override async stop(): Promise<void> {
    const cdn = this.cdn;
    this.cdn = undefined;
    await cdn?.stop();
    await super.stop();
  }

  private signature(id: string, oe: string): string {
    return createHmac('sha256', this.urlKey).update(`${id}:${oe}`).digest('base64url');
  }

  /**
   * A customer's attachment, as Meta's CDN serves it: a plain GET, no token, the link's signature
   * (`oh`) and expiry (`oe`, hex Unix seconds) checked on the platform clock — an expired link answers
   * 403 "URL signature expired", a tampered one 403 "Bad URL hash", an unknown file 404.
   */
  private serveAttachment(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://cdn');
    const answer = (status: number, text: string): void => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(text); };
    const id = /^\/v\/([^/.]+)\.\w+$/.exec(url.pathname)?.[1];
    const a = id ? this.attachments.get(id) : undefined;
    if (req.method !== 'GET' || !id || !a) { answer(404, 'Not Found'); return; }
    const oe = url.searchParams.get('oe') ?? '';
    const oh = Buffer.from(url.searchParams.get('oh') ?? '');
    const expected = Buffer.from(this.signature(id, oe));
    if (!/^[0-9A-F]{1,12}$/.test(oe) || oh.length !== expected.length || !timingSafeEqual(oh, expected)) { answer(403, 'Bad URL hash'); return; }
    if (parseInt(oe, 16) * 1000 <= this.platformNow()) { answer(403, 'URL signature expired'); return; }
    res.writeHead(200, { 'content-type': a.mime, 'content-length': String(a.bytes.length) });
    res.end(a.bytes);
  }

  private storeAttachment(bytes: Buffer, mime: string, reusable = false): { id: string; url: string } {
    this.attachmentCounter += 1;
    const id = String(1_000_000_000_000 + this.attachmentCounter);
    this.attachments.set(id, { bytes, mime, reusable, ...(reusable ? { expiresAt: this.platformNow() + MESSENGER_ATTACHMENT_TTL_MS } : {}) });
    const oe = Math.floor((this.platformNow() + this.attachmentUrlTtlMs) / 1000).toString(16).toUpperCase();
    const query = new URLSearchParams({ _nc_cat: '1', _nc_sid: 'fake', oh: this.signature(id, oe), oe });
    return { id, url: `${this.cdn?.url ?? ''}/v/${id}.${EXTENSIONS[mime] ?? 'bin'}?${query.toString()}` };
  }

  /**
   * The bytes the platform holds for a media reference: a customer's attachment by the link `parse`
   * gave (`url`, checked first: a sticker's `id` is its sticker id), or an asset the page saved by its
   * `attachment_id` (`id`, for 90 days of platform time).
   * @param ref - a media reference
   * @returns the bytes, or undefined for a link or id the fake does not know, or an expired asset
   */
  storedMedia(ref: MediaRef): Buffer | undefined {
    if (ref.url !== undefined) {
      let pathname: string;
      try { pathname = new URL(ref.url).pathname; } catch { return undefined; }
      const id = /^\/v\/([^/.]+)\.\w+$/.exec(pathname)?.[1];
      const a = id ? this.attachments.get(id) : undefined;
      if (a) return a.bytes;
    }
    if (ref.id !== undefined) {
      const a = this.attachments.get(ref.id);
      if (a?.reusable && (a.expiresAt === undefined || a.expiresAt > this.platformNow())) return a.bytes;
    }
    return undefined;
  }

  /**
   * Fetches a URL attachment as Meta's crawler does: a GET that must answer 2xx within 75 s, at most
   * 25 MB (images 8 MB), audio served with an `audio/*` Content-Type. Any refusal answers Graph's
   * `(#100) Failed to fetch the file from the url` (subcode 2018008). A link on a host reserved for
   * examples is accepted without fetching and yields nothing to keep.
   * @returns the file, or undefined for a placeholder link
   */
  private async crawl(link: string, type: string): Promise<{ bytes: Buffer; mime: string } | undefined> {
    const url = new URL(link);
    if (isPlaceholderHost(url.hostname)) return undefined;
    const limit = type === 'image' ? IMAGE_URL_MAX_BYTES : ASSET_MAX_BYTES;
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch {
      throw fetchFailed(); // unreachable, or no answer within 75 s
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw fetchFailed();
    }
    const mime = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    if (type === 'audio' && !mime.startsWith('audio/')) {
      await response.body?.cancel().catch(() => undefined);
      throw fetchFailed(); // audio must be served as audio/*
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.byteLength;
        if (size > limit) throw fetchFailed(); // over 25 MB (images 8 MB)
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      if (error instanceof GraphFailure) throw error;
      throw fetchFailed(); // the answer broke off
    }
    return { bytes: Buffer.concat(chunks), mime };
  }

  /** Takes an attachment's file — fetched from its `url`, or the multipart `filedata` — and keeps it when `is_reusable`. */
  private async takeAsset(attachment: Json, files: Record<string, GraphFile>): Promise<string | undefined> {
    const payload = isObject(attachment.payload) ? attachment.payload : {};
    const type = String(attachment.type);
    let file: { bytes: Buffer; mime: string } | undefined;
    if (typeof payload.url === 'string') file = await this.crawl(payload.url, type);
    else if (files.filedata) {
      const limit = ASSET_MAX_BYTES;
      if (files.filedata.bytes.length > limit) throw invalidParam(`The attachment is larger than the ${limit / MB} MB limit`);
      if (type === 'audio' && !files.filedata.type.startsWith('audio/')) throw invalidParam('An audio attachment must be of an audio type');
      file = { bytes: files.filedata.bytes, mime: files.filedata.type };
    }
    if (!file || payload.is_reusable !== true) return undefined;
    return this.storeAttachment(file.bytes, file.mime, true).id;
  }

  // ---- the API ----

  protected async handle(req: RecordedRequest): Promise<FakeResponse> {
    try {
      return await this.route(req);
    } catch (error) {
      if (error instanceof GraphFailure) return error.toResponse();
      throw error;
    }
  }

  private async route(req: RecordedRequest): Promise<FakeResponse> {
    const { params, files, unreadable } = await graphParams(req);
    const match = /^\/v\d+\.\d+\/([^/]+)(?:\/([^/]+))?\/?$/.exec(req.path);
    if (!match) throw graphError(400, 2500, 'Unknown path components: ' + req.path);
    const [, objectId, edge] = match as unknown as [string, string, string | undefined];
    checkAccessToken(req, this.config.pageAccessToken, params);
    const isPage = objectId === this.config.pageId || objectId === 'me';
    if (edge === undefined && req.method === 'GET' && !isPage) return this.userProfile(objectId, req.query.fields);
    if (!isPage) throw noSuchObject(req.method, objectId);
    if (unreadable) throw invalidParam('param recipient must be non-empty.');
    if (edge === undefined && req.method === 'GET') return this.page(req.query.fields);
    if (edge === 'subscribed_apps') return this.subscribedApps(req.method, params);
    if (edge === 'messages' && req.method === 'POST') return this.sendApi(req, params, files);
    if (edge === 'message_attachments' && req.method === 'POST') return this.uploadAttachment(params, files);
    if (edge === 'messenger_profile') {
      if (req.method === 'GET') return this.getProfile(req.query.fields);
      if (req.method === 'POST') return this.setProfile(params);
      if (req.method === 'DELETE') return this.deleteProfile(params);
    }
    throw noSuchObject(req.method, objectId);
  }

  /** `GET /<page id>` (or `/me` with the page token): the Page's `id` and `name`, or the fields asked for that the fake knows. */
  private page(fields: string | undefined): FakeResponse {
    const all: Record<string, unknown> = { id: this.config.pageId, name: FAKE_PAGE_NAME, category: 'Software' };
    const asked = fields ? fields.split(',').map((f) => f.trim()).filter((f) => f !== '') : ['id', 'name'];
    const unknown = asked.find((f) => !(f in all));
    if (unknown) throw graphError(400, 100, `(#100) Tried accessing nonexisting field (${unknown}) on node type (Page)`);
    return { status: 200, body: Object.fromEntries(asked.map((f) => [f, all[f]])) };
  }

  /**
   * `subscribed_apps` on the Page: POST subscribes the app to `subscribed_fields` (required, a
   * comma-separated list or an array of Page webhook fields), GET lists it, DELETE unsubscribes.
   */
  private subscribedApps(method: string, params: Json): FakeResponse {
    if (method === 'GET') {
      const data = this.pageSubscription
        ? [{ category: 'Business', link: `https://www.facebook.com/games/?app_id=${FAKE_APP_ID}`, name: 'Switchboard', id: FAKE_APP_ID, subscribed_fields: [...this.pageSubscription] }]
        : [];
      return { status: 200, body: { data } };
    }
    if (method === 'DELETE') { this.pageSubscription = undefined; return { status: 200, body: { success: true } }; }
    if (method !== 'POST') throw noSuchObject(method, this.config.pageId);
    const raw = params.subscribed_fields;
    const fields = typeof raw === 'string' ? raw.split(',').map((f) => f.trim()).filter((f) => f !== '')
      : Array.isArray(raw) ? raw.filter((f): f is string => typeof f === 'string') : undefined;
    if (!fields || fields.length === 0) throw graphError(400, 100, '(#100) The parameter subscribed_fields is required.');
    const bad = fields.find((f) => !PAGE_WEBHOOK_FIELDS.has(f));
    if (bad) throw graphError(400, 100, `(#100) Param subscribed_fields[${fields.indexOf(bad)}] must be one of {${[...PAGE_WEBHOOK_FIELDS].join(', ')}} - got "${bad}".`);
    this.pageSubscription = fields;
    return { status: 200, body: { success: true } };
  }

  /** The Page webhook fields the app is subscribed to (`POST /<page id>/subscribed_apps`), or undefined while it is not. */
  get subscribedFields(): readonly string[] | undefined {
    return this.pageSubscription ? [...this.pageSubscription] : undefined;
  }

  private async sendApi(req: RecordedRequest, body: Json, files: Record<string, GraphFile>): Promise<FakeResponse> {
    const recipient = body.recipient;
    if (!isObject(recipient)) throw invalidParam('The parameter recipient is required');
    const token = str(recipient, 'notification_messages_token');
    const psid = token !== undefined ? this.tokenHolder(token) : str(recipient, 'id');
    if (psid === undefined || psid === '') throw invalidParam('The parameter recipient is required');
    if (body.sender_action !== undefined) return this.senderAction(body, psid);
    const message = body.message;
    if (!isObject(message)) throw invalidParam('The parameter message is required');
    const type = body.messaging_type;
    // a Marketing Message goes to its opt-in token, outside any window: it takes no messaging_type
    if (token === undefined) {
      if (type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') throw invalidParam('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
      if (type === 'MESSAGE_TAG' && !(MESSENGER_MESSAGE_TAGS as readonly unknown[]).includes(body.tag)) {
        throw invalidParam(`param tag must be one of {${MESSENGER_MESSAGE_TAGS.join(', ')}}`);
      }
    }
    this.validateMessage(message, files);
    const attachment = isObject(message.attachment) ? message.attachment : undefined;
    const isMedia = attachment !== undefined && (attachment.type === 'video' || attachment.type === 'audio');
    const [key, limit] = isMedia ? [`${this.config.pageId}:media`, this.limits.mediaPerSecond] : [`${this.config.pageId}:text`, this.limits.textPerSecond];
    // Graph answers throttling with HTTP 400 and #613 in the body, not with 429
    if (!this.limiter.take(key, limit, 1000, this.platformNow())) throw graphError(400, 613, '(#613) Calls to this api have exceeded the rate limit.');
    this.checkRecipient(psid, token !== undefined ? 'NOTIFICATION' : type as string, typeof body.tag === 'string' ? body.tag : undefined);
    // Meta fetches (and, with is_reusable, saves) a URL or uploaded file before it accepts the message
    const mediaAttachment = attachment && ['image', 'video', 'audio', 'file'].includes(attachment.type as string) ? attachment : undefined;
    const attachmentId = mediaAttachment ? await this.takeAsset(mediaAttachment, files) : undefined;
    const messageId = `m_${randomBytes(24).toString('base64url')}`;
    const at = this.platformNow();
    this.sent.push({ messageId, recipientId: psid, body, at });
    this.recordSent({ id: messageId, userId: psid, type: attachment ? String(attachment.type) : 'text', at: new Date(at).toISOString(), request: { method: req.method, path: req.path, body } });
    return { status: 200, body: { recipient_id: psid, message_id: messageId, ...(attachmentId ? { attachment_id: attachmentId } : {}) } };
  }

  private tokenHolder(token: string): string {
    const t = this.tokens.get(token);
    if (!t || t.stopped || t.expiresAt <= this.platformNow()) throw invalidParam('Invalid notification_messages_token: it is unknown, expired or the person stopped these messages.');
    return t.psid;
  }

  private senderAction(body: Json, psid: string): FakeResponse {
    const action = body.sender_action;
    if (body.message !== undefined) throw invalidParam('Cannot send both message and state at the same time.', 2018015);
    if (!['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'].includes(action as string)) throw invalidParam('param sender_action must be one of {typing_on, typing_off, mark_seen, react, unreact}');
    if (action === 'react' || action === 'unreact') {
      const payload = body.payload;
      if (!isObject(payload) || typeof payload.message_id !== 'string' || payload.message_id === '') throw invalidParam('param payload[message_id] must be non-empty.');
      if (action === 'react' && (typeof payload.reaction !== 'string' || payload.reaction === '')) throw invalidParam('param payload[reaction] must be non-empty.');
    }
    this.checkRecipient(psid, 'RESPONSE', undefined);
    return { status: 200, body: { recipient_id: psid } };
  }

  /** Who may be messaged: only people who interacted with the page, not blocked, inside the window for the messaging type. */
  private checkRecipient(psid: string, type: string, tag: string | undefined): void {
    if (this.unknown.has(psid) || !this.users.has(psid)) throw invalidParam('No matching user found', 2018001);
    if (this.blocked.has(psid)) throw graphError(400, 551, "(#551) This person isn't available right now.", { subcode: 1545041 });
    if (type === 'NOTIFICATION') return;
    const last = this.lastInbound.get(psid);
    const age = last === undefined ? Infinity : this.platformNow() - last;
    const allowedHours = type === 'MESSAGE_TAG' ? (tag === 'HUMAN_AGENT' ? 168 : Infinity) : 24;
    if (age >= allowedHours * HOUR) {
      throw graphError(400, 10, '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview', { subcode: 2018278 });
    }
  }

  private validateMessage(message: Json, files: Record<string, GraphFile>): void {
    const hasText = message.text !== undefined;
    const attachment = message.attachment;
    if (!hasText && attachment === undefined) throw invalidParam('Must send either message text or an attachment');
    if (hasText && attachment !== undefined) throw invalidParam('Cannot send both text and attachment in one message');
    if (hasText) {
      if (typeof message.text !== 'string' || message.text === '') throw invalidParam('param message[text] must be non-empty.');
      if (message.text.length > MESSENGER_LIMITS.text) throw invalidParam(`Length of param message[text] must be less than or equal to ${MESSENGER_LIMITS.text}`);
    }
    if (message.metadata !== undefined && !(typeof message.metadata === 'string' && message.metadata.length <= 1000)) throw invalidParam('param message[metadata] must be a string of at most 1000 characters.');
    if (message.quick_replies !== undefined) this.validateQuickReplies(message.quick_replies);
    if (attachment !== undefined) this.validateAttachment(attachment, files);
  }

  /** Quick replies: `text` (title and payload), or the person's `user_email` / `user_phone_number` (prefilled from their profile). */
  private validateQuickReplies(qr: unknown): void {
    if (!Array.isArray(qr) || qr.length === 0) throw invalidParam('param message[quick_replies] must be a non-empty array.');
    if (qr.length > MESSENGER_LIMITS.quickReplies) throw invalidParam(`param message[quick_replies] has more than ${MESSENGER_LIMITS.quickReplies} items.`);
    for (const q of qr) {
      if (!isObject(q) || !['text', 'user_email', 'user_phone_number'].includes(q.content_type as string)) {
        throw invalidParam('param message[quick_replies][content_type] must be one of {text, user_email, user_phone_number}.');
      }
      if (q.content_type !== 'text') continue;
      const hasImage = isUrl(q.image_url);
      if (q.image_url !== undefined && !hasImage) throw invalidParam('param message[quick_replies][image_url] must be a URL.');
      if (!(hasImage && q.title === undefined) && !nonEmpty(q, 'title', MESSENGER_LIMITS.quickReplyTitle)) throw invalidParam(`param title must be 1-${MESSENGER_LIMITS.quickReplyTitle} characters.`);
      if (!nonEmpty(q, 'payload', MESSENGER_LIMITS.payload)) throw invalidParam('param payload must be non-empty and at most 1000 characters.');
    }
  }

  private validateAttachment(attachment: unknown, files: Record<string, GraphFile>): void {
    if (!isObject(attachment) || !isObject(attachment.payload)) throw invalidParam('param message[attachment][payload] must be an object.');
    const payload = attachment.payload;
    switch (attachment.type) {
      case 'image': case 'video': case 'audio': case 'file': {
        const sources = [isUrl(payload.url), typeof payload.attachment_id === 'string' && payload.attachment_id !== '', files.filedata !== undefined].filter(Boolean).length;
        if (sources !== 1) throw invalidParam('param message[attachment][payload] must have exactly one of url, attachment_id and an uploaded filedata');
        return;
      }
      case 'template': return this.validateTemplate(payload);
      default: throw invalidParam('param message[attachment][type] must be one of {image, video, audio, file, template}');
    }
  }

  private validateTemplate(payload: Json): void {
    switch (payload.template_type) {
      case 'button':
        if (!nonEmpty(payload, 'text', MESSENGER_LIMITS.buttonTemplateText)) throw invalidParam('param message[attachment][payload][text] must be 1-640 characters.');
        return this.validateButtons(payload.buttons, true);
      case 'generic': {
        const elements = payload.elements;
        if (!Array.isArray(elements) || elements.length === 0) throw invalidParam('param elements must be non-empty.');
        if (elements.length > MESSENGER_LIMITS.genericElements) throw invalidParam(`param elements has more than ${MESSENGER_LIMITS.genericElements} items.`);
        if (payload.image_aspect_ratio !== undefined && !['horizontal', 'square'].includes(payload.image_aspect_ratio as string)) throw invalidParam('param image_aspect_ratio must be one of {horizontal, square}.');
        for (const e of elements) {
          if (!isObject(e) || !nonEmpty(e, 'title', MESSENGER_LIMITS.elementTitle)) throw invalidParam('param elements[title] must be 1-80 characters.');
          if (e.subtitle !== undefined && (typeof e.subtitle !== 'string' || e.subtitle.length > MESSENGER_LIMITS.elementSubtitle)) throw invalidParam('param elements[subtitle] must be at most 80 characters.');
          if (e.image_url !== undefined && !isUrl(e.image_url)) throw invalidParam('param elements[image_url] must be a URL.');
          if (e.default_action !== undefined && !(isObject(e.default_action) && e.default_action.type === 'web_url' && isUrl(e.default_action.url))) {
            throw invalidParam('param elements[default_action] must be a web_url action with a url.');
          }
          if (e.buttons !== undefined) this.validateButtons(e.buttons, false);
        }
        return;
      }
      case 'media': {
        const elements = payload.elements;
        if (!Array.isArray(elements) || elements.length !== 1) throw invalidParam('param elements must hold exactly one element.');
        const e: unknown = elements[0];
        if (!isObject(e) || (e.media_type !== 'image' && e.media_type !== 'video')) throw invalidParam('param elements[media_type] must be one of {image, video}.');
        const hasId = typeof e.attachment_id === 'string' && e.attachment_id !== '';
        // a media template shows media hosted on Facebook: its url is a Facebook URL
        const hasUrl = typeof e.url === 'string' && /^https:\/\/([\w-]+\.)*facebook\.com\//.test(e.url);
        if (hasId === hasUrl) throw invalidParam('param elements must have exactly one of attachment_id and a Facebook url.');
        if (e.buttons !== undefined) this.validateButtons(e.buttons, false);
        return;
      }
      case 'receipt': return this.validateReceipt(payload);
      default: throw invalidParam('param message[attachment][payload][template_type] must be one of {button, generic, media, receipt}');
    }
  }

  /** The receipt template: who and what was bought, how it was paid, the total. */
  private validateReceipt(p: Json): void {
    for (const key of ['recipient_name', 'order_number', 'currency', 'payment_method']) {
      if (!nonEmpty(p, key, 1000)) throw invalidParam(`param ${key} must be non-empty.`);
    }
    if (!/^[A-Z]{3}$/.test(p.currency as string)) throw invalidParam('param currency must be an ISO 4217 currency code.');
    const summary = p.summary;
    if (!isObject(summary) || typeof summary.total_cost !== 'number') throw invalidParam('param summary[total_cost] must be a number.');
    for (const key of ['subtotal', 'shipping_cost', 'total_tax']) {
      if (summary[key] !== undefined && typeof summary[key] !== 'number') throw invalidParam(`param summary[${key}] must be a number.`);
    }
    if (p.elements !== undefined) {
      if (!Array.isArray(p.elements) || p.elements.length > 100) throw invalidParam('param elements must be an array of at most 100 items.');
      for (const e of p.elements) {
        if (!isObject(e) || !nonEmpty(e, 'title', 1000) || typeof e.price !== 'number') throw invalidParam('param elements[] must have a title and a price.');
        if (e.image_url !== undefined && !isUrl(e.image_url)) throw invalidParam('param elements[image_url] must be a URL.');
      }
    }
    if (p.address !== undefined) {
      const a = p.address;
      if (!isObject(a) || !['street_1', 'city', 'postal_code', 'state', 'country'].every((k) => nonEmpty(a, k, 1000))) {
        throw invalidParam('param address must have street_1, city, postal_code, state and country.');
      }
    }
    if (p.adjustments !== undefined && !(Array.isArray(p.adjustments) && p.adjustments.every((x) => isObject(x) && typeof x.name === 'string' && typeof x.amount === 'number'))) {
      throw invalidParam('param adjustments[] must have a name and an amount.');
    }
  }

  /** Buttons: postback (payload), web_url (url), phone_number (a call button: payload is the number with its + and country code). */
  private validateButtons(buttons: unknown, required: boolean, max: number = MESSENGER_LIMITS.buttons): void {
    if (!Array.isArray(buttons) || (required && buttons.length === 0)) throw invalidParam('param buttons must be non-empty.');
    if (buttons.length > max) throw invalidParam(`param buttons has more than ${max} items.`);
    for (const b of buttons) {
      if (!isObject(b) || !nonEmpty(b, 'title', MESSENGER_LIMITS.buttonTitle)) throw invalidParam('param buttons[title] must be 1-20 characters.');
      if (b.type === 'postback') {
        if (!nonEmpty(b, 'payload', MESSENGER_LIMITS.payload)) throw invalidParam('param buttons[payload] must be 1-1000 characters.');
      } else if (b.type === 'web_url') {
        if (!isUrl(b.url)) throw invalidParam('param buttons[url] must be a valid URL.');
        if (b.webview_height_ratio !== undefined && !['compact', 'tall', 'full'].includes(b.webview_height_ratio as string)) throw invalidParam('param buttons[webview_height_ratio] must be one of {compact, tall, full}.');
      } else if (b.type === 'phone_number') {
        if (typeof b.payload !== 'string' || !/^\+\d{6,15}$/.test(b.payload.replace(/[\s()-]/g, ''))) throw invalidParam('param buttons[payload] must be a phone number starting with + and the country code.');
      } else {
        throw invalidParam('param buttons[type] must be one of {web_url, postback, phone_number}');
      }
    }
  }

  private async uploadAttachment(params: Json, files: Record<string, GraphFile>): Promise<FakeResponse> {
    const message = params.message;
    const attachment = isObject(message) && isObject(message.attachment) ? message.attachment : undefined;
    if (!attachment || !['image', 'video', 'audio', 'file'].includes(attachment.type as string)) throw invalidParam('param message[attachment][type] must be one of {image, video, audio, file}');
    const payload = isObject(attachment.payload) ? attachment.payload : {};
    if (payload.is_reusable !== true) throw invalidParam('param message[attachment][payload][is_reusable] must be true.');
    const file = files.filedata;
    if (isUrl(payload.url) === (file !== undefined)) throw invalidParam('param message[attachment][payload] must have exactly one of url and an uploaded filedata');
    // a placeholder link is accepted unfetched: its id stands for nothing the fake keeps
    const id = await this.takeAsset(attachment, files) ?? this.storeAttachment(Buffer.alloc(0), 'application/octet-stream', false).id;
    return { status: 200, body: { attachment_id: id } };
  }

  // ---- the User Profile API ----

  private userProfile(psid: string, fields: string | undefined): FakeResponse {
    const user = this.users.get(psid);
    if (!user || this.unknown.has(psid)) throw noSuchObject('GET', psid);
    if (this.withoutProfiles.has(psid)) throw graphError(400, 2018218, 'No profile available for this user.', { type: 'OAuthException' });
    const all: Json = {
      id: psid, name: `${user.firstName}${user.lastName ? ` ${user.lastName}` : ''}`, first_name: user.firstName, last_name: user.lastName,
      profile_pic: `${this.cdn?.url ?? ''}/v/profile-${psid}.jpg`, locale: user.locale, timezone: 0, gender: 'neutral',
    };
    const wanted = fields ? fields.split(',').map((f) => f.trim()).filter(Boolean) : ['name', 'id'];
    const unknownField = wanted.find((f) => !(USER_FIELDS as readonly string[]).includes(f));
    if (unknownField) throw invalidParam(`Tried accessing nonexisting field (${unknownField}) on node type (User)`);
    const out: Json = {};
    for (const f of wanted) out[f] = all[f];
    out.id = psid;
    return { status: 200, body: out };
  }

  // ---- the Messenger Profile API ----

  private getProfile(fields: string | undefined): FakeResponse {
    if (!fields) throw invalidParam('The parameter fields is required');
    const wanted = fields.split(',').map((f) => f.trim()).filter(Boolean);
    const bad = wanted.find((f) => !(PROFILE_FIELDS as readonly string[]).includes(f));
    if (bad) throw invalidParam(`param fields must be one of {${PROFILE_FIELDS.join(', ')}} - got "${bad}"`);
    const out: Json = {};
    for (const f of wanted) if (this.profile[f] !== undefined) out[f] = structuredClone(this.profile[f]);
    return { status: 200, body: { data: Object.keys(out).length > 0 ? [out] : [] } };
  }

  private setProfile(params: Json): FakeResponse {
    const props = Object.keys(params).filter((k) => k !== 'access_token');
    if (props.length === 0) throw invalidParam('At least one property must be set');
    const bad = props.find((k) => !(PROFILE_FIELDS as readonly string[]).includes(k));
    if (bad) throw invalidParam(`param ${bad} is not a Messenger profile property`);
    const next: Json = { ...this.profile };
    for (const k of props) next[k] = params[k];
    if (params.get_started !== undefined && !(isObject(params.get_started) && nonEmpty(params.get_started, 'payload', MESSENGER_LIMITS.payload))) {
      throw invalidParam('param get_started[payload] must be 1-1000 characters.');
    }
    if (params.greeting !== undefined) this.validateLocalized(params.greeting, 'greeting', (g) => nonEmpty(g, 'text', 160), 'greeting[text] must be 1-160 characters');
    if (params.persistent_menu !== undefined) {
      // the persistent menu shows only to people who tapped Get Started
      if (!isObject(next.get_started)) throw invalidParam('You must set a Get Started button if you also wish to use persistent menu.', 2018145);
      this.validateLocalized(params.persistent_menu, 'persistent_menu', (m) => {
        if (m.composer_input_disabled !== undefined && typeof m.composer_input_disabled !== 'boolean') return false;
        this.validateButtons(m.call_to_actions, true, 20);
        return true;
      }, 'persistent_menu[] must hold call_to_actions (at most 20 web_url or postback buttons)');
    }
    if (params.ice_breakers !== undefined) this.validateIceBreakers(params.ice_breakers);
    if (params.whitelisted_domains !== undefined) {
      const d = params.whitelisted_domains;
      if (!Array.isArray(d) || d.length > 50 || !d.every((x) => typeof x === 'string' && /^https:\/\/\S+$/.test(x))) throw invalidParam('param whitelisted_domains must be at most 50 https URLs.');
    }
    this.profile = next;
    return { status: 200, body: { result: 'success' } };
  }

  /** A list of per-locale settings that must include the `default` locale. */
  private validateLocalized(value: unknown, name: string, valid: (item: Json) => boolean, message: string): void {
    if (!Array.isArray(value) || value.length === 0) throw invalidParam(`param ${name} must be a non-empty array.`);
    for (const item of value) if (!isObject(item) || typeof item.locale !== 'string' || !valid(item)) throw invalidParam(`param ${message}.`);
    if (!value.some((item) => isObject(item) && item.locale === 'default')) throw invalidParam(`param ${name} must include the default locale.`);
  }

  /** Ice breakers: at most 4 questions with payloads, per locale (or the older flat list). */
  private validateIceBreakers(value: unknown): void {
    const question = (q: unknown): boolean => isObject(q) && nonEmpty(q, 'question', 80) && nonEmpty(q, 'payload', MESSENGER_LIMITS.payload);
    if (Array.isArray(value) && value.every((x) => isObject(x) && x.question !== undefined)) {
      if (value.length === 0 || value.length > 4 || !value.every(question)) throw invalidParam('param ice_breakers must hold 1 to 4 questions with payloads.');
      return;
    }
    this.validateLocalized(value, 'ice_breakers', (l) => Array.isArray(l.call_to_actions) && l.call_to_actions.length >= 1 && l.call_to_actions.length <= 4 && l.call_to_actions.every(question),
      'ice_breakers[call_to_actions] must hold 1 to 4 questions with payloads');
  }

  private deleteProfile(params: Json): FakeResponse {
    const fields = params.fields;
    if (!Array.isArray(fields) || fields.length === 0) throw invalidParam('The parameter fields is required');
    const bad = fields.find((f) => !(PROFILE_FIELDS as readonly unknown[]).includes(f));
    if (bad !== undefined) throw invalidParam(`param fields must be one of {${PROFILE_FIELDS.join(', ')}}`);
    if (fields.includes('get_started') && !fields.includes('persistent_menu') && this.profile.persistent_menu !== undefined) {
      throw invalidParam('You must delete the persistent menu before the Get Started button.', 2018145);
    }
    for (const f of fields as string[]) delete this.profile[f];
    return { status: 200, body: { result: 'success' } };
  }

  // ---- webhooks ----

  /**
   * Signs a delivery of messaging events as Meta does.
   * @param messaging - `entry[0].messaging` items
   * @param at - delivery time in ms
   * @returns the webhook, ready to post
   */
  webhook(messaging: Json[], at: number = this.platformNow()): SignedWebhook {
    const body = Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: this.config.pageId, time: at, messaging }] }), 'utf8');
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hmacSha256Hex(this.config.appSecret, body)}` },
      body,
    };
  }

  private from(userId: string, at: number): Json {
    return { sender: { id: userId }, recipient: { id: this.config.pageId }, timestamp: at };
  }

  private mid(): string {
    return `m_${randomBytes(24).toString('base64url')}`;
  }

  /** A customer's message with any content; opens the window and makes the person known (with their name for the User Profile API). */
  private customerMessage(input: { userId: string; name?: string; messageId?: string; timestamp?: Date }, content: Json): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    this.knowUser(input.userId, input.name);
    this.openWindow(input.userId, at);
    return this.webhook([{ ...this.from(input.userId, at), message: { mid: input.messageId ?? this.mid(), ...content } }], at);
  }

  /** A customer's text message (Messenger carries no profile name in webhooks: `name` is what the User Profile API answers). */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook {
    return this.customerMessage(input, { text: input.text });
  }

  /**
   * A signed webhook for a customer event, as Messenger delivers it: text; media (an attachment
   * whose signed CDN link the fake serves: the event's `file` or core's sample file of the type — a
   * real PNG, MP4, Ogg Opus or PDF; the link expires after `config.attachmentUrlTtlMs`, 24 h by default); a shared location; a button tap (postback); the Marketing Messages
   * opt-in (subscribe) and its STOP (unsubscribe); a `messaging_referrals` referral from a m.me
   * link (conversation-started, `context` as its `ref`); a sticker (an image attachment carrying
   * `sticker_id`); a `message_reactions` reaction to a message the page sent.
   * @throws RangeError for kinds Messenger has no webhook for (block, close, capabilities, contact, url)
   */
  override simulate(event: FakeInboundEvent): SignedWebhook {
    const who = { userId: event.userId, ...(event.name !== undefined ? { name: event.name } : {}) };
    switch (event.kind) {
      case 'text': return this.userMessage({ ...who, text: event.text });
      case 'media': {
        const sample = sampleMedia(event.mediaType);
        const { url } = this.storeAttachment(event.file?.body ?? sample.body, event.file?.mimeType ?? sample.mimeType);
        // a caption arrives as the message's text beside the attachment
        return this.customerMessage(who, { ...(event.caption !== undefined ? { text: event.caption } : {}), attachments: [{ type: SIMULATED_MEDIA[event.mediaType], payload: { url } }] });
      }
      case 'location':
        return this.customerMessage(who, {
          attachments: [{
            type: 'location', title: 'Pinned Location', url: `https://www.bing.com/maps/default.aspx?v=2&pc=FACEBK&mid=8100&where1=${event.latitude}%2C+${event.longitude}`,
            payload: { coordinates: { lat: event.latitude, long: event.longitude } },
          }],
        });
      case 'button': return this.postback({ ...who, payload: event.payload, title: event.title ?? event.payload });
      case 'subscribe': return this.notificationOptin({ ...who, status: 'RESUME_NOTIFICATIONS' });
      case 'unsubscribe': return this.optinStop(who);
      case 'conversation-started': return this.referral({ userId: event.userId, ...(event.context !== undefined ? { ref: event.context } : {}) });
      case 'sticker': {
        // a sticker arrives as an image attachment whose payload names the sticker (369239263222822 is the thumbs-up "like")
        const id = event.stickerId ?? '369239263222822';
        const { url } = this.storeAttachment(randomBytes(64), 'image/png');
        return this.customerMessage(who, { attachments: [{ type: 'image', payload: { url, sticker_id: /^\d{1,15}$/.test(id) ? Number(id) : id } }] });
      }
      case 'reaction': return this.reaction({ ...who, emoji: event.emoji, ...(event.messageId !== undefined ? { messageId: event.messageId } : {}) });
      default:
        throw new RangeError(`the Messenger fake cannot simulate '${event.kind}' events: Messenger has no such webhook (supported: ${this.simulatedKinds.join(', ')})`);
    }
  }

  /**
   * A receipt for an earlier outbound message: `delivered` → message_deliveries with its mid;
   * `read` → message_reads with a watermark at `timestamp`; `sent` → the message echo.
   * @throws Error for `failed`: Messenger reports failures only in the Send API's answer
   */
  statusUpdate(input: { userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    switch (input.status) {
      case 'delivered':
        return this.webhook([{ ...this.from(input.userId, at), delivery: { mids: [input.externalId], watermark: at } }], at);
      case 'read':
        return this.webhook([{ ...this.from(input.userId, at), read: { watermark: at } }], at);
      case 'sent': {
        const original = this.sent.find((s) => s.messageId === input.externalId)?.body.message;
        const text = isObject(original) && typeof original.text === 'string' ? { text: original.text } : {};
        return this.webhook([{
          sender: { id: this.config.pageId }, recipient: { id: input.userId }, timestamp: at,
          message: { is_echo: true, app_id: 1517776481860111, mid: input.externalId, ...text },
        }], at);
      }
      case 'failed':
        throw new Error('Messenger has no failed receipt webhook: failures come back in the Send API answer');
    }
  }

  /** A postback (button tap), optionally with the referral of a m.me link or ad. */
  postback(input: { userId: string; payload: string; title: string; ref?: string; source?: string; name?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    this.knowUser(input.userId, input.name);
    this.openWindow(input.userId, at);
    const referral = input.ref !== undefined ? { referral: { ref: input.ref, source: input.source ?? 'SHORTLINK', type: 'OPEN_THREAD' } } : {};
    return this.webhook([{ ...this.from(input.userId, at), postback: { mid: this.mid(), title: input.title, payload: input.payload, ...referral } }], at);
  }

  /** A referral: the customer opened the thread through a m.me link (SHORTLINK) or a Click-to-Messenger ad (ADS). */
  referral(input: { userId: string; ref?: string; source?: 'SHORTLINK' | 'ADS' | 'CUSTOMER_CHAT_PLUGIN'; adId?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    // the person opened the conversation through the link or ad: the page may answer
    this.openWindow(input.userId, at);
    const referral = { ...(input.ref !== undefined ? { ref: input.ref } : {}), source: input.source ?? 'SHORTLINK', type: 'OPEN_THREAD', ...(input.adId ? { ad_id: input.adId } : {}) };
    return this.webhook([{ ...this.from(input.userId, at), referral }], at);
  }

  /**
   * A `message_reactions` webhook: the customer reacted with `emoji` to `messageId` (by default the
   * last message the page sent them); an empty emoji is the reaction taken back (`unreact`).
   */
  reaction(input: { userId: string; emoji: string; messageId?: string; name?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    this.knowUser(input.userId, input.name);
    const mid = input.messageId ?? this.sent.filter((m) => m.recipientId === input.userId).at(-1)?.messageId ?? this.mid();
    const names: Record<string, string> = { '\u2764\uFE0F': 'love', '\u{1F606}': 'smile', '\u{1F62E}': 'wow', '\u{1F622}': 'sad', '\u{1F620}': 'angry', '\u{1F44D}': 'like' };
    const reaction = input.emoji === ''
      ? { action: 'unreact', mid }
      : { reaction: names[input.emoji] ?? 'other', emoji: input.emoji, action: 'react', mid };
    return this.webhook([{ ...this.from(input.userId, at), reaction }], at);
  }

  /** A Marketing Messages opt-in (`notification_messages`), or its STOP / RESUME; the token can then be messaged. */
  notificationOptin(input: { userId: string; title?: string; status?: 'STOP_NOTIFICATIONS' | 'RESUME_NOTIFICATIONS'; token?: string; name?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    this.knowUser(input.userId, input.name);
    const token = input.token ?? [...this.tokens.entries()].find(([, t]) => t.psid === input.userId)?.[0] ?? `nt_${randomBytes(12).toString('base64url')}`;
    const expiresAt = at + 180 * 24 * HOUR;
    this.tokens.set(token, { psid: input.userId, expiresAt, stopped: input.status === 'STOP_NOTIFICATIONS' });
    const optin: Json = {
      type: 'notification_messages', payload: 'sandbox', notification_messages_token: token,
      notification_messages_timezone: 'UTC', token_expiry_timestamp: expiresAt, user_token_status: 'NOT_REFRESHED',
      title: input.title ?? 'Updates',
      ...(input.status ? { notification_messages_status: input.status } : {}),
    };
    return this.webhook([{ ...this.from(input.userId, at), optin }], at);
  }

  /** The customer stopped Marketing Messages. */
  optinStop(input: { userId: string; title?: string; name?: string; timestamp?: Date }): SignedWebhook {
    return this.notificationOptin({ ...input, status: 'STOP_NOTIFICATIONS' });
  }
}

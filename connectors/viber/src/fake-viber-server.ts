/**
 * A fake Viber REST Bot API: the endpoints an integrator's client calls (`send_message`,
 * `broadcast_message`, `set_webhook`, `get_account_info`, `get_user_details`, `get_online`),
 * validated and answered as Viber does (HTTP 200 with `{status, status_message}`), subscription,
 * webhook and throttling rules, and callbacks signed as Viber signs them — the hex HMAC in the
 * `X-Viber-Content-Signature` header and in the `sig` query parameter of the webhook URL (Viber's
 * own Node library reads the latter) — with delivered/seen receipts for what it accepted.
 *
 * A Viber bot is active only once its webhook is set: until then `send_message` and
 * `broadcast_message` answer status 10 (webhookNotSet). The webhook counts as set after a
 * successful `set_webhook`, when the fake is given the host's URL (`webhookUrl`, `setWebhookUrl`),
 * or once a callback was delivered to a URL or a user subscribed or wrote (none of which Viber does
 * for a bot without a webhook).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FakePlatformServer, hmacSha256Hex, isObject, sampleMedia, samplePng, startFakeSideServer,
  type FakeInboundEvent, type FakeInboundKind, type FakePlatformOptions, type FakeResponse, type FakeSideServer, type MediaRef,
  type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { VIBER_LIMITS, VIBER_MEDIA, VIBER_SIGNATURE_HEADER, extensionOf, stringifyWithNumericTokens } from './viber-api.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const viberSandboxConfig = {
  authToken: '4b1d5e7a2c9f0a31-sandbox8e2d6c4b1-a0f3e5d7c9b2a4e6',
  botName: 'Switchboard Sandbox',
  accountId: 'switchboard-sandbox',
} as const;

/** The query parameter Viber puts the callback signature in as well (Viber's Node library reads it there). */
export const VIBER_SIGNATURE_QUERY = 'sig';

/** The media limits the fake applies (tests shrink them to stay small). */
export interface FakeViberMediaLimits {
  /** Bytes of a picture the fake fetches (Viber: 1 MB, the iOS limit). */
  pictureBytes: number;
  /** Bytes of a video (26 MB). */
  videoBytes: number;
  /** Bytes of a file (50 MB). */
  fileBytes: number;
  /** How long the media URL of a customer's message works, in platform time (an hour). */
  inboundLinkTtlMs: number;
}

/** Viber's media limits. */
export const VIBER_MEDIA_LIMITS: FakeViberMediaLimits = {
  pictureBytes: VIBER_LIMITS.pictureBytes,
  videoBytes: VIBER_LIMITS.videoBytes,
  fileBytes: VIBER_LIMITS.fileBytes,
  inboundLinkTtlMs: VIBER_MEDIA.inboundLinkTtlMs,
};

/** Options of {@link FakeViberServer}. */
export interface FakeViberOptions extends FakePlatformOptions {
  /** Media limits to apply instead of {@link VIBER_MEDIA_LIMITS}. */
  mediaLimits?: Partial<FakeViberMediaLimits>;
}

/** A customer's file on the fake media host. */
interface InboundMedia {
  bytes: Buffer;
  mimeType: string;
  /** When its link stops working, platform time in ms. */
  expiresAt: number;
}

/** How many customers' files the fake keeps on its media host (the oldest are forgotten). */
const KEPT_INBOUND_MEDIA = 256;
/** How many fetched outbound files the fake keeps (the oldest are forgotten). */
const KEPT_OUTBOUND_MEDIA = 64;

/** A Viber user as callbacks describe them. */
export interface FakeViberUser {
  id: string;
  name?: string;
  avatar?: string;
  country?: string;
  language?: string;
  apiVersion?: number;
}

const MESSAGE_TYPES = new Set(['text', 'picture', 'video', 'file', 'location', 'contact', 'sticker', 'url', 'rich_media']);
const BUTTON_ACTIONS = new Set(['reply', 'open-url', 'location-picker', 'share-phone', 'none', 'open-map']);
const HOUR = 3_600_000;
const CHAT_HOSTNAME = 'SN-CHAT-05_';
/** Where the media of simulated customer messages is said to be (Viber serves it from its own CDN). */
const MEDIA_HOST = 'https://dl-media.viber.com/fake';
/** The callbacks `set_webhook` subscribes to when it names none. */
const DEFAULT_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

type Answer = Record<string, unknown>;

/** The fake Viber platform. */
export class FakeViberServer extends FakePlatformServer {
  /** Always `viber`. */
  readonly channel = 'viber';
  private readonly authToken: string;
  private readonly botName: string;
  private readonly accountId: string;
  private readonly subscribers = new Set<string>();
  private readonly unregistered = new Set<string>();
  /** Send times per user since their last message (Viber's "100 per hour without a reply"). */
  private readonly withoutReply = new Map<string, number[]>();
  /** What the fake knows of each user (name, country, language…), used in every callback about them. */
  private readonly users = new Map<string, FakeViberUser>();
  /** The last `tracking_data` sent to each user: Viber passes it back with the user's next message. */
  private readonly tracking = new Map<string, string>();
  private token = 5_741_311_803_571_721_087n;
  private webhook = '';
  /** Whether the bot's webhook is set (see the module notes); `webhook` holds the URL when known. */
  private webhookSet = false;
  private eventTypes: string[] = [...DEFAULT_EVENT_TYPES];
  private readonly mediaLimits: FakeViberMediaLimits;
  /** The host Viber serves customers' media from (started with the API). */
  private cdn: FakeSideServer | undefined;
  private readonly inboundMedia = new Map<string, InboundMedia>();
  /** Files the fake fetched for the bot's messages, by URL. */
  private readonly outboundMedia = new Map<string, Buffer>();
  private nextMedia = 1;
  /** Text, pictures/videos/files, locations, keyboard taps, subscribe and unsubscribe. */
  override readonly simulatedKinds: readonly FakeInboundKind[] = ['text', 'media', 'location', 'button', 'subscribe', 'unsubscribe', 'conversation-started', 'contact', 'sticker', 'url'];

  /** @param options - port, latency, time scale; `config` overrides the sandbox authToken/botName/accountId; media limits */
  constructor(options: FakeViberOptions = {}) {
    super(options);
    this.mediaLimits = { ...VIBER_MEDIA_LIMITS, ...options.mediaLimits };
    const c = options.config ?? {};
    // a token not given is this instance's own: a sandbox reachable by others has no public secret
    this.authToken = typeof c.authToken === 'string' ? c.authToken : `${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}`;
    this.botName = typeof c.botName === 'string' ? c.botName : viberSandboxConfig.botName;
    this.accountId = typeof c.accountId === 'string' ? c.accountId : viberSandboxConfig.accountId;
    if (options.webhookUrl !== undefined) this.registered(options.webhookUrl);
  }

  /**
   * The host's webhook URL for this bot: as if `set_webhook` had registered it, so sends are
   * accepted and receipts go there.
   * @param url - the host's `/webhooks/viber/<account>` URL
   */
  override setWebhookUrl(url: string): void {
    super.setWebhookUrl(url);
    this.registered(url);
  }

  /**
   * Posts a callback as Viber does: the signature in the `X-Viber-Content-Signature` header and in
   * the `sig` query parameter. A callback delivered to a URL means the bot's webhook is that URL.
   * @param url - the webhook URL
   * @param webhook - a signed callback from this fake
   * @returns the answer's status and body
   */
  override async deliver(url: string, webhook: SignedWebhook): Promise<{ status: number; body: string }> {
    const signature = Object.entries(webhook.headers).find(([k]) => k.toLowerCase() === VIBER_SIGNATURE_HEADER.toLowerCase())?.[1];
    const target = new URL(url);
    if (signature !== undefined) target.searchParams.set(VIBER_SIGNATURE_QUERY, signature);
    if (!this.webhookSet) this.registered(url);
    return super.deliver(target.toString(), webhook);
  }

  /**
   * Sets what the fake knows of a user (name, avatar, country, language, API version): every later
   * callback about them carries it. Viber reports the user's country (ISO 3166 alpha-2) in each.
   * @param user - the user
   */
  setUser(user: FakeViberUser): void {
    this.users.set(user.id, { ...this.users.get(user.id), ...user });
  }

  /** Starts the API and the media host. */
  override async start(): Promise<void> {
    await super.start();
    this.cdn ??= await startFakeSideServer((req, res) => { this.serveMedia(req, res); });
  }

  /** Stops the media host and the API. */
  override async stop(): Promise<void> {
    const cdn = this.cdn;
    this.cdn = undefined;
    await cdn?.stop();
    await super.stop();
  }

  /**
   * The bytes behind a media URL: a customer's file (what the message callback's `media` URL
   * serves, expired or not) or a file the fake fetched for a message the bot sent.
   * @param ref - the media reference (its `url`)
   * @returns a copy of the bytes, or undefined for a URL the fake does not know
   */
  storedMedia(ref: MediaRef): Buffer | undefined {
    if (ref.url === undefined) return undefined;
    const inbound = this.inboundMedia.get(this.mediaIdOf(ref.url) ?? '');
    const bytes = inbound?.bytes ?? this.outboundMedia.get(ref.url);
    return bytes ? Buffer.from(bytes) : undefined;
  }

  private mediaIdOf(url: string): string | undefined {
    if (!this.cdn || !url.startsWith(`${this.cdn.url}/`)) return undefined;
    return /^\/m\/([^/]+)\//.exec(new URL(url).pathname)?.[1];
  }

  /** Puts a customer's file on the media host; its link works for an hour of platform time. */
  private hostMedia(bytes: Buffer, mimeType: string, filename: string): string {
    const id = `${randomBytes(6).toString('hex')}${this.nextMedia++}`;
    this.inboundMedia.set(id, { bytes, mimeType, expiresAt: this.platformNow() + this.mediaLimits.inboundLinkTtlMs });
    while (this.inboundMedia.size > KEPT_INBOUND_MEDIA) this.inboundMedia.delete(this.inboundMedia.keys().next().value!);
    return `${this.cdn?.url ?? MEDIA_HOST}/m/${id}/${encodeURIComponent(filename)}`;
  }

  /** The media host: a file while its link lives, 403 once it has expired, 404 for anything else. */
  private serveMedia(req: IncomingMessage, res: ServerResponse): void {
    const id = /^\/m\/([^/]+)\//.exec(new URL(req.url ?? '/', 'http://cdn').pathname)?.[1];
    const media = id ? this.inboundMedia.get(id) : undefined;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !media) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('Not Found'); return; }
    if (this.platformNow() >= media.expiresAt) { res.writeHead(403, { 'content-type': 'text/plain' }); res.end('Forbidden'); return; }
    res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : media.bytes);
  }

  private registered(url: string): void {
    this.webhookSet = true;
    if (url !== '') this.webhook = url;
  }

  private userOf(user: FakeViberUser): FakeViberUser {
    const known = this.users.get(user.id);
    const merged = { ...known, ...Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) } as FakeViberUser;
    this.users.set(user.id, merged);
    return merged;
  }

  /** A config for the connector that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    return { authToken: this.authToken, botName: this.botName, accountId: this.accountId, apiBaseUrl: `${this.url}/pa` };
  }

  /** The webhook URL last set with `set_webhook` ('' when none). */
  get webhookUrl(): string {
    return this.webhook;
  }

  /** Subscribes a user (as pressing "subscribe" or writing to the bot does; only an active bot can be subscribed to). */
  subscribe(userId: string): void {
    this.webhookSet = true;
    this.subscribers.add(userId);
    this.unregistered.delete(userId);
  }

  /** Unsubscribes a user: sends to them answer status 6 until they subscribe again. */
  unsubscribe(userId: string): void {
    this.subscribers.delete(userId);
  }

  /** Marks a user as no longer registered to Viber: sends to them answer status 5. */
  deregister(userId: string): void {
    this.unregistered.add(userId);
    this.subscribers.delete(userId);
  }

  /** Whether a user is subscribed. */
  isSubscribed(userId: string): boolean {
    return this.subscribers.has(userId);
  }

  /** Forgets requests, scripts, throttling state and tracking data (subscriptions, users and the webhook are kept). */
  override reset(): void {
    super.reset();
    this.withoutReply.clear();
    this.tracking.clear();
  }

  /**
   * Signs any callback body as Viber does.
   * @param payload - the callback; `message_token` as a digit string is written as a JSON number
   * @returns the webhook to post
   */
  callback(payload: Record<string, unknown>): SignedWebhook {
    const body = Buffer.from(stringifyWithNumericTokens(payload), 'utf8');
    return {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [VIBER_SIGNATURE_HEADER]: hmacSha256Hex(this.authToken, body) },
      body,
    };
  }

  /**
   * A user's text message. Writing to a bot subscribes the user and resets the count of messages
   * sent to them without a reply.
   */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date; trackingData?: string }): SignedWebhook {
    return this.userMessageOf({ id: input.userId, ...(input.name !== undefined ? { name: input.name } : {}) },
      { type: 'text', text: input.text, ...(input.trackingData !== undefined ? { tracking_data: input.trackingData } : {}) },
      input.messageId, input.timestamp);
  }

  /**
   * A user's message of any type (picture, video, file, location, contact, sticker, url), with the
   * given `message` object. Without a `tracking_data` of its own it carries the one last sent to the
   * user, as Viber passes it back with the user's reply.
   * @param user - the sender
   * @param message - Viber's `message` object, e.g. `{ type: 'picture', media: 'https://…', text: '' }`
   */
  userMessageOf(user: FakeViberUser, message: Record<string, unknown>, messageId?: string, timestamp?: Date): SignedWebhook {
    this.subscribe(user.id);
    this.withoutReply.delete(user.id);
    const tracking = this.tracking.get(user.id);
    return this.callback({
      event: 'message',
      timestamp: (timestamp ?? new Date(this.platformNow())).getTime(),
      chat_hostname: CHAT_HOSTNAME,
      message_token: messageId !== undefined && /^\d{1,19}$/.test(messageId) ? messageId : this.nextToken(),
      sender: userObject(this.userOf(user)),
      message: { ...(tracking !== undefined ? { tracking_data: tracking } : {}), ...message },
      silent: false,
    });
  }

  /**
   * A signed callback for any simulated inbound event, as Viber delivers it: `media` is a
   * `picture`, `video` or `file` message (audio arrives from Viber as a file), `button` a keyboard
   * tap (a text message carrying the button's ActionBody and the tracking data last sent),
   * `subscribe` and `unsubscribe` the callbacks of those names, `conversation-started` the
   * `conversation_started` callback, `contact`, `sticker` (a numeric `sticker_id` and its `media`
   * URL) and `url` the message types of those names. Viber has no block, close or reaction of its own.
   * @param event - the event
   * @returns the webhook
   * @throws RangeError for a kind Viber has not
   */
  override simulate(event: FakeInboundEvent): SignedWebhook {
    const user: FakeViberUser = { id: event.userId, ...(event.name !== undefined ? { name: event.name } : {}) };
    switch (event.kind) {
      case 'text': return this.userMessageOf(user, { type: 'text', text: event.text });
      case 'media': return this.userMessageOf(user, this.mediaMessage(event));
      case 'location': return this.userMessageOf(user, { type: 'location', location: { lat: event.latitude, lon: event.longitude } });
      case 'button': return this.userMessageOf(user, { type: 'text', text: event.payload });
      case 'subscribe': return this.subscribedEvent(user);
      case 'unsubscribe': return this.unsubscribedEvent(event.userId);
      case 'conversation-started': return this.conversationStarted({ user, ...(event.context !== undefined ? { context: event.context } : {}) });
      case 'contact': return this.userMessageOf(user, { type: 'contact', contact: { name: event.contactName, ...(event.phone !== undefined ? { phone_number: event.phone } : {}) } });
      case 'sticker': {
        const id = event.stickerId ?? '40100';
        return this.userMessageOf(user, { type: 'sticker', sticker_id: /^\d{1,15}$/.test(id) ? Number(id) : id, media: `${MEDIA_HOST}/stickers/${encodeURIComponent(id)}.png` });
      }
      case 'url': return this.userMessageOf(user, { type: 'url', media: event.url });
      default: break;
    }
    throw new RangeError(`viber fake cannot simulate '${event.kind}' events (supported: ${this.simulatedKinds.join(', ')})`);
  }

  /**
   * The `message` object of a customer's file, as Viber's callback carries it: a `picture` (with its
   * `thumbnail`), a `video` (`file_size`, `duration`) or a `file` (`file_name`, `file_size`; audio
   * arrives from Viber as a file). The bytes (the test's `file`, else core's sample of the type) are
   * served at the `media` URL for an hour of platform time.
   */
  private mediaMessage(event: Extract<FakeInboundEvent, { kind: 'media' }>): Record<string, unknown> {
    const sample = sampleMedia(event.mediaType);
    const bytes = event.file?.body ?? sample.body;
    const mimeType = event.file ? event.file.mimeType ?? 'application/octet-stream' : sample.mimeType;
    const filename = (event.file ? event.file.filename : sample.filename) ?? `${event.mediaType}.bin`;
    const media = this.hostMedia(bytes, mimeType, filename);
    const caption = event.caption !== undefined ? { text: event.caption } : {};
    switch (event.mediaType) {
      case 'image': return { type: 'picture', text: event.caption ?? '', media, thumbnail: this.hostMedia(samplePng(2), 'image/png', 'thumbnail.png'), file_name: filename };
      case 'video': return { type: 'video', media, thumbnail: this.hostMedia(samplePng(2), 'image/png', 'thumbnail.png'), file_size: bytes.length, duration: 12, ...caption };
      case 'audio': case 'file': return { type: 'file', media, file_name: filename, file_size: bytes.length, ...caption };
    }
  }

  /** A delivery receipt: `delivered`, `seen` (for `read`) or `failed`. Viber reports no `sent` receipt. */
  statusUpdate(input: { userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date; desc?: string }): SignedWebhook {
    if (input.status === 'sent') throw new Error('Viber sends no "sent" callback: the send_message answer is the acceptance');
    const event = input.status === 'read' ? 'seen' : input.status;
    return this.callback({
      event,
      timestamp: (input.timestamp ?? new Date(this.platformNow())).getTime(),
      chat_hostname: CHAT_HOSTNAME,
      message_token: input.externalId,
      user_id: input.userId,
      ...(event === 'failed' ? { desc: input.desc ?? 'failed to deliver the message' } : {}),
    });
  }

  /** The `subscribed` callback; the user becomes a subscriber. */
  subscribedEvent(user: FakeViberUser, timestamp?: Date): SignedWebhook {
    this.subscribe(user.id);
    return this.callback({
      event: 'subscribed', timestamp: (timestamp ?? new Date(this.platformNow())).getTime(), chat_hostname: CHAT_HOSTNAME,
      user: userObject(this.userOf(user)), message_token: this.nextToken(),
    });
  }

  /** The `unsubscribed` callback; the user stops being a subscriber. */
  unsubscribedEvent(userId: string, timestamp?: Date): SignedWebhook {
    this.unsubscribe(userId);
    return this.callback({
      event: 'unsubscribed', timestamp: (timestamp ?? new Date(this.platformNow())).getTime(), chat_hostname: CHAT_HOSTNAME,
      user_id: userId, message_token: this.nextToken(),
    });
  }

  /** The `conversation_started` callback (the user opened the chat; not a subscription). */
  conversationStarted(input: { user: FakeViberUser; subscribed?: boolean; context?: string; timestamp?: Date }): SignedWebhook {
    this.webhookSet = true;
    return this.callback({
      event: 'conversation_started', timestamp: (input.timestamp ?? new Date(this.platformNow())).getTime(), chat_hostname: CHAT_HOSTNAME,
      message_token: this.nextToken(), type: 'open',
      ...(input.context !== undefined ? { context: input.context } : {}),
      user: userObject(this.userOf(input.user)), subscribed: input.subscribed ?? this.subscribers.has(input.user.id),
    });
  }

  /** The `webhook` check Viber posts to a URL given to `set_webhook`. */
  webhookCheck(timestamp?: Date): SignedWebhook {
    return this.callback({
      event: 'webhook', timestamp: (timestamp ?? new Date(this.platformNow())).getTime(), chat_hostname: CHAT_HOSTNAME, message_token: this.nextToken(),
    });
  }

  protected async handle(req: RecordedRequest): Promise<FakeResponse> {
    if (!req.path.startsWith('/pa/')) return { status: 404, body: 'Not Found' };
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    if (req.rawBody.length > VIBER_LIMITS.requestBytes) return this.answer({ status: 3, status_message: 'badData: request is larger than 30KB' });
    let body: unknown;
    try { body = JSON.parse(req.rawBody.toString('utf8')); } catch { body = undefined; }
    // the token goes in the X-Viber-Auth-Token header; Viber's own libraries also put it in the body as auth_token
    const token = req.headers['x-viber-auth-token'] || (isObject(body) && typeof body.auth_token === 'string' ? body.auth_token : undefined);
    if (token === undefined || token === '') return this.answer({ status: 2, status_message: 'missing_auth_token' });
    if (token !== this.authToken) return this.answer({ status: 2, status_message: 'invalidAuthToken' });
    if (!isObject(body)) return this.answer({ status: 3, status_message: 'badData' });
    switch (req.path) {
      case '/pa/send_message': return this.answer(await this.sendMessage(body, req));
      case '/pa/broadcast_message': return this.answer(await this.broadcastMessage(body, req));
      case '/pa/set_webhook': return this.answer(await this.setWebhook(body));
      case '/pa/get_account_info': return this.answer(this.accountInfo());
      case '/pa/get_user_details': return this.answer(this.userDetails(body));
      case '/pa/get_online': return this.answer(this.online(body));
      default: return { status: 404, body: 'Not Found' };
    }
  }

  private async sendMessage(body: Record<string, unknown>, req: RecordedRequest): Promise<Answer> {
    if (typeof body.receiver !== 'string' || body.receiver === '') return { status: 4, status_message: 'missingData: receiver' };
    const invalid = validateMessage(body) ?? await this.fetchMedia(body);
    if (invalid) return invalid;
    if (!this.webhookSet) return { status: 10, status_message: 'webhookNotSet' };
    const receiver = body.receiver;
    if (this.unregistered.has(receiver)) return { status: 5, status_message: 'receiverNotRegistered' };
    if (!this.subscribers.has(receiver)) return { status: 6, status_message: 'notSubscribed' };
    const now = this.platformNow();
    const sent = (this.withoutReply.get(receiver) ?? []).filter((t) => now - t < HOUR);
    if (sent.length >= VIBER_LIMITS.perUserWithoutReply) {
      this.withoutReply.set(receiver, sent);
      return { status: 12, status_message: 'Too many requests', message_token: this.nextToken(), chat_hostname: CHAT_HOSTNAME };
    }
    sent.push(now);
    this.withoutReply.set(receiver, sent);
    const token = this.nextToken();
    this.accepted(receiver, token, body, req);
    return { status: 0, status_message: 'ok', message_token: token, chat_hostname: CHAT_HOSTNAME };
  }

  private async broadcastMessage(body: Record<string, unknown>, req: RecordedRequest): Promise<Answer> {
    const list = body.broadcast_list;
    if (!Array.isArray(list) || list.length === 0) return { status: 4, status_message: 'missingData: broadcast_list' };
    if (list.length > VIBER_LIMITS.broadcastList) return { status: 3, status_message: `badData: broadcast_list has more than ${VIBER_LIMITS.broadcastList} receivers` };
    if (!list.every((r) => typeof r === 'string' && r !== '')) return { status: 3, status_message: 'badData: broadcast_list' };
    const invalid = validateMessage(body) ?? await this.fetchMedia(body);
    if (invalid) return invalid;
    if (!this.webhookSet) return { status: 10, status_message: 'webhookNotSet' };
    if (!this.limiter.take('broadcast', VIBER_LIMITS.broadcastRequestsPer10s, 10_000)) return { status: 12, status_message: 'Too many requests' };
    const failed: Answer[] = [];
    const token = this.nextToken();
    for (const receiver of list as string[]) {
      if (this.unregistered.has(receiver)) failed.push({ receiver, status: 5, status_message: 'receiverNotRegistered' });
      else if (!this.subscribers.has(receiver)) failed.push({ receiver, status: 6, status_message: 'notSubscribed' });
      else this.accepted(receiver, token, body, req);
    }
    return { status: 0, status_message: 'ok', message_token: token, failed_list: failed };
  }

  /**
   * Fetches the file of a picture, video or file message and keeps its bytes for
   * {@link storedMedia}. A URL whose host answers with a non-2xx status, or whose file is over the
   * type's limit (by `content-length` or counted), is refused with status 3 badData. Viber itself
   * answers send_message at once and its clients fetch the URL when they show the message; the fake
   * checks what it can reach, so that a URL no client could load fails where it is sent. A URL it
   * cannot reach at all (no such host, connection refused, no answer in 30 s) is accepted, as Viber
   * accepts it, and no bytes are kept for it.
   */
  private async fetchMedia(body: Record<string, unknown>): Promise<Answer | undefined> {
    const limit = body.type === 'picture' ? this.mediaLimits.pictureBytes : body.type === 'video' ? this.mediaLimits.videoBytes
      : body.type === 'file' ? this.mediaLimits.fileBytes : undefined;
    if (limit === undefined || typeof body.media !== 'string') return undefined;
    const url = body.media;
    const bad = (why: string): Answer => ({ status: 3, status_message: `badData: media ${why}` });
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    } catch {
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return bad(`URL answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel().catch(() => undefined);
      return bad(`is larger than ${limit} bytes`);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of response.body ?? []) {
        received += (chunk as Uint8Array).byteLength;
        if (received > limit) {
          await response.body?.cancel().catch(() => undefined);
          return bad(`is larger than ${limit} bytes`);
        }
        chunks.push(Buffer.from(chunk as Uint8Array));
      }
    } catch {
      return bad('could not be fetched');
    }
    this.outboundMedia.delete(url);
    this.outboundMedia.set(url, Buffer.concat(chunks));
    while (this.outboundMedia.size > KEPT_OUTBOUND_MEDIA) this.outboundMedia.delete(this.outboundMedia.keys().next().value!);
    return undefined;
  }

  /** Records an accepted message (and its receipts) and keeps its tracking data for the user's reply. */
  private accepted(receiver: string, token: string, body: Record<string, unknown>, req: RecordedRequest): void {
    if (typeof body.tracking_data === 'string') this.tracking.set(receiver, body.tracking_data);
    this.recordSent({ id: token, userId: receiver, type: String(body.type), request: { method: req.method, path: req.path, body } });
  }

  /** `get_user_details`: the user's profile; Viber answers it only for users who subscribed or wrote. */
  private userDetails(body: Record<string, unknown>): Answer {
    if (typeof body.id !== 'string' || body.id === '') return { status: 4, status_message: 'missingData: id' };
    const user = this.users.get(body.id);
    if (this.unregistered.has(body.id) || (!user && !this.subscribers.has(body.id))) return { status: 5, status_message: 'receiverNotRegistered' };
    const u = userObject(user ?? { id: body.id });
    return {
      status: 0, status_message: 'ok', message_token: this.nextToken(),
      user: { ...u, primary_device_os: 'Android 14', viber_version: '24.6.0.0', device_type: 'Pixel 8', mcc: 262, mnc: 2 },
    };
  }

  /** `get_online`: each subscriber's online status (at most 100 ids). */
  private online(body: Record<string, unknown>): Answer {
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length === 0) return { status: 4, status_message: 'missingData: ids' };
    if (ids.length > 100 || !ids.every((i) => typeof i === 'string')) return { status: 3, status_message: 'badData: ids' };
    return {
      status: 0, status_message: 'ok',
      users: (ids as string[]).map((id) => this.subscribers.has(id)
        ? { id, online_status: 0, online_status_message: 'online' }
        : { id, online_status: 3, online_status_message: 'undisclosed' }),
    };
  }

  private async setWebhook(body: Record<string, unknown>): Promise<Answer> {
    if (typeof body.url !== 'string') return { status: 4, status_message: 'missingData: url' };
    if (body.url === '') { this.webhook = ''; this.webhookSet = false; return { status: 0, status_message: 'ok' }; }
    let url: URL;
    try { url = new URL(body.url); } catch { return { status: 1, status_message: 'invalidUrl' }; }
    // Viber wants HTTPS with a trusted certificate; a fake on the loopback also accepts plain HTTP
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return { status: 1, status_message: 'invalidUrl' };
    const types = Array.isArray(body.event_types) ? body.event_types.filter((t): t is string => typeof t === 'string')
      : [...DEFAULT_EVENT_TYPES];
    // like Viber, check the URL answers a signed `webhook` callback with 200 before accepting it
    try {
      const check = await this.deliver(url.toString(), this.webhookCheck());
      if (check.status !== 200) return { status: 1, status_message: `invalidUrl: webhook answered ${check.status}` };
    } catch {
      return { status: 1, status_message: 'invalidUrl: webhook unreachable' };
    }
    this.registered(url.toString());
    this.eventTypes = types;
    return { status: 0, status_message: 'ok', event_types: types };
  }

  private accountInfo(): Answer {
    return {
      status: 0, status_message: 'ok', id: `pa:${this.accountId}`, name: this.botName, uri: this.accountId,
      icon: 'https://example.com/avatar.jpg', background: 'https://example.com/background.jpg',
      category: 'Entertainment', subcategory: 'Games', location: { lon: 11.5756, lat: 48.1372 }, country: 'DE',
      webhook: this.webhook, event_types: this.eventTypes, subscribers_count: this.subscribers.size, members: [],
    };
  }

  private answer(body: Answer): FakeResponse {
    // Viber writes message tokens as 64-bit JSON numbers; so does the fake
    return { status: 200, body: stringifyWithNumericTokens(body), headers: { 'content-type': 'application/json' } };
  }

  private nextToken(): string {
    this.token += 1n;
    return this.token.toString();
  }
}

function userObject(user: FakeViberUser): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name ?? 'Viber User',
    ...(user.avatar !== undefined ? { avatar: user.avatar } : {}),
    country: user.country ?? 'DE',
    language: user.language ?? 'en',
    api_version: user.apiVersion ?? 10,
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates a message body as Viber does; returns the error answer, or undefined when valid. */
function validateMessage(body: Record<string, unknown>): Answer | undefined {
  const bad = (what: string): Answer => ({ status: 3, status_message: `badData: ${what}` });
  const missing = (what: string): Answer => ({ status: 4, status_message: `missingData: ${what}` });
  if (!isObject(body.sender) || !isStr(body.sender.name) || body.sender.name === '') return missing('sender.name');
  if (body.sender.name.length > VIBER_LIMITS.senderName) return bad(`sender.name longer than ${VIBER_LIMITS.senderName}`);
  if (body.sender.avatar !== undefined && !isStr(body.sender.avatar)) return bad('sender.avatar');
  if (body.tracking_data !== undefined && (!isStr(body.tracking_data) || body.tracking_data.length > VIBER_LIMITS.trackingData)) return bad('tracking_data');
  if (body.min_api_version !== undefined && body.min_api_version !== null && !isNum(body.min_api_version)) return bad('min_api_version');
  if (!isStr(body.type)) return missing('type');
  if (!MESSAGE_TYPES.has(body.type)) return bad(`unknown type ${body.type}`);
  switch (body.type) {
    case 'text':
      if (!isStr(body.text) || body.text === '') return missing('text');
      if (body.text.length > VIBER_LIMITS.text) return bad(`text longer than ${VIBER_LIMITS.text}`);
      break;
    case 'picture':
      if (!isStr(body.media)) return missing('media');
      if (!isStr(body.text)) return missing('text');
      if (body.text.length > VIBER_LIMITS.pictureText) return bad(`text longer than ${VIBER_LIMITS.pictureText}`);
      if (!(VIBER_MEDIA.pictureExtensions as readonly string[]).includes(extensionOf(body.media))) return bad('media must end in .jpeg, .png or .gif');
      break;
    case 'video':
      if (!isStr(body.media)) return missing('media');
      if (!isNum(body.size)) return missing('size');
      if (body.size > VIBER_LIMITS.videoBytes) return bad('size');
      if (!(VIBER_MEDIA.videoExtensions as readonly string[]).includes(extensionOf(body.media))) return bad('media must end in .mp4');
      break;
    case 'file':
      if (!isStr(body.media)) return missing('media');
      if (!isNum(body.size)) return missing('size');
      if (!isStr(body.file_name)) return missing('file_name');
      if (body.size > VIBER_LIMITS.fileBytes || body.file_name.length > VIBER_LIMITS.fileName) return bad('file');
      if ((VIBER_MEDIA.forbiddenFileExtensions as readonly string[]).includes(extensionOf(body.file_name))) return bad('forbidden file format');
      break;
    case 'location':
      if (!isObject(body.location) || !isNum(body.location.lat) || !isNum(body.location.lon)) return missing('location');
      break;
    case 'contact':
      if (!isObject(body.contact) || !isStr(body.contact.name) || !isStr(body.contact.phone_number)) return missing('contact');
      if (body.contact.name.length > VIBER_LIMITS.contactName || body.contact.phone_number.length > VIBER_LIMITS.contactPhone) return bad('contact');
      break;
    case 'sticker':
      if (!isNum(body.sticker_id)) return missing('sticker_id');
      break;
    case 'url':
      if (!isStr(body.media)) return missing('media');
      if (body.media.length > 2000) return bad('media longer than 2000');
      break;
    case 'rich_media': {
      if (!isObject(body.rich_media) || !Array.isArray(body.rich_media.Buttons)) return missing('rich_media.Buttons');
      if (!isNum(body.min_api_version) || body.min_api_version < 2) return { status: 14, status_message: 'incompatibleWithVersion' };
      const invalid = validateButtons(body.rich_media.Buttons, 'rich_media');
      if (invalid) return invalid;
      break;
    }
  }
  // a null keyboard is no keyboard (Viber's Node library sends "keyboard": null with every message)
  if (body.keyboard !== undefined && body.keyboard !== null) {
    if (!isObject(body.keyboard) || body.keyboard.Type !== 'keyboard' || !Array.isArray(body.keyboard.Buttons)) return bad('keyboard');
    if (body.keyboard.Buttons.length === 0) return bad('keyboard.Buttons is empty');
    const invalid = validateButtons(body.keyboard.Buttons, 'keyboard');
    if (invalid) return invalid;
  }
  return undefined;
}

function validateButtons(buttons: unknown[], where: string): Answer | undefined {
  for (const [i, b] of buttons.entries()) {
    if (!isObject(b) || !isStr(b.ActionBody) || (b.ActionType !== undefined && !BUTTON_ACTIONS.has(b.ActionType as string))) {
      return { status: 3, status_message: `badData: ${where}.Buttons[${i}]` };
    }
    if (b.Columns !== undefined && (!isNum(b.Columns) || b.Columns < 1 || b.Columns > 6)) return { status: 3, status_message: `badData: ${where}.Buttons[${i}].Columns` };
  }
  return undefined;
}

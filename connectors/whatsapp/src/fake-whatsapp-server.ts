/**
 * An in-process fake of the WhatsApp Cloud API, for the connector's tests, the sandbox and an
 * integrator's own client: the messages endpoint (sends, mark-as-read and the typing indicator;
 * a send by media id must name media the number holds), media (upload checked against Meta's
 * supported types and sizes, retrieve-URL, a download URL on a media host of its own that needs the
 * access token and expires after 5 minutes, delete; uploaded ids expire after 30 days, customers'
 * after 7, all in platform time), template management on the WhatsApp Business
 * Account (create, list, get, delete) and template review, validated like Graph validates them and
 * answering with Graph's success and error bodies; the 24-hour customer service window, throttling
 * per number and per pair, all measured on the platform's clock; and webhooks signed with the app
 * secret — customer messages of every kind the connector parses, statuses (sent, delivered, read,
 * failed) and template status updates.
 * @module
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FakePlatformServer, hmacSha256Hex, isObject, sampleMedia, startFakeSideServer, type FakeSideServer,
  type FakeInboundEvent, type FakeInboundKind, type FakePlatformOptions, type FakeResponse, type FakeTemplateReview,
  type MediaRef, type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { DEFAULT_API_VERSION } from './config.js';
import { GraphFailure, checkAccessToken, graphError, graphParams, type GraphFile } from './fake-graph-api.js';
import { WHATSAPP_MEDIA_LIMITS } from './policy.js';
import { SIGNATURE_HEADER } from './whatsapp-connector.js';
import { WHATSAPP_MEDIA_TTL_MS } from './whatsapp-media.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const whatsappSandboxConfig = {
  accessToken: 'EAAsandboxWhatsAppAccessToken0000',
  appSecret: 'sandbox-whatsapp-app-secret',
  verifyToken: 'sandbox-whatsapp-verify-token',
  phoneNumberId: '106540352242922',
  businessAccountId: '102290129340398',
} as const;

/** The display number the sandbox phone number id stands for. */
export const SANDBOX_DISPLAY_PHONE_NUMBER = '15550783881';

/** Template categories as Graph spells them. */
export type GraphTemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
/** Review states of a template. */
export type TemplateStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

/** A message template as the fake stores it. */
export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  category: GraphTemplateCategory;
  status: TemplateStatus;
  components: unknown[];
  /** `POSITIONAL` (`{{1}}`) or `NAMED` (`{{first_name}}`). */
  parameterFormat?: 'POSITIONAL' | 'NAMED';
  rejectedReason?: string;
}

/** A message the fake accepted. */
export interface AcceptedMessage {
  wamid: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  at: Date;
}

/** A media object the fake holds (uploaded by the business, or sent by a simulated customer). */
export interface FakeMedia {
  id: string;
  bytes: Buffer;
  mimeType: string;
  /** Base64 SHA-256 of the bytes, as webhooks carry it (the retrieve-URL answer gives it in hex). */
  sha256: string;
  filename?: string;
  /** When Graph forgets the id (platform time): 30 days after an upload, 7 days after a customer sent it; never when unset. */
  expiresAt?: Date;
}

/** Options of the fake beyond the common ones. */
export interface FakeWhatsAppOptions extends FakePlatformOptions {
  /**
   * The platform's time in ms.
   * @deprecated pass `clock` (the same time as a core `Clock`); kept for callers written before it
   */
  now?: () => number;
}

interface Settings {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  businessAccountId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  /** Messages per second per business number (Cloud API default 80). */
  throughputPerSecond: number;
  /** Interval of the pair rate (one message per 6 s to the same user). */
  pairIntervalMs: number;
  /** Messages that may be sent to one user in a burst before the pair rate applies (Meta documents 45). */
  pairBurst: number;
}

const SUPPORTED_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'] as const;
const MEDIA = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a media URL from `GET /{media-id}` can be downloaded (Meta: 5 minutes). */
const MEDIA_URL_TTL_MS = WHATSAPP_MEDIA_TTL_MS.downloadUrl;
/** Media types the upload endpoint takes, with the largest file per type (Meta's supported media types; WebP: animated stickers). */
const MEDIA_LIMITS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(WHATSAPP_MEDIA_LIMITS).flatMap((l) => l.types.map((type) => [type.split(';')[0]!.trim(), l.uploadMaxBytes] as const)),
);
/** The message type WhatsApp reports for each simulated media type. */
const SIMULATED_MEDIA: Readonly<Record<'image' | 'video' | 'audio' | 'file', 'image' | 'video' | 'audio' | 'document'>> = {
  image: 'image', video: 'video', audio: 'audio', file: 'document',
};
/** The id of the Meta app the fake's access token belongs to. */
const FAKE_APP_ID = '1234567890123456';
const TEMPLATE_FIELDS = ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'] as const;

const invalid = (details: string): GraphFailure => graphError(400, 100, '(#100) Invalid parameter', { details, messagingProduct: 'whatsapp' });
const required = (param: string): GraphFailure => graphError(400, 100, `(#100) The parameter ${param} is required.`);
const notValid = (details: string): GraphFailure => graphError(400, 131009, '(#131009) Parameter value is not valid', { details, messagingProduct: 'whatsapp' });
const noSuchObject = (method: string, id: string): GraphFailure => graphError(400, 100,
  `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  { type: 'GraphMethodException', subcode: 33 });

function str(obj: Record<string, unknown>, key: string): string | undefined {
  return typeof obj[key] === 'string' ? obj[key] : undefined;
}

function maxLength(value: string | undefined, max: number, param: string): void {
  if (value !== undefined && value.length > max) throw invalid(`Param ${param} must be at most ${max} characters long.`);
}

/** A WhatsApp id from a `to` as Meta takes it: a plus sign, hyphens, parentheses and spaces are allowed around the digits. */
function waIdOf(to: string): string | undefined {
  if (!/^\+?[\d\s()-]+$/.test(to)) return undefined;
  const digits = to.replace(/\D/g, '');
  return digits.length >= 6 && digits.length <= 15 ? digits : undefined;
}

/** The fake WhatsApp Cloud API. */
export class FakeWhatsAppServer extends FakePlatformServer {
  /** Always `whatsapp`. */
  readonly channel = 'whatsapp';
  /** Customer events this fake delivers as WhatsApp does (there is no block or close webhook on WhatsApp). */
  override readonly simulatedKinds: readonly FakeInboundKind[] = ['text', 'media', 'location', 'button', 'subscribe', 'unsubscribe', 'conversation-started', 'contact', 'sticker', 'reaction'];
  /** Messages accepted, oldest first. */
  readonly accepted: AcceptedMessage[] = [];
  private readonly settings: Settings;
  private readonly legacyNow: (() => number) | undefined;
  private readonly templates = new Map<string, FakeTemplate>();
  private readonly media = new Map<string, FakeMedia>();
  private readonly pairCursor = new Map<string, number>();
  private readonly lastInbound = new Map<string, number>();
  /** Customer messages by wamid (what mark-as-read may name). */
  private readonly inbound = new Map<string, { from: string; at: number }>();
  private readonly callbackData = new Map<string, string>();
  private readonly urlKey = randomBytes(16);
  private cdn: FakeSideServer | undefined;
  /** The app's subscription to the WhatsApp Business Account (`subscribed_apps`), once made. */
  private appSubscription: { overrideCallbackUri?: string } | undefined;
  private counter = 0;

  /** @param options - port, latency, clock, receipts, webhook URL, config overrides (any {@link whatsappSandboxConfig} field, `displayPhoneNumber`, `verifiedName`, `throughputPerSecond`, `pairIntervalMs`, `pairBurst`, `templates`) */
  constructor(options: FakeWhatsAppOptions = {}) {
    super(options);
    const c = options.config ?? {};
    const s = (key: string, fallback: string): string => (typeof c[key] === 'string' ? c[key] : fallback);
    const n = (key: string, fallback: number): number => (typeof c[key] === 'number' ? c[key] : fallback);
    this.settings = {
      // secrets not given are this instance's own: a sandbox reachable by others has no public secret
      accessToken: s('accessToken', `EAA${randomBytes(24).toString('hex')}`),
      appSecret: s('appSecret', randomBytes(16).toString('hex')),
      verifyToken: s('verifyToken', randomBytes(16).toString('base64url')),
      phoneNumberId: s('phoneNumberId', whatsappSandboxConfig.phoneNumberId),
      businessAccountId: s('businessAccountId', whatsappSandboxConfig.businessAccountId),
      displayPhoneNumber: s('displayPhoneNumber', SANDBOX_DISPLAY_PHONE_NUMBER),
      verifiedName: s('verifiedName', 'Switchboard Sandbox'),
      throughputPerSecond: n('throughputPerSecond', 80),
      pairIntervalMs: n('pairIntervalMs', 6000),
      pairBurst: n('pairBurst', 45),
    };
    this.legacyNow = options.now;
    // every new WhatsApp Business Account comes with Meta's approved sample template
    this.seedTemplate({ name: 'hello_world', language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hello World' }] });
    if (Array.isArray(c.templates)) {
      for (const t of c.templates) {
        if (isObject(t) && typeof t.name === 'string') {
          this.seedTemplate({
            name: t.name, language: typeof t.language === 'string' ? t.language : 'en_US',
            category: (typeof t.category === 'string' ? t.category.toUpperCase() : 'UTILITY') as GraphTemplateCategory,
            status: (typeof t.status === 'string' ? t.status : 'APPROVED') as TemplateStatus,
            components: Array.isArray(t.components) ? t.components : typeof t.body === 'string' ? [{ type: 'BODY', text: t.body }] : [],
          });
        }
      }
    }
  }

  /** The platform's time: the `clock` option (or the deprecated `now`), else the base's scaled wall clock. */
  override platformNow(): number {
    return this.legacyNow ? this.legacyNow() : super.platformNow();
  }

  /** The connector config that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    const { accessToken, appSecret, verifyToken, phoneNumberId, businessAccountId } = this.settings;
    return { accessToken, appSecret, verifyToken, phoneNumberId, businessAccountId, apiBaseUrl: this.url, apiVersion: DEFAULT_API_VERSION };
  }

  /**
   * The app's subscription to the WhatsApp Business Account as `POST /<WABA id>/subscribed_apps`
   * left it (with the callback override it was given), or undefined while the app is not subscribed.
   */
  get subscription(): { overrideCallbackUri?: string } | undefined {
    return this.appSubscription ? { ...this.appSubscription } : undefined;
  }

  /** The query of a valid subscription handshake, as Meta sends it. */
  handshakeQuery(challenge = '1158201444'): Record<string, string> {
    return { 'hub.mode': 'subscribe', 'hub.verify_token': this.settings.verifyToken, 'hub.challenge': challenge };
  }

  /** Forgets requests, scripts, throttles, service windows, customer messages, accepted messages and the app's subscription (templates and media are kept). */
  override reset(): void {
    super.reset();
    this.appSubscription = undefined;
    this.accepted.length = 0;
    this.pairCursor.clear();
    this.lastInbound.clear();
    this.inbound.clear();
    this.callbackData.clear();
  }

  // ---- templates ----

  /** Stores a template directly, bypassing review. @returns the stored template */
  seedTemplate(t: Omit<FakeTemplate, 'id'> & { id?: string }): FakeTemplate {
    const template: FakeTemplate = { ...t, id: t.id ?? this.nextId() };
    this.templates.set(`${t.name}:${t.language}`, template);
    return template;
  }

  /** Every stored template. */
  listTemplates(): FakeTemplate[] {
    return [...this.templates.values()];
  }

  /** Approves a submitted template (all languages when `language` is omitted) without announcing it. @returns how many changed */
  approveTemplate(name: string, language?: string): number {
    return this.review(name, language, 'APPROVED').length;
  }

  /** Rejects a submitted template without announcing it. @returns how many changed */
  rejectTemplate(name: string, language?: string, reason = 'INVALID_FORMAT'): number {
    return this.review(name, language, 'REJECTED', reason).length;
  }

  /**
   * Meta's review of a template (every language when `language` is omitted): marks it APPROVED,
   * REJECTED or PAUSED and posts the `message_template_status_update` webhook for each to the
   * webhook URL, when one is known.
   * @param review - the template and the outcome
   * @returns false when no such template exists
   */
  async reviewTemplate(review: FakeTemplateReview): Promise<boolean> {
    const changed = this.review(review.name, review.language, review.status, review.status === 'REJECTED' ? review.reason ?? 'INVALID_FORMAT' : undefined);
    for (const t of changed) await this.postToWebhook(() => this.templateStatusUpdate(t, review.reason));
    return changed.length > 0;
  }

  /**
   * A signed `message_template_status_update` webhook for a template's current status, as Meta sends it.
   * @param template - the template
   * @param reason - the review's reason (rejections default to `INVALID_FORMAT`; approvals and pauses say `NONE`)
   */
  templateStatusUpdate(template: FakeTemplate, reason?: string): SignedWebhook {
    const value: Record<string, unknown> = {
      event: template.status,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason: template.status === 'REJECTED' ? template.rejectedReason ?? reason ?? 'INVALID_FORMAT' : 'NONE',
      message_template_category: template.category,
    };
    if (template.status === 'PAUSED') {
      value.other_info = { title: 'FIRST_PAUSE', description: reason ?? 'Your WhatsApp message template has been paused for 3 hours until Jan 1 at 12:00 AM UTC because it had issues.' };
    }
    if (template.status === 'REJECTED' && value.reason === 'INVALID_FORMAT') {
      value.rejection_info = { reason: 'The template does not follow the formatting guidelines.', recommendation: 'Review the template formatting guidelines and resubmit.' };
    }
    return this.signed({
      object: 'whatsapp_business_account',
      entry: [{ id: this.settings.businessAccountId, time: Math.floor(this.platformNow() / 1000), changes: [{ value, field: 'message_template_status_update' }] }],
    });
  }

  private review(name: string, language: string | undefined, status: TemplateStatus, reason?: string): FakeTemplate[] {
    const changed: FakeTemplate[] = [];
    for (const t of this.templates.values()) {
      if (t.name === name && (language === undefined || t.language === language)) {
        t.status = status;
        if (reason !== undefined) t.rejectedReason = reason; else delete t.rejectedReason;
        changed.push(t);
      }
    }
    return changed;
  }

  // ---- media ----

  /**
   * Stores a media object as if uploaded (what a customer's media message points at).
   * @param input - the bytes and type; `id` to choose the media id (default: the next Graph id);
   *   `ttlMs` how long Graph keeps it from now in platform time (default: for ever)
   * @returns the stored media
   */
  storeMedia(input: { bytes: Buffer; mimeType: string; filename?: string; id?: string; ttlMs?: number }): FakeMedia {
    const m: FakeMedia = {
      id: input.id ?? this.nextId(), bytes: input.bytes, mimeType: input.mimeType, sha256: createHash('sha256').update(input.bytes).digest('base64'),
      ...(input.filename !== undefined ? { filename: input.filename } : {}),
      ...(input.ttlMs !== undefined ? { expiresAt: new Date(this.platformNow() + input.ttlMs) } : {}),
    };
    this.media.set(m.id, m);
    return m;
  }

  /** The ids of the media objects the fake holds, oldest first (expired ones included until asked for). */
  listMediaIds(): string[] {
    return [...this.media.keys()];
  }

  /** A media object by id, while it exists and has not expired (in platform time). */
  getMedia(id: string): FakeMedia | undefined {
    const m = this.media.get(id);
    if (m?.expiresAt && m.expiresAt.getTime() <= this.platformNow()) {
      this.media.delete(id);
      return undefined;
    }
    return m;
  }

  /**
   * The bytes Graph holds for a media reference: a customer's media (by the id `parse` gave) or an
   * upload (by the id the upload answered), while the id is valid.
   * @param ref - a media reference with an `id`
   * @returns the bytes, or undefined for an unknown or expired id
   */
  storedMedia(ref: MediaRef): Buffer | undefined {
    return ref.id !== undefined ? this.getMedia(ref.id)?.bytes : undefined;
  }

  // ---- webhooks ----

  private signed(payload: unknown): SignedWebhook {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: `sha256=${hmacSha256Hex(this.settings.appSecret, body)}` },
      body,
    };
  }

  /**
   * A signed webhook around any `value` of the phone number (metadata is filled in).
   * @param value - the change's value without `messaging_product` and `metadata`
   * @param field - the webhook field (`messages`, `user_preferences`…)
   */
  webhook(value: Record<string, unknown>, field = 'messages'): SignedWebhook {
    return this.signed({
      object: 'whatsapp_business_account',
      entry: [{
        id: this.settings.businessAccountId,
        changes: [{
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: this.settings.displayPhoneNumber, phone_number_id: this.settings.phoneNumberId },
            ...value,
          },
          field,
        }],
      }],
    });
  }

  /** A customer message of any type, as the `messages` webhook carries it; opens the service window. */
  private customerMessage(input: { userId: string; name?: string; messageId?: string; timestamp?: Date; context?: Record<string, unknown> }, type: string, content: Record<string, unknown>): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    const id = input.messageId ?? this.wamid(input.userId);
    this.lastInbound.set(input.userId, Math.max(at, this.lastInbound.get(input.userId) ?? at));
    this.inbound.set(id, { from: input.userId, at });
    const message: Record<string, unknown> = { from: input.userId, id, timestamp: String(Math.floor(at / 1000)), type, ...content };
    if (input.context) message.context = input.context;
    return this.webhook({ contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.userId }], messages: [message] });
  }

  /** A signed webhook carrying a customer's text message (opens the service window in the fake). */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date; replyTo?: string }): SignedWebhook {
    return this.customerMessage({ ...input, ...(input.replyTo ? { context: { from: this.settings.displayPhoneNumber, id: input.replyTo } } : {}) }, 'text', { text: { body: input.text } });
  }

  /**
   * A signed webhook for a customer event, as WhatsApp delivers it: text; media — the event's `file`
   * or core's sample file of the type (a real PNG, MP4, Ogg Opus or PDF), stored for 7 days of
   * platform time so `GET /{media-id}` and the authenticated download serve it, announced with its
   * `mime_type`, Base64 `sha256` and, for a document, `filename`; location; a reply button tap (`interactive.button_reply`,
   * in reply to the last message sent to the customer); and the marketing preference (`user_preferences`
   * `resume` for subscribe, `stop` for unsubscribe); `conversation-started` a `request_welcome`
   * message (the user opening the chat for the first time); a `contacts` message with one card; a
   * `sticker` (stored like media; `stickerId` becomes its media id); a `reaction` to `messageId`, by
   * default the last message sent to the customer.
   * @throws RangeError for kinds WhatsApp has no webhook for (block, close, capabilities, url)
   */
  override simulate(event: FakeInboundEvent): SignedWebhook {
    const who = { userId: event.userId, ...(event.name !== undefined ? { name: event.name } : {}) };
    switch (event.kind) {
      case 'text': return this.userMessage({ ...who, text: event.text });
      case 'media': {
        const type = SIMULATED_MEDIA[event.mediaType];
        const sample = sampleMedia(event.mediaType);
        // a document keeps its file name; WhatsApp reports none for other media
        const filename = type === 'document' ? event.file?.filename ?? sample.filename : undefined;
        const m = this.storeMedia({
          bytes: event.file?.body ?? sample.body, mimeType: event.file?.mimeType ?? sample.mimeType, ttlMs: WHATSAPP_MEDIA_TTL_MS.inboundId,
          ...(filename !== undefined ? { filename } : {}),
        });
        const media: Record<string, unknown> = {
          ...(event.caption !== undefined && type !== 'audio' ? { caption: event.caption } : {}),
          ...(filename !== undefined ? { filename } : {}),
          mime_type: m.mimeType, sha256: m.sha256, id: m.id,
        };
        return this.customerMessage(who, type, { [type]: media });
      }
      case 'location':
        return this.customerMessage(who, 'location', { location: { latitude: event.latitude, longitude: event.longitude } });
      case 'button': {
        const last = [...this.accepted].reverse().find((a) => a.to === event.userId);
        return this.customerMessage({ ...who, ...(last ? { context: { from: this.settings.displayPhoneNumber, id: last.wamid } } : {}) }, 'interactive', {
          interactive: { type: 'button_reply', button_reply: { id: event.payload, title: event.title ?? event.payload } },
        });
      }
      case 'subscribe': case 'unsubscribe':
        return this.userPreferences({ ...who, value: event.kind === 'subscribe' ? 'resume' : 'stop' });
      case 'conversation-started':
        return this.customerMessage(who, 'request_welcome', {});
      case 'contact': {
        const [first, ...rest] = event.contactName.split(' ');
        const name = { formatted_name: event.contactName, first_name: first, ...(rest.length > 0 ? { last_name: rest.join(' ') } : {}) };
        return this.customerMessage(who, 'contacts', { contacts: [{ name, ...(event.phone !== undefined ? { phones: [{ phone: event.phone, type: 'CELL' }] } : {}) }] });
      }
      case 'sticker': {
        const m = this.storeMedia({ bytes: randomBytes(64), mimeType: 'image/webp', ttlMs: WHATSAPP_MEDIA_TTL_MS.inboundId, ...(event.stickerId !== undefined ? { id: event.stickerId } : {}) });
        const id = m.id;
        return this.customerMessage(who, 'sticker', { sticker: { mime_type: m.mimeType, sha256: m.sha256, id, animated: false } });
      }
      case 'reaction': {
        const target = event.messageId ?? [...this.accepted].reverse().find((a) => a.to === event.userId)?.wamid ?? this.wamid(event.userId);
        return this.customerMessage(who, 'reaction', { reaction: { message_id: target, emoji: event.emoji } });
      }
      default:
        throw new RangeError(`the WhatsApp fake cannot simulate '${event.kind}' events: WhatsApp has no such webhook (supported: ${this.simulatedKinds.join(', ')})`);
    }
  }

  /** A signed status webhook (sent, delivered, read, failed with an error) for an outbound wamid. */
  statusUpdate(input: {
    userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date;
    error?: { code: number; title: string; details?: string }; pricingCategory?: 'marketing' | 'utility' | 'authentication' | 'service';
  }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    const status: Record<string, unknown> = { id: input.externalId, status: input.status, timestamp: String(Math.floor(at / 1000)), recipient_id: input.userId };
    const callback = this.callbackData.get(input.externalId);
    if (callback !== undefined) status.biz_opaque_callback_data = callback;
    if (input.status !== 'failed' && input.status !== 'read') {
      const category = input.pricingCategory ?? this.categoryOf(input.externalId);
      status.pricing = { billable: category !== 'service', pricing_model: 'PMP', category, type: category === 'service' ? 'free_customer_service' : 'regular' };
    }
    if (input.status === 'failed') {
      const e = input.error ?? { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' };
      status.errors = [{
        code: e.code, title: e.title, message: e.title,
        error_data: { details: e.details ?? e.title }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      }];
    }
    return this.webhook({ statuses: [status] });
  }

  /** A template's category in lower case (what status pricing names), `service` for a free-form message. */
  private categoryOf(wamid: string): 'marketing' | 'utility' | 'authentication' | 'service' {
    const sent = this.accepted.find((a) => a.wamid === wamid);
    const t = sent?.type === 'template' && isObject(sent.body.template) ? sent.body.template : undefined;
    const language = t && isObject(t.language) ? str(t.language, 'code') : undefined;
    const stored = t ? this.templates.get(`${str(t, 'name') ?? ''}:${language ?? ''}`) : undefined;
    return stored ? stored.category.toLowerCase() as 'marketing' | 'utility' | 'authentication' : 'service';
  }

  /** A signed `user_preferences` webhook: the user stopped or resumed marketing messages. */
  userPreferences(input: { userId: string; value: 'stop' | 'resume'; name?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.platformNow();
    return this.webhook({
      contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.userId }],
      user_preferences: [{
        wa_id: input.userId,
        detail: input.value === 'stop' ? 'User requested to stop marketing messages' : 'User requested to resume marketing messages',
        category: 'marketing_messages', value: input.value, timestamp: Math.floor(at / 1000),
      }],
    }, 'user_preferences');
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
    const m = /^\/v\d+\.\d+\/([^/]+)(?:\/([^/]+))?\/?$/.exec(req.path);
    if (!m) throw graphError(400, 2500, `Unknown path components: ${req.path}`);
    const [, objectId, edge] = m as unknown as [string, string, string | undefined];
    checkAccessToken(req, this.settings.accessToken, params);
    if (unreadable) throw graphError(400, 100, '(#100) The parameter messaging_product is required.');
    const { phoneNumberId, businessAccountId } = this.settings;
    if (edge === undefined) {
      if (objectId === phoneNumberId && req.method === 'GET') return this.phoneNumber();
      const media = this.getMedia(objectId);
      if (media && req.method === 'GET') return this.mediaInfo(media, req.query.phone_number_id);
      if (media && req.method === 'DELETE') return this.deleteMedia(media, req.query.phone_number_id);
      const template = [...this.templates.values()].find((t) => t.id === objectId);
      if (template && req.method === 'GET') return { status: 200, body: templateFields(template, req.query.fields) };
    }
    if (objectId === phoneNumberId && req.method === 'POST' && edge === 'messages') return this.messages(req, params);
    if (objectId === phoneNumberId && req.method === 'POST' && edge === 'media') return this.upload(params, files);
    if (objectId === businessAccountId && edge === 'subscribed_apps') return this.subscribedApps(req.method, params);
    if (objectId === businessAccountId && edge === 'message_templates') {
      if (req.method === 'POST') return this.submitTemplate(params);
      if (req.method === 'GET') return this.templatePage(params);
      if (req.method === 'DELETE') return this.deleteTemplate(params);
    }
    throw noSuchObject(req.method, objectId);
  }

  /**
   * `subscribed_apps` on the WhatsApp Business Account: POST subscribes the app (with an optional
   * `override_callback_uri`, which needs `verify_token`), GET lists it, DELETE unsubscribes.
   */
  private subscribedApps(method: string, params: Record<string, unknown>): FakeResponse {
    if (method === 'GET') {
      const data = this.appSubscription
        ? [{
          whatsapp_business_api_data: { id: FAKE_APP_ID, link: `https://www.facebook.com/games/?app_id=${FAKE_APP_ID}`, name: 'Switchboard' },
          ...(this.appSubscription.overrideCallbackUri ? { override_callback_uri: this.appSubscription.overrideCallbackUri } : {}),
        }]
        : [];
      return { status: 200, body: { data } };
    }
    if (method === 'DELETE') { this.appSubscription = undefined; return { status: 200, body: { success: true } }; }
    if (method !== 'POST') throw noSuchObject(method, this.settings.businessAccountId);
    const override = params.override_callback_uri;
    if (override !== undefined) {
      if (typeof override !== 'string' || override.length > 200 || !URL.canParse(override) || new URL(override).protocol !== 'https:') {
        throw graphError(400, 100, '(#100) Invalid parameter', { details: 'override_callback_uri must be a valid HTTPS URL of at most 200 characters' });
      }
      if (typeof params.verify_token !== 'string' || params.verify_token === '') throw required('verify_token');
    }
    this.appSubscription = typeof override === 'string' ? { overrideCallbackUri: override } : {};
    return { status: 200, body: { success: true } };
  }

  private phoneNumber(): FakeResponse {
    const { displayPhoneNumber, verifiedName, phoneNumberId } = this.settings;
    return {
      status: 200,
      body: {
        verified_name: verifiedName, code_verification_status: 'VERIFIED', display_phone_number: `+${displayPhoneNumber}`,
        quality_rating: 'GREEN', platform_type: 'CLOUD_API', throughput: { level: 'STANDARD' }, id: phoneNumberId,
      },
    };
  }

  private messages(req: RecordedRequest, body: Record<string, unknown>): FakeResponse {
    if (body.messaging_product !== 'whatsapp') throw required('messaging_product');
    // mark-as-read (and the typing indicator) share the endpoint: they carry `status` and no recipient
    if (body.status !== undefined) return this.markRead(body);
    return this.sendMessage(req, body);
  }

  private markRead(body: Record<string, unknown>): FakeResponse {
    if (body.status !== 'read') throw invalid(`Param status must be "read" - got "${String(body.status)}".`);
    const messageId = str(body, 'message_id');
    if (!messageId) throw required('message_id');
    if (body.typing_indicator !== undefined) {
      if (!isObject(body.typing_indicator) || body.typing_indicator.type !== 'text') throw invalid('Param typing_indicator[\'type\'] must be one of {text}');
    }
    // only messages a customer sent can be marked as read
    if (!this.inbound.has(messageId)) throw invalid(`Invalid message_id: ${messageId} is not a message received by this phone number.`);
    return { status: 200, body: { success: true } };
  }

  private sendMessage(req: RecordedRequest, body: Record<string, unknown>): FakeResponse {
    const to = str(body, 'to');
    if (!to) throw required('to');
    const waId = waIdOf(to);
    if (!waId) throw invalid(`Invalid recipient phone number: ${to}`);
    if (body.recipient_type !== undefined && body.recipient_type !== 'individual') throw invalid('recipient_type must be individual');
    const type = str(body, 'type') ?? 'text';
    if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) throw invalid(`Param type must be one of {${SUPPORTED_TYPES.join(', ')}} - got "${type}".`);
    if (body.context !== undefined && !(isObject(body.context) && typeof body.context.message_id === 'string')) throw invalid("Param context['message_id'] must be a string");
    const object = body[type];
    if (!isObject(object) && !(type === 'contacts' && Array.isArray(object))) throw required(type);
    this.validate(type, object as Record<string, unknown> | unknown[]);
    if (body.biz_opaque_callback_data !== undefined) {
      if (typeof body.biz_opaque_callback_data !== 'string') throw invalid('Param biz_opaque_callback_data must be a string');
      maxLength(body.biz_opaque_callback_data, 512, 'biz_opaque_callback_data');
    }
    // the customer service window: only a template may reach a customer who has not written in 24 hours
    if (type !== 'template') {
      const last = this.lastInbound.get(waId);
      if (last === undefined || this.platformNow() - last >= DAY_MS) {
        throw graphError(400, 131047, '(#131047) Re-engagement message', {
          messagingProduct: 'whatsapp',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        });
      }
    }
    this.throttle(waId);
    const wamid = this.wamid(waId);
    const at = this.platformNow();
    if (typeof body.biz_opaque_callback_data === 'string') this.callbackData.set(wamid, body.biz_opaque_callback_data);
    this.accepted.push({ wamid, to: waId, type, body, at: new Date(at) });
    this.recordSent({ id: wamid, userId: waId, type, at: new Date(at).toISOString(), request: { method: req.method, path: req.path, body } });
    const message: Record<string, unknown> = { id: wamid };
    if (type === 'template') message.message_status = 'accepted';
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: waId }], messages: [message] } };
  }

  private throttle(waId: string): void {
    const now = this.platformNow();
    const { throughputPerSecond, pairIntervalMs, pairBurst } = this.settings;
    if (!this.limiter.take(`number:${this.settings.phoneNumberId}`, throughputPerSecond, 1000, now)) {
      throw graphError(400, 130429, '(#130429) Rate limit hit', { messagingProduct: 'whatsapp', details: 'Cloud API message throughput has been reached.' });
    }
    // a leaky bucket: each message books one interval; a burst may run ahead by pairBurst intervals
    const cursor = Math.max(now, this.pairCursor.get(waId) ?? now) + pairIntervalMs;
    if (cursor - now > pairBurst * pairIntervalMs) {
      throw graphError(400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit', {
        messagingProduct: 'whatsapp',
        details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      });
    }
    this.pairCursor.set(waId, cursor);
  }

  private validate(type: string, object: Record<string, unknown> | unknown[]): void {
    if (Array.isArray(object)) return this.validateContacts(object);
    if (MEDIA.has(type)) {
      const id = str(object, 'id');
      const link = str(object, 'link');
      if (!id && !link) throw invalid(`Param ${type} must have either id or link`);
      if (id && link) throw invalid(`Param ${type} must have only one of id or link`);
      // an id must name media Graph holds for the number (uploaded within 30 days, or a customer's within 7)
      if (id && !this.getMedia(id)) throw graphError(400, 100, `(#100) Param ${type}['id'] is not a valid whatsapp business account media attachment ID`);
      if (object.caption !== undefined && (type === 'audio' || type === 'sticker')) throw invalid(`Param ${type}['caption'] is not supported for ${type}`);
      maxLength(str(object, 'caption'), 1024, `${type}['caption']`);
      return;
    }
    switch (type) {
      case 'text': {
        const text = str(object, 'body');
        if (text === undefined || text === '') throw required("text['body']");
        maxLength(text, 4096, "text['body']");
        if (object.preview_url !== undefined && typeof object.preview_url !== 'boolean') throw invalid("Param text['preview_url'] must be a boolean");
        return;
      }
      case 'location':
        if (typeof object.latitude !== 'number' || typeof object.longitude !== 'number') throw required("location['latitude'] and location['longitude']");
        return;
      case 'reaction':
        if (!str(object, 'message_id')) throw required("reaction['message_id']");
        if (typeof object.emoji !== 'string') throw required("reaction['emoji']");
        return;
      case 'interactive': return this.validateInteractive(object);
      case 'template': return this.validateTemplate(object);
      default: throw invalid(`contacts must be an array`);
    }
  }

  private validateContacts(list: unknown[]): void {
    if (list.length === 0) throw required('contacts');
    for (const c of list) {
      if (!isObject(c) || !isObject(c.name) || typeof c.name.formatted_name !== 'string') throw required("contacts['name']['formatted_name']");
      const n = c.name;
      if (!['first_name', 'last_name', 'middle_name', 'suffix', 'prefix'].some((k) => typeof n[k] === 'string')) {
        throw invalid("Param contacts['name'] requires at least one of first_name, last_name, middle_name, suffix, prefix");
      }
    }
  }

  private validateInteractive(it: Record<string, unknown>): void {
    const kind = str(it, 'type');
    const body = isObject(it.body) ? str(it.body, 'text') : undefined;
    if (!body) throw required("interactive['body']['text']");
    if (body.length > 1024) throw notValid('Body text length invalid. Min length: 1, Max length: 1024');
    if (isObject(it.header) && (str(it.header, 'text') ?? '').length > 60) throw notValid('Header text length invalid. Min length: 1, Max length: 60');
    if (isObject(it.footer) && (str(it.footer, 'text') ?? '').length > 60) throw notValid('Footer text length invalid. Min length: 1, Max length: 60');
    const action = isObject(it.action) ? it.action : undefined;
    if (!action) throw required("interactive['action']");
    if (kind === 'button') {
      const buttons = Array.isArray(action.buttons) ? action.buttons : [];
      if (buttons.length < 1 || buttons.length > 3) throw notValid('Buttons count should be in range 1 to 3');
      const ids = new Set<string>();
      for (const b of buttons) {
        const reply = isObject(b) && b.type === 'reply' && isObject(b.reply) ? b.reply : undefined;
        const title = reply ? str(reply, 'title') : undefined;
        const id = reply ? str(reply, 'id') : undefined;
        if (!title || !id) throw required("interactive['action']['buttons'][]['reply']['id'/'title']");
        if (title.length > 20) throw notValid('Button title length invalid. Min length: 1, Max length: 20');
        if (id.length > 256) throw notValid('Button id length invalid. Min length: 1, Max length: 256');
        if (ids.has(id)) throw notValid('Button id must be unique');
        ids.add(id);
      }
      return;
    }
    if (kind === 'list') {
      const button = str(action, 'button');
      if (!button) throw required("interactive['action']['button']");
      if (button.length > 20) throw notValid('Button title length invalid. Min length: 1, Max length: 20');
      const sections = Array.isArray(action.sections) ? action.sections : [];
      if (sections.length < 1 || sections.length > 10) throw notValid('Sections count should be in range 1 to 10');
      let rows = 0;
      for (const s of sections) {
        if (!isObject(s) || !Array.isArray(s.rows)) throw required("interactive['action']['sections'][]['rows']");
        if (sections.length > 1 && !str(s, 'title')) throw notValid('Section title is required when there is more than one section');
        for (const r of s.rows) {
          rows++;
          if (!isObject(r) || !str(r, 'id') || !str(r, 'title')) throw required("interactive['action']['sections'][]['rows'][]['id'/'title']");
          if ((str(r, 'title') ?? '').length > 24) throw notValid('Row title length invalid. Min length: 1, Max length: 24');
          if ((str(r, 'description') ?? '').length > 72) throw notValid('Row description length invalid. Min length: 1, Max length: 72');
        }
      }
      if (rows > 10) throw notValid(`Total row count exceed max allowed count: 10`);
      return;
    }
    if (kind === 'cta_url') {
      const p = isObject(action.parameters) ? action.parameters : undefined;
      if (action.name !== 'cta_url' || !p || !str(p, 'display_text') || !str(p, 'url')) throw required("interactive['action']['parameters']['display_text'/'url']");
      if ((str(p, 'display_text') ?? '').length > 20) throw notValid('Display text length invalid. Min length: 1, Max length: 20');
      return;
    }
    throw invalid(`Param interactive['type'] must be one of {button, list, cta_url, product, product_list, flow, location_request_message} - got "${kind ?? ''}".`);
  }

  private validateTemplate(t: Record<string, unknown>): void {
    const name = str(t, 'name');
    if (!name) throw required("template['name']");
    const language = isObject(t.language) ? str(t.language, 'code') : undefined;
    if (!language) throw required("template['language']['code']");
    const stored = this.templates.get(`${name}:${language}`);
    if (!stored || stored.status !== 'APPROVED') {
      throw graphError(404, 132001, '(#132001) Template name does not exist in the translation', {
        messagingProduct: 'whatsapp',
        details: stored ? `template name (${name}) exists in ${language} but is ${stored.status}` : `template name (${name}) does not exist in ${language}`,
      });
    }
    const components = Array.isArray(t.components) ? t.components : [];
    const bodyParams = components.filter((c) => isObject(c) && c.type === 'body').flatMap((c) => ((c as { parameters?: unknown }).parameters as unknown[] | undefined) ?? []);
    const bodyText = stored.components.filter(isObject).find((c) => c.type === 'BODY')?.text;
    if (typeof bodyText === 'string') {
      const expected = new Set([...bodyText.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((x) => x[1])).size;
      if (bodyParams.length !== expected) {
        throw graphError(400, 132000, '(#132000) Number of parameters does not match the expected number of params', {
          messagingProduct: 'whatsapp',
          details: `body: number of localizable_params (${bodyParams.length}) does not match the expected number of params (${expected})`,
        });
      }
    }
  }

  // ---- template management on the WhatsApp Business Account ----

  private submitTemplate(body: Record<string, unknown>): FakeResponse {
    const name = str(body, 'name');
    const language = str(body, 'language');
    const category = str(body, 'category')?.toUpperCase();
    if (!name) throw required('name');
    if (name.length > 512 || !/^[a-z0-9_]+$/.test(name)) throw invalid('Template name may only contain lowercase letters, digits and underscores, at most 512 characters.');
    if (!language) throw required('language');
    if (!category) throw required('category');
    if (!['MARKETING', 'UTILITY', 'AUTHENTICATION'].includes(category)) throw invalid(`Param category must be one of {MARKETING, UTILITY, AUTHENTICATION} - got "${category}".`);
    const format = body.parameter_format;
    if (format !== undefined && format !== 'POSITIONAL' && format !== 'NAMED') throw invalid(`Param parameter_format must be one of {POSITIONAL, NAMED} - got "${String(format)}".`);
    if (!Array.isArray(body.components) || body.components.length === 0) throw required('components');
    this.validateComponents(body.components);
    if (this.templates.has(`${name}:${language}`)) {
      throw graphError(400, 100, 'Invalid parameter', {
        subcode: 2388024, userTitle: 'Message template already exists',
        userMessage: `Content in this language already exists for template ${name}. Try a different template name or language.`,
      });
    }
    const t = this.seedTemplate({
      name, language, category: category as GraphTemplateCategory, status: 'PENDING', components: body.components,
      ...(format !== undefined ? { parameterFormat: format } : {}),
    });
    return { status: 200, body: { id: t.id, status: t.status, category: t.category } };
  }

  private validateComponents(components: unknown[]): void {
    const seen = new Set<string>();
    for (const c of components) {
      const type = isObject(c) ? str(c, 'type')?.toUpperCase() : undefined;
      if (!isObject(c) || !type || !['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(type)) throw invalid("Param components[]['type'] must be one of {HEADER, BODY, FOOTER, BUTTONS}");
      if (seen.has(type)) throw invalid(`Param components has more than one ${type} component`);
      seen.add(type);
      const text = str(c, 'text');
      if (type === 'BODY') {
        if (!text) throw required("components['BODY']['text']");
        maxLength(text, 1024, "components['BODY']['text']");
      }
      if (type === 'HEADER') {
        const format = str(c, 'format')?.toUpperCase() ?? '';
        if (!['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(format)) throw invalid("Param components['HEADER']['format'] must be one of {TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION}");
        if (format === 'TEXT' && !text) throw required("components['HEADER']['text']");
        maxLength(text, 60, "components['HEADER']['text']");
      }
      if (type === 'FOOTER') {
        if (!text) throw required("components['FOOTER']['text']");
        maxLength(text, 60, "components['FOOTER']['text']");
      }
      if (type === 'BUTTONS') {
        const buttons = Array.isArray(c.buttons) ? c.buttons : [];
        if (buttons.length < 1 || buttons.length > 10) throw invalid("Param components['BUTTONS']['buttons'] must hold 1 to 10 buttons");
        for (const b of buttons) {
          if (!isObject(b) || !str(b, 'type') || !str(b, 'text')) throw required("components['BUTTONS']['buttons'][]['type'/'text']");
          maxLength(str(b, 'text'), 25, "components['BUTTONS']['buttons'][]['text']");
        }
      }
    }
    if (!seen.has('BODY')) throw required("components['BODY']");
  }

  private templatePage(query: Record<string, unknown>): FakeResponse {
    const q = (key: string): string | undefined => (typeof query[key] === 'string' && query[key] !== '' ? query[key] : undefined);
    const list = (key: string): string[] | undefined => q(key)?.split(',').map((x) => x.trim().toUpperCase());
    const statuses = list('status');
    const categories = list('category');
    const name = q('name');
    const language = q('language');
    const matching = this.listTemplates().filter((t) => (!name || t.name.includes(name))
      && (!statuses || statuses.includes(t.status)) && (!categories || categories.includes(t.category)) && (!language || t.language === language));
    const limitParam = Number(q('limit') ?? 25);
    const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : 25;
    const cursor = (i: number): string => Buffer.from(String(i)).toString('base64url');
    const fromCursor = (c: string | undefined): number | undefined => (c === undefined ? undefined : Number(Buffer.from(c, 'base64url').toString('utf8')));
    const after = fromCursor(q('after'));
    const before = fromCursor(q('before'));
    let start = after !== undefined && Number.isInteger(after) ? after + 1 : 0;
    if (before !== undefined && Number.isInteger(before) && after === undefined) start = Math.max(0, before - limit);
    const page = matching.slice(start, start + limit);
    const body: Record<string, unknown> = { data: page.map((t) => templateFields(t, q('fields'))) };
    if (page.length > 0) {
      const last = start + page.length - 1;
      const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(last) } };
      const base = `${this.url}/${DEFAULT_API_VERSION}/${this.settings.businessAccountId}/message_templates`;
      const keep = Object.entries(query).filter(([k, v]) => typeof v === 'string' && !['after', 'before', 'access_token'].includes(k)) as [string, string][];
      if (last < matching.length - 1) paging.next = `${base}?${new URLSearchParams([...keep, ['after', cursor(last)]]).toString()}`;
      if (start > 0) paging.previous = `${base}?${new URLSearchParams([...keep, ['before', cursor(start)]]).toString()}`;
      body.paging = paging;
    }
    return { status: 200, body };
  }

  private deleteTemplate(params: Record<string, unknown>): FakeResponse {
    const name = str(params, 'name');
    const hsmId = str(params, 'hsm_id');
    if (!name) throw required('name');
    const doomed = this.listTemplates().filter((t) => t.name === name && (hsmId === undefined || t.id === hsmId));
    if (doomed.length === 0) {
      throw graphError(400, 100, 'Invalid parameter', {
        subcode: 2593002, isTransient: false, userTitle: 'Message template not found', userMessage: `The message template ${name} wasn't found for this account.`,
      });
    }
    for (const t of doomed) this.templates.delete(`${t.name}:${t.language}`);
    return { status: 200, body: { success: true } };
  }

  // ---- media ----

  /**
   * `POST /{phone-number-id}/media`: multipart with `messaging_product=whatsapp`, `type` and the
   * `file` part. The type is the `type` parameter, else the part's own content type; a part that
   * names a type of its own must name the same one. Types and sizes are Meta's supported media types.
   */
  private upload(params: Record<string, unknown>, files: Record<string, GraphFile>): FakeResponse {
    if (params.messaging_product !== 'whatsapp') throw required('messaging_product');
    const file = files.file;
    if (!file) throw required('file');
    const base = (t: string): string => t.toLowerCase().split(';')[0]!.trim();
    const partType = base(file.type);
    const type = str(params, 'type') !== undefined ? base(str(params, 'type')!) : partType;
    const allowed = `Param file must be a file with one of the following types: ${Object.keys(MEDIA_LIMITS).join(', ')}.`;
    const limit = MEDIA_LIMITS[type];
    if (limit === undefined) throw invalid(`${allowed} Received file of type '${type}'.`);
    if (partType !== 'application/octet-stream' && partType !== type) throw invalid(`${allowed} Received file of type '${partType}' declared as '${type}'.`);
    if (file.bytes.length === 0) throw invalid('Param file must not be empty');
    if (file.bytes.length > limit) throw invalid(`Param file must be at most ${limit} bytes for type ${type}; got ${file.bytes.length}.`);
    const m = this.storeMedia({ bytes: file.bytes, mimeType: type, ttlMs: WHATSAPP_MEDIA_TTL_MS.uploadedId, ...(file.name !== undefined ? { filename: file.name } : {}) });
    return { status: 200, body: { id: m.id } };
  }

  private checkOwner(phoneNumberId: string | undefined): void {
    if (phoneNumberId !== undefined && phoneNumberId !== this.settings.phoneNumberId) {
      throw invalid(`Media does not belong to phone number ${phoneNumberId}`);
    }
  }

  private mediaInfo(m: FakeMedia, phoneNumberId: string | undefined): FakeResponse {
    this.checkOwner(phoneNumberId);
    const expires = Math.floor((this.platformNow() + MEDIA_URL_TTL_MS) / 1000);
    const hash = createHmac('sha256', this.urlKey).update(`${m.id}:${expires}`).digest('base64url');
    const url = `${this.cdn?.url ?? ''}/whatsapp_business/attachments/?${new URLSearchParams({ mid: m.id, ext: String(expires), hash }).toString()}`;
    // Meta's media reference samples show the digest in hex here (webhooks carry it in Base64)
    const sha256 = Buffer.from(m.sha256, 'base64').toString('hex');
    return { status: 200, body: { messaging_product: 'whatsapp', url, mime_type: m.mimeType, sha256, file_size: String(m.bytes.length), id: m.id } };
  }

  private deleteMedia(m: FakeMedia, phoneNumberId: string | undefined): FakeResponse {
    this.checkOwner(phoneNumberId);
    this.media.delete(m.id);
    return { status: 200, body: { success: true } };
  }

  /** Starts the Graph API and the media host (Meta serves media URLs from a host of their own). */
  override async start(): Promise<void> {
    await super.start();
    this.cdn ??= await startFakeSideServer((req, res) => { this.download(req, res); });
  }

  /** Stops the media host and the Graph API. */
  override async stop(): Promise<void> {
    const cdn = this.cdn;
    this.cdn = undefined;
    await cdn?.stop();
    await super.stop();
  }

  /** A media URL's download: only with the access token in the `Authorization` header, only while the URL has not expired. */
  private download(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://media');
    const query = Object.fromEntries(url.searchParams);
    const answer = (status: number, body: string | Buffer, type: string): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    try {
      const headers = { authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : '' };
      checkAccessToken({ method: req.method ?? 'GET', path: url.pathname, query: {}, headers, body: '', rawBody: Buffer.alloc(0), at: new Date(this.platformNow()) }, this.settings.accessToken);
    } catch (error) {
      if (error instanceof GraphFailure) { answer(error.status, JSON.stringify(error.body), 'application/json'); return; }
      throw error;
    }
    const { mid, ext, hash } = query;
    const m = mid ? this.getMedia(mid) : undefined;
    const expected = mid && ext ? createHmac('sha256', this.urlKey).update(`${mid}:${ext}`).digest('base64url') : undefined;
    if (req.method !== 'GET' || url.pathname !== '/whatsapp_business/attachments/' || !m || !expected || hash !== expected || Number(ext) * 1000 < this.platformNow()) {
      answer(404, 'URL signature expired or media not found', 'text/plain; charset=utf-8');
      return;
    }
    answer(200, m.bytes, m.mimeType);
  }

  private wamid(seed: string): string {
    this.counter += 1;
    return `wamid.${Buffer.from(`${seed}:${this.counter}:${randomBytes(6).toString('hex')}`).toString('base64')}`;
  }

  private nextId(): string {
    this.counter += 1;
    return String(1_000_000_000_000_000n + BigInt(this.counter));
  }
}

/** A template as Graph lists it: the default fields, or those `fields` names (`id` always). */
function templateFields(t: FakeTemplate, fields: string | undefined): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: t.name, parameter_format: t.parameterFormat ?? 'POSITIONAL', components: t.components, language: t.language,
    status: t.status, category: t.category, id: t.id, rejected_reason: t.rejectedReason ?? 'NONE',
  };
  const wanted = fields ? fields.split(',').map((f) => f.trim()).filter(Boolean) : [...TEMPLATE_FIELDS];
  const out: Record<string, unknown> = {};
  for (const f of wanted) if (f in all) out[f] = all[f];
  out.id = t.id;
  return out;
}

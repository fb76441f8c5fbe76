/**
 * The connector SPI: the contract every connector package — ours or a vendor's — implements.
 * Names here are fixed; vendors and the host build on them.
 * @module
 */
import type { ContainerModule } from 'inversify';
import type { Address, ChannelId } from './model/address.js';
import type { Content, ContentType, MediaKind, MediaRef, TemplateCategory } from './model/content.js';
import type { InboundEvent, MessageEvent, Purpose } from './model/events.js';
import type { ConnectorError } from './errors.js';
import type { ChannelPolicy } from './policy/channel-policy.js';
import type { TemplateStatus } from './policy/policy-engine.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A webhook request exactly as the host received it. */
export interface RawWebhook {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The raw bytes, exactly as received (before any decoding). */
  body: Buffer;
}

/** An HTTP request a connector would make to its platform: `render`'s pure output. */
export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  /** JSON-serialisable body (connectors send it as JSON unless a header says otherwise). */
  body?: unknown;
  /**
   * Further requests that complete the same message, in order (a long text split in parts, a
   * media group's caption…). The first request's answer carries the external id.
   */
  followUps?: ProviderRequest[];
  /** How the content was rendered, for the stored outbound message. */
  rendering?: { form: 'native' | 'degraded'; parts: number; note?: string };
}

/** What a successful send returns. */
export interface SendResult {
  /**
   * Optional: the platform's own reference to a file the connector uploaded for this send (a
   * WhatsApp media id, a Telegram `file_id`, an Apple MMCS URL with its key). The host keeps it per
   * account and file content and sends the same bytes by this reference next time instead of
   * uploading them again, until `expiresAt`.
   */
  media?: UploadedMedia;
  /** The platform's id of the (first) message. */
  externalId: string;
  /** When the platform accepted it. */
  acceptedAt: Date;
  /** Ids of further parts when the content was split. */
  partIds?: string[];
  /** The raw answer, for the audit trail. */
  raw?: unknown;
}

/** A part of a message the platform accepted (see {@link SendContext}). */
export interface AcceptedPart {
  /** The part's position among the message's requests: 0 for the first request, 1 for its first follow-up… */
  index: number;
  /** The platform's id of that part (for the first part, the message's external id). */
  externalId: string;
}

/**
 * What the host tells a connector about one attempt at sending a message (the optional second
 * argument of {@link Connector.send}). A message whose content is split into several platform
 * requests (`ProviderRequest.followUps`) may have been partly sent by an earlier attempt — one that
 * failed on a later part, or whose process died — and the parts the platform already accepted must
 * not reach the customer again.
 *
 * A connector that supports it:
 * - sends only the requests from index `acceptedParts.length` on, and reports the accepted ones
 *   first in its {@link SendResult} (`externalId` and `partIds` describe the whole message);
 * - calls `onPartAccepted` as soon as the platform accepted each request and awaits it before the
 *   next one (the host stores it, so a crash between two parts does not resend the first).
 *
 * Connectors written before this existed ignore the argument; the host then records the parts from
 * the `SendResult` alone, and a retry resends the whole message.
 * @example
 * ```ts
 * async send(msg: OutboundMessage, context: SendContext = {}): Promise<SendResult> {
 *   const first = this.render(msg);
 *   const ids = await sendInParts([first, ...(first.followUps ?? [])], context, (request) => this.call(request));
 *   const [externalId, ...partIds] = ids;
 *   return { externalId: externalId!, acceptedAt: new Date(), ...(partIds.length ? { partIds } : {}) };
 * }
 * ```
 */
export interface SendContext {
  /**
   * External ids of the parts an earlier attempt got accepted, in order (the first is the message's
   * external id). The connector starts at the part after them; when they cover every part it sends
   * nothing and returns them as the result.
   */
  acceptedParts?: readonly string[];
  /**
   * Called when the platform accepted a part, before the next part is sent; the connector awaits it.
   * A rejection stops the send (the error is thrown as is: the part stays accepted, and the host
   * retries from what it recorded).
   */
  onPartAccepted?(part: AcceptedPart): Promise<void> | void;
}

/**
 * Sends a message's requests in order, honouring a {@link SendContext}: requests an earlier attempt
 * got accepted are skipped, and each newly accepted one is reported (and awaited) before the next
 * is sent. What a request's failure throws is whatever `sendOne` throws.
 * @param requests - every request of the message, in order (the first, then its follow-ups)
 * @param context - the send's context (may be undefined)
 * @param sendOne - sends one request and returns the platform's id of it
 * @returns the external ids of every part, the earlier attempts' first
 */
export async function sendInParts<R>(requests: readonly R[], context: SendContext | undefined, sendOne: (request: R, index: number) => Promise<string>): Promise<string[]> {
  const ids = [...(context?.acceptedParts ?? [])].slice(0, requests.length);
  for (let index = ids.length; index < requests.length; index++) {
    const externalId = await sendOne(requests[index]!, index);
    ids.push(externalId);
    await context?.onPartAccepted?.({ index, externalId });
  }
  return ids;
}

/** Options of a {@link Connector.downloadMedia} call. */
export interface MediaDownloadOptions {
  /**
   * The most bytes the host accepts (the tenant's and the channel's limit): the connector stops
   * reading past it and throws a permanent {@link ConnectorError} saying so.
   */
  maxBytes: number;
  /** Aborts the download (the host's timeout). */
  signal?: AbortSignal;
}

/**
 * A media file fetched (and, where the platform encrypts it, decrypted) from the platform, as a
 * stream: the host writes it to its media store as it arrives and never holds a whole file in
 * memory. The stream fails (throws while iterated) with a permanent {@link ConnectorError} once it
 * passes `maxBytes`.
 */
export interface DownloadedMedia {
  /** The file's bytes, streamed (a Node `Readable` or a web `ReadableStream` both are). */
  body: AsyncIterable<Uint8Array>;
  /** The size the platform announced, when it did (the host still counts the bytes it reads). */
  declaredSize?: number;
  /** The MIME type the platform declared; the host checks the bytes themselves and does not trust it. */
  declaredType?: string;
  /** The file name the platform gave, if any. */
  filename?: string;
}

/**
 * The bytes of an outbound message's media, handed to a connector whose platform takes uploads
 * (see {@link ConnectorMediaSupport.upload}). The host passes it only when it holds the file and
 * has no platform reference for these bytes yet; the content's `media` still carries caption,
 * file name and MIME type.
 */
export interface OutboundFile {
  /** What the file is sent as. */
  kind: MediaKind;
  /**
   * The file's bytes as a `Blob` (file-backed from the host's media store, so an upload streams
   * and a large file is never held in memory; usable as a `FormData` part or read with `.stream()`).
   */
  body: Blob;
  /** Size in bytes. */
  size: number;
  /** The MIME type, as verified from the bytes by the host. */
  contentType: string;
  /** The file name to show, if any. */
  filename?: string;
  /** Hex SHA-256 of `body`. */
  sha256: string;
}

/** A platform's reference to an uploaded file (see {@link SendResult.media}). */
export interface UploadedMedia {
  /** How to send the file again without its bytes: `id` (WhatsApp media id, Telegram file_id) or `url` with `encryption` (Apple). */
  ref: MediaRef;
  /** When the platform forgets the upload (WhatsApp: 30 days); omitted when it keeps it. */
  expiresAt?: Date;
}

/**
 * How a connector moves media bytes, declared on its plugin ({@link ConnectorPlugin.media}).
 * Both parts are optional capabilities; a connector without them still sends media by URL.
 */
export interface ConnectorMediaSupport {
  /** The connector implements {@link Connector.downloadMedia} for media its `parse` produced. */
  download?: boolean;
  /**
   * How an outbound file reaches the platform: `'bytes'` — the connector takes
   * {@link OutboundMessage.file} and uploads it the platform's way (WhatsApp media upload, Telegram
   * multipart, Apple encryption and upload); `'url'` — the platform fetches the file from a URL
   * the host gives in `content.media.url` (Messenger, Viber).
   */
  upload?: 'bytes' | 'url';
}

/** A message the host asks a connector to render or send. */
export interface OutboundMessage {
  /** The host's message id (also used as an idempotency key where the platform supports one). */
  id: string;
  to: Address;
  content: Content;
  /** External id of the customer message this one answers. */
  replyTo?: string;
  purpose?: Purpose;
  /** The form the policy engine chose: free-form, template or a message tag. */
  form?: MessageForm;
  /** Who sends it. */
  sender?: 'bot' | 'agent' | 'system';
  /** Customer's device capabilities, when the channel reports them (Apple's capability-list). */
  recipientCapabilities?: string[];
  /** Set for notifications sent to many recipients in one platform call, where supported. */
  broadcastTo?: string[];
  /**
   * The bytes of the content's media, for a connector that declares `media.upload: 'bytes'`, when
   * the host holds the file and knows no platform reference for it (see {@link OutboundFile}).
   * `render` stays pure: it renders the request that sends by reference, as if the upload were done.
   */
  file?: OutboundFile;
}

/** The form in which a message leaves the host. */
export type MessageForm =
  | { kind: 'free-form' }
  | { kind: 'template'; category: 'marketing' | 'utility' | 'authentication' }
  | { kind: 'tag'; tag: string };

/** How a connector renders a content kind. */
export type Capability = 'native' | 'degraded' | 'unsupported';

/** Per content kind: native, degraded (with a note saying how), or unsupported. */
export type CapabilityTable = Record<ContentType, Capability | { support: Capability; note: string }>;

/**
 * Reads a capability table entry as a plain {@link Capability}.
 * @param table - a capability table
 * @param type - a content type
 * @returns the declared support
 */
export function capabilityOf(table: CapabilityTable, type: ContentType): Capability {
  const entry = table[type];
  return typeof entry === 'string' ? entry : entry.support;
}

/** What a connector may be given instead of global defaults. */
export interface ConnectorDeps {
  /** The fetch to use (tests inject one that records requests). */
  fetch: typeof globalThis.fetch;
  clock: Clock;
  logger: Logger;
}

/** Options for a connector's fake platform server. */
export interface FakePlatformOptions {
  /** Port to listen on (0, the default, picks a free one). */
  port?: number;
  /** Secrets and ids the fake platform accepts and signs with; defaults are the plugin's sandbox values. */
  config?: Record<string, unknown>;
  /** Artificial latency per request, in milliseconds. */
  latencyMs?: number;
  /**
   * Runs the platform's clock this many times faster than the wall clock (default 1): rate limits
   * and windows the fake enforces shrink accordingly, so a test or benchmark can drive a 1 msg/s
   * limit at 100 msg/s of wall time. The host's dispatcher takes the same scale.
   */
  timeScale?: number;
  /**
   * The platform's clock (default: the wall clock). The sandbox passes the host's clock, so after
   * `POST /sandbox/clock` the fake's timestamps, windows and signature ages agree with the host.
   */
  clock?: Clock;
  /** Delivery and read receipts the fake sends by itself for every message it accepts (on by default where the platform sends them). */
  receipts?: FakeReceiptOptions;
  /** Where the fake delivers receipts and simulated events: the host's webhook URL for this account. */
  webhookUrl?: string;
  /** Random numbers in [0, 1) for receipt loss (default `Math.random`; tests inject a sequence). */
  random?: () => number;
}

/** How a fake platform sends receipts for the messages it accepted. */
export interface FakeReceiptOptions {
  /** Send receipts at all (default true). */
  enabled?: boolean;
  /** Wall-clock delay before the `delivered` receipt, in ms (default 500). */
  deliveredAfterMs?: number;
  /** Wall-clock delay before the `read` receipt, in ms after `delivered` (default 1000; a negative value sends none). */
  readAfterMs?: number;
  /** Probability in [0, 1] that a receipt is lost (default 0). */
  lossRate?: number;
}

/** A message a fake platform accepted from the business (what the platform received). */
export interface FakeSentMessage {
  /** The platform's id for it (what the platform answered). */
  id: string;
  /** The recipient as the platform names them. */
  userId: string;
  /** The platform's message type (`text`, `template`, `image`, `sendMessage`…). */
  type: string;
  /** When it was accepted, ISO 8601 in platform time. */
  at: string;
  /** The request as received. */
  request: { method: string; path: string; body: unknown };
}

/** An inbound event a fake platform can deliver as the platform would (see {@link FakePlatform.simulate}). */
export type FakeInboundEvent =
  | { kind: 'text'; userId: string; text: string; name?: string }
  /**
   * The customer sends a file. The fake keeps its bytes (see {@link FakePlatform.storedMedia}) and
   * serves them the platform's way; `file` chooses them (default: a small valid file of the media
   * type — a real JPEG, MP4, Ogg or PDF — declared with its real MIME type). A test passes its own
   * bytes and declared type to send an oversize file or one whose bytes are not what it claims.
   */
  | { kind: 'media'; userId: string; mediaType: 'image' | 'video' | 'audio' | 'file'; caption?: string; name?: string; file?: { body: Buffer; mimeType?: string; filename?: string } }
  | { kind: 'location'; userId: string; latitude: number; longitude: number; name?: string }
  | { kind: 'button'; userId: string; payload: string; title?: string; name?: string }
  | { kind: 'subscribe' | 'unsubscribe' | 'block' | 'close'; userId: string; name?: string }
  | { kind: 'capabilities'; userId: string; capabilities: string[]; name?: string }
  /**
   * The customer opens the conversation: Viber `conversation_started`, WhatsApp `request_welcome`,
   * a Messenger `messaging_referrals` referral (m.me link), Telegram `/start`. `context` is what the
   * entry point carries (Viber context, m.me `ref`, Telegram deep-link payload), where it has one.
   */
  | { kind: 'conversation-started'; userId: string; context?: string; name?: string }
  /** The customer shares a contact card (Viber `contact`, WhatsApp `contacts`, Telegram `contact`). */
  | { kind: 'contact'; userId: string; contactName: string; phone?: string; name?: string }
  /** The customer sends a sticker; `stickerId` is the platform's sticker id when it has one (a fake picks one otherwise). */
  | { kind: 'sticker'; userId: string; stickerId?: string; name?: string }
  /** The customer sends a link as a message of its own (Viber `url` messages). */
  | { kind: 'url'; userId: string; url: string; name?: string }
  /**
   * The customer reacts to a message with an emoji (WhatsApp `reaction`, Messenger `message_reactions`);
   * `messageId` is the platform id of the message reacted to (default: the last one the business sent them).
   */
  | { kind: 'reaction'; userId: string; emoji: string; messageId?: string; name?: string };

/** The kinds of {@link FakeInboundEvent}. */
export type FakeInboundKind = FakeInboundEvent['kind'];

/** A template review outcome a fake platform can announce (platforms that review templates). */
export interface FakeTemplateReview {
  name: string;
  language?: string;
  status: 'APPROVED' | 'REJECTED' | 'PAUSED';
  reason?: string;
}

/** A request the fake platform server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: Buffer;
  at: Date;
}

/** A scripted answer for the fake platform server. */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering, in milliseconds. */
  delayMs?: number;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

/** A fake platform server: an in-process HTTP server that behaves like the platform's API. */
export interface FakePlatform {
  readonly channel: ChannelId;
  /** Base URL the connector's `apiBaseUrl` should point at (set after `start`). */
  readonly url: string;
  /** The connector config that talks to this fake (secrets, ids, apiBaseUrl). */
  connectorConfig(): Record<string, unknown>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Forgets recorded requests and scripted answers. */
  reset(): void;
  /** Queues answers for the next requests (matching `path` when given), before normal handling. */
  script(responses: ScriptedResponse[], path?: string | RegExp): void;
  /**
   * A signed webhook carrying a customer's text message, as the platform would deliver it.
   * @returns what to send to the host's webhook URL (method, headers, body)
   */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook;
  /** A signed webhook carrying a delivery receipt for an earlier outbound message. */
  statusUpdate?(input: { userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date }): SignedWebhook;
  /** Posts a signed webhook to `url` and returns the answer's status. */
  deliver(url: string, webhook: SignedWebhook): Promise<{ status: number; body: string }>;
  /** Messages the platform accepted from the business, oldest first (named so that a fake's own `sent` list stays free). */
  sentMessages?(): readonly FakeSentMessage[];
  /** The inbound event kinds {@link simulate} supports. */
  readonly simulatedKinds?: readonly FakeInboundKind[];
  /**
   * A signed webhook for any inbound event kind the connector parses, as the platform would deliver it.
   * @throws when `event.kind` is not in {@link simulatedKinds}
   */
  simulate?(event: FakeInboundEvent): SignedWebhook;
  /** Sets where receipts and simulated events go (the host's webhook URL for this account). */
  setWebhookUrl?(url: string): void;
  /** Delivers every pending receipt now, whatever its delay; resolves to how many were posted. */
  flushReceipts?(): Promise<number>;
  /**
   * The bytes the platform holds for a media reference: one a simulated customer sent (what
   * {@link Connector.downloadMedia} should return for it, decrypted) or one the business uploaded
   * (as the platform received it, decrypted). Undefined for a reference the fake does not know.
   */
  storedMedia?(ref: MediaRef): Buffer | undefined;
  /** Marks a template reviewed and announces it to the webhook as the platform would; false when the template is unknown. */
  reviewTemplate?(review: FakeTemplateReview): Promise<boolean>;
}

/** A webhook ready to post: headers include the platform's signature. */
export interface SignedWebhook {
  method: 'POST';
  headers: Record<string, string>;
  body: Buffer;
}

/** What {@link Connector.setWebhook} asks a platform to do: deliver this account's webhooks to `url`. */
export interface WebhookRegistrationOptions {
  /** The host's public HTTPS webhook URL for the account (`…/webhooks/<channel>/<account>`). */
  url: string;
}

/** What a platform answered a webhook registration ({@link Connector.setWebhook}). */
export interface WebhookRegistration {
  /** The URL the platform now delivers this account's webhooks to. */
  url: string;
  /** One line saying what the platform confirmed (subscribed fields, event types…), without any secret. */
  summary: string;
  /**
   * Steps the platform's API cannot take for this account and a person must (Messenger: the app's
   * callback URL is set in the app dashboard, not with a page token). Empty or absent: none.
   */
  manualSteps?: readonly string[];
}

/** Options of {@link Connector.probe}. */
export interface AccountProbeOptions {
  /** Aborts the platform calls (the host bounds a probe's time with it). */
  signal?: AbortSignal;
}

/**
 * What a platform says about the account a connector's credentials belong to ({@link Connector.probe}).
 * Nothing in it is a secret: the host prints it.
 */
export interface AccountProbe {
  /** The account's name as the platform reports it (bot username, page name, verified business name). */
  name: string;
  /** The platform's id of the account, when it reports one. */
  id?: string;
  /** Further facts worth printing (display phone number, quality rating, pending updates). */
  details?: Readonly<Record<string, string | number | boolean>>;
  /**
   * The webhook URL the platform has registered for the account, where the platform reports it;
   * `''` when it reports that none is registered; absent when the platform does not say.
   */
  webhookUrl?: string;
  /** Problems the platform reports without failing the call (its last webhook delivery error). */
  warnings?: readonly string[];
}

/** Multi-bound DI token: every configured connector instance. */
export const Connector = Symbol.for('switchboard.Connector');
/** A connector: one configured channel account. */
export interface Connector {
  readonly channel: ChannelId;
  /** The business-side account id this connector serves (phone number id, page id, bot id…). */
  readonly accountId?: string;
  /** Answers a platform's subscription handshake, or `undefined` when the request is not one. */
  handshake(req: RawWebhook): { status: number; body: string } | undefined;
  /** Throws {@link WebhookVerificationError} unless the request is signed as the platform signs it. */
  verify(req: RawWebhook): void;
  /** Parses a verified request; throws {@link MalformedPayloadError}; unknown types become `unsupported` events. */
  parse(req: RawWebhook): InboundEvent[];
  /** Pure: the platform request that would send `msg`. */
  render(msg: OutboundMessage): ProviderRequest;
  /**
   * Sends `msg`; throws a classified {@link ConnectorError} on failure.
   * @param msg - the message (its `id` is stable across attempts: a platform that accepts an
   *   idempotency key or a sender-chosen message id gets one derived from it and the part index)
   * @param context - optional: parts an earlier attempt got accepted, and where to report each
   *   accepted part (see {@link SendContext}; connectors that ignore it resend the whole message)
   */
  send(msg: OutboundMessage, context?: SendContext): Promise<SendResult>;
  /** Maps anything thrown by the platform call onto the core taxonomy. */
  classify(error: unknown): ConnectorError;
  /**
   * Optional: the body to answer a webhook with, when the platform reads one (Viber's welcome
   * message in the answer to conversation_started).
   */
  webhookResponse?(events: InboundEvent[]): { status: number; body: string; contentType?: string } | undefined;
  /**
   * Optional (declared by `media.download` on the plugin): fetches the bytes of media a customer
   * sent, as `parse` described it — WhatsApp media id → URL → bytes, Telegram `getFile` → file
   * path → bytes, Apple's download and decryption with the key in `media.encryption`. Platform
   * links expire (minutes to an hour), so the host calls this soon after the webhook, off the
   * request path, and retries what {@link Connector.classify} calls retryable.
   * @param media - the media reference from the parsed message
   * @param options - the size limit and an abort signal
   * @returns the file's bytes
   */
  downloadMedia?(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia>;
  /**
   * Optional: acknowledges a customer's interaction the platform expects an answer to (Telegram's
   * callback queries: the customer's client shows a spinner until the bot answers). The host calls
   * it for every parsed message, once the message is kept, off the message's path; the connector
   * returns at once for a message that needs no acknowledgement. A failure is logged; the message
   * is kept either way.
   * @param event - a message event this connector's `parse` produced
   */
  acknowledgeInteraction?(event: MessageEvent): Promise<void>;
  /**
   * Optional: the customer's public profile, for platforms whose webhooks carry no name (Messenger's
   * User Profile API, by page-scoped id). The host calls it off the message's path for a contact it
   * has no name for, once at a time per contact, and waits a while after a miss before asking again;
   * a name an agent or the integrator set is never replaced by it.
   * @param userId - the customer's id on this account, as `parse` reported it
   * @returns what the platform has, or `undefined` when it has no profile for this customer
   * @throws a classified {@link ConnectorError} when the call failed (the host logs it; nothing waits on it)
   */
  lookupProfile?(userId: string): Promise<PlatformProfile | undefined>;
  /**
   * Optional: asks the platform to deliver this account's webhooks to `options.url` (Telegram's
   * `setWebhook`, Viber's `set_webhook`, the Graph `subscribed_apps` edge). Used by
   * `switchboard webhooks register <channel>`; never called while the host runs.
   * @param options - the host's public webhook URL for this account
   * @returns what the platform confirmed, and any step left to a person
   * @throws a classified {@link ConnectorError} when the platform refuses
   */
  setWebhook?(options: WebhookRegistrationOptions): Promise<WebhookRegistration>;
  /**
   * Optional: a harmless read-only platform call proving the credentials work (Telegram's `getMe`,
   * Viber's `get_account_info`, Graph `GET /{id}`), saying which account they belong to and, where
   * the platform reports it, the webhook URL it has registered. Used by `switchboard doctor`.
   * @param options - an abort signal bounding the calls
   * @returns what the platform says about the account
   * @throws a classified {@link ConnectorError} when the platform refuses (a wrong token)
   */
  probe?(options?: AccountProbeOptions): Promise<AccountProbe>;
  /**
   * Optional: the steps a person takes to have the platform deliver webhooks to `url`, for a
   * platform whose API cannot register one (Apple Messages for Business: the MSP's URL is entered
   * in Apple's portal). `switchboard webhooks register` prints them.
   * @param url - the host's public webhook URL for this account
   * @returns the steps, one line each
   */
  webhookSetup?(url: string): readonly string[];
}

/** What a platform's profile lookup ({@link Connector.lookupProfile}) found about a customer. */
export interface PlatformProfile {
  /** The name to show for the customer (e.g. first and last name). */
  name?: string;
}

/** Multi-bound DI token: every loaded connector plugin. */
export const ConnectorPlugin = Symbol.for('switchboard.ConnectorPlugin');
/** A connector package's default export. */
export interface ConnectorPlugin<C = unknown> {
  apiVersion: 1;
  channel: ChannelId;
  displayName: string;
  /** The channel's rules, as data. */
  policy: ChannelPolicy;
  capabilities: CapabilityTable;
  /** Validates config; throws {@link ConfigError} naming the bad field. */
  parseConfig(input: unknown): C;
  create(config: C, deps?: Partial<ConnectorDeps>): Connector;
  /** Inversify bindings: the options token, the connector, and the multi-bound `Connector` token. */
  module(config: C): ContainerModule;
  /** The plugin's fake platform server, for the sandbox and tests. */
  fake?(options?: FakePlatformOptions): FakePlatform;
  /** Optional: how the connector moves media bytes (download of customer media, upload of outbound files). */
  media?: ConnectorMediaSupport;
  /**
   * Optional: the webhook request headers that carry a credential or a proof made with one (a
   * static secret token, an HMAC signature, a bearer JWT), lower-cased. The host never stores or
   * logs their values: dead letters keep the header's name with `[redacted]` as its value, and
   * exports, audit entries and logs show the same. The host also applies its own default list
   * (`authorization`, `cookie`, `x-hub-signature*`…); declaring a header it already knows is harmless.
   * @example
   * ```ts
   * credentialHeaders: ['x-telegram-bot-api-secret-token'],
   * ```
   */
  credentialHeaders?: readonly string[];
  /**
   * Optional: the webhook query parameters that carry a credential (a verify token of a
   * subscription handshake, a signature passed in the URL), exactly as they appear in the URL.
   * Their values are never stored or logged.
   * @example
   * ```ts
   * credentialQuery: ['hub.verify_token'],
   * ```
   */
  credentialQuery?: readonly string[];
}

/** The current SPI version. */
export const CONNECTOR_API_VERSION = 1 as const;

/**
 * Checks by shape (never `instanceof`) that a value is a usable connector plugin of this API version.
 * @param value - what a dynamic import produced
 * @returns a list of problems; empty when the plugin is usable
 */
export function connectorPluginProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['plugin is not an object'];
  const p = value as Record<string, unknown>;
  const problems: string[] = [];
  if (p.apiVersion !== CONNECTOR_API_VERSION) problems.push(`apiVersion must be ${CONNECTOR_API_VERSION}, got ${String(p.apiVersion)}`);
  for (const key of ['channel', 'displayName'] as const) if (typeof p[key] !== 'string' || p[key] === '') problems.push(`${key} must be a non-empty string`);
  for (const key of ['parseConfig', 'create', 'module'] as const) if (typeof p[key] !== 'function') problems.push(`${key} must be a function`);
  for (const key of ['policy', 'capabilities'] as const) if (typeof p[key] !== 'object' || p[key] === null) problems.push(`${key} must be an object`);
  if (p.fake !== undefined && typeof p.fake !== 'function') problems.push('fake must be a function when present');
  if (p.media !== undefined) {
    const m = p.media as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null) problems.push('media must be an object when present');
    else {
      if (m.download !== undefined && typeof m.download !== 'boolean') problems.push('media.download must be a boolean when present');
      if (m.upload !== undefined && m.upload !== 'bytes' && m.upload !== 'url') problems.push("media.upload must be 'bytes' or 'url' when present");
    }
  }
  for (const key of ['credentialHeaders', 'credentialQuery'] as const) {
    const names = p[key];
    if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== ''))) problems.push(`${key} must be an array of non-empty strings when present`);
  }
  return problems;
}

/** A template as submitted to a platform that reviews templates (WhatsApp). */
export interface TemplateSubmission {
  /** Lowercase letters, digits and underscores on WhatsApp. */
  name: string;
  /** The platform's language code, e.g. `en_US`. */
  language: string;
  category: TemplateCategory;
  /** Body text with `{{1}}`… placeholders. */
  body: string;
  header?: string;
  footer?: string;
  /** Sample values for the body's placeholders, in order (reviewers ask for them). */
  examples?: string[];
}

/** A template's review state on the platform. */
export interface PlatformTemplateState {
  name: string;
  language: string;
  externalId?: string;
  status: TemplateStatus;
  /** Why it was rejected or paused. */
  reason?: string;
}

/**
 * Optional connector extension for platforms that review templates before they may be sent: the
 * host's template registry submits through it and reads the review state back. A connector
 * implements it by having both methods; the host checks with {@link isTemplateManager}.
 */
export interface TemplateManager {
  /**
   * Submits a template for review.
   * @returns the platform's id and the state it answered with (usually `submitted`)
   * @throws ConnectorError (classified) when the platform refuses it
   */
  submitTemplate(template: TemplateSubmission): Promise<{ externalId: string; status: TemplateStatus }>;
  /** Lists every template the platform holds for the account, with its review state. */
  listTemplates(): Promise<PlatformTemplateState[]>;
}

/**
 * Whether a connector can submit templates for review.
 * @param connector - a connector
 * @returns true when it has `submitTemplate` and `listTemplates`
 */
export function isTemplateManager(connector: Connector): connector is Connector & TemplateManager {
  const c = connector as Partial<TemplateManager>;
  return typeof c.submitTemplate === 'function' && typeof c.listTemplates === 'function';
}

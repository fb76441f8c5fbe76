/**
 * A fake Messenger Platform: the Send API (`POST /{version}/{page-id}/messages`) as Graph answers it —
 * token and page checks, request validation with Graph's error bodies, the 24 h window, blocked users,
 * per-second throttling (#613) — and webhooks signed with the app secret.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  FakePlatformServer, hmacSha256Hex, isObject,
  type FakePlatformOptions, type FakeResponse, type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import { DEFAULT_API_VERSION } from './config.js';
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
  /** Time source for window checks and webhook timestamps (default `Date.now`). */
  now?: () => number;
}

const HOUR = 3_600_000;
/** A JSON object as the fake reads and records it. */
export type Json = Record<string, unknown>;

/** A Graph error answer. */
function graphError(status: number, code: number, message: string, extra: { type?: string; subcode?: number } = {}): FakeResponse {
  return {
    status,
    body: {
      error: {
        message, type: extra.type ?? 'OAuthException', code,
        ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
        fbtrace_id: `A${randomBytes(8).toString('base64url')}`,
      },
    },
  };
}

const invalidParam = (message: string, subcode?: number): FakeResponse => graphError(400, 100, `(#100) ${message}`, subcode !== undefined ? { subcode } : {});

/** The fake Messenger Platform. */
export class FakeMessengerServer extends FakePlatformServer {
  /** Always `messenger`. */
  readonly channel = 'messenger';
  /** Per-second Send API limits per page (Meta: 300 for text, 10 for audio/video). */
  readonly limits = { textPerSecond: 300, mediaPerSecond: 10 };
  private readonly config: { pageAccessToken: string; appSecret: string; verifyToken: string; pageId: string; apiVersion: string };
  private readonly now: () => number;
  private readonly lastInbound = new Map<string, number>();
  private readonly blocked = new Set<string>();
  private readonly unknown = new Set<string>();
  /** Messages the fake accepted, oldest first. */
  readonly sent: { messageId: string; recipientId: string; body: Json; at: number }[] = [];

  /** @param options - port, latency, config overrides, clock */
  constructor(options: FakeMessengerOptions = {}) {
    super(options);
    const c = options.config ?? {};
    const pick = (key: keyof typeof messengerSandboxConfig, fallback: string = messengerSandboxConfig[key]): string => (typeof c[key] === 'string' ? c[key] as string : fallback);
    // secrets not given are this instance's own: a sandbox reachable by others has no public secret
    this.config = {
      pageAccessToken: pick('pageAccessToken', `EAA${randomBytes(24).toString('hex')}`), appSecret: pick('appSecret', randomBytes(16).toString('hex')),
      verifyToken: pick('verifyToken', randomBytes(16).toString('base64url')), pageId: pick('pageId'), apiVersion: pick('apiVersion'),
    };
    this.now = options.now ?? Date.now;
  }

  /** The connector config that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    return { ...this.config, apiBaseUrl: this.url };
  }

  /** Forgets requests, scripts, throttling, windows, blocks and sent messages. */
  override reset(): void {
    super.reset();
    this.lastInbound.clear();
    this.blocked.clear();
    this.unknown.clear();
    this.sent.length = 0;
  }

  /** The customer blocked the page: sends to them fail with #551. */
  blockUser(psid: string): void {
    this.blocked.add(psid);
  }

  /** No such PSID for this page: sends fail with #100/2018001. */
  forgetUser(psid: string): void {
    this.unknown.add(psid);
  }

  /** Records a customer message at `at`, opening the 24 h window (userMessage does this too). */
  openWindow(psid: string, at: number = this.now()): void {
    this.lastInbound.set(psid, at);
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const match = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(req.path);
    if (!match) return graphError(400, 2500, 'Unknown path components: ' + req.path);
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? req.query.access_token;
    if (!token) return graphError(400, 2500, 'An active access token must be used to query information about the current user.');
    if (token !== this.config.pageAccessToken) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
    if (req.method !== 'POST') return graphError(400, 100, `Unsupported ${req.method.toLowerCase()} request.`, { type: 'GraphMethodException' });
    const pageId = match[2]!;
    if (pageId !== this.config.pageId && pageId !== 'me') {
      return graphError(400, 100, `Unsupported post request. Object with ID '${pageId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { type: 'GraphMethodException', subcode: 33 });
    }
    if (!isObject(req.body)) return invalidParam('param recipient must be non-empty.');
    return this.sendApi(req.body);
  }

  private sendApi(body: Json): FakeResponse {
    const recipient = body.recipient;
    if (!isObject(recipient) || typeof recipient.id !== 'string' || recipient.id === '') return invalidParam('The parameter recipient is required');
    const psid = recipient.id;
    if (body.sender_action !== undefined) return this.senderAction(body, psid);
    const message = body.message;
    if (!isObject(message)) return invalidParam('The parameter message is required');
    const type = body.messaging_type;
    if (type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') return invalidParam('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    if (type === 'MESSAGE_TAG' && !(MESSENGER_MESSAGE_TAGS as readonly unknown[]).includes(body.tag)) {
      return invalidParam(`param tag must be one of {${MESSENGER_MESSAGE_TAGS.join(', ')}}`);
    }
    const problem = this.validateMessage(message);
    if (problem) return problem;
    const isMedia = isObject(message.attachment) && (message.attachment.type === 'video' || message.attachment.type === 'audio');
    const [key, limit] = isMedia ? [`${this.config.pageId}:media`, this.limits.mediaPerSecond] : [`${this.config.pageId}:text`, this.limits.textPerSecond];
    // Graph answers throttling with HTTP 400 and #613 in the body, not with 429
    if (!this.limiter.take(key, limit, 1000, this.now())) return graphError(400, 613, 'Calls to this api have exceeded the rate limit.');
    const refusal = this.recipientProblem(psid, type, typeof body.tag === 'string' ? body.tag : undefined);
    if (refusal) return refusal;
    const messageId = `m_${randomBytes(24).toString('base64url')}`;
    this.sent.push({ messageId, recipientId: psid, body, at: this.now() });
    const attachment = isObject(message.attachment) ? message.attachment : undefined;
    const reusable = attachment && isObject(attachment.payload) && attachment.payload.is_reusable === true;
    return { status: 200, body: { recipient_id: psid, message_id: messageId, ...(reusable ? { attachment_id: String(1_000_000_000_000 + this.sent.length) } : {}) } };
  }

  private senderAction(body: Json, psid: string): FakeResponse {
    const action = body.sender_action;
    if (body.message !== undefined) return invalidParam('Cannot send both message and state at the same time.', 2018015);
    if (!['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'].includes(action as string)) return invalidParam('param sender_action must be one of {typing_on, typing_off, mark_seen, react, unreact}');
    if (action === 'react' || action === 'unreact') {
      const payload = body.payload;
      if (!isObject(payload) || typeof payload.message_id !== 'string' || payload.message_id === '') return invalidParam('param payload[message_id] must be non-empty.');
      if (action === 'react' && (typeof payload.reaction !== 'string' || payload.reaction === '')) return invalidParam('param payload[reaction] must be non-empty.');
    }
    const refusal = this.recipientProblem(psid, 'RESPONSE', undefined);
    if (refusal) return refusal;
    return { status: 200, body: { recipient_id: psid } };
  }

  private recipientProblem(psid: string, type: string, tag: string | undefined): FakeResponse | undefined {
    if (this.unknown.has(psid)) return invalidParam('No matching user found', 2018001);
    if (this.blocked.has(psid)) return graphError(400, 551, "(#551) This person isn't available right now.", { subcode: 1545041 });
    const last = this.lastInbound.get(psid);
    // only customers the fake has seen write are held to the window: others are treated as in-window
    if (last === undefined) return undefined;
    const age = this.now() - last;
    const allowedHours = type === 'MESSAGE_TAG' ? (tag === 'HUMAN_AGENT' ? 168 : Infinity) : 24;
    if (age >= allowedHours * HOUR) {
      return graphError(400, 10, '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview', { subcode: 2018278 });
    }
    return undefined;
  }

  private validateMessage(message: Json): FakeResponse | undefined {
    const hasText = message.text !== undefined;
    const attachment = message.attachment;
    if (!hasText && attachment === undefined) return invalidParam('Must send either message text or an attachment');
    if (hasText && attachment !== undefined) return invalidParam('Cannot send both text and attachment in one message');
    if (hasText) {
      if (typeof message.text !== 'string' || message.text === '') return invalidParam('param message[text] must be non-empty.');
      if (message.text.length > MESSENGER_LIMITS.text) return invalidParam(`Length of param message[text] must be less than or equal to ${MESSENGER_LIMITS.text}`);
    }
    if (message.quick_replies !== undefined) {
      const qr = message.quick_replies;
      if (!Array.isArray(qr) || qr.length === 0) return invalidParam('param message[quick_replies] must be a non-empty array.');
      if (qr.length > MESSENGER_LIMITS.quickReplies) return invalidParam(`param message[quick_replies] has more than ${MESSENGER_LIMITS.quickReplies} items.`);
      for (const q of qr) {
        if (!isObject(q) || q.content_type !== 'text') return invalidParam('param message[quick_replies][content_type] must be text.');
        if (typeof q.title !== 'string' || q.title === '' || q.title.length > MESSENGER_LIMITS.quickReplyTitle) return invalidParam(`param title must be 1-${MESSENGER_LIMITS.quickReplyTitle} characters.`);
        if (typeof q.payload !== 'string' || q.payload === '' || q.payload.length > MESSENGER_LIMITS.payload) return invalidParam('param payload must be non-empty and at most 1000 characters.');
      }
    }
    if (attachment !== undefined) return this.validateAttachment(attachment);
    return undefined;
  }

  private validateAttachment(attachment: unknown): FakeResponse | undefined {
    if (!isObject(attachment) || !isObject(attachment.payload)) return invalidParam('param message[attachment][payload] must be an object.');
    const payload = attachment.payload;
    switch (attachment.type) {
      case 'image': case 'video': case 'audio': case 'file': {
        const hasUrl = typeof payload.url === 'string' && /^https?:\/\//.test(payload.url);
        const hasId = typeof payload.attachment_id === 'string' && payload.attachment_id !== '';
        if (hasUrl === hasId) return invalidParam('param message[attachment][payload] must have exactly one of url and attachment_id');
        return undefined;
      }
      case 'template': return this.validateTemplate(payload);
      default: return invalidParam('param message[attachment][type] must be one of {image, video, audio, file, template}');
    }
  }

  private validateTemplate(payload: Json): FakeResponse | undefined {
    if (payload.template_type === 'button') {
      if (typeof payload.text !== 'string' || payload.text === '' || payload.text.length > MESSENGER_LIMITS.buttonTemplateText) return invalidParam('param message[attachment][payload][text] must be 1-640 characters.');
      return this.validateButtons(payload.buttons, true);
    }
    if (payload.template_type === 'generic') {
      const elements = payload.elements;
      if (!Array.isArray(elements) || elements.length === 0) return invalidParam('param elements must be non-empty.');
      if (elements.length > MESSENGER_LIMITS.genericElements) return invalidParam(`param elements has more than ${MESSENGER_LIMITS.genericElements} items.`);
      for (const e of elements) {
        if (!isObject(e) || typeof e.title !== 'string' || e.title === '' || e.title.length > MESSENGER_LIMITS.elementTitle) return invalidParam('param elements[title] must be 1-80 characters.');
        if (e.subtitle !== undefined && (typeof e.subtitle !== 'string' || e.subtitle.length > MESSENGER_LIMITS.elementSubtitle)) return invalidParam('param elements[subtitle] must be at most 80 characters.');
        if (e.buttons !== undefined) {
          const problem = this.validateButtons(e.buttons, false);
          if (problem) return problem;
        }
      }
      return undefined;
    }
    return invalidParam('param message[attachment][payload][template_type] is not supported');
  }

  private validateButtons(buttons: unknown, required: boolean): FakeResponse | undefined {
    if (!Array.isArray(buttons) || (required && buttons.length === 0)) return invalidParam('param buttons must be non-empty.');
    if (buttons.length > MESSENGER_LIMITS.buttons) return invalidParam(`param buttons has more than ${MESSENGER_LIMITS.buttons} items.`);
    for (const b of buttons) {
      if (!isObject(b) || typeof b.title !== 'string' || b.title === '' || b.title.length > MESSENGER_LIMITS.buttonTitle) return invalidParam('param buttons[title] must be 1-20 characters.');
      if (b.type === 'postback') {
        if (typeof b.payload !== 'string' || b.payload === '' || b.payload.length > MESSENGER_LIMITS.payload) return invalidParam('param buttons[payload] must be 1-1000 characters.');
      } else if (b.type === 'web_url') {
        if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) return invalidParam('param buttons[url] must be a valid URL.');
      } else {
        return invalidParam('param buttons[type] must be one of {postback, web_url, phone_number, ...}');
      }
    }
    return undefined;
  }

  /**
   * Signs a delivery of messaging events as Meta does.
   * @param messaging - `entry[0].messaging` items
   * @param at - delivery time in ms
   * @returns the webhook, ready to post
   */
  webhook(messaging: Json[], at: number = this.now()): SignedWebhook {
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

  /** A customer's text message (Messenger carries no profile name in webhooks: `name` is ignored). */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    this.openWindow(input.userId, at);
    const mid = input.messageId ?? `m_${randomBytes(24).toString('base64url')}`;
    return this.webhook([{ ...this.from(input.userId, at), message: { mid, text: input.text } }], at);
  }

  /**
   * A receipt for an earlier outbound message: `delivered` → message_deliveries with its mid;
   * `read` → message_reads with a watermark at `timestamp`; `sent` → the message echo.
   * @throws Error for `failed`: Messenger reports failures only in the Send API's answer
   */
  statusUpdate(input: { userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
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
  postback(input: { userId: string; payload: string; title: string; ref?: string; source?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    this.openWindow(input.userId, at);
    const referral = input.ref !== undefined ? { referral: { ref: input.ref, source: input.source ?? 'SHORTLINK', type: 'OPEN_THREAD' } } : {};
    return this.webhook([{ ...this.from(input.userId, at), postback: { mid: `m_${randomBytes(24).toString('base64url')}`, title: input.title, payload: input.payload, ...referral } }], at);
  }

  /** A referral: the customer opened the thread through a m.me link (SHORTLINK) or a Click-to-Messenger ad (ADS). */
  referral(input: { userId: string; ref: string; source?: 'SHORTLINK' | 'ADS' | 'CUSTOMER_CHAT_PLUGIN'; adId?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    const referral = { ref: input.ref, source: input.source ?? 'SHORTLINK', type: 'OPEN_THREAD', ...(input.adId ? { ad_id: input.adId } : {}) };
    return this.webhook([{ ...this.from(input.userId, at), referral }], at);
  }

  /** A Marketing Messages opt-in (`notification_messages`), or its STOP / RESUME. */
  notificationOptin(input: { userId: string; title?: string; status?: 'STOP_NOTIFICATIONS' | 'RESUME_NOTIFICATIONS'; token?: string; timestamp?: Date }): SignedWebhook {
    const at = input.timestamp?.getTime() ?? this.now();
    const optin: Json = {
      type: 'notification_messages', payload: 'sandbox', notification_messages_token: input.token ?? `nt_${randomBytes(12).toString('base64url')}`,
      notification_messages_timezone: 'UTC', token_expiry_timestamp: at + 180 * 24 * HOUR, user_token_status: 'NOT_REFRESHED',
      title: input.title ?? 'Updates',
      ...(input.status ? { notification_messages_status: input.status } : {}),
    };
    return this.webhook([{ ...this.from(input.userId, at), optin }], at);
  }

  /** The customer stopped Marketing Messages. */
  optinStop(input: { userId: string; title?: string; timestamp?: Date }): SignedWebhook {
    return this.notificationOptin({ ...input, status: 'STOP_NOTIFICATIONS' });
  }
}

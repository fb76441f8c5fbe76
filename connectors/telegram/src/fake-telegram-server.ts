/**
 * An in-process fake of the Telegram Bot API: `/bot<token>/<method>` routes, Telegram's own
 * success and error bodies, its flood limits, and webhooks carrying the secret-token header.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { FakePlatformServer, isObject } from '@switchboard/core';
import type { Clock, FakePlatformOptions, FakeResponse, RecordedRequest, SignedWebhook } from '@switchboard/core';
import { SECRET_TOKEN_HEADER } from './telegram-connector.js';

/** Fixed sandbox ids and secrets for tests that pass them (`config`); a fake given none keeps the ids and draws its own secrets. */
export const telegramSandboxConfig = {
  botToken: '7000000001:AAFakeSandboxTokenForSwitchboard001',
  secretToken: 'switchboard-sandbox-secret',
} as const;

/** Throttling the fake applies, per Telegram's bots FAQ. */
export interface FakeTelegramLimits {
  /** Per private chat: about one message per second with short bursts tolerated. */
  perChat: { limit: number; perMs: number };
  /** Per group: 20 messages per minute. */
  perGroup: { limit: number; perMs: number };
  /** Per bot: about 30 messages per second. */
  global: { limit: number; perMs: number };
}

/** Telegram's published limits; the 3-message burst per 3 s is our reading of "short bursts". */
export const TELEGRAM_FLOOD_LIMITS: FakeTelegramLimits = {
  perChat: { limit: 3, perMs: 3_000 },
  perGroup: { limit: 20, perMs: 60_000 },
  global: { limit: 30, perMs: 1_000 },
};

/** Options of {@link FakeTelegramServer}. */
export interface FakeTelegramOptions extends FakePlatformOptions {
  /** Flood limits to apply instead of {@link TELEGRAM_FLOOD_LIMITS}. */
  limits?: Partial<FakeTelegramLimits>;
  /** Time source for throttling and dates (default: the platform clock, scaled by `timeScale`). */
  clock?: Clock;
}

interface FakeChat {
  id: number | string;
  type: 'private' | 'group' | 'supergroup';
  started: boolean;
  blocked: boolean;
  firstName?: string;
  title?: string;
  nextMessageId: number;
  messages: Set<number>;
}

const SEND_METHODS: Record<string, { field?: string; caption: boolean }> = {
  sendmessage: { caption: false },
  sendphoto: { field: 'photo', caption: true },
  sendvideo: { field: 'video', caption: true },
  sendaudio: { field: 'audio', caption: true },
  senddocument: { field: 'document', caption: true },
  sendsticker: { field: 'sticker', caption: false },
  sendlocation: { caption: false },
  sendvenue: { caption: false },
  sendcontact: { caption: false },
};

const BOT_USERNAME = 'switchboard_sandbox_bot';

const fail = (status: number, description: string, parameters?: Record<string, unknown>): FakeResponse => ({
  status, body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});
const ok = (result: unknown, description?: string): FakeResponse => ({ status: 200, body: { ok: true, result, ...(description ? { description } : {}) } });

/** The fake Bot API server. */
export class FakeTelegramServer extends FakePlatformServer {
  /** Always `telegram`. */
  readonly channel = 'telegram';
  /** The token requests must carry. */
  readonly botToken: string;
  /** The secret token put on every webhook. */
  readonly secretToken: string;
  /** The webhook registered with setWebhook, if any. */
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | undefined;
  private readonly limits: FakeTelegramLimits;
  private readonly clock: Clock;
  private readonly chats = new Map<string, FakeChat>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private nextUpdateId = 870_000_001;
  private nextCallbackId = 1;

  /** @param options - port, latency, `config` overrides of botToken/secretToken, limits, clock */
  constructor(options: FakeTelegramOptions = {}) {
    super(options);
    const cfg = options.config ?? {};
    // secrets not given are this instance's own (the bot id before the colon stays the sandbox's)
    this.botToken = typeof cfg.botToken === 'string' ? cfg.botToken : `${telegramSandboxConfig.botToken.split(':')[0]}:${randomBytes(26).toString('base64url')}`;
    this.secretToken = typeof cfg.secretToken === 'string' ? cfg.secretToken : randomBytes(24).toString('base64url');
    this.limits = { ...TELEGRAM_FLOOD_LIMITS, ...options.limits };
    this.clock = options.clock ?? { now: () => this.platformNow() };
  }

  /** The bot id (digits before the colon of the token). */
  get botId(): string {
    return this.botToken.split(':')[0]!;
  }

  /** @returns a connector config pointing at this fake */
  connectorConfig(): Record<string, unknown> {
    return { botToken: this.botToken, secretToken: this.secretToken, apiBaseUrl: this.url };
  }

  /** Forgets requests, scripts, throttling, chats and callback queries. */
  override reset(): void {
    super.reset();
    this.chats.clear();
    this.callbackQueries.clear();
    this.webhook = undefined;
  }

  /**
   * Marks a user as having started the bot (pressed Start), so the bot may write to them.
   * @param userId - the user's id (= their private chat id)
   * @param firstName - their first name
   */
  startUser(userId: string, firstName = 'Test'): void {
    const chat = this.chat(userId, 'private');
    chat.started = true;
    chat.blocked = false;
    chat.firstName ??= firstName;
  }

  /** Marks a user as having blocked the bot: sends answer 403 until {@link unblockUser}. */
  blockUser(userId: string): void {
    const chat = this.chat(userId, 'private');
    chat.started = true;
    chat.blocked = true;
  }

  /** Marks a blocked user as having unblocked the bot. */
  unblockUser(userId: string): void {
    this.chat(userId, 'private').blocked = false;
  }

  /**
   * Adds the bot to a group (group ids are negative).
   * @param chatId - the group's id
   * @param title - the group's title
   * @param type - group or supergroup
   */
  addGroup(chatId: string, title = 'Test group', type: 'group' | 'supergroup' = 'group'): void {
    const chat = this.chat(chatId, type);
    chat.started = true;
    chat.blocked = false;
    chat.title = title;
  }

  /** Whether a user has started the bot and not blocked it. */
  canMessage(chatId: string): boolean {
    const chat = this.chats.get(chatId);
    return chat !== undefined && chat.started && !chat.blocked;
  }

  /**
   * A signed update carrying a user's text message; the user counts as having started the bot.
   * Text starting with `/` carries a bot_command entity, as Telegram adds one.
   */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook {
    this.startUser(input.userId, input.name);
    const chat = this.chats.get(input.userId)!;
    const messageId = input.messageId !== undefined ? Number(input.messageId) : chat.nextMessageId++;
    chat.messages.add(messageId);
    const message: Record<string, unknown> = {
      message_id: messageId,
      from: this.userObject(input.userId, input.name),
      chat: this.chatObject(chat),
      date: Math.floor((input.timestamp?.getTime() ?? this.clock.now()) / 1000),
      text: input.text,
    };
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(input.text);
    if (command) message.entities = [{ offset: 0, length: command[0].length, type: 'bot_command' }];
    return this.signedUpdate({ message });
  }

  /**
   * A signed `/start` update, with a deep-link payload when given.
   * @param input - user, optional payload and name
   */
  startCommand(input: { userId: string; payload?: string; name?: string }): SignedWebhook {
    return this.userMessage({ userId: input.userId, text: input.payload ? `/start ${input.payload}` : '/start', ...(input.name ? { name: input.name } : {}) });
  }

  /**
   * A signed callback_query update: the user tapped an inline button with `data` under message `messageId`.
   * The query id is remembered so answerCallbackQuery accepts it once.
   */
  callbackQuery(input: { userId: string; data: string; messageId?: string; buttonText?: string; name?: string }): { webhook: SignedWebhook; callbackQueryId: string } {
    this.startUser(input.userId, input.name);
    const chat = this.chats.get(input.userId)!;
    const messageId = input.messageId !== undefined ? Number(input.messageId) : chat.nextMessageId++;
    chat.messages.add(messageId);
    const callbackQueryId = `${this.botId}${String(this.nextCallbackId++).padStart(8, '0')}`;
    this.callbackQueries.set(callbackQueryId, { answered: false });
    const webhook = this.signedUpdate({
      callback_query: {
        id: callbackQueryId,
        from: this.userObject(input.userId, input.name),
        message: {
          message_id: messageId,
          from: { id: Number(this.botId), is_bot: true, first_name: 'Switchboard Sandbox', username: BOT_USERNAME },
          chat: this.chatObject(chat),
          date: Math.floor(this.clock.now() / 1000) - 5,
          text: 'Choose',
          reply_markup: { inline_keyboard: [[{ text: input.buttonText ?? input.data, callback_data: input.data }]] },
        },
        chat_instance: `-${input.userId}77`,
        data: input.data,
      },
    });
    return { webhook, callbackQueryId };
  }

  /**
   * A signed my_chat_member update: the user blocked (`kicked`) or unblocked (`member`) the bot.
   * The fake's state follows, so later sends answer 403 or succeed.
   */
  myChatMember(input: { userId: string; status: 'kicked' | 'member'; name?: string }): SignedWebhook {
    if (input.status === 'kicked') this.blockUser(input.userId);
    else this.startUser(input.userId, input.name);
    const chat = this.chats.get(input.userId)!;
    const bot = { id: Number(this.botId), is_bot: true, first_name: 'Switchboard Sandbox', username: BOT_USERNAME };
    const date = Math.floor(this.clock.now() / 1000);
    const member = (status: string): Record<string, unknown> => (status === 'kicked' ? { user: bot, status, until_date: 0 } : { user: bot, status });
    return this.signedUpdate({
      my_chat_member: {
        chat: this.chatObject(chat),
        from: this.userObject(input.userId, input.name),
        date,
        old_chat_member: member(input.status === 'kicked' ? 'member' : 'kicked'),
        new_chat_member: member(input.status),
      },
    });
  }

  /**
   * Signs any update body (an `update_id` is added) as Telegram would deliver it.
   * @param update - the update without its id
   */
  signedUpdate(update: Record<string, unknown>): SignedWebhook {
    const body = Buffer.from(JSON.stringify({ update_id: this.nextUpdateId++, ...update }), 'utf8');
    return { method: 'POST', headers: { 'content-type': 'application/json', [SECRET_TOKEN_HEADER]: this.secretToken }, body };
  }

  private chat(chatId: string, type: FakeChat['type']): FakeChat {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId, type, started: false, blocked: false, nextMessageId: 1, messages: new Set() };
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  private userObject(userId: string, name?: string): Record<string, unknown> {
    return { id: /^\d+$/.test(userId) ? Number(userId) : userId, is_bot: false, first_name: name ?? this.chats.get(userId)?.firstName ?? 'Test', language_code: 'en' };
  }

  private chatObject(chat: FakeChat): Record<string, unknown> {
    return chat.type === 'private'
      ? { id: chat.id, first_name: chat.firstName ?? 'Test', type: 'private' }
      : { id: chat.id, title: chat.title ?? 'Test group', type: chat.type };
  }

  protected handle(req: RecordedRequest): FakeResponse {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!match) return fail(404, 'Not Found');
    if (match[1] !== this.botToken) return fail(401, 'Unauthorized');
    let params: Record<string, unknown>;
    if (req.rawBody.length === 0) params = { ...req.query };
    else if (isObject(req.body)) params = req.body;
    else return fail(400, "Bad Request: can't parse JSON request body");
    const method = match[2]!.toLowerCase();
    const now = this.clock.now();
    switch (method) {
      case 'getme':
        return ok({ id: Number(this.botId), is_bot: true, first_name: 'Switchboard Sandbox', username: BOT_USERNAME, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setwebhook': return this.setWebhook(params);
      case 'deletewebhook': this.webhook = undefined; return ok(true, 'Webhook was deleted');
      case 'getwebhookinfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0, ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}) });
      case 'answercallbackquery': return this.answerCallbackQuery(params);
      case 'setmessagereaction': return this.setMessageReaction(params);
      default: {
        const spec = SEND_METHODS[method];
        return spec ? this.send(method, spec, params, now) : fail(404, 'Not Found');
      }
    }
  }

  private setWebhook(params: Record<string, unknown>): FakeResponse {
    const url = params.url;
    if (typeof url !== 'string') return fail(400, 'Bad Request: bad webhook: Webhook URL must be specified');
    if (url === '') { this.webhook = undefined; return ok(true, 'Webhook was deleted'); }
    if (!url.startsWith('https://')) return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const secret = params.secret_token;
    if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
      return fail(400, 'Bad Request: bad webhook: Secret token contains unallowed characters');
    }
    const allowed = Array.isArray(params.allowed_updates) ? params.allowed_updates.filter((u): u is string => typeof u === 'string') : undefined;
    this.webhook = { url, ...(typeof secret === 'string' ? { secretToken: secret } : {}), ...(allowed ? { allowedUpdates: allowed } : {}) };
    return ok(true, 'Webhook was set');
  }

  private answerCallbackQuery(params: Record<string, unknown>): FakeResponse {
    const id = params.callback_query_id;
    if (typeof id !== 'string' || id === '') return fail(400, 'Bad Request: QUERY_ID_INVALID');
    const query = this.callbackQueries.get(id);
    if (!query || query.answered) return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    if (typeof params.text === 'string' && params.text.length > 200) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
    query.answered = true;
    return ok(true);
  }

  private resolveChat(params: Record<string, unknown>): FakeChat | FakeResponse {
    const raw = params.chat_id;
    if (raw === undefined || raw === '') return fail(400, 'Bad Request: chat_id is empty');
    const chat = this.chats.get(String(raw));
    if (!chat || !chat.started) return fail(400, 'Bad Request: chat not found');
    if (chat.blocked) return fail(403, chat.type === 'private' ? 'Forbidden: bot was blocked by the user' : 'Forbidden: bot was kicked from the group chat');
    return chat;
  }

  private setMessageReaction(params: Record<string, unknown>): FakeResponse {
    const chat = this.resolveChat(params);
    if (!('messages' in chat)) return chat;
    if (typeof params.message_id !== 'number' || !chat.messages.has(params.message_id)) return fail(400, 'Bad Request: message to react not found');
    const reaction = params.reaction ?? [];
    if (!Array.isArray(reaction) || reaction.some((r) => !isObject(r) || r.type !== 'emoji' || typeof r.emoji !== 'string')) {
      return fail(400, 'Bad Request: REACTION_INVALID');
    }
    return ok(true);
  }

  private send(method: string, spec: { field?: string; caption: boolean }, params: Record<string, unknown>, now: number): FakeResponse {
    const chat = this.resolveChat(params);
    if (!('messages' in chat)) return chat;
    const invalid = this.validateSend(method, spec, params, chat);
    if (invalid) return invalid;
    // flood control: Telegram answers 429 with the seconds to wait in parameters.retry_after
    const chatKey = `chat:${String(chat.id)}`;
    const chatLimit = chat.type === 'private' ? this.limits.perChat : this.limits.perGroup;
    const wait = Math.max(
      this.limiter.retryAfter('global', this.limits.global.limit, this.limits.global.perMs, now),
      this.limiter.retryAfter(chatKey, chatLimit.limit, chatLimit.perMs, now),
    );
    if (wait > 0) {
      const seconds = Math.max(1, Math.ceil(wait / 1000));
      return fail(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });
    }
    this.limiter.take('global', this.limits.global.limit, this.limits.global.perMs, now);
    this.limiter.take(chatKey, chatLimit.limit, chatLimit.perMs, now);
    const messageId = chat.nextMessageId++;
    chat.messages.add(messageId);
    return ok(this.messageResult(method, spec, params, chat, messageId, now));
  }

  private validateSend(method: string, spec: { field?: string; caption: boolean }, params: Record<string, unknown>, chat: FakeChat): FakeResponse | undefined {
    if (params.parse_mode !== undefined && !['HTML', 'Markdown', 'MarkdownV2'].includes(String(params.parse_mode))) {
      return fail(400, `Bad Request: unsupported parse_mode`);
    }
    if (method === 'sendmessage') {
      if (typeof params.text !== 'string' || params.text.trim() === '') return fail(400, 'Bad Request: message text is empty');
      if (params.text.length > 4096) return fail(400, 'Bad Request: message is too long');
    }
    if (spec.field) {
      const file = params[spec.field];
      if (typeof file !== 'string' || file === '') return fail(400, `Bad Request: there is no ${spec.field} in the request`);
      if (!/^https?:\/\/\S+$/.test(file) && !/^[A-Za-z0-9_-]{8,}$/.test(file)) return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
    }
    if (params.caption !== undefined) {
      if (!spec.caption) return fail(400, `Bad Request: ${method} takes no caption`);
      if (typeof params.caption !== 'string' || params.caption.length > 1024) return fail(400, 'Bad Request: message caption is too long');
    }
    if (method === 'sendlocation' || method === 'sendvenue') {
      const { latitude, longitude } = params;
      if (typeof latitude !== 'number' || typeof longitude !== 'number' || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        return fail(400, 'Bad Request: wrong latitude/longitude specified');
      }
      if (method === 'sendvenue' && (typeof params.title !== 'string' || params.title === '' || typeof params.address !== 'string' || params.address === '')) {
        return fail(400, 'Bad Request: venue title and address must be non-empty');
      }
    }
    if (method === 'sendcontact') {
      if (typeof params.phone_number !== 'string' || params.phone_number === '') return fail(400, 'Bad Request: phone number is empty');
      if (typeof params.first_name !== 'string' || params.first_name === '') return fail(400, 'Bad Request: first name is empty');
      if (params.vcard !== undefined && (typeof params.vcard !== 'string' || Buffer.byteLength(params.vcard) > 2048)) return fail(400, 'Bad Request: vcard is too long');
    }
    const reply = params.reply_parameters;
    if (reply !== undefined) {
      if (!isObject(reply) || typeof reply.message_id !== 'number') return fail(400, "Bad Request: can't parse reply parameters JSON object");
      if (!chat.messages.has(reply.message_id) && reply.allow_sending_without_reply !== true) return fail(400, 'Bad Request: message to be replied not found');
    }
    return this.validateMarkup(params.reply_markup);
  }

  private validateMarkup(markup: unknown): FakeResponse | undefined {
    if (markup === undefined) return undefined;
    if (!isObject(markup)) return fail(400, "Bad Request: can't parse reply keyboard markup JSON object");
    if (markup.inline_keyboard !== undefined) {
      if (!Array.isArray(markup.inline_keyboard) || !markup.inline_keyboard.every(Array.isArray)) return fail(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays');
      for (const button of (markup.inline_keyboard as unknown[][]).flat()) {
        if (!isObject(button) || typeof button.text !== 'string' || button.text === '') return fail(400, 'Bad Request: text must be non-empty');
        if (typeof button.callback_data === 'string') {
          const bytes = Buffer.byteLength(button.callback_data, 'utf8');
          if (bytes < 1 || bytes > 64) return fail(400, 'Bad Request: BUTTON_DATA_INVALID');
        } else if (typeof button.url !== 'string') {
          return fail(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
      }
      return undefined;
    }
    if (markup.keyboard !== undefined) {
      if (!Array.isArray(markup.keyboard) || !markup.keyboard.every(Array.isArray)) return fail(400, 'Bad Request: field "keyboard" must be an Array of Arrays');
      for (const button of (markup.keyboard as unknown[][]).flat()) {
        if (!(typeof button === 'string' || (isObject(button) && typeof button.text === 'string' && button.text !== ''))) return fail(400, 'Bad Request: keyboard button text must be non-empty');
      }
      return undefined;
    }
    if (markup.remove_keyboard === true || markup.force_reply === true) return undefined;
    return fail(400, 'Bad Request: unsupported reply_markup');
  }

  private messageResult(method: string, spec: { field?: string }, params: Record<string, unknown>, chat: FakeChat, messageId: number, now: number): Record<string, unknown> {
    const result: Record<string, unknown> = {
      message_id: messageId,
      from: { id: Number(this.botId), is_bot: true, first_name: 'Switchboard Sandbox', username: BOT_USERNAME },
      chat: this.chatObject(chat),
      date: Math.floor(now / 1000),
    };
    const fileId = `fake-${spec.field ?? 'file'}-${messageId}-AgACAgQAAx`;
    switch (method) {
      case 'sendmessage': result.text = params.text; break;
      case 'sendphoto': result.photo = [{ file_id: `${fileId}s`, file_unique_id: `u${messageId}s`, width: 90, height: 90 }, { file_id: fileId, file_unique_id: `u${messageId}`, width: 1280, height: 960 }]; break;
      case 'sendvideo': case 'sendaudio': case 'senddocument': result[spec.field!] = { file_id: fileId, file_unique_id: `u${messageId}` }; break;
      case 'sendsticker': result.sticker = { file_id: fileId, file_unique_id: `u${messageId}`, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false }; break;
      case 'sendlocation': result.location = { latitude: params.latitude, longitude: params.longitude }; break;
      case 'sendvenue':
        result.location = { latitude: params.latitude, longitude: params.longitude };
        result.venue = { location: result.location, title: params.title, address: params.address };
        break;
      case 'sendcontact':
        result.contact = { phone_number: params.phone_number, first_name: params.first_name, ...(params.vcard ? { vcard: params.vcard } : {}) };
        break;
    }
    if (typeof params.caption === 'string') result.caption = params.caption;
    if (params.reply_markup !== undefined && isObject(params.reply_markup) && params.reply_markup.inline_keyboard) result.reply_markup = params.reply_markup;
    return result;
  }
}

/**
 * An in-process fake of the Telegram Bot API: `/bot<token>/<method>` routes for the methods an
 * integrator's client calls (sending every message kind, editing and deleting messages, chat
 * actions, callback answers, webhooks and `getUpdates`, files and their downloads, commands),
 * parameters in any of the four encodings Telegram takes, Telegram's own success and error bodies,
 * its flood limits, and webhooks carrying the secret-token header.
 *
 * Telegram sends no delivery or read receipts to bots, so this fake has no `statusUpdate`: what it
 * accepted is in {@link FakeTelegramServer.sentMessages}, and no receipts follow.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { FakePlatformServer, isObject, sampleMedia, samplePng } from '@switchboard/core';
import type { FakeInboundEvent, FakeInboundKind, FakePlatformOptions, FakeResponse, MediaRef, RecordedRequest, SignedWebhook } from '@switchboard/core';
import { BotApiParams, BotApiParamsError, readBotApiParams, type UploadedFile } from './fake-telegram-params.js';
import { SECRET_TOKEN_HEADER } from './telegram-connector.js';
import { TELEGRAM_DOWNLOAD_MAX_BYTES, TELEGRAM_FILE_LINK_TTL_MS, TELEGRAM_UPLOAD_MAX_BYTES, baseMimeType } from './telegram-media.js';

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

/** The file limits the fake applies, per the Bot API (tests shrink them to stay small). */
export interface FakeTelegramFileLimits {
  /** getFile refuses larger files with "Bad Request: file is too big" (20 MB). */
  downloadMaxBytes: number;
  /** An uploaded photo larger than this is refused (10 MB). */
  photoUploadMaxBytes: number;
  /** An uploaded file larger than this is refused with 413 Request Entity Too Large (50 MB). */
  uploadMaxBytes: number;
  /** How long a file path getFile gave keeps working, in platform time (an hour). */
  linkTtlMs: number;
}

/** Telegram's file limits for bots. */
export const TELEGRAM_FILE_LIMITS: FakeTelegramFileLimits = {
  downloadMaxBytes: TELEGRAM_DOWNLOAD_MAX_BYTES,
  photoUploadMaxBytes: TELEGRAM_UPLOAD_MAX_BYTES.photo,
  uploadMaxBytes: TELEGRAM_UPLOAD_MAX_BYTES.other,
  linkTtlMs: TELEGRAM_FILE_LINK_TTL_MS,
};

/** Options of {@link FakeTelegramServer}. */
export interface FakeTelegramOptions extends FakePlatformOptions {
  /** Flood limits to apply instead of {@link TELEGRAM_FLOOD_LIMITS}. */
  limits?: Partial<FakeTelegramLimits>;
  /** File limits to apply instead of {@link TELEGRAM_FILE_LIMITS}. */
  fileLimits?: Partial<FakeTelegramFileLimits>;
}

/** A message in a chat, as the fake keeps it for edits, replies, forwards and deletion. */
interface StoredMessage {
  message: Record<string, unknown>;
  fromBot: boolean;
  /** Unix seconds, platform time. */
  date: number;
}

interface FakeChat {
  id: number | string;
  type: 'private' | 'group' | 'supergroup';
  started: boolean;
  blocked: boolean;
  firstName?: string;
  title?: string;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
}

/** A file the fake knows (sent by the bot, uploaded, or in a simulated customer message). */
interface FakeFile {
  fileId: string;
  uniqueId: string;
  /** Where getFile puts its paths (`photos`, `documents`…) and the extension they end with. */
  folder: string;
  extension: string;
  bytes: Buffer;
  /** The path getFile gave last and when it stops working (platform time, ms). */
  link?: { path: string; expiresAt: number };
}

/** A send method: the field holding its file (if any) and whether it takes a caption. */
interface SendSpec {
  name: string;
  field?: string;
  caption: boolean;
}

const SEND_METHODS: Record<string, SendSpec> = {
  sendmessage: { name: 'sendMessage', caption: false },
  sendphoto: { name: 'sendPhoto', field: 'photo', caption: true },
  sendvideo: { name: 'sendVideo', field: 'video', caption: true },
  sendanimation: { name: 'sendAnimation', field: 'animation', caption: true },
  sendaudio: { name: 'sendAudio', field: 'audio', caption: true },
  sendvoice: { name: 'sendVoice', field: 'voice', caption: true },
  sendvideonote: { name: 'sendVideoNote', field: 'video_note', caption: false },
  senddocument: { name: 'sendDocument', field: 'document', caption: true },
  sendsticker: { name: 'sendSticker', field: 'sticker', caption: false },
  sendlocation: { name: 'sendLocation', caption: false },
  sendvenue: { name: 'sendVenue', caption: false },
  sendcontact: { name: 'sendContact', caption: false },
};

/** `sendChatAction` actions (Bot API, sendChatAction). */
export const TELEGRAM_CHAT_ACTIONS = [
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
] as const;

/** Update types `allowed_updates` may name (the ones this fake produces and the common others). */
const UPDATE_TYPES = new Set([
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message', 'edited_business_message',
  'deleted_business_messages', 'message_reaction', 'message_reaction_count', 'inline_query', 'chosen_inline_result', 'callback_query',
  'shipping_query', 'pre_checkout_query', 'purchased_paid_media', 'poll', 'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request',
  'chat_boost', 'removed_chat_boost',
]);

/** Bots may delete a message up to 48 hours after it was sent (Bot API, deleteMessage). */
const DELETE_WINDOW_S = 48 * 3600;
/** Telegram keeps undelivered updates for 24 hours (Bot API, Getting updates). */
const UPDATE_RETENTION_S = 24 * 3600;
/** A bound on updates kept for getUpdates, so a fake fed many updates and never polled stays small. */
const MAX_QUEUED_UPDATES = 1000;

const BOT_USERNAME = 'switchboard_sandbox_bot';
const BOT_FIRST_NAME = 'Switchboard Sandbox';

const fail = (status: number, description: string, parameters?: Record<string, unknown>): FakeResponse => ({
  status, body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});
const ok = (result: unknown, description?: string): FakeResponse => ({ status: 200, body: { ok: true, result, ...(description ? { description } : {}) } });
const isFail = (v: unknown): v is FakeResponse => isObject(v) && typeof v.status === 'number' && 'body' in v;

/** The fake Bot API server. */
export class FakeTelegramServer extends FakePlatformServer {
  /** Always `telegram`. */
  readonly channel = 'telegram';
  /** Text, media, location, inline-button taps, Start (`subscribe`) and blocking the bot. */
  override readonly simulatedKinds: readonly FakeInboundKind[] = ['text', 'media', 'location', 'button', 'subscribe', 'block', 'conversation-started', 'contact', 'sticker'];
  /** The token requests must carry. */
  readonly botToken: string;
  /** The secret token put on every webhook. */
  readonly secretToken: string;
  /** The webhook registered with setWebhook (or given as `webhookUrl`), if any. */
  webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | undefined;
  private readonly limits: FakeTelegramLimits;
  private readonly chats = new Map<string, FakeChat>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly files = new Map<string, FakeFile>();
  /** Paths getFile gave, to their file (an expired path is forgotten when its file gets a new one). */
  private readonly paths = new Map<string, FakeFile>();
  private readonly fileLimits: FakeTelegramFileLimits;
  private nextPath = 1;
  private readonly queued: { updateId: number; date: number; update: Record<string, unknown> }[] = [];
  private readonly pollers = new Set<() => void>();
  private commands: unknown[] = [];
  private nextUpdateId = 870_000_001;
  private nextCallbackId = 1;
  private nextFile = 1;

  /** @param options - port, latency, `config` overrides of botToken/secretToken, limits, clock, webhookUrl */
  constructor(options: FakeTelegramOptions = {}) {
    super(options);
    const cfg = options.config ?? {};
    // secrets not given are this instance's own (the bot id before the colon stays the sandbox's)
    this.botToken = typeof cfg.botToken === 'string' ? cfg.botToken : `${telegramSandboxConfig.botToken.split(':')[0]}:${randomBytes(26).toString('base64url')}`;
    this.secretToken = typeof cfg.secretToken === 'string' ? cfg.secretToken : randomBytes(24).toString('base64url');
    this.limits = { ...TELEGRAM_FLOOD_LIMITS, ...options.limits };
    this.fileLimits = { ...TELEGRAM_FILE_LIMITS, ...options.fileLimits };
    if (options.webhookUrl !== undefined) this.webhook = { url: options.webhookUrl, secretToken: this.secretToken };
  }

  /** The bot id (digits before the colon of the token). */
  get botId(): string {
    return this.botToken.split(':')[0]!;
  }

  /** @returns a connector config pointing at this fake */
  connectorConfig(): Record<string, unknown> {
    return { botToken: this.botToken, secretToken: this.secretToken, apiBaseUrl: this.url };
  }

  /**
   * The host's webhook URL for this bot: as if `setWebhook` had registered it (with this fake's
   * secret token), so `getWebhookInfo` names it and `getUpdates` is refused, as Telegram does.
   * @param url - the host's `/webhooks/telegram/<bot id>` URL
   */
  override setWebhookUrl(url: string): void {
    super.setWebhookUrl(url);
    this.webhook = { url, secretToken: this.secretToken };
  }

  /** Forgets requests, scripts, throttling, chats, files, queued updates and callback queries. */
  override reset(): void {
    super.reset();
    this.chats.clear();
    this.callbackQueries.clear();
    this.files.clear();
    this.paths.clear();
    this.queued.length = 0;
    this.commands = [];
    this.webhook = undefined;
  }

  /** Stops listening; pending long polls answer with what they have. */
  override async stop(): Promise<void> {
    for (const wake of [...this.pollers]) wake();
    await super.stop();
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
    const fields: Record<string, unknown> = { text: input.text };
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(input.text);
    if (command) fields.entities = [{ offset: 0, length: command[0].length, type: 'bot_command' }];
    return this.customerMessage(input, fields);
  }

  /**
   * A signed update carrying a user's message with any content fields (`photo`, `location`,
   * `contact`…); the user counts as having started the bot.
   * @param input - the sender, and optionally the message id and time
   * @param fields - the Message fields besides the envelope
   */
  customerMessage(input: { userId: string; name?: string; messageId?: string; timestamp?: Date }, fields: Record<string, unknown>): SignedWebhook {
    this.startUser(input.userId, input.name);
    const chat = this.chats.get(input.userId)!;
    const messageId = input.messageId !== undefined ? Number(input.messageId) : chat.nextMessageId++;
    const date = Math.floor((input.timestamp?.getTime() ?? this.platformNow()) / 1000);
    const message: Record<string, unknown> = {
      message_id: messageId, from: this.userObject(input.userId, input.name), chat: this.chatObject(chat), date, ...fields,
    };
    chat.messages.set(messageId, { message, fromBot: false, date });
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
    const callbackQueryId = `${this.botId}${String(this.nextCallbackId++).padStart(8, '0')}`;
    this.callbackQueries.set(callbackQueryId, { answered: false });
    const known = input.messageId !== undefined ? chat.messages.get(Number(input.messageId)) : undefined;
    let message = known?.message;
    if (!message) {
      // the message carrying the button: the bot's, a moment earlier
      const messageId = input.messageId !== undefined ? Number(input.messageId) : chat.nextMessageId++;
      const date = Math.floor(this.platformNow() / 1000) - 5;
      message = {
        message_id: messageId, from: this.botObject(), chat: this.chatObject(chat), date, text: 'Choose',
        reply_markup: { inline_keyboard: [[{ text: input.buttonText ?? input.data, callback_data: input.data }]] },
      };
      chat.messages.set(messageId, { message, fromBot: true, date });
    }
    const webhook = this.signedUpdate({
      callback_query: { id: callbackQueryId, from: this.userObject(input.userId, input.name), message, chat_instance: `-${input.userId}77`, data: input.data },
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
    const bot = this.botObject();
    const date = Math.floor(this.platformNow() / 1000);
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
   * A signed update for any simulated inbound event, as Telegram delivers it: `media` is a photo,
   * video, audio or document message with a file the fake serves through getFile; `button` a
   * callback_query; `subscribe` the user pressing Start (`/start`); `block` a my_chat_member
   * update to `kicked`; `conversation-started` a `/start` carrying `context` as its deep-link
   * payload (the same update as `subscribe`, which Telegram has no other event for); `contact` a
   * message with a Contact (Telegram requires its phone number: a fictitious +1 555 number when none is given); `sticker` a message with a static `regular` Sticker the fake serves
   * through getFile (`stickerId` becomes its file_id). Telegram has no unsubscribe or close of its own.
   * @param event - the event
   * @returns the webhook
   * @throws RangeError for a kind Telegram has not
   */
  override simulate(event: FakeInboundEvent): SignedWebhook {
    const who = { userId: event.userId, ...(event.name !== undefined ? { name: event.name } : {}) };
    switch (event.kind) {
      case 'text': return this.userMessage({ ...who, text: event.text });
      case 'media': return this.customerMessage(who, { ...this.mediaFields(event.mediaType, event.file), ...(event.caption !== undefined ? { caption: event.caption } : {}) });
      case 'location': return this.customerMessage(who, { location: { latitude: event.latitude, longitude: event.longitude } });
      case 'button': return this.callbackQuery({ ...who, data: event.payload, ...(event.title !== undefined ? { buttonText: event.title } : {}) }).webhook;
      case 'subscribe': return this.startCommand(who);
      case 'block': return this.myChatMember({ ...who, status: 'kicked' });
      case 'conversation-started': return this.startCommand({ ...who, ...(event.context !== undefined ? { payload: event.context } : {}) });
      case 'contact': {
        const [first, ...rest] = event.contactName.split(' ');
        return this.customerMessage(who, { contact: { phone_number: event.phone ?? '+15555550100', first_name: first, ...(rest.length > 0 ? { last_name: rest.join(' ') } : {}) } });
      }
      case 'sticker': {
        const f = this.registerFile('stickers', 'webp');
        if (event.stickerId !== undefined && event.stickerId !== f.fileId) { this.files.delete(f.fileId); f.fileId = event.stickerId; this.files.set(f.fileId, f); }
        return this.customerMessage(who, { sticker: {
          file_id: f.fileId, file_unique_id: f.uniqueId, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍', file_size: f.bytes.length,
        } });
      }
      default: throw new RangeError(`telegram fake cannot simulate '${event.kind}' events (supported: ${this.simulatedKinds.join(', ')})`);
    }
  }

  /**
   * Signs any update body (an `update_id` is added) as Telegram would deliver it. While no webhook
   * is set, the update is also kept for `getUpdates` (24 hours, as Telegram keeps them).
   * @param update - the update without its id
   */
  signedUpdate(update: Record<string, unknown>): SignedWebhook {
    const updateId = this.nextUpdateId++;
    const full = { update_id: updateId, ...update };
    if (this.webhook === undefined) {
      this.queued.push({ updateId, date: Math.floor(this.platformNow() / 1000), update: full });
      if (this.queued.length > MAX_QUEUED_UPDATES) this.queued.shift();
      for (const wake of [...this.pollers]) wake();
    }
    const body = Buffer.from(JSON.stringify(full), 'utf8');
    return { method: 'POST', headers: { 'content-type': 'application/json', [SECRET_TOKEN_HEADER]: this.secretToken }, body };
  }

  /**
   * The Message fields of a customer's file, as Telegram sends them: a photo as its sizes (a small
   * thumbnail of its own and the file itself, largest last), a video, a voice note (Ogg) or an audio
   * track (other audio types), a document with its name. The bytes are the test's or a sample file.
   */
  private mediaFields(kind: 'image' | 'video' | 'audio' | 'file', given?: { body: Buffer; mimeType?: string; filename?: string }): Record<string, unknown> {
    const sample = sampleMedia(kind);
    const bytes = given?.body ?? sample.body;
    const mimeType = given ? given.mimeType : sample.mimeType;
    const filename = given ? given.filename : sample.filename;
    const extension = (name: string | undefined, fallback: string): string => /\.([A-Za-z0-9]{1,8})$/.exec(name ?? '')?.[1]?.toLowerCase() ?? fallback;
    const ref = (f: FakeFile): Record<string, unknown> => ({ file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.bytes.length });
    switch (kind) {
      case 'image': {
        const small = this.registerFile('photos', 'jpg', samplePng(2));
        const large = this.registerFile('photos', 'jpg', bytes);
        return { photo: [{ ...ref(small), width: 90, height: 67 }, { ...ref(large), width: 1280, height: 960 }] };
      }
      case 'video': {
        const f = this.registerFile('videos', extension(filename, 'mp4'), bytes);
        return { video: { ...ref(f), width: 640, height: 360, duration: 5, ...(filename ? { file_name: filename } : {}), ...(mimeType ? { mime_type: mimeType } : {}) } };
      }
      case 'audio': {
        const voice = mimeType === undefined || baseMimeType(mimeType) === 'audio/ogg' || baseMimeType(mimeType) === 'audio/opus';
        if (voice) {
          const f = this.registerFile('voice', 'oga', bytes);
          return { voice: { ...ref(f), duration: 3, mime_type: mimeType ?? 'audio/ogg' } };
        }
        const f = this.registerFile('music', extension(filename, 'mp3'), bytes);
        return { audio: { ...ref(f), duration: 3, ...(filename ? { file_name: filename } : {}), mime_type: mimeType } };
      }
      case 'file': {
        const f = this.registerFile('documents', extension(filename, 'bin'), bytes);
        return { document: { ...ref(f), ...(filename ? { file_name: filename } : {}), ...(mimeType ? { mime_type: mimeType } : {}) } };
      }
    }
  }

  private registerFile(folder: string, extension: string, bytes?: Buffer): FakeFile {
    const n = this.nextFile++;
    const content = bytes ?? Buffer.from(`switchboard fake telegram file ${n}\n`, 'utf8');
    const digest = createHash('sha256').update(`${this.botId}:${n}`).digest('base64url');
    const file: FakeFile = { fileId: `AgACAgQAAx${digest.slice(0, 40)}`, uniqueId: `AQAD${digest.slice(40, 52)}`, folder, extension, bytes: content };
    this.files.set(file.fileId, file);
    return file;
  }

  /**
   * The bytes Telegram holds for a file: one a simulated customer sent or one the bot uploaded (by
   * its `file_id`, as `parse` and a send's result name it).
   * @param ref - the media reference
   * @returns a copy of the bytes, or undefined for a file the fake does not know
   */
  storedMedia(ref: MediaRef): Buffer | undefined {
    const file = ref.id !== undefined ? this.files.get(ref.id) : undefined;
    return file ? Buffer.from(file.bytes) : undefined;
  }

  private chat(chatId: string, type: FakeChat['type']): FakeChat {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId, type, started: false, blocked: false, nextMessageId: 1, messages: new Map() };
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  private botObject(): Record<string, unknown> {
    return { id: Number(this.botId), is_bot: true, first_name: BOT_FIRST_NAME, username: BOT_USERNAME };
  }

  private userObject(userId: string, name?: string): Record<string, unknown> {
    return { id: /^\d+$/.test(userId) ? Number(userId) : userId, is_bot: false, first_name: name ?? this.chats.get(userId)?.firstName ?? 'Test', language_code: 'en' };
  }

  private chatObject(chat: FakeChat): Record<string, unknown> {
    return chat.type === 'private'
      ? { id: chat.id, first_name: chat.firstName ?? 'Test', type: 'private' }
      : { id: chat.id, title: chat.title ?? 'Test group', type: chat.type };
  }

  protected async handle(req: RecordedRequest): Promise<FakeResponse> {
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.path);
    if (download) return this.download(download[1]!, download[2]!);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!match) return fail(404, 'Not Found');
    if (match[1] !== this.botToken) return fail(401, 'Unauthorized');
    let p: BotApiParams;
    try {
      p = new BotApiParams(await readBotApiParams(req));
    } catch (error) {
      if (error instanceof BotApiParamsError) return fail(400, error.message);
      throw error;
    }
    // method names are case-insensitive (Bot API, Making requests)
    const method = match[2]!.toLowerCase();
    try {
      return await this.call(method, p, req);
    } catch (error) {
      if (error instanceof BotApiParamsError) return fail(400, error.message);
      throw error;
    }
  }

  private async call(method: string, p: BotApiParams, req: RecordedRequest): Promise<FakeResponse> {
    const now = this.platformNow();
    switch (method) {
      case 'getme':
        return ok({ ...this.botObject(), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false });
      case 'logout': case 'close': return ok(true);
      case 'setwebhook': return this.setWebhook(p);
      case 'deletewebhook':
        this.webhook = undefined;
        if (p.bool('drop_pending_updates')) this.queued.length = 0;
        return ok(true, 'Webhook was deleted');
      case 'getwebhookinfo':
        return ok({
          url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.webhook ? 0 : this.pendingUpdates(now).length,
          ...(this.webhook ? { max_connections: 40, ip_address: '127.0.0.1' } : {}),
          ...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
        });
      case 'getupdates': return this.getUpdates(p);
      case 'answercallbackquery': return this.answerCallbackQuery(p);
      case 'setmessagereaction': return this.setMessageReaction(p);
      case 'sendchataction': return this.sendChatAction(p);
      case 'editmessagetext': case 'editmessagecaption': case 'editmessagereplymarkup': return this.editMessage(method, p, now);
      case 'deletemessage': return this.deleteMessage(p, now);
      case 'forwardmessage': case 'copymessage': return this.forwardOrCopy(method, p, req, now);
      case 'getfile': return this.getFile(p);
      case 'getchat': return this.getChat(p);
      case 'setmycommands': return this.setMyCommands(p);
      case 'getmycommands': return ok(this.commands);
      case 'deletemycommands': this.commands = []; return ok(true);
      default: {
        const spec = SEND_METHODS[method];
        return spec ? this.send(spec, p, req, now) : fail(404, 'Not Found');
      }
    }
  }

  private pendingUpdates(now: number): { updateId: number; date: number; update: Record<string, unknown> }[] {
    const oldest = Math.floor(now / 1000) - UPDATE_RETENTION_S;
    while (this.queued.length > 0 && this.queued[0]!.date < oldest) this.queued.shift();
    return this.queued;
  }

  private async getUpdates(p: BotApiParams): Promise<FakeResponse> {
    if (this.webhook) return fail(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = p.int('offset') ?? 0;
    const limit = p.int('limit') ?? 100;
    const timeout = p.int('timeout') ?? 0;
    const allowed = p.json('allowed_updates', "Bad Request: can't parse allowed updates");
    const types = Array.isArray(allowed) && allowed.length > 0 ? new Set(allowed.filter((t): t is string => typeof t === 'string')) : undefined;
    // a positive offset confirms every update before it; a negative one keeps the last -offset
    const confirm = (): void => {
      if (Number.isNaN(offset)) return;
      if (offset > 0) while (this.queued.length > 0 && this.queued[0]!.updateId < offset) this.queued.shift();
      else if (offset < 0) this.queued.splice(0, Math.max(0, this.queued.length + offset));
    };
    const take = (): Record<string, unknown>[] => {
      confirm();
      const n = Number.isNaN(limit) ? 100 : Math.min(100, Math.max(1, limit));
      return this.pendingUpdates(this.platformNow())
        .filter((u) => !types || Object.keys(u.update).some((k) => k !== 'update_id' && types.has(k)))
        .slice(0, n).map((u) => u.update);
    };
    let updates = take();
    if (updates.length === 0 && timeout > 0) {
      // long polling: wait for an update or the timeout (wall time, shrunk by the time scale)
      const waitMs = (Math.min(timeout, 50) * 1000) / (this.options.timeScale ?? 1);
      await new Promise<void>((resolve) => {
        const wake = (): void => { clearTimeout(timer); this.pollers.delete(wake); resolve(); };
        const timer = setTimeout(wake, waitMs);
        timer.unref?.();
        this.pollers.add(wake);
      });
      updates = take();
    }
    return ok(updates);
  }

  private setWebhook(p: BotApiParams): FakeResponse {
    const url = p.params.get('url');
    if (typeof url !== 'string') return fail(400, 'Bad Request: bad webhook: Webhook URL must be specified');
    if (url === '') { this.webhook = undefined; return ok(true, 'Webhook was deleted'); }
    if (!url.startsWith('https://')) return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const secret = p.str('secret_token');
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      return fail(400, 'Bad Request: bad webhook: Secret token contains unallowed characters');
    }
    const maxConnections = p.int('max_connections');
    if (maxConnections !== undefined && !(maxConnections >= 1 && maxConnections <= 100)) return fail(400, 'Bad Request: bad webhook: max_connections must be between 1 and 100');
    const allowed = p.json('allowed_updates', "Bad Request: can't parse allowed updates");
    const allowedUpdates = Array.isArray(allowed) ? allowed.filter((u): u is string => typeof u === 'string' && UPDATE_TYPES.has(u)) : undefined;
    if (p.bool('drop_pending_updates')) this.queued.length = 0;
    this.webhook = { url, ...(secret !== undefined ? { secretToken: secret } : {}), ...(allowedUpdates ? { allowedUpdates } : {}) };
    return ok(true, 'Webhook was set');
  }

  private answerCallbackQuery(p: BotApiParams): FakeResponse {
    const id = p.str('callback_query_id');
    if (id === undefined) return fail(400, 'Bad Request: QUERY_ID_INVALID');
    const query = this.callbackQueries.get(id);
    if (!query || query.answered) return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    const text = p.str('text');
    if (text !== undefined && text.length > 200) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
    query.answered = true;
    return ok(true);
  }

  private resolveChat(p: BotApiParams, key = 'chat_id'): FakeChat | FakeResponse {
    const raw = p.str(key);
    if (raw === undefined) return fail(400, `Bad Request: ${key} is empty`);
    const chat = this.chats.get(raw.trim());
    if (!chat || !chat.started) return fail(400, 'Bad Request: chat not found');
    if (chat.blocked) return fail(403, chat.type === 'private' ? 'Forbidden: bot was blocked by the user' : 'Forbidden: bot was kicked from the group chat');
    return chat;
  }

  private setMessageReaction(p: BotApiParams): FakeResponse {
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const messageId = p.int('message_id');
    if (messageId === undefined || !chat.messages.has(messageId)) return fail(400, 'Bad Request: message to react not found');
    const reaction = p.json('reaction', 'Bad Request: REACTION_INVALID') ?? [];
    if (!Array.isArray(reaction) || reaction.some((r) => !isObject(r) || r.type !== 'emoji' || typeof r.emoji !== 'string')) {
      return fail(400, 'Bad Request: REACTION_INVALID');
    }
    return ok(true);
  }

  private sendChatAction(p: BotApiParams): FakeResponse {
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const action = p.str('action');
    if (action === undefined) return fail(400, 'Bad Request: action is empty');
    if (!(TELEGRAM_CHAT_ACTIONS as readonly string[]).includes(action)) return fail(400, 'Bad Request: wrong parameter action in request');
    return ok(true);
  }

  private editMessage(method: string, p: BotApiParams, now: number): FakeResponse {
    if (p.has('inline_message_id')) return fail(400, 'Bad Request: MESSAGE_ID_INVALID');
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const messageId = p.int('message_id');
    if (messageId === undefined) return fail(400, 'Bad Request: message identifier is not specified');
    const stored = chat.messages.get(messageId);
    if (!stored) return fail(400, 'Bad Request: message to edit not found');
    if (!stored.fromBot) return fail(400, "Bad Request: message can't be edited");
    const markup = p.json('reply_markup', "Bad Request: can't parse reply keyboard markup JSON object");
    if (markup !== undefined && !(isObject(markup) && markup.inline_keyboard !== undefined)) return fail(400, 'Bad Request: inline keyboard expected');
    const invalid = this.validateMarkup(markup);
    if (invalid) return invalid;
    const message = stored.message;
    const next: Record<string, unknown> = { ...message };
    if (method === 'editmessagetext') {
      const text = p.str('text');
      if (text === undefined || text.trim() === '') return fail(400, 'Bad Request: message text is empty');
      if (text.length > 4096) return fail(400, 'Bad Request: MESSAGE_TOO_LONG');
      if (typeof message.text !== 'string') return fail(400, 'Bad Request: there is no text in the message to edit');
      next.text = text;
    } else if (method === 'editmessagecaption') {
      const caption = p.str('caption');
      if (caption !== undefined && caption.length > 1024) return fail(400, 'Bad Request: message caption is too long');
      if (typeof message.text === 'string' || message.location !== undefined || message.contact !== undefined) return fail(400, 'Bad Request: there is no caption in the message to edit');
      if (caption === undefined) delete next.caption; else next.caption = caption;
    }
    if (markup !== undefined && isObject(markup) && Array.isArray(markup.inline_keyboard) && markup.inline_keyboard.length > 0) next.reply_markup = markup;
    else delete next.reply_markup;
    if (next.text === message.text && next.caption === message.caption && JSON.stringify(next.reply_markup) === JSON.stringify(message.reply_markup)) {
      return fail(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    next.edit_date = Math.floor(now / 1000);
    stored.message = next;
    return ok(next);
  }

  private deleteMessage(p: BotApiParams, now: number): FakeResponse {
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const messageId = p.int('message_id');
    const stored = messageId === undefined ? undefined : chat.messages.get(messageId);
    if (!stored) return fail(400, 'Bad Request: message to delete not found');
    // bots delete their own and, in private chats, incoming messages; either only within 48 hours
    if ((!stored.fromBot && chat.type !== 'private') || Math.floor(now / 1000) - stored.date >= DELETE_WINDOW_S) {
      return fail(400, "Bad Request: message can't be deleted");
    }
    chat.messages.delete(messageId!);
    return ok(true);
  }

  private forwardOrCopy(method: string, p: BotApiParams, req: RecordedRequest, now: number): FakeResponse {
    const copy = method === 'copymessage';
    const from = this.chats.get(p.str('from_chat_id')?.trim() ?? '');
    if (!p.has('from_chat_id')) return fail(400, 'Bad Request: from_chat_id is empty');
    const messageId = p.int('message_id');
    const source = from && messageId !== undefined ? from.messages.get(messageId) : undefined;
    if (!source) return fail(400, copy ? 'Bad Request: message to copy not found' : 'Bad Request: message to forward not found');
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const throttled = this.throttle(chat, now);
    if (throttled) return throttled;
    const { message_id: _id, from: _from, chat: _chat, date: origDate, edit_date: _e, ...content } = source.message;
    const newId = chat.nextMessageId++;
    const date = Math.floor(now / 1000);
    const caption = p.str('caption');
    const message: Record<string, unknown> = {
      message_id: newId, from: this.botObject(), chat: this.chatObject(chat), date, ...content,
      ...(copy && caption !== undefined ? { caption } : {}),
      ...(copy ? {} : { forward_origin: source.fromBot ? { type: 'user', sender_user: this.botObject(), date: origDate } : { type: 'user', sender_user: source.message.from, date: origDate } }),
    };
    chat.messages.set(newId, { message, fromBot: true, date });
    this.recordSent({ id: String(newId), userId: String(chat.id), type: copy ? 'copyMessage' : 'forwardMessage', request: { method: req.method, path: req.path, body: p.toJSON() } });
    return ok(copy ? { message_id: newId } : message);
  }

  private getFile(p: BotApiParams): FakeResponse {
    const id = p.str('file_id');
    if (id === undefined) return fail(400, 'Bad Request: file_id is empty');
    const file = this.files.get(id);
    if (!file) return fail(400, 'Bad Request: invalid file_id');
    if (file.bytes.length > this.fileLimits.downloadMaxBytes) return fail(400, 'Bad Request: file is too big');
    // a link works for at least an hour; once it has expired, getFile gives a new one
    const now = this.platformNow();
    if (!file.link || file.link.expiresAt <= now) {
      if (file.link) this.paths.delete(file.link.path);
      file.link = { path: `${file.folder}/file_${this.nextPath++}.${file.extension}`, expiresAt: now + this.fileLimits.linkTtlMs };
      this.paths.set(file.link.path, file);
    }
    return ok({ file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.bytes.length, file_path: file.link.path });
  }

  /** `GET /file/bot<token>/<file_path>`: the bytes while the path is valid, else Telegram's 404. */
  private download(token: string, path: string): FakeResponse {
    if (token !== this.botToken) return fail(401, 'Unauthorized');
    const file = this.paths.get(path);
    if (!file?.link || file.link.path !== path || file.link.expiresAt <= this.platformNow()) return fail(404, 'Not Found');
    return { status: 200, body: file.bytes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) } };
  }

  private getChat(p: BotApiParams): FakeResponse {
    const raw = p.str('chat_id');
    if (raw === undefined) return fail(400, 'Bad Request: chat_id is empty');
    const chat = this.chats.get(raw.trim());
    if (!chat || !chat.started) return fail(400, 'Bad Request: chat not found');
    return ok({ ...this.chatObject(chat), accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false } });
  }

  private setMyCommands(p: BotApiParams): FakeResponse {
    const commands = p.json('commands', "Bad Request: can't parse commands JSON object");
    if (!Array.isArray(commands)) return fail(400, 'Bad Request: parameter "commands" is required');
    if (commands.length > 100) return fail(400, 'Bad Request: too many commands specified');
    for (const c of commands) {
      if (!isObject(c) || typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) return fail(400, 'Bad Request: BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) return fail(400, 'Bad Request: command description must be non-empty');
    }
    this.commands = commands;
    return ok(true);
  }

  /** Flood control: Telegram answers 429 with the seconds to wait in parameters.retry_after. */
  private throttle(chat: FakeChat, now: number): FakeResponse | undefined {
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
    return undefined;
  }

  private send(spec: SendSpec, p: BotApiParams, req: RecordedRequest, now: number): FakeResponse {
    const chat = this.resolveChat(p);
    if (isFail(chat)) return chat;
    const invalid = this.validateSend(spec, p, chat);
    if (invalid) return invalid;
    const throttled = this.throttle(chat, now);
    if (throttled) return throttled;
    const messageId = chat.nextMessageId++;
    const message = this.messageResult(spec, p, chat, messageId, now);
    chat.messages.set(messageId, { message, fromBot: true, date: Math.floor(now / 1000) });
    this.recordSent({ id: String(messageId), userId: String(chat.id), type: spec.name, request: { method: req.method, path: req.path, body: p.toJSON() } });
    return ok(message);
  }

  private validateSend(spec: SendSpec, p: BotApiParams, chat: FakeChat): FakeResponse | undefined {
    const parseMode = p.str('parse_mode');
    if (parseMode !== undefined && !['HTML', 'Markdown', 'MarkdownV2'].includes(parseMode)) return fail(400, 'Bad Request: unsupported parse_mode');
    if (spec.name === 'sendMessage') {
      const text = p.str('text');
      if (text === undefined || text.trim() === '') return fail(400, 'Bad Request: message text is empty');
      if (text.length > 4096) return fail(400, 'Bad Request: message is too long');
    }
    if (spec.field) {
      const upload = p.file(spec.field);
      const ref = p.str(spec.field);
      if (!upload) {
        if (ref === undefined) return fail(400, `Bad Request: there is no ${spec.field} in the request`);
        if (!/^https?:\/\/\S+$/.test(ref) && !/^[A-Za-z0-9_-]{8,}$/.test(ref)) return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
      } else {
        const refused = this.checkUpload(spec, upload);
        if (refused) return refused;
      }
    }
    const caption = p.str('caption');
    if (caption !== undefined) {
      if (!spec.caption) return fail(400, `Bad Request: ${spec.name} takes no caption`);
      if (caption.length > 1024) return fail(400, 'Bad Request: message caption is too long');
    }
    if (spec.name === 'sendLocation' || spec.name === 'sendVenue') {
      const latitude = p.num('latitude');
      const longitude = p.num('longitude');
      if (latitude === undefined || longitude === undefined || Number.isNaN(latitude) || Number.isNaN(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        return fail(400, 'Bad Request: wrong latitude/longitude specified');
      }
      if (spec.name === 'sendVenue' && (p.str('title') === undefined || p.str('address') === undefined)) {
        return fail(400, 'Bad Request: venue title and address must be non-empty');
      }
    }
    if (spec.name === 'sendContact') {
      if (p.str('phone_number') === undefined) return fail(400, 'Bad Request: phone number is empty');
      if (p.str('first_name') === undefined) return fail(400, 'Bad Request: first name is empty');
      const vcard = p.str('vcard');
      if (vcard !== undefined && Buffer.byteLength(vcard) > 2048) return fail(400, 'Bad Request: vcard is too long');
    }
    const reply = p.json('reply_parameters', "Bad Request: can't parse reply parameters JSON object");
    if (reply !== undefined) {
      if (!isObject(reply) || typeof reply.message_id !== 'number') return fail(400, "Bad Request: can't parse reply parameters JSON object");
      if (!chat.messages.has(reply.message_id) && reply.allow_sending_without_reply !== true) return fail(400, 'Bad Request: message to be replied not found');
    }
    return this.validateMarkup(p.json('reply_markup', "Bad Request: can't parse reply keyboard markup JSON object"));
  }

  /**
   * Telegram's refusals of an uploaded file: over 50 MB the upload is refused with 413 Request Entity
   * Too Large; a photo must be an image (IMAGE_PROCESS_FAILED otherwise), at most 10 MB (refused as
   * PHOTO_SAVE_FILE_INVALID, the error Telegram reports for photos over its limit) and, read from a
   * PNG's header, at most 10,000 pixels wide and high together with a side ratio of at most 20
   * (PHOTO_INVALID_DIMENSIONS).
   */
  private checkUpload(spec: SendSpec, upload: UploadedFile): FakeResponse | undefined {
    if (upload.bytes.length > this.fileLimits.uploadMaxBytes) return fail(413, 'Request Entity Too Large');
    if (spec.name !== 'sendPhoto') return undefined;
    const kind = imageKind(upload.bytes);
    if (kind === undefined) return fail(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    if (upload.bytes.length > this.fileLimits.photoUploadMaxBytes) return fail(400, 'Bad Request: PHOTO_SAVE_FILE_INVALID');
    if (kind === 'png' && upload.bytes.length >= 24) {
      const width = upload.bytes.readUInt32BE(16);
      const height = upload.bytes.readUInt32BE(20);
      if (width === 0 || height === 0 || width + height > 10_000 || Math.max(width, height) / Math.min(width, height) > 20) return fail(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
    }
    return undefined;
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

  /** The file a send refers to: uploaded now, known by id, or fetched from a URL (placeholder bytes). */
  private fileFor(field: string, p: BotApiParams): FakeFile {
    const upload: UploadedFile | undefined = p.file(field);
    const ref = p.str(field);
    if (!upload && ref !== undefined) {
      const known = this.files.get(ref);
      if (known) return known;
    }
    const named = upload?.name ?? (ref !== undefined && /^https?:/.test(ref) ? new URL(ref).pathname : '');
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(named)?.[1]?.toLowerCase() ?? 'bin';
    return this.registerFile(`${field}s`, extension, upload?.bytes);
  }

  private messageResult(spec: SendSpec, p: BotApiParams, chat: FakeChat, messageId: number, now: number): Record<string, unknown> {
    const result: Record<string, unknown> = { message_id: messageId, from: this.botObject(), chat: this.chatObject(chat), date: Math.floor(now / 1000) };
    const latitude = p.num('latitude');
    const longitude = p.num('longitude');
    if (spec.field) {
      const f = this.fileFor(spec.field, p);
      const ref = { file_id: f.fileId, file_unique_id: f.uniqueId, file_size: f.bytes.length };
      const upload = p.file(spec.field);
      const named = upload ? { ...(upload.name ? { file_name: upload.name } : {}), mime_type: upload.type || 'application/octet-stream' } : {};
      switch (spec.name) {
        case 'sendPhoto': {
          // Telegram keeps a photo in several sizes, each its own file: a thumbnail, then the photo
          const thumb = upload ? this.registerFile('photos', 'jpg', samplePng(2)) : f;
          result.photo = [
            { file_id: thumb.fileId, file_unique_id: thumb.uniqueId, file_size: thumb.bytes.length, width: 90, height: 90 },
            { ...ref, width: 1280, height: 960 },
          ];
          break;
        }
        case 'sendSticker': result.sticker = { ...ref, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false }; break;
        case 'sendDocument': result.document = { ...ref, ...named }; break;
        case 'sendVideo': result.video = { ...ref, width: 640, height: 360, duration: 5, ...named }; break;
        case 'sendAudio': result.audio = { ...ref, duration: 3, ...named }; break;
        case 'sendVoice': result.voice = { ...ref, duration: 3, ...(upload ? { mime_type: upload.type || 'audio/ogg' } : {}) }; break;
        default: result[spec.field] = ref;
      }
    }
    switch (spec.name) {
      case 'sendMessage': result.text = p.str('text'); break;
      case 'sendLocation': result.location = { latitude, longitude }; break;
      case 'sendVenue':
        result.location = { latitude, longitude };
        result.venue = { location: result.location, title: p.str('title'), address: p.str('address') };
        break;
      case 'sendContact': {
        const vcard = p.str('vcard');
        const last = p.str('last_name');
        result.contact = { phone_number: p.str('phone_number'), first_name: p.str('first_name'), ...(last ? { last_name: last } : {}), ...(vcard ? { vcard } : {}) };
        break;
      }
    }
    const caption = p.str('caption');
    if (caption !== undefined) result.caption = caption;
    const markup = p.json('reply_markup', '');
    if (isObject(markup) && markup.inline_keyboard) result.reply_markup = markup;
    const reply = p.json('reply_parameters', '');
    if (isObject(reply) && typeof reply.message_id === 'number') {
      const target = chat.messages.get(reply.message_id);
      if (target) result.reply_to_message = target.message;
    }
    return result;
  }
}

/** The image format of a file, read from its first bytes (what Telegram can make a photo of). */
function imageKind(bytes: Buffer): 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  if (bytes.length >= 2 && bytes.toString('latin1', 0, 2) === 'BM') return 'bmp';
  return undefined;
}

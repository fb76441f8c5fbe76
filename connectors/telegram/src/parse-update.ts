/**
 * Parsing Telegram `Update` objects into Switchboard inbound events.
 * @module
 */
import {
  MalformedPayloadError, isObject, optArray, optNumber, optString, parseJsonObject, reqNumber, reqObject, reqString, toDate,
} from '@switchboard/core';
import type { ConsentEvent, Content, InboundEvent, JsonObject, MessageEvent } from '@switchboard/core';

const CHANNEL = 'telegram';

/** Update types this connector turns into events; the rest become `unsupported`. */
export const PARSED_UPDATE_TYPES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** What parsing needs besides the body. */
export interface ParseContext {
  /** The bot id (accountId of every event). */
  accountId: string;
  /** Current time in ms, for callback queries (which carry no date of their own). */
  now: number;
}

/**
 * Parses one webhook body (a single Telegram `Update`) into events.
 * @param body - the raw bytes
 * @param ctx - account id and current time
 * @returns the events, each with `eventId` derived from `update_id`
 * @throws MalformedPayloadError when the body is not a well-formed update
 */
export function parseUpdate(body: Buffer, ctx: ParseContext): InboundEvent[] {
  const update = parseJsonObject(body);
  const updateId = reqNumber(update, 'update_id');
  if (!Number.isSafeInteger(updateId) || updateId < 0) throw new MalformedPayloadError('update_id must be a non-negative integer');
  const eventId = String(updateId);
  if (update.message !== undefined) return parseMessage(reqObject(update, 'message'), eventId, false, ctx);
  if (update.edited_message !== undefined) return parseMessage(reqObject(update, 'edited_message'), eventId, true, ctx);
  if (update.callback_query !== undefined) return parseCallbackQuery(reqObject(update, 'callback_query'), eventId, ctx);
  if (update.my_chat_member !== undefined) return parseMyChatMember(reqObject(update, 'my_chat_member'), eventId, ctx);
  const kind = Object.keys(update).find((k) => k !== 'update_id') ?? '(empty)';
  return [{ kind: 'unsupported', channel: CHANNEL, accountId: ctx.accountId, reason: `update type ${kind} is not handled`, eventId }];
}

function displayName(user: JsonObject, path: string): string | undefined {
  const first = optString(user, 'first_name', path);
  const last = optString(user, 'last_name', path);
  const name = [first, last].filter((p) => p !== undefined && p !== '').join(' ');
  return name === '' ? undefined : name;
}

/** The profile of the sender; in groups it also says who in the group wrote. */
function profileOf(from: JsonObject | undefined, chat: JsonObject, group: boolean): MessageEvent['profile'] {
  const profile: NonNullable<MessageEvent['profile']> = {};
  if (from) {
    const name = displayName(from, 'from.');
    if (name !== undefined) profile.name = name;
    const username = optString(from, 'username', 'from.');
    if (username !== undefined) profile.username = username;
    const language = optString(from, 'language_code', 'from.');
    if (language !== undefined) profile.languageCode = language;
    if (group) profile.senderId = reqString(from, 'id', 'from.');
  }
  if (group) {
    const title = optString(chat, 'title', 'chat.');
    if (title !== undefined) profile.chatTitle = title;
  }
  return profile;
}

function optObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new MalformedPayloadError(`${path}${key} must be an object`);
  return v;
}

function isGroupChat(type: string | undefined): boolean {
  return type === 'group' || type === 'supergroup';
}

function parseMessage(msg: JsonObject, eventId: string, edited: boolean, ctx: ParseContext): InboundEvent[] {
  const path = edited ? 'edited_message.' : 'message.';
  const messageId = reqString(msg, 'message_id', path);
  const chat = reqObject(msg, 'chat', path);
  const chatId = reqString(chat, 'id', `${path}chat.`);
  const chatType = optString(chat, 'type', `${path}chat.`);
  const from = optObject(msg, 'from', path);
  const group = isGroupChat(chatType);
  const date = reqNumber(msg, 'date', path);
  const editDate = optNumber(msg, 'edit_date', path);
  const timestamp = toDate(edited && editDate !== undefined ? editDate : date, 's');
  const base = { channel: CHANNEL, accountId: ctx.accountId, userId: chatId, timestamp };
  const content = messageContent(msg, path);
  if (content === undefined) {
    const kind = Object.keys(msg).find((k) => !ENVELOPE_FIELDS.has(k)) ?? 'empty';
    return [{ kind: 'unsupported', ...base, reason: `message content ${kind} is not handled`, eventId }];
  }
  const metadata: Record<string, unknown> = { updateType: edited ? 'edited_message' : 'message' };
  if (chatType !== undefined) metadata.chatType = chatType;
  const threadId = optNumber(msg, 'message_thread_id', path);
  if (threadId !== undefined) metadata.messageThreadId = threadId;
  const events: InboundEvent[] = [];
  if (content.type === 'text') {
    const command = leadingCommand(msg, content.text, path);
    if (command) {
      metadata.command = command.name;
      if (command.args !== '') metadata.commandArgs = command.args;
      // /start is what opens a private chat with a bot; its argument is the deep-link payload
      if (command.name === 'start' && !edited && !group) {
        events.push({
          kind: 'conversation-started', ...base, eventId: `${eventId}:conversation-started`,
          ...(command.args !== '' ? { context: command.args } : {}),
          profile: profileOf(from, chat, group),
        });
      }
    }
  }
  const replyTo = optObject(msg, 'reply_to_message', path);
  const event: MessageEvent = {
    kind: 'message', ...base, eventId, externalId: messageId, content,
    profile: profileOf(from, chat, group), metadata,
  };
  if (replyTo) event.replyTo = reqString(replyTo, 'message_id', `${path}reply_to_message.`);
  if (edited) event.edited = true;
  events.push(event);
  return events;
}

const ENVELOPE_FIELDS = new Set([
  'message_id', 'message_thread_id', 'from', 'sender_chat', 'sender_boost_count', 'sender_business_bot', 'date', 'edit_date',
  'business_connection_id', 'chat', 'forward_origin', 'is_topic_message', 'is_automatic_forward', 'reply_to_message',
  'external_reply', 'quote', 'reply_to_story', 'via_bot', 'has_protected_content', 'is_from_offline', 'media_group_id',
  'author_signature', 'entities', 'caption_entities', 'reply_markup', 'link_preview_options', 'effect_id',
  'show_caption_above_media', 'has_media_spoiler',
]);

function leadingCommand(msg: JsonObject, text: string, path: string): { name: string; args: string } | undefined {
  for (const raw of optArray(msg, 'entities', path)) {
    if (!isObject(raw)) throw new MalformedPayloadError(`${path}entities must hold objects`);
    if (optString(raw, 'type', `${path}entities.`) !== 'bot_command') continue;
    if (optNumber(raw, 'offset', `${path}entities.`) !== 0) continue;
    const length = reqNumber(raw, 'length', `${path}entities.`);
    if (!Number.isInteger(length) || length < 2 || length > text.length) throw new MalformedPayloadError(`${path}entities.length is out of range`);
    // "/start@MyBot payload": the command without its slash and bot mention, then the rest
    const name = text.slice(1, length).split('@')[0]!.toLowerCase();
    return { name, args: text.slice(length).trim() };
  }
  return undefined;
}

function fileRef(obj: JsonObject, path: string, caption: string | undefined): { id: string; mimeType?: string; filename?: string; size?: number; caption?: string } {
  const ref: { id: string; mimeType?: string; filename?: string; size?: number; caption?: string } = { id: reqString(obj, 'file_id', path) };
  const mime = optString(obj, 'mime_type', path);
  if (mime !== undefined) ref.mimeType = mime;
  const name = optString(obj, 'file_name', path);
  if (name !== undefined) ref.filename = name;
  const size = optNumber(obj, 'file_size', path);
  if (size !== undefined) ref.size = size;
  if (caption !== undefined) ref.caption = caption;
  return ref;
}

function messageContent(msg: JsonObject, path: string): Content | undefined {
  const text = optString(msg, 'text', path);
  if (text !== undefined) return { type: 'text', text };
  const caption = optString(msg, 'caption', path);
  if (msg.photo !== undefined) {
    const sizes = optArray(msg, 'photo', path);
    if (sizes.length === 0) throw new MalformedPayloadError(`${path}photo must not be empty`);
    // Telegram lists the sizes smallest first, but pick by area so order does not matter
    let best: JsonObject | undefined;
    let bestArea = -1;
    for (const s of sizes) {
      if (!isObject(s)) throw new MalformedPayloadError(`${path}photo must hold PhotoSize objects`);
      const area = (optNumber(s, 'width', `${path}photo.`) ?? 0) * (optNumber(s, 'height', `${path}photo.`) ?? 0);
      if (area >= bestArea) { best = s; bestArea = area; }
    }
    return { type: 'image', media: fileRef(best!, `${path}photo.`, caption) };
  }
  for (const [field, type] of [['video', 'video'], ['video_note', 'video'], ['audio', 'audio'], ['voice', 'audio'], ['document', 'document']] as const) {
    if (msg[field] !== undefined) return { type, media: fileRef(reqObject(msg, field, path), `${path}${field}.`, caption) };
  }
  if (msg.sticker !== undefined) {
    const sticker = reqObject(msg, 'sticker', path);
    const media = fileRef(sticker, `${path}sticker.`, undefined);
    // stickers carry no MIME type; their format flags say which one they are
    media.mimeType = sticker.is_animated === true ? 'application/x-tgsticker' : sticker.is_video === true ? 'video/webm' : 'image/webp';
    return { type: 'sticker', media };
  }
  if (msg.venue !== undefined) {
    const venue = reqObject(msg, 'venue', path);
    const location = reqObject(venue, 'location', `${path}venue.`);
    const content: Content = { type: 'location', ...coordinates(location, `${path}venue.location.`) };
    const title = optString(venue, 'title', `${path}venue.`);
    const address = optString(venue, 'address', `${path}venue.`);
    if (title !== undefined) content.name = title;
    if (address !== undefined) content.address = address;
    return content;
  }
  if (msg.location !== undefined) return { type: 'location', ...coordinates(reqObject(msg, 'location', path), `${path}location.`) };
  if (msg.contact !== undefined) {
    const contact = reqObject(msg, 'contact', path);
    const phone = reqString(contact, 'phone_number', `${path}contact.`);
    return { type: 'contacts', contacts: [{ name: displayName(contact, `${path}contact.`) ?? phone, phones: [{ phone }] }] };
  }
  return undefined;
}

function coordinates(location: JsonObject, path: string): { latitude: number; longitude: number } {
  const latitude = reqNumber(location, 'latitude', path);
  const longitude = reqNumber(location, 'longitude', path);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) throw new MalformedPayloadError(`${path} coordinates are out of range`);
  return { latitude, longitude };
}

function parseCallbackQuery(query: JsonObject, eventId: string, ctx: ParseContext): InboundEvent[] {
  const path = 'callback_query.';
  const id = reqString(query, 'id', path);
  const from = reqObject(query, 'from', path);
  const message = optObject(query, 'message', path);
  const chat = message ? reqObject(message, 'chat', `${path}message.`) : undefined;
  const userId = chat ? reqString(chat, 'id', `${path}message.chat.`) : reqString(from, 'id', `${path}from.`);
  const data = optString(query, 'data', path);
  if (data === undefined) {
    return [{ kind: 'unsupported', channel: CHANNEL, accountId: ctx.accountId, userId, reason: 'callback_query without data (game or inline message) is not handled', eventId }];
  }
  const group = isGroupChat(chat ? optString(chat, 'type', `${path}message.chat.`) : undefined);
  const metadata: Record<string, unknown> = { updateType: 'callback_query', callbackQueryId: id };
  const chatInstance = optString(query, 'chat_instance', path);
  if (chatInstance !== undefined) metadata.chatInstance = chatInstance;
  const event: MessageEvent = {
    kind: 'message', channel: CHANNEL, accountId: ctx.accountId, userId,
    // a callback query carries no date of its own: it happens when it arrives
    timestamp: new Date(ctx.now),
    eventId, externalId: id,
    content: { type: 'reply', id: data, title: (message && buttonTitle(message, data)) ?? data },
    profile: profileOf(from, chat ?? {}, group), metadata,
  };
  if (message) event.replyTo = reqString(message, 'message_id', `${path}message.`);
  return [event];
}

/** The label of the inline button that carried `data`, when the message still shows it. */
function buttonTitle(message: JsonObject, data: string): string | undefined {
  const markup = message.reply_markup;
  if (!isObject(markup) || !Array.isArray(markup.inline_keyboard)) return undefined;
  for (const row of markup.inline_keyboard) {
    if (!Array.isArray(row)) continue;
    for (const button of row) {
      if (isObject(button) && button.callback_data === data && typeof button.text === 'string') return button.text;
    }
  }
  return undefined;
}

const GONE = new Set(['kicked', 'left']);
const PRESENT = new Set(['member', 'administrator', 'creator', 'restricted']);

function parseMyChatMember(update: JsonObject, eventId: string, ctx: ParseContext): InboundEvent[] {
  const path = 'my_chat_member.';
  const chat = reqObject(update, 'chat', path);
  const userId = reqString(chat, 'id', `${path}chat.`);
  const timestamp = toDate(reqNumber(update, 'date', path), 's');
  const before = reqString(reqObject(update, 'old_chat_member', path), 'status', `${path}old_chat_member.`);
  const after = reqString(reqObject(update, 'new_chat_member', path), 'status', `${path}new_chat_member.`);
  const base = { channel: CHANNEL, accountId: ctx.accountId, userId, timestamp, eventId, detail: `my_chat_member ${before} -> ${after}` };
  // private chat: "kicked" is the user blocking the bot; in a group, being removed has the same effect on sending
  if (GONE.has(after) && !GONE.has(before)) return [{ kind: 'consent', action: 'blocked', ...base } satisfies ConsentEvent];
  if (PRESENT.has(after) && GONE.has(before)) return [{ kind: 'consent', action: 'unblocked', ...base } satisfies ConsentEvent];
  return [{ kind: 'unsupported', channel: CHANNEL, accountId: ctx.accountId, userId, reason: `bot membership change ${before} -> ${after} is not handled`, timestamp, eventId }];
}

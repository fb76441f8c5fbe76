/**
 * Rendering channel-neutral content as Bot API calls.
 *
 * Text is always sent WITHOUT `parse_mode`: Telegram then shows it verbatim, so nothing a user or
 * an agent types (`<b>`, `*`, `_`, `[x](y)`) can turn into markup, and nothing needs escaping.
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, interactiveOptions, renderTemplateText, splitText,
} from '@switchboard/core';
import type {
  Button, ContactCard, Content, InteractiveContent, MediaContent, OutboundFile, OutboundMessage, ProviderRequest,
} from '@switchboard/core';
import { fileMethodFor, uploadFileName, uploadLimitFor } from './telegram-media.js';

/** Maximum length of a message text. */
export const TEXT_MAX = 4096;
/** Maximum length of a media caption. */
export const CAPTION_MAX = 1024;
/** Maximum size of `callback_data`, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Maximum size of a vCard sent with a contact, in bytes. */
export const VCARD_MAX_BYTES = 2048;
const MB = 1024 * 1024;
/** What Telegram downloads from a URL: photos up to 5 MB, other files up to 20 MB. */
const URL_MAX_BYTES = { image: 5 * MB, other: 20 * MB } as const;

/** One Bot API call: a method and its JSON parameters. */
export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  /** The call uploads a file: it goes as multipart/form-data, the file in the parameter holding an {@link UploadPart}. */
  multipart?: boolean;
}

/**
 * What a rendered upload request holds where the file goes (render is pure: `send` puts the bytes
 * of `OutboundMessage.file` there as a multipart file part).
 */
export interface UploadPart {
  /** The file name the part carries. */
  upload: string;
  /** The part's content type. */
  contentType: string;
  /** Size in bytes. */
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

/**
 * Whether a rendered parameter is the place of an upload's file.
 * @param value - a parameter of a rendered request body
 * @returns true for an {@link UploadPart}
 */
export function isUploadPart(value: unknown): value is UploadPart {
  return typeof value === 'object' && value !== null && typeof (value as UploadPart).upload === 'string'
    && typeof (value as UploadPart).contentType === 'string' && typeof (value as UploadPart).size === 'number';
}

/** Where the calls go. */
export interface RenderTarget {
  apiBaseUrl: string;
  botToken: string;
}

/**
 * Turns one Bot API call into a provider request.
 * @param target - API base and token
 * @param call - the method and its parameters
 * @returns a POST with a JSON body to `/bot<token>/<method>`
 */
export function botApiRequest(target: RenderTarget, call: BotApiCall): ProviderRequest {
  return {
    method: 'POST',
    url: `${target.apiBaseUrl}/bot${target.botToken}/${call.method}`,
    headers: { 'content-type': 'application/json' },
    body: call.params,
  };
}

/**
 * A chat id as the Bot API takes it: an integer for numeric ids, the `@username` of a channel otherwise.
 * @param userId - the address's customer side
 * @returns the `chat_id` parameter
 */
export function chatIdParam(userId: string): number | string {
  if (/^-?\d{1,16}$/.test(userId)) return Number(userId);
  if (/^@[A-Za-z0-9_]{4,}$/.test(userId)) return userId;
  throw new ContentInvalidError(`"${userId}" is not a Telegram chat id`);
}

interface Rendered {
  calls: BotApiCall[];
  form: 'native' | 'degraded';
  note?: string;
}

/**
 * Renders a message as one or more Bot API requests (the first carries the external id).
 * @param target - API base and token
 * @param msg - the outbound message
 * @returns the request, with further parts in `followUps` and how it was rendered
 * @throws ContentUnsupportedError for content Telegram cannot show; ContentInvalidError for content breaking its limits
 */
export function renderMessage(target: RenderTarget, msg: OutboundMessage): ProviderRequest {
  const chatId = chatIdParam(msg.to.userId);
  const rendered = renderContent(msg.content, chatId, msg.file);
  const calls = rendered.calls;
  const reply = replyParameters(msg.replyTo);
  if (reply && calls[0] && calls[0].method !== 'setMessageReaction') calls[0].params.reply_parameters = reply;
  const [first, ...rest] = calls.map((c) => {
    const request = botApiRequest(target, c);
    return c.multipart ? { ...request, headers: { 'content-type': 'multipart/form-data' } } : request;
  });
  const request: ProviderRequest = { ...first! };
  if (rest.length > 0) request.followUps = rest;
  request.rendering = { form: rendered.form, parts: calls.length, ...(rendered.note ? { note: rendered.note } : {}) };
  return request;
}

/** Reply to a message by id; a missing target is not worth failing the send for. */
function replyParameters(replyTo: string | undefined): Record<string, unknown> | undefined {
  if (replyTo === undefined || !/^\d{1,15}$/.test(replyTo)) return undefined;
  return { message_id: Number(replyTo), allow_sending_without_reply: true };
}

function textCalls(chatId: number | string, text: string, extra: Record<string, unknown> = {}): BotApiCall[] {
  if (text.trim() === '') throw new ContentInvalidError('Telegram cannot send an empty text');
  return splitText(text, TEXT_MAX).map((part) => ({ method: 'sendMessage', params: { chat_id: chatId, text: part, ...extra } }));
}

function renderContent(content: Content, chatId: number | string, file?: OutboundFile): Rendered {
  switch (content.type) {
    case 'text': {
      const extra = content.previewUrl === false ? { link_preview_options: { is_disabled: true } } : {};
      return { calls: textCalls(chatId, content.text, extra), form: 'native' };
    }
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      return renderMedia(content, chatId, file);
    case 'location': return renderLocation(content, chatId);
    case 'contacts': return { calls: content.contacts.length === 0 ? invalid('a contacts message needs at least one card') : content.contacts.map((c) => contactCall(c, chatId)), form: 'native' };
    case 'reply':
      return { calls: textCalls(chatId, content.title), form: 'degraded', note: 'a choice sent by the business goes out as its title' };
    case 'reaction': {
      if (!/^\d{1,15}$/.test(content.target)) throw new ContentInvalidError(`reaction target "${content.target}" is not a Telegram message id`);
      const reaction = content.emoji === '' ? [] : [{ type: 'emoji', emoji: content.emoji }];
      return { calls: [{ method: 'setMessageReaction', params: { chat_id: chatId, message_id: Number(content.target), reaction } }], form: 'native' };
    }
    case 'interactive': return renderInteractive(content, chatId);
    case 'template':
      return { calls: textCalls(chatId, renderTemplateText(content)), form: 'degraded', note: 'Telegram has no templates: sent as the filled fallback text' };
    case 'rich':
      if (content.fallbackText === undefined || content.fallbackText.trim() === '') {
        throw new ContentUnsupportedError(`Telegram cannot render rich ${content.kind} content and it has no fallbackText`);
      }
      return { calls: textCalls(chatId, content.fallbackText), form: 'degraded', note: `rich ${content.kind} sent as its fallback text` };
  }
}

function invalid(message: string): never {
  throw new ContentInvalidError(message);
}

/**
 * A media message: by upload when the host hands over the file's bytes (`OutboundMessage.file`),
 * else by `file_id` (`media.id`), else by URL. Uploads go to the method for the file's kind and
 * type (Ogg audio as a voice note) and are refused over Telegram's upload limits.
 */
function renderMedia(content: MediaContent, chatId: number | string, upload?: OutboundFile): Rendered {
  const { media } = content;
  const kind = upload?.kind ?? content.type;
  const { method, field } = fileMethodFor(kind, upload?.contentType ?? media.mimeType);
  let file: string | UploadPart;
  if (upload) {
    const max = uploadLimitFor(method);
    if (!(upload.size >= 0) || upload.size > max) throw new ContentInvalidError(`Telegram takes uploads of at most ${max / MB} MB with ${method}; this file is ${upload.size} bytes`);
    file = { upload: uploadFileName(kind, upload.contentType, upload.filename ?? media.filename), contentType: upload.contentType, size: upload.size, sha256: upload.sha256 };
  } else {
    const ref = media.id ?? media.url;
    if (ref === undefined || ref === '') throw new ContentInvalidError(`${content.type} needs a Telegram file_id, a URL or the file itself`);
    if (media.id === undefined && media.size !== undefined) {
      const max = content.type === 'image' ? URL_MAX_BYTES.image : URL_MAX_BYTES.other;
      if (media.size > max) throw new ContentInvalidError(`Telegram fetches at most ${max / MB} MB from a URL for ${content.type}; this one is ${media.size} bytes`);
    }
    file = ref;
  }
  const params: Record<string, unknown> = { chat_id: chatId, [field]: file };
  const calls: BotApiCall[] = [{ method, params, ...(upload ? { multipart: true } : {}) }];
  const caption = media.caption ?? '';
  if (caption.trim() === '') return { calls, form: 'native' };
  // stickers take no caption; long captions keep their first 1,024 characters under the media
  if (kind === 'sticker') {
    calls.push(...textCalls(chatId, caption));
    return { calls, form: 'degraded', note: 'a sticker has no caption: the caption follows as text' };
  }
  if (caption.length <= CAPTION_MAX) {
    params.caption = caption;
    return { calls, form: 'native' };
  }
  const head = splitText(caption, CAPTION_MAX)[0]!;
  params.caption = head;
  calls.push(...textCalls(chatId, caption.slice(head.length).replace(/^\s+/, '')));
  return { calls, form: 'native', note: `caption over ${CAPTION_MAX} characters continues as text` };
}

function renderLocation(content: Extract<Content, { type: 'location' }>, chatId: number | string): Rendered {
  const { latitude, longitude, name, address } = content;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
    throw new ContentInvalidError('latitude must be within ±90 and longitude within ±180');
  }
  if (name && address) {
    return { calls: [{ method: 'sendVenue', params: { chat_id: chatId, latitude, longitude, title: name, address } }], form: 'native' };
  }
  const calls: BotApiCall[] = [{ method: 'sendLocation', params: { chat_id: chatId, latitude, longitude } }];
  const label = name || address;
  if (!label) return { calls, form: 'native' };
  // a venue needs both a title and an address; with only one, the pin goes out and the label follows
  calls.push(...textCalls(chatId, label));
  return { calls, form: 'degraded', note: 'sendVenue needs both name and address: the label follows the pin as text' };
}

function contactCall(card: ContactCard, chatId: number | string): BotApiCall {
  const phone = card.phones?.[0]?.phone;
  if (!phone) throw new ContentInvalidError(`contact "${card.name}" has no phone number, which Telegram requires`);
  if (card.name.trim() === '') throw new ContentInvalidError('a contact needs a name');
  const params: Record<string, unknown> = { chat_id: chatId, phone_number: phone, first_name: card.name };
  if ((card.phones?.length ?? 0) > 1 || (card.emails?.length ?? 0) > 0 || card.organization) {
    const vcard = toVcard(card);
    if (Buffer.byteLength(vcard, 'utf8') > VCARD_MAX_BYTES) throw new ContentInvalidError(`contact "${card.name}" makes a vCard over ${VCARD_MAX_BYTES} bytes`);
    params.vcard = vcard;
  }
  return { method: 'sendContact', params };
}

function vcardEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/[,;]/g, (c) => `\\${c}`);
}

function toVcard(card: ContactCard): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${vcardEscape(card.name)}`];
  if (card.organization) lines.push(`ORG:${vcardEscape(card.organization)}`);
  for (const p of card.phones ?? []) lines.push(`TEL${p.type ? `;TYPE=${vcardEscape(p.type)}` : ''}:${vcardEscape(p.phone)}`);
  for (const e of card.emails ?? []) lines.push(`EMAIL${e.type ? `;TYPE=${vcardEscape(e.type)}` : ''}:${vcardEscape(e.email)}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}

function callbackButton(option: { id: string; title: string; url?: string }): Record<string, string> {
  if (option.title.trim() === '') throw new ContentInvalidError('a button needs a title');
  if (option.url !== undefined) return { text: option.title, url: option.url };
  const bytes = Buffer.byteLength(option.id, 'utf8');
  if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) {
    throw new ContentInvalidError(`button id "${option.id}" is ${bytes} bytes; Telegram's callback_data takes 1-${CALLBACK_DATA_MAX_BYTES}`);
  }
  return { text: option.title, callback_data: option.id };
}

function renderInteractive(content: InteractiveContent, chatId: number | string): Rendered {
  const inline: Button[] = [...(content.buttons ?? []), ...(content.list?.sections.flatMap((s) => s.rows) ?? [])];
  const quick = content.quickReplies ?? [];
  const described = content.list?.sections.flatMap((s) => s.rows).filter((r) => r.description) ?? [];
  const lines = [content.header, content.body, ...described.map((r) => `${r.title}: ${r.description!}`), content.footer]
    .filter((l): l is string => Boolean(l && l.trim() !== ''));
  const text = lines.join('\n\n');
  let markup: Record<string, unknown> | undefined;
  let form: Rendered['form'] = 'native';
  let note: string | undefined;
  if (inline.length > 0) {
    // one message carries one keyboard: quick replies join the inline keyboard as further buttons
    const all = quick.length > 0 ? [...inline, ...quick] : inline;
    markup = { inline_keyboard: all.map((b) => [callbackButton(b)]) };
    if (quick.length > 0) { form = 'degraded'; note = 'quick replies shown as inline buttons beside the buttons or list'; }
  } else if (quick.length > 0) {
    for (const q of quick) if (q.title.trim() === '') throw new ContentInvalidError('a quick reply needs a title');
    const rows: { text: string }[][] = [];
    for (let i = 0; i < quick.length; i += 3) rows.push(quick.slice(i, i + 3).map((q) => ({ text: q.title })));
    markup = { keyboard: rows, one_time_keyboard: true, resize_keyboard: true };
  } else if (interactiveOptions(content).length === 0) {
    form = 'degraded'; note = 'no options: sent as text';
  }
  const calls = textCalls(chatId, text);
  // the keyboard belongs under the last part, where the customer's eyes end up
  if (markup) calls[calls.length - 1]!.params.reply_markup = markup;
  return { calls, form, ...(note ? { note } : {}) };
}

/** Options of {@link answerCallbackQueryCall}. */
export interface AnswerCallbackQueryOptions {
  /** Notification text shown to the user (0-200 characters). */
  text?: string;
  /** Show an alert instead of a toast. */
  showAlert?: boolean;
  /** URL to open (games, t.me links). */
  url?: string;
  /** Seconds the client may cache the answer. */
  cacheTime?: number;
}

/**
 * The `answerCallbackQuery` call that stops the button's progress spinner.
 * @param callbackQueryId - `metadata.callbackQueryId` of the reply event
 * @param options - optional toast text, alert, URL, cache time
 * @returns the call
 * @throws ContentInvalidError when the text is over 200 characters
 */
export function answerCallbackQueryCall(callbackQueryId: string, options: AnswerCallbackQueryOptions = {}): BotApiCall {
  if (callbackQueryId === '') throw new ContentInvalidError('callback query id is empty');
  if (options.text !== undefined && options.text.length > 200) throw new ContentInvalidError('answerCallbackQuery text takes at most 200 characters');
  const params: Record<string, unknown> = { callback_query_id: callbackQueryId };
  if (options.text !== undefined) params.text = options.text;
  if (options.showAlert !== undefined) params.show_alert = options.showAlert;
  if (options.url !== undefined) params.url = options.url;
  if (options.cacheTime !== undefined) params.cache_time = options.cacheTime;
  return { method: 'answerCallbackQuery', params };
}

/** Update types a Switchboard bot subscribes to by default. */
export const DEFAULT_ALLOWED_UPDATES: readonly string[] = ['message', 'edited_message', 'callback_query', 'my_chat_member'];

/** Options of {@link setWebhookCall}. */
export interface SetWebhookOptions {
  /** The host's public HTTPS webhook URL (`…/webhooks/telegram/<bot id>`). */
  url: string;
  /** Update types to receive (default {@link DEFAULT_ALLOWED_UPDATES}). */
  allowedUpdates?: readonly string[];
  /** Drop updates Telegram queued while no webhook was set. */
  dropPendingUpdates?: boolean;
  /** Simultaneous connections Telegram may open (1-100, Telegram's default 40). */
  maxConnections?: number;
}

/**
 * The `setWebhook` call that registers the host's URL with the configured secret token.
 * @param secretToken - the connector's `secretToken`
 * @param options - URL and update types
 * @returns the call
 */
export function setWebhookCall(secretToken: string, options: SetWebhookOptions): BotApiCall {
  const params: Record<string, unknown> = {
    url: options.url,
    secret_token: secretToken,
    allowed_updates: [...(options.allowedUpdates ?? DEFAULT_ALLOWED_UPDATES)],
  };
  if (options.dropPendingUpdates !== undefined) params.drop_pending_updates = options.dropPendingUpdates;
  if (options.maxConnections !== undefined) params.max_connections = options.maxConnections;
  return { method: 'setWebhook', params };
}

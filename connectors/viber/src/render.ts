/**
 * Pure rendering of channel-neutral content into Viber `send_message` bodies (without the
 * receiver, which the connector adds: `receiver`, `broadcast_list`, or nothing for the welcome
 * message).
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, interactiveOptions, isObject, renderTemplateText, splitText, truncateText,
  type Button, type ContactCard, type Content, type InteractiveContent, type MediaContent, type RichContent,
} from '@switchboard/core';
import type { ViberConfig } from './config.js';
import { VIBER_LIMITS, VIBER_MEDIA, extensionOf } from './viber-api.js';

/** One Viber message body (a `send_message` body without `receiver`). */
export type ViberPayload = Record<string, unknown>;

/** What rendering produced: one or more message bodies, in order, and how faithful they are. */
export interface RenderedMessage {
  payloads: ViberPayload[];
  form: 'native' | 'degraded';
  note?: string;
}

/** Payload of `{ type: 'rich', kind: 'carousel' }` content on Viber. */
export interface ViberCarouselPayload {
  /** 1–6 items; each becomes one column group of a `rich_media` message. */
  items: ViberCarouselItem[];
}

/** One carousel item. */
export interface ViberCarouselItem {
  title: string;
  subtitle?: string;
  imageUrl?: string;
  /** Reply or URL buttons; with an image at most 2, without one at most 5 (a item is 7 rows). */
  buttons?: Button[];
}

/** The `tracking_data` Switchboard writes: Viber returns it with the user's next message. */
export interface SwitchboardTracking {
  /** The host's id of the message the user is answering. */
  messageId: string;
  /** Reply payloads offered by that message, id → title, so a tap parses as a `reply`. */
  replies?: Record<string, string>;
}

const TRACKING_KEY = 'switchboard';

/**
 * The `tracking_data` for a message: its host id and the reply choices it offers.
 * @param messageId - the host's message id
 * @param content - the content sent
 * @returns a JSON string within Viber's 4,000-character limit, or undefined when even the id does not fit
 */
export function trackingDataFor(messageId: string, content: Content): string | undefined {
  const replies: Record<string, string> = {};
  if (content.type === 'interactive') for (const o of interactiveOptions(content)) if (!('url' in o && o.url)) replies[o.id] = o.title;
  if (content.type === 'rich' && content.kind === 'carousel' && isObject(content.payload) && Array.isArray(content.payload.items)) {
    for (const item of content.payload.items as unknown[]) {
      if (isObject(item) && Array.isArray(item.buttons)) {
        for (const b of item.buttons as unknown[]) if (isObject(b) && typeof b.id === 'string' && typeof b.title === 'string' && !b.url) replies[b.id] = b.title;
      }
    }
  }
  const full: SwitchboardTracking = { messageId, ...(Object.keys(replies).length > 0 ? { replies } : {}) };
  for (const candidate of [full, { messageId }]) {
    const json = JSON.stringify({ [TRACKING_KEY]: candidate });
    if (json.length <= VIBER_LIMITS.trackingData) return json;
  }
  return undefined;
}

/**
 * Reads Switchboard's tracking data back from a user message, when it is ours.
 * @param trackingData - the message's `tracking_data`
 * @returns the tracking, or undefined for anything else (another system's tracking data, garbage)
 */
export function readTrackingData(trackingData: string | undefined): SwitchboardTracking | undefined {
  if (!trackingData) return undefined;
  let value: unknown;
  try { value = JSON.parse(trackingData); } catch { return undefined; }
  if (!isObject(value) || !isObject(value[TRACKING_KEY])) return undefined;
  const t = value[TRACKING_KEY];
  if (typeof t.messageId !== 'string') return undefined;
  const out: SwitchboardTracking = { messageId: t.messageId };
  if (isObject(t.replies)) {
    const replies: Record<string, string> = {};
    for (const [k, v] of Object.entries(t.replies)) if (typeof v === 'string') replies[k] = v;
    out.replies = replies;
  }
  return out;
}

function sender(config: ViberConfig): Record<string, string> {
  return config.botAvatar ? { name: config.botName, avatar: config.botAvatar } : { name: config.botName };
}

// Button labels are parsed by Viber as a small HTML subset (<b>, <br>, <font>): escape user text.
function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function textParts(text: string): ViberPayload[] {
  return splitText(text, VIBER_LIMITS.text).map((part) => ({ type: 'text', text: part }));
}

function mediaUrl(content: MediaContent): string {
  const url = content.media.url;
  if (!url) throw new ContentInvalidError(`Viber sends ${content.type} by URL; media.url is required (platform media ids are not supported)`);
  try { new URL(url); } catch { throw new ContentInvalidError(`media.url "${url}" is not an absolute URL`); }
  return url;
}

function checkSize(content: MediaContent, max: number, what: string): void {
  if (content.media.size !== undefined && content.media.size > max) {
    throw new ContentInvalidError(`${what} is ${content.media.size} bytes; Viber accepts at most ${max}`);
  }
}

function fileNameOf(content: MediaContent, url: string): string {
  let fromUrl = new URL(url).pathname.split('/').pop() ?? '';
  try { fromUrl = decodeURIComponent(fromUrl); } catch { /* keep it encoded */ }
  const name = content.media.filename ?? (fromUrl || 'file');
  const extension = extensionOf(name);
  if ((VIBER_MEDIA.forbiddenFileExtensions as readonly string[]).includes(extension)) {
    throw new ContentInvalidError(`Viber refuses files of type .${extension} (forbidden file formats)`);
  }
  return name.length > VIBER_LIMITS.fileName ? truncateKeepingExtension(name, VIBER_LIMITS.fileName) : name;
}

/** Whether a URL's last path segment ends in an extension Viber takes for that message type. */
function hasExtension(url: string, allowed: readonly string[]): boolean {
  return allowed.includes(extensionOf(url));
}

function truncateKeepingExtension(name: string, max: number): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
  return name.slice(0, max - ext.length) + ext;
}

function captionParts(content: MediaContent): ViberPayload[] {
  return content.media.caption ? textParts(content.media.caption) : [];
}

function urlMessage(url: string): ViberPayload {
  return { type: 'url', media: url };
}

function renderMedia(content: MediaContent): RenderedMessage {
  // a Viber sticker is sent by its id alone
  if (content.type === 'sticker' && content.media.id !== undefined && /^\d{1,15}$/.test(content.media.id)) {
    return { payloads: [{ type: 'sticker', sticker_id: Number(content.media.id) }], form: 'native' };
  }
  const url = mediaUrl(content);
  switch (content.type) {
    case 'image': {
      checkSize(content, VIBER_LIMITS.pictureBytes, 'picture');
      if (!hasExtension(url, VIBER_MEDIA.pictureExtensions)) {
        throw new ContentInvalidError(`a Viber picture URL must end in .jpg, .jpeg, .png or .gif (its last path segment); got "${url}"`);
      }
      const caption = content.media.caption ?? '';
      if (caption.length <= VIBER_LIMITS.pictureText) return { payloads: [{ type: 'picture', text: caption, media: url }], form: 'native' };
      return {
        payloads: [{ type: 'picture', text: '', media: url }, ...textParts(caption)],
        form: 'native',
        note: `caption longer than ${VIBER_LIMITS.pictureText} characters sent as a following text message`,
      };
    }
    case 'video': {
      checkSize(content, VIBER_LIMITS.videoBytes, 'video');
      if (content.media.size === undefined) {
        return { payloads: [urlMessage(url), ...captionParts(content)], form: 'degraded', note: 'video without media.size sent as a URL message (Viber requires the size)' };
      }
      if (!hasExtension(url, VIBER_MEDIA.videoExtensions)) {
        // Viber plays MP4 only, from a URL ending in .mp4: anything else goes as a file
        checkSize(content, VIBER_LIMITS.fileBytes, 'file');
        return {
          payloads: [{ type: 'file', media: url, size: content.media.size, file_name: fileNameOf(content, url) }, ...captionParts(content)],
          form: 'degraded', note: 'a video whose URL does not end in .mp4 sent as a file (Viber plays MP4 only)',
        };
      }
      return { payloads: [{ type: 'video', media: url, size: content.media.size }, ...captionParts(content)], form: 'native' };
    }
    case 'document':
    case 'audio': {
      checkSize(content, VIBER_LIMITS.fileBytes, 'file');
      const degradedAudio = content.type === 'audio';
      if (content.media.size === undefined) {
        return { payloads: [urlMessage(url), ...captionParts(content)], form: 'degraded', note: `${content.type} without media.size sent as a URL message (Viber requires the size)` };
      }
      return {
        payloads: [{ type: 'file', media: url, size: content.media.size, file_name: fileNameOf(content, url) }, ...captionParts(content)],
        form: degradedAudio ? 'degraded' : 'native',
        ...(degradedAudio ? { note: 'Viber bots cannot send audio messages: sent as a file' } : {}),
      };
    }
    case 'sticker': {
      if (!hasExtension(url, VIBER_MEDIA.pictureExtensions)) {
        return { payloads: [urlMessage(url)], form: 'degraded', note: 'sticker without a numeric Viber sticker_id, and not a picture Viber takes, sent as a URL message' };
      }
      checkSize(content, VIBER_LIMITS.pictureBytes, 'picture');
      return { payloads: [{ type: 'picture', text: '', media: url }], form: 'degraded', note: 'sticker without a numeric Viber sticker_id sent as a picture' };
    }
  }
}

function contactPayload(card: ContactCard): ViberPayload | undefined {
  const phone = card.phones?.[0]?.phone;
  if (!phone || phone.length > VIBER_LIMITS.contactPhone) return undefined;
  return { type: 'contact', contact: { name: truncateText(card.name, VIBER_LIMITS.contactName), phone_number: phone } };
}

function keyboardButton(b: Button): Record<string, unknown> {
  const label = escapeMarkup(truncateText(b.title, VIBER_LIMITS.buttonText));
  return b.url
    ? { Columns: 6, Rows: 1, ActionType: 'open-url', ActionBody: b.url, Text: label, TextSize: 'regular' }
    : { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: b.id, Text: label, TextSize: 'regular' };
}

function keyboard(buttons: Button[]): Record<string, unknown> {
  if (buttons.length > VIBER_LIMITS.keyboardButtons) {
    throw new ContentInvalidError(`${buttons.length} buttons; a Viber keyboard takes at most ${VIBER_LIMITS.keyboardButtons}`);
  }
  return { Type: 'keyboard', DefaultHeight: false, Buttons: buttons.map(keyboardButton) };
}

function richMedia(buttons: Record<string, unknown>[], rows: number, altText: string): ViberPayload {
  return {
    type: 'rich_media',
    min_api_version: 2,
    rich_media: { Type: 'rich_media', ButtonsGroupColumns: 6, ButtonsGroupRows: rows, BgColor: '#FFFFFF', Buttons: buttons },
    alt_text: truncateText(altText, VIBER_LIMITS.text),
  };
}

function filler(rows: number): Record<string, unknown> {
  return { Columns: 6, Rows: rows, ActionType: 'none', ActionBody: 'none', Text: '' };
}

function listRichMedia(content: InteractiveContent): ViberPayload | undefined {
  const list = content.list;
  if (!list) return undefined;
  const cells: Record<string, unknown>[] = [];
  for (const section of list.sections) {
    if (section.title) cells.push({ Columns: 6, Rows: 1, ActionType: 'none', ActionBody: 'none', Text: `<b>${escapeMarkup(section.title)}</b>`, TextSize: 'small' });
    for (const row of section.rows) {
      const text = row.description ? `${escapeMarkup(row.title)}<br><font color="#7F7F7F">${escapeMarkup(row.description)}</font>` : escapeMarkup(row.title);
      cells.push({ Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: row.id, Text: truncateText(text, VIBER_LIMITS.buttonText), TextSize: 'regular' });
    }
  }
  const perItem = VIBER_LIMITS.richMediaRows;
  const rows = Math.min(perItem, cells.length);
  const items = Math.ceil(cells.length / perItem);
  if (items > VIBER_LIMITS.richMediaItems) {
    throw new ContentInvalidError(`the list needs ${cells.length} rows; a Viber rich media message holds at most ${perItem * VIBER_LIMITS.richMediaItems}`);
  }
  // every item must fill its rows exactly, so pad the last one
  const remainder = cells.length % rows;
  if (remainder !== 0) cells.push(filler(rows - remainder));
  return richMedia(cells, rows, interactiveAlt(content));
}

function interactiveAlt(content: InteractiveContent): string {
  const lines = [content.header, content.body].filter((l): l is string => Boolean(l));
  interactiveOptions(content).forEach((o, i) => lines.push(`${i + 1}. ${o.title}`));
  if (content.footer) lines.push(content.footer);
  return lines.join('\n');
}

function renderInteractive(content: InteractiveContent): RenderedMessage {
  const bodyText = [content.header, content.body, content.footer].filter((l): l is string => Boolean(l)).join('\n');
  if (bodyText === '') throw new ContentInvalidError('interactive content needs a body');
  const payloads = textParts(bodyText);
  const list = listRichMedia(content);
  if (list) payloads.push(list);
  const buttons = [...(content.buttons ?? []), ...(content.quickReplies ?? [])];
  // the keyboard belongs to the last message, which is the one the user answers
  if (buttons.length > 0) payloads[payloads.length - 1] = { ...payloads[payloads.length - 1], keyboard: keyboard(buttons) };
  return { payloads, form: 'native' };
}

function carouselItem(item: unknown, index: number): { cells: Record<string, unknown>[]; rows: number } {
  if (!isObject(item) || typeof item.title !== 'string' || item.title === '') throw new ContentInvalidError(`carousel item ${index} needs a title`);
  const buttons = Array.isArray(item.buttons) ? (item.buttons as unknown[]) : [];
  const cells: Record<string, unknown>[] = [];
  if (typeof item.imageUrl === 'string') cells.push({ Columns: 6, Rows: 3, ActionType: 'none', ActionBody: 'none', Image: item.imageUrl });
  const subtitle = typeof item.subtitle === 'string' && item.subtitle ? `<br>${escapeMarkup(item.subtitle)}` : '';
  cells.push({ Columns: 6, Rows: 2, ActionType: 'none', ActionBody: 'none', Text: truncateText(`<b>${escapeMarkup(item.title)}</b>${subtitle}`, VIBER_LIMITS.buttonText), TextVAlign: 'top', TextHAlign: 'left' });
  for (const b of buttons) {
    if (!isObject(b) || typeof b.id !== 'string' || typeof b.title !== 'string') throw new ContentInvalidError(`carousel item ${index} has a button without id and title`);
    cells.push(keyboardButton({ id: b.id, title: b.title, ...(typeof b.url === 'string' ? { url: b.url } : {}) }));
  }
  const rows = cells.reduce((n, c) => n + (c.Rows as number), 0);
  if (rows > VIBER_LIMITS.richMediaRows) {
    throw new ContentInvalidError(`carousel item ${index} needs ${rows} rows; a Viber rich media item has ${VIBER_LIMITS.richMediaRows} (image 3, title 2, 1 per button)`);
  }
  return { cells, rows };
}

function renderRich(content: RichContent): RenderedMessage {
  const payload = content.payload;
  if (content.kind === 'carousel' && isObject(payload)) {
    if (Array.isArray(payload.Buttons)) {
      // a native Viber rich_media object, passed through as given
      return { payloads: [richMediaFromNative(payload, content.fallbackText)], form: 'native' };
    }
    if (Array.isArray(payload.items)) {
      const items = payload.items.map(carouselItem);
      if (items.length === 0 || items.length > VIBER_LIMITS.richMediaItems) {
        throw new ContentInvalidError(`a Viber carousel has 1-${VIBER_LIMITS.richMediaItems} items, got ${items.length}`);
      }
      const rows = Math.max(...items.map((i) => i.rows));
      const cells = items.flatMap((i) => (i.rows < rows ? [...i.cells, filler(rows - i.rows)] : i.cells));
      const alt = content.fallbackText ?? (payload.items as { title?: string; subtitle?: string }[]).map((i) => [i.title, i.subtitle].filter(Boolean).join(' — ')).join('\n');
      return { payloads: [richMedia(cells, rows, alt)], form: 'native' };
    }
  }
  if (content.kind === 'rich-link' && isObject(payload) && typeof payload.url === 'string') {
    try { new URL(payload.url); } catch { throw new ContentInvalidError('rich-link payload.url must be an absolute URL'); }
    return { payloads: [urlMessage(payload.url)], form: 'degraded', note: 'rich link sent as a Viber URL message' };
  }
  if (content.fallbackText) return { payloads: textParts(content.fallbackText), form: 'degraded', note: `${content.kind} has no Viber form: sent as its fallback text` };
  throw new ContentUnsupportedError(`Viber cannot render rich content of kind "${content.kind}" without a fallbackText`);
}

function richMediaFromNative(payload: Record<string, unknown>, fallback: string | undefined): ViberPayload {
  return {
    type: 'rich_media',
    min_api_version: 2,
    rich_media: { Type: 'rich_media', ButtonsGroupColumns: 6, ButtonsGroupRows: 7, ...payload },
    ...(fallback ? { alt_text: truncateText(fallback, VIBER_LIMITS.text) } : {}),
  };
}

/**
 * Renders content as Viber message bodies.
 * @param content - what to send
 * @returns the bodies in order (longer content splits into several) and the rendering's fidelity
 * @throws ContentUnsupportedError for reactions and rich kinds without a fallback; ContentInvalidError for limits that cannot be split
 */
export function renderContent(content: Content): RenderedMessage {
  switch (content.type) {
    case 'text':
      if (content.text === '') throw new ContentInvalidError('text must not be empty');
      return { payloads: textParts(content.text), form: 'native' };
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      return renderMedia(content);
    case 'location': {
      if (!(Math.abs(content.latitude) <= 90) || !(Math.abs(content.longitude) <= 180)) throw new ContentInvalidError('location is out of range');
      const label = [content.name, content.address].filter(Boolean).join('\n');
      return {
        payloads: [{ type: 'location', location: { lat: content.latitude, lon: content.longitude } }, ...(label ? textParts(label) : [])],
        form: 'native',
        ...(label ? { note: 'Viber locations carry no name: name and address follow as text' } : {}),
      };
    }
    case 'contacts': {
      if (content.contacts.length === 0) throw new ContentInvalidError('contacts must not be empty');
      let degraded = false;
      const payloads = content.contacts.flatMap((card) => {
        const p = contactPayload(card);
        if (p) return [p];
        degraded = true;
        return textParts([card.name, ...(card.phones ?? []).map((x) => x.phone), ...(card.emails ?? []).map((x) => x.email)].join('\n'));
      });
      return degraded
        ? { payloads, form: 'degraded', note: 'contacts without a phone number (≤ 18 characters) sent as text' }
        : { payloads, form: 'native' };
    }
    case 'reply':
      return { payloads: textParts(content.title), form: 'degraded', note: 'a reply choice is sent as its title' };
    case 'reaction':
      throw new ContentUnsupportedError('Viber bots cannot react to messages');
    case 'interactive':
      return renderInteractive(content);
    case 'template': {
      const text = renderTemplateText(content);
      if (text === '') throw new ContentInvalidError('the template renders to empty text');
      return { payloads: textParts(text), form: 'degraded', note: 'Viber has no templates: sent as text' };
    }
    case 'rich':
      return renderRich(content);
  }
}

/**
 * Adds the common fields to each body: `sender`, `tracking_data`.
 * @param config - the bot's config
 * @param rendered - what {@link renderContent} produced
 * @param trackingData - the tracking data to attach, if any
 * @returns complete bodies, still without `receiver`/`broadcast_list`
 */
export function withCommonFields(config: ViberConfig, rendered: RenderedMessage, trackingData: string | undefined): ViberPayload[] {
  return rendered.payloads.map((p) => ({ sender: sender(config), ...(trackingData !== undefined ? { tracking_data: trackingData } : {}), ...p }));
}

/**
 * Renders the welcome message: one body, no receiver, answered to `conversation_started`.
 * @param config - the bot's config
 * @param content - the welcome content
 * @returns the body
 * @throws ContentInvalidError when the content needs more than one message
 */
export function renderWelcome(config: ViberConfig, content: Content): ViberPayload {
  const rendered = renderContent(content);
  const [only, ...rest] = withCommonFields(config, rendered, undefined);
  if (!only || rest.length > 0) throw new ContentInvalidError(`renders as ${rendered.payloads.length} messages; a welcome message must be one`);
  return only;
}

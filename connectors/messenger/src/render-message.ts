/**
 * Renders channel-neutral outbound messages to Send API requests
 * (`POST {apiBaseUrl}/{apiVersion}/{pageId}/messages`).
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, isObject, renderTemplateText, splitText, truncateText,
  type Button, type Content, type InteractiveContent, type MediaContent, type OutboundMessage, type ProviderRequest,
  type RichContent,
} from '@switchboard/core';
import type { MessengerConfig } from './config.js';
import { MESSENGER_MESSAGE_TAGS } from './policy.js';

/** Send API limits the renderer enforces before anything reaches Meta. */
export const MESSENGER_LIMITS = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  buttons: 3,
  buttonTitle: 20,
  buttonTemplateText: 640,
  payload: 1000,
  genericElements: 10,
  elementTitle: 80,
  elementSubtitle: 80,
} as const;

type Json = Record<string, unknown>;

/** What a content renderer produces: the `message` objects (or a whole body for sender actions). */
interface Rendered {
  /** One Send API body per request, in order. */
  bodies: Json[];
  form: 'native' | 'degraded';
  note?: string;
}

/**
 * Builds the Send API request(s) for a message.
 * @param config - the page's config
 * @param msg - the message
 * @returns the first request, with the rest as `followUps`
 * @throws ContentInvalidError when the content breaks a limit that cannot be split or degraded
 * @throws ContentUnsupportedError when the content kind cannot be sent at all
 */
export function renderMessengerRequest(config: MessengerConfig, msg: OutboundMessage): ProviderRequest {
  if (msg.to.userId === '') throw new ContentInvalidError('recipient PSID (to.userId) must not be empty');
  const rendered = renderContent(msg.content, envelope(msg));
  const requests = rendered.bodies.map((body): ProviderRequest => ({
    method: 'POST',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${config.pageId}/messages`,
    headers: { authorization: `Bearer ${config.pageAccessToken}`, 'content-type': 'application/json' },
    body,
  }));
  const [first, ...rest] = requests;
  if (!first) throw new ContentInvalidError('nothing to send');
  if (rest.length > 0) first.followUps = rest;
  first.rendering = { form: rendered.form, parts: requests.length, ...(rendered.note ? { note: rendered.note } : {}) };
  return first;
}

/** Wraps `message` objects into Send API bodies; reply_to goes on the first part only. */
type Envelope = (messages: Json[]) => Json[];

function envelope(msg: OutboundMessage): Envelope {
  const head: Json = { recipient: { id: msg.to.userId }, ...messagingType(msg) };
  return (messages) => messages.map((message, i) => ({
    ...head,
    message,
    // reply_to sits beside message, as in Meta's Instagram/Messenger reply examples (3P-confirmed for Messenger)
    ...(i === 0 && msg.replyTo ? { reply_to: { mid: msg.replyTo } } : {}),
  }));
}

/**
 * The `messaging_type` (and `tag`) for a message: a tag form → MESSAGE_TAG; a service reply → RESPONSE;
 * anything else the business sends on its own → UPDATE.
 */
function messagingType(msg: OutboundMessage): Json {
  if (msg.form?.kind === 'tag') {
    if (!(MESSENGER_MESSAGE_TAGS as readonly string[]).includes(msg.form.tag)) {
      throw new ContentInvalidError(`message tag ${msg.form.tag} is not one of ${MESSENGER_MESSAGE_TAGS.join(', ')}`);
    }
    return { messaging_type: 'MESSAGE_TAG', tag: msg.form.tag };
  }
  return { messaging_type: msg.purpose === 'service' ? 'RESPONSE' : 'UPDATE' };
}

function renderContent(content: Content, wrap: Envelope): Rendered {
  switch (content.type) {
    case 'text': {
      if (content.text === '') throw new ContentInvalidError('text must not be empty');
      return textParts(content.text, wrap, 'native');
    }
    case 'image': case 'video': case 'audio': case 'document': return media(content, wrap);
    case 'sticker': {
      if (!content.media.url) throw new ContentInvalidError('a sticker needs a url: Messenger pages send stickers as images');
      // a sticker id from another platform is no Messenger attachment_id: only the url travels
      const image = media({ type: 'image', media: { url: content.media.url, ...(content.media.caption ? { caption: content.media.caption } : {}) } }, wrap);
      return { ...image, form: 'degraded', note: 'sticker sent as an image attachment' };
    }
    case 'location': {
      const map = `https://www.google.com/maps/search/?api=1&query=${content.latitude},${content.longitude}`;
      const text = [content.name, content.address, map].filter((x): x is string => Boolean(x)).join('\n');
      return { ...textParts(text, wrap, 'degraded'), note: 'location sent as text with a map link' };
    }
    case 'contacts': {
      if (content.contacts.length === 0) throw new ContentInvalidError('contacts must not be empty');
      const text = content.contacts.map((c) => [
        c.name, c.organization, ...(c.phones ?? []).map((x) => x.phone), ...(c.emails ?? []).map((x) => x.email),
      ].filter((x): x is string => Boolean(x)).join('\n')).join('\n\n');
      return { ...textParts(text, wrap, 'degraded'), note: 'contact cards sent as text' };
    }
    case 'reply': {
      if (content.title === '') throw new ContentInvalidError('reply title must not be empty');
      return { ...textParts(content.title, wrap, 'degraded'), note: 'reply sent as its title' };
    }
    case 'reaction': return reaction(content.emoji, content.target, wrap);
    case 'interactive': return interactive(content, wrap);
    case 'template': {
      const text = renderTemplateText(content);
      if (text === '') throw new ContentInvalidError(`template ${content.name} renders to empty text`);
      return { ...textParts(text, wrap, 'degraded'), note: 'template sent as text (utility message templates are not rendered natively)' };
    }
    case 'rich': return rich(content, wrap);
  }
}

function textParts(text: string, wrap: Envelope, form: 'native' | 'degraded', quickReplies?: Json[]): Rendered {
  const parts = splitText(text, MESSENGER_LIMITS.text);
  const messages: Json[] = parts.map((t, i) => ({
    text: t,
    ...(quickReplies && i === parts.length - 1 ? { quick_replies: quickReplies } : {}),
  }));
  return { bodies: wrap(messages), form, ...(parts.length > 1 ? { note: `text split into ${parts.length} messages of at most ${MESSENGER_LIMITS.text} characters` } : {}) };
}

const ATTACHMENT_TYPE = { image: 'image', video: 'video', audio: 'audio', document: 'file' } as const;

function media(content: MediaContent, wrap: Envelope): Rendered {
  const ref = content.media;
  const kind = content.type === 'sticker' ? 'image' : content.type;
  let payload: Json;
  if (ref.id) payload = { attachment_id: ref.id };
  // is_reusable asks Meta for an attachment_id that later sends can reuse without uploading again
  else if (ref.url) payload = { url: ref.url, is_reusable: true };
  else throw new ContentInvalidError(`${content.type} needs a media id (attachment_id) or a url`);
  const messages: Json[] = [{ attachment: { type: ATTACHMENT_TYPE[kind], payload } }];
  let note: string | undefined;
  if (ref.caption) {
    const captions = splitText(ref.caption, MESSENGER_LIMITS.text);
    messages.push(...captions.map((text) => ({ text })));
    note = 'caption sent as a separate text message';
  }
  return { bodies: wrap(messages), form: 'native', ...(note ? { note } : {}) };
}

function reaction(emoji: string, target: string, wrap: Envelope): Rendered {
  if (target === '') throw new ContentInvalidError('reaction target (a mid) must not be empty');
  const [head] = wrap([{}]);
  const body: Json = {
    recipient: head!.recipient,
    sender_action: emoji === '' ? 'unreact' : 'react',
    payload: emoji === '' ? { message_id: target } : { message_id: target, reaction: emoji },
  };
  return { bodies: [body], form: 'native' };
}

function checkPayload(id: string): string {
  if (id === '') throw new ContentInvalidError('a button or quick reply id (payload) must not be empty');
  if (id.length > MESSENGER_LIMITS.payload) throw new ContentInvalidError(`a payload is limited to ${MESSENGER_LIMITS.payload} characters`);
  return id;
}

function quickRepliesOf(options: Button[]): Json[] | undefined {
  if (options.length === 0 || options.length > MESSENGER_LIMITS.quickReplies) return undefined;
  if (options.some((o) => o.url !== undefined || o.title === '' || o.title.length > MESSENGER_LIMITS.quickReplyTitle)) return undefined;
  return options.map((o) => ({ content_type: 'text', title: o.title, payload: checkPayload(o.id) }));
}

function buttonOf(b: Button): Json {
  return b.url !== undefined ? { type: 'web_url', url: b.url, title: b.title } : { type: 'postback', title: b.title, payload: checkPayload(b.id) };
}

function numbered(content: InteractiveContent, wrap: Envelope, why: string): Rendered {
  const options = [
    ...(content.buttons ?? []),
    ...(content.list?.sections.flatMap((s) => s.rows) ?? []),
    ...(content.quickReplies ?? []),
  ];
  const lines = [content.header, content.body].filter((l): l is string => Boolean(l));
  options.forEach((o, i) => lines.push(`${i + 1}. ${o.title}${'url' in o && o.url ? ` ${o.url}` : ''}${'description' in o && o.description ? ` – ${o.description}` : ''}`));
  if (content.footer) lines.push(content.footer);
  return { ...textParts(lines.join('\n'), wrap, 'degraded'), note: `${why}: sent as a numbered text list` };
}

function interactive(content: InteractiveContent, wrap: Envelope): Rendered {
  const text = [content.header, content.body, content.footer].filter((l): l is string => Boolean(l)).join('\n');
  if (text === '') throw new ContentInvalidError('interactive body must not be empty');
  const buttons = content.buttons ?? [];
  const rows = content.list?.sections.flatMap((s) => s.rows) ?? [];
  const quick = content.quickReplies ?? [];
  for (const o of [...buttons, ...rows, ...quick]) if (!('url' in o && o.url)) checkPayload(o.id);
  if (buttons.length > 0 && rows.length > 0) return numbered(content, wrap, 'buttons together with a list');
  if (buttons.length > 0) {
    const fits = buttons.length <= MESSENGER_LIMITS.buttons && text.length <= MESSENGER_LIMITS.buttonTemplateText
      && buttons.every((b) => b.title !== '' && b.title.length <= MESSENGER_LIMITS.buttonTitle);
    const qr = quick.length > 0 ? quickRepliesOf(quick) : undefined;
    if (fits && (quick.length === 0 || qr)) {
      const message: Json = { attachment: { type: 'template', payload: { template_type: 'button', text, buttons: buttons.map(buttonOf) } } };
      if (qr) message.quick_replies = qr;
      return { bodies: wrap([message]), form: 'native' };
    }
    const asQuick = quickRepliesOf([...buttons, ...quick]);
    if (asQuick) return { ...textParts(text, wrap, 'degraded', asQuick), note: 'buttons beyond the button template\'s limits sent as quick replies' };
    return numbered(content, wrap, 'buttons beyond Messenger\'s limits');
  }
  if (rows.length > 0) {
    if (rows.length <= MESSENGER_LIMITS.genericElements && rows.every((r) => r.title !== '')) {
      const label = truncateText(content.list?.button || 'Choose', MESSENGER_LIMITS.buttonTitle);
      const elements = rows.map((r) => ({
        title: truncateText(r.title, MESSENGER_LIMITS.elementTitle),
        ...(r.description ? { subtitle: truncateText(r.description, MESSENGER_LIMITS.elementSubtitle) } : {}),
        buttons: [{ type: 'postback', title: label, payload: r.id }],
      }));
      const qr = quick.length > 0 ? quickRepliesOf(quick) : undefined;
      const template: Json = { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
      if (qr) template.quick_replies = qr;
      const intro = splitText(text, MESSENGER_LIMITS.text).map((t) => ({ text: t }));
      return { bodies: wrap([...intro, template]), form: 'degraded', note: 'list sent as its body text followed by a generic template, one card per row' };
    }
    const asQuick = quickRepliesOf([...rows, ...quick]);
    if (asQuick) return { ...textParts(text, wrap, 'degraded', asQuick), note: 'list rows sent as quick replies' };
    return numbered(content, wrap, 'a list beyond Messenger\'s limits');
  }
  if (quick.length > 0) {
    const qr = quickRepliesOf(quick);
    if (qr) return textParts(text, wrap, 'native', qr);
    return numbered(content, wrap, `more than ${MESSENGER_LIMITS.quickReplies} quick replies or titles over ${MESSENGER_LIMITS.quickReplyTitle} characters`);
  }
  return textParts(text, wrap, 'native');
}

/** A carousel card, as `rich` content of kind `carousel` carries it in `payload.items` (or `payload.elements`). */
export interface MessengerCarouselItem {
  title: string;
  subtitle?: string;
  imageUrl?: string;
  /** Opened when the card is tapped. */
  url?: string;
  /** ≤ 3 buttons per card. */
  buttons?: Button[];
}

function carouselItems(payload: unknown): MessengerCarouselItem[] | undefined {
  if (!isObject(payload)) return undefined;
  const list = Array.isArray(payload.items) ? payload.items : Array.isArray(payload.elements) ? payload.elements : undefined;
  if (!list || list.length === 0) return undefined;
  const items: MessengerCarouselItem[] = [];
  for (const raw of list) {
    if (!isObject(raw) || typeof raw.title !== 'string' || raw.title === '') return undefined;
    const item: MessengerCarouselItem = { title: raw.title };
    if (typeof raw.subtitle === 'string' && raw.subtitle !== '') item.subtitle = raw.subtitle;
    const image = raw.imageUrl ?? raw.image_url;
    if (typeof image === 'string' && image !== '') item.imageUrl = image;
    if (typeof raw.url === 'string' && raw.url !== '') item.url = raw.url;
    if (raw.buttons !== undefined) {
      if (!Array.isArray(raw.buttons) || !raw.buttons.every((b) => isObject(b) && typeof b.title === 'string' && typeof (b.id ?? b.url) === 'string')) return undefined;
      item.buttons = raw.buttons as Button[];
    }
    items.push(item);
  }
  return items;
}

function rich(content: RichContent, wrap: Envelope): Rendered {
  const fallback = (why: string): Rendered => {
    if (!content.fallbackText) throw new ContentUnsupportedError(`${why}, and the content has no fallbackText`);
    return { ...textParts(content.fallbackText, wrap, 'degraded'), note: `${why}: fallbackText sent` };
  };
  if (content.kind !== 'carousel') return fallback(`rich content of kind ${content.kind} has no Messenger form`);
  const items = carouselItems(content.payload);
  if (!items) return fallback('carousel payload is not { items: [{ title, subtitle?, imageUrl?, url?, buttons? }] }');
  const elements = items.map((item, i) => {
    const buttons = item.buttons ?? [];
    if (buttons.length > MESSENGER_LIMITS.buttons) throw new ContentInvalidError(`carousel card ${i + 1} has ${buttons.length} buttons; Messenger allows ${MESSENGER_LIMITS.buttons}`);
    for (const b of buttons) if (b.title === '' || b.title.length > MESSENGER_LIMITS.buttonTitle) throw new ContentInvalidError(`carousel card ${i + 1}: button titles must be 1–${MESSENGER_LIMITS.buttonTitle} characters`);
    return {
      title: truncateText(item.title, MESSENGER_LIMITS.elementTitle),
      ...(item.subtitle ? { subtitle: truncateText(item.subtitle, MESSENGER_LIMITS.elementSubtitle) } : {}),
      ...(item.imageUrl ? { image_url: item.imageUrl } : {}),
      ...(item.url ? { default_action: { type: 'web_url', url: item.url } } : {}),
      ...(buttons.length > 0 ? { buttons: buttons.map(buttonOf) } : {}),
    };
  });
  const messages: Json[] = [];
  for (let i = 0; i < elements.length; i += MESSENGER_LIMITS.genericElements) {
    messages.push({ attachment: { type: 'template', payload: { template_type: 'generic', elements: elements.slice(i, i + MESSENGER_LIMITS.genericElements) } } });
  }
  return {
    bodies: wrap(messages), form: 'native',
    ...(messages.length > 1 ? { note: `carousel of ${elements.length} cards split into ${messages.length} generic templates` } : {}),
  };
}

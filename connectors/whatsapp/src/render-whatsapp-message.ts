/**
 * Renders channel-neutral content as Cloud API `POST /{phone-number-id}/messages` bodies.
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, isMediaContent, splitText,
  type Button, type ContactsContent, type InteractiveContent, type MediaContent, type MediaRef, type OutboundMessage,
  type ProviderRequest, type TemplateContent, type TemplateParameter,
} from '@switchboard/core';
import type { WhatsAppConfig } from './config.js';

/** The Cloud API's documented limits the renderer enforces. */
export const WHATSAPP_LIMITS = {
  text: 4096,
  caption: 1024,
  interactiveBody: 1024,
  interactiveHeader: 60,
  interactiveFooter: 60,
  replyButtons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listRows: 10,
  listSections: 10,
  listButton: 20,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  sectionTitle: 24,
} as const;

/** The label of the list button used when more than three reply buttons are degraded to a list. */
export const DEGRADED_LIST_BUTTON = 'Options';

/**
 * The media id `render` writes for a file still to be uploaded (`OutboundMessage.file` without a
 * media id): `send` uploads the file first and sends the same request with the id Graph answered.
 */
export const PENDING_UPLOAD_MEDIA_ID = '<media id of the upload>';

/**
 * The message as it is sent once its file was uploaded: the content's media names the upload's id
 * (instead of a link), and a document without a file name takes the file's.
 * @param msg - a message whose content is media
 * @param mediaId - the id the upload answered with
 * @returns a copy that sends by id
 */
export function withUploadedMedia(msg: OutboundMessage, mediaId: string): OutboundMessage {
  if (!isMediaContent(msg.content)) return msg;
  return { ...msg, content: { ...msg.content, media: byId(msg.content.media, mediaId, msg.file) } };
}

function byId(ref: MediaRef, mediaId: string, file: OutboundMessage['file']): MediaRef {
  const { url: _link, ...media } = ref;
  const filename = media.filename ?? file?.filename;
  return { ...media, id: mediaId, ...(filename !== undefined ? { filename } : {}) };
}

type Payload = Record<string, unknown>;

interface Rendered {
  /** `type` plus the per-type object of each message, in order. */
  parts: Payload[];
  form: 'native' | 'degraded';
  note?: string;
}

function textParts(text: string): Payload[] {
  if (text === '') throw new ContentInvalidError('text must not be empty');
  return splitText(text, WHATSAPP_LIMITS.text).map((body) => ({ type: 'text', text: { preview_url: false, body } }));
}

function mediaObject(media: MediaRef, kind: string): Payload {
  if (media.id) return { id: media.id };
  if (media.url) return { link: media.url };
  throw new ContentInvalidError(`${kind} needs a media id or a link`);
}

function renderMedia(content: MediaContent, file: OutboundMessage['file']): Rendered {
  const { type } = content;
  if (file && file.kind !== type) throw new ContentInvalidError(`the file is ${file.kind === 'image' || file.kind === 'audio' ? 'an' : 'a'} ${file.kind} but the content is ${type}`);
  // a file still to upload is rendered as sent by the id the upload will give
  const media = file && !content.media.id ? byId(content.media, PENDING_UPLOAD_MEDIA_ID, file) : content.media;
  const object = mediaObject(media, type);
  const caption = media.caption ?? '';
  const captionAllowed = type === 'image' || type === 'video' || type === 'document';
  let form: Rendered['form'] = 'native';
  let note: string | undefined;
  const extra: Payload[] = [];
  if (caption !== '') {
    if (captionAllowed && caption.length <= WHATSAPP_LIMITS.caption) object.caption = caption;
    else {
      extra.push(...textParts(caption));
      form = 'degraded';
      note = captionAllowed ? `caption over ${WHATSAPP_LIMITS.caption} characters sent as text` : `${type} has no caption on WhatsApp: caption sent as text`;
    }
  }
  if (type === 'document' && media.filename) object.filename = media.filename;
  return { parts: [{ type, [type]: object }, ...extra], form, ...(note ? { note } : {}) };
}

function renderContacts(content: ContactsContent): Payload[] {
  if (content.contacts.length === 0) throw new ContentInvalidError('contacts must hold at least one card');
  return content.contacts.map((card) => {
    if (card.name.trim() === '') throw new ContentInvalidError('a contact card needs a name');
    const [first = card.name, ...rest] = card.name.trim().split(/\s+/);
    const name: Payload = { formatted_name: card.name, first_name: first };
    if (rest.length > 0) name.last_name = rest.join(' ');
    const out: Payload = { name };
    if (card.phones?.length) out.phones = card.phones.map((p) => (p.type ? { phone: p.phone, type: p.type } : { phone: p.phone }));
    if (card.emails?.length) out.emails = card.emails.map((e) => (e.type ? { email: e.email, type: e.type } : { email: e.email }));
    if (card.organization) out.org = { company: card.organization };
    return out;
  });
}

function check(value: string | undefined, max: number, what: string): void {
  if (value !== undefined && value.length > max) throw new ContentInvalidError(`${what} is ${value.length} characters; WhatsApp allows ${max}`);
}

function interactiveFrame(content: InteractiveContent): Payload {
  if (content.body === '') throw new ContentInvalidError('interactive body must not be empty');
  check(content.body, WHATSAPP_LIMITS.interactiveBody, 'interactive body');
  check(content.header, WHATSAPP_LIMITS.interactiveHeader, 'interactive header');
  check(content.footer, WHATSAPP_LIMITS.interactiveFooter, 'interactive footer');
  const frame: Payload = {};
  if (content.header) frame.header = { type: 'text', text: content.header };
  frame.body = { text: content.body };
  if (content.footer) frame.footer = { text: content.footer };
  return frame;
}

function listRows(rows: { id: string; title: string; description?: string }[]): Payload[] {
  return rows.map((r) => {
    check(r.id, WHATSAPP_LIMITS.rowId, `row id "${r.id}"`);
    check(r.title, WHATSAPP_LIMITS.rowTitle, `row title "${r.title}"`);
    check(r.description, WHATSAPP_LIMITS.rowDescription, `row description of "${r.title}"`);
    return r.description ? { id: r.id, title: r.title, description: r.description } : { id: r.id, title: r.title };
  });
}

function renderInteractive(content: InteractiveContent): Rendered {
  const options: Button[] = [...(content.buttons ?? []), ...(content.quickReplies ?? [])];
  if (content.list && options.length > 0) throw new ContentInvalidError('WhatsApp cannot combine a list with reply buttons in one message');
  if (!content.list && options.length === 0) {
    return { parts: textParts(content.body ? [content.header, content.body, content.footer].filter(Boolean).join('\n') : ''), form: 'degraded', note: 'interactive content without options sent as text' };
  }
  const frame = interactiveFrame(content);
  if (content.list) {
    const { sections, button } = content.list;
    const total = sections.reduce((n, s) => n + s.rows.length, 0);
    if (total === 0) throw new ContentInvalidError('a list needs at least one row');
    if (total > WHATSAPP_LIMITS.listRows) throw new ContentInvalidError(`a list has ${total} rows; WhatsApp allows ${WHATSAPP_LIMITS.listRows}`);
    if (sections.length > WHATSAPP_LIMITS.listSections) throw new ContentInvalidError(`a list has ${sections.length} sections; WhatsApp allows ${WHATSAPP_LIMITS.listSections}`);
    if (button === '') throw new ContentInvalidError('a list needs a button label');
    check(button, WHATSAPP_LIMITS.listButton, 'list button label');
    const rendered = sections.map((s) => {
      if (sections.length > 1 && !s.title) throw new ContentInvalidError('every section of a multi-section list needs a title');
      check(s.title, WHATSAPP_LIMITS.sectionTitle, `section title "${s.title ?? ''}"`);
      return s.title ? { title: s.title, rows: listRows(s.rows) } : { rows: listRows(s.rows) };
    });
    return { parts: [{ type: 'interactive', interactive: { type: 'list', ...frame, action: { button, sections: rendered } } }], form: 'native' };
  }
  const links = options.filter((o) => o.url);
  if (links.length > 0) {
    if (options.length > 1) throw new ContentInvalidError('WhatsApp sends one URL button per message, without reply buttons');
    const link = links[0]!;
    check(link.title, WHATSAPP_LIMITS.buttonTitle, `button title "${link.title}"`);
    return {
      parts: [{ type: 'interactive', interactive: { type: 'cta_url', ...frame, action: { name: 'cta_url', parameters: { display_text: link.title, url: link.url } } } }],
      form: 'native',
    };
  }
  if (options.length <= WHATSAPP_LIMITS.replyButtons) {
    const buttons = options.map((o) => {
      check(o.id, WHATSAPP_LIMITS.buttonId, `button id "${o.id}"`);
      check(o.title, WHATSAPP_LIMITS.buttonTitle, `button title "${o.title}"`);
      return { type: 'reply', reply: { id: o.id, title: o.title } };
    });
    return { parts: [{ type: 'interactive', interactive: { type: 'button', ...frame, action: { buttons } } }], form: 'native' };
  }
  if (options.length > WHATSAPP_LIMITS.listRows) {
    throw new ContentInvalidError(`${options.length} options; WhatsApp allows ${WHATSAPP_LIMITS.replyButtons} reply buttons or ${WHATSAPP_LIMITS.listRows} list rows`);
  }
  return {
    parts: [{ type: 'interactive', interactive: { type: 'list', ...frame, action: { button: DEGRADED_LIST_BUTTON, sections: [{ rows: listRows(options) }] } } }],
    form: 'degraded',
    note: `${options.length} reply buttons sent as a list (WhatsApp allows ${WHATSAPP_LIMITS.replyButtons} buttons)`,
  };
}

function templateParameter(p: TemplateParameter): Payload {
  if (p.media) {
    const { kind } = p.media;
    if (kind !== 'image' && kind !== 'video' && kind !== 'document') throw new ContentInvalidError(`a template header cannot carry ${kind}`);
    const object = mediaObject(p.media, kind);
    if (kind === 'document' && p.media.filename) object.filename = p.media.filename;
    return { type: kind, [kind]: object };
  }
  if (p.text === undefined || p.text === '') throw new ContentInvalidError(p.name ? `template parameter "${p.name}" needs a text value` : 'a template parameter needs a text value');
  return p.name ? { type: 'text', parameter_name: p.name, text: p.text } : { type: 'text', text: p.text };
}

function renderTemplate(content: TemplateContent): Payload {
  if (content.name === '' || content.language === '') throw new ContentInvalidError('a template needs a name and a language');
  const params = content.parameters ?? [];
  const components: Payload[] = [];
  const header = params.filter((p) => p.component === 'header');
  const body = params.filter((p) => (p.component ?? 'body') === 'body');
  if (header.length > 0) components.push({ type: 'header', parameters: header.map(templateParameter) });
  if (body.length > 0) components.push({ type: 'body', parameters: body.map(templateParameter) });
  const byIndex = new Map<number, TemplateParameter[]>();
  for (const p of params.filter((x) => x.component === 'button')) {
    const index = p.index ?? 0;
    byIndex.set(index, [...(byIndex.get(index) ?? []), p]);
  }
  for (const [index, list] of [...byIndex.entries()].sort(([a], [b]) => a - b)) {
    // the model has no button kind: `name` says which; default is a quick-reply payload
    const kind = list[0]?.name === 'url' ? 'url' : list[0]?.name === 'copy_code' ? 'copy_code' : 'quick_reply';
    const parameters = list.map((p) => {
      if (p.text === undefined || p.text === '') throw new ContentInvalidError(`template button ${index} parameter needs a text value`);
      if (kind === 'url') return { type: 'text', text: p.text };
      if (kind === 'copy_code') return { type: 'coupon_code', coupon_code: p.text };
      return { type: 'payload', payload: p.text };
    });
    components.push({ type: 'button', sub_type: kind, index: String(index), parameters });
  }
  const template: Payload = { name: content.name, language: { code: content.language } };
  if (components.length > 0) template.components = components;
  return { type: 'template', template };
}

function renderContent(msg: OutboundMessage): Rendered {
  const { content } = msg;
  switch (content.type) {
    case 'text': {
      const parts = textParts(content.text);
      if (content.previewUrl) for (const p of parts) (p.text as Payload).preview_url = true;
      return parts.length > 1
        ? { parts, form: 'native', note: `text split in ${parts.length} messages of at most ${WHATSAPP_LIMITS.text} characters` }
        : { parts, form: 'native' };
    }
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      return renderMedia(content, msg.file);
    case 'location': {
      const location: Payload = { latitude: content.latitude, longitude: content.longitude };
      if (content.name) location.name = content.name;
      if (content.address) location.address = content.address;
      return { parts: [{ type: 'location', location }], form: 'native' };
    }
    case 'contacts':
      return { parts: [{ type: 'contacts', contacts: renderContacts(content) }], form: 'native' };
    case 'reply':
      return { parts: textParts(content.title), form: 'degraded', note: 'a choice sent as its title' };
    case 'reaction':
      if (content.target === '') throw new ContentInvalidError('a reaction needs the id of the message it reacts to');
      return { parts: [{ type: 'reaction', reaction: { message_id: content.target, emoji: content.emoji } }], form: 'native' };
    case 'interactive':
      return renderInteractive(content);
    case 'template':
      return { parts: [renderTemplate(content)], form: 'native' };
    case 'rich':
      if (!content.fallbackText) throw new ContentUnsupportedError(`WhatsApp cannot render rich content "${content.kind}" and it has no fallbackText`);
      return { parts: textParts(content.fallbackText), form: 'degraded', note: `rich content "${content.kind}" sent as its fallback text` };
  }
}

/**
 * The Cloud API request(s) that send `msg`: one request per WhatsApp message, the first carrying
 * the reply context, the rest as `followUps`.
 * @param msg - the outbound message
 * @param config - the connector config (token, phone number id, base URL, version)
 * @returns the provider request
 * @throws ContentUnsupportedError for rich content without fallback text
 * @throws ContentInvalidError for content over a limit that cannot be split or degraded
 */
export function renderWhatsAppMessage(msg: OutboundMessage, config: WhatsAppConfig): ProviderRequest {
  if (msg.file && !isMediaContent(msg.content)) throw new ContentInvalidError(`a file goes with media content, not with ${msg.content.type}`);
  const rendered = renderContent(msg);
  const url = `${config.apiBaseUrl}/${config.apiVersion}/${config.phoneNumberId}/messages`;
  const headers = { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' };
  const requests: ProviderRequest[] = rendered.parts.map((part, i) => ({
    method: 'POST',
    url,
    headers: { ...headers },
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: msg.to.userId,
      ...(i === 0 && msg.replyTo ? { context: { message_id: msg.replyTo } } : {}),
      ...part,
    },
  }));
  const [first, ...rest] = requests as [ProviderRequest, ...ProviderRequest[]];
  if (rest.length > 0) first.followUps = rest;
  first.rendering = { form: rendered.form, parts: requests.length, ...(rendered.note ? { note: rendered.note } : {}) };
  return first;
}

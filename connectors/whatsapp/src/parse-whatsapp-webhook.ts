/**
 * Parses Cloud API webhooks (`object: whatsapp_business_account`) into normalised inbound events.
 * @module
 */
import {
  MalformedPayloadError, isObject, optArray, optString, parseJsonObject, reqArray, reqNumber, reqObject, reqString, toDate,
  type ContactCard, type Content, type InboundEvent, type JsonObject, type MediaKind, type MediaRef, type MessageEvent, type StatusEvent,
} from '@switchboard/core';

const CHANNEL = 'whatsapp';
const MEDIA_TYPES: readonly MediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'];
const RECEIPTS = ['sent', 'delivered', 'read', 'failed'] as const;

function objectAt(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw new MalformedPayloadError(`${path} must be an object`);
  return value;
}

function timestampOf(obj: JsonObject, path: string): Date {
  return toDate(reqNumber(obj, 'timestamp', path), 's');
}

/** A Graph error object as webhooks carry it, reduced to one line. */
interface GraphErrorSummary { code: string; message: string; details?: string }

function errorSummary(value: unknown, path: string): GraphErrorSummary {
  const e = objectAt(value, path);
  const code = optString(e, 'code', path) ?? 'unknown';
  const message = optString(e, 'title', path) ?? optString(e, 'message', path) ?? 'unknown error';
  const data = e.error_data;
  const details = isObject(data) ? optString(data, 'details', `${path}error_data.`) : undefined;
  return details === undefined ? { code, message } : { code, message, details };
}

function describeErrors(list: unknown[], path: string): string {
  return list.map((e, i) => {
    const s = errorSummary(e, `${path}[${i}].`);
    return `#${s.code} ${s.message}${s.details ? `: ${s.details}` : ''}`;
  }).join('; ');
}

function mediaOf(obj: JsonObject, kind: MediaKind, path: string): MediaRef {
  const m = reqObject(obj, kind, path);
  const p = `${path}${kind}.`;
  const media: MediaRef = {};
  const id = optString(m, 'id', p);
  const url = optString(m, 'url', p) ?? optString(m, 'link', p);
  const mimeType = optString(m, 'mime_type', p);
  const caption = optString(m, 'caption', p);
  const filename = optString(m, 'filename', p);
  if (id !== undefined) media.id = id;
  if (url !== undefined) media.url = url;
  if (mimeType !== undefined) media.mimeType = mimeType;
  if (caption !== undefined) media.caption = caption;
  if (filename !== undefined) media.filename = filename;
  return media;
}

function contactCard(value: unknown, path: string): ContactCard {
  const c = objectAt(value, path);
  const name = isObject(c.name) ? c.name : {};
  const formatted = optString(name, 'formatted_name', `${path}name.`)
    ?? [optString(name, 'first_name', `${path}name.`), optString(name, 'last_name', `${path}name.`)].filter(Boolean).join(' ');
  const card: ContactCard = { name: formatted };
  const phones = optArray(c, 'phones', path).map((v, i) => {
    const ph = objectAt(v, `${path}phones[${i}]`);
    const phone = optString(ph, 'phone', path) ?? optString(ph, 'wa_id', path) ?? '';
    const type = optString(ph, 'type', path);
    return type === undefined ? { phone } : { phone, type };
  });
  if (phones.length > 0) card.phones = phones;
  const emails = optArray(c, 'emails', path).map((v, i) => {
    const em = objectAt(v, `${path}emails[${i}]`);
    const email = optString(em, 'email', path) ?? '';
    const type = optString(em, 'type', path);
    return type === undefined ? { email } : { email, type };
  });
  if (emails.length > 0) card.emails = emails;
  const org = isObject(c.org) ? optString(c.org, 'company', `${path}org.`) : undefined;
  if (org !== undefined) card.organization = org;
  return card;
}

/** Content of a message, or a reason when the message kind has no model. */
function contentOf(m: JsonObject, type: string, path: string): Content | { unsupported: string } {
  if ((MEDIA_TYPES as readonly string[]).includes(type)) return { type: type as MediaKind, media: mediaOf(m, type as MediaKind, path) };
  switch (type) {
    case 'text': return { type: 'text', text: reqString(reqObject(m, 'text', path), 'body', `${path}text.`) };
    case 'location': {
      const l = reqObject(m, 'location', path);
      const p = `${path}location.`;
      const content: Content = { type: 'location', latitude: reqNumber(l, 'latitude', p), longitude: reqNumber(l, 'longitude', p) };
      const name = optString(l, 'name', p);
      const address = optString(l, 'address', p);
      if (name !== undefined) content.name = name;
      if (address !== undefined) content.address = address;
      return content;
    }
    case 'contacts':
      return { type: 'contacts', contacts: reqArray(m, 'contacts', path).map((c, i) => contactCard(c, `${path}contacts[${i}].`)) };
    case 'interactive': {
      const it = reqObject(m, 'interactive', path);
      const p = `${path}interactive.`;
      const kind = reqString(it, 'type', p);
      if (kind === 'button_reply' || kind === 'list_reply') {
        const r = reqObject(it, kind, p);
        return { type: 'reply', id: reqString(r, 'id', `${p}${kind}.`), title: reqString(r, 'title', `${p}${kind}.`) };
      }
      return { unsupported: `interactive reply of type "${kind}" is not modelled` };
    }
    case 'button': {
      const b = reqObject(m, 'button', path);
      const text = reqString(b, 'text', `${path}button.`);
      return { type: 'reply', id: optString(b, 'payload', `${path}button.`) ?? text, title: text };
    }
    case 'reaction': {
      const r = reqObject(m, 'reaction', path);
      // an absent emoji is how WhatsApp reports a removed reaction
      return { type: 'reaction', emoji: optString(r, 'emoji', `${path}reaction.`) ?? '', target: reqString(r, 'message_id', `${path}reaction.`) };
    }
    case 'unsupported': {
      const errors = optArray(m, 'errors', path);
      return { unsupported: errors.length > 0 ? `message type not supported by the Cloud API: ${describeErrors(errors, `${path}errors`)}` : 'message type not supported by the Cloud API' };
    }
    case 'system': {
      const s = isObject(m.system) ? m.system : {};
      return { unsupported: `system message: ${optString(s, 'body', `${path}system.`) ?? optString(s, 'type', `${path}system.`) ?? 'no body'}` };
    }
    default:
      return { unsupported: `message type "${type}" is not modelled` };
  }
}

function parseMessage(value: unknown, path: string, accountId: string, names: Map<string, string>): InboundEvent {
  const m = objectAt(value, path);
  const userId = reqString(m, 'from', path);
  const externalId = reqString(m, 'id', path);
  const timestamp = timestampOf(m, path);
  const type = reqString(m, 'type', path);
  if (type === 'request_welcome') {
    // sent when a user opens a chat with the business for the first time
    return { kind: 'conversation-started', channel: CHANNEL, accountId, userId, timestamp, eventId: externalId };
  }
  const content = contentOf(m, type, path);
  if ('unsupported' in content) {
    return { kind: 'unsupported', channel: CHANNEL, accountId, userId, reason: content.unsupported, timestamp, eventId: externalId };
  }
  const event: MessageEvent = { kind: 'message', channel: CHANNEL, accountId, userId, externalId, timestamp, content };
  const name = names.get(userId);
  if (name !== undefined) event.profile = { name };
  if (isObject(m.context)) {
    const replyTo = optString(m.context, 'id', `${path}context.`);
    if (replyTo !== undefined) event.replyTo = replyTo;
    if (m.context.forwarded === true || m.context.frequently_forwarded === true) event.metadata = { ...event.metadata, forwarded: true };
  }
  if (isObject(m.referral)) event.metadata = { ...event.metadata, referral: m.referral };
  return event;
}

function parseStatus(value: unknown, path: string, accountId: string): InboundEvent {
  const s = objectAt(value, path);
  const externalId = reqString(s, 'id', path);
  const status = reqString(s, 'status', path);
  const timestamp = timestampOf(s, path);
  const userId = optString(s, 'recipient_id', path);
  if (!(RECEIPTS as readonly string[]).includes(status)) {
    return { kind: 'unsupported', channel: CHANNEL, accountId, ...(userId ? { userId } : {}), reason: `status "${status}" is not modelled`, timestamp };
  }
  const event: StatusEvent = { kind: 'status', channel: CHANNEL, accountId, externalId, status: status as StatusEvent['status'], timestamp };
  if (userId !== undefined) event.userId = userId;
  const errors = optArray(s, 'errors', path);
  if (errors.length > 0) event.error = errorSummary(errors[0], `${path}errors[0].`);
  if (isObject(s.pricing)) {
    const p = s.pricing;
    const pricing: NonNullable<StatusEvent['pricing']> = {};
    const category = optString(p, 'category', `${path}pricing.`);
    const model = optString(p, 'pricing_model', `${path}pricing.`);
    if (category !== undefined) pricing.category = category;
    if (typeof p.billable === 'boolean') pricing.billable = p.billable;
    if (model !== undefined) pricing.model = model;
    event.pricing = pricing;
  }
  return event;
}

function parsePreference(value: unknown, path: string, accountId: string): InboundEvent {
  const u = objectAt(value, path);
  const userId = reqString(u, 'wa_id', path);
  const timestamp = timestampOf(u, path);
  const category = optString(u, 'category', path);
  const choice = optString(u, 'value', path);
  const detail = optString(u, 'detail', path);
  if (category === 'marketing_messages' && (choice === 'stop' || choice === 'resume')) {
    return {
      kind: 'consent', channel: CHANNEL, accountId, userId, timestamp, purpose: 'marketing',
      action: choice === 'stop' ? 'opt-out' : 'opt-in', ...(detail !== undefined ? { detail } : {}),
    };
  }
  return { kind: 'unsupported', channel: CHANNEL, accountId, userId, timestamp, reason: `user preference ${category ?? '?'}=${choice ?? '?'} is not modelled` };
}

function parseChange(value: unknown, path: string, wabaId: string): InboundEvent[] {
  const change = objectAt(value, path);
  const field = reqString(change, 'field', path);
  const v = reqObject(change, 'value', path);
  const vp = `${path}value.`;
  const metadata = isObject(v.metadata) ? v.metadata : undefined;
  const phoneNumberId = metadata ? optString(metadata, 'phone_number_id', `${vp}metadata.`) : undefined;
  if (field !== 'messages' && field !== 'user_preferences') {
    return [{ kind: 'unsupported', channel: CHANNEL, accountId: phoneNumberId ?? wabaId, reason: `webhook field "${field}" is not handled` }];
  }
  if (phoneNumberId === undefined) throw new MalformedPayloadError(`${vp}metadata.phone_number_id must be a string`);
  const accountId = phoneNumberId;
  const names = new Map<string, string>();
  optArray(v, 'contacts', vp).forEach((c, i) => {
    const contact = objectAt(c, `${vp}contacts[${i}]`);
    const waId = optString(contact, 'wa_id', `${vp}contacts[${i}].`);
    const name = isObject(contact.profile) ? optString(contact.profile, 'name', `${vp}contacts[${i}].profile.`) : undefined;
    if (waId !== undefined && name !== undefined) names.set(waId, name);
  });
  const events: InboundEvent[] = [];
  optArray(v, 'messages', vp).forEach((m, i) => events.push(parseMessage(m, `${vp}messages[${i}].`, accountId, names)));
  optArray(v, 'statuses', vp).forEach((s, i) => events.push(parseStatus(s, `${vp}statuses[${i}].`, accountId)));
  optArray(v, 'user_preferences', vp).forEach((u, i) => events.push(parsePreference(u, `${vp}user_preferences[${i}].`, accountId)));
  optArray(v, 'errors', vp).forEach((e, i) => {
    const s = errorSummary(e, `${vp}errors[${i}].`);
    events.push({ kind: 'unsupported', channel: CHANNEL, accountId, reason: `platform error #${s.code} ${s.message}${s.details ? `: ${s.details}` : ''}` });
  });
  return events;
}

/**
 * Parses a WhatsApp Cloud API webhook body. Several entries and changes in one delivery yield
 * their events in order; kinds without a model become `unsupported` events.
 * @param body - the raw, verified body
 * @returns the events, possibly none
 * @throws MalformedPayloadError when the body is not a WhatsApp Business Account webhook
 */
export function parseWhatsAppWebhook(body: Buffer): InboundEvent[] {
  const root = parseJsonObject(body);
  const object = reqString(root, 'object');
  if (object !== 'whatsapp_business_account') throw new MalformedPayloadError(`object must be "whatsapp_business_account", got "${object}"`);
  const events: InboundEvent[] = [];
  reqArray(root, 'entry').forEach((e, i) => {
    const entry = objectAt(e, `entry[${i}]`);
    const wabaId = reqString(entry, 'id', `entry[${i}].`);
    reqArray(entry, 'changes', `entry[${i}].`).forEach((c, j) => events.push(...parseChange(c, `entry[${i}].changes[${j}].`, wabaId)));
  });
  return events;
}

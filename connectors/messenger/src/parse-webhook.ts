/**
 * Parses Messenger Platform webhook deliveries (`object: "page"`) into core inbound events.
 * @module
 */
import {
  MalformedPayloadError, isObject, optArray, optNumber, optString, parseJsonObject, reqObject, reqString, toDate,
  type ConsentEvent, type Content, type ConversationStartedEvent, type InboundEvent, type JsonObject, type MessageEvent,
  type StatusEvent,
} from '@switchboard/core';

const CHANNEL = 'messenger';
/** Prefix of the external id of a status that covers every message up to a watermark. */
export const WATERMARK_PREFIX = 'watermark:';

/**
 * A status event that applies to every outbound message to `userId` sent at or before `watermark`
 * (Messenger read receipts, and delivery receipts without `mids`). Its `externalId` is `watermark:<ms>`.
 */
export interface WatermarkStatusEvent extends StatusEvent {
  /** Every outbound message to this user with a timestamp at or before this time has reached `status`. */
  watermark: Date;
  /** The same time as `watermark`, in core's typed field that hosts read. */
  upTo: Date;
}

/** Where a customer came from: a m.me link, an ad, the customer chat plugin… */
export interface MessengerReferral {
  /** The `ref` parameter of the link or ad. */
  ref?: string;
  /** `SHORTLINK`, `ADS`, `CUSTOMER_CHAT_PLUGIN`, … */
  source?: string;
  /** `OPEN_THREAD`. */
  type?: string;
  /** The ad's id, for `source: ADS` (opens the 7-day window of Click-to-Messenger ads). */
  adId?: string;
}

/** A conversation-started event carrying Messenger's referral details. */
export interface MessengerConversationStartedEvent extends ConversationStartedEvent {
  referral?: MessengerReferral;
}

/**
 * Reads the watermark of a status event produced by this connector.
 * @param event - a status event
 * @returns the watermark time, or undefined when the event names one message
 */
export function watermarkOf(event: Pick<StatusEvent, 'externalId'>): Date | undefined {
  if (!event.externalId.startsWith(WATERMARK_PREFIX)) return undefined;
  const ms = Number(event.externalId.slice(WATERMARK_PREFIX.length));
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/**
 * Parses a verified webhook body.
 * @param body - the raw bytes
 * @returns the events, in delivery order
 * @throws MalformedPayloadError when the body is not a Messenger delivery
 */
export function parseMessengerWebhook(body: Buffer): InboundEvent[] {
  const root = parseJsonObject(body);
  const object = reqString(root, 'object');
  if (object !== 'page') return [{ kind: 'unsupported', channel: CHANNEL, reason: `webhook object "${object}" is not a Messenger Page delivery` }];
  const events: InboundEvent[] = [];
  for (const [i, rawEntry] of optArray(root, 'entry').entries()) {
    if (!isObject(rawEntry)) throw new MalformedPayloadError(`entry[${i}] must be an object`);
    const entryId = optString(rawEntry, 'id', `entry[${i}].`);
    const entryTime = optNumber(rawEntry, 'time', `entry[${i}].`);
    for (const [j, item] of optArray(rawEntry, 'messaging', `entry[${i}].`).entries()) {
      if (!isObject(item)) throw new MalformedPayloadError(`entry[${i}].messaging[${j}] must be an object`);
      events.push(...parseMessagingEvent(item, { entryId, entryTime, path: `entry[${i}].messaging[${j}].` }));
    }
    for (const key of ['standby', 'changes'] as const) {
      const list = optArray(rawEntry, key, `entry[${i}].`);
      // handover standby copies belong to the primary receiver; feed changes are not messaging
      if (list.length > 0) events.push({ kind: 'unsupported', channel: CHANNEL, ...(entryId ? { accountId: entryId } : {}), reason: `entry.${key} (${list.length} item(s)) is not handled` });
    }
  }
  return events;
}

interface EntryContext { entryId: string | undefined; entryTime: number | undefined; path: string }

const HANDLED_KEYS = ['message', 'postback', 'delivery', 'read', 'optin', 'referral', 'reaction', 'message_edit'] as const;

function parseMessagingEvent(item: JsonObject, ctx: EntryContext): InboundEvent[] {
  const p = ctx.path;
  const sender = reqObject(item, 'sender', p);
  const recipient = reqObject(item, 'recipient', p);
  const senderId = optString(sender, 'id', `${p}sender.`);
  const recipientId = optString(recipient, 'id', `${p}recipient.`);
  const timestampMs = optNumber(item, 'timestamp', p);
  const kind = HANDLED_KEYS.find((k) => item[k] !== undefined && item[k] !== null);
  const message = isObject(item.message) ? item.message : undefined;
  const isEcho = message?.is_echo === true;
  // an echo is sent by the page: the customer is the recipient
  const userId = isEcho ? recipientId : senderId;
  const accountId = (isEcho ? senderId : recipientId) ?? ctx.entryId;
  if (kind === undefined || userId === undefined || accountId === undefined) {
    const other = Object.keys(item).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
    return [{
      kind: 'unsupported', channel: CHANNEL, ...(accountId ? { accountId } : {}), ...(userId ? { userId } : {}),
      reason: userId === undefined ? 'messaging event without a PSID (user_ref / chat plugin)' : `messaging event "${other.join(', ') || 'empty'}" is not handled`,
    }];
  }
  const fallbackMs = timestampMs ?? ctx.entryTime;
  const at = (ms: number | undefined): Date => {
    if (ms === undefined) throw new MalformedPayloadError(`${p}timestamp must be a number`);
    return toDate(ms, 'ms');
  };
  const base = { channel: CHANNEL, accountId, userId } as const;
  switch (kind) {
    case 'message': return parseMessage(reqObject(item, 'message', p), base, at(fallbackMs), `${p}message.`);
    case 'postback': return parsePostback(reqObject(item, 'postback', p), base, at(fallbackMs), `${p}postback.`);
    case 'delivery': {
      const delivery = reqObject(item, 'delivery', p);
      const watermark = optNumber(delivery, 'watermark', `${p}delivery.`);
      const timestamp = at(watermark ?? fallbackMs);
      const mids = optArray(delivery, 'mids', `${p}delivery.`);
      if (mids.length > 0) {
        return mids.map((mid, k): StatusEvent => {
          if (typeof mid !== 'string' || mid === '') throw new MalformedPayloadError(`${p}delivery.mids[${k}] must be a string`);
          return { kind: 'status', ...base, externalId: mid, status: 'delivered', timestamp };
        });
      }
      if (watermark === undefined) throw new MalformedPayloadError(`${p}delivery needs mids or a watermark`);
      return [watermarkStatus(base, 'delivered', watermark, timestamp)];
    }
    case 'read': {
      const read = reqObject(item, 'read', p);
      const watermark = optNumber(read, 'watermark', `${p}read.`);
      if (watermark === undefined) throw new MalformedPayloadError(`${p}read.watermark must be a number`);
      return [watermarkStatus(base, 'read', watermark, at(fallbackMs ?? watermark))];
    }
    case 'optin': return parseOptin(reqObject(item, 'optin', p), base, at(fallbackMs), `${p}optin.`);
    case 'referral': return [conversationStarted(base, at(fallbackMs), parseReferral(reqObject(item, 'referral', p), `${p}referral.`))];
    case 'reaction': {
      const reaction = reqObject(item, 'reaction', p);
      const target = reqString(reaction, 'mid', `${p}reaction.`);
      const action = optString(reaction, 'action', `${p}reaction.`) ?? 'react';
      const emoji = action === 'unreact' ? '' : optString(reaction, 'emoji', `${p}reaction.`) ?? optString(reaction, 'reaction', `${p}reaction.`) ?? '';
      const timestamp = at(fallbackMs);
      const event: MessageEvent = {
        kind: 'message', ...base, externalId: `reaction:${target}:${userId}:${timestamp.getTime()}`, timestamp,
        content: { type: 'reaction', emoji, target },
      };
      return [event];
    }
    case 'message_edit': {
      const edit = reqObject(item, 'message_edit', p);
      const mid = reqString(edit, 'mid', `${p}message_edit.`);
      const text = optString(edit, 'text', `${p}message_edit.`) ?? '';
      const count = optNumber(edit, 'num_edit', `${p}message_edit.`) ?? 1;
      const event: MessageEvent = {
        kind: 'message', ...base, externalId: `${mid}#edit${count}`, timestamp: at(fallbackMs), content: { type: 'text', text }, edited: true,
        metadata: { editedMid: mid },
      };
      return [event];
    }
  }
}

type Base = { channel: typeof CHANNEL; accountId: string; userId: string };

function watermarkStatus(base: Base, status: 'delivered' | 'read', watermark: number, timestamp: Date): WatermarkStatusEvent {
  return { kind: 'status', ...base, externalId: `${WATERMARK_PREFIX}${watermark}`, status, timestamp, watermark: toDate(watermark, 'ms'), upTo: toDate(watermark, 'ms') };
}

function parseMessage(message: JsonObject, base: Base, timestamp: Date, p: string): InboundEvent[] {
  const mid = reqString(message, 'mid', p);
  if (message.is_echo === true) {
    // the page's own message (sent by us, another app or the Page inbox): a 'sent' receipt, never a customer message
    const status: StatusEvent = { kind: 'status', ...base, externalId: mid, status: 'sent', timestamp };
    return [status];
  }
  if (message.is_deleted === true) return [{ kind: 'unsupported', ...base, reason: `message ${mid} was deleted by the customer`, timestamp }];
  const text = optString(message, 'text', p);
  const replyTo = isObject(message.reply_to) ? optString(message.reply_to, 'mid', `${p}reply_to.`) : undefined;
  const quickReply = isObject(message.quick_reply) ? optString(message.quick_reply, 'payload', `${p}quick_reply.`) : undefined;
  const contents: (Content | { unsupported: string })[] = [];
  if (quickReply !== undefined) contents.push({ type: 'reply', id: quickReply, title: text ?? quickReply });
  else if (text !== undefined) contents.push({ type: 'text', text });
  for (const [k, attachment] of optArray(message, 'attachments', p).entries()) {
    if (!isObject(attachment)) throw new MalformedPayloadError(`${p}attachments[${k}] must be an object`);
    contents.push(parseAttachment(attachment, `${p}attachments[${k}].`));
  }
  if (contents.length === 0) return [{ kind: 'unsupported', ...base, reason: `message ${mid} has neither text nor attachments`, timestamp }];
  // one event per part; the first keeps the mid so replies and receipts find it, the others get a suffix
  return contents.map((content, k): InboundEvent => {
    const externalId = k === 0 ? mid : `${mid}#${k}`;
    if ('unsupported' in content) return { kind: 'unsupported', ...base, reason: `${content.unsupported} (message ${externalId})`, timestamp };
    const event: MessageEvent = { kind: 'message', ...base, externalId, timestamp, content };
    if (replyTo !== undefined) event.replyTo = replyTo;
    return event;
  });
}

function parseAttachment(attachment: JsonObject, p: string): Content | { unsupported: string } {
  const type = reqString(attachment, 'type', p);
  const payload = isObject(attachment.payload) ? attachment.payload : {};
  const url = optString(payload, 'url', `${p}payload.`);
  const media = url !== undefined ? { url } : {};
  switch (type) {
    case 'image': {
      const stickerId = optString(payload, 'sticker_id', `${p}payload.`);
      return stickerId !== undefined ? { type: 'sticker', media: { ...media, id: stickerId } } : { type: 'image', media };
    }
    case 'sticker': {
      const stickerId = optString(payload, 'sticker_id', `${p}payload.`);
      return { type: 'sticker', media: { ...media, ...(stickerId !== undefined ? { id: stickerId } : {}) } };
    }
    case 'video': return { type: 'video', media };
    case 'audio': return { type: 'audio', media };
    case 'file': return { type: 'document', media };
    case 'location': {
      const coordinates = reqObject(payload, 'coordinates', `${p}payload.`);
      const latitude = optNumber(coordinates, 'lat', `${p}payload.coordinates.`);
      const longitude = optNumber(coordinates, 'long', `${p}payload.coordinates.`);
      if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        throw new MalformedPayloadError(`${p}payload.coordinates must hold lat and long`);
      }
      const name = optString(attachment, 'title', p);
      return { type: 'location', latitude, longitude, ...(name !== undefined ? { name } : {}) };
    }
    case 'fallback': {
      // a shared link, or a share Messenger cannot describe (then without payload)
      const title = optString(attachment, 'title', p) ?? optString(payload, 'title', `${p}payload.`);
      const link = url ?? optString(attachment, 'URL', p);
      const text = [title, link].filter((x): x is string => x !== undefined && x !== '').join('\n');
      return text !== '' ? { type: 'text', text } : { unsupported: 'fallback attachment without content' };
    }
    case 'template': {
      const templateType = optString(payload, 'template_type', `${p}payload.`);
      const title = optString(attachment, 'title', p);
      return {
        type: 'rich', kind: templateType === 'generic' ? 'carousel' : 'rich-link', payload,
        ...(title !== undefined ? { fallbackText: title } : {}),
      };
    }
    default: return { unsupported: `attachment type "${type}" is not handled` };
  }
}

function parsePostback(postback: JsonObject, base: Base, timestamp: Date, p: string): InboundEvent[] {
  const payload = optString(postback, 'payload', p) ?? '';
  const title = optString(postback, 'title', p) ?? payload;
  const mid = optString(postback, 'mid', p);
  const events: InboundEvent[] = [];
  // a Get Started tap from a m.me link or ad carries the referral of the entry point
  if (isObject(postback.referral)) events.push(conversationStarted(base, timestamp, parseReferral(postback.referral, `${p}referral.`)));
  const message: MessageEvent = {
    kind: 'message', ...base, externalId: mid ?? `postback:${base.userId}:${timestamp.getTime()}`, timestamp,
    content: { type: 'reply', id: payload, title },
  };
  events.push(message);
  return events;
}

function parseReferral(referral: JsonObject, p: string): MessengerReferral {
  const out: MessengerReferral = {};
  const ref = optString(referral, 'ref', p);
  const source = optString(referral, 'source', p);
  const type = optString(referral, 'type', p);
  const adId = optString(referral, 'ad_id', p);
  if (ref !== undefined) out.ref = ref;
  if (source !== undefined) out.source = source;
  if (type !== undefined) out.type = type;
  if (adId !== undefined) out.adId = adId;
  return out;
}

function conversationStarted(base: Base, timestamp: Date, referral: MessengerReferral): MessengerConversationStartedEvent {
  return { kind: 'conversation-started', ...base, timestamp, ...(referral.ref !== undefined ? { context: referral.ref } : {}), referral };
}

function parseOptin(optin: JsonObject, base: Base, timestamp: Date, p: string): InboundEvent[] {
  const type = optString(optin, 'type', p);
  const title = optString(optin, 'title', p);
  const topic = title !== undefined && title !== '' ? { topic: title } : {};
  if (type === 'notification_messages') {
    // Meta documents the values both as "STOP NOTIFICATIONS" and STOP_NOTIFICATIONS
    const status = optString(optin, 'notification_messages_status', p)?.toUpperCase().replace(/\s+/g, '_');
    const action = status === 'STOP_NOTIFICATIONS' ? 'opt-out' : 'opt-in';
    if (status !== undefined && status !== 'STOP_NOTIFICATIONS' && status !== 'RESUME_NOTIFICATIONS') {
      return [{ kind: 'unsupported', ...base, reason: `notification_messages_status "${status}" is not handled`, timestamp }];
    }
    const event: ConsentEvent = { kind: 'consent', ...base, action, purpose: 'marketing', timestamp, ...topic, detail: evidence(optin) };
    return [event];
  }
  if (type === 'one_time_notif_req') {
    const event: ConsentEvent = { kind: 'consent', ...base, action: 'opt-in', purpose: 'transactional', timestamp, ...topic, detail: evidence(optin) };
    return [event];
  }
  // Send to Messenger / checkbox plugin: the person asked the page to message them
  const ref = optString(optin, 'ref', p);
  return [conversationStarted(base, timestamp, ref !== undefined ? { ref, source: 'OPTIN' } : { source: 'OPTIN' })];
}

/** The opt-in as Meta sent it (token, title, payload, frequency…), as the ledger's evidence. */
function evidence(optin: JsonObject): string {
  return JSON.stringify(optin);
}

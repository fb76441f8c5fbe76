/**
 * Parsing of Viber callbacks into normalised inbound events.
 * @module
 */
import {
  MalformedPayloadError, isObject, optNumber, optString, parseJsonObject, reqObject, reqString, toDate,
  type Content, type InboundEvent, type JsonObject, type MessageEvent,
} from '@switchboard/core';
import { readTrackingData } from './render.js';
import { quoteMessageTokens } from './viber-api.js';

const CHANNEL = 'viber';

/**
 * Parses a callback body: tokens are kept as exact digit strings.
 * @param body - raw bytes
 * @returns the callback object
 * @throws MalformedPayloadError when the bytes are not a JSON object
 */
export function parseCallbackBody(body: Buffer): JsonObject {
  return parseJsonObject(quoteMessageTokens(body.toString('utf8')));
}

function timestampOf(obj: JsonObject): Date {
  const ts = optNumber(obj, 'timestamp');
  if (ts === undefined) throw new MalformedPayloadError('timestamp must be a number');
  return toDate(ts, 'ms');
}

function profileOf(user: JsonObject, path: string): MessageEvent['profile'] {
  const profile: NonNullable<MessageEvent['profile']> = {};
  const name = optString(user, 'name', path);
  const avatar = optString(user, 'avatar', path);
  const language = optString(user, 'language', path);
  const country = optString(user, 'country', path);
  const apiVersion = optNumber(user, 'api_version', path);
  if (name !== undefined) profile.name = name;
  if (avatar !== undefined) profile.avatar = avatar;
  if (language !== undefined) profile.language = language;
  if (country !== undefined) profile.country = country;
  if (apiVersion !== undefined) profile.apiVersion = apiVersion;
  return profile;
}

function contentOf(message: JsonObject, replies: Record<string, string> | undefined): Content | { unsupported: string } {
  const type = reqString(message, 'type', 'message.');
  const text = optString(message, 'text', 'message.');
  const media = optString(message, 'media', 'message.');
  switch (type) {
    case 'text': {
      const body = text ?? '';
      // a keyboard or rich media tap arrives as text carrying the button's ActionBody
      const title = replies !== undefined && Object.hasOwn(replies, body) ? replies[body] : undefined;
      return title !== undefined ? { type: 'reply', id: body, title } : { type: 'text', text: body };
    }
    case 'picture':
    case 'video':
    case 'file': {
      if (media === undefined) throw new MalformedPayloadError(`message.media is required for ${type} messages`);
      const filename = optString(message, 'file_name', 'message.');
      const size = optNumber(message, 'size', 'message.') ?? optNumber(message, 'file_size', 'message.');
      const kind = type === 'picture' ? 'image' : type === 'video' ? 'video' : 'document';
      return {
        type: kind,
        media: {
          url: media,
          ...(text ? { caption: text } : {}),
          ...(filename !== undefined ? { filename } : {}),
          ...(size !== undefined ? { size } : {}),
        },
      };
    }
    case 'sticker': {
      const stickerId = optString(message, 'sticker_id', 'message.');
      if (stickerId === undefined && media === undefined) throw new MalformedPayloadError('message.sticker_id is required for sticker messages');
      return { type: 'sticker', media: { ...(stickerId !== undefined ? { id: stickerId } : {}), ...(media !== undefined ? { url: media } : {}) } };
    }
    case 'contact': {
      const contact = reqObject(message, 'contact', 'message.');
      const name = optString(contact, 'name', 'message.contact.') ?? '';
      const phone = optString(contact, 'phone_number', 'message.contact.');
      return { type: 'contacts', contacts: [{ name, ...(phone !== undefined ? { phones: [{ phone }] } : {}) }] };
    }
    case 'location': {
      const location = reqObject(message, 'location', 'message.');
      const lat = optNumber(location, 'lat', 'message.location.');
      const lon = optNumber(location, 'lon', 'message.location.');
      if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new MalformedPayloadError('message.location must carry lat and lon');
      const address = optString(location, 'address', 'message.location.');
      return { type: 'location', latitude: lat, longitude: lon, ...(address ? { address } : {}) };
    }
    case 'url':
      if (media === undefined) throw new MalformedPayloadError('message.media is required for url messages');
      return { type: 'text', text: media };
    default:
      return { unsupported: `Viber message type "${type}"` };
  }
}

function parseMessage(cb: JsonObject, accountId: string, timestamp: Date): InboundEvent {
  const sender = reqObject(cb, 'sender');
  const userId = reqString(sender, 'id', 'sender.');
  const externalId = reqString(cb, 'message_token');
  const message = reqObject(cb, 'message');
  const trackingData = optString(message, 'tracking_data', 'message.');
  const tracking = readTrackingData(trackingData);
  const content = contentOf(message, tracking?.replies);
  if ('unsupported' in content) return { kind: 'unsupported', channel: CHANNEL, accountId, userId, reason: content.unsupported, timestamp, eventId: externalId };
  const metadata: Record<string, unknown> = {};
  if (trackingData !== undefined) metadata.trackingData = trackingData;
  if (tracking) metadata.inReplyToMessageId = tracking.messageId;
  const hostname = optString(cb, 'chat_hostname');
  if (hostname !== undefined) metadata.chatHostname = hostname;
  if (typeof cb.silent === 'boolean') metadata.silent = cb.silent;
  if (content.type === 'video') {
    const duration = optNumber(message, 'duration', 'message.');
    if (duration !== undefined) metadata.durationSeconds = duration;
  }
  return {
    kind: 'message', channel: CHANNEL, accountId, userId, externalId, timestamp,
    profile: profileOf(sender, 'sender.'), content,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/**
 * Parses one verified Viber callback.
 * @param body - the raw bytes
 * @param accountId - the bot's account id (Viber callbacks do not name the bot)
 * @returns the events: one per callback, none for the `webhook` check
 * @throws MalformedPayloadError when a documented callback is missing required fields
 */
export function parseCallback(body: Buffer, accountId: string): InboundEvent[] {
  const cb = parseCallbackBody(body);
  const event = reqString(cb, 'event');
  if (event === 'webhook') return [];
  const timestamp = timestampOf(cb);
  const token = optString(cb, 'message_token');
  const eventId = token !== undefined ? `${event}:${token}` : undefined;
  switch (event) {
    case 'message':
      return [parseMessage(cb, accountId, timestamp)];
    case 'delivered':
    case 'seen':
    case 'failed': {
      const externalId = reqString(cb, 'message_token');
      const userId = optString(cb, 'user_id');
      const desc = optString(cb, 'desc');
      return [{
        kind: 'status', channel: CHANNEL, accountId, externalId, timestamp,
        status: event === 'delivered' ? 'delivered' : event === 'seen' ? 'read' : 'failed',
        ...(userId !== undefined ? { userId } : {}),
        ...(event === 'failed' ? { error: { code: 'failed', message: desc ?? 'Viber reported the message as failed' } } : {}),
        eventId: `${event}:${externalId}`,
      }];
    }
    case 'subscribed': {
      const user = reqObject(cb, 'user');
      return [{
        kind: 'consent', channel: CHANNEL, accountId, userId: reqString(user, 'id', 'user.'), timestamp,
        action: 'subscribed', detail: 'subscribed', ...(eventId ? { eventId } : {}),
      }];
    }
    case 'unsubscribed':
      return [{
        kind: 'consent', channel: CHANNEL, accountId, userId: reqString(cb, 'user_id'), timestamp,
        action: 'unsubscribed', detail: 'unsubscribed', ...(eventId ? { eventId } : {}),
      }];
    case 'conversation_started': {
      const user = reqObject(cb, 'user');
      const context = optString(cb, 'context');
      return [{
        kind: 'conversation-started', channel: CHANNEL, accountId, userId: reqString(user, 'id', 'user.'), timestamp,
        profile: profileOf(user, 'user.'),
        ...(typeof cb.subscribed === 'boolean' ? { subscribed: cb.subscribed } : {}),
        ...(context !== undefined ? { context } : {}),
        ...(eventId ? { eventId } : {}),
      }];
    }
    default: {
      const userId = isObject(cb.user) && typeof cb.user.id === 'string' ? cb.user.id : typeof cb.user_id === 'string' ? cb.user_id : undefined;
      return [{ kind: 'unsupported', channel: CHANNEL, accountId, ...(userId ? { userId } : {}), reason: `Viber event "${event}"`, timestamp, ...(eventId ? { eventId } : {}) }];
    }
  }
}

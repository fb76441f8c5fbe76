/**
 * Parsing of Apple's inbound `/message` requests into normalised events.
 * @module
 */
import { gunzipSync } from 'node:zlib';
import {
  MalformedPayloadError, isObject, optArray, optString, parseJsonObject,
  type Content, type InboundEvent, type JsonObject, type MediaEncryption, type MediaKind, type MessageEvent, type RawWebhook,
} from '@switchboard/core';
import { ATTACHMENT_PLACEHOLDER } from './apple-render.js';

/** Largest decoded body we accept: bigger interactive data arrives by reference, so real bodies are small. */
export const APPLE_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The body's JSON bytes: gunzipped when Apple compressed it (header or gzip magic bytes), with
 * an output cap against zip bombs.
 * @param req - the raw webhook
 * @param maxBytes - decoded size cap
 * @returns the decoded bytes
 * @throws MalformedPayloadError when the gzip stream is corrupt or too large
 */
export function decodeAppleBody(req: Pick<RawWebhook, 'headers' | 'body'>, maxBytes = APPLE_MAX_BODY_BYTES): Buffer {
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  const magic = req.body.length >= 2 && req.body[0] === 0x1f && req.body[1] === 0x8b;
  if (!encoding.includes('gzip') && !magic) {
    if (req.body.length > maxBytes) throw new MalformedPayloadError(`body exceeds ${maxBytes} bytes`);
    return req.body;
  }
  try {
    return gunzipSync(req.body, { maxOutputLength: maxBytes });
  } catch (cause) {
    throw new MalformedPayloadError('body is declared gzip but does not gunzip within the size limit', { cause });
  }
}

/**
 * Splits a `capability-list` header into upper-cased tokens.
 * @param header - e.g. `"LIST,TIME,QUICK"`
 * @returns the tokens, empty when absent
 */
export function parseCapabilityList(header: string | undefined): string[] {
  if (!header) return [];
  return [...new Set(header.split(',').map((t) => t.trim().toUpperCase()).filter((t) => t !== ''))];
}

function mediaKindOf(mimeType: string): MediaKind {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Maps Apple's interactive data (inline, or fetched through an `interactiveDataRef`) onto content:
 * a single choice (quick reply, one list-picker item) becomes a `reply`; everything else a `rich`
 * content whose payload is the decoded `interactiveData.data`.
 * @param interactiveData - the `interactiveData` dictionary
 * @returns the content, or undefined for a custom iMessage app this connector has no model for
 * @throws MalformedPayloadError when the dictionary is not an object
 */
export function interactiveDataToContent(interactiveData: unknown): Content | undefined {
  if (!isObject(interactiveData)) throw new MalformedPayloadError('interactiveData must be an object');
  const data = interactiveData.data;
  if (!isObject(data)) return undefined;
  const replyTitle = isObject(data.replyMessage) ? str(data.replyMessage, 'title') : undefined;
  const quick = data['quick-reply'];
  if (isObject(quick)) {
    const id = str(quick, 'selectedIdentifier');
    if (id === undefined) throw new MalformedPayloadError('quick-reply.selectedIdentifier must be a string');
    const items = Array.isArray(quick.items) ? quick.items.filter(isObject) : [];
    const item = items.find((i) => i.identifier === id);
    return { type: 'reply', id, title: (item && str(item, 'title')) ?? replyTitle ?? id };
  }
  if (isObject(data.listPicker)) {
    const sections = optArray(data.listPicker, 'sections', 'listPicker.').filter(isObject);
    const items = sections.flatMap((s) => optArray(s, 'items', 'listPicker.sections[].').filter(isObject));
    const only = items.length === 1 ? items[0] : undefined;
    const onlyId = only ? optString(only, 'identifier', 'listPicker.items[].') : undefined;
    if (only && onlyId !== undefined) return { type: 'reply', id: onlyId, title: str(only, 'title') ?? replyTitle ?? onlyId };
    return { type: 'rich', kind: 'list-picker', payload: data, ...(replyTitle ? { fallbackText: replyTitle } : {}) };
  }
  const kinds: [string, 'time-picker' | 'payment' | 'auth' | 'form'][] = [['event', 'time-picker'], ['payment', 'payment'], ['authenticate', 'auth'], ['dynamic', 'form']];
  for (const [key, kind] of kinds) {
    if (isObject(data[key])) return { type: 'rich', kind, payload: data, ...(replyTitle ? { fallbackText: replyTitle } : {}) };
  }
  return undefined;
}

interface Envelope {
  id: string;
  userId: string;
  accountId: string;
  metadata: Record<string, unknown>;
}

function envelope(req: RawWebhook, body: JsonObject): Envelope {
  const h = req.headers;
  const id = h.id || optString(body, 'id');
  const userId = h['source-id'] || optString(body, 'sourceId');
  const accountId = h['destination-id'] || optString(body, 'destinationId');
  if (!id) throw new MalformedPayloadError('message id is missing (header id / body id)');
  if (!userId) throw new MalformedPayloadError('customer id is missing (header source-id / body sourceId)');
  if (!accountId) throw new MalformedPayloadError('business id is missing (header destination-id / body destinationId)');
  // the device's capabilities, when it declared them (a message without the header says nothing about
  // them, so the host keeps what it knew): the host stores them on the contact and sends rich content natively
  const metadata: Record<string, unknown> = h['capability-list'] !== undefined ? { capabilities: parseCapabilityList(h['capability-list']) } : {};
  if (h['device-agent']) metadata.deviceAgent = h['device-agent'];
  for (const key of ['locale', 'intent', 'group'] as const) {
    const v = optString(body, key);
    if (v !== undefined) metadata[key] = v;
  }
  return { id, userId, accountId, metadata };
}

/**
 * Parses a verified Apple webhook.
 * @param req - the raw webhook (body possibly gzip)
 * @param now - arrival time (Apple's payload carries no timestamp)
 * @returns the events
 * @throws MalformedPayloadError on a body that is not Apple's JSON
 */
export function parseAppleWebhook(req: RawWebhook, now: Date): InboundEvent[] {
  const body = parseJsonObject(decodeAppleBody(req));
  const type = optString(body, 'type');
  if (type === undefined) throw new MalformedPayloadError('type must be a string');
  const env = envelope(req, body);
  const base = { channel: 'apple', accountId: env.accountId, userId: env.userId, timestamp: now } as const;
  switch (type) {
    case 'typing_start':
    case 'typing_end':
      // Apple sends the capability list on every request: a typing indicator may be the first to declare it
      return [{ kind: 'typing', ...base, active: type === 'typing_start', eventId: env.id, ...(env.metadata.capabilities ? { metadata: { capabilities: env.metadata.capabilities } } : {}) }];
    case 'close':
      return [{ kind: 'closed', ...base, eventId: env.id }];
    case 'text': return textEvents(body, env, base);
    case 'interactive': return [interactiveEvent(body, env, base)];
    default:
      return [{ kind: 'unsupported', channel: 'apple', accountId: env.accountId, userId: env.userId, reason: `Apple message type "${type}"`, timestamp: now, eventId: env.id }];
  }
}

type Base = { channel: 'apple'; accountId: string; userId: string; timestamp: Date };

function textEvents(body: JsonObject, env: Envelope, base: Base): InboundEvent[] {
  const raw = optString(body, 'body') ?? '';
  const text = raw.split(ATTACHMENT_PLACEHOLDER).join('').trim();
  const attachments = optArray(body, 'attachments');
  const events: InboundEvent[] = [];
  if (attachments.length === 0) {
    if (raw === '') throw new MalformedPayloadError('text message without body or attachments');
    events.push({ kind: 'message', ...base, externalId: env.id, content: { type: 'text', text: raw }, metadata: env.metadata });
  }
  attachments.forEach((a, i) => {
    if (!isObject(a)) throw new MalformedPayloadError(`attachments[${i}] must be an object`);
    const path = `attachments[${i}].`;
    const url = optString(a, 'url', path);
    const key = optString(a, 'key', path);
    if (!url || !key) throw new MalformedPayloadError(`${path}url and key are required`);
    const mimeType = optString(a, 'mimeType', path) ?? 'application/octet-stream';
    const name = optString(a, 'name', path);
    const sizeRaw = a.size;
    const size = typeof sizeRaw === 'number' ? sizeRaw : typeof sizeRaw === 'string' && /^\d+$/.test(sizeRaw) ? Number(sizeRaw) : undefined;
    const kind = mediaKindOf(mimeType);
    const content: Content = {
      type: kind,
      media: {
        url, mimeType, ...(name ? { filename: name } : {}), ...(size !== undefined ? { size } : {}), ...(i === 0 && text ? { caption: text } : {}),
        // the file stays encrypted in Apple's MMCS: downloading it later takes the owner, the key and the signature
        encryption: attachmentEncryption(a, key, path),
      },
    };
    events.push({ kind: 'message', ...base, externalId: i === 0 ? env.id : `${env.id}:${i}`, content, metadata: { ...env.metadata, attachment: a } });
  });
  if (text.toLowerCase() === 'subscribe') {
    // Apple: notifications and marketing only after the customer sends "subscribe"
    for (const purpose of ['transactional', 'marketing'] as const) {
      events.push({ kind: 'consent', ...base, action: 'subscribed', purpose, detail: `customer sent "${text}"`, eventId: `${env.id}:subscribe:${purpose}` });
    }
  }
  return events;
}

/**
 * An attachment's download details as Apple gives them: MMCS `owner`, the decryption `key` (hex,
 * `00`-prefixed, AES-256-CTR with a zero IV) and the checksum, which attachments carry Base64
 * in `signature-base64` (a `signature` in hex is kept as hex).
 */
function attachmentEncryption(a: JsonObject, key: string, path: string): MediaEncryption {
  const owner = optString(a, 'owner', path);
  const base64 = optString(a, 'signature-base64', path);
  const other = base64 === undefined ? optString(a, 'signature', path) : undefined;
  const signature = base64 ?? other;
  const encoding = base64 !== undefined ? 'base64' : other !== undefined && /^[0-9a-f]+$/i.test(other) ? 'hex' : undefined;
  return {
    decryptionKey: key, algorithm: 'aes-256-ctr',
    ...(owner ? { owner } : {}), ...(signature ? { signature } : {}), ...(encoding ? { signatureEncoding: encoding } : {}),
  };
}

function interactiveEvent(body: JsonObject, env: Envelope, base: Base): MessageEvent | InboundEvent {
  const ref = body.interactiveDataRef;
  if (isObject(ref)) {
    for (const key of ['url', 'owner', 'key'] as const) {
      if (typeof ref[key] !== 'string' || ref[key] === '') throw new MalformedPayloadError(`interactiveDataRef.${key} must be a string`);
    }
    const title = optString(ref, 'title', 'interactiveDataRef.') ?? 'Interactive message';
    return {
      kind: 'message', ...base, externalId: env.id, content: { type: 'text', text: title },
      metadata: { ...env.metadata, interactiveDataRef: ref, interactiveDataPending: true },
    };
  }
  if (body.interactiveData === undefined) throw new MalformedPayloadError('interactive message without interactiveData or interactiveDataRef');
  const content = interactiveDataToContent(body.interactiveData);
  const data = isObject(body.interactiveData) && isObject(body.interactiveData.data) ? body.interactiveData.data : undefined;
  if (!content) {
    const bid = isObject(body.interactiveData) ? optString(body.interactiveData, 'bid') : undefined;
    return { kind: 'unsupported', channel: 'apple', accountId: env.accountId, userId: env.userId, reason: `interactive message from extension ${bid ?? 'unknown'}`, timestamp: base.timestamp, eventId: env.id };
  }
  const requestIdentifier = data ? str(data, 'requestIdentifier') : undefined;
  return {
    kind: 'message', ...base, externalId: env.id, content,
    metadata: { ...env.metadata, ...(requestIdentifier ? { requestIdentifier } : {}) },
  };
}

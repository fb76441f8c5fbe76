/**
 * Pure rendering of outbound messages into Apple MSP `/message` requests.
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, contentToText, degradeInteractiveToText, interactiveOptions,
  isObject, renderTemplateText, splitText,
  type Content, type InteractiveContent, type MediaContent, type OutboundMessage, type ProviderRequest, type RichContent,
} from '@switchboard/core';
import type { AppleConfig } from './config.js';
import { attachmentKeyHex, messageUuid, parseAttachmentKey, signatureBase64 } from './apple-crypto.js';
import {
  APPLE_BID, type AppleAttachmentDescriptor, type AppleAuthPayload, type AppleBubble, type AppleCapabilityToken, type AppleFormPayload, type AppleListPickerPayload,
  type ApplePayPayload, type AppleRichLinkPayload, type AppleTimePickerPayload,
} from './apple-payloads.js';
import { APPLE_TEXT_MAX } from './policy.js';

/** Object replacement character: Apple's placeholder for an attachment in `body`. */
export const ATTACHMENT_PLACEHOLDER = '\uFFFC';

/** Quick replies take 2 to 5 options (Apple quick reply message). */
const QUICK_REPLY_MIN = 2;
const QUICK_REPLY_MAX = 5;

/** What rendering needs besides the message. */
export interface RenderContext {
  config: AppleConfig;
  /** The signed bearer token for the outbound request. */
  token: string;
}

/**
 * Whether the device's capability list carries a token (case-insensitive, as Apple specifies).
 * @param capabilities - `OutboundMessage.recipientCapabilities`
 * @param tokens - any of these suffices
 */
export function hasCapability(capabilities: readonly string[] | undefined, ...tokens: AppleCapabilityToken[]): boolean {
  if (!capabilities) return false;
  const have = new Set(capabilities.map((c) => c.trim().toUpperCase()));
  return tokens.some((t) => have.has(t));
}

/**
 * Renders a message. Media with an Apple reference (`media.encryption` and `media.url`, as an
 * earlier upload's `SendResult.media` gave it) renders the complete attachment descriptor. Media
 * to upload (`msg.file`, or `media.url` to fetch) renders a descriptor with only `name` and
 * `mimeType`: `send` encrypts and uploads the file (preUpload → MMCS upload) and completes `url`,
 * `owner`, `key`, `size` and `signature-base64` before posting.
 * @param msg - the outbound message
 * @param ctx - config and token
 * @returns the request(s)
 * @throws ContentUnsupportedError for reactions; ContentInvalidError for media with neither a file, a reference nor a URL
 */
export function renderApple(msg: OutboundMessage, ctx: RenderContext): ProviderRequest {
  const c = msg.content;
  switch (c.type) {
    case 'text': return textRequests(msg, ctx, c.text, 'native');
    case 'image': case 'video': case 'audio': case 'document': case 'sticker': return mediaRequest(msg, ctx, c);
    case 'location': {
      const q = encodeURIComponent(c.name ?? 'Location');
      const text = [c.name, c.address, `https://maps.apple.com/?ll=${c.latitude},${c.longitude}&q=${q}`].filter(Boolean).join('\n');
      return textRequests(msg, ctx, text, 'degraded', 'location as text with an Apple Maps link');
    }
    case 'contacts': return textRequests(msg, ctx, contentToText(c), 'degraded', 'contact cards as text');
    case 'reply': return textRequests(msg, ctx, c.title, 'degraded', 'choice as text');
    case 'reaction': throw new ContentUnsupportedError('Apple Messages for Business has no business-sent reactions (tapbacks)');
    case 'template': return textRequests(msg, ctx, renderTemplateText(c), 'degraded', 'templates do not exist on Apple: sent as text');
    case 'interactive': return interactiveRequest(msg, ctx, c);
    case 'rich': return richRequest(msg, ctx, c);
  }
}

function headers(msg: OutboundMessage, ctx: RenderContext, id: string): Record<string, string> {
  return {
    authorization: `Bearer ${ctx.token}`,
    'content-type': 'application/json',
    id,
    'source-id': ctx.config.businessId,
    'destination-id': msg.to.userId,
    ...(msg.sender === 'bot' ? { 'auto-reply': 'true' } : {}),
  };
}

function request(msg: OutboundMessage, ctx: RenderContext, part: number, fields: Record<string, unknown>): ProviderRequest {
  const id = messageUuid(msg.id, part);
  return {
    method: 'POST',
    url: `${ctx.config.apiBaseUrl}/message`,
    headers: headers(msg, ctx, id),
    body: { v: 1, id, sourceId: ctx.config.businessId, destinationId: msg.to.userId, ...fields },
  };
}

function textRequests(msg: OutboundMessage, ctx: RenderContext, text: string, form: 'native' | 'degraded', note?: string): ProviderRequest {
  if (text.trim() === '') throw new ContentInvalidError('Apple requires a non-empty body for text messages');
  const parts = splitText(text, APPLE_TEXT_MAX);
  const requests = parts.map((p, i) => request(msg, ctx, i, { type: 'text', body: p }));
  const [first, ...rest] = requests as [ProviderRequest, ...ProviderRequest[]];
  return {
    ...first,
    ...(rest.length ? { followUps: rest } : {}),
    rendering: { form, parts: parts.length, ...(note ? { note } : {}) },
  };
}

const EXT_MIME: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', heic: 'image/heic', webp: 'image/webp',
  mp4: 'video/mp4', mov: 'video/quicktime', m4a: 'audio/mp4', mp3: 'audio/mpeg', caf: 'audio/x-caf',
  pdf: 'application/pdf', pkpass: 'application/vnd.apple.pkpass', ics: 'text/calendar', usdz: 'model/vnd.usdz+zip',
};

function mediaName(c: MediaContent, msg: OutboundMessage, mimeType: string, pathName: string): string {
  const { media } = c;
  if (media.filename) return media.filename;
  if (msg.file?.filename) return msg.file.filename;
  if (pathName !== '') return decodeURIComponent(pathName);
  return `${c.type === 'sticker' ? 'image' : c.type}.${mimeType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin'}`;
}

/** The descriptor of a file Apple already holds (a reference from an earlier upload's `SendResult.media`). */
function referencedDescriptor(media: MediaContent['media'], name: string, mimeType: string): AppleAttachmentDescriptor {
  const enc = media.encryption!;
  if (!media.url || !enc.owner || !enc.signature || media.size === undefined) {
    throw new ContentInvalidError('an Apple attachment reference needs media.url, media.size and encryption.owner, decryptionKey and signature');
  }
  let key: Buffer;
  try {
    key = parseAttachmentKey(enc.decryptionKey);
  } catch (cause) {
    throw new ContentInvalidError('the attachment reference\'s decryptionKey is not 00 + 32 bytes of hex', { cause });
  }
  return {
    name, mimeType, size: media.size, 'signature-base64': signatureBase64(enc.signature, enc.signatureEncoding),
    url: media.url, owner: enc.owner, key: attachmentKeyHex(key),
  };
}

function mediaRequest(msg: OutboundMessage, ctx: RenderContext, c: MediaContent): ProviderRequest {
  const { media } = c;
  const byFile = msg.file !== undefined;
  const byReference = !byFile && media.encryption !== undefined;
  if (!byFile && !byReference && !media.url) {
    throw new ContentInvalidError('Apple attachments need the file (OutboundMessage.file), an Apple reference (media.url with media.encryption) or media.url (http(s) or data:) to encrypt and upload');
  }
  const url = byFile ? undefined : media.url;
  const dataMime = url ? /^data:([^;,]+)/.exec(url)?.[1] : undefined;
  const pathName = !url || url.startsWith('data:') || byReference ? '' : (() => { try { return new URL(url).pathname.split('/').pop() ?? ''; } catch { return ''; } })();
  const ext = (media.filename ?? msg.file?.filename ?? pathName).split('.').pop()?.toLowerCase() ?? '';
  const mimeType = media.mimeType ?? msg.file?.contentType ?? dataMime ?? EXT_MIME[ext] ?? 'application/octet-stream';
  const name = mediaName(c, msg, mimeType, pathName);
  const attachment = byReference ? referencedDescriptor(media, name, mimeType) : { name, mimeType };
  const first = request(msg, ctx, 0, { type: 'text', body: ATTACHMENT_PLACEHOLDER, attachments: [attachment] });
  const followUps: ProviderRequest[] = [];
  if (media.caption && media.caption.trim() !== '') {
    splitText(media.caption, APPLE_TEXT_MAX).forEach((part, i) => followUps.push(request(msg, ctx, 1 + i, { type: 'text', body: part })));
  }
  const how = byReference
    ? 'attachment sent by its Apple reference (MMCS url, owner, key, signature), nothing uploaded'
    : 'attachment encrypted and uploaded by send() (preUpload, MMCS upload) before posting';
  const note = `${how}${c.type === 'sticker' ? '; sticker sent as an image' : ''}${followUps.length ? '; caption sent as a following text' : ''}`;
  return {
    ...first,
    ...(followUps.length ? { followUps } : {}),
    rendering: { form: c.type === 'sticker' ? 'degraded' : 'native', parts: 1 + followUps.length, note },
  };
}

function requestIdentifier(msg: OutboundMessage): string {
  return messageUuid(`${msg.id}:request`, 0);
}

function bubble(b: AppleBubble): Record<string, unknown> {
  return { title: b.title, ...(b.subtitle ? { subtitle: b.subtitle } : {}), ...(b.imageIdentifier ? { imageIdentifier: b.imageIdentifier } : {}), style: b.style ?? 'icon' };
}

function interactive(msg: OutboundMessage, ctx: RenderContext, data: Record<string, unknown>, received?: AppleBubble, reply?: AppleBubble): ProviderRequest {
  const interactiveData: Record<string, unknown> = {
    bid: APPLE_BID,
    data: { version: '1.0', requestIdentifier: requestIdentifier(msg), ...data },
    ...(received ? { receivedMessage: bubble(received) } : {}),
    ...(reply ?? received ? { replyMessage: bubble(reply ?? received!) } : {}),
  };
  return { ...request(msg, ctx, 0, { type: 'interactive', interactiveData }), rendering: { form: 'native', parts: 1 } };
}

function interactiveRequest(msg: OutboundMessage, ctx: RenderContext, c: InteractiveContent): ProviderRequest {
  const options = interactiveOptions(c);
  const quick = [...(c.buttons ?? []), ...(c.quickReplies ?? [])];
  if (!c.list && options.length >= QUICK_REPLY_MIN && options.length <= QUICK_REPLY_MAX && quick.every((o) => !('url' in o && o.url))
    && hasCapability(msg.recipientCapabilities, 'QUICK')) {
    return interactive(msg, ctx, {
      'quick-reply': { summaryText: [c.header, c.body].filter(Boolean).join('\n'), items: options.map((o) => ({ identifier: o.id, title: o.title })) },
    });
  }
  if (options.length > 0 && hasCapability(msg.recipientCapabilities, 'LIST')) {
    const sections = c.list
      ? c.list.sections.map((s) => ({ title: s.title, items: s.rows }))
      : [{ title: undefined, items: options }];
    return interactive(msg, ctx, {
      listPicker: {
        sections: sections.map((s, order) => ({
          order, ...(s.title ? { title: s.title } : {}), multipleSelection: false,
          items: s.items.map((it, i) => ({ identifier: it.id, order: i, style: 'default', title: it.title, ...(it.description ? { subtitle: it.description } : {}) })),
        })),
      },
    }, { title: c.body, ...(c.footer ? { subtitle: c.footer } : {}) }, { title: c.list?.button ?? c.body });
  }
  return textRequests(msg, ctx, degradeInteractiveToText(c), 'degraded', 'device lacks QUICK/LIST (or options do not fit): numbered text list');
}

function isBubble(v: unknown): v is AppleBubble {
  return isObject(v) && typeof v.title === 'string' && v.title !== '';
}

function requirePayload<T>(c: RichContent, check: (p: Record<string, unknown>) => boolean, what: string): T {
  if (!isObject(c.payload) || !check(c.payload)) throw new ContentInvalidError(`rich ${c.kind} payload must have ${what} (see the @switchboard/apple README)`);
  return c.payload as T;
}

function richRequest(msg: OutboundMessage, ctx: RenderContext, c: RichContent): ProviderRequest {
  const caps = msg.recipientCapabilities;
  const degrade = (text: string, why: string): ProviderRequest => textRequests(msg, ctx, c.fallbackText ?? text, 'degraded', why);
  switch (c.kind) {
    case 'list-picker': {
      const p = requirePayload<AppleListPickerPayload>(c, (x) => isBubble(x.received) && Array.isArray(x.sections), 'received {title} and sections');
      const items = p.sections.flatMap((s) => s.items);
      if (!hasCapability(caps, 'LIST')) return degrade([p.received.title, ...items.map((it, i) => `${i + 1}. ${it.title}`)].join('\n'), 'device lacks LIST: numbered text list');
      return interactive(msg, ctx, {
        listPicker: {
          sections: p.sections.map((s, order) => ({
            order, ...(s.title ? { title: s.title } : {}), multipleSelection: s.multipleSelection ?? false,
            items: s.items.map((it, i) => ({ identifier: it.id, order: i, style: 'default', title: it.title, ...(it.subtitle ? { subtitle: it.subtitle } : {}), ...(it.imageIdentifier ? { imageIdentifier: it.imageIdentifier } : {}) })),
          })),
        },
        ...(p.images ? { images: p.images } : {}),
      }, p.received, p.reply);
    }
    case 'time-picker': {
      const p = requirePayload<AppleTimePickerPayload>(c, (x) => isBubble(x.received) && isObject(x.event) && Array.isArray(x.event.timeslots), 'received {title} and event.timeslots');
      if (!hasCapability(caps, 'TIME')) {
        const lines = p.event.timeslots.map((t, i) => `${i + 1}. ${t.startTime} (${Math.round(t.duration / 60)} min)`);
        return degrade([p.received.title, ...lines].join('\n'), 'device lacks TIME: numbered list of slots');
      }
      return interactive(msg, ctx, {
        event: {
          identifier: p.event.identifier ?? requestIdentifier(msg), title: p.event.title,
          ...(p.event.timezoneOffset !== undefined ? { timezoneOffset: p.event.timezoneOffset } : {}),
          ...(p.event.location ? { location: p.event.location } : {}),
          timeslots: p.event.timeslots.map((t) => ({ identifier: t.id, startTime: t.startTime, duration: t.duration })),
        },
        ...(p.images ? { images: p.images } : {}),
      }, p.received, p.reply);
    }
    case 'payment': {
      // Apple Pay needs no capability token: common-specs says every device supports it
      const p = requirePayload<ApplePayPayload>(c, (x) => isBubble(x.received) && isObject(x.payment), 'received {title} and payment');
      return interactive(msg, ctx, { payment: p.payment, ...(p.images ? { images: p.images } : {}) }, p.received, p.reply);
    }
    case 'auth': {
      const p = requirePayload<AppleAuthPayload>(c, (x) => isBubble(x.received) && isObject(x.oauth2), 'received {title} and oauth2');
      if (!hasCapability(caps, 'AUTH', 'AUTH2')) return degrade(p.received.title, 'device lacks AUTH/AUTH2: text (fallbackText should carry a sign-in link)');
      return interactive(msg, ctx, { authenticate: { oauth2: p.oauth2 }, ...(p.images ? { images: p.images } : {}) }, p.received, p.reply);
    }
    case 'form': {
      const p = requirePayload<AppleFormPayload>(c, (x) => isBubble(x.received) && isObject(x.form), 'received {title} and form');
      if (!hasCapability(caps, 'FORM')) return degrade(p.received.title, 'device lacks FORM: text (fallbackText should carry a web form link)');
      return interactive(msg, ctx, { dynamic: { version: '1.1', template: 'form', data: p.form }, ...(p.images ? { images: p.images } : {}) }, p.received, p.reply);
    }
    case 'rich-link': {
      const p = requirePayload<AppleRichLinkPayload>(c, (x) => typeof x.url === 'string' && typeof x.title === 'string', 'url and title');
      const assets: Record<string, unknown> = {};
      if (p.image) assets.image = p.image;
      if (p.video) assets.video = p.video;
      return {
        ...request(msg, ctx, 0, { type: 'richLink', richLinkData: { url: p.url, title: p.title, ...(Object.keys(assets).length ? { assets } : {}) } }),
        rendering: { form: 'native', parts: 1 },
      };
    }
    case 'carousel':
      return degrade(contentToText(c as Content), 'Apple has no carousel: text');
  }
}

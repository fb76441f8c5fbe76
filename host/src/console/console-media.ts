/**
 * Files in the agent console: how a message's media is shown to an agent, and what an agent may
 * attach to a reply.
 *
 * A message leaves the console API with its media *presented*: a file the host stores gets a
 * short-lived signed URL (`/media/:id?tenant=…&exp=…&sig=…`, relative to the console's own origin)
 * and a `view` that says how to show it — a picture in place, a player for audio and video, a
 * download link for anything else; a file still being fetched, refused, failed or quarantined says
 * so with the reason, and a quarantined file never gets a link. The platform's own URL and Apple's
 * decryption key never reach the browser, nor does any API key or long-lived URL.
 * @module
 */
import type { MediaKind, MediaRef } from '@switchboard/core';
import { z } from 'zod';
import type { MediaRecord, MediaStore, MediaUrls } from '../media/media-store.js';
import { mimeEssence } from '../media/media-policy.js';

/** How long a signed URL the console hands out works, by default: 15 minutes. */
export const DEFAULT_CONSOLE_MEDIA_URL_TTL_MS = 15 * 60 * 1000;

const MEDIA_TYPES: ReadonlySet<string> = new Set<MediaKind>(['image', 'video', 'audio', 'document', 'sticker']);

/**
 * Picture types shown in place: those the media route serves inline and browsers decode. SVG
 * (scriptable) is never among them; HEIC is offered for download where a browser cannot show it.
 */
const INLINE_IMAGE = /^image\/(jpeg|png|gif|webp|avif|heic|heif|bmp)$/;

/** How the console shows one message's file. */
export type ConsoleMediaView =
  /**
   * The host keeps the file: `url` is a signed link valid for `expiresInMs` from the answer (on the
   * host clock — the browser counts from when it received it); `display` says how to show it.
   */
  | {
    state: 'stored';
    display: 'image' | 'video' | 'audio' | 'file';
    storedId: string;
    url: string;
    expiresInMs: number;
    /** The type found in the file's bytes. */
    contentType: string;
    size: number;
    filename?: string;
    /** Text for a picture's `alt` (the caption, else the file name, else what it is). */
    alt: string;
  }
  /** The host is still fetching the file from the platform. */
  | { state: 'pending' }
  /** The file broke the tenant's limits (`refused`), or the platform would not give it (`failed`). */
  | { state: 'refused' | 'failed'; reason: string }
  /** The tenant's scanner rejected the file: kept but never served, so no link. */
  | { state: 'quarantined'; reason: string }
  /** The host kept the file once but no longer has it (erased, retention, deleted). */
  | { state: 'missing'; reason: string }
  /** The host keeps no copy: the platform's reference only (a connector without media download). */
  | { state: 'not-stored'; reason: string };

/** A message's media as the console API answers it: no platform URL, no encryption, plus its view. */
export type ConsoleMediaRef = Omit<MediaRef, 'url' | 'encryption'> & { view: ConsoleMediaView };

/** What presenting needs: the tenant's records, the signed URLs, and how long they last. */
export interface ConsoleMediaDeps {
  store: Pick<MediaStore, 'get'>;
  urls: Pick<MediaUrls, 'signedUrl'>;
  /** Life of each signed URL (default {@link DEFAULT_CONSOLE_MEDIA_URL_TTL_MS}). */
  ttlMs?: number;
}

/** The parts of a message presenting looks at. */
interface MessageLike {
  direction?: string;
  content: { type: string };
  /** The message store's mark of a file still to fetch (set before the fetcher records `pending`). */
  mediaPending?: boolean;
}

const isMediaContent = (content: { type: string }): content is { type: MediaKind; media: MediaRef } =>
  MEDIA_TYPES.has(content.type) && typeof (content as { media?: unknown }).media === 'object' && (content as { media?: unknown }).media !== null;

/**
 * A media reference without what the browser must not see: the platform's URL (which may need the
 * platform's token, and outlives nothing the console controls) and the encryption details (Apple's
 * decryption key).
 * @param media - the stored reference
 * @returns the reference without `url` and `encryption`
 */
export function redactMedia(media: MediaRef): Omit<MediaRef, 'url' | 'encryption'> {
  const { url: _url, encryption: _encryption, ...rest } = media;
  return rest;
}

/**
 * A message for the console's event stream: its media redacted as {@link redactMedia} does (the
 * stream carries ids the views reload by, never a link).
 * @param message - a message as a stream notice carries it (any shape)
 * @returns the message with its media redacted; anything else unchanged
 */
export function redactMessageMedia(message: unknown): unknown {
  if (message === null || typeof message !== 'object') return message;
  const content = (message as { content?: unknown }).content;
  if (content === null || typeof content !== 'object' || !isMediaContent(content as { type: string })) return message;
  const media = (content as { media: MediaRef }).media;
  return { ...message, content: { ...content, media: redactMedia(media) } };
}

/** Whether a browser shows a picture of this type in place. */
function inlinePicture(contentType: string): boolean {
  return INLINE_IMAGE.test(mimeEssence(contentType));
}

/**
 * How to show a stored file: a picture or a sticker in place, audio and video in the browser's
 * player, when the bytes are of that family; anything else (a document, a picture sent as a file,
 * a type the browser cannot show) as a download.
 * @param kind - what the message sent it as
 * @param contentType - the type found in the bytes
 * @returns the display
 */
export function displayOf(kind: MediaKind, contentType: string): 'image' | 'video' | 'audio' | 'file' {
  const type = mimeEssence(contentType);
  if ((kind === 'image' || kind === 'sticker') && inlinePicture(type)) return 'image';
  if (kind === 'video' && type.startsWith('video/')) return 'video';
  if (kind === 'audio' && type.startsWith('audio/')) return 'audio';
  return 'file';
}

/**
 * A link relative to the host, so the browser asks the very origin that served the console (the
 * host's `publicUrl` may name another one) and the console's CSP can stay `'self'`.
 * @param url - an absolute or relative URL
 * @returns its path and query
 */
export function sameOriginPath(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** Text for a picture's `alt`: what the customer wrote with it, else its name, else what it is. */
function altOf(kind: MediaKind, media: MediaRef, record: MediaRecord | undefined, direction: string | undefined): string {
  const caption = media.caption?.trim();
  if (caption) return caption;
  const name = (media.filename ?? record?.filename)?.trim();
  if (name) return name;
  const what = kind === 'sticker' ? 'Sticker' : kind === 'image' ? 'Picture' : kind === 'video' ? 'Video' : kind === 'audio' ? 'Audio' : 'File';
  return direction === 'inbound' ? `${what} from the customer` : `${what} sent to the customer`;
}

/**
 * The view of one media reference.
 * @param tenantId - the agent's tenant (files of another tenant are never found)
 * @param kind - the content type the message carries
 * @param media - its reference
 * @param direction - the message's direction (for the alt text)
 * @param deps - records, URLs, life of a URL
 * @param records - records read for this answer, by id (a file sent twice is read once)
 * @param toFetch - the message store marks the message's file as still to fetch (`mediaPending`)
 * @returns how the console shows it
 */
export async function mediaView(
  tenantId: string, kind: MediaKind, media: MediaRef, direction: string | undefined, deps: ConsoleMediaDeps,
  records: Map<string, Promise<MediaRecord | undefined>> = new Map(), toFetch = false,
): Promise<ConsoleMediaView> {
  // just stored, its fetch not yet recorded: it is being fetched all the same
  if (toFetch && media.storeState === undefined && media.storedId === undefined) return { state: 'pending' };
  switch (media.storeState) {
    case 'pending': return { state: 'pending' };
    case 'refused': return { state: 'refused', reason: media.storeNote ?? 'the file broke this organisation\'s limits for files' };
    case 'failed': return { state: 'failed', reason: media.storeNote ?? 'the platform did not hand the file over' };
    case 'quarantined': return { state: 'quarantined', reason: media.storeNote ?? 'the virus scanner rejected the file' };
    default: break;
  }
  const id = media.storedId;
  if (id === undefined) {
    return { state: 'not-stored', reason: 'the host keeps no copy of this file (the platform\'s reference only)' };
  }
  let pending = records.get(id);
  if (!pending) { pending = deps.store.get(tenantId, id); records.set(id, pending); }
  const record = await pending;
  if (!record) return { state: 'missing', reason: 'the file is no longer kept (deleted or erased)' };
  if (record.quarantine) return { state: 'quarantined', reason: record.quarantine.reason };
  const ttl = deps.ttlMs ?? DEFAULT_CONSOLE_MEDIA_URL_TTL_MS;
  const filename = media.filename ?? record.filename;
  // the name ends the path, so a download is saved under it (the route serves it the same either way)
  const url = await deps.urls.signedUrl(tenantId, id, { ttlMs: ttl, ...(filename ? { filename } : {}) });
  return {
    state: 'stored', display: displayOf(kind, record.contentType), storedId: id, url: sameOriginPath(url), expiresInMs: ttl,
    contentType: record.contentType, size: record.size, ...(filename ? { filename } : {}),
    alt: altOf(kind, media, record, direction),
  };
}

/**
 * Presents a message for the console: its media (if any) without the platform's URL and encryption
 * details, with a {@link ConsoleMediaView}; the store's `mediaPending` bookkeeping left out. Other
 * content is returned as it is.
 * @param tenantId - the agent's tenant
 * @param message - a stored message (any extra fields are kept)
 * @param deps - records, URLs, life of a URL
 * @param records - records read for this answer, shared across its messages
 * @returns the message as the console shows it
 */
export async function presentConsoleMessage<M extends MessageLike>(
  tenantId: string, message: M, deps: ConsoleMediaDeps, records: Map<string, Promise<MediaRecord | undefined>> = new Map(),
): Promise<Omit<M, 'mediaPending'>> {
  const { mediaPending, ...rest } = message;
  const content = message.content;
  if (!isMediaContent(content)) return mediaPending === undefined ? message : rest;
  const view = await mediaView(tenantId, content.type, content.media, message.direction, deps, records, mediaPending === true);
  const media: ConsoleMediaRef = { ...redactMedia(content.media), view };
  return { ...rest, content: { ...content, media } };
}

/**
 * Presents a list of messages (one history), reading each stored file's record once.
 * @param tenantId - the agent's tenant
 * @param messages - the messages
 * @param deps - records, URLs, life of a URL
 * @returns them as the console shows them, in the same order
 */
export async function presentConsoleMessages<M extends MessageLike>(tenantId: string, messages: readonly M[], deps: ConsoleMediaDeps): Promise<Omit<M, 'mediaPending'>[]> {
  const records = new Map<string, Promise<MediaRecord | undefined>>();
  return Promise.all(messages.map((m) => presentConsoleMessage(tenantId, m, deps, records)));
}

/** What an agent may send as a file: the message kinds, and `auto` for the kind the upload found. */
const SEND_AS = ['auto', 'image', 'video', 'audio', 'document'] as const;

/**
 * `POST /console/api/conversations/:id/{evaluate,messages}` with a file: `{ kind: 'media', storedId,
 * caption?, sendAs?, tag? }` — the file uploaded with `POST /console/api/conversations/:id/media`, sent as
 * the kind its bytes are (`auto`, the default) or as a document.
 */
export const ConsoleMediaDraftSchema = z.strictObject({
  kind: z.literal('media'),
  storedId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be the id of a file uploaded for this conversation'),
  caption: z.string().max(4_096, 'must be at most 4096 characters').optional(),
  sendAs: z.enum(SEND_AS).default('auto'),
  /** A message tag for outside the service window (Messenger's `HUMAN_AGENT`), as for text. */
  tag: z.string().min(1).max(64).optional(),
});

/** A parsed {@link ConsoleMediaDraftSchema}. */
export type ConsoleMediaDraft = z.output<typeof ConsoleMediaDraftSchema>;

/** The query of an upload: the file's name, and what it is meant to be sent as. */
export const ConsoleUploadQuerySchema = z.strictObject({
  filename: z.string().min(1).max(255).optional(),
  kind: z.enum(['image', 'video', 'audio', 'document']).optional(),
});

/**
 * The message kind a file is sent as.
 * @param record - the stored file
 * @param sendAs - what the agent chose
 * @returns `document` when asked for, else the kind found for the bytes (a sticker goes as an image)
 */
export function sendKindOf(record: Pick<MediaRecord, 'kind'>, sendAs: ConsoleMediaDraft['sendAs']): Exclude<MediaKind, 'sticker'> {
  if (sendAs !== 'auto') return sendAs;
  return record.kind === 'sticker' ? 'image' : record.kind;
}

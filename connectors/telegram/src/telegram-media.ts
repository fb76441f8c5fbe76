/**
 * Telegram's file rules, shared by the connector (render, send, download) and its fake: which send
 * method carries which file, the size limits of uploads and downloads, and how a broken-off
 * download's cause is kept free of the bot token (the byte counting is core's `meteredBody`).
 *
 * Sources (Bot API, https://core.telegram.org/bots/api): "Sending files" (upload by
 * multipart/form-data: photos 10 MB, other files 50 MB; by URL: photos 5 MB, other 20 MB; by
 * file_id: no limit, but "it is not possible to change the file type when resending by file_id"),
 * getFile ("bots can download files of up to 20MB in size"; the link is valid for at least one
 * hour, a new one is had by calling getFile again), sendVoice (OGG/OPUS, MP3 or M4A), sendAudio
 * (MP3 or M4A, shown in the music player), sendVideo (MPEG4), sendSticker (static .WEBP, animated
 * .TGS, video .WEBM).
 * @module
 */
import { isObject, type MediaKind } from '@switchboard/core';

const MB = 1024 * 1024;

/** Bots download files of up to 20 MB through getFile. */
export const TELEGRAM_DOWNLOAD_MAX_BYTES = 20 * MB;

/** Upload limits with multipart/form-data: photos 10 MB, every other file 50 MB. */
export const TELEGRAM_UPLOAD_MAX_BYTES = { photo: 10 * MB, other: 50 * MB } as const;

/** How long a getFile link is guaranteed to work. */
export const TELEGRAM_FILE_LINK_TTL_MS = 3_600_000;

/** A send method that carries a file, and the parameter holding it. */
export interface TelegramFileMethod {
  method: 'sendPhoto' | 'sendVideo' | 'sendAudio' | 'sendVoice' | 'sendDocument' | 'sendSticker';
  field: 'photo' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
}

/** MIME types Telegram shows as a voice note (what its clients record: Ogg with Opus). */
const VOICE_TYPES = new Set(['audio/ogg', 'audio/opus']);

/**
 * The base of a MIME type, lower-cased, without parameters (`audio/ogg; codecs=opus` → `audio/ogg`).
 * @param mimeType - a MIME type or undefined
 * @returns the base type, or undefined
 */
export function baseMimeType(mimeType: string | undefined): string | undefined {
  const base = mimeType?.split(';')[0]?.trim().toLowerCase();
  return base === undefined || base === '' ? undefined : base;
}

/**
 * The method that sends a media kind. Audio in Ogg (Opus) goes out as a voice note (`sendVoice`),
 * so that a voice note the customer recorded is answered in kind and a `file_id` Telegram gave for a
 * voice is resent with the method it belongs to; other audio is a track (`sendAudio`).
 * @param kind - the media kind
 * @param mimeType - the file's MIME type, when known
 * @returns method and file parameter
 */
export function fileMethodFor(kind: MediaKind, mimeType?: string): TelegramFileMethod {
  switch (kind) {
    case 'image': return { method: 'sendPhoto', field: 'photo' };
    case 'video': return { method: 'sendVideo', field: 'video' };
    case 'audio': return VOICE_TYPES.has(baseMimeType(mimeType) ?? '') ? { method: 'sendVoice', field: 'voice' } : { method: 'sendAudio', field: 'audio' };
    case 'document': return { method: 'sendDocument', field: 'document' };
    case 'sticker': return { method: 'sendSticker', field: 'sticker' };
  }
}

/**
 * The most bytes one upload with a method may carry.
 * @param method - the send method
 * @returns 10 MB for photos, 50 MB otherwise
 */
export function uploadLimitFor(method: TelegramFileMethod['method']): number {
  return method === 'sendPhoto' ? TELEGRAM_UPLOAD_MAX_BYTES.photo : TELEGRAM_UPLOAD_MAX_BYTES.other;
}

/** The `file_id` of the file a sent Message carries (for a photo, its largest size), if any. */
export function sentFileId(message: unknown): string | undefined {
  if (!isObject(message)) return undefined;
  if (Array.isArray(message.photo)) {
    let best: { id: string; rank: number } | undefined;
    for (const size of message.photo) {
      if (!isObject(size) || typeof size.file_id !== 'string') continue;
      const area = (typeof size.width === 'number' ? size.width : 0) * (typeof size.height === 'number' ? size.height : 0);
      const rank = area > 0 ? area : typeof size.file_size === 'number' ? size.file_size : 0;
      if (!best || rank >= best.rank) best = { id: size.file_id, rank };
    }
    return best?.id;
  }
  for (const field of ['video', 'animation', 'audio', 'voice', 'video_note', 'document', 'sticker']) {
    const file = message[field];
    if (isObject(file) && typeof file.file_id === 'string') return file.file_id;
  }
  return undefined;
}

/** File extensions for the MIME types a host sends most, for the name of an upload that has none. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'video/mp4': 'mp4', 'video/webm': 'webm',
  'audio/ogg': 'ogg', 'audio/opus': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/x-m4a': 'm4a', 'application/pdf': 'pdf',
  'application/x-tgsticker': 'tgs',
};

/**
 * The file name an upload goes out with: the given one, else the kind and an extension from the type.
 * @param kind - the media kind
 * @param mimeType - the file's MIME type
 * @param given - the name the host gave, if any
 * @returns a file name (Telegram shows it for documents and audio)
 */
export function uploadFileName(kind: MediaKind, mimeType: string | undefined, given?: string): string {
  const name = given?.replace(/[\r\n"\\/]/g, '_').trim();
  if (name) return name.slice(0, 255);
  return `${kind}.${EXTENSIONS[baseMimeType(mimeType) ?? ''] ?? 'bin'}`;
}

/**
 * Replaces every occurrence of a secret in a text (a bot token in an error message that quotes a URL).
 * @param text - the text
 * @param secret - what to hide
 * @returns the text with `[redacted]` instead
 */
export function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}

/**
 * What a download that broke off keeps as its cause (see `meteredBody`'s `sanitizeCause`): the
 * error's name and message with the bot token replaced, never its cause chain, which may quote the
 * file URL `/file/bot<token>/…`.
 * @param error - what the body's stream failed with
 * @param botToken - the secret to keep out
 * @returns a new error, safe to log
 */
export function sanitizedCause(error: unknown, botToken: string): Error {
  const e = new Error(redact(error instanceof Error ? error.message : 'unknown error', botToken));
  e.name = error instanceof Error ? error.name : 'Error';
  return e;
}

/**
 * What the media store lets in: per-kind size limits and allowed types (the host's defaults, a
 * tenant's own), the type of a file as its bytes show it (`file-type`), and the tenant's virus
 * scanner hook.
 * @module
 */
import { Readable } from 'node:stream';
import type { MediaKind } from '@switchboard/core';
import { fileTypeFromBuffer, fileTypeFromStream } from 'file-type';

/** Every media kind. */
export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'];

/** Size limits and allowed types per kind. */
export interface MediaLimits {
  /** The largest file per kind, in bytes. */
  maxBytes: Record<MediaKind, number>;
  /**
   * MIME types allowed per kind, as found in the bytes: exact types (`image/png`, compared without
   * parameters) or a whole family (`image/*`).
   */
  allowedTypes: Record<MediaKind, readonly string[]>;
}

const MiB = 1024 * 1024;

/**
 * The host's default limits. Sizes: images 16 MiB, video 64 MiB, audio 16 MiB, documents 64 MiB,
 * stickers 1 MiB (above what the platforms deliver: WhatsApp documents 100 MB are the exception a
 * tenant raises on its own). Types: common photo, video and voice formats; documents in PDF, Office
 * and OpenDocument formats, RTF, plain text and CSV. Archives, executables and SVG (scriptable) are
 * refused unless a tenant allows them.
 */
export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxBytes: { image: 16 * MiB, video: 64 * MiB, audio: 16 * MiB, document: 64 * MiB, sticker: MiB },
  allowedTypes: {
    image: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/avif'],
    video: ['video/mp4', 'video/quicktime', 'video/3gpp', 'video/webm', 'video/x-m4v'],
    audio: ['audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/aac', 'audio/mp4', 'audio/x-m4a', 'audio/amr', 'audio/wav', 'audio/webm', 'audio/x-caf'],
    document: [
      'application/pdf', 'text/plain', 'text/csv', 'application/rtf',
      // Word, Excel and PowerPoint 97-2003 are compound files; the bytes do not say which
      'application/x-cfb',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.presentation',
    ],
    // Telegram's animated stickers are gzipped Lottie, its video stickers WebM
    sticker: ['image/webp', 'image/png', 'image/gif', 'video/webm', 'application/gzip'],
  },
};

/** A tenant's (or the host's) changes to the limits: the kinds it names replace the defaults. */
export interface MediaLimitsInput {
  maxBytes?: Partial<Record<MediaKind, number>>;
  allowedTypes?: Partial<Record<MediaKind, readonly string[]>>;
}

/**
 * Applies changes to limits.
 * @param base - the limits in force
 * @param changes - the kinds to change
 * @returns new limits
 */
export function mergeMediaLimits(base: MediaLimits, changes: MediaLimitsInput | undefined): MediaLimits {
  return {
    maxBytes: { ...base.maxBytes, ...changes?.maxBytes },
    allowedTypes: { ...base.allowedTypes, ...changes?.allowedTypes },
  };
}

/**
 * The MIME type without parameters, lower-cased (`audio/ogg; codecs=opus` → `audio/ogg`).
 * @param type - a MIME type
 * @returns its essence
 */
export function mimeEssence(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

/**
 * Whether a type is allowed for a kind.
 * @param limits - the limits in force
 * @param kind - the kind
 * @param contentType - the type found in the bytes
 * @returns true when listed (exactly, or by its family `x/*`)
 */
export function typeAllowed(limits: MediaLimits, kind: MediaKind, contentType: string): boolean {
  const essence = mimeEssence(contentType);
  const family = `${essence.split('/')[0]}/*`;
  return limits.allowedTypes[kind].some((t) => { const a = mimeEssence(t); return a === essence || a === family || a === '*/*'; });
}

/**
 * The kind a type is sent as when the caller does not say.
 * @param contentType - a MIME type
 * @returns image, video or audio by family; document otherwise
 */
export function kindOfType(contentType: string): MediaKind {
  const family = mimeEssence(contentType).split('/')[0];
  return family === 'image' ? 'image' : family === 'video' ? 'video' : family === 'audio' ? 'audio' : 'document';
}

/** How many leading bytes decide most types (file-type's own sample size). */
export const SNIFF_BYTES = 4100;

/** The type of bytes whose format is unknown. */
export const UNKNOWN_TYPE = 'application/octet-stream';

/**
 * The type the first bytes of a file show, early, to choose its size limit before it is all read.
 * {@link sniffStream} decides on the whole file.
 * @param head - the first bytes (up to {@link SNIFF_BYTES})
 * @returns the MIME type, or undefined when the head does not tell
 */
export async function sniffHead(head: Uint8Array): Promise<string | undefined> {
  return (await fileTypeFromBuffer(head))?.mime;
}

/**
 * The type of a file from its bytes: what `file-type` finds (it reads as far as the format needs:
 * the entries of a ZIP for Office documents); else plain text when the first bytes are UTF-8 text
 * (`text/csv` when the sender declared CSV); else {@link UNKNOWN_TYPE}. A declared type is never
 * believed over the bytes.
 * @param body - the file's bytes, from the start
 * @param head - the file's first bytes (up to {@link SNIFF_BYTES}), for the text check
 * @param declaredType - what the sender declared
 * @returns the MIME type
 */
export async function sniffStream(body: Readable, head: Uint8Array, declaredType?: string): Promise<string> {
  try {
    // file-type reads byte streams: a stream in object mode (one chunk per read) is wrapped
    const found = await fileTypeFromStream(body.readableObjectMode ? Readable.from(body, { objectMode: false }) : body);
    if (found) return found.mime;
  } finally {
    body.destroy();
  }
  if (head.length > 0 && looksLikeText(head)) return declaredType && mimeEssence(declaredType) === 'text/csv' ? 'text/csv' : 'text/plain';
  return UNKNOWN_TYPE;
}

/** UTF-8 (a multi-byte character may be cut at the end) without control characters other than white space. */
function looksLikeText(head: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/** What the tenant's scanner is given. */
export interface MediaScanInput {
  tenantId: string;
  /** The bytes, streamed from the blob store (read them to the end or destroy the stream). */
  body: Readable;
  /** The type found in the bytes. */
  contentType: string;
  size: number;
  kind: MediaKind;
  filename?: string;
}

/** A scanner's verdict. */
export type MediaScanVerdict = { verdict: 'clean' } | { verdict: 'reject'; reason: string };

/**
 * A virus scanner hook (ClamAV through `clamdscan`, a cloud scanner…): given the bytes of each new
 * file, says whether it is clean. A rejected file is kept in quarantine (its record marked, its
 * bytes never served); a scanner that throws fails the store (nothing kept; an inbound fetch is
 * retried later, an upload answered 503).
 */
export type MediaScanner = (input: MediaScanInput) => Promise<MediaScanVerdict>;

/**
 * The GDPR export as a zip: `manifest.json` (the JSON export, each file described with its path in
 * the zip) and the contact's files under `media/`, streamed from the media store one at a time —
 * never a whole file in memory, one file open at a time. A quarantined file is listed with the
 * scanner's reason and left out; so is a file whose bytes went away while the export was written.
 * @module
 */
import { finished, pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import type { MediaStore } from '../media/media-store.js';
import type { ContactMediaFile } from './contact-media.js';
import type { ContactExport } from './contact-privacy.js';

/** The zip's media type. */
export const ZIP_CONTENT_TYPE = 'application/zip';

/** `GET /v1/contacts/:id/export`: `format` chooses the answer (else the `Accept` header does; JSON by default). */
export const ContactExportQuerySchema = z.strictObject({
  format: z.enum(['json', 'zip']).optional(),
});

/** What the export answers. */
export type ContactExportFormat = 'json' | 'zip';

/**
 * The answer's format: `format` when the query gives it; else `zip` when the `Accept` header ranks
 * `application/zip` above `application/json` (or names only it); else JSON — also for a header that
 * names neither (the JSON export was the only answer before the zip, so such a client keeps it).
 * @param format - the query's `format`
 * @param accepts - Express's `req.accepts` (the preferred of the types given, or false)
 * @returns the format
 */
export function exportFormatOf(format: ContactExportFormat | undefined, accepts: (types: string[]) => string | false): ContactExportFormat {
  if (format) return format;
  return accepts(['application/json', ZIP_CONTENT_TYPE]) === ZIP_CONTENT_TYPE ? 'zip' : 'json';
}

/** A file as `manifest.json` lists it. */
export interface ManifestMediaFile extends ContactMediaFile {
  /** Where its bytes are in the zip (`media/<id>.<ext>`); absent when they are not included. */
  path?: string;
  /** Why its bytes are not included (quarantined, gone from the store). */
  excluded?: string;
}

/** `manifest.json`: the JSON export, with each file's place in the zip. */
export interface ContactExportManifest extends Omit<ContactExport, 'media'> {
  media: ManifestMediaFile[];
}

/** What {@link writeContactExportZip} wrote. */
export interface ContactExportZipSummary {
  /** Files whose bytes are in the zip. */
  files: number;
  /** Their bytes (as stored, before compression). */
  bytes: number;
  /** Files listed without their bytes. */
  excluded: number;
}

/** File name extensions by content type (the type the media store found in the bytes). */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/heic': 'heic', 'image/heif': 'heif',
  'image/avif': 'avif', 'image/bmp': 'bmp', 'image/tiff': 'tif', 'image/svg+xml': 'svg', 'image/x-icon': 'ico',
  'video/mp4': 'mp4', 'video/x-m4v': 'm4v', 'video/quicktime': 'mov', 'video/3gpp': '3gp', 'video/webm': 'webm', 'video/x-matroska': 'mkv', 'video/mpeg': 'mpeg',
  'audio/ogg': 'ogg', 'audio/opus': 'opus', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/amr': 'amr',
  'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/webm': 'weba', 'audio/flac': 'flac', 'audio/x-m4a': 'm4a', 'audio/x-caf': 'caf',
  'application/pdf': 'pdf', 'application/zip': 'zip', 'application/json': 'json', 'application/xml': 'xml', 'application/rtf': 'rtf',
  'application/msword': 'doc', 'application/x-cfb': 'cfb', 'application/vnd.ms-excel': 'xls', 'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt', 'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/epub+zip': 'epub', 'application/gzip': 'gz', 'application/x-7z-compressed': '7z', 'application/vnd.rar': 'rar',
  'text/plain': 'txt', 'text/csv': 'csv', 'text/html': 'html', 'text/calendar': 'ics', 'text/vcard': 'vcf',
};

const mediaTypeOf = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/**
 * Where a file's bytes go in the zip: `media/<id>.<ext>`, the extension from its content type
 * (`bin` when unknown). Only the id (a store id: letters, digits, `-`, `_`) and a fixed extension
 * enter the path, never a name a sender gave, so no entry can point outside its folder.
 * @param file - the file
 * @returns the path
 */
export function mediaPathOf(file: Pick<ContactMediaFile, 'id' | 'contentType'>): string {
  const id = file.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128) || '_';
  // an own property only: a type such as `constructor` must not find the object's prototype
  const type = mediaTypeOf(file.contentType);
  return `media/${id}.${Object.hasOwn(EXTENSIONS, type) ? EXTENSIONS[type] : 'bin'}`;
}

/** Whether deflating the bytes is worth it (pictures, sound, video and zip-based documents are compressed already). */
function compressible(contentType: string): boolean {
  const type = mediaTypeOf(contentType);
  if (/^(image|audio|video)\//.test(type) && type !== 'image/svg+xml' && type !== 'image/bmp' && type !== 'audio/wav' && type !== 'audio/x-wav') return false;
  return !/zip|openxmlformats|opendocument|gzip|7z|rar/.test(type);
}

/**
 * Writes the zip export to `out` and ends it. Files are read from the media store one after the
 * other as the zip takes them (backpressure from `out` reaches the store's stream); the manifest
 * goes last, once it is known which files made it in.
 *
 * On failure (the store's stream fails or yields other than the recorded size, or `out` is closed
 * early — the client went away) every stream is destroyed, `out` included, so a client never sees
 * a truncated zip as a whole one; the promise then rejects.
 * @param exported - the JSON export (its `media` lists the files)
 * @param media - the media store to read the bytes from
 * @param out - where the zip goes (an HTTP response)
 * @returns what was written
 */
export async function writeContactExportZip(exported: ContactExport, media: Pick<MediaStore, 'read'>, out: Writable): Promise<ContactExportZipSummary> {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  let failure: unknown;
  let current: Readable | undefined;
  const fail = (error: unknown): void => {
    failure ??= error ?? new Error('the zip export failed');
    current?.destroy();
    output.destroy(failure instanceof Error ? failure : new Error(String(failure)));
  };
  zip.on('error', fail);
  const piped = pipeline(output, out);
  piped.catch(fail);

  const listed: ManifestMediaFile[] = [];
  const summary: ContactExportZipSummary = { files: 0, bytes: 0, excluded: 0 };
  const exclude = (file: ContactMediaFile, why: string): void => { listed.push({ ...file, excluded: why }); summary.excluded++; };
  for (const file of exported.media) {
    if (failure !== undefined) break;
    if (file.quarantined) { exclude(file, `quarantined: ${file.quarantined.reason}`); continue; }
    const content = await media.read(exported.tenantId, file.id);
    if (!content) { exclude(file, 'its bytes are no longer in the media store (deleted or quarantined while the export was written)'); continue; }
    if (failure !== undefined) { content.body.destroy(); break; }
    const path = mediaPathOf(file);
    current = content.body;
    const consumed = finished(content.body);
    zip.addReadStream(content.body, path, { size: content.length, mtime: file.createdAt, compress: compressible(file.contentType) });
    try {
      await consumed;
    } catch (error) {
      fail(error);
      break;
    }
    current = undefined;
    listed.push({ ...file, path });
    summary.files++;
    summary.bytes += content.length;
  }
  if (failure === undefined) {
    const manifest: ContactExportManifest = { ...exported, media: listed };
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), 'manifest.json', { mtime: exported.exportedAt, compress: true });
    zip.end();
  }
  try {
    await piped;
  } catch (error) {
    fail(error);
  }
  if (failure !== undefined) throw failure;
  return summary;
}

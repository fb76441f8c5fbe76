/**
 * Rendering a document from a template, and what the host needs to send it.
 * @module
 */
import { createHash } from 'node:crypto';
import type { MediaContent } from '@switchboard/core';
import { NotFoundError } from '../errors.js';
import { fieldOf, problemsOf, RequestValidationError, type Problem } from '../api/validation.js';
import type { MediaPutInput } from '../media/media-store.js';
import { z } from 'zod';
import { DocumentContactSchema, type DocumentTemplates } from './document-template.js';
import { documentFonts, renderPdf } from './pdf-layout.js';

/** What {@link renderDocument} renders from. */
export interface RenderDocumentInput {
  /** The message's data: checked against the template's schema. */
  data: unknown;
  /** The contact's name, locale and time zone (see {@link documentContactOf}); all optional. */
  contact?: unknown;
  /** The message's time (the host clock's now): the document's date and its PDF dates. */
  at: Date;
}

/** A rendered document. */
export interface RenderedDocument {
  /** The PDF's bytes. */
  body: Buffer;
  contentType: 'application/pdf';
  /** The file name the customer sees (`Boarding pass LM417 K7Q2ZP.pdf`). */
  filename: string;
  /** The document's title (as in its metadata). */
  title: string;
}

/**
 * A file name safe on every platform and in a `content-disposition` header: no path, no control
 * or reserved characters, at most 100 characters, ending in `.pdf`.
 * @param name - what the template proposed
 * @param fallback - used when nothing is left of it
 */
function safeFilename(name: string, fallback: string): string {
  const base = name.replace(/[\p{Cc}\p{Cf}/\\:*?"<>|]+/gu, ' ').replace(/\s+/g, ' ').replace(/\.pdf$/i, '')
    .replace(/^[\s.]+/, '').slice(0, 96).trim();
  return `${base || fallback}.pdf`;
}

/** Every string in a parsed value, with its path. */
function* stringsOf(value: unknown, path: (string | number)[]): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsOf(value[i], [...path, i]);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringsOf(v, [...path, k]);
}

/**
 * Renders a document: finds the template, checks the data (and the contact) against its closed
 * schema, and lays the PDF out. Every problem is listed at once, each with its field
 * (`data.passenger.surname`, `data.items[3].quantity`, `contact.locale`); a character the document
 * font has no glyph for is refused too, rather than printed as an empty box.
 * @param templates - the templates to look the name up in
 * @param name - the template's name
 * @param input - the message's data, the contact and the time
 * @returns the PDF, its content type and file name
 * @throws NotFoundError (`NOT_FOUND`, 404) when there is no template of that name
 * @throws RequestValidationError (`VALIDATION_FAILED`, 400) naming every bad field
 * @example
 * const pass = await renderDocument(new DocumentTemplates(builtInDocumentTemplates), 'boarding-pass', {
 *   data: { airline: { name: 'Lumen Air', designator: 'LM' }, flightNumber: '417', … },
 *   contact: { name: 'Ana Costa', locale: 'pt-PT', timeZone: 'Europe/Lisbon' },
 *   at: new Date(clock.now()),
 * });
 */
export async function renderDocument(templates: DocumentTemplates, name: string, input: RenderDocumentInput): Promise<RenderedDocument> {
  const template = templates.get(name);
  if (!template) throw new NotFoundError('document template', name);
  if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime())) throw new RequestValidationError([{ field: 'at', message: 'must be a valid date' }]);
  const schema = z.strictObject({ contact: DocumentContactSchema.prefault({}), data: template.schema });
  const parsed = schema.safeParse({ contact: input.contact ?? {}, data: input.data }, { reportInput: true });
  if (!parsed.success) throw new RequestValidationError(problemsOf(parsed.error.issues, 'input'));
  const { contact, data } = parsed.data;

  const fonts = await documentFonts();
  const problems: Problem[] = [];
  for (const [text, path] of stringsOf({ contact, data }, [])) {
    const missing = [...new Set([...text].filter((ch) => !/\s/u.test(ch) && !fonts.covers(ch.codePointAt(0)!)))];
    if (missing.length > 0) {
      problems.push({ field: fieldOf(path, 'input'), message: `has characters the document font cannot show: ${missing.slice(0, 10).join(' ')}` });
    }
  }
  if (problems.length > 0) throw new RequestValidationError(problems);

  const title = template.title(data);
  const body = await renderPdf({ title, at: input.at, locale: contact.locale, timeZone: contact.timeZone, ...(template.pageSize ? { pageSize: template.pageSize } : {}) },
    (layout) => template.render({ data, contact, at: input.at, layout }));
  return { body, contentType: 'application/pdf', filename: safeFilename(template.filename(data), template.name), title };
}

/** A `document` message's content. */
export type DocumentContent = MediaContent & { type: 'document' };

/** What the media store is told of a generated document (a `MediaPutInput` of the host's media store). */
export interface DocumentPutInput {
  origin: 'generated';
  kind: 'document';
  filename: string;
  declaredType: 'application/pdf';
  declaredSize: number;
}

/** A document as a message: what to store, and the content that sends it once stored. */
export interface DocumentMessage {
  /** The file to store: the bytes of `POST /v1/media` (a multipart `file` part) or of `MediaStore.put`. */
  file: {
    body: Buffer;
    contentType: 'application/pdf';
    filename: string;
    /** Size in bytes. */
    size: number;
    /** Hex SHA-256 of the bytes (what the media store records, so a second store of the same document can be recognised). */
    sha256: string;
  };
  /** What `MediaStore.put` takes beside the bytes: a generated document. */
  put: DocumentPutInput;
  /**
   * The file as a `Blob`, for a `FormData` upload (`form.append('file', message.blob(), message.file.filename)`).
   * @returns a Blob of type `application/pdf`
   */
  blob(): Blob;
  /**
   * The content of the message that sends the stored file (`POST /v1/messages` `content`).
   * @param storedId - the id the media store gave it (`POST /v1/media` answers it as `id`)
   * @returns a `document` content naming the stored file
   */
  content(storedId: string): DocumentContent;
  /**
   * The content of a message that sends the file from where the business itself serves it.
   * @param url - a public HTTPS (or, against fake platforms, loopback) URL serving these exact bytes
   * @returns a `document` content linking to it
   */
  contentAt(url: string): DocumentContent;
}

/**
 * Turns a rendered document into a message: the file to upload into the media store and the
 * `document` content that sends it through the outbound path (policy, outbox, the connector's upload).
 * @param rendered - what {@link renderDocument} returned
 * @param options - `caption` shown with the document
 * @returns the file and the content builders
 * @example
 * const message = documentMessage(pass, { caption: 'Your boarding pass' });
 * const form = new FormData();
 * form.append('file', message.blob(), message.file.filename);
 * const { id } = await (await fetch(`${host}/v1/media`, { method: 'POST', headers: { authorization }, body: form })).json();
 * await fetch(`${host}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ conversationId, purpose: 'transactional', content: message.content(id) }) });
 */
export function documentMessage(rendered: RenderedDocument, options: { caption?: string } = {}): DocumentMessage {
  const { body, contentType, filename } = rendered;
  const sha256 = createHash('sha256').update(body).digest('hex');
  const media = { filename, mimeType: contentType, size: body.length, ...(options.caption ? { caption: options.caption } : {}) };
  return {
    file: { body, contentType, filename, size: body.length, sha256 },
    // `satisfies` keeps this in step with the media store's own input type
    put: { origin: 'generated', kind: 'document', filename, declaredType: contentType, declaredSize: body.length } satisfies DocumentPutInput & MediaPutInput,
    blob: () => new Blob([new Uint8Array(body)], { type: contentType }),
    content: (storedId) => ({ type: 'document' as const, media: { storedId, ...media } }),
    contentAt: (url) => ({ type: 'document' as const, media: { url, ...media } }),
  };
}

/**
 * Reading a form or multipart request body in a fake platform server, with Node's own multipart
 * reader (undici's `Response.formData()`), not a hand-written one. Each fake decides what the
 * values mean (Graph parses JSON-looking values, the Bot API keeps text) and how it refuses a body
 * it cannot read.
 * @module
 */
import type { RecordedRequest } from '../spi.js';

/** A file part of a multipart body. */
export interface FakeUploadedFile {
  /** The part's bytes. */
  bytes: Buffer;
  /** The part's own content type, as the reader gives it. */
  type: string;
  /** The part's file name (empty when it gave none). */
  name: string;
}

/**
 * The fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body, in order:
 * text values as strings, file parts as {@link FakeUploadedFile}.
 * @param req - the recorded request (its `content-type` header names the encoding and boundary)
 * @returns each field's name and value, in the body's order (a repeated name appears again)
 * @throws Error when the body is not what its content type says (e.g. a broken multipart body)
 */
export async function readFormBody(req: RecordedRequest): Promise<[string, string | FakeUploadedFile][]> {
  const form = await new Response(new Uint8Array(req.rawBody), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
  const fields: [string, string | FakeUploadedFile][] = [];
  for (const [key, value] of form.entries()) {
    fields.push([key, typeof value === 'string' ? value : { bytes: Buffer.from(await value.arrayBuffer()), type: value.type, name: value.name }]);
  }
  return fields;
}

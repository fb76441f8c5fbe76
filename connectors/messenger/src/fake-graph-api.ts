/**
 * What the two Meta fakes (WhatsApp Cloud API, Messenger Platform) share with the Graph API they
 * imitate: its error body, where it reads the access token and how it answers a missing or wrong one,
 * and request parameters sent as JSON, as a form or as multipart. Graph is one API behind both
 * products, so both fakes must answer these alike: the WhatsApp and Messenger connectors each keep an
 * identical copy of this file (a connector imports only core), and `test/e2e/meta-fakes.test.ts`
 * checks that both fakes answer the same request the same way.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { isObject, readFormBody, type FakeResponse, type RecordedRequest } from '@switchboard/core';

/** Optional members of a Graph error object. */
export interface GraphErrorOptions {
  /** `OAuthException` (the default), `GraphMethodException`, … */
  type?: string;
  /** `error_subcode`. */
  subcode?: number;
  /** `error_data.details` (WhatsApp puts the human explanation there). */
  details?: string;
  /** `error_data.messaging_product` (WhatsApp sets it to `whatsapp`). */
  messagingProduct?: string;
  /** `error_user_title` (shown to people, e.g. by the template endpoints). */
  userTitle?: string;
  /** `error_user_msg`. */
  userMessage?: string;
  /** `is_transient`. */
  isTransient?: boolean;
}

/** A Graph error as the fakes throw it inside a handler: the HTTP status, the body and headers. */
export class GraphFailure extends Error {
  /**
   * @param status - the HTTP status
   * @param body - `{ error: {...} }`
   * @param headers - extra headers (`www-authenticate` on token errors)
   */
  constructor(readonly status: number, readonly body: { error: Record<string, unknown> }, readonly headers: Record<string, string> = {}) {
    super(String(body.error.message));
  }

  /** The answer the fake server writes. */
  toResponse(): FakeResponse {
    return { status: this.status, body: this.body, ...(Object.keys(this.headers).length > 0 ? { headers: this.headers } : {}) };
  }
}

/**
 * A Graph error: `{ error: { message, type, code, error_subcode?, error_data?, fbtrace_id } }`.
 * @param status - the HTTP status (Graph answers most errors with 400)
 * @param code - the Graph error code
 * @param message - the message, as Graph words it
 * @param options - type, subcode, details…
 * @returns the failure to throw or answer
 */
export function graphError(status: number, code: number, message: string, options: GraphErrorOptions = {}): GraphFailure {
  const error: Record<string, unknown> = { message, type: options.type ?? 'OAuthException', code };
  if (options.subcode !== undefined) error.error_subcode = options.subcode;
  if (options.isTransient !== undefined) error.is_transient = options.isTransient;
  if (options.userTitle !== undefined) error.error_user_title = options.userTitle;
  if (options.userMessage !== undefined) error.error_user_msg = options.userMessage;
  if (options.details !== undefined || options.messagingProduct !== undefined) {
    error.error_data = {
      ...(options.messagingProduct !== undefined ? { messaging_product: options.messagingProduct } : {}),
      ...(options.details !== undefined ? { details: options.details } : {}),
    };
  }
  error.fbtrace_id = `A${randomBytes(11).toString('base64url')}`;
  return new GraphFailure(status, { error });
}

/** The message Graph answers a request without any access token with (code 2500, HTTP 400). */
export const MISSING_TOKEN_MESSAGE = 'An active access token must be used to query information about the current user.';
/** The message Graph answers a token it cannot read with (code 190, HTTP 401). */
export const INVALID_TOKEN_MESSAGE = 'Invalid OAuth access token - Cannot parse access token';

/**
 * The access token of a request, where Graph reads it: `Authorization: Bearer …` (or `OAuth …`),
 * the `access_token` query parameter, or an `access_token` body parameter.
 * @param req - the request
 * @param params - its body parameters (see {@link graphParams})
 * @returns the token, or undefined when the request carries none
 */
export function accessTokenOf(req: RecordedRequest, params?: Record<string, unknown>): string | undefined {
  const header = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (header) return header;
  if (req.query.access_token) return req.query.access_token;
  const fromBody = params?.access_token;
  return typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
}

/**
 * Checks a request's access token as Graph does: none at all is OAuthException 2500 (HTTP 400), one
 * that is not the expected token is OAuthException 190 (HTTP 401, with Graph's `WWW-Authenticate`).
 * @param req - the request
 * @param expected - the token the fake accepts
 * @param params - the request's body parameters
 * @throws GraphFailure when the token is missing or wrong
 */
export function checkAccessToken(req: RecordedRequest, expected: string, params?: Record<string, unknown>): void {
  const token = accessTokenOf(req, params);
  if (token === undefined) throw graphError(400, 2500, MISSING_TOKEN_MESSAGE);
  if (token !== expected) {
    const failure = graphError(401, 190, INVALID_TOKEN_MESSAGE);
    throw new GraphFailure(failure.status, failure.body, { 'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${INVALID_TOKEN_MESSAGE}"` });
  }
}

/** A file part of a multipart body. */
export interface GraphFile {
  /** The part's bytes. */
  bytes: Buffer;
  /** The part's own content type (`application/octet-stream` when it gave none). */
  type: string;
  /** The part's file name, when given. */
  name?: string;
}

/** What {@link graphParams} reads from a body: parameters, and the files of a multipart body. */
export interface GraphParams {
  /** Parameters by name; values of a form or multipart body that hold JSON are parsed, as Graph does. */
  params: Record<string, unknown>;
  /** File parts by field name. */
  files: Record<string, GraphFile>;
  /** The body was not a JSON object, a form nor multipart (or its JSON did not parse). */
  unreadable: boolean;
}

function formValue(value: string): unknown {
  const t = value.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try { return JSON.parse(t) as unknown; } catch { return value; }
  }
  return value;
}

/**
 * The parameters of a request body as Graph reads them: a JSON object; a form
 * (`application/x-www-form-urlencoded`) or multipart body whose values may be JSON (`recipient={"id":"…"}`),
 * with multipart file parts apart; and the query string for a GET or DELETE.
 * @param req - the request
 * @returns the parameters, the files, and whether the body could not be read
 */
export async function graphParams(req: RecordedRequest): Promise<GraphParams> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const files: Record<string, GraphFile> = {};
  if (req.rawBody.length === 0) return { params: { ...req.query }, files, unreadable: false };
  if (type.includes('json')) {
    return isObject(req.body) ? { params: req.body, files, unreadable: false } : { params: {}, files, unreadable: true };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const params: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(req.rawBody.toString('utf8'))) params[k] = formValue(v);
    return { params, files, unreadable: false };
  }
  if (type.startsWith('multipart/form-data')) {
    try {
      const params: Record<string, unknown> = {};
      for (const [k, v] of await readFormBody(req)) {
        if (typeof v === 'string') params[k] = formValue(v);
        else files[k] = { bytes: v.bytes, type: v.type || 'application/octet-stream', ...(v.name ? { name: v.name } : {}) };
      }
      return { params, files, unreadable: false };
    } catch {
      return { params: {}, files, unreadable: true };
    }
  }
  // Graph reads an untyped body as JSON when it is JSON
  try {
    const parsed: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (isObject(parsed)) return { params: parsed, files, unreadable: false };
  } catch { /* not JSON */ }
  return { params: {}, files, unreadable: true };
}

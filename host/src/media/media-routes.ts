/**
 * The media routes: `GET /v1/media/:id` (API keys of the owning tenant), `GET /media/:id` with a
 * signed URL (the console, platforms that fetch by URL), and `POST /v1/media` (a multipart upload
 * or `{ url }`), each streaming between the client and the media store.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import contentDisposition from 'content-disposition';
import type express from 'express';
import rangeParser from 'range-parser';
import { z } from 'zod';
import { SwitchboardError } from '@switchboard/core';
import { NotFoundError, ValidationError } from '../errors.js';
import { MediaIdParamsSchema, MediaUploadFieldsSchema, MediaUrlUploadSchema } from '../api/schemas.js';
import { parseInput, parseQuery, RequestValidationError } from '../api/validation.js';
import type { TenantConfig } from '../config/host-config.js';
import { mimeEssence } from './media-policy.js';
import type { MediaPutInput, MediaPutResult, MediaRecord, MediaStore } from './media-store.js';
import type { SignedMediaUrls } from './media-urls.js';
import { fetchFromUrl } from './url-fetch.js';

/** What the routes need. */
export interface MediaRouteDeps {
  store: MediaStore & { limits(tenantId: string): { maxBytes: Record<string, number> } };
  urls: SignedMediaUrls;
  /** Uploads by URL: timeout and whether private addresses are allowed. */
  urlFetch: { timeoutMs: number; allowPrivateNetworks: boolean };
}

/** Types a browser may show in place: pictures, sound and video (never HTML, SVG or PDF, which can run code). */
const INLINE = /^(image\/(jpeg|png|gif|webp|avif|heic|heif)|video\/[a-z0-9.+-]+|audio\/[a-z0-9.+-]+)$/;

/** What a multipart body may carry besides its file: a few short fields. */
const MULTIPART_LIMITS = { files: 1, fields: 4, parts: 6, fieldSize: 1024, headerPairs: 32 };

/** The query of a signed media URL (`/media/:id?tenant&exp&sig`). */
export const SignedMediaQuerySchema = z.strictObject({
  tenant: z.string().min(1).max(64),
  exp: z.string().max(20),
  sig: z.string().max(100),
});

function tenantOf(req: express.Request): TenantConfig {
  if (!req.tenant) throw new SwitchboardError('UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>');
  return req.tenant;
}

function idOf(req: express.Request): string {
  const parsed = MediaIdParamsSchema.safeParse({ id: req.params.id });
  if (!parsed.success) throw new NotFoundError('media', String(req.params.id).slice(0, 100));
  return parsed.data.id;
}

/**
 * Mounts `GET /v1/media/:id` and `POST /v1/media` on the authenticated router.
 * @param v1 - the `/v1` router (the tenant is `req.tenant`)
 * @param deps - store, URLs, URL-fetch settings
 */
export function mountMediaApiRoutes(v1: express.Router, deps: MediaRouteDeps): void {
  v1.get('/media/:id', async (req, res) => {
    const tenant = tenantOf(req);
    const id = idOf(req);
    const record = await deps.store.get(tenant.id, id);
    if (!record) throw new NotFoundError('media', id);
    await serve(req, res, deps.store, record, 'private, max-age=86400');
  });

  v1.post('/media', async (req, res) => {
    const tenant = tenantOf(req);
    const type = mimeEssence(req.headers['content-type'] ?? '');
    let result: MediaPutResult;
    if (type === 'multipart/form-data') {
      try {
        result = await receiveMultipart(req, tenant.id, deps);
      } catch (error) {
        // the client went away mid-upload: nothing was kept, and there is no one to answer
        if ((error as Error)?.name === 'AbortError' && !req.readableEnded) { res.destroy(); return; }
        throw error;
      }
    } else if (type === 'application/json') {
      const { url, kind, filename } = parseInput(MediaUrlUploadSchema, req.body, 'body');
      const controller = new AbortController();
      const fetched = await fetchFromUrl(url, { ...deps.urlFetch, signal: controller.signal });
      try {
        result = await deps.store.put(tenant.id, fetched.body, {
          origin: 'upload', signal: controller.signal,
          ...(kind ? { kind } : {}),
          ...(filename ?? fetched.filename ? { filename: filename ?? fetched.filename } : {}),
          ...(fetched.declaredType ? { declaredType: fetched.declaredType } : {}),
          ...(fetched.declaredSize !== undefined ? { declaredSize: fetched.declaredSize } : {}),
        });
      } finally {
        // a refusal stops reading: the rest of the remote body is not wanted
        controller.abort();
        fetched.body.destroy();
      }
    } else {
      throw new SwitchboardError('UNSUPPORTED_MEDIA_TYPE', 'send the file as multipart/form-data (one file part), or JSON { "url": "https://…" } for the host to fetch', false, { details: { contentType: type || null } });
    }
    if (!result.stored) {
      // the client may still be sending what was refused: the answer closes the connection
      if (!req.readableEnded) res.setHeader('connection', 'close');
      throw refusal(result);
    }
    const r = result.record;
    if (r.quarantine) {
      throw new SwitchboardError('CONTENT_UNSUPPORTED', `the file was rejected by the virus scanner: ${r.quarantine.reason}`, false, {
        details: { refusal: 'MEDIA_QUARANTINED', id: r.id, reason: r.quarantine.reason },
      });
    }
    res.status(201).json(describeRecord(r, deps.urls.apiUrl(r.id)));
  });
}

/**
 * Mounts `GET /media/:id?tenant=…&exp=…&sig=…` (a signed URL, no API key) on the app.
 * @param app - the Express app
 * @param deps - store and URLs
 * @param now - the host clock in ms (what a link's expiry is compared with)
 */
export function mountSignedMediaRoute(app: express.Express, deps: Pick<MediaRouteDeps, 'store' | 'urls'>, now: () => number): void {
  // the optional last segment is a file name for platforms that read it from the URL (not signed, not used)
  app.get(['/media/:id', '/media/:id/:name'], async (req, res) => {
    const id = idOf(req);
    const { tenant, exp, sig } = parseQuery(SignedMediaQuerySchema, req);
    const check = await deps.urls.check(tenant, id, exp, sig);
    if (check !== 'valid') {
      throw new SwitchboardError('FORBIDDEN', check === 'expired' ? 'the link has expired: ask for a new one' : 'the link is not valid', false, { details: { link: check } });
    }
    const record = await deps.store.get(tenant, id);
    if (!record) throw new NotFoundError('media', id);
    const remaining = Math.max(0, Math.floor((Number(exp) - now()) / 1000));
    await serve(req, res, deps.store, record, `private, max-age=${remaining}`);
  });
}

/** What `POST /v1/media` answers (and what a message's media links to). */
export function describeRecord(r: MediaRecord, url: string): Record<string, unknown> {
  return {
    id: r.id, contentType: r.contentType, size: r.size, sha256: r.sha256, kind: r.kind,
    ...(r.filename !== undefined ? { filename: r.filename } : {}), url, createdAt: r.createdAt,
  };
}

/** A refusal as the API answers it: 413, 415 or 400, with the store's reason and details. */
function refusal(result: Extract<MediaPutResult, { stored: false }>): SwitchboardError {
  const code = result.code === 'MEDIA_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : result.code === 'MEDIA_TYPE_NOT_ALLOWED' ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
  return new SwitchboardError(code, result.reason, false, { details: { refusal: result.code, ...result.details } });
}

/**
 * Streams a stored file (or the range asked for) with its headers: the type found in its bytes,
 * `nosniff`, a sandboxing CSP, a safe `Content-Disposition`, an ETag of its hash, `Accept-Ranges`.
 */
async function serve(req: express.Request, res: express.Response, store: MediaStore, record: MediaRecord, cacheControl: string): Promise<void> {
  if (record.quarantine) {
    throw new SwitchboardError('FORBIDDEN', `the file is quarantined: ${record.quarantine.reason}`, false, { details: { refusal: 'MEDIA_QUARANTINED', reason: record.quarantine.reason } });
  }
  const etag = `"sha256-${record.sha256}"`;
  const headers = (): void => {
    res.setHeader('content-type', record.contentType);
    res.setHeader('x-content-type-options', 'nosniff');
    // whatever a file turns out to be, it runs nothing in the host's origin
    res.setHeader('content-security-policy', "default-src 'none'; sandbox");
    const name = record.filename ?? `${record.id}${extensionOf(record.contentType)}`;
    // the plain filename= in ASCII, the exact name in filename*= (RFC 5987) for every client that reads it
    res.setHeader('content-disposition', contentDisposition(name, { type: INLINE.test(mimeEssence(record.contentType)) ? 'inline' : 'attachment', fallback: name.replace(/[^\x20-\x7e]/g, '?') }));
    res.setHeader('cache-control', cacheControl);
    res.setHeader('etag', etag);
    res.setHeader('accept-ranges', 'bytes');
  };
  if (req.headers['if-none-match'] === etag) { headers(); res.status(304).end(); return; }

  let range: { start: number; end: number } | undefined;
  const header = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (typeof header === 'string' && (ifRange === undefined || ifRange === etag)) {
    const parsed = rangeParser(record.size, header, { combine: true });
    if (parsed === -1) {
      res.setHeader('content-range', `bytes */${record.size}`);
      res.setHeader('accept-ranges', 'bytes');
      res.status(416).json({ error: { code: 'VALIDATION_FAILED', message: `the range ${header.slice(0, 100)} is outside the file's ${record.size} bytes`, details: { field: 'Range', size: record.size } } });
      return;
    }
    // a malformed header, or several ranges, is answered with the whole file (RFC 9110 allows ignoring Range)
    if (parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1) range = { start: parsed[0]!.start, end: parsed[0]!.end };
  }
  // read before any header is set: a file whose bytes are gone is answered as JSON, not as its type
  const content = await store.read(record.tenantId, record.id, range);
  if (!content) throw new NotFoundError('media', record.id);
  headers();
  if (range) {
    res.status(206);
    res.setHeader('content-range', `bytes ${range.start}-${range.end}/${record.size}`);
  }
  res.setHeader('content-length', String(content.length));
  if (req.method === 'HEAD') { content.body.destroy(); res.end(); return; }
  try {
    await pipeline(content.body, res);
  } catch {
    // the client went away, or the medium failed mid-file: the answer is cut (its headers are sent)
    res.destroy();
  }
}

function extensionOf(contentType: string): string {
  const sub = mimeEssence(contentType).split('/')[1] ?? '';
  const known: Record<string, string> = { jpeg: '.jpg', png: '.png', gif: '.gif', webp: '.webp', mp4: '.mp4', ogg: '.ogg', mpeg: '.mp3', pdf: '.pdf', plain: '.txt', csv: '.csv' };
  return Object.hasOwn(known, sub) ? known[sub]! : '';
}

/**
 * Reads a multipart body: a few fields (before the file), then one file part streamed to the store.
 * Resolves as soon as the store decided, which may be before the body has been read to its end.
 */
function receiveMultipart(req: IncomingMessage, tenantId: string, deps: MediaRouteDeps): Promise<MediaPutResult> {
  return new Promise<MediaPutResult>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: MULTIPART_LIMITS, defParamCharset: 'utf8' });
    } catch (error) {
      reject(new ValidationError('body', `must be multipart/form-data with a boundary (${(error as Error).message})`));
      return;
    }
    const fields: Record<string, string> = {};
    const problems: { field: string; message: string }[] = [];
    const aborted = new AbortController();
    let file: Promise<MediaPutResult> | undefined;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      aborted.abort();
      req.unpipe(parser);
      reject(error);
    };
    // the client gave up before the body was complete: nothing of it is kept
    req.once('close', () => { if (!req.readableEnded) aborted.abort(); });
    parser.on('field', (name, value, info) => {
      if (file) { problems.push({ field: name, message: 'must come before the file part' }); return; }
      if (info.valueTruncated) problems.push({ field: name, message: `must be at most ${MULTIPART_LIMITS.fieldSize} bytes` });
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      if (file) { stream.resume(); return; }
      let parsed: z.output<typeof MediaUploadFieldsSchema>;
      try {
        if (problems.length > 0) throw new RequestValidationError(problems);
        parsed = parseInput(MediaUploadFieldsSchema, fields, 'body');
      } catch (error) {
        stream.resume();
        fail(error);
        return;
      }
      const input: MediaPutInput = {
        origin: 'upload', signal: aborted.signal,
        ...(parsed.kind ? { kind: parsed.kind } : {}),
        ...(parsed.filename ?? info.filename ? { filename: parsed.filename ?? info.filename } : {}),
        ...(info.mimeType && info.mimeType !== 'application/octet-stream' ? { declaredType: info.mimeType } : {}),
      };
      file = deps.store.put(tenantId, stream, input);
      file.then((result) => {
        if (settled) return;
        settled = true;
        if (!result.stored) req.unpipe(parser);
        resolve(result);
      }, fail);
    });
    parser.on('filesLimit', () => fail(new ValidationError('body', 'must carry one file part only')));
    parser.on('fieldsLimit', () => fail(new ValidationError('body', `must carry at most ${MULTIPART_LIMITS.fields} fields`)));
    parser.on('partsLimit', () => fail(new ValidationError('body', `must carry at most ${MULTIPART_LIMITS.parts} parts`)));
    parser.on('error', (error) => fail(new ValidationError('body', `is not a readable multipart body: ${(error as Error).message}`)));
    parser.on('close', () => {
      if (!file) fail(problems.length > 0 ? new RequestValidationError(problems) : new ValidationError('file', 'is required: one file part'));
    });
    req.pipe(parser);
  });
}

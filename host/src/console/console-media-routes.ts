/**
 * The console's file routes, behind the agent's session (and its CSRF token for the upload):
 * - `POST /console/api/conversations/:id/media?filename=…&kind=…` — the file is the request body
 *   itself (its `Content-Type` the type the browser declared, its `Content-Length` the size), streamed
 *   into the media store with the tenant's limits, type found in the bytes and scanner, exactly as
 *   `POST /v1/media` stores an upload. Linked to the conversation and its contact at once, so an
 *   erasure of the contact removes it even if it is never sent. `201 { id, kind, contentType, size,
 *   filename }`; refusals `413`, `415`, `400` with the reason and nothing kept; quarantine `422`.
 * - `DELETE /console/api/conversations/:id/media/:mediaId` — the agent removed an attachment before
 *   sending it: the file is deleted (`204`); one a message has sent is kept (`409`).
 * - `GET /console/api/media/:id/link` — a fresh short-lived signed URL for a file of the agent's
 *   tenant, for a player or download whose link expired while the page stayed open.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/core';
import type express from 'express';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Conversation } from '@switchboard/core';
import { mimeEssence } from '../media/media-policy.js';
import type { MediaPutResult, MediaStore, MediaUrls } from '../media/media-store.js';
import { parseQuery } from '../api/validation.js';
import { callerOf } from './console-auth.js';
import { ConsoleUploadQuerySchema, DEFAULT_CONSOLE_MEDIA_URL_TTL_MS, displayOf, sameOriginPath } from './console-media.js';

/** What the console's file routes need. */
export interface ConsoleMediaRouteDeps {
  store: MediaStore;
  urls: Pick<MediaUrls, 'signedUrl'>;
  /** Life of a signed URL (default {@link DEFAULT_CONSOLE_MEDIA_URL_TTL_MS}). */
  ttlMs?: number;
  /** The agent's conversation, or NotFoundError. */
  conversation(tenantId: string, id: string): Promise<Conversation>;
}

/** The path of the upload, as the console router sees it (its JSON parser must leave this body alone). */
const UPLOAD_PATH = /^\/conversations\/[^/?]+\/media\/?(\?|$)/;

/**
 * Whether a request is a console upload: its body is the file, which no body parser may read (a
 * JSON file would otherwise be parsed as the request's JSON).
 * @param req - a request to the console router (its `url` relative to `/console/api`)
 * @returns true for `POST /conversations/:id/media`
 */
export function isConsoleUpload(req: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  return req.method === 'POST' && UPLOAD_PATH.test(req.url ?? '');
}

/** The media id of a path: a shape the store can hold, else 404 (nothing is looked up). */
function mediaIdOf(req: express.Request, name = 'id'): string {
  const id = req.params[name];
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new NotFoundError('media', String(id).slice(0, 100));
  return id;
}

/**
 * A store refusal as the API answers it (the same codes as `POST /v1/media`): 413, 415 or 400, with
 * the store's reason and details.
 * @param result - the refusal
 * @returns the error to throw
 */
export function uploadRefusal(result: Extract<MediaPutResult, { stored: false }>): SwitchboardError {
  const code = result.code === 'MEDIA_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : result.code === 'MEDIA_TYPE_NOT_ALLOWED' ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
  return new SwitchboardError(code, result.reason, false, { details: { refusal: result.code, ...result.details } });
}

/** The size the client announced, when it announced one. */
function declaredSizeOf(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Mounts the upload and link routes on the console router, after its session and CSRF checks.
 * @param api - the console's router
 * @param deps - media store, URLs, conversations
 */
export function mountConsoleMediaRoutes(api: express.Router, deps: ConsoleMediaRouteDeps): void {
  const ttlMs = deps.ttlMs ?? DEFAULT_CONSOLE_MEDIA_URL_TTL_MS;

  api.post('/conversations/:id/media', async (req, res) => {
    const { agent } = callerOf(res);
    const id = req.params.id;
    if (typeof id !== 'string' || id === '' || id.length > 200) throw new NotFoundError('conversation', String(id));
    const conversation = await deps.conversation(agent.tenantId, id);
    const query = parseQuery(ConsoleUploadQuerySchema, req);
    const declared = mimeEssence(req.headers['content-type'] ?? '');
    const declaredSize = declaredSizeOf(req);
    const aborted = new AbortController();
    // the agent gave up (closed the tab, cancelled): nothing of the file is kept
    req.once('close', () => { if (!req.readableEnded) aborted.abort(); });
    let result: MediaPutResult;
    try {
      result = await deps.store.put(agent.tenantId, req, {
        origin: 'upload', signal: aborted.signal, conversationId: conversation.id, contactId: conversation.contactId,
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.filename ? { filename: query.filename } : {}),
        // only a hint where the bytes say nothing (plain text): the type is found in the bytes
        ...(declared && declared !== 'application/octet-stream' ? { declaredType: declared } : {}),
        ...(declaredSize !== undefined ? { declaredSize } : {}),
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError' && !req.readableEnded) { res.destroy(); return; }
      throw error;
    }
    if (!result.stored) {
      // the browser may still be sending what was refused: the answer closes the connection
      if (!req.readableEnded) res.setHeader('connection', 'close');
      throw uploadRefusal(result);
    }
    const r = result.record;
    if (r.quarantine) {
      throw new SwitchboardError('CONTENT_UNSUPPORTED', `the file was rejected by the virus scanner: ${r.quarantine.reason}`, false, {
        details: { refusal: 'MEDIA_QUARANTINED', id: r.id, reason: r.quarantine.reason },
      });
    }
    res.status(201).json({
      id: r.id, kind: r.kind, contentType: r.contentType, size: r.size, sha256: r.sha256,
      ...(r.filename !== undefined ? { filename: r.filename } : {}),
    });
  });

  api.delete('/conversations/:id/media/:mediaId', async (req, res) => {
    const { agent } = callerOf(res);
    const conversation = await deps.conversation(agent.tenantId, String(req.params.id));
    const id = mediaIdOf(req, 'mediaId');
    const record = await deps.store.get(agent.tenantId, id);
    // only this conversation's own uploads: nothing a customer sent, nothing of another conversation
    if (!record || record.origin !== 'upload' || record.conversationId !== conversation.id) throw new NotFoundError('media', id);
    if (record.messageId !== undefined) throw new ConflictError('the file has been sent: it is kept with its message', { messageId: record.messageId });
    await deps.store.delete(agent.tenantId, id);
    res.status(204).end();
  });

  api.get('/media/:id/link', async (req, res) => {
    const { agent } = callerOf(res);
    const id = mediaIdOf(req);
    const record = await deps.store.get(agent.tenantId, id);
    if (!record) throw new NotFoundError('media', id);
    if (record.quarantine) {
      throw new SwitchboardError('FORBIDDEN', `the file is quarantined: ${record.quarantine.reason}`, false, { details: { refusal: 'MEDIA_QUARANTINED', reason: record.quarantine.reason } });
    }
    const url = await deps.urls.signedUrl(agent.tenantId, id, { ttlMs, ...(record.filename ? { filename: record.filename } : {}) });
    res.json({
      url: sameOriginPath(url), expiresInMs: ttlMs, display: displayOf(record.kind, record.contentType),
      contentType: record.contentType, size: record.size, ...(record.filename !== undefined ? { filename: record.filename } : {}),
    });
  });
}

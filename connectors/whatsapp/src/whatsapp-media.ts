/**
 * Media on the Cloud API: downloading what a customer sent (media id → `GET /{media-id}` for a
 * short-lived URL → `GET` that URL with the access token → bytes, streamed) and uploading what the
 * business sends (`POST /{phone-number-id}/media`, multipart → a media id the message names).
 * @module
 */
import {
  PermanentError, ProviderNetworkError, checkMaxBytes, isObject, meteredBody, mimeTypeAccepted, parseSha256, providerHttpErrorOf, tooLarge,
  type DownloadedMedia, type MediaDownloadOptions, type MediaKind, type MediaRef, type OutboundFile, type ProviderRequest,
} from '@switchboard/core';
import type { WhatsAppConfig } from './config.js';
import { WHATSAPP_MEDIA_LIMITS } from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long the Cloud API keeps media, from Meta's media reference
 * (developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media):
 * "Media IDs returned by the API expire after 30 days. Media IDs in webhooks expire after 7 days."
 * and, for the retrieve-URL answer, "The URL is only valid for 5 minutes".
 */
export const WHATSAPP_MEDIA_TTL_MS = {
  /** A media id the upload answered with. */
  uploadedId: 30 * DAY_MS,
  /** A media id a customer's message carried. */
  inboundId: 7 * DAY_MS,
  /** The download URL `GET /{media-id}` answers with. */
  downloadUrl: 5 * 60 * 1000,
} as const;

/** The User-Agent the connector sends to Meta's media host (it answers some clients without one with an HTML page). */
export const MEDIA_USER_AGENT = 'switchboard-whatsapp/0.1';

/** How long a Graph call or a download may wait for the answer's headers (the body streams afterwards). */
const ANSWER_TIMEOUT_MS = 30_000;
/** How long an upload may take in all (100 MB documents). */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;
/** The most of an error answer's body that is read. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** The answer of `GET /{media-id}`, as the connector reads it. */
export interface WhatsAppMediaInfo {
  /** The download URL (valid for 5 minutes, only with the access token). */
  url: string;
  /** The declared MIME type. */
  mimeType?: string;
  /** The declared SHA-256 (32 bytes), when the answer carried a readable one. */
  sha256?: Buffer;
  /** The declared size in bytes. */
  fileSize?: number;
}

/** What a media call needs from the connector. */
export interface WhatsAppMediaDeps {
  fetch: typeof globalThis.fetch;
  config: WhatsAppConfig;
}

/** Graph media ids are numeric; anything that could leave the path segment is refused before a request. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The retrieve-URL request for a media id (pure). It names the phone number (`phone_number_id`), so
 * Graph answers only for media of this number — a token that serves several numbers cannot be used
 * to fetch another number's media through this connector.
 * @param config - the connector's config
 * @param mediaId - a media id from a webhook or an upload
 * @returns `GET {apiBaseUrl}/{version}/{media-id}?phone_number_id=…` with the bearer token
 * @throws PermanentError for an id that is not a Graph id
 */
export function renderRetrieveMedia(config: WhatsAppConfig, mediaId: string): ProviderRequest {
  if (!MEDIA_ID.test(mediaId)) throw new PermanentError(`"${mediaId.slice(0, 64)}" is not a WhatsApp media id`, { details: { reason: 'bad-media-id' } });
  const query = new URLSearchParams({ phone_number_id: config.phoneNumberId });
  return {
    method: 'GET',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${mediaId}?${query.toString()}`,
    headers: { authorization: `Bearer ${config.accessToken}` },
  };
}

/**
 * Reads the retrieve-URL answer `{ messaging_product, url, mime_type, sha256, file_size, id }`.
 * @param body - the parsed answer
 * @param mediaId - the id asked for
 * @returns the URL and what the answer declares
 * @throws PermanentError when the answer has no usable URL
 */
export function readMediaInfo(body: unknown, mediaId: string): WhatsAppMediaInfo {
  const url = isObject(body) ? body.url : undefined;
  let parsed: URL | undefined;
  try { parsed = typeof url === 'string' ? new URL(url) : undefined; } catch { parsed = undefined; }
  if (!isObject(body) || !parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new PermanentError(`the Graph API answered the media URL request for ${mediaId} without a usable url`, { details: { reason: 'bad-answer' } });
  }
  const info: WhatsAppMediaInfo = { url: parsed.toString() };
  if (typeof body.mime_type === 'string' && body.mime_type !== '') info.mimeType = body.mime_type;
  const sha256 = parseSha256(body.sha256);
  if (sha256) info.sha256 = sha256;
  // Graph writes file_size as a string of digits; a number is read too
  const size = typeof body.file_size === 'string' && /^\d{1,15}$/.test(body.file_size) ? Number(body.file_size) : body.file_size;
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) info.fileSize = size;
  return info;
}

async function call(deps: WhatsAppMediaDeps, url: string, init: RequestInit): Promise<Response> {
  try {
    return await deps.fetch(url, init);
  } catch (cause) {
    throw new ProviderNetworkError(`request to ${new URL(url).host} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

async function retrieve(deps: WhatsAppMediaDeps, mediaId: string, signal: AbortSignal | undefined): Promise<WhatsAppMediaInfo> {
  const request = renderRetrieveMedia(deps.config, mediaId);
  const response = await call(deps, request.url, { method: 'GET', headers: request.headers, signal: withTimeout(signal, ANSWER_TIMEOUT_MS) });
  if (!response.ok) throw await providerHttpErrorOf(response, ERROR_BODY_LIMIT);
  let body: unknown;
  try { body = JSON.parse(await response.text()) as unknown; } catch { body = undefined; }
  return readMediaInfo(body, mediaId);
}

/**
 * The download request for a media URL (pure): a `GET` with the access token and a User-Agent.
 * @param config - the connector's config
 * @param url - the URL `GET /{media-id}` answered with
 * @returns the request
 * @throws PermanentError when the URL would carry the token in clear while the Graph API is reached over https
 */
export function renderMediaDownload(config: WhatsAppConfig, url: string): ProviderRequest {
  if (config.apiBaseUrl.startsWith('https:') && !url.startsWith('https:')) {
    throw new PermanentError('the Graph API answered a media URL that is not https: the access token is not sent in clear', { details: { reason: 'insecure-url' } });
  }
  return { method: 'GET', url, headers: { authorization: `Bearer ${config.accessToken}`, 'user-agent': MEDIA_USER_AGENT } };
}

async function openDownload(deps: WhatsAppMediaDeps, info: WhatsAppMediaInfo, signal: AbortSignal | undefined): Promise<Response> {
  const request = renderMediaDownload(deps.config, info.url);
  // the timeout covers the answer's headers only: a large file may take longer to stream, bounded by the host's signal
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
  try {
    return await call(deps, request.url, { method: 'GET', headers: request.headers, signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Downloads a customer's media: retrieves the URL for its id, then streams the bytes with the access
 * token. A URL that answers 404 or 410 has expired (it lives 5 minutes): a fresh one is requested
 * once. The size is checked against `maxBytes` before reading (the announced `file_size` and the
 * answer's `content-length`) and while reading; the bytes are checked against the announced SHA-256
 * and size when the stream ends.
 * @param deps - fetch and the config
 * @param media - the media as `parse` described it (its `id`)
 * @param options - the host's limit and abort signal
 * @returns the streamed file with what the platform declared
 * @throws ProviderHttpError / ProviderNetworkError for the connector to classify; PermanentError for
 *   a missing or malformed id, a file over the limit, an unusable answer
 */
export async function downloadWhatsAppMedia(deps: WhatsAppMediaDeps, media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
  checkMaxBytes(options.maxBytes);
  const { maxBytes, signal } = options;
  const mediaId = media.id;
  if (mediaId === undefined || mediaId === '') throw new PermanentError('WhatsApp media is fetched by its media id, and this media has none', { details: { reason: 'no-media-id' } });
  const what = `WhatsApp media ${mediaId}`;
  let info = await retrieve(deps, mediaId, signal);
  if (info.fileSize !== undefined && info.fileSize > maxBytes) throw tooLarge(what, maxBytes, info.fileSize);
  let response = await openDownload(deps, info, signal);
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel().catch(() => undefined);
    // the URL expired (it lives 5 minutes): the media id gives a fresh one, once
    info = await retrieve(deps, mediaId, signal);
    if (info.fileSize !== undefined && info.fileSize > maxBytes) throw tooLarge(what, maxBytes, info.fileSize);
    response = await openDownload(deps, info, signal);
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel().catch(() => undefined);
      throw new PermanentError(`${what}: the download URL answered ${response.status} again after a fresh URL was requested (the media is gone)`, {
        details: { reason: 'media-gone', status: response.status },
      });
    }
  }
  if (!response.ok) throw await providerHttpErrorOf(response, ERROR_BODY_LIMIT);
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(length) && length > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(what, maxBytes, length);
  }
  const declaredType = info.mimeType ?? response.headers.get('content-type') ?? undefined;
  const result: DownloadedMedia = {
    body: meteredBody(response.body, { maxBytes, what, ...(info.sha256 ? { sha256: info.sha256 } : {}), ...(info.fileSize !== undefined ? { declaredSize: info.fileSize } : {}) }),
  };
  if (info.fileSize !== undefined) result.declaredSize = info.fileSize;
  if (declaredType) result.declaredType = declaredType;
  if (media.filename) result.filename = media.filename;
  return result;
}


/** The MIME type without parameters, lower-cased (`audio/ogg; codecs=opus` → `audio/ogg`). */
export function baseMimeType(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

/**
 * Checks an outbound file against the Cloud API's supported media types and size limits for its
 * kind before any bytes move (the platform refuses the same after the upload).
 * @param file - the file the host passes
 * @param kind - the content's media kind
 * @throws PermanentError naming the type or size that the platform would refuse
 */
export function checkUploadable(file: OutboundFile, kind: MediaKind): void {
  const limit = WHATSAPP_MEDIA_LIMITS[kind];
  const type = baseMimeType(file.contentType);
  if (!mimeTypeAccepted(file.contentType, limit.types)) {
    throw new PermanentError(`WhatsApp does not take ${type} as ${kind === 'image' || kind === 'audio' ? 'an' : 'a'} ${kind} (supported: ${limit.types.join(', ')})`, {
      details: { reason: 'type-not-supported', kind, contentType: type },
    });
  }
  const size = Math.max(file.size, file.body.size);
  if (size > limit.uploadMaxBytes) {
    throw new PermanentError(`a WhatsApp ${kind} may be at most ${limit.uploadMaxBytes} bytes; this file has ${size}`, { details: { reason: 'too-large', kind, size, maxBytes: limit.uploadMaxBytes } });
  }
  if (size === 0) throw new PermanentError('the file to upload is empty', { details: { reason: 'empty' } });
}

/**
 * The multipart body of a media upload: `messaging_product=whatsapp`, `type` and the `file` part with
 * its file name and content type. The file's bytes are the host's `Blob` (file-backed), streamed
 * by fetch as the body is sent.
 * @param file - the file
 * @returns the form
 */
export function uploadForm(file: OutboundFile): FormData {
  const type = baseMimeType(file.contentType);
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', type);
  // slice() re-types the Blob without copying its bytes
  form.append('file', file.body.slice(0, file.body.size, type), file.filename ?? `${file.kind}${extensionOf(type)}`);
  return form;
}

function extensionOf(type: string): string {
  const known: Record<string, string> = {
    'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'video/mp4': '.mp4', 'video/3gpp': '.3gp',
    'audio/aac': '.aac', 'audio/amr': '.amr', 'audio/mpeg': '.mp3', 'audio/mp4': '.m4a', 'audio/ogg': '.ogg',
    'application/pdf': '.pdf', 'text/plain': '.txt',
  };
  return known[type] ?? '';
}

/**
 * Uploads a file for this phone number: `POST /{phone-number-id}/media`, multipart.
 * @param deps - fetch and the config
 * @param file - the file
 * @param kind - the content's media kind
 * @returns the media id Graph answered with
 * @throws PermanentError before the upload for a type or size the platform refuses; ProviderHttpError /
 *   ProviderNetworkError for the connector to classify
 */
export async function uploadWhatsAppMedia(deps: WhatsAppMediaDeps, file: OutboundFile, kind: MediaKind): Promise<string> {
  checkUploadable(file, kind);
  const { config } = deps;
  const url = `${config.apiBaseUrl}/${config.apiVersion}/${config.phoneNumberId}/media`;
  const response = await call(deps, url, {
    method: 'POST', headers: { authorization: `Bearer ${config.accessToken}` }, body: uploadForm(file), signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
  });
  if (!response.ok) throw await providerHttpErrorOf(response, ERROR_BODY_LIMIT);
  let body: unknown;
  try { body = JSON.parse(await response.text()) as unknown; } catch { body = undefined; }
  const id = isObject(body) ? body.id : undefined;
  if (typeof id !== 'string' || !MEDIA_ID.test(id)) throw new PermanentError('the Graph API accepted the media upload but answered without an id', { details: { reason: 'bad-answer' } });
  return id;
}

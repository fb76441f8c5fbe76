/**
 * Media on the Messenger Platform: downloading a customer's attachment from the CDN link its webhook
 * carried (no token; the link expires and cannot be asked for again), and the lifetime of the
 * reusable `attachment_id` the Send API answers for a file sent by URL with `is_reusable`.
 * @module
 */
import {
  PermanentError, ProviderNetworkError, checkMaxBytes, meteredBody, providerHttpErrorOf, tooLarge,
  type DownloadedMedia, type MediaDownloadOptions, type MediaRef, type ProviderRequest,
} from '@switchboard/core';

/**
 * How long Meta keeps a reusable attachment: "Attachment IDs expire after 90 days" (Messenger
 * Platform, Saving assets and the Attachment Upload API reference).
 */
export const MESSENGER_ATTACHMENT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** The User-Agent the connector sends to Meta's CDN. */
export const MEDIA_USER_AGENT = 'switchboard-messenger/0.1';

/** How long a download may wait for the answer's headers (the body streams afterwards, bounded by the host's signal). */
const ANSWER_TIMEOUT_MS = 30_000;
/** The most of an error answer's body that is read. */
const ERROR_BODY_LIMIT = 16 * 1024;

/**
 * The download request for an attachment link (pure): a plain `GET` — Meta's CDN links are signed
 * in their query (`oh`, `oe`) and take no access token, so none is sent.
 * @param url - the attachment's `payload.url` as `parse` gave it (`media.url`)
 * @returns the request
 * @throws PermanentError when the link is not an http(s) URL
 */
export function renderAttachmentDownload(url: string | undefined): ProviderRequest {
  let parsed: URL | undefined;
  try { parsed = url !== undefined ? new URL(url) : undefined; } catch { parsed = undefined; }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new PermanentError('a Messenger attachment is fetched from its link (media.url), and this media has no http(s) link', { details: { reason: 'no-url' } });
  }
  return { method: 'GET', url: parsed.toString(), headers: { 'user-agent': MEDIA_USER_AGENT } };
}

/**
 * The file name a link shows in its last path segment (`…/invoice.pdf?…` → `invoice.pdf`), when it
 * looks like one.
 * @param url - the link
 * @returns the name, or undefined
 */
export function filenameOfLink(url: string): string | undefined {
  let segment: string;
  try { segment = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? ''); } catch { return undefined; }
  const printable = [...segment].every((c) => c >= ' ' && c !== '\u007f');
  return printable && /^[^/\\]{1,200}\.[A-Za-z0-9]{1,8}$/.test(segment) ? segment : undefined;
}

/**
 * Downloads a customer's attachment from its CDN link, streamed. The link is signed with an expiry:
 * once Meta's CDN answers 403, 404 or 410 it has expired (or was revoked), and the Messenger
 * Platform offers no way to ask for a fresh one — a permanent error that says so. The size is
 * checked against `maxBytes` before reading (`content-length`) and while reading.
 * @param fetchFn - the fetch to use
 * @param media - the media as `parse` described it (its `url`)
 * @param options - the host's limit and abort signal
 * @returns the streamed file with the CDN's declared type and size
 * @throws PermanentError (expired link, no link, over the limit, a bad limit); ProviderHttpError /
 *   ProviderNetworkError for the connector to classify
 */
export async function downloadMessengerAttachment(fetchFn: typeof globalThis.fetch, media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
  checkMaxBytes(options.maxBytes);
  const { maxBytes, signal } = options;
  const request = renderAttachmentDownload(media.url);
  const what = 'the Messenger attachment';
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchFn(request.url, { method: 'GET', headers: request.headers, signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal });
  } catch (cause) {
    throw new ProviderNetworkError(`request to ${new URL(request.url).host} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    await response.body?.cancel().catch(() => undefined);
    throw new PermanentError(
      `${what}'s link answered ${response.status}: it has expired or is no longer valid, and the Messenger Platform offers no way to fetch a fresh link`,
      { details: { reason: 'link-expired', status: response.status } },
    );
  }
  if (!response.ok) throw await providerHttpErrorOf(response, ERROR_BODY_LIMIT);
  // a compressed answer's content-length is not the file's size: only an identity answer declares it
  const identity = (response.headers.get('content-encoding') ?? 'identity') === 'identity';
  const length = identity ? Number(response.headers.get('content-length') ?? Number.NaN) : Number.NaN;
  if (Number.isFinite(length) && length > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(what, maxBytes, length);
  }
  const result: DownloadedMedia = { body: meteredBody(response.body, { maxBytes, what }) };
  if (Number.isSafeInteger(length) && length >= 0) result.declaredSize = length;
  const type = response.headers.get('content-type');
  if (type) result.declaredType = type;
  const filename = media.filename ?? filenameOfLink(request.url);
  if (filename) result.filename = filename;
  return result;
}

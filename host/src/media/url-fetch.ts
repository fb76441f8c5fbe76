/**
 * Fetches a file from a URL an API caller gives (`POST /v1/media` with `{ url }`), for the media
 * store: http(s) only, a timeout, at most three redirects, and — unless the config allows them — no
 * loopback, private, link-local or otherwise internal address, checked on the address the
 * connection really goes to (request-filtering-agent: a DNS answer that changes between a check and
 * the connection cannot slip through), on every redirect.
 * @module
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import contentDisposition from 'content-disposition';
import { useAgent } from 'request-filtering-agent';
import { SwitchboardError } from '@switchboard/core';

/** Options of {@link fetchFromUrl}. */
export interface UrlFetchOptions {
  /** Time the whole fetch may take until the body has started, and each pause of the body (ms). */
  timeoutMs: number;
  /** Allow loopback, private and link-local addresses (default false). */
  allowPrivateNetworks?: boolean;
  /** Aborts the fetch. */
  signal?: AbortSignal;
}

/** A response whose body streams. */
export interface FetchedFile {
  body: IncomingMessage;
  /** The response's Content-Type. */
  declaredType?: string;
  /** The response's Content-Length. */
  declaredSize?: number;
  /** From Content-Disposition, else the last segment of the URL's path. */
  filename?: string;
}

/** Redirects followed at most. */
const MAX_REDIRECTS = 3;

/**
 * Requests a URL and hands its body over as it arrives.
 * @param url - an http or https URL
 * @param options - timeout, whether private addresses are allowed, abort signal
 * @returns the response, status 2xx
 * @throws SwitchboardError VALIDATION_FAILED (400) for a URL that is not http(s), names an address
 *   that is not allowed, answers other than 2xx, or redirects too often; RETRYABLE_FAILURE (502) when
 *   it cannot be reached or times out
 */
export async function fetchFromUrl(url: string, options: UrlFetchOptions): Promise<FetchedFile> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const target = parse(current);
    const response = await get(target, options);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw refused(url, `redirects more than ${MAX_REDIRECTS} times`);
      current = new URL(response.headers.location, target).toString();
      continue;
    }
    if (status < 200 || status > 299) {
      response.resume();
      throw refused(url, `answered HTTP ${status}`);
    }
    const length = Number(response.headers['content-length']);
    const filename = filenameOf(response.headers['content-disposition']) ?? lastSegment(target);
    return {
      body: response,
      ...(response.headers['content-type'] ? { declaredType: response.headers['content-type'] } : {}),
      ...(Number.isSafeInteger(length) && length >= 0 ? { declaredSize: length } : {}),
      ...(filename ? { filename } : {}),
    };
  }
}

function parse(url: string): URL {
  let target: URL;
  try { target = new URL(url); } catch { throw refused(url, 'is not a URL'); }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw refused(url, 'is not an http or https URL');
  if (target.username || target.password) throw refused(url, 'must not carry credentials');
  return target;
}

function get(target: URL, options: UrlFetchOptions): Promise<IncomingMessage> {
  const agent = useAgent(target.toString(), options.allowPrivateNetworks ? { allowPrivateIPAddress: true, allowMetaIPAddress: true } : {});
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'GET', agent, timeout: options.timeoutMs,
      headers: { 'user-agent': 'Switchboard media fetch', accept: '*/*' },
      ...(options.signal ? { signal: options.signal } : {}),
    }, resolve);
    req.on('timeout', () => req.destroy(new SwitchboardError('RETRYABLE_FAILURE', `${redact(target)} did not answer within ${options.timeoutMs} ms`, true)));
    req.on('error', (error) => {
      if (error instanceof SwitchboardError || error.name === 'AbortError') { reject(error); return; }
      // request-filtering-agent refuses a forbidden address with a message saying so
      if (/^DNS lookup .* is not allowed/.test(error.message)) {
        reject(refused(target.toString(), 'names an address that is not allowed (loopback, private or link-local networks)'));
        return;
      }
      reject(new SwitchboardError('RETRYABLE_FAILURE', `${redact(target)} cannot be reached: ${error.message}`, true, { cause: error }));
    });
    req.end();
  });
}

function refused(url: string, why: string): SwitchboardError {
  let shown: string;
  try { shown = redact(new URL(url)); } catch { shown = url.slice(0, 200); }
  return new SwitchboardError('VALIDATION_FAILED', `url ${shown} ${why}`, false, { details: { field: 'url', problems: [{ field: 'url', message: why }] } });
}

/** The URL without its query (it may carry a token). */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 300);
}

function lastSegment(url: URL): string | undefined {
  const segment = url.pathname.split('/').pop();
  if (!segment) return undefined;
  try { return decodeURIComponent(segment); } catch { return segment; }
}

/** The file name of a Content-Disposition header, if it names one. */
function filenameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const name = contentDisposition.parse(header).parameters.filename;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Executing a {@link ProviderRequest} with fetch: JSON in, JSON out, and a typed error that keeps
 * the platform's status, headers and body for `classify`.
 * @module
 */
import { SwitchboardError } from '../errors.js';
import type { ProviderRequest } from '../spi.js';

/** A platform answered with a non-2xx status. `classify` reads `status` and `body`. */
export class ProviderHttpError extends SwitchboardError {
  /** HTTP status. */
  readonly status: number;
  /** Parsed JSON body, or the text when it is not JSON. */
  readonly body: unknown;
  /** Response headers, lower-cased. */
  readonly headers: Record<string, string>;
  /**
   * @param status - HTTP status
   * @param body - parsed body
   * @param headers - response headers
   */
  constructor(status: number, body: unknown, headers: Record<string, string>) {
    super('PROVIDER_HTTP_ERROR', `platform answered ${status}`, status >= 500 || status === 429, { details: { status } });
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** The request could not be completed (DNS, connection reset, timeout). */
export class ProviderNetworkError extends SwitchboardError {
  /** @param message - what failed */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('PROVIDER_NETWORK_ERROR', message, true, options);
  }
}

/** Options for {@link executeProviderRequest}. */
export interface ExecuteOptions {
  fetch?: typeof globalThis.fetch;
  /** Abort after this many milliseconds (default 15 000). */
  timeoutMs?: number;
}

/**
 * Sends a provider request (JSON body unless a content-type says otherwise) and parses the answer.
 * @param request - what `render` produced
 * @param options - fetch implementation and timeout
 * @returns the parsed JSON answer (or text), with status and headers
 * @throws ProviderHttpError for non-2xx answers, ProviderNetworkError when no answer came
 */
export async function executeProviderRequest(
  request: ProviderRequest,
  options: ExecuteOptions = {},
): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { ...request.headers };
  let body: string | Buffer | undefined;
  if (request.body !== undefined) {
    if (Buffer.isBuffer(request.body) || typeof request.body === 'string') body = request.body;
    else {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (cause) {
    throw new ProviderNetworkError(`request to ${new URL(request.url).host} failed: ${(cause as Error).message}`, { cause });
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown = text;
  if (text !== '') {
    try { parsed = JSON.parse(text); } catch { /* keep the text */ }
  }
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((v, k) => { responseHeaders[k] = v; });
  if (!response.ok) throw new ProviderHttpError(response.status, parsed, responseHeaders);
  return { status: response.status, body: parsed, headers: responseHeaders };
}

/**
 * Reads a `Retry-After` header (seconds or an HTTP date) as milliseconds.
 * @param value - the header value
 * @param now - current time in ms
 * @returns the delay, or undefined when absent or unreadable
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The {@link ProviderHttpError} for a platform's error answer when the connector fetched it itself
 * (a media download): its headers, and its body read up to a bound (an error page can be large) and
 * parsed as JSON when it is JSON. Never throws: a body that cannot be read leaves the status to speak.
 * @param response - the non-2xx answer
 * @param maxBodyBytes - the most of the body that is read
 * @returns the error, for the connector's `classify`
 * @example
 * ```ts
 * if (!response.ok) throw await providerHttpErrorOf(response, 16 * 1024);
 * ```
 */
export async function providerHttpErrorOf(response: Response, maxBodyBytes: number): Promise<ProviderHttpError> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => { headers[k] = v; });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        chunks.push(Buffer.from(chunk));
        size += chunk.byteLength;
        if (size >= maxBodyBytes) break;
      }
    }
  } catch { /* the status says enough */ }
  const text = Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8');
  let body: unknown = text;
  try { body = JSON.parse(text) as unknown; } catch { /* keep the text */ }
  return new ProviderHttpError(response.status, body, headers);
}

/**
 * A contact-context provider behind an HTTPS endpoint: the host POSTs the query as JSON, signed
 * with HMAC-SHA256 over `<timestamp>.<body>` (`Switchboard-Signature: t=<unix seconds>,v1=<hex>`,
 * the timestamp from the host clock so the endpoint can refuse replays), within a timeout, and
 * reads at most 256 KiB of the answer. 200 with a context, 204 or 404 when the CRM does not know
 * the contact; anything else is a failure.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@switchboard/core';
import type { ContactContextProvider, ContactContextQuery } from './contact-context.js';

/** The endpoint's settings (the config's `contactContext.endpoint`). */
export interface ContextEndpointConfig {
  /** `https://…`; `http://` only on a loopback host (127.0.0.1, ::1, localhost), for development. */
  url: string;
  /** The HMAC key (at least 16 characters). */
  secret: string;
  /** How long one call may take, in ms (default 3 000). */
  timeoutMs?: number;
}

/** The header the signature is sent in. */
export const CONTEXT_SIGNATURE_HEADER = 'switchboard-signature';
/** Bytes of an answer read at most. */
export const MAX_CONTEXT_ANSWER_BYTES = 256 * 1024;

/**
 * The signature of a body at a time, as the endpoint checks it.
 * @param secret - the shared secret
 * @param timestamp - unix seconds
 * @param body - the exact bytes sent
 * @returns `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 */
export function signContextRequest(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a signature header (for endpoints written in TypeScript, and the tests).
 * @param secret - the shared secret
 * @param header - the `Switchboard-Signature` header
 * @param body - the raw body
 * @param nowSeconds - the endpoint's time, unix seconds
 * @param toleranceSeconds - how old a signature may be (default 300)
 * @returns whether the signature is valid and fresh
 */
export function verifyContextSignature(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signContextRequest(secret, t, body).split('v1=')[1]!, 'hex');
  const given = Buffer.from(m[2]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a URL may serve as the endpoint: https, or http on a loopback host.
 * @param url - the URL
 * @returns a problem, or undefined when it is usable
 */
export function endpointUrlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'must be an absolute URL';
  const u = new URL(url);
  if (u.username || u.password) return 'must not carry credentials (the request is signed instead)';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname)) return undefined;
  return 'must be an https URL (http only on 127.0.0.1, ::1 or localhost)';
}

/** Why a call to the endpoint failed. */
export class ContextEndpointError extends Error {
  override readonly name = 'ContextEndpointError';
}

/**
 * A provider calling an endpoint.
 * @param config - URL, secret, timeout
 * @param deps - the fetch to call it with and the host clock (the signature's time)
 * @returns the provider
 */
export function httpsContextProvider(config: ContextEndpointConfig, deps: { fetch?: typeof fetch; clock: Clock }): ContactContextProvider {
  const problem = endpointUrlProblem(config.url);
  if (problem) throw new ContextEndpointError(`contactContext.endpoint.url ${problem}`);
  const doFetch = deps.fetch ?? globalThis.fetch;
  const timeoutMs = config.timeoutMs ?? 3_000;
  return async (query: ContactContextQuery, { signal }) => withDeadline(timeoutMs, signal, async (callSignal) => {
    const body = JSON.stringify({
      tenantId: query.tenantId, contactId: query.contactId, addresses: query.addresses.map((a) => ({ channel: a.channel, accountId: a.accountId, userId: a.userId })),
      ...(query.name !== undefined ? { name: query.name } : {}), ...(query.crmRef !== undefined ? { crmRef: query.crmRef } : {}),
    });
    const res = await doFetch(config.url, {
      method: 'POST', redirect: 'error',
      headers: { 'content-type': 'application/json', accept: 'application/json', [CONTEXT_SIGNATURE_HEADER]: signContextRequest(config.secret, Math.floor(deps.clock.now() / 1000), body) },
      body, signal: callSignal,
    });
    if (res.status === 204 || res.status === 404) { await res.body?.cancel(); return undefined; }
    if (res.status !== 200) { await res.body?.cancel(); throw new ContextEndpointError(`the endpoint answered ${res.status}`); }
    const text = await readBounded(res, MAX_CONTEXT_ANSWER_BYTES);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ContextEndpointError('the endpoint answered something that is not JSON');
    }
  });
}

/**
 * Runs a call with a deadline that does not depend on fetch honouring its signal: the call gets a
 * signal aborted at the deadline (or when the caller's is), and the answer is a TimeoutError then
 * whatever the call does. Regression: a lookup of an endpoint that never answered hung for good in
 * a test run under load — after a garbage collection undici can lose the link from a request to
 * the `AbortSignal.any(…, AbortSignal.timeout(…))` it was given (nodejs/undici#4068).
 */
async function withDeadline<T>(ms: number, signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    const end = (reason: unknown): void => { controller.abort(reason); reject(reason instanceof Error ? reason : new Error(String(reason))); };
    timer = setTimeout(() => end(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
    onAbort = () => end(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(controller.signal), ended]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

async function readBounded(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) { await res.body?.cancel(); throw new ContextEndpointError(`the answer is larger than ${max} bytes`); }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new ContextEndpointError(`the answer is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

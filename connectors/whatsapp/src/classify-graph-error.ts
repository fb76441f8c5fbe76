/**
 * Maps Graph API errors (`{error:{message,type,code,error_subcode,error_data:{details},fbtrace_id}}`)
 * onto core's delivery-failure taxonomy.
 * @module
 */
import {
  PermanentError, RateLimitedError, RetryableError, WindowClosedError, cappedRetryAfter, classifyUnknownPlatformFailure, isConnectorError,
  isObject, type ConnectorError,
} from '@switchboard/core';

/** A Graph API error body, as far as classification needs it. */
export interface GraphError {
  message: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string };
  fbtrace_id?: string;
}

/** Delays used when the platform says it throttled but gives no Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = {
  /** 130429: the per-number throughput (80 msg/s) was exceeded; a second is enough to drain. */
  throughput: 1_000,
  /** 131056: pair rate, about one message per 6 s to the same user. */
  pairRate: 6_000,
  /** 4 / 80007: app or WABA call-rate limits, counted per hour by Graph. */
  callRate: 60_000,
  /** 131048: spam rate limit, imposed after too many messages were blocked or reported. */
  spamRate: 10 * 60_000,
} as const;

const RETRYABLE_CODES = new Set([1, 2, 131000, 131001, 131002, 131016, 131057, 133004]);
const WINDOW_CODES = new Set([131047, 470]);
const RATE_CODES: Record<number, number> = {
  130429: DEFAULT_RETRY_AFTER_MS.throughput,
  131056: DEFAULT_RETRY_AFTER_MS.pairRate,
  4: DEFAULT_RETRY_AFTER_MS.callRate,
  80007: DEFAULT_RETRY_AFTER_MS.callRate,
  131048: DEFAULT_RETRY_AFTER_MS.spamRate,
};

/**
 * Reads the Graph error object out of an answer body.
 * @param body - a parsed answer body
 * @returns the error, or undefined when the body is not a Graph error
 */
export function readGraphError(body: unknown): GraphError | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const e = body.error;
  const num = (v: unknown): number | undefined => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  };
  const out: GraphError = { message: typeof e.message === 'string' ? e.message : 'Graph API error' };
  if (typeof e.type === 'string') out.type = e.type;
  const code = num(e.code);
  const sub = num(e.error_subcode);
  if (code !== undefined) out.code = code;
  if (sub !== undefined) out.error_subcode = sub;
  if (typeof e.fbtrace_id === 'string') out.fbtrace_id = e.fbtrace_id;
  if (isObject(e.error_data)) {
    const data: NonNullable<GraphError['error_data']> = {};
    if (typeof e.error_data.details === 'string') data.details = e.error_data.details;
    if (typeof e.error_data.messaging_product === 'string') data.messaging_product = e.error_data.messaging_product;
    out.error_data = data;
  }
  return out;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Classifies anything a send may throw: the Graph codes WhatsApp documents here, everything else
 * (an unknown code, a bare HTTP status, no answer at all) as core's {@link classifyUnknownPlatformFailure}
 * does for every connector, with the Graph message and details kept.
 * @param error - a ProviderHttpError (by shape), a ProviderNetworkError, an already classified error, or anything
 * @param now - current time in ms, to read an HTTP-date Retry-After
 * @returns the classified error, keeping `error` as `cause`
 */
export function classifyGraphError(error: unknown, now: number): ConnectorError {
  if (isConnectorError(error)) return error;
  const code = field(error, 'code');
  if (code === 'PROVIDER_NETWORK_ERROR') {
    return new RetryableError(`network error talking to the Graph API: ${String(field(error, 'message') ?? '')}`, { cause: error });
  }
  if (code === 'PROVIDER_HTTP_ERROR' && typeof field(error, 'status') === 'number') {
    const status = field(error, 'status') as number;
    const headers = field(error, 'headers');
    const retryAfterHeader = isObject(headers) && typeof headers['retry-after'] === 'string' ? headers['retry-after'] : undefined;
    const retryAfter = cappedRetryAfter(retryAfterHeader, now);
    const graph = readGraphError(field(error, 'body'));
    const details: Record<string, unknown> = { status };
    let message = `Graph API answered ${status}`;
    if (graph) {
      // Graph usually prefixes the message with "(#code)" already
      const head = /^\(#\d+\)/.test(graph.message) || graph.code === undefined ? graph.message : `(#${graph.code}) ${graph.message}`;
      message = `${head}${graph.error_data?.details ? `: ${graph.error_data.details}` : ''}`;
      details.graphCode = graph.code;
      if (graph.error_subcode !== undefined) details.subcode = graph.error_subcode;
      if (graph.type) details.type = graph.type;
      if (graph.fbtrace_id) details.fbtraceId = graph.fbtrace_id;
      if (graph.error_data?.details) details.reason = graph.error_data.details;
    }
    const options = { cause: error, details };
    const g = graph?.code;
    if (g !== undefined) {
      if (g in RATE_CODES) return new RateLimitedError(message, retryAfter ?? RATE_CODES[g]!, options);
      if (WINDOW_CODES.has(g)) return new WindowClosedError(message, options);
      // the user stopped marketing messages: a marketing opt-out, not a block of the business
      if (g === 131050) return new PermanentError(message, { ...options, details: { ...details, consent: 'marketing-opt-out' } });
      if (RETRYABLE_CODES.has(g)) return new RetryableError(message, { ...options, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
    }
    // 100 invalid parameter, 131026 undeliverable, 131049 ecosystem limit, 132xxx templates, auth errors
    // are 4xx answers: permanent there, as a 5xx is retryable and a bare 429 waits Graph's call-rate window
    return classifyUnknownPlatformFailure(error, { now, platform: 'the Graph API', message, details, defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS.callRate });
  }
  return classifyUnknownPlatformFailure(error, { now, platform: 'the Graph API' });
}

/**
 * Maps Graph API errors from the Send API onto core's delivery-failure families.
 * @module
 */
import {
  ProviderHttpError, RateLimitedError, RecipientBlockedError, RetryableError, WindowClosedError, cappedRetryAfter,
  classifyUnknownPlatformFailure, isObject, type ConnectorError,
} from '@switchboard/core';

/** The `error` object of a Graph API error answer. */
export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
  is_transient?: boolean;
}

/** Delay used for per-second Send API throttling (#613) when Meta gives no Retry-After. */
export const PER_SECOND_RETRY_MS = 1_000;
/** Delay used for app / page call-count throttling (#4, #17, #32, #80006) when Meta gives no Retry-After. */
export const CALL_COUNT_RETRY_MS = 60_000;

/** Subcodes of #10 that mean "outside the allowed window" (2018065: needs news messaging permission). */
const WINDOW_SUBCODES = new Set([2018278, 2018065]);
/** Codes Meta uses for throttling. */
const RATE_CODES = new Set([4, 17, 32, 613, 80006]);
/** Codes Meta documents as temporary ("please retry"). */
const TRANSIENT_CODES = new Set([1, 2, 1200]);

/**
 * Reads the `error` object of a Graph answer.
 * @param body - the parsed answer
 * @returns the error, or undefined when the body is not a Graph error
 */
export function graphErrorOf(body: unknown): GraphError | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const e = body.error;
  const out: GraphError = {};
  if (typeof e.message === 'string') out.message = e.message;
  if (typeof e.type === 'string') out.type = e.type;
  if (typeof e.code === 'number') out.code = e.code;
  if (typeof e.error_subcode === 'number') out.error_subcode = e.error_subcode;
  if (typeof e.fbtrace_id === 'string') out.fbtrace_id = e.fbtrace_id;
  if (typeof e.is_transient === 'boolean') out.is_transient = e.is_transient;
  return out;
}

/**
 * Classifies anything the Send API call threw: the Graph codes Messenger documents here, everything
 * else (an unknown code, a bare HTTP status, no answer at all) as core's
 * {@link classifyUnknownPlatformFailure} does for every connector, with the Graph label and details kept.
 * @param error - a ProviderHttpError, ProviderNetworkError, an already classified error or anything else
 * @param now - current time in ms, for Retry-After dates
 * @returns the classified error, keeping the original as `cause`
 */
export function classifyGraphError(error: unknown, now: number): ConnectorError {
  if (!(error instanceof ProviderHttpError)) return classifyUnknownPlatformFailure(error, { now, platform: 'the Send API' });
  const graph = graphErrorOf(error.body);
  const code = graph?.code;
  const subcode = graph?.error_subcode;
  const label = graph ? `(#${code ?? '?'}${subcode !== undefined ? `/${subcode}` : ''}) ${graph.message ?? 'Graph API error'}` : `Send API answered HTTP ${error.status}`;
  const details = graph ? { graphCode: code, graphSubcode: subcode, fbtraceId: graph.fbtrace_id, httpStatus: error.status } : { httpStatus: error.status };
  const options = { cause: error, details };
  const retryAfter = cappedRetryAfter(error.headers['retry-after'], now);
  if ((code !== undefined && RATE_CODES.has(code)) || error.status === 429) {
    return new RateLimitedError(label, retryAfter ?? (code === 613 || code === undefined ? PER_SECOND_RETRY_MS : CALL_COUNT_RETRY_MS), options);
  }
  if (code === 551) return new RecipientBlockedError(label, options);
  if (code === 10 && ((subcode !== undefined && WINDOW_SUBCODES.has(subcode)) || /outside (of )?(the )?allowed window/i.test(graph?.message ?? ''))) {
    return new WindowClosedError(label, options);
  }
  if (graph?.is_transient === true || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return new RetryableError(label, { ...options, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
  }
  // 100 invalid parameter (2018001 no matching user), 190 token, 200 permissions, other #10 are 4xx
  // answers, permanent there: retrying will not help; a 5xx is retryable
  return classifyUnknownPlatformFailure(error, { now, platform: 'the Send API', message: label, details });
}

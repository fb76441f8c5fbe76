/**
 * The one classification of a platform failure a connector does not recognise. Every connector's
 * `classify` maps what its platform documents (WhatsApp 131047, Telegram's "bot was blocked",
 * Viber's status 6…) and hands everything else to {@link classifyUnknownPlatformFailure}, so an
 * unrecognised failure is retried, paced or given up the same way whichever channel it came from.
 * @module
 */
import {
  PermanentError, RateLimitedError, RetryableError, isSwitchboardError, type ConnectorError,
} from './errors.js';
import { parseRetryAfter } from './util/http.js';

/**
 * The longest delay a platform's `Retry-After` is honoured for (one hour). A longer one is more
 * likely a misread (an HTTP date from a skewed clock, seconds taken for milliseconds) than a real
 * request, and would park a customer's message for days; an hour covers the longest documented
 * window (Graph's hourly call counts), and a platform still throttling then simply says so again.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * The delay used for an HTTP 429 that names none (one second): the platform throttled without
 * saying for how long, so the dispatcher comes back soon and lets the platform's next answer pace it.
 */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 1_000;

const CONNECTOR_ERROR_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'RECIPIENT_BLOCKED', 'WINDOW_CLOSED', 'PERMANENT_FAILURE', 'RETRYABLE_FAILURE']);

/**
 * Whether a value is already a classified delivery failure, read from its `code` (so one from
 * another copy of core is recognised too). `classify` returns such a value unchanged.
 * @param value - anything thrown
 * @returns true for a {@link ConnectorError}
 */
export function isConnectorError(value: unknown): value is ConnectorError {
  return isSwitchboardError(value) && CONNECTOR_ERROR_CODES.has(value.code);
}

/**
 * A `Retry-After` header (seconds or an HTTP date) in milliseconds, at most {@link MAX_RETRY_AFTER_MS}.
 * @param value - the header's value
 * @param now - current time in ms (for an HTTP date)
 * @returns the delay, or undefined when the header is absent or unreadable
 * @example
 * ```ts
 * cappedRetryAfter('30', clock.now()); // 30_000
 * cappedRetryAfter('864000', clock.now()); // 3_600_000: ten days asked, an hour honoured
 * ```
 */
export function cappedRetryAfter(value: string | undefined, now: number): number | undefined {
  const ms = parseRetryAfter(value, now);
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Options of {@link classifyUnknownPlatformFailure}. */
export interface UnknownPlatformFailureOptions {
  /** Current time in ms, to read a `Retry-After` given as an HTTP date. */
  now: number;
  /** The platform's name for messages (`Telegram`, `the Graph API`). */
  platform: string;
  /** The message of the classified error, when the connector read a better one from the answer. */
  message?: string;
  /** Details the connector read from the answer (its platform code, trace id…), kept on the error. */
  details?: Record<string, unknown>;
  /**
   * The delay for an HTTP 429 without `Retry-After` when the platform documents one (default
   * {@link DEFAULT_RATE_LIMIT_DELAY_MS}); capped like a header.
   */
  defaultRetryAfterMs?: number;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function retryAfterHeader(error: unknown): string | undefined {
  const headers = field(error, 'headers');
  const value = field(headers, 'retry-after');
  return typeof value === 'string' ? value : undefined;
}

/** A printable description of anything, even an object without a prototype or with a throwing toString. */
function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Classifies a failure the connector does not recognise, the same way for every channel:
 * - already classified → returned unchanged;
 * - a network failure (`PROVIDER_NETWORK_ERROR`: no answer, connection reset, timeout) → retryable;
 * - an HTTP answer (`PROVIDER_HTTP_ERROR`, read by shape):
 *   429 → rate-limited after its `Retry-After` (capped at {@link MAX_RETRY_AFTER_MS}) or the default;
 *   408 and 5xx → retryable (the platform did not get to the request, or failed on its side), with the
 *   `Retry-After` it gave; any other status (a 4xx, or a redirect fetch did not follow) → permanent:
 *   the platform refused this request, and sending it unchanged again gets the same answer;
 * - anything else (an error that is neither an answer nor a network failure) → retryable.
 *
 * Why retryable for the rest: the dispatcher's retries are bounded (a few attempts with backoff),
 * so calling a lasting fault retryable costs a few more attempts before the message fails, while
 * calling a passing fault permanent loses the customer's message at once. WhatsApp called these
 * permanent, the other four connectors retryable; this settles it once for all.
 * @param error - what a platform call threw
 * @param options - the clock, the platform's name, and what the connector read from the answer
 * @returns the classified error, keeping `error` as its cause
 * @example
 * ```ts
 * classify(error: unknown): ConnectorError {
 *   if (isMyPlatformsBlock(error)) return new RecipientBlockedError('blocked', { cause: error });
 *   return classifyUnknownPlatformFailure(error, { now: this.clock.now(), platform: 'LINE' });
 * }
 * ```
 */
export function classifyUnknownPlatformFailure(error: unknown, options: UnknownPlatformFailureOptions): ConnectorError {
  if (isConnectorError(error)) return error;
  const code = field(error, 'code');
  const status = field(error, 'status');
  const { now, platform, details } = options;
  const base = { cause: error, ...(details ? { details } : {}) };
  if (code === 'PROVIDER_HTTP_ERROR' && typeof status === 'number') {
    const message = options.message ?? `${platform} answered HTTP ${status}`;
    const retryAfter = cappedRetryAfter(retryAfterHeader(error), now);
    if (status === 429) {
      return new RateLimitedError(message, retryAfter ?? Math.min(options.defaultRetryAfterMs ?? DEFAULT_RATE_LIMIT_DELAY_MS, MAX_RETRY_AFTER_MS), base);
    }
    if (status === 408 || status >= 500) {
      return new RetryableError(message, { ...base, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
    }
    return new PermanentError(message, base);
  }
  if (code === 'PROVIDER_NETWORK_ERROR') {
    return new RetryableError(options.message ?? describe(error), base);
  }
  return new RetryableError(options.message ?? `${platform} call failed: ${describe(error)}`, base);
}

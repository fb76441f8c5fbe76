/**
 * Mapping Bot API failures onto Switchboard's error families.
 * @module
 */
import {
  ProviderHttpError, RateLimitedError, RecipientBlockedError, RetryableError, cappedRetryAfter, classifyUnknownPlatformFailure,
  isObject, MAX_RETRY_AFTER_MS,
} from '@switchboard/core';
import type { ConnectorError } from '@switchboard/core';

/** Delay used when a 429 names no `retry_after` (Telegram always does; this is belt and braces). */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** The Bot API's error body: `{ ok: false, error_code, description, parameters? }`. */
export interface BotApiErrorBody {
  ok: false;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

function readBody(body: unknown): BotApiErrorBody {
  if (!isObject(body)) return { ok: false };
  const out: BotApiErrorBody = { ok: false };
  if (typeof body.error_code === 'number') out.error_code = body.error_code;
  if (typeof body.description === 'string') out.description = body.description;
  if (isObject(body.parameters)) {
    const p: NonNullable<BotApiErrorBody['parameters']> = {};
    if (typeof body.parameters.retry_after === 'number') p.retry_after = body.parameters.retry_after;
    if (typeof body.parameters.migrate_to_chat_id === 'number') p.migrate_to_chat_id = body.parameters.migrate_to_chat_id;
    out.parameters = p;
  }
  return out;
}

// 403 descriptions that mean this chat will not take messages from the bot until it says otherwise
const BLOCKED = [
  /bot was blocked by the user/i,
  /user is deactivated/i,
  /bot was kicked from the (super)?group chat/i,
  /bot is not a member of the (super)?group chat/i,
  /bot was kicked from the channel chat/i,
];

/**
 * Classifies what a Bot API call threw.
 * - 429 → rate-limited after `parameters.retry_after` seconds (capped like a Retry-After);
 * - 403 blocked by the user / user deactivated / bot kicked → recipient-blocked;
 * - an `error_code` of 500 or more → retryable;
 * - everything else as core's {@link classifyUnknownPlatformFailure} does for every connector: other
 *   4xx (chat not found, bad request, can't initiate conversation, unauthorized) → permanent, 408,
 *   5xx, network failures and anything unrecognised → retryable.
 * @param error - anything thrown by a send
 * @param now - current time in ms (for an HTTP-date Retry-After)
 * @returns the classified error, keeping `error` as its cause
 */
export function classifyTelegramError(error: unknown, now: number): ConnectorError {
  if (error instanceof ProviderHttpError) {
    const body = readBody(error.body);
    const code = body.error_code ?? error.status;
    const description = body.description ?? `Telegram answered ${error.status}`;
    const details: Record<string, unknown> = { status: error.status, errorCode: code, description };
    if (code === 429 || error.status === 429) {
      const seconds = body.parameters?.retry_after;
      const retryAfterMs = seconds !== undefined ? Math.min(Math.max(0, seconds * 1000), MAX_RETRY_AFTER_MS) : cappedRetryAfter(error.headers['retry-after'], now) ?? DEFAULT_RETRY_AFTER_MS;
      return new RateLimitedError(description, retryAfterMs, { cause: error, details });
    }
    if (code === 403 && BLOCKED.some((re) => re.test(description))) return new RecipientBlockedError(description, { cause: error, details });
    if (code >= 500) return new RetryableError(description, { cause: error, details });
    if (body.parameters?.migrate_to_chat_id !== undefined) details.migrateToChatId = String(body.parameters.migrate_to_chat_id);
    return classifyUnknownPlatformFailure(error, { now, platform: 'Telegram', message: description, details, defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS });
  }
  return classifyUnknownPlatformFailure(error, { now, platform: 'Telegram' });
}

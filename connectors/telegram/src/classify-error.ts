/**
 * Mapping Bot API failures onto Switchboard's error families.
 * @module
 */
import {
  PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError, RetryableError,
  isObject, isSwitchboardError, parseRetryAfter,
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

const CONNECTOR_ERROR_CODES = new Set(['RATE_LIMITED', 'RECIPIENT_BLOCKED', 'WINDOW_CLOSED', 'PERMANENT_FAILURE', 'RETRYABLE_FAILURE']);

/**
 * Classifies what a Bot API call threw.
 * - 429 → rate-limited after `parameters.retry_after` seconds;
 * - 403 blocked by the user / user deactivated / bot kicked → recipient-blocked;
 * - other 4xx (chat not found, bad request, can't initiate conversation, unauthorized) → permanent;
 * - 5xx and network failures → retryable.
 * @param error - anything thrown by a send
 * @param now - current time in ms (for an HTTP-date Retry-After)
 * @returns the classified error, keeping `error` as its cause
 */
export function classifyTelegramError(error: unknown, now: number): ConnectorError {
  if (isSwitchboardError(error) && CONNECTOR_ERROR_CODES.has(error.code)) return error as ConnectorError;
  if (error instanceof ProviderNetworkError) return new RetryableError(error.message, { cause: error });
  if (error instanceof ProviderHttpError) {
    const body = readBody(error.body);
    const code = body.error_code ?? error.status;
    const description = body.description ?? `Telegram answered ${error.status}`;
    const details: Record<string, unknown> = { status: error.status, errorCode: code, description };
    if (code === 429 || error.status === 429) {
      const seconds = body.parameters?.retry_after;
      const retryAfterMs = seconds !== undefined ? seconds * 1000 : parseRetryAfter(error.headers['retry-after'], now) ?? DEFAULT_RETRY_AFTER_MS;
      return new RateLimitedError(description, retryAfterMs, { cause: error, details });
    }
    if (code === 403 && BLOCKED.some((re) => re.test(description))) return new RecipientBlockedError(description, { cause: error, details });
    if (error.status >= 500 || code >= 500) return new RetryableError(description, { cause: error, details });
    if (body.parameters?.migrate_to_chat_id !== undefined) details.migrateToChatId = String(body.parameters.migrate_to_chat_id);
    return new PermanentError(description, { cause: error, details });
  }
  const message = error instanceof Error ? error.message : describe(error);
  return new RetryableError(`Telegram call failed: ${message}`, { cause: error });
}

/** A printable description of anything, even objects without a prototype or a throwing toString. */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

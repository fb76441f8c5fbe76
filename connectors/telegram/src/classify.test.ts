import { describe, expect, it } from 'vitest';
import {
  PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError, RetryableError,
} from '@switchboard/core';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';

const connector = new TelegramConnector(parseConfig({ botToken: '7000000001:AAFakeSandboxTokenForSwitchboard001', secretToken: 's' }));
const http = (status: number, description: string, parameters?: Record<string, unknown>) =>
  new ProviderHttpError(status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) }, { 'content-type': 'application/json' });

describe('classify', () => {
  it('429 → rate-limited after parameters.retry_after seconds, keeping the cause', () => {
    const original = http(429, 'Too Many Requests: retry after 17', { retry_after: 17 });
    const error = connector.classify(original);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(17_000);
    expect(error.cause).toBe(original);
  });

  it('429 without parameters falls back to Retry-After, then to 1 s', () => {
    expect((connector.classify(new ProviderHttpError(429, { ok: false }, { 'retry-after': '3' })) as RateLimitedError).retryAfterMs).toBe(3000);
    expect((connector.classify(new ProviderHttpError(429, 'busy', {})) as RateLimitedError).retryAfterMs).toBe(1000);
  });

  it('403 bot was blocked by the user → recipient-blocked', () => {
    expect(connector.classify(http(403, 'Forbidden: bot was blocked by the user'))).toBeInstanceOf(RecipientBlockedError);
  });

  it('403 user is deactivated → recipient-blocked', () => {
    expect(connector.classify(http(403, 'Forbidden: user is deactivated'))).toBeInstanceOf(RecipientBlockedError);
  });

  it('403 bot was kicked from the group chat → recipient-blocked', () => {
    expect(connector.classify(http(403, 'Forbidden: bot was kicked from the group chat'))).toBeInstanceOf(RecipientBlockedError);
  });

  it("403 bot can't initiate conversation → permanent (the user never started the bot; nothing to record as blocked)", () => {
    expect(connector.classify(http(403, "Forbidden: bot can't initiate conversation with a user"))).toBeInstanceOf(PermanentError);
  });

  it('400 chat not found → permanent', () => {
    const error = connector.classify(http(400, 'Bad Request: chat not found'));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.details).toMatchObject({ errorCode: 400, description: 'Bad Request: chat not found' });
  });

  it('other 400s → permanent; a group migration carries the new chat id', () => {
    expect(connector.classify(http(400, 'Bad Request: message is too long'))).toBeInstanceOf(PermanentError);
    const migrated = connector.classify(http(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }));
    expect(migrated).toBeInstanceOf(PermanentError);
    expect(migrated.details?.migrateToChatId).toBe('-1001234567890');
  });

  it('401 Unauthorized → permanent', () => {
    expect(connector.classify(http(401, 'Unauthorized'))).toBeInstanceOf(PermanentError);
  });

  it('5xx → retryable', () => {
    expect(connector.classify(http(502, 'Bad Gateway'))).toBeInstanceOf(RetryableError);
    expect(connector.classify(new ProviderHttpError(500, '<html>oops</html>', {}))).toBeInstanceOf(RetryableError);
  });

  it('network failures → retryable', () => {
    expect(connector.classify(new ProviderNetworkError('ECONNRESET'))).toBeInstanceOf(RetryableError);
  });

  it('an already classified error is returned as is', () => {
    const blocked = new RecipientBlockedError('blocked');
    expect(connector.classify(blocked)).toBe(blocked);
  });

  it('values that cannot be turned into strings still classify (regression: Object.create(null))', () => {
    expect(connector.classify(Object.create(null))).toBeInstanceOf(RetryableError);
    expect(connector.classify({ toString() { throw new Error('no'); } })).toBeInstanceOf(RetryableError);
  });

  it('anything else → retryable with the cause kept', () => {
    const odd = new TypeError('weird');
    const error = connector.classify(odd);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.cause).toBe(odd);
  });
});

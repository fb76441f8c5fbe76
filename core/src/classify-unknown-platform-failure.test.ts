import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMIT_DELAY_MS, MAX_RETRY_AFTER_MS, PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError,
  RecipientBlockedError, RetryableError, WindowClosedError, cappedRetryAfter, classifyUnknownPlatformFailure, connectorErrorKind,
  isConnectorError, isSwitchboardError,
} from './index.js';

const NOW = Date.parse('2026-11-15T10:00:00Z');
const classify = (error: unknown, extra: Partial<Parameters<typeof classifyUnknownPlatformFailure>[1]> = {}) =>
  classifyUnknownPlatformFailure(error, { now: NOW, platform: 'Relay', ...extra });

describe('classifyUnknownPlatformFailure', () => {
  it.each([
    [400, 'permanent'], [401, 'permanent'], [403, 'permanent'], [404, 'permanent'], [409, 'permanent'], [410, 'permanent'],
    [413, 'permanent'], [422, 'permanent'], [304, 'permanent'],
    [408, 'retryable'], [500, 'retryable'], [501, 'retryable'], [502, 'retryable'], [503, 'retryable'], [504, 'retryable'],
    [429, 'rate-limited'],
  ] as const)('HTTP %i the connector does not recognise is %s', (status, kind) => {
    const error = new ProviderHttpError(status, '<html>error</html>', {});
    const c = classify(error);
    expect(connectorErrorKind(c)).toBe(kind);
    expect(c.cause).toBe(error);
    expect(c.message).toBe(`Relay answered HTTP ${status}`);
  });

  it('429 waits its Retry-After, in seconds or as an HTTP date, else the default or the connector\'s', () => {
    expect(classify(new ProviderHttpError(429, '', { 'retry-after': '3' }))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000 });
    expect(classify(new ProviderHttpError(429, '', { 'retry-after': new Date(NOW + 45_000).toUTCString() }))).toMatchObject({ retryAfterMs: 45_000 });
    expect(classify(new ProviderHttpError(429, '', {}))).toMatchObject({ retryAfterMs: DEFAULT_RATE_LIMIT_DELAY_MS });
    expect(classify(new ProviderHttpError(429, '', {}), { defaultRetryAfterMs: 60_000 })).toMatchObject({ retryAfterMs: 60_000 });
  });

  it('a Retry-After beyond an hour is honoured for an hour (ten days asked, or a date a year ahead)', () => {
    expect((classify(new ProviderHttpError(429, '', { 'retry-after': '864000' })) as RateLimitedError).retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    const yearAhead = new Date(NOW + 365 * 86_400_000).toUTCString();
    expect((classify(new ProviderHttpError(429, '', { 'retry-after': yearAhead })) as RateLimitedError).retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    expect((classify(new ProviderHttpError(503, '', { 'retry-after': '864000' })) as RetryableError).retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    expect((classify(new ProviderHttpError(429, '', {}), { defaultRetryAfterMs: 10 * MAX_RETRY_AFTER_MS }) as RateLimitedError).retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
  });

  it('a 5xx keeps its Retry-After, and has no delay of its own without one', () => {
    expect(classify(new ProviderHttpError(503, '', { 'retry-after': '5' }))).toMatchObject({ code: 'RETRYABLE_FAILURE', retryAfterMs: 5000 });
    expect((classify(new ProviderHttpError(502, '', {})) as RetryableError).retryAfterMs).toBeUndefined();
  });

  it('recognises an HTTP answer by its shape (an error from another copy of core)', () => {
    const foreign = Object.assign(new Error('platform answered 408'), { code: 'PROVIDER_HTTP_ERROR', retryable: false, status: 408, headers: {} });
    expect(classify(foreign)).toBeInstanceOf(RetryableError);
    const foreign404 = Object.assign(new Error('platform answered 404'), { code: 'PROVIDER_HTTP_ERROR', retryable: false, status: 404, headers: {} });
    expect(classify(foreign404)).toBeInstanceOf(PermanentError);
  });

  it('a network failure is retryable, with its message', () => {
    const error = new ProviderNetworkError('request to api.example.com failed: ECONNRESET');
    expect(classify(error)).toMatchObject({ code: 'RETRYABLE_FAILURE', message: 'request to api.example.com failed: ECONNRESET', cause: error });
  });

  it('anything else is retryable, never permanent (regression: WhatsApp called it permanent, the other connectors retryable)', () => {
    const odd = new TypeError('x is undefined');
    expect(classify(odd)).toMatchObject({ code: 'RETRYABLE_FAILURE', message: 'Relay call failed: x is undefined', cause: odd });
    for (const value of [undefined, null, 42, 'boom', {}, Object.create(null), { toString() { throw new Error('no'); } }]) {
      expect(connectorErrorKind(classify(value))).toBe('retryable');
    }
  });

  it('returns an already classified error unchanged', () => {
    for (const e of [new WindowClosedError('closed'), new RecipientBlockedError('blocked'), new RateLimitedError('slow', 5), new PermanentError('no')]) {
      expect(classify(e)).toBe(e);
    }
  });

  it('keeps the message and details the connector read from the answer', () => {
    const c = classify(new ProviderHttpError(400, { error: { code: 999 } }, {}), { message: '(#999) new error', details: { platformCode: 999 } });
    expect(c).toMatchObject({ code: 'PERMANENT_FAILURE', message: '(#999) new error', details: { platformCode: 999 } });
  });

  it('classifies anything without throwing', () => {
    fc.assert(fc.property(fc.anything(), (value) => isSwitchboardError(classify(value)) && isConnectorError(classify(value))), { numRuns: 300 });
  });
});

describe('cappedRetryAfter', () => {
  it('reads seconds and HTTP dates, caps at an hour, and says nothing for an absent or unreadable header', () => {
    expect(cappedRetryAfter('30', NOW)).toBe(30_000);
    expect(cappedRetryAfter(new Date(NOW + 2_000).toUTCString(), NOW)).toBe(2_000);
    expect(cappedRetryAfter('7200', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(cappedRetryAfter(undefined, NOW)).toBeUndefined();
    expect(cappedRetryAfter('soon', NOW)).toBeUndefined();
  });
});

describe('isConnectorError', () => {
  it('is true for the five delivery-failure families only', () => {
    expect(isConnectorError(new RetryableError('x'))).toBe(true);
    expect(isConnectorError(new ProviderHttpError(500, '', {}))).toBe(false);
    expect(isConnectorError(new Error('x'))).toBe(false);
    expect(isConnectorError({ code: 'RATE_LIMITED' })).toBe(false);
  });
});

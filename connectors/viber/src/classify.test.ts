import { describe, expect, it } from 'vitest';
import {
  PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError, RetryableError, connectorErrorKind,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { VIBER_RATE_LIMIT_DELAY_MS, ViberConnector } from './viber-connector.js';
import { VIBER_STATUS, ViberStatusError } from './viber-api.js';
import { BASE_CONFIG } from './__fixtures__/helpers.js';

const connector = new ViberConnector(parseConfig(BASE_CONFIG), { clock: { now: () => Date.parse('2026-11-01T00:00:00Z') } });
const status = (code: number, message = (VIBER_STATUS as Record<number, string>)[code] ?? 'General error') =>
  new ViberStatusError(code, message, { status: code, status_message: message });

describe('classify: Viber answer statuses (HTTP 200 with a non-zero status)', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24])('status %i is permanent', (code) => {
    const c = connector.classify(status(code));
    expect(c).toBeInstanceOf(PermanentError);
    expect(c.message).toContain(`status ${code}`);
  });
  it('status 6 receiverNotSubscribed → recipient-blocked, keeping status_message', () => {
    const cause = status(6, 'notSubscribed');
    const c = connector.classify(cause);
    expect(c).toBeInstanceOf(RecipientBlockedError);
    expect(c.message).toBe('Viber status 6 receiverNotSubscribed: notSubscribed');
    expect(c.cause).toBe(cause);
    expect(c.details).toMatchObject({ viberStatus: 6, statusMessage: 'notSubscribed' });
  });
  it('status 12 tooManyRequests → rate-limited after the documented default delay', () => {
    const c = connector.classify(status(12, 'Too many requests'));
    expect(c).toBeInstanceOf(RateLimitedError);
    expect((c as RateLimitedError).retryAfterMs).toBe(VIBER_RATE_LIMIT_DELAY_MS);
    expect(c.message).toContain('Too many requests');
  });
  it('an undocumented status (general error) → retryable', () => {
    expect(connector.classify(status(99, 'General error'))).toBeInstanceOf(RetryableError);
    expect(connector.classify(status(-1, 'answer without a status'))).toBeInstanceOf(RetryableError);
  });
});

describe('classify: HTTP and network failures', () => {
  it('a non-2xx answer carrying a Viber status is classified by the status', () => {
    expect(connector.classify(new ProviderHttpError(400, { status: 6, status_message: 'notSubscribed' }, {}))).toBeInstanceOf(RecipientBlockedError);
  });
  it('HTTP 429 honours Retry-After', () => {
    const c = connector.classify(new ProviderHttpError(429, '', { 'retry-after': '7' }));
    expect(c).toBeInstanceOf(RateLimitedError);
    expect((c as RateLimitedError).retryAfterMs).toBe(7000);
  });
  it('HTTP 429 without Retry-After waits the default delay', () => {
    expect((connector.classify(new ProviderHttpError(429, '', {})) as RateLimitedError).retryAfterMs).toBe(VIBER_RATE_LIMIT_DELAY_MS);
  });
  it.each([500, 502, 503, 504, 408])('HTTP %i → retryable', (code) => {
    expect(connector.classify(new ProviderHttpError(code, 'oops', {}))).toBeInstanceOf(RetryableError);
  });
  it('HTTP 404 → permanent', () => {
    expect(connector.classify(new ProviderHttpError(404, 'Not Found', {}))).toBeInstanceOf(PermanentError);
  });
  it('a network error → retryable, keeping it as cause', () => {
    const cause = new ProviderNetworkError('request to chatapi.viber.com failed: ECONNRESET');
    const c = connector.classify(cause);
    expect(c).toBeInstanceOf(RetryableError);
    expect(c.cause).toBe(cause);
  });
  it('anything else → retryable', () => {
    for (const value of [undefined, null, 'x', 42, new TypeError('boom'), {}]) expect(connectorErrorKind(connector.classify(value))).toBe('retryable');
  });
  it('an already classified error is returned as is', () => {
    const e = new PermanentError('no');
    expect(connector.classify(e)).toBe(e);
  });
});

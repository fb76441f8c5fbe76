import { describe, expect, it } from 'vitest';
import {
  ContentInvalidError, ManualClock, ProviderHttpError, ProviderNetworkError, RateLimitedError, connectorErrorKind,
} from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { parseConfig } from './config.js';
import { config } from './__fixtures__/inbound.js';

const NOW = Date.parse('2026-11-15T10:00:00Z');
const connector = new AppleConnector(parseConfig(config), { clock: new ManualClock(NOW) });
const http = (status: number, headers: Record<string, string> = {}): ProviderHttpError => new ProviderHttpError(status, '', headers);

describe('classify', () => {
  it.each([
    [400, 'permanent'], [401, 'permanent'], [403, 'permanent'], [404, 'permanent'], [413, 'permanent'],
    [410, 'recipient-blocked'], [429, 'rate-limited'], [500, 'retryable'], [502, 'retryable'], [503, 'retryable'],
  ] as const)('HTTP %i is %s', (status, kind) => {
    const c = connector.classify(http(status));
    expect(connectorErrorKind(c)).toBe(kind);
    expect(c.cause).toBeInstanceOf(ProviderHttpError);
  });
  it('429 honours Retry-After in seconds and as an HTTP date; defaults to 1 s', () => {
    expect((connector.classify(http(429, { 'retry-after': '12' })) as RateLimitedError).retryAfterMs).toBe(12_000);
    expect((connector.classify(http(429, { 'retry-after': new Date(NOW + 30_000).toUTCString() })) as RateLimitedError).retryAfterMs).toBe(30_000);
    expect((connector.classify(http(429)) as RateLimitedError).retryAfterMs).toBe(1_000);
  });
  it('503 keeps Retry-After on the retryable error', () => {
    expect(connector.classify(http(503, { 'retry-after': '5' }))).toMatchObject({ code: 'RETRYABLE_FAILURE', retryAfterMs: 5000 });
  });
  it('network errors are retryable', () => {
    expect(connector.classify(new ProviderNetworkError('ECONNRESET'))).toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
  it('content errors are permanent; classified errors pass through', () => {
    expect(connector.classify(new ContentInvalidError('too big'))).toMatchObject({ code: 'PERMANENT_FAILURE' });
    const limited = new RateLimitedError('x', 5);
    expect(connector.classify(limited)).toBe(limited);
  });
  it('anything else is retryable and never throws', () => {
    for (const v of [undefined, null, 42, 'boom', {}, new Error('odd')]) expect(connector.classify(v)).toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
});

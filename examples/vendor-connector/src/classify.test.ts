import { describe, expect, it } from 'vitest';
import {
  ManualClock, PermanentError, ProviderHttpError, ProviderNetworkError, RecipientBlockedError, connectorErrorKind,
  type ConnectorErrorKind,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { ACME_DEFAULT_RETRY_AFTER_MS, SmsConnector } from './sms-connector.js';
import { CONFIG } from './__fixtures__/webhooks.js';

const NOW = Date.parse('2026-11-03T10:00:00Z');
const connector = new SmsConnector(parseConfig(CONFIG), { clock: new ManualClock(NOW) });
const acme = (status: number, code: string, message = 'm', headers: Record<string, string> = {}) =>
  new ProviderHttpError(status, { error: { code, message } }, headers);

describe('classify', () => {
  it.each<[string, unknown, ConnectorErrorKind]>([
    ['400 invalid_number', acme(400, 'invalid_number'), 'permanent'],
    ['400 invalid_sender', acme(400, 'invalid_sender'), 'permanent'],
    ['400 text_too_long', acme(400, 'text_too_long'), 'permanent'],
    ['401 unauthorized', acme(401, 'unauthorized'), 'permanent'],
    ['402 insufficient_credit', acme(402, 'insufficient_credit'), 'permanent'],
    ['403 recipient_opted_out', acme(403, 'recipient_opted_out'), 'recipient-blocked'],
    ['403 with another code', acme(403, 'destination_blocked'), 'permanent'],
    ['404 not_found', acme(404, 'not_found'), 'permanent'],
    ['408 without a body', new ProviderHttpError(408, '', {}), 'retryable'],
    ['429 rate_limited', acme(429, 'rate_limited', 'slow down', { 'retry-after': '2' }), 'rate-limited'],
    ['500 internal_error', acme(500, 'internal_error'), 'retryable'],
    ['502 from a proxy (HTML body)', new ProviderHttpError(502, '<html>Bad Gateway</html>', {}), 'retryable'],
    ['503 service_unavailable', acme(503, 'service_unavailable'), 'retryable'],
    ['network error', new ProviderNetworkError('request to api.acme-sms.example failed: ECONNRESET'), 'retryable'],
    ['a plain Error', new Error('boom'), 'retryable'],
    ['a string', 'boom', 'retryable'],
  ])('%s → %s', (_name, error, kind) => {
    const classified = connector.classify(error);
    expect(connectorErrorKind(classified)).toBe(kind);
    expect(classified.cause).toBe(error);
  });
  it('keeps the gateway code and message in the error', () => {
    const c = connector.classify(acme(402, 'insufficient_credit', 'Top up your balance.'));
    expect(c.message).toBe('Acme answered 402 insufficient_credit: Top up your balance.');
    expect(c.details).toMatchObject({ status: 402, acmeCode: 'insufficient_credit' });
  });
  it('honours Retry-After in seconds and as an HTTP date, else waits one second', () => {
    expect(connector.classify(acme(429, 'rate_limited', '', { 'retry-after': '3' }))).toMatchObject({ retryAfterMs: 3000 });
    expect(connector.classify(acme(429, 'rate_limited', '', { 'retry-after': new Date(NOW + 5000).toUTCString() }))).toMatchObject({ retryAfterMs: 5000 });
    expect(connector.classify(acme(429, 'rate_limited'))).toMatchObject({ retryAfterMs: ACME_DEFAULT_RETRY_AFTER_MS });
    expect(connector.classify(acme(503, 'service_unavailable', '', { 'retry-after': '30' }))).toMatchObject({ code: 'RETRYABLE_FAILURE', retryAfterMs: 30_000 });
  });
  it('passes already classified errors through unchanged', () => {
    const blocked = new RecipientBlockedError('x');
    const permanent = new PermanentError('y');
    expect(connector.classify(blocked)).toBe(blocked);
    expect(connector.classify(permanent)).toBe(permanent);
  });
});

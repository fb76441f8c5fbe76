import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ManualClock, PermanentError, ProviderHttpError, RateLimitedError, RetryableError, WindowClosedError, connectorErrorKind, isSwitchboardError,
} from '@switchboard/core';
import { errorSamples, graphError } from './__fixtures__/errors.js';
import { parseConfig } from './config.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
const connector = new WhatsAppConnector(parseConfig({ accessToken: 't', appSecret: 's', verifyToken: 'v', phoneNumberId: '1' }), { clock });

describe('classify', () => {
  for (const sample of errorSamples) {
    it(`${sample.name} → ${sample.expected}`, () => {
      const classified = connector.classify(sample.error);
      expect(connectorErrorKind(classified)).toBe(sample.expected);
      expect(classified.cause).toBe(sample.error);
      if (sample.retryAfterMs !== undefined) expect((classified as RateLimitedError).retryAfterMs).toBe(sample.retryAfterMs);
    });
  }

  it('keeps the Graph code, subcode, trace id and reason in the details and the message', () => {
    const c = connector.classify(graphError(400, 131026, '(#131026) Message Undeliverable', 'Message Undeliverable.', {}, 2494010));
    expect(c).toBeInstanceOf(PermanentError);
    expect(c.message).toBe('(#131026) Message Undeliverable: Message Undeliverable.');
    expect(c.details).toMatchObject({ status: 400, graphCode: 131026, subcode: 2494010, fbtraceId: 'AazMT6m3CuJ2y4rTw1V0Bk2', reason: 'Message Undeliverable.' });
  });

  it('131050 is a permanent marketing opt-out, not a block of the business', () => {
    const c = connector.classify(graphError(400, 131050, '(#131050) Unable to deliver the message.'));
    expect(c).toBeInstanceOf(PermanentError);
    expect(c.details).toMatchObject({ consent: 'marketing-opt-out' });
  });

  it('honours an HTTP-date Retry-After on a pair-rate error', () => {
    const at = new Date(clock.now() + 9000).toUTCString();
    const c = connector.classify(graphError(400, 131056, 'pair rate', undefined, { 'retry-after': at }));
    expect(c).toBeInstanceOf(RateLimitedError);
    expect((c as RateLimitedError).retryAfterMs).toBe(9000);
  });

  it('an unknown 4xx code is permanent, an unknown 5xx retryable, a bare 429 rate-limited', () => {
    expect(connector.classify(graphError(400, 999999, 'new error'))).toBeInstanceOf(PermanentError);
    expect(connector.classify(graphError(500, 999999, 'new error'))).toBeInstanceOf(RetryableError);
    expect(connector.classify(new ProviderHttpError(429, 'slow down', { 'retry-after': '2' }))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2000 });
  });

  it('returns an already classified error unchanged', () => {
    const e = new WindowClosedError('closed');
    expect(connector.classify(e)).toBe(e);
  });

  it('anything else becomes a retryable error without throwing, as on every connector (core decides; it was permanent here)', () => {
    fc.assert(fc.property(fc.anything(), (v) => isSwitchboardError(connector.classify(v))), { numRuns: 300 });
    expect(connector.classify(new TypeError('x is undefined'))).toBeInstanceOf(RetryableError);
  });
});

/**
 * The testkit's conformance suite, run against this package exactly as it runs against the
 * first-party connectors: the suite knows nothing about SMS; everything it checks comes from the
 * plugin's declared capabilities and policy and from the samples below.
 */
import { ProviderHttpError, ProviderNetworkError } from '@switchboard/core';
import { describeConnectorConformance, type ConformanceFixtures } from '@switchboard/testkit';
import plugin from './index.js';
import { signAcmeWebhook } from './acme-api.js';
import { CONFIG, CUSTOMER, SENDER, WEBHOOK_SECRET, webhooks } from './__fixtures__/webhooks.js';

const acme = (status: number, code: string, headers: Record<string, string> = {}) =>
  new ProviderHttpError(status, { error: { code, message: `${code} (sample)` } }, headers);
const base = { channel: 'sms', accountId: SENDER };

const fixtures: ConformanceFixtures = {
  config: CONFIG,
  // signed now: the suite's connector runs on a clock set when the suite is registered, well
  // inside the 5-minute replay window
  sign: (body, variant) => ({
    'x-acme-signature': signAcmeWebhook(variant === 'valid' ? WEBHOOK_SECRET : 'whsec_another_endpoint_00', body, Date.now() / 1000),
  }),
  signatureHeader: 'x-acme-signature',
  inbound: [
    { name: 'message.received', body: webhooks.received, expected: [{ ...base, kind: 'message', userId: CUSTOMER, externalId: webhooks.received.id, content: { type: 'text', text: 'Is my car ready?' } }] },
    { name: 'message.received STOP (a keyword for the host)', body: webhooks.receivedStop, expected: [{ ...base, kind: 'message', content: { type: 'text', text: 'STOP' } }] },
    { name: 'message.status sent', body: webhooks.sent, expected: [{ ...base, kind: 'status', status: 'sent', userId: CUSTOMER, externalId: webhooks.sent.id }] },
    { name: 'message.status delivered', body: webhooks.delivered, expected: [{ ...base, kind: 'status', status: 'delivered' }] },
    { name: 'message.status failed', body: webhooks.failed, expected: [{ ...base, kind: 'status', status: 'failed', error: { code: 'carrier_rejected' } }] },
    { name: 'message.status expired', body: webhooks.expired, expected: [{ ...base, kind: 'status', status: 'failed', error: { code: 'expired' } }] },
    { name: 'unknown status', body: webhooks.unknownStatus, expected: [{ kind: 'unsupported', reason: 'Acme delivery status "buffered"' }] },
    { name: 'unknown event type', body: webhooks.unknownType, expected: [{ kind: 'unsupported', reason: 'Acme event type "number.ported"' }] },
  ],
  address: { channel: 'sms', accountId: SENDER, userId: CUSTOMER },
  errors: [
    { name: '400 invalid_number', error: acme(400, 'invalid_number'), expected: 'permanent' },
    { name: '400 text_too_long', error: acme(400, 'text_too_long'), expected: 'permanent' },
    { name: '401 unauthorized', error: acme(401, 'unauthorized'), expected: 'permanent' },
    { name: '402 insufficient_credit', error: acme(402, 'insufficient_credit'), expected: 'permanent' },
    { name: '403 recipient_opted_out', error: acme(403, 'recipient_opted_out'), expected: 'recipient-blocked' },
    { name: '429 rate_limited with Retry-After', error: acme(429, 'rate_limited', { 'retry-after': '2' }), expected: 'rate-limited', retryAfterMs: 2000 },
    { name: '429 without Retry-After', error: acme(429, 'rate_limited'), expected: 'rate-limited', retryAfterMs: 1000 },
    { name: '500 internal_error', error: acme(500, 'internal_error'), expected: 'retryable' },
    { name: '503 service_unavailable', error: acme(503, 'service_unavailable'), expected: 'retryable' },
    { name: 'network error', error: new ProviderNetworkError('request to api.acme-sms.example failed: ECONNRESET'), expected: 'retryable' },
  ],
};

describeConnectorConformance(plugin, fixtures);

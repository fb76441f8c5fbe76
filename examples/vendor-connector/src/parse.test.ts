import { describe, expect, it } from 'vitest';
import type { RawWebhook } from '@switchboard/core';
import { parseConfig } from './config.js';
import { SmsConnector } from './sms-connector.js';
import { CONFIG, CUSTOMER, SENDER, webhooks } from './__fixtures__/webhooks.js';

const connector = new SmsConnector(parseConfig(CONFIG));
const parse = (body: unknown) => connector.parse({
  method: 'POST', path: '/webhooks/sms/main', query: {}, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
} satisfies RawWebhook);

describe('parse', () => {
  it('message.received → a text message from the customer to this sender', () => {
    expect(parse(webhooks.received)).toEqual([{
      kind: 'message', channel: 'sms', accountId: SENDER, userId: CUSTOMER, externalId: 'in_9f8e7d6c5b4a39281706f5e4',
      timestamp: new Date('2026-11-03T10:15:02Z'), content: { type: 'text', text: 'Is my car ready?' },
    }]);
  });
  it('a STOP text is a plain message: the host\'s keyword matcher records the opt-out', () => {
    expect(parse(webhooks.receivedStop)).toEqual([expect.objectContaining({ kind: 'message', content: { type: 'text', text: 'STOP' } })]);
  });
  it('message.status sent and delivered', () => {
    expect(parse(webhooks.sent)).toEqual([{
      kind: 'status', channel: 'sms', accountId: SENDER, userId: CUSTOMER, externalId: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b',
      status: 'sent', timestamp: new Date('2026-11-03T10:17:00.120Z'),
    }]);
    expect(parse(webhooks.delivered)).toEqual([expect.objectContaining({ kind: 'status', status: 'delivered', timestamp: new Date('2026-11-03T10:17:03.480Z') })]);
  });
  it('message.status failed keeps the gateway\'s error code and message', () => {
    expect(parse(webhooks.failed)).toEqual([expect.objectContaining({
      kind: 'status', status: 'failed', timestamp: new Date('2026-11-03T09:17:03Z'),
      error: { code: 'carrier_rejected', message: 'The destination carrier rejected the message as spam.' },
    })]);
  });
  it('message.status expired is a failure with code "expired"', () => {
    expect(parse(webhooks.expired)).toEqual([expect.objectContaining({ kind: 'status', status: 'failed', error: { code: 'expired', message: expect.any(String) } })]);
  });
  it('an unknown status or event type is an unsupported event, not an error', () => {
    expect(parse(webhooks.unknownStatus)).toEqual([{ kind: 'unsupported', channel: 'sms', accountId: SENDER, userId: CUSTOMER, reason: 'Acme delivery status "buffered"', timestamp: new Date('2026-11-03T10:17:01Z') }]);
    expect(parse(webhooks.unknownType)).toEqual([{ kind: 'unsupported', channel: 'sms', accountId: SENDER, reason: 'Acme event type "number.ported"' }]);
    expect(parse({ ...webhooks.unknownStatus, status: 'constructor' })).toEqual([expect.objectContaining({ kind: 'unsupported' })]);
  });
  it.each([
    ['not JSON', '{"type":'],
    ['an array', [webhooks.received]],
    ['no type', { ...webhooks.received, type: undefined }],
    ['no id', { ...webhooks.received, id: undefined }],
    ['no from', { ...webhooks.received, from: undefined }],
    ['text of the wrong type', { ...webhooks.received, text: { body: 'hi' } }],
    ['a timestamp that is not RFC 3339', { ...webhooks.received, occurred_at: '03/11/2026 10:15' }],
    ['a timestamp that is not a date', { ...webhooks.received, occurred_at: '2026-13-45T99:99:99Z' }],
    ['a numeric timestamp', { ...webhooks.received, occurred_at: 1793786102 }],
    ['a status without status', { ...webhooks.delivered, status: undefined }],
    ['an error that is not an object', { ...webhooks.failed, error: 'carrier_rejected' }],
    ['an error without a code', { ...webhooks.failed, error: { message: 'x' } }],
  ])('throws MalformedPayloadError for %s', (_name, body) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ code: 'MALFORMED_PAYLOAD' }));
  });
});

import { describe, expect, it } from 'vitest';
import { MalformedPayloadError, type RawWebhook } from '@switchboard/core';
import { AT, NAME, OUR_WAMID, PHONE_NUMBER_ID, TS, WAMID, WA_ID, envelope, inbound } from './__fixtures__/inbound.js';
import { parseConfig } from './config.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const connector = new WhatsAppConnector(parseConfig({ accessToken: 't', appSecret: 's', verifyToken: 'v', phoneNumberId: PHONE_NUMBER_ID }));
const raw = (body: unknown): RawWebhook => ({ method: 'POST', path: '/webhooks/whatsapp/x', query: {}, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('parse: one documented inbound kind per test', () => {
  for (const sample of inbound) {
    it(sample.name, () => {
      const events = connector.parse(raw(sample.body));
      expect(events).toHaveLength(sample.expected.length);
      sample.expected.forEach((e, i) => expect(events[i]).toMatchObject(e));
    });
  }
});

describe('parse: exact events', () => {
  it('a text message becomes exactly this event', () => {
    expect(connector.parse(raw(inbound[0]!.body))).toEqual([{
      kind: 'message', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, externalId: WAMID, timestamp: AT,
      profile: { name: NAME }, content: { type: 'text', text: 'Is my car ready?' },
    }]);
  });

  it('a failed status carries the error and no pricing', () => {
    const failed = inbound.find((s) => s.name === 'status failed with errors')!;
    const [event] = connector.parse(raw(failed.body));
    expect(event).toEqual({
      kind: 'status', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, externalId: OUR_WAMID, status: 'failed', timestamp: AT,
      error: { code: '131047', message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
    });
  });

  it('a message from a click-to-WhatsApp ad keeps the referral as metadata', () => {
    const referral = { source_url: 'https://fb.me/x', source_id: '120201', source_type: 'ad', headline: 'Spring service', body: 'Book now', ctwa_clid: 'ARAk' };
    const [event] = connector.parse(raw(envelope({ contacts: [{ profile: { name: NAME }, wa_id: WA_ID }], messages: [{ from: WA_ID, id: WAMID, timestamp: TS, type: 'text', text: { body: 'Hi' }, referral }] })));
    expect(event).toMatchObject({ kind: 'message', metadata: { referral } });
  });

  it('a first-time chat opening (request_welcome) is a conversation start', () => {
    const [event] = connector.parse(raw(envelope({ messages: [{ from: WA_ID, id: WAMID, timestamp: TS, type: 'request_welcome' }] })));
    expect(event).toMatchObject({ kind: 'conversation-started', userId: WA_ID, accountId: PHONE_NUMBER_ID, timestamp: AT });
  });

  it('a flow response (nfm_reply) and a status it does not know become unsupported, not errors', () => {
    const events = connector.parse(raw(envelope({
      messages: [{ from: WA_ID, id: WAMID, timestamp: TS, type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}', body: 'Sent', name: 'flow' } } }],
      statuses: [{ id: OUR_WAMID, status: 'played', timestamp: TS, recipient_id: WA_ID }],
    })));
    expect(events.map((e) => e.kind)).toEqual(['unsupported', 'unsupported']);
  });

  it('a message without a profile name has no profile', () => {
    const [event] = connector.parse(raw(envelope({ messages: [{ from: WA_ID, id: WAMID, timestamp: TS, type: 'text', text: { body: 'x' } }] })));
    expect(event).not.toHaveProperty('profile');
  });
});

describe('parse: malformed bodies', () => {
  const cases: [string, unknown][] = [
    ['not JSON', '{"object":'],
    ['another object', { object: 'page', entry: [] }],
    ['entry not an array', { object: 'whatsapp_business_account', entry: {} }],
    ['message without id', envelope({ messages: [{ from: WA_ID, timestamp: TS, type: 'text', text: { body: 'x' } }] })],
    ['text without body', envelope({ messages: [{ from: WA_ID, id: WAMID, timestamp: TS, type: 'text', text: {} }] })],
    ['timestamp not a number', envelope({ messages: [{ from: WA_ID, id: WAMID, timestamp: 'soon', type: 'text', text: { body: 'x' } }] })],
    ['messages change without metadata', { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [] } }] }] }],
  ];
  for (const [name, body] of cases) {
    it(`throws MalformedPayloadError: ${name}`, () => {
      expect(() => connector.parse(raw(body))).toThrow(MalformedPayloadError);
    });
  }
});

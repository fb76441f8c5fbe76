import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Content, type OutboundMessage } from '@switchboard/core';
import { FakeAcmeSmsServer, smsSandboxConfig } from './fake-acme-sms-server.js';
import { parseConfig } from './config.js';
import { SmsConnector } from './sms-connector.js';
import { CHOICE_PROMPT } from './render-sms-text.js';

const CUSTOMER = '+12025550143';
const fake = new FakeAcmeSmsServer();
let connector: SmsConnector;

beforeAll(async () => {
  await fake.start();
  connector = new SmsConnector(parseConfig(fake.connectorConfig()), { clock: new ManualClock(Date.parse('2026-11-03T10:00:00Z')) });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const msg = (content: Content, id = 'm-1'): OutboundMessage => ({
  id, to: { channel: 'sms', accountId: smsSandboxConfig.senderId, userId: CUSTOMER }, content, purpose: 'service', sender: 'bot',
});

/** Sends through the fake and returns the one request it recorded. */
async function recorded(content: Content) {
  await connector.send(msg(content));
  expect(fake.requests).toHaveLength(1);
  const [req] = fake.requests;
  expect(req!.method).toBe('POST');
  expect(req!.path).toBe('/v2/messages');
  expect(req!.headers.authorization).toBe(`Bearer ${smsSandboxConfig.apiKey}`);
  expect(req!.headers['content-type']).toBe('application/json');
  return req!;
}

const body = (text: string) => ({ from: smsSandboxConfig.senderId, to: CUSTOMER, text, client_ref: 'm-1' });

describe('exact payloads sent to POST /v2/messages', () => {
  it('text', async () => {
    const req = await recorded({ type: 'text', text: 'Your vehicle is being cleaned and will be ready for collection shortly.' });
    expect(req.body).toEqual(body('Your vehicle is being cleaned and will be ready for collection shortly.'));
  });
  it('text of exactly 1,600 characters (the limit) in one request', async () => {
    const text = 'a'.repeat(1600);
    const req = await recorded({ type: 'text', text });
    expect(req.body).toEqual(body(text));
    expect(fake.sent[0]!.segments).toBe(11);
  });
  it('interactive: numbered options and the reply prompt', async () => {
    const req = await recorded({
      type: 'interactive', header: 'Workshop', body: 'Is there anything else?', footer: 'Acme Motors',
      buttons: [{ id: 'status', title: 'Car status' }, { id: 'agent', title: 'Talk to a person' }],
    });
    expect(req.body).toEqual(body(`Workshop\nIs there anything else?\n1. Car status\n2. Talk to a person\n${CHOICE_PROMPT}\nAcme Motors`));
  });
  it('interactive list rows and quick replies, in that order after buttons', async () => {
    const req = await recorded({
      type: 'interactive', body: 'Pick a slot',
      list: { button: 'Slots', sections: [{ title: 'Mon', rows: [{ id: 'mon9', title: 'Mon 9:00' }] }, { rows: [{ id: 'tue9', title: 'Tue 9:00' }] }] },
      quickReplies: [{ id: 'none', title: 'None fits' }],
    });
    expect(req.body).toEqual(body(`Pick a slot\n1. Mon 9:00\n2. Tue 9:00\n3. None fits\n${CHOICE_PROMPT}`));
  });
  it('template: fallback text with parameters', async () => {
    const req = await recorded({
      type: 'template', name: 'gate_change', language: 'en_US', category: 'utility',
      parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.',
    });
    expect(req.body).toEqual(body('Flight LH 2040 now departs from gate B12.'));
  });
  it('location: name, address and a map link', async () => {
    const req = await recorded({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1, München' });
    expect(req.body).toEqual(body('Workshop\nMarienplatz 1, München\nhttps://maps.google.com/?q=48.1372,11.5756'));
  });
  it('contacts: one line per card', async () => {
    const req = await recorded({
      type: 'contacts',
      contacts: [
        { name: 'Service desk', organization: 'Acme Motors', phones: [{ phone: '+4989123456' }], emails: [{ email: 'desk@acme.example' }] },
        { name: 'Night line', phones: [{ phone: '+4989654321' }] },
      ],
    });
    expect(req.body).toEqual(body('Service desk (Acme Motors) +4989123456 desk@acme.example\nNight line +4989654321'));
  });
  it('reply: its title', async () => {
    const req = await recorded({ type: 'reply', id: 'yes', title: 'Yes' });
    expect(req.body).toEqual(body('Yes'));
  });
  it('rich with fallback text', async () => {
    const req = await recorded({ type: 'rich', kind: 'carousel', payload: { items: [] }, fallbackText: 'See our menu: https://acme.example/menu' });
    expect(req.body).toEqual(body('See our menu: https://acme.example/menu'));
  });
  it('returns the gateway id as externalId and the answer as raw', async () => {
    const result = await connector.send(msg({ type: 'text', text: 'Ready.' }));
    expect(result.externalId).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(result.externalId).toBe(fake.sent[0]!.id);
    expect(result.acceptedAt).toEqual(new Date('2026-11-03T10:00:00Z'));
    expect(result.raw).toEqual({ id: result.externalId, status: 'accepted', segments: 1 });
  });
  it('a retried send with the same message id is absorbed by client_ref: one SMS, one id', async () => {
    const first = await connector.send(msg({ type: 'text', text: 'Ready.' }, 'retry-1'));
    const second = await connector.send(msg({ type: 'text', text: 'Ready.' }, 'retry-1'));
    expect(second.externalId).toBe(first.externalId);
    expect(fake.requests).toHaveLength(2);
    expect(fake.sent).toHaveLength(1);
  });
});

describe('render (pure)', () => {
  it('reports form, one part, and the segments in the note', () => {
    expect(connector.render(msg({ type: 'text', text: 'Hello' })).rendering).toEqual({ form: 'native', parts: 1, note: '1 segment (GSM-7)' });
    expect(connector.render(msg({ type: 'text', text: 'ü€'.repeat(100) })).rendering).toEqual({ form: 'native', parts: 1, note: '2 segments (GSM-7)' });
    expect(connector.render(msg({ type: 'text', text: '🚗'.repeat(40) })).rendering).toEqual({ form: 'native', parts: 1, note: '2 segments (UCS-2)' });
    expect(connector.render(msg({ type: 'reply', id: 'y', title: 'Yes' })).rendering).toEqual({ form: 'degraded', parts: 1, note: 'reply as its title; 1 segment (GSM-7)' });
  });
  it('has no follow-ups: the gateway concatenates, the connector never splits', () => {
    expect(connector.render(msg({ type: 'text', text: 'x '.repeat(800) })).followUps).toBeUndefined();
  });
  it('refuses text over 1,600 characters with CONTENT_INVALID', () => {
    expect(() => connector.render(msg({ type: 'text', text: 'a'.repeat(1601) }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
  it('refuses degraded content that ends up over 1,600 characters', () => {
    const buttons = Array.from({ length: 40 }, (_, i) => ({ id: `o${i}`, title: `Option number ${i} with a long description` }));
    expect(() => connector.render(msg({ type: 'interactive', body: 'Choose', buttons }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
  it('refuses empty text', () => {
    expect(() => connector.render(msg({ type: 'text', text: '  ' }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
  it.each(['image', 'video', 'audio', 'document', 'sticker'] as const)('refuses %s (no MMS) with CONTENT_UNSUPPORTED', (type) => {
    expect(() => connector.render(msg({ type, media: { url: 'https://example.com/x' } }))).toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
  });
  it('refuses reactions and rich content without fallback text', () => {
    expect(() => connector.render(msg({ type: 'reaction', emoji: '👍', target: 'msg_1' }))).toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
    expect(() => connector.render(msg({ type: 'rich', kind: 'payment', payload: {} }))).toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
  });
  it('refuses a multi-recipient broadcast (no batch endpoint) and sends a one-recipient one to that recipient', () => {
    expect(() => connector.render({ ...msg({ type: 'text', text: 'Gate change' }), broadcastTo: ['+12025550143', '+12025550144'] }))
      .toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
    expect(connector.render({ ...msg({ type: 'text', text: 'Gate change' }), broadcastTo: ['+12025550144'] }).body).toMatchObject({ to: '+12025550144' });
  });
});

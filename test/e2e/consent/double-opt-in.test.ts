/**
 * The whole double opt-in through each first-party channel's fake platform: the API starts a flow
 * (first step recorded with its privacy policy, purpose and topic), hands out a signed link and QR
 * code, the customer's start message arrives as that platform sends it, their confirming message
 * completes the flow, and the policy then allows exactly what was consented to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, Conversation } from '@switchboard/core';
import type { OptInFlowView } from '../../../host/src/consent/opt-in-service.js';
import type { FakeAppleServer } from '@switchboard/apple';
import type { FakeMessengerServer } from '@switchboard/messenger';
import type { FakeTelegramServer } from '@switchboard/telegram';
import type { FakeViberServer } from '@switchboard/viber';
import { sentText, startConsentHost, type Answer, type Channel, type ConsentHost } from './consent-harness.js';

const PRIVACY = { url: 'https://acme.example/privacy', version: '2026-01' };

let h: ConsentHost;
beforeAll(async () => {
  h = await startConsentHost({ consent: { optInKeywords: { shop: [{ keyword: 'FLIGHTS', purpose: 'transactional', topic: 'flight updates', wording: 'Text FLIGHTS to get updates about your flight', privacyPolicy: PRIVACY }] } } });
});
afterAll(async () => { await h?.stop(); });

async function startFlow(channel: Channel, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string; link: { url: string; prefilledText?: string; qr: { svg: string; png: string } } }> {
  const res = await h.api('POST', '/v1/opt-ins', {
    purpose: 'transactional', topic: 'flight updates', source: 'web-form', wording: 'Send me updates about my flight on the channel I choose',
    privacyPolicy: PRIVACY, channels: [channel], ...extra,
  });
  expect(res.status).toBe(201);
  return { id: res.body.flow.id, token: res.body.token, link: res.body.links[0] };
}

async function flow(id: string): Promise<Answer> {
  return (await h.api('GET', `/v1/opt-ins/${id}`)).body;
}

async function contactOf(channel: Channel, userId: string): Promise<Contact> {
  const items = (await h.api<{ items: Contact[] }>('GET', '/v1/contacts?limit=500')).body.items;
  return items.find((c) => c.addresses.some((a) => a.channel === channel && a.userId === userId))!;
}

/** The double opt-in shows in the ledger with both steps' evidence, and the policy allows the topic on the channel. */
async function expectConfirmed(id: string, channel: Channel, userId: string): Promise<void> {
  const { flow: f, ledger } = await flow(id);
  expect(f.status).toBe('confirmed');
  const requested = ledger.find((e) => e.action === 'opt-in-requested')!;
  const confirmed = ledger.find((e) => e.action === 'opt-in')!;
  expect(requested).toMatchObject({ purpose: 'transactional', topic: 'flight updates', evidence: { source: 'web-form', privacyPolicy: PRIVACY, wording: expect.stringContaining('flight') } });
  expect(confirmed).toMatchObject({ channel, purpose: 'transactional', topic: 'flight updates', evidence: { confirms: requested.id, privacyPolicy: PRIVACY } });
  const contact = await contactOf(channel, userId);
  expect(contact.id).toBe(f.contactId);
  const state = (await h.api('GET', `/v1/contacts/${contact.id}/consent-state`)).body.channels[channel];
  expect(state.grants).toEqual([expect.objectContaining({ purpose: 'transactional', topic: 'flight updates', confirmed: true, privacyPolicyVersion: '2026-01' })]);
  // by conversation: the dry run looks an existing contact up only through its conversation
  const conversation = (await h.api<{ items: Conversation[] }>('GET', '/v1/conversations?limit=500')).body.items.find((c) => c.address.channel === channel && c.address.userId === userId)!;
  const evaluate = async (topic: string) => (await h.api('POST', '/v1/policy/evaluate', {
    channel, accountId: conversation.address.accountId, conversationId: conversation.id, purpose: 'transactional', topic, sender: 'system',
    content: { type: 'text', text: 'Your flight LH 123 leaves from gate B12.' },
  })).body;
  const decision = (await evaluate('flight updates')).decision;
  expect(decision.allowed, JSON.stringify(decision.reasons)).toBe(true);
}

describe('double opt-in through each first-party channel', () => {
  it('WhatsApp: wa.me link with the token in the prefilled text; sending it confirms the web-form step', async () => {
    const { id, link, token } = await startFlow('whatsapp');
    expect(link.url).toBe(`https://wa.me/4930901820?text=${encodeURIComponent(link.prefilledText!)}`);
    expect(link.prefilledText).toContain(token);
    expect(link.qr.png).toMatch(/^data:image\/png;base64,/);
    expect((await flow(id)).flow.status).toBe('awaiting-start');
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: '4915110000001', text: link.prefilledText! }));
    await expectConfirmed(id, 'whatsapp', '4915110000001');
    await sentText(h, 'whatsapp', '4915110000001', /subscribed to flight updates from Acme Travel/);
  });

  it('Messenger: the m.me ref arrives as a referral; the host asks, the customer answers YES', async () => {
    const { id, link, token } = await startFlow('messenger');
    expect(link.url).toMatch(new RegExp(`^https://m\\.me/[^?]+\\?ref=${token}$`));
    const fake = h.fakes.messenger as FakeMessengerServer;
    await h.deliver('messenger', fake.referral({ userId: '7100000000000001', ref: token }));
    expect((await flow(id)).flow.status).toBe('awaiting-confirmation');
    await h.deliver('messenger', fake.userMessage({ userId: '7100000000000001', text: 'Hi there' }));
    await sentText(h, 'messenger', '7100000000000001', /Reply YES to confirm that Acme Travel may send you flight updates\. Privacy policy: https:\/\/acme\.example\/privacy/);
    await h.deliver('messenger', fake.userMessage({ userId: '7100000000000001', text: 'Yes' }));
    await expectConfirmed(id, 'messenger', '7100000000000001');
    expect((await flow(id)).ledger.find((e) => e.action === 'opt-in')!.evidence).toMatchObject({ source: 'confirmation-reply', text: 'Yes' });
  });

  it('Telegram: t.me?start= arrives as /start <payload> and confirms', async () => {
    const { id, link, token } = await startFlow('telegram');
    expect(link.url).toBe(`https://t.me/acme_travel_bot?start=${token}`);
    await h.deliver('telegram', (h.fakes.telegram as FakeTelegramServer).startCommand({ userId: '5100000001', payload: token, name: 'Ada' }));
    await expectConfirmed(id, 'telegram', '5100000001');
    await sentText(h, 'telegram', '5100000001', /subscribed to flight updates/);
  });

  it('Viber: the context arrives with conversation_started, the prefilled text confirms', async () => {
    const { id, link, token } = await startFlow('viber', { language: 'es', prefill: 'Hola, quiero recibir avisos de vuelo' });
    expect(link.url).toBe(`viber://pa?chatURI=acmetravel&context=${token}&text=${encodeURIComponent(`Hola, quiero recibir avisos de vuelo ${token}`)}`);
    const fake = h.fakes.viber as FakeViberServer;
    await h.deliver('viber', fake.conversationStarted({ user: { id: 'vb-user-01==', name: 'Lucía' }, context: token }));
    expect((await flow(id)).flow).toMatchObject({ status: 'awaiting-confirmation', startedOn: { channel: 'viber', userId: 'vb-user-01==' } });
    await h.deliver('viber', fake.userMessage({ userId: 'vb-user-01==', text: link.prefilledText! }));
    await expectConfirmed(id, 'viber', 'vb-user-01==');
    await sentText(h, 'viber', 'vb-user-01==', /^Gracias: te has suscrito a flight updates de Acme Travel/);
  });

  it('Apple: the bcrw.apple.com intent and body arrive with the first message and confirm', async () => {
    const { id, link, token } = await startFlow('apple');
    const fake = h.fakes.apple as FakeAppleServer;
    const businessId = String(fake.connectorConfig().businessId);
    expect(link.url).toBe(`https://bcrw.apple.com/urn:biz:${businessId}?biz-intent-id=${token}&body=${encodeURIComponent(link.prefilledText!)}`);
    await h.deliver('apple', fake.webhook('apple-opaque-user-01', { type: 'text', body: link.prefilledText!, intent: token, locale: 'en_US' }));
    await expectConfirmed(id, 'apple', 'apple-opaque-user-01');
  });

  it('a click-to-chat first step needs a confirming reply: the start message is only the first step', async () => {
    const { id, link } = await startFlow('whatsapp', { source: 'click-to-chat' });
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: '4915110000002', text: link.prefilledText! }));
    const pending = await flow(id);
    expect(pending.flow.status).toBe('awaiting-confirmation');
    expect(pending.ledger.map((e) => e.action)).toEqual(['opt-in-requested']);
    expect(pending.ledger[0]!.evidence).toMatchObject({ source: 'click-to-chat', text: link.prefilledText });
    await sentText(h, 'whatsapp', '4915110000002', /Reply YES to confirm/);
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: '4915110000002', text: 'maybe later' }));
    expect((await flow(id)).flow.status).toBe('awaiting-confirmation');
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: '4915110000002', text: 'YES' }));
    const done = await flow(id);
    expect(done.flow.status).toBe('confirmed');
    expect(done.ledger.map((e) => e.action)).toEqual(['opt-in-requested', 'opt-in']);
    // asked once, not once per message
    expect(h.sentTexts('whatsapp', '4915110000002').filter((t) => /Reply YES/.test(t))).toHaveLength(1);
  });

  it('a web form that collected the number records the first step at once, on the contact it names', async () => {
    const res = await h.api('POST', '/v1/opt-ins', {
      purpose: 'marketing', topic: 'offers', privacyPolicy: PRIVACY, channels: ['whatsapp'], address: { channel: 'whatsapp', userId: '4915110000003' },
    });
    expect(res.status).toBe(201);
    const contact = await contactOf('whatsapp', '4915110000003');
    const { flow: f, ledger } = await flow(res.body.flow.id);
    expect(f.contactId).toBe(contact.id);
    expect(ledger).toEqual([expect.objectContaining({ action: 'opt-in-requested', purpose: 'marketing', topic: 'offers', contactId: contact.id })]);
    const state = (await h.api('GET', `/v1/contacts/${contact.id}/consent-state`)).body.channels.whatsapp;
    expect(state.pending).toEqual([expect.objectContaining({ purpose: 'marketing', topic: 'offers' })]);
    expect(state.grants).toEqual([]);
  });

  it('a keyword can be the first step: the host asks, the customer confirms (Telegram, in German)', async () => {
    const telegram = h.fakes.telegram as FakeTelegramServer;
    await h.deliver('telegram', telegram.userMessage({ userId: '5100000007', text: 'Flights!' }));
    await sentText(h, 'telegram', '5100000007', /^Reply YES to confirm that Acme Travel may send you flight updates/);
    const contact = await contactOf('telegram', '5100000007');
    const [started] = (await h.api<{ items: OptInFlowView[] }>('GET', `/v1/opt-ins?contactId=${contact.id}`)).body.items;
    expect(started).toMatchObject({ source: 'keyword', status: 'awaiting-confirmation', confirmWith: 'reply' });
    await h.deliver('telegram', telegram.userMessage({ userId: '5100000007', text: 'Ja' }));
    const { flow: f, ledger } = await flow(started!.id);
    expect(f.status).toBe('confirmed');
    expect(ledger.map((e) => [e.action, e.evidence.source, e.evidence.text])).toEqual([['opt-in-requested', 'keyword', 'Flights!'], ['opt-in', 'confirmation-reply', 'Ja']]);
    expect(ledger[0]!.evidence).toMatchObject({ wording: 'Text FLIGHTS to get updates about your flight', privacyPolicy: PRIVACY });
  });

  it('refuses a forged or foreign token: nothing is recorded', async () => {
    const { id, token } = await startFlow('telegram');
    const forged = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
    await h.deliver('telegram', (h.fakes.telegram as FakeTelegramServer).startCommand({ userId: '5100000009', payload: forged }));
    expect((await flow(id)).flow.status).toBe('awaiting-start');
    expect((await flow(id)).ledger).toEqual([]);
  });

  it('validates the request and the privacy-policy version in force', async () => {
    expect((await h.api('POST', '/v1/opt-ins', { purpose: 'service', channels: ['whatsapp'] })).status).toBe(400);
    expect((await h.api('POST', '/v1/opt-ins', { purpose: 'marketing', channels: ['sms'] })).status).toBe(400);
    const old = await h.api('POST', '/v1/opt-ins', { purpose: 'marketing', channels: ['telegram'], privacyPolicy: { version: '2025-01' } });
    expect(old.status).toBe(400);
    expect(old.body.error.message).toMatch(/2026-01/);
    expect((await h.api('GET', '/v1/opt-ins/oi_nope')).status).toBe(404);
    const listed = (await h.api<{ items: OptInFlowView[] }>('GET', '/v1/opt-ins?status=confirmed')).body.items;
    expect(listed.length).toBeGreaterThanOrEqual(5);
    expect(listed.every((f) => f.status === 'confirmed')).toBe(true);
  });
});

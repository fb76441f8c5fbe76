/**
 * The customer's controls, end to end through the fakes: contextual consent on notifications,
 * STOP / START / "important only" in their language with a confirmation reply, revocation across
 * a contact's channels (or not, when the tenant chose per-channel scope), platform-level signals
 * (WhatsApp marketing stop, Messenger notification STOP, Telegram block, Viber unsubscribe, Apple
 * close) and spam reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAppleServer } from '@switchboard/apple';
import type { FakeMessengerServer } from '@switchboard/messenger';
import type { FakeTelegramServer } from '@switchboard/telegram';
import type { FakeViberServer } from '@switchboard/viber';
import type { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { sentText, startConsentHost, type Answer, type Channel, type ConsentHost } from './consent-harness.js';

const PRIVACY = { url: 'https://acme.example/privacy', version: '2026-01' };
const TEXT = (text: string) => ({ type: 'text', text });

/** A confirmed double opt-in on WhatsApp (web form, then the prefilled message): the window is open too. */
async function optIn(h: ConsentHost, userId: string, purpose: 'transactional' | 'marketing', topic?: string): Promise<string> {
  const res = await h.api('POST', '/v1/opt-ins', { purpose, ...(topic ? { topic } : {}), privacyPolicy: PRIVACY, channels: ['whatsapp'] });
  expect(res.status).toBe(201);
  await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId, text: res.body.links[0].prefilledText }));
  const flow = (await h.api('GET', `/v1/opt-ins/${res.body.flow.id}`)).body.flow;
  expect(flow.status).toBe('confirmed');
  return flow.contactId as string;
}

function send(h: ConsentHost, channel: Channel, userId: string, purpose: string, extra: Record<string, unknown> = {}) {
  return h.api('POST', '/v1/messages', { channel, accountId: 'main', userId, purpose, sender: 'agent', content: TEXT(`A ${purpose} message`), ...extra });
}

const codes = (res: { body: Answer }): string[] => (res.body.error?.reasons ?? []).map((r) => r.code);

describe('user controls (tenant scope: every channel of the contact)', () => {
  let h: ConsentHost;
  beforeAll(async () => { h = await startConsentHost(); });
  afterAll(async () => { await h?.stop(); });

  it('a notification to a contact with only a "payment confirmation" opt-in is refused for "flight updates"', async () => {
    const user = '4915120000001';
    await optIn(h, user, 'transactional', 'payment confirmation');
    const t = await h.api('POST', '/v1/templates', { channel: 'whatsapp', name: 'account_update', language: 'en', category: 'utility', body: 'Hello {{1}}, there is news about your booking {{2}}.' });
    expect(t.status).toBe(201);
    // the template's review is not what this test is about: it is recorded as approved
    await h.host.outbound.templates.update('shop', t.body.id, { status: 'approved' }, new Date());
    const notify = (topic: string) => h.api('POST', '/v1/notifications', {
      channel: 'whatsapp', accountId: 'main', purpose: 'transactional', topic, recipients: [{ userId: user }],
      content: { type: 'template', name: 'account_update', language: 'en', category: 'utility', parameters: [{ text: 'Ada' }, { text: 'AB12CD' }] },
    });
    const refused = await notify('flight updates');
    expect(refused.status).toBe(422);
    expect(refused.body.results).toEqual([expect.objectContaining({ userId: user, status: 'denied', reasons: [expect.objectContaining({ code: 'NO_CONSENT', message: expect.stringContaining('flight updates') })] })]);
    const allowed = await notify('payment confirmation');
    expect(allowed.status).toBe(202);
    expect(allowed.body.results).toEqual([expect.objectContaining({ userId: user, status: 'queued' })]);
  });

  it('STOP in Spanish on Viber stops marketing on WhatsApp for the same contact; ALTA restores it', async () => {
    const wa = '4915120000002';
    const viberUser = 'vb-stop-user-02==';
    const contactId = await optIn(h, wa, 'marketing');
    expect((await send(h, 'whatsapp', wa, 'marketing')).status).toBe(202);
    // the host never guesses that two addresses are one person: the business links them
    const linked = await h.api('POST', `/v1/contacts/${contactId}/addresses`, { channel: 'viber', userId: viberUser });
    expect(linked.status).toBe(201);
    expect(linked.body.addresses).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'viber', userId: viberUser }), expect.objectContaining({ channel: 'whatsapp', userId: wa })]));
    expect((await h.api('POST', `/v1/contacts/${contactId}/addresses`, { channel: 'viber', userId: viberUser })).status).toBe(200);

    await h.deliver('viber', (h.fakes.viber as FakeViberServer).userMessage({ userId: viberUser, text: 'BAJA' }));
    await sentText(h, 'viber', viberUser, /^Te has dado de baja: Acme Travel ya no te enviará avisos ni ofertas por aquí\. Responde ALTA/);
    const refused = await send(h, 'whatsapp', wa, 'marketing');
    expect(refused.status).toBe(422);
    expect(codes(refused)).toContain('OPTED_OUT');
    expect(refused.body.error.reasons.find((r: { code: string }) => r.code === 'OPTED_OUT').message).toMatch(/on viber/);
    // a reply to the customer's own message still goes
    expect((await send(h, 'whatsapp', wa, 'service')).status).toBe(202);

    await h.deliver('viber', (h.fakes.viber as FakeViberServer).userMessage({ userId: viberUser, text: 'Alta' }));
    await sentText(h, 'viber', viberUser, /^Bienvenido de nuevo/);
    expect((await send(h, 'whatsapp', wa, 'marketing')).status).toBe(202);
    // START restored both purposes STOP revoked; only marketing carries the privacy policy in force (transactional was never consented to)
    const state = (await h.api('GET', `/v1/contacts/${contactId}/consent-state`)).body.channels.whatsapp;
    expect(state.grants.map((g: { purpose: string }) => g.purpose)).toEqual(['marketing']);
  });

  it('"important only" lets transactional through and stops marketing', async () => {
    const wa = '4915120000003';
    await optIn(h, wa, 'marketing');
    await optIn(h, wa, 'transactional', 'flight updates');
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: wa, text: 'Nur wichtige' }));
    await sentText(h, 'whatsapp', wa, /^Erledigt: Acme Travel schickt Ihnen nur noch wichtige Nachrichten/);
    expect(codes(await send(h, 'whatsapp', wa, 'marketing'))).toContain('OPTED_OUT');
    expect((await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' })).status).toBe(202);
  });

  it('WhatsApp\'s marketing stop (user_preferences) and Messenger\'s notification STOP revoke marketing', async () => {
    const wa = '4915120000004';
    await optIn(h, wa, 'marketing');
    await h.deliver('whatsapp', (h.fakes.whatsapp as FakeWhatsAppServer).userPreferences({ userId: wa, value: 'stop' }));
    expect(codes(await send(h, 'whatsapp', wa, 'marketing'))).toContain('OPTED_OUT');

    const psid = '7200000000000004';
    const messenger = h.fakes.messenger as FakeMessengerServer;
    const flow = await h.api('POST', '/v1/opt-ins', { purpose: 'marketing', topic: 'Deals', privacyPolicy: PRIVACY, channels: ['messenger'] });
    await h.deliver('messenger', messenger.referral({ userId: psid, ref: flow.body.token }));
    await h.deliver('messenger', messenger.userMessage({ userId: psid, text: 'Sí' }));
    expect((await h.api('GET', `/v1/opt-ins/${flow.body.flow.id}`)).body.flow.status).toBe('confirmed');
    expect((await send(h, 'messenger', psid, 'marketing', { topic: 'Deals' })).status).toBe(202);
    await h.deliver('messenger', messenger.optinStop({ userId: psid, title: 'Deals' }));
    expect(codes(await send(h, 'messenger', psid, 'marketing', { topic: 'Deals' }))).toContain('OPTED_OUT');
  });

  it('a Telegram block stops everything on the contact\'s other channels too, except replies to the customer\'s own messages', async () => {
    const wa = '4915120000005';
    const chat = '5200000005';
    const contactId = await optIn(h, wa, 'transactional', 'flight updates');
    expect((await h.api('POST', `/v1/contacts/${contactId}/addresses`, { channel: 'telegram', userId: chat })).status).toBe(201);
    const telegram = h.fakes.telegram as FakeTelegramServer;
    await h.deliver('telegram', telegram.startCommand({ userId: chat }));
    await h.deliver('telegram', telegram.myChatMember({ userId: chat, status: 'kicked' }));
    expect(codes(await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' }))).toContain('BLOCKED');
    // the block came after the customer's last WhatsApp message: no reply to that one either
    expect(codes(await send(h, 'whatsapp', wa, 'service'))).toContain('BLOCKED');
    // platforms stamp to the second: the customer writes a little later
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: wa, text: 'Where is my booking?', timestamp: new Date(Date.now() + 2000) }));
    expect((await send(h, 'whatsapp', wa, 'service')).status).toBe(202);
    expect(codes(await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' }))).toContain('BLOCKED');
    await h.deliver('telegram', telegram.myChatMember({ userId: chat, status: 'member' }));
    expect((await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' })).status).toBe(202);
  });

  it('a Viber unsubscribe blocks; an Apple close holds messages until the customer writes again', async () => {
    const viber = h.fakes.viber as FakeViberServer;
    await h.deliver('viber', viber.userMessage({ userId: 'vb-unsub-06==', text: 'hello' }));
    await h.deliver('viber', viber.unsubscribedEvent('vb-unsub-06=='));
    expect(codes(await send(h, 'viber', 'vb-unsub-06==', 'transactional'))).toContain('BLOCKED');

    const apple = h.fakes.apple as FakeAppleServer;
    await h.deliver('apple', apple.userMessage({ userId: 'apple-close-06', text: 'hello' }));
    await h.deliver('apple', apple.close('apple-close-06'));
    expect(codes(await send(h, 'apple', 'apple-close-06', 'service'))).toContain('CONVERSATION_CLOSED');
    await h.deliver('apple', apple.userMessage({ userId: 'apple-close-06', text: 'one more question' }));
    expect((await send(h, 'apple', 'apple-close-06', 'service')).status).toBe(202);
  });

  it('a spam report stops everything but replies to the customer\'s own later messages', async () => {
    const wa = '4915120000007';
    const contactId = await optIn(h, wa, 'transactional', 'flight updates');
    const reported = await h.api('POST', `/v1/contacts/${contactId}/consent`, { action: 'spam-reported', channel: 'whatsapp', scope: 'all-channels', evidence: { detail: 'reported through the service desk' } });
    expect(reported.status).toBe(201);
    expect(codes(await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' }))).toContain('BLOCKED');
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: wa, text: 'hello again', timestamp: new Date(Date.now() + 2000) }));
    expect((await send(h, 'whatsapp', wa, 'service')).status).toBe(202);
    expect(codes(await send(h, 'whatsapp', wa, 'transactional', { topic: 'flight updates' }))).toContain('BLOCKED');
  });

  it('answers STOP on every channel in the customer\'s language', async () => {
    const cases: [Channel, string, string, RegExp][] = [
      ['whatsapp', '4915120000008', 'STOP', /^You are unsubscribed/],
      ['messenger', '7200000000000008', 'Désabonner', /^Vous êtes désabonné/],
      ['telegram', '5200000008', 'Abmelden', /^Sie sind abgemeldet/],
      ['viber', 'vb-stop-08==', 'Disiscrivi', /^Disiscrizione completata/],
      ['apple', 'apple-stop-08', 'Sair', /^Cancelou a inscrição/],
    ];
    for (const [channel, user, word, reply] of cases) {
      await h.deliver(channel, h.fakes[channel].userMessage({ userId: user, text: word }));
      await sentText(h, channel, user, reply);
    }
  });
});

describe('user controls (tenant scope: per channel)', () => {
  let h: ConsentHost;
  beforeAll(async () => { h = await startConsentHost({ tenant: { policy: { consentScope: 'per-channel' } } }); });
  afterAll(async () => { await h?.stop(); });

  it('STOP on Viber leaves marketing on WhatsApp alone', async () => {
    const wa = '4915130000001';
    const contactId = await optIn(h, wa, 'marketing');
    expect((await h.api('POST', `/v1/contacts/${contactId}/addresses`, { channel: 'viber', userId: 'vb-scope-01==' })).status).toBe(201);
    await h.deliver('viber', (h.fakes.viber as FakeViberServer).userMessage({ userId: 'vb-scope-01==', text: 'PARAR' }));
    await sentText(h, 'viber', 'vb-scope-01==', /^Te has dado de baja/);
    expect((await send(h, 'whatsapp', wa, 'marketing')).status).toBe(202);
    expect(codes(await send(h, 'viber', 'vb-scope-01==', 'marketing'))).toContain('OPTED_OUT');
  });
});

/**
 * Business identity (verification level per channel, and a business policy that requires one
 * before marketing), restricted commerce categories, and re-consent after a new privacy policy,
 * end to end through the API and the fakes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, FakePlatform } from '@switchboard/core';
import type { TenantIdentity } from '../../../host/src/consent/consent-feature.js';
import { MemoryStores } from '../../../host/src/stores/host-stores.js';
import { startConsentHost, startFakes, type Answer, type Channel, type ConsentHost } from './consent-harness.js';

const TEXT = (text: string) => ({ type: 'text', text });
const codes = (res: { body: Answer }): string[] => (res.body.error?.reasons ?? []).map((r) => r.code);

async function confirmedOptIn(h: ConsentHost, userId: string, purpose: string, topic?: string, privacyPolicy: Record<string, string> = {}): Promise<string> {
  const res = await h.api('POST', '/v1/opt-ins', { purpose, ...(topic ? { topic } : {}), privacyPolicy, channels: ['whatsapp'] });
  expect(res.status).toBe(201);
  await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId, text: res.body.links[0].prefilledText }));
  expect((await h.api('GET', `/v1/opt-ins/${res.body.flow.id}`)).body.flow.status).toBe('confirmed');
  return res.body.flow.id;
}

function send(h: ConsentHost, channel: Channel, userId: string, purpose: string, extra: Record<string, unknown> = {}) {
  return h.api('POST', '/v1/messages', { channel, accountId: 'main', userId, purpose, sender: 'agent', content: TEXT('Our new catalogue is out'), ...extra });
}

describe('business identity and commerce', () => {
  let h: ConsentHost;
  beforeAll(async () => {
    h = await startConsentHost({ tenant: { verification: { whatsapp: 'confirmed', messenger: 'verified' }, policy: { marketingRequiresVerification: { whatsapp: 'verified', messenger: 'verified' } } } });
  });
  afterAll(async () => { await h?.stop(); });

  it('GET /v1/tenant shows the verification level per channel and what marketing requires', async () => {
    const res = await h.api<TenantIdentity>('GET', '/v1/tenant');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'shop', name: 'Acme Travel', privacyPolicyVersion: '2026-01', consentScope: 'all-channels' });
    const byChannel = Object.fromEntries(res.body.channels.map((c) => [c.channel, c]));
    expect(Object.keys(byChannel).sort()).toEqual(['apple', 'messenger', 'telegram', 'viber', 'whatsapp']);
    expect(byChannel.whatsapp).toEqual({ channel: 'whatsapp', accounts: ['main'], verificationLevel: 'confirmed', levels: ['unverified', 'confirmed', 'verified'], marketingRequires: 'verified', marketingAllowedByVerification: false });
    expect(byChannel.messenger).toMatchObject({ verificationLevel: 'verified', marketingRequires: 'verified', marketingAllowedByVerification: true });
    expect(byChannel.telegram).toMatchObject({ verificationLevel: 'unverified', marketingAllowedByVerification: true });
    expect((await fetch(`${h.url}/v1/tenant`)).status).toBe(401);
  });

  it('marketing on WhatsApp is refused with VERIFICATION_REQUIRED until the level is met; service is not affected', async () => {
    const user = '4915140000001';
    await confirmedOptIn(h, user, 'marketing');
    const refused = await send(h, 'whatsapp', user, 'marketing');
    expect(refused.status).toBe(422);
    expect(refused.body.error.reasons).toEqual([expect.objectContaining({ code: 'VERIFICATION_REQUIRED', source: 'business', message: expect.stringContaining('"verified"') })]);
    expect((await send(h, 'whatsapp', user, 'service')).status).toBe(202);
  });

  it('a product message in a category the channel restricts is refused with RESTRICTED_COMMERCE', async () => {
    const user = '4915140000002';
    await h.deliver('whatsapp', h.fakes.whatsapp.userMessage({ userId: user, text: 'Do you sell gift boxes?' }));
    const alcohol = await send(h, 'whatsapp', user, 'service', { commerceCategory: 'alcohol', content: TEXT('Our champagne gift box: 49 €') });
    expect(alcohol.status).toBe(422);
    expect(alcohol.body.error.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'channel' })]);
    const dry = await h.api('POST', '/v1/policy/evaluate', { channel: 'whatsapp', accountId: 'main', userId: user, purpose: 'service', sender: 'agent', commerceCategory: 'Tobacco', content: TEXT('Cigars') });
    expect(dry.body.decision.reasons.map((r: { code: string }) => r.code)).toEqual(['RESTRICTED_COMMERCE']);
    expect((await send(h, 'whatsapp', user, 'service', { commerceCategory: 'books', content: TEXT('Our travel guide: 19 €') })).status).toBe(202);
    // Telegram restricts no category of its own
    await h.deliver('telegram', h.fakes.telegram.userMessage({ userId: '5300000002', text: 'hi' }));
    expect((await send(h, 'telegram', '5300000002', 'service', { commerceCategory: 'alcohol', content: TEXT('Champagne') })).status).toBe(202);
    await h.deliver('messenger', h.fakes.messenger.userMessage({ userId: '7300000000000002', text: 'hi' }));
    expect(codes(await send(h, 'messenger', '7300000000000002', 'service', { commerceCategory: 'weapons', content: TEXT('Hunting knife') }))).toEqual(['RESTRICTED_COMMERCE']);
  });
});

describe('a new privacy-policy version requires re-consent', () => {
  let fakes: Record<Channel, FakePlatform>;
  const stores = new MemoryStores();
  beforeAll(async () => { fakes = await startFakes(); });
  afterAll(async () => { for (const f of Object.values(fakes ?? {})) await f.stop(); await stores.close(); });

  it('grants under the old version stop counting; a new double opt-in under the new version counts', async () => {
    const user = '4915150000001';
    const evaluate = (h: ConsentHost, conversationId: string) => h.api('POST', '/v1/policy/evaluate', {
      channel: 'whatsapp', accountId: 'main', conversationId, purpose: 'transactional', topic: 'flight updates', sender: 'system', content: TEXT('Gate B12'),
    });
    const first = await startConsentHost({ stores, fakes });
    await confirmedOptIn(first, user, 'transactional', 'flight updates', { url: 'https://acme.example/privacy/2026-01' });
    const conversation = (await first.api<{ items: Conversation[] }>('GET', '/v1/conversations')).body.items.find((c) => c.address.userId === user)!;
    expect((await evaluate(first, conversation.id)).body.allowed).toBe(true);
    await first.stop();

    const second = await startConsentHost({ stores, fakes, tenant: { privacyPolicyVersion: '2026-06' } });
    try {
      const before = await evaluate(second, conversation.id);
      expect(before.body.decision.reasons).toEqual([expect.objectContaining({ code: 'NO_CONSENT' })]);
      expect((await second.api('POST', '/v1/opt-ins', { purpose: 'transactional', channels: ['whatsapp'], privacyPolicy: { version: '2026-01' } })).status).toBe(400);
      const flowId = await confirmedOptIn(second, user, 'transactional', 'flight updates', { url: 'https://acme.example/privacy/2026-06' });
      const { ledger } = (await second.api('GET', `/v1/opt-ins/${flowId}`)).body;
      expect(ledger[0].evidence.privacyPolicy).toEqual({ url: 'https://acme.example/privacy/2026-06', version: '2026-06' });
      expect((await evaluate(second, conversation.id)).body.allowed).toBe(true);
    } finally {
      await second.stop();
    }
  });
});

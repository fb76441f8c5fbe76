import { describe, expect, it } from 'vitest';
import { COMMERCE_CATEGORIES, ManualClock, createPolicyEngine, deriveConsentState, type ConsentEntry, type MessageIntent, type PolicyContext } from '@switchboard/core';
import { whatsappPolicy } from './policy.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-22T10:00:00Z');
const engine = createPolicyEngine(new ManualClock(NOW));
const optIn: ConsentEntry = { id: 'c1', tenantId: 't', contactId: 'c', channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', scope: 'all-channels', at: new Date(NOW - 48 * HOUR), evidence: { source: 'api' } };
const consent = deriveConsentState([optIn, { ...optIn, id: 'c2', purpose: 'transactional' }], { channel: 'whatsapp' });
const sale: MessageIntent['content'] = { type: 'template', name: 'winter_sale', language: 'en_US', category: 'marketing' };
const ctx = (extra: Partial<PolicyContext> = {}): PolicyContext => ({ channelPolicy: whatsappPolicy, consent, template: { status: 'approved' }, ...extra });
const marketing = (userId: string): MessageIntent => ({ channel: 'whatsapp', userId, purpose: 'marketing', sender: 'system', content: sale });
const codes = (d: ReturnType<typeof engine.evaluate>): string[] => (d.allowed ? [] : d.reasons.map((r) => r.code));

describe('whatsapp policy: the US marketing-template pause', () => {
  it('is declared by country (US), not by calling code', () => {
    expect(whatsappPolicy.marketingTemplateBlockedCountries).toEqual(['US']);
    expect(whatsappPolicy.marketingBlockedCallingCodes).toBeUndefined();
  });
  it('regression: a marketing template to a Canadian +1 number is allowed; to a US number it is refused', () => {
    expect(engine.evaluate(marketing('14165550123'), ctx()).allowed).toBe(true);
    expect(codes(engine.evaluate(marketing('14155550123'), ctx()))).toEqual(['MARKETING_REGION_BLOCKED']);
  });
  it('regression: a free-form marketing reply to a US number inside the window is allowed', () => {
    const d = engine.evaluate({ channel: 'whatsapp', userId: '14155550123', purpose: 'marketing', sender: 'agent', content: { type: 'text', text: '20% off today' } },
      ctx({ conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.allowed).toBe(true);
  });
});

describe('whatsapp policy: messaging-limit tiers', () => {
  const notice: MessageIntent = { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', sender: 'system', content: { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility' } };
  it('declares the tiers 250 → 2K → 10K → 100K → unlimited', () => {
    const rule = whatsappPolicy.rateLimits.find((l) => l.scope === 'unique-recipients-per-day');
    expect(rule).toMatchObject({ limit: 250, tiers: [2000, 10_000, 100_000], unlimitedTier: true, enforcement: 'deny' });
  });
  it('refuses a new recipient beyond the account\'s tier and not one already counted', () => {
    expect(codes(engine.evaluate(notice, ctx({ usage: { uniqueRecipientsLast24h: 10_000, uniqueRecipientsLimit: 10_000 } })))).toEqual(['RATE_LIMITED']);
    expect(engine.evaluate(notice, ctx({ usage: { uniqueRecipientsLast24h: 10_000, uniqueRecipientsLimit: 10_000, recipientAlreadyCounted: true } })).allowed).toBe(true);
    expect(engine.evaluate(notice, ctx({ usage: { uniqueRecipientsLast24h: 9_999, uniqueRecipientsLimit: 10_000 } })).allowed).toBe(true);
  });
});

describe('whatsapp policy: Meta commerce restrictions', () => {
  it('every category is in core\'s vocabulary and has its own source', () => {
    expect(whatsappPolicy.restrictedCommerce.length).toBeGreaterThan(20);
    for (const c of whatsappPolicy.restrictedCommerce) {
      expect(Object.keys(COMMERCE_CATEGORIES), c).toContain(c);
      expect(whatsappPolicy.sources.some((s) => s.rule === `restrictedCommerce.${c}`), c).toBe(true);
    }
  });
  it('a refusal for a restricted category points at its source', () => {
    const d = engine.evaluate({ channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', commerceCategory: 'dating', content: { type: 'text', text: 'Meet singles' } },
      ctx({ conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.allowed ? [] : d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'channel', url: expect.stringContaining('dating services') })]);
  });
});

describe('whatsapp policy: media', () => {
  const photo = (mimeType: string, size: number): MessageIntent => ({ channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: { type: 'image', media: { mimeType, size, storedId: 's1' } } });
  const open = ctx({ conversation: { lastInboundAt: NOW - HOUR } });
  it('declares Meta\'s supported types and sizes per kind, with sources', () => {
    expect(whatsappPolicy.mediaTypes).toEqual({
      image: ['image/jpeg', 'image/png'], video: ['video/mp4', 'video/3gpp'],
      audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg; codecs=opus'],
      document: expect.arrayContaining(['application/pdf', 'text/plain']) as unknown as string[], sticker: ['image/webp'],
    });
    expect(whatsappPolicy.mediaMaxBytes).toEqual({ image: 5 * 1024 * 1024, video: 16 * 1024 * 1024, audio: 16 * 1024 * 1024, document: 100 * 1024 * 1024, sticker: 100 * 1024 });
    expect(whatsappPolicy.text.captionMaxLength).toBe(1024);
    for (const rule of ['mediaTypes', 'mediaMaxBytes']) expect(whatsappPolicy.sources.some((s) => s.rule === rule && s.grade === 'O'), rule).toBe(true);
  });
  it('the engine refuses a GIF and a 6 MB photo before anything is queued, and takes a PNG', () => {
    expect(codes(engine.evaluate(photo('image/gif', 1000), open))).toEqual(['MEDIA_TYPE_UNSUPPORTED']);
    expect(codes(engine.evaluate(photo('image/jpeg', 6 * 1024 * 1024), open))).toEqual(['MEDIA_TOO_LARGE']);
    expect(engine.evaluate(photo('image/png', 1000), open).allowed).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock, createPolicyEngine, type MessageIntent, type PolicyContext } from '@switchboard/core';
import { messengerCapabilities } from './capabilities.js';
import { messengerPolicy } from './policy.js';

const HOUR = 3_600_000;
const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
const engine = createPolicyEngine(clock);
const intent = (extra: Partial<MessageIntent> = {}): MessageIntent => ({
  channel: 'messenger', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Hello' }, ...extra,
});
const context = (hoursSinceInbound: number | undefined, extra: Partial<PolicyContext> = {}): PolicyContext => ({
  channelPolicy: messengerPolicy, capabilities: messengerCapabilities,
  conversation: hoursSinceInbound === undefined ? {} : { lastInboundAt: clock.now() - hoursSinceInbound * HOUR }, ...extra,
});
const codes = (d: ReturnType<typeof engine.evaluate>): string[] => (d.allowed ? [] : d.reasons.map((r) => r.code));

describe('messenger policy in the engine', () => {
  it('a reply inside 24 h is free-form and free', () => {
    expect(engine.evaluate(intent(), context(2))).toMatchObject({ allowed: true, form: { kind: 'free-form' }, price: { amount: 0 } });
  });
  it('the customer must write first', () => {
    expect(codes(engine.evaluate(intent(), context(undefined)))).toContain('USER_MUST_INITIATE');
  });
  it('outside 24 h: refused without a tag, allowed with POST_PURCHASE_UPDATE for a transactional update', () => {
    expect(codes(engine.evaluate(intent(), context(30)))).toContain('WINDOW_CLOSED');
    expect(engine.evaluate(intent({ purpose: 'service', tag: 'POST_PURCHASE_UPDATE' }), context(30))).toMatchObject({ allowed: true, form: { kind: 'tag', tag: 'POST_PURCHASE_UPDATE' } });
  });
  it('HUMAN_AGENT: agents only, within 7 days', () => {
    expect(engine.evaluate(intent({ sender: 'agent', tag: 'HUMAN_AGENT' }), context(100))).toMatchObject({ allowed: true });
    expect(codes(engine.evaluate(intent({ sender: 'bot', tag: 'HUMAN_AGENT' }), context(100)))).toContain('TAG_NOT_ALLOWED');
    expect(codes(engine.evaluate(intent({ sender: 'agent', tag: 'HUMAN_AGENT' }), context(170)))).toContain('TAG_NOT_ALLOWED');
  });
  it('a Click-to-Messenger entry point keeps the window open 7 days', () => {
    expect(engine.evaluate(intent(), context(100, { conversation: { lastInboundAt: clock.now() - 100 * HOUR, entryPointAt: clock.now() - 100 * HOUR } }))).toMatchObject({ allowed: true });
  });
  it('no broadcast, no marketing without opt-in', () => {
    expect(codes(engine.evaluate(intent({ broadcast: true }), context(1)))).toContain('BROADCAST_FORBIDDEN');
    expect(codes(engine.evaluate(intent({ purpose: 'marketing' }), context(1)))).toContain('NO_CONSENT');
  });
  it('a message tag never carries marketing', () => {
    expect(codes(engine.evaluate(intent({ purpose: 'marketing', tag: 'ACCOUNT_UPDATE' }), context(30)))).toContain('TAG_NOT_ALLOWED');
  });
});

describe('messenger policy: Meta commerce restrictions', () => {
  it('every category is in core\'s vocabulary and has its own source', async () => {
    const { COMMERCE_CATEGORIES } = await import('@switchboard/core');
    for (const c of messengerPolicy.restrictedCommerce) {
      expect(Object.keys(COMMERCE_CATEGORIES), c).toContain(c);
      expect(messengerPolicy.sources.some((s) => s.rule === `restrictedCommerce.${c}`), c).toBe(true);
    }
  });
  it('regression: "services" and "jobs" (Marketplace listing rules) no longer refuse every service business', () => {
    expect(messengerPolicy.restrictedCommerce).not.toContain('services');
    expect(messengerPolicy.restrictedCommerce).not.toContain('jobs');
  });
});

describe('messenger policy: media', () => {
  const MB = 1024 * 1024;
  const media = (type: 'image' | 'audio' | 'document', mimeType: string, size: number): Partial<MessageIntent> => ({ content: { type, media: { url: 'https://files.example.org/f', mimeType, size } } });
  it('declares Meta\'s sizes (8 MB images by URL, 25 MB otherwise) and the types Messenger plays, with sources', () => {
    expect(messengerPolicy.mediaMaxBytes).toEqual({ image: 8 * MB, video: 25 * MB, audio: 25 * MB, document: 25 * MB, sticker: 8 * MB });
    expect(messengerPolicy.mediaTypes?.audio).toEqual(['audio/mpeg', 'audio/mp4', 'audio/amr']);
    expect(messengerPolicy.mediaTypes?.document).toBeUndefined();
    expect(messengerPolicy.text.captionMaxLength).toBeUndefined();
    expect(messengerPolicy.sources.filter((s) => s.rule === 'mediaMaxBytes').map((s) => s.grade)).toEqual(['O']);
    expect(messengerPolicy.sources.filter((s) => s.rule === 'mediaTypes').map((s) => s.grade)).toEqual(['O', '3P']);
  });
  it('the engine refuses a 9 MB photo and a WAV before anything is queued; a 20 MB PDF and any file type pass', () => {
    expect(codes(engine.evaluate(intent(media('image', 'image/jpeg', 9 * MB)), context(1)))).toEqual(['MEDIA_TOO_LARGE']);
    expect(codes(engine.evaluate(intent(media('audio', 'audio/wav', 1000)), context(1)))).toEqual(['MEDIA_TYPE_UNSUPPORTED']);
    expect(engine.evaluate(intent(media('document', 'application/pdf', 20 * MB)), context(1)).allowed).toBe(true);
    expect(engine.evaluate(intent(media('document', 'text/csv', 1000)), context(1)).allowed).toBe(true);
  });
});

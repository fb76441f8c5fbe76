import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, ManualClock, createPolicyEngine, priceFor, type MessageIntent } from '@switchboard/core';
import { telegramPolicy } from './policy.js';
import { telegramCapabilities } from './capabilities.js';

const now = Date.UTC(2026, 10, 22, 12);
const engine = createPolicyEngine(new ManualClock(now));
const intent = (over: Partial<MessageIntent> = {}): MessageIntent => ({
  channel: 'telegram', userId: '1111111', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Hi' }, ...over,
});

describe('telegram policy as data, through the policy engine', () => {
  it('the user must start the bot first', () => {
    const decision = engine.evaluate(intent(), { channelPolicy: telegramPolicy, capabilities: telegramCapabilities });
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reasons.map((r) => r.code)).toContain('USER_MUST_INITIATE');
  });

  it('no window: a service reply a month after the last message is allowed and free', () => {
    const decision = engine.evaluate(intent(), { channelPolicy: telegramPolicy, capabilities: telegramCapabilities, conversation: { lastInboundAt: now - 30 * 24 * 3_600_000 } });
    expect(decision).toMatchObject({ allowed: true, inWindow: true, price: { amount: 0 } });
  });

  it('marketing without recorded consent is refused by the law (GDPR baseline), not by the channel', () => {
    const decision = engine.evaluate(intent({ purpose: 'marketing' }), { channelPolicy: telegramPolicy, capabilities: telegramCapabilities, conversation: { lastInboundAt: now - 1000 } });
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reasons).toContainEqual(expect.objectContaining({ code: 'NO_CONSENT', source: 'law' }));
  });

  it('declares the documented limits and pacing rules', () => {
    expect(telegramPolicy.text).toEqual({ maxLength: 4096, captionMaxLength: 1024, overflow: 'split' });
    expect(telegramPolicy.rateLimits.map((r) => [r.scope, r.limit, r.perMs, r.enforcement])).toEqual([
      ['recipient', 1, 1000, 'pace'], ['group', 20, 60000, 'pace'], ['account', 30, 1000, 'pace'],
    ]);
    expect(telegramPolicy.mediaMaxBytes).toEqual({ image: 10 * 1024 * 1024, video: 50 * 1024 * 1024, audio: 50 * 1024 * 1024, document: 50 * 1024 * 1024, sticker: 50 * 1024 * 1024 });
    expect(telegramPolicy.mediaTypes).toEqual({
      image: ['image/jpeg', 'image/png', 'image/webp'], video: ['video/mp4'],
      audio: ['audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp4', 'audio/x-m4a'], sticker: ['image/webp', 'application/x-tgsticker', 'video/webm'],
    });
    expect(telegramPolicy.broadcast.allowed).toBe(true);
    expect(telegramPolicy.serviceWindowHours).toBeUndefined();
  });

  it('every message is free', () => {
    for (const category of ['marketing', 'utility', 'business-initiated'] as const) {
      expect(priceFor(telegramPolicy.pricing, { category, at: now, inServiceSession: false }).amount).toBe(0);
    }
  });

  it('every rule the policy sets has a source', () => {
    const ruled = new Set(telegramPolicy.sources.map((s) => s.rule));
    for (const rule of ['initiation', 'consentRequiredFor', 'marketingAllowed', 'broadcast', 'rateLimits', 'text', 'mediaMaxBytes', 'mediaTypes', 'pricing']) expect(ruled).toContain(rule);
  });

  it('every content type has a capability', () => {
    for (const type of CONTENT_TYPES) expect(telegramCapabilities[type]).toBeDefined();
  });
});

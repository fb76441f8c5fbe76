import { describe, expect, it } from 'vitest';
import { ManualClock, createPolicyEngine, priceFor, type MessageIntent } from '@switchboard/core';
import { viberCapabilities } from './capabilities.js';
import { viberPolicy, viberPrices } from './policy.js';

const now = Date.parse('2026-11-10T12:00:00Z');
const engine = createPolicyEngine(new ManualClock(now));
const text: MessageIntent = { channel: 'viber', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Your car is ready.' } };
const context = { channelPolicy: viberPolicy, capabilities: viberCapabilities };

describe('viberPolicy with the policy engine', () => {
  it('refuses a first message to a user who never wrote or subscribed', () => {
    const d = engine.evaluate(text, context);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons.map((r) => r.code)).toContain('USER_MUST_INITIATE');
  });

  it('allows a reply inside the 24 h session for free, with no window afterwards but a price', () => {
    const inSession = engine.evaluate(text, { ...context, conversation: { lastInboundAt: now - 3_600_000 } });
    expect(inSession).toMatchObject({ allowed: true, price: { amount: 0 } });
    const later = engine.evaluate(text, { ...context, conversation: { lastInboundAt: now - 3 * 86_400_000 }, market: 'DE' });
    expect(later).toMatchObject({ allowed: true, price: { amount: 0.0189, currency: 'EUR', category: 'business-initiated' } });
  });

  it('allows a subscribed user who never wrote (userInitiated) at the bot-initiated price', () => {
    expect(engine.evaluate(text, { ...context, conversation: { userInitiated: true } })).toMatchObject({ allowed: true, price: { category: 'business-initiated', amount: 0.0196 } });
  });

  it('refuses the 101st message without a reply', () => {
    const d = engine.evaluate(text, { ...context, conversation: { lastInboundAt: now - 60_000, outboundSinceInbound: 100 } });
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons.map((r) => r.code)).toEqual(['RATE_LIMITED']);
    expect(engine.evaluate(text, { ...context, conversation: { lastInboundAt: now - 60_000, outboundSinceInbound: 99 } }).allowed).toBe(true);
  });

  it('refuses marketing without recorded consent and reactions as unsupported content', () => {
    const marketing = engine.evaluate({ ...text, purpose: 'marketing' }, { ...context, conversation: { lastInboundAt: now - 60_000 } });
    expect(marketing.allowed).toBe(false);
    if (!marketing.allowed) expect(marketing.reasons.map((r) => r.code)).toContain('NO_CONSENT');
    const reaction = engine.evaluate({ ...text, content: { type: 'reaction', emoji: '👍', target: 'x' } }, { ...context, conversation: { lastInboundAt: now - 60_000 } });
    expect(reaction.allowed).toBe(false);
  });

  it('declares broadcast with 300 recipients per request and a source for every rule it sets', () => {
    expect(viberPolicy.broadcast).toEqual({ allowed: true, maxRecipientsPerRequest: 300 });
    const rules = new Set(viberPolicy.sources.map((s) => s.rule));
    for (const rule of ['initiation', 'consentRequiredFor', 'broadcast', 'rateLimits', 'text', 'mediaMaxBytes', 'mediaTypes', 'pricing']) expect(rules).toContain(rule);
    for (const s of viberPolicy.sources) expect(s.url).toMatch(/^https:\/\//);
  });

  it('declares the media limits and types of picture, video and file messages, and the picture caption limit', () => {
    expect(viberPolicy.mediaMaxBytes).toEqual({ image: 1_000_000, video: 26_000_000, document: 50_000_000, audio: 50_000_000, sticker: 1_000_000 });
    expect(viberPolicy.mediaTypes).toEqual({ image: ['image/jpeg', 'image/png', 'image/gif'], video: ['video/mp4'] });
    expect(viberPolicy.text.captionMaxLength).toBe(120);
  });

  it('prices by market with a conservative default, all free inside the session', () => {
    expect(priceFor(viberPrices, { category: 'business-initiated', at: now, inServiceSession: false, market: 'GE' }).amount).toBe(0.0115);
    expect(priceFor(viberPrices, { category: 'business-initiated', at: now, inServiceSession: false, market: 'FR' }).amount).toBe(0.0196);
    expect(priceFor(viberPrices, { category: 'business-initiated', at: now, inServiceSession: true, market: 'GE' }).amount).toBe(0);
  });
});

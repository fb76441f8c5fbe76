import { describe, expect, it } from 'vitest';
import {
  CONTENT_TYPES, ManualClock, NO_CONSENT, capabilityOf, createPolicyEngine,
  type ConsentState, type MessageIntent, type PolicyContext,
} from '@switchboard/core';
import { smsCapabilities } from './capabilities.js';
import { smsPolicy } from './policy.js';

const now = Date.parse('2026-11-03T15:00:00Z');
const engine = createPolicyEngine(new ManualClock(now));
const intent: MessageIntent = { channel: 'sms', userId: '+12025550143', purpose: 'service', content: { type: 'text', text: 'Your car is ready.' }, sender: 'bot' };
const context: PolicyContext = { channelPolicy: smsPolicy, capabilities: smsCapabilities };
const granted = (purpose: 'transactional' | 'marketing'): ConsentState => ({
  ...NO_CONSENT, grants: [{ purpose, channel: 'sms', at: new Date(now - 86_400_000), confirmed: true, entryId: 'e1' }],
});

describe('SMS policy through the core policy engine', () => {
  it('lets the business write first: no window on SMS', () => {
    expect(engine.evaluate(intent, context)).toMatchObject({ allowed: true, inWindow: true, form: { kind: 'free-form' } });
  });
  it('requires recorded consent for transactional and marketing messages (TCPA / ePrivacy)', () => {
    for (const purpose of ['transactional', 'marketing'] as const) {
      const denied = engine.evaluate({ ...intent, purpose }, context);
      expect(denied).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'NO_CONSENT', source: 'channel' })] });
      expect(engine.evaluate({ ...intent, purpose }, { ...context, consent: granted(purpose) }).allowed).toBe(true);
    }
  });
  it('refuses text over 1,600 characters instead of splitting it', () => {
    const d = engine.evaluate({ ...intent, content: { type: 'text', text: 'a'.repeat(1601) } }, context);
    expect(d).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'TEXT_TOO_LONG' })] });
  });
  it('refuses media and reactions as unsupported content', () => {
    const d = engine.evaluate({ ...intent, content: { type: 'image', media: { url: 'https://example.com/a.jpg' } } }, context);
    expect(d).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' })] });
  });
  it('leaves quiet hours to the business policy', () => {
    const business = { quietHours: { start: '21:00', end: '08:00', timeZone: 'America/New_York' } };
    const evening = engine.evaluate({ ...intent, purpose: 'transactional' }, { ...context, consent: granted('transactional'), business });
    expect(evening.allowed).toBe(true);
    const late = createPolicyEngine(new ManualClock(Date.parse('2026-11-04T03:00:00Z')))
      .evaluate({ ...intent, purpose: 'transactional' }, { ...context, consent: granted('transactional'), business });
    expect(late).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'QUIET_HOURS', source: 'business' })] });
  });
  it('refuses restricted commerce (carriers filter SHAFT content)', () => {
    const d = engine.evaluate({ ...intent, commerceCategory: 'tobacco' }, context);
    expect(d).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'RESTRICTED_COMMERCE' })] });
  });
  it('prices every message per segment, replies included, by market', () => {
    expect(engine.evaluate(intent, { ...context, market: 'US' })).toMatchObject({ price: { category: 'business-initiated', amount: 0.0075, currency: 'EUR' } });
    expect(engine.evaluate(intent, { ...context, market: 'DE', conversation: { lastInboundAt: now - 60_000 } })).toMatchObject({ price: { category: 'service', amount: 0.08 } });
    expect(engine.evaluate(intent, { ...context, market: 'FR' })).toMatchObject({ price: { amount: 0.065 } });
  });
  it('declares the content types its capability table can render, and sources for its rules', () => {
    const renderable = CONTENT_TYPES.filter((t) => capabilityOf(smsCapabilities, t) !== 'unsupported');
    expect([...(smsPolicy.contentTypes ?? [])].sort()).toEqual([...renderable].sort());
    for (const rule of ['initiation', 'consentRequiredFor', 'rateLimits', 'text', 'pricing', 'optOutKeywords']) {
      expect(smsPolicy.sources.some((s) => s.rule === rule), rule).toBe(true);
    }
  });
});

/**
 * Issue 2's policy scenarios against the policies the first-party plugins actually declare (the
 * core tests use fixture policies; these use the real ones, so a connector cannot drift from them).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ManualClock, createPolicyEngine, deriveConsentState, restrictivenessViolations, DEFAULT_BUSINESS_POLICY,
  type ConsentEntry, type ConnectorPlugin, type PolicyContext, type MessageIntent, type BusinessPolicy,
} from '@switchboard/core';
import whatsapp from '@switchboard/whatsapp';
import messenger from '@switchboard/messenger';
import telegram from '@switchboard/telegram';
import viber from '@switchboard/viber';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const clock = new ManualClock(NOW);
const engine = createPolicyEngine(clock);

const ctx = (plugin: ConnectorPlugin, extra: Partial<PolicyContext> = {}): PolicyContext => ({
  channelPolicy: plugin.policy, capabilities: plugin.capabilities, business: DEFAULT_BUSINESS_POLICY, ...extra,
});
const text = (t = 'Your vehicle is being cleaned and will be ready for collection shortly.') => ({ type: 'text' as const, text: t });
const intent = (channel: string, extra: Partial<MessageIntent> = {}): MessageIntent => ({ channel, purpose: 'service', sender: 'bot', content: text(), userId: '4915112345678', ...extra });
const codes = (d: ReturnType<typeof engine.evaluate>) => (d.allowed ? [] : d.reasons.map((r) => r.code));
const entry = (e: Partial<ConsentEntry> & Pick<ConsentEntry, 'action' | 'channel'>): ConsentEntry => ({
  id: Math.random().toString(36).slice(2), tenantId: 't', contactId: 'c', scope: 'all-channels', at: new Date(NOW - 48 * HOUR), evidence: { source: 'api' }, ...e,
});
const gateChange = { type: 'template' as const, name: 'gate_change', language: 'en_US', category: 'utility' as const, parameters: [{ text: 'LH 2040' }, { text: 'B12' }] };

describe('WhatsApp (declared policy)', () => {
  it('allows a reply inside the 24 h window, free', () => {
    const d = engine.evaluate(intent('whatsapp'), ctx(whatsapp, { conversation: { lastInboundAt: NOW - 2 * HOUR } }));
    expect(d).toMatchObject({ allowed: true, form: { kind: 'free-form' }, price: { amount: 0 } });
  });
  it('denies free-form outside the window with WINDOW_CLOSED and TEMPLATE_REQUIRED', () => {
    const d = engine.evaluate(intent('whatsapp'), ctx(whatsapp, { conversation: { lastInboundAt: NOW - 30 * HOUR } }));
    expect(codes(d)).toEqual(expect.arrayContaining(['WINDOW_CLOSED', 'TEMPLATE_REQUIRED']));
  });
  it('allows an approved utility template outside the window to an opted-in customer, and prices it', () => {
    const consent = deriveConsentState([entry({ action: 'opt-in', channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates' })], { channel: 'whatsapp' });
    const d = engine.evaluate(intent('whatsapp', { purpose: 'transactional', topic: 'flight updates', content: gateChange }),
      ctx(whatsapp, { consent, template: { status: 'approved', category: 'utility' }, conversation: { lastInboundAt: NOW - 30 * HOUR } }));
    expect(d.allowed).toBe(true);
    if (d.allowed) {
      expect(d.form).toEqual({ kind: 'template', category: 'utility' });
      expect(d.price.category).toBe('utility');
      expect(d.price.amount).toBeGreaterThan(0);
    }
  });
  it('denies a marketing template without marketing consent (NO_CONSENT, imposed by law)', () => {
    const d = engine.evaluate(intent('whatsapp', { purpose: 'marketing', content: { ...gateChange, name: 'winter_sale', category: 'marketing' } }),
      ctx(whatsapp, { template: { status: 'approved', category: 'marketing' }, conversation: { lastInboundAt: NOW - 30 * HOUR } }));
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons.find((r) => r.code === 'NO_CONSENT')).toBeDefined();
  });
  it('after a marketing opt-out on Telegram, marketing on WhatsApp to the same contact is OPTED_OUT', () => {
    const ledger = [
      entry({ action: 'opt-in', channel: 'whatsapp', purpose: 'marketing' }),
      entry({ action: 'opt-out', channel: 'telegram', purpose: 'marketing', at: new Date(NOW - HOUR), evidence: { source: 'keyword', text: 'STOP' } }),
    ];
    const consent = deriveConsentState(ledger, { channel: 'whatsapp' });
    const d = engine.evaluate(intent('whatsapp', { purpose: 'marketing', content: { ...gateChange, name: 'winter_sale', category: 'marketing' } }),
      ctx(whatsapp, { consent, template: { status: 'approved', category: 'marketing' }, conversation: { lastInboundAt: NOW - 30 * HOUR } }));
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons).toContainEqual(expect.objectContaining({ code: 'OPTED_OUT', source: 'customer' }));
  });
});

describe('Messenger (declared policy)', () => {
  it('allows the HUMAN_AGENT tag for a human agent within 7 days and denies it for a bot', () => {
    const c = ctx(messenger, { conversation: { lastInboundAt: NOW - 3 * 24 * HOUR } });
    expect(engine.evaluate(intent('messenger', { sender: 'agent', tag: 'HUMAN_AGENT' }), c)).toMatchObject({ allowed: true, form: { kind: 'tag', tag: 'HUMAN_AGENT' } });
    expect(codes(engine.evaluate(intent('messenger', { sender: 'bot', tag: 'HUMAN_AGENT' }), c))).toContain('TAG_NOT_ALLOWED');
    expect(codes(engine.evaluate(intent('messenger', { sender: 'agent', tag: 'HUMAN_AGENT' }), ctx(messenger, { conversation: { lastInboundAt: NOW - 8 * 24 * HOUR } })))).toContain('TAG_NOT_ALLOWED');
  });
  it('forbids broadcasts', () => {
    const consent = deriveConsentState([entry({ action: 'opt-in', channel: 'messenger', purpose: 'transactional' })], { channel: 'messenger' });
    expect(codes(engine.evaluate(intent('messenger', { purpose: 'transactional', broadcast: true }), ctx(messenger, { consent, conversation: { lastInboundAt: NOW - HOUR } })))).toContain('BROADCAST_FORBIDDEN');
  });
});

describe('user must initiate', () => {
  it.each([['telegram', telegram], ['viber', viber], ['messenger', messenger]] as const)('denies a business-initiated %s message to a user who never wrote', (channel, plugin) => {
    expect(codes(engine.evaluate(intent(channel), ctx(plugin)))).toContain('USER_MUST_INITIATE');
  });
});

describe('a business policy stricter than the channel wins', () => {
  const business: BusinessPolicy = { ...DEFAULT_BUSINESS_POLICY, serviceWindowHours: 12, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } };
  it('a 12 h window closes WhatsApp conversations after 12 h, imposed by the business', () => {
    const d = engine.evaluate(intent('whatsapp'), ctx(whatsapp, { business, conversation: { lastInboundAt: NOW - 13 * HOUR } }));
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons).toContainEqual(expect.objectContaining({ code: 'WINDOW_CLOSED', source: 'business' }));
  });
  it('quiet hours 22:00–07:00 hold back a notification at 23:30 local time', () => {
    const late = new ManualClock(Date.parse('2026-11-20T22:30:00Z'));
    const consent = deriveConsentState([entry({ action: 'opt-in', channel: 'telegram', purpose: 'transactional' })], { channel: 'telegram' });
    const d = createPolicyEngine(late).evaluate(intent('telegram', { purpose: 'transactional', topic: 'orders' }), ctx(telegram, { business, consent, conversation: { lastInboundAt: Date.parse('2026-11-20T10:00:00Z') } }));
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons).toContainEqual(expect.objectContaining({ code: 'QUIET_HOURS', source: 'business' }));
  });
});

describe('the effective policy is never less restrictive than any source (real channel policies, random business policies)', () => {
  const plugins = [whatsapp, messenger, telegram, viber];
  it('holds for every plugin', () => {
    fc.assert(fc.property(
      fc.constantFrom(...plugins),
      fc.record({
        serviceWindowHours: fc.option(fc.integer({ min: 1, max: 48 }), { nil: undefined }),
        marketingAllowed: fc.option(fc.boolean(), { nil: undefined }),
        broadcastAllowed: fc.option(fc.boolean(), { nil: undefined }),
        maxTextLength: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
        bannedTopics: fc.option(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), { nil: undefined }),
        consentRequiredFor: fc.option(fc.subarray(['service', 'transactional', 'marketing'] as const), { nil: undefined }),
      }, { requiredKeys: [] }),
      (plugin, raw) => {
        const business = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as BusinessPolicy;
        const eff = engine.effective(ctx(plugin, { business }));
        return eff.sources.every((s) => restrictivenessViolations(eff.rules, s.rules).length === 0);
      }), { numRuns: 300 });
  });
});

describe('one Meta Commerce Policy: WhatsApp and Messenger declare the same restrictions', () => {
  it('regression: the two declared lists are identical, category by category, with the same sources', () => {
    expect([...whatsapp.policy.restrictedCommerce].sort()).toEqual([...messenger.policy.restrictedCommerce].sort());
    const perCategory = (p: typeof whatsapp.policy) => p.sources.filter((s) => s.rule.startsWith('restrictedCommerce.')).map((s) => [s.rule, s.url, s.grade]);
    expect(perCategory(whatsapp.policy)).toEqual(perCategory(messenger.policy));
  });
});

describe('law layers on the declared policies', () => {
  const consenting = (channel: string) => deriveConsentState([entry({ action: 'opt-in', channel, purpose: 'marketing' })], { channel });
  it.each([['telegram', telegram], ['viber', viber]] as const)('regression: a tobacco promotion to a consenting customer is refused on %s by the law', (channel, plugin) => {
    const d = engine.evaluate(intent(channel, { purpose: 'marketing', commerceCategory: 'tobacco' }), ctx(plugin, { consent: consenting(channel), conversation: { lastInboundAt: NOW - HOUR }, tenantCountry: 'DE', market: 'DE' }));
    expect(d.allowed ? [] : d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law', message: expect.stringContaining('Directive 2003/33/EC') })]);
  });
  it.each([['telegram', telegram], ['viber', viber]] as const)('regression: a prescription-drug promotion to a consenting customer is refused on %s by the law', (channel, plugin) => {
    const d = engine.evaluate(intent(channel, { purpose: 'marketing', commerceCategory: 'prescription-drugs' }), ctx(plugin, { consent: consenting(channel), conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.allowed ? [] : d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law', message: expect.stringContaining('Directive 2001/83/EC, Art. 88') })]);
  });
});

describe('the policy scenarios against the declared policies of the five channels', async () => {
  const apple = (await import('@switchboard/apple')).default;
  const { policyScenarios, uncoveredRules, declaredRules } = await import('../../../core/src/__fixtures__/policy-scenarios.js');
  const { scenarioMismatches } = await import('../../../core/src/__fixtures__/scenario-check.js');
  const plugins = { whatsapp, messenger, telegram, viber, apple };
  const policies = { whatsapp: whatsapp.policy, messenger: messenger.policy, telegram: telegram.policy, viber: viber.policy, apple: apple.policy };
  const scenarios = policyScenarios(policies);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    // the connector's capability table decides what content it carries, as in the host
    const d = createPolicyEngine(new ManualClock(s.now)).evaluate(s.intent, { capabilities: plugins[s.channel].capabilities, ...s.context });
    expect(scenarioMismatches(s, d)).toEqual([]);
  });
  it('every rule each channel declares is covered by a scenario', () => {
    expect(uncoveredRules(policies, scenarios)).toEqual([]);
  });
  it('every rule each channel declares has its documented source', () => {
    const missing: string[] = [];
    for (const [channel, policy] of Object.entries(policies)) {
      for (const rule of declaredRules(policy)) if (!policy.sources.some((s) => s.rule === rule || s.rule.startsWith(`${rule}.`))) missing.push(`${channel}.${rule}`);
    }
    expect(missing).toEqual([]);
  });
});

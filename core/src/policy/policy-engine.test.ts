import { describe, expect, it } from 'vitest';
import {
  createPolicyEngine, DEFAULT_BUSINESS_POLICY, deriveConsentState, explain, explainDecision, explainRows, explainVerdict,
  GDPR_BASELINE, inQuietHours, ManualClock, MeetPolicyEngine, NO_CONSENT,
  type BusinessPolicy, type ChannelPolicy, type MediaRef, type MessageIntent, type PolicyContext, type PolicyDecision, type PolicyDeny, type PolicySourceName,
} from '../index.js';
import { CHANNEL_POLICIES, applePolicy, messengerPolicy, telegramCapabilities, telegramPolicy, viberPolicy, whatsappPolicy } from '../__fixtures__/channel-policies.js';
import { annaLedger, annaLedgerAfterTelegramOptOut, declaredRules, ledgerEntry, NIGHT, NOW, policyScenarios, RULES_OUTSIDE_THE_ENGINE, uncoveredRules } from '../__fixtures__/policy-scenarios.js';
import { scenarioMismatches } from '../__fixtures__/scenario-check.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function decide(intent: MessageIntent, context: PolicyContext, now = NOW): PolicyDecision {
  return createPolicyEngine(new ManualClock(now)).evaluate(intent, context);
}
function denied(d: PolicyDecision): PolicyDeny {
  if (d.allowed) throw new Error(`expected a deny, got ${explainDecision(d)}`);
  return d;
}
const codes = (d: PolicyDecision): string[] => denied(d).reasons.map((r) => r.code);
const text = (t: string): MessageIntent['content'] => ({ type: 'text', text: t });
const gateChange: MessageIntent['content'] = { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 1234' }, { text: 'B42' }] };
const springSale: MessageIntent['content'] = { type: 'template', name: 'spring_sale', language: 'en_US', category: 'marketing' };
const annaOnWhatsapp = deriveConsentState(annaLedger, { channel: 'whatsapp' });

describe('policy scenarios (shared with the cross-package test)', () => {
  const scenarios = policyScenarios(CHANNEL_POLICIES);
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const decision = decide(s.intent, s.context, s.now);
    expect(scenarioMismatches(s, decision), explainDecision(decision)).toEqual([]);
  });
  it('covers every rule each channel declares (derived from the declared policies)', () => {
    expect(uncoveredRules(CHANNEL_POLICIES, scenarios)).toEqual([]);
  });
  it('the coverage check fails when a channel declares a rule no scenario covers', () => {
    const withExtra = { ...CHANNEL_POLICIES, telegram: { ...telegramPolicy, marketingTemplateBlockedCountries: ['US'] } };
    expect(uncoveredRules(withExtra, policyScenarios(withExtra))).toEqual(['telegram.marketingTemplateBlockedCountries']);
    expect(declaredRules(telegramPolicy)).not.toContain('restrictedCommerce');
  });
  it('covers quiet hours across daylight-saving transitions in two time zones', () => {
    const dst = scenarios.filter((s) => s.group === 'quiet-hours').map((s) => s.name);
    expect(dst.filter((n) => n.startsWith('Berlin'))).toHaveLength(4);
    expect(dst.filter((n) => n.startsWith('New York'))).toHaveLength(4);
  });
  it('every refusal of a declared channel rule names a documented source', () => {
    for (const s of scenarios) {
      const d = decide(s.intent, s.context, s.now);
      if (d.allowed) continue;
      for (const r of d.reasons) if (r.source === 'channel' || r.source === 'law') expect(r.rule, `${s.name}: ${r.code}`).toBeDefined();
    }
  });
  it('covers every channel and both outcomes', () => {
    expect(new Set(scenarios.map((s) => s.channel))).toEqual(new Set(['whatsapp', 'messenger', 'telegram', 'viber', 'apple']));
    expect(scenarios.some((s) => s.expect.allowed)).toBe(true);
    expect(scenarios.some((s) => !s.expect.allowed)).toBe(true);
  });
});

describe('WhatsApp service window', () => {
  const base: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY };
  it('allows a reply inside the 24 h window, free', () => {
    const d = decide({ channel: 'whatsapp', purpose: 'service', sender: 'bot', content: text('Your car is ready') },
      { ...base, conversation: { lastInboundAt: new Date(NOW - 23 * HOUR) } });
    expect(d).toEqual({ allowed: true, form: { kind: 'free-form' }, price: { amount: 0, currency: 'EUR', category: 'service' }, inWindow: true });
  });
  it('denies free-form after 24 h with WINDOW_CLOSED and TEMPLATE_REQUIRED, naming the channel', () => {
    const d = denied(decide({ channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Hello again') },
      { ...base, conversation: { lastInboundAt: NOW - 24 * HOUR } }));
    expect(d.reasons.map((r) => [r.code, r.source])).toEqual([['WINDOW_CLOSED', 'channel'], ['TEMPLATE_REQUIRED', 'channel']]);
    expect(d.reasons[0]!.message).toContain(new Date(NOW).toISOString());
    expect(d.reasons[1]!.message).toContain('utility');
  });
  it('denies free-form to a customer who never wrote', () => {
    expect(codes(decide({ channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Hi') }, base))).toEqual(['WINDOW_CLOSED', 'TEMPLATE_REQUIRED']);
  });
  it('allows and prices an approved utility template outside the window', () => {
    const d = decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      { ...base, consent: annaOnWhatsapp, conversation: { lastInboundAt: NOW - 3 * DAY }, template: { status: 'approved' } });
    expect(d).toEqual({ allowed: true, form: { kind: 'template', category: 'utility' }, price: { amount: 0.0456, currency: 'EUR', category: 'utility', rateFrom: '2025-07-01' }, inWindow: false });
  });
  it('a utility template inside the window is free; a marketing one is charged', () => {
    const ctx: PolicyContext = { ...base, consent: annaOnWhatsapp, conversation: { lastInboundAt: NOW - HOUR }, template: { status: 'approved' } };
    const utility = decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange }, ctx);
    const marketing = decide({ channel: 'whatsapp', purpose: 'marketing', sender: 'system', content: springSale }, ctx);
    expect(utility.allowed && utility.price.amount).toBe(0);
    expect(marketing.allowed && marketing.price).toEqual({ amount: 0.1131, currency: 'EUR', category: 'marketing', rateFrom: '2025-07-01' });
  });
  it('prices by the market when the schedule has a market rate', () => {
    const d = decide({ channel: 'whatsapp', userId: '919812345678', purpose: 'marketing', sender: 'system', content: springSale },
      { ...base, consent: annaOnWhatsapp, template: { status: 'approved' }, market: 'IN' });
    expect(d.allowed && d.price.amount).toBe(0.025);
  });
  it('a click-to-WhatsApp entry point keeps the window open for 72 h', () => {
    const intent: MessageIntent = { channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Thanks for your interest') };
    expect(decide(intent, { ...base, conversation: { lastInboundAt: NOW - 48 * HOUR, entryPointAt: NOW - 48 * HOUR } }).allowed).toBe(true);
    expect(codes(decide(intent, { ...base, conversation: { lastInboundAt: NOW - 73 * HOUR, entryPointAt: NOW - 73 * HOUR } }))).toContain('WINDOW_CLOSED');
  });
  it('a template that is not approved is denied TEMPLATE_NOT_APPROVED', () => {
    for (const status of [undefined, 'draft', 'submitted', 'rejected', 'paused'] as const) {
      const d = denied(decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
        { ...base, consent: annaOnWhatsapp, ...(status ? { template: { status } } : {}) }));
      expect(d.reasons).toEqual([{ code: 'TEMPLATE_NOT_APPROVED', source: 'channel', rule: 'templatesRequireApproval', message: `template gate_change is ${status ?? 'not registered'}, not approved` }]);
    }
  });
  it('marketing must use a marketing template', () => {
    const d = decide({ channel: 'whatsapp', purpose: 'marketing', sender: 'system', content: gateChange },
      { ...base, consent: annaOnWhatsapp, template: { status: 'approved' } });
    expect(codes(d)).toEqual(['TEMPLATE_CATEGORY_NOT_ALLOWED']);
  });
  it('a template category the channel does not list is denied outside the window', () => {
    const d = decide({ channel: 'messenger', purpose: 'marketing', sender: 'system', content: springSale },
      { channelPolicy: messengerPolicy, consent: annaOnWhatsapp, conversation: { lastInboundAt: NOW - 2 * DAY }, template: { status: 'approved' } });
    expect(codes(d)).toEqual(['TEMPLATE_CATEGORY_NOT_ALLOWED']);
  });
});

describe('consent', () => {
  const base: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, template: { status: 'approved' } };
  const marketing: MessageIntent = { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale };
  it('a marketing template without marketing consent is denied NO_CONSENT', () => {
    const d = denied(decide(marketing, { ...base, consent: NO_CONSENT }));
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({ code: 'NO_CONSENT', source: 'channel' });
  });
  it('NO_CONSENT is imposed by the law where the channel does not ask for consent', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'marketing', sender: 'bot', content: text('20% off') },
      { channelPolicy: telegramPolicy, conversation: { lastInboundAt: NOW - DAY } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'NO_CONSENT', source: 'law' })]);
  });
  it('NO_CONSENT is imposed by the business for transactional messages on a channel that does not ask', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'transactional', topic: 'flight updates', sender: 'bot', content: text('Gate B42') },
      { channelPolicy: telegramPolicy, business: DEFAULT_BUSINESS_POLICY, conversation: { lastInboundAt: NOW - DAY } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'NO_CONSENT', source: 'business' })]);
  });
  it('a marketing template sent as "transactional" still needs marketing consent', () => {
    const consent = deriveConsentState([ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', at: new Date(NOW - DAY) })], { channel: 'whatsapp' });
    const d = decide({ ...marketing, purpose: 'transactional' }, { ...base, consent });
    expect(codes(d)).toContain('NO_CONSENT');
  });
  it('with marketing consent, marketing is allowed', () => {
    expect(decide(marketing, { ...base, consent: annaOnWhatsapp }).allowed).toBe(true);
  });
  it('a marketing opt-out on Telegram denies marketing on WhatsApp (OPTED_OUT, from the customer)', () => {
    const consent = deriveConsentState(annaLedgerAfterTelegramOptOut, { channel: 'whatsapp' });
    const d = denied(decide(marketing, { ...base, consent }));
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({ code: 'OPTED_OUT', source: 'customer' });
    expect(d.reasons[0]!.message).toContain('telegram');
  });
  it('with per-channel scope the Telegram opt-out leaves WhatsApp marketing alone', () => {
    const consent = deriveConsentState(annaLedgerAfterTelegramOptOut, { channel: 'whatsapp', scope: 'per-channel' });
    expect(decide(marketing, { ...base, consent }).allowed).toBe(true);
  });
  it('the opt-out of marketing leaves transactional notifications alone', () => {
    const consent = deriveConsentState(annaLedgerAfterTelegramOptOut, { channel: 'whatsapp' });
    expect(decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange }, { ...base, consent }).allowed).toBe(true);
  });
  it('a business requiring double opt-in ignores a single opt-in', () => {
    const single = deriveConsentState(annaLedger, { channel: 'whatsapp' });
    const d = denied(decide(marketing, { ...base, business: { ...DEFAULT_BUSINESS_POLICY, requireDoubleOptIn: true }, consent: single }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'NO_CONSENT', message: expect.stringContaining('double') })]);
    const double = deriveConsentState([
      ledgerEntry({ id: 'req', channel: 'whatsapp', action: 'opt-in-requested', purpose: 'marketing', at: new Date(NOW - 2 * DAY) }),
      ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', at: new Date(NOW - DAY), evidence: { source: 'keyword', text: 'YES', confirms: 'req' } }),
    ], { channel: 'whatsapp' });
    expect(decide(marketing, { ...base, business: { ...DEFAULT_BUSINESS_POLICY, requireDoubleOptIn: true }, consent: double }).allowed).toBe(true);
  });
  it('a banned topic is denied TOPIC_BANNED by the business', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'transactional', topic: 'Politics', sender: 'bot', content: text('Vote!') },
      { channelPolicy: telegramPolicy, business: { bannedTopics: ['politics'] }, conversation: { lastInboundAt: NOW } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'TOPIC_BANNED', source: 'business' })]);
  });
  it('marketing requiring verification is denied for an unverified tenant', () => {
    const business = { ...DEFAULT_BUSINESS_POLICY, marketingRequiresVerification: { whatsapp: 'verified' } };
    expect(codes(decide(marketing, { ...base, business, consent: annaOnWhatsapp, verificationLevel: 'confirmed' }))).toEqual(['VERIFICATION_REQUIRED']);
    expect(decide(marketing, { ...base, business, consent: annaOnWhatsapp, verificationLevel: 'verified' }).allowed).toBe(true);
  });
  it('marketing forbidden by the business is MARKETING_FORBIDDEN from the business', () => {
    const d = denied(decide(marketing, { ...base, business: { marketingAllowed: false }, consent: annaOnWhatsapp }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'MARKETING_FORBIDDEN', source: 'business' })]);
  });
  it('marketing to a +1 number is denied on WhatsApp, but not to +49', () => {
    const d = denied(decide({ ...marketing, userId: '+1 415 555 0123'.replace(/ /g, '') }, { ...base, consent: annaOnWhatsapp }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'MARKETING_REGION_BLOCKED', source: 'channel' })]);
    expect(decide({ ...marketing, userId: '4915112345678' }, { ...base, consent: annaOnWhatsapp }).allowed).toBe(true);
  });
});

describe('Messenger tags', () => {
  const agentReply: MessageIntent = { channel: 'messenger', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('Agent here') };
  const ctx = (sinceInbound: number): PolicyContext => ({ channelPolicy: messengerPolicy, conversation: { lastInboundAt: NOW - sinceInbound } });
  it('HUMAN_AGENT is allowed for a human agent within 7 days', () => {
    expect(decide(agentReply, ctx(6 * DAY + 23 * HOUR))).toEqual({ allowed: true, form: { kind: 'tag', tag: 'HUMAN_AGENT' }, price: { amount: 0, currency: 'EUR', category: 'business-initiated' }, inWindow: false });
  });
  it('HUMAN_AGENT is denied for a bot', () => {
    const d = denied(decide({ ...agentReply, sender: 'bot' }, ctx(2 * DAY)));
    expect(d.reasons.map((r) => [r.code, r.source])).toEqual([['TAG_NOT_ALLOWED', 'channel'], ['WINDOW_CLOSED', 'channel']]);
    expect(d.reasons[0]!.message).toContain('agent');
  });
  it('HUMAN_AGENT is denied after 7 days', () => {
    expect(codes(decide(agentReply, ctx(7 * DAY)))).toEqual(['TAG_NOT_ALLOWED', 'WINDOW_CLOSED']);
  });
  it('HUMAN_AGENT cannot carry marketing', () => {
    const consent = deriveConsentState(annaLedger, { channel: 'messenger' });
    const d = decide({ ...agentReply, purpose: 'marketing' }, { ...ctx(DAY + HOUR), consent });
    expect(codes(d)).toContain('TAG_NOT_ALLOWED');
  });
  it('an update tag is allowed for a bot at any time; an unknown tag is not', () => {
    expect(decide({ ...agentReply, sender: 'bot', tag: 'POST_PURCHASE_UPDATE' }, ctx(30 * DAY)).allowed).toBe(true);
    expect(codes(decide({ ...agentReply, tag: 'NON_PROMOTIONAL_SUBSCRIPTION' }, ctx(30 * DAY)))).toEqual(['TAG_NOT_ALLOWED', 'WINDOW_CLOSED']);
  });
  it('free-form outside the window names the tags that would work', () => {
    const d = denied(decide({ channel: 'messenger', purpose: 'service', sender: 'bot', content: text('Hi') }, ctx(2 * DAY)));
    expect(d.reasons.map((r) => r.code)).toEqual(['WINDOW_CLOSED', 'TEMPLATE_REQUIRED']);
    expect(d.reasons[1]!.message).toContain('HUMAN_AGENT');
  });
  it('broadcast is forbidden on Messenger', () => {
    expect(denied(decide({ ...agentReply, tag: undefined, broadcast: true } as MessageIntent, ctx(HOUR))).reasons)
      .toEqual([expect.objectContaining({ code: 'BROADCAST_FORBIDDEN', source: 'channel' })]);
  });
  it('Messenger requires the user to start', () => {
    expect(codes(decide({ channel: 'messenger', purpose: 'service', sender: 'bot', content: text('Hi') }, { channelPolicy: messengerPolicy }))).toContain('USER_MUST_INITIATE');
  });
});

describe('who starts', () => {
  for (const policy of [telegramPolicy, applePolicy, viberPolicy]) {
    it(`${policy.channel}: a business-initiated message to a user who never wrote is USER_MUST_INITIATE`, () => {
      const d = denied(decide({ channel: policy.channel, purpose: 'service', sender: 'bot', content: text('Hello') }, { channelPolicy: policy }));
      expect(d.reasons).toEqual([expect.objectContaining({ code: 'USER_MUST_INITIATE', source: 'channel' })]);
    });
    it(`${policy.channel}: a user who subscribed (without a message) counts as having started`, () => {
      expect(decide({ channel: policy.channel, purpose: 'service', sender: 'bot', content: text('Hello') },
        { channelPolicy: policy, conversation: { userInitiated: true } }).allowed).toBe(true);
    });
  }
  it('Telegram has no window: a reply weeks later is allowed', () => {
    expect(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: text('Still there?') },
      { channelPolicy: telegramPolicy, conversation: { lastInboundAt: NOW - 60 * DAY } }).allowed).toBe(true);
  });
});

describe('business policy stricter than the channel', () => {
  const strict = { ...DEFAULT_BUSINESS_POLICY, serviceWindowHours: 12, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } };
  const reply: MessageIntent = { channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Update on your car') };
  it('a 12 h window wins over WhatsApp 24 h', () => {
    expect(decide(reply, { channelPolicy: whatsappPolicy, business: strict, conversation: { lastInboundAt: NOW - 11 * HOUR } }).allowed).toBe(true);
    const d = denied(decide(reply, { channelPolicy: whatsappPolicy, business: strict, conversation: { lastInboundAt: NOW - 12 * HOUR } }));
    expect(d.reasons[0]).toMatchObject({ code: 'WINDOW_CLOSED', source: 'business' });
    expect(d.reasons[0]!.message).toContain('12 h');
  });
  it('a 12 h window also applies to a channel without one', () => {
    expect(codes(decide({ ...reply, channel: 'telegram' }, { channelPolicy: telegramPolicy, business: strict, conversation: { lastInboundAt: NOW - 13 * HOUR } }))).toEqual(['WINDOW_CLOSED']);
  });
  it('quiet hours 22:00–07:00 (CET) hold notifications at 23:30 and at 06:59, not at 07:00', () => {
    const consent = annaOnWhatsapp;
    const n: MessageIntent = { channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange };
    const ctx: PolicyContext = { channelPolicy: whatsappPolicy, business: strict, consent, template: { status: 'approved' } };
    expect(denied(decide(n, ctx, NIGHT)).reasons).toEqual([expect.objectContaining({ code: 'QUIET_HOURS', source: 'business' })]);
    expect(codes(decide(n, ctx, Date.parse('2026-03-11T05:59:00Z')))).toEqual(['QUIET_HOURS']);
    expect(decide(n, ctx, Date.parse('2026-03-11T06:00:00Z')).allowed).toBe(true);
    expect(decide(n, ctx, Date.parse('2026-03-10T20:59:00Z')).allowed).toBe(true);
  });
  it('quiet hours do not hold replies', () => {
    expect(decide(reply, { channelPolicy: whatsappPolicy, business: strict, conversation: { lastInboundAt: NIGHT - HOUR } }, NIGHT).allowed).toBe(true);
  });
  it('a lower business text limit refuses only where the channel refuses, otherwise the connector splits', () => {
    const long = text('word '.repeat(300));
    const ctx: PolicyContext = { channelPolicy: telegramPolicy, business: { maxTextLength: 1000 }, conversation: { lastInboundAt: NOW } };
    expect(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: long }, ctx).allowed).toBe(true);
    const refusing = { ...telegramPolicy, text: { maxLength: 4096, overflow: 'refuse' as const } };
    const d = denied(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: long }, { ...ctx, channelPolicy: refusing }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'TEXT_TOO_LONG', source: 'business', message: 'text is 1500 characters; the limit is 1000' })]);
  });
  it('content types the business does not allow are CONTENT_UNSUPPORTED from the business', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: { type: 'location', latitude: 52.5, longitude: 13.4 } },
      { channelPolicy: telegramPolicy, business: { contentTypes: ['text', 'image'] }, conversation: { lastInboundAt: NOW } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'CONTENT_UNSUPPORTED', source: 'business' })]);
  });
  it('content the capability table marks unsupported is CONTENT_UNSUPPORTED from the channel', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: { type: 'rich', kind: 'carousel', payload: {} } },
      { channelPolicy: { ...telegramPolicy }, capabilities: telegramCapabilities, conversation: { lastInboundAt: NOW } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'CONTENT_UNSUPPORTED', source: 'channel' })]);
  });
  it('the business may forbid broadcasts', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', broadcast: true, content: text('News') },
      { channelPolicy: telegramPolicy, business: { broadcastAllowed: false }, conversation: { lastInboundAt: NOW } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'BROADCAST_FORBIDDEN', source: 'business' })]);
  });
  it('a business restricted-commerce category is RESTRICTED_COMMERCE from the business', () => {
    const d = denied(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', commerceCategory: 'Fireworks', content: text('Rockets!') },
      { channelPolicy: telegramPolicy, business: { restrictedCommerce: ['fireworks'] }, conversation: { lastInboundAt: NOW } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'business' })]);
  });
});

describe('customer controls', () => {
  const ledger = (...extra: Parameters<typeof ledgerEntry>[0][]) => deriveConsentState([...annaLedger, ...extra.map(ledgerEntry)], { channel: 'whatsapp' });
  const notice: MessageIntent = { channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange };
  const reply: MessageIntent = { channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Hello') };
  const base: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, template: { status: 'approved' } };
  it('a blocked customer gets nothing but replies to their own later messages', () => {
    const consent = ledger({ channel: 'whatsapp', action: 'blocked', at: new Date(NOW - 2 * HOUR) });
    expect(denied(decide(notice, { ...base, consent })).reasons).toContainEqual(expect.objectContaining({ code: 'BLOCKED', source: 'customer' }));
    // the customer's last message came before the block: still blocked
    expect(codes(decide(reply, { ...base, consent, conversation: { lastInboundAt: NOW - 3 * HOUR } }))).toContain('BLOCKED');
    // they wrote after blocking: a reply is allowed, a notification is not
    expect(decide(reply, { ...base, consent, conversation: { lastInboundAt: NOW - HOUR } }).allowed).toBe(true);
    expect(codes(decide(notice, { ...base, consent, conversation: { lastInboundAt: NOW - HOUR } }))).toContain('BLOCKED');
    expect(codes(decide({ ...reply, broadcast: true }, { ...base, consent, conversation: { lastInboundAt: NOW - HOUR } }))).toContain('BROADCAST_FORBIDDEN');
  });
  it('after unblocking, notifications flow again', () => {
    const consent = ledger(
      { channel: 'whatsapp', action: 'blocked', at: new Date(NOW - 3 * HOUR) },
      { channel: 'whatsapp', action: 'unblocked', at: new Date(NOW - 2 * HOUR) },
    );
    expect(decide(notice, { ...base, consent }).allowed).toBe(true);
  });
  it('a spam report behaves like a block and says so', () => {
    const consent = ledger({ channel: 'whatsapp', action: 'spam-reported', at: new Date(NOW - HOUR) });
    const d = denied(decide(notice, { ...base, consent }));
    expect(d.reasons).toContainEqual(expect.objectContaining({ code: 'BLOCKED', source: 'customer', message: expect.stringContaining('spam') }));
  });
  it('important-only lets transactional pass and stops marketing', () => {
    const consent = ledger({ channel: 'whatsapp', action: 'important-only', at: new Date(NOW - HOUR) });
    expect(decide(notice, { ...base, consent }).allowed).toBe(true);
    expect(denied(decide({ channel: 'whatsapp', purpose: 'marketing', sender: 'system', content: springSale }, { ...base, consent })).reasons)
      .toEqual([expect.objectContaining({ code: 'OPTED_OUT', source: 'customer' })]);
  });
  it('a closed conversation stops everything until the customer writes again', () => {
    const consent = deriveConsentState([ledgerEntry({ channel: 'apple', action: 'closed', at: new Date(NOW - HOUR) })], { channel: 'apple' });
    const ctx: PolicyContext = { channelPolicy: applePolicy, consent };
    const r: MessageIntent = { channel: 'apple', purpose: 'service', sender: 'agent', content: text('Anything else?') };
    expect(codes(decide(r, { ...ctx, conversation: { lastInboundAt: NOW - 2 * HOUR } }))).toEqual(['CONVERSATION_CLOSED']);
    expect(decide(r, { ...ctx, conversation: { lastInboundAt: NOW - 60_000 } }).allowed).toBe(true);
  });
});

describe('every reason carries its source', () => {
  it('across all scenarios', () => {
    const sources = new Set<PolicySourceName>();
    for (const s of policyScenarios(CHANNEL_POLICIES)) {
      const d = decide(s.intent, s.context, s.now);
      if (d.allowed) continue;
      for (const r of d.reasons) {
        expect(['channel', 'business', 'law', 'customer']).toContain(r.source);
        expect(r.message.length).toBeGreaterThan(10);
        sources.add(r.source);
      }
    }
    expect([...sources].sort()).toEqual(['business', 'channel', 'customer', 'law']);
  });
});

describe('effective policy and explain', () => {
  const engine = new MeetPolicyEngine(new ManualClock(NOW));
  it('explain() renders a table naming the source of every rule', () => {
    const consent = deriveConsentState([ledgerEntry({ channel: 'whatsapp', action: 'important-only', at: new Date(NOW) })], { channel: 'whatsapp' });
    const business = { ...DEFAULT_BUSINESS_POLICY, serviceWindowHours: 12, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } };
    const out = explain(engine.effective({ channelPolicy: whatsappPolicy, business, consent }));
    const lines = out.split('\n').map((l) => l.trimEnd());
    expect(lines[0]).toBe('effective policy: whatsapp');
    expect(lines[1]).toMatch(/^rule\s+│ value\s+│ imposed by$/);
    const row = (label: string): string => lines.find((l) => l.startsWith(label)) ?? '';
    expect(row('who may start')).toMatch(/│ template\s+│ channel$/);
    expect(row('service window (h)')).toMatch(/│ 12\s+│ business$/);
    expect(row('consent required for')).toMatch(/│ transactional, marketing\s+│ channel \+ business \+ law$/);
    expect(row('marketing allowed')).toMatch(/│ false\s+│ customer$/);
    expect(row('quiet hours')).toMatch(/│ 22:00–07:00 Europe\/Berlin\s+│ business$/);
    expect(row('rate limits')).toContain('80/1s per account (pace)');
    expect(row('no marketing templates to')).toMatch(/│ US\s+│ channel$/);
    for (const l of lines.slice(3)) expect(l).toMatch(/│ (channel|business|law|customer)( \+ (channel|business|law|customer))*$/);
  });
  it('explain() shows tags with their limits', () => {
    const out = explain(engine.effective({ channelPolicy: messengerPolicy }));
    expect(out).toContain('HUMAN_AGENT ≤168h (agent)');
    expect(out).toMatch(/broadcast allowed\s+│ false\s+│ channel/);
  });
  it('explainRows() lists the same rules as data', () => {
    const rows = explainRows(engine.effective({ channelPolicy: telegramPolicy, business: DEFAULT_BUSINESS_POLICY }));
    expect(rows.find((r) => r.rule === 'consentRequiredFor')).toEqual({ rule: 'consentRequiredFor', label: 'consent required for', value: ['transactional', 'marketing'], sources: ['business', 'law'] });
    expect(rows.find((r) => r.rule === 'serviceWindowHours')).toBeUndefined();
  });
  it('explainDecision() renders allows and denies', () => {
    const allow = decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      { channelPolicy: whatsappPolicy, consent: annaOnWhatsapp, template: { status: 'approved' } });
    expect(explainDecision(allow)).toBe('ALLOW as template (utility), price 0.0456 EUR (utility)');
    const deny = decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: text('Hi') }, { channelPolicy: telegramPolicy });
    expect(explainDecision(deny)).toMatch(/^DENY\n {2}USER_MUST_INITIATE\s+\[channel\] the customer must write/);
    const tag = decide({ channel: 'messenger', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('Hi') },
      { channelPolicy: messengerPolicy, conversation: { lastInboundAt: NOW - 2 * DAY } });
    expect(explainDecision(tag)).toBe('ALLOW as tag HUMAN_AGENT, price 0.0000 EUR (business-initiated)');
  });
  it('caches the effective policy per sources and customer controls', () => {
    const a = engine.effective({ channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY });
    expect(engine.effective({ channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, consent: annaOnWhatsapp })).toBe(a);
    const blocked = deriveConsentState([ledgerEntry({ channel: 'whatsapp', action: 'blocked', at: new Date(NOW) })], { channel: 'whatsapp' });
    const b = engine.effective({ channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, consent: blocked });
    expect(b).not.toBe(a);
    expect(b.rules.repliesOnly).toBe(true);
    expect(b.provenance.initiation).toEqual(['customer']);
  });
  it('with no jurisdiction known the law is the EU layer: GDPR consent for marketing and the advertising bans', () => {
    const eff = engine.effective({ channelPolicy: telegramPolicy });
    expect(eff.sources.find((s) => s.source === 'law')?.rules).toEqual({ consentRequiredFor: GDPR_BASELINE.consentRequiredFor, restrictedCommerce: ['tobacco', 'prescription-drugs'] });
  });
  it('a pinned baseline replaces the law selected by jurisdiction', () => {
    const eff = engine.effective({ channelPolicy: telegramPolicy, baseline: GDPR_BASELINE, tenantCountry: 'DE' });
    expect(eff.sources.find((s) => s.source === 'law')?.rules).toEqual({ consentRequiredFor: ['marketing'] });
  });
});

describe('inQuietHours', () => {
  const q = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
  it('wraps midnight and applies the offset', () => {
    expect(inQuietHours(q, Date.parse('2026-03-10T21:00:00Z'), 'marketing')).toBe(true);
    expect(inQuietHours(q, Date.parse('2026-03-10T20:59:59Z'), 'marketing')).toBe(false);
    expect(inQuietHours(q, Date.parse('2026-03-11T05:59:00Z'), 'transactional')).toBe(true);
    expect(inQuietHours(q, Date.parse('2026-03-11T06:00:00Z'), 'transactional')).toBe(false);
  });
  it('does not wrap when start is before end, and honours negative offsets', () => {
    const day = { start: '12:00', end: '14:00', timeZone: 'America/New_York' };
    expect(inQuietHours(day, Date.parse('2026-03-10T17:30:00Z'), 'marketing')).toBe(true);
    expect(inQuietHours(day, Date.parse('2026-03-10T19:00:00Z'), 'marketing')).toBe(false);
  });
  it('skips service by default and follows the purposes given', () => {
    expect(inQuietHours(q, NIGHT, 'service')).toBe(false);
    expect(inQuietHours({ ...q, purposes: ['marketing'] }, NIGHT, 'transactional')).toBe(false);
    expect(inQuietHours({ ...q, purposes: ['service'] }, NIGHT, 'service')).toBe(true);
  });
  it('rejects a malformed time', () => {
    expect(() => inQuietHours({ ...q, start: '10pm' }, NIGHT, 'marketing')).toThrow(RangeError);
  });
});

describe('restricted commerce names the source that lists the category', () => {
  it('regression: a business-added restricted commerce category is explained as coming from the business, not the channel', () => {
    // WhatsApp lists restricted categories of its own: the first source listing any category used to be named
    const d = denied(decide({ channel: 'whatsapp', purpose: 'service', sender: 'bot', commerceCategory: 'Fireworks', content: text('Rockets for New Year!') },
      { channelPolicy: whatsappPolicy, business: { restrictedCommerce: ['fireworks'] }, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'business', rule: 'restrictedCommerce' })]);
    expect(d.reasons[0]!.message).toContain('the business');
    expect(d.reasons[0]!.url).toBeUndefined();
  });
  it('a category the channel lists is still the channel\'s, with the channel\'s source', () => {
    const d = denied(decide({ channel: 'whatsapp', purpose: 'service', sender: 'bot', commerceCategory: 'weapons', content: text('New knives in stock') },
      { channelPolicy: whatsappPolicy, business: { restrictedCommerce: ['fireworks'] }, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'channel', url: 'https://www.whatsapp.com/legal/commerce-policy' })]);
  });
});

describe('WhatsApp marketing-template pause: US numbers, templates only', () => {
  const base: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, consent: annaOnWhatsapp, template: { status: 'approved' } };
  const marketingTemplate = (userId: string): MessageIntent => ({ channel: 'whatsapp', userId, purpose: 'marketing', sender: 'system', content: springSale });
  it('a marketing template to a US number is refused, naming the country', () => {
    const d = denied(decide(marketingTemplate('14155550123'), base));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'MARKETING_REGION_BLOCKED', source: 'channel', rule: 'marketingTemplateBlockedCountries' })]);
    expect(d.reasons[0]!.message).toContain('US');
  });
  it('regression: the US pause is not applied to Canadian +1 numbers', () => {
    expect(decide(marketingTemplate('14165550123'), base).allowed).toBe(true);
    expect(decide(marketingTemplate('+1 587 555 0123'), base).allowed).toBe(true);
  });
  it('regression: the US pause is not applied to free-form marketing replies inside the window', () => {
    const d = decide({ channel: 'whatsapp', userId: '14155550123', purpose: 'marketing', sender: 'agent', content: text('Since you asked: 20% off this week') },
      { ...base, conversation: { lastInboundAt: NOW - HOUR } });
    expect(d.allowed).toBe(true);
  });
  it('utility templates to US numbers are not paused', () => {
    const d = decide({ channel: 'whatsapp', userId: '14155550123', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange }, base);
    expect(d.allowed).toBe(true);
  });
});

describe('WhatsApp messaging-limit tiers (unique recipients of business-initiated messages per 24 h)', () => {
  const base: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, consent: annaOnWhatsapp, template: { status: 'approved' }, conversation: { lastInboundAt: NOW - 3 * DAY } };
  const notice: MessageIntent = { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange };
  const withUsage = (usage: PolicyContext['usage']): PolicyDecision => decide(notice, { ...base, ...(usage ? { usage } : {}) });
  it('regression: a new recipient beyond the starting tier is refused with the count and the limit', () => {
    expect(withUsage({ uniqueRecipientsLast24h: 249 }).allowed).toBe(true);
    const d = denied(withUsage({ uniqueRecipientsLast24h: 250 }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RATE_LIMITED', source: 'channel', rule: 'rateLimits' })]);
    expect(d.reasons[0]!.message).toBe('the account has reached its messaging limit: it sent business-initiated messages to 250 unique customers in the last 24 h, at most 250 are allowed, and this customer would be a new one');
  });
  it('regression: a recipient already messaged in the last 24 h is not a new unique recipient', () => {
    expect(withUsage({ uniqueRecipientsLast24h: 250, recipientAlreadyCounted: true }).allowed).toBe(true);
  });
  it('the account\'s current tier is honoured when the channel declares it; an undeclared level is not', () => {
    expect(withUsage({ uniqueRecipientsLast24h: 1999, uniqueRecipientsLimit: 2000 }).allowed).toBe(true);
    expect(denied(withUsage({ uniqueRecipientsLast24h: 2000, uniqueRecipientsLimit: 2000 })).reasons[0]!.message).toContain('at most 2000');
    expect(denied(withUsage({ uniqueRecipientsLast24h: 300, uniqueRecipientsLimit: 5000 })).reasons[0]!.message).toContain('at most 250');
    expect(withUsage({ uniqueRecipientsLast24h: 5_000_000, uniqueRecipientsLimit: 'unlimited' }).allowed).toBe(true);
  });
  it('replies inside the customer-service window do not count against the limit', () => {
    const d = decide({ ...notice, purpose: 'service', content: text('Your car is ready') }, { ...base, conversation: { lastInboundAt: NOW - HOUR }, usage: { uniqueRecipientsLast24h: 100_000 } });
    expect(d.allowed).toBe(true);
  });
});

describe('quiet hours on IANA time zones', () => {
  const berlin = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
  const newYork = { start: '21:00', end: '08:00', timeZone: 'America/New_York' };
  const at = (iso: string): number => Date.parse(iso);
  it('regression: Europe/Berlin, spring-forward day (2026-03-29): 07:30 CEST is after quiet hours (a fixed +1 h offset said 06:30)', () => {
    expect(inQuietHours(berlin, at('2026-03-28T05:30:00Z'), 'marketing')).toBe(true); // 06:30 CET, the day before
    expect(inQuietHours(berlin, at('2026-03-29T00:59:00Z'), 'marketing')).toBe(true); // 01:59 CET, just before the jump
    expect(inQuietHours(berlin, at('2026-03-29T01:00:00Z'), 'marketing')).toBe(true); // 03:00 CEST, just after it
    expect(inQuietHours(berlin, at('2026-03-29T04:59:00Z'), 'marketing')).toBe(true); // 06:59 CEST
    expect(inQuietHours(berlin, at('2026-03-29T05:00:00Z'), 'marketing')).toBe(false); // 07:00 CEST
    expect(inQuietHours(berlin, at('2026-03-29T05:30:00Z'), 'marketing')).toBe(false); // 07:30 CEST
    expect(inQuietHours(berlin, at('2026-03-29T20:00:00Z'), 'marketing')).toBe(true); // 22:00 CEST
  });
  it('regression: Europe/Berlin, fall-back day (2026-10-25): 06:30 CET is still quiet, 07:00 CET is not', () => {
    expect(inQuietHours(berlin, at('2026-10-24T05:30:00Z'), 'marketing')).toBe(false); // 07:30 CEST, the day before
    expect(inQuietHours(berlin, at('2026-10-24T19:59:00Z'), 'marketing')).toBe(false); // 21:59 CEST
    expect(inQuietHours(berlin, at('2026-10-24T20:00:00Z'), 'marketing')).toBe(true); // 22:00 CEST
    expect(inQuietHours(berlin, at('2026-10-25T00:30:00Z'), 'marketing')).toBe(true); // 02:30 CEST, first pass
    expect(inQuietHours(berlin, at('2026-10-25T01:30:00Z'), 'marketing')).toBe(true); // 02:30 CET, second pass
    expect(inQuietHours(berlin, at('2026-10-25T05:30:00Z'), 'marketing')).toBe(true); // 06:30 CET
    expect(inQuietHours(berlin, at('2026-10-25T06:00:00Z'), 'marketing')).toBe(false); // 07:00 CET
    expect(inQuietHours(berlin, at('2026-10-25T20:59:00Z'), 'marketing')).toBe(false); // 21:59 CET
    expect(inQuietHours(berlin, at('2026-10-25T21:00:00Z'), 'marketing')).toBe(true); // 22:00 CET
  });
  it('regression: America/New_York, spring-forward day (2026-03-08): 08:30 EDT is after quiet hours', () => {
    expect(inQuietHours(newYork, at('2026-03-07T12:30:00Z'), 'marketing')).toBe(true); // 07:30 EST, the day before
    expect(inQuietHours(newYork, at('2026-03-08T06:59:00Z'), 'marketing')).toBe(true); // 01:59 EST, just before the jump
    expect(inQuietHours(newYork, at('2026-03-08T07:00:00Z'), 'marketing')).toBe(true); // 03:00 EDT, just after it
    expect(inQuietHours(newYork, at('2026-03-08T11:59:00Z'), 'marketing')).toBe(true); // 07:59 EDT
    expect(inQuietHours(newYork, at('2026-03-08T12:00:00Z'), 'marketing')).toBe(false); // 08:00 EDT
    expect(inQuietHours(newYork, at('2026-03-08T12:30:00Z'), 'marketing')).toBe(false); // 08:30 EDT (a fixed -5 h offset said 07:30)
    expect(inQuietHours(newYork, at('2026-03-09T01:00:00Z'), 'marketing')).toBe(true); // 21:00 EDT
  });
  it('regression: America/New_York, fall-back day (2026-11-01): 07:30 EST is still quiet', () => {
    expect(inQuietHours(newYork, at('2026-10-31T12:30:00Z'), 'marketing')).toBe(false); // 08:30 EDT, the day before
    expect(inQuietHours(newYork, at('2026-11-01T12:30:00Z'), 'marketing')).toBe(true); // 07:30 EST
    expect(inQuietHours(newYork, at('2026-11-01T13:00:00Z'), 'marketing')).toBe(false); // 08:00 EST
    expect(inQuietHours(newYork, at('2026-11-02T00:59:00Z'), 'marketing')).toBe(false); // 19:59 EST
    expect(inQuietHours(newYork, at('2026-11-02T02:00:00Z'), 'marketing')).toBe(true); // 21:00 EST
  });
  it('the recipient\'s own time zone wins over the tenant\'s where known; an invalid one is ignored', () => {
    const evening = at('2026-03-10T22:30:00Z'); // 23:30 in Berlin, 18:30 in New York
    expect(inQuietHours(berlin, evening, 'marketing')).toBe(true);
    expect(inQuietHours(berlin, evening, 'marketing', 'America/New_York')).toBe(false);
    expect(inQuietHours(berlin, evening, 'marketing', 'Not/AZone')).toBe(true);
    const n: MessageIntent = { channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange };
    const ctx: PolicyContext = { channelPolicy: whatsappPolicy, business: { ...DEFAULT_BUSINESS_POLICY, quietHours: berlin }, consent: annaOnWhatsapp, template: { status: 'approved' } };
    expect(denied(decide(n, ctx, evening)).reasons).toEqual([expect.objectContaining({ code: 'QUIET_HOURS', source: 'business', message: 'quiet hours 22:00–07:00 are in force: it is 23:30 in Europe/Berlin' })]);
    expect(decide(n, { ...ctx, recipientTimeZone: 'America/New_York' }, evening).allowed).toBe(true);
  });
  it('rejects a tenant zone that is not an IANA zone', () => {
    expect(() => inQuietHours({ ...berlin, timeZone: 'CET+1' }, NIGHT, 'marketing')).toThrow(RangeError);
  });
});

describe('price category', () => {
  it('regression: a marketing broadcast on Telegram is priced as marketing, not service', () => {
    const consent = deriveConsentState(annaLedger, { channel: 'telegram' });
    const d = decide({ channel: 'telegram', userId: '123456789', purpose: 'marketing', sender: 'system', broadcast: true, content: text('Spring sale: 20% off') },
      { channelPolicy: telegramPolicy, consent, conversation: { lastInboundAt: NOW - DAY } });
    expect(d.allowed && d.price).toEqual({ amount: 0, currency: 'EUR', category: 'marketing' });
  });
  it('a free-form message inside the WhatsApp window is a free service message, whatever its purpose', () => {
    const d = decide({ channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'agent', content: text('Since you asked: 20% off') },
      { channelPolicy: whatsappPolicy, consent: annaOnWhatsapp, conversation: { lastInboundAt: NOW - HOUR } });
    expect(d.allowed && d.price).toEqual({ amount: 0, currency: 'EUR', category: 'service' });
  });
  it('Viber marketing outside the session is charged as bot-initiated (Viber has no marketing rate)', () => {
    const consent = deriveConsentState(annaLedger, { channel: 'viber' });
    const d = decide({ channel: 'viber', userId: 'u1', purpose: 'marketing', sender: 'system', content: text('Spring sale') },
      { channelPolicy: viberPolicy, consent, conversation: { lastInboundAt: NOW - 2 * DAY } });
    expect(d.allowed && d.price.category).toBe('business-initiated');
    expect(d.allowed && d.price.amount).toBeGreaterThan(0);
  });
});

describe('explainVerdict', () => {
  it('regression: the dry run says in words whether the message is allowed and why, each reason with its source', () => {
    const d = decide({ channel: 'whatsapp', purpose: 'service', sender: 'agent', content: text('Hello again') },
      { channelPolicy: whatsappPolicy, conversation: { lastInboundAt: NOW - 30 * HOUR } });
    const v = explainVerdict(d, whatsappPolicy);
    expect(v.verdict).toBe('refused');
    expect(v.summary).toMatch(/^Refused: the 24 h customer-service window closed at 2026-03-10T06:00:00.000Z \(the channel's rule\); outside the window only approved templates/);
    expect(v.reasons.map((r) => [r.code, r.source, r.rule, r.url])).toEqual([
      ['WINDOW_CLOSED', 'channel', 'serviceWindowHours', 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages'],
      ['TEMPLATE_REQUIRED', 'channel', 'templateCategories', undefined],
    ]);
  });
  it('a law reason carries the legal text; an allow says how it goes and at what price', () => {
    const consent = deriveConsentState(annaLedger, { channel: 'telegram' });
    const refused = explainVerdict(decide({ channel: 'telegram', purpose: 'marketing', sender: 'system', commerceCategory: 'tobacco', content: text('New cigars') },
      { channelPolicy: telegramPolicy, consent, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(refused.summary).toContain('(the law)');
    expect(refused.reasons[0]).toMatchObject({ source: 'law', url: expect.stringContaining('eur-lex') });
    const allowed = explainVerdict(decide({ channel: 'whatsapp', purpose: 'service', sender: 'bot', content: text('Your car is ready') },
      { channelPolicy: whatsappPolicy, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(allowed).toEqual({ verdict: 'allowed', reasons: [], summary: 'Allowed: no rule of the channel, the business, the law or the customer refuses it. It goes as a free-form message, priced 0.0000 EUR (service).' });
  });
});

describe('media the channel cannot carry is refused before anything is queued', () => {
  const MB = 1024 * 1024;
  const waReply = (content: MessageIntent['content']): MessageIntent => ({ channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content });
  const image = (media: Partial<MediaRef>): MessageIntent['content'] => ({ type: 'image', media: { url: 'https://files.example.com/damage.jpg', ...media } });
  const inWindow: PolicyContext = { channelPolicy: whatsappPolicy, business: DEFAULT_BUSINESS_POLICY, conversation: { lastInboundAt: NOW - HOUR } };
  const mediaDocs = whatsappPolicy.sources.find((s) => s.rule === 'mediaMaxBytes')!.url;
  const typeDocs = whatsappPolicy.sources.find((s) => s.rule === 'mediaTypes')!.url;

  it('a 6 MB photo on WhatsApp (5 MB for images) is MEDIA_TOO_LARGE from the channel, with the rule and its documentation', () => {
    const d = denied(decide(waReply(image({ size: 6 * MB, mimeType: 'image/jpeg' })), inWindow));
    expect(d.reasons).toEqual([{
      code: 'MEDIA_TOO_LARGE', source: 'channel', rule: 'mediaMaxBytes', url: mediaDocs,
      message: 'the image is 6291456 bytes (6 MB); image files may be at most 5242880 bytes (5 MB) on this channel',
    }]);
  });
  it('a photo of exactly the limit goes; one of unknown size is not judged on size', () => {
    expect(decide(waReply(image({ size: 5 * MB, mimeType: 'image/jpeg' })), inWindow).allowed).toBe(true);
    expect(decide(waReply(image({ mimeType: 'image/jpeg' })), inWindow).allowed).toBe(true);
  });
  it('each kind has its own limit: a 6 MB video passes WhatsApp (16 MB), a 200 KB sticker does not (100 KB)', () => {
    expect(decide(waReply({ type: 'video', media: { url: 'https://x/v.mp4', size: 6 * MB, mimeType: 'video/mp4' } }), inWindow).allowed).toBe(true);
    const d = denied(decide(waReply({ type: 'sticker', media: { url: 'https://x/s.webp', size: 200 * 1024, mimeType: 'image/webp' } }), inWindow));
    expect(d.reasons[0]!.message).toBe('the sticker is 204800 bytes (200 KB); sticker files may be at most 102400 bytes (100 KB) on this channel');
  });
  it('a WebP sent as an image on WhatsApp is MEDIA_TYPE_UNSUPPORTED, naming the accepted types', () => {
    const d = denied(decide(waReply(image({ mimeType: 'image/webp' })), inWindow));
    expect(d.reasons).toEqual([{
      code: 'MEDIA_TYPE_UNSUPPORTED', source: 'channel', rule: 'mediaTypes', url: typeDocs,
      message: 'the image is image/webp; image files this channel accepts are image/jpeg, image/png',
    }]);
  });
  it('types are compared without case and parameters the list does not name; a parameter the list names must not differ', () => {
    expect(decide(waReply(image({ mimeType: 'IMAGE/PNG' })), inWindow).allowed).toBe(true);
    const audio = (mimeType: string) => decide(waReply({ type: 'audio', media: { url: 'https://x/a.ogg', mimeType } }), inWindow);
    expect(audio('audio/ogg; codecs=opus').allowed).toBe(true);
    expect(audio('audio/ogg; codecs="OPUS"').allowed).toBe(true);
    expect(audio('audio/ogg').allowed).toBe(true);
    expect(codes(audio('audio/ogg; codecs=vorbis'))).toEqual(['MEDIA_TYPE_UNSUPPORTED']);
  });
  it('a kind the channel lists no types for accepts any type; an unknown type is not judged', () => {
    expect(decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: image({ mimeType: 'image/webp' }) },
      { channelPolicy: telegramPolicy, conversation: { lastInboundAt: NOW - HOUR } }).allowed).toBe(true);
    expect(decide(waReply(image({})), inWindow).allowed).toBe(true);
  });
  it('a size and a type both wrong give both reasons', () => {
    expect(codes(decide(waReply(image({ size: 6 * MB, mimeType: 'image/gif' })), inWindow))).toEqual(['MEDIA_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED']);
  });
  it('a business limit below the channel\'s refuses from the business, without a public source', () => {
    const business: BusinessPolicy = { ...DEFAULT_BUSINESS_POLICY, mediaMaxBytes: { image: 2 * MB }, mediaTypes: { image: ['image/jpeg'] } };
    const d = denied(decide(waReply(image({ size: 3 * MB, mimeType: 'image/png' })), { ...inWindow, business }));
    expect(d.reasons).toEqual([
      { code: 'MEDIA_TOO_LARGE', source: 'business', rule: 'mediaMaxBytes', message: 'the image is 3145728 bytes (3 MB); image files may be at most 2097152 bytes (2 MB) for this business' },
      { code: 'MEDIA_TYPE_UNSUPPORTED', source: 'business', rule: 'mediaTypes', message: 'the image is image/png; image files this business sends are image/jpeg' },
    ]);
    // the business's 2 MB is the image limit in force; the channel's limits hold for the other kinds
    const eff = createPolicyEngine(new ManualClock(NOW)).effective({ ...inWindow, business });
    expect(eff.rules.mediaMaxBytes).toMatchObject({ image: 2 * MB, video: 16 * MB });
    expect(eff.provenance.mediaMaxBytes).toEqual(['channel', 'business']);
    expect(eff.rules.mediaTypes?.image).toEqual(['image/jpeg']);
  });
  it('a template\'s media header is held to the same limits (a boarding pass PDF over WhatsApp\'s 100 MB)', () => {
    const pass: MessageIntent['content'] = {
      type: 'template', name: 'boarding_pass', language: 'en_US', category: 'utility',
      parameters: [{ component: 'header', media: { kind: 'document', url: 'https://x/pass.pdf', mimeType: 'application/pdf', size: 101 * MB } }],
    };
    const d = denied(decide({ channel: 'whatsapp', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: pass }, { ...inWindow, consent: annaOnWhatsapp, template: { status: 'approved' } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'MEDIA_TOO_LARGE', source: 'channel', message: expect.stringContaining('template\'s document header is 105906176 bytes (101 MB)') })]);
  });

  describe('captions', () => {
    const refusing: ChannelPolicy = { ...telegramPolicy, text: { ...telegramPolicy.text, overflow: 'refuse' } };
    const tg = (caption: string, channelPolicy: ChannelPolicy = telegramPolicy) => decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: image({ caption }) },
      { channelPolicy, conversation: { lastInboundAt: NOW - HOUR } });
    it('a caption over the limit goes where the channel splits text (the connector sends the rest as text)', () => {
      expect(tg('c'.repeat(1025)).allowed).toBe(true);
    });
    it('a caption over the limit is CAPTION_TOO_LONG where the channel refuses longer text', () => {
      const d = denied(tg('c'.repeat(1025), refusing));
      expect(d.reasons).toEqual([{ code: 'CAPTION_TOO_LONG', source: 'channel', rule: 'captionMaxLength', message: 'the image\'s caption is 1025 characters; the limit is 1024' }]);
      expect(tg('c'.repeat(1024), refusing).allowed).toBe(true);
    });
    it('a caption is counted as text is (UTF-16 code units: an emoji counts two)', () => {
      expect(tg('😀'.repeat(512), refusing).allowed).toBe(true);
      expect(codes(tg('😀'.repeat(513), refusing))).toEqual(['CAPTION_TOO_LONG']);
      const asText = (t: string) => decide({ channel: 'telegram', purpose: 'service', sender: 'bot', content: text(t) },
        { channelPolicy: { ...refusing, text: { ...refusing.text, maxLength: 1024 } }, conversation: { lastInboundAt: NOW - HOUR } });
      expect(asText('😀'.repeat(512)).allowed).toBe(true);
      expect(codes(asText('😀'.repeat(513)))).toEqual(['TEXT_TOO_LONG']);
    });
  });

  it('explainVerdict names the rule, its source and where it is documented; explain shows the limits', () => {
    const v = explainVerdict(decide(waReply(image({ size: 6 * MB, mimeType: 'image/webp' })), inWindow), whatsappPolicy);
    expect(v.verdict).toBe('refused');
    expect(v.reasons.map((r) => [r.code, r.rule, r.source, r.url])).toEqual([
      ['MEDIA_TOO_LARGE', 'mediaMaxBytes', 'channel', mediaDocs],
      ['MEDIA_TYPE_UNSUPPORTED', 'mediaTypes', 'channel', typeDocs],
    ]);
    expect(v.summary).toContain('image files may be at most 5242880 bytes (5 MB) on this channel (the channel\'s rule)');
    const table = explain(createPolicyEngine(new ManualClock(NOW)).effective(inWindow));
    expect(table).toMatch(/max media size\s+│ image 5 MB, video 16 MB, audio 16 MB, document 100 MB, sticker 100 KB\s+│ channel/);
    expect(table).toMatch(/media types\s+│ image: image\/jpeg image\/png; video: video\/mp4 video\/3gpp;/);
    expect(explainRows(createPolicyEngine(new ManualClock(NOW)).effective(inWindow)).find((r) => r.rule === 'mediaTypes')?.sources).toEqual(['channel']);
  });

  it('regression: an empty per-kind record (Apple\'s `mediaTypes: {}`, any type for every kind) declares no rule to cover', () => {
    const anyType = { ...CHANNEL_POLICIES, apple: { ...applePolicy, mediaTypes: {} } };
    expect(declaredRules(anyType.apple)).not.toContain('mediaTypes');
    expect(uncoveredRules(anyType, policyScenarios(anyType))).toEqual([]);
    // an empty list for a kind accepts no type: a rule, covered by a refusal
    const noImages = { ...CHANNEL_POLICIES, apple: { ...applePolicy, mediaTypes: { image: [] } } };
    expect(declaredRules(noImages.apple)).toContain('mediaTypes');
    const scenarios = policyScenarios(noImages);
    expect(uncoveredRules(noImages, scenarios)).toEqual([]);
    for (const s of scenarios.filter((x) => x.channel === 'apple' && x.covers.includes('mediaTypes'))) expect(scenarioMismatches(s, decide(s.intent, s.context, s.now))).toEqual([]);
  });
  it('regression: mediaMaxBytes was exempt from scenario coverage as "refused by the connector when it renders", which no connector did — a 6 MB photo passed the engine', () => {
    expect(Object.keys(RULES_OUTSIDE_THE_ENGINE)).not.toContain('mediaMaxBytes');
    expect(codes(decide(waReply(image({ size: 6 * MB })), inWindow))).toEqual(['MEDIA_TOO_LARGE']);
    // the coverage check asks a scenario for each media rule a channel declares
    const withMedia = { ...CHANNEL_POLICIES, apple: { ...applePolicy, mediaTypes: { image: ['image/jpeg'] }, text: { ...applePolicy.text, captionMaxLength: 500 } } };
    expect(uncoveredRules(withMedia, policyScenarios(CHANNEL_POLICIES))).toEqual(['apple.mediaTypes', 'apple.text.captionMaxLength']);
    expect(uncoveredRules(withMedia, policyScenarios(withMedia))).toEqual([]);
    const noMediaScenarios = policyScenarios(CHANNEL_POLICIES).filter((s) => s.group !== 'media');
    expect(uncoveredRules(CHANNEL_POLICIES, noMediaScenarios)).toEqual(expect.arrayContaining(['whatsapp.mediaMaxBytes', 'whatsapp.mediaTypes', 'whatsapp.text.captionMaxLength', 'apple.mediaMaxBytes']));
  });
});

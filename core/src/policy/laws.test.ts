import { describe, expect, it } from 'vitest';
import {
  COMMERCE_CATEGORIES, createPolicyEngine, deriveConsentState, DE_LAW, EU_LAW, EU_MEMBER_STATES, explainDecision, LAW_LAYERS, lawFor,
  lawLayersFor, ManualClock, US_LAW,
  type MessageIntent, type PolicyContext, type PolicyDecision, type PolicyDeny,
} from '../index.js';
import { CHANNEL_POLICIES, telegramPolicy, viberPolicy, whatsappPolicy } from '../__fixtures__/channel-policies.js';
import { annaLedger, NOW } from '../__fixtures__/policy-scenarios.js';

const HOUR = 3_600_000;
const decide = (intent: MessageIntent, context: PolicyContext): PolicyDecision => createPolicyEngine(new ManualClock(NOW)).evaluate(intent, context);
const denied = (d: PolicyDecision): PolicyDeny => {
  if (d.allowed) throw new Error(`expected a deny, got ${explainDecision(d)}`);
  return d;
};
const consenting = (channel: string) => deriveConsentState(annaLedger, { channel });
const promotion = (channel: string, commerceCategory: string): MessageIntent => ({
  channel, userId: '4915112345678', purpose: 'marketing', sender: 'system', commerceCategory, content: { type: 'text', text: 'New flavours in store, 20% off this week' },
});

describe('law layers: advertising bans on every channel', () => {
  for (const policy of [telegramPolicy, viberPolicy]) {
    it(`regression: a tobacco promotion to a consenting customer is refused on ${policy.channel} by the law (Directive 2003/33/EC)`, () => {
      const d = denied(decide(promotion(policy.channel, 'tobacco'), {
        channelPolicy: policy, consent: consenting(policy.channel), conversation: { lastInboundAt: NOW - HOUR }, tenantCountry: 'DE', market: 'DE',
      }));
      expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law', rule: 'restrictedCommerce', url: expect.stringContaining('eur-lex.europa.eu/eli/dir/2003/33') })]);
      expect(d.reasons[0]!.message).toContain('Directive 2003/33/EC');
      expect(d.reasons[0]!.message).toContain('TabakerzG');
    });
    it(`regression: a prescription-drug promotion to a consenting customer is refused on ${policy.channel} by the law (Directive 2001/83/EC Art. 88)`, () => {
      const d = denied(decide(promotion(policy.channel, 'prescription-drugs'), {
        channelPolicy: policy, consent: consenting(policy.channel), conversation: { lastInboundAt: NOW - HOUR }, market: 'FR',
      }));
      expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law', url: expect.stringContaining('2001/83') })]);
      expect(d.reasons[0]!.message).toContain('Directive 2001/83/EC, Art. 88(1)(a)');
    });
  }
  it('the ban holds whatever the purpose the caller declares and whatever the case of the category', () => {
    const d = denied(decide({ ...promotion('telegram', 'Tobacco'), purpose: 'service' }, { channelPolicy: telegramPolicy, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law' })]);
  });
  it('on WhatsApp, where Meta bans tobacco too, the law is named: it holds on every channel', () => {
    const d = denied(decide({ ...promotion('whatsapp', 'tobacco'), purpose: 'service' }, { channelPolicy: whatsappPolicy, conversation: { lastInboundAt: NOW - HOUR } }));
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law' })]);
  });
  it('with no jurisdiction known the EU layer applies; a tenant in the US messaging a US number gets the US layer, which bans neither', () => {
    const ctx: PolicyContext = { channelPolicy: telegramPolicy, consent: consenting('telegram'), conversation: { lastInboundAt: NOW - HOUR } };
    expect(denied(decide(promotion('telegram', 'tobacco'), ctx)).reasons[0]).toMatchObject({ source: 'law' });
    expect(decide(promotion('telegram', 'tobacco'), { ...ctx, tenantCountry: 'US', market: 'US' }).allowed).toBe(true);
    // a US tenant messaging a customer in Germany: German and EU law apply to the recipient
    expect(denied(decide(promotion('telegram', 'tobacco'), { ...ctx, tenantCountry: 'US', market: 'DE' })).reasons[0]).toMatchObject({ source: 'law' });
  });
  it('an alcohol promotion is not refused by the law layers (no EU-wide ban modelled) but by WhatsApp\'s commerce policy', () => {
    const ctx = (channelPolicy = telegramPolicy): PolicyContext => ({ channelPolicy, consent: consenting(channelPolicy.channel), conversation: { lastInboundAt: NOW - HOUR }, template: { status: 'approved' } });
    expect(decide(promotion('telegram', 'alcohol'), ctx()).allowed).toBe(true);
    expect(denied(decide({ ...promotion('whatsapp', 'alcohol'), purpose: 'service' }, ctx(whatsappPolicy))).reasons).toEqual([expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'channel' })]);
  });
  it('the law\'s bans appear in the effective policy as restricted commerce imposed by the law', () => {
    const eff = createPolicyEngine(new ManualClock(NOW)).effective({ channelPolicy: telegramPolicy, tenantCountry: 'DE' });
    expect(eff.rules.restrictedCommerce).toEqual(['tobacco', 'prescription-drugs']);
    expect(eff.provenance.restrictedCommerce).toEqual(['law']);
  });
});

describe('law layers: selection by jurisdiction', () => {
  const ids = (countries: (string | undefined)[]) => lawLayersFor(countries).map((l) => l.id);
  it('the tenant\'s country and the recipient\'s country each bring their layers', () => {
    expect(ids(['DE'])).toEqual(['EU', 'DE']);
    expect(ids(['fr', undefined])).toEqual(['EU', 'FR']);
    expect(ids(['GB'])).toEqual(['GB']);
    expect(ids(['US', 'DE'])).toEqual(['EU', 'DE', 'US']);
    expect(ids(['AT'])).toEqual(['EU']);
  });
  it('a country without a layer of its own, or no country at all, gets the EU layer (never looser than before law layers)', () => {
    expect(ids([])).toEqual(['EU']);
    expect(ids([undefined, undefined])).toEqual(['EU']);
    expect(ids(['JP'])).toEqual(['EU']);
    expect(ids(['US', 'JP'])).toEqual(['EU', 'US']);
    expect(ids(['not a country'])).toEqual(['EU']);
  });
  it('the same jurisdictions give the same law object (the engine caches by it)', () => {
    expect(lawFor({ tenantCountry: 'DE', recipientCountry: 'US' })).toBe(lawFor({ tenantCountry: 'de', recipientCountry: 'us' }));
    expect(lawFor({ tenantCountry: 'DE' }).name).toBe('European Union + Germany');
  });
  it('the EU layer covers the 27 member states', () => {
    expect(EU_MEMBER_STATES).toHaveLength(27);
    expect(EU_LAW.countries).toContain('GR');
    expect(EU_LAW.countries).not.toContain('GB');
  });
});

describe('law layers are data with sources', () => {
  it('every rule of every layer names the text it comes from', () => {
    for (const layer of LAW_LAYERS) {
      if (layer.consentRequiredFor.length > 0) expect(layer.sources.some((s) => s.rule === 'consentRequiredFor'), layer.id).toBe(true);
      for (const ban of layer.advertisingBans) {
        expect(layer.sources.some((s) => s.rule === `advertisingBans.${ban.category}`), `${layer.id} ${ban.category}`).toBe(true);
        expect(ban.url).toMatch(/^https:\/\//);
        expect(Object.keys(COMMERCE_CATEGORIES)).toContain(ban.category);
      }
      for (const s of layer.sources) expect(s.url).toMatch(/^https:\/\//);
    }
  });
  it('the EU layer cites the directives the issue names', () => {
    expect(EU_LAW.advertisingBans.map((b) => [b.category, b.law])).toEqual([
      ['tobacco', 'Directive 2003/33/EC, Art. 3(2); Directive 2014/40/EU, Art. 20(5)(a)'],
      ['prescription-drugs', 'Directive 2001/83/EC, Art. 88(1)(a)'],
    ]);
    expect(DE_LAW.advertisingBans.map((b) => b.category)).toEqual(['tobacco', 'prescription-drugs']);
    expect(US_LAW.advertisingBans).toEqual([]);
  });
  it('the law layers never loosen the scenario decisions of any channel', () => {
    // every channel in the fixture set still requires consent for marketing through the law
    for (const policy of Object.values(CHANNEL_POLICIES)) {
      const eff = createPolicyEngine(new ManualClock(NOW)).effective({ channelPolicy: policy, tenantCountry: 'US', market: 'US' });
      expect(eff.rules.consentRequiredFor).toContain('marketing');
    }
  });
});

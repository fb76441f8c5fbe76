import { describe, expect, it } from 'vitest';
import {
  businessRules, channelRules, customerRules, DEFAULT_BUSINESS_POLICY, GDPR_BASELINE, lawRules, meetPolicies, NO_CONSENT,
  restrictivenessViolations, type PolicyRules, type SourcedRules,
} from '../index.js';
import { messengerPolicy, telegramPolicy, whatsappPolicy } from '../__fixtures__/channel-policies.js';

const src = (source: SourcedRules['source'], rules: PolicyRules): SourcedRules => ({ source, rules });

describe('normalising sources', () => {
  it('channelRules: a channel with a window allows nothing outside it but what it lists', () => {
    const r = channelRules({ ...telegramPolicy, serviceWindowHours: 24 });
    expect(r.templateCategories).toEqual([]);
    expect(r.tags).toEqual([]);
    expect(channelRules(telegramPolicy).templateCategories).toBeUndefined();
  });
  it('channelRules: templates outside the window need approval; capability types are used when the policy lists none', () => {
    const r = channelRules(whatsappPolicy);
    expect(r).toMatchObject({ initiation: 'template', serviceWindowHours: 24, entryPointWindowHours: 72, templatesRequireApproval: true, maxTextLength: 4096, textOverflow: 'split', marketingTemplateBlockedCountries: ['US'] });
    expect(channelRules(telegramPolicy, ['text']).contentTypes).toEqual(['text']);
    expect(channelRules({ ...telegramPolicy, contentTypes: ['image'] }, ['text']).contentTypes).toEqual(['image']);
  });
  it('channelRules copies arrays so the declared policy cannot be changed through the rules', () => {
    const r = channelRules(messengerPolicy);
    r.tags!.push({ tag: 'X' });
    r.restrictedCommerce!.push('x');
    expect(messengerPolicy.outsideWindow!.tags).toHaveLength(4);
    expect(messengerPolicy.restrictedCommerce).not.toContain('x');
  });
  it('businessRules keeps only what the business set', () => {
    expect(businessRules({})).toEqual({});
    expect(businessRules(DEFAULT_BUSINESS_POLICY)).toEqual({ consentRequiredFor: ['transactional', 'marketing'] });
    const q = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };
    expect(businessRules({ serviceWindowHours: 12, quietHours: q, maxTextLength: 500, broadcastAllowed: false })).toEqual({ serviceWindowHours: 12, quietHours: [q], maxTextLength: 500, broadcastAllowed: false });
  });
  it('lawRules and customerRules', () => {
    expect(lawRules(GDPR_BASELINE)).toEqual({ consentRequiredFor: ['marketing'] });
    expect(customerRules(NO_CONSENT)).toEqual({});
    expect(customerRules({ importantOnly: true })).toEqual({ marketingAllowed: false });
    for (const k of ['blockedAt', 'spamReportedAt', 'closedAt'] as const) {
      expect(customerRules({ importantOnly: false, [k]: new Date(0) })).toEqual({ repliesOnly: true, marketingAllowed: false, broadcastAllowed: false, initiation: 'user' });
    }
  });
});

describe('meetPolicies', () => {
  it('takes the strictest initiation, the minimum of limits, and names the sources', () => {
    const eff = meetPolicies([src('channel', { initiation: 'template', serviceWindowHours: 24, maxTextLength: 4096 }), src('business', { serviceWindowHours: 12, maxTextLength: 4096 }), src('customer', { initiation: 'user' })], 'whatsapp');
    expect(eff.rules).toEqual({ initiation: 'user', serviceWindowHours: 12, maxTextLength: 4096 });
    expect(eff.provenance).toEqual({ initiation: ['customer'], serviceWindowHours: ['business'], maxTextLength: ['channel', 'business'] });
  });
  it('intersects allowed sets and unites required ones', () => {
    const eff = meetPolicies([
      src('channel', { templateCategories: ['marketing', 'utility'], contentTypes: ['text', 'image'], consentRequiredFor: ['transactional'], restrictedCommerce: ['Alcohol'] }),
      src('business', { templateCategories: ['utility', 'authentication'], consentRequiredFor: ['marketing', 'transactional'], restrictedCommerce: ['alcohol', 'fireworks'] }),
      src('law', { consentRequiredFor: ['marketing'] }),
    ], 'x');
    expect(eff.rules.templateCategories).toEqual(['utility']);
    expect(eff.rules.contentTypes).toEqual(['text', 'image']);
    expect(eff.rules.consentRequiredFor).toEqual(['transactional', 'marketing']);
    expect(eff.rules.restrictedCommerce).toEqual(['Alcohol', 'fireworks']);
    expect(eff.provenance.consentRequiredFor).toEqual(['channel', 'business', 'law']);
  });
  it('any prohibition wins and is attributed to the sources that imposed it', () => {
    const eff = meetPolicies([src('channel', { marketingAllowed: true, broadcastAllowed: false, textOverflow: 'split' }), src('customer', { marketingAllowed: false }), src('business', { broadcastAllowed: true, textOverflow: 'refuse' })], 'x');
    expect(eff.rules).toMatchObject({ marketingAllowed: false, broadcastAllowed: false, textOverflow: 'refuse' });
    expect(eff.provenance).toMatchObject({ marketingAllowed: ['customer'], broadcastAllowed: ['channel'], textOverflow: ['business'] });
    const open = meetPolicies([src('channel', { marketingAllowed: true }), src('business', { marketingAllowed: true })], 'x');
    expect(open.rules.marketingAllowed).toBe(true);
    expect(open.provenance.marketingAllowed).toEqual(['channel', 'business']);
  });
  it('merges a tag both sources allow: the shorter period, the common senders and purposes', () => {
    const eff = meetPolicies([
      src('channel', { tags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, senders: ['agent', 'system'] }, { tag: 'ACCOUNT_UPDATE' }] }),
      src('business', { tags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 48, senders: ['agent'], purposes: ['service'] }] }),
    ], 'messenger');
    expect(eff.rules.tags).toEqual([{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 48, senders: ['agent'], purposes: ['service'] }]);
  });
  it('a tag\'s default purposes (service and transactional) still bind when another source names others', () => {
    const channel = src('channel', { tags: [{ tag: 'ACCOUNT_UPDATE' }] });
    const custom = src('business', { tags: [{ tag: 'ACCOUNT_UPDATE', purposes: ['transactional', 'marketing'] }] });
    const eff = meetPolicies([channel, custom], 'messenger');
    expect(eff.rules.tags?.[0]?.purposes).toEqual(['transactional']);
    expect(restrictivenessViolations(eff.rules, channel.rules)).toEqual([]);
  });
  it('leaves out rules no source declares', () => {
    const eff = meetPolicies([src('channel', {}), src('law', { consentRequiredFor: [] })], 'x');
    expect(eff.rules).toEqual({});
    expect(eff.provenance).toEqual({});
  });
});

describe('restrictivenessViolations', () => {
  it('is empty for a policy against itself', () => {
    const r = channelRules(whatsappPolicy);
    expect(restrictivenessViolations(r, r)).toEqual([]);
  });
  it('names every way the effective rules are looser', () => {
    const source: PolicyRules = {
      initiation: 'user', serviceWindowHours: 12, maxTextLength: 100, templateCategories: ['utility'], contentTypes: ['text'],
      tags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 24, senders: ['agent'] }], consentRequiredFor: ['marketing'],
      restrictedCommerce: ['alcohol'], marketingAllowed: false, repliesOnly: true, textOverflow: 'refuse',
      quietHours: [{ start: '22:00', end: '07:00', timeZone: 'UTC' }],
    };
    const loose: PolicyRules = {
      initiation: 'business', serviceWindowHours: 24, maxTextLength: 4096, templateCategories: ['utility', 'marketing'], contentTypes: ['text', 'image'],
      tags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, senders: ['agent', 'bot'] }, { tag: 'ACCOUNT_UPDATE' }], consentRequiredFor: [],
      marketingAllowed: true, textOverflow: 'split',
    };
    const v = restrictivenessViolations(loose, source);
    expect(v).toEqual(expect.arrayContaining([
      expect.stringMatching(/^initiation/), expect.stringMatching(/^serviceWindowHours/), expect.stringMatching(/^maxTextLength/),
      'templateCategories: effective allows marketing', 'contentTypes: effective allows image', 'tags: effective allows ACCOUNT_UPDATE',
      expect.stringMatching(/^tags\.HUMAN_AGENT\.maxHoursSinceInbound/), 'tags.HUMAN_AGENT.senders: effective allows bot',
      'consentRequiredFor: effective lacks marketing', 'restrictedCommerce: effective lacks alcohol', 'marketingAllowed: source says false',
      'repliesOnly: source says true', 'textOverflow: source refuses', expect.stringMatching(/^quietHours/),
    ]));
    expect(v).toHaveLength(14);
    expect(restrictivenessViolations({}, { contentTypes: ['text'] })).toEqual(['contentTypes: source restricts it, effective does not']);
  });
});

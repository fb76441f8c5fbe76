import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GDPR_BASELINE, ManualClock, MeetPolicyEngine, meetPolicies, NO_CONSENT, restrictivenessViolations,
  type ConsentState, type PolicyDecision, type PolicySourceName,
} from '../index.js';
import {
  ARB_NOW, arbBaseline, arbBusinessPolicy, arbChannelPolicy, arbConsentState, arbIntent, arbRules, arbSituation,
} from '../__fixtures__/policy-arbitraries.js';

const engine = (): MeetPolicyEngine => new MeetPolicyEngine(new ManualClock(ARB_NOW));
const isDeny = (d: PolicyDecision): boolean => !d.allowed;
const SOURCE_NAMES: PolicySourceName[] = ['channel', 'business', 'law', 'customer'];

describe('the effective policy is never less restrictive than any source', () => {
  it('for generated channel, business, baseline and consent sources', () => {
    fc.assert(fc.property(arbChannelPolicy, fc.option(arbBusinessPolicy, { nil: undefined }), arbBaseline, arbConsentState,
      (channelPolicy, business, baseline, consent) => {
        const eff = engine().effective({ channelPolicy, baseline, consent, ...(business ? { business } : {}) });
        expect(eff.sources.map((s) => s.source)).toEqual(SOURCE_NAMES);
        for (const s of eff.sources) expect(restrictivenessViolations(eff.rules, s.rules), s.source).toEqual([]);
      }), { numRuns: 500 });
  });
  it('for any number of arbitrary rule sets', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...SOURCE_NAMES), arbRules), { minLength: 1, maxLength: 6 }), (list) => {
      const sources = list.map(([source, rules]) => ({ source, rules }));
      const eff = meetPolicies(sources, 'any');
      for (const s of sources) expect(restrictivenessViolations(eff.rules, s.rules)).toEqual([]);
      // and every rule names at least one source that declared it
      for (const [key, by] of Object.entries(eff.provenance)) {
        expect(by!.length).toBeGreaterThan(0);
        for (const name of by!) expect(sources.some((s) => s.source === name && (s.rules as Record<string, unknown>)[key] !== undefined)).toBe(true);
      }
    }), { numRuns: 500 });
  });
  it('the meet is order-independent in the rules it yields', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...SOURCE_NAMES), arbRules), { minLength: 2, maxLength: 4 }), (list) => {
      const sources = list.map(([source, rules]) => ({ source, rules }));
      const a = meetPolicies(sources, 'x').rules;
      const b = meetPolicies([...sources].reverse(), 'x').rules;
      for (const key of ['initiation', 'serviceWindowHours', 'maxTextLength', 'marketingAllowed', 'broadcastAllowed', 'textOverflow', 'repliesOnly'] as const) {
        expect(b[key]).toEqual(a[key]);
      }
      const sorted = (x: unknown[] | undefined) => x?.map((v) => JSON.stringify(v)).sort();
      for (const key of ['templateCategories', 'contentTypes', 'consentRequiredFor', 'restrictedCommerce'] as const) expect(sorted(b[key])).toEqual(sorted(a[key]));
    }), { numRuns: 200 });
  });
});

describe('adding a source never turns a deny into an allow', () => {
  it('adding a business policy', () => {
    fc.assert(fc.property(arbIntent, arbSituation, arbChannelPolicy, arbBusinessPolicy, arbConsentState, (intent, situation, channelPolicy, business, consent) => {
      const without = engine().evaluate(intent, { ...situation, channelPolicy, consent });
      const withBusiness = engine().evaluate(intent, { ...situation, channelPolicy, consent, business });
      if (isDeny(without)) expect(withBusiness.allowed).toBe(false);
    }), { numRuns: 2000 });
  });
  it('a stricter legal baseline', () => {
    fc.assert(fc.property(arbIntent, arbSituation, arbChannelPolicy, arbBaseline, arbConsentState, (intent, situation, channelPolicy, baseline, consent) => {
      const none = engine().evaluate(intent, { ...situation, channelPolicy, consent, baseline: { ...baseline, consentRequiredFor: [] } });
      const some = engine().evaluate(intent, { ...situation, channelPolicy, consent, baseline });
      if (isDeny(none)) expect(some.allowed).toBe(false);
    }), { numRuns: 500 });
  });
  it('the customer\'s own controls (block, spam report, closed, important-only)', () => {
    const controls = fc.record({
      blockedAt: fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }).map((ago) => new Date(ARB_NOW - ago)), { nil: undefined }),
      spamReportedAt: fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }).map((ago) => new Date(ARB_NOW - ago)), { nil: undefined }),
      closedAt: fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }).map((ago) => new Date(ARB_NOW - ago)), { nil: undefined }),
      importantOnly: fc.boolean(),
    });
    fc.assert(fc.property(arbIntent, arbSituation, arbChannelPolicy, arbBusinessPolicy, arbConsentState, controls, (intent, situation, channelPolicy, business, consent, c) => {
      const plain: ConsentState = { grants: consent.grants, revocations: consent.revocations, pending: consent.pending, importantOnly: false };
      const controlled: ConsentState = { ...plain, importantOnly: c.importantOnly };
      if (c.blockedAt) controlled.blockedAt = c.blockedAt;
      if (c.spamReportedAt) controlled.spamReportedAt = c.spamReportedAt;
      if (c.closedAt) controlled.closedAt = c.closedAt;
      const before = engine().evaluate(intent, { ...situation, channelPolicy, business, consent: plain });
      const after = engine().evaluate(intent, { ...situation, channelPolicy, business, consent: controlled });
      if (isDeny(before)) expect(after.allowed).toBe(false);
    }), { numRuns: 2000 });
  });
});

describe('evaluate', () => {
  it('never throws, and every deny has reasons with a known source', () => {
    fc.assert(fc.property(arbIntent, arbSituation, arbChannelPolicy, fc.option(arbBusinessPolicy, { nil: undefined }), arbBaseline, arbConsentState,
      (intent, situation, channelPolicy, business, baseline, consent) => {
        const d = engine().evaluate(intent, { ...situation, channelPolicy, baseline, consent, ...(business ? { business } : {}) });
        if (d.allowed) {
          expect(d.price.amount).toBeGreaterThanOrEqual(0);
        } else {
          expect(d.reasons.length).toBeGreaterThan(0);
          for (const r of d.reasons) expect(SOURCE_NAMES).toContain(r.source);
          expect(new Set(d.reasons.map((r) => r.code)).size).toBe(d.reasons.length);
        }
      }), { numRuns: 1000 });
  });
  it('is deterministic for the same inputs and time (the cache changes nothing)', () => {
    fc.assert(fc.property(arbIntent, arbSituation, arbChannelPolicy, arbConsentState, (intent, situation, channelPolicy, consent) => {
      const e = engine();
      const ctx = { ...situation, channelPolicy, consent, baseline: GDPR_BASELINE };
      expect(e.evaluate(intent, ctx)).toEqual(e.evaluate(intent, ctx));
      expect(e.evaluate(intent, { ...ctx, consent: NO_CONSENT })).toEqual(engine().evaluate(intent, { ...ctx, consent: NO_CONSENT }));
    }), { numRuns: 300 });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GDPR_BASELINE, ManualClock, MEDIA_KINDS, MeetPolicyEngine, meetPolicies, mimeTypeAccepted, NO_CONSENT, restrictivenessViolations,
  type ConsentState, type MediaRef, type PolicyDecision, type PolicySourceName, type RuleKey,
} from '../index.js';
import {
  ARB_FILE_TYPES, ARB_NOW, arbPurpose, arbBaseline, arbBusinessPolicy, arbChannelPolicy, arbConsentState, arbIntent, arbRules, arbSituation,
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
      expect(b.mediaMaxBytes).toEqual(a.mediaMaxBytes);
      // accepted types: the same files pass either way (the lists may name them differently)
      for (const kind of MEDIA_KINDS) {
        for (const t of ARB_FILE_TYPES) {
          const accepts = (r: typeof a) => (r.mediaTypes?.[kind] === undefined ? 'any' : mimeTypeAccepted(t, r.mediaTypes[kind]));
          expect(accepts(b), `${kind} ${t}`).toBe(accepts(a));
        }
      }
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

describe('media the channel cannot carry (size, type, caption)', () => {
  const MEDIA_CODES = ['MEDIA_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED', 'CAPTION_TOO_LONG'] as const;
  const mediaReasons = (d: PolicyDecision) => (d.allowed ? [] : d.reasons.filter((r) => (MEDIA_CODES as readonly string[]).includes(r.code)));
  /** A concrete type an accepted-list entry lets through (a wildcard made concrete). */
  const concrete = (entry: string): string => entry.replace('/*', '/x-generated');
  const arbSources = fc.tuple(arbChannelPolicy, fc.option(arbBusinessPolicy, { nil: undefined }), arbConsentState);
  const inWindow = { conversation: { lastInboundAt: ARB_NOW - 60_000 } };

  it('media within every limit in force is never refused for size, type or caption', () => {
    fc.assert(fc.property(arbSources, fc.constantFrom(...MEDIA_KINDS), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), arbPurpose,
      ([channelPolicy, business, consent], kind, sizeShare, typePick, captionShare, purpose) => {
        const context = { channelPolicy, consent, ...inWindow, ...(business ? { business } : {}) };
        const rules = engine().effective(context).rules;
        const max = rules.mediaMaxBytes?.[kind];
        const types = rules.mediaTypes?.[kind];
        const captionMax = rules.textOverflow === 'split' ? 3000 : rules.captionMaxLength ?? 3000;
        const media: MediaRef = {
          url: 'https://example.com/file', size: Math.floor(sizeShare * (max ?? 200 * 1024 * 1024)),
          caption: 'c'.repeat(Math.floor(captionShare * captionMax)),
          // an empty list accepts no type: a file whose type is unknown is still not refused for it
          ...(types === undefined ? { mimeType: ARB_FILE_TYPES[typePick % ARB_FILE_TYPES.length]! } : types.length > 0 ? { mimeType: concrete(types[typePick % types.length]!) } : {}),
        };
        const d = engine().evaluate({ channel: channelPolicy.channel, purpose, sender: 'agent', content: { type: kind, media } }, context);
        expect(mediaReasons(d)).toEqual([]);
      }), { numRuns: 1000 });
  });

  it('media over any limit in force is always refused for it, naming the rule and a source that declares it', () => {
    fc.assert(fc.property(arbSources, fc.constantFrom(...MEDIA_KINDS), fc.constantFrom('size', 'type', 'caption'), fc.integer({ min: 1, max: 50 * 1024 * 1024 }), fc.nat(), arbPurpose,
      ([channelPolicy, business, consent], kind, broken, over, typePick, purpose) => {
        const context = { channelPolicy, consent, ...inWindow, ...(business ? { business } : {}) };
        const eff = engine().effective(context);
        const rules = eff.rules;
        const media: MediaRef = { url: 'https://example.com/file' };
        let code: (typeof MEDIA_CODES)[number];
        let rule: RuleKey;
        if (broken === 'size') {
          fc.pre(rules.mediaMaxBytes?.[kind] !== undefined);
          media.size = rules.mediaMaxBytes![kind]! + over;
          code = 'MEDIA_TOO_LARGE'; rule = 'mediaMaxBytes';
        } else if (broken === 'type') {
          const types = rules.mediaTypes?.[kind];
          fc.pre(types !== undefined);
          const refused = ARB_FILE_TYPES.filter((t) => !mimeTypeAccepted(t, types!));
          media.mimeType = refused[typePick % refused.length]!; // application/x-msdownload is in no list
          code = 'MEDIA_TYPE_UNSUPPORTED'; rule = 'mediaTypes';
        } else {
          fc.pre(rules.captionMaxLength !== undefined && rules.textOverflow === 'refuse');
          media.caption = 'c'.repeat(rules.captionMaxLength! + (over % 500) + 1);
          code = 'CAPTION_TOO_LONG'; rule = 'captionMaxLength';
        }
        const d = engine().evaluate({ channel: channelPolicy.channel, purpose, sender: 'agent', content: { type: kind, media } }, context);
        const reason = mediaReasons(d).find((r) => r.code === code);
        expect(reason, `expected ${code}`).toBeDefined();
        expect(reason!.rule).toBe(rule);
        expect(eff.provenance[rule]).toContain(reason!.source);
        const declared = eff.sources.find((s) => s.source === reason!.source)!.rules;
        if (rule === 'mediaMaxBytes') expect(declared.mediaMaxBytes?.[kind]).toBe(rules.mediaMaxBytes![kind]);
        if (rule === 'mediaTypes') expect(mimeTypeAccepted(media.mimeType!, declared.mediaTypes![kind]!)).toBe(false);
        // and only that limit: the other media rules say nothing about a file that breaks none of them
        expect(mediaReasons(d).map((r) => r.code)).toEqual([code]);
      }), { numRuns: 1000 });
  });

  it('a media header of a template is held to the same limits', () => {
    fc.assert(fc.property(arbChannelPolicy, fc.constantFrom(...MEDIA_KINDS), fc.integer({ min: 1, max: 1000 }), (channelPolicy, kind, over) => {
      fc.pre(channelPolicy.mediaMaxBytes?.[kind] !== undefined);
      const size = channelPolicy.mediaMaxBytes![kind]! + over;
      const d = engine().evaluate({
        channel: channelPolicy.channel, purpose: 'transactional', sender: 'system',
        content: { type: 'template', name: 'boarding_pass', language: 'en_US', category: 'utility', parameters: [{ component: 'header', media: { kind, url: 'https://example.com/pass', size } }] },
      }, { channelPolicy, ...inWindow });
      expect(mediaReasons(d).map((r) => r.code)).toEqual(['MEDIA_TOO_LARGE']);
    }), { numRuns: 300 });
  });
});

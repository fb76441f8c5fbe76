import { describe, expect, it } from 'vitest';
import { deriveConsentState, findGrant, findRevocation, NO_CONSENT, type ConsentEntry } from '../index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (h: number): Date => new Date(T0 + h * 3_600_000);
let n = 0;
const e = (x: Pick<ConsentEntry, 'channel' | 'action'> & Partial<ConsentEntry> & { h: number }): ConsentEntry => {
  const { h, ...rest } = x;
  n += 1;
  return { id: `e${n}`, tenantId: 't', contactId: 'anna', scope: 'all-channels', at: at(h), evidence: { source: 'web-form', privacyPolicy: { version: '3' }, wording: 'Yes, send me updates' }, ...rest };
};

describe('deriveConsentState', () => {
  it('empty ledger: nothing granted', () => {
    expect(deriveConsentState([], { channel: 'whatsapp' })).toEqual({ grants: [], revocations: [], pending: [], importantOnly: false });
    expect(NO_CONSENT).toEqual({ grants: [], revocations: [], pending: [], importantOnly: false });
  });
  it('opt-in and opt-out per purpose; the latest entry wins whatever order the ledger is in', () => {
    const inMk = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 });
    const outMk = e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', h: 2 });
    const inTx = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', h: 3 });
    const s = deriveConsentState([inTx, outMk, inMk], { channel: 'whatsapp' });
    expect(findGrant(s, 'marketing')).toBeUndefined();
    expect(findRevocation(s, 'marketing')).toMatchObject({ purpose: 'marketing', channel: 'whatsapp', at: at(2), entryId: outMk.id });
    expect(findGrant(s, 'transactional')).toMatchObject({ purpose: 'transactional', confirmed: false, privacyPolicyVersion: '3', entryId: inTx.id });
    const again = deriveConsentState([inMk, outMk, e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 4 })], { channel: 'whatsapp' });
    expect(findGrant(again, 'marketing')).toBeDefined();
    expect(findRevocation(again, 'marketing')).toBeUndefined();
  });
  it('same-time entries keep ledger order', () => {
    const s = deriveConsentState([
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 }),
      e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', h: 1 }),
    ], { channel: 'whatsapp' });
    expect(findGrant(s, 'marketing')).toBeUndefined();
  });
  it('topic-specific grants: a "payment confirmation" opt-in does not cover "flight updates"', () => {
    const s = deriveConsentState([e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'payment confirmation', h: 1 })], { channel: 'whatsapp' });
    expect(findGrant(s, 'transactional', 'payment confirmation')).toBeDefined();
    expect(findGrant(s, 'transactional', 'Payment Confirmation')).toBeDefined();
    expect(findGrant(s, 'transactional', 'flight updates')).toBeUndefined();
    expect(findGrant(s, 'transactional')).toBeUndefined();
    const wide = deriveConsentState([e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', h: 1 })], { channel: 'whatsapp' });
    expect(findGrant(wide, 'transactional', 'flight updates')).toBeDefined();
  });
  it('a topic opt-out revokes only that topic; a purpose-wide opt-out revokes every topic', () => {
    const ledger = [
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'flight updates', h: 1 }),
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'payment confirmation', h: 1 }),
    ];
    const one = deriveConsentState([...ledger, e({ channel: 'whatsapp', action: 'opt-out', purpose: 'transactional', topic: 'flight updates', h: 2 })], { channel: 'whatsapp' });
    expect(findGrant(one, 'transactional', 'payment confirmation')).toBeDefined();
    expect(findGrant(one, 'transactional', 'flight updates')).toBeUndefined();
    expect(findRevocation(one, 'transactional', 'FLIGHT UPDATES')).toBeDefined();
    expect(findRevocation(one, 'transactional', 'payment confirmation')).toBeUndefined();
    const all = deriveConsentState([...ledger, e({ channel: 'whatsapp', action: 'opt-out', purpose: 'transactional', h: 2 })], { channel: 'whatsapp' });
    expect(all.grants).toEqual([]);
    expect(findRevocation(all, 'transactional', 'payment confirmation')).toBeDefined();
  });
  it('an opt-out without a purpose revokes transactional and marketing, never service', () => {
    const s = deriveConsentState([
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 }),
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', h: 1 }),
      e({ channel: 'whatsapp', action: 'opt-out', h: 2, evidence: { source: 'keyword', text: 'STOP' } }),
    ], { channel: 'whatsapp' });
    expect(s.grants).toEqual([]);
    expect(s.revocations.map((r) => r.purpose).sort()).toEqual(['marketing', 'transactional']);
    expect(findRevocation(s, 'service')).toBeUndefined();
  });
  it('a purpose-wide opt-in lifts earlier topic revocations; a topic opt-in does not lift a purpose-wide opt-out', () => {
    const topicOut = e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', topic: 'offers', h: 1 });
    const lifted = deriveConsentState([topicOut, e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2 })], { channel: 'whatsapp' });
    expect(findRevocation(lifted, 'marketing', 'offers')).toBeUndefined();
    // conservative: the customer said "no marketing"; a later opt-in to one topic is recorded but the purpose-wide revocation stays in force
    const wideOut = e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', h: 1 });
    const s = deriveConsentState([wideOut, e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', topic: 'offers', h: 2 })], { channel: 'whatsapp' });
    expect(findGrant(s, 'marketing', 'offers')).toBeDefined();
    expect(findRevocation(s, 'marketing', 'offers')).toBeDefined();
  });
  it('double opt-in: a request is pending until its confirmation, which makes a confirmed grant', () => {
    const req = e({ channel: 'whatsapp', action: 'opt-in-requested', purpose: 'marketing', h: 1, evidence: { source: 'web-form', privacyPolicy: { version: '4' } } });
    const pending = deriveConsentState([req], { channel: 'whatsapp' });
    expect(pending.pending).toEqual([{ purpose: 'marketing', at: at(1), entryId: req.id }]);
    expect(findGrant(pending, 'marketing')).toBeUndefined();
    const confirm = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2, evidence: { source: 'keyword', text: 'YES', confirms: req.id } });
    const s = deriveConsentState([confirm, req], { channel: 'whatsapp' });
    expect(s.pending).toEqual([]);
    expect(findGrant(s, 'marketing', undefined, true)).toMatchObject({ confirmed: true, privacyPolicyVersion: '4' });
    // a confirmation pointing at no request is a single opt-in
    const bogus = deriveConsentState([e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2, evidence: { source: 'keyword', confirms: 'nope' } })], { channel: 'whatsapp' });
    expect(findGrant(bogus, 'marketing', undefined, true)).toBeUndefined();
    expect(findGrant(bogus, 'marketing')).toBeDefined();
  });
  it('revocation across channels by default, per channel when the tenant chooses', () => {
    const ledger = [
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 }),
      e({ channel: 'telegram', action: 'opt-out', purpose: 'marketing', h: 2, evidence: { source: 'keyword', text: 'stop' } }),
    ];
    expect(findRevocation(deriveConsentState(ledger, { channel: 'whatsapp' }), 'marketing')).toMatchObject({ channel: 'telegram' });
    expect(findGrant(deriveConsentState(ledger, { channel: 'whatsapp' }), 'marketing')).toBeUndefined();
    const perChannel = deriveConsentState(ledger, { channel: 'whatsapp', scope: 'per-channel' });
    expect(findRevocation(perChannel, 'marketing')).toBeUndefined();
    expect(findGrant(perChannel, 'marketing')).toBeDefined();
    expect(findRevocation(deriveConsentState(ledger, { channel: 'telegram', scope: 'per-channel' }), 'marketing')).toBeDefined();
  });
  it('a channel-scoped entry stays on its channel', () => {
    const ledger = [
      e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1, scope: 'channel' }),
      e({ channel: 'viber', action: 'opt-out', purpose: 'transactional', h: 1, scope: 'channel' }),
    ];
    expect(deriveConsentState(ledger, { channel: 'telegram' })).toEqual({ grants: [], revocations: [], pending: [], importantOnly: false });
    expect(findGrant(deriveConsentState(ledger, { channel: 'whatsapp' }), 'marketing')).toBeDefined();
    expect(findGrant(deriveConsentState([e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 })], { channel: 'apple' }), 'marketing')).toMatchObject({ channel: 'whatsapp' });
  });
  it('blocked and unblocked', () => {
    const blocked = e({ channel: 'telegram', action: 'blocked', h: 1, scope: 'channel', evidence: { source: 'platform', detail: 'my_chat_member kicked' } });
    expect(deriveConsentState([blocked], { channel: 'telegram' }).blockedAt).toEqual(at(1));
    expect(deriveConsentState([blocked], { channel: 'whatsapp' }).blockedAt).toBeUndefined();
    const unblocked = deriveConsentState([blocked, e({ channel: 'telegram', action: 'unblocked', h: 2, scope: 'channel', evidence: { source: 'platform' } })], { channel: 'telegram' });
    expect(unblocked.blockedAt).toBeUndefined();
  });
  it('a block recorded for all channels is lifted on all channels by the matching unblock', () => {
    const ledger = [
      e({ channel: 'telegram', action: 'blocked', h: 1, evidence: { source: 'platform' } }),
      e({ channel: 'telegram', action: 'unblocked', h: 2, evidence: { source: 'platform' } }),
    ];
    expect(deriveConsentState(ledger.slice(0, 1), { channel: 'whatsapp' }).blockedAt).toEqual(at(1));
    expect(deriveConsentState(ledger, { channel: 'whatsapp' }).blockedAt).toBeUndefined();
    expect(deriveConsentState(ledger.slice(0, 1), { channel: 'whatsapp', scope: 'per-channel' }).blockedAt).toBeUndefined();
  });
  it('spam reports', () => {
    const s = deriveConsentState([e({ channel: 'apple', action: 'spam-reported', h: 5, evidence: { source: 'keyword', text: 'spam' } })], { channel: 'apple' });
    expect(s.spamReportedAt).toEqual(at(5));
  });
  it('important-only and its reversal; a marketing opt-in ends important-only', () => {
    const imp = e({ channel: 'whatsapp', action: 'important-only', h: 1 });
    expect(deriveConsentState([imp], { channel: 'whatsapp' }).importantOnly).toBe(true);
    expect(deriveConsentState([imp, e({ channel: 'whatsapp', action: 'all-messages', h: 2 })], { channel: 'whatsapp' }).importantOnly).toBe(false);
    expect(deriveConsentState([imp, e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2 })], { channel: 'whatsapp' }).importantOnly).toBe(false);
    expect(deriveConsentState([imp, e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', h: 2 })], { channel: 'whatsapp' }).importantOnly).toBe(true);
  });
  it('closed and reopened apply only to their channel', () => {
    const closed = e({ channel: 'apple', action: 'closed', h: 1, evidence: { source: 'platform' } });
    expect(deriveConsentState([closed], { channel: 'apple' }).closedAt).toEqual(at(1));
    expect(deriveConsentState([closed], { channel: 'whatsapp' }).closedAt).toBeUndefined();
    expect(deriveConsentState([closed, e({ channel: 'apple', action: 'reopened', h: 2 })], { channel: 'apple' }).closedAt).toBeUndefined();
  });
  it('privacy-policy version: grants under an older version no longer count (re-consent)', () => {
    const v3 = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 1 });
    const noVersion = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', h: 1, evidence: { source: 'agent' } });
    expect(deriveConsentState([v3, noVersion], { channel: 'whatsapp', requiredPrivacyPolicyVersion: '4' }).grants).toEqual([]);
    expect(deriveConsentState([v3], { channel: 'whatsapp', requiredPrivacyPolicyVersion: '3' }).grants).toHaveLength(1);
    const v4 = e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2, evidence: { source: 'web-form', privacyPolicy: { version: '4', url: 'https://example.com/privacy' } } });
    expect(findGrant(deriveConsentState([v3, v4], { channel: 'whatsapp', requiredPrivacyPolicyVersion: '4' }), 'marketing')).toMatchObject({ privacyPolicyVersion: '4', entryId: v4.id });
  });
  it('does not change the ledger it reads', () => {
    const ledger = [e({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', h: 2 }), e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', h: 1 })];
    const copy = structuredClone(ledger);
    deriveConsentState(ledger, { channel: 'whatsapp' });
    expect(ledger).toEqual(copy);
  });
});

describe('findGrant / findRevocation', () => {
  const s = deriveConsentState([
    e({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'Flight Updates', h: 1 }),
    e({ channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', topic: 'offers', h: 1 }),
  ], { channel: 'whatsapp' });
  it('match purpose and topic case-insensitively', () => {
    expect(findGrant(s, 'transactional', 'flight updates')?.topic).toBe('Flight Updates');
    expect(findGrant(s, 'marketing', 'flight updates')).toBeUndefined();
    expect(findRevocation(s, 'marketing', 'OFFERS')?.topic).toBe('offers');
    expect(findRevocation(s, 'marketing')).toBeUndefined();
    expect(findRevocation(s, 'marketing', 'news')).toBeUndefined();
  });
  it('requireConfirmed skips single opt-ins', () => {
    expect(findGrant(s, 'transactional', 'flight updates', true)).toBeUndefined();
  });
});

/**
 * The contract of the decision records and the messaging-limit usage, written once and run on
 * every driver. Times are passed explicitly: nothing here depends on machine speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { DocumentDecisionStore, type DecisionRecord, type EffectiveRuleRow } from '../stores/document-decision-store.js';
import { DocumentMessagingUsageStore } from '../stores/document-messaging-usage-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 11, 1, 10, 0, s));
let seq = 0;
const uid = (p: string): string => `${p}-${process.pid}-${++seq}`;
const DAY = 86_400_000;

const rows: EffectiveRuleRow[] = [
  { rule: 'consentRequiredFor', label: 'consent required for', value: ['transactional', 'marketing'], sources: ['channel', 'law'] },
  { rule: 'serviceWindowHours', label: 'service window (h)', value: 24, sources: ['channel'] },
];

/**
 * A decision record for tests.
 * @param tenantId - the tenant
 * @param over - fields to change
 * @returns the record with its effective rows
 */
export function decisionRecord(tenantId: string, over: Partial<DecisionRecord> = {}): DecisionRecord & { effective: EffectiveRuleRow[] } {
  return {
    id: uid('d'), tenantId, channel: 'whatsapp', accountId: 'pn-1', userId: '4915112345678', at: at(0), via: 'api',
    intent: { purpose: 'marketing', sender: 'bot', contentType: 'template', template: { name: 'autumn_offer', language: 'en', category: 'marketing' } },
    verdict: 'allow', reasons: [], price: { amount: 0.1131, currency: 'EUR', category: 'marketing', rateFrom: '2025-07-01' },
    consent: [{ id: 'optin-1', role: 'grant', action: 'opt-in', channel: 'whatsapp', scope: 'all-channels', purpose: 'marketing', at: at(-60), evidence: { source: 'web-form', wording: 'Yes, send me offers', text: 'I agree' } }],
    versions: { tenantPolicy: 'sha256:0000000000000001', priceTable: 'sha256:0000000000000002', channelPolicy: 'sha256:0000000000000003', effective: 'sha256:00000000000000e1' },
    effective: rows,
    ...over,
  } as DecisionRecord & { effective: EffectiveRuleRow[] };
}

/**
 * Defines the contract tests for one driver.
 * @param d - the driver under test
 */
export function describeDecisionStoreConformance(d: DriverUnderTest): void {
  describe(`decision records and messaging usage: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; });
    afterAll(async () => { await opened.close(); });

    it('keeps a decision record with its effective rules, found by id or message, within its tenant only', async () => {
      const s = new DocumentDecisionStore(driver);
      const tenant = uid('t');
      const r = decisionRecord(tenant, { messageId: uid('m'), contactId: 'k1' });
      await s.record(r);
      expect(await s.get(tenant, r.id)).toEqual(r);
      expect(await s.findByMessage(tenant, r.messageId!)).toEqual(r);
      expect(await s.get('other-tenant', r.id)).toBeUndefined();
      expect(await s.findByMessage('other-tenant', r.messageId!)).toBeUndefined();
      // a refusal has no message; two refusals never conflict
      const refusals = [decisionRecord(tenant, { verdict: 'deny', reasons: [{ code: 'NO_CONSENT', source: 'law', message: 'no opt-in' }] }), decisionRecord(tenant, { verdict: 'deny' })];
      for (const x of refusals) await s.record(x);
      expect((await s.get(tenant, refusals[1]!.id))?.verdict).toBe('deny');
      // the rules are kept once per version
      const again = new DocumentDecisionStore(driver);
      await again.record(decisionRecord(tenant, { messageId: uid('m') }));
      expect((await again.get(tenant, r.id))?.effective).toEqual(rows);
    });

    it('records the send point\'s check and lists a period by verdict and purpose, oldest first', async () => {
      const s = new DocumentDecisionStore(driver);
      const tenant = uid('t');
      const a = decisionRecord(tenant, { messageId: uid('m'), at: at(5) });
      const b = decisionRecord(tenant, { messageId: uid('m'), at: at(3), intent: { purpose: 'transactional', sender: 'system', contentType: 'template' } });
      const c = decisionRecord(tenant, { messageId: uid('m'), at: at(4), intent: { purpose: 'service', sender: 'bot', contentType: 'text' } });
      const denied = decisionRecord(tenant, { at: at(6), verdict: 'deny' });
      for (const x of [a, b, c, denied]) await s.record(x);
      const check = { at: at(9), verdict: 'allow' as const, reasons: [], price: { amount: 0.1131, currency: 'EUR', category: 'marketing' as const }, consent: a.consent };
      expect((await s.recordSendCheck(tenant, a.messageId!, check))?.sendCheck).toEqual(check);
      expect(await s.recordSendCheck('other-tenant', a.messageId!, check)).toBeUndefined();
      const listed = await s.list(tenant, { from: at(0), to: at(60), verdict: 'allow', purposes: ['marketing', 'transactional'] });
      expect(listed.map((x) => x.id)).toEqual([b.id, a.id]);
      const scanned: string[] = [];
      for await (const batch of s.scan(tenant, { from: at(0), to: at(60) })) scanned.push(...batch.map((x) => x.id));
      expect(scanned).toEqual([b.id, c.id, a.id, denied.id]);
    });

    it('finds a contact\'s records by contact, message or user id, and replaces them by pseudonymised ones in place', async () => {
      const s = new DocumentDecisionStore(driver);
      const tenant = uid('t');
      const byContact = decisionRecord(tenant, { messageId: uid('m'), contactId: 'zelda', at: at(1) });
      const refusal = decisionRecord(tenant, { verdict: 'deny', userId: '4915770011223', at: at(2) });
      const other = decisionRecord(tenant, { messageId: uid('m'), contactId: 'bob', userId: '4915770099887', at: at(3) });
      for (const x of [byContact, refusal, other]) await s.record(x);
      const subject = { contactId: 'zelda', messageIds: [byContact.messageId!], userIds: ['4915770011223'] };
      expect((await s.listBySubject(tenant, subject)).map((x) => x.id)).toEqual([byContact.id, refusal.id]);
      expect(await s.redactSubject(tenant, subject, (x) => ({ ...x, userId: 'addr:hash', contactId: 'erased:zelda', ...(x.messageId ? { messageId: `erased:${x.messageId}` } : {}), consent: [] }))).toBe(2);
      expect(await s.listBySubject(tenant, subject)).toEqual([]);
      expect((await s.get(tenant, refusal.id))?.userId).toBe('addr:hash');
      expect((await s.list(tenant, { from: at(0), to: at(60) })).map((x) => x.id)).toEqual([byContact.id, refusal.id, other.id]);
    });

    describe('messaging usage', () => {
      const account = (): { tenantId: string; channel: string; accountId: string } => ({ tenantId: uid('t'), channel: 'whatsapp', accountId: 'pn-1' });

      it('admits new recipients up to the limit, refuses the next, and still admits one already counted', async () => {
        const s = new DocumentMessagingUsageStore(driver);
        const a = account();
        for (let i = 0; i < 5; i++) expect((await s.claim(a, `u${i}`, at(i), { limit: 5, windowMs: DAY })).admitted).toBe(true);
        expect(await s.claim(a, 'u5', at(10), { limit: 5, windowMs: DAY })).toEqual({ admitted: false, uniqueRecipients: 5, counted: false });
        expect(await s.claim(a, 'u2', at(11), { limit: 5, windowMs: DAY })).toEqual({ admitted: true, uniqueRecipients: 5, counted: true });
        expect(await s.usage(a, 'u2', at(12), DAY)).toEqual({ uniqueRecipients: 5, counted: true });
        expect(await s.usage(a, 'u5', at(12), DAY)).toEqual({ uniqueRecipients: 5, counted: false });
        // another account of the tenant, and another tenant, count on their own
        expect((await s.claim({ ...a, accountId: 'pn-2' }, 'u5', at(12), { limit: 5, windowMs: DAY })).admitted).toBe(true);
      });

      it('rolls: a recipient leaves the window a day after its latest message, and frees its place', async () => {
        const s = new DocumentMessagingUsageStore(driver);
        const a = account();
        const t0 = at(0).getTime();
        await s.claim(a, 'early', new Date(t0), { limit: 2, windowMs: DAY });
        await s.claim(a, 'late', new Date(t0 + 10 * 3_600_000), { limit: 2, windowMs: DAY });
        // 'early' was messaged again at 20 h: still counted at 30 h
        await s.claim(a, 'early', new Date(t0 + 20 * 3_600_000), { limit: 2, windowMs: DAY });
        expect((await s.claim(a, 'new', new Date(t0 + 30 * 3_600_000), { limit: 2, windowMs: DAY })).admitted).toBe(false);
        // 'late' leaves the window at 34 h
        expect(await s.usage(a, 'late', new Date(t0 + 34 * 3_600_000 + 1), DAY)).toEqual({ uniqueRecipients: 1, counted: false });
        expect((await s.claim(a, 'new', new Date(t0 + 34 * 3_600_000 + 1), { limit: 2, windowMs: DAY })).admitted).toBe(true);
        expect((await s.claim(a, 'late', new Date(t0 + 34 * 3_600_000 + 2), { limit: 2, windowMs: DAY })).admitted).toBe(false);
      });

      it('holds the limit under concurrent claims: exactly `limit` of many new recipients are admitted', async () => {
        const s = new DocumentMessagingUsageStore(driver);
        const other = new DocumentMessagingUsageStore(driver);
        const a = account();
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? s : other).claim(a, `c${i}`, at(1), { limit: 25, windowMs: DAY })));
        expect(results.filter((r) => r.admitted)).toHaveLength(25);
        expect((await s.usage(a, 'c0', at(2), DAY)).uniqueRecipients).toBe(25);
      });

      it('survives a restart', async () => {
        const a = account();
        await new DocumentMessagingUsageStore(driver).claim(a, 'kept', at(1), { limit: 1, windowMs: DAY });
        driver = await opened.reopen();
        const s = new DocumentMessagingUsageStore(driver);
        expect(await s.usage(a, 'kept', at(2), DAY)).toEqual({ uniqueRecipients: 1, counted: true });
        expect((await s.claim(a, 'next', at(3), { limit: 1, windowMs: DAY })).admitted).toBe(false);
      });

      it('pseudonymises an erased recipient: the place stays counted until the window ends', async () => {
        const s = new DocumentMessagingUsageStore(driver);
        const a = account();
        await s.claim(a, '4915770011223', at(1), { limit: 3, windowMs: DAY });
        expect(await s.pseudonymise(a.tenantId, [{ channel: 'whatsapp', userId: '4915770011223' }], () => 'addr:zelda')).toBe(1);
        expect(await s.usage(a, '4915770011223', at(2), DAY)).toEqual({ uniqueRecipients: 1, counted: false });
        expect(await s.usage(a, 'addr:zelda', at(2), DAY)).toEqual({ uniqueRecipients: 1, counted: true });
      });
    });
  });
}

/**
 * The assignment store's contract (presence, work records, SLA timers, the out-of-hours claim),
 * written once and run on every driver; a restart (reopening the database) keeps the timers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { assignmentDataHandler, AssignmentStore } from '../assignment/assignment-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (m: number): Date => new Date(Date.UTC(2026, 11, 7, 9, m));
let n = 0;
const uid = (p: string): string => `${p}-${process.pid}-${++n}`;

/**
 * Defines the assignment store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeAssignmentStoreConformance(d: DriverUnderTest): void {
  describe(`assignment store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    let s: AssignmentStore;
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; s = new AssignmentStore(driver); });
    afterAll(async () => { await opened.close(); });

    it('keeps presence per tenant, expires it once, and orders by last assignment', async () => {
      const t = uid('t');
      await s.setPresence(t, 'ann', { status: 'online', capacity: 2, expiresAt: at(30), sessionId: 'sess-1' }, at(0));
      await s.setPresence(t, 'bob', { status: 'away', expiresAt: at(10) }, at(0));
      expect(await s.getPresence(t, 'ann')).toMatchObject({ tenantId: t, agentId: 'ann', status: 'online', capacity: 2, expiresAt: at(30), sessionId: 'sess-1' });
      expect(await s.getPresence('other', 'ann')).toBeUndefined();
      expect((await s.listPresence('other'))).toEqual([]);
      await s.markAssigned(t, 'ann', at(5));
      await s.markAssigned(t, 'ann', at(3)); // never moves back
      expect((await s.getPresence(t, 'ann'))!.lastAssignedAt).toEqual(at(5));
      const expired = (await s.expire(at(20))).filter((p) => p.tenantId === t);
      expect(expired.map((p) => [p.agentId, p.status])).toEqual([['bob', 'offline']]);
      expect((await s.expire(at(20))).filter((p) => p.tenantId === t)).toEqual([]);
      expect((await s.getPresence(t, 'bob'))!.expiresAt).toBeUndefined();
      const back = await s.setPresence(t, 'ann', { status: 'offline', expiresAt: undefined, sessionId: undefined }, at(21));
      expect(back).toMatchObject({ status: 'offline', capacity: 2 });
      expect(back.expiresAt).toBeUndefined();
      expect((await s.listPresence(t)).map((p) => p.agentId)).toEqual(['ann', 'bob']);
    });

    it('counts an agent\'s open work and lists a queue\'s waiting conversations first come, first served', async () => {
      const t = uid('t');
      await s.updateWork(t, 'c2', { queue: 'support', open: true, waitingSince: at(2) }, at(2));
      await s.updateWork(t, 'c1', { queue: 'support', open: true, waitingSince: at(1) }, at(1));
      await s.updateWork(t, 'c3', { queue: 'billing', open: true, waitingSince: at(0) }, at(0));
      await s.updateWork(t, 'c4', { queue: 'support', open: true, agentId: 'ann', waitingSince: at(0) }, at(0));
      await s.updateWork(t, 'c5', { queue: 'support', open: false, agentId: 'ann' }, at(0));
      expect((await s.waiting(t, 'support')).map((w) => w.conversationId)).toEqual(['c1', 'c2']);
      expect(await s.countOpen(t, 'ann')).toBe(1);
      expect(await s.countOpen('other', 'ann')).toBe(0);
      await s.updateWork(t, 'c1', { agentId: 'ann' }, at(3));
      expect((await s.openOf(t, 'ann')).map((w) => w.conversationId).sort()).toEqual(['c1', 'c4']);
      await s.updateWork(t, 'c1', { agentId: undefined }, at(4));
      expect((await s.getWork(t, 'c1'))!.agentId).toBeUndefined();
      expect(await s.updateWork(t, 'c1', { open: false }, at(5), { agentId: 'bob' })).toBeUndefined();
    });

    it('moves each SLA timer once, and keeps it across a restart', async () => {
      const t = uid('t');
      await s.updateWork(t, 'c1', { queue: 'q', open: true, slaPolicy: 'first-response', slaState: 'running', slaStartedAt: at(0), slaWarnAt: at(10), slaDueAt: at(15) }, at(0));
      driver = await opened.reopen();
      s = new AssignmentStore(driver);
      expect((await s.dueToWarn(at(9))).filter((w) => w.tenantId === t)).toEqual([]);
      const warn = (await s.dueToWarn(at(10))).filter((w) => w.tenantId === t);
      expect(warn.map((w) => w.conversationId)).toEqual(['c1']);
      expect(await s.moveTimer(warn[0]!, 'due', at(10))).toMatchObject({ slaState: 'due' });
      expect(await s.moveTimer(warn[0]!, 'due', at(10))).toBeUndefined(); // a second process loses
      expect((await s.timers(t)).map((w) => w.slaState)).toEqual(['due']);
      const breach = (await s.dueToBreach(at(15))).filter((w) => w.tenantId === t);
      expect(breach.map((w) => w.slaState)).toEqual(['due']);
      expect(await s.moveTimer(breach[0]!, 'breached', at(15))).toMatchObject({ slaState: 'breached' });
      expect((await s.dueToBreach(at(20))).filter((w) => w.tenantId === t)).toEqual([]);
    });

    it('claims the out-of-hours reply at most once per gap', async () => {
      const t = uid('t');
      expect(await s.claimOutOfHours(t, 'c1', at(0), 60 * 60_000)).toBe(true);
      expect(await s.claimOutOfHours(t, 'c1', at(30), 60 * 60_000)).toBe(false);
      expect(await s.claimOutOfHours(t, 'c1', at(60), 60 * 60_000)).toBe(true);
      await s.deleteWork(t, 'c1');
      expect(await s.getWork(t, 'c1')).toBeUndefined();
    });

    it('exports and erases the work records of a contact\'s conversations, and nothing else', async () => {
      const t = uid('t');
      await s.updateWork(t, 'c1', { queue: 'q', open: true }, at(0));
      await s.updateWork(t, 'c2', { queue: 'q', open: false }, at(0));
      await s.updateWork(t, 'c3', { queue: 'q', open: true }, at(0));
      await s.updateWork('other', 'c1', { queue: 'q', open: true }, at(0));
      const handler = assignmentDataHandler(s);
      const subject = { tenantId: t, contactId: 'k', addresses: [], conversationIds: ['c1', 'c2'] };
      expect(((await handler.export(subject)) as { conversationId: string }[]).map((w) => w.conversationId)).toEqual(['c1', 'c2']);
      expect(await handler.erase(subject)).toEqual({ workRecords: 2 });
      expect(await s.getWork(t, 'c1')).toBeUndefined();
      expect(await s.getWork(t, 'c3')).toBeDefined();
      expect(await s.getWork('other', 'c1')).toBeDefined();
    });
  });
}

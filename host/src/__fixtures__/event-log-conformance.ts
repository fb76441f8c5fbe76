/**
 * The event log store's contract, written once and run on every driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { DocumentEventLogStore, type NewLoggedEvent } from '../events/event-log-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 24, 9, 0, s));
let n = 0;
/** A tenant id of its own per test, so the tests of one database do not see each other's events. */
const tenant = (): string => `t${process.pid}-${++n}`;
const ev = (name: string, s: number, over: Partial<NewLoggedEvent> = {}): NewLoggedEvent => ({ name, data: JSON.stringify({ s }), at: at(s), ...over });

/**
 * Defines the event log store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeEventLogConformance(d: DriverUnderTest): void {
  describe(`event log store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    let s: DocumentEventLogStore;
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; s = new DocumentEventLogStore(driver); });
    afterAll(async () => { await opened.close(); });

    it('numbers a tenant\'s events 1, 2, 3… in the order appended, and each tenant on its own', async () => {
      const a = tenant(); const b = tenant();
      expect(await s.head(a)).toBe(0);
      expect(await s.oldest(a)).toBeUndefined();
      const first = await s.append(a, [ev('inbound', 1), ev('status', 2)]);
      expect(first.map((e) => [e.seq, e.name, e.id])).toEqual([[1, 'inbound', `${a}:1`], [2, 'status', `${a}:2`]]);
      expect((await s.append(a, [ev('consent', 3)]))[0]!.seq).toBe(3);
      expect((await s.append(b, [ev('inbound', 4)]))[0]!.seq).toBe(1);
      expect(await s.append(a, [])).toEqual([]);
      expect(await s.head(a)).toBe(3);
      expect(await s.oldest(a)).toBe(1);
      const all = await s.after(a, 0);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all[0]).toEqual({ id: `${a}:1`, tenantId: a, seq: 1, name: 'inbound', data: '{"s":1}', at: at(1) });
    });

    it('never gives one number twice when appends of one tenant run at once (the counter is atomic)', async () => {
      const a = tenant();
      const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => s.append(a, [ev('status', i), ev('status', i)])));
      const seqs = batches.flat().map((e) => e.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      for (const batch of batches) expect(batch[1]!.seq).toBe(batch[0]!.seq + 1);
      expect((await s.after(a, 0, { limit: 1_000 })).map((e) => e.seq)).toEqual(seqs);
    });

    it('reads after a number: by name, from a time, a page at a time', async () => {
      const a = tenant();
      await s.append(a, [ev('inbound', 10), ev('status', 11), ev('inbound', 12), ev('missed', 13), ev('inbound', 14)]);
      expect((await s.after(a, 1)).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
      expect((await s.after(a, 1, { names: ['inbound', 'missed'] })).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await s.after(a, 0, { since: at(12) })).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await s.after(a, 0, { limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
      expect(await s.after(a, 5)).toEqual([]);
      expect(await s.after(tenant(), 0)).toEqual([]);
    });

    it('prunes by count and by age, and keeps numbering after the newest number ever given', async () => {
      const a = tenant();
      await s.append(a, Array.from({ length: 10 }, (_, i) => ev('status', i)));
      expect(await s.prune(a, { keepLast: 4 })).toBe(6);
      expect(await s.oldest(a)).toBe(7);
      expect(await s.prune(a, { before: at(7) })).toBe(1);
      expect((await s.after(a, 0)).map((e) => e.seq)).toEqual([8, 9, 10]);
      expect(await s.prune(a, { keepLast: 10, before: at(0) })).toBe(0);
      // even when every event is gone, numbers are not reused
      expect(await s.prune(a, { keepLast: 0 })).toBe(3);
      expect(await s.oldest(a)).toBeUndefined();
      expect((await s.append(a, [ev('status', 20)]))[0]!.seq).toBe(11);
    });

    it('finds and deletes the events of a contact and its conversations, and no other', async () => {
      const a = tenant(); const b = tenant();
      await s.append(a, [
        ev('inbound', 1, { contactId: 'k1', conversationId: 'c1' }),
        ev('status', 2, { conversationId: 'c1' }),
        ev('status', 3, { conversationId: 'c2' }),
        ev('consent', 4, { contactId: 'k1' }),
        ev('inbound', 5, { contactId: 'k9', conversationId: 'c9' }),
      ]);
      await s.append(b, [ev('inbound', 6, { contactId: 'k1', conversationId: 'c1' })]);
      const subject = { contactId: 'k1', conversationIds: ['c1', 'c2'] };
      expect((await s.listBySubject(a, subject)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect((await s.listBySubject(a, { contactId: 'k1', conversationIds: [] })).map((e) => e.seq)).toEqual([1, 4]);
      expect(await s.deleteBySubject(a, subject)).toBe(4);
      expect((await s.after(a, 0)).map((e) => e.seq)).toEqual([5]);
      expect((await s.after(b, 0)).map((e) => e.seq)).toEqual([1]);
    });

    it('keeps events and numbering across a restart', async () => {
      const a = tenant();
      await s.append(a, [ev('inbound', 1), ev('status', 2)]);
      driver = await opened.reopen();
      s = new DocumentEventLogStore(driver);
      expect(await s.head(a)).toBe(2);
      expect((await s.after(a, 1)).map((e) => [e.seq, e.data])).toEqual([[2, '{"s":2}']]);
      expect((await s.append(a, [ev('status', 3)]))[0]!.seq).toBe(3);
    });
  });
}

/**
 * The opt-in flow store's contract, written once and run on every driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { DocumentOptInFlowStore, type OptInFlow } from '../consent/opt-in-flow-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 23, 9, 0, s));
let n = 0;
const flow = (over: Partial<OptInFlow> = {}): OptInFlow => ({
  id: `oi_${process.pid}_${++n}`, tenantId: 'air', purpose: 'transactional', topic: 'flight updates', source: 'checkbox',
  privacyPolicy: { url: 'https://air.example/privacy', version: '2026-09' }, confirmWith: 'start-message', scope: 'channel', language: 'en',
  channels: [{ channel: 'whatsapp', account: 'main', target: '+15550001234' }], status: 'awaiting-start',
  createdAt: at(n), updatedAt: at(n), expiresAt: at(n + 3600), ...over,
});

/**
 * Defines the opt-in flow store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeOptInFlowConformance(d: DriverUnderTest): void {
  describe(`opt-in flow store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    let s: DocumentOptInFlowStore;
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; s = new DocumentOptInFlowStore(driver); });
    afterAll(async () => { await opened.close(); });

    it('creates, reads back per tenant, and refuses a second flow with the same id', async () => {
      const f = flow({ wording: 'Send me flight updates', recordedBy: 'api-key' });
      await s.create(f);
      expect(await s.get('air', f.id)).toEqual(f);
      expect(await s.get('other-tenant', f.id)).toBeUndefined();
      await expect(s.create(f)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('applies patches (and a patch to undefined removes the field)', async () => {
      const f = flow({ contactId: 'k1' });
      await s.create(f);
      const address = { channel: 'whatsapp', accountId: '106540352242922', userId: '351912345001' };
      const updated = await s.update('air', f.id, { status: 'awaiting-confirmation', startedOn: address, promptedAt: at(90), updatedAt: at(90) });
      expect(updated).toEqual({ ...f, status: 'awaiting-confirmation', startedOn: address, promptedAt: at(90), updatedAt: at(90) });
      expect(await s.update('air', f.id, { contactId: undefined })).not.toHaveProperty('contactId');
      expect(await s.get('air', f.id)).not.toHaveProperty('contactId');
      expect(await s.update('other-tenant', f.id, { status: 'confirmed' })).toBeUndefined();
      expect((await s.get('air', f.id))?.status).toBe('awaiting-confirmation');
      expect(await s.update('air', 'no-such-flow', { status: 'confirmed' })).toBeUndefined();
    });

    it('finds the newest flow awaiting confirmation on an address', async () => {
      const address = { channel: 'messenger', accountId: 'page-1', userId: 'psid-77' };
      const older = flow({ status: 'awaiting-confirmation', startedOn: address, updatedAt: at(100) });
      const newer = flow({ status: 'awaiting-confirmation', startedOn: address, updatedAt: at(200) });
      const done = flow({ status: 'confirmed', startedOn: address, updatedAt: at(300) });
      const elsewhere = flow({ status: 'awaiting-confirmation', startedOn: { ...address, accountId: 'page-2' }, updatedAt: at(400) });
      for (const f of [older, newer, done, elsewhere]) await s.create(f);
      expect((await s.findAwaiting('air', address))?.id).toBe(newer.id);
      expect(await s.findAwaiting('air', { ...address, userId: 'psid-78' })).toBeUndefined();
      expect(await s.findAwaiting('other-tenant', address)).toBeUndefined();
      await s.update('air', newer.id, { status: 'confirmed' });
      expect((await s.findAwaiting('air', address))?.id).toBe(older.id);
    });

    it('lists newest first, by contact and status, with paging', async () => {
      const mine = [flow({ contactId: 'k-list', createdAt: at(400) }), flow({ contactId: 'k-list', createdAt: at(500), status: 'confirmed' })];
      for (const f of mine) await s.create(f);
      expect((await s.list('air', { contactId: 'k-list' })).map((f) => f.id)).toEqual([mine[1]!.id, mine[0]!.id]);
      expect((await s.list('air', { contactId: 'k-list', status: 'confirmed' })).map((f) => f.id)).toEqual([mine[1]!.id]);
      expect((await s.list('air', { contactId: 'k-list', limit: 1, offset: 1 })).map((f) => f.id)).toEqual([mine[0]!.id]);
      expect((await s.list('air', { limit: 2 })).map((f) => f.id)).toEqual([mine[1]!.id, mine[0]!.id]);
      expect(await s.list('other-tenant')).toEqual([]);
    });

    it('keeps flows across a restart: a link handed out before is confirmed after', async () => {
      const address = { channel: 'viber', accountId: 'bot', userId: 'v-1' };
      const f = flow({ status: 'awaiting-confirmation', startedOn: address, updatedAt: at(900) });
      await s.create(f);
      driver = await opened.reopen();
      s = new DocumentOptInFlowStore(driver);
      expect(await s.findAwaiting('air', address)).toEqual(f);
    });

    it('lists and deletes a contact\'s flows: its own and those started from one of its addresses, in its tenant only', async () => {
      const address = { channel: 'telegram', accountId: 'bot-9', userId: 'tg-erase-1' };
      const own = flow({ contactId: 'k-erase', createdAt: at(10) });
      const startedThere = flow({ status: 'awaiting-confirmation', startedOn: address, createdAt: at(20) });
      const someoneElse = flow({ contactId: 'k-other', startedOn: { ...address, userId: 'tg-erase-2' }, createdAt: at(30) });
      const otherTenant = flow({ tenantId: 'rival', contactId: 'k-erase', startedOn: address });
      for (const f of [own, startedThere, someoneElse, otherTenant]) await s.create(f);
      const subject = { contactId: 'k-erase', addresses: [address] };
      expect((await s.listBySubject('air', subject)).map((f) => f.id)).toEqual([own.id, startedThere.id]);
      expect(await s.deleteBySubject('air', subject)).toBe(2);
      expect(await s.listBySubject('air', subject)).toEqual([]);
      expect(await s.get('air', someoneElse.id)).toEqual(someoneElse);
      expect(await s.get('rival', otherTenant.id)).toEqual(otherTenant);
      expect(await s.deleteBySubject('air', { contactId: 'k-none', addresses: [] })).toBe(0);
    });
  });
}

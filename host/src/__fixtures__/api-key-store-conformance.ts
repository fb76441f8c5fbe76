/**
 * The API key store's contract, written once and run on every driver: keys by id and by tenant,
 * revocation once and only once (also when two processes race), and no key in clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentApiKeyStore, type ApiKeyRecord } from '../api/api-key-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 25, 8, 0, s));
let n = 0;
const uid = (): string => `sb_${String(process.pid % 100000).padStart(5, 'a')}${String(++n).padStart(11, 'b')}`.slice(0, 19);

/**
 * Defines the API key store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeApiKeyStoreConformance(d: DriverUnderTest): void {
  describe(`API key store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let s: DocumentApiKeyStore;
    beforeAll(async () => { opened = await d.open(); s = new DocumentApiKeyStore(opened.driver); });
    afterAll(async () => { await opened.close(); });

    const key = (over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
      id: uid(), tenantId: 'shop', scopes: ['read', 'messages:send'], hash: 'a'.repeat(64), createdAt: at(0), createdBy: 'cli', ...over,
    });

    it('keeps a key once per id and finds it by id, within its tenant only', async () => {
      const k = key({ name: 'CRM' });
      expect(await s.insert(k)).toBe(true);
      expect(await s.insert({ ...k, tenantId: 'other' })).toBe(false);
      expect(await s.find(k.id)).toEqual(k);
      expect(await s.get('shop', k.id)).toEqual(k);
      expect(await s.get('other', k.id)).toBeUndefined();
      expect(await s.find('sb_nosuchkeyxxxxxxxx')).toBeUndefined();
    });

    it('lists a tenant\'s keys newest first, revoked ones included', async () => {
      const tenantId = `t-${uid()}`;
      const keys = [key({ tenantId, createdAt: at(1) }), key({ tenantId, createdAt: at(3) }), key({ tenantId, createdAt: at(2) })];
      for (const k of keys) await s.insert(k);
      await s.insert(key({ tenantId: `${tenantId}-x` }));
      await s.revoke(tenantId, keys[0]!.id, at(9));
      expect((await s.list(tenantId)).map((k) => k.id)).toEqual([keys[1]!.id, keys[2]!.id, keys[0]!.id]);
      expect((await s.list(tenantId))[2]!.revokedAt).toEqual(at(9));
    });

    it('revokes a key once, within its tenant, recording its successor', async () => {
      const k = key();
      await s.insert(k);
      expect(await s.revoke('other', k.id, at(5))).toBeUndefined();
      expect(await s.revoke('shop', k.id, at(5), 'sb_successorxxxxxxx')).toEqual({ ...k, revokedAt: at(5), replacedBy: 'sb_successorxxxxxxx' });
      expect(await s.revoke('shop', k.id, at(6))).toBeUndefined();
      expect((await s.find(k.id))!.revokedAt).toEqual(at(5));
    });

    it('lets one of several concurrent revocations win', async () => {
      const k = key();
      await s.insert(k);
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => s.revoke('shop', k.id, at(10 + i))));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('keeps revocations and keys across a restart', async () => {
      const k = key();
      await s.insert(k);
      await s.revoke('shop', k.id, at(7));
      const reopened = new DocumentApiKeyStore(await opened.reopen());
      s = reopened;
      expect(await reopened.find(k.id)).toEqual({ ...k, revokedAt: at(7) });
    });
  });
}

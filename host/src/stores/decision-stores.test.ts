/**
 * The decision records' and the messaging-limit usage's contract on every driver (memory, SQLite,
 * MongoDB when SWITCHBOARD_MONGODB_URI is set), and the usage shared by two connections to one
 * SQLite file, as two host processes share it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDecisionStoreConformance } from '../__fixtures__/decision-store-conformance.js';
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { DocumentMessagingUsageStore } from './document-messaging-usage-store.js';
import { SqliteDriver } from './drivers/sqlite-driver.js';

describeOnDrivers('decision stores', describeDecisionStoreConformance);

describe('messaging usage on one SQLite file shared by two connections (two host processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-usage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = new Date(Date.UTC(2026, 11, 1, 10));

  it('regression: the unique-recipient tier holds across processes — of 60 new recipients claimed through both, exactly 50 are admitted', async () => {
    const path = join(dir, 'shared.db');
    const [one, two] = [await SqliteDriver.open({ path }), await SqliteDriver.open({ path })];
    try {
      const stores = [new DocumentMessagingUsageStore(one), new DocumentMessagingUsageStore(two)];
      const account = { tenantId: 'shop', channel: 'whatsapp', accountId: 'pn-1' };
      const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 2]!.claim(account, `491511000${String(i).padStart(4, '0')}`, at, { limit: 50, windowMs: 86_400_000 })));
      expect(claims.filter((c) => c.admitted)).toHaveLength(50);
      // both see the same count, and a recipient counted through one is counted for the other
      const admitted = claims.findIndex((c) => c.admitted);
      const user = `491511000${String(admitted).padStart(4, '0')}`;
      expect(await stores[1 - (admitted % 2)]!.usage(account, user, at, 86_400_000)).toEqual({ uniqueRecipients: 50, counted: true });
      expect((await stores[0]!.claim(account, user, at, { limit: 50, windowMs: 86_400_000 })).admitted).toBe(true);
      expect((await stores[1]!.claim(account, 'newcomer', at, { limit: 50, windowMs: 86_400_000 })).admitted).toBe(false);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

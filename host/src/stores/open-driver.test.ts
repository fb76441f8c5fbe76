import { describe, expect, it } from 'vitest';
import { describeStore, openStorageDriver } from './open-driver.js';

describe('the store the config names', () => {
  it('is described without credentials', () => {
    const line = describeStore({ kind: 'mongodb', uri: 'mongodb://ops:s3cret@db.example.com:27017/?replicaSet=rs0&authSource=admin', dbName: 'sb' });
    expect(line).toBe('MongoDB mongodb://***@db.example.com:27017/ (database sb)');
    expect(describeStore({ kind: 'memory' })).toMatch(/^ephemeral/);
    expect(describeStore({ kind: 'sqlite', path: '/var/lib/sb.db', synchronous: 'full' })).toBe('SQLite /var/lib/sb.db (synchronous=full)');
  });

  it('opens the memory and SQLite drivers', async () => {
    for (const store of [{ kind: 'memory' as const }, { kind: 'sqlite' as const, path: ':memory:', synchronous: 'normal' as const }]) {
      const driver = await openStorageDriver(store);
      expect(driver.kind).toBe(store.kind);
      await driver.ping();
      await driver.close();
    }
  });
});

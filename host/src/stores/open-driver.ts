/**
 * The one place the host chooses its storage driver from the config. Each driver module is
 * imported only when chosen, so a host on SQLite never loads mongoose and a host on MongoDB never
 * loads the SQLite native module.
 * @module
 */
import type { StoreConfig } from '../config/host-config.js';
import type { StorageDriver } from './driver.js';
import { MemoryDriver } from './drivers/memory-driver.js';
// the URI redaction only: this module loads no mongoose
import { redactMongoUri } from './drivers/mongodb-translate.js';

/**
 * Opens the driver a store config names (creating the SQLite file and its directory on first start,
 * running migrations).
 * @param store - the config's `store` section
 * @returns the open driver
 * @throws StorageError naming the database and the cause (corrupt, locked, read-only, full, newer schema, native module missing)
 */
export async function openStorageDriver(store: StoreConfig): Promise<StorageDriver> {
  switch (store.kind) {
    case 'memory':
      return new MemoryDriver();
    case 'sqlite': {
      const { SqliteDriver } = await import('./drivers/sqlite-driver.js');
      return SqliteDriver.open({ path: store.path, synchronous: store.synchronous });
    }
    case 'mongodb': {
      const { MongoDriver } = await import('./drivers/mongodb-driver.js');
      return MongoDriver.connect(store.uri, store.dbName ? { dbName: store.dbName } : {});
    }
  }
}

/**
 * How a store config is described to a person (start-up banner, `doctor`): what it keeps and where.
 * @param store - the config's `store` section
 * @returns one line
 */
export function describeStore(store: StoreConfig): string {
  switch (store.kind) {
    case 'memory': return 'ephemeral (in memory: everything is lost when the process ends)';
    case 'sqlite': return `SQLite ${store.path} (synchronous=${store.synchronous})`;
    case 'mongodb': return `MongoDB ${redactMongoUri(store.uri)}${store.dbName ? ` (database ${store.dbName})` : ''}`;
  }
}

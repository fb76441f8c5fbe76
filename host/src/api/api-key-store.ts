/**
 * API keys created through the CLI or the REST API, kept as SHA-256 digests: the key itself is
 * shown once, when it is made, and never stored. Tenant-scoped like every host store.
 * @module
 */
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';
import type { ApiScope } from './api-scopes.js';

/** A stored API key. */
export interface ApiKeyRecord {
  /** The key's public id, also the start of the key (`sb_<id>_<secret>`): `sb_` and 16 characters. */
  id: string;
  tenantId: string;
  /** What the key is for (shown in lists). */
  name?: string;
  scopes: ApiScope[];
  /** SHA-256 of the whole key, hex. */
  hash: string;
  createdAt: Date;
  /** Who made it: `cli`, or `api-key:<id>` of the admin key that did. */
  createdBy: string;
  /** Set once; a revoked key authenticates nothing. */
  revokedAt?: Date;
  /** The key that replaced this one by rotation. */
  replacedBy?: string;
}

/** An API key as lists and answers show it: without its digest. */
export type PublicApiKey = Omit<ApiKeyRecord, 'hash'>;

/**
 * Strips the digest.
 * @param record - a stored key
 * @returns the key without its hash
 */
export function publicApiKey(record: ApiKeyRecord): PublicApiKey {
  const { hash: _hash, ...rest } = record;
  return rest;
}

/** DI token for {@link ApiKeyStore}. */
export const ApiKeyStore = Symbol.for('switchboard.ApiKeyStore');
/** The stored API keys. Nothing is cached: every host process sharing the database sees a revocation at once. */
export interface ApiKeyStore {
  /** @returns false when the id is taken */
  insert(record: ApiKeyRecord): Promise<boolean>;
  /** A key by its id, whatever its tenant (authentication starts from the key's id). */
  find(id: string): Promise<ApiKeyRecord | undefined>;
  /** A tenant's key. */
  get(tenantId: string, id: string): Promise<ApiKeyRecord | undefined>;
  /** A tenant's keys, newest first, revoked ones included. */
  list(tenantId: string): Promise<ApiKeyRecord[]>;
  /**
   * Revokes a key that is not revoked yet.
   * @returns the key after revocation, or undefined when there is no such unrevoked key
   */
  revoke(tenantId: string, id: string, at: Date, replacedBy?: string): Promise<ApiKeyRecord | undefined>;
}

/** {@link ApiKeyStore} over any {@link StorageDriver}. */
export class DocumentApiKeyStore implements ApiKeyStore {
  /** The API keys. */
  static readonly spec: CollectionSpec = {
    name: 'api_keys',
    fields: { tenantId: 'string', createdAt: 'date', revokedAt: 'date' },
    indexes: [{ fields: ['tenantId', 'createdAt'] }],
  };

  private readonly keys: Collection<ApiKeyRecord>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.keys = driver.collection<ApiKeyRecord>(DocumentApiKeyStore.spec);
  }

  async insert(record: ApiKeyRecord): Promise<boolean> {
    return this.keys.insert(record);
  }

  async find(id: string): Promise<ApiKeyRecord | undefined> {
    return this.keys.get(id);
  }

  async get(tenantId: string, id: string): Promise<ApiKeyRecord | undefined> {
    const k = await this.keys.get(id);
    return k?.tenantId === tenantId ? k : undefined;
  }

  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    return this.keys.find({ tenantId }, { sort: [['createdAt', -1]] });
  }

  async revoke(tenantId: string, id: string, at: Date, replacedBy?: string): Promise<ApiKeyRecord | undefined> {
    return this.keys.updateOne({ id, tenantId, revokedAt: null }, { $set: { revokedAt: at, ...(replacedBy ? { replacedBy } : {}) } });
  }
}

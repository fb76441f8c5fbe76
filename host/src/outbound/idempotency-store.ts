/**
 * Idempotency keys for the send API: the same key and body replay the first answer; the same key
 * with another body is a conflict.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** A remembered answer. */
export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  /** SHA-256 of the canonical request body. */
  bodyHash: string;
  /** HTTP status and body of the first answer. */
  status: number;
  response: unknown;
  createdAt: Date;
}

/** DI token for {@link IdempotencyStore}. */
export const IdempotencyStore = Symbol.for('switchboard.IdempotencyStore');
/** Remembered answers by (tenant, key). */
export interface IdempotencyStore {
  get(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Stores the record unless a live one exists; returns the record in force. */
  putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord>;
  /**
   * Erasure of a contact: records whose key names one of its user ids (keys the host builds itself,
   * such as a keyword's consent confirmation) are deleted; in the others, the ids the answer names
   * (message, conversation) are replaced by their pseudonyms, so a retried request still replays
   * its answer instead of sending again.
   * @param tenantId - the tenant
   * @param subject - the contact's platform user ids, and id → pseudonym of every id erasure replaces
   * @returns how many records were deleted and how many rewritten
   */
  eraseSubject(tenantId: string, subject: { userIds: readonly string[]; replacements: Readonly<Record<string, string>> }): Promise<{ deleted: number; pseudonymised: number }>;
}

/** A remembered answer as stored: its id is the (tenant, key) pair. */
export interface IdempotencyDocument extends IdempotencyRecord {
  id: string;
}

/** The idempotency keys' collection. */
export const IDEMPOTENCY_COLLECTION: CollectionSpec = {
  name: 'idempotency_keys',
  fields: { tenantId: 'string', createdAt: 'date' },
  // the id is unique per (tenant, key); createdAt serves the purge
  indexes: [{ fields: ['createdAt'] }],
};

/** Default retention of idempotency keys: 24 h. */
export const IDEMPOTENCY_RETENTION_MS = 86_400_000;

/**
 * The idempotency store on the storage driver: the first answer for a key wins across every host
 * process on the same database (an insert on a unique id), and keys are remembered for the
 * retention period by the injected clock. An expired key is never returned: it is deleted when it
 * is read or written again, and every other expired key is purged at most once per
 * `min(retention, 1 min)` of the clock, when a new key is stored.
 */
export class DocumentIdempotencyStore implements IdempotencyStore {
  private readonly keys: Collection<IdempotencyDocument>;
  private readonly purgeEveryMs: number;
  private lastPurgeAt = -Infinity;

  /**
   * @param driver - the host's storage driver
   * @param now - the host clock's time in ms (records are aged by it)
   * @param retentionMs - how long keys are remembered (default 24 h)
   */
  constructor(driver: StorageDriver, private readonly now: () => number = Date.now, private readonly retentionMs = IDEMPOTENCY_RETENTION_MS) {
    this.keys = driver.collection<IdempotencyDocument>(IDEMPOTENCY_COLLECTION);
    this.purgeEveryMs = Math.min(retentionMs, 60_000);
  }

  /** @inheritdoc */
  async get(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const doc = await this.keys.get(idOf(tenantId, key));
    if (!doc) return undefined;
    if (this.expired(doc)) {
      await this.keys.deleteMany({ id: doc.id, createdAt: doc.createdAt });
      return undefined;
    }
    return recordOf(doc);
  }

  /** @inheritdoc */
  async putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    await this.purgeIfDue();
    const doc: IdempotencyDocument = { ...record, id: idOf(record.tenantId, record.key) };
    // bounded: each round either inserts, finds a live record, or removes an expired one
    for (let round = 0; round < 3; round++) {
      if (await this.keys.insert(doc)) return record;
      const live = await this.get(record.tenantId, record.key);
      if (live) return live;
    }
    throw new Error(`idempotency key ${record.key}: could not be stored (it keeps reappearing expired; is the clock far behind another host's?)`);
  }

  /** @inheritdoc */
  async eraseSubject(tenantId: string, subject: { userIds: readonly string[]; replacements: Readonly<Record<string, string>> }): Promise<{ deleted: number; pseudonymised: number }> {
    const userIds = subject.userIds.filter((u) => u !== '');
    const ids = Object.keys(subject.replacements).filter((id) => id !== '');
    if (userIds.length === 0 && ids.length === 0) return { deleted: 0, pseudonymised: 0 };
    const page = 500;
    const doomed: string[] = [];
    const rewritten: IdempotencyDocument[] = [];
    // the tenant's records are bounded by the retention period (24 h by default)
    for (let offset = 0; ; offset += page) {
      const docs = await this.keys.find({ tenantId }, { sort: [['createdAt', 1]], limit: page, offset });
      for (const doc of docs) {
        if (userIds.some((u) => doc.key.includes(u))) { doomed.push(doc.id); continue; }
        const text = JSON.stringify(doc.response);
        if (text === undefined || !ids.some((id) => text.includes(id))) continue;
        rewritten.push({ ...doc, response: JSON.parse(ids.reduce((t, id) => t.split(id).join(subject.replacements[id]!), text)) as unknown });
      }
      if (docs.length < page) break;
    }
    const deleted = doomed.length > 0 ? await this.keys.deleteMany({ tenantId, id: { $in: doomed } }) : 0;
    let pseudonymised = 0;
    for (const doc of rewritten) if (await this.keys.replaceOne({ id: doc.id, tenantId }, doc)) pseudonymised++;
    return { deleted, pseudonymised };
  }

  /**
   * Deletes every key older than the retention period.
   * @returns how many were deleted
   */
  async purgeExpired(): Promise<number> {
    this.lastPurgeAt = this.now();
    return this.keys.deleteMany({ createdAt: { $lt: new Date(this.now() - this.retentionMs) } });
  }

  private async purgeIfDue(): Promise<void> {
    if (this.now() - this.lastPurgeAt >= this.purgeEveryMs) await this.purgeExpired();
  }

  private expired(record: IdempotencyRecord): boolean {
    return this.now() - record.createdAt.getTime() > this.retentionMs;
  }
}

// JSON of the pair: injective whatever characters the tenant id or key hold
const idOf = (tenantId: string, key: string): string => JSON.stringify([tenantId, key]);

function recordOf(doc: IdempotencyDocument): IdempotencyRecord {
  const { id: _id, ...record } = doc;
  return record;
}

/**
 * Hashes a request body canonically (object keys sorted), so the same JSON in another key order is the same body.
 * @param body - parsed JSON
 * @returns hex SHA-256
 */
export function canonicalHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency keys for the send API: the same key and body replay the first answer; the same key
 * with another body is a conflict.
 * @module
 */
import { createHash } from 'node:crypto';

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
  /** Stores the record unless one exists; returns the record in force. */
  putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord>;
}

/** In-memory idempotency store with a retention period. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  /**
   * @param now - the host clock's time in ms (records are aged by it)
   * @param retentionMs - how long keys are remembered (default 24 h)
   */
  constructor(private readonly now: () => number = Date.now, private readonly retentionMs = 86_400_000) {}
  /** @inheritdoc */
  async get(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const r = this.records.get(`${tenantId}\u0000${key}`);
    if (r && this.now() - r.createdAt.getTime() > this.retentionMs) {
      this.records.delete(`${tenantId}\u0000${key}`);
      return undefined;
    }
    return r;
  }
  /** @inheritdoc */
  async putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    const k = `${record.tenantId}\u0000${record.key}`;
    const existing = await this.get(record.tenantId, record.key);
    if (existing) return existing;
    this.records.set(k, record);
    return record;
  }
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

/**
 * The inbound media fetcher's jobs: one per message whose file is to be fetched, written before the
 * fetch starts and removed when it settles, leased to one fetcher at a time (a lease expires if its
 * process dies), with the attempts made and the time of the next one. Written once on the storage
 * driver contract, like the host's other stores.
 * @module
 */
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';
import { leaseDue } from '../stores/document-support.js';

/** A file to fetch. */
export interface MediaJob {
  /** The message's id (one job per message). */
  id: string;
  tenantId: string;
  /** The connector account that fetches it. */
  channel: string;
  accountId: string;
  /** Fetch attempts started so far. */
  attempts: number;
  /** Not to be tried before this time (backoff, a platform's Retry-After). */
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  /** Why the last attempt failed. */
  lastError?: string;
  createdAt: Date;
}

/** DI token for {@link MediaJobStore}. */
export const MediaJobStore = Symbol.for('switchboard.MediaJobStore');
/** The fetch jobs. */
export interface MediaJobStore {
  /** Adds a job. @returns false when the message already has one */
  add(job: MediaJob): Promise<boolean>;
  get(tenantId: string, id: string): Promise<MediaJob | undefined>;
  /**
   * Leases up to `limit` due jobs of one channel (not before now, and not leased or with an expired
   * lease) to `owner`, counting an attempt on each, oldest due first.
   */
  lease(options: { tenantId: string; channel: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<MediaJob[]>;
  /** Gives a leased job back for a later attempt (only by its lease owner). @returns whether it was still held */
  retry(id: string, owner: string, notBefore: Date, error: string): Promise<boolean>;
  /** Removes a settled job. @returns whether it existed */
  remove(tenantId: string, id: string): Promise<boolean>;
}

/** {@link MediaJobStore} over any {@link StorageDriver}. */
export class DocumentMediaJobStore implements MediaJobStore {
  /** The jobs. */
  static readonly spec: CollectionSpec = {
    name: 'media_jobs',
    fields: { tenantId: 'string', channel: 'string', notBefore: 'date', leaseUntil: 'date', leaseOwner: 'string', attempts: 'number' },
    indexes: [
      { fields: ['tenantId', 'channel', 'notBefore'] },
      { fields: ['tenantId', 'channel', 'leaseUntil'] },
    ],
  };

  private readonly docs: Collection<MediaJob>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<MediaJob>(DocumentMediaJobStore.spec);
  }

  async add(job: MediaJob): Promise<boolean> {
    return this.docs.insert(job);
  }

  async get(tenantId: string, id: string): Promise<MediaJob | undefined> {
    const job = await this.docs.get(id);
    return job?.tenantId === tenantId ? job : undefined;
  }

  async lease(options: { tenantId: string; channel: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<MediaJob[]> {
    const { tenantId, channel, owner, limit, leaseMs, now } = options;
    const due = (j: MediaJob): number => Math.max(j.notBefore.getTime(), j.leaseUntil?.getTime() ?? 0);
    return leaseDue(this.docs, {
      limit,
      candidates: async (want) => [
        ...await this.docs.find({ tenantId, channel, notBefore: { $lte: now }, leaseUntil: null }, { sort: [['notBefore', 1]], limit: want }),
        ...await this.docs.find({ tenantId, channel, notBefore: { $lte: now }, leaseUntil: { $lt: now } }, { sort: [['leaseUntil', 1]], limit: want }),
      ],
      still: (c) => ({ id: c.id, leaseUntil: c.leaseUntil ?? null, leaseOwner: c.leaseOwner ?? null, attempts: c.attempts }),
      take: { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) }, $inc: { attempts: 1 } },
      order: (a, b) => due(a) - due(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    });
  }

  async retry(id: string, owner: string, notBefore: Date, error: string): Promise<boolean> {
    const updated = await this.docs.updateOne({ id, leaseOwner: owner }, { $set: { notBefore, lastError: error.slice(0, 1000) }, $unset: ['leaseOwner', 'leaseUntil'] });
    return updated !== undefined;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.docs.deleteMany({ id, tenantId })) > 0;
  }
}

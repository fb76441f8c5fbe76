/**
 * The outbox on the storage driver. A lease reads only the due entries it may take — pending ones
 * through the index (tenant, status, notBefore, createdAt), expired leases through (tenant, status,
 * leaseUntil), each sorted and limited — and takes each with a conditional update, so the cost of a
 * lease does not grow with the queue. Per-recipient order (`firstOpenBefore`) reads the oldest
 * open entry of one recipient through (tenant, channel, account, user, status, createdAt).
 * @module
 */
import type { Address } from '@switchboard/core';
import type { Collection, CollectionSpec, Doc, Filter, LinkedUpdate, StorageDriver, Update } from './driver.js';
import type { DocumentMessageStore, SendOutcomeFields } from './document-message-store.js';
import { compareAndSet, leaseDue, matchNothing, RETRY } from './document-support.js';
import { pageOf, type HostMessage, type OutboxEntry, type OutboxStatus, type OutboxStore, type Page, type RetryOptions, type SendRecorded } from './stores.js';
import { ConflictError } from '../errors.js';

const STATUSES: readonly OutboxStatus[] = ['pending', 'leased', 'sent', 'failed', 'cancelled'];
/** Acceptance order: creation time, then id (a strict total order). */
const ACCEPTED_ORDER = [['createdAt', 1]] as const;
/** The statuses of an entry not yet done with. */
const OPEN = ['pending', 'leased'] as const satisfies readonly OutboxStatus[];

/** {@link ACCEPTED_ORDER} as a comparison. */
function acceptedOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const byRecipients = (addresses: readonly Address[]): Filter => (addresses.length > 0
  ? { $or: addresses.map((a) => ({ 'message.to.channel': a.channel, 'message.to.accountId': a.accountId, 'message.to.userId': a.userId })) }
  : matchNothing());

/** Lease order: due time, then acceptance order. */
function leaseOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.notBefore.getTime() - b.notBefore.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** {@link OutboxStore} over any {@link StorageDriver}. */
export class DocumentOutboxStore implements OutboxStore {
  /** The outbox. */
  static readonly spec: CollectionSpec = {
    name: 'outbox',
    fields: {
      tenantId: 'string', messageId: 'string', channel: 'string', account: 'string', status: 'string',
      notBefore: 'date', createdAt: 'date', updatedAt: 'date', leaseOwner: 'string', leaseUntil: 'date', attempts: 'number',
      'message.to.channel': 'string', 'message.to.accountId': 'string', 'message.to.userId': 'string',
    },
    indexes: [
      // leases: due pending entries in lease order, expired leases by expiry; counts and lists by status
      { fields: ['tenantId', 'status', 'notBefore', 'createdAt'] },
      { fields: ['tenantId', 'status', 'leaseUntil'] },
      // per-recipient order: the oldest open entry of a recipient
      { fields: ['tenantId', 'channel', 'account', 'message.to.userId', 'status', 'createdAt'] },
      // erasure and the message's view
      { fields: ['tenantId', 'message.to.channel', 'message.to.userId'] },
      { fields: ['tenantId', 'messageId'] },
      { fields: ['tenantId', 'createdAt'] },
      // retention
      { fields: ['tenantId', 'status', 'updatedAt'] },
    ],
  };

  private readonly docs: Collection<OutboxEntry>;

  /**
   * @param driver - the storage driver
   * @param messages - the messages on the same driver (a send's result is written to its entry and its message together)
   */
  constructor(private readonly driver: StorageDriver, private readonly messages: DocumentMessageStore) {
    this.docs = driver.collection<OutboxEntry>(DocumentOutboxStore.spec);
  }

  async enqueue(entry: OutboxEntry): Promise<void> {
    if (!(await this.docs.insert(entry))) throw new ConflictError(`outbox entry ${entry.id} already exists`);
  }

  async lease(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date; channel?: string; account?: string }): Promise<OutboxEntry[]> {
    const { tenantId, owner, limit, now } = options;
    const scope: Filter = { tenantId, channel: options.channel, account: options.account };
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    return leaseDue(this.docs, {
      limit,
      candidates: async (want) => {
        const [pending, expired] = await Promise.all([
          this.docs.find({ ...scope, status: 'pending', notBefore: { $lte: now } }, { sort: [['notBefore', 1], ['createdAt', 1]], limit: want }),
          this.docs.find({ ...scope, status: 'leased', leaseUntil: { $lt: now } }, { sort: [['leaseUntil', 1]], limit: want }),
        ]);
        return [...pending, ...expired];
      },
      still: (c) => (c.status === 'pending' ? { id: c.id, status: 'pending', notBefore: { $lte: now } } : { id: c.id, status: 'leased', leaseUntil: c.leaseUntil ?? null }),
      take: { $set: { status: 'leased', leaseOwner: owner, leaseUntil, updatedAt: now }, $inc: { attempts: 1 } },
      order: leaseOrder,
    });
  }

  private async owned(id: string, owner: string, update: Update, extra: Filter = {}): Promise<boolean> {
    return (await this.docs.updateOne({ ...extra, id, status: 'leased', leaseOwner: owner }, update)) !== undefined;
  }

  async renew(id: string, owner: string, leaseUntil: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { leaseUntil } });
  }

  async complete(id: string, owner: string, now: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { status: 'sent', updatedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] });
  }

  async retry(id: string, owner: string, notBefore: Date, error: { code: string; message: string }, now: Date, options: RetryOptions = {}): Promise<boolean> {
    const back = { $set: { status: 'pending', notBefore, lastError: { code: error.code, message: error.message }, updatedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] };
    // put back without calling the platform: the attempt the lease counted is given back (never below 0)
    if (options.attempted === false && await this.owned(id, owner, { ...back, $inc: { attempts: -1 } }, { attempts: { $gt: 0 } })) return true;
    return this.owned(id, owner, back);
  }

  async firstOpenBefore(entry: OutboxEntry): Promise<OutboxEntry | undefined> {
    const recipient: Filter = { tenantId: entry.tenantId, channel: entry.channel, account: entry.account, 'message.to.userId': entry.message.to.userId };
    const before: Filter = { $or: [{ createdAt: { $lt: entry.createdAt } }, { createdAt: entry.createdAt, id: { $lt: entry.id } }] };
    // One open status at a time: with the status pinned, the recipient's index (…, status, createdAt)
    // answers both the filter and the order. With `status $in [pending, leased]` SQLite's planner
    // preferred (tenantId, createdAt), which serves the order, and walked the tenant's whole outbox
    // older than the entry — sent entries included — on every send.
    const open = await Promise.all(OPEN.map((status) => this.docs.findOne({ ...recipient, status, ...before }, { sort: ACCEPTED_ORDER })));
    return open.filter((e): e is OutboxEntry => e !== undefined).sort(acceptedOrder)[0];
  }

  async fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { status: 'failed', lastError: { code: error.code, message: error.message }, updatedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] });
  }

  async completeSend(entry: Pick<OutboxEntry, 'id' | 'tenantId' | 'messageId'>, owner: string, accepted: { externalId?: string; partIds?: string[]; at: Date }, now: Date, seen?: HostMessage): Promise<SendRecorded> {
    const ids = { ...(accepted.externalId !== undefined ? { externalId: accepted.externalId } : {}), ...(accepted.partIds !== undefined ? { partIds: accepted.partIds } : {}) };
    return this.settleSend(entry, owner, 'sent', accepted.at, ids, { $set: { status: 'sent', updatedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] }, seen);
  }

  async failSend(entry: Pick<OutboxEntry, 'id' | 'tenantId' | 'messageId'>, owner: string, error: { code: string; message: string }, now: Date): Promise<SendRecorded> {
    const reason = { code: error.code, message: error.message };
    return this.settleSend(entry, owner, 'failed', now, { error: reason }, { $set: { status: 'failed', lastError: reason, updatedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] });
  }

  /**
   * One write of a send's result: the message's ids, its status and the entry, in that order (see
   * `updateTogether`). The status is a compare-and-set on the status read: when a receipt changed it
   * in between, the ids and the entry are written all the same and the status is decided again on
   * what the message says now. The caller's `seen` copy stands in for the first read, unless parts
   * are to be kept (which parts to drop is decided on the message as stored).
   */
  private async settleSend(entry: Pick<OutboxEntry, 'id' | 'tenantId' | 'messageId'>, owner: string, status: 'sent' | 'failed', at: Date, fields: SendOutcomeFields, done: Update, seen?: HostMessage): Promise<SendRecorded> {
    const own: LinkedUpdate = { collection: DocumentOutboxStore.spec, filter: { id: entry.id, status: 'leased', leaseOwner: owner }, update: done };
    let settled = false;
    let pending = fields;
    let dropParts: (() => Promise<void>) | undefined;
    let guess = seen?.id === entry.messageId && seen.tenantId === entry.tenantId && fields.partIds === undefined ? seen : undefined;
    const result = await compareAndSet(`outbox entry ${entry.id}: recording the send's result`, async (): Promise<SendRecorded | typeof RETRY> => {
      const current = guess ?? await this.messages.get(entry.tenantId, entry.messageId);
      guess = undefined;
      if (current && pending.partIds !== undefined && !dropParts) dropParts = await this.messages.keepParts(current, pending.partIds);
      const planned = current ? this.messages.outcomeUpdates(current, status, at, pending) : {};
      const writes = [planned.ids, planned.status, settled ? undefined : own];
      const after = await this.driver.updateTogether(writes.filter((w): w is LinkedUpdate => w !== undefined));
      const [idsAfter, statusAfter, ownAfter] = resultsOf(writes, after);
      if (idsAfter) pending = { ...(pending.error ? { error: pending.error } : {}) };
      settled ||= ownAfter !== undefined;
      if (current && planned.status && !statusAfter) return RETRY;
      const message = (statusAfter ?? idsAfter ?? current) as HostMessage | undefined;
      return { settled, changed: statusAfter !== undefined, ...(message ? { message } : {}) };
    });
    if (result.message) await dropParts?.();
    return result;
  }

  async get(tenantId: string, id: string): Promise<OutboxEntry | undefined> {
    const e = await this.docs.get(id);
    return e?.tenantId === tenantId ? e : undefined;
  }

  async findByMessage(tenantId: string, messageId: string): Promise<OutboxEntry | undefined> {
    return this.docs.findOne({ tenantId, messageId }, { sort: ACCEPTED_ORDER });
  }

  async list(tenantId: string, filter: { status?: OutboxStatus } & Page = {}): Promise<OutboxEntry[]> {
    const { limit, offset } = pageOf(filter);
    return this.docs.find({ tenantId, status: filter.status }, { sort: ACCEPTED_ORDER, limit, offset });
  }

  async counts(tenantId: string): Promise<Record<OutboxStatus, number>> {
    const counts = await Promise.all(STATUSES.map((status) => this.docs.count({ tenantId, status })));
    return Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]!])) as Record<OutboxStatus, number>;
  }

  async listByRecipient(tenantId: string, addresses: Address[]): Promise<OutboxEntry[]> {
    return this.docs.find({ tenantId, ...byRecipients(addresses) }, { sort: ACCEPTED_ORDER });
  }

  async deleteByRecipient(tenantId: string, addresses: Address[]): Promise<number> {
    return this.docs.deleteMany({ tenantId, ...byRecipients(addresses) });
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    return this.docs.deleteMany({ tenantId, status: { $in: ['sent', 'failed', 'cancelled'] }, updatedAt: { $lt: before } });
  }
}

/** The documents `updateTogether` answered, put back in the places of the writes that were left out. */
function resultsOf(writes: readonly (LinkedUpdate | undefined)[], after: readonly (Doc | undefined)[]): (Doc | undefined)[] {
  let next = 0;
  return writes.map((w) => (w === undefined ? undefined : after[next++]));
}

/**
 * The inbox on the storage driver: idempotent on (tenant, channel, account, key) through a unique
 * index, drained through leases. A claim reads only the few due entries it may take (indexed,
 * sorted, limited), then takes each with a conditional update, so its cost does not grow with
 * the number of entries waiting.
 * @module
 */
import type { Collection, CollectionSpec, Filter, StorageDriver } from './driver.js';
import { leaseDue, matchNothing, withoutHidden } from './document-support.js';
import type { InboxEntry, InboxStatus, InboxStore, RecordMatch } from './stores.js';

/** An entry as stored: `dueAt` is when it may be processed (its `notBefore`, else when it was received). */
type StoredInboxEntry = InboxEntry & { dueAt: Date };
const HIDDEN = ['dueAt'] as const;
const STATUSES: readonly InboxStatus[] = ['pending', 'processing', 'done', 'failed'];

/** The inbox filter for a {@link RecordMatch}: the event names an address (its account when it has one) or an external id. */
function recordMatch(match: RecordMatch): Filter {
  const alternatives: Filter[] = match.addresses.map((a) => ({
    'event.channel': a.channel, 'event.userId': a.userId, $or: [{ 'event.accountId': a.accountId }, { 'event.accountId': null }],
  }));
  // an event that names a user is that user's: by external id, only events naming nobody (a receipt
  // without a user id) on one of the addresses' channel accounts — platform ids are unique per
  // account at best (Telegram numbers messages per chat: another customer's message 1 is not this one's)
  if (match.externalIds?.length) {
    for (const a of match.addresses) {
      alternatives.push({ 'event.channel': a.channel, 'event.accountId': a.accountId, 'event.userId': null, 'event.externalId': { $in: match.externalIds } });
    }
  }
  return alternatives.length > 0 ? { $or: alternatives } : matchNothing();
}

/** {@link InboxStore} over any {@link StorageDriver}. */
export class DocumentInboxStore implements InboxStore {
  /** The inbox. */
  static readonly spec: CollectionSpec = {
    name: 'inbox',
    fields: {
      tenantId: 'string', channel: 'string', account: 'string', key: 'string', status: 'string',
      receivedAt: 'date', dueAt: 'date', leaseOwner: 'string', leaseUntil: 'date', attempts: 'number',
      'event.channel': 'string', 'event.accountId': 'string', 'event.userId': 'string', 'event.externalId': 'string',
    },
    indexes: [
      { fields: ['tenantId', 'channel', 'account', 'key'], unique: true },
      // claims: pending entries in arrival order, expired leases by expiry; counts by status; retention
      { fields: ['tenantId', 'status', 'receivedAt'] },
      { fields: ['tenantId', 'status', 'leaseUntil'] },
      // erasure
      { fields: ['tenantId', 'event.channel', 'event.userId'] },
      { fields: ['tenantId', 'event.externalId'] },
    ],
  };

  private readonly docs: Collection<StoredInboxEntry>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<StoredInboxEntry>(DocumentInboxStore.spec);
  }

  async add(entries: InboxEntry[]): Promise<{ inserted: InboxEntry[]; duplicates: number }> {
    // one commit for the whole webhook
    const done = await this.docs.insertMany(entries.map((e) => ({ ...e, dueAt: e.notBefore ?? e.receivedAt })));
    const inserted = entries.filter((_, i) => done[i]);
    return { inserted, duplicates: entries.length - inserted.length };
  }

  async claim(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<InboxEntry[]> {
    const { tenantId, owner, limit, now } = options;
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    const claimed = await leaseDue(this.docs, {
      limit,
      candidates: async (want) => {
        const [pending, expired] = await Promise.all([
          this.docs.find({ tenantId, status: 'pending', dueAt: { $lte: now } }, { sort: [['receivedAt', 1]], limit: want }),
          this.docs.find({ tenantId, status: 'processing', leaseUntil: { $lt: now } }, { sort: [['leaseUntil', 1]], limit: want }),
        ]);
        return [...pending, ...expired];
      },
      // taken only if it is still what we read: pending and due, or with the same expired lease
      still: (c) => (c.status === 'pending' ? { id: c.id, status: 'pending', dueAt: { $lte: now } } : { id: c.id, status: 'processing', leaseUntil: c.leaseUntil ?? null }),
      take: { $set: { status: 'processing', leaseOwner: owner, leaseUntil }, $inc: { attempts: 1 } },
      order: (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    });
    return claimed.map((e) => withoutHidden<InboxEntry>(e, HIDDEN));
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    await this.docs.updateOne({ id, leaseOwner: owner }, { $set: { status: 'done', processedAt: now }, $unset: ['leaseOwner', 'leaseUntil'] });
  }

  async fail(id: string, owner: string, error: string, retryAt: Date | undefined): Promise<void> {
    await this.docs.updateOne({ id, leaseOwner: owner }, {
      $set: retryAt ? { status: 'pending', notBefore: retryAt, dueAt: retryAt, lastError: error } : { status: 'failed', lastError: error },
      $unset: ['leaseOwner', 'leaseUntil'],
    });
  }

  async get(id: string): Promise<InboxEntry | undefined> {
    const e = await this.docs.get(id);
    return e ? withoutHidden<InboxEntry>(e, HIDDEN) : undefined;
  }

  async counts(tenantId: string): Promise<Record<InboxStatus, number>> {
    const counts = await Promise.all(STATUSES.map((status) => this.docs.count({ tenantId, status })));
    return Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]!])) as Record<InboxStatus, number>;
  }

  async listMatching(tenantId: string, match: RecordMatch): Promise<InboxEntry[]> {
    const docs = await this.docs.find({ tenantId, ...recordMatch(match) }, { sort: [['receivedAt', 1]] });
    return docs.map((e) => withoutHidden<InboxEntry>(e, HIDDEN));
  }

  async deleteMatching(tenantId: string, match: RecordMatch): Promise<number> {
    return this.docs.deleteMany({ tenantId, ...recordMatch(match) });
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    return this.docs.deleteMany({ tenantId, status: { $in: ['done', 'failed'] }, receivedAt: { $lt: before } });
  }
}

/**
 * Messaging-limit usage: the unique recipients of business-initiated messages per business account
 * in a rolling window (WhatsApp's messaging-limit tiers: 250, 2K, 10K, 100K unique customers per
 * moving 24 h outside the customer-service window).
 *
 * An account has at most `limit` **slots**; a slot holds one recipient and the time of the last
 * business-initiated message to them. A recipient is counted while that time is inside the window.
 * A new recipient takes a slot that does not exist yet (an insert: the slot number is the id, so
 * two writers never get the same one) or one whose recipient fell out of the window (a
 * compare-and-set on the slot's recipient and time). Each recipient has at most one slot per
 * account (a unique index). So the tier holds across every host process sharing the store: when
 * every slot is in use, the next new recipient is refused, whoever asks.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Collection, CollectionSpec, StorageDriver } from './driver.js';
import { compareAndSet, RETRY } from './document-support.js';

/** The business account a usage belongs to. */
export interface UsageAccount {
  tenantId: string;
  channel: string;
  /** The business account id (the connector's account id, as messages store it). */
  accountId: string;
}

/** An account's usage as seen for one recipient. */
export interface RecipientUsage {
  /** Unique recipients counted in the window (this one included when counted). */
  uniqueRecipients: number;
  /** Whether this recipient is already counted in the window. */
  counted: boolean;
}

/** The answer of {@link MessagingUsageStore.claim}. */
export interface UsageClaim extends RecipientUsage {
  /** Whether the recipient is counted now (already, or in a free slot); false: the limit is reached. */
  admitted: boolean;
}

/** DI token for {@link MessagingUsageStore}. */
export const MessagingUsageStore = Symbol.for('switchboard.MessagingUsageStore');
/** Unique recipients of business-initiated messages per account in a rolling window. */
export interface MessagingUsageStore {
  /**
   * The account's usage in the window ending at `now`.
   * @param account - the business account
   * @param userId - the recipient asked about
   * @param now - the time
   * @param windowMs - the window's length
   */
  usage(account: UsageAccount, userId: string, now: Date, windowMs: number): Promise<RecipientUsage>;
  /**
   * Counts a business-initiated message to a recipient within a limit, atomically: a recipient
   * already counted is refreshed (the window runs from their latest message); a new one takes a
   * free slot, or is refused when all `limit` are in use.
   * @param account - the business account
   * @param userId - the recipient
   * @param now - the time of the message
   * @param options - the limit and the window's length
   * @returns whether it was admitted, and the usage before the call
   */
  claim(account: UsageAccount, userId: string, now: Date, options: { limit: number; windowMs: number }): Promise<UsageClaim>;
  /**
   * Replaces the recipient ids of a contact's addresses by pseudonyms (erasure: the slot stays
   * counted until it leaves the window, since the message was sent). @returns how many slots changed
   */
  pseudonymise(tenantId: string, addresses: readonly { channel: string; userId: string }[], pseudonymOf: (address: { channel: string; userId: string }) => string): Promise<number>;
}

/** One slot. */
interface Slot {
  /** `slot:<n>:<hash of tenant, channel, account>` */
  id: string;
  tenantId: string;
  channel: string;
  accountId: string;
  slot: number;
  userId: string;
  /** The last business-initiated message to the recipient. */
  lastAt: Date;
  /** When the recipient took the slot. */
  since: Date;
}

/** {@link MessagingUsageStore} over any {@link StorageDriver}. */
export class DocumentMessagingUsageStore implements MessagingUsageStore {
  /** The slots. */
  static readonly spec: CollectionSpec = {
    name: 'messaging_usage',
    fields: { tenantId: 'string', channel: 'string', accountId: 'string', slot: 'number', userId: 'string', lastAt: 'date' },
    indexes: [
      // a recipient holds one slot per account
      { fields: ['tenantId', 'channel', 'accountId', 'userId'], unique: true },
      { fields: ['tenantId', 'channel', 'accountId', 'lastAt'] },
      { fields: ['tenantId', 'channel', 'accountId', 'slot'] },
    ],
  };

  private readonly slots: Collection<Slot>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.slots = driver.collection<Slot>(DocumentMessagingUsageStore.spec);
  }

  private static slotId(a: UsageAccount, slot: number): string {
    const h = createHash('sha256').update(`${a.tenantId}\u0000${a.channel}\u0000${a.accountId}`).digest('hex').slice(0, 24);
    return `slot:${slot}:${h}`;
  }

  private static of(a: UsageAccount): { tenantId: string; channel: string; accountId: string } {
    return { tenantId: a.tenantId, channel: a.channel, accountId: a.accountId };
  }

  async usage(account: UsageAccount, userId: string, now: Date, windowMs: number): Promise<RecipientUsage> {
    const cutoff = new Date(now.getTime() - windowMs);
    const base = DocumentMessagingUsageStore.of(account);
    const [uniqueRecipients, mine] = await Promise.all([
      this.slots.count({ ...base, lastAt: { $gt: cutoff } }),
      this.slots.findOne({ ...base, userId }),
    ]);
    return { uniqueRecipients, counted: mine !== undefined && mine.lastAt.getTime() > cutoff.getTime() };
  }

  async claim(account: UsageAccount, userId: string, now: Date, options: { limit: number; windowMs: number }): Promise<UsageClaim> {
    const { limit, windowMs } = options;
    const base = DocumentMessagingUsageStore.of(account);
    const cutoff = new Date(now.getTime() - windowMs);
    return compareAndSet('messaging usage', async () => {
      const before = await this.usage(account, userId, now, windowMs);
      const mine = await this.slots.findOne({ ...base, userId });
      if (mine && (before.counted || mine.slot < limit)) {
        // counted already (refresh: the window runs from the latest message), or its own slot is free again
        const updated = await this.slots.updateOne({ id: mine.id, userId, lastAt: mine.lastAt }, {
          $set: { lastAt: new Date(Math.max(now.getTime(), mine.lastAt.getTime())), ...(before.counted ? {} : { since: now }) },
        });
        return updated ? { admitted: true, ...before } : RETRY;
      }
      if (mine) {
        // a slot above a lowered limit, out of the window: give it up and take one below the limit
        await this.slots.deleteMany({ id: mine.id, userId, lastAt: mine.lastAt });
        return RETRY;
      }
      const used = await this.slots.count({ ...base, slot: { $lt: limit } });
      if (used < limit) {
        const slot = await this.freeSlotNumber(account, used, limit);
        if (slot === undefined) return RETRY;
        const inserted = await this.slots.insert({ id: DocumentMessagingUsageStore.slotId(account, slot), ...base, slot, userId, lastAt: now, since: now });
        return inserted ? { admitted: true, ...before } : RETRY;
      }
      const stale = await this.slots.findOne({ ...base, slot: { $lt: limit }, lastAt: { $lte: cutoff } }, { sort: [['lastAt', 1]] });
      if (!stale) return { admitted: false, ...before };
      try {
        const taken = await this.slots.updateOne({ id: stale.id, userId: stale.userId, lastAt: stale.lastAt }, { $set: { userId, lastAt: now, since: now } });
        return taken ? { admitted: true, ...before } : RETRY;
      } catch (error) {
        // the recipient took another slot meanwhile (the unique index): read again
        if ((error as { code?: string }).code === 'CONFLICT') return RETRY;
        throw error;
      }
    });
  }

  /**
   * The lowest slot number below the limit that has no document. Slots are taken in order, so it is
   * `used` unless a slot was removed; then the first gap.
   */
  private async freeSlotNumber(account: UsageAccount, used: number, limit: number): Promise<number | undefined> {
    if (!(await this.slots.get(DocumentMessagingUsageStore.slotId(account, used)))) return used;
    const taken = await this.slots.find({ ...DocumentMessagingUsageStore.of(account), slot: { $lt: limit } }, { sort: [['slot', 1]] });
    let expected = 0;
    for (const s of taken) { if (s.slot !== expected) return expected; expected++; }
    return expected < limit ? expected : undefined;
  }

  async pseudonymise(tenantId: string, addresses: readonly { channel: string; userId: string }[], pseudonymOf: (address: { channel: string; userId: string }) => string): Promise<number> {
    let n = 0;
    for (const a of addresses) {
      for (const s of await this.slots.find({ tenantId, channel: a.channel, userId: a.userId })) {
        if (await this.slots.updateOne({ id: s.id, userId: a.userId }, { $set: { userId: pseudonymOf(a) } })) n++;
      }
    }
    return n;
  }
}

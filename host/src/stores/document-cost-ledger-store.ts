/**
 * The cost ledger on the storage driver: one entry per (tenant, message) through a unique index,
 * listed in time order (then the order they were recorded), totalled by reading the period in
 * batches.
 * @module
 */
import type { Collection, CollectionSpec, StorageDriver } from './driver.js';
import { LedgerSequence, scanByKey, timeRange, withoutHidden, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type Page, type TimeRange } from './stores.js';
import { roundAmount, type CostEntry, type CostLedgerStore, type CostTotal } from './ledger-stores.js';

type StoredCostEntry = CostEntry & { seq: number };
const HIDDEN = ['seq'] as const;

/** {@link CostLedgerStore} over any {@link StorageDriver}. */
export class DocumentCostLedgerStore implements CostLedgerStore {
  /** The ledger. */
  static readonly spec: CollectionSpec = {
    name: 'cost_ledger',
    fields: { tenantId: 'string', messageId: 'string', conversationId: 'string', channel: 'string', at: 'date', seq: 'number' },
    indexes: [
      // a message is charged once
      { fields: ['tenantId', 'messageId'], unique: true },
      { fields: ['tenantId', 'at', 'seq'] },
      { fields: ['tenantId', 'channel', 'at', 'seq'] },
      { fields: ['tenantId', 'conversationId'] },
      { fields: ['seq'] },
    ],
  };

  private readonly docs: Collection<StoredCostEntry>;
  private readonly seq: LedgerSequence;

  /**
   * @param driver - the storage driver
   * @param options - the clock (of the ledger sequence)
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<StoredCostEntry>(DocumentCostLedgerStore.spec);
    this.seq = new LedgerSequence(this.docs, options.now ?? Date.now);
  }

  async record(entry: CostEntry): Promise<boolean> {
    return this.docs.insert({ ...entry, seq: await this.seq.next() });
  }

  async list(tenantId: string, filter: TimeRange & { channel?: string } & Page): Promise<CostEntry[]> {
    const { limit, offset } = pageOf(filter);
    const docs = await this.docs.find({ tenantId, channel: filter.channel, ...timeRange('at', filter) }, { sort: [['at', 1], ['seq', 1]], limit, offset });
    return docs.map((e) => withoutHidden<CostEntry>(e, HIDDEN));
  }

  async totals(tenantId: string, range: TimeRange): Promise<CostTotal[]> {
    const rows = new Map<string, CostTotal>();
    for await (const batch of scanByKey(this.docs, { tenantId, ...timeRange('at', range) }, ['at', 'seq'], 1000)) {
      for (const e of batch) {
        const key = `${e.channel}\n${e.category}\n${e.currency}`;
        const row = rows.get(key) ?? { channel: e.channel, category: e.category, currency: e.currency, messages: 0, amount: 0 };
        row.messages++;
        row.amount += e.amount;
        rows.set(key, row);
      }
    }
    return [...rows.values()].map((r) => ({ ...r, amount: roundAmount(r.amount) }))
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.category.localeCompare(b.category) || a.currency.localeCompare(b.currency));
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    const ids = Object.keys(replacements);
    if (ids.length === 0) return 0;
    let n = 0;
    for (const e of await this.docs.find({ tenantId, $or: [{ messageId: { $in: ids } }, { conversationId: { $in: ids } }] })) {
      // the unique (tenant, message) follows the pseudonym: the message is still not charged twice
      const updated = await this.docs.updateOne({ id: e.id, tenantId }, {
        $set: { messageId: replacements[e.messageId] ?? e.messageId, conversationId: replacements[e.conversationId] ?? e.conversationId },
      });
      if (updated) n++;
    }
    return n;
  }
}

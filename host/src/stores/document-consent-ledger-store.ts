/**
 * The consent ledger on the storage driver: append-only, in time order and, among entries with
 * the same time, in the order they were appended (a ledger sequence, then the id).
 * @module
 */
import type { ConsentEntry } from '@switchboard/core';
import type { Collection, CollectionSpec, StorageDriver } from './driver.js';
import { LedgerSequence, timeRange, withoutHidden, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type ConsentLedgerStore, type Page, type TimeRange } from './stores.js';

type StoredConsentEntry = ConsentEntry & { seq: number };
const HIDDEN = ['seq'] as const;
const LEDGER_ORDER = [['at', 1], ['seq', 1]] as const;

/** {@link ConsentLedgerStore} over any {@link StorageDriver}. */
export class DocumentConsentLedgerStore implements ConsentLedgerStore {
  /** The ledger. */
  static readonly spec: CollectionSpec = {
    name: 'consent_ledger',
    fields: { tenantId: 'string', contactId: 'string', at: 'date', seq: 'number' },
    indexes: [
      { fields: ['tenantId', 'contactId', 'at', 'seq'] },
      { fields: ['tenantId', 'at', 'seq'] },
      { fields: ['seq'] },
    ],
  };

  private readonly docs: Collection<StoredConsentEntry>;
  private readonly seq: LedgerSequence;

  /**
   * @param driver - the storage driver
   * @param options - the clock (of the ledger sequence)
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<StoredConsentEntry>(DocumentConsentLedgerStore.spec);
    this.seq = new LedgerSequence(this.docs, options.now ?? Date.now);
  }

  async append(entry: ConsentEntry): Promise<void> {
    // appending the same entry twice (a retried processing step) inserts nothing the second time
    await this.docs.insert({ ...entry, seq: await this.seq.next() });
  }

  async listByContact(tenantId: string, contactId: string): Promise<ConsentEntry[]> {
    const docs = await this.docs.find({ tenantId, contactId }, { sort: LEDGER_ORDER });
    return docs.map((e) => withoutHidden<ConsentEntry>(e, HIDDEN));
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<ConsentEntry[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.docs.find({ tenantId, ...timeRange('at', range) }, { sort: LEDGER_ORDER, limit, offset });
    return docs.map((e) => withoutHidden<ConsentEntry>(e, HIDDEN));
  }

  async redactContact(tenantId: string, contactId: string, redact: (entry: ConsentEntry) => ConsentEntry): Promise<number> {
    let n = 0;
    for (const stored of await this.docs.find({ tenantId, contactId }, { sort: LEDGER_ORDER })) {
      const { seq } = stored;
      const proof = redact(withoutHidden<ConsentEntry>(stored, HIDDEN));
      // same id and sequence: the proof keeps the entry's place in the ledger
      if (await this.docs.replaceOne({ id: stored.id, tenantId, contactId }, { ...proof, id: stored.id, tenantId, seq })) n++;
    }
    return n;
  }
}

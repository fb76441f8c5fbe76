/**
 * The audit log on the storage driver. Entries are listed newest first (time, then the order they
 * were appended). Every id an entry names — in `contactIds`, `conversationIds` or as a segment of
 * its path — is also a reference document, so the entries of one contact or conversation, and the
 * entries erasure must pseudonymise, are found through an index instead of a scan. References are
 * written before their entry and checked against it when read, so one left behind by a crash is
 * ignored.
 * @module
 */
import type { Collection, CollectionSpec, Filter, StorageDriver } from './driver.js';
import { LedgerSequence, timeRange, withoutHidden, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type Page, type TimeRange } from './stores.js';
import type { AuditEntry, AuditLogStore } from './ledger-stores.js';

type StoredAuditEntry = AuditEntry & { seq: number };
const HIDDEN = ['seq'] as const;
const NEWEST_FIRST = [['at', -1], ['seq', -1]] as const;

/** That an audit entry names an id. */
interface AuditRef {
  /** `<entry id> <ref>` */
  id: string;
  tenantId: string;
  ref: string;
  /** Named in `contactIds`. */
  contact: boolean;
  /** Named in `conversationIds`. */
  conversation: boolean;
  at: Date;
  seq: number;
  entryId: string;
}

/** The references of an entry: every id it names, once. */
function refsOf(e: StoredAuditEntry): AuditRef[] {
  const refs = new Map<string, AuditRef>();
  const ref = (id: string): AuditRef => {
    let r = refs.get(id);
    if (!r) refs.set(id, r = { id: `${e.id} ${id}`, tenantId: e.tenantId, ref: id, contact: false, conversation: false, at: e.at, seq: e.seq, entryId: e.id });
    return r;
  };
  for (const id of e.contactIds) ref(id).contact = true;
  for (const id of e.conversationIds) ref(id).conversation = true;
  for (const segment of e.path.split('/')) if (segment !== '') ref(segment);
  return [...refs.values()];
}

const sameRef = (a: AuditRef, b: AuditRef): boolean => a.contact === b.contact && a.conversation === b.conversation;

/** {@link AuditLogStore} over any {@link StorageDriver}. */
export class DocumentAuditLogStore implements AuditLogStore {
  /** The entries. */
  static readonly spec: CollectionSpec = {
    name: 'audit_log',
    fields: { tenantId: 'string', at: 'date', seq: 'number' },
    indexes: [{ fields: ['tenantId', 'at', 'seq'] }, { fields: ['seq'] }],
  };

  /** The ids each entry names. */
  static readonly refsSpec: CollectionSpec = {
    name: 'audit_refs',
    fields: { tenantId: 'string', ref: 'string', contact: 'boolean', conversation: 'boolean', at: 'date', seq: 'number', entryId: 'string' },
    indexes: [{ fields: ['tenantId', 'ref', 'at', 'seq'] }],
  };

  private readonly docs: Collection<StoredAuditEntry>;
  private readonly refs: Collection<AuditRef>;
  private readonly seq: LedgerSequence;

  /**
   * @param driver - the storage driver
   * @param options - the clock (of the ledger sequence)
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<StoredAuditEntry>(DocumentAuditLogStore.spec);
    this.refs = driver.collection<AuditRef>(DocumentAuditLogStore.refsSpec);
    this.seq = new LedgerSequence(this.docs, options.now ?? Date.now);
  }

  async append(entry: AuditEntry): Promise<void> {
    const stored = { ...entry, seq: await this.seq.next() };
    await this.refs.insertMany(refsOf(stored));
    await this.docs.insert(stored);
  }

  async list(tenantId: string, filter: Partial<TimeRange> & { contactId?: string; conversationId?: string } & Page = {}): Promise<AuditEntry[]> {
    const { limit, offset } = pageOf(filter);
    const { contactId, conversationId } = filter;
    const range = timeRange('at', filter);
    if (contactId === undefined && conversationId === undefined) {
      const docs = await this.docs.find({ tenantId, ...range }, { sort: NEWEST_FIRST, limit, offset });
      return docs.map((e) => withoutHidden<AuditEntry>(e, HIDDEN));
    }
    const names = (e: AuditEntry): boolean => (contactId === undefined || e.contactIds.includes(contactId)) && (conversationId === undefined || e.conversationIds.includes(conversationId));
    const where: Filter = contactId !== undefined ? { tenantId, ref: contactId, contact: true, ...range } : { tenantId, ref: conversationId!, conversation: true, ...range };
    // with both ids the second is checked on the entries, so the page is cut after that
    const both = contactId !== undefined && conversationId !== undefined;
    const refs = await this.refs.find(where, { sort: NEWEST_FIRST, ...(both ? {} : { limit, offset }) });
    const entries = await this.entries(tenantId, refs.map((r) => r.entryId));
    const found = entries.filter(names);
    return (both ? found.slice(offset, offset + limit) : found).map((e) => withoutHidden<AuditEntry>(e, HIDDEN));
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    const ids = Object.keys(replacements);
    if (ids.length === 0) return 0;
    const hits = await this.refs.find({ tenantId, ref: { $in: ids } });
    const swap = (id: string): string => replacements[id] ?? id;
    let n = 0;
    const entries = await this.entries(tenantId, hits.map((r) => r.entryId));
    // references whose entry was never written (a crash between the two) must not keep the id either
    const orphans = hits.filter((r) => !entries.some((e) => e.id === r.entryId)).map((r) => r.id);
    if (orphans.length > 0) await this.refs.deleteMany({ id: { $in: orphans } });
    for (const e of entries) {
      const before = refsOf(e);
      const next = { contactIds: e.contactIds.map(swap), conversationIds: e.conversationIds.map(swap), path: e.path.split('/').map(swap).join('/') };
      const after = refsOf({ ...e, ...next });
      if (after.length !== before.length || after.some((r, i) => r.id !== before[i]!.id || !sameRef(r, before[i]!))) {
        // new references first, then the entry, then the old references: a crash in between leaves
        // references the entry does not name, which reads ignore
        const old = new Map(before.map((r) => [r.id, r]));
        await this.refs.insertMany(after.filter((r) => !old.has(r.id)));
        for (const r of after) if (old.has(r.id) && !sameRef(r, old.get(r.id)!)) await this.refs.replaceOne({ id: r.id }, r);
        await this.docs.updateOne({ id: e.id, tenantId }, { $set: next });
        n++;
      }
      const keep = new Set(after.map((r) => r.id));
      const stale = hits.filter((r) => r.entryId === e.id && !keep.has(r.id)).map((r) => r.id);
      if (stale.length > 0) await this.refs.deleteMany({ id: { $in: stale } });
    }
    return n;
  }

  /** A tenant's entries by id, in the order of the ids given (each once). */
  private async entries(tenantId: string, ids: readonly string[]): Promise<StoredAuditEntry[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const byId = new Map((await this.docs.find({ tenantId, id: { $in: unique } })).map((e) => [e.id, e]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }
}

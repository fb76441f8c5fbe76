/**
 * The media store's records on the storage driver: one implementation for every driver (memory,
 * SQLite, MongoDB). The bytes live in a blob store (`media/`); this keeps what is known of them.
 * @module
 */
import type { Collection, CollectionSpec, Filter, StorageDriver } from './driver.js';
import { matchNothing, scanByKey } from './document-support.js';
import { pageOf } from './stores.js';
import type {
  MediaLinks, MediaListFilter, MediaQuarantine, MediaRecord, MediaRecordStore, MediaSelection, MediaUsage, StoredMediaRecord,
} from '../media/media-store.js';

/** How many ids one `$in` names at most (SQLite binds each as a parameter). */
const IN_CHUNK = 500;

/** {@link MediaRecordStore} over any {@link StorageDriver}. */
export class DocumentMediaRecordStore implements MediaRecordStore {
  /** The records. Every index is led by the tenant. */
  static readonly spec: CollectionSpec = {
    name: 'media',
    fields: {
      tenantId: 'string', state: 'string', origin: 'string', createdAt: 'date', size: 'number', sha256: 'string',
      messageId: 'string', conversationId: 'string', contactId: 'string',
    },
    indexes: [
      { fields: ['tenantId', 'state', 'createdAt'] },
      { fields: ['tenantId', 'messageId'] },
      { fields: ['tenantId', 'conversationId'] },
      { fields: ['tenantId', 'contactId'] },
      { fields: ['tenantId', 'sha256'] },
    ],
  };

  private readonly docs: Collection<StoredMediaRecord>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<StoredMediaRecord>(DocumentMediaRecordStore.spec);
  }

  async begin(record: StoredMediaRecord): Promise<boolean> {
    return this.docs.insert({ ...record, state: 'writing' });
  }

  async commit(tenantId: string, id: string, fields: Pick<MediaRecord, 'sha256' | 'size' | 'contentType' | 'kind'> & { quarantine?: MediaQuarantine }): Promise<StoredMediaRecord | undefined> {
    const { sha256, size, contentType, kind, quarantine } = fields;
    return this.docs.updateOne(
      { id, tenantId, state: 'writing' },
      { $set: { state: 'stored', sha256, size, contentType, kind, ...(quarantine ? { quarantine: { reason: quarantine.reason, at: quarantine.at } } : {}) } },
    );
  }

  async get(tenantId: string, id: string): Promise<StoredMediaRecord | undefined> {
    const r = await this.docs.get(id);
    return r?.tenantId === tenantId && r.state === 'stored' ? r : undefined;
  }

  async link(tenantId: string, id: string, links: MediaLinks): Promise<StoredMediaRecord | undefined> {
    const set: Record<string, string> = {};
    for (const k of ['messageId', 'conversationId', 'contactId'] as const) if (links[k] !== undefined) set[k] = links[k];
    if (Object.keys(set).length === 0) return this.get(tenantId, id);
    return this.docs.updateOne({ id, tenantId, state: 'stored' }, { $set: set });
  }

  async list(tenantId: string, filter: MediaListFilter = {}): Promise<StoredMediaRecord[]> {
    const { limit, offset } = pageOf(filter);
    return this.docs.find({
      tenantId, state: 'stored',
      messageId: filter.messageId, conversationId: filter.conversationId, contactId: filter.contactId, origin: filter.origin,
      ...(filter.createdBefore ? { createdAt: { $lt: filter.createdBefore } } : {}),
    }, { sort: [['createdAt', 1], ['id', 1]], limit, offset });
  }

  async *select(tenantId: string, selection: MediaSelection): AsyncIterable<StoredMediaRecord[]> {
    const alternatives: Filter[] = [];
    const inChunks = (field: string, ids: readonly string[] | undefined): void => {
      for (let i = 0; i < (ids?.length ?? 0); i += IN_CHUNK) alternatives.push({ [field]: { $in: ids!.slice(i, i + IN_CHUNK) } });
    };
    inChunks('messageId', selection.messageIds);
    inChunks('conversationId', selection.conversationIds);
    inChunks('contactId', selection.contactIds);
    if (selection.createdBefore) alternatives.push({ createdAt: { $lt: selection.createdBefore } });
    const filter: Filter = { tenantId, state: 'stored', ...(alternatives.length > 0 ? { $or: alternatives } : matchNothing()) };
    yield* scanByKey(this.docs, filter, ['createdAt']);
  }

  async listWriting(tenantId: string, before: Date, limit: number): Promise<StoredMediaRecord[]> {
    return this.docs.find({ tenantId, state: 'writing', createdAt: { $lt: before } }, { sort: [['createdAt', 1]], limit });
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.docs.deleteMany({ id, tenantId })) > 0;
  }

  async usage(tenantId: string): Promise<MediaUsage> {
    const usage: MediaUsage = { files: 0, bytes: 0, quarantined: 0 };
    // no aggregation in the storage contract: read by key, batch by batch (metrics read it rarely)
    for await (const batch of scanByKey(this.docs, { tenantId, state: 'stored' }, ['createdAt'])) {
      for (const r of batch) {
        usage.files++;
        usage.bytes += r.size;
        if (r.quarantine) usage.quarantined++;
      }
    }
    return usage;
  }
}

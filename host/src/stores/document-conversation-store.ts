/**
 * Conversations on the storage driver: one per tenant and address (a unique index), times that
 * only move forward, and counters updated atomically.
 * @module
 */
import type { Address, Conversation } from '@switchboard/core';
import type { Collection, CollectionSpec, Filter, StorageDriver, Update } from './driver.js';
import { compareAndSet, RETRY, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type ConversationStore, type Page } from './stores.js';

/** {@link ConversationStore} over any {@link StorageDriver}. */
export class DocumentConversationStore implements ConversationStore {
  /** The collection: unique on tenant + address; listed by time of last change, status, channel and contact. */
  static readonly spec: CollectionSpec = {
    name: 'conversations',
    fields: {
      tenantId: 'string', 'address.channel': 'string', 'address.accountId': 'string', 'address.userId': 'string',
      contactId: 'string', status: 'string', updatedAt: 'date',
      lastInboundAt: 'date', lastOutboundAt: 'date', firstResponseAt: 'date', outboundSinceInbound: 'number',
      // inbox search filters and finds by these
      tags: 'string', crmRef: 'string', 'assignee.kind': 'string', 'assignee.queue': 'string', 'assignee.agentId': 'string',
    },
    indexes: [
      { fields: ['tenantId', 'address.channel', 'address.accountId', 'address.userId'], unique: true },
      { fields: ['tenantId', 'updatedAt'] },
      { fields: ['tenantId', 'status', 'updatedAt'] },
      { fields: ['tenantId', 'contactId'] },
      { fields: ['tenantId', 'crmRef'] },
      { fields: ['tenantId', 'address.userId'] },
    ],
  };

  private readonly docs: Collection<Conversation>;
  private readonly now: () => number;

  /**
   * @param driver - the storage driver
   * @param options - the clock
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<Conversation>(DocumentConversationStore.spec);
    this.now = options.now ?? Date.now;
  }

  private static byAddress(tenantId: string, a: Address): Filter {
    return { tenantId, 'address.channel': a.channel, 'address.accountId': a.accountId, 'address.userId': a.userId };
  }

  async findOrCreate(tenantId: string, address: Address, create: () => Conversation): Promise<{ conversation: Conversation; created: boolean }> {
    const found = await this.findByAddress(tenantId, address);
    if (found) return { conversation: found, created: false };
    const conversation = create();
    // the caller's own record (the driver stored a copy of it)
    if (await this.docs.insert(conversation)) return { conversation, created: true };
    // another call (or process) created it between the read and the insert
    const winner = await this.findByAddress(tenantId, address);
    if (!winner) throw new Error(`conversation ${conversation.id} could not be created: its id is taken`);
    return { conversation: winner, created: false };
  }

  async get(tenantId: string, id: string): Promise<Conversation | undefined> {
    const c = await this.docs.get(id);
    return c?.tenantId === tenantId ? c : undefined;
  }

  async findByAddress(tenantId: string, address: Address): Promise<Conversation | undefined> {
    return this.docs.findOne(DocumentConversationStore.byAddress(tenantId, address));
  }

  async list(tenantId: string, filter: { status?: Conversation['status']; channel?: string; contactId?: string } & Page = {}): Promise<Conversation[]> {
    const { limit, offset } = pageOf(filter);
    return this.docs.find(
      { tenantId, status: filter.status, 'address.channel': filter.channel, contactId: filter.contactId },
      { sort: [['updatedAt', -1]], limit, offset },
    );
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Conversation, 'id' | 'tenantId'>>): Promise<Conversation | undefined> {
    // `$set` of undefined removes the field, as a patch to undefined means
    return this.docs.updateOne({ id, tenantId }, { $set: patch });
  }

  async recordInbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    const touch: Update = { $max: { updatedAt: new Date(this.now()) } };
    const moved = await this.docs.updateOne(
      { id, tenantId, $or: [{ lastInboundAt: null }, { lastInboundAt: { $lt: at } }] },
      { ...touch, $set: { lastInboundAt: at, outboundSinceInbound: 0 } },
    );
    return moved ?? this.docs.updateOne({ id, tenantId }, touch);
  }

  async recordOutbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    // the counter and the times are commutative ($inc, $max); only "first response once, after the
    // customer wrote" depends on what is stored, so that decision is a compare-and-set on the fields it read
    return compareAndSet(`conversation ${id}: recording an outbound message`, async () => {
      const c = await this.get(tenantId, id);
      if (!c) return undefined;
      const firstResponse = c.firstResponseAt === undefined && c.lastInboundAt !== undefined;
      const updated = await this.docs.updateOne(
        { id, tenantId, firstResponseAt: c.firstResponseAt ?? null, lastInboundAt: c.lastInboundAt ?? null },
        {
          $max: { lastOutboundAt: at, updatedAt: new Date(this.now()) },
          $inc: { outboundSinceInbound: 1 },
          ...(firstResponse ? { $set: { firstResponseAt: at } } : {}),
        },
      );
      return updated ?? RETRY;
    });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.docs.deleteMany({ id, tenantId })) > 0;
  }
}

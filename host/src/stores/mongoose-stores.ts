/**
 * The MongoDB stores (mongoose). Production runs a replica set; unique indexes make ingest
 * idempotent across host processes, and leases are taken by atomic `findOneAndUpdate`s.
 * @module
 */
import { advanceStatus, addressKey, type Address, type ConsentEntry, type Contact, type Conversation, type DeliveryStatus } from '@switchboard/core';
import mongoose, { type Connection, type Model } from 'mongoose';
import { createStoreSchemas } from './mongoose-schemas.js';
import {
  pageOf,
  type ConsentLedgerStore, type ContactStore, type ConversationStore, type DeadLetter, type DeadLetterStore, type HostMessage,
  type HostStores, type InboxEntry, type InboxStatus, type InboxStore, type MessageStore, type OutboxEntry, type OutboxStatus,
  type OutboxStore, type Page, type RecordMatch, type TimeRange,
  type RetryOptions,
} from './stores.js';
import { roundAmount, type AuditEntry, type AuditLogStore, type CostEntry, type CostLedgerStore, type CostTotal } from './ledger-stores.js';
import { ConflictError } from '../errors.js';

/** A stored record as the MongoDB stores read and write it (`_id` is the entity's id). */
export type StoredDocument = Record<string, unknown> & { _id: string };

const isDuplicateKey = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

/** Turns a lean document into an entity: `_id` → `id`, nulls and store-only fields dropped. */
function entity<T>(doc: unknown, drop: string[] = []): T {
  const { _id, ...rest } = doc as StoredDocument;
  const out: Record<string, unknown> = { id: _id };
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined && !drop.includes(k)) out[k] = v;
  return out as T;
}

function toDoc(value: { id: string } & object): StoredDocument {
  const { id, ...rest } = value as { id: string } & Record<string, unknown>;
  return { _id: id, ...rest };
}

const timeFilter = (field: string, r: Partial<TimeRange>): Record<string, unknown> => {
  const cond: Record<string, Date> = {};
  if (r.from) cond.$gte = r.from;
  if (r.to) cond.$lt = r.to;
  return Object.keys(cond).length > 0 ? { [field]: cond } : {};
};

/** The inbox query for {@link RecordMatch}: the event names an address (account when it has one) or an external id. */
function inboxMatch(match: RecordMatch): Record<string, unknown> {
  const or: Record<string, unknown>[] = match.addresses.map((a) => ({
    'event.channel': a.channel, 'event.userId': a.userId,
    $or: [{ 'event.accountId': a.accountId }, { 'event.accountId': { $exists: false } }, { 'event.accountId': null }],
  }));
  if (match.externalIds?.length) or.push({ 'event.externalId': { $in: match.externalIds } });
  return or.length > 0 ? { $or: or } : { _id: { $in: [] } };
}

const recipientMatch = (addresses: Address[]): Record<string, unknown> => (addresses.length > 0
  ? { $or: addresses.map((a) => ({ 'message.to.channel': a.channel, 'message.to.accountId': a.accountId, 'message.to.userId': a.userId })) }
  : { _id: { $in: [] } });

/** MongoDB {@link ConversationStore}. */
export class MongooseConversationStore implements ConversationStore {
  /** @param model - the conversation model */
  constructor(private readonly model: Model<StoredDocument>) {}

  private addressFilter(tenantId: string, a: Address): Record<string, unknown> {
    return { tenantId, 'address.channel': a.channel, 'address.accountId': a.accountId, 'address.userId': a.userId };
  }

  async findOrCreate(tenantId: string, address: Address, create: () => Conversation): Promise<{ conversation: Conversation; created: boolean }> {
    const found = await this.findByAddress(tenantId, address);
    if (found) return { conversation: found, created: false };
    const conversation = create();
    try {
      await this.model.create(toDoc(conversation));
      return { conversation, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // another process created it between our read and write
      const winner = await this.findByAddress(tenantId, address);
      if (!winner) throw error;
      return { conversation: winner, created: false };
    }
  }

  async get(tenantId: string, id: string): Promise<Conversation | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? entity<Conversation>(doc) : undefined;
  }

  async findByAddress(tenantId: string, address: Address): Promise<Conversation | undefined> {
    const doc = await this.model.findOne(this.addressFilter(tenantId, address)).lean();
    return doc ? entity<Conversation>(doc) : undefined;
  }

  async list(tenantId: string, filter: { status?: Conversation['status']; channel?: string; contactId?: string } & Page = {}): Promise<Conversation[]> {
    const { limit, offset } = pageOf(filter);
    const q: Record<string, unknown> = { tenantId };
    if (filter.status) q.status = filter.status;
    if (filter.channel) q['address.channel'] = filter.channel;
    if (filter.contactId) q.contactId = filter.contactId;
    const docs = await this.model.find(q).sort({ updatedAt: -1, _id: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<Conversation>(d));
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Conversation, 'id' | 'tenantId'>>): Promise<Conversation | undefined> {
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, 1> = {};
    for (const [k, v] of Object.entries(patch)) if (v === undefined) $unset[k] = 1; else $set[k] = v;
    const doc = await this.model.findOneAndUpdate({ _id: id, tenantId }, { $set, ...(Object.keys($unset).length ? { $unset } : {}) }, { returnDocument: 'after' }).lean();
    return doc ? entity<Conversation>(doc) : undefined;
  }

  async recordInbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    const doc = await this.model.findOneAndUpdate(
      { _id: id, tenantId, $or: [{ lastInboundAt: { $exists: false } }, { lastInboundAt: null }, { lastInboundAt: { $lt: at } }] },
      { $set: { lastInboundAt: at, outboundSinceInbound: 0 }, $max: { updatedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean();
    return doc ? entity<Conversation>(doc) : this.get(tenantId, id);
  }

  async recordOutbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    // one atomic pipeline update: max for lastOutboundAt, set-once for firstResponseAt (only after
    // the customer wrote), and a counter
    const doc = await this.model.findOneAndUpdate(
      { _id: id, tenantId },
      [{
        $set: {
          lastOutboundAt: { $max: ['$lastOutboundAt', at] },
          firstResponseAt: { $cond: [{ $and: [{ $not: ['$firstResponseAt'] }, { $gt: ['$lastInboundAt', null] }] }, at, '$firstResponseAt'] },
          outboundSinceInbound: { $add: [{ $ifNull: ['$outboundSinceInbound', 0] }, 1] },
          updatedAt: { $max: ['$updatedAt', new Date()] },
        },
      }],
      { returnDocument: 'after', updatePipeline: true },
    ).lean();
    return doc ? entity<Conversation>(doc) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: id, tenantId })).deletedCount > 0;
  }
}

/** MongoDB {@link MessageStore}. */
export class MongooseMessageStore implements MessageStore {
  /** @param model - the message model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async insert(message: HostMessage): Promise<{ message: HostMessage; inserted: boolean }> {
    try {
      await this.model.create(toDoc(message));
      return { message, inserted: true };
    } catch (error) {
      if (!isDuplicateKey(error) || message.externalId === undefined) throw error;
      const existing = await this.findByExternalId(message.tenantId, message, message.externalId, message.direction);
      if (!existing) throw error;
      return { message: existing, inserted: false };
    }
  }

  async get(tenantId: string, id: string): Promise<HostMessage | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? entity<HostMessage>(doc) : undefined;
  }

  async findByExternalId(tenantId: string, address: { channel: string; accountId: string; userId?: string }, externalId: string, direction?: HostMessage['direction']): Promise<HostMessage | undefined> {
    const base = { tenantId, channel: address.channel, accountId: address.accountId, ...(address.userId !== undefined ? { userId: address.userId } : {}) };
    for (const d of direction ? [direction] : (['outbound', 'inbound'] as const)) {
      const doc = await this.model.findOne({ ...base, direction: d, externalId }).sort({ createdAt: -1 }).lean();
      if (doc) return entity<HostMessage>(doc);
    }
    if (!direction || direction === 'outbound') {
      const doc = await this.model.findOne({ ...base, partIds: externalId }).lean();
      if (doc) return entity<HostMessage>(doc);
    }
    return undefined;
  }

  async listByConversation(tenantId: string, conversationId: string, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId, conversationId }).sort({ timestamp: 1, createdAt: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<HostMessage>(d));
  }

  async applyStatus(tenantId: string, id: string, status: DeliveryStatus, at: Date, error?: { code: string; message: string }): Promise<{ message: HostMessage; changed: boolean } | undefined> {
    // compare-and-set on the status read: a concurrent receipt makes us re-read and re-decide
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.get(tenantId, id);
      if (!current) return undefined;
      const next = advanceStatus(current.status, status);
      if (next === current.status) return { message: current, changed: false };
      const $set: Record<string, unknown> = { status: next, updatedAt: new Date() };
      if (next === 'failed' && error) $set.error = error;
      const doc = await this.model.findOneAndUpdate(
        { _id: id, tenantId, status: current.status },
        { $set, $push: { statusHistory: { status: next, at } } },
        { returnDocument: 'after' },
      ).lean();
      if (doc) return { message: entity<HostMessage>(doc), changed: true };
    }
    throw new Error(`could not apply status ${status} to message ${id}: too much contention`);
  }

  async update(tenantId: string, id: string, patch: Partial<Pick<HostMessage, 'externalId' | 'rendering' | 'price' | 'partIds' | 'error' | 'form'>>): Promise<HostMessage | undefined> {
    const doc = await this.model.findOneAndUpdate({ _id: id, tenantId }, { $set: { ...patch, updatedAt: new Date() } }, { returnDocument: 'after' }).lean();
    return doc ? entity<HostMessage>(doc) : undefined;
  }

  async listByStatus(tenantId: string, status: DeliveryStatus, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId, status }).sort({ createdAt: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<HostMessage>(d));
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId, ...timeFilter('timestamp', range) }).sort({ timestamp: 1, createdAt: 1, _id: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<HostMessage>(d));
  }

  async deleteByConversation(tenantId: string, conversationId: string): Promise<number> {
    return (await this.model.deleteMany({ tenantId, conversationId })).deletedCount;
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    return (await this.model.deleteMany({
      tenantId, timestamp: { $lt: before }, $nor: [{ direction: 'outbound', status: { $in: ['accepted', 'queued'] } }],
    })).deletedCount;
  }
}

/** MongoDB {@link ContactStore}. */
export class MongooseContactStore implements ContactStore {
  /** @param model - the contact model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async findOrCreateByAddress(tenantId: string, address: Address, create: () => Contact): Promise<{ contact: Contact; created: boolean }> {
    const key = addressKey(address);
    const found = await this.model.findOne({ tenantId, addressKeys: key }).lean();
    if (found) return { contact: entity<Contact>(found, ['addressKeys']), created: false };
    const contact = create();
    try {
      await this.model.create({ ...toDoc(contact), addressKeys: [...new Set([key, ...contact.addresses.map(addressKey)])] });
      return { contact, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.model.findOne({ tenantId, addressKeys: key }).lean();
      if (!winner) throw error;
      return { contact: entity<Contact>(winner, ['addressKeys']), created: false };
    }
  }

  async findByAddress(tenantId: string, address: Address): Promise<Contact | undefined> {
    const doc = await this.model.findOne({ tenantId, addressKeys: addressKey(address) }).lean();
    return doc ? entity<Contact>(doc, ['addressKeys']) : undefined;
  }

  async addAddress(tenantId: string, contactId: string, address: Address): Promise<Contact | undefined> {
    const key = addressKey(address);
    try {
      // the unique (tenant, address key) index makes the push atomic against a concurrent owner
      const doc = await this.model.findOneAndUpdate(
        { _id: contactId, tenantId, addressKeys: { $ne: key } },
        { $push: { addresses: address, addressKeys: key }, $set: { updatedAt: new Date() } },
        { returnDocument: 'after' },
      ).lean();
      if (doc) return entity<Contact>(doc, ['addressKeys']);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const owner = await this.model.findOne({ tenantId, addressKeys: key }).lean();
      throw new ConflictError('the address belongs to another contact', { contactId: owner ? String(owner._id) : '(unknown)' });
    }
    return this.get(tenantId, contactId); // already linked, or no such contact
  }

  async get(tenantId: string, id: string): Promise<Contact | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? entity<Contact>(doc, ['addressKeys']) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<Contact[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId }).sort({ createdAt: 1, _id: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<Contact>(d, ['addressKeys']));
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Contact, 'id' | 'tenantId' | 'addresses'>>): Promise<Contact | undefined> {
    const doc = await this.model.findOneAndUpdate({ _id: id, tenantId }, { $set: patch }, { returnDocument: 'after' }).lean();
    return doc ? entity<Contact>(doc, ['addressKeys']) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.model.deleteOne({ _id: id, tenantId })).deletedCount > 0;
  }
}

let consentSeq = 0;

/** MongoDB {@link ConsentLedgerStore}. */
export class MongooseConsentLedgerStore implements ConsentLedgerStore {
  /** @param model - the ledger model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async append(entry: ConsentEntry): Promise<void> {
    try {
      // seq keeps ledger order for entries with the same timestamp
      await this.model.create({ ...toDoc(entry), seq: Date.now() * 1000 + (consentSeq++ % 1000) });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async listByContact(tenantId: string, contactId: string): Promise<ConsentEntry[]> {
    const docs = await this.model.find({ tenantId, contactId }).sort({ at: 1, seq: 1 }).lean();
    return docs.map((d) => entity<ConsentEntry>(d, ['seq']));
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<ConsentEntry[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId, ...timeFilter('at', range) }).sort({ at: 1, seq: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<ConsentEntry>(d, ['seq']));
  }

  async redactContact(tenantId: string, contactId: string, redact: (entry: ConsentEntry) => ConsentEntry): Promise<number> {
    const docs = await this.model.find({ tenantId, contactId }).lean();
    let n = 0;
    for (const doc of docs) {
      const redacted = redact(entity<ConsentEntry>(doc, ['seq']));
      // same _id and seq: the proof keeps its place in the ledger
      const { _id: _ignored, ...rest } = toDoc({ ...redacted, id: doc._id, tenantId } as ConsentEntry);
      const result = await this.model.replaceOne({ _id: doc._id, tenantId, contactId }, { ...rest, seq: (doc as StoredDocument).seq });
      n += result.modifiedCount;
    }
    return n;
  }
}

/** MongoDB {@link InboxStore}. */
export class MongooseInboxStore implements InboxStore {
  /** @param model - the inbox model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async add(entries: InboxEntry[]): Promise<{ inserted: InboxEntry[]; duplicates: number }> {
    const inserted: InboxEntry[] = [];
    let duplicates = 0;
    for (const e of entries) {
      try {
        await this.model.create({ ...toDoc(e), notBefore: e.notBefore ?? e.receivedAt });
        inserted.push(e);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        duplicates++;
      }
    }
    return { inserted, duplicates };
  }

  async claim(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<InboxEntry[]> {
    const claimed: InboxEntry[] = [];
    const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
    for (let i = 0; i < options.limit; i++) {
      const doc = await this.model.findOneAndUpdate(
        { tenantId: options.tenantId, $or: [{ status: 'pending', notBefore: { $lte: options.now } }, { status: 'processing', leaseUntil: { $lt: options.now } }] },
        { $set: { status: 'processing', leaseOwner: options.owner, leaseUntil }, $inc: { attempts: 1 } },
        { sort: { receivedAt: 1 }, returnDocument: 'after' },
      ).lean();
      if (!doc) break;
      claimed.push(entity<InboxEntry>(doc));
    }
    return claimed;
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    await this.model.updateOne({ _id: id, leaseOwner: owner }, { $set: { status: 'done', processedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }

  async fail(id: string, owner: string, error: string, retryAt: Date | undefined): Promise<void> {
    const $set: Record<string, unknown> = retryAt ? { status: 'pending', notBefore: retryAt, lastError: error } : { status: 'failed', lastError: error };
    await this.model.updateOne({ _id: id, leaseOwner: owner }, { $set, $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }

  async get(id: string): Promise<InboxEntry | undefined> {
    const doc = await this.model.findOne({ _id: id }).lean();
    return doc ? entity<InboxEntry>(doc) : undefined;
  }

  async counts(tenantId: string): Promise<Record<InboxStatus, number>> {
    const counts: Record<InboxStatus, number> = { pending: 0, processing: 0, done: 0, failed: 0 };
    const rows = await this.model.aggregate<{ _id: InboxStatus; n: number }>([{ $match: { tenantId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
    for (const r of rows) counts[r._id] = r.n;
    return counts;
  }

  async listMatching(tenantId: string, match: RecordMatch): Promise<InboxEntry[]> {
    const docs = await this.model.find({ tenantId, ...inboxMatch(match) }).sort({ receivedAt: 1 }).lean();
    return docs.map((d) => entity<InboxEntry>(d));
  }

  async deleteMatching(tenantId: string, match: RecordMatch): Promise<number> {
    return (await this.model.deleteMany({ tenantId, ...inboxMatch(match) })).deletedCount;
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    return (await this.model.deleteMany({ tenantId, status: { $in: ['done', 'failed'] }, receivedAt: { $lt: before } })).deletedCount;
  }
}

/** MongoDB {@link OutboxStore}. */
export class MongooseOutboxStore implements OutboxStore {
  /** @param model - the outbox model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async enqueue(entry: OutboxEntry): Promise<void> {
    await this.model.create(toDoc(entry));
  }

  async lease(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date; channel?: string; account?: string }): Promise<OutboxEntry[]> {
    const leased: OutboxEntry[] = [];
    const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
    const scope: Record<string, unknown> = { tenantId: options.tenantId };
    if (options.channel) scope.channel = options.channel;
    if (options.account) scope.account = options.account;
    for (let i = 0; i < options.limit; i++) {
      const doc = await this.model.findOneAndUpdate(
        { ...scope, $or: [{ status: 'pending', notBefore: { $lte: options.now } }, { status: 'leased', leaseUntil: { $lt: options.now } }] },
        { $set: { status: 'leased', leaseOwner: options.owner, leaseUntil, updatedAt: options.now }, $inc: { attempts: 1 } },
        { sort: { notBefore: 1, createdAt: 1, _id: 1 }, returnDocument: 'after' },
      ).lean();
      if (!doc) break;
      leased.push(entity<OutboxEntry>(doc));
    }
    return leased;
  }

  private async owned(id: string, owner: string, update: Record<string, unknown>): Promise<boolean> {
    const res = await this.model.updateOne({ _id: id, status: 'leased', leaseOwner: owner }, update);
    return res.modifiedCount === 1;
  }

  async renew(id: string, owner: string, leaseUntil: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { leaseUntil } });
  }

  async complete(id: string, owner: string, now: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { status: 'sent', updatedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }

  async retry(id: string, owner: string, notBefore: Date, error: { code: string; message: string }, now: Date, options: RetryOptions = {}): Promise<boolean> {
    return this.owned(id, owner, {
      $set: { status: 'pending', notBefore, lastError: error, updatedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 },
      ...(options.attempted === false ? { $inc: { attempts: -1 } } : {}),
    });
  }

  async fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean> {
    return this.owned(id, owner, { $set: { status: 'failed', lastError: error, updatedAt: now }, $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }

  async get(tenantId: string, id: string): Promise<OutboxEntry | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? entity<OutboxEntry>(doc) : undefined;
  }

  async firstOpenBefore(entry: OutboxEntry): Promise<OutboxEntry | undefined> {
    const doc = await this.model.findOne({
      tenantId: entry.tenantId, channel: entry.channel, account: entry.account, 'message.to.userId': entry.message.to.userId,
      status: { $in: ['pending', 'leased'] },
      $or: [{ createdAt: { $lt: entry.createdAt } }, { createdAt: entry.createdAt, _id: { $lt: entry.id } }],
    }).sort({ createdAt: 1, _id: 1 }).lean();
    return doc ? entity<OutboxEntry>(doc) : undefined;
  }

  async findByMessage(tenantId: string, messageId: string): Promise<OutboxEntry | undefined> {
    const doc = await this.model.findOne({ tenantId, messageId }).lean();
    return doc ? entity<OutboxEntry>(doc) : undefined;
  }

  async list(tenantId: string, filter: { status?: OutboxStatus } & Page = {}): Promise<OutboxEntry[]> {
    const { limit, offset } = pageOf(filter);
    const q: Record<string, unknown> = { tenantId };
    if (filter.status) q.status = filter.status;
    const docs = await this.model.find(q).sort({ createdAt: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<OutboxEntry>(d));
  }

  async counts(tenantId: string): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, leased: 0, sent: 0, failed: 0, cancelled: 0 };
    const rows = await this.model.aggregate<{ _id: OutboxStatus; n: number }>([{ $match: { tenantId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
    for (const r of rows) counts[r._id] = r.n;
    return counts;
  }

  async listByRecipient(tenantId: string, addresses: Address[]): Promise<OutboxEntry[]> {
    const docs = await this.model.find({ tenantId, ...recipientMatch(addresses) }).sort({ createdAt: 1 }).lean();
    return docs.map((d) => entity<OutboxEntry>(d));
  }

  async deleteByRecipient(tenantId: string, addresses: Address[]): Promise<number> {
    return (await this.model.deleteMany({ tenantId, ...recipientMatch(addresses) })).deletedCount;
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    return (await this.model.deleteMany({ tenantId, status: { $in: ['sent', 'failed', 'cancelled'] }, updatedAt: { $lt: before } })).deletedCount;
  }
}

/** MongoDB {@link DeadLetterStore}. */
export class MongooseDeadLetterStore implements DeadLetterStore {
  /** @param model - the dead-letter model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async add(letter: DeadLetter): Promise<void> {
    await this.model.create(toDoc(letter));
  }

  async get(tenantId: string, id: string): Promise<DeadLetter | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? entity<DeadLetter>(doc) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<DeadLetter[]> {
    const { limit, offset } = pageOf(page);
    const docs = await this.model.find({ tenantId }).sort({ receivedAt: -1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<DeadLetter>(d));
  }

  async delete(tenantId: string, ids: string[]): Promise<number> {
    return (await this.model.deleteMany({ tenantId, _id: { $in: ids } })).deletedCount;
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    return (await this.model.deleteMany({ tenantId, receivedAt: { $lt: before } })).deletedCount;
  }
}

/** MongoDB {@link AuditLogStore}. */
export class MongooseAuditLogStore implements AuditLogStore {
  /** @param model - the audit model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.model.create(toDoc(entry));
  }

  async list(tenantId: string, filter: Partial<TimeRange> & { contactId?: string; conversationId?: string } & Page = {}): Promise<AuditEntry[]> {
    const { limit, offset } = pageOf(filter);
    const q: Record<string, unknown> = { tenantId, ...timeFilter('at', filter) };
    if (filter.contactId) q.contactIds = filter.contactId;
    if (filter.conversationId) q.conversationIds = filter.conversationId;
    const docs = await this.model.find(q).sort({ at: -1, _id: -1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<AuditEntry>(d));
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    const ids = Object.keys(replacements);
    if (ids.length === 0) return 0;
    const docs = await this.model.find({ tenantId, $or: [{ contactIds: { $in: ids } }, { conversationIds: { $in: ids } }] }).lean();
    let n = 0;
    for (const doc of docs) {
      const e = entity<AuditEntry>(doc);
      const swap = (list: string[]): string[] => list.map((id) => replacements[id] ?? id);
      const path = e.path.split('/').map((seg) => replacements[seg] ?? seg).join('/');
      n += (await this.model.updateOne({ _id: doc._id, tenantId }, { $set: { contactIds: swap(e.contactIds), conversationIds: swap(e.conversationIds), path } })).modifiedCount;
    }
    return n;
  }
}

/** MongoDB {@link CostLedgerStore}. */
export class MongooseCostLedgerStore implements CostLedgerStore {
  /** @param model - the cost model */
  constructor(private readonly model: Model<StoredDocument>) {}

  async record(entry: CostEntry): Promise<boolean> {
    try {
      await this.model.create(toDoc(entry));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async list(tenantId: string, filter: TimeRange & { channel?: string } & Page): Promise<CostEntry[]> {
    const { limit, offset } = pageOf(filter);
    const q: Record<string, unknown> = { tenantId, ...timeFilter('at', filter) };
    if (filter.channel) q.channel = filter.channel;
    const docs = await this.model.find(q).sort({ at: 1, _id: 1 }).skip(offset).limit(limit).lean();
    return docs.map((d) => entity<CostEntry>(d));
  }

  async totals(tenantId: string, range: TimeRange): Promise<CostTotal[]> {
    const rows = await this.model.aggregate<{ _id: { channel: string; category: CostTotal['category']; currency: string }; messages: number; amount: number }>([
      { $match: { tenantId, ...timeFilter('at', range) } },
      { $group: { _id: { channel: '$channel', category: '$category', currency: '$currency' }, messages: { $sum: 1 }, amount: { $sum: '$amount' } } },
    ]);
    return rows.map((r) => ({ ...r._id, messages: r.messages, amount: roundAmount(r.amount) }))
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.category.localeCompare(b.category) || a.currency.localeCompare(b.currency));
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    const ids = Object.keys(replacements);
    if (ids.length === 0) return 0;
    const docs = await this.model.find({ tenantId, $or: [{ messageId: { $in: ids } }, { conversationId: { $in: ids } }] }).lean();
    let n = 0;
    for (const doc of docs) {
      const e = entity<CostEntry>(doc);
      n += (await this.model.updateOne({ _id: doc._id, tenantId }, {
        $set: { messageId: replacements[e.messageId] ?? e.messageId, conversationId: replacements[e.conversationId] ?? e.conversationId },
      })).modifiedCount;
    }
    return n;
  }
}

/** Every MongoDB store over one mongoose connection. */
export class MongooseStores implements HostStores {
  readonly kind = 'mongodb' as const;
  readonly conversations: MongooseConversationStore;
  readonly messages: MongooseMessageStore;
  readonly contacts: MongooseContactStore;
  readonly consent: MongooseConsentLedgerStore;
  readonly inbox: MongooseInboxStore;
  readonly outbox: MongooseOutboxStore;
  readonly deadLetters: MongooseDeadLetterStore;
  readonly audit: MongooseAuditLogStore;
  readonly costs: MongooseCostLedgerStore;

  /** @param connection - an open (or opening) mongoose connection */
  constructor(readonly connection: Connection) {
    const s = createStoreSchemas();
    const model = (name: string, schema: mongoose.Schema): Model<StoredDocument> => connection.model<StoredDocument>(name, schema);
    this.conversations = new MongooseConversationStore(model('Conversation', s.conversation));
    this.messages = new MongooseMessageStore(model('Message', s.message));
    this.contacts = new MongooseContactStore(model('Contact', s.contact));
    this.consent = new MongooseConsentLedgerStore(model('ConsentEntry', s.consent));
    this.inbox = new MongooseInboxStore(model('InboxEntry', s.inbox));
    this.outbox = new MongooseOutboxStore(model('OutboxEntry', s.outbox));
    this.deadLetters = new MongooseDeadLetterStore(model('DeadLetter', s.deadLetter));
    this.audit = new MongooseAuditLogStore(model('AuditEntry', s.audit));
    this.costs = new MongooseCostLedgerStore(model('CostEntry', s.cost));
  }

  /**
   * Connects and makes sure every index exists (the unique ones carry idempotency).
   * @param uri - a MongoDB connection string
   * @param options - database name override
   * @returns the connected stores
   */
  static async connect(uri: string, options: { dbName?: string } = {}): Promise<MongooseStores> {
    const connection = mongoose.createConnection(uri, {
      ignoreUndefined: true, serverSelectionTimeoutMS: 5_000, autoIndex: false,
      ...(options.dbName ? { dbName: options.dbName } : {}),
    });
    await connection.asPromise();
    const stores = new MongooseStores(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.createIndexes()));
    return stores;
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    await db.admin().ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

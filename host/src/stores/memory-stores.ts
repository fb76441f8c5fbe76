/**
 * The embedded in-memory stores: the default, and the sandbox's. Values are cloned in and out so
 * callers can never mutate stored state by accident (as with a real database).
 * @module
 */
import { addressKey, advanceStatus, type Address, type ConsentEntry, type Contact, type Conversation, type DeliveryStatus } from '@switchboard/core';
import {
  pageOf,
  type ConsentLedgerStore, type ContactStore, type ConversationStore, type DeadLetter, type DeadLetterStore, type HostMessage,
  type HostStores, type InboxEntry, type InboxStatus, type InboxStore, type MessageStore, type OutboxEntry, type OutboxStatus,
  type OutboxStore, type Page, type RecordMatch, type TimeRange,
  type RetryOptions,
} from './stores.js';
import { roundAmount, type AuditEntry, type AuditLogStore, type CostEntry, type CostLedgerStore, type CostTotal } from './ledger-stores.js';
import { ConflictError } from '../errors.js';

/**
 * A deep copy. Stored records are plain data (objects, arrays, dates, strings, numbers): those are
 * copied directly, which is several times faster than `structuredClone` on the small records the
 * ingest path writes and reads a few times per message; anything else (a Buffer, a Map) takes
 * `structuredClone`.
 */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(clone) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key]);
  return out as T;
}
const slice = <T>(items: T[], page: Page | undefined): T[] => {
  const { limit, offset } = pageOf(page);
  return items.slice(offset, offset + limit);
};
const within = (d: Date, r: Partial<TimeRange>): boolean => (r.from === undefined || d.getTime() >= r.from.getTime()) && (r.to === undefined || d.getTime() < r.to.getTime());
const sameAddress = (a: Address, b: Address): boolean => a.channel === b.channel && a.accountId === b.accountId && a.userId === b.userId;
/** Whether an inbound event belongs to one of the addresses (an event without an account matches on channel and user). */
const eventMatches = (event: InboxEntry['event'], match: RecordMatch): boolean => {
  const e = event as { channel: string; accountId?: string; userId?: string; externalId?: string };
  if (e.externalId !== undefined && match.externalIds?.includes(e.externalId)) return true;
  return e.userId !== undefined && match.addresses.some((a) => a.channel === e.channel && a.userId === e.userId && (e.accountId === undefined || a.accountId === e.accountId));
};

/** In-memory {@link ConversationStore}. */
export class MemoryConversationStore implements ConversationStore {
  private readonly byId = new Map<string, Conversation>();
  private readonly byAddress = new Map<string, string>();

  /** Every record (for snapshots). */
  all(): Conversation[] {
    return [...this.byId.values()].map(clone);
  }

  async findOrCreate(tenantId: string, address: Address, create: () => Conversation): Promise<{ conversation: Conversation; created: boolean }> {
    const key = `${tenantId}|${addressKey(address)}`;
    const existing = this.byAddress.get(key);
    if (existing) return { conversation: clone(this.byId.get(existing)!), created: false };
    const conversation = create();
    this.byId.set(conversation.id, clone(conversation));
    this.byAddress.set(key, conversation.id);
    return { conversation: clone(conversation), created: true };
  }

  async get(tenantId: string, id: string): Promise<Conversation | undefined> {
    const c = this.byId.get(id);
    return c && c.tenantId === tenantId ? clone(c) : undefined;
  }

  async findByAddress(tenantId: string, address: Address): Promise<Conversation | undefined> {
    const id = this.byAddress.get(`${tenantId}|${addressKey(address)}`);
    return id ? this.get(tenantId, id) : undefined;
  }

  async list(tenantId: string, filter: { status?: Conversation['status']; channel?: string; contactId?: string } & Page = {}): Promise<Conversation[]> {
    const all = [...this.byId.values()]
      .filter((c) => c.tenantId === tenantId
        && (filter.status === undefined || c.status === filter.status)
        && (filter.channel === undefined || c.address.channel === filter.channel)
        && (filter.contactId === undefined || c.contactId === filter.contactId))
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.id.localeCompare(b.id));
    return slice(all, filter).map(clone);
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Conversation, 'id' | 'tenantId'>>): Promise<Conversation | undefined> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return undefined;
    const next = { ...c, ...clone(patch) } as Conversation;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (next as unknown as Record<string, unknown>)[k];
    this.byId.set(id, next);
    return clone(next);
  }

  async recordInbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return undefined;
    if (!c.lastInboundAt || c.lastInboundAt.getTime() < at.getTime()) {
      c.lastInboundAt = new Date(at);
      c.outboundSinceInbound = 0;
    }
    c.updatedAt = new Date(Math.max(c.updatedAt.getTime(), Date.now()));
    return clone(c);
  }

  async recordOutbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return undefined;
    if (!c.lastOutboundAt || c.lastOutboundAt.getTime() < at.getTime()) c.lastOutboundAt = new Date(at);
    if (!c.firstResponseAt && c.lastInboundAt) c.firstResponseAt = new Date(at);
    c.outboundSinceInbound = (c.outboundSinceInbound ?? 0) + 1;
    c.updatedAt = new Date(Math.max(c.updatedAt.getTime(), Date.now()));
    return clone(c);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return false;
    this.byId.delete(id);
    this.byAddress.delete(`${tenantId}|${addressKey(c.address)}`);
    return true;
  }
}

/** In-memory {@link MessageStore}. */
export class MemoryMessageStore implements MessageStore {
  private readonly byId = new Map<string, HostMessage>();
  private readonly byExternal = new Map<string, string>();
  private readonly byConversation = new Map<string, string[]>();

  /** Every record (for snapshots). */
  all(): HostMessage[] {
    return [...this.byId.values()].map(clone);
  }

  /**
   * Platform ids are unique per (account, customer) — Telegram numbers messages per chat — so the
   * customer is part of the key; a second index without the customer serves lookups that do not
   * know them (receipts of platforms whose ids are unique per account).
   */
  private static externalKey(m: { tenantId: string; channel: string; accountId: string; userId?: string; direction: string; externalId: string }): string {
    return `${m.tenantId}|${m.channel}|${m.accountId}|${m.userId ?? ''}|${m.direction}|${m.externalId}`;
  }

  private static anyUserKey(m: { tenantId: string; channel: string; accountId: string; direction: string; externalId: string }): string {
    return `${m.tenantId}|${m.channel}|${m.accountId}|${m.direction}|${m.externalId}`;
  }

  /** Latest message per external id whoever the customer (see {@link externalKey}). */
  private readonly byExternalAnyUser = new Map<string, string>();

  private indexExternal(m: HostMessage, externalId: string): void {
    this.byExternal.set(MemoryMessageStore.externalKey({ ...m, externalId }), m.id);
    this.byExternalAnyUser.set(MemoryMessageStore.anyUserKey({ ...m, externalId }), m.id);
  }

  private unindexExternal(m: HostMessage, externalId: string): void {
    this.byExternal.delete(MemoryMessageStore.externalKey({ ...m, externalId }));
    const any = MemoryMessageStore.anyUserKey({ ...m, externalId });
    if (this.byExternalAnyUser.get(any) === m.id) this.byExternalAnyUser.delete(any);
  }

  async insert(message: HostMessage): Promise<{ message: HostMessage; inserted: boolean }> {
    if (message.externalId !== undefined) {
      const existing = this.byExternal.get(MemoryMessageStore.externalKey({ ...message, externalId: message.externalId }));
      if (existing) return { message: clone(this.byId.get(existing)!), inserted: false };
      this.indexExternal(message, message.externalId);
    }
    this.byId.set(message.id, clone(message));
    const list = this.byConversation.get(message.conversationId) ?? [];
    list.push(message.id);
    this.byConversation.set(message.conversationId, list);
    return { message: clone(message), inserted: true };
  }

  async get(tenantId: string, id: string): Promise<HostMessage | undefined> {
    const m = this.byId.get(id);
    return m && m.tenantId === tenantId ? clone(m) : undefined;
  }

  async findByExternalId(tenantId: string, address: { channel: string; accountId: string; userId?: string }, externalId: string, direction?: HostMessage['direction']): Promise<HostMessage | undefined> {
    const { channel, accountId } = address;
    for (const d of direction ? [direction] : (['outbound', 'inbound'] as const)) {
      const id = address.userId !== undefined
        ? this.byExternal.get(MemoryMessageStore.externalKey({ tenantId, channel, accountId, userId: address.userId, direction: d, externalId }))
        : this.byExternalAnyUser.get(MemoryMessageStore.anyUserKey({ tenantId, channel, accountId, direction: d, externalId }));
      if (id) return clone(this.byId.get(id)!);
    }
    // split messages: a receipt may name a later part
    if (!direction || direction === 'outbound') {
      for (const m of this.byId.values()) {
        if (m.tenantId === tenantId && m.channel === channel && m.accountId === accountId && m.direction === 'outbound' && m.partIds?.includes(externalId)) return clone(m);
      }
    }
    return undefined;
  }

  async listByConversation(tenantId: string, conversationId: string, page?: Page): Promise<HostMessage[]> {
    const ids = this.byConversation.get(conversationId) ?? [];
    const list = ids.map((id) => this.byId.get(id)!).filter((m) => m.tenantId === tenantId)
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.createdAt.getTime() - b.createdAt.getTime());
    return slice(list, page).map(clone);
  }

  async applyStatus(tenantId: string, id: string, status: DeliveryStatus, at: Date, error?: { code: string; message: string }): Promise<{ message: HostMessage; changed: boolean } | undefined> {
    const m = this.byId.get(id);
    if (!m || m.tenantId !== tenantId) return undefined;
    const next = advanceStatus(m.status, status);
    if (next === m.status) return { message: clone(m), changed: false };
    m.status = next;
    m.updatedAt = new Date();
    m.statusHistory = [...(m.statusHistory ?? []), { status: next, at: new Date(at) }];
    if (next === 'failed' && error) m.error = { ...error };
    return { message: clone(m), changed: true };
  }

  async update(tenantId: string, id: string, patch: Partial<Pick<HostMessage, 'externalId' | 'rendering' | 'price' | 'partIds' | 'error' | 'form'>>): Promise<HostMessage | undefined> {
    const m = this.byId.get(id);
    if (!m || m.tenantId !== tenantId) return undefined;
    if (patch.externalId !== undefined && patch.externalId !== m.externalId) {
      const key = MemoryMessageStore.externalKey({ ...m, externalId: patch.externalId });
      const other = this.byExternal.get(key);
      if (other && other !== id) throw new Error(`external id ${patch.externalId} already belongs to message ${other}`);
      if (m.externalId !== undefined) this.unindexExternal(m, m.externalId);
      this.indexExternal(m, patch.externalId);
    }
    Object.assign(m, clone(patch), { updatedAt: new Date() });
    return clone(m);
  }

  async listByStatus(tenantId: string, status: DeliveryStatus, page?: Page): Promise<HostMessage[]> {
    const list = [...this.byId.values()].filter((m) => m.tenantId === tenantId && m.status === status)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return slice(list, page).map(clone);
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<HostMessage[]> {
    const list = [...this.byId.values()].filter((m) => m.tenantId === tenantId && within(m.timestamp, range))
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return slice(list, page).map(clone);
  }

  private remove(m: HostMessage): void {
    this.byId.delete(m.id);
    if (m.externalId !== undefined) this.unindexExternal(m, m.externalId);
    const ids = this.byConversation.get(m.conversationId);
    if (ids) {
      const rest = ids.filter((x) => x !== m.id);
      if (rest.length > 0) this.byConversation.set(m.conversationId, rest); else this.byConversation.delete(m.conversationId);
    }
  }

  async deleteByConversation(tenantId: string, conversationId: string): Promise<number> {
    const doomed = (this.byConversation.get(conversationId) ?? []).map((id) => this.byId.get(id)!).filter((m) => m.tenantId === tenantId);
    for (const m of doomed) this.remove(m);
    return doomed.length;
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    const doomed = [...this.byId.values()].filter((m) => m.tenantId === tenantId && m.timestamp.getTime() < before.getTime()
      && !(m.direction === 'outbound' && (m.status === 'accepted' || m.status === 'queued')));
    for (const m of doomed) this.remove(m);
    return doomed.length;
  }
}

/** In-memory {@link ContactStore}. */
export class MemoryContactStore implements ContactStore {
  private readonly byId = new Map<string, Contact>();
  private readonly byAddress = new Map<string, string>();

  /** Every record (for snapshots). */
  all(): Contact[] {
    return [...this.byId.values()].map(clone);
  }

  async findOrCreateByAddress(tenantId: string, address: Address, create: () => Contact): Promise<{ contact: Contact; created: boolean }> {
    const key = `${tenantId}|${addressKey(address)}`;
    const existing = this.byAddress.get(key);
    if (existing) return { contact: clone(this.byId.get(existing)!), created: false };
    const contact = create();
    this.byId.set(contact.id, clone(contact));
    for (const a of contact.addresses) this.byAddress.set(`${tenantId}|${addressKey(a)}`, contact.id);
    this.byAddress.set(key, contact.id);
    return { contact: clone(contact), created: true };
  }

  async findByAddress(tenantId: string, address: Address): Promise<Contact | undefined> {
    const id = this.byAddress.get(`${tenantId}|${addressKey(address)}`);
    return id ? clone(this.byId.get(id)!) : undefined;
  }

  async addAddress(tenantId: string, contactId: string, address: Address): Promise<Contact | undefined> {
    const c = this.byId.get(contactId);
    if (!c || c.tenantId !== tenantId) return undefined;
    const key = `${tenantId}|${addressKey(address)}`;
    const owner = this.byAddress.get(key);
    if (owner !== undefined && owner !== contactId) throw new ConflictError('the address belongs to another contact', { contactId: owner });
    if (owner === undefined) {
      this.byAddress.set(key, contactId);
      c.addresses.push({ ...address });
      c.updatedAt = new Date();
    }
    return clone(c);
  }

  async get(tenantId: string, id: string): Promise<Contact | undefined> {
    const c = this.byId.get(id);
    return c && c.tenantId === tenantId ? clone(c) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<Contact[]> {
    const list = [...this.byId.values()].filter((c) => c.tenantId === tenantId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    return slice(list, page).map(clone);
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<Contact, 'id' | 'tenantId' | 'addresses'>>): Promise<Contact | undefined> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return undefined;
    Object.assign(c, clone(patch));
    return clone(c);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const c = this.byId.get(id);
    if (!c || c.tenantId !== tenantId) return false;
    this.byId.delete(id);
    for (const [key, owner] of this.byAddress) if (owner === id) this.byAddress.delete(key);
    return true;
  }
}

/** In-memory {@link ConsentLedgerStore}. */
export class MemoryConsentLedgerStore implements ConsentLedgerStore {
  private readonly entries: ConsentEntry[] = [];
  private readonly ids = new Set<string>();

  /** Every record (for snapshots). */
  all(): ConsentEntry[] {
    return this.entries.map(clone);
  }

  async append(entry: ConsentEntry): Promise<void> {
    // appending the same entry twice (a retried processing step) must not double it
    if (this.ids.has(entry.id)) return;
    this.ids.add(entry.id);
    this.entries.push(clone(entry));
  }

  async listByContact(tenantId: string, contactId: string): Promise<ConsentEntry[]> {
    return this.entries.filter((e) => e.tenantId === tenantId && e.contactId === contactId)
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
      .map(({ e }) => clone(e));
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<ConsentEntry[]> {
    const list = this.entries.filter((e) => e.tenantId === tenantId && within(e.at, range))
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
      .map(({ e }) => e);
    return slice(list, page).map(clone);
  }

  async redactContact(tenantId: string, contactId: string, redact: (entry: ConsentEntry) => ConsentEntry): Promise<number> {
    let n = 0;
    this.entries.forEach((e, i) => {
      if (e.tenantId !== tenantId || e.contactId !== contactId) return;
      this.entries[i] = clone({ ...redact(clone(e)), id: e.id, tenantId });
      n++;
    });
    return n;
  }
}

/** In-memory {@link InboxStore}. */
export class MemoryInboxStore implements InboxStore {
  private readonly byId = new Map<string, InboxEntry>();
  private readonly keys = new Set<string>();
  /** Ids of entries still to process (pending or leased), in arrival order: claims never scan finished ones. */
  private readonly open = new Set<string>();

  /** Every record (for snapshots). */
  all(): InboxEntry[] {
    return [...this.byId.values()].map(clone);
  }

  async add(entries: InboxEntry[]): Promise<{ inserted: InboxEntry[]; duplicates: number }> {
    const inserted: InboxEntry[] = [];
    let duplicates = 0;
    for (const e of entries) {
      const key = `${e.tenantId}|${e.channel}|${e.account}|${e.key}`;
      if (this.keys.has(key)) { duplicates++; continue; }
      this.keys.add(key);
      this.byId.set(e.id, clone(e));
      if (e.status === 'pending' || e.status === 'processing') this.open.add(e.id);
      inserted.push(e);
    }
    return { inserted, duplicates };
  }

  async claim(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<InboxEntry[]> {
    const now = options.now.getTime();
    const due: InboxEntry[] = [];
    for (const id of this.open) {
      const e = this.byId.get(id)!;
      const ready = e.tenantId === options.tenantId && ( (e.status === 'pending' && (!e.notBefore || e.notBefore.getTime() <= now))
        || (e.status === 'processing' && (e.leaseUntil?.getTime() ?? 0) < now));
      if (ready) due.push(e);
      if (due.length >= options.limit * 4) break;
    }
    due.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    const claimed = due.slice(0, options.limit);
    for (const e of claimed) {
      e.status = 'processing';
      e.leaseOwner = options.owner;
      e.leaseUntil = new Date(now + options.leaseMs);
      e.attempts += 1;
    }
    return claimed.map(clone);
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    const e = this.byId.get(id);
    if (!e || e.leaseOwner !== owner) return;
    e.status = 'done';
    this.open.delete(id);
    e.processedAt = new Date(now);
    delete e.leaseOwner;
    delete e.leaseUntil;
  }

  async fail(id: string, owner: string, error: string, retryAt: Date | undefined): Promise<void> {
    const e = this.byId.get(id);
    if (!e || e.leaseOwner !== owner) return;
    e.lastError = error;
    delete e.leaseOwner;
    delete e.leaseUntil;
    if (retryAt) { e.status = 'pending'; e.notBefore = new Date(retryAt); } else { e.status = 'failed'; this.open.delete(id); }
  }

  async get(id: string): Promise<InboxEntry | undefined> {
    const e = this.byId.get(id);
    return e ? clone(e) : undefined;
  }

  async counts(tenantId: string): Promise<Record<InboxStatus, number>> {
    const counts: Record<InboxStatus, number> = { pending: 0, processing: 0, done: 0, failed: 0 };
    for (const e of this.byId.values()) if (e.tenantId === tenantId) counts[e.status]++;
    return counts;
  }

  async listMatching(tenantId: string, match: RecordMatch): Promise<InboxEntry[]> {
    return [...this.byId.values()].filter((e) => e.tenantId === tenantId && eventMatches(e.event, match))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime()).map(clone);
  }

  private remove(e: InboxEntry): void {
    this.byId.delete(e.id);
    this.open.delete(e.id);
    this.keys.delete(`${e.tenantId}|${e.channel}|${e.account}|${e.key}`);
  }

  async deleteMatching(tenantId: string, match: RecordMatch): Promise<number> {
    const doomed = [...this.byId.values()].filter((e) => e.tenantId === tenantId && eventMatches(e.event, match));
    for (const e of doomed) this.remove(e);
    return doomed.length;
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    const doomed = [...this.byId.values()].filter((e) => e.tenantId === tenantId && (e.status === 'done' || e.status === 'failed') && e.receivedAt.getTime() < before.getTime());
    for (const e of doomed) this.remove(e);
    return doomed.length;
  }
}

/** Whether outbox entry `a` was accepted before `b` (creation time, then id: a strict total order). */
function isBefore(a: OutboxEntry, b: OutboxEntry): boolean {
  const d = a.createdAt.getTime() - b.createdAt.getTime();
  return d < 0 || (d === 0 && a.id < b.id);
}

/** In-memory {@link OutboxStore}. */

export class MemoryOutboxStore implements OutboxStore {
  private readonly byId = new Map<string, OutboxEntry>();
  /** Ids of entries not yet sent or failed: leases never scan finished ones. */
  private readonly open = new Set<string>();
  /** The same, per recipient (for per-recipient order). */
  private readonly openByRecipient = new Map<string, Set<string>>();

  private static recipientKey(e: OutboxEntry): string {
    return `${e.tenantId}\n${e.channel}\n${e.account}\n${e.message.to.userId}`;
  }

  private opened(e: OutboxEntry): void {
    this.open.add(e.id);
    const key = MemoryOutboxStore.recipientKey(e);
    let set = this.openByRecipient.get(key);
    if (!set) { set = new Set(); this.openByRecipient.set(key, set); }
    set.add(e.id);
  }

  private closed(e: OutboxEntry): void {
    this.open.delete(e.id);
    const key = MemoryOutboxStore.recipientKey(e);
    const set = this.openByRecipient.get(key);
    if (set) { set.delete(e.id); if (set.size === 0) this.openByRecipient.delete(key); }
  }

  /** Every record (for snapshots). */
  all(): OutboxEntry[] {
    return [...this.byId.values()].map(clone);
  }

  async enqueue(entry: OutboxEntry): Promise<void> {
    if (this.byId.has(entry.id)) throw new Error(`outbox entry ${entry.id} already exists`);
    this.byId.set(entry.id, clone(entry));
    if (entry.status === 'pending' || entry.status === 'leased') this.opened(entry);
  }

  async lease(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date; channel?: string; account?: string }): Promise<OutboxEntry[]> {
    const now = options.now.getTime();
    const due = [...this.open].map((id) => this.byId.get(id)!).filter((e) => e.tenantId === options.tenantId && (options.channel === undefined || e.channel === options.channel)
      && (options.account === undefined || e.account === options.account)
      && ((e.status === 'pending' && e.notBefore.getTime() <= now) || (e.status === 'leased' && (e.leaseUntil?.getTime() ?? 0) < now)))
      .sort((a, b) => a.notBefore.getTime() - b.notBefore.getTime() || (isBefore(a, b) ? -1 : isBefore(b, a) ? 1 : 0))
      .slice(0, options.limit);
    for (const e of due) {
      e.status = 'leased';
      e.leaseOwner = options.owner;
      e.leaseUntil = new Date(now + options.leaseMs);
      e.attempts += 1;
      e.updatedAt = new Date(now);
    }
    return due.map(clone);
  }

  private owned(id: string, owner: string): OutboxEntry | undefined {
    const e = this.byId.get(id);
    return e && e.status === 'leased' && e.leaseOwner === owner ? e : undefined;
  }

  async renew(id: string, owner: string, leaseUntil: Date): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    e.leaseUntil = new Date(leaseUntil);
    return true;
  }

  async complete(id: string, owner: string, now: Date): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    e.status = 'sent';
    this.closed(e);
    e.updatedAt = new Date(now);
    delete e.leaseOwner; delete e.leaseUntil;
    return true;
  }

  async retry(id: string, owner: string, notBefore: Date, error: { code: string; message: string }, now: Date, options: RetryOptions = {}): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    if (options.attempted === false) e.attempts = Math.max(0, e.attempts - 1);
    e.status = 'pending';
    e.notBefore = new Date(notBefore);
    e.lastError = { ...error };
    e.updatedAt = new Date(now);
    delete e.leaseOwner; delete e.leaseUntil;
    return true;
  }

  async firstOpenBefore(entry: OutboxEntry): Promise<OutboxEntry | undefined> {
    const ids = this.openByRecipient.get(MemoryOutboxStore.recipientKey(entry));
    let first: OutboxEntry | undefined;
    for (const id of ids ?? []) {
      const e = this.byId.get(id)!;
      if (!isBefore(e, entry)) continue;
      if (!first || isBefore(e, first)) first = e;
    }
    return first ? clone(first) : undefined;
  }

  async fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    e.status = 'failed';
    this.closed(e);
    e.lastError = { ...error };
    e.updatedAt = new Date(now);
    delete e.leaseOwner; delete e.leaseUntil;
    return true;
  }

  async get(tenantId: string, id: string): Promise<OutboxEntry | undefined> {
    const e = this.byId.get(id);
    return e && e.tenantId === tenantId ? clone(e) : undefined;
  }

  async findByMessage(tenantId: string, messageId: string): Promise<OutboxEntry | undefined> {
    for (const e of this.byId.values()) if (e.tenantId === tenantId && e.messageId === messageId) return clone(e);
    return undefined;
  }

  async list(tenantId: string, filter: { status?: OutboxStatus } & Page = {}): Promise<OutboxEntry[]> {
    const list = [...this.byId.values()].filter((e) => e.tenantId === tenantId && (filter.status === undefined || e.status === filter.status))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return slice(list, filter).map(clone);
  }

  async counts(tenantId: string): Promise<Record<OutboxStatus, number>> {
    const counts: Record<OutboxStatus, number> = { pending: 0, leased: 0, sent: 0, failed: 0, cancelled: 0 };
    for (const e of this.byId.values()) if (e.tenantId === tenantId) counts[e.status]++;
    return counts;
  }

  async listByRecipient(tenantId: string, addresses: Address[]): Promise<OutboxEntry[]> {
    return [...this.byId.values()].filter((e) => e.tenantId === tenantId && addresses.some((a) => sameAddress(a, e.message.to)))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(clone);
  }

  async deleteByRecipient(tenantId: string, addresses: Address[]): Promise<number> {
    const doomed = [...this.byId.values()].filter((e) => e.tenantId === tenantId && addresses.some((a) => sameAddress(a, e.message.to)));
    for (const e of doomed) { this.byId.delete(e.id); this.closed(e); }
    return doomed.length;
  }

  async deleteFinishedBefore(tenantId: string, before: Date): Promise<number> {
    const doomed = [...this.byId.values()].filter((e) => e.tenantId === tenantId && (e.status === 'sent' || e.status === 'failed' || e.status === 'cancelled')
      && e.updatedAt.getTime() < before.getTime());
    for (const e of doomed) { this.byId.delete(e.id); this.closed(e); }
    return doomed.length;
  }
}

/** In-memory {@link DeadLetterStore}. */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly letters: DeadLetter[] = [];

  /** Every record (for snapshots). */
  all(): DeadLetter[] {
    return this.letters.map(clone);
  }

  async add(letter: DeadLetter): Promise<void> {
    this.letters.push(clone(letter));
  }

  async get(tenantId: string, id: string): Promise<DeadLetter | undefined> {
    const l = this.letters.find((x) => x.id === id && x.tenantId === tenantId);
    return l ? clone(l) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<DeadLetter[]> {
    const list = this.letters.filter((l) => l.tenantId === tenantId)
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
    return slice(list, page).map(clone);
  }

  private removeWhere(doomed: (l: DeadLetter) => boolean): number {
    const before = this.letters.length;
    const kept = this.letters.filter((l) => !doomed(l));
    this.letters.splice(0, this.letters.length, ...kept);
    return before - kept.length;
  }

  async delete(tenantId: string, ids: string[]): Promise<number> {
    return this.removeWhere((l) => l.tenantId === tenantId && ids.includes(l.id));
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    return this.removeWhere((l) => l.tenantId === tenantId && l.receivedAt.getTime() < before.getTime());
  }
}

const replaceIn = (ids: string[], replacements: Readonly<Record<string, string>>): string[] => ids.map((id) => replacements[id] ?? id);

/** In-memory {@link AuditLogStore}. */
export class MemoryAuditLogStore implements AuditLogStore {
  private readonly entries: AuditEntry[] = [];

  /** Every record (for snapshots). */
  all(): AuditEntry[] {
    return this.entries.map(clone);
  }

  async append(entry: AuditEntry): Promise<void> {
    this.entries.push(clone(entry));
  }

  async list(tenantId: string, filter: Partial<TimeRange> & { contactId?: string; conversationId?: string } & Page = {}): Promise<AuditEntry[]> {
    const list = this.entries.map((e, i) => ({ e, i }))
      .filter(({ e }) => e.tenantId === tenantId && within(e.at, filter)
        && (filter.contactId === undefined || e.contactIds.includes(filter.contactId))
        && (filter.conversationId === undefined || e.conversationIds.includes(filter.conversationId)))
      .sort((a, b) => b.e.at.getTime() - a.e.at.getTime() || b.i - a.i)
      .map(({ e }) => e);
    return slice(list, filter).map(clone);
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    const ids = Object.keys(replacements);
    let n = 0;
    for (const e of this.entries) {
      if (e.tenantId !== tenantId) continue;
      const hit = ids.some((id) => e.contactIds.includes(id) || e.conversationIds.includes(id) || e.path.includes(id));
      if (!hit) continue;
      e.contactIds = replaceIn(e.contactIds, replacements);
      e.conversationIds = replaceIn(e.conversationIds, replacements);
      e.path = e.path.split('/').map((seg) => replacements[seg] ?? seg).join('/');
      n++;
    }
    return n;
  }
}

/** In-memory {@link CostLedgerStore}. */
export class MemoryCostLedgerStore implements CostLedgerStore {
  private readonly entries: CostEntry[] = [];
  private readonly charged = new Set<string>();

  /** Every record (for snapshots). */
  all(): CostEntry[] {
    return this.entries.map(clone);
  }

  async record(entry: CostEntry): Promise<boolean> {
    const key = `${entry.tenantId}|${entry.messageId}`;
    if (this.charged.has(key)) return false;
    this.charged.add(key);
    this.entries.push(clone(entry));
    return true;
  }

  private between(tenantId: string, range: TimeRange, channel?: string): CostEntry[] {
    return this.entries.map((e, i) => ({ e, i }))
      .filter(({ e }) => e.tenantId === tenantId && within(e.at, range) && (channel === undefined || e.channel === channel))
      .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
      .map(({ e }) => e);
  }

  async list(tenantId: string, filter: TimeRange & { channel?: string } & Page): Promise<CostEntry[]> {
    return slice(this.between(tenantId, filter, filter.channel), filter).map(clone);
  }

  async totals(tenantId: string, range: TimeRange): Promise<CostTotal[]> {
    const rows = new Map<string, CostTotal>();
    for (const e of this.between(tenantId, range)) {
      const key = `${e.channel}|${e.category}|${e.currency}`;
      const row = rows.get(key) ?? { channel: e.channel, category: e.category, currency: e.currency, messages: 0, amount: 0 };
      row.messages++;
      row.amount += e.amount;
      rows.set(key, row);
    }
    return [...rows.values()].map((r) => ({ ...r, amount: roundAmount(r.amount) }))
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.category.localeCompare(b.category) || a.currency.localeCompare(b.currency));
  }

  async pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number> {
    let n = 0;
    for (const e of this.entries) {
      if (e.tenantId !== tenantId) continue;
      const message = replacements[e.messageId];
      const conversation = replacements[e.conversationId];
      if (message === undefined && conversation === undefined) continue;
      if (message !== undefined) {
        this.charged.delete(`${tenantId}|${e.messageId}`);
        this.charged.add(`${tenantId}|${message}`);
        e.messageId = message;
      }
      if (conversation !== undefined) e.conversationId = conversation;
      n++;
    }
    return n;
  }
}

/** Every in-memory store together: the embedded default. */
export class MemoryStores implements HostStores {
  readonly kind = 'memory' as const;
  readonly conversations = new MemoryConversationStore();
  readonly messages = new MemoryMessageStore();
  readonly contacts = new MemoryContactStore();
  readonly consent = new MemoryConsentLedgerStore();
  readonly inbox = new MemoryInboxStore();
  readonly outbox = new MemoryOutboxStore();
  readonly deadLetters = new MemoryDeadLetterStore();
  readonly audit = new MemoryAuditLogStore();
  readonly costs = new MemoryCostLedgerStore();

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

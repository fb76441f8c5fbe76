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
  type OutboxStore, type Page,
} from './stores.js';

const clone = <T>(value: T): T => structuredClone(value);
const slice = <T>(items: T[], page: Page | undefined): T[] => {
  const { limit, offset } = pageOf(page);
  return items.slice(offset, offset + limit);
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

  private static externalKey(m: { tenantId: string; channel: string; accountId: string; direction: string; externalId: string }): string {
    return `${m.tenantId}|${m.channel}|${m.accountId}|${m.direction}|${m.externalId}`;
  }

  async insert(message: HostMessage): Promise<{ message: HostMessage; inserted: boolean }> {
    if (message.externalId !== undefined) {
      const existing = this.byExternal.get(MemoryMessageStore.externalKey({ ...message, externalId: message.externalId }));
      if (existing) return { message: clone(this.byId.get(existing)!), inserted: false };
      this.byExternal.set(MemoryMessageStore.externalKey({ ...message, externalId: message.externalId }), message.id);
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

  async findByExternalId(tenantId: string, address: { channel: string; accountId: string }, externalId: string, direction?: HostMessage['direction']): Promise<HostMessage | undefined> {
    const { channel, accountId } = address;
    for (const d of direction ? [direction] : (['outbound', 'inbound'] as const)) {
      const id = this.byExternal.get(MemoryMessageStore.externalKey({ tenantId, channel, accountId, direction: d, externalId }));
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
      if (m.externalId !== undefined) this.byExternal.delete(MemoryMessageStore.externalKey({ ...m, externalId: m.externalId }));
      this.byExternal.set(key, id);
    }
    Object.assign(m, clone(patch), { updatedAt: new Date() });
    return clone(m);
  }

  async listByStatus(tenantId: string, status: DeliveryStatus, page?: Page): Promise<HostMessage[]> {
    const list = [...this.byId.values()].filter((m) => m.tenantId === tenantId && m.status === status)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return slice(list, page).map(clone);
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
}

/** In-memory {@link InboxStore}. */
export class MemoryInboxStore implements InboxStore {
  private readonly byId = new Map<string, InboxEntry>();
  private readonly keys = new Set<string>();

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
      inserted.push(e);
    }
    return { inserted, duplicates };
  }

  async claim(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<InboxEntry[]> {
    const now = options.now.getTime();
    const due: InboxEntry[] = [];
    for (const e of this.byId.values()) {
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
    if (retryAt) { e.status = 'pending'; e.notBefore = new Date(retryAt); } else e.status = 'failed';
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
}

/** In-memory {@link OutboxStore}. */
export class MemoryOutboxStore implements OutboxStore {
  private readonly byId = new Map<string, OutboxEntry>();

  /** Every record (for snapshots). */
  all(): OutboxEntry[] {
    return [...this.byId.values()].map(clone);
  }

  async enqueue(entry: OutboxEntry): Promise<void> {
    if (this.byId.has(entry.id)) throw new Error(`outbox entry ${entry.id} already exists`);
    this.byId.set(entry.id, clone(entry));
  }

  async lease(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date; channel?: string; account?: string }): Promise<OutboxEntry[]> {
    const now = options.now.getTime();
    const due = [...this.byId.values()].filter((e) => e.tenantId === options.tenantId && (options.channel === undefined || e.channel === options.channel)
      && (options.account === undefined || e.account === options.account)
      && ((e.status === 'pending' && e.notBefore.getTime() <= now) || (e.status === 'leased' && (e.leaseUntil?.getTime() ?? 0) < now)))
      .sort((a, b) => a.notBefore.getTime() - b.notBefore.getTime() || a.createdAt.getTime() - b.createdAt.getTime())
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
    e.updatedAt = new Date(now);
    delete e.leaseOwner; delete e.leaseUntil;
    return true;
  }

  async retry(id: string, owner: string, notBefore: Date, error: { code: string; message: string }, now: Date): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    e.status = 'pending';
    e.notBefore = new Date(notBefore);
    e.lastError = { ...error };
    e.updatedAt = new Date(now);
    delete e.leaseOwner; delete e.leaseUntil;
    return true;
  }

  async fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean> {
    const e = this.owned(id, owner);
    if (!e) return false;
    e.status = 'failed';
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

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

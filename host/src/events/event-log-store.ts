/**
 * The event log: every event the host streams to its SSE clients, kept for a while under a
 * per-tenant sequence number, so a client that was dropped (or lost its connection) reconnects
 * with `Last-Event-ID` and is sent what it missed. Written once on the storage driver.
 *
 * Sequence numbers come from one counter document per tenant, advanced atomically by `$inc` (the
 * driver contract makes that atomic across processes sharing the database): the numbers of one
 * tenant only grow, and no two events of a tenant share one. The log is bounded: {@link EventLogStore.prune}
 * keeps the newest events by count and by age.
 * @module
 */
import type { Collection, CollectionSpec, Filter, StorageDriver } from '../stores/driver.js';

/** One logged event. */
export interface LoggedEvent {
  /** `<tenantId>:<seq>` */
  id: string;
  tenantId: string;
  /** The tenant's sequence number: the SSE `id:`. */
  seq: number;
  /** The SSE event name (`inbound`, `status`, `consent`, `conversation`, `missed`). */
  name: string;
  /** The event's data, serialised as JSON (a string, whatever it holds). */
  data: string;
  at: Date;
  /** The contact the event is about, when known (erasure deletes by it). */
  contactId?: string;
  /** The conversation the event is about, when known (erasure deletes by it). */
  conversationId?: string;
}

/** An event to append: the log gives it its id and sequence number. */
export type NewLoggedEvent = Omit<LoggedEvent, 'id' | 'tenantId' | 'seq'>;

/** Whose events: a contact and its conversations (what erasure and export are given). */
export interface EventSubject {
  contactId: string;
  conversationIds: readonly string[];
}

/** DI token for {@link EventLogStore}. */
export const EventLogStore = Symbol.for('switchboard.EventLogStore');
/** The durable, bounded log of streamed events. */
export interface EventLogStore {
  /**
   * Appends events of one tenant in order, numbering them after every number already given out.
   * @returns the events as logged, with their sequence numbers (ascending)
   */
  append(tenantId: string, events: readonly NewLoggedEvent[]): Promise<LoggedEvent[]>;
  /**
   * Events after a sequence number, oldest first.
   * @param options - only these names; none before `since`; at most `limit` (default 100, at most 1,000)
   */
  after(tenantId: string, seq: number, options?: { names?: readonly string[]; since?: Date; limit?: number }): Promise<LoggedEvent[]>;
  /** @returns the last sequence number given out for the tenant (0 when none) */
  head(tenantId: string): Promise<number>;
  /** @returns the sequence number of the oldest event still kept, or undefined when none is */
  oldest(tenantId: string): Promise<number | undefined>;
  /**
   * Deletes events beyond the retention: all but the newest `keepLast`, and those before `before`.
   * @returns how many were deleted
   */
  prune(tenantId: string, retention: { keepLast?: number; before?: Date }): Promise<number>;
  /** @returns the events about a contact or one of its conversations, oldest first */
  listBySubject(tenantId: string, subject: EventSubject): Promise<LoggedEvent[]>;
  /** Deletes the events about a contact or one of its conversations. @returns how many */
  deleteBySubject(tenantId: string, subject: EventSubject): Promise<number>;
}

/** The per-tenant counter. */
interface EventHead {
  /** the tenant id */
  id: string;
  seq: number;
}

const MAX_PAGE = 1_000;

/** {@link EventLogStore} over any {@link StorageDriver}. */
export class DocumentEventLogStore implements EventLogStore {
  /** The events. */
  static readonly spec: CollectionSpec = {
    name: 'event_log',
    fields: { tenantId: 'string', seq: 'number', name: 'string', at: 'date', contactId: 'string', conversationId: 'string' },
    indexes: [
      { fields: ['tenantId', 'seq'], unique: true },
      { fields: ['tenantId', 'at'] },
      { fields: ['tenantId', 'contactId'] },
      { fields: ['tenantId', 'conversationId'] },
    ],
  };

  /** One counter per tenant. */
  static readonly headsSpec: CollectionSpec = {
    name: 'event_log_heads',
    fields: { seq: 'number' },
  };

  private readonly docs: Collection<LoggedEvent>;
  private readonly heads: Collection<EventHead>;
  /** Tenants whose counter is known to exist (it is never deleted). */
  private readonly headExists = new Set<string>();

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<LoggedEvent>(DocumentEventLogStore.spec);
    this.heads = driver.collection<EventHead>(DocumentEventLogStore.headsSpec);
  }

  /** Reserves `n` sequence numbers: @returns the last of them */
  private async reserve(tenantId: string, n: number): Promise<number> {
    if (!this.headExists.has(tenantId)) {
      // false when another process (or an earlier run) created it: either way it exists now
      await this.heads.insert({ id: tenantId, seq: 0 });
      this.headExists.add(tenantId);
    }
    const head = await this.heads.updateOne({ id: tenantId }, { $inc: { seq: n } });
    if (!head) throw new Error(`event log: the counter of tenant ${tenantId} is missing`);
    return head.seq;
  }

  async append(tenantId: string, events: readonly NewLoggedEvent[]): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    const last = await this.reserve(tenantId, events.length);
    const first = last - events.length + 1;
    const logged = events.map((e, i): LoggedEvent => {
      const seq = first + i;
      return {
        id: `${tenantId}:${seq}`, tenantId, seq, name: e.name, data: e.data, at: e.at,
        ...(e.contactId !== undefined ? { contactId: e.contactId } : {}),
        ...(e.conversationId !== undefined ? { conversationId: e.conversationId } : {}),
      };
    });
    await this.docs.insertMany(logged);
    return logged;
  }

  async after(tenantId: string, seq: number, options: { names?: readonly string[]; since?: Date; limit?: number } = {}): Promise<LoggedEvent[]> {
    const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(options.limit ?? 100)));
    const filter: Filter = { tenantId, seq: { $gt: seq } };
    if (options.names) filter.name = { $in: [...options.names] };
    if (options.since) filter.at = { $gte: options.since };
    return this.docs.find(filter, { sort: [['seq', 1]], limit });
  }

  async head(tenantId: string): Promise<number> {
    return (await this.heads.get(tenantId))?.seq ?? 0;
  }

  async oldest(tenantId: string): Promise<number | undefined> {
    return (await this.docs.findOne({ tenantId }, { sort: [['seq', 1]] }))?.seq;
  }

  async prune(tenantId: string, retention: { keepLast?: number; before?: Date }): Promise<number> {
    let deleted = 0;
    if (retention.keepLast !== undefined) {
      const keep = Math.max(0, Math.floor(retention.keepLast));
      const head = await this.head(tenantId);
      if (head > keep) deleted += await this.docs.deleteMany({ tenantId, seq: { $lte: head - keep } });
    }
    if (retention.before) deleted += await this.docs.deleteMany({ tenantId, at: { $lt: retention.before } });
    return deleted;
  }

  private subjectFilter(tenantId: string, subject: EventSubject): Filter {
    const alternatives: Filter[] = [{ contactId: subject.contactId }];
    if (subject.conversationIds.length > 0) alternatives.push({ conversationId: { $in: [...subject.conversationIds] } });
    return { tenantId, $or: alternatives };
  }

  async listBySubject(tenantId: string, subject: EventSubject): Promise<LoggedEvent[]> {
    return this.docs.find(this.subjectFilter(tenantId, subject), { sort: [['seq', 1]] });
  }

  async deleteBySubject(tenantId: string, subject: EventSubject): Promise<number> {
    return this.docs.deleteMany(this.subjectFilter(tenantId, subject));
  }
}

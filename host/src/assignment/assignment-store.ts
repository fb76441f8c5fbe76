/**
 * What assignment keeps durably, on the storage driver contract (memory, SQLite, MongoDB): each
 * agent's presence and capacity, and each human-handled conversation's work record — its queue, its
 * agent, whether it is open, its SLA timer, and when it last got the out-of-hours reply. The SLA
 * timers live here, so they survive a restart. Tenant-scoped like every host store.
 * @module
 */
import type { ContactDataHandler } from '../compliance/contact-data.js';
import type { Collection, CollectionSpec, Filter, StorageDriver } from '../stores/driver.js';

/** Whether an agent takes conversations: only `online` agents are assigned new ones. */
export type PresenceStatus = 'online' | 'away' | 'offline';
/** Every presence status. */
export const PRESENCE_STATUSES: readonly PresenceStatus[] = ['online', 'away', 'offline'];

/** An agent's presence. */
export interface AgentPresence {
  /** `<tenantId>/<agentId>` */
  id: string;
  tenantId: string;
  agentId: string;
  status: PresenceStatus;
  /** Open conversations the agent holds at most (else the tenant's `assignment.defaultCapacity`). */
  capacity?: number;
  /** When an `online`/`away` status lapses to offline (the console session's end). */
  expiresAt?: Date;
  /** The console session the status was set from: it ends with that session. */
  sessionId?: string;
  /** When the agent was last given a conversation (round-robin order). */
  lastAssignedAt?: Date;
  updatedAt: Date;
}

/** The SLA policy a timer measures. */
export type SlaPolicy = 'first-response' | 'next-response';
/** A timer's state: running, `due` published, `breached` published, or stopped by a reply. */
export type SlaState = 'running' | 'due' | 'breached' | 'stopped';

/** A conversation handled by people. */
export interface ConversationWork {
  /** `<tenantId>/<conversationId>` */
  id: string;
  tenantId: string;
  conversationId: string;
  queue?: string;
  /** The agent holding it; absent while it waits in the queue. */
  agentId?: string;
  /** Held by a human and not resolved. */
  open: boolean;
  /** When it started waiting in its queue (first come, first served). */
  waitingSince?: Date;
  /** Whether an agent has answered since it reached people. */
  answered?: boolean;
  slaPolicy?: SlaPolicy;
  slaState?: SlaState;
  slaStartedAt?: Date;
  /** When `sla.due` is published. */
  slaWarnAt?: Date;
  /** When the reply is due (`sla.breached` after). */
  slaDueAt?: Date;
  /** When the out-of-hours reply was last sent. */
  outOfHoursAt?: Date;
  updatedAt: Date;
}

/** The assignment collections. */
export const ASSIGNMENT_COLLECTIONS = {
  presence: {
    name: 'assignment_presence',
    fields: { tenantId: 'string', agentId: 'string', status: 'string', expiresAt: 'date', lastAssignedAt: 'date' },
    indexes: [{ fields: ['tenantId', 'status'] }, { fields: ['status', 'expiresAt'] }],
  },
  work: {
    name: 'assignment_work',
    fields: {
      tenantId: 'string', conversationId: 'string', queue: 'string', agentId: 'string', open: 'boolean',
      waitingSince: 'date', slaState: 'string', slaWarnAt: 'date', slaDueAt: 'date', outOfHoursAt: 'date',
    },
    indexes: [
      { fields: ['tenantId', 'agentId', 'open'] }, { fields: ['tenantId', 'queue', 'open', 'waitingSince'] },
      { fields: ['slaState', 'slaDueAt'] }, { fields: ['slaState', 'slaWarnAt'] }, { fields: ['tenantId', 'conversationId'] },
    ],
  },
} as const satisfies Record<string, CollectionSpec>;

/** A work record's changeable part. */
export type WorkPatch = Partial<Omit<ConversationWork, 'id' | 'tenantId' | 'conversationId' | 'updatedAt'>>;

const key = (tenantId: string, id: string): string => `${tenantId}/${id}`;
/** Most waiting conversations or expired presences read at once. */
const BATCH = 200;

/** Presence and work records on one storage driver. */
export class AssignmentStore {
  private readonly presence: Collection<AgentPresence>;
  private readonly work: Collection<ConversationWork>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.presence = driver.collection<AgentPresence>(ASSIGNMENT_COLLECTIONS.presence);
    this.work = driver.collection<ConversationWork>(ASSIGNMENT_COLLECTIONS.work);
  }

  /**
   * Sets an agent's presence (created on first use). `undefined` members of the patch are removed
   * (`expiresAt`, `sessionId`, `capacity`); absent ones are kept.
   * @returns the presence after the change
   */
  async setPresence(tenantId: string, agentId: string, patch: Partial<Pick<AgentPresence, 'status' | 'capacity' | 'expiresAt' | 'sessionId'>>, now: Date): Promise<AgentPresence> {
    const id = key(tenantId, agentId);
    for (;;) {
      const updated = await this.presence.updateOne({ id }, { $set: { ...patch, updatedAt: now } });
      if (updated) return updated;
      const doc: AgentPresence = { id, tenantId, agentId, status: patch.status ?? 'offline', updatedAt: now };
      if (patch.capacity !== undefined) doc.capacity = patch.capacity;
      if (patch.expiresAt !== undefined) doc.expiresAt = patch.expiresAt;
      if (patch.sessionId !== undefined) doc.sessionId = patch.sessionId;
      if (await this.presence.insert(doc)) return doc;
    }
  }

  /** An agent's presence, if ever set. */
  getPresence(tenantId: string, agentId: string): Promise<AgentPresence | undefined> {
    return this.presence.get(key(tenantId, agentId));
  }

  /** The tenant's presences. */
  listPresence(tenantId: string): Promise<AgentPresence[]> {
    return this.presence.find({ tenantId }, { sort: [['agentId', 1]], limit: 10_000 });
  }

  /** Presences still online or away (every tenant), to check their sessions. */
  listPresent(limit = BATCH, offset = 0): Promise<AgentPresence[]> {
    return this.presence.find({ status: { $in: ['online', 'away'] } }, { sort: [['tenantId', 1], ['agentId', 1]], limit, offset });
  }

  /**
   * Sets presences whose time ran out to offline (every tenant).
   * @returns the presences set offline now
   */
  async expire(now: Date): Promise<AgentPresence[]> {
    const due = await this.presence.find({ status: { $in: ['online', 'away'] }, expiresAt: { $lte: now } }, { limit: BATCH });
    const out: AgentPresence[] = [];
    for (const p of due) {
      // compare-and-set: an agent who came back in the meantime stays
      const done = await this.presence.updateOne({ id: p.id, status: p.status, expiresAt: { $lte: now } }, { $set: { status: 'offline', updatedAt: now }, $unset: ['expiresAt', 'sessionId'] });
      if (done) out.push(done);
    }
    return out;
  }

  /** Records that an agent was given a conversation (round-robin order). */
  async markAssigned(tenantId: string, agentId: string, at: Date): Promise<void> {
    await this.presence.updateOne({ id: key(tenantId, agentId) }, { $max: { lastAssignedAt: at } });
  }

  /** A conversation's work record. */
  getWork(tenantId: string, conversationId: string): Promise<ConversationWork | undefined> {
    return this.work.get(key(tenantId, conversationId));
  }

  /**
   * Changes a conversation's work record (created on first use). `undefined` members are removed.
   * @param when - an extra condition the record must meet (compare-and-set); a new record is only created without one
   * @returns the record after the change, or undefined when `when` did not hold
   */
  async updateWork(tenantId: string, conversationId: string, patch: WorkPatch, now: Date, when?: Filter): Promise<ConversationWork | undefined> {
    const id = key(tenantId, conversationId);
    const set: Record<string, unknown> = { updatedAt: now };
    const unset: string[] = [];
    for (const [k, v] of Object.entries(patch)) { if (v === undefined) unset.push(k); else set[k] = v; }
    for (;;) {
      const updated = await this.work.updateOne({ ...when, id }, { $set: set, ...(unset.length ? { $unset: unset } : {}) });
      if (updated || when) return updated;
      const doc = { id, tenantId, conversationId, open: false, ...set } as ConversationWork;
      if (await this.work.insert(doc)) return doc;
    }
  }

  /** How many open conversations an agent holds. */
  countOpen(tenantId: string, agentId: string): Promise<number> {
    return this.work.count({ tenantId, agentId, open: true });
  }

  /** The open conversations an agent holds. */
  openOf(tenantId: string, agentId: string): Promise<ConversationWork[]> {
    return this.work.find({ tenantId, agentId, open: true }, { sort: [['waitingSince', 1]], limit: 10_000 });
  }

  /** Conversations waiting in a queue for an agent, longest waiting first. */
  waiting(tenantId: string, queue: string, limit = BATCH): Promise<ConversationWork[]> {
    return this.work.find({ tenantId, queue, open: true, agentId: null }, { sort: [['waitingSince', 1]], limit });
  }

  /** The tenant's open work records with a running or due timer (the console's SLA badges). */
  timers(tenantId: string, limit = 1_000): Promise<ConversationWork[]> {
    return this.work.find({ tenantId, open: true, slaState: { $in: ['running', 'due', 'breached'] } }, { sort: [['slaDueAt', 1]], limit });
  }

  /** Timers whose `sla.due` moment has come (every tenant). */
  dueToWarn(now: Date): Promise<ConversationWork[]> {
    return this.work.find({ slaState: 'running', slaWarnAt: { $lte: now } }, { sort: [['slaWarnAt', 1]], limit: BATCH });
  }

  /** Timers past their due time and not yet reported breached (every tenant). */
  dueToBreach(now: Date): Promise<ConversationWork[]> {
    return this.work.find({ slaState: { $in: ['running', 'due'] }, slaDueAt: { $lte: now } }, { sort: [['slaDueAt', 1]], limit: BATCH });
  }

  /**
   * Moves a timer from one state to another, once (compare-and-set on its state and due time, so
   * two processes never both publish the same event).
   * @returns the record after the move, or undefined when another move came first
   */
  moveTimer(record: ConversationWork, to: SlaState, now: Date): Promise<ConversationWork | undefined> {
    return this.updateWork(record.tenantId, record.conversationId, { slaState: to }, now, { slaState: record.slaState ?? null, slaDueAt: record.slaDueAt ?? null });
  }

  /**
   * Claims the out-of-hours reply for a conversation: at most one per `gapMs`.
   * @returns true when this caller should send it
   */
  async claimOutOfHours(tenantId: string, conversationId: string, now: Date, gapMs: number): Promise<boolean> {
    await this.updateWork(tenantId, conversationId, {}, now); // exists from here on
    const claimed = await this.updateWork(tenantId, conversationId, { outOfHoursAt: now }, now, {
      $or: [{ outOfHoursAt: null }, { outOfHoursAt: { $lte: new Date(now.getTime() - gapMs) } }],
    });
    return claimed !== undefined;
  }

  /** The work records of some conversations (a contact's export). */
  workOf(tenantId: string, conversationIds: readonly string[]): Promise<ConversationWork[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return this.work.find({ tenantId, conversationId: { $in: conversationIds } }, { sort: [['conversationId', 1]], limit: conversationIds.length });
  }

  /** Removes a conversation's record (erasure). */
  async deleteWork(tenantId: string, conversationId: string): Promise<void> {
    await this.work.deleteMany({ id: key(tenantId, conversationId) });
  }
}

/**
 * The assignment store's part in a contact's export and erasure: the work records (queue, agent,
 * SLA timer, out-of-hours marker) of the contact's conversations.
 * @param store - the assignment store
 * @returns the handler (named `assignment`)
 */
export function assignmentDataHandler(store: AssignmentStore): ContactDataHandler {
  return {
    name: 'assignment',
    export: async (s) => store.workOf(s.tenantId, s.conversationIds),
    erase: async (s) => {
      const records = await store.workOf(s.tenantId, s.conversationIds);
      for (const w of records) await store.deleteWork(s.tenantId, w.conversationId);
      return { workRecords: records.length };
    },
  };
}

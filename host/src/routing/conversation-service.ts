/**
 * Conversation life cycle: assignment to agents, handover bot ↔ human, transfer between agents
 * and queues, resolve and reopen. Every change is published on `conversation$`.
 * @module
 */
import { Clock, type Assignee, type Conversation } from '@switchboard/core';
import { inject, injectable } from '@switchboard/core/di';
import { MAX_CONVERSATION_TAGS } from '../api/schemas.js';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { HostTenants } from '../host-options.js';
import { HostStreams, type ConversationChange } from '../streams.js';
import { ConversationStore } from '../stores/stores.js';

/** Changes conversations and publishes each change. */
@injectable()
export class ConversationService {
  /**
   * @param store - the conversation store
   * @param streams - where changes are published
   * @param clock - time source
   * @param tenants - the tenants by id: a handover without a queue goes to the tenant's `routing.escalationQueue`
   */
  constructor(
    @inject(ConversationStore) private readonly store: ConversationStore,
    @inject(HostStreams) private readonly streams: HostStreams,
    @inject(Clock) private readonly clock: Clock,
    @inject(HostTenants) private readonly tenants: ReadonlyMap<string, Pick<TenantConfig, 'routing'>>,
  ) {}

  /** The queue a handover without one goes to. */
  private escalationQueue(tenantId: string): string | undefined {
    return this.tenants.get(tenantId)?.routing?.escalationQueue;
  }

  private async load(tenantId: string, id: string): Promise<Conversation> {
    const c = await this.store.get(tenantId, id);
    if (!c) throw new NotFoundError('conversation', id);
    return c;
  }

  private async change(tenantId: string, id: string, patch: Partial<Conversation>, change: ConversationChange): Promise<Conversation> {
    const updated = await this.store.update(tenantId, id, { ...patch, updatedAt: new Date(this.clock.now()) });
    if (!updated) throw new NotFoundError('conversation', id);
    this.streams.conversation$.next({ tenantId, change, conversation: updated });
    return updated;
  }

  /**
   * Assigns a conversation to an agent (a human takes it).
   * @returns the updated conversation
   */
  async assign(tenantId: string, id: string, agentId: string, queue?: string): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    const q = queue ?? (c.assignee.kind === 'queue' || c.assignee.kind === 'agent' ? c.assignee.queue : undefined);
    const assignee: Assignee = { kind: 'agent', agentId, ...(q ? { queue: q } : {}) };
    return this.change(tenantId, id, { assignee, status: c.status === 'resolved' ? 'open' : c.status }, 'assigned');
  }

  /**
   * Hands a conversation over: to a human queue (it waits there as `pending`), or back to a bot
   * handler (it is `open` again: nobody's turn is awaited; a resolved one stays resolved).
   * @returns the updated conversation
   */
  async handover(tenantId: string, id: string, to: { kind: 'human'; queue?: string } | { kind: 'bot'; handler: string }): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    if (to.kind === 'bot') return this.change(tenantId, id, { assignee: { kind: 'bot', handler: to.handler }, status: c.status === 'pending' ? 'open' : c.status }, 'handover');
    const queue = to.queue ?? this.escalationQueue(tenantId);
    if (!queue) throw new ValidationError('queue', 'is required: the tenant has no routing.escalationQueue');
    return this.change(tenantId, id, { assignee: { kind: 'queue', queue }, status: c.status === 'resolved' ? 'open' : 'pending' }, 'handover');
  }

  /**
   * Transfers a conversation a human holds to another agent or queue.
   * @returns the updated conversation
   */
  async transfer(tenantId: string, id: string, to: { agentId?: string; queue?: string }): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    if (c.assignee.kind !== 'agent' && c.assignee.kind !== 'queue') throw new ConflictError('only a conversation held by a human agent or queue can be transferred; use handover first', { assignee: c.assignee.kind });
    if (!to.agentId && !to.queue) throw new ValidationError('agentId', 'give agentId or queue');
    const assignee: Assignee = to.agentId ? { kind: 'agent', agentId: to.agentId, ...(to.queue ? { queue: to.queue } : {}) } : { kind: 'queue', queue: to.queue! };
    return this.change(tenantId, id, { assignee }, 'transferred');
  }

  /** Resolves a conversation. */
  async resolve(tenantId: string, id: string): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    if (c.status === 'resolved') return c;
    return this.change(tenantId, id, { status: 'resolved' }, 'resolved');
  }

  /** Reopens a resolved conversation (routing starts over with the next message). */
  async reopen(tenantId: string, id: string): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    if (c.status !== 'resolved') return c;
    return this.change(tenantId, id, { status: 'open' }, 'reopened');
  }

  /**
   * Adds tags; a conversation keeps at most {@link MAX_CONVERSATION_TAGS}.
   * @throws ValidationError when the tags would pass that bound (nothing is added)
   */
  async tag(tenantId: string, id: string, tags: string[]): Promise<Conversation> {
    const c = await this.load(tenantId, id);
    const next = [...new Set([...c.tags, ...tags])];
    if (next.length > MAX_CONVERSATION_TAGS) throw new ValidationError('tags', `a conversation keeps at most ${MAX_CONVERSATION_TAGS} tags (it has ${c.tags.length})`);
    return this.change(tenantId, id, { tags: next }, 'tagged');
  }

  /** Sets the assignee chosen by routing (no status change). */
  async route(tenantId: string, id: string, assignee: Assignee): Promise<Conversation> {
    return this.change(tenantId, id, { assignee }, assignee.kind === 'queue' ? 'handover' : 'assigned');
  }
}

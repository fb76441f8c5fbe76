/**
 * Assignment: agents' presence and capacity, automatic assignment of the conversations waiting in a
 * queue (round-robin or least-busy, per queue), reassignment of an agent's open conversations when
 * the agent goes offline, business hours with an out-of-hours reply sent through the one outbound
 * port, and SLA timers (first and next response) kept in the store and published on `sla$`.
 *
 * It follows the host's streams: a conversation handed over to a queue waits there and is assigned
 * to an online agent with room; a customer's message starts the SLA timer; an agent's reply stops
 * it. Every time it reads comes from the host's injected {@link Clock}; {@link AssignmentService.tick}
 * checks presences and timers against it (the feature calls it periodically; tests call it after
 * moving a manual clock). Work is done one piece at a time, in the order it arrives.
 * @module
 */
import type { Clock, Conversation, Logger } from '@switchboard/core';
import type { Subscription } from 'rxjs';
import type { TenantConfig } from '../config/host-config.js';
import type { Agent, AgentStore } from '../console/agent-store.js';
import { NotFoundError } from '../errors.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import type { ConversationService } from '../routing/conversation-service.js';
import type { ConversationStore } from '../stores/stores.js';
import type { ConversationNotice, HostStreams, InboundNotice, StatusNotice } from '../streams.js';
import { isOpenAt } from './business-hours.js';
import type { AgentPresence, AssignmentStore, ConversationWork, PresenceStatus } from './assignment-store.js';

/** DI token for {@link AssignmentService}. */
export const AssignmentService = Symbol.for('switchboard.AssignmentService');

/** The tenant's `assignment` section, with its defaults. */
export type AssignmentSettings = NonNullable<TenantConfig['assignment']>;
/** One queue's settings. */
export type QueueSettings = AssignmentSettings['queues'][string];

/** At most one out-of-hours reply per conversation in this time. */
export const OUT_OF_HOURS_GAP_MS = 12 * 3_600_000;
const MINUTE = 60_000;

/** An agent's presence as the API shows it. */
export interface PresenceView {
  agentId: string;
  name: string;
  status: PresenceStatus;
  capacity: number;
  /** Open conversations the agent holds. */
  load: number;
  queues?: string[];
  expiresAt?: Date;
}

/** Dependencies of {@link AssignmentService}. */
export interface AssignmentDeps {
  store: AssignmentStore;
  agents: AgentStore;
  conversations: ConversationService;
  /** Reads conversations (the service changes them). */
  conversationStore: Pick<ConversationStore, 'get'>;
  gateway: OutboundGateway;
  streams: HostStreams;
  clock: Clock;
  tenants: ReadonlyMap<string, TenantConfig>;
  logger: Logger;
}

const held = (c: Conversation): boolean => c.assignee.kind === 'queue' || c.assignee.kind === 'agent';
const queueOf = (c: Conversation): string | undefined => (c.assignee.kind === 'queue' || c.assignee.kind === 'agent' ? c.assignee.queue : undefined);

/** Presence, automatic assignment, business hours and SLA timers. */
export class AssignmentServiceImpl {
  private chain: Promise<unknown> = Promise.resolve();
  private subscriptions: Subscription[] = [];

  /** @param deps - store, agents, conversations, outbound port, streams, clock, tenants, logger */
  constructor(private readonly deps: AssignmentDeps) {}

  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  /** Runs work after the work before it (one piece at a time); a failure is logged, never thrown at the stream. */
  private enqueue<T>(what: string, work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch((error: unknown) => { this.deps.logger.error({ err: error, what }, 'assignment work failed'); });
    return run;
  }

  /** Resolves when the work queued so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    for (let seen: Promise<unknown> | undefined; seen !== this.chain;) { seen = this.chain; await seen; }
  }

  /** Subscribes to the host's streams. */
  start(): void {
    const { streams } = this.deps;
    this.subscriptions.push(
      streams.conversation$.subscribe((n) => { void this.enqueue('conversation', () => this.onConversation(n)).catch(() => undefined); }),
      streams.inbound$.subscribe((n) => { void this.enqueue('inbound', () => this.onInbound(n)).catch(() => undefined); }),
      streams.status$.subscribe((n) => { void this.enqueue('status', () => this.onStatus(n)).catch(() => undefined); }),
    );
  }

  /** Unsubscribes and waits for the work in progress. */
  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    await this.idle();
  }

  private settings(tenantId: string): AssignmentSettings | undefined {
    return this.deps.tenants.get(tenantId)?.assignment;
  }

  private queueSettings(tenantId: string, queue: string | undefined): QueueSettings | undefined {
    return queue === undefined ? undefined : this.settings(tenantId)?.queues[queue];
  }

  // ---- presence ------------------------------------------------------------------------------

  /**
   * Sets an agent's presence. Online: conversations waiting in the agent's queues are assigned to
   * them as their capacity allows. Offline: their open conversations go back to their queues and to
   * the other agents.
   * @param options - `capacity` (null: back to the tenant's default), `expiresAt` and `sessionId` (the console session it ends with)
   * @returns the agent's presence as the API shows it
   * @throws NotFoundError when the tenant has no such agent
   */
  setPresence(tenantId: string, agentId: string, status: PresenceStatus | undefined, options: { capacity?: number | null; expiresAt?: Date; sessionId?: string } = {}): Promise<PresenceView> {
    return this.enqueue('presence', async () => {
      const agent = await this.deps.agents.get(tenantId, agentId);
      if (!agent || agent.disabled) throw new NotFoundError('agent', agentId);
      const now = this.now();
      const before = await this.deps.store.getPresence(tenantId, agentId);
      const next = status ?? before?.status ?? 'offline';
      const presence = await this.deps.store.setPresence(tenantId, agentId, {
        status: next,
        ...(options.capacity !== undefined ? { capacity: options.capacity ?? undefined } : {}),
        ...(status !== undefined ? { expiresAt: next === 'offline' ? undefined : options.expiresAt, sessionId: next === 'offline' ? undefined : options.sessionId } : {}),
      }, now);
      if (next === 'offline' && before?.status !== 'offline') await this.releaseAgent(tenantId, agentId);
      await this.assignWaiting(tenantId, agent.queues);
      return this.view(tenantId, agent, presence);
    });
  }

  /**
   * The tenant's agents with their presence and load.
   * @returns one entry per enabled agent, by name
   */
  async listPresence(tenantId: string): Promise<PresenceView[]> {
    const [agents, presences] = await Promise.all([this.deps.agents.list(tenantId), this.deps.store.listPresence(tenantId)]);
    const byAgent = new Map(presences.map((p) => [p.agentId, p]));
    return Promise.all(agents.filter((a) => !a.disabled).map((a) => this.view(tenantId, a, byAgent.get(a.id))));
  }

  private async view(tenantId: string, agent: Agent, presence: AgentPresence | undefined): Promise<PresenceView> {
    return {
      agentId: agent.id, name: agent.name,
      status: this.effectiveStatus(presence),
      capacity: presence?.capacity ?? this.settings(tenantId)?.defaultCapacity ?? 3,
      load: await this.deps.store.countOpen(tenantId, agent.id),
      ...(agent.queues ? { queues: agent.queues } : {}),
      ...(presence?.expiresAt && presence.status !== 'offline' ? { expiresAt: presence.expiresAt } : {}),
    };
  }

  private effectiveStatus(p: AgentPresence | undefined): PresenceStatus {
    if (!p || p.status === 'offline') return 'offline';
    return p.expiresAt && p.expiresAt.getTime() <= this.deps.clock.now() ? 'offline' : p.status;
  }

  /** Sends an agent's open conversations back to their queues (the agent went offline). */
  private async releaseAgent(tenantId: string, agentId: string): Promise<void> {
    for (const w of await this.deps.store.openOf(tenantId, agentId)) {
      const conversation = await this.deps.conversationStore.get(tenantId, w.conversationId);
      if (!conversation || conversation.assignee.kind !== 'agent' || conversation.assignee.agentId !== agentId) {
        await this.deps.store.updateWork(tenantId, w.conversationId, { agentId: undefined, open: conversation !== undefined && held(conversation) && conversation.status !== 'resolved' }, this.now());
        continue;
      }
      const queue = queueOf(conversation) ?? w.queue ?? this.deps.tenants.get(tenantId)?.routing?.escalationQueue;
      if (!queue) continue; // nowhere to send it: it stays with the agent
      // it keeps its place in the queue: it has waited since it first arrived
      await this.deps.store.updateWork(tenantId, w.conversationId, { agentId: undefined, queue }, this.now());
      await this.deps.conversations.transfer(tenantId, w.conversationId, { queue });
    }
  }

  // ---- automatic assignment ------------------------------------------------------------------

  /** Assigns what waits in the given queues (every configured queue of the tenant when none are given). */
  private async assignWaiting(tenantId: string, queues: readonly string[] | undefined): Promise<void> {
    const settings = this.settings(tenantId);
    if (!settings) return;
    const names = queues && queues.length > 0 ? queues : Object.keys(settings.queues);
    for (const q of names) await this.assignQueue(tenantId, q);
  }

  /**
   * Assigns the conversations waiting in a queue, longest waiting first, while an online agent of
   * the queue has room. The rest wait.
   */
  private async assignQueue(tenantId: string, queue: string): Promise<void> {
    const q = this.queueSettings(tenantId, queue);
    if (!q || !q.autoAssign) return;
    const waiting = await this.deps.store.waiting(tenantId, queue);
    if (waiting.length === 0) return;
    const agents = (await this.deps.agents.list(tenantId)).filter((a) => !a.disabled && (!a.queues || a.queues.length === 0 || a.queues.includes(queue)));
    for (const w of waiting) {
      const agent = await this.pick(tenantId, agents, q.strategy);
      if (!agent) return;
      const conversation = await this.deps.conversationStore.get(tenantId, w.conversationId);
      if (!conversation || conversation.assignee.kind !== 'queue' || conversation.status === 'resolved') {
        await this.deps.store.updateWork(tenantId, w.conversationId, { open: false }, this.now());
        continue;
      }
      const now = this.now();
      // compare-and-set: another process sharing the store may have given it to someone already
      if (!await this.deps.store.updateWork(tenantId, w.conversationId, { agentId: agent.id }, now, { agentId: null, open: true })) continue;
      await this.deps.store.markAssigned(tenantId, agent.id, now);
      await this.deps.conversations.assign(tenantId, w.conversationId, agent.id, queue);
    }
  }

  /** The agent a strategy picks among the online ones with room, or undefined when all are full. */
  private async pick(tenantId: string, agents: readonly Agent[], strategy: QueueSettings['strategy']): Promise<Agent | undefined> {
    const defaultCapacity = this.settings(tenantId)?.defaultCapacity ?? 3;
    const candidates: { agent: Agent; load: number; last: number }[] = [];
    for (const agent of agents) {
      const p = await this.deps.store.getPresence(tenantId, agent.id);
      if (this.effectiveStatus(p) !== 'online') continue;
      const load = await this.deps.store.countOpen(tenantId, agent.id);
      if (load >= (p?.capacity ?? defaultCapacity)) continue;
      candidates.push({ agent, load, last: p?.lastAssignedAt?.getTime() ?? -Infinity });
    }
    candidates.sort((a, b) => (strategy === 'least-busy' ? a.load - b.load : 0) || a.last - b.last || (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0));
    return candidates[0]?.agent;
  }

  // ---- what the streams say ------------------------------------------------------------------

  private async onConversation(n: ConversationNotice): Promise<void> {
    const { tenantId } = n;
    if (!this.settings(tenantId)) return;
    // the notice may be older than the conversation (this service changed it since): read it now
    const c = await this.deps.conversationStore.get(tenantId, n.conversation.id);
    if (!c) return;
    const now = this.now();
    if (!held(c) || c.status === 'resolved') {
      const w = await this.deps.store.getWork(tenantId, c.id);
      if (!w?.open) return;
      await this.deps.store.updateWork(tenantId, c.id, { open: false, ...(w.slaState === 'running' || w.slaState === 'due' ? { slaState: 'stopped' as const } : {}) }, now);
      if (w.queue) await this.assignQueue(tenantId, w.queue); // the agent has room again
      return;
    }
    const before = await this.deps.store.getWork(tenantId, c.id);
    const queue = queueOf(c);
    if (c.assignee.kind === 'agent') {
      await this.deps.store.updateWork(tenantId, c.id, { open: true, agentId: c.assignee.agentId, ...(queue ? { queue } : {}), ...(before?.waitingSince ? {} : { waitingSince: now }) }, now);
      if (before?.agentId && before.agentId !== c.assignee.agentId) await this.assignWaiting(tenantId, before.queue ? [before.queue] : undefined);
      return;
    }
    // waiting in a queue
    const arrived = !before?.open || before.queue !== queue || before.agentId !== undefined;
    await this.deps.store.updateWork(tenantId, c.id, { open: true, queue, agentId: undefined, ...(arrived ? { waitingSince: now } : {}) }, now);
    if (!before?.open) {
      // it has just reached people because the customer asked: the clock starts, out of hours they are told
      await this.customerWaiting(tenantId, c, now);
    }
    if (queue) await this.assignQueue(tenantId, queue);
  }

  private async onInbound(n: InboundNotice): Promise<void> {
    const c = n.conversation;
    if (!this.settings(n.tenantId) || !held(c) || c.status === 'resolved') return;
    const w = await this.deps.store.getWork(n.tenantId, c.id);
    if (!w?.open) return; // the conversation notice that follows starts it
    await this.customerWaiting(n.tenantId, c, this.now());
  }

  /** An agent's reply stops the timer (and clears a breach: the badge goes). */
  private async onStatus(n: StatusNotice): Promise<void> {
    const m = n.message;
    if (m.direction !== 'outbound' || m.sender !== 'agent' || n.status !== 'queued' || !this.settings(n.tenantId)) return;
    const w = await this.deps.store.getWork(n.tenantId, n.conversationId);
    if (!w) return;
    await this.deps.store.updateWork(n.tenantId, n.conversationId, {
      answered: true, ...(w.slaState === 'running' || w.slaState === 'due' || w.slaState === 'breached' ? { slaState: 'stopped' as const } : {}),
    }, this.now());
  }

  /** The customer waits for people: the SLA timer starts (unless one runs) and, out of hours, they are told. */
  private async customerWaiting(tenantId: string, c: Conversation, now: Date): Promise<void> {
    const queue = queueOf(c);
    const q = this.queueSettings(tenantId, queue);
    if (!q) return;
    const w = await this.deps.store.getWork(tenantId, c.id);
    const policy = w?.answered ? 'next-response' : 'first-response';
    const minutes = policy === 'first-response' ? q.sla?.firstResponseMinutes : q.sla?.nextResponseMinutes;
    if (minutes !== undefined && w?.slaState !== 'running' && w?.slaState !== 'due') {
      const due = now.getTime() + minutes * MINUTE;
      const warn = due - Math.min(q.sla?.dueSoonMinutes ?? 5, minutes) * MINUTE;
      await this.deps.store.updateWork(tenantId, c.id, { slaPolicy: policy, slaState: 'running', slaStartedAt: now, slaWarnAt: new Date(warn), slaDueAt: new Date(due) }, now);
    }
    if (q.hours && q.outOfHoursReply && !isOpenAt(q.hours, now.getTime()) && await this.deps.store.claimOutOfHours(tenantId, c.id, now, OUT_OF_HOURS_GAP_MS)) {
      // the one outbound port: the policy engine judges it like any message
      const result = await this.deps.gateway.send({
        tenantId, conversationId: c.id, sender: 'system', purpose: 'service', content: { type: 'text', text: q.outOfHoursReply },
      });
      if (result.status !== 'queued') this.deps.logger.warn({ tenantId, conversationId: c.id, result }, 'the out-of-hours reply was not sent');
    }
  }

  // ---- the clock -----------------------------------------------------------------------------

  /**
   * Checks everything that depends on time, against the host's clock: presences whose session or
   * time ended go offline (their conversations go back to their queues), conversations still
   * waiting are offered to agents with room (after a restart, or a change made by another process
   * sharing the store), SLA timers publish `sla.due` and `sla.breached` (once each).
   */
  tick(): Promise<void> {
    return this.enqueue('tick', async () => {
      const now = this.now();
      for (const p of await this.endedPresences(now)) {
        if (!this.settings(p.tenantId)) continue;
        await this.releaseAgent(p.tenantId, p.agentId);
        const agent = await this.deps.agents.get(p.tenantId, p.agentId);
        await this.assignWaiting(p.tenantId, agent?.queues);
      }
      // what waits since a restart, or since another process sharing the store changed presences
      for (const [tenantId, tenant] of this.deps.tenants) if (tenant.assignment) await this.assignWaiting(tenantId, undefined);
      for (const w of await this.deps.store.dueToWarn(now)) {
        if (w.slaDueAt && w.slaDueAt.getTime() <= now.getTime()) continue; // past due: breached below
        const moved = await this.deps.store.moveTimer(w, 'due', now);
        if (moved) this.publish('sla.due', moved);
      }
      for (const w of await this.deps.store.dueToBreach(now)) {
        const moved = await this.deps.store.moveTimer(w, 'breached', now);
        if (moved) this.publish('sla.breached', moved);
      }
    });
  }

  /** Presences whose time ran out, or whose console session ended (logout, expiry). */
  private async endedPresences(now: Date): Promise<AgentPresence[]> {
    const ended = await this.deps.store.expire(now);
    for (let offset = 0; ;) {
      const page = await this.deps.store.listPresent(200, offset);
      let gone = 0;
      for (const p of page) {
        if (!p.sessionId) continue;
        const session = await this.deps.agents.getSession(p.sessionId);
        if (session && session.expiresAt.getTime() > now.getTime() && session.maxExpiresAt.getTime() > now.getTime()) continue;
        const off = await this.deps.store.setPresence(p.tenantId, p.agentId, { status: 'offline', expiresAt: undefined, sessionId: undefined }, now);
        ended.push(off);
        gone++;
      }
      if (page.length < 200) break;
      offset += page.length - gone; // those set offline left the list
    }
    return ended;
  }

  private publish(type: 'sla.due' | 'sla.breached', w: ConversationWork): void {
    this.deps.streams.sla$.next({
      tenantId: w.tenantId, type, conversationId: w.conversationId, policy: w.slaPolicy ?? 'first-response',
      startedAt: w.slaStartedAt ?? w.updatedAt, dueAt: w.slaDueAt ?? w.updatedAt,
      ...(w.queue ? { queue: w.queue } : {}), ...(w.agentId ? { agentId: w.agentId } : {}),
    });
  }

  /**
   * The tenant's running, due and breached timers (the console's badges).
   * @returns conversation id, policy, state and due time, soonest first
   */
  async timers(tenantId: string): Promise<{ conversationId: string; queue?: string; agentId?: string; policy: string; state: string; dueAt: Date }[]> {
    return (await this.deps.store.timers(tenantId)).map((w) => ({
      conversationId: w.conversationId, policy: w.slaPolicy ?? 'first-response', state: w.slaState!, dueAt: w.slaDueAt!,
      ...(w.queue ? { queue: w.queue } : {}), ...(w.agentId ? { agentId: w.agentId } : {}),
    }));
  }
}

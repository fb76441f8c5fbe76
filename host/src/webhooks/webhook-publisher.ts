/**
 * Turns what the host does into events for integrators and writes them to the durable queue: one
 * delivery per subscribed endpoint. It listens to the host's streams (a message received, a status,
 * a consent entry, a conversation opened, assigned or resolved); other parts publish their own
 * events with {@link WebhookPublisher.publish} (the SLA timers' `sla.breached`), and the forward
 * route with {@link WebhookPublisher.publishTo}.
 *
 * Events of one tenant are written in the order they happened, one write after the other, so a
 * worker never sees a later event of a conversation before an earlier one is queued.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { Subscription } from 'rxjs';
import { orderedId } from '../outbound/ordered-id.js';
import type { ConversationChange, HostStreams } from '../streams.js';
import type { NewWebhookDelivery, WebhookEndpoint, WebhookEventType, WebhookStore } from './webhook-store.js';

/** An event to publish. */
export interface WebhookEventInput {
  type: WebhookEventType;
  /** What the event carries (serialised as JSON). */
  data: unknown;
  /** The conversation it is about: events of one conversation are delivered in order. */
  conversationId?: string;
  /** The contact it is about (orders the events of a contact without a conversation). */
  contactId?: string;
}

/** The body posted for an event. */
export interface WebhookEventBody {
  /** The event's id (the same for every endpoint). */
  id: string;
  type: string;
  /** When it was published, ISO 8601. */
  timestamp: string;
  tenantId: string;
  data: unknown;
}

const CONVERSATION_EVENTS: Partial<Record<ConversationChange, WebhookEventType>> = {
  created: 'conversation.opened',
  reopened: 'conversation.opened',
  assigned: 'conversation.assigned',
  handover: 'conversation.assigned',
  transferred: 'conversation.assigned',
  resolved: 'conversation.resolved',
};

/** Writes events to the delivery queue. */
export class WebhookPublisher {
  private readonly subscriptions: Subscription[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly listeners: (() => void)[] = [];
  /** Per tenant, the first write that failed since its last {@link WebhookPublisher.flush}. */
  private readonly failures = new Map<string, unknown>();

  /** @param deps - the store, the host's streams, clock and logger, and what to wait for before the first write (the config's endpoints stored) */
  constructor(private readonly deps: { store: WebhookStore; streams: HostStreams; clock: Clock; logger: Logger; ready?: Promise<unknown> }) {}

  /** Subscribes to the host's streams. */
  start(): void {
    if (this.subscriptions.length > 0) return;
    const s = this.deps.streams;
    this.subscriptions.push(
      s.inbound$.subscribe((n) => {
        void this.publish(n.tenantId, { type: 'message.received', conversationId: n.conversation.id, contactId: n.contact.id, data: { message: n.message, conversation: n.conversation, contact: n.contact } });
      }),
      s.status$.subscribe((n) => {
        void this.publish(n.tenantId, { type: 'message.status', conversationId: n.conversationId, data: { conversationId: n.conversationId, status: n.status, message: n.message } });
        if (n.status === 'sent' && n.message.direction === 'outbound') {
          void this.publish(n.tenantId, { type: 'message.sent', conversationId: n.conversationId, data: { conversationId: n.conversationId, message: n.message } });
        }
      }),
      s.consent$.subscribe((n) => {
        void this.publish(n.tenantId, { type: 'consent.changed', contactId: n.entry.contactId, data: { entry: n.entry } });
      }),
      s.conversation$.subscribe((n) => {
        const type = CONVERSATION_EVENTS[n.change];
        if (type) void this.publish(n.tenantId, { type, conversationId: n.conversation.id, contactId: n.conversation.contactId, data: { change: n.change, conversation: n.conversation } });
      }),
      // the SLA timers: a reply due soon (sla.due) and one whose due time passed (sla.breached)
      s.sla$.subscribe((n) => {
        const { tenantId, type, ...data } = n;
        void this.publish(tenantId, { type, conversationId: n.conversationId, data });
      }),
    );
  }

  /**
   * Publishes an event to every enabled endpoint of the tenant subscribed to its type.
   * @param tenantId - the tenant
   * @param event - the event
   * @returns the event's id, once its deliveries are queued (undefined when it could not be queued: logged)
   */
  publish(tenantId: string, event: WebhookEventInput): Promise<string | undefined> {
    return this.queue(tenantId, event, async () => this.deps.store.subscribers(tenantId, event.type));
  }

  /**
   * Publishes to one endpoint only, whatever it subscribes to (the forward route).
   * @param tenantId - the tenant
   * @param endpointId - the endpoint
   * @param event - the event (`type` as the endpoint's body should say it)
   * @returns the event's id once queued
   */
  publishTo(tenantId: string, endpointId: string, event: Omit<WebhookEventInput, 'type'> & { type: string }, body?: (id: string) => string): Promise<string | undefined> {
    return this.queue(tenantId, event, async () => {
      const e = await this.deps.store.getEndpoint(tenantId, endpointId);
      return e?.enabled ? [e] : [];
    }, body);
  }

  private queue(tenantId: string, event: Omit<WebhookEventInput, 'type'> & { type: string }, endpoints: () => Promise<WebhookEndpoint[]>, bodyOf?: (id: string) => string): Promise<string | undefined> {
    const now = this.deps.clock.now();
    // the order of the calls is the order of the events: taken now, not when the write runs
    const seq = orderedId(now);
    const eventId = `evt_${seq.replaceAll('-', '')}`;
    const previous = this.chains.get(tenantId) ?? this.deps.ready ?? Promise.resolve();
    const write = previous.then(async () => {
      const targets = await endpoints();
      if (targets.length === 0) return;
      const body = bodyOf?.(eventId) ?? JSON.stringify({ id: eventId, type: event.type, timestamp: new Date(now).toISOString(), tenantId, data: event.data } satisfies WebhookEventBody);
      const orderKey = event.conversationId !== undefined ? `conversation:${event.conversationId}` : event.contactId !== undefined ? `contact:${event.contactId}` : `event:${eventId}`;
      const deliveries = targets.map((t, i): NewWebhookDelivery => ({
        id: `msg_${seq.replaceAll('-', '')}${i.toString(36).padStart(2, '0')}`,
        tenantId, endpointId: t.endpointId, eventId, type: event.type, orderKey, seq, body, createdAt: new Date(now),
      }));
      await this.deps.store.enqueue(deliveries);
      for (const l of this.listeners) l();
    });
    const settled = write.then(() => eventId, (error: unknown) => {
      this.deps.logger.error({ err: error, tenantId, type: event.type }, 'webhook event could not be queued');
      if (!this.failures.has(tenantId)) this.failures.set(tenantId, error);
      return undefined;
    });
    const tail = settled.then(() => undefined);
    this.chains.set(tenantId, tail);
    void tail.then(() => { if (this.chains.get(tenantId) === tail) this.chains.delete(tenantId); });
    return settled;
  }

  /**
   * Calls a function after each write to the queue (the worker's nudge).
   * @param listener - called with nothing; must not throw
   */
  onQueued(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * Resolves when every event published so far (of one tenant, or of all) is queued.
   * @param tenantId - only this tenant's events; then a write of the tenant that failed since its
   *   last flush is thrown (once), so the inbox entry that caused it is processed again
   * @throws the error of such a failed write
   */
  async flush(tenantId?: string): Promise<void> {
    if (tenantId === undefined) {
      while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
      return;
    }
    for (let c = this.chains.get(tenantId); c; c = this.chains.get(tenantId)) {
      await c;
      if (this.chains.get(tenantId) === c) break;
    }
    if (this.failures.has(tenantId)) {
      const error = this.failures.get(tenantId);
      this.failures.delete(tenantId);
      throw error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Unsubscribes and waits for the events in progress to be queued. */
  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    await this.flush();
  }
}

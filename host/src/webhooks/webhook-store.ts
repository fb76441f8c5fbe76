/**
 * The event webhooks' store, written once on the storage driver (so memory, SQLite and MongoDB all
 * have it, and one conformance suite runs on each):
 * - `webhook_endpoints`: the tenants' endpoints — from the config (kept in step at start) and made
 *   over REST. An endpoint names its secrets by environment variable; no secret is ever stored.
 * - `webhook_deliveries`: the durable queue, one entry per event and endpoint. Entries are leased
 *   (compare-and-set on the lease, so several processes sharing one database never send one entry
 *   at the same time) and delivered in order per conversation: an entry is not leased while an
 *   earlier entry of the same endpoint and order key is still pending.
 * - `webhook_attempts`: the delivery log, one record per attempt.
 * @module
 */
import type { Collection, CollectionSpec, Filter, StorageDriver } from '../stores/driver.js';
import { pageOf, type Page } from '../stores/stores.js';

/** The event types an endpoint can subscribe to. `sla.breached` is published by the SLA timers. */
export const WEBHOOK_EVENT_TYPES = [
  'message.received', 'message.sent', 'message.status', 'consent.changed',
  'conversation.opened', 'conversation.assigned', 'conversation.resolved', 'sla.due', 'sla.breached',
] as const;

/** One event type. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The reserved id of the forward route's endpoint (one per tenant with `forwarding`). */
export const FORWARD_ENDPOINT_ID = 'forward';

/** A tenant's endpoint. */
export interface WebhookEndpoint {
  /** `<tenantId>:<endpoint id>` */
  id: string;
  tenantId: string;
  /** The endpoint's own id, unique in the tenant. */
  endpointId: string;
  url: string;
  /** The event types it receives. */
  events: string[];
  /** Environment variables holding its secrets (`whsec_…`), newest first: each signs every delivery. */
  secretEnv: string[];
  description?: string;
  /** Where it is defined: the config (read-only over REST), the API, or the forward route. */
  source: 'config' | 'api' | 'forward';
  enabled: boolean;
  /** Why it was disabled, when it was (`gone`: it answered 410). */
  disabledReason?: string;
  disabledAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Where a delivery stands. `paused`: its endpoint is disabled (re-enabling resumes it). */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'paused';

/** One event for one endpoint: an entry of the durable queue. */
export interface WebhookDelivery {
  /** The `webhook-id`: the same on every attempt and on a manual redelivery. */
  id: string;
  tenantId: string;
  /** The endpoint's own id (not the store id). */
  endpointId: string;
  /** The event's id (one event goes to every subscribed endpoint). */
  eventId: string;
  type: string;
  /** Deliveries with the same key go out in `seq` order (a conversation's id, or the event's). */
  orderKey: string;
  /** Sorts in the order events were enqueued. */
  seq: string;
  /** The exact body posted. */
  body: string;
  state: DeliveryState;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date;
  leaseUntil?: Date;
  leaseOwner?: string;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: Date;
  /** Why it failed for good (`expired`, `gone`, `max-attempts`, `refused`). */
  failure?: string;
}

/** One attempt, in the delivery log. */
export interface WebhookAttempt {
  id: string;
  tenantId: string;
  endpointId: string;
  deliveryId: string;
  type: string;
  attempt: number;
  at: Date;
  /** The HTTP status, when an answer came. */
  status?: number;
  latencyMs: number;
  error?: string;
  /** What followed: delivered, retried, failed for good, or the endpoint disabled. */
  outcome: 'delivered' | 'retry' | 'failed' | 'disabled';
}

/** A delivery to enqueue: the store gives it its state. */
export type NewWebhookDelivery = Pick<WebhookDelivery, 'id' | 'tenantId' | 'endpointId' | 'eventId' | 'type' | 'orderKey' | 'seq' | 'body' | 'createdAt'>;

/** What the REST API may change on an endpoint. */
export type WebhookEndpointPatch = Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'secretEnv' | 'description' | 'enabled'>>;

const storeId = (tenantId: string, endpointId: string): string => `${tenantId}:${endpointId}`;
const SCAN = 200;

/** DI token for {@link WebhookStore}. */
export const WebhookStore = Symbol.for('switchboard.WebhookStore');
/** Endpoints, the durable delivery queue and the delivery log. Every read and write is per tenant. */
export interface WebhookStore {
  /** @returns the endpoint, or undefined (also for another tenant's) */
  getEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined>;
  /** @returns the tenant's endpoints by id */
  listEndpoints(tenantId: string, page?: Page): Promise<WebhookEndpoint[]>;
  /** @returns the tenant's enabled endpoints subscribed to a type */
  subscribers(tenantId: string, type: string): Promise<WebhookEndpoint[]>;
  /** Creates an endpoint. @returns false when the tenant has one with that id */
  createEndpoint(endpoint: WebhookEndpoint): Promise<boolean>;
  /**
   * Creates or updates an endpoint the config (or the forward route) defines; keeps whether it was
   * disabled, and removes the tenant's endpoints of that source the config no longer lists.
   */
  syncEndpoints(tenantId: string, source: 'config' | 'forward', endpoints: readonly Omit<WebhookEndpoint, 'enabled' | 'createdAt' | 'updatedAt' | 'id'>[], now: Date): Promise<void>;
  /** Changes an endpoint. Re-enabling one resumes its paused deliveries. @returns it, or undefined when missing */
  updateEndpoint(tenantId: string, endpointId: string, patch: WebhookEndpointPatch, now: Date): Promise<WebhookEndpoint | undefined>;
  /** Disables an endpoint (it answered 410) and pauses its pending deliveries. */
  disableEndpoint(tenantId: string, endpointId: string, reason: string, now: Date): Promise<void>;
  /** Deletes an endpoint with its queue and log. @returns whether it existed */
  deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean>;
  /** Enqueues deliveries in one commit (an id already queued is kept once). */
  enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<void>;
  /**
   * Leases due deliveries: pending, due, not leased by a live lease, and with no earlier pending
   * delivery of the same endpoint and order key (a delivery held back so is made due no earlier than
   * the one it waits for). @returns the leased deliveries (at most `limit`)
   */
  lease(now: Date, owner: string, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  /** Records an attempt and what follows it, while the lease is held. @returns false when the lease was lost */
  settle(delivery: WebhookDelivery, owner: string, outcome: Settlement, attempt: WebhookAttempt): Promise<boolean>;
  /** @returns a delivery of the tenant */
  getDelivery(tenantId: string, id: string): Promise<WebhookDelivery | undefined>;
  /** @returns an endpoint's deliveries, newest first, optionally in one state */
  listDeliveries(tenantId: string, endpointId: string, options?: Page & { state?: DeliveryState }): Promise<WebhookDelivery[]>;
  /** @returns an endpoint's attempts, newest first (optionally of one delivery) */
  listAttempts(tenantId: string, endpointId: string, options?: Page & { deliveryId?: string }): Promise<WebhookAttempt[]>;
  /** Queues a delivery again, due now, whatever its state. @returns it, or undefined when missing */
  redeliver(tenantId: string, id: string, now: Date): Promise<WebhookDelivery | undefined>;
  /** @returns the deliveries about a contact or one of its conversations, oldest first (a GDPR export) */
  listBySubject(tenantId: string, subject: { contactId: string; conversationIds: readonly string[] }): Promise<WebhookDelivery[]>;
  /** Deletes the deliveries about a contact or one of its conversations (GDPR erasure). @returns how many */
  deleteBySubject(tenantId: string, subject: { contactId: string; conversationIds: readonly string[] }): Promise<number>;
}

/**
 * The order keys of a contact's deliveries: its own, and its conversations'.
 * @param subject - the contact and its conversations
 * @returns the keys
 */
export function subjectOrderKeys(subject: { contactId: string; conversationIds: readonly string[] }): string[] {
  return [`contact:${subject.contactId}`, ...subject.conversationIds.map((id) => `conversation:${id}`)];
}

/** What follows an attempt. */
export type Settlement =
  | { kind: 'delivered'; at: Date; status: number }
  | { kind: 'retry'; nextAttemptAt: Date; status?: number; error?: string }
  | { kind: 'failed'; failure: string; status?: number; error?: string };

/** {@link WebhookStore} over any {@link StorageDriver}. */
export class DocumentWebhookStore implements WebhookStore {
  /** The endpoints. */
  static readonly endpointsSpec: CollectionSpec = {
    name: 'webhook_endpoints',
    fields: { tenantId: 'string', endpointId: 'string', source: 'string', enabled: 'boolean' },
    indexes: [{ fields: ['tenantId', 'endpointId'], unique: true }],
  };

  /** The delivery queue. */
  static readonly deliveriesSpec: CollectionSpec = {
    name: 'webhook_deliveries',
    fields: {
      tenantId: 'string', endpointId: 'string', eventId: 'string', orderKey: 'string', seq: 'string', state: 'string',
      nextAttemptAt: 'date', leaseUntil: 'date', leaseOwner: 'string', createdAt: 'date',
    },
    indexes: [
      { fields: ['state', 'nextAttemptAt'] },
      { fields: ['tenantId', 'endpointId', 'orderKey', 'state', 'seq'] },
      { fields: ['tenantId', 'endpointId', 'seq'] },
    ],
  };

  /** The delivery log. */
  static readonly attemptsSpec: CollectionSpec = {
    name: 'webhook_attempts',
    fields: { tenantId: 'string', endpointId: 'string', deliveryId: 'string', at: 'date', attempt: 'number' },
    indexes: [{ fields: ['tenantId', 'endpointId', 'at'] }, { fields: ['tenantId', 'deliveryId'] }],
  };

  private readonly endpoints: Collection<WebhookEndpoint>;
  private readonly deliveries: Collection<WebhookDelivery>;
  private readonly attempts: Collection<WebhookAttempt>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.endpoints = driver.collection<WebhookEndpoint>(DocumentWebhookStore.endpointsSpec);
    this.deliveries = driver.collection<WebhookDelivery>(DocumentWebhookStore.deliveriesSpec);
    this.attempts = driver.collection<WebhookAttempt>(DocumentWebhookStore.attemptsSpec);
  }

  async getEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined> {
    const e = await this.endpoints.get(storeId(tenantId, endpointId));
    return e?.tenantId === tenantId ? e : undefined;
  }

  async listEndpoints(tenantId: string, page?: Page): Promise<WebhookEndpoint[]> {
    const { limit, offset } = pageOf(page);
    return this.endpoints.find({ tenantId }, { sort: [['endpointId', 1]], limit, offset });
  }

  async subscribers(tenantId: string, type: string): Promise<WebhookEndpoint[]> {
    const all = await this.endpoints.find({ tenantId, enabled: true }, { sort: [['endpointId', 1]] });
    return all.filter((e) => e.events.includes(type));
  }

  async createEndpoint(endpoint: WebhookEndpoint): Promise<boolean> {
    return this.endpoints.insert({ ...endpoint, id: storeId(endpoint.tenantId, endpoint.endpointId) });
  }

  async syncEndpoints(tenantId: string, source: 'config' | 'forward', wanted: readonly Omit<WebhookEndpoint, 'enabled' | 'createdAt' | 'updatedAt' | 'id'>[], now: Date): Promise<void> {
    for (const e of wanted) {
      const id = storeId(tenantId, e.endpointId);
      const existing = await this.endpoints.get(id);
      if (!existing) {
        await this.endpoints.insert({ ...e, id, tenantId, source, enabled: true, createdAt: now, updatedAt: now });
        continue;
      }
      const set: Record<string, unknown> = { url: e.url, events: [...e.events], secretEnv: [...e.secretEnv], source, description: e.description, updatedAt: now };
      await this.endpoints.updateOne({ id }, { $set: set });
    }
    const keep = wanted.map((e) => e.endpointId);
    await this.endpoints.deleteMany({ tenantId, source, endpointId: { $nin: keep } });
  }

  async updateEndpoint(tenantId: string, endpointId: string, patch: WebhookEndpointPatch, now: Date): Promise<WebhookEndpoint | undefined> {
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
    const unset = patch.enabled === true ? ['disabledReason', 'disabledAt'] : [];
    const updated = await this.endpoints.updateOne({ id: storeId(tenantId, endpointId), tenantId }, { $set: set, ...(unset.length ? { $unset: unset } : {}) });
    if (updated && patch.enabled === true) {
      await this.deliveries.updateMany({ tenantId, endpointId, state: 'paused' }, { $set: { state: 'pending', nextAttemptAt: now } });
    }
    if (updated && patch.enabled === false) await this.pause(tenantId, endpointId);
    return updated;
  }

  private async pause(tenantId: string, endpointId: string): Promise<void> {
    await this.deliveries.updateMany({ tenantId, endpointId, state: 'pending' }, { $set: { state: 'paused' }, $unset: ['leaseUntil', 'leaseOwner'] });
  }

  async disableEndpoint(tenantId: string, endpointId: string, reason: string, now: Date): Promise<void> {
    await this.endpoints.updateOne({ id: storeId(tenantId, endpointId), tenantId }, { $set: { enabled: false, disabledReason: reason, disabledAt: now, updatedAt: now } });
    await this.pause(tenantId, endpointId);
  }

  async deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean> {
    const n = await this.endpoints.deleteMany({ id: storeId(tenantId, endpointId), tenantId });
    await this.deliveries.deleteMany({ tenantId, endpointId });
    await this.attempts.deleteMany({ tenantId, endpointId });
    return n > 0;
  }

  async enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.deliveries.insertMany(deliveries.map((d): WebhookDelivery => ({ ...d, state: 'pending', attempts: 0, nextAttemptAt: d.createdAt })));
  }

  async lease(now: Date, owner: string, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    const free: Filter = { $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] };
    const candidates = await this.deliveries.find({ state: 'pending', nextAttemptAt: { $lte: now }, ...free }, { sort: [['seq', 1]], limit: SCAN });
    const leased: WebhookDelivery[] = [];
    // per lane seen this round: the time its later entries are due no earlier than (undefined: none)
    const held = new Map<string, Date | undefined>();
    // not due before the entry it waits for: a lane held back by a failing endpoint does not fill
    // the scan and starve the other endpoints and tenants
    const holdBack = async (c: WebhookDelivery, until: Date | undefined): Promise<void> => {
      if (until && until > c.nextAttemptAt) await this.deliveries.updateOne({ id: c.id, state: 'pending' }, { $max: { nextAttemptAt: until } });
    };
    for (const c of candidates) {
      if (leased.length >= limit) break;
      const lane = `${c.tenantId}\u0000${c.endpointId}\u0000${c.orderKey}`;
      if (held.has(lane)) { await holdBack(c, held.get(lane)); continue; }
      // an earlier pending entry of the lane (due later, or leased elsewhere) holds this one back
      const earlier = await this.deliveries.findOne({ tenantId: c.tenantId, endpointId: c.endpointId, orderKey: c.orderKey, state: 'pending', seq: { $lt: c.seq } });
      if (earlier) { held.set(lane, earlier.nextAttemptAt); await holdBack(c, earlier.nextAttemptAt); continue; }
      held.set(lane, undefined);
      const got = await this.deliveries.updateOne(
        { id: c.id, state: 'pending', ...free },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } },
      );
      if (got) leased.push(got);
    }
    return leased;
  }

  async settle(delivery: WebhookDelivery, owner: string, outcome: Settlement, attempt: WebhookAttempt): Promise<boolean> {
    const common = { attempts: attempt.attempt, ...(outcome.kind !== 'delivered' && outcome.error !== undefined ? { lastError: outcome.error } : {}) };
    const status = outcome.status !== undefined ? { lastStatus: outcome.status } : {};
    const set = outcome.kind === 'delivered'
      ? { ...common, ...status, state: 'delivered', deliveredAt: outcome.at }
      : outcome.kind === 'retry'
        ? { ...common, ...status, state: 'pending', nextAttemptAt: outcome.nextAttemptAt }
        : { ...common, ...status, state: 'failed', failure: outcome.failure };
    const updated = await this.deliveries.updateOne({ id: delivery.id, state: 'pending', leaseOwner: owner }, { $set: set, $unset: ['leaseUntil', 'leaseOwner'] });
    // the log is written after: an attempt whose lease was lost is still an attempt that was made
    await this.attempts.insert(attempt);
    return updated !== undefined;
  }

  async getDelivery(tenantId: string, id: string): Promise<WebhookDelivery | undefined> {
    const d = await this.deliveries.get(id);
    return d?.tenantId === tenantId ? d : undefined;
  }

  async listDeliveries(tenantId: string, endpointId: string, options: Page & { state?: DeliveryState } = {}): Promise<WebhookDelivery[]> {
    const { limit, offset } = pageOf(options);
    return this.deliveries.find({ tenantId, endpointId, ...(options.state ? { state: options.state } : {}) }, { sort: [['seq', -1]], limit, offset });
  }

  async listAttempts(tenantId: string, endpointId: string, options: Page & { deliveryId?: string } = {}): Promise<WebhookAttempt[]> {
    const { limit, offset } = pageOf(options);
    const filter: Filter = { tenantId, endpointId, ...(options.deliveryId ? { deliveryId: options.deliveryId } : {}) };
    return this.attempts.find(filter, { sort: [['at', -1], ['attempt', -1]], limit, offset });
  }

  async redeliver(tenantId: string, id: string, now: Date): Promise<WebhookDelivery | undefined> {
    return this.deliveries.updateOne({ id, tenantId }, { $set: { state: 'pending', nextAttemptAt: now }, $unset: ['leaseUntil', 'leaseOwner', 'failure', 'deliveredAt'] });
  }

  async listBySubject(tenantId: string, subject: { contactId: string; conversationIds: readonly string[] }): Promise<WebhookDelivery[]> {
    return this.deliveries.find({ tenantId, orderKey: { $in: subjectOrderKeys(subject) } }, { sort: [['seq', 1]] });
  }

  async deleteBySubject(tenantId: string, subject: { contactId: string; conversationIds: readonly string[] }): Promise<number> {
    return this.deliveries.deleteMany({ tenantId, orderKey: { $in: subjectOrderKeys(subject) } });
  }

  /** Every collection of the store. */
  static readonly collections: readonly CollectionSpec[] = [DocumentWebhookStore.endpointsSpec, DocumentWebhookStore.deliveriesSpec, DocumentWebhookStore.attemptsSpec];
}

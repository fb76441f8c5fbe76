/**
 * The `integrations` feature: event webhooks for integrators. The tenants' endpoints from the
 * config (and each forwarding endpoint) are kept in step with the store at start; the publisher
 * queues every event of the host's streams for the subscribed endpoints; the worker delivers the
 * queue; `/v1/webhook-endpoints` manages endpoints and reads the delivery log.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { ContactDataHandler } from '../compliance/contact-data.js';
import type { TenantConfig } from '../config/host-config.js';
import type { HostFeature } from '../features.js';
import { retryPolicyOf, type WebhookRetryPolicy } from './webhook-config.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookPublisher } from './webhook-publisher.js';
import { mountWebhookRoutes } from './webhook-routes.js';
import { FORWARD_ENDPOINT_ID, type WebhookDelivery, type WebhookEndpoint, type WebhookStore } from './webhook-store.js';
import { signForward } from '../routing/forwarder.js';

/** The feature's name (its operations' area). */
export const INTEGRATIONS_FEATURE = 'integrations';

/**
 * Writes the config's endpoints (and the forward route's) of every tenant to the store.
 * @param store - the webhook store
 * @param tenants - the tenants
 * @param now - the host clock's time
 */
export async function syncConfiguredEndpoints(store: WebhookStore, tenants: Iterable<TenantConfig>, now: Date): Promise<void> {
  for (const t of tenants) {
    await store.syncEndpoints(t.id, 'config', (t.webhooks?.endpoints ?? []).map((e) => ({
      tenantId: t.id, endpointId: e.id, url: e.url, events: [...e.events], secretEnv: typeof e.secretEnv === 'string' ? [e.secretEnv] : [...e.secretEnv],
      source: 'config' as const, ...(e.description !== undefined ? { description: e.description } : {}),
    })), now);
    await store.syncEndpoints(t.id, 'forward', t.forwarding ? [{ tenantId: t.id, endpointId: FORWARD_ENDPOINT_ID, url: t.forwarding.url, events: [], secretEnv: [], source: 'forward' as const }] : [], now);
  }
}

/**
 * The secrets that sign a tenant's endpoint's deliveries: the forwarding secret for the forward
 * route, otherwise the values of the endpoint's environment variables (unset ones left out).
 * @param tenants - tenants by id
 * @param env - the environment (default `process.env`)
 * @returns the resolver
 */
export function endpointSecrets(tenants: ReadonlyMap<string, TenantConfig>, env: NodeJS.ProcessEnv = process.env): (e: WebhookEndpoint) => string[] {
  return (e) => {
    if (e.source === 'forward') {
      const secret = tenants.get(e.tenantId)?.forwarding?.secret;
      return secret ? [secret] : [];
    }
    return e.secretEnv.map((name) => env[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  };
}

/**
 * The forward route's former headers, still sent beside the Standard Webhooks ones so receivers
 * written for them keep working: `x-switchboard-event-id` (the body's id) and
 * `x-switchboard-signature: t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the forwarding secret.
 * @returns the dispatcher's `extraHeaders`
 */
export function forwardHeaders(): (endpoint: WebhookEndpoint, delivery: WebhookDelivery, timestamp: number, secrets: readonly string[]) => Record<string, string> {
  return (endpoint, delivery, timestamp, secrets): Record<string, string> => {
    if (endpoint.source !== 'forward' || secrets[0] === undefined) return {};
    let id = delivery.eventId;
    try { id = String((JSON.parse(delivery.body) as { id?: unknown }).id ?? id); } catch { /* the body is always JSON the host wrote */ }
    return { 'x-switchboard-event-id': id, 'x-switchboard-signature': signForward(secrets[0], delivery.body, timestamp) };
  };
}

/**
 * The retry policy of a tenant's endpoint: the forward route keeps its `forwarding` settings
 * (first delay 500 ms, 6 attempts by default); the others follow `webhooks.retry`.
 * @param tenants - tenants by id
 * @returns the resolver
 */
export function endpointRetry(tenants: ReadonlyMap<string, TenantConfig>): (tenantId: string, endpointId: string) => WebhookRetryPolicy {
  return (tenantId, endpointId) => {
    const t = tenants.get(tenantId);
    const policy = retryPolicyOf(t?.webhooks?.retry);
    if (endpointId !== FORWARD_ENDPOINT_ID || !t?.forwarding) return policy;
    const f = t.forwarding;
    return { ...policy, baseDelayMs: f.baseDelayMs ?? 500, maxAttempts: f.maxAttempts ?? 6, timeoutMs: f.timeoutMs ?? 10_000 };
  };
}

/**
 * The webhook queue's part in a contact's export and erasure: the bodies queued for endpoints hold
 * what the events held (messages, the contact, consent entries).
 * @param store - the webhook store
 * @returns the handler (named `webhook-deliveries`)
 */
export function webhookDataHandler(store: WebhookStore): ContactDataHandler {
  return {
    name: 'webhook-deliveries',
    export: async (s) => (await store.listBySubject(s.tenantId, s)).map((d) => ({ id: d.id, endpointId: d.endpointId, type: d.type, state: d.state, createdAt: d.createdAt, body: safeJson(d.body) })),
    erase: async (s) => ({ deleted: await store.deleteBySubject(s.tenantId, s) }),
  };
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) as unknown; } catch { return text; }
}

/** The feature, with its parts (tests and embedding code drive the worker with `dispatcher.drain()`). */
export interface IntegrationsFeature extends HostFeature {
  readonly store: WebhookStore;
  readonly publisher: WebhookPublisher;
  readonly dispatcher: WebhookDispatcher;
}

/**
 * Builds the feature.
 * @param deps - the store, publisher (already listening), worker, clock and logger, and the start-up sync
 * @returns the feature
 */
export function integrationsFeatureOf(deps: { store: WebhookStore; publisher: WebhookPublisher; dispatcher: WebhookDispatcher; clock: Clock; logger: Logger; ready: Promise<void> }): IntegrationsFeature {
  deps.publisher.onQueued(() => deps.dispatcher.nudge());
  return {
    name: INTEGRATIONS_FEATURE,
    store: deps.store,
    publisher: deps.publisher,
    dispatcher: deps.dispatcher,
    v1Routes(v1) {
      mountWebhookRoutes(v1, { store: deps.store, clock: deps.clock, nudge: () => deps.dispatcher.nudge() });
    },
    async start() {
      await deps.ready;
      deps.dispatcher.start();
    },
    async stop() {
      await deps.publisher.stop();
      await deps.dispatcher.stop();
    },
  };
}

/**
 * The integrations area's bindings: the webhook store (on the host's storage driver), the publisher
 * that queues the host's events for integrators' endpoints, the delivery worker, and the built-in
 * `integrations` feature (`/v1/webhook-endpoints`, the worker's life).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { ContactDataHandler } from '../compliance/contact-data.js';
import { hostFeatureModule } from '../features.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { HostOptions, HostTenants } from '../host-options.js';
import { abortablePlatformFetch, PlatformCalls } from '../platform-calls.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import { WebhookPublisher } from '../webhooks/webhook-publisher.js';
import { DocumentWebhookStore, WebhookStore } from '../webhooks/webhook-store.js';
import { endpointRetry, endpointSecrets, forwardHeaders, webhookDataHandler, integrationsFeatureOf, INTEGRATIONS_FEATURE, syncConfiguredEndpoints } from '../webhooks/webhooks-feature.js';

/** Resolves when the config's endpoints are in the store (the publisher waits for it). */
const WebhooksReady = Symbol.for('switchboard.WebhooksReady');

/** Binds `WebhookStore`, `WebhookPublisher` (listening from the start), `WebhookDispatcher` and the queue's `ContactDataHandler`. */
export const integrationsModule = new ContainerModule(({ bind }) => {
  bind<WebhookStore>(WebhookStore).toDynamicValue((c) => new DocumentWebhookStore(c.get<HostStores>(HostStores).driver)).inSingletonScope();
  // wrapped: the container would take a bare promise for an asynchronous service
  bind<{ ready: Promise<void> }>(WebhooksReady).toDynamicValue((c) => {
    const logger = c.get<Logger>(Logger);
    const ready = syncConfiguredEndpoints(c.get<WebhookStore>(WebhookStore), c.get<HostTenants>(HostTenants).values(), new Date(c.get<Clock>(Clock).now()))
      .catch((error: unknown) => { logger.error({ err: error }, 'webhook endpoints of the config could not be stored'); });
    return { ready };
  }).inSingletonScope();
  bind(WebhookPublisher).toDynamicValue((c) => {
    const publisher = new WebhookPublisher({
      store: c.get<WebhookStore>(WebhookStore), streams: c.get<HostStreams>(HostStreams), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger),
      ready: c.get<{ ready: Promise<void> }>(WebhooksReady).ready,
    });
    publisher.start();
    return publisher;
  }).inSingletonScope();
  bind(WebhookDispatcher).toDynamicValue((c) => {
    const options = c.get<HostOptions>(HostOptions);
    const tenants = c.get<HostTenants>(HostTenants);
    // deliveries are cut at the stop deadline like platform calls
    const fetch = abortablePlatformFetch(c.get<PlatformCalls>(PlatformCalls).signal, options.fetch);
    return new WebhookDispatcher({
      store: c.get<WebhookStore>(WebhookStore), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), fetch,
      secretsOf: endpointSecrets(tenants), retryOf: endpointRetry(tenants), extraHeaders: forwardHeaders(),
    });
  }).inSingletonScope();
  // the queued bodies hold what the events held: they take part in a contact's export and erasure
  bind<ContactDataHandler>(ContactDataHandler).toDynamicValue((c) => webhookDataHandler(c.get<WebhookStore>(WebhookStore))).inSingletonScope();
});

/** The built-in `integrations` feature. */
export const integrationsFeatureModule = hostFeatureModule(INTEGRATIONS_FEATURE, (c) => {
  const publisher = c.get(WebhookPublisher);
  // an inbox entry is done only once the events it caused are in the queue
  c.get(InboxProcessor).addSettleHook((tenantId) => publisher.flush(tenantId));
  return integrationsFeatureOf({
    store: c.get<WebhookStore>(WebhookStore), publisher, dispatcher: c.get(WebhookDispatcher),
    clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), ready: c.get<{ ready: Promise<void> }>(WebhooksReady).ready,
  });
});

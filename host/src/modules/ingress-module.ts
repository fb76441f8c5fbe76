/**
 * The ingress area's bindings: the webhook ingress (verify, parse, write to the inbox, answer),
 * which wakes the inbox processor and tells every feature of each answered webhook.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { HostFeature } from '../features.js';
import { HostOptions } from '../host-options.js';
import { WebhookIngress } from '../ingress/webhook-ingress.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { HostStores } from '../stores/stores.js';

/** Binds `WebhookIngress` (body limit `HostOptions.maxWebhookBytes`). */
export const ingressModule = new ContainerModule(({ bind }) => {
  bind(WebhookIngress).toDynamicValue((c) => {
    const processor = c.get(InboxProcessor);
    const observers = c.getAll<HostFeature>(HostFeature, { optional: true }).filter((f) => f.onWebhook);
    const { maxWebhookBytes } = c.get<HostOptions>(HostOptions);
    return new WebhookIngress({
      registry: c.get<ConnectorRegistry>(ConnectorRegistry), stores: c.get<HostStores>(HostStores), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger),
      onInboxWrite: () => processor.kick(),
      onAnswered: (info) => { for (const f of observers) f.onWebhook!(info); },
      ...(maxWebhookBytes ? { maxBodyBytes: maxWebhookBytes } : {}),
    });
  }).inSingletonScope();
});

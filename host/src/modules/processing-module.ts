/**
 * The processing area's bindings: the inbox processor (the inbound pipeline from a stored webhook
 * event to the router), with `HostOptions.processor`.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { ConsentService } from '../consent/consent-service.js';
import { HostOptions, HostTenants } from '../host-options.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { InboundRouter } from '../processing/inbound-router.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';

/** Binds `InboxProcessor`, routing through whatever is bound as `InboundRouter`. */
export const processingModule = new ContainerModule(({ bind }) => {
  bind(InboxProcessor).toDynamicValue((c) => new InboxProcessor({
    stores: c.get<HostStores>(HostStores), streams: c.get<HostStreams>(HostStreams), registry: c.get<ConnectorRegistry>(ConnectorRegistry),
    tenants: c.get<HostTenants>(HostTenants), router: c.get<InboundRouter>(InboundRouter), consent: c.get(ConsentService),
    clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger),
  }, c.get<HostOptions>(HostOptions).processor)).inSingletonScope();
});

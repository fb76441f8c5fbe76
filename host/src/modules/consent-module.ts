/**
 * The consent area's bindings: the consent service (the ledger's one writer) and the built-in
 * consent feature (opt-in flows, address links, the tenant's identity).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { HostConfig } from '../config/host-config.js';
import { consentFeatureOf } from '../consent/consent-feature.js';
import { ConsentService } from '../consent/consent-service.js';
import { hostFeatureModule } from '../features.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';

/** Binds `ConsentService`: the inbox, the API, the outbound path and the features record consent through it. */
export const consentModule = new ContainerModule(({ bind }) => {
  bind(ConsentService).toDynamicValue((c) => new ConsentService({ stores: c.get<HostStores>(HostStores), streams: c.get<HostStreams>(HostStreams) })).inSingletonScope();
});

/** The built-in `consent` feature (its secret from the config's `optInSecret`), its hooks added to the inbox processor. */
export const consentFeatureModule = hostFeatureModule('consent', (c) => {
  const { optInSecret } = c.get<HostConfig>(HostConfig);
  return consentFeatureOf({
    stores: c.get<HostStores>(HostStores), consent: c.get(ConsentService), registry: c.get<ConnectorRegistry>(ConnectorRegistry),
    gateway: c.get<OutboundGateway>(OutboundGateway), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), processor: c.get(InboxProcessor),
  }, optInSecret ? { secret: optInSecret } : {});
});

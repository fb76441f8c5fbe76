/**
 * The outbound area's bindings: the outbound runtime (policy, outbox, dispatcher, templates) and
 * its gateway — the one port every send goes through — and the built-in `outbound` feature (the
 * `/v1/messages`, decisions, notifications and templates routes).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { ConsentService } from '../consent/consent-service.js';
import { HostFeatureContext, hostFeatureModule } from '../features.js';
import { HostOptions, HostTenants } from '../host-options.js';
import { MediaRuntime } from '../media/media-feature.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { outboundFeature } from '../outbound/outbound-routes.js';
import { OutboundRuntime } from '../outbound/outbound-runtime.js';
import { PlatformCalls } from '../platform-calls.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';

/**
 * Binds `OutboundRuntime` (with `HostOptions.outbound` and `documents`; it sends stored files, so it
 * has the media store and its URLs) and `OutboundGateway` (the runtime's policy-enforcing gateway;
 * `createHost` rebinds it to `HostOptions.gateway`'s when one is given).
 */
export const outboundModule = new ContainerModule(({ bind }) => {
  bind(OutboundRuntime).toDynamicValue((c) => {
    const options = c.get<HostOptions>(HostOptions);
    const media = c.get<MediaRuntime>(MediaRuntime);
    return new OutboundRuntime({
      stores: c.get<HostStores>(HostStores), streams: c.get<HostStreams>(HostStreams), connectors: c.get<ConnectorRegistry>(ConnectorRegistry),
      tenants: c.get<HostTenants>(HostTenants), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), consent: c.get(ConsentService),
      platformCalls: c.get<PlatformCalls>(PlatformCalls).signal, media: { store: media.store, urls: media.urls },
      ...(options.documents ? { documents: options.documents } : {}),
    }, options.outbound);
  }).inSingletonScope();
  bind<OutboundGateway>(OutboundGateway).toDynamicValue((c) => c.get(OutboundRuntime).gateway).inSingletonScope();
});

/** The built-in `outbound` feature: its routes take the whole {@link HostFeatureContext} view. */
export const outboundFeatureModule = hostFeatureModule('outbound', (c) => outboundFeature(c.get<HostFeatureContext>(HostFeatureContext)));

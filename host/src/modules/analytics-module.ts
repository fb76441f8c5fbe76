/**
 * The analytics area's contribution: the built-in `analytics` feature (costs, the service report,
 * Prometheus metrics), its metrics token from the config.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { analyticsFeatureOf } from '../analytics/analytics-feature.js';
import { HostConfig } from '../config/host-config.js';
import { EventFeed } from '../events/event-feed.js';
import { hostFeatureModule } from '../features.js';
import { HostTenants } from '../host-options.js';
import { MediaStore } from '../media/media-store.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';

/** The built-in `analytics` feature, reading the host's `EventFeed`. */
export const analyticsFeatureModule = hostFeatureModule('analytics', (c) => {
  const { metricsToken } = c.get<HostConfig>(HostConfig);
  const feed = c.get<EventFeed>(EventFeed);
  return analyticsFeatureOf({
    stores: c.get<HostStores>(HostStores), streams: c.get<HostStreams>(HostStreams), tenants: c.get<HostTenants>(HostTenants),
    registry: c.get<ConnectorRegistry>(ConnectorRegistry), clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger),
    media: c.get<MediaStore>(MediaStore), feed: () => feed,
  }, metricsToken ? { metricsToken } : {});
});

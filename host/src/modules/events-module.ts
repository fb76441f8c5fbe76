/**
 * The events area's bindings: the host's event feed (the tenant's streams as Server-Sent Events,
 * with a replay log), the event log's part in a contact's export and erasure, and the built-in
 * `events` feature (`GET /v1/events`, the feed's life).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { ContactDataHandler } from '../compliance/contact-data.js';
import { HostConfig } from '../config/host-config.js';
import { EventFeed, HostEventFeed } from '../events/event-feed.js';
import { eventLogDataHandler, eventsFeatureOf } from '../events/events-feature.js';
import { hostFeatureModule } from '../features.js';
import { HostStores } from '../stores/stores.js';
import { containStreamErrors, HostStreams } from '../streams.js';

/**
 * Binds `HostEventFeed` (limits from the config's `streams`), `EventFeed` (that feed: the console's
 * stream and the metrics read it) and the event log's `ContactDataHandler`.
 */
export const eventsModule = new ContainerModule(({ bind }) => {
  bind(HostEventFeed).toDynamicValue((c) => {
    const logger = c.get<Logger>(Logger);
    containStreamErrors(logger);
    const stores = c.get<HostStores>(HostStores);
    return new HostEventFeed({ store: stores.events, streams: c.get<HostStreams>(HostStreams), clock: c.get<Clock>(Clock), logger }, c.get<HostConfig>(HostConfig).streams ?? {});
  }).inSingletonScope();
  bind<EventFeed>(EventFeed).toService(HostEventFeed);
  bind<ContactDataHandler>(ContactDataHandler).toDynamicValue((c) => eventLogDataHandler(c.get<HostStores>(HostStores).events)).inSingletonScope();
});

/** The built-in `events` feature, on the host's feed. */
export const eventsFeatureModule = hostFeatureModule('events', (c) => eventsFeatureOf(c.get(HostEventFeed)));

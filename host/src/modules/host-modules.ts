/**
 * The host's container modules, in one place: `createHost` binds the host-level values (config,
 * options, tenants, logger, clock, platform fetch, stores, streams, connectors, media runtime),
 * loads {@link HOST_MODULES}, then the {@link BUILT_IN_FEATURES} no feature of
 * `HostOptions.features` replaces.
 *
 * | module | binds |
 * | --- | --- |
 * | consentModule | `ConsentService` |
 * | routingModule | `ConversationService`, `Forwarder`, `Router`, `InboundRouter` |
 * | processingModule | `InboxProcessor` |
 * | ingressModule | `WebhookIngress` |
 * | outboundModule | `OutboundRuntime`, `OutboundGateway` |
 * | mediaModule | `MediaStore`, `MediaUrls` |
 * | eventsModule | `HostEventFeed`, `EventFeed`, `ContactDataHandler` (the event log) |
 * | searchModule | `InboxSearch` |
 * | assignmentFeatureModule | `AssignmentService` (presence, auto-assignment, business hours, SLA timers) and the `assignment` feature |
 * | integrationsModule | `WebhookStore`, `WebhookPublisher`, `WebhookDispatcher` (event webhooks) |
 * | crmModule | `ContactContextService` (a contact's CRM context, cached) |
 * @module
 */
import type { ContainerModule } from '@switchboard/core/di';
import type { HostFeatureModule } from '../features.js';
import { analyticsFeatureModule } from './analytics-module.js';
import { assignmentFeatureModule } from './assignment-module.js';
import { complianceFeatureModule } from './compliance-module.js';
import { consentFeatureModule, consentModule } from './consent-module.js';
import { consoleFeatureModule } from './console-module.js';
import { eventsFeatureModule, eventsModule } from './events-module.js';
import { ingressModule } from './ingress-module.js';
import { mediaFeatureModule, mediaModule } from './media-module.js';
import { outboundFeatureModule, outboundModule } from './outbound-module.js';
import { processingModule } from './processing-module.js';
import { routingModule } from './routing-module.js';
import { searchModule } from './search-module.js';
import { integrationsFeatureModule, integrationsModule } from './integrations-module.js';
import { crmModule } from './crm-module.js';

/** The services of every host area. */
export const HOST_MODULES: readonly ContainerModule[] = [consentModule, routingModule, processingModule, ingressModule, outboundModule, mediaModule, eventsModule, searchModule, integrationsModule, crmModule];

/** The built-in features, in the order they are mounted, started (and stopped in reverse). */
export const BUILT_IN_FEATURES: readonly HostFeatureModule[] = [
  eventsFeatureModule, outboundFeatureModule, mediaFeatureModule, consentFeatureModule, complianceFeatureModule, analyticsFeatureModule, consoleFeatureModule,
  assignmentFeatureModule,
  integrationsFeatureModule,
];

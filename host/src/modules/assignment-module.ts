/**
 * The assignment area's contribution: the `AssignmentService` (presence, automatic assignment,
 * business hours, SLA timers) on the host's storage driver, and the built-in `assignment` feature.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule, type ResolutionContext } from '@switchboard/core/di';
import { assignmentFeature } from '../assignment/assignment-feature.js';
import { AssignmentService, AssignmentServiceImpl } from '../assignment/assignment-service.js';
import { assignmentDataHandler, AssignmentStore } from '../assignment/assignment-store.js';
import { ContactDataHandler } from '../compliance/contact-data.js';
import { HostFeature, type HostFeatureModule } from '../features.js';
import { HostTenants } from '../host-options.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { ConversationService } from '../routing/conversation-service.js';
import { HostStores } from '../stores/stores.js';
import { HostStreams } from '../streams.js';

function buildService(c: ResolutionContext): AssignmentServiceImpl {
  const stores = c.get<HostStores>(HostStores);
  return new AssignmentServiceImpl({
    store: new AssignmentStore(stores.driver), agents: stores.agents, conversationStore: stores.conversations,
    conversations: c.get(ConversationService), gateway: c.get<OutboundGateway>(OutboundGateway), streams: c.get<HostStreams>(HostStreams),
    clock: c.get<Clock>(Clock), tenants: c.get<HostTenants>(HostTenants), logger: c.get<Logger>(Logger),
  });
}

/** The built-in `assignment` feature: binds `AssignmentService`, its `ContactDataHandler` (export and erasure) and contributes the feature. */
export const assignmentFeatureModule: HostFeatureModule = {
  name: 'assignment',
  module: new ContainerModule(({ bind }) => {
    bind<AssignmentServiceImpl>(AssignmentService).toDynamicValue(buildService).inSingletonScope();
    bind<ContactDataHandler>(ContactDataHandler).toDynamicValue((c) => assignmentDataHandler(new AssignmentStore(c.get<HostStores>(HostStores).driver))).inSingletonScope();
    bind<HostFeature>(HostFeature).toDynamicValue((c) => assignmentFeature(c.get<AssignmentServiceImpl>(AssignmentService), c.get<Logger>(Logger))).inSingletonScope();
  }),
};

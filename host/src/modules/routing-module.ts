/**
 * The routing area's bindings: the conversation service, the forwarder to the integrator's
 * endpoints, and the router (the inbound path's last step, bound as processing's `InboundRouter`).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { HostConfig } from '../config/host-config.js';
import { HostOptions, HostTenants } from '../host-options.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { abortablePlatformFetch, PlatformCalls } from '../platform-calls.js';
import { InboundRouter } from '../processing/inbound-router.js';
import { instantiateBotHandler } from '../routing/bot-handler.js';
import { ConversationService } from '../routing/conversation-service.js';
import { Forwarder } from '../routing/forwarder.js';
import { Router } from '../routing/router.js';
import { ContactContextService } from '../crm/contact-context-service.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { HostStores } from '../stores/stores.js';

/** Binds `ConversationService`, `Forwarder` (`HostOptions.fetch` and `sleep`), `Router` and `InboundRouter` (the router). */
export const routingModule = new ContainerModule(({ bind }) => {
  bind(ConversationService).toSelf().inSingletonScope();
  bind(Forwarder).toDynamicValue((c) => {
    const options = c.get<HostOptions>(HostOptions);
    // forwards are cut at the stop deadline like platform calls
    const fetch = abortablePlatformFetch(c.get<PlatformCalls>(PlatformCalls).signal, options.fetch);
    return new Forwarder({ fetch, clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), ...(options.sleep ? { sleep: options.sleep } : {}) });
  }).inSingletonScope();
  bind(Router).toDynamicValue((c) => new Router({
    tenants: c.get<HostTenants>(HostTenants),
    bots: new Map(Object.entries(c.get<HostConfig>(HostConfig).bots).map(([name, reg]) => [name, instantiateBotHandler(reg)])),
    conversations: c.get(ConversationService), gateway: c.get<OutboundGateway>(OutboundGateway), forwarder: c.get(Forwarder), logger: c.get<Logger>(Logger),
    contactContext: c.get<ContactContextService>(ContactContextService),
    knowledge: new Knowledge(c.get<HostStores>(HostStores).agents),
  })).inSingletonScope();
  bind<InboundRouter>(InboundRouter).toService(Router);
});

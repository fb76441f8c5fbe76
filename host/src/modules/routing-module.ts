/**
 * The routing area's bindings: the conversation service, the forwarder to the integrator's
 * endpoints, and the router (the inbound path's last step, bound as processing's `InboundRouter`).
 * @module
 */
import { Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { HostConfig } from '../config/host-config.js';
import { HostTenants } from '../host-options.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { InboundRouter } from '../processing/inbound-router.js';
import { instantiateBotHandler } from '../routing/bot-handler.js';
import { ConversationService } from '../routing/conversation-service.js';
import { Forwarder } from '../routing/forwarder.js';
import { Router } from '../routing/router.js';
import { WebhookPublisher } from '../webhooks/webhook-publisher.js';
import { ContactContextService } from '../crm/contact-context-service.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { HostStores } from '../stores/stores.js';

/** Binds `ConversationService`, `Forwarder` (onto the webhook publisher), `Router` and `InboundRouter` (the router). */
export const routingModule = new ContainerModule(({ bind }) => {
  bind(ConversationService).toSelf().inSingletonScope();
  // forwarded events go through the event webhooks' durable queue (integrations module)
  bind(Forwarder).toDynamicValue((c) => new Forwarder({ publisher: c.get(WebhookPublisher), logger: c.get<Logger>(Logger) })).inSingletonScope();
  bind(Router).toDynamicValue((c) => new Router({
    tenants: c.get<HostTenants>(HostTenants),
    bots: new Map(Object.entries(c.get<HostConfig>(HostConfig).bots).map(([name, reg]) => [name, instantiateBotHandler(reg)])),
    conversations: c.get(ConversationService), gateway: c.get<OutboundGateway>(OutboundGateway), forwarder: c.get(Forwarder), logger: c.get<Logger>(Logger),
    contactContext: c.get<ContactContextService>(ContactContextService),
    knowledge: new Knowledge(c.get<HostStores>(HostStores).agents),
  })).inSingletonScope();
  bind<InboundRouter>(InboundRouter).toService(Router);
});

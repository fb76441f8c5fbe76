/**
 * The console's own JSON API under `/console/api/*`, authenticated by the session cookie (CSRF
 * token on every state-changing call). It reuses the host's services: the stores, the
 * ConversationService for actions, the OutboundService for the reply box (evaluate = the dry
 * run that explains why a message cannot go; send = the policy-checked path every message
 * takes), the template registry and the consent ledger. Each resource's routes are in their own
 * module under `routes/`, given only the services they use; this module builds the router, its
 * middleware in order (JSON body, shape guard, no-store; the login; the session and CSRF checks),
 * and mounts them.
 * @module
 */
import { mountAssignmentConsoleRoutes } from '../assignment/assignment-routes.js';
import { AssignmentService, type AssignmentServiceImpl } from '../assignment/assignment-service.js';
import type { Clock, Logger } from '@switchboard/core';
import express, { type Response } from 'express';
import { jsonShapeGuard } from '../api/validation.js';
import { consentServiceIn } from '../consent/consent-service.js';
import { EventFeed } from '../events/event-feed.js';
import type { HostFeatureContext } from '../features.js';
import { mimeEssence } from '../media/media-policy.js';
import type { AgentStore } from './agent-store.js';
import { callerOf, type ConsoleAuth } from './console-auth.js';
import type { ConsoleMediaDeps } from './console-media.js';
import { isConsoleUpload, mountConsoleMediaRoutes } from './console-media-routes.js';
import type { DeviceCookies } from './device-cookie.js';
import type { LoginLimiter } from './login-limiter.js';
import type { ScryptParams } from './password.js';
import { idParam, loadConversation, type ComposerDeps } from './routes/console-route-kit.js';
import { mountContactRoutes } from './routes/contact-routes.js';
import { mountContactContextRoute } from '../crm/contact-context-routes.js';
import { contactContextServiceIn } from '../crm/contact-context-service.js';
import { Knowledge } from '../knowledge/knowledge.js';
import { mountKnowledgeRoutes } from '../knowledge/knowledge-routes.js';
import { mountConversationActionRoutes } from './routes/conversation-action-routes.js';
import { mountConversationRoutes } from './routes/conversation-routes.js';
import { mountEventRoutes } from './routes/event-routes.js';
import { mountInboxRoutes } from './routes/inbox-routes.js';
import { mountMessageRoutes } from './routes/message-routes.js';
import { mountLoginRoute, mountSessionRoutes } from './routes/session-routes.js';
import { mountTenantRoutes } from './routes/tenant-routes.js';
import { mountConsoleSearchRoutes } from './routes/search-routes.js';
import { InboxSearch } from '../search/inbox-search.js';

export { templateContent } from './routes/message-routes.js';

/** Dependencies of the console API. */
export interface ConsoleApiDeps {
  ctx: HostFeatureContext;
  agents: AgentStore;
  auth: ConsoleAuth;
  limiter: LoginLimiter;
  /** Device cookies: a browser that logged in before is not slowed by others' failures. */
  devices: DeviceCookies;
  scrypt: ScryptParams;
  clock: Clock;
  logger: Logger;
  /** SSE heartbeat period. */
  heartbeatMs: number;
  /** Open event streams, closed when the host stops. */
  streams: Set<Response>;
  /** Life of the signed URLs of files the console shows (default 15 minutes). */
  mediaUrlTtlMs?: number;
}

/** The host's event feed (the events feature binds it). */
function eventFeedOf(ctx: HostFeatureContext): EventFeed {
  if (!ctx.container.isBound(EventFeed)) throw new Error('the console needs the events feature (its event feed is not bound)');
  return ctx.container.get<EventFeed>(EventFeed);
}

/**
 * Mounts the console API.
 * @param app - the host's Express app
 * @param deps - stores, services, auth
 */
export function mountConsoleApi(app: express.Express, deps: ConsoleApiDeps): void {
  const { ctx, agents, auth, limiter, devices, scrypt, clock } = deps;
  const { stores, tenants } = ctx;
  const bots = ctx.config.bots;
  const api = express.Router();
  // an upload's body is the file itself, which no parser may read (a JSON file is not the request's JSON)
  api.use(express.json({ limit: '256kb', type: (req) => !isConsoleUpload(req) && mimeEssence(req.headers['content-type'] ?? '') === 'application/json' }));
  api.use(jsonShapeGuard());
  api.use((_req, res, next) => { res.set('cache-control', 'no-store'); next(); });

  // the login comes before the session check
  mountLoginRoute(api, { tenants, agents, auth, limiter, devices, scrypt, clock });
  api.use(auth.authenticate);
  api.use(auth.csrf);

  mountSessionRoutes(api, { auth });
  mountTenantRoutes(api, { tenants, agents, conversations: stores.conversations, bots, bindings: ctx.bindings, auth });
  mountInboxRoutes(api, { stores, agents });

  // files: shown through short-lived signed URLs, uploaded by agents into the media store
  const media: ConsoleMediaDeps = { store: ctx.media.store, urls: ctx.media.urls, ...(deps.mediaUrlTtlMs !== undefined ? { ttlMs: deps.mediaUrlTtlMs } : {}) };
  mountConsoleMediaRoutes(api, { ...media, store: ctx.media.store, conversation: (tenantId, id) => loadConversation(stores.conversations, tenantId, id) });

  const composer: ComposerDeps = { registry: ctx.registry, templates: ctx.outbound.templates, media: ctx.media.store, clock };
  mountConversationRoutes(api, { stores, agents, composer, media, clock });
  mountMessageRoutes(api, {
    conversations: stores.conversations, agents, composer, templates: ctx.outbound.templates, media: ctx.media.store,
    outbound: ctx.outbound.service, gateway: ctx.gateway, clock,
  });
  mountConversationActionRoutes(api, { tenants, agents, conversations: ctx.conversations, bots });
  mountContactRoutes(api, { tenants, stores, agents, consent: () => consentServiceIn(ctx), clock, logger: deps.logger });
  mountContactContextRoute(api, { contacts: stores.contacts, service: () => contactContextServiceIn(ctx) }, (_req, res) => callerOf(res).agent.tenantId, idParam);
  mountKnowledgeRoutes(api, { stores, knowledge: new Knowledge(agents), contactContext: () => contactContextServiceIn(ctx) });
  mountEventRoutes(api, { feed: () => eventFeedOf(ctx), auth, heartbeatMs: deps.heartbeatMs, streams: deps.streams });
  mountConsoleSearchRoutes(api, { search: () => ctx.container.get<InboxSearch>(InboxSearch), urls: ctx.media.urls });
  // presence and SLA badges, when the assignment feature is mounted
  if (ctx.container.isBound(AssignmentService)) mountAssignmentConsoleRoutes(api, ctx.container.get<AssignmentServiceImpl>(AssignmentService));

  app.use('/console/api', api);
}

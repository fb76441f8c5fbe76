/**
 * The integrators' REST API (Express 5): tenant-scoped by API key, JSON in and out, every error as
 * `{ error: { code, message, details } }` through the one map in `errors.ts`.
 * @module
 */
import express, { type NextFunction, type Request, type Response, type Router as ExpressRouter } from 'express';
import type { Clock, Content, Logger } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { ConsentService } from '../consent/consent-service.js';
import { DocumentInboxSearch, type InboxSearch } from '../search/inbox-search.js';
import { mountSearchRoutes } from '../search/search-routes.js';
import { errorResponse, NotFoundError, UnauthorizedError } from '../errors.js';
import type { HostFeature } from '../features.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import type { ConversationService } from '../routing/conversation-service.js';
import { toSafeJsonValue } from '../safe-json.js';
import type { MediaUrls } from '../media/media-store.js';
import type { HostStreams } from '../streams.js';
import type { HostStores } from '../stores/stores.js';
import { z } from 'zod';
import { buildOpenApi } from './openapi.js';
import { mountApiKeyRoutes } from './api-key-routes.js';
import { ApiKeyService } from './api-keys.js';
import { scopeGuard } from './api-scopes.js';
import { mountContactRoutes } from './routes/contact-routes.js';
import { mountContactApiRoutes } from '../contacts/contact-api-routes.js';
import { mountContactContextRoute } from '../crm/contact-context-routes.js';
import type { ContactContextService } from '../crm/contact-context-service.js';
import { param, tenantOf } from './routes/rest-route-kit.js';
import { mountConversationRoutes } from './routes/conversation-routes.js';
import { mountDeadLetterRoutes } from './routes/dead-letter-routes.js';
import { ContentOrTextSchema } from './schemas.js';
import { jsonShapeGuard, parseInput } from './validation.js';

/** What `/readyz` reports. */
export interface Readiness {
  status: 'ready' | 'degraded' | 'not-ready';
  store: { kind: string; ok: boolean; error?: string };
  connectors: { package: string; channel?: string; state: 'loaded' | 'failed'; required: boolean; error?: string; accounts: string[] }[];
}

/** Dependencies of the API. */
export interface ApiDeps {
  tenants: readonly TenantConfig[];
  stores: HostStores;
  streams: HostStreams;
  conversations: ConversationService;
  gateway: OutboundGateway;
  clock: Clock;
  logger: Logger;
  readiness: () => Promise<Readiness>;
  /** Extra routes mounted before the 404 handler (the sandbox's). */
  extraRoutes?: (app: express.Express, auth: express.RequestHandler) => void;
  /** Features whose routes are mounted (on `/v1` and on the app). */
  features?: readonly HostFeature[];
  /** The URLs of stored media: a message's stored file is answered with its `url` (default: relative `/v1/media/:id`). */
  mediaUrls?: Pick<MediaUrls, 'apiUrl'>;
  /** The consent ledger's writer (default: one over `stores` and `streams`). */
  consent?: ConsentService;
  /** The inbox search (default: one over the stores' driver). */
  search?: InboxSearch;
  /** Contacts' CRM context (`GET /v1/contacts/:id/context`; absent: not configured). */
  contactContext?: ContactContextService;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The tenant the API key belongs to. */
    tenant?: TenantConfig;
  }
}

const ContentFieldSchema = z.strictObject({ content: ContentOrTextSchema });

/**
 * Checks client-supplied content against the content schema (a string is text content).
 * @param value - the `content` field
 * @returns the parsed content: only what the schema declares, never the raw value
 * @throws RequestValidationError naming every problem under `content`
 */
export function parseContent(value: unknown): Content {
  return parseInput(ContentFieldSchema, { content: value }).content;
}

/**
 * Builds the Express app: `/healthz`, `/readyz`, `/openapi.json` and the `/v1` API. The app-level
 * plumbing is here (safe JSON answers, API-key authentication, scopes, body parsing and the shape
 * guard on `/v1`, the features' middleware and routes, the 404 and the error handler); each `/v1`
 * resource's routes are in their own module under `routes/`.
 * @param deps - stores, streams, services
 * @returns the app
 */
export function createApiApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // every JSON answer (the console's and the features' too) is a bounded copy: a stored value no
  // serialiser could take (nested 5,000 deep, a cycle) is cut at 64 levels instead of failing the request
  const json = app.response.json;
  app.response.json = function safeJson(this: Response, body?: unknown) { return json.call(this, toSafeJsonValue(body, { maxNodes: Number.MAX_SAFE_INTEGER })); };
  const mediaUrls = deps.mediaUrls ?? { apiUrl: (id: string) => `/v1/media/${encodeURIComponent(id)}` };
  const consent = deps.consent ?? new ConsentService(deps);
  const apiKeys = new ApiKeyService({ tenants: deps.tenants, store: deps.stores.apiKeys, now: () => deps.clock.now() });
  // stored keys are read on every request (no cache), so a revocation holds at once in every process
  const auth: express.RequestHandler = (req, _res, next) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) { next(new UnauthorizedError()); return; }
    apiKeys.resolve(match[1]!).then((found) => {
      if (!found) { next(new UnauthorizedError('unknown or revoked API key')); return; }
      req.tenant = found.tenant;
      req.apiKey = found.caller;
      next();
    }, next);
  };

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    const r = await deps.readiness();
    res.status(r.status === 'not-ready' ? 503 : 200).json(r);
  });
  // the document of what this host serves: its features' operations, the sandbox's in sandbox mode
  // (the extra routes are the sandbox's); built once, on the first request
  let openApi: Record<string, unknown> | undefined;
  app.get('/openapi.json', (_req, res) => {
    openApi ??= buildOpenApi({ features: (deps.features ?? []).map((f) => f.name), sandbox: deps.extraRoutes !== undefined });
    res.json(openApi);
  });

  const v1: ExpressRouter = express.Router();
  v1.use(auth);
  v1.use(scopeGuard());
  v1.use(express.json({ limit: '1mb' }));
  v1.use(jsonShapeGuard());
  for (const f of deps.features ?? []) for (const mw of f.v1Middleware?.() ?? []) v1.use(mw);

  mountConversationRoutes(v1, { stores: deps.stores, conversations: deps.conversations, gateway: deps.gateway, mediaUrls });
  mountContactRoutes(v1, { contacts: deps.stores.contacts, consent, clock: deps.clock });
  mountContactApiRoutes(v1, { stores: deps.stores, consent, clock: deps.clock, ...(deps.contactContext ? { contactContext: deps.contactContext } : {}) });
  mountContactContextRoute(v1, { contacts: deps.stores.contacts, service: () => deps.contactContext }, (req) => tenantOf(req).id, (req) => param(req, 'id'));
  mountDeadLetterRoutes(v1, { deadLetters: deps.stores.deadLetters });
  mountSearchRoutes(v1, { search: deps.search ?? new DocumentInboxSearch(deps.stores.driver), mediaUrls });

  // GET /v1/events is the events feature's (events/events-feature.ts): bounded per client, capped per tenant, resumable

  mountApiKeyRoutes(v1, apiKeys);
  for (const f of deps.features ?? []) f.v1Routes?.(v1);
  app.use('/v1', v1);
  for (const f of deps.features ?? []) f.appRoutes?.(app, auth);
  deps.extraRoutes?.(app, auth);

  app.use((req: Request, _res: Response, next: NextFunction) => { next(new NotFoundError('route', `${req.method} ${req.path}`)); });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body: errorBody } = errorResponse(error);
    if (status >= 500) deps.logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) { res.end(); return; }
    res.status(status).json(errorBody);
  });
  return app;
}

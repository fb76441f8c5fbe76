/**
 * The integrators' REST API (Express 5): tenant-scoped by API key, JSON in and out, every error as
 * `{ error: { code, message, details } }` through the one map in `errors.ts`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router as ExpressRouter } from 'express';
import type { Clock, ConsentEntry, Content, Logger } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { ConsentService, signalScope } from '../consent/consent-service.js';
import { errorResponse, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { HostFeature } from '../features.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import { policyDeniedBody } from '../outbound/outbound-routes.js';
import type { ConversationService } from '../routing/conversation-service.js';
import { toSafeJsonValue } from '../safe-json.js';
import { presentMessage } from '../media/media-presenter.js';
import type { MediaUrls } from '../media/media-store.js';
import type { HostStreams } from '../streams.js';
import type { HostStores, Page } from '../stores/stores.js';
import { z } from 'zod';
import { apiKeyRef } from './api-key-ref.js';
import { buildOpenApi } from './openapi.js';
import { mountApiKeyRoutes } from './api-key-routes.js';
import { ApiKeyService } from './api-keys.js';
import { apiSender, scopeGuard } from './api-scopes.js';
import {
  AssignSchema, ConsentEventSchema, ContentOrTextSchema, ConversationMessageSchema, ConversationsQuerySchema, EmptyBodySchema,
  HandoverSchema, IdParamsSchema, PageQuerySchema, TagsSchema, TransferSchema,
} from './schemas.js';
import { idempotencyKeyOf, jsonShapeGuard, parseBody, parseInput, parseParams, parseQuery } from './validation.js';

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
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The tenant the API key belongs to. */
    tenant?: TenantConfig;
  }
}

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/** The route's `:id`, checked with {@link IdParamsSchema} (the schema the document shows). */
function param(req: Request, _name: 'id'): string {
  return parseParams(IdParamsSchema, req).id;
}

const ContentFieldSchema = z.strictObject({ content: ContentOrTextSchema });

/** Paging as the stores take it, from a parsed query. */
function page(q: { limit?: number | undefined; offset?: number | undefined }): Page {
  return { ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}) };
}

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
 * Builds the Express app: `/healthz`, `/readyz`, `/openapi.json` and the `/v1` API.
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

  v1.get('/conversations', async (req, res) => {
    const t = tenantOf(req);
    const { status, channel, contactId, ...paging } = parseQuery(ConversationsQuerySchema, req);
    const items = await deps.stores.conversations.list(t.id, {
      ...page(paging), ...(status ? { status } : {}), ...(channel ? { channel } : {}), ...(contactId ? { contactId } : {}),
    });
    res.json({ items });
  });
  v1.get('/conversations/:id', async (req, res) => {
    const t = tenantOf(req);
    const c = await deps.stores.conversations.get(t.id, param(req, 'id'));
    if (!c) throw new NotFoundError('conversation', param(req, 'id'));
    res.json(c);
  });
  v1.get('/conversations/:id/messages', async (req, res) => {
    const t = tenantOf(req);
    const id = param(req, 'id');
    if (!(await deps.stores.conversations.get(t.id, id))) throw new NotFoundError('conversation', id);
    const items = await deps.stores.messages.listByConversation(t.id, id, page(parseQuery(PageQuerySchema, req)));
    res.json({ items: items.map((m) => presentMessage(m, mediaUrls)) });
  });
  v1.post('/conversations/:id/messages', async (req, res) => {
    const t = tenantOf(req);
    const { content, purpose, sender: requested, topic, tag } = parseBody(ConversationMessageSchema, req);
    // an omitted sender is a human agent only for a key that may send as one
    const sender = apiSender(req, requested, 'agent');
    const idem = idempotencyKeyOf(req);
    const result = await deps.gateway.send({
      tenantId: t.id, conversationId: param(req, 'id'), content, purpose, sender,
      ...(topic ? { topic } : {}), ...(tag ? { tag } : {}), ...(idem ? { idempotencyKey: idem } : {}),
    });
    if (result.status === 'denied') {
      res.status(422).json(policyDeniedBody(result.reasons ?? [], result.decisionId));
      return;
    }
    res.status(202).json({ id: result.message?.id, status: result.status, ...(result.form ? { form: result.form } : {}), ...(result.decisionId ? { decisionId: result.decisionId } : {}) });
  });
  v1.post('/conversations/:id/assign', async (req, res) => {
    const t = tenantOf(req);
    const b = parseBody(AssignSchema, req);
    res.json(await deps.conversations.assign(t.id, param(req, 'id'), b.agentId, b.queue));
  });
  v1.post('/conversations/:id/handover', async (req, res) => {
    const t = tenantOf(req);
    const b = parseBody(HandoverSchema, req);
    if (b.to === 'bot') { res.json(await deps.conversations.handover(t.id, param(req, 'id'), { kind: 'bot', handler: b.handler! })); return; }
    res.json(await deps.conversations.handover(t.id, param(req, 'id'), { kind: 'human', ...(b.queue ? { queue: b.queue } : {}) }));
  });
  v1.post('/conversations/:id/transfer', async (req, res) => {
    const t = tenantOf(req);
    const { agentId, queue } = parseBody(TransferSchema, req);
    res.json(await deps.conversations.transfer(t.id, param(req, 'id'), { ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) }));
  });
  v1.post('/conversations/:id/resolve', async (req, res) => { parseBody(EmptyBodySchema, req); res.json(await deps.conversations.resolve(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/reopen', async (req, res) => { parseBody(EmptyBodySchema, req); res.json(await deps.conversations.reopen(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/tags', async (req, res) => {
    const { tags } = parseBody(TagsSchema, req);
    res.json(await deps.conversations.tag(tenantOf(req).id, param(req, 'id'), tags));
  });

  v1.get('/contacts', async (req, res) => { res.json({ items: await deps.stores.contacts.list(tenantOf(req).id, page(parseQuery(PageQuerySchema, req))) }); });
  v1.get('/contacts/:id', async (req, res) => {
    const c = await deps.stores.contacts.get(tenantOf(req).id, param(req, 'id'));
    if (!c) throw new NotFoundError('contact', param(req, 'id'));
    res.json(c);
  });
  v1.get('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await deps.stores.contacts.get(t.id, param(req, 'id'));
    if (!contact) throw new NotFoundError('contact', param(req, 'id'));
    const { history, state } = await consent.stateOf(t, contact);
    res.json({ contactId: contact.id, history, state });
  });
  v1.post('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await deps.stores.contacts.get(t.id, param(req, 'id'));
    if (!contact) throw new NotFoundError('contact', param(req, 'id'));
    const { action, purpose, scope, topic, evidence, ...b } = parseBody(ConsentEventSchema, req);
    const channel = b.channel ?? contact.addresses[0]?.channel;
    if (!channel || !contact.addresses.some((a) => a.channel === channel)) throw new ValidationError('channel', 'must be a channel the contact has an address on');
    // the evidence's source and recorder are the server's: the caller describes, it does not attest
    const entry: ConsentEntry = {
      id: randomUUID(), tenantId: t.id, contactId: contact.id, channel, action,
      // an omitted scope follows the tenant's consentScope, as a keyword or platform signal does
      scope: scope ?? signalScope(t),
      at: new Date(deps.clock.now()),
      evidence: { ...evidence, source: 'api', recordedBy: apiKeyRef(req) },
      ...(purpose ? { purpose } : {}), ...(topic ? { topic } : {}),
    };
    await consent.record(entry);
    res.status(201).json(entry);
  });

  v1.get('/dead-letters', async (req, res) => { res.json({ items: await deps.stores.deadLetters.list(tenantOf(req).id, page(parseQuery(PageQuerySchema, req))) }); });
  v1.get('/dead-letters/:id', async (req, res) => {
    const d = await deps.stores.deadLetters.get(tenantOf(req).id, param(req, 'id'));
    if (!d) throw new NotFoundError('dead letter', param(req, 'id'));
    res.json(d);
  });

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

/**
 * The integrators' REST API (Express 5): tenant-scoped by API key, JSON in and out, every error as
 * `{ error: { code, message, details } }` through the one map in `errors.ts`.
 * @module
 */
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router as ExpressRouter } from 'express';
import {
  CONTENT_TYPES, deriveConsentState, PURPOSES,
  type Clock, type ConsentEntry, type ConsentLedgerAction, type Content, type Logger, type SenderKind,
} from '@switchboard/core';
import { randomUUID } from 'node:crypto';
import type { TenantConfig } from '../config/host-config.js';
import { errorResponse, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { HostFeature } from '../features.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import { policyDeniedBody } from '../outbound/outbound-routes.js';
import type { ConversationService } from '../routing/conversation-service.js';
import type { HostStreams } from '../streams.js';
import type { HostStores, Page } from '../stores/stores.js';
import { buildOpenApi } from './openapi.js';
import { mountApiKeyRoutes } from './api-key-routes.js';
import { ApiKeyService } from './api-keys.js';
import { apiSender, scopeGuard } from './api-scopes.js';

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
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The tenant the API key belongs to. */
    tenant?: TenantConfig;
  }
}

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v === '') throw new ValidationError(name, 'is required');
  return v;
}

function page(req: Request): Page {
  const out: Page = {};
  for (const k of ['limit', 'offset'] as const) {
    const v = req.query[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new ValidationError(k, 'must be a non-negative integer');
    const n = Number(v);
    if (k === 'limit' && (n < 1 || n > 500)) throw new ValidationError('limit', 'must be from 1 to 500');
    out[k] = n;
  }
  return out;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (b === undefined) return {};
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ValidationError('body', 'must be a JSON object');
  return b as Record<string, unknown>;
}

function optString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new ValidationError(key, 'must be a non-empty string');
  return v;
}

function reqString(b: Record<string, unknown>, key: string): string {
  const v = optString(b, key);
  if (v === undefined) throw new ValidationError(key, 'is required');
  return v;
}

/**
 * Checks client-supplied content: its `type` must be known and a text must have text.
 * @param value - the `content` field
 * @returns the content
 */
export function parseContent(value: unknown): Content {
  if (typeof value === 'string') {
    if (value === '') throw new ValidationError('content', 'must not be empty');
    return { type: 'text', text: value };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('content', 'must be an object with a type, or a string');
  const c = value as Record<string, unknown>;
  if (typeof c.type !== 'string' || !(CONTENT_TYPES as readonly string[]).includes(c.type)) throw new ValidationError('content.type', `must be one of ${CONTENT_TYPES.join(', ')}`);
  if (c.type === 'text' && (typeof c.text !== 'string' || c.text === '')) throw new ValidationError('content.text', 'must be a non-empty string');
  if (['image', 'video', 'audio', 'document', 'sticker'].includes(c.type)) {
    const m = c.media as Record<string, unknown> | undefined;
    if (typeof m !== 'object' || m === null || (typeof m.url !== 'string' && typeof m.id !== 'string')) throw new ValidationError('content.media', 'must have a url or an id');
  }
  return value as Content;
}

const CONSENT_ACTIONS: readonly ConsentLedgerAction[] = ['opt-in-requested', 'opt-in', 'opt-out', 'blocked', 'unblocked', 'spam-reported', 'important-only', 'all-messages', 'closed', 'reopened'];

/**
 * Builds the Express app: `/healthz`, `/readyz`, `/openapi.json` and the `/v1` API.
 * @param deps - stores, streams, services
 * @returns the app
 */
export function createApiApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
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
  app.get('/openapi.json', (_req, res) => { res.json(buildOpenApi()); });

  const v1: ExpressRouter = express.Router();
  v1.use(auth);
  v1.use(scopeGuard());
  v1.use(express.json({ limit: '1mb' }));
  for (const f of deps.features ?? []) for (const mw of f.v1Middleware?.() ?? []) v1.use(mw);

  v1.get('/conversations', async (req, res) => {
    const t = tenantOf(req);
    const status = req.query.status;
    if (status !== undefined && !['open', 'pending', 'resolved'].includes(String(status))) throw new ValidationError('status', 'must be open, pending or resolved');
    const channel = typeof req.query.channel === 'string' ? req.query.channel : undefined;
    const contactId = typeof req.query.contactId === 'string' ? req.query.contactId : undefined;
    const items = await deps.stores.conversations.list(t.id, {
      ...page(req), ...(status ? { status: status as 'open' } : {}), ...(channel ? { channel } : {}), ...(contactId ? { contactId } : {}),
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
    res.json({ items: await deps.stores.messages.listByConversation(t.id, id, page(req)) });
  });
  v1.post('/conversations/:id/messages', async (req, res) => {
    const t = tenantOf(req);
    const b = body(req);
    const purpose = optString(b, 'purpose') ?? 'service';
    if (!(PURPOSES as readonly string[]).includes(purpose)) throw new ValidationError('purpose', `must be one of ${PURPOSES.join(', ')}`);
    const requested = optString(b, 'sender');
    if (requested !== undefined && !['agent', 'bot', 'system'].includes(requested)) throw new ValidationError('sender', 'must be agent, bot or system');
    // an omitted sender is a human agent only for a key that may send as one
    const sender = apiSender(req, requested as SenderKind | undefined, 'agent');
    const topic = optString(b, 'topic');
    const tag = optString(b, 'tag');
    const idem = req.headers['idempotency-key'];
    const result = await deps.gateway.send({
      tenantId: t.id, conversationId: param(req, 'id'), content: parseContent(b.content), purpose: purpose as 'service', sender: sender as 'agent',
      ...(topic ? { topic } : {}), ...(tag ? { tag } : {}), ...(typeof idem === 'string' && idem ? { idempotencyKey: idem } : {}),
    });
    if (result.status === 'denied') {
      res.status(422).json(policyDeniedBody(result.reasons ?? []));
      return;
    }
    res.status(202).json({ id: result.message?.id, status: result.status, ...(result.form ? { form: result.form } : {}) });
  });
  v1.post('/conversations/:id/assign', async (req, res) => {
    const t = tenantOf(req);
    const b = body(req);
    res.json(await deps.conversations.assign(t.id, param(req, 'id'), reqString(b, 'agentId'), optString(b, 'queue')));
  });
  v1.post('/conversations/:id/handover', async (req, res) => {
    const t = tenantOf(req);
    const b = body(req);
    const to = optString(b, 'to') ?? 'human';
    if (to === 'human') { const queue = optString(b, 'queue'); res.json(await deps.conversations.handover(t.id, param(req, 'id'), { kind: 'human', ...(queue ? { queue } : {}) })); return; }
    if (to === 'bot') { res.json(await deps.conversations.handover(t.id, param(req, 'id'), { kind: 'bot', handler: reqString(b, 'handler') })); return; }
    throw new ValidationError('to', 'must be "human" or "bot"');
  });
  v1.post('/conversations/:id/transfer', async (req, res) => {
    const t = tenantOf(req);
    const b = body(req);
    const agentId = optString(b, 'agentId');
    const queue = optString(b, 'queue');
    res.json(await deps.conversations.transfer(t.id, param(req, 'id'), { ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) }));
  });
  v1.post('/conversations/:id/resolve', async (req, res) => { res.json(await deps.conversations.resolve(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/reopen', async (req, res) => { res.json(await deps.conversations.reopen(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/tags', async (req, res) => {
    const b = body(req);
    const tags = b.tags;
    if (!Array.isArray(tags) || tags.length === 0 || !tags.every((x) => typeof x === 'string' && x !== '')) throw new ValidationError('tags', 'must be a non-empty array of strings');
    res.json(await deps.conversations.tag(tenantOf(req).id, param(req, 'id'), tags as string[]));
  });

  v1.get('/contacts', async (req, res) => { res.json({ items: await deps.stores.contacts.list(tenantOf(req).id, page(req)) }); });
  v1.get('/contacts/:id', async (req, res) => {
    const c = await deps.stores.contacts.get(tenantOf(req).id, param(req, 'id'));
    if (!c) throw new NotFoundError('contact', param(req, 'id'));
    res.json(c);
  });
  v1.get('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await deps.stores.contacts.get(t.id, param(req, 'id'));
    if (!contact) throw new NotFoundError('contact', param(req, 'id'));
    const history = await deps.stores.consent.listByContact(t.id, contact.id);
    const channels = [...new Set(contact.addresses.map((a) => a.channel))];
    const state = Object.fromEntries(channels.map((ch) => [ch, deriveConsentState(history, {
      channel: ch, scope: t.policy?.consentScope ?? 'all-channels', ...(t.privacyPolicyVersion ? { requiredPrivacyPolicyVersion: t.privacyPolicyVersion } : {}),
    })]));
    res.json({ contactId: contact.id, history, state });
  });
  v1.post('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await deps.stores.contacts.get(t.id, param(req, 'id'));
    if (!contact) throw new NotFoundError('contact', param(req, 'id'));
    const b = body(req);
    const action = reqString(b, 'action');
    if (!(CONSENT_ACTIONS as readonly string[]).includes(action)) throw new ValidationError('action', `must be one of ${CONSENT_ACTIONS.join(', ')}`);
    const purpose = optString(b, 'purpose');
    if (purpose !== undefined && !(PURPOSES as readonly string[]).includes(purpose)) throw new ValidationError('purpose', `must be one of ${PURPOSES.join(', ')}`);
    if ((action === 'opt-in' || action === 'opt-in-requested') && purpose === undefined) throw new ValidationError('purpose', `is required for ${action}`);
    const channel = optString(b, 'channel') ?? contact.addresses[0]?.channel;
    if (!channel || !contact.addresses.some((a) => a.channel === channel)) throw new ValidationError('channel', 'must be a channel the contact has an address on');
    const scope = optString(b, 'scope') ?? 'channel';
    if (scope !== 'channel' && scope !== 'all-channels') throw new ValidationError('scope', 'must be "channel" or "all-channels"');
    const ev = b.evidence;
    if (ev !== undefined && (typeof ev !== 'object' || ev === null || Array.isArray(ev))) throw new ValidationError('evidence', 'must be an object');
    const topic = optString(b, 'topic');
    const entry: ConsentEntry = {
      id: randomUUID(), tenantId: t.id, contactId: contact.id, channel, action: action as ConsentLedgerAction, scope,
      at: new Date(deps.clock.now()),
      evidence: { source: 'api', ...(ev as object | undefined), recordedBy: `api-key:${hashKey(req.headers.authorization ?? '').slice(0, 8)}` },
      ...(purpose ? { purpose: purpose as 'marketing' } : {}), ...(topic ? { topic } : {}),
    };
    await deps.stores.consent.append(entry);
    deps.streams.consent$.next({ tenantId: t.id, entry });
    res.status(201).json(entry);
  });

  v1.get('/dead-letters', async (req, res) => { res.json({ items: await deps.stores.deadLetters.list(tenantOf(req).id, page(req)) }); });
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

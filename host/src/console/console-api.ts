/**
 * The console's own JSON API under `/console/api/*`, authenticated by the session cookie (CSRF
 * token on every state-changing call). It reuses the host's services: the stores, the
 * ConversationService for actions, the OutboundService for the reply box (evaluate = the dry
 * run that explains why a message cannot go; send = the policy-checked path every message
 * takes), the template registry and the consent ledger.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type Clock, type Content, type Conversation, type Logger, type TemplateParameter,
} from '@switchboard/core';
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import type { TenantConfig } from '../config/host-config.js';
import { consentServiceIn } from '../consent/consent-service.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { HostFeatureContext } from '../features.js';
import { EventFeed } from '../events/event-feed.js';
import { lastEventIdOf, openStream } from '../events/events-feature.js';
import { policyDeniedBody, queuedBody } from '../outbound/outbound-routes.js';
import type { SendRequest } from '../outbound/send-request.js';
import { templatePlaceholders, type TemplateRecord } from '../outbound/template-registry.js';
import type { HostMessage } from '../stores/stores.js';
import {
  ConsoleAssignSchema, ConsoleDraftSchema, ConsoleLoginSchema, ConsoleTagsSchema, ConsoleTransferSchema, ContactPatchSchema, HandbackSchema, InboxQuerySchema, NoteSchema,
} from '../api/schemas.js';
import { idempotencyKeyOf, jsonShapeGuard, parseBody, parseQuery } from '../api/validation.js';
import { publicAgent, roleAtLeast, type AgentStore } from './agent-store.js';
import { callerOf, ForbiddenError, parseCookies, serializeCookie, type ConsoleAuth } from './console-auth.js';
import { configuredKeyWith } from '../api/api-keys.js';
import { inboxRow, matchesInbox, suggestKnowledge, supervisorStats, windowInfo, type InboxFilter } from './console-views.js';
import { ConsoleMediaDraftSchema, presentConsoleMessages, redactMessageMedia, sendKindOf, type ConsoleMediaDeps } from './console-media.js';
import { isConsoleUpload, mountConsoleMediaRoutes } from './console-media-routes.js';
import { mimeEssence } from '../media/media-policy.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH, type DeviceCookies } from './device-cookie.js';
import type { LoginLimiter, LoginSubject } from './login-limiter.js';
import { verifyPassword, needsRehash, hashPassword, type ScryptParams } from './password.js';

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

const MAX_MESSAGES = 5_000;
const PAGE = 500;

function idParam(req: Request, name = 'id'): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v === '' || v.length > 200) throw new ValidationError(name, 'is required');
  return v;
}

/** A reply the agent composed: text (with an optional message tag), an approved template, or a file the agent uploaded. */
interface Draft {
  content: Content;
  tag?: string;
}

/**
 * Fills a template's parameters in its placeholders' order.
 * @param t - the template
 * @param values - by placeholder (`"1"`, `"2"`… or names)
 * @returns template content with its fallback text, for channels that degrade templates
 */
export function templateContent(t: TemplateRecord, values: Record<string, string>): Content {
  const { positional, named } = templatePlaceholders(t.body);
  const parameters: TemplateParameter[] = named.length > 0
    ? named.map((name) => ({ name, text: values[name] ?? '' }))
    : positional.map((n) => ({ text: values[String(n)] ?? '' }));
  return { type: 'template', name: t.name, language: t.language, category: t.category, fallbackText: t.body, ...(parameters.length > 0 ? { parameters } : {}) };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});

/**
 * What the console's stream sends of each event (the ids the views key on, not the whole notice):
 * applied to the event's JSON, live and replayed alike.
 */
const CONSOLE_FORMAT = {
  key: 'console',
  apply: (name: string, data: unknown): unknown => {
    const d = obj(data);
    switch (name) {
      // a message's media without the platform's URL or a decryption key: the views reload what they show
      case 'inbound': return { conversationId: obj(d.conversation).id, contactId: obj(d.contact).id, message: redactMessageMedia(d.message) };
      case 'status': return { conversationId: d.conversationId, message: redactMessageMedia(d.message), status: d.status };
      case 'conversation': return { change: d.change, conversation: d.conversation };
      case 'consent': return { contactId: obj(d.entry).contactId, entry: d.entry };
      default: return data;
    }
  },
};

/** The host's event feed (the events feature binds it). */
function eventFeedOf(ctx: HostFeatureContext): EventFeed {
  if (!ctx.container.isBound(EventFeed)) throw new Error('the console needs the events feature (its event feed is not bound)');
  return ctx.container.get<EventFeed>(EventFeed);
}

const optionalLastEventId = (id: number | undefined): { lastEventId?: number } => (id !== undefined ? { lastEventId: id } : {});

/**
 * Mounts the console API.
 * @param app - the host's Express app
 * @param deps - stores, services, auth
 */
export function mountConsoleApi(app: express.Express, deps: ConsoleApiDeps): void {
  const { ctx, agents, auth, limiter, devices, clock } = deps;
  const { stores } = ctx;
  const api = express.Router();
  // an upload's body is the file itself, which no parser may read (a JSON file is not the request's JSON)
  api.use(express.json({ limit: '256kb', type: (req) => !isConsoleUpload(req) && mimeEssence(req.headers['content-type'] ?? '') === 'application/json' }));
  api.use(jsonShapeGuard());
  api.use((_req, res, next) => { res.set('cache-control', 'no-store'); next(); });

  const tenantOf = (id: string): TenantConfig => {
    const t = ctx.tenants.get(id);
    if (!t) throw new NotFoundError('tenant', id);
    return t;
  };

  // ---- login (before the session check) ----
  api.post('/login', async (req, res) => {
    const login = parseBody(ConsoleLoginSchema, req);
    // the schema refuses a login without both (every missing one named)
    const email = login.email!;
    const password = login.password!;
    const tenantId = login.tenant ?? (ctx.tenants.size === 1 ? [...ctx.tenants.keys()][0] : undefined);
    if (!tenantId) throw new ValidationError('tenant', 'is required: this host serves several tenants');
    const agent = ctx.tenants.has(tenantId) ? await agents.findByEmail(tenantId, email) : undefined;
    // a browser that logged in to this very account before is limited by its own failures only
    const device = devices.verify(parseCookies(req.headers.cookie)[DEVICE_COOKIE], agent);
    const subject: LoginSubject = device
      ? { kind: 'known-device', device }
      : { kind: 'unknown-device', account: `${tenantId}/${email}`, address: auth.origin(req).address };
    // checked and counted in one synchronous step, before the hash: parallel guesses cannot all pass
    const decision = limiter.begin(subject);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      res.set('retry-after', String(seconds));
      const overloaded = decision.reason === 'overloaded';
      res.status(overloaded ? 503 : 429).json({ error: {
        code: overloaded ? 'NOT_READY' : 'RATE_LIMITED',
        message: decision.reason === 'busy' ? 'a login for this account is being checked: try again in a moment'
          : overloaded ? 'too many logins are being checked: try again in a moment'
          : `too many failed logins: try again in ${seconds} s`,
        details: { retryAfterMs: seconds * 1000, reason: decision.reason },
      } });
      return;
    }
    let ok = false;
    try {
      ok = await verifyPassword(password, agent?.passwordHash, deps.scrypt) && agent !== undefined && !agent.disabled;
    } finally {
      if (ok) decision.attempt.succeeded(); else decision.attempt.failed();
    }
    if (!agent || !ok) {
      // one answer for every failure: it does not tell which accounts exist
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'e-mail or password is wrong' } });
      return;
    }
    const now = new Date(clock.now());
    const rehash = needsRehash(agent.passwordHash, deps.scrypt) ? { passwordHash: await hashPassword(password, deps.scrypt) } : {};
    const current = { ...agent, ...rehash };
    await agents.update(agent.tenantId, agent.id, { lastLoginAt: now, ...rehash }, now);
    res.append('Set-Cookie', serializeCookie(DEVICE_COOKIE, devices.issue(current), {
      httpOnly: true, secure: auth.secure(req), maxAge: Math.floor(devices.lifetimeMs / 1000), path: DEVICE_COOKIE_PATH,
    }));
    res.json(await auth.open(req, res, agent));
  });

  api.use(auth.authenticate);
  api.use(auth.csrf);

  api.post('/logout', async (req, res) => {
    await auth.close(req, res);
    res.status(204).end();
  });

  api.get('/me', async (_req, res) => {
    const { agent, session } = callerOf(res);
    res.json({ agent: publicAgent(agent), csrf: session.csrf });
  });

  /** Everything the console needs once: who I am, the tenant, its agents, queues, bots, channels, saved replies. */
  api.get('/meta', async (_req, res) => {
    const { agent } = callerOf(res);
    const t = tenantOf(agent.tenantId);
    const team = await agents.list(t.id);
    const rules = t.routing?.rules ?? [];
    const conversations = await stores.conversations.list(t.id, { limit: 500 });
    const queues = new Set<string>([
      ...(t.routing?.escalationQueue ? [t.routing.escalationQueue] : []),
      ...rules.flatMap((r) => ('queue' in r.to ? [r.to.queue] : [])),
      ...team.flatMap((a) => a.queues ?? []),
      ...conversations.flatMap((c) => (c.assignee.kind === 'queue' ? [c.assignee.queue] : c.assignee.kind === 'agent' && c.assignee.queue ? [c.assignee.queue] : [])),
    ]);
    const bots = [...new Set([...rules.flatMap((r) => ('bot' in r.to ? [r.to.bot] : [])), ...Object.keys(ctx.config.bots)])];
    const channels = [...new Map(ctx.bindings.filter((b) => b.tenantId === t.id).map((b) => [b.channel, { channel: b.channel, displayName: b.plugin.displayName }])).values()];
    res.json({
      agent: publicAgent(agent), tenant: { id: t.id, name: t.name ?? t.id },
      agents: team.filter((a) => !a.disabled).map((a) => ({ id: a.id, name: a.name, role: a.role })),
      queues: [...queues].sort(), bots, channels, settings: await agents.getSettings(t.id),
    });
  });

  // ---- inbox ----
  const allMessages = async (tenantId: string, conversationId: string): Promise<HostMessage[]> => {
    const out: HostMessage[] = [];
    for (let offset = 0; offset < MAX_MESSAGES; offset += PAGE) {
      const page = await stores.messages.listByConversation(tenantId, conversationId, { limit: PAGE, offset });
      out.push(...page);
      if (page.length < PAGE) break;
    }
    return out;
  };

  const rowsFor = async (tenantId: string, agentId: string, list: Conversation[]) => {
    const [marks, team] = await Promise.all([agents.readMarkers(tenantId, agentId), agents.list(tenantId)]);
    return Promise.all(list.map(async (c) => {
      const [contact, messages] = await Promise.all([stores.contacts.get(tenantId, c.contactId), allMessages(tenantId, c.id)]);
      return inboxRow(c, contact, messages, marks.get(c.id), team);
    }));
  };

  api.get('/inbox', async (req, res) => {
    const { agent } = callerOf(res);
    const q = parseQuery(InboxQuerySchema, req);
    const status = q.status;
    const f: InboxFilter = {
      ...(status !== 'active' ? { status } : {}),
      ...(q.assignee ? { assignee: q.assignee } : {}), ...(q.queue ? { queue: q.queue } : {}), ...(q.channel ? { channel: q.channel } : {}),
    };
    const list = (await stores.conversations.list(agent.tenantId, { limit: 500 }))
      .filter((c) => matchesInbox(c, f, agent.id) && (status !== 'active' || c.status !== 'resolved'));
    const rows = await rowsFor(agent.tenantId, agent.id, list);
    rows.sort((a, b) => (b.lastMessageAt ?? b.updatedAt).localeCompare(a.lastMessageAt ?? a.updatedAt));
    res.json({ items: rows });
  });

  api.get('/inbox/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await stores.conversations.get(agent.tenantId, idParam(req));
    if (!c) throw new NotFoundError('conversation', idParam(req));
    res.json((await rowsFor(agent.tenantId, agent.id, [c]))[0]);
  });

  // ---- one conversation ----
  const loadConversation = async (tenantId: string, id: string): Promise<Conversation> => {
    const c = await stores.conversations.get(tenantId, id);
    if (!c) throw new NotFoundError('conversation', id);
    return c;
  };

  // files: shown through short-lived signed URLs, uploaded by agents into the media store
  const mediaDeps: ConsoleMediaDeps = { store: ctx.media.store, urls: ctx.media.urls, ...(deps.mediaUrlTtlMs !== undefined ? { ttlMs: deps.mediaUrlTtlMs } : {}) };
  mountConsoleMediaRoutes(api, { ...mediaDeps, store: ctx.media.store, conversation: loadConversation });

  const composer = async (tenantId: string, c: Conversation) => {
    const binding = ctx.registry.find(tenantId, c.address.channel, c.address.accountId);
    const window = windowInfo(c, binding?.plugin.policy, clock.now());
    const templates = (await ctx.outbound.templates.list(tenantId, { channel: c.address.channel, status: 'approved' })).map((t) => {
      const { positional, named } = templatePlaceholders(t.body);
      return { id: t.id, name: t.name, language: t.language, category: t.category, body: t.body, placeholders: named.length > 0 ? named : positional.map(String) };
    });
    // the tenant's largest file per kind, so the page refuses an oversize attachment before sending a byte
    const mediaMaxBytes = ctx.media.store.limits(tenantId).maxBytes;
    return { window, templates, templateCategoriesOutsideWindow: binding?.plugin.policy.outsideWindow?.templateCategories ?? [], mediaMaxBytes };
  };

  api.get('/conversations/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(agent.tenantId, idParam(req));
    const contact = await stores.contacts.get(agent.tenantId, c.contactId);
    // the history spans every conversation of the contact, on every channel
    const siblings = contact ? await stores.conversations.list(agent.tenantId, { contactId: contact.id, limit: 100 }) : [c];
    const history = (await Promise.all(siblings.map(async (s) => (await allMessages(agent.tenantId, s.id)).map((m) => ({ ...m, channel: s.address.channel })))))
      .flat()
      .sort((a, b) => new Date(a.timestamp).getTime() - new Date(b.timestamp).getTime() || new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
    const last = [...history].reverse().find((m) => m.conversationId === c.id && m.direction === 'inbound');
    await agents.markRead(agent.tenantId, agent.id, c.id, last ? new Date(last.timestamp) : new Date(clock.now()));
    const settings = await agents.getSettings(agent.tenantId);
    const lastText = last?.content.type === 'text' ? last.content.text : undefined;
    res.json({
      conversation: c,
      contact: contact ?? null,
      conversations: siblings.map((s) => ({ id: s.id, channel: s.address.channel, status: s.status })),
      history: await presentConsoleMessages(agent.tenantId, history, mediaDeps),
      composer: { ...(await composer(agent.tenantId, c)), suggestions: suggestKnowledge(settings.knowledgeBase, lastText) },
    });
  });

  api.post('/conversations/:id/read', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(agent.tenantId, idParam(req));
    await agents.markRead(agent.tenantId, agent.id, c.id, new Date(clock.now()));
    res.status(204).end();
  });

  const draftOf = async (tenantId: string, c: Conversation, req: Request): Promise<Draft> => {
    if (obj(req.body).kind === 'media') {
      const b = parseBody(ConsoleMediaDraftSchema, req);
      return { content: await mediaContent(tenantId, c, b), ...(b.tag ? { tag: b.tag } : {}) };
    }
    const b = parseBody(ConsoleDraftSchema, req);
    if (b.kind === 'template') {
      const t = await ctx.outbound.templates.get(tenantId, b.templateId!);
      if (!t) throw new NotFoundError('template', b.templateId!);
      return { content: templateContent(t, b.parameters ?? {}) };
    }
    return { content: { type: 'text', text: b.text! }, ...(b.tag ? { tag: b.tag } : {}) };
  };

  /**
   * A file the agent uploaded, as message content: only an upload (or a generated document) of this
   * tenant that belongs to no other contact — an agent cannot pass one customer's file to another.
   */
  const mediaContent = async (tenantId: string, c: Conversation, b: z.output<typeof ConsoleMediaDraftSchema>): Promise<Content> => {
    const record = await ctx.media.store.get(tenantId, b.storedId);
    if (!record) throw new NotFoundError('media', b.storedId);
    if (record.origin === 'inbound' || (record.contactId !== undefined && record.contactId !== c.contactId)) {
      throw new ValidationError('storedId', 'must name a file uploaded for this conversation');
    }
    const caption = b.caption?.trim() ? b.caption : undefined;
    return { type: sendKindOf(record, b.sendAs), media: { storedId: record.id, ...(caption ? { caption } : {}) } };
  };

  const sendRequest = (c: Conversation, d: Draft): SendRequest => ({
    channel: c.address.channel, accountId: c.address.accountId, conversationId: c.id,
    content: d.content, purpose: 'service', sender: 'agent', ...(d.tag ? { tag: d.tag } : {}),
  });

  /** The reply box asks first: may this go, and if not, why, and what may go instead. */
  api.post('/conversations/:id/evaluate', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(agent.tenantId, idParam(req));
    const draft = await draftOf(agent.tenantId, c, req);
    const outcome = await ctx.outbound.service.evaluate(agent.tenantId, sendRequest(c, draft));
    const info = await composer(agent.tenantId, c);
    let tags: { tag: string; allowed: boolean; reasons: unknown[] }[] = [];
    if (!outcome.decision.allowed && draft.content.type !== 'template' && !draft.tag) {
      // offer each tag an agent may use, asking the engine rather than guessing
      tags = await Promise.all(info.window.agentTags.map(async (t) => {
        const probe = await ctx.outbound.service.evaluate(agent.tenantId, sendRequest(c, { ...draft, tag: t.tag }));
        return { tag: t.tag, allowed: probe.decision.allowed, reasons: probe.decision.allowed ? [] : probe.decision.reasons };
      }));
    }
    res.json({
      allowed: outcome.decision.allowed,
      ...(outcome.decision.allowed ? { form: outcome.decision.form, price: outcome.decision.price } : { reasons: outcome.decision.reasons }),
      window: info.window,
      alternatives: { templates: outcome.decision.allowed ? [] : info.templates, tags: tags.filter((t) => t.allowed) },
      explanation: outcome.explanation,
    });
  });

  api.post('/conversations/:id/messages', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(agent.tenantId, idParam(req));
    const draft = await draftOf(agent.tenantId, c, req);
    const key = idempotencyKeyOf(req);
    // namespaced per agent, so two agents' keys never collide
    // through the host's outbound port, as every send
    const result = await ctx.gateway.send({ tenantId: agent.tenantId, ...sendRequest(c, draft), via: 'api', ...(key ? { idempotencyKey: `console:${agent.id}:${key}` } : {}) });
    if (result.status === 'denied') { res.status(422).json(policyDeniedBody(result.reasons)); return; }
    await agents.markRead(agent.tenantId, agent.id, c.id, new Date(clock.now()));
    res.status(202).json(queuedBody(result));
  });

  // ---- actions ----
  const agentIn = async (tenantId: string, id: string): Promise<void> => {
    const a = await agents.get(tenantId, id);
    if (!a || a.disabled) throw new ValidationError('agentId', `names no active agent of this tenant (${id})`);
  };

  api.post('/conversations/:id/assign', async (req, res) => {
    const { agent } = callerOf(res);
    const b = parseBody(ConsoleAssignSchema, req);
    const target = b.agentId || agent.id;
    if (target !== agent.id && !roleAtLeast(agent.role, 'supervisor')) throw new ForbiddenError('only supervisors assign conversations to others; transfer instead');
    await agentIn(agent.tenantId, target);
    res.json(await ctx.conversations.assign(agent.tenantId, idParam(req), target, b.queue || undefined));
  });

  api.post('/conversations/:id/transfer', async (req, res) => {
    const { agent } = callerOf(res);
    const b = parseBody(ConsoleTransferSchema, req);
    const agentId = b.agentId || undefined;
    const queue = b.queue || undefined;
    if (agentId) await agentIn(agent.tenantId, agentId);
    res.json(await ctx.conversations.transfer(agent.tenantId, idParam(req), { ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) }));
  });

  api.post('/conversations/:id/handback', async (req, res) => {
    const { agent } = callerOf(res);
    const t = tenantOf(agent.tenantId);
    const handler = (parseBody(HandbackSchema, req).handler || undefined)
      ?? (t.routing?.rules ?? []).flatMap((r) => ('bot' in r.to ? [r.to.bot] : []))[0]
      ?? Object.keys(ctx.config.bots)[0];
    if (!handler) throw new ConflictError('this tenant has no bot to hand the conversation back to');
    if (!(handler in ctx.config.bots)) throw new ValidationError('handler', `names no bot handler (known: ${Object.keys(ctx.config.bots).join(', ')})`);
    res.json(await ctx.conversations.handover(agent.tenantId, idParam(req), { kind: 'bot', handler }));
  });

  api.post('/conversations/:id/resolve', async (req, res) => {
    res.json(await ctx.conversations.resolve(callerOf(res).agent.tenantId, idParam(req)));
  });
  api.post('/conversations/:id/reopen', async (req, res) => {
    res.json(await ctx.conversations.reopen(callerOf(res).agent.tenantId, idParam(req)));
  });
  api.post('/conversations/:id/tags', async (req, res) => {
    const { tags } = parseBody(ConsoleTagsSchema, req);
    res.json(await ctx.conversations.tag(callerOf(res).agent.tenantId, idParam(req), tags));
  });

  // ---- contact panel ----
  api.get('/contacts/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const t = tenantOf(agent.tenantId);
    const contact = await stores.contacts.get(t.id, idParam(req));
    if (!contact) throw new NotFoundError('contact', idParam(req));
    res.json({
      contact, consent: await consentServiceIn(ctx).stateOf(t, contact),
      notes: await agents.listNotes(t.id, contact.id),
      conversations: await stores.conversations.list(t.id, { contactId: contact.id, limit: 100 }),
      canExport: roleAtLeast(agent.role, 'admin'),
    });
  });

  api.patch('/contacts/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const b = parseBody(ContactPatchSchema, req);
    const patch = { ...(b.crmRef !== undefined ? { crmRef: b.crmRef } : {}), ...(b.tags !== undefined ? { tags: b.tags } : {}) };
    const updated = await stores.contacts.update(agent.tenantId, idParam(req), { ...patch, updatedAt: new Date(clock.now()) });
    if (!updated) throw new NotFoundError('contact', idParam(req));
    res.json(updated);
  });

  api.post('/contacts/:id/notes', async (req, res) => {
    const { agent } = callerOf(res);
    const contact = await stores.contacts.get(agent.tenantId, idParam(req));
    if (!contact) throw new NotFoundError('contact', idParam(req));
    const { text } = parseBody(NoteSchema, req);
    const note = { id: randomUUID(), tenantId: agent.tenantId, contactId: contact.id, agentId: agent.id, authorName: agent.name, text, at: new Date(clock.now()) };
    await agents.addNote(note);
    res.status(201).json(note);
  });

  /**
   * Export and erasure belong to the compliance API (`/v1/contacts/:id/export`, `DELETE /v1/contacts/:id`):
   * the console calls it on the admin's behalf, over loopback to this very process, with the tenant's API key.
   */
  const compliance = async (req: Request, res: Response, method: 'GET' | 'DELETE', suffix: string): Promise<void> => {
    const { agent } = callerOf(res);
    if (!roleAtLeast(agent.role, 'admin')) throw new ForbiddenError('only admins export or erase contacts');
    const t = tenantOf(agent.tenantId);
    const scope = method === 'GET' ? 'compliance:export' : 'compliance:erase';
    const key = configuredKeyWith(t, scope);
    if (!key) throw new ConflictError(`the tenant has no configured API key with the scope "${scope}" for the compliance API`);
    let local = req.socket.localAddress ?? '127.0.0.1';
    if (local.startsWith('::ffff:')) local = local.slice(7);
    const base = `http://${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort}`;
    const answer = await fetch(`${base}/v1/contacts/${encodeURIComponent(idParam(req))}${suffix}`, {
      method, headers: { authorization: `Bearer ${key}`, 'x-switchboard-actor': `console-agent:${agent.id}` }, signal: AbortSignal.timeout(30_000),
    });
    const text = await answer.text();
    deps.logger.info({ tenantId: t.id, agentId: agent.id, contactId: idParam(req), method, status: answer.status }, 'console: compliance call');
    if (method === 'DELETE' && answer.ok) await agents.deleteNotes(t.id, idParam(req));
    res.status(answer.status);
    const type = answer.headers.get('content-type');
    if (type) res.set('content-type', type);
    const disposition = answer.headers.get('content-disposition');
    if (disposition) res.set('content-disposition', disposition);
    res.send(text);
  };
  api.post('/contacts/:id/export', (req, res) => compliance(req, res, 'GET', '/export'));
  api.post('/contacts/:id/erase', (req, res) => compliance(req, res, 'DELETE', ''));

  // ---- supervisor ----
  api.get('/supervisor', auth.requireRole('supervisor'), async (_req, res) => {
    const { agent } = callerOf(res);
    const [team, conversations] = await Promise.all([agents.list(agent.tenantId), stores.conversations.list(agent.tenantId, { limit: 500 })]);
    res.json(supervisorStats(team.filter((a) => !a.disabled), conversations));
  });

  // ---- live updates ----
  api.get('/events', async (req, res) => {
    const { agent, session } = callerOf(res);
    const tenantId = agent.tenantId;
    // the same feed and bounded writer as /v1/events: a tab that stops reading is dropped, and the
    // browser's EventSource resumes with Last-Event-ID from the event log
    const client = await openStream(eventFeedOf(ctx), res, {
      tenantId, surface: 'console', format: CONSOLE_FORMAT, preamble: 'retry: 2000\n',
      ...optionalLastEventId(lastEventIdOf(req)),
    });
    deps.streams.add(res);
    // the heartbeat also notices a session that ended (logout, expiry, disabled agent)
    const heartbeat = setInterval(() => {
      void auth.resolve(req).then((caller) => {
        if (!caller || caller.session.id !== session.id) { client.end('event: logout\ndata: {}\n\n'); return; }
        client.connection.comment('ping');
      }, () => client.connection.comment('ping'));
    }, deps.heartbeatMs);
    heartbeat.unref();
    void client.connection.closed.then(() => { clearInterval(heartbeat); deps.streams.delete(res); });
  });

  app.use('/console/api', api);
}

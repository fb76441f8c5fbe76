/**
 * `/v1/agents` and `/v1/console/settings`: the integrator manages a tenant's console accounts, saved
 * replies and knowledge-base links with its API key.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@switchboard/core';
import type express from 'express';
import type { Request } from 'express';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import { AgentCreateSchema, AgentPatchSchema, ConsoleSettingsSchema, EmptyBodySchema } from '../api/schemas.js';
import { parseBody, parseInput } from '../api/validation.js';
import { publicAgent, type AgentStore, type ConsoleSettings } from './agent-store.js';
import { hashPassword, passwordProblem, type ScryptParams } from './password.js';

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/**
 * Mounts `/v1/agents` (list, create, read, update, delete).
 * @param v1 - the authenticated `/v1` router
 * @param deps - the agent store, the clock and the password cost
 */
export function mountAgentRoutes(v1: express.Router, deps: { agents: AgentStore; clock: Clock; scrypt: ScryptParams }): void {
  const { agents, clock } = deps;
  v1.get('/agents', async (req, res) => {
    res.json({ items: (await agents.list(tenantOf(req).id)).map(publicAgent) });
  });
  v1.post('/agents', async (req, res) => {
    const t = tenantOf(req);
    const b = parseBody(AgentCreateSchema, req);
    const email = b.email;
    const now = new Date(clock.now());
    const agent = {
      id: randomUUID(), tenantId: t.id, email, name: b.name ?? email, role: b.role,
      passwordHash: await hashPassword(b.password, deps.scrypt),
      ...(b.queues ? { queues: b.queues } : {}), createdAt: now, updatedAt: now,
    };
    if (!(await agents.insert(agent))) throw new ConflictError(`an agent with e-mail ${email} exists`, { email });
    res.status(201).json(publicAgent(agent));
  });
  v1.get('/agents/:id', async (req, res) => {
    const a = await agents.get(tenantOf(req).id, String(req.params.id));
    if (!a) throw new NotFoundError('agent', String(req.params.id));
    res.json(publicAgent(a));
  });
  v1.patch('/agents/:id', async (req, res) => {
    const t = tenantOf(req);
    const id = String(req.params.id);
    const { name, role: r, queues: q, disabled, password } = parseBody(AgentPatchSchema, req);
    let passwordHash: string | undefined;
    if (password !== undefined) {
      const current = await agents.get(t.id, id);
      const problem = passwordProblem(password, current ? { email: current.email, name: name ?? current.name } : {});
      if (problem) throw new ValidationError('password', problem);
      passwordHash = await hashPassword(password, deps.scrypt);
    }
    const updated = await agents.update(t.id, id, {
      ...(name ? { name } : {}), ...(r ? { role: r } : {}), ...(q ? { queues: q } : {}),
      ...(passwordHash ? { passwordHash } : {}), ...(disabled !== undefined ? { disabled } : {}),
    }, new Date(clock.now()));
    if (!updated) throw new NotFoundError('agent', id);
    // a new password or a disabled account ends every open session
    if (passwordHash || disabled === true) await agents.deleteSessionsOf(t.id, id);
    res.json(publicAgent(updated));
  });
  v1.delete('/agents/:id', async (req, res) => {
    parseBody(EmptyBodySchema, req);
    const id = String(req.params.id);
    if (!(await agents.delete(tenantOf(req).id, id))) throw new NotFoundError('agent', id);
    res.status(204).end();
  });
}

/**
 * Validates console settings (saved replies and knowledge-base links) against {@link ConsoleSettingsSchema}.
 * @param b - the request body
 * @returns the lists, each entry with an id (`qr-<n>`, `kb-<n>` when none was given)
 * @throws RequestValidationError naming every bad field
 */
export function parseConsoleSettings(b: unknown): Pick<ConsoleSettings, 'quickReplies' | 'knowledgeBase'> {
  const parsed = parseInput(ConsoleSettingsSchema, b ?? {});
  return {
    quickReplies: parsed.quickReplies.map((x, i) => ({ id: x.id?.trim() ?? `qr-${i + 1}`, title: x.title, text: x.text })),
    knowledgeBase: parsed.knowledgeBase.map((x, i) => ({
      id: x.id?.trim() ?? `kb-${i + 1}`, title: x.title, url: x.url, ...(x.keywords ? { keywords: x.keywords } : {}),
    })),
  };
}

/**
 * Mounts `GET/PUT /v1/console/settings`: the tenant's saved replies and knowledge-base links.
 * @param v1 - the authenticated `/v1` router
 * @param deps - the agent store and the clock
 */
export function mountSettingsRoutes(v1: express.Router, deps: { agents: AgentStore; clock: Clock }): void {
  v1.get('/console/settings', async (req, res) => {
    res.json(await deps.agents.getSettings(tenantOf(req).id));
  });
  v1.put('/console/settings', async (req, res) => {
    const t = tenantOf(req);
    const settings: ConsoleSettings = { tenantId: t.id, ...parseConsoleSettings(req.body), updatedAt: new Date(deps.clock.now()) };
    await deps.agents.putSettings(settings);
    res.json(settings);
  });
}

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
import { AGENT_ROLES, publicAgent, type AgentRole, type AgentStore, type ConsoleSettings } from './agent-store.js';
import { hashPassword, passwordProblem, type ScryptParams } from './password.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;
const QUEUE = /^[A-Za-z0-9_.-]{1,64}$/;

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

function bodyOf(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ValidationError('body', 'must be a JSON object');
  return b as Record<string, unknown>;
}

function text(b: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new ValidationError(key, `must be a non-empty string of at most ${max} characters`);
  return v.trim();
}

function role(b: Record<string, unknown>): AgentRole | undefined {
  const v = b.role;
  if (v === undefined) return undefined;
  if (!(AGENT_ROLES as readonly unknown[]).includes(v)) throw new ValidationError('role', `must be one of ${AGENT_ROLES.join(', ')}`);
  return v as AgentRole;
}

function queues(b: Record<string, unknown>): string[] | undefined {
  const v = b.queues;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 50 || !v.every((q) => typeof q === 'string' && QUEUE.test(q))) throw new ValidationError('queues', 'must be an array of queue ids');
  return v as string[];
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
    const b = bodyOf(req);
    const email = text(b, 'email', 254)?.toLowerCase();
    if (!email || !EMAIL.test(email)) throw new ValidationError('email', 'must be an e-mail address');
    const name = text(b, 'name', 200) ?? email;
    const problem = passwordProblem(b.password, { email, name });
    if (problem) throw new ValidationError('password', problem);
    const now = new Date(clock.now());
    const q = queues(b);
    const agent = {
      id: randomUUID(), tenantId: t.id, email, name, role: role(b) ?? 'agent',
      passwordHash: await hashPassword(b.password as string, deps.scrypt),
      ...(q ? { queues: q } : {}), createdAt: now, updatedAt: now,
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
    const b = bodyOf(req);
    const unknown = Object.keys(b).filter((k) => !['name', 'role', 'password', 'disabled', 'queues'].includes(k));
    if (unknown.length > 0) throw new ValidationError(unknown[0]!, 'cannot be changed (name, role, password, disabled, queues can)');
    if (b.disabled !== undefined && typeof b.disabled !== 'boolean') throw new ValidationError('disabled', 'must be a boolean');
    let passwordHash: string | undefined;
    if (b.password !== undefined) {
      const current = await agents.get(t.id, id);
      const problem = passwordProblem(b.password, current ? { email: current.email, name: typeof b.name === 'string' ? b.name : current.name } : {});
      if (problem) throw new ValidationError('password', problem);
      passwordHash = await hashPassword(b.password as string, deps.scrypt);
    }
    const name = text(b, 'name', 200);
    const r = role(b);
    const q = queues(b);
    const updated = await agents.update(t.id, id, {
      ...(name ? { name } : {}), ...(r ? { role: r } : {}), ...(q ? { queues: q } : {}),
      ...(passwordHash ? { passwordHash } : {}), ...(b.disabled !== undefined ? { disabled: b.disabled as boolean } : {}),
    }, new Date(clock.now()));
    if (!updated) throw new NotFoundError('agent', id);
    // a new password or a disabled account ends every open session
    if (passwordHash || b.disabled === true) await agents.deleteSessionsOf(t.id, id);
    res.json(publicAgent(updated));
  });
  v1.delete('/agents/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await agents.delete(tenantOf(req).id, id))) throw new NotFoundError('agent', id);
    res.status(204).end();
  });
}

function list<T>(v: unknown, field: string, max: number, check: (x: Record<string, unknown>, i: number) => T): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) throw new ValidationError(field, `must be an array of at most ${max} items`);
  return v.map((x, i) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new ValidationError(`${field}[${i}]`, 'must be an object');
    return check(x as Record<string, unknown>, i);
  });
}

/**
 * Validates console settings (saved replies and knowledge-base links).
 * @param b - the request body
 * @returns the lists
 */
export function parseConsoleSettings(b: Record<string, unknown>): Pick<ConsoleSettings, 'quickReplies' | 'knowledgeBase'> {
  const quickReplies = list(b.quickReplies, 'quickReplies', 200, (x, i) => ({
    id: text(x, 'id', 64) ?? `qr-${i + 1}`,
    title: required(x, 'title', 120, `quickReplies[${i}].title`),
    text: required(x, 'text', 4096, `quickReplies[${i}].text`),
  }));
  const knowledgeBase = list(b.knowledgeBase, 'knowledgeBase', 500, (x, i) => {
    const url = required(x, 'url', 2048, `knowledgeBase[${i}].url`);
    let parsed: URL;
    try { parsed = new URL(url); } catch { throw new ValidationError(`knowledgeBase[${i}].url`, 'must be a URL'); }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ValidationError(`knowledgeBase[${i}].url`, 'must be an http(s) URL');
    const keywords = x.keywords === undefined ? undefined : list(x.keywords, `knowledgeBase[${i}].keywords`, 50, () => '');
    if (keywords && !(x.keywords as unknown[]).every((k) => typeof k === 'string' && k.length <= 64)) throw new ValidationError(`knowledgeBase[${i}].keywords`, 'must be strings');
    return {
      id: text(x, 'id', 64) ?? `kb-${i + 1}`, title: required(x, 'title', 200, `knowledgeBase[${i}].title`), url: parsed.href,
      ...(x.keywords !== undefined ? { keywords: x.keywords as string[] } : {}),
    };
  });
  return { quickReplies, knowledgeBase };
}

function required(b: Record<string, unknown>, key: string, max: number, field: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new ValidationError(field, `is required (at most ${max} characters)`);
  return v;
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
    const settings: ConsoleSettings = { tenantId: t.id, ...parseConsoleSettings(bodyOf(req)), updatedAt: new Date(deps.clock.now()) };
    await deps.agents.putSettings(settings);
    res.json(settings);
  });
}

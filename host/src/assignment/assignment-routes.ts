/**
 * Assignment over HTTP: the tenant's presence board and SLA timers, an agent's presence set by the
 * integrator (`/v1`, API key) or by the agent in the console (`/console/api`, session; the status
 * ends with the session). Request and response schemas are the ones the OpenAPI document shows.
 * @module
 */
import type express from 'express';
import { z } from 'zod';
import { parseBody, parseParams } from '../api/validation.js';
import { tenantOf } from '../api/routes/rest-route-kit.js';
import { callerOf } from '../console/console-auth.js';
import { IdParamsSchema } from '../api/schemas.js';
import { PRESENCE_STATUSES, type PresenceStatus } from './assignment-store.js';
import type { AssignmentServiceImpl } from './assignment-service.js';

const status = z.enum(PRESENCE_STATUSES as [PresenceStatus, ...PresenceStatus[]], { error: 'must be online, away or offline' });
const capacity = z.number({ error: 'must be an integer from 1 to 100, or null for the tenant default' }).int().min(1).max(100);

/** `PUT /v1/agents/:id/presence`: a status, a capacity (null: the tenant's default), or both. */
export const PresencePutSchema = z.strictObject({ status: status.optional(), capacity: capacity.nullable().optional() })
  .refine((b) => b.status !== undefined || b.capacity !== undefined, { error: 'give status or capacity' })
  .meta({ id: 'PresencePut' });
/** `PUT /console/api/presence`: the agent's own status. */
export const ConsolePresencePutSchema = z.strictObject({ status }).meta({ id: 'ConsolePresencePut' });

/** An agent's presence, capacity and load. */
export const PresenceViewSchema = z.strictObject({
  agentId: z.string(), name: z.string(), status, capacity: z.number().int(), load: z.number().int(),
  queues: z.array(z.string()).optional(), expiresAt: z.iso.datetime().optional(),
}).meta({ id: 'Presence' });
/** The presence board. */
export const PresenceListSchema = z.strictObject({ items: z.array(PresenceViewSchema) }).meta({ id: 'PresenceList' });
/** An SLA timer. */
export const SlaTimerSchema = z.strictObject({
  conversationId: z.string(), queue: z.string().optional(), agentId: z.string().optional(),
  policy: z.enum(['first-response', 'next-response']), state: z.enum(['running', 'due', 'breached']), dueAt: z.iso.datetime(),
}).meta({ id: 'SlaTimer' });
/** The tenant's running, due and breached timers. */
export const SlaTimerListSchema = z.strictObject({ items: z.array(SlaTimerSchema) }).meta({ id: 'SlaTimerList' });

/**
 * Mounts `GET /presence`, `PUT /agents/:id/presence` and `GET /sla/timers` on `/v1`.
 * @param v1 - the authenticated `/v1` router
 * @param service - the assignment service
 */
export function mountAssignmentRoutes(v1: express.Router, service: AssignmentServiceImpl): void {
  v1.get('/presence', async (req, res) => {
    res.json({ items: await service.listPresence(tenantOf(req).id) });
  });
  v1.put('/agents/:id/presence', async (req, res) => {
    const { id } = parseParams(IdParamsSchema, req);
    const b = parseBody(PresencePutSchema, req);
    res.json(await service.setPresence(tenantOf(req).id, id, b.status, b.capacity !== undefined ? { capacity: b.capacity } : {}));
  });
  v1.get('/sla/timers', async (req, res) => {
    res.json({ items: await service.timers(tenantOf(req).id) });
  });
}

/**
 * Mounts `GET /presence`, `PUT /presence` and `GET /sla` on the console's API router (after its
 * session and CSRF checks). An agent sets their own status, which ends with their session.
 * @param api - the console API router
 * @param service - the assignment service
 */
export function mountAssignmentConsoleRoutes(api: express.Router, service: AssignmentServiceImpl): void {
  api.get('/presence', async (_req, res) => {
    res.json({ items: await service.listPresence(callerOf(res).agent.tenantId) });
  });
  api.put('/presence', async (req, res) => {
    const { agent, session } = callerOf(res);
    const b = parseBody(ConsolePresencePutSchema, req);
    // the session's absolute end; an earlier end (idle expiry, logout) is found through sessionId
    res.json(await service.setPresence(agent.tenantId, agent.id, b.status, { expiresAt: session.maxExpiresAt, sessionId: session.id }));
  });
  api.get('/sla', async (_req, res) => {
    res.json({ items: await service.timers(callerOf(res).agent.tenantId) });
  });
}

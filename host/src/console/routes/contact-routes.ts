/**
 * The contact panel: `GET /contacts/:id` (the contact, consent, notes, conversations), `PATCH
 * /contacts/:id` (CRM reference, tags), `POST /contacts/:id/notes`, and the admin's export and
 * erasure, which call the compliance API on the admin's behalf.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@switchboard/core';
import type express from 'express';
import type { Request, Response } from 'express';
import { configuredKeyWith } from '../../api/api-keys.js';
import { ContactPatchSchema, NoteSchema } from '../../api/schemas.js';
import { parseBody } from '../../api/validation.js';
import type { TenantConfig } from '../../config/host-config.js';
import type { ConsentService } from '../../consent/consent-service.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { HostStores } from '../../stores/stores.js';
import { roleAtLeast, type AgentStore } from '../agent-store.js';
import { callerOf, ForbiddenError } from '../console-auth.js';
import { idParam, tenantIn } from './console-route-kit.js';

/** What the contact panel's routes read and write. */
export interface ContactRouteDeps {
  /** The host's tenants by id (their API keys reach the compliance API). */
  tenants: ReadonlyMap<string, TenantConfig>;
  stores: Pick<HostStores, 'contacts' | 'conversations'>;
  agents: Pick<AgentStore, 'listNotes' | 'addNote' | 'deleteNotes'>;
  /** The consent service, looked up when a contact is shown. */
  consent: () => Pick<ConsentService, 'stateOf'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Mounts `GET` and `PATCH /contacts/:id`, `POST /contacts/:id/notes`, and `POST
 * /contacts/:id/{export,erase}` (admins only).
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - tenants, stores, agents (notes), consent, clock, logger
 */
export function mountContactRoutes(api: express.Router, deps: ContactRouteDeps): void {
  const { stores, agents, clock } = deps;

  api.get('/contacts/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const t = tenantIn(deps.tenants, agent.tenantId);
    const contact = await stores.contacts.get(t.id, idParam(req));
    if (!contact) throw new NotFoundError('contact', idParam(req));
    res.json({
      contact, consent: await deps.consent().stateOf(t, contact),
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
    const t = tenantIn(deps.tenants, agent.tenantId);
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
}

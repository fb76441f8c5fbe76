/**
 * A contact's CRM context over HTTP: `GET /v1/contacts/:id/context` (API key, `read`) and
 * `GET /console/api/contacts/:id/context` (an agent of the contact's tenant; the console's contact
 * panel shows it). `?refresh=true` asks the provider again instead of the cache. The answer is 200
 * whatever the CRM did: its `status` says found, unknown, unavailable (with the reason) or
 * not-configured.
 * @module
 */
import type express from 'express';
import type { Request } from 'express';
import { z } from 'zod';
import { parseQuery } from '../api/validation.js';
import { NotFoundError } from '../errors.js';
import type { ContactStore } from '../stores/stores.js';
import type { ContactContextResult, ContactContextService } from './contact-context-service.js';

/** `?refresh=true|false`. */
export const ContactContextQuerySchema = z.strictObject({ refresh: z.enum(['true', 'false']).optional() });

/** What the routes need. */
export interface ContactContextRouteDeps {
  contacts: Pick<ContactStore, 'get'>;
  /** The service, looked up per request (absent: not configured). */
  service: () => Pick<ContactContextService, 'get'> | undefined;
}

/**
 * Mounts `GET /contacts/:id/context` on a router.
 * @param router - the `/v1` router or the console's `/console/api` router
 * @param deps - the contact store and the service
 * @param tenantOf - the caller's tenant id (from the API key or the agent's session)
 * @param idOf - the route's checked `:id`
 */
export function mountContactContextRoute(router: express.Router, deps: ContactContextRouteDeps, tenantOf: (req: Request, res: express.Response) => string, idOf: (req: Request) => string): void {
  router.get('/contacts/:id/context', async (req, res) => {
    const tenantId = tenantOf(req, res);
    const id = idOf(req);
    const { refresh } = parseQuery(ContactContextQuerySchema, req);
    const contact = await deps.contacts.get(tenantId, id);
    if (!contact) throw new NotFoundError('contact', id);
    const service = deps.service();
    const result: ContactContextResult = service ? await service.get(contact, { refresh: refresh === 'true' }) : { status: 'not-configured' };
    res.json({ contactId: contact.id, ...result });
  });
}

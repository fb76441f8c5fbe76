/**
 * `/v1/contacts`: list, read, and a contact's consent — the ledger's history and derived state, and
 * an event the integrator records (with the evidence it describes; the source and recorder are the
 * server's).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Clock, ConsentEntry } from '@switchboard/core';
import type express from 'express';
import { signalScope, type ConsentService } from '../../consent/consent-service.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { HostStores } from '../../stores/stores.js';
import { apiKeyRef } from '../api-key-ref.js';
import { ConsentEventSchema, PageQuerySchema } from '../schemas.js';
import { parseBody, parseQuery } from '../validation.js';
import { page, param, tenantOf } from './rest-route-kit.js';

/** What the contact routes read and write. */
export interface ContactRouteDeps {
  contacts: Pick<HostStores['contacts'], 'list' | 'get'>;
  /** The consent ledger's one writer. */
  consent: Pick<ConsentService, 'stateOf' | 'record'>;
  clock: Clock;
}

/**
 * Mounts `GET /v1/contacts`, `GET /v1/contacts/:id` and `GET`/`POST /v1/contacts/:id/consent`.
 * @param v1 - the authenticated `/v1` router
 * @param deps - the contact store, the consent service, the clock
 */
export function mountContactRoutes(v1: express.Router, deps: ContactRouteDeps): void {
  const { contacts, consent } = deps;

  v1.get('/contacts', async (req, res) => { res.json({ items: await contacts.list(tenantOf(req).id, page(parseQuery(PageQuerySchema, req))) }); });
  v1.get('/contacts/:id', async (req, res) => {
    const c = await contacts.get(tenantOf(req).id, param(req, 'id'));
    if (!c) throw new NotFoundError('contact', param(req, 'id'));
    res.json(c);
  });
  v1.get('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await contacts.get(t.id, param(req, 'id'));
    if (!contact) throw new NotFoundError('contact', param(req, 'id'));
    const { history, state } = await consent.stateOf(t, contact);
    res.json({ contactId: contact.id, history, state });
  });
  v1.post('/contacts/:id/consent', async (req, res) => {
    const t = tenantOf(req);
    const contact = await contacts.get(t.id, param(req, 'id'));
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
}

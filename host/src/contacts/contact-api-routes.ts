/**
 * The contact routes of issue 20 on `/v1`: `PATCH /contacts/:id` (name, locale, time zone, tags,
 * CRM reference, custom attributes), `POST /contacts/:id/merge` (fold another contact into this
 * one), `GET /contacts/:id/merges` and `GET /contacts/:id/timeline` (the contact's messages across
 * every channel, newest first).
 * @module
 */
import type { Clock } from '@switchboard/core';
import type express from 'express';
import { apiKeyRef } from '../api/api-key-ref.js';
import { page, param, tenantOf } from '../api/routes/rest-route-kit.js';
import { parseBody, parseQuery } from '../api/validation.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { ContactContextService } from '../crm/contact-context-service.js';
import { NotFoundError } from '../errors.js';
import type { HostStores } from '../stores/stores.js';
import { ContactMerger } from './contact-merge.js';
import { ContactMergeSchema, ContactUpdateSchema, TimelineQuerySchema } from './contact-schemas.js';
import { contactTimeline } from './contact-timeline.js';
import { applyContactUpdate } from './contact-update.js';

/** What the routes read and write. */
export interface ContactApiDeps {
  stores: Pick<HostStores, 'contacts' | 'conversations' | 'messages' | 'contactMerges' | 'agents'>;
  /** The consent ledger's one writer (a merge carries the ledger over through it). */
  consent: Pick<ConsentService, 'adoptLedger'>;
  clock: Clock;
  /** The CRM context cache: an edited or merged contact is asked about afresh (its name and addresses changed). */
  contactContext?: Pick<ContactContextService, 'forget'>;
}

/**
 * Mounts the routes (see the module's description).
 * @param v1 - the authenticated `/v1` router
 * @param deps - stores, the consent service, the clock
 */
export function mountContactApiRoutes(v1: express.Router, deps: ContactApiDeps): void {
  const { stores, clock } = deps;
  const merger = new ContactMerger({
    contacts: stores.contacts, conversations: stores.conversations, merges: stores.contactMerges, notes: stores.agents, consent: deps.consent, clock,
  });

  v1.patch('/contacts/:id', async (req, res) => {
    const id = param(req, 'id');
    const update = parseBody(ContactUpdateSchema, req);
    const updated = await stores.contacts.modify(tenantOf(req).id, id, (c) => applyContactUpdate(c, update, new Date(clock.now())));
    if (!updated) throw new NotFoundError('contact', id);
    deps.contactContext?.forget(updated.tenantId, updated.id);
    res.json(updated);
  });

  v1.post('/contacts/:id/merge', async (req, res) => {
    const { contactId } = parseBody(ContactMergeSchema, req);
    const { contact, merge } = await merger.merge(tenantOf(req).id, param(req, 'id'), contactId, apiKeyRef(req));
    deps.contactContext?.forget(contact.tenantId, contact.id);
    res.json({ ...merge, contact });
  });

  v1.get('/contacts/:id/merges', async (req, res) => {
    const t = tenantOf(req);
    const id = param(req, 'id');
    if (!(await stores.contacts.get(t.id, id))) throw new NotFoundError('contact', id);
    res.json({ items: await stores.contactMerges.listByContact(t.id, id) });
  });

  v1.get('/contacts/:id/timeline', async (req, res) => {
    const t = tenantOf(req);
    const q = parseQuery(TimelineQuerySchema, req);
    const timeline = await contactTimeline(stores, t.id, param(req, 'id'), page(q));
    if (!timeline) throw new NotFoundError('contact', param(req, 'id'));
    res.json(timeline);
  });
}

/**
 * An agent's saved reply rendered for the conversation's contact:
 * `GET /console/api/conversations/:id/saved-replies/:replyId` answers `{ id, title, text, missing,
 * invalid }` — the contact's fields and the CRM context's filled in, what could not be filled left
 * in place and named, so the agent completes it before sending.
 * @module
 */
import type express from 'express';
import { z } from 'zod';
import { parseParams } from '../api/validation.js';
import { callerOf } from '../console/console-auth.js';
import { loadConversation } from '../console/routes/console-route-kit.js';
import type { ContactContextService } from '../crm/contact-context-service.js';
import { NotFoundError } from '../errors.js';
import type { HostStores } from '../stores/stores.js';
import { replyVariables, type Knowledge } from './knowledge.js';

/** The route's parameters. */
export const SavedReplyParamsSchema = z.strictObject({ id: z.string().min(1).max(256), replyId: z.string().min(1).max(64) });

/** What the route reads. */
export interface KnowledgeRouteDeps {
  stores: Pick<HostStores, 'conversations' | 'contacts'>;
  knowledge: Knowledge;
  /** The CRM context (absent: `crm.*` variables stay unfilled). */
  contactContext: () => Pick<ContactContextService, 'get'> | undefined;
}

/**
 * Mounts the route on the console's `/console/api` router.
 * @param api - the router (authenticated agents)
 * @param deps - stores, knowledge, CRM context
 */
export function mountKnowledgeRoutes(api: express.Router, deps: KnowledgeRouteDeps): void {
  api.get('/conversations/:id/saved-replies/:replyId', async (req, res) => {
    const { agent } = callerOf(res);
    const { id, replyId } = parseParams(SavedReplyParamsSchema, req);
    const conversation = await loadConversation(deps.stores.conversations, agent.tenantId, id);
    const contact = await deps.stores.contacts.get(agent.tenantId, conversation.contactId);
    if (!contact) throw new NotFoundError('contact', conversation.contactId);
    const crm = await deps.contactContext()?.get(contact);
    const rendered = await deps.knowledge.render(agent.tenantId, replyId, replyVariables(contact, crm?.status === 'found' ? crm.context : undefined));
    if (!rendered) throw new NotFoundError('saved reply', replyId);
    res.json(rendered);
  });
}

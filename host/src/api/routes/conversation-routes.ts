/**
 * `/v1/conversations`: list, read, a conversation's messages (read and send, through the host's
 * one outbound port), and the changes an integrator makes (assign, hand over, transfer, resolve,
 * reopen, tag) through the ConversationService.
 * @module
 */
import type express from 'express';
import { presentMessage } from '../../media/media-presenter.js';
import type { MediaUrls } from '../../media/media-store.js';
import type { OutboundGateway } from '../../outbound/outbound-gateway.js';
import { policyDeniedBody } from '../../outbound/outbound-routes.js';
import type { ConversationService } from '../../routing/conversation-service.js';
import type { HostStores } from '../../stores/stores.js';
import { NotFoundError } from '../../errors.js';
import { apiSender } from '../api-scopes.js';
import {
  AssignSchema, ConversationMessageSchema, ConversationsQuerySchema, EmptyBodySchema, HandoverSchema, PageQuerySchema, TagsSchema, TransferSchema,
} from '../schemas.js';
import { idempotencyKeyOf, parseBody, parseQuery } from '../validation.js';
import { page, param, tenantOf } from './rest-route-kit.js';

/** What the conversation routes read and call. */
export interface ConversationRouteDeps {
  stores: Pick<HostStores, 'conversations' | 'messages'>;
  conversations: Pick<ConversationService, 'assign' | 'handover' | 'transfer' | 'resolve' | 'reopen' | 'tag'>;
  /** The host's one outbound port. */
  gateway: Pick<OutboundGateway, 'send'>;
  /** The URL a message's stored file is answered with. */
  mediaUrls: Pick<MediaUrls, 'apiUrl'>;
}

/**
 * Mounts the `/v1/conversations` routes.
 * @param v1 - the authenticated `/v1` router
 * @param deps - stores, the conversation service, the outbound port, media URLs
 */
export function mountConversationRoutes(v1: express.Router, deps: ConversationRouteDeps): void {
  const { stores, conversations } = deps;

  v1.get('/conversations', async (req, res) => {
    const t = tenantOf(req);
    const { status, channel, contactId, ...paging } = parseQuery(ConversationsQuerySchema, req);
    const items = await stores.conversations.list(t.id, {
      ...page(paging), ...(status ? { status } : {}), ...(channel ? { channel } : {}), ...(contactId ? { contactId } : {}),
    });
    res.json({ items });
  });
  v1.get('/conversations/:id', async (req, res) => {
    const t = tenantOf(req);
    const c = await stores.conversations.get(t.id, param(req, 'id'));
    if (!c) throw new NotFoundError('conversation', param(req, 'id'));
    res.json(c);
  });
  v1.get('/conversations/:id/messages', async (req, res) => {
    const t = tenantOf(req);
    const id = param(req, 'id');
    if (!(await stores.conversations.get(t.id, id))) throw new NotFoundError('conversation', id);
    const items = await stores.messages.listByConversation(t.id, id, page(parseQuery(PageQuerySchema, req)));
    res.json({ items: items.map((m) => presentMessage(m, deps.mediaUrls)) });
  });
  v1.post('/conversations/:id/messages', async (req, res) => {
    const t = tenantOf(req);
    const { content, purpose, sender: requested, topic, tag } = parseBody(ConversationMessageSchema, req);
    // an omitted sender is a human agent only for a key that may send as one
    const sender = apiSender(req, requested, 'agent');
    const idem = idempotencyKeyOf(req);
    const result = await deps.gateway.send({
      tenantId: t.id, conversationId: param(req, 'id'), content, purpose, sender,
      ...(topic ? { topic } : {}), ...(tag ? { tag } : {}), ...(idem ? { idempotencyKey: idem } : {}),
    });
    if (result.status === 'denied') {
      res.status(422).json(policyDeniedBody(result.reasons ?? [], result.decisionId));
      return;
    }
    res.status(202).json({ id: result.message?.id, status: result.status, ...(result.form ? { form: result.form } : {}), ...(result.decisionId ? { decisionId: result.decisionId } : {}) });
  });
  v1.post('/conversations/:id/assign', async (req, res) => {
    const t = tenantOf(req);
    const b = parseBody(AssignSchema, req);
    res.json(await conversations.assign(t.id, param(req, 'id'), b.agentId, b.queue));
  });
  v1.post('/conversations/:id/handover', async (req, res) => {
    const t = tenantOf(req);
    const b = parseBody(HandoverSchema, req);
    if (b.to === 'bot') { res.json(await conversations.handover(t.id, param(req, 'id'), { kind: 'bot', handler: b.handler! })); return; }
    res.json(await conversations.handover(t.id, param(req, 'id'), { kind: 'human', ...(b.queue ? { queue: b.queue } : {}) }));
  });
  v1.post('/conversations/:id/transfer', async (req, res) => {
    const t = tenantOf(req);
    const { agentId, queue } = parseBody(TransferSchema, req);
    res.json(await conversations.transfer(t.id, param(req, 'id'), { ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) }));
  });
  v1.post('/conversations/:id/resolve', async (req, res) => { parseBody(EmptyBodySchema, req); res.json(await conversations.resolve(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/reopen', async (req, res) => { parseBody(EmptyBodySchema, req); res.json(await conversations.reopen(tenantOf(req).id, param(req, 'id'))); });
  v1.post('/conversations/:id/tags', async (req, res) => {
    const { tags } = parseBody(TagsSchema, req);
    res.json(await conversations.tag(tenantOf(req).id, param(req, 'id'), tags));
  });
}

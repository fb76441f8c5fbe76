/**
 * The agent's inbox: `GET /inbox` (the filtered list, newest first) and `GET /inbox/:id` (one row,
 * refreshed after a live update).
 * @module
 */
import type { Conversation } from '@switchboard/core';
import type express from 'express';
import { InboxQuerySchema } from '../../api/schemas.js';
import { parseQuery } from '../../api/validation.js';
import { NotFoundError } from '../../errors.js';
import type { HostStores } from '../../stores/stores.js';
import type { AgentStore } from '../agent-store.js';
import { callerOf } from '../console-auth.js';
import { inboxRow, matchesInbox, type InboxFilter, type InboxRow } from '../console-views.js';
import { allMessages, idParam } from './console-route-kit.js';

/** What the inbox routes read. */
export interface InboxRouteDeps {
  stores: Pick<HostStores, 'conversations' | 'contacts' | 'messages'>;
  agents: Pick<AgentStore, 'readMarkers' | 'list'>;
}

/**
 * Mounts `GET /inbox` and `GET /inbox/:id`.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - the stores and the agents (read markers, names)
 */
export function mountInboxRoutes(api: express.Router, deps: InboxRouteDeps): void {
  const { stores, agents } = deps;

  const rowsFor = async (tenantId: string, agentId: string, list: Conversation[]): Promise<InboxRow[]> => {
    const [marks, team] = await Promise.all([agents.readMarkers(tenantId, agentId), agents.list(tenantId)]);
    return Promise.all(list.map(async (c) => {
      const [contact, messages] = await Promise.all([stores.contacts.get(tenantId, c.contactId), allMessages(stores.messages, tenantId, c.id)]);
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
}

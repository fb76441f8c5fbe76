/**
 * One conversation as the agent opens it: `GET /conversations/:id` (the contact's history on every
 * channel, the reply box's facts, knowledge-base suggestions) and `POST /conversations/:id/read`.
 * @module
 */
import type { Clock } from '@switchboard/core';
import type express from 'express';
import type { HostStores } from '../../stores/stores.js';
import type { AgentStore } from '../agent-store.js';
import { callerOf } from '../console-auth.js';
import { presentConsoleMessages, type ConsoleMediaDeps } from '../console-media.js';
import { suggestKnowledge } from '../console-views.js';
import { allMessages, composerOf, idParam, loadConversation, type ComposerDeps } from './console-route-kit.js';

/** What the conversation routes read and write. */
export interface ConversationRouteDeps {
  stores: Pick<HostStores, 'conversations' | 'contacts' | 'messages'>;
  agents: Pick<AgentStore, 'markRead' | 'getSettings'>;
  /** The reply box's facts (connectors, templates, media limits). */
  composer: ComposerDeps;
  /** How the history's files are shown (short-lived signed URLs). */
  media: ConsoleMediaDeps;
  clock: Clock;
}

/**
 * Mounts `GET /conversations/:id` (marks it read up to its last inbound message) and
 * `POST /conversations/:id/read`.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - stores, agents, composer, media, clock
 */
export function mountConversationRoutes(api: express.Router, deps: ConversationRouteDeps): void {
  const { stores, agents, clock } = deps;

  api.get('/conversations/:id', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(stores.conversations, agent.tenantId, idParam(req));
    const contact = await stores.contacts.get(agent.tenantId, c.contactId);
    // the history spans every conversation of the contact, on every channel
    const siblings = contact ? await stores.conversations.list(agent.tenantId, { contactId: contact.id, limit: 100 }) : [c];
    const history = (await Promise.all(siblings.map(async (s) => (await allMessages(stores.messages, agent.tenantId, s.id)).map((m) => ({ ...m, channel: s.address.channel })))))
      .flat()
      .sort((a, b) => new Date(a.timestamp).getTime() - new Date(b.timestamp).getTime() || new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
    const last = [...history].reverse().find((m) => m.conversationId === c.id && m.direction === 'inbound');
    await agents.markRead(agent.tenantId, agent.id, c.id, last ? new Date(last.timestamp) : new Date(clock.now()));
    const settings = await agents.getSettings(agent.tenantId);
    const lastText = last?.content.type === 'text' ? last.content.text : undefined;
    res.json({
      conversation: c,
      contact: contact ?? null,
      conversations: siblings.map((s) => ({ id: s.id, channel: s.address.channel, status: s.status })),
      history: await presentConsoleMessages(agent.tenantId, history, deps.media),
      composer: { ...(await composerOf(deps.composer, agent.tenantId, c)), suggestions: suggestKnowledge(settings.knowledgeBase, lastText) },
    });
  });

  api.post('/conversations/:id/read', async (req, res) => {
    const { agent } = callerOf(res);
    const c = await loadConversation(stores.conversations, agent.tenantId, idParam(req));
    await agents.markRead(agent.tenantId, agent.id, c.id, new Date(clock.now()));
    res.status(204).end();
  });
}

/**
 * What an agent does to a conversation: assign, transfer, hand back to a bot, resolve, reopen, tag.
 * Every change goes through the host's ConversationService, as the REST API's do.
 * @module
 */
import type express from 'express';
import { ConsoleAssignSchema, ConsoleTagsSchema, ConsoleTransferSchema, HandbackSchema } from '../../api/schemas.js';
import { parseBody } from '../../api/validation.js';
import type { HostConfig, TenantConfig } from '../../config/host-config.js';
import { ConflictError, ValidationError } from '../../errors.js';
import type { ConversationService } from '../../routing/conversation-service.js';
import { roleAtLeast, type AgentStore } from '../agent-store.js';
import { callerOf, ForbiddenError } from '../console-auth.js';
import { idParam, tenantIn } from './console-route-kit.js';

/** What the conversation actions need. */
export interface ConversationActionRouteDeps {
  /** The host's tenants by id (their routing rules name the bots to hand back to). */
  tenants: ReadonlyMap<string, TenantConfig>;
  agents: Pick<AgentStore, 'get'>;
  conversations: Pick<ConversationService, 'assign' | 'transfer' | 'handover' | 'resolve' | 'reopen' | 'tag'>;
  /** The bot handlers the host's config names. */
  bots: HostConfig['bots'];
}

/**
 * Mounts `POST /conversations/:id/{assign,transfer,handback,resolve,reopen,tags}`.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - tenants, agents, the conversation service, bots
 */
export function mountConversationActionRoutes(api: express.Router, deps: ConversationActionRouteDeps): void {
  const { agents, conversations, bots } = deps;

  const agentIn = async (tenantId: string, id: string): Promise<void> => {
    const a = await agents.get(tenantId, id);
    if (!a || a.disabled) throw new ValidationError('agentId', `names no active agent of this tenant (${id})`);
  };

  api.post('/conversations/:id/assign', async (req, res) => {
    const { agent } = callerOf(res);
    const b = parseBody(ConsoleAssignSchema, req);
    const target = b.agentId || agent.id;
    if (target !== agent.id && !roleAtLeast(agent.role, 'supervisor')) throw new ForbiddenError('only supervisors assign conversations to others; transfer instead');
    await agentIn(agent.tenantId, target);
    res.json(await conversations.assign(agent.tenantId, idParam(req), target, b.queue || undefined));
  });

  api.post('/conversations/:id/transfer', async (req, res) => {
    const { agent } = callerOf(res);
    const b = parseBody(ConsoleTransferSchema, req);
    const agentId = b.agentId || undefined;
    const queue = b.queue || undefined;
    if (agentId) await agentIn(agent.tenantId, agentId);
    res.json(await conversations.transfer(agent.tenantId, idParam(req), { ...(agentId ? { agentId } : {}), ...(queue ? { queue } : {}) }));
  });

  api.post('/conversations/:id/handback', async (req, res) => {
    const { agent } = callerOf(res);
    const t = tenantIn(deps.tenants, agent.tenantId);
    const handler = (parseBody(HandbackSchema, req).handler || undefined)
      ?? (t.routing?.rules ?? []).flatMap((r) => ('bot' in r.to ? [r.to.bot] : []))[0]
      ?? Object.keys(bots)[0];
    if (!handler) throw new ConflictError('this tenant has no bot to hand the conversation back to');
    if (!(handler in bots)) throw new ValidationError('handler', `names no bot handler (known: ${Object.keys(bots).join(', ')})`);
    res.json(await conversations.handover(agent.tenantId, idParam(req), { kind: 'bot', handler }));
  });

  api.post('/conversations/:id/resolve', async (req, res) => {
    res.json(await conversations.resolve(callerOf(res).agent.tenantId, idParam(req)));
  });
  api.post('/conversations/:id/reopen', async (req, res) => {
    res.json(await conversations.reopen(callerOf(res).agent.tenantId, idParam(req)));
  });
  api.post('/conversations/:id/tags', async (req, res) => {
    const { tags } = parseBody(ConsoleTagsSchema, req);
    res.json(await conversations.tag(callerOf(res).agent.tenantId, idParam(req), tags));
  });
}

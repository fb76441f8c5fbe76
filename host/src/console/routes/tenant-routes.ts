/**
 * What the console shows of the agent's tenant as a whole: `GET /meta` (read once when the page
 * opens) and `GET /supervisor` (the team's load, for supervisors).
 * @module
 */
import type express from 'express';
import type { HostConfig, TenantConfig } from '../../config/host-config.js';
import type { HostConnectorBinding } from '../../plugins/connector-registry.js';
import type { HostStores } from '../../stores/stores.js';
import { publicAgent, type AgentStore } from '../agent-store.js';
import { callerOf, type ConsoleAuth } from '../console-auth.js';
import { supervisorStats } from '../console-views.js';
import { tenantIn } from './console-route-kit.js';

/** What the tenant routes read. */
export interface TenantRouteDeps {
  /** The host's tenants by id. */
  tenants: ReadonlyMap<string, TenantConfig>;
  agents: Pick<AgentStore, 'list' | 'getSettings'>;
  conversations: Pick<HostStores['conversations'], 'list'>;
  /** The bot handlers the host's config names. */
  bots: HostConfig['bots'];
  /** Every loaded connector account. */
  bindings: readonly HostConnectorBinding[];
  auth: Pick<ConsoleAuth, 'requireRole'>;
}

/**
 * Mounts `GET /meta` (who I am, the tenant, its agents, queues, bots, channels, saved replies) and
 * `GET /supervisor` (supervisors only).
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - tenants, agents, conversations, bots, connector accounts, auth
 */
export function mountTenantRoutes(api: express.Router, deps: TenantRouteDeps): void {
  const { agents, conversations } = deps;

  /** Everything the console needs once: who I am, the tenant, its agents, queues, bots, channels, saved replies. */
  api.get('/meta', async (_req, res) => {
    const { agent } = callerOf(res);
    const t = tenantIn(deps.tenants, agent.tenantId);
    const team = await agents.list(t.id);
    const rules = t.routing?.rules ?? [];
    const open = await conversations.list(t.id, { limit: 500 });
    const queues = new Set<string>([
      ...(t.routing?.escalationQueue ? [t.routing.escalationQueue] : []),
      ...rules.flatMap((r) => ('queue' in r.to ? [r.to.queue] : [])),
      ...team.flatMap((a) => a.queues ?? []),
      ...open.flatMap((c) => (c.assignee.kind === 'queue' ? [c.assignee.queue] : c.assignee.kind === 'agent' && c.assignee.queue ? [c.assignee.queue] : [])),
    ]);
    const bots = [...new Set([...rules.flatMap((r) => ('bot' in r.to ? [r.to.bot] : [])), ...Object.keys(deps.bots)])];
    const channels = [...new Map(deps.bindings.filter((b) => b.tenantId === t.id).map((b) => [b.channel, { channel: b.channel, displayName: b.plugin.displayName }])).values()];
    res.json({
      agent: publicAgent(agent), tenant: { id: t.id, name: t.name ?? t.id },
      agents: team.filter((a) => !a.disabled).map((a) => ({ id: a.id, name: a.name, role: a.role })),
      queues: [...queues].sort(), bots, channels, settings: await agents.getSettings(t.id),
    });
  });

  api.get('/supervisor', deps.auth.requireRole('supervisor'), async (_req, res) => {
    const { agent } = callerOf(res);
    const [team, list] = await Promise.all([agents.list(agent.tenantId), conversations.list(agent.tenantId, { limit: 500 })]);
    res.json(supervisorStats(team.filter((a) => !a.disabled), list));
  });
}

/**
 * What several console routers share: the `:id` check, the tenant look-up, a conversation and its
 * whole history, and the reply box's composer (service window, approved templates, file limit).
 * @module
 */
import type { Clock, Conversation } from '@switchboard/core';
import type { Request } from 'express';
import type { TenantConfig } from '../../config/host-config.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { HostMediaStore } from '../../media/host-media-store.js';
import { templatePlaceholders, type TemplateStore } from '../../outbound/template-registry.js';
import type { ConnectorRegistry } from '../../plugins/connector-registry.js';
import type { HostMessage, HostStores } from '../../stores/stores.js';
import { windowInfo } from '../console-views.js';

/** The most messages of one conversation the console reads. */
const MAX_MESSAGES = 5_000;
/** Messages read per store call. */
const PAGE = 500;

/**
 * A route parameter: present, not empty, at most 200 characters.
 * @param req - the request
 * @param name - the parameter (default `id`)
 * @returns its value
 * @throws ValidationError naming the parameter
 */
export function idParam(req: Request, name = 'id'): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v === '' || v.length > 200) throw new ValidationError(name, 'is required');
  return v;
}

/**
 * A tenant this host serves.
 * @param tenants - the host's tenants by id
 * @param id - the tenant's id
 * @returns its configuration
 * @throws NotFoundError when the host serves no such tenant
 */
export function tenantIn(tenants: ReadonlyMap<string, TenantConfig>, id: string): TenantConfig {
  const t = tenants.get(id);
  if (!t) throw new NotFoundError('tenant', id);
  return t;
}

/**
 * A JSON value as an object (anything else as an empty one).
 * @param v - the value
 * @returns it, or `{}`
 */
export const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * A conversation of the tenant.
 * @param conversations - the conversation store
 * @param tenantId - the tenant
 * @param id - the conversation
 * @returns it
 * @throws NotFoundError when the tenant has no such conversation
 */
export async function loadConversation(conversations: Pick<HostStores['conversations'], 'get'>, tenantId: string, id: string): Promise<Conversation> {
  const c = await conversations.get(tenantId, id);
  if (!c) throw new NotFoundError('conversation', id);
  return c;
}

/**
 * A conversation's messages, page by page, up to the first 5,000.
 * @param messages - the message store
 * @param tenantId - the tenant
 * @param conversationId - the conversation
 * @returns its messages in the store's order
 */
export async function allMessages(messages: Pick<HostStores['messages'], 'listByConversation'>, tenantId: string, conversationId: string): Promise<HostMessage[]> {
  const out: HostMessage[] = [];
  for (let offset = 0; offset < MAX_MESSAGES; offset += PAGE) {
    const page = await messages.listByConversation(tenantId, conversationId, { limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) break;
  }
  return out;
}

/** What {@link composerOf} reads. */
export interface ComposerDeps {
  /** The connector accounts (the channel's policy). */
  registry: Pick<ConnectorRegistry, 'find'>;
  /** The approved templates. */
  templates: Pick<TemplateStore, 'list'>;
  /** The tenant's file limits. */
  media: Pick<HostMediaStore, 'limits'>;
  clock: Clock;
}

/**
 * The reply box's facts for a conversation: its service window, the approved templates of its
 * channel, the template categories allowed outside the window, the largest file it may send.
 * @param deps - connectors, templates, media limits, clock
 * @param tenantId - the tenant
 * @param c - the conversation
 * @returns the composer's facts
 */
export async function composerOf(deps: ComposerDeps, tenantId: string, c: Conversation) {
  const binding = deps.registry.find(tenantId, c.address.channel, c.address.accountId);
  const window = windowInfo(c, binding?.plugin.policy, deps.clock.now());
  const templates = (await deps.templates.list(tenantId, { channel: c.address.channel, status: 'approved' })).map((t) => {
    const { positional, named } = templatePlaceholders(t.body);
    return { id: t.id, name: t.name, language: t.language, category: t.category, body: t.body, placeholders: named.length > 0 ? named : positional.map(String) };
  });
  // the tenant's largest file per kind, so the page refuses an oversize attachment before sending a byte
  const mediaMaxBytes = deps.media.limits(tenantId).maxBytes;
  return { window, templates, templateCategoriesOutsideWindow: binding?.plugin.policy.outsideWindow?.templateCategories ?? [], mediaMaxBytes };
}

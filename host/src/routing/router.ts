/**
 * Routing: the tenant's rules pick who handles an inbound message — a bot handler, an agent queue,
 * or the integrator's endpoint. A conversation a human holds stays with the human until handed back.
 * @module
 */
import { contentToText, type Logger } from '@switchboard/core';
import type { RouteMatch, RouteRule, RouteTarget, TenantConfig } from '../config/host-config.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import { sendNotification } from '../outbound/notifications.js';
import { normalizeKeyword, textOf, type KeywordKind } from '../consent/keywords.js';
import type { InboundNotice } from '../streams.js';
import type { BotContext, BotHandlerFunction } from './bot-handler.js';
import type { ConversationService } from './conversation-service.js';
import type { Forwarder } from './forwarder.js';
import type { ContactContextService } from '../crm/contact-context-service.js';
import type { ContactContext } from '../crm/contact-context.js';
import { replyVariables, type Knowledge } from '../knowledge/knowledge.js';

/** What routing looks at. */
export interface RouteInput {
  channel: string;
  account: string;
  text: string | undefined;
  tags: readonly string[];
}

const asList = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * Whether a rule's match applies.
 * @param match - the rule's match (absent = always)
 * @param input - the message's channel, account, text and conversation tags
 * @returns true when every given condition holds
 */
export function ruleMatches(match: RouteMatch | undefined, input: RouteInput): boolean {
  if (!match) return true;
  const channels = asList(match.channel);
  if (channels && !channels.includes(input.channel)) return false;
  const accounts = asList(match.account);
  if (accounts && !accounts.includes(input.account)) return false;
  if (match.tag !== undefined && !input.tags.includes(match.tag)) return false;
  const keywords = asList(match.keyword);
  if (keywords) {
    if (input.text === undefined) return false;
    const words = ` ${normalizeKeyword(input.text).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
    if (!keywords.some((k) => words.includes(` ${normalizeKeyword(k)} `))) return false;
  }
  if (match.pattern !== undefined) {
    if (input.text === undefined || !new RegExp(match.pattern, 'iu').test(input.text)) return false;
  }
  return true;
}

/**
 * The first matching rule's target.
 * @param rules - the tenant's rules, in order
 * @param input - what is routed
 * @returns the target, or undefined when no rule matches
 */
export function pickRoute(rules: readonly RouteRule[], input: RouteInput): RouteTarget | undefined {
  return rules.find((r) => ruleMatches(r.match, input))?.to;
}

/**
 * Whether a tenant's routing lets a channel account's conversations reach a human: an escalation
 * queue, or a rule that sends them to a queue.
 * @param tenant - the tenant
 * @param channel - the channel
 * @param account - the account key
 * @returns true when a human is reachable
 */
export function canReachHuman(tenant: TenantConfig, channel: string, account: string): boolean {
  if (tenant.routing?.escalationQueue) return true;
  return (tenant.routing?.rules ?? []).some((r) => 'queue' in r.to
    && (asList(r.match?.channel)?.includes(channel) ?? true)
    && (asList(r.match?.account)?.includes(account) ?? true));
}

/** The text of content that keywords and rules are matched against (defined with the keywords). */
export { textOf };


/** Routes stored inbound messages. */
export class Router {
  /**
   * @param deps - tenants, bot handlers, conversation service, outbound gateway, forwarder, logger
   */
  constructor(private readonly deps: {
    tenants: ReadonlyMap<string, TenantConfig>;
    bots: ReadonlyMap<string, BotHandlerFunction>;
    conversations: ConversationService;
    /** The outbound port: replies, documents and notifications all go through it. */
    gateway: OutboundGateway;
    forwarder: Forwarder;
    logger: Logger;
    /** The contacts' CRM context (absent: `ctx.contactContext()` answers undefined). */
    contactContext?: Pick<ContactContextService, 'get'>;
    /** The tenant's saved replies and links (absent: bots see none). */
    knowledge?: Knowledge;
  }) {}

  /**
   * Routes one stored inbound message.
   * @param notice - the message, conversation and contact
   * @param account - the account key it arrived on
   * @param keyword - the consent keyword it was, if any
   */
  async route(notice: InboundNotice, account: string, keyword?: KeywordKind): Promise<void> {
    const tenant = this.deps.tenants.get(notice.tenantId);
    if (!tenant) return;
    let conversation = notice.conversation;
    const held = conversation.assignee.kind === 'agent' || conversation.assignee.kind === 'queue';
    if (held) return; // a human has it: the agent sees it on the stream and in the API
    const text = textOf(notice.message.content);
    const target = pickRoute(tenant.routing?.rules ?? [], { channel: notice.message.channel, account, text, tags: conversation.tags });
    if (target && 'queue' in target) {
      await this.deps.conversations.handover(tenant.id, conversation.id, { kind: 'human', queue: target.queue });
      return;
    }
    if (target && 'forward' in target) {
      if (conversation.assignee.kind !== 'forward') conversation = await this.deps.conversations.route(tenant.id, conversation.id, { kind: 'forward', url: tenant.forwarding!.url });
      // queued durably before the inbound event is done
      await this.deps.forwarder.forward(tenant.forwarding!, {
        type: 'message', tenantId: tenant.id, conversationId: conversation.id,
        data: { message: notice.message, conversation, contact: notice.contact, ...(keyword ? { keyword } : {}) },
      });
      return;
    }
    const handlerName = target && 'bot' in target ? target.bot : conversation.assignee.kind === 'bot' ? conversation.assignee.handler : undefined;
    if (!handlerName) return;
    const handler = this.deps.bots.get(handlerName);
    if (!handler) {
      this.deps.logger.error({ tenantId: tenant.id, handler: handlerName }, 'routing names a bot handler that is not registered');
      return;
    }
    if (conversation.assignee.kind !== 'bot' || conversation.assignee.handler !== handlerName) {
      conversation = await this.deps.conversations.route(tenant.id, conversation.id, { kind: 'bot', handler: handlerName });
    }
    const ctx = this.botContext(tenant, handlerName, { ...notice, conversation }, keyword, text);
    try {
      await handler(ctx);
    } catch (error) {
      this.deps.logger.error({ tenantId: tenant.id, handler: handlerName, conversationId: conversation.id, err: error }, 'bot handler failed');
    }
  }

  private botContext(tenant: TenantConfig, handler: string, notice: InboundNotice, keyword: KeywordKind | undefined, text: string | undefined): BotContext {
    const { conversations, gateway, logger, knowledge } = this.deps;
    const id = notice.conversation.id;
    const contactContext = async (): Promise<ContactContext | undefined> => {
      const result = await this.deps.contactContext?.get(notice.contact);
      return result?.status === 'found' ? result.context : undefined;
    };
    return {
      tenantId: tenant.id,
      handler,
      message: notice.message,
      conversation: notice.conversation,
      contact: notice.contact,
      ...(keyword ? { keyword } : {}),
      ...(text !== undefined ? { text } : {}),
      reply: (content, options) => gateway.send({
        tenantId: tenant.id, conversationId: id, sender: 'bot',
        content: typeof content === 'string' ? { type: 'text', text: content } : content,
        purpose: options?.purpose ?? 'service',
        ...(options?.topic ? { topic: options.topic } : {}),
        ...(options?.tag ? { tag: options.tag } : {}),
        ...(options?.quote && notice.message.externalId ? { replyTo: notice.message.externalId } : {}),
      }),
      replyDocument: async (template, data, options) => {
        const result = await gateway.send({
          tenantId: tenant.id, conversationId: id, sender: 'bot',
          document: {
            template, data, ...(options?.caption !== undefined ? { caption: options.caption } : {}),
            ...(options?.locale ? { locale: options.locale } : {}), ...(options?.timeZone ? { timeZone: options.timeZone } : {}),
          },
          purpose: options?.purpose ?? 'service',
          ...(options?.topic ? { topic: options.topic } : {}),
          ...(options?.tag ? { tag: options.tag } : {}),
          ...(options?.quote && notice.message.externalId ? { replyTo: notice.message.externalId } : {}),
        });
        return result.status === 'queued' ? { ...result, messageId: result.id } : result;
      },
      notify: (request) => sendNotification(gateway, tenant.id, request),
      handover: (options) => conversations.handover(tenant.id, id, { kind: 'human', ...(options?.queue ? { queue: options.queue } : {}) }),
      tag: (...tags) => conversations.tag(tenant.id, id, tags),
      resolve: () => conversations.resolve(tenant.id, id),
      contactContext,
      knowledge: {
        savedReplies: async () => (knowledge ? (await knowledge.of(tenant.id)).savedReplies : []),
        links: async () => (knowledge ? (await knowledge.of(tenant.id)).knowledgeBase : []),
        render: async (idOrTitle) => knowledge?.render(tenant.id, idOrTitle, replyVariables(notice.contact, await contactContext()), 'empty'),
        suggest: async (t) => (knowledge ? knowledge.suggest(tenant.id, t ?? text) : []),
      },
      logger,
    };
  }
}

/** Re-exported for handlers that want a text preview of any content. */
export { contentToText };

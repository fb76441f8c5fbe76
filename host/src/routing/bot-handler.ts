/**
 * Bot handlers: code an integrator registers in the config by name, called for each inbound
 * message of a conversation a bot owns.
 * @module
 */
import type { Contact, Content, Conversation, Logger, Purpose } from '@switchboard/core';
import type { KeywordKind } from '../consent/keywords.js';
import type { HostMessage } from '../stores/stores.js';
import type { OutboundResult } from '../outbound/outbound-gateway.js';
import type { NotificationResult } from '../outbound/outbound-service.js';
import type { NotificationRequest } from '../outbound/send-request.js';
import type { ContactContext } from '../crm/contact-context.js';
import type { KnowledgeLink, QuickReply } from '../console/agent-store.js';
import type { RenderedReply } from '../knowledge/knowledge.js';

/** What a bot handler is given for one inbound message. */
export interface BotContext {
  tenantId: string;
  /** The name the handler was registered under. */
  handler: string;
  message: HostMessage;
  conversation: Conversation;
  contact: Contact;
  /** Set when the message was a consent keyword (already recorded in the ledger). */
  keyword?: KeywordKind;
  /** Text of the message, when it has one (text, reply title, caption). */
  text?: string;
  /**
   * Answers in the conversation. The policy engine checks it like any other message; a refusal
   * comes back as `{ status: 'denied', reasons }`, not as an exception.
   * @param content - the answer (a string is a text)
   * @param options.purpose - default `service`
   * @param options.topic - the stated context of a transactional or marketing message
   * @param options.tag - a message tag for channels that use them outside the window
   * @param options.quote - quote the customer's message (a platform reply) rather than just answer
   */
  reply(content: Content | string, options?: { purpose?: Purpose; topic?: string; tag?: string; quote?: boolean }): Promise<OutboundResult>;
  /**
   * Answers with a generated document: the host renders the template (a boarding pass, an order
   * receipt, or one given in `HostOptions.documents`) from `data` and this contact's name, locale and
   * time zone, stores the PDF in its media store and sends it as a `document` message — checked by
   * the policy engine like {@link BotContext.reply}, then through the outbox and the connector's
   * upload. A refusal comes back as `{ status: 'denied', reasons }` (and leaves no file); a queued
   * document's message id is `messageId`.
   * @param template - the template's name (`order-receipt`)
   * @param data - the message's data, as the template's schema describes it
   * @param options.caption - shown with the document
   * @param options.locale - the locale where the contact's profile has none (BCP 47; default `en`)
   * @param options.timeZone - the time zone where the contact's profile has none (IANA; default the tenant's, else UTC)
   * @param options.purpose - default `service`
   * @param options.topic - the stated context of a transactional or marketing message
   * @param options.tag - a message tag for channels that use them outside the window
   * @param options.quote - quote the customer's message
   * @throws RequestValidationError (`VALIDATION_FAILED`) naming every bad field (`document.data.items[0].quantity`);
   *   NotFoundError (`NOT_FOUND`) for an unknown template
   * @example
   * await ctx.replyDocument('order-receipt', { merchant: { name: 'Snack Stand' }, orderNumber: 'A-17', items, currency: 'EUR', pickupCode: '4711' },
   *   { caption: 'Your receipt' });
   */
  replyDocument(template: string, data: Record<string, unknown>, options?: { caption?: string; locale?: string; timeZone?: string; purpose?: Purpose; topic?: string; tag?: string; quote?: boolean }): Promise<OutboundResult & { messageId?: string }>;
  /**
   * Sends a template to many contacts, each checked on its own (e.g. "your order is ready" to
   * everyone whose order a bot just closed).
   * @returns per recipient: queued, or denied with the reasons
   */
  notify(request: NotificationRequest): Promise<NotificationResult[]>;
  /** Hands the conversation to a human agent queue (default: the tenant's escalation queue). */
  handover(options?: { queue?: string; reason?: string }): Promise<Conversation>;
  /** Adds tags to the conversation. */
  tag(...tags: string[]): Promise<Conversation>;
  /** Resolves the conversation. */
  resolve(): Promise<Conversation>;
  /**
   * The contact's CRM context from the configured `contactContext` provider (cached for its TTL on
   * the host clock): display name, customer id, attributes, open orders and cases. Undefined when
   * no provider is configured, the CRM does not know the contact, or it is unavailable (never throws).
   * @example
   * const crm = await ctx.contactContext();
   * if (crm?.orders?.length) await ctx.reply(`Your ${crm.orders[0].title}: ${crm.orders[0].status}`);
   */
  contactContext(): Promise<ContactContext | undefined>;
  /**
   * The tenant's saved replies and knowledge-base links — the ones agents have in the console.
   * @example
   * const r = await ctx.knowledge.render('opening-hours');
   * if (r && r.missing.length === 0) await ctx.reply(r.text);
   */
  knowledge: BotKnowledge;
  logger: Logger;
}

/** What a bot handler reads of the tenant's knowledge. */
export interface BotKnowledge {
  /** The saved replies (as written, placeholders and all). */
  savedReplies(): Promise<QuickReply[]>;
  /** The knowledge-base links. */
  links(): Promise<KnowledgeLink[]>;
  /**
   * A saved reply (by id or title) rendered for this contact: `{{contact.name}}`,
   * `{{contact.attributes.x}}`, `{{crm.customerId}}`, `{{crm.orders.0.status}}`… An unfilled
   * placeholder is removed from the text and named in `missing` (check it before sending).
   * @returns the rendered reply, or undefined when there is no such reply
   */
  render(idOrTitle: string): Promise<RenderedReply | undefined>;
  /** Knowledge-base articles the words of a text suggest (default: the message's text), best first. */
  suggest(text?: string): Promise<KnowledgeLink[]>;
}

/** A bot handler as a function. */
export type BotHandlerFunction = (context: BotContext) => void | Promise<void>;

/** A bot handler as an object. */
export interface BotHandler {
  handle(context: BotContext): void | Promise<void>;
}

/** What the config may register: a function, a class with `handle` (instantiated once), or an object. */
export type BotHandlerRegistration = BotHandlerFunction | (new () => BotHandler) | BotHandler;

/**
 * Turns a registration into a callable handler.
 * @param registration - function, class or object
 * @returns a function calling it
 */
export function instantiateBotHandler(registration: BotHandlerRegistration): BotHandlerFunction {
  if (typeof registration === 'function') {
    const proto = (registration as { prototype?: { handle?: unknown } }).prototype;
    if (proto && typeof proto.handle === 'function') {
      const instance = new (registration as new () => BotHandler)();
      return (ctx) => instance.handle(ctx);
    }
    return registration as BotHandlerFunction;
  }
  return (ctx) => registration.handle(ctx);
}

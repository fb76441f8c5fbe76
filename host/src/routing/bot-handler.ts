/**
 * Bot handlers: code an integrator registers in the config by name, called for each inbound
 * message of a conversation a bot owns.
 * @module
 */
import type { Contact, Content, Conversation, Logger, Purpose } from '@switchboard/core';
import type { KeywordKind } from '../processing/keywords.js';
import type { HostMessage } from '../stores/stores.js';
import type { OutboundResult } from '../outbound/outbound-gateway.js';

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
  /** Answers in the conversation (through the host's outbound gateway). */
  reply(content: Content | string, options?: { purpose?: Purpose; topic?: string }): Promise<OutboundResult>;
  /** Hands the conversation to a human agent queue (default: the tenant's escalation queue). */
  handover(options?: { queue?: string; reason?: string }): Promise<Conversation>;
  /** Adds tags to the conversation. */
  tag(...tags: string[]): Promise<Conversation>;
  /** Resolves the conversation. */
  resolve(): Promise<Conversation>;
  logger: Logger;
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

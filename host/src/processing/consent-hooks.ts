/**
 * The consent hooks: consent work the inbound path hands to a host feature (the consent
 * feature's opt-in flows and confirmation replies). Declared here, implemented by the feature.
 * @module
 */
import type { Contact, Conversation, ConversationStartedEvent, MessageEvent } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { KeywordMatch } from '../consent/keywords.js';

/** What a consent hook is told about every customer event. */
export interface ConsentHookEvent<E> {
  tenant: TenantConfig;
  /** The webhook URL's account key. */
  account: string;
  /** The inbox entry's id (stable across retries of the entry). */
  entryId: string;
  event: E;
}

/** What a consent hook is told once the event's contact and conversation are known. */
export interface ResolvedConsentHookEvent<E> extends ConsentHookEvent<E> {
  contact: Contact;
  conversation: Conversation;
}

/**
 * Consent work the processor hands to a host feature (the consent feature's opt-in flows and
 * confirmation replies). Hooks run inside the processing of the inbox entry, in the
 * conversation's order; a hook that throws fails the entry, which is retried, so hooks must be
 * idempotent (derive ids and idempotency keys from the event).
 */
export interface InboxConsentHook {
  /** Before the event's contact is looked up or created: the moment to link a new address to an existing contact. */
  beforeResolve?(input: ConsentHookEvent<MessageEvent | ConversationStartedEvent>): Promise<void>;
  /** A conversation opened by an entry point (deep-link payload, referral, context). */
  onConversationStarted?(input: ResolvedConsentHookEvent<ConversationStartedEvent>): Promise<void>;
  /** A customer message, after its consent keyword (if any) was recorded and before it is stored and routed. */
  onMessage?(input: ResolvedConsentHookEvent<MessageEvent> & { keyword?: KeywordMatch; text?: string }): Promise<void>;
}

/** The hooks added so far, called in the order added. */
export class ConsentHooks implements Required<InboxConsentHook> {
  private readonly hooks: InboxConsentHook[] = [];

  /** @param hook - a hook to call from now on */
  add(hook: InboxConsentHook): void {
    this.hooks.push(hook);
  }

  /** @param input - the event, before its contact is resolved */
  async beforeResolve(input: ConsentHookEvent<MessageEvent | ConversationStartedEvent>): Promise<void> {
    for (const h of this.hooks) await h.beforeResolve?.(input);
  }

  /** @param input - the conversation start, resolved */
  async onConversationStarted(input: ResolvedConsentHookEvent<ConversationStartedEvent>): Promise<void> {
    for (const h of this.hooks) await h.onConversationStarted?.(input);
  }

  /** @param input - the message, resolved, with its keyword and text */
  async onMessage(input: ResolvedConsentHookEvent<MessageEvent> & { keyword?: KeywordMatch; text?: string }): Promise<void> {
    for (const h of this.hooks) await h.onMessage?.(input);
  }
}

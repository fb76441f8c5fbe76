/**
 * A conversation the customer opened (Viber's conversation_started, a Messenger referral,
 * Telegram's /start): contact and conversation resolved, the entry point's time kept, and the
 * consent hooks told (an opt-in start token may ride on the entry point).
 * @module
 */
import type { ConversationStartedEvent } from '@switchboard/core';
import type { HostStores } from '../../stores/stores.js';
import type { ConsentHooks } from '../consent-hooks.js';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import type { PartyResolver } from '../party-resolver.js';

/** What the conversation-started handler needs. */
export interface ConversationStartedHandlerDeps {
  stores: Pick<HostStores, 'conversations'>;
  parties: PartyResolver;
  hooks: ConsentHooks;
}

/** Handles conversations the customer started. */
export class ConversationStartedHandler implements InboundHandler<'conversation-started'> {
  readonly kind = 'conversation-started';

  /** @param deps - conversation store, party resolver, consent hooks */
  constructor(private readonly deps: ConversationStartedHandlerDeps) {}

  /**
   * @param event - the start
   * @param context - its inbox entry and tenant
   */
  async handle(event: ConversationStartedEvent, { entry, tenant }: InboundContext): Promise<void> {
    const base = { tenant, account: entry.account, entryId: entry.id, event };
    await this.deps.hooks.beforeResolve(base);
    const { contact, conversation, created } = await this.deps.parties.resolve(tenant.id, event, event.profile?.name);
    if (event.context && !conversation.entryPointAt && !created) await this.deps.stores.conversations.update(tenant.id, conversation.id, { entryPointAt: event.timestamp });
    await this.deps.hooks.onConversationStarted({ ...base, contact, conversation });
  }
}

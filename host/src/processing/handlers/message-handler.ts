/**
 * A customer's message: resolve contact and conversation → reopen a resolved conversation → move
 * the service window → record its consent (reopening, keyword) → consent hooks → store it → ask
 * the connector to acknowledge the interaction → look an unnamed contact's name up (off the path)
 * → publish → route.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ChannelPolicy, Clock, Logger, MessageEvent } from '@switchboard/core';
import type { TenantConfig } from '../../config/host-config.js';
import { KeywordMatcher, textOf } from '../../consent/keywords.js';
import type { ConnectorRegistry } from '../../plugins/connector-registry.js';
import type { HostStreams } from '../../streams.js';
import type { HostMessage, HostStores } from '../../stores/stores.js';
import type { ConsentHooks } from '../consent-hooks.js';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import type { InboundRouter } from '../inbound-router.js';
import type { InboxConsent } from '../inbox-consent.js';
import type { PartyResolver } from '../party-resolver.js';
import type { ProfileLookups } from '../profile-lookups.js';

/** What the message handler needs. */
export interface MessageHandlerDeps {
  stores: Pick<HostStores, 'conversations' | 'messages'>;
  streams: Pick<HostStreams, 'conversation$' | 'inbound$'>;
  registry: ConnectorRegistry;
  parties: PartyResolver;
  consent: InboxConsent;
  hooks: ConsentHooks;
  router: InboundRouter;
  /** Names for unnamed contacts from the platform (optional: without it none are looked up). */
  profiles?: ProfileLookups;
  clock: Clock;
  logger: Logger;
}

/** Handles customer messages. */
export class MessageHandler implements InboundHandler<'message'> {
  readonly kind = 'message';
  private readonly matchers = new Map<string, KeywordMatcher>();

  /** @param deps - stores, streams, registry, the steps it calls, clock, logger */
  constructor(private readonly deps: MessageHandlerDeps) {}

  /**
   * @param event - the message
   * @param context - its inbox entry and tenant
   */
  async handle(event: MessageEvent, { entry, tenant }: InboundContext): Promise<void> {
    const { stores, streams, clock, parties, hooks } = this.deps;
    await hooks.beforeResolve({ tenant, account: entry.account, entryId: entry.id, event });
    const resolved = await parties.resolve(tenant.id, event, event.profile?.name, event.timestamp);
    const contact = await parties.recordCapabilities(tenant.id, resolved.contact, event);
    let conversation = resolved.conversation;
    if (conversation.status === 'resolved') {
      // a new message reopens the conversation and routing starts over
      conversation = (await stores.conversations.update(tenant.id, conversation.id, { status: 'open', assignee: { kind: 'none' }, updatedAt: new Date(clock.now()) })) ?? conversation;
      streams.conversation$.next({ tenantId: tenant.id, change: 'reopened', conversation });
    }
    // a conversation created for this message already starts with it as its last inbound
    if (!resolved.created) conversation = (await stores.conversations.recordInbound(tenant.id, conversation.id, event.timestamp)) ?? conversation;

    const text = textOf(event.content);
    const keyword = event.content.type === 'text' && text !== undefined && !event.edited ? this.matcher(tenant, event.channel, entry.account).matchDetailed(text) : undefined;
    await this.deps.consent.fromMessage(entry, tenant, contact, event, keyword ? { match: keyword, text: text! } : undefined);
    await hooks.onMessage({ tenant, account: entry.account, entryId: entry.id, event, contact, conversation, ...(keyword ? { keyword } : {}), ...(text !== undefined ? { text } : {}) });

    const now = new Date(clock.now());
    const message: HostMessage = {
      id: randomUUID(),
      tenantId: tenant.id,
      conversationId: conversation.id,
      channel: event.channel,
      accountId: event.accountId,
      userId: event.userId,
      direction: 'inbound',
      externalId: event.externalId,
      content: event.content,
      status: 'delivered',
      timestamp: event.timestamp,
      createdAt: now,
      updatedAt: now,
      ...(event.replyTo ? { replyTo: event.replyTo } : {}),
    };
    const { message: stored, inserted } = await stores.messages.insert(message);
    if (!inserted) return; // the same platform message under another event id: already handled
    this.acknowledgeInteraction(entry.tenantId, entry.account, event);
    // off the message's path: the platform's answer must not hold the customer's message up
    void this.deps.profiles?.request(tenant.id, event.channel, entry.account, event.userId, contact, conversation);
    const notice = { tenantId: tenant.id, message: stored, conversation, contact };
    streams.inbound$.next(notice);
    await this.deps.router.route(notice, entry.account, keyword?.kind);
  }

  /**
   * Lets the connector acknowledge the interaction (Telegram answers a button tap's callback query:
   * the customer's client shows a spinner until the bot does), off the message's path: a failure
   * is logged, the message is kept either way.
   */
  private acknowledgeInteraction(tenantId: string, account: string, event: MessageEvent): void {
    const connector = this.deps.registry.find(tenantId, event.channel, account)?.connector;
    if (!connector?.acknowledgeInteraction) return;
    const warn = (error: unknown): void => {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error), channel: event.channel, externalId: event.externalId }, 'could not acknowledge an interaction');
    };
    try {
      connector.acknowledgeInteraction(event).catch(warn);
    } catch (error) {
      warn(error);
    }
  }

  private matcher(tenant: TenantConfig, channel: string, account: string): KeywordMatcher {
    const key = `${tenant.id}|${channel}`;
    let m = this.matchers.get(key);
    if (!m) {
      m = new KeywordMatcher(tenant.keywords, this.channelPolicy(tenant.id, channel, account)?.optOutKeywords ?? []);
      this.matchers.set(key, m);
    }
    return m;
  }

  private channelPolicy(tenantId: string, channel: string, account: string): ChannelPolicy | undefined {
    return this.deps.registry.find(tenantId, channel, account)?.plugin.policy;
  }
}

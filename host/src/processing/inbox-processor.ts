/**
 * The inbox processor: drains the inbox off the request path. For each event: resolve or create
 * contact and conversation → move the service window → apply consent events and keywords → store
 * the message → publish → route. Events of one conversation are handled one after the other in
 * platform-time order; different conversations in parallel.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  deriveConsentState,
  type Address, type ChannelPolicy, type Clock, type ConsentEntry, type ConsentEvent, type ConsentLedgerAction, type Contact,
  type Conversation, type ConversationStartedEvent, type InboundEvent, type Logger, type MessageEvent, type Purpose, type StatusEvent,
} from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import { textOf, type Router } from '../routing/router.js';
import type { HostStreams } from '../streams.js';
import type { HostMessage, HostStores, InboxEntry } from '../stores/stores.js';
import { KeywordMatcher, type KeywordMatch } from './keywords.js';

/** Thrown for an event that cannot be handled yet (a receipt that overtook its message's send). */
export class NotYetError extends Error {}

/** Tuning of the processor. */
export interface InboxProcessorOptions {
  /** Entries leased per tenant per round (default 100). */
  batchSize?: number;
  /** Lease length (default 30 s): another process takes over entries of a process that died. */
  leaseMs?: number;
  /** How often to look for work nobody kicked us for (other processes, retries) (default 500 ms). */
  pollMs?: number;
  /** Attempts before an entry is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry delay (default 250 ms), doubling. */
  retryBaseMs?: number;
}


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

/** Drains the inbox. */
export class InboxProcessor {
  private readonly hooks: InboxConsentHook[] = [];
  private readonly owner = `inbox-${randomUUID()}`;
  private readonly matchers = new Map<string, KeywordMatcher>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private readonly options: Required<InboxProcessorOptions>;

  /**
   * @param deps - stores, streams, registry, tenants, router, clock, logger
   * @param options - tuning
   */
  constructor(private readonly deps: {
    stores: HostStores;
    streams: HostStreams;
    registry: ConnectorRegistry;
    tenants: ReadonlyMap<string, TenantConfig>;
    router: Router;
    clock: Clock;
    logger: Logger;
  }, options: InboxProcessorOptions = {}) {
    this.options = { batchSize: 100, leaseMs: 30_000, pollMs: 500, maxAttempts: 8, retryBaseMs: 250, ...options };
  }

  /**
   * Adds a consent hook (called for every customer message and conversation start, in the order added).
   * @param hook - the hook
   */
  addConsentHook(hook: InboxConsentHook): void {
    this.hooks.push(hook);
  }

  /** Starts draining in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Signals that new entries are waiting (called after an inbox write). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Resolves once a round finds nothing due (everything written so far has been handled or deferred). */
  idle(): Promise<void> {
    return new Promise((resolve) => { this.idleWaiters.push(resolve); this.kick(); });
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      this.busy = true;
      let worked = false;
      try {
        worked = await this.round();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'inbox round failed');
      }
      this.busy = false;
      if (worked || this.kicked) continue;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        timer.unref();
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
  }

  /** Whether a round is in progress. */
  get processing(): boolean {
    return this.busy;
  }

  /**
   * One round: lease due entries of every tenant and process them.
   * @returns whether anything was processed
   */
  async round(): Promise<boolean> {
    let worked = false;
    for (const tenantId of this.deps.tenants.keys()) {
      const entries = await this.deps.stores.inbox.claim({ tenantId, owner: this.owner, limit: this.options.batchSize, leaseMs: this.options.leaseMs, now: new Date(this.deps.clock.now()) });
      if (entries.length === 0) continue;
      worked = true;
      await this.processBatch(entries);
    }
    return worked;
  }

  private async processBatch(entries: InboxEntry[]): Promise<void> {
    // per conversation, platform time decides the order, not arrival
    const groups = new Map<string, InboxEntry[]>();
    const sorted = [...entries].sort((a, b) => eventTime(a.event) - eventTime(b.event) || a.receivedAt.getTime() - b.receivedAt.getTime());
    for (const e of sorted) {
      const ev = e.event;
      const key = 'userId' in ev && ev.userId ? `${e.tenantId}|${ev.channel}|${ev.accountId ?? ''}|${ev.userId}` : `${e.tenantId}|${e.id}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    await Promise.all([...groups.values()].map(async (list) => {
      for (const e of list) await this.processEntry(e);
    }));
  }

  private async processEntry(entry: InboxEntry): Promise<void> {
    const now = () => new Date(this.deps.clock.now());
    try {
      await this.handle(entry);
      await this.deps.stores.inbox.complete(entry.id, this.owner, now());
    } catch (error) {
      const last = entry.attempts >= this.options.maxAttempts;
      const retryAt = last ? undefined : new Date(this.deps.clock.now() + this.options.retryBaseMs * 2 ** (entry.attempts - 1));
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof NotYetError) this.deps.logger.debug({ entryId: entry.id, attempts: entry.attempts }, message);
      else this.deps.logger.error({ entryId: entry.id, tenantId: entry.tenantId, channel: entry.channel, err: error }, 'inbox entry failed');
      await this.deps.stores.inbox.fail(entry.id, this.owner, message, retryAt);
    }
  }

  private tenant(id: string): TenantConfig {
    const t = this.deps.tenants.get(id);
    if (!t) throw new Error(`unknown tenant ${id}`);
    return t;
  }

  private channelPolicy(tenantId: string, channel: string, account: string): ChannelPolicy | undefined {
    return this.deps.registry.get(channel, account)?.plugin.policy ?? this.deps.registry.forTenant(tenantId).find((b) => b.channel === channel)?.plugin.policy;
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

  private async handle(entry: InboxEntry): Promise<void> {
    const event = reviveEvent(entry.event);
    switch (event.kind) {
      case 'message': return this.onMessage(entry, event);
      case 'status': return this.onStatus(entry, event);
      case 'consent': return this.onConsent(entry, event);
      case 'conversation-started': {
        const tenant = this.tenant(entry.tenantId);
        const base = { tenant, account: entry.account, entryId: entry.id, event };
        for (const h of this.hooks) await h.beforeResolve?.(base);
        const { contact, conversation, created } = await this.resolveParties(entry.tenantId, event, event.profile?.name);
        if (event.context && !conversation.entryPointAt && !created) await this.deps.stores.conversations.update(entry.tenantId, conversation.id, { entryPointAt: event.timestamp });
        for (const h of this.hooks) await h.onConversationStarted?.({ ...base, contact, conversation });
        return;
      }
      case 'closed': {
        const { contact } = await this.resolveParties(entry.tenantId, event);
        await this.appendConsent(entry, contact, event, 'closed', { source: 'platform', detail: 'conversation closed by the customer' }, 'channel');
        return;
      }
      case 'typing': {
        // a typing indicator may carry the device's capabilities (Apple): kept for a customer already known
        if (capabilitiesOf(event) === undefined) return;
        const known = await this.deps.stores.contacts.findByAddress(entry.tenantId, { channel: event.channel, accountId: event.accountId, userId: event.userId });
        if (known) await this.recordCapabilities(entry.tenantId, known, event);
        return;
      }
      case 'unsupported':
        return;
    }
  }

  /**
   * The event's contact and conversation, created when new.
   * @param inboundAt - when the customer wrote (a message): a conversation created now starts with
   *   it as `lastInboundAt`, as `recordInbound` would set it, so the caller need not write it again
   */
  private async resolveParties(tenantId: string, event: { channel: string; accountId: string; userId: string; timestamp: Date; profile?: { [key: string]: unknown } }, name?: string, inboundAt?: Date): Promise<{ contact: Contact; conversation: Conversation; created: boolean }> {
    const { stores, clock, streams } = this.deps;
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    const at = new Date(clock.now());
    // the country a platform reports (Viber's sender.country) is the market the contact's messages are priced in
    const reported = event.profile?.country;
    const country = typeof reported === 'string' && /^[A-Za-z]{2}$/.test(reported) ? reported.toUpperCase() : undefined;
    const { contact: found, created: contactCreated } = await stores.contacts.findOrCreateByAddress(tenantId, address, () => ({
      id: randomUUID(), tenantId, addresses: [address], profile: { ...(name ? { name } : {}), ...(country ? { country } : {}) }, createdAt: at, updatedAt: at,
    }));
    let contact = found;
    if (!contactCreated && ((name && contact.profile.name !== name) || (country && contact.profile.country !== country))) {
      contact = (await stores.contacts.update(tenantId, contact.id, { profile: { ...contact.profile, ...(name ? { name } : {}), ...(country ? { country } : {}) }, updatedAt: at })) ?? contact;
    }
    const { conversation, created } = await stores.conversations.findOrCreate(tenantId, address, () => ({
      id: randomUUID(), tenantId, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at,
      ...(inboundAt ? { lastInboundAt: inboundAt, outboundSinceInbound: 0 } : {}),
    }));
    if (created) streams.conversation$.next({ tenantId, change: 'created', conversation });
    return { contact, conversation, created };
  }

  private async onMessage(entry: InboxEntry, event: MessageEvent): Promise<void> {
    const { stores, streams, clock } = this.deps;
    const tenant = this.tenant(entry.tenantId);
    for (const h of this.hooks) await h.beforeResolve?.({ tenant, account: entry.account, entryId: entry.id, event });
    const resolved = await this.resolveParties(tenant.id, event, event.profile?.name, event.timestamp);
    const contact = await this.recordCapabilities(tenant.id, resolved.contact, event);
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
    const ledger = await stores.consent.listByContact(tenant.id, contact.id);
    const state = deriveConsentState(ledger, { channel: event.channel, scope: tenant.policy?.consentScope ?? 'all-channels' });
    if (state.closedAt) await this.appendConsent(entry, contact, event, 'reopened', { source: 'platform', detail: 'customer wrote after closing the conversation', reference: event.externalId }, 'channel', 'reopened');
    if (keyword) await this.applyKeyword(entry, tenant, contact, event, keyword, text!, state, ledger);
    for (const h of this.hooks) {
      await h.onMessage?.({ tenant, account: entry.account, entryId: entry.id, event, contact, conversation, ...(keyword ? { keyword } : {}), ...(text !== undefined ? { text } : {}) });
    }

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
    this.acknowledgeInteraction(entry, event);
    const notice = { tenantId: tenant.id, message: stored, conversation, contact };
    streams.inbound$.next(notice);
    await this.deps.router.route(notice, entry.account, keyword?.kind);
  }

  /**
   * Keeps what the customer's device declared it can show (Apple's `capability-list`, which the
   * connector puts in `metadata.capabilities`) on the contact, per channel: the send path passes it
   * to the connector as `recipientCapabilities`, so list pickers, time pickers, quick replies,
   * forms and sign-in go out natively to a device that declared them and degrade for one that did
   * not. The latest declaration wins (the customer may have changed device); a message without one
   * leaves what was known.
   * @returns the contact as stored
   */
  private async recordCapabilities(tenantId: string, contact: Contact, event: Pick<MessageEvent, 'channel' | 'metadata'>): Promise<Contact> {
    const declared = capabilitiesOf(event);
    if (declared === undefined) return contact;
    const known = contact.capabilities?.[event.channel];
    if (known && known.length === declared.length && known.every((c, i) => c === declared[i])) return contact;
    const capabilities = { ...contact.capabilities, [event.channel]: declared };
    return (await this.deps.stores.contacts.update(tenantId, contact.id, { capabilities, updatedAt: new Date(this.deps.clock.now()) })) ?? contact;
  }

  /**
   * A button tap some platforms want acknowledged (Telegram's callback queries: the customer's
   * client shows a spinner until the bot answers). Answered off the message's path; a failure is
   * logged, the message is kept either way.
   */
  private acknowledgeInteraction(entry: InboxEntry, event: MessageEvent): void {
    const id = event.metadata?.callbackQueryId;
    if (typeof id !== 'string' || id === '') return;
    const connector = this.deps.registry.get(event.channel, entry.account)?.connector as { answerCallbackQuery?: (id: string) => Promise<void> } | undefined;
    if (typeof connector?.answerCallbackQuery !== 'function') return;
    connector.answerCallbackQuery(id).catch((error: unknown) => {
      this.deps.logger.warn({ err: (error as Error).message, channel: event.channel, callbackQueryId: id }, 'could not answer an interaction');
    });
  }

  private async applyKeyword(
    entry: InboxEntry, tenant: TenantConfig, contact: Contact, event: MessageEvent, keyword: KeywordMatch, text: string,
    state: ReturnType<typeof deriveConsentState>, ledger: readonly ConsentEntry[],
  ): Promise<void> {
    const scope = tenant.policy?.consentScope === 'per-channel' ? 'channel' : 'all-channels';
    const evidence = { source: 'keyword' as const, text, reference: event.externalId, ...(keyword.language ? { detail: `keyword language ${keyword.language}` } : {}) };
    if (keyword.kind === 'stop') {
      await this.appendConsent(entry, contact, event, 'opt-out', evidence, scope, 'stop');
    } else if (keyword.kind === 'important-only') {
      await this.appendConsent(entry, contact, event, 'important-only', evidence, scope, 'important-only');
    } else {
      // START restores what was revoked, nothing more: it is not consent to anything new
      const purposes = [...new Map(state.revocations.map((r) => [`${r.purpose}|${r.topic ?? ''}`, r])).values()];
      for (const [i, r] of purposes.entries()) {
        // the restored consent is the one given before, under the privacy policy accepted then: a
        // policy version bump still requires re-consent, START does not sidestep it
        const accepted = lastPrivacyPolicy(ledger, r.purpose, r.topic);
        await this.appendConsent(entry, contact, event, 'opt-in', { ...evidence, ...(accepted ? { privacyPolicy: accepted } : {}) }, scope, `start-${i}`, r.purpose, r.topic);
      }
      if (state.importantOnly) await this.appendConsent(entry, contact, event, 'all-messages', evidence, scope, 'all-messages');
    }
  }

  private async appendConsent(
    entry: InboxEntry, contact: Contact, event: { channel: string; accountId: string; timestamp: Date }, action: ConsentLedgerAction,
    evidence: ConsentEntry['evidence'], scope: ConsentEntry['scope'], suffix: string = action, purpose?: Purpose, topic?: string,
  ): Promise<void> {
    const consentEntry: ConsentEntry = {
      // derived from the inbox entry so a retried entry never writes the same consent twice
      id: `${entry.id}:${suffix}`,
      tenantId: entry.tenantId,
      contactId: contact.id,
      channel: event.channel,
      accountId: event.accountId,
      action,
      scope,
      at: event.timestamp,
      evidence,
      ...(purpose ? { purpose } : {}),
      ...(topic ? { topic } : {}),
    };
    await this.deps.stores.consent.append(consentEntry);
    this.deps.streams.consent$.next({ tenantId: entry.tenantId, entry: consentEntry });
  }

  private async onConsent(entry: InboxEntry, event: ConsentEvent): Promise<void> {
    const tenant = this.tenant(entry.tenantId);
    const { contact, conversation } = await this.resolveParties(tenant.id, event);
    const scope = tenant.policy?.consentScope === 'per-channel' ? 'channel' : 'all-channels';
    const evidence = { source: 'platform' as const, detail: event.detail ?? event.action, ...(event.eventId ? { reference: event.eventId } : {}) };
    // subscribing to the business (Viber) is the customer reaching out: on channels where only the
    // customer may start, the business may now write to them
    if (event.action === 'subscribed') await this.deps.stores.conversations.recordInbound(tenant.id, conversation.id, event.timestamp);
    switch (event.action) {
      case 'opt-in': {
        // a platform opt-in without a stated purpose is not marketing consent; one that resumes
        // (WhatsApp's marketing resume) carries the privacy policy accepted before, a new one none
        const purpose = event.purpose ?? 'transactional';
        const accepted = lastPrivacyPolicy(await this.deps.stores.consent.listByContact(tenant.id, contact.id), purpose, event.topic);
        return this.appendConsent(entry, contact, event, 'opt-in', { ...evidence, ...(accepted ? { privacyPolicy: accepted } : {}) }, 'channel', 'opt-in', purpose, event.topic);
      }
      case 'opt-out':
        return this.appendConsent(entry, contact, event, 'opt-out', evidence, scope, 'opt-out', event.purpose, event.topic);
      case 'blocked':
      case 'unsubscribed':
        // blocking the business (Telegram kicked, Viber unsubscribed) is the customer's strongest
        // control: it stops everything but replies to their own messages, on every channel of the
        // contact unless the tenant chose per-channel scope
        return this.appendConsent(entry, contact, event, 'blocked', evidence, scope);
      case 'unblocked':
        return this.appendConsent(entry, contact, event, 'unblocked', evidence, scope);
      case 'subscribed':
        // Apple's "subscribe" names a purpose: consent to it on this channel; Viber's subscription lifts a block
        if (event.purpose && event.purpose !== 'service') return this.appendConsent(entry, contact, event, 'opt-in', evidence, 'channel', `subscribed-${event.purpose}`, event.purpose, event.topic);
        return this.appendConsent(entry, contact, event, 'unblocked', evidence, scope);
    }
  }

  private async onStatus(entry: InboxEntry, event: StatusEvent): Promise<void> {
    const { stores, streams } = this.deps;
    const watermark = (event as StatusEvent & { watermark?: Date | string }).watermark;
    if (watermark !== undefined && event.userId) {
      // a receipt naming no message (Messenger's read watermark): it covers every message sent up to then
      await this.applyWatermark(entry.tenantId, { channel: event.channel, accountId: event.accountId, userId: event.userId }, new Date(watermark), event);
      return;
    }
    const message = await stores.messages.findByExternalId(entry.tenantId, { channel: event.channel, accountId: event.accountId }, event.externalId, 'outbound');
    // the receipt may overtake the dispatcher's write of the external id: try again shortly
    if (!message) throw new NotYetError(`no outbound message with external id ${event.externalId} yet`);
    const result = await stores.messages.applyStatus(entry.tenantId, message.id, event.status, event.timestamp, event.error ? { code: event.error.code, message: event.error.message } : undefined);
    if (result?.changed) streams.status$.next({ tenantId: entry.tenantId, conversationId: message.conversationId, message: result.message, status: result.message.status });
  }

  private async applyWatermark(tenantId: string, address: Address, watermark: Date, event: StatusEvent): Promise<void> {
    const { stores, streams } = this.deps;
    const conversation = await stores.conversations.findByAddress(tenantId, address);
    if (!conversation) return;
    const until = watermark.getTime();
    for (let offset = 0; ; offset += 500) {
      const page = await stores.messages.listByConversation(tenantId, conversation.id, { limit: 500, offset });
      for (const m of page.filter((x) => isSentOutbound(x, until))) {
        const result = await stores.messages.applyStatus(tenantId, m.id, event.status, event.timestamp);
        if (result?.changed) streams.status$.next({ tenantId, conversationId: conversation.id, message: result.message, status: result.message.status });
      }
      if (page.length < 500) break;
    }
  }
}

/** The privacy policy accepted with the latest opt-in of a purpose and topic (or of the whole purpose). */
function lastPrivacyPolicy(ledger: readonly ConsentEntry[], purpose: Purpose, topic: string | undefined): ConsentEntry['evidence']['privacyPolicy'] {
  const requested = new Map(ledger.filter((e) => e.action === 'opt-in-requested').map((e) => [e.id, e]));
  for (let i = ledger.length - 1; i >= 0; i--) {
    const e = ledger[i]!;
    if (e.action !== 'opt-in' || e.purpose !== purpose || (e.topic !== undefined && e.topic !== topic)) continue;
    const accepted = e.evidence.privacyPolicy ?? (e.evidence.confirms ? requested.get(e.evidence.confirms)?.evidence.privacyPolicy : undefined);
    if (accepted) return accepted;
  }
  return undefined;
}

function isSentOutbound(m: HostMessage, until: number): boolean {
  return m.direction === 'outbound' && m.externalId !== undefined && m.timestamp.getTime() <= until;
}

function eventTime(event: InboundEvent): number {
  const t = event.timestamp as Date | string | undefined;
  return t === undefined ? 0 : new Date(t).getTime();
}

/** Inbox entries may come back from a store with dates as strings: make them Dates again. */
function reviveEvent(event: InboundEvent): InboundEvent {
  const t = event.timestamp as Date | string | undefined;
  if (t === undefined || t instanceof Date) return event;
  return { ...event, timestamp: new Date(t) } as InboundEvent;
}

/** Capability tokens kept per channel at most, and their length: a header is the customer's to write. */
const MAX_CAPABILITIES = 64;
const MAX_CAPABILITY_LENGTH = 64;

/**
 * The device capabilities a connector read from a message (`metadata.capabilities`: a list of
 * tokens such as Apple's `LIST`, `TIME`, `QUICK`, `AUTH2`, `FORM`), bounded; undefined when the
 * message declared none.
 * @param event - a customer message
 * @returns the tokens, or undefined
 */
export function capabilitiesOf(event: Pick<MessageEvent, 'metadata'>): string[] | undefined {
  const raw = event.metadata?.capabilities;
  if (!Array.isArray(raw)) return undefined;
  const tokens = raw.filter((t): t is string => typeof t === 'string' && t !== '' && t.length <= MAX_CAPABILITY_LENGTH);
  return [...new Set(tokens)].slice(0, MAX_CAPABILITIES);
}

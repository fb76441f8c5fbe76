/**
 * Double opt-in flows and the consent replies: starts a flow (first step recorded, links and QR
 * codes signed), recognises the start message on each channel (prefilled text, referral `ref`,
 * `/start` payload, Viber context, Apple intent or body), completes the flow with the customer's
 * confirming message, and answers consent keywords. It runs inside the inbox processor through
 * its consent hook, so every step happens in the conversation's order and is retried with it.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type Address, type Clock, type ConsentEntry, type Contact, type ConversationStartedEvent, type Logger, type MessageEvent,
} from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import type { ConnectorRegistry, HostConnectorBinding } from '../plugins/connector-registry.js';
import type { ConsentHookEvent, InboxConsentHook, ResolvedConsentHookEvent } from '../processing/consent-hooks.js';
import type { HostStores } from '../stores/stores.js';
import { buildClickToChatLink, CLICK_TO_CHAT_CHANNELS, linkTargetProblem, normalizeLinkTarget, type ClickToChatChannel, type ClickToChatLink } from './click-to-chat.js';
import { consentReply, type ConsentReplyKind } from './consent-replies.js';
import type { ConsentService, ContactConsent } from './consent-service.js';
import { linkAddress } from './contact-links.js';
import { channelUserId } from './customer-id.js';
import { matchConfirmation, normalizeKeyword, textOf, type KeywordMatch } from './keywords.js';
import type { OptInFlow, OptInFlowStore } from './opt-in-flow-store.js';
import { findStartTokens, StartTokens } from './start-token.js';

/** What starts a flow (validated). */
export interface StartOptInRequest {
  purpose: OptInFlow['purpose'];
  topic?: string;
  source: OptInFlow['source'];
  wording?: string;
  privacyPolicy: { url?: string; version?: string };
  confirmWith?: OptInFlow['confirmWith'];
  scope?: OptInFlow['scope'];
  language?: string;
  /** A contact the host knows, or an address the first step collected (the number typed into a form). */
  contactId?: string;
  address?: { channel: string; accountId?: string; userId: string };
  channels: { channel: ClickToChatChannel; account?: string; target?: string }[];
  /** The prefilled message's text (the token is appended). */
  prefill?: string;
  ttlMinutes?: number;
  recordedBy?: string;
}

/** A flow as the API shows it. */
export type OptInFlowView = Omit<OptInFlow, 'status'> & { status: OptInFlow['status'] | 'expired' };

/** Dependencies of {@link OptInService}. */
export interface OptInServiceDeps {
  stores: HostStores;
  /** The consent ledger's writer. */
  consent: ConsentService;
  flows: OptInFlowStore;
  tokens: StartTokens;
  registry: ConnectorRegistry;
  /** The outbound port the flow's replies are sent through. */
  outbound: OutboundGateway;
  clock: Clock;
  logger: Logger;
  /** Link targets per channel and account key, for requests that name none. */
  linkTargets?: Record<string, Record<string, string>>;
  /** Token lifetime when the request gives none (default 7 days). */
  defaultTtlMs?: number;
  /** Whether keywords are answered (default true). */
  keywordReplies?: boolean;
  /** Keywords that start a double opt-in by themselves, per tenant id (`*` for every tenant). */
  optInKeywords?: Record<string, OptInKeyword[]>;
}

/**
 * A keyword that is the first step of a double opt-in ("FLIGHTS" on a poster): the customer's
 * message is recorded as the first step and the host asks them to confirm.
 */
export interface OptInKeyword {
  /** Whole-message match, without case, accents or surrounding punctuation. */
  keyword: string;
  purpose: OptInFlow['purpose'];
  topic?: string;
  /** The wording the poster or page showed next to the keyword. */
  wording?: string;
  /** Defaults to the tenant's privacyPolicyVersion. */
  privacyPolicy?: { url?: string; version?: string };
  language?: string;
  scope?: OptInFlow['scope'];
}

const DAY = 86_400_000;
const SERVICE_DEFAULT_PREFILL: Record<string, (topic: string) => string> = {
  en: (t) => `Hi! Please send me ${t}.`,
  es: (t) => `¡Hola! Quiero recibir ${t}.`,
  de: (t) => `Hallo! Bitte schicken Sie mir ${t}.`,
  fr: (t) => `Bonjour ! Je souhaite recevoir ${t}.`,
  pt: (t) => `Olá! Quero receber ${t}.`,
  it: (t) => `Ciao! Vorrei ricevere ${t}.`,
  nl: (t) => `Hallo! Stuur mij graag ${t}.`,
};

/** Starts and completes double opt-ins; answers consent keywords. */
export class OptInService implements InboxConsentHook {
  /** @param deps - stores, flows, tokens, connectors, outbound service, clock */
  constructor(private readonly deps: OptInServiceDeps) {}

  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  // ---- starting a flow -------------------------------------------------------------------------

  /**
   * Starts a double opt-in: records the first step (when the customer is already known), signs a
   * start token and builds a link and QR code per channel.
   * @param tenant - the tenant
   * @param req - the validated request
   * @returns the flow and its links
   */
  async start(tenant: TenantConfig, req: StartOptInRequest): Promise<{ flow: OptInFlowView; links: ClickToChatLink[]; token: string }> {
    const version = req.privacyPolicy.version ?? tenant.privacyPolicyVersion;
    if (!version) throw new ValidationError('privacyPolicy.version', 'is required (the tenant has no privacyPolicyVersion)');
    if (tenant.privacyPolicyVersion && version !== tenant.privacyPolicyVersion) {
      throw new ValidationError('privacyPolicy.version', `must be the version in force (${tenant.privacyPolicyVersion}): consent under another version would not count`);
    }
    const channels = req.channels.map((c, i) => {
      const binding = pickBinding(this.deps.registry, tenant.id, c.channel, c.account, `channels[${i}]`);
      const given = c.target ?? this.deps.linkTargets?.[c.channel]?.[binding.account] ?? defaultTarget(c.channel, binding);
      if (given === undefined) throw new ValidationError(`channels[${i}].target`, `is required for ${c.channel} (${targetHint(c.channel)})`);
      // a national phone number is read in the tenant's country
      const reading = tenant.country ? { defaultCountry: tenant.country } : {};
      const problem = linkTargetProblem(c.channel, given, reading);
      if (problem) throw new ValidationError(`channels[${i}].target`, problem);
      return { channel: c.channel, account: binding.account, target: normalizeLinkTarget(c.channel, given, reading) };
    });
    const contact = await this.contactFor(tenant, req);
    const now = this.now();
    const ttl = req.ttlMinutes !== undefined ? req.ttlMinutes * 60_000 : (this.deps.defaultTtlMs ?? 7 * DAY);
    const language = req.language ?? (typeof contact?.profile.locale === 'string' ? contact.profile.locale : 'en');
    const flow: OptInFlow = {
      id: StartTokens.newFlowId(), tenantId: tenant.id, purpose: req.purpose, source: req.source,
      privacyPolicy: { ...(req.privacyPolicy.url ? { url: req.privacyPolicy.url } : {}), version },
      confirmWith: req.confirmWith ?? (req.source === 'click-to-chat' || req.source === 'keyword' ? 'reply' : 'start-message'),
      scope: req.scope ?? 'channel', language, channels, status: 'awaiting-start',
      createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + ttl),
      ...(req.topic ? { topic: req.topic } : {}), ...(req.wording ? { wording: req.wording } : {}),
      ...(contact ? { contactId: contact.id } : {}), ...(req.recordedBy ? { recordedBy: req.recordedBy } : {}),
    };
    if (contact) {
      // the first step happened off the channel and the customer is known: it goes in the ledger now
      const address = contact.addresses.find((a) => channels.some((c) => c.channel === a.channel)) ?? contact.addresses[0];
      const entry = this.requestedEntry(flow, contact.id, address ?? { channel: channels[0]!.channel, accountId: '', userId: '' }, `${flow.id}:requested`, now);
      await this.append(entry);
      flow.requestedEntryId = entry.id;
      flow.requestedAt = entry.at;
    }
    await this.deps.flows.create(flow);
    const token = this.deps.tokens.issue(tenant.id, flow.id, flow.expiresAt);
    const topic = flow.topic ?? (flow.purpose === 'marketing' ? 'offers' : 'notifications');
    const prefill = req.prefill ?? (SERVICE_DEFAULT_PREFILL[language.split(/[-_]/)[0]!] ?? SERVICE_DEFAULT_PREFILL.en!)(topic);
    const links = await Promise.all(channels.map((c) => buildClickToChatLink(c.channel, c.target, token, prefill)));
    return { flow: this.view(flow), links, token };
  }

  private async contactFor(tenant: TenantConfig, req: StartOptInRequest): Promise<Contact | undefined> {
    if (req.contactId) {
      const c = await this.deps.stores.contacts.get(tenant.id, req.contactId);
      if (!c) throw new NotFoundError('contact', req.contactId);
      return c;
    }
    if (!req.address) return undefined;
    const binding = pickBinding(this.deps.registry, tenant.id, req.address.channel, req.address.accountId, 'address');
    const address: Address = { channel: req.address.channel, accountId: binding.connector.accountId ?? binding.account, userId: channelUserId(req.address.channel, req.address.userId, { field: 'address.userId', ...(tenant.country ? { defaultCountry: tenant.country } : {}) }) };
    const now = this.now();
    const { contact } = await this.deps.stores.contacts.findOrCreateByAddress(tenant.id, address, () => ({
      id: randomUUID(), tenantId: tenant.id, addresses: [address], profile: {}, createdAt: now, updatedAt: now,
    }));
    return contact;
  }

  /**
   * A flow, with `expired` shown for an unconfirmed flow past its expiry.
   * @param tenantId - the tenant
   * @param id - the flow id
   * @returns the flow and its ledger entries
   */
  async get(tenantId: string, id: string): Promise<{ flow: OptInFlowView; ledger: ConsentEntry[] }> {
    const flow = await this.deps.flows.get(tenantId, id);
    if (!flow) throw new NotFoundError('opt-in', id);
    const ledger = flow.contactId ? (await this.deps.stores.consent.listByContact(tenantId, flow.contactId)).filter((e) => e.id.startsWith(`${flow.id}:`)) : [];
    return { flow: this.view(flow), ledger };
  }

  /**
   * A tenant's flows, newest first.
   * @returns flows as the API shows them
   */
  async list(tenantId: string, filter: Parameters<OptInFlowStore['list']>[1]): Promise<OptInFlowView[]> {
    return (await this.deps.flows.list(tenantId, filter)).map((f) => this.view(f));
  }

  private view(flow: OptInFlow): OptInFlowView {
    const expired = flow.status !== 'confirmed' && flow.expiresAt.getTime() <= this.deps.clock.now();
    return { ...flow, status: expired ? 'expired' : flow.status };
  }

  // ---- the inbox hook --------------------------------------------------------------------------

  /** Links the start message's address to the flow's contact before the processor looks the contact up. */
  async beforeResolve(input: ConsentHookEvent<MessageEvent | ConversationStartedEvent>): Promise<void> {
    const { tenant, event } = input;
    for (const flow of await this.flowsNamedBy(tenant.id, startPayloads(event))) {
      if (!flow.contactId || flow.status === 'confirmed') continue;
      const contact = await this.deps.stores.contacts.get(tenant.id, flow.contactId);
      if (!contact) continue;
      const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
      const outcome = await linkAddress(this.deps.stores.contacts, contact, address);
      if (!outcome.linked) this.deps.logger.info({ tenantId: tenant.id, flowId: flow.id, ownerId: outcome.ownerId }, 'opt-in start message came from an address another contact owns');
      return;
    }
  }

  /** A deep-link payload, referral ref or context that names a flow: the customer is known on the channel. */
  async onConversationStarted(input: ResolvedConsentHookEvent<ConversationStartedEvent>): Promise<void> {
    const flow = (await this.flowsNamedBy(input.tenant.id, startPayloads(input.event)))[0];
    if (flow) await this.started(input, flow, 'event');
  }

  /** Keyword replies, start messages and confirmations. */
  async onMessage(input: ResolvedConsentHookEvent<MessageEvent> & { keyword?: KeywordMatch; text?: string }): Promise<void> {
    const { tenant, event, contact, keyword } = input;
    if (keyword) {
      // an opt-out word the platform itself acts on (SMS carriers, Apple) is answered by the platform,
      // and a message from us after it would be refused: no confirmation from the host then
      const platformHandles = keyword.kind === 'stop' && input.text !== undefined
        && (this.deps.registry.find(tenant.id, event.channel, event.accountId)?.plugin.policy.optOutKeywords ?? []).some((k) => normalizeKeyword(k) === normalizeKeyword(input.text!));
      if (!platformHandles && this.deps.keywordReplies !== false && await this.keywordChangedSomething(input.entryId, keyword, tenant.id, contact.id)) {
        const language = keyword.language ?? (typeof contact.profile.locale === 'string' ? contact.profile.locale : undefined);
        // message ids are unique per chat only (Telegram): the key names the customer too
        await this.reply(input, keyword.kind, language, { business: businessName(tenant) }, `keyword:${event.channel}:${event.accountId}:${event.userId}:${event.externalId}`);
      }
      return;
    }
    const flow = (await this.flowsNamedBy(tenant.id, startPayloads(event)))[0];
    if (flow) { await this.started(input, flow, 'message'); return; }
    const optInKeyword = input.text !== undefined ? this.optInKeyword(tenant.id, input.text) : undefined;
    if (optInKeyword) { await this.startFromKeyword(input, optInKeyword); return; }
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    const waiting = await this.deps.flows.findAwaiting(tenant.id, address);
    if (!waiting || waiting.expiresAt.getTime() <= this.deps.clock.now()) return;
    const confirmation = input.text !== undefined ? matchConfirmation(input.text) : undefined;
    if (confirmation) await this.confirm(input, waiting, 'reply');
    else if (!waiting.promptedAt) await this.prompt(input, waiting);
  }

  /**
   * STOP and "important only" always change the ledger; START only when something had been
   * revoked (a first `/start` on Telegram is the same word, and welcoming back someone who never
   * left would be wrong). The processor writes START's entries under the inbox entry's id.
   */
  private async keywordChangedSomething(entryId: string, keyword: KeywordMatch, tenantId: string, contactId: string): Promise<boolean> {
    if (keyword.kind !== 'start') return true;
    const ledger = await this.deps.stores.consent.listByContact(tenantId, contactId);
    return ledger.some((e) => e.id.startsWith(`${entryId}:start-`) || e.id === `${entryId}:all-messages`);
  }

  private optInKeyword(tenantId: string, text: string): OptInKeyword | undefined {
    if (text.length > 64) return undefined;
    const said = normalizeKeyword(text);
    const lists = this.deps.optInKeywords;
    return [...(lists?.[tenantId] ?? []), ...(lists?.['*'] ?? [])].find((k) => normalizeKeyword(k.keyword) === said);
  }

  /** A keyword is the first step: record it on the customer's contact and ask them to confirm. */
  private async startFromKeyword(input: ResolvedConsentHookEvent<MessageEvent> & { text?: string }, k: OptInKeyword): Promise<void> {
    const { tenant, event, contact } = input;
    const version = k.privacyPolicy?.version ?? tenant.privacyPolicyVersion;
    if (!version || (tenant.privacyPolicyVersion && version !== tenant.privacyPolicyVersion)) {
      this.deps.logger.warn({ tenantId: tenant.id, keyword: k.keyword }, 'opt-in keyword has no privacy-policy version in force: ignored');
      return;
    }
    // derived from the message, so a retried inbox entry finds the flow it already started
    const id = `oi_${createHash('sha256').update(`${tenant.id}|${event.channel}|${event.accountId}|${event.userId}|${event.externalId}`).digest().subarray(0, 9).toString('base64url')}`;
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    const now = this.now();
    let flow = await this.deps.flows.get(tenant.id, id);
    if (!flow) {
      flow = {
        id, tenantId: tenant.id, purpose: k.purpose, source: 'keyword', confirmWith: 'reply', scope: k.scope ?? 'channel',
        privacyPolicy: { ...(k.privacyPolicy?.url ? { url: k.privacyPolicy.url } : {}), version },
        language: k.language ?? (typeof contact.profile.locale === 'string' ? contact.profile.locale : 'en'),
        contactId: contact.id, channels: [], status: 'awaiting-confirmation', startedOn: address,
        createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + (this.deps.defaultTtlMs ?? 7 * DAY)),
        ...(k.topic ? { topic: k.topic } : {}), ...(k.wording ? { wording: k.wording } : {}),
      };
      await this.deps.flows.create(flow).catch(() => undefined);
    }
    const entry = this.requestedEntry(flow, contact.id, address, `${flow.id}:requested`, event.timestamp, { reference: event.externalId, ...(input.text !== undefined ? { text: input.text } : {}) });
    await this.append(entry);
    flow = (await this.deps.flows.update(tenant.id, flow.id, { requestedEntryId: entry.id, requestedAt: entry.at, updatedAt: this.now() })) ?? flow;
    if (!flow.promptedAt) await this.prompt(input, flow);
  }

  private async flowsNamedBy(tenantId: string, payloads: string[]): Promise<OptInFlow[]> {
    const found: OptInFlow[] = [];
    for (const token of new Set(payloads.flatMap(findStartTokens))) {
      const claims = this.deps.tokens.verify(tenantId, token);
      if ('problem' in claims) { this.deps.logger.info({ tenantId, problem: claims.problem }, 'start token refused'); continue; }
      const flow = await this.deps.flows.get(tenantId, claims.flowId);
      if (flow && !found.some((f) => f.id === flow.id)) found.push(flow);
    }
    return found;
  }

  private async started(input: ResolvedConsentHookEvent<MessageEvent | ConversationStartedEvent>, flow: OptInFlow, via: 'event' | 'message'): Promise<void> {
    const { tenant, event, contact } = input;
    if (flow.status === 'confirmed') return;
    if (flow.expiresAt.getTime() <= this.deps.clock.now()) return;
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    let current = flow;
    if (!current.requestedEntryId || (current.contactId !== undefined && current.contactId !== contact.id)) {
      // the first step enters the ledger once the customer is known; when the link was taken
      // first, the start message is itself the first step
      const firstIsMessage = current.source === 'click-to-chat' && via === 'message';
      const entry = this.requestedEntry(current, contact.id, address, `${current.id}:requested:${contact.id}`, firstIsMessage ? event.timestamp : current.createdAt,
        firstIsMessage ? { reference: (event as MessageEvent).externalId, ...(textOf((event as MessageEvent).content) ? { text: textOf((event as MessageEvent).content)! } : {}) } : {});
      await this.append(entry);
      const conflict = current.contactId !== undefined && current.contactId !== contact.id ? { contactConflict: { addressContactId: contact.id } } : {};
      current = (await this.deps.flows.update(tenant.id, current.id, { requestedEntryId: entry.id, requestedAt: entry.at, contactId: contact.id, ...conflict, updatedAt: this.now() })) ?? current;
    }
    if (via === 'message' && current.confirmWith === 'start-message') { await this.confirm(input as ResolvedConsentHookEvent<MessageEvent>, current, 'start-message'); return; }
    current = (await this.deps.flows.update(tenant.id, current.id, { status: 'awaiting-confirmation', startedOn: address, contactId: contact.id, updatedAt: this.now() })) ?? current;
    if (via === 'message' && !current.promptedAt) await this.prompt(input as ResolvedConsentHookEvent<MessageEvent>, current);
  }

  private requestedEntry(flow: OptInFlow, contactId: string, address: Address, id: string, time: Date, extra: Partial<ConsentEntry['evidence']> = {}): ConsentEntry {
    // platforms stamp messages to the second and the ledger replays in time order: to the second,
    // the first step can never sort after the confirming message or after a later opt-out
    const at = new Date(Math.floor(time.getTime() / 1000) * 1000);
    return {
      id, tenantId: flow.tenantId, contactId, channel: address.channel, ...(address.accountId ? { accountId: address.accountId } : {}),
      action: 'opt-in-requested', purpose: flow.purpose, ...(flow.topic ? { topic: flow.topic } : {}), scope: flow.scope, at,
      evidence: {
        source: flow.source, privacyPolicy: flow.privacyPolicy, detail: `opt-in ${flow.id}: first step`,
        ...(flow.wording ? { wording: flow.wording } : {}), ...(flow.recordedBy ? { recordedBy: flow.recordedBy } : {}), ...extra,
      },
    };
  }

  private async confirm(input: ResolvedConsentHookEvent<MessageEvent>, flow: OptInFlow, by: 'start-message' | 'reply'): Promise<void> {
    const { tenant, event, contact } = input;
    const text = textOf(event.content);
    const requested = flow.requestedEntryId!;
    // the confirmation must not sort before the step it confirms (another clock may be behind)
    const at = new Date(Math.max(event.timestamp.getTime(), flow.requestedAt?.getTime() ?? 0));
    const entry: ConsentEntry = {
      id: `${flow.id}:confirmed`, tenantId: tenant.id, contactId: contact.id, channel: event.channel, accountId: event.accountId,
      action: 'opt-in', purpose: flow.purpose, ...(flow.topic ? { topic: flow.topic } : {}), scope: flow.scope, at,
      evidence: {
        source: by === 'start-message' ? 'click-to-chat' : 'confirmation-reply', confirms: requested, privacyPolicy: flow.privacyPolicy,
        reference: event.externalId, ...(text !== undefined ? { text } : {}), ...(flow.wording ? { wording: flow.wording } : {}),
        detail: JSON.stringify({ optIn: flow.id, firstStep: { entry: requested, source: flow.source, at: flow.createdAt.toISOString() }, confirmedBy: by }),
      },
    };
    await this.append(entry);
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    await this.deps.flows.update(tenant.id, flow.id, { status: 'confirmed', confirmedEntryId: entry.id, contactId: contact.id, startedOn: address, updatedAt: this.now() });
    await this.reply(input, 'opt-in-confirmed', flow.language, this.values(tenant, flow), `opt-in-confirmed:${flow.id}`);
  }

  private async prompt(input: ResolvedConsentHookEvent<MessageEvent>, flow: OptInFlow): Promise<void> {
    await this.deps.flows.update(input.tenant.id, flow.id, { promptedAt: this.now(), updatedAt: this.now() });
    await this.reply(input, 'opt-in-prompt', flow.language, this.values(input.tenant, flow), `opt-in-prompt:${flow.id}`);
  }

  private values(tenant: TenantConfig, flow: OptInFlow): { business: string; topic?: string; privacyPolicyUrl?: string } {
    return { business: businessName(tenant), ...(flow.topic ? { topic: flow.topic } : {}), ...(flow.privacyPolicy.url ? { privacyPolicyUrl: flow.privacyPolicy.url } : {}) };
  }

  private async append(entry: ConsentEntry): Promise<void> {
    const before = await this.deps.stores.consent.listByContact(entry.tenantId, entry.contactId);
    if (before.some((e) => e.id === entry.id)) return;
    await this.deps.consent.record(entry);
  }

  /**
   * Answers the customer in their conversation: a service message inside the window the message
   * just opened. Where the policy refuses it (a closed Apple conversation, a channel that allows no
   * reply), nothing is sent and the consent stands as recorded.
   */
  private async reply(input: ResolvedConsentHookEvent<MessageEvent>, kind: ConsentReplyKind, language: string | undefined, values: { business: string; topic?: string; privacyPolicyUrl?: string }, key: string): Promise<void> {
    const { tenant, conversation } = input;
    const text = consentReply(kind, language, values);
    try {
      const outcome = await this.deps.outbound.send({
        tenantId: tenant.id, channel: conversation.address.channel, accountId: conversation.address.accountId, conversationId: conversation.id,
        content: { type: 'text', text }, purpose: 'service', sender: 'system', via: 'api', idempotencyKey: `consent:${key}`,
      });
      if (outcome.status === 'denied') this.deps.logger.info({ tenantId: tenant.id, conversationId: conversation.id, kind, reasons: outcome.reasons.map((r) => r.code) }, 'consent reply not allowed');
    } catch (error) {
      this.deps.logger.warn({ tenantId: tenant.id, conversationId: conversation.id, kind, err: error }, 'consent reply failed');
    }
  }

  // ---- consent state ---------------------------------------------------------------------------

  /**
   * A contact's consent state per channel, as the outbound path derives it (tenant scope and the
   * privacy-policy version in force).
   * @param tenant - the tenant
   * @param contact - the contact
   * @returns state per channel the contact has an address on
   */
  async stateOf(tenant: TenantConfig, contact: Contact): Promise<ContactConsent['state']> {
    return (await this.deps.consent.stateOf(tenant, contact)).state;
  }
}

/** Where a start token can be: the deep-link payload, referral or context; the message text; Apple's intent. */
function startPayloads(event: MessageEvent | ConversationStartedEvent): string[] {
  if (event.kind === 'conversation-started') return event.context ? [event.context] : [];
  const out: string[] = [];
  const text = textOf(event.content);
  if (text) out.push(text);
  const intent = event.metadata?.intent;
  if (typeof intent === 'string') out.push(intent);
  return out;
}

function businessName(tenant: TenantConfig): string {
  return tenant.name ?? tenant.id;
}

/**
 * A tenant's account on a channel, by the registry's one rule; when there is none, says why: no
 * such account, or several and none named.
 */
function pickBinding(registry: ConnectorRegistry, tenantId: string, channel: string, account: string | undefined, field: string): HostConnectorBinding {
  const found = registry.find(tenantId, channel, account);
  if (found) return found;
  const several = account === undefined ? registry.forTenant(tenantId).filter((b) => b.channel === channel) : [];
  if (several.length > 1) throw new ValidationError(`${field}.account`, `the tenant has several ${channel} accounts: name one (${several.map((b) => b.account).join(', ')})`);
  throw new ValidationError(`${field}.channel`, `the tenant has no ${channel} account${account ? ` "${account}"` : ''}`);
}

function defaultTarget(channel: ClickToChatChannel, binding: HostConnectorBinding): string | undefined {
  // the page id opens m.me, the business id opens Messages; a phone number, a bot username and a
  // Viber chat URI are not in any connector's config
  if (channel === 'messenger' || channel === 'apple') return binding.connector.accountId;
  return undefined;
}

function targetHint(channel: ClickToChatChannel): string {
  return { whatsapp: 'the business phone number', messenger: 'the page username or id', telegram: 'the bot username', viber: 'the bot chat URI', apple: 'the business id' }[channel];
}

/** Whether a channel id can have a click-to-chat link. */
export function isClickToChatChannel(channel: string): channel is ClickToChatChannel {
  return (CLICK_TO_CHAT_CHANNELS as readonly string[]).includes(channel);
}

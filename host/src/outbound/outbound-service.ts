/**
 * The outbound path's front half: every message is checked by the policy engine against the
 * channel's, the tenant's, the law's and the customer's rules, rendered once to catch what the
 * channel cannot carry, and written to the outbox before it is acknowledged. Nothing leaves the
 * host any other way.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { orderedId } from './ordered-id.js';
import {
  contentToText, deriveConsentState, explain, explainRows, isSwitchboardError, SwitchboardError,
  type BusinessPolicy, type Clock, type ConnectorBinding, type Contact, type Conversation, type MessageIntent,
  type OutboundMessage, type PolicyContext, type PolicyDecision, type PolicyEngine, type PolicyReason, type Price, type MessageForm,
} from '@switchboard/core';
import { NotFoundError } from '../errors.js';
import type { HostMessage, HostStores, OutboxEntry } from '../stores/stores.js';
import { canonicalHash, type IdempotencyStore } from './idempotency-store.js';
import type { NotificationRequest, SendRequest } from './send-request.js';
import { templateParameterProblems, type TemplateStore } from './template-registry.js';

/** What the outbound path needs to know about a tenant. */
export interface TenantOutboundPolicy {
  business: BusinessPolicy;
  consentScope: 'all-channels' | 'per-channel';
  /** Current privacy-policy version; grants under older versions need re-consent when set. */
  privacyPolicyVersion?: string;
  /** Verification level per channel. */
  verification?: Record<string, string>;
}

/** DI token for {@link TenantPolicies}. */
export const TenantPolicies = Symbol.for('switchboard.TenantPolicies');
/** Looks up a tenant's outbound policy. */
export interface TenantPolicies {
  policyFor(tenantId: string): TenantOutboundPolicy | undefined;
}

/** An accepted message. */
export interface SendAccepted {
  accepted: true;
  id: string;
  status: 'queued';
  conversationId: string;
  form: MessageForm;
  price: Price;
  rendering?: { form: 'native' | 'degraded'; parts: number };
}

/** A refused message, every reason named. */
export interface SendDenied {
  accepted: false;
  reasons: PolicyReason[];
}

/** The answer to a send. */
export type SendOutcome = SendAccepted | SendDenied;

/** The dry run's answer: the decision plus the explained effective policy. */
export interface EvaluateOutcome {
  decision: PolicyDecision;
  effective: ReturnType<typeof explainRows>;
  explanation: string;
}

/** Per-recipient answer of a notification. */
export type NotificationResult = { userId: string } & ({ status: 'queued'; id: string; price: Price } | { status: 'denied'; reasons: PolicyReason[] });

/** Dependencies of {@link OutboundService}. */
export interface OutboundServiceDeps {
  stores: HostStores;
  templates: TemplateStore;
  engine: PolicyEngine;
  /** Every configured connector account (with its tenant, when the host knows it). */
  bindings: () => readonly (ConnectorBinding & { tenantId?: string })[];
  tenants: TenantPolicies;
  clock: Clock;
  idempotency: IdempotencyStore;
  /** Called after an outbox write, to wake the dispatcher. */
  onQueued?: (entry: OutboxEntry) => void;
}

/** Thrown when an idempotency key is reused with another body. */
export class IdempotencyConflictError extends SwitchboardError {
  /** @param key - the reused key */
  constructor(key: string) {
    super('CONFLICT', `Idempotency-Key "${key}" was already used with a different request body`, false, { details: { key } });
  }
}

interface Resolved {
  binding: ConnectorBinding;
  contact: Contact;
  conversation: Conversation;
  context: PolicyContext;
  intent: MessageIntent;
  outbound: OutboundMessage;
}

/**
 * Queues outbound messages after the policy allowed them; the library API integrators and bot
 * handlers use, and the REST API's back end.
 */
export class OutboundService {
  /** @param deps - stores, engine, connectors, tenants, clock */
  constructor(private readonly deps: OutboundServiceDeps) {}

  /**
   * Finds the connector binding for a channel and business account (the account key in the
   * webhook URL or the connector's own account id) of a tenant.
   * @returns the binding, or undefined
   */
  binding(channel: string, accountId: string, tenantId?: string): ConnectorBinding | undefined {
    return this.deps.bindings().find((b) => b.channel === channel && (b.account === accountId || b.connector.accountId === accountId)
      && (tenantId === undefined || b.tenantId === undefined || b.tenantId === tenantId));
  }

  private tenant(tenantId: string): TenantOutboundPolicy {
    const t = this.deps.tenants.policyFor(tenantId);
    if (!t) throw new NotFoundError('tenant', tenantId);
    return t;
  }

  private async resolve(tenantId: string, req: SendRequest, create: boolean): Promise<Resolved> {
    const tenant = this.tenant(tenantId);
    const { stores } = this.deps;
    let conversation: Conversation | undefined;
    if (req.conversationId) {
      conversation = await stores.conversations.get(tenantId, req.conversationId);
      if (!conversation) throw new NotFoundError('conversation', req.conversationId);
      if (conversation.address.channel !== req.channel) {
        throw new SwitchboardError('VALIDATION_FAILED', 'conversationId belongs to another channel', false, { details: { channel: conversation.address.channel } });
      }
    }
    const binding = this.binding(req.channel, conversation?.address.accountId ?? req.accountId, tenantId);
    if (!binding) throw new NotFoundError(`${req.channel} account`, req.accountId);
    const accountId = binding.connector.accountId ?? binding.account;
    const address = conversation?.address ?? { channel: req.channel, accountId, userId: req.userId! };
    const now = new Date(this.deps.clock.now());
    // a dry run creates nothing but still finds what exists: the conversation of the address, or
    // the contact it belongs to (an address linked to a contact who never wrote on it)
    if (!conversation) conversation = await stores.conversations.findByAddress(tenantId, address);
    let contact: Contact | undefined;
    if (conversation) contact = await stores.contacts.get(tenantId, conversation.contactId);
    if (!contact) contact = await stores.contacts.findByAddress(tenantId, address);
    if (!contact) {
      if (!create) {
        contact = { id: '(new)', tenantId, addresses: [address], profile: {}, createdAt: now, updatedAt: now };
      } else {
        contact = (await stores.contacts.findOrCreateByAddress(tenantId, address, () => ({ id: randomUUID(), tenantId, addresses: [address], profile: {}, createdAt: now, updatedAt: now }))).contact;
      }
    }
    if (!conversation) {
      if (create) {
        const contactId = contact.id;
        conversation = (await stores.conversations.findOrCreate(tenantId, address, () => ({
          id: randomUUID(), tenantId, contactId, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now,
        }))).conversation;
      } else {
        conversation = { id: '(new)', tenantId, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now };
      }
    }
    const ledger = contact.id === '(new)' ? [] : await stores.consent.listByContact(tenantId, contact.id);
    const consent = deriveConsentState(ledger, {
      channel: req.channel, scope: tenant.consentScope,
      ...(tenant.privacyPolicyVersion ? { requiredPrivacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
    });
    let template: PolicyContext['template'];
    if (req.content.type === 'template') {
      const record = await this.deps.templates.find(tenantId, req.channel, req.content.name, req.content.language);
      if (record) {
        template = { status: record.status, category: record.category };
        const problems = templateParameterProblems(record.body, req.content.parameters);
        if (problems.length > 0) {
          throw new SwitchboardError('VALIDATION_FAILED', `template parameters do not fit ${record.name}: ${problems.join('; ')}`, false, { details: { problems } });
        }
        if (record.category !== req.content.category) {
          throw new SwitchboardError('VALIDATION_FAILED', `template ${record.name} is registered as ${record.category}, not ${req.content.category}`, false, { details: { category: record.category } });
        }
      }
    }
    const context: PolicyContext = {
      channelPolicy: binding.plugin.policy,
      capabilities: binding.plugin.capabilities,
      business: tenant.business,
      consent,
      conversation: {
        ...(conversation.lastInboundAt ? { lastInboundAt: conversation.lastInboundAt } : {}),
        ...(conversation.entryPointAt ? { entryPointAt: conversation.entryPointAt } : {}),
        outboundSinceInbound: conversation.outboundSinceInbound ?? 0,
        userInitiated: conversation.lastInboundAt !== undefined,
      },
      ...(template ? { template } : {}),
      ...(tenant.verification?.[req.channel] ? { verificationLevel: tenant.verification[req.channel] } : {}),
    };
    const intent: MessageIntent = {
      channel: req.channel, userId: address.userId, purpose: req.purpose, content: req.content, sender: req.sender,
      ...(req.topic ? { topic: req.topic } : {}), ...(req.tag ? { tag: req.tag } : {}), ...(req.commerceCategory ? { commerceCategory: req.commerceCategory } : {}),
    };
    const outbound: OutboundMessage = {
      id: randomUUID(), to: address, content: req.content, purpose: req.purpose, sender: req.sender,
      ...(req.replyTo ? { replyTo: req.replyTo } : {}),
      ...(contact.capabilities?.[req.channel] ? { recipientCapabilities: contact.capabilities[req.channel] } : {}),
    };
    return { binding, contact, conversation, context, intent, outbound };
  }

  /**
   * Answers whether a message would be allowed, without sending or storing anything.
   * @param tenantId - the tenant
   * @param req - the message
   * @returns the decision and the explained effective policy
   */
  async evaluate(tenantId: string, req: SendRequest): Promise<EvaluateOutcome> {
    const r = await this.resolve(tenantId, req, false);
    const decision = this.decide(r);
    const effective = this.deps.engine.effective(r.context);
    return { decision, effective: explainRows(effective), explanation: explain(effective) };
  }

  private decide(r: Resolved): PolicyDecision {
    const decision = this.deps.engine.evaluate(r.intent, r.context);
    if (!decision.allowed) return decision;
    // render once now: what the channel cannot carry is refused here, not at the platform
    try {
      r.binding.connector.render({ ...r.outbound, form: decision.form });
    } catch (error) {
      if (isSwitchboardError(error) && (error.code === 'CONTENT_UNSUPPORTED' || error.code === 'CONTENT_INVALID')) {
        return { allowed: false, reasons: [{ code: 'CONTENT_UNSUPPORTED', source: 'channel', message: error.message }] };
      }
      throw error;
    }
    return decision;
  }

  /**
   * Checks a message against the policy and, when allowed, writes it and its outbox entry.
   * @param tenantId - the tenant
   * @param req - the message
   * @param options.idempotencyKey - replays the first answer for the same key and body
   * @returns accepted (id, form, price) or denied (every reason)
   * @throws IdempotencyConflictError when the key was used with another body
   */
  async send(tenantId: string, req: SendRequest, options: { idempotencyKey?: string } = {}): Promise<SendOutcome> {
    const key = options.idempotencyKey;
    const hash = key ? canonicalHash(req) : '';
    if (key) {
      const seen = await this.deps.idempotency.get(tenantId, key);
      if (seen) {
        if (seen.bodyHash !== hash) throw new IdempotencyConflictError(key);
        return seen.response as SendOutcome;
      }
    }
    const r = await this.resolve(tenantId, req, true);
    const decision = this.decide(r);
    let outcome: SendOutcome;
    if (!decision.allowed) outcome = { accepted: false, reasons: decision.reasons };
    else outcome = await this.enqueue(tenantId, req, r, decision, key);
    if (key) {
      const kept = await this.deps.idempotency.putIfAbsent({ tenantId, key, bodyHash: hash, status: outcome.accepted ? 202 : 422, response: outcome, createdAt: new Date(this.deps.clock.now()) });
      if (kept.bodyHash !== hash) throw new IdempotencyConflictError(key);
      return kept.response as SendOutcome;
    }
    return outcome;
  }

  private async enqueue(tenantId: string, req: SendRequest, r: Resolved, decision: Extract<PolicyDecision, { allowed: true }>, idempotencyKey?: string): Promise<SendAccepted> {
    const now = new Date(this.deps.clock.now());
    const outbound: OutboundMessage = { ...r.outbound, form: decision.form };
    const rendered = r.binding.connector.render(outbound);
    const rendering = rendered.rendering ? { form: rendered.rendering.form, parts: rendered.rendering.parts } : { form: 'native' as const, parts: 1 + (rendered.followUps?.length ?? 0) };
    const message: HostMessage = {
      id: outbound.id, tenantId, conversationId: r.conversation.id, direction: 'outbound', content: req.content, status: 'queued',
      timestamp: now, createdAt: now, updatedAt: now, purpose: req.purpose, sender: req.sender, form: decision.form,
      channel: r.conversation.address.channel, accountId: r.conversation.address.accountId, userId: r.conversation.address.userId,
      rendering, statusHistory: [{ status: 'queued', at: now }],
      ...(decision.price.amount > 0 || decision.price.category ? { price: { amount: decision.price.amount, currency: decision.price.currency, category: decision.price.category } } : {}),
      ...(req.topic ? { topic: req.topic } : {}), ...(req.replyTo ? { replyTo: req.replyTo } : {}),
    };
    await this.deps.stores.messages.insert(message);
    const entry: OutboxEntry = {
      // time-ordered: between two entries to one customer accepted in the same millisecond, the id says which came first
      id: orderedId(now.getTime()), tenantId, messageId: message.id, channel: r.binding.channel, account: r.binding.account, message: outbound,
      status: 'pending', attempts: 0, notBefore: now, createdAt: now, updatedAt: now, ...(idempotencyKey ? { idempotencyKey } : {}),
    };
    await this.deps.stores.outbox.enqueue(entry);
    this.deps.onQueued?.(entry);
    return { accepted: true, id: message.id, status: 'queued', conversationId: r.conversation.id, form: decision.form, price: decision.price, rendering };
  }

  /**
   * Sends a template to many recipients, each checked on its own.
   * @param tenantId - the tenant
   * @param req - template, purpose, topic and recipients
   * @returns one result per recipient, queued or denied with reasons
   */
  async notify(tenantId: string, req: NotificationRequest): Promise<NotificationResult[]> {
    const results: NotificationResult[] = [];
    const broadcast = req.recipients.length > 1;
    for (const recipient of req.recipients) {
      const content = recipient.parameters ? { ...req.content, parameters: recipient.parameters } : req.content;
      const send: SendRequest = {
        channel: req.channel, accountId: req.accountId, userId: recipient.userId, content, purpose: req.purpose, sender: 'system',
        ...(req.topic ? { topic: req.topic } : {}),
      };
      try {
        const r = await this.resolve(tenantId, send, true);
        if (broadcast) r.intent.broadcast = true;
        const decision = this.decide(r);
        if (!decision.allowed) { results.push({ userId: recipient.userId, status: 'denied', reasons: decision.reasons }); continue; }
        const accepted = await this.enqueue(tenantId, send, r, decision);
        results.push({ userId: recipient.userId, status: 'queued', id: accepted.id, price: accepted.price });
      } catch (error) {
        if (!isSwitchboardError(error) || error.code !== 'VALIDATION_FAILED') throw error;
        results.push({ userId: recipient.userId, status: 'denied', reasons: [{ code: 'CONTENT_UNSUPPORTED', source: 'business', message: error.message }] });
      }
    }
    return results;
  }

  /**
   * Re-checks a queued message just before it leaves (consent may have been revoked meanwhile).
   * @param tenantId - the tenant
   * @param message - the stored outbound message
   * @returns the decision now
   */
  async recheck(tenantId: string, message: HostMessage): Promise<PolicyDecision> {
    const req: SendRequest = {
      channel: message.channel, accountId: message.accountId, conversationId: message.conversationId, content: message.content,
      purpose: message.purpose ?? 'service', sender: message.sender ?? 'bot',
      ...(message.topic ? { topic: message.topic } : {}), ...(message.form?.kind === 'tag' ? { tag: message.form.tag } : {}),
    };
    const r = await this.resolve(tenantId, req, false);
    // the message itself is already counted in outboundSinceInbound only after it is sent
    return this.deps.engine.evaluate(r.intent, r.context);
  }
}

/**
 * A short preview of what a message says, for logs and the console.
 * @param message - a stored message
 * @returns at most 80 characters
 */
export function messagePreview(message: Pick<HostMessage, 'content'>): string {
  const text = contentToText(message.content).replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

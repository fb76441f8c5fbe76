/**
 * The outbound path's front half: every message is checked by the policy engine against the
 * channel's, the tenant's, the law's and the customer's rules, rendered once to catch what the
 * channel cannot carry, and written to the outbox before it is acknowledged. Nothing leaves the
 * host any other way.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { orderedId } from './ordered-id.js';
import {
  contentToText, explain, explainRows, isSwitchboardError, SwitchboardError,
  type BusinessPolicy, type Clock, type ConnectorBinding, type ConsentEntry, type ConsentState, type Contact, type Conversation, type EffectivePolicy,
  type MessageIntent, type OutboundMessage, type PolicyContext, type PolicyDecision, type PolicyEngine, type PolicyReason, type PolicySourceName,
  type Price, type MessageForm,
} from '@switchboard/core';
import { consentStateOn } from '../consent/consent-service.js';
import { NotFoundError } from '../errors.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { DecisionRecord, SendCheck } from '../stores/document-decision-store.js';
import type { HostMessage, HostStores, OutboxEntry } from '../stores/stores.js';
import { consentRelied, decisionVersions, judgedPurpose, recordedIntent, verdictOf } from './decision-record.js';
import { recipientCountry, recipientTimeZone } from './recipient-market.js';
import { canonicalHash, type IdempotencyStore } from './idempotency-store.js';
import type { SendRequest } from './send-request.js';
import { templateParameterProblems, type TemplateStore } from './template-registry.js';
import type { MediaRecord } from '../media/media-store.js';
import type { OutboundMedia } from './outbound-media.js';
import { documentMessage, renderDocument } from '../documents/render-document.js';
import { RequestValidationError } from '../api/validation.js';
import { documentProblems, printableDocumentContact, type DocumentSendRequest, type OutboundDocuments } from './document-send.js';

/** What the outbound path needs to know about a tenant. */
export interface TenantOutboundPolicy {
  business: BusinessPolicy;
  consentScope: 'all-channels' | 'per-channel';
  /** Current privacy-policy version; grants under older versions need re-consent when set. */
  privacyPolicyVersion?: string;
  /** Verification level per channel. */
  verification?: Record<string, string>;
  /** The tenant's country (ISO 3166-1 alpha-2): the jurisdiction whose law applies besides the recipient's. */
  country?: string;
  /** The tenant's IANA time zone. */
  timeZone?: string;
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
  /** The decision record (`GET /v1/decisions/:id`, or `GET /v1/messages/:id/decision`). */
  decisionId: string;
}

/** A refused message, every reason named. */
export interface SendDenied {
  accepted: false;
  reasons: PolicyReason[];
  /** The decision record of the refusal (`GET /v1/decisions/:id`). */
  decisionId: string;
}

/** The answer to a send. */
export type SendOutcome = SendAccepted | SendDenied;

/** The dry run's answer: the decision plus the explained effective policy. */
export interface EvaluateOutcome {
  decision: PolicyDecision;
  effective: ReturnType<typeof explainRows>;
  explanation: string;
}

/** How {@link OutboundService.send} and {@link OutboundService.sendDocument} are asked to send. */
export interface SendOptions {
  /** Replays the first answer for the same key and body. */
  idempotencyKey?: string;
  /** The entry point, as the decision record names it (default `api`). */
  via?: DecisionRecord['via'];
  /** One of several recipients of the same notification: the policy judges it as a broadcast. */
  broadcast?: boolean;
}

/** Per-recipient answer of a notification. */
export type NotificationResult = { userId: string } & ({ status: 'queued'; id: string; price: Price; decisionId: string } | { status: 'denied'; reasons: PolicyReason[]; decisionId?: string });

/** Dependencies of {@link OutboundService}. */
export interface OutboundServiceDeps {
  stores: HostStores;
  templates: TemplateStore;
  engine: PolicyEngine;
  /** The loaded connector accounts: a message goes through its tenant's account (`find`). */
  connectors: Pick<ConnectorRegistry, 'find'>;
  tenants: TenantPolicies;
  clock: Clock;
  idempotency: IdempotencyStore;
  /** Called after an outbox write, to wake the dispatcher. */
  onQueued?: (entry: OutboxEntry) => void;
  /**
   * Outbound media: resolves the stored files a content names (`media.storedId`) before the policy
   * judges it, and shows the connector's render the message as it will leave. Without it, a content
   * naming a stored file is refused (this host keeps no media store).
   */
  media?: Pick<OutboundMedia, 'resolveContent' | 'forRender' | 'linkFirstSend'>;
  /**
   * Generated documents ({@link OutboundService.sendDocument}): the templates and the media store the
   * rendered PDF is kept in. Without it, a document send is refused.
   */
  documents?: OutboundDocuments;
}

/** Thrown when an idempotency key is reused with another body. */
export class IdempotencyConflictError extends SwitchboardError {
  /** @param key - the reused key */
  constructor(key: string) {
    super('CONFLICT', `Idempotency-Key "${key}" was already used with a different request body`, false, { details: { key } });
  }
}

/** The unique-recipient limit in force on an account (the tightest declared), and its window. */
export interface UniqueRecipientLimit {
  limit: number;
  windowMs: number;
  source: PolicySourceName;
}

/**
 * The unique-recipient limit the effective policy enforces by refusing (WhatsApp's messaging-limit
 * tier), if any: the lowest limit, over the longest window any source declares.
 * @param effective - the effective policy
 * @returns the limit, or undefined when none is declared
 */
export function uniqueRecipientLimit(effective: EffectivePolicy): UniqueRecipientLimit | undefined {
  const limits = (effective.rules.rateLimits ?? []).filter((l) => l.scope === 'unique-recipients-per-day' && l.enforcement === 'deny');
  if (limits.length === 0) return undefined;
  const tightest = limits.reduce((a, b) => (b.limit < a.limit ? b : a));
  const source = effective.sources.find((s) => s.rules.rateLimits?.some((l) => l === tightest || JSON.stringify(l) === JSON.stringify(tightest)))?.source ?? 'channel';
  return { limit: tightest.limit, windowMs: Math.max(...limits.map((l) => l.perMs)), source };
}

interface Resolved {
  binding: ConnectorBinding;
  contact: Contact;
  conversation: Conversation;
  context: PolicyContext;
  intent: MessageIntent;
  outbound: OutboundMessage;
  /** The message as the connector's render checks it: with its stored file as it will leave (a file's description, or a URL). */
  renderable: OutboundMessage;
  /** The record of the stored file the content sends, if any. */
  mediaRecord?: MediaRecord;
  tenant: TenantOutboundPolicy;
  ledger: ConsentEntry[];
  consent: ConsentState;
  /** The recipient's country, when known. */
  recipientCountry?: string;
  /** The unique-recipient limit and the account's usage fed to the engine. */
  usage?: UniqueRecipientLimit & { uniqueRecipients: number; counted: boolean };
}

/**
 * Queues outbound messages after the policy allowed them: the implementation behind the outbound
 * port (`PolicyOutboundGateway`), which every send of the host goes through — call the port
 * (`OutboundGateway`), not this, so a gateway an integrator installs sees every send. Its dry run
 * (`evaluate`) and the send point's check (`sendCheck`) are used directly.
 */
export class OutboundService {
  /** @param deps - stores, engine, connectors, tenants, clock */
  constructor(private readonly deps: OutboundServiceDeps) {}

  private tenant(tenantId: string): TenantOutboundPolicy {
    const t = this.deps.tenants.policyFor(tenantId);
    if (!t) throw new NotFoundError('tenant', tenantId);
    return t;
  }

  /**
   * The content to judge: the stored files it names resolved for the tenant (real size, type, hash).
   * Done where a message enters (send, dry run, notification); a queued message's content is already resolved.
   */
  private async resolveContent(tenantId: string, content: SendRequest['content']): Promise<{ content: SendRequest['content']; record?: MediaRecord }> {
    if (this.deps.media) return this.deps.media.resolveContent(tenantId, content);
    const named = 'media' in content ? content.media.storedId : content.type === 'template' ? content.parameters?.find((p) => p.media?.storedId !== undefined)?.media?.storedId : undefined;
    if (named !== undefined) throw new SwitchboardError('CONTENT_UNSUPPORTED', 'this host keeps no media store: send media by id or url', false, { details: { storedId: named } });
    return { content };
  }

  private async resolve(tenantId: string, given: SendRequest, create: boolean, entering = false): Promise<Resolved> {
    const tenant = this.tenant(tenantId);
    const { stores } = this.deps;
    const resolvedContent = entering ? await this.resolveContent(tenantId, given.content) : { content: given.content };
    const req: SendRequest = resolvedContent.content === given.content ? given : { ...given, content: resolvedContent.content };
    let conversation: Conversation | undefined;
    if (req.conversationId) {
      conversation = await stores.conversations.get(tenantId, req.conversationId);
      if (!conversation) throw new NotFoundError('conversation', req.conversationId);
      if (conversation.address.channel !== req.channel) {
        throw new SwitchboardError('VALIDATION_FAILED', 'conversationId belongs to another channel', false, { details: { channel: conversation.address.channel } });
      }
    }
    const binding = this.deps.connectors.find(tenantId, req.channel, conversation?.address.accountId ?? req.accountId);
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
    const consent = consentStateOn(ledger, req.channel, tenant);
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
    // the recipient's market prices the message (WhatsApp by the number's country, Viber by the reported one)
    const country = recipientCountry(address, contact.id === '(new)' ? undefined : contact);
    if (country) context.market = country;
    // quiet hours on the recipient's wall clock where their zone is known (else the tenant's)
    const zone = recipientTimeZone(country, contact.id === '(new)' ? undefined : contact);
    if (zone) context.recipientTimeZone = zone;
    // the law of the tenant's country applies besides the recipient's (selected by the market)
    if (tenant.country) context.tenantCountry = tenant.country;
    const intent: MessageIntent = {
      channel: req.channel, userId: address.userId, purpose: req.purpose, content: req.content, sender: req.sender,
      ...(req.topic ? { topic: req.topic } : {}), ...(req.tag ? { tag: req.tag } : {}), ...(req.commerceCategory ? { commerceCategory: req.commerceCategory } : {}),
    };
    const outbound: OutboundMessage = {
      id: randomUUID(), to: address, content: req.content, purpose: req.purpose, sender: req.sender,
      ...(req.replyTo ? { replyTo: req.replyTo } : {}),
      ...(contact.capabilities?.[req.channel] ? { recipientCapabilities: contact.capabilities[req.channel] } : {}),
    };
    const renderable = entering && this.deps.media ? await this.deps.media.forRender(tenantId, binding, outbound) : outbound;
    const resolved: Resolved = {
      binding, contact, conversation, context, intent, outbound, renderable, tenant, ledger, consent,
      ...(country ? { recipientCountry: country } : {}), ...(resolvedContent.record ? { mediaRecord: resolvedContent.record } : {}),
    };
    await this.feedUsage(tenantId, resolved, now);
    return resolved;
  }

  /**
   * Feeds the engine the account's messaging-limit usage: the unique recipients of business-initiated
   * messages in the rolling window, and whether this recipient is already among them (then it takes
   * no new place in the tier).
   */
  private async feedUsage(tenantId: string, r: Resolved, now: Date): Promise<void> {
    const limit = uniqueRecipientLimit(this.deps.engine.effective(r.context));
    if (!limit) return;
    const account = { tenantId, channel: r.conversation.address.channel, accountId: r.conversation.address.accountId };
    const usage = await this.deps.stores.usage.usage(account, r.conversation.address.userId, now, limit.windowMs);
    r.usage = { ...limit, ...usage };
    r.context.usage = { uniqueRecipientsLast24h: usage.uniqueRecipients, recipientAlreadyCounted: usage.counted };
  }

  /**
   * Counts an allowed business-initiated message against the account's unique-recipient limit,
   * atomically in the store (every host process on it shares the count): a recipient the engine
   * allowed on a count another process changed meanwhile is refused here with the tier's reason.
   */
  private async admit(tenantId: string, r: Resolved, decision: PolicyDecision): Promise<PolicyDecision> {
    if (!decision.allowed || decision.inWindow || !r.usage) return decision;
    const account = { tenantId, channel: r.conversation.address.channel, accountId: r.conversation.address.accountId };
    const claim = await this.deps.stores.usage.claim(account, r.conversation.address.userId, new Date(this.deps.clock.now()), { limit: r.usage.limit, windowMs: r.usage.windowMs });
    r.usage = { ...r.usage, uniqueRecipients: claim.uniqueRecipients, counted: claim.counted };
    if (claim.admitted) return decision;
    return { allowed: false, reasons: [{ code: 'RATE_LIMITED', source: r.usage.source, message: `the account may start conversations with at most ${r.usage.limit} customers per 24 h` }] };
  }

  /** The decision record of a decision (the effective rules, the consent relied on, the versions in force). */
  private recordOf(tenantId: string, r: Resolved, decision: PolicyDecision, via: DecisionRecord['via'], messageId?: string): DecisionRecord & { effective: ReturnType<typeof explainRows> } {
    const effective = this.deps.engine.effective(r.context);
    const rows = explainRows(effective);
    const purpose = judgedPurpose(r.intent);
    const address = r.conversation.address;
    const known = (id: string): string | undefined => (id === '(new)' ? undefined : id);
    const conversationId = known(r.conversation.id);
    const contactId = known(r.contact.id);
    return {
      id: randomUUID(), tenantId, channel: address.channel, accountId: address.accountId, userId: address.userId,
      at: new Date(this.deps.clock.now()), via, intent: recordedIntent(r.intent), ...verdictOf(decision),
      ...(messageId ? { messageId } : {}), ...(conversationId ? { conversationId } : {}), ...(contactId ? { contactId } : {}),
      ...(r.context.market ? { market: r.context.market } : {}),
      ...(r.tenant.country || r.recipientCountry ? { jurisdiction: { ...(r.tenant.country ? { tenantCountry: r.tenant.country } : {}), ...(r.recipientCountry ? { recipientCountry: r.recipientCountry } : {}) } } : {}),
      ...(r.usage ? { usage: { uniqueRecipients: r.usage.uniqueRecipients, recipientCounted: r.usage.counted, limit: r.usage.limit, windowMs: r.usage.windowMs } } : {}),
      consent: consentRelied(r.ledger, r.consent, purpose, r.intent.topic, effective.rules.requireDoubleOptIn === true),
      versions: decisionVersions(r.tenant, r.binding.plugin.policy, rows),
      effective: rows,
    };
  }

  /**
   * Answers whether a message would be allowed, without sending or storing anything.
   * @param tenantId - the tenant
   * @param req - the message
   * @returns the decision and the explained effective policy
   */
  async evaluate(tenantId: string, req: SendRequest): Promise<EvaluateOutcome> {
    const r = await this.resolve(tenantId, req, false, true);
    const decision = this.decide(r);
    const effective = this.deps.engine.effective(r.context);
    return { decision, effective: explainRows(effective), explanation: explain(effective) };
  }

  private decide(r: Resolved): PolicyDecision {
    const decision = this.deps.engine.evaluate(r.intent, r.context);
    if (!decision.allowed) return decision;
    // render once now: what the channel cannot carry is refused here, not at the platform
    try {
      r.binding.connector.render({ ...r.renderable, form: decision.form });
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
   * @param options.via - the entry point, as the decision record names it (default `api`)
   * @param options.broadcast - one of several recipients of the same notification
   * @returns accepted (id, form, price) or denied (every reason), each with the id of its decision record
   * @throws IdempotencyConflictError when the key was used with another body
   */
  async send(tenantId: string, req: SendRequest, options: SendOptions = {}): Promise<SendOutcome> {
    const key = options.idempotencyKey;
    return this.idempotent(tenantId, key, req, () => this.sendOnce(tenantId, req, key, options.via ?? 'api', options.broadcast === true));
  }

  /**
   * Renders a document for its recipient and sends it as a `document` message: the template is
   * looked up (404 when unknown), the data checked against its closed schema (400 naming every field,
   * under `document.`), the PDF rendered with the recipient contact's name, locale and time zone and
   * the host clock's now, stored in the media store (origin `generated`), and the message naming it
   * goes the way of {@link send} (policy, outbox, the connector's upload); the file is linked to the
   * message. A message that is not queued (refused by the policy, or failing) leaves no file: the
   * stored PDF is deleted again. With an idempotency key, a retry replays the first answer and
   * renders nothing.
   * @param tenantId - the tenant
   * @param req - the target, purpose, and the document (template, data, caption)
   * @param options.idempotencyKey - replays the first answer for the same key and body
   * @param options.via - the entry point, as the decision record names it (default `api`)
   * @returns accepted (id, form, price) or denied (every reason), each with the id of its decision record
   * @throws NotFoundError for an unknown template, conversation or account; RequestValidationError for
   *   invalid data; CONTENT_UNSUPPORTED (422) when the host keeps no documents or the tenant's media
   *   limits refuse the PDF; IdempotencyConflictError when the key was used with another body
   * @example
   * await outbound.sendDocument(tenantId, {
   *   channel: 'whatsapp', accountId: 'main', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system',
   *   document: { template: 'boarding-pass', data: pass, caption: 'Your boarding pass' },
   * });
   */
  async sendDocument(tenantId: string, req: DocumentSendRequest, options: SendOptions = {}): Promise<SendOutcome> {
    const key = options.idempotencyKey;
    return this.idempotent(tenantId, key, req, () => this.sendDocumentOnce(tenantId, req, key, options.via ?? 'api', options.broadcast === true));
  }

  private async sendDocumentOnce(tenantId: string, req: DocumentSendRequest, key: string | undefined, via: DecisionRecord['via'], broadcast: boolean): Promise<SendOutcome> {
    const documents = this.deps.documents;
    if (!documents) throw new SwitchboardError('CONTENT_UNSUPPORTED', 'this host renders no documents (it keeps no media store)', false, { details: { field: 'document' } });
    const { document, ...target } = req;
    if (!documents.templates.get(document.template)) throw new NotFoundError('document template', document.template);
    // the recipient as it stands, found without creating anything (a new recipient renders with the defaults);
    // an unknown conversation or account is a 404 before anything is rendered
    const placeholder: SendRequest = { ...target, content: { type: 'document', media: { filename: `${document.template}.pdf`, mimeType: 'application/pdf' } } };
    const { contact } = await this.resolve(tenantId, placeholder, false);
    // the contact's profile decides; the request's locale and time zone, then the tenant's zone, fill what it does not say
    const timeZone = document.timeZone ?? this.tenant(tenantId).timeZone;
    const fallback = { ...(document.locale ? { locale: document.locale } : {}), ...(timeZone ? { timeZone } : {}) };
    let rendered: Awaited<ReturnType<typeof renderDocument>>;
    try {
      rendered = await renderDocument(documents.templates, document.template, {
        data: document.data, contact: { ...fallback, ...(await printableDocumentContact(contact)) }, at: new Date(this.deps.clock.now()),
      });
    } catch (error) {
      throw error instanceof RequestValidationError ? documentProblems(error) : error;
    }
    const message = documentMessage(rendered, document.caption !== undefined ? { caption: document.caption } : {});
    const put = await documents.store.put(tenantId, Readable.from([message.file.body]), message.put);
    if (!put.stored) {
      throw new SwitchboardError('CONTENT_UNSUPPORTED', `the tenant's media limits refuse the rendered document: ${put.reason}`, false, {
        details: { field: 'document', refusal: put.code, ...put.details },
      });
    }
    const storedId = put.record.id;
    let outcome: SendOutcome;
    try {
      outcome = await this.sendOnce(tenantId, { ...target, content: message.content(storedId) }, key, via, broadcast);
    } catch (error) {
      await this.discardDocument(tenantId, storedId);
      throw error;
    }
    // a refused message keeps no file: nothing names it, and nothing would ever delete it
    if (!outcome.accepted) await this.discardDocument(tenantId, storedId);
    return outcome;
  }

  private async discardDocument(tenantId: string, storedId: string): Promise<void> {
    await this.deps.documents!.store.delete(tenantId, storedId);
  }

  /** Runs a send once per idempotency key: the same key and body replay the first answer; another body is a conflict. */
  private async idempotent(tenantId: string, key: string | undefined, body: unknown, run: () => Promise<SendOutcome>): Promise<SendOutcome> {
    const hash = key ? canonicalHash(body) : '';
    if (key) {
      const seen = await this.deps.idempotency.get(tenantId, key);
      if (seen) {
        if (seen.bodyHash !== hash) throw new IdempotencyConflictError(key);
        return seen.response as SendOutcome;
      }
    }
    const outcome = await run();
    if (key) {
      const kept = await this.deps.idempotency.putIfAbsent({ tenantId, key, bodyHash: hash, status: outcome.accepted ? 202 : 422, response: outcome, createdAt: new Date(this.deps.clock.now()) });
      if (kept.bodyHash !== hash) throw new IdempotencyConflictError(key);
      return kept.response as SendOutcome;
    }
    return outcome;
  }

  private async sendOnce(tenantId: string, req: SendRequest, key: string | undefined, via: DecisionRecord['via'], broadcast: boolean): Promise<SendOutcome> {
    const r = await this.resolve(tenantId, req, true, true);
    if (broadcast) r.intent.broadcast = true;
    const decision = await this.admit(tenantId, r, this.decide(r));
    if (!decision.allowed) return { accepted: false, reasons: decision.reasons, decisionId: await this.recordRefusal(tenantId, r, decision, via) };
    return this.enqueue(tenantId, req, r, decision, key, via);
  }

  private async recordRefusal(tenantId: string, r: Resolved, decision: PolicyDecision, via: DecisionRecord['via']): Promise<string> {
    const record = this.recordOf(tenantId, r, decision, via);
    await this.deps.stores.decisions.record(record);
    return record.id;
  }

  private async enqueue(tenantId: string, req: SendRequest, r: Resolved, decision: Extract<PolicyDecision, { allowed: true }>, idempotencyKey: string | undefined, via: DecisionRecord['via']): Promise<SendAccepted> {
    const now = new Date(this.deps.clock.now());
    const outbound: OutboundMessage = { ...r.outbound, form: decision.form };
    const rendered = r.binding.connector.render({ ...r.renderable, form: decision.form });
    // the record first: a message never leaves without the record of why it was allowed
    const record = this.recordOf(tenantId, r, decision, via, outbound.id);
    await this.deps.stores.decisions.record(record);
    const rendering = rendered.rendering ? { form: rendered.rendering.form, parts: rendered.rendering.parts } : { form: 'native' as const, parts: 1 + (rendered.followUps?.length ?? 0) };
    const message: HostMessage = {
      id: outbound.id, tenantId, conversationId: r.conversation.id, direction: 'outbound', content: outbound.content, status: 'queued',
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
    if (r.mediaRecord) await this.deps.media?.linkFirstSend(tenantId, r.mediaRecord, { messageId: message.id, conversationId: r.conversation.id, contactId: r.contact.id });
    this.deps.onQueued?.(entry);
    return { accepted: true, id: message.id, status: 'queued', conversationId: r.conversation.id, form: decision.form, price: decision.price, rendering, decisionId: record.id };
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

  /**
   * The check at the send point, just before a queued message leaves: the policy decided again on
   * what holds now (consent withdrawn meanwhile, the window closed), the recipient counted against
   * the messaging limit at the time it is sent, and the result kept with the message's decision
   * record. An allowed message takes the price the engine decided now (what the cost ledger records).
   * @param tenantId - the tenant
   * @param message - the stored outbound message
   * @returns the decision now
   */
  async sendCheck(tenantId: string, message: HostMessage): Promise<PolicyDecision> {
    const req: SendRequest = {
      channel: message.channel, accountId: message.accountId, conversationId: message.conversationId, content: message.content,
      purpose: message.purpose ?? 'service', sender: message.sender ?? 'bot',
      ...(message.topic ? { topic: message.topic } : {}), ...(message.form?.kind === 'tag' ? { tag: message.form.tag } : {}),
    };
    const r = await this.resolve(tenantId, req, false);
    const record = await this.deps.stores.decisions.findByMessage(tenantId, message.id);
    if (record?.intent.broadcast) r.intent.broadcast = true;
    if (record?.intent.commerceCategory) r.intent.commerceCategory = record.intent.commerceCategory;
    const decision = await this.admit(tenantId, r, this.deps.engine.evaluate(r.intent, r.context));
    const effective = this.deps.engine.effective(r.context);
    const check: SendCheck = {
      at: new Date(this.deps.clock.now()), verdict: decision.allowed ? 'allow' : 'deny', reasons: decision.allowed ? [] : decision.reasons,
      ...(decision.allowed ? { price: decision.price } : {}),
      consent: consentRelied(r.ledger, r.consent, judgedPurpose(r.intent), r.intent.topic, effective.rules.requireDoubleOptIn === true),
    };
    if (record) await this.deps.stores.decisions.recordSendCheck(tenantId, message.id, check);
    const p = decision.allowed ? decision.price : undefined;
    if (p && (!message.price || message.price.amount !== p.amount || message.price.category !== p.category || message.price.currency !== p.currency)) {
      await this.deps.stores.messages.update(tenantId, message.id, { price: { amount: p.amount, currency: p.currency, category: p.category } });
    }
    return decision;
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

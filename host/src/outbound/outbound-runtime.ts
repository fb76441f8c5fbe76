/**
 * The outbound path as the host runs it: the policy-checked {@link OutboundService}, the
 * {@link Dispatcher} draining the outbox, the template registry, idempotency keys and the shared
 * rate budget — wired to the host's stores and streams, started and stopped with the host.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  createPolicyEngine, silentLogger,
  type Clock, type ConsentEntry, type Logger, type PolicyEngine,
} from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { ConsentService } from '../consent/consent-service.js';
import { NotFoundError } from '../errors.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostMessage, HostStores, OutboxEntry } from '../stores/stores.js';
import type { HostStreams } from '../streams.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { MediaStore, MediaUrls } from '../media/media-store.js';
import { builtInDocumentTemplates } from '../documents/index.js';
import { DocumentTemplates } from '../documents/document-template.js';
import { OutboundMedia, type OutboundMediaOptions } from './outbound-media.js';
import { DocumentUploadedMediaStore, type UploadedMediaStore } from './uploaded-media-store.js';
import type { OutboundGateway, OutboundRequest, OutboundResult } from './outbound-gateway.js';
import type { SendRequest } from './send-request.js';
import { OutboundService, type TenantPolicies, type TenantOutboundPolicy } from './outbound-service.js';
import type { RateBudget } from './rate-budget.js';
import type { TemplateStore } from './template-registry.js';
import type { Timer } from './timer.js';

/** The stores the outbound path uses (the host's, see {@link HostStores}). */
export interface OutboundStores {
  templates: TemplateStore;
  idempotency: IdempotencyStore;
  /** Shared by every host process on the same store, so together they stay within a platform limit. */
  budget: RateBudget;
}

/** Options of {@link OutboundRuntime}. */
export interface OutboundRuntimeOptions {
  /** Stores to use instead of the host's (`deps.stores`). */
  stores?: Partial<OutboundStores>;
  /** Platform time and waiting for the dispatcher (default: the host clock's time, wall-clock sleeps). */
  timer?: Timer;
  dispatcher?: DispatcherOptions;
  /** This process's lease owner id. */
  owner?: string;
  engine?: PolicyEngine;
  /** Outbound media settings (signed URL life, reference reuse margin). */
  media?: OutboundMediaOptions;
  /** The platform references of uploaded files, instead of the store on the host's driver. */
  uploadedMedia?: UploadedMediaStore;
}

/** Dependencies of {@link OutboundRuntime}. */
export interface OutboundRuntimeDeps {
  stores: HostStores;
  streams: HostStreams;
  /** The loaded connector accounts. */
  connectors: Pick<ConnectorRegistry, 'find'>;
  tenants: ReadonlyMap<string, TenantConfig>;
  clock: Clock;
  logger?: Logger;
  /** The consent ledger's writer, for blocks a platform reports (default: one over `stores` and `streams`). */
  consent?: ConsentService;
  /** Aborted when the host gives up on its platform calls (its stop deadline): sends failing after it are given back, not counted. */
  platformCalls?: AbortSignal;
  /**
   * The host's media store and URLs: messages may then send stored files (`media.storedId`), uploaded
   * or linked the platform's way. Without them such messages are refused.
   */
  media?: { store: MediaStore; urls: MediaUrls };
  /**
   * The document templates `sendDocument` (and `POST /v1/messages` with `document`) renders from;
   * the PDFs are kept in the media store, so documents need `media` too. Default: the built-in ones.
   */
  documents?: DocumentTemplates;
}

/**
 * A tenant's outbound policy from its config.
 * @param tenant - the tenant's config
 * @returns business policy, consent scope, privacy-policy version, verification levels, country and time zone
 */
export function tenantOutboundPolicy(tenant: TenantConfig): TenantOutboundPolicy {
  return {
    business: tenant.policy ?? {},
    consentScope: tenant.policy?.consentScope ?? 'all-channels',
    ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
    ...(tenant.verification ? { verification: tenant.verification } : {}),
    ...(tenant.country ? { country: tenant.country } : {}),
    ...(tenant.timeZone ? { timeZone: tenant.timeZone } : {}),
  };
}

/** The outbound path, wired. */
export class OutboundRuntime {
  /** Policy check and outbox writes (the library API). */
  readonly service: OutboundService;
  /** Drains the outbox. */
  readonly dispatcher: Dispatcher;
  readonly templates: TemplateStore;
  readonly idempotency: IdempotencyStore;
  readonly budget: RateBudget;
  /** The gateway bot handlers and the conversation API send through. */
  readonly gateway: OutboundGateway;
  /**
   * The platforms' references to files uploaded for sends, per tenant, account, hash and kind (erasure
   * forgets a tenant's or some files' with `eraseUploadedMedia`).
   */
  readonly uploadedMedia: UploadedMediaStore;
  /** Outbound media (stored files sent the platform's way), when the host has a media store. */
  readonly media?: OutboundMedia;
  private readonly logger: Logger;
  private readonly consent: ConsentService;

  /**
   * @param deps - the host's stores, streams, connectors, tenants and clock
   * @param options - stores, timer, dispatcher settings
   */
  constructor(private readonly deps: OutboundRuntimeDeps, options: OutboundRuntimeOptions = {}) {
    const { stores, streams, clock } = deps;
    this.logger = deps.logger ?? silentLogger;
    this.consent = deps.consent ?? new ConsentService(deps);
    this.templates = options.stores?.templates ?? stores.templates;
    this.idempotency = options.stores?.idempotency ?? stores.idempotency;
    this.budget = options.stores?.budget ?? stores.budget;
    const tenants: TenantPolicies = {
      policyFor: (id) => { const t = deps.tenants.get(id); return t ? tenantOutboundPolicy(t) : undefined; },
    };
    this.uploadedMedia = options.uploadedMedia ?? new DocumentUploadedMediaStore(stores.driver);
    const media = deps.media ? new OutboundMedia({ ...deps.media, uploads: this.uploadedMedia, clock, logger: this.logger }, options.media) : undefined;
    if (media) this.media = media;
    this.service = new OutboundService({
      stores, templates: this.templates, engine: options.engine ?? createPolicyEngine(clock), connectors: deps.connectors, tenants, clock,
      idempotency: this.idempotency, onQueued: (entry) => this.onQueued(entry), ...(media ? { media } : {}),
      ...(deps.media ? { documents: { templates: deps.documents ?? new DocumentTemplates(builtInDocumentTemplates), store: deps.media.store } } : {}),
    });
    const timer: Timer = options.timer ?? { now: () => clock.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))) };
    this.dispatcher = new Dispatcher({
      stores, connectors: deps.connectors, tenants: () => [...deps.tenants.keys()], budget: this.budget, timer, logger: this.logger,
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.dispatcher ? { options: options.dispatcher } : {}),
      ...(deps.platformCalls ? { platformCalls: deps.platformCalls } : {}),
      // a stored file goes the platform's way, per attempt (its bytes, a kept reference, or a signed URL)
      ...(media ? { send: (binding, entry, context) => media.send(entry.tenantId, binding, entry.message, context) } : {}),
      hooks: {
        // the send point's check: decided again on what holds now, kept with the decision record
        recheck: (entry, message) => this.service.sendCheck(entry.tenantId, message),
        tenantRateLimits: (tenantId) => deps.tenants.get(tenantId)?.policy?.rateLimits,
        onStatus: (message) => streams.status$.next({ tenantId: message.tenantId, conversationId: message.conversationId, message, status: message.status }),
        onSent: async (entry, message) => {
          await stores.conversations.recordOutbound(entry.tenantId, message.conversationId, new Date(clock.now()));
        },
        onRecipientBlocked: (entry, error) => this.recordBlocked(entry, error.message),
      },
    });
    this.gateway = new PolicyOutboundGateway(this.service, stores);
  }

  private onQueued(entry: OutboxEntry): void {
    this.deps.stores.messages.get(entry.tenantId, entry.messageId).then((message) => {
      if (message) this.deps.streams.status$.next({ tenantId: entry.tenantId, conversationId: message.conversationId, message, status: 'queued' });
    }).catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'could not publish queued status'));
    this.dispatcher.kick();
  }

  /** The platform refused delivery because the customer blocked the business: the ledger records it. */
  private async recordBlocked(entry: OutboxEntry, reason: string): Promise<void> {
    const conversation = await this.deps.stores.conversations.findByAddress(entry.tenantId, entry.message.to);
    if (!conversation) return;
    const consentEntry: ConsentEntry = {
      id: randomUUID(), tenantId: entry.tenantId, contactId: conversation.contactId, channel: entry.channel, accountId: entry.message.to.accountId,
      action: 'blocked', scope: 'channel', at: new Date(this.deps.clock.now()),
      evidence: { source: 'platform', detail: `delivery refused: ${reason}` },
    };
    await this.consent.record(consentEntry);
  }

  /** Starts the dispatcher (it resumes whatever the outbox holds). */
  start(): void {
    this.dispatcher.start();
  }

  /** Stops the dispatcher after the sends in flight; the rest stays in the outbox. */
  async stop(): Promise<void> {
    await this.dispatcher.stop();
  }
}

/**
 * The host's outbound port: every send — REST, bots, console, notifications, the opt-in flow —
 * goes through the {@link OutboundService}'s policy check, decision record and outbox write. A
 * request naming only its conversation is sent on the conversation's channel account to its
 * customer; a request naming a channel account goes there.
 */
export class PolicyOutboundGateway implements OutboundGateway {
  /**
   * @param service - the policy-checked outbound service
   * @param stores - where conversations and messages are read
   */
  constructor(private readonly service: OutboundService, private readonly stores: HostStores) {}

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const { service, stores } = this;
    const { tenantId } = request;
    const options = {
      via: request.via ?? (request.channel === undefined ? 'conversation' : 'api'),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}), ...(request.broadcast ? { broadcast: true } : {}),
    };
    const target = await this.target(request);
    const outcome = request.document
      ? await service.sendDocument(tenantId, { ...target, document: request.document }, options)
      : await service.send(tenantId, { ...target, content: request.content }, options);
    if (!outcome.accepted) return { status: 'denied', reasons: outcome.reasons, decisionId: outcome.decisionId };
    const message: HostMessage | undefined = await stores.messages.get(tenantId, outcome.id);
    const { accepted: _accepted, ...queued } = outcome;
    return { ...queued, ...(message ? { message } : {}) };
  }

  /** The request's target and how it is sent, as the service takes them (a conversation names its channel account). */
  private async target(request: OutboundRequest): Promise<Omit<SendRequest, 'content'>> {
    const how = {
      purpose: request.purpose ?? 'service', sender: request.sender,
      ...(request.topic ? { topic: request.topic } : {}), ...(request.tag ? { tag: request.tag } : {}),
      ...(request.replyTo ? { replyTo: request.replyTo } : {}), ...(request.commerceCategory ? { commerceCategory: request.commerceCategory } : {}),
    };
    if (request.channel !== undefined) {
      return {
        channel: request.channel, accountId: request.accountId,
        ...(request.userId ? { userId: request.userId } : {}), ...(request.conversationId ? { conversationId: request.conversationId } : {}), ...how,
      };
    }
    const conversation = await this.stores.conversations.get(request.tenantId, request.conversationId);
    if (!conversation) throw new NotFoundError('conversation', request.conversationId);
    return { channel: conversation.address.channel, accountId: conversation.address.accountId, conversationId: conversation.id, ...how };
  }
}

/**
 * The consent feature: double opt-in flows with signed click-to-chat links and QR codes
 * (`/v1/opt-ins`), confirmation replies to consent keywords, linking a contact's addresses across
 * channels (`/v1/contacts/:id/addresses`) so a revocation on one reaches the others, and the
 * tenant's business identity (`/v1/tenant`: verification level per channel and what the business
 * policy requires of it). The ledger, the keywords and the platform signals are recorded by the
 * inbox processor; the policy engine enforces them on every outbound message.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Address, Clock, Logger } from '@switchboard/core';
import type { Request } from 'express';
import { apiKeyRef } from '../api/api-key-ref.js';
import { AddressLinkSchema, OptInsQuerySchema, OptInStartSchema } from '../api/schemas.js';
import { parseBody, parseInput, parseQuery } from '../api/validation.js';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { HostFeature, HostFeatureContext, HostFeatureFactory } from '../features.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import type { OutboundGateway } from '../outbound/outbound-gateway.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStores } from '../stores/stores.js';
import { consentServiceIn, type ConsentService } from './consent-service.js';
import { linkAddress } from './contact-links.js';
import { channelUserId } from './customer-id.js';
import type { OptInFlowStore } from './opt-in-flow-store.js';
import { OptInService, type OptInKeyword, type StartOptInRequest } from './opt-in-service.js';
import { perTenantSecrets, StartTokens } from './start-token.js';

/** Options of {@link createConsentFeature}. */
export interface ConsentFeatureOptions {
  /**
   * The host-wide secret start tokens are signed with (each tenant gets its own key derived from
   * it). Default: `SWITCHBOARD_OPT_IN_SECRET`; without it a random secret per process, so links
   * handed out before a restart no longer verify.
   */
  secret?: string;
  /** Where flows are kept (default: the host's store, `ctx.stores.optInFlows`). */
  flows?: OptInFlowStore;
  /** Link targets per channel and account key (`{ whatsapp: { main: '+4930…' } }`) for requests that name none. */
  linkTargets?: Record<string, Record<string, string>>;
  /** Lifetime of a flow's links when the request gives none (default 7 days). */
  defaultTtlMs?: number;
  /** Answer STOP / START / "important only" (default true). */
  keywordReplies?: boolean;
  /** Keywords that start a double opt-in, per tenant id (`*` for every tenant). */
  optInKeywords?: Record<string, OptInKeyword[]>;
  /** The environment (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** Verification levels a channel knows, lowest first (WhatsApp's three; the others verify or not). */
const VERIFICATION_LEVELS: Record<string, readonly string[]> = {
  whatsapp: ['unverified', 'confirmed', 'verified'],
};
const DEFAULT_LEVELS = ['unverified', 'verified'] as const;

/**
 * The services the consent feature works with (what its module resolves from the container).
 */
export interface ConsentFeatureServices {
  stores: HostStores;
  /** The consent ledger's one writer. */
  consent: ConsentService;
  registry: ConnectorRegistry;
  /** The outbound port the flow's replies are sent through. */
  gateway: OutboundGateway;
  clock: Clock;
  logger: Logger;
  /** Where opt-in start messages and keyword replies are handled (without it they are not). */
  processor?: Pick<InboxProcessor, 'addConsentHook'>;
}

/**
 * Builds the consent feature factory.
 * @param options - secret, flow store, link targets
 * @returns the feature factory
 */
export function createConsentFeature(options: ConsentFeatureOptions = {}): HostFeatureFactory {
  return (ctx: HostFeatureContext): HostFeature => consentFeatureOf({
    stores: ctx.stores, consent: consentServiceIn(ctx), registry: ctx.registry, gateway: ctx.gateway, clock: ctx.clock, logger: ctx.logger,
    ...(ctx.container.isBound(InboxProcessor) ? { processor: ctx.container.get(InboxProcessor) } : {}),
  }, options);
}

/**
 * The consent feature over its services.
 * @param services - stores, consent service, registry, gateway, clock, logger, the inbox processor
 * @param options - secret, flow store, link targets
 * @returns the feature (its opt-in service is added to the processor's consent hooks)
 */
export function consentFeatureOf(services: ConsentFeatureServices, options: ConsentFeatureOptions = {}): HostFeature {
  const env = options.env ?? process.env;
  const configured = options.secret ?? env.SWITCHBOARD_OPT_IN_SECRET;
  if (!configured) services.logger.warn({}, 'SWITCHBOARD_OPT_IN_SECRET is not set: opt-in links are signed with a per-process key and stop working after a restart');
  const tokens = new StartTokens(perTenantSecrets(configured ?? randomBytes(32)), () => services.clock.now());
  // the flows live beside the other stores: any host process on the database can confirm a link another handed out
  const flows = options.flows ?? services.stores.optInFlows;
  const service = new OptInService({
    stores: services.stores, consent: services.consent, flows, tokens, registry: services.registry, outbound: services.gateway, clock: services.clock, logger: services.logger,
    ...(options.linkTargets ? { linkTargets: options.linkTargets } : {}),
    ...(options.defaultTtlMs !== undefined ? { defaultTtlMs: options.defaultTtlMs } : {}),
    ...(options.keywordReplies !== undefined ? { keywordReplies: options.keywordReplies } : {}),
    ...(options.optInKeywords ? { optInKeywords: options.optInKeywords } : {}),
  });
  if (services.processor) services.processor.addConsentHook(service);
  else services.logger.warn({}, 'no inbox processor: opt-in start messages and keyword replies will not be handled');

  return {
    name: 'consent',
    v1Routes(v1) {
      v1.post('/opt-ins', async (req, res) => {
        const tenant = tenantOf(req);
        const started = await service.start(tenant, { ...parseStartRequest(req.body), recordedBy: apiKeyRef(req) });
        res.status(201).json(started);
      });
      v1.get('/opt-ins', async (req, res) => {
        const { status, contactId, limit = 50, offset = 0 } = parseQuery(OptInsQuerySchema, req);
        res.json({ items: await service.list(tenantOf(req).id, { limit, offset, ...(status ? { status } : {}), ...(contactId ? { contactId } : {}) }) });
      });
      v1.get('/opt-ins/:id', async (req, res) => {
        res.json(await service.get(tenantOf(req).id, String(req.params.id)));
      });
      v1.post('/contacts/:id/addresses', async (req, res) => {
        const tenant = tenantOf(req);
        const contact = await services.stores.contacts.get(tenant.id, String(req.params.id));
        if (!contact) throw new NotFoundError('contact', String(req.params.id));
        const { channel, userId, accountId: account } = parseBody(AddressLinkSchema, req);
        const binding = services.registry.find(tenant.id, channel, account);
        if (!binding && account === undefined && services.registry.forTenant(tenant.id).filter((x) => x.channel === channel).length > 1) {
          throw new ValidationError('accountId', `the tenant has several ${channel} accounts: name one`);
        }
        if (!binding) throw new ValidationError('channel', `the tenant has no ${channel} account${account ? ` "${account}"` : ''}`);
        const address: Address = {
          channel, accountId: binding.connector.accountId ?? binding.account,
          userId: channelUserId(channel, userId, { field: 'userId', ...(tenant.country ? { defaultCountry: tenant.country } : {}) }),
        };
        const outcome = await linkAddress(services.stores.contacts, contact, address);
        if (!outcome.linked) {
          // the address's first message made a contact of its own: merging that one into this one links it
          throw new ConflictError('the address belongs to another contact: merge that contact into this one to link it', {
            contactId: outcome.ownerId, merge: { method: 'POST', path: `/v1/contacts/${contact.id}/merge`, body: { contactId: outcome.ownerId } },
          });
        }
        res.status(outcome.alreadyLinked ? 200 : 201).json(outcome.contact);
      });
      v1.get('/contacts/:id/consent-state', async (req, res) => {
        const tenant = tenantOf(req);
        const contact = await services.stores.contacts.get(tenant.id, String(req.params.id));
        if (!contact) throw new NotFoundError('contact', String(req.params.id));
        res.json({
          contactId: contact.id, scope: tenant.policy?.consentScope ?? 'all-channels',
          ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
          channels: await service.stateOf(tenant, contact),
        });
      });
      v1.get('/tenant', (req, res) => {
        res.json(identityOf(tenantOf(req), services.registry));
      });
    },
  };
}

/** The consent feature with default options (secret from `SWITCHBOARD_OPT_IN_SECRET`, flows in the host's store). */
export const consentFeature: HostFeatureFactory = (ctx) => createConsentFeature()(ctx);

/** The tenant's business identity as `/v1/tenant` shows it. */
export interface TenantIdentity {
  id: string;
  name?: string;
  privacyPolicyVersion?: string;
  consentScope: 'all-channels' | 'per-channel';
  channels: {
    channel: string;
    accounts: string[];
    /** The configured level (`unverified` when none is configured). */
    verificationLevel: string;
    levels: readonly string[];
    /** The level the business policy requires before marketing, if any. */
    marketingRequires?: string;
    /** Whether the level meets that requirement (the policy refuses marketing with VERIFICATION_REQUIRED otherwise). */
    marketingAllowedByVerification: boolean;
  }[];
}

function identityOf(tenant: TenantConfig, registry: ConnectorRegistry): TenantIdentity {
  const bound = registry.forTenant(tenant.id);
  const channels = [...new Set([...bound.map((b) => b.channel), ...Object.keys(tenant.verification ?? {})])].sort();
  return {
    id: tenant.id, ...(tenant.name ? { name: tenant.name } : {}),
    ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
    consentScope: tenant.policy?.consentScope ?? 'all-channels',
    channels: channels.map((channel) => {
      const levels = VERIFICATION_LEVELS[channel] ?? DEFAULT_LEVELS;
      const level = tenant.verification?.[channel] ?? 'unverified';
      const required = tenant.policy?.marketingRequiresVerification?.[channel];
      // the engine orders levels as WhatsApp does; the same order decides here
      const order = VERIFICATION_LEVELS.whatsapp!;
      return {
        channel, accounts: bound.filter((b) => b.channel === channel).map((b) => b.account), verificationLevel: level, levels,
        ...(required ? { marketingRequires: required } : {}),
        marketingAllowedByVerification: required === undefined || order.indexOf(level) >= order.indexOf(required),
      };
    }),
  };
}

// ---- request parsing -----------------------------------------------------------------------------

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/**
 * Validates `POST /v1/opt-ins` against {@link OptInStartSchema}.
 * @param b - the JSON body
 * @returns the request
 * @throws RequestValidationError naming every bad field
 */
export function parseStartRequest(b: unknown): StartOptInRequest {
  const { privacyPolicy, ...r } = parseInput(OptInStartSchema, b);
  return {
    purpose: r.purpose, source: r.source,
    channels: r.channels.map((c) => ({ channel: c.channel, ...(c.account ? { account: c.account } : {}), ...(c.target ? { target: c.target } : {}) })),
    privacyPolicy: { ...(privacyPolicy?.url ? { url: privacyPolicy.url } : {}), ...(privacyPolicy?.version ? { version: privacyPolicy.version } : {}) },
    ...(r.topic ? { topic: r.topic } : {}), ...(r.wording ? { wording: r.wording } : {}), ...(r.prefill ? { prefill: r.prefill } : {}),
    ...(r.confirmWith ? { confirmWith: r.confirmWith } : {}), ...(r.scope ? { scope: r.scope } : {}), ...(r.language ? { language: r.language } : {}),
    ...(r.contactId ? { contactId: r.contactId } : {}),
    ...(r.address ? { address: { channel: r.address.channel, userId: r.address.userId, ...(r.address.accountId ? { accountId: r.address.accountId } : {}) } } : {}),
    ...(r.ttlMinutes !== undefined ? { ttlMinutes: r.ttlMinutes } : {}),
  };
}

/**
 * The consent feature: double opt-in flows with signed click-to-chat links and QR codes
 * (`/v1/opt-ins`), confirmation replies to consent keywords, linking a contact's addresses across
 * channels (`/v1/contacts/:id/addresses`) so a revocation on one reaches the others, and the
 * tenant's business identity (`/v1/tenant`: verification level per channel and what the business
 * policy requires of it). The ledger, the keywords and the platform signals are recorded by the
 * inbox processor; the policy engine enforces them on every outbound message.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { PURPOSES, type Address } from '@switchboard/core';
import type { Request } from 'express';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { HostFeature, HostFeatureContext, HostFeatureFactory } from '../features.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { CLICK_TO_CHAT_CHANNELS } from './click-to-chat.js';
import { linkAddress } from './contact-links.js';
import type { OptInFlowStatus, OptInFlowStore } from './opt-in-flow-store.js';
import { isClickToChatChannel, OptInService, type OptInKeyword, type StartOptInRequest } from './opt-in-service.js';
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
const FLOW_STATUSES: readonly OptInFlowStatus[] = ['awaiting-start', 'awaiting-confirmation', 'confirmed'];

/**
 * Builds the consent feature.
 * @param options - secret, flow store, link targets
 * @returns the feature factory
 */
export function createConsentFeature(options: ConsentFeatureOptions = {}): HostFeatureFactory {
  return (ctx: HostFeatureContext): HostFeature => {
    const env = options.env ?? process.env;
    const configured = options.secret ?? env.SWITCHBOARD_OPT_IN_SECRET;
    if (!configured) ctx.logger.warn({}, 'SWITCHBOARD_OPT_IN_SECRET is not set: opt-in links are signed with a per-process key and stop working after a restart');
    const tokens = new StartTokens(perTenantSecrets(configured ?? randomBytes(32)), () => ctx.clock.now());
    // the flows live beside the other stores: any host process on the database can confirm a link another handed out
    const flows = options.flows ?? ctx.stores.optInFlows;
    const service = new OptInService({
      stores: ctx.stores, streams: ctx.streams, flows, tokens, registry: ctx.registry, outbound: ctx.outbound.service, clock: ctx.clock, logger: ctx.logger,
      ...(options.linkTargets ? { linkTargets: options.linkTargets } : {}),
      ...(options.defaultTtlMs !== undefined ? { defaultTtlMs: options.defaultTtlMs } : {}),
      ...(options.keywordReplies !== undefined ? { keywordReplies: options.keywordReplies } : {}),
      ...(options.optInKeywords ? { optInKeywords: options.optInKeywords } : {}),
    });
    if (ctx.container.isBound(InboxProcessor)) ctx.container.get(InboxProcessor).addConsentHook(service);
    else ctx.logger.warn({}, 'no inbox processor: opt-in start messages and keyword replies will not be handled');

    return {
      name: 'consent',
      v1Routes(v1) {
        v1.post('/opt-ins', async (req, res) => {
          const tenant = tenantOf(req);
          const started = await service.start(tenant, { ...parseStartRequest(bodyOf(req)), recordedBy: recordedBy(req) });
          res.status(201).json(started);
        });
        v1.get('/opt-ins', async (req, res) => {
          const status = queryString(req, 'status');
          if (status !== undefined && !(FLOW_STATUSES as readonly string[]).includes(status)) throw new ValidationError('status', `must be one of ${FLOW_STATUSES.join(', ')}`);
          const contactId = queryString(req, 'contactId');
          const limit = Math.min(Math.max(Number(queryString(req, 'limit') ?? 50) || 50, 1), 500);
          const offset = Math.max(Number(queryString(req, 'offset') ?? 0) || 0, 0);
          res.json({ items: await service.list(tenantOf(req).id, { limit, offset, ...(status ? { status: status as OptInFlowStatus } : {}), ...(contactId ? { contactId } : {}) }) });
        });
        v1.get('/opt-ins/:id', async (req, res) => {
          res.json(await service.get(tenantOf(req).id, String(req.params.id)));
        });
        v1.post('/contacts/:id/addresses', async (req, res) => {
          const tenant = tenantOf(req);
          const contact = await ctx.stores.contacts.get(tenant.id, String(req.params.id));
          if (!contact) throw new NotFoundError('contact', String(req.params.id));
          const b = bodyOf(req);
          const channel = str(b, 'channel', true)!;
          const userId = str(b, 'userId', true)!;
          const account = str(b, 'accountId', false);
          const bindings = ctx.registry.forTenant(tenant.id).filter((x) => x.channel === channel && (account === undefined || x.account === account || x.connector.accountId === account));
          if (bindings.length === 0) throw new ValidationError('channel', `the tenant has no ${channel} account${account ? ` "${account}"` : ''}`);
          if (bindings.length > 1) throw new ValidationError('accountId', `the tenant has several ${channel} accounts: name one`);
          const address: Address = { channel, accountId: bindings[0]!.connector.accountId ?? bindings[0]!.account, userId };
          const outcome = await linkAddress(ctx.stores.contacts, contact, address);
          if (!outcome.linked) throw new ConflictError('the address belongs to another contact', { contactId: outcome.ownerId });
          res.status(outcome.alreadyLinked ? 200 : 201).json(outcome.contact);
        });
        v1.get('/contacts/:id/consent-state', async (req, res) => {
          const tenant = tenantOf(req);
          const contact = await ctx.stores.contacts.get(tenant.id, String(req.params.id));
          if (!contact) throw new NotFoundError('contact', String(req.params.id));
          res.json({
            contactId: contact.id, scope: tenant.policy?.consentScope ?? 'all-channels',
            ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
            channels: await service.stateOf(tenant, contact),
          });
        });
        v1.get('/tenant', (req, res) => {
          res.json(identityOf(tenantOf(req), ctx));
        });
      },
    };
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

function identityOf(tenant: TenantConfig, ctx: HostFeatureContext): TenantIdentity {
  const bound = ctx.registry.forTenant(tenant.id);
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

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

function bodyOf(req: Request): Obj {
  if (!isObj(req.body)) throw new ValidationError('body', 'must be a JSON object');
  return req.body;
}

function queryString(req: Request, key: string): string | undefined {
  const v = req.query[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function recordedBy(req: Request): string {
  return `api-key:${createHash('sha256').update(req.headers.authorization ?? '').digest('hex').slice(0, 8)}`;
}

function str(o: Obj, key: string, required: boolean, max = 1000, path = ''): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) { if (required) throw new ValidationError(`${path}${key}`, 'is required'); return undefined; }
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`${path}${key}`, 'must be a non-empty string');
  if (v.length > max) throw new ValidationError(`${path}${key}`, `must be at most ${max} characters`);
  return v;
}

const SOURCES = ['web-form', 'checkbox', 'click-to-chat', 'keyword', 'api'] as const;

/**
 * Validates `POST /v1/opt-ins`.
 * @param b - the JSON body
 * @returns the request
 * @throws ValidationError naming the first bad field
 */
export function parseStartRequest(b: Obj): StartOptInRequest {
  const purpose = str(b, 'purpose', true, 32)!;
  if (!(PURPOSES as readonly string[]).includes(purpose) || purpose === 'service') throw new ValidationError('purpose', 'must be transactional or marketing (service messages need no opt-in)');
  const source = str(b, 'source', false, 32) ?? 'web-form';
  if (!(SOURCES as readonly string[]).includes(source)) throw new ValidationError('source', `must be one of ${SOURCES.join(', ')}`);
  const pp = b.privacyPolicy;
  if (pp !== undefined && !isObj(pp)) throw new ValidationError('privacyPolicy', 'must be an object with url and version');
  const ppUrl = pp ? str(pp, 'url', false, 2000, 'privacyPolicy.') : undefined;
  if (ppUrl !== undefined && !/^https:\/\/\S+$/.test(ppUrl)) throw new ValidationError('privacyPolicy.url', 'must be an https URL');
  const ppVersion = pp ? str(pp, 'version', false, 64, 'privacyPolicy.') : undefined;
  const confirmWith = str(b, 'confirmWith', false, 32);
  if (confirmWith !== undefined && confirmWith !== 'start-message' && confirmWith !== 'reply') throw new ValidationError('confirmWith', 'must be start-message or reply');
  const scope = str(b, 'scope', false, 32);
  if (scope !== undefined && scope !== 'channel' && scope !== 'all-channels') throw new ValidationError('scope', 'must be channel or all-channels');
  const language = str(b, 'language', false, 16);
  if (language !== undefined && !/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/.test(language)) throw new ValidationError('language', 'must be a language tag such as es or pt-BR');
  const rawChannels = b.channels;
  if (!Array.isArray(rawChannels) || rawChannels.length === 0 || rawChannels.length > CLICK_TO_CHAT_CHANNELS.length * 4) {
    throw new ValidationError('channels', `must list 1 to ${CLICK_TO_CHAT_CHANNELS.length * 4} channels`);
  }
  const channels = rawChannels.map((c, i) => {
    const item: Obj = typeof c === 'string' ? { channel: c } : isObj(c) ? c : {};
    const channel = str(item, 'channel', true, 32, `channels[${i}].`)!;
    if (!isClickToChatChannel(channel)) throw new ValidationError(`channels[${i}].channel`, `must be one of ${CLICK_TO_CHAT_CHANNELS.join(', ')}`);
    const account = str(item, 'account', false, 128, `channels[${i}].`);
    const target = str(item, 'target', false, 128, `channels[${i}].`);
    return { channel, ...(account ? { account } : {}), ...(target ? { target } : {}) };
  });
  const contactId = str(b, 'contactId', false, 128);
  let address: StartOptInRequest['address'];
  if (b.address !== undefined) {
    if (!isObj(b.address)) throw new ValidationError('address', 'must be an object with channel and userId');
    const accountId = str(b.address, 'accountId', false, 128, 'address.');
    address = { channel: str(b.address, 'channel', true, 32, 'address.')!, userId: str(b.address, 'userId', true, 256, 'address.')!, ...(accountId ? { accountId } : {}) };
  }
  if (contactId && address) throw new ValidationError('address', 'give contactId or address, not both');
  let ttlMinutes: number | undefined;
  if (b.ttlMinutes !== undefined) {
    const v = b.ttlMinutes;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 60 * 24 * 90) throw new ValidationError('ttlMinutes', 'must be a whole number of minutes from 1 to 129600 (90 days)');
    ttlMinutes = v;
  }
  const topic = str(b, 'topic', false, 200);
  const wording = str(b, 'wording', false, 2000);
  const prefill = str(b, 'prefill', false, 500);
  return {
    purpose: purpose as StartOptInRequest['purpose'], source, channels,
    privacyPolicy: { ...(ppUrl ? { url: ppUrl } : {}), ...(ppVersion ? { version: ppVersion } : {}) },
    ...(topic ? { topic } : {}), ...(wording ? { wording } : {}), ...(prefill ? { prefill } : {}),
    ...(confirmWith ? { confirmWith: confirmWith as StartOptInRequest['confirmWith'] & string } : {}),
    ...(scope ? { scope: scope as 'channel' | 'all-channels' } : {}), ...(language ? { language } : {}),
    ...(contactId ? { contactId } : {}), ...(address ? { address } : {}), ...(ttlMinutes !== undefined ? { ttlMinutes } : {}),
  };
}

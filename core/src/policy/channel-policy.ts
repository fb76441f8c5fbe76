/**
 * Policies as data. A channel declares its {@link ChannelPolicy}; a business adds a
 * {@link BusinessPolicy}; the law contributes a baseline (the law layers of the tenant's and the
 * recipient's countries, see `laws.ts`; {@link GDPR_BASELINE} alone for callers that pin it); the customer's
 * consent and preferences come from the ledger. The policy engine takes their meet.
 * @module
 */
import type { ChannelId } from '../model/address.js';
import type { ContentType, TemplateCategory } from '../model/content.js';
import type { Purpose } from '../model/events.js';
import type { PriceSchedule } from '../pricing/price-model.js';
import type { AdvertisingBan, LawLayer } from './laws.js';

/**
 * Who may start a conversation, least restrictive first:
 * - `business`: the business may write first with free-form content;
 * - `template`: the business may write first only with an approved template (WhatsApp);
 * - `user`: the customer must write (or subscribe, or /start) first.
 */
export type Initiation = 'business' | 'template' | 'user';

/** A message tag that permits sending outside the service window (Messenger). */
export interface MessageTagRule {
  /** Tag name as the platform spells it, e.g. `HUMAN_AGENT`. */
  tag: string;
  /** How long after the customer's last message the tag may be used; omitted = any time. */
  maxHoursSinceInbound?: number;
  /** Who may use it (HUMAN_AGENT: agents only); omitted = anyone. */
  senders?: ('bot' | 'agent' | 'system')[];
  /** Purposes the tag may carry; omitted = service and transactional. */
  purposes?: Purpose[];
}

/** A rate limit: at most `limit` messages per `perMs` within `scope`. */
export interface RateLimit {
  scope: 'account' | 'recipient' | 'group' | 'recipient-without-reply' | 'unique-recipients-per-day';
  limit: number;
  perMs: number;
  /** What happens when it is reached: paced by the dispatcher, or refused by the policy. */
  enforcement: 'pace' | 'deny';
  /** The platform error that signals it, for documentation. */
  note?: string;
  /** Content types the limit applies to (Messenger: 10/s for media only); omitted = every message. */
  contentTypes?: ContentType[];
  /**
   * Levels the platform may raise the limit to (WhatsApp's messaging-limit tiers: 2K, 10K, 100K).
   * `limit` is the level every account starts at; `PolicyContext.usage.uniqueRecipientsLimit`
   * names the account's current level, honoured only when it is `limit`, one of these, or
   * `'unlimited'` where `unlimitedTier` is set.
   */
  tiers?: number[];
  /** The platform's highest level is "unlimited" (WhatsApp). */
  unlimitedTier?: boolean;
}

/** A documentation source for a rule. */
export interface PolicySource {
  /** The rule it documents (a key of the policy). */
  rule: string;
  /** Where it is documented. */
  url: string;
  /** O = official, 3P = third party, G = unconfirmed. */
  grade?: 'O' | '3P' | 'G';
}

/** The rules a channel imposes, declared by its connector plugin. */
export interface ChannelPolicy {
  channel: ChannelId;
  /** Who may start a conversation. */
  initiation: Initiation;
  /** Customer-service window after the customer's last message, in hours; omitted = no window. */
  serviceWindowHours?: number;
  /** Longer window after a click-to-ad entry point (WhatsApp 72 h, Messenger 7 days). */
  entryPointWindowHours?: number;
  /** What may be sent outside the window. */
  outsideWindow?: {
    /** Approved template categories allowed outside the window. */
    templateCategories?: TemplateCategory[];
    /** Message tags allowed outside the window. */
    tags?: MessageTagRule[];
  };
  /** Purposes that need recorded opt-in before a business-initiated message. */
  consentRequiredFor: Purpose[];
  /** Whether marketing is allowed at all. */
  marketingAllowed: boolean;
  /**
   * Countries (ISO 3166-1 alpha-2) whose phone numbers may not receive marketing templates
   * (WhatsApp: `US` since 2025-04-01). The recipient's country is read from the number with
   * libphonenumber-js (+1 with a Canadian area code is `CA`). Free-form messages and other
   * template categories are not affected.
   */
  marketingTemplateBlockedCountries?: string[];
  /**
   * Country calling codes whose numbers may not receive marketing templates.
   * @deprecated a calling code can cover several countries (+1: US, CA and the Caribbean); use
   * {@link ChannelPolicy.marketingTemplateBlockedCountries}. Still honoured, for templates only.
   */
  marketingBlockedCallingCodes?: string[];
  /** Broadcast (one message to many recipients) and its request size. */
  broadcast: { allowed: boolean; maxRecipientsPerRequest?: number };
  /** Rate limits the dispatcher must respect. */
  rateLimits: RateLimit[];
  /** Text limits; `overflow` says whether longer text is split or refused. */
  text: { maxLength: number; captionMaxLength?: number; overflow: 'split' | 'refuse' };
  /** Media size limits in bytes per media kind. */
  mediaMaxBytes?: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', number>>;
  /**
   * MIME types the platform accepts per media kind (WhatsApp: image `image/jpeg` and `image/png`…);
   * a kind left out accepts any type. The policy engine refuses media of another type with a reason
   * naming the kind and the accepted types, before anything is queued.
   */
  mediaTypes?: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', string[]>>;
  /** Content types the channel renders (natively or degraded). Derived from the capability table when omitted. */
  contentTypes?: ContentType[];
  /** Commerce categories the platform prohibits. */
  restrictedCommerce: string[];
  /** A live human agent must be reachable (Apple). */
  requiresHumanEscalation?: boolean;
  /** Keywords the platform itself treats as opt-out (Apple: unsubscribe, stop, end, spam). */
  optOutKeywords?: string[];
  /** Price per message category with effective dates. */
  pricing?: PriceSchedule;
  /** Where each rule is documented. */
  sources: PolicySource[];
}

/**
 * Local quiet hours: no business-initiated messages of the listed purposes in this range, read on
 * the recipient's wall clock. The recipient's own time zone is used where the host knows it
 * (`PolicyContext.recipientTimeZone`), else `timeZone`; daylight-saving transitions follow the
 * IANA time zone database.
 */
export interface QuietHours {
  /** `HH:MM`, local time. */
  start: string;
  /** `HH:MM`, local time; may be before `start` (wraps midnight). */
  end: string;
  /** The tenant's default IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Purposes it applies to (default: transactional and marketing). */
  purposes?: Purpose[];
}

/** The integrator's own rules for a tenant. Every field only ever tightens. */
export interface BusinessPolicy {
  /** A shorter service window, in hours. */
  serviceWindowHours?: number;
  quietHours?: QuietHours;
  /** Set false to forbid marketing on every channel. */
  marketingAllowed?: boolean;
  /** Set false to forbid broadcasts. */
  broadcastAllowed?: boolean;
  /** Purposes that need recorded consent (adds to the channel's and the law's). */
  consentRequiredFor?: Purpose[];
  /** Require the double opt-in's confirming step before consent counts. */
  requireDoubleOptIn?: boolean;
  /** Topics the business never sends about. */
  bannedTopics?: string[];
  /** Extra restricted commerce categories. */
  restrictedCommerce?: string[];
  /** Extra rate limits. */
  rateLimits?: RateLimit[];
  /** A lower text limit. */
  maxTextLength?: number;
  /** Lower media size limits per media kind, in bytes (the tenant's own ceiling on what it sends). */
  mediaMaxBytes?: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', number>>;
  /** MIME types the business sends per media kind (intersected with the channel's; a kind left out is not narrowed). */
  mediaTypes?: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', string[]>>;
  /** Content types the business allows (intersected with the channel's). */
  contentTypes?: ContentType[];
  /** Template categories the business allows outside the window. */
  templateCategories?: TemplateCategory[];
  /** Whether a revocation on one channel applies to all the contact's channels (default) or one. */
  consentScope?: 'all-channels' | 'per-channel';
  /** Minimum verification level before marketing, per channel. */
  marketingRequiresVerification?: Record<string, string>;
}

/** The law that applies to a message: always applied, never loosened by another source. */
export interface LegalBaseline {
  name: string;
  /** Purposes that need recorded consent. */
  consentRequiredFor: Purpose[];
  /** Revocation takes effect at once (always true for GDPR). */
  revocationImmediate: true;
  /** Advertising bans that apply on every channel (tobacco, prescription-only medicines, ...). */
  advertisingBans?: AdvertisingBan[];
  /** The law layers it was merged from, when it comes from `lawFor`. */
  layers?: LawLayer[];
  sources: PolicySource[];
}

/**
 * The GDPR baseline alone: no marketing without recorded consent; revocation honoured at once.
 * The engine applies the law layers of the message's jurisdictions (`lawFor`) unless a context
 * pins this baseline (or another) with `PolicyContext.baseline`.
 */
export const GDPR_BASELINE: LegalBaseline = {
  name: 'GDPR',
  consentRequiredFor: ['marketing'],
  revocationImmediate: true,
  sources: [
    { rule: 'consentRequiredFor', url: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj (Art. 6(1)(a), Art. 21(2)-(3)); ePrivacy Directive 2002/58/EC Art. 13', grade: 'O' },
    { rule: 'revocationImmediate', url: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj (Art. 7(3))', grade: 'O' },
  ],
};

/**
 * The default business policy: opt-in before any notification (transactional or marketing),
 * revocation across all channels of the contact.
 */
export const DEFAULT_BUSINESS_POLICY: BusinessPolicy = {
  consentRequiredFor: ['transactional', 'marketing'],
  consentScope: 'all-channels',
};

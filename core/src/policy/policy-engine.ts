/**
 * The policy engine: `evaluate(intent, context)` decides whether a message may leave, in which
 * form and at what price, or names every reason it may not and the source that imposed it.
 * @module
 */
import type { Clock } from '../clock.js';
import { findGrant, findRevocation, NO_CONSENT, type ConsentState } from '../consent/consent-ledger.js';
import { CONTENT_TYPES, isMediaContent, type Content, type ContentType, type MediaKind, type MediaRef, type TemplateCategory } from '../model/content.js';
import type { Purpose } from '../model/events.js';
import { priceFor, type Price } from '../pricing/price-model.js';
import { capabilityOf, type CapabilityTable, type MessageForm } from '../spi.js';
import type { BusinessPolicy, ChannelPolicy, LegalBaseline, QuietHours, RateLimit } from './channel-policy.js';
import { sameCommerceCategory } from './commerce-categories.js';
import {
  businessRules, channelRules, customerRules, lawRules, meetPolicies, mimeTypeAccepted,
  type EffectivePolicy, type PolicySourceName, type RuleKey, type SourcedRules,
} from './effective-policy.js';
import { lawFor } from './laws.js';
import { priceCategoryFor } from './price-category.js';
import { isValidTimeZone, localMinuteOfDay, phoneNumberCountry } from './recipient.js';

/** Stable codes for every reason a message can be refused. */
export type PolicyReasonCode =
  | 'WINDOW_CLOSED'
  | 'TEMPLATE_REQUIRED'
  | 'TEMPLATE_NOT_APPROVED'
  | 'TEMPLATE_CATEGORY_NOT_ALLOWED'
  | 'TAG_NOT_ALLOWED'
  | 'NO_CONSENT'
  | 'OPTED_OUT'
  | 'BLOCKED'
  | 'CONVERSATION_CLOSED'
  | 'USER_MUST_INITIATE'
  | 'BROADCAST_FORBIDDEN'
  | 'MARKETING_FORBIDDEN'
  | 'MARKETING_REGION_BLOCKED'
  | 'VERIFICATION_REQUIRED'
  | 'RATE_LIMITED'
  | 'CONTENT_UNSUPPORTED'
  | 'TEXT_TOO_LONG'
  | 'CAPTION_TOO_LONG'
  | 'MEDIA_TOO_LARGE'
  | 'MEDIA_TYPE_UNSUPPORTED'
  | 'RESTRICTED_COMMERCE'
  | 'TOPIC_BANNED'
  | 'QUIET_HOURS';

/** One reason a message was refused. */
export interface PolicyReason {
  code: PolicyReasonCode;
  /** Which source imposed the rule that refused it. */
  source: PolicySourceName;
  message: string;
  /** The rule that refused it (a key of the effective policy, e.g. `serviceWindowHours`). */
  rule?: RuleKey;
  /** Where the rule is documented (the channel's declared source, or the legal text), when known. */
  url?: string;
}

/** What the business wants to send. */
export interface MessageIntent {
  channel: string;
  /** Customer id on the channel (used for calling-code rules). */
  userId?: string;
  purpose: Purpose;
  /** The stated context of a transactional or marketing message, e.g. "flight updates". */
  topic?: string;
  content: Content;
  sender: 'bot' | 'agent' | 'system';
  /** A message tag for sending outside the window (Messenger). */
  tag?: string;
  /** Part of a send to many recipients. */
  broadcast?: boolean;
  /** Commerce category of a product message (`alcohol`, `tobacco`…). */
  commerceCategory?: string;
}

/** Template registry state the host knows for a template. */
export type TemplateStatus = 'draft' | 'submitted' | 'approved' | 'rejected' | 'paused';

/** Everything the engine needs besides the intent. */
export interface PolicyContext {
  channelPolicy: ChannelPolicy;
  /** The connector's capability table, for content support when the policy lists no content types. */
  capabilities?: CapabilityTable;
  business?: BusinessPolicy;
  /**
   * Pins the law instead of selecting it by jurisdiction. Omitted (the normal case): the law
   * layers of {@link PolicyContext.tenantCountry} and {@link PolicyContext.market}, merged by
   * `lawFor` (the EU layer where a country is unknown or has no layer of its own).
   */
  baseline?: LegalBaseline;
  /** The tenant's country (ISO 3166-1 alpha-2), where the business is established: selects its law layers. */
  tenantCountry?: string;
  /** The recipient's IANA time zone, where known: quiet hours are read on it instead of the tenant's zone. */
  recipientTimeZone?: string;
  /** The customer's derived consent state (defaults to nothing granted). */
  consent?: ConsentState;
  conversation?: {
    /** The customer's last message (opens the service window). */
    lastInboundAt?: Date | number;
    /** An ad or referral entry point (extends the window where the channel says so). */
    entryPointAt?: Date | number;
    /** The customer started the conversation in a way that counts even without a message (subscribed, /start). */
    userInitiated?: boolean;
    /** Outbound messages since the customer's last message, with the time of the first one. */
    outboundSinceInbound?: number;
  };
  /** Registry state of the template in `intent.content`, when it is one. */
  template?: { status: TemplateStatus; category?: TemplateCategory };
  /** Counts the host keeps for `deny` rate limits. */
  usage?: {
    /**
     * Distinct recipients of the account's business-initiated messages (sent outside the service
     * window) in the last 24 h, this recipient not included unless already counted.
     */
    uniqueRecipientsLast24h?: number;
    /** This recipient already received a business-initiated message in the last 24 h: it is no new unique recipient. */
    recipientAlreadyCounted?: boolean;
    /**
     * The account's current messaging-limit level as the platform reports it (WhatsApp: 250, 2000,
     * 10000, 100000 or `'unlimited'`). Honoured only when the channel's rule declares that level;
     * otherwise the rule's starting limit applies.
     */
    uniqueRecipientsLimit?: number | 'unlimited';
  };
  /** The tenant's verification level on this channel. */
  verificationLevel?: string;
  /** The recipient's country (ISO 3166-1 alpha-2): prices by market and selects the recipient's law layers. */
  market?: string;
}

/** An allowed message: the form to send it in and its price. */
export interface PolicyAllow {
  allowed: true;
  form: MessageForm;
  price: Price;
  /** Whether the customer-service window is open. */
  inWindow: boolean;
}

/** A refused message, with every reason. */
export interface PolicyDeny {
  allowed: false;
  reasons: PolicyReason[];
}

/** The engine's answer. */
export type PolicyDecision = PolicyAllow | PolicyDeny;

const HOUR = 3_600_000;
const VERIFICATION_ORDER = ['unverified', 'confirmed', 'verified'];
const toMs = (d: Date | number | undefined): number | undefined => (d === undefined ? undefined : typeof d === 'number' ? d : d.getTime());

/** DI token for {@link PolicyEngine}. */
export const PolicyEngine = Symbol.for('switchboard.PolicyEngine');
/** Decides outbound messages. */
export interface PolicyEngine {
  /** The effective policy (meet of all sources) for a context. */
  effective(context: PolicyContext): EffectivePolicy;
  /** Allow with form and price, or deny with every reason. */
  evaluate(intent: MessageIntent, context: PolicyContext): PolicyDecision;
}

/**
 * Creates the standard policy engine.
 * @param clock - the time source
 * @returns a {@link MeetPolicyEngine}
 */
export function createPolicyEngine(clock: Clock): PolicyEngine {
  return new MeetPolicyEngine(clock);
}

/**
 * The standard engine: evaluates outbound messages against the meet of the channel's, the
 * business's, the law's and the customer's rules. Effective policies are cached per (channel
 * policy, business policy, baseline, customer controls), so a decision costs a handful of comparisons.
 */
export class MeetPolicyEngine implements PolicyEngine {
  private readonly cache = new WeakMap<ChannelPolicy, WeakMap<object, WeakMap<LegalBaseline, EffectivePolicy[]>>>();
  private static readonly NO_BUSINESS: BusinessPolicy = {};

  /** @param clock - the time source; rules never read the wall clock themselves */
  constructor(private readonly clock: Clock) {}

  /**
   * The effective policy for a context: the meet of the channel's, the business's, the law's and
   * the customer's rules.
   * @param context - sources
   * @returns the effective policy with provenance
   */
  effective(context: PolicyContext): EffectivePolicy {
    const business = context.business ?? MeetPolicyEngine.NO_BUSINESS;
    const baseline = lawOf(context);
    const consent = context.consent ?? NO_CONSENT;
    const mask = (consent.blockedAt ? 1 : 0) | (consent.spamReportedAt ? 2 : 0) | (consent.closedAt ? 4 : 0) | (consent.importantOnly ? 8 : 0);
    let byBusiness = this.cache.get(context.channelPolicy);
    if (!byBusiness) { byBusiness = new WeakMap(); this.cache.set(context.channelPolicy, byBusiness); }
    let byBaseline = byBusiness.get(business);
    if (!byBaseline) { byBaseline = new WeakMap(); byBusiness.set(business, byBaseline); }
    let slots = byBaseline.get(baseline);
    if (!slots) { slots = []; byBaseline.set(baseline, slots); }
    const hit = slots[mask];
    if (hit) return hit;
    const supported = context.capabilities
      ? CONTENT_TYPES.filter((t) => capabilityOf(context.capabilities!, t) !== 'unsupported')
      : undefined;
    const sources: SourcedRules[] = [
      { source: 'channel', rules: channelRules(context.channelPolicy, supported as ContentType[] | undefined) },
      { source: 'business', rules: businessRules(business) },
      { source: 'law', rules: lawRules(baseline) },
      { source: 'customer', rules: customerRules(consent) },
    ];
    const eff = meetPolicies(sources, context.channelPolicy.channel);
    slots[mask] = eff;
    return eff;
  }

  /**
   * Decides whether a message may be sent.
   * @param intent - what the business wants to send
   * @param context - policies, consent, conversation state
   * @returns allow (form, price) or deny (every reason, with its source)
   * @example
   * const d = engine.evaluate({ channel: 'whatsapp', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Hi' } },
   *   { channelPolicy: whatsappPolicy, conversation: { lastInboundAt: now - 3_600_000 } });
   * // d.allowed === true, d.form.kind === 'free-form', d.price.amount === 0
   */
  evaluate(intent: MessageIntent, context: PolicyContext): PolicyDecision {
    const eff = this.effective(context);
    const r = eff.rules;
    const src = (key: RuleKey): PolicySourceName => eff.provenance[key]?.[0] ?? 'channel';
    const now = this.clock.now();
    const consent = context.consent ?? NO_CONSENT;
    const reasons: PolicyReason[] = [];
    const law = lawOf(context);
    const deny = (code: PolicyReasonCode, source: PolicySourceName, message: string, rule?: RuleKey, url?: string): void => {
      if (reasons.some((x) => x.code === code)) return;
      const where = url ?? (rule ? documentedAt(rule, source, context.channelPolicy, law) : undefined);
      reasons.push({ code, source, message, ...(rule ? { rule } : {}), ...(where ? { url: where } : {}) });
    };
    const content = intent.content;
    const lastIn = toMs(context.conversation?.lastInboundAt);
    const userHasWritten = lastIn !== undefined || context.conversation?.userInitiated === true;
    // a marketing template is marketing whatever purpose the caller declared: consent, quiet hours and opt-outs follow it
    const purpose: Purpose = content.type === 'template' && content.category === 'marketing' ? 'marketing' : intent.purpose;

    // who may start
    if (r.initiation === 'user' && !userHasWritten) {
      deny('USER_MUST_INITIATE', src('initiation'), 'the customer must write to the business first on this channel', 'initiation');
    }

    // the customer's own controls
    const stoppedAt = Math.max(consent.blockedAt?.getTime() ?? -Infinity, consent.spamReportedAt?.getTime() ?? -Infinity);
    if (stoppedAt > -Infinity && !(purpose === 'service' && lastIn !== undefined && lastIn > stoppedAt)) {
      deny('BLOCKED', 'customer', consent.spamReportedAt ? 'the customer reported the business as spam: only replies to their own messages may be sent' : 'the customer blocked the business: only replies to their own messages may be sent', 'repliesOnly');
    }
    if (consent.closedAt && !(lastIn !== undefined && lastIn > consent.closedAt.getTime())) {
      deny('CONVERSATION_CLOSED', 'customer', 'the customer closed the conversation; wait until they write again', 'repliesOnly');
    }

    // service window
    let inWindow = r.serviceWindowHours === undefined;
    let form: MessageForm = { kind: 'free-form' };
    if (r.serviceWindowHours !== undefined) {
      const entry = toMs(context.conversation?.entryPointAt);
      const open = lastIn !== undefined && now - lastIn < r.serviceWindowHours * HOUR;
      const openByEntry = entry !== undefined && r.entryPointWindowHours !== undefined && now - entry < r.entryPointWindowHours * HOUR;
      inWindow = open || openByEntry;
      if (content.type === 'template') form = { kind: 'template', category: content.category };
      else if (intent.tag !== undefined) form = { kind: 'tag', tag: intent.tag };
      if (!inWindow) {
        const closedAt = lastIn === undefined ? undefined : new Date(lastIn + r.serviceWindowHours * HOUR).toISOString();
        const windowText = `the ${r.serviceWindowHours} h customer-service window ${closedAt ? `closed at ${closedAt}` : 'was never opened'}`;
        if (content.type === 'template') {
          if (!(r.templateCategories ?? []).includes(content.category)) {
            deny('TEMPLATE_CATEGORY_NOT_ALLOWED', src('templateCategories'), `${content.category} templates may not be sent outside the window`, 'templateCategories');
          }
        } else if (intent.tag !== undefined) {
          const rule = r.tags?.find((t) => t.tag === intent.tag);
          if (!rule) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${intent.tag} is not allowed here`, 'tags');
          else {
            if (rule.senders && !rule.senders.includes(intent.sender)) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may only be used by ${rule.senders.join(', ')}`, 'tags');
            if (rule.maxHoursSinceInbound !== undefined && (lastIn === undefined || now - lastIn >= rule.maxHoursSinceInbound * HOUR)) {
              deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may only be used within ${rule.maxHoursSinceInbound} h of the customer's last message`, 'tags');
            }
            const allowedPurposes = rule.purposes ?? ['service', 'transactional'];
            if (!allowedPurposes.includes(purpose)) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may not carry ${purpose} messages`, 'tags');
          }
          if (reasons.some((x) => x.code === 'TAG_NOT_ALLOWED')) deny('WINDOW_CLOSED', src('serviceWindowHours'), windowText, 'serviceWindowHours');
        } else {
          deny('WINDOW_CLOSED', src('serviceWindowHours'), windowText, 'serviceWindowHours');
          if ((r.templateCategories ?? []).length > 0) {
            deny('TEMPLATE_REQUIRED', src('templateCategories'), `outside the window only approved templates (${r.templateCategories!.join(', ')})${(r.tags ?? []).length > 0 ? ` or message tags (${r.tags!.map((t) => t.tag).join(', ')})` : ''} may be sent`, 'templateCategories');
          } else if ((r.tags ?? []).length > 0) {
            deny('TAG_NOT_ALLOWED', src('tags'), `outside the window a message tag is required (${r.tags!.map((t) => t.tag).join(', ')})`, 'tags');
          }
        }
      }
    }
    if (content.type === 'template' && r.templatesRequireApproval) {
      const status = context.template?.status;
      if (status !== 'approved') deny('TEMPLATE_NOT_APPROVED', src('templatesRequireApproval'), `template ${content.name} is ${status ?? 'not registered'}, not approved`, 'templatesRequireApproval');
      if (purpose === 'marketing' && content.category !== 'marketing') deny('TEMPLATE_CATEGORY_NOT_ALLOWED', 'channel', 'marketing must be sent with a marketing template', 'templateCategories');
    }

    // consent and revocations
    if (purpose !== 'service') {
      const revoked = findRevocation(consent, purpose, intent.topic);
      if (revoked) deny('OPTED_OUT', 'customer', `the customer opted out of ${purpose}${revoked.topic ? ` (${revoked.topic})` : ''} on ${revoked.channel} at ${revoked.at.toISOString()}`, 'consentRequiredFor');
      else if (purpose === 'marketing' && consent.importantOnly) deny('OPTED_OUT', 'customer', 'the customer asked for important messages only', 'marketingAllowed');
      else if (r.consentRequiredFor?.includes(purpose)) {
        const needConfirmed = r.requireDoubleOptIn === true;
        if (!findGrant(consent, purpose, intent.topic, needConfirmed)) {
          const by = eff.sources.find((s) => s.source !== 'customer' && s.rules.consentRequiredFor?.includes(purpose))?.source ?? 'law';
          deny('NO_CONSENT', by, `no recorded${needConfirmed ? ' double' : ''} opt-in for ${purpose}${intent.topic ? ` about "${intent.topic}"` : ''}${by === 'law' ? ` (${law.name})` : ''}`, 'consentRequiredFor');
        }
      }
    }

    // marketing
    if (purpose === 'marketing' || (content.type === 'template' && content.category === 'marketing')) {
      if (r.marketingAllowed === false) {
        const by = eff.provenance.marketingAllowed ?? ['channel'];
        if (by.some((s) => s !== 'customer')) deny('MARKETING_FORBIDDEN', by.find((s) => s !== 'customer')!, 'marketing is not allowed here', 'marketingAllowed');
        else if (!reasons.some((x) => x.source === 'customer')) deny('OPTED_OUT', 'customer', 'the customer does not accept marketing', 'marketingAllowed');
      }
      // the platform's pause covers marketing templates only, to the countries it names: the number's country decides (+1 is also Canada)
      if (content.type === 'template' && content.category === 'marketing') {
        const country = (intent.userId ? phoneNumberCountry(intent.userId) : undefined) ?? context.market?.toUpperCase();
        if (country && r.marketingTemplateBlockedCountries?.includes(country)) {
          deny('MARKETING_REGION_BLOCKED', src('marketingTemplateBlockedCountries'), `marketing templates are not delivered to ${country} phone numbers on this channel`, 'marketingTemplateBlockedCountries');
        }
        if (intent.userId && r.marketingBlockedCallingCodes?.some((code) => intent.userId!.replace(/^\+/, '').startsWith(code))) {
          deny('MARKETING_REGION_BLOCKED', src('marketingBlockedCallingCodes'), 'marketing templates may not be sent to numbers with this calling code', 'marketingBlockedCallingCodes');
        }
      }
      const required = context.business?.marketingRequiresVerification?.[intent.channel];
      if (required !== undefined && VERIFICATION_ORDER.indexOf(context.verificationLevel ?? 'unverified') < VERIFICATION_ORDER.indexOf(required)) {
        deny('VERIFICATION_REQUIRED', 'business', `marketing requires business verification level "${required}"`, 'marketingAllowed');
      }
    }

    // broadcast
    if (intent.broadcast && r.broadcastAllowed === false) deny('BROADCAST_FORBIDDEN', src('broadcastAllowed'), 'broadcasts are not allowed on this channel', 'broadcastAllowed');

    // content
    if (r.contentTypes && !r.contentTypes.includes(content.type)) deny('CONTENT_UNSUPPORTED', src('contentTypes'), `${content.type} content cannot be sent here`, 'contentTypes');
    if (content.type === 'text' && r.maxTextLength !== undefined && content.text.length > r.maxTextLength && r.textOverflow !== 'split') {
      deny('TEXT_TOO_LONG', src('maxTextLength'), `text is ${content.text.length} characters; the limit is ${r.maxTextLength}`, 'maxTextLength');
    }
    // media the channel cannot carry: judged on what the host knows of the file (its size and type once stored, the caption)
    for (const { kind, media, where } of mediaOf(content)) {
      const max = r.mediaMaxBytes?.[kind];
      if (max !== undefined && media.size !== undefined && media.size > max) {
        const by = eff.sources.find((s) => s.rules.mediaMaxBytes?.[kind] === max)?.source ?? src('mediaMaxBytes');
        deny('MEDIA_TOO_LARGE', by, `the ${where} is ${formatBytes(media.size)}; ${kind} files may be at most ${formatBytes(max)}${by === 'business' ? ' for this business' : ' on this channel'}`, 'mediaMaxBytes',
          by === 'channel' ? documentedAt(`mediaMaxBytes.${kind}`, 'channel', context.channelPolicy, law) : undefined);
      }
      const accepted = r.mediaTypes?.[kind];
      if (accepted !== undefined && media.mimeType !== undefined && !mimeTypeAccepted(media.mimeType, accepted)) {
        // the source whose own list refuses this type, not the first that lists any
        const by = eff.sources.find((s) => { const own = s.rules.mediaTypes?.[kind]; return own !== undefined && !mimeTypeAccepted(media.mimeType!, own); })?.source ?? src('mediaTypes');
        const list = accepted.length > 0 ? accepted.join(', ') : 'none';
        deny('MEDIA_TYPE_UNSUPPORTED', by, `the ${where} is ${media.mimeType}; ${kind} files ${by === 'business' ? 'this business sends' : 'this channel accepts'} are ${list}`, 'mediaTypes',
          by === 'channel' ? documentedAt(`mediaTypes.${kind}`, 'channel', context.channelPolicy, law) : undefined);
      }
      // a longer caption is split off as text where the channel splits text (as the connectors do), refused where it refuses
      if (media.caption !== undefined && r.captionMaxLength !== undefined && media.caption.length > r.captionMaxLength && r.textOverflow !== 'split') {
        deny('CAPTION_TOO_LONG', src('captionMaxLength'), `the ${where}'s caption is ${media.caption.length} characters; the limit is ${r.captionMaxLength}`, 'captionMaxLength');
      }
    }
    if (intent.commerceCategory) {
      const category = intent.commerceCategory;
      // the law first: an advertising ban holds on every channel, whatever the platform allows
      const bans = (law.advertisingBans ?? []).filter((b) => sameCommerceCategory(b.category, category));
      if (bans.length > 0) {
        deny('RESTRICTED_COMMERCE', 'law', `the law forbids advertising ${category} on any channel: ${[...new Set(bans.map((b) => b.law))].join('; ')} — ${bans[0]!.summary}`, 'restrictedCommerce', bans[0]!.url);
      } else if (r.restrictedCommerce?.some((c) => sameCommerceCategory(c, category))) {
        // the source that actually lists this category, not the first that lists any
        const by = eff.sources.find((s) => s.source !== 'law' && s.rules.restrictedCommerce?.some((c) => sameCommerceCategory(c, category)))?.source ?? src('restrictedCommerce');
        deny('RESTRICTED_COMMERCE', by, by === 'business' ? `the business does not offer ${category} in messages` : `${category} may not be sold on this channel`, 'restrictedCommerce',
          by === 'channel' ? documentedAt(`restrictedCommerce.${category.toLowerCase()}`, 'channel', context.channelPolicy, law) : undefined);
      }
    }
    if (intent.topic && r.bannedTopics?.some((t) => t.toLowerCase() === intent.topic!.toLowerCase())) {
      deny('TOPIC_BANNED', src('bannedTopics'), `the business does not send about "${intent.topic}"`, 'bannedTopics');
    }

    // quiet hours apply to what the business starts, not to replies
    if (r.quietHours && purpose !== 'service') {
      for (const q of r.quietHours) {
        if (!inQuietHours(q, now, purpose, context.recipientTimeZone)) continue;
        const zone = quietHoursZone(q, context.recipientTimeZone);
        const minute = localMinuteOfDay(now, zone);
        const local = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
        deny('QUIET_HOURS', src('quietHours'), `quiet hours ${q.start}–${q.end} are in force: it is ${local} in ${zone}`, 'quietHours');
      }
    }

    // rate limits the policy refuses rather than paces
    if (r.rateLimits) {
      for (const limit of r.rateLimits) {
        if (limit.enforcement !== 'deny') continue;
        if (limit.scope === 'recipient-without-reply' && (context.conversation?.outboundSinceInbound ?? 0) >= limit.limit) {
          deny('RATE_LIMITED', sourceOfRateLimit(eff, limit), `at most ${limit.limit} messages may be sent without a reply from the customer`, 'rateLimits');
        }
        if (limit.scope === 'unique-recipients-per-day' && !inWindow && context.usage?.recipientAlreadyCounted !== true) {
          const cap = uniqueRecipientCap(limit, context.usage?.uniqueRecipientsLimit);
          const used = context.usage?.uniqueRecipientsLast24h ?? 0;
          if (used >= cap) {
            deny('RATE_LIMITED', sourceOfRateLimit(eff, limit), `the account has reached its messaging limit: it sent business-initiated messages to ${used} unique customers in the last 24 h, at most ${cap} are allowed, and this customer would be a new one`, 'rateLimits');
          }
        }
      }
    }

    if (reasons.length > 0) return { allowed: false, reasons };
    const { category, inServiceSession } = priceCategoryFor({
      form, purpose, policy: context.channelPolicy, at: now, ...(lastIn !== undefined ? { lastInboundAt: lastIn } : {}),
    });
    const price = priceFor(context.channelPolicy.pricing, { category, at: now, inServiceSession, ...(context.market ? { market: context.market } : {}) });
    return { allowed: true, form, price, inWindow };
  }
}

/**
 * The time zone quiet hours are read in: the recipient's, when it is a valid IANA zone, else the tenant's.
 * @param q - quiet hours
 * @param recipientTimeZone - the recipient's zone, where known
 * @returns an IANA time zone
 */
export function quietHoursZone(q: QuietHours, recipientTimeZone?: string): string {
  return recipientTimeZone !== undefined && isValidTimeZone(recipientTimeZone) ? recipientTimeZone : q.timeZone;
}

/**
 * Whether a time falls in quiet hours, on the wall clock of the recipient's time zone where known,
 * else the tenant's (IANA zones, so daylight-saving transitions are followed; the range may wrap midnight).
 * @param q - quiet hours
 * @param at - epoch milliseconds
 * @param purpose - the message's purpose
 * @param recipientTimeZone - the recipient's IANA time zone, where known
 * @returns true when the message must wait
 * @throws RangeError when a time is not HH:MM or the tenant's zone is not an IANA time zone
 * @example
 * // 06:30 in Berlin on the day clocks go forward (04:30 UTC, CEST): still quiet until 07:00
 * inQuietHours({ start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }, Date.parse('2026-03-29T04:30:00Z'), 'marketing') // true
 */
export function inQuietHours(q: QuietHours, at: number, purpose: Purpose, recipientTimeZone?: string): boolean {
  if (!(q.purposes ?? ['transactional', 'marketing']).includes(purpose)) return false;
  const start = hhmm(q.start);
  const end = hhmm(q.end);
  const minutes = localMinuteOfDay(at, quietHoursZone(q, recipientTimeZone));
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/**
 * The law a context applies: the pinned baseline, else the law layers of the tenant's and the recipient's countries.
 * @param context - the policy context
 * @returns the legal baseline
 */
export function lawOf(context: Pick<PolicyContext, 'baseline' | 'tenantCountry' | 'market'>): LegalBaseline {
  return context.baseline ?? lawFor({
    ...(context.tenantCountry ? { tenantCountry: context.tenantCountry } : {}),
    ...(context.market ? { recipientCountry: context.market } : {}),
  });
}

/**
 * The limit a unique-recipients rule allows this account: its starting limit, or the account's
 * current level when the rule declares that level.
 * @param limit - the rule
 * @param current - the account's current level as the platform reports it
 * @returns the number of unique recipients allowed in the period (Infinity when unlimited)
 */
export function uniqueRecipientCap(limit: RateLimit, current: number | 'unlimited' | undefined): number {
  if (current === 'unlimited') return limit.unlimitedTier ? Infinity : limit.limit;
  if (current !== undefined && (current === limit.limit || limit.tiers?.includes(current))) return current;
  return limit.limit;
}

/** The channel-policy source key each rule is documented under. */
export const RULE_SOURCE_KEYS: Record<RuleKey, string> = {
  initiation: 'initiation',
  serviceWindowHours: 'serviceWindowHours',
  entryPointWindowHours: 'entryPointWindowHours',
  templateCategories: 'outsideWindow',
  templatesRequireApproval: 'outsideWindow',
  tags: 'outsideWindow',
  consentRequiredFor: 'consentRequiredFor',
  requireDoubleOptIn: 'consentRequiredFor',
  marketingAllowed: 'marketingAllowed',
  marketingBlockedCallingCodes: 'marketingBlockedCallingCodes',
  marketingTemplateBlockedCountries: 'marketingTemplateBlockedCountries',
  broadcastAllowed: 'broadcast',
  broadcastMaxRecipients: 'broadcast',
  rateLimits: 'rateLimits',
  maxTextLength: 'text',
  captionMaxLength: 'text',
  textOverflow: 'text',
  mediaMaxBytes: 'mediaMaxBytes',
  mediaTypes: 'mediaTypes',
  contentTypes: 'contentTypes',
  restrictedCommerce: 'restrictedCommerce',
  bannedTopics: 'bannedTopics',
  quietHours: 'quietHours',
  repliesOnly: 'repliesOnly',
};

/**
 * Where a rule is documented: the channel's declared source for channel rules (a per-category
 * source such as `restrictedCommerce.tobacco` first), the legal text for the law's. The business's
 * and the customer's rules have no public source.
 * @param rule - a rule key, or `restrictedCommerce.<category>`
 * @param source - who imposed it
 * @param channelPolicy - the channel's declared policy
 * @param law - the law applied
 * @returns the URL (with the note the source carries), or undefined
 */
export function documentedAt(rule: string, source: PolicySourceName, channelPolicy: ChannelPolicy, law: LegalBaseline): string | undefined {
  const [head, detail] = rule.split('.', 2) as [string, string | undefined];
  if (source === 'channel') {
    const key = RULE_SOURCE_KEYS[head as RuleKey] ?? head;
    const specific = detail ? channelPolicy.sources.find((s) => s.rule === `${key}.${detail}`) : undefined;
    return (specific ?? channelPolicy.sources.find((s) => s.rule === key))?.url;
  }
  if (source === 'law') {
    const key = RULE_SOURCE_KEYS[head as RuleKey] ?? head;
    return law.sources.find((s) => s.rule === key || s.rule.endsWith(`: ${key}`))?.url;
  }
  return undefined;
}

/**
 * The media a content carries: the file of an image, video, audio, document or sticker message,
 * and the media header of a template.
 * @param content - any content
 * @returns each file's kind, reference, and how to name it in a reason
 */
function mediaOf(content: Content): { kind: MediaKind; media: MediaRef; where: string }[] {
  if (isMediaContent(content)) return [{ kind: content.type, media: content.media, where: content.type }];
  if (content.type === 'template') {
    return (content.parameters ?? []).flatMap((p) => (p.media ? [{ kind: p.media.kind, media: p.media, where: `template's ${p.media.kind} header` }] : []));
  }
  return [];
}

const KB = 1024;
const MB = 1024 * KB;
/**
 * A byte count with its binary unit where it is a whole number of them.
 * @param bytes - a size
 * @returns e.g. `5242880 bytes (5 MB)`, `102400 bytes (100 KB)`, `1000 bytes`
 */
function formatBytes(bytes: number): string {
  if (bytes >= MB && bytes % MB === 0) return `${bytes} bytes (${bytes / MB} MB)`;
  if (bytes >= KB && bytes % KB === 0) return `${bytes} bytes (${bytes / KB} KB)`;
  if (bytes >= MB) return `${bytes} bytes (${(bytes / MB).toFixed(1)} MB)`;
  return `${bytes} bytes`;
}

/** The source of a rate limit: the first source that declares this very limit. */
function sourceOfRateLimit(eff: EffectivePolicy, limit: RateLimit): PolicySourceName {
  const same = JSON.stringify(limit);
  return eff.sources.find((s) => s.rules.rateLimits?.some((l) => l === limit || JSON.stringify(l) === same))?.source ?? 'channel';
}

function hhmm(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`quiet hours must be HH:MM, got ${s}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

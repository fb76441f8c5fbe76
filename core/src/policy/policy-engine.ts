/**
 * The policy engine: `evaluate(intent, context)` decides whether a message may leave, in which
 * form and at what price, or names every reason it may not and the source that imposed it.
 * @module
 */
import type { Clock } from '../clock.js';
import { findGrant, findRevocation, NO_CONSENT, type ConsentState } from '../consent/consent-ledger.js';
import type { Content, TemplateCategory } from '../model/content.js';
import type { Purpose } from '../model/events.js';
import { priceFor, type Price, type PriceCategory } from '../pricing/price-model.js';
import { capabilityOf, type CapabilityTable, type MessageForm } from '../spi.js';
import { CONTENT_TYPES, type ContentType } from '../model/content.js';
import { GDPR_BASELINE, type BusinessPolicy, type ChannelPolicy, type LegalBaseline, type QuietHours } from './channel-policy.js';
import {
  businessRules, channelRules, customerRules, lawRules, meetPolicies,
  type EffectivePolicy, type PolicySourceName, type RuleKey, type SourcedRules,
} from './effective-policy.js';

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
  | 'RESTRICTED_COMMERCE'
  | 'TOPIC_BANNED'
  | 'QUIET_HOURS';

/** One reason a message was refused. */
export interface PolicyReason {
  code: PolicyReasonCode;
  /** Which source imposed the rule that refused it. */
  source: PolicySourceName;
  message: string;
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
  /** Defaults to {@link GDPR_BASELINE}. */
  baseline?: LegalBaseline;
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
  usage?: { uniqueRecipientsLast24h?: number };
  /** The tenant's verification level on this channel. */
  verificationLevel?: string;
  /** Recipient market for pricing (ISO country). */
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
    const baseline = context.baseline ?? GDPR_BASELINE;
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
    const deny = (code: PolicyReasonCode, source: PolicySourceName, message: string): void => {
      if (!reasons.some((x) => x.code === code)) reasons.push({ code, source, message });
    };
    const content = intent.content;
    const lastIn = toMs(context.conversation?.lastInboundAt);
    const userHasWritten = lastIn !== undefined || context.conversation?.userInitiated === true;
    // a marketing template is marketing whatever purpose the caller declared: consent, quiet hours and opt-outs follow it
    const purpose: Purpose = content.type === 'template' && content.category === 'marketing' ? 'marketing' : intent.purpose;

    // who may start
    if (r.initiation === 'user' && !userHasWritten) {
      deny('USER_MUST_INITIATE', src('initiation'), 'the customer must write to the business first on this channel');
    }

    // the customer's own controls
    const stoppedAt = Math.max(consent.blockedAt?.getTime() ?? -Infinity, consent.spamReportedAt?.getTime() ?? -Infinity);
    if (stoppedAt > -Infinity && !(purpose === 'service' && lastIn !== undefined && lastIn > stoppedAt)) {
      deny('BLOCKED', 'customer', consent.spamReportedAt ? 'the customer reported the business as spam: only replies to their own messages may be sent' : 'the customer blocked the business: only replies to their own messages may be sent');
    }
    if (consent.closedAt && !(lastIn !== undefined && lastIn > consent.closedAt.getTime())) {
      deny('CONVERSATION_CLOSED', 'customer', 'the customer closed the conversation; wait until they write again');
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
            deny('TEMPLATE_CATEGORY_NOT_ALLOWED', src('templateCategories'), `${content.category} templates may not be sent outside the window`);
          }
        } else if (intent.tag !== undefined) {
          const rule = r.tags?.find((t) => t.tag === intent.tag);
          if (!rule) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${intent.tag} is not allowed here`);
          else {
            if (rule.senders && !rule.senders.includes(intent.sender)) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may only be used by ${rule.senders.join(', ')}`);
            if (rule.maxHoursSinceInbound !== undefined && (lastIn === undefined || now - lastIn >= rule.maxHoursSinceInbound * HOUR)) {
              deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may only be used within ${rule.maxHoursSinceInbound} h of the customer's last message`);
            }
            const allowedPurposes = rule.purposes ?? ['service', 'transactional'];
            if (!allowedPurposes.includes(purpose)) deny('TAG_NOT_ALLOWED', src('tags'), `message tag ${rule.tag} may not carry ${purpose} messages`);
          }
          if (reasons.some((x) => x.code === 'TAG_NOT_ALLOWED')) deny('WINDOW_CLOSED', src('serviceWindowHours'), windowText);
        } else {
          deny('WINDOW_CLOSED', src('serviceWindowHours'), windowText);
          if ((r.templateCategories ?? []).length > 0) {
            deny('TEMPLATE_REQUIRED', src('templateCategories'), `outside the window only approved templates (${r.templateCategories!.join(', ')})${(r.tags ?? []).length > 0 ? ` or message tags (${r.tags!.map((t) => t.tag).join(', ')})` : ''} may be sent`);
          } else if ((r.tags ?? []).length > 0) {
            deny('TAG_NOT_ALLOWED', src('tags'), `outside the window a message tag is required (${r.tags!.map((t) => t.tag).join(', ')})`);
          }
        }
      }
    }
    if (content.type === 'template' && r.templatesRequireApproval) {
      const status = context.template?.status;
      if (status !== 'approved') deny('TEMPLATE_NOT_APPROVED', src('templatesRequireApproval'), `template ${content.name} is ${status ?? 'not registered'}, not approved`);
      if (purpose === 'marketing' && content.category !== 'marketing') deny('TEMPLATE_CATEGORY_NOT_ALLOWED', 'channel', 'marketing must be sent with a marketing template');
    }

    // consent and revocations
    if (purpose !== 'service') {
      const revoked = findRevocation(consent, purpose, intent.topic);
      if (revoked) deny('OPTED_OUT', 'customer', `the customer opted out of ${purpose}${revoked.topic ? ` (${revoked.topic})` : ''} on ${revoked.channel} at ${revoked.at.toISOString()}`);
      else if (purpose === 'marketing' && consent.importantOnly) deny('OPTED_OUT', 'customer', 'the customer asked for important messages only');
      else if (r.consentRequiredFor?.includes(purpose)) {
        const needConfirmed = r.requireDoubleOptIn === true;
        if (!findGrant(consent, purpose, intent.topic, needConfirmed)) {
          const by = eff.sources.find((s) => s.source !== 'customer' && s.rules.consentRequiredFor?.includes(purpose))?.source ?? 'law';
          deny('NO_CONSENT', by, `no recorded${needConfirmed ? ' double' : ''} opt-in for ${purpose}${intent.topic ? ` about "${intent.topic}"` : ''}`);
        }
      }
    }

    // marketing
    if (purpose === 'marketing' || (content.type === 'template' && content.category === 'marketing')) {
      if (r.marketingAllowed === false) {
        const by = eff.provenance.marketingAllowed ?? ['channel'];
        if (by.some((s) => s !== 'customer')) deny('MARKETING_FORBIDDEN', by.find((s) => s !== 'customer')!, 'marketing is not allowed here');
        else if (!reasons.some((x) => x.source === 'customer')) deny('OPTED_OUT', 'customer', 'the customer does not accept marketing');
      }
      if (intent.userId && r.marketingBlockedCallingCodes?.some((code) => intent.userId!.replace(/^\+/, '').startsWith(code))) {
        deny('MARKETING_REGION_BLOCKED', src('marketingBlockedCallingCodes'), 'marketing messages may not be sent to numbers of this country');
      }
      const required = context.business?.marketingRequiresVerification?.[intent.channel];
      if (required !== undefined && VERIFICATION_ORDER.indexOf(context.verificationLevel ?? 'unverified') < VERIFICATION_ORDER.indexOf(required)) {
        deny('VERIFICATION_REQUIRED', 'business', `marketing requires business verification level "${required}"`);
      }
    }

    // broadcast
    if (intent.broadcast && r.broadcastAllowed === false) deny('BROADCAST_FORBIDDEN', src('broadcastAllowed'), 'broadcasts are not allowed on this channel');

    // content
    if (r.contentTypes && !r.contentTypes.includes(content.type)) deny('CONTENT_UNSUPPORTED', src('contentTypes'), `${content.type} content cannot be sent here`);
    if (content.type === 'text' && r.maxTextLength !== undefined && content.text.length > r.maxTextLength && r.textOverflow !== 'split') {
      deny('TEXT_TOO_LONG', src('maxTextLength'), `text is ${content.text.length} characters; the limit is ${r.maxTextLength}`);
    }
    if (intent.commerceCategory && r.restrictedCommerce?.some((c) => c.toLowerCase() === intent.commerceCategory!.toLowerCase())) {
      deny('RESTRICTED_COMMERCE', src('restrictedCommerce'), `${intent.commerceCategory} may not be sold on this channel`);
    }
    if (intent.topic && r.bannedTopics?.some((t) => t.toLowerCase() === intent.topic!.toLowerCase())) {
      deny('TOPIC_BANNED', src('bannedTopics'), `the business does not send about "${intent.topic}"`);
    }

    // quiet hours apply to what the business starts, not to replies
    if (r.quietHours && purpose !== 'service') {
      for (const q of r.quietHours) if (inQuietHours(q, now, purpose)) deny('QUIET_HOURS', src('quietHours'), `quiet hours ${q.start}–${q.end} are in force`);
    }

    // rate limits the policy refuses rather than paces
    if (r.rateLimits) {
      for (const limit of r.rateLimits) {
        if (limit.enforcement !== 'deny') continue;
        if (limit.scope === 'recipient-without-reply' && (context.conversation?.outboundSinceInbound ?? 0) >= limit.limit) {
          deny('RATE_LIMITED', src('rateLimits'), `at most ${limit.limit} messages may be sent without a reply from the customer`);
        }
        if (limit.scope === 'unique-recipients-per-day' && !inWindow && (context.usage?.uniqueRecipientsLast24h ?? 0) >= limit.limit) {
          deny('RATE_LIMITED', src('rateLimits'), `the account may start conversations with at most ${limit.limit} customers per 24 h`);
        }
      }
    }

    if (reasons.length > 0) return { allowed: false, reasons };
    const sessionHours = context.channelPolicy.pricing?.serviceSessionHours ?? context.channelPolicy.serviceWindowHours;
    const inSession = sessionHours !== undefined ? lastIn !== undefined && now - lastIn < sessionHours * HOUR : inWindow;
    let category: PriceCategory;
    if (form.kind === 'template') category = form.category;
    else if (inSession && (lastIn !== undefined || r.serviceWindowHours !== undefined)) category = 'service';
    else category = 'business-initiated';
    const price = priceFor(context.channelPolicy.pricing, { category, at: now, inServiceSession: inSession, ...(context.market ? { market: context.market } : {}) });
    return { allowed: true, form, price, inWindow };
  }
}

/**
 * Whether a time falls in quiet hours (local time given by a fixed UTC offset; the range may wrap midnight).
 * @param q - quiet hours
 * @param at - epoch milliseconds
 * @param purpose - the message's purpose
 * @returns true when the message must wait
 */
export function inQuietHours(q: QuietHours, at: number, purpose: Purpose): boolean {
  if (!(q.purposes ?? ['transactional', 'marketing']).includes(purpose)) return false;
  const minutes = (((Math.floor(at / 60_000) + q.utcOffsetMinutes) % 1440) + 1440) % 1440;
  const start = hhmm(q.start);
  const end = hhmm(q.end);
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

function hhmm(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`quiet hours must be HH:MM, got ${s}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

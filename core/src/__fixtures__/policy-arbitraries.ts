/**
 * fast-check arbitraries for policy sources, consent ledgers, intents and contexts.
 */
import fc from 'fast-check';
import {
  CONTENT_TYPES, MEDIA_KINDS, deriveConsentState,
  type BusinessPolicy, type MediaKind, type ChannelPolicy, type ConsentEntry, type ConsentLedgerAction, type ConsentState,
  type Content, type LegalBaseline, type MessageIntent, type MessageTagRule, type PolicyContext, type PolicyRules,
  type Purpose, type QuietHours, type RateLimit, type TemplateCategory,
} from '../index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The reference time of generated contexts. */
export const ARB_NOW = Date.parse('2026-03-10T12:00:00Z');

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
// mostly absent: restrictions that, when always present, would make nearly every decision a deny
const rare = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
export const arbPurpose: fc.Arbitrary<Purpose> = fc.constantFrom('service', 'transactional', 'marketing');
const arbPurposes = fc.subarray<Purpose>(['service', 'transactional', 'marketing']);
const arbCategories = fc.subarray<TemplateCategory>(['marketing', 'utility', 'authentication']);
const arbContentTypes = fc.subarray([...CONTENT_TYPES]);
const TAGS = ['HUMAN_AGENT', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE'];
const TOPICS = ['flight updates', 'payment confirmation', 'Flight Updates', 'offers', 'politics'];
const COMMERCE = ['alcohol', 'tobacco', 'weapons', 'Gambling', 'fireworks', 'prescription-drugs'];
const SENDERS = ['bot', 'agent', 'system'] as const;

const arbHours = fc.integer({ min: 1, max: 24 * 14 });
/** MIME types as channels list them: exact, with a wildcard subtype, with a parameter. */
export const ARB_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/*', 'video/mp4', 'video/3gpp', 'audio/mpeg', 'audio/ogg', 'audio/ogg; codecs=opus', 'application/pdf', 'text/plain'] as const;
/** MIME types a file may declare: the listed ones, parameters and case variants, and types no list names. */
export const ARB_FILE_TYPES = ['image/jpeg', 'IMAGE/PNG', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime', 'audio/mpeg', 'audio/ogg', 'audio/ogg; codecs=opus', 'audio/ogg; codecs=vorbis', 'application/pdf', 'text/plain; charset=utf-8', 'application/x-msdownload'] as const;
/** Per-kind size limits, from 1 KB to 100 MB. */
export const arbMediaMaxBytes: fc.Arbitrary<Partial<Record<MediaKind, number>>> = fc.dictionary(
  fc.constantFrom(...MEDIA_KINDS), fc.integer({ min: 1024, max: 100 * 1024 * 1024 }), { maxKeys: 5 },
) as fc.Arbitrary<Partial<Record<MediaKind, number>>>;
/** Per-kind accepted types (an empty list accepts none). */
export const arbMediaTypes: fc.Arbitrary<Partial<Record<MediaKind, string[]>>> = fc.dictionary(
  fc.constantFrom(...MEDIA_KINDS), fc.subarray([...ARB_MEDIA_TYPES]), { maxKeys: 5 },
) as fc.Arbitrary<Partial<Record<MediaKind, string[]>>>;
const arbTag: fc.Arbitrary<MessageTagRule> = fc.record({
  tag: fc.constantFrom(...TAGS),
  maxHoursSinceInbound: opt(arbHours),
  senders: opt(fc.subarray([...SENDERS])),
  purposes: opt(arbPurposes),
}, { requiredKeys: ['tag'] });
const arbTags = fc.uniqueArray(arbTag, { selector: (t) => t.tag, maxLength: 4 });
export const arbRateLimit: fc.Arbitrary<RateLimit> = fc.record({
  scope: fc.constantFrom('account', 'recipient', 'group', 'recipient-without-reply', 'unique-recipients-per-day'),
  limit: fc.integer({ min: 1, max: 300 }),
  perMs: fc.constantFrom(1000, 6000, 60_000, HOUR, DAY),
  enforcement: fc.constantFrom('pace', 'deny'),
  tiers: opt(fc.subarray([2000, 10_000, 100_000])),
  unlimitedTier: opt(fc.boolean()),
}, { requiredKeys: ['scope', 'limit', 'perMs', 'enforcement'] });
const arbHhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
/** IANA zones with and without daylight saving, on both sides of UTC, and one at a 45-minute offset. */
export const ARB_TIME_ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'] as const;
export const arbQuietHours: fc.Arbitrary<QuietHours> = fc.record({
  start: arbHhmm, end: arbHhmm,
  timeZone: fc.constantFrom(...ARB_TIME_ZONES),
  purposes: opt(arbPurposes),
}, { requiredKeys: ['start', 'end', 'timeZone'] });

/** Any channel policy. */
export const arbChannelPolicy: fc.Arbitrary<ChannelPolicy> = fc.record({
  channel: fc.constantFrom('whatsapp', 'messenger', 'telegram', 'viber', 'apple', 'line'),
  initiation: fc.constantFrom('business', 'template', 'user'),
  serviceWindowHours: opt(arbHours),
  entryPointWindowHours: opt(arbHours),
  outsideWindow: opt(fc.record({ templateCategories: opt(arbCategories), tags: opt(arbTags) })),
  consentRequiredFor: arbPurposes,
  marketingAllowed: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  marketingBlockedCallingCodes: opt(fc.subarray(['1', '44', '49'])),
  marketingTemplateBlockedCountries: opt(fc.subarray(['US', 'CA', 'GB', 'DE'])),
  broadcast: fc.record({ allowed: fc.boolean(), maxRecipientsPerRequest: opt(fc.integer({ min: 1, max: 1000 })) }),
  rateLimits: fc.array(arbRateLimit, { maxLength: 3 }),
  text: fc.record({ maxLength: fc.integer({ min: 1, max: 8000 }), captionMaxLength: opt(fc.integer({ min: 1, max: 2000 })), overflow: fc.constantFrom('split', 'refuse') }),
  mediaMaxBytes: opt(arbMediaMaxBytes),
  mediaTypes: rare(arbMediaTypes),
  contentTypes: rare(arbContentTypes),
  restrictedCommerce: fc.subarray(COMMERCE),
  sources: fc.constant([]),
}) as fc.Arbitrary<ChannelPolicy>;

/** Any business policy. */
export const arbBusinessPolicy: fc.Arbitrary<BusinessPolicy> = fc.record({
  serviceWindowHours: arbHours,
  quietHours: arbQuietHours,
  marketingAllowed: fc.boolean(),
  broadcastAllowed: fc.boolean(),
  consentRequiredFor: arbPurposes,
  requireDoubleOptIn: fc.boolean(),
  bannedTopics: fc.subarray(TOPICS),
  restrictedCommerce: fc.subarray(COMMERCE),
  rateLimits: fc.array(arbRateLimit, { maxLength: 2 }),
  maxTextLength: fc.integer({ min: 1, max: 8000 }),
  mediaMaxBytes: arbMediaMaxBytes,
  mediaTypes: arbMediaTypes,
  contentTypes: arbContentTypes,
  templateCategories: arbCategories,
  consentScope: fc.constantFrom('all-channels', 'per-channel'),
  marketingRequiresVerification: fc.dictionary(fc.constantFrom('whatsapp', 'messenger', 'telegram'), fc.constantFrom('unverified', 'confirmed', 'verified')),
}, { requiredKeys: [] });

/** Any legal baseline. */
export const arbBaseline: fc.Arbitrary<LegalBaseline> = fc.record({
  name: fc.constant('generated'),
  consentRequiredFor: arbPurposes,
  revocationImmediate: fc.constant(true as const),
  sources: fc.constant([]),
});

const ACTIONS: ConsentLedgerAction[] = ['opt-in-requested', 'opt-in', 'opt-out', 'blocked', 'unblocked', 'spam-reported', 'important-only', 'all-messages', 'closed', 'reopened'];
const CHANNELS = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;
/** Any ledger (ids e0…en; confirmations point at earlier ids). */
export const arbLedger: fc.Arbitrary<ConsentEntry[]> = fc.array(fc.record({
  channel: fc.constantFrom(...CHANNELS),
  action: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<ConsentLedgerAction>('opt-in', 'opt-in-requested', 'opt-out') }, { weight: 1, arbitrary: fc.constantFrom(...ACTIONS) }),
  purpose: opt(arbPurpose),
  topic: opt(fc.constantFrom(...TOPICS)),
  scope: fc.constantFrom('all-channels', 'channel'),
  ago: fc.integer({ min: 0, max: 60 * DAY }),
  confirms: opt(fc.nat(10)),
  version: opt(fc.constantFrom('2', '3')),
}), { maxLength: 10 }).map((rows) => rows.map((r, i): ConsentEntry => ({
  id: `e${i}`, tenantId: 't', contactId: 'c', channel: r.channel, action: r.action, scope: r.scope as ConsentEntry['scope'],
  at: new Date(ARB_NOW - r.ago),
  ...(r.purpose ? { purpose: r.purpose } : {}),
  ...(r.topic ? { topic: r.topic } : {}),
  evidence: { source: 'api', ...(r.confirms !== undefined ? { confirms: `e${r.confirms}` } : {}), ...(r.version ? { privacyPolicy: { version: r.version } } : {}) },
})));

/** A consent state derived from any ledger, for any channel, scope and privacy-policy version. */
export const arbConsentState: fc.Arbitrary<ConsentState> = fc.record({
  ledger: arbLedger,
  channel: fc.constantFrom(...CHANNELS),
  scope: fc.constantFrom('all-channels' as const, 'per-channel' as const),
  version: opt(fc.constantFrom('2', '3')),
}).map(({ ledger, channel, scope, version }) => deriveConsentState(ledger, { channel, scope, ...(version ? { requiredPrivacyPolicyVersion: version } : {}) }));

export const arbContent: fc.Arbitrary<Content> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text: fc.oneof(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 9000 }).map((n) => 'x'.repeat(n))) }),
  fc.record({ type: fc.constant('template' as const), name: fc.constantFrom('gate_change', 'spring_sale'), language: fc.constant('en_US'), category: fc.constantFrom('marketing', 'utility', 'authentication') }),
  fc.record({
    type: fc.constantFrom(...MEDIA_KINDS),
    media: fc.record({
      url: fc.constant('https://example.com/a'),
      size: opt(fc.integer({ min: 0, max: 120 * 1024 * 1024 })),
      mimeType: opt(fc.constantFrom(...ARB_FILE_TYPES)),
      caption: opt(fc.oneof(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 2100 }).map((n) => 'c'.repeat(n)))),
    }, { requiredKeys: ['url'] }),
  }),
  fc.record({ type: fc.constant('location' as const), latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) }),
  fc.record({ type: fc.constant('rich' as const), kind: fc.constantFrom('carousel', 'list-picker'), payload: fc.constant({}) }),
) as fc.Arbitrary<Content>;

/** Any intent. */
export const arbIntent: fc.Arbitrary<MessageIntent> = fc.record({
  channel: fc.constantFrom(...CHANNELS),
  userId: opt(fc.oneof(fc.constantFrom('+14155550123', '14165550123', '4915112345678', '123456789'), fc.string({ maxLength: 12 }))),
  purpose: arbPurpose,
  topic: opt(fc.constantFrom(...TOPICS)),
  content: arbContent,
  sender: fc.constantFrom(...SENDERS),
  tag: rare(fc.constantFrom(...TAGS, 'BOGUS')),
  broadcast: rare(fc.boolean()),
  commerceCategory: rare(fc.constantFrom(...COMMERCE)),
}, { requiredKeys: ['channel', 'purpose', 'content', 'sender'] });

/** Everything in a context but the policy sources (channel, business, baseline, consent). */
export const arbSituation: fc.Arbitrary<Omit<PolicyContext, 'channelPolicy'>> = fc.record({
  conversation: opt(fc.record({
    lastInboundAt: opt(fc.oneof(fc.integer({ min: 0, max: 36 * HOUR }), fc.integer({ min: 0, max: 30 * DAY })).map((ago) => ARB_NOW - ago)),
    entryPointAt: opt(fc.integer({ min: 0, max: 30 * DAY }).map((ago) => new Date(ARB_NOW - ago))),
    userInitiated: opt(fc.boolean()),
    outboundSinceInbound: opt(fc.integer({ min: 0, max: 200 })),
  })),
  template: opt(fc.record({ status: fc.oneof({ weight: 4, arbitrary: fc.constant('approved' as const) }, { weight: 1, arbitrary: fc.constantFrom('draft', 'submitted', 'rejected', 'paused') }), category: opt(fc.constantFrom('marketing', 'utility', 'authentication')) }, { requiredKeys: ['status'] })),
  usage: rare(fc.record({
    uniqueRecipientsLast24h: opt(fc.integer({ min: 0, max: 120_000 })),
    recipientAlreadyCounted: opt(fc.boolean()),
    uniqueRecipientsLimit: opt(fc.constantFrom<number | 'unlimited'>(250, 1000, 2000, 10_000, 100_000, 'unlimited')),
  })),
  verificationLevel: opt(fc.constantFrom('unverified', 'confirmed', 'verified')),
  market: opt(fc.constantFrom('DE', 'IN', 'US', 'CA', 'FR', 'GB', 'JP')),
  tenantCountry: opt(fc.constantFrom('DE', 'US', 'GB', 'FR', 'JP')),
  recipientTimeZone: opt(fc.constantFrom(...ARB_TIME_ZONES, 'Not/AZone')),
}, { requiredKeys: [] }) as fc.Arbitrary<Omit<PolicyContext, 'channelPolicy'>>;

/** Arbitrary normalised rules, as a custom source might contribute. */
export const arbRules: fc.Arbitrary<PolicyRules> = fc.record({
  initiation: fc.constantFrom('business', 'template', 'user'),
  serviceWindowHours: arbHours,
  entryPointWindowHours: arbHours,
  templateCategories: arbCategories,
  templatesRequireApproval: fc.boolean(),
  tags: arbTags,
  consentRequiredFor: arbPurposes,
  requireDoubleOptIn: fc.boolean(),
  marketingAllowed: fc.boolean(),
  marketingBlockedCallingCodes: fc.subarray(['1', '44', '49']),
  marketingTemplateBlockedCountries: fc.subarray(['US', 'CA', 'GB', 'DE']),
  broadcastAllowed: fc.boolean(),
  broadcastMaxRecipients: fc.integer({ min: 1, max: 1000 }),
  rateLimits: fc.array(arbRateLimit, { maxLength: 2 }),
  maxTextLength: fc.integer({ min: 1, max: 8000 }),
  captionMaxLength: fc.integer({ min: 1, max: 2000 }),
  textOverflow: fc.constantFrom('split', 'refuse'),
  mediaMaxBytes: arbMediaMaxBytes,
  mediaTypes: arbMediaTypes,
  contentTypes: arbContentTypes,
  restrictedCommerce: fc.subarray(COMMERCE),
  bannedTopics: fc.subarray(TOPICS),
  quietHours: fc.array(arbQuietHours, { maxLength: 2 }),
  repliesOnly: fc.boolean(),
}, { requiredKeys: [] }) as fc.Arbitrary<PolicyRules>;

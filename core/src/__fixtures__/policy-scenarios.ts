/**
 * Policy scenarios from real deployments (a car workshop, an airline, a snack stand), written as
 * data so that the same set runs against core's fixture policies, against the connector packages'
 * declared policies (cross-package test), in the benchmark and in the demo.
 */
import {
  DEFAULT_BUSINESS_POLICY, deriveConsentState, mimeTypeAccepted,
  type BusinessPolicy, type ChannelPolicy, type ConsentEntry, type ConsentState, type MediaKind, type MessageIntent,
  type PolicyContext, type PolicyReasonCode, type PolicySourceName, type PriceCategory,
} from '../index.js';

/** The five channels. */
export type ChannelName = 'whatsapp' | 'messenger' | 'telegram' | 'viber' | 'apple';

/** What a scenario expects. `codes` must all be present; with `exact` nothing else may be. */
export type ScenarioExpectation =
  | { allowed: true; form: 'free-form' | 'template' | 'tag'; priceCategory?: PriceCategory; charged?: boolean }
  | { allowed: false; codes: PolicyReasonCode[]; exact?: boolean; sources?: Partial<Record<PolicyReasonCode, PolicySourceName>> };

/** One policy scenario. */
export interface PolicyScenario {
  name: string;
  /** Mix bucket, for the benchmark's table. */
  group: 'in-window' | 'outside-window' | 'consent' | 'tags' | 'customer-controls' | 'business' | 'initiation' | 'content' | 'media' | 'law' | 'quiet-hours';
  channel: ChannelName;
  /** The time of the decision (epoch ms). */
  now: number;
  intent: MessageIntent;
  context: PolicyContext;
  expect: ScenarioExpectation;
  /**
   * The channel's declared rules (keys of `ChannelPolicy`, and `text.captionMaxLength`) this
   * scenario exercises; the coverage test checks that every rule a channel declares is covered by
   * at least one scenario.
   */
  covers: string[];
}

/** 2026-03-10 12:00 UTC, a Tuesday: after per-message pricing, before the reported 2026-10-01 change. */
export const NOW = Date.parse('2026-03-10T12:00:00Z');
/** 22:30 UTC the same day: 23:30 in Central European Time, inside 22:00–07:00 quiet hours. */
export const NIGHT = Date.parse('2026-03-10T22:30:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let seq = 0;
/**
 * Builds a ledger entry with plausible evidence.
 * @param e - the fields that matter for the scenario
 * @returns a full entry
 */
export function ledgerEntry(e: Pick<ConsentEntry, 'channel' | 'action' | 'at'> & Partial<ConsentEntry>): ConsentEntry {
  seq += 1;
  return {
    id: e.id ?? `c${seq}`,
    tenantId: 't1',
    contactId: 'anna',
    scope: 'all-channels',
    evidence: { source: 'web-form', wording: 'Send me updates on WhatsApp', privacyPolicy: { version: '3' } },
    ...e,
  };
}

/** Anna's ledger: opted in to "flight updates" and to marketing on WhatsApp, never to "payment confirmation". */
export const annaLedger: ConsentEntry[] = [
  ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'flight updates', at: new Date(NOW - 30 * DAY) }),
  ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'marketing', at: new Date(NOW - 30 * DAY) }),
];

/** Anna later sent "stop" for offers on Telegram. */
export const annaLedgerAfterTelegramOptOut: ConsentEntry[] = [
  ...annaLedger,
  ledgerEntry({
    channel: 'telegram', action: 'opt-out', purpose: 'marketing', at: new Date(NOW - 2 * DAY),
    evidence: { source: 'keyword', text: 'stop offers', reference: '4711' },
  }),
];

const state = (entries: ConsentEntry[], channel: ChannelName, extra: Partial<ConsentState> = {}): ConsentState => ({
  ...deriveConsentState(entries, { channel }),
  ...extra,
});

const text = (t: string): MessageIntent['content'] => ({ type: 'text', text: t });
const gateChange: MessageIntent['content'] = {
  type: 'template', name: 'gate_change', language: 'en_US', category: 'utility',
  parameters: [{ text: 'LH 1234' }, { text: 'B42' }], fallbackText: 'Flight {{1}} now boards at gate {{2}}.',
};
const springSale: MessageIntent['content'] = { type: 'template', name: 'spring_sale', language: 'en_US', category: 'marketing', parameters: [{ text: '20%' }] };

/**
 * The scenario set, over the given channel policies.
 * @param policies - a policy per channel (core's fixtures or the connectors' own)
 * @returns scenarios, each with its expected decision
 */
export function policyScenarios(policies: Record<ChannelName, ChannelPolicy>): PolicyScenario[] {
  const business: BusinessPolicy = DEFAULT_BUSINESS_POLICY;
  const strictBusiness: BusinessPolicy = {
    ...DEFAULT_BUSINESS_POLICY,
    serviceWindowHours: 12,
    quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
  };
  const anna = state(annaLedger, 'whatsapp');
  const annaTelegramStop = state(annaLedgerAfterTelegramOptOut, 'whatsapp');
  const onlyPaymentTopic = state([
    ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'payment confirmation', at: new Date(NOW - DAY) }),
  ], 'whatsapp');
  const blocked = state([...annaLedger, ledgerEntry({ channel: 'whatsapp', action: 'blocked', scope: 'channel', at: new Date(NOW - 5 * DAY), evidence: { source: 'platform' } })], 'whatsapp');
  const importantOnly = state([...annaLedger, ledgerEntry({ channel: 'whatsapp', action: 'important-only', at: new Date(NOW - DAY), evidence: { source: 'keyword', text: 'important only' } })], 'whatsapp');
  const refusingTelegram: ChannelPolicy = { ...policies.telegram, text: { ...policies.telegram.text, overflow: 'refuse' } };
  const wa = { channelPolicy: policies.whatsapp, business };
  const inWindow = { lastInboundAt: NOW - 2 * HOUR };
  const outside = { lastInboundAt: NOW - 30 * HOUR };
  const approved = { status: 'approved' as const, category: 'utility' as const };
  const marketingApproved = { status: 'approved' as const, category: 'marketing' as const };
  const promo = (t: string): MessageIntent['content'] => text(t);
  // quiet hours on the recipient's wall clock, across daylight-saving transitions
  const berlinNights: BusinessPolicy = { ...DEFAULT_BUSINESS_POLICY, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } };
  const newYorkNights: BusinessPolicy = { ...DEFAULT_BUSINESS_POLICY, quietHours: { start: '21:00', end: '08:00', timeZone: 'America/New_York' } };
  const telegramNotice = (at: number, business: BusinessPolicy, name: string, quiet: boolean): PolicyScenario => ({
    name, group: 'quiet-hours', channel: 'telegram', now: at, covers: [],
    intent: { channel: 'telegram', userId: '123456789', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: text('Flight LH 1234 now boards at B42') },
    context: { channelPolicy: policies.telegram, business, consent: state(annaLedger, 'telegram'), conversation: { lastInboundAt: at - DAY } },
    expect: quiet ? { allowed: false, codes: ['QUIET_HOURS'], exact: true, sources: { QUIET_HOURS: 'business' } } : { allowed: true, form: 'free-form' },
  });

  return [
    {
      name: 'car workshop replies inside the WhatsApp window', group: 'in-window', channel: 'whatsapp', now: NOW,
      covers: ['serviceWindowHours', 'pricing'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('Your car is ready for pick-up.') },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'free-form text outside the WhatsApp window', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['serviceWindowHours', 'outsideWindow'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Any news?') },
      context: { ...wa, conversation: outside },
      expect: { allowed: false, codes: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], exact: true, sources: { WINDOW_CLOSED: 'channel', TEMPLATE_REQUIRED: 'channel' } },
    },
    {
      name: 'airline gate change: approved utility template outside the window', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['outsideWindow', 'consentRequiredFor', 'pricing'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'a "payment confirmation" opt-in does not cover "flight updates"', group: 'consent', channel: 'whatsapp', now: NOW,
      covers: ['consentRequiredFor'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: onlyPaymentTopic, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true },
    },
    {
      name: 'marketing template without marketing consent', group: 'consent', channel: 'whatsapp', now: NOW,
      covers: ['consentRequiredFor', 'marketingAllowed'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: onlyPaymentTopic, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true },
    },
    {
      name: 'marketing on WhatsApp after a marketing opt-out on Telegram', group: 'consent', channel: 'whatsapp', now: NOW,
      covers: ['consentRequiredFor'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: annaTelegramStop, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['OPTED_OUT'], exact: true, sources: { OPTED_OUT: 'customer' } },
    },
    {
      name: 'marketing template to a +1 number', group: 'consent', channel: 'whatsapp', now: NOW,
      covers: ['marketingTemplateBlockedCountries'],
      intent: { channel: 'whatsapp', userId: '+14155550123', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: anna, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['MARKETING_REGION_BLOCKED'], exact: true, sources: { MARKETING_REGION_BLOCKED: 'channel' } },
    },
    {
      name: 'template still in review', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['outsideWindow'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: { status: 'submitted', category: 'utility' } },
      expect: { allowed: false, codes: ['TEMPLATE_NOT_APPROVED'], exact: true, sources: { TEMPLATE_NOT_APPROVED: 'channel' } },
    },
    {
      name: 'snack stand offers beer on WhatsApp', group: 'content', channel: 'whatsapp', now: NOW,
      covers: ['restrictedCommerce'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('Add a cold beer?'), commerceCategory: 'alcohol' },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: false, codes: ['RESTRICTED_COMMERCE'], exact: true, sources: { RESTRICTED_COMMERCE: 'channel' } },
    },
    {
      name: 'business window of 12 h is stricter than WhatsApp 24 h', group: 'business', channel: 'whatsapp', now: NOW,
      covers: ['serviceWindowHours'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Following up on your question') },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, conversation: { lastInboundAt: NOW - 13 * HOUR } },
      expect: { allowed: false, codes: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], exact: true, sources: { WINDOW_CLOSED: 'business' } },
    },
    {
      name: 'quiet hours 22:00–07:00 hold a gate-change notification', group: 'business', channel: 'whatsapp', now: NIGHT,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, consent: anna, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['QUIET_HOURS'], exact: true, sources: { QUIET_HOURS: 'business' } },
    },
    {
      name: 'quiet hours do not hold a reply to the customer', group: 'business', channel: 'whatsapp', now: NIGHT,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('We open at 8.') },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, conversation: { lastInboundAt: NIGHT - 60_000 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'a customer who blocked the business gets no notification', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: blocked, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['BLOCKED'], sources: { BLOCKED: 'customer' } },
    },
    {
      name: 'a customer who blocked the business and wrote again gets a reply', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Thanks for writing again') },
      context: { ...wa, consent: blocked, conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'important-only lets a gate change through', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: importantOnly, conversation: outside, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'important-only stops marketing', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      covers: [],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: importantOnly, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['OPTED_OUT'], exact: true, sources: { OPTED_OUT: 'customer' } },
    },
    {
      name: 'Messenger HUMAN_AGENT tag used by an agent 3 days later', group: 'tags', channel: 'messenger', now: NOW,
      covers: ['outsideWindow', 'serviceWindowHours'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('An agent here: the part arrived.') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 3 * DAY } },
      expect: { allowed: true, form: 'tag' },
    },
    {
      name: 'Messenger HUMAN_AGENT tag used by a bot', group: 'tags', channel: 'messenger', now: NOW,
      covers: ['outsideWindow'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'bot', tag: 'HUMAN_AGENT', content: text('Automated follow-up') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 3 * DAY } },
      expect: { allowed: false, codes: ['TAG_NOT_ALLOWED', 'WINDOW_CLOSED'], exact: true, sources: { TAG_NOT_ALLOWED: 'channel' } },
    },
    {
      name: 'Messenger HUMAN_AGENT tag 8 days later', group: 'tags', channel: 'messenger', now: NOW,
      covers: ['outsideWindow'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('Still there?') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 8 * DAY } },
      expect: { allowed: false, codes: ['TAG_NOT_ALLOWED', 'WINDOW_CLOSED'], exact: true },
    },
    {
      name: 'broadcast on Messenger', group: 'content', channel: 'messenger', now: NOW,
      covers: ['broadcast'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'system', broadcast: true, content: text('We are open on Sunday') },
      context: { channelPolicy: policies.messenger, business, conversation: inWindow },
      expect: { allowed: false, codes: ['BROADCAST_FORBIDDEN'], exact: true, sources: { BROADCAST_FORBIDDEN: 'channel' } },
    },
    {
      name: 'Telegram message to a user who never wrote', group: 'initiation', channel: 'telegram', now: NOW,
      covers: ['initiation'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { channelPolicy: policies.telegram, business },
      expect: { allowed: false, codes: ['USER_MUST_INITIATE'], exact: true, sources: { USER_MUST_INITIATE: 'channel' } },
    },
    {
      name: 'Apple message to a user who never wrote', group: 'initiation', channel: 'apple', now: NOW,
      covers: ['initiation'],
      intent: { channel: 'apple', userId: 'urn:mbid:AQAAY', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { channelPolicy: policies.apple, business },
      expect: { allowed: false, codes: ['USER_MUST_INITIATE'], exact: true, sources: { USER_MUST_INITIATE: 'channel' } },
    },
    {
      name: 'Telegram reply to a user who sent /start', group: 'in-window', channel: 'telegram', now: NOW,
      covers: ['initiation'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('Welcome! Send your plate number.') },
      context: { channelPolicy: policies.telegram, business, conversation: { lastInboundAt: NOW - 60_000 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'Telegram text over the limit where the channel refuses longer text', group: 'content', channel: 'telegram', now: NOW,
      covers: ['text'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('x'.repeat(5000)) },
      context: { channelPolicy: refusingTelegram, business, conversation: { lastInboundAt: NOW - 60_000 } },
      expect: { allowed: false, codes: ['TEXT_TOO_LONG'], exact: true, sources: { TEXT_TOO_LONG: 'channel' } },
    },
    {
      name: 'Viber: 100 messages without a reply', group: 'business', channel: 'viber', now: NOW,
      covers: ['rateLimits'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'service', sender: 'bot', content: text('One more thing') },
      context: { channelPolicy: policies.viber, business, conversation: { lastInboundAt: NOW - 20 * 60_000, outboundSinceInbound: 100 } },
      expect: { allowed: false, codes: ['RATE_LIMITED'], exact: true, sources: { RATE_LIMITED: 'channel' } },
    },
    {
      name: 'Viber reply inside the 24 h session', group: 'in-window', channel: 'viber', now: NOW,
      covers: ['pricing'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'service', sender: 'bot', content: text('Your order is ready') },
      context: { channelPolicy: policies.viber, business, conversation: { lastInboundAt: NOW - HOUR, outboundSinceInbound: 2 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'Viber delay notice two days later is charged as bot-initiated', group: 'outside-window', channel: 'viber', now: NOW,
      covers: ['pricing'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: text('Flight LH 1234 is delayed by 40 minutes.') },
      context: { channelPolicy: policies.viber, business, consent: state(annaLedger, 'viber'), conversation: { lastInboundAt: NOW - 2 * DAY } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'business-initiated', charged: true },
    },
    {
      name: 'WhatsApp outside-window templates past the daily unique-recipient limit', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['rateLimits'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved, usage: { uniqueRecipientsLast24h: 250 } },
      expect: { allowed: false, codes: ['RATE_LIMITED'], exact: true },
    },
    {
      name: 'WhatsApp: the business starts with an approved template to a customer who never wrote', group: 'initiation', channel: 'whatsapp', now: NOW,
      covers: ['initiation', 'outsideWindow'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'WhatsApp: free-form to a customer who never wrote', group: 'initiation', channel: 'whatsapp', now: NOW,
      covers: ['initiation'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { ...wa },
      expect: { allowed: false, codes: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], exact: true, sources: { WINDOW_CLOSED: 'channel' } },
    },
    {
      name: 'a click-to-WhatsApp ad keeps the window open for 72 h', group: 'in-window', channel: 'whatsapp', now: NOW,
      covers: ['entryPointWindowHours'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Thanks for your interest in the winter tyres') },
      context: { ...wa, conversation: { lastInboundAt: NOW - 48 * HOUR, entryPointAt: NOW - 48 * HOUR } },
      expect: { allowed: true, form: 'free-form', charged: false },
    },
    {
      name: 'a long WhatsApp reply is split by the connector, not refused', group: 'content', channel: 'whatsapp', now: NOW,
      covers: ['text'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('x'.repeat(5000)) },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: true, form: 'free-form' },
    },
    // only where the channel's policy lists content types (the connectors' own take them from the capability table)
    ...(policies.whatsapp.contentTypes ? [
    {
      name: 'a carousel cannot be sent on WhatsApp', group: 'content', channel: 'whatsapp', now: NOW,
      covers: ['contentTypes'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: { type: 'rich', kind: 'carousel', payload: {} } },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: false, codes: ['CONTENT_UNSUPPORTED'], exact: true, sources: { CONTENT_UNSUPPORTED: 'channel' } },
    } satisfies PolicyScenario] : []),
    {
      name: 'WhatsApp broadcast of an approved utility template to an opted-in customer', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['broadcast', 'outsideWindow'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', broadcast: true, content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'a marketing template to a Canadian +1 number is not paused', group: 'consent', channel: 'whatsapp', now: NOW,
      covers: ['marketingTemplateBlockedCountries', 'marketingAllowed'],
      intent: { channel: 'whatsapp', userId: '+14165550123', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: anna, template: marketingApproved },
      expect: { allowed: true, form: 'template', priceCategory: 'marketing', charged: true },
    },
    {
      name: 'a free-form marketing reply to a US number inside the window is not paused', group: 'in-window', channel: 'whatsapp', now: NOW,
      covers: ['marketingTemplateBlockedCountries'],
      intent: { channel: 'whatsapp', userId: '+14155550123', purpose: 'marketing', sender: 'agent', content: promo('Since you asked: 20% off this week') },
      context: { ...wa, consent: anna, conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'WhatsApp: a recipient already messaged in the last 24 h is no new unique recipient', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['rateLimits'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved, usage: { uniqueRecipientsLast24h: 250, recipientAlreadyCounted: true } },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'WhatsApp: an account at the 2K tier may reach its 251st customer', group: 'outside-window', channel: 'whatsapp', now: NOW,
      covers: ['rateLimits'],
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved, usage: { uniqueRecipientsLast24h: 250, uniqueRecipientsLimit: 2000 } },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'Messenger POST_PURCHASE_UPDATE tag carries a shipping notice a month later', group: 'tags', channel: 'messenger', now: NOW,
      covers: ['outsideWindow', 'consentRequiredFor'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'transactional', topic: 'flight updates', sender: 'system', tag: 'POST_PURCHASE_UPDATE', content: text('Your order has shipped') },
      context: { channelPolicy: policies.messenger, business, consent: state(annaLedger, 'messenger'), conversation: { lastInboundAt: NOW - 30 * DAY } },
      expect: { allowed: true, form: 'tag' },
    },
    {
      name: 'a click-to-Messenger ad keeps the window open for 7 days', group: 'in-window', channel: 'messenger', now: NOW,
      covers: ['entryPointWindowHours', 'initiation'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', content: text('Here are the opening hours') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 5 * DAY, entryPointAt: NOW - 5 * DAY } },
      expect: { allowed: true, form: 'free-form' },
    },
    {
      name: 'Messenger marketing inside the window to a customer who opted in', group: 'consent', channel: 'messenger', now: NOW,
      covers: ['marketingAllowed', 'consentRequiredFor', 'text', 'rateLimits', 'pricing'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'marketing', sender: 'agent', content: promo('Our spring menu is out') },
      context: { channelPolicy: policies.messenger, business, consent: state(annaLedger, 'messenger'), conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'Messenger refuses weapons offers (Meta Commerce Policy)', group: 'content', channel: 'messenger', now: NOW,
      covers: ['restrictedCommerce'],
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'bot', commerceCategory: 'weapons', content: text('Hunting rifles on sale') },
      context: { channelPolicy: policies.messenger, business, conversation: inWindow },
      expect: { allowed: false, codes: ['RESTRICTED_COMMERCE'], exact: true, sources: { RESTRICTED_COMMERCE: 'channel' } },
    },
    {
      name: 'a Telegram marketing broadcast to a consenting subscriber is priced as marketing', group: 'law', channel: 'telegram', now: NOW,
      covers: ['broadcast', 'marketingAllowed', 'rateLimits', 'pricing'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'marketing', sender: 'system', broadcast: true, content: promo('Spring sale: 20% off') },
      context: { channelPolicy: policies.telegram, business, consent: state(annaLedger, 'telegram'), conversation: { lastInboundAt: NOW - 10 * DAY } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'marketing', charged: false },
    },
    {
      name: 'Telegram marketing without consent is refused by the law (the channel asks for none)', group: 'law', channel: 'telegram', now: NOW,
      covers: ['consentRequiredFor'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'marketing', sender: 'system', content: promo('Spring sale: 20% off') },
      context: { channelPolicy: policies.telegram, conversation: { lastInboundAt: NOW - DAY } },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true, sources: { NO_CONSENT: 'law' } },
    },
    {
      name: 'a tobacco promotion to a consenting customer is refused on Telegram by the law', group: 'law', channel: 'telegram', now: NOW,
      covers: ['restrictedCommerce'],
      intent: { channel: 'telegram', userId: '123456789', purpose: 'marketing', sender: 'system', commerceCategory: 'tobacco', content: promo('New cigars in store') },
      context: { channelPolicy: policies.telegram, business, consent: state(annaLedger, 'telegram'), conversation: { lastInboundAt: NOW - DAY }, tenantCountry: 'DE', market: 'DE' },
      expect: { allowed: false, codes: ['RESTRICTED_COMMERCE'], exact: true, sources: { RESTRICTED_COMMERCE: 'law' } },
    },
    {
      name: 'a prescription-drug promotion to a consenting customer is refused on Viber by the law', group: 'law', channel: 'viber', now: NOW,
      covers: ['consentRequiredFor', 'marketingAllowed'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'marketing', sender: 'system', commerceCategory: 'prescription-drugs', content: promo('Your sleeping pills, now 10% off') },
      context: { channelPolicy: policies.viber, business, consent: state(annaLedger, 'viber'), conversation: { lastInboundAt: NOW - DAY }, market: 'FR' },
      expect: { allowed: false, codes: ['RESTRICTED_COMMERCE'], exact: true, sources: { RESTRICTED_COMMERCE: 'law' } },
    },
    {
      name: 'Viber message to a user who never subscribed or wrote', group: 'initiation', channel: 'viber', now: NOW,
      covers: ['initiation'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { channelPolicy: policies.viber, business },
      expect: { allowed: false, codes: ['USER_MUST_INITIATE'], exact: true, sources: { USER_MUST_INITIATE: 'channel' } },
    },
    {
      name: 'Viber broadcast to subscribers who opted in to marketing', group: 'consent', channel: 'viber', now: NOW,
      covers: ['broadcast', 'text'],
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'marketing', sender: 'system', broadcast: true, content: promo('Weekend offers') },
      context: { channelPolicy: policies.viber, business, consent: state(annaLedger, 'viber'), conversation: { lastInboundAt: NOW - 3 * DAY } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'business-initiated', charged: true },
    },
    {
      name: 'Apple account notice without a subscription is refused (consent for transactional)', group: 'consent', channel: 'apple', now: NOW,
      covers: ['consentRequiredFor'],
      intent: { channel: 'apple', userId: 'urn:mbid:AQAAY', purpose: 'transactional', topic: 'payment confirmation', sender: 'system', content: text('Your payment was received') },
      context: { channelPolicy: policies.apple, conversation: { lastInboundAt: NOW - DAY } },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true, sources: { NO_CONSENT: 'channel' } },
    },
    {
      name: 'Apple reply to a customer who wrote', group: 'in-window', channel: 'apple', now: NOW,
      covers: ['initiation', 'text', 'marketingAllowed', 'pricing'],
      intent: { channel: 'apple', userId: 'urn:mbid:AQAAY', purpose: 'service', sender: 'agent', content: text('An agent will take over now.') },
      context: { channelPolicy: policies.apple, business, conversation: { lastInboundAt: NOW - 60_000 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'broadcast on Apple Messages for Business', group: 'content', channel: 'apple', now: NOW,
      covers: ['broadcast'],
      intent: { channel: 'apple', userId: 'urn:mbid:AQAAY', purpose: 'service', sender: 'system', broadcast: true, content: text('We are open on Sunday') },
      context: { channelPolicy: policies.apple, business, conversation: { lastInboundAt: NOW - HOUR } },
      expect: { allowed: false, codes: ['BROADCAST_FORBIDDEN'], exact: true, sources: { BROADCAST_FORBIDDEN: 'channel' } },
    },
    // quiet hours across daylight-saving transitions: Europe/Berlin (2026-03-29, 2026-10-25) and America/New_York (2026-03-08, 2026-11-01)
    telegramNotice(Date.parse('2026-03-29T04:59:00Z'), berlinNights, 'Berlin spring-forward day: 06:59 CEST is still quiet', true),
    telegramNotice(Date.parse('2026-03-29T05:30:00Z'), berlinNights, 'Berlin spring-forward day: 07:30 CEST is not quiet (a fixed +1 h said 06:30)', false),
    telegramNotice(Date.parse('2026-10-25T05:30:00Z'), berlinNights, 'Berlin fall-back day: 06:30 CET is still quiet (a fixed +2 h said 07:30)', true),
    telegramNotice(Date.parse('2026-10-25T06:00:00Z'), berlinNights, 'Berlin fall-back day: 07:00 CET is not quiet', false),
    telegramNotice(Date.parse('2026-03-08T11:59:00Z'), newYorkNights, 'New York spring-forward day: 07:59 EDT is still quiet', true),
    telegramNotice(Date.parse('2026-03-08T12:30:00Z'), newYorkNights, 'New York spring-forward day: 08:30 EDT is not quiet (a fixed -5 h said 07:30)', false),
    telegramNotice(Date.parse('2026-11-01T12:30:00Z'), newYorkNights, 'New York fall-back day: 07:30 EST is still quiet (a fixed -4 h said 08:30)', true),
    telegramNotice(Date.parse('2026-11-01T13:00:00Z'), newYorkNights, 'New York fall-back day: 08:00 EST is not quiet', false),
    {
      name: 'quiet hours follow the recipient\'s own time zone where known', group: 'quiet-hours', channel: 'whatsapp', now: NIGHT,
      covers: [],
      intent: { channel: 'whatsapp', userId: '14155550123', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, consent: anna, conversation: outside, template: approved, recipientTimeZone: 'America/Los_Angeles' },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    ...(['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const).flatMap((channel) => mediaScenarios(channel, policies[channel])),
  ];
}

const CHANNEL_NAMES: Record<ChannelName, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', telegram: 'Telegram', viber: 'Viber', apple: 'Apple' };
const CUSTOMER: Record<ChannelName, string> = { whatsapp: '4915112345678', messenger: '6254598401234567', telegram: '123456789', viber: '01234567890A=', apple: 'urn:mbid:AQAAY' };
/** The kinds tried first: every channel carries images and documents. */
const KIND_ORDER: readonly MediaKind[] = ['image', 'document', 'video', 'audio', 'sticker'];
/** A real type per kind, used where the channel lists no types or accepts it. */
const TYPICAL_TYPE: Record<MediaKind, string> = { image: 'image/jpeg', document: 'application/pdf', video: 'video/mp4', audio: 'audio/mpeg', sticker: 'image/webp' };
const article = (kind: MediaKind): string => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
/** Types no channel accepts as media of any kind; the first one a channel's list refuses is sent. */
const FOREIGN_TYPES = ['application/x-msdownload', 'text/html', 'application/x-sh', 'image/x-icon'];

/**
 * The media scenarios of one channel, derived from what its policy declares: a file over the
 * kind's size limit and one at it, a type the kind does not accept and one it does, and a caption
 * over the limit (split off as text where the channel splits text, refused where it refuses).
 * @param channel - the channel
 * @param policy - its declared policy
 * @returns scenarios for every media rule the policy declares (none when it declares none)
 */
export function mediaScenarios(channel: ChannelName, policy: ChannelPolicy): PolicyScenario[] {
  const name = CHANNEL_NAMES[channel];
  const base = (content: MessageIntent['content'], channelPolicy = policy): Pick<PolicyScenario, 'channel' | 'now' | 'intent' | 'context' | 'group'> => ({
    channel, now: NOW, group: 'media',
    intent: { channel, userId: CUSTOMER[channel], purpose: 'service', sender: 'agent', content },
    context: { channelPolicy, business: DEFAULT_BUSINESS_POLICY, conversation: { lastInboundAt: NOW - HOUR } },
  });
  const typeFor = (kind: MediaKind): string => {
    const list = policy.mediaTypes?.[kind];
    if (list === undefined || mimeTypeAccepted(TYPICAL_TYPE[kind], list)) return TYPICAL_TYPE[kind];
    return list.find((t) => !t.includes('*')) ?? TYPICAL_TYPE[kind];
  };
  const media = (kind: MediaKind, extra: { size?: number; mimeType?: string; caption?: string }): MessageIntent['content'] =>
    ({ type: kind, media: { url: `https://files.example.com/workshop/${kind}`, mimeType: typeFor(kind), ...extra } });
  const out: PolicyScenario[] = [];

  const sized = KIND_ORDER.find((k) => policy.mediaMaxBytes?.[k] !== undefined);
  if (sized) {
    const max = policy.mediaMaxBytes![sized]!;
    out.push(
      { ...base(media(sized, { size: max + 1 })), name: `${name}: ${article(sized)} one byte over the channel's ${sized} limit is refused before it is queued`, covers: ['mediaMaxBytes'],
        expect: { allowed: false, codes: ['MEDIA_TOO_LARGE'], exact: true, sources: { MEDIA_TOO_LARGE: 'channel' } } },
      { ...base(media(sized, { size: max })), name: `${name}: ${article(sized)} of exactly the ${sized} limit is sent`, covers: ['mediaMaxBytes'],
        expect: { allowed: true, form: 'free-form' } },
    );
  }
  const typed = KIND_ORDER.find((k) => policy.mediaTypes?.[k] !== undefined);
  if (typed) {
    const list = policy.mediaTypes![typed]!;
    const foreign = FOREIGN_TYPES.find((t) => !mimeTypeAccepted(t, list));
    if (foreign) {
      out.push({ ...base(media(typed, { mimeType: foreign })), name: `${name}: ${foreign} sent as ${typed} is refused (not a type the channel accepts)`, covers: ['mediaTypes'],
        expect: { allowed: false, codes: ['MEDIA_TYPE_UNSUPPORTED'], exact: true, sources: { MEDIA_TYPE_UNSUPPORTED: 'channel' } } });
    }
    // an empty list accepts no type at all: there is nothing to send that passes
    if (mimeTypeAccepted(typeFor(typed), list)) {
      out.push({ ...base(media(typed, { mimeType: typeFor(typed) })), name: `${name}: ${typeFor(typed)} sent as ${typed} is accepted`, covers: ['mediaTypes'],
        expect: { allowed: true, form: 'free-form' } });
    }
  }
  const captionMax = policy.text.captionMaxLength;
  if (captionMax !== undefined) {
    const refusing: ChannelPolicy = { ...policy, text: { ...policy.text, overflow: 'refuse' } };
    const long = media('image', { caption: 'c'.repeat(captionMax + 1) });
    out.push(
      { ...base(long), name: `${name}: an invoice photo with a caption over ${captionMax} characters ${policy.text.overflow === 'split' ? 'goes, the rest of the caption as text' : 'is refused'}`, covers: ['text.captionMaxLength'],
        expect: policy.text.overflow === 'split' ? { allowed: true, form: 'free-form' } : { allowed: false, codes: ['CAPTION_TOO_LONG'], exact: true, sources: { CAPTION_TOO_LONG: 'channel' } } },
      { ...base(long, refusing), name: `${name}: a caption over ${captionMax} characters where the channel refuses longer text`, covers: ['text.captionMaxLength'],
        expect: { allowed: false, codes: ['CAPTION_TOO_LONG'], exact: true, sources: { CAPTION_TOO_LONG: 'channel' } } },
      { ...base(media('image', { caption: 'c'.repeat(captionMax) }), refusing), name: `${name}: a caption of exactly ${captionMax} characters where the channel refuses longer text`, covers: ['text.captionMaxLength'],
        expect: { allowed: true, form: 'free-form' } },
    );
  }
  return out;
}

/**
 * Declared rules the policy engine does not decide, and where they are enforced instead: the
 * coverage check does not ask a scenario for them.
 */
export const RULES_OUTSIDE_THE_ENGINE: Readonly<Record<string, string>> = {
  requiresHumanEscalation: 'the host routes the conversation to a human agent',
  optOutKeywords: 'the host records an opt-out when an inbound message is one of the keywords',
};

/**
 * The rules a channel policy declares: its keys with a value that restricts something (an empty
 * list or an empty per-kind record declares nothing), without `channel` and `sources`.
 * @param policy - a channel policy
 * @returns rule keys
 */
export function declaredRules(policy: ChannelPolicy): string[] {
  return Object.entries(policy)
    .filter(([k, v]) => k !== 'channel' && k !== 'sources' && v !== undefined && !(Array.isArray(v) && v.length === 0) && !isEmptyRecord(v))
    .map(([k]) => k);
}

const isEmptyRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/**
 * The rules the coverage check asks a scenario for: the declared rules, and the caption limit
 * inside `text` (a rule of its own for the engine, documented under `text`).
 * @param policy - a channel policy
 * @returns rule keys, with `text.captionMaxLength` when declared
 */
export function coverageRules(policy: ChannelPolicy): string[] {
  return [...declaredRules(policy), ...(policy.text.captionMaxLength !== undefined ? ['text.captionMaxLength'] : [])];
}

/**
 * Declared rules no scenario of their channel covers.
 * @param policies - the policies per channel
 * @param scenarios - the scenarios over them
 * @returns `channel.rule` for every uncovered rule
 */
export function uncoveredRules(policies: Record<ChannelName, ChannelPolicy>, scenarios: PolicyScenario[]): string[] {
  const out: string[] = [];
  for (const [channel, policy] of Object.entries(policies) as [ChannelName, ChannelPolicy][]) {
    const covered = new Set(scenarios.filter((s) => s.channel === channel).flatMap((s) => s.covers));
    for (const rule of coverageRules(policy)) if (!(rule in RULES_OUTSIDE_THE_ENGINE) && !covered.has(rule)) out.push(`${channel}.${rule}`);
  }
  return out;
}

/**
 * Policy scenarios from real deployments (a car workshop, an airline, a snack stand), written as
 * data so that the same set runs against core's fixture policies, against the connector packages'
 * declared policies (cross-package test), in the benchmark and in the demo.
 */
import {
  DEFAULT_BUSINESS_POLICY, deriveConsentState,
  type BusinessPolicy, type ChannelPolicy, type ConsentEntry, type ConsentState, type MessageIntent,
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
  group: 'in-window' | 'outside-window' | 'consent' | 'tags' | 'customer-controls' | 'business' | 'initiation' | 'content';
  channel: ChannelName;
  /** The time of the decision (epoch ms). */
  now: number;
  intent: MessageIntent;
  context: PolicyContext;
  expect: ScenarioExpectation;
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

  return [
    {
      name: 'car workshop replies inside the WhatsApp window', group: 'in-window', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('Your car is ready for pick-up.') },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'free-form text outside the WhatsApp window', group: 'outside-window', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Any news?') },
      context: { ...wa, conversation: outside },
      expect: { allowed: false, codes: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], exact: true, sources: { WINDOW_CLOSED: 'channel', TEMPLATE_REQUIRED: 'channel' } },
    },
    {
      name: 'airline gate change: approved utility template outside the window', group: 'outside-window', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'a "payment confirmation" opt-in does not cover "flight updates"', group: 'consent', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: onlyPaymentTopic, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true },
    },
    {
      name: 'marketing template without marketing consent', group: 'consent', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: onlyPaymentTopic, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['NO_CONSENT'], exact: true },
    },
    {
      name: 'marketing on WhatsApp after a marketing opt-out on Telegram', group: 'consent', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: annaTelegramStop, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['OPTED_OUT'], exact: true, sources: { OPTED_OUT: 'customer' } },
    },
    {
      name: 'marketing template to a +1 number', group: 'consent', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '+14155550123', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: anna, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['MARKETING_REGION_BLOCKED'], exact: true, sources: { MARKETING_REGION_BLOCKED: 'channel' } },
    },
    {
      name: 'template still in review', group: 'outside-window', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: { status: 'submitted', category: 'utility' } },
      expect: { allowed: false, codes: ['TEMPLATE_NOT_APPROVED'], exact: true, sources: { TEMPLATE_NOT_APPROVED: 'channel' } },
    },
    {
      name: 'snack stand offers beer on WhatsApp', group: 'content', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('Add a cold beer?'), commerceCategory: 'alcohol' },
      context: { ...wa, conversation: inWindow },
      expect: { allowed: false, codes: ['RESTRICTED_COMMERCE'], exact: true, sources: { RESTRICTED_COMMERCE: 'channel' } },
    },
    {
      name: 'business window of 12 h is stricter than WhatsApp 24 h', group: 'business', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Following up on your question') },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, conversation: { lastInboundAt: NOW - 13 * HOUR } },
      expect: { allowed: false, codes: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], exact: true, sources: { WINDOW_CLOSED: 'business' } },
    },
    {
      name: 'quiet hours 22:00–07:00 hold a gate-change notification', group: 'business', channel: 'whatsapp', now: NIGHT,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, consent: anna, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['QUIET_HOURS'], exact: true, sources: { QUIET_HOURS: 'business' } },
    },
    {
      name: 'quiet hours do not hold a reply to the customer', group: 'business', channel: 'whatsapp', now: NIGHT,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: text('We open at 8.') },
      context: { channelPolicy: policies.whatsapp, business: strictBusiness, conversation: { lastInboundAt: NIGHT - 60_000 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'a customer who blocked the business gets no notification', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: blocked, conversation: outside, template: approved },
      expect: { allowed: false, codes: ['BLOCKED'], sources: { BLOCKED: 'customer' } },
    },
    {
      name: 'a customer who blocked the business and wrote again gets a reply', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: text('Thanks for writing again') },
      context: { ...wa, consent: blocked, conversation: inWindow },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'important-only lets a gate change through', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: importantOnly, conversation: outside, template: approved },
      expect: { allowed: true, form: 'template', priceCategory: 'utility', charged: true },
    },
    {
      name: 'important-only stops marketing', group: 'customer-controls', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'marketing', sender: 'system', content: springSale },
      context: { ...wa, consent: importantOnly, template: { status: 'approved', category: 'marketing' } },
      expect: { allowed: false, codes: ['OPTED_OUT'], exact: true, sources: { OPTED_OUT: 'customer' } },
    },
    {
      name: 'Messenger HUMAN_AGENT tag used by an agent 3 days later', group: 'tags', channel: 'messenger', now: NOW,
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('An agent here: the part arrived.') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 3 * DAY } },
      expect: { allowed: true, form: 'tag' },
    },
    {
      name: 'Messenger HUMAN_AGENT tag used by a bot', group: 'tags', channel: 'messenger', now: NOW,
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'bot', tag: 'HUMAN_AGENT', content: text('Automated follow-up') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 3 * DAY } },
      expect: { allowed: false, codes: ['TAG_NOT_ALLOWED', 'WINDOW_CLOSED'], exact: true, sources: { TAG_NOT_ALLOWED: 'channel' } },
    },
    {
      name: 'Messenger HUMAN_AGENT tag 8 days later', group: 'tags', channel: 'messenger', now: NOW,
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: text('Still there?') },
      context: { channelPolicy: policies.messenger, business, conversation: { lastInboundAt: NOW - 8 * DAY } },
      expect: { allowed: false, codes: ['TAG_NOT_ALLOWED', 'WINDOW_CLOSED'], exact: true },
    },
    {
      name: 'broadcast on Messenger', group: 'content', channel: 'messenger', now: NOW,
      intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'system', broadcast: true, content: text('We are open on Sunday') },
      context: { channelPolicy: policies.messenger, business, conversation: inWindow },
      expect: { allowed: false, codes: ['BROADCAST_FORBIDDEN'], exact: true, sources: { BROADCAST_FORBIDDEN: 'channel' } },
    },
    {
      name: 'Telegram message to a user who never wrote', group: 'initiation', channel: 'telegram', now: NOW,
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { channelPolicy: policies.telegram, business },
      expect: { allowed: false, codes: ['USER_MUST_INITIATE'], exact: true, sources: { USER_MUST_INITIATE: 'channel' } },
    },
    {
      name: 'Apple message to a user who never wrote', group: 'initiation', channel: 'apple', now: NOW,
      intent: { channel: 'apple', userId: 'urn:mbid:AQAAY', purpose: 'service', sender: 'bot', content: text('Hello!') },
      context: { channelPolicy: policies.apple, business },
      expect: { allowed: false, codes: ['USER_MUST_INITIATE'], exact: true, sources: { USER_MUST_INITIATE: 'channel' } },
    },
    {
      name: 'Telegram reply to a user who sent /start', group: 'in-window', channel: 'telegram', now: NOW,
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('Welcome! Send your plate number.') },
      context: { channelPolicy: policies.telegram, business, conversation: { lastInboundAt: NOW - 60_000 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'Telegram text over the limit where the channel refuses longer text', group: 'content', channel: 'telegram', now: NOW,
      intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: text('x'.repeat(5000)) },
      context: { channelPolicy: refusingTelegram, business, conversation: { lastInboundAt: NOW - 60_000 } },
      expect: { allowed: false, codes: ['TEXT_TOO_LONG'], exact: true, sources: { TEXT_TOO_LONG: 'channel' } },
    },
    {
      name: 'Viber: 100 messages without a reply', group: 'business', channel: 'viber', now: NOW,
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'service', sender: 'bot', content: text('One more thing') },
      context: { channelPolicy: policies.viber, business, conversation: { lastInboundAt: NOW - 20 * 60_000, outboundSinceInbound: 100 } },
      expect: { allowed: false, codes: ['RATE_LIMITED'], exact: true, sources: { RATE_LIMITED: 'channel' } },
    },
    {
      name: 'Viber reply inside the 24 h session', group: 'in-window', channel: 'viber', now: NOW,
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'service', sender: 'bot', content: text('Your order is ready') },
      context: { channelPolicy: policies.viber, business, conversation: { lastInboundAt: NOW - HOUR, outboundSinceInbound: 2 } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'service', charged: false },
    },
    {
      name: 'Viber delay notice two days later is charged as bot-initiated', group: 'outside-window', channel: 'viber', now: NOW,
      intent: { channel: 'viber', userId: '01234567890A=', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: text('Flight LH 1234 is delayed by 40 minutes.') },
      context: { channelPolicy: policies.viber, business, consent: state(annaLedger, 'viber'), conversation: { lastInboundAt: NOW - 2 * DAY } },
      expect: { allowed: true, form: 'free-form', priceCategory: 'business-initiated', charged: true },
    },
    {
      name: 'WhatsApp outside-window templates past the daily unique-recipient limit', group: 'outside-window', channel: 'whatsapp', now: NOW,
      intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system', content: gateChange },
      context: { ...wa, consent: anna, conversation: outside, template: approved, usage: { uniqueRecipientsLast24h: 250 } },
      expect: { allowed: false, codes: ['RATE_LIMITED'], exact: true },
    },
  ];
}

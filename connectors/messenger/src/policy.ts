/**
 * The Messenger Platform's rules, as data.
 * @module
 */
import type { ChannelPolicy, PriceSchedule } from '@switchboard/core';

const MB = 1024 * 1024;

/** Meta's documentation pages the rules below come from. */
export const MESSENGER_DOCS = {
  policy: 'https://developers.facebook.com/docs/messenger-platform/policy/policy-overview',
  sendMessages: 'https://developers.facebook.com/docs/messenger-platform/send-messages',
  sendApi: 'https://developers.facebook.com/docs/messenger-platform/reference/send-api',
  messageTags: 'https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags',
  humanAgent: 'https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags#human_agent',
  clickToMessenger: 'https://developers.facebook.com/docs/messenger-platform/policy/policy-overview#ads',
  utilityMessages: 'https://developers.facebook.com/docs/messenger-platform/send-messages/utility-messages',
  marketingMessages: 'https://developers.facebook.com/docs/messenger-platform/marketing-messages',
  optins: 'https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_optins',
  rateLimiting: 'https://developers.facebook.com/documentation/business-messaging/messenger-platform/overview/rate-limiting',
  changelog: 'https://developers.facebook.com/docs/messenger-platform/changelog/archive',
  errorCodes: 'https://developers.facebook.com/docs/messenger-platform/error-codes',
  sendApiErrors: 'https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes',
  commercePolicy: 'https://www.facebook.com/policies_center/commerce',
  webhooks: 'https://developers.facebook.com/docs/messenger-platform/webhooks',
  webhookEvents: 'https://developers.facebook.com/docs/messenger-platform/reference/webhook-events',
} as const;

/** Message tags this connector accepts for sending outside the 24 h window (no marketing content). */
export const MESSENGER_MESSAGE_TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'HUMAN_AGENT'] as const;

/**
 * Messenger Platform messages carry no per-message fee: the schedule is empty and every price is zero.
 */
export const messengerPrices: PriceSchedule = {
  currency: 'USD',
  serviceSessionHours: 24,
  entries: [],
  source:
    'Free: Meta publishes no per-message price for Messenger Platform (Send API) messages '
    + `(${MESSENGER_DOCS.sendMessages}; CHANNELS.md "pricing: free"). Sponsored messages and Click-to-Messenger ads are `
    + 'billed as ads in Ads Manager, outside this connector.',
};

/**
 * Commerce categories Meta's Commerce Policies prohibit (representative, not exhaustive; grade G in
 * CHANNELS.md — check the policy itself before relying on the list).
 */
export const MESSENGER_RESTRICTED_COMMERCE: readonly string[] = [
  'adult',
  'alcohol',
  'animals',
  'body-parts-and-fluids',
  'digital-and-subscription-services',
  'discrimination',
  'documents-currency-and-financial-instruments',
  'gambling',
  'hazardous-goods-and-materials',
  'human-exploitation-and-sexual-services',
  'ingestible-supplements',
  'jobs',
  'medical-and-healthcare-products',
  'prescription-drugs',
  'drugs',
  'recalled-products',
  'services',
  'stolen-goods',
  'tobacco',
  'weapons',
  'ammunition',
  'explosives',
  'third-party-infringement',
];

/** The Messenger Platform's rules. */
export const messengerPolicy: ChannelPolicy = {
  channel: 'messenger',
  initiation: 'user',
  serviceWindowHours: 24,
  // Click-to-Messenger ads open a 7-day window (policy overview, "ads that click to Messenger")
  entryPointWindowHours: 168,
  outsideWindow: {
    // Utility message templates exist on Messenger (page_utility_messaging, beta, selected markets) but this
    // connector does not render them natively: they are degraded to text, which Meta refuses outside the window.
    templateCategories: [],
    tags: [
      { tag: 'CONFIRMED_EVENT_UPDATE', purposes: ['service', 'transactional'] },
      { tag: 'POST_PURCHASE_UPDATE', purposes: ['service', 'transactional'] },
      { tag: 'ACCOUNT_UPDATE', purposes: ['service', 'transactional'] },
      { tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, senders: ['agent'], purposes: ['service'] },
    ],
  },
  consentRequiredFor: ['marketing'],
  marketingAllowed: true,
  broadcast: { allowed: false },
  rateLimits: [
    { scope: 'account', limit: 300, perMs: 1000, enforcement: 'pace', note: 'Send API: 300 calls/s per Page for text, links, reactions and stickers (code 613 beyond)' },
    { scope: 'account', limit: 10, perMs: 1000, enforcement: 'pace', note: 'Send API: 10 calls/s per Page for audio or video (code 613 beyond); the dispatcher cannot tell media apart, so it paces every send' },
  ],
  text: { maxLength: 2000, overflow: 'split' },
  mediaMaxBytes: { image: 25 * MB, video: 25 * MB, audio: 25 * MB, document: 25 * MB },
  restrictedCommerce: [...MESSENGER_RESTRICTED_COMMERCE],
  pricing: messengerPrices,
  sources: [
    { rule: 'initiation', url: MESSENGER_DOCS.policy, grade: 'O' },
    { rule: 'serviceWindowHours', url: MESSENGER_DOCS.sendMessages, grade: 'O' },
    { rule: 'entryPointWindowHours', url: MESSENGER_DOCS.clickToMessenger, grade: 'O' },
    { rule: 'outsideWindow', url: MESSENGER_DOCS.messageTags, grade: 'O' },
    { rule: 'outsideWindow', url: MESSENGER_DOCS.humanAgent, grade: 'O' },
    { rule: 'outsideWindow', url: MESSENGER_DOCS.utilityMessages, grade: 'O' },
    { rule: 'consentRequiredFor', url: MESSENGER_DOCS.marketingMessages, grade: 'O' },
    { rule: 'consentRequiredFor', url: MESSENGER_DOCS.optins, grade: 'O' },
    { rule: 'marketingAllowed', url: MESSENGER_DOCS.marketingMessages, grade: 'O' },
    { rule: 'broadcast', url: MESSENGER_DOCS.changelog, grade: 'O' },
    { rule: 'rateLimits', url: MESSENGER_DOCS.rateLimiting, grade: 'O' },
    { rule: 'text', url: MESSENGER_DOCS.sendApi, grade: '3P' },
    { rule: 'mediaMaxBytes', url: MESSENGER_DOCS.sendApi, grade: '3P' },
    { rule: 'restrictedCommerce', url: MESSENGER_DOCS.commercePolicy, grade: 'G' },
    { rule: 'pricing', url: MESSENGER_DOCS.sendMessages, grade: 'G' },
  ],
};

/**
 * Channel policies for the five channels, written from ../shared/CHANNELS.md as core's own test
 * fixtures. The real policies live in the connector packages; a cross-package test reuses the
 * scenarios in `policy-scenarios.ts` against them.
 *
 * Where CHANNELS.md gives two readings the stricter one is taken (Apple text: 3000 characters,
 * the third-party figure, rather than "no maximum").
 */
import type { CapabilityTable, ChannelPolicy, PriceSchedule } from '../index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MB = 1024 * 1024;

/** Indicative WhatsApp per-message prices (EUR), with the 2025-07-01 switch to per-message pricing. */
export const whatsappPrices: PriceSchedule = {
  currency: 'EUR',
  serviceSessionHours: 24,
  source: 'test fixture: indicative figures, not a rate card',
  entries: [
    { category: 'marketing', amount: 0.0733, from: '2019-01-01', note: 'seed fact: €0.0733/msg after 24 h (2019)' },
    { category: 'utility', amount: 0.0733, from: '2019-01-01' },
    { category: 'marketing', amount: 0.1131, from: '2025-07-01' },
    { category: 'marketing', amount: 0.0250, from: '2025-07-01', market: 'IN' },
    { category: 'utility', amount: 0.0456, from: '2025-07-01', freeInServiceWindow: true },
    { category: 'authentication', amount: 0.0456, from: '2025-07-01' },
    { category: 'utility', amount: 0.0500, from: '2026-10-01' },
  ],
};

/** Indicative Viber prices: every bot-initiated message is charged; replies in the 24 h session are free. */
export const viberPrices: PriceSchedule = {
  currency: 'EUR',
  serviceSessionHours: 24,
  source: 'test fixture: indicative figures (plus a €100/month/bot fee outside the per-message model)',
  entries: [{ category: 'business-initiated', amount: 0.0085, from: '2024-02-05' }],
};

/** WhatsApp Cloud API. */
export const whatsappPolicy: ChannelPolicy = {
  channel: 'whatsapp',
  initiation: 'template',
  serviceWindowHours: 24,
  entryPointWindowHours: 72,
  outsideWindow: { templateCategories: ['marketing', 'utility', 'authentication'] },
  consentRequiredFor: ['transactional', 'marketing'],
  marketingAllowed: true,
  marketingTemplateBlockedCountries: ['US'],
  broadcast: { allowed: true },
  rateLimits: [
    { scope: 'account', limit: 80, perMs: 1000, enforcement: 'pace', note: '130429' },
    { scope: 'recipient', limit: 1, perMs: 6000, enforcement: 'pace', note: '131056' },
    { scope: 'unique-recipients-per-day', limit: 250, perMs: DAY_MS, enforcement: 'deny', note: 'portfolio limit, first tier', tiers: [2000, 10_000, 100_000], unlimitedTier: true },
  ],
  text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
  mediaMaxBytes: { image: 5 * MB, video: 16 * MB, audio: 16 * MB, document: 100 * MB, sticker: 100 * 1024 },
  mediaTypes: {
    image: ['image/jpeg', 'image/png'],
    video: ['video/mp4', 'video/3gpp'],
    audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg; codecs=opus'],
    document: [
      'text/plain', 'application/pdf', 'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    sticker: ['image/webp'],
  },
  contentTypes: ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction', 'interactive', 'template'],
  restrictedCommerce: ['drugs', 'prescription-drugs', 'tobacco', 'alcohol', 'weapons', 'animals', 'adult', 'medical', 'gambling', 'dating'],
  pricing: whatsappPrices,
  sources: [
    { rule: 'serviceWindowHours', url: 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages', grade: 'O' },
    { rule: 'marketingTemplateBlockedCountries', url: 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates#per-user-marketing-template-message-limits', grade: 'O' },
    { rule: 'restrictedCommerce', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O' },
    { rule: 'rateLimits', url: 'https://developers.facebook.com/docs/whatsapp/messaging-limits', grade: 'O' },
    { rule: 'mediaMaxBytes', url: 'https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types', grade: 'O' },
    { rule: 'mediaTypes', url: 'https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types', grade: 'O' },
  ],
};

/** Messenger Platform. */
export const messengerPolicy: ChannelPolicy = {
  channel: 'messenger',
  initiation: 'user',
  serviceWindowHours: 24,
  entryPointWindowHours: 7 * 24,
  outsideWindow: {
    templateCategories: ['utility'],
    tags: [
      { tag: 'CONFIRMED_EVENT_UPDATE' },
      { tag: 'POST_PURCHASE_UPDATE' },
      { tag: 'ACCOUNT_UPDATE' },
      { tag: 'HUMAN_AGENT', maxHoursSinceInbound: 7 * 24, senders: ['agent'], purposes: ['service'] },
    ],
  },
  consentRequiredFor: ['marketing'],
  marketingAllowed: true,
  broadcast: { allowed: false },
  rateLimits: [{ scope: 'account', limit: 300, perMs: 1000, enforcement: 'pace', note: 'text calls per page' }],
  text: { maxLength: 2000, overflow: 'split' },
  mediaMaxBytes: { image: 25 * MB, video: 25 * MB, audio: 25 * MB, document: 25 * MB },
  restrictedCommerce: ['drugs', 'tobacco', 'alcohol', 'weapons', 'adult'],
  sources: [{ rule: 'tags', url: 'https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags', grade: 'O' }],
};

/** Telegram Bot API. */
export const telegramPolicy: ChannelPolicy = {
  channel: 'telegram',
  initiation: 'user',
  consentRequiredFor: [],
  marketingAllowed: true,
  broadcast: { allowed: true },
  rateLimits: [
    { scope: 'recipient', limit: 1, perMs: 1000, enforcement: 'pace' },
    { scope: 'account', limit: 30, perMs: 1000, enforcement: 'pace' },
    { scope: 'group', limit: 20, perMs: 60_000, enforcement: 'pace' },
  ],
  text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
  mediaMaxBytes: { image: 10 * MB, video: 50 * MB, audio: 50 * MB, document: 50 * MB },
  restrictedCommerce: [],
  sources: [{ rule: 'initiation', url: 'https://core.telegram.org/bots/faq', grade: 'O' }],
};

/** Viber REST Bot API. */
export const viberPolicy: ChannelPolicy = {
  channel: 'viber',
  initiation: 'user',
  consentRequiredFor: ['marketing'],
  marketingAllowed: true,
  broadcast: { allowed: true, maxRecipientsPerRequest: 300 },
  rateLimits: [{ scope: 'recipient-without-reply', limit: 100, perMs: HOUR_MS, enforcement: 'deny' }],
  text: { maxLength: 7000, captionMaxLength: 120, overflow: 'split' },
  mediaMaxBytes: { image: 1 * MB, video: 26 * MB, document: 50 * MB },
  restrictedCommerce: [],
  pricing: viberPrices,
  sources: [{ rule: 'rateLimits', url: 'https://creators.viber.com/docs/bots-api/', grade: 'O' }],
};

/** Apple Messages for Business, through an MSP. */
export const applePolicy: ChannelPolicy = {
  channel: 'apple',
  initiation: 'user',
  consentRequiredFor: ['transactional', 'marketing'],
  marketingAllowed: true,
  broadcast: { allowed: false },
  rateLimits: [],
  text: { maxLength: 3000, overflow: 'split' },
  mediaMaxBytes: { image: 100 * MB, video: 100 * MB, audio: 100 * MB, document: 100 * MB },
  restrictedCommerce: [],
  requiresHumanEscalation: true,
  optOutKeywords: ['unsubscribe', 'stop', 'end', 'spam'],
  sources: [{ rule: 'initiation', url: 'https://register.apple.com/resources/messages/messaging-documentation/policies', grade: 'O' }],
};

/** The five policies by channel id. */
export const CHANNEL_POLICIES = {
  whatsapp: whatsappPolicy,
  messenger: messengerPolicy,
  telegram: telegramPolicy,
  viber: viberPolicy,
  apple: applePolicy,
} as const;

/** A capability table for Telegram-like channels (no templates, rich content degraded). */
export const telegramCapabilities: CapabilityTable = {
  text: 'native', image: 'native', video: 'native', audio: 'native', document: 'native', sticker: 'native',
  location: 'native', contacts: 'native', reply: 'unsupported', reaction: 'native', interactive: 'native',
  template: { support: 'degraded', note: 'sent as its fallback text' }, rich: 'unsupported',
};

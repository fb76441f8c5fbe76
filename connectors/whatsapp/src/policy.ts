/**
 * The WhatsApp Business Platform's rules, as data.
 * @module
 */
import type { ChannelPolicy, PriceSchedule } from '@switchboard/core';

const DAY_MS = 24 * 60 * 60 * 1000;
const KB = 1024;
const MB = 1024 * KB;

/** Meta's documentation pages the rules below come from. */
export const WHATSAPP_DOCS = {
  templates: 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates',
  pricing: 'https://developers.facebook.com/docs/whatsapp/pricing',
  pricingUpdates: 'https://developers.facebook.com/docs/whatsapp/pricing/updates-to-pricing',
  optIn: 'https://developers.facebook.com/docs/whatsapp/overview/getting-opt-in',
  messagingLimits: 'https://developers.facebook.com/docs/whatsapp/messaging-limits',
  throughput: 'https://developers.facebook.com/docs/whatsapp/cloud-api/overview#throughput',
  pairRate: 'https://developers.facebook.com/docs/whatsapp/cloud-api/overview#pair-rate-limits',
  messagesReference: 'https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages',
  media: 'https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types',
  commercePolicy: 'https://www.whatsapp.com/legal/commerce-policy',
  businessPolicy: 'https://business.whatsapp.com/policy',
  userPreferences: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences',
  errorCodes: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes',
} as const;

/**
 * Indicative WhatsApp prices in EUR for recipients in Germany (+49), used as the default market.
 * These are NOT contract rates: load your own rate card (Meta publishes one per currency and
 * market, updated quarterly) before using prices for billing.
 */
export const whatsappPrices: PriceSchedule = {
  currency: 'EUR',
  serviceSessionHours: 24,
  source:
    'INDICATIVE figures, Germany market, EUR. Conversation-based rates (2023-06-01 to 2025-06-30, charged per 24 h conversation '
    + 'opened) and per-message rates from 2025-07-01 from Meta\'s published rate cards as quoted by third parties '
    + '(hello-charles.com, chatarmin.com); see ' + WHATSAPP_DOCS.pricing + '. Service conversations are free since 2024-11-01. '
    + 'The 2026-10-01 change (service and in-window utility messages charged) is reported by a third party '
    + '(chakrahq.com) without rates: the utility entry from that date only drops the in-window exemption; a charged '
    + '"service" category cannot be expressed by the core price model yet. Load your contract\'s rate card for billing.',
  entries: [
    // conversation-based pricing (per 24 h conversation, categories introduced 2023-06-01)
    { category: 'marketing', amount: 0.1131, from: '2023-06-01', note: 'per conversation (CBP), indicative, DE' },
    { category: 'utility', amount: 0.0456, from: '2023-06-01', note: 'per conversation (CBP), indicative, DE' },
    { category: 'authentication', amount: 0.0636, from: '2023-06-01', note: 'per conversation (CBP), indicative, DE' },
    // per-message pricing: templates charged on delivery; utility free inside an open service window
    { category: 'marketing', amount: 0.1131, from: '2025-07-01', note: 'per delivered template (PMP), indicative, DE' },
    { category: 'utility', amount: 0.0456, from: '2025-07-01', freeInServiceWindow: true, note: 'per delivered template (PMP), free in the service window, indicative, DE' },
    { category: 'authentication', amount: 0.0456, from: '2025-07-01', note: 'per delivered template (PMP), indicative, DE' },
    // reported (3P): from 2026-10-01 utility templates inside the window are charged too; rate unknown, 2025 figure kept
    { category: 'utility', amount: 0.0456, from: '2026-10-01', note: 'reported (3P, chakrahq.com): in-window utility charged from 2026-10-01; rate not published, indicative' },
  ],
};

/** Commerce categories WhatsApp's Commerce Policy prohibits (representative, not exhaustive). */
export const WHATSAPP_RESTRICTED_COMMERCE: readonly string[] = [
  'illegal-products-or-services',
  'drugs',
  'prescription-drugs',
  'medicines',
  'drug-paraphernalia',
  'tobacco',
  'alcohol',
  'unsafe-ingestible-supplements',
  'weapons',
  'ammunition',
  'explosives',
  'animals',
  'adult',
  'overtly-sexualized-products',
  'body-parts-and-fluids',
  'medical-and-healthcare-products',
  'gambling',
  'real-money-games',
  'dating',
  'currency',
  'digital-and-subscription-services',
  'unauthorized-media-access-devices',
  'fraudulent-or-deceptive-services',
  'payday-loans-and-debt-collection',
  'multi-level-marketing',
  'hazardous-goods',
  'recalled-products',
  'stolen-goods',
  'counterfeit-goods',
  'third-party-infringement',
];

/**
 * The WhatsApp channel policy.
 *
 * Where sources disagree the stricter reading is taken (see the README): static stickers are
 * limited to 100 KB although animated ones may reach 500 KB; the per-pair rate is paced at one
 * message per 6 s although the platform tolerates short bursts.
 */
export const whatsappPolicy: ChannelPolicy = {
  channel: 'whatsapp',
  initiation: 'template',
  serviceWindowHours: 24,
  entryPointWindowHours: 72,
  outsideWindow: { templateCategories: ['marketing', 'utility', 'authentication'] },
  consentRequiredFor: ['transactional', 'marketing'],
  marketingAllowed: true,
  marketingBlockedCallingCodes: ['1'],
  broadcast: { allowed: true, maxRecipientsPerRequest: 1 },
  rateLimits: [
    { scope: 'account', limit: 80, perMs: 1000, enforcement: 'pace', note: '80 messages/s per business phone number (default throughput); error 130429' },
    { scope: 'recipient', limit: 1, perMs: 6000, enforcement: 'pace', note: 'pair rate: ~1 message per 6 s to the same user; error 131056' },
    {
      scope: 'unique-recipients-per-day', limit: 250, perMs: DAY_MS, enforcement: 'deny',
      note: 'portfolio messaging limit outside the service window: 250 unique users per moving 24 h by default, then 2K, 10K, 100K, unlimited as quality and volume allow',
    },
  ],
  text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
  mediaMaxBytes: { image: 5 * MB, video: 16 * MB, audio: 16 * MB, document: 100 * MB, sticker: 100 * KB },
  restrictedCommerce: [...WHATSAPP_RESTRICTED_COMMERCE],
  pricing: whatsappPrices,
  sources: [
    { rule: 'initiation', url: WHATSAPP_DOCS.templates, grade: 'O' },
    { rule: 'serviceWindowHours', url: `${WHATSAPP_DOCS.pricing}#customer-service-windows`, grade: 'O' },
    { rule: 'entryPointWindowHours', url: `${WHATSAPP_DOCS.pricing}#free-entry-point-windows`, grade: 'O' },
    { rule: 'outsideWindow', url: WHATSAPP_DOCS.templates, grade: 'O' },
    { rule: 'consentRequiredFor', url: WHATSAPP_DOCS.optIn, grade: 'O' },
    { rule: 'consentRequiredFor', url: WHATSAPP_DOCS.businessPolicy, grade: 'O' },
    { rule: 'consentRequiredFor', url: WHATSAPP_DOCS.userPreferences, grade: 'O' },
    { rule: 'marketingBlockedCallingCodes', url: WHATSAPP_DOCS.pricingUpdates, grade: 'O' },
    { rule: 'broadcast', url: WHATSAPP_DOCS.messagingLimits, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.throughput, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.pairRate, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.messagingLimits, grade: 'O' },
    { rule: 'text', url: `${WHATSAPP_DOCS.messagesReference}#text-object`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: WHATSAPP_DOCS.media, grade: 'O' },
    { rule: 'restrictedCommerce', url: WHATSAPP_DOCS.commercePolicy, grade: 'O' },
    { rule: 'pricing', url: WHATSAPP_DOCS.pricing, grade: 'O' },
    { rule: 'pricing', url: 'https://www.hello-charles.com/en-gb/blog/whatsapp-business-pricing-2025-explained-the-ultimative-guide', grade: '3P' },
    { rule: 'pricing', url: 'https://chakrahq.com/article/whatsapp-api-pricing-update-service-messages-october-2026/', grade: '3P' },
  ],
};

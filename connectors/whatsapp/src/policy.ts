/**
 * The WhatsApp Business Platform's rules, as data.
 * @module
 */
import type { ChannelPolicy, MediaKind, PriceSchedule } from '@switchboard/core';

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
  mediaReference: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/',
  commercePolicy: 'https://www.whatsapp.com/legal/commerce-policy',
  businessPolicy: 'https://business.whatsapp.com/policy',
  userPreferences: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences',
  errorCodes: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes',
  perUserMarketingLimits: 'https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates#per-user-marketing-template-message-limits',
} as const;

/** What the Cloud API takes for one media kind. */
export interface WhatsAppMediaLimit {
  /** MIME types Meta lists as supported for the kind (`audio/ogg; codecs=opus`: Ogg with Opus only; a bare `audio/ogg` passes). */
  types: readonly string[];
  /** The size the policy declares: the stricter figure where Meta gives two (static stickers). */
  maxBytes: number;
  /** The largest file the upload endpoint takes for the kind (animated stickers may reach 500 KB). */
  uploadMaxBytes: number;
}

/**
 * Meta's supported media types and sizes per kind ("Supported media types" in the media reference,
 * checked 2026-12; third-party copies of the table agree): audio AAC, AMR, MP3, M4A and Ogg (Opus
 * codecs only) up to 16 MB; documents text, PDF and the Office formats up to 100 MB; images JPEG and
 * PNG (8-bit RGB/RGBA) up to 5 MB; stickers WebP, 100 KB static and 500 KB animated; video MP4 and
 * 3GPP (H.264 with AAC) up to 16 MB.
 */
export const WHATSAPP_MEDIA_LIMITS: Readonly<Record<MediaKind, WhatsAppMediaLimit>> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB, uploadMaxBytes: 5 * MB },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB, uploadMaxBytes: 16 * MB },
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg; codecs=opus'], maxBytes: 16 * MB, uploadMaxBytes: 16 * MB },
  document: {
    types: [
      'text/plain', 'application/pdf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB, uploadMaxBytes: 100 * MB,
  },
  sticker: { types: ['image/webp'], maxBytes: 100 * KB, uploadMaxBytes: 500 * KB },
};

const mediaOf = <T>(pick: (l: WhatsAppMediaLimit) => T): Record<MediaKind, T> =>
  Object.fromEntries(Object.entries(WHATSAPP_MEDIA_LIMITS).map(([kind, l]) => [kind, pick(l)])) as Record<MediaKind, T>;

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

/**
 * Meta's commerce restrictions, one entry per category of core's shared vocabulary
 * (`COMMERCE_CATEGORIES`). One Meta Commerce Policy governs WhatsApp and Messenger (the WhatsApp
 * Commerce Policy defers to it), so the WhatsApp and Messenger connectors declare this same list;
 * a cross-package test (test/e2e/policy/channel-policies.test.ts) keeps the two copies equal.
 * Checked 2026-12 against whatsapp.com/legal/commerce-policy (the list Meta published there) and
 * the Meta Commerce Policies; categories found only in third-party summaries of the current policy
 * are graded 3P. Representative, not exhaustive: Meta's examples are "representative, not exhaustive".
 */
export const META_COMMERCE_RESTRICTIONS: readonly { category: string; url: string; grade: 'O' | '3P' | 'G'; note: string }[] = [
  { category: 'illegal-products-or-services', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'illegal products or services' },
  { category: 'drugs', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'illegal, prescription or recreational drugs, including marijuana' },
  { category: 'prescription-drugs', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'prescription drugs (with illegal and recreational drugs)' },
  { category: 'drug-paraphernalia', url: 'https://www.facebook.com/policies_center/commerce', grade: 'O', note: 'prescription products, drugs and drug paraphernalia: pipes, bongs' },
  { category: 'tobacco', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'tobacco items and related paraphernalia, e-cigarettes' },
  { category: 'alcohol', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'alcohol' },
  { category: 'ingestible-supplements', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'unsafe (ingestible) supplements' },
  { category: 'weapons', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'weapons, ammunition or explosives' },
  { category: 'ammunition', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'weapons, ammunition or explosives' },
  { category: 'explosives', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'weapons, ammunition or explosives' },
  { category: 'animals', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'animals' },
  { category: 'adult', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'adult items or services' },
  { category: 'overtly-sexualized-products', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'items or products with overtly sexualised positioning' },
  { category: 'medical-and-healthcare-products', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'adult health items; healthcare products incl. medical devices and nicotine smoking-cessation products (current policy, 3P summary: help.nxlink.ai)' },
  { category: 'gambling', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'real money gambling services' },
  { category: 'fraudulent-or-deceptive', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'goods, items or posts that may be or are fraudulent, misleading, deceptive or offensive; Meta Commerce Policies "Misleading, violent, or hateful"' },
  { category: 'subscriptions-and-digital-products', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'subscriptions and digital products' },
  { category: 'digital-media-unauthorized-access', url: 'https://www.whatsapp.com/legal/commerce-policy', grade: 'O', note: 'products or items that facilitate or encourage unauthorised access to digital media' },
  { category: 'body-parts-and-fluids', url: 'https://help.nxlink.ai/en/docs/P1u7R6', grade: '3P', note: 'body parts and fluids (current WhatsApp Commerce Policy, third-party summary)' },
  { category: 'dating', url: 'https://help.nxlink.ai/en/docs/P1u7R6', grade: '3P', note: 'dating services (current WhatsApp Commerce Policy, third-party summary)' },
  { category: 'currency', url: 'https://help.nxlink.ai/en/docs/P1u7R6', grade: '3P', note: 'real, virtual or counterfeit currency; documents, currency and financial instruments (Meta Commerce Policies)' },
  { category: 'payday-loans-and-debt-collection', url: 'https://help.nxlink.ai/en/docs/P1u7R6', grade: '3P', note: 'payday loans, paycheck advances, P2P lending, debt collection, bail bonds (third-party summary)' },
  { category: 'third-party-infringement', url: 'https://help.nxlink.ai/en/docs/P1u7R6', grade: '3P', note: 'third-party infringement: counterfeits and pirated goods (third-party summary)' },
  { category: 'multi-level-marketing', url: 'https://niswey.com/knowledge-base/prohibited-organizations-use', grade: '3P', note: 'multi-level marketing (third-party summary of the WhatsApp Business Messaging Policy)' },
  { category: 'hazardous-goods-and-materials', url: 'https://niswey.com/knowledge-base/prohibited-organizations-use', grade: '3P', note: 'hazardous goods and materials (third-party summary; a Meta Commerce Policies category)' },
  { category: 'recalled-products', url: 'https://www.facebook.com/policies_center/commerce', grade: 'G', note: 'recalled products (Meta Commerce Policies category; its page was not in our sources)' },
  { category: 'stolen-goods', url: 'https://www.facebook.com/policies_center/commerce', grade: 'G', note: 'stolen goods (Meta Commerce Policies category; its page was not in our sources)' },
  { category: 'human-exploitation-and-sexual-services', url: 'https://www.facebook.com/policies_center/commerce', grade: 'G', note: 'human exploitation and sexual services (Meta Commerce Policies category; its page was not in our sources)' },
  { category: 'discrimination', url: 'https://www.facebook.com/policies_center/commerce', grade: 'G', note: 'discrimination (Meta Commerce Policies category; its page was not in our sources)' },
];

/** Commerce categories Meta's Commerce Policy prohibits on WhatsApp (the same list as Messenger's). */
export const WHATSAPP_RESTRICTED_COMMERCE: readonly string[] = META_COMMERCE_RESTRICTIONS.map((r) => r.category);

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
  // paused since 2025-04-01 for US numbers only (+1 and a US area code): Canada and the Caribbean still receive them
  marketingTemplateBlockedCountries: ['US'],
  broadcast: { allowed: true, maxRecipientsPerRequest: 1 },
  rateLimits: [
    { scope: 'account', limit: 80, perMs: 1000, enforcement: 'pace', note: '80 messages/s per business phone number (default throughput); error 130429' },
    { scope: 'recipient', limit: 1, perMs: 6000, enforcement: 'pace', note: 'pair rate: ~1 message per 6 s to the same user; error 131056' },
    {
      scope: 'unique-recipients-per-day', limit: 250, perMs: DAY_MS, enforcement: 'deny', tiers: [2000, 10_000, 100_000], unlimitedTier: true,
      note: 'business-portfolio messaging limit: unique users reached with business-initiated messages (outside the service window) per moving 24 h; 250 to start, then 2K, 10K, 100K, unlimited as quality and volume allow',
    },
  ],
  text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
  mediaMaxBytes: mediaOf((l) => l.maxBytes),
  mediaTypes: mediaOf((l) => [...l.types]),
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
    { rule: 'marketingAllowed', url: `${WHATSAPP_DOCS.templates} (marketing templates, approved, to users who opted in)`, grade: 'O' },
    { rule: 'marketingTemplateBlockedCountries', url: `${WHATSAPP_DOCS.perUserMarketingLimits} (marketing templates are not delivered to users with US phone numbers: +1 and a US area code)`, grade: 'O' },
    { rule: 'marketingTemplateBlockedCountries', url: 'https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-features-whatsapp-templates.html (from 2025-04-01)', grade: '3P' },
    { rule: 'broadcast', url: WHATSAPP_DOCS.messagingLimits, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.throughput, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.pairRate, grade: 'O' },
    { rule: 'rateLimits', url: WHATSAPP_DOCS.messagingLimits, grade: 'O' },
    { rule: 'text', url: `${WHATSAPP_DOCS.messagesReference}#text-object`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: WHATSAPP_DOCS.media, grade: 'O' },
    { rule: 'mediaTypes', url: `${WHATSAPP_DOCS.media} (audio: Ogg with Opus codecs only)`, grade: 'O' },
    { rule: 'mediaTypes', url: 'https://docs-wa.neuapix.com/whatsapp-api/whatsapp-api/media (the same table)', grade: '3P' },
    { rule: 'text.captionMaxLength', url: `${WHATSAPP_DOCS.messagesReference}#media-object (caption: maximum 1024 characters)`, grade: 'O' },
    { rule: 'restrictedCommerce', url: `${WHATSAPP_DOCS.commercePolicy} (defers to the Meta Commerce Policy: one list with Messenger)`, grade: 'O' },
    ...META_COMMERCE_RESTRICTIONS.map((r) => ({ rule: `restrictedCommerce.${r.category}`, url: `${r.url} (${r.note})`, grade: r.grade })),
    { rule: 'pricing', url: WHATSAPP_DOCS.pricing, grade: 'O' },
    { rule: 'pricing', url: 'https://www.hello-charles.com/en-gb/blog/whatsapp-business-pricing-2025-explained-the-ultimative-guide', grade: '3P' },
    { rule: 'pricing', url: 'https://chakrahq.com/article/whatsapp-api-pricing-update-service-messages-october-2026/', grade: '3P' },
  ],
};

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
  savingAssets: 'https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages/saving-assets',
  attachmentUpload: 'https://developers.facebook.com/docs/messenger-platform/reference/attachment-upload-api',
} as const;

/**
 * MIME types per media kind the connector declares. Meta's pages name asset kinds (image, audio,
 * video, file) and one type rule — audio "Content-Type header must use type audio" — but no list of
 * formats; a third-party channel guide (Webex Connect, "Supported File Types for Channels") lists the
 * formats Messenger plays: the stricter reading is declared for the kinds Messenger renders, and a
 * file (`document`) may be of any type, as Meta's `file` asset names none.
 */
export const MESSENGER_MEDIA_TYPES = {
  image: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp'],
  video: ['video/mp4', 'video/quicktime', 'video/x-m4v', 'video/3gpp', 'video/x-flv'],
  audio: ['audio/mpeg', 'audio/mp4', 'audio/amr'],
  // Messenger sends a sticker as an image attachment
  sticker: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp'],
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

/** Commerce categories Meta's Commerce Policy prohibits on Messenger (the same list as WhatsApp's). */
export const MESSENGER_RESTRICTED_COMMERCE: readonly string[] = META_COMMERCE_RESTRICTIONS.map((r) => r.category);

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
  // every outbound file goes by URL (media.upload 'url'): images fetched from a URL may be 8 MB, other assets 25 MB
  mediaMaxBytes: { image: 8 * MB, video: 25 * MB, audio: 25 * MB, document: 25 * MB, sticker: 8 * MB },
  mediaTypes: {
    image: [...MESSENGER_MEDIA_TYPES.image], video: [...MESSENGER_MEDIA_TYPES.video], audio: [...MESSENGER_MEDIA_TYPES.audio], sticker: [...MESSENGER_MEDIA_TYPES.sticker],
  },
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
    { rule: 'mediaMaxBytes', url: `${MESSENGER_DOCS.savingAssets} (assets up to 25 MB; image: 8 MB max for URL uploads)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${MESSENGER_DOCS.savingAssets} (audio: the Content-Type must be of type audio)`, grade: 'O' },
    { rule: 'mediaTypes', url: 'https://help.webexconnect.io/docs/supported-file-types-for-channels (Facebook Messenger: image jpg, gif, webp, png, bmp; audio mp3, amr, m4a; video mp4, mov, m4v, 3gp, flv)', grade: '3P' },
    { rule: 'restrictedCommerce', url: `${MESSENGER_DOCS.commercePolicy} (the Meta Commerce Policy: one list with WhatsApp)`, grade: 'O' },
    ...META_COMMERCE_RESTRICTIONS.map((r) => ({ rule: `restrictedCommerce.${r.category}`, url: `${r.url} (${r.note})`, grade: r.grade })),
    { rule: 'pricing', url: MESSENGER_DOCS.sendMessages, grade: 'G' },
  ],
};

/**
 * Viber's rules as data, with where each is documented.
 * @module
 */
import type { ChannelPolicy, PriceSchedule } from '@switchboard/core';
import { VIBER_LIMITS } from './viber-api.js';

const DOCS = {
  restApi: 'https://developers.viber.com/docs/api/rest-bot-api/',
  welcome: 'https://creators.viber.com/docs/bots-api/resources/messaging/welcome-message',
  conversationStarted: 'https://creators.viber.com/docs/bots-api/events/conversation-started',
  sendMessage: 'https://creators.viber.com/docs/bots-api/resources/messaging/send-message',
  broadcast: 'https://creators.viber.com/docs/bots-api/resources/messaging/broadcast-message',
  broadcastGuide: 'https://developers.viber.com/docs/guides/broadcast-rest-api/',
  messageModel: 'https://creators.viber.com/docs/bots-api/data-models/message',
  errors: 'https://creators.viber.com/docs/bots-api/errors',
  commercialModel: 'https://help.viber.com/hc/en-us/articles/15247629658525-Bot-commercial-model',
  commercialFaq: 'https://help.viber.com/hc/en-us/articles/15383950711197-Rakuten-Viber-chatbot-commercial-model-FAQ',
  ratesThirdParty: 'https://help.bothelp.io/en/features-of-working-with-viber',
  monthlyFeeThirdParty: 'https://test-respond.netlify.app/help/viber/viber-overview',
  mediaThirdParty: 'https://infobip.com/docs/viber/bots/message-types',
} as const;

/**
 * Indicative prices of chatbot-initiated messages, per recipient market (the country code of the
 * subscriber's phone number). Messages inside the 24-hour session a subscriber's message opens
 * are free, and so is the welcome message. Bots created since 2024-02-05 also pay a monthly fee
 * (EUR 100 per bot, reported by partners) that is not a per-message price and is not modelled here.
 */
export const viberPrices: PriceSchedule = {
  currency: 'EUR',
  serviceSessionHours: 24,
  source: `Indicative only: Viber publishes no public rate card; rates as listed by a Viber partner (${DOCS.ratesThirdParty}, 3P), `
    + `session and welcome-message rules from ${DOCS.commercialModel} (O). Load your contract's rates.`,
  entries: [
    { category: 'business-initiated', amount: 0.0196, from: '2022-09-01', freeInServiceWindow: true, note: 'no public default: the highest rate of the partner list, as a conservative estimate' },
    { category: 'business-initiated', amount: 0.0189, from: '2022-09-01', market: 'DE', freeInServiceWindow: true, note: '3P partner list' },
    { category: 'business-initiated', amount: 0.0196, from: '2022-09-01', market: 'UA', freeInServiceWindow: true, note: '3P partner list' },
    { category: 'business-initiated', amount: 0.0196, from: '2022-09-01', market: 'RU', freeInServiceWindow: true, note: '3P partner list' },
    { category: 'business-initiated', amount: 0.0138, from: '2022-09-01', market: 'BY', freeInServiceWindow: true, note: '3P partner list' },
    { category: 'business-initiated', amount: 0.0138, from: '2022-09-01', market: 'AM', freeInServiceWindow: true, note: '3P partner list' },
    { category: 'business-initiated', amount: 0.0115, from: '2022-09-01', market: 'GE', freeInServiceWindow: true, note: '3P partner list' },
  ],
};

/** Viber's channel policy. */
export const viberPolicy: ChannelPolicy = {
  channel: 'viber',
  // a bot may message a user only after they subscribed or wrote; the one exception, the welcome
  // message, is the HTTP answer to conversation_started and never passes the outbox
  initiation: 'user',
  consentRequiredFor: ['marketing'],
  marketingAllowed: true,
  broadcast: { allowed: true, maxRecipientsPerRequest: VIBER_LIMITS.broadcastList },
  rateLimits: [
    {
      scope: 'recipient-without-reply', limit: VIBER_LIMITS.perUserWithoutReply, perMs: 3_600_000, enforcement: 'deny',
      note: 'at most 100 messages to a user within an hour without a reply; status 12 tooManyRequests otherwise',
    },
    {
      scope: 'account', limit: VIBER_LIMITS.broadcastRequestsPer10s, perMs: 10_000, enforcement: 'pace',
      note: '500 broadcast_message requests per 10 s; Viber publishes no send_message rate, so the same pace is applied to every call',
    },
  ],
  text: { maxLength: VIBER_LIMITS.text, captionMaxLength: VIBER_LIMITS.pictureText, overflow: 'split' },
  // Viber fetches the file from the host's URL (media.upload 'url'); audio goes as a file message,
  // a sticker without a Viber sticker_id as a picture
  mediaMaxBytes: {
    image: VIBER_LIMITS.pictureBytes,
    video: VIBER_LIMITS.videoBytes,
    document: VIBER_LIMITS.fileBytes,
    audio: VIBER_LIMITS.fileBytes,
    sticker: VIBER_LIMITS.pictureBytes,
  },
  mediaTypes: {
    image: ['image/jpeg', 'image/png', 'image/gif'],
    video: ['video/mp4'],
  },
  restrictedCommerce: [],
  pricing: viberPrices,
  sources: [
    { rule: 'initiation', url: DOCS.restApi, grade: 'O' },
    { rule: 'initiation', url: DOCS.welcome, grade: 'O' },
    { rule: 'initiation', url: DOCS.conversationStarted, grade: 'O' },
    { rule: 'serviceWindowHours', url: `${DOCS.commercialModel} (no delivery window; the 24 h session only affects billing)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${DOCS.broadcastGuide} (broadcast only to subscribers); marketing consent from the GDPR baseline`, grade: 'O' },
    { rule: 'marketingAllowed', url: `${DOCS.broadcastGuide} (no ban on promotional messages to subscribed users found; our reading, with marketing consent from the law)`, grade: 'G' },
    { rule: 'broadcast', url: DOCS.broadcast, grade: 'O' },
    { rule: 'broadcast', url: DOCS.broadcastGuide, grade: 'O' },
    { rule: 'rateLimits', url: DOCS.sendMessage, grade: 'O' },
    { rule: 'rateLimits', url: DOCS.broadcast, grade: 'O' },
    { rule: 'text', url: DOCS.messageModel, grade: 'O' },
    { rule: 'text', url: `${DOCS.restApi} (picture text ≤ 120)`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: `${DOCS.restApi}#picture-message (max image size 1 MB on iOS, 3 MB on Android: the stricter 1 MB), #video-message (26 MB), #file-message (50 MB)`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: DOCS.mediaThirdParty, grade: '3P' },
    { rule: 'mediaTypes', url: `${DOCS.restApi}#picture-message (JPEG, PNG, non-animated GIF; the URL ends in .jpeg, .png or .gif) and #video-message (MP4/H264 only, URL ending in .mp4)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${DOCS.restApi}#file-message (size and file_name with its extension required; forbidden file formats refused)`, grade: 'O' },
    { rule: 'mediaDownload', url: `${DOCS.restApi}#message (callback: media URLs of pictures, videos and files have a TTL of 1 hour)`, grade: 'O' },
    { rule: 'errors', url: DOCS.errors, grade: 'O' },
    { rule: 'pricing', url: DOCS.commercialModel, grade: 'O' },
    { rule: 'pricing', url: DOCS.commercialFaq, grade: 'O' },
    { rule: 'pricing', url: DOCS.ratesThirdParty, grade: '3P' },
    { rule: 'pricing', url: `${DOCS.monthlyFeeThirdParty} (EUR 100 per bot per month for bots created since 2024-02-05)`, grade: '3P' },
  ],
};

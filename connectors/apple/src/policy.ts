/**
 * Apple Messages for Business rules, as data.
 * @module
 */
import type { ChannelPolicy } from '@switchboard/core';

const MSP_API = 'https://register.apple.com/resources/messages/msp-rest-api';
const POLICIES = 'https://register.apple.com/resources/messages/messaging-documentation/policies';

/** Largest text part we send. Apple sets no maximum (common-specs: "no predetermined maximum"); 3000 is the most conservative third-party figure. */
export const APPLE_TEXT_MAX = 3000;

/**
 * Attachments up to 100 MB (type-text: "By default Apple Messages for Business supports file
 * attachments up to 100MB"). Apple does not say which megabyte; the stricter decimal reading is used.
 */
export const APPLE_MEDIA_MAX_BYTES = 100 * 1000 * 1000;

/**
 * The channel policy of Apple Messages for Business. Apple's rules are stricter than the
 * engine's defaults in three ways: the customer always starts, notifications need the
 * disclosure and an explicit subscribe, and a live agent must be reachable.
 */
export const applePolicy: ChannelPolicy = {
  channel: 'apple',
  initiation: 'user',
  consentRequiredFor: ['transactional', 'marketing'],
  marketingAllowed: true,
  broadcast: { allowed: false },
  rateLimits: [],
  // no captionMaxLength: Apple attachments have no caption field; the connector sends a caption as
  // the following text message(s), split at maxLength like any text
  text: { maxLength: APPLE_TEXT_MAX, overflow: 'split' },
  mediaMaxBytes: {
    image: APPLE_MEDIA_MAX_BYTES, video: APPLE_MEDIA_MAX_BYTES, audio: APPLE_MEDIA_MAX_BYTES,
    document: APPLE_MEDIA_MAX_BYTES, sticker: APPLE_MEDIA_MAX_BYTES,
  },
  // Apple refuses no attachment for its MIME type (type-text): every kind accepts any type. The
  // connector does not narrow it either; a business narrows it in its own policy.
  mediaTypes: {},
  restrictedCommerce: [],
  requiresHumanEscalation: true,
  optOutKeywords: ['unsubscribe', 'stop', 'end', 'spam'],
  pricing: {
    currency: 'USD',
    entries: [],
    source: 'Apple charges nothing per message; the MSP sets prices in its own contract. No public schedule exists: load your MSP contract rates.',
  },
  sources: [
    { rule: 'initiation', url: `${POLICIES} (no unsolicited messages; the customer starts every conversation)`, grade: 'O' },
    { rule: 'initiation', url: `${MSP_API.replace('msp-rest-api', 'msp-api-tutorial')}/receiving-sending-messages`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${POLICIES} (account and transaction notifications only after the disclosure text, with subscribe/unsubscribe offered)`, grade: 'O' },
    { rule: 'marketingAllowed', url: `${POLICIES} (marketing only after the customer sends "subscribe")`, grade: 'O' },
    { rule: 'optOutKeywords', url: `${POLICIES} ("unsubscribe", "stop", "end" honoured; "spam" per CHANNELS.md research)`, grade: '3P' },
    { rule: 'requiresHumanEscalation', url: `${POLICIES} (a live agent must be reachable)`, grade: 'O' },
    { rule: 'broadcast', url: POLICIES, grade: 'O' },
    { rule: 'rateLimits', url: `${MSP_API}/common-specs (no documented rate limit; 429 handled if returned)`, grade: 'G' },
    { rule: 'text', url: `${MSP_API}/messages-received ("no predetermined maximum"); 3000 from third-party MSP docs`, grade: '3P' },
    { rule: 'text', url: `${MSP_API}/type-text (a text message has a body and attachments, no caption field: a caption is sent as text, so no captionMaxLength)`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: `${MSP_API}/type-text ("supports file attachments up to 100MB"; read as 100 000 000 bytes, the stricter reading)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${MSP_API}/type-text ("doesn't reject messages due to the MIME type. The messaging platform determines which mime type to support"; common types such as .doc, .xls, .xlsx, .pdf, .ics, plus audio/x-caf, application/vnd.apple.pkpass, usdz)`, grade: 'O' },
    { rule: 'pricing', url: 'https://register.apple.com/resources/messages/msp-rest-api/ (MSP-dependent, no public price list)', grade: 'G' },
  ],
};

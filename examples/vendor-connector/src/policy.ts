/**
 * SMS rules as data, with where each is documented. The gateway's own rules come from its API
 * reference (this package's README, "Acme SMS Gateway API v2"); the rest is the law and the carriers'
 * industry guidance, which bind every SMS sender whatever gateway they use.
 * @module
 */
import type { ChannelPolicy, PriceSchedule } from '@switchboard/core';
import { ACME_LIMITS } from './acme-api.js';

/** Where the rules are documented. The `acme-sms.example` pages are the fictional gateway's reference. */
export const SMS_DOCS = {
  acmeMessages: 'https://docs.acme-sms.example/v2/messages',
  acmeWebhooks: 'https://docs.acme-sms.example/v2/webhooks',
  acmeRateLimits: 'https://docs.acme-sms.example/v2/rate-limits',
  acmePricing: 'https://acme-sms.example/pricing',
  tcpaStatute: 'https://www.law.cornell.edu/uscode/text/47/227',
  tcpaRule: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
  tcpaWrittenConsent2012: 'https://www.federalregister.gov/documents/2012/06/11/2012-13862/rules-and-regulations-implementing-the-telephone-consumer-protection-act-of-1991',
  ePrivacy: 'https://eur-lex.europa.eu/eli/dir/2002/58/oj',
  gdpr: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj',
  ctiaPrinciples: 'https://api.ctia.org/wp-content/uploads/2023/05/230523-CTIA-Messaging-Principles-and-Best-Practices-FINAL.pdf',
  ctiaSummary: 'https://10dlccheck.com/learn/ctia-guidelines-explained',
  gsmAlphabet: 'https://www.3gpp.org/DynaReport/23038.htm',
  segmentsThirdParty: 'https://www.fortytwo.com/resource-centre/message-length-calculator/',
  bodyLimitThirdParty: 'https://www.twilio.com/docs/api/errors/21617',
} as const;

/**
 * Keywords carriers and gateways treat as opt-out (CTIA's STOP family). The host's keyword matcher
 * records them as revocations; the gateway also blocks further sends to the number (403
 * `recipient_opted_out`) until the customer texts START.
 */
export const SMS_OPT_OUT_KEYWORDS: readonly string[] = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit'];

/**
 * Indicative prices per segment. The policy engine prices per message, so these figures are the
 * price of a one-segment message: a message of n segments costs n times as much (the send result's
 * `raw.segments` says how many were billed). Every message is billed, replies included.
 */
export const smsPrices: PriceSchedule = {
  currency: 'EUR',
  source: `Indicative only: the (fictional) Acme price list ${SMS_DOCS.acmePricing}, per segment, approximated as per message. Load your contract's rates.`,
  entries: [
    { category: 'business-initiated', amount: 0.065, from: '2026-01-01', note: 'default rate per segment, markets without their own rate' },
    { category: 'service', amount: 0.065, from: '2026-01-01', note: 'replies are billed like any SMS' },
    { category: 'business-initiated', amount: 0.0075, from: '2026-01-01', market: 'US' },
    { category: 'service', amount: 0.0075, from: '2026-01-01', market: 'US' },
    { category: 'business-initiated', amount: 0.04, from: '2026-01-01', market: 'GB' },
    { category: 'service', amount: 0.04, from: '2026-01-01', market: 'GB' },
    { category: 'business-initiated', amount: 0.08, from: '2026-01-01', market: 'DE' },
    { category: 'service', amount: 0.08, from: '2026-01-01', market: 'DE' },
  ],
};

/** The SMS channel's policy. */
export const smsPolicy: ChannelPolicy = {
  channel: 'sms',
  // SMS has no service window and no platform rule on who writes first: the limits are legal ones
  initiation: 'business',
  // TCPA (prior express consent for informational texts, prior express written consent for
  // marketing ones) and the EU ePrivacy/GDPR rules require recorded opt-in before a business
  // texts anyone about anything but what they asked
  consentRequiredFor: ['transactional', 'marketing'],
  marketingAllowed: true,
  // no batch endpoint: a notification to many is one request per recipient
  broadcast: { allowed: true, maxRecipientsPerRequest: 1 },
  rateLimits: [
    {
      scope: 'account', limit: ACME_LIMITS.messagesPerSecondPerSender, perMs: 1000, enforcement: 'pace',
      note: '10 messages per second per sender; 429 rate_limited with Retry-After beyond it',
    },
  ],
  text: { maxLength: ACME_LIMITS.textMaxLength, overflow: 'refuse' },
  contentTypes: ['text', 'location', 'contacts', 'reply', 'interactive', 'template', 'rich'],
  // carriers filter SHAFT content (sex, hate, alcohol, firearms, tobacco) and cannabis on A2P routes
  restrictedCommerce: ['adult', 'hate', 'alcohol', 'firearms', 'weapons', 'tobacco', 'cannabis', 'drugs'],
  optOutKeywords: [...SMS_OPT_OUT_KEYWORDS],
  pricing: smsPrices,
  sources: [
    { rule: 'initiation', url: `${SMS_DOCS.acmeMessages} (no window: any sender may write first)`, grade: 'O' },
    { rule: 'serviceWindowHours', url: `${SMS_DOCS.acmeMessages} (SMS has no customer-service window)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${SMS_DOCS.tcpaStatute} (§ 227(b)(1)(A)(iii): prior express consent for automated texts)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${SMS_DOCS.tcpaRule} (§ 64.1200(a)(2): prior express written consent for marketing)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: SMS_DOCS.tcpaWrittenConsent2012, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${SMS_DOCS.ePrivacy} (Art. 13: prior consent for electronic marketing)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${SMS_DOCS.gdpr} (Art. 6(1)(a), Art. 7(3))`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${SMS_DOCS.ctiaPrinciples} (§ 5.1: opt-in per campaign)`, grade: 'O' },
    { rule: 'optOutKeywords', url: `${SMS_DOCS.ctiaPrinciples} (§ 5.1.3: opt-out)`, grade: 'O' },
    { rule: 'optOutKeywords', url: SMS_DOCS.ctiaSummary, grade: '3P' },
    { rule: 'broadcast', url: `${SMS_DOCS.acmeMessages} (one recipient per request)`, grade: 'O' },
    { rule: 'rateLimits', url: SMS_DOCS.acmeRateLimits, grade: 'O' },
    { rule: 'text', url: `${SMS_DOCS.acmeMessages} (text ≤ 1,600 characters, 400 text_too_long)`, grade: 'O' },
    { rule: 'text', url: `${SMS_DOCS.gsmAlphabet} (GSM 7-bit alphabet: 160 septets per SMS)`, grade: 'O' },
    { rule: 'text', url: SMS_DOCS.segmentsThirdParty, grade: '3P' },
    { rule: 'text', url: `${SMS_DOCS.bodyLimitThirdParty} (the same 1,600-character ceiling at another gateway)`, grade: '3P' },
    { rule: 'contentTypes', url: `${SMS_DOCS.acmeMessages} (text only, no MMS)`, grade: 'O' },
    { rule: 'restrictedCommerce', url: `${SMS_DOCS.ctiaPrinciples} (§ 5.3: content; SHAFT filtering is carrier practice)`, grade: 'G' },
    { rule: 'quietHours', url: `${SMS_DOCS.tcpaRule} (§ 64.1200(c)(1): no solicitations before 8 am or after 9 pm local time; a business policy, not declared here)`, grade: 'O' },
    { rule: 'webhooks', url: SMS_DOCS.acmeWebhooks, grade: 'O' },
    { rule: 'pricing', url: SMS_DOCS.acmePricing, grade: 'O' },
  ],
};

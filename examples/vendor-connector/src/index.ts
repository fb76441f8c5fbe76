/**
 * `@acme/switchboard-sms`: SMS through the Acme SMS Gateway API v2, as a Switchboard connector.
 * Published by the gateway's vendor, built only on `@switchboard/core`'s SPI.
 * @packageDocumentation
 */
import { plugin } from './sms-plugin.js';

export default plugin;
export { plugin as smsPlugin };
export { parseConfig, type SmsConfig } from './config.js';
export { smsCapabilities } from './capabilities.js';
export { smsPolicy, smsPrices, SMS_DOCS, SMS_OPT_OUT_KEYWORDS } from './policy.js';
export { SmsConnector, ACME_DEFAULT_RETRY_AFTER_MS } from './sms-connector.js';
export { FakeAcmeSmsServer, smsSandboxConfig, type FakeSms } from './fake-acme-sms-server.js';
export { renderSmsText, CHOICE_PROMPT, type SmsText } from './render-sms-text.js';
export { parseAcmeWebhook } from './parse-acme-webhook.js';
export {
  ACME_API_BASE_URL, ACME_MESSAGES_PATH, ACME_SIGNATURE_HEADER, ACME_LIMITS, ACME_ERROR_CODES, E164, ALPHANUMERIC_SENDER,
  signAcmeWebhook, readAcmeSignature, countSegments,
  type AcmeErrorCode, type AcmeDeliveryStatus, type AcmeSignatureParts, type SegmentCount,
} from './acme-api.js';

/**
 * `@switchboard/whatsapp`: the WhatsApp Business Platform (Cloud API) connector for Switchboard.
 * @packageDocumentation
 */
import { plugin } from './whatsapp-plugin.js';

export default plugin;
export { plugin as whatsappPlugin };
export { parseConfig, WhatsAppConfigSchema, DEFAULT_API_BASE_URL, DEFAULT_API_VERSION, type WhatsAppConfig, type WhatsAppConfigInput } from './config.js';
export { whatsappPolicy, whatsappPrices, WHATSAPP_DOCS, WHATSAPP_RESTRICTED_COMMERCE, WHATSAPP_MEDIA_LIMITS, type WhatsAppMediaLimit } from './policy.js';
export { whatsappCapabilities } from './capabilities.js';
export { WhatsAppConnector, SIGNATURE_HEADER } from './whatsapp-connector.js';
export { parseWhatsAppWebhook } from './parse-whatsapp-webhook.js';
export { renderWhatsAppMessage, withUploadedMedia, WHATSAPP_LIMITS, DEGRADED_LIST_BUTTON, PENDING_UPLOAD_MEDIA_ID } from './render-whatsapp-message.js';
export {
  renderRetrieveMedia, renderMediaDownload, readMediaInfo, WHATSAPP_MEDIA_TTL_MS, MEDIA_USER_AGENT, type WhatsAppMediaInfo,
} from './whatsapp-media.js';
export { classifyGraphError, readGraphError, DEFAULT_RETRY_AFTER_MS, type GraphError } from './classify-graph-error.js';
export {
  FakeWhatsAppServer, whatsappSandboxConfig, SANDBOX_DISPLAY_PHONE_NUMBER,
  type AcceptedMessage, type FakeMedia, type FakeTemplate, type FakeWhatsAppOptions, type GraphTemplateCategory, type TemplateStatus,
} from './fake-whatsapp-server.js';
export { renderSubmitTemplate, renderListTemplates, readTemplatePage, templateStatusOf } from './templates.js';
export { renderSubscribeApp, renderWhatsAppProbe, readWhatsAppProbe, PHONE_NUMBER_PROBE_FIELDS } from './going-live.js';

/**
 * `@switchboard/messenger`: the Messenger Platform connector for Switchboard.
 * @packageDocumentation
 */
import { plugin } from './messenger-plugin.js';

export default plugin;
export { plugin as messengerPlugin };
export { parseConfig, MessengerConfigSchema, DEFAULT_API_BASE_URL, DEFAULT_API_VERSION, type MessengerConfig, type MessengerConfigInput } from './config.js';
export { messengerPolicy, messengerPrices, MESSENGER_DOCS, MESSENGER_MESSAGE_TAGS, MESSENGER_RESTRICTED_COMMERCE, MESSENGER_MEDIA_TYPES } from './policy.js';
export { messengerCapabilities } from './capabilities.js';
export { MessengerConnector, SIGNATURE_HEADER } from './messenger-connector.js';
export { MESSENGER_LIMITS, renderMessengerRequest, type MessengerCarouselItem } from './render-message.js';
export {
  parseMessengerWebhook, watermarkOf, WATERMARK_PREFIX,
  type WatermarkStatusEvent, type MessengerReferral, type MessengerConversationStartedEvent,
} from './parse-webhook.js';
export { classifyGraphError, graphErrorOf, PER_SECOND_RETRY_MS, CALL_COUNT_RETRY_MS, type GraphError } from './classify-graph-error.js';
export { FakeMessengerServer, messengerSandboxConfig, DEFAULT_ATTACHMENT_URL_TTL_MS, type FakeMessengerOptions, type Json } from './fake-messenger-server.js';
export { renderAttachmentDownload, filenameOfLink, MESSENGER_ATTACHMENT_TTL_MS, MEDIA_USER_AGENT } from './messenger-media.js';
export { userProfileRequest, profileOf, USER_PROFILE_FIELDS } from './user-profile.js';
export { renderSubscribePage, renderMessengerProbe, readMessengerProbe, messengerCallbackSteps, MESSENGER_SUBSCRIBED_FIELDS } from './going-live.js';

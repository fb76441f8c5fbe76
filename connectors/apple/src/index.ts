/**
 * `@switchboard/apple`: Apple Messages for Business through the MSP REST API.
 * @packageDocumentation
 */
import { applePlugin } from './apple-plugin.js';

export default applePlugin;
export { applePlugin };
export { AppleConnector, type AppleConnectorOptions } from './apple-connector.js';
export { parseConfig, AppleConfigSchema, APPLE_DEFAULT_API_BASE_URL, type AppleConfig, type AppleConfigInput } from './config.js';
export { applePolicy, APPLE_TEXT_MAX, APPLE_MEDIA_MAX_BYTES } from './policy.js';
export { appleCapabilities } from './capabilities.js';
export {
  APPLE_ATTACHMENT_ALGORITHM, attachmentCipher, attachmentDecipher, attachmentKeyHex, decryptAttachment, encryptAttachment, messageUuid,
  parseAttachmentKey, signatureBase64,
} from './apple-crypto.js';
export { APPLE_UPLOAD_REUSE_MS, decryptAttachmentStream, encryptAttachmentStream, mediaTooLarge } from './apple-media.js';
export { decodeAppleBody, interactiveDataToContent, parseCapabilityList, parseAppleWebhook, APPLE_MAX_BODY_BYTES } from './apple-parse.js';
export { renderApple, hasCapability, ATTACHMENT_PLACEHOLDER, type RenderContext } from './apple-render.js';
export * from './apple-payloads.js';
export {
  FakeAppleServer, appleSandboxConfig, APPLE_FULL_CAPABILITIES, FAKE_MMCS_URL_TTL_MS, type AppleWebhookOptions, type FakeAppleOptions, type ReceivedAttachment,
} from './fake-apple-server.js';

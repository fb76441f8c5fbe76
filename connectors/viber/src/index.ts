/**
 * `@switchboard/viber`: the Viber REST Bot API connector for Switchboard.
 * @packageDocumentation
 */
import { plugin } from './viber-plugin.js';

export default plugin;
export { plugin as viberPlugin };
export { parseConfig, ViberConfigSchema, deriveAccountId, type ViberConfig, type ViberConfigInput } from './config.js';
export { viberCapabilities } from './capabilities.js';
export { viberPolicy, viberPrices } from './policy.js';
export { ViberConnector, VIBER_RATE_LIMIT_DELAY_MS, VIBER_WEBHOOK_EVENT_TYPES } from './viber-connector.js';
export {
  FakeViberServer, viberSandboxConfig, VIBER_MEDIA_LIMITS, type FakeViberUser, type FakeViberOptions, type FakeViberMediaLimits,
} from './fake-viber-server.js';
export {
  renderContent, renderWelcome, trackingDataFor, readTrackingData,
  type RenderedMessage, type ViberPayload, type ViberCarouselPayload, type ViberCarouselItem, type SwitchboardTracking,
} from './render.js';
export { parseCallback } from './parse.js';
export {
  VIBER_API_BASE_URL, VIBER_AUTH_HEADER, VIBER_SIGNATURE_HEADER, VIBER_LIMITS, VIBER_MEDIA, VIBER_STATUS, ViberStatusError,
  quoteMessageTokens, stringifyWithNumericTokens, extensionOf,
} from './viber-api.js';

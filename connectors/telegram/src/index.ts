/**
 * `@switchboard/telegram`: the Telegram Bot API connector for Switchboard.
 * @packageDocumentation
 */
import { plugin } from './telegram-plugin.js';

export default plugin;
export { plugin as telegramPlugin };
export { parseConfig, botIdOf, TELEGRAM_API_BASE_URL, type TelegramConfig } from './config.js';
export { telegramPolicy } from './policy.js';
export { telegramCapabilities } from './capabilities.js';
export { TelegramConnector, SECRET_TOKEN_HEADER, type TelegramConnectorOptions } from './telegram-connector.js';
export { parseUpdate, PARSED_UPDATE_TYPES, type ParseContext } from './parse-update.js';
export {
  renderMessage, botApiRequest, chatIdParam, answerCallbackQueryCall, setWebhookCall, DEFAULT_ALLOWED_UPDATES,
  TEXT_MAX, CAPTION_MAX, CALLBACK_DATA_MAX_BYTES, VCARD_MAX_BYTES,
  type BotApiCall, type RenderTarget, type AnswerCallbackQueryOptions, type SetWebhookOptions,
} from './render-message.js';
export { classifyTelegramError, type BotApiErrorBody } from './classify-error.js';
export {
  FakeTelegramServer, telegramSandboxConfig, TELEGRAM_FLOOD_LIMITS, type FakeTelegramOptions, type FakeTelegramLimits,
} from './fake-telegram-server.js';

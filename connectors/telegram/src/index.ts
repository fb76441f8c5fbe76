/**
 * `@switchboard/telegram`: the Telegram Bot API connector for Switchboard.
 * @packageDocumentation
 */
import { plugin } from './telegram-plugin.js';

export default plugin;
export { plugin as telegramPlugin };
export { parseConfig, TelegramConfigSchema, botIdOf, TELEGRAM_API_BASE_URL, type TelegramConfig, type TelegramConfigInput } from './config.js';
export { telegramPolicy } from './policy.js';
export { telegramCapabilities } from './capabilities.js';
export { TelegramConnector, SECRET_TOKEN_HEADER, type TelegramConnectorOptions } from './telegram-connector.js';
export { parseUpdate, PARSED_UPDATE_TYPES, type ParseContext } from './parse-update.js';
export {
  renderMessage, botApiRequest, chatIdParam, answerCallbackQueryCall, setWebhookCall, isUploadPart, DEFAULT_ALLOWED_UPDATES,
  TEXT_MAX, CAPTION_MAX, CALLBACK_DATA_MAX_BYTES, VCARD_MAX_BYTES,
  type BotApiCall, type RenderTarget, type AnswerCallbackQueryOptions, type SetWebhookOptions, type UploadPart,
} from './render-message.js';
export {
  TELEGRAM_DOWNLOAD_MAX_BYTES, TELEGRAM_UPLOAD_MAX_BYTES, TELEGRAM_FILE_LINK_TTL_MS, fileMethodFor, uploadLimitFor, sentFileId,
  type TelegramFileMethod,
} from './telegram-media.js';
export { classifyTelegramError, type BotApiErrorBody } from './classify-error.js';
export {
  FakeTelegramServer, telegramSandboxConfig, TELEGRAM_FLOOD_LIMITS, TELEGRAM_FILE_LIMITS,
  type FakeTelegramOptions, type FakeTelegramLimits, type FakeTelegramFileLimits,
} from './fake-telegram-server.js';

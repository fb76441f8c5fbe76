/**
 * Telegram connector configuration.
 * @module
 */
import { ConfigError, parseConfigWith, requiredFieldMessage } from '@switchboard/core';
import { z } from 'zod';

/** The default Bot API server. */
export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

// BotFather tokens are the bot id, a colon and ~35 URL-safe characters; a little slack either way
// keeps us from rejecting a token format Telegram quietly lengthens.
const BOT_TOKEN = /^(\d{1,20}):([A-Za-z0-9_-]{30,64})$/;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * The bot id: the digits before the colon of a bot token.
 * @param botToken - a token that passed {@link parseConfig}
 * @returns the bot id, used as the connector's `accountId`
 */
export function botIdOf(botToken: string): string {
  const match = BOT_TOKEN.exec(botToken);
  if (!match) throw new ConfigError('botToken', 'must look like <bot id>:<secret> as issued by @BotFather');
  return match[1]!;
}

/**
 * The schema of a Telegram bot's configuration (closed: an unknown key is refused). The host puts
 * it in its JSON Schema for editors (`z.toJSONSchema(TelegramConfigSchema, { io: 'input' })`).
 */
export const TelegramConfigSchema = z.strictObject({
  botToken: z.string({ error: requiredFieldMessage }).min(1, { error: 'is required', abort: true })
    .regex(BOT_TOKEN, 'must look like <bot id>:<secret> as issued by @BotFather')
    .meta({ description: 'The token BotFather issued: `<bot id>:<secret part>`.' }),
  secretToken: z.string({ error: requiredFieldMessage }).min(1, { error: 'is required', abort: true })
    .regex(SECRET_TOKEN, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -')
    .meta({ description: 'The `secret_token` given to `setWebhook`; Telegram echoes it in the `X-Telegram-Bot-Api-Secret-Token` header of every webhook (1–256 of `A-Z a-z 0-9 _ -`).' }),
  apiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default(TELEGRAM_API_BASE_URL)
    .meta({ description: 'Bot API base URL (a local Bot API server or the fake); a trailing slash is dropped. Default `https://api.telegram.org`.' }),
});

/** Parsed, validated configuration of one Telegram bot (the schema's output). */
export type TelegramConfig = z.output<typeof TelegramConfigSchema>;

/** What an integrator writes for a Telegram bot (the schema's input: `apiBaseUrl` may be left out). */
export type TelegramConfigInput = z.input<typeof TelegramConfigSchema>;

/**
 * Validates a Telegram connector configuration and applies defaults.
 * @param input - raw configuration (from the host's config file)
 * @returns the configuration
 * @throws ConfigError listing every bad field with its path (`field` is the first)
 * @example
 * parseConfig({ botToken: '123456:AA…', secretToken: 'hook-secret' }).apiBaseUrl // 'https://api.telegram.org'
 */
export function parseConfig(input: unknown): TelegramConfig {
  return parseConfigWith(TelegramConfigSchema, input, { root: '(root)', notAnObject: 'Telegram config must be an object' });
}

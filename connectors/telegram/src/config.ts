/**
 * Telegram connector configuration.
 * @module
 */
import { ConfigError, isObject } from '@switchboard/core';

/** The default Bot API server. */
export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

/** Parsed, validated configuration of one Telegram bot. */
export interface TelegramConfig {
  /** The token BotFather issued: `<bot id>:<secret part>`. */
  botToken: string;
  /**
   * The `secret_token` given to `setWebhook`; Telegram echoes it in the
   * `X-Telegram-Bot-Api-Secret-Token` header of every webhook (1–256 of `A-Z a-z 0-9 _ -`).
   */
  secretToken: string;
  /** Bot API base URL, without a trailing slash (a local Bot API server or the fake). */
  apiBaseUrl: string;
}

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
 * Validates a Telegram connector configuration and applies defaults.
 * @param input - raw configuration (from the host's config file)
 * @returns the configuration
 * @throws ConfigError naming the bad field
 * @example
 * parseConfig({ botToken: '123456:AA…', secretToken: 'hook-secret' }).apiBaseUrl // 'https://api.telegram.org'
 */
export function parseConfig(input: unknown): TelegramConfig {
  if (!isObject(input)) throw new ConfigError('(root)', 'Telegram config must be an object');
  const { botToken, secretToken, apiBaseUrl } = input;
  if (typeof botToken !== 'string' || botToken === '') throw new ConfigError('botToken', 'is required');
  if (!BOT_TOKEN.test(botToken)) throw new ConfigError('botToken', 'must look like <bot id>:<secret> as issued by @BotFather');
  if (typeof secretToken !== 'string' || secretToken === '') throw new ConfigError('secretToken', 'is required');
  if (!SECRET_TOKEN.test(secretToken)) throw new ConfigError('secretToken', 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  let base = TELEGRAM_API_BASE_URL;
  if (apiBaseUrl !== undefined) {
    if (typeof apiBaseUrl !== 'string') throw new ConfigError('apiBaseUrl', 'must be a string');
    let url: URL;
    try { url = new URL(apiBaseUrl); } catch { throw new ConfigError('apiBaseUrl', 'must be an absolute URL'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('apiBaseUrl', 'must be an http(s) URL');
    base = apiBaseUrl.replace(/\/+$/, '');
  }
  return { botToken, secretToken, apiBaseUrl: base };
}

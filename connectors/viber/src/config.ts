/**
 * Viber connector configuration.
 * @module
 */
import { createHash } from 'node:crypto';
import { ConfigError, isObject, type Content } from '@switchboard/core';
import { VIBER_API_BASE_URL, VIBER_LIMITS } from './viber-api.js';
import { renderWelcome } from './render.js';

/** Parsed, validated configuration of one Viber bot. */
export interface ViberConfig {
  /** The bot's authentication token ("app key"): sent as `X-Viber-Auth-Token`, and the key of callback signatures. */
  authToken: string;
  /** `sender.name` shown on every message (≤ 28 characters). */
  botName: string;
  /** `sender.avatar`: URL of the avatar shown on messages (≤ 100 KB image, per Viber). */
  botAvatar?: string;
  /** API base URL without a trailing slash (default `https://chatapi.viber.com/pa`). */
  apiBaseUrl: string;
  /**
   * The business-side id used in webhook URLs (`/webhooks/viber/:accountId`) and in addresses.
   * Set it to the bot's URI (from `get_account_info`); when omitted it is derived from the auth
   * token (see {@link deriveAccountId}).
   */
  accountId: string;
  /** The welcome message answered to `conversation_started` callbacks; none when omitted. */
  welcomeMessage?: Content;
}

const ACCOUNT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * The default account id: `viber-` and the first 16 hex digits of the SHA-256 of the auth token.
 * Stable for a token, unique per bot, URL-safe, and it does not reveal the token. It changes when
 * the token is rotated, so production configs should set `accountId` to the bot's URI.
 * @param authToken - the bot's auth token
 * @returns the derived account id
 */
export function deriveAccountId(authToken: string): string {
  return `viber-${createHash('sha256').update(authToken, 'utf8').digest('hex').slice(0, 16)}`;
}

function httpUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(field, 'must be a non-empty URL string');
  let url: URL;
  try { url = new URL(value); } catch { throw new ConfigError(field, 'must be an absolute URL'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(field, 'must be an http(s) URL');
  return value;
}

/**
 * Validates a Viber connector configuration and applies defaults.
 * @param input - raw configuration (from the host's config file)
 * @returns the configuration
 * @throws ConfigError naming the bad field
 * @example
 * parseConfig({ authToken: '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9', botName: 'Workshop' }).apiBaseUrl
 * // 'https://chatapi.viber.com/pa'
 */
export function parseConfig(input: unknown): ViberConfig {
  if (!isObject(input)) throw new ConfigError('(root)', 'Viber config must be an object');
  const { authToken, botName, botAvatar, apiBaseUrl, accountId, welcomeMessage } = input;
  if (typeof authToken !== 'string' || authToken === '') throw new ConfigError('authToken', 'is required');
  if (/\s/.test(authToken) || authToken.length > 256) throw new ConfigError('authToken', 'must be the app key from the bot\'s "edit info" screen (no spaces)');
  if (typeof botName !== 'string' || botName.trim() === '') throw new ConfigError('botName', 'is required');
  if (botName.length > VIBER_LIMITS.senderName) throw new ConfigError('botName', `must be at most ${VIBER_LIMITS.senderName} characters (Viber's sender.name limit)`);
  const config: ViberConfig = {
    authToken,
    botName,
    apiBaseUrl: apiBaseUrl === undefined ? VIBER_API_BASE_URL : httpUrl('apiBaseUrl', apiBaseUrl).replace(/\/+$/, ''),
    accountId: deriveAccountId(authToken),
  };
  if (botAvatar !== undefined) config.botAvatar = httpUrl('botAvatar', botAvatar);
  if (accountId !== undefined) {
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) throw new ConfigError('accountId', 'must be 1-128 URL-safe characters (A-Z a-z 0-9 . _ ~ -)');
    config.accountId = accountId;
  }
  if (welcomeMessage !== undefined) {
    let content: Content;
    if (typeof welcomeMessage === 'string') content = { type: 'text', text: welcomeMessage };
    else if (isObject(welcomeMessage) && typeof welcomeMessage.type === 'string') content = welcomeMessage as unknown as Content;
    else throw new ConfigError('welcomeMessage', 'must be a text or a Content object');
    try {
      renderWelcome(config, content);
    } catch (cause) {
      throw new ConfigError('welcomeMessage', `cannot be sent as one Viber message: ${(cause as Error).message}`, { cause });
    }
    config.welcomeMessage = content;
  }
  return config;
}

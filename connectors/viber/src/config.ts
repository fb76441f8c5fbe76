/**
 * Viber connector configuration.
 * @module
 */
import { createHash } from 'node:crypto';
import { parseConfigWith, requiredFieldMessage, type Content } from '@switchboard/core';
import { z } from 'zod';
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

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

/**
 * The schema of a Viber bot's configuration (closed: an unknown key is refused). Its output derives
 * `accountId` from the token when none is set and checks that the welcome message renders as one
 * Viber message. The host puts it in its JSON Schema for editors
 * (`z.toJSONSchema(ViberConfigSchema, { io: 'input' })`).
 */
export const ViberConfigSchema = z.strictObject({
  authToken: z.string({ error: requiredFieldMessage }).min(1, { error: 'is required', abort: true })
    .refine((token) => !/\s/.test(token) && token.length <= 256, 'must be the app key from the bot\'s "edit info" screen (no spaces)')
    .meta({ description: 'The bot\'s authentication token ("app key"): sent as `X-Viber-Auth-Token`, and the key of callback signatures.' }),
  botName: z.string({ error: requiredFieldMessage }).refine((name) => name.trim() !== '', { error: 'is required', abort: true })
    .max(VIBER_LIMITS.senderName, `must be at most ${VIBER_LIMITS.senderName} characters (Viber's sender.name limit)`)
    .meta({ description: `\`sender.name\` shown on every message (at most ${VIBER_LIMITS.senderName} characters).` }),
  botAvatar: httpUrl.optional()
    .meta({ description: '`sender.avatar`: URL of the avatar shown on messages (at most 100 KB, per Viber).' }),
  apiBaseUrl: httpUrl.transform((url) => url.replace(/\/+$/, '')).default(VIBER_API_BASE_URL)
    .meta({ description: 'API base URL; trailing slashes are dropped. Default `https://chatapi.viber.com/pa`.' }),
  accountId: z.string().regex(ACCOUNT_ID, 'must be 1-128 URL-safe characters (A-Z a-z 0-9 . _ ~ -)').optional()
    .meta({ description: 'The business-side id in webhook URLs (`/webhooks/viber/:accountId`) and addresses: set it to the bot\'s URI (from `get_account_info`). Default: derived from the auth token (it changes when the token is rotated).' }),
  welcomeMessage: z.union([z.string(), z.looseObject({ type: z.string() })], { error: 'must be a text or a Content object' }).optional()
    .meta({ description: 'The welcome message answered to `conversation_started` callbacks (a text, or a Content object that renders as one Viber message); none when omitted.' }),
}).transform((input, ctx): ViberConfig => {
  const { welcomeMessage, accountId, botAvatar, ...rest } = input;
  const config: ViberConfig = { ...rest, accountId: accountId ?? deriveAccountId(input.authToken), ...(botAvatar !== undefined ? { botAvatar } : {}) };
  if (welcomeMessage !== undefined) {
    const content = typeof welcomeMessage === 'string' ? { type: 'text' as const, text: welcomeMessage } : welcomeMessage as unknown as Content;
    try {
      renderWelcome(config, content);
      config.welcomeMessage = content;
    } catch (cause) {
      ctx.issues.push({ code: 'custom', path: ['welcomeMessage'], message: `cannot be sent as one Viber message: ${(cause as Error).message}`, input: welcomeMessage });
    }
  }
  return config;
});

/** What an integrator writes for a Viber bot (the schema's input). */
export type ViberConfigInput = z.input<typeof ViberConfigSchema>;

/**
 * Validates a Viber connector configuration and applies defaults.
 * @param input - raw configuration (from the host's config file)
 * @returns the configuration
 * @throws ConfigError listing every bad field with its path (`field` is the first)
 * @example
 * parseConfig({ authToken: '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9', botName: 'Workshop' }).apiBaseUrl
 * // 'https://chatapi.viber.com/pa'
 */
export function parseConfig(input: unknown): ViberConfig {
  return parseConfigWith(ViberConfigSchema, input, { root: '(root)', notAnObject: 'Viber config must be an object' });
}

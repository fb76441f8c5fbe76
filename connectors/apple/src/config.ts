/**
 * Configuration of the Apple Messages for Business connector (MSP side of Apple's MSP REST API).
 * @module
 */
import { parseConfigWith } from '@switchboard/core';
import { z } from 'zod';

/** Apple's production MSP gateway. */
export const APPLE_DEFAULT_API_BASE_URL = 'https://mspgw.push.apple.com/v1';

/** The validated configuration. */
export interface AppleConfig {
  /** The MSP id: `aud` of inbound tokens, `iss` of outbound ones. */
  mspId: string;
  /** The secret as configured (Base64). */
  mspSecret: string;
  /** The decoded secret bytes: the HS256 key. */
  secretKey: Buffer;
  /** The business id (`destination-id` of inbound messages, `source-id` of outbound ones). */
  businessId: string;
  /** Gateway base URL without a trailing slash. */
  apiBaseUrl: string;
  clockSkewSeconds: number;
  tokenMaxAgeSeconds: number;
  disclosureText?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const REQUIRED = 'is required and must be a non-empty string';
// surrounding whitespace is dropped: a copy-paste of an id or secret
const required = () => z.string({ error: REQUIRED }).trim().min(1, { error: REQUIRED, abort: true });
const seconds = (fallback: number, max: number, description: string) =>
  z.int({ error: `must be an integer between 0 and ${max}` }).min(0, `must be an integer between 0 and ${max}`).max(max, `must be an integer between 0 and ${max}`)
    .default(fallback).meta({ description });

/**
 * The schema of an Apple Messages for Business account's configuration (closed: an unknown key is
 * refused). Its output adds the decoded secret (`secretKey`). The host puts it in its JSON Schema for
 * editors (`z.toJSONSchema(AppleConfigSchema, { io: 'input' })`).
 */
export const AppleConfigSchema = z.strictObject({
  mspId: required().meta({ description: 'The MSP id: `aud` of inbound tokens, `iss` of outbound ones.' }),
  mspSecret: required()
    .regex(BASE64, { error: 'must be Base64 as Apple issues it', abort: true })
    // an HS256 key shorter than the hash adds no security; Apple's secrets are longer
    .refine((secret) => Buffer.from(secret, 'base64').length >= 16, 'decodes to fewer than 16 bytes')
    .meta({ description: 'The MSP secret exactly as Apple issues it: Base64 (at least 16 bytes decoded).' }),
  businessId: required().meta({ description: 'The business id (`destination-id` of inbound messages, `source-id` of outbound ones).' }),
  apiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .transform((url) => url.replace(/\/+$/, '')).default(APPLE_DEFAULT_API_BASE_URL)
    .meta({ description: 'Gateway base URL; a trailing slash is dropped. Default Apple\'s production MSP gateway.' }),
  clockSkewSeconds: seconds(60, 600, 'Seconds of clock skew tolerated on `iat`/`exp` of inbound tokens (default 60).'),
  tokenMaxAgeSeconds: seconds(3600, 86_400, 'Maximum age of an inbound token without `exp`, in seconds (default 3600).'),
  disclosureText: z.string({ error: 'must be a non-empty string' }).refine((text) => text.trim() !== '', 'must be a non-empty string').optional()
    .meta({ description: 'Disclosure text shown before account/transaction notifications (Apple policy); informational.' }),
}).transform(({ disclosureText, ...rest }): AppleConfig => ({
  ...rest, secretKey: Buffer.from(rest.mspSecret, 'base64'), ...(disclosureText !== undefined ? { disclosureText } : {}),
}));

/** What an integrator writes in the host config for an Apple account (the schema's input). */
export type AppleConfigInput = z.input<typeof AppleConfigSchema>;

/**
 * Validates an Apple config and applies defaults.
 * @param input - the raw config
 * @returns the config with the secret decoded
 * @throws ConfigError listing every bad field with its path (`field` is the first)
 */
export function parseConfig(input: unknown): AppleConfig {
  return parseConfigWith(AppleConfigSchema, input, { root: 'apple', notAnObject: 'config must be an object' });
}

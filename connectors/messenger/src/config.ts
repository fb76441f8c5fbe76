/**
 * Messenger connector configuration and its validation.
 * @module
 */
import { parseConfigWith, requiredFieldMessage } from '@switchboard/core';
import { z } from 'zod';

/** The Graph API host the Messenger Platform's Send API lives on. */
export const DEFAULT_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version the connector was written against. */
export const DEFAULT_API_VERSION = 'v23.0';

const token = (description: string) => z.string({ error: requiredFieldMessage }).min(1, { error: 'is required', abort: true })
  .regex(/^\S+$/, 'must not contain whitespace').meta({ description });

/**
 * The schema of a Facebook Page's configuration (closed: an unknown key is refused). The host puts
 * it in its JSON Schema for editors (`z.toJSONSchema(MessengerConfigSchema, { io: 'input' })`).
 */
export const MessengerConfigSchema = z.strictObject({
  pageAccessToken: token('Page access token with `pages_messaging`, sent as `Authorization: Bearer`.'),
  appSecret: token('The Meta app\'s secret: the key of `X-Hub-Signature-256`.'),
  verifyToken: token('The token typed into the app dashboard\'s webhook settings, echoed in the handshake.'),
  // page ids exceed Number precision, so a number here may already be wrong: only strings are accepted
  pageId: z.string({ error: (issue) => (typeof issue.input === 'number' ? 'must be a string of digits (quote it: Graph ids exceed number precision)' : requiredFieldMessage(issue)) })
    .min(1, { error: 'is required', abort: true }).regex(/^\d+$/, 'must be the numeric Page id, digits only')
    .meta({ description: 'The Facebook Page\'s numeric id (the webhooks\' `recipient.id`).' }),
  apiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    // (a URL that does not parse is already reported by z.url)
    .refine((url) => !URL.canParse(url) || (new URL(url).search === '' && new URL(url).hash === ''), 'must not carry a query or fragment')
    .transform((url) => url.replace(/\/+$/, ''))
    .default(DEFAULT_API_BASE_URL)
    .meta({ description: 'Graph API base URL; a trailing slash is dropped. Default `https://graph.facebook.com`.' }),
  apiVersion: z.string({ error: 'must look like "v23.0"' }).regex(/^v\d+\.\d+$/, 'must look like "v23.0"')
    .default(DEFAULT_API_VERSION)
    .meta({ description: `Graph API version, \`vNN.N\` (default \`${DEFAULT_API_VERSION}\`).` }),
});

/** Validated configuration of one Facebook Page (the schema's output). */
export type MessengerConfig = z.output<typeof MessengerConfigSchema>;

/** What an integrator writes for a Facebook Page (the schema's input). */
export type MessengerConfigInput = z.input<typeof MessengerConfigSchema>;

/**
 * Validates a Messenger connector config and applies defaults.
 * @param input - the raw config (from a file, env or code)
 * @returns the validated config
 * @throws ConfigError listing every missing or malformed field with its path (`field` is the first)
 * @example
 * parseConfig({ pageAccessToken: 'EAAG…', appSecret: 's3cret', verifyToken: 'v', pageId: '104112345678901' })
 */
export function parseConfig(input: unknown): MessengerConfig {
  return parseConfigWith(MessengerConfigSchema, input, { root: 'config', notAnObject: 'must be an object' });
}

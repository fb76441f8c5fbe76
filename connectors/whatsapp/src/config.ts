/**
 * WhatsApp connector configuration and its validation.
 * @module
 */
import { parseConfigWith, requiredFieldMessage } from '@switchboard/core';
import { z } from 'zod';

/** The Graph API host the Cloud API lives on. */
export const DEFAULT_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version the connector was written against. */
export const DEFAULT_API_VERSION = 'v23.0';

// Graph ids are 15+ digit numbers: as a JS number they may already have lost precision, so only strings are accepted
const graphIdTypeMessage = (issue: { readonly input?: unknown }): string =>
  (typeof issue.input === 'number' ? 'must be a string of digits (quote it: Graph ids exceed number precision)' : requiredFieldMessage(issue));
const GRAPH_ID = 'must be the numeric Graph id, digits only';

// a copy-paste error (a trailing newline) that would fail every call
const token = (description: string) => z.string({ error: requiredFieldMessage }).min(1, { error: 'is required', abort: true })
  .regex(/^\S+$/, 'must not contain whitespace').meta({ description });

/**
 * The schema of a WhatsApp business phone number's configuration (closed: an unknown key is
 * refused). The host puts it in its JSON Schema for editors (`z.toJSONSchema(WhatsAppConfigSchema, { io: 'input' })`).
 */
export const WhatsAppConfigSchema = z.strictObject({
  accessToken: token('System-user (or temporary) access token with `whatsapp_business_messaging`.'),
  appSecret: token('The Meta app\'s secret: the key of `X-Hub-Signature-256`.'),
  verifyToken: token('The token you typed into the app dashboard\'s webhook settings, echoed in the handshake.'),
  phoneNumberId: z.string({ error: graphIdTypeMessage }).min(1, { error: 'is required', abort: true }).regex(/^\d+$/, GRAPH_ID)
    .meta({ description: 'The business phone number\'s id (not the phone number itself).' }),
  // '' and null read as absent: a config filled from an unset environment variable
  businessAccountId: z.string({ error: graphIdTypeMessage }).nullable().optional()
    .refine((id) => id === undefined || id === null || id === '' || /^\d+$/.test(id), GRAPH_ID)
    .transform((id) => (id === null || id === '' ? undefined : id))
    .meta({ description: 'The WhatsApp Business Account id, needed for template management (optional for messaging).' }),
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

/** Validated configuration of one WhatsApp business phone number (the schema's output). */
export type WhatsAppConfig = z.output<typeof WhatsAppConfigSchema>;

/** What an integrator writes for a WhatsApp phone number (the schema's input). */
export type WhatsAppConfigInput = z.input<typeof WhatsAppConfigSchema>;

/**
 * Validates a WhatsApp connector config and applies defaults.
 * @param input - the raw config (from a file, env or code)
 * @returns the validated config
 * @throws ConfigError listing every missing or malformed field with its path (`field` is the first)
 * @example
 * parseConfig({ accessToken: 'EAAG…', appSecret: 's3cret', verifyToken: 'v', phoneNumberId: '106540352242922' })
 */
export function parseConfig(input: unknown): WhatsAppConfig {
  const config = parseConfigWith(WhatsAppConfigSchema, input, { root: 'config', notAnObject: 'must be an object' });
  if (config.businessAccountId === undefined) delete config.businessAccountId;
  return config;
}

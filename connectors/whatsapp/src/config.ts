/**
 * WhatsApp connector configuration and its validation.
 * @module
 */
import { ConfigError } from '@switchboard/core';

/** The Graph API host the Cloud API lives on. */
export const DEFAULT_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version the connector was written against. */
export const DEFAULT_API_VERSION = 'v23.0';

/** Validated configuration of one WhatsApp business phone number. */
export interface WhatsAppConfig {
  /** System-user (or temporary) access token with `whatsapp_business_messaging`. */
  accessToken: string;
  /** The Meta app's secret: the key of `X-Hub-Signature-256`. */
  appSecret: string;
  /** The token you typed into the app dashboard's webhook settings, echoed in the handshake. */
  verifyToken: string;
  /** The business phone number's id (not the phone number itself). */
  phoneNumberId: string;
  /** The WhatsApp Business Account id, needed for template management (optional for messaging). */
  businessAccountId?: string;
  /** Graph API base URL without trailing slash (default `https://graph.facebook.com`). */
  apiBaseUrl: string;
  /** Graph API version, `vNN.N` (default {@link DEFAULT_API_VERSION}). */
  apiVersion: string;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null || value === '') throw new ConfigError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigError(field, 'must be a string');
  if (value.trim() !== value || /\s/.test(value)) throw new ConfigError(field, 'must not contain whitespace');
  return value;
}

function graphId(input: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = input[field];
  if (!required && (value === undefined || value === null || value === '')) return undefined;
  // ids are 15+ digit numbers: as a JS number they may already have lost precision, so only strings are accepted
  if (typeof value === 'number') throw new ConfigError(field, 'must be a string of digits (quote it: Graph ids exceed number precision)');
  const text = requiredString(input, field);
  if (!/^\d+$/.test(text)) throw new ConfigError(field, 'must be the numeric Graph id, digits only');
  return text;
}

/**
 * Validates a WhatsApp connector config and applies defaults.
 * @param input - the raw config (from a file, env or code)
 * @returns the validated config
 * @throws ConfigError naming the first missing or malformed field
 * @example
 * parseConfig({ accessToken: 'EAAG…', appSecret: 's3cret', verifyToken: 'v', phoneNumberId: '106540352242922' })
 */
export function parseConfig(input: unknown): WhatsAppConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError('config', 'must be an object');
  const raw = input as Record<string, unknown>;
  const config: WhatsAppConfig = {
    accessToken: requiredString(raw, 'accessToken'),
    appSecret: requiredString(raw, 'appSecret'),
    verifyToken: requiredString(raw, 'verifyToken'),
    phoneNumberId: graphId(raw, 'phoneNumberId', true)!,
    apiBaseUrl: DEFAULT_API_BASE_URL,
    apiVersion: DEFAULT_API_VERSION,
  };
  const waba = graphId(raw, 'businessAccountId', false);
  if (waba !== undefined) config.businessAccountId = waba;
  if (raw.apiBaseUrl !== undefined) {
    const base = raw.apiBaseUrl;
    if (typeof base !== 'string') throw new ConfigError('apiBaseUrl', 'must be a string');
    let url: URL;
    try { url = new URL(base); } catch { throw new ConfigError('apiBaseUrl', 'must be an absolute URL'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('apiBaseUrl', 'must be an http(s) URL');
    if (url.search !== '' || url.hash !== '') throw new ConfigError('apiBaseUrl', 'must not carry a query or fragment');
    config.apiBaseUrl = base.replace(/\/+$/, '');
  }
  if (raw.apiVersion !== undefined) {
    const version = raw.apiVersion;
    if (typeof version !== 'string' || !/^v\d+\.\d+$/.test(version)) throw new ConfigError('apiVersion', 'must look like "v23.0"');
    config.apiVersion = version;
  }
  return config;
}

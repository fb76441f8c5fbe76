/**
 * Messenger connector configuration and its validation.
 * @module
 */
import { ConfigError } from '@switchboard/core';

/** The Graph API host the Messenger Platform's Send API lives on. */
export const DEFAULT_API_BASE_URL = 'https://graph.facebook.com';
/** The Graph API version the connector was written against. */
export const DEFAULT_API_VERSION = 'v23.0';

/** Validated configuration of one Facebook Page. */
export interface MessengerConfig {
  /** Page access token with `pages_messaging`, sent as `Authorization: Bearer`. */
  pageAccessToken: string;
  /** The Meta app's secret: the key of `X-Hub-Signature-256`. */
  appSecret: string;
  /** The token typed into the app dashboard's webhook settings, echoed in the handshake. */
  verifyToken: string;
  /** The Facebook Page's numeric id (the webhooks' `recipient.id`). */
  pageId: string;
  /** Graph API base URL without trailing slash (default {@link DEFAULT_API_BASE_URL}). */
  apiBaseUrl: string;
  /** Graph API version, `vNN.N` (default {@link DEFAULT_API_VERSION}). */
  apiVersion: string;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null || value === '') throw new ConfigError(field, 'is required');
  if (typeof value !== 'string') throw new ConfigError(field, 'must be a string');
  if (/\s/.test(value)) throw new ConfigError(field, 'must not contain whitespace');
  return value;
}

/**
 * Validates a Messenger connector config and applies defaults.
 * @param input - the raw config (from a file, env or code)
 * @returns the validated config
 * @throws ConfigError naming the first missing or malformed field
 * @example
 * parseConfig({ pageAccessToken: 'EAAG…', appSecret: 's3cret', verifyToken: 'v', pageId: '104112345678901' })
 */
export function parseConfig(input: unknown): MessengerConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError('config', 'must be an object');
  const raw = input as Record<string, unknown>;
  const pageAccessToken = requiredString(raw, 'pageAccessToken');
  const appSecret = requiredString(raw, 'appSecret');
  const verifyToken = requiredString(raw, 'verifyToken');
  // page ids exceed Number precision, so a number here may already be wrong: only strings are accepted
  if (typeof raw.pageId === 'number') throw new ConfigError('pageId', 'must be a string of digits (quote it: Graph ids exceed number precision)');
  const pageId = requiredString(raw, 'pageId');
  if (!/^\d+$/.test(pageId)) throw new ConfigError('pageId', 'must be the numeric Page id, digits only');
  const config: MessengerConfig = {
    pageAccessToken, appSecret, verifyToken, pageId, apiBaseUrl: DEFAULT_API_BASE_URL, apiVersion: DEFAULT_API_VERSION,
  };
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

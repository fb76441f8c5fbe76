/**
 * Configuration of one Acme SMS sender.
 * @module
 */
import { ConfigError, isObject } from '@switchboard/core';
import { ACME_API_BASE_URL, ACME_LIMITS, ALPHANUMERIC_SENDER, E164 } from './acme-api.js';

/** Parsed, validated configuration of one sender. */
export interface SmsConfig {
  /** Secret API key from the Acme dashboard, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Signing secret of the webhook endpoint (HMAC key of `X-Acme-Signature`). */
  webhookSecret: string;
  /**
   * The sender: an E.164 number (two-way) or an alphanumeric id of at most 11 characters
   * (one-way: customers cannot answer it). It is also the connector's `accountId`.
   */
  senderId: string;
  /** API base URL without a trailing slash (default `https://api.acme-sms.example`). */
  apiBaseUrl: string;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const v = input[field];
  if (v === undefined || v === null || v === '') throw new ConfigError(field, 'is required');
  if (typeof v !== 'string') throw new ConfigError(field, 'must be a string');
  return v;
}

/**
 * Validates an Acme SMS connector configuration and applies defaults.
 * @param input - raw configuration (an account's `config` in the host config file)
 * @returns the configuration
 * @throws ConfigError naming the bad field
 * @example
 * parseConfig({ apiKey: 'acme_live_sk_…', webhookSecret: 'whsec_…', senderId: '+12025550100' }).apiBaseUrl
 * // 'https://api.acme-sms.example'
 */
export function parseConfig(input: unknown): SmsConfig {
  if (!isObject(input)) throw new ConfigError('(root)', 'the Acme SMS config must be an object');
  const apiKey = requiredString(input, 'apiKey');
  if (/\s/.test(apiKey)) throw new ConfigError('apiKey', 'must not contain whitespace (copy the key from the Acme dashboard)');
  const webhookSecret = requiredString(input, 'webhookSecret');
  if (webhookSecret.length < 16) throw new ConfigError('webhookSecret', 'must be at least 16 characters (the endpoint\'s signing secret)');
  const senderId = requiredString(input, 'senderId');
  if (!E164.test(senderId) && !ALPHANUMERIC_SENDER.test(senderId)) {
    throw new ConfigError('senderId', `must be an E.164 number (+ and 7-15 digits) or an alphanumeric id of at most ${ACME_LIMITS.alphanumericSenderMaxLength} letters, digits or spaces with at least one letter`);
  }
  let apiBaseUrl = ACME_API_BASE_URL;
  if (input.apiBaseUrl !== undefined) {
    const raw = input.apiBaseUrl;
    if (typeof raw !== 'string' || raw === '') throw new ConfigError('apiBaseUrl', 'must be a non-empty URL string');
    let url: URL;
    try { url = new URL(raw); } catch { throw new ConfigError('apiBaseUrl', 'must be an absolute URL'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('apiBaseUrl', 'must be an http(s) URL');
    apiBaseUrl = raw.replace(/\/+$/, '');
  }
  return { apiKey, webhookSecret, senderId, apiBaseUrl };
}

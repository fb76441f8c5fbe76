/**
 * Configuration of the Apple Messages for Business connector (MSP side of Apple's MSP REST API).
 * @module
 */
import { ConfigError, isObject } from '@switchboard/core';

/** Apple's production MSP gateway. */
export const APPLE_DEFAULT_API_BASE_URL = 'https://mspgw.push.apple.com/v1';

/** What an integrator writes in the host config for an Apple account. */
export interface AppleConfigInput {
  mspId: string;
  /** The MSP secret exactly as Apple issues it: Base64. */
  mspSecret: string;
  businessId: string;
  apiBaseUrl?: string;
  /** Seconds of clock skew tolerated on `iat`/`exp` of inbound tokens (default 60). */
  clockSkewSeconds?: number;
  /** Maximum age of an inbound token without `exp`, in seconds (default 3600). */
  tokenMaxAgeSeconds?: number;
  /** Disclosure text shown before account/transaction notifications (Apple policy); informational. */
  disclosureText?: string;
}

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

/**
 * Validates an Apple config and applies defaults.
 * @param input - the raw config
 * @returns the config with the secret decoded
 * @throws ConfigError naming the bad field
 */
export function parseConfig(input: unknown): AppleConfig {
  if (!isObject(input)) throw new ConfigError('apple', 'config must be an object');
  const str = (field: string): string => {
    const v = input[field];
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(field, 'is required and must be a non-empty string');
    return v.trim();
  };
  const mspId = str('mspId');
  const mspSecret = str('mspSecret');
  if (!BASE64.test(mspSecret)) throw new ConfigError('mspSecret', 'must be Base64 as Apple issues it');
  const secretKey = Buffer.from(mspSecret, 'base64');
  // an HS256 key shorter than the hash adds no security; Apple's secrets are longer
  if (secretKey.length < 16) throw new ConfigError('mspSecret', 'decodes to fewer than 16 bytes');
  const businessId = str('businessId');
  let apiBaseUrl = APPLE_DEFAULT_API_BASE_URL;
  if (input.apiBaseUrl !== undefined) {
    const raw = input.apiBaseUrl;
    if (typeof raw !== 'string') throw new ConfigError('apiBaseUrl', 'must be a URL string');
    let url: URL;
    try { url = new URL(raw); } catch { throw new ConfigError('apiBaseUrl', 'is not a valid URL'); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('apiBaseUrl', 'must be http(s)');
    apiBaseUrl = raw.replace(/\/+$/, '');
  }
  const num = (field: string, fallback: number, max: number): number => {
    const v = input[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ConfigError(field, `must be an integer between 0 and ${max}`);
    return v;
  };
  const config: AppleConfig = {
    mspId, mspSecret, secretKey, businessId, apiBaseUrl,
    clockSkewSeconds: num('clockSkewSeconds', 60, 600),
    tokenMaxAgeSeconds: num('tokenMaxAgeSeconds', 3600, 86_400),
  };
  if (input.disclosureText !== undefined) {
    if (typeof input.disclosureText !== 'string' || input.disclosureText.trim() === '') throw new ConfigError('disclosureText', 'must be a non-empty string');
    config.disclosureText = input.disclosureText;
  }
  return config;
}

/**
 * Structured logs (pino) that never carry secrets or message bodies, and carry phone numbers only
 * as hashes.
 * @module
 */
import { createHash } from 'node:crypto';
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { TRUNCATED, UNSERIALISABLE } from './safe-json.js';
import { CREDENTIAL_NAME, CredentialRedactor } from './compliance/credential-redactor.js';

/** Keys whose values are secrets or bodies: replaced by `[redacted]` wherever they appear. */
export const REDACTED_KEYS: readonly string[] = [
  'authorization', 'apiKey', 'apiKeys', 'secret', 'appSecret', 'token', 'accessToken', 'botToken', 'authToken', 'password',
  'x-hub-signature-256', 'x-telegram-bot-api-secret-token', 'x-viber-content-signature', 'cookie', 'set-cookie',
  'text', 'body', 'rawBody', 'content', 'caption', 'uri',
];
const REDACTED = new Set(REDACTED_KEYS.map((k) => k.toLowerCase()));
/** Keys whose string values are URLs or request targets: their credential query parameters are redacted. */
const URL_KEYS = new Set(['url', 'originalurl', 'href', 'path', 'target', 'location']);
/** Keys that may hold a phone number (WhatsApp's wa_id is one). */
const PHONE_KEYS = new Set(['userid', 'phone', 'wa_id', 'from', 'to', 'msisdn']);
const PHONE = /^\+?\d{7,15}$/;

/**
 * A short, stable hash of a phone number, so logs can be correlated without holding the number.
 * @param value - the phone number
 * @returns `tel#` and 12 hex characters
 */
export function hashPhone(value: string): string {
  return `tel#${createHash('sha256').update(value.replace(/^\+/, '')).digest('hex').slice(0, 12)}`;
}

/**
 * Returns a copy of a log object with secrets and bodies redacted and phone numbers hashed: the
 * values of {@link REDACTED_KEYS} and of every key named like a credential (a secret, token,
 * signature, password, API key, cookie, authorization — `secretToken`, `x-acme-signature`…), and the
 * credential query parameters of URLs (`hub.verify_token`, `sig`… see `CredentialRedactor`).
 * @param value - what is about to be logged
 * @param depth - recursion guard: objects deeper than 6 levels (and so cycles) become `[truncated]`
 * @returns the scrubbed copy
 */
export function scrubLogObject(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  // a value nested deeper than a log record needs (or a cycle) must not reach the serialiser
  if (depth > 6) return TRUNCATED;
  if (value instanceof Error) return { type: value.name, message: value.message, ...(typeof (value as { code?: unknown }).code === 'string' ? { code: (value as unknown as { code: string }).code } : {}) };
  if (value instanceof Date || Buffer.isBuffer(value)) return Buffer.isBuffer(value) ? `[${value.length} bytes]` : value;
  if (Array.isArray(value)) return value.map((v) => scrubLogObject(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if (REDACTED.has(key) || CREDENTIAL_NAME.test(key)) out[k] = '[redacted]';
    else if (URL_KEYS.has(key) && typeof v === 'string') out[k] = CredentialRedactor.defaults.url(v);
    else if (PHONE_KEYS.has(key) && typeof v === 'string' && PHONE.test(v)) out[k] = hashPhone(v);
    else out[k] = scrubLogObject(v, depth + 1);
  }
  return out;
}

/**
 * Creates the host logger.
 * @param options - level and an optional destination (tests pass one to read the output)
 * @returns a pino logger whose every record is scrubbed
 */
export function createHostLogger(options: { level?: string; destination?: DestinationStream } = {}): PinoLogger {
  return pino({
    level: options.level ?? 'info',
    base: { service: 'switchboard' },
    // a throwing getter or proxy in a record costs that record's fields, never the caller
    formatters: { log: (obj) => { try { return scrubLogObject(obj) as Record<string, unknown>; } catch { return { fields: UNSERIALISABLE }; } } },
  }, options.destination);
}

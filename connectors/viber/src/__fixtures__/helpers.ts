import type { RawWebhook } from '@switchboard/core';
import { hmacSha256Hex } from '@switchboard/core';

export const AUTH_TOKEN = '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9';
export const BASE_CONFIG = { authToken: AUTH_TOKEN, botName: 'Workshop Bot', accountId: 'workshopbot' };

/** A callback as the host hands it over, signed with `secret` unless a signature is given. */
export function signedRequest(body: string | Buffer, options: { secret?: string; signature?: string | null; query?: Record<string, string> } = {}): RawWebhook {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = options.signature === undefined ? hmacSha256Hex(options.secret ?? AUTH_TOKEN, bytes) : options.signature;
  if (signature !== null) headers['x-viber-content-signature'] = signature;
  return { method: 'POST', path: '/webhooks/viber/workshopbot', query: options.query ?? {}, headers, body: bytes };
}

/**
 * Signing webhooks as each first-party platform does, for payloads a fake would never produce
 * (unparseable, hostile or oversized ones), and corrupting a webhook's proof of origin.
 */
import { hmacSha256Hex, signJwtHs256, type SignedWebhook } from '@switchboard/core';

/** The first-party channels. */
export const FIRST_PARTY_CHANNELS = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;
/** A first-party channel id. */
export type FirstPartyChannel = (typeof FIRST_PARTY_CHANNELS)[number];

/** The connector config field holding the secret each platform proves a webhook's origin with. */
export const SECRET_FIELD: Record<FirstPartyChannel, string> = {
  whatsapp: 'appSecret', messenger: 'appSecret', telegram: 'secretToken', viber: 'authToken', apple: 'mspSecret',
};

/** Whether the platform's proof covers the body (HMAC) or only the sender (static token, JWT). */
export const SIGNS_BODY: Record<FirstPartyChannel, boolean> = {
  whatsapp: true, messenger: true, telegram: false, viber: true, apple: false,
};

const SIGNATURE_HEADER = /^(x-hub-signature-256|x-viber-content-signature|x-telegram-bot-api-secret-token|authorization)$/i;

/**
 * Headers proving `body` came from the platform, signed with the secret in `config`.
 * @param channel - the platform
 * @param config - a connector config (its secret signs)
 * @param body - the exact bytes to send
 * @param headers - other headers to keep (a fake's webhook's: content type, Apple's ids)
 */
export function signBody(channel: string, config: Record<string, unknown>, body: Buffer, headers: Record<string, string> = {}): Record<string, string> {
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => !SIGNATURE_HEADER.test(k)));
  switch (channel) {
    case 'whatsapp':
    case 'messenger':
      return { ...rest, 'x-hub-signature-256': `sha256=${hmacSha256Hex(String(config.appSecret), body)}` };
    case 'viber':
      return { ...rest, 'x-viber-content-signature': hmacSha256Hex(String(config.authToken), body) };
    case 'telegram':
      return { ...rest, 'x-telegram-bot-api-secret-token': String(config.secretToken) };
    case 'apple': {
      const key = Buffer.from(String(config.mspSecret), 'base64');
      return { ...rest, authorization: `Bearer ${signJwtHs256({ aud: String(config.mspId), iat: Math.floor(Date.now() / 1000) }, key)}` };
    }
    default:
      throw new Error(`no signer for ${channel}`);
  }
}

/** The name and value of the header carrying a webhook's proof of origin. */
export function proofOf(webhook: SignedWebhook): [string, string] {
  const hit = Object.entries(webhook.headers).find(([k]) => SIGNATURE_HEADER.test(k));
  if (!hit) throw new Error('the webhook carries no proof of origin');
  return hit;
}

/** The webhook with its proof of origin replaced (or removed when `value` is undefined). */
export function withProof(webhook: SignedWebhook, value: string | undefined): SignedWebhook {
  const [name] = proofOf(webhook);
  const headers = Object.fromEntries(Object.entries(webhook.headers).filter(([k]) => k !== name));
  return { ...webhook, headers: value === undefined ? headers : { ...headers, [name]: value } };
}

/** Corrupts whatever carries the proof of origin: signature, secret token or bearer token (last character flipped). */
export function corrupt(webhook: SignedWebhook): SignedWebhook {
  const [, v] = proofOf(webhook);
  const last = v.slice(-1);
  return withProof(webhook, `${v.slice(0, -1)}${last === 'a' ? 'b' : 'a'}`);
}

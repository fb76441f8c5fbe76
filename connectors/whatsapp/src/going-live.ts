/**
 * Going live with a WhatsApp business number: the Graph requests that point the WhatsApp Business
 * Account's webhooks at the host (`POST /<WABA id>/subscribed_apps` with `override_callback_uri`
 * and `verify_token`) and that prove the access token (`GET /<phone number id>`), and how their
 * answers are read.
 * @module
 */
import { ConfigError, isObject, type AccountProbe, type ProviderRequest } from '@switchboard/core';
import type { WhatsAppConfig } from './config.js';

/** The phone number fields the probe asks for. */
export const PHONE_NUMBER_PROBE_FIELDS = 'id,display_phone_number,verified_name,quality_rating,code_verification_status';

function wabaOf(config: WhatsAppConfig): string {
  if (!config.businessAccountId) {
    throw new ConfigError('businessAccountId', 'is required to register the webhook (the WhatsApp Business Account id, in WhatsApp Manager → Account tools)');
  }
  return config.businessAccountId;
}

/**
 * Subscribes the app to the WhatsApp Business Account with the host's URL as the account's
 * alternate callback (at most 200 characters): Meta then delivers the account's `messages` webhooks
 * there; the verify token is the one the host's handshake checks.
 * @param config - the connector's config (needs `businessAccountId`)
 * @param url - the host's public webhook URL for this number
 * @returns the request
 * @throws ConfigError without a business account id
 */
export function renderSubscribeApp(config: WhatsAppConfig, url: string): ProviderRequest {
  return {
    method: 'POST',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${wabaOf(config)}/subscribed_apps`,
    headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
    body: { override_callback_uri: url, verify_token: config.verifyToken },
  };
}

/**
 * The read-only requests of a probe: the phone number (display number, verified name, quality
 * rating) and, with a business account id, the apps subscribed to it with their callback override.
 * @param config - the connector's config
 * @returns one or two GET requests
 */
export function renderWhatsAppProbe(config: WhatsAppConfig): ProviderRequest[] {
  const headers = { authorization: `Bearer ${config.accessToken}` };
  const base = `${config.apiBaseUrl}/${config.apiVersion}`;
  return [
    { method: 'GET', url: `${base}/${config.phoneNumberId}?fields=${encodeURIComponent(PHONE_NUMBER_PROBE_FIELDS)}`, headers },
    ...(config.businessAccountId ? [{ method: 'GET' as const, url: `${base}/${config.businessAccountId}/subscribed_apps`, headers }] : []),
  ];
}

/**
 * Reads the probe's answers.
 * @param config - the connector's config
 * @param phone - the answer of `GET /<phone number id>`
 * @param subscribed - the answer of `GET /<WABA id>/subscribed_apps`, when asked
 * @returns the verified name, the number's id, its display number and quality rating, and the
 *   callback override registered on the account (absent: the app's own callback URL applies, which
 *   a business token cannot read)
 */
export function readWhatsAppProbe(config: WhatsAppConfig, phone: unknown, subscribed?: unknown): AccountProbe {
  const p = isObject(phone) ? phone : {};
  const details: Record<string, string> = {};
  if (typeof p.display_phone_number === 'string') details.displayPhoneNumber = p.display_phone_number;
  if (typeof p.quality_rating === 'string') details.qualityRating = p.quality_rating;
  if (typeof p.code_verification_status === 'string') details.codeVerification = p.code_verification_status;
  const apps = isObject(subscribed) && Array.isArray(subscribed.data) ? subscribed.data.filter(isObject) : [];
  const overrides = apps.map((a) => a.override_callback_uri).filter((u): u is string => typeof u === 'string' && u !== '');
  if (config.businessAccountId) details.subscribedApps = String(apps.length);
  const warnings = config.businessAccountId && apps.length === 0 ? ['no app is subscribed to the WhatsApp Business Account: run switchboard webhooks register whatsapp'] : [];
  return {
    name: typeof p.verified_name === 'string' ? p.verified_name : config.phoneNumberId,
    id: typeof p.id === 'string' ? p.id : config.phoneNumberId,
    details,
    ...(overrides.length > 0 ? { webhookUrl: overrides[0]! } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

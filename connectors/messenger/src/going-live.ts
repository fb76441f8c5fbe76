/**
 * Going live with a Facebook Page: the Graph requests that subscribe the app to the Page's
 * webhook fields (`POST /<page id>/subscribed_apps`) and that prove the page token
 * (`GET /<page id>?fields=id,name`, `GET /<page id>/subscribed_apps`), and how their answers are read.
 * The app's callback URL itself is an app setting a page token cannot change: see
 * {@link messengerCallbackSteps}.
 * @module
 */
import { isObject, type AccountProbe, type ProviderRequest } from '@switchboard/core';
import type { MessengerConfig } from './config.js';

/**
 * The Page webhook fields the connector reads (`parse` handles messages and echoes, postbacks,
 * deliveries, reads, opt-ins, referrals, reactions and edits).
 */
export const MESSENGER_SUBSCRIBED_FIELDS = [
  'messages', 'message_echoes', 'messaging_postbacks', 'message_deliveries', 'message_reads',
  'messaging_optins', 'messaging_referrals', 'message_reactions', 'message_edits',
] as const;

/**
 * Subscribes the app to the Page's webhook fields with the page token.
 * @param config - the connector's config
 * @returns the request (the fields as Graph's comma-separated `subscribed_fields`)
 */
export function renderSubscribePage(config: MessengerConfig): ProviderRequest {
  return {
    method: 'POST',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${config.pageId}/subscribed_apps`,
    headers: { authorization: `Bearer ${config.pageAccessToken}`, 'content-type': 'application/json' },
    body: { subscribed_fields: MESSENGER_SUBSCRIBED_FIELDS.join(',') },
  };
}

/**
 * The steps a person takes in the Meta app dashboard: the app-level callback URL and verify token
 * (a page token cannot set them; the app's own token could, with `POST /<app id>/subscriptions`).
 * @param url - the host's public webhook URL for this Page
 * @returns one line per step
 */
export function messengerCallbackSteps(url: string): string[] {
  return [
    `In the Meta app dashboard → Messenger → Messenger API Settings (or Webhooks → Page), set the Callback URL to ${url} and the Verify Token to this account's verifyToken, then Verify and Save (Meta checks the URL with the handshake the host answers).`,
    `Subscribe the app's Page webhook fields there too: ${MESSENGER_SUBSCRIBED_FIELDS.join(', ')} (only fields subscribed at both app and Page level are delivered).`,
  ];
}

/**
 * The read-only requests of a probe: the Page's name and id, and the apps subscribed to the Page.
 * @param config - the connector's config
 * @returns two GET requests
 */
export function renderMessengerProbe(config: MessengerConfig): [ProviderRequest, ProviderRequest] {
  const headers = { authorization: `Bearer ${config.pageAccessToken}` };
  const base = `${config.apiBaseUrl}/${config.apiVersion}/${config.pageId}`;
  return [
    { method: 'GET', url: `${base}?fields=id%2Cname`, headers },
    { method: 'GET', url: `${base}/subscribed_apps`, headers },
  ];
}

/**
 * Reads the probe's answers. Graph does not report the app's callback URL to a page token, so the
 * probe has no `webhookUrl`; it warns when no app is subscribed to the Page's `messages`.
 * @param config - the connector's config
 * @param page - the answer of `GET /<page id>?fields=id,name`
 * @param subscribed - the answer of `GET /<page id>/subscribed_apps`
 * @returns the Page's name and id, the subscribed apps and fields
 */
export function readMessengerProbe(config: MessengerConfig, page: unknown, subscribed: unknown): AccountProbe {
  const p = isObject(page) ? page : {};
  const apps = isObject(subscribed) && Array.isArray(subscribed.data) ? subscribed.data.filter(isObject) : [];
  const fields = new Set(apps.flatMap((a) => (Array.isArray(a.subscribed_fields) ? a.subscribed_fields.filter((f): f is string => typeof f === 'string') : [])));
  const details: Record<string, string> = { subscribedApps: apps.map((a) => (typeof a.name === 'string' ? a.name : String(a.id))).join(', ') || 'none' };
  if (fields.size > 0) details.subscribedFields = [...fields].join(', ');
  return {
    name: typeof p.name === 'string' ? p.name : config.pageId,
    id: typeof p.id === 'string' ? p.id : config.pageId,
    details,
    ...(fields.has('messages') ? {} : { warnings: ['no app is subscribed to the Page\'s messages field: run switchboard webhooks register messenger'] }),
  };
}

/**
 * Going live: the exact Graph requests of the Page subscription (`POST /<page id>/subscribed_apps`)
 * and of the probe (`GET /<page id>?fields=id,name`, `GET /<page id>/subscribed_apps`), and what the
 * fake answers, with a good and a wrong token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { FAKE_PAGE_NAME, FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MESSENGER_SUBSCRIBED_FIELDS, renderMessengerProbe, renderSubscribePage } from './going-live.js';
import { MessengerConnector } from './messenger-connector.js';

const fake = new FakeMessengerServer();
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

const HOOK = 'https://chat.example.com/webhooks/messenger/page';
const FIELDS = 'messages,message_echoes,messaging_postbacks,message_deliveries,message_reads,messaging_optins,messaging_referrals,message_reactions,message_edits';

describe('Messenger webhook registration', () => {
  it('renders the Page subscription exactly: POST /<page id>/subscribed_apps, bearer page token, subscribed_fields', () => {
    const config = parseConfig(fake.connectorConfig());
    expect(renderSubscribePage(config)).toEqual({
      method: 'POST', url: `${fake.url}/${config.apiVersion}/${config.pageId}/subscribed_apps`,
      headers: { authorization: `Bearer ${config.pageAccessToken}`, 'content-type': 'application/json' },
      body: { subscribed_fields: FIELDS },
    });
  });

  it('setWebhook subscribes the Page; the fake records the fields; the app callback URL is left as a precise manual step', async () => {
    const config = parseConfig(fake.connectorConfig());
    const connector = new MessengerConnector(config);
    const before = await connector.probe();
    expect(before.warnings).toEqual(['no app is subscribed to the Page\'s messages field: run switchboard webhooks register messenger']);
    const registration = await connector.setWebhook({ url: HOOK });
    expect(registration.summary).toBe(`subscribed_apps ok: Page ${config.pageId} subscribed to ${MESSENGER_SUBSCRIBED_FIELDS.join(', ')}`);
    expect(registration.manualSteps?.[0]).toContain(`set the Callback URL to ${HOOK} and the Verify Token to this account's verifyToken`);
    expect(registration.manualSteps?.join('\n')).not.toContain(config.verifyToken);
    expect(fake.subscribedFields).toEqual([...MESSENGER_SUBSCRIBED_FIELDS]);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/${config.apiVersion}/${config.pageId}/subscribed_apps`, body: { subscribed_fields: FIELDS } });
    expect(await connector.probe()).toEqual({
      name: FAKE_PAGE_NAME, id: config.pageId, details: { subscribedApps: 'Switchboard', subscribedFields: MESSENGER_SUBSCRIBED_FIELDS.join(', ') },
    });
  });

  it('the fake refuses an unknown field and a missing subscribed_fields, as Graph does (#100)', async () => {
    const config = parseConfig(fake.connectorConfig());
    const post = (body: unknown): Promise<Response> => fetch(`${fake.url}/${config.apiVersion}/${config.pageId}/subscribed_apps`, {
      method: 'POST', headers: { authorization: `Bearer ${config.pageAccessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const unknown = await post({ subscribed_fields: 'messages,nonsense' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 100, type: 'OAuthException' } });
    const missing = await post({});
    expect(await missing.json()).toMatchObject({ error: { message: '(#100) The parameter subscribed_fields is required.' } });
    expect(fake.subscribedFields).toBeUndefined();
  });
});

describe('Messenger probe', () => {
  it('renders the reads exactly: GET /<page id>?fields=id,name and GET /<page id>/subscribed_apps, bearer page token', () => {
    const config = parseConfig(fake.connectorConfig());
    const headers = { authorization: `Bearer ${config.pageAccessToken}` };
    expect(renderMessengerProbe(config)).toEqual([
      { method: 'GET', url: `${fake.url}/${config.apiVersion}/${config.pageId}?fields=id%2Cname`, headers },
      { method: 'GET', url: `${fake.url}/${config.apiVersion}/${config.pageId}/subscribed_apps`, headers },
    ]);
  });

  it('a wrong token: Graph answers 401 OAuthException 190 and probe and setWebhook fail with a permanent error', async () => {
    const connector = new MessengerConnector(parseConfig({ ...fake.connectorConfig(), pageAccessToken: 'EAAWrongPageToken' }));
    await expect(connector.probe()).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    await expect(connector.setWebhook({ url: HOOK })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    expect(fake.subscribedFields).toBeUndefined();
    expect(messengerSandboxConfig.pageId).toBeTruthy();
  });
});

/**
 * Going live: the exact Graph requests of webhook registration (`POST /<WABA>/subscribed_apps` with
 * the callback override) and of the probe (`GET /<phone number id>`, `GET /<WABA>/subscribed_apps`),
 * and what the fake answers, with a good and a wrong token.
 */
import { ConfigError } from '@switchboard/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig } from './fake-whatsapp-server.js';
import { renderSubscribeApp, renderWhatsAppProbe } from './going-live.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const fake = new FakeWhatsAppServer({ config: { ...whatsappSandboxConfig } });
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

const HOOK = 'https://chat.example.com/webhooks/whatsapp/main';
const W = whatsappSandboxConfig;

describe('WhatsApp webhook registration', () => {
  it('renders the subscription exactly: POST /<WABA id>/subscribed_apps, bearer token, override_callback_uri and verify_token', () => {
    const config = parseConfig(fake.connectorConfig());
    expect(renderSubscribeApp(config, HOOK)).toEqual({
      method: 'POST', url: `${fake.url}/v23.0/${W.businessAccountId}/subscribed_apps`,
      headers: { authorization: `Bearer ${W.accessToken}`, 'content-type': 'application/json' },
      body: { override_callback_uri: HOOK, verify_token: W.verifyToken },
    });
  });

  it('needs the business account id', () => {
    const { businessAccountId: _omitted, ...rest } = fake.connectorConfig();
    expect(() => renderSubscribeApp(parseConfig(rest), HOOK)).toThrow(ConfigError);
  });

  it('setWebhook subscribes the app with the override; the fake records it and lists it; the probe then reports it', async () => {
    const connector = new WhatsAppConnector(parseConfig(fake.connectorConfig()));
    expect(fake.subscription).toBeUndefined();
    const before = await connector.probe();
    expect(before.webhookUrl).toBeUndefined();
    expect(before.warnings).toEqual(['no app is subscribed to the WhatsApp Business Account: run switchboard webhooks register whatsapp']);
    const registration = await connector.setWebhook({ url: HOOK });
    expect(registration).toMatchObject({ url: HOOK, summary: `subscribed_apps ok: WhatsApp Business Account ${W.businessAccountId} delivers to this URL (callback override)` });
    expect(fake.subscription).toEqual({ overrideCallbackUri: HOOK });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v23.0/${W.businessAccountId}/subscribed_apps`, body: { override_callback_uri: HOOK, verify_token: W.verifyToken } });
    expect(await connector.probe()).toEqual({
      name: 'Switchboard Sandbox', id: W.phoneNumberId, webhookUrl: HOOK,
      details: { displayPhoneNumber: expect.stringMatching(/^\+\d+$/) as unknown as string, qualityRating: 'GREEN', codeVerification: 'VERIFIED', subscribedApps: '1' },
    });
  });

  it('the fake refuses an override that is not HTTPS or longer than 200 characters, and one without verify_token, as Graph does (#100)', async () => {
    const config = parseConfig(fake.connectorConfig());
    const connector = new WhatsAppConnector(config);
    await expect(connector.setWebhook({ url: 'http://chat.example.com/hook' })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    await expect(connector.setWebhook({ url: `https://chat.example.com/${'x'.repeat(200)}` })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    const res = await fetch(`${fake.url}/v23.0/${W.businessAccountId}/subscribed_apps`, {
      method: 'POST', headers: { authorization: `Bearer ${W.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ override_callback_uri: HOOK }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: '(#100) The parameter verify_token is required.', type: 'OAuthException', code: 100 } });
    expect(fake.subscription).toBeUndefined();
  });
});

describe('WhatsApp probe', () => {
  it('renders the reads exactly: GET /<phone number id>?fields=…, GET /<WABA id>/subscribed_apps, bearer token, no body', () => {
    const config = parseConfig(fake.connectorConfig());
    const headers = { authorization: `Bearer ${W.accessToken}` };
    expect(renderWhatsAppProbe(config)).toEqual([
      { method: 'GET', url: `${fake.url}/v23.0/${W.phoneNumberId}?fields=id%2Cdisplay_phone_number%2Cverified_name%2Cquality_rating%2Ccode_verification_status`, headers },
      { method: 'GET', url: `${fake.url}/v23.0/${W.businessAccountId}/subscribed_apps`, headers },
    ]);
    const { businessAccountId: _omitted, ...rest } = fake.connectorConfig();
    expect(renderWhatsAppProbe(parseConfig(rest))).toHaveLength(1);
  });

  it('a wrong token: Graph answers 401 OAuthException 190 and the probe fails with a permanent error', async () => {
    const connector = new WhatsAppConnector(parseConfig({ ...fake.connectorConfig(), accessToken: 'EAAWrongTokenWrongToken' }));
    await expect(connector.probe()).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    await expect(connector.setWebhook({ url: HOOK })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    const res = await fetch(renderWhatsAppProbe(parseConfig({ ...fake.connectorConfig(), accessToken: 'EAAWrongTokenWrongToken' }))[0]!.url, { headers: { authorization: 'Bearer EAAWrongTokenWrongToken' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } });
    expect(fake.subscription).toBeUndefined();
  });
});

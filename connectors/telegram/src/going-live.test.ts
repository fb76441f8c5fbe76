/** Going live: the probe's exact requests (getMe, getWebhookInfo) and what the fake answers, with a good and a wrong token. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { TelegramConnector } from './telegram-connector.js';

const fake = new FakeTelegramServer();
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

const HOOK = 'https://chat.example.com/webhooks/telegram/bot';

describe('Telegram probe', () => {
  it('renders getMe and getWebhookInfo exactly: POST to /bot<token>/<method>, empty JSON body', () => {
    const config = parseConfig(fake.connectorConfig());
    const connector = new TelegramConnector(config);
    expect(connector.renderProbe()).toEqual([
      { method: 'POST', url: `${fake.url}/bot${config.botToken}/getMe`, headers: { 'content-type': 'application/json' }, body: {} },
      { method: 'POST', url: `${fake.url}/bot${config.botToken}/getWebhookInfo`, headers: { 'content-type': 'application/json' }, body: {} },
    ]);
  });

  it('names the bot and reports the registered webhook (none, then the one setWebhook set)', async () => {
    const connector = new TelegramConnector(parseConfig(fake.connectorConfig()));
    const before = await connector.probe();
    expect(before).toMatchObject({ name: '@switchboard_sandbox_bot', id: connector.accountId, webhookUrl: '' });
    expect(await connector.setWebhook({ url: HOOK })).toEqual({ url: HOOK, summary: 'setWebhook ok (secret token set; updates: message, edited_message, callback_query, my_chat_member)' });
    expect(await connector.probe()).toEqual({ name: '@switchboard_sandbox_bot', id: connector.accountId, webhookUrl: HOOK, details: { pendingUpdates: 0 } });
    expect(fake.requests.map((r) => r.path.replace(/^\/bot[^/]+/, ''))).toEqual(['/getMe', '/getWebhookInfo', '/setWebhook', '/getMe', '/getWebhookInfo']);
  });

  it('a wrong token: Telegram answers 401 Unauthorized and the probe fails with a permanent error', async () => {
    const config = parseConfig({ ...fake.connectorConfig(), botToken: `${String(fake.connectorConfig().botToken).split(':')[0]}:AAWrongTokenWrongTokenWrongToken00` });
    const connector = new TelegramConnector(config);
    await expect(connector.probe()).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    const answer = await fetch(connector.renderProbe()[0].url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('an aborted signal stops the probe', async () => {
    const connector = new TelegramConnector(parseConfig(fake.connectorConfig()));
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(connector.probe({ signal: controller.signal })).rejects.toThrow();
  });
});

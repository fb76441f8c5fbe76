/** Going live: the probe's exact request (get_account_info) and what the fake answers, with a good and a wrong token. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { FakeViberServer, viberSandboxConfig } from './fake-viber-server.js';
import { ViberConnector } from './viber-connector.js';

const fake = new FakeViberServer({ config: { ...viberSandboxConfig } });
beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

describe('Viber probe', () => {
  it('renders get_account_info exactly: POST, the token in X-Viber-Auth-Token, an empty JSON body', () => {
    const connector = new ViberConnector(parseConfig(fake.connectorConfig()));
    expect(connector.renderProbe()).toEqual({
      method: 'POST', url: `${fake.url}/pa/get_account_info`,
      headers: { 'X-Viber-Auth-Token': viberSandboxConfig.authToken, 'content-type': 'application/json' }, body: {},
    });
  });

  it('names the bot and reports the webhook Viber delivers to', async () => {
    const connector = new ViberConnector(parseConfig(fake.connectorConfig()));
    const probe = await connector.probe();
    expect(probe).toMatchObject({ name: viberSandboxConfig.botName, id: `pa:${viberSandboxConfig.accountId}`, details: { uri: viberSandboxConfig.accountId } });
    expect(probe.webhookUrl).toBe(fake.webhookUrl ?? '');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/pa/get_account_info', body: {} });
  });

  it('a wrong token: Viber answers status 2 invalidAuthToken and the probe fails with a permanent error', async () => {
    const connector = new ViberConnector(parseConfig({ ...fake.connectorConfig(), authToken: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f' }));
    await expect(connector.probe()).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { viberStatus: 2, statusMessage: 'invalidAuthToken' } });
  });
});

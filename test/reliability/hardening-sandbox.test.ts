/**
 * Lower finding of the hardening issue — the sandbox listened on every interface with a public app
 * secret (the fakes' fixed sandbox secrets, published in the connectors' sources): anyone on the
 * network could sign webhooks it accepted. Now it binds 127.0.0.1 unless `HOST` (or `hostname`)
 * says otherwise, and every fake draws its own secrets at each start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { createHost, type Host } from '@switchboard/host';
import { createSandbox, FIRST_PARTY_CONNECTORS } from '@switchboard/host/testing';
import { appleSandboxConfig } from '@switchboard/apple';
import { messengerSandboxConfig } from '@switchboard/messenger';
import { telegramSandboxConfig } from '@switchboard/telegram';
import { viberSandboxConfig } from '@switchboard/viber';
import { whatsappSandboxConfig } from '@switchboard/whatsapp';

const KEY = 'sandbox-hardening-key-0123456789';
/** Every secret the connectors' sources publish. */
const PUBLISHED: Record<string, string[]> = {
  whatsapp: [whatsappSandboxConfig.accessToken, whatsappSandboxConfig.appSecret, whatsappSandboxConfig.verifyToken],
  messenger: [messengerSandboxConfig.pageAccessToken, messengerSandboxConfig.appSecret, messengerSandboxConfig.verifyToken],
  telegram: [telegramSandboxConfig.botToken, telegramSandboxConfig.secretToken],
  viber: [viberSandboxConfig.authToken],
  apple: [appleSandboxConfig.mspSecret],
};
const SECRET_KEYS = ['accessToken', 'appSecret', 'verifyToken', 'pageAccessToken', 'botToken', 'secretToken', 'authToken', 'mspSecret'];

const hosts: Host[] = [];
afterEach(async () => { for (const h of hosts.splice(0)) await h.stop(); });

async function start(env: Record<string, string> = {}): Promise<{ host: Host; secrets: Map<string, Record<string, unknown>> }> {
  const sandbox = await createSandbox({ ephemeral: true, env: { SWITCHBOARD_API_KEY: KEY, ...env }, logger: silentLogger, port: 0 });
  const host = await createHost(sandbox.config, { logger: silentLogger, ...sandbox.hostOptions, features: [] });
  hosts.push(host);
  await host.listen(0);
  const secrets = new Map([...sandbox.fakes].map(([channel, f]) => [channel, Object.fromEntries(Object.entries(f.fake.connectorConfig()).filter(([k]) => SECRET_KEYS.includes(k)))]));
  return { host, secrets };
}

describe('the sandbox is not open to the network and has no published secret', () => {
  it('binds 127.0.0.1 by default, and HOST when given', async () => {
    const { host } = await start();
    expect(host.address?.address).toBe('127.0.0.1');
    const other = await start({ HOST: '::1' });
    expect(other.host.address?.address).toBe('::1');
  });

  it('every fake draws its own secrets at each start: none is a published one, two starts share none', async () => {
    const a = await start();
    const b = await start();
    expect([...a.secrets.keys()].sort()).toEqual(FIRST_PARTY_CONNECTORS.map((p) => p.replace('@switchboard/', '')).sort());
    for (const [channel, secrets] of a.secrets) {
      const values = Object.values(secrets).map(String);
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) expect(PUBLISHED[channel]).not.toContain(v);
      const again = Object.values(b.secrets.get(channel)!).map(String);
      for (const v of values) expect(again).not.toContain(v);
    }
  });
});

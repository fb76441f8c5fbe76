import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ConnectorPlugin } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { connectorFromModule } from './plugin-loader.js';

/** A fetch that records every URL it is asked for and passes the call on to the global fetch. */
function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return globalThis.fetch(input, init);
    },
  };
}

// the host knows connectors only as plugins it is handed (lint keeps static imports out): so does this test
const { default: telegram, FakeTelegramServer } = await import('@switchboard/telegram');

describe('connectors get the host platform fetch', () => {
  const fake = new FakeTelegramServer();
  let host: Host | undefined;
  beforeAll(async () => {
    await fake.start();
    fake.startUser('4242', 'Ada');
    fake.startUser('4243', 'Grace');
  });
  afterAll(async () => {
    await host?.stop();
    await fake.stop();
  });

  it('regression: HostOptions.platformFetch reaches the connectors (a host sends the platform request through it)', async () => {
    const recorder = recordingFetch();
    const config = configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [{ id: 'shop', apiKeys: ['plugin-loader-test-key-0123456789'] }],
      connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    });
    host = await createHost(config, { logger: silentLogger, platformFetch: recorder.fetch });
    const binding = host.registry.get('telegram', 'main')!;
    const accountId = (binding.connector as { accountId?: string }).accountId ?? 'main';
    const sent = await binding.connector.send({ id: 'm-1', to: { channel: 'telegram', accountId, userId: '4242' }, content: { type: 'text', text: 'through the proxy' } });
    expect(sent.externalId).toBeTruthy();
    const platformCalls = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/sendMessage'));
    expect(platformCalls).toHaveLength(1);
    expect(recorder.urls).toHaveLength(1);
    expect(recorder.urls[0]).toMatch(/\/sendMessage$/);
  });

  it('connectorFromModule binds the fetch it is given as PlatformFetch in the connector\'s own container', async () => {
    const recorder = recordingFetch();
    const parsed = telegram.parseConfig(fake.connectorConfig());
    const connector = connectorFromModule(telegram as ConnectorPlugin, parsed, { logger: silentLogger, clock: { now: () => Date.now() }, fetch: recorder.fetch });
    await connector.send({ id: 'm-2', to: { channel: 'telegram', accountId: 'x', userId: '4243' }, content: { type: 'text', text: 'hello' } });
    expect(recorder.urls).toEqual([expect.stringMatching(/\/sendMessage$/)]);
  });
});

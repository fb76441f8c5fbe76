import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Connector, ManualClock, silentLogger, type ConfigProblem, type ConnectorPlugin, type FakePlatform } from '@switchboard/core';
import { Container, ContainerModule } from '@switchboard/core/di';
import { configFromObject, loadConfigFile } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { connectorFromModule, connectorServicesContainer, loadConnectors, PluginLoadError } from './plugin-loader.js';

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

  it('connectorFromModule builds the connector in a child of the container it is given: the parent\'s PlatformFetch reaches it', async () => {
    const recorder = recordingFetch();
    const parsed = telegram.parseConfig(fake.connectorConfig());
    const connector = connectorFromModule(telegram as ConnectorPlugin, parsed, connectorServicesContainer({ logger: silentLogger, clock: { now: () => Date.now() }, fetch: recorder.fetch }));
    await connector.send({ id: 'm-2', to: { channel: 'telegram', accountId: 'x', userId: '4243' }, content: { type: 'text', text: 'hello' } });
    expect(recorder.urls).toEqual([expect.stringMatching(/\/sendMessage$/)]);
  });
});

const FIRST_PARTY = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;

describe.each(FIRST_PARTY)('HostOptions.platformFetch reaches @switchboard/%s', (channel) => {
  let fake: FakePlatform;
  let host: Host | undefined;
  beforeAll(async () => {
    const plugin = (await import(`@switchboard/${channel}`)).default as ConnectorPlugin;
    fake = plugin.fake!();
    await fake.start();
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  it('every platform call of a send goes through the host-level fetch, to the platform', async () => {
    const recorder = recordingFetch();
    const config = configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [{ id: 'shop', apiKeys: ['plugin-loader-test-key-0123456789'], routing: { escalationQueue: 'support' } }],
      connectors: [{ package: `@switchboard/${channel}`, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    });
    host = await createHost(config, { logger: silentLogger, platformFetch: recorder.fetch });
    const binding = host.registry.get(channel, 'main')!;
    const before = fake.requests.length;
    // the platform may refuse an unknown customer: the call is what counts here
    await binding.connector.send({ id: 'm-3', to: { channel, accountId: binding.connector.accountId ?? 'main', userId: '4915112345678' }, content: { type: 'text', text: 'through the host fetch' } }).catch(() => undefined);
    const reached = fake.requests.length - before;
    expect(reached).toBeGreaterThan(0);
    expect(recorder.urls).toHaveLength(reached);
    for (const url of recorder.urls) expect(new URL(url).origin).toBe(new URL(fake.url).origin);
  });
});

describe('connectorFromModule in a child container', () => {
  const accountModule = (bound: number): ConnectorPlugin => ({
    ...strictPlugin('child'),
    module: () => new ContainerModule(({ bind }) => {
      for (let i = 0; i < bound; i++) bind(Connector).toConstantValue({ channel: 'child', n: i });
    }),
  } as unknown as ConnectorPlugin);

  it('counts only the account\'s own Connector bindings, not those the host container holds', () => {
    const parent = connectorServicesContainer({ logger: silentLogger, clock: new ManualClock(0) });
    parent.bind(Connector).toConstantValue({ channel: 'other-account' });
    expect(() => connectorFromModule(accountModule(0), {}, parent)).toThrow('must bind exactly one Connector, bound 0');
    expect(() => connectorFromModule(accountModule(2), {}, parent)).toThrow('must bind exactly one Connector, bound 2');
    expect(connectorFromModule(accountModule(1), {}, parent)).toEqual({ channel: 'child', n: 0 });
  });

  it('gives the module every binding of the host container (here a value of the host\'s own)', () => {
    const HostValue = Symbol.for('switchboard.test.HostValue');
    const parent = connectorServicesContainer({ logger: silentLogger, clock: new ManualClock(0) });
    parent.bind(HostValue).toConstantValue('from the host');
    const plugin = {
      ...strictPlugin('child'),
      module: () => new ContainerModule(({ bind }) => {
        bind(Connector).toDynamicValue((c) => ({ channel: 'child', seen: c.get<string>(HostValue) }));
      }),
    } as unknown as ConnectorPlugin;
    expect(connectorFromModule(plugin, {}, parent)).toEqual({ channel: 'child', seen: 'from the host' });
  });
});

/**
 * A plugin whose account config needs a `token` string and takes an optional `url` string; it
 * reports every fault of an account, as a schema-first connector does.
 */
function strictPlugin(channel: string): ConnectorPlugin {
  return {
    apiVersion: 1, channel, displayName: `Strict ${channel}`, policy: {}, capabilities: {},
    parseConfig(input: unknown) {
      const c = (input ?? {}) as { token?: unknown; url?: unknown };
      const problems: ConfigProblem[] = [];
      if (typeof c.token !== 'string') problems.push({ field: 'token', message: 'is required' });
      if (c.url !== undefined && typeof c.url !== 'string') problems.push({ field: 'url', message: 'must be a URL' });
      if (problems.length > 0) throw ConfigError.of(problems);
      return c;
    },
    create() { throw new Error('not built in these tests'); },
    module: () => new ContainerModule(() => {}),
  } as unknown as ConnectorPlugin;
}

const services = (): Container => connectorServicesContainer({ logger: silentLogger, clock: new ManualClock(0) });
const tenants = [{ id: 'shop', apiKeys: ['plugin-loader-test-key-0123456789'] }];

describe('connector account configs are read whole', () => {
  it('lists every fault of every account of a plugin, under connectors[i].accounts[j].config', async () => {
    const config = configFromObject({ store: { kind: 'memory' }, tenants, connectors: [
      { package: 'strict', plugin: strictPlugin('strict'), required: true, accounts: [{ id: 'a', config: { url: 7 } }, { id: 'b', config: { token: 't' } }, { id: 'c', config: {} }] },
    ] });
    const error = await loadConnectors(config, services()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).problems).toEqual([
      { field: 'connectors[0].accounts[0].config.token', message: 'is required' },
      { field: 'connectors[0].accounts[0].config.url', message: 'must be a URL' },
      { field: 'connectors[0].accounts[2].config.token', message: 'is required' },
    ]);
    expect((error as PluginLoadError).details).toMatchObject({ field: 'connectors[0].accounts[0].config.token' });
  });

  it('refuses a start with the faults of every required plugin in one error, and isolates an optional one with all of its own', async () => {
    const config = configFromObject({ store: { kind: 'memory' }, tenants, connectors: [
      { package: 'one', plugin: strictPlugin('one'), required: true, accounts: [{ id: 'a', config: {} }] },
      { package: 'two', plugin: strictPlugin('two'), accounts: [{ id: 'a', config: { token: 1 } }, { id: 'b', config: { url: 1 } }] },
      { package: 'three', plugin: strictPlugin('three'), required: true, accounts: [{ id: 'a', config: { token: 't', url: false } }] },
    ] });
    const error = await loadConnectors(config, services()).catch((e: unknown) => e);
    expect((error as PluginLoadError).problems.map((p) => p.field)).toEqual(['connectors[0].accounts[0].config.token', 'connectors[2].accounts[0].config.url']);

    const optional = { ...config, connectors: config.connectors.map((c) => ({ ...c, required: false })) };
    const { statuses } = await loadConnectors(optional, services());
    expect(statuses[1]).toMatchObject({ package: 'two', state: 'failed' });
    expect(statuses[1]!.error).toContain('connectors[1].accounts[0].config.token: is required');
    expect(statuses[1]!.error).toContain('connectors[1].accounts[1].config.token: is required');
    expect(statuses[1]!.error).toContain('connectors[1].accounts[1].config.url: must be a URL');
  });

  it('a plain error from parseConfig is one problem at the account config', async () => {
    const plain = { ...strictPlugin('plain'), parseConfig: () => { throw new Error('token looks wrong'); } } as ConnectorPlugin;
    const config = configFromObject({ store: { kind: 'memory' }, tenants, connectors: [{ package: 'plain', plugin: plain, required: true, accounts: [{ id: 'a', config: {} }] }] });
    const error = await loadConnectors(config, services()).catch((e: unknown) => e);
    expect((error as PluginLoadError).problems).toEqual([{ field: 'connectors[0].accounts[0].config', message: 'token looks wrong' }]);
  });

  it('a config with faults in the host sections and in accounts reports them all (a given plugin reads its accounts at once)', () => {
    let error: unknown;
    try {
      configFromObject({ prot: 1, tenants, connectors: [{ package: 'strict', plugin: strictPlugin('strict'), accounts: [{ id: 'a', config: { url: 2 } }] }] });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.field)).toEqual(['prot', 'connectors[0].accounts[0].config.token', 'connectors[0].accounts[0].config.url']);
  });

  it('a config file with faults lists those of the accounts of the plugins it names, imported by path (a vendor\'s ConfigError-shaped error included)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-plugin-config-'));
    // a vendor's package carries its own copy of core: its errors are recognised by shape, not class
    await writeFile(join(dir, 'vendor-plugin.mjs'), `
      class VendorConfigError extends Error {
        constructor(problems) { super(problems[0].field + ': ' + problems[0].message); this.code = 'CONFIG_INVALID'; this.retryable = false; this.field = problems[0].field; this.problems = problems; }
      }
      export default {
        apiVersion: 1, channel: 'vendor', displayName: 'Vendor', policy: {}, capabilities: {},
        parseConfig(input) {
          const problems = [];
          if (typeof input.apiKey !== 'string') problems.push({ field: 'apiKey', message: 'is required' });
          if (typeof input.region !== 'string') problems.push({ field: 'region', message: 'is required' });
          if (problems.length) throw new VendorConfigError(problems);
          return input;
        },
        create() { throw new Error('unused'); },
        module() { throw new Error('unused'); },
      };
    `);
    await writeFile(join(dir, 'switchboard.config.json'), JSON.stringify({
      port: 70000, tenants,
      connectors: [{ package: './vendor-plugin.mjs', accounts: [{ id: 'main', config: {} }] }, { package: './missing-plugin.mjs', accounts: [{ id: 'x', config: {} }] }],
    }));
    const error = await loadConfigFile(join(dir, 'switchboard.config.json'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { field: 'port', message: 'must be an integer from 0 to 65535' },
      { field: 'connectors[0].accounts[0].config.apiKey', message: 'is required' },
      { field: 'connectors[0].accounts[0].config.region', message: 'is required' },
    ]);
  });
});

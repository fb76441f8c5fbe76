/**
 * A host with every first-party connector, each against its own fake platform server: tenant
 * `shop` owns the `main` account of each channel; tenant `rival` owns an `other` account of each
 * channel with its own secret (so a webhook signed with another tenant's secret can be tried). A
 * bot counts the conversations it is asked to handle (one routing per stored message).
 */
import { silentLogger, type ConnectorPlugin, type FakePlatform, type FakePlatformOptions } from '@switchboard/core';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';
import { configFromObject, createHost, type Host, type HostMessage, type HostOptions, type HostStores } from '@switchboard/host';
import { FIRST_PARTY_CHANNELS, SECRET_FIELD, type FirstPartyChannel } from '../../e2e/support/webhook-signing.js';

export const KEY = 'reliability-suite-key-0123456789';
export const RIVAL_KEY = 'reliability-rival-key-0123456789';

/** Secrets of the rival tenant's accounts, valid in each platform's format. */
const RIVAL_SECRET: Record<FirstPartyChannel, string> = {
  whatsapp: 'rival-app-secret-0123456789abcdef',
  messenger: 'rival-app-secret-0123456789abcdef',
  telegram: 'rival_secret_token_0123456789',
  viber: 'rival-auth-token-0123456789abcdef-0123456789abcdef',
  apple: Buffer.from('rival-msp-secret-rival-msp-secret-32').toString('base64'),
};

/** What a running channels host offers a test. */
export interface ChannelsHost {
  hosts: Host[];
  url: string;
  urls: string[];
  stores: HostStores;
  fakes: Record<FirstPartyChannel, FakePlatform>;
  /** Connector configs per channel and account (`main` or `other`). */
  configs: Record<FirstPartyChannel, { main: Record<string, unknown>; other: Record<string, unknown> }>;
  /** Messages each bot handler call was about, in call order (across hosts). */
  routed: HostMessage[];
  webhookUrl(channel: FirstPartyChannel, account?: 'main' | 'other', hostIndex?: number): string;
  api<T = unknown>(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; body: T }>;
  /** Inbox entries, dead letters and messages stored for tenant `shop`. */
  stored(): Promise<{ inbox: number; deadLetters: number; messages: number }>;
  stop(): Promise<void>;
}

/**
 * Starts the fakes and `hostCount` hosts sharing one store: a fresh SQLite file, every host with
 * its own connection to it unless `stores` is given (as several processes share one database).
 */
export async function startChannelsHost(options: {
  channels?: readonly FirstPartyChannel[];
  hostCount?: number;
  server?: Record<string, number>;
  hostOptions?: HostOptions;
  stores?: HostStores;
  /** Options for every fake (e.g. `timeScale`, with a matching `ScaledTimer` in `hostOptions.outbound`). */
  fakeOptions?: FakePlatformOptions;
} = {}): Promise<ChannelsHost> {
  const channels = options.channels ?? FIRST_PARTY_CHANNELS;
  const fakes = {} as Record<FirstPartyChannel, FakePlatform>;
  const configs = {} as ChannelsHost['configs'];
  const connectors: Record<string, unknown>[] = [];
  for (const channel of channels) {
    const plugin = (await import(`@switchboard/${channel}`)).default as ConnectorPlugin;
    const fake = plugin.fake!(options.fakeOptions);
    await fake.start();
    fakes[channel] = fake;
    const main = fake.connectorConfig();
    const other = { ...main, [SECRET_FIELD[channel]]: RIVAL_SECRET[channel] };
    configs[channel] = { main, other };
    connectors.push({
      package: `@switchboard/${channel}`, plugin, required: true,
      accounts: [{ id: 'main', tenant: 'shop', config: main }, { id: 'other', tenant: 'rival', config: other }],
    });
  }
  const routed: HostMessage[] = [];
  const config = configFromObject({
    logLevel: 'silent',
    store: tempDatabase('channels'),
    ...(options.server ? { server: options.server } : {}),
    tenants: [
      { id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'support', rules: [{ to: { bot: 'counter' } }] } },
      { id: 'rival', apiKeys: [RIVAL_KEY], routing: { escalationQueue: 'support' } },
    ],
    connectors,
    bots: { counter: (context: { message: HostMessage }) => { routed.push(context.message); } },
  });
  const hosts: Host[] = [];
  const urls: string[] = [];
  let stores = options.stores;
  for (let i = 0; i < (options.hostCount ?? 1); i++) {
    const host = await createHost(config, {
      logger: silentLogger, processor: { pollMs: 10, retryBaseMs: 10 },
      ...(stores ? { stores } : {}), ...options.hostOptions,
      ...(options.hostOptions?.outbound ? { outbound: { ...options.hostOptions.outbound, owner: `host-${i}` } } : { outbound: { owner: `host-${i}` } }),
    });
    stores ??= host.stores;
    hosts.push(host);
    urls.push((await host.listen(0, '127.0.0.1')).url);
  }
  const shared = stores!;
  const url = urls[0]!;
  return {
    hosts, url, urls, stores: shared, fakes, configs, routed,
    webhookUrl: (channel, account = 'main', hostIndex = 0) => `${urls[hostIndex]}/webhooks/${channel}/${account}`,
    async api<T>(path: string, init: RequestInit & { key?: string } = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${init.key ?? KEY}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      const res = await fetch(`${url}${path}`, { ...init, headers });
      const text = await res.text();
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON: the caller sees the text */ }
      return { status: res.status, body: body as T };
    },
    async stored() {
      const counts = await shared.inbox.counts('shop');
      const inbox = Object.values(counts).reduce((a, b) => a + b, 0);
      const deadLetters = (await shared.deadLetters.list('shop', { limit: 1000 })).length;
      const conversations = await shared.conversations.list('shop', { limit: 1000 });
      let messages = 0;
      for (const c of conversations) messages += (await shared.messages.listByConversation('shop', c.id, { limit: 1000 })).length;
      return { inbox, deadLetters, messages };
    },
    async stop() {
      for (const h of hosts) await h.stop();
      for (const f of Object.values(fakes)) await f.stop();
    },
  };
}

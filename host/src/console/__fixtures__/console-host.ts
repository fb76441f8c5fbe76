/**
 * A host for the console's API tests: WhatsApp and Messenger loaded by package name with their
 * fake platforms, two tenants, a ManualClock, the console with cheap password hashing.
 */
import { ManualClock, silentLogger, type ConnectorPlugin, type FakePlatform } from '@switchboard/core';
import { configFromObject } from '../../config/load-config.js';
import { createHost, type Host } from '../../host.js';
import type { HostFeatureFactory } from '../../features.js';
import { createConsoleFeature, type ConsoleOptions } from '../console-feature.js';
import { tempDatabase } from '../../__fixtures__/temp-database.js';

export const KEY = 'console-api-test-key-0123456789';
export const OTHER_KEY = 'console-api-test-key-other-0123';
/** Cheap enough for tests, same code path as production. */
export const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

/** A parsed JSON answer, as loosely typed as JSON.parse makes it: the tests assert its shape. */
export type Json = ReturnType<typeof JSON.parse>;

export interface ConsoleHost {
  host: Host;
  url: string;
  clock: ManualClock;
  /** The clock of sessions and the login limiter. */
  authClock: ManualClock;
  fakes: Record<'whatsapp' | 'messenger', FakePlatform>;
  api<T = Json>(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; body: T; headers: Headers }>;
  /** A cookie-holding console client. */
  browser(): ConsoleClient;
  customerWrites(channel: 'whatsapp' | 'messenger', userId: string, text: string, name?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ConsoleClient {
  cookies: Map<string, string>;
  call<T = Json>(path: string, init?: { method?: string; body?: unknown; csrf?: string | false; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  login(email: string, password: string, tenant?: string): Promise<{ status: number; body: Json; headers: Headers }>;
}

export async function startConsoleHost(options: ConsoleOptions = {}): Promise<ConsoleHost> {
  const clock = new ManualClock(Date.now());
  const authClock = new ManualClock(Date.now());
  const fakes = {} as Record<'whatsapp' | 'messenger', FakePlatform>;
  for (const ch of ['whatsapp', 'messenger'] as const) {
    const plugin = (await import(`@switchboard/${ch}`)).default as ConnectorPlugin;
    fakes[ch] = plugin.fake!();
    await fakes[ch].start();
  }
  const config = configFromObject({ store: tempDatabase(),
    logLevel: 'silent',
    tenants: [
      { id: 'shop', name: 'Corner Shop', apiKeys: [KEY], routing: { rules: [{ match: { keyword: ['agent', 'human'] }, to: { queue: 'support' } }, { to: { bot: 'echo' } }], escalationQueue: 'support' } },
      { id: 'other', name: 'Other', apiKeys: [OTHER_KEY] },
    ],
    connectors: [
      { package: '@switchboard/whatsapp', required: true, accounts: [{ id: 'main', tenant: 'shop', config: fakes.whatsapp.connectorConfig() }] },
      { package: '@switchboard/messenger', required: true, accounts: [{ id: 'page', tenant: 'shop', config: fakes.messenger.connectorConfig() }] },
    ],
    bots: { echo: async (ctx: { reply(text: string): Promise<unknown>; text?: string }) => { await ctx.reply(`You said: ${ctx.text ?? ''}`); } },
  });
  const feature: HostFeatureFactory = createConsoleFeature({ scrypt: TEST_SCRYPT, heartbeatMs: 200, clock: authClock, ...options });
  const host = await createHost(config, { logger: silentLogger, clock, processor: { pollMs: 20, retryBaseMs: 20 }, features: [feature] });
  const { url } = await host.listen(0, '127.0.0.1');
  const api: ConsoleHost['api'] = async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== '') headers.set('authorization', `Bearer ${init.key ?? KEY}`);
    if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const res = await fetch(`${url}${path}`, { ...init, headers });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const browser = (): ConsoleClient => {
    const cookies = new Map<string, string>();
    const client: ConsoleClient = {
      cookies,
      async call(path, init = {}) {
        const headers: Record<string, string> = { ...init.headers };
        if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        if (init.body !== undefined) headers['content-type'] = 'application/json';
        const csrf = init.csrf === undefined ? cookies.get('sb_console_csrf') : init.csrf;
        if (csrf) headers['x-csrf-token'] = csrf;
        const res = await fetch(`${url}/console/api${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, v] = pair!.split('=') as [string, string];
          if (/Max-Age=0/.test(c)) cookies.delete(k); else cookies.set(k, v);
        }
        const text = await res.text();
        let body: unknown;
        try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
        return { status: res.status, body: body as never, headers: res.headers };
      },
      login(email, password, tenant) {
        return client.call('/login', { body: { email, password, tenant: tenant ?? 'shop' }, csrf: false });
      },
    };
    return client;
  };
  return {
    host, url, clock, authClock, fakes, api, browser,
    async customerWrites(channel, userId, text, name) {
      const account = channel === 'whatsapp' ? 'main' : 'page';
      const answer = await fakes[channel].deliver(`${url}/webhooks/${channel}/${account}`, fakes[channel].userMessage({ userId, text, timestamp: new Date(clock.now()), ...(name ? { name } : {}) }));
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}`);
    },
    async stop() {
      await host.stop();
      await Promise.all(Object.values(fakes).map((f) => f.stop()));
    },
  };
}

/** Waits until a probe returns something truthy. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Registers a WhatsApp template and gets it approved: by the fake platform's review when the
 * connector submits templates to the platform, else by the admin decision the registry takes for
 * channels without platform review (the WhatsApp connector's template support is being built).
 */
export async function approvedTemplate(h: ConsoleHost, input: { name: string; body: string; category?: string; examples?: string[] }): Promise<{ id: string }> {
  const t = await h.api('/v1/templates', { method: 'POST', body: JSON.stringify({ channel: 'whatsapp', language: 'en_US', category: input.category ?? 'utility', name: input.name, body: input.body }) });
  if (t.status !== 201) throw new Error(`template create answered ${t.status}: ${JSON.stringify(t.body)}`);
  await h.api(`/v1/templates/${t.body.id}/submit`, { method: 'POST', body: JSON.stringify({ examples: input.examples ?? ['x'] }) });
  const decided = await h.api(`/v1/templates/${t.body.id}/status`, { method: 'POST', body: JSON.stringify({ status: 'approved' }) });
  if (decided.status === 409) {
    (h.fakes.whatsapp as unknown as { approveTemplate(name: string): number }).approveTemplate(input.name);
    await h.api('/v1/templates/sync', { method: 'POST', body: '{}' });
  }
  const got = await h.api(`/v1/templates/${t.body.id}`);
  if (got.body.status !== 'approved') throw new Error(`template ${input.name} is ${got.body.status}`);
  return { id: t.body.id };
}

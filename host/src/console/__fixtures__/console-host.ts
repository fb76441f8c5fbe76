/**
 * A host for the console's API tests: WhatsApp and Messenger loaded by package name with their
 * fake platforms, two tenants, a ManualClock, the console with cheap password hashing.
 */
import { ManualClock, silentLogger, type Clock, type ConnectorPlugin, type FakePlatform } from '@switchboard/core';
import { configFromObject } from '../../config/load-config.js';
import { createHost, type Host, type HostOptions } from '../../host.js';
import type { HostFeatureFactory } from '../../features.js';
import { createConsoleFeature, type ConsoleOptions } from '../console-feature.js';
import { tempDatabase } from '../../__fixtures__/temp-database.js';
import type { MediaScanner } from '../../media/media-policy.js';

/** What a test may change of the host itself. */
export interface ConsoleHostSetup {
  /** The `shop` tenant's media limits (`media` of its config). */
  shopMedia?: Record<string, unknown>;
  /** A virus scanner for media files. */
  mediaScanner?: MediaScanner;
  /**
   * The host's clock (default a ManualClock that stands still). Tests whose messages go out one after
   * another to one customer need time to pass, as the dispatcher paces sends on the wall clock: an
   * OffsetClock (wall time, moved ahead by hand) does.
   */
  clock?: MovableClock;
  /** Replaces the host's outbound port (`HostOptions.gateway`). */
  gateway?: HostOptions['gateway'];
  /** Bot handlers added to (or replacing) the fixture's `echo`. */
  bots?: Record<string, unknown>;
  /** The config's `contactContext` section. */
  contactContext?: Record<string, unknown>;
}

/** A clock a test moves forward. */
export type MovableClock = Clock & { advance(ms: number): void };

export const KEY = 'console-api-test-key-0123456789';
export const OTHER_KEY = 'console-api-test-key-other-0123';
/** Cheap enough for tests, same code path as production. */
export const TEST_SCRYPT = { N: 2 ** 12, r: 8, p: 1 };

/** A parsed JSON answer, as loosely typed as JSON.parse makes it: the tests assert its shape. */
export type Json = ReturnType<typeof JSON.parse>;

export interface ConsoleHost {
  host: Host;
  url: string;
  clock: MovableClock;
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
  /** Sends bytes as the request body (a file upload), with the session's cookies and CSRF token. */
  upload<T = Json>(path: string, bytes: Uint8Array, contentType: string | undefined, init?: { csrf?: string | false }): Promise<{ status: number; body: T; headers: Headers }>;
  login(email: string, password: string, tenant?: string): Promise<{ status: number; body: Json; headers: Headers }>;
}

export async function startConsoleHost(options: ConsoleOptions = {}, setup: ConsoleHostSetup = {}): Promise<ConsoleHost> {
  const clock: MovableClock = setup.clock ?? new ManualClock(Date.now());
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
      { id: 'shop', name: 'Corner Shop', apiKeys: [KEY], routing: { rules: [{ match: { keyword: ['agent', 'human'] }, to: { queue: 'support' } }, { to: { bot: 'echo' } }], escalationQueue: 'support' }, ...(setup.shopMedia ? { media: setup.shopMedia } : {}) },
      { id: 'other', name: 'Other', apiKeys: [OTHER_KEY] },
    ],
    connectors: [
      { package: '@switchboard/whatsapp', required: true, accounts: [{ id: 'main', tenant: 'shop', config: fakes.whatsapp.connectorConfig() }] },
      { package: '@switchboard/messenger', required: true, accounts: [{ id: 'page', tenant: 'shop', config: fakes.messenger.connectorConfig() }] },
    ],
    bots: { echo: async (ctx: { reply(text: string): Promise<unknown>; text?: string }) => { await ctx.reply(`You said: ${ctx.text ?? ''}`); }, ...setup.bots },
    ...(setup.contactContext ? { contactContext: setup.contactContext } : {}),
  });
  const feature: HostFeatureFactory = createConsoleFeature({ scrypt: TEST_SCRYPT, heartbeatMs: 200, clock: authClock, ...options });
  const host = await createHost(config, { logger: silentLogger, clock, processor: { pollMs: 20, retryBaseMs: 20 }, features: [feature], ...(setup.mediaScanner ? { mediaScanner: setup.mediaScanner } : {}), ...(setup.gateway ? { gateway: setup.gateway } : {}) });
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
    const remember = (res: Response): void => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [k, v] = pair!.split('=') as [string, string];
        if (/Max-Age=0/.test(c)) cookies.delete(k); else cookies.set(k, v);
      }
    };
    const answer = async <T>(res: Response): Promise<{ status: number; body: T; headers: Headers }> => {
      remember(res);
      const text = await res.text();
      let body: unknown;
      try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
      return { status: res.status, body: body as T, headers: res.headers };
    };
    const client: ConsoleClient = {
      cookies,
      async upload(path, bytes, contentType, init = {}) {
        const headers: Record<string, string> = {};
        if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        if (contentType !== undefined) headers['content-type'] = contentType;
        const csrf = init.csrf === undefined ? cookies.get('sb_console_csrf') : init.csrf;
        if (csrf) headers['x-csrf-token'] = csrf;
        return answer(await fetch(`${url}/console/api${path}`, { method: 'POST', headers, body: bytes }));
      },
      async call(path, init = {}) {
        const headers: Record<string, string> = { ...init.headers };
        if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        if (init.body !== undefined) headers['content-type'] = 'application/json';
        const csrf = init.csrf === undefined ? cookies.get('sb_console_csrf') : init.csrf;
        if (csrf) headers['x-csrf-token'] = csrf;
        return answer(await fetch(`${url}/console/api${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) }));
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

/** One Server-Sent Event of the console's stream. */
export type SseEvent = { event: string; data: Json };

/**
 * Opens the console's event stream as a client, runs `trigger`, and reads events until `until` says so.
 * @returns the events read
 */
export async function readConsoleEvents(url: string, client: ConsoleClient, until: (events: SseEvent[]) => boolean, trigger: () => Promise<void>): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/console/api/events`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, signal: controller.signal });
  if (res.status !== 200 || !/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) throw new Error(`the event stream answered ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read();
  await trigger();
  const events: SseEvent[] = [];
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), 30_000); // a limit, not a measurement
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  } finally { clearTimeout(timer); controller.abort(); }
  return events;
}

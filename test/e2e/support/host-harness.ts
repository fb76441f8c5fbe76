/**
 * Starts a real host on port 0 with the Acme test connector (loaded by path, as a vendor's package
 * would be by name) and its fake platform, and offers small helpers to call the API.
 */
import { fileURLToPath } from 'node:url';
import { silentLogger, type FakePlatform } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostOptions } from '@switchboard/host';
import { FakeAcmeServer } from './acme-plugin.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

export const API_KEY = 'test-key-tenant-one-0123456789';
export const OTHER_KEY = 'test-key-tenant-two-0123456789';
export const SUPPORT_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface RunningHost {
  host: Host;
  url: string;
  fake: FakeAcmeServer;
  webhookUrl: string;
  api<T = unknown>(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startHost(options: {
  tenant?: Record<string, unknown>;
  bots?: Record<string, unknown>;
  connectors?: Record<string, unknown>[];
  hostOptions?: HostOptions;
} = {}): Promise<RunningHost> {
  const fake = new FakeAcmeServer();
  await fake.start();
  const config = configFromObject({ store: tempDatabase(),
    port: 0,
    logLevel: 'silent',
    tenants: [
      { id: 't1', name: 'Tenant one', apiKeys: [API_KEY], ...options.tenant },
      { id: 't2', name: 'Tenant two', apiKeys: [OTHER_KEY] },
    ],
    connectors: [
      { package: './acme-plugin.ts', required: true, accounts: [{ id: 'main', tenant: 't1', config: fake.connectorConfig() }] },
      ...(options.connectors ?? []),
    ],
    bots: options.bots ?? {},
  }, { baseDir: SUPPORT_DIR });
  const host = await createHost(config, { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...options.hostOptions });
  const { url } = await host.listen(0, '127.0.0.1');
  return {
    host, url, fake,
    webhookUrl: `${url}/webhooks/acme/main`,
    async api<T>(path: string, init: RequestInit & { key?: string } = {}) {
      const headers = new Headers(init.headers);
      if (init.key !== '') headers.set('authorization', `Bearer ${init.key ?? API_KEY}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      const res = await fetch(`${url}${path}`, { ...init, headers });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async stop() {
      await host.stop();
      await fake.stop();
    },
  };
}

/** Waits until a predicate holds (polling), or fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Reads Server-Sent Events from a URL until `count` events arrived. */
export async function readEvents(url: string, key: string, count: number, trigger: () => Promise<void>, ms = 5_000): Promise<{ event: string; data: unknown }[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: unknown }[] = [];
  let buffer = '';
  const timer = setTimeout(() => controller.abort(), ms);
  const first = await reader.read(); // ': connected' — subscribed before we trigger
  buffer += first.value ?? '';
  await trigger();
  try {
    while (events.length < count) {
      let idx: number;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (events.length >= count) break;
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

export type { FakePlatform };

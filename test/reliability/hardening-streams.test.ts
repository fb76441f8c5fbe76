/**
 * Finding 2 of the hardening issue — SSE had no backpressure: 50 `/v1/events` clients that stopped
 * reading plus a loop of `POST /v1/conversations/:id/tags` grew the host to 4 GB in 20 s, then out
 * of memory. Now every stream goes through a bounded writer: a client with more than
 * `streams.maxClientBufferBytes` (1 MiB) waiting is dropped with a final `event: dropped` naming the
 * last id it was sent, and counted; a reconnect with `Last-Event-ID` is sent the rest from the
 * event log; a tenant holds at most `streams.maxClientsPerTenant` streams (429 beyond).
 *
 * The attack runs against a host in a child process (memory from `/proc`: peak and current);
 * the clients are in this process. What broke was twofold: each client serialised every event
 * itself (50 copies of each), and nothing bounded what waited for a client. The memory bound
 * catches the first (50 × the flood is far above it); the drop count catches the second (each
 * frame is now built once and shared by every client, so an unbounded buffer would grow by the
 * flood once, not 50 times — only the drops show that the bound holds). Nothing waits for time: the flood is a fixed number of
 * requests, and every wait is for an event or a count.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeTelegramServer } from '@switchboard/telegram';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';
import { openSse, type SseTestClient } from '../../host/src/__fixtures__/sse-client.js';
import { eventually } from '../e2e/support/host-harness.js';
import { spawnHostChild } from './support/host-child.js';

// child processes start slowly on a loaded machine: generous limits, never assertions on speed
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const KEY = 'streams-key-0123456789abcdef';
const OTHER_KEY = 'streams-other-0123456789abcd';
const MiB = 1024 * 1024;
const STALLED = 50;
/** Tag requests in the flood: each emits a `tagged` event of ~7.5 kB (a conversation with 100 tags of 64 characters). */
const FLOOD = 2_000;
/**
 * The peak RSS growth the host may show. Unbounded, each stalled client would hold the whole flood
 * (~15 MB) less what the kernel's socket buffers take: 50 × that is over 500 MB. Bounded, each holds
 * at most 1 MiB plus one event.
 */
const RSS_GROWTH_BOUND = 200 * MiB;
/** And the host's peak RSS, whatever it started at. */
const RSS_PEAK_BOUND = 400 * MiB;

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const tag = (i: number): string => `tag-${String(i).padStart(3, '0')}-${'x'.repeat(56)}`;

describe('finding 2: 50 event-stream clients that stop reading, and a flood of tag events', () => {
  const fake = new FakeTelegramServer();
  let child: ChildProcess;
  let url = '';
  let exited: Promise<number | null>;
  const clients: SseTestClient[] = [];
  const api = (path: string, init: RequestInit = {}, key = KEY): Promise<Response> =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
  const stream = async (headers: Record<string, string> = {}, options: { paused?: boolean; key?: string } = {}): Promise<SseTestClient> => {
    const c = await openSse(`${url}/v1/events?streams=conversation`, { authorization: `Bearer ${options.key ?? KEY}`, ...headers }, options);
    clients.push(c);
    return c;
  };
  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    await fake.start();
    const config = {
      logLevel: 'silent',
      store: tempDatabase('streams'),
      tenants: [{ id: 'shop', apiKeys: [KEY] }, { id: 'other', apiKeys: [OTHER_KEY] }],
      connectors: [{ package: '@switchboard/telegram', required: true, accounts: [{ id: 'main', tenant: 'shop', config: fake.connectorConfig() }] }],
      // a dropped client's final event stays deliverable for the whole test (its socket is destroyed after this)
      streams: { maxClientsPerTenant: 60, dropGraceMs: 600_000 },
    };
    const started = spawnHostChild(config);
    child = started.process;
    exited = started.exited;
    url = (await started.line(/^LISTENING (\S+)/, 60_000))[1]!;
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    if (child && child.exitCode === null) { child.kill('SIGTERM'); await exited; }
    await fake.stop();
  });

  it('drops and counts the 50 stalled clients, keeps memory bounded, serves a reading client every event, and a dropped client resumes with nothing lost', async () => {
    // a conversation with 100 tags of 64 characters
    const signed = fake.userMessage({ userId: '5550101', text: 'hello' });
    expect((await fetch(`${url}/webhooks/telegram/main`, { method: 'POST', headers: signed.headers, body: signed.body })).status).toBe(200);
    const conversationId = await eventually(async () => ((await (await api('/v1/conversations')).json()) as { items: { id: string }[] }).items[0]?.id, 30_000);
    for (let i = 0; i < 100; i += 20) {
      const r = await api(`/v1/conversations/${conversationId}/tags`, { method: 'POST', body: JSON.stringify({ tags: Array.from({ length: 20 }, (_, j) => tag(i + j)) }) });
      expect(r.status).toBe(200);
    }

    const reader = await stream();
    const stalled = await Promise.all(Array.from({ length: STALLED }, () => stream({}, { paused: true })));
    await eventually(async () => (await metric('switchboard_event_stream_clients', 'surface="api",tenant="shop"')) === STALLED + 1, 30_000);
    const before = memoryOf(child.pid!);

    // the flood: re-tagging with 20 of its tags, each request a `tagged` event carrying all 100
    const body = JSON.stringify({ tags: Array.from({ length: 20 }, (_, j) => tag(j)) });
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < FLOOD) {
        sent++;
        const r = await api(`/v1/conversations/${conversationId}/tags`, { method: 'POST', body });
        expect(r.status).toBe(200);
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    // the reader got every event, in order, and was never dropped
    const first = Number((await reader.until((e) => e.length >= 1))[0]!.id);
    await reader.until((e) => e.length >= FLOOD);
    const ids = reader.events.map((e) => Number(e.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => first + i));
    expect(reader.events.some((e) => e.event === 'dropped')).toBe(false);
    const lastId = ids[ids.length - 1]!;

    // every stalled client was dropped, and counted
    expect(await eventually(async () => (await metric('switchboard_event_stream_dropped_total', 'surface="api",tenant="shop"')) === STALLED || undefined, 30_000)).toBe(true);
    const during = memoryOf(child.pid!);
    const growth = during.peak - before.rss;
    process.stdout.write(`finding 2: ${STALLED} stalled clients, ${FLOOD} events of ~7.5 kB: RSS before ${(before.rss / MiB).toFixed(0)} MiB, peak ${(during.peak / MiB).toFixed(0)} MiB (growth ${(growth / MiB).toFixed(0)} MiB, bound ${RSS_GROWTH_BOUND / MiB} MiB), after ${(during.rss / MiB).toFixed(0)} MiB; dropped ${STALLED}\n`);
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
    expect(during.peak).toBeLessThan(RSS_PEAK_BOUND);

    // a stalled client reads again: what was waiting for it, then `dropped` naming the last id it was sent
    const back = stalled[0]!;
    back.resumeReading();
    await back.ended;
    const final = back.events[back.events.length - 1]!;
    expect(final.event).toBe('dropped');
    const info = JSON.parse(final.data) as { reason: string; lastEventId: string };
    expect(info.reason).toBe('slow-consumer');
    const got = back.events.filter((e) => e.event === 'conversation').map((e) => Number(e.id));
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => first + i));
    expect(String(got[got.length - 1])).toBe(info.lastEventId);
    expect(back.lastEventId).toBe(info.lastEventId);

    // it reconnects as an EventSource does, and is sent exactly what it missed
    const resumed = await stream({ 'last-event-id': back.lastEventId! });
    await resumed.until((e) => e.some((x) => Number(x.id) === lastId));
    const rest = resumed.events.filter((e) => e.event === 'conversation').map((e) => Number(e.id));
    expect([...got, ...rest]).toEqual(ids);
    resumed.close();
  }, 300_000);

  it('refuses a tenant\'s streams beyond its cap with 429 TOO_MANY_STREAMS and Retry-After, while another tenant is served', async () => {
    let refused: SseTestClient | undefined;
    for (let i = 0; i < 61 && !refused; i++) {
      const c = await stream();
      if (c.status === 429) refused = c;
    }
    expect(refused).toBeDefined();
    expect(refused!.headers['retry-after']).toBe('5');
    expect(JSON.parse(await refused!.body())).toMatchObject({ error: { code: 'TOO_MANY_STREAMS', details: { surface: 'api', limit: 60 } } });
    expect(await metric('switchboard_event_stream_refused_total', 'surface="api",tenant="shop"')).toBeGreaterThanOrEqual(1);
    const other = await stream({}, { key: OTHER_KEY });
    expect(other.status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 60_000);
});

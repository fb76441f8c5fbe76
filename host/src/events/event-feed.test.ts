/**
 * The event feed on a real HTTP server and the memory store: live delivery, `Last-Event-ID`
 * resume, the per-tenant cap, dropping a client that does not read, events that cannot be
 * serialised, and a failing store. Nothing here depends on machine speed: waits are for events,
 * never for time, and floods stop as soon as what they provoke has happened.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Conversation } from '@switchboard/core';
import { config as rxjsConfig } from 'rxjs';
import { MemoryStores } from '../stores/host-stores.js';
import { containStreamErrors, createHostStreams, type HostStreams } from '../streams.js';
import type { HostMessage } from '../stores/stores.js';
import { errorResponse } from '../errors.js';
import { openSse, type SseTestClient } from '../__fixtures__/sse-client.js';
import { HostEventFeed, parseLastEventId, type EventFeedOptions } from './event-feed.js';
import type { EventLogStore } from './event-log-store.js';

const now = Date.UTC(2026, 10, 24, 9, 0, 0);
const clock = { now: () => now };
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

interface Rig {
  url: string;
  feed: HostEventFeed;
  streams: HostStreams;
  store: EventLogStore;
  open(query?: string, headers?: Record<string, string>, options?: { paused?: boolean }): Promise<SseTestClient>;
}

async function rig(limits: EventFeedOptions = {}, store: EventLogStore = new MemoryStores().events): Promise<Rig> {
  const streams = createHostStreams();
  const feed = new HostEventFeed({ store, streams, clock, logger: silentLogger }, limits);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const tenantId = u.searchParams.get('tenant') ?? 't1';
    const names = u.searchParams.get('streams')?.split(',');
    const lastEventId = parseLastEventId(req.headers['last-event-id']);
    feed.open(res, { tenantId, surface: 'api', ...(names ? { names } : {}), ...(lastEventId !== undefined ? { lastEventId } : {}) }).catch((error: unknown) => {
      const { status, body } = errorResponse(error);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const clients: SseTestClient[] = [];
  closers.push(async () => {
    for (const c of clients) c.close();
    await feed.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return {
    url, feed, streams, store,
    open: async (query = '', headers = {}, options = {}) => { const c = await openSse(`${url}?${query}`, headers, options); clients.push(c); return c; },
  };
}

const conversation = (id: string, tags: string[] = [], tenantId = 't1'): Conversation => ({
  id, tenantId, contactId: `k-${id}`, address: { channel: 'acme', accountId: 'a', userId: `u-${id}` }, status: 'open',
  assignee: { kind: 'unassigned' }, tags, createdAt: new Date(now), updatedAt: new Date(now),
} as Conversation);
const tagged = (s: HostStreams, id: string, tags: string[] = [], tenantId = 't1'): void => s.conversation$.next({ tenantId, change: 'tagged', conversation: conversation(id, tags, tenantId) });
const idsOf = (c: SseTestClient, name = 'conversation'): string[] => c.events.filter((e) => e.event === name).map((e) => (JSON.parse(e.data) as { conversation: { id: string } }).conversation.id);

describe('event feed', () => {
  it('an Apple attachment\'s decryption key is neither logged nor streamed (the events carried it while the REST API redacted it)', async () => {
    const r = await rig();
    const client = await r.open('streams=inbound');
    const message = {
      id: 'm1', tenantId: 't1', conversationId: 'c1', channel: 'apple', accountId: 'a', userId: 'u', direction: 'inbound', status: 'delivered',
      content: { type: 'image', media: { url: 'https://mmcs.example/f', encryption: { decryptionKey: '00abcdef0123', owner: 'o', signature: 's' } } },
      timestamp: new Date(now), createdAt: new Date(now), updatedAt: new Date(now),
    } as unknown as HostMessage;
    r.streams.inbound$.next({ tenantId: 't1', message, conversation: conversation('c1'), contact: { id: 'k-c1' } } as never);
    await client.until((e) => e.length === 1);
    expect(client.events[0]!.data).not.toContain('00abcdef0123');
    expect(JSON.parse(client.events[0]!.data).message.content.media.encryption).toEqual({ decryptionKey: '[redacted]', owner: 'o', signature: 's' });
    const logged = await r.store.after('t1', 0);
    expect(logged.map((e) => e.data).join()).not.toContain('00abcdef0123');
    // the stored message keeps its key (the host's download needs it)
    expect((message.content as { media: { encryption: { decryptionKey: string } } }).media.encryption.decryptionKey).toBe('00abcdef0123');
  });

  it('streams a tenant\'s events live with increasing ids, only the names asked for, and none of another tenant', async () => {
    const r = await rig();
    const all = await r.open();
    const onlyStatus = await r.open('streams=status');
    const other = await r.open('tenant=t2');
    tagged(r.streams, 'c1');
    tagged(r.streams, 'c2');
    r.streams.status$.next({ tenantId: 't1', conversationId: 'c1', message: { id: 'm1' } as HostMessage, status: 'sent' });
    await all.until((e) => e.length === 3);
    expect(all.events.map((e) => [e.id, e.event])).toEqual([['1', 'conversation'], ['2', 'conversation'], ['3', 'status']]);
    await onlyStatus.until((e) => e.length === 1);
    expect(onlyStatus.events.map((e) => e.id)).toEqual(['3']);
    tagged(r.streams, 'x1', [], 't2');
    await other.until((e) => e.length === 1);
    expect(idsOf(other)).toEqual(['x1']);
    expect(other.events[0]!.id).toBe('1');
  });

  it('sends a reconnecting client what it missed, from its Last-Event-ID, then live: each event once, in order', async () => {
    const r = await rig();
    const first = await r.open();
    for (let i = 1; i <= 5; i++) tagged(r.streams, `c${i}`);
    await first.until((e) => e.length === 5);
    first.close();
    for (let i = 6; i <= 250; i++) tagged(r.streams, `c${i}`);
    const again = await r.open('', { 'last-event-id': '5' });
    // published while the replay is written: held back, then sent after it
    for (let i = 251; i <= 260; i++) tagged(r.streams, `c${i}`);
    await again.until((e) => e.length === 255);
    expect(again.events.map((e) => Number(e.id))).toEqual(Array.from({ length: 255 }, (_, i) => i + 6));
    expect(idsOf(again)).toEqual(Array.from({ length: 255 }, (_, i) => `c${i + 6}`));
  });

  it('tells a client whose Last-Event-ID is older than the log keeps what is gone, then sends the rest', async () => {
    const r = await rig({ retention: { maxEvents: 10 } });
    for (let i = 1; i <= 30; i++) tagged(r.streams, `c${i}`);
    await (await r.open()).until(() => true);
    // the log prunes as it goes: by now at most 10 + one prune period are kept
    const c = await r.open('', { 'last-event-id': '2' });
    await c.until((e) => e.some((x) => x.id === '30'));
    const missed = c.events[0]!;
    expect(missed.event).toBe('missed');
    const info = JSON.parse(missed.data) as { reason: string; count: number; lastEventId: string };
    expect(info).toMatchObject({ reason: 'expired', lastEventId: '2' });
    const replayed = c.events.slice(1).map((e) => Number(e.id));
    expect(replayed[0]).toBe(2 + info.count + 1);
    expect(replayed).toEqual(Array.from({ length: 30 - replayed[0]! + 1 }, (_, i) => replayed[0]! + i));
  });

  it('answers an id it never gave with a missed event and serves live from its head', async () => {
    const r = await rig();
    tagged(r.streams, 'c1');
    await (await r.open()).until(() => true);
    const c = await r.open('', { 'last-event-id': '999' });
    await c.until((e) => e.length === 1);
    expect(c.events[0]).toMatchObject({ event: 'missed', id: '1' });
    expect(JSON.parse(c.events[0]!.data)).toMatchObject({ reason: 'unknown-id', lastEventId: '999', resumeFrom: '1' });
    expect(parseLastEventId('12x')).toBeNaN();
    expect(parseLastEventId(' 7 ')).toBe(7);
    expect(parseLastEventId(undefined)).toBeUndefined();
  });

  it('refuses a tenant\'s stream beyond the cap with 429 TOO_MANY_STREAMS (other tenants unaffected), and admits one again once a stream closed', async () => {
    const r = await rig({ maxClientsPerTenant: 3 });
    const open = await Promise.all([r.open(), r.open(), r.open()]);
    const refused = await r.open();
    expect(refused.status).toBe(429);
    expect(JSON.parse(await refused.body())).toMatchObject({ error: { code: 'TOO_MANY_STREAMS', details: { surface: 'api', limit: 3 } } });
    expect((await r.open('tenant=t2')).status).toBe(200);
    expect(r.feed.counters().refused).toEqual([{ tenantId: 't1', surface: 'api', count: 1 }]);
    open[0]!.close();
    await open[0]!.ended;
    // the slot is given back when the server sees the close, which this waits for without a clock
    for (;;) { if ((r.feed.clientCounts().find((x) => x.tenantId === 't1')?.count ?? 0) < 3) break; await new Promise((x) => setImmediate(x)); }
    expect((await r.open()).status).toBe(200);
  });

  it('drops a client that stops reading with a final `dropped` event naming its last id, counts it, keeps serving a reader, and the dropped client resumes with nothing lost', async () => {
    const r = await rig({ maxClientBufferBytes: 64 * 1024, dropGraceMs: 60_000 });
    const reader = await r.open();
    const stalled = await r.open();
    stalled.stopReading();
    const big = Array.from({ length: 200 }, (_, i) => `tag-${i}-${'x'.repeat(40)}`);
    let n = 0;
    // a flood that stops as soon as the stalled client was dropped (kernel buffers first take their
    // share); the reader reads each event before the next, as a client keeping up does
    while (r.feed.counters().dropped.length === 0 && n < 20_000) {
      tagged(r.streams, `c${++n}`, big);
      await reader.until((e) => e.length >= n);
    }
    expect(r.feed.counters().dropped).toEqual([{ tenantId: 't1', surface: 'api', count: 1 }]);
    await reader.until((e) => e.length >= n);
    expect(reader.events.map((e) => Number(e.id))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // the stalled client reads again: what was buffered, then the final event
    stalled.resumeReading();
    await stalled.ended;
    const last = stalled.events[stalled.events.length - 1]!;
    expect(last.event).toBe('dropped');
    const info = JSON.parse(last.data) as { reason: string; lastEventId: string };
    expect(info.reason).toBe('slow-consumer');
    expect(last.id).toBe(info.lastEventId);
    const got = stalled.events.filter((e) => e.event === 'conversation').map((e) => Number(e.id));
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(String(got[got.length - 1] ?? 0)).toBe(info.lastEventId);
    expect(got.length).toBeLessThan(n);
    // it reconnects as an EventSource would, and gets the rest
    const back = await r.open('', { 'last-event-id': stalled.lastEventId! });
    await back.until((e) => e.length >= n - got.length);
    expect(back.events.map((e) => Number(e.id))).toEqual(Array.from({ length: n - got.length }, (_, i) => got.length + i + 1));
  });

  it('streams a notice JSON.stringify cannot serialise (10,000-deep nesting, a cycle, a BigInt), and the next one', async () => {
    const r = await rig();
    const c = await r.open();
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const cyclic: Record<string, unknown> = { big: 10n };
    cyclic.self = cyclic;
    const conv = { ...conversation('deep'), crmRef: deep, extra: cyclic } as unknown as Conversation;
    expect(() => r.streams.conversation$.next({ tenantId: 't1', change: 'updated', conversation: conv })).not.toThrow();
    tagged(r.streams, 'next');
    await c.until((e) => e.length === 2);
    const data = JSON.parse(c.events[0]!.data) as { conversation: { id: string; extra: { big: string; self: string } } };
    expect(data.conversation.id).toBe('deep');
    expect(data.conversation.extra).toEqual({ big: '10', self: '[circular]' });
    expect(idsOf(c)).toEqual(['deep', 'next']);
  });

  it('when the store fails, discards and counts the events, and tells clients with a `missed` event once it works again', async () => {
    const inner = new MemoryStores().events;
    let failing = false;
    const store: EventLogStore = Object.assign(Object.create(inner) as EventLogStore, {
      append: async (t: string, e: Parameters<EventLogStore['append']>[1]) => { if (failing) throw new Error('disk full'); return inner.append(t, e); },
    });
    const r = await rig({}, store);
    const c = await r.open();
    tagged(r.streams, 'c1');
    await c.until((e) => e.length === 1);
    failing = true;
    tagged(r.streams, 'lost');
    for (;;) { if (r.feed.counters().discarded.length > 0) break; await new Promise((x) => setImmediate(x)); }
    failing = false;
    tagged(r.streams, 'c2');
    await c.until((e) => e.some((x) => x.event === 'conversation' && x.data.includes('"c2"')));
    expect(c.events.map((e) => e.event)).toEqual(['conversation', 'missed', 'conversation']);
    expect(JSON.parse(c.events[1]!.data)).toEqual({ reason: 'overload', count: 1 });
    expect(r.feed.counters().discarded).toEqual([{ tenantId: 't1', count: 1 }]);
  }, 20_000);

  it('keeps at most maxPendingEvents waiting for the log, and says how many it discarded', async () => {
    const inner = new MemoryStores().events;
    let release!: () => void;
    const gate = new Promise<void>((x) => { release = x; });
    const store: EventLogStore = Object.assign(Object.create(inner) as EventLogStore, {
      append: async (t: string, e: Parameters<EventLogStore['append']>[1]) => { await gate; return inner.append(t, e); },
    });
    const r = await rig({ maxPendingEvents: 5 }, store);
    const c = await r.open();
    for (let i = 1; i <= 20; i++) tagged(r.streams, `c${i}`);
    release();
    await c.until((e) => e.some((x) => x.data.includes('"c6"')));
    const names = c.events.map((e) => e.event);
    // the first event was taken by the stalled append; 5 waited; 14 were discarded
    expect(names).toEqual(['conversation', 'missed', 'conversation', 'conversation', 'conversation', 'conversation', 'conversation']);
    expect(JSON.parse(c.events[1]!.data)).toEqual({ reason: 'overload', count: 14 });
  });
});

describe('stream errors', () => {
  it('a subscriber that throws is logged, not rethrown; the process and the other subscribers go on', async () => {
    const before = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = null;
    const logged: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => { logged.push(o); } } as typeof silentLogger;
    try {
      expect(containStreamErrors(logger)).toBe(true);
      expect(containStreamErrors(silentLogger)).toBe(false);
      const s = createHostStreams();
      const seen: string[] = [];
      s.conversation$.subscribe(() => { throw new RangeError('Maximum call stack size exceeded'); });
      s.conversation$.subscribe((n) => seen.push(n.conversation.id));
      tagged(s, 'a');
      tagged(s, 'b');
      await new Promise((x) => setTimeout(x, 0));
      expect(seen).toEqual(['a', 'b']);
      expect(logged).toHaveLength(2);
    } finally {
      rxjsConfig.onUnhandledError = before;
    }
  });
});

/**
 * The delivery worker on a real SQLite file and a real HTTP receiver, on a manual clock: the queue
 * survives a restart, two workers sharing the file never send one delivery twice, Retry-After is
 * honoured up to its cap, an event older than the maximum age fails for good, a missing secret
 * keeps the event waiting, and the backoff's bounds hold for any attempt (property).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '@switchboard/core';
import { tempDatabase } from '../__fixtures__/temp-database.js';
import { Forwarder } from '../routing/forwarder.js';
import type { StorageDriver } from '../stores/driver.js';
import { openStorageDriver } from '../stores/open-driver.js';
import { createHostStreams } from '../streams.js';
import { DEFAULT_WEBHOOK_RETRY, retryDelayMs, type WebhookRetryPolicy } from './webhook-config.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookPublisher } from './webhook-publisher.js';
import { DocumentWebhookStore, FORWARD_ENDPOINT_ID, type WebhookEndpoint } from './webhook-store.js';
import { verifyStandardWebhook } from './standard-webhooks.js';

interface Received { headers: IncomingHttpHeaders; body: string }
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);

const servers: Server[] = [];
const drivers: StorageDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close().catch(() => undefined);
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function receiver(answer: (n: number) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(received.length);
      res.writeHead(a.status, a.headers); res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`, received };
}

async function open(path: string): Promise<StorageDriver> {
  const d = await openStorageDriver({ kind: 'sqlite', path, synchronous: 'normal' });
  drivers.push(d);
  return d;
}

function endpoint(url: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return { id: '', tenantId: 't1', endpointId: 'crm', url, events: ['message.received', 'consent.changed'], secretEnv: ['HOOK'], source: 'api', enabled: true, createdAt: new Date(T0), updatedAt: new Date(T0), ...over };
}

function worker(store: DocumentWebhookStore, clock: ManualClock, policy: Partial<WebhookRetryPolicy> = {}, secrets = [SECRET]): WebhookDispatcher {
  return new WebhookDispatcher({
    store, clock, logger: silentLogger, fetch, random: () => 0.5,
    secretsOf: (e) => (e.source === 'forward' ? ['forwarding-secret-0123456789'] : secrets), retryOf: () => ({ ...DEFAULT_WEBHOOK_RETRY, ...policy }),
  });
}

describe('webhook delivery worker', () => {
  it('keeps the queue across a restart: events queued, the process stopped, the file reopened, then delivered (SQLite)', async () => {
    const { url, received } = await receiver(() => ({ status: 204 }));
    const { path } = tempDatabase('webhooks');
    const clock = new ManualClock(T0);
    const store = new DocumentWebhookStore(await open(path));
    await store.createEndpoint(endpoint(url));
    const publisher = new WebhookPublisher({ store, streams: createHostStreams(), clock, logger: silentLogger });
    await publisher.publish('t1', { type: 'message.received', conversationId: 'c1', data: { text: 'one' } });
    await publisher.publish('t1', { type: 'message.received', conversationId: 'c1', data: { text: 'two' } });
    await drivers.pop()!.close();

    clock.advance(5 * 60_000);
    const reopened = new DocumentWebhookStore(await open(path));
    expect(await worker(reopened, clock).drain()).toBe(2);
    expect(received.map((r) => (JSON.parse(r.body) as { data: { text: string } }).data.text)).toEqual(['one', 'two']);
    for (const r of received) expect(verifyStandardWebhook({ headers: r.headers as Record<string, string>, body: r.body, secrets: [SECRET], nowMs: clock.now() })).toMatchObject({ ok: true });
    expect((await reopened.listDeliveries('t1', 'crm')).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  });

  it('regression: forwarded events were lost on a restart (their retries were kept in memory)', async () => {
    let up = false;
    const { url, received } = await receiver(() => ({ status: up ? 200 : 503 }));
    const { path } = tempDatabase('forward');
    const clock = new ManualClock(T0);
    const store = new DocumentWebhookStore(await open(path));
    await store.syncEndpoints('t1', 'forward', [{ tenantId: 't1', endpointId: FORWARD_ENDPOINT_ID, url, events: [], secretEnv: [], source: 'forward' }], new Date(T0));
    const forwarder = new Forwarder({ publisher: new WebhookPublisher({ store, streams: createHostStreams(), clock, logger: silentLogger }), logger: silentLogger });
    await forwarder.forward({ url, secret: 'forwarding-secret-0123456789' }, { type: 'message', tenantId: 't1', conversationId: 'c9', data: { text: 'forward me' } });
    await worker(store, clock).drain();
    expect(received).toHaveLength(1);
    await drivers.pop()!.close();

    up = true;
    clock.advance(3_600_000);
    await worker(new DocumentWebhookStore(await open(path)), clock).drain();
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]!.body)).toMatchObject({ type: 'message', tenantId: 't1', data: { text: 'forward me' } });
    expect(received[1]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    expect(verifyStandardWebhook({ headers: received[1]!.headers as Record<string, string>, body: received[1]!.body, secrets: ['forwarding-secret-0123456789'], nowMs: clock.now() })).toMatchObject({ ok: true });
  });

  it('two workers sharing one SQLite file never send one delivery twice, and keep each conversation in order', async () => {
    const { url, received } = await receiver(() => ({ status: 200 }));
    const { path } = tempDatabase('shared');
    const clock = new ManualClock(T0);
    const a = new DocumentWebhookStore(await open(path));
    const b = new DocumentWebhookStore(await open(path));
    await a.createEndpoint(endpoint(url));
    const publisher = new WebhookPublisher({ store: a, streams: createHostStreams(), clock, logger: silentLogger });
    for (let i = 0; i < 30; i++) await publisher.publish('t1', { type: 'message.received', conversationId: `c${i % 3}`, data: { i } });
    const [wa, wb] = [worker(a, clock), worker(b, clock)];
    await Promise.all([wa.drain(), wb.drain(), wa.drain(), wb.drain()]);
    await wa.drain();
    const ids = received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const order = received.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i);
    for (let c = 0; c < 3; c++) {
      const mine = order.filter((i) => i % 3 === c);
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
  });

  it('honours Retry-After up to its cap, and fails an event for good once it is older than the maximum age', async () => {
    const { url, received } = await receiver(() => ({ status: 503, headers: { 'retry-after': '7200' } }));
    const clock = new ManualClock(T0);
    const store = new DocumentWebhookStore(await open(tempDatabase('retry').path));
    await store.createEndpoint(endpoint(url));
    const publisher = new WebhookPublisher({ store, streams: createHostStreams(), clock, logger: silentLogger });
    await publisher.publish('t1', { type: 'consent.changed', contactId: 'k1', data: {} });
    const w = worker(store, clock, { baseDelayMs: 1_000, maxDelayMs: 60_000, retryAfterCapMs: 600_000, maxAgeMs: 3_600_000 });
    await w.drain();
    const [first] = await store.listDeliveries('t1', 'crm');
    // 7 200 s asked, 600 s honoured (the cap), more than the backoff's 1 s
    expect(first).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: new Date(T0 + 600_000) });
    clock.advance(599_999);
    expect(await w.drain()).toBe(0);
    while ((await store.listDeliveries('t1', 'crm'))[0]!.state === 'pending' && clock.now() - T0 < 2 * 3_600_000) {
      clock.advance(600_000);
      await w.drain();
    }
    const [last] = await store.listDeliveries('t1', 'crm');
    expect(last).toMatchObject({ state: 'failed', failure: 'expired', attempts: 6 });
    expect(received).toHaveLength(6);
    const log = await store.listAttempts('t1', 'crm');
    expect(log.map((l) => l.outcome)).toEqual(['failed', 'retry', 'retry', 'retry', 'retry', 'retry']);
  });

  it('keeps an event waiting while its endpoint\'s secret is not set, saying so in the log', async () => {
    const { url, received } = await receiver(() => ({ status: 200 }));
    const clock = new ManualClock(T0);
    const store = new DocumentWebhookStore(await open(tempDatabase('nosecret').path));
    await store.createEndpoint(endpoint(url));
    await new WebhookPublisher({ store, streams: createHostStreams(), clock, logger: silentLogger }).publish('t1', { type: 'message.received', data: {} });
    await worker(store, clock, {}, []).drain();
    expect(received).toHaveLength(0);
    expect((await store.listAttempts('t1', 'crm'))[0]).toMatchObject({ outcome: 'retry', error: 'no secret: set HOOK' });
    clock.advance(3_600_000);
    await worker(store, clock).drain();
    expect(received).toHaveLength(1);
  });

  it('property: the delay grows from the base, never passes the cap but for a capped Retry-After, and keeps half of itself', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }),
      fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: undefined }),
      (baseDelayMs, maxDelayMs, retryAfterCapMs, attempt, random, retryAfter) => {
        const policy = { ...DEFAULT_WEBHOOK_RETRY, baseDelayMs, maxDelayMs, retryAfterCapMs };
        const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(40, attempt - 1));
        const d = retryDelayMs(policy, attempt, random, retryAfter);
        expect(d).toBeGreaterThanOrEqual(Math.floor(exp / 2));
        expect(d).toBeLessThanOrEqual(Math.max(exp, Math.min(retryAfter ?? 0, retryAfterCapMs)));
        if (retryAfter !== undefined) expect(d).toBeGreaterThanOrEqual(Math.min(retryAfter, retryAfterCapMs));
      },
    ), { numRuns: 500 });
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, executeProviderRequest, FAKE_RECEIPT_ATTEMPTS, FakePlatformServer, ManualClock, startFakeSideServer, FakeRateLimiter, hmacSha256Hex, ProviderHttpError, ProviderNetworkError, verifyHmacSha256, type FakeResponse, type RecordedRequest, type SignedWebhook } from '../index.js';

/** A tiny platform: POST /v1/messages answers an id, 1 message per second per recipient, signed webhooks. */
class TinyPlatform extends FakePlatformServer {
  readonly channel = 'tiny';
  private n = 0;
  connectorConfig(): Record<string, unknown> { return { apiBaseUrl: this.url, secret: 'tiny-secret' }; }
  userMessage(input: { userId: string; text: string }): SignedWebhook {
    const body = Buffer.from(JSON.stringify({ from: input.userId, text: input.text }));
    return { method: 'POST', headers: { 'content-type': 'application/json', 'x-tiny-signature': hmacSha256Hex('tiny-secret', body) }, body };
  }
  protected handle(req: RecordedRequest): FakeResponse {
    if (req.method !== 'POST' || req.path !== '/v1/messages') return { status: 404, body: { error: 'not found' } };
    const to = (req.body as { to?: string }).to;
    if (!to) throw new Error('to is required');
    if (!this.limiter.take(to, 1, 1000)) return { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '1' } };
    this.n += 1;
    return { status: 200, body: { id: `m${this.n}` } };
  }
}

describe('FakePlatformServer', () => {
  let fake: TinyPlatform;
  beforeEach(async () => { fake = new TinyPlatform(); await fake.start(); });
  afterEach(async () => { await fake.stop(); });
  const send = (to: string, path = '/v1/messages') => executeProviderRequest({ method: 'POST', url: `${fake.url}${path}`, headers: { authorization: 'Bearer t' }, body: { to, text: 'hi' } });

  it('listens on 127.0.0.1 and records every request with raw bytes', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await send('u1')).toMatchObject({ status: 200, body: { id: 'm1' } });
    await executeProviderRequest({ method: 'GET', url: `${fake.url}/v1/me?fields=id,name`, headers: {} }).catch(() => undefined);
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    expect(first).toMatchObject({ method: 'POST', path: '/v1/messages', query: {}, body: { to: 'u1', text: 'hi' }, headers: expect.objectContaining({ authorization: 'Bearer t', 'content-type': 'application/json' }) });
    expect(first!.rawBody.toString()).toBe('{"to":"u1","text":"hi"}');
    expect(first!.at).toBeInstanceOf(Date);
    expect(second).toMatchObject({ method: 'GET', path: '/v1/me', query: { fields: 'id,name' } });
    expect(fake.requestsTo('/v1/messages')).toHaveLength(1);
    expect(fake.requestsTo(/^\/v1\//)).toHaveLength(2);
  });
  it('a handler that throws answers 500 with the message', async () => {
    const e = await executeProviderRequest({ method: 'POST', url: `${fake.url}/v1/messages`, headers: {}, body: {} }).catch((x: unknown) => x) as ProviderHttpError;
    expect(e.status).toBe(500);
    expect(e.body).toEqual({ error: { message: 'to is required' } });
  });
  it('scripted answers come first, once each, in order, then the platform answers again', async () => {
    fake.script([{ status: 500, body: { error: 'boom' } }, { status: 429, body: { error: 'later' }, headers: { 'retry-after': '7' } }]);
    const a = await send('u1').catch((x: unknown) => x) as ProviderHttpError;
    const b = await send('u1').catch((x: unknown) => x) as ProviderHttpError;
    expect([a.status, b.status]).toEqual([500, 429]);
    expect(b.headers['retry-after']).toBe('7');
    expect(b.body).toEqual({ error: 'later' });
    expect((await send('u1')).status).toBe(200);
  });
  it('scripts can be limited to a path', async () => {
    fake.script([{ status: 403, body: 'forbidden' }], '/v1/other');
    expect((await send('u1')).status).toBe(200);
    const e = await send('u1', '/v1/other').catch((x: unknown) => x) as ProviderHttpError;
    expect([e.status, e.body, e.headers['content-type']]).toEqual([403, 'forbidden', 'text/plain; charset=utf-8']);
    fake.script([{ status: 418 }], /^\/v1\/m/);
    expect(((await send('u2').catch((x: unknown) => x)) as ProviderHttpError).status).toBe(418);
  });
  it('delayMs delays the answer and reset drops the connection', async () => {
    fake.script([{ status: 200, body: { id: 'late' }, delayMs: 150 }, { status: 200, reset: true }]);
    const t0 = Date.now();
    expect((await send('u1')).body).toEqual({ id: 'late' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await expect(send('u1')).rejects.toBeInstanceOf(ProviderNetworkError);
    fake.script([{ status: 200, delayMs: 500 }]);
    await expect(executeProviderRequest({ method: 'POST', url: `${fake.url}/v1/messages`, headers: {}, body: { to: 'u9' } }, { timeoutMs: 50 })).rejects.toBeInstanceOf(ProviderNetworkError);
  });
  it('the platform rate limit answers 429 with retry-after', async () => {
    expect((await send('u1')).status).toBe(200);
    const e = await send('u1').catch((x: unknown) => x) as ProviderHttpError;
    expect(e.status).toBe(429);
    expect(e.headers['retry-after']).toBe('1');
    expect((await send('u2')).status).toBe(200);
  });
  it('reset forgets requests, scripts and rate-limit state', async () => {
    await send('u1');
    fake.script([{ status: 500 }]);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect((await send('u1')).status).toBe(200);
  });
  it('latencyMs delays every answer', async () => {
    const slow = new TinyPlatform({ latencyMs: 120 });
    await slow.start();
    try {
      const t0 = Date.now();
      await executeProviderRequest({ method: 'POST', url: `${slow.url}/v1/messages`, headers: {}, body: { to: 'x' } });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    } finally { await slow.stop(); }
  });
  it('deliver posts a signed webhook to a receiver that verifies the raw bytes', async () => {
    const receiver = new (class extends TinyPlatform {
      protected override handle(req: RecordedRequest): FakeResponse {
        try {
          verifyHmacSha256({ secret: 'tiny-secret', body: req.rawBody, signature: req.headers['x-tiny-signature'], header: 'x-tiny-signature' });
          return { status: 200, body: 'EVENT_RECEIVED' };
        } catch { return { status: 401, body: 'bad signature' }; }
      }
    })();
    await receiver.start();
    try {
      const hook = fake.userMessage({ userId: 'u1', text: 'Is my car ready?' });
      expect(await fake.deliver(`${receiver.url}/webhooks/tiny/acc`, hook)).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      const tampered = { ...hook, body: Buffer.from(hook.body.toString().replace('ready', 'READY')) };
      expect((await fake.deliver(`${receiver.url}/webhooks/tiny/acc`, tampered)).status).toBe(401);
    } finally { await receiver.stop(); }
  });
  it('start and stop are idempotent; stop closes open connections', async () => {
    await fake.start();
    await fake.stop();
    await fake.stop();
    await expect(executeProviderRequest({ method: 'GET', url: `${fake.url}/v1/me`, headers: {} }, { timeoutMs: 1000 })).rejects.toBeInstanceOf(ProviderNetworkError);
  });
});

describe('FakeRateLimiter', () => {
  it('allows a burst of limit hits, then refills limit per window, and says when the next one is allowed', () => {
    const l = new FakeRateLimiter();
    expect([l.take('chat', 2, 1000, 0), l.take('chat', 2, 1000, 100), l.take('chat', 2, 1000, 200)]).toEqual([true, true, false]);
    // 0.4 tokens refilled by 200 ms; the next whole token arrives 300 ms later
    expect(l.retryAfter('chat', 2, 1000, 200)).toBe(300);
    expect(l.take('other', 2, 1000, 200)).toBe(true);
    expect(l.take('chat', 2, 1000, 500)).toBe(true);
    expect(l.retryAfter('chat', 2, 1000, 500)).toBe(500);
    expect(l.retryAfter('chat', 2, 1000, 1000)).toBe(0);
    l.clear();
    expect(l.retryAfter('chat', 1, 1000, 1000)).toBe(0);
  });
  it('refused hits take nothing', () => {
    const l = new FakeRateLimiter();
    l.take('k', 1, 1000, 0);
    for (let t = 1; t < 1000; t += 100) expect(l.take('k', 1, 1000, t)).toBe(false);
    expect(l.take('k', 1, 1000, 1000)).toBe(true);
  });
  it('never lets more than limit + elapsed · limit/perMs hits through (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 10, max: 5000 }), fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 300 }), (limit, perMs, times) => {
      const l = new FakeRateLimiter();
      const sorted = [...times].sort((a, b) => a - b);
      const allowed = sorted.filter((t) => l.take('k', limit, perMs, t));
      if (allowed.length === 0) return true;
      const span = allowed[allowed.length - 1]! - allowed[0]!;
      return allowed.length <= limit + (span * limit) / perMs + 1e-9;
    }));
  });
});

/** A platform that sends receipts: POST /v1/messages records the send; statusUpdate signs `{ id, status, at }`. */
class ReceiptPlatform extends TinyPlatform {
  private k = 0;
  protected override handle(req: RecordedRequest): FakeResponse {
    if (req.method !== 'POST' || req.path !== '/v1/messages') return { status: 404, body: { error: 'not found' } };
    const to = (req.body as { to: string }).to;
    this.k += 1;
    const id = `r${this.k}`;
    this.recordSent({ id, userId: to, type: 'text', request: { method: req.method, path: req.path, body: req.body } });
    return { status: 200, body: { id } };
  }
  statusUpdate(input: { userId: string; externalId: string; status: string; timestamp?: Date }): SignedWebhook {
    const body = Buffer.from(JSON.stringify({ id: input.externalId, to: input.userId, status: input.status, at: input.timestamp?.toISOString() }));
    return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  }
  /** Records a send without a request (the unit tests' shortcut). */
  accept(id: string, userId = 'u1'): void {
    this.recordSent({ id, userId, type: 'text', request: { method: 'POST', path: '/v1/messages', body: {} } });
  }
}

/** A webhook receiver: records every body and answers the scripted statuses, then 200. */
async function receiver(statuses: number[] = []): Promise<{ url: string; bodies: Record<string, unknown>[]; attempts: number; close(): Promise<void> }> {
  const state = { bodies: [] as Record<string, unknown>[], attempts: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.attempts += 1;
      const status = statuses.shift() ?? 200;
      if (status === 200) state.bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/tiny/sandbox`, bodies: state.bodies,
    get attempts() { return state.attempts; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const HOUR = 3_600_000;

describe('FakePlatformServer: platform clock, sent log and receipts', () => {
  const clock = new ManualClock(new Date('2026-12-04T10:00:00Z'));
  let hook: Awaited<ReturnType<typeof receiver>>;
  const fakes: FakePlatformServer[] = [];
  const make = <T extends FakePlatformServer>(f: T): T => { fakes.push(f); return f; };
  beforeEach(async () => { clock.set(new Date('2026-12-04T10:00:00Z')); hook = await receiver(); });
  afterEach(async () => { await Promise.all(fakes.splice(0).map((f) => f.stop())); await hook.close(); });

  it('regression: the platform clock is the injected clock, so an advance of the host clock moves the fake (it stamped wall-clock time)', async () => {
    const fake = make(new ReceiptPlatform({ clock }));
    await fake.start();
    expect(fake.platformNow()).toBe(clock.now());
    clock.advance(25 * HOUR);
    expect(fake.platformNow()).toBe(Date.parse('2026-12-05T11:00:00Z'));
    await executeProviderRequest({ method: 'POST', url: `${fake.url}/v1/messages`, headers: {}, body: { to: 'u1', text: 'hi' } });
    expect(fake.requests[0]!.at.toISOString()).toBe('2026-12-05T11:00:00.000Z');
    expect(fake.sentMessages()).toEqual([{ id: 'r1', userId: 'u1', type: 'text', at: '2026-12-05T11:00:00.000Z', request: { method: 'POST', path: '/v1/messages', body: { to: 'u1', text: 'hi' } } }]);
  });

  it('refuses a clock together with a timeScale, and receipt options out of range', () => {
    expect(() => new ReceiptPlatform({ clock, timeScale: 10 })).toThrow(ConfigError);
    expect(() => new ReceiptPlatform({ clock, timeScale: 1 })).not.toThrow();
    expect(() => new ReceiptPlatform({ timeScale: 0 })).toThrow(/timeScale/);
    expect(() => new ReceiptPlatform({ receipts: { lossRate: 1.5 } })).toThrow(/receipts\.lossRate/);
    expect(() => new ReceiptPlatform({ receipts: { deliveredAfterMs: -1 } })).toThrow(/receipts\.deliveredAfterMs/);
    expect(() => new ReceiptPlatform({ receipts: { readAfterMs: Number.NaN } })).toThrow(/receipts\.readAfterMs/);
  });

  it('schedules delivered then read for each accepted message; flushReceipts posts them in order, stamped with platform time at posting', async () => {
    const fake = make(new ReceiptPlatform({ clock, webhookUrl: hook.url, receipts: { deliveredAfterMs: HOUR, readAfterMs: HOUR } }));
    fake.accept('m1', 'u1');
    fake.accept('m2', 'u2');
    expect(fake.receiptStats()).toEqual({ scheduled: 4, posted: 0, lost: 0, failed: 0, pending: 4 });
    clock.advance(5 * 60_000);
    expect(await fake.flushReceipts()).toBe(4);
    expect(hook.bodies).toEqual([
      { id: 'm1', to: 'u1', status: 'delivered', at: '2026-12-04T10:05:00.000Z' },
      { id: 'm2', to: 'u2', status: 'delivered', at: '2026-12-04T10:05:00.000Z' },
      { id: 'm1', to: 'u1', status: 'read', at: '2026-12-04T10:05:00.000Z' },
      { id: 'm2', to: 'u2', status: 'read', at: '2026-12-04T10:05:00.000Z' },
    ]);
    expect(fake.receiptStats()).toEqual({ scheduled: 4, posted: 4, lost: 0, failed: 0, pending: 0 });
    expect(await fake.flushReceipts()).toBe(0);
  });

  it('a negative readAfterMs sends delivered only; receipts off, no webhook URL or no statusUpdate send none but still log the message', async () => {
    const deliveredOnly = make(new ReceiptPlatform({ webhookUrl: hook.url, receipts: { readAfterMs: -1, deliveredAfterMs: HOUR } }));
    deliveredOnly.accept('m1');
    expect(await deliveredOnly.flushReceipts()).toBe(1);
    expect(hook.bodies.map((b) => b.status)).toEqual(['delivered']);
    const off = make(new ReceiptPlatform({ webhookUrl: hook.url, receipts: { enabled: false } }));
    const noUrl = make(new ReceiptPlatform());
    for (const f of [off, noUrl]) { f.accept('m1'); expect(f.receiptStats().scheduled).toBe(0); expect(f.sentMessages()).toHaveLength(1); }
    const silent = make(new (class extends TinyPlatform { take(): void { this.recordSent({ id: 'x', userId: 'u', type: 'text', request: { method: 'POST', path: '/', body: {} } }); } })({ webhookUrl: hook.url }));
    silent.take();
    expect([silent.receiptStats().scheduled, silent.sentMessages().length]).toEqual([0, 1]);
  });

  it('setWebhookUrl turns receipts on for messages accepted afterwards', async () => {
    const fake = make(new ReceiptPlatform({ receipts: { deliveredAfterMs: HOUR } }));
    fake.accept('before');
    fake.setWebhookUrl(hook.url);
    expect(fake.hostWebhookUrl).toBe(hook.url);
    fake.accept('after');
    expect(await fake.flushReceipts()).toBe(2);
    expect(hook.bodies.map((b) => b.id)).toEqual(['after', 'after']);
  });

  it('drops each receipt with probability lossRate, drawing from the injected random (delivered first)', async () => {
    const draws = [0.1, 0.9, 0.9, 0.2];
    const fake = make(new ReceiptPlatform({ webhookUrl: hook.url, random: () => draws.shift()!, receipts: { lossRate: 0.5, deliveredAfterMs: HOUR } }));
    fake.accept('m1');
    fake.accept('m2');
    expect(await fake.flushReceipts()).toBe(2);
    expect(hook.bodies.map((b) => `${b.id}:${b.status}`)).toEqual(['m2:delivered', 'm1:read']);
    expect(fake.receiptStats()).toMatchObject({ scheduled: 4, posted: 2, lost: 2 });
  });

  it('counts lost + pending = scheduled for any loss rate and random sequence (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 40, maxLength: 40 }), (lossRate, seq) => {
      const draws = [...seq];
      const fake = new ReceiptPlatform({ webhookUrl: hook.url, random: () => draws.shift()!, receipts: { lossRate, deliveredAfterMs: HOUR } });
      for (let i = 0; i < 20; i += 1) fake.accept(`m${i}`);
      const s = fake.receiptStats();
      const expectedLost = lossRate > 0 ? seq.filter((x) => x < lossRate).length : 0;
      void fake.stop();
      return s.scheduled === 40 && s.lost === expectedLost && s.lost + s.pending === 40;
    }));
  });

  it(`retries a receipt the webhook refuses, ${FAKE_RECEIPT_ATTEMPTS} attempts in all, then drops and counts it`, async () => {
    await hook.close();
    hook = await receiver([500, 503]);
    const fake = make(new ReceiptPlatform({ webhookUrl: hook.url, receipts: { deliveredAfterMs: HOUR, readAfterMs: -1 } }));
    fake.accept('m1');
    expect(await fake.flushReceipts()).toBe(1);
    expect([hook.attempts, hook.bodies.length]).toEqual([3, 1]);
    await hook.close();
    hook = await receiver([500, 500, 500, 500]);
    fake.setWebhookUrl(hook.url);
    fake.accept('m2');
    expect(await fake.flushReceipts()).toBe(0);
    expect(hook.attempts).toBe(FAKE_RECEIPT_ATTEMPTS);
    expect(fake.receiptStats()).toMatchObject({ posted: 1, failed: 1, pending: 0 });
  });

  it('a receipt nobody answers (connection refused) is dropped as failed, not thrown', async () => {
    const fake = make(new ReceiptPlatform({ webhookUrl: 'http://127.0.0.1:1/webhooks/tiny/sandbox', receipts: { deliveredAfterMs: HOUR, readAfterMs: -1 } }));
    fake.accept('m1');
    expect(await fake.flushReceipts()).toBe(0);
    expect(fake.receiptStats()).toMatchObject({ failed: 1 });
  });

  it('a receipt due now is posted by its own timer', async () => {
    const fake = make(new ReceiptPlatform({ webhookUrl: hook.url, receipts: { deliveredAfterMs: 0, readAfterMs: 0 } }));
    fake.accept('m1');
    await vi.waitFor(() => expect(fake.receiptStats().posted).toBe(2), { timeout: 30_000, interval: 20 });
    expect(hook.bodies.map((b) => b.status)).toEqual(['delivered', 'read']);
  });

  it('stop cancels pending receipts; reset forgets the sent log and pending receipts', async () => {
    const fake = make(new ReceiptPlatform({ webhookUrl: hook.url, receipts: { deliveredAfterMs: HOUR } }));
    await fake.start();
    fake.accept('m1');
    await fake.stop();
    expect(fake.receiptStats().pending).toBe(0);
    expect(await fake.flushReceipts()).toBe(0);
    fake.accept('m2');
    fake.reset();
    expect([fake.sentMessages().length, fake.receiptStats().pending]).toEqual([0, 0]);
    expect(hook.attempts).toBe(0);
  });

  it('simulates text through userMessage by default and refuses other kinds naming the supported ones', () => {
    const fake = make(new ReceiptPlatform());
    expect(fake.simulatedKinds).toEqual(['text']);
    expect(JSON.parse(fake.simulate({ kind: 'text', userId: 'u1', text: 'hello' }).body.toString())).toEqual({ from: 'u1', text: 'hello' });
    expect(() => fake.simulate({ kind: 'location', userId: 'u1', latitude: 1, longitude: 2 })).toThrow("tiny fake cannot simulate 'location' events (supported: text)");
  });
});

describe('startFakeSideServer', () => {
  it('answers on its own 127.0.0.1 port until stopped', async () => {
    const side = await startFakeSideServer((_req, res) => { res.end('media bytes'); });
    expect(side.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${side.url}/file`)).text()).toBe('media bytes');
    await side.stop();
    await expect(fetch(`${side.url}/file`)).rejects.toThrow();
  });
});

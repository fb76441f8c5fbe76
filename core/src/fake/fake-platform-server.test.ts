import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeProviderRequest, FakePlatformServer, FakeRateLimiter, hmacSha256Hex, ProviderHttpError, ProviderNetworkError, verifyHmacSha256, type FakeResponse, type RecordedRequest, type SignedWebhook } from '../index.js';

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

/**
 * Platform faults, injected by the fake servers on their send endpoints: 500, 502 and 503 answers,
 * an answer that never comes in time, a reset connection, a 429 with the time to come back. Each
 * message is delivered exactly once when the platform accepts it; retries of a platform that keeps
 * failing are bounded; the breaker opens (no calls while open), half-opens for one trial and closes
 * on success; and nothing queued during an outage is dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest, ScriptedResponse } from '@switchboard/core';
import { ScaledTimer } from '@switchboard/host';
import { eventually } from '../e2e/support/host-harness.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

const PLATFORM_TIMEOUT_MS = 400;
const MAX_ATTEMPTS = 5;
/** Breaker cool-down, in platform time. */
const COOL_DOWN_MS = 3_000;
/**
 * The platforms' clocks run 10× faster than the wall clock (and the dispatcher's timer with them):
 * WhatsApp's one message per 6 s to the same customer, which a failed attempt also books, becomes
 * 0.6 s of test time. Recorded request times are wall time: gaps are scaled back up to compare.
 */
const SCALE = 10;

/** Connectors' platform calls give up after 400 ms here (15 s by default), so a hung answer is a timeout quickly. */
const impatientFetch: typeof fetch = (input, init = {}) =>
  fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(PLATFORM_TIMEOUT_MS)]) : AbortSignal.timeout(PLATFORM_TIMEOUT_MS) });

let h: ChannelsHost;
beforeAll(async () => {
  h = await startChannelsHost({
    channels: ['telegram', 'whatsapp'],
    fakeOptions: { timeScale: SCALE },
    hostOptions: {
      platformFetch: impatientFetch,
      outbound: { timer: new ScaledTimer(SCALE), dispatcher: { pollMs: 10, maxAttempts: MAX_ATTEMPTS, backoff: { baseMs: 30, maxMs: 120 }, breaker: { failureThreshold: 3, coolDownMs: COOL_DOWN_MS } } },
    },
  });
});
afterAll(async () => { await h?.stop(); });

const html = (status: number, text: string): ScriptedResponse => ({ status, body: `<html><body><h1>${status} ${text}</h1></body></html>`, headers: { 'content-type': 'text/html' } });

/** How each platform says the same thing, and where it takes messages. */
const PLATFORMS = {
  telegram: {
    sendPath: /\/sendMessage$/,
    recipient: (r: RecordedRequest) => String((r.body as { chat_id?: unknown }).chat_id),
    serverError: { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } },
    rateLimited: { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } },
  },
  whatsapp: {
    sendPath: /\/messages$/,
    recipient: (r: RecordedRequest) => String((r.body as { to?: unknown }).to),
    serverError: { status: 500, body: { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, is_transient: true, fbtrace_id: 'AfaultInjected1' } } },
    rateLimited: { status: 400, body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' }, fbtrace_id: 'AfaultInjected2' } } },
  },
} satisfies Record<string, { sendPath: RegExp; recipient: (r: RecordedRequest) => string; serverError: ScriptedResponse; rateLimited: ScriptedResponse }>;

type Channel = keyof typeof PLATFORMS;

describe.each(Object.keys(PLATFORMS) as Channel[])('platform faults on %s', (channel) => {
  const p = PLATFORMS[channel];
  let n = 0;
  const fake = () => h.fakes[channel];
  const attemptsTo = (userId: string) => fake().requestsTo(p.sendPath).filter((r) => p.recipient(r) === userId);

  /** A customer who wrote first (so the service window is open). */
  async function customer(): Promise<string> {
    const userId = `4918${channel === 'telegram' ? 1 : 2}${String(++n).padStart(6, '0')}`;
    expect((await fake().deliver(h.webhookUrl(channel), fake().userMessage({ userId, text: 'Is my car ready?' }))).status).toBe(200);
    await eventually(async () => (await h.stores.conversations.list('shop', { channel, limit: 1000 })).some((c) => c.address.userId === userId));
    return userId;
  }
  /** A reply to a customer (a new one unless given), queued. */
  async function queueReply(text = 'Your car is ready for collection.', to?: string): Promise<{ userId: string; id: string }> {
    const userId = to ?? await customer();
    const answer = await h.api<{ id: string }>('/v1/messages', {
      method: 'POST', body: JSON.stringify({ channel, accountId: 'main', userId, sender: 'bot', purpose: 'service', content: { type: 'text', text } }),
    });
    expect(answer.status).toBe(202);
    return { userId, id: answer.body.id };
  }
  const statusOf = async (id: string) => (await h.stores.messages.get('shop', id))?.status;
  const settled = (id: string, status: 'sent' | 'failed', ms = 30_000) => eventually(async () => (await statusOf(id)) === status, ms);

  const faults: [string, ScriptedResponse][] = [
    ['500 with the platform\'s error body', p.serverError],
    ['502 from a proxy', html(502, 'Bad Gateway')],
    ['503 from a proxy', html(503, 'Service Unavailable')],
    ['no answer in time', { status: 504, delayMs: PLATFORM_TIMEOUT_MS * 3 }],
    ['a reset connection', { status: 0, reset: true }],
  ];
  it.each(faults)('after %s the message is sent exactly once', async (_name, fault) => {
    fake().script([fault], p.sendPath);
    const { userId, id } = await queueReply();
    await settled(id, 'sent');
    const attempts = attemptsTo(userId);
    expect(attempts).toHaveLength(2); // the failed one and the accepted one
    const stored = await h.stores.messages.get('shop', id);
    expect(stored!.externalId).toBeTruthy();
  });

  it('after a rate-limit answer it waits the time the platform named, then sends once', async () => {
    fake().script([p.rateLimited], p.sendPath);
    const { userId, id } = await queueReply();
    await settled(id, 'sent');
    const [refused, accepted, ...more] = attemptsTo(userId);
    expect(more).toEqual([]);
    expect((accepted!.at.getTime() - refused!.at.getTime()) * SCALE).toBeGreaterThanOrEqual(950);
  });

  it('a message that needs retries is not overtaken by the ones accepted after it', async () => {
    const userId = await customer();
    fake().script([html(503, 'Service Unavailable'), html(503, 'Service Unavailable')], p.sendPath);
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await queueReply(`Step ${i} of your booking.`, userId));
    for (const q of queued) await settled(q.id, 'sent', 15_000);
    const calls = attemptsTo(userId);
    expect(calls).toHaveLength(5);
    const texts = calls.slice(2).map((c) => JSON.stringify(c.body));
    expect(texts.map((t) => t.match(/Step (\d)/)?.[1])).toEqual(['0', '1', '2']);
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts and says why`, async () => {
    fake().script(Array.from({ length: MAX_ATTEMPTS }, () => html(503, 'Service Unavailable')), p.sendPath);
    const { userId, id } = await queueReply();
    await settled(id, 'failed', 15_000);
    expect(attemptsTo(userId)).toHaveLength(MAX_ATTEMPTS);
    const stored = await h.stores.messages.get('shop', id);
    expect(stored!.error?.message).toMatch(/gave up after 5 attempts/);
    // a healthy platform closes the breaker again
    const next = await queueReply();
    await settled(next.id, 'sent', 15_000);
  });

  it('opens the breaker during an outage, half-opens for one trial, and sends everything queued once', async () => {
    const breakerKey = `${channel}:main`;
    const dispatcher = h.hosts[0]!.outbound.dispatcher;
    const customers = [];
    for (let i = 0; i < 6; i++) customers.push(await customer());
    // the outage: the next four calls fail
    fake().script(Array.from({ length: 4 }, () => html(503, 'Service Unavailable')), p.sendPath);
    const before = fake().requestsTo(p.sendPath).length;
    const queued = await Promise.all(customers.map((userId, i) => queueReply(`Order ${i} is ready.`, userId)));
    await eventually(() => dispatcher.breakerStates()[breakerKey] === 'open', 30_000); // a limit, not a measurement: a loaded machine may be slow to get there
    for (const q of queued) await settled(q.id, 'sent', 20_000);
    expect(dispatcher.breakerStates()[breakerKey]).toBe('closed');
    // 4 failures and one accepted call per message: nothing dropped, nothing twice
    expect(fake().requestsTo(p.sendPath).length - before).toBe(4 + queued.length);
    for (const q of queued) expect(attemptsTo(q.userId).length).toBeGreaterThanOrEqual(1);
    const calls = fake().requestsTo(p.sendPath).slice(before);
    expect(new Set(calls.slice(-queued.length).map(p.recipient))).toEqual(new Set(queued.map((q) => q.userId)));
    // while open nobody called the platform: the dispatcher paused for a whole cool-down before its half-open trial
    const gaps = calls.slice(1).map((c, i) => (c.at.getTime() - calls[i]!.at.getTime()) * SCALE);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(COOL_DOWN_MS * 0.9);
  });
});

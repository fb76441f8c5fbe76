/**
 * Platform faults, injected by the fake servers on their send endpoints: 500, 502 and 503 answers,
 * an answer that never comes, a reset connection, a 429 with the time to come back. Each message is
 * delivered exactly once when the platform accepts it; retries of a platform that keeps failing are
 * bounded; the breaker opens (no calls while open), half-opens for one trial and closes on success;
 * and nothing queued during an outage is dropped.
 *
 * Nothing here is decided by how fast the machine is: a call that gets no answer is abandoned when
 * the fake has recorded it (not after a wall-clock timeout that a loaded machine could also hit on
 * a healthy call); the breaker is read from its counts (not caught in its passing open state); the
 * dispatcher sends one message at a time, so the order in which the platform's answers come back
 * cannot decide whether the breaker opens; and the times compared are lower bounds — a stall can
 * only make a gap longer, never shorter.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePlatform, RecordedRequest, ScriptedResponse } from '@switchboard/core';
import { ScaledTimer } from '@switchboard/host/testing';
import { eventually } from '../e2e/support/host-harness.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

const MAX_ATTEMPTS = 5;
/** Breaker cool-down, in platform time. */
const COOL_DOWN_MS = 3_000;
/**
 * The platforms' clocks run 10× faster than the wall clock (and the dispatcher's timer with them):
 * WhatsApp's one message per 6 s to the same customer, which a failed attempt also books, becomes
 * 0.6 s of test time. Recorded request times are wall time: gaps are scaled back up to compare.
 */
const SCALE = 10;

/** The next platform call to this fake's send path gets no answer: see {@link platformFetch}. */
let unanswered: { fake: FakePlatform; path: RegExp } | undefined;

/**
 * The host's fetch for platform calls. A call marked {@link unanswered} goes to the fake, which holds
 * it without answering; once the fake has recorded it the call is abandoned with a TimeoutError, as a
 * client's timeout would end it. Every other call waits for its answer (the connectors' own 15 s limit
 * is a limit, never reached by a healthy fake).
 */
const platformFetch: typeof fetch = (input, init = {}) => {
  const hang = unanswered;
  const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
  if (!hang || !hang.path.test(path)) return fetch(input, init);
  unanswered = undefined;
  const before = hang.fake.requestsTo(hang.path).length;
  const abandon = new AbortController();
  const answer = fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, abandon.signal]) : abandon.signal });
  void (async () => {
    while (hang.fake.requestsTo(hang.path).length === before) await sleep(5);
    abandon.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  })();
  return answer;
};

let h: ChannelsHost;
beforeAll(async () => {
  h = await startChannelsHost({
    channels: ['telegram', 'whatsapp'],
    fakeOptions: { timeScale: SCALE },
    hostOptions: {
      platformFetch,
      outbound: {
        timer: new ScaledTimer(SCALE),
        // one message at a time: with several calls out at once, which answer the host reads first
        // (a 503 or a 200) is up to the machine, and with it whether three failures come in a row
        dispatcher: { pollMs: 10, concurrency: 1, maxAttempts: MAX_ATTEMPTS, backoff: { baseMs: 30, maxMs: 120 }, breaker: { failureThreshold: 3, coolDownMs: COOL_DOWN_MS } },
      },
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
    // the fake holds the call (an answer only long after the client gave up on it)
    ['no answer in time', { status: 504, delayMs: 10_000 }],
    ['a reset connection', { status: 0, reset: true }],
  ];
  it.each(faults)('after %s the message is sent exactly once', async (_name, fault) => {
    fake().script([fault], p.sendPath);
    if (fault.delayMs) unanswered = { fake: fake(), path: p.sendPath };
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

  it('regression: opens the breaker during an outage, half-opens for one trial, and sends everything queued once (the passing open state is read from the breaker\'s counts: a loaded machine polling for it missed it)', async () => {
    const breakerKey = `${channel}:main`;
    const dispatcher = h.hosts[0]!.outbound.dispatcher;
    const counts = () => dispatcher.breakerCounts()[breakerKey] ?? { opened: 0, reopened: 0, trials: 0, closed: 0 };
    const customers = [];
    for (let i = 0; i < 6; i++) customers.push(await customer());
    const start = counts();
    // the outage: the next four calls fail
    fake().script(Array.from({ length: 4 }, () => html(503, 'Service Unavailable')), p.sendPath);
    const before = fake().requestsTo(p.sendPath).length;
    const queued = await Promise.all(customers.map((userId, i) => queueReply(`Order ${i} is ready.`, userId)));
    for (const q of queued) await settled(q.id, 'sent', 30_000);
    expect(dispatcher.breakerStates()[breakerKey]).toBe('closed');
    // three failures in a row opened it; the first trial met the fourth and opened it again; the second closed it
    const end = counts();
    expect({ opened: end.opened - start.opened, reopened: end.reopened - start.reopened, trials: end.trials - start.trials, closed: end.closed - start.closed })
      .toEqual({ opened: 1, reopened: 1, trials: 2, closed: 1 });
    // 4 failures and one accepted call per message: nothing dropped, nothing twice
    expect(fake().requestsTo(p.sendPath).length - before).toBe(4 + queued.length);
    const calls = fake().requestsTo(p.sendPath).slice(before);
    expect(new Set(calls.slice(-queued.length).map(p.recipient))).toEqual(new Set(queued.map((q) => q.userId)));
    // while open nobody called the platform: a whole cool-down passed before each trial (a lower
    // bound: a loaded machine can only make the pause longer)
    const gaps = calls.slice(1).map((c, i) => (c.at.getTime() - calls[i]!.at.getTime()) * SCALE);
    expect(gaps[2]).toBeGreaterThanOrEqual(COOL_DOWN_MS * 0.99);
    expect(gaps[3]).toBeGreaterThanOrEqual(COOL_DOWN_MS * 0.99);
  });
});

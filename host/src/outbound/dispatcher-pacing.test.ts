/**
 * Pacing through event-loop stalls, on virtual time: the dispatcher books rate slots ahead and
 * sleeps for them. When the process stalls (a loaded machine, a long GC pause) every sleeper wakes
 * late at once; sending them all then reaches the platform as a burst above its limit — which is
 * what made the wall-clock pacing tests throw 429s on a busy machine. Here time is a stepped
 * virtual clock (no timer races the machine): stalls are injected, and the send times are replayed
 * through the platform's own bucket.
 */
import { FakeRateLimiter, type ConnectorPlugin, type OutboundMessage, type SendResult } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { MemoryStores } from '../stores/host-stores.js';
import type { HostMessage, OutboxEntry } from '../stores/stores.js';
import { Dispatcher } from './dispatcher.js';
import { StaticConnectorRegistry, type HostConnectorBinding } from '../plugins/connector-registry.js';
import type { Timer } from './timer.js';

/** Time that moves only when the test steps it: to the next wake-up, plus an optional stall. */
class SteppedTimer implements Timer {
  private t = Date.parse('2026-12-01T09:00:00Z');
  private sleepers: { at: number; resolve: () => void }[] = [];
  now(): number { return this.t; }
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.sleepers.push({ at: this.t + ms, resolve }));
  }
  /** Moves to the earliest wake-up (then `stall` ms further) and wakes everyone due. @returns false when nobody sleeps */
  step(stall: number): boolean {
    if (this.sleepers.length === 0) return false;
    this.t = Math.max(this.t, Math.min(...this.sleepers.map((s) => s.at))) + stall;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
    return true;
  }
}

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

/** 30 messages a second per account, one a second per chat: Telegram's published limits. */
const plugin = {
  channel: 'tg', displayName: 'Telegram-like',
  policy: { rateLimits: [{ scope: 'account', limit: 30, perMs: 1_000, enforcement: 'pace' }, { scope: 'recipient', limit: 1, perMs: 1_000, enforcement: 'pace' }] },
} as unknown as ConnectorPlugin;

async function run(stallEvery: number, stallMs: number): Promise<{ sentAt: number[]; throttled: number; spaced: number }> {
  const timer = new SteppedTimer();
  const stores = new MemoryStores({ now: () => timer.now() });
  const sentAt: number[] = [];
  const platform = new FakeRateLimiter(() => timer.now());
  let throttled = 0;
  const connector = {
    channel: 'tg',
    async send(msg: OutboundMessage): Promise<SendResult> {
      // the platform's view: a bucket of 30 per second for the bot, as the fake Bot API keeps it
      if (!platform.take('bot', 30, 1_000)) throttled++;
      sentAt.push(timer.now());
      return { externalId: `x-${msg.to.userId}`, acceptedAt: new Date(timer.now()) };
    },
    classify: () => { throw new Error('no failure expected'); },
  };
  const connectors = new StaticConnectorRegistry([{ tenantId: 't', channel: 'tg', account: 'bot', connector, plugin }] as unknown as HostConnectorBinding[]);
  const N = 240;
  const at = new Date(timer.now());
  for (let i = 0; i < N; i++) {
    const to = { channel: 'tg', accountId: 'bot', userId: String(1000 + i) };
    const message: HostMessage = {
      id: `m${i}`, tenantId: 't', conversationId: `c${i}`, channel: 'tg', accountId: 'bot', userId: to.userId, direction: 'outbound',
      content: { type: 'text', text: 'Your order is ready.' }, status: 'queued', timestamp: at, createdAt: at, updatedAt: at,
    };
    await stores.messages.insert(message);
    const entry: OutboxEntry = {
      id: `o${i}`, tenantId: 't', messageId: message.id, channel: 'tg', account: 'bot', message: { to, content: message.content } as OutboundMessage,
      status: 'pending', attempts: 0, notBefore: at, createdAt: new Date(at.getTime() + i), updatedAt: at,
    };
    await stores.outbox.enqueue(entry);
  }
  const dispatcher = new Dispatcher({ stores, connectors, tenants: () => ['t'], budget: stores.budget, timer, options: { pollMs: 1, concurrency: 64 } });
  dispatcher.start();
  for (let step = 0; sentAt.length < N && step < 20_000; step++) {
    await settle();
    if (!timer.step(step % stallEvery === stallEvery - 1 ? stallMs : 0)) await new Promise((r) => setTimeout(r, 2)); // the lease loop polls in wall time
  }
  await dispatcher.stop();
  return { sentAt, throttled, spaced: dispatcher.stats.spaced };
}

describe('dispatcher pacing through event-loop stalls (virtual time)', () => {
  it('regression: sleepers that wake late together are spaced at the send point instead of bursting above the platform limit', async () => {
    const { sentAt, throttled, spaced } = await run(7, 1_500);
    expect(sentAt).toHaveLength(240);
    expect(spaced).toBeGreaterThan(0); // the stalls did make sleepers late together
    expect(throttled).toBe(0);
    // and never more than the burst the platform tolerates in any second
    const sorted = [...sentAt].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      const within = sorted.filter((t) => t >= sorted[i]! && t < sorted[i]! + 1_000).length;
      expect(within).toBeLessThanOrEqual(30);
    }
  });

  it('without stalls the declared rate is kept and nothing waits at the send point', async () => {
    const { sentAt, throttled, spaced } = await run(Number.MAX_SAFE_INTEGER, 0);
    expect(sentAt).toHaveLength(240);
    expect(spaced).toBe(0);
    expect(throttled).toBe(0);
    const span = Math.max(...sentAt) - Math.min(...sentAt);
    // 240 sends at 98.5 % of 30/s (the dispatcher's headroom) need 239 intervals of ~33.8 ms
    expect(span).toBeGreaterThanOrEqual(239 * (1_000 / 30));
    expect(span).toBeLessThan(239 * (1_000 / 30) * 1.1);
  });
});

describe('the shared rate budget under the dispatcher\'s concurrency', () => {
  it('regression: 64 reservations at once on one key in one process each get their own slot (they used to exhaust the compare-and-set rounds and fail the send)', async () => {
    const stores = new MemoryStores();
    const rule = { key: 'tg:bot', limit: 30, perMs: 1_000 };
    const waits = await Promise.all(Array.from({ length: 64 }, () => stores.budget.reserve([rule], 1_000_000)));
    expect(new Set(waits).size).toBe(64);
    expect(Math.max(...waits)).toBeCloseTo(63 * (1_000 / 30), 6);
  });
});

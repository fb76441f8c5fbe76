import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, honouredRetryAfter, DEFAULT_RETRY_AFTER_CAP_MS } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import { DocumentRateBudget, gcraBook, type PaceRule } from './rate-budget.js';

/** Books on a DocumentRateBudget over a fresh memory driver, one reservation after another. */
const budgetOnMemory = (): DocumentRateBudget => new DocumentRateBudget(new MemoryDriver());

describe('GCRA rate budget', () => {
  it('spaces sends on one key evenly at the declared rate', async () => {
    const budget = budgetOnMemory();
    const rule: PaceRule = { key: 'telegram:bot:chat-1', limit: 1, perMs: 1000 };
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await budget.reserve([rule], 0));
    expect(waits).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('allows the declared burst back to back, then paces', async () => {
    const budget = budgetOnMemory();
    const rule: PaceRule = { key: 'a', limit: 10, perMs: 1000, burst: 3 };
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await budget.reserve([rule], 0));
    expect(waits).toEqual([0, 0, 0, 100, 200]);
  });

  it('respects the tightest of several rules (per chat and per account)', async () => {
    const budget = budgetOnMemory();
    const account: PaceRule = { key: 'acct', limit: 30, perMs: 1000 };
    const waits: number[] = [];
    for (let i = 0; i < 60; i++) waits.push(await budget.reserve([account, { key: `chat-${i}`, limit: 1, perMs: 1000 }], 0));
    // 60 different chats: the account limit (30/s) paces them 33.3 ms apart
    expect(waits[59]).toBeCloseTo(59 * (1000 / 30), 5);
    const sameChat = await budget.reserve([account, { key: 'chat-0', limit: 1, perMs: 1000 }], 0);
    expect(sameChat).toBeGreaterThanOrEqual(1000);
  });

  it('never books more than limit per window on any key (property, pure GCRA)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 10, max: 5000 }), fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
      (limit, perMs, arrivals) => {
        const rule: PaceRule = { key: 'k', limit, perMs };
        let tats = new Map<string, number>();
        const sends = arrivals.sort((a, b) => a - b).map((t) => {
          const booked = gcraBook([rule], tats, t);
          tats = booked.tats;
          return booked.at;
        }).sort((a, b) => a - b);
        // with burst 1 consecutive sends are at least one interval apart
        for (let i = 1; i < sends.length; i++) if (sends[i]! - sends[i - 1]! < perMs / limit - 1e-6) return false;
        return true;
      }));
  });

  it('never books more than burst + limit per window with a burst (property, pure GCRA)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 10, max: 5000 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
      (limit, perMs, burst, arrivals) => {
        const rule: PaceRule = { key: 'k', limit, perMs, burst };
        let tats = new Map<string, number>();
        const sends = arrivals.sort((a, b) => a - b).map((t) => {
          const booked = gcraBook([rule], tats, t);
          tats = booked.tats;
          return booked.at;
        }).sort((a, b) => a - b);
        // any window of perMs holds at most limit + burst - 1 sends
        for (let i = 0; i < sends.length; i++) {
          const inWindow = sends.filter((s) => s >= sends[i]! && s < sends[i]! + perMs - 1e-6).length;
          if (inWindow > limit + burst - 1) return false;
        }
        return true;
      }));
  });

  it('penalize pushes the next slot back (a 429 slows the bucket)', async () => {
    const budget = budgetOnMemory();
    await budget.penalize('k', 5000);
    expect(await budget.reserve([{ key: 'k', limit: 10, perMs: 1000 }], 0)).toBe(5000);
  });

  it('counts and sweeps its keys', async () => {
    const budget = budgetOnMemory();
    await budget.reserve([{ key: 'a', limit: 1, perMs: 1000 }, { key: 'b', limit: 1, perMs: 10_000 }], 0);
    expect(await budget.size()).toBe(2);
    expect(await budget.sweep(5000)).toBe(1);
    expect(await budget.size()).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially within the cap, with full jitter', () => {
    expect(backoffDelay(1, undefined, { baseMs: 100, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(4, undefined, { baseMs: 100, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(30, undefined, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(3, undefined, { random: () => 0 })).toBe(0);
  });
  it('never waits less than the platform asked for', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, retryAfter, r) =>
      backoffDelay(attempt, retryAfter, { random: () => r }) >= retryAfter));
  });
  it('regression: a connector whose classify passes any Retry-After through (a vendor\'s) parked a message for as long as the platform said; the dispatcher honours it up to the cap', () => {
    const year = 365 * 24 * 3_600_000;
    expect(backoffDelay(1, year, { random: () => 0 })).toBe(DEFAULT_RETRY_AFTER_CAP_MS);
    expect(backoffDelay(1, year, { random: () => 0, retryAfterCapMs: 60_000 })).toBe(60_000);
    expect(honouredRetryAfter(Number.POSITIVE_INFINITY)).toBe(DEFAULT_RETRY_AFTER_CAP_MS);
    expect(honouredRetryAfter(-5)).toBe(0);
    fc.assert(fc.property(fc.double({ noNaN: true }), fc.integer({ min: 0, max: 10 * DEFAULT_RETRY_AFTER_CAP_MS }), (asked, cap) => {
      const d = honouredRetryAfter(asked, { retryAfterCapMs: cap });
      return d >= 0 && d <= cap && (asked < 0 || asked > cap || d === asked);
    }));
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after the cool-down with one trial, closes on success', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000 });
    for (let i = 0; i < 3; i++) { expect(b.tryAcquire(i)).toBe(true); b.failure(i); }
    expect(b.state(10)).toBe('open');
    expect(b.tryAcquire(10)).toBe(false);
    expect(b.waitMs(10)).toBe(992);
    expect(b.state(1002)).toBe('half-open');
    expect(b.tryAcquire(1002)).toBe(true);
    expect(b.tryAcquire(1002)).toBe(false);
    b.success();
    expect(b.state(1003)).toBe('closed');
  });
  it('a failed trial opens it again for a full cool-down', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000 });
    b.failure(0);
    expect(b.tryAcquire(1000)).toBe(true);
    b.failure(1000);
    expect(b.state(1500)).toBe('open');
    expect(b.state(2000)).toBe('half-open');
  });
  it('counts what it did, so a passing open state need not be caught while it lasts', () => {
    const b = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1000 });
    b.failure(0);
    expect(b.counts()).toEqual({ opened: 0, reopened: 0, trials: 0, closed: 0 });
    b.failure(1);
    expect(b.counts()).toEqual({ opened: 1, reopened: 0, trials: 0, closed: 0 });
    // long after, the open state is gone from view, the count is not
    expect(b.state(5_000)).toBe('half-open');
    expect(b.tryAcquire(5_000)).toBe(true);
    b.failure(5_000); // the trial failed
    expect(b.tryAcquire(6_000)).toBe(true);
    b.release(); // given back: not a trial that reached the platform
    expect(b.tryAcquire(6_001)).toBe(true);
    b.success();
    expect(b.counts()).toEqual({ opened: 1, reopened: 1, trials: 2, closed: 1 });
    // a success while closed closes nothing
    b.success();
    expect(b.counts().closed).toBe(1);
  });
  it('a trial given back (it never reached the platform) lets another trial go, and closes nothing', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000 });
    b.failure(0);
    expect(b.tryAcquire(1000)).toBe(true);
    expect(b.tryAcquire(1000)).toBe(false);
    b.release();
    expect(b.state(1001)).toBe('half-open');
    expect(b.tryAcquire(1001)).toBe(true);
  });
});

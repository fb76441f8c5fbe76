/**
 * Virtual time for tests that assert pacing, retry delays, cool-downs or windows.
 *
 * The dispatcher's {@link Timer} and the fake platform's clock (`FakePlatformOptions.clock`) read
 * the same time, and that time moves only when the test steps it — and a step is taken only once
 * everything the previous one started has finished: no platform call in flight (the fetch given to
 * the connectors is tracked until its whole body is read), nothing waiting for the check phase
 * (SQLite's group commit) and the event loop turned a few times with nothing new happening. A request therefore reaches the platform at the very time its sender
 * saw, so a stalled or loaded machine makes the test slower, never the sender faster (or slower)
 * than its rules: what the platform measures is what the dispatcher decided.
 *
 * What still runs on wall time is only waiting for work that is already due (the dispatcher's
 * lease-loop poll, which {@link VirtualTime.runUntil}'s `onStep` replaces by a kick).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '@switchboard/core';
import type { Timer } from '../../../host/src/outbound/timer.js';

const noop = (): void => { /* the caller sees the outcome; time only waits for it */ };

/**
 * Whether work waits for the event loop's check phase (a `setImmediate`): SQLite's group commit
 * settles its writes there, so a chain of store writes is busy even when it neither sleeps nor
 * calls a platform.
 */
const checkPhaseWork = (): boolean => process.getActiveResourcesInfo().includes('Immediate');

/** Event-loop turns in a row with nothing new before the world counts as still. */
const QUIET_TURNS = 3;

/** The start of every virtual run unless a test says otherwise (a fixed instant: runs repeat exactly). */
export const VIRTUAL_EPOCH = Date.parse('2026-11-20T10:00:00Z');

/** A platform call as the fake received it, stamped with the platform's (virtual) time. */
export interface VirtualCall {
  method: string;
  url: string;
  /** Platform time the call was made and received at (time stands still while it is in flight). */
  at: number;
}

/** Options of {@link VirtualTime.runUntil}. */
export interface RunOptions {
  /**
   * Other times something becomes due that nobody sleeps for (an outbox entry's `notBefore`):
   * time jumps to the earliest of these and the sleepers' wake-ups.
   */
  due?: () => Promise<number | undefined> | number | undefined;
  /** Called before every look (kick the dispatcher so it leases what is due at the new time). */
  onStep?: () => void;
  /** Steps before giving up (default 200,000): a bound on the work, not on the machine's speed. */
  maxSteps?: number;
}

/** Time that moves only when the test steps it, shared by the dispatcher and the fake platform. */
export class VirtualTime implements Timer {
  private t: number;
  private sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Grows whenever something sleeps or calls the platform: stillness is this standing still. */
  private activity = 0;
  /** Every call made through {@link fetch}, oldest first. */
  readonly calls: VirtualCall[] = [];
  /** The fake platform's clock: pass as `FakePlatformOptions.clock`. */
  readonly clock: Clock = { now: () => this.t };

  /** @param start - the virtual time to start at, ms since the epoch */
  constructor(start = VIRTUAL_EPOCH) {
    this.t = start;
  }

  /** @inheritdoc */
  now(): number {
    return this.t;
  }

  /** @inheritdoc */
  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    this.activity++;
    return new Promise((resolve) => this.sleepers.push({ at: this.t + ms, seq: this.seq++, resolve }));
  }

  /**
   * A fetch for the connectors: time stands still until the answer's body is fully read, and each
   * call is recorded with the platform time it reached the platform at.
   * @param inner - the fetch that does the work (default the global one)
   * @returns a fetch with the same signature
   */
  fetch(inner: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
    return async (input, init) => {
      const request = new Request(input, init);
      this.calls.push({ method: request.method, url: request.url, at: this.t });
      return this.track((async () => {
        const res = await inner(request);
        const body = await res.arrayBuffer();
        return new Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
      })());
    };
  }

  /**
   * Holds time still until `work` settles (a platform call, a webhook delivery).
   * @param work - the promise to wait for
   * @returns `work`
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.activity++;
    const settled: Promise<unknown> = work.then(noop, noop).finally(() => { this.inFlight.delete(settled); this.activity++; });
    this.inFlight.add(settled);
    return work;
  }

  /** Resolves once nothing runs: no tracked work in flight and a few event-loop turns with nothing new. */
  async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      if (this.inFlight.size > 0) {
        await Promise.allSettled([...this.inFlight]);
        quiet = 0;
        continue;
      }
      const seen = this.activity;
      await nextTurn();
      quiet = seen === this.activity && this.inFlight.size === 0 && !checkPhaseWork() ? quiet + 1 : 0;
    }
  }

  /** The earliest time a sleeper wakes, if anyone sleeps. */
  nextWake(): number | undefined {
    let min: number | undefined;
    for (const s of this.sleepers) if (min === undefined || s.at < min) min = s.at;
    return min;
  }

  /**
   * Moves time forward (never back) and wakes every sleeper due, earliest first.
   * @param at - the new time, ms
   */
  advanceTo(at: number): void {
    this.t = Math.max(this.t, at);
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
  }

  /**
   * Moves time forward by `ms` (see {@link advanceTo}).
   * @param ms - how far
   */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  /**
   * Runs the world until `done` holds: waits for stillness, then jumps to the next time something
   * is due (a sleeper or `options.due`), and again. Fails when nothing is due and `done` does not
   * hold (the work is stuck, not slow), or after `maxSteps`.
   * @param done - the condition to reach
   * @param options - other due times, a hook after each step, a step bound
   */
  async runUntil(done: () => Promise<boolean> | boolean, options: RunOptions = {}): Promise<void> {
    const maxSteps = options.maxSteps ?? 200_000;
    let stuck = 0;
    for (let step = 0; step < maxSteps; step++) {
      options.onStep?.();
      await this.settle();
      if (await done()) return;
      const candidates = [this.nextWake(), await options.due?.()].filter((x): x is number => x !== undefined);
      const later = candidates.filter((c) => c > this.t);
      if (later.length > 0) {
        stuck = 0;
        this.advanceTo(Math.min(...later));
      } else if (candidates.length === 0) {
        throw new Error(`virtual time: nothing is due and the condition does not hold (at ${new Date(this.t).toISOString()})`);
      } else if (++stuck > 50) {
        // work is due now and kicking the dispatcher 50 times made nothing of it
        throw new Error(`virtual time: stuck at ${new Date(this.t).toISOString()} with work due and nothing happening`);
      }
    }
    throw new Error(`virtual time: condition not reached in ${maxSteps} steps (at ${new Date(this.t).toISOString()})`);
  }
}

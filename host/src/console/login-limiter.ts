/**
 * Slows password guessing down without letting anyone lock an agent out. The scheme follows
 * OWASP's "slow down online guessing attacks with device cookies":
 *
 * - **Counted before the hash.** {@link LoginLimiter.begin} checks and counts the attempt in one
 *   synchronous step, before the (slow) password hash runs; a success takes the count back.
 *   Parallel requests therefore cannot all pass a check made before any of them failed.
 * - **One attempt in flight per account** (per known device for known devices), a few per client
 *   address, and a global cap on hashes waiting to run: beyond them the answer is an immediate
 *   429/503 with `Retry-After`, and no hash is computed.
 * - **Progressive delay, not lock-out.** After a few free failures, each key (the account, the
 *   client address) must wait `baseDelayMs · 2^(failures − free)` after its last failure, at most
 *   `maxDelayMs`; failures are forgotten after `forgetMs` without a new one. The right password
 *   is never refused for longer than `maxDelayMs`.
 * - **Known devices are not slowed by others.** A browser that logged in to the account before
 *   holds a signed device cookie ({@link DeviceCookies}); its attempts are limited by that device's
 *   own failures only, so an attacker failing from elsewhere does not slow the agent down.
 *
 * Counts are per process (behind several hosts each keeps its own).
 * @module
 */
import type { Clock } from '@switchboard/core';

/** Limits of {@link LoginLimiter}. */
export interface LoginLimits {
  /** Failures of one account (tenant + e-mail) from unknown devices that cost no delay. */
  accountFreeFailures: number;
  /** Failures from one client address (any account) that cost no delay. */
  addressFreeFailures: number;
  /** Failures of one known device that cost no delay. */
  deviceFreeFailures: number;
  /** First delay once the free failures are used up; it doubles with each further failure. */
  baseDelayMs: number;
  /** The longest delay: the right password is never kept out longer than this. */
  maxDelayMs: number;
  /** Failures are forgotten this long after the last one (longer than `maxDelayMs`). */
  forgetMs: number;
  /** Logins of one client address being checked at once (several agents behind one NAT). */
  maxConcurrentPerAddress: number;
  /** Logins of unknown devices being checked at once in the whole process (each costs a hash). */
  maxConcurrent: number;
  /** Keys remembered at most (the least recently used without an attempt in flight are forgotten first). */
  maxKeys: number;
}

/**
 * Default limits: 3 free failures per account and known device, 10 per address, then 1 s doubling
 * up to 5 min; failures forgotten after an hour; 4 logins in flight per address, 32 in all.
 */
export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({
  accountFreeFailures: 3,
  addressFreeFailures: 10,
  deviceFreeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  forgetMs: 60 * 60_000,
  maxConcurrentPerAddress: 4,
  maxConcurrent: 32,
  maxKeys: 50_000,
});

/** Who is trying to log in, as far as limits go. */
export type LoginSubject =
  /** A browser without a valid device cookie for this account. */
  | { kind: 'unknown-device'; account: string; address: string }
  /** A browser holding a valid device cookie for this account (`device` is the cookie's id). */
  | { kind: 'known-device'; device: string };

/** Why an attempt may not run now. */
export type LoginRefusal = 'busy' | 'slowed' | 'overloaded';

/** An attempt that may run; exactly one of its methods must be called once the password is checked. */
export interface LoginAttempt {
  /** The password was wrong (or the account unknown or disabled): the counted failure stays. */
  failed(): void;
  /** The password was right: the account's (or device's) failures are cleared, the address's count taken back. */
  succeeded(): void;
}

/** What {@link LoginLimiter.begin} answers. */
export type LoginDecision =
  | { allowed: true; attempt: LoginAttempt }
  | { allowed: false; reason: LoginRefusal; retryAfterMs: number };

interface KeyState {
  failures: number;
  last: number;
  inFlight: number;
}

interface KeyRule {
  key: string;
  free: number;
  maxInFlight: number;
  /** A success clears the key's failures (the account, the device) or only takes this attempt back (the address). */
  clearOnSuccess: boolean;
}

/** The wait after an attempt that found a key busy: about one hash. */
const BUSY_RETRY_MS = 1_000;

/** Counts login attempts and decides which may run (see the module comment for the scheme). */
export class LoginLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly limits: LoginLimits;
  private inFlight = 0;

  /**
   * @param clock - time source of every delay
   * @param limits - overrides of {@link DEFAULT_LOGIN_LIMITS}
   * @throws RangeError when the limits contradict each other
   */
  constructor(private readonly clock: Clock, limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    const l = this.limits;
    for (const [name, v] of Object.entries(l)) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`loginLimits.${name} must be a non-negative integer`);
    }
    if (l.maxConcurrentPerAddress < 1 || l.maxConcurrent < 1 || l.maxKeys < 1) throw new RangeError('loginLimits: the concurrency limits and maxKeys must be at least 1');
    if (l.baseDelayMs < 1 || l.maxDelayMs < l.baseDelayMs) throw new RangeError('loginLimits: baseDelayMs must be at least 1 and maxDelayMs at least baseDelayMs');
    if (l.forgetMs <= l.maxDelayMs) throw new RangeError('loginLimits.forgetMs must be longer than maxDelayMs, or failures are forgotten before the longest delay ends');
  }

  /**
   * The delay a key with this many failures owes after its last one.
   * @param failures - failures counted
   * @param free - failures that cost nothing
   * @returns milliseconds
   */
  delayFor(failures: number, free: number): number {
    if (failures < free) return 0;
    const steps = failures - free;
    // 2^31 ms is weeks: beyond it the cap has long applied, and the shift would overflow
    return steps >= 31 ? this.limits.maxDelayMs : Math.min(this.limits.maxDelayMs, this.limits.baseDelayMs * 2 ** steps);
  }

  private rules(subject: LoginSubject): KeyRule[] {
    if (subject.kind === 'known-device') {
      return [{ key: `d:${subject.device}`, free: this.limits.deviceFreeFailures, maxInFlight: 1, clearOnSuccess: true }];
    }
    return [
      { key: `a:${subject.account}`, free: this.limits.accountFreeFailures, maxInFlight: 1, clearOnSuccess: true },
      { key: `i:${subject.address}`, free: this.limits.addressFreeFailures, maxInFlight: this.limits.maxConcurrentPerAddress, clearOnSuccess: false },
    ];
  }

  /** The key's state with forgotten failures dropped (not stored: {@link begin} stores it). */
  private peek(key: string, now: number): KeyState {
    const s = this.keys.get(key);
    if (!s) return { failures: 0, last: now, inFlight: 0 };
    if (s.inFlight === 0 && now - s.last >= this.limits.forgetMs) return { failures: 0, last: now, inFlight: 0 };
    return s;
  }

  /**
   * Checks an attempt and, when it may run, counts it as a failure and marks it in flight — in one
   * synchronous step, before the password is hashed.
   * @param subject - the account and address, or the known device
   * @returns the attempt to settle, or why not and for how long
   */
  begin(subject: LoginSubject): LoginDecision {
    const now = this.clock.now();
    const rules = this.rules(subject);
    const states = rules.map((r) => this.peek(r.key, now));
    const global = subject.kind === 'unknown-device';
    if (rules.some((r, i) => states[i]!.inFlight >= r.maxInFlight)) return { allowed: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS };
    let wait = 0;
    rules.forEach((r, i) => { wait = Math.max(wait, states[i]!.last + this.delayFor(states[i]!.failures, r.free) - now); });
    if (wait > 0) return { allowed: false, reason: 'slowed', retryAfterMs: wait };
    if (global && this.inFlight >= this.limits.maxConcurrent) return { allowed: false, reason: 'overloaded', retryAfterMs: BUSY_RETRY_MS };

    rules.forEach((r, i) => {
      const s = states[i]!;
      s.failures += 1;
      s.last = now;
      s.inFlight += 1;
      this.keys.delete(r.key); // re-inserted last: the map's order is the order of use
      this.keys.set(r.key, s);
    });
    if (global) this.inFlight += 1;
    this.evict();

    let settled = false;
    const settle = (success: boolean): void => {
      if (settled) return;
      settled = true;
      if (global) this.inFlight -= 1;
      rules.forEach((r, i) => {
        const s = states[i]!;
        s.inFlight -= 1;
        if (success) s.failures = r.clearOnSuccess ? 0 : Math.max(0, s.failures - 1);
        if (s.failures === 0 && s.inFlight === 0) this.keys.delete(r.key);
      });
    };
    return { allowed: true, attempt: { failed: () => settle(false), succeeded: () => settle(true) } };
  }

  /** Keys remembered now (for tests of the memory bound and for metrics). */
  get size(): number {
    return this.keys.size;
  }

  private evict(): void {
    if (this.keys.size <= this.limits.maxKeys) return;
    for (const [key, s] of this.keys) {
      if (this.keys.size <= this.limits.maxKeys) break;
      // a key with an attempt in flight is never forgotten: its attempt still has to settle
      if (s.inFlight === 0) this.keys.delete(key);
    }
  }
}

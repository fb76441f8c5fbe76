/**
 * Slows password guessing: failed logins are counted per account and per client address in a
 * sliding window; past the limit the login answers 429 with Retry-After, whether or not the
 * password is right, until the window moves on.
 * @module
 */
import type { Clock } from '@switchboard/core';

/** Limits of {@link LoginLimiter}. */
export interface LoginLimits {
  /** Failures allowed per account (tenant + e-mail) in the window. */
  perAccount: number;
  /** Failures allowed per client address in the window (one address trying many accounts). */
  perAddress: number;
  windowMs: number;
  /** Keys remembered at most (oldest forgotten first), so a flood cannot grow memory without bound. */
  maxKeys: number;
}

/** Default limits: 5 failures per account and 30 per address in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimits> = Object.freeze({ perAccount: 5, perAddress: 30, windowMs: 15 * 60_000, maxKeys: 50_000 });

/** Counts failed logins (per process: behind several hosts each keeps its own count). */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly limits: LoginLimits;

  /**
   * @param clock - time source
   * @param limits - overrides of {@link DEFAULT_LOGIN_LIMITS}
   */
  constructor(private readonly clock: Clock, limits: Partial<LoginLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /**
   * Whether a login may be tried now.
   * @param account - `tenant/email`
   * @param address - the client's address
   * @returns `undefined` when allowed, else how long to wait (ms)
   */
  blocked(account: string, address: string): number | undefined {
    const now = this.clock.now();
    let wait = 0;
    for (const [key, max] of [[`a:${account}`, this.limits.perAccount], [`i:${address}`, this.limits.perAddress]] as const) {
      const list = this.recent(key, now);
      if (list.length >= max) wait = Math.max(wait, list[list.length - max]! + this.limits.windowMs - now);
    }
    return wait > 0 ? wait : undefined;
  }

  /** Records a failed login. */
  fail(account: string, address: string): void {
    const now = this.clock.now();
    for (const key of [`a:${account}`, `i:${address}`]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > this.limits.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A successful login clears the account's failures (not the address's). */
  succeed(account: string): void {
    this.failures.delete(`a:${account}`);
  }
}

/**
 * Retry delays: exponential backoff with full jitter, never shorter than what the platform asked for.
 * @module
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay's ceiling in ms (default 500). */
  baseMs?: number;
  /** Largest delay in ms (default 5 minutes). */
  maxMs?: number;
  /** Source of randomness in [0, 1) (inject for deterministic tests). */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (1 = first retry): uniformly random in
 * [0, min(max, base · 2^(attempt−1))] ("full jitter"), raised to the platform's Retry-After.
 * @param attempt - 1-based retry number
 * @param retryAfterMs - what the platform asked for, if anything
 * @param options - base, cap, randomness
 * @returns delay in ms
 */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 300_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Retry delays: exponential backoff with full jitter, never shorter than what the platform asked for,
 * and never longer than {@link DEFAULT_RETRY_AFTER_CAP_MS} (or the configured cap) however long it asked.
 * @module
 */

import { MAX_RETRY_AFTER_MS } from '@switchboard/core';

/**
 * The longest a connector's `retryAfterMs` may hold a retry back unless configured otherwise: core's
 * {@link MAX_RETRY_AFTER_MS} (1 hour), which first-party connectors already apply when they read the
 * header. The host applies it again because a vendor's `classify` may pass any delay through.
 */
export const DEFAULT_RETRY_AFTER_CAP_MS = MAX_RETRY_AFTER_MS;

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay's ceiling in ms (default 500). */
  baseMs?: number;
  /** Largest delay in ms (default 5 minutes). */
  maxMs?: number;
  /**
   * Most a platform's `Retry-After` is honoured, in ms (default {@link DEFAULT_RETRY_AFTER_CAP_MS}): a
   * header saying "a year" (or a date far ahead) must not park a message for a year.
   */
  retryAfterCapMs?: number;
  /** Source of randomness in [0, 1) (inject for deterministic tests). */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (1 = first retry): uniformly random in
 * [0, min(max, base · 2^(attempt−1))] ("full jitter"), raised to the platform's Retry-After (itself
 * capped, see {@link honouredRetryAfter}).
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
  return Math.max(jittered, honouredRetryAfter(retryAfterMs ?? 0, options));
}

/**
 * A platform's `Retry-After` as the delay the host honours: at most the cap, never negative.
 * @param retryAfterMs - what the platform asked for
 * @param options - the cap (`retryAfterCapMs`, default {@link DEFAULT_RETRY_AFTER_CAP_MS})
 * @returns the delay in ms
 */
export function honouredRetryAfter(retryAfterMs: number, options: Pick<BackoffOptions, 'retryAfterCapMs'> = {}): number {
  const cap = options.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS;
  return Math.min(Math.max(0, Number.isFinite(retryAfterMs) ? retryAfterMs : cap), cap);
}

/**
 * Rate budgets for the dispatcher: a generic cell-rate algorithm (GCRA) per key, so a budget is
 * one timestamp per key — cheap to keep in memory and to update atomically in a shared store,
 * which lets several host processes share one platform limit.
 * @module
 */

/** A pacing rule: at most `limit` sends per `perMs`, with up to `burst` sent back to back. */
export interface PaceRule {
  key: string;
  limit: number;
  perMs: number;
  /** Sends allowed back to back before pacing starts (default 1: strictly even spacing). */
  burst?: number;
}

/** DI token for {@link RateBudget}. */
export const RateBudget = Symbol.for('switchboard.RateBudget');

/**
 * Reserves send slots. `reserve` books the earliest slot that respects every rule and returns how
 * long to wait for it; the booking is immediate, so concurrent callers get distinct slots.
 */
export interface RateBudget {
  /**
   * @param rules - every limit the send must respect (account, recipient, group…)
   * @param now - current time in ms (platform time)
   * @param maxWaitMs - book only when the slot is at most this far away (default: always book)
   * @returns ms to wait before sending (0 = now); when above `maxWaitMs`, nothing was booked
   */
  reserve(rules: PaceRule[], now: number, maxWaitMs?: number): Promise<number>;
  /**
   * Pushes a key's next slot back after the platform throttled us anyway.
   * @param key - the budget key
   * @param until - time in ms before which nothing more may be sent on it
   */
  penalize(key: string, until: number): Promise<void>;
}

/** Emission interval and tolerance of a rule. */
export function gcraParams(rule: PaceRule): { interval: number; tolerance: number } {
  const interval = rule.perMs / rule.limit;
  return { interval, tolerance: interval * Math.max(0, (rule.burst ?? 1) - 1) };
}

/**
 * In-process budgets (one host process, or several hosts in one process sharing the instance).
 */
export class MemoryRateBudget implements RateBudget {
  /** Theoretical arrival time per key. */
  private readonly tat = new Map<string, number>();

  /** @inheritdoc */
  async reserve(rules: PaceRule[], now: number, maxWaitMs = Infinity): Promise<number> {
    return this.reserveSync(rules, now, maxWaitMs);
  }

  /**
   * Synchronous reservation (the memory budget needs no I/O).
   * @param rules - limits to respect
   * @param now - current time in ms
   * @param maxWaitMs - book only when the slot is at most this far away
   * @returns ms to wait
   */
  reserveSync(rules: PaceRule[], now: number, maxWaitMs = Infinity): number {
    // the slot is the latest of each rule's earliest conforming time
    let at = now;
    for (const rule of rules) {
      const { tolerance } = gcraParams(rule);
      const tat = Math.max(this.tat.get(rule.key) ?? now, now);
      at = Math.max(at, tat - tolerance);
    }
    if (at - now > maxWaitMs) return at - now;
    for (const rule of rules) {
      const { interval } = gcraParams(rule);
      const tat = Math.max(this.tat.get(rule.key) ?? at, at);
      this.tat.set(rule.key, tat + interval);
    }
    return at - now;
  }

  /** @inheritdoc */
  async penalize(key: string, until: number): Promise<void> {
    this.tat.set(key, Math.max(this.tat.get(key) ?? 0, until));
  }

  /** Number of keys held (for memory measurements). */
  get size(): number {
    return this.tat.size;
  }

  /**
   * Drops keys whose slots are all in the past (they carry no information any more).
   * @param now - current time in ms
   */
  sweep(now: number): void {
    for (const [k, t] of this.tat) if (t < now) this.tat.delete(k);
  }
}

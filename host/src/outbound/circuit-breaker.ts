/**
 * A circuit breaker per connector account: after repeated retryable failures it opens and the
 * dispatcher stops calling the platform (messages stay in the outbox), after a cool-down it lets one
 * trial through (half-open), and a success closes it again.
 * @module
 */

/** Breaker states. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker settings. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** How long it stays open before a trial, in ms (default 30 s). */
  coolDownMs?: number;
}

/**
 * What a breaker did since it was made; the counts only grow. Open is a passing state (it lasts one
 * cool-down), so whoever wants to know whether the platform was given a rest — a test, a metric —
 * reads these rather than trying to catch the state while it lasts.
 */
export interface BreakerCounts {
  /** Times it opened from closed: `failureThreshold` failures in a row. */
  opened: number;
  /** Failures while it was already open — a failed half-open trial, or a call already on its way when it opened — each starting a new cool-down. */
  reopened: number;
  /** Half-open trials that reached the platform (a trial given back with {@link CircuitBreaker.release} is not counted). */
  trials: number;
  /** Times a success closed it after it had opened. */
  closed: number;
}

/** One breaker. Time is passed in, never read. */
export class CircuitBreaker {
  private readonly tally: BreakerCounts = { opened: 0, reopened: 0, trials: 0, closed: 0 };
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;
  private readonly threshold: number;
  private readonly coolDownMs: number;

  /** @param options - threshold and cool-down */
  constructor(options: BreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 30_000;
  }

  /**
   * The state at a time.
   * @param now - current time in ms
   */
  state(now: number): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /**
   * Whether a call may go out now; in half-open state only one trial at a time.
   * @param now - current time in ms
   * @returns true when the caller may call the platform
   */
  tryAcquire(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Milliseconds until a trial is allowed (0 when closed or half-open). */
  waitMs(now: number): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(0, this.coolDownMs - (now - this.openedAt));
  }

  /** Gives back a trial that never reached the platform (it went back to wait for a rate slot); the state stays as it is. */
  release(): void {
    this.trialInFlight = false;
  }

  /** What the breaker did so far (a copy). */
  counts(): BreakerCounts {
    return { ...this.tally };
  }

  /** Records a success: closes the breaker. */
  success(): void {
    if (this.trialInFlight) this.tally.trials++;
    if (this.openedAt !== undefined) this.tally.closed++;
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  /**
   * Records a failure that says the platform is unhealthy (5xx, timeout, reset).
   * @param now - current time in ms
   */
  failure(now: number): void {
    if (this.trialInFlight) this.tally.trials++;
    this.trialInFlight = false;
    this.failures += 1;
    if (this.openedAt !== undefined) this.tally.reopened++;
    else if (this.failures >= this.threshold) this.tally.opened++;
    if (this.openedAt !== undefined || this.failures >= this.threshold) this.openedAt = now;
  }
}

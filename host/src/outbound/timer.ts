/**
 * Time for the dispatcher: platform time (`now`) and waiting (`sleep`). A scaled timer runs both
 * `timeScale` times faster than the wall clock, matching a fake platform server started with the
 * same scale, so pacing can be tested and benchmarked without waiting in wall time.
 * @module
 */

/** DI token for {@link Timer}. */
export const Timer = Symbol.for('switchboard.Timer');
/** Platform time and sleeping. */
export interface Timer {
  /** Current platform time in ms. */
  now(): number;
  /** Resolves after `ms` of platform time. */
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time, optionally scaled. */
export class ScaledTimer implements Timer {
  private readonly start = Date.now();
  /** @param scale - how many times faster than the wall clock (default 1) */
  constructor(private readonly scale = 1) {
    if (!(scale > 0)) throw new RangeError('timeScale must be positive');
  }
  /** @inheritdoc */
  now(): number {
    const wall = Date.now();
    return this.scale === 1 ? wall : this.start + (wall - this.start) * this.scale;
  }
  /** @inheritdoc */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms / this.scale));
  }
}

/**
 * Injected time. Rules never read `Date.now()`; they ask a clock.
 * @module
 */

/** A source of the current time. */
export interface Clock {
  /** Current time in milliseconds since the epoch. */
  now(): number;
}

/** DI token for {@link Clock}. */
export const Clock = Symbol.for('switchboard.Clock');

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests and the sandbox move by hand. */
export class ManualClock implements Clock {
  private current: number;
  /** @param start - initial time (Date or epoch milliseconds) */
  constructor(start: Date | number = 0) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }
  /** @returns the current manual time */
  now(): number {
    return this.current;
  }
  /** Moves time forward. @param ms - milliseconds to advance */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Sets the time. @param at - the new time */
  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }
}

/**
 * The wall clock plus an offset that only grows: time runs normally and can be moved forward (the
 * sandbox's "25 hours later" to see a service window close), never back.
 */
export class OffsetClock implements Clock {
  private offset = 0;
  /** @returns wall time plus the offset */
  now(): number {
    return Date.now() + this.offset;
  }
  /**
   * Moves time forward.
   * @param ms - milliseconds to add (negative values are refused: clocks do not run backwards)
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('OffsetClock only moves forward by a finite number of ms');
    this.offset += ms;
  }
  /** How far ahead of the wall clock this clock is, in ms. */
  get aheadMs(): number {
    return this.offset;
  }
}

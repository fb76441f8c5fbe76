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

/**
 * The dispatcher's send point: the last check before a request leaves for the platform, over this
 * process's own sends on one account.
 *
 * Slots are booked ahead in the shared {@link RateBudget} (strictly spaced, at the dispatcher's
 * headroom below the declared limit) and slept for. A send that wakes late — an event-loop stall, a
 * loaded machine — goes out when it wakes; several that wake late together would reach the platform
 * as a burst above its limit. The platforms count sends over a moving window (80 in any second for
 * a WhatsApp number), so the send point keeps the same kind of window: at most `limit` sends in any
 * `perMs × margin`. The margin (a window 1 % longer than the platform's) leaves room for network
 * jitter, so spacing that holds at the host also holds where the platform counts.
 *
 * Why a window rather than a cell rate: a cell rate with room for B back-to-back sends admits
 * `perMs / interval + B - 1` sends in a window — with the budget's interval that exceeds the limit
 * unless the headroom costs B - 1 sends of every window (3 % at WhatsApp's 80/s), and a cell rate
 * without room makes every late wake-up push all later sends back, so lateness adds up. The window
 * admits exactly `limit`, and a late send costs the next ones nothing as long as the window has room.
 * @module
 */

/** How much longer than the platform's the send point's window is (room for network jitter). */
export const SEND_WINDOW_MARGIN = 1.01;

/** A moving window of one account's sends from this process: at most `limit` in any `windowMs`. */
export class SendWindow {
  /** Send times, a ring of at most `limit`; `next` is the oldest once full. */
  private readonly times: number[] = [];
  private next = 0;
  private readonly windowMs: number;

  /**
   * @param limit - sends allowed in a window (the platform's declared limit)
   * @param perMs - the platform's window in ms (the declared limit's `perMs`, not slowed by headroom)
   * @param margin - how much longer the window is kept (default {@link SEND_WINDOW_MARGIN})
   */
  constructor(readonly limit: number, readonly perMs: number, margin = SEND_WINDOW_MARGIN) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!(perMs > 0) || !(margin >= 1)) throw new RangeError(`perMs must be positive and margin at least 1, got ${perMs} and ${margin}`);
    this.windowMs = perMs * margin;
  }

  /**
   * The earliest time a send may go out: now while the window has room, else when the oldest send
   * in it leaves the window.
   * @param now - current time in ms (platform time)
   */
  earliest(now: number): number {
    if (this.times.length < this.limit) return now;
    return Math.max(now, this.times[this.next]! + this.windowMs);
  }

  /**
   * Records a send going out at `now` when the window allows it (check and record in one synchronous step).
   * @param now - current time in ms (platform time; never earlier than a time recorded before)
   * @returns 0 when recorded, else how long to wait before asking again (ms)
   */
  take(now: number): number {
    const at = this.earliest(now);
    if (at > now) return at - now;
    if (this.times.length < this.limit) this.times.push(now);
    else {
      this.times[this.next] = now;
      this.next = (this.next + 1) % this.limit;
    }
    return 0;
  }
}

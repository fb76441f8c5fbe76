/**
 * The pacing design as a whole, on simulated time: the shared budget books strictly spaced slots at
 * the dispatcher's headroom (gcraBook), every send wakes at its slot plus a lateness the property
 * draws (on time, a few ms, or a stall of seconds), and the send point's window decides when it goes
 * out. Nothing here depends on how fast the machine is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcraBook } from './rate-budget.js';
import { SEND_WINDOW_MARGIN, SendWindow } from './send-window.js';

const HEADROOM = 0.985; // the dispatcher's default

/** Sends' slots from the budget, their wake-ups, and when the send point let each out. */
function simulate(limit: number, perMs: number, lateness: readonly number[]): { slots: number[]; sent: number[]; held: number } {
  const rule = { key: 'wa:main', limit, perMs: perMs / HEADROOM };
  const tats = new Map<string, number>();
  const slots = lateness.map(() => {
    const { at, tats: next } = gcraBook([rule], tats, 0);
    tats.set(rule.key, next.get(rule.key)!);
    return at;
  });
  const window = new SendWindow(limit, perMs);
  // events in time order (a send asks at its wake-up, and again when the window told it to wait)
  const queue = slots.map((slot, i) => ({ at: slot + lateness[i]!, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  const sent: number[] = new Array<number>(slots.length);
  let held = 0;
  for (let head = 0; head < queue.length; head++) {
    const ev = queue[head]!;
    const wait = window.take(ev.at);
    if (wait === 0) { sent[ev.i] = ev.at; continue; }
    held++;
    // asks again when told: after every event already due by then
    const again = { at: ev.at + wait, i: ev.i };
    let pos = queue.length;
    while (pos > head + 1 && queue[pos - 1]!.at > again.at) pos--;
    queue.splice(pos, 0, again);
  }
  return { slots, sent, held };
}

/** The most sends in any window of `span` ms (start at a send, end excluded). */
function busiest(times: readonly number[], span: number): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j]! < t[i]! + span) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

const limits = fc.constantFrom({ limit: 80, perMs: 1_000 }, { limit: 30, perMs: 1_000 }, { limit: 10, perMs: 1_000 }, { limit: 300, perMs: 1_000 }, { limit: 500, perMs: 10_000 });
// mostly punctual, sometimes a few ms late, now and then a stall of up to 3 s
const late = fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.double({ min: 0, max: 8, noNaN: true }) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 3_000, noNaN: true }) });

describe('send point window with the budget\'s slots (property, simulated time)', () => {
  it('never lets more than the declared limit into any window 1 % longer than the platform\'s, however late sends wake', () => {
    fc.assert(fc.property(limits, fc.array(late, { minLength: 1, maxLength: 1_200, size: 'max' }), ({ limit, perMs }, lateness) => {
      const { sent } = simulate(limit, perMs, lateness);
      expect(busiest(sent, perMs * SEND_WINDOW_MARGIN)).toBeLessThanOrEqual(limit);
    }), { numRuns: 60 });
  });

  it('holds nothing that is on time, and lateness does not add up: no send goes out later than its slot plus the worst lateness plus one window', () => {
    // (a late send is one more in the windows around it, which the on-time sends nearly fill: it may
    // wait for room; a stall cannot be caught up faster than the limit — the window's 1.5 % of spare
    // room drains the backlog — but separate late sends never push the later ones back further)
    fc.assert(fc.property(limits, fc.array(late, { minLength: 1, maxLength: 1_200, size: 'max' }), ({ limit, perMs }, lateness) => {
      const { slots, sent, held } = simulate(limit, perMs, lateness);
      const worst = Math.max(...lateness);
      slots.forEach((slot, i) => expect(sent[i]!).toBeLessThanOrEqual(slot + worst + perMs * SEND_WINDOW_MARGIN + 1e-6));
      if (worst === 0) expect(held).toBe(0);
    }), { numRuns: 60 });
  });

  it('on time, the sends keep the budget\'s rate: the headroom is the only share of the limit given up', () => {
    const { sent } = simulate(80, 1_000, new Array<number>(800).fill(0));
    const rate = (sent.length - 1) / ((sent.at(-1)! - sent[0]!) / 1_000);
    expect(rate).toBeCloseTo(80 * HEADROOM, 6);
  });

  it('refuses a window that admits nothing or is shorter than the platform\'s', () => {
    expect(() => new SendWindow(0, 1_000)).toThrow(RangeError);
    expect(() => new SendWindow(10, 1_000, 0.5)).toThrow(RangeError);
    expect(() => new SendWindow(10, 0)).toThrow(RangeError);
  });
});

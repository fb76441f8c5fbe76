import { describe, expect, it } from 'vitest';
import { ManualClock, OffsetClock, systemClock } from './clock.js';

describe('clocks', () => {
  it('ManualClock moves only when told', () => {
    const c = new ManualClock(new Date('2026-11-20T10:00:00Z'));
    expect(c.now()).toBe(Date.parse('2026-11-20T10:00:00Z'));
    c.advance(1500);
    expect(c.now()).toBe(Date.parse('2026-11-20T10:00:01.500Z'));
    c.set(0);
    expect(c.now()).toBe(0);
  });

  it('OffsetClock runs with the wall clock and only moves forward', () => {
    const c = new OffsetClock();
    const before = systemClock.now();
    c.advance(25 * 3_600_000);
    expect(c.aheadMs).toBe(25 * 3_600_000);
    expect(c.now() - before).toBeGreaterThanOrEqual(25 * 3_600_000);
    expect(c.now() - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
    expect(c.aheadMs).toBe(25 * 3_600_000);
  });
});

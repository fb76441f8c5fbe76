import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderedId } from './ordered-id.js';

describe('orderedId', () => {
  it('is a version-7 UUID stamped with the time', () => {
    const id = orderedId(Date.UTC(2026, 10, 23, 3, 30));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 23, 3, 30));
  });

  it('sorts in the order made, within a millisecond, across 5,000 in one and when the clock steps back', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }), (steps) => {
      let t = Date.UTC(2027, 0, 1);
      const ids = steps.map((s) => orderedId((t += s)));
      expect([...ids].sort()).toEqual(ids);
    }));
    const burst = Array.from({ length: 5_000 }, () => orderedId(Date.UTC(2028, 0, 1)));
    expect([...burst].sort()).toEqual(burst);
    expect(new Set(burst).size).toBe(burst.length);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CIRCULAR, measureJson, safeJsonStringify, toSafeJsonValue, TRUNCATED, UNSERIALISABLE } from './safe-json.js';

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

describe('safeJsonStringify', () => {
  it('never throws, and agrees with JSON.stringify on what it can serialise', () => {
    fc.assert(fc.property(fc.anything({ withDate: true, withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), (v) => {
      const text = safeJsonStringify(v);
      expect(typeof text).toBe('string');
      JSON.parse(text);
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      expect(safeJsonStringify(v)).toBe(JSON.stringify(v) ?? 'null');
    }), { numRuns: 300 });
  });

  it('cuts a value nested 100,000 levels at the depth bound instead of overflowing the stack', () => {
    const text = safeJsonStringify(nested(100_000), { maxDepth: 5 });
    expect(text).toBe(`{"a":{"a":{"a":{"a":{"a":"${TRUNCATED}"}}}}}`);
  });

  it('cuts cycles, contains throwing getters and toJSON, turns BigInts into strings and errors into name and message', () => {
    const cyclic: Record<string, unknown> = { n: 1n, at: new Date(0) };
    cyclic.self = cyclic;
    Object.defineProperty(cyclic, 'boom', { enumerable: true, get() { throw new Error('getter'); } });
    const bad = { toJSON() { throw new Error('toJSON'); } };
    expect(toSafeJsonValue({ cyclic, bad, err: Object.assign(new Error('no'), { code: 'X' }), shared: [cyclic.at, cyclic.at] })).toEqual({
      cyclic: { n: '1', at: '1970-01-01T00:00:00.000Z', self: CIRCULAR, boom: UNSERIALISABLE },
      bad: UNSERIALISABLE, err: { name: 'Error', message: 'no', code: 'X' }, shared: ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
    });
  });

  it('keeps a key named __proto__ as a plain key', () => {
    expect(safeJsonStringify(JSON.parse('{"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1}}');
  });
});

describe('measureJson', () => {
  it('measures without recursion and stops past its limits', () => {
    expect(measureJson({ a: [1, [2, { b: 3 }]] }, { depth: 10, nodes: 100 })).toEqual({ depth: 4, nodes: 7, longestArray: 2 });
    expect(measureJson(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), { depth: 32, nodes: 1_000_000 }).depth).toBe(33);
    expect(measureJson(new Array(50_000).fill(0), { depth: 32, nodes: 1_000 }).nodes).toBeGreaterThan(1_000);
  });
});

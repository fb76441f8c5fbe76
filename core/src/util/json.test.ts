import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isObject, MalformedPayloadError, optArray, optNumber, optString, parseJsonObject, reqArray, reqNumber, reqObject, reqString, toDate,
} from '../index.js';

function malformed(fn: () => unknown, message?: string): void {
  expect(fn).toThrow(MalformedPayloadError);
  if (message) expect(fn).toThrow(message);
}

describe('parseJsonObject', () => {
  it('parses an object from bytes or a string', () => {
    expect(parseJsonObject(Buffer.from('{"update_id":1}'))).toEqual({ update_id: 1 });
    expect(parseJsonObject('{"a":{"b":[1]}}')).toEqual({ a: { b: [1] } });
  });
  it('refuses invalid JSON (keeping the cause) and JSON that is not an object', () => {
    try { parseJsonObject('{'); } catch (e) {
      expect(e).toBeInstanceOf(MalformedPayloadError);
      expect((e as Error).cause).toBeInstanceOf(SyntaxError);
    }
    for (const b of ['[]', 'null', '1', '"x"', 'true', '']) malformed(() => parseJsonObject(b));
  });
  it('arbitrary bytes throw only MalformedPayloadError (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v) ?? '')), (body) => {
      try {
        expect(isObject(parseJsonObject(body))).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(MalformedPayloadError);
      }
    }), { numRuns: 1000 });
  });
});

describe('field readers', () => {
  const o = { s: 'x', n: 42, ns: '17', neg: -1.5, inf: Infinity, obj: { a: 1 }, arr: [1], nul: null, blank: ' ', bool: true };
  it('reqObject / reqArray / optArray', () => {
    expect(reqObject(o, 'obj')).toEqual({ a: 1 });
    malformed(() => reqObject(o, 'arr', 'entry[0].'), 'entry[0].arr must be an object');
    malformed(() => reqObject(o, 'missing'));
    expect(reqArray(o, 'arr')).toEqual([1]);
    malformed(() => reqArray(o, 'obj'), 'obj must be an array');
    expect(optArray(o, 'missing')).toEqual([]);
    expect(optArray(o, 'nul')).toEqual([]);
    malformed(() => optArray(o, 's'));
  });
  it('reqString / optString accept finite numbers as strings', () => {
    expect(reqString(o, 's')).toBe('x');
    expect(reqString(o, 'n')).toBe('42');
    malformed(() => reqString(o, 'inf'));
    malformed(() => reqString(o, 'bool'), 'bool must be a string');
    malformed(() => reqString(o, 'missing'));
    expect(optString(o, 'missing')).toBeUndefined();
    expect(optString(o, 'nul')).toBeUndefined();
    malformed(() => optString(o, 'obj'));
  });
  it('reqNumber / optNumber accept numeric strings', () => {
    expect(reqNumber(o, 'n')).toBe(42);
    expect(reqNumber(o, 'ns')).toBe(17);
    expect(reqNumber(o, 'neg')).toBe(-1.5);
    for (const k of ['s', 'blank', 'inf', 'obj', 'missing', 'bool']) malformed(() => reqNumber(o, k));
    expect(optNumber(o, 'missing')).toBeUndefined();
    expect(optNumber(o, 'ns')).toBe(17);
    malformed(() => optNumber(o, 's'));
  });
  it('toDate reads seconds and milliseconds and refuses out-of-range values', () => {
    expect(toDate(1_700_000_000, 's').toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(toDate(1_700_000_000_123, 'ms').toISOString()).toBe('2023-11-14T22:13:20.123Z');
    malformed(() => toDate(1e20, 's'));
    malformed(() => toDate(Number.NaN, 'ms'));
  });
  it('readers on arbitrary JSON throw only MalformedPayloadError (property)', () => {
    const readers = [reqObject, reqArray, optArray, reqString, optString, reqNumber, optNumber];
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('a', 'b'), fc.jsonValue()), fc.constantFrom('a', 'b', 'c'), fc.nat(readers.length - 1), (obj, key, i) => {
      try { readers[i]!(obj, key); } catch (e) { expect(e).toBeInstanceOf(MalformedPayloadError); }
    }), { numRuns: 500 });
  });
});

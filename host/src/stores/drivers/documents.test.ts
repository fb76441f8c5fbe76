import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UndeclaredFieldError } from '../driver.js';
import type { CollectionSpec, Filter, Operators, Scalar, Update } from '../driver.js';
import { applyUpdate, assertFilter, assertSort, assertUpdate, checkSpec, cloneDoc, compareBy, compareStrings, decodeDoc, encodeDoc, getPath, indexKey, matches } from './documents.js';

const spec: CollectionSpec = {
  name: 'things',
  fields: { a: 'number', s: 'string', d: 'date', b: 'boolean', tags: 'string', 'o.x': 'number' },
  indexes: [{ fields: ['s', 'a'], unique: true }],
};

// ---------------------------------------------------------------------------------------------
// Arbitrary plain data

const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 4 }).map((k) => `$${k}`) },
  { weight: 1, arbitrary: fc.constantFrom('$date', '$$date', '$', '__proto__', 'constructor', 'a.b', '') },
);
const dateArb = fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) });
// -0 is stored as 0 by design (asserted below): generated documents use 0, so a rare -0 under a '$'-key cannot fail the copy property
const numberArb = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => (Object.is(n, -0) ? 0 : n));
const scalarArb = fc.oneof(fc.string({ maxLength: 8 }), numberArb, fc.boolean(), fc.constant(null), dateArb);
const { value: plainArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarArb, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(keyArb, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 5 })),
}));
const docArb = fc.tuple(fc.string(), fc.dictionary(keyArb, plainArb, { maxKeys: 6 })).map(([id, rest]) => {
  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
  doc['id'] = id;
  return doc;
});

/** Every object and array reachable from a value. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    into.add(value);
    for (const key of Object.keys(value)) containers((value as Record<string, unknown>)[key], into);
  }
  return into;
}

describe('encodeDoc / decodeDoc', () => {
  it('round-trip plain data with dates and $-keys exactly as cloneDoc copies it (undefined members dropped, -0 as 0)', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        // node's deepStrictEqual: prototypes and own keys such as `constructor` compared as data
        const back = decodeDoc(encodeDoc(doc));
        deepStrictEqual(back, cloneDoc(doc));
        deepStrictEqual(decodeDoc(encodeDoc(back)), back);
      }),
      { numRuns: 500 },
    );
  });

  it('writes dates as {"$date": ISO} and escapes user keys beginning with $', () => {
    const text = encodeDoc({ id: 'x', at: new Date(0), $set: { $date: 'not a date' }, list: [undefined, 1] });
    expect(JSON.parse(text)).toEqual({ id: 'x', at: { $date: '1970-01-01T00:00:00.000Z' }, $$set: { $$date: 'not a date' }, list: [null, 1] });
    expect(decodeDoc(text)).toEqual({ id: 'x', at: new Date(0), $set: { $date: 'not a date' }, list: [null, 1] });
  });

  it('refuses non-finite numbers, invalid dates and anything that is not plain data, saying where', () => {
    expect(() => encodeDoc({ id: 'x', deep: { n: Number.NaN } })).toThrow(/NaN at deep\.n/);
    expect(() => encodeDoc({ id: 'x', n: Number.POSITIVE_INFINITY })).toThrow(/Infinity/);
    expect(() => encodeDoc({ id: 'x', at: new Date(Number.NaN) })).toThrow(/invalid Date/);
    expect(() => encodeDoc({ id: 'x', m: new Map() })).toThrow(TypeError);
    expect(() => encodeDoc({ id: 'x', f: () => 1 })).toThrow(TypeError);
    expect(() => encodeDoc({ id: 'x', big: 1n })).toThrow(TypeError);
  });

  it('keeps a key named __proto__ as data and pollutes nothing', () => {
    const doc = decodeDoc<Record<string, unknown>>('{"id":"x","__proto__":{"polluted":true},"$$__proto__":1}');
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['id', '__proto__', '$__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(decodeDoc(encodeDoc(doc))).toStrictEqual(doc);
  });
});

describe('cloneDoc', () => {
  it('copies plain data without sharing anything, dropping undefined', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const copy = cloneDoc(doc);
        expect(copy).toEqual(doc);
        const mine = containers(doc);
        for (const c of containers(copy)) expect(mine.has(c)).toBe(false);
      }),
      { numRuns: 300 },
    );
    expect(cloneDoc({ id: 'x', a: undefined, list: [undefined], n: -0 })).toStrictEqual({ id: 'x', list: [null], n: 0 });
  });

  it('refuses what is not plain data', () => {
    expect(() => cloneDoc({ id: 'x', s: new Set() })).toThrow(TypeError);
    expect(() => cloneDoc({ id: 'x', n: Number.NaN })).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Filters: the implementation against a plain reference written from the contract's words

interface Small {
  id: string;
  a?: number | null;
  s?: string | null;
  d?: Date | null;
  b?: boolean;
  tags?: (string | null)[];
  o?: { x?: number };
}

const smallDocArb: fc.Arbitrary<Small> = fc
  .record(
    {
      id: fc.constantFrom('p', 'q', 'r'),
      a: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null }),
      s: fc.option(fc.constantFrom('', 'a', 'B', 'é', '😀'), { nil: null }),
      d: fc.option(fc.integer({ min: 0, max: 3 }).map((t) => new Date(t)), { nil: null }),
      b: fc.boolean(),
      tags: fc.array(fc.option(fc.constantFrom('x', 'y', 'z'), { nil: null, freq: 6 }), { maxLength: 3 }),
      o: fc.record({ x: fc.integer({ min: -1, max: 1 }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['id'] },
  );

const valueArbs: Record<string, fc.Arbitrary<Scalar>> = {
  a: fc.integer({ min: -2, max: 2 }),
  s: fc.constantFrom('', 'a', 'B', 'é', '😀', 'zz'),
  d: fc.integer({ min: 0, max: 3 }).map((t) => new Date(t)),
  b: fc.boolean(),
  tags: fc.constantFrom('x', 'y', 'w'),
  'o.x': fc.integer({ min: -1, max: 1 }),
  id: fc.constantFrom('p', 'q', 'x'),
};

function conditionArb(field: string): fc.Arbitrary<unknown> {
  const v = valueArbs[field]!;
  return fc.oneof(
    v,
    fc.constant(null),
    fc.record({ $eq: fc.option(v, { nil: null }) }),
    fc.record({ $ne: fc.option(v, { nil: null }) }),
    fc.record({ $in: fc.array(v, { maxLength: 3 }) }),
    fc.record({ $nin: fc.array(v, { maxLength: 3 }) }),
    fc.record({ $exists: fc.boolean() }),
    fc.record({ $lt: v, $gte: fc.option(v, { nil: undefined }) }, { requiredKeys: ['$lt'] }),
    fc.record({ $lte: v }),
    fc.record({ $gt: v, $lte: fc.option(v, { nil: undefined }) }, { requiredKeys: ['$gt'] }),
    fc.constant(undefined),
  );
}

const leafFilterArb: fc.Arbitrary<Filter> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(valueArbs)).chain((field) => conditionArb(field).map((c) => [field, c] as const)), { maxLength: 3, selector: ([f]) => f })
  .map((pairs) => Object.fromEntries(pairs) as Filter);
const filterArb: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 3, arbitrary: leafFilterArb },
  { weight: 1, arbitrary: fc.tuple(leafFilterArb, fc.array(leafFilterArb, { maxLength: 3 })).map(([f, $or]) => ({ ...f, $or })) },
  { weight: 1, arbitrary: fc.array(leafFilterArb, { maxLength: 3 }).map(($and) => ({ $and })) },
);

/** The reference: each rule of the contract written as plainly as possible. */
function referenceMatches(doc: Small, filter: Filter): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (cond === undefined) return true;
    if (key === '$or') return (cond as Filter[]).some((f) => referenceMatches(doc, f));
    if (key === '$and') return (cond as Filter[]).every((f) => referenceMatches(doc, f));
    const raw = key === 'o.x' ? doc.o?.x : (doc as unknown as Record<string, unknown>)[key];
    const values: unknown[] = Array.isArray(raw) ? raw : [raw];
    const missing = raw === undefined || raw === null;
    const same = (x: unknown, y: unknown): boolean => (x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y);
    const eq = (target: unknown): boolean => (target === null ? missing || values.includes(null) : values.some((x) => same(x, target)));
    const order = (x: unknown, y: unknown): number | undefined => {
      if (x === null || x === undefined || typeof x !== typeof y || (x instanceof Date) !== (y instanceof Date)) return undefined;
      if (x instanceof Date) return x.getTime() - (y as Date).getTime();
      if (typeof x === 'string') return Buffer.compare(Buffer.from(x), Buffer.from(y as string));
      return Number(x) - Number(y);
    };
    const some = (test: (c: number) => boolean, target: unknown): boolean => values.some((x) => { const c = order(x, target); return c !== undefined && test(c); });
    if (cond === null || typeof cond !== 'object' || cond instanceof Date) return eq(cond);
    const ops = cond as Operators;
    return (
      (ops.$eq === undefined || eq(ops.$eq)) &&
      (ops.$ne === undefined || !eq(ops.$ne)) &&
      (ops.$in === undefined || ops.$in.some((t) => eq(t))) &&
      (ops.$nin === undefined || !ops.$nin.some((t) => eq(t))) &&
      (ops.$exists === undefined || ops.$exists === !missing) &&
      (ops.$lt === undefined || some((c) => c < 0, ops.$lt)) &&
      (ops.$lte === undefined || some((c) => c <= 0, ops.$lte)) &&
      (ops.$gt === undefined || some((c) => c > 0, ops.$gt)) &&
      (ops.$gte === undefined || some((c) => c >= 0, ops.$gte))
    );
  });
}

describe('matches', () => {
  it('agrees with a plain reference on random documents and filters', () => {
    fc.assert(
      fc.property(smallDocArb, filterArb, (doc, filter) => {
        assertFilter(spec, filter);
        expect(matches(doc, filter, spec)).toBe(referenceMatches(doc, filter));
      }),
      { numRuns: 3000 },
    );
  });

  it('compares dates by instant, never across types, and treats null as missing', () => {
    const doc = { id: 'x', a: 5, s: '5', d: new Date(1000), o: { x: 1 } };
    expect(matches(doc, { d: new Date(1000) }, spec)).toBe(true);
    expect(matches(doc, { a: { $gt: 4 }, s: { $gte: '5' } }, spec)).toBe(true);
    expect(matches(doc, { b: null, tags: { $exists: false } }, spec)).toBe(true);
    expect(matches(doc, { b: { $lt: true } }, spec)).toBe(false);
    expect(matches(doc, { 'o.x': 1 }, spec)).toBe(true);
    expect(matches({ id: 'y', o: 1 }, { 'o.x': null }, spec)).toBe(true);
  });
});

describe('validation', () => {
  it('checkSpec: names, field types and index fields', () => {
    expect(() => checkSpec(spec)).not.toThrow();
    expect(() => checkSpec({ name: '1things', fields: {} })).toThrow(/collection name/);
    expect(() => checkSpec({ name: 'Things', fields: {} })).toThrow(/collection name/);
    expect(() => checkSpec({ name: 'things', fields: { a: 'text' as 'string' } })).toThrow(/unknown type/);
    expect(() => checkSpec({ name: 'things', fields: { 'a..b': 'string' } })).toThrow(/invalid field path/);
    expect(() => checkSpec({ name: 'things', fields: { $a: 'string' } })).toThrow(/invalid field path/);
    expect(() => checkSpec({ name: 'things', fields: { id: 'number' } })).toThrow(/id/);
    expect(() => checkSpec({ name: 'things', fields: { a: 'string' }, indexes: [{ fields: ['a', 'b'] }] })).toThrow(UndeclaredFieldError);
    expect(() => checkSpec({ name: 'things', fields: { a: 'string' }, indexes: [{ fields: ['id', 'a'], unique: true }] })).not.toThrow();
    expect(() => checkSpec({ name: 'things', fields: {}, indexes: [{ fields: [] }] })).toThrow(/at least one/);
  });

  it('assertFilter: declared fields, known operators, values of the declared type', () => {
    expect(() => assertFilter(spec, { a: 1, s: { $in: ['x'] }, $or: [{ d: { $lt: new Date() } }], id: 'x', nope: undefined })).not.toThrow();
    expect(() => assertFilter(spec, { nope: 1 })).toThrow(UndeclaredFieldError);
    expect(() => assertFilter(spec, { $and: [{ $or: [{ 'o.y': 1 }] }] })).toThrow(UndeclaredFieldError);
    expect(() => assertFilter(spec, { a: { $regex: 'x' } as Operators })).toThrow(/unknown operator/);
    expect(() => assertFilter(spec, { $nor: [] } as Filter)).toThrow(/unknown filter operator/);
    expect(() => assertFilter(spec, { a: '1' })).toThrow(/declared as number/);
    expect(() => assertFilter(spec, { d: { $gt: 0 } })).toThrow(/declared as date/);
    expect(() => assertFilter(spec, { s: { $in: 'x' as unknown as string[] } })).toThrow(/array/);
    expect(() => assertFilter(spec, { a: { $eq: Number.NaN } })).toThrow();
    expect(() => assertFilter(spec, { $or: {} as Filter[] })).toThrow(/array of filters/);
  });

  it('assertSort and assertUpdate', () => {
    expect(() => assertSort(spec, [['a', 1], ['id', -1]])).not.toThrow();
    expect(() => assertSort(spec, [['nope', 1]])).toThrow(UndeclaredFieldError);
    expect(() => assertSort(spec, [['a', 2 as 1]])).toThrow(/1 or -1/);
    expect(() => assertUpdate(spec, { $set: { anything: { deep: 1 }, 'x.y': 2 }, $unset: ['z'], $push: { list: 1 }, $inc: { a: 1 }, $max: { d: new Date() } })).not.toThrow();
    expect(() => assertUpdate(spec, { $inc: { nope: 1 } })).toThrow(UndeclaredFieldError);
    expect(() => assertUpdate(spec, { $min: { nope: 1 } })).toThrow(UndeclaredFieldError);
    expect(() => assertUpdate(spec, { $inc: { s: 1 } })).toThrow(/declared as string/);
    expect(() => assertUpdate(spec, { $max: { a: new Date() } })).toThrow(/declared as number/);
    expect(() => assertUpdate(spec, { $inc: { a: Number.POSITIVE_INFINITY } })).toThrow();
    expect(() => assertUpdate(spec, { $set: { id: 'y' } })).toThrow(/id/);
    expect(() => assertUpdate(spec, { $set: { o: {} }, $inc: { 'o.x': 1 } })).toThrow(/together/);
    expect(() => assertUpdate(spec, { $set: { a: 1 }, $unset: ['a'] })).toThrow(/together/);
    expect(() => assertUpdate(spec, { $set: { 'a.$b': 1 } })).toThrow(/invalid/);
    expect(() => assertUpdate(spec, { $rename: {} } as Update)).toThrow(/unknown update operator/);
  });
});

// ---------------------------------------------------------------------------------------------
// Updates

const pathArb = fc.constantFrom('a', 's', 'd', 'tags', 'o.x', 'o.y', 'new.deep.path', 'list');
const updateArb: fc.Arbitrary<Update> = fc
  .uniqueArray(
    fc.oneof(
      fc.tuple(fc.constant('$set'), pathArb, fc.oneof(plainArb, fc.constant(undefined))),
      fc.tuple(fc.constant('$unset'), pathArb, fc.constant(undefined)),
      fc.tuple(fc.constant('$inc'), fc.constantFrom('a', 'o.x'), fc.integer({ min: -3, max: 3 })),
      fc.tuple(fc.constantFrom('$max', '$min'), fc.constant('a'), fc.integer({ min: -3, max: 3 })),
      fc.tuple(fc.constantFrom('$max', '$min'), fc.constant('d'), dateArb),
      fc.tuple(fc.constant('$push'), fc.constant('list'), plainArb),
    ),
    { maxLength: 4, selector: ([, path]) => path.split('.')[0] },
  )
  .map((entries) => {
    const update: Record<string, Record<string, unknown> | string[]> = {};
    for (const [op, path, value] of entries) {
      if (op === '$unset') ((update.$unset ??= []) as string[]).push(path);
      else ((update[op] ??= {}) as Record<string, unknown>)[path] = value;
    }
    return update as Update;
  });
const updatableArb = fc.record({
  id: fc.constant('u'),
  a: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
  d: fc.option(dateArb, { nil: undefined }),
  o: fc.option(fc.record({ x: fc.integer({ min: -5, max: 5 }), keep: plainArb }), { nil: undefined }),
  list: fc.option(fc.array(plainArb, { maxLength: 3 }), { nil: undefined }),
  other: plainArb,
}).map((doc) => cloneDoc(doc));

describe('applyUpdate', () => {
  it('never changes its input, and the result shares nothing the update wrote with the update', () => {
    fc.assert(
      fc.property(updatableArb, updateArb, (doc, update) => {
        const before = decodeDoc(encodeDoc(doc));
        const updateBefore = encodeDoc(update);
        assertUpdate(spec, update);
        const after = applyUpdate(doc, update, spec);
        deepStrictEqual(decodeDoc(encodeDoc(doc)), before);
        for (const [path, value] of Object.entries(update.$set ?? {})) {
          if (value === undefined) expect(getPath(after, path)).toBeUndefined();
          else expect(getPath(after, path)).toEqual(cloneDoc(value));
        }
        for (const path of update.$unset ?? []) expect(getPath(after, path)).toBeUndefined();
        for (const [path, by] of Object.entries(update.$inc ?? {})) expect(getPath(after, path)).toBe(((getPath(before, path) as number | undefined) ?? 0) + by || 0);
        if (update.$push?.['list'] !== undefined) expect((getPath(after, 'list') as unknown[]).at(-1)).toEqual(cloneDoc(update.$push['list']));
        const written = containers(after);
        for (const c of containers(update)) expect(written.has(c)).toBe(false);
        expect(encodeDoc(update)).toBe(updateBefore);
      }),
      { numRuns: 1000 },
    );
  });

  it('$max/$min keep the larger/smaller value and set a missing one', () => {
    const doc = { id: 'x', a: 2, d: new Date(5) };
    expect(applyUpdate(doc, { $max: { a: 1, d: new Date(9) } }, spec)).toEqual({ id: 'x', a: 2, d: new Date(9) });
    expect(applyUpdate(doc, { $min: { a: 1, d: new Date(9) } }, spec)).toEqual({ id: 'x', a: 1, d: new Date(5) });
    expect(applyUpdate({ id: 'x' }, { $min: { a: 3 }, $max: { d: new Date(1) } }, spec)).toEqual({ id: 'x', a: 3, d: new Date(1) });
  });

  it('throws for paths through non-objects and operators meeting the wrong type', () => {
    expect(() => applyUpdate({ id: 'x', o: 5 }, { $set: { 'o.x': 1 } }, spec)).toThrow(/not an object/);
    expect(() => applyUpdate({ id: 'x', a: 'one' }, { $inc: { a: 1 } }, spec)).toThrow(/\$inc/);
    expect(() => applyUpdate({ id: 'x', d: 5 }, { $max: { d: new Date() } }, spec)).toThrow(/\$max/);
    expect(() => applyUpdate({ id: 'x', list: 'no' }, { $push: { list: 1 } }, spec)).toThrow(/\$push/);
    expect(() => applyUpdate({ id: 'x', a: Number.MAX_VALUE }, { $inc: { a: Number.MAX_VALUE } }, spec)).toThrow(/overflows/);
  });

  it('writes a __proto__ path as data, polluting nothing', () => {
    const after = applyUpdate({ id: 'x' }, { $set: { '__proto__.polluted': true } }, spec) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(after)).toBe(Object.prototype);
    expect(getPath(after, '__proto__.polluted')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Order, paths, keys

describe('compareStrings and compareBy', () => {
  it('strings order by code point, as their UTF-8 bytes do', () => {
    const codePoint = fc.oneof(fc.integer({ min: 0x20, max: 0x7f }), fc.integer({ min: 0x80, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0xffff }), fc.integer({ min: 0x10000, max: 0x10ffff }));
    const wellFormed = fc.array(codePoint, { maxLength: 6 }).map((points) => String.fromCodePoint(...points));
    fc.assert(
      fc.property(wellFormed, wellFormed, (a, b) => {
        expect(Math.sign(compareStrings(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts missing first ascending, types in MongoDB order, ties by id, arrays by their least/greatest element', () => {
    const docs = [
      { id: 'd', a: 2 },
      { id: 'c' },
      { id: 'b', a: null },
      { id: 'a', a: 2 },
      { id: 'e', a: -1 },
      { id: 'f', a: [5, -3] },
    ];
    const order = (sort: [string, 1 | -1][]): string[] => [...docs].sort(compareBy(sort, spec)).map((d) => d.id);
    expect(order([['a', 1]])).toEqual(['b', 'c', 'f', 'e', 'a', 'd']);
    expect(order([['a', -1]])).toEqual(['f', 'a', 'd', 'e', 'b', 'c']);
    expect(order([])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const mixed = [{ id: '1', s: new Date(0) }, { id: '2', s: true }, { id: '3', s: 'x' }, { id: '4', s: 1 }, { id: '5' }];
    expect([...mixed].sort(compareBy([['s', 1]], spec)).map((d) => d.id)).toEqual(['5', '4', '3', '2', '1']);
  });

  it('is a consistent total order', () => {
    fc.assert(
      fc.property(fc.array(smallDocArb, { maxLength: 8 }), fc.constantFrom<[string, 1 | -1][]>([['a', 1]], [['s', -1]], [['d', 1], ['b', -1]], [['tags', 1]]), (docs, sort) => {
        const compare = compareBy(sort, spec);
        const sorted = [...docs].sort(compare);
        for (let i = 1; i < sorted.length; i++) expect(compare(sorted[i - 1], sorted[i])).toBeLessThanOrEqual(0);
        for (const x of docs) for (const y of docs) expect(Math.sign(compare(x, y))).toBe(-Math.sign(compare(y, x)) || 0);
      }),
    );
  });
});

describe('getPath', () => {
  it('reads own properties of plain objects along a dotted path', () => {
    const doc = { id: 'x', o: { x: 1, arr: [1] }, list: [{ x: 2 }] };
    expect(getPath(doc, 'o.x')).toBe(1);
    expect(getPath(doc, 'o')).toEqual({ x: 1, arr: [1] });
    expect(getPath(doc, 'o.y')).toBeUndefined();
    expect(getPath(doc, 'list.x')).toBeUndefined();
    expect(getPath(doc, 'constructor')).toBeUndefined();
    expect(getPath(doc, 'o.toString')).toBeUndefined();
    expect(getPath(doc, 'o.arr.length')).toBeUndefined();
  });
});

describe('indexKey', () => {
  it('is equal exactly for equal values of the same type', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), dateArb), { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), dateArb), { minLength: 1, maxLength: 3 }), (x, y) => {
        const same = x.length === y.length && x.every((v, i) => (v instanceof Date && y[i] instanceof Date ? v.getTime() === (y[i] as Date).getTime() : v === y[i]));
        expect(indexKey(x) === indexKey(y)).toBe(same);
      }),
      { numRuns: 2000 },
    );
    expect(indexKey([1])).not.toBe(indexKey(['1']));
    expect(indexKey([true])).not.toBe(indexKey(['true']));
    expect(indexKey([new Date(5)])).toBe(indexKey([new Date(5)]));
    expect(indexKey([-0])).toBe(indexKey([0]));
    expect(indexKey(['a', 'b|c'])).not.toBe(indexKey(['a|b', 'c']));
  });

  it('is undefined when a value is missing or null', () => {
    expect(indexKey([undefined])).toBeUndefined();
    expect(indexKey(['a', null])).toBeUndefined();
    expect(indexKey([null, 'a'])).toBeUndefined();
  });
});

describe('documents nested too deep', () => {
  it('regression: a copy or an encoding of a 5,000-level document is a clear TypeError, not a stack overflow', async () => {
    const { cloneDoc: clone, encodeDoc: encode, MAX_DOCUMENT_DEPTH: max } = await import('./documents.js');
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 5_000; i++) deep = { x: deep };
    expect(() => clone({ id: 'a', deep })).toThrow(TypeError);
    expect(() => clone({ id: 'a', deep })).toThrow(/at most 1000 levels/);
    expect(() => encode({ id: 'a', deep })).toThrow(/at most 1000 levels/);
    let ok: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < max - 2; i++) ok = { x: ok };
    expect(clone({ id: 'a', ok })).toEqual({ id: 'a', ok });
  });
});

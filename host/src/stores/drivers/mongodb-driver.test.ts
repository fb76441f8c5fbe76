import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { aggregate } from 'mingo';
import { createDefaultQueryOperation, createOperationTester } from 'sift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDriverConformance } from '../../__fixtures__/driver-conformance.js';
import { StorageError, UndeclaredFieldError, UniqueViolationError, type CollectionSpec, type Doc, type Filter, type Update } from '../driver.js';
import { applyUpdate, assertUpdate, cloneDoc, compareBy, matches } from './documents.js';
import {
  escapeKey, escapePath, fromMongoDocument, insertManyOutcome, MONGO_META_COLLECTION, MONGO_SCHEMA_VERSION, mongoFailure, mongoIndexes, mongoTextCondition, MongoDriver, redactMongoUri,
  toMongoDocument, toMongoFilter, toMongoSort, toMongoUpdate, unescapeKey, type MongoFilter,
} from './mongodb-driver.js';

const spec: CollectionSpec = {
  name: 'outbox',
  fields: { tenantId: 'string', status: 'string', attempts: 'number', dueAt: 'date', sent: 'boolean', 'address.userId': 'string', tags: 'string', externalId: 'string' },
  indexes: [
    { fields: ['tenantId', 'status', 'dueAt'] },
    { fields: ['tenantId', 'externalId'], unique: true },
    { fields: ['id'], unique: true },
    { fields: ['tenantId', 'id'], unique: true },
    { fields: ['attempts', 'sent', 'dueAt'], unique: true },
  ],
};

describe('toMongoFilter', () => {
  const at = new Date('2026-01-02T03:04:05.000Z');

  it('keeps equality, maps id to _id, drops undefined entries and walks dotted paths', () => {
    expect(toMongoFilter(spec, {})).toEqual({});
    expect(toMongoFilter(spec, { id: 'm1', tenantId: 't', status: undefined, 'address.userId': 'u1', sent: false, dueAt: at }))
      .toEqual({ _id: 'm1', tenantId: 't', 'address.userId': 'u1', sent: false, dueAt: at });
    expect(toMongoFilter(spec, { externalId: null })).toEqual({ externalId: null });
  });

  it('keeps comparison operators, dropping undefined ones and operator objects left empty', () => {
    expect(toMongoFilter(spec, { attempts: { $gte: 1, $lt: 5, $gt: undefined }, dueAt: { $lte: at }, status: {} }))
      .toEqual({ attempts: { $gte: 1, $lt: 5 }, dueAt: { $lte: at } });
    expect(toMongoFilter(spec, { status: { $in: ['queued', 'leased'] }, tags: { $nin: ['x'] }, tenantId: { $ne: 't', $eq: undefined } }))
      .toEqual({ status: { $in: ['queued', 'leased'] }, tags: { $nin: ['x'] }, tenantId: { $ne: 't' } });
    expect(toMongoFilter(spec, { externalId: { $eq: null }, status: { $ne: null } })).toEqual({ externalId: { $eq: null }, status: { $ne: null } });
  });

  it('writes $exists as the contract means it: present and not null / missing or null', () => {
    expect(toMongoFilter(spec, { externalId: { $exists: true } })).toEqual({ externalId: { $ne: null } });
    expect(toMongoFilter(spec, { externalId: { $exists: false } })).toEqual({ externalId: { $eq: null } });
    expect(toMongoFilter(spec, { status: { $ne: 'failed', $exists: true } })).toEqual({ status: { $ne: 'failed' }, $and: [{ status: { $ne: null } }] });
    expect(toMongoFilter(spec, { status: { $eq: 'x', $exists: false } })).toEqual({ status: { $eq: 'x' }, $and: [{ status: { $eq: null } }] });
    expect(toMongoFilter(spec, { status: { $ne: null, $exists: true } })).toEqual({ status: { $ne: null } });
  });

  it('writes $or and $and so that MongoDB accepts them (never an empty array)', () => {
    expect(toMongoFilter(spec, { $or: [{ status: 'a' }, { status: 'b', attempts: 1 }] }))
      .toEqual({ $or: [{ status: 'a' }, { status: 'b', attempts: 1 }] });
    expect(toMongoFilter(spec, { $or: [] })).toEqual({ $and: [{ _id: { $in: [] } }] }); // no alternative holds
    expect(toMongoFilter(spec, { $or: [{ status: 'a' }, {}] })).toEqual({}); // one alternative always holds
    expect(toMongoFilter(spec, { $or: [{ status: 'a' }] })).toEqual({ $and: [{ status: 'a' }] });
    expect(toMongoFilter(spec, { $and: [{}, { status: 'a' }, { tenantId: undefined }], $or: undefined })).toEqual({ $and: [{ status: 'a' }] });
    expect(toMongoFilter(spec, { $and: [] })).toEqual({});
    expect(toMongoFilter(spec, { tenantId: 't', $or: [{ dueAt: null }, { dueAt: { $lte: at } }], $and: [{ id: { $in: ['a', 'b'] } }] }))
      .toEqual({ tenantId: 't', $or: [{ dueAt: null }, { dueAt: { $lte: at } }], $and: [{ _id: { $in: ['a', 'b'] } }] });
  });

  it('refuses what the shared validation refuses: undeclared fields, unknown operators, values of another type', () => {
    expect(() => toMongoFilter(spec, { body: 'x' })).toThrow(UndeclaredFieldError);
    expect(() => toMongoFilter(spec, { $or: [{ 'address.name': 'x' }] })).toThrow(UndeclaredFieldError);
    expect(() => toMongoFilter(spec, { status: { $regex: 'x' } as never })).toThrow(/unknown operator/);
    expect(() => toMongoFilter(spec, { attempts: '1' })).toThrow(/declared as number/);
    expect(() => toMongoFilter(spec, { $where: 'sleep(1000)' } as never)).toThrow(/unknown filter operator/);
  });

  it('copies $in lists (the caller may change its array afterwards)', () => {
    const list = ['a'];
    const query = toMongoFilter(spec, { status: { $in: list } }) as { status: { $in: string[] } };
    list.push('b');
    expect(query.status.$in).toEqual(['a']);
  });
});

describe('toMongoUpdate', () => {
  it('is a pipeline: values as $literal, $inc/$max/$min/$push computed with null as missing, $unset last', () => {
    const at = new Date(5);
    const update = toMongoUpdate(spec, {
      $set: { status: 'sent', 'address.userId': 'u2', payload: { text: '$not.a.path', skip: undefined }, error: undefined },
      $unset: ['leaseOwner'],
      $inc: { attempts: 1 },
      $max: { dueAt: at },
      $push: { history: { status: 'sent', at } },
    });
    expect(update).toEqual([
      {
        $set: {
          status: { $literal: 'sent' },
          'address.userId': { $literal: 'u2' },
          payload: { $literal: { text: '$not.a.path' } },
          attempts: { $add: [{ $ifNull: ['$attempts', 0] }, 1] },
          dueAt: { $max: [{ $ifNull: ['$dueAt', { $literal: at }] }, { $literal: at }] },
          history: { $concatArrays: [{ $ifNull: ['$history', []] }, [{ $literal: { status: 'sent', at } }]] },
        },
      },
      { $unset: ['error', 'leaseOwner'] },
    ]);
    const set = (update[0] as { $set: Record<string, { $max?: [unknown, { $literal: Date }] }> }).$set;
    expect(set['dueAt']!.$max![1].$literal).not.toBe(at); // copied, not shared
    expect(toMongoUpdate(spec, { $min: { attempts: 0 } })).toEqual([{ $set: { attempts: { $min: [{ $ifNull: ['$attempts', { $literal: 0 }] }, { $literal: 0 }] } } }]);
    expect(toMongoUpdate(spec, { $unset: ['a'] })).toEqual([{ $unset: ['a'] }]);
  });

  it('escapes keys MongoDB would misread, in paths and in values', () => {
    expect(toMongoUpdate(spec, { $set: { 'meta.50%': { '$inc': 1, 'a.b': 2 } } })).toEqual([
      { $set: { 'meta.50%25': { $literal: { '%24inc': 1, 'a%2Eb': 2 } } } },
    ]);
    expect(toMongoUpdate(spec, { $set: { _id: 'x', 'other._id': 'y' } })).toEqual([{ $set: { '%5Fid': { $literal: 'x' }, 'other._id': { $literal: 'y' } } }]);
  });

  it('is empty when nothing changes (the driver then only reads: MongoDB refuses an empty update)', () => {
    expect(toMongoUpdate(spec, {})).toEqual([]);
    expect(toMongoUpdate(spec, { $set: {}, $unset: [] })).toEqual([]);
  });

  it('refuses what the shared validation refuses', () => {
    expect(() => toMongoUpdate(spec, { $inc: { retries: 1 } })).toThrow(UndeclaredFieldError);
    expect(() => toMongoUpdate(spec, { $inc: { status: 1 } })).toThrow(/declared as string/);
    expect(() => toMongoUpdate(spec, { $set: { id: 'other' } })).toThrow(/may not change the id/);
    expect(() => toMongoUpdate(spec, { $set: { a: 1 }, $unset: ['a'] })).toThrow(/together/);
    expect(() => toMongoUpdate(spec, { $set: { a: { b: 1 } }, $push: { 'a.c': 1 } })).toThrow(/together/);
  });
});

describe('toMongoSort', () => {
  it('breaks ties by id ascending and maps id to _id', () => {
    expect(toMongoSort(spec, [['dueAt', 1]])).toEqual([['dueAt', 1], ['_id', 1]]);
    expect(toMongoSort(spec, [['attempts', -1], ['dueAt', 1]])).toEqual([['attempts', -1], ['dueAt', 1], ['_id', 1]]);
    expect(toMongoSort(spec, [['id', -1]])).toEqual([['_id', -1]]);
    expect(toMongoSort(spec, [])).toEqual([['_id', 1]]);
    expect(() => toMongoSort(spec, [['body', 1]])).toThrow(UndeclaredFieldError);
  });
});

describe('mongoIndexes', () => {
  it('names each index after its fields; unique ones are partial on the declared types, so a missing or null field never conflicts', () => {
    expect(mongoIndexes(spec)).toEqual([
      { key: { tenantId: 1, status: 1, dueAt: 1 }, name: 'sb_tenantId+status+dueAt' },
      { key: { tenantId: 1, externalId: 1 }, name: 'sb_unique_tenantId+externalId', unique: true, partialFilterExpression: { tenantId: { $type: 'string' }, externalId: { $type: 'string' } } },
      // ['id'] alone is MongoDB's own _id index
      { key: { tenantId: 1, _id: 1 }, name: 'sb_unique_tenantId+id', unique: true, partialFilterExpression: { tenantId: { $type: 'string' } } },
      { key: { attempts: 1, sent: 1, dueAt: 1 }, name: 'sb_unique_attempts+sent+dueAt', unique: true, partialFilterExpression: { attempts: { $type: 'number' }, sent: { $type: 'bool' }, dueAt: { $type: 'date' } } },
    ]);
    expect(mongoIndexes({ name: 'plain', fields: {} })).toEqual([]);
  });

  it('refuses an index over an undeclared field', () => {
    expect(() => mongoIndexes({ name: 'bad', fields: { a: 'string' }, indexes: [{ fields: ['a', 'b'] }] })).toThrow(UndeclaredFieldError);
  });

  it('adds one text index over the text paths, without a language (no stemming, no stop words)', () => {
    expect(mongoIndexes({ name: 'msgs', fields: { tenantId: 'string' }, indexes: [{ fields: ['tenantId'] }], text: ['content.text', 'content.media.caption'] })).toEqual([
      { key: { tenantId: 1 }, name: 'sb_tenantId' },
      { key: { 'content.text': 'text', 'content.media.caption': 'text' }, name: 'sb_text', default_language: 'none', weights: { 'content.text': 1, 'content.media.caption': 1 } },
    ]);
  });

  it('searches with every word as a quoted phrase, so all are required', () => {
    expect(mongoTextCondition(['brake', 'pads'])).toEqual({ $text: { $search: '"brake" "pads"', $caseSensitive: false, $diacriticSensitive: false } });
  });
});

describe('documents', () => {
  it('are stored with _id = id and come back equal, Dates as Dates, nothing shared', () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    const doc = { id: 'c1', tenantId: 't', at, nested: { list: [1, undefined, { d: at }], gone: undefined }, zero: -0 };
    const stored = toMongoDocument(doc);
    expect(stored).toEqual({ _id: 'c1', tenantId: 't', at, nested: { list: [1, null, { d: at }] }, zero: 0 });
    expect(Object.is(stored['zero'], 0)).toBe(true);
    expect(stored['at']).not.toBe(at);
    expect(fromMongoDocument(stored)).toEqual({ id: 'c1', tenantId: 't', at, nested: { list: [1, null, { d: at }] }, zero: 0 });
  });

  it('escape keys with dots, a leading $, NUL, % and a top-level _id, and restore them', () => {
    const doc = { id: 'k', _id: 'mine', $set: 'x', 'dotted.key': 1, '100%': { $inc: 3, 'a.b': [{ $oid: 'x', '\u0000': 0 }], _id: 'nested' }, plain: { ok: true } };
    const stored = toMongoDocument(doc);
    expect(stored).toEqual({ _id: 'k', '%5Fid': 'mine', '%24set': 'x', 'dotted%2Ekey': 1, '100%25': { '%24inc': 3, 'a%2Eb': [{ '%24oid': 'x', '%00': 0 }], _id: 'nested' }, plain: { ok: true } });
    expect(fromMongoDocument(stored)).toEqual(doc);
    expect(escapeKey('%2E')).toBe('%252E');
    expect(unescapeKey(escapeKey('%2E.$x'))).toBe('%2E.$x');
    expect(escapePath('meta.kind')).toBe('meta.kind');
    expect(escapePath('id')).toBe('_id');
    expect(escapePath('_id.x')).toBe('%5Fid.x');
  });

  it('property: any key survives escaping', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '.', '$', '%', '2', 'E', '\u0000', '_', 'i', 'd') }), fc.boolean(), (key, top) => {
      const escaped = escapeKey(key, top);
      expect(unescapeKey(escaped)).toBe(key);
      expect(escaped.startsWith('$') || escaped.includes('.') || escaped.includes('\u0000')).toBe(false);
      if (top) expect(escaped).not.toBe('_id');
    }), { numRuns: 500 });
  });

  it('refuses what is not plain data', () => {
    expect(() => toMongoDocument({ id: 'x', n: Number.NaN } as never)).toThrow(TypeError);
    expect(() => toMongoDocument({ id: 'x', m: new Map() } as never)).toThrow(TypeError);
    expect(() => toMongoDocument({ id: 1 } as never)).toThrow(/string id/);
  });
});

describe('insertManyOutcome (unordered insertMany that met duplicates)', () => {
  it('reports each duplicate as not inserted and every other document as inserted', () => {
    const bulk = { name: 'MongoBulkWriteError', code: 11000, writeErrors: [{ index: 1, code: 11000 }, { index: 3, code: 11000 }] };
    expect(insertManyOutcome(bulk, 4)).toEqual([true, false, true, false]);
    // the driver gives a single write error as an object, not an array
    expect(insertManyOutcome({ ...bulk, writeErrors: { index: 0, code: 11000 } }, 2)).toEqual([false, true]);
  });

  it('says nothing (the error is thrown) when anything but a duplicate went wrong', () => {
    expect(insertManyOutcome({ writeErrors: [{ index: 0, code: 11000 }, { index: 1, code: 121 }] }, 2)).toBeUndefined();
    expect(insertManyOutcome({ writeErrors: [{ index: 0, code: 11000 }], writeConcernError: { code: 64 } }, 2)).toBeUndefined();
    expect(insertManyOutcome({ writeErrors: [{ index: 0, code: 11000 }], result: { getWriteConcernError: () => ({ code: 64 }) } }, 2)).toBeUndefined();
    expect(insertManyOutcome({ name: 'MongoNetworkError' }, 2)).toBeUndefined();
    expect(insertManyOutcome({ writeErrors: [] }, 2)).toBeUndefined();
    expect(insertManyOutcome({ writeErrors: [{ index: 5, code: 11000 }] }, 2)).toBeUndefined();
  });
});

describe('mongoFailure', () => {
  it('maps unreachable deployments, lost primaries and full quotas; leaves programming errors alone', () => {
    expect(mongoFailure({ name: 'MongoServerSelectionError' })).toBe('unavailable');
    expect(mongoFailure({ name: 'MongoNetworkError' })).toBe('unavailable');
    expect(mongoFailure({ name: 'MongoServerError', code: 10107 })).toBe('unavailable'); // NotWritablePrimary
    expect(mongoFailure({ name: 'MongoServerError', code: 91 })).toBe('unavailable'); // ShutdownInProgress
    expect(mongoFailure({ name: 'MongoServerError', code: 2, hasErrorLabel: (l: string) => l === 'RetryableWriteError' })).toBe('unavailable');
    expect(mongoFailure({ name: 'MongoServerError', code: 12501 })).toBe('full');
    expect(mongoFailure({ name: 'MongoServerError', code: 2, hasErrorLabel: () => false })).toBeUndefined(); // BadValue
    expect(mongoFailure({ name: 'MongoServerError', code: 11000 })).toBeUndefined();
    expect(mongoFailure(new TypeError('x'))).toBeUndefined();
  });
});

describe('redactMongoUri', () => {
  it('drops user, password and query string', () => {
    expect(redactMongoUri('mongodb://admin:s3cret@db1:27017,db2:27017/switchboard?replicaSet=rs0&authSource=admin'))
      .toBe('mongodb://***@db1:27017,db2:27017/switchboard');
    expect(redactMongoUri('mongodb+srv://user:p%40ss@cluster0.example.net/?retryWrites=true&tlsCertificateKeyFilePassword=k'))
      .toBe('mongodb+srv://***@cluster0.example.net/');
    expect(redactMongoUri('mongodb://u:p@ss@localhost/db')).toBe('mongodb://***@localhost/db');
    expect(redactMongoUri('mongodb://localhost:27017')).toBe('mongodb://localhost:27017');
    expect(redactMongoUri('not a uri with a password')).toBe('(a MongoDB URI)');
  });
});

// ------------------------------------------------------------------------------------------------
// Properties: the translation agrees with the shared semantics (documents.ts), judged by two
// JavaScript implementations of MongoDB's language: sift (queries; mongoose's own dependency) and
// mingo (update pipelines, sorts).

/** MongoDB's query semantics in JavaScript: a tester for a query. */
const sift = (query: MongoFilter): ((doc: unknown) => boolean) => createOperationTester(createDefaultQueryOperation(query, null));

const small: CollectionSpec = { name: 'small', fields: { s: 'string', n: 'number', d: 'date', b: 'boolean', 'o.s': 'string', tags: 'string' } };
const letters = fc.constantFrom('a', 'b', 'c');
const numbers = fc.integer({ min: -2, max: 2 });
const dates = fc.integer({ min: 0, max: 3 }).map((t) => new Date(t * 1000));
const valueOf = { s: letters, n: numbers, d: dates, b: fc.boolean(), 'o.s': letters, tags: letters } as const;
type Field = keyof typeof valueOf;
const fields = Object.keys(valueOf) as Field[];

/** Values a document may hold: the declared type, null, missing, or (tags) an array without nulls. */
const docArb = fc.record({
  id: fc.constantFrom('x', 'y', 'z'),
  s: fc.option(letters, { nil: undefined }),
  n: fc.option(fc.oneof(numbers, fc.constant(null)), { nil: undefined }),
  d: fc.option(fc.oneof(dates, fc.constant(null)), { nil: undefined }),
  b: fc.option(fc.oneof(fc.boolean(), fc.constant(null)), { nil: undefined }),
  o: fc.option(fc.record({ s: fc.option(fc.oneof(letters, fc.constant(null)), { nil: undefined }) }), { nil: undefined }),
  tags: fc.option(fc.oneof(letters, fc.array(letters, { maxLength: 3 }), fc.constant(null)), { nil: undefined }),
}, { requiredKeys: ['id'] });

function conditionArb(field: Field): fc.Arbitrary<unknown> {
  const v = valueOf[field] as fc.Arbitrary<unknown>;
  const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });
  return fc.oneof(
    v,
    fc.constant(null),
    fc.constant(undefined),
    fc.record({
      $eq: maybe(fc.oneof(v, fc.constant(null))), $ne: maybe(fc.oneof(v, fc.constant(null))),
      $in: maybe(fc.array(v, { maxLength: 3 })), $nin: maybe(fc.array(v, { maxLength: 3 })),
      $lt: maybe(v), $lte: maybe(v), $gt: maybe(v), $gte: maybe(v), $exists: maybe(fc.boolean()),
    }, { requiredKeys: [] }),
  );
}

const leafArb: fc.Arbitrary<Filter> = fc.uniqueArray(fc.constantFrom(...fields, 'id' as const), { maxLength: 3 })
  .chain((chosen) => fc.tuple(...chosen.map((f) => (f === 'id' ? fc.oneof(fc.constantFrom('x', 'y'), fc.record({ $in: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 2 }) })) : conditionArb(f)))).map((conds) => Object.fromEntries(chosen.map((f, i) => [f, conds[i]])) as Filter));

const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.tuple(
    leafArb,
    fc.option(fc.array(tie('filter'), { maxLength: 3 }), { nil: undefined, freq: 3, maxDepth: 2, depthIdentifier: 'filter' }),
    fc.option(fc.array(tie('filter'), { maxLength: 2 }), { nil: undefined, freq: 3, maxDepth: 2, depthIdentifier: 'filter' }),
  ).map(([leaf, or, and]) => ({ ...leaf, ...(or ? { $or: or } : {}), ...(and ? { $and: and } : {}) })),
})).filter;

/** Every field path a MongoDB query names. */
function pathsOf(query: MongoFilter, out = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(query)) {
    if (key === '$or' || key === '$and') for (const sub of value as MongoFilter[]) pathsOf(sub, out);
    else out.add(key);
  }
  return out;
}

/** Every field a contract filter names with a condition. */
function fieldsOf(filter: Filter, out = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$or' || key === '$and') for (const sub of value as Filter[]) fieldsOf(sub, out);
    else out.add(key === 'id' ? '_id' : key);
  }
  return out;
}

describe('properties', () => {
  it('toMongoFilter never throws on a valid filter and names only fields the filter names', () => {
    fc.assert(fc.property(filterArb, (filter) => {
      const query = toMongoFilter(small, filter);
      const named = fieldsOf(filter);
      for (const path of pathsOf(query)) expect(path === '_id' || named.has(path), path).toBe(true);
    }), { numRuns: 500 });
  });

  it('a translated filter matches exactly the documents the shared semantics match', () => {
    fc.assert(fc.property(filterArb, fc.array(docArb, { minLength: 1, maxLength: 6 }), (filter, docs) => {
      const query = toMongoFilter(small, filter);
      const mongo = sift(query);
      for (const doc of docs) {
        expect(mongo(toMongoDocument(doc)), JSON.stringify({ doc, filter, query })).toBe(matches(doc, filter, small));
      }
    }), { numRuns: 1000 });
  });
});

const updateValue = fc.oneof(letters, numbers, dates, fc.boolean(), fc.constant(null), fc.record({ $k: letters, 'a.b': numbers }), fc.array(letters, { maxLength: 2 }));
const updateArb: fc.Arbitrary<Update> = fc.uniqueArray(fc.constantFrom('s', 'n', 'd', 'b', 'o.s', 'o', 'tags', 'x.y'), { maxLength: 3 })
  .chain((paths) => fc.tuple(...paths.map((path) => {
    const ops: fc.Arbitrary<[string, unknown]>[] = [
      fc.tuple(fc.constant('$set'), fc.oneof(updateValue, fc.constant(undefined))),
      fc.constant(['$unset', undefined] as [string, unknown]),
      fc.tuple(fc.constant('$push'), updateValue),
    ];
    if (path === 'n') ops.push(fc.tuple(fc.constant('$inc'), numbers), fc.tuple(fc.constantFrom('$max', '$min'), numbers));
    if (path === 'd') ops.push(fc.tuple(fc.constantFrom('$max', '$min'), dates));
    return fc.oneof(...ops).map(([op, value]) => [path, op, value] as const);
  })))
  .map((changes) => {
    const update: Record<string, Record<string, unknown> | string[]> = {};
    for (const [path, op, value] of changes) {
      if (op === '$unset') ((update.$unset ??= []) as string[]).push(path);
      else ((update[op] ??= {}) as Record<string, unknown>)[path] = value;
    }
    return update as Update;
  });

describe('properties of updates and sorts', () => {
  it('a translated update pipeline changes a document exactly as the shared semantics do', () => {
    fc.assert(fc.property(docArb, updateArb, (raw, update) => {
      const doc = cloneDoc(raw);
      let expected: unknown;
      try {
        assertUpdate(small, update);
      } catch {
        expect(() => toMongoUpdate(small, update)).toThrow();
        return;
      }
      try {
        expected = applyUpdate(doc, update, small);
      } catch {
        return; // refused by the shared semantics (a path through a non-object, $inc of a string…): see the driver's notes
      }
      const [after] = aggregate([toMongoDocument(doc)], toMongoUpdate(small, update) as never) as Record<string, unknown>[];
      expect(fromMongoDocument(after!), JSON.stringify({ doc, update })).toEqual(cloneDoc(expected));
    }), { numRuns: 1000 });
  });

  it('the shared validation refuses an update before it is translated', () => {
    expect(() => toMongoUpdate(small, { $set: { o: {} }, $unset: ['o.s'] })).toThrow(/together/);
  });

  it('a translated sort orders documents as the shared semantics do, ties by id', () => {
    const sortArb = fc.uniqueArray(fc.tuple(fc.constantFrom('s', 'n', 'd', 'b', 'o.s', 'id'), fc.constantFrom<1 | -1>(1, -1)), { maxLength: 3, selector: ([f]) => f });
    const scalarDoc = docArb.map((d) => ({ ...d, tags: undefined }));
    fc.assert(fc.property(fc.uniqueArray(scalarDoc, { maxLength: 8, selector: (d) => d.id }), sortArb, (raw, sort) => {
      const docs = raw.map((d) => cloneDoc(d));
      const expected = [...docs].sort(compareBy(sort, small)).map((d) => d.id);
      const $sort = Object.fromEntries(toMongoSort(small, sort));
      const actual = aggregate(docs.map(toMongoDocument), [{ $sort }]).map((d) => (d as { _id: string })._id);
      expect(actual, JSON.stringify({ docs, sort })).toEqual(expected);
    }), { numRuns: 500 });
  });
});

// ------------------------------------------------------------------------------------------------
// Loading and connecting, without a server

const driverModule = fileURLToPath(new URL('./mongodb-driver.ts', import.meta.url));
const coreEntry = pathToFileURL(fileURLToPath(new URL('../../../../core/src/index.ts', import.meta.url))).href;
const hostDir = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'switchboard-mongodb-driver-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loading', () => {
  it('importing the driver does not load mongoose; connecting without it says what to install', async () => {
    // a child process in which mongoose and mongodb cannot be resolved, as for an integrator who did not install them
    writeFileSync(join(scratch, 'hooks.mjs'), `
      export async function resolve(specifier, context, next) {
        if (/^(mongoose|mongodb)(\\/|$)/.test(specifier)) {
          const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
          error.code = 'ERR_MODULE_NOT_FOUND';
          throw error;
        }
        if (specifier === '@switchboard/core') return next(${JSON.stringify(coreEntry)}, context);
        return next(specifier, context);
      }`);
    writeFileSync(join(scratch, 'register.mjs'), `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`);
    writeFileSync(join(scratch, 'main.mjs'), `
      const { MongoDriver } = await import(${JSON.stringify(pathToFileURL(driverModule).href)});
      try {
        await MongoDriver.connect('mongodb://admin:s3cret@127.0.0.1:1/db');
        console.log(JSON.stringify({ connected: true }));
      } catch (e) {
        console.log(JSON.stringify({ imported: true, name: e.name, failure: e.failure, where: e.where, message: e.message }));
      }`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(join(scratch, 'register.mjs')).href, join(scratch, 'main.mjs')], { cwd: hostDir, timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).toEqual({
      imported: true,
      name: 'StorageError',
      failure: 'native',
      where: 'mongodb://***@127.0.0.1:1/db',
      message: 'mongodb://***@127.0.0.1:1/db: the MongoDB driver needs mongoose: npm install mongoose',
    });
  }, 60_000);

  it('a deployment that cannot be reached is a StorageError "unavailable" that names it without credentials', async () => {
    const error = await MongoDriver.connect('mongodb://admin:s3cret@127.0.0.1:1/switchboard?authSource=admin&appName=s3cret', { serverSelectionTimeoutMS: 200 })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    const storageError = error as StorageError;
    expect(storageError.failure).toBe('unavailable');
    expect(storageError.retryable).toBe(true);
    expect(storageError.where).toBe('mongodb://***@127.0.0.1:1/switchboard');
    expect(storageError.message).toMatch(/^mongodb:\/\/\*\*\*@127\.0\.0\.1:1\/switchboard: cannot connect to MongoDB: /);
    expect(storageError.message).not.toContain('s3cret');
    // the options were accepted: it failed looking for a server, not parsing the options
    expect((storageError.cause as Error).name).toMatch(/ServerSelectionError/);
  });
});

// ------------------------------------------------------------------------------------------------
// Against a server: the driver conformance suite and what only a server shows

const uri = process.env.SWITCHBOARD_MONGODB_URI;
const runId = `${process.pid}_${Date.now().toString(36)}`;
const databases: string[] = [];
const database = (name: string): string => {
  const db = `switchboard_${name}_${runId}`;
  databases.push(db);
  return db;
};

if (uri) {
  const conformanceDb = database('driver');
  describeDriverConformance(`mongodb ${redactMongoUri(uri)}`, () => MongoDriver.connect(uri, { dbName: conformanceDb }), {
    shared: async () => [await MongoDriver.connect(uri, { dbName: conformanceDb }), await MongoDriver.connect(uri, { dbName: conformanceDb })],
  });

  describe('MongoDriver on a server', () => {
    // the test reaches the database behind the driver's back through its own mongoose connection
    let admin: import('mongoose').Connection;
    beforeAll(async () => {
      const mongoose = (await import('mongoose')).default;
      admin = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    });
    afterAll(async () => {
      for (const name of databases) await admin.useDb(name).dropDatabase();
      await admin.close();
    });

    it('refuses a database written by a newer version of Switchboard', async () => {
      const dbName = database('newer');
      await admin.useDb(dbName).collection(`sb_${MONGO_META_COLLECTION}`).insertOne({ _id: 'schema' as never, version: MONGO_SCHEMA_VERSION + 1 });
      const error = await MongoDriver.connect(uri, { dbName }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).failure).toBe('version');
    });

    it('records the schema version of a new database', async () => {
      const dbName = database('version');
      const driver = await MongoDriver.connect(uri, { dbName });
      await driver.close();
      expect(await admin.useDb(dbName).collection(`sb_${MONGO_META_COLLECTION}`).findOne({ _id: 'schema' as never })).toMatchObject({ version: MONGO_SCHEMA_VERSION });
    });

    it('names the fields of the unique index an update would break, and changes nothing', async () => {
      const driver = await MongoDriver.connect(uri, { dbName: database('unique') });
      try {
        const c = driver.collection<Doc & { tenant: string; email?: string }>({ name: 'people', fields: { tenant: 'string', email: 'string' }, indexes: [{ fields: ['tenant', 'email'], unique: true }] });
        await c.insertMany([{ id: 'a', tenant: 't', email: 'a@x' }, { id: 'b', tenant: 't' }, { id: 'c', tenant: 't' }]); // two without email never conflict
        const error = await c.updateOne({ id: 'b' }, { $set: { email: 'a@x' } }).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(UniqueViolationError);
        expect((error as UniqueViolationError).fields).toEqual(['tenant', 'email']);
        expect(await c.get('b')).toEqual({ id: 'b', tenant: 't' });
        expect(await c.insert({ id: 'd', tenant: 't', email: 'a@x' })).toBe(false);
        expect(await c.insertMany([{ id: 'e', tenant: 'u', email: 'a@x' }, { id: 'a', tenant: 'v' }, { id: 'f', tenant: 'u', email: 'a@x' }])).toEqual([true, false, false]);
      } finally {
        await driver.close();
      }
    });

    it('syncs indexes: one the spec no longer has is dropped, the operator\'s own are kept', async () => {
      const dbName = database('indexes');
      const native = admin.useDb(dbName).collection('sb_things');
      await native.createIndex({ extra: 1 }, { name: 'operators_own' });
      const first = await MongoDriver.connect(uri, { dbName });
      await first.collection({ name: 'things', fields: { a: 'string' }, indexes: [{ fields: ['a'], unique: true }] }).count({});
      expect((await native.listIndexes().toArray()).map((i) => i['name'] as string).sort()).toEqual(['_id_', 'operators_own', 'sb_unique_a']);
      await first.close();
      const second = await MongoDriver.connect(uri, { dbName });
      await second.collection({ name: 'things', fields: { a: 'string' }, indexes: [{ fields: ['a'] }] }).count({});
      expect((await native.listIndexes().toArray()).map((i) => i['name'] as string).sort()).toEqual(['_id_', 'operators_own', 'sb_a']);
      await second.close();
    });

    it('keeps each prefix to itself: clear empties only its own collections', async () => {
      const dbName = database('prefix');
      const one = await MongoDriver.connect(uri, { dbName, collectionPrefix: 'one_' });
      const two = await MongoDriver.connect(uri, { dbName, collectionPrefix: 'two_' });
      try {
        const spec: CollectionSpec = { name: 'items', fields: {} };
        await one.collection(spec).insert({ id: 'x' });
        await two.collection(spec).insert({ id: 'x' });
        await one.clear();
        expect(await one.collection(spec).count({})).toBe(0);
        expect(await two.collection(spec).count({})).toBe(1);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
} else {
  // said out loud, so nobody mistakes a green run for a MongoDB run
  console.log('MongoDB driver: SWITCHBOARD_MONGODB_URI is not set — the driver conformance suite and the server tests were skipped (server-less tests ran)');
  describe('driver conformance: mongodb', () => {
    // skipped: no MongoDB server can be installed on these machines; set SWITCHBOARD_MONGODB_URI to run it
    it.skip('needs SWITCHBOARD_MONGODB_URI (a MongoDB replica set, e.g. mongodb://localhost:27017/?replicaSet=rs0)', () => {});
  });
}

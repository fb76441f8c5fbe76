/**
 * What the SQLite driver's full-text index does beyond the conformance suite: an existing database
 * file is migrated and back-filled at open, the index commits and rolls back with the documents,
 * erasure takes the words out of the file, and a backup carries a working index.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { UniqueViolationError } from '../driver.js';
import type { CollectionSpec, Doc } from '../driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { compileFilter, compileSort, tableNames, textSourceSql } from './sqlite-sql.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-fts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `db-${n++}.db`);

interface Note extends Doc {
  tenant: string;
  email?: string;
  body?: string;
  caption?: string;
}
const plain: CollectionSpec = { name: 'notes', fields: { tenant: 'string', email: 'string' }, indexes: [{ fields: ['email'], unique: true }] };
const searchable: CollectionSpec = { ...plain, text: ['body'] };
const ids = (docs: readonly Doc[]): string[] => docs.map((d) => d.id).sort();

describe('SQLite full-text index', () => {
  it('migrates a database written without a text index: the index is made and back-filled when the collection opens', async () => {
    const path = file();
    const before = await SqliteDriver.open({ path });
    await before.collection<Note>(plain).insertMany(Array.from({ length: 1200 }, (_, i) => ({ id: `n${i}`, tenant: 't', body: i === 1111 ? 'the needle is here' : `hay ${i}` })));
    await before.close();

    const after = await SqliteDriver.open({ path });
    const notes = after.collection<Note>(searchable);
    expect(ids(await notes.search('needle', { tenant: 't' }))).toEqual(['n1111']);
    expect(await notes.count({})).toBe(1200);
    await notes.insert({ id: 'new', tenant: 't', body: 'another needle' });
    expect(ids(await notes.search('needle', {}))).toEqual(['n1111', 'new']);
    await after.close();

    // other text paths: the index is made again for them
    const again = await SqliteDriver.open({ path });
    const byCaption = again.collection<Note>({ ...plain, text: ['caption'] });
    expect(await byCaption.search('needle', {})).toEqual([]);
    await byCaption.updateOne({ id: 'n5' }, { $set: { caption: 'needle in the caption' } });
    expect(ids(await byCaption.search('needle', {}))).toEqual(['n5']);
    await again.close();
  });

  it('rolls back with the documents: a failed updateTogether leaves the index as it was', async () => {
    const driver = await SqliteDriver.open({ path: ':memory:' });
    const notes = driver.collection<Note>(searchable);
    await notes.insertMany([{ id: 'a', tenant: 't', email: 'a@x', body: 'old words' }, { id: 'b', tenant: 't', email: 'b@x', body: 'b' }]);
    await expect(driver.updateTogether([
      { collection: searchable, filter: { id: 'a' }, update: { $set: { body: 'new words' } } },
      { collection: searchable, filter: { id: 'b' }, update: { $set: { email: 'a@x' } } },
    ])).rejects.toBeInstanceOf(UniqueViolationError);
    expect(ids(await notes.search('old', {}))).toEqual(['a']);
    expect(await notes.search('new', {})).toEqual([]);
    await driver.close();
  });

  it('erasure: a deleted document\'s words are gone from the index and from the file once purgeDeleted returns', async () => {
    const path = file();
    const driver = await SqliteDriver.open({ path, checkpointIntervalMs: 0 });
    const notes = driver.collection<Note>(searchable);
    await notes.insertMany(Array.from({ length: 200 }, (_, i) => ({ id: `n${i}`, tenant: i === 7 ? 'gone' : 'kept', body: i === 7 ? 'qqzerasemezq7781 private' : `keep ${i}` })));
    expect(await driver.purgeDeleted()).toBe(true);
    const raw = (): string => [path, `${path}-wal`].map((p) => (existsSync(p) ? readFileSync(p).toString('latin1') : '')).join('');
    expect(raw()).toContain('qqzerasemezq7781');
    expect(ids(await notes.search('qqzerasemezq7781', {}))).toEqual(['n7']);
    await notes.deleteMany({ tenant: 'gone' });
    expect(await notes.search('qqzerasemezq7781', {})).toEqual([]);
    expect(await driver.purgeDeleted()).toBe(true);
    expect(raw()).not.toContain('qqzerasemezq7781');
    // the FTS5 index itself holds no entry for the word any more (its vocabulary, read through fts5vocab)
    await driver.close();
    const db = new Database(path);
    db.exec(`CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'sb_notes$fts', 'row')`);
    expect(db.prepare(`SELECT term FROM vocab WHERE term = 'qqzerasemezq7781'`).all()).toEqual([]);
    expect(db.prepare(`SELECT cnt FROM vocab WHERE term = 'keep'`).get()).toEqual({ cnt: 199 });
    db.close();
  });

  it('a backup carries a working index', async () => {
    const driver = await SqliteDriver.open({ path: file() });
    const notes = driver.collection<Note>(searchable);
    await notes.insertMany([{ id: 'a', tenant: 't', body: 'kept in the copy' }, { id: 'b', tenant: 't', body: 'deleted first' }]);
    await notes.deleteMany({ id: 'b' });
    const copy = join(dir, `backup-${n++}.db`);
    await driver.backup(copy);
    await driver.close();
    const restored = await SqliteDriver.open({ path: copy });
    const back = restored.collection<Note>(searchable);
    expect(ids(await back.search('copy', {}))).toEqual(['a']);
    await back.insert({ id: 'c', tenant: 't', body: 'copy two' });
    await back.deleteMany({ id: 'a' });
    expect(ids(await back.search('copy', {}))).toEqual(['c']);
    await restored.close();
  });

  it('regression: a search walked the tenant\'s index and probed every row against the hits; now the FTS5 hits drive it', async () => {
    const path = file();
    const driver = await SqliteDriver.open({ path });
    const spec: CollectionSpec = { name: 'msgs', fields: { tenant: 'string', at: 'number' }, indexes: [{ fields: ['tenant', 'at'] }], text: ['body'] };
    const msgs = driver.collection<Note & { at: number }>(spec);
    await msgs.insertMany(Array.from({ length: 500 }, (_, i) => ({ id: `m${i}`, tenant: 't', at: i, body: i === 250 ? 'needle' : `hay ${i}` })));
    expect(ids(await msgs.search('needle', { tenant: 't' }, { sort: [['at', -1]], limit: 20 }))).toEqual(['m250']);
    await driver.close();
    // the driver's statement, as SQLite plans it on that file
    const raw = new Database(path, { readonly: true });
    const names = tableNames('msgs');
    const source = textSourceSql(names);
    const where = compileFilter({ tenant: 't' }, { names, irregular: new Set() });
    const plan = raw.prepare(`EXPLAIN QUERY PLAN SELECT "sb_msgs"."$doc" FROM ${source.from} WHERE ${source.join} AND ${where.sql} ORDER BY ${compileSort([['at', -1]])} LIMIT 20`)
      .all('"needle"', ...where.params) as { detail: string }[];
    raw.close();
    const details = plan.map((p) => p.detail);
    expect(details[0]).toMatch(/^SCAN sb_msgs\$fts VIRTUAL TABLE/);
    expect(details.some((d) => /SEARCH sb_msgs USING INDEX sqlite_autoindex_sb_msgs_1 \(id=\?\)/.test(d))).toBe(true);
    expect(details.some((d) => d.includes('sb_msgs$i$tenant,at'))).toBe(false);
  });

  it('a read-only connection searches an indexed database', async () => {
    const path = file();
    const writer = await SqliteDriver.open({ path });
    await writer.collection<Note>(searchable).insert({ id: 'a', tenant: 't', body: 'read me' });
    await writer.close();
    const reader = await SqliteDriver.open({ path, readonly: true });
    expect(ids(await reader.collection<Note>(searchable).search('read', {}))).toEqual(['a']);
    await reader.close();
  });
});

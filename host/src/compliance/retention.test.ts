import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { samplePng, silentLogger, type MediaRef } from '@switchboard/core';
import { DirectoryBlobStore } from '../media/directory-blob-store.js';
import { HostMediaStore } from '../media/host-media-store.js';
import type { MediaLinks, MediaOrigin, MediaRecord } from '../media/media-store.js';
import { MemoryStores } from '../stores/host-stores.js';
import type { HostMessage } from '../stores/stores.js';
import { hashesUnder } from './__fixtures__/disk.js';
import { parseRetentionPolicy, RetentionSweeper } from './retention.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-09-30T00:00:00Z');

describe('retention', () => {
  it('purges each tenant\'s messages older than its period, keeps queued ones, and leaves tenants without a policy alone', async () => {
    const stores = new MemoryStores();
    const msg = (id: string, tenantId: string, ageDays: number, over: Partial<HostMessage> = {}): HostMessage => ({
      id, tenantId, conversationId: 'c', channel: 'acme', accountId: 'a', userId: 'u', direction: 'inbound', content: { type: 'text', text: id },
      status: 'delivered', timestamp: new Date(NOW - ageDays * DAY), createdAt: new Date(NOW - ageDays * DAY), updatedAt: new Date(NOW - ageDays * DAY), ...over,
    });
    for (const m of [msg('old', 't1', 31), msg('new', 't1', 29), msg('waiting', 't1', 40, { direction: 'outbound', status: 'queued' }), msg('other', 't2', 400)]) await stores.messages.insert(m);
    await stores.deadLetters.add({ id: 'd', tenantId: 't1', channel: 'acme', account: 'main', reason: 'x', code: 'MALFORMED_PAYLOAD', rawBody: '', headers: {}, receivedAt: new Date(NOW - 60 * DAY) });
    const sweeper = new RetentionSweeper({ stores, now: () => NOW, logger: silentLogger, policies: () => [['t1', { messageDays: 30 }], ['t2', undefined]] });
    const [report] = await sweeper.sweep();
    expect(report).toMatchObject({ tenantId: 't1', before: new Date(NOW - 30 * DAY), messages: 1, deadLetters: 1 });
    expect((await stores.messages.listBetween('t1', { from: new Date(0), to: new Date(NOW) })).map((m) => m.id).sort()).toEqual(['new', 'waiting']);
    expect((await stores.messages.listBetween('t2', { from: new Date(0), to: new Date(NOW) })).map((m) => m.id)).toEqual(['other']);
    expect(await sweeper.sweep(['t2'])).toEqual([]);
  });

  it('deletes the bytes and records of files older than the period whose message is gone; keeps the rest (a directory scan)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-retention-'));
    let now = NOW;
    const stores = new MemoryStores({ now: () => now });
    const blobs = await DirectoryBlobStore.open(join(root, 'media'));
    try {
      const media = new HostMediaStore({ records: stores.media, blobs, now: () => now });
      let colour = 0;
      /** Stores a distinct picture at `ageDays` before NOW. */
      const put = async (tenantId: string, ageDays: number, origin: MediaOrigin, links: MediaLinks): Promise<MediaRecord> => {
        now = NOW - ageDays * DAY;
        const r = await media.put(tenantId, Readable.from([samplePng(8, [colour++, 50, 90])]), { origin, ...links });
        now = NOW;
        if (!r.stored) throw new Error(r.reason);
        return r.record;
      };
      const msg = async (id: string, tenantId: string, ageDays: number, over: Partial<HostMessage> = {}): Promise<HostMessage> => (await stores.messages.insert({
        id, tenantId, conversationId: 'c', channel: 'acme', accountId: 'a', userId: 'u', direction: 'inbound', content: { type: 'image', media: { storedId: 'x', storeState: 'stored' } as MediaRef },
        status: 'delivered', timestamp: new Date(NOW - ageDays * DAY), createdAt: new Date(NOW - ageDays * DAY), updatedAt: new Date(NOW - ageDays * DAY), ...over,
      })).message;

      await msg('old', 't1', 40);
      await msg('fresh', 't1', 5);
      await msg('waiting', 't1', 40, { direction: 'outbound', status: 'queued' });
      await msg('late', 't1', 31);
      await msg('other-old', 't2', 400);
      const oldFile = await put('t1', 40, 'inbound', { messageId: 'old', conversationId: 'c' });
      const orphan = await put('t1', 90, 'inbound', { messageId: 'erased-long-ago' });
      const freshFile = await put('t1', 5, 'inbound', { messageId: 'fresh' });
      const waitingFile = await put('t1', 41, 'upload', { messageId: 'waiting' });
      const unsent = await put('t1', 60, 'upload', {});
      // fetched a day after its (31-day-old) message arrived: younger than the period itself
      const lateFile = await put('t1', 30 - 0.5, 'inbound', { messageId: 'late' });
      const otherTenant = await put('t2', 400, 'inbound', { messageId: 'old' });

      const sweeper = new RetentionSweeper({ stores, media, now: () => now, logger: silentLogger, policies: () => [['t1', { messageDays: 30 }], ['t2', undefined]] });
      const [report] = await sweeper.sweep();
      expect(report).toMatchObject({ tenantId: 't1', messages: 2, media: 2 });
      let disk = hashesUnder(join(root, 'media'));
      for (const r of [oldFile, orphan]) expect(disk.has(r.sha256), `${r.messageId}'s file is still on disk`).toBe(false);
      for (const r of [freshFile, waitingFile, unsent, lateFile, otherTenant]) expect(disk.has(r.sha256)).toBe(true);
      expect((await media.list('t1')).map((r) => r.id).sort()).toEqual([freshFile, waitingFile, unsent, lateFile].map((r) => r.id).sort());

      // a day later the late file is older than the period too, and its message is gone: it goes
      now = NOW + DAY;
      const [next] = await sweeper.sweep();
      expect(next).toMatchObject({ media: 1 });
      disk = hashesUnder(join(root, 'media'));
      expect(disk.has(lateFile.sha256)).toBe(false);
      for (const r of [freshFile, waitingFile, unsent, otherTenant]) expect(disk.has(r.sha256)).toBe(true);
    } finally {
      await blobs.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('pages through more old files than one page holds, deleting as it goes', async () => {
    const stores = new MemoryStores({ now: () => NOW - 100 * DAY });
    const { MemoryBlobStore } = await import('../media/memory-blob-store.js');
    const media = new HostMediaStore({ records: stores.media, blobs: new MemoryBlobStore(), now: () => NOW - 100 * DAY });
    const kept: string[] = [];
    // 1,200 files (more than two pages of 500): every third one's message still exists (an outbound message waiting)
    for (let i = 0; i < 1200; i++) {
      const messageId = `m${i}`;
      if (i % 3 === 0) {
        await stores.messages.insert({
          id: messageId, tenantId: 't1', conversationId: 'c', channel: 'acme', accountId: 'a', userId: 'u', direction: 'outbound', content: { type: 'text', text: 'x' },
          status: 'queued', timestamp: new Date(NOW - 100 * DAY), createdAt: new Date(NOW - 100 * DAY), updatedAt: new Date(NOW - 100 * DAY),
        } as HostMessage);
      }
      const r = await media.put('t1', Readable.from([Buffer.from(`file ${i}`)]), { origin: 'upload', messageId });
      if (!r.stored) throw new Error(r.reason);
      if (i % 3 === 0) kept.push(r.record.id);
    }
    const sweeper = new RetentionSweeper({ stores, media, now: () => NOW, logger: silentLogger, policies: () => [['t1', { messageDays: 30 }]] });
    const [report] = await sweeper.sweep();
    expect(report!.media).toBe(800);
    const left: string[] = [];
    for (let offset = 0; ; offset += 500) { const page = await media.list('t1', { limit: 500, offset }); left.push(...page.map((r) => r.id)); if (page.length < 500) break; }
    expect(left.sort()).toEqual(kept.sort());
  });

  it('checks policies', () => {
    expect(parseRetentionPolicy({ messageDays: 90 }, 'x')).toEqual({ messageDays: 90 });
    expect(() => parseRetentionPolicy({ messageDays: 0 }, 'retention.t1')).toThrow('retention.t1.messageDays must be a positive number of days');
    expect(() => parseRetentionPolicy(undefined, 'r')).toThrow();
  });
});

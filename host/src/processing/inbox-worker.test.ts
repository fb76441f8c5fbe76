import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type InboundEvent, type Logger } from '@switchboard/core';
import { MemoryStores } from '../stores/host-stores.js';
import type { InboxEntry } from '../stores/stores.js';
import { InboxWorker, type InboxEntryHandler, type InboxProcessorOptions } from './inbox-worker.js';
import { NotYetError } from './not-yet-error.js';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;
function entry(userId: string, platformSecond: number, receivedMs: number, text = `${userId}@${platformSecond}`): InboxEntry {
  const event: InboundEvent = {
    kind: 'message', channel: 'acme', accountId: 'a1', userId, externalId: `m-${++seq}`, timestamp: new Date(T0 + platformSecond * 1000), content: { type: 'text', text },
  };
  return { id: `e-${seq}`, tenantId: 't1', channel: 'acme', account: 'main', key: `k-${seq}`, event, receivedAt: new Date(T0 + receivedMs), status: 'pending', attempts: 0 };
}

function worker(handler: InboxEntryHandler, options: InboxProcessorOptions = {}, logger: Logger = silentLogger): { stores: MemoryStores; clock: ManualClock; worker: InboxWorker } {
  const stores = new MemoryStores();
  const clock = new ManualClock(T0 + 60_000);
  return { stores, clock, worker: new InboxWorker({ inbox: stores.inbox, tenantIds: () => ['t1'], handler, clock, logger }, options) };
}

const textOf = (e: InboxEntry): string => (e.event.kind === 'message' && e.event.content.type === 'text' ? e.event.content.text : '');

describe('InboxWorker', () => {
  it('hands one conversation\'s entries over in platform-time order, not arrival order, and completes them', async () => {
    const seen: string[] = [];
    const { stores, worker: w } = worker({ dispatch: async (e) => { seen.push(textOf(e)); } });
    const entries = [entry('ann', 3, 1), entry('ann', 1, 2), entry('bob', 2, 3), entry('ann', 2, 4)];
    await stores.inbox.add(entries);
    expect(await w.round()).toBe(true);
    expect(seen.filter((s) => s.startsWith('ann'))).toEqual(['ann@1', 'ann@2', 'ann@3']);
    expect(seen).toContain('bob@2');
    for (const e of entries) expect((await stores.inbox.get(e.id))?.status).toBe('done');
    expect(await w.round()).toBe(false);
  });

  it('runs different conversations side by side: one waiting does not hold the other back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const seen: string[] = [];
    const { stores, worker: w } = worker({
      dispatch: async (e) => {
        if (textOf(e) === 'ann@1') await gate;
        seen.push(textOf(e));
        if (textOf(e) === 'bob@1') release();
      },
    });
    await stores.inbox.add([entry('ann', 1, 1), entry('ann', 2, 2), entry('bob', 1, 3)]);
    await w.round();
    expect(seen).toEqual(['bob@1', 'ann@1', 'ann@2']);
  });

  it('gives a failed entry back for a retry after a doubling delay, then marks it failed after the last attempt', async () => {
    const { stores, clock, worker: w } = worker({ dispatch: async () => { throw new Error('store down'); } }, { maxAttempts: 3, retryBaseMs: 1000 });
    const e = entry('ann', 1, 1);
    await stores.inbox.add([e]);

    await w.round();
    let stored = await stores.inbox.get(e.id);
    expect(stored).toMatchObject({ status: 'pending', attempts: 1, lastError: 'store down', notBefore: new Date(clock.now() + 1000) });
    expect(await w.round()).toBe(false); // not due yet

    clock.advance(1000);
    await w.round();
    stored = await stores.inbox.get(e.id);
    expect(stored).toMatchObject({ status: 'pending', attempts: 2, notBefore: new Date(clock.now() + 2000) });

    clock.advance(2000);
    await w.round();
    expect(await stores.inbox.get(e.id)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'store down' });
    clock.advance(60_000);
    expect(await w.round()).toBe(false);
  });

  it('retries an event that cannot be handled yet quietly (debug), and any other failure loudly (error)', async () => {
    const levels: string[] = [];
    const logger: Logger = { debug: () => levels.push('debug'), info: () => levels.push('info'), warn: () => levels.push('warn'), error: () => levels.push('error') };
    let calls = 0;
    const { stores, worker: w } = worker({ dispatch: async () => { calls++; throw calls === 1 ? new NotYetError('no message yet') : new Error('boom'); } }, { retryBaseMs: 0 }, logger);
    await stores.inbox.add([entry('ann', 1, 1)]);
    await w.round();
    await w.round();
    expect(levels).toEqual(['debug', 'error']);
  });

  it('drains in the background once started, and idle() resolves when nothing is due', async () => {
    const seen: string[] = [];
    const { stores, worker: w } = worker({ dispatch: async (e) => { seen.push(textOf(e)); } });
    w.start();
    await stores.inbox.add([entry('ann', 1, 1)]);
    w.kick();
    await w.idle();
    expect(seen).toEqual(['ann@1']);
    expect(w.processing).toBe(false);
    await w.stop();
  });
});

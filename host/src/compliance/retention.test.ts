import { describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { MemoryStores } from '../stores/host-stores.js';
import type { HostMessage } from '../stores/stores.js';
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

  it('checks policies', () => {
    expect(parseRetentionPolicy({ messageDays: 90 }, 'x')).toEqual({ messageDays: 90 });
    expect(() => parseRetentionPolicy({ messageDays: 0 }, 'retention.t1')).toThrow('retention.t1.messageDays must be a positive number of days');
    expect(() => parseRetentionPolicy(undefined, 'r')).toThrow();
  });
});

/**
 * Two hosts sharing one SQLite database file — each with its own connection, as two processes on
 * one machine have (the crash matrix runs the same with real processes) — and so one outbox and one
 * rate budget: every outbox entry is sent by one of them, once, and together they stay within the
 * platform's limit. Also: a text longer than the channel carries is split as the capability table
 * declares, visibly in the stored message.
 *
 * Both dispatchers and the fake Bot API share one virtual clock that moves only once nothing is in
 * flight (see `VirtualTime`): the platform measures its limit on what the hosts decided, so a
 * stalled machine cannot bunch their requests into a burst the platform would refuse (on wall time
 * it could, as the single-host dispatch test showed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRateLimiter, silentLogger } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostStores } from '@switchboard/host';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';
import { VirtualTime } from '../support/virtual-time.js';

const KEY = 'shared-hosts-key-0123456789abcdef';
const CHATS = 120;

describe('two hosts sharing one SQLite database file (one outbox, one rate budget)', () => {
  // virtual time starts at the wall clock's now: the hosts' own clock (wall) stamps what they queue
  const time = new VirtualTime(Date.now());
  const fake = new FakeTelegramServer({ clock: time.clock });
  const hosts: Host[] = [];
  let stores: HostStores;
  const urls: string[] = [];

  beforeAll(async () => {
    await fake.start();
    const config = configFromObject({
      store: tempDatabase('shared-hosts'),
      logLevel: 'silent',
      tenants: [{ id: 'stand', apiKeys: [KEY] }],
      connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    });
    for (let i = 0; i < 2; i++) {
      const host = await createHost(config, {
        logger: silentLogger, processor: { pollMs: 20 }, platformFetch: time.fetch(),
        outbound: { timer: time, owner: `host-${i}`, dispatcher: { pollMs: 10 } },
      });
      hosts.push(host);
      urls.push((await host.listen(0, '127.0.0.1')).url);
    }
    stores = hosts[0]!.stores;
  });
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await fake.stop();
  });

  /** Runs virtual time until `done`: from one due moment (a rate slot, an entry's notBefore) to the next. */
  const run = (done: () => Promise<boolean>): Promise<void> => time.runUntil(done, {
    due: async () => {
      const pending = await stores.outbox.list('stand', { status: 'pending', limit: 1000 });
      return pending.length > 0 ? Math.min(...pending.map((e) => e.notBefore.getTime())) : undefined;
    },
    onStep: () => { for (const h of hosts) h.outbound.dispatcher.kick(); },
  });

  const post = async (path: string, body: unknown, host = 0): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${urls[host % urls.length]}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('sends every message once and stays within 30 msg/s together', async () => {
    const users = Array.from({ length: CHATS }, (_, i) => String(900_000 + i));
    // webhooks and API calls reach either host, alternately
    for (const [i, userId] of users.entries()) {
      expect((await fake.deliver(`${urls[i % 2]}/webhooks/telegram/main`, fake.userMessage({ userId, text: 'menu?' }))).status).toBe(200);
    }
    await eventually(async () => (await stores.conversations.list('stand', { limit: 500 })).filter((c) => c.lastInboundAt).length === CHATS, 15_000);
    for (const [i, userId] of users.entries()) {
      expect((await post('/v1/messages', { channel: 'telegram', accountId: 'main', userId, sender: 'bot', purpose: 'service', content: { type: 'text', text: `Order for ${userId} is ready` } }, i)).status).toBe(202);
    }
    await run(async () => (await stores.outbox.counts('stand')).sent === CHATS);
    const sends = fake.requests.filter((r) => r.path.endsWith('/sendMessage'));
    // once each: no duplicates, no 429 answered (a throttled send would be a second request)
    expect(sends).toHaveLength(CHATS);
    expect(new Set(sends.map((r) => (r.body as { chat_id: number }).chat_id)).size).toBe(CHATS);
    expect((await stores.outbox.list('stand', { limit: 500 })).filter((e) => e.lastError)).toEqual([]);
    // together they kept to 30/s on the platform's clock: replayed through the platform's own bucket
    // (30, refilled 30 a second), no send is refused; after the first full bucket of 30, the other
    // 90 took at least 3 s of platform time
    const at = time.calls.filter((c) => c.url.endsWith('/sendMessage')).map((c) => c.at);
    const bucket = new FakeRateLimiter();
    expect(at.filter((t) => !bucket.take('bot', 30, 1_000, t))).toEqual([]);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(((CHATS - 30) / 30) * 1000);
  });

  it('splits a text longer than the channel carries and shows it on the stored message', async () => {
    const userId = '900000';
    const long = 'Your order: one falafel wrap, two fries, a lemonade. '.repeat(100).trim(); // ~5,300 characters
    const answer = await post('/v1/messages', { channel: 'telegram', accountId: 'main', userId, sender: 'bot', purpose: 'service', content: { type: 'text', text: long } });
    expect(answer.status).toBe(202);
    expect(answer.body.rendering).toEqual({ form: 'native', parts: 2 });
    await run(async () => (await stores.messages.get('stand', answer.body.id as string))?.status === 'sent');
    const stored = (await stores.messages.get('stand', answer.body.id as string))!;
    expect(stored.rendering).toEqual({ form: 'native', parts: 2 });
    expect(stored.partIds).toHaveLength(1);
  });
});

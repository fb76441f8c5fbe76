/**
 * Two hosts sharing one SQLite database file — each with its own connection, as two processes on
 * one machine have (the crash matrix runs the same with real processes) — and so one outbox and one
 * rate budget: every outbox entry is sent by one of them, once, and together they stay within the
 * platform's limit. Also: a text longer than the channel carries is split as the capability table
 * declares, visibly in the stored message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost, ScaledTimer, type Host, type HostStores } from '@switchboard/host';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'shared-hosts-key-0123456789abcdef';
const SCALE = 4;
const CHATS = 120;

describe('two hosts sharing one SQLite database file (one outbox, one rate budget)', () => {
  const fake = new FakeTelegramServer({ timeScale: SCALE });
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
        logger: silentLogger, processor: { pollMs: 20 },
        outbound: { timer: new ScaledTimer(SCALE), owner: `host-${i}`, dispatcher: { pollMs: 10 } },
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
    await eventually(async () => (await stores.outbox.counts('stand')).sent === CHATS, 20_000);
    const sends = fake.requests.filter((r) => r.path.endsWith('/sendMessage'));
    // once each: no duplicates, no 429 answered (a throttled send would be a second request)
    expect(sends).toHaveLength(CHATS);
    expect(new Set(sends.map((r) => (r.body as { chat_id: number }).chat_id)).size).toBe(CHATS);
    expect((await stores.outbox.list('stand', { limit: 500 })).filter((e) => e.lastError)).toEqual([]);
    // together they kept to 30/s: after the first full bucket of 30, the other 90 took ≥ 3 s of platform time
    const platformMs = sends.map((r) => r.at.getTime() * SCALE);
    expect(platformMs.at(-1)! - platformMs[0]!).toBeGreaterThanOrEqual(((CHATS - 30) / 30) * 1000 * 0.9);
  });

  it('splits a text longer than the channel carries and shows it on the stored message', async () => {
    const userId = '900000';
    const long = 'Your order: one falafel wrap, two fries, a lemonade. '.repeat(100).trim(); // ~5,300 characters
    const answer = await post('/v1/messages', { channel: 'telegram', accountId: 'main', userId, sender: 'bot', purpose: 'service', content: { type: 'text', text: long } });
    expect(answer.status).toBe(202);
    expect(answer.body.rendering).toEqual({ form: 'native', parts: 2 });
    const stored = await eventually(async () => { const m = await stores.messages.get('stand', answer.body.id as string); return m?.status === 'sent' ? m : undefined; }, 15_000);
    expect(stored.rendering).toEqual({ form: 'native', parts: 2 });
    expect(stored.partIds).toHaveLength(1);
  });
});

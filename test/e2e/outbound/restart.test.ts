/**
 * A host stopped with messages in its outbox delivers them after a restart: the outbox lives in the
 * database file (the SQLite default), so the next host on that file sends what is left — each once,
 * in order. (What a SIGKILL leaves behind is in test/reliability/crash-restart.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Conversation } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostConfig } from '@switchboard/host';
import { FakeTelegramServer } from '@switchboard/telegram';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'restart-e2e-key-0123456789abcdef';
const USER = '3141592';

describe('outbox across a restart (the SQLite default)', () => {
  let fake: FakeTelegramServer;
  let config: HostConfig;
  const hosts: Host[] = [];

  beforeAll(async () => {
    fake = new FakeTelegramServer();
    await fake.start();
    config = configFromObject({
      logLevel: 'silent',
      store: tempDatabase('restart'),
      tenants: [{ id: 'shop', apiKeys: [KEY] }],
      connectors: [{ package: '@switchboard/telegram', required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    });
  });
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await fake.stop();
  });

  const start = async (): Promise<{ host: Host; url: string }> => {
    const host = await createHost(config, { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, outbound: { dispatcher: { pollMs: 20, backoff: { baseMs: 50, maxMs: 200 } } } });
    hosts.push(host);
    const { url } = await host.listen(0, '127.0.0.1');
    return { host, url };
  };
  const post = (url: string, path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('delivers, exactly once and in order, what a stopped host left in its outbox', async () => {
    const first = await start();
    expect((await fake.deliver(`${first.url}/webhooks/telegram/main`, fake.userMessage({ userId: USER, text: 'Is my order ready?' }))).status).toBe(200);
    const conversation = await eventually(async () => (await first.host.stores.conversations.list('shop')).find((c: Conversation) => c.lastInboundAt), 15_000);
    // the platform is down: every send answers 503, the dispatcher keeps the messages and retries
    fake.script(Array.from({ length: 200 }, () => ({ status: 503, body: { ok: false, error_code: 503, description: 'Service Unavailable' } })));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(first.url, '/v1/messages', { channel: 'telegram', accountId: 'main', userId: USER, sender: 'bot', purpose: 'service', content: { type: 'text', text: `update ${i}` } });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    await eventually(async () => (await first.host.stores.outbox.list('shop')).some((e) => e.lastError?.code === 'RETRYABLE_FAILURE'), 15_000);
    await first.host.stop();
    const delivered = () => fake.requests.filter((r) => r.path.endsWith('/sendMessage') && (r.body as { text?: string }).text?.startsWith('update '));

    fake.reset(); // the platform is back (with its memory of who started the bot)
    fake.startUser(USER);
    const second = await start();
    expect((await second.host.stores.conversations.get('shop', conversation.id))?.lastInboundAt).toBeInstanceOf(Date);
    await eventually(async () => (await second.host.stores.outbox.counts('shop')).sent === 3, 20_000);
    const texts = delivered().map((r) => (r.body as { text: string }).text);
    expect(texts).toEqual(['update 0', 'update 1', 'update 2']);
    // the outbox entry is completed first and the message's status follows in a second write: wait for it
    // (read right after the third completion, the last message could still show queued)
    await eventually(async () => (await Promise.all(ids.map((id) => second.host.stores.messages.get('shop', id)))).every((m) => m?.status === 'sent'), 20_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Conversation } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';

// the host knows connectors only as plugins it is handed (lint keeps static imports out): so does this test
const { default: telegram, FakeTelegramServer } = await import('@switchboard/telegram');

const KEY = 'send-target-key-tenant-one-0123456789';
const OTHER = 'send-target-key-tenant-two-0123456789';
const USER = '5151';

describe('POST /v1/messages with only conversationId', () => {
  const fake = new FakeTelegramServer();
  let host: Host;
  let url: string;
  let conversation: Conversation;
  const api = async <T>(key: string, body: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() as T };
  };

  beforeAll(async () => {
    await fake.start();
    host = await createHost(configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [{ id: 'one', apiKeys: [KEY] }, { id: 'two', apiKeys: [OTHER] }],
      connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', tenant: 'one', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 10, retryBaseMs: 10 }, outbound: { dispatcher: { pollMs: 10 } } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    // the customer wrote first (Telegram: the user must start the bot)
    expect((await fake.deliver(`${url}/webhooks/telegram/main`, fake.userMessage({ userId: USER, text: 'hello', name: 'Ada' }))).status).toBe(200);
    for (;;) {
      const found = (await host.stores.conversations.list('one')).find((c) => c.address.userId === USER);
      if (found) { conversation = found; break; }
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  afterAll(async () => {
    await host?.stop();
    await fake.stop();
  });

  it('regression: a send naming only the conversation is accepted (it was refused: "channel is required; accountId is required")', async () => {
    const answer = await api<{ id: string; status: string }>(KEY, { conversationId: conversation.id, content: { type: 'text', text: 'Your car is ready' }, purpose: 'service' });
    expect(answer.status).toBe(202);
    const message = await host.stores.messages.get('one', answer.body.id);
    expect(message).toMatchObject({ conversationId: conversation.id, channel: 'telegram', accountId: conversation.address.accountId, userId: USER, direction: 'outbound' });
  });

  it('another tenant\'s conversation is a 404, as an unknown one is', async () => {
    const other = await api<{ error: { code: string } }>(OTHER, { conversationId: conversation.id, content: { type: 'text', text: 'x' }, purpose: 'service' });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    const unknown = await api<{ error: { code: string } }>(KEY, { conversationId: 'no-such-conversation', content: { type: 'text', text: 'x' }, purpose: 'service' });
    expect(unknown.status).toBe(404);
  });

  it('a channel given beside the conversation must be the conversation\'s', async () => {
    const answer = await api<{ error: { code: string } }>(KEY, { conversationId: conversation.id, channel: 'viber', content: { type: 'text', text: 'x' }, purpose: 'service' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a userId still needs channel and accountId, and every missing field is listed', async () => {
    const answer = await api<{ error: { code: string; details: { problems: { field: string }[] } } }>(KEY, { userId: USER, content: { type: 'text', text: 'x' }, purpose: 'service' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.problems.map((p) => p.field).sort()).toEqual(['accountId', 'channel']);
    const neither = await api<{ error: { details: { problems: { field: string }[] } } }>(KEY, { content: { type: 'text', text: 'x' }, purpose: 'service' });
    expect(neither.body.error.details.problems.map((p) => p.field).sort()).toEqual(['accountId', 'channel', 'userId']);
  });
});

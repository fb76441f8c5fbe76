/**
 * The host loads this package the way an integrator's config names it — `{ package:
 * '@acme/switchboard-sms', accounts: [...] }` — through its plugin loader, with no change to the
 * host, and then runs it end to end against the package's own fake gateway.
 *
 * Loading by name needs the package resolvable from node_modules: `npm install` links this
 * workspace package and `npm run build` builds its `dist/` (or a vitest alias maps the name to
 * `src/`). Until then the same host test runs with the package given as a file URL, which the
 * loader accepts too, and the by-name check is reported as skipped with the reason.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Conversation, type SignedWebhook } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostMessage } from '@switchboard/host';
import { createSandbox, importPlugin } from '@switchboard/host/testing';
import { FakeAcmeSmsServer } from './fake-acme-sms-server.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const PACKAGE = '@acme/switchboard-sms';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const KEY = 'vendor-connector-e2e-key-0123456789';
const CUSTOMER = '+12025550143';

// asked from the host's side: a package can always import itself by name (its exports map), so a
// probe from this directory would find it even when the host cannot
async function resolvableByName(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await importPlugin(PACKAGE, process.cwd());
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n')[0] ?? 'unknown' };
  }
}

const byName = await resolvableByName();
const SPECIFIER = byName.ok ? PACKAGE : pathToFileURL(`${HERE}index.ts`).href;
const NOT_LINKED = byName.ok ? '' : ` — skipped: "${PACKAGE}" is not resolvable yet (run npm install to link examples/vendor-connector, then npm run build; ${byName.reason})`;
if (!byName.ok) console.warn(`[host-loading] ${PACKAGE} is not linked yet: loading it by file URL instead (${byName.reason})`);

/** Waits for a condition; the limit is a limit, not a measurement: a loaded machine may be slow. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

it.skipIf(!byName.ok)(`the host's plugin loader imports ${PACKAGE} by package name${NOT_LINKED}`, async () => {
  const plugin = await importPlugin(PACKAGE, process.cwd());
  expect(plugin).toMatchObject({ apiVersion: 1, channel: 'sms' });
});

describe(`host with ${PACKAGE} loaded from config (${byName.ok ? 'by package name' : 'by file URL until the package is linked'})`, () => {
  const fake = new FakeAcmeSmsServer();
  let host: Host;
  let url: string;
  let webhookUrl: string;
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(init.headers as object) } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const conversationOf = (userId: string): Promise<Conversation> => eventually(async () =>
    (await api<{ items: Conversation[] }>('/v1/conversations')).body.items.find((c) => c.address.userId === userId));
  const messagesOf = async (id: string): Promise<HostMessage[]> => (await api<{ items: HostMessage[] }>(`/v1/conversations/${id}/messages`)).body.items;

  beforeAll(async () => {
    await fake.start();
    // exactly what an integrator writes in switchboard.config.ts
    const config = configFromObject({ store: tempDatabase(),
      logLevel: 'silent',
      tenants: [{ id: 'garage', apiKeys: [KEY] }],
      connectors: [{ package: SPECIFIER, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    });
    host = await createHost(config, { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    webhookUrl = `${url}/webhooks/sms/main`;
  });
  afterAll(async () => {
    await host?.stop();
    await fake.stop();
  });

  it('reports the plugin loaded for channel sms', async () => {
    const ready = (await api<{ status: string; connectors: { package: string; state: string; channel?: string }[] }>('/readyz')).body;
    expect(ready.status).toBe('ready');
    expect(ready.connectors).toEqual([expect.objectContaining({ package: SPECIFIER, state: 'loaded', channel: 'sms' })]);
  });

  it('stores a signed customer SMS as a conversation and message', async () => {
    const answer = await fake.deliver(webhookUrl, fake.userMessage({ userId: CUSTOMER, text: 'Is my car ready?' }));
    expect(answer.status).toBe(200);
    const conversation = await conversationOf(CUSTOMER);
    expect(conversation.address).toMatchObject({ channel: 'sms', userId: CUSTOMER });
    const messages = await eventually(async () => {
      const list = await messagesOf(conversation.id);
      return list.length > 0 ? list : undefined;
    });
    expect(messages).toEqual([expect.objectContaining({ direction: 'inbound', content: { type: 'text', text: 'Is my car ready?' } })]);
  });

  it('answers 401 to a forged signature and to a replayed (stale) delivery, storing nothing', async () => {
    const before = await host.stores.inbox.counts('garage');
    const genuine = fake.userMessage({ userId: '+12025550177', text: 'forged' });
    const forged: SignedWebhook = { ...genuine, headers: { ...genuine.headers, 'x-acme-signature': genuine.headers['x-acme-signature']!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) } };
    expect((await fake.deliver(webhookUrl, forged)).status).toBe(401);
    const stale = fake.signed({ type: 'message.received', id: 'in_replayed', from: '+12025550177', to: fake.connectorConfig().senderId, text: 'replayed', occurred_at: new Date().toISOString() }, new Date(Date.now() - 10 * 60_000));
    expect((await fake.deliver(webhookUrl, stale)).status).toBe(401);
    expect(await host.stores.inbox.counts('garage')).toEqual(before);
  });

  it('records an opt-out when the customer texts STOP (the policy\'s keywords, matched by the host)', async () => {
    const userId = '+12025550188';
    expect((await fake.deliver(webhookUrl, fake.userMessage({ userId, text: 'STOP' }))).status).toBe(200);
    const conversation = await conversationOf(userId);
    const consent = await eventually(async () => {
      const b = (await api<{ history: { action: string; evidence: { source: string } }[] }>(`/v1/contacts/${conversation.contactId}/consent`)).body;
      return b.history.length > 0 ? b : undefined;
    });
    expect(consent.history).toEqual([expect.objectContaining({ action: 'opt-out', evidence: expect.objectContaining({ source: 'keyword' }) })]);
  });

  it('applies delivery receipts, ending at delivered even when they arrive out of order', async () => {
    const conversation = await conversationOf(CUSTOMER);
    const queued = await api<{ id: string }>(`/v1/conversations/${conversation.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'Your car is ready.' }) });
    expect(queued.status).toBe(202);
    // what the dispatcher records once the gateway accepted the message
    await host.stores.messages.update('garage', queued.body.id, { externalId: 'msg_0123456789abcdef01234567' });
    const t0 = Date.now();
    for (const [status, dt] of [['delivered', 2000], ['sent', 1000]] as const) {
      const answer = await fake.deliver(webhookUrl, fake.statusUpdate({ userId: CUSTOMER, externalId: 'msg_0123456789abcdef01234567', status, timestamp: new Date(t0 + dt) }));
      expect(answer.status).toBe(200);
    }
    await host.processor.idle();
    const message = await eventually(async () => (await messagesOf(conversation.id)).find((m) => m.id === queued.body.id && m.status === 'delivered'));
    expect(message.status).toBe('delivered');
  });
});

describe(`the host's sandbox runs ${PACKAGE} on the fake gateway its plugin provides`, () => {
  it('delivers a customer SMS through POST /sandbox/sms/messages and stores it', async () => {
    const sandbox = await createSandbox({ database: tempDatabase('sandbox').path, packages: [SPECIFIER], env: { SWITCHBOARD_API_KEY: KEY, LOG_LEVEL: 'silent' }, logger: silentLogger, port: 0 });
    expect([...sandbox.fakes.keys()]).toEqual(['sms']);
    const host = await createHost(sandbox.config, { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions });
    try {
      const { url } = await host.listen(0, '127.0.0.1');
      const res = await fetch(`${url}/sandbox/sms/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: CUSTOMER, text: 'Hello from the sandbox' }),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ delivered: true, webhookUrl: `${url}/webhooks/sms/sandbox` });
      const conversation = await eventually(async () => {
        const list = await fetch(`${url}/v1/conversations`, { headers: { authorization: `Bearer ${KEY}` } });
        return ((await list.json()) as { items: Conversation[] }).items.find((c) => c.address.channel === 'sms' && c.address.userId === CUSTOMER);
      });
      expect(conversation.address.accountId).toBe('+12025550100');
    } finally {
      await host.stop();
    }
  });
});

/**
 * End-to-end: routing (bot handlers, queues, forwarding), handover and the conversation actions,
 * plugin isolation and the Apple rule, API errors, and the sandbox route.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, hmacSha256Hex, silentLogger, type Conversation } from '@switchboard/core';
import { configFromObject, createHost, PluginLoadError, type BotContext, type HostMessage } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import { createAcmePlugin, FakeAcmeServer } from './support/acme-plugin.js';
import { API_KEY, eventually, startHost, SUPPORT_DIR, type RunningHost } from './support/host-harness.js';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';

let h: RunningHost | undefined;
afterEach(async () => { await h?.stop(); h = undefined; });
type List<T> = { items: T[] };

async function firstConversation(x: RunningHost): Promise<Conversation> {
  return eventually(async () => (await x.api<List<Conversation>>('/v1/conversations')).body.items[0]);
}

describe('routing and conversations', () => {
  it('runs the bot a rule picks, hands over on a keyword, and leaves a human-held conversation alone', async () => {
    const seen: string[] = [];
    class Greeter {
      async handle(ctx: BotContext): Promise<void> {
        seen.push(ctx.text ?? '');
        await ctx.reply(`Hi ${ctx.contact.profile.name ?? 'there'}`);
      }
    }
    h = await startHost({
      bots: { greeter: Greeter },
      tenant: { routing: { rules: [{ match: { keyword: ['agent', 'human'] }, to: { queue: 'support' } }, { to: { bot: 'greeter' } }] } },
    });
    const x = h;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text: 'hello', name: 'Ann' }));
    const conversation = await firstConversation(x);
    // the reply passes the policy (inside the window), goes through the outbox and is sent by the dispatcher
    const replies = await eventually(async () => {
      const m = (await x.api<List<HostMessage>>(`/v1/conversations/${conversation.id}/messages`)).body.items.filter((y) => y.direction === 'outbound' && y.status === 'sent');
      return m.length ? m : undefined;
    });
    expect(replies[0]).toMatchObject({ status: 'sent', sender: 'bot', content: { type: 'text', text: 'Hi Ann' }, purpose: 'service', form: { kind: 'free-form' } });
    expect(replies[0]!.statusHistory.map((s) => s.status)).toEqual(['queued', 'sent']);
    expect((await x.host.stores.outbox.findByMessage('t1', replies[0]!.id))).toMatchObject({ status: 'sent', channel: 'acme', account: 'main' });
    expect((await x.api<Conversation>(`/v1/conversations/${conversation.id}`)).body.assignee).toEqual({ kind: 'bot', handler: 'greeter' });

    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text: 'I need a human' }));
    await eventually(async () => (await x.api<Conversation>(`/v1/conversations/${conversation.id}`)).body.assignee.kind === 'queue');
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text: 'hello again' }));
    await x.host.processor.idle();
    expect(seen).toEqual(['hello']);

    const assigned = await x.api<Conversation>(`/v1/conversations/${conversation.id}/assign`, { method: 'POST', body: JSON.stringify({ agentId: 'agent-7' }) });
    expect(assigned.body.assignee).toEqual({ kind: 'agent', agentId: 'agent-7', queue: 'support' });
    const transferred = await x.api<Conversation>(`/v1/conversations/${conversation.id}/transfer`, { method: 'POST', body: JSON.stringify({ queue: 'billing' }) });
    expect(transferred.body.assignee).toEqual({ kind: 'queue', queue: 'billing' });
    const back = await x.api<Conversation>(`/v1/conversations/${conversation.id}/handover`, { method: 'POST', body: JSON.stringify({ to: 'bot', handler: 'greeter' }) });
    expect(back.body.assignee).toEqual({ kind: 'bot', handler: 'greeter' });
    expect((await x.api<Conversation>(`/v1/conversations/${conversation.id}/resolve`, { method: 'POST' })).body.status).toBe('resolved');
    expect((await x.api<Conversation>(`/v1/conversations/${conversation.id}/reopen`, { method: 'POST' })).body.status).toBe('open');
    const bad = await x.api<{ error: { code: string } }>(`/v1/conversations/${conversation.id}/transfer`, { method: 'POST', body: JSON.stringify({ queue: 'x' }) });
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('CONFLICT');
  });

  it('forwards to the integrator\'s endpoint, signed with the tenant secret, retrying a 503', async () => {
    const secret = 'forwarding-secret-0123456789';
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    let calls = 0;
    const crm = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        calls++;
        if (calls === 1) { res.writeHead(503, { 'retry-after': '0' }); res.end(); return; }
        received.push({ headers: req.headers, body });
        res.writeHead(204); res.end();
      });
    });
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', () => r()));
    const port = (crm.address() as AddressInfo).port;
    try {
      h = await startHost({
        tenant: { forwarding: { url: `http://127.0.0.1:${port}/switchboard`, secret, baseDelayMs: 5 }, routing: { rules: [{ to: { forward: true } }] } },
      });
      await h.fake.deliver(h.webhookUrl, h.fake.userMessage({ userId: 'u9', text: 'forward me' }));
      await eventually(() => received.length === 1);
      const [{ headers, body }] = received as [{ headers: IncomingMessage['headers']; body: string }];
      const [t, v1] = String(headers['x-switchboard-signature']).split(',').map((p) => p.split('=')[1]);
      expect(v1).toBe(hmacSha256Hex(secret, `${t}.${body}`));
      const payload = JSON.parse(body) as { type: string; tenantId: string; data: { message: HostMessage } };
      expect(payload).toMatchObject({ type: 'message', tenantId: 't1', data: { message: { content: { type: 'text', text: 'forward me' } } } });
      expect(calls).toBe(2);
    } finally {
      crm.close();
    }
  });
});

describe('plugins', () => {
  it('isolates an optional plugin that fails and reports it in /readyz', async () => {
    h = await startHost({ connectors: [{ package: '@switchboard/not-a-real-connector', accounts: [{ id: 'x', tenant: 't1', config: {} }] }, { package: './not-a-plugin.ts', accounts: [{ id: 'y', tenant: 't1', config: {} }] }] });
    const ready = await h.api<{ status: string; connectors: { package: string; state: string; error?: string }[] }>('/readyz', { key: '' });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.connectors).toEqual([
      expect.objectContaining({ package: './acme-plugin.ts', state: 'loaded' }),
      expect.objectContaining({ package: '@switchboard/not-a-real-connector', state: 'failed', error: expect.stringContaining('cannot be imported') }),
      expect.objectContaining({ package: './not-a-plugin.ts', state: 'failed', error: expect.stringContaining('apiVersion must be 1') }),
    ]);
    expect((await h.fake.deliver(h.webhookUrl, h.fake.userMessage({ userId: 'u1', text: 'still works' }))).status).toBe(200);
  });

  it('refuses to start when a required plugin fails, naming the bad config field', async () => {
    const config = configFromObject({ store: tempDatabase(),
      tenants: [{ id: 't1', apiKeys: [API_KEY] }],
      connectors: [{ package: './acme-plugin.ts', required: true, accounts: [{ id: 'main', config: { accountId: 'a', appSecret: 'short', accessToken: 't' } }] }],
    }, { baseDir: SUPPORT_DIR });
    const error = await createHost(config, { logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect((error as PluginLoadError).details).toMatchObject({ field: 'connectors[0].accounts[0].config.appSecret' });
  });

  it('refuses an account whose channel requires a human when routing reaches none', async () => {
    const apple = createAcmePlugin({ channel: 'acme-apple', requiresHumanEscalation: true });
    const fake = new FakeAcmeServer({ channel: 'acme-apple' });
    const raw = (routing?: object) => ({
      store: tempDatabase(),
      tenants: [{ id: 't1', apiKeys: [API_KEY], ...(routing ? { routing } : {}) }],
      connectors: [{ package: 'acme-apple', plugin: apple, accounts: [{ id: 'biz', config: { ...fake.connectorConfig(), apiBaseUrl: 'http://127.0.0.1:1' } }] }],
    });
    const refused = await createHost(configFromObject(raw()), { logger: silentLogger }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).field).toBe('tenants[0].routing');
    const host = await createHost(configFromObject(raw({ rules: [{ match: { channel: 'acme-apple' }, to: { queue: 'support' } }] })), { logger: silentLogger });
    expect(host.registry.get('acme-apple', 'biz')).toBeDefined();
    await host.stop();
  });
});

describe('REST API errors', () => {
  it('answers every bad input with a 4xx JSON error, never a 500', async () => {
    h = await startHost();
    const x = h;
    const cases: [string, RequestInit & { key?: string }, number, string][] = [
      ['/v1/conversations', { key: '' }, 401, 'UNAUTHORIZED'],
      ['/v1/conversations', { key: 'wrong-key-0123456789abcdef' }, 401, 'UNAUTHORIZED'],
      ['/v1/conversations?limit=abc', {}, 400, 'VALIDATION_FAILED'],
      ['/v1/conversations?status=closed', {}, 400, 'VALIDATION_FAILED'],
      ['/v1/conversations/nope', {}, 404, 'NOT_FOUND'],
      ['/v1/conversations/nope/assign', { method: 'POST', body: '{"agentId":' }, 400, 'BAD_JSON'],
      ['/v1/conversations/nope/assign', { method: 'POST', body: '{}' }, 400, 'VALIDATION_FAILED'],
      ['/v1/conversations/nope/messages', { method: 'POST', body: JSON.stringify({ content: { type: 'hologram' } }) }, 400, 'VALIDATION_FAILED'],
      ['/v1/contacts/nope/consent', {}, 404, 'NOT_FOUND'],
      ['/v1/events?streams=gossip', {}, 400, 'VALIDATION_FAILED'],
      ['/v1/nothing-here', {}, 404, 'NOT_FOUND'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await x.api<{ error: { code: string; message: string } }>(path, init);
      expect([path, res.status, res.body.error.code]).toEqual([path, status, code]);
      expect(typeof res.body.error.message).toBe('string');
    }
    const openapi = await x.api<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json', { key: '' });
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/conversations', '/v1/events', '/webhooks/{channel}/{account}']));
    expect((await x.api('/healthz', { key: '' })).body).toEqual({ status: 'ok' });
  });
});

describe('sandbox', () => {
  it('delivers a signed user message through the fake platform and answers it with the echo bot', async () => {
    const plugin = createAcmePlugin();
    const sandbox = await createSandbox({ database: tempDatabase('sandbox').path, packages: ['./acme-plugin.ts'], baseDir: SUPPORT_DIR, env: { SWITCHBOARD_API_KEY: API_KEY }, port: 0 });
    expect(sandbox.generatedKey).toBe(false);
    expect(plugin.channel).toBe('acme');
    const host = await createHost(sandbox.config, { logger: silentLogger, processor: { pollMs: 20 }, ...sandbox.hostOptions });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
      const res = await fetch(`${url}/sandbox/acme/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ userId: '1001', text: 'Hello' }) });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ delivered: true, webhookUrl: `${url}/webhooks/acme/sandbox` });
      const conversation = await eventually(async () => ((await (await fetch(`${url}/v1/conversations`, { headers: auth })).json()) as List<Conversation>).items[0]);
      const messages = await eventually(async () => {
        const items = ((await (await fetch(`${url}/v1/conversations/${conversation.id}/messages`, { headers: auth })).json()) as List<HostMessage>).items;
        return items.length === 2 ? items : undefined;
      });
      expect(messages.map((m) => [m.direction, (m.content as { text: string }).text])).toEqual([['inbound', 'Hello'], ['outbound', 'You said: Hello']]);
      const missing = await fetch(`${url}/sandbox/whatsapp/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ userId: '1', text: 'x' }) });
      expect(missing.status).toBe(404);
      const invalid = await fetch(`${url}/sandbox/acme/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ userId: '1' }) });
      expect(invalid.status).toBe(400);

      // the sandbox clock moves forward: 25 hours later the customer's window has closed
      const moved = await fetch(`${url}/sandbox/clock`, { method: 'POST', headers: auth, body: JSON.stringify({ advanceMinutes: 25 * 60 }) });
      expect(moved.status).toBe(200);
      expect(await moved.json()).toMatchObject({ aheadMs: 25 * 3_600_000 });
      expect(sandbox.clock.aheadMs).toBe(25 * 3_600_000); // read as an offset: two clock readings would race a stall
      expect((await fetch(`${url}/sandbox/clock`, { method: 'POST', headers: auth, body: JSON.stringify({ advanceMinutes: -5 }) })).status).toBe(400);
    } finally {
      await host.stop();
    }
  });
});

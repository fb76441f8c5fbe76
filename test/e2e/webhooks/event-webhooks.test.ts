/**
 * End-to-end: event webhooks for integrators, over real HTTP. An endpoint that answers 500 for an
 * hour of host clock, then recovers, receives every event exactly once, in order per conversation,
 * each signed as Standard Webhooks describes (verified with the documented algorithm, with either
 * secret of a rotation). The delivery log and manual redelivery over REST; another tenant gets 404.
 * All time is the injected manual clock's: the worker is driven with `drain()`, never raced.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Conversation } from '@switchboard/core';
import type { BotContext } from '@switchboard/host';
import { verifyStandardWebhook } from '@switchboard/host';
import { eventually, OTHER_KEY, startHost, type RunningHost } from '../support/host-harness.js';
import type { IntegrationsFeature } from '../../../host/src/webhooks/webhooks-feature.js';

interface Received { path: string | undefined; headers: IncomingHttpHeaders; body: string; answered: number }

const NEW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OLD_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let h: RunningHost | undefined;
let receiver: Server | undefined;
beforeEach(() => { process.env.SB_E2E_HOOK_NEW = NEW_SECRET; process.env.SB_E2E_HOOK_OLD = OLD_SECRET; });
afterEach(async () => {
  await h?.stop(); h = undefined;
  await new Promise<void>((r) => { if (receiver) receiver.close(() => r()); else r(); });
  receiver = undefined;
});

async function startReceiver(answer: () => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer();
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
      res.writeHead(status); res.end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/hooks`, received };
}

function integrations(x: RunningHost): IntegrationsFeature {
  return x.host.features.find((f) => f.name === 'integrations') as IntegrationsFeature;
}

describe('event webhooks', () => {
  it('an endpoint failing (500) for an hour then recovering gets every event once, in order per conversation, each signature verifiable', async () => {
    const clock = new ManualClock(Date.now());
    let failing = true;
    const { url, received } = await startReceiver(() => (failing ? 500 : 204));
    h = await startHost({
      tenant: {
        routing: { rules: [{ to: { queue: 'support' } }] },
        webhooks: {
          endpoints: [{ id: 'crm', url, events: ['message.received', 'conversation.opened', 'conversation.assigned', 'conversation.resolved', 'consent.changed'], secretEnv: ['SB_E2E_HOOK_NEW', 'SB_E2E_HOOK_OLD'] }],
          retry: { baseDelayMs: 10_000, maxDelayMs: 15 * 60_000, maxAgeMs: 24 * 3_600_000 },
        },
      },
      hostOptions: { clock },
    });
    const x = h;
    const feature = integrations(x);
    for (const [userId, text] of [['u1', 'one'], ['u2', 'uno'], ['u1', 'two'], ['u2', 'dos'], ['u1', 'three']] as const) {
      await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId, text }));
      await x.host.processor.idle();
    }
    const conversations = await eventually(async () => {
      const items = (await x.api<{ items: Conversation[] }>('/v1/conversations')).body.items;
      return items.length === 2 ? items : undefined;
    });
    for (const c of conversations) {
      expect((await x.api(`/v1/conversations/${c.id}/assign`, { method: 'POST', body: JSON.stringify({ agentId: 'agent-1' }) })).status).toBe(200);
    }
    expect((await x.api(`/v1/conversations/${conversations[0]!.id}/resolve`, { method: 'POST' })).status).toBe(200);
    await feature.publisher.flush();

    // an hour of host clock with the endpoint failing: attempts are made and logged, nothing is delivered
    const start = clock.now();
    while (clock.now() - start < 3_600_000) {
      await feature.dispatcher.drain();
      clock.advance(60_000);
    }
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.answered === 500)).toBe(true);
    failing = false;
    // recovered: within the retry cap every event goes out
    const recovered = clock.now();
    let pending = Infinity;
    while (pending > 0 && clock.now() - recovered < 2 * 3_600_000) {
      clock.advance(60_000);
      await feature.dispatcher.drain();
      pending = (await feature.store.listDeliveries('t1', 'crm', { state: 'pending', limit: 500 })).length;
    }
    expect(pending).toBe(0);

    const delivered = received.filter((r) => r.answered === 204);
    const stored = await feature.store.listDeliveries('t1', 'crm', { limit: 500 });
    // 5 messages, 2 opened, 4 assigned (each routed to the queue, then to the agent), 1 resolved
    expect(stored.filter((d) => d.type === 'message.received')).toHaveLength(5);
    expect(stored.filter((d) => d.type === 'conversation.opened')).toHaveLength(2);
    const assigned = stored.filter((d) => d.type === 'conversation.assigned').map((d) => (JSON.parse(d.body) as { data: { conversation: Conversation } }).data.conversation.assignee.kind);
    expect(assigned.sort()).toEqual(['agent', 'agent', 'queue', 'queue']);
    expect(stored.filter((d) => d.type === 'conversation.resolved')).toHaveLength(1);
    expect(stored.every((d) => d.state === 'delivered')).toBe(true);
    // exactly once: one accepted request per delivery, and no webhook-id twice
    const ids = delivered.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(stored.map((d) => d.id).sort());

    // every request (failed or not) verifies with the documented algorithm, with either secret of the rotation
    for (const r of received) {
      const nowMs = Number(r.headers['webhook-timestamp']) * 1000;
      expect(verifyStandardWebhook({ headers: r.headers as Record<string, string>, body: r.body, secrets: [NEW_SECRET], nowMs })).toMatchObject({ ok: true });
      expect(verifyStandardWebhook({ headers: r.headers as Record<string, string>, body: r.body, secrets: [OLD_SECRET], nowMs })).toMatchObject({ ok: true });
      expect(verifyStandardWebhook({ headers: r.headers as Record<string, string>, body: `${r.body} `, secrets: [NEW_SECRET], nowMs })).toMatchObject({ ok: false });
      expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    }

    // in order per conversation: the delivered events of each conversation arrive in the order they happened
    const bodies = delivered.map((r) => JSON.parse(r.body) as { id: string; type: string; timestamp: string; data: { conversation?: Conversation; message?: { conversationId: string; content: { text?: string } } } });
    for (const c of conversations) {
      const mine = bodies.filter((b) => (b.data.conversation?.id ?? b.data.message?.conversationId) === c.id);
      expect(mine.map((b) => b.id)).toEqual(mine.map((b) => b.id).sort());
      expect(mine[0]!.type).toBe('conversation.opened');
      const texts = mine.filter((b) => b.type === 'message.received').map((b) => (b.data as { message: { content: { text: string } } }).message.content.text);
      expect(texts).toEqual(c.address.userId === 'u1' ? ['one', 'two', 'three'] : ['uno', 'dos']);
    }

    // the delivery log over REST: the 500s with their latency, then the 2xx
    const log = await x.api<{ items: { deliveryId: string; attempt: number; status?: number; outcome: string; latencyMs: number }[] }>('/v1/webhook-endpoints/crm/attempts?limit=500');
    expect(log.status).toBe(200);
    expect(log.body.items.filter((a) => a.status === 500).every((a) => a.outcome === 'retry')).toBe(true);
    expect(log.body.items.filter((a) => a.outcome === 'delivered')).toHaveLength(stored.length);
    expect(log.body.items.length).toBe(received.length);
    // the endpoint as answered names no secret
    const endpoint = await x.api<Record<string, unknown>>('/v1/webhook-endpoints/crm');
    expect(endpoint.body).toMatchObject({ id: 'crm', source: 'config', enabled: true, secretCount: 2 });
    expect(JSON.stringify(endpoint.body)).not.toContain('SB_E2E_HOOK');
    // another tenant sees none of it
    expect((await x.api('/v1/webhook-endpoints/crm', { key: OTHER_KEY })).status).toBe(404);
    expect((await x.api('/v1/webhook-endpoints/crm/attempts', { key: OTHER_KEY })).status).toBe(404);

    // manual redelivery: the same webhook-id, once more
    const first = stored.at(-1)!;
    expect((await x.api(`/v1/webhook-endpoints/crm/deliveries/${first.id}/redeliver`, { method: 'POST', key: OTHER_KEY })).status).toBe(404);
    const again = await x.api<{ id: string; state: string }>(`/v1/webhook-endpoints/crm/deliveries/${first.id}/redeliver`, { method: 'POST' });
    expect(again).toMatchObject({ status: 202, body: { id: first.id, state: 'pending' } });
    await feature.dispatcher.drain();
    expect(received.at(-1)!.headers['webhook-id']).toBe(first.id);
    expect(received.at(-1)!.answered).toBe(204);
  });

  it('sends message.sent and message.status for a bot\'s reply, and consent.changed for a STOP, each to the endpoints subscribed', async () => {
    const clock = new ManualClock(Date.now());
    const { url, received } = await startReceiver(() => 200);
    class Greeter { async handle(ctx: BotContext): Promise<void> { if (ctx.text === 'hello') await ctx.reply('Hi there'); } }
    h = await startHost({
      bots: { greeter: Greeter },
      tenant: {
        routing: { rules: [{ to: { bot: 'greeter' } }] },
        webhooks: { endpoints: [
          { id: 'sends', url: `${url}/sends`, events: ['message.sent', 'message.status'], secretEnv: 'SB_E2E_HOOK_NEW' },
          { id: 'consent', url: `${url}/consent`, events: ['consent.changed'], secretEnv: 'SB_E2E_HOOK_NEW' },
        ] },
      },
      hostOptions: { clock },
    });
    const x = h;
    const feature = integrations(x);
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text: 'hello' }));
    await eventually(async () => {
      const c = (await x.api<{ items: Conversation[] }>('/v1/conversations')).body.items[0];
      if (!c) return undefined;
      const m = (await x.api<{ items: { direction: string; status: string }[] }>(`/v1/conversations/${c.id}/messages`)).body.items;
      return m.some((y) => y.direction === 'outbound' && y.status === 'sent') || undefined;
    });
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text: 'STOP' }));
    await x.host.processor.idle();
    await feature.publisher.flush();
    await feature.dispatcher.drain();
    const bodies = received.map((r) => JSON.parse(r.body) as { type: string; data: { status?: string; message?: { content: { text?: string } }; entry?: { action: string } } });
    const sent = bodies.filter((b) => b.type === 'message.sent');
    // the bot's reply (and the host's own answer to STOP, when it sends one), each once
    expect(sent.map((b) => b.data.message!.content.text)).toContain('Hi there');
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(received.length);
    expect(bodies.filter((b) => b.type === 'message.status').map((b) => b.data.status)).toContain('sent');
    const consent = bodies.filter((b) => b.type === 'consent.changed');
    expect(consent.length).toBeGreaterThanOrEqual(1);
    expect(consent.map((b) => b.data.entry!.action)).toContain('opt-out');
    // each endpoint got only the types it subscribed to
    for (const r of received) {
      const type = (JSON.parse(r.body) as { type: string }).type;
      expect(r.path).toBe(type === 'consent.changed' ? '/hooks/consent' : '/hooks/sends');
    }
  });

  it('manages endpoints over REST: created with env-named secrets (never answered), 410 disables, enabled resumes, redelivery by hand', async () => {
    const clock = new ManualClock(Date.now());
    let answer = 410;
    const { url, received } = await startReceiver(() => answer);
    h = await startHost({ tenant: { routing: { rules: [{ to: { queue: 'support' } }] } }, hostOptions: { clock } });
    const x = h;
    const feature = integrations(x);
    const bad = await x.api<{ error: { code: string } }>('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ id: 'ops', url, events: ['message.received'], secretEnv: ['SB_E2E_HOOK_NEW'], secret: 'inline' }) });
    expect(bad.status).toBe(400);
    expect((await x.api('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ id: 'ops', url: 'http://example.com/x', events: ['message.received'], secretEnv: ['SB_E2E_HOOK_NEW'] }) })).status).toBe(400);
    const created = await x.api<Record<string, unknown>>('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ id: 'ops', url, events: ['message.received'], secretEnv: ['SB_E2E_HOOK_NEW'] }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'ops', source: 'api', enabled: true, secretCount: 1 });
    expect(JSON.stringify(created.body)).not.toContain('SB_E2E_HOOK');
    expect((await x.api('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ id: 'ops', url, events: ['message.received'], secretEnv: ['SB_E2E_HOOK_NEW'] }) })).status).toBe(409);
    expect((await x.api('/v1/webhook-endpoints', { key: OTHER_KEY })).body).toEqual({ items: [] });

    const say = async (text: string): Promise<void> => {
      await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u1', text }));
      await x.host.processor.idle();
      await feature.publisher.flush();
      await feature.dispatcher.drain();
    };
    await say('first');
    expect(received).toHaveLength(1);
    const gone = await x.api<{ enabled: boolean; disabledReason: string }>('/v1/webhook-endpoints/ops');
    expect(gone.body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    const failed = await x.api<{ items: { id: string; state: string; failure: string; lastStatus: number }[] }>('/v1/webhook-endpoints/ops/deliveries');
    expect(failed.body.items).toEqual([expect.objectContaining({ state: 'failed', failure: 'gone', lastStatus: 410 })]);
    // a disabled endpoint is sent nothing, and queues nothing
    await say('while disabled');
    clock.advance(3_600_000);
    await feature.dispatcher.drain();
    expect(received).toHaveLength(1);
    expect((await x.api<{ items: unknown[] }>('/v1/webhook-endpoints/ops/deliveries')).body.items).toHaveLength(1);

    answer = 200;
    const resumed = await x.api<{ enabled: boolean }>('/v1/webhook-endpoints/ops', { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
    expect(resumed.body.enabled).toBe(true);
    await say('second');
    // the delivery that met the 410 is redelivered by hand; it keeps its webhook-id
    const redelivered = await x.api(`/v1/webhook-endpoints/ops/deliveries/${failed.body.items[0]!.id}/redeliver`, { method: 'POST' });
    expect(redelivered.status).toBe(202);
    await feature.dispatcher.drain();
    expect(received.map((r) => [r.answered, (JSON.parse(r.body) as { data: { message: { content: { text: string } } } }).data.message.content.text])).toEqual([[410, 'first'], [200, 'second'], [200, 'first']]);
    expect(received[2]!.headers['webhook-id']).toBe(received[0]!.headers['webhook-id']);
    expect((await x.api('/v1/webhook-endpoints/ops', { method: 'PATCH', body: JSON.stringify({ bogus: 1 }) })).status).toBe(400);
    expect((await x.api('/v1/webhook-endpoints/ops', { method: 'DELETE', key: OTHER_KEY })).status).toBe(404);
    expect((await x.api('/v1/webhook-endpoints/ops', { method: 'DELETE' })).status).toBe(204);
    expect((await x.api('/v1/webhook-endpoints/ops')).status).toBe(404);
  });
});

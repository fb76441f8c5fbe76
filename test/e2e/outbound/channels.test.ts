/**
 * The outbound path through the host, for every first-party channel, against its fake platform:
 * a reply inside the window goes out and its receipts come back; outside the window what the
 * channel's declared policy requires happens (free-form refused, an approved template or a tag
 * goes out); marketing without consent is refused; a customer who blocked the business is not
 * messaged again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Clock, type ConnectorPlugin, type Conversation, type FakePlatform } from '@switchboard/core';
import { API_SCOPES, configFromObject, createHost, type Host, type HostMessage } from '@switchboard/host';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'outbound-e2e-key-0123456789abcdef';
const DAY = 86_400_000;

/** Wall-clock time plus an offset a test can move forward; the host and the fake platform both run on it. */
class OffsetClock implements Clock {
  private offset = 0;
  now(): number { return Date.now() + this.offset; }
  advance(ms: number): void { this.offset += ms; }
}

type Reason = { code: string; source: string; message: string };
interface ChannelCase {
  channel: 'whatsapp' | 'messenger' | 'telegram' | 'viber' | 'apple';
  user: string;
  /** A second customer, who blocks the business. */
  blocker: string;
  /** What the platform calls a send (path suffix of the recorded request). */
  sendPath: RegExp;
  /** Receipts the platform reports for an outbound message (none: the platform has no receipts). */
  receipts: ('delivered' | 'read')[];
  /** Outside the window: the free-form refusal's reason codes, or undefined when free-form stays allowed. */
  outsideWindow?: string[];
  /** Outside the window: what goes out instead. */
  instead?: 'template' | 'human-agent-tag';
  /** How the customer blocks the business on this platform. */
  block: (fake: FakePlatform, host: Host, url: string, user: string) => Promise<void>;
}

const api = async <T>(url: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
};

const CASES: ChannelCase[] = [
  {
    channel: 'whatsapp', user: '4915112345678', blocker: '4915187654321', sendPath: /\/messages$/, receipts: ['delivered', 'read'],
    outsideWindow: ['WINDOW_CLOSED', 'TEMPLATE_REQUIRED'], instead: 'template',
    // WhatsApp reports no block to the business: the customer tells an agent, who records it
    block: async (_fake, _host, url, user) => {
      const contact = (await api<{ items: { id: string; addresses: { userId: string }[] }[] }>(url, '/v1/contacts')).body.items.find((c) => c.addresses.some((a) => a.userId === user))!;
      expect((await api(url, `/v1/contacts/${contact.id}/consent`, { body: { action: 'blocked', channel: 'whatsapp', evidence: { detail: 'customer asked by phone' } } })).status).toBe(201);
    },
  },
  {
    channel: 'messenger', user: '6800000000000001', blocker: '6800000000000002', sendPath: /\/messages$/, receipts: ['delivered', 'read'],
    outsideWindow: ['WINDOW_CLOSED'], instead: 'human-agent-tag',
    // the page is blocked: the Send API answers #551, the dispatcher records the block
    block: async (fake, _host, _url, user) => { (fake as unknown as { blockUser(id: string): void }).blockUser(user); },
  },
  {
    channel: 'telegram', user: '1111111', blocker: '2222222', sendPath: /\/sendMessage$/, receipts: [],
    block: async (fake, _host, _url, user) => { (fake as unknown as { blockUser(id: string): void }).blockUser(user); },
  },
  {
    channel: 'viber', user: 'vK6cLmD4PQ1t1AqrvvA1kw==', blocker: 'dL9sQ2mW7XrY0bZcTe3u1g==', sendPath: /\/send_message$/, receipts: ['delivered', 'read'],
    block: async (fake, _host, url, user) => {
      const f = fake as unknown as { unsubscribedEvent(id: string): import('@switchboard/core').SignedWebhook };
      expect((await fake.deliver(`${url}/webhooks/viber/main`, f.unsubscribedEvent(user))).status).toBe(200);
    },
  },
  {
    channel: 'apple', user: 'urn:mbid:AQAAY7i1dYGrbjOPLpnLwplfdCnm9kM1z9G6f6p8A6cD0Fj5QA4k6IOtWHvbjv1kdP4m9Vr2', blocker: 'urn:mbid:AQAAY7i1dYGrbjOPLpnLwplfdCnm9kM1z9G6f6p8A6cD0Fj5QA4k6IOtWHvbjv1kdP4m9Vr3', sendPath: /\/message$/, receipts: [],
    outsideWindow: undefined,
    block: async (fake, _host, url, user) => {
      const f = fake as unknown as { close(id: string): import('@switchboard/core').SignedWebhook };
      expect((await fake.deliver(`${url}/webhooks/apple/main`, f.close(user))).status).toBe(200);
    },
  },
];

describe.each(CASES)('outbound through the host: $channel', (c) => {
  let fake: FakePlatform;
  let host: Host;
  let url: string;
  const clock = new OffsetClock();
  let conversation: Conversation;
  const sends = (): number => fake.requests.filter((r) => r.method === 'POST' && c.sendPath.test(r.path)).length;
  const stored = async (id: string, conversationId = conversation.id): Promise<HostMessage | undefined> => {
    const list = (await api<{ items: HostMessage[] }>(url, `/v1/conversations/${conversationId}/messages`)).body.items;
    return list.find((m) => m.id === id);
  };
  /** Every webhook delivered so far has been processed (the inbox is written before the 200, processed after). */
  const inboxDrained = async (): Promise<boolean> => { const n = await host.stores.inbox.counts('shop'); return n.pending + n.processing === 0; };
  /** Nothing is left to send: every outbox entry is sent, failed or cancelled. */
  const outboxDrained = async (): Promise<boolean> => { const n = await host.stores.outbox.counts('shop'); return n.pending + n.leased === 0; };
  const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    api<{ id?: string; status?: string; form?: unknown; price?: unknown; conversationId?: string; error?: { code: string; reasons: Reason[] } }>(url, '/v1/messages', {
      body: { channel: c.channel, accountId: 'main', userId: c.user, sender: 'agent', purpose: 'service', ...body }, headers,
    });

  beforeAll(async () => {
    const plugin = (await import(`@switchboard/${c.channel}`)).default as ConnectorPlugin;
    fake = plugin.fake!({ clock });
    await fake.start();
    host = await createHost(configFromObject({ store: tempDatabase(),
      logLevel: 'silent',
      // the agents' helpdesk: its key may send as a human (HUMAN_AGENT), which a plain key may not
      tenants: [{ id: 'shop', apiKeys: [{ key: KEY, scopes: [...API_SCOPES] }], routing: { escalationQueue: 'support' } }],
      connectors: [{ package: `@switchboard/${c.channel}`, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, clock, processor: { pollMs: 20, retryBaseMs: 20 }, outbound: { dispatcher: { pollMs: 20 } } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    expect((await fake.deliver(`${url}/webhooks/${c.channel}/main`, fake.userMessage({ userId: c.user, text: 'Is my car ready?', name: 'Ada' }))).status).toBe(200);
    conversation = await eventually(async () => (await api<{ items: Conversation[] }>(url, '/v1/conversations')).body.items.find((x) => x.address.userId === c.user && x.lastInboundAt));
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  it('sends a reply inside the window and applies its receipts in order', async () => {
    const before = sends();
    const answer = await send({ content: { type: 'text', text: 'Your vehicle is being cleaned and will be ready shortly.' } });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'queued', form: { kind: 'free-form' }, price: { amount: 0 } });
    const sent = await eventually(async () => { const m = await stored(answer.body.id!); return m?.status === 'sent' ? m : undefined; });
    expect(sent.externalId).toBeTruthy();
    expect(sends()).toBe(before + 1);
    expect((await host.stores.conversations.get('shop', conversation.id))).toMatchObject({ outboundSinceInbound: 1 });
    expect((await host.stores.conversations.get('shop', conversation.id))!.firstResponseAt).toBeInstanceOf(Date);
    if (c.receipts.length === 0) return; // the platform reports no delivery receipts to the business
    const hook = `${url}/webhooks/${c.channel}/main`;
    // read first, then a late delivered: the status never moves backwards
    expect((await fake.deliver(hook, fake.statusUpdate!({ userId: c.user, externalId: sent.externalId!, status: 'read' }))).status).toBe(200);
    await eventually(async () => (await stored(sent.id))?.status === 'read');
    expect((await fake.deliver(hook, fake.statusUpdate!({ userId: c.user, externalId: sent.externalId!, status: 'delivered' }))).status).toBe(200);
    // the late receipt was processed (not merely not yet): and the status stayed
    await eventually(inboxDrained);
    expect((await stored(sent.id))?.status).toBe('read');
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const before = sends();
    const body = { content: { type: 'text', text: 'Idempotent hello' } };
    const first = await send(body, { 'idempotency-key': `k-${c.channel}` });
    const again = await send(body, { 'idempotency-key': `k-${c.channel}` });
    expect(first.status).toBe(202);
    expect(again).toEqual(first);
    expect((await send({ content: { type: 'text', text: 'another body' } }, { 'idempotency-key': `k-${c.channel}` })).status).toBe(409);
    // WhatsApp paces a pair (business, customer) at one message per 6 s: allow for it
    await eventually(async () => (await stored(first.body.id!))?.status === 'sent', 15_000);
    // nothing else is waiting to go out, so no second send can still come
    await eventually(outboxDrained);
    expect(sends()).toBe(before + 1);
  });

  it('refuses marketing without the customer\'s consent, naming the reason and its source', async () => {
    const before = sends();
    const answer = await send({ purpose: 'marketing', content: { type: 'text', text: '20 % off winter tyres this week' } });
    expect(answer.status).toBe(422);
    expect(answer.body.error!.code).toBe('POLICY_DENIED');
    expect(answer.body.error!.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'NO_CONSENT' })]));
    expect(sends()).toBe(before);
  });

  it('does not message a customer who blocked the business again', async () => {
    // platforms stamp messages in whole seconds: block in a later second than the customer's last
    // message, or a reply to it would still be allowed
    expect((await fake.deliver(`${url}/webhooks/${c.channel}/main`, fake.userMessage({ userId: c.blocker, text: 'When do you open?' }))).status).toBe(200);
    const theirs = await eventually(async () => (await api<{ items: Conversation[] }>(url, '/v1/conversations')).body.items.find((x) => x.address.userId === c.blocker && x.lastInboundAt));
    clock.advance(Math.max(0, Date.parse(String(theirs.lastInboundAt)) + 1_100 - clock.now()));
    await c.block(fake, host, url, c.blocker);
    // the platform's refusal (or signal) lands in the ledger; from then on the policy refuses
    const attempt = await send({ userId: c.blocker, content: { type: 'text', text: 'Are you still there?' } });
    if (attempt.status === 202) {
      const failed = await eventually(async () => { const m = await stored(attempt.body.id!, theirs.id); return m?.status === 'failed' ? m : undefined; });
      expect(failed.error?.code).toBe('RECIPIENT_BLOCKED');
    }
    const before = sends();
    const refused = await eventually(async () => { const r = await send({ userId: c.blocker, content: { type: 'text', text: 'Hello again' } }); return r.status === 422 ? r : undefined; });
    expect(refused.body.error!.reasons.map((r) => r.code).some((code) => ['BLOCKED', 'CONVERSATION_CLOSED', 'OPTED_OUT'].includes(code))).toBe(true);
    expect(sends()).toBe(before);
  });

  it('outside the window does what the channel requires', async () => {
    // the last test of each channel: the clock only moves forward, and every budget keeps its bookings
    clock.advance(DAY + 3_600_000);
    {
      const freeForm = { content: { type: 'text', text: 'Your car is ready.' } };
      const evaluated = await api<{ allowed: boolean; decision: { reasons?: Reason[] }; explanation: string }>(url, '/v1/policy/evaluate', {
        body: { channel: c.channel, accountId: 'main', userId: c.user, sender: 'agent', purpose: 'service', ...freeForm },
      });
      expect(evaluated.status).toBe(200);
      expect(evaluated.body.explanation).toEqual(expect.any(String));
      if (!c.outsideWindow) {
        expect(evaluated.body.allowed).toBe(true);
        return;
      }
      expect(evaluated.body.allowed).toBe(false);
      const refused = await send(freeForm);
      expect(refused.status).toBe(422);
      expect(refused.body.error!.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(c.outsideWindow));
      const before = sends();
      if (c.instead === 'template') {
        const t = await api<{ id: string; status: string }>(url, '/v1/templates', { body: { channel: c.channel, name: 'vehicle_ready', language: 'en_US', category: 'utility', body: 'Hello {{1}}, your vehicle {{2}} is ready for collection.' } });
        expect(t.status).toBe(201);
        const template = { type: 'template', name: 'vehicle_ready', language: 'en_US', category: 'utility', parameters: [{ text: 'Ada' }, { text: 'B-SW 123' }] };
        // a draft does not pass; submitted (pending review) does not either
        expect((await send({ purpose: 'transactional', content: template })).body.error!.reasons.map((r) => r.code)).toContain('TEMPLATE_NOT_APPROVED');
        expect((await api<{ status: string }>(url, `/v1/templates/${t.body.id}/submit`, { body: { examples: ['Ada', 'B-SW 123'] } })).body.status).toBe('submitted');
        (fake as unknown as { approveTemplate(name: string): number }).approveTemplate('vehicle_ready');
        expect((await api<{ changed: { status: string }[] }>(url, '/v1/templates/sync', { body: {} })).body.changed).toEqual([expect.objectContaining({ status: 'approved' })]);
        // transactional needs consent on WhatsApp: the customer opted in to vehicle updates
        const contact = (await api<{ items: { id: string; addresses: { userId: string }[] }[] }>(url, '/v1/contacts')).body.items.find((x) => x.addresses.some((a) => a.userId === c.user))!;
        await api(url, `/v1/contacts/${contact.id}/consent`, { body: { action: 'opt-in', purpose: 'transactional', topic: 'vehicle updates', channel: c.channel, evidence: { detail: 'checkbox on the service order' } } });
        const sent = await send({ purpose: 'transactional', topic: 'vehicle updates', content: template });
        expect(sent.status).toBe(202);
        expect(sent.body.form).toEqual({ kind: 'template', category: 'utility' });
        await eventually(async () => (await stored(sent.body.id!))?.status === 'sent');
        const request = fake.requests.filter((r) => r.method === 'POST' && c.sendPath.test(r.path)).at(-1)!;
        expect(request.body).toMatchObject({ type: 'template', template: { name: 'vehicle_ready', language: { code: 'en_US' } } });
      } else {
        const sent = await send({ tag: 'HUMAN_AGENT', ...freeForm });
        expect(sent.status).toBe(202);
        expect(sent.body.form).toEqual({ kind: 'tag', tag: 'HUMAN_AGENT' });
        await eventually(async () => (await stored(sent.body.id!))?.status === 'sent');
        const request = fake.requests.filter((r) => r.method === 'POST' && c.sendPath.test(r.path)).at(-1)!;
        expect(request.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
      }
      expect(sends()).toBe(before + 1);
    }
  });

});

/**
 * One outbound port: every send of the host — the REST API, a bot's reply, the agent console and a
 * notification — goes through the `OutboundGateway` the host is given (`HostOptions.gateway`). The
 * installed port here records each request and hands it to the host's own (policy, decision record,
 * outbox), so the sends still happen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startConsoleHost, type ConsoleHost } from '../console/__fixtures__/console-host.js';
import type { OutboundGateway, OutboundRequest } from './outbound-gateway.js';
import { OutboundRuntime } from './outbound-runtime.js';

const seen: OutboundRequest[] = [];
let h: ConsoleHost;

beforeAll(async () => {
  h = await startConsoleHost(
    { seedAgents: [{ tenantId: 'shop', email: 'ada@shop.io', password: 'admin password 1', name: 'Ada' }] },
    {
      gateway: ({ container }) => {
        const inner = container.get<OutboundRuntime>(OutboundRuntime).gateway;
        const recording: OutboundGateway = { send: async (request) => { seen.push(request); return inner.send(request); } };
        return recording;
      },
    },
  );
});
afterAll(async () => { await h?.stop(); });

const conversationOf = async (userId: string): Promise<string> => eventually(async () => (await h.api<{ items: { id: string; address: { userId: string } }[] }>('/v1/conversations')).body.items.find((c) => c.address.userId === userId)?.id);

describe('every send passes the one outbound port', () => {
  it('a bot\'s reply', async () => {
    await h.customerWrites('whatsapp', '4915100000001', 'hello');
    const reply = await eventually(() => seen.find((r) => r.sender === 'bot'));
    expect(reply).toMatchObject({ tenantId: 'shop', sender: 'bot', content: { type: 'text', text: 'You said: hello' } });
    expect(reply.conversationId).toBe(await conversationOf('4915100000001'));
  });

  it('the REST API: POST /v1/messages and POST /v1/conversations/:id/messages', async () => {
    const conversationId = await conversationOf('4915100000001');
    const before = seen.length;
    const sent = await h.api('/v1/messages', { method: 'POST', body: JSON.stringify({ channel: 'whatsapp', accountId: 'main', userId: '4915100000001', content: { type: 'text', text: 'Your order is ready' }, purpose: 'service', sender: 'bot' }) });
    expect(sent.status).toBe(202);
    const inConversation = await h.api(`/v1/conversations/${conversationId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'We open at nine', sender: 'bot' }) });
    expect(inConversation.status).toBe(202);
    expect(seen.slice(before)).toEqual([
      expect.objectContaining({ tenantId: 'shop', channel: 'whatsapp', accountId: 'main', userId: '4915100000001', content: { type: 'text', text: 'Your order is ready' }, via: 'api' }),
      expect.objectContaining({ tenantId: 'shop', conversationId, content: { type: 'text', text: 'We open at nine' } }),
    ]);
    // the answers come from the host's port behind the recording one: queued, with a decision record
    expect(sent.body).toMatchObject({ status: 'queued', conversationId, decisionId: expect.any(String) });
    expect(inConversation.body).toMatchObject({ status: 'queued', id: expect.any(String) });
  });

  it('the agent console', async () => {
    const conversationId = await conversationOf('4915100000001');
    const agent = h.browser();
    expect((await agent.login('ada@shop.io', 'admin password 1')).status).toBe(200);
    const before = seen.length;
    const sent = await agent.call(`/conversations/${conversationId}/messages`, { body: { text: 'Ada here, how can I help?' } });
    expect(sent.status).toBe(202);
    expect(seen.slice(before)).toEqual([
      expect.objectContaining({ tenantId: 'shop', conversationId, sender: 'agent', content: { type: 'text', text: 'Ada here, how can I help?' } }),
    ]);
  });

  it('a notification, once per recipient', async () => {
    const before = seen.length;
    const answer = await h.api('/v1/notifications', {
      method: 'POST',
      body: JSON.stringify({
        channel: 'whatsapp', accountId: 'main', purpose: 'transactional', topic: 'orders',
        content: { type: 'template', name: 'order_ready', language: 'en_US', category: 'utility' },
        recipients: [{ userId: '4915100000001' }, { userId: '4915100000002' }],
      }),
    });
    expect(answer.body.results).toHaveLength(2);
    expect(seen.slice(before)).toEqual(['4915100000001', '4915100000002'].map((userId) => expect.objectContaining({
      tenantId: 'shop', userId, sender: 'system', via: 'notification', broadcast: true, content: expect.objectContaining({ type: 'template', name: 'order_ready' }),
    })));
  });
});

import { describe, expect, it } from 'vitest';
import { Connector, ManualClock, connectorOptionsToken } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import { parseConfig } from './config.js';
import { ViberConnector } from './viber-connector.js';
import { plugin } from './viber-plugin.js';
import { callbacks } from './__fixtures__/callbacks.js';
import { BASE_CONFIG, signedRequest } from './__fixtures__/helpers.js';

describe('welcome message (webhookResponse)', () => {
  const welcome = new ViberConnector(parseConfig({ ...BASE_CONFIG, botAvatar: 'https://example.com/a.jpg', welcomeMessage: {
    type: 'interactive', body: 'Welcome to the workshop!', quickReplies: [{ id: 'status', title: 'Car status' }],
  } }));

  it('answers conversation_started with the welcome message body: send_message fields without receiver', () => {
    const events = welcome.parse(signedRequest(callbacks.conversationStarted));
    const answer = welcome.webhookResponse(events);
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(answer!.body)).toEqual({
      sender: { name: 'Workshop Bot', avatar: 'https://example.com/a.jpg' },
      type: 'text', text: 'Welcome to the workshop!',
      keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: [{ Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'status', Text: 'Car status', TextSize: 'regular' }] },
    });
  });

  it('answers nothing special for other callbacks', () => {
    expect(welcome.webhookResponse(welcome.parse(signedRequest(callbacks.text)))).toBeUndefined();
    expect(welcome.webhookResponse([])).toBeUndefined();
  });

  it('answers nothing special without a configured welcome message', () => {
    const plain = new ViberConnector(parseConfig(BASE_CONFIG));
    expect(plain.webhookResponse(plain.parse(signedRequest(callbacks.conversationStarted)))).toBeUndefined();
  });
});

describe('render (pure)', () => {
  const connector = new ViberConnector(parseConfig(BASE_CONFIG));
  const to = { channel: 'viber', accountId: 'workshopbot', userId: 'u1' };

  it('returns the first part with the rest as followUps and says how it rendered', () => {
    const req = connector.render({ id: 'm', to, content: { type: 'text', text: `${'a'.repeat(6999)}. ${'b'.repeat(7001)}` } });
    expect(req).toMatchObject({
      method: 'POST', url: 'https://chatapi.viber.com/pa/send_message',
      headers: { 'X-Viber-Auth-Token': BASE_CONFIG.authToken, 'content-type': 'application/json' },
      rendering: { form: 'native', parts: 3 },
    });
    expect(req.followUps).toHaveLength(2);
    expect(req.followUps!.every((f) => f.url === req.url)).toBe(true);
  });

  it('splits a broadcast into one call per 300 recipients and part, in recipient order', () => {
    const recipients = Array.from({ length: 650 }, (_, i) => `u${i}`);
    const req = connector.render({ id: 'm', to, content: { type: 'text', text: 'News' }, broadcastTo: [...recipients, 'u0'] });
    const calls = [req, ...(req.followUps ?? [])];
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill('https://chatapi.viber.com/pa/broadcast_message'));
    expect(calls.map((c) => (c.body as { broadcast_list: string[] }).broadcast_list.length)).toEqual([300, 300, 50]);
    expect(req.rendering).toEqual({ form: 'native', parts: 3 });
  });

  it('is pure: rendering twice gives the same request', () => {
    const msg = { id: 'm', to, content: { type: 'text' as const, text: 'x' } };
    expect(connector.render(msg)).toEqual(connector.render(msg));
  });
});

describe('send uses the injected clock and fetch', () => {
  it('stamps acceptedAt from the clock and sends through deps.fetch', async () => {
    const calls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response('{"status":0,"status_message":"ok","message_token":5741311803571721099,"chat_hostname":"SN-CHAT-05_"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const clock = new ManualClock(Date.parse('2026-11-01T10:00:00Z'));
    const connector = new ViberConnector(parseConfig(BASE_CONFIG), { fetch: fetchStub, clock });
    const result = await connector.send({ id: 'm', to: { channel: 'viber', accountId: 'workshopbot', userId: 'u1' }, content: { type: 'text', text: 'x' } });
    expect(result).toMatchObject({ externalId: '5741311803571721099', acceptedAt: new Date('2026-11-01T10:00:00Z') });
    expect(calls).toEqual(['https://chatapi.viber.com/pa/send_message']);
  });
});

describe('module(config)', () => {
  it('binds the options token and the connector', async () => {
    const config = parseConfig(BASE_CONFIG);
    const container = new Container();
    await container.load(plugin.module(config));
    expect(container.get(connectorOptionsToken('viber'))).toBe(config);
    const connector = container.get<Connector>(Connector);
    expect(connector.channel).toBe('viber');
    expect(connector.accountId).toBe('workshopbot');
  });
});

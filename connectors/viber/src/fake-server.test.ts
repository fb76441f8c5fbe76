import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, hmacSha256Hex, type RawWebhook, type SignedWebhook } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeViberServer, viberSandboxConfig } from './fake-viber-server.js';
import { ViberConnector } from './viber-connector.js';
import { plugin } from './viber-plugin.js';

const fake = new FakeViberServer({ config: { ...viberSandboxConfig } });
const USER = 'jc9HsWTZ2Yf2NkRZ8KcNug==';
const sender = { name: 'Switchboard Sandbox' };

beforeAll(async () => { await fake.start(); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); fake.subscribe(USER); });

async function call(path: string, body: unknown, token: string | null = viberSandboxConfig.authToken): Promise<{ http: number; text: string; json: Record<string, unknown> }> {
  const res = await fetch(`${fake.url}/pa/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { 'X-Viber-Auth-Token': token } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { http: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

const raw = (w: SignedWebhook): RawWebhook => ({
  method: 'POST', path: '/webhooks/viber', query: {}, body: w.body,
  headers: Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k.toLowerCase(), v])),
});

describe('fake Viber API: requests', () => {
  it('answers a valid send_message with status 0 and a 64-bit message_token written as a JSON number', async () => {
    const { http, text, json } = await call('send_message', { receiver: USER, type: 'text', text: 'Hi', sender });
    expect(http).toBe(200);
    expect(json).toMatchObject({ status: 0, status_message: 'ok', chat_hostname: 'SN-CHAT-05_' });
    expect(text).toMatch(/"message_token":\d{19}[,}]/);
  });

  it('answers status 2 without or with a wrong auth token (HTTP 200, as Viber does)', async () => {
    expect((await call('send_message', { receiver: USER, type: 'text', text: 'Hi', sender }, null)).json).toEqual({ status: 2, status_message: 'missing_auth_token' });
    expect((await call('send_message', { receiver: USER, type: 'text', text: 'Hi', sender }, 'wrong')).json).toEqual({ status: 2, status_message: 'invalidAuthToken' });
  });

  it.each<[string, number, unknown]>([
    ['non-JSON', 3, '{"receiver":'],
    ['a missing receiver', 4, { type: 'text', text: 'Hi', sender }],
    ['a missing sender', 4, { receiver: USER, type: 'text', text: 'Hi' }],
    ['a sender name over 28 characters', 3, { receiver: USER, type: 'text', text: 'Hi', sender: { name: 'x'.repeat(29) } }],
    ['an unknown type', 3, { receiver: USER, type: 'hologram', sender }],
    ['a missing text', 4, { receiver: USER, type: 'text', sender }],
    ['text over 7,000 characters', 3, { receiver: USER, type: 'text', text: 'x'.repeat(7001), sender }],
    ['a picture text over 120 characters', 3, { receiver: USER, type: 'picture', text: 'x'.repeat(121), media: 'https://e.com/a.jpg', sender }],
    ['a video without size', 4, { receiver: USER, type: 'video', media: 'https://e.com/a.mp4', sender }],
    ['a file without file_name', 4, { receiver: USER, type: 'file', media: 'https://e.com/a.pdf', size: 10, sender }],
    ['a contact phone over 18 characters', 3, { receiver: USER, type: 'contact', contact: { name: 'A', phone_number: '1'.repeat(19) }, sender }],
    ['rich media without min_api_version 2', 14, { receiver: USER, type: 'rich_media', rich_media: { Buttons: [{ ActionBody: 'x' }] }, sender }],
    ['a keyboard button with an unknown action', 3, { receiver: USER, type: 'text', text: 'x', sender, keyboard: { Type: 'keyboard', Buttons: [{ ActionType: 'fly', ActionBody: 'x' }] } }],
    ['tracking_data over 4,000 characters', 3, { receiver: USER, type: 'text', text: 'x', sender, tracking_data: 'x'.repeat(4001) }],
  ])('refuses %s with status %i', async (_name, status, body) => {
    const { http, json } = await call('send_message', body);
    expect(http).toBe(200);
    expect(json.status).toBe(status);
  });

  it('refuses users who are not subscribed (6) or no longer registered (5)', async () => {
    expect((await call('send_message', { receiver: 'stranger', type: 'text', text: 'Hi', sender })).json).toEqual({ status: 6, status_message: 'notSubscribed' });
    fake.deregister(USER);
    expect((await call('send_message', { receiver: USER, type: 'text', text: 'Hi', sender })).json).toEqual({ status: 5, status_message: 'receiverNotRegistered' });
  });

  it('answers 404 for an unknown method and 405 for GET', async () => {
    expect((await fetch(`${fake.url}/pa/nope`, { method: 'POST', headers: { 'X-Viber-Auth-Token': viberSandboxConfig.authToken }, body: '{}' })).status).toBe(404);
    expect((await fetch(`${fake.url}/pa/send_message`)).status).toBe(405);
  });

  it('broadcast_message: at most 300 receivers, failed_list for those not subscribed', async () => {
    const tooMany = Array.from({ length: 301 }, (_, i) => `u${i}`);
    expect((await call('broadcast_message', { broadcast_list: tooMany, type: 'text', text: 'x', sender })).json.status).toBe(3);
    expect((await call('broadcast_message', { type: 'text', text: 'x', sender })).json.status).toBe(4);
    const { json } = await call('broadcast_message', { broadcast_list: [USER, 'stranger'], type: 'text', text: 'x', sender });
    expect(json).toMatchObject({ status: 0, status_message: 'ok', failed_list: [{ receiver: 'stranger', status: 6, status_message: 'notSubscribed' }] });
  });

  it('get_account_info describes the bot', async () => {
    const { json } = await call('get_account_info', {});
    expect(json).toMatchObject({ status: 0, status_message: 'ok', name: viberSandboxConfig.botName, uri: viberSandboxConfig.accountId, subscribers_count: 1 });
  });
});

describe('fake Viber API: throttling', () => {
  it('answers status 12 after 100 messages to a user within an hour without a reply, until the user writes', async () => {
    for (let i = 0; i < 100; i++) expect((await call('send_message', { receiver: USER, type: 'text', text: `m${i}`, sender })).json.status).toBe(0);
    const limited = await call('send_message', { receiver: USER, type: 'text', text: 'one more', sender });
    expect(limited.json).toMatchObject({ status: 12, status_message: 'Too many requests' });
    expect(limited.text).toMatch(/"message_token":\d+/);
    fake.userMessage({ userId: USER, text: 'thanks' });
    expect((await call('send_message', { receiver: USER, type: 'text', text: 'again', sender })).json.status).toBe(0);
  });

  it('lets the hour pass on the platform clock', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
    const timed = new FakeViberServer({ config: { ...viberSandboxConfig }, clock, receipts: { enabled: false } });
    await timed.start();
    try {
      timed.subscribe(USER);
      const send = async () => (await (await fetch(`${timed.url}/pa/send_message`, {
        method: 'POST', headers: { 'X-Viber-Auth-Token': viberSandboxConfig.authToken, 'content-type': 'application/json' },
        body: JSON.stringify({ receiver: USER, type: 'text', text: 'x', sender }),
      })).json() as { status: number }).status;
      for (let i = 0; i < 100; i++) await send();
      expect(await send()).toBe(12);
      clock.advance(3_600_000);
      expect(await send()).toBe(0);
    } finally {
      await timed.stop();
    }
  });
});

describe('fake Viber API: set_webhook checks the URL with a signed webhook callback', () => {
  let hook: Server;
  let hookUrl = '';
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let answer = 200;
  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }); res.writeHead(answer).end(); });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/viber/${viberSandboxConfig.accountId}`;
  });
  afterAll(async () => { await new Promise<void>((r) => hook.close(() => r())); });
  afterEach(() => { received.length = 0; answer = 200; });

  it('accepts a URL that answers the check with 200, and the check verifies and parses to nothing', async () => {
    const { json } = await call('set_webhook', { url: hookUrl, event_types: ['delivered', 'seen'] });
    expect(json).toEqual({ status: 0, status_message: 'ok', event_types: ['delivered', 'seen'] });
    expect(fake.webhookUrl).toBe(hookUrl);
    const connector = new ViberConnector(parseConfig(fake.connectorConfig()));
    const check: RawWebhook = { method: 'POST', path: '/', query: {}, headers: { 'x-viber-content-signature': String(received[0]!.headers['x-viber-content-signature']) }, body: Buffer.from(received[0]!.body) };
    expect(connector.handshake(check)).toEqual({ status: 200, body: '' });
    expect(connector.parse(check)).toEqual([]);
  });

  it('the connector\'s setWebhook makes the exact set_webhook call and the fake accepts it', async () => {
    const connector = new ViberConnector(parseConfig(fake.connectorConfig()));
    expect(connector.renderSetWebhook({ url: hookUrl })).toEqual({
      method: 'POST', url: `${fake.url}/pa/set_webhook`,
      headers: { 'X-Viber-Auth-Token': viberSandboxConfig.authToken, 'content-type': 'application/json' },
      body: { url: hookUrl, event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'], send_name: true, send_photo: true },
    });
    expect(await connector.setWebhook({ url: hookUrl, eventTypes: ['delivered'], sendPhoto: false })).toEqual({ url: hookUrl, summary: 'set_webhook ok (event types: delivered)', eventTypes: ['delivered'] });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/pa/set_webhook', body: { url: hookUrl, event_types: ['delivered'], send_name: true, send_photo: false } });
    expect(fake.webhookUrl).toBe(hookUrl);
    answer = 500;
    await expect(connector.setWebhook({ url: hookUrl })).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });

  it('refuses a URL that does not answer 200 (status 1) and a non-HTTPS public URL', async () => {
    answer = 500;
    expect((await call('set_webhook', { url: hookUrl })).json).toMatchObject({ status: 1 });
    expect((await call('set_webhook', { url: 'http://example.com/hook' })).json).toMatchObject({ status: 1, status_message: 'invalidUrl' });
    expect((await call('set_webhook', {})).json).toMatchObject({ status: 4 });
  });
});

describe('fake Viber API: signed callbacks the connector verifies and parses', () => {
  const connector = new ViberConnector(parseConfig({ ...viberSandboxConfig, apiBaseUrl: 'http://127.0.0.1:1/pa' }));
  const parsed = (w: SignedWebhook) => { const r = raw(w); connector.verify(r); return connector.parse(r); };

  it('userMessage → a text message event, subscribing the user', () => {
    fake.unsubscribe('new-user');
    expect(parsed(fake.userMessage({ userId: 'new-user', text: 'Is my car ready?', name: 'Ada' }))).toEqual([expect.objectContaining({
      kind: 'message', userId: 'new-user', content: { type: 'text', text: 'Is my car ready?' }, profile: expect.objectContaining({ name: 'Ada' }),
    })]);
    expect(fake.isSubscribed('new-user')).toBe(true);
  });

  it('userMessageOf → any message type', () => {
    const w = fake.userMessageOf({ id: USER }, { type: 'location', location: { lat: 1.5, lon: 2.5 } }, '4912661846655238145');
    expect(parsed(w)[0]).toMatchObject({ externalId: '4912661846655238145', content: { type: 'location', latitude: 1.5, longitude: 2.5 } });
  });

  it('statusUpdate → delivered, read (seen) and failed receipts for the exact token', () => {
    const token = '5741311803571721099';
    expect(parsed(fake.statusUpdate({ userId: USER, externalId: token, status: 'delivered' }))[0]).toMatchObject({ kind: 'status', status: 'delivered', externalId: token });
    expect(parsed(fake.statusUpdate({ userId: USER, externalId: token, status: 'read' }))[0]).toMatchObject({ kind: 'status', status: 'read' });
    expect(parsed(fake.statusUpdate({ userId: USER, externalId: token, status: 'failed', desc: 'no device' }))[0]).toMatchObject({ status: 'failed', error: { message: 'no device' } });
    expect(() => fake.statusUpdate({ userId: USER, externalId: token, status: 'sent' })).toThrow();
  });

  it('subscribed, unsubscribed and conversation_started callbacks, which also change subscriptions', () => {
    expect(parsed(fake.subscribedEvent({ id: 'u2', name: 'Bo' }))[0]).toMatchObject({ kind: 'consent', action: 'subscribed', userId: 'u2' });
    expect(fake.isSubscribed('u2')).toBe(true);
    expect(parsed(fake.conversationStarted({ user: { id: 'u2' }, context: 'ad-42' }))[0]).toMatchObject({ kind: 'conversation-started', subscribed: true, context: 'ad-42' });
    expect(parsed(fake.unsubscribedEvent('u2'))[0]).toMatchObject({ kind: 'consent', action: 'unsubscribed', userId: 'u2' });
    expect(fake.isSubscribed('u2')).toBe(false);
  });
});

describe('plugin', () => {
  it('fake() uses the sandbox config, and config overrides it', async () => {
    const custom = plugin.fake!({ config: { authToken: 'other-token', botName: 'Other', accountId: 'other' } });
    await custom.start();
    try {
      expect(custom.connectorConfig()).toEqual({ authToken: 'other-token', botName: 'Other', accountId: 'other', apiBaseUrl: `${custom.url}/pa` });
      const connector = plugin.create(plugin.parseConfig(custom.connectorConfig()));
      expect(connector.accountId).toBe('other');
    } finally {
      await custom.stop();
    }
  });
});

describe('fake Viber API: what Viber\'s own libraries and an integrator meet', () => {
  let hook: Server;
  let hookUrl = '';
  const received: { url: string; headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }); res.writeHead(200).end(); });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/viber/${viberSandboxConfig.accountId}`;
  });
  afterAll(async () => { await new Promise<void>((r) => hook.close(() => r())); });
  afterEach(() => { received.length = 0; });
  const connector = new ViberConnector(parseConfig({ ...viberSandboxConfig, apiBaseUrl: 'http://127.0.0.1:1/pa' }));
  const parsed = (w: SignedWebhook) => { const r = raw(w); connector.verify(r); return connector.parse(r); };
  const post = (f: FakeViberServer, path: string, body: unknown) => fetch(`${f.url}/pa/${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'X-Viber-Auth-Token': viberSandboxConfig.authToken }, body: JSON.stringify(body),
  }).then(async (r) => JSON.parse(await r.text()) as Record<string, unknown>);

  it('regression: Viber\'s Node library could not send a plain text (it always sends "keyboard": null) — accepted as Viber accepts it', async () => {
    // the body viber-bot's client posts for a TextMessage: auth_token repeated in the body, keyboard null, tracking_data a JSON string
    const sdkBody = {
      auth_token: viberSandboxConfig.authToken, receiver: USER, sender: { name: 'Switchboard Sandbox' },
      tracking_data: '""', keyboard: null, type: 'text', text: 'Hello from the SDK',
    };
    expect(await call('send_message', sdkBody)).toMatchObject({ http: 200, json: { status: 0, status_message: 'ok', chat_hostname: 'SN-CHAT-05_' } });
    // the token in the body alone is enough, as it is for Viber
    const noHeader = await fetch(`${fake.url}/pa/send_message`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sdkBody) });
    expect(JSON.parse(await noHeader.text())).toMatchObject({ status: 0 });
    // a keyboard that is there must still be a keyboard
    expect((await call('send_message', { ...sdkBody, keyboard: { Type: 'keyboard', Buttons: [] } })).json).toMatchObject({ status: 3 });
  });

  it('regression: callbacks carried the signature only in the header, which Viber\'s Node middleware never reads — deliver adds ?sig= as Viber does', async () => {
    const w = fake.userMessage({ userId: USER, text: 'Is my car ready?' });
    expect((await fake.deliver(`${hookUrl}?tenant=a`, w)).status).toBe(200);
    const got = received[0]!;
    const url = new URL(got.url, 'http://x');
    expect(url.searchParams.get('tenant')).toBe('a');
    expect(url.searchParams.get('sig')).toBe(got.headers['x-viber-content-signature']);
    expect(url.searchParams.get('sig')).toBe(hmacSha256Hex(viberSandboxConfig.authToken, got.body));
    // what viber-bot's middleware checks: headers.X_Viber_Content_Signature (never set: Node lower-cases) || query.sig
    const viaQuery: RawWebhook = { method: 'POST', path: url.pathname, query: { sig: url.searchParams.get('sig')! }, headers: {}, body: got.body };
    expect(() => connector.verify(viaQuery)).not.toThrow();
  });

  it('regression: a send before any set_webhook was accepted — Viber answers status 10 webhookNotSet until the webhook is set', async () => {
    const fresh = new FakeViberServer({ config: { ...viberSandboxConfig }, receipts: { enabled: false } });
    await fresh.start();
    try {
      const text = { receiver: USER, type: 'text', text: 'Hi', sender };
      expect(await post(fresh, 'send_message', text)).toEqual({ status: 10, status_message: 'webhookNotSet' });
      expect(await post(fresh, 'broadcast_message', { ...text, receiver: undefined, broadcast_list: [USER] })).toEqual({ status: 10, status_message: 'webhookNotSet' });
      const viaConnector = new ViberConnector(parseConfig(fresh.connectorConfig()));
      await expect(viaConnector.send({ id: 'm', to: { channel: 'viber', accountId: viberSandboxConfig.accountId, userId: USER }, content: { type: 'text', text: 'Hi' } }))
        .rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { viberStatus: 10 } });
      expect(await viaConnector.setWebhook({ url: hookUrl })).toMatchObject({ url: hookUrl, eventTypes: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] });
      // now the account is active: a user who never subscribed is the next refusal
      expect(await post(fresh, 'send_message', text)).toEqual({ status: 6, status_message: 'notSubscribed' });
      expect(fresh.sentMessages()).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });

  it('a fake given the host webhook URL (the sandbox) accepts sends and posts delivered and seen receipts there, signed, on the platform clock', async () => {
    const withHook = new FakeViberServer({ config: { ...viberSandboxConfig }, clock, webhookUrl: hookUrl });
    await withHook.start();
    try {
      withHook.subscribe(USER);
      const answer = await fetch(`${withHook.url}/pa/send_message`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'X-Viber-Auth-Token': viberSandboxConfig.authToken },
        body: JSON.stringify({ receiver: USER, type: 'text', text: 'Ready', sender }),
      }).then((r) => r.text());
      const token = /"message_token":(\d+)/.exec(answer)![1]!;
      expect(withHook.sentMessages()).toEqual([{
        id: token, userId: USER, type: 'text', at: new Date(clock.now()).toISOString(),
        request: { method: 'POST', path: '/pa/send_message', body: { receiver: USER, type: 'text', text: 'Ready', sender } },
      }]);
      clock.advance(2000);
      expect(await withHook.flushReceipts()).toBe(2);
      const bodies = received.map((r) => r.body.toString('utf8'));
      expect(bodies).toEqual([
        `{"event":"delivered","timestamp":${clock.now()},"chat_hostname":"SN-CHAT-05_","message_token":${token},"user_id":"${USER}"}`,
        `{"event":"seen","timestamp":${clock.now()},"chat_hostname":"SN-CHAT-05_","message_token":${token},"user_id":"${USER}"}`,
      ]);
      for (const r of received) {
        expect(r.headers['x-viber-content-signature']).toBe(hmacSha256Hex(viberSandboxConfig.authToken, r.body));
        expect(new URL(r.url, 'http://x').searchParams.get('sig')).toBe(r.headers['x-viber-content-signature']);
      }
      expect(received.map((r) => parsed({ method: 'POST', headers: { 'x-viber-content-signature': String(r.headers['x-viber-content-signature']) }, body: r.body })[0]))
        .toMatchObject([{ kind: 'status', status: 'delivered', externalId: token, userId: USER }, { kind: 'status', status: 'read', externalId: token }]);
    } finally {
      await withHook.stop();
    }
  });

  it('every simulated kind parses with the connector into the expected event, and carries the user\'s country', () => {
    fake.setUser({ id: USER, name: 'Olena', country: 'UA', language: 'uk' });
    expect(fake.simulatedKinds).toEqual(['text', 'media', 'location', 'button', 'subscribe', 'unsubscribe', 'conversation-started', 'contact', 'sticker', 'url']);
    expect(parsed(fake.simulate({ kind: 'text', userId: USER, text: 'Привіт' }))).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'Привіт' }, profile: { name: 'Olena', country: 'UA', language: 'uk' } }]);
    expect(parsed(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Scratch' }))).toMatchObject([{ kind: 'message', content: { type: 'image', media: { caption: 'Scratch' } }, profile: { country: 'UA' } }]);
    expect(parsed(fake.simulate({ kind: 'media', userId: USER, mediaType: 'video' }))).toMatchObject([{ kind: 'message', content: { type: 'video' }, metadata: { durationSeconds: 12 } }]);
    expect(parsed(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }))).toMatchObject([{ kind: 'message', content: { type: 'document', media: { filename: expect.stringMatching(/\.pdf$/) } } }]);
    expect(parsed(fake.simulate({ kind: 'media', userId: USER, mediaType: 'audio' }))).toMatchObject([{ kind: 'message', content: { type: 'document', media: { filename: 'voice.ogg', size: expect.any(Number) } } }]);
    expect(parsed(fake.simulate({ kind: 'location', userId: USER, latitude: 50.45, longitude: 30.52 }))).toMatchObject([{ kind: 'message', content: { type: 'location', latitude: 50.45, longitude: 30.52 } }]);
    expect(parsed(fake.simulate({ kind: 'button', userId: USER, payload: 'plain-payload' }))).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'plain-payload' } }]);
    expect(parsed(fake.simulate({ kind: 'unsubscribe', userId: USER }))).toMatchObject([{ kind: 'consent', action: 'unsubscribed', userId: USER }]);
    expect(parsed(fake.simulate({ kind: 'subscribe', userId: USER }))).toMatchObject([{ kind: 'consent', action: 'subscribed', userId: USER }]);
    expect(JSON.parse(fake.simulate({ kind: 'subscribe', userId: USER }).body.toString())).toMatchObject({ user: { id: USER, country: 'UA' } });
    expect(() => fake.simulate({ kind: 'close', userId: USER })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'reaction', userId: USER, emoji: '👍' })).toThrow(RangeError);
  });

  it('regression: conversation-started could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'conversation-started', userId: USER, name: 'Olena', context: 'qr-poster' });
    expect(JSON.parse(webhook.body.toString())).toMatchObject({ event: 'conversation_started', type: 'open', context: 'qr-poster', user: { id: USER, name: 'Olena' } });
    expect(parsed(webhook)).toMatchObject([{ kind: 'conversation-started', userId: USER, context: 'qr-poster', profile: { name: 'Olena' } }]);
  });

  it('regression: contact could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'contact', userId: USER, contactName: 'Itamar', phone: '+972511123123' });
    expect(JSON.parse(webhook.body.toString())).toMatchObject({ event: 'message', message: { type: 'contact', contact: { name: 'Itamar', phone_number: '+972511123123' } } });
    expect(parsed(webhook)).toMatchObject([{ kind: 'message', content: { type: 'contacts', contacts: [{ name: 'Itamar', phones: [{ phone: '+972511123123' }] }] } }]);
  });

  it('regression: sticker could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'sticker', userId: USER, stickerId: '46105' });
    expect(webhook.body.toString()).toContain('"sticker_id":46105');
    expect(parsed(webhook)).toMatchObject([{ kind: 'message', content: { type: 'sticker', media: { id: '46105', url: expect.stringMatching(/46105\.png$/) } } }]);
    expect(parsed(fake.simulate({ kind: 'sticker', userId: USER }))).toMatchObject([{ kind: 'message', content: { type: 'sticker', media: { id: expect.any(String) } } }]);
  });

  it('regression: url could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'url', userId: USER, url: 'https://example.com/go_here' });
    expect(JSON.parse(webhook.body.toString())).toMatchObject({ event: 'message', message: { type: 'url', media: 'https://example.com/go_here' } });
    expect(parsed(webhook)).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'https://example.com/go_here' } }]);
  });

  it('a keyboard tap carries the tracking data last sent to the user back, so it parses as the button\'s reply', async () => {
    const real = new ViberConnector(parseConfig(fake.connectorConfig()));
    await real.send({
      id: 'q1', to: { channel: 'viber', accountId: viberSandboxConfig.accountId, userId: USER },
      content: { type: 'interactive', body: 'Book the wash?', quickReplies: [{ id: 'wash:yes', title: 'Yes please' }, { id: 'wash:no', title: 'No' }] },
    });
    expect(parsed(fake.simulate({ kind: 'button', userId: USER, payload: 'wash:yes' }))).toMatchObject([{
      kind: 'message', content: { type: 'reply', id: 'wash:yes', title: 'Yes please' }, metadata: { inReplyToMessageId: 'q1' },
    }]);
  });

  it('get_user_details and get_online answer for subscribers', async () => {
    fake.setUser({ id: USER, name: 'Olena', country: 'UA' });
    expect((await call('get_user_details', { id: USER })).json).toMatchObject({ status: 0, user: { id: USER, name: 'Olena', country: 'UA', api_version: 10 } });
    expect((await call('get_user_details', { id: 'nobody' })).json).toEqual({ status: 5, status_message: 'receiverNotRegistered' });
    expect((await call('get_online', { ids: [USER, 'nobody'] })).json).toEqual({ status: 0, status_message: 'ok', users: [
      { id: USER, online_status: 0, online_status_message: 'online' }, { id: 'nobody', online_status: 3, online_status_message: 'undisclosed' },
    ] });
  });

  it('callbacks are stamped with the platform clock', () => {
    const timed = new FakeViberServer({ config: { ...viberSandboxConfig }, clock });
    clock.advance(25 * 3_600_000);
    expect(JSON.parse(timed.userMessage({ userId: USER, text: 'later' }).body.toString())).toMatchObject({ timestamp: clock.now() });
  });
});

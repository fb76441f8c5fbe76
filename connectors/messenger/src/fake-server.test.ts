import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, sampleMedia, type FakeInboundEvent, type InboundEvent, type RawWebhook } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const clock = new ManualClock(T0);
const fake = new FakeMessengerServer({ config: { ...messengerSandboxConfig }, clock });
let connector: MessengerConnector;
const PSID = '6543210987654321';
const TOKEN = messengerSandboxConfig.pageAccessToken;
const PATH = `/v23.0/${messengerSandboxConfig.pageId}/messages`;
const PROFILE = '/v23.0/me/messenger_profile';
beforeAll(async () => {
  await fake.start();
  connector = new MessengerConnector(parseConfig(fake.connectorConfig()));
});
afterAll(async () => { await fake.stop(); });
// the customer wrote a moment ago
beforeEach(() => { fake.reset(); clock.set(T0); fake.userMessage({ userId: PSID, text: 'Hello', name: 'Ada Lovelace' }); });

let hook: Server | undefined;
afterEach(async () => {
  if (hook) await new Promise<void>((r) => hook!.close(() => r()));
  hook = undefined;
});
/** A webhook endpoint that records what it receives. */
async function webhookReceiver(): Promise<{ url: string; received: RawWebhook[] }> {
  const received: RawWebhook[] = [];
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { received.push({ method: 'POST', path: req.url ?? '/', query: {}, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }); res.end('EVENT_RECEIVED'); });
  });
  await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/messenger/sandbox`, received };
}

/** A Graph answer as the tests read it: success fields or `error`. */
type GraphAnswer = Record<string, unknown> & { error: { code: number } & Record<string, unknown> };
const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<{ status: number; body: GraphAnswer; headers: Headers }> => {
  const res = await fetch(`${fake.url}${path}`, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: await res.json() as GraphAnswer, headers: res.headers };
};
const post = (body: unknown, headers?: Record<string, string>, path = PATH): ReturnType<typeof call> => call('POST', path, body, headers);
const asRaw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks', query: {}, headers: w.headers, body: w.body });
const text = (t: string, extra: object = {}) => ({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: t }, ...extra });
const message = (m: object) => ({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: m });
const template = (payload: object) => message({ attachment: { type: 'template', payload } });
const out = (t: string) => ({ id: 'x', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content: { type: 'text' as const, text: t }, purpose: 'service' as const });

describe('fake Send API', () => {
  it('answers {recipient_id, message_id} and logs what it accepted', async () => {
    const res = await post(text('hi'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recipient_id: PSID, message_id: expect.stringMatching(/^m_/) });
    expect(fake.sentMessages()).toEqual([{ id: res.body.message_id, userId: PSID, type: 'text', at: new Date(T0).toISOString(), request: { method: 'POST', path: PATH, body: text('hi') } }]);
  });
  it('accepts the token as access_token query too', async () => {
    expect((await post(text('hi'), {}, `${PATH}?access_token=${TOKEN}`)).status).toBe(200);
  });
  it('refuses another page id with #100/33', async () => {
    const res = await post(text('hi'), undefined, '/v23.0/999/messages');
    expect(res.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
  it.each([
    ['no recipient', { messaging_type: 'RESPONSE', message: { text: 'x' } }],
    ['no messaging_type', { recipient: { id: PSID }, message: { text: 'x' } }],
    ['MESSAGE_TAG without tag', { recipient: { id: PSID }, messaging_type: 'MESSAGE_TAG', message: { text: 'x' } }],
    ['text over 2000', text('x'.repeat(2001))],
    ['14 quick replies', message({ text: 'x', quick_replies: Array.from({ length: 14 }, (_, i) => ({ content_type: 'text', title: `q${i}`, payload: `q${i}` })) })],
    ['a location quick reply (deprecated)', message({ text: 'x', quick_replies: [{ content_type: 'location' }] })],
    ['a text quick reply without payload', message({ text: 'x', quick_replies: [{ content_type: 'text', title: 'Yes' }] })],
    ['4 buttons', template({ template_type: 'button', text: 'x', buttons: Array.from({ length: 4 }, (_, i) => ({ type: 'postback', title: `b${i}`, payload: `b${i}` })) })],
    ['a call button without + and country code', template({ template_type: 'button', text: 'x', buttons: [{ type: 'phone_number', title: 'Call', payload: '0891234567' }] })],
    ['11 generic elements', template({ template_type: 'generic', elements: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) })],
    ['a media template with two elements', template({ template_type: 'media', elements: [{ media_type: 'image', attachment_id: '1' }, { media_type: 'image', attachment_id: '2' }] })],
    ['a media template with a URL outside Facebook', template({ template_type: 'media', elements: [{ media_type: 'video', url: 'https://example.com/v.mp4' }] })],
    ['a receipt without total_cost', template({ template_type: 'receipt', recipient_name: 'Ada', order_number: '1', currency: 'EUR', payment_method: 'Visa 1234', summary: {} })],
    ['a receipt with a bad currency', template({ template_type: 'receipt', recipient_name: 'Ada', order_number: '1', currency: 'euro', payment_method: 'Visa', summary: { total_cost: 1 } })],
    ['react without reaction', { recipient: { id: PSID }, sender_action: 'react', payload: { message_id: 'm_1' } }],
  ])('refuses %s with #100', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(100);
  });
  it('regression: accepts the documented email and phone-number quick replies, call buttons, media and receipt templates', async () => {
    const accepted = [
      message({ text: 'Where can we reach you?', quick_replies: [{ content_type: 'user_email' }, { content_type: 'user_phone_number' }, { content_type: 'text', title: 'Later', payload: 'LATER', image_url: 'https://example.com/later.png' }] }),
      template({ template_type: 'button', text: 'Questions about your car?', buttons: [{ type: 'phone_number', title: 'Call the workshop', payload: '+4989123456' }, { type: 'web_url', title: 'Booking', url: 'https://example.com/b', webview_height_ratio: 'tall' }] }),
      template({ template_type: 'generic', image_aspect_ratio: 'square', elements: [{ title: 'Oil change', image_url: 'https://example.com/oil.jpg', default_action: { type: 'web_url', url: 'https://example.com/oil' }, buttons: [{ type: 'phone_number', title: 'Call', payload: '+4989123456' }] }] }),
      template({ template_type: 'media', elements: [{ media_type: 'image', attachment_id: '1857777774821032', buttons: [{ type: 'web_url', title: 'Details', url: 'https://example.com' }] }] }),
      template({ template_type: 'media', elements: [{ media_type: 'video', url: 'https://business.facebook.com/workshop/videos/10153231379946729/' }] }),
      template({
        template_type: 'receipt', recipient_name: 'Ada Lovelace', order_number: '12345678902', currency: 'EUR', payment_method: 'Visa 2345', order_url: 'https://example.com/o/1',
        timestamp: '1428444852', address: { street_1: 'Marienplatz 1', city: 'München', postal_code: '80331', state: 'BY', country: 'DE' },
        summary: { subtotal: 75, shipping_cost: 4.95, total_tax: 6.19, total_cost: 56.14 }, adjustments: [{ name: 'New Customer Discount', amount: 20 }],
        elements: [{ title: 'Oil change', subtitle: '5W-30', quantity: 1, price: 50, currency: 'EUR', image_url: 'https://example.com/oil.jpg' }],
      }),
    ];
    for (const body of accepted) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(200);
    }
    expect(fake.sentMessages().map((m) => m.type)).toEqual(['text', 'template', 'template', 'template', 'template', 'template']);
  });
  it('throttles with #613 (HTTP 400) beyond the per-second limit, and the connector classifies it as rate-limited', async () => {
    fake.limits.textPerSecond = 2;
    try {
      expect((await post(text('1'))).status).toBe(200);
      expect((await post(text('2'))).status).toBe(200);
      const third = await post(text('3'));
      expect(third).toMatchObject({ status: 400, body: { error: { code: 613 } } });
      await expect(connector.send(out('4'))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
      clock.advance(1000);
      expect((await post(text('5'))).status).toBe(200);
    } finally { fake.limits.textPerSecond = 300; }
  });
  it('enforces the 24 h window on the platform clock, except with a tag', async () => {
    clock.advance(25 * 3_600_000);
    expect((await post(text('late'))).body.error).toMatchObject({ code: 10, error_subcode: 2018278 });
    expect((await post({ ...text('update'), messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' })).status).toBe(200);
    clock.advance(7 * 24 * 3_600_000);
    expect((await post({ ...text('agent'), messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })).body.error.code).toBe(10);
    await expect(connector.send(out('late'))).rejects.toMatchObject({ code: 'WINDOW_CLOSED' });
    // a new message stamped in platform time opens it again
    fake.userMessage({ userId: PSID, text: 'back' });
    expect((await post(text('welcome back'))).status).toBe(200);
  });
  it('regression: a PSID that never interacted with the page is "No matching user found" (#100/2018001), as in production', async () => {
    expect((await post({ ...text('x'), recipient: { id: '42' } })).body.error).toMatchObject({ code: 100, error_subcode: 2018001 });
    // a m.me referral makes the person known and lets the page answer
    fake.referral({ userId: '42', ref: 'flyer' });
    expect((await post({ ...text('x'), recipient: { id: '42' } })).status).toBe(200);
  });
  it('answers #551 for a customer who blocked the page and #100/2018001 for a forgotten one', async () => {
    fake.blockUser(PSID);
    expect((await post(text('x'))).body.error).toMatchObject({ code: 551, error_subcode: 1545041 });
    fake.forgetUser(PSID);
    expect((await post(text('x'))).body.error).toMatchObject({ code: 100, error_subcode: 2018001 });
  });
  it('sends a Marketing Message to an opt-in token, outside the window, until the person stops it', async () => {
    const optin = JSON.parse(fake.notificationOptin({ userId: PSID, title: 'Deals' }).body.toString('utf8')) as { entry: { messaging: { optin: { notification_messages_token: string } }[] }[] };
    const token = optin.entry[0]!.messaging[0]!.optin.notification_messages_token;
    clock.advance(30 * 24 * 3_600_000);
    expect((await post({ recipient: { notification_messages_token: token }, message: { text: 'Autumn offer' } })).body).toEqual({ recipient_id: PSID, message_id: expect.any(String) });
    fake.optinStop({ userId: PSID });
    expect((await post({ recipient: { notification_messages_token: token }, message: { text: 'Again' } })).body.error.code).toBe(100);
  });
  it('uploads a reusable attachment (Attachment Upload API) from a URL or a multipart file', async () => {
    const byUrl = await post({ message: { attachment: { type: 'image', payload: { is_reusable: true, url: 'https://example.com/car.jpg' } } } }, undefined, '/v23.0/me/message_attachments');
    expect(byUrl.body).toEqual({ attachment_id: expect.stringMatching(/^\d+$/) });
    const form = new FormData();
    form.append('message', JSON.stringify({ attachment: { type: 'file', payload: { is_reusable: true } } }));
    form.append('filedata', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'invoice.pdf');
    const res = await fetch(`${fake.url}/v23.0/me/message_attachments?access_token=${TOKEN}`, { method: 'POST', body: form });
    expect(await res.json()).toEqual({ attachment_id: expect.stringMatching(/^\d+$/) });
    expect((await post({ message: { attachment: { type: 'image', payload: { url: 'https://example.com/car.jpg' } } } }, undefined, '/v23.0/me/message_attachments')).body.error.code).toBe(100);
  });
  it('can be scripted (5xx, reset)', async () => {
    fake.script([{ status: 500, body: { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } } }]);
    await expect(connector.send(out('a'))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    fake.script([{ status: 200, reset: true }]);
    await expect(connector.send(out('a'))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
});

describe('fake Graph access tokens (the same answers as the WhatsApp fake)', () => {
  it('a request without a token: HTTP 400, OAuthException 2500', async () => {
    const res = await post(text('hi'), {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { message: 'An active access token must be used to query information about the current user.', type: 'OAuthException', code: 2500, fbtrace_id: expect.any(String) } });
  });
  it('regression: a wrong token is HTTP 401, OAuthException 190 with Graph\'s WWW-Authenticate (it was HTTP 400)', async () => {
    const res = await post(text('hi'), { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
    expect(res.headers.get('www-authenticate')).toBe('OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"');
  });
});

describe('fake User Profile API', () => {
  it('regression: GET /{PSID}?fields=first_name,last_name,profile_pic answers the person\'s profile', async () => {
    const res = await call('GET', `/v23.0/${PSID}?fields=first_name,last_name,profile_pic`);
    expect(res).toMatchObject({ status: 200, body: { first_name: 'Ada', last_name: 'Lovelace', profile_pic: expect.stringMatching(/^http/), id: PSID } });
    expect((await call('GET', `/v23.0/${PSID}`)).body).toEqual({ name: 'Ada Lovelace', id: PSID });
  });
  it('refuses an unknown PSID (#100/33) and an unknown field (#100)', async () => {
    expect((await call('GET', '/v23.0/999999?fields=first_name')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await call('GET', `/v23.0/${PSID}?fields=shoe_size`)).body.error.code).toBe(100);
  });
});

describe('fake Messenger Profile API', () => {
  const menu = { locale: 'default', composer_input_disabled: false, call_to_actions: [{ type: 'postback', title: 'Book a service', payload: 'BOOK' }, { type: 'web_url', title: 'Opening hours', url: 'https://example.com/hours' }] };

  it('regression: sets, reads and deletes get started, greeting, persistent menu and ice breakers', async () => {
    expect((await post({ get_started: { payload: 'GET_STARTED' }, greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}!' }, { locale: 'de_DE', text: 'Hallo!' }] }, undefined, PROFILE)).body).toEqual({ result: 'success' });
    expect((await post({ persistent_menu: [menu], ice_breakers: [{ locale: 'default', call_to_actions: [{ question: 'When is my car ready?', payload: 'STATUS' }] }] }, undefined, PROFILE)).body).toEqual({ result: 'success' });
    const read = await call('GET', `${PROFILE}?fields=get_started,greeting,persistent_menu,ice_breakers,whitelisted_domains`);
    expect(read.body).toEqual({ data: [{
      get_started: { payload: 'GET_STARTED' }, greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}!' }, { locale: 'de_DE', text: 'Hallo!' }],
      persistent_menu: [menu], ice_breakers: [{ locale: 'default', call_to_actions: [{ question: 'When is my car ready?', payload: 'STATUS' }] }],
    }] });
    expect((await call('DELETE', PROFILE, { fields: ['get_started'] })).body.error).toMatchObject({ code: 100, error_subcode: 2018145 });
    expect((await call('DELETE', PROFILE, { fields: ['persistent_menu', 'get_started', 'ice_breakers'] })).body).toEqual({ result: 'success' });
    expect((await call('GET', `${PROFILE}?fields=get_started,greeting`)).body).toEqual({ data: [{ greeting: [{ locale: 'default', text: 'Hello {{user_first_name}}!' }, { locale: 'de_DE', text: 'Hallo!' }] }] });
  });

  it.each([
    ['a greeting over 160 characters', { greeting: [{ locale: 'default', text: 'x'.repeat(161) }] }],
    ['a greeting without the default locale', { greeting: [{ locale: 'en_US', text: 'Hi' }] }],
    ['a persistent menu before a Get Started button', { persistent_menu: [menu] }],
    ['five ice breakers', { ice_breakers: Array.from({ length: 5 }, (_, i) => ({ question: `q${i}`, payload: `p${i}` })) }],
    ['a get started button without payload', { get_started: {} }],
    ['an http allowlisted domain', { whitelisted_domains: ['http://example.com'] }],
    ['an unknown property', { favourite_colour: 'blue' }],
  ])('refuses %s with #100', async (_name, body) => {
    expect((await post(body, undefined, PROFILE)).body.error.code).toBe(100);
  });

  it('needs fields to read', async () => {
    expect((await call('GET', PROFILE)).body.error.code).toBe(100);
  });
});

describe('fake receipts', () => {
  it('regression: a reply reaches delivered and read — message_deliveries with its mid, then message_reads with a watermark', async () => {
    const receiver = await webhookReceiver();
    const own = new FakeMessengerServer({ config: { ...messengerSandboxConfig }, clock, webhookUrl: receiver.url });
    await own.start();
    try {
      const sender = new MessengerConnector(parseConfig(own.connectorConfig()));
      own.userMessage({ userId: PSID, text: 'Hi' });
      const { externalId } = await sender.send(out('Your car is ready.'));
      clock.advance(1500);
      expect(await own.flushReceipts()).toBe(2);
      const events = receiver.received.map((w) => { sender.verify(w); return sender.parse(w); });
      expect(events).toEqual([
        [{ kind: 'status', channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID, externalId, status: 'delivered', timestamp: new Date(T0 + 1500) }],
        [{ kind: 'status', channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID, externalId: `watermark:${T0 + 1500}`, status: 'read', timestamp: new Date(T0 + 1500), watermark: new Date(T0 + 1500), upTo: new Date(T0 + 1500) }],
      ]);
    } finally { await own.stop(); }
  });
});

describe('fake simulated customer events', () => {
  const base = { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID, timestamp: new Date(T0) } as const;
  const cases: [FakeInboundEvent, Partial<InboundEvent>][] = [
    [{ kind: 'text', userId: PSID, text: 'Is my car ready?' }, { kind: 'message', content: { type: 'text', text: 'Is my car ready?' } }],
    [{ kind: 'media', userId: PSID, mediaType: 'image' }, { kind: 'message', content: { type: 'image', media: { url: expect.stringMatching(/\/v\/\d+\.png\?.*oe=[0-9A-F]+/) as unknown as string } } }],
    [{ kind: 'media', userId: PSID, mediaType: 'video' }, { kind: 'message', content: { type: 'video', media: { url: expect.stringMatching(/\.mp4\?/) as unknown as string } } }],
    [{ kind: 'media', userId: PSID, mediaType: 'audio' }, { kind: 'message', content: { type: 'audio', media: { url: expect.stringMatching(/\.ogg\?/) as unknown as string } } }],
    [{ kind: 'media', userId: PSID, mediaType: 'file' }, { kind: 'message', content: { type: 'document', media: { url: expect.stringMatching(/\.pdf\?/) as unknown as string } } }],
    [{ kind: 'location', userId: PSID, latitude: 48.1372, longitude: 11.5756 }, { kind: 'message', content: { type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Pinned Location' } }],
    [{ kind: 'button', userId: PSID, payload: 'BOOK', title: 'Book a service' }, { kind: 'message', content: { type: 'reply', id: 'BOOK', title: 'Book a service' } }],
    [{ kind: 'subscribe', userId: PSID }, { kind: 'consent', action: 'opt-in', purpose: 'marketing' }],
    [{ kind: 'unsubscribe', userId: PSID }, { kind: 'consent', action: 'opt-out', purpose: 'marketing' }],
    [{ kind: 'conversation-started', userId: PSID, context: 'workshop-flyer' }, { kind: 'conversation-started', context: 'workshop-flyer' }],
    [{ kind: 'sticker', userId: PSID }, { kind: 'message', content: { type: 'sticker', media: { id: '369239263222822', url: expect.stringMatching(/\.png\?/) as unknown as string } } }],
    [{ kind: 'reaction', userId: PSID, emoji: '\u2764\uFE0F', messageId: 'm_outbound_1' }, { kind: 'message', content: { type: 'reaction', emoji: '\u2764\uFE0F', target: 'm_outbound_1' } }],
  ];
  /** Kinds the fake could not simulate before issue 17, though the connector parsed them. */
  const added = new Set(['conversation-started', 'sticker', 'reaction']);

  it('lists every kind it simulates', () => {
    expect(new Set(cases.map(([e]) => e.kind))).toEqual(new Set(fake.simulatedKinds));
  });

  it.each(cases.filter(([e]) => !added.has(e.kind)))('%o is signed and parses with the connector into the expected event', (event, expected) => {
    const w = fake.simulate(event);
    connector.verify(asRaw(w));
    const parsed = connector.parse(asRaw(w));
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ ...base, ...expected });
  });

  for (const [event, expected] of cases.filter(([e]) => added.has(e.kind))) {
    it(`regression: ${event.kind} could not be simulated though the connector parses it`, () => {
      const w = fake.simulate(event);
      connector.verify(asRaw(w));
      const parsed = connector.parse(asRaw(w));
      expect(parsed).toHaveLength(1);
      expect(parsed[0]).toMatchObject({ ...base, ...expected });
    });
  }

  it('a simulated referral without context carries no ref; a simulated reaction names the last message sent, and an empty emoji is an unreact', () => {
    const referral = JSON.parse(fake.simulate({ kind: 'conversation-started', userId: PSID }).body.toString()) as { entry: { messaging: { referral: unknown }[] }[] };
    expect(referral.entry[0]!.messaging[0]!.referral).toEqual({ source: 'SHORTLINK', type: 'OPEN_THREAD' });
    const unreact = JSON.parse(fake.simulate({ kind: 'reaction', userId: PSID, emoji: '', messageId: 'm_1' }).body.toString()) as { entry: { messaging: { reaction: unknown }[] }[] };
    expect(unreact.entry[0]!.messaging[0]!.reaction).toEqual({ action: 'unreact', mid: 'm_1' });
    const like = JSON.parse(fake.simulate({ kind: 'reaction', userId: PSID, emoji: '\u{1F44D}', messageId: 'm_2' }).body.toString()) as { entry: { messaging: { reaction: unknown }[] }[] };
    expect(like.entry[0]!.messaging[0]!.reaction).toEqual({ reaction: 'like', emoji: '\u{1F44D}', action: 'react', mid: 'm_2' });
  });

  it('a simulated image with a caption is two events, and its URL serves the bytes', async () => {
    const parsed = connector.parse(asRaw(fake.simulate({ kind: 'media', userId: PSID, mediaType: 'image', caption: 'the scratch' })));
    expect(parsed.map((e) => (e as { content: { type: string } }).content.type)).toEqual(['text', 'image']);
    const url = (parsed[1] as { content: { media: { url: string } } }).content.media.url;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(sampleMedia('image').body);
  });

  it('refuses kinds Messenger has no webhook for', () => {
    for (const kind of ['block', 'close'] as const) expect(() => fake.simulate({ kind, userId: PSID })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'contact', userId: PSID, contactName: 'Ada' })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'url', userId: PSID, url: 'https://example.com' })).toThrow(RangeError);
  });
});

describe('fake webhooks', () => {
  it('userMessage is signed with the app secret and parses as a text message', () => {
    const w = fake.userMessage({ userId: PSID, text: 'Is my car ready?', messageId: 'm_1', timestamp: new Date(T0) });
    connector.verify(asRaw(w));
    expect(connector.parse(asRaw(w))).toEqual([{ kind: 'message', channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID, externalId: 'm_1', timestamp: new Date(T0), content: { type: 'text', text: 'Is my car ready?' } }]);
  });
  it('statusUpdate: delivered (mid), read (watermark), sent (echo); failed has no webhook', () => {
    const kinds = (['delivered', 'read', 'sent'] as const).map((status) => {
      const w = fake.statusUpdate({ userId: PSID, externalId: 'm_out', status, timestamp: new Date(T0) });
      connector.verify(asRaw(w));
      return connector.parse(asRaw(w))[0];
    });
    expect(kinds).toMatchObject([
      { kind: 'status', status: 'delivered', externalId: 'm_out' },
      { kind: 'status', status: 'read', externalId: `watermark:${T0}` },
      { kind: 'status', status: 'sent', externalId: 'm_out', userId: PSID },
    ]);
    expect(() => fake.statusUpdate({ userId: PSID, externalId: 'm_out', status: 'failed' })).toThrow();
  });
  it('optinStop → marketing opt-out; notificationOptin → opt-in', () => {
    const stop = fake.optinStop({ userId: PSID, title: 'Deals' });
    connector.verify(asRaw(stop));
    expect(connector.parse(asRaw(stop))[0]).toMatchObject({ kind: 'consent', action: 'opt-out', purpose: 'marketing', topic: 'Deals' });
    expect(connector.parse(asRaw(fake.notificationOptin({ userId: PSID })))[0]).toMatchObject({ kind: 'consent', action: 'opt-in', purpose: 'marketing' });
  });
  it('referral and postback helpers', () => {
    expect(connector.parse(asRaw(fake.referral({ userId: PSID, ref: 'flyer', source: 'ADS', adId: '1' })))[0]).toMatchObject({ kind: 'conversation-started', context: 'flyer', referral: { source: 'ADS', adId: '1' } });
    expect(connector.parse(asRaw(fake.postback({ userId: PSID, payload: 'GET_STARTED', title: 'Get Started', ref: 'flyer' }))).map((e) => e.kind)).toEqual(['conversation-started', 'message']);
  });
  it('delivers to a URL', async () => {
    const res = await fake.deliver(`${fake.url}/not-a-graph-path`, fake.userMessage({ userId: PSID, text: 'x' }));
    expect(res.status).toBe(400);
  });
});

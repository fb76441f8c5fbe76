import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, signJwtHs256, type Content, type OutboundMessage } from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { messageUuid } from './apple-crypto.js';
import { APPLE_BID } from './apple-payloads.js';
import { parseConfig } from './config.js';
import { FakeAppleServer } from './fake-apple-server.js';
import { BUSINESS_ID, MSP_ID, MSP_SECRET, USER_ID, config } from './__fixtures__/inbound.js';

const fake = new FakeAppleServer({ config });
const clock = new ManualClock(Date.now());
const KEY = Buffer.alloc(32, 7);
let connector: AppleConnector;

beforeAll(async () => {
  await fake.start();
  connector = new AppleConnector(parseConfig(fake.connectorConfig()), { clock }, { attachmentKey: () => KEY });
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

const token = (): string => signJwtHs256({ iss: MSP_ID, iat: Math.floor(clock.now() / 1000) }, Buffer.from(MSP_SECRET, 'base64'));
const to = { channel: 'apple', accountId: BUSINESS_ID, userId: USER_ID };
const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ id: 'msg-1', to, content, ...extra });

function expectMessage(index: number, id: string, body: Record<string, unknown>, extraHeaders: Record<string, string> = {}): void {
  const r = fake.requestsTo('/message')[index]!;
  expect(r.method).toBe('POST');
  expect(r.headers).toMatchObject({
    authorization: `Bearer ${token()}`, 'content-type': 'application/json', id,
    'source-id': BUSINESS_ID, 'destination-id': USER_ID, ...extraHeaders,
  });
  expect(r.body).toEqual({ v: 1, id, sourceId: BUSINESS_ID, destinationId: USER_ID, ...body });
}

const ALL = ['QUICK', 'LIST', 'TIME', 'AUTH2', 'FORM'];
const received = { title: 'Pick a service', subtitle: 'Workshop' };

describe('render and send: exact payloads recorded by the fake gateway', () => {
  it('text: POST /message with id, source-id, destination-id and a bearer JWT (iss = MSP id)', async () => {
    const result = await connector.send(msg({ type: 'text', text: 'Your car is ready.' }));
    const id = messageUuid('msg-1');
    expect(result.externalId).toBe(id);
    expect(fake.requestsTo('/message')).toHaveLength(1);
    expectMessage(0, id, { type: 'text', body: 'Your car is ready.' });
  });

  it('a host id that is already a UUID is used as the message id', async () => {
    const id = '7d9f1c2e-4b3a-4c5d-8e6f-0a1b2c3d4e5f';
    await connector.send({ ...msg({ type: 'text', text: 'hi' }), id });
    expectMessage(0, id, { type: 'text', body: 'hi' });
  });

  it('a bot reply carries auto-reply: true', async () => {
    await connector.send(msg({ type: 'text', text: 'hi' }, { sender: 'bot' }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'hi' }, { 'auto-reply': 'true' });
  });

  it('text over 3000 characters is split into several messages', async () => {
    const text = `${'a'.repeat(2500)}\n\n${'b'.repeat(2500)}`;
    const result = await connector.send(msg({ type: 'text', text }));
    expect(connector.render(msg({ type: 'text', text })).rendering).toEqual({ form: 'native', parts: 2 });
    expectMessage(0, messageUuid('msg-1', 0), { type: 'text', body: 'a'.repeat(2500) });
    expectMessage(1, messageUuid('msg-1', 1), { type: 'text', body: 'b'.repeat(2500) });
    expect(result.partIds).toEqual([messageUuid('msg-1', 1)]);
  });

  it('image: encrypts, GET /preUpload, POST to MMCS, then /message with the completed descriptor and the caption after it', async () => {
    const plain = Buffer.from('fake-jpeg-bytes-0123456789');
    const content: Content = { type: 'image', media: { url: `data:image/jpeg;base64,${plain.toString('base64')}`, filename: 'car.jpg', caption: 'Your car' } };
    const rendered = connector.render(msg(content));
    expect(rendered.body).toMatchObject({ type: 'text', body: '\uFFFC', attachments: [{ name: 'car.jpg', mimeType: 'image/jpeg' }] });
    expect(rendered.rendering).toMatchObject({ form: 'native', parts: 2 });

    const result = await connector.send(msg(content));
    const pre = fake.requestsTo('/preUpload')[0]!;
    expect(pre.method).toBe('GET');
    expect(pre.headers).toMatchObject({ authorization: `Bearer ${token()}`, 'source-id': BUSINESS_ID, size: String(plain.length) });
    const sent = fake.requestsTo('/message')[0]!.body as { attachments: Record<string, unknown>[] };
    const descriptor = sent.attachments[0]!;
    expect(descriptor).toEqual({
      name: 'car.jpg', mimeType: 'image/jpeg', size: plain.length, key: `00${KEY.toString('hex')}`,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\//), owner: expect.stringMatching(/^owner-/),
      'signature-base64': expect.any(String),
    });
    expectMessage(0, messageUuid('msg-1', 0), { type: 'text', body: '\uFFFC', attachments: [descriptor] });
    expectMessage(1, messageUuid('msg-1', 1), { type: 'text', body: 'Your car' });
    expect(fake.receivedAttachments[0]!.plain.equals(plain)).toBe(true);
    expect(result.partIds).toEqual([messageUuid('msg-1', 1)]);
  });

  it('interactive buttons to a QUICK device: native quick reply', async () => {
    const content: Content = { type: 'interactive', body: 'Anything else?', buttons: [{ id: 'status', title: 'Car status' }, { id: 'agent', title: 'Talk to a person' }] };
    expect(connector.render(msg(content, { recipientCapabilities: ALL })).rendering?.form).toBe('native');
    await connector.send(msg(content, { recipientCapabilities: ALL }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), 'quick-reply': { summaryText: 'Anything else?', items: [{ identifier: 'status', title: 'Car status' }, { identifier: 'agent', title: 'Talk to a person' }] } } },
    });
  });

  it('interactive list to a LIST device: native list picker', async () => {
    const content: Content = { type: 'interactive', body: 'Choose', list: { button: 'Services', sections: [{ title: 'Care', rows: [{ id: 'oil', title: 'Oil change', description: '30 min' }] }] } };
    await connector.send(msg(content, { recipientCapabilities: ['LIST'] }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: {
        bid: APPLE_BID,
        data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), listPicker: { sections: [{ order: 0, title: 'Care', multipleSelection: false, items: [{ identifier: 'oil', order: 0, style: 'default', title: 'Oil change', subtitle: '30 min' }] }] } },
        receivedMessage: { title: 'Choose', style: 'icon' }, replyMessage: { title: 'Services', style: 'icon' },
      },
    });
  });

  it('an interactive message to a device without the capability is degraded to text, not sent natively', async () => {
    const content: Content = { type: 'interactive', body: 'Anything else?', buttons: [{ id: 'status', title: 'Car status' }, { id: 'agent', title: 'Talk to a person' }] };
    for (const caps of [undefined, [], ['TIME']]) {
      fake.reset();
      const m = msg(content, caps ? { recipientCapabilities: caps } : {});
      expect(connector.render(m).rendering).toMatchObject({ form: 'degraded', parts: 1 });
      await connector.send(m);
      expect(fake.requestsTo('/message')).toHaveLength(1);
      expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Anything else?\n1. Car status\n2. Talk to a person' });
    }
  });

  const listPicker: Content = {
    type: 'rich', kind: 'list-picker',
    payload: { received, reply: { title: 'Selected' }, sections: [{ title: 'Care', multipleSelection: true, items: [{ id: 'oil', title: 'Oil change', imageIdentifier: '1' }, { id: 'tyres', title: 'Tyres' }] }], images: [{ identifier: '1', data: 'iVBORw0KGgo=' }] },
  };
  it('rich list-picker: native with LIST', async () => {
    await connector.send(msg(listPicker, { recipientCapabilities: ['list'] }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: {
        bid: APPLE_BID,
        data: {
          version: '1.0', requestIdentifier: messageUuid('msg-1:request'),
          listPicker: { sections: [{ order: 0, title: 'Care', multipleSelection: true, items: [{ identifier: 'oil', order: 0, style: 'default', title: 'Oil change', imageIdentifier: '1' }, { identifier: 'tyres', order: 1, style: 'default', title: 'Tyres' }] }] },
          images: [{ identifier: '1', data: 'iVBORw0KGgo=' }],
        },
        receivedMessage: { title: 'Pick a service', subtitle: 'Workshop', style: 'icon' }, replyMessage: { title: 'Selected', style: 'icon' },
      },
    });
  });
  it('rich list-picker: degraded without LIST', async () => {
    await connector.send(msg(listPicker, { recipientCapabilities: ['QUICK'] }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Pick a service\n1. Oil change\n2. Tyres' });
  });

  const timePicker: Content = {
    type: 'rich', kind: 'time-picker',
    payload: { received, event: { identifier: 'svc', title: 'Service', timezoneOffset: 60, timeslots: [{ id: 's1', startTime: '2026-11-20T09:00+0000', duration: 3600 }] } },
  };
  it('rich time-picker: native with TIME, degraded without', async () => {
    await connector.send(msg(timePicker, { recipientCapabilities: ['TIME'] }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: {
        bid: APPLE_BID,
        data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), event: { identifier: 'svc', title: 'Service', timezoneOffset: 60, timeslots: [{ identifier: 's1', startTime: '2026-11-20T09:00+0000', duration: 3600 }] } },
        receivedMessage: { title: 'Pick a service', subtitle: 'Workshop', style: 'icon' }, replyMessage: { title: 'Pick a service', subtitle: 'Workshop', style: 'icon' },
      },
    });
    fake.reset();
    await connector.send(msg(timePicker, { recipientCapabilities: ['LIST'] }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Pick a service\n1. 2026-11-20T09:00+0000 (60 min)' });
  });

  it('rich payment (Apple Pay) is native on every device', async () => {
    const payment = { paymentRequest: { currencyCode: 'EUR', countryCode: 'DE', total: { label: 'Snack stand', amount: '4.50', type: 'final' } }, endpoints: { paymentGatewayUrl: 'https://pay.example.com' }, merchantName: 'Snack stand' };
    await connector.send(msg({ type: 'rich', kind: 'payment', payload: { received: { title: 'Pay €4.50' }, payment } }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), payment }, receivedMessage: { title: 'Pay €4.50', style: 'icon' }, replyMessage: { title: 'Pay €4.50', style: 'icon' } },
    });
  });

  const auth: Content = { type: 'rich', kind: 'auth', fallbackText: 'Sign in at https://example.com/login', payload: { received: { title: 'Sign in' }, oauth2: { responseType: 'code', scope: ['profile'], state: 'st-1' } } };
  it('rich auth: native with AUTH2, degraded to the fallback text without', async () => {
    await connector.send(msg(auth, { recipientCapabilities: ['AUTH2'] }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), authenticate: { oauth2: { responseType: 'code', scope: ['profile'], state: 'st-1' } } }, receivedMessage: { title: 'Sign in', style: 'icon' }, replyMessage: { title: 'Sign in', style: 'icon' } },
    });
    fake.reset();
    await connector.send(msg(auth, { recipientCapabilities: ['LIST'] }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Sign in at https://example.com/login' });
  });

  const form: Content = { type: 'rich', kind: 'form', payload: { received: { title: 'Book a service' }, form: { startPageIdentifier: '001', pages: [{ pageIdentifier: '001', type: 'input', subtitle: 'Plate?' }] } } };
  it('rich form: native with FORM, degraded without', async () => {
    await connector.send(msg(form, { recipientCapabilities: ['FORM'] }));
    expectMessage(0, messageUuid('msg-1'), {
      type: 'interactive',
      interactiveData: {
        bid: APPLE_BID,
        data: { version: '1.0', requestIdentifier: messageUuid('msg-1:request'), dynamic: { version: '1.1', template: 'form', data: { startPageIdentifier: '001', pages: [{ pageIdentifier: '001', type: 'input', subtitle: 'Plate?' }] } } },
        receivedMessage: { title: 'Book a service', style: 'icon' }, replyMessage: { title: 'Book a service', style: 'icon' },
      },
    });
    fake.reset();
    await connector.send(msg(form, { recipientCapabilities: ['QUICK'] }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Book a service' });
  });

  it('rich-link: type richLink with richLinkData', async () => {
    await connector.send(msg({ type: 'rich', kind: 'rich-link', payload: { url: 'https://example.com/menu', title: 'Menu', image: { data: 'iVBORw0KGgo=', mimeType: 'image/png' } } }));
    expectMessage(0, messageUuid('msg-1'), { type: 'richLink', richLinkData: { url: 'https://example.com/menu', title: 'Menu', assets: { image: { data: 'iVBORw0KGgo=', mimeType: 'image/png' } } } });
  });

  it('template degrades to its filled text', async () => {
    const content: Content = { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.' };
    expect(connector.render(msg(content)).rendering?.form).toBe('degraded');
    await connector.send(msg(content));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Flight LH 2040 now departs from gate B12.' });
  });

  it('location degrades to text with an Apple Maps link', async () => {
    await connector.send(msg({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop' }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'Workshop\nhttps://maps.apple.com/?ll=48.1372,11.5756&q=Workshop' });
  });

  it('carousel degrades to its fallback text', async () => {
    await connector.send(msg({ type: 'rich', kind: 'carousel', payload: {}, fallbackText: 'See our menu.' }));
    expectMessage(0, messageUuid('msg-1'), { type: 'text', body: 'See our menu.' });
  });

  it('reactions are unsupported and media without a URL is invalid', () => {
    expect(() => connector.render(msg({ type: 'reaction', emoji: '👍', target: 'x' }))).toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
    expect(() => connector.render(msg({ type: 'image', media: { id: 'abc' } }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
    expect(() => connector.render(msg({ type: 'rich', kind: 'list-picker', payload: { sections: [] } }, { recipientCapabilities: ALL }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
});

describe('send failures answered by the fake gateway', () => {
  it('404 for an unknown destination is permanent', async () => {
    fake.unknownDestinations.add(USER_ID);
    await expect(connector.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });
  it('410 for a deleted conversation is recipient-blocked', async () => {
    fake.goneDestinations.add(USER_ID);
    await expect(connector.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'RECIPIENT_BLOCKED' });
  });
  it('429 with Retry-After is rate-limited with that delay', async () => {
    fake.script([{ status: 429, body: '', headers: { 'retry-after': '7' } }], '/message');
    await expect(connector.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 7000 });
  });
  it('503 is retryable; a dropped connection too', async () => {
    fake.script([{ status: 503, body: '' }], '/message');
    await expect(connector.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    fake.script([{ status: 200, reset: true }], '/message');
    await expect(connector.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
  it('a connector with the wrong secret gets 403 and a permanent failure', async () => {
    const wrong = new AppleConnector(parseConfig({ ...fake.connectorConfig(), mspSecret: Buffer.from('x'.repeat(32)).toString('base64') }), { clock });
    await expect(wrong.send(msg({ type: 'text', text: 'hi' }))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', cause: expect.objectContaining({ status: 403 }) });
  });
});

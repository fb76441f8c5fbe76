import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentInvalidError, ContentUnsupportedError, startFakeSideServer, type Content, type FakeSideServer, type OutboundMessage } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeViberServer, viberSandboxConfig } from './fake-viber-server.js';
import { ViberConnector } from './viber-connector.js';

const USER = 'jc9HsWTZ2Yf2NkRZ8KcNug==';
const fake = new FakeViberServer({ config: { ...viberSandboxConfig } });
let connector: ViberConnector;
let withAvatar: ViberConnector;
/** The host's files: the fake fetches every picture, video and file URL it is sent, as a Viber client would. */
let host: FakeSideServer;
let files = '';

beforeAll(async () => {
  host = await startFakeSideServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(Buffer.alloc(100, 7)); });
  files = host.url;
  await fake.start();
  connector = new ViberConnector(parseConfig(fake.connectorConfig()));
  withAvatar = new ViberConnector(parseConfig({ ...fake.connectorConfig(), botAvatar: 'https://example.com/avatar.jpg' }));
});
afterAll(async () => { await fake.stop(); await host.stop(); });
beforeEach(() => { fake.reset(); fake.subscribe(USER); });

const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'm1', to: { channel: 'viber', accountId: viberSandboxConfig.accountId, userId: USER }, content, purpose: 'service', sender: 'bot', ...extra,
});
const tracking = (replies?: Record<string, string>) => JSON.stringify({ switchboard: { messageId: 'm1', ...(replies ? { replies } : {}) } });
const sender = { name: viberSandboxConfig.botName };
const common = { receiver: USER, sender, tracking_data: tracking() };

/** Sends through the fake and returns what it received, after checking method, path and headers. */
async function sent(content: Content, via = connector, extra: Partial<OutboundMessage> = {}): Promise<unknown[]> {
  await via.send(msg(content, extra));
  return fake.requests.map((r) => {
    expect(r.method).toBe('POST');
    expect(r.path).toBe(extra.broadcastTo ? '/pa/broadcast_message' : '/pa/send_message');
    expect(r.headers['x-viber-auth-token']).toBe(viberSandboxConfig.authToken);
    expect(r.headers['content-type']).toBe('application/json');
    return r.body;
  });
}

describe('render and send: exact payloads', () => {
  it('text', async () => {
    expect(await sent({ type: 'text', text: 'Your car is ready.' })).toEqual([{ ...common, type: 'text', text: 'Your car is ready.' }]);
  });

  it('text over 7,000 characters is split at a sentence boundary into send_message calls', async () => {
    const first = `${'a'.repeat(6000)}.`;
    const second = `${'b'.repeat(2000)}.`;
    const result = await connector.send(msg({ type: 'text', text: `${first} ${second}` }));
    expect(fake.requests.map((r) => r.body)).toEqual([
      { ...common, type: 'text', text: first },
      { ...common, type: 'text', text: second },
    ]);
    expect(result.partIds).toHaveLength(1);
    expect(result.partIds![0]).not.toBe(result.externalId);
  });

  it('the sender carries the configured avatar', async () => {
    expect(await sent({ type: 'text', text: 'Hi' }, withAvatar)).toEqual([{ ...common, sender: { ...sender, avatar: 'https://example.com/avatar.jpg' }, type: 'text', text: 'Hi' }]);
  });

  it('image with a caption ≤ 120 characters → picture', async () => {
    expect(await sent({ type: 'image', media: { url: `${files}/car.jpg`, caption: 'Your car' } }))
      .toEqual([{ ...common, type: 'picture', text: 'Your car', media: `${files}/car.jpg` }]);
  });

  it('image with a longer caption → picture without text, then the caption as text', async () => {
    const caption = 'c'.repeat(121);
    expect(await sent({ type: 'image', media: { url: `${files}/car.jpg`, caption } })).toEqual([
      { ...common, type: 'picture', text: '', media: `${files}/car.jpg` },
      { ...common, type: 'text', text: caption },
    ]);
  });

  it('video with a size → video', async () => {
    expect(await sent({ type: 'video', media: { url: `${files}/tour.mp4`, size: 2_000_000 } }))
      .toEqual([{ ...common, type: 'video', media: `${files}/tour.mp4`, size: 2_000_000 }]);
  });

  it('video without a size → URL message', async () => {
    expect(await sent({ type: 'video', media: { url: `${files}/tour.mp4` } })).toEqual([{ ...common, type: 'url', media: `${files}/tour.mp4` }]);
  });

  it('document with a size → file with its name', async () => {
    expect(await sent({ type: 'document', media: { url: `${files}/docs/boarding-pass.pdf`, size: 52_000, caption: 'Boarding pass' } })).toEqual([
      { ...common, type: 'file', media: `${files}/docs/boarding-pass.pdf`, size: 52_000, file_name: 'boarding-pass.pdf' },
      { ...common, type: 'text', text: 'Boarding pass' },
    ]);
  });

  it('audio with a size → file (degraded)', async () => {
    const content: Content = { type: 'audio', media: { url: `${files}/note.mp3`, size: 30_000, filename: 'note.mp3' } };
    expect(connector.render(msg(content)).rendering).toMatchObject({ form: 'degraded', parts: 1 });
    expect(await sent(content)).toEqual([{ ...common, type: 'file', media: `${files}/note.mp3`, size: 30_000, file_name: 'note.mp3' }]);
  });

  it('sticker with a numeric Viber sticker id → sticker', async () => {
    expect(await sent({ type: 'sticker', media: { id: '46105' } })).toEqual([{ ...common, type: 'sticker', sticker_id: 46105 }]);
  });

  it('sticker without a Viber id → picture (degraded)', async () => {
    const content: Content = { type: 'sticker', media: { id: 'sticker-1', url: `${files}/s.png` } };
    expect(connector.render(msg(content)).rendering?.form).toBe('degraded');
    expect(await sent(content)).toEqual([{ ...common, type: 'picture', text: '', media: `${files}/s.png` }]);
  });

  it('location → location, then name and address as text', async () => {
    expect(await sent({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1' })).toEqual([
      { ...common, type: 'location', location: { lat: 48.1372, lon: 11.5756 } },
      { ...common, type: 'text', text: 'Workshop\nMarienplatz 1' },
    ]);
  });

  it('contacts → one contact message per card; a card without phone → text', async () => {
    const content: Content = { type: 'contacts', contacts: [
      { name: 'Service desk of the Marienplatz workshop', phones: [{ phone: '+4989123456' }] },
      { name: 'Ada', emails: [{ email: 'ada@example.com' }] },
    ] };
    expect(await sent(content)).toEqual([
      { ...common, type: 'contact', contact: { name: 'Service desk of the Marienp…', phone_number: '+4989123456' } },
      { ...common, type: 'text', text: 'Ada\nada@example.com' },
    ]);
  });

  it('reply → its title as text (degraded)', async () => {
    expect(await sent({ type: 'reply', id: 'yes', title: 'Yes' })).toEqual([{ ...common, type: 'text', text: 'Yes' }]);
  });

  it('interactive buttons → text with a keyboard of reply buttons (ActionBody = id)', async () => {
    const content: Content = { type: 'interactive', header: 'Workshop', body: 'Anything else?', buttons: [{ id: 'status', title: 'Car <status>' }, { id: 'agent', title: 'Talk to a person' }] };
    expect(await sent(content)).toEqual([{
      ...common, tracking_data: tracking({ status: 'Car <status>', agent: 'Talk to a person' }),
      type: 'text', text: 'Workshop\nAnything else?',
      keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: [
        { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'status', Text: 'Car &lt;status&gt;', TextSize: 'regular' },
        { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'agent', Text: 'Talk to a person', TextSize: 'regular' },
      ] },
    }]);
  });

  it('quick replies and URL buttons → keyboard with reply and open-url buttons', async () => {
    const content: Content = { type: 'interactive', body: 'Pick', buttons: [{ id: 'web', title: 'Website', url: 'https://example.com' }], quickReplies: [{ id: 'yes', title: 'Yes' }] };
    expect(await sent(content)).toEqual([{
      ...common, tracking_data: tracking({ yes: 'Yes' }), type: 'text', text: 'Pick',
      keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: [
        { Columns: 6, Rows: 1, ActionType: 'open-url', ActionBody: 'https://example.com', Text: 'Website', TextSize: 'regular' },
        { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'yes', Text: 'Yes', TextSize: 'regular' },
      ] },
    }]);
  });

  it('interactive list → body text, then rich media (min_api_version 2) with one reply row per list row', async () => {
    const content: Content = { type: 'interactive', body: 'Choose a slot', list: { button: 'Slots', sections: [
      { title: 'Monday', rows: [{ id: 'mon-9', title: '09:00', description: 'Bay 1' }, { id: 'mon-11', title: '11:00' }] },
    ] } };
    expect(await sent(content)).toEqual([
      { ...common, tracking_data: tracking({ 'mon-9': '09:00', 'mon-11': '11:00' }), type: 'text', text: 'Choose a slot' },
      {
        ...common, tracking_data: tracking({ 'mon-9': '09:00', 'mon-11': '11:00' }), type: 'rich_media', min_api_version: 2,
        rich_media: { Type: 'rich_media', ButtonsGroupColumns: 6, ButtonsGroupRows: 3, BgColor: '#FFFFFF', Buttons: [
          { Columns: 6, Rows: 1, ActionType: 'none', ActionBody: 'none', Text: '<b>Monday</b>', TextSize: 'small' },
          { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'mon-9', Text: '09:00<br><font color="#7F7F7F">Bay 1</font>', TextSize: 'regular' },
          { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'mon-11', Text: '11:00', TextSize: 'regular' },
        ] },
        alt_text: 'Choose a slot\n1. 09:00\n2. 11:00',
      },
    ]);
  });

  it('a list longer than one rich media item is spread over items of 7 rows, the last padded', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    const [, rich] = await sent({ type: 'interactive', body: 'Pick', list: { button: 'Open', sections: [{ rows }] } }) as Record<string, { Buttons: { Rows: number }[]; ButtonsGroupRows: number }>[];
    expect(rich!.rich_media!.ButtonsGroupRows).toBe(7);
    expect(rich!.rich_media!.Buttons).toHaveLength(10);
    expect(rich!.rich_media!.Buttons.reduce((n, b) => n + b.Rows, 0)).toBe(14);
  });

  it('template → its fallback text with parameters (degraded)', async () => {
    const content: Content = { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.' };
    expect(connector.render(msg(content)).rendering?.form).toBe('degraded');
    expect(await sent(content)).toEqual([{ ...common, type: 'text', text: 'Flight LH 2040 now departs from gate B12.' }]);
  });

  it('rich carousel → rich media items of equal height', async () => {
    const content: Content = { type: 'rich', kind: 'carousel', fallbackText: 'Our menu', payload: { items: [
      { title: 'Fries', subtitle: '€3', imageUrl: 'https://example.com/fries.jpg', buttons: [{ id: 'fries', title: 'Order' }] },
      { title: 'Shake' },
    ] } };
    expect(await sent(content)).toEqual([{
      ...common, tracking_data: tracking({ fries: 'Order' }), type: 'rich_media', min_api_version: 2,
      rich_media: { Type: 'rich_media', ButtonsGroupColumns: 6, ButtonsGroupRows: 6, BgColor: '#FFFFFF', Buttons: [
        { Columns: 6, Rows: 3, ActionType: 'none', ActionBody: 'none', Image: 'https://example.com/fries.jpg' },
        { Columns: 6, Rows: 2, ActionType: 'none', ActionBody: 'none', Text: '<b>Fries</b><br>€3', TextVAlign: 'top', TextHAlign: 'left' },
        { Columns: 6, Rows: 1, ActionType: 'reply', ActionBody: 'fries', Text: 'Order', TextSize: 'regular' },
        { Columns: 6, Rows: 2, ActionType: 'none', ActionBody: 'none', Text: '<b>Shake</b>', TextVAlign: 'top', TextHAlign: 'left' },
        { Columns: 6, Rows: 4, ActionType: 'none', ActionBody: 'none', Text: '' },
      ] },
      alt_text: 'Our menu',
    }]);
  });

  it('rich-link → URL message (degraded)', async () => {
    expect(await sent({ type: 'rich', kind: 'rich-link', payload: { url: 'https://example.com/menu' } })).toEqual([{ ...common, type: 'url', media: 'https://example.com/menu' }]);
  });

  it('another rich kind → its fallback text (degraded)', async () => {
    expect(await sent({ type: 'rich', kind: 'time-picker', payload: {}, fallbackText: 'Reply with a time' })).toEqual([{ ...common, type: 'text', text: 'Reply with a time' }]);
  });

  it('broadcast → broadcast_message with broadcast_list, 300 recipients per call', async () => {
    const recipients = Array.from({ length: 301 }, (_, i) => `user-${i}`);
    for (const r of recipients) fake.subscribe(r);
    const bodies = await sent({ type: 'text', text: 'Opening hours changed.' }, connector, { broadcastTo: recipients });
    const { receiver: _r, ...withoutReceiver } = common;
    expect(bodies).toEqual([
      { ...withoutReceiver, type: 'text', text: 'Opening hours changed.', broadcast_list: recipients.slice(0, 300) },
      { ...withoutReceiver, type: 'text', text: 'Opening hours changed.', broadcast_list: recipients.slice(300) },
    ]);
  });
});

describe('render: refusals', () => {
  it.each<[string, Content, typeof ContentUnsupportedError | typeof ContentInvalidError]>([
    ['a reaction', { type: 'reaction', emoji: '👍', target: 'x' }, ContentUnsupportedError],
    ['a rich kind without fallback', { type: 'rich', kind: 'payment', payload: {} }, ContentUnsupportedError],
    ['media without URL', { type: 'image', media: { id: 'abc' } }, ContentInvalidError],
    ['a picture over 1 MB', { type: 'image', media: { url: 'https://example.com/a.jpg', size: 1_000_001 } }, ContentInvalidError],
    ['a video over 26 MB', { type: 'video', media: { url: 'https://example.com/a.mp4', size: 26_000_001 } }, ContentInvalidError],
    ['a file over 50 MB', { type: 'document', media: { url: 'https://example.com/a.pdf', size: 50_000_001 } }, ContentInvalidError],
    ['more than 24 buttons', { type: 'interactive', body: 'x', quickReplies: Array.from({ length: 25 }, (_, i) => ({ id: `${i}`, title: `${i}` })) }, ContentInvalidError],
    ['a carousel of 7 items', { type: 'rich', kind: 'carousel', payload: { items: Array.from({ length: 7 }, () => ({ title: 't' })) } }, ContentInvalidError],
    ['a carousel item taller than 7 rows', { type: 'rich', kind: 'carousel', payload: { items: [{ title: 't', imageUrl: 'https://e.com/i.jpg', buttons: [1, 2, 3].map((i) => ({ id: `${i}`, title: 'b' })) }] } }, ContentInvalidError],
    ['empty text', { type: 'text', text: '' }, ContentInvalidError],
  ])('refuses %s', (_name, content, error) => {
    expect(() => connector.render(msg(content))).toThrow(error);
  });
});

describe('send', () => {
  it('returns the message_token of the answer digit for digit as externalId', async () => {
    const result = await connector.send(msg({ type: 'text', text: 'Hi' }));
    const raw = fake.requests.length;
    expect(raw).toBe(1);
    expect(result.externalId).toMatch(/^\d{19}$/);
    expect(BigInt(result.externalId)).toBeGreaterThan(2n ** 53n);
    expect(result.acceptedAt).toBeInstanceOf(Date);
  });

  it('fails with recipient-blocked when Viber answers HTTP 200 with status 6', async () => {
    fake.unsubscribe(USER);
    await expect(connector.send(msg({ type: 'text', text: 'Hi' }))).rejects.toMatchObject({ code: 'RECIPIENT_BLOCKED' });
  });

  it('fails with permanent on status 5 (receiver not registered)', async () => {
    fake.deregister(USER);
    await expect(connector.send(msg({ type: 'text', text: 'Hi' }))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });

  it('fails with rate-limited on status 12', async () => {
    fake.script([{ status: 200, body: { status: 12, status_message: 'Too many requests' } }], '/pa/send_message');
    await expect(connector.send(msg({ type: 'text', text: 'Hi' }))).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 10_000 });
  });

  it('fails with retryable on HTTP 503 and on a reset connection', async () => {
    fake.script([{ status: 503, body: 'unavailable' }, { status: 0, reset: true }], '/pa/send_message');
    await expect(connector.send(msg({ type: 'text', text: 'Hi' }))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    await expect(connector.send(msg({ type: 'text', text: 'Hi' }))).rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });

  it('fails when a later part of a split message fails', async () => {
    fake.script([{ status: 200, body: { status: 0, status_message: 'ok', message_token: 1 } }, { status: 200, body: { status: 3, status_message: 'badData' } }], '/pa/send_message');
    await expect(connector.send(msg({ type: 'text', text: `${'a'.repeat(6999)}. ${'b'.repeat(10)}` }))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });

  it('reports broadcast recipients Viber refused in the raw answer', async () => {
    fake.subscribe('a');
    const result = await connector.send(msg({ type: 'text', text: 'News' }, { broadcastTo: ['a', 'not-subscribed'] }));
    expect(result.raw).toMatchObject({ status: 0, failed_list: [{ receiver: 'not-subscribed', status: 6 }] });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContentInvalidError, ContentUnsupportedError, type Content, type MessageEvent, type OutboundMessage } from '@switchboard/core';
import { FakeTelegramServer, telegramSandboxConfig } from './fake-telegram-server.js';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';

const USER = '1111111';
const fake = new FakeTelegramServer({ config: { ...telegramSandboxConfig }, limits: { perChat: { limit: 1000, perMs: 1000 }, global: { limit: 1000, perMs: 1000 } } });
let connector: TelegramConnector;
const PATH = (method: string): string => `/bot${telegramSandboxConfig.botToken}/${method}`;
const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'out-1', to: { channel: 'telegram', accountId: '7000000001', userId: USER }, content, purpose: 'service', sender: 'bot', ...extra,
});

beforeAll(async () => { await fake.start(); connector = new TelegramConnector(parseConfig(fake.connectorConfig())); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); fake.startUser(USER); });

/** Sends and returns what the fake received: method, path, content-type and JSON body of each request. */
async function sent(content: Content, extra: Partial<OutboundMessage> = {}) {
  const result = await connector.send(msg(content, extra));
  const requests = fake.requests.map((r) => ({ method: r.method, path: r.path, contentType: r.headers['content-type'], body: r.body }));
  return { result, requests };
}
const post = (method: string, body: unknown) => ({ method: 'POST', path: PATH(method), contentType: 'application/json', body });

describe('render and send: exact requests', () => {
  it('text: sendMessage with plain text and no parse_mode', async () => {
    const { result, requests } = await sent({ type: 'text', text: 'Your car is ready.' });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'Your car is ready.' })]);
    expect(result.externalId).toBe('1');
    expect(result.acceptedAt).toBeInstanceOf(Date);
  });

  it('text that looks like markup is sent verbatim, without parse_mode, so it cannot inject formatting', async () => {
    const text = '<b>bold</b> *bold* _it_ [link](https://evil.example) <a href="tg://user?id=1">x</a>';
    const { requests } = await sent({ type: 'text', text });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text })]);
    expect(requests[0]!.body).not.toHaveProperty('parse_mode');
  });

  it('text with previewUrl false disables the link preview', async () => {
    const { requests } = await sent({ type: 'text', text: 'https://example.com', previewUrl: false });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'https://example.com', link_preview_options: { is_disabled: true } })]);
  });

  it('text over 4,096 characters is split at sentence boundaries into follow-ups', async () => {
    const sentence = 'The brake pads were replaced and tested. ';
    const text = sentence.repeat(250).trim(); // 10,249 characters
    const request = connector.render(msg({ type: 'text', text }));
    expect(request.followUps).toHaveLength(2);
    expect(request.rendering).toEqual({ form: 'native', parts: 3 });
    const { result, requests } = await sent({ type: 'text', text });
    expect(requests).toHaveLength(3);
    const parts = requests.map((r) => (r.body as { text: string }).text);
    for (const p of parts) { expect(p.length).toBeLessThanOrEqual(4096); expect(p.endsWith('.')).toBe(true); }
    expect(parts.join(' ')).toBe(text);
    expect(result.externalId).toBe('1');
    expect(result.partIds).toEqual(['2', '3']);
  });

  it('text split at line boundaries when there are lines', () => {
    const line = 'x'.repeat(99);
    const text = Array.from({ length: 50 }, () => line).join('\n');
    const request = connector.render(msg({ type: 'text', text }));
    const first = (request.body as { text: string }).text;
    expect(first.length).toBeLessThanOrEqual(4096);
    expect(first.split('\n').every((l) => l === line)).toBe(true);
  });

  it('a reply carries reply_parameters on the first part', async () => {
    const webhook = fake.userMessage({ userId: USER, text: 'Is it ready?' });
    const messageId = String((JSON.parse(webhook.body.toString()) as { message: { message_id: number } }).message.message_id);
    fake.reset(); fake.startUser(USER);
    const { requests } = await sent({ type: 'text', text: 'Yes.' }, { replyTo: messageId });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'Yes.', reply_parameters: { message_id: Number(messageId), allow_sending_without_reply: true } })]);
  });

  it('a non-numeric replyTo (a callback query id) is not sent as reply_parameters', () => {
    expect(connector.render(msg({ type: 'text', text: 'ok' }, { replyTo: '4382bfdwdsb323b2d9' })).body).toEqual({ chat_id: 1111111, text: 'ok' });
  });

  it('image by URL: sendPhoto with caption', async () => {
    const { requests } = await sent({ type: 'image', media: { url: 'https://example.com/car.jpg', caption: 'Your car' } });
    expect(requests).toEqual([post('sendPhoto', { chat_id: 1111111, photo: 'https://example.com/car.jpg', caption: 'Your car' })]);
  });

  it('image by file_id wins over the URL', async () => {
    const { requests } = await sent({ type: 'image', media: { id: 'AgACAgQAAxkBAAIBsmS_large', url: 'https://example.com/car.jpg' } });
    expect(requests).toEqual([post('sendPhoto', { chat_id: 1111111, photo: 'AgACAgQAAxkBAAIBsmS_large' })]);
  });

  it('video: sendVideo', async () => {
    const { requests } = await sent({ type: 'video', media: { url: 'https://example.com/tour.mp4', caption: 'Tour' } });
    expect(requests).toEqual([post('sendVideo', { chat_id: 1111111, video: 'https://example.com/tour.mp4', caption: 'Tour' })]);
  });

  it('audio: sendAudio', async () => {
    const { requests } = await sent({ type: 'audio', media: { url: 'https://example.com/note.mp3' } });
    expect(requests).toEqual([post('sendAudio', { chat_id: 1111111, audio: 'https://example.com/note.mp3' })]);
  });

  it('document: sendDocument', async () => {
    const { requests } = await sent({ type: 'document', media: { url: 'https://example.com/invoice.pdf', filename: 'invoice.pdf', caption: 'Invoice' } });
    expect(requests).toEqual([post('sendDocument', { chat_id: 1111111, document: 'https://example.com/invoice.pdf', caption: 'Invoice' })]);
  });

  it('sticker: sendSticker; a caption follows as text (degraded)', async () => {
    expect(connector.render(msg({ type: 'sticker', media: { id: 'CAACAgIAAxkBAAIBuGS_sticker' } })).rendering).toEqual({ form: 'native', parts: 1 });
    const { requests } = await sent({ type: 'sticker', media: { id: 'CAACAgIAAxkBAAIBuGS_sticker', caption: 'Thumbs up' } });
    expect(requests).toEqual([
      post('sendSticker', { chat_id: 1111111, sticker: 'CAACAgIAAxkBAAIBuGS_sticker' }),
      post('sendMessage', { chat_id: 1111111, text: 'Thumbs up' }),
    ]);
    expect(connector.render(msg({ type: 'sticker', media: { id: 'CAACAgIAAxkBAAIBuGS_sticker', caption: 'x' } })).rendering?.form).toBe('degraded');
  });

  it('a caption over 1,024 characters keeps its head under the media and continues as text', async () => {
    const caption = `${'Wheel alignment done. '.repeat(60)}End.`;
    const { requests } = await sent({ type: 'image', media: { url: 'https://example.com/car.jpg', caption } });
    expect(requests).toHaveLength(2);
    const head = (requests[0]!.body as { caption: string }).caption;
    const tail = (requests[1]!.body as { text: string }).text;
    expect(requests[0]!.path).toBe(PATH('sendPhoto'));
    expect(requests[1]).toEqual(post('sendMessage', { chat_id: 1111111, text: tail }));
    expect(head.length).toBeLessThanOrEqual(1024);
    expect(`${head} ${tail}`).toBe(caption);
  });

  it('media without id or URL, or over the by-URL size limit, is invalid', () => {
    expect(() => connector.render(msg({ type: 'image', media: { caption: 'x' } }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'image', media: { url: 'https://e.com/a.jpg', size: 6 * 1024 * 1024 } }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'video', media: { url: 'https://e.com/a.mp4', size: 21 * 1024 * 1024 } }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'video', media: { id: 'BAACAgQAAxkBAAIBtGS_video', size: 21 * 1024 * 1024 } }))).not.toThrow();
  });

  it('location: sendLocation', async () => {
    const { requests } = await sent({ type: 'location', latitude: 52.52, longitude: 13.405 });
    expect(requests).toEqual([post('sendLocation', { chat_id: 1111111, latitude: 52.52, longitude: 13.405 })]);
  });

  it('location with name and address: sendVenue', async () => {
    const { requests } = await sent({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1, München' });
    expect(requests).toEqual([post('sendVenue', { chat_id: 1111111, latitude: 48.1372, longitude: 11.5756, title: 'Workshop', address: 'Marienplatz 1, München' })]);
  });

  it('location with only a name: the pin, then the name as text (degraded)', async () => {
    const { requests } = await sent({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop' });
    expect(requests).toEqual([
      post('sendLocation', { chat_id: 1111111, latitude: 48.1372, longitude: 11.5756 }),
      post('sendMessage', { chat_id: 1111111, text: 'Workshop' }),
    ]);
  });

  it('out-of-range coordinates are invalid', () => {
    expect(() => connector.render(msg({ type: 'location', latitude: 91, longitude: 0 }))).toThrow(ContentInvalidError);
  });

  it('contacts: one sendContact per card; e-mails and organisation in a vCard', async () => {
    const { requests, result } = await sent({
      type: 'contacts', contacts: [
        { name: 'Service desk', phones: [{ phone: '+4989123456' }] },
        { name: 'Erika Mustermann', organization: 'Autohaus; GmbH', phones: [{ phone: '+4915112345678', type: 'CELL' }], emails: [{ email: 'erika@example.com' }] },
      ],
    });
    expect(requests).toEqual([
      post('sendContact', { chat_id: 1111111, phone_number: '+4989123456', first_name: 'Service desk' }),
      post('sendContact', {
        chat_id: 1111111, phone_number: '+4915112345678', first_name: 'Erika Mustermann',
        vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Erika Mustermann\nORG:Autohaus\\; GmbH\nTEL;TYPE=CELL:+4915112345678\nEMAIL:erika@example.com\nEND:VCARD',
      }),
    ]);
    expect(result.partIds).toEqual(['2']);
  });

  it('a contact without a phone is invalid', () => {
    expect(() => connector.render(msg({ type: 'contacts', contacts: [{ name: 'No phone', emails: [{ email: 'a@b.c' }] }] }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'contacts', contacts: [] }))).toThrow(ContentInvalidError);
  });

  it('buttons: an inline keyboard with callback_data, URL buttons as url', async () => {
    const { requests } = await sent({
      type: 'interactive', header: 'Service', body: 'Book a service?', footer: 'Reply any time',
      buttons: [{ id: 'book:yes', title: 'Yes, book it' }, { id: 'book:no', title: 'No thanks' }, { id: 'web', title: 'Website', url: 'https://example.com' }],
    });
    expect(requests).toEqual([post('sendMessage', {
      chat_id: 1111111, text: 'Service\n\nBook a service?\n\nReply any time',
      reply_markup: { inline_keyboard: [[{ text: 'Yes, book it', callback_data: 'book:yes' }], [{ text: 'No thanks', callback_data: 'book:no' }], [{ text: 'Website', url: 'https://example.com' }]] },
    })]);
  });

  it('list: one inline button per row; row descriptions go into the text', async () => {
    const { requests } = await sent({
      type: 'interactive', body: 'Pick a slot',
      list: { button: 'Slots', sections: [{ title: 'Monday', rows: [{ id: 'mon-9', title: 'Mon 9:00', description: 'with Jo' }, { id: 'mon-14', title: 'Mon 14:00' }] }] },
    });
    expect(requests).toEqual([post('sendMessage', {
      chat_id: 1111111, text: 'Pick a slot\n\nMon 9:00: with Jo',
      reply_markup: { inline_keyboard: [[{ text: 'Mon 9:00', callback_data: 'mon-9' }], [{ text: 'Mon 14:00', callback_data: 'mon-14' }]] },
    })]);
  });

  it('quick replies: a one-time reply keyboard, three per row', async () => {
    const { requests } = await sent({
      type: 'interactive', body: 'How was it?',
      quickReplies: ['Great', 'OK', 'Bad', 'Awful'].map((t) => ({ id: t.toLowerCase(), title: t })),
    });
    expect(requests).toEqual([post('sendMessage', {
      chat_id: 1111111, text: 'How was it?',
      reply_markup: { keyboard: [[{ text: 'Great' }, { text: 'OK' }, { text: 'Bad' }], [{ text: 'Awful' }]], one_time_keyboard: true, resize_keyboard: true },
    })]);
  });

  it('buttons and quick replies together: one inline keyboard (degraded)', () => {
    const request = connector.render(msg({ type: 'interactive', body: 'Go?', buttons: [{ id: 'y', title: 'Yes' }], quickReplies: [{ id: 'later', title: 'Later' }] }));
    expect(request.body).toEqual({ chat_id: 1111111, text: 'Go?', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }], [{ text: 'Later', callback_data: 'later' }]] } });
    expect(request.rendering?.form).toBe('degraded');
  });

  it('callback_data over 64 bytes is ContentInvalidError (bytes, not characters)', () => {
    expect(() => connector.render(msg({ type: 'interactive', body: 'x', buttons: [{ id: 'a'.repeat(65), title: 'A' }] }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'interactive', body: 'x', buttons: [{ id: 'ä'.repeat(33), title: 'A' }] }))).toThrow(ContentInvalidError);
    expect(() => connector.render(msg({ type: 'interactive', body: 'x', buttons: [{ id: 'a'.repeat(64), title: 'A' }] }))).not.toThrow();
    expect(() => connector.render(msg({ type: 'interactive', body: 'x', buttons: [{ id: '', title: 'A' }] }))).toThrow(ContentInvalidError);
  });

  it('a long interactive body is split; the keyboard goes under the last part, reply_parameters on the first', () => {
    const body = 'Please check the details. '.repeat(200).trim();
    const request = connector.render(msg({ type: 'interactive', body, buttons: [{ id: 'ok', title: 'OK' }] }, { replyTo: '5' }));
    expect(request.body).toHaveProperty('reply_parameters');
    expect(request.body).not.toHaveProperty('reply_markup');
    const last = request.followUps!.at(-1)!;
    expect(last.body).toHaveProperty('reply_markup', { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] });
  });

  it('reply (a choice) goes out as its title in text (degraded)', async () => {
    const { requests } = await sent({ type: 'reply', id: 'yes', title: 'Yes' });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'Yes' })]);
  });

  it('reaction: setMessageReaction with one emoji; an empty emoji removes it', async () => {
    fake.userMessage({ userId: USER, text: 'Thanks!', messageId: '42' });
    const { requests, result } = await sent({ type: 'reaction', emoji: '👍', target: '42' });
    expect(requests).toEqual([post('setMessageReaction', { chat_id: 1111111, message_id: 42, reaction: [{ type: 'emoji', emoji: '👍' }] })]);
    expect(result.externalId).toBe('reaction:1111111:42');
    expect(connector.render(msg({ type: 'reaction', emoji: '', target: '42' })).body).toEqual({ chat_id: 1111111, message_id: 42, reaction: [] });
    expect(() => connector.render(msg({ type: 'reaction', emoji: '👍', target: 'wamid.x' }))).toThrow(ContentInvalidError);
  });

  it('template: the fallback text filled with the parameters (degraded)', async () => {
    const content: Content = { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.' };
    expect(connector.render(msg(content)).rendering).toMatchObject({ form: 'degraded', parts: 1 });
    const { requests } = await sent(content);
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'Flight LH 2040 now departs from gate B12.' })]);
  });

  it('rich: its fallback text (degraded), or CONTENT_UNSUPPORTED without one', async () => {
    const { requests } = await sent({ type: 'rich', kind: 'carousel', payload: {}, fallbackText: 'See our menu.' });
    expect(requests).toEqual([post('sendMessage', { chat_id: 1111111, text: 'See our menu.' })]);
    expect(() => connector.render(msg({ type: 'rich', kind: 'time-picker', payload: {} }))).toThrow(ContentUnsupportedError);
  });

  it('empty text is invalid', () => {
    expect(() => connector.render(msg({ type: 'text', text: '  ' }))).toThrow(ContentInvalidError);
  });

  it('group chats take negative ids; channels their @username', async () => {
    fake.addGroup('-1001234567890', 'Workshop customers', 'supergroup');
    const result = await connector.send(msg({ type: 'text', text: 'Hello group' }, { to: { channel: 'telegram', accountId: '7000000001', userId: '-1001234567890' } }));
    expect(result.externalId).toBe('1');
    expect(fake.requests.at(-1)!.body).toEqual({ chat_id: -1001234567890, text: 'Hello group' });
    expect(connector.render(msg({ type: 'text', text: 'x' }, { to: { channel: 'telegram', accountId: '7000000001', userId: '@switchboard_news' } })).body).toEqual({ chat_id: '@switchboard_news', text: 'x' });
    expect(() => connector.render(msg({ type: 'text', text: 'x' }, { to: { channel: 'telegram', accountId: '7000000001', userId: 'not an id' } }))).toThrow(ContentInvalidError);
  });

  it('render is pure: same input, same request, nothing sent', () => {
    const m = msg({ type: 'text', text: 'Hi' });
    expect(connector.render(m)).toEqual(connector.render(m));
    expect(fake.requests).toHaveLength(0);
  });
});

describe('webhook registration and callback answers', () => {
  it('renderSetWebhook: url, secret_token and allowed_updates', () => {
    expect(connector.renderSetWebhook({ url: 'https://host.example.com/webhooks/telegram/7000000001', dropPendingUpdates: true })).toEqual({
      method: 'POST', url: `${fake.url}${PATH('setWebhook')}`, headers: { 'content-type': 'application/json' },
      body: {
        url: 'https://host.example.com/webhooks/telegram/7000000001', secret_token: telegramSandboxConfig.secretToken,
        allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'], drop_pending_updates: true,
      },
    });
  });

  it('setWebhook registers with the fake', async () => {
    await connector.setWebhook({ url: 'https://host.example.com/webhooks/telegram/7000000001', allowedUpdates: ['message'] });
    expect(fake.webhook).toEqual({ url: 'https://host.example.com/webhooks/telegram/7000000001', secretToken: telegramSandboxConfig.secretToken, allowedUpdates: ['message'] });
    expect(fake.requests.map((r) => [r.path, r.body])).toEqual([[PATH('setWebhook'), {
      url: 'https://host.example.com/webhooks/telegram/7000000001', secret_token: telegramSandboxConfig.secretToken, allowed_updates: ['message'],
    }]]);
  });

  it('answerCallbackQuery answers the callback id from the reply event metadata', async () => {
    const { webhook, callbackQueryId } = fake.callbackQuery({ userId: USER, data: 'book:yes', buttonText: 'Yes' });
    const [event] = connector.parse({ method: 'POST', path: '/', query: {}, headers: webhook.headers, body: webhook.body });
    const id = (event as { metadata: { callbackQueryId: string } }).metadata.callbackQueryId;
    expect(id).toBe(callbackQueryId);
    await connector.answerCallbackQuery(id, { text: 'Booked' });
    expect(fake.requests.map((r) => [r.path, r.body])).toEqual([[PATH('answerCallbackQuery'), { callback_query_id: callbackQueryId, text: 'Booked' }]]);
    expect(connector.renderAnswerCallbackQuery(id, { showAlert: true, cacheTime: 5 }).body).toEqual({ callback_query_id: id, show_alert: true, cache_time: 5 });
    expect(() => connector.renderAnswerCallbackQuery(id, { text: 'x'.repeat(201) })).toThrow(ContentInvalidError);
  });

  it('acknowledgeInteraction answers the tapped button\'s callback query with an empty answer', async () => {
    const { webhook, callbackQueryId } = fake.callbackQuery({ userId: USER, data: 'book:yes', buttonText: 'Yes' });
    const [event] = connector.parse({ method: 'POST', path: '/', query: {}, headers: webhook.headers, body: webhook.body });
    await connector.acknowledgeInteraction(event as MessageEvent);
    const requests = fake.requests.map((r) => ({ method: r.method, path: r.path, contentType: r.headers['content-type'], body: r.body }));
    expect(requests).toEqual([{ method: 'POST', path: PATH('answerCallbackQuery'), contentType: 'application/json', body: { callback_query_id: callbackQueryId } }]);
  });

  it('acknowledgeInteraction makes no request for a message that is not a button tap', async () => {
    const webhook = fake.userMessage({ userId: USER, text: 'Is my car ready?' });
    const [event] = connector.parse({ method: 'POST', path: '/', query: {}, headers: webhook.headers, body: webhook.body });
    expect(event).toMatchObject({ kind: 'message', content: { type: 'text' } });
    await connector.acknowledgeInteraction(event as MessageEvent);
    expect(fake.requests).toEqual([]);
  });

  it('acknowledgeInteraction throws a classified error when Telegram refuses the answer (a query answered already)', async () => {
    const { webhook } = fake.callbackQuery({ userId: USER, data: 'book:yes', buttonText: 'Yes' });
    const [event] = connector.parse({ method: 'POST', path: '/', query: {}, headers: webhook.headers, body: webhook.body });
    await connector.acknowledgeInteraction(event as MessageEvent);
    await expect(connector.acknowledgeInteraction(event as MessageEvent)).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });
});

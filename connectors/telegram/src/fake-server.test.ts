import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock, PermanentError, RateLimitedError, RecipientBlockedError, RetryableError, type OutboundMessage, type RawWebhook, type SignedWebhook,
} from '@switchboard/core';
import { FakeTelegramServer, telegramSandboxConfig } from './fake-telegram-server.js';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';

const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
const fake = new FakeTelegramServer({ config: { ...telegramSandboxConfig }, clock });
let connector: TelegramConnector;
const USER = '1111111';
const api = (method: string, body: unknown, token: string = telegramSandboxConfig.botToken) =>
  fetch(`${fake.url}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
const text = (userId: string, t = 'Hello'): OutboundMessage => ({ id: 'o', to: { channel: 'telegram', accountId: '7000000001', userId }, content: { type: 'text', text: t } });
const raw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks/telegram/7000000001', query: {}, headers: w.headers, body: w.body });

beforeAll(async () => { await fake.start(); connector = new TelegramConnector(parseConfig(fake.connectorConfig())); });
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); clock.advance(60_000); });

describe('fake Bot API server', () => {
  it('answers a wrong token with 401 Unauthorized', async () => {
    expect(await api('getMe', {}, '7000000001:AAWrongTokenWrongTokenWrongTokenWro')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it('answers an unknown method with 404 Not Found', async () => {
    expect(await api('sendTelepathy', {})).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
  });

  it('getMe describes the sandbox bot', async () => {
    expect(await api('getMe', {})).toMatchObject({ status: 200, body: { ok: true, result: { id: 7000000001, is_bot: true, username: 'switchboard_sandbox_bot' } } });
  });

  it('answers a chat that never started the bot with 400 chat not found → permanent', async () => {
    expect(await api('sendMessage', { chat_id: 999, text: 'hi' })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
    await expect(connector.send(text('999'))).rejects.toBeInstanceOf(PermanentError);
  });

  it('answers a user who blocked the bot with 403 → recipient-blocked', async () => {
    fake.blockUser(USER);
    expect(await api('sendMessage', { chat_id: Number(USER), text: 'hi' })).toEqual({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await expect(connector.send(text(USER))).rejects.toBeInstanceOf(RecipientBlockedError);
    fake.unblockUser(USER);
    await expect(connector.send(text(USER))).resolves.toMatchObject({ externalId: '1' });
  });

  it('answers a successful send with the Message object', async () => {
    fake.startUser(USER, 'Ada');
    expect(await api('sendMessage', { chat_id: Number(USER), text: 'Ready' })).toEqual({
      status: 200,
      body: { ok: true, result: {
        message_id: 1, from: { id: 7000000001, is_bot: true, first_name: 'Switchboard Sandbox', username: 'switchboard_sandbox_bot' },
        chat: { id: 1111111, first_name: 'Ada', type: 'private' }, date: Math.floor(clock.now() / 1000), text: 'Ready',
      } },
    });
  });

  it('refuses text over 4,096 and captions over 1,024 characters', async () => {
    fake.startUser(USER);
    expect(await api('sendMessage', { chat_id: Number(USER), text: 'x'.repeat(4097) })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } });
    expect(await api('sendPhoto', { chat_id: Number(USER), photo: 'https://e.com/a.jpg', caption: 'x'.repeat(1025) })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message caption is too long' } });
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'x'.repeat(4096) })).status).toBe(200);
  });

  it('refuses callback_data over 64 bytes and an empty text', async () => {
    fake.startUser(USER);
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'x', reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a'.repeat(65) }]] } })).body.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    expect((await api('sendMessage', { chat_id: Number(USER), text: ' ' })).body.description).toBe('Bad Request: message text is empty');
  });

  it('throttles one private chat after a short burst with 429 and retry_after → rate-limited', async () => {
    fake.startUser(USER);
    // a bucket of 3 that refills one message per second: the burst passes, the 4th waits a second
    for (let i = 0; i < 3; i++) expect((await api('sendMessage', { chat_id: Number(USER), text: `m${i}` })).status).toBe(200);
    expect(await api('sendMessage', { chat_id: Number(USER), text: 'too fast' })).toEqual({
      status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    const error = await connector.send(text(USER)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1000);
    clock.advance(1000);
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'later' })).status).toBe(200);
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'again too fast' })).status).toBe(429);
  });

  it('throttles the bot overall at 30 messages per second', async () => {
    for (let i = 0; i < 31; i++) fake.startUser(String(2000 + i));
    for (let i = 0; i < 30; i++) expect((await api('sendMessage', { chat_id: 2000 + i, text: 'news' })).status).toBe(200);
    expect(await api('sendMessage', { chat_id: 2030, text: 'news' })).toMatchObject({ status: 429, body: { error_code: 429, parameters: { retry_after: 1 } } });
    clock.advance(1000);
    expect((await api('sendMessage', { chat_id: 2030, text: 'news' })).status).toBe(200);
  });

  it('throttles a group at 20 messages per minute', async () => {
    fake.addGroup('-100200300');
    for (let i = 0; i < 20; i++) { expect((await api('sendMessage', { chat_id: -100200300, text: `g${i}` })).status).toBe(200); clock.advance(100); }
    // 20 sent in 2 s: the bucket refilled 2/3 of a message (one per 3 s), so the next one is a second away
    const answer = await api('sendMessage', { chat_id: -100200300, text: 'one too many' });
    expect(answer).toMatchObject({ status: 429, body: { parameters: { retry_after: 1 } } });
    clock.advance(1000);
    expect((await api('sendMessage', { chat_id: -100200300, text: 'refilled' })).status).toBe(200);
  });

  it('refuses a reply to an unknown message unless allow_sending_without_reply', async () => {
    fake.startUser(USER);
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'x', reply_parameters: { message_id: 777 } })).body.description).toBe('Bad Request: message to be replied not found');
    expect((await api('sendMessage', { chat_id: Number(USER), text: 'x', reply_parameters: { message_id: 777, allow_sending_without_reply: true } })).status).toBe(200);
  });

  it('userMessage: a signed update the connector verifies and parses; the user counts as started', () => {
    const webhook = fake.userMessage({ userId: USER, text: 'Is my car ready?', name: 'Ada' });
    expect(webhook.headers['x-telegram-bot-api-secret-token']).toBe(telegramSandboxConfig.secretToken);
    expect(() => connector.verify(raw(webhook))).not.toThrow();
    expect(connector.parse(raw(webhook))).toMatchObject([{ kind: 'message', userId: USER, accountId: '7000000001', profile: { name: 'Ada' }, content: { type: 'text', text: 'Is my car ready?' } }]);
    expect(fake.canMessage(USER)).toBe(true);
  });

  it('update ids increase with every update', () => {
    const ids = [fake.userMessage({ userId: USER, text: 'a' }), fake.userMessage({ userId: USER, text: 'b' })]
      .map((w) => (JSON.parse(w.body.toString()) as { update_id: number }).update_id);
    expect(ids[1]).toBe(ids[0]! + 1);
  });

  it('startCommand: /start with a payload parses as conversation-started with context', () => {
    const events = connector.parse(raw(fake.startCommand({ userId: USER, payload: 'ref-42' })));
    expect(events.map((e) => e.kind)).toEqual(['conversation-started', 'message']);
    expect(events[0]).toMatchObject({ context: 'ref-42' });
  });

  it('myChatMember kicked: consent blocked, and sends now fail with 403; member again unblocks', async () => {
    fake.startUser(USER);
    expect(connector.parse(raw(fake.myChatMember({ userId: USER, status: 'kicked' })))).toMatchObject([{ kind: 'consent', action: 'blocked', userId: USER }]);
    await expect(connector.send(text(USER))).rejects.toBeInstanceOf(RecipientBlockedError);
    expect(connector.parse(raw(fake.myChatMember({ userId: USER, status: 'member' })))).toMatchObject([{ kind: 'consent', action: 'unblocked' }]);
    await expect(connector.send(text(USER))).resolves.toBeDefined();
  });

  it('answerCallbackQuery accepts a callback id once', async () => {
    const { callbackQueryId } = fake.callbackQuery({ userId: USER, data: 'x' });
    expect(await api('answerCallbackQuery', { callback_query_id: callbackQueryId })).toEqual({ status: 200, body: { ok: true, result: true } });
    expect(await api('answerCallbackQuery', { callback_query_id: callbackQueryId })).toMatchObject({ status: 400, body: { description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' } });
  });

  it('setWebhook requires an HTTPS URL and a well-formed secret token', async () => {
    expect(await api('setWebhook', { url: 'http://insecure.example.com/hook' })).toMatchObject({ status: 400, body: { description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook' } });
    expect(await api('setWebhook', { url: 'https://host.example.com/hook', secret_token: 'bad token!' })).toMatchObject({ status: 400 });
    expect(await api('setWebhook', { url: 'https://host.example.com/hook', secret_token: 'good' })).toEqual({ status: 200, body: { ok: true, result: true, description: 'Webhook was set' } });
    expect(await api('getWebhookInfo', {})).toMatchObject({ body: { result: { url: 'https://host.example.com/hook' } } });
  });

  it('scripted 5xx and dropped connections classify as retryable', async () => {
    fake.startUser(USER);
    fake.script([{ status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }]);
    await expect(connector.send(text(USER))).rejects.toBeInstanceOf(RetryableError);
    fake.script([{ status: 200, reset: true }]);
    await expect(connector.send(text(USER))).rejects.toBeInstanceOf(RetryableError);
  });

  it('a long text whose later parts hit the chat limit waits out retry_after instead of failing half-sent', async () => {
    fake.startUser(USER);
    const waits: number[] = [];
    const patient = new TelegramConnector(parseConfig(fake.connectorConfig()), {}, { sleep: async (ms) => { waits.push(ms); clock.advance(ms); } });
    const longText = 'The car is ready and washed. '.repeat(700).trim(); // 5 parts of at most 4,096
    const result = await patient.send(text(USER, longText));
    expect(result.partIds).toHaveLength(4);
    expect(waits).toEqual([1000, 1000]); // parts 4 and 5 each wait for one refilled token
    expect(fake.requests.filter((r) => r.path.endsWith('/sendMessage'))).toHaveLength(7); // 5 parts and two throttled tries
  });

  it('a follow-up that fails for good reports how far the send got', async () => {
    fake.startUser(USER);
    fake.script([
      { status: 200, body: { ok: true, result: { message_id: 10, date: 1, chat: { id: 1111111, type: 'private' }, text: 'part 1' } } },
      { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } },
    ]);
    const error = await connector.send(text(USER, 'Long sentence here. '.repeat(300).trim())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientBlockedError);
    expect((error as RecipientBlockedError).details).toMatchObject({ externalId: '10', sentPartIds: [], sentParts: 1, totalParts: 2, description: 'Forbidden: bot was blocked by the user' });
  });

  it('a throttled follow-up beyond the wait budget fails as rate-limited', async () => {
    fake.startUser(USER);
    const impatient = new TelegramConnector(parseConfig(fake.connectorConfig()), {}, { sleep: async (ms) => { clock.advance(ms); }, maxFollowUpWaitMs: 500 });
    const error = await impatient.send(text(USER, 'The car is ready and washed. '.repeat(700).trim())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).details).toMatchObject({ sentParts: 3, totalParts: 5 });
  });

  it('records every request', async () => {
    fake.startUser(USER);
    await connector.send(text(USER, 'recorded'));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: `/bot${telegramSandboxConfig.botToken}/sendMessage`, body: { chat_id: 1111111, text: 'recorded' } });
  });

  it('config overrides change the token and secret the fake uses', () => {
    const other = new FakeTelegramServer({ config: { botToken: '42:AAOtherTokenOtherTokenOtherTokenOther', secretToken: 'other' } });
    expect(other.connectorConfig()).toMatchObject({ botToken: '42:AAOtherTokenOtherTokenOtherTokenOther', secretToken: 'other' });
    expect(other.botId).toBe('42');
  });
});

describe('fake Bot API: the documented surface an integrator uses', () => {
  const call = (method: string, init: RequestInit & { query?: Record<string, string> } = {}) => {
    const qs = init.query ? `?${new URLSearchParams(init.query).toString()}` : '';
    return fetch(`${fake.url}/bot${telegramSandboxConfig.botToken}/${method}${qs}`, init)
      .then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
  };
  const resultOf = (answer: { body: Record<string, unknown> }) => answer.body.result as Record<string, unknown>;

  it('regression: editMessageText, sendChatAction, getUpdates, getFile and deleteMessage answered 404 — each answers as documented', async () => {
    fake.startUser(USER);
    const sent = resultOf(await api('sendMessage', { chat_id: Number(USER), text: 'Your car is ready', reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] } }));
    expect(await api('editMessageText', { chat_id: Number(USER), message_id: sent.message_id, text: 'Your car is ready and washed' })).toEqual({
      status: 200,
      body: { ok: true, result: {
        message_id: 1, from: { id: 7000000001, is_bot: true, first_name: 'Switchboard Sandbox', username: 'switchboard_sandbox_bot' },
        chat: { id: 1111111, first_name: 'Test', type: 'private' }, date: Math.floor(clock.now() / 1000), text: 'Your car is ready and washed',
        edit_date: Math.floor(clock.now() / 1000),
      } },
    });
    expect(await api('editMessageText', { chat_id: Number(USER), message_id: sent.message_id, text: 'Your car is ready and washed' })).toEqual({ status: 400, body: {
      ok: false, error_code: 400,
      description: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    } });
    expect(await api('editMessageText', { chat_id: Number(USER), message_id: 99, text: 'x' })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to edit not found' } });
    expect(await api('sendChatAction', { chat_id: Number(USER), action: 'typing' })).toEqual({ status: 200, body: { ok: true, result: true } });
    expect(await api('sendChatAction', { chat_id: Number(USER), action: 'dancing' })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: wrong parameter action in request' } });
    expect(await api('getUpdates', { timeout: 0 })).toMatchObject({ status: 200, body: { ok: true, result: [] } });
    expect(await api('getFile', { file_id: 'AgACAgQAAxkBAAIBunknown' })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' } });
    expect(await api('deleteMessage', { chat_id: Number(USER), message_id: sent.message_id })).toEqual({ status: 200, body: { ok: true, result: true } });
    expect(await api('deleteMessage', { chat_id: Number(USER), message_id: sent.message_id })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message to delete not found' } });
  });

  it('regression: only JSON bodies were accepted — the query string, form-urlencoded and multipart/form-data are read alike', async () => {
    fake.startUser(USER, 'Ada');
    const markup = JSON.stringify({ inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] });
    const viaQuery = await call('sendMessage', { query: { chat_id: USER, text: 'by query', reply_markup: markup } });
    const viaForm = await call('sendMessage', { method: 'POST', body: new URLSearchParams({ chat_id: USER, text: 'by form', reply_markup: markup }) });
    const multipart = new FormData();
    multipart.set('chat_id', USER);
    multipart.set('text', 'by multipart');
    multipart.set('reply_markup', markup);
    const viaMultipart = await call('sendMessage', { method: 'POST', body: multipart });
    const viaGet = await call('getMe', { method: 'GET' });
    for (const [answer, text] of [[viaQuery, 'by query'], [viaForm, 'by form'], [viaMultipart, 'by multipart']] as const) {
      expect(answer).toMatchObject({ status: 200, body: { ok: true, result: { chat: { id: 1111111 }, text, reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] } } } });
    }
    expect(viaGet).toMatchObject({ status: 200, body: { ok: true, result: { username: 'switchboard_sandbox_bot' } } });
    // method names are case-insensitive
    clock.advance(3000);
    expect((await call('SENDMESSAGE', { query: { chat_id: USER, text: 'loud' } })).status).toBe(200);
    expect(fake.sentMessages().map((m) => m.request.body)).toEqual([
      { chat_id: USER, text: 'by query', reply_markup: markup },
      { chat_id: USER, text: 'by form', reply_markup: markup },
      { chat_id: USER, text: 'by multipart', reply_markup: markup },
      { chat_id: USER, text: 'loud' },
    ]);
  });

  it('a photo uploaded with multipart/form-data is served back through getFile and the file download URL', async () => {
    fake.startUser(USER);
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0xfe]);
    const form = new FormData();
    form.set('chat_id', USER);
    form.set('caption', 'The damage');
    form.set('photo', new Blob([bytes], { type: 'image/jpeg' }), 'damage.jpg');
    const sent = await call('sendPhoto', { method: 'POST', body: form });
    expect(sent).toMatchObject({ status: 200, body: { ok: true, result: { caption: 'The damage', photo: [{ width: 90 }, { width: 1280, file_size: bytes.length }] } } });
    const photo = (resultOf(sent).photo as { file_id: string }[])[1]!;
    const file = await api('getFile', { file_id: photo.file_id });
    expect(file).toEqual({ status: 200, body: { ok: true, result: { file_id: photo.file_id, file_unique_id: expect.any(String), file_size: bytes.length, file_path: expect.stringMatching(/^photos\/file_\d+\.jpg$/) } } });
    const download = await fetch(`${fake.url}/file/bot${telegramSandboxConfig.botToken}/${resultOf(file).file_path as string}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(fake.sentMessages()[0]!.request.body).toEqual({ chat_id: USER, caption: 'The damage', photo: { file: 'damage.jpg', type: 'image/jpeg', size: bytes.length } });
  });

  it('regression: getUpdates was allowed while a webhook is set — it answers 409 Conflict until deleteWebhook', async () => {
    expect(await api('setWebhook', { url: 'https://host.example.com/webhooks/telegram/7000000001' })).toMatchObject({ status: 200 });
    expect(await api('getUpdates', {})).toEqual({ status: 409, body: {
      ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    } });
    expect(await api('deleteWebhook', {})).toEqual({ status: 200, body: { ok: true, result: true, description: 'Webhook was deleted' } });
    expect((await api('getUpdates', {})).status).toBe(200);
  });

  it('a fake given the host webhook URL counts as having a webhook: getWebhookInfo names it and getUpdates is refused', async () => {
    const other = new FakeTelegramServer({ config: { ...telegramSandboxConfig }, clock, webhookUrl: 'http://127.0.0.1:3000/webhooks/telegram/7000000001' });
    await other.start();
    try {
      const info = await fetch(`${other.url}/bot${telegramSandboxConfig.botToken}/getWebhookInfo`).then((r) => r.json());
      expect(info).toMatchObject({ ok: true, result: { url: 'http://127.0.0.1:3000/webhooks/telegram/7000000001' } });
      expect((await fetch(`${other.url}/bot${telegramSandboxConfig.botToken}/getUpdates`)).status).toBe(409);
    } finally {
      await other.stop();
    }
  });

  it('getUpdates hands out the updates made while no webhook is set and forgets those confirmed by offset', async () => {
    const first = JSON.parse(fake.userMessage({ userId: USER, text: 'one' }).body.toString()) as { update_id: number };
    fake.userMessage({ userId: USER, text: 'two' });
    const all = await api('getUpdates', {});
    expect((all.body.result as { update_id: number; message: { text: string } }[]).map((u) => [u.update_id, u.message.text])).toEqual([[first.update_id, 'one'], [first.update_id + 1, 'two']]);
    const rest = await call('getUpdates', { query: { offset: String(first.update_id + 1), limit: '10' } });
    expect((rest.body.result as { message: { text: string } }[]).map((u) => u.message.text)).toEqual(['two']);
    expect(await api('getWebhookInfo', {})).toMatchObject({ body: { result: { url: '', pending_update_count: 1 } } });
  });

  it('deleteMessage keeps the 48-hour window on the platform clock', async () => {
    fake.startUser(USER);
    const sent = resultOf(await api('sendMessage', { chat_id: Number(USER), text: 'soon gone' }));
    clock.advance(48 * 3600 * 1000);
    expect(await api('deleteMessage', { chat_id: Number(USER), message_id: sent.message_id })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: "Bad Request: message can't be deleted" } });
  });

  it('copyMessage and forwardMessage repeat a message the chat holds', async () => {
    fake.startUser(USER);
    fake.startUser('2222222');
    const original = resultOf(await api('sendMessage', { chat_id: Number(USER), text: 'Receipt #12' }));
    expect(await api('copyMessage', { chat_id: 2222222, from_chat_id: Number(USER), message_id: original.message_id })).toEqual({ status: 200, body: { ok: true, result: { message_id: 1 } } });
    expect(await api('forwardMessage', { chat_id: 2222222, from_chat_id: Number(USER), message_id: original.message_id })).toMatchObject({
      status: 200, body: { result: { message_id: 2, text: 'Receipt #12', forward_origin: { type: 'user', sender_user: { is_bot: true } } } },
    });
    expect((await api('copyMessage', { chat_id: 2222222, from_chat_id: Number(USER), message_id: 404 })).body.description).toBe('Bad Request: message to copy not found');
  });

  it('setMyCommands and getMyCommands keep the command list', async () => {
    const commands = [{ command: 'status', description: 'Where is my order?' }];
    expect(await api('setMyCommands', { commands })).toEqual({ status: 200, body: { ok: true, result: true } });
    expect(await api('getMyCommands', {})).toEqual({ status: 200, body: { ok: true, result: commands } });
    expect((await api('setMyCommands', { commands: [{ command: 'Bad Command', description: 'x' }] })).body.description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });

  it('records every accepted send with the message id it answered; refused sends are not recorded', async () => {
    fake.startUser(USER);
    await connector.send(text(USER, 'first'));
    await api('sendMessage', { chat_id: 999, text: 'nobody' });
    expect(fake.sentMessages()).toEqual([{
      id: '1', userId: USER, type: 'sendMessage', at: new Date(clock.now()).toISOString(),
      request: { method: 'POST', path: `/bot${telegramSandboxConfig.botToken}/sendMessage`, body: { chat_id: USER, text: 'first' } },
    }]);
  });

  it('Telegram sends bots no delivery or read receipts: the fake has no statusUpdate and schedules none', async () => {
    const other = new FakeTelegramServer({ config: { ...telegramSandboxConfig }, clock, webhookUrl: 'http://127.0.0.1:9/unused' });
    await other.start();
    try {
      other.startUser(USER);
      await fetch(`${other.url}/bot${telegramSandboxConfig.botToken}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: USER, text: 'hi' }) });
      expect('statusUpdate' in other).toBe(false);
      expect(other.sentMessages()).toHaveLength(1);
      expect(await other.flushReceipts()).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('every simulated kind parses with the connector into the expected event', () => {
    const parse = (w: SignedWebhook) => { connector.verify(raw(w)); return connector.parse(raw(w)); };
    expect(fake.simulatedKinds).toEqual(['text', 'media', 'location', 'button', 'subscribe', 'block', 'conversation-started', 'contact', 'sticker']);
    expect(parse(fake.simulate({ kind: 'text', userId: USER, text: 'Hi', name: 'Ada' }))).toMatchObject([{ kind: 'message', userId: USER, profile: { name: 'Ada' }, content: { type: 'text', text: 'Hi' } }]);
    expect(parse(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Scratch' }))).toMatchObject([{ kind: 'message', content: { type: 'image', media: { caption: 'Scratch' } } }]);
    expect(parse(fake.simulate({ kind: 'media', userId: USER, mediaType: 'video' }))).toMatchObject([{ kind: 'message', content: { type: 'video', media: { mimeType: 'video/mp4' } } }]);
    expect(parse(fake.simulate({ kind: 'media', userId: USER, mediaType: 'audio' }))).toMatchObject([{ kind: 'message', content: { type: 'audio', media: { mimeType: 'audio/ogg' } } }]);
    expect(parse(fake.simulate({ kind: 'media', userId: USER, mediaType: 'file' }))).toMatchObject([{ kind: 'message', content: { type: 'document', media: { filename: 'document.pdf' } } }]);
    expect(parse(fake.simulate({ kind: 'location', userId: USER, latitude: 52.52, longitude: 13.405 }))).toMatchObject([{ kind: 'message', content: { type: 'location', latitude: 52.52, longitude: 13.405 } }]);
    expect(parse(fake.simulate({ kind: 'button', userId: USER, payload: 'book:yes', title: 'Yes, book it' }))).toMatchObject([{ kind: 'message', content: { type: 'reply', id: 'book:yes', title: 'Yes, book it' } }]);
    expect(parse(fake.simulate({ kind: 'subscribe', userId: USER }))).toMatchObject([{ kind: 'conversation-started', userId: USER }, { kind: 'message', metadata: { command: 'start' } }]);
    expect(parse(fake.simulate({ kind: 'block', userId: USER }))).toMatchObject([{ kind: 'consent', action: 'blocked', userId: USER }]);
    expect(() => fake.simulate({ kind: 'close', userId: USER })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'url', userId: USER, url: 'https://example.com' })).toThrow(RangeError);
  });

  const parse = (w: SignedWebhook) => { connector.verify(raw(w)); return connector.parse(raw(w)); };

  it('regression: conversation-started could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'conversation-started', userId: USER, context: 'promo-42', name: 'Ada' });
    expect(JSON.parse(webhook.body.toString())).toMatchObject({ message: { text: '/start promo-42', entities: [{ type: 'bot_command', offset: 0, length: 6 }] } });
    expect(parse(webhook)).toMatchObject([{ kind: 'conversation-started', userId: USER, context: 'promo-42', profile: { name: 'Ada' } }, { kind: 'message', metadata: { command: 'start', commandArgs: 'promo-42' } }]);
  });

  it('regression: contact could not be simulated though the connector parses it', () => {
    const webhook = fake.simulate({ kind: 'contact', userId: USER, contactName: 'Grace Hopper', phone: '+15550123' });
    expect(JSON.parse(webhook.body.toString())).toMatchObject({ message: { contact: { phone_number: '+15550123', first_name: 'Grace', last_name: 'Hopper' } } });
    expect(parse(webhook)).toMatchObject([{ kind: 'message', content: { type: 'contacts', contacts: [{ name: 'Grace Hopper', phones: [{ phone: '+15550123' }] }] } }]);
  });

  it('regression: sticker could not be simulated though the connector parses it', async () => {
    const update = JSON.parse(fake.simulate({ kind: 'sticker', userId: USER }).body.toString()) as { message: { sticker: { file_id: string } } };
    expect(parse(fake.simulate({ kind: 'sticker', userId: USER, stickerId: 'CAACAgIAAxkBAAEfake' }))).toMatchObject([{ kind: 'message', content: { type: 'sticker', media: { id: 'CAACAgIAAxkBAAEfake', mimeType: 'image/webp' } } }]);
    const file = await api('getFile', { file_id: update.message.sticker.file_id });
    expect(file).toMatchObject({ status: 200, body: { ok: true, result: { file_path: expect.stringMatching(/^stickers\//) } } });
    expect(await api('getFile', { file_id: 'CAACAgIAAxkBAAEfake' })).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('a simulated photo is downloadable through getFile, as a customer photo is', async () => {
    const update = JSON.parse(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }).body.toString()) as { message: { photo: { file_id: string }[] } };
    const file = await api('getFile', { file_id: update.message.photo[1]!.file_id });
    expect(file).toMatchObject({ status: 200, body: { ok: true, result: { file_path: expect.stringMatching(/^photos\//) } } });
  });
});

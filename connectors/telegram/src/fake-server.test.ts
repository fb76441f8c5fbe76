import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock, PermanentError, RateLimitedError, RecipientBlockedError, RetryableError, type OutboundMessage, type RawWebhook,
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

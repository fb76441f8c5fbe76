import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawWebhook } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';

let now = Date.parse('2026-11-22T10:00:00Z');
const fake = new FakeMessengerServer({ config: { ...messengerSandboxConfig }, now: () => now });
let connector: MessengerConnector;
const PSID = '6543210987654321';
const PATH = `/v23.0/${messengerSandboxConfig.pageId}/messages`;
beforeAll(async () => {
  await fake.start();
  connector = new MessengerConnector(parseConfig(fake.connectorConfig()));
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); now = Date.parse('2026-11-22T10:00:00Z'); });

/** A Graph answer as the tests read it: success fields or `error`. */
type GraphAnswer = Record<string, unknown> & { error: { code: number } & Record<string, unknown> };
const post = async (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${messengerSandboxConfig.pageAccessToken}` }, path = PATH): Promise<{ status: number; body: GraphAnswer }> => {
  const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
const asRaw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks', query: {}, headers: w.headers, body: w.body });
const text = (t: string, extra: object = {}) => ({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: t }, ...extra });

describe('fake Send API', () => {
  it('answers {recipient_id, message_id}', async () => {
    const res = await post(text('hi'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recipient_id: PSID, message_id: expect.stringMatching(/^m_/) });
  });
  it('accepts the token as access_token query too', async () => {
    expect((await post(text('hi'), {}, `${PATH}?access_token=${messengerSandboxConfig.pageAccessToken}`)).status).toBe(200);
  });
  it('refuses a bad token with #190', async () => {
    const res = await post(text('hi'), { authorization: 'Bearer nope' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) });
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
    ['14 quick replies', { ...text('x'), message: { text: 'x', quick_replies: Array.from({ length: 14 }, (_, i) => ({ content_type: 'text', title: `q${i}`, payload: `q${i}` })) } }],
    ['4 buttons', { ...text('x'), message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'x', buttons: Array.from({ length: 4 }, (_, i) => ({ type: 'postback', title: `b${i}`, payload: `b${i}` })) } } } }],
    ['11 generic elements', { ...text('x'), message: { attachment: { type: 'template', payload: { template_type: 'generic', elements: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) } } } }],
    ['react without reaction', { recipient: { id: PSID }, sender_action: 'react', payload: { message_id: 'm_1' } }],
  ])('refuses %s with #100', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(100);
  });
  it('throttles with #613 (HTTP 400) beyond the per-second limit, and the connector classifies it as rate-limited', async () => {
    fake.limits.textPerSecond = 2;
    try {
      expect((await post(text('1'))).status).toBe(200);
      expect((await post(text('2'))).status).toBe(200);
      const third = await post(text('3'));
      expect(third).toMatchObject({ status: 400, body: { error: { code: 613 } } });
      await expect(connector.send({ id: 'x', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content: { type: 'text', text: '4' }, purpose: 'service' }))
        .rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
    } finally { fake.limits.textPerSecond = 300; }
  });
  it('enforces the 24 h window for a customer it saw write, except with a tag', async () => {
    fake.userMessage({ userId: PSID, text: 'hello' });
    now += 25 * 3_600_000;
    expect((await post(text('late'))).body.error).toMatchObject({ code: 10, error_subcode: 2018278 });
    expect((await post({ ...text('update'), messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' })).status).toBe(200);
    now += 7 * 24 * 3_600_000;
    expect((await post({ ...text('agent'), messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })).body.error.code).toBe(10);
    await expect(connector.send({ id: 'x', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content: { type: 'text', text: 'late' }, purpose: 'service' }))
      .rejects.toMatchObject({ code: 'WINDOW_CLOSED' });
  });
  it('answers #551 for a customer who blocked the page and #100/2018001 for an unknown one', async () => {
    fake.blockUser(PSID);
    expect((await post(text('x'))).body.error).toMatchObject({ code: 551, error_subcode: 1545041 });
    fake.forgetUser('42');
    expect((await post({ ...text('x'), recipient: { id: '42' } })).body.error).toMatchObject({ code: 100, error_subcode: 2018001 });
  });
  it('can be scripted (5xx, reset)', async () => {
    fake.script([{ status: 500, body: { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } } }]);
    await expect(connector.send({ id: 'x', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content: { type: 'text', text: 'a' }, purpose: 'service' }))
      .rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
    fake.script([{ status: 200, reset: true }]);
    await expect(connector.send({ id: 'x', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content: { type: 'text', text: 'a' }, purpose: 'service' }))
      .rejects.toMatchObject({ code: 'RETRYABLE_FAILURE' });
  });
});

describe('fake webhooks', () => {
  it('userMessage is signed with the app secret and parses as a text message', () => {
    const w = fake.userMessage({ userId: PSID, text: 'Is my car ready?', messageId: 'm_1', timestamp: new Date(now) });
    connector.verify(asRaw(w));
    expect(connector.parse(asRaw(w))).toEqual([{ kind: 'message', channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID, externalId: 'm_1', timestamp: new Date(now), content: { type: 'text', text: 'Is my car ready?' } }]);
  });
  it('statusUpdate: delivered (mid), read (watermark), sent (echo); failed has no webhook', () => {
    const kinds = (['delivered', 'read', 'sent'] as const).map((status) => {
      const w = fake.statusUpdate({ userId: PSID, externalId: 'm_out', status, timestamp: new Date(now) });
      connector.verify(asRaw(w));
      return connector.parse(asRaw(w))[0];
    });
    expect(kinds).toMatchObject([
      { kind: 'status', status: 'delivered', externalId: 'm_out' },
      { kind: 'status', status: 'read', externalId: `watermark:${now}` },
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

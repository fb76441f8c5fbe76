import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawWebhook } from '@switchboard/core';
import { FakeAcmeSmsServer, smsSandboxConfig } from './fake-acme-sms-server.js';
import { parseConfig } from './config.js';
import { SmsConnector } from './sms-connector.js';

const CUSTOMER = '+12025550143';
const fake = new FakeAcmeSmsServer();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => { fake.reset(); fake.setCredit(100_000); });

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}/v2/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${smsSandboxConfig.apiKey}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
}
const valid = { from: smsSandboxConfig.senderId, to: CUSTOMER, text: 'Hello', client_ref: 'ref-1' };
const raw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks/sms/main', query: {}, headers: w.headers, body: w.body });

describe('fake Acme gateway: POST /v2/messages', () => {
  it('accepts a valid message with 201 {id, status, segments}', async () => {
    const res = await post(valid);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^msg_[0-9a-f]{24}$/), status: 'accepted', segments: 1 });
    expect(fake.sent).toEqual([expect.objectContaining({ to: CUSTOMER, text: 'Hello', clientRef: 'ref-1', segments: 1 })]);
  });
  it('reports concatenated segments', async () => {
    expect((await post({ ...valid, text: 'x'.repeat(161) })).body.segments).toBe(2);
    expect((await post({ ...valid, client_ref: 'ref-2', text: 'ж'.repeat(71) })).body.segments).toBe(2);
  });
  it.each([
    [{ authorization: 'Bearer wrong' }, valid, 401, 'unauthorized'],
    [{}, { ...valid, to: '0049 170 1234567' }, 400, 'invalid_number'],
    [{}, { ...valid, from: '+12025550199' }, 400, 'invalid_sender'],
    [{}, { ...valid, text: '' }, 400, 'invalid_request'],
    [{}, { ...valid, text: 'a'.repeat(1601) }, 400, 'text_too_long'],
    [{}, { ...valid, client_ref: 'r'.repeat(65) }, 400, 'invalid_request'],
    [{}, '[1,2]', 400, 'invalid_request'],
    [{ 'content-type': 'text/plain' }, valid, 400, 'invalid_request'],
  ])('answers %j %j with %i %s', async (headers, body, status, code) => {
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(fake.sent).toHaveLength(0);
  });
  it('answers 404 on other paths', async () => {
    const res = await fetch(`${fake.url}/v1/sms`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
  it('answers 402 insufficient_credit when the balance cannot pay the segments', async () => {
    fake.setCredit(1);
    expect((await post({ ...valid, text: 'x'.repeat(200) })).body).toEqual({ error: { code: 'insufficient_credit', message: expect.any(String) } });
    expect((await post({ ...valid, client_ref: 'ref-3' })).status).toBe(201);
  });
  it('answers 403 recipient_opted_out after the customer texted STOP, and accepts again after START', async () => {
    fake.userMessage({ userId: CUSTOMER, text: ' Stop ' });
    const refused = await post(valid);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'recipient_opted_out' } });
    fake.userMessage({ userId: CUSTOMER, text: 'START' });
    expect((await post(valid)).status).toBe(201);
  });
  it('answers a repeated client_ref with 200 and the first id, sending nothing more', async () => {
    const first = await post(valid);
    const again = await post({ ...valid, text: 'different text, same ref' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(fake.sent).toHaveLength(1);
  });
  it('throttles at 10 messages per second per sender with 429 rate_limited and Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ ...valid, client_ref: `burst-${i}` })));
    const limited = answers.filter((a) => a.status === 429);
    // the bucket holds 10 and refills one every 100 ms, so a slow machine may squeeze in one or two more
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(10);
    expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(12);
    expect(limited.length).toBe(20 - answers.filter((a) => a.status === 201).length);
    expect(limited[0]!.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('fake Acme gateway: webhooks', () => {
  // built after start: the config carries the fake's URL
  let connector: SmsConnector;
  beforeAll(() => { connector = new SmsConnector(parseConfig(fake.connectorConfig())); });
  it('userMessage is signed as the gateway signs and parses as a text message', () => {
    const w = fake.userMessage({ userId: CUSTOMER, text: 'Is my car ready?', messageId: 'in_1', timestamp: new Date('2026-11-03T10:00:00Z') });
    expect(w.headers['x-acme-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(w.body.toString())).toEqual({
      type: 'message.received', id: 'in_1', from: CUSTOMER, to: smsSandboxConfig.senderId, text: 'Is my car ready?', occurred_at: '2026-11-03T10:00:00.000Z',
    });
    const c = new SmsConnector(parseConfig({ ...smsSandboxConfig }));
    c.verify(raw(w));
    expect(c.parse(raw(w))).toEqual([expect.objectContaining({ kind: 'message', userId: CUSTOMER, externalId: 'in_1' })]);
  });
  it('statusUpdate delivered and failed parse as status events; read is refused (no read receipts on SMS)', () => {
    const c = new SmsConnector(parseConfig({ ...smsSandboxConfig }));
    const delivered = fake.statusUpdate({ userId: CUSTOMER, externalId: 'msg_1', status: 'delivered' });
    c.verify(raw(delivered));
    expect(c.parse(raw(delivered))).toEqual([expect.objectContaining({ kind: 'status', externalId: 'msg_1', status: 'delivered', userId: CUSTOMER })]);
    const failed = fake.statusUpdate({ userId: CUSTOMER, externalId: 'msg_1', status: 'failed', error: { code: 'carrier_rejected', message: 'spam' } });
    expect(c.parse(raw(failed))).toEqual([expect.objectContaining({ status: 'failed', error: { code: 'carrier_rejected', message: 'spam' } })]);
    expect(() => fake.statusUpdate({ userId: CUSTOMER, externalId: 'msg_1', status: 'read' })).toThrow(RangeError);
  });
  it('a delivery signed 6 minutes ago is refused as a replay', () => {
    const c = new SmsConnector(parseConfig({ ...smsSandboxConfig }));
    const old = fake.signed({ type: 'message.received', id: 'in_2', from: CUSTOMER, to: smsSandboxConfig.senderId, text: 'hi', occurred_at: new Date().toISOString() }, new Date(Date.now() - 360_000));
    expect(() => c.verify(raw(old))).toThrow(expect.objectContaining({ code: 'WEBHOOK_VERIFICATION_FAILED' }));
  });
  it('the connector sends through it with the config it hands out', async () => {
    const result = await connector.send({ id: 'x-1', to: { channel: 'sms', accountId: smsSandboxConfig.senderId, userId: CUSTOMER }, content: { type: 'text', text: 'Ready' } });
    expect(fake.sent.map((s) => s.id)).toEqual([result.externalId]);
  });
  it('answers a connector with a wrong key with 401, classified permanent', async () => {
    const wrong = new SmsConnector(parseConfig({ ...fake.connectorConfig(), apiKey: 'acme_test_sk_wrong' }));
    await expect(wrong.send({ id: 'x-2', to: { channel: 'sms', accountId: 'a', userId: CUSTOMER }, content: { type: 'text', text: 'Hi' } }))
      .rejects.toMatchObject({ code: 'PERMANENT_FAILURE', message: expect.stringContaining('401 unauthorized') });
  });
  it('a customer who texted STOP makes send fail as recipient-blocked', async () => {
    fake.userMessage({ userId: CUSTOMER, text: 'STOP' });
    await expect(connector.send({ id: 'x-3', to: { channel: 'sms', accountId: 'a', userId: CUSTOMER }, content: { type: 'text', text: 'Offer!' } }))
      .rejects.toMatchObject({ code: 'RECIPIENT_BLOCKED' });
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, RetryableError, WindowClosedError, type OutboundMessage, type RawWebhook } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig, type FakeWhatsAppOptions } from './fake-whatsapp-server.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const USER = '4915112345678';
/** The parts of a Graph answer these tests read. */
interface GraphAnswer { error: { code: number; error_subcode?: number; type?: string; fbtrace_id?: string }; [key: string]: unknown }
let fake: FakeWhatsAppServer | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

async function start(options: FakeWhatsAppOptions = {}): Promise<{ fake: FakeWhatsAppServer; connector: WhatsAppConnector }> {
  fake = new FakeWhatsAppServer({ ...options, config: { ...whatsappSandboxConfig, ...options.config } });
  await fake.start();
  return { fake, connector: new WhatsAppConnector(parseConfig(fake.connectorConfig())) };
}

const text = (body: string, to = USER): OutboundMessage => ({ id: 'm', to: { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: to }, content: { type: 'text', text: body } });
const asRaw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks/whatsapp/x', query: {}, headers: w.headers, body: w.body });

async function post(f: FakeWhatsAppServer, body: unknown, token: string | null = whatsappSandboxConfig.accessToken, path = `/v23.0/${whatsappSandboxConfig.phoneNumberId}/messages`): Promise<{ status: number; body: GraphAnswer }> {
  const res = await fetch(`${f.url}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: res.status, body: await res.json() as GraphAnswer };
}

describe('FakeWhatsAppServer: the messages endpoint', () => {
  it('answers a valid send like the Cloud API', async () => {
    const { fake } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: `+${USER}`, type: 'text', text: { body: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: `+${USER}`, wa_id: USER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(fake.accepted).toHaveLength(1);
  });

  it('refuses a missing or wrong token with 401 and Graph error 190', async () => {
    const { fake } = await start();
    for (const token of [null, 'EAAwrong']) {
      const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, token);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) });
    }
  });

  it('refuses an unknown phone number id with Graph error 100 subcode 33', async () => {
    const { fake } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, whatsappSandboxConfig.accessToken, '/v23.0/999/messages');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
  });

  it('validates shape and limits with Graph\'s error codes', async () => {
    const { fake } = await start();
    const cases: [unknown, number][] = [
      [{ to: USER, type: 'text', text: { body: 'hi' } }, 100],
      [{ messaging_product: 'whatsapp', type: 'text', text: { body: 'hi' } }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'x'.repeat(4097) } }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'image', image: {} }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'poll', poll: {} }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `${i}`, title: `${i}` } })) } } }, 131009],
      [{ messaging_product: 'whatsapp', to: USER, type: 'interactive', interactive: { type: 'button', body: { text: 'x' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'x'.repeat(21) } }] } } }, 131009],
      [{ messaging_product: 'whatsapp', to: USER, type: 'interactive', interactive: { type: 'list', body: { text: 'x' }, action: { button: 'Open', sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `${i}`, title: `${i}` })) }] } } }, 131009],
    ];
    for (const [body, code] of cases) {
      const res = await post(fake, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe(code);
    }
    expect(fake.accepted).toHaveLength(0);
  });

  it('throttles per number with 130429, which the connector classifies as rate-limited', async () => {
    let now = 1_000_000;
    const { fake, connector } = await start({ config: { throughputPerSecond: 2 }, now: () => now });
    await connector.send(text('1', '4915100000001'));
    await connector.send(text('2', '4915100000002'));
    const error = await connector.send(text('3', '4915100000003')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).details).toMatchObject({ graphCode: 130429 });
    now += 1000;
    await expect(connector.send(text('3', '4915100000003'))).resolves.toMatchObject({ externalId: expect.any(String) });
    expect(fake.accepted).toHaveLength(3);
  });

  it('throttles per pair with 131056 after the burst, until the pair interval has passed', async () => {
    let now = 1_000_000;
    const { connector } = await start({ config: { pairBurst: 2 }, now: () => now });
    await connector.send(text('a'));
    await connector.send(text('b'));
    const error = await connector.send(text('c')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(6000);
    await expect(connector.send(text('c', '4915100000009'))).resolves.toBeDefined();
    now += 6000;
    await expect(connector.send(text('c'))).resolves.toBeDefined();
  });

  it('can be scripted to fail, and the connector classifies what it answers', async () => {
    const { fake, connector } = await start();
    fake.script([
      { status: 500, body: { error: { message: '(#131000) Something went wrong', type: 'OAuthException', code: 131000, fbtrace_id: 'x' } } },
      { status: 400, body: { error: { message: '(#131026) Message Undeliverable', type: 'OAuthException', code: 131026, fbtrace_id: 'y' } } },
      { status: 200, reset: true },
    ], /\/messages$/);
    await expect(connector.send(text('x'))).rejects.toBeInstanceOf(RetryableError);
    await expect(connector.send(text('x'))).rejects.toBeInstanceOf(PermanentError);
    await expect(connector.send(text('x'))).rejects.toBeInstanceOf(RetryableError);
    await expect(connector.send(text('x'))).resolves.toBeDefined();
  });

  it('refuses free-form messages outside the service window when told to (131047)', async () => {
    let now = Date.parse('2026-03-02T10:00:00Z');
    const { fake, connector } = await start({ config: { enforceServiceWindow: true }, now: () => now });
    await expect(connector.send(text('hello'))).rejects.toBeInstanceOf(WindowClosedError);
    fake.userMessage({ userId: USER, text: 'Hi!' });
    await expect(connector.send(text('hello'))).resolves.toBeDefined();
    now += 24 * 3600_000 + 1;
    await expect(connector.send(text('hello again'))).rejects.toBeInstanceOf(WindowClosedError);
    await expect(connector.send({ ...text(''), content: { type: 'template', name: 'hello_world', language: 'en_US', category: 'utility' } })).resolves.toBeDefined();
  });
});

describe('FakeWhatsAppServer: templates', () => {
  const template = (name: string, parameters: { text: string }[] = []): OutboundMessage => ({ ...text(''), content: { type: 'template', name, language: 'en_US', category: 'marketing', parameters } });

  it('submits a template as PENDING, refuses to send it (132001) until approved', async () => {
    const { fake, connector } = await start();
    const res = await post(fake, {
      name: 'spring_offer', language: 'en_US', category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, 20% off your next service', example: { body_text: [['Ada']] } }],
    }, whatsappSandboxConfig.accessToken, `/v23.0/${whatsappSandboxConfig.businessAccountId}/message_templates`);
    expect(res).toEqual({ status: 200, body: { id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'MARKETING' } });
    const pending = await connector.send(template('spring_offer', [{ text: 'Ada' }])).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(PermanentError);
    expect((pending as PermanentError).details).toMatchObject({ graphCode: 132001, status: 404 });
    expect(fake.approveTemplate('spring_offer')).toBe(1);
    await expect(connector.send(template('spring_offer', [{ text: 'Ada' }]))).resolves.toBeDefined();
    const wrongCount = await connector.send(template('spring_offer')).catch((e: unknown) => e);
    expect((wrongCount as PermanentError).details).toMatchObject({ graphCode: 132000 });
  });

  it('rejects a template, refuses duplicates and lists what it holds', async () => {
    const { fake, connector } = await start();
    const path = `/v23.0/${whatsappSandboxConfig.businessAccountId}/message_templates`;
    const submission = { name: 'gate_change', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Gate {{1}}' }] };
    expect((await post(fake, submission, whatsappSandboxConfig.accessToken, path)).status).toBe(200);
    expect((await post(fake, submission, whatsappSandboxConfig.accessToken, path)).body.error).toMatchObject({ code: 100, error_subcode: 2388024 });
    expect((await post(fake, { ...submission, name: 'Gate Change' }, whatsappSandboxConfig.accessToken, path)).body.error.code).toBe(100);
    fake.rejectTemplate('gate_change', 'en_US', 'INVALID_FORMAT');
    await expect(connector.send(template('gate_change', [{ text: 'B12' }]))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    const list = await fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${whatsappSandboxConfig.accessToken}` } }).then((r) => r.json()) as { data: { name: string; status: string }[] };
    expect(list.data.map((t) => [t.name, t.status])).toEqual([['hello_world', 'APPROVED'], ['gate_change', 'REJECTED']]);
  });
});

describe('FakeWhatsAppServer: signed webhooks', () => {
  it('userMessage verifies and parses as a text message from the user', async () => {
    const { fake, connector } = await start();
    const w = fake.userMessage({ userId: USER, text: 'Is my car ready?', name: 'Ada', messageId: 'wamid.X', timestamp: new Date('2026-03-02T10:00:00Z') });
    connector.verify(asRaw(w));
    expect(connector.parse(asRaw(w))).toEqual([{
      kind: 'message', channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: USER, externalId: 'wamid.X',
      timestamp: new Date('2026-03-02T10:00:00Z'), profile: { name: 'Ada' }, content: { type: 'text', text: 'Is my car ready?' },
    }]);
  });

  it('statusUpdate covers sent, delivered, read and failed with its error', async () => {
    const { fake, connector } = await start();
    const { externalId } = await connector.send(text('hello'));
    for (const status of ['sent', 'delivered', 'read'] as const) {
      const w = fake.statusUpdate({ userId: USER, externalId, status, pricingCategory: 'utility' });
      connector.verify(asRaw(w));
      expect(connector.parse(asRaw(w))).toEqual([expect.objectContaining({ kind: 'status', externalId, status, userId: USER })]);
    }
    const failed = fake.statusUpdate({ userId: USER, externalId, status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
    expect(connector.parse(asRaw(failed))[0]).toMatchObject({ status: 'failed', error: { code: '131047', message: 'Re-engagement message' } });
  });

  it('userPreferences becomes a marketing consent event', async () => {
    const { fake, connector } = await start();
    const stop = fake.userPreferences({ userId: USER, value: 'stop' });
    connector.verify(asRaw(stop));
    expect(connector.parse(asRaw(stop))).toEqual([expect.objectContaining({ kind: 'consent', action: 'opt-out', purpose: 'marketing', userId: USER })]);
    expect(connector.parse(asRaw(fake.userPreferences({ userId: USER, value: 'resume' })))[0]).toMatchObject({ action: 'opt-in' });
  });

  it('a webhook signed by a fake with another app secret does not verify', async () => {
    const other = new FakeWhatsAppServer({ config: { appSecret: 'other-secret' } });
    const { connector } = await start();
    expect(() => connector.verify(asRaw(other.userMessage({ userId: USER, text: 'x' })))).toThrow(expect.objectContaining({ code: 'WEBHOOK_VERIFICATION_FAILED' }));
  });

  it('delivers the exact signed bytes to a URL', async () => {
    const { fake, connector } = await start();
    const received: { headers: Record<string, string>; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }); res.end('EVENT_RECEIVED'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fake.deliver(`http://127.0.0.1:${port}/webhooks/whatsapp/sandbox`, fake.userMessage({ userId: USER, text: 'hi' }));
      expect(answer).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
      expect(() => connector.verify(asRaw(received[0]!))).not.toThrow();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('handshakeQuery answers the connector\'s handshake', async () => {
    const { fake, connector } = await start();
    expect(connector.handshake({ method: 'GET', path: '/', query: fake.handshakeQuery('42'), headers: {}, body: Buffer.alloc(0) })).toEqual({ status: 200, body: '42' });
  });
});

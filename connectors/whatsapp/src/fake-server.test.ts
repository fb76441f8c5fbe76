import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock, PermanentError, RateLimitedError, RetryableError, WindowClosedError,
  type FakeInboundEvent, type InboundEvent, type OutboundMessage, type RawWebhook,
} from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig, type FakeWhatsAppOptions } from './fake-whatsapp-server.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const USER = '4915112345678';
const T0 = Date.parse('2026-03-02T10:00:00Z');
const MESSAGES = `/v23.0/${whatsappSandboxConfig.phoneNumberId}/messages`;
const TEMPLATES = `/v23.0/${whatsappSandboxConfig.businessAccountId}/message_templates`;
const TOKEN = whatsappSandboxConfig.accessToken;
/** The parts of a Graph answer these tests read. */
interface GraphAnswer { error: { code: number; error_subcode?: number; type?: string; fbtrace_id?: string; message?: string; error_data?: { details?: string } }; [key: string]: unknown }
let fake: FakeWhatsAppServer | undefined;
let hook: Server | undefined;
afterEach(async () => {
  await fake?.stop(); fake = undefined;
  if (hook) await new Promise<void>((r) => hook!.close(() => r()));
  hook = undefined;
});

async function start(options: FakeWhatsAppOptions = {}): Promise<{ fake: FakeWhatsAppServer; connector: WhatsAppConnector; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  fake = new FakeWhatsAppServer({ clock, ...options, config: { ...whatsappSandboxConfig, ...options.config } });
  await fake.start();
  return { fake, clock, connector: new WhatsAppConnector(parseConfig(fake.connectorConfig())) };
}

/** A webhook endpoint that records what it receives. */
async function webhookReceiver(): Promise<{ url: string; received: RawWebhook[] }> {
  const received: RawWebhook[] = [];
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { received.push({ method: 'POST', path: req.url ?? '/', query: {}, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }); res.end('EVENT_RECEIVED'); });
  });
  await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/whatsapp/sandbox`, received };
}

const text = (body: string, to = USER): OutboundMessage => ({ id: 'm', to: { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: to }, content: { type: 'text', text: body } });
const asRaw = (w: { headers: Record<string, string>; body: Buffer }): RawWebhook => ({ method: 'POST', path: '/webhooks/whatsapp/x', query: {}, headers: w.headers, body: w.body });
const json = (w: { body: Buffer }): Record<string, unknown> => JSON.parse(w.body.toString('utf8')) as Record<string, unknown>;

async function call(f: FakeWhatsAppServer, method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; body: GraphAnswer; headers: Headers }> {
  const res = await fetch(`${f.url}${path}`, {
    method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: res.status, body: await res.json() as GraphAnswer, headers: res.headers };
}
const post = (f: FakeWhatsAppServer, body: unknown, token: string | null = TOKEN, path = MESSAGES): ReturnType<typeof call> => call(f, 'POST', path, body, token);

describe('FakeWhatsAppServer: the messages endpoint', () => {
  it('answers a valid send like the Cloud API and logs what it accepted', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const res = await post(fake, { messaging_product: 'whatsapp', to: `+${USER}`, type: 'text', text: { body: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: `+${USER}`, wa_id: USER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(fake.accepted).toHaveLength(1);
    expect(fake.sentMessages()).toEqual([{
      id: (res.body.messages as { id: string }[])[0]!.id, userId: USER, type: 'text', at: new Date(T0).toISOString(),
      request: { method: 'POST', path: MESSAGES, body: { messaging_product: 'whatsapp', to: `+${USER}`, type: 'text', text: { body: 'hi' } } },
    }]);
  });

  it('takes a recipient number with a plus sign, spaces, hyphens and parentheses, as Meta documents', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const res = await post(fake, { messaging_product: 'whatsapp', to: '+49 (151) 1234-5678', type: 'text', text: { body: 'hi' } });
    expect(res.body.contacts).toEqual([{ input: '+49 (151) 1234-5678', wa_id: USER }]);
    expect((await post(fake, { messaging_product: 'whatsapp', to: 'not a number', type: 'text', text: { body: 'hi' } })).body.error.code).toBe(100);
  });

  it('regression: the 24-hour window is always on — a free-form message to a customer who never wrote is refused with 131047, as in production', async () => {
    const { fake, connector } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hello' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 131047, message: '(#131047) Re-engagement message', error_data: { details: expect.stringContaining('more than 24 hours') } });
    await expect(connector.send(text('hello'))).rejects.toBeInstanceOf(WindowClosedError);
    // a template may open the conversation
    await expect(connector.send({ ...text(''), content: { type: 'template', name: 'hello_world', language: 'en_US', category: 'utility' } })).resolves.toBeDefined();
    expect(fake.sentMessages().map((m) => m.type)).toEqual(['template']);
  });

  it('regression: the window is measured on the platform clock — 24 h after the customer wrote it closes, a new message reopens it', async () => {
    const { fake, connector, clock } = await start();
    fake.userMessage({ userId: USER, text: 'Hi!' });
    clock.advance(24 * 3600_000 - 1);
    await expect(connector.send(text('still in time'))).resolves.toBeDefined();
    clock.advance(1);
    await expect(connector.send(text('too late'))).rejects.toBeInstanceOf(WindowClosedError);
    clock.advance(25 * 3600_000);
    // a customer message stamped in platform time reopens it (the sandbox's clock advance does not strand the echo bot)
    fake.userMessage({ userId: USER, text: 'Back again' });
    await expect(connector.send(text('welcome back'))).resolves.toBeDefined();
    expect(fake.sentMessages().at(-1)?.at).toBe(new Date(clock.now()).toISOString());
  });

  it('refuses another phone number id with Graph error 100 subcode 33', async () => {
    const { fake } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, TOKEN, '/v23.0/999/messages');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
  });

  it('validates shape and limits with Graph\'s error codes', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const cases: [unknown, number][] = [
      [{ to: USER, type: 'text', text: { body: 'hi' } }, 100],
      [{ messaging_product: 'whatsapp', type: 'text', text: { body: 'hi' } }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'x'.repeat(4097) } }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'image', image: {} }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'poll', poll: {} }, 100],
      [{ messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' }, biz_opaque_callback_data: 'x'.repeat(513) }, 100],
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

  it('takes a form-encoded body with JSON values, as Graph does', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const form = new URLSearchParams({ messaging_product: 'whatsapp', to: USER, type: 'text', text: JSON.stringify({ body: 'from a form' }), access_token: TOKEN });
    const res = await fetch(`${fake.url}${MESSAGES}`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(fake.accepted[0]?.body.text).toEqual({ body: 'from a form' });
  });

  it('throttles per number with 130429, which the connector classifies as rate-limited', async () => {
    const { fake, connector, clock } = await start({ config: { throughputPerSecond: 2 } });
    for (const u of ['4915100000001', '4915100000002', '4915100000003']) fake.userMessage({ userId: u, text: 'Hi' });
    await connector.send(text('1', '4915100000001'));
    await connector.send(text('2', '4915100000002'));
    const error = await connector.send(text('3', '4915100000003')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).details).toMatchObject({ graphCode: 130429 });
    clock.advance(1000);
    await expect(connector.send(text('3', '4915100000003'))).resolves.toMatchObject({ externalId: expect.any(String) });
    expect(fake.accepted).toHaveLength(3);
  });

  it('throttles per pair with 131056 after the burst, until the pair interval has passed', async () => {
    const { fake, connector, clock } = await start({ config: { pairBurst: 2 } });
    for (const u of [USER, '4915100000009']) fake.userMessage({ userId: u, text: 'Hi' });
    await connector.send(text('a'));
    await connector.send(text('b'));
    const error = await connector.send(text('c')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(6000);
    await expect(connector.send(text('c', '4915100000009'))).resolves.toBeDefined();
    clock.advance(6000);
    await expect(connector.send(text('c'))).resolves.toBeDefined();
  });

  it('can be scripted to fail, and the connector classifies what it answers', async () => {
    const { fake, connector } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
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
});

describe('FakeWhatsAppServer: access tokens (the same Graph answers as the Messenger fake)', () => {
  it('a request without a token: HTTP 400, OAuthException 2500', async () => {
    const { fake } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, null);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { message: 'An active access token must be used to query information about the current user.', type: 'OAuthException', code: 2500, fbtrace_id: expect.any(String) } });
  });

  it('a wrong token: HTTP 401, OAuthException 190 and Graph\'s WWW-Authenticate', async () => {
    const { fake } = await start();
    const res = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, 'EAAwrong');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
    expect(res.headers.get('www-authenticate')).toBe('OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"');
  });

  it('takes the token as the access_token query parameter too', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    expect((await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } }, null, `${MESSAGES}?access_token=${TOKEN}`)).status).toBe(200);
  });
});

describe('FakeWhatsAppServer: mark as read and the typing indicator', () => {
  it('regression: mark-as-read ({status: read, message_id}) answers {success: true}, not "parameter to is required"', async () => {
    const { fake } = await start();
    const inbound = json(fake.userMessage({ userId: USER, text: 'Hi', messageId: 'wamid.IN1' }));
    expect(inbound).toBeDefined();
    const res = await post(fake, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1' });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect(fake.sentMessages()).toEqual([]);
  });

  it('shows the typing indicator with mark-as-read, as documented', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi', messageId: 'wamid.IN2' });
    expect((await post(fake, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN2', typing_indicator: { type: 'text' } })).body).toEqual({ success: true });
    expect((await post(fake, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN2', typing_indicator: { type: 'audio' } })).body.error.code).toBe(100);
  });

  it('refuses what cannot be marked: no message_id, another status, a message the business sent, an unknown id', async () => {
    const { fake } = await start();
    fake.userMessage({ userId: USER, text: 'Hi', messageId: 'wamid.IN3' });
    const sent = await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'text', text: { body: 'hi' } });
    const outbound = (sent.body.messages as { id: string }[])[0]!.id;
    for (const body of [
      { messaging_product: 'whatsapp', status: 'read' },
      { messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.IN3' },
      { messaging_product: 'whatsapp', status: 'read', message_id: outbound },
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.NEVER' },
      { status: 'read', message_id: 'wamid.IN3' },
    ]) {
      const res = await post(fake, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe(100);
    }
  });
});

describe('FakeWhatsAppServer: template management', () => {
  const template = (name: string, parameters: { text: string }[] = []): OutboundMessage => ({ ...text(''), content: { type: 'template', name, language: 'en_US', category: 'marketing', parameters } });
  const submission = { name: 'gate_change', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Gate {{1}}', example: { body_text: [['B12']] } }] };

  it('submits a template as PENDING, refuses to send it (132001) until approved', async () => {
    const { fake, connector } = await start();
    const res = await post(fake, {
      name: 'spring_offer', language: 'en_US', category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Hi {{1}}, 20% off your next service', example: { body_text: [['Ada']] } }],
    }, TOKEN, TEMPLATES);
    expect(res).toMatchObject({ status: 200, body: { id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'MARKETING' } });
    const pending = await connector.send(template('spring_offer', [{ text: 'Ada' }])).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(PermanentError);
    expect((pending as PermanentError).details).toMatchObject({ graphCode: 132001, status: 404 });
    expect(fake.approveTemplate('spring_offer')).toBe(1);
    await expect(connector.send(template('spring_offer', [{ text: 'Ada' }]))).resolves.toBeDefined();
    const wrongCount = await connector.send(template('spring_offer')).catch((e: unknown) => e);
    expect((wrongCount as PermanentError).details).toMatchObject({ graphCode: 132000 });
  });

  it('validates a submission: name, category, components (a BODY is required)', async () => {
    const { fake } = await start();
    const cases: Record<string, unknown>[] = [
      { ...submission, name: 'Gate Change' },
      { ...submission, name: undefined },
      { ...submission, category: 'NEWSLETTER' },
      { ...submission, components: [] },
      { ...submission, components: [{ type: 'FOOTER', text: 'x' }] },
      { ...submission, components: [{ type: 'BODY', text: 'x'.repeat(1025) }] },
      { ...submission, components: [{ type: 'HEADER', format: 'TEXT', text: 'x'.repeat(61) }, { type: 'BODY', text: 'x' }] },
    ];
    for (const body of cases) expect((await post(fake, body, TOKEN, TEMPLATES)).body.error.code, JSON.stringify(body)).toBe(100);
    expect(fake.listTemplates().map((t) => t.name)).toEqual(['hello_world']);
  });

  it('refuses a duplicate name and language with subcode 2388024', async () => {
    const { fake } = await start();
    expect((await post(fake, submission, TOKEN, TEMPLATES)).status).toBe(200);
    expect((await post(fake, submission, TOKEN, TEMPLATES)).body.error).toMatchObject({ code: 100, error_subcode: 2388024 });
    expect((await post(fake, { ...submission, language: 'de' }, TOKEN, TEMPLATES)).status).toBe(200);
  });

  it('regression: a template can be approved in the sandbox — reviewTemplate marks it and posts message_template_status_update as Meta documents it', async () => {
    const { fake, connector } = await start();
    const receiver = await webhookReceiver();
    fake.setWebhookUrl(receiver.url);
    const { body } = await post(fake, submission, TOKEN, TEMPLATES);
    expect(await fake.reviewTemplate({ name: 'gate_change', language: 'en_US', status: 'APPROVED' })).toBe(true);
    expect(receiver.received).toHaveLength(1);
    const w = receiver.received[0]!;
    expect(() => connector.verify(w)).not.toThrow();
    expect(json(w)).toEqual({
      object: 'whatsapp_business_account',
      entry: [{
        id: whatsappSandboxConfig.businessAccountId, time: Math.floor(T0 / 1000),
        changes: [{
          field: 'message_template_status_update',
          value: { event: 'APPROVED', message_template_id: Number(body.id), message_template_name: 'gate_change', message_template_language: 'en_US', reason: 'NONE', message_template_category: 'UTILITY' },
        }],
      }],
    });
    await expect(connector.send(template('gate_change', [{ text: 'B12' }]))).resolves.toBeDefined();
    expect((await connector.listTemplates()).find((t) => t.name === 'gate_change')?.status).toBe('approved');
  });

  it('announces a rejection with its reason and rejection_info, a pause with other_info', async () => {
    const { fake, connector } = await start();
    const receiver = await webhookReceiver();
    fake.setWebhookUrl(receiver.url);
    await post(fake, submission, TOKEN, TEMPLATES);
    await fake.reviewTemplate({ name: 'gate_change', status: 'REJECTED', reason: 'INVALID_FORMAT' });
    expect((json(receiver.received[0]!).entry as { changes: { value: Record<string, unknown> }[] }[])[0]!.changes[0]!.value).toMatchObject({
      event: 'REJECTED', reason: 'INVALID_FORMAT', rejection_info: { reason: expect.any(String), recommendation: expect.any(String) },
    });
    await expect(connector.send(template('gate_change', [{ text: 'B12' }]))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    expect((await connector.listTemplates()).find((t) => t.name === 'gate_change')).toMatchObject({ status: 'rejected', reason: 'INVALID_FORMAT' });
    await fake.reviewTemplate({ name: 'hello_world', status: 'PAUSED' });
    expect((json(receiver.received[1]!).entry as { changes: { value: Record<string, unknown> }[] }[])[0]!.changes[0]!.value).toMatchObject({
      event: 'PAUSED', reason: 'NONE', other_info: { title: 'FIRST_PAUSE', description: expect.any(String) },
    });
    expect(await fake.reviewTemplate({ name: 'no_such_template', status: 'APPROVED' })).toBe(false);
  });

  it('lists templates by page (limit, after, next), with filters and fields; gets one by id', async () => {
    const { fake } = await start();
    for (const name of ['a_one', 'a_two', 'a_three']) await post(fake, { ...submission, name }, TOKEN, TEMPLATES);
    const first = await call(fake, 'GET', `${TEMPLATES}?limit=2`);
    expect((first.body.data as { name: string }[]).map((t) => t.name)).toEqual(['hello_world', 'a_one']);
    expect(Object.keys((first.body.data as object[])[0]!)).toEqual(['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id']);
    const paging = first.body.paging as { cursors: { after: string }; next?: string };
    expect(paging.next).toBeDefined();
    const second = await call(fake, 'GET', `${TEMPLATES}?limit=2&after=${paging.cursors.after}`);
    expect((second.body.data as { name: string }[]).map((t) => t.name)).toEqual(['a_two', 'a_three']);
    expect((second.body.paging as { next?: string }).next).toBeUndefined();
    const pending = await call(fake, 'GET', `${TEMPLATES}?status=PENDING&fields=name,status`);
    expect(pending.body.data).toEqual([
      { name: 'a_one', status: 'PENDING', id: expect.any(String) }, { name: 'a_two', status: 'PENDING', id: expect.any(String) }, { name: 'a_three', status: 'PENDING', id: expect.any(String) },
    ]);
    const id = (pending.body.data as { id: string }[])[0]!.id;
    expect((await call(fake, 'GET', `/v23.0/${id}`)).body).toMatchObject({ id, name: 'a_one', status: 'PENDING', language: 'en_US', category: 'UTILITY' });
  });

  it('deletes templates by name (every language) or by hsm_id and name; an unknown one is subcode 2593002', async () => {
    const { fake } = await start();
    await post(fake, submission, TOKEN, TEMPLATES);
    const de = await post(fake, { ...submission, language: 'de' }, TOKEN, TEMPLATES);
    expect((await call(fake, 'DELETE', `${TEMPLATES}?name=gate_change&hsm_id=${String(de.body.id)}`)).body).toEqual({ success: true });
    expect(fake.listTemplates().filter((t) => t.name === 'gate_change').map((t) => t.language)).toEqual(['en_US']);
    expect((await call(fake, 'DELETE', `${TEMPLATES}?name=gate_change`)).body).toEqual({ success: true });
    expect(fake.listTemplates().map((t) => t.name)).toEqual(['hello_world']);
    expect((await call(fake, 'DELETE', `${TEMPLATES}?name=gate_change`)).body.error).toMatchObject({ code: 100, error_subcode: 2593002 });
    expect((await call(fake, 'DELETE', TEMPLATES)).body.error.code).toBe(100);
  });
});

describe('FakeWhatsAppServer: media', () => {
  const upload = async (f: FakeWhatsAppServer, bytes: Buffer, type: string, token: string | null = TOKEN): Promise<{ status: number; body: GraphAnswer }> => {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', type);
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'photo.jpg');
    const res = await fetch(`${f.url}/v23.0/${whatsappSandboxConfig.phoneNumberId}/media`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: await res.json() as GraphAnswer };
  };
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0xfe]);

  it('uploads (multipart), answers the URL, serves the bytes with the token only, deletes', async () => {
    const { fake } = await start();
    const up = await upload(fake, bytes, 'image/jpeg');
    expect(up).toEqual({ status: 200, body: { id: expect.stringMatching(/^\d+$/) } });
    const id = up.body.id as string;
    const info = await call(fake, 'GET', `/v23.0/${id}`);
    expect(info.body).toEqual({
      messaging_product: 'whatsapp', url: expect.stringMatching(/\/whatsapp_business\/attachments\/\?mid=/), mime_type: 'image/jpeg',
      sha256: expect.any(String), file_size: String(bytes.length), id,
    });
    const url = info.body.url as string;
    expect((await fetch(url)).status).toBe(400);
    const download = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect((await call(fake, 'GET', `/v23.0/${id}?phone_number_id=999`)).body.error.code).toBe(100);
    expect((await call(fake, 'DELETE', `/v23.0/${id}`)).body).toEqual({ success: true });
    expect((await call(fake, 'GET', `/v23.0/${id}`)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('a media URL expires 5 minutes of platform time after it was handed out', async () => {
    const { fake, clock } = await start();
    const id = (await upload(fake, bytes, 'image/jpeg')).body.id as string;
    const url = (await call(fake, 'GET', `/v23.0/${id}`)).body.url as string;
    clock.advance(5 * 60_000 + 1000);
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses unsupported types, oversize files, a missing file or messaging_product, and a missing token', async () => {
    const { fake } = await start();
    expect((await upload(fake, bytes, 'image/gif')).body.error.code).toBe(100);
    expect((await upload(fake, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png')).body.error.code).toBe(100);
    expect((await upload(fake, bytes, 'image/jpeg', null)).body.error.code).toBe(2500);
    const noFile = new FormData();
    noFile.append('messaging_product', 'whatsapp');
    const res = await fetch(`${fake.url}/v23.0/${whatsappSandboxConfig.phoneNumberId}/media`, { method: 'POST', body: noFile, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await res.json()) as GraphAnswer).error.code).toBe(100);
  });

  it('sends an uploaded image by id', async () => {
    const { fake, connector } = await start();
    fake.userMessage({ userId: USER, text: 'Hi' });
    const id = (await upload(fake, bytes, 'image/jpeg')).body.id as string;
    await expect(connector.send({ ...text(''), content: { type: 'image', media: { id, caption: 'Your car' } } })).resolves.toBeDefined();
    expect(fake.accepted[0]?.body.image).toEqual({ id, caption: 'Your car' });
  });
});

describe('FakeWhatsAppServer: receipts', () => {
  it('regression: a reply reaches delivered and read — the fake posts statuses webhooks for what it accepted', async () => {
    const { fake, connector, clock } = await start();
    const receiver = await webhookReceiver();
    fake.setWebhookUrl(receiver.url);
    fake.userMessage({ userId: USER, text: 'Hi' });
    const { externalId } = await connector.send(text('hello'));
    clock.advance(2000);
    expect(await fake.flushReceipts()).toBe(2);
    const events = receiver.received.map((w) => { connector.verify(w); return connector.parse(w); });
    expect(events).toEqual([
      [{ kind: 'status', channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, externalId, status: 'delivered', userId: USER, timestamp: new Date(Math.floor((T0 + 2000) / 1000) * 1000), pricing: { category: 'service', billable: false, model: 'PMP' } }],
      [{ kind: 'status', channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, externalId, status: 'read', userId: USER, timestamp: new Date(Math.floor((T0 + 2000) / 1000) * 1000) }],
    ] satisfies InboundEvent[][]);
    expect((json(receiver.received[0]!).entry as { changes: { value: { statuses: unknown[] } }[] }[])[0]!.changes[0]!.value.statuses).toEqual([{
      id: externalId, status: 'delivered', timestamp: String(Math.floor((T0 + 2000) / 1000)), recipient_id: USER,
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
    }]);
  });

  it('prices a template\'s receipts under its category and echoes biz_opaque_callback_data', async () => {
    const { fake } = await start();
    const receiver = await webhookReceiver();
    fake.setWebhookUrl(receiver.url);
    await post(fake, { messaging_product: 'whatsapp', to: USER, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } }, biz_opaque_callback_data: 'order-42' });
    await fake.flushReceipts();
    expect((json(receiver.received[0]!).entry as { changes: { value: { statuses: Record<string, unknown>[] } }[] }[])[0]!.changes[0]!.value.statuses[0]).toMatchObject({
      status: 'delivered', biz_opaque_callback_data: 'order-42', pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
    });
  });

  it('sends no receipts when they are switched off', async () => {
    const { fake, connector } = await start({ receipts: { enabled: false } });
    const receiver = await webhookReceiver();
    fake.setWebhookUrl(receiver.url);
    fake.userMessage({ userId: USER, text: 'Hi' });
    await connector.send(text('hello'));
    expect(await fake.flushReceipts()).toBe(0);
    expect(receiver.received).toEqual([]);
  });
});

describe('FakeWhatsAppServer: simulated customer events', () => {
  const base = { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: USER, timestamp: new Date(T0) } as const;
  const cases: [FakeInboundEvent, (fake: FakeWhatsAppServer) => Partial<InboundEvent>][] = [
    [{ kind: 'text', userId: USER, text: 'Is my car ready?', name: 'Ada' }, () => ({ kind: 'message', content: { type: 'text', text: 'Is my car ready?' }, profile: { name: 'Ada' } })],
    [{ kind: 'media', userId: USER, mediaType: 'image', caption: 'the scratch' }, (f) => ({ kind: 'message', content: { type: 'image', media: { id: f.listMediaIds().at(-1)!, mimeType: 'image/png', caption: 'the scratch' } } })],
    [{ kind: 'media', userId: USER, mediaType: 'file' }, (f) => ({ kind: 'message', content: { type: 'document', media: { id: f.listMediaIds().at(-1)!, mimeType: 'application/pdf', filename: 'document.pdf' } } })],
    [{ kind: 'media', userId: USER, mediaType: 'audio' }, (f) => ({ kind: 'message', content: { type: 'audio', media: { id: f.listMediaIds().at(-1)!, mimeType: 'audio/ogg' } } })],
    [{ kind: 'media', userId: USER, mediaType: 'video', caption: 'noise' }, (f) => ({ kind: 'message', content: { type: 'video', media: { id: f.listMediaIds().at(-1)!, mimeType: 'video/mp4', caption: 'noise' } } })],
    [{ kind: 'location', userId: USER, latitude: 52.52, longitude: 13.405 }, () => ({ kind: 'message', content: { type: 'location', latitude: 52.52, longitude: 13.405 } })],
    [{ kind: 'button', userId: USER, payload: 'CONFIRM', title: 'Confirm' }, () => ({ kind: 'message', content: { type: 'reply', id: 'CONFIRM', title: 'Confirm' } })],
    [{ kind: 'subscribe', userId: USER }, () => ({ kind: 'consent', action: 'opt-in', purpose: 'marketing' })],
    [{ kind: 'unsubscribe', userId: USER }, () => ({ kind: 'consent', action: 'opt-out', purpose: 'marketing' })],
    [{ kind: 'conversation-started', userId: USER }, () => ({ kind: 'conversation-started' })],
    [{ kind: 'contact', userId: USER, contactName: 'Barbara Johnson', phone: '+19405551234' }, () => ({ kind: 'message', content: { type: 'contacts', contacts: [{ name: 'Barbara Johnson', phones: [{ phone: '+19405551234', type: 'CELL' }] }] } })],
    [{ kind: 'sticker', userId: USER }, (f) => ({ kind: 'message', content: { type: 'sticker', media: { id: f.listMediaIds().at(-1)!, mimeType: 'image/webp' } } })],
    [{ kind: 'reaction', userId: USER, emoji: '👍', messageId: 'wamid.OUT1' }, () => ({ kind: 'message', content: { type: 'reaction', emoji: '👍', target: 'wamid.OUT1' } })],
  ];
  /** Kinds the fake could not simulate before issue 17, though the connector parsed them. */
  const added = new Set(['conversation-started', 'contact', 'sticker', 'reaction']);

  it('lists every kind it simulates', async () => {
    const { fake } = await start();
    expect(new Set(cases.map(([e]) => e.kind))).toEqual(new Set(fake.simulatedKinds));
  });

  for (const [event, expected] of cases) {
    it(added.has(event.kind) ? `regression: ${event.kind} could not be simulated though the connector parses it` : `${event.kind}${event.kind === 'media' ? ` (${event.mediaType})` : ''} is signed and parses with the connector into the expected event`, async () => {
      const { fake, connector } = await start();
      const w = fake.simulate(event);
      connector.verify(asRaw(w));
      const parsed = connector.parse(asRaw(w));
      expect(parsed).toHaveLength(1);
      expect(parsed[0]).toMatchObject({ ...base, ...expected(fake) });
    });
  }

  it('a simulated customer message opens the window; a button reply answers the last message sent', async () => {
    const { fake, connector } = await start();
    fake.simulate({ kind: 'location', userId: USER, latitude: 1, longitude: 2 });
    const { externalId } = await connector.send(text('Thanks, noted.'));
    const reply = connector.parse(asRaw(fake.simulate({ kind: 'button', userId: USER, payload: 'OK' })));
    expect(reply[0]).toMatchObject({ replyTo: externalId, content: { type: 'reply', id: 'OK', title: 'OK' } });
  });

  it('simulated media can be fetched like any media (GET /{media-id}, then the URL with the token)', async () => {
    const { fake } = await start();
    const w = json(fake.simulate({ kind: 'media', userId: USER, mediaType: 'image' }));
    const id = ((w.entry as { changes: { value: { messages: { image: { id: string } }[] } }[] }[])[0]!.changes[0]!.value.messages[0]!.image.id);
    const info = await call(fake, 'GET', `/v23.0/${id}`);
    const download = await fetch(info.body.url as string, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(fake.getMedia(id)!.bytes);
  });

  it('a simulated reaction answers the last message sent, and a given sticker id is the sticker\'s media id, fetchable like any media', async () => {
    const { fake, connector } = await start();
    fake.simulate({ kind: 'text', userId: USER, text: 'hi' });
    const { externalId } = await connector.send(text('Your car is ready.'));
    expect(connector.parse(asRaw(fake.simulate({ kind: 'reaction', userId: USER, emoji: '🎉' })))[0]).toMatchObject({ content: { type: 'reaction', emoji: '🎉', target: externalId } });
    const w = json(fake.simulate({ kind: 'sticker', userId: USER, stickerId: '1003383421387259' }));
    expect((w.entry as { changes: { value: { messages: unknown[] } }[] }[])[0]!.changes[0]!.value.messages[0]).toMatchObject({ type: 'sticker', sticker: { id: '1003383421387259', mime_type: 'image/webp', animated: false } });
    expect(fake.getMedia('1003383421387259')?.mimeType).toBe('image/webp');
  });

  it('refuses kinds WhatsApp has no webhook for', async () => {
    const { fake } = await start();
    for (const kind of ['block', 'close'] as const) expect(() => fake.simulate({ kind, userId: USER })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'capabilities', userId: USER, capabilities: [] })).toThrow(RangeError);
    expect(() => fake.simulate({ kind: 'url', userId: USER, url: 'https://example.com' })).toThrow(RangeError);
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
    fake.userMessage({ userId: USER, text: 'Hi' });
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
    const receiver = await webhookReceiver();
    const answer = await fake.deliver(receiver.url, fake.userMessage({ userId: USER, text: 'hi' }));
    expect(answer).toEqual({ status: 200, body: 'EVENT_RECEIVED' });
    expect(() => connector.verify(receiver.received[0]!)).not.toThrow();
  });

  it('handshakeQuery answers the connector\'s handshake', async () => {
    const { fake, connector } = await start();
    expect(connector.handshake({ method: 'GET', path: '/', query: fake.handshakeQuery('42'), headers: {}, body: Buffer.alloc(0) })).toEqual({ status: 200, body: '42' });
  });
});

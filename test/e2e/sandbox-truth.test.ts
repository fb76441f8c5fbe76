/**
 * The sandbox tells the truth (issue 17): every fake runs on the host's clock, so after
 * `POST /sandbox/clock` moves it 25 hours a new customer message still gets its echo reply
 * (WhatsApp and Messenger counted it outside the window) and Apple's webhooks are accepted (401
 * "token is too old"); replies reach `delivered` and `read` through the fakes' receipts (flushed,
 * never waited for); every command the start-up banner prints works as printed, on every channel;
 * and a failed send's log line says why.
 *
 * Receipts are set an hour out so no timer fires during a test: `flushReceipts` posts them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { silentLogger, type Logger } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host, type HostMessage } from '@switchboard/host';
import { createSandbox, type Sandbox } from '@switchboard/host/testing';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';
import { printSandboxBanner } from '../../host/src/cli.js';
import { sampleUserId } from '../../host/src/fake-command.js';
import { eventually } from './support/host-harness.js';

const KEY = 'sandbox-truth-key-0123456789';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const HOUR_MS = 3_600_000;

interface Running { sandbox: Sandbox; host: Host; url: string; warnings: { obj: Record<string, unknown>; msg?: string }[] }
const running: Host[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

async function start(packages?: string[]): Promise<Running> {
  const warnings: Running['warnings'] = [];
  const logger: Logger = { ...silentLogger, warn: (obj, msg) => { warnings.push({ obj: obj as Record<string, unknown>, ...(msg !== undefined ? { msg } : {}) }); } };
  const sandbox = await createSandbox({
    database: tempDatabase('sandbox-truth').path, ...(packages ? { packages } : {}), logger: silentLogger, port: 0,
    env: { SWITCHBOARD_API_KEY: KEY, SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS: String(HOUR_MS) },
  });
  const host = await createHost(sandbox.config, { logger, processor: { pollMs: 20 }, ...sandbox.hostOptions });
  running.push(host);
  const { url } = await host.listen(0, '127.0.0.1');
  return { sandbox, host, url, warnings };
}

const post = async (url: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const get = async <T>(url: string, path: string): Promise<T> => (await (await fetch(`${url}${path}`, { headers: auth })).json()) as T;

/** The echo bot's reply to `text` from `userId` on `channel`, once the dispatcher has settled it (sent, delivered, read or failed). */
async function reply(url: string, channel: string, userId: string, text: string, settled = ['sent', 'delivered', 'read', 'failed']): Promise<HostMessage> {
  return eventually(async () => {
    const conversations = await get<{ items: { id: string; address: { userId: string } }[] }>(url, `/v1/conversations?channel=${channel}`);
    const conversation = conversations.items.find((c) => c.address.userId === userId);
    if (!conversation) return undefined;
    const messages = await get<{ items: HostMessage[] }>(url, `/v1/conversations/${conversation.id}/messages`);
    return messages.items.find((m) => m.direction === 'outbound' && (m.content as { text?: string }).text === `You said: ${text}` && settled.includes(m.status));
  }, 30_000);
}

const advance = async (url: string, hours: number): Promise<void> => {
  const moved = await post(url, '/sandbox/clock', { advanceMinutes: hours * 60 });
  expect(moved.status).toBe(200);
};

describe('the sandbox runs every fake platform on the host clock', () => {
  it('regression: 25 hours after POST /sandbox/clock a new WhatsApp message still gets its echo reply (the fake stamped wall-clock time, so the customer was outside the window)', async () => {
    const { url, sandbox } = await start(['@switchboard/whatsapp']);
    await advance(url, 25);
    expect((await post(url, '/sandbox/whatsapp/messages', { userId: '15550101002', text: 'A day later' })).status).toBe(202);
    const answer = await reply(url, 'whatsapp', '15550101002', 'A day later');
    expect(answer.status).not.toBe('failed');
    const sent = await get<{ items: { userId: string; at: string }[] }>(url, '/sandbox/whatsapp/sent?userId=15550101002');
    expect(sent.items).toHaveLength(1);
    // the platform stamped it in platform time: the sandbox's, a day ahead
    expect(Date.parse(sent.items[0]!.at)).toBeGreaterThanOrEqual(sandbox.clock.now() - HOUR_MS);
    expect(Date.parse(sent.items[0]!.at) - Date.now()).toBeGreaterThan(24 * HOUR_MS);
  });

  it('regression: 25 hours after POST /sandbox/clock a new Messenger message still gets its echo reply', async () => {
    const { url } = await start(['@switchboard/messenger']);
    await advance(url, 25);
    expect((await post(url, '/sandbox/messenger/messages', { userId: '1002', text: 'A day later' })).status).toBe(202);
    expect((await reply(url, 'messenger', '1002', 'A day later')).status).not.toBe('failed');
  });

  it('regression: 25 hours after POST /sandbox/clock an Apple message is accepted and answered (401 "token is too old")', async () => {
    const { url } = await start(['@switchboard/apple']);
    await advance(url, 25);
    const delivered = await post(url, '/sandbox/apple/messages', { userId: 'urn:mbid:sandbox-1002', text: 'A day later' });
    expect(delivered).toMatchObject({ status: 202, body: { delivered: true, hostAnswer: { status: 200 } } });
    expect((await reply(url, 'apple', 'urn:mbid:sandbox-1002', 'A day later')).status).not.toBe('failed');
  });
});

describe('the fakes send delivery and read receipts', () => {
  for (const channel of ['whatsapp', 'messenger', 'viber']) {
    it(`regression: a ${channel} reply reaches delivered and read (no fake sent receipts: statuses stopped at sent)`, async () => {
      const { url, sandbox } = await start([`@switchboard/${channel}`]);
      const userId = sampleUserId(channel);
      expect((await post(url, `/sandbox/${channel}/messages`, { userId, text: 'Receipts?' })).status).toBe(202);
      const sent = await reply(url, channel, userId, 'Receipts?');
      expect(sent.status).toBe('sent');
      // the receipts are an hour out: post them now, through the route the sandbox offers
      const flushed = await post(url, `/sandbox/${channel}/receipts/flush`, {});
      expect(flushed).toEqual({ status: 200, body: { posted: 2 } });
      const read = await reply(url, channel, userId, 'Receipts?', ['read']);
      expect(read.statusHistory?.map((h) => h.status)).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));
      expect(sandbox.fakes.get(channel)!.fake.sentMessages!().map((m) => m.userId)).toContain(userId);
    });
  }
});

describe('the sandbox banner', () => {
  it('regression: every command the banner prints works as printed, on every channel, and no reply it causes fails (the WhatsApp curl ended in "Invalid recipient phone number")', async () => {
    const { host, url, sandbox } = await start();
    const lines: string[] = [];
    printSandboxBanner(host, KEY, false, (l) => lines.push(l), sandbox.consoleAdmin);
    const curls = lines.map((l) => l.trim()).filter((l) => l.startsWith('curl '));
    const channels = host.registry.bindings.map((b) => b.channel);
    expect(channels.sort()).toEqual(['apple', 'messenger', 'telegram', 'viber', 'whatsapp']);
    for (const channel of channels) expect(curls.some((c) => c.includes(`/sandbox/${channel}/messages`))).toBe(true);
    for (const line of curls) {
      const streaming = /\s-N\b/.test(line);
      // asynchronously: the host answering the curl runs in this process
      const run = await promisify(execFile)('bash', ['-c', `${line} --max-time ${streaming ? 1 : 20} -w '\\n%{http_code}'`], { encoding: 'utf8' })
        .then(({ stdout }) => ({ code: 0, stdout }), (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }));
      const status = Number(run.stdout.trim().split('\n').pop());
      if (streaming) expect([line, run.code === 28 || run.code === 0]).toEqual([line, true]);
      else expect([line, run.code, status >= 200 && status < 300]).toEqual([line, 0, true]);
    }
    for (const channel of channels) {
      const answer = await reply(url, channel, sampleUserId(channel), 'Hello');
      expect([channel, answer.status, answer.error]).toEqual([channel, expect.not.stringMatching(/^failed$/), undefined]);
    }
  });
});

describe('a failed send', () => {
  it('regression: the dispatcher\'s log line carries the platform\'s reason (it said only that a send failed)', async () => {
    const { url, sandbox, warnings } = await start(['@switchboard/whatsapp']);
    const fake = sandbox.fakes.get('whatsapp')!.fake;
    fake.script([{ status: 400, body: { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: { messaging_product: 'whatsapp', details: 'Invalid recipient phone number: 1001' } } } }], /\/messages$/);
    expect((await post(url, '/sandbox/whatsapp/messages', { userId: '15550101003', text: 'Fail me' })).status).toBe(202);
    expect((await reply(url, 'whatsapp', '15550101003', 'Fail me')).status).toBe('failed');
    const line = warnings.find((w) => w.msg === 'send failed');
    expect(line?.obj).toMatchObject({ code: 'PERMANENT_FAILURE', reason: '(#100) Invalid parameter: Invalid recipient phone number: 1001' });
  });
});

/** One event of each kind, for a customer id the channel accepts. */
function eventOf(kind: string, userId: string): Record<string, unknown> {
  switch (kind) {
    case 'text': return { kind, userId, text: 'Hello' };
    case 'media': return { kind, userId, mediaType: 'image', caption: 'A photo' };
    case 'location': return { kind, userId, latitude: 52.52, longitude: 13.405 };
    case 'button': return { kind, userId, payload: 'YES', title: 'Yes' };
    case 'capabilities': return { kind, userId, capabilities: ['list', 'time', 'quick-reply'] };
    case 'contact': return { kind, userId, contactName: 'Grace Hopper', phone: '+15550123' };
    case 'url': return { kind, userId, url: 'https://example.com/offer' };
    case 'reaction': return { kind, userId, emoji: '\u{1F44D}' };
    default: return { kind, userId };
  }
}

describe('inbound simulation', () => {
  it('regression: every event kind each fake lists is delivered signed and accepted by the host (the sandbox could simulate only text)', async () => {
    const { url, sandbox } = await start();
    for (const [channel, { fake }] of sandbox.fakes) {
      const kinds = fake.simulatedKinds ?? ['text'];
      expect([channel, kinds.length > 1]).toEqual([channel, true]);
      for (const kind of kinds) {
        const answer = await post(url, `/sandbox/${channel}/events`, eventOf(kind, sampleUserId(channel)));
        expect([channel, kind, answer.status, answer.body.delivered]).toEqual([channel, kind, 202, true]);
      }
    }
  });
});

describe('template review in the sandbox', () => {
  it('regression: a submitted WhatsApp template is approved through POST /sandbox/whatsapp/templates/review (it could not be approved in the sandbox)', async () => {
    const { url } = await start(['@switchboard/whatsapp']);
    const created = await post(url, '/v1/templates', { channel: 'whatsapp', name: 'order_ready', language: 'en', category: 'utility', body: 'Hello {{1}}, order {{2}} is ready.' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await post(url, `/v1/templates/${id}/submit`, { examples: ['Ada', 'A-17'] })).body.status).toBe('submitted');
    expect(await post(url, '/sandbox/whatsapp/templates/review', { name: 'order_ready', language: 'en', status: 'APPROVED' })).toMatchObject({ status: 200, body: { reviewed: true } });
    // the host reads the review back from the platform (the fake also announced it to the webhook, as Meta does)
    expect((await post(url, '/v1/templates/sync', { channel: 'whatsapp' })).status).toBe(200);
    expect((await get<{ status: string }>(url, `/v1/templates/${id}`)).status).toBe('approved');
  });
});

describe('the sandbox routes', () => {
  it('sent log, events, template review and receipts answer typed 4xx for bad input', async () => {
    const { url, sandbox } = await start(['@switchboard/telegram', '@switchboard/whatsapp']);
    const error = async (res: Promise<{ status: number; body: Record<string, unknown> }>): Promise<[number, string]> => {
      const r = await res;
      return [r.status, (r.body.error as { code: string }).code];
    };
    const kinds = sandbox.fakes.get('telegram')!.fake.simulatedKinds ?? ['text'];
    const unknownKind = await post(url, '/sandbox/telegram/events', { kind: 'teleport', userId: '1001' });
    expect(unknownKind.status).toBe(400);
    expect((unknownKind.body.error as { message: string }).message).toContain(`it simulates: ${kinds.join(', ')}`);
    expect(await error(post(url, '/sandbox/telegram/events', { kind: 'text', userId: '1001' }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await error(post(url, '/sandbox/telegram/events', { kind: 'text', userId: '1001', text: 'hi', extra: 1 }))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await post(url, '/sandbox/telegram/events', { kind: 'text', userId: '1001', text: 'by event' })).toMatchObject({ status: 202, body: { kind: 'text', delivered: true } });
    expect(await error(post(url, '/sandbox/pigeon/events', { kind: 'text', userId: '1', text: 'x' }))).toEqual([404, 'NOT_FOUND']);
    expect(await error(post(url, '/sandbox/messages', {}))).toEqual([404, 'NOT_FOUND']);
    expect(await error(post(url, '/sandbox/clock', { advanceMinutes: -5 }))).toEqual([400, 'VALIDATION_FAILED']);
    const bad = await fetch(`${url}/sandbox/telegram/messages`, { method: 'POST', headers: auth, body: '{"userId":' });
    expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BAD_JSON']);
    const page = await fetch(`${url}/sandbox/whatsapp/sent?limit=0`, { headers: auth });
    expect(page.status).toBe(400);
    const sent = await get<{ items: unknown[]; total: number; limit: number; offset: number }>(url, '/sandbox/whatsapp/sent?limit=2');
    expect(sent).toMatchObject({ limit: 2, offset: 0 });
    expect((await fetch(`${url}/sandbox/whatsapp/sent`)).status).toBe(401);
    expect(await error(post(url, '/sandbox/whatsapp/templates/review', { name: 'no_such_template', status: 'APPROVED' }))).toEqual([404, 'NOT_FOUND']);
    expect(await error(post(url, '/sandbox/whatsapp/templates/review', { name: 'x', status: 'MAYBE' }))).toEqual([400, 'VALIDATION_FAILED']);
  });
});

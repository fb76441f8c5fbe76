/**
 * Bad input at the webhook endpoint, for every first-party connector: whatever is wrong with the
 * proof of origin is refused with 401 and leaves nothing behind; a verified body that cannot be
 * understood is kept as a dead letter and answered 200; 3 MB is accepted and 10 MB refused with 413;
 * clients that send too slowly are cut off with 408; and through all of it the host keeps serving.
 */
import { connect } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedWebhook } from '@switchboard/core';
import { eventually } from '../e2e/support/host-harness.js';
import { corrupt, FIRST_PARTY_CHANNELS, proofOf, signBody, SIGNS_BODY, withProof } from '../e2e/support/webhook-signing.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

const MB = 1024 * 1024;
let h: ChannelsHost;
let serial = 0;

beforeAll(async () => {
  // the server's default timeouts: a 3 MB or 10 MB upload on a loaded machine must not race a short
  // request timeout (a 10 MB one was answered 408 instead of 413); the slow-client tests below have a host of their own
  h = await startChannelsHost();
});
afterAll(async () => { await h?.stop(); });

/** Posts raw bytes with headers; answers status and body. */
async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** Every string leaf a number and every number a string: the envelope's shape with the wrong types. */
function wrongTypes(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return value.map(wrongTypes);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrongTypes(v)]));
  return value;
}

describe.each(FIRST_PARTY_CHANNELS)('bad input on %s', (channel) => {
  const fresh = (text = 'Is my car ready?'): SignedWebhook => h.fakes[channel].userMessage({ userId: `4917${FIRST_PARTY_CHANNELS.indexOf(channel)}${String(++serial).padStart(6, '0')}`, text });
  const deliver = (webhook: SignedWebhook, account: 'main' | 'other' = 'main'): Promise<{ status: number; body: string }> =>
    post(h.webhookUrl(channel, account), webhook.body, webhook.headers);

  it('refuses every broken proof of origin with 401 and stores nothing', async () => {
    const before = await h.stored();
    const webhook = fresh();
    const [, proof] = proofOf(webhook);
    const broken: [string, SignedWebhook][] = [
      ['missing', withProof(webhook, undefined)],
      ['empty', withProof(webhook, '')],
      ['short', withProof(webhook, proof.slice(0, Math.floor(proof.length / 2)))],
      ['long', withProof(webhook, `${proof}00ff`)],
      ['tampered', corrupt(webhook)],
      ['another tenant\'s secret', { ...webhook, headers: signBody(channel, h.configs[channel].other, webhook.body, webhook.headers) }],
    ];
    for (const [name, forged] of broken) {
      const answer = await deliver(forged);
      expect({ name, status: answer.status }).toEqual({ name, status: 401 });
      expect(JSON.parse(answer.body).error.code).toBe('WEBHOOK_VERIFICATION_FAILED');
    }
    // the rival's signature is a good one, for the rival's own account
    expect((await deliver({ ...webhook, headers: signBody(channel, h.configs[channel].other, webhook.body, webhook.headers) }, 'other')).status).toBe(200);
    expect(await h.stored()).toEqual(before);
  });

  it(SIGNS_BODY[channel] ? 'refuses a body changed or re-serialised after signing' : 'accepts a re-serialised body: the platform\'s proof covers the sender, not the bytes', async () => {
    const before = await h.stored();
    const webhook = fresh();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(webhook.body.toString('utf8')), null, 2));
    const flipped = Buffer.from(webhook.body);
    flipped[flipped.length - 2] ^= 0x01;
    if (SIGNS_BODY[channel]) {
      expect((await post(h.webhookUrl(channel), reserialised, webhook.headers)).status).toBe(401);
      expect((await post(h.webhookUrl(channel), flipped, webhook.headers)).status).toBe(401);
      expect(await h.stored()).toEqual(before);
    } else {
      expect((await post(h.webhookUrl(channel), reserialised, webhook.headers)).status).toBe(200);
      await eventually(async () => (await h.stored()).messages === before.messages + 1);
    }
  });

  it('keeps verified bodies it cannot understand as dead letters and answers 200', async () => {
    const template = fresh();
    const envelope = JSON.parse(template.body.toString('utf8')) as unknown;
    const bodies: [string, Buffer][] = [
      ['invalid JSON', Buffer.from('{"object": "whatsapp_business_account", "entry": [')],
      ['not JSON at all', Buffer.from('\u0000\u0001 binary \uFFFD garbage')],
      ['deeply nested arrays', Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)],
      ['deeply nested objects', Buffer.from(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`)],
      ['wrong types', Buffer.from(JSON.stringify(wrongTypes(envelope)))],
      ['a JSON string', Buffer.from(JSON.stringify('x'.repeat(200_000)))],
    ];
    const stats = h.hosts[0]!.ingress.stats;
    for (const [name, body] of bodies) {
      const before = await h.stored();
      const unsupported = stats.unsupported;
      const answer = await post(h.webhookUrl(channel), body, signBody(channel, h.configs[channel].main, body, template.headers));
      expect({ name, status: answer.status }).toEqual({ name, status: 200 });
      const after = await h.stored();
      // either kept as a dead letter, or (an envelope whose type field is not one the connector knows) counted as unsupported
      const outcome = after.deadLetters === before.deadLetters + 1 ? 'dead letter' : stats.unsupported > unsupported ? 'unsupported' : 'lost';
      expect({ name, outcome, inbox: after.inbox, messages: after.messages }).toEqual({ name, outcome: name === 'wrong types' ? outcome : 'dead letter', inbox: before.inbox, messages: before.messages });
      expect(outcome).not.toBe('lost');
    }
  });

  it('accepts a 3 MB webhook and refuses a 10 MB one with 413, storing nothing of it', async () => {
    const probe = fresh('x');
    const room = 3 * MB - probe.body.length - 64;
    const big = fresh('x'.repeat(room));
    expect(big.body.length).toBeLessThanOrEqual(3 * MB);
    expect(big.body.length).toBeGreaterThan(3 * MB - 1024);
    const before = await h.stored();
    expect((await deliver(big)).status).toBe(200);
    await eventually(async () => (await h.stored()).messages === before.messages + 1, 30_000);

    const huge = fresh('x'.repeat(10 * MB));
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port, pathname } = new URL(h.webhookUrl(channel));
      const req = request({ host: hostname, port, path: pathname, method: 'POST', headers: { ...huge.headers, 'content-length': String(huge.body.length) } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', (error) => { if (!req.writableEnded) return; reject(error); });
      req.end(huge.body);
    });
    expect(status).toBe(413);
    expect(await h.stored()).toEqual({ ...before, messages: before.messages + 1, inbox: before.inbox + 1 });
  });
});

describe('slow clients', () => {
  // short header and request timeouts, so a client that never finishes is cut off within the test
  let slow: ChannelsHost;
  beforeAll(async () => { slow = await startChannelsHost({ channels: ['telegram'], server: { headersTimeoutMs: 400, requestTimeoutMs: 800 } }); });
  afterAll(async () => { await slow?.stop(); });

  /**
   * Opens a raw connection, writes `first`, then trickles `drip` every 100 ms; resolves with what the
   * host answered. The 408 itself says the host's header or request timeout cut the client off; how
   * soon is not judged (the server's timers run on a machine that may be loaded), only that it
   * happens within a limit far above the configured 400/800 ms.
   */
  function slowClient(first: string, drip: string): Promise<{ answer: string }> {
    const { hostname, port } = new URL(slow.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      let answer = '';
      const timer = setInterval(() => { if (!socket.destroyed) socket.write(drip); }, 100);
      const done = (): void => { clearInterval(timer); resolve({ answer }); };
      socket.on('connect', () => socket.write(first));
      socket.on('data', (chunk) => { answer += chunk.toString('latin1'); });
      socket.on('close', done);
      socket.on('error', () => { /* a reset after the answer: 'close' follows */ });
      setTimeout(() => { socket.destroy(); reject(new Error('the host never cut the slow client off')); }, 45_000).unref();
    });
  }

  it('cuts off a client that never finishes its headers (408) while serving others', async () => {
    const before = await slow.stored();
    const loris = slowClient('POST /webhooks/telegram/main HTTP/1.1\r\nHost: localhost\r\n', 'X');
    // meanwhile the host answers everyone else
    expect((await fetch(`${slow.url}/healthz`)).status).toBe(200);
    const { answer } = await loris;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await slow.stored()).toEqual(before);
  });

  it('cuts off a client that trickles its body (408), storing nothing', async () => {
    const before = await slow.stored();
    const webhook = slow.fakes.telegram.userMessage({ userId: '491700000999', text: 'hello' });
    const head = [
      'POST /webhooks/telegram/main HTTP/1.1', 'Host: localhost', 'Content-Type: application/json',
      `Content-Length: ${webhook.body.length}`,
      ...Object.entries(webhook.headers).filter(([k]) => k.toLowerCase().startsWith('x-telegram')).map(([k, v]) => `${k}: ${v}`),
      '', '',
    ].join('\r\n');
    const { answer } = await slowClient(`${head}{`, ' ');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await slow.stored()).toEqual(before);
    expect((await fetch(`${slow.url}/healthz`)).status).toBe(200);
  });
});

/**
 * Generated documents through a real host: `POST /v1/messages` with `document: { template, data,
 * caption }` renders the PDF for the recipient at the host clock's now, stores it (origin
 * `generated`, linked to the message) and sends it as a document through the policy, the outbox and
 * the connector — WhatsApp uploads the bytes, Viber fetches the host's signed URL — and the platform
 * holds exactly the stored bytes, which are exactly what `renderDocument` gives for the same input
 * and time. On WhatsApp also: invalid data (400 naming every field), an unknown template (404), a
 * policy refusal (422) — none leaving a file or an outbox entry — an idempotent retry that renders
 * once, and a bot replying with `ctx.replyDocument`.
 *
 * Time: the host runs on a fixed injected clock (the PDFs' dates, so the bytes are known in
 * advance); waits are for conditions (a safety-net bound), never for a duration.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ConnectorPlugin, type Conversation, type FakePlatform, type MediaRef } from '@switchboard/core';
import { API_SCOPES, builtInDocumentTemplates, configFromObject, createHost, documentContactOf, DocumentTemplates, renderDocument, type BotContext, type Host } from '@switchboard/host';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';
import { scanPdf } from '../../../host/src/documents/__fixtures__/read-pdf.js';

const KEY = 'documents-e2e-key-0123456789abcdef';
const TENANT = 'air';
/**
 * The host's clock: fixed (at the suite's start: the fakes date their webhooks by the wall clock),
 * so a document's bytes are known before it is rendered.
 */
const NOW = Math.floor(Date.now() / 1000) * 1000;
/** The host clock's reading: NOW, moved on by hand only. */
let clockNow = NOW;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PASS = {
  airline: { name: 'Lumen Air', designator: 'LM' }, flightNumber: '417',
  passenger: { surname: 'Costa', givenName: 'Ana' },
  from: { code: 'BER', city: 'Berlin' }, to: { code: 'LIS', city: 'Lisbon' },
  date: '2026-12-14', departureTime: '14:05', boardingTime: '13:25', gate: 'C4', seat: '12A', sequence: 25, pnr: 'K7Q2ZP',
};
const RECEIPT = {
  merchant: { name: 'Imbiss Ecke' }, orderNumber: 'A-7', items: [{ description: 'Currywurst', quantity: 2, unitPrice: 350 }], currency: 'EUR', pickupCode: 'A-7',
};

interface Case {
  channel: 'whatsapp' | 'viber';
  users: { first: string; again: string; stranger: string; bot: string };
  /** The platform's reference to the document a send request carried. */
  refOf(body: Json): MediaRef | undefined;
}
const CASES: Case[] = [
  {
    channel: 'whatsapp', users: { first: '4915112350001', again: '4915112350002', stranger: '4915112350003', bot: '4915112350004' },
    refOf: (b) => (b.type === 'document' ? { id: (b.document as Json).id as string } : undefined),
  },
  {
    channel: 'viber', users: { first: 'dK6cLmD4PQ1t1AqrvvA1k1==', again: 'dK6cLmD4PQ1t1AqrvvA1k2==', stranger: 'dK6cLmD4PQ1t1AqrvvA1k3==', bot: 'dK6cLmD4PQ1t1AqrvvA1k4==' },
    refOf: (b) => (b.type === 'file' ? { url: b.media as string } : undefined),
  },
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The bot of the test: answers "receipt" with an order receipt. */
const botOutcomes: unknown[] = [];
async function receiptBot(ctx: BotContext): Promise<void> {
  botOutcomes.push(await ctx.replyDocument('order-receipt', RECEIPT, { caption: 'Your receipt', locale: 'de-DE', timeZone: 'Europe/Berlin' }).catch((e: unknown) => e));
}

describe.each(CASES)('generated documents through the host: $channel', (c) => {
  let fake: FakePlatform;
  let host: Host;
  let url: string;
  const api = async (path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${KEY}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const generated = async () => (await host.media!.store.list(TENANT)).filter((f) => f.origin === 'generated');
  const stored = async (id: string): Promise<Buffer> => {
    const res = await fetch(`${url}/v1/media/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const sentBodies = (user: string): Json[] => fake.requests
    .filter((r) => r.method === 'POST' && (r.path.endsWith('/messages') || r.path === '/pa/send_message'))
    .map((r) => r.body as Json).filter((b) => b.to === user || b.receiver === user);
  const waitSent = async (id: string): Promise<void> => {
    const m = await eventually(async () => { const x = await host.stores.messages.get(TENANT, id); return x?.status === 'sent' || x?.status === 'failed' ? x : undefined; });
    expect(m.status, JSON.stringify(m.error)).toBe('sent');
  };
  const send = (user: string, document: unknown, headers: Record<string, string> = {}) => api('/v1/messages', {
    body: { channel: c.channel, accountId: 'main', userId: user, purpose: 'service', document }, headers,
  });

  beforeAll(async () => {
    clockNow = NOW;
    const plugin = (await import(`@switchboard/${c.channel}`)).default as ConnectorPlugin;
    fake = plugin.fake!();
    await fake.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    host = await createHost(configFromObject({
      store: tempDatabase(), logLevel: 'silent', publicUrl: url,
      tenants: [{
        id: TENANT, apiKeys: [{ key: KEY, scopes: [...API_SCOPES] }],
        routing: { escalationQueue: 'support', rules: [{ match: { keyword: 'receipt' }, to: { bot: 'receipts' } }] },
      }],
      connectors: [{ package: `@switchboard/${c.channel}`, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
      bots: { receipts: receiptBot },
    }), {
      logger: silentLogger, clock: { now: () => clockNow },
      processor: { pollMs: 20, retryBaseMs: 20 },
      outbound: { timer: { now: () => clockNow, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) }, dispatcher: { pollMs: 20 } },
    });
    await host.listen(port, '127.0.0.1');
    // the customers (not the stranger) write first: the service window is open
    for (const user of [c.users.first, c.users.again]) {
      expect((await fake.deliver(`${url}/webhooks/${c.channel}/main`, fake.userMessage({ userId: user, text: 'My boarding pass, please' }))).status).toBe(200);
    }
    await eventually(async () => {
      const conversations = (await api('/v1/conversations')).body.items as Conversation[];
      return [c.users.first, c.users.again].every((u) => conversations.some((x) => x.address.userId === u && x.lastInboundAt));
    });
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  it('renders the boarding pass at the host clock\'s now, stores it and the platform holds exactly its bytes', async () => {
    const answer = await send(c.users.first, { template: 'boarding-pass', data: PASS, caption: 'Your boarding pass' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    await waitSent(answer.body.id as string);

    const message = (await host.stores.messages.get(TENANT, answer.body.id as string))!;
    expect(message.content).toMatchObject({ type: 'document', media: { storedId: expect.any(String), filename: 'Boarding pass LM417 K7Q2ZP.pdf', mimeType: 'application/pdf', caption: 'Your boarding pass' } });
    const storedId = (message.content as { media: { storedId: string } }).media.storedId;
    const record = (await host.media!.store.get(TENANT, storedId))!;
    expect(record).toMatchObject({ origin: 'generated', kind: 'document', contentType: 'application/pdf', messageId: message.id, conversationId: message.conversationId });

    // the same input and time render the same bytes: the host rendered with its clock and the contact's profile
    const contact = (await host.stores.contacts.get(TENANT, (await host.stores.conversations.get(TENANT, message.conversationId))!.contactId))!;
    const expected = (await renderDocument(new DocumentTemplates(builtInDocumentTemplates), 'boarding-pass', { data: PASS, contact: documentContactOf(contact), at: new Date(clockNow) })).body;
    const bytes = await stored(storedId);
    expect(sha(bytes)).toBe(sha(expected));

    const body = sentBodies(c.users.first).find((b) => c.refOf(b));
    expect(body).toBeDefined();
    if (c.channel === 'whatsapp') {
      expect(body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: c.users.first, type: 'document', document: { id: expect.any(String), filename: 'Boarding pass LM417 K7Q2ZP.pdf', caption: 'Your boarding pass' } });
    } else {
      expect(body).toMatchObject({ receiver: c.users.first, type: 'file', file_name: 'Boarding pass LM417 K7Q2ZP.pdf', size: bytes.length, media: expect.stringMatching(new RegExp(`^${url}/media/${storedId}/Boarding%20pass%20LM417%20K7Q2ZP\\.pdf\\?`)) });
    }
    const held = fake.storedMedia!(c.refOf(body!)!)!;
    expect(held).toBeDefined();
    expect(sha(held)).toBe(sha(bytes));
    const [code] = await scanPdf(held);
    expect(code!.format).toBe('Aztec');
  });

  it.runIf(c.channel === 'whatsapp')('answers 400 naming every bad field of the data, and keeps and queues nothing', async () => {
    const before = { files: (await generated()).length, outbox: await host.stores.outbox.counts(TENANT) };
    const answer = await send(c.users.first, { template: 'boarding-pass', data: { ...PASS, seat: '', upgrade: true, passenger: { surname: 'Costa' } } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (answer.body.error.details.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(['document.data.passenger.givenName', 'document.data.seat', 'document.data.upgrade']);
    expect((await generated()).length).toBe(before.files);
    expect(await host.stores.outbox.counts(TENANT)).toEqual(before.outbox);
  });

  it.runIf(c.channel === 'whatsapp')('answers 404 for an unknown template and 400 for content beside document; nothing kept', async () => {
    const before = (await generated()).length;
    const unknown = await send(c.users.first, { template: 'invoice', data: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { kind: 'document template', id: 'invoice' } });
    const both = await api('/v1/messages', { body: { channel: c.channel, accountId: 'main', userId: c.users.first, purpose: 'service', content: { type: 'text', text: 'hi' }, document: { template: 'boarding-pass', data: PASS } } });
    expect(both.status).toBe(400);
    expect(both.body.error.details.problems).toEqual([{ field: 'document', message: 'cannot be given beside content: send one or the other' }]);
    const closed = await send(c.users.first, { template: 'boarding-pass', data: PASS, colour: 'red' });
    expect(closed.status).toBe(400);
    expect(closed.body.error.details.problems).toEqual([{ field: 'document.colour', message: 'is not a known field' }]);
    expect((await generated()).length).toBe(before);
  });

  it.runIf(c.channel === 'whatsapp')('a message the policy refuses leaves no file behind', async () => {
    const before = { files: (await generated()).length, outbox: await host.stores.outbox.counts(TENANT) };
    // the stranger never wrote: a free-form document needs the service window
    const answer = await send(c.users.stranger, { template: 'boarding-pass', data: PASS });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('POLICY_DENIED');
    expect((await generated()).length).toBe(before.files);
    expect(await host.stores.outbox.counts(TENANT)).toEqual(before.outbox);
  });

  it.runIf(c.channel === 'whatsapp')('an Idempotency-Key retry replays the first answer and renders nothing more', async () => {
    const before = (await generated()).length;
    const document = { template: 'boarding-pass', data: { ...PASS, seat: '14C' } };
    const first = await send(c.users.again, document, { 'idempotency-key': 'pass-14c' });
    expect(first.status).toBe(202);
    const retry = await send(c.users.again, document, { 'idempotency-key': 'pass-14c' });
    expect(retry).toEqual(first);
    expect((await generated()).length).toBe(before + 1);
    const other = await send(c.users.again, { ...document, caption: 'changed' }, { 'idempotency-key': 'pass-14c' });
    expect(other.status).toBe(409);
    expect((await generated()).length).toBe(before + 1);
    await waitSent(first.body.id as string);
  });

  it.runIf(c.channel === 'whatsapp')('a bot replies with a document through ctx.replyDocument', async () => {
    // a minute on: what earlier sends left to retry (status callbacks, paced sends) is due again
    clockNow = NOW + 60_000;
    expect((await fake.deliver(`${url}/webhooks/${c.channel}/main`, fake.userMessage({ userId: c.users.bot, text: 'receipt please' }))).status).toBe(200);
    await eventually(() => botOutcomes.length > 0);
    expect(botOutcomes[0]).toMatchObject({ status: 'queued', messageId: expect.any(String) });
    const body = await eventually(() => sentBodies(c.users.bot).find((b) => c.refOf(b)));
    expect(body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: c.users.bot, type: 'document', document: { id: expect.any(String), filename: 'Receipt A-7.pdf', caption: 'Your receipt' } });
    const file = (await generated()).find((f) => f.filename === 'Receipt A-7.pdf')!;
    expect(file.messageId).toBeDefined();
    const contact = (await host.stores.contacts.get(TENANT, file.contactId!))!;
    const expected = (await renderDocument(new DocumentTemplates(builtInDocumentTemplates), 'order-receipt', { data: RECEIPT, contact: { locale: 'de-DE', timeZone: 'Europe/Berlin', ...documentContactOf(contact) }, at: new Date(clockNow) })).body;
    expect(sha(fake.storedMedia!(c.refOf(body)!)!)).toBe(sha(expected));
    expect(sha(await stored(file.id))).toBe(sha(expected));
  });
});

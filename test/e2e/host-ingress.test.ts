/**
 * End-to-end through the host with the Acme test connector: real HTTP on port 0, a real fake
 * platform signing its webhooks, the REST API and the SSE stream.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, ConsentEntry, ConsentState } from '@switchboard/core';
import type { HostMessage } from '@switchboard/host';
import type { DeadLetter } from '@switchboard/host/testing';
import { API_KEY, OTHER_KEY, eventually, readEvents, startHost, type RunningHost } from './support/host-harness.js';

let h: RunningHost | undefined;
afterEach(async () => { await h?.stop(); h = undefined; });

type List<T> = { items: T[] };

async function conversations(x: RunningHost, key = API_KEY): Promise<Conversation[]> {
  return (await x.api<List<Conversation>>('/v1/conversations', { key })).body.items;
}
async function messagesOf(x: RunningHost, conversationId: string): Promise<HostMessage[]> {
  return (await x.api<List<HostMessage>>(`/v1/conversations/${conversationId}/messages`)).body.items;
}

describe('host ingress (Acme test connector)', () => {
  it('stores a signed webhook as a conversation and message, visible in the API and on the event stream', async () => {
    h = await startHost();
    const x = h;
    const events = await readEvents(`${x.url}/v1/events?streams=inbound,conversation`, API_KEY, 2, async () => {
      const res = await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-100', text: 'Hello there', name: 'Ann' }));
      expect(res.status).toBe(200);
    });
    expect(events.map((e) => e.event).sort()).toEqual(['conversation', 'inbound']);
    const inbound = events.find((e) => e.event === 'inbound')!.data as { message: HostMessage; contact: { profile: { name: string } } };
    expect(inbound.message.content).toEqual({ type: 'text', text: 'Hello there' });
    expect(inbound.contact.profile.name).toBe('Ann');

    const [conversation] = await conversations(x);
    expect(conversation).toMatchObject({ address: { channel: 'acme', accountId: 'acme-account-1', userId: 'u-100' }, status: 'open' });
    expect(conversation!.lastInboundAt).toBeDefined();
    const messages = await messagesOf(x, conversation!.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ direction: 'inbound', content: { type: 'text', text: 'Hello there' }, channel: 'acme' });
    // another tenant sees none of it
    expect(await conversations(x, OTHER_KEY)).toEqual([]);
    expect((await x.api(`/v1/conversations/${conversation!.id}`, { key: OTHER_KEY })).status).toBe(404);
  });

  it('answers 401 to a bad signature and stores nothing', async () => {
    h = await startHost();
    const good = h.fake.userMessage({ userId: 'u-1', text: 'hi' });
    const tampered = { ...good, body: Buffer.from(good.body.toString().replace('hi', 'ho')) };
    const res = await h.fake.deliver(h.webhookUrl, tampered);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'WEBHOOK_VERIFICATION_FAILED', message: 'webhook signature verification failed' } });
    const unsigned = await fetch(h.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: good.body });
    expect(unsigned.status).toBe(401);
    await h.host.processor.idle();
    expect(await h.host.stores.inbox.counts('t1')).toEqual({ pending: 0, processing: 0, done: 0, failed: 0 });
    expect(await conversations(h)).toEqual([]);
    expect((await h.api<List<DeadLetter>>('/v1/dead-letters')).body.items).toEqual([]);
  });

  it('keeps one message when the same webhook arrives twice, and when it arrives concurrently', async () => {
    h = await startHost();
    const x = h;
    const once = x.fake.userMessage({ userId: 'u-2', text: 'duplicate me', messageId: 'm-dup-1' });
    expect((await x.fake.deliver(x.webhookUrl, once)).status).toBe(200);
    expect((await x.fake.deliver(x.webhookUrl, once)).status).toBe(200);
    const burst = x.fake.userMessage({ userId: 'u-2', text: 'burst', messageId: 'm-dup-2' });
    const answers = await Promise.all(Array.from({ length: 12 }, () => x.fake.deliver(x.webhookUrl, burst)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    await x.host.processor.idle();
    const [conversation] = await conversations(x);
    const messages = await messagesOf(x, conversation!.id);
    expect(messages.map((m) => m.externalId)).toEqual(['m-dup-1', 'm-dup-2']);
    expect(x.host.ingress.stats).toMatchObject({ accepted: 2, duplicates: 12 });
  });

  it('dead-letters a signed payload that does not parse, answers 200, and shows it in the API', async () => {
    h = await startHost();
    const res = await h.fake.deliver(h.webhookUrl, h.fake.signed({ account: 'acme-account-1', events: 'not-a-list' }));
    expect(res.status).toBe(200);
    const res2 = await h.fake.deliver(h.webhookUrl, h.fake.signedRaw(Buffer.from('{"truncated":')));
    expect(res2.status).toBe(200);
    const letters = (await h.api<List<DeadLetter>>('/v1/dead-letters')).body.items;
    expect(letters).toHaveLength(2);
    const first = letters.find((l) => l.reason.includes('events'))!;
    expect(first).toMatchObject({ channel: 'acme', account: 'main', code: 'MALFORMED_PAYLOAD' });
    expect(JSON.parse(Buffer.from(first.rawBody, 'base64').toString())).toEqual({ account: 'acme-account-1', events: 'not-a-list' });
    expect((await h.api(`/v1/dead-letters/${first.id}`)).body).toMatchObject({ id: first.id });
    expect((await h.api<List<DeadLetter>>('/v1/dead-letters', { key: OTHER_KEY })).body.items).toEqual([]);
    expect(await conversations(h)).toEqual([]);
  });

  it('records an opt-out for a STOP keyword (in any default language) and lifts it with START', async () => {
    h = await startHost();
    const x = h;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-3', text: 'Hi', timestamp: new Date(Date.now() - 3000) }));
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-3', text: 'STOP', timestamp: new Date(Date.now() - 2000) }));
    const [conversation] = await eventually(async () => { const c = await conversations(x); return c.length ? c : undefined; });
    const consentUrl = `/v1/contacts/${conversation!.contactId}/consent`;
    const after = await eventually(async () => {
      const b = (await x.api<{ history: ConsentEntry[]; state: Record<string, ConsentState> }>(consentUrl)).body;
      return b.history.length ? b : undefined;
    });
    expect(after.history).toMatchObject([{ action: 'opt-out', channel: 'acme', scope: 'all-channels', evidence: { source: 'keyword', text: 'STOP' } }]);
    expect(after.state.acme!.revocations.map((r) => r.purpose).sort()).toEqual(['marketing', 'transactional']);

    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-3', text: 'Démarrer!', timestamp: new Date(Date.now() - 1000) }));
    const lifted = await eventually(async () => {
      const b = (await x.api<{ history: ConsentEntry[]; state: Record<string, ConsentState> }>(consentUrl)).body;
      return b.history.length >= 3 ? b : undefined;
    });
    expect(lifted.state.acme!.revocations).toEqual([]);
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-3', text: 'abmelden' }));
    await eventually(async () => (await x.api<{ history: ConsentEntry[] }>(consentUrl)).body.history.length === 4);
  });

  it('applies receipts arriving out of order so the final status is right', async () => {
    h = await startHost();
    const x = h;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-4', text: 'order status?' }));
    const [conversation] = await eventually(async () => { const c = await conversations(x); return c.length ? c : undefined; });
    const queued = await x.api<{ id: string; status: string }>(`/v1/conversations/${conversation!.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'It ships today' }) });
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    // the dispatcher (outbound path) records the platform's id once sent
    await x.host.stores.messages.update('t1', queued.body.id, { externalId: 'acme-out-77' });
    const at = (s: number) => new Date(Date.now() - 10_000 + s * 1000);
    for (const [status, t] of [['read', 3], ['sent', 1], ['delivered', 2], ['failed', 4]] as const) {
      expect((await x.fake.deliver(x.webhookUrl, x.fake.statusUpdate({ userId: 'u-4', externalId: 'acme-out-77', status, timestamp: at(t) }))).status).toBe(200);
    }
    await x.host.processor.idle();
    const message = await eventually(async () => (await messagesOf(x, conversation!.id)).find((m) => m.id === queued.body.id && m.status === 'read'));
    expect(message.statusHistory!.map((s) => s.status)).toEqual(['queued', 'read']);
  });

  it('applies a receipt that overtakes the send once the external id is known', async () => {
    h = await startHost();
    const x = h;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-5', text: 'hello' }));
    const [conversation] = await eventually(async () => { const c = await conversations(x); return c.length ? c : undefined; });
    const queued = await x.api<{ id: string }>(`/v1/conversations/${conversation!.id}/messages`, { method: 'POST', body: JSON.stringify({ content: { type: 'text', text: 'hi!' } }) });
    // the dispatcher has recorded the platform's id before the test gives the message another one
    // (it used to sleep 60 ms and hope the send was done: a slower send overwrote the test's id)
    await eventually(async () => (await messagesOf(x, conversation!.id)).find((m) => m.id === queued.body.id && m.status === 'sent'));
    await x.fake.deliver(x.webhookUrl, x.fake.statusUpdate({ userId: 'u-5', externalId: 'acme-out-late', status: 'delivered' }));
    // the receipt has been handled once while no message had its id
    await x.host.processor.idle();
    await x.host.stores.messages.update('t1', queued.body.id, { externalId: 'acme-out-late' });
    await eventually(async () => (await messagesOf(x, conversation!.id)).find((m) => m.id === queued.body.id && m.status === 'delivered'));
  });

  it('orders a conversation by platform time, not arrival, and keeps lastInboundAt at the latest', async () => {
    h = await startHost();
    const x = h;
    const t0 = Date.now() - 60_000;
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-6', text: 'second', timestamp: new Date(t0 + 2000) }));
    await x.host.processor.idle();
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: 'u-6', text: 'first', timestamp: new Date(t0 + 1000) }));
    await x.host.processor.idle();
    const [conversation] = await conversations(x);
    const texts = (await messagesOf(x, conversation!.id)).map((m) => (m.content as { text: string }).text);
    expect(texts).toEqual(['first', 'second']);
    expect(new Date(conversation!.lastInboundAt!).getTime()).toBe(t0 + 2000);
  });

  it('refuses bodies over 3 MB with 413, by declared length and while streaming', async () => {
    h = await startHost();
    const { port } = new URL(h.url);
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/acme/main', method: 'POST', headers: { 'content-length': String(4 * 1024 * 1024), 'content-type': 'application/json' } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.write('{"a":"');
    });
    expect(declared).toBe(413);
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/webhooks/acme/main', method: 'POST', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        // the host closes the connection right after answering: 'close' may come instead of 'end'
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('close', () => resolve({ status: res.statusCode!, body }));
        res.on('error', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', () => { /* the host drops the connection after answering */ });
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 16 && req.write(chunk)) sent++;
        if (sent < 16) req.once('drain', () => { sent++; pump(); });
      };
      pump();
      // a limit, not a measurement: a loaded machine may be slow to stream 4 MB
      setTimeout(() => reject(new Error('no answer')), 30_000).unref();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(h.host.ingress.stats.tooLarge).toBe(2);
    expect(await conversations(h)).toEqual([]);
  });

  it('answers handshakes on GET, 404 for unknown accounts, 405 for other methods', async () => {
    h = await startHost();
    const hs = await fetch(`${h.webhookUrl}?acme.challenge=abc`);
    expect(hs.status).toBe(200);
    expect(await hs.text()).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(h.webhookUrl)).status).toBe(405);
    expect((await fetch(`${h.url}/webhooks/acme/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${h.url}/webhooks/acme/main`, { method: 'PUT', body: '{}' })).status).toBe(405);
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { ManualClock, silentLogger, type Contact } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactContextSchema, type ContactContextProvider } from './contact-context.js';
import { CachedContactContextService } from './contact-context-service.js';
import { endpointUrlProblem, httpsContextProvider, signContextRequest, verifyContextSignature } from './https-context-provider.js';

const contact: Contact = {
  id: 'k1', tenantId: 'shop', addresses: [{ channel: 'whatsapp', accountId: 'wa1', userId: '41790000001' }], profile: { name: 'Ann' }, crmRef: 'CRM-1',
  createdAt: new Date(0), updatedAt: new Date(0),
};
const context = { displayName: 'Ann Muster', customerId: 'C-1001', attributes: { tier: 'gold' }, orders: [{ id: 'J-7', title: 'Service VW Golf', status: 'in progress', url: 'https://crm.example/jobs/J-7' }] };

describe('CachedContactContextService', () => {
  const setup = (provider: ContactContextProvider | undefined, options = {}) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 9));
    return { clock, service: new CachedContactContextService(provider, { clock, logger: silentLogger }, { ttlMs: 60_000, failureTtlMs: 10_000, ...options }) };
  };

  it('asks the provider once per TTL on the host clock, with the contact\'s addresses, name and CRM reference', async () => {
    const asked: unknown[] = [];
    const { clock, service } = setup((q) => { asked.push(q); return context; });
    expect(await service.get(contact)).toMatchObject({ status: 'found', context });
    expect(asked).toEqual([{ tenantId: 'shop', contactId: 'k1', addresses: contact.addresses, name: 'Ann', crmRef: 'CRM-1' }]);
    clock.advance(59_999);
    await service.get(contact);
    expect(asked).toHaveLength(1);
    clock.advance(1);
    await service.get(contact);
    expect(asked).toHaveLength(2);
    await service.get(contact, { refresh: true });
    expect(asked).toHaveLength(3);
    service.forget('shop', 'k1');
    await service.get(contact);
    expect(asked).toHaveLength(4);
  });

  it('one call at a time per contact', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { service } = setup(async () => { calls++; await gate; return context; });
    const all = Promise.all([service.get(contact), service.get(contact), service.get(contact)]);
    release();
    expect((await all).map((r) => r.status)).toEqual(['found', 'found', 'found']);
    expect(calls).toBe(1);
  });

  it('never throws: a failing provider, an invalid answer, an unknown contact; a failure is kept for the failure TTL', async () => {
    let answer: () => unknown = () => { throw new Error('CRM down'); };
    const { clock, service } = setup(() => answer());
    expect(await service.get(contact)).toMatchObject({ status: 'unavailable', reason: 'CRM down' });
    answer = () => context;
    clock.advance(9_999);
    expect((await service.get(contact)).status).toBe('unavailable');
    clock.advance(1);
    expect((await service.get(contact)).status).toBe('found');
    answer = () => ({ displayName: 'x', secretField: 1 });
    expect(await service.get(contact, { refresh: true })).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/invalid answer/) });
    answer = () => ({ orders: [{ id: 'o', title: 't', url: 'javascript:alert(1)' }] });
    expect(await service.get(contact, { refresh: true })).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/orders\.0\.url/) });
    answer = () => undefined;
    expect((await service.get(contact, { refresh: true })).status).toBe('unknown');
    answer = () => Promise.reject(new TypeError('fetch failed'));
    expect((await service.get(contact, { refresh: true })).status).toBe('unavailable');
  });

  it('answers not-configured without a provider', async () => {
    expect(await setup(undefined).service.get(contact)).toEqual({ status: 'not-configured' });
  });

  it('keeps at most maxEntries contacts', async () => {
    let calls = 0;
    const { service } = setup(() => { calls++; return context; }, { maxEntries: 2 });
    for (const id of ['a', 'b', 'c', 'a']) await service.get({ ...contact, id });
    expect(calls).toBe(4); // a was pushed out by c
  });
});

describe('ContactContextSchema', () => {
  it('never throws, whatever a provider answers (property)', () => {
    fc.assert(fc.property(fc.anything(), (v) => { ContactContextSchema.safeParse(v); return true; }));
  });
  it('accepts what it declares and nothing else', () => {
    expect(ContactContextSchema.safeParse(context).success).toBe(true);
    expect(ContactContextSchema.safeParse({ ...context, orders: Array.from({ length: 21 }, (_, i) => ({ id: `${i}`, title: 't' })) }).success).toBe(false);
    expect(ContactContextSchema.safeParse({ attributes: { a: { nested: true } } }).success).toBe(false);
    expect(ContactContextSchema.safeParse({ displayName: 'x'.repeat(201) }).success).toBe(false);
  });
});

describe('the HTTPS endpoint provider', () => {
  let server: Server;
  let base: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const SECRET = 'crm-endpoint-secret-0123456789';
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (req.url === '/hang') return; // never answers
        if (req.url === '/unknown') { res.writeHead(404).end(); return; }
        if (req.url === '/broken') { res.writeHead(500).end('oops'); return; }
        if (req.url === '/not-json') { res.writeHead(200, { 'content-type': 'application/json' }).end('<html>'); return; }
        if (req.url === '/huge') { res.writeHead(200).end(JSON.stringify({ displayName: 'x'.repeat(300_000) })); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(context));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

  const clock = new ManualClock(Date.UTC(2026, 11, 6, 9));
  const provider = (path: string, timeoutMs = 5_000) => httpsContextProvider({ url: `${base}${path}`, secret: SECRET, timeoutMs }, { clock });
  const signal = new AbortController().signal;
  const query = { tenantId: 'shop', contactId: 'k1', addresses: contact.addresses, name: 'Ann' };

  it('POSTs the query as JSON, signed over the timestamp and the exact body', async () => {
    expect(await provider('/ok')(query, { signal })).toEqual(context);
    const { headers, body } = received.at(-1)!;
    expect(JSON.parse(body)).toEqual(query);
    expect(headers['content-type']).toBe('application/json');
    const t = Math.floor(clock.now() / 1000);
    expect(headers['switchboard-signature']).toBe(signContextRequest(SECRET, t, body));
    expect(verifyContextSignature(SECRET, String(headers['switchboard-signature']), body, t)).toBe(true);
    expect(verifyContextSignature(SECRET, String(headers['switchboard-signature']), `${body} `, t)).toBe(false);
    expect(verifyContextSignature('another-secret-0123456789', String(headers['switchboard-signature']), body, t)).toBe(false);
    expect(verifyContextSignature(SECRET, String(headers['switchboard-signature']), body, t + 301)).toBe(false);
  });

  it('reads 404 as an unknown contact and refuses other answers', async () => {
    expect(await provider('/unknown')(query, { signal })).toBeUndefined();
    await expect(provider('/broken')(query, { signal })).rejects.toThrow(/answered 500/);
    await expect(provider('/not-json')(query, { signal })).rejects.toThrow(/not JSON/);
    await expect(provider('/huge')(query, { signal })).rejects.toThrow(/larger than/);
  });

  it('gives up on an endpoint that never answers (the service reports it unavailable)', async () => {
    const service = new CachedContactContextService(provider('/hang', 200), { clock, logger: silentLogger });
    expect(await service.get(contact)).toMatchObject({ status: 'unavailable', reason: 'timed out' });
  });

  it('takes https URLs, http only on a loopback host', () => {
    expect(endpointUrlProblem('https://crm.example/context')).toBeUndefined();
    expect(endpointUrlProblem('http://127.0.0.1:8080/x')).toBeUndefined();
    expect(endpointUrlProblem('http://crm.example/context')).toMatch(/https/);
    expect(endpointUrlProblem('https://user:pw@crm.example/')).toMatch(/credentials/);
    expect(endpointUrlProblem('not a url')).toMatch(/absolute/);
    expect(() => httpsContextProvider({ url: 'http://crm.example', secret: SECRET }, { clock })).toThrow(/https/);
  });
});

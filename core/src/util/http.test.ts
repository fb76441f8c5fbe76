import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeProviderRequest, parseRetryAfter, ProviderHttpError, ProviderNetworkError } from '../index.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
let server: Server;
let base = '';
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      switch (req.url) {
        case '/ok': res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1' }).end('{"messages":[{"id":"wamid.1"}]}'); break;
        case '/text': res.writeHead(201, { 'content-type': 'text/plain' }).end('created'); break;
        case '/empty': res.writeHead(204).end(); break;
        case '/bad': res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"fbtrace_id":"A1"}}'); break;
        case '/limited': res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' }).end('{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}'); break;
        case '/down': res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>'); break;
        case '/reset': req.socket.destroy(); break;
        case '/slow': break; // never answers: only the client's timeout ends the request
        default: res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('executeProviderRequest against a real HTTP server', () => {
  it('sends JSON and returns the parsed 2xx answer with headers', async () => {
    const res = await executeProviderRequest({ method: 'POST', url: `${base}/ok`, headers: { authorization: 'Bearer t' }, body: { to: '4915112345678', type: 'text' } });
    expect(res).toEqual({ status: 200, body: { messages: [{ id: 'wamid.1' }] }, headers: expect.objectContaining({ 'x-request-id': 'r1', 'content-type': 'application/json' }) });
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(req.body)).toEqual({ to: '4915112345678', type: 'text' });
  });
  it('sends string and Buffer bodies as they are, and keeps a given content-type', async () => {
    await executeProviderRequest({ method: 'POST', url: `${base}/text`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' });
    expect(seen.at(-1)).toMatchObject({ body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const res = await executeProviderRequest({ method: 'PUT', url: `${base}/text`, headers: {}, body: Buffer.from([0x68, 0x69]) });
    expect(seen.at(-1)!.body).toBe('hi');
    expect(res.body).toBe('created');
  });
  it('a GET without body and an empty answer', async () => {
    const res = await executeProviderRequest({ method: 'GET', url: `${base}/empty`, headers: {} });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(seen.at(-1)!.headers['content-type']).toBeUndefined();
  });
  it('a 4xx becomes ProviderHttpError with the parsed body and headers, not retryable', async () => {
    const e = await executeProviderRequest({ method: 'POST', url: `${base}/bad`, headers: {}, body: {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderHttpError);
    const err = e as ProviderHttpError;
    expect(err.status).toBe(400);
    expect(err.body).toEqual({ error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'A1' } });
    expect(err.headers['content-type']).toBe('application/json');
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('PROVIDER_HTTP_ERROR');
  });
  it('a 429 is retryable and keeps retry-after; a 5xx keeps its text body', async () => {
    const limited = await executeProviderRequest({ method: 'POST', url: `${base}/limited`, headers: {} }).catch((x: unknown) => x) as ProviderHttpError;
    expect(limited.retryable).toBe(true);
    expect(limited.headers['retry-after']).toBe('3');
    expect((limited.body as { parameters: { retry_after: number } }).parameters.retry_after).toBe(3);
    const down = await executeProviderRequest({ method: 'GET', url: `${base}/down`, headers: {} }).catch((x: unknown) => x) as ProviderHttpError;
    expect(down.status).toBe(503);
    expect(down.retryable).toBe(true);
    expect(down.body).toBe('<h1>Service Unavailable</h1>');
  });
  it('a reset connection becomes ProviderNetworkError, retryable, with the cause', async () => {
    const e = await executeProviderRequest({ method: 'POST', url: `${base}/reset`, headers: {}, body: {} }).catch((x: unknown) => x) as ProviderNetworkError;
    expect(e).toBeInstanceOf(ProviderNetworkError);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('127.0.0.1');
    expect(e.cause).toBeDefined();
  });
  it('a timeout becomes ProviderNetworkError', async () => {
    // the server never answers, so the request can only end by the client's timeout: the cause says
    // so (it used to be judged by the time taken, < 450 ms, which a loaded machine can exceed)
    const e = await executeProviderRequest({ method: 'GET', url: `${base}/slow`, headers: {} }, { timeoutMs: 100 }).catch((x: unknown) => x) as ProviderNetworkError;
    expect(e).toBeInstanceOf(ProviderNetworkError);
    expect((e.cause as Error).name).toBe('TimeoutError');
  });
  it('a refused connection becomes ProviderNetworkError', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(executeProviderRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} })).rejects.toBeInstanceOf(ProviderNetworkError);
  });
  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => { calls.push(String(input)); return new Response('{"ok":true}', { status: 200 }); };
    const res = await executeProviderRequest({ method: 'GET', url: 'https://api.telegram.org/botX/getMe', headers: {} }, { fetch: fakeFetch });
    expect(res.body).toEqual({ ok: true });
    expect(calls).toEqual(['https://api.telegram.org/botX/getMe']);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Tue, 10 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
  });
  it('never returns a negative delay', () => {
    expect(parseRetryAfter('-5', now)).toBe(0);
    expect(parseRetryAfter('Tue, 10 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('returns undefined when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

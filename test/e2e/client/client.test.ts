/**
 * @switchboard/client against a real sandbox host over HTTP: its generated types match the document
 * the host serves (drift fails here), typed REST calls, the event feed as an async iterator that
 * resumes after the last event (across a dropped connection too), refusals as typed errors, and the
 * CLI's `simulate`, which goes through the client.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { createHost, type Host } from '@switchboard/host';
import { createSandbox, type Sandbox } from '@switchboard/host/testing';
import { createSwitchboardClient, SwitchboardApiError, type SwitchboardEvent } from '@switchboard/client';
import { runCli } from '../../../host/src/cli.js';
// @ts-expect-error -- a plain ES module of the client's build scripts, without declarations
import { renderClientTypes } from '../../../client/scripts/render-types.mjs';

const KEY = 'client-e2e-key-0123456789';
let sandbox: Sandbox;
let host: Host;

beforeAll(async () => {
  sandbox = await createSandbox({ ephemeral: true, packages: ['@switchboard/telegram'], env: { SWITCHBOARD_API_KEY: KEY }, logger: silentLogger, port: 0 });
  host = await createHost(sandbox.config, { logger: silentLogger, ...sandbox.hostOptions });
  await host.listen(0, '127.0.0.1');
});
afterAll(async () => { await host?.stop(); });

/** Has the sandbox's fake Telegram deliver a customer's text. */
async function customerWrites(userId: string, text: string): Promise<void> {
  const sb = createSwitchboardClient({ baseUrl: host.url, apiKey: KEY });
  const { response } = await sb.POST('/sandbox/{channel}/messages', { params: { path: { channel: 'telegram' } }, body: { userId, text } });
  expect(response.status).toBe(202);
}

/** Takes events from an iterator until `count` inbound ones arrived, then stops it. */
async function takeInbound(events: AsyncIterable<SwitchboardEvent>, count: number): Promise<SwitchboardEvent[]> {
  const seen: SwitchboardEvent[] = [];
  for await (const e of events) {
    if (e.event === 'inbound') seen.push(e);
    if (seen.length === count) break;
  }
  return seen;
}

const textOf = (e: SwitchboardEvent): unknown => (e.data as { message: { content: { text?: string } } }).message.content.text;

describe('@switchboard/client', () => {
  it('has the types of the OpenAPI document the host serves (regenerate with `npm run build` when this fails)', async () => {
    const served = await (await fetch(`${host.url}/openapi.json`)).json() as Record<string, unknown>;
    const committed = readFileSync(fileURLToPath(new URL('../../../client/src/openapi-types.ts', import.meta.url)), 'utf8');
    expect(committed === await renderClientTypes(served), 'client/src/openapi-types.ts differs from the served /openapi.json: run `npm run build`').toBe(true);
  });

  it('calls the REST API with typed paths, parameters and answers', async () => {
    await customerWrites('client-1', 'hello from the client test');
    const sb = createSwitchboardClient({ baseUrl: `${host.url}/`, apiKey: KEY });
    const { data, error, response } = await sb.GET('/v1/conversations', { params: { query: { limit: '50' } } });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    const conversation = data!.items.find((c) => c.address.userId === 'client-1');
    expect(conversation).toMatchObject({ address: { channel: 'telegram', userId: 'client-1' } });
    const one = await sb.GET('/v1/conversations/{id}', { params: { path: { id: conversation!.id } } });
    expect(one.data?.id).toBe(conversation!.id);
    const missing = await sb.GET('/v1/conversations/{id}', { params: { path: { id: 'no-such-conversation' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('streams events as an async iterator, and a second iterator resumes after the first one\'s last event', async () => {
    const sb = createSwitchboardClient({ baseUrl: host.url, apiKey: KEY });
    const controller = new AbortController();
    const first = sb.events({ streams: ['inbound'], signal: controller.signal });
    const reading = takeInbound(first, 1);
    // the feed replays what it holds after lastEventId; with none given it starts now, so write once it is open
    await customerWrites('client-2', 'one');
    const [one] = await reading;
    expect(textOf(one!)).toBe('one');
    expect(first.lastEventId).toBe(one!.id);
    await customerWrites('client-2', 'two');
    await customerWrites('client-2', 'three');
    const resumed = sb.events({ streams: ['inbound'], lastEventId: first.lastEventId });
    expect((await takeInbound(resumed, 2)).map(textOf)).toEqual(['two', 'three']);
    controller.abort();
  });

  it('reconnects when the connection drops and resumes with Last-Event-ID: nothing lost, nothing twice', async () => {
    const requests: (string | null)[] = [];
    let cut = true;
    // a fetch that ends the first event stream's body right after its first event, as a dropped connection would
    const dropping = async (input: Request): Promise<Response> => {
      const response = await fetch(input);
      if (!input.url.includes('/v1/events')) return response;
      requests.push(input.headers.get('last-event-id'));
      if (!cut || !response.body) return response;
      cut = false;
      const reader = response.body.getReader();
      let text = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          const { done, value } = await reader.read();
          if (done) { c.close(); return; }
          text += new TextDecoder().decode(value);
          c.enqueue(value);
          if (/event: inbound\n/.test(text) && text.endsWith('\n\n')) { await reader.cancel(); c.close(); }
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const sb = createSwitchboardClient({ baseUrl: host.url, apiKey: KEY, fetch: dropping });
    const stream = sb.events({ streams: ['inbound'], reconnectDelayMs: 0 });
    const reading = takeInbound(stream, 3);
    await customerWrites('client-3', 'a');
    await customerWrites('client-3', 'b');
    await customerWrites('client-3', 'c');
    const got = await reading;
    expect(got.map(textOf)).toEqual(['a', 'b', 'c']);
    expect(new Set(got.map((e) => e.id)).size).toBe(3);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests[0]).toBeNull();
    expect(requests[1]).toBe(String(got[0]!.id));
  });

  it('throws a SwitchboardApiError with the host\'s code when the stream is refused', async () => {
    const sb = createSwitchboardClient({ baseUrl: host.url, apiKey: 'not-a-key-of-this-host-000' });
    const error = await takeInbound(sb.events(), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchboardApiError);
    expect(error).toMatchObject({ status: 401, code: expect.any(String) });
    const bad = createSwitchboardClient({ baseUrl: host.url, apiKey: KEY });
    await expect(takeInbound(bad.events({ streams: ['nonsense'] }), 1)).rejects.toMatchObject({ status: 400 });
  });

  it('is what the CLI\'s simulate uses: its answer and exit code come through the client', async () => {
    const lines: string[] = [];
    expect(await runCli(['simulate', 'telegram', '--from', 'client-4', '--text', 'via the CLI', '--url', host.url, '--api-key', KEY], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^202 \{"delivered":true/);
    const refused: string[] = [];
    expect(await runCli(['simulate', 'telegram', '--from', 'client-4', '--text', 'x', '--url', host.url, '--api-key', 'wrong-key-0123456789abc'], (l) => refused.push(l))).toBe(1);
    expect(refused[0]).toMatch(/^401 \{"error":\{"code":/);
  });
});

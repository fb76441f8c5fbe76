/**
 * Property-based fuzzing through a running host (each connector's parser is also fuzzed on its own,
 * beside its code):
 * - every REST operation the OpenAPI document lists, with arbitrary JSON, near-valid bodies and
 *   path parameters that name nothing: only typed 4xx answers `{ error: { code, message } }`, never a 5xx;
 * - every such operation with hostile shapes: 10,000 levels of nesting (as the body and inside a
 *   near-valid one), 100,000-item arrays, and an unknown key at every level of a valid body —
 *   typed 4xx (an unknown key: 400 naming it by path), never a 5xx, the host alive and serving the
 *   other tenant after;
 * - signed webhooks whose bodies are a genuine delivery with one value replaced by arbitrary JSON:
 *   always 200 (stored, ignored as unsupported or dead-lettered), never a 5xx, on every channel.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PARTY_CHANNELS, signBody } from '../e2e/support/webhook-signing.js';
import { RIVAL_KEY, startChannelsHost, type ChannelsHost } from './support/channels-host.js';

let h: ChannelsHost;
beforeAll(async () => { h = await startChannelsHost(); });
afterAll(async () => { await h?.stop(); });

const RUNS = 150;

/** JSON values of every shape, small enough to run many. */
const json = fc.jsonValue({ maxDepth: 4 });

/** Replaces one value somewhere inside `value` (chosen by `pick`) with `replacement`. */
function replaceOne(value: unknown, pick: number, replacement: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = replacement;
  return copy;
}

interface Operation { method: string; path: string; sample: unknown }

/** A valid-looking body per operation, for near-valid mutations (others start from `{}`). */
const SAMPLES: Record<string, unknown> = {
  'POST /v1/messages': { channel: 'telegram', accountId: 'main', userId: '4919000001', sender: 'bot', purpose: 'service', content: { type: 'text', text: 'hello' } },
  'POST /v1/policy/evaluate': { channel: 'whatsapp', accountId: 'main', userId: '4919000002', sender: 'bot', purpose: 'marketing', content: { type: 'text', text: 'sale' } },
  'POST /v1/notifications': { channel: 'whatsapp', accountId: 'main', recipients: [{ userId: '4919000003', parameters: [{ text: '42' }] }], purpose: 'transactional', topic: 'orders', content: { type: 'template', name: 'order_ready', language: 'en', category: 'utility', parameters: [{ text: '42' }] } },
  'POST /v1/templates': { channel: 'whatsapp', name: 'order_ready', language: 'en', category: 'utility', body: 'Order {{1}} is ready', examples: ['42'] },
  'POST /v1/opt-ins': { purpose: 'marketing', source: 'web-form', channels: [{ channel: 'whatsapp', account: 'main' }], address: { channel: 'whatsapp', userId: '4919000004' }, privacyPolicy: { url: 'https://shop.example/privacy', version: '1' } },
  'POST /v1/agents': { email: 'fuzz@shop.example', name: 'Fuzz', password: 'tram ladder quietly 42', role: 'agent', queues: ['support'] },
  'PUT /v1/console/settings': { quickReplies: [{ title: 'Hours', text: 'Open 9–17' }], knowledgeBase: [{ title: 'Returns', url: 'https://shop.example/returns', keywords: ['refund'] }] },
};

/** The JSON text of `depth` nested arrays (JSON.stringify would overflow the test's own stack). */
const deepArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** The JSON text of `depth` nested objects. */
const deepObjects = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

/** Every object inside `value`, by path (the root is `[]`). */
function objectPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((x, i) => objectPaths(x, [...path, i]));
  if (value && typeof value === 'object') return [path, ...Object.entries(value).flatMap(([k, x]) => objectPaths(x, [...path, k]))];
  return [];
}

/** How the API names a path: `recipients[0].parameters[0].text`. */
const fieldOf = (path: (string | number)[]): string => path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out === '' ? k : `${out}.${k}`), '');

describe('REST API request validation (fuzzed from the OpenAPI document)', () => {
  let operations: Operation[] = [];
  beforeAll(async () => {
    const doc = (await h.api<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>('/openapi.json')).body;
    // webhooks are fuzzed below, signed as each platform signs them; sandbox routes exist only in sandbox mode;
    // the console's routes take an agent's session cookie, not an API key (hardening-console-login.test.ts)
    operations = Object.entries(doc.paths).filter(([path]) => !path.startsWith('/webhooks/') && !path.startsWith('/sandbox/') && !path.startsWith('/console/')).flatMap(([path, methods]) => Object.entries(methods)
      .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
      .map(([method]) => ({ method: method.toUpperCase(), path, sample: SAMPLES[`${method.toUpperCase()} ${path}`] ?? {} })));
  });

  it('lists every state-changing operation', () => {
    expect(operations.length).toBeGreaterThan(15);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(Object.keys(SAMPLES)));
  });

  it('answers arbitrary and near-valid bodies with a typed 4xx (or a success), never a 5xx', async () => {
    const failures: string[] = [];
    const seen = new Map<number, number>();
    await fc.assert(fc.asyncProperty(
      fc.nat(), fc.nat(), json, fc.oneof(json, fc.string({ maxLength: 300 })), fc.boolean(), fc.string({ minLength: 1, maxLength: 40 }),
      async (which, pick, replacement, arbitrary, nearValid, param) => {
        const op = operations[which % operations.length]!;
        const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(param));
        const body = nearValid ? replaceOne(op.sample, pick, replacement) : arbitrary;
        const res = await fetch(`${h.url}${path}`, {
          method: op.method,
          headers: { authorization: `Bearer ${'reliability-suite-key-0123456789'}`, 'content-type': 'application/json', 'idempotency-key': `fuzz-${pick}` },
          body: typeof body === 'string' && !nearValid ? body : JSON.stringify(body),
        });
        const text = await res.text();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status >= 500) { failures.push(`${op.method} ${path} → ${res.status} ${text.slice(0, 200)}`); throw new Error(failures.at(-1)); }
        // a notification every recipient of which was refused is a 422 with per-recipient results (documented)
        const allRefused = op.path === '/v1/notifications' && res.status === 422 && text.startsWith('{"queued":0');
        if (res.status >= 400 && !allRefused) {
          let parsed: { error?: { code?: unknown; message?: unknown } } = {};
          try { parsed = JSON.parse(text) as typeof parsed; } catch { /* reported below */ }
          if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') { failures.push(`${op.method} ${path} → ${res.status} untyped: ${text.slice(0, 200)}`); throw new Error(failures.at(-1)); }
        }
        return true;
      },
    ), { numRuns: RUNS * 8 });
    expect(failures).toEqual([]);
    // the fuzz reached validation (400/422) and got past it (2xx), not only unknown ids (404)
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
    expect([...seen].filter(([status]) => status < 300).reduce((a, [, c]) => a + c, 0)).toBeGreaterThan(0);
  });

  it('answers a body that is not JSON with 400 on every operation', async () => {
    for (const op of operations) {
      const res = await fetch(`${h.url}${op.path.replace(/\{[^}]+\}/g, 'x')}`, {
        method: op.method, headers: { authorization: `Bearer reliability-suite-key-0123456789`, 'content-type': 'application/json' }, body: '{"channel": "telegram",',
      });
      expect({ op: `${op.method} ${op.path}`, status: res.status }).toEqual({ op: `${op.method} ${op.path}`, status: 400 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_JSON');
    }
  });
  /** Sends raw JSON text to an operation; returns status and parsed body. */
  const send = async (op: Operation, text: string, id = 'x'): Promise<{ status: number; body: { error?: { code?: unknown; message?: unknown; details?: { problems?: { field: string }[] } } } }> => {
    const res = await fetch(`${h.url}${op.path.replace(/\{[^}]+\}/g, id)}`, {
      method: op.method, headers: { authorization: 'Bearer reliability-suite-key-0123456789', 'content-type': 'application/json' }, body: text,
    });
    const raw = await res.text();
    let body: object;
    try { body = raw ? JSON.parse(raw) as object : {}; } catch { body = { raw: raw.slice(0, 200) }; }
    return { status: res.status, body };
  };
  const hostStillServes = async (): Promise<void> => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await h.api('/v1/conversations?limit=1', { key: RIVAL_KEY })).status).toBe(200);
  };

  it('answers 10,000 levels of nesting (the body, and inside a near-valid body) with a typed 4xx on every operation', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const sample = JSON.stringify(op.sample);
      const bodies = [deepArrays(10_000), deepObjects(10_000), sample === '{}' ? `{"deep":${deepObjects(10_000)}}` : sample.replace(/:("[^"]*"|\d+)/, `:${deepObjects(10_000)}`)];
      for (const text of bodies) {
        const { status, body } = await send(op, text);
        if (status >= 500 || status < 400 || typeof body.error?.code !== 'string') failures.push(`${op.method} ${op.path} → ${status} ${JSON.stringify(body).slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    await hostStillServes();
  });

  it('answers 100,000-item arrays (the body, and as a value of a near-valid body) with a typed 4xx on every operation', async () => {
    const long = `[${Array.from({ length: 100_000 }, () => '"x"').join(',')}]`;
    const failures: string[] = [];
    for (const op of operations) {
      const sample = JSON.stringify(op.sample);
      const bodies = [long, sample === '{}' ? `{"items":${long}}` : sample.replace(/:("[^"]*"|\d+)/, `:${long}`)];
      for (const text of bodies) {
        const { status, body } = await send(op, text);
        if (status >= 500 || status < 400 || typeof body.error?.code !== 'string') failures.push(`${op.method} ${op.path} → ${status} ${JSON.stringify(body).slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    await hostStillServes();
  });

  it('answers an unknown key at every level of a valid body with 400 naming it (and a typed 4xx on every other operation)', async () => {
    const failures: string[] = [];
    let named = 0;
    for (const op of operations) {
      for (const path of objectPaths(op.sample)) {
        const copy = structuredClone(op.sample) as Record<string | number, unknown>;
        let at = copy;
        for (const key of path) at = at[key] as Record<string | number, unknown>;
        at.unexpectedKey = 'x';
        const { status, body } = await send(op, JSON.stringify(copy));
        const field = fieldOf([...path, 'unexpectedKey']);
        if (status >= 500 || status < 400 || typeof body.error?.code !== 'string') failures.push(`${op.method} ${op.path} ${field} → ${status}`);
        else if (SAMPLES[`${op.method} ${op.path}`] !== undefined) {
          // a valid body but for the key: refused by the schema, the key named by its path
          if (status !== 400 || !body.error?.details?.problems?.some((p) => p.field === field)) failures.push(`${op.method} ${op.path} ${field} → ${status} ${JSON.stringify(body).slice(0, 200)}`);
          else named++;
        }
      }
    }
    expect(failures).toEqual([]);
    // every object of every sample body: the top level, content, its parameters, recipients, channels…
    expect(named).toBe(Object.values(SAMPLES).reduce((n, sample) => n + objectPaths(sample).length, 0));
    await hostStillServes();
  });
});

describe.each(FIRST_PARTY_CHANNELS)('signed webhooks with mutated bodies on %s', (channel) => {
  it('always answers 200 and keeps serving', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.nat(), json, async (pick, replacement) => {
      const genuine = h.fakes[channel].userMessage({ userId: `4919${FIRST_PARTY_CHANNELS.indexOf(channel)}${String(++n).padStart(6, '0')}`, text: 'fuzz' });
      const body = Buffer.from(JSON.stringify(replaceOne(JSON.parse(genuine.body.toString('utf8')), pick, replacement)));
      const res = await fetch(h.webhookUrl(channel), { method: 'POST', headers: signBody(channel, h.configs[channel].main, body, genuine.headers), body });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }), { numRuns: RUNS });
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

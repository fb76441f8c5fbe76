/**
 * Property-based fuzzing through a running host (each connector's parser is also fuzzed on its own,
 * beside its code):
 * - every REST operation the OpenAPI document lists, with arbitrary JSON, near-valid bodies and
 *   path parameters that name nothing: only typed 4xx answers `{ error: { code, message } }`, never a 5xx;
 * - signed webhooks whose bodies are a genuine delivery with one value replaced by arbitrary JSON:
 *   always 200 (stored, ignored as unsupported or dead-lettered), never a 5xx, on every channel.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PARTY_CHANNELS, signBody } from '../e2e/support/webhook-signing.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

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
  'POST /v1/notifications': { channel: 'whatsapp', accountId: 'main', recipients: [{ userId: '4919000003' }], purpose: 'transactional', topic: 'orders', content: { type: 'template', template: { name: 'order_ready', language: 'en', parameters: ['42'] } } },
  'POST /v1/templates': { channel: 'whatsapp', name: 'order_ready', language: 'en', category: 'utility', body: 'Order {{1}} is ready' },
};

describe('REST API request validation (fuzzed from the OpenAPI document)', () => {
  let operations: Operation[] = [];
  beforeAll(async () => {
    const doc = (await h.api<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>('/openapi.json')).body;
    // webhooks are fuzzed below, signed as each platform signs them; sandbox routes exist only in sandbox mode
    operations = Object.entries(doc.paths).filter(([path]) => !path.startsWith('/webhooks/') && !path.startsWith('/sandbox/')).flatMap(([path, methods]) => Object.entries(methods)
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
        if (res.status >= 500) { failures.push(`${op.method} ${path} → ${res.status} ${text.slice(0, 200)}`); return false; }
        if (res.status >= 400) {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(typeof parsed.error?.code).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
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

import fc from 'fast-check';
import { Validator } from '@seriousme/openapi-schema-validator';
import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { createSandbox } from '../sandbox.js';
import { buildOpenApi, openApiPath, servedOperations } from './openapi.js';
import { OPERATIONS, withStandardErrors } from './operations.js';
import { ConversationSchema, listOf, OptInDetailSchema, OptInFlowSchema, OptInStartedSchema } from './response-schemas.js';
import { OptInStartSchema, SendMessageBodySchema } from './schemas.js';
import { parseInput } from './validation.js';

// the host knows connectors only as plugins it is handed: so does this test
const { default: telegram, FakeTelegramServer } = await import('@switchboard/telegram');

type Doc = {
  paths: Record<string, Record<string, {
    operationId?: string;
    requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
    responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
  }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const operationsOf = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })));
const sandboxDoc = buildOpenApi({ sandbox: true }) as Doc;

/** Statuses that carry no body: their schema is "no content". */
const BODILESS = new Set(['204', '301', '304']);

/** Every route an Express app mounted, as `METHOD /path` with OpenAPI path parameters. */
function mountedRoutes(app: express.Express): string[] {
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: string };
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of [layer.route.path].flat()) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${openApiPath(prefix + p)}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1, with and without the sandbox', async () => {
    for (const doc of [buildOpenApi(), sandboxDoc]) {
      const result = await new Validator().validate(doc as never);
      expect(result).toEqual({ valid: true });
      expect((doc as { openapi: string }).openapi).toBe('3.1.0');
    }
  });

  it('gives every operation a unique camelCase operationId and every answer a schema (100 %)', () => {
    const ops = operationsOf(sandboxDoc);
    expect(ops.length).toBe(OPERATIONS.length);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id || !/^[a-z][a-zA-Z0-9]+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const answers = ops.flatMap((o) => Object.entries(o.op.responses).map(([status, r]) => ({ where: `${o.method} ${o.path} ${status}`, status, r })));
    const withBody = answers.filter((a) => !BODILESS.has(a.status));
    const withoutSchema = withBody.filter((a) => Object.values(a.r.content ?? {}).length === 0 || Object.values(a.r.content ?? {}).some((c) => c.schema === undefined));
    expect(withoutSchema.map((a) => a.where)).toEqual([]);
    expect(answers.filter((a) => BODILESS.has(a.status) && a.r.content).map((a) => a.where)).toEqual([]);
    // every error answers the shared envelope (a policy refusal is that envelope with its reasons)
    // (not the answers that are reports or a platform's own text: readiness's 503, a notification every
    // recipient of which was refused (422 with the per-recipient results), a connector's handshake refusal,
    // a sandbox delivery the host refused (502))
    const reports = ['get /readyz 503', 'post /v1/notifications 422', 'get /webhooks/{channel}/{account} 403'];
    const errors = withBody.filter((a) => Number(a.status) >= 400 && !reports.includes(a.where) && !a.where.includes('/sandbox/'));
    expect(errors.length).toBeGreaterThan(ops.length);
    for (const e of errors) {
      expect([e.where, JSON.stringify(e.r.content)]).toEqual([e.where, expect.stringMatching(/#\/components\/schemas\/(Error|PolicyDenied)"/)]);
    }
  });

  it('writes no schema by hand: every component and body comes from a zod schema', () => {
    for (const op of OPERATIONS) {
      for (const r of Object.values(withStandardErrors(op))) for (const schema of Object.values(r.content ?? {})) expect(typeof schema.safeParse).toBe('function');
    }
    expect(Object.keys(sandboxDoc.components.schemas)).toEqual(expect.arrayContaining(['Error', 'Content', 'Conversation', 'Message', 'PolicyDenied']));
  });

  it('regression: sender was marked required though it defaults to bot', () => {
    for (const [path, required] of [['/v1/messages', ['purpose']], ['/v1/policy/evaluate', ['content', 'purpose']]] as const) {
      const schema = sandboxDoc.paths[path]!.post!.requestBody!.content['application/json']!.schema as { required?: string[]; properties: Record<string, { default?: unknown }> };
      expect([path, schema.required ?? []]).toEqual([path, required]);
      expect(schema.properties.sender!.default).toBe('bot');
    }
    // and the schema the route validates with agrees: a body without sender is a bot's
    expect(parseInput(SendMessageBodySchema, { channel: 'telegram', accountId: 'main', userId: '1', content: { type: 'text', text: 'hi' }, purpose: 'service' }).sender).toBe('bot');
  });

  it('regression: opt-in channels were documented as objects only though a channel name alone is accepted', () => {
    const schema = sandboxDoc.paths['/v1/opt-ins']!.post!.requestBody!.content['application/json']!.schema as { properties: { channels: { items: { anyOf: { type: string }[] } } } };
    expect(schema.properties.channels.items.anyOf.map((o) => o.type).sort()).toEqual(['object', 'string']);
    expect(parseInput(OptInStartSchema, { purpose: 'marketing', channels: ['telegram', { channel: 'whatsapp', account: 'main' }] }).channels)
      .toEqual([{ channel: 'telegram' }, { channel: 'whatsapp', account: 'main' }]);
  });

  it('regression: a conversation send\'s content was documented without its string form, and notifications\' content as anything', () => {
    const conversation = sandboxDoc.paths['/v1/conversations/{id}/messages']!.post!.requestBody!.content['application/json']!.schema as { properties: { content: { anyOf: Record<string, unknown>[] } } };
    expect(conversation.properties.content.anyOf).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'string' }), { $ref: '#/components/schemas/Content' }]));
    const notification = sandboxDoc.paths['/v1/notifications']!.post!.requestBody!.content['application/json']!.schema as { properties: { content: { properties?: { type?: { const?: string } } } } };
    expect(notification.properties.content.properties?.type?.const).toBe('template');
  });
});

describe('the document of a running host', () => {
  let host: Host;
  let url: string;
  const KEY = 'openapi-test-key-0123456789abcdef';

  beforeAll(async () => {
    const sandbox = await createSandbox({ ephemeral: true, packages: ['@switchboard/telegram'], env: { SWITCHBOARD_API_KEY: KEY }, logger: silentLogger, port: 0 });
    host = await createHost(sandbox.config, { logger: silentLogger, ...sandbox.hostOptions });
    ({ url } = await host.listen(0, '127.0.0.1'));
  });
  afterAll(async () => { await host?.stop(); });

  it('lists exactly the routes the host mounts: none missing, none that does not exist', async () => {
    const doc = await (await fetch(`${url}/openapi.json`)).json() as Doc;
    const documented = operationsOf(doc).map((o) => `${o.method} ${o.path}`);
    const mounted = mountedRoutes(Reflect.get(host, 'app') as express.Express);
    // webhooks are served on the lean path before Express: the ingress owns them
    const lean = documented.filter((r) => r.split(' ')[1]!.startsWith('/webhooks/'));
    expect(lean.length).toBe(2);
    for (const r of lean) expect(host.ingress.owns(r.split(' ')[1]!.replace(/\{[^}]+\}/g, 'x'))).toBe(true);
    expect(mounted.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !mounted.includes(r) && !lean.includes(r))).toEqual([]);
    expect(documented.some((r) => r.includes('/sandbox/'))).toBe(true);
    expect(new Set(documented).size).toBe(servedOperations({ sandbox: true }).length);
  });

  it('answers as its response schema says (no key the document does not name)', async () => {
    const answer = await (await fetch(`${url}/v1/conversations`, { headers: { authorization: `Bearer ${KEY}` } })).json() as unknown;
    expect(listOf(ConversationSchema).parse(answer)).toEqual(answer);
  });

  it('regression: the opt-in answers were documented as a bare flow, though they are { flow, token, links } and { flow, ledger } (the generated client typed them as nothing)', async () => {
    const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const started = await fetch(`${url}/v1/opt-ins`, {
      method: 'POST', headers: auth,
      body: JSON.stringify({ purpose: 'transactional', topic: 'order updates', source: 'checkbox', wording: 'Send me order updates on Telegram', privacyPolicy: { url: 'https://shop.example/privacy', version: '2026-01' }, channels: [{ channel: 'telegram', target: 'shop_updates_bot' }] }),
    });
    const startedBody = await started.json() as { flow: { id: string } };
    expect(startedBody).toMatchObject({ flow: { id: expect.any(String) } });
    expect(started.status).toBe(201);
    expect(OptInStartedSchema.safeParse(startedBody).success).toBe(true);
    expect(OptInFlowSchema.safeParse(startedBody).success).toBe(false);
    const detail = await (await fetch(`${url}/v1/opt-ins/${startedBody.flow.id}`, { headers: auth })).json() as unknown;
    expect(OptInDetailSchema.safeParse(detail).success).toBe(true);
    expect(OptInFlowSchema.safeParse(detail).success).toBe(false);
    const doc = await (await fetch(`${url}/openapi.json`)).json() as Doc;
    const refOf = (path: string, method: 'get' | 'post', status: string): unknown => doc.paths[path]![method]!.responses[status]!.content!['application/json']!.schema;
    expect(refOf('/v1/opt-ins', 'post', '201')).toEqual({ $ref: '#/components/schemas/OptInStarted' });
    expect(refOf('/v1/opt-ins/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/OptInDetail' });
  });
});

describe('POST /v1/messages against its schema', () => {
  const fake = new FakeTelegramServer();
  const KEY = 'openapi-send-key-0123456789abcdef';
  let host: Host;
  let url: string;

  beforeAll(async () => {
    await fake.start();
    host = await createHost(configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [{ id: 'one', apiKeys: [KEY] }],
      connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', tenant: 'one', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger });
    ({ url } = await host.listen(0, '127.0.0.1'));
  });
  afterAll(async () => {
    await host?.stop();
    await fake.stop();
  });

  it('a host without the sandbox does not document the sandbox\'s routes', async () => {
    const doc = await (await fetch(`${url}/openapi.json`)).json() as Doc;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/sandbox'))).toEqual([]);
    expect(doc.paths['/v1/messages']?.post?.operationId).toBe('sendMessage');
  });

  // near-valid bodies: a valid send with one field replaced, removed or added
  const valid = { channel: 'telegram', accountId: 'main', userId: '4242', content: { type: 'text', text: 'Your car is ready' }, purpose: 'service' };
  const field = fc.constantFrom('channel', 'accountId', 'userId', 'conversationId', 'content', 'purpose', 'sender', 'topic', 'tag', 'document', 'replyTo', 'x');
  const value = fc.oneof(
    fc.constantFrom('telegram', 'main', '', 'bot', 'agent', 'service', 'marketing', null, 7, true, [], {}),
    fc.string({ maxLength: 300 }),
    fc.record({ type: fc.constantFrom('text', 'image', 'location', 'nope'), text: fc.string({ maxLength: 20 }) }, { requiredKeys: ['type'] }),
  );
  const body = fc.oneof(
    fc.tuple(field, value).map(([k, v]) => ({ ...valid, [k]: v })),
    field.map((k) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== k))),
    fc.anything({ maxDepth: 2 }),
  );

  it('answers 400 exactly when the schema the document is generated from refuses the body (property)', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(fc.asyncProperty(body, async (b) => {
      // what the route receives is JSON: the schema judges the same value
      const text = JSON.stringify(b) ?? 'null';
      const accepted = SendMessageBodySchema.safeParse(JSON.parse(text)).success;
      seen[accepted ? 'accepted' : 'refused'] += 1;
      const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: text });
      const answer = await res.json() as { error?: { code: string } };
      // a top-level value that is not an object or array is refused by the JSON parser itself (BAD_JSON)
      expect([accepted, res.status === 400, answer.error?.code ?? 'none']).toEqual([accepted, !accepted, accepted ? expect.any(String) : expect.stringMatching(/^(VALIDATION_FAILED|BAD_JSON)$/)]);
      expect(res.status).toBeLessThan(500);
    }), { numRuns: 80 });
    // both sides were tried: the property did not hold by never meeting one of them
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});

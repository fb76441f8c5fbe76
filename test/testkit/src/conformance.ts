/**
 * The connector conformance suite. It knows no connector: every difference comes from the plugin's
 * declared capabilities and policy and from the fixtures the connector supplies.
 * @module
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_TYPES, ManualClock, capabilityOf, connectorErrorKind, connectorPluginProblems, isSwitchboardError,
  type Connector, type ConnectorPlugin, type Content, type ContentType, type OutboundMessage, type RawWebhook,
} from '@switchboard/core';
import type { ConformanceFixtures } from './conformance-types.js';
import { checkMediaDeclaration, checkMediaDownload, checkMediaUploadBytes, checkMediaUploadUrl } from './media-conformance.js';
import { checkUnknownPlatformFailures } from './unknown-failure-conformance.js';

/** Default sample content per type; connectors override with `fixtures.samples`. */
export const DEFAULT_SAMPLES: Record<ContentType, Content> = {
  text: { type: 'text', text: 'Your vehicle is being cleaned and will be ready for collection shortly.' },
  image: { type: 'image', media: { url: 'https://example.com/car.jpg', mimeType: 'image/jpeg', caption: 'Your car' } },
  video: { type: 'video', media: { url: 'https://example.com/tour.mp4', mimeType: 'video/mp4' } },
  audio: { type: 'audio', media: { url: 'https://example.com/note.mp3', mimeType: 'audio/mpeg' } },
  document: { type: 'document', media: { url: 'https://example.com/boarding-pass.pdf', mimeType: 'application/pdf', filename: 'boarding-pass.pdf' } },
  sticker: { type: 'sticker', media: { id: 'sticker-1', url: 'https://example.com/sticker.webp', mimeType: 'image/webp' } },
  location: { type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1, München' },
  contacts: { type: 'contacts', contacts: [{ name: 'Service desk', phones: [{ phone: '+4989123456', type: 'WORK' }] }] },
  reply: { type: 'reply', id: 'yes', title: 'Yes' },
  reaction: { type: 'reaction', emoji: '👍', target: 'external-message-1' },
  interactive: {
    type: 'interactive', body: 'Is there anything else?',
    buttons: [{ id: 'status', title: 'Car status' }, { id: 'agent', title: 'Talk to a person' }],
  },
  template: {
    type: 'template', name: 'gate_change', language: 'en_US', category: 'utility',
    parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.',
  },
  rich: { type: 'rich', kind: 'carousel', payload: { items: [{ title: 'Menu', subtitle: 'Snacks' }] }, fallbackText: 'See our menu.' },
};

/** Options that tune the suite (budgets for property runs). */
export interface ConformanceOptions {
  /** fast-check runs for the parser fuzz (default 200). */
  fuzzRuns?: number;
}

function request(body: Buffer, headers: Record<string, string>, query: Record<string, string> = {}): RawWebhook {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  return { method: 'POST', path: '/webhooks', query, headers: { 'content-type': 'application/json', ...lower }, body };
}

function bytesOf(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try { fn(); } catch (e) { thrown = e; }
  expect(thrown, `expected an error with code ${code}`).toBeDefined();
  expect(isSwitchboardError(thrown), `expected a Switchboard error, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

/**
 * Registers the conformance suite for a connector plugin. Call it at the top level of a test file.
 * @param plugin - the plugin under test (default export of the connector package)
 * @param fixtures - samples, signing and documented errors supplied by the connector
 * @param options - suite tuning
 * @example
 * describeConnectorConformance(plugin, { config, sign, signatureHeader: 'x-hub-signature-256', inbound, address, errors });
 */
export function describeConnectorConformance(plugin: ConnectorPlugin, fixtures: ConformanceFixtures, options: ConformanceOptions = {}): void {
  const clock = new ManualClock(Date.now());
  const make = (): Connector => plugin.create(plugin.parseConfig(fixtures.config), { clock });

  describe(`connector conformance: ${plugin.channel}`, () => {
    describe('plugin shape', () => {
      it('is a valid plugin of API version 1', () => {
        expect(connectorPluginProblems(plugin)).toEqual([]);
      });
      it('declares a capability for every content type', () => {
        for (const type of CONTENT_TYPES) expect(['native', 'degraded', 'unsupported']).toContain(capabilityOf(plugin.capabilities, type));
      });
      it('declares a policy for its own channel with documented sources', () => {
        expect(plugin.policy.channel).toBe(plugin.channel);
        expect(plugin.policy.sources.length).toBeGreaterThan(0);
        expect(plugin.policy.text.maxLength).toBeGreaterThan(0);
      });
      it('rejects an empty config with a ConfigError naming a field', () => {
        let thrown: unknown;
        try { plugin.parseConfig({}); } catch (e) { thrown = e; }
        expect((thrown as { code?: string }).code).toBe('CONFIG_INVALID');
        expect(typeof (thrown as { field?: unknown }).field).toBe('string');
      });
      it('binds its connector through module(config)', () => {
        expect(plugin.module(plugin.parseConfig(fixtures.config))).toBeDefined();
      });
      it('creates a connector for its channel', () => {
        expect(make().channel).toBe(plugin.channel);
      });
    });

    describe('handshake', () => {
      const hs = fixtures.handshake;
      if (hs) {
        it('answers a valid subscription handshake', () => {
          const answer = make().handshake({ method: 'GET', path: '/webhooks', query: hs.valid.query, headers: {}, body: Buffer.alloc(0) });
          expect(answer).toEqual({ status: 200, body: hs.valid.expectedBody });
        });
        it('refuses a handshake with a wrong token', () => {
          const answer = make().handshake({ method: 'GET', path: '/webhooks', query: hs.invalid.query, headers: {}, body: Buffer.alloc(0) });
          expect(answer?.status).toBeGreaterThanOrEqual(400);
        });
      }
      it('does not treat a signed event delivery as a handshake', () => {
        const sample = fixtures.inbound[0];
        if (!sample) return;
        const body = bytesOf(sample.body);
        const answer = make().handshake(request(body, { ...sample.headers, ...fixtures.sign(body, 'valid') }, sample.query));
        expect(answer === undefined || answer.status === 200).toBe(true);
      });
    });

    describe('verification', () => {
      const sample = fixtures.inbound[0];
      if (!sample) throw new Error('conformance fixtures need at least one inbound sample');
      const body = bytesOf(sample.body);
      const good = (): Record<string, string> => ({ ...sample.headers, ...fixtures.sign(body, 'valid') });
      const header = fixtures.signatureHeader.toLowerCase();

      it('accepts a correctly signed request', () => {
        expect(() => make().verify(request(body, good(), sample.query))).not.toThrow();
      });
      it('rejects a request without the signature header', () => {
        const headers = good();
        for (const k of Object.keys(headers)) if (k.toLowerCase() === header) delete headers[k];
        expectCode(() => make().verify(request(body, headers, sample.query)), 'WEBHOOK_VERIFICATION_FAILED');
      });
      it('rejects a signature of the wrong length (truncated and extended)', () => {
        const headers = good();
        const key = Object.keys(headers).find((k) => k.toLowerCase() === header)!;
        const value = headers[key]!;
        expectCode(() => make().verify(request(body, { ...headers, [key]: value.slice(0, Math.max(1, value.length - 7)) }, sample.query)), 'WEBHOOK_VERIFICATION_FAILED');
        expectCode(() => make().verify(request(body, { ...headers, [key]: `${value}abc123` }, sample.query)), 'WEBHOOK_VERIFICATION_FAILED');
      });
      const coversBody = fixtures.signatureCoversBody ?? true;
      it.skipIf(!coversBody)('rejects a tampered body (skipped: this channel\'s token does not cover the body)', () => {
        const tampered = Buffer.concat([body, Buffer.from(' ')]);
        const at = Math.floor(body.length / 2);
        tampered[at] = (tampered[at] ?? 0) ^ 0x01;
        expectCode(() => make().verify(request(tampered, good(), sample.query)), 'WEBHOOK_VERIFICATION_FAILED');
      });
      it('rejects a request signed with another secret', () => {
        expectCode(() => make().verify(request(body, { ...sample.headers, ...fixtures.sign(body, 'wrong-secret') }, sample.query)), 'WEBHOOK_VERIFICATION_FAILED');
      });
      it('never throws anything but a verification error on random signatures', () => {
        fc.assert(fc.property(fc.string({ maxLength: 300 }), (sig) => {
          const headers = { ...good(), [header]: sig };
          try { make().verify(request(body, headers, sample.query)); } catch (e) {
            return isSwitchboardError(e) && e.code === 'WEBHOOK_VERIFICATION_FAILED';
          }
          return sig === good()[header] || sig === Object.entries(good()).find(([k]) => k.toLowerCase() === header)?.[1];
        }), { numRuns: 100 });
      });
    });

    describe('parse', () => {
      for (const sample of fixtures.inbound) {
        it(`parses "${sample.name}"`, () => {
          const body = bytesOf(sample.body);
          const req = request(body, { ...sample.headers, ...fixtures.sign(body, 'valid') }, sample.query);
          const connector = make();
          connector.verify(req);
          const events = connector.parse(req);
          expect(events).toHaveLength(sample.expected.length);
          sample.expected.forEach((expected, i) => expect(events[i]).toMatchObject(expected));
          for (const e of events) expect(e.channel).toBe(plugin.channel);
        });
      }
      it('only ever throws MalformedPayloadError on garbage', () => {
        const json = fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
        const mutated = fc.constantFrom(...fixtures.inbound.map((s) => bytesOf(s.body))).chain((b) =>
          fc.tuple(fc.nat(b.length), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => { const c = Buffer.from(b); if (c.length > 0) c[at % c.length] = byte; return c; }));
        const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
        const structural = fc.constantFrom(...fixtures.inbound.map((s) => s.body)).chain((b) => (typeof b === 'object' && b !== null && !Buffer.isBuffer(b)
          ? fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(replaceLeaves(b, v))))
          : fc.constant(bytesOf(b))));
        fc.assert(fc.property(fc.oneof(json, mutated, bytes, structural), (body) => {
          const first = fixtures.inbound[0]!;
          const req = request(body, { ...first.headers, ...fixtures.sign(body, 'valid') }, first.query);
          try {
            const events = make().parse(req);
            return Array.isArray(events);
          } catch (e) {
            return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD';
          }
        }), { numRuns: options.fuzzRuns ?? 200 });
      });
    });

    describe('render', () => {
      for (const type of CONTENT_TYPES) {
        const support = capabilityOf(plugin.capabilities, type);
        const content = fixtures.samples?.[type] ?? DEFAULT_SAMPLES[type];
        const msg: OutboundMessage = {
          id: `conformance-${type}`, to: fixtures.address, content, purpose: 'service', sender: 'bot',
          ...(fixtures.recipientCapabilities ? { recipientCapabilities: fixtures.recipientCapabilities } : {}),
        };
        it(`renders ${type} as declared (${support})`, () => {
          if (support === 'unsupported') {
            expectCode(() => make().render(msg), 'CONTENT_UNSUPPORTED');
            return;
          }
          const req = make().render(msg);
          expect(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).toContain(req.method);
          expect(() => new URL(req.url)).not.toThrow();
          if (support === 'degraded') expect(req.rendering?.form).toBe('degraded');
        });
      }
    });

    describe('classify', () => {
      for (const sample of fixtures.errors) {
        it(`classifies "${sample.name}" as ${sample.expected}`, () => {
          const classified = make().classify(sample.error);
          expect(connectorErrorKind(classified)).toBe(sample.expected);
          expect(isSwitchboardError(classified)).toBe(true);
          if (sample.retryAfterMs !== undefined) expect((classified as { retryAfterMs?: number }).retryAfterMs).toBe(sample.retryAfterMs);
        });
      }
      it('an unknown platform error is classified the same way by every connector (as core\'s classifyUnknownPlatformFailure)', () => {
        checkUnknownPlatformFailures(make());
      });
      it('classifies anything unknown without throwing', () => {
        fc.assert(fc.property(fc.anything(), (value) => {
          const c = make().classify(value);
          return isSwitchboardError(c);
        }), { numRuns: 100 });
      });
    });

    describe('media', () => {
      it('declares media.download exactly when its connector implements downloadMedia', () => {
        checkMediaDeclaration(plugin, fixtures.config);
      });
      // the transfers are checked against the plugin's own fake; a plugin without one cannot be checked here
      const noFake = !plugin.fake;
      if (plugin.media?.download) {
        it.skipIf(noFake)(`downloads a customer's image: the bytes the fake holds (SHA-256), and a permanent failure past maxBytes${noFake ? ' (skipped: the plugin has no fake platform)' : ''}`, async () => {
          await checkMediaDownload(plugin, fixtures.address);
        });
      }
      if (plugin.media?.upload === 'bytes') {
        it.skipIf(noFake)(`uploads a file's bytes, returns a reference the fake holds them under, and sends by that reference without uploading again${noFake ? ' (skipped: the plugin has no fake platform)' : ''}`, async () => {
          await checkMediaUploadBytes(plugin, fixtures.address);
        });
      }
      if (plugin.media?.upload === 'url') {
        it.skipIf(noFake)(`sends a file by URL: the platform fetches it and holds the same bytes${noFake ? ' (skipped: the plugin has no fake platform)' : ''}`, async () => {
          await checkMediaUploadUrl(plugin, fixtures.address);
        });
      }
    });

    if (plugin.fake) {
      describe('fake platform server', () => {
        it('speaks the same protocol as the connector: a sent text is accepted, a user message verifies and parses', async () => {
          const fake = plugin.fake!();
          await fake.start();
          try {
            const connector = plugin.create(plugin.parseConfig(fake.connectorConfig()));
            const userId = fixtures.address.userId;
            const webhook = fake.userMessage({ userId, text: 'Is my car ready?', name: 'Ada' });
            const raw: RawWebhook = { method: 'POST', path: '/webhooks', query: {}, headers: lowerKeys(webhook.headers), body: webhook.body };
            connector.verify(raw);
            const events = connector.parse(raw);
            const message = events.find((e) => e.kind === 'message');
            expect(message).toMatchObject({ kind: 'message', channel: plugin.channel, content: { type: 'text', text: 'Is my car ready?' } });
            const sendTo = message && 'userId' in message && message.userId ? message.userId : userId;
            const accountId = message && 'accountId' in message && message.accountId ? message.accountId : fixtures.address.accountId;
            const out: OutboundMessage = {
              id: 'conformance-send', to: { channel: plugin.channel, accountId, userId: sendTo },
              content: { type: 'text', text: 'Your vehicle is ready.' }, purpose: 'service', sender: 'bot',
            };
            const before = fake.requests.length;
            const result = await connector.send(out);
            expect(result.externalId).toBeTruthy();
            expect(result.acceptedAt).toBeInstanceOf(Date);
            const rendered = connector.render(out);
            const seen = fake.requests.slice(before);
            expect(seen.some((r) => r.method === rendered.method && r.path === new URL(rendered.url).pathname)).toBe(true);
          } finally {
            await fake.stop();
          }
        });
        // optional going-live members: a connector without probe passes (doctor says it cannot check the account)
        const probes = typeof make().probe === 'function';
        it.skipIf(!probes)(`probe proves the fake's credentials: a printable account name, no error${probes ? '' : ' (skipped: the connector has no probe)'}`, async () => {
          const fake = plugin.fake!();
          await fake.start();
          try {
            const connector = plugin.create(plugin.parseConfig(fake.connectorConfig()));
            const probe = await connector.probe!({ signal: new AbortController().signal });
            expect(typeof probe.name).toBe('string');
            expect(probe.name.length).toBeGreaterThan(0);
            for (const v of Object.values(probe.details ?? {})) expect(['string', 'number', 'boolean']).toContain(typeof v);
          } finally {
            await fake.stop();
          }
        });
      });
    }
    const setup = typeof make().webhookSetup === 'function';
    it.skipIf(!setup)(`webhookSetup names the URL to enter${setup ? '' : ' (skipped: the connector has no webhookSetup)'}`, () => {
      const url = 'https://chat.example.com/webhooks/conformance/account';
      const steps = make().webhookSetup!(url);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.some((step) => step.includes(url))).toBe(true);
    });
  });
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Replaces one leaf path of a sample with a random value, keeping the rest of its shape. */
function replaceLeaves(sample: unknown, value: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, i]));
    else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(sample, []);
  const seed = JSON.stringify(value ?? null).length;
  const target = paths[seed % paths.length]!;
  if (target.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(sample)) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of target.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[target[target.length - 1]!] = value;
  return copy;
}

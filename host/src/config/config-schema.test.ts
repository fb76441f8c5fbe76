/**
 * The config checked whole against its schemas: every fault listed with its path, unknown keys
 * refused at every level, and the JSON Schema for editors kept in step with the schema.
 */
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { CONFIG_JSON_SCHEMA_FILE, hostConfigJsonSchemaText, WRITE_CONFIG_JSON_SCHEMA } from './config-json-schema.js';
import { parseHostConfig, resolveSecrets } from './host-config.js';

const KEY = 'a-tenant-api-key-0123456789';

function problemsOf(raw: unknown): { field: string; message: string }[] {
  try {
    parseHostConfig(raw, { baseDir: '/srv/sb' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => ({ ...p }));
  }
  throw new Error('the config was accepted');
}

/** A config that sets every key the schema knows (one variant of each union), so any other key is unknown. */
function everyKey(): Record<string, unknown> {
  return {
    port: 4000, hostname: '127.0.0.1', publicUrl: 'https://hooks.example.com', logLevel: 'warn', sandbox: false,
    store: { kind: 'sqlite', path: 'db/sb.db', synchronous: 'full' },
    pseudonymSalt: 's'.repeat(16), metricsToken: 'm'.repeat(16), optInSecret: 'o'.repeat(16),
    server: {
      headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 1_000, trustProxy: ['loopback'],
      maxBufferedBodyBytes: 1_048_576, maxPendingRequests: 10, retryAfterSeconds: 2, stopDeadlineMs: 1_000,
    },
    streams: { maxClientBufferBytes: 65_536, maxClientsPerTenant: 5, dropGraceMs: 100, maxPendingEvents: 100, retention: { maxEvents: 10, maxAgeMs: 60_000 } },
    media: {
      blobs: { kind: 'directory', path: 'media' },
      limits: { maxBytes: { image: 1, video: 1, audio: 1, document: 1, sticker: 1 }, allowedTypes: { image: ['image/*'], video: ['video/*'], audio: ['audio/*'], document: ['*/*'], sticker: ['image/webp'] } },
      fetch: { concurrencyPerChannel: 2, maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 100, timeoutMs: 1_000 },
      urlFetch: { timeoutMs: 1_000, allowPrivateNetworks: false },
      signedUrlTtlMs: 60_000,
    },
    tenants: [{
      id: 'acme', name: 'Acme', privacyPolicyVersion: 'v1', country: 'DE', timeZone: 'Europe/Berlin',
      apiKeys: [KEY, { key: `${KEY}-2`, scopes: ['read'], name: 'reader' }],
      policy: {
        serviceWindowHours: 12, marketingAllowed: true, broadcastAllowed: false, requireDoubleOptIn: true, maxTextLength: 500,
        quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin', purposes: ['marketing'] },
        consentRequiredFor: ['marketing'], bannedTopics: ['gambling'], restrictedCommerce: ['weapons'], consentScope: 'per-channel',
        rateLimits: [{ scope: 'account', limit: 10, perMs: 1_000, enforcement: 'pace', note: 'n', contentTypes: ['text'], tiers: [20], unlimitedTier: false }],
        contentTypes: ['text'], templateCategories: ['utility'], marketingRequiresVerification: { whatsapp: 'verified' },
        mediaMaxBytes: { image: 1, video: 1, audio: 1, document: 1, sticker: 1 },
        mediaTypes: { image: ['image/png'], video: ['video/mp4'], audio: ['audio/ogg'], document: ['application/pdf'], sticker: ['image/webp'] },
      },
      keywords: { stop: ['STOP'], start: ['START'], importantOnly: ['IMPORTANT'], replaceDefaults: true },
      routing: { rules: [{ match: { channel: 'telegram', account: 'main', keyword: 'agent', pattern: '^hi', tag: 'vip' }, to: { forward: true } }], escalationQueue: 'support' },
      forwarding: { url: 'https://crm.example.com/hook', secret: 'f'.repeat(16), maxAttempts: 2, baseDelayMs: 10, timeoutMs: 1_000 },
      verification: { whatsapp: 'verified' }, retention: { messageDays: 30 },
      media: { maxBytes: { image: 1 }, allowedTypes: { image: ['image/png'] } },
    }],
    connectors: [{ package: '@switchboard/telegram', required: true, accounts: [{ id: 'main', tenant: 'acme', config: { any: 'thing' } }] }],
    bots: { greeter: () => Promise.resolve() },
  };
}

/** Every closed object in a config, by path (maps whose keys are names — bots, account configs, verification levels — are not closed). */
function closedObjects(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => closedObjects(v, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  const last = path.at(-1);
  const isMap = last === 'bots' || last === 'config' || last === 'verification' || last === 'marketingRequiresVerification';
  return [...(isMap ? [] : [path]), ...Object.entries(value).flatMap(([k, v]) => closedObjects(v, [...path, k]))];
}

const dotted = (path: readonly (string | number)[]): string => path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out === '' ? k : `${out}.${k}`), '');

describe('the config is checked whole', () => {
  it('accepts a config that sets every key', () => {
    expect(parseHostConfig(everyKey(), { baseDir: '/srv/sb' }).store).toEqual({ kind: 'sqlite', path: '/srv/sb/db/sb.db', synchronous: 'full' });
  });

  it('regression: a typo hid the other faults — a config with three faults reports all three with their paths', () => {
    const raw = {
      prot: 3000,
      tenants: [{ id: 'acme', apiKeys: ['short'] }],
      connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'main', tenant: 'nobody', config: {} }] }],
    };
    const problems = problemsOf(raw);
    expect(problems.map((p) => p.field)).toEqual(['prot', 'tenants[0].apiKeys[0]', 'connectors[0].accounts[0].tenant']);
    expect(problems).toEqual([
      { field: 'prot', message: expect.stringMatching(/^is not a known key \(expected one of: port, /) },
      { field: 'tenants[0].apiKeys[0]', message: 'must be at least 16 characters' },
      { field: 'connectors[0].accounts[0].tenant', message: 'names no configured tenant ("nobody")' },
    ]);
    try { parseHostConfig(raw, { baseDir: '.' }); } catch (error) {
      expect((error as ConfigError).field).toBe('prot');
      expect((error as ConfigError).message).toContain('3 problems in the configuration');
      expect((error as ConfigError).details).toMatchObject({ field: 'prot', problems });
    }
  });

  it('runs the rules across sections even when a section has faults of its own', () => {
    const problems = problemsOf({
      port: 'eighty',
      tenants: [{ id: 'a', apiKeys: [KEY], routing: { rules: [{ to: { bot: 'nobody' } }] } }, { id: 'b', apiKeys: [KEY] }],
      media: { blobs: { kind: 'gridfs' } },
    });
    expect(problems.map((p) => p.field)).toEqual(['port', 'tenants[0].routing.rules[0].to.bot', 'tenants[1].apiKeys[0]', 'media.blobs.kind']);
  });

  it('judges a value by the alternative of its type (a short key string is "too short", not "neither a string nor an object")', () => {
    expect(problemsOf({ tenants: [{ id: 'a', apiKeys: [{ key: KEY, scopes: ['read', 'write'] }] }] }))
      .toEqual([{ field: 'tenants[0].apiKeys[0].scopes[1]', message: expect.stringMatching(/^must be one of read, /) }]);
    expect(problemsOf({ tenants: [{ id: 'a', apiKeys: [KEY] }], server: { trustProxy: ['loopback', 'everyone'] } }))
      .toEqual([{ field: 'server.trustProxy[1]', message: expect.stringContaining('"everyone" is not an IP address') }]);
  });

  it('refuses an unknown key at any object level, naming its path (property)', () => {
    const targets = closedObjects(everyKey());
    expect(targets.length).toBeGreaterThan(30);
    fc.assert(fc.property(fc.constantFrom(...targets), fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue(), (path, key, value) => {
      const raw = everyKey();
      const target = path.reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, raw);
      fc.pre(!Object.hasOwn(target, key));
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
      const field = dotted([...path, key]);
      expect(problemsOf(raw)).toContainEqual({ field, message: expect.stringMatching(/^is not a known key|^is replaced by/) });
    }), { numRuns: 300 });
  });
});

describe('secret references', () => {
  it('names every key whose variable is unset, not only the first', () => {
    let error: unknown;
    try { resolveSecrets({ metricsToken: { env: 'NO_TOKEN' }, tenants: [{ apiKeys: ['${NO_KEY}', { env: 'SET' }] }] }, { SET: 'x' }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { field: 'metricsToken', message: 'environment variable NO_TOKEN is not set' },
      { field: 'tenants[0].apiKeys[0]', message: 'environment variable NO_KEY is not set' },
    ]);
  });
});

describe('the JSON Schema for editors', () => {
  it('is what the config schema generates (regenerate it when a schema changes)', async () => {
    const checkedIn = await readFile(CONFIG_JSON_SCHEMA_FILE, 'utf8').catch(() => '(missing)');
    expect(checkedIn, `${CONFIG_JSON_SCHEMA_FILE} is stale: run ${WRITE_CONFIG_JSON_SCHEMA}`).toBe(hostConfigJsonSchemaText());
  });

  it('refuses unknown keys and takes a secret reference wherever a string goes', () => {
    const schema = JSON.parse(hostConfigJsonSchemaText()) as { additionalProperties?: unknown; properties: Record<string, { anyOf?: unknown[] }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.hostname!.anyOf).toContainEqual({ $ref: '#/$defs/EnvRef' });
  });
});

describe('regression: a JSON config pointing its editor at the shipped JSON Schema was refused ($schema an unknown key)', () => {
  it('takes $schema at the top level, keeps it out of the validated config, and refuses it elsewhere', () => {
    const raw = { $schema: './node_modules/@switchboard/host/schema/switchboard.config.schema.json', tenants: [{ id: 't', name: 'T', apiKeys: [KEY] }] };
    const config = parseHostConfig(raw, { baseDir: '/srv/sb' });
    expect(config.tenants.map((t) => t.id)).toEqual(['t']);
    expect('$schema' in config).toBe(false);
    expect(problemsOf({ tenants: [{ id: 't', name: 'T', apiKeys: [KEY], $schema: 'x' }] }).map((p) => p.field)).toEqual(['tenants[0].$schema']);
  });
});

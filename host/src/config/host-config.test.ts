import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { parseHostConfig, resolveSecrets } from './host-config.js';
import { loadConfigFile } from './load-config.js';

const KEY = 'a-tenant-api-key-0123456789';
const base = () => ({ tenants: [{ id: 'acme', apiKeys: [KEY] }], connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'main', config: {} }] }] });
const fieldOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(ConfigError); return (e as ConfigError).field; }
  throw new Error('did not throw');
};

describe('host config', () => {
  it('applies defaults', () => {
    const c = parseHostConfig(base(), { baseDir: '/x' });
    expect(c).toMatchObject({ port: 3000, store: { kind: 'sqlite', path: '/x/data/switchboard.db', synchronous: 'normal' }, logLevel: 'info', bots: {}, baseDir: '/x' });
    expect(c.connectors[0]).toMatchObject({ package: '@switchboard/telegram', required: false, accounts: [{ id: 'main', tenant: 'acme', config: {} }] });
  });

  it('keeps its data in a SQLite file by default, resolved from the config directory; memory and MongoDB on request', () => {
    expect(parseHostConfig({ ...base(), store: { kind: 'sqlite', path: 'db/sb.db', synchronous: 'full' } }, { baseDir: '/srv/sb' }).store).toEqual({ kind: 'sqlite', path: '/srv/sb/db/sb.db', synchronous: 'full' });
    expect(parseHostConfig({ ...base(), store: { kind: 'sqlite', path: '/var/lib/sb.db' } }, { baseDir: '/srv/sb' }).store).toEqual({ kind: 'sqlite', path: '/var/lib/sb.db', synchronous: 'normal' });
    expect(parseHostConfig({ ...base(), store: { kind: 'memory' } }, { baseDir: '.' }).store).toEqual({ kind: 'memory' });
    expect(fieldOf(() => parseHostConfig({ ...base(), store: { kind: 'sqlite', synchronous: 'off' } }, { baseDir: '.' }))).toBe('store.synchronous');
    expect(fieldOf(() => parseHostConfig({ ...base(), store: { kind: 'memory', snapshotPath: 'x.json' } }, { baseDir: '.' }))).toBe('store.snapshotPath');
    expect(fieldOf(() => parseHostConfig({ ...base(), store: { kind: 'redis' } }, { baseDir: '.' }))).toBe('store.kind');
  });

  it('limits slow clients by default and lets the server limits be set', () => {
    const limits = { maxBufferedBodyBytes: 64 * 1024 * 1024, maxPendingRequests: 256, retryAfterSeconds: 5, stopDeadlineMs: 5_000 };
    expect(parseHostConfig(base(), { baseDir: '.' }).server).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, ...limits });
    expect(parseHostConfig({ ...base(), server: { headersTimeoutMs: 2_000 } }, { baseDir: '.' }).server).toEqual({ headersTimeoutMs: 2_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, ...limits });
    expect(parseHostConfig({ ...base(), server: { maxBufferedBodyBytes: 1_048_576, maxPendingRequests: 8, retryAfterSeconds: 2, stopDeadlineMs: 2_000 } }, { baseDir: '.' }).server)
      .toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxBufferedBodyBytes: 1_048_576, maxPendingRequests: 8, retryAfterSeconds: 2, stopDeadlineMs: 2_000 });
    // a stop that may take 10 s or more is refused (the deadline is below 10 s)
    expect(() => parseHostConfig({ ...base(), server: { stopDeadlineMs: 10_000 } }, { baseDir: '.' })).toThrow(/stopDeadlineMs/);
    expect(() => parseHostConfig({ ...base(), server: { maxPendingRequests: 0 } }, { baseDir: '.' })).toThrow(/maxPendingRequests/);
    expect(fieldOf(() => parseHostConfig({ ...base(), server: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } }, { baseDir: '.' }))).toBe('server.requestTimeoutMs');
    expect(fieldOf(() => parseHostConfig({ ...base(), server: { idleMs: 1 } }, { baseDir: '.' }))).toBe('server.idleMs');
  });

  it('names the bad key', () => {
    expect(fieldOf(() => parseHostConfig({ ...base(), prot: 1 }, { baseDir: '.' }))).toBe('prot');
    expect(fieldOf(() => parseHostConfig({ ...base(), port: 70000 }, { baseDir: '.' }))).toBe('port');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: ['short'] }] }, { baseDir: '.' }))).toBe('tenants[0].apiKeys[0]');
    expect(fieldOf(() => parseHostConfig({ ...base(), store: { kind: 'mongodb', uri: 'http://x' } }, { baseDir: '.' }))).toBe('store.uri');
    expect(fieldOf(() => parseHostConfig({ ...base(), connectors: [{ package: 'x', accounts: [{ id: 'a b', config: {} }] }] }, { baseDir: '.' }))).toBe('connectors[0].accounts[0].id');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], routing: { rules: [{ to: { bot: 'nobody' } }] } }] }, { baseDir: '.' }))).toBe('tenants[0].routing.rules[0].to.bot');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], routing: { rules: [{ to: { forward: true } }] } }] }, { baseDir: '.' }))).toBe('tenants[0].forwarding');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], forwarding: { url: 'http://crm.example.com/hook', secret: 'x'.repeat(20) } }] }, { baseDir: '.' }))).toBe('tenants[0].forwarding.url');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], policy: { quietHours: { start: '25:00', end: '07:00', timeZone: 'UTC' } } }] }, { baseDir: '.' }))).toBe('tenants[0].policy.quietHours.start');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'a', apiKeys: [KEY] }, { id: 'b', apiKeys: [KEY] }] }, { baseDir: '.' }))).toBe('tenants[1].apiKeys[0]');
    expect(fieldOf(() => parseHostConfig({ ...base(), tenants: [{ id: 'a', apiKeys: [KEY] }, { id: 'b', apiKeys: ['another-key-0123456789'] }] }, { baseDir: '.' }))).toBe('connectors[0].accounts[0].tenant');
  });

  it('resolves { env } and ${NAME} secret references, naming the key when unset', () => {
    const env = { TOKEN: 'abc', SECRET: 's3cr3t' };
    expect(resolveSecrets({ a: { env: 'TOKEN' }, b: 'x-${SECRET}-y', c: [{ env: 'NOPE', default: 'd' }] }, env)).toEqual({ a: 'abc', b: 'x-s3cr3t-y', c: ['d'] });
    expect(fieldOf(() => resolveSecrets({ connectors: [{ accounts: [{ config: { botToken: { env: 'MISSING' } } }] }] }, env))).toBe('connectors[0].accounts[0].config.botToken');
    expect(fieldOf(() => resolveSecrets({ store: { uri: 'mongodb://${MISSING_URI}' } }, env))).toBe('store.uri');
  });

  it('loads .json, .js and .ts config files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-config-'));
    await writeFile(join(dir, 'switchboard.config.json'), JSON.stringify({ ...base(), port: 4001 }));
    expect((await loadConfigFile(join(dir, 'switchboard.config.json'))).port).toBe(4001);
    await writeFile(join(dir, 'a.config.mjs'), `export default ${JSON.stringify({ ...base(), port: 4002 })};`);
    expect((await loadConfigFile(join(dir, 'a.config.mjs'))).port).toBe(4002);
    await writeFile(join(dir, 'switchboard.config.ts'), `
      const bots = { greeter: async (ctx: { reply(t: string): Promise<unknown> }): Promise<void> => { await ctx.reply('hi'); } };
      export default { ...${JSON.stringify(base())}, port: 4003, tenants: [{ id: 'acme', apiKeys: [{ env: 'SB_KEY' }], routing: { rules: [{ to: { bot: 'greeter' } }] } }], bots };
    `);
    const c = await loadConfigFile(join(dir, 'switchboard.config.ts'), { SB_KEY: KEY });
    expect(c.port).toBe(4003);
    expect(c.tenants[0]!.apiKeys).toEqual([KEY]);
    expect(typeof c.bots.greeter).toBe('function');
    expect(c.baseDir).toBe(dir);
    await expect(loadConfigFile(join(dir, 'nope.json'))).rejects.toThrow(/does not exist/);
  });
});

describe('tenant quiet hours take an IANA time zone', () => {
  const quiet = (quietHours: unknown) => () => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], policy: { quietHours } }] }, { baseDir: '.' });
  it('accepts an IANA zone and keeps it', () => {
    const config = quiet({ start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' })();
    expect(config.tenants[0]!.policy?.quietHours).toEqual({ start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' });
  });
  it('regression: a fixed utcOffsetMinutes (an hour wrong for half the year) is refused, naming its replacement', () => {
    expect(fieldOf(quiet({ start: '22:00', end: '07:00', utcOffsetMinutes: 60 }))).toBe('tenants[0].policy.quietHours.utcOffsetMinutes');
    expect(() => quiet({ start: '22:00', end: '07:00', utcOffsetMinutes: 60 })()).toThrow(/timeZone/);
  });
  it('takes the tenant\'s timeZone when quiet hours name none', () => {
    const config = parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], timeZone: 'America/New_York', policy: { quietHours: { start: '21:00', end: '08:00' } } }] }, { baseDir: '.' });
    expect(config.tenants[0]!.policy?.quietHours).toEqual({ start: '21:00', end: '08:00', timeZone: 'America/New_York' });
  });
  it('refuses a missing (no tenant zone either) or unknown zone', () => {
    expect(fieldOf(quiet({ start: '22:00', end: '07:00' }))).toBe('tenants[0].policy.quietHours.timeZone');
    expect(fieldOf(quiet({ start: '22:00', end: '07:00', timeZone: 'CET+1' }))).toBe('tenants[0].policy.quietHours.timeZone');
  });
});

describe('a tenant policy limits the media the business sends', () => {
  const media = (policy: unknown) => () => parseHostConfig({ ...base(), tenants: [{ id: 'acme', apiKeys: [KEY], policy }] }, { baseDir: '.' });
  it('keeps per-kind sizes and types (the policy engine only lets them tighten the channel\'s)', () => {
    expect(media({ mediaMaxBytes: { image: 1_000_000, document: 5_000_000 }, mediaTypes: { image: ['image/jpeg', 'image/png'], document: ['application/pdf'] } })().tenants[0]!.policy)
      .toEqual({ mediaMaxBytes: { image: 1_000_000, document: 5_000_000 }, mediaTypes: { image: ['image/jpeg', 'image/png'], document: ['application/pdf'] } });
  });
  it('names a bad kind, size or type', () => {
    expect(fieldOf(media({ mediaMaxBytes: { picture: 10 } }))).toBe('tenants[0].policy.mediaMaxBytes.picture');
    expect(fieldOf(media({ mediaMaxBytes: { image: 0 } }))).toBe('tenants[0].policy.mediaMaxBytes.image');
    expect(fieldOf(media({ mediaTypes: { image: ['jpeg'] } }))).toBe('tenants[0].policy.mediaTypes.image[0]');
  });
});

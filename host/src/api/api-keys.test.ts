import { describe, expect, it } from 'vitest';
import { parseHostConfig, type HostConfig, type TenantConfig } from '../config/host-config.js';
import { runKeysCommand } from './keys-command.js';
import { DocumentApiKeyStore } from './api-key-store.js';
import { ApiKeyService, configuredKeyWith, digestApiKey, normaliseScopes } from './api-keys.js';
import { API_SCOPES, apiSender, PLAIN_KEY_SCOPES, routeScope, type ApiCaller } from './api-scopes.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import type express from 'express';

const PLAIN = 'plain-config-key-0123456789';
const AGENT = 'agent-config-key-0123456789';
const tenants: TenantConfig[] = [
  { id: 'shop', apiKeys: [PLAIN, { key: AGENT, scopes: ['messages:send', 'messages:send-as-agent'], name: 'helpdesk' }] },
  { id: 'other', apiKeys: ['other-config-key-0123456789'] },
];

function service(now = () => Date.UTC(2026, 0, 1)) {
  const driver = new MemoryDriver();
  const store = new DocumentApiKeyStore(driver);
  return { store, driver, keys: new ApiKeyService({ tenants, store, now }) };
}
const admin = (scopes = PLAIN_KEY_SCOPES): { kind: 'api-key'; caller: ApiCaller } => ({ kind: 'api-key', caller: { keyId: 'config:x', source: 'config', scopes } });

describe('API key scopes', () => {
  it('a plain config key carries every scope but sending as a human', () => {
    expect(PLAIN_KEY_SCOPES).toEqual(API_SCOPES.filter((s) => s !== 'messages:send-as-agent'));
  });

  it('each route names its scope; an undeclared route needs admin', () => {
    expect(routeScope('GET', '/conversations/c1/messages')).toBe('read');
    expect(routeScope('HEAD', '/contacts')).toBe('read');
    expect(routeScope('POST', '/conversations/c1/messages')).toBe('messages:send');
    expect(routeScope('POST', '/messages')).toBe('messages:send');
    expect(routeScope('DELETE', '/contacts/c1')).toBe('compliance:erase');
    expect(routeScope('GET', '/contacts/c1/export')).toBe('compliance:export');
    expect(routeScope('POST', '/conversations/c1/tags')).toBe('conversations:write');
    expect(routeScope('POST', '/api-keys/sb_x/rotate')).toBe('admin');
    expect(routeScope('GET', '/agents')).toBe('admin');
    expect(routeScope('PUT', '/conversations/c1')).toBe('admin');
  });

  it('sender agent needs the agent scope; an omitted sender falls back to bot without it', () => {
    const req = (scopes: ApiCaller['scopes']) => ({ apiKey: { keyId: 'k', source: 'store', scopes } }) as unknown as express.Request;
    expect(() => apiSender(req(['messages:send']), 'agent', 'bot')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', details: { requiredScope: 'messages:send-as-agent' } }));
    expect(apiSender(req(['messages:send']), undefined, 'agent')).toBe('bot');
    expect(apiSender(req(['messages:send']), 'system', 'agent')).toBe('system');
    expect(apiSender(req(['messages:send', 'messages:send-as-agent']), undefined, 'agent')).toBe('agent');
    expect(apiSender(req(['messages:send', 'messages:send-as-agent']), 'agent', 'bot')).toBe('agent');
  });

  it('scopes are checked and put in one order', () => {
    expect(normaliseScopes(['admin', 'read', 'read'])).toEqual(['read', 'admin']);
    expect(() => normaliseScopes([])).toThrow(/at least one/);
    expect(() => normaliseScopes(['read', 'root'])).toThrow(/unknown scope\(s\): root/);
  });

  it('finds a configured key holding given scopes', () => {
    expect(configuredKeyWith(tenants[0]!, 'compliance:erase')).toBe(PLAIN);
    expect(configuredKeyWith(tenants[0]!, 'messages:send-as-agent')).toBe(AGENT);
    expect(configuredKeyWith(tenants[1]!, 'messages:send-as-agent')).toBeUndefined();
  });
});

describe('ApiKeyService', () => {
  it('resolves configured keys to their tenant and scopes', async () => {
    const { keys } = service();
    expect(await keys.resolve(PLAIN)).toMatchObject({ tenant: { id: 'shop' }, caller: { source: 'config', scopes: PLAIN_KEY_SCOPES, keyId: `config:${digestApiKey(PLAIN).slice(0, 12)}` } });
    expect(await keys.resolve(AGENT)).toMatchObject({ caller: { scopes: ['messages:send', 'messages:send-as-agent'] } });
    expect(await keys.resolve('other-config-key-0123456789')).toMatchObject({ tenant: { id: 'other' } });
    expect(await keys.resolve('no-such-key-0123456789')).toBeUndefined();
    expect(await keys.resolve('short')).toBeUndefined();
  });

  it('makes a key shown once and stores only its digest', async () => {
    const { keys, store } = service();
    const made = await keys.create('shop', { scopes: ['read'], name: 'BI export' }, { kind: 'cli' });
    expect(made.key).toMatch(/^sb_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    expect(made.key.startsWith(`${made.record.id}_`)).toBe(true);
    expect(made.record).toEqual({ id: made.record.id, tenantId: 'shop', name: 'BI export', scopes: ['read'], createdAt: new Date(Date.UTC(2026, 0, 1)), createdBy: 'cli' });
    const stored = await store.find(made.record.id);
    expect(stored!.hash).toBe(digestApiKey(made.key));
    expect(JSON.stringify(stored)).not.toContain(made.key.slice(20));
    expect(await keys.resolve(made.key)).toMatchObject({ tenant: { id: 'shop' }, caller: { keyId: made.record.id, source: 'store', scopes: ['read'] } });
    // the id alone, or the id with another secret, is nothing
    expect(await keys.resolve(`${made.record.id}_${'A'.repeat(43)}`)).toBeUndefined();
  });

  it('revokes and rotates: the old key stops at once, the new one works with the same scopes', async () => {
    const { keys } = service();
    const a = await keys.create('shop', { scopes: ['read', 'messages:send'] }, admin());
    const rotated = await keys.rotate('shop', a.record.id, admin());
    expect(rotated.revoked).toMatchObject({ id: a.record.id, replacedBy: rotated.record.id });
    expect(await keys.resolve(a.key)).toBeUndefined();
    expect(await keys.resolve(rotated.key)).toMatchObject({ caller: { scopes: ['read', 'messages:send'] } });
    await expect(keys.rotate('shop', a.record.id, admin())).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await keys.revoke('shop', rotated.record.id)).toMatchObject({ id: rotated.record.id, revokedAt: expect.any(Date) });
    expect(await keys.resolve(rotated.key)).toBeUndefined();
    await expect(keys.revoke('shop', rotated.record.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps tenants apart and leaves configured keys to the config', async () => {
    const { keys } = service();
    const a = await keys.create('shop', { scopes: ['read'] }, { kind: 'cli' });
    await expect(keys.revoke('other', a.record.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(keys.rotate('other', a.record.id, { kind: 'cli' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const { config, stored } = await keys.list('shop');
    expect(config.map((c) => c.name ?? c.id)).toEqual([`config:${digestApiKey(PLAIN).slice(0, 12)}`, 'helpdesk']);
    expect(stored.map((s) => s.id)).toEqual([a.record.id]);
    expect(JSON.stringify(await keys.list('shop'))).not.toMatch(/hash|plain-config-key|agent-config-key/);
    expect((await keys.list('other')).stored).toEqual([]);
    await expect(keys.revoke('shop', config[0]!.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(keys.create('nobody', { scopes: ['read'] }, { kind: 'cli' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an admin key grants only scopes it holds; the CLI grants any', async () => {
    const { keys } = service();
    await expect(keys.create('shop', { scopes: ['messages:send-as-agent'] }, admin())).rejects.toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'messages:send-as-agent' } });
    const human = await keys.create('shop', { scopes: ['messages:send', 'messages:send-as-agent'] }, { kind: 'cli' });
    await expect(keys.rotate('shop', human.record.id, admin())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await keys.resolve(human.key)).toBeDefined();
  });
});

describe('tenants[].apiKeys in the config', () => {
  const KEY = 'config-test-key-0123456789';
  const parse = (apiKeys: unknown[]) => parseHostConfig({ tenants: [{ id: 'acme', apiKeys }], connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'main', config: {} }] }] }, { baseDir: '.' });
  const failure = (apiKeys: unknown[]): { field: unknown; message: string } => {
    try { parse(apiKeys); } catch (error) { return { field: (error as { details?: { field?: unknown } }).details?.field, message: (error as Error).message }; }
    throw new Error('parsed');
  };

  it('takes plain strings and { key, scopes, name }', () => {
    expect(parse([KEY, { key: `${KEY}-2`, scopes: ['read', 'messages:send-as-agent', 'read'], name: 'helpdesk' }]).tenants[0]!.apiKeys)
      .toEqual([KEY, { key: `${KEY}-2`, scopes: ['read', 'messages:send-as-agent'], name: 'helpdesk' }]);
  });

  it('names the bad entry: unknown scope, no scopes, short key, unknown field, a key given twice', () => {
    expect(failure([{ key: KEY, scopes: ['read', 'root'] }]).message).toMatch(/apiKeys\[0\]\.scopes\[1\].*must be one of read, messages:send/);
    expect(failure([{ key: KEY, scopes: [] }]).message).toMatch(/apiKeys\[0\]\.scopes.*at least one scope/);
    expect(failure([{ key: 'short', scopes: ['read'] }]).message).toMatch(/apiKeys\[0\]\.key.*at least 16/);
    expect(failure([KEY, { key: KEY, scopes: ['read'], role: 'x' }]).message).toMatch(/apiKeys\[1\]\.role.*not a known key/);
    expect(failure([`${KEY} with spaces`]).message).toMatch(/apiKeys\[0\].*without spaces/);
    expect(failure([KEY, { key: KEY, scopes: ['read'] }]).message).toMatch(/apiKeys\[1\].*already a key of tenant "acme"/);
    expect(failure([]).message).toMatch(/apiKeys.*at least one key/);
  });
});

describe('switchboard keys', () => {
  const run = async (positional: string[], flags: Record<string, string | true>, store: HostConfig['store'] = { kind: 'memory' }) => {
    const out: string[] = [];
    const code = await runKeysCommand(positional, flags, (l) => out.push(l), async () => ({ tenants, store }) as HostConfig);
    return { code, out: out.join('\n') };
  };

  it('answers usage (exit 2) without an action, a tenant, a key id or scopes', async () => {
    expect(await run([], {})).toMatchObject({ code: 2, out: expect.stringContaining('scopes: read, messages:send, messages:send-as-agent') });
    expect((await run(['create'], {})).code).toBe(2);
    expect(await run(['revoke'], { tenant: 'shop' })).toMatchObject({ code: 2, out: expect.stringContaining('<key id>') });
    expect(await run(['create'], { tenant: 'shop' })).toMatchObject({ code: 2, out: expect.stringContaining('--scopes') });
  });

  it('refuses an in-memory store, where a key would be lost at once', async () => {
    expect(await run(['list'], { tenant: 'shop' })).toMatchObject({ code: 2, out: expect.stringContaining('in memory') });
  });
});

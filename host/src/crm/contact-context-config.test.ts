import { describe, expect, it } from 'vitest';
import { checkHostConfig } from '../config/host-config.js';

const base = { tenants: [{ id: 'shop', apiKeys: ['shop-api-key-0123456789'] }], store: { kind: 'memory' } };
const problems = (contactContext: unknown): string[] => {
  const r = checkHostConfig({ ...base, contactContext }, { baseDir: '/srv' });
  return r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`);
};

describe('the contactContext config section', () => {
  it('takes a provider function or an endpoint, with defaults for the TTLs and the timeout', () => {
    const provider = () => undefined;
    const fn = checkHostConfig({ ...base, contactContext: { provider } }, { baseDir: '/srv' });
    expect(fn.ok && fn.config.contactContext).toEqual({ provider, ttlMs: 300_000, failureTtlMs: 30_000 });
    const ep = checkHostConfig({ ...base, contactContext: { endpoint: { url: 'https://crm.example/context', secret: 'crm-endpoint-secret-0123' }, ttlMs: '60000' } }, { baseDir: '/srv' });
    expect(ep.ok && ep.config.contactContext).toEqual({ endpoint: { url: 'https://crm.example/context', secret: 'crm-endpoint-secret-0123', timeoutMs: 3_000 }, ttlMs: 60_000, failureTtlMs: 30_000 });
  });

  it('refuses both, neither, unknown keys, plain http off loopback, short secrets and out-of-range times', () => {
    expect(problems({})).toEqual([expect.stringMatching(/contactContext\.provider.*either provider/)]);
    expect(problems({ provider: () => undefined, endpoint: { url: 'https://crm.example', secret: 'crm-endpoint-secret-0123' } })).toHaveLength(1);
    expect(problems({ provider: 'crm.js' })[0]).toMatch(/must be a function/);
    expect(problems({ endpoint: { url: 'http://crm.example', secret: 'crm-endpoint-secret-0123' } })[0]).toMatch(/contactContext\.endpoint\.url.*https/);
    expect(problems({ endpoint: { url: 'https://crm.example', secret: 'short' } })[0]).toMatch(/secret.*16/);
    expect(problems({ endpoint: { url: 'https://crm.example', secret: 'crm-endpoint-secret-0123', timeoutMs: 60_000 } })[0]).toMatch(/timeoutMs/);
    expect(problems({ provider: () => undefined, cacheSize: 3 })[0]).toMatch(/cacheSize.*not a known key/);
  });
});

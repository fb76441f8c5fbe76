import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ConsentEntry, type ConsentState, type Contact } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { buildOpenApi } from './openapi.js';

const ALL = 'consent-route-all-channels-key-0123456789';
const PER = 'consent-route-per-channel-key-0123456789';

describe('POST /v1/contacts/:id/consent', () => {
  let host: Host;
  let url: string;
  const contacts: Record<string, Contact> = {};
  const api = async <T>(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() as T };
  };

  beforeAll(async () => {
    host = await createHost(configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [
        { id: 'all', apiKeys: [ALL] },
        { id: 'per', apiKeys: [PER], policy: { consentScope: 'per-channel' } },
      ],
      connectors: [],
    }), { logger: silentLogger });
    ({ url } = await host.listen(0, '127.0.0.1'));
    for (const tenantId of ['all', 'per']) {
      const now = new Date();
      const { contact } = await host.stores.contacts.findOrCreateByAddress(tenantId, { channel: 'whatsapp', accountId: 'main', userId: '4915112345678' },
        () => ({ id: `c-${tenantId}`, tenantId, addresses: [{ channel: 'whatsapp', accountId: 'main', userId: '4915112345678' }], profile: {}, createdAt: now, updatedAt: now }));
      contacts[tenantId] = (await host.stores.contacts.addAddress(tenantId, contact.id, { channel: 'telegram', accountId: 'bot', userId: '777' }))!;
    }
  });
  afterAll(async () => { await host?.stop(); });

  const revokedMarketing = (state: ConsentState): boolean => state.revocations.some((r) => r.purpose === 'marketing');

  it('regression: an opt-out without scope follows the tenant consentScope (default all channels), not its own channel', async () => {
    const id = contacts.all!.id;
    const recorded = await api<ConsentEntry>(ALL, 'POST', `/v1/contacts/${id}/consent`, { action: 'opt-out', purpose: 'marketing', channel: 'whatsapp' });
    expect(recorded.status).toBe(201);
    expect(recorded.body.scope).toBe('all-channels');
    const { body } = await api<{ state: Record<string, ConsentState> }>(ALL, 'GET', `/v1/contacts/${id}/consent`);
    expect(revokedMarketing(body.state.whatsapp!)).toBe(true);
    // the CRM's marketing opt-out closes the contact's other channels too
    expect(revokedMarketing(body.state.telegram!)).toBe(true);
  });

  it('an opt-out without scope stays on its channel when the tenant chose per-channel', async () => {
    const id = contacts.per!.id;
    const recorded = await api<ConsentEntry>(PER, 'POST', `/v1/contacts/${id}/consent`, { action: 'opt-out', purpose: 'marketing', channel: 'whatsapp' });
    expect(recorded.body.scope).toBe('channel');
    const { body } = await api<{ state: Record<string, ConsentState> }>(PER, 'GET', `/v1/contacts/${id}/consent`);
    expect(revokedMarketing(body.state.whatsapp!)).toBe(true);
    expect(revokedMarketing(body.state.telegram!)).toBe(false);
  });

  it('an explicit scope is kept as given', async () => {
    const recorded = await api<ConsentEntry>(ALL, 'POST', `/v1/contacts/${contacts.all!.id}/consent`, { action: 'opt-out', purpose: 'transactional', channel: 'telegram', scope: 'channel' });
    expect(recorded.body.scope).toBe('channel');
  });

  it('the OpenAPI document says what an omitted scope means', () => {
    const doc = buildOpenApi() as { paths: Record<string, { post: { summary: string; requestBody: { content: { 'application/json': { schema: { properties: { scope: { description?: string; default?: unknown } } } } } } } }> };
    const post = doc.paths['/v1/contacts/{id}/consent']!.post;
    const scope = post.requestBody.content['application/json'].schema.properties.scope;
    expect(scope.default).toBeUndefined();
    expect(scope.description).toMatch(/Default: the tenant's policy\.consentScope/);
    expect(post.summary).toMatch(/consentScope/);
  });
});

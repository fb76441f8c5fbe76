import { describe, expect, it } from 'vitest';
import { findGrant, findRevocation, type ConsentEntry } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import type { TenantConfig } from '../config/host-config.js';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams, type ConsentNotice } from '../streams.js';
import { ConsentService, consentServiceIn, consentStateOn, consentTermsOf, lastAcceptedPrivacyPolicy, signalScope } from './consent-service.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));
const entry = (id: string, over: Partial<ConsentEntry>): ConsentEntry => ({
  id, tenantId: 't1', contactId: 'c1', channel: 'whatsapp', action: 'opt-in', scope: 'channel', at: at(0), evidence: { source: 'api' }, ...over,
});
const tenant = (over: Partial<TenantConfig> = {}): TenantConfig => ({ id: 't1', apiKeys: [], ...over }) as TenantConfig;
const contact = { id: 'c1', addresses: [{ channel: 'whatsapp', accountId: 'a', userId: 'u' }, { channel: 'telegram', accountId: 'b', userId: 'v' }, { channel: 'whatsapp', accountId: 'a2', userId: 'u' }] };

function world(): { stores: MemoryStores; service: ConsentService; published: ConsentNotice[] } {
  const stores = new MemoryStores();
  const streams = createHostStreams();
  const published: ConsentNotice[] = [];
  streams.consent$.subscribe((n) => published.push(n));
  return { stores, service: new ConsentService({ stores, streams }), published };
}

describe('ConsentService', () => {
  it('records an entry in the ledger and publishes it on consent$', async () => {
    const { stores, service, published } = world();
    const e = entry('e1', { action: 'opt-out', purpose: 'marketing' });
    await expect(service.record(e)).resolves.toEqual(e);
    expect(await stores.consent.listByContact('t1', 'c1')).toEqual([e]);
    expect(published).toEqual([{ tenantId: 't1', entry: e }]);
  });

  it('records an id once and publishes it on every call (a retried caller after a crash still publishes)', async () => {
    const { stores, service, published } = world();
    const e = entry('inbox-1:stop', { action: 'opt-out', scope: 'all-channels' });
    await service.record(e);
    await service.record(e);
    expect(await service.history('t1', 'c1')).toHaveLength(1);
    expect(await stores.consent.listByContact('t1', 'c1')).toHaveLength(1);
    expect(published.map((n) => n.entry.id)).toEqual(['inbox-1:stop', 'inbox-1:stop']);
  });

  it('answers the state on every channel of the contact, once per channel, under the tenant\'s scope', async () => {
    const { service } = world();
    await service.record(entry('grant', { channel: 'telegram', purpose: 'marketing', scope: 'all-channels' }));
    await service.record(entry('stop', { channel: 'whatsapp', action: 'opt-out', purpose: 'marketing', scope: 'channel', at: at(1) }));

    const all = await service.stateOf(tenant(), contact);
    expect(Object.keys(all.state).sort()).toEqual(['telegram', 'whatsapp']);
    expect(all.history.map((e) => e.id)).toEqual(['grant', 'stop']);
    // a channel-scoped revocation counts on its own channel only
    expect(findRevocation(all.state.whatsapp!, 'marketing')).toBeDefined();
    expect(findGrant(all.state.telegram!, 'marketing')).toBeDefined();
  });

  it('applies the tenant\'s per-channel scope to revocations recorded for every channel', async () => {
    const { service } = world();
    await service.record(entry('stop', { channel: 'telegram', action: 'opt-out', purpose: 'marketing', scope: 'all-channels' }));
    const everywhere = await service.stateOf(tenant(), contact);
    const perChannel = await service.stateOf(tenant({ policy: { consentScope: 'per-channel' } } as Partial<TenantConfig>), contact);
    expect(findRevocation(everywhere.state.whatsapp!, 'marketing')).toBeDefined();
    expect(findRevocation(perChannel.state.whatsapp!, 'marketing')).toBeUndefined();
    expect(findRevocation(perChannel.state.telegram!, 'marketing')).toBeDefined();
  });

  it('drops grants accepted under another privacy-policy version than the tenant\'s (service consent excepted)', async () => {
    const { service } = world();
    await service.record(entry('old', { purpose: 'marketing', evidence: { source: 'web-form', privacyPolicy: { version: 'v1' } } }));
    await service.record(entry('svc', { purpose: 'service', at: at(1) }));
    const bumped = await service.stateOf(tenant({ privacyPolicyVersion: 'v2' }), contact);
    const same = await service.stateOf(tenant({ privacyPolicyVersion: 'v1' }), contact);
    expect(findGrant(bumped.state.whatsapp!, 'marketing')).toBeUndefined();
    expect(findGrant(bumped.state.whatsapp!, 'service')).toBeDefined();
    expect(findGrant(same.state.whatsapp!, 'marketing')).toBeDefined();
  });
});

describe('consent terms', () => {
  it('reads the tenant\'s scope and privacy-policy version', () => {
    expect(consentTermsOf(tenant())).toEqual({});
    expect(consentTermsOf(tenant({ privacyPolicyVersion: 'v3', policy: { consentScope: 'per-channel' } } as Partial<TenantConfig>))).toEqual({ consentScope: 'per-channel', privacyPolicyVersion: 'v3' });
  });

  it('records a customer\'s signal for every channel unless the tenant chose per-channel scope', () => {
    expect(signalScope(tenant())).toBe('all-channels');
    expect(signalScope(tenant({ policy: { consentScope: 'all-channels' } } as Partial<TenantConfig>))).toBe('all-channels');
    expect(signalScope(tenant({ policy: { consentScope: 'per-channel' } } as Partial<TenantConfig>))).toBe('channel');
  });

  it('derives a past state from a prefix of the ledger (what the compliance report relies on)', () => {
    const ledger = [entry('in', { purpose: 'marketing' }), entry('out', { action: 'opt-out', purpose: 'marketing', at: at(5) })];
    expect(findGrant(consentStateOn(ledger.slice(0, 1), 'whatsapp', {}), 'marketing')).toBeDefined();
    expect(findRevocation(consentStateOn(ledger, 'whatsapp', {}), 'marketing')).toBeDefined();
  });
});

describe('lastAcceptedPrivacyPolicy', () => {
  it('finds the policy of the latest opt-in of the purpose and topic, directly or through the request a confirmation confirms', () => {
    const ledger = [
      entry('first', { purpose: 'marketing', evidence: { source: 'web-form', privacyPolicy: { version: 'v1' } } }),
      entry('req', { action: 'opt-in-requested', purpose: 'marketing', topic: 'deals', evidence: { source: 'click-to-chat', privacyPolicy: { version: 'v2', url: 'https://example.com/p' } }, at: at(1) }),
      entry('confirm', { purpose: 'marketing', topic: 'deals', evidence: { source: 'keyword', confirms: 'req' }, at: at(2) }),
    ];
    expect(lastAcceptedPrivacyPolicy(ledger, 'marketing', 'deals')).toEqual({ version: 'v2', url: 'https://example.com/p' });
    // another topic: the topic-bound opt-in does not cover it, the whole-purpose one does
    expect(lastAcceptedPrivacyPolicy(ledger, 'marketing', 'news')).toEqual({ version: 'v1' });
    expect(lastAcceptedPrivacyPolicy(ledger, 'transactional', undefined)).toBeUndefined();
  });
});

describe('consentServiceIn', () => {
  it('uses the host\'s bound service, or builds one over the same stores and streams', async () => {
    const { stores, service } = world();
    const streams = createHostStreams();
    const container = new Container();
    expect(consentServiceIn({ container, stores, streams })).toBeInstanceOf(ConsentService);
    container.bind(ConsentService).toConstantValue(service);
    expect(consentServiceIn({ container, stores, streams })).toBe(service);
  });
});

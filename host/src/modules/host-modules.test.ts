import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { ConsentService } from '../consent/consent-service.js';
import { HostFeature, HostFeatureContext, type HostFeature as Feature } from '../features.js';
import { createHost, type Host } from '../host.js';
import { WebhookIngress } from '../ingress/webhook-ingress.js';
import { OutboundGateway } from '../outbound/outbound-gateway.js';
import { OutboundRuntime } from '../outbound/outbound-runtime.js';
import { InboxProcessor } from '../processing/inbox-processor.js';
import { InboundRouter } from '../processing/inbound-router.js';
import { Router } from '../routing/router.js';
import { BUILT_IN_FEATURES } from './host-modules.js';

const config = configFromObject({ store: { kind: 'memory' }, logLevel: 'silent', tenants: [{ id: 'shop', apiKeys: ['host-modules-test-key-0123456789'] }] });
const builtIn = BUILT_IN_FEATURES.map((f) => f.name);

describe('the host container', () => {
  let host: Host | undefined;
  afterEach(async () => { await host?.stop(); host = undefined; });

  it('contributes every built-in feature under HostFeature, in order, and the host mounts them', async () => {
    host = await createHost(config, { logger: silentLogger });
    const features = host.container.getAll<Feature>(HostFeature);
    expect(features.map((f) => f.name)).toEqual(['events', 'outbound', 'media', 'consent', 'compliance', 'analytics', 'console', 'assignment', 'integrations']);
    expect(host.features).toEqual(features);
  });

  it('does not load a built-in whose name a given feature has: the given one takes its place, after the others', async () => {
    const given: HostFeatureContext[] = [];
    const mine: Feature = { name: 'analytics' };
    const extra: Feature = { name: 'orders' };
    host = await createHost(config, { logger: silentLogger, features: [(ctx) => { given.push(ctx); return mine; }, () => extra] });
    const features = host.container.getAll<Feature>(HostFeature);
    expect(features.map((f) => f.name)).toEqual([...builtIn.filter((n) => n !== 'analytics'), 'analytics', 'orders']);
    expect(features.find((f) => f.name === 'analytics')).toBe(mine);
    expect(features.at(-1)).toBe(extra);
    // a factory is given the container's HostFeatureContext view
    expect(given).toEqual([host.container.get(HostFeatureContext)]);
    expect(given[0]!.container).toBe(host.container);
  });

  it('of two given features with one name keeps the later', async () => {
    const first: Feature = { name: 'console' };
    const second: Feature = { name: 'console' };
    host = await createHost(config, { logger: silentLogger, features: [() => first, () => second] });
    const consoles = host.features.filter((f) => f.name === 'console');
    expect(consoles).toEqual([second]);
    expect(consoles[0]).toBe(second);
  });

  it('resolves each service once: the host, the modules and the features share one instance', async () => {
    host = await createHost(config, { logger: silentLogger });
    const c = host.container;
    expect(c.get(InboxProcessor)).toBe(host.processor);
    expect(c.get(WebhookIngress)).toBe(host.ingress);
    expect(c.get(OutboundGateway)).toBe(host.gateway);
    expect(c.get(InboundRouter)).toBe(c.get(Router));
    expect(c.get(ConsentService)).toBe(c.get(ConsentService));
    const context = c.get<HostFeatureContext>(HostFeatureContext);
    expect(context.gateway).toBe(host.gateway);
    expect(context.conversations).toBe(host.conversations);
    expect(context.outbound).toBe(host.outbound);
  });

  it('binds HostOptions.gateway\'s gateway as the OutboundGateway everything sends through', async () => {
    const gateway = { send: () => Promise.reject(new Error('not sent in this test')) } as unknown as OutboundGateway;
    host = await createHost(config, { logger: silentLogger, gateway: ({ container }) => { expect(container.get(OutboundRuntime)).toBeInstanceOf(OutboundRuntime); return gateway; } });
    expect(host.gateway).toBe(gateway);
    expect(host.container.get(OutboundGateway)).toBe(gateway);
    expect(host.container.get<HostFeatureContext>(HostFeatureContext).gateway).toBe(gateway);
  });
});

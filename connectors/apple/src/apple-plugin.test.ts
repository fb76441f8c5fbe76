import { describe, expect, it } from 'vitest';
import { Connector, connectorOptionsToken } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import plugin, { applePlugin, type AppleConfig } from './index.js';
import { config } from './__fixtures__/inbound.js';

describe('applePlugin', () => {
  it('is the default and the named export', () => {
    expect(plugin).toBe(applePlugin);
  });
  it('module(config) binds the options token and a multi-bound Connector for the business', async () => {
    const container = new Container();
    const parsed = plugin.parseConfig(config);
    await container.load(plugin.module(parsed));
    expect(container.get<AppleConfig>(connectorOptionsToken('apple')).businessId).toBe(config.businessId);
    const connectors = container.getAll<Connector>(Connector);
    expect(connectors.map((c) => [c.channel, c.accountId])).toEqual([['apple', config.businessId]]);
  });
  it('declares human escalation, user initiation, no broadcast and Apple\'s opt-out words', () => {
    expect(plugin.policy).toMatchObject({
      initiation: 'user', requiresHumanEscalation: true, broadcast: { allowed: false },
      consentRequiredFor: ['transactional', 'marketing'], optOutKeywords: ['unsubscribe', 'stop', 'end', 'spam'],
    });
    expect(plugin.policy.serviceWindowHours).toBeUndefined();
    expect(plugin.policy.pricing?.entries).toEqual([]);
  });
});

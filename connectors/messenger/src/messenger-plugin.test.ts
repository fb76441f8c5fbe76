import { describe, expect, it } from 'vitest';
import { Connector, connectorOptionsToken, connectorPluginProblems } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import plugin, { messengerPlugin, messengerSandboxConfig } from './index.js';

describe('plugin', () => {
  it('is a valid plugin, exported by default and by name', () => {
    expect(connectorPluginProblems(plugin)).toEqual([]);
    expect(messengerPlugin).toBe(plugin);
  });
  it('module(config) binds the options token and adds its connector to the multi-bound Connector token', async () => {
    const config = plugin.parseConfig(messengerSandboxConfig);
    const container = new Container();
    await container.load(plugin.module(config));
    expect(container.get(connectorOptionsToken('messenger'))).toBe(config);
    const connectors = container.getAll<Connector>(Connector);
    expect(connectors).toHaveLength(1);
    expect(connectors[0]).toMatchObject({ channel: 'messenger', accountId: messengerSandboxConfig.pageId });
  });
  it('fake() serves the sandbox config', async () => {
    const fake = plugin.fake!();
    await fake.start();
    try {
      expect(plugin.parseConfig(fake.connectorConfig())).toMatchObject({ pageId: messengerSandboxConfig.pageId, apiBaseUrl: fake.url });
    } finally { await fake.stop(); }
  });
  it('declares a policy: user initiation, 24 h window, 7-day entry point, four tags, no broadcast, free', () => {
    expect(plugin.policy).toMatchObject({
      channel: 'messenger', initiation: 'user', serviceWindowHours: 24, entryPointWindowHours: 168,
      broadcast: { allowed: false }, consentRequiredFor: ['marketing'], text: { maxLength: 2000, overflow: 'split' },
    });
    expect(plugin.policy.outsideWindow?.tags?.map((t) => t.tag)).toEqual(['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'HUMAN_AGENT']);
    expect(plugin.policy.outsideWindow?.tags?.find((t) => t.tag === 'HUMAN_AGENT')).toMatchObject({ maxHoursSinceInbound: 168, senders: ['agent'] });
    expect(plugin.policy.pricing?.entries).toEqual([]);
  });
});

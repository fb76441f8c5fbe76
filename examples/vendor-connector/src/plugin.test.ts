import { describe, expect, it } from 'vitest';
import { Clock, Connector, ManualClock, connectorOptionsToken, connectorPluginProblems, type Connector as ConnectorType } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import defaultExport, { smsPlugin } from './index.js';
import { SmsConnector } from './sms-connector.js';
import { CONFIG } from './__fixtures__/webhooks.js';
import { signAcmeWebhook } from './acme-api.js';

describe('plugin', () => {
  it('is the default export and the named export, and passes the host\'s shape check', () => {
    expect(defaultExport).toBe(smsPlugin);
    expect(connectorPluginProblems(smsPlugin)).toEqual([]);
    expect(smsPlugin).toMatchObject({ apiVersion: 1, channel: 'sms', policy: { channel: 'sms' } });
  });
  it('module(config) binds the options token and exactly one Connector', () => {
    const container = new Container();
    const config = smsPlugin.parseConfig(CONFIG);
    container.load(smsPlugin.module(config));
    expect(container.get(connectorOptionsToken('sms'))).toBe(config);
    const connectors = container.getAll<ConnectorType>(Connector);
    expect(connectors).toHaveLength(1);
    expect(connectors[0]).toBeInstanceOf(SmsConnector);
    expect(connectors[0]!.accountId).toBe(CONFIG.senderId);
  });
  it('the bound connector measures the replay window on the container\'s Clock when one is bound', () => {
    const container = new Container();
    const sandboxTime = Date.parse('2030-01-01T00:00:00Z');
    container.bind(Clock).toConstantValue(new ManualClock(sandboxTime));
    container.load(smsPlugin.module(smsPlugin.parseConfig(CONFIG)));
    const connector = container.get<ConnectorType>(Connector);
    const body = Buffer.from('{}');
    const at = (t: number) => ({ method: 'POST', path: '/', query: {}, headers: { 'x-acme-signature': signAcmeWebhook(CONFIG.webhookSecret, body, t / 1000) }, body });
    expect(() => connector.verify(at(sandboxTime))).not.toThrow();
    expect(() => connector.verify(at(Date.now()))).toThrow(expect.objectContaining({ code: 'WEBHOOK_VERIFICATION_FAILED' }));
  });
  it('create(config, deps) uses the injected fetch', async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = async (url) => {
      seen.push(String(url));
      return new Response(JSON.stringify({ id: 'msg_1', status: 'accepted', segments: 1 }), { status: 201, headers: { 'content-type': 'application/json' } });
    };
    const c = smsPlugin.create(smsPlugin.parseConfig(CONFIG), { fetch });
    await expect(c.send({ id: 'p-1', to: { channel: 'sms', accountId: CONFIG.senderId, userId: '+12025550143' }, content: { type: 'text', text: 'Hi' } }))
      .resolves.toMatchObject({ externalId: 'msg_1' });
    expect(seen).toEqual(['https://api.acme-sms.example/v2/messages']);
  });
  it('fake() returns a fake gateway for the sandbox', () => {
    const fake = smsPlugin.fake!();
    expect(fake.channel).toBe('sms');
    expect(fake.connectorConfig()).toMatchObject({ senderId: '+12025550100' });
  });
});

import { describe, expect, it } from 'vitest';
import { Connector, connectorOptionsToken, connectorPluginProblems, priceFor } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import plugin, { whatsappPlugin, whatsappPolicy, whatsappPrices } from './index.js';
import { FakeWhatsAppServer } from './fake-whatsapp-server.js';

const config = plugin.parseConfig({ accessToken: 't', appSecret: 's', verifyToken: 'v', phoneNumberId: '106540352242922' });

describe('plugin', () => {
  it('is exported by default and by name, with a valid shape', () => {
    expect(whatsappPlugin).toBe(plugin);
    expect(connectorPluginProblems(plugin)).toEqual([]);
  });

  it('module(config) binds the options token and a multi-bound Connector', async () => {
    const container = new Container();
    await container.load(plugin.module(config));
    expect(container.get(connectorOptionsToken('whatsapp'))).toBe(config);
    const connectors = container.getAll<Connector>(Connector);
    expect(connectors).toHaveLength(1);
    expect(connectors[0]).toMatchObject({ channel: 'whatsapp', accountId: '106540352242922' });
  });

  it('fake() returns the fake Cloud API', () => {
    expect(plugin.fake?.()).toBeInstanceOf(FakeWhatsAppServer);
  });
});

describe('policy and prices', () => {
  it('declares the WhatsApp rules from CHANNELS.md', () => {
    expect(whatsappPolicy).toMatchObject({
      channel: 'whatsapp', initiation: 'template', serviceWindowHours: 24, entryPointWindowHours: 72,
      outsideWindow: { templateCategories: ['marketing', 'utility', 'authentication'] },
      consentRequiredFor: ['transactional', 'marketing'], marketingTemplateBlockedCountries: ['US'],
      text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
    });
    expect(whatsappPolicy.rateLimits).toEqual(expect.arrayContaining([
      expect.objectContaining({ scope: 'account', limit: 80, perMs: 1000, enforcement: 'pace' }),
      expect.objectContaining({ scope: 'recipient', limit: 1, perMs: 6000, enforcement: 'pace' }),
      expect.objectContaining({ scope: 'unique-recipients-per-day', limit: 250, enforcement: 'deny' }),
    ]));
    expect(whatsappPolicy.restrictedCommerce).toEqual(expect.arrayContaining(['alcohol', 'tobacco', 'drugs', 'prescription-drugs', 'weapons', 'ammunition', 'animals', 'adult', 'gambling', 'dating']));
    for (const rule of ['initiation', 'serviceWindowHours', 'consentRequiredFor', 'marketingTemplateBlockedCountries', 'rateLimits', 'restrictedCommerce', 'pricing']) {
      expect(whatsappPolicy.sources.some((s) => s.rule === rule), rule).toBe(true);
    }
  });

  it('prices by the model in force: utility free in the window from 2025-07-01, charged again from 2026-10-01 (reported)', () => {
    expect(whatsappPrices.source).toMatch(/INDICATIVE/);
    expect(priceFor(whatsappPrices, { category: 'utility', at: new Date('2025-03-01'), inServiceSession: true }).amount).toBe(0.0456);
    expect(priceFor(whatsappPrices, { category: 'utility', at: new Date('2025-08-01'), inServiceSession: true }).amount).toBe(0);
    expect(priceFor(whatsappPrices, { category: 'utility', at: new Date('2025-08-01'), inServiceSession: false }).amount).toBe(0.0456);
    expect(priceFor(whatsappPrices, { category: 'utility', at: new Date('2026-11-01'), inServiceSession: true }).amount).toBe(0.0456);
    expect(priceFor(whatsappPrices, { category: 'marketing', at: new Date('2025-08-01'), inServiceSession: true }).amount).toBe(0.1131);
    expect(priceFor(whatsappPrices, { category: 'service', at: new Date('2025-08-01'), inServiceSession: true }).amount).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { Connector, ConnectorPlugin } from '@switchboard/core';
import { StaticConnectorRegistry, type HostConnectorBinding } from './connector-registry.js';

const plugin = {} as ConnectorPlugin;
function account(tenantId: string, channel: string, key: string, platformId?: string): HostConnectorBinding {
  const connector = { channel, ...(platformId !== undefined ? { accountId: platformId } : {}) } as unknown as Connector;
  return { tenantId, channel, account: key, connector, plugin };
}

describe('ConnectorRegistry.find: one rule for every look-up of a tenant\'s account', () => {
  // two tenants on the same channel, one with two accounts on it
  const shopMain = account('shop', 'whatsapp', 'shop-main', '1065');
  const shopSupport = account('shop', 'whatsapp', 'shop-support', '2077');
  const airMain = account('air', 'whatsapp', 'air-main', '3099');
  const airTelegram = account('air', 'telegram', 'air-bot', '777');
  const registry = new StaticConnectorRegistry([shopMain, shopSupport, airMain, airTelegram]);

  it('finds an account by its key in the config or by its platform account id', () => {
    expect(registry.find('shop', 'whatsapp', 'shop-support')).toBe(shopSupport);
    expect(registry.find('shop', 'whatsapp', '2077')).toBe(shopSupport);
    expect(registry.find('air', 'whatsapp', '3099')).toBe(airMain);
  });

  it('never finds another tenant\'s account, by key or by platform id, even on the same channel', () => {
    expect(registry.find('air', 'whatsapp', 'shop-main')).toBeUndefined();
    expect(registry.find('air', 'whatsapp', '1065')).toBeUndefined();
    expect(registry.find('shop', 'telegram')).toBeUndefined();
    expect(registry.find('nobody', 'whatsapp')).toBeUndefined();
  });

  it('without an account names the tenant\'s only account of the channel, and none when it has several', () => {
    expect(registry.find('air', 'whatsapp')).toBe(airMain);
    expect(registry.find('air', 'telegram')).toBe(airTelegram);
    expect(registry.find('shop', 'whatsapp')).toBeUndefined();
  });

  it('refuses an unknown account on a channel whose only account declares its platform id (no redirection)', () => {
    expect(registry.find('air', 'whatsapp', 'elsewhere')).toBeUndefined();
  });

  it('takes the only account of a connector that declares no platform id for any id its events carry', () => {
    const sms = account('air', 'acme-sms', 'sms');
    const other = account('shop', 'acme-sms', 'shop-sms');
    const withSms = new StaticConnectorRegistry([airMain, sms, other]);
    expect(withSms.find('air', 'acme-sms', '+4915112345678')).toBe(sms);
    expect(withSms.find('air', 'acme-sms')).toBe(sms);
  });

  it('prefers the config key when one account\'s key is another\'s platform id', () => {
    const byKey = account('t', 'viber', 'a', 'x');
    const byId = account('t', 'viber', 'x', 'y');
    expect(new StaticConnectorRegistry([byKey, byId]).find('t', 'viber', 'x')).toBe(byId);
  });

  it('keeps the webhook URL look-up (no tenant in the URL) and the per-tenant listing', () => {
    expect(registry.get('whatsapp', 'air-main')).toBe(airMain);
    expect(registry.get('whatsapp', '3099')).toBeUndefined();
    expect(registry.forTenant('shop')).toEqual([shopMain, shopSupport]);
  });
});

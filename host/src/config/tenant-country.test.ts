/**
 * The tenant's `country` (ISO 3166-1 alpha-2) and `timeZone` (IANA, checked with Intl): what the
 * decision path reads as the tenant's jurisdiction and default local time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { parseHostConfig } from './host-config.js';

const config = (tenant: Record<string, unknown>) => ({ tenants: [{ id: 'shop', apiKeys: ['shop-key-0123456789abcdef'], ...tenant }], connectors: [] });
const parse = (tenant: Record<string, unknown>) => parseHostConfig(config(tenant), { baseDir: '/tmp' }).tenants[0]!;

describe('tenant country and time zone', () => {
  it('takes an ISO 3166-1 alpha-2 country and an IANA time zone (canonical spelling)', () => {
    expect(parse({ country: 'DE', timeZone: 'Europe/Berlin' })).toMatchObject({ country: 'DE', timeZone: 'Europe/Berlin' });
    expect(parse({ timeZone: 'america/new_york' }).timeZone).toBe('America/New_York');
    expect(parse({})).not.toHaveProperty('country');
  });

  it('refuses what is not a country or a time zone, naming the key', () => {
    for (const [tenant, key] of [
      [{ country: 'de' }, 'tenants[0].country'], [{ country: 'XX' }, 'tenants[0].country'], [{ country: 'DEU' }, 'tenants[0].country'],
      [{ country: 7 }, 'tenants[0].country'], [{ timeZone: 'Mars/Olympus' }, 'tenants[0].timeZone'], [{ timeZone: '+01:00' }, 'tenants[0].timeZone'],
    ] as const) {
      expect(() => parse(tenant), JSON.stringify(tenant)).toThrow(ConfigError);
      try { parse(tenant); } catch (e) { expect((e as ConfigError).message).toContain(key); }
    }
  });

  it('never throws anything but a ConfigError for any string (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (country, timeZone) => {
      for (const t of [{ country }, { timeZone }]) {
        try { parse(t); } catch (e) { expect(e).toBeInstanceOf(ConfigError); }
      }
    }));
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { AppleConfigSchema, parseConfig } from './config.js';
import { z } from 'zod';
import { config } from './__fixtures__/inbound.js';

function fieldOf(input: unknown): string | undefined {
  try { parseConfig(input); } catch (e) { return e instanceof ConfigError ? e.field : 'not-a-config-error'; }
  return undefined;
}

describe('parseConfig', () => {
  it('applies the default gateway and decodes the Base64 secret', () => {
    const c = parseConfig(config);
    expect(c.apiBaseUrl).toBe('https://mspgw.push.apple.com/v1');
    expect(c.secretKey.toString('utf8')).toBe('apple-test-msp-secret-0123456789abcdef');
    expect(c).toMatchObject({ mspId: config.mspId, businessId: config.businessId, clockSkewSeconds: 60, tokenMaxAgeSeconds: 3600 });
  });
  it('strips a trailing slash from apiBaseUrl', () => {
    expect(parseConfig({ ...config, apiBaseUrl: 'http://127.0.0.1:9/v1/' }).apiBaseUrl).toBe('http://127.0.0.1:9/v1');
  });
  it.each([
    [{}, 'mspId'],
    [{ ...config, mspId: '' }, 'mspId'],
    [{ ...config, mspSecret: undefined }, 'mspSecret'],
    [{ ...config, mspSecret: 'not base64!!' }, 'mspSecret'],
    [{ ...config, mspSecret: 'c2hvcnQ=' }, 'mspSecret'],
    [{ ...config, businessId: 42 }, 'businessId'],
    [{ ...config, apiBaseUrl: 'nope' }, 'apiBaseUrl'],
    [{ ...config, apiBaseUrl: 'ftp://x/y' }, 'apiBaseUrl'],
    [{ ...config, clockSkewSeconds: -1 }, 'clockSkewSeconds'],
    [{ ...config, tokenMaxAgeSeconds: 1.5 }, 'tokenMaxAgeSeconds'],
    [{ ...config, disclosureText: '' }, 'disclosureText'],
    ['a string', 'apple'],
  ])('names the bad field %#', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('lists every fault of a config with its path, an unknown key among them (the schema is closed)', () => {
    let thrown: unknown;
    try { parseConfig({ ...config, mspSecret: 'not base64!!', businessId: 42, clockSkewSeconds: -1, secretKey: 'x' }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { field: 'mspSecret', message: 'must be Base64 as Apple issues it' },
      { field: 'businessId', message: 'is required and must be a non-empty string' },
      { field: 'clockSkewSeconds', message: 'must be an integer between 0 and 600' },
      { field: 'secretKey', message: 'is not a known field' },
    ]);
  });

  it('exports its schema: the JSON Schema of what an integrator writes is closed and requires what parseConfig requires', () => {
    const json = z.toJSONSchema(AppleConfigSchema, { io: 'input' }) as { required: string[]; properties: Record<string, unknown>; additionalProperties: unknown };
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['mspId', 'mspSecret', 'businessId']);
    expect(Object.keys(json.properties)).toEqual(['mspId', 'mspSecret', 'businessId', 'apiBaseUrl', 'clockSkewSeconds', 'tokenMaxAgeSeconds', 'disclosureText']);
  });
});

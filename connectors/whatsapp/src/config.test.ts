import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { WhatsAppConfigSchema, parseConfig } from './config.js';
import { z } from 'zod';

const valid = { accessToken: 'EAAtoken', appSecret: 'secret', verifyToken: 'verify', phoneNumberId: '106540352242922' };

function fieldOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { if (e instanceof ConfigError) return e.field; throw e; }
  return undefined;
}

describe('parseConfig', () => {
  it('applies the Graph API host and version defaults', () => {
    expect(parseConfig(valid)).toEqual({ ...valid, apiBaseUrl: 'https://graph.facebook.com', apiVersion: 'v23.0' });
  });

  it('keeps overrides and strips a trailing slash from apiBaseUrl', () => {
    expect(parseConfig({ ...valid, apiBaseUrl: 'http://127.0.0.1:4000/', apiVersion: 'v21.0', businessAccountId: '102290129340398' }))
      .toMatchObject({ apiBaseUrl: 'http://127.0.0.1:4000', apiVersion: 'v21.0', businessAccountId: '102290129340398' });
  });

  for (const field of ['accessToken', 'appSecret', 'verifyToken', 'phoneNumberId'] as const) {
    it(`names ${field} when it is missing`, () => {
      const { [field]: _, ...rest } = valid;
      expect(fieldOf(() => parseConfig(rest))).toBe(field);
    });
    it(`names ${field} when it is not a string`, () => {
      expect(fieldOf(() => parseConfig({ ...valid, [field]: 42 }))).toBe(field);
    });
  }

  it('refuses a phone number id that is not a numeric Graph id (a phone number, a number type)', () => {
    expect(fieldOf(() => parseConfig({ ...valid, phoneNumberId: '+1 555 0100' }))).toBe('phoneNumberId');
    expect(fieldOf(() => parseConfig({ ...valid, phoneNumberId: 106540352242922 }))).toBe('phoneNumberId');
  });

  it('refuses a malformed businessAccountId, apiBaseUrl or apiVersion', () => {
    expect(fieldOf(() => parseConfig({ ...valid, businessAccountId: 'waba' }))).toBe('businessAccountId');
    expect(fieldOf(() => parseConfig({ ...valid, apiBaseUrl: 'graph.facebook.com' }))).toBe('apiBaseUrl');
    expect(fieldOf(() => parseConfig({ ...valid, apiBaseUrl: 'ftp://graph.facebook.com' }))).toBe('apiBaseUrl');
    expect(fieldOf(() => parseConfig({ ...valid, apiVersion: '23.0' }))).toBe('apiVersion');
    expect(fieldOf(() => parseConfig({ ...valid, apiVersion: 23 }))).toBe('apiVersion');
  });

  it('refuses tokens with surrounding whitespace (a copy-paste error that fails every call)', () => {
    expect(fieldOf(() => parseConfig({ ...valid, accessToken: 'EAAtoken\n' }))).toBe('accessToken');
  });

  it('refuses a config that is not an object', () => {
    expect(fieldOf(() => parseConfig(null))).toBe('config');
    expect(fieldOf(() => parseConfig('token'))).toBe('config');
  });

  it('lists every fault of a config with its path, an unknown key among them (the schema is closed)', () => {
    let thrown: unknown;
    try { parseConfig({ ...valid, accessToken: undefined, phoneNumberId: 106540352242922, apiVersion: '23.0', phoneNumber: '+1 555 0100' }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { field: 'accessToken', message: 'is required' },
      { field: 'phoneNumberId', message: 'must be a string of digits (quote it: Graph ids exceed number precision)' },
      { field: 'apiVersion', message: 'must look like "v23.0"' },
      { field: 'phoneNumber', message: 'is not a known field' },
    ]);
  });

  it('exports its schema: the JSON Schema of what an integrator writes is closed and requires what parseConfig requires', () => {
    const json = z.toJSONSchema(WhatsAppConfigSchema, { io: 'input' }) as { required: string[]; properties: Record<string, unknown>; additionalProperties: unknown };
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['accessToken', 'appSecret', 'verifyToken', 'phoneNumberId']);
    expect(Object.keys(json.properties)).toEqual(['accessToken', 'appSecret', 'verifyToken', 'phoneNumberId', 'businessAccountId', 'apiBaseUrl', 'apiVersion']);
  });
});

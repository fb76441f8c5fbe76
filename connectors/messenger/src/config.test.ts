import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { MessengerConfigSchema, parseConfig } from './config.js';
import { z } from 'zod';

const valid = { pageAccessToken: 'EAAG123', appSecret: 's3cret', verifyToken: 'verify-me', pageId: '104000000000001' };

describe('parseConfig', () => {
  it('applies the Graph API defaults', () => {
    expect(parseConfig(valid)).toEqual({ ...valid, apiBaseUrl: 'https://graph.facebook.com', apiVersion: 'v23.0' });
  });
  it('keeps an apiBaseUrl (without trailing slash) and apiVersion', () => {
    expect(parseConfig({ ...valid, apiBaseUrl: 'http://127.0.0.1:8080/', apiVersion: 'v24.0' })).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:8080', apiVersion: 'v24.0' });
  });
  it.each([
    ['pageAccessToken', { ...valid, pageAccessToken: undefined }],
    ['appSecret', { ...valid, appSecret: '' }],
    ['verifyToken', { ...valid, verifyToken: 42 }],
    ['pageId', { ...valid, pageId: undefined }],
    ['pageId', { ...valid, pageId: 104000000000001 }],
    ['pageId', { ...valid, pageId: 'my-page' }],
    ['apiBaseUrl', { ...valid, apiBaseUrl: 'not a url' }],
    ['apiBaseUrl', { ...valid, apiBaseUrl: 'ftp://graph.facebook.com' }],
    ['apiBaseUrl', { ...valid, apiBaseUrl: 'https://graph.facebook.com?x=1' }],
    ['apiVersion', { ...valid, apiVersion: '23' }],
    ['pageAccessToken', { ...valid, pageAccessToken: 'EAAG 123' }],
  ])('names %s when it is missing or malformed', (field, input) => {
    let thrown: unknown;
    try { parseConfig(input); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe(field);
  });
  it('refuses a non-object', () => {
    expect(() => parseConfig(null)).toThrow(ConfigError);
  });

  it('lists every fault of a config with its path, an unknown key among them (the schema is closed)', () => {
    let thrown: unknown;
    try { parseConfig({ ...valid, appSecret: '', pageId: 'my-page', apiBaseUrl: 'https://graph.facebook.com?x=1', pageToken: 'EAAG123' }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { field: 'appSecret', message: 'is required' },
      { field: 'pageId', message: 'must be the numeric Page id, digits only' },
      { field: 'apiBaseUrl', message: 'must not carry a query or fragment' },
      { field: 'pageToken', message: 'is not a known field' },
    ]);
  });

  it('exports its schema: the JSON Schema of what an integrator writes is closed and requires what parseConfig requires', () => {
    const json = z.toJSONSchema(MessengerConfigSchema, { io: 'input' }) as { required: string[]; properties: Record<string, unknown>; additionalProperties: unknown };
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['pageAccessToken', 'appSecret', 'verifyToken', 'pageId']);
    expect(Object.keys(json.properties)).toEqual(['pageAccessToken', 'appSecret', 'verifyToken', 'pageId', 'apiBaseUrl', 'apiVersion']);
  });
});

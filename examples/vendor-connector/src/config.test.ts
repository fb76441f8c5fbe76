import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { CONFIG } from './__fixtures__/webhooks.js';

function fieldOf(input: unknown): string | undefined {
  try { parseConfig(input); } catch (e) { return e instanceof ConfigError ? e.field : `not a ConfigError: ${String(e)}`; }
  return undefined;
}

describe('parseConfig', () => {
  it('accepts an E.164 sender and applies the default base URL', () => {
    expect(parseConfig(CONFIG)).toEqual({ ...CONFIG, apiBaseUrl: 'https://api.acme-sms.example' });
  });
  it('accepts an alphanumeric sender of up to 11 characters', () => {
    expect(parseConfig({ ...CONFIG, senderId: 'AcmeGarage1' }).senderId).toBe('AcmeGarage1');
    expect(parseConfig({ ...CONFIG, senderId: 'Acme Garage' }).senderId).toBe('Acme Garage');
  });
  it('strips a trailing slash from apiBaseUrl', () => {
    expect(parseConfig({ ...CONFIG, apiBaseUrl: 'http://127.0.0.1:4010/' }).apiBaseUrl).toBe('http://127.0.0.1:4010');
  });
  it.each([
    [{}, 'apiKey'],
    ['not an object', '(root)'],
    [{ ...CONFIG, apiKey: '' }, 'apiKey'],
    [{ ...CONFIG, apiKey: 'acme key' }, 'apiKey'],
    [{ ...CONFIG, apiKey: 42 }, 'apiKey'],
    [{ ...CONFIG, webhookSecret: undefined }, 'webhookSecret'],
    [{ ...CONFIG, webhookSecret: 'short' }, 'webhookSecret'],
    [{ ...CONFIG, senderId: undefined }, 'senderId'],
    [{ ...CONFIG, senderId: 'AcmeGarage12' }, 'senderId'],
    [{ ...CONFIG, senderId: '12345' }, 'senderId'],
    [{ ...CONFIG, senderId: '+0123456789' }, 'senderId'],
    [{ ...CONFIG, senderId: '+1 202 555 0100' }, 'senderId'],
    [{ ...CONFIG, apiBaseUrl: 'not a url' }, 'apiBaseUrl'],
    [{ ...CONFIG, apiBaseUrl: 'ftp://api.acme-sms.example' }, 'apiBaseUrl'],
    [{ ...CONFIG, apiBaseUrl: '' }, 'apiBaseUrl'],
  ])('rejects %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });
});

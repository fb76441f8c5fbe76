import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { botIdOf, TelegramConfigSchema, parseConfig } from './config.js';
import { z } from 'zod';

const valid = { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0', secretToken: 'hook_Secret-1' };

function fieldOf(input: unknown): string | undefined {
  try { parseConfig(input); } catch (e) { if (e instanceof ConfigError) return e.field; throw e; }
  return undefined;
}

describe('parseConfig', () => {
  it('accepts a BotFather token and a secret token, defaulting the API base', () => {
    expect(parseConfig(valid)).toEqual({ ...valid, apiBaseUrl: 'https://api.telegram.org' });
  });

  it('keeps a custom apiBaseUrl without its trailing slash', () => {
    expect(parseConfig({ ...valid, apiBaseUrl: 'http://127.0.0.1:8081/' }).apiBaseUrl).toBe('http://127.0.0.1:8081');
  });

  it('names the bad field', () => {
    expect(fieldOf(null)).toBe('(root)');
    expect(fieldOf({ ...valid, botToken: undefined })).toBe('botToken');
    expect(fieldOf({ ...valid, botToken: 'not-a-token' })).toBe('botToken');
    expect(fieldOf({ ...valid, botToken: '123:short' })).toBe('botToken');
    expect(fieldOf({ ...valid, botToken: 'abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0' })).toBe('botToken');
    expect(fieldOf({ ...valid, secretToken: '' })).toBe('secretToken');
    expect(fieldOf({ ...valid, secretToken: 'has space' })).toBe('secretToken');
    expect(fieldOf({ ...valid, secretToken: 'x'.repeat(257) })).toBe('secretToken');
    expect(fieldOf({ ...valid, secretToken: 42 })).toBe('secretToken');
    expect(fieldOf({ ...valid, apiBaseUrl: 'ftp://example.com' })).toBe('apiBaseUrl');
    expect(fieldOf({ ...valid, apiBaseUrl: 'not a url' })).toBe('apiBaseUrl');
    expect(fieldOf({ ...valid, apiBaseUrl: 7 })).toBe('apiBaseUrl');
  });

  it('accepts a 256-character secret token', () => {
    expect(parseConfig({ ...valid, secretToken: 'a'.repeat(256) }).secretToken).toHaveLength(256);
  });

  it('derives the bot id from the token', () => {
    expect(botIdOf(valid.botToken)).toBe('123456789');
  });

  it('lists every fault of a config with its path, an unknown key among them (the schema is closed)', () => {
    let thrown: unknown;
    try { parseConfig({ ...valid, botToken: '123:short', secretToken: 'has space', botTokn: valid.botToken }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { field: 'botToken', message: 'must look like <bot id>:<secret> as issued by @BotFather' },
      { field: 'secretToken', message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' },
      { field: 'botTokn', message: 'is not a known field' },
    ]);
  });

  it('exports its schema: the JSON Schema of what an integrator writes is closed and requires what parseConfig requires', () => {
    const json = z.toJSONSchema(TelegramConfigSchema, { io: 'input' }) as { required: string[]; properties: Record<string, unknown>; additionalProperties: unknown };
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['botToken', 'secretToken']);
    expect(Object.keys(json.properties)).toEqual(['botToken', 'secretToken', 'apiBaseUrl']);
  });
});

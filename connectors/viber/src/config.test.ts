import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { deriveAccountId, ViberConfigSchema, parseConfig } from './config.js';
import { z } from 'zod';
import { AUTH_TOKEN } from './__fixtures__/helpers.js';

function fieldOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(ConfigError); return (e as ConfigError).field; }
  return undefined;
}

describe('parseConfig', () => {
  it('applies the default API base URL and derives an account id', () => {
    const config = parseConfig({ authToken: AUTH_TOKEN, botName: 'Workshop' });
    expect(config).toEqual({ authToken: AUTH_TOKEN, botName: 'Workshop', apiBaseUrl: 'https://chatapi.viber.com/pa', accountId: deriveAccountId(AUTH_TOKEN) });
    expect(config.accountId).toMatch(/^viber-[0-9a-f]{16}$/);
    expect(config.accountId).not.toContain(AUTH_TOKEN.slice(0, 8));
  });

  it('keeps every optional field and strips trailing slashes from apiBaseUrl', () => {
    const config = parseConfig({
      authToken: AUTH_TOKEN, botName: 'Workshop', botAvatar: 'https://example.com/a.jpg', apiBaseUrl: 'http://127.0.0.1:9000/pa//',
      accountId: 'workshopbot', welcomeMessage: 'Hello!',
    });
    expect(config).toEqual({
      authToken: AUTH_TOKEN, botName: 'Workshop', botAvatar: 'https://example.com/a.jpg', apiBaseUrl: 'http://127.0.0.1:9000/pa',
      accountId: 'workshopbot', welcomeMessage: { type: 'text', text: 'Hello!' },
    });
  });

  it('derives the same account id for the same token and another for another token', () => {
    expect(deriveAccountId(AUTH_TOKEN)).toBe(deriveAccountId(AUTH_TOKEN));
    expect(deriveAccountId(`${AUTH_TOKEN}x`)).not.toBe(deriveAccountId(AUTH_TOKEN));
  });

  it.each([
    ['(root)', null],
    ['(root)', 'token'],
    ['authToken', {}],
    ['authToken', { authToken: '', botName: 'a' }],
    ['authToken', { authToken: 'has space', botName: 'a' }],
    ['botName', { authToken: AUTH_TOKEN }],
    ['botName', { authToken: AUTH_TOKEN, botName: '   ' }],
    ['botName', { authToken: AUTH_TOKEN, botName: 'x'.repeat(29) }],
    ['botAvatar', { authToken: AUTH_TOKEN, botName: 'a', botAvatar: 'not a url' }],
    ['botAvatar', { authToken: AUTH_TOKEN, botName: 'a', botAvatar: 'ftp://example.com/a.jpg' }],
    ['apiBaseUrl', { authToken: AUTH_TOKEN, botName: 'a', apiBaseUrl: 42 }],
    ['accountId', { authToken: AUTH_TOKEN, botName: 'a', accountId: 'has/slash' }],
    ['accountId', { authToken: AUTH_TOKEN, botName: 'a', accountId: '' }],
    ['welcomeMessage', { authToken: AUTH_TOKEN, botName: 'a', welcomeMessage: 42 }],
    ['welcomeMessage', { authToken: AUTH_TOKEN, botName: 'a', welcomeMessage: 'x'.repeat(7001) }],
    ['welcomeMessage', { authToken: AUTH_TOKEN, botName: 'a', welcomeMessage: { type: 'reaction', emoji: '👍', target: 'x' } }],
  ])('names %s for %j', (field, input) => {
    expect(fieldOf(() => parseConfig(input))).toBe(field);
  });

  it('accepts a 28-character bot name (the sender.name limit)', () => {
    expect(parseConfig({ authToken: AUTH_TOKEN, botName: 'x'.repeat(28) }).botName).toHaveLength(28);
  });

  it('accepts a content object as welcome message', () => {
    const welcome = { type: 'interactive', body: 'Welcome!', quickReplies: [{ id: 'subscribe', title: 'Subscribe' }] };
    expect(parseConfig({ authToken: AUTH_TOKEN, botName: 'a', welcomeMessage: welcome }).welcomeMessage).toEqual(welcome);
  });

  it('lists every fault of a config with its path, an unknown key among them (the schema is closed)', () => {
    let thrown: unknown;
    try { parseConfig({ authToken: 'has space', botName: 'x'.repeat(29), botAvatar: 'ftp://example.com/a.jpg', avatar: 'https://example.com/a.jpg' }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { field: 'authToken', message: 'must be the app key from the bot\'s "edit info" screen (no spaces)' },
      { field: 'botName', message: 'must be at most 28 characters (Viber\'s sender.name limit)' },
      { field: 'botAvatar', message: 'must be an absolute http(s) URL' },
      { field: 'avatar', message: 'is not a known field' },
    ]);
  });

  it('exports its schema: the JSON Schema of what an integrator writes is closed and requires what parseConfig requires', () => {
    const json = z.toJSONSchema(ViberConfigSchema, { io: 'input' }) as { required: string[]; properties: Record<string, unknown>; additionalProperties: unknown };
    expect(json.additionalProperties).toBe(false);
    expect(json.required).toEqual(['authToken', 'botName']);
    expect(Object.keys(json.properties)).toEqual(['authToken', 'botName', 'botAvatar', 'apiBaseUrl', 'accountId', 'welcomeMessage']);
  });
});

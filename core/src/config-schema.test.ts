import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigWith, requiredFieldMessage, type ConfigSchema, type ConfigSchemaIssue } from './index.js';

/** A schema answering fixed issues (core knows no schema library; a zod schema has this shape). */
const failing = (issues: ConfigSchemaIssue[]): ConfigSchema<never> => ({ safeParse: () => ({ success: false, error: { issues } }) });
const options = { root: '(root)', notAnObject: 'LINE config must be an object' };

function configErrorOf(fn: () => unknown): ConfigError {
  try { fn(); } catch (e) { if (e instanceof ConfigError) return e; throw e; }
  throw new Error('expected a ConfigError');
}

describe('parseConfigWith', () => {
  it('answers the parsed value of a valid config', () => {
    const schema: ConfigSchema<{ token: string }> = { safeParse: () => ({ success: true, data: { token: 't' } }) };
    expect(parseConfigWith(schema, { token: 't' }, options)).toEqual({ token: 't' });
  });

  it('lists every fault with its path, the first as field', () => {
    const e = configErrorOf(() => parseConfigWith(failing([
      { path: ['botToken'], message: 'is required' },
      { path: ['welcome', 'buttons', 2, 'title'], message: 'is too long' },
      { path: ['apiBaseUrl'], message: 'must be an absolute http(s) URL' },
    ]), {}, options));
    expect(e.field).toBe('botToken');
    expect(e.problems).toEqual([
      { field: 'botToken', message: 'is required' },
      { field: 'welcome.buttons[2].title', message: 'is too long' },
      { field: 'apiBaseUrl', message: 'must be an absolute http(s) URL' },
    ]);
    expect(e.message).toBe('3 problems in the configuration:\n  - botToken: is required\n  - welcome.buttons[2].title: is too long\n  - apiBaseUrl: must be an absolute http(s) URL');
  });

  it('names each unknown key itself (a typo reads as the typo, not as a fault of the whole config)', () => {
    const e = configErrorOf(() => parseConfigWith(failing([
      { path: [], code: 'unrecognized_keys', keys: ['botTokn', 'secret'], message: 'Unrecognized keys: "botTokn", "secret"' },
      { path: ['nested'], code: 'unrecognized_keys', keys: ['x'], message: 'Unrecognized key: "x"' },
    ]), {}, options));
    expect(e.problems).toEqual([
      { field: 'botTokn', message: 'is not a known field' }, { field: 'secret', message: 'is not a known field' }, { field: 'nested.x', message: 'is not a known field' },
    ]);
  });

  it('names a config that is not an object by the connector\'s root name and message', () => {
    const e = configErrorOf(() => parseConfigWith(failing([{ path: [], code: 'invalid_type', message: 'Invalid input: expected object, received null' }]), null, options));
    expect(e.problems).toEqual([{ field: '(root)', message: 'LINE config must be an object' }]);
    const refined = configErrorOf(() => parseConfigWith(failing([{ path: [], code: 'custom', message: 'botToken and secretToken must differ' }]), {}, options));
    expect(refined.problems).toEqual([{ field: '(root)', message: 'botToken and secretToken must differ' }]);
  });
});

describe('requiredFieldMessage', () => {
  it('says a missing field is required and a wrong one what it must be', () => {
    expect(requiredFieldMessage({ input: undefined })).toBe('is required');
    expect(requiredFieldMessage({ input: null })).toBe('is required');
    expect(requiredFieldMessage({ input: 42 })).toBe('must be a string');
    expect(requiredFieldMessage({ input: 'x' }, 'an integer')).toBe('must be an integer');
  });
});

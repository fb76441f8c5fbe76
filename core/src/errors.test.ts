import { describe, expect, it } from 'vitest';
import {
  ConfigError, configPath, connectorErrorKind, ContentInvalidError, ContentUnsupportedError, isSwitchboardError, MalformedPayloadError,
  PermanentError, RateLimitedError, RecipientBlockedError, RetryableError, SwitchboardError, WebhookVerificationError, WindowClosedError,
} from './index.js';

describe('errors', () => {
  const cause = new Error('platform said no');
  const all: [SwitchboardError, string, boolean][] = [
    [new ConfigError('whatsapp.appSecret', 'is required', { cause }), 'CONFIG_INVALID', false],
    [new WebhookVerificationError('bad signature', { cause }), 'WEBHOOK_VERIFICATION_FAILED', false],
    [new MalformedPayloadError('not JSON', { cause }), 'MALFORMED_PAYLOAD', false],
    [new ContentUnsupportedError('no carousels', { cause }), 'CONTENT_UNSUPPORTED', false],
    [new ContentInvalidError('too many buttons', { cause }), 'CONTENT_INVALID', false],
    [new RateLimitedError('slow down', 3000, { cause }), 'RATE_LIMITED', true],
    [new RecipientBlockedError('blocked', { cause }), 'RECIPIENT_BLOCKED', false],
    [new WindowClosedError('131047', { cause }), 'WINDOW_CLOSED', false],
    [new PermanentError('bad parameter', { cause }), 'PERMANENT_FAILURE', false],
    [new RetryableError('502', { cause }), 'RETRYABLE_FAILURE', true],
  ];
  it.each(all.map(([e, code, retryable]) => [e.name, e, code, retryable] as const))('%s has a stable code, retryable flag and keeps its cause', (name, e, code, retryable) => {
    expect(e).toBeInstanceOf(SwitchboardError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.cause).toBe(cause);
    expect(isSwitchboardError(e)).toBe(true);
  });
  it('ConfigError names the field in its message and details', () => {
    const e = new ConfigError('telegram.botToken', 'must look like 123:abc', { details: { hint: 'BotFather' } });
    expect(e.message).toBe('telegram.botToken: must look like 123:abc');
    expect(e.field).toBe('telegram.botToken');
    expect(e.details).toEqual({ field: 'telegram.botToken', hint: 'BotFather' });
  });
  it('RateLimitedError and RetryableError carry the delay', () => {
    expect(new RateLimitedError('429', 1500).retryAfterMs).toBe(1500);
    expect(new RateLimitedError('429', 1500).details).toEqual({ retryAfterMs: 1500 });
    expect(new RetryableError('503', { retryAfterMs: 200 }).retryAfterMs).toBe(200);
    expect(new RetryableError('503').retryAfterMs).toBeUndefined();
  });
  it('an error without a cause has none', () => {
    expect('cause' in new PermanentError('x')).toBe(false);
  });
  it('connectorErrorKind reads the code, so errors from another copy of core are recognised', () => {
    expect(connectorErrorKind(new RateLimitedError('x', 1))).toBe('rate-limited');
    expect(connectorErrorKind(new RecipientBlockedError('x'))).toBe('recipient-blocked');
    expect(connectorErrorKind(new WindowClosedError('x'))).toBe('window-closed');
    expect(connectorErrorKind(new PermanentError('x'))).toBe('permanent');
    expect(connectorErrorKind(new RetryableError('x'))).toBe('retryable');
    expect(connectorErrorKind({ code: 'RATE_LIMITED' })).toBe('rate-limited');
    expect(connectorErrorKind({ code: 'SOMETHING_ELSE' })).toBe('retryable');
  });
  it('isSwitchboardError checks the shape, not the class', () => {
    const foreign = Object.assign(new Error('x'), { code: 'RATE_LIMITED', retryable: true });
    expect(isSwitchboardError(foreign)).toBe(true);
    expect(isSwitchboardError(new Error('x'))).toBe(false);
    expect(isSwitchboardError({ code: 'X', retryable: false })).toBe(false);
    expect(isSwitchboardError(undefined)).toBe(false);
  });
});

describe('ConfigError lists every problem (a typo does not hide the others)', () => {
  it('names each field with its path and leads with the first', () => {
    const e = ConfigError.fromIssues([
      { path: ['tenants', 0, 'apiKeys', 1, 'scopes'], message: 'must not be empty' },
      { path: ['port'], message: 'must be an integer' },
      { path: [], message: 'unknown key "stroe"' },
    ]);
    expect(e.field).toBe('tenants[0].apiKeys[1].scopes');
    expect(e.problems).toEqual([
      { field: 'tenants[0].apiKeys[1].scopes', message: 'must not be empty' },
      { field: 'port', message: 'must be an integer' },
      { field: '', message: 'unknown key "stroe"' },
    ]);
    expect(e.message).toBe('3 problems in the configuration:\n  - tenants[0].apiKeys[1].scopes: must not be empty\n  - port: must be an integer\n  - (config): unknown key "stroe"');
    expect(e.details).toEqual({ field: 'tenants[0].apiKeys[1].scopes', problems: e.problems });
  });

  it('keeps the one-field form when there is one problem, under a prefix', () => {
    const e = ConfigError.fromIssues([{ path: ['botToken'], message: 'is required' }], 'connectors[1].accounts[0]');
    expect(e.message).toBe('connectors[1].accounts[0].botToken: is required');
    expect(e.problems).toEqual([{ field: 'connectors[1].accounts[0].botToken', message: 'is required' }]);
    expect(e.details).toEqual({ field: 'connectors[1].accounts[0].botToken' });
  });

  it('writes paths of keys and indexes', () => {
    expect(configPath(['a', 0, 'b', 12])).toBe('a[0].b[12]');
    expect(configPath([3], 'list')).toBe('list[3]');
    expect(configPath([])).toBe('');
  });
});

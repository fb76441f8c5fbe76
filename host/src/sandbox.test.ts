import fc from 'fast-check';
import { ConfigError, silentLogger } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createSandbox, sandboxReceiptsFromEnv, sandboxWebhookUrl } from './sandbox.js';
import { SandboxEventSchema } from './sandbox-schemas.js';
import { createHost } from './host.js';
import { buildOpenApi } from './api/openapi.js';

describe('sandboxReceiptsFromEnv', () => {
  it('reads the SWITCHBOARD_SANDBOX_RECEIPT* variables and leaves unset ones to the fakes', () => {
    expect(sandboxReceiptsFromEnv({})).toEqual({});
    expect(sandboxReceiptsFromEnv({
      SWITCHBOARD_SANDBOX_RECEIPTS: 'off', SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS: '250', SWITCHBOARD_SANDBOX_READ_DELAY_MS: '-1', SWITCHBOARD_SANDBOX_RECEIPT_LOSS: '0.25',
    })).toEqual({ enabled: false, deliveredAfterMs: 250, readAfterMs: -1, lossRate: 0.25 });
    expect(sandboxReceiptsFromEnv({ SWITCHBOARD_SANDBOX_RECEIPTS: 'ON', SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS: ' ' })).toEqual({ enabled: true });
  });

  it('refuses a value a variable cannot take, naming the variable', () => {
    expect(() => sandboxReceiptsFromEnv({ SWITCHBOARD_SANDBOX_RECEIPT_LOSS: '1.5' })).toThrow(/SWITCHBOARD_SANDBOX_RECEIPT_LOSS: must be a share from 0 to 1/);
    expect(() => sandboxReceiptsFromEnv({ SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS: '-3' })).toThrow(ConfigError);
    expect(() => sandboxReceiptsFromEnv({ SWITCHBOARD_SANDBOX_READ_DELAY_MS: 'soon' })).toThrow(/SWITCHBOARD_SANDBOX_READ_DELAY_MS/);
    expect(() => sandboxReceiptsFromEnv({ SWITCHBOARD_SANDBOX_RECEIPTS: 'maybe' })).toThrow(/SWITCHBOARD_SANDBOX_RECEIPTS: must be on or off/);
  });

  it('either returns options in range or throws a ConfigError, for any strings (property)', () => {
    fc.assert(fc.property(fc.option(fc.string()), fc.option(fc.string()), fc.option(fc.string()), fc.option(fc.string()), (a, b, c, d) => {
      const env = Object.fromEntries(Object.entries({
        SWITCHBOARD_SANDBOX_RECEIPTS: a, SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS: b, SWITCHBOARD_SANDBOX_READ_DELAY_MS: c, SWITCHBOARD_SANDBOX_RECEIPT_LOSS: d,
      }).filter(([, v]) => v !== null)) as Record<string, string>;
      try {
        const r = sandboxReceiptsFromEnv(env);
        return (r.deliveredAfterMs === undefined || r.deliveredAfterMs >= 0) && (r.lossRate === undefined || (r.lossRate >= 0 && r.lossRate <= 1))
          && (r.readAfterMs === undefined || Number.isFinite(r.readAfterMs));
      } catch (error) {
        return error instanceof ConfigError;
      }
    }));
  });
});

describe('SandboxEventSchema', () => {
  it('never throws: any input parses or lists its problems (property)', () => {
    fc.assert(fc.property(fc.anything(), (input) => { SandboxEventSchema.safeParse(input); return true; }));
    expect(SandboxEventSchema.safeParse({ kind: 'location', userId: 'u', latitude: 91, longitude: 0 }).success).toBe(false);
    expect(SandboxEventSchema.safeParse({ kind: 'block', userId: 'u' }).success).toBe(true);
  });
});

describe('createSandbox', () => {
  it('regression: every fake runs on the sandbox clock and learns the host webhook URL once it listens (the fakes stamped wall-clock time)', async () => {
    const sandbox = await createSandbox({ ephemeral: true, packages: ['@switchboard/telegram', '@switchboard/whatsapp'], env: { SWITCHBOARD_API_KEY: 'sandbox-unit-key-0123456789' }, logger: silentLogger, port: 0 });
    const host = await createHost(sandbox.config, { logger: silentLogger, ...sandbox.hostOptions });
    try {
      await host.listen(0, '127.0.0.1');
      sandbox.clock.advance(25 * 3_600_000);
      for (const [channel, { fake }] of sandbox.fakes) {
        const platform = fake as unknown as { platformNow(): number; hostWebhookUrl?: string };
        expect([channel, Math.abs(platform.platformNow() - sandbox.clock.now()) < 60_000]).toEqual([channel, true]);
        expect(platform.hostWebhookUrl).toBe(sandboxWebhookUrl(host.url, channel));
      }
    } finally {
      await host.stop();
    }
  });
});

describe('the OpenAPI document', () => {
  it('lists the sandbox routes with their closed bodies', () => {
    const paths = (buildOpenApi({ sandbox: true }) as { paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: { oneOf?: unknown[]; anyOf?: unknown[] } } } } }>> }).paths;
    for (const path of ['/sandbox/clock', '/sandbox/{channel}/messages', '/sandbox/{channel}/events', '/sandbox/{channel}/sent', '/sandbox/{channel}/templates/review', '/sandbox/{channel}/receipts/flush']) {
      expect(Object.keys(paths)).toContain(path);
    }
    const events = paths['/sandbox/{channel}/events']!.post!.requestBody!.content['application/json'].schema;
    expect((events.oneOf ?? events.anyOf)?.length).toBe(11);
  });
});

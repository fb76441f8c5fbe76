/**
 * Going live with the CLI against every connector's fake platform over real HTTP:
 * `switchboard webhooks register <channel>` records the subscription in the fake (WhatsApp's
 * callback override, Messenger's Page fields, Telegram's and Viber's webhook) or prints the manual
 * steps (Apple); `switchboard doctor` says ok with good credentials and FAIL with a wrong token, never
 * printing a secret, and bounds a platform that does not answer with an injected timer.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorPlugin, FakePlatform } from '@switchboard/core';
import { runCli } from '../../host/src/cli.js';
import { eventually } from './support/host-harness.js';

const PUBLIC = 'https://chat.example.com';
const TENANTS = [{ id: 'shop', apiKeys: ['cli-test-key-0123456789'] }];

async function configFile(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-live-'));
  const file = join(dir, 'switchboard.config.json');
  await writeFile(file, JSON.stringify({ store: { kind: 'sqlite', path: join(dir, 'sb.db') }, ...(config as object) }));
  return file;
}

async function cli(argv: string[], options: Parameters<typeof runCli>[3] = {}): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (l) => lines.push(l), undefined, options);
  return { code, text: lines.join('\n') };
}

async function fakeOf(pkg: string): Promise<{ plugin: ConnectorPlugin; fake: FakePlatform }> {
  const plugin = (await import(pkg) as { default: ConnectorPlugin }).default;
  const fake = plugin.fake!();
  await fake.start();
  return { plugin, fake };
}

/** The credentials of a connector config (tokens, secrets, keys). */
const secretsIn = (config: Record<string, unknown>): string[] =>
  Object.entries(config).filter(([k, v]) => /token|secret|key/i.test(k) && typeof v === 'string').map(([, v]) => v as string);

describe('switchboard webhooks register and doctor against the Meta fakes', () => {
  it('regression: webhooks register whatsapp said there was no registration helper — WhatsApp: register subscribes the app with the callback override; doctor names the number and sees the URL; a wrong token is a FAIL line', async () => {
    const { fake } = await fakeOf('@switchboard/whatsapp');
    try {
      const account = fake.connectorConfig();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/whatsapp', accounts: [{ id: 'main', config: account }] }] });
      const register = await cli(['webhooks', 'register', 'whatsapp', '--config', file]);
      expect(register.code).toBe(0);
      expect(register.text).toContain(`account main: webhook registered at ${PUBLIC}/webhooks/whatsapp/main`);
      expect(register.text).toContain('platform: subscribed_apps ok');
      expect((fake as unknown as { subscription: unknown }).subscription).toEqual({ overrideCallbackUri: `${PUBLIC}/webhooks/whatsapp/main` });
      const call = fake.requests.find((r) => r.path.endsWith('/subscribed_apps') && r.method === 'POST');
      expect(call?.body).toEqual({ override_callback_uri: `${PUBLIC}/webhooks/whatsapp/main`, verify_token: account.verifyToken });

      const doctor = await cli(['doctor', '--config', file]);
      expect(doctor.text).toContain('  ok    account whatsapp/main: credentials accepted by WhatsApp Business Platform (Cloud API): Switchboard Sandbox (id ');
      expect(doctor.text).toContain('qualityRating GREEN');
      expect(doctor.text).toContain(`  ok    account whatsapp/main: the platform delivers to ${PUBLIC}/webhooks/whatsapp/main`);
      expect(doctor.code).toBe(0);

      const wrong = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/whatsapp', accounts: [{ id: 'main', config: { ...account, accessToken: 'EAAWrongTokenWrongToken0000' } }] }] });
      const failed = await cli(['doctor', '--config', wrong]);
      expect(failed.code).toBe(1);
      expect(failed.text).toMatch(/ {2}FAIL {2}account whatsapp\/main: WhatsApp .* refused the credentials: PERMANENT_FAILURE: .*Invalid OAuth access token/);
      for (const secret of [...secretsIn(account), 'EAAWrongTokenWrongToken0000']) {
        expect(failed.text).not.toContain(secret);
        expect(doctor.text).not.toContain(secret);
        expect(register.text).not.toContain(secret);
      }
    } finally {
      await fake.stop();
    }
  });

  it('Messenger: register subscribes the Page to its fields and prints the app dashboard step; doctor names the Page; a wrong token is a FAIL line', async () => {
    const { fake } = await fakeOf('@switchboard/messenger');
    try {
      const account = fake.connectorConfig();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/messenger', accounts: [{ id: 'page', config: account }] }] });
      const register = await cli(['webhooks', 'register', 'messenger', '--config', file]);
      expect(register.code).toBe(0);
      expect(register.text).toContain('platform: subscribed_apps ok');
      expect(register.text).toContain('still to do by hand:');
      expect(register.text).toContain(`set the Callback URL to ${PUBLIC}/webhooks/messenger/page`);
      expect((fake as unknown as { subscribedFields: unknown }).subscribedFields).toEqual(expect.arrayContaining(['messages', 'messaging_postbacks', 'message_deliveries', 'message_reads']));

      const doctor = await cli(['doctor', '--config', file]);
      expect(doctor.text).toContain('  ok    account messenger/page: credentials accepted by');
      expect(doctor.text).toContain('Switchboard Sandbox Page');
      expect(doctor.text).not.toContain('  warn');
      expect(doctor.code).toBe(0);

      const wrong = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/messenger', accounts: [{ id: 'page', config: { ...account, pageAccessToken: 'EAAWrongPageToken0000' } }] }] });
      const failed = await cli(['doctor', '--config', wrong]);
      expect(failed.code).toBe(1);
      expect(failed.text).toMatch(/ {2}FAIL {2}account messenger\/page: .* refused the credentials: PERMANENT_FAILURE/);
      for (const secret of [...secretsIn(account), 'EAAWrongPageToken0000']) {
        expect(failed.text).not.toContain(secret);
        expect(register.text).not.toContain(secret);
      }
    } finally {
      await fake.stop();
    }
  });
});

describe('switchboard webhooks register and doctor against the Telegram and Viber fakes', () => {
  let hook: Server;
  let hookBase = '';
  beforeAll(async () => {
    // stands in for the host's ingress: Viber's set_webhook checks the URL answers 200
    hook = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end()); });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise<void>((r) => hook.close(() => r())); });

  it('regression: doctor passed a wrong Telegram token (it never asked the platform) — now FAIL while no webhook is set, ok once registered, FAIL with a wrong token', async () => {
    const { fake } = await fakeOf('@switchboard/telegram');
    try {
      const account = fake.connectorConfig();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'bot', config: account }] }] });
      const before = await cli(['doctor', '--config', file]);
      expect(before.text).toContain('  ok    account telegram/bot: credentials accepted by');
      expect(before.text).toContain('@switchboard_sandbox_bot');
      expect(before.text).toContain(`  FAIL  account telegram/bot: the platform has no webhook registered; expected ${PUBLIC}/webhooks/telegram/bot (switchboard webhooks register telegram)`);
      expect(before.code).toBe(1);

      const register = await cli(['webhooks', 'register', 'telegram', '--config', file]);
      expect(register.code).toBe(0);
      expect(register.text).toContain('platform: setWebhook ok');
      const after = await cli(['doctor', '--config', file]);
      expect(after.text).toContain(`  ok    account telegram/bot: the platform delivers to ${PUBLIC}/webhooks/telegram/bot`);
      expect(after.code).toBe(0);

      const token = String(account.botToken);
      const badToken = `${token.split(':')[0]!}:AAWrongTokenWrongTokenWrongToken00`;
      const wrong = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'bot', config: { ...account, botToken: badToken } }] }] });
      const failed = await cli(['doctor', '--config', wrong]);
      expect(failed.code).toBe(1);
      expect(failed.text).toMatch(/ {2}FAIL {2}account telegram\/bot: .* refused the credentials: PERMANENT_FAILURE/);
      for (const text of [before.text, register.text, after.text, failed.text]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(badToken);
        expect(text).not.toContain(String(account.secretToken));
      }
    } finally {
      await fake.stop();
    }
  });

  it('Viber: register sets the webhook (the fake checks the URL answers); doctor names the bot and FAILs when Viber delivers elsewhere; a wrong token is a FAIL line', async () => {
    const { fake } = await fakeOf('@switchboard/viber');
    try {
      const account = fake.connectorConfig();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/viber', accounts: [{ id: 'bot', config: account }] }] });
      const register = await cli(['webhooks', 'register', 'viber', '--config', file, '--url', hookBase]);
      expect(register.text).toContain(`webhook registered at ${hookBase}/webhooks/viber/bot`);
      expect(register.text).toContain('platform: set_webhook ok (event types: delivered, seen, failed, subscribed, unsubscribed, conversation_started)');
      expect(register.code).toBe(0);
      expect(fake.requests.find((r) => r.path === '/pa/set_webhook')?.body).toMatchObject({ url: `${hookBase}/webhooks/viber/bot` });

      const doctor = await cli(['doctor', '--config', file]);
      expect(doctor.text).toContain('  ok    account viber/bot: credentials accepted by');
      expect(doctor.text).toContain(`  FAIL  account viber/bot: the platform delivers to ${hookBase}/webhooks/viber/bot, not ${PUBLIC}/webhooks/viber/bot`);

      const wrong = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/viber', accounts: [{ id: 'bot', config: { ...account, authToken: '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f' } }] }] });
      const failed = await cli(['doctor', '--config', wrong]);
      expect(failed.code).toBe(1);
      expect(failed.text).toMatch(/ {2}FAIL {2}account viber\/bot: .* refused the credentials: PERMANENT_FAILURE: Viber status 2/);
      for (const text of [register.text, doctor.text, failed.text]) {
        expect(text).not.toContain(String(account.authToken));
        expect(text).not.toContain('4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f');
      }
    } finally {
      await fake.stop();
    }
  });
});

describe('switchboard webhooks register apple, and a platform that does not answer', () => {
  it('Apple: register prints the Business Register steps and exits 0; doctor says plainly it cannot check the account', async () => {
    const { fake } = await fakeOf('@switchboard/apple');
    try {
      const account = fake.connectorConfig();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/apple', accounts: [{ id: 'biz', config: account }] }] });
      const register = await cli(['webhooks', 'register', 'apple', '--config', file]);
      expect(register.code).toBe(0);
      expect(register.text).toContain(`the platform offers no API to register a webhook; register ${PUBLIC}/webhooks/apple/biz by hand:`);
      expect(register.text).toContain('  1. Apple has no API to register a webhook: sign in to Apple Business Register (https://register.apple.com)');
      expect(register.text).toContain(`  2. In the MSP account's Messages for Business settings, enter ${PUBLIC}/webhooks/apple/biz`);
      const doctor = await cli(['doctor', '--config', file]);
      expect(doctor.text).toContain('  --    account apple/biz: ');
      expect(doctor.text).toContain('doctor cannot check this account with the platform');
      expect(doctor.code).toBe(0);
      for (const secret of secretsIn(account)) {
        expect(register.text).not.toContain(secret);
      }
    } finally {
      await fake.stop();
    }
  });

  it('a platform that never answers: the probe is aborted when the (injected) timer fires, and doctor prints a FAIL line', async () => {
    const seen: unknown[] = [];
    const silent = createServer((req) => { seen.push(req.url); /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const { fake } = await fakeOf('@switchboard/telegram');
      const account = { ...fake.connectorConfig(), apiBaseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` };
      await fake.stop();
      const file = await configFile({ publicUrl: PUBLIC, tenants: TENANTS, connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'bot', config: account }] }] });
      const timers: { ms: number; fire: () => void }[] = [];
      const running = cli(['doctor', '--config', file], { probeTimeoutMs: 2500, startTimer: (ms, fire) => { timers.push({ ms, fire }); return () => {}; } });
      await eventually(() => seen.length > 0 && timers.length > 0);
      expect(timers[0]!.ms).toBe(2500);
      timers[0]!.fire();
      const doctor = await running;
      expect(doctor.code).toBe(1);
      expect(doctor.text).toContain('  FAIL  account telegram/bot: Telegram');
      expect(doctor.text).toContain('no answer within 2500 ms');
      expect(doctor.text).not.toContain(String(account.botToken));
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

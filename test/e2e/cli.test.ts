/** The switchboard CLI: argument parsing, doctor, webhook registration against the Telegram fake, simulate. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorPlugin } from '@switchboard/core';
import { parseArgs, runCli } from '../../host/src/cli.js';

async function configFile(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-cli-'));
  const file = join(dir, 'switchboard.config.json');
  await writeFile(file, JSON.stringify(config));
  return file;
}

describe('switchboard CLI', () => {
  it('parses commands, flags and positionals', () => {
    expect(parseArgs(['start', '--sandbox', '--config', 'x.ts'])).toEqual({ command: 'start', positional: [], flags: { sandbox: true, config: 'x.ts' } });
    expect(parseArgs(['simulate', 'telegram', '--from=42', '--text', 'hi there'])).toEqual({ command: 'simulate', positional: ['telegram'], flags: { from: '42', text: 'hi there' } });
  });

  it('registers the Telegram webhook through the connector\'s setWebhook helper', async () => {
    const plugin = (await import('@switchboard/telegram')).default as ConnectorPlugin;
    const fake = plugin.fake!();
    await fake.start();
    try {
      const file = await configFile({
        publicUrl: 'https://chat.example.com',
        tenants: [{ id: 'shop', apiKeys: ['cli-test-key-0123456789'] }],
        connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'bot', config: fake.connectorConfig() }] }],
      });
      const lines: string[] = [];
      expect(await runCli(['webhooks', 'register', 'telegram', '--config', file], (l) => lines.push(l))).toBe(0);
      expect(lines.join('\n')).toContain('webhook registered at https://chat.example.com/webhooks/telegram/bot');
      const call = fake.requests.find((r) => r.path.endsWith('/setWebhook'));
      expect(call?.body).toMatchObject({ url: 'https://chat.example.com/webhooks/telegram/bot', secret_token: fake.connectorConfig().secretToken });

      const doctor: string[] = [];
      expect(await runCli(['doctor', '--config', file], (l) => doctor.push(l))).toBe(0);
      expect(doctor).toContain('  ok    webhook URL https://chat.example.com/webhooks/telegram/bot');
    } finally {
      await fake.stop();
    }
  });

  it('says so when a channel has no registration helper, and doctor reports problems with exit 1', async () => {
    const plugin = (await import('@switchboard/whatsapp')).default as ConnectorPlugin;
    const fake = plugin.fake!();
    await fake.start();
    try {
      const file = await configFile({
        publicUrl: 'http://not-https.example.com',
        tenants: [{ id: 'shop', apiKeys: ['cli-test-key-0123456789'] }],
        connectors: [{ package: '@switchboard/whatsapp', accounts: [{ id: 'main', config: fake.connectorConfig() }] }, { package: '@switchboard/missing', accounts: [{ id: 'x', config: {} }] }],
      });
      const lines: string[] = [];
      expect(await runCli(['webhooks', 'register', 'whatsapp', '--config', file], (l) => lines.push(l))).toBe(1);
      expect(lines.join('\n')).toMatch(/offers no webhook registration helper; register http:\/\/not-https\.example\.com\/webhooks\/whatsapp\/main/);
      const doctor: string[] = [];
      expect(await runCli(['doctor', '--config', file], (l) => doctor.push(l))).toBe(1);
      expect(doctor.join('\n')).toMatch(/FAIL {2}connector @switchboard\/missing: cannot be imported/);
      expect(doctor.join('\n')).toMatch(/FAIL {2}publicUrl http:\/\/not-https\.example\.com is not HTTPS/);
    } finally {
      await fake.stop();
    }
  });

  it('simulate explains what it needs', async () => {
    const lines: string[] = [];
    expect(await runCli(['simulate', 'telegram'], (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/^usage: switchboard simulate/);
    expect(await runCli(['frobnicate'], (l) => lines.push(l))).toBe(2);
  });
});

/** The switchboard CLI: argument parsing, doctor, webhook registration against the Telegram fake, simulate, help, version, fake. */
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ConnectorPlugin } from '@switchboard/core';
import { parseArgs, runCli } from '../../host/src/cli.js';
import { eventually } from './support/host-harness.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const hostPackage = JSON.parse(readFileSync(here('../../host/package.json'), 'utf8')) as { version: string; bin: Record<string, string>; files: string[] };

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

  it('a platform refusing the registration is exit 1 with its error, and doctor reports problems with exit 1', async () => {
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
      // Graph takes only an HTTPS callback override
      expect(lines.join('\n')).toMatch(/account main: registration failed: PERMANENT_FAILURE: \(#100\) Invalid parameter/);
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

describe('switchboard --help and --version', () => {
  it('regression: --help exits 0 (it printed the usage and exited 2), for the CLI and for a command', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['start', '--help'], ['fake', '--help']]) {
      const lines: string[] = [];
      expect([argv, await runCli(argv, (l) => lines.push(l))]).toEqual([argv, 0]);
      expect(lines.join('\n')).toMatch(/^switchboard <command>/);
      expect(lines.join('\n')).toContain('fake <channel> [--port <n>]');
    }
    const bare: string[] = [];
    expect(await runCli([], (l) => bare.push(l))).toBe(2);
  });

  it('regression: --version prints the version of @switchboard/host (there was none)', async () => {
    for (const argv of [['--version'], ['-v'], ['version']]) {
      const lines: string[] = [];
      expect(await runCli(argv, (l) => lines.push(l))).toBe(0);
      expect(lines).toEqual([hostPackage.version]);
    }
  });

  it('regression: the bin is a file in the repository, so npm links it before any build (npx switchboard fetched a foreign package)', () => {
    const bin = hostPackage.bin.switchboard!;
    expect(bin).not.toMatch(/^\.?\/?dist\//);
    expect(existsSync(here(`../../host/${bin}`))).toBe(true);
    expect(hostPackage.files).toContain(bin.replace(/^\.\//, '').split('/')[0]);
    const root = JSON.parse(readFileSync(here('../../package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(root.devDependencies['@switchboard/host']).toBe(hostPackage.version);
  });

  it('the bin says to build first when dist/ is missing, instead of failing on an import', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-bin-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(here(`../../host/${hostPackage.bin.switchboard!}`), join(dir, 'bin', 'switchboard.js'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const run = spawnSync(process.execPath, [join(dir, 'bin', 'switchboard.js'), '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('run `npm run build` first');
  });
});

/** A webhook receiver recording each body. */
async function receiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { bodies.push(JSON.parse(Buffer.concat(chunks).toString())); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram/main`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('switchboard fake <channel>', () => {
  it('runs one fake platform with a control server until SIGINT: config printed, events posted to the webhook, sent log, typed 4xx', async () => {
    const signals = new EventEmitter();
    const lines: string[] = [];
    const hook = await receiver();
    const done = runCli(['fake', 'telegram', '--port', '0', '--webhook', hook.url], (l) => lines.push(l), signals);
    try {
      const control = await eventually(() => /Control: (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'))?.[1]);
      const platform = /Fake telegram platform at (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join('\n'))![1]!;
      const config = JSON.parse(lines[lines.findIndex((l) => l.includes('Connector config')) + 1]!.trim()) as { botToken: string; apiBaseUrl: string };
      expect(config.apiBaseUrl).toContain(platform);
      // the printed event command, as printed (its webhook is this test's receiver)
      const printed = lines.find((l) => l.includes(`${control}/events`))!;
      const body = /-d '([^']+)'/.exec(printed)![1]!;
      const posted = await fetch(`${control}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(posted.status).toBe(202);
      expect(await posted.json()).toMatchObject({ delivered: true, kind: 'text', webhookUrl: hook.url });
      expect(hook.bodies).toEqual([expect.objectContaining({ message: expect.objectContaining({ text: 'Hello' }) })]);
      const unknown = await fetch(`${control}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'teleport', userId: '1' }) });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('it simulates: text') });
      const sent = await fetch(`${control}/sent?limit=5`);
      expect([sent.status, ((await sent.json()) as { limit: number }).limit]).toEqual([200, 5]);
      expect((await fetch(`${control}/sent?limit=0`)).status).toBe(400);
      expect((await fetch(`${control}/nowhere`)).status).toBe(404);
      expect((await fetch(`${control}/webhook`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"url":"ftp://x"}' })).status).toBe(400);
      expect((await fetch(`${control}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":' })).status).toBe(400);
    } finally {
      signals.emit('SIGINT');
      expect(await done).toBe(0);
      await hook.close();
    }
    expect(lines.at(-1)).toBe('fake telegram platform stopped (SIGINT)');
  });

  it('refuses an unknown channel and a bad port', async () => {
    const lines: string[] = [];
    expect(await runCli(['fake'], (l) => lines.push(l))).toBe(2);
    expect(await runCli(['fake', 'telegram', '--port', 'x'], (l) => lines.push(l))).toBe(2);
    expect(await runCli(['fake', 'pigeon'], (l) => lines.push(l))).toBe(1);
    expect(lines.at(-1)).toMatch(/^CONFIG_INVALID: channel: no first-party fake platform for "pigeon"/);
  });

  it('runs as a process of its own and stops cleanly on SIGTERM', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const child = spawn(process.execPath, ['--import', tsx, here('../../host/src/cli.ts'), 'fake', 'whatsapp', '--port', '0'], {
      env: { ...process.env, TSX_TSCONFIG_PATH: here('../reliability/support/tsconfig.child.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await eventually(() => /Fake whatsapp platform at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 90_000);
      await eventually(() => out.includes('Ctrl-C stops it.') || undefined, 90_000);
      // the platform answers as the platform does: a Graph call without a token is refused
      const res = await fetch(`${url}/v21.0/123/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('fake whatsapp platform stopped (SIGTERM)');
  });
});

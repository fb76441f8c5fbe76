import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_USAGE, HELP, main } from './cli.js';
import { ownVersion } from './generate.js';

let cwd = '';
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'create-switchboard-cli-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { cwd, out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

describe('create-switchboard', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run('--help');
    expect(r).toEqual({ code: 0, out: HELP, err: '' });
    expect(HELP).toContain('npm create switchboard -- --connector <name>');
  });

  it('--version prints the package version', async () => {
    expect(await run('--version')).toEqual({ code: 0, out: `${ownVersion()}\n`, err: '' });
  });

  it('scaffolds an app with the default channel, telegram', async () => {
    const r = await run('my-bot');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Created my-bot (telegram)');
    const config = readFileSync(join(cwd, 'my-bot', 'switchboard.config.js'), 'utf8');
    expect(config).toContain("package: '@switchboard/telegram'");
    expect(config).not.toContain('@switchboard/whatsapp');
  });

  it('scaffolds an app with --channels into --dir', async () => {
    const r = await run('shop', '--channels', 'whatsapp,telegram', '--dir', 'apps/shop');
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(cwd, 'apps', 'shop', 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    expect(pkg.name).toBe('shop');
    expect(Object.keys(pkg.dependencies)).toEqual(['@switchboard/core', '@switchboard/host', '@switchboard/whatsapp', '@switchboard/telegram']);
  });

  it('scaffolds a vendor connector with --connector into switchboard-<name>', async () => {
    const r = await run('--connector', 'acme-sms');
    expect(r.code).toBe(0);
    expect(readdirSync(join(cwd, 'switchboard-acme-sms', 'src')).sort()).toEqual(
      ['__fixtures__', 'api.ts', 'config.ts', 'conformance.test.ts', 'connector.ts', 'fake-server.ts', 'index.ts', 'plugin.ts', 'policy.ts'],
    );
  });

  it.each([
    [['My Bot'], /the app name "My Bot" must be lower-case/],
    [['--connector', 'Acme SMS'], /the connector name "Acme SMS" must be lower-case/],
    [['--connector', 'telegram'], /taken by a first-party connector/],
    [[], /name the app, e.g. npm create switchboard my-bot/],
    [['a', 'b'], /one app name, please/],
    [['bot', '--channels', 'telegram,sms'], /unknown channel "sms"/],
    [['bot', '--channels', ','], /--channels needs at least one/],
    [['bot', '--colour'], /Unknown option '--colour'/],
    [['--connector'], /argument missing/],
    [['--connector', 'acme-sms', 'extra'], /--connector takes no app name/],
    [['--connector', 'acme-sms', '--channels', 'telegram'], /--channels is for apps/],
  ])('refuses %j with a clear message and exit 2, writing nothing', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('Run create-switchboard --help for usage.');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a non-empty target folder with exit 2 and leaves its contents alone', async () => {
    mkdirSync(join(cwd, 'my-bot'));
    writeFileSync(join(cwd, 'my-bot', 'notes.txt'), 'mine');
    const r = await run('my-bot');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/my-bot is not empty \(1 entry\); choose a new or empty folder/);
    expect(readdirSync(join(cwd, 'my-bot'))).toEqual(['notes.txt']);
  });

  it('writes into an existing empty folder', async () => {
    mkdirSync(join(cwd, 'empty'));
    expect((await run('bot', '--dir', 'empty')).code).toBe(0);
    expect(existsSync(join(cwd, 'empty', 'package.json'))).toBe(true);
  });
});

describe('the create-switchboard executable', () => {
  const bin = fileURLToPath(new URL('../bin/create-switchboard.js', import.meta.url));
  const built = existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)));

  it.skipIf(!built)('exits 0 on --help and 2 on a bad name, as a process (skipped before the build)', async () => {
    const exec = promisify(execFile);
    const help = await exec(process.execPath, [bin, '--help'], { cwd });
    expect(help.stdout).toBe(HELP);
    const bad = await exec(process.execPath, [bin, 'Bad Name'], { cwd }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/must be lower-case/);
  });
});

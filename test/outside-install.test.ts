/**
 * The outside-install test: Switchboard installed as an integrator and a vendor would install it.
 *
 * Every publishable package is packed with `npm pack` (what the registry would receive), and the
 * tarballs are installed into empty folders under `os.tmpdir()`, outside the repository, so
 * nothing resolves to a workspace source, a root `node_modules` or the repository's vitest config:
 *
 * 1. an integrator's folder (the scaffolded app's, see 2: one host install serves both): core,
 *    host, the connectors and the scaffolded vendor connector (3) from their tarballs, a config
 *    module of its own with a bot; `switchboard start` (the installed bin) runs a host against the
 *    fake Telegram and the vendor's fake platform, a signed webhook goes in on each, the bot's
 *    answer comes out at each fake, the REST API lists both conversations, SIGTERM stops the host;
 * 2. `create-switchboard` from its tarball scaffolds an app, which installs and passes its own test;
 * 3. `create-switchboard --connector` scaffolds a vendor connector, which installs and passes the
 *    testkit's conformance suite;
 * 4. a core packed as 0.1.1 installs beside every connector built against 0.1.0 (no ERESOLVE).
 *
 * Installs use the npm cache `npm ci` filled (`--prefer-offline --no-audit --no-fund`) and
 * `--ignore-scripts`: better-sqlite3's install script would compile SQLite from source again
 * (minutes), so its native addon is taken from the workspace's own build of the same version
 * (checked), copied into the installed package. Timings are printed, never asserted.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramServer } from '@switchboard/telegram';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Every publishable workspace (not `private`), read from the root package.json's `workspaces`
 * (`dir/*` patterns expanded): a package added to the workspace is packed and installed here
 * without this file having to learn of it.
 */
function publishableWorkspaces(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = workspaces.flatMap((pattern) => (pattern.endsWith('/*')
    ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${pattern.slice(0, -2)}/${e.name}`)
    : [pattern]));
  return dirs.filter((dir) => {
    const manifest = join(root, dir, 'package.json');
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean }).private !== true;
  }).sort();
}
const PACKED = publishableWorkspaces();

/** The packages the scenarios below install: each must be among those packed. */
const NEEDED = [
  '@switchboard/core', '@switchboard/client', '@switchboard/host', '@switchboard/testkit', 'create-switchboard',
  ...['whatsapp', 'messenger', 'telegram', 'viber', 'apple'].map((c) => `@switchboard/${c}`),
];

/** Flags of every install: the cache first, no audit, no funding notice, no install scripts. */
const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/** The whole file's bound on any one step: a limit for a loaded machine, not a measurement. */
const STEP_MS = 600_000;

const timings: Record<string, number> = {};
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - started);
  }
}

/** This process's environment without vitest's own variables, which would confuse a nested vitest. */
const childEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'FORCE_COLOR')),
  NO_COLOR: '1',
});

/** Runs a command in a folder; on failure the error carries its output. */
async function sh(cwd: string, command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

const writeJson = (file: string, value: unknown): void => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** An empty folder that installs as a project of its own. */
function project(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'package.json'), { name, version: '0.0.0', private: true, type: 'module' });
  return dir;
}

/**
 * Puts the workspace's compiled better-sqlite3 addon into an install made with `--ignore-scripts`
 * (which skipped the compile), after checking both are the same version.
 */
function reuseSqliteBuild(projectDir: string): void {
  const installed = join(projectDir, 'node_modules', 'better-sqlite3');
  const workspace = join(root, 'node_modules', 'better-sqlite3');
  const version = (dir: string): string => readJson<{ version: string }>(join(dir, 'package.json')).version;
  expect(version(installed), 'the install resolved the better-sqlite3 the workspace built').toBe(version(workspace));
  mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
  copyFileSync(join(workspace, 'build', 'Release', 'better_sqlite3.node'), join(installed, 'build', 'Release', 'better_sqlite3.node'));
}

let work = '';
const tarballs = new Map<string, string>();
const tgz = (name: string): string => {
  const file = tarballs.get(name);
  if (!file) throw new Error(`${name} was not packed`);
  return file;
};

/** The folders the tests check, each installed from the tarballs in `beforeAll`. */
const dirs = { integrator: '', app: '', connector: '', patched: '', scaffolder: '' };
/** The core tarball re-packed as 0.1.1. */
let patchedCore = '';
/** The app's package.json as scaffolded. */
let appPackage = '';
/** What the scaffolded connector's `npm test` printed. */
let connectorTestOutput = '';
/** The scaffolded connector, built and packed. */
let connectorTarball = '';
/** What `create-switchboard` printed for the app. */
let createdApp = '';

const scaffolderBin = (): string => join(dirs.scaffolder, 'node_modules', '.bin', 'create-switchboard');

beforeAll(async () => {
  const started = performance.now();
  work = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-outside-')));
  // outside the repository: no workspace node_modules, sources or vitest config above it
  expect(relative(root, work).startsWith('..')).toBe(true);
  // the tarballs are made of the builds: build (incrementally) what this checkout has not
  if (PACKED.some((dir) => !existsSync(join(root, dir, 'dist', 'index.js')))) {
    await timed('build', () => sh(root, 'npm', ['run', 'build']));
  }
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  await timed(`npm pack (${PACKED.length} packages)`, async () => {
    const out = await sh(root, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs, ...PACKED.flatMap((dir) => ['-w', dir])]);
    for (const entry of JSON.parse(out) as { name: string; filename: string }[]) tarballs.set(entry.name, join(packs, entry.filename));
  });
  expect(tarballs.size).toBe(PACKED.length);
  expect([...tarballs.keys()]).toEqual(expect.arrayContaining(NEEDED));

  // the four installs are independent: they run side by side, sharing the npm cache
  const scaffolds = async (): Promise<void> => {
    dirs.scaffolder = project(join(work, 'scaffolder'), 'scaffolder');
    await timed('create-switchboard install', () => sh(dirs.scaffolder, 'npm', [...INSTALL, tgz('create-switchboard')]));
    mkdirSync(join(work, 'apps'));
    createdApp = await sh(join(work, 'apps'), scaffolderBin(), ['my-bot', '--channels', 'telegram,whatsapp,messenger,viber,apple']);
    dirs.app = join(work, 'apps', 'my-bot');
    mkdirSync(join(work, 'vendors'));
    await sh(join(work, 'vendors'), scaffolderBin(), ['--connector', 'acme-sms']);
    dirs.connector = join(work, 'vendors', 'switchboard-acme-sms');
    // the scaffolds depend on caret ranges of packages the registry does not have yet: their
    // tarballs stand in for them (the ranges themselves are checked by the tests below)
    appPackage = readFileSync(join(dirs.app, 'package.json'), 'utf8');
    const connectorPackage = readFileSync(join(dirs.connector, 'package.json'), 'utf8');
    await Promise.all([
      timed('app install', async () => {
        // the host depends on @switchboard/client (its CLI sends through it): its tarball stands in for the registry's too
        await sh(dirs.app, 'npm', [...INSTALL, ...['core', 'client', 'host', 'telegram', 'whatsapp', 'messenger', 'viber', 'apple', 'testkit'].map((p) => tgz(`@switchboard/${p}`))]);
      }),
      (async () => {
        await timed('connector install', () => sh(dirs.connector, 'npm', [...INSTALL, tgz('@switchboard/core'), tgz('@switchboard/testkit')]));
        writeFileSync(join(dirs.connector, 'package.json'), connectorPackage);
        await Promise.all([
          // its own test runs here, while the app's (longer) install goes on; the test below checks its output
          timed('connector npm test', async () => { connectorTestOutput = await sh(dirs.connector, 'npm', ['test']); }),
          // built and packed as its vendor would publish it (peer @switchboard/core ^0.1.0), for the integrator to install by name
          timed('connector build and pack', async () => {
            await sh(dirs.connector, 'npm', ['run', 'build']);
            const [packed] = JSON.parse(await sh(dirs.connector, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work])) as { filename: string }[];
            connectorTarball = join(work, packed!.filename);
          }),
        ]);
      })(),
    ]);
  };
  const patched = async (): Promise<void> => {
    // the same core, as its next patch release would be packed
    const unpacked = join(work, 'core-0.1.1');
    mkdirSync(unpacked);
    await sh(unpacked, 'tar', ['-xzf', tgz('@switchboard/core'), '--strip-components=1']);
    writeJson(join(unpacked, 'package.json'), { ...readJson<Record<string, unknown>>(join(unpacked, 'package.json')), version: '0.1.1' });
    const [packed] = JSON.parse(await sh(unpacked, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work])) as { filename: string }[];
    patchedCore = join(work, packed!.filename);
    dirs.patched = project(join(work, 'patched'), 'patched');
    const connectors = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'].map((c) => tgz(`@switchboard/${c}`));
    await timed('core 0.1.1 install', () => sh(dirs.patched, 'npm', [...INSTALL, patchedCore, ...connectors]));
  };
  await Promise.all([scaffolds(), patched()]);
  // the vendor's connector joins the app's install, as an integrator adds a connector: one host
  // install serves the integrator's test and the app's (two would double the file's time)
  await timed('app install of the scaffolded connector', () => sh(dirs.app, 'npm', [...INSTALL, connectorTarball]));
  reuseSqliteBuild(dirs.app);
  // npm wrote file: specs for the tarballs into package.json: the scaffold's own manifest goes back
  writeFileSync(join(dirs.app, 'package.json'), appPackage);
  dirs.integrator = dirs.app;
  timings['beforeAll (pack and all installs)'] = Math.round(performance.now() - started);
}, STEP_MS);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  console.info(`outside-install timings (ms): ${JSON.stringify(timings)}`);
}, STEP_MS);

describe('outside-install: packed tarballs in empty folders outside the repository', () => {
  it('regression: an integrator\'s TypeScript checks against the installed packages with skipLibCheck false (the host\'s declarations import express and name pdfkit\'s types, both only dev dependencies: TS7016, TS2503)', async () => {
    const dir = dirs.integrator;
    // from outside the install only @types/node, which any TypeScript project on Node has
    mkdirSync(join(dir, 'typeroots'), { recursive: true });
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(dir, 'typeroots', 'node'));
    writeFileSync(join(dir, 'typecheck.mts'), [
      "import { createSwitchboardClient } from '@switchboard/client';",
      "import type { ConnectorPlugin } from '@switchboard/core';",
      "import { configFromObject, createHost, defineConfig, type BotContext } from '@switchboard/host';",
      "import telegram from '@switchboard/telegram';",
      'export const plugin: ConnectorPlugin = telegram;',
      "export const config = defineConfig({ tenants: [{ id: 'shop', apiKeys: ['typecheck-key-0123456789'] }], connectors: [] });",
      "export async function bot(ctx: BotContext): Promise<void> { await ctx.reply('hello'); }",
      'export const start = (): ReturnType<typeof createHost> => createHost(configFromObject(config));',
      "export const client = createSwitchboardClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'typecheck-key-0123456789' });",
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'tsconfig.typecheck.json'), JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', lib: ['es2023'], types: ['node'], typeRoots: ['./typeroots'] },
      files: ['typecheck.mts'],
    }));
    // tsc exits non-zero on any error in any declaration file it reads; sh rejects with its output
    await timed('integrator type check', () => sh(dir, process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.typecheck.json']));
  }, STEP_MS);

  it('an integrator: a host started with the installed bin answers through its bot on Telegram and on the scaffolded vendor connector, loaded by name', async () => {
    const dir = dirs.integrator;
    expect(readdirSync(join(dir, 'node_modules', '@switchboard'))).toEqual(expect.arrayContaining(['core', 'host', 'telegram']));

    const telegram = new FakeTelegramServer();
    await telegram.start();
    // the vendor's fake platform, from the connector package the integrator installed
    const vendor = (await import(pathToFileURL(join(dir, 'node_modules', 'switchboard-acme-sms', 'dist', 'index.js')).href)) as {
      FakeAcmeSmsServer: new () => FakeTelegramServer;
    };
    const acme = new vendor.FakeAcmeSmsServer();
    await acme.start();
    let child: ChildProcess | undefined;
    try {
      const apiKey = 'outside-install-key-0123456789';
      writeFileSync(join(dir, 'outside.config.mjs'), [
        "import { defineConfig } from '@switchboard/host';",
        'export default defineConfig({',
        "  logLevel: 'warn',",
        "  store: { kind: 'sqlite', path: 'data/outside.db' },",
        "  tenants: [{ id: 'shop', name: 'Outside Shop', apiKeys: [{ env: 'SHOP_API_KEY' }], routing: { rules: [{ to: { bot: 'echo' } }] } }],",
        '  connectors: [',
        `    { package: '@switchboard/telegram', required: true, accounts: [{ id: 'main', config: ${JSON.stringify(telegram.connectorConfig())} }] },`,
        `    { package: 'switchboard-acme-sms', required: true, accounts: [{ id: 'main', config: ${JSON.stringify(acme.connectorConfig())} }] },`,
        '  ],',
        '  bots: { echo: async (ctx) => { if (!ctx.keyword && ctx.text) await ctx.reply(`outside: ${ctx.text}`); } },',
        '});',
        '',
      ].join('\n'));

      const started = performance.now();
      child = spawn(process.execPath, [join(dir, 'node_modules', '@switchboard', 'host', 'bin', 'switchboard.js'), 'start', '--config', 'outside.config.mjs'], {
        cwd: dir, env: { ...childEnv(), PORT: '0', SHOP_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child!.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Switchboard host running at (\S+)/.exec(output);
          if (match) resolve(match[1]!.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:'));
        });
        child!.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
        child!.once('exit', (code) => reject(new Error(`switchboard start exited with ${code} before listening:\n${output}`)));
      });
      timings['integrator host start'] = Math.round(performance.now() - started);
      expect(existsSync(join(dir, 'data', 'outside.db')), 'the SQLite store opened with the reused addon').toBe(true);

      const webhook = telegram.userMessage({ userId: '700100200', text: 'Is my order ready?', name: 'Ada' });
      const answer = await telegram.deliver(`${url}/webhooks/telegram/main`, webhook);
      expect(answer.status).toBe(200);
      await expect.poll(() => telegram.sentMessages().map((m) => JSON.stringify(m.request.body)), { timeout: 60_000 })
        .toEqual([expect.stringContaining('outside: Is my order ready?')]);
      expect(telegram.sentMessages()[0]!.userId).toBe('700100200');

      // the scaffolded vendor connector, loaded by its package name: the same round trip
      const sms = await acme.deliver(`${url}/webhooks/acme-sms/main`, acme.userMessage({ userId: 'customer-4711', text: 'Hello from SMS' }));
      expect(sms.status).toBe(200);
      await expect.poll(() => acme.sentMessages().map((m) => JSON.stringify(m.request.body)), { timeout: 60_000 })
        .toEqual([expect.stringContaining('outside: Hello from SMS')]);

      const conversations = await fetch(`${url}/v1/conversations`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(conversations.status).toBe(200);
      expect(((await conversations.json()) as { items: { address: { channel: string } }[] }).items.map((c) => c.address.channel).sort()).toEqual(['acme-sms', 'telegram']);

      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = undefined;
    } finally {
      child?.kill('SIGKILL');
      await telegram.stop();
      await acme.stop();
    }
  }, STEP_MS);

  it('npm create switchboard my-bot --channels (all five, from its tarball): the app depends on caret ranges and passes its own test', async () => {
    expect(createdApp).toContain('Created my-bot (telegram, whatsapp, messenger, viber, apple)');
    const scaffolded = JSON.parse(readFileSync(join(dirs.app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(scaffolded.dependencies).toEqual({
      '@switchboard/core': '^0.1.0', '@switchboard/host': '^0.1.0', '@switchboard/telegram': '^0.1.0', '@switchboard/whatsapp': '^0.1.0',
      '@switchboard/messenger': '^0.1.0', '@switchboard/viber': '^0.1.0', '@switchboard/apple': '^0.1.0',
    });
    expect(scaffolded.scripts).toMatchObject({ start: 'switchboard start', test: 'vitest run' });
    const out = await timed('app npm test', () => sh(dirs.app, 'npm', ['test']));
    // one customer message answered per channel, the bot's answers, the API's key check
    expect(out).toMatch(/Tests\s+7 passed \(7\)/);
  }, STEP_MS);

  it('npm create switchboard -- --connector acme-sms: the connector passes the testkit\'s conformance suite', async () => {
    const scaffolded = JSON.parse(readFileSync(join(dirs.connector, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    expect(scaffolded.peerDependencies).toEqual({ '@switchboard/core': '^0.1.0' });
    // its `npm test` ran in beforeAll, beside the app's install
    const out = connectorTestOutput;
    expect(out).toContain('src/conformance.test.ts');
    // every conformance test passes; the checks of optional members it does not implement (probe, webhookSetup) skip
    const tally = /Tests\s+(\d+) passed(?: \| (\d+) skipped)? \((\d+)\)/.exec(out);
    expect(tally, out).not.toBeNull();
    const [, passed, skipped = '0', total] = tally!;
    expect(Number(passed) + Number(skipped)).toBe(Number(total));
    expect(Number(passed)).toBeGreaterThanOrEqual(40);
    expect(out).not.toMatch(/\bfailed\b/);
  }, STEP_MS);

  it('create-switchboard refuses a non-empty folder with exit 2', async () => {
    const taken = join(work, 'taken');
    mkdirSync(join(taken, 'my-bot'), { recursive: true });
    writeFileSync(join(taken, 'my-bot', 'keep.txt'), 'mine');
    const failure = await exec(scaffolderBin(), ['my-bot'], { cwd: taken }).then(() => undefined, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/is not empty/);
    expect(readdirSync(join(taken, 'my-bot'))).toEqual(['keep.txt']);
  });

  it('regression: a core released as 0.1.1 installs beside connectors built against 0.1.0 (exact peers failed with ERESOLVE)', async () => {
    const dir = dirs.patched;
    expect(readJson<{ version: string }>(join(dir, 'node_modules', '@switchboard', 'core', 'package.json')).version).toBe('0.1.1');
    const connectors = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'];
    for (const c of connectors) {
      expect(readJson<{ peerDependencies: Record<string, string> }>(join(dir, 'node_modules', '@switchboard', c, 'package.json')).peerDependencies['@switchboard/core']).toBe('^0.1.0');
    }
    // one core for all: no connector got a nested copy of its own
    expect(connectors.filter((c) => existsSync(join(dir, 'node_modules', '@switchboard', c, 'node_modules', '@switchboard', 'core')))).toEqual([]);
    const loaded = await sh(dir, process.execPath, ['--input-type=module', '-e', "const t = await import('@switchboard/telegram'); console.log(t.default.channel, t.default.apiVersion)"]);
    expect(loaded.trim()).toBe('telegram 1');
  });
});

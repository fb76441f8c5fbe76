/** The CLI's command line (node:util parseArgs, strict per command) and its signal handling, down to the built bin in a real child process. */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseArgs, processSignals, runCli } from './cli.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const hostVersion = (JSON.parse(readFileSync(here('../package.json'), 'utf8')) as { version: string }).version;

/** Each command and the options it takes (the usage text and the docs name these). */
const OPTIONS: Record<string, { strings: string[]; flags: string[] }> = {
  start: { strings: ['config'], flags: ['sandbox', 'ephemeral'] },
  doctor: { strings: ['config'], flags: [] },
  backup: { strings: ['config', 'db'], flags: [] },
  webhooks: { strings: ['config', 'url'], flags: [] },
  simulate: { strings: ['from', 'text', 'url', 'api-key'], flags: [] },
  fake: { strings: ['port', 'control-port', 'webhook', 'package'], flags: [] },
  keys: { strings: ['tenant', 'scopes', 'name', 'config'], flags: ['json'] },
};

describe('parseArgs (node:util, strict per command)', () => {
  it('reads every documented command line as before', () => {
    expect(parseArgs(['start', '--sandbox', '--config', 'x.ts'])).toEqual({ command: 'start', positional: [], flags: { sandbox: true, config: 'x.ts' } });
    expect(parseArgs(['start', '--ephemeral'])).toEqual({ command: 'start', positional: [], flags: { ephemeral: true } });
    expect(parseArgs(['simulate', 'telegram', '--from=42', '--text', 'hi there'])).toEqual({ command: 'simulate', positional: ['telegram'], flags: { from: '42', text: 'hi there' } });
    expect(parseArgs(['backup', '/backup/x.db', '--db', 'data/switchboard.db'])).toEqual({ command: 'backup', positional: ['/backup/x.db'], flags: { db: 'data/switchboard.db' } });
    expect(parseArgs(['webhooks', 'register', 'viber', '--url', 'https://public.example'])).toEqual({ command: 'webhooks', positional: ['register', 'viber'], flags: { url: 'https://public.example' } });
    expect(parseArgs(['fake', 'whatsapp', '--port', '4010', '--webhook', 'http://127.0.0.1:3000/webhooks/whatsapp/main'])).toEqual({ command: 'fake', positional: ['whatsapp'], flags: { port: '4010', webhook: 'http://127.0.0.1:3000/webhooks/whatsapp/main' } });
    expect(parseArgs(['keys', 'create', '--tenant', 't1', '--scopes', 'read,messages:send', '--name', 'crm'])).toEqual({ command: 'keys', positional: ['create'], flags: { tenant: 't1', scopes: 'read,messages:send', name: 'crm' } });
    expect(parseArgs(['keys', 'list', '--tenant', 't1', '--json'])).toEqual({ command: 'keys', positional: ['list'], flags: { tenant: 't1', json: true } });
    expect(parseArgs(['-h'])).toEqual({ command: undefined, positional: [], flags: { help: true } });
    expect(parseArgs(['start', '-v'])).toEqual({ command: 'start', positional: [], flags: { version: true } });
  });

  it('refuses an option the command does not take, naming the command and its options', () => {
    expect(() => parseArgs(['start', '--bogus'])).toThrow(CliUsageError);
    expect(() => parseArgs(['start', '--bogus'])).toThrow(/^switchboard start: Unknown option '--bogus'\n {2}options of switchboard start: .*--config <file>, --sandbox, --ephemeral$/);
    // an option of another command is unknown here
    expect(() => parseArgs(['doctor', '--sandbox'])).toThrow(/^switchboard doctor: Unknown option '--sandbox'/);
    expect(() => parseArgs(['--config', 'x.ts'])).toThrow(/^switchboard: /);
  });

  it('refuses a string option without its value and a flag given one', () => {
    expect(() => parseArgs(['start', '--config'])).toThrow(/^switchboard start: Option '--config <value>' argument missing/);
    expect(() => parseArgs(['start', '--sandbox=yes'])).toThrow(/^switchboard start: Option '--sandbox' does not take an argument/);
    // a value that looks like an option is ambiguous unless written --x=-y
    expect(() => parseArgs(['simulate', 'telegram', '--text', '-1'])).toThrow(CliUsageError);
    expect(parseArgs(['simulate', 'telegram', '--text=-1']).flags.text).toBe('-1');
  });

  it('an unknown command is reported as such, not as an unknown option of it', () => {
    expect(parseArgs(['frobnicate', '--x'])).toMatchObject({ command: 'frobnicate' });
  });

  it('property: every option a command takes reads the same as `--x v` and `--x=v`; any other name is refused', () => {
    const value = fc.string({ minLength: 1, maxLength: 40 }).filter((v) => !v.startsWith('-'));
    const cases = Object.entries(OPTIONS).flatMap(([command, o]) => o.strings.map((option) => ({ command, option })));
    fc.assert(fc.property(fc.constantFrom(...cases), value, ({ command, option }, v) => {
      const spaced = parseArgs([command, `--${option}`, v]);
      expect(parseArgs([command, `--${option}=${v}`])).toEqual(spaced);
      expect(spaced).toEqual({ command, positional: [], flags: { [option]: v } });
    }));
    const name = fc.stringMatching(/^[a-z][a-z-]{0,20}$/);
    fc.assert(fc.property(fc.constantFrom(...Object.keys(OPTIONS)), name, (command, option) => {
      fc.pre(![...OPTIONS[command]!.strings, ...OPTIONS[command]!.flags, 'help', 'version'].includes(option));
      expect(() => parseArgs([command, `--${option}`])).toThrow(CliUsageError);
    }));
  });
});

describe('runCli', () => {
  it('regression: an unknown option exits 2 with the command\'s options (it was taken as a value and ignored)', async () => {
    for (const command of Object.keys(OPTIONS)) {
      const lines: string[] = [];
      expect(await runCli([command, '--no-such-option'], (l) => lines.push(l))).toBe(2);
      expect(lines.join('\n')).toContain(`switchboard ${command}: Unknown option '--no-such-option'`);
      expect(lines.join('\n')).toContain(`options of switchboard ${command}:`);
    }
  });

  it('--help exits 0 and --version prints the host package\'s version, for the CLI and each command', async () => {
    for (const command of [[], ...Object.keys(OPTIONS).map((c) => [c])]) {
      const help: string[] = [];
      expect(await runCli([...command, '--help'], (l) => help.push(l))).toBe(0);
      expect(help.join('\n')).toContain('switchboard <command>');
      const version: string[] = [];
      expect(await runCli([...command, '--version'], (l) => version.push(l))).toBe(0);
      expect(version).toEqual([hostVersion]);
    }
  });

  it('start runs until a signal, then stops the host (server closed, store closed) and returns 0; a signal during start-up is kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-cli-start-'));
    const config = join(dir, 'switchboard.config.json');
    await writeFile(config, JSON.stringify({ logLevel: 'silent', port: 0, store: { kind: 'sqlite', path: join(dir, 'db.sqlite') }, tenants: [{ id: 't1', apiKeys: ['k'.repeat(32)] }] }));
    const previousPort = process.env.PORT;
    delete process.env.PORT;
    try {
      const signals = new EventEmitter();
      const lines: string[] = [];
      const running = runCli(['start', '--config', config], (l) => lines.push(l), signals);
      // sent before the host is up: start listens from the outset and stops once it is up
      signals.emit('SIGTERM');
      expect(await running).toBe(0);
      const url = /running at (http:\/\/\S+)/.exec(lines.join('\n'))?.[1];
      expect(url).toBeDefined();
      expect(lines).toContain('Switchboard host stopped (SIGTERM)');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
      // the store was closed: a second host opens the same SQLite database and stops again
      const again = new EventEmitter();
      const second: string[] = [];
      const run2 = runCli(['start', '--config', config], (l) => { second.push(l); if (l.includes('running at')) again.emit('SIGINT'); }, again);
      expect(await run2).toBe(0);
      expect(second).toContain('Switchboard host stopped (SIGINT)');
    } finally {
      if (previousPort !== undefined) process.env.PORT = previousPort;
    }
  });
});

describe('processSignals', () => {
  /** A process stand-in: its signal listeners and the exit codes asked for (exit throws, as exit never returns). */
  function fakeProcess(): { proc: Pick<NodeJS.Process, 'on' | 'exit'>; emitter: EventEmitter; exits: number[] } {
    const emitter = new EventEmitter();
    const exits: number[] = [];
    const proc = {
      on: (name: string, fn: () => void) => { emitter.on(name, fn); return proc; },
      exit: (code?: number): never => { exits.push(code ?? 0); throw new Error(`exit ${code}`); },
    } as unknown as Pick<NodeJS.Process, 'on' | 'exit'>;
    return { proc, emitter, exits };
  }

  it('relays SIGINT/SIGTERM to the command waiting for them; a second one ends the process (128 + signal number)', () => {
    const { proc, emitter, exits } = fakeProcess();
    const relay = processSignals(proc);
    const heard: string[] = [];
    relay.on('SIGTERM', () => heard.push('SIGTERM'));
    relay.on('SIGINT', () => heard.push('SIGINT'));
    emitter.emit('SIGTERM');
    expect(heard).toEqual(['SIGTERM']);
    expect(exits).toEqual([]);
    expect(() => emitter.emit('SIGINT')).toThrow('exit 130');
    expect(exits).toEqual([130]);
  });

  it('a signal no command waits for ends the process at once, as the default would (143 for SIGTERM)', () => {
    const { proc, emitter, exits } = fakeProcess();
    processSignals(proc);
    expect(() => emitter.emit('SIGTERM')).toThrow('exit 143');
    expect(exits).toEqual([143]);
  });
});

describe('the built bin in a child process', () => {
  const bin = here('../bin/switchboard.js');

  it('regression: SIGTERM to `switchboard start --sandbox` closes the host and the process exits 0 with its port free (the host kept listening)', async () => {
    expect(existsSync(here('../dist/cli.js')), 'the bin runs the built CLI: run `npx tsc -b` first').toBe(true);
    const cwd = await mkdtemp(join(tmpdir(), 'sb-cli-bin-'));
    const child = spawn(process.execPath, [bin, 'start', '--sandbox', '--ephemeral'], {
      cwd, env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // events, not time: the banner line, then the exit (vitest's test timeout is only the failure guard)
    const url = await new Promise<string>((resolve, reject) => {
      const look = (): void => { const m = /sandbox running at (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]!); };
      child.stdout.on('data', look);
      void exited.then((code) => reject(new Error(`exited ${code} before running:\n${out}`)));
    });
    try {
      expect((await fetch(`${url}/healthz`)).ok).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('Switchboard host stopped (SIGTERM)');
    // the port is free: this process can listen on it
    const port = Number(new URL(url).port);
    const server = createServer();
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('an unknown option exits 2 and --help exits 0 from the bin', async () => {
    const run = (args: string[]): Promise<{ code: number | null; out: string }> => new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
      child.once('close', (code) => resolve({ code, out }));
    });
    const unknown = await run(['start', '--sandbx']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("switchboard start: Unknown option '--sandbx'");
    expect((await run(['--help'])).code).toBe(0);
    expect(await run(['--version'])).toEqual({ code: 0, out: `${hostVersion}\n` });
  });
});

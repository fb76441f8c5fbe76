#!/usr/bin/env node
/**
 * The `switchboard` command: `start [--config <file>] [--sandbox] [--ephemeral]`, `doctor [--config <file>]`,
 * `backup <file> [--config <file> | --db <database file>]`,
 * `webhooks register <channel> [--config <file>] [--url <public url>]`,
 * `simulate <channel> --from <user> --text <text> [--url <host url>] [--api-key <key>]`,
 * `fake <channel> [--port <n>] [--control-port <n>] [--webhook <url>] [--package <pkg>]`,
 * `keys create|list|revoke|rotate --tenant <id> [--scopes …] [--name …] [--config <file>]`,
 * `--help`, `--version`.
 * @module
 */
import { createSwitchboardClient } from '@switchboard/client';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs as parseArgv } from 'node:util';
import { EventEmitter } from 'node:events';
import { constants as osConstants } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isSwitchboardError, systemClock, type AccountProbe, type Connector, type Logger } from '@switchboard/core';
import type { HostConfig } from './config/host-config.js';
import { loadConfigFile } from './config/load-config.js';
import { createHost, type Host } from './host.js';
import { createHostLogger } from './logging.js';
import { connectorServicesContainer, loadConnectors } from './plugins/plugin-loader.js';
import { describeStore, openStorageDriver } from './stores/open-driver.js';
import { DEFAULT_DATABASE_PATH } from './config/host-config.js';
import { findConfigFile } from './config/load-config.js';
import { createSandbox, SANDBOX_ACCOUNT } from './sandbox.js';
import { describeStandaloneFake, sampleUserId, startStandaloneFake } from './fake-command.js';
import { runKeysCommand } from './api/keys-command.js';

/** Parsed command line. */
export interface CliArgs {
  command: string | undefined;
  positional: string[];
  flags: Record<string, string | true>;
}

/** A command line that names an unknown option, lacks an option's value or gives a flag one: exit code 2. */
export class CliUsageError extends Error {
  /**
   * @param message - what is wrong and the options the command takes
   */
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; value?: string };

/** The options every command takes: `--help`/`-h` and `--version`/`-v`. */
const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

/** The global options as written before a command. */
const GLOBAL_ARGS = new Set(['--help', '-h', '--version', '-v']);

/** Each command's own options (beside {@link GLOBAL_OPTIONS}); a command not listed takes none. */
const COMMAND_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>> = {
  start: { config: { type: 'string', value: 'file' }, sandbox: { type: 'boolean' }, ephemeral: { type: 'boolean' } },
  doctor: { config: { type: 'string', value: 'file' } },
  backup: { config: { type: 'string', value: 'file' }, db: { type: 'string', value: 'database file' } },
  webhooks: { config: { type: 'string', value: 'file' }, url: { type: 'string', value: 'public base url' } },
  simulate: { from: { type: 'string', value: 'user' }, text: { type: 'string', value: 'text' }, url: { type: 'string', value: 'host url' }, 'api-key': { type: 'string', value: 'key' } },
  fake: { port: { type: 'string', value: 'n' }, 'control-port': { type: 'string', value: 'n' }, webhook: { type: 'string', value: 'url' }, package: { type: 'string', value: 'pkg' } },
  keys: { tenant: { type: 'string', value: 'id' }, scopes: { type: 'string', value: 'a,b' }, name: { type: 'string', value: 'name' }, config: { type: 'string', value: 'file' }, json: { type: 'boolean' } },
};

/** The commands {@link runCli} knows (an unknown one is reported as such, not as its options). */
const COMMANDS = new Set([...Object.keys(COMMAND_OPTIONS), 'help', 'version']);

function describeOptions(options: Readonly<Record<string, OptionSpec>>): string {
  return Object.entries(options)
    .map(([name, o]) => `--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}${o.short ? `, -${o.short}` : ''}`)
    .join(', ');
}

/**
 * Parses argv (without node and the script) with `node:util` `parseArgs`, strictly: the command is
 * the first positional, and only its own options (plus `--help`/`-h`, `--version`/`-v`) are
 * accepted. Values are given as `--x y` or `--x=y`; a value starting with `-` needs `--x=-y`.
 * @param argv - arguments
 * @returns command, positionals and flags
 * @throws CliUsageError for an unknown option, a missing option value or a value given to a flag
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  // global options are flags only, so the first argument not starting with `-` names the command;
  // any other option before it is refused as an unknown option of `switchboard` itself
  const lead = argv.findIndex((a) => !a.startsWith('-') || !GLOBAL_ARGS.has(a));
  const command = lead >= 0 && !argv[lead]!.startsWith('-') ? argv[lead] : undefined;
  const known = command === undefined || COMMANDS.has(command);
  const options = { ...GLOBAL_OPTIONS, ...(command !== undefined && known ? COMMAND_OPTIONS[command] ?? {} : {}) };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgv({
      args: [...argv],
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
      // an unknown command is reported as such (exit 2), not as an unknown option of it
      strict: known,
      allowPositionals: true,
    }));
  } catch (error) {
    // node:util names its parse errors by code (ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE)
    if (!(error instanceof TypeError) || !String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    const who = command !== undefined ? `switchboard ${command}` : 'switchboard';
    // node's unknown-option text goes on about positionals after `--`; its first sentence says it
    const what = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? error.message.split('. ')[0]! : error.message;
    throw new CliUsageError(`${who}: ${what}\n  options of ${who}: ${describeOptions(options)}`);
  }
  const flags: Record<string, string | true> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') flags[name] = value;
    else if (value === true) flags[name] = true;
  }
  return { command: positionals[0], positional: positionals.slice(1), flags };
}

const USAGE = `switchboard <command>

  start [--config <file>] [--sandbox] [--ephemeral]
                                          run the host (sandbox: fake platforms); data is kept in
                                          the config's store (default: SQLite ./data/switchboard.db);
                                          --ephemeral keeps everything in memory instead (lost at exit)
  doctor [--config <file>]                check config, connectors, store, webhook URLs, and each
                                          account's credentials with its platform (where it can)
  backup <file> [--config <file> | --db <database file>]
                                          consistent online copy of the SQLite database (while hosts run)
  webhooks register <channel> [--config <file>] [--url <public base url>]
                                          register the webhook URL with the platform (WhatsApp,
                                          Messenger, Telegram, Viber), or print the manual steps (Apple)
  simulate <channel> --from <user> --text <text> [--url http://localhost:3000] [--api-key <key>]
                                          make a sandbox fake platform deliver a customer message
  fake <channel> [--port <n>] [--control-port <n>] [--webhook <url>] [--package <pkg>]
                                          run one fake platform on its own for your tests
                                          (whatsapp, messenger, telegram, viber, apple)
  keys create|list|revoke|rotate --tenant <id> [--scopes <a,b>] [--name <name>] [--config <file>]
                                          manage a tenant's API keys in the configured database
                                          (switchboard keys alone lists the scopes)
  --help, -h                              this text
  --version, -v                           the version of @switchboard/host
`;

/**
 * The version of `@switchboard/host` (from its package.json, beside `src/` and `dist/`).
 * @returns e.g. `0.1.0`
 */
export function hostVersion(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

type Out = (line: string) => void;

function str(flag: string | true | undefined): string | undefined {
  return typeof flag === 'string' ? flag : undefined;
}

/**
 * Prints the sandbox banner: URLs and the commands to try — a customer message on every channel
 * (with a customer id the channel can answer), what the platform received, the conversations and
 * the event stream. Each works as printed.
 * @param host - the running host
 * @param apiKey - the sandbox key
 * @param generated - whether it was generated
 * @param out - where to print
 * @param consoleAdmin - the console's seeded admin, printed with the console URL
 */
export function printSandboxBanner(host: Host, apiKey: string, generated: boolean, out: Out, consoleAdmin?: { email: string; password: string }): void {
  const channels = host.registry.bindings.map((b) => b.channel);
  const failed = host.plugins.filter((p) => p.state === 'failed');
  out('');
  out(`Switchboard sandbox running at ${host.url}`);
  out(`  Store: ${describeStore(host.config.store)}`);
  out(`  API key: ${apiKey}${generated ? '  (generated; set SWITCHBOARD_API_KEY to choose one)' : ''}`);
  out(`  Channels: ${channels.join(', ') || 'none'}${failed.length ? `   (not loaded: ${failed.map((f) => f.package).join(', ')} — see /readyz)` : ''}`);
  for (const b of host.registry.bindings) out(`  Webhook: ${host.url}/webhooks/${b.channel}/${b.account}`);
  out(`  Health:  ${host.url}/healthz   Ready: ${host.url}/readyz   OpenAPI: ${host.url}/openapi.json`);
  if (consoleAdmin) out(`  Agent console: ${host.url}/console/   (log in as ${consoleAdmin.email} / ${consoleAdmin.password})`);
  out('');
  out('Try it: a customer writes on each channel and the echo bot answers');
  for (const channel of new Set(channels)) {
    // a customer id the channel accepts a reply to: WhatsApp's are phone numbers (E.164 digits)
    out(`  curl -s -X POST ${host.url}/sandbox/${channel}/messages -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '{"userId":"${sampleUserId(channel)}","text":"Hello"}'`);
  }
  if (channels[0]) out(`  curl -s ${host.url}/sandbox/${channels[0]}/sent -H 'authorization: Bearer ${apiKey}'`);
  out(`  curl -s ${host.url}/v1/conversations -H 'authorization: Bearer ${apiKey}'`);
  out(`  curl -N ${host.url}/v1/events -H 'authorization: Bearer ${apiKey}'`);
  out('');
}

async function start(args: CliArgs, out: Out): Promise<Host> {
  const ephemeral = args.flags.ephemeral === true;
  if (args.flags.sandbox) {
    const logger = createHostLogger({ level: process.env.LOG_LEVEL ?? 'info' });
    const sandbox = await createSandbox({ logger, ephemeral });
    const host = await createHost(sandbox.config, { logger, ...sandbox.hostOptions });
    await host.listen(sandbox.config.port);
    printSandboxBanner(host, sandbox.apiKey, sandbox.generatedKey, out, sandbox.consoleAdmin);
    return host;
  }
  const loaded = await loadConfigFile(str(args.flags.config));
  const config: HostConfig = ephemeral ? { ...loaded, store: { kind: 'memory' } } : loaded;
  const host = await createHost(config);
  await host.listen(process.env.PORT ? Number(process.env.PORT) : config.port);
  out(`Switchboard host running at ${host.url}`);
  out(`  Store: ${describeStore(config.store)}`);
  out(`  Agent console: ${host.url}/console/   (create agents with POST /v1/agents; see the console README)`);
  return host;
}

/**
 * `doctor`: loads the config and each connector, pings the store, checks webhook URLs, and asks
 * each account's platform (the connector's `probe`) whether its credentials work and where it delivers.
 * @returns the number of problems
 */
async function doctor(args: CliArgs, out: Out, options: CliOptions): Promise<number> {
  let problems = 0;
  const ok = (m: string): void => out(`  ok    ${m}`);
  const bad = (m: string): void => { problems++; out(`  FAIL  ${m}`); };
  let config: HostConfig;
  try {
    config = await loadConfigFile(str(args.flags.config));
    ok(`config: ${config.tenants.length} tenant(s), ${config.connectors.length} connector package(s)`);
  } catch (error) {
    bad(`config: ${(error as Error).message}`);
    return problems;
  }
  const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  // load every plugin as optional so one failure does not hide the others
  const { statuses, bindings } = await loadConnectors({ ...config, connectors: config.connectors.map((c) => ({ ...c, required: false })) }, connectorServicesContainer({ logger: silent, clock: systemClock }));
  for (const s of statuses) {
    if (s.state === 'loaded') ok(`connector ${s.package} (${s.channel}): accounts ${s.accounts.join(', ')}`);
    else bad(`connector ${s.error ?? s.package}${s.required ? ' (required)' : ''}`);
  }
  try {
    const driver = await openStorageDriver(config.store);
    await driver.ping();
    await driver.close();
    if (config.store.kind === 'memory') bad(`store: ${describeStore(config.store)}; use sqlite (the default) or mongodb`);
    else ok(`store: ${describeStore(config.store)} opens, schema current`);
  } catch (error) {
    bad(`store: ${describeStore(config.store)}: ${(error as Error).message}`);
  }
  if (!config.publicUrl) bad('publicUrl is not set: platforms cannot be told where to deliver webhooks');
  else if (!config.publicUrl.startsWith('https://')) bad(`publicUrl ${config.publicUrl} is not HTTPS: platforms require HTTPS webhooks`);
  else for (const b of bindings) ok(`webhook URL ${config.publicUrl}/webhooks/${b.channel}/${b.account}`);
  const base = config.publicUrl?.replace(/\/+$/, '');
  for (const b of bindings) {
    const who = `account ${b.channel}/${b.account}`;
    if (typeof b.connector.probe !== 'function') {
      out(`  --    ${who}: ${b.plugin.displayName} offers no credentials check (no probe); doctor cannot check this account with the platform`);
      continue;
    }
    const secrets = secretsOf(config);
    let probe: AccountProbe;
    try {
      probe = await probeAccount(b.connector, options);
    } catch (error) {
      bad(`${who}: ${b.plugin.displayName} refused the credentials: ${redact(errorText(error), secrets)}`);
      continue;
    }
    const facts = [probe.id !== undefined ? `id ${probe.id}` : '', ...Object.entries(probe.details ?? {}).map(([k, v]) => `${k} ${String(v)}`)].filter((f) => f !== '');
    ok(`${who}: credentials accepted by ${b.plugin.displayName}: ${redact(probe.name, secrets)}${facts.length > 0 ? ` (${redact(facts.join(', '), secrets)})` : ''}`);
    if (probe.webhookUrl !== undefined && base) {
      const expected = `${base}/webhooks/${b.channel}/${b.account}`;
      if (probe.webhookUrl === '') bad(`${who}: the platform has no webhook registered; expected ${expected} (switchboard webhooks register ${b.channel})`);
      else if (probe.webhookUrl !== expected) bad(`${who}: the platform delivers to ${redact(probe.webhookUrl, secrets)}, not ${expected} (switchboard webhooks register ${b.channel})`);
      else ok(`${who}: the platform delivers to ${expected}`);
    }
    for (const w of probe.warnings ?? []) out(`  warn  ${who}: ${redact(w, secrets)}`);
  }
  out(problems === 0 ? 'doctor: all checks passed' : `doctor: ${problems} problem(s)`);
  return problems;
}

/**
 * `backup <file>`: a consistent online copy of the SQLite database (hosts may keep running).
 * The database is the config's (`--config`, or a config file in the working directory), else
 * `--db <file>`, else the default `./data/switchboard.db`.
 * @returns the exit code
 */
async function backup(args: CliArgs, out: Out): Promise<number> {
  const target = args.positional[0];
  if (!target) { out('usage: switchboard backup <file> [--config <file> | --db <database file>]'); return 2; }
  const db = str(args.flags.db);
  const configFile = str(args.flags.config) ?? (db ? undefined : findConfigFile(process.cwd()));
  const store: HostConfig['store'] = configFile
    ? (await loadConfigFile(configFile)).store
    : { kind: 'sqlite', path: resolvePath(db ?? DEFAULT_DATABASE_PATH), synchronous: 'normal' };
  if (store.kind !== 'sqlite') { out(`backup copies a SQLite database; this store is ${describeStore(store)} (use that database's own backup tools)`); return 2; }
  if (!existsSync(store.path)) { out(`no database at ${store.path}`); return 1; }
  const driver = await openStorageDriver(store);
  try {
    await driver.backup!(resolvePath(target));
  } finally {
    await driver.close();
  }
  out(`backup of ${store.path} written to ${resolvePath(target)}`);
  return 0;
}

/**
 * `webhooks register <channel>`: per loaded account of the channel, the connector's `setWebhook`
 * where it has one (printing what the platform confirmed and any step left to a person), else the
 * connector's `webhookSetup` steps, else a generic line naming the URL to enter.
 * @returns 0 when every account was registered or has only manual steps, 1 when a platform refused
 */
async function registerWebhooks(args: CliArgs, out: Out): Promise<number> {
  const channel = args.positional[1];
  if (args.positional[0] !== 'register' || !channel) { out('usage: switchboard webhooks register <channel> [--config <file>] [--url <public base url>]'); return 2; }
  const config = await loadConfigFile(str(args.flags.config));
  const base = (str(args.flags.url) ?? config.publicUrl)?.replace(/\/+$/, '');
  if (!base) { out('No public URL: set publicUrl in the config or pass --url https://…'); return 2; }
  const { bindings } = await loadConnectors({ ...config, connectors: config.connectors.map((c) => ({ ...c, required: false })) }, connectorServicesContainer({ logger: createHostLogger({ level: 'warn' }), clock: systemClock }));
  const mine = bindings.filter((b) => b.channel === channel);
  if (mine.length === 0) { out(`No loaded connector account for channel "${channel}".`); return 1; }
  let failures = 0;
  for (const b of mine) {
    const url = `${base}/webhooks/${b.channel}/${b.account}`;
    const who = `${b.plugin.displayName} account ${b.account}`;
    const connector: Connector = b.connector;
    if (typeof connector.setWebhook !== 'function') {
      const steps = typeof connector.webhookSetup === 'function' ? connector.webhookSetup(url) : [];
      out(`${who}: the platform offers no API to register a webhook; register ${url} by hand:`);
      for (const [i, step] of (steps.length > 0 ? steps : [`Enter ${url} as the webhook URL in the platform's console (see the connector's README).`]).entries()) out(`  ${i + 1}. ${step}`);
      continue;
    }
    try {
      const registration = await connector.setWebhook({ url });
      out(`${who}: webhook registered at ${registration.url}`);
      out(`  platform: ${registration.summary}`);
      const steps = registration.manualSteps ?? [];
      if (steps.length > 0) out('  still to do by hand:');
      for (const [i, step] of steps.entries()) out(`  ${i + 1}. ${step}`);
    } catch (error) {
      failures++;
      out(`${who}: registration failed: ${redact(errorText(error), secretsOf(config))}`);
    }
  }
  return failures === 0 ? 0 : 1;
}

/** How long `doctor` waits for one account's probe by default. */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** What {@link runCli} takes besides the command line: how `doctor` bounds a platform's answer. */
export interface CliOptions {
  /** Longest wait for one account's probe (default {@link DEFAULT_PROBE_TIMEOUT_MS}). */
  probeTimeoutMs?: number;
  /**
   * Starts the probe's timer: calls `onTimeout` after `ms` unless the returned function cancels it
   * first (default `setTimeout`; tests fire it by hand).
   */
  startTimer?: (ms: number, onTimeout: () => void) => () => void;
}

const realTimer = (ms: number, onTimeout: () => void): (() => void) => {
  const t = setTimeout(onTimeout, ms);
  return () => clearTimeout(t);
};

/**
 * Asks a connector's `probe` what account its credentials belong to, within a time limit: when the
 * timer fires first the probe's signal is aborted and the answer is a timeout error.
 * @param connector - a connector with `probe`
 * @param options - the time limit and how its timer is started
 * @returns the probe's answer
 * @throws what the probe threw, or an Error saying it timed out
 */
export async function probeAccount(connector: Connector, options: CliOptions = {}): Promise<AccountProbe> {
  const ms = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const controller = new AbortController();
  let cancel: () => void = () => {};
  const timedOut = new Promise<never>((_, reject) => {
    cancel = (options.startTimer ?? realTimer)(ms, () => {
      const error = new Error(`no answer within ${ms} ms`);
      controller.abort(error);
      reject(error);
    });
  });
  try {
    return await Promise.race([connector.probe!({ signal: controller.signal }), timedOut]);
  } finally {
    cancel();
  }
}

function errorText(error: unknown): string {
  return isSwitchboardError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
}

/** Config keys whose values are credentials (tokens, secrets, keys, passwords). */
const SECRET_KEY = /token|secret|key|password|credential/i;

/**
 * The values of every account's connector config held under a credential's key (`accessToken`,
 * `appSecret`, `verifyToken`, `authToken`, `botToken`, `secret`…), longest first, to keep out of
 * what is printed.
 */
function secretsOf(config: HostConfig): string[] {
  const values: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') { if (SECRET_KEY.test(key) && v.length >= 4) values.push(v); } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const c of config.connectors) for (const a of c.accounts) walk(a.config, '');
  return values.sort((x, y) => y.length - x.length);
}

function redact(text: string, secrets: readonly string[]): string {
  let t = text;
  for (const secret of secrets) t = t.split(secret).join('[redacted]');
  return t;
}

/** `simulate`: asks a running sandbox host to have the fake platform deliver a customer message. */
async function simulate(args: CliArgs, out: Out): Promise<number> {
  const channel = args.positional[0];
  const from = str(args.flags.from);
  const text = str(args.flags.text);
  if (!channel || !from || !text) { out('usage: switchboard simulate <channel> --from <user> --text <text> [--url http://localhost:3000] [--api-key <key>]'); return 2; }
  const base = (str(args.flags.url) ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const key = str(args.flags['api-key']) ?? process.env.SWITCHBOARD_API_KEY;
  if (!key) { out('An API key is needed: --api-key <key> or SWITCHBOARD_API_KEY (the sandbox prints its key at start-up).'); return 2; }
  const sandbox = createSwitchboardClient({ baseUrl: base, apiKey: key });
  let answer: { status: number; ok: boolean; body: unknown };
  try {
    const { data, error, response } = await sandbox.POST('/sandbox/{channel}/messages', { params: { path: { channel } }, body: { userId: from, text } });
    answer = { status: response.status, ok: response.ok, body: data ?? error };
  } catch (error) {
    out(`Cannot reach ${base}: ${(error as Error).message}. Is the sandbox running (switchboard start --sandbox)?`);
    return 1;
  }
  out(`${answer.status} ${answer.body === undefined ? '' : JSON.stringify(answer.body)}`);
  if (answer.ok) out(`The ${channel} fake platform delivered a signed message to ${base}/webhooks/${channel}/${SANDBOX_ACCOUNT}; see ${base}/v1/conversations`);
  return answer.ok ? 0 : 1;
}

/**
 * `fake <channel>`: runs one fake platform until SIGINT or SIGTERM.
 * @returns the exit code once stopped, 2 for a usage error
 */
async function fake(args: CliArgs, out: Out, signals: NodeJS.EventEmitter): Promise<number> {
  const channel = args.positional[0];
  const port = portFlag(args.flags.port);
  const controlPort = portFlag(args.flags['control-port']);
  if (!channel || port === null || controlPort === null) {
    out('usage: switchboard fake <channel> [--port <n>] [--control-port <n>] [--webhook <url>] [--package <pkg>]');
    return 2;
  }
  const running = await startStandaloneFake({
    channel,
    ...(port !== undefined ? { port } : {}),
    ...(controlPort !== undefined ? { controlPort } : {}),
    ...(str(args.flags.webhook) ? { webhookUrl: str(args.flags.webhook)! } : {}),
    ...(str(args.flags.package) ? { package: str(args.flags.package)! } : {}),
  });
  for (const line of describeStandaloneFake(running)) out(line);
  const signal = await firstSignal(signals).received;
  await running.stop();
  out(`fake ${running.channel} platform stopped (${signal})`);
  return 0;
}

/** A `--port` value: undefined when absent, null when not a port number. */
function portFlag(flag: string | true | undefined): number | undefined | null {
  if (flag === undefined) return undefined;
  const n = typeof flag === 'string' && /^\d{1,5}$/.test(flag) ? Number(flag) : Number.NaN;
  return n >= 0 && n <= 65_535 ? n : null;
}

/** The signals that stop `start` and `fake`. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Waits for the first of SIGINT and SIGTERM on an emitter.
 * @param signals - the emitter (the process, or {@link processSignals}' relay)
 * @returns the signal's name once it came, and `cancel` to stop listening
 */
function firstSignal(signals: NodeJS.EventEmitter): { received: Promise<string>; cancel(): void } {
  const handlers = new Map<string, () => void>();
  const cancel = (): void => { for (const [name, h] of handlers) signals.off(name, h); };
  const received = new Promise<string>((resolve) => {
    for (const name of STOP_SIGNALS) {
      const h = (): void => { cancel(); resolve(name); };
      handlers.set(name, h);
      signals.on(name, h);
    }
  });
  return { received, cancel };
}

/**
 * Runs the CLI.
 * @param argv - arguments after the script
 * @param out - where to print (stdout by default)
 * @param signals - where SIGINT and SIGTERM are heard: `start` and `fake` run until one comes, then
 *   stop what they opened (server, store) and resolve
 * @param options - how `doctor` bounds each account's probe (time limit, timer)
 * @returns the exit code: 0 done (for `start` and `fake`: stopped by a signal), 1 failed, 2 usage
 */
export async function runCli(argv: readonly string[], out: Out = (l) => process.stdout.write(`${l}\n`), signals: NodeJS.EventEmitter = process, options: CliOptions = {}): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    out(error.message);
    return 2;
  }
  if (args.flags.version === true) { out(hostVersion()); return 0; }
  // `switchboard --help` and `switchboard <command> --help` print the usage: asking for help is not an error
  if (args.flags.help === true) { out(USAGE); return 0; }
  try {
    switch (args.command) {
      case 'start': {
        // listen from the outset: a signal during start-up stops the host as soon as it is up
        const stopSignal = firstSignal(signals);
        let host: Host;
        try {
          host = await start(args, out);
        } catch (error) {
          stopSignal.cancel();
          throw error;
        }
        const signal = await stopSignal.received;
        host.logger.info({ signal }, 'stopping');
        await host.stop();
        out(`Switchboard host stopped (${signal})`);
        return 0;
      }
      case 'doctor': return (await doctor(args, out, options)) === 0 ? 0 : 1;
      case 'backup': return await backup(args, out);
      case 'webhooks': return await registerWebhooks(args, out);
      case 'simulate': return await simulate(args, out);
      case 'fake': return await fake(args, out, signals);
      case 'version': out(hostVersion()); return 0;
      case 'keys': return await runKeysCommand(args.positional, args.flags, out);
      // no command at all is a usage error (exit 2); `help` asks for it (exit 0)
      case undefined: case 'help': out(USAGE); return args.command ? 0 : 2;
      default: out(`unknown command "${args.command}"\n`); out(USAGE); return 2;
    }
  } catch (error) {
    out(isSwitchboardError(error) ? `${error.code}: ${error.message}` : `error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

/**
 * Relays the process's SIGINT and SIGTERM to an emitter the CLI listens on. Once a handler is
 * installed Node no longer ends the process on these signals, so: a signal no command is waiting
 * for (start-up of a one-shot command, `doctor`, `backup`, …) ends the process at once with the
 * shell's code for it (128 + the signal number), as the default would; a second signal while
 * `start` or `fake` is stopping ends it at once too.
 * @param proc - the process (its `on` and `exit`)
 * @returns the emitter to hand to {@link runCli}
 */
export function processSignals(proc: Pick<NodeJS.Process, 'on' | 'exit'> = process): NodeJS.EventEmitter {
  const relay = new EventEmitter();
  let stopping = false;
  for (const name of STOP_SIGNALS) {
    proc.on(name, () => {
      if (stopping || relay.listenerCount(name) === 0) proc.exit(128 + osConstants.signals[name]);
      stopping = true;
      relay.emit(name);
    });
  }
  return relay;
}

/**
 * Runs the CLI as the `switchboard` executable and exits with its code; `start` and `fake` run
 * until SIGINT or SIGTERM, close what they opened (server, store) and exit 0.
 * @param argv - arguments after the script
 * @param signals - where signals are heard (default: the process's, relayed by {@link processSignals})
 */
export async function main(argv: readonly string[], signals: NodeJS.EventEmitter = processSignals()): Promise<void> {
  const code = await runCli(argv, undefined, signals);
  // exit rather than wait for the event loop: a connector's timer or a client's socket must not keep a stopped host alive
  process.exit(code);
}

const invokedDirectly = ((): boolean => {
  try { return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href; } catch { return false; }
})();
if (invokedDirectly) void main(process.argv.slice(2));

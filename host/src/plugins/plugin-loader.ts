/**
 * Loads connector plugins named in the config by dynamic import, checks them by shape and
 * `apiVersion` (never `instanceof`: a vendor's package carries its own copy of core), binds each
 * account through the plugin's `module(config)`, and isolates a plugin that fails unless it is
 * required.
 * @module
 */
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Clock, ConfigError, Connector, ConnectorBinding, ConnectorPlugin, connectorPluginProblems, isSwitchboardError, Logger,
  PlatformFetch, SwitchboardError,
  type ConfigProblem, type Connector as ConnectorInstance, type ConnectorPlugin as Plugin, type Logger as LoggerType, type Clock as ClockType,
} from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import type { ConnectorConfig, HostConfig } from '../config/host-config.js';
import { ConnectorRegistry, StaticConnectorRegistry, type HostConnectorBinding } from './connector-registry.js';

/** A plugin that could not be loaded or configured. */
export class PluginLoadError extends SwitchboardError {
  /** Every fault of its accounts' configs, each with its path (empty when it failed for another reason). */
  readonly problems: readonly ConfigProblem[];
  /**
   * @param pkg - the package (or path) named in the config
   * @param message - why
   * @param options - cause; `field` (the first bad config field) and `problems` (every one) when account configs were refused
   */
  constructor(readonly pkg: string, message: string, options: { cause?: unknown; field?: string; problems?: readonly ConfigProblem[] } = {}) {
    const problems = options.problems ?? [];
    super('PLUGIN_LOAD_FAILED', `${pkg}: ${message}`, false, {
      cause: options.cause,
      details: { package: pkg, ...(options.field ? { field: options.field } : {}), ...(problems.length > 1 ? { problems: problems.map((p) => ({ ...p })) } : {}) },
    });
    this.problems = problems;
  }
}

/** What a thrown value says about a config, as problems: a `ConfigError` lists its own, anything else is one. */
function problemsOf(cause: unknown, at: string): ConfigProblem[] {
  const under = (field: string): string => (field === '' || field === '(config)' || field === '(root)' ? at : `${at}.${field}`);
  if (isSwitchboardError(cause) && cause.code === 'CONFIG_INVALID') {
    const error = cause as ConfigError;
    // a plugin built against an older core carries no problems: its one field is in its message
    const listed: readonly ConfigProblem[] = Array.isArray(error.problems) && error.problems.length > 0
      ? error.problems
      : [{ field: error.field ?? '', message: error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message }];
    return listed.map((p) => ({ field: under(p.field), message: p.message }));
  }
  return [{ field: at, message: cause instanceof Error ? cause.message : String(cause) }];
}

/**
 * Checks every account's config with the plugin's `parseConfig`, collecting every problem (one
 * account's fault does not hide another's).
 * @param plugin - a checked plugin
 * @param accounts - the entry's accounts
 * @param index - the entry's position in `connectors`, for the paths
 * @returns the parsed configs (undefined where refused) and every problem, under `connectors[i].accounts[j].config`
 */
export function parseAccountConfigs(plugin: Plugin, accounts: readonly { config: unknown }[], index: number): { parsed: unknown[]; problems: ConfigProblem[] } {
  const parsed: unknown[] = [];
  const problems: ConfigProblem[] = [];
  for (const [j, account] of accounts.entries()) {
    try {
      parsed.push(plugin.parseConfig(account.config));
    } catch (cause) {
      parsed.push(undefined);
      problems.push(...problemsOf(cause, `connectors[${index}].accounts[${j}].config`));
    }
  }
  return { parsed, problems };
}

/**
 * The problems of every connector account's config, for a config being checked whole: each
 * plugin's `parseConfig` reads its accounts. A plugin that cannot be imported is left to
 * {@link loadConnectors}, which isolates or refuses it.
 * @param connectors - the entries (each with `package` or `plugin`, and its accounts), by position
 * @param baseDir - where relative package paths resolve from
 * @returns every problem, with its path
 */
export async function connectorConfigProblems(
  connectors: readonly ({ package?: string; plugin?: unknown; accounts: readonly { config: unknown }[] } | undefined)[],
  baseDir: string,
): Promise<ConfigProblem[]> {
  const checked = await Promise.all(connectors.map(async (entry, i) => {
    if (!entry) return [];
    let candidate = entry.plugin;
    if (candidate === undefined && entry.package !== undefined) {
      try { candidate = await importPlugin(entry.package, baseDir); } catch { return []; }
    }
    return pluginAccountProblems(candidate, entry.accounts, i);
  }));
  return checked.flat();
}

/**
 * The problems of one entry's account configs, read by its plugin's `parseConfig`.
 * @param candidate - the plugin (anything not shaped like one has no say: the loader reports it)
 * @param accounts - the entry's accounts
 * @param index - the entry's position in `connectors`
 * @returns every problem, under `connectors[i].accounts[j].config`
 */
export function pluginAccountProblems(candidate: unknown, accounts: readonly { config: unknown }[], index: number): ConfigProblem[] {
  if (connectorPluginProblems(candidate).length > 0) return [];
  return parseAccountConfigs(candidate as Plugin, accounts, index).problems;
}

/**
 * The services a connector's container module may ask for at least, for loading connectors outside
 * a host (the CLI): its logger, its clock and the fetch platform calls go through. A host binds
 * them (and everything else of its own) in its container, whose children the connectors are built in.
 */
export interface ConnectorServices {
  logger: LoggerType;
  clock: ClockType;
  /** Bound as `PlatformFetch` when given; without it connectors use the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * A container holding only the services connectors need, for loading them outside a host.
 * @param services - logger, clock, platform fetch
 * @returns the container: `Logger`, `Clock` and (when given) `PlatformFetch` bound
 */
export function connectorServicesContainer(services: ConnectorServices): Container {
  const container = new Container();
  container.bind(Logger).toConstantValue(services.logger);
  container.bind(Clock).toConstantValue(services.clock);
  if (services.fetch) container.bind(PlatformFetch).toConstantValue(services.fetch);
  return container;
}

/** The token of how each configured connector package fared (bound by {@link loadConnectors}). */
export const PluginStatuses = Symbol.for('switchboard.PluginStatuses');
/** How each configured connector package fared, in config order. */
export type PluginStatuses = readonly PluginStatus[];

/** How one configured connector package fared. */
export interface PluginStatus {
  package: string;
  channel?: string;
  displayName?: string;
  required: boolean;
  state: 'loaded' | 'failed';
  /** Why it failed. */
  error?: string;
  /** Account keys served. */
  accounts: string[];
}

/**
 * Imports a plugin module: a package name, or a path (relative to the config file's directory).
 * @param specifier - what the config names
 * @param baseDir - where relative paths resolve from
 * @returns the module's plugin: its default export, else the first export shaped like a plugin
 */
export async function importPlugin(specifier: string, baseDir: string): Promise<unknown> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  const target = isPath ? pathToFileURL(resolve(baseDir, specifier)).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = await import(target) as Record<string, unknown>;
  } catch (error) {
    if (isPath || (error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    // the package may be installed beside the config (the integrator's app) rather than beside the host
    let resolved: string;
    try { resolved = createRequire(join(baseDir, 'switchboard.config.js')).resolve(specifier); } catch { throw error; }
    mod = await import(pathToFileURL(resolved).href) as Record<string, unknown>;
  }
  let candidate: unknown = mod.default;
  // a CommonJS build may nest the default export once more
  if (candidate && typeof candidate === 'object' && 'default' in candidate && connectorPluginProblems(candidate).length > 0) candidate = (candidate as { default: unknown }).default;
  if (connectorPluginProblems(candidate).length === 0) return candidate;
  const named = Object.values(mod).find((v) => connectorPluginProblems(v).length === 0);
  return named ?? candidate;
}

/**
 * Creates one account's connector through the plugin's container module, loaded in a child of the
 * host's container: every host-level binding (`PlatformFetch`, `Clock`, `Logger`, …) reaches it.
 * @param plugin - a checked plugin
 * @param config - the parsed account config
 * @param parent - the host's container
 * @returns the connector the module bound
 */
export function connectorFromModule(plugin: Plugin, config: unknown, parent: Container): ConnectorInstance {
  // each account gets its own child container so the module's (single) Connector binding is unambiguous
  const scope = new Container({ parent });
  scope.load(plugin.module(config));
  // only the child's own bindings count: the parent's Connector bindings are other accounts'
  const connectors = scope.isCurrentBound(Connector) ? scope.getAll<ConnectorInstance>(Connector, { chained: false }) : [];
  if (connectors.length !== 1) throw new Error(`module(config) must bind exactly one Connector, bound ${connectors.length}`);
  return connectors[0]!;
}

function connectorProblems(c: unknown, channel: string): string[] {
  if (typeof c !== 'object' || c === null) return ['the bound Connector is not an object'];
  const x = c as Record<string, unknown>;
  const problems: string[] = [];
  for (const fn of ['handshake', 'verify', 'parse', 'render', 'send', 'classify']) if (typeof x[fn] !== 'function') problems.push(`connector.${fn} must be a function`);
  if (x.channel !== channel) problems.push(`connector.channel is "${String(x.channel)}", the plugin's is "${channel}"`);
  return problems;
}

/**
 * Loads one configured connector package and binds its accounts.
 * @param entry - the config entry
 * @param index - its position in `connectors`, for error fields
 * @param baseDir - where relative paths resolve from
 * @param parent - the container each account's child container is made from (the host's)
 * @returns the plugin and one binding per account
 * @throws PluginLoadError
 */
export async function loadConnector(entry: ConnectorConfig, index: number, baseDir: string, parent: Container): Promise<{ plugin: Plugin; bindings: HostConnectorBinding[] }> {
  let candidate: unknown;
  if (entry.plugin) candidate = entry.plugin;
  else {
    try {
      candidate = await importPlugin(entry.package, baseDir);
    } catch (cause) {
      throw new PluginLoadError(entry.package, `cannot be imported: ${(cause as Error).message}`, { cause });
    }
  }
  const problems = connectorPluginProblems(candidate);
  if (problems.length > 0) throw new PluginLoadError(entry.package, `is not a connector plugin: ${problems.join('; ')}`);
  const plugin = candidate as Plugin;
  const { parsed, problems: configProblems } = parseAccountConfigs(plugin, entry.accounts, index);
  if (configProblems.length > 0) {
    const text = configProblems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new PluginLoadError(entry.package, `account config${configProblems.length > 1 ? 's' : ''} refused: ${text}`, { field: configProblems[0]!.field, problems: configProblems });
  }
  const bindings: HostConnectorBinding[] = [];
  for (const [j, account] of entry.accounts.entries()) {
    let connector: ConnectorInstance;
    try {
      connector = connectorFromModule(plugin, parsed[j], parent);
    } catch (cause) {
      throw new PluginLoadError(entry.package, `account "${account.id}": module(config) failed: ${(cause as Error).message}`, { cause });
    }
    const cp = connectorProblems(connector, plugin.channel);
    if (cp.length > 0) throw new PluginLoadError(entry.package, `account "${account.id}": ${cp.join('; ')}`);
    bindings.push({ channel: plugin.channel, account: account.id, tenantId: account.tenant, connector, plugin });
  }
  return { plugin, bindings };
}

/**
 * Loads every configured connector into the container, each account built in a child of it. A
 * failing optional plugin is logged, reported in the statuses and left out; a failing required one throws.
 * @param config - the host config
 * @param container - the host container: it holds the `Logger` and whatever connectors may ask for
 *   (`Clock`, `PlatformFetch`…), and gets the `ConnectorPlugin`, `Connector` and `ConnectorBinding`
 *   multi-bindings, the {@link ConnectorRegistry} over the accounts and the {@link PluginStatuses}
 * @returns per-package statuses and the bindings
 */
export async function loadConnectors(config: HostConfig, container: Container): Promise<{ statuses: PluginStatus[]; bindings: HostConnectorBinding[] }> {
  const logger = container.get<LoggerType>(Logger);
  const statuses: PluginStatus[] = [];
  const bindings: HostConnectorBinding[] = [];
  const results = await Promise.allSettled(config.connectors.map((entry, i) => loadConnector(entry, i, config.baseDir, container)));
  const requiredFailures = results.flatMap((r, i) => (r.status === 'rejected' && config.connectors[i]!.required ? [r.reason as unknown] : []));
  if (requiredFailures.length > 0) throw oneFailure(requiredFailures);
  for (const [i, result] of results.entries()) {
    const entry = config.connectors[i]!;
    if (result.status === 'rejected') {
      const message = (result.reason as Error).message;
      logger.error({ package: entry.package, err: message }, 'connector plugin failed to load; the host starts without it');
      statuses.push({ package: entry.package, required: false, state: 'failed', error: message, accounts: entry.accounts.map((a) => a.id) });
      continue;
    }
    const { plugin } = result.value;
    for (const [j, b] of result.value.bindings.entries()) {
      const clash = bindings.find((x) => x.channel === b.channel && x.account === b.account);
      if (clash) throw new ConfigError(`connectors[${i}].accounts[${j}].id`, `account "${b.account}" is configured twice for channel ${b.channel}`);
      bindings.push(b);
      container.bind(Connector).toConstantValue(b.connector);
      container.bind(ConnectorBinding).toConstantValue(b);
    }
    container.bind(ConnectorPlugin).toConstantValue(plugin);
    statuses.push({ package: entry.package, channel: plugin.channel, displayName: plugin.displayName, required: entry.required, state: 'loaded', accounts: result.value.bindings.map((b) => b.account) });
  }
  container.bind<ConnectorRegistry>(ConnectorRegistry).toConstantValue(new StaticConnectorRegistry(bindings));
  container.bind<PluginStatuses>(PluginStatuses).toConstantValue(statuses);
  return { statuses, bindings };
}

/**
 * The error a start fails with when required plugins fail: the first failure, or — when several
 * failed on their account configs — one error listing every problem of them all.
 */
function oneFailure(failures: readonly unknown[]): unknown {
  const refused = failures.filter((f): f is PluginLoadError => f instanceof PluginLoadError && f.problems.length > 0);
  if (refused.length < 2) return failures[0];
  const problems = refused.flatMap((f) => f.problems);
  return new PluginLoadError(refused.map((f) => f.pkg).join(', '), `account configs refused: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { field: problems[0]!.field, problems });
}

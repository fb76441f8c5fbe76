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
  type Connector as ConnectorInstance, type ConnectorPlugin as Plugin, type Logger as LoggerType, type Clock as ClockType,
} from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import type { ConnectorConfig, HostConfig } from '../config/host-config.js';
import type { HostConnectorBinding } from './connector-registry.js';

/** A plugin that could not be loaded or configured. */
export class PluginLoadError extends SwitchboardError {
  /**
   * @param pkg - the package (or path) named in the config
   * @param message - why
   */
  constructor(readonly pkg: string, message: string, options: { cause?: unknown; field?: string } = {}) {
    super('PLUGIN_LOAD_FAILED', `${pkg}: ${message}`, false, { cause: options.cause, details: { package: pkg, ...(options.field ? { field: options.field } : {}) } });
  }
}

/**
 * The host's services a connector's container module may ask for: its logger, its clock (the
 * sandbox's may run ahead) and the fetch platform calls go through (`HostOptions.platformFetch`,
 * wrapped so the host can abort its calls at the stop deadline), bound as core's `PlatformFetch`.
 */
export interface ConnectorServices {
  logger: LoggerType;
  clock: ClockType;
  /** Bound as `PlatformFetch` when given; without it connectors use the global `fetch`. */
  fetch?: typeof fetch;
}

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
 * Creates one account's connector through the plugin's container module.
 * @param plugin - a checked plugin
 * @param config - the parsed account config
 * @param services - logger, clock and platform fetch for modules that want them
 * @returns the connector the module bound
 */
export function connectorFromModule(plugin: Plugin, config: unknown, services: ConnectorServices): ConnectorInstance {
  // each account gets its own container so the module's (single) Connector binding is unambiguous
  const scope = new Container();
  scope.bind(Logger).toConstantValue(services.logger);
  scope.bind(Clock).toConstantValue(services.clock);
  if (services.fetch) scope.bind(PlatformFetch).toConstantValue(services.fetch);
  scope.load(plugin.module(config));
  const connectors = scope.getAll<ConnectorInstance>(Connector);
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
 * @param services - logger, clock and platform fetch
 * @returns the plugin and one binding per account
 * @throws PluginLoadError
 */
export async function loadConnector(entry: ConnectorConfig, index: number, baseDir: string, services: ConnectorServices): Promise<{ plugin: Plugin; bindings: HostConnectorBinding[] }> {
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
  const bindings: HostConnectorBinding[] = [];
  for (const [j, account] of entry.accounts.entries()) {
    const field = `connectors[${index}].accounts[${j}].config`;
    let parsed: unknown;
    try {
      parsed = plugin.parseConfig(account.config);
    } catch (cause) {
      const inner = isSwitchboardError(cause) && cause.code === 'CONFIG_INVALID' ? (cause as ConfigError) : undefined;
      const f = inner?.field ? `${field}.${inner.field}` : field;
      throw new PluginLoadError(entry.package, `account "${account.id}": ${inner ? inner.message : (cause as Error).message}`, { cause, field: f });
    }
    let connector: ConnectorInstance;
    try {
      connector = connectorFromModule(plugin, parsed, services);
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
 * Loads every configured connector into the container. A failing optional plugin is logged,
 * reported in the statuses and left out; a failing required one throws.
 * @param config - the host config
 * @param container - the host container (gets `ConnectorPlugin`, `Connector`, `ConnectorBinding` multi-bindings)
 * @param services - logger, clock and platform fetch
 * @returns per-package statuses and the bindings
 */
export async function loadConnectors(config: HostConfig, container: Container, services: ConnectorServices): Promise<{ statuses: PluginStatus[]; bindings: HostConnectorBinding[] }> {
  const statuses: PluginStatus[] = [];
  const bindings: HostConnectorBinding[] = [];
  const results = await Promise.allSettled(config.connectors.map((entry, i) => loadConnector(entry, i, config.baseDir, services)));
  for (const [i, result] of results.entries()) {
    const entry = config.connectors[i]!;
    if (result.status === 'rejected') {
      const message = (result.reason as Error).message;
      if (entry.required) throw result.reason;
      services.logger.error({ package: entry.package, err: message }, 'connector plugin failed to load; the host starts without it');
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
  return { statuses, bindings };
}

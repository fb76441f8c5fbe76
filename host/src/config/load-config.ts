/**
 * Finds and loads `switchboard.config.ts`, `.js` or `.json`, resolves secret references and validates.
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@switchboard/core';
import { connectorConfigProblems, pluginAccountProblems } from '../plugins/plugin-loader.js';
import { ConnectorSchema } from './config-schema.js';
import { checkHostConfig, resolveSecrets, type HostConfig } from './host-config.js';
import { importTypeScriptModule } from './typescript-loader.js';

/** File names looked for, in order, when no path is given. */
export const CONFIG_FILE_NAMES = ['switchboard.config.ts', 'switchboard.config.js', 'switchboard.config.mjs', 'switchboard.config.json'] as const;

/**
 * Finds the config file in a directory.
 * @param dir - where to look
 * @returns the path, or undefined when there is none
 */
export function findConfigFile(dir: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = resolve(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Reads a config module's value: the default export (or `config`), called first when it is a function.
 * @param file - absolute path
 * @returns the raw config
 */
async function importConfig(file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.json') {
    const text = await readFile(file, 'utf8');
    try { return JSON.parse(text) as unknown; } catch (e) { throw new ConfigError('(file)', `${file} is not valid JSON: ${(e as Error).message}`); }
  }
  let mod: Record<string, unknown>;
  if (ext === '.ts' || ext === '.mts') {
    // no build step: tsx when installed, else Node's own type stripping, else a clear refusal
    mod = await importTypeScriptModule(file);
  } else {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  }
  let value = mod.default ?? mod.config;
  // tsImport may wrap a default export once more
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (value === undefined) throw new ConfigError('(file)', `${file} must export the config as default (or as "config")`);
  return value;
}

/**
 * The connector entries of a raw config that are well-formed enough for their plugins to read
 * their accounts (by position; `undefined` for the others, whose faults the host schema reports).
 */
function readableConnectors(raw: unknown): ({ package?: string; plugin?: unknown; accounts: { config: unknown }[] } | undefined)[] {
  const connectors = typeof raw === 'object' && raw !== null ? (raw as { connectors?: unknown }).connectors : undefined;
  if (!Array.isArray(connectors)) return [];
  return connectors.map((entry) => {
    const result = ConnectorSchema.safeParse(entry);
    return result.success ? result.data : undefined;
  });
}

/**
 * Loads, resolves and validates a config file. A config with faults is refused with every one
 * of them, its connector accounts' included (each plugin's `parseConfig` reads them); a sound one
 * is returned, and its accounts are read when the plugins load (where an optional plugin that
 * fails is isolated).
 * @param path - the file (default: the first of {@link CONFIG_FILE_NAMES} in the working directory)
 * @param env - environment for secret references
 * @returns the validated config
 * @throws ConfigError listing every bad key with its path (and, when there are any, its connector accounts' faults too), or naming the missing file
 */
export async function loadConfigFile(path?: string, env: Record<string, string | undefined> = process.env): Promise<HostConfig> {
  const file = path ? resolve(path) : findConfigFile(process.cwd());
  if (!file) throw new ConfigError('(file)', `no config file found in ${process.cwd()} (looked for ${CONFIG_FILE_NAMES.join(', ')})`);
  if (!existsSync(file)) throw new ConfigError('(file)', `${file} does not exist`);
  const raw = resolveSecrets(await importConfig(file), env);
  const baseDir = dirname(file);
  const result = checkHostConfig(raw, { baseDir });
  if (result.ok) return result.config;
  // the config will not start: say everything that is wrong with it, its accounts included
  throw ConfigError.of([...result.problems, ...await connectorConfigProblems(readableConnectors(raw), baseDir)]);
}

/**
 * Validates a config given as an object (library use).
 * @param raw - the config
 * @param options - base directory and environment
 * @returns the validated config
 * @throws ConfigError listing every bad key with its path (and, when there are any, the faults of accounts whose `plugin` is given)
 */
export function configFromObject(raw: unknown, options: { baseDir?: string; env?: Record<string, string | undefined> } = {}): HostConfig {
  const resolved = resolveSecrets(raw, options.env ?? process.env);
  const baseDir = options.baseDir ?? process.cwd();
  const result = checkHostConfig(resolved, { baseDir });
  if (result.ok) return result.config;
  // plugins named by package are imported when the host loads them; plugins given are read now
  const accounts = readableConnectors(resolved).flatMap((entry, i) => (entry?.plugin !== undefined ? pluginAccountProblems(entry.plugin, entry.accounts, i) : []));
  throw ConfigError.of([...result.problems, ...accounts]);
}

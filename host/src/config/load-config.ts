/**
 * Finds and loads `switchboard.config.ts`, `.js` or `.json`, resolves secret references and validates.
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@switchboard/core';
import { parseHostConfig, resolveSecrets, type HostConfig } from './host-config.js';

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
    // tsx compiles the TypeScript config on the fly, so integrators need no build step for it
    const { tsImport } = await import('tsx/esm/api');
    mod = await tsImport(pathToFileURL(file).href, import.meta.url) as Record<string, unknown>;
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
 * Loads, resolves and validates a config file.
 * @param path - the file (default: the first of {@link CONFIG_FILE_NAMES} in the working directory)
 * @param env - environment for secret references
 * @returns the validated config
 * @throws ConfigError naming the bad key, or the missing file
 */
export async function loadConfigFile(path?: string, env: Record<string, string | undefined> = process.env): Promise<HostConfig> {
  const file = path ? resolve(path) : findConfigFile(process.cwd());
  if (!file) throw new ConfigError('(file)', `no config file found in ${process.cwd()} (looked for ${CONFIG_FILE_NAMES.join(', ')})`);
  if (!existsSync(file)) throw new ConfigError('(file)', `${file} does not exist`);
  const raw = await importConfig(file);
  return parseHostConfig(resolveSecrets(raw, env), { baseDir: dirname(file) });
}

/**
 * Validates a config given as an object (library use).
 * @param raw - the config
 * @param options - base directory and environment
 * @returns the validated config
 */
export function configFromObject(raw: unknown, options: { baseDir?: string; env?: Record<string, string | undefined> } = {}): HostConfig {
  return parseHostConfig(resolveSecrets(raw, options.env ?? process.env), { baseDir: options.baseDir ?? process.cwd() });
}

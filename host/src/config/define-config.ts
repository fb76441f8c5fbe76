/**
 * `defineConfig()` and {@link HostConfigInput}: the typed way to write `switchboard.config.ts`,
 * both derived from the config's schemas (`config-schema.ts`), so the types cannot drift from
 * what the host accepts.
 * @module
 */
import type { HostConfigSchemaInput } from './config-schema.js';
import type { EnvRef } from './host-config.js';

/**
 * A config type where every string may instead be a secret reference, `{ env: 'NAME' }` (also
 * `${NAME}` inside a string, which is a string already), as the loader resolves them before it
 * validates. Functions, classes and plugin objects are code and are left as they are.
 */
export type WithEnvRefs<T> =
  T extends (...args: never[]) => unknown ? T
    : T extends abstract new (...args: never[]) => unknown ? T
      : T extends string ? T | EnvRef
        : T extends readonly (infer U)[] ? WithEnvRefs<U>[]
          : T extends { apiVersion: 1 } ? T
            : T extends object ? { [K in keyof T]: WithEnvRefs<T[K]> }
              : T;

/**
 * What an integrator writes in `switchboard.config.ts` (or `.json`): the input of the host's
 * config schema — defaults not yet applied, numbers also as digit strings — with `{ env: 'NAME' }`
 * allowed for any string.
 */
export type HostConfigInput = WithEnvRefs<HostConfigSchemaInput>;

/**
 * Types a `switchboard.config.ts`: returns its argument unchanged; its value is that the editor
 * and `tsc` check the config against the host's schema (unknown keys, wrong types, misspelt
 * enum values) before the host ever reads it. The host still validates it at start-up, with every
 * problem and its path.
 * @param config - the configuration
 * @returns the same object
 * @example
 * ```ts
 * // switchboard.config.ts
 * import { defineConfig } from '@switchboard/host';
 *
 * export default defineConfig({
 *   publicUrl: 'https://hooks.example.com',
 *   tenants: [{ id: 'acme', apiKeys: [{ env: 'ACME_API_KEY' }], timeZone: 'Europe/Berlin' }],
 *   connectors: [{
 *     package: '@switchboard/telegram',
 *     accounts: [{ id: 'main', config: { botToken: { env: 'TELEGRAM_BOT_TOKEN' } } }],
 *   }],
 *   bots: { greeter: async (ctx) => { await ctx.reply('Hello!'); } },
 * });
 * ```
 */
export function defineConfig(config: HostConfigInput): HostConfigInput {
  return config;
}

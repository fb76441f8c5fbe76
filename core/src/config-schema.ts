/**
 * Parsing a configuration with a schema (a connector's zod schema) into a {@link ConfigError} that
 * lists every fault with its path. Core depends on no schema library: anything with zod's
 * `safeParse` shape will do.
 * @module
 */
import { ConfigError, configPath, type ConfigIssueLike, type ConfigProblem } from './errors.js';

/** One issue as a schema library reports it; zod's `unrecognized_keys` issue also names the keys. */
export interface ConfigSchemaIssue extends ConfigIssueLike {
  /** The issue's kind (`invalid_type`, `unrecognized_keys`…). */
  readonly code?: string;
  /** For `unrecognized_keys`: the keys the closed object does not know. */
  readonly keys?: readonly string[];
}

/** What `safeParse` answers: the parsed value, or the issues found. */
export type ConfigSafeParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly ConfigSchemaIssue[] } };

/** A schema that parses a configuration (a zod schema is one). */
export interface ConfigSchema<T> {
  /**
   * Parses without throwing.
   * @param input - the raw configuration
   */
  safeParse(input: unknown): ConfigSafeParseResult<T>;
}

/**
 * The message for a value of the wrong type where a field is required: `is required` when it is
 * absent (undefined or null), else `must be <expected>`. A schema's type error message (zod's
 * `error` option) so that a missing field and a wrong one read differently.
 * @param issue - the issue, with the input found
 * @param expected - what the field holds, for the message (default `a string`)
 * @returns the message
 * @example
 * ```ts
 * botToken: z.string({ error: requiredFieldMessage }).min(1, 'is required')
 * ```
 */
export function requiredFieldMessage(issue: { readonly input?: unknown }, expected = 'a string'): string {
  return issue.input === undefined || issue.input === null ? 'is required' : `must be ${expected}`;
}

/** How {@link parseConfigWith} names the configuration itself. */
export interface ParseConfigOptions {
  /** The field named when the configuration is not an object at all (`(root)`, `config`). */
  root: string;
  /** The message then (`Telegram config must be an object`). */
  notAnObject: string;
}

/**
 * The problems a schema's issues describe, as config fields: an unknown key is named itself (`botTokn:
 * is not a known field`) rather than as a fault of the object that holds it, and a configuration
 * that is not an object is named by `options.root`.
 * @param issues - the schema's issues, in the order the configuration reads
 * @param options - how the configuration itself is named
 * @returns one problem per fault
 */
export function configProblemsOf(issues: readonly ConfigSchemaIssue[], options: ParseConfigOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) problems.push({ field: configPath([...issue.path, key]), message: 'is not a known field' });
    } else if (issue.path.length === 0 && issue.code === 'invalid_type') {
      problems.push({ field: options.root, message: options.notAnObject });
    } else {
      problems.push({ field: issue.path.length === 0 ? options.root : configPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/**
 * Parses a configuration with its schema.
 * @param schema - the configuration's schema (a zod `z.strictObject`)
 * @param input - the raw configuration
 * @param options - how the configuration itself is named in errors
 * @returns the parsed configuration, defaults applied
 * @throws ConfigError listing every fault with its path (`field` is the first)
 * @example
 * ```ts
 * export function parseConfig(input: unknown): LineConfig {
 *   return parseConfigWith(LineConfigSchema, input, { root: '(root)', notAnObject: 'LINE config must be an object' });
 * }
 * ```
 */
export function parseConfigWith<T>(schema: ConfigSchema<T>, input: unknown, options: ParseConfigOptions): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw ConfigError.of(configProblemsOf(result.error.issues, options));
}

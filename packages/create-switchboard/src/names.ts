/**
 * Names the scaffolder accepts, and the forms of a name the templates use.
 * @module
 */

/** Channels the first-party connectors already use: a vendor connector may not take their id. */
export const RESERVED_CHANNELS: readonly string[] = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple', 'sandbox'];

/** Longest app name (npm allows 214 characters for a whole package name; a folder name stays short). */
export const MAX_APP_NAME_LENGTH = 64;

/** Longest connector name: it becomes a channel id, a URL path segment and part of identifiers. */
export const MAX_CONNECTOR_NAME_LENGTH = 32;

/** An app name: lower-case letters and digits in words joined by `-`, `.` or `_`, starting with a letter. */
const APP_NAME = /^[a-z][a-z0-9]*(?:[-._][a-z0-9]+)*$/;

/** A connector name: lower-case words of letters and digits joined by `-`, starting with a letter. */
const CONNECTOR_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Names npm refuses as package names or that stand for something else in a folder. */
const BLOCKED = new Set(['node_modules', 'favicon.ico', 'switchboard', 'create-switchboard']);

/**
 * Checks the name of an integrator app (it becomes the folder and the package name).
 * @param name - what the user typed
 * @returns a sentence saying what is wrong, or undefined when the name is fine
 * @example
 * appNameProblem('my-bot') // undefined
 * appNameProblem('My Bot') // 'the app name "My Bot" must be …'
 */
export function appNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the app name is empty';
  if (name.length > MAX_APP_NAME_LENGTH) return `the app name is ${name.length} characters long; at most ${MAX_APP_NAME_LENGTH} are allowed`;
  if (!APP_NAME.test(name)) {
    return `the app name ${JSON.stringify(name)} must be lower-case letters and digits, words joined by "-", "." or "_", starting with a letter (e.g. my-bot)`;
  }
  if (BLOCKED.has(name)) return `the app name ${JSON.stringify(name)} is reserved; choose another`;
  return undefined;
}

/**
 * Checks the name of a vendor connector (it becomes the channel id, e.g. `acme-sms`).
 * @param name - what the user typed
 * @returns a sentence saying what is wrong, or undefined when the name is fine
 * @example
 * connectorNameProblem('acme-sms') // undefined
 * connectorNameProblem('telegram') // 'the channel "telegram" is a first-party connector's; …'
 */
export function connectorNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the connector name is empty';
  if (name.length > MAX_CONNECTOR_NAME_LENGTH) return `the connector name is ${name.length} characters long; at most ${MAX_CONNECTOR_NAME_LENGTH} are allowed`;
  if (!CONNECTOR_NAME.test(name)) {
    return `the connector name ${JSON.stringify(name)} must be lower-case letters and digits, words joined by "-", starting with a letter (e.g. acme-sms)`;
  }
  if (RESERVED_CHANNELS.includes(name)) return `the channel ${JSON.stringify(name)} is taken by a first-party connector; choose another (e.g. acme-${name})`;
  if (BLOCKED.has(name)) return `the connector name ${JSON.stringify(name)} is reserved; choose another`;
  return undefined;
}

/** The forms of a connector name the templates use. */
export interface ConnectorNames {
  /** As given, the channel id: `acme-sms`. */
  name: string;
  /** PascalCase, for classes: `AcmeSms`. */
  pascal: string;
  /** camelCase, for values: `acmeSms`. */
  camel: string;
  /** UPPER_SNAKE_CASE, for constants: `ACME_SMS`. */
  constant: string;
  /** Words capitalised, for prose: `Acme Sms`. */
  title: string;
  /** The npm package name: `switchboard-acme-sms`. */
  packageName: string;
}

/**
 * The forms of a (valid) connector name.
 * @param name - a name {@link connectorNameProblem} accepts
 * @returns the name as a channel id, class, value, constant, title and package name
 * @example
 * connectorNames('acme-sms').pascal // 'AcmeSms'
 */
export function connectorNames(name: string): ConnectorNames {
  const words = name.split('-');
  const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  const pascal = words.map(cap).join('');
  return {
    name,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    constant: words.map((w) => w.toUpperCase()).join('_'),
    title: words.map(cap).join(' '),
    packageName: `switchboard-${name}`,
  };
}

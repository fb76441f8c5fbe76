/**
 * Typed errors. One base class with a stable string `code` and a `retryable` flag; the
 * platform's original error is always kept as `cause`.
 * @module
 */

/**
 * Every stable error code, a closed set: a {@link SwitchboardError} carries one of them and a host
 * maps each to an HTTP status in one total map (the compiler refuses a code without a status). A
 * connector maps its platform's codes onto these families (a vendor's own code would reach an API
 * client as an internal error), keeping the platform's error as `cause` and its code in `details`.
 */
export const ERROR_CODES = [
  // the caller's input or configuration
  'CONFIG_INVALID',
  'VALIDATION_FAILED',
  'BAD_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  'CONTENT_INVALID',
  'CONTENT_UNSUPPORTED',
  // webhooks
  'WEBHOOK_VERIFICATION_FAILED',
  'MALFORMED_PAYLOAD',
  // who may do what
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  // decisions of the policy engine and of the platforms about a message or template
  'POLICY_DENIED',
  'WINDOW_CLOSED',
  'RECIPIENT_BLOCKED',
  'TEMPLATE_REJECTED',
  // load
  'RATE_LIMITED',
  'TOO_MANY_STREAMS',
  // a platform call that failed
  'PERMANENT_FAILURE',
  'RETRYABLE_FAILURE',
  'PROVIDER_HTTP_ERROR',
  'PROVIDER_NETWORK_ERROR',
  'PROVIDER_REJECTED',
  // the host itself
  'PLUGIN_LOAD_FAILED',
  'NOT_READY',
  'STORE_UNAVAILABLE',
  'INTERNAL',
] as const;

/** Stable error codes (see {@link ERROR_CODES}). Hosts map them to HTTP statuses in one place. */
export type SwitchboardErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Whether a string is one of the {@link ERROR_CODES} (an error from another copy of core, say an
 * older vendor package, may carry a code this one does not know).
 * @param code - a code read from an error
 * @returns true when it is a known code
 */
export function isSwitchboardErrorCode(code: unknown): code is SwitchboardErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

/** Options every Switchboard error accepts. */
export interface SwitchboardErrorOptions {
  /** The underlying error (the platform's response, a network error…). */
  cause?: unknown;
  /** Structured details, safe to show to an API client. */
  details?: Record<string, unknown>;
}

/** Base class of every error Switchboard throws on purpose. */
export class SwitchboardError extends Error {
  /** Stable machine-readable code. */
  readonly code: SwitchboardErrorCode;
  /** Whether retrying the same operation later may succeed. */
  readonly retryable: boolean;
  /** Structured details. */
  readonly details?: Record<string, unknown>;

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param retryable - whether a retry may succeed
   * @param options - cause and details
   */
  constructor(code: SwitchboardErrorCode, message: string, retryable = false, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
    if (options.details) this.details = options.details;
  }
}

/** One fault in a configuration: where, and what is wrong there. */
export interface ConfigProblem {
  /** Dotted path of the bad field (`tenants[0].apiKeys[1].scopes`); `''` for the whole config. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** A schema issue as validation libraries report it (zod's `issues`): a path of keys and indexes, and a message. */
export interface ConfigIssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * Writes a path of keys and indexes the way config errors name fields: `tenants[0].routing.rules`.
 * @param path - keys (strings) and array indexes (numbers)
 * @param prefix - prepended (a connector's config is read under `connectors[2].accounts[0]`)
 * @returns the dotted path
 */
export function configPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * A configuration value is missing or malformed; `field` names the first bad field and
 * `problems` lists every one found (a config is checked whole, so one typo does not hide others).
 */
export class ConfigError extends SwitchboardError {
  /** Dotted path of the (first) bad field. */
  readonly field: string;
  /** Every fault found, in the order the config reads (at least one). */
  readonly problems: readonly ConfigProblem[];
  /**
   * @param field - the bad field's path
   * @param message - what is wrong with it
   * @param options - cause, details, and `problems` when more than one fault was found (the first is `field`)
   */
  constructor(field: string, message: string, options: SwitchboardErrorOptions & { problems?: readonly ConfigProblem[] } = {}) {
    const problems = options.problems && options.problems.length > 0 ? options.problems : [{ field, message }];
    const text = problems.length === 1
      ? `${field}: ${message}`
      : `${problems.length} problems in the configuration:\n${problems.map((p) => `  - ${p.field === '' ? '(config)' : p.field}: ${p.message}`).join('\n')}`;
    const { problems: _listed, ...rest } = options;
    super('CONFIG_INVALID', text, false, {
      ...rest,
      details: { field, ...(problems.length > 1 ? { problems: problems.map((p) => ({ ...p })) } : {}), ...options.details },
    });
    this.field = field;
    this.problems = problems;
  }

  /**
   * One error for every fault found.
   * @param problems - at least one
   * @returns the error; its `field` and `message` lead with the first problem
   */
  static of(problems: readonly ConfigProblem[]): ConfigError {
    const first = problems[0] ?? { field: '', message: 'is invalid' };
    return new ConfigError(first.field, first.message, { problems });
  }

  /**
   * One error for a schema library's issues (zod's `error.issues`), their paths written as config fields.
   * @param issues - at least one
   * @param prefix - the path the validated object sits at
   * @returns the error
   */
  static fromIssues(issues: readonly ConfigIssueLike[], prefix = ''): ConfigError {
    return ConfigError.of(issues.map((i) => ({ field: configPath(i.path, prefix), message: i.message })));
  }
}

/** A webhook's signature or token is missing or wrong. Hosts answer 401 and keep nothing. */
export class WebhookVerificationError extends SwitchboardError {
  /** @param message - why verification failed (never includes the secret) */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('WEBHOOK_VERIFICATION_FAILED', message, false, options);
  }
}

/** A verified payload could not be parsed. Hosts dead-letter it and answer 200. */
export class MalformedPayloadError extends SwitchboardError {
  /** @param message - what was wrong with the payload */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('MALFORMED_PAYLOAD', message, false, options);
  }
}

/** The content kind (or a feature of it) cannot be rendered on this channel. */
export class ContentUnsupportedError extends SwitchboardError {
  /** @param message - what is unsupported */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('CONTENT_UNSUPPORTED', message, false, options);
  }
}

/** The content breaks a channel limit that cannot be split or degraded (too many buttons…). */
export class ContentInvalidError extends SwitchboardError {
  /** @param message - which limit was broken */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('CONTENT_INVALID', message, false, options);
  }
}

/** The platform throttled us; retry after `retryAfterMs`. */
export class RateLimitedError extends SwitchboardError {
  /** Delay the platform asked for, or a connector default. */
  readonly retryAfterMs: number;
  /**
   * @param message - the platform's message
   * @param retryAfterMs - how long to wait before retrying
   */
  constructor(message: string, retryAfterMs: number, options: SwitchboardErrorOptions = {}) {
    super('RATE_LIMITED', message, true, { ...options, details: { retryAfterMs, ...options.details } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The customer blocked the business (or is not subscribed); hosts record consent `blocked`. */
export class RecipientBlockedError extends SwitchboardError {
  /** @param message - the platform's message */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('RECIPIENT_BLOCKED', message, false, options);
  }
}

/** The platform refused free-form content outside its customer-service window. */
export class WindowClosedError extends SwitchboardError {
  /** @param message - the platform's message */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('WINDOW_CLOSED', message, false, options);
  }
}

/** A failure that will not succeed on retry (bad parameter, unknown recipient, template error). */
export class PermanentError extends SwitchboardError {
  /** @param message - the platform's reason */
  constructor(message: string, options: SwitchboardErrorOptions = {}) {
    super('PERMANENT_FAILURE', message, false, options);
  }
}

/** A transient failure (5xx, network, timeout): retry with backoff. */
export class RetryableError extends SwitchboardError {
  /** Delay the platform suggested, if any. */
  readonly retryAfterMs?: number;
  /** @param message - what failed */
  constructor(message: string, options: SwitchboardErrorOptions & { retryAfterMs?: number } = {}) {
    super('RETRYABLE_FAILURE', message, true, options);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** What `Connector.classify` returns: one of the delivery-failure families. */
export type ConnectorError =
  | RateLimitedError
  | RecipientBlockedError
  | WindowClosedError
  | PermanentError
  | RetryableError;

/** The kind of a {@link ConnectorError}, as a string for switch statements and storage. */
export type ConnectorErrorKind = 'rate-limited' | 'recipient-blocked' | 'window-closed' | 'permanent' | 'retryable';

/**
 * The family of a classified delivery failure, read from its `code` (so errors from another copy of
 * core are recognised too).
 * @param error - a classified error
 * @returns its kind
 */
export function connectorErrorKind(error: Pick<SwitchboardError, 'code'>): ConnectorErrorKind {
  switch (error.code) {
    case 'RATE_LIMITED': return 'rate-limited';
    case 'RECIPIENT_BLOCKED': return 'recipient-blocked';
    case 'WINDOW_CLOSED': return 'window-closed';
    case 'PERMANENT_FAILURE': return 'permanent';
    default: return 'retryable';
  }
}

/**
 * Whether a value is a Switchboard error, checked by shape (not `instanceof`) so that errors from
 * another copy of core are recognised too.
 * @param value - anything
 * @returns true when it has a string `code` and boolean `retryable`
 */
export function isSwitchboardError(value: unknown): value is SwitchboardError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'string'
    && typeof (value as { retryable?: unknown }).retryable === 'boolean';
}

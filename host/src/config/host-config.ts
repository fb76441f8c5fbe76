/**
 * The host's configuration: its shape (the validated {@link HostConfig} the host reads), secret
 * references, and validation against the schemas of `config-schema.ts`, which lists every
 * problem with its path in one {@link ConfigError}.
 * @module
 */
import { resolve as resolvePath } from 'node:path';
import { ConfigError, type BusinessPolicy, type ConfigProblem, type ConnectorPlugin } from '@switchboard/core';
import type { z } from 'zod';
import type { MediaLimitsInput, MediaScanner } from '../media/media-policy.js';
import type { ContactContextProvider } from '../crm/contact-context.js';
import type { BotHandlerRegistration } from '../routing/bot-handler.js';
import type { ConfiguredApiKey } from '../api/api-scopes.js';
import {
  canonicalTimeZone, DEFAULT_DATABASE_PATH, DEFAULT_SERVER_LIMITS, HOST_CONFIG_SECTIONS, HostConfigSchema, isIsoCountry,
  type HostConfigSchemaOutput,
} from './config-schema.js';
import type { AssignmentSchema } from './config-schema.js';
import type { WebhooksConfig } from '../webhooks/webhook-config.js';

export { DEFAULT_DATABASE_PATH, DEFAULT_SERVER_LIMITS };

/** A secret taken from the environment: `{ env: 'NAME' }` (or a string with `${NAME}` in it). */
export interface EnvRef {
  env: string;
  /** Used when the variable is unset. */
  default?: string;
}

/** What a routing rule matches; every given field must match. */
export interface RouteMatch {
  channel?: string | string[];
  /** The account key of the webhook URL. */
  account?: string | string[];
  /** Words (case-insensitive, whole words) or a regular expression source tested against the message text. */
  keyword?: string | string[];
  /** Regular expression source tested against the message text. */
  pattern?: string;
  /** A tag the conversation must carry. */
  tag?: string;
}

/** Where a matching conversation goes. Exactly one field. */
export type RouteTarget = { bot: string } | { queue: string } | { forward: true };

/** A routing rule: the first one that matches wins. */
export interface RouteRule {
  match?: RouteMatch;
  to: RouteTarget;
}

/** Keyword lists of a tenant (whole-message matches, case- and accent-insensitive). */
export interface KeywordConfig {
  /** Opt-out words (STOP…). */
  stop?: string[];
  /** Opt-back-in words (START…). */
  start?: string[];
  /** "Important only" phrases. */
  importantOnly?: string[];
  /** Replace the default multilingual lists instead of adding to them. */
  replaceDefaults?: boolean;
}

/** Forwarding of conversations to the integrator's own HTTPS endpoint. */
export interface ForwardingConfig {
  url: string;
  /**
   * HMAC-SHA256 key of the Standard Webhooks `webhook-signature` (its UTF-8 bytes, or the base64 part of
   * `whsec_…`) and of the former `x-switchboard-signature` header, still sent beside it.
   */
  secret: string;
  /** Attempts before giving up (default 6). */
  maxAttempts?: number;
  /** First retry delay in ms; doubles each time (default 500). */
  baseDelayMs?: number;
  /** Per-attempt timeout in ms (default 10 000). */
  timeoutMs?: number;
}

/** A tenant: a business using the host, with its own API keys, data and rules. */
export interface TenantConfig {
  id: string;
  name?: string;
  /**
   * Bearer keys of the REST API: a plain string carries every scope but `messages:send-as-agent`;
   * `{ key, scopes, name? }` carries the scopes listed (see `API_SCOPES`). More keys are made with
   * `switchboard keys create` or `POST /v1/api-keys` and kept hashed in the store.
   */
  apiKeys: ConfiguredApiKey[];
  /** The business policy (tightens the channels' rules). */
  policy?: BusinessPolicy;
  keywords?: KeywordConfig;
  routing?: {
    rules?: RouteRule[];
    /** The queue a bot hands over to, and where `handover` without a queue goes. */
    escalationQueue?: string;
  };
  forwarding?: ForwardingConfig;
  /** The privacy-policy version in force; opt-ins recorded under another version need re-consent. */
  privacyPolicyVersion?: string;
  /** The business's verification level per channel (WhatsApp: unverified, confirmed, verified). */
  verification?: Record<string, string>;
  /** How long messages are kept: older ones are purged (with their inbox events and dead letters). */
  retention?: { messageDays: number };
  /**
   * The business's country, ISO 3166-1 alpha-2 (`DE`): the jurisdiction whose law applies to every
   * message besides the recipient's own.
   */
  country?: string;
  /** The business's IANA time zone (`Europe/Berlin`), the default for local times such as quiet hours. */
  timeZone?: string;
  /**
   * The tenant's own media limits: the kinds named replace the host's (`media.limits`), the others
   * keep them. E.g. `{ maxBytes: { document: 104857600 }, allowedTypes: { document: ['application/pdf'] } }`.
   */
  media?: MediaLimitsInput;
  /**
   * Agent capacity, automatic assignment, business hours, the out-of-hours reply and SLA policies
   * per queue (see `AssignmentSchema`).
   */
  assignment?: z.output<typeof AssignmentSchema>;
  /** Event webhooks: endpoints subscribed to the tenant's events, and the retry policy (see `webhooks/webhook-config.ts`). */
  webhooks?: WebhooksConfig;
}

/** Where the media store keeps file bytes. */
export type MediaBlobConfig =
  /** Files in a directory (default with the SQLite store: `media/` beside the database file). */
  | { kind: 'directory'; path: string }
  /** MongoDB GridFS in the store's database (default with the MongoDB store; needs it). */
  | { kind: 'gridfs' }
  /** In memory, lost with the process (default with the memory store). */
  | { kind: 'memory' };

/** The `media` section: where files live, the host's limits, the scanner, fetching and serving. */
export interface MediaConfig {
  /** Where the bytes are; the default follows the store (see {@link MediaBlobConfig}). */
  blobs?: MediaBlobConfig;
  /** The host's limits per kind (size, allowed types); kinds named replace the defaults, tenants may change them again. */
  limits?: MediaLimitsInput;
  /**
   * A virus scanner every new file passes (a function; only in a JS/TS config file or through the
   * host options): `({ tenantId, body, contentType, size, kind }) => ({ verdict: 'clean' } | { verdict: 'reject', reason })`.
   */
  scanner?: MediaScanner;
  /** Fetching customers' files from the platforms. */
  fetch?: {
    /** Downloads at once per channel (default 4). */
    concurrencyPerChannel?: number;
    /** Attempts before a file is marked failed (default 8). */
    maxAttempts?: number;
    /** First retry delay in ms, doubling with jitter (default 2 000). */
    retryBaseMs?: number;
    /** Longest retry delay in ms (default 5 minutes). */
    retryMaxMs?: number;
    /** Time one download may take, in ms (default 2 minutes). */
    timeoutMs?: number;
  };
  /** `POST /v1/media` with `{ url }`: the host fetches the file itself. */
  urlFetch?: {
    /** Time the fetch may take in ms (default 30 s). */
    timeoutMs?: number;
    /** Allow loopback, private and link-local addresses (default false: a URL naming one is refused). */
    allowPrivateNetworks?: boolean;
  };
  /** How long a signed media URL works, in ms (default 15 minutes). */
  signedUrlTtlMs?: number;
}

/** One account of a connector: its webhook URL key, tenant and connector config. */
export interface AccountConfig {
  /** The `:account` of `/webhooks/:channel/:account`. */
  id: string;
  /** The tenant it belongs to (may be omitted when there is one tenant). */
  tenant: string;
  /** Passed to the plugin's `parseConfig`. */
  config: Record<string, unknown>;
}

/** A connector package and its accounts. */
export interface ConnectorConfig {
  /** Package name (`@switchboard/whatsapp`, a vendor's) or a path to a module; resolved by dynamic import. */
  package: string;
  /** An already-imported plugin (library use); takes the place of `package`. */
  plugin?: ConnectorPlugin;
  /** Refuse to start when this plugin fails (default false: it is isolated and reported). */
  required: boolean;
  accounts: AccountConfig[];
}


/**
 * The store the host keeps its data in; every kind builds the same stores (one storage contract).
 * Without a `store` section the host uses the SQLite file {@link DEFAULT_DATABASE_PATH}.
 */
export type StoreConfig =
  /**
   * The embedded store: one SQLite database file (WAL), created on first start. Several host
   * processes on one machine may share it. `synchronous: 'normal'` (default) keeps everything
   * committed across a crash of the process; `'full'` also across a power loss, at the cost of
   * one disk flush per commit.
   */
  | { kind: 'sqlite'; path: string; synchronous: 'normal' | 'full' }
  /** Ephemeral: in memory, everything is lost when the process ends (tests, `start --ephemeral`). */
  | { kind: 'memory' }
  /** MongoDB (a replica set), for several machines. Needs the optional `mongoose` package. */
  | { kind: 'mongodb'; uri: string; dbName?: string };

/** DI token for {@link HostConfig}. */
export const HostConfig = Symbol.for('switchboard.HostConfig');
/** The validated host configuration. */
export interface HostConfig {
  port: number;
  /** Interface to listen on (default all). */
  hostname?: string;
  /** The public base URL platforms reach the host at (webhook registration and `doctor`). */
  publicUrl?: string;
  store: StoreConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  tenants: TenantConfig[];
  connectors: ConnectorConfig[];
  /** Bot handlers by name: a function or a class (instantiated once). */
  bots: Record<string, BotHandlerRegistration>;
  /** Directory relative module paths are resolved from (the config file's). */
  baseDir: string;
  /** Sandbox mode: `/sandbox/...` routes, fake platforms. */
  sandbox?: boolean;
  /**
   * Salt of the pseudonyms an erasure leaves in the consent proofs, audit log and cost ledger (at
   * least 16 characters; best from an environment variable). Without it a random salt is drawn at
   * each start, which makes the proofs anonymous.
   */
  pseudonymSalt?: string;
  /** A bearer token `/metrics` requires (without it `/metrics` is open: keep it off the internet). */
  metricsToken?: string;
  /**
   * The secret opt-in start tokens are signed with (per-tenant keys are derived from it; at least
   * 16 characters). Without it `SWITCHBOARD_OPT_IN_SECRET` is used, else a per-process key, and
   * links stop working after a restart.
   */
  optInSecret?: string;
  /** HTTP server limits that keep slow or stalled clients from holding connections. */
  server: ServerLimits;
  /** Limits of the event streams (`/v1/events` and the console's); unset ones keep their defaults. */
  streams?: StreamLimits;
  /** The media store: where files live, limits, scanner, fetching and serving (every field has a default). */
  media?: MediaConfig;
  /** Where the host asks for a contact's CRM context (a function or an HTTPS endpoint), and how long it keeps the answer. */
  contactContext?: ContactContextConfig;
}

/** The `contactContext` section: a provider function or an endpoint, and the cache's TTLs. */
export interface ContactContextConfig {
  /** A function returning the context (only in a JS/TS config file). */
  provider?: ContactContextProvider;
  /** An HTTPS endpoint answering the context as JSON. */
  endpoint?: { url: string; secret: string; timeoutMs: number };
  /** How long an answer is kept, in ms on the host clock. */
  ttlMs: number;
  /** How long a failure is kept before the provider is asked again, in ms. */
  failureTtlMs: number;
}

/** Limits of the event streams: per client, per tenant and of the event log `Last-Event-ID` resumes from. */
export interface StreamLimits {
  /** Bytes that may wait for a client that does not read before it is dropped (default 1 MiB). */
  maxClientBufferBytes?: number;
  /** Open streams per tenant, counted for `/v1/events` and the console each (default 100); beyond: 429. */
  maxClientsPerTenant?: number;
  /** How long a dropped client has to take its final event before its socket is destroyed (default 5 s). */
  dropGraceMs?: number;
  /** Events per tenant waiting to be logged, beyond which new ones are discarded (default 10,000). */
  maxPendingEvents?: number;
  /** What the event log keeps per tenant: the newest `maxEvents` (default 10,000), none older than `maxAgeMs` (default 24 h). */
  retention?: { maxEvents?: number; maxAgeMs?: number };
}

/** Timeouts of the host's HTTP server (all in ms). */
export interface ServerLimits {
  /** Time a client has to send the complete request headers (default 10 s); beyond it: 408 and close. */
  headersTimeoutMs: number;
  /** Time a client has to send the complete request (default 30 s); beyond it: 408 and close. */
  requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed (default 5 s). */
  keepAliveTimeoutMs: number;
  /**
   * Bytes of request bodies the host holds at once, over every request being received or handled
   * (webhooks and API; default 64 MiB). A body that does not fit is answered 503 with `Retry-After`
   * before it is read: by its `Content-Length`, or — sent chunked — as soon as a chunk would not fit.
   */
  maxBufferedBodyBytes: number;
  /**
   * Requests whose body is still arriving, at once (default 256): before its body is complete a
   * webhook cannot be verified and a login cannot be checked, so these are the requests nobody
   * has authenticated yet. Beyond it: 503 with `Retry-After`, nothing read.
   */
  maxPendingRequests: number;
  /** What `Retry-After` says when a limit above refuses a request, in seconds (default 5). */
  retryAfterSeconds: number;
  /**
   * How long a stop waits for requests being answered and platform calls in flight (default 5 s,
   * at most 9.5 s); then calls still waiting on a platform are aborted and their outbox entries
   * given back, due at once, so the next start (or another process) sends them.
   */
  stopDeadlineMs: number;
  /**
   * Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` the host believes (addresses,
   * CIDR ranges, `loopback`, `linklocal`, `uniquelocal`; default none). Behind TLS-terminating
   * proxies listed here, console cookies are `Secure` and login limits apply per real client address.
   */
  trustProxy?: string[];
}

/**
 * Replaces secret references: `{ env: 'NAME' }` objects and `${NAME}` inside strings.
 * Functions and class values are left alone.
 * @param value - raw config
 * @param env - the environment
 * @param path - the key being resolved, for errors
 * @returns the config with secrets filled in
 * @throws ConfigError naming every key whose variable is unset
 */
export function resolveSecrets(value: unknown, env: Record<string, string | undefined>, path = ''): unknown {
  const unset: ConfigProblem[] = [];
  const resolved = resolveInto(value, env, path, unset);
  if (unset.length > 0) throw ConfigError.of(unset);
  return resolved;
}

function resolveInto(value: unknown, env: Record<string, string | undefined>, path: string, unset: ConfigProblem[]): unknown {
  const missing = (name: string): string => { unset.push({ field: path || '(root)', message: `environment variable ${name} is not set` }); return ''; };
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? missing(name));
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveInto(v, env, `${path}[${i}]`, unset));
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.includes('env') && keys.every((k) => k === 'env' || k === 'default') && typeof value.env === 'string') {
      return env[value.env] ?? (typeof value.default === 'string' ? value.default : missing(value.env));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // plugin objects and bot handlers are code, not configuration
      const isCode = k === 'plugin' || (path === '' && k === 'bots');
      out[k] = isCode ? v : resolveInto(v, env, path ? `${path}.${k}` : k, unset);
    }
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}


/**
 * Checks an ISO 3166-1 alpha-2 country code against the runtime's region data (Intl).
 * @param code - the code given, e.g. `DE`
 * @param where - the config key, for the error
 * @returns the code
 * @throws ConfigError when it is not two capital letters naming a region Intl knows
 */
export function isoCountry(code: string, where: string): string {
  if (!isIsoCountry(code)) throw new ConfigError(where, `must be an ISO 3166-1 alpha-2 country code in capitals, e.g. DE (got "${code}")`);
  return code;
}

/**
 * Checks an IANA time zone name with the runtime's own time-zone data (Intl).
 * @param name - the name given, e.g. `Europe/Berlin`
 * @param where - the config key, for the error
 * @returns the canonical spelling Intl reports
 * @throws ConfigError when Intl does not know the zone
 */
export function ianaTimeZone(name: string, where: string): string {
  const canonical = canonicalTimeZone(name);
  if (canonical === undefined) throw new ConfigError(where, `must be an IANA time zone such as Europe/Berlin (Intl does not know "${name}")`);
  return canonical;
}

/**
 * Writes schema issues as config problems: an unknown key becomes one problem at that key, and
 * the problems are listed in the order of the config's sections.
 * @param issues - zod's issues
 * @param prefix - the path the validated object sits at
 * @returns one problem per fault, with its dotted path
 */
export function configProblemsOf(issues: readonly z.core.$ZodIssue[], prefix = ''): ConfigProblem[] {
  const expanded = issues.flatMap(function expand(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string }[] {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
    if (issue.code === 'invalid_union') {
      // a value of one alternative's type (a string where a key or { key, scopes } is taken) is
      // judged by that alternative: its own problems say more than "matches none of them"
      const typed = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (typed.length === 1) return typed[0]!.flatMap((i) => expand({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
    }
    return [{ path: [...issue.path], message: issue.message }];
  });
  const rank = (path: readonly PropertyKey[]): number => {
    const i = HOST_CONFIG_SECTIONS.indexOf(String(path[0]));
    // unknown top-level keys first, as a misspelt section name explains the faults that follow
    return i === -1 ? -1 : i;
  };
  const ordered = prefix === '' ? expanded.map((p, n) => ({ p, n })).sort((a, b) => rank(a.p.path) - rank(b.p.path) || a.n - b.n).map(({ p }) => p) : expanded;
  return ConfigError.fromIssues(ordered, prefix).problems.map((p) => ({ ...p }));
}

/** The outcome of {@link checkHostConfig}: the config, or every problem found. */
export type HostConfigCheck = { ok: true; config: HostConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates a raw configuration (secrets already resolved) without throwing.
 * @param raw - the config object a file exported
 * @param options - where relative paths resolve from
 * @returns the validated config with defaults applied and paths resolved, or every problem found
 */
export function checkHostConfig(raw: unknown, options: { baseDir: string }): HostConfigCheck {
  if (!isPlainObject(raw)) return { ok: false, problems: [{ field: '(root)', message: 'the config must be an object' }] };
  const result = HostConfigSchema.safeParse(raw);
  if (!result.success) return { ok: false, problems: configProblemsOf(result.error.issues) };
  return { ok: true, config: resolveAgainst(result.data, options.baseDir) };
}

/**
 * Validates a raw configuration (secrets already resolved).
 * @param raw - the config object a file exported
 * @param options - where relative paths resolve from
 * @returns the validated config with defaults applied
 * @throws ConfigError listing every problem found, each with its path (`field` is the first)
 */
export function parseHostConfig(raw: unknown, options: { baseDir: string }): HostConfig {
  const checked = checkHostConfig(raw, options);
  if (!checked.ok) throw ConfigError.of(checked.problems);
  return checked.config;
}

/** The schema's output with its paths resolved against the config's directory. */
function resolveAgainst(parsed: HostConfigSchemaOutput, baseDir: string): HostConfig {
  const { store, media, $schema: _editorSchema, ...rest } = parsed;
  const config: HostConfig = {
    ...rest,
    baseDir,
    store: store === undefined
      ? { kind: 'sqlite', path: resolvePath(baseDir, DEFAULT_DATABASE_PATH), synchronous: 'normal' }
      : store.kind === 'sqlite' ? { ...store, path: store.path === ':memory:' ? store.path : resolvePath(baseDir, store.path) } : store,
  };
  if (media !== undefined) config.media = media.blobs?.kind === 'directory' ? { ...media, blobs: { kind: 'directory', path: resolvePath(baseDir, media.blobs.path) } } : media;
  return config;
}

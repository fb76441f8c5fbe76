/**
 * The host's configuration: its shape, secret references, and validation with errors that name
 * the bad key.
 * @module
 */
import { resolve as resolvePath } from 'node:path';
import { ConfigError, isValidTimeZone, type BusinessPolicy, type ConnectorPlugin, type MediaKind } from '@switchboard/core';
import { MEDIA_KINDS, type MediaLimitsInput, type MediaScanner } from '../media/media-policy.js';
import type { BotHandlerRegistration } from '../routing/bot-handler.js';
import { API_SCOPES, isApiScope, type ApiScope, type ConfiguredApiKey } from '../api/api-scopes.js';
import { MAX_TRUSTED_PROXIES, trustEntryProblem } from '../trusted-proxy.js';

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
  /** HMAC-SHA256 key of the `x-switchboard-signature` header. */
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

/** Default database file of the embedded SQLite store, relative to the config's directory. */
export const DEFAULT_DATABASE_PATH = 'data/switchboard.db';

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

/** The `server` section's defaults. */
export const DEFAULT_SERVER_LIMITS: Readonly<Omit<ServerLimits, 'trustProxy'>> = {
  headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000,
  maxBufferedBodyBytes: 64 * 1024 * 1024, maxPendingRequests: 256, retryAfterSeconds: 5, stopDeadlineMs: 5_000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Replaces secret references: `{ env: 'NAME' }` objects and `${NAME}` inside strings.
 * Functions and class values are left alone.
 * @param value - raw config
 * @param env - the environment
 * @param path - the key being resolved, for errors
 * @returns the config with secrets filled in
 * @throws ConfigError naming the key whose variable is unset
 */
export function resolveSecrets(value: unknown, env: Record<string, string | undefined>, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConfigError(path || '(root)', `environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveSecrets(v, env, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.includes('env') && keys.every((k) => k === 'env' || k === 'default') && typeof value.env === 'string') {
      const v = env[value.env] ?? (typeof value.default === 'string' ? value.default : undefined);
      if (v === undefined) throw new ConfigError(path || '(root)', `environment variable ${value.env} is not set`);
      return v;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // plugin objects and bot handlers are code, not configuration
      const isCode = k === 'plugin' || (path === '' && k === 'bots');
      out[k] = isCode ? v : resolveSecrets(v, env, path ? `${path}.${k}` : k);
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

/** Small readers that throw {@link ConfigError} naming the field. */
class Reader {
  constructor(private readonly obj: Record<string, unknown>, readonly path: string) {}
  private key(k: string): string { return this.path ? `${this.path}.${k}` : k; }
  has(k: string): boolean { return this.obj[k] !== undefined; }
  raw(k: string): unknown { return this.obj[k]; }
  rawObject(): Record<string, unknown> { return this.obj; }
  str(k: string, opts: { optional?: boolean; pattern?: RegExp; patternHint?: string } = {}): string | undefined {
    const v = this.obj[k];
    if (v === undefined) { if (opts.optional) return undefined; throw new ConfigError(this.key(k), 'is required'); }
    if (typeof v !== 'string' || v === '') throw new ConfigError(this.key(k), 'must be a non-empty string');
    if (opts.pattern && !opts.pattern.test(v)) throw new ConfigError(this.key(k), opts.patternHint ?? `must match ${String(opts.pattern)}`);
    return v;
  }
  bool(k: string, fallback: boolean): boolean {
    const v = this.obj[k];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new ConfigError(this.key(k), 'must be true or false');
    return v;
  }
  int(k: string, fallback: number | undefined, min: number, max: number): number | undefined {
    let v = this.obj[k];
    if (v === undefined) return fallback;
    if (typeof v === 'string' && /^\d+$/.test(v)) v = Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(this.key(k), `must be an integer from ${min} to ${max}`);
    return v;
  }
  obj2(k: string, optional: boolean): Reader | undefined {
    const v = this.obj[k];
    if (v === undefined && optional) return undefined;
    if (!isPlainObject(v)) throw new ConfigError(this.key(k), v === undefined ? 'is required' : 'must be an object');
    return new Reader(v, this.key(k));
  }
  arr(k: string, optional: boolean): unknown[] | undefined {
    const v = this.obj[k];
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) throw new ConfigError(this.key(k), v === undefined ? 'is required' : 'must be an array');
    return v;
  }
  strings(k: string, optional: boolean): string[] | undefined {
    const list = this.arr(k, optional);
    if (!list) return undefined;
    return list.map((v, i) => {
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${this.key(k)}[${i}]`, 'must be a non-empty string');
      return v;
    });
  }
  unknownKeys(allowed: string[]): void {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) throw new ConfigError(this.key(k), `is not a known key (expected one of: ${allowed.join(', ')})`);
    }
  }
  item(list: unknown[], i: number, k: string): Reader {
    const v = list[i];
    if (!isPlainObject(v)) throw new ConfigError(`${this.key(k)}[${i}]`, 'must be an object');
    return new Reader(v, `${this.key(k)}[${i}]`);
  }
}

function stringOrList(r: Reader, k: string): string | string[] | undefined {
  const v = r.raw(k);
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  return r.strings(k, false);
}

function parseMatch(r: Reader): RouteMatch {
  r.unknownKeys(['channel', 'account', 'keyword', 'pattern', 'tag']);
  const match: RouteMatch = {};
  const channel = stringOrList(r, 'channel'); if (channel !== undefined) match.channel = channel;
  const account = stringOrList(r, 'account'); if (account !== undefined) match.account = account;
  const keyword = stringOrList(r, 'keyword'); if (keyword !== undefined) match.keyword = keyword;
  const pattern = r.str('pattern', { optional: true });
  if (pattern !== undefined) {
    try { new RegExp(pattern, 'iu'); } catch (e) { throw new ConfigError(`${r.path}.pattern`, `is not a valid regular expression: ${(e as Error).message}`); }
    match.pattern = pattern;
  }
  const tag = r.str('tag', { optional: true }); if (tag !== undefined) match.tag = tag;
  return match;
}

function parseTarget(r: Reader, bots: Record<string, unknown>): RouteTarget {
  r.unknownKeys(['bot', 'queue', 'forward']);
  const given = ['bot', 'queue', 'forward'].filter((k) => r.has(k));
  if (given.length !== 1) throw new ConfigError(r.path, 'must have exactly one of bot, queue, forward');
  if (r.has('bot')) {
    const bot = r.str('bot')!;
    if (!(bot in bots)) throw new ConfigError(`${r.path}.bot`, `names no registered bot handler (known: ${Object.keys(bots).join(', ') || 'none'})`);
    return { bot };
  }
  if (r.has('queue')) return { queue: r.str('queue', { pattern: ID, patternHint: 'must be a short id (letters, digits, . _ -)' })! };
  if (r.raw('forward') !== true) throw new ConfigError(`${r.path}.forward`, 'must be true');
  return { forward: true };
}

function parseForwarding(r: Reader): ForwardingConfig {
  r.unknownKeys(['url', 'secret', 'maxAttempts', 'baseDelayMs', 'timeoutMs']);
  const url = r.str('url')!;
  let parsed: URL;
  try { parsed = new URL(url); } catch { throw new ConfigError(`${r.path}.url`, 'must be an absolute URL'); }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  // plain HTTP would expose message bodies in transit; only a loopback endpoint may use it
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) throw new ConfigError(`${r.path}.url`, 'must be an https:// URL (http:// only for localhost)');
  const secret = r.str('secret')!;
  if (secret.length < 16) throw new ConfigError(`${r.path}.secret`, 'must be at least 16 characters');
  const f: ForwardingConfig = { url, secret };
  const maxAttempts = r.int('maxAttempts', undefined, 1, 20); if (maxAttempts !== undefined) f.maxAttempts = maxAttempts;
  const baseDelayMs = r.int('baseDelayMs', undefined, 1, 600_000); if (baseDelayMs !== undefined) f.baseDelayMs = baseDelayMs;
  const timeoutMs = r.int('timeoutMs', undefined, 100, 120_000); if (timeoutMs !== undefined) f.timeoutMs = timeoutMs;
  return f;
}

const POLICY_KEYS = [
  'serviceWindowHours', 'quietHours', 'marketingAllowed', 'broadcastAllowed', 'consentRequiredFor', 'requireDoubleOptIn',
  'bannedTopics', 'restrictedCommerce', 'rateLimits', 'maxTextLength', 'contentTypes', 'templateCategories', 'consentScope',
  'marketingRequiresVerification', 'mediaMaxBytes', 'mediaTypes',
];
const PURPOSE_VALUES = ['service', 'transactional', 'marketing'];

function parseBusinessPolicy(r: Reader): BusinessPolicy {
  r.unknownKeys(POLICY_KEYS);
  r.int('serviceWindowHours', undefined, 0, 24 * 365);
  r.int('maxTextLength', undefined, 1, 1_000_000);
  r.bool('marketingAllowed', true);
  r.bool('broadcastAllowed', true);
  r.bool('requireDoubleOptIn', false);
  for (const [i, p] of (r.strings('consentRequiredFor', true) ?? []).entries()) {
    if (!PURPOSE_VALUES.includes(p)) throw new ConfigError(`${r.path}.consentRequiredFor[${i}]`, `must be one of ${PURPOSE_VALUES.join(', ')}`);
  }
  r.strings('bannedTopics', true);
  r.strings('restrictedCommerce', true);
  const scope = r.str('consentScope', { optional: true });
  if (scope !== undefined && scope !== 'all-channels' && scope !== 'per-channel') throw new ConfigError(`${r.path}.consentScope`, 'must be "all-channels" or "per-channel"');
  const quiet = r.obj2('quietHours', true);
  if (quiet) {
    // a fixed offset is an hour wrong for half the year: quiet hours take an IANA time zone
    if (quiet.has('utcOffsetMinutes')) throw new ConfigError(`${quiet.path}.utcOffsetMinutes`, 'is replaced by timeZone, an IANA time zone such as "Europe/Berlin" (a fixed offset ignores daylight saving time)');
    quiet.unknownKeys(['start', 'end', 'timeZone', 'purposes']);
    quiet.str('start', { pattern: /^([01]\d|2[0-3]):[0-5]\d$/, patternHint: 'must be HH:MM' });
    quiet.str('end', { pattern: /^([01]\d|2[0-3]):[0-5]\d$/, patternHint: 'must be HH:MM' });
    // without its own zone, quiet hours take the tenant's `timeZone` (checked once the tenant is read)
    const zone = quiet.str('timeZone', { optional: true });
    if (zone !== undefined && !isValidTimeZone(zone)) throw new ConfigError(`${quiet.path}.timeZone`, 'must be an IANA time zone such as "Europe/Berlin" or "America/New_York"');
  }
  // media the business sends: per kind, a size limit and the types it sends (they only tighten the channel's)
  const mediaMaxBytes = r.obj2('mediaMaxBytes', true);
  if (mediaMaxBytes) {
    mediaMaxBytes.unknownKeys([...MEDIA_KINDS]);
    for (const kind of MEDIA_KINDS) mediaMaxBytes.int(kind, undefined, 1, MAX_MEDIA_BYTES);
  }
  const mediaTypes = r.obj2('mediaTypes', true);
  if (mediaTypes) {
    mediaTypes.unknownKeys([...MEDIA_KINDS]);
    for (const kind of MEDIA_KINDS) {
      if (!mediaTypes.has(kind)) continue;
      for (const [i, t] of mediaTypes.arr(kind, false)!.entries()) {
        if (typeof t !== 'string' || !MIME_PATTERN.test(t.toLowerCase().split(';')[0]!.trim())) throw new ConfigError(`${mediaTypes.path}.${kind}[${i}]`, 'must be a MIME type (image/png) or a family (image/*)');
      }
    }
  }
  // the remaining fields are checked by the policy engine's types; keep the object as given
  return structuredClone(r.rawObject()) as BusinessPolicy;
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Checks an ISO 3166-1 alpha-2 country code against the runtime's region data (Intl).
 * @param code - the code given, e.g. `DE`
 * @param where - the config key, for the error
 * @returns the code
 * @throws ConfigError when it is not two capital letters naming a region Intl knows
 */
export function isoCountry(code: string, where: string): string {
  const name = /^[A-Z]{2}$/.test(code) ? REGIONS.of(code) : undefined;
  if (name === undefined || name === code || code === 'ZZ') throw new ConfigError(where, `must be an ISO 3166-1 alpha-2 country code in capitals, e.g. DE (got "${code}")`);
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
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(where, `must be an IANA time zone such as Europe/Berlin (Intl does not know "${name}")`);
  }
}

/** `tenants[].apiKeys`: at least one; each a string of 16+ characters or `{ key, scopes, name? }`. */
function parseApiKeys(r: Reader): ConfiguredApiKey[] {
  const list = r.arr('apiKeys', false)!;
  if (list.length === 0) throw new ConfigError(`${r.path}.apiKeys`, 'must list at least one key');
  return list.map((v, i): ConfiguredApiKey => {
    const path = `${r.path}.apiKeys[${i}]`;
    const checkKey = (k: unknown, where: string): string => {
      if (typeof k !== 'string' || k.length < 16) throw new ConfigError(where, 'must be at least 16 characters');
      if (k.length > 256 || /\s/.test(k)) throw new ConfigError(where, 'must be at most 256 characters, without spaces');
      return k;
    };
    if (typeof v === 'string') return checkKey(v, path);
    const e = r.item(list, i, 'apiKeys');
    e.unknownKeys(['key', 'scopes', 'name']);
    const key = checkKey(e.raw('key'), `${path}.key`);
    const scopes = e.strings('scopes', false)!;
    if (scopes.length === 0) throw new ConfigError(`${path}.scopes`, 'must list at least one scope');
    scopes.forEach((s, j) => { if (!isApiScope(s)) throw new ConfigError(`${path}.scopes[${j}]`, `must be one of ${API_SCOPES.join(', ')}`); });
    const name = e.str('name', { optional: true });
    return { key, scopes: [...new Set(scopes as ApiScope[])], ...(name !== undefined ? { name } : {}) };
  });
}

function parseTenant(r: Reader, bots: Record<string, unknown>): TenantConfig {
  r.unknownKeys(['id', 'name', 'apiKeys', 'policy', 'keywords', 'routing', 'forwarding', 'privacyPolicyVersion', 'verification', 'retention', 'country', 'timeZone', 'media']);
  const tenant: TenantConfig = {
    id: r.str('id', { pattern: ID, patternHint: 'must be a short id (letters, digits, . _ -)' })!,
    apiKeys: parseApiKeys(r),
  };
  const name = r.str('name', { optional: true }); if (name !== undefined) tenant.name = name;
  const policy = r.obj2('policy', true);
  if (policy) tenant.policy = parseBusinessPolicy(policy);
  const kw = r.obj2('keywords', true);
  if (kw) {
    kw.unknownKeys(['stop', 'start', 'importantOnly', 'replaceDefaults']);
    const keywords: KeywordConfig = { replaceDefaults: kw.bool('replaceDefaults', false) };
    for (const k of ['stop', 'start', 'importantOnly'] as const) { const list = kw.strings(k, true); if (list) keywords[k] = list; }
    tenant.keywords = keywords;
  }
  const routing = r.obj2('routing', true);
  if (routing) {
    routing.unknownKeys(['rules', 'escalationQueue']);
    const rules = routing.arr('rules', true) ?? [];
    tenant.routing = {
      rules: rules.map((_, i) => {
        const rule = routing.item(rules, i, 'rules');
        rule.unknownKeys(['match', 'to']);
        const m = rule.obj2('match', true);
        return { ...(m ? { match: parseMatch(m) } : {}), to: parseTarget(rule.obj2('to', false)!, bots) };
      }),
    };
    const q = routing.str('escalationQueue', { optional: true, pattern: ID, patternHint: 'must be a short id' });
    if (q !== undefined) tenant.routing.escalationQueue = q;
  }
  const fwd = r.obj2('forwarding', true);
  if (fwd) tenant.forwarding = parseForwarding(fwd);
  const retention = r.obj2('retention', true);
  if (retention) {
    retention.unknownKeys(['messageDays']);
    const days = retention.raw('messageDays');
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) throw new ConfigError(`${retention.path}.messageDays`, 'must be a positive number of days');
    tenant.retention = { messageDays: days };
  }
  const ppv = r.str('privacyPolicyVersion', { optional: true });
  if (ppv !== undefined) tenant.privacyPolicyVersion = ppv;
  const verification = r.obj2('verification', true);
  if (verification) {
    const levels: Record<string, string> = {};
    for (const channel of Object.keys(verification.rawObject())) {
      levels[channel] = verification.str(channel, { pattern: /^(unverified|confirmed|verified)$/, patternHint: 'must be unverified, confirmed or verified' })!;
    }
    tenant.verification = levels;
  }
  const media = r.obj2('media', true);
  if (media) tenant.media = parseMediaLimits(media);
  const country = r.str('country', { optional: true });
  if (country !== undefined) tenant.country = isoCountry(country, `${r.path}.country`);
  const timeZone = r.str('timeZone', { optional: true });
  if (timeZone !== undefined) tenant.timeZone = ianaTimeZone(timeZone, `${r.path}.timeZone`);
  const quietHours = tenant.policy?.quietHours;
  if (quietHours !== undefined && quietHours.timeZone === undefined) {
    if (tenant.timeZone === undefined) throw new ConfigError(`${r.path}.policy.quietHours.timeZone`, 'is required unless the tenant has a timeZone: an IANA time zone such as "Europe/Berlin"');
    quietHours.timeZone = tenant.timeZone;
  }
  if (tenant.routing?.rules?.some((rule) => 'forward' in rule.to) && !tenant.forwarding) {
    throw new ConfigError(`${r.path}.forwarding`, 'is required when a routing rule forwards');
  }
  return tenant;
}

/** The largest size limit a config may set (4 GiB). */
const MAX_MEDIA_BYTES = 4 * 1024 * 1024 * 1024;
const MIME_PATTERN = /^(\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}))$/;

/** `media.limits` and `tenants[].media`: per-kind `maxBytes` and `allowedTypes`. */
function parseMediaLimits(r: Reader): MediaLimitsInput {
  r.unknownKeys(['maxBytes', 'allowedTypes']);
  const limits: MediaLimitsInput = {};
  const maxBytes = r.obj2('maxBytes', true);
  if (maxBytes) {
    maxBytes.unknownKeys([...MEDIA_KINDS]);
    const sizes: Partial<Record<MediaKind, number>> = {};
    for (const kind of MEDIA_KINDS) { const n = maxBytes.int(kind, undefined, 1, MAX_MEDIA_BYTES); if (n !== undefined) sizes[kind] = n; }
    limits.maxBytes = sizes;
  }
  const allowed = r.obj2('allowedTypes', true);
  if (allowed) {
    allowed.unknownKeys([...MEDIA_KINDS]);
    const types: Partial<Record<MediaKind, string[]>> = {};
    for (const kind of MEDIA_KINDS) {
      if (!allowed.has(kind)) continue;
      const list = allowed.arr(kind, false)!;
      if (list.length > 200) throw new ConfigError(`${allowed.path}.${kind}`, 'must list at most 200 types');
      types[kind] = list.map((t, i) => {
        if (typeof t !== 'string' || !MIME_PATTERN.test(t.toLowerCase())) throw new ConfigError(`${allowed.path}.${kind}[${i}]`, 'must be a MIME type (image/png), a family (image/*) or */*');
        return t.toLowerCase();
      });
    }
    limits.allowedTypes = types;
  }
  return limits;
}

/** The `media` section. */
function parseMediaConfig(r: Reader, baseDir: string, store: StoreConfig): MediaConfig {
  r.unknownKeys(['blobs', 'limits', 'scanner', 'fetch', 'urlFetch', 'signedUrlTtlMs']);
  const media: MediaConfig = {};
  const blobs = r.obj2('blobs', true);
  if (blobs) {
    const kind = blobs.str('kind')!;
    if (kind === 'directory') {
      blobs.unknownKeys(['kind', 'path']);
      media.blobs = { kind, path: resolvePath(baseDir, blobs.str('path')!) };
    } else if (kind === 'gridfs') {
      blobs.unknownKeys(['kind']);
      if (store.kind !== 'mongodb') throw new ConfigError('media.blobs.kind', 'gridfs needs the mongodb store');
      media.blobs = { kind };
    } else if (kind === 'memory') {
      blobs.unknownKeys(['kind']);
      media.blobs = { kind };
    } else throw new ConfigError('media.blobs.kind', 'must be "directory", "gridfs" or "memory"');
  }
  const limits = r.obj2('limits', true);
  if (limits) media.limits = parseMediaLimits(limits);
  const scanner = r.raw('scanner');
  if (scanner !== undefined) {
    if (typeof scanner !== 'function') throw new ConfigError('media.scanner', 'must be a function ({ tenantId, body, contentType, size, kind }) => Promise<{ verdict: "clean" } | { verdict: "reject", reason }>');
    media.scanner = scanner as MediaScanner;
  }
  const fetch = r.obj2('fetch', true);
  if (fetch) {
    fetch.unknownKeys(['concurrencyPerChannel', 'maxAttempts', 'retryBaseMs', 'retryMaxMs', 'timeoutMs']);
    const f: NonNullable<MediaConfig['fetch']> = {};
    const set = (k: keyof typeof f, min: number, max: number): void => { const n = fetch.int(k, undefined, min, max); if (n !== undefined) f[k] = n; };
    set('concurrencyPerChannel', 1, 256);
    set('maxAttempts', 1, 100);
    set('retryBaseMs', 1, 3_600_000);
    set('retryMaxMs', 1, 24 * 3_600_000);
    set('timeoutMs', 1_000, 3_600_000);
    media.fetch = f;
  }
  const urlFetch = r.obj2('urlFetch', true);
  if (urlFetch) {
    urlFetch.unknownKeys(['timeoutMs', 'allowPrivateNetworks']);
    const timeoutMs = urlFetch.int('timeoutMs', undefined, 100, 600_000);
    media.urlFetch = { ...(timeoutMs !== undefined ? { timeoutMs } : {}), allowPrivateNetworks: urlFetch.bool('allowPrivateNetworks', false) };
  }
  const ttl = r.int('signedUrlTtlMs', undefined, 1_000, 7 * 24 * 3_600_000);
  if (ttl !== undefined) media.signedUrlTtlMs = ttl;
  return media;
}

/** `server.trustProxy`: one entry or a list of them, each an address, a CIDR range or a named range. */
function parseTrustProxy(raw: unknown): string[] {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length > MAX_TRUSTED_PROXIES) throw new ConfigError('server.trustProxy', `must be an address, a CIDR range, loopback, linklocal or uniquelocal, or a list of at most ${MAX_TRUSTED_PROXIES} of them`);
  list.forEach((entry, i) => {
    const problem = trustEntryProblem(entry);
    if (problem) throw new ConfigError(`server.trustProxy[${i}]`, problem);
  });
  return list as string[];
}

/**
 * Validates a raw configuration (secrets already resolved).
 * @param raw - the config object a file exported
 * @param options - where relative paths resolve from
 * @returns the validated config with defaults applied
 * @throws ConfigError naming the first bad key
 */
export function parseHostConfig(raw: unknown, options: { baseDir: string }): HostConfig {
  if (!isPlainObject(raw)) throw new ConfigError('(root)', 'the config must be an object');
  const r = new Reader(raw, '');
  r.unknownKeys(['port', 'hostname', 'publicUrl', 'store', 'logLevel', 'tenants', 'connectors', 'bots', 'sandbox', 'pseudonymSalt', 'metricsToken', 'optInSecret', 'server', 'streams', 'media']);

  const botsRaw = r.raw('bots') ?? {};
  if (!isPlainObject(botsRaw)) throw new ConfigError('bots', 'must be an object of handler name → function or class');
  const bots: Record<string, BotHandlerRegistration> = {};
  for (const [name, handler] of Object.entries(botsRaw)) {
    const isHandlerObject = typeof handler === 'object' && handler !== null && typeof (handler as { handle?: unknown }).handle === 'function';
    if (typeof handler !== 'function' && !isHandlerObject) throw new ConfigError(`bots.${name}`, 'must be a function, a class with handle(), or an object with handle()');
    bots[name] = handler as BotHandlerRegistration;
  }

  const config: HostConfig = {
    port: r.int('port', 3000, 0, 65535)!,
    store: { kind: 'sqlite', path: resolvePath(options.baseDir, DEFAULT_DATABASE_PATH), synchronous: 'normal' },
    logLevel: 'info',
    tenants: [],
    connectors: [],
    bots,
    baseDir: options.baseDir,
    server: { ...DEFAULT_SERVER_LIMITS },
  };
  const hostname = r.str('hostname', { optional: true }); if (hostname !== undefined) config.hostname = hostname;
  const publicUrl = r.str('publicUrl', { optional: true });
  if (publicUrl !== undefined) {
    try { new URL(publicUrl); } catch { throw new ConfigError('publicUrl', 'must be an absolute URL'); }
    config.publicUrl = publicUrl.replace(/\/+$/, '');
  }
  const logLevel = r.str('logLevel', { optional: true });
  if (logLevel !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    config.logLevel = logLevel as HostConfig['logLevel'];
  }
  config.sandbox = r.bool('sandbox', false);
  const salt = r.str('pseudonymSalt', { optional: true });
  if (salt !== undefined) {
    if (salt.length < 16) throw new ConfigError('pseudonymSalt', 'must be at least 16 characters');
    config.pseudonymSalt = salt;
  }
  const optInSecret = r.str('optInSecret', { optional: true });
  if (optInSecret !== undefined) {
    if (optInSecret.length < 16) throw new ConfigError('optInSecret', 'must be at least 16 characters');
    config.optInSecret = optInSecret;
  }
  const metricsToken = r.str('metricsToken', { optional: true });
  if (metricsToken !== undefined) {
    if (metricsToken.length < 16) throw new ConfigError('metricsToken', 'must be at least 16 characters');
    config.metricsToken = metricsToken;
  }

  const server = r.obj2('server', true);
  if (server) {
    server.unknownKeys(['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'trustProxy', 'maxBufferedBodyBytes', 'maxPendingRequests', 'retryAfterSeconds', 'stopDeadlineMs']);
    const headersTimeoutMs = server.int('headersTimeoutMs', config.server.headersTimeoutMs, 100, 600_000)!;
    const requestTimeoutMs = server.int('requestTimeoutMs', config.server.requestTimeoutMs, 100, 3_600_000)!;
    if (requestTimeoutMs < headersTimeoutMs) throw new ConfigError('server.requestTimeoutMs', 'must be at least server.headersTimeoutMs');
    const keepAliveTimeoutMs = server.int('keepAliveTimeoutMs', config.server.keepAliveTimeoutMs, 100, 600_000)!;
    config.server = {
      headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs,
      maxBufferedBodyBytes: server.int('maxBufferedBodyBytes', DEFAULT_SERVER_LIMITS.maxBufferedBodyBytes, 64 * 1024, 2 ** 34)!,
      maxPendingRequests: server.int('maxPendingRequests', DEFAULT_SERVER_LIMITS.maxPendingRequests, 1, 1_000_000)!,
      retryAfterSeconds: server.int('retryAfterSeconds', DEFAULT_SERVER_LIMITS.retryAfterSeconds, 1, 3_600)!,
      stopDeadlineMs: server.int('stopDeadlineMs', DEFAULT_SERVER_LIMITS.stopDeadlineMs, 0, 9_500)!,
    };
    const trustProxy = server.raw('trustProxy');
    if (trustProxy !== undefined) config.server.trustProxy = parseTrustProxy(trustProxy);
  }

  const streams = r.obj2('streams', true);
  if (streams) {
    streams.unknownKeys(['maxClientBufferBytes', 'maxClientsPerTenant', 'dropGraceMs', 'maxPendingEvents', 'retention']);
    const limits: StreamLimits = {};
    const maxClientBufferBytes = streams.int('maxClientBufferBytes', undefined, 16 * 1024, 256 * 1024 * 1024);
    if (maxClientBufferBytes !== undefined) limits.maxClientBufferBytes = maxClientBufferBytes;
    const maxClientsPerTenant = streams.int('maxClientsPerTenant', undefined, 1, 100_000);
    if (maxClientsPerTenant !== undefined) limits.maxClientsPerTenant = maxClientsPerTenant;
    const dropGraceMs = streams.int('dropGraceMs', undefined, 0, 600_000);
    if (dropGraceMs !== undefined) limits.dropGraceMs = dropGraceMs;
    const maxPendingEvents = streams.int('maxPendingEvents', undefined, 1, 10_000_000);
    if (maxPendingEvents !== undefined) limits.maxPendingEvents = maxPendingEvents;
    const retention = streams.obj2('retention', true);
    if (retention) {
      retention.unknownKeys(['maxEvents', 'maxAgeMs']);
      const maxEvents = retention.int('maxEvents', undefined, 1, 100_000_000);
      const maxAgeMs = retention.int('maxAgeMs', undefined, 1_000, 366 * 24 * 3600_000);
      limits.retention = { ...(maxEvents !== undefined ? { maxEvents } : {}), ...(maxAgeMs !== undefined ? { maxAgeMs } : {}) };
    }
    config.streams = limits;
  }

  const store = r.obj2('store', true);
  if (store) {
    const kind = store.str('kind')!;
    if (kind === 'sqlite') {
      store.unknownKeys(['kind', 'path', 'synchronous']);
      const path = store.str('path', { optional: true }) ?? DEFAULT_DATABASE_PATH;
      const synchronous = store.str('synchronous', { optional: true }) ?? 'normal';
      if (synchronous !== 'normal' && synchronous !== 'full') throw new ConfigError('store.synchronous', 'must be "normal" or "full"');
      config.store = { kind: 'sqlite', path: path === ':memory:' ? path : resolvePath(options.baseDir, path), synchronous };
    } else if (kind === 'memory') {
      store.unknownKeys(['kind']);
      config.store = { kind: 'memory' };
    } else if (kind === 'mongodb') {
      store.unknownKeys(['kind', 'uri', 'dbName']);
      const uri = store.str('uri')!;
      if (!/^mongodb(\+srv)?:\/\//.test(uri)) throw new ConfigError('store.uri', 'must be a mongodb:// or mongodb+srv:// URI');
      const dbName = store.str('dbName', { optional: true });
      config.store = { kind: 'mongodb', uri, ...(dbName ? { dbName } : {}) };
    } else throw new ConfigError('store.kind', 'must be "sqlite", "memory" or "mongodb"');
  }

  const media = r.obj2('media', true);
  if (media) config.media = parseMediaConfig(media, options.baseDir, config.store);

  const tenants = r.arr('tenants', false)!;
  if (tenants.length === 0) throw new ConfigError('tenants', 'must list at least one tenant');
  const seenKeys = new Map<string, string>();
  tenants.forEach((_, i) => {
    const t = parseTenant(r.item(tenants, i, 'tenants'), bots);
    if (config.tenants.some((x) => x.id === t.id)) throw new ConfigError(`tenants[${i}].id`, `duplicates tenant "${t.id}"`);
    t.apiKeys.forEach((entry, j) => {
      const k = typeof entry === 'string' ? entry : entry.key;
      const other = seenKeys.get(k);
      if (other !== undefined) throw new ConfigError(`tenants[${i}].apiKeys[${j}]`, `is already a key of tenant "${other}"`);
      seenKeys.set(k, t.id);
    });
    config.tenants.push(t);
  });

  const connectors = r.arr('connectors', true) ?? [];
  const webhookKeys = new Set<string>();
  connectors.forEach((_, i) => {
    const c = r.item(connectors, i, 'connectors');
    c.unknownKeys(['package', 'plugin', 'required', 'accounts']);
    const plugin = c.raw('plugin');
    if (plugin !== undefined && (typeof plugin !== 'object' || plugin === null)) throw new ConfigError(`connectors[${i}].plugin`, 'must be a plugin object');
    const pkg = plugin !== undefined ? (c.str('package', { optional: true }) ?? String((plugin as { channel?: unknown }).channel ?? 'plugin')) : c.str('package')!;
    const accountsRaw = c.arr('accounts', false)!;
    if (accountsRaw.length === 0) throw new ConfigError(`connectors[${i}].accounts`, 'must list at least one account');
    const accounts = accountsRaw.map((__, j) => {
      const a = c.item(accountsRaw, j, 'accounts');
      a.unknownKeys(['id', 'tenant', 'config']);
      const id = a.str('id', { pattern: ID, patternHint: 'must be a short id usable in a URL (letters, digits, . _ -)' })!;
      let tenant = a.str('tenant', { optional: true });
      if (tenant === undefined) {
        if (config.tenants.length !== 1) throw new ConfigError(`${a.path}.tenant`, 'is required when there are several tenants');
        tenant = config.tenants[0]!.id;
      }
      if (!config.tenants.some((t) => t.id === tenant)) throw new ConfigError(`${a.path}.tenant`, `names no configured tenant ("${tenant}")`);
      const cfg = a.obj2('config', true);
      return { id, tenant, config: cfg ? (a.raw('config') as Record<string, unknown>) : {} };
    });
    const entry: ConnectorConfig = { package: pkg, required: c.bool('required', false), accounts };
    if (plugin !== undefined) entry.plugin = plugin as ConnectorPlugin;
    config.connectors.push(entry);
    // duplicate account keys are checked per channel once the plugin (and so its channel) is known;
    // here only exact duplicates inside one package entry are caught early
    for (const [j, a] of accounts.entries()) {
      const k = `${pkg}|${a.id}`;
      if (webhookKeys.has(k)) throw new ConfigError(`connectors[${i}].accounts[${j}].id`, `duplicates account "${a.id}"`);
      webhookKeys.add(k);
    }
  });
  return config;
}

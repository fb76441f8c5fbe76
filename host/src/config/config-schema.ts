/**
 * The host configuration as zod 4 schemas, one per section: the single source of the config's
 * validation (every rule, every default), of the integrator's input type ({@link HostConfigInput})
 * and of the JSON Schema for editors (`host/schema/switchboard.config.schema.json`). Objects are
 * closed: an unknown key is refused with its path. Rules that look across sections (a route's
 * bot, an account's tenant, keys shared by two tenants) are checks on the whole config, run even
 * when other sections have faults, so one validation lists every problem.
 * @module
 */
import { z } from 'zod';
import {
  CONTENT_TYPES, isValidTimeZone, PURPOSES,
  type BusinessPolicy, type ConnectorPlugin, type ContentType, type MediaKind, type Purpose, type TemplateCategory,
} from '@switchboard/core';
import { API_SCOPES, type ApiScope } from '../api/api-scopes.js';
import { isIsoDate, parseRange, WEEKDAYS, type Weekday } from '../assignment/business-hours.js';
import type { MediaScanner } from '../media/media-policy.js';
import type { BotHandlerRegistration } from '../routing/bot-handler.js';
import type { ContactContextProvider } from '../crm/contact-context.js';
import { endpointUrlProblem } from '../crm/https-context-provider.js';
import { MAX_TRUSTED_PROXIES, trustEntryProblem } from '../trusted-proxy.js';
import type { ServerLimits } from './host-config.js';
import { WebhooksConfigSchema } from '../webhooks/webhook-config.js';

/** Default database file of the embedded SQLite store, relative to the config's directory. */
export const DEFAULT_DATABASE_PATH = 'data/switchboard.db';

/** The `server` section's defaults. */
export const DEFAULT_SERVER_LIMITS: Readonly<Omit<ServerLimits, 'trustProxy'>> = {
  headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000,
  maxBufferedBodyBytes: 64 * 1024 * 1024, maxPendingRequests: 256, retryAfterSeconds: 5, stopDeadlineMs: 5_000,
};

/** Log levels the host's logger takes. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The largest size limit a config may set (4 GiB). */
const MAX_MEDIA_BYTES = 4 * 1024 * 1024 * 1024;
const MIME_PATTERN = /^(\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}))$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Longest free-text value (names, URLs, patterns); ids are bounded by {@link ID}. */
const MAX_TEXT = 2_048;
/** Longest list a hand-written config holds (rules, keywords, tenants, accounts). */
const MAX_LIST = 1_000;
const TEMPLATE_CATEGORIES = ['marketing', 'utility', 'authentication'] as const satisfies readonly TemplateCategory[];
const VERIFICATION_LEVELS = ['unverified', 'confirmed', 'verified'] as const;

// ---------------------------------------------------------------------------------------------
// building blocks: each states its own message, so a problem reads the same wherever it occurs

type Issue = { readonly input?: unknown };
const requiredOr = (otherwise: string) => (iss: Issue): string => (iss.input === undefined ? 'is required' : otherwise);

/** Keys a closed object still names only to refuse them with a message naming their replacement. */
const RETIRED = new WeakSet<z.core.$ZodType>();

/**
 * A closed object: an unknown key is refused ("is not a known key (expected one of: …)").
 * @param shape - the known keys
 * @returns the schema
 */
function closed<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  // retired keys and editor annotations ($schema) are not offered as what was meant
  const known = Object.keys(shape).filter((k) => !RETIRED.has(shape[k]!) && !k.startsWith('$'));
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `is not a known key (expected one of: ${known.join(', ')})` : requiredOr('must be an object')(iss)),
  });
}

/** A key that used to be accepted: refused with a message naming what replaced it. */
function retired(message: string): z.ZodOptional<z.ZodNever> {
  const schema = z.never({ error: message }).optional();
  RETIRED.add(schema);
  return schema;
}

/** A non-empty string of at most `max` characters. */
function text(max = MAX_TEXT): z.ZodString {
  return z.string({ error: requiredOr('must be a non-empty string') })
    .min(1, { error: 'must be a non-empty string', abort: true })
    .max(max, { error: `must be at most ${max} characters`, abort: true });
}

/** A non-empty string matching a pattern (`hint` says what it must be). */
function matching(pattern: RegExp, hint: string): z.ZodString {
  return text().regex(pattern, { error: hint });
}

/** A short id usable in URLs. */
const id = (hint = 'must be a short id (letters, digits, . _ -)'): z.ZodString => matching(ID, hint);

/** A secret or token: at least 16 characters (`{ env: 'NAME' }` is resolved before this reads it). */
function secret(): z.ZodString {
  return z.string({ error: requiredOr('must be a string of at least 16 characters') })
    .min(16, { error: 'must be at least 16 characters', abort: true })
    .max(MAX_TEXT, { error: `must be at most ${MAX_TEXT} characters` });
}

function bool(): z.ZodBoolean {
  return z.boolean({ error: requiredOr('must be true or false') });
}

/**
 * An integer in a range; a string of digits is read as its number (a value from `${VARIABLE}`).
 * @param min - smallest allowed
 * @param max - largest allowed
 * @returns the schema (output: number)
 */
function int(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  const ranged = (): z.ZodNumber => z.number({ error: message })
    .int({ error: message, abort: true }).min(min, { error: message, abort: true }).max(max, { error: message });
  return z.union([ranged(), z.string().regex(/^\d{1,16}$/, { error: message }).transform(Number).pipe(ranged())], { error: requiredOr(message) });
}

/** A list of at most `max` items. */
function list<T extends z.ZodType>(item: T, max = MAX_LIST): z.ZodArray<T> {
  return z.array(item, { error: requiredOr('must be an array') }).max(max, { error: `must list at most ${max} entries` });
}

/** One of a fixed set of strings. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, message = `must be one of ${values.join(', ')}`) {
  return z.enum(values, { error: requiredOr(message) });
}

/**
 * A value zod cannot describe (a function, a plugin object), checked by a predicate and typed `T`.
 * (Not `z.custom`: its failure keeps the checks across sections from running, and they must.)
 */
function value<T>(accepts: (v: unknown) => boolean, message: string): z.ZodType<T, T> {
  return z.unknown().refine(accepts, { error: message }) as unknown as z.ZodType<T, T>;
}

/** A function (or class) written in a JS/TS config: checked to be callable, never called here. */
function fn<T>(message: string): z.ZodType<T, T> {
  return value<T>((v) => typeof v === 'function', message);
}

/** One string or a list of them. */
const stringOrList = () => z.union([text(), list(text())], { error: 'must be a non-empty string or a list of them' });

/** Per media kind, an optional value. */
function perKind<T extends z.ZodType>(value: () => T) {
  const shape = { image: value().optional(), video: value().optional(), audio: value().optional(), document: value().optional(), sticker: value().optional() };
  shape satisfies Record<MediaKind, z.ZodType>;
  return closed(shape);
}

/** A purpose of sending. */
const purpose = () => oneOf(PURPOSES as readonly Purpose[] as [Purpose, ...Purpose[]]);

// ---------------------------------------------------------------------------------------------
// sections

const trustEntry = () => z.string({ error: (iss) => trustEntryProblem(iss.input) }).superRefine((entry, ctx) => {
  const problem = trustEntryProblem(entry);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** `server.trustProxy`: one entry or a list of them, each an address, a CIDR range or a named range. */
const TrustProxySchema = z.union([
  trustEntry().transform((entry) => [entry]),
  z.array(trustEntry()).max(MAX_TRUSTED_PROXIES),
], { error: `must be an address, a CIDR range, loopback, linklocal or uniquelocal, or a list of at most ${MAX_TRUSTED_PROXIES} of them` })
  .meta({ description: 'Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto the host believes (addresses, CIDR ranges, loopback, linklocal, uniquelocal; default none).' });

/** The `server` section: timeouts and limits that keep slow or stalled clients from holding connections. */
export const ServerSchema = closed({
  headersTimeoutMs: int(100, 600_000).default(DEFAULT_SERVER_LIMITS.headersTimeoutMs)
    .meta({ description: 'Time a client has to send the complete request headers, in ms (default 10 s); beyond it: 408 and close.' }),
  requestTimeoutMs: int(100, 3_600_000).default(DEFAULT_SERVER_LIMITS.requestTimeoutMs)
    .meta({ description: 'Time a client has to send the complete request, in ms (default 30 s); at least headersTimeoutMs.' }),
  keepAliveTimeoutMs: int(100, 600_000).default(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs)
    .meta({ description: 'Idle time before a kept-alive connection is closed, in ms (default 5 s).' }),
  trustProxy: TrustProxySchema.optional(),
  maxBufferedBodyBytes: int(64 * 1024, 2 ** 34).default(DEFAULT_SERVER_LIMITS.maxBufferedBodyBytes)
    .meta({ description: 'Bytes of request bodies the host holds at once (default 64 MiB); a body that does not fit is answered 503 with Retry-After before it is read.' }),
  maxPendingRequests: int(1, 1_000_000).default(DEFAULT_SERVER_LIMITS.maxPendingRequests)
    .meta({ description: 'Requests whose body is still arriving, at once (default 256); beyond it: 503 with Retry-After.' }),
  retryAfterSeconds: int(1, 3_600).default(DEFAULT_SERVER_LIMITS.retryAfterSeconds)
    .meta({ description: 'What Retry-After says when a limit refuses a request, in seconds (default 5).' }),
  stopDeadlineMs: int(0, 9_500).default(DEFAULT_SERVER_LIMITS.stopDeadlineMs)
    .meta({ description: 'How long a stop waits for requests and platform calls in flight, in ms (default 5 s, at most 9.5 s).' }),
}).superRefine((server, ctx) => {
  if (typeof server.requestTimeoutMs === 'number' && typeof server.headersTimeoutMs === 'number' && server.requestTimeoutMs < server.headersTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['requestTimeoutMs'], message: 'must be at least server.headersTimeoutMs' });
  }
}, { when: () => true }).meta({ description: 'HTTP server limits that keep slow or stalled clients from holding connections.' });

/** The `store` section: SQLite (default), memory or MongoDB. */
export const StoreSchema = z.discriminatedUnion('kind', [
  closed({
    kind: z.literal('sqlite'),
    path: text().default(DEFAULT_DATABASE_PATH)
      .meta({ description: `The database file, relative to the config's directory (default ${DEFAULT_DATABASE_PATH}); ":memory:" for a private in-memory database.` }),
    synchronous: oneOf(['normal', 'full'], 'must be "normal" or "full"').default('normal')
      .meta({ description: '"normal" (default) keeps every commit across a crash of the process; "full" also across a power loss, at one disk flush per commit.' }),
  }).meta({ description: 'The embedded store: one SQLite database file (WAL), created on first start; several host processes on one machine may share it.' }),
  closed({ kind: z.literal('memory') }).meta({ description: 'Ephemeral: in memory, everything is lost when the process ends.' }),
  closed({
    kind: z.literal('mongodb'),
    uri: matching(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
    dbName: text(64).optional(),
  }).meta({ description: 'MongoDB (a replica set), for several machines. Needs the optional mongoose package.' }),
], { error: (iss) => (iss.input !== null && typeof iss.input === 'object' ? 'must be "sqlite", "memory" or "mongodb"' : 'must be an object') })
  .meta({ description: 'Where the host keeps its data (default: the SQLite file data/switchboard.db).' });

/** Per-kind size limits and allowed types: `media.limits` and `tenants[].media`. */
export const MediaLimitsSchema = closed({
  maxBytes: perKind(() => int(1, MAX_MEDIA_BYTES)).optional().meta({ description: 'Largest file per media kind, in bytes.' }),
  allowedTypes: perKind(() => list(
    z.string({ error: 'must be a MIME type (image/png), a family (image/*) or */*' }).toLowerCase().regex(MIME_PATTERN, { error: 'must be a MIME type (image/png), a family (image/*) or */*' }),
    200,
  ).max(200, { error: 'must list at most 200 types' })).optional().meta({ description: 'MIME types (image/png), families (image/*) or */* accepted per media kind.' }),
}).meta({ description: 'Media limits per kind: the kinds named replace the ones in force, the others keep them.' });

/** The `media` section: where files live, the host's limits, the scanner, fetching and serving. */
export const MediaSchema = closed({
  blobs: z.discriminatedUnion('kind', [
    closed({ kind: z.literal('directory'), path: text().meta({ description: "The directory, relative to the config's directory." }) }),
    closed({ kind: z.literal('gridfs') }).meta({ description: "MongoDB GridFS in the store's database (needs the mongodb store)." }),
    closed({ kind: z.literal('memory') }),
  ], { error: (iss) => (iss.input !== null && typeof iss.input === 'object' ? 'must be "directory", "gridfs" or "memory"' : 'must be an object') })
    .optional().meta({ description: 'Where the bytes are; the default follows the store (media/ beside the SQLite file, GridFS with MongoDB, memory with memory).' }),
  limits: MediaLimitsSchema.optional(),
  scanner: fn<MediaScanner>('must be a function ({ tenantId, body, contentType, size, kind }) => Promise<{ verdict: "clean" } | { verdict: "reject", reason }>').optional()
    .meta({ description: 'A virus scanner every new file passes (a function: only in a JS/TS config file).' }),
  fetch: closed({
    concurrencyPerChannel: int(1, 256).optional().meta({ description: 'Downloads at once per channel (default 4).' }),
    maxAttempts: int(1, 100).optional().meta({ description: 'Attempts before a file is marked failed (default 8).' }),
    retryBaseMs: int(1, 3_600_000).optional().meta({ description: 'First retry delay in ms, doubling with jitter (default 2 000).' }),
    retryMaxMs: int(1, 24 * 3_600_000).optional().meta({ description: 'Longest retry delay in ms (default 5 minutes).' }),
    timeoutMs: int(1_000, 3_600_000).optional().meta({ description: 'Time one download may take, in ms (default 2 minutes).' }),
  }).optional().meta({ description: "Fetching customers' files from the platforms." }),
  urlFetch: closed({
    timeoutMs: int(100, 600_000).optional().meta({ description: 'Time the fetch may take in ms (default 30 s).' }),
    allowPrivateNetworks: bool().default(false).meta({ description: 'Allow loopback, private and link-local addresses (default false).' }),
  }).optional().meta({ description: 'POST /v1/media with { url }: the host fetches the file itself.' }),
  signedUrlTtlMs: int(1_000, 7 * 24 * 3_600_000).optional().meta({ description: 'How long a signed media URL works, in ms (default 15 minutes).' }),
}).meta({ description: 'The media store: where files live, limits, scanner, fetching and serving (every field has a default).' });

/** The `streams` section: limits of `/v1/events` and the console's event stream. */
export const StreamsSchema = closed({
  maxClientBufferBytes: int(16 * 1024, 256 * 1024 * 1024).optional().meta({ description: 'Bytes that may wait for a client that does not read before it is dropped (default 1 MiB).' }),
  maxClientsPerTenant: int(1, 100_000).optional().meta({ description: 'Open streams per tenant (default 100); beyond: 429.' }),
  dropGraceMs: int(0, 600_000).optional().meta({ description: 'How long a dropped client has to take its final event before its socket is destroyed (default 5 s).' }),
  maxPendingEvents: int(1, 10_000_000).optional().meta({ description: 'Events per tenant waiting to be logged, beyond which new ones are discarded (default 10,000).' }),
  retention: closed({
    maxEvents: int(1, 100_000_000).optional().meta({ description: 'Newest events kept per tenant (default 10,000).' }),
    maxAgeMs: int(1_000, 366 * 24 * 3_600_000).optional().meta({ description: 'Oldest event kept, in ms (default 24 h).' }),
  }).optional().meta({ description: 'What the event log Last-Event-ID resumes from keeps per tenant.' }),
}).meta({ description: 'Limits of the event streams; unset ones keep their defaults.' });

/** `tenants[].policy.quietHours`. */
export const QuietHoursSchema = closed({
  // a fixed offset is an hour wrong for half the year: quiet hours take an IANA time zone
  utcOffsetMinutes: retired('is replaced by timeZone, an IANA time zone such as "Europe/Berlin" (a fixed offset ignores daylight saving time)'),
  start: matching(HH_MM, 'must be HH:MM').meta({ description: 'HH:MM, local time.' }),
  end: matching(HH_MM, 'must be HH:MM').meta({ description: 'HH:MM, local time; may be before start (wraps midnight).' }),
  timeZone: text(64).refine(isValidTimeZone, { error: 'must be an IANA time zone such as "Europe/Berlin" or "America/New_York"' }).optional()
    .meta({ description: "IANA time zone (default: the tenant's timeZone, which is then required)." }),
  purposes: list(purpose(), 3).optional().meta({ description: 'Purposes it applies to (default: transactional and marketing).' }),
}).meta({ description: "No business-initiated messages of the listed purposes in this range, on the recipient's wall clock." });

const contentType = () => oneOf(CONTENT_TYPES as readonly ContentType[] as [ContentType, ...ContentType[]]);

/** One rate limit of a business policy. */
const RateLimitSchema = closed({
  scope: oneOf(['account', 'recipient', 'group', 'recipient-without-reply', 'unique-recipients-per-day']),
  limit: int(1, 1_000_000_000),
  perMs: int(1, 366 * 24 * 3_600_000),
  enforcement: oneOf(['pace', 'deny']),
  note: text().optional(),
  contentTypes: list(contentType(), 64).optional(),
  tiers: list(int(1, 1_000_000_000), 64).optional(),
  unlimitedTier: bool().optional(),
});

/** `tenants[].policy`: the business's own rules; every field only tightens the channels'. */
export const BusinessPolicySchema = closed({
  serviceWindowHours: int(0, 24 * 365).optional().meta({ description: 'A shorter service window, in hours.' }),
  quietHours: QuietHoursSchema.optional(),
  marketingAllowed: bool().optional().meta({ description: 'Set false to forbid marketing on every channel.' }),
  broadcastAllowed: bool().optional().meta({ description: 'Set false to forbid broadcasts.' }),
  consentRequiredFor: list(purpose(), 3).optional().meta({ description: "Purposes that need recorded consent (adds to the channel's and the law's)." }),
  requireDoubleOptIn: bool().optional().meta({ description: "Require the double opt-in's confirming step before consent counts." }),
  bannedTopics: list(text()).optional().meta({ description: 'Topics the business never sends about.' }),
  restrictedCommerce: list(text()).optional().meta({ description: 'Extra restricted commerce categories.' }),
  rateLimits: list(RateLimitSchema, 64).optional().meta({ description: 'Extra rate limits.' }),
  maxTextLength: int(1, 1_000_000).optional().meta({ description: 'A lower text limit.' }),
  contentTypes: list(contentType(), 64).optional().meta({ description: "Content types the business allows (intersected with the channel's)." }),
  templateCategories: list(oneOf(TEMPLATE_CATEGORIES), 3).optional().meta({ description: 'Template categories the business allows outside the window.' }),
  consentScope: oneOf(['all-channels', 'per-channel'], 'must be "all-channels" or "per-channel"').optional()
    .meta({ description: "Whether a revocation on one channel applies to all the contact's channels (default) or one." }),
  marketingRequiresVerification: z.record(text(64), oneOf(VERIFICATION_LEVELS, 'must be unverified, confirmed or verified'), { error: 'must be an object' }).optional()
    .meta({ description: 'Minimum verification level before marketing, per channel.' }),
  mediaMaxBytes: perKind(() => int(1, MAX_MEDIA_BYTES)).optional().meta({ description: 'Lower media size limits per kind, in bytes.' }),
  mediaTypes: perKind(() => list(z.string({ error: 'must be a MIME type (image/png) or a family (image/*)' })
    .refine((t) => MIME_PATTERN.test(t.toLowerCase().split(';')[0]!.trim()), { error: 'must be a MIME type (image/png) or a family (image/*)' }), 200)).optional()
    .meta({ description: "MIME types the business sends per kind (intersected with the channel's)." }),
}).meta({ description: "The business policy: the integrator's own rules for this tenant; every field only tightens the channels'." });

/** `tenants[].keywords`. */
export const KeywordsSchema = closed({
  stop: list(text()).optional().meta({ description: 'Opt-out words (STOP…).' }),
  start: list(text()).optional().meta({ description: 'Opt-back-in words (START…).' }),
  importantOnly: list(text()).optional().meta({ description: '"Important only" phrases.' }),
  replaceDefaults: bool().default(false).meta({ description: 'Replace the default multilingual lists instead of adding to them.' }),
}).meta({ description: 'Keyword lists (whole-message matches, case- and accent-insensitive).' });

/** `routing.rules[].match`: every given field must match. */
const RouteMatchSchema = closed({
  channel: stringOrList().optional(),
  account: stringOrList().optional().meta({ description: 'The account key of the webhook URL.' }),
  keyword: stringOrList().optional().meta({ description: 'Words (case-insensitive, whole words) tested against the message text.' }),
  pattern: text().superRefine((pattern, ctx) => {
    try { new RegExp(pattern, 'iu'); } catch (e) { ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(e as Error).message}` }); }
  }).optional().meta({ description: 'Regular expression source tested against the message text.' }),
  tag: text().optional().meta({ description: 'A tag the conversation must carry.' }),
});

/** `routing.rules[].to`: exactly one of `bot`, `queue`, `forward`. */
const RouteTargetSchema = closed({
  bot: text().optional().meta({ description: 'A bot handler named in bots.' }),
  queue: id().optional().meta({ description: 'An agent queue.' }),
  forward: z.literal(true, { error: 'must be true' }).optional().meta({ description: "Forward to the tenant's forwarding endpoint." }),
}).superRefine((to, ctx) => {
  if (Object.keys(to).filter((k) => k === 'bot' || k === 'queue' || k === 'forward').length !== 1) ctx.addIssue({ code: 'custom', message: 'must have exactly one of bot, queue, forward' });
}, { when: () => true }).transform((to): { bot: string } | { queue: string } | { forward: true } => {
  if (to.bot !== undefined) return { bot: to.bot };
  if (to.queue !== undefined) return { queue: to.queue };
  return { forward: true };
});

/** `tenants[].routing`. */
export const RoutingSchema = closed({
  rules: list(closed({ match: RouteMatchSchema.optional(), to: RouteTargetSchema })).default([])
    .meta({ description: 'The first rule that matches wins.' }),
  escalationQueue: id('must be a short id').optional().meta({ description: 'The queue a bot hands over to, and where handover without a queue goes.' }),
});

/** `tenants[].forwarding`: conversations forwarded to the integrator's own HTTPS endpoint. */
export const ForwardingSchema = closed({
  url: text().superRefine((url, ctx) => {
    let parsed: URL;
    try { parsed = new URL(url); } catch { ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' }); return; }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    // plain HTTP would expose message bodies in transit; only a loopback endpoint may use it
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) ctx.addIssue({ code: 'custom', message: 'must be an https:// URL (http:// only for localhost)' });
  }),
  secret: secret().meta({ description: 'HMAC-SHA256 key of the Standard Webhooks webhook-signature (its UTF-8 bytes, or the base64 part of whsec_…) and of the former x-switchboard-signature header.' }),
  maxAttempts: int(1, 20).optional().meta({ description: 'Attempts before giving up (default 6; also bounded by webhooks.retry.maxAgeMs).' }),
  baseDelayMs: int(1, 600_000).optional().meta({ description: 'First retry delay in ms; doubles each time, with jitter, up to webhooks.retry.maxDelayMs (default 500).' }),
  timeoutMs: int(100, 120_000).optional().meta({ description: 'Per-attempt timeout in ms (default 10 000).' }),
});

const apiKey = () => z.string({ error: requiredOr('must be at least 16 characters') })
  .min(16, { error: 'must be at least 16 characters', abort: true })
  .refine((k) => k.length <= 256 && !/\s/.test(k), { error: 'must be at most 256 characters, without spaces' });

/** `tenants[].apiKeys[]`: a plain key (every scope but `messages:send-as-agent`) or `{ key, scopes, name? }`. */
export const ApiKeySchema = z.union([
  apiKey(),
  closed({
    key: apiKey(),
    scopes: list(oneOf(API_SCOPES), API_SCOPES.length * 4).min(1, { error: 'must list at least one scope' })
      .transform((scopes): ApiScope[] => [...new Set(scopes)]),
    name: text().optional(),
  }),
], { error: 'must be a key of at least 16 characters or { key, scopes, name? }' });

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Whether a code is an ISO 3166-1 alpha-2 country the runtime's region data (Intl) knows.
 * @param code - e.g. `DE`
 * @returns true for two capital letters naming a region
 */
export function isIsoCountry(code: string): boolean {
  const name = /^[A-Z]{2}$/.test(code) ? REGIONS.of(code) : undefined;
  return name !== undefined && name !== code && code !== 'ZZ';
}

/**
 * The canonical spelling of an IANA time zone, per the runtime's own time-zone data (Intl).
 * @param name - e.g. `europe/berlin`
 * @returns `Europe/Berlin`, or undefined when Intl does not know the zone
 */
export function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

// ---- assignment: queues' strategy, business hours, out-of-hours reply and SLA (tenants[].assignment) ----

/** An IANA time zone, checked with Intl and answered in its canonical spelling (the tenant's zone, a queue's business hours). */
const IanaTimeZoneSchema = z.string({ error: 'must be an IANA time zone such as Europe/Berlin' }).max(64, { error: 'must be an IANA time zone such as Europe/Berlin', abort: true })
  .transform((zone, ctx) => {
    const canonical = canonicalTimeZone(zone);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be an IANA time zone such as Europe/Berlin (Intl does not know "${zone}")` });
      return z.NEVER;
    }
    return canonical;
  });

/** `tenants[].assignment.queues.<queue>.hours`: weekly ranges in an IANA zone, and holidays. */
export const BusinessHoursSchema = closed({
  timeZone: IanaTimeZoneSchema.meta({ description: 'The IANA time zone the hours and holidays are local to.' }),
  weekly: closed(Object.fromEntries(WEEKDAYS.map((d) => [d, list(z.string({ error: 'must be a range HH:MM-HH:MM' })
    .refine((r) => parseRange(r) !== undefined, { error: 'must be a range HH:MM-HH:MM with the end after the start (24:00 allowed as an end)' }), 8).optional()])) as Record<Weekday, z.ZodOptional<z.ZodArray<z.ZodString>>>)
    .meta({ description: 'Opening ranges per day (mon…sun): ["09:00-12:30", "13:30-18:00"]. A day not listed is closed.' }),
  holidays: list(z.string({ error: 'must be a date YYYY-MM-DD' }).refine(isIsoDate, { error: 'must be a date YYYY-MM-DD' }), 400).default([])
    .meta({ description: 'Local dates closed all day.' }),
});

/** `tenants[].assignment.queues.<queue>`: how one queue is worked. */
export const QueueSettingsSchema = closed({
  strategy: oneOf(['round-robin', 'least-busy']).default('round-robin')
    .meta({ description: 'round-robin: the eligible agent assigned longest ago; least-busy: the one with the fewest open conversations.' }),
  autoAssign: bool().default(true).meta({ description: 'Assign waiting conversations to online agents with room (default true).' }),
  hours: BusinessHoursSchema.optional(),
  outOfHoursReply: text(1_000).optional().meta({ description: 'Sent (through the policy engine) when a customer writes while the queue is closed; at most once per conversation in 12 hours.' }),
  sla: closed({
    firstResponseMinutes: int(1, 10_080).optional().meta({ description: 'The first agent reply is due this long after the conversation reaches the queue.' }),
    nextResponseMinutes: int(1, 10_080).optional().meta({ description: 'Each later reply is due this long after the customer\'s message.' }),
    dueSoonMinutes: int(0, 1_440).default(5).meta({ description: 'sla.due is published this long before a reply is due (default 5; 0: at the due time); sla.breached when it is due and still unanswered.' }),
  }).optional(),
});

/** `tenants[].assignment`: automatic assignment to agents and the queues' settings. */
export const AssignmentSchema = closed({
  defaultCapacity: int(1, 100).default(3).meta({ description: 'Open conversations an agent holds at most, unless their presence sets another capacity.' }),
  queues: z.record(id('must be a short queue id'), QueueSettingsSchema, { error: 'must be an object' })
    .refine((q) => Object.keys(q).length <= 200, { error: 'must name at most 200 queues' }).default({}),
});

/** A tenant: a business using the host, with its own API keys, data and rules. */
export const TenantSchema = closed({
  id: id(),
  name: text().optional(),
  apiKeys: list(ApiKeySchema).min(1, { error: 'must list at least one key' })
    .meta({ description: 'Bearer keys of the REST API: a plain string carries every scope but messages:send-as-agent; { key, scopes, name? } the scopes listed.' }),
  policy: BusinessPolicySchema.optional(),
  keywords: KeywordsSchema.optional(),
  routing: RoutingSchema.optional(),
  forwarding: ForwardingSchema.optional(),
  privacyPolicyVersion: text().optional().meta({ description: 'The privacy-policy version in force; opt-ins under another version need re-consent.' }),
  verification: z.record(text(64), oneOf(VERIFICATION_LEVELS, 'must be unverified, confirmed or verified'), { error: 'must be an object' }).optional()
    .meta({ description: "The business's verification level per channel." }),
  retention: closed({
    messageDays: z.number({ error: requiredOr('must be a positive number of days') })
      .positive({ error: 'must be a positive number of days' }).max(1e6, { error: 'must be a positive number of days' }),
  }).optional().meta({ description: 'How long messages are kept: older ones are purged.' }),
  country: z.string({ error: (iss) => `must be an ISO 3166-1 alpha-2 country code in capitals, e.g. DE (got ${JSON.stringify(iss.input)})` })
    .refine(isIsoCountry, { error: (iss) => `must be an ISO 3166-1 alpha-2 country code in capitals, e.g. DE (got "${String(iss.input)}")` }).optional()
    .meta({ description: "The business's country, ISO 3166-1 alpha-2 (DE): the jurisdiction whose law applies to every message." }),
  timeZone: IanaTimeZoneSchema.optional().meta({ description: "The business's IANA time zone (Europe/Berlin), the default for local times such as quiet hours." }),
  media: MediaLimitsSchema.optional(),
  assignment: AssignmentSchema.optional().meta({ description: 'Agent presence and capacity, automatic assignment, business hours and SLA per queue.' }),
  webhooks: WebhooksConfigSchema.optional(),
}).superRefine((tenant, ctx) => {
  // a section with faults of its own is left out of the value: these rules then stay silent
  const quietHours = isRecord(tenant.policy) && isRecord(tenant.policy.quietHours) ? tenant.policy.quietHours : undefined;
  if (quietHours && quietHours.timeZone === undefined && tenant.timeZone === undefined && !faultAt(ctx, ['policy', 'quietHours']) && !faultAt(ctx, ['timeZone'])) {
    ctx.addIssue({ code: 'custom', path: ['policy', 'quietHours', 'timeZone'], message: 'is required unless the tenant has a timeZone: an IANA time zone such as "Europe/Berlin"' });
  }
  const rules = isRecord(tenant.routing) && Array.isArray(tenant.routing.rules) ? tenant.routing.rules : [];
  if (rules.some((rule) => isRecord(rule) && isRecord(rule.to) && 'forward' in rule.to) && tenant.forwarding === undefined && !faultAt(ctx, ['forwarding'])) {
    ctx.addIssue({ code: 'custom', path: ['forwarding'], message: 'is required when a routing rule forwards' });
  }
}, { when: () => true }).transform((tenant) => {
  const { policy, ...rest } = tenant;
  if (!policy) return rest;
  const { quietHours, ...rules } = policy;
  const out: BusinessPolicy = quietHours ? { ...rules, quietHours: { ...quietHours, timeZone: quietHours.timeZone ?? tenant.timeZone! } } : rules;
  return { ...rest, policy: out };
}).meta({ description: 'A tenant: a business using the host, with its own API keys, data and rules.' });

/** One account of a connector: its webhook URL key, tenant and connector config. */
export const AccountSchema = closed({
  id: id('must be a short id usable in a URL (letters, digits, . _ -)').meta({ description: 'The :account of /webhooks/:channel/:account.' }),
  tenant: text().optional().meta({ description: 'The tenant it belongs to (may be omitted when there is one tenant).' }),
  config: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({})
    .meta({ description: "Passed to the connector plugin's parseConfig, which validates it." }),
});

/** A connector package and its accounts. */
export const ConnectorSchema = closed({
  package: text().optional().meta({ description: 'Package name (@switchboard/whatsapp, a vendor\'s) or a path to a module; resolved by dynamic import.' }),
  plugin: value<ConnectorPlugin>((v) => typeof v === 'object' && v !== null, 'must be a plugin object').optional()
    .meta({ description: 'An already-imported plugin (library use); takes the place of package.' }),
  required: bool().default(false).meta({ description: 'Refuse to start when this plugin fails (default false: it is isolated and reported).' }),
  accounts: list(AccountSchema).min(1, { error: 'must list at least one account' }),
}).superRefine((entry, ctx) => {
  if (entry.plugin === undefined && entry.package === undefined && !faultAt(ctx, ['package']) && !faultAt(ctx, ['plugin'])) ctx.addIssue({ code: 'custom', path: ['package'], message: 'is required' });
}, { when: () => true }).transform(({ package: pkg, plugin, ...rest }) => ({
  ...rest,
  package: pkg ?? String((plugin as { channel?: unknown } | undefined)?.channel ?? 'plugin'),
  ...(plugin !== undefined ? { plugin } : {}),
}));

/** The `contactContext` section: where the host asks for a contact's CRM context, and how long it keeps the answer. */
export const ContactContextConfigSchema = closed({
  provider: fn<ContactContextProvider>('must be a function ({ tenantId, contactId, addresses, name, crmRef }, { signal }) => context | undefined').optional()
    .meta({ description: 'A function returning the context (only in a JS/TS config file); give it or endpoint.' }),
  endpoint: closed({
    url: text(2_000).superRefine((url, ctx) => { const p = endpointUrlProblem(url); if (p) ctx.addIssue({ code: 'custom', message: p }); })
      .meta({ description: 'The endpoint the host POSTs { tenantId, contactId, addresses, name?, crmRef? } to (https; http only on a loopback host).' }),
    secret: secret().meta({ description: 'The HMAC-SHA256 key of the Switchboard-Signature header (t=<unix seconds>,v1=<hex of HMAC over "<t>.<body>">).' }),
    timeoutMs: int(100, 30_000).default(3_000).meta({ description: 'How long one call may take, in ms (default 3 000).' }),
  }).optional().meta({ description: 'An HTTPS endpoint answering the context as JSON (204 or 404: unknown contact); give it or provider.' }),
  ttlMs: int(1_000, 7 * 24 * 3_600_000).default(300_000).meta({ description: 'How long an answer is kept, in ms on the host clock (default 5 minutes).' }),
  failureTtlMs: int(0, 3_600_000).default(30_000).meta({ description: 'How long a failure is kept before the provider is asked again, in ms (default 30 s).' }),
}).superRefine((c, ctx) => {
  if ((c.provider === undefined) === (c.endpoint === undefined) && !faultAt(ctx, ['provider']) && !faultAt(ctx, ['endpoint'])) {
    ctx.addIssue({ code: 'custom', path: ['provider'], message: 'give either provider (a function) or endpoint, not both and not neither' });
  }
}, { when: () => true }).meta({ description: 'The CRM context of contacts (display name, customer id, attributes, open orders and cases), shown in the console and handed to bots.' });

/** Bot handlers by name: a function, a class with `handle()` (instantiated once), or an object with `handle()`. */
export const BotsSchema = z.record(
  text(64),
  value<BotHandlerRegistration>(
    (v) => typeof v === 'function' || (typeof v === 'object' && v !== null && typeof (v as { handle?: unknown }).handle === 'function'),
    'must be a function, a class with handle(), or an object with handle()',
  ),
  { error: 'must be an object of handler name → function or class' },
).default({}).meta({ description: 'Bot handlers by name (functions: only in a JS/TS config file).' });

/** The whole host configuration, before paths are resolved against the config's directory. */
export const HostConfigSchema = closed({
  $schema: text().optional().meta({ description: 'The JSON Schema an editor checks this file with (ignored by the host), e.g. ./node_modules/@switchboard/host/schema/switchboard.config.schema.json.' }),
  port: int(0, 65535).default(3000).meta({ description: 'Port to listen on (default 3000).' }),
  hostname: text().optional().meta({ description: 'Interface to listen on (default all).' }),
  publicUrl: text().superRefine((url, ctx) => {
    try { new URL(url); } catch { ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' }); }
  }).transform((url) => url.replace(/\/+$/, '')).optional()
    .meta({ description: 'The public base URL platforms reach the host at (webhook registration and doctor).' }),
  store: StoreSchema.optional(),
  logLevel: oneOf(LOG_LEVELS).default('info'),
  tenants: list(TenantSchema, 10_000).min(1, { error: 'must list at least one tenant' }),
  connectors: list(ConnectorSchema).default([]),
  bots: BotsSchema,
  sandbox: bool().default(false).meta({ description: 'Sandbox mode: /sandbox/... routes, fake platforms.' }),
  pseudonymSalt: secret().optional().meta({ description: 'Salt of the pseudonyms an erasure leaves in consent proofs, audit log and cost ledger (at least 16 characters; best from an environment variable).' }),
  metricsToken: secret().optional().meta({ description: 'A bearer token /metrics requires (without it /metrics is open).' }),
  optInSecret: secret().optional().meta({ description: 'The secret opt-in start tokens are signed with (at least 16 characters).' }),
  server: ServerSchema.prefault({}),
  streams: StreamsSchema.optional(),
  media: MediaSchema.optional(),
  contactContext: ContactContextConfigSchema.optional(),
}).superRefine(checkAcrossSections, { when: () => true }).transform((config) => {
  const tenants = config.tenants;
  return {
    ...config,
    // an account without a tenant belongs to the only one (the check above refused it otherwise)
    connectors: config.connectors.map((c) => ({ ...c, accounts: c.accounts.map((a) => ({ ...a, tenant: a.tenant ?? tenants[0]!.id })) })),
  };
}).meta({ title: 'Switchboard host configuration', description: 'switchboard.config.json / .ts: tenants, connectors, store, server limits, media and more.' });

/** What an integrator writes (before `{ env }` references are resolved; see {@link HostConfigInput}). */
export type HostConfigSchemaInput = z.input<typeof HostConfigSchema>;
/** What the schema gives, before paths are resolved against the config's directory. */
export type HostConfigSchemaOutput = z.output<typeof HostConfigSchema>;

/** Whether an issue was already found at (or under) a path, relative to the object being checked. */
function faultAt(ctx: { issues: readonly { path?: readonly PropertyKey[] | undefined }[] }, path: readonly PropertyKey[]): boolean {
  return ctx.issues.some((i) => path.every((key, n) => i.path?.[n] === key));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The rules that read more than one section. The value may be partial when a section has
 * faults of its own, so each rule looks only at what it can read.
 */
function checkAcrossSections(raw: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  if (!isRecord(raw)) return;
  const issue = (path: PropertyKey[], message: string): void => { ctx.addIssue({ code: 'custom', path, message }); };
  const tenants = Array.isArray(raw.tenants) ? raw.tenants : [];
  const bots = isRecord(raw.bots) ? raw.bots : {};
  const botsKnown = !faultAt(ctx, ['bots']);
  const tenantIds: string[] = [];
  const keyOwner = new Map<string, string>();
  tenants.forEach((t, i) => {
    if (!isRecord(t)) return;
    const tid = typeof t.id === 'string' ? t.id : undefined;
    if (tid !== undefined) {
      if (tenantIds.includes(tid)) issue(['tenants', i, 'id'], `duplicates tenant "${tid}"`);
      tenantIds.push(tid);
    }
    (Array.isArray(t.apiKeys) ? t.apiKeys : []).forEach((entry: unknown, j) => {
      const key = typeof entry === 'string' ? entry : isRecord(entry) && typeof entry.key === 'string' ? entry.key : undefined;
      if (key === undefined) return;
      const other = keyOwner.get(key);
      if (other !== undefined) issue(['tenants', i, 'apiKeys', j], `is already a key of tenant "${other}"`);
      else keyOwner.set(key, tid ?? `tenants[${i}]`);
    });
    const rules = isRecord(t.routing) && Array.isArray(t.routing.rules) ? t.routing.rules : [];
    rules.forEach((rule: unknown, r) => {
      const bot = isRecord(rule) && isRecord(rule.to) ? rule.to.bot : undefined;
      if (botsKnown && typeof bot === 'string' && !Object.hasOwn(bots, bot)) {
        issue(['tenants', i, 'routing', 'rules', r, 'to', 'bot'], `names no registered bot handler (known: ${Object.keys(bots).join(', ') || 'none'})`);
      }
    });
  });
  const connectors = Array.isArray(raw.connectors) ? raw.connectors : [];
  // a tenant whose id has a fault of its own may be the one an account names
  const idsKnown = tenants.every((t) => isRecord(t) && typeof t.id === 'string');
  const webhookKeys = new Set<string>();
  connectors.forEach((c, i) => {
    if (!isRecord(c) || !Array.isArray(c.accounts)) return;
    const plugin = isRecord(c.plugin) ? c.plugin : undefined;
    const pkg = typeof c.package === 'string' ? c.package : String(plugin?.channel ?? 'plugin');
    c.accounts.forEach((a: unknown, j) => {
      if (!isRecord(a)) return;
      if (a.tenant === undefined) {
        if (tenants.length > 1) issue(['connectors', i, 'accounts', j, 'tenant'], 'is required when there are several tenants');
      } else if (typeof a.tenant === 'string' && idsKnown && tenants.length > 0 && !tenantIds.includes(a.tenant)) {
        issue(['connectors', i, 'accounts', j, 'tenant'], `names no configured tenant ("${a.tenant}")`);
      }
      // duplicate account keys are checked per channel once the plugin (and so its channel) is
      // known; here only exact duplicates inside one package entry are caught early
      if (typeof a.id === 'string') {
        const key = `${pkg}|${a.id}`;
        if (webhookKeys.has(key)) issue(['connectors', i, 'accounts', j, 'id'], `duplicates account "${a.id}"`);
        webhookKeys.add(key);
      }
    });
  });
  const media = isRecord(raw.media) ? raw.media : undefined;
  const store = isRecord(raw.store) ? raw.store : undefined;
  if (media && isRecord(media.blobs) && media.blobs.kind === 'gridfs' && store?.kind !== 'mongodb') issue(['media', 'blobs', 'kind'], 'gridfs needs the mongodb store');
}

/** The keys of the top-level sections in the order the schema reads them (problems are listed in it). */
export const HOST_CONFIG_SECTIONS: readonly string[] = Object.keys(HostConfigSchema.def.in.def.shape);

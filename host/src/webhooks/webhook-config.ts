/**
 * The `tenants[].webhooks` config section (event webhooks for integrators) and the retry policy
 * the delivery worker applies. Secrets are named by environment variable, never written in the
 * config: the variable is read when a delivery is signed.
 * @module
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './webhook-store.js';

/** An endpoint's id: short, URL-safe; `forward` is the forward route's. */
export const WebhookEndpointIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'must be 1 to 64 of a-z, 0-9, _ and -, starting with a letter or digit' })
  .refine((id) => id !== 'forward', { error: '"forward" is reserved for the forward route' });

/** An environment variable's name. */
export const EnvNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, { error: 'must be an environment variable name (A-Z, 0-9, _)' });

/** An endpoint URL: https, or http on loopback only. */
export const WebhookUrlSchema = z.string().max(2048, { error: 'must be at most 2048 characters' }).superRefine((url, ctx) => {
  let parsed: URL;
  try { parsed = new URL(url); } catch { ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' }); return; }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  // plain HTTP would expose message bodies in transit; only a loopback endpoint may use it
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) ctx.addIssue({ code: 'custom', message: 'must be an https:// URL (http:// only for localhost)' });
});

/** An event type an endpoint may subscribe to. */
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` });

const unique = <T>(items: readonly T[]): boolean => new Set(items).size === items.length;

/** One endpoint in the config. */
export const WebhookEndpointConfigSchema = z.strictObject({
  id: WebhookEndpointIdSchema,
  url: WebhookUrlSchema,
  events: z.array(WebhookEventTypeSchema).min(1, { error: 'must list at least one event type' }).max(WEBHOOK_EVENT_TYPES.length).refine(unique, { error: 'must not repeat an event type' }),
  secretEnv: z.union([EnvNameSchema, z.array(EnvNameSchema).min(1).max(4)])
    .meta({ description: 'The environment variable(s) holding the endpoint\'s secret (whsec_<base64>); two during a rotation, newest first — each signs every delivery.' }),
  description: z.string().max(500).optional(),
});

/** The retry policy of a tenant's deliveries. */
export const WebhookRetrySchema = z.strictObject({
  baseDelayMs: z.number().int().min(1).max(3_600_000).optional().meta({ description: 'First retry delay in ms; doubles on each failure, with jitter (default 10 000).' }),
  maxDelayMs: z.number().int().min(1).max(86_400_000).optional().meta({ description: 'Longest delay between two attempts in ms (default 1 800 000: 30 minutes).' }),
  maxAgeMs: z.number().int().min(1_000).max(30 * 86_400_000).optional().meta({ description: 'An event not delivered this long after it happened fails for good (default 86 400 000: 24 hours).' }),
  retryAfterCapMs: z.number().int().min(0).max(86_400_000).optional().meta({ description: 'The longest Retry-After honoured in ms (default 3 600 000).' }),
  timeoutMs: z.number().int().min(100).max(120_000).optional().meta({ description: 'Per-attempt timeout in ms (default 10 000).' }),
});

/** `tenants[].webhooks`: endpoints subscribed to the tenant's events, and the retry policy. */
export const WebhooksConfigSchema = z.strictObject({
  endpoints: z.array(WebhookEndpointConfigSchema).max(20, { error: 'must list at most 20 endpoints' })
    .refine((eps) => unique(eps.map((e) => e.id)), { error: 'endpoint ids must be unique' }).optional(),
  retry: WebhookRetrySchema.optional(),
}).meta({ description: 'Event webhooks: endpoints subscribed to the tenant\'s events (Standard Webhooks signatures), delivered from a durable queue.' });

/** The resolved `tenants[].webhooks` section. */
export type WebhooksConfig = z.output<typeof WebhooksConfigSchema>;
/** The retry policy as configured. */
export type WebhookRetryConfig = z.output<typeof WebhookRetrySchema>;

/** The retry policy with every default filled in. */
export interface WebhookRetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAgeMs: number;
  retryAfterCapMs: number;
  timeoutMs: number;
  /** Attempts before failing for good (the forward route's `maxAttempts`; otherwise unbounded but by age). */
  maxAttempts?: number;
}

/** The defaults of {@link WebhookRetryPolicy}. */
export const DEFAULT_WEBHOOK_RETRY: Readonly<WebhookRetryPolicy> = {
  baseDelayMs: 10_000, maxDelayMs: 30 * 60_000, maxAgeMs: 24 * 3_600_000, retryAfterCapMs: 3_600_000, timeoutMs: 10_000,
};

/**
 * The retry policy of a tenant.
 * @param retry - the config's `retry`, if any
 * @returns every field set
 */
export function retryPolicyOf(retry: WebhookRetryConfig | undefined): WebhookRetryPolicy {
  const out: WebhookRetryPolicy = { ...DEFAULT_WEBHOOK_RETRY };
  for (const [k, v] of Object.entries(retry ?? {})) if (v !== undefined) (out as unknown as Record<string, number>)[k] = v;
  return out;
}

/**
 * The delay before the next attempt: exponential from `baseDelayMs`, capped at `maxDelayMs`, with
 * jitter (a random half of it dropped, so endpoints that failed together do not retry together);
 * a `Retry-After` longer than that is honoured up to `retryAfterCapMs`.
 * @param policy - the retry policy
 * @param attempt - the attempt that just failed (1 for the first)
 * @param random - a number in [0, 1)
 * @param retryAfterMs - what the endpoint's `Retry-After` asked for, if anything
 * @returns the delay in ms
 */
export function retryDelayMs(policy: WebhookRetryPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(40, Math.max(0, attempt - 1)));
  const jittered = Math.round(exp / 2 + (exp / 2) * random);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.retryAfterCapMs));
}

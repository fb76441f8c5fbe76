/**
 * The request and response schemas of `/v1/webhook-endpoints` (the routes validate with them and
 * the OpenAPI document is generated from them). Secrets are named by environment variable on the
 * way in and never answered: an endpoint's answer says how many secrets it names, not which.
 * @module
 */
import { z } from 'zod';
import { PAGE_QUERY } from '../api/schemas.js';
import { EnvNameSchema, WebhookEventTypeSchema, WebhookEndpointIdSchema, WebhookUrlSchema } from './webhook-config.js';
import { WEBHOOK_EVENT_TYPES, type WebhookAttempt, type WebhookDelivery, type WebhookEndpoint } from './webhook-store.js';

const unique = <T>(items: readonly T[]): boolean => new Set(items).size === items.length;
const events = () => z.array(WebhookEventTypeSchema).min(1, 'must list at least one event type').max(WEBHOOK_EVENT_TYPES.length).refine(unique, 'must not repeat an event type');
const secretEnv = () => z.array(EnvNameSchema).min(1, 'must name at least one variable').max(4, 'must name at most 4 variables')
  .describe('Environment variables of the host holding the secrets (whsec_<base64>), newest first; each signs every delivery. Write-only: never answered.');

/** `POST /v1/webhook-endpoints`. */
export const WebhookEndpointCreateSchema = z.strictObject({
  id: WebhookEndpointIdSchema,
  url: WebhookUrlSchema,
  events: events(),
  secretEnv: secretEnv(),
  description: z.string().max(500).optional(),
}).meta({ id: 'WebhookEndpointCreate' });

/** `PATCH /v1/webhook-endpoints/:id`: an endpoint from the config takes only `enabled`. */
export const WebhookEndpointPatchSchema = z.strictObject({
  url: WebhookUrlSchema.optional(),
  events: events().optional(),
  secretEnv: secretEnv().optional(),
  description: z.string().max(500).optional(),
  enabled: z.boolean().optional().describe('true resumes an endpoint disabled by a 410 (its paused deliveries go out again)'),
}).refine((p) => Object.values(p).some((v) => v !== undefined), 'must change at least one field').meta({ id: 'WebhookEndpointPatch' });

/** `:id` of an endpoint. */
export const WebhookEndpointParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });

/** `:id` and `:deliveryId`. */
export const WebhookDeliveryParamsSchema = z.strictObject({ id: z.string().min(1).max(64), deliveryId: z.string().min(1).max(100) });

/** `GET /v1/webhook-endpoints/:id/deliveries`. */
export const WebhookDeliveriesQuerySchema = z.strictObject({ ...PAGE_QUERY, state: z.enum(['pending', 'delivered', 'failed', 'paused']).optional() });

/** `GET /v1/webhook-endpoints/:id/attempts`. */
export const WebhookAttemptsQuerySchema = z.strictObject({ ...PAGE_QUERY, deliveryId: z.string().min(1).max(100).optional() });

const instant = z.iso.datetime({ offset: true });

/** An endpoint as answered (no secret, no variable name). */
export const WebhookEndpointSchema = z.object({
  id: z.string(), url: z.string(), events: z.array(z.string()), secretCount: z.number().int(), description: z.string().optional(),
  source: z.enum(['config', 'api', 'forward']), enabled: z.boolean(), disabledReason: z.string().optional(), disabledAt: instant.optional(),
  createdAt: instant, updatedAt: instant,
}).meta({ id: 'WebhookEndpoint' });

/** A delivery as answered. */
export const WebhookDeliverySchema = z.object({
  id: z.string().describe('the webhook-id header'), endpointId: z.string(), eventId: z.string(), type: z.string(),
  state: z.enum(['pending', 'delivered', 'failed', 'paused']), attempts: z.number().int(), createdAt: instant, nextAttemptAt: instant,
  deliveredAt: instant.optional(), lastStatus: z.number().int().optional(), lastError: z.string().optional(), failure: z.string().optional(),
  body: z.string().describe('the exact JSON body posted'),
}).meta({ id: 'WebhookDelivery' });

/** An attempt of the delivery log. */
export const WebhookAttemptSchema = z.object({
  id: z.string(), deliveryId: z.string(), type: z.string(), attempt: z.number().int(), at: instant,
  status: z.number().int().optional(), latencyMs: z.number(), error: z.string().optional(), outcome: z.enum(['delivered', 'retry', 'failed', 'disabled']),
}).meta({ id: 'WebhookAttempt' });

/**
 * An endpoint as the API answers it.
 * @param e - the stored endpoint
 * @returns its view, without secrets
 */
export function endpointView(e: WebhookEndpoint): z.input<typeof WebhookEndpointSchema> {
  return {
    id: e.endpointId, url: e.url, events: e.events, secretCount: e.secretEnv.length, ...(e.description !== undefined ? { description: e.description } : {}),
    source: e.source, enabled: e.enabled, ...(e.disabledReason !== undefined ? { disabledReason: e.disabledReason } : {}),
    ...(e.disabledAt ? { disabledAt: e.disabledAt.toISOString() } : {}), createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString(),
  };
}

/**
 * A delivery as the API answers it.
 * @param d - the stored delivery
 * @returns its view
 */
export function deliveryView(d: WebhookDelivery): z.input<typeof WebhookDeliverySchema> {
  return {
    id: d.id, endpointId: d.endpointId, eventId: d.eventId, type: d.type, state: d.state, attempts: d.attempts,
    createdAt: d.createdAt.toISOString(), nextAttemptAt: d.nextAttemptAt.toISOString(),
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt.toISOString() } : {}),
    ...(d.lastStatus !== undefined ? { lastStatus: d.lastStatus } : {}), ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
    ...(d.failure !== undefined ? { failure: d.failure } : {}), body: d.body,
  };
}

/**
 * An attempt as the API answers it.
 * @param a - the stored attempt
 * @returns its view
 */
export function attemptView(a: WebhookAttempt): z.input<typeof WebhookAttemptSchema> {
  return {
    id: a.id, deliveryId: a.deliveryId, type: a.type, attempt: a.attempt, at: a.at.toISOString(),
    ...(a.status !== undefined ? { status: a.status } : {}), latencyMs: a.latencyMs, ...(a.error !== undefined ? { error: a.error } : {}), outcome: a.outcome,
  };
}

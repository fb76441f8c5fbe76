/**
 * `/v1/webhook-endpoints`: a tenant's event webhook endpoints (create, read, change, delete), each
 * endpoint's deliveries and attempt log, and manual redelivery. Every read and write is the
 * caller's tenant's: another tenant's endpoint is answered 404. Endpoints from the config are
 * read-only here but for `enabled` (to resume one disabled by a 410).
 * @module
 */
import type { Clock } from '@switchboard/core';
import type express from 'express';
import { ConflictError, NotFoundError } from '../errors.js';
import { page, tenantOf } from '../api/routes/rest-route-kit.js';
import { PageQuerySchema } from '../api/schemas.js';
import { parseBody, parseParams, parseQuery } from '../api/validation.js';
import {
  attemptView, deliveryView, endpointView, WebhookAttemptsQuerySchema, WebhookDeliveriesQuerySchema, WebhookDeliveryParamsSchema,
  WebhookEndpointCreateSchema, WebhookEndpointParamsSchema, WebhookEndpointPatchSchema,
} from './webhook-schemas.js';
import type { WebhookEndpoint, WebhookStore } from './webhook-store.js';

/**
 * Mounts the routes.
 * @param v1 - the authenticated `/v1` router
 * @param deps - the webhook store, the clock, and the worker's nudge after a redelivery
 */
export function mountWebhookRoutes(v1: express.Router, deps: { store: WebhookStore; clock: Clock; nudge?: () => void }): void {
  const { store, clock } = deps;
  const found = async (tenantId: string, id: string): Promise<WebhookEndpoint> => {
    const e = await store.getEndpoint(tenantId, id);
    if (!e) throw new NotFoundError('webhook endpoint', id);
    return e;
  };

  v1.get('/webhook-endpoints', async (req, res) => {
    const q = parseQuery(PageQuerySchema, req);
    res.json({ items: (await store.listEndpoints(tenantOf(req).id, page(q))).map(endpointView) });
  });
  v1.post('/webhook-endpoints', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const b = parseBody(WebhookEndpointCreateSchema, req);
    const now = new Date(clock.now());
    const endpoint: WebhookEndpoint = {
      id: '', tenantId, endpointId: b.id, url: b.url, events: [...b.events], secretEnv: [...b.secretEnv],
      ...(b.description !== undefined ? { description: b.description } : {}), source: 'api', enabled: true, createdAt: now, updatedAt: now,
    };
    if (!(await store.createEndpoint(endpoint))) throw new ConflictError(`webhook endpoint ${b.id} exists`, { id: b.id });
    res.status(201).json(endpointView(await found(tenantId, b.id)));
  });
  v1.get('/webhook-endpoints/:id', async (req, res) => {
    const { id } = parseParams(WebhookEndpointParamsSchema, req);
    res.json(endpointView(await found(tenantOf(req).id, id)));
  });
  v1.patch('/webhook-endpoints/:id', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const { id } = parseParams(WebhookEndpointParamsSchema, req);
    const patch = parseBody(WebhookEndpointPatchSchema, req);
    const e = await found(tenantId, id);
    const changes = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
    if (e.source !== 'api' && changes.some((k) => k !== 'enabled')) throw new ConflictError(`webhook endpoint ${id} is defined by the ${e.source === 'forward' ? 'forwarding' : 'webhooks'} config: only enabled can change here`, { id, source: e.source });
    const updated = await store.updateEndpoint(tenantId, id, patch, new Date(clock.now()));
    if (!updated) throw new NotFoundError('webhook endpoint', id);
    if (patch.enabled === true) deps.nudge?.();
    res.json(endpointView(updated));
  });
  v1.delete('/webhook-endpoints/:id', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const { id } = parseParams(WebhookEndpointParamsSchema, req);
    const e = await found(tenantId, id);
    if (e.source !== 'api') throw new ConflictError(`webhook endpoint ${id} is defined by the config: remove it there`, { id, source: e.source });
    await store.deleteEndpoint(tenantId, id);
    res.status(204).end();
  });
  v1.get('/webhook-endpoints/:id/deliveries', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const { id } = parseParams(WebhookEndpointParamsSchema, req);
    const q = parseQuery(WebhookDeliveriesQuerySchema, req);
    await found(tenantId, id);
    res.json({ items: (await store.listDeliveries(tenantId, id, { ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}), ...(q.state ? { state: q.state } : {}) })).map(deliveryView) });
  });
  v1.get('/webhook-endpoints/:id/attempts', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const { id } = parseParams(WebhookEndpointParamsSchema, req);
    const q = parseQuery(WebhookAttemptsQuerySchema, req);
    await found(tenantId, id);
    res.json({ items: (await store.listAttempts(tenantId, id, { ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}), ...(q.deliveryId ? { deliveryId: q.deliveryId } : {}) })).map(attemptView) });
  });
  v1.post('/webhook-endpoints/:id/deliveries/:deliveryId/redeliver', async (req, res) => {
    const tenantId = tenantOf(req).id;
    const { id, deliveryId } = parseParams(WebhookDeliveryParamsSchema, req);
    await found(tenantId, id);
    const d = await store.getDelivery(tenantId, deliveryId);
    if (!d || d.endpointId !== id) throw new NotFoundError('webhook delivery', deliveryId);
    const again = await store.redeliver(tenantId, deliveryId, new Date(clock.now()));
    if (!again) throw new NotFoundError('webhook delivery', deliveryId);
    deps.nudge?.();
    res.status(202).json(deliveryView(again));
  });
}

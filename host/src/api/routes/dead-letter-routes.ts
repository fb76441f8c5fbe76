/**
 * `/v1/dead-letters`: the verified webhooks that could not be processed (answered 2xx all the same,
 * kept with their raw body).
 * @module
 */
import type express from 'express';
import { NotFoundError } from '../../errors.js';
import type { HostStores } from '../../stores/stores.js';
import { PageQuerySchema } from '../schemas.js';
import { parseQuery } from '../validation.js';
import { page, param, tenantOf } from './rest-route-kit.js';

/**
 * Mounts `GET /v1/dead-letters` and `GET /v1/dead-letters/:id`.
 * @param v1 - the authenticated `/v1` router
 * @param deps - the dead-letter store
 */
export function mountDeadLetterRoutes(v1: express.Router, deps: { deadLetters: Pick<HostStores['deadLetters'], 'list' | 'get'> }): void {
  const { deadLetters } = deps;
  v1.get('/dead-letters', async (req, res) => { res.json({ items: await deadLetters.list(tenantOf(req).id, page(parseQuery(PageQuerySchema, req))) }); });
  v1.get('/dead-letters/:id', async (req, res) => {
    const d = await deadLetters.get(tenantOf(req).id, param(req, 'id'));
    if (!d) throw new NotFoundError('dead letter', param(req, 'id'));
    res.json(d);
  });
}

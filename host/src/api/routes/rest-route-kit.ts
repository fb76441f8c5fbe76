/**
 * What the `/v1` routers share: the caller's tenant, the route's `:id`, and paging as the stores
 * take it.
 * @module
 */
import type { Request } from 'express';
import type { TenantConfig } from '../../config/host-config.js';
import { UnauthorizedError } from '../../errors.js';
import type { Page } from '../../stores/stores.js';
import { IdParamsSchema } from '../schemas.js';
import { parseParams } from '../validation.js';

/**
 * The tenant the request's API key belongs to.
 * @param req - an authenticated `/v1` request
 * @returns the tenant
 * @throws UnauthorizedError when the request was not authenticated
 */
export function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/**
 * The route's `:id`, checked with {@link IdParamsSchema} (the schema the document shows).
 * @param req - the request
 * @param _name - the parameter (only `id`)
 * @returns the id
 * @throws RequestValidationError naming the parameter
 */
export function param(req: Request, _name: 'id'): string {
  return parseParams(IdParamsSchema, req).id;
}

/**
 * Paging as the stores take it, from a parsed query.
 * @param q - the query's `limit` and `offset`
 * @returns the page, without the fields the query left out
 */
export function page(q: { limit?: number | undefined; offset?: number | undefined }): Page {
  return { ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}) };
}

/**
 * What the compliance and analytics routes share: the request's tenant. (Their queries are parsed
 * by the schemas in `api/schemas.ts`.)
 * @module
 */
import type { Request } from 'express';
import { UnauthorizedError } from '../errors.js';
import type { TenantConfig } from '../config/host-config.js';

/**
 * @param req - an authenticated request
 * @returns its tenant
 * @throws UnauthorizedError when the request is not authenticated
 */
export function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

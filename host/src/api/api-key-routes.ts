/**
 * `/v1/api-keys`: a tenant's admin key lists, makes, revokes and rotates the tenant's keys. The
 * key itself appears in one answer only, the one that made it; lists show ids, names and scopes.
 * Every route needs `admin` (see `api-scopes.ts`); granting or rotating a scope also needs it held.
 * @module
 */
import type express from 'express';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.js';
import type { ApiKeyService } from './api-keys.js';
import { API_SCOPES, type ApiCaller } from './api-scopes.js';
import { parseBody, parseParams } from './validation.js';

/** The body of `POST /v1/api-keys`. */
export const CreateApiKeyBody = z.strictObject({
  scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length * 2),
  name: z.string().trim().min(1).max(100).optional(),
});

/** `/v1/api-keys/:id`: a stored key's id (`sb_` and 16 base32 characters) or a config key's (`config:` and 12 hex digits). */
export const ApiKeyIdParamsSchema = z.strictObject({
  id: z.string().regex(/^sb_[a-z2-7]{16}$|^config:[0-9a-f]{12}$/, 'must be an API key id (sb_… or config:…)'),
});

function callerOf(req: express.Request): { tenantId: string; caller: ApiCaller } {
  if (!req.tenant || !req.apiKey) throw new UnauthorizedError();
  return { tenantId: req.tenant.id, caller: req.apiKey };
}

function keyId(req: express.Request): string {
  return parseParams(ApiKeyIdParamsSchema, req).id;
}

/**
 * Mounts the API key routes on the `/v1` router.
 * @param v1 - the authenticated router
 * @param keys - the key service
 */
export function mountApiKeyRoutes(v1: express.Router, keys: ApiKeyService): void {
  v1.get('/api-keys', async (req, res) => {
    const { tenantId } = callerOf(req);
    const { config, stored } = await keys.list(tenantId);
    res.json({ items: [...config, ...stored.map((k) => ({ ...k, source: 'store' as const }))] });
  });
  v1.post('/api-keys', async (req, res) => {
    const { tenantId, caller } = callerOf(req);
    const body = parseBody(CreateApiKeyBody, req);
    const created = await keys.create(tenantId, { scopes: body.scopes, ...(body.name ? { name: body.name } : {}) }, { kind: 'api-key', caller });
    res.status(201).json({ ...created.record, key: created.key });
  });
  v1.post('/api-keys/:id/rotate', async (req, res) => {
    const { tenantId, caller } = callerOf(req);
    const rotated = await keys.rotate(tenantId, keyId(req), { kind: 'api-key', caller });
    res.status(201).json({ ...rotated.record, key: rotated.key, replaces: rotated.revoked.id });
  });
  v1.delete('/api-keys/:id', async (req, res) => {
    const { tenantId } = callerOf(req);
    res.json(await keys.revoke(tenantId, keyId(req)));
  });
}

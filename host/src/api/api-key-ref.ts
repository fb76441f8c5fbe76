/**
 * How something recorded through the API names the key that recorded it (consent evidence, opt-in
 * flows): the key's id, never the key.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';

/**
 * The reference of the API key that authenticated a request: `api-key:<key id>` when the
 * authentication named the key (`req.apiKey.keyId`), else `api-key:` and the first 12 hex
 * characters of the key's SHA-256.
 * @param req - the authenticated request
 * @returns the reference, e.g. `api-key:config:3f2a…` or `api-key:1b4e…`
 */
export function apiKeyRef(req: Request): string {
  const keyId = (req as { apiKey?: { keyId?: unknown } }).apiKey?.keyId;
  if (typeof keyId === 'string' && keyId !== '') return `api-key:${keyId}`;
  const header = req.headers.authorization;
  const key = typeof header === 'string' ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? header) : '';
  return `api-key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

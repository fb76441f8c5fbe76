/**
 * Query-string readers shared by the compliance and analytics routes.
 * @module
 */
import type { Request } from 'express';
import { UnauthorizedError, ValidationError } from '../errors.js';
import type { TenantConfig } from '../config/host-config.js';
import type { Page } from '../stores/stores.js';

/**
 * @param req - an authenticated request
 * @returns its tenant
 * @throws UnauthorizedError when the request is not authenticated
 */
export function tenantOf(req: Request): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}

/**
 * Reads an ISO 8601 date (or date-time) from the query.
 * @param req - the request
 * @param name - the parameter
 * @returns the date, or undefined when absent
 * @throws ValidationError when it is not a date
 */
export function queryDate(req: Request, name: string): Date | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new ValidationError(name, 'must be an ISO 8601 date or date-time, e.g. 2025-09-01 or 2025-09-01T00:00:00Z');
  }
  return new Date(v.length === 10 ? `${v}T00:00:00Z` : v);
}

/**
 * Reads `from` and `to` (`to` exclusive), both required.
 * @param req - the request
 * @param maxDays - the longest period allowed
 * @returns the range
 * @throws ValidationError when missing, not dates, reversed or too long
 */
export function queryRange(req: Request, maxDays = 400): { from: Date; to: Date } {
  const from = queryDate(req, 'from');
  const to = queryDate(req, 'to');
  if (!from) throw new ValidationError('from', 'is required');
  if (!to) throw new ValidationError('to', 'is required');
  if (to.getTime() <= from.getTime()) throw new ValidationError('to', 'must be after from');
  if (to.getTime() - from.getTime() > maxDays * 86_400_000) throw new ValidationError('to', `the period may be at most ${maxDays} days`);
  return { from, to };
}

/**
 * Reads `limit` and `offset`.
 * @param req - the request
 * @returns the page
 * @throws ValidationError when not integers in range
 */
export function queryPage(req: Request): Page {
  const out: Page = {};
  for (const k of ['limit', 'offset'] as const) {
    const v = req.query[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new ValidationError(k, 'must be a non-negative integer');
    const n = Number(v);
    if (k === 'limit' && (n < 1 || n > 500)) throw new ValidationError('limit', 'must be from 1 to 500');
    out[k] = n;
  }
  return out;
}

/**
 * Reads an optional string parameter.
 * @param req - the request
 * @param name - the parameter
 * @returns its value
 * @throws ValidationError when repeated
 */
export function queryString(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new ValidationError(name, 'must be a single non-empty value');
  return v;
}

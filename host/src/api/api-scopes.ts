/**
 * What an API key may do: its scopes, the scope each `/v1` route needs, and who may send as a
 * human agent. Every `/v1` request passes {@link scopeGuard} after authentication; a route that is
 * not in {@link ROUTE_SCOPES} needs `admin`, so a route added later is closed until it is declared.
 * @module
 */
import type express from 'express';
import { SwitchboardError, type SenderKind } from '@switchboard/core';

/**
 * The scopes a key can carry.
 * - `read`: every read of the tenant's data (conversations, messages, contacts, consent, dead
 *   letters, templates, opt-in flows, analytics, costs, retention, the event stream, the decision
 *   records of messages, stored media files) and the policy dry run.
 * - `messages:send`: send (conversation replies, `/v1/messages`, notifications, opt-in requests)
 *   and upload the files to send (`POST /v1/media`).
 * - `messages:send-as-agent`: also send as `sender: agent`, i.e. as a human (Messenger's
 *   HUMAN_AGENT tag, agent reply statistics). Only the operator grants it: config or CLI, or a key
 *   that holds it.
 * - `conversations:write`: assign, hand over, transfer, resolve, reopen, tag.
 * - `contacts:write`: record consent, add addresses.
 * - `templates:write`: create, sync, submit and decide templates.
 * - `compliance:export`: a contact's data export, the audit log and the compliance report.
 * - `compliance:erase`: erase a contact, purge by retention.
 * - `admin`: manage API keys, console agents and settings; any `/v1` route not declared here.
 */
export const API_SCOPES = [
  'read', 'messages:send', 'messages:send-as-agent', 'conversations:write', 'contacts:write',
  'templates:write', 'compliance:export', 'compliance:erase', 'admin',
] as const;

/** One scope. */
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * The scopes of a key written in the config as a plain string: everything but
 * `messages:send-as-agent` (who is a human is granted, not assumed).
 */
export const PLAIN_KEY_SCOPES: readonly ApiScope[] = API_SCOPES.filter((s) => s !== 'messages:send-as-agent');

/**
 * A key in the config (`tenants[].apiKeys`): a plain string, which carries {@link PLAIN_KEY_SCOPES},
 * or `{ key, scopes, name? }`.
 */
export type ConfiguredApiKey = string | { key: string; scopes: readonly ApiScope[]; name?: string };

/**
 * Whether a string is a scope.
 * @param value - anything
 * @returns true for a member of {@link API_SCOPES}
 */
export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value);
}

/** The authenticated caller of a `/v1` request. */
export interface ApiCaller {
  /** The key's id: `sb_…` for a stored key, `config:…` (a digest) for a key from the config. */
  keyId: string;
  /** Where the key is defined. */
  source: 'config' | 'store';
  scopes: readonly ApiScope[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The API key that authenticated the request (set by the `/v1` authentication). */
    apiKey?: ApiCaller;
  }
}

/** The key lacks a scope the request needs (403 FORBIDDEN naming it). */
export class MissingScopeError extends SwitchboardError {
  /**
   * @param scope - the scope needed
   * @param what - what needed it
   */
  constructor(readonly scope: ApiScope, what: string) {
    super('FORBIDDEN', `${what} needs the API key scope "${scope}"`, false, { details: { requiredScope: scope } });
    this.name = 'MissingScopeError';
  }
}

/**
 * Whether a caller holds a scope.
 * @param caller - the authenticated key (undefined: none)
 * @param scope - the scope
 * @returns true when the key carries it
 */
export function hasScope(caller: ApiCaller | undefined, scope: ApiScope): boolean {
  return caller?.scopes.includes(scope) ?? false;
}

/**
 * Throws unless the request's key holds a scope.
 * @param req - the request
 * @param scope - the scope needed
 * @param what - what needs it (for the message), default the method and path
 * @throws MissingScopeError when it does not
 */
export function requireScope(req: express.Request, scope: ApiScope, what = `${req.method} ${req.baseUrl}${req.path}`): void {
  if (!hasScope(req.apiKey, scope)) throw new MissingScopeError(scope, what);
}

/**
 * The sender of a message sent through the API: `agent` (a human) only for a key with
 * `messages:send-as-agent`. An omitted sender is `fallback`, except that `agent` falls back to
 * `bot` for a key that may not send as a human.
 * @param req - the request
 * @param requested - the sender the body names (undefined when it names none)
 * @param fallback - the route's default
 * @returns the sender to record
 * @throws MissingScopeError when the body names `agent` and the key may not send as one
 */
export function apiSender(req: express.Request, requested: SenderKind | undefined, fallback: SenderKind): SenderKind {
  const mayBeHuman = hasScope(req.apiKey, 'messages:send-as-agent');
  if (requested === 'agent' && !mayBeHuman) throw new MissingScopeError('messages:send-as-agent', 'sending as "agent" (a human)');
  if (requested !== undefined) return requested;
  return fallback === 'agent' && !mayBeHuman ? 'bot' : fallback;
}

/**
 * The scope each `/v1` route needs: method (`*` any), path pattern relative to `/v1` (`:x` is
 * one segment) and scope. The first match wins; anything else needs `admin`.
 */
export const ROUTE_SCOPES: readonly (readonly [method: string, path: string, scope: ApiScope])[] = [
  ['GET', '/conversations', 'read'],
  ['GET', '/conversations/:id', 'read'],
  ['GET', '/conversations/:id/messages', 'read'],
  ['POST', '/conversations/:id/messages', 'messages:send'],
  ['POST', '/conversations/:id/assign', 'conversations:write'],
  ['POST', '/conversations/:id/handover', 'conversations:write'],
  ['POST', '/conversations/:id/transfer', 'conversations:write'],
  ['POST', '/conversations/:id/resolve', 'conversations:write'],
  ['POST', '/conversations/:id/reopen', 'conversations:write'],
  ['POST', '/conversations/:id/tags', 'conversations:write'],
  ['GET', '/contacts', 'read'],
  ['GET', '/contacts/:id', 'read'],
  ['GET', '/contacts/:id/consent', 'read'],
  ['GET', '/contacts/:id/consent-state', 'read'],
  ['POST', '/contacts/:id/consent', 'contacts:write'],
  ['POST', '/contacts/:id/addresses', 'contacts:write'],
  ['GET', '/contacts/:id/export', 'compliance:export'],
  ['DELETE', '/contacts/:id', 'compliance:erase'],
  ['GET', '/audit', 'compliance:export'],
  ['GET', '/retention', 'read'],
  ['POST', '/retention/purge', 'compliance:erase'],
  ['GET', '/dead-letters', 'read'],
  ['GET', '/dead-letters/:id', 'read'],
  ['GET', '/events', 'read'],
  ['POST', '/messages', 'messages:send'],
  ['GET', '/messages/:id/decision', 'read'],
  ['GET', '/decisions/:id', 'read'],
  ['GET', '/compliance/report', 'compliance:export'],
  ['POST', '/policy/evaluate', 'read'],
  ['POST', '/notifications', 'messages:send'],
  ['GET', '/templates', 'read'],
  ['GET', '/templates/:id', 'read'],
  ['POST', '/templates', 'templates:write'],
  ['POST', '/templates/sync', 'templates:write'],
  ['POST', '/templates/:id/submit', 'templates:write'],
  ['POST', '/templates/:id/status', 'templates:write'],
  ['POST', '/opt-ins', 'messages:send'],
  ['GET', '/opt-ins', 'read'],
  ['GET', '/opt-ins/:id', 'read'],
  ['GET', '/tenant', 'read'],
  ['GET', '/analytics', 'read'],
  ['GET', '/costs', 'read'],
  ['GET', '/media/:id', 'read'],
  ['POST', '/media', 'messages:send'],
  ['*', '/api-keys', 'admin'],
  ['*', '/api-keys/:id', 'admin'],
  ['*', '/api-keys/:id/rotate', 'admin'],
  ['GET', '/search', 'read'],
  // assignment: presence and SLA timers
  ['GET', '/presence', 'read'],
  ['PUT', '/agents/:id/presence', 'conversations:write'],
  ['GET', '/sla/timers', 'read'],
  ['GET', '/webhook-endpoints', 'read'],
  ['GET', '/webhook-endpoints/:id', 'read'],
  ['GET', '/webhook-endpoints/:id/deliveries', 'read'],
  ['GET', '/webhook-endpoints/:id/attempts', 'read'],
  ['*', '/webhook-endpoints', 'admin'],
  ['*', '/webhook-endpoints/:id', 'admin'],
  ['POST', '/webhook-endpoints/:id/deliveries/:deliveryId/redeliver', 'admin'],
  ['PATCH', '/contacts/:id', 'contacts:write'],
  ['POST', '/contacts/:id/merge', 'contacts:write'],
  ['GET', '/contacts/:id/merges', 'read'],
  ['GET', '/contacts/:id/timeline', 'read'],
  ['GET', '/contacts/:id/context', 'read'],
];

const compiled = ROUTE_SCOPES.map(([method, path, scope]) => ({ method, segments: path.split('/').filter(Boolean), scope }));

/**
 * The scope a `/v1` request needs.
 * @param method - the HTTP method (HEAD counts as GET)
 * @param path - the path below `/v1`
 * @returns the declared scope, or `admin` for an undeclared route
 */
export function routeScope(method: string, path: string): ApiScope {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const segments = path.split('/').filter(Boolean);
  for (const r of compiled) {
    if (r.method !== '*' && r.method !== m) continue;
    if (r.segments.length !== segments.length) continue;
    if (r.segments.every((s, i) => s.startsWith(':') || s === segments[i])) return r.scope;
  }
  return 'admin';
}

/**
 * Middleware for the `/v1` router, after authentication: refuses a request whose key lacks the
 * route's scope with 403 FORBIDDEN naming it, before its body is read.
 * @returns the middleware
 */
export function scopeGuard(): express.RequestHandler {
  return (req, _res, next) => {
    const scope = routeScope(req.method, req.path);
    if (hasScope(req.apiKey, scope)) { next(); return; }
    next(new MissingScopeError(scope, `${req.method} /v1${req.path}`));
  };
}

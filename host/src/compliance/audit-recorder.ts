/**
 * Records who read or changed what through the API: one audit entry per authenticated `/v1` call,
 * written when the answer has been sent.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '@switchboard/core';
import type express from 'express';
import type { AuditEntry, AuditLogStore } from '../stores/ledger-stores.js';

/** Most ids taken from one answer (a list of 500 conversations is one read of 500 ids, but the log need not grow without bound). */
const MAX_IDS = 200;

/**
 * The fingerprint of an API key: enough to tell keys apart and to find which key it was, never
 * enough to use it.
 * @param key - the bearer key
 * @returns `key:` and the first 16 hex digits of its SHA-256
 */
export function apiKeyFingerprint(key: string): string {
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Pulls contact and conversation ids out of paths, queries, bodies and answers. */
export class IdCollector {
  readonly contactIds = new Set<string>();
  readonly conversationIds = new Set<string>();

  /** Ids in a `/contacts/:id…` or `/conversations/:id…` path. */
  path(path: string): this {
    const segments = path.split('/').filter(Boolean).map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
    segments.forEach((seg, i) => {
      const id = segments[i + 1];
      if (id === undefined) return;
      if (seg === 'contacts') this.contactIds.add(id);
      if (seg === 'conversations') this.conversationIds.add(id);
    });
    return this;
  }

  /** `contactId` / `conversationId` fields of an object, of its `items`, and `id` of contact- or conversation-shaped objects. */
  value(value: unknown, depth = 0): this {
    if (depth > 2 || typeof value !== 'object' || value === null) return this;
    if (Array.isArray(value)) { for (const v of value.slice(0, MAX_IDS)) this.value(v, depth + 1); return this; }
    const o = value as Record<string, unknown>;
    if (typeof o.contactId === 'string') this.add(this.contactIds, o.contactId);
    if (typeof o.conversationId === 'string') this.add(this.conversationIds, o.conversationId);
    if (typeof o.id === 'string') {
      // a contact has addresses; a conversation has an address and a contactId
      if (Array.isArray(o.addresses)) this.add(this.contactIds, o.id);
      else if (typeof o.contactId === 'string' && typeof o.address === 'object') this.add(this.conversationIds, o.id);
    }
    if (Array.isArray(o.items)) this.value(o.items, depth + 1);
    return this;
  }

  private add(set: Set<string>, id: string): void {
    if (set.size < MAX_IDS) set.add(id);
  }
}

/** Options of {@link auditMiddleware}. */
export interface AuditMiddlewareOptions {
  store: AuditLogStore;
  now: () => Date;
  logger: Logger;
  /** Called with every entry written (tests and metrics). */
  onRecorded?: (entry: AuditEntry) => void;
  /** Tracks writes in flight, so a caller can wait for them. */
  track?: (p: Promise<unknown>) => void;
}

/**
 * An Express middleware for the `/v1` router. It must run before the route handlers (it wraps
 * `res.json` to see the answer); the tenant is read when the answer is sent, so it may run before
 * authentication. Routes may put `res.locals.auditReplacements` (id → pseudonym): an erasure logs
 * itself under the pseudonym.
 * @param options - store, clock, logger
 * @returns the middleware
 */
export function auditMiddleware(options: AuditMiddlewareOptions): express.RequestHandler {
  return (req, res, next) => {
    const ids = new IdCollector();
    const json = res.json.bind(res);
    res.json = (body?: unknown) => {
      try { ids.value(body); } catch { /* an answer we cannot read still gets logged */ }
      return json(body);
    };
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const tenant = req.tenant;
      if (!tenant) return; // unauthenticated calls read and change nothing
      const header = req.headers.authorization;
      const key = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
      const path = req.originalUrl.split('?')[0]!.replace(/^\/v1(?=\/|$)/, '') || '/';
      ids.path(path);
      for (const name of ['contactId', 'conversationId'] as const) {
        const q = req.query[name];
        if (typeof q === 'string') (name === 'contactId' ? ids.contactIds : ids.conversationIds).add(q);
      }
      ids.value(req.body);
      const replacements = (res.locals.auditReplacements ?? {}) as Record<string, string>;
      const swap = (id: string): string => replacements[id] ?? id;
      const entry: AuditEntry = {
        id: randomUUID(), tenantId: tenant.id, at: options.now(),
        actor: key ? apiKeyFingerprint(key) : 'unknown',
        action: req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'change',
        method: req.method,
        path: path.split('/').map((seg) => replacements[seg] ?? seg).join('/'),
        status: res.statusCode,
        contactIds: [...ids.contactIds].map(swap),
        conversationIds: [...ids.conversationIds].map(swap),
      };
      const write = options.store.append(entry).then(() => options.onRecorded?.(entry))
        .catch((error: unknown) => options.logger.error({ err: (error as Error).message, path }, 'could not write the audit log'));
      options.track?.(write);
    };
    res.on('finish', record);
    // an answer cut off once it had begun (a streamed export the client left) was still a read
    res.on('close', () => { if (res.headersSent) record(); });
    next();
  };
}

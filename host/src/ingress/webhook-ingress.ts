/**
 * Webhook ingress on a lean `node:http` path in front of Express: `POST|GET /webhooks/:channel/:account`.
 * Raw bytes are kept for verification; nothing is stored unless the signature verifies; events go
 * to the inbox (idempotent) and the answer is sent before any processing.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSwitchboardError, type Clock, type InboundEvent, type Logger, type RawWebhook } from '@switchboard/core';
import { CredentialRedactor } from '../compliance/credential-redactor.js';
import { errorResponse } from '../errors.js';
import type { ConnectorRegistry, HostConnectorBinding } from '../plugins/connector-registry.js';
import type { HostStores, InboxEntry } from '../stores/stores.js';
import type { AdmissionTicket, BodyRoute } from './request-admission.js';

/** Largest webhook body accepted (3 MB). */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

/** Path prefix of the ingress. */
export const WEBHOOK_PREFIX = '/webhooks/';

/** Outcome counters, for `/readyz` and benchmarks. */
export interface IngressStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  deadLettered: number;
  tooLarge: number;
  /** Events the connector could not map (a type it does not know): answered 200, logged, not kept. */
  unsupported: number;
}

/**
 * The inbox dedup key of an event: the platform's event id, else its external id (a receipt's
 * with its status: one message has several receipts), else a hash of the raw body and position.
 * @param event - a parsed event
 * @param bodyHash - hex SHA-256 of the raw body
 * @param index - position of the event in the webhook
 * @returns the key
 */
export function inboxKey(event: InboundEvent, bodyHash: string, index: number): string {
  if (event.eventId) return `evt:${event.eventId}`;
  if (event.kind === 'message') return `msg:${event.externalId}${event.edited ? `:edit:${event.timestamp.getTime()}` : ''}`;
  if (event.kind === 'status') return `status:${event.externalId}:${event.status}`;
  return `raw:${bodyHash}:${index}`;
}

/** What {@link readBody} read: the body, or why there is none. */
export type ReadResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' | 'busy' };

/**
 * Reads a request body up to a limit. A declared length over the limit is refused before reading;
 * a stream that grows past it stops being read at once (nothing beyond the limit is buffered).
 * @param req - the request
 * @param limit - bytes
 * @param budget - the host's body budget for a body sent without `Content-Length`: each chunk is
 *   taken from it before it is kept, and one that does not fit stops the reading (`busy`)
 * @returns the body, or why not
 */
export function readBody(req: IncomingMessage, limit: number, budget?: Pick<AdmissionTicket, 'grow'>): Promise<ReadResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  // a declared length was reserved whole at admission; only a chunked body grows its share as it arrives
  const grow = req.headers['content-length'] === undefined ? budget : undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (r: ReadResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) { req.pause(); finish({ ok: false, reason: 'too-large' }); return; }
      if (grow && !grow.grow(chunk.length)) { req.pause(); chunks.length = 0; finish({ ok: false, reason: 'busy' }); return; }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
    const onError = (): void => finish({ ok: false, reason: 'aborted' });
    const onAborted = (): void => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...extra });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, extra);
}

/** What {@link WebhookIngress} reports about each answered request. */
export interface WebhookAnswered {
  /** The `:channel` of the URL, as given (check `known`). */
  channel: string;
  account: string;
  /** Whether the URL named a configured account. */
  known: boolean;
  status: number;
  durationMs: number;
}

/** Handles webhook requests. */
export class WebhookIngress {
  /** Counters since start. */
  readonly stats: IngressStats = { accepted: 0, duplicates: 0, rejected: 0, deadLettered: 0, tooLarge: 0, unsupported: 0 };
  private readonly limit: number;

  /**
   * @param deps - registry, stores, the processor to kick, clock, logger; body limit
   */
  constructor(private readonly deps: {
    registry: ConnectorRegistry;
    stores: HostStores;
    onInboxWrite: () => void;
    clock: Clock;
    logger: Logger;
    maxBodyBytes?: number;
    /** Told of every answered webhook request (metrics). */
    onAnswered?: (info: WebhookAnswered) => void;
  }) {
    this.limit = deps.maxBodyBytes ?? WEBHOOK_BODY_LIMIT;
  }

  /** How the ingress reads bodies, for the host's admission: up to its limit, a chunked body's share taken as it arrives. */
  get bodyRoute(): BodyRoute {
    return { limit: this.limit, growable: true };
  }

  /**
   * @param url - the request URL
   * @returns whether the ingress owns it
   */
  owns(url: string | undefined): boolean {
    return url !== undefined && url.startsWith(WEBHOOK_PREFIX);
  }

  /**
   * Handles one webhook request; never throws.
   * @param req - the request
   * @param res - the response
   * @param ticket - what the host's admission reserved for it (a chunked body takes more as it arrives)
   */
  async handle(req: IncomingMessage, res: ServerResponse, ticket?: AdmissionTicket): Promise<void> {
    const observer = this.deps.onAnswered;
    if (observer) {
      const started = performance.now();
      res.once('finish', () => {
        const [channel = '', account = ''] = (req.url ?? '').slice(WEBHOOK_PREFIX.length).split(/[/?]/);
        try {
          observer({ channel: decodeURIComponent(channel), account: decodeURIComponent(account), known: this.deps.registry.get(decodeURIComponent(channel), decodeURIComponent(account)) !== undefined, status: res.statusCode, durationMs: performance.now() - started });
        } catch (error) {
          this.deps.logger.warn({ err: (error as Error).message }, 'webhook observer failed');
        }
      });
    }
    try {
      await this.handleInner(req, res, ticket);
    } catch (error) {
      this.deps.logger.error({ err: error, url: req.url }, 'webhook ingress failed');
      if (!res.headersSent) {
        const { status, body } = errorResponse(error);
        sendJson(res, status, body);
      } else res.destroy();
    }
  }

  /**
   * After a 413: bytes still arriving are dropped as they come (never kept), so the client can read
   * the answer — closing with unread data makes TCP reset the connection and lose it — and the
   * connection is cut once the client has sent as much again as the limit, or after a grace period.
   */
  private discardThenClose(req: IncomingMessage): void {
    let dropped = 0;
    const cut = (): void => { req.removeAllListeners('data'); req.socket.destroy(); };
    const timer = setTimeout(cut, 2_000);
    timer.unref();
    req.on('data', (chunk: Buffer) => { dropped += chunk.length; if (dropped > this.limit) { clearTimeout(timer); cut(); } });
    req.once('end', () => clearTimeout(timer));
    req.resume();
  }

  private async handleInner(req: IncomingMessage, res: ServerResponse, ticket: AdmissionTicket | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://host');
    const parts = url.pathname.slice(WEBHOOK_PREFIX.length).split('/');
    const method = req.method ?? 'GET';
    let binding: HostConnectorBinding | undefined;
    if (parts.length === 2 && parts[0] && parts[1]) {
      try { binding = this.deps.registry.get(decodeURIComponent(parts[0]), decodeURIComponent(parts[1])); } catch { binding = undefined; }
    }
    if (!binding) {
      req.resume();
      sendError(res, 404, 'NOT_FOUND', `no connector account at ${url.pathname}`);
      return;
    }
    if (method !== 'POST' && method !== 'GET') {
      req.resume();
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'webhooks accept GET (handshakes) and POST', { allow: 'GET, POST' });
      return;
    }
    const read = await readBody(req, this.limit, ticket);
    if (!read.ok) {
      // only a ticket's budget says busy: 503 with Retry-After, the rest of the body never read
      if (read.reason === 'busy') ticket?.refuse(res);
      else if (read.reason === 'too-large') {
        this.stats.tooLarge++;
        this.discardThenClose(req);
        sendError(res, 413, 'PAYLOAD_TOO_LARGE', `webhook bodies are limited to ${this.limit} bytes`, { connection: 'close' });
      } else req.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const raw: RawWebhook = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: read.body };
    const { connector } = binding;

    const handshake = connector.handshake(raw);
    if (handshake) {
      res.writeHead(handshake.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(handshake.body);
      return;
    }
    if (method === 'GET') {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'this GET is not a handshake the connector recognises', { allow: 'POST' });
      return;
    }

    try {
      connector.verify(raw);
    } catch (error) {
      this.stats.rejected++;
      if (isSwitchboardError(error) && error.code === 'WEBHOOK_VERIFICATION_FAILED') {
        this.deps.logger.warn({ channel: binding.channel, account: binding.account, reason: error.message }, 'webhook verification failed');
        sendError(res, 401, 'WEBHOOK_VERIFICATION_FAILED', 'webhook signature verification failed');
        return;
      }
      throw error;
    }

    const now = new Date(this.deps.clock.now());
    let events: InboundEvent[];
    try {
      events = connector.parse(raw);
    } catch (error) {
      // verified but unparseable: keep it for a human, and answer 200 so the platform does not retry for days
      const code = isSwitchboardError(error) ? error.code : 'PARSE_FAILED';
      const reason = error instanceof Error ? error.message : String(error);
      try {
        await this.deps.stores.deadLetters.add({
          id: randomUUID(), tenantId: binding.tenantId, channel: binding.channel, account: binding.account,
          reason, code, rawBody: read.body.toString('base64'), headers: CredentialRedactor.for(binding.plugin).headers(headers), receivedAt: now,
        });
      } catch (storeError) {
        this.deps.logger.error({ err: storeError }, 'dead letter could not be stored');
        sendError(res, 503, 'STORE_UNAVAILABLE', 'the store is unavailable; retry later');
        return;
      }
      this.stats.deadLettered++;
      this.deps.logger.warn({ channel: binding.channel, account: binding.account, code, reason }, 'webhook dead-lettered');
      sendJson(res, 200, { ok: true, deadLettered: true });
      return;
    }

    // a typing indicator is kept only when it declares the device's capabilities (Apple sends them on every request)
    const kept = events.filter((e) => e.kind !== 'unsupported' && (e.kind !== 'typing' || Array.isArray(e.metadata?.capabilities)));
    for (const e of events) {
      if (e.kind !== 'unsupported') continue;
      this.stats.unsupported++;
      this.deps.logger.info({ channel: binding.channel, account: binding.account, reason: e.reason }, 'unsupported webhook event ignored');
    }
    if (kept.length > 0) {
      const bodyHash = createHash('sha256').update(read.body).digest('hex');
      const seen = new Set<string>();
      const entries: InboxEntry[] = kept.map((event, i) => {
        let key = inboxKey(event, bodyHash, i);
        if (seen.has(key)) key = `${key}#${i}`;
        seen.add(key);
        return { id: randomUUID(), tenantId: binding.tenantId, channel: binding.channel, account: binding.account, key, event, receivedAt: now, notBefore: now, status: 'pending', attempts: 0 };
      });
      try {
        const { inserted, duplicates } = await this.deps.stores.inbox.add(entries);
        this.stats.accepted += inserted.length;
        this.stats.duplicates += duplicates;
        if (inserted.length > 0) this.deps.onInboxWrite();
      } catch (error) {
        this.deps.logger.error({ err: error, channel: binding.channel }, 'inbox write failed');
        sendError(res, 503, 'STORE_UNAVAILABLE', 'the store is unavailable; retry later');
        return;
      }
    }
    const custom = connector.webhookResponse?.(events);
    if (custom) {
      res.writeHead(custom.status, { 'content-type': custom.contentType ?? 'application/json; charset=utf-8' });
      res.end(custom.body);
      return;
    }
    sendJson(res, 200, { ok: true });
  }
}

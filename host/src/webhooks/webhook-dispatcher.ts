/**
 * The delivery worker: leases due entries of the durable queue, posts each to its endpoint signed
 * as Standard Webhooks describes, and records the attempt. 2xx: delivered. 410: the endpoint is
 * disabled (its queue paused). Any other answer or a network error: retried with exponential
 * backoff and jitter, honouring `Retry-After` up to a cap, until the event is older than the
 * tenant's `maxAgeMs` (or the forward route's `maxAttempts` are spent). Time is the host clock's.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { parseRetryAfter, type Clock, type Logger } from '@switchboard/core';
import { retryDelayMs, type WebhookRetryPolicy } from './webhook-config.js';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookStore, Settlement } from './webhook-store.js';
import { signStandardWebhook } from './standard-webhooks.js';

/** What the worker needs. */
export interface WebhookDispatcherDeps {
  store: WebhookStore;
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  /** The secrets of an endpoint (newest first); none: the delivery waits (retried) and the log says why. */
  secretsOf(endpoint: WebhookEndpoint): string[];
  /** The retry policy of a tenant's endpoint. */
  retryOf(tenantId: string, endpointId: string): WebhookRetryPolicy;
  /** Headers sent beside the signature for an endpoint (the forward route's former signature). */
  extraHeaders?(endpoint: WebhookEndpoint, delivery: WebhookDelivery, timestamp: number, secrets: readonly string[]): Record<string, string>;
  /** A number in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

/** Tuning of the worker. */
export interface WebhookDispatcherOptions {
  /** How often the background loop looks for due deliveries, in wall ms (default 1 000). */
  pollMs?: number;
  /** How long a lease holds, in host-clock ms (default 60 000): longer than any attempt. */
  leaseMs?: number;
  /** Deliveries leased at once (default 20). */
  batch?: number;
}

const MAX_ERROR = 300;

/** Posts queued deliveries. */
export class WebhookDispatcher {
  /** This process's lease owner id. */
  readonly owner = `wh-${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;

  /**
   * @param deps - store, clock, logger, fetch, secrets and retry policies
   * @param options - poll interval, lease length, batch size
   */
  constructor(private readonly deps: WebhookDispatcherDeps, options: WebhookDispatcherOptions = {}) {
    this.pollMs = options.pollMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 20;
  }

  /** Starts the background loop. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().catch((error: unknown) => this.deps.logger.error({ err: error }, 'webhook delivery round failed')).finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /** Runs a round now when the loop is started (an event was queued, an endpoint resumed): no wait for the next poll. */
  nudge(): void {
    if (this.stopped) return;
    void this.runOnce().catch((error: unknown) => this.deps.logger.error({ err: error }, 'webhook delivery round failed'));
  }

  /** Stops the loop and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * One round: leases what is due now and attempts each (lanes side by side). Rounds never overlap
   * in one process.
   * @returns how many attempts were made
   */
  runOnce(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.round());
    this.running = next;
    return next;
  }

  /**
   * Runs rounds until one finds nothing due at the clock's current time.
   * @returns how many attempts were made
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  private async round(): Promise<number> {
    const leased = await this.deps.store.lease(new Date(this.deps.clock.now()), this.owner, this.leaseMs, this.batch);
    await Promise.all(leased.map((d) => this.attempt(d).catch((error: unknown) => {
      this.deps.logger.error({ err: error, deliveryId: d.id }, 'webhook attempt could not be recorded');
    })));
    return leased.length;
  }

  private async attempt(d: WebhookDelivery): Promise<void> {
    const policy = this.deps.retryOf(d.tenantId, d.endpointId);
    const endpoint = await this.deps.store.getEndpoint(d.tenantId, d.endpointId);
    const number = d.attempts + 1;
    const started = this.deps.clock.now();
    const base = { id: randomUUID(), tenantId: d.tenantId, endpointId: d.endpointId, deliveryId: d.id, type: d.type, attempt: number, at: new Date(started) };
    if (!endpoint) {
      await this.deps.store.settle(d, this.owner, { kind: 'failed', failure: 'endpoint-deleted', error: 'the endpoint no longer exists' }, { ...base, latencyMs: 0, outcome: 'failed', error: 'the endpoint no longer exists' });
      return;
    }
    if (!endpoint.enabled) {
      // disabled between enqueue and lease: park it with the others
      await this.deps.store.disableEndpoint(d.tenantId, d.endpointId, endpoint.disabledReason ?? 'disabled', new Date(started));
      return;
    }
    let status: number | undefined;
    let error: string | undefined;
    let retryAfterMs: number | undefined;
    const secrets = this.deps.secretsOf(endpoint);
    if (secrets.length === 0) {
      error = `no secret: set ${endpoint.secretEnv.join(' or ')}`;
    } else {
      try {
        const timestamp = Math.floor(started / 1000);
        const headers = { ...this.deps.extraHeaders?.(endpoint, d, timestamp, secrets), ...signStandardWebhook({ id: d.id, timestamp, body: d.body, secrets }) };
        const res = await this.deps.fetch(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'switchboard-host', ...headers },
          body: d.body,
          signal: AbortSignal.timeout(policy.timeoutMs),
          redirect: 'manual',
        });
        status = res.status;
        await res.body?.cancel().catch(() => undefined);
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined, this.deps.clock.now());
      } catch (e) {
        error = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, MAX_ERROR);
      }
    }
    const latencyMs = Math.max(0, this.deps.clock.now() - started);
    const now = this.deps.clock.now();
    const answered = status !== undefined ? { status } : {};
    const failed = error !== undefined ? { error } : {};
    let settlement: Settlement;
    let outcome: WebhookAttempt['outcome'];
    if (status !== undefined && status >= 200 && status < 300) {
      settlement = { kind: 'delivered', at: new Date(now), status };
      outcome = 'delivered';
    } else if (status === 410) {
      settlement = { kind: 'failed', failure: 'gone', status };
      outcome = 'disabled';
    } else {
      const delay = retryDelayMs(policy, number, (this.deps.random ?? Math.random)(), retryAfterMs);
      const next = now + delay;
      if (policy.maxAttempts !== undefined && number >= policy.maxAttempts) {
        settlement = { kind: 'failed', failure: 'max-attempts', ...answered, ...failed };
        outcome = 'failed';
      } else if (next - d.createdAt.getTime() > policy.maxAgeMs) {
        settlement = { kind: 'failed', failure: 'expired', ...answered, ...failed };
        outcome = 'failed';
      } else {
        settlement = { kind: 'retry', nextAttemptAt: new Date(next), ...answered, ...failed };
        outcome = 'retry';
      }
    }
    const kept = await this.deps.store.settle(d, this.owner, settlement, { ...base, latencyMs, outcome, ...answered, ...failed });
    if (!kept) this.deps.logger.warn({ deliveryId: d.id }, 'webhook delivery lease lost during the attempt');
    if (status === 410) {
      await this.deps.store.disableEndpoint(d.tenantId, d.endpointId, 'gone', new Date(now));
      this.deps.logger.warn({ tenantId: d.tenantId, endpointId: d.endpointId }, 'webhook endpoint answered 410 Gone: disabled');
    }
  }
}

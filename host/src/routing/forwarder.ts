/**
 * Forwarding to the integrator's own HTTPS endpoint: JSON, signed with the tenant's secret
 * (`x-switchboard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), retried with
 * exponential backoff and full jitter on network errors, 5xx and 429 (honouring Retry-After).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { hmacSha256Hex, parseRetryAfter, type Clock, type Logger } from '@switchboard/core';
import type { ForwardingConfig } from '../config/host-config.js';

/** What is posted to the integrator. */
export interface ForwardPayload {
  /** Unique per forwarded event: the integrator's dedup key (retries repeat it). */
  id: string;
  type: 'message' | 'status' | 'consent' | 'conversation';
  tenantId: string;
  data: unknown;
}

/**
 * Signs a forwarded body.
 * @param secret - the tenant's forwarding secret
 * @param body - the exact bytes posted
 * @param timestamp - unix seconds
 * @returns the header value
 */
export function signForward(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}


/** Posts events to integrators' endpoints, off the request path. */
export class Forwarder {
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  /**
   * @param deps - fetch, clock, logger and the sleep to wait with (tests shorten it)
   */
  constructor(private readonly deps: { fetch: typeof fetch; clock: Clock; logger: Logger; sleep?: (ms: number) => Promise<void> }) {}

  /**
   * Queues a delivery (retries happen in the background).
   * @param config - the tenant's forwarding config
   * @param payload - what to post (an `id` is added when missing)
   */
  forward(config: ForwardingConfig, payload: Omit<ForwardPayload, 'id'> & { id?: string }): void {
    const p = this.deliver(config, { ...payload, id: payload.id ?? randomUUID() }).catch((error: unknown) => {
      this.deps.logger.error({ err: error, tenantId: payload.tenantId }, 'forwarding failed');
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /**
   * Delivers one payload, retrying.
   * @returns the attempts made and whether it was accepted
   */
  async deliver(config: ForwardingConfig, payload: ForwardPayload): Promise<{ delivered: boolean; attempts: number; status?: number }> {
    const maxAttempts = config.maxAttempts ?? 6;
    const base = config.baseDelayMs ?? 500;
    const body = JSON.stringify(payload);
    let lastStatus: number | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      const t = Math.floor(this.deps.clock.now() / 1000);
      let retryAfterMs: number | undefined;
      try {
        const res = await this.deps.fetch(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'switchboard-host',
            'x-switchboard-event-id': payload.id,
            'x-switchboard-signature': signForward(config.secret, body, t),
          },
          body,
          signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
        });
        lastStatus = res.status;
        await res.body?.cancel();
        if (res.ok) return { delivered: true, attempts: attempt, status: res.status };
        // a 4xx other than 408/429 will not get better by retrying
        if (res.status < 500 && res.status !== 429 && res.status !== 408) {
          this.deps.logger.warn({ tenantId: payload.tenantId, status: res.status }, 'forwarding endpoint refused the event');
          return { delivered: false, attempts: attempt, status: res.status };
        }
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined, this.deps.clock.now());
      } catch (error) {
        this.deps.logger.warn({ tenantId: payload.tenantId, attempt, err: error }, 'forwarding attempt failed');
      }
      if (attempt < maxAttempts) {
        const backoff = Math.random() * base * 2 ** (attempt - 1);
        await (this.deps.sleep ?? defaultSleep)(Math.max(retryAfterMs ?? 0, backoff));
      }
    }
    return { delivered: false, attempts: maxAttempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}) };
  }

  /** Resolves when every queued delivery has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying (deliveries in progress finish their current attempt). */
  stop(): void {
    this.stopped = true;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

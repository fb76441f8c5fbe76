/**
 * Forwarding to the integrator's own HTTPS endpoint (routing rules `to: { forward: true }`), on the
 * event webhooks' machinery: each forwarded event is written to the durable delivery queue (the
 * tenant's `forward` endpoint) before the inbound event that caused it is done, and the webhook
 * worker delivers it — retried with backoff and jitter across restarts, in order per conversation,
 * signed as Standard Webhooks describes (`webhook-id`, `webhook-timestamp`, `webhook-signature`
 * keyed with the UTF-8 bytes of `forwarding.secret`, or its base64 part when it is `whsec_…`).
 * The former header `x-switchboard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * and `x-switchboard-event-id` are still sent beside them, so existing receivers keep working.
 * @module
 */
import { hmacSha256Hex, type Logger } from '@switchboard/core';
import type { ForwardingConfig } from '../config/host-config.js';
import type { WebhookPublisher } from '../webhooks/webhook-publisher.js';
import { FORWARD_ENDPOINT_ID } from '../webhooks/webhook-store.js';

/** What is posted to the integrator. */
export interface ForwardPayload {
  /** Unique per forwarded event: the integrator's dedup key (retries repeat it). */
  id: string;
  type: 'message' | 'status' | 'consent' | 'conversation';
  tenantId: string;
  data: unknown;
}

/**
 * Signs a forwarded body the way forwarding signed before Standard Webhooks (still sent, beside them).
 * @param secret - the tenant's forwarding secret
 * @param body - the exact bytes posted
 * @param timestamp - unix seconds
 * @returns the header value
 */
export function signForward(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}

/** Queues events for the tenants' forwarding endpoints. */
export class Forwarder {
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * @param deps - the webhook publisher (its `forward` endpoint per tenant) and the logger
   */
  constructor(private readonly deps: { publisher: Pick<WebhookPublisher, 'publishTo'>; logger: Logger }) {}

  /**
   * Queues an event for the tenant's forwarding endpoint.
   * @param _config - the tenant's forwarding config (the endpoint in the store follows it)
   * @param payload - what to post (an `id` is given when missing); `conversationId` orders it
   * @returns once the event is in the durable queue
   */
  async forward(_config: ForwardingConfig, payload: Omit<ForwardPayload, 'id'> & { id?: string; conversationId?: string }): Promise<void> {
    const { conversationId, ...rest } = payload;
    const queued = this.deps.publisher.publishTo(payload.tenantId, FORWARD_ENDPOINT_ID, {
      type: payload.type, data: payload.data, ...(conversationId !== undefined ? { conversationId } : {}),
    }, (eventId) => JSON.stringify({ ...rest, id: payload.id ?? eventId } satisfies ForwardPayload));
    this.inFlight.add(queued);
    try {
      if ((await queued) === undefined) this.deps.logger.error({ tenantId: payload.tenantId }, 'forwarded event could not be queued');
    } finally {
      this.inFlight.delete(queued);
    }
  }

  /** Resolves when every event handed over so far is queued. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Nothing to stop: the webhook worker owns delivery. */
  stop(): void {}
}

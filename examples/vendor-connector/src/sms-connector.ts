/**
 * The Acme SMS Gateway connector.
 * @module
 */
import {
  ContentUnsupportedError, PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError,
  RetryableError, WebhookVerificationError, constantTimeEqual, executeProviderRequest, hmacSha256Hex, isObject,
  isSwitchboardError, parseRetryAfter, silentLogger, systemClock,
  type Clock, type Connector, type ConnectorDeps, type ConnectorError, type InboundEvent, type Logger,
  type OutboundMessage, type ProviderRequest, type RawWebhook, type SendResult,
} from '@switchboard/core';
import { ACME_LIMITS, ACME_MESSAGES_PATH, ACME_SIGNATURE_HEADER, countSegments, readAcmeSignature } from './acme-api.js';
import type { SmsConfig } from './config.js';
import { parseAcmeWebhook } from './parse-acme-webhook.js';
import { renderSmsText } from './render-sms-text.js';

/**
 * Delay used when a 429 carries no usable Retry-After: one second is the window of the gateway's
 * only rate limit (10 messages per second per sender).
 */
export const ACME_DEFAULT_RETRY_AFTER_MS = 1000;

const CLASSIFIED_CODES = new Set(['RATE_LIMITED', 'RECIPIENT_BLOCKED', 'WINDOW_CLOSED', 'PERMANENT_FAILURE', 'RETRYABLE_FAILURE']);

/** Reads `{ error: { code, message } }`, the gateway's error body. */
function readAcmeError(body: unknown): { code: string; message: string } | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const { code, message } = body.error;
  if (typeof code !== 'string') return undefined;
  return { code, message: typeof message === 'string' ? message : '' };
}

/** Sends and receives SMS through the Acme gateway for one sender. */
export class SmsConnector implements Connector {
  /** Always `sms`. */
  readonly channel = 'sms';
  /** The sender id (E.164 number or alphanumeric id). */
  readonly accountId: string;
  private readonly fetch: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /**
   * @param config - a parsed config
   * @param deps - fetch, clock and logger (defaults: global fetch, wall clock, silent)
   */
  constructor(private readonly config: SmsConfig, deps: Partial<ConnectorDeps> = {}) {
    this.accountId = config.senderId;
    this.fetch = deps.fetch ?? ((...args) => globalThis.fetch(...args));
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /** The gateway has no subscription handshake: webhook URLs are set in its dashboard. */
  handshake(_req: RawWebhook): undefined {
    return undefined;
  }

  /**
   * Checks `X-Acme-Signature: t=<unix>,v1=<hex>`: HMAC-SHA256 of `"<t>.<raw body>"` keyed with the
   * webhook secret, then that `t` lies within 5 minutes of the injected clock — a replay of a
   * captured delivery is refused even though its signature is genuine.
   */
  verify(req: RawWebhook): void {
    const header = req.headers[ACME_SIGNATURE_HEADER];
    if (header === undefined || header === '') throw new WebhookVerificationError('missing X-Acme-Signature header');
    const parts = readAcmeSignature(header);
    if (!parts) throw new WebhookVerificationError('X-Acme-Signature must be "t=<unix seconds>,v1=<64 hex digits>"');
    const expected = hmacSha256Hex(this.config.webhookSecret, Buffer.concat([Buffer.from(`${parts.timestamp}.`, 'utf8'), req.body]));
    // every v1 is compared (no early exit) so the time taken does not say which one matched
    let matched = false;
    for (const candidate of parts.signatures) matched = constantTimeEqual(candidate, expected) || matched;
    if (!matched) throw new WebhookVerificationError('X-Acme-Signature does not match the body');
    const ageSeconds = this.clock.now() / 1000 - parts.timestamp;
    if (ageSeconds > ACME_LIMITS.signatureToleranceSeconds) {
      throw new WebhookVerificationError(`X-Acme-Signature timestamp is ${Math.floor(ageSeconds)} s old; deliveries older than ${ACME_LIMITS.signatureToleranceSeconds} s are refused as replays`);
    }
    if (-ageSeconds > ACME_LIMITS.signatureToleranceSeconds) {
      throw new WebhookVerificationError(`X-Acme-Signature timestamp is ${Math.floor(-ageSeconds)} s in the future`);
    }
  }

  /** Parses a verified webhook: `message.received` and `message.status`. */
  parse(req: RawWebhook): InboundEvent[] {
    return parseAcmeWebhook(req.body, this.accountId);
  }

  /**
   * Renders `msg` as one `POST /v2/messages`. The host's message id travels as `client_ref`, which
   * the gateway uses to absorb a retried request instead of sending the SMS twice.
   */
  render(msg: OutboundMessage): ProviderRequest {
    if (msg.broadcastTo && msg.broadcastTo.length > 1) {
      throw new ContentUnsupportedError('the Acme gateway has no batch endpoint: send one message per recipient');
    }
    const rendered = renderSmsText(msg.content);
    const count = countSegments(rendered.text);
    const segments = `${count.segments} segment${count.segments === 1 ? '' : 's'} (${count.encoding})`;
    return {
      method: 'POST',
      url: `${this.config.apiBaseUrl}${ACME_MESSAGES_PATH}`,
      headers: { authorization: `Bearer ${this.config.apiKey}`, 'content-type': 'application/json' },
      body: { from: this.config.senderId, to: msg.broadcastTo?.[0] ?? msg.to.userId, text: rendered.text, client_ref: msg.id },
      rendering: { form: rendered.form, parts: 1, note: rendered.note ? `${rendered.note}; ${segments}` : segments },
    };
  }

  /** Sends the rendered request; the answer's `id` is the external id. */
  async send(msg: OutboundMessage): Promise<SendResult> {
    const { rendering: _rendering, followUps: _followUps, ...request } = this.render(msg);
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(request, { fetch: this.fetch }));
    } catch (error) {
      throw this.classify(error);
    }
    const id = isObject(body) ? body.id : undefined;
    if (typeof id !== 'string' || id === '') {
      // a 2xx without an id cannot be tracked; retrying is safe because client_ref deduplicates
      throw new RetryableError('the Acme gateway accepted the message without an id', { cause: body });
    }
    if (isObject(body) && typeof body.segments === 'number' && body.segments > 1) {
      this.logger.debug({ messageId: msg.id, externalId: id, segments: body.segments }, 'acme sms: concatenated message');
    }
    return { externalId: id, acceptedAt: new Date(this.clock.now()), raw: body };
  }

  /** Maps the gateway's error bodies, HTTP statuses and network failures onto the core taxonomy (README, "Errors"). */
  classify(error: unknown): ConnectorError {
    if (isSwitchboardError(error) && CLASSIFIED_CODES.has(error.code)) return error as ConnectorError;
    if (error instanceof ProviderHttpError) {
      const acme = readAcmeError(error.body);
      const text = `Acme answered ${error.status}${acme ? ` ${acme.code}${acme.message ? `: ${acme.message}` : ''}` : ''}`;
      const options = { cause: error, details: { status: error.status, ...(acme ? { acmeCode: acme.code } : {}) } };
      const retryAfter = parseRetryAfter(error.headers['retry-after'], this.clock.now());
      if (error.status === 429 || acme?.code === 'rate_limited') return new RateLimitedError(text, retryAfter ?? ACME_DEFAULT_RETRY_AFTER_MS, options);
      if (acme?.code === 'recipient_opted_out') return new RecipientBlockedError(text, options);
      if (error.status >= 500 || error.status === 408) return new RetryableError(text, { ...options, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
      // 400 invalid_number / invalid_sender / text_too_long, 401 unauthorized, 402 insufficient_credit,
      // other 403s: the same request cannot succeed until someone changes it or the account
      return new PermanentError(text, options);
    }
    if (error instanceof ProviderNetworkError) return new RetryableError(error.message, { cause: error });
    let message = 'unknown error';
    if (error instanceof Error) message = error.message;
    return new RetryableError(`Acme request failed: ${message}`, { cause: error });
  }
}

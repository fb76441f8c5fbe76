/**
 * A fake Acme SMS Gateway: an in-process HTTP server that answers `POST /v2/messages` as the
 * gateway does (auth, validation, credit, opt-outs, idempotent `client_ref`, 10 msg/s per sender)
 * and produces webhooks signed as the gateway signs them. Tests, the demo and the host's sandbox use
 * it instead of the real gateway.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  FakePlatformServer, isObject, type FakePlatformOptions, type FakeResponse, type RecordedRequest, type SignedWebhook,
} from '@switchboard/core';
import {
  ACME_ERROR_CODES, ACME_LIMITS, ACME_MESSAGES_PATH, ACME_SIGNATURE_HEADER, E164, countSegments, signAcmeWebhook,
  type AcmeDeliveryStatus, type AcmeErrorCode,
} from './acme-api.js';
import { SMS_OPT_OUT_KEYWORDS } from './policy.js';

/** Fixed sandbox credentials the fake accepts by default (never valid on the real gateway). */
export const smsSandboxConfig = {
  apiKey: 'acme_test_sk_5b1f0c9e2d4a4e7f9a3c',
  webhookSecret: 'whsec_acme_sandbox_0f3b8e51c2d94a67',
  senderId: '+12025550100',
} as const;

/** The carriers' opt-back-in keywords (START family). */
const OPT_IN_KEYWORDS = ['start', 'unstop', 'yes'];

/** A message the fake accepted. */
export interface FakeSms {
  id: string;
  from: string;
  to: string;
  text: string;
  clientRef?: string;
  segments: number;
  acceptedAt: Date;
}

/** The fake gateway. */
export class FakeAcmeSmsServer extends FakePlatformServer {
  /** Always `sms`. */
  readonly channel = 'sms';
  /** Every message accepted, oldest first. */
  readonly sent: FakeSms[] = [];
  private readonly apiKey: string;
  private readonly webhookSecret: string;
  private readonly senderId: string;
  private readonly optedOut = new Set<string>();
  private readonly byClientRef = new Map<string, FakeSms>();
  private credit: number;

  /**
   * @param options - port, latency, time scale; `config` may override `apiKey`, `webhookSecret`,
   *   `senderId` and `credit` (segments the account can still pay for; default 100 000)
   */
  constructor(options: FakePlatformOptions = {}) {
    super(options);
    const c = options.config ?? {};
    this.apiKey = typeof c.apiKey === 'string' ? c.apiKey : smsSandboxConfig.apiKey;
    this.webhookSecret = typeof c.webhookSecret === 'string' ? c.webhookSecret : smsSandboxConfig.webhookSecret;
    this.senderId = typeof c.senderId === 'string' ? c.senderId : smsSandboxConfig.senderId;
    this.credit = typeof c.credit === 'number' ? c.credit : 100_000;
  }

  /** A config for the connector that talks to this fake. */
  connectorConfig(): Record<string, unknown> {
    return { apiKey: this.apiKey, webhookSecret: this.webhookSecret, senderId: this.senderId, apiBaseUrl: this.url };
  }

  /** Marks a number as opted out at the carrier (as texting STOP does). */
  optOut(number: string): void {
    this.optedOut.add(number);
  }

  /** Sets the account's remaining credit, in segments. */
  setCredit(segments: number): void {
    this.credit = segments;
  }

  /** Forgets recorded requests, scripts, rate-limit state, sent messages and opt-outs. */
  override reset(): void {
    super.reset();
    this.sent.length = 0;
    this.optedOut.clear();
    this.byClientRef.clear();
  }

  /**
   * A signed `message.received` webhook. Like the carriers, the fake records STOP and START
   * keywords itself: after STOP, sends to the number are refused with 403 `recipient_opted_out`.
   */
  userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook {
    const keyword = input.text.trim().toLowerCase();
    if (SMS_OPT_OUT_KEYWORDS.includes(keyword)) this.optedOut.add(input.userId);
    else if (OPT_IN_KEYWORDS.includes(keyword)) this.optedOut.delete(input.userId);
    // SMS carries no profile name: input.name is ignored, as the gateway would never know it
    return this.signed({
      type: 'message.received',
      id: input.messageId ?? `in_${randomBytes(12).toString('hex')}`,
      from: input.userId,
      to: this.senderId,
      text: input.text,
      occurred_at: (input.timestamp ?? new Date()).toISOString(),
    });
  }

  /**
   * A signed `message.status` webhook for an earlier message. SMS has no read receipts, so `read`
   * is refused with a RangeError rather than invented.
   */
  statusUpdate(input: {
    userId: string; externalId: string; status: 'sent' | 'delivered' | 'read' | 'failed'; timestamp?: Date;
    error?: { code: string; message: string }; acmeStatus?: AcmeDeliveryStatus;
  }): SignedWebhook {
    if (input.status === 'read') throw new RangeError('SMS has no read receipts: the Acme gateway never sends status "read"');
    const status = input.acmeStatus ?? input.status;
    const failed = status === 'failed' || status === 'expired';
    return this.signed({
      type: 'message.status',
      id: input.externalId,
      from: this.senderId,
      to: input.userId,
      status,
      ...(failed ? { error: input.error ?? { code: 'unreachable', message: 'The handset could not be reached.' } } : {}),
      occurred_at: (input.timestamp ?? new Date()).toISOString(),
    });
  }

  /**
   * Signs any body as the gateway does, at a given time (default now).
   * @param body - the webhook body (serialised as JSON)
   * @param signedAt - the signing time, for replay-window tests
   * @returns a webhook ready to post
   */
  signed(body: Record<string, unknown>, signedAt: Date = new Date()): SignedWebhook {
    const bytes = Buffer.from(JSON.stringify(body), 'utf8');
    return {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Acme-Webhooks/2.0',
        [ACME_SIGNATURE_HEADER]: signAcmeWebhook(this.webhookSecret, bytes, signedAt.getTime() / 1000),
      },
      body: bytes,
    };
  }

  protected handle(req: RecordedRequest): FakeResponse {
    if (req.path !== ACME_MESSAGES_PATH) return error('not_found', `no route ${req.method} ${req.path}`);
    if (req.method !== 'POST') return { ...error('invalid_request', `${req.method} is not allowed on ${ACME_MESSAGES_PATH}`), status: 405, headers: { allow: 'POST' } };
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return error('unauthorized', 'missing or invalid API key');
    if (!(req.headers['content-type'] ?? '').includes('application/json') || !isObject(req.body)) {
      return error('invalid_request', 'the body must be a JSON object (Content-Type: application/json)');
    }
    const { from, to, text, client_ref: clientRef } = req.body;
    if (typeof from !== 'string' || from !== this.senderId) return error('invalid_sender', `from must be a sender registered to this account (${this.senderId})`);
    if (typeof to !== 'string' || !E164.test(to)) return error('invalid_number', 'to must be an E.164 number such as +12025550143');
    if (typeof text !== 'string' || text === '') return error('invalid_request', 'text is required');
    if (text.length > ACME_LIMITS.textMaxLength) return error('text_too_long', `text is ${text.length} characters; at most ${ACME_LIMITS.textMaxLength} are accepted`);
    if (clientRef !== undefined && (typeof clientRef !== 'string' || clientRef === '' || clientRef.length > ACME_LIMITS.clientRefMaxLength)) {
      return error('invalid_request', `client_ref must be a string of 1-${ACME_LIMITS.clientRefMaxLength} characters`);
    }
    if (typeof clientRef === 'string') {
      // a retried request is answered with the original message, and nothing is sent again
      const earlier = this.byClientRef.get(clientRef);
      if (earlier) return { status: 200, body: { id: earlier.id, status: 'accepted', segments: earlier.segments } };
    }
    if (!this.limiter.take(`sender:${from}`, ACME_LIMITS.messagesPerSecondPerSender, 1000)) {
      const waitMs = this.limiter.retryAfter(`sender:${from}`, ACME_LIMITS.messagesPerSecondPerSender, 1000) / (this.options.timeScale ?? 1);
      return { ...error('rate_limited', `more than ${ACME_LIMITS.messagesPerSecondPerSender} messages per second from ${from}`), headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) } };
    }
    if (this.optedOut.has(to)) return error('recipient_opted_out', `${to} replied STOP to this sender; they must text START before receiving messages again`);
    const { segments } = countSegments(text);
    if (segments > this.credit) return error('insufficient_credit', `the message needs ${segments} segments of credit; ${this.credit} left`);
    this.credit -= segments;
    const sms: FakeSms = {
      id: `msg_${randomBytes(12).toString('hex')}`, from, to, text, segments, acceptedAt: new Date(),
      ...(typeof clientRef === 'string' ? { clientRef } : {}),
    };
    this.sent.push(sms);
    if (sms.clientRef) this.byClientRef.set(sms.clientRef, sms);
    return { status: 201, body: { id: sms.id, status: 'accepted', segments } };
  }
}

function error(code: AcmeErrorCode, message: string): FakeResponse {
  return { status: ACME_ERROR_CODES[code], body: { error: { code, message } } };
}

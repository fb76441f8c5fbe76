/**
 * The Viber REST Bot API connector.
 * @module
 */
import {
  PermanentError, ProviderHttpError, RateLimitedError, RecipientBlockedError, RetryableError,
  checkMaxBytes, classifyUnknownPlatformFailure, executeProviderRequest, isObject, meteredBody, cappedRetryAfter, sendInParts, silentLogger, systemClock, verifyHmacSha256,
  type AccountProbe, type AccountProbeOptions, type Clock, type Connector, type ConnectorDeps, type ConnectorError, type DownloadedMedia, type InboundEvent, type Logger,
  type MediaDownloadOptions, type MediaRef, type OutboundMessage, type ProviderRequest, type RawWebhook, type SendContext, type SendResult,
  type WebhookRegistration,
} from '@switchboard/core';
import type { ViberConfig } from './config.js';
import { parseCallback, parseCallbackBody } from './parse.js';
import { renderContent, renderWelcome, trackingDataFor, withCommonFields } from './render.js';
import {
  VIBER_AUTH_HEADER, VIBER_LIMITS, VIBER_SIGNATURE_HEADER, VIBER_STATUS, ViberStatusError, losslessTokenFetch,
} from './viber-api.js';

/**
 * Delay used for status 12 (tooManyRequests), which carries no retry hint. Ten seconds is the
 * window of Viber's only published request rate (500 broadcast calls per 10 s); the per-user
 * "100 messages per hour without a reply" limit is enforced by the policy engine before sending.
 */
export const VIBER_RATE_LIMIT_DELAY_MS = 10_000;

/** Statuses that mean the recipient will not get messages from this bot until they subscribe again. */
const RECIPIENT_BLOCKED_STATUSES = new Set([6]);

/** The optional callbacks Viber sends when asked (`message` and `webhook` always come). */
export const VIBER_WEBHOOK_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

/** Sends and receives Viber messages for one bot. */
export class ViberConnector implements Connector {
  /** Always `viber`. */
  readonly channel = 'viber';
  /** The bot's account id (configured, or derived from the auth token). */
  readonly accountId: string;
  private readonly fetch: typeof globalThis.fetch;
  /** The fetch as given, for media downloads (the API fetch reads whole answers to keep tokens exact). */
  private readonly mediaFetch: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /**
   * @param config - a parsed config
   * @param deps - fetch, clock and logger (defaults: global fetch, wall clock, silent)
   */
  constructor(private readonly config: ViberConfig, deps: Partial<ConnectorDeps> = {}) {
    this.accountId = config.accountId;
    this.mediaFetch = deps.fetch ?? ((...args) => globalThis.fetch(...args));
    this.fetch = losslessTokenFetch(this.mediaFetch);
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Answers the `webhook` check Viber sends after `set_webhook` with 200 — only when it is correctly
   * signed; anything else is left to verify and parse.
   */
  handshake(req: RawWebhook): { status: number; body: string } | undefined {
    if (req.method !== 'POST') return undefined;
    try {
      this.verify(req);
      const cb = parseCallbackBody(req.body);
      return cb.event === 'webhook' ? { status: 200, body: '' } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Checks `X-Viber-Content-Signature`: hex HMAC-SHA256 of the raw body keyed with the auth token.
   * Viber's own Node library also accepts the signature in a `sig` query parameter; so do we,
   * when the header is absent.
   */
  verify(req: RawWebhook): void {
    const header = req.headers[VIBER_SIGNATURE_HEADER.toLowerCase()];
    const fromQuery = header === undefined ? req.query.sig : undefined;
    verifyHmacSha256({
      secret: this.config.authToken,
      body: req.body,
      signature: header ?? fromQuery,
      header: fromQuery !== undefined ? 'sig query parameter' : VIBER_SIGNATURE_HEADER,
    });
  }

  /** Parses a verified callback; the `webhook` check yields no events. */
  parse(req: RawWebhook): InboundEvent[] {
    return parseCallback(req.body, this.accountId);
  }

  /**
   * The welcome message as the answer to a `conversation_started` callback, when one is configured.
   * @param events - what `parse` returned for the callback
   * @returns a JSON answer, or undefined (the host answers its default 200)
   */
  webhookResponse(events: InboundEvent[]): { status: number; body: string; contentType?: string } | undefined {
    const welcome = this.config.welcomeMessage;
    if (!welcome || !events.some((e) => e.kind === 'conversation-started')) return undefined;
    return { status: 200, body: JSON.stringify(renderWelcome(this.config, welcome)), contentType: 'application/json' };
  }

  /**
   * Renders `msg` as `send_message` calls (one per part), or `broadcast_message` calls (one per
   * 300 recipients and part) when `msg.broadcastTo` is set.
   */
  render(msg: OutboundMessage): ProviderRequest {
    const rendered = renderContent(msg.content);
    const bodies = withCommonFields(this.config, rendered, trackingDataFor(msg.id, msg.content));
    const requests: ProviderRequest[] = [];
    if (msg.broadcastTo && msg.broadcastTo.length > 0) {
      const recipients = [...new Set(msg.broadcastTo)];
      for (let i = 0; i < recipients.length; i += VIBER_LIMITS.broadcastList) {
        const list = recipients.slice(i, i + VIBER_LIMITS.broadcastList);
        for (const body of bodies) requests.push(this.request('broadcast_message', { ...body, broadcast_list: list }));
      }
    } else {
      for (const body of bodies) requests.push(this.request('send_message', { receiver: msg.to.userId, ...body }));
    }
    const [first, ...followUps] = requests as [ProviderRequest, ...ProviderRequest[]];
    return {
      ...first,
      ...(followUps.length > 0 ? { followUps } : {}),
      rendering: { form: rendered.form, parts: requests.length, ...(rendered.note ? { note: rendered.note } : {}) },
    };
  }

  /**
   * The `set_webhook` call: Viber then posts a signed `webhook` check to the URL and only accepts it
   * when that answers 200 (the host's ingress does).
   * @param options.url - the host's public `/webhooks/viber/<account>` URL (HTTPS)
   * @param options.eventTypes - callbacks to receive (default: every optional one)
   * @param options.sendName - include the user's name in callbacks (default true)
   * @param options.sendPhoto - include the user's avatar in callbacks (default true)
   * @returns the request
   */
  renderSetWebhook(options: { url: string; eventTypes?: readonly string[]; sendName?: boolean; sendPhoto?: boolean }): ProviderRequest {
    return this.request('set_webhook', {
      url: options.url,
      event_types: [...(options.eventTypes ?? VIBER_WEBHOOK_EVENT_TYPES)],
      send_name: options.sendName ?? true,
      send_photo: options.sendPhoto ?? true,
    });
  }

  /**
   * Registers the webhook URL with Viber (core's optional `Connector.setWebhook`; the CLI's
   * `webhooks register viber`).
   * @returns the URL, the event types Viber confirmed, and a summary line
   * @throws a classified ConnectorError when Viber refuses (e.g. status 1, invalid URL)
   */
  async setWebhook(options: { url: string; eventTypes?: readonly string[]; sendName?: boolean; sendPhoto?: boolean }): Promise<WebhookRegistration & { eventTypes: string[] }> {
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(this.renderSetWebhook(options), { fetch: this.fetch }));
      body = checkStatus(body);
    } catch (error) {
      throw this.classify(error);
    }
    const types = isObject(body) && Array.isArray(body.event_types) ? body.event_types.filter((t): t is string => typeof t === 'string') : [];
    return { url: options.url, summary: `set_webhook ok (event types: ${types.join(', ') || 'none'})`, eventTypes: types };
  }

  /**
   * The read-only `get_account_info` request {@link probe} makes.
   * @returns the request (an empty JSON body; the token goes in `X-Viber-Auth-Token`)
   */
  renderProbe(): ProviderRequest {
    return this.request('get_account_info', {});
  }

  /**
   * Proves the auth token (core's optional `Connector.probe`) with `get_account_info`: the bot's
   * name, its id and URI, the webhook Viber delivers to and the subscriber count.
   * @param options - an abort signal bounding the call
   * @returns what Viber says about the bot (`webhookUrl` `''`: none set)
   * @throws a classified ConnectorError (a wrong token: status 2 invalidAuthToken, permanent)
   */
  async probe(options: AccountProbeOptions = {}): Promise<AccountProbe> {
    const fetch: typeof globalThis.fetch = options.signal
      ? (input, init) => this.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, options.signal!]) : options.signal! })
      : this.fetch;
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(this.renderProbe(), { fetch }));
      body = checkStatus(body);
    } catch (error) {
      throw this.classify(error);
    }
    const info = isObject(body) ? body : {};
    const details: Record<string, string | number> = {};
    if (typeof info.uri === 'string') details.uri = info.uri;
    if (typeof info.subscribers_count === 'number') details.subscribers = info.subscribers_count;
    return {
      name: typeof info.name === 'string' ? info.name : this.accountId,
      ...(typeof info.id === 'string' ? { id: info.id } : {}),
      ...(typeof info.webhook === 'string' ? { webhookUrl: info.webhook } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    };
  }

  private request(method: 'send_message' | 'broadcast_message' | 'set_webhook' | 'get_account_info', body: Record<string, unknown>): ProviderRequest {
    return {
      method: 'POST',
      url: `${this.config.apiBaseUrl}/${method}`,
      headers: { [VIBER_AUTH_HEADER]: this.config.authToken, 'content-type': 'application/json' },
      body,
    };
  }

  /**
   * Sends every request of the rendering in order — from the first part an earlier attempt did not
   * get accepted (`context.acceptedParts`), reporting each accepted part to `context.onPartAccepted`;
   * a non-zero `status` in any answer fails the send. The REST Bot API takes no idempotency key, so a
   * part is not resent only because the host recorded it.
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the first part's `message_token` as `externalId`, further tokens as `partIds`
   * @throws a classified ConnectorError
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const first = this.render(msg);
    const all = [first, ...(first.followUps ?? [])];
    const answers: unknown[] = [];
    const tokens = await sendInParts(all, context, async (request, index) => {
      const { followUps: _f, rendering: _r, ...plain } = request;
      let body: unknown;
      try {
        ({ body } = await executeProviderRequest(plain, { fetch: this.fetch }));
        body = checkStatus(body);
      } catch (error) {
        if (index > 0) this.logger.warn({ messageId: msg.id, sentParts: index, parts: all.length }, 'viber: a later part of a message failed');
        throw this.classify(error);
      }
      answers.push(body);
      const token = isObject(body) ? body.message_token : undefined;
      return typeof token === 'string' || typeof token === 'number' ? String(token) : '';
    });
    const [externalId = '', ...partIds] = tokens;
    return {
      externalId,
      acceptedAt: new Date(this.clock.now()),
      ...(partIds.length > 0 ? { partIds } : {}),
      ...(answers.length > 0 ? { raw: answers.length === 1 ? answers[0] : answers } : {}),
    };
  }

  /**
   * Fetches a file a customer sent: a GET of the message's `media` URL (`media.url`, as `parse`
   * gave it), streamed. Viber documents that these URLs "will have a TTL of 1 hour" and offers no
   * way to ask for a new one, so an answer of 403, 404 or 410 is a permanent error saying the link
   * expired. A size over `maxBytes` — the callback's, the `content-length`, or counted while reading
   * — is a permanent error too; 5xx, 408, 429 and a broken connection are retryable. The request
   * carries no credential (the URL is Viber's public media link).
   * @param media - the media reference `parse` produced
   * @param options - the size limit and an abort signal
   * @returns the streamed bytes with the size and file name Viber declared
   * @throws PermanentError, RetryableError or RateLimitedError
   */
  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    checkMaxBytes(options.maxBytes);
    const url = media.url;
    let parsed: URL | undefined;
    try { parsed = url !== undefined ? new URL(url) : undefined; } catch { parsed = undefined; }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new PermanentError('a Viber file is downloaded from its media URL (media.url), and this media has no http(s) URL');
    }
    if (media.size !== undefined && media.size > options.maxBytes) {
      throw new PermanentError(`the file is ${media.size} bytes, more than the ${options.maxBytes} bytes allowed`, { details: { size: media.size, maxBytes: options.maxBytes } });
    }
    let response: Response;
    try {
      response = await this.mediaFetch(parsed.toString(), { method: 'GET', ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw new RetryableError(`the Viber media download from ${parsed.host} failed: ${(error as Error).message ?? 'no answer'}`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const details = { status: response.status, host: parsed.host };
      if ([403, 404, 410].includes(response.status)) {
        throw new PermanentError(`the Viber media link answered ${response.status}: it has expired (Viber's media links live 1 hour and cannot be requested again)`, { details });
      }
      if (response.status === 429) {
        const after = cappedRetryAfter(response.headers.get('retry-after') ?? undefined, this.clock.now()) ?? VIBER_RATE_LIMIT_DELAY_MS;
        throw new RateLimitedError('the Viber media host answered 429', after, { details });
      }
      if (response.status >= 500 || response.status === 408) throw new RetryableError(`the Viber media host answered ${response.status}`, { details });
      throw new PermanentError(`the Viber media host answered ${response.status}`, { details });
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(length) && length > options.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new PermanentError(`the file is ${length} bytes, more than the ${options.maxBytes} bytes allowed`, { details: { size: length, maxBytes: options.maxBytes } });
    }
    const declaredSize = media.size ?? (Number.isFinite(length) ? length : undefined);
    const declaredType = media.mimeType ?? response.headers.get('content-type') ?? undefined;
    return {
      body: meteredBody(response.body, { maxBytes: options.maxBytes, what: 'the Viber media file' }),
      ...(declaredSize !== undefined ? { declaredSize } : {}),
      ...(declaredType !== undefined && declaredType !== '' ? { declaredType } : {}),
      ...(media.filename !== undefined ? { filename: media.filename } : {}),
    };
  }

  /**
   * Maps Viber's answer statuses onto the core taxonomy, and everything else (an HTTP failure without
   * a Viber status, a network error, anything unrecognised) as core's
   * {@link classifyUnknownPlatformFailure} does for every connector. See the README's error table.
   */
  classify(error: unknown): ConnectorError {
    const now = this.clock.now();
    if (error instanceof ViberStatusError) return classifyStatus(error.status, error.statusMessage, error, now);
    if (error instanceof ProviderHttpError) {
      const viber = isObject(error.body) && typeof error.body.status === 'number' && error.body.status !== 0 ? error.body : undefined;
      if (viber) return classifyStatus(viber.status as number, String(viber.status_message ?? ''), error, now);
    }
    return classifyUnknownPlatformFailure(error, { now, platform: 'Viber', defaultRetryAfterMs: VIBER_RATE_LIMIT_DELAY_MS });
  }
}

function checkStatus(body: unknown): unknown {
  if (!isObject(body) || typeof body.status !== 'number') {
    throw new ViberStatusError(-1, 'answer without a status', body);
  }
  if (body.status !== 0) throw new ViberStatusError(body.status, typeof body.status_message === 'string' ? body.status_message : '', body);
  return body;
}

function classifyStatus(status: number, statusMessage: string, cause: unknown, now: number): ConnectorError {
  const name = (VIBER_STATUS as Record<number, string>)[status];
  const text = `Viber status ${status} ${name ?? 'generalError'}${statusMessage && statusMessage !== name ? `: ${statusMessage}` : ''}`;
  const details = { viberStatus: status, statusMessage };
  if (status === 12) return new RateLimitedError(text, VIBER_RATE_LIMIT_DELAY_MS, { cause, details });
  if (RECIPIENT_BLOCKED_STATUSES.has(status)) return new RecipientBlockedError(text, { cause, details });
  // every documented status is a fault of the request, the account or the recipient: retrying
  // the same request cannot fix it
  if (name !== undefined && status !== 0) return new PermanentError(text, { cause, details });
  // an undocumented one ("general error") is unknown to us: core decides, as for every connector
  // (retryable in a 200 answer; by its HTTP status in an error answer)
  return classifyUnknownPlatformFailure(cause, { now, platform: 'Viber', message: text, details, defaultRetryAfterMs: VIBER_RATE_LIMIT_DELAY_MS });
}

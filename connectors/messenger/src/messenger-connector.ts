/**
 * The Messenger Platform connector: webhooks in, Send API out.
 * @module
 */
import {
  constantTimeEqual, executeProviderRequest, isObject, PermanentError, ProviderHttpError, sendInParts, silentLogger, systemClock, verifyHmacSha256,
  type AccountProbe, type AccountProbeOptions, type Clock, type Connector, type ConnectorDeps, type ConnectorError, type DownloadedMedia, type InboundEvent, type Logger,
  type MediaDownloadOptions, type MediaRef, type OutboundMessage, type PlatformProfile, type ProviderRequest, type RawWebhook, type SendContext, type SendResult,
  type UploadedMedia, type WebhookRegistration, type WebhookRegistrationOptions,
} from '@switchboard/core';
import type { MessengerConfig } from './config.js';
import { classifyGraphError } from './classify-graph-error.js';
import { MESSENGER_ATTACHMENT_TTL_MS, downloadMessengerAttachment } from './messenger-media.js';
import { parseMessengerWebhook } from './parse-webhook.js';
import { renderMessengerRequest } from './render-message.js';
import { isNoProfileAnswer, profileOf, userProfileRequest } from './user-profile.js';
import { MESSENGER_SUBSCRIBED_FIELDS, messengerCallbackSteps, readMessengerProbe, renderMessengerProbe, renderSubscribePage } from './going-live.js';

/** The header Meta signs webhooks with. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** One Facebook Page on the Messenger Platform. */
export class MessengerConnector implements Connector {
  /** Always `messenger`. */
  readonly channel = 'messenger';
  /** The Page id. */
  readonly accountId: string;
  private readonly fetch: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /**
   * @param config - validated config
   * @param deps - fetch, clock and logger (defaults: global fetch, wall clock, silent)
   */
  constructor(private readonly config: MessengerConfig, deps: Partial<ConnectorDeps> = {}) {
    this.accountId = config.pageId;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Answers Meta's verification request (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`).
   * @returns 200 with the challenge, 403 on a wrong token, undefined when the request is no handshake
   */
  handshake(req: RawWebhook): { status: number; body: string } | undefined {
    const mode = req.query['hub.mode'];
    if (req.method.toUpperCase() !== 'GET' || mode === undefined) return undefined;
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode !== 'subscribe' || token === undefined || challenge === undefined || !constantTimeEqual(token, this.config.verifyToken)) {
      return { status: 403, body: 'Forbidden' };
    }
    return { status: 200, body: challenge };
  }

  /** Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, raw body)>`. */
  verify(req: RawWebhook): void {
    verifyHmacSha256({ secret: this.config.appSecret, body: req.body, signature: req.headers[SIGNATURE_HEADER], prefix: 'sha256=', header: SIGNATURE_HEADER });
  }

  /** Parses a verified delivery: `object: page`, `entry[].messaging[]`. */
  parse(req: RawWebhook): InboundEvent[] {
    return parseMessengerWebhook(req.body);
  }

  /** The Send API request(s) for a message (pure). */
  render(msg: OutboundMessage): ProviderRequest {
    return renderMessengerRequest(this.config, msg);
  }

  /**
   * Sends a message: the first request, then its follow-ups in order — from the first part an
   * earlier attempt did not get accepted (`context.acceptedParts`), reporting each accepted part to
   * `context.onPartAccepted`. The Send API takes no idempotency key, so a part is not resent only
   * because the host recorded it.
   *
   * Media goes by URL (the plugin declares `media.upload: 'url'`; `msg.file` is not uploaded): the
   * attachment is sent with `is_reusable: true`, Meta fetches the file from `content.media.url`, and
   * the `attachment_id` it answers comes back as `SendResult.media` (valid 90 days), so the host
   * sends the same bytes by `media.id` next time.
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the first part's mid as `externalId`, further mids as `partIds`, a reusable attachment as `media`
   * @throws a classified ConnectorError (a failed follow-up fails the send; the parts before it stay accepted)
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const first = this.render(msg);
    const requests = [first, ...(first.followUps ?? [])];
    const raw: unknown[] = [];
    let reusable: UploadedMedia | undefined;
    const ids = await sendInParts(requests, context, async (request, i) => {
      let answer: { body: unknown };
      try {
        answer = await executeProviderRequest(request, { fetch: this.fetch });
      } catch (error) {
        const classified = this.classify(error);
        if (i > 0) this.logger.warn({ messageId: msg.id, part: i }, 'Messenger follow-up part failed after earlier parts were sent');
        throw classified;
      }
      raw.push(answer.body);
      const attachmentId = isObject(answer.body) ? answer.body.attachment_id : undefined;
      if (i === 0 && typeof attachmentId === 'string' && attachmentId !== '') {
        reusable = { ref: { id: attachmentId }, expiresAt: new Date(this.clock.now() + MESSENGER_ATTACHMENT_TTL_MS) };
      }
      return this.messageIdOf(answer.body, request, msg);
    });
    const [externalId, ...partIds] = ids;
    return {
      externalId: externalId!, acceptedAt: new Date(this.clock.now()), ...(partIds.length > 0 ? { partIds } : {}),
      ...(raw.length > 0 ? { raw: raw.length === 1 ? raw[0] : raw } : {}),
      ...(reusable ? { media: reusable } : {}),
    };
  }

  /**
   * Fetches a customer's attachment (core's optional `downloadMedia`) from the CDN link the webhook
   * carried (`media.url`), streamed, without a token. The link expires and the platform cannot be
   * asked for a fresh one: an answer 403, 404 or 410 is a permanent error that says so. The file is
   * refused (permanent) when its `content-length` or the bytes read pass `maxBytes`.
   * @param media - the media as `parse` described it (its `url`)
   * @param options - the host's size limit and abort signal
   * @returns the streamed file with the CDN's declared type and size
   * @throws a classified {@link ConnectorError}
   */
  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    try {
      return await downloadMessengerAttachment(this.fetch, media, options);
    } catch (error) {
      throw this.classify(error);
    }
  }

  /**
   * The customer's name from the User Profile API (core's optional `lookupProfile`): Messenger
   * webhooks carry no name, so the host asks once for a contact it has none for.
   * @param userId - the customer's PSID
   * @returns the name, or undefined when Graph has no profile the Page may read (2018218, or 100/33)
   * @throws a classified ConnectorError for any other failure (a bad token, throttling, no answer)
   */
  async lookupProfile(userId: string): Promise<PlatformProfile | undefined> {
    try {
      const { body } = await executeProviderRequest(userProfileRequest(this.config, userId), { fetch: this.fetch });
      const profile = profileOf(body);
      return profile.name === undefined ? undefined : profile;
    } catch (error) {
      if (error instanceof ProviderHttpError && isNoProfileAnswer(error.body)) return undefined;
      throw this.classify(error);
    }
  }

  /**
   * Subscribes the app to the Page's webhook fields with the page token (core's optional
   * `Connector.setWebhook`): `POST /<page id>/subscribed_apps`. The app's callback URL cannot be
   * set with a page token: the registration's `manualSteps` say where it goes.
   * @param options - the host's public webhook URL for this Page
   * @returns the fields subscribed and the dashboard steps left
   * @throws a classified ConnectorError when Meta refuses (a wrong token: OAuthException 190)
   */
  async setWebhook(options: WebhookRegistrationOptions): Promise<WebhookRegistration> {
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(renderSubscribePage(this.config), { fetch: this.fetch }));
    } catch (error) {
      throw this.classify(error);
    }
    if (!isObject(body) || body.success !== true) throw new PermanentError('the Graph API answered subscribed_apps without success: true', { details: { body } });
    return {
      url: options.url,
      summary: `subscribed_apps ok: Page ${this.config.pageId} subscribed to ${MESSENGER_SUBSCRIBED_FIELDS.join(', ')}`,
      manualSteps: messengerCallbackSteps(options.url),
    };
  }

  /**
   * Proves the page token (core's optional `Connector.probe`): the Page's name and id, and the apps
   * subscribed to it with their fields. Graph does not tell a page token the app's callback URL.
   * @param options - an abort signal bounding the calls
   * @returns what Meta says about the Page
   * @throws a classified ConnectorError (a wrong token: OAuthException 190, permanent)
   */
  async probe(options: AccountProbeOptions = {}): Promise<AccountProbe> {
    const fetch: typeof globalThis.fetch = options.signal
      ? (input, init) => this.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, options.signal!]) : options.signal! })
      : this.fetch;
    const [page, apps] = renderMessengerProbe(this.config);
    try {
      const pageAnswer = await executeProviderRequest(page, { fetch });
      const appsAnswer = await executeProviderRequest(apps, { fetch });
      return readMessengerProbe(this.config, pageAnswer.body, appsAnswer.body);
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** Maps a failed Send API call onto core's taxonomy. */
  classify(error: unknown): ConnectorError {
    return classifyGraphError(error, this.clock.now());
  }

  private messageIdOf(body: unknown, request: ProviderRequest, msg: OutboundMessage): string {
    if (isObject(body) && typeof body.message_id === 'string' && body.message_id !== '') return body.message_id;
    // sender actions (react/unreact) answer with recipient_id only: the reaction is named after its target
    const sent = request.body as { sender_action?: string; payload?: { message_id?: string } } | undefined;
    if (sent?.sender_action) return `${sent.sender_action}:${sent.payload?.message_id ?? ''}:${msg.id}`;
    throw new PermanentError('the Send API accepted the request but answered without message_id', { details: { body } });
  }
}

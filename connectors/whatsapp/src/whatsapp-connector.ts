/**
 * The WhatsApp Business Platform (Cloud API) connector.
 * @module
 */
import {
  PermanentError, constantTimeEqual, executeProviderRequest, isMediaContent, isObject, sendInParts, silentLogger, systemClock, verifyHmacSha256,
  type AccountProbe, type AccountProbeOptions, type Clock, type Connector, type ConnectorDeps, type ConnectorError, type DownloadedMedia, type InboundEvent, type Logger, type MediaDownloadOptions,
  type MediaRef, type OutboundMessage, type PlatformTemplateState, type ProviderRequest, type RawWebhook, type SendContext, type SendResult,
  type TemplateManager, type TemplateStatus, type TemplateSubmission, type UploadedMedia,
  type WebhookRegistration, type WebhookRegistrationOptions,
} from '@switchboard/core';
import { classifyGraphError } from './classify-graph-error.js';
import type { WhatsAppConfig } from './config.js';
import { parseWhatsAppWebhook } from './parse-whatsapp-webhook.js';
import { renderWhatsAppMessage, withUploadedMedia } from './render-whatsapp-message.js';
import { readWhatsAppProbe, renderSubscribeApp, renderWhatsAppProbe } from './going-live.js';
import { readTemplatePage, renderListTemplates, renderSubmitTemplate, templateStatusOf } from './templates.js';
import { WHATSAPP_MEDIA_TTL_MS, downloadWhatsAppMedia, uploadWhatsAppMedia } from './whatsapp-media.js';

/** The header Meta signs webhooks in. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** One configured WhatsApp business phone number. */
export class WhatsAppConnector implements Connector, TemplateManager {
  /** Always `whatsapp`. */
  readonly channel = 'whatsapp';
  /** The business phone number id. */
  readonly accountId: string;
  private readonly config: WhatsAppConfig;
  private readonly fetch: typeof globalThis.fetch | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;

  /**
   * @param config - a validated config (see `parseConfig`)
   * @param deps - fetch, clock and logger to use instead of the globals
   */
  constructor(config: WhatsAppConfig, deps: Partial<ConnectorDeps> = {}) {
    this.config = config;
    this.accountId = config.phoneNumberId;
    this.fetch = deps.fetch;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /**
   * Answers Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
   * @returns 200 with the challenge, 403 on a wrong token or mode, undefined when not a handshake
   */
  handshake(req: RawWebhook): { status: number; body: string } | undefined {
    if (req.method.toUpperCase() !== 'GET') return undefined;
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode === undefined && token === undefined && challenge === undefined) return undefined;
    if (mode !== 'subscribe' || token === undefined || challenge === undefined || !constantTimeEqual(token, this.config.verifyToken)) {
      return { status: 403, body: 'Forbidden' };
    }
    return { status: 200, body: challenge };
  }

  /**
   * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`. Meta's scheme has no
   * timestamp: replays are absorbed by the host's idempotent inbox (keyed on the wamid).
   * @throws WebhookVerificationError when missing, malformed or wrong
   */
  verify(req: RawWebhook): void {
    verifyHmacSha256({ secret: this.config.appSecret, body: req.body, signature: req.headers[SIGNATURE_HEADER], prefix: 'sha256=', header: 'X-Hub-Signature-256' });
  }

  /**
   * Parses a verified webhook into events.
   * @throws MalformedPayloadError when the body is not a WhatsApp Business Account webhook
   */
  parse(req: RawWebhook): InboundEvent[] {
    return parseWhatsAppWebhook(req.body);
  }

  /**
   * The Cloud API request(s) for `msg` (pure).
   * @throws ContentUnsupportedError or ContentInvalidError
   */
  render(msg: OutboundMessage): ProviderRequest {
    return renderWhatsAppMessage(msg, this.config);
  }

  /**
   * Sends `msg`, its split parts in order, from the first part an earlier attempt did not get
   * accepted (`context.acceptedParts`), reporting each accepted part to `context.onPartAccepted`.
   * The Cloud API takes no idempotency key, so a part is not resent only because the host recorded it.
   * If a later part fails, the error is thrown with the parts accepted so far in its details
   * (`sentPartIds`, the first part's wamid included).
   *
   * With `msg.file` (media content without a media id), the file is uploaded first
   * (`POST /{phone-number-id}/media`) and the message sent by the id Graph answered; the result's
   * `media` carries that id, valid 30 days, for the host to send the same bytes by id next time. When
   * the upload succeeded and a message part then failed, the thrown error's `details.uploadedMedia`
   * carries the same reference. A retry whose first part was already accepted uploads nothing (only
   * caption parts remain).
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the wamid of the first message, and of the further parts; the upload's id as `media`
   * @throws a classified {@link ConnectorError}
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    let uploaded: UploadedMedia | undefined;
    if (msg.file && isMediaContent(msg.content) && !msg.content.media.id && (context?.acceptedParts?.length ?? 0) === 0) {
      this.render(msg); // refuses content that cannot be sent before any bytes move
      let mediaId: string;
      try {
        mediaId = await uploadWhatsAppMedia(this.mediaDeps(), msg.file, msg.content.type);
      } catch (error) {
        throw this.classify(error);
      }
      uploaded = { ref: { id: mediaId }, expiresAt: new Date(this.clock.now() + WHATSAPP_MEDIA_TTL_MS.uploadedId) };
      msg = withUploadedMedia(msg, mediaId);
    }
    const first = this.render(msg);
    const requests = [first, ...(first.followUps ?? [])];
    const raws: unknown[] = [];
    const accepted: string[] = [...(context?.acceptedParts ?? [])];
    const ids = await sendInParts(requests, context, async (request) => {
      let answer: { body: unknown };
      try {
        answer = await executeProviderRequest({ method: request.method, url: request.url, headers: request.headers, body: request.body }, this.fetch ? { fetch: this.fetch } : {});
      } catch (error) {
        const classified = this.classify(error);
        if (accepted.length > 0) {
          this.logger.warn({ messageId: msg.id, sentPartIds: accepted, error: classified.code }, 'whatsapp: a later part of a split message failed');
          (classified as { details?: Record<string, unknown> }).details = { ...classified.details, sentPartIds: [...accepted] };
        }
        // the file is on the platform already: a host that keeps this sends it by id on the retry
        if (uploaded) (classified as { details?: Record<string, unknown> }).details = { ...classified.details, uploadedMedia: uploaded };
        throw classified;
      }
      const wamid = wamidOf(answer.body);
      accepted.push(wamid);
      raws.push(answer.body);
      return wamid;
    });
    const result: SendResult = { externalId: ids[0]!, acceptedAt: new Date(this.clock.now()), ...(raws.length > 0 ? { raw: raws.length === 1 ? raws[0] : raws } : {}) };
    if (ids.length > 1) result.partIds = ids.slice(1);
    if (uploaded) result.media = uploaded;
    return result;
  }

  /**
   * Fetches the bytes of media a customer sent (core's optional `downloadMedia`): `GET /{media-id}`
   * (with `phone_number_id`, so only this number's media) for a URL, then that URL with the access
   * token, streamed. The URL lives 5 minutes: one that answers 404 or 410 is requested afresh, once.
   * The file is refused (permanent error) when the announced `file_size` or `content-length`, or the
   * bytes read, pass `maxBytes`; the stream fails with a retryable error when the bytes do not match
   * the announced SHA-256 or size. Media ids from webhooks expire after 7 days (Graph then answers
   * #100, a permanent error).
   * @param media - the media as `parse` described it (its `id`)
   * @param options - the host's size limit and abort signal
   * @returns the streamed file, with the declared type and size and the document's file name
   * @throws a classified {@link ConnectorError}
   */
  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    try {
      return await downloadWhatsAppMedia(this.mediaDeps(), media, options);
    } catch (error) {
      throw this.classify(error);
    }
  }

  /**
   * Submits a message template for Meta's review (core's optional `TemplateManager`).
   * @returns Meta's template id and the registry state (`submitted` while PENDING)
   * @throws ConfigError without `businessAccountId`; a classified ConnectorError when Meta refuses
   */
  async submitTemplate(template: TemplateSubmission): Promise<{ externalId: string; status: TemplateStatus }> {
    const request = renderSubmitTemplate(this.config, template);
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(request, this.fetch ? { fetch: this.fetch } : {}));
    } catch (error) {
      throw this.classify(error);
    }
    if (!isObject(body) || typeof body.id !== 'string') throw new PermanentError('the Graph API accepted the template but answered without an id', { details: { body } });
    return { externalId: body.id, status: templateStatusOf(body.status) };
  }

  /**
   * Lists the account's templates with their review state, every page.
   * @throws ConfigError without `businessAccountId`; a classified ConnectorError
   */
  async listTemplates(): Promise<PlatformTemplateState[]> {
    const all: PlatformTemplateState[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      let body: unknown;
      try {
        ({ body } = await executeProviderRequest(renderListTemplates(this.config, after), this.fetch ? { fetch: this.fetch } : {}));
      } catch (error) {
        throw this.classify(error);
      }
      const read = readTemplatePage(body);
      all.push(...read.templates);
      if (!read.after) break;
      after = read.after;
    }
    return all;
  }

  /**
   * Points the WhatsApp Business Account's webhooks at the host (core's optional
   * `Connector.setWebhook`): `POST /<WABA id>/subscribed_apps` with `override_callback_uri` and the
   * configured `verify_token` (the token the handshake checks). The override carries `messages`
   * webhooks; template webhooks keep going to the app's own callback URL.
   * @param options - the host's public webhook URL for this number
   * @returns the URL and Meta's confirmation
   * @throws ConfigError without `businessAccountId`; a classified ConnectorError when Meta refuses
   */
  async setWebhook(options: WebhookRegistrationOptions): Promise<WebhookRegistration> {
    const request = renderSubscribeApp(this.config, options.url);
    let body: unknown;
    try {
      ({ body } = await executeProviderRequest(request, this.fetch ? { fetch: this.fetch } : {}));
    } catch (error) {
      throw this.classify(error);
    }
    if (!isObject(body) || body.success !== true) throw new PermanentError('the Graph API answered subscribed_apps without success: true', { details: { body } });
    return {
      url: options.url,
      summary: `subscribed_apps ok: WhatsApp Business Account ${this.config.businessAccountId!} delivers to this URL (callback override)`,
      manualSteps: ['In the Meta app dashboard (WhatsApp → Configuration → Webhook fields), subscribe the app to the `messages` field (and `message_template_status_update` for template reviews: template webhooks ignore the override and go to the app\'s own callback URL).'],
    };
  }

  /**
   * Proves the access token (core's optional `Connector.probe`): `GET /<phone number id>` (verified
   * name, display number, quality rating) and, with `businessAccountId`, `GET /<WABA id>/subscribed_apps`
   * (the callback override registered).
   * @param options - an abort signal bounding the calls
   * @returns what Meta says about the number
   * @throws a classified ConnectorError (a wrong token: Graph's OAuthException 190, permanent)
   */
  async probe(options: AccountProbeOptions = {}): Promise<AccountProbe> {
    const base = this.fetch ?? globalThis.fetch;
    const fetch: typeof globalThis.fetch = options.signal
      ? (input, init) => base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, options.signal!]) : options.signal! })
      : base;
    const answers: unknown[] = [];
    try {
      for (const request of renderWhatsAppProbe(this.config)) answers.push((await executeProviderRequest(request, { fetch })).body);
    } catch (error) {
      throw this.classify(error);
    }
    return readWhatsAppProbe(this.config, answers[0], answers[1]);
  }

  /** Maps a Graph error, a network error or anything else onto the core taxonomy. */
  classify(error: unknown): ConnectorError {
    return classifyGraphError(error, this.clock.now());
  }

  private mediaDeps(): { fetch: typeof globalThis.fetch; config: WhatsAppConfig } {
    return { fetch: this.fetch ?? globalThis.fetch, config: this.config };
  }
}

function wamidOf(body: unknown): string {
  const messages = isObject(body) ? body.messages : undefined;
  const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
  if (isObject(first) && typeof first.id === 'string') return first.id;
  // retrying could send the message twice, so an untrackable success is final
  throw new PermanentError('the Graph API accepted the request but answered without messages[0].id', { details: { body } });
}

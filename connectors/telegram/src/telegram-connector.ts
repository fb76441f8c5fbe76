/**
 * The Telegram Bot API connector.
 * @module
 */
import {
  PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RecipientBlockedError, RetryableError, WindowClosedError,
  checkMaxBytes, executeProviderRequest, isObject, meteredBody, sendInParts, silentLogger, systemClock, verifyStaticToken,
} from '@switchboard/core';
import type {
  AccountProbe, AccountProbeOptions, Clock, Connector, ConnectorDeps, ConnectorError, DownloadedMedia, InboundEvent, Logger, MediaDownloadOptions, MediaRef, MessageEvent, OutboundFile,
  OutboundMessage, ProviderRequest, RawWebhook, SendContext, SendResult, WebhookRegistration,
} from '@switchboard/core';
import { classifyTelegramError } from './classify-error.js';
import { botIdOf, type TelegramConfig } from './config.js';
import { parseUpdate } from './parse-update.js';
import {
  answerCallbackQueryCall, botApiRequest, isUploadPart, renderMessage, setWebhookCall,
  type AnswerCallbackQueryOptions, type SetWebhookOptions,
} from './render-message.js';
import { TELEGRAM_DOWNLOAD_MAX_BYTES, redact, sanitizedCause, sentFileId } from './telegram-media.js';

/** The header Telegram puts the webhook's `secret_token` in (lower-cased, as the host hands headers over). */
export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';

/** Options beyond the SPI's deps. */
export interface TelegramConnectorOptions {
  /**
   * How to wait before retrying a throttled follow-up part (default: a timer). Parts after the first
   * are already committed to the chat, so a 429 on one is waited out here rather than failing a
   * message whose beginning the customer has already seen.
   */
  sleep?: (ms: number) => Promise<void>;
  /** Longest total wait for throttled follow-up parts of one message (default 30 s); beyond it the send fails. */
  maxFollowUpWaitMs?: number;
  /** How long one file upload may take before it is abandoned as a retryable failure (default 120 s). */
  uploadTimeoutMs?: number;
}

/** One configured Telegram bot. */
export class TelegramConnector implements Connector {
  /** Always `telegram`. */
  readonly channel = 'telegram';
  /** The bot id: the digits before the colon of the token. */
  readonly accountId: string;
  private readonly config: TelegramConfig;
  private readonly fetch: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxFollowUpWaitMs: number;
  private readonly uploadTimeoutMs: number;

  /**
   * @param config - a config that passed `parseConfig`
   * @param deps - fetch, clock and logger to use instead of the globals
   * @param options - how follow-up parts wait out throttling
   */
  constructor(config: TelegramConfig, deps: Partial<ConnectorDeps> = {}, options: TelegramConnectorOptions = {}) {
    this.config = config;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxFollowUpWaitMs = options.maxFollowUpWaitMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
    this.accountId = botIdOf(config.botToken);
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Telegram has no webhook handshake: the webhook is registered with `setWebhook` instead. */
  handshake(): undefined {
    return undefined;
  }

  /**
   * Checks the `X-Telegram-Bot-Api-Secret-Token` header against the configured secret in constant time.
   * @param req - the webhook as received
   * @throws WebhookVerificationError when the header is missing or different
   */
  verify(req: RawWebhook): void {
    verifyStaticToken({ expected: this.config.secretToken, given: req.headers[SECRET_TOKEN_HEADER], header: SECRET_TOKEN_HEADER });
  }

  /**
   * Parses one `Update` into events.
   * @param req - a verified webhook
   * @returns the events; every one carries an `eventId` derived from `update_id`
   * @throws MalformedPayloadError when the body is not an update
   */
  parse(req: RawWebhook): InboundEvent[] {
    return parseUpdate(req.body, { accountId: this.accountId, now: this.clock.now() });
  }

  /**
   * Pure: the Bot API request(s) that would send `msg`.
   * @param msg - the outbound message
   * @returns the first request, further parts in `followUps`
   */
  render(msg: OutboundMessage): ProviderRequest {
    return renderMessage(this.config, msg);
  }

  /**
   * Sends `msg`: the first request, then each follow-up in order — from the first part an earlier
   * attempt did not get accepted (`context.acceptedParts`), reporting each accepted part to
   * `context.onPartAccepted`. The Bot API takes no idempotency key (`random_id` is not exposed to
   * bots), so a part is not resent only because the host recorded it. A follow-up answered 429 is
   * retried here while the waits stay within `maxFollowUpWaitMs`.
   *
   * With `msg.file`, the first request uploads the file as multipart/form-data (sendPhoto,
   * sendVideo, sendAudio or sendVoice, sendDocument, sendSticker by its kind and type) and the
   * result's `media` is the `file_id` Telegram gave it (a photo's largest size), which the same bot
   * may send again for as long as it likes; an attempt that skips the first part (already accepted)
   * uploads nothing and returns no `media`.
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the first message's id and the ids of further parts, and the uploaded file's reference
   * @throws a classified ConnectorError (content errors from `render` pass through unchanged); when
   *   a later part fails, its details say how far the send got
   */
  async send(msg: OutboundMessage, context?: SendContext): Promise<SendResult> {
    const request = this.render(msg);
    const requests = [request, ...(request.followUps ?? [])];
    let firstAnswer: unknown;
    let waited = 0;
    const accepted: string[] = [...(context?.acceptedParts ?? [])];
    const ids = await sendInParts(requests, context, async (part, index) => {
      if (index === 0) {
        firstAnswer = msg.file && part.headers['content-type'] === 'multipart/form-data' ? await this.upload(part, msg.file) : await this.call(part);
        const id = resultId(firstAnswer, msg);
        accepted.push(id);
        return id;
      }
      for (;;) {
        try {
          const id = resultId(await this.call(part), msg);
          accepted.push(id);
          return id;
        } catch (error) {
          const classified = error as ConnectorError;
          if (classified instanceof RateLimitedError && waited + classified.retryAfterMs <= this.maxFollowUpWaitMs) {
            waited += classified.retryAfterMs;
            await this.sleep(classified.retryAfterMs);
            continue;
          }
          // the first part is out and cannot be recalled: say how far the send got
          const progress = { externalId: accepted[0], sentPartIds: accepted.slice(1), sentParts: accepted.length, totalParts: requests.length };
          this.logger.warn({ messageId: msg.id, ...progress }, 'telegram follow-up part failed');
          throw withDetails(classified, progress);
        }
      }
    });
    const result: SendResult = {
      externalId: ids[0]!,
      acceptedAt: firstAnswer !== undefined ? acceptedAt(firstAnswer, this.clock) : new Date(this.clock.now()),
      ...(firstAnswer !== undefined ? { raw: firstAnswer } : {}),
    };
    if (ids.length > 1) result.partIds = ids.slice(1);
    const fileId = msg.file && firstAnswer !== undefined ? sentFileId(firstAnswer) : undefined;
    // the type travels with the id: a voice note's file_id must be sent again with sendVoice
    if (fileId !== undefined) result.media = { ref: { id: fileId, mimeType: msg.file!.contentType } };
    return result;
  }

  /**
   * Fetches a file a customer sent: `getFile` with the `file_id` (`media.id`), then the bytes from
   * `{apiBaseUrl}/file/bot<token>/<file_path>`, streamed. A file over 20 MB (the Bot API's limit
   * for bots) or over `maxBytes` is refused before anything is downloaded when its size is known,
   * and the stream fails once more than `maxBytes` arrived. A file path that answers 404 (links
   * live at least an hour) is asked for again with `getFile`, once. The token is in the file URL:
   * no error, detail or log line carries that URL.
   * @param media - the media reference `parse` produced (its `id` is the `file_id`)
   * @param options - the size limit and an abort signal
   * @returns the streamed bytes with the size, type and name Telegram declared
   * @throws PermanentError (too large, no file_id, link gone twice, refused by Telegram), RetryableError
   *   (network, 5xx, aborted) or RateLimitedError, as `classify` gives them
   */
  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    checkMaxBytes(options.maxBytes);
    const fileId = media.id;
    if (fileId === undefined || fileId === '') throw new PermanentError('a Telegram file is downloaded by its file_id (media.id), and this media has none');
    const tooLarge = (size: number): PermanentError | undefined => {
      if (size > TELEGRAM_DOWNLOAD_MAX_BYTES) return new PermanentError(`Telegram lets bots download files of up to 20 MB; this one is ${size} bytes`, { details: { size, limit: TELEGRAM_DOWNLOAD_MAX_BYTES } });
      if (size > options.maxBytes) return new PermanentError(`the file is ${size} bytes, more than the ${options.maxBytes} bytes allowed`, { details: { size, maxBytes: options.maxBytes } });
      return undefined;
    };
    const early = media.size !== undefined ? tooLarge(media.size) : undefined;
    if (early) throw early;
    for (let attempt = 1; ; attempt += 1) {
      const file = await this.call(botApiRequest(this.config, { method: 'getFile', params: { file_id: fileId } }), options.signal);
      const path = isObject(file) && typeof file.file_path === 'string' && file.file_path !== '' ? file.file_path : undefined;
      const size = isObject(file) && typeof file.file_size === 'number' ? file.file_size : undefined;
      const refused = size !== undefined ? tooLarge(size) : undefined;
      if (refused) throw refused;
      if (path === undefined) throw new PermanentError('getFile answered without a file_path: Telegram cannot serve this file to the bot');
      let response: Response;
      try {
        response = await this.fetch(`${this.config.apiBaseUrl}/file/bot${this.config.botToken}/${path.split('/').map(encodeURIComponent).join('/')}`, {
          method: 'GET', ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        throw new RetryableError(`the Telegram file download failed: ${redact((error as Error).message ?? 'no answer', this.config.botToken)}`, { details: { fileId } });
      }
      if (response.status === 404 && attempt === 1) {
        await response.body?.cancel().catch(() => undefined);
        this.logger.info({ fileId }, 'telegram file link expired; asking getFile for a new one');
        continue;
      }
      if (!response.ok) throw await this.downloadFailure(response, fileId);
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isFinite(length) && length > options.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new PermanentError(`the file is ${length} bytes, more than the ${options.maxBytes} bytes allowed`, { details: { size: length, maxBytes: options.maxBytes } });
      }
      const declaredSize = size ?? media.size;
      return {
        body: meteredBody(response.body, {
          maxBytes: options.maxBytes, what: `Telegram file ${fileId}`, sanitizeCause: (error) => sanitizedCause(error, this.config.botToken),
        }),
        ...(declaredSize !== undefined ? { declaredSize } : {}),
        ...(media.mimeType !== undefined ? { declaredType: media.mimeType } : {}),
        ...(media.filename !== undefined ? { filename: media.filename } : {}),
      };
    }
  }

  /** A failed file download, classified; its body (Telegram's JSON error) is read, bounded, and the URL left out. */
  private async downloadFailure(response: Response, fileId: string): Promise<ConnectorError> {
    const text = (await response.text().catch(() => '')).slice(0, 2048);
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* keep the text */ }
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => { headers[k] = v; });
    if (response.status === 404) {
      return new PermanentError('the Telegram file link answered 404 Not Found again after getFile gave a new one: the file is gone', {
        cause: new ProviderHttpError(404, body, headers), details: { fileId, status: 404 },
      });
    }
    return this.classify(new ProviderHttpError(response.status, body, headers));
  }

  /**
   * Sends an upload request as multipart/form-data: every parameter as a text field (objects as
   * JSON), the file as the part where the rendering put its {@link UploadPart}.
   */
  private async upload(request: ProviderRequest, file: OutboundFile): Promise<unknown> {
    const form = new FormData();
    for (const [key, value] of Object.entries(isObject(request.body) ? request.body : {})) {
      if (value === undefined || value === null) continue;
      if (isUploadPart(value)) {
        const blob = file.body.type === value.contentType ? file.body : new Blob([file.body], { type: value.contentType });
        form.append(key, blob, value.upload);
      } else {
        form.append(key, typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
      }
    }
    let response: Response;
    try {
      response = await this.fetch(request.url, { method: request.method, body: form, signal: AbortSignal.timeout(this.uploadTimeoutMs) });
    } catch (cause) {
      const message = redact((cause as Error).message ?? 'no answer', this.config.botToken);
      throw this.classify(new ProviderNetworkError(`upload to ${new URL(request.url).host} failed: ${message}`));
    }
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* keep the text */ }
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => { headers[k] = v; });
    return this.result({ status: response.status, body, headers });
  }

  /**
   * Maps anything a send threw onto the core taxonomy.
   * @param error - what was thrown
   * @returns the classified error with `error` as its cause
   */
  classify(error: unknown): ConnectorError {
    return classifyTelegramError(error, this.clock.now());
  }

  /**
   * The `setWebhook` request registering `options.url` with this bot's secret token (for the host CLI).
   * @param options - URL, update types, whether to drop pending updates
   * @returns the request
   */
  renderSetWebhook(options: SetWebhookOptions): ProviderRequest {
    return botApiRequest(this.config, setWebhookCall(this.config.secretToken, options));
  }

  /**
   * Registers the webhook (core's optional `Connector.setWebhook`), with this bot's secret token.
   * @param options - URL, update types, whether to drop pending updates
   * @returns the registered URL and the update types Telegram will deliver
   * @throws a classified ConnectorError
   */
  async setWebhook(options: SetWebhookOptions): Promise<WebhookRegistration> {
    const request = this.renderSetWebhook(options);
    await this.call(request);
    const updates = (request.body as { allowed_updates: string[] }).allowed_updates;
    return { url: options.url, summary: `setWebhook ok (secret token set; updates: ${updates.join(', ')})` };
  }

  /**
   * The read-only requests {@link probe} makes: `getMe` (who the token belongs to) and
   * `getWebhookInfo` (where Telegram delivers and how that goes).
   * @returns the two requests, in that order
   */
  renderProbe(): [ProviderRequest, ProviderRequest] {
    return [botApiRequest(this.config, { method: 'getMe', params: {} }), botApiRequest(this.config, { method: 'getWebhookInfo', params: {} })];
  }

  /**
   * Proves the bot token (core's optional `Connector.probe`): `getMe` names the bot, `getWebhookInfo`
   * gives the registered URL, the updates waiting and Telegram's last delivery error.
   * @param options - an abort signal bounding both calls
   * @returns the bot's `@username` and id, the webhook URL (`''`: none), pending updates, warnings
   * @throws a classified ConnectorError (a wrong token: Telegram's 401 Unauthorized, permanent)
   */
  async probe(options: AccountProbeOptions = {}): Promise<AccountProbe> {
    const [getMe, getWebhookInfo] = this.renderProbe();
    const me = await this.call(getMe, options.signal);
    const info = await this.call(getWebhookInfo, options.signal);
    const bot = isObject(me) ? me : {};
    const hook = isObject(info) ? info : {};
    const name = typeof bot.username === 'string' ? `@${bot.username}` : typeof bot.first_name === 'string' ? bot.first_name : this.accountId;
    const warnings: string[] = [];
    if (typeof hook.last_error_message === 'string' && hook.last_error_message !== '') {
      const at = typeof hook.last_error_date === 'number' ? ` (at ${new Date(hook.last_error_date * 1000).toISOString()})` : '';
      warnings.push(`last delivery error: ${hook.last_error_message}${at}`);
    }
    return {
      name,
      id: typeof bot.id === 'number' || typeof bot.id === 'string' ? String(bot.id) : this.accountId,
      ...(typeof hook.url === 'string' ? { webhookUrl: hook.url } : {}),
      ...(typeof hook.pending_update_count === 'number' ? { details: { pendingUpdates: hook.pending_update_count } } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  /**
   * The `answerCallbackQuery` request for a button tap (`metadata.callbackQueryId` of the reply event).
   * @param callbackQueryId - the callback query's id
   * @param options - optional toast text and alert
   * @returns the request
   */
  renderAnswerCallbackQuery(callbackQueryId: string, options: AnswerCallbackQueryOptions = {}): ProviderRequest {
    return botApiRequest(this.config, answerCallbackQueryCall(callbackQueryId, options));
  }

  /**
   * Answers a callback query so the customer's client stops showing progress. Telegram expects an
   * answer for every callback query, even an empty one.
   * @param callbackQueryId - the callback query's id
   * @param options - optional toast text and alert
   * @throws a classified ConnectorError
   */
  async answerCallbackQuery(callbackQueryId: string, options: AnswerCallbackQueryOptions = {}): Promise<void> {
    await this.call(this.renderAnswerCallbackQuery(callbackQueryId, options));
  }

  /**
   * The SPI's interaction acknowledgement: answers the callback query a button tap carries
   * (`metadata.callbackQueryId`, set by `parse`) with an empty answer, which stops the spinner on
   * the customer's button. Any other message needs no answer and returns at once, with no request.
   * @param event - a message event this connector parsed
   * @throws a classified ConnectorError when Telegram refuses the answer (an expired query id…)
   */
  async acknowledgeInteraction(event: MessageEvent): Promise<void> {
    const id = event.metadata?.callbackQueryId;
    if (typeof id !== 'string' || id === '') return;
    await this.answerCallbackQuery(id);
  }

  /** Executes one Bot API request and returns its `result`; failures are classified. */
  private async call(request: ProviderRequest, signal?: AbortSignal): Promise<unknown> {
    let answer: { status: number; body: unknown; headers: Record<string, string> };
    const fetch: typeof globalThis.fetch = signal
      ? (input, init) => this.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
      : this.fetch;
    try {
      answer = await executeProviderRequest(request, { fetch });
    } catch (error) {
      if (error instanceof ProviderHttpError) throw this.classify(error);
      if (signal?.aborted) throw new RetryableError('the request was aborted', { cause: signal.reason });
      throw this.classify(error);
    }
    return this.result(answer);
  }

  /** A Bot API answer's `result`, or its failure classified. */
  private result(answer: { status: number; body: unknown; headers: Record<string, string> }): unknown {
    // the Bot API reports failures in the body; a 2xx that is not ok:true is still a failure
    if (!isObject(answer.body) || answer.body.ok !== true) {
      // an answer without Telegram's error body (an upload refused by the front proxy: 413) keeps its own status
      const code = isObject(answer.body) && typeof answer.body.error_code === 'number' ? answer.body.error_code : answer.status >= 400 ? answer.status : 500;
      throw this.classify(new ProviderHttpError(code, answer.body, answer.headers));
    }
    return answer.body.result;
  }
}

/** The same classified error with more details (errors keep their details read-only, so a copy). */
function withDetails(error: ConnectorError, extra: Record<string, unknown>): ConnectorError {
  const options = { cause: error.cause ?? error, details: { ...error.details, ...extra } };
  switch (error.code) {
    case 'RATE_LIMITED': return new RateLimitedError(error.message, (error as RateLimitedError).retryAfterMs, options);
    case 'RECIPIENT_BLOCKED': return new RecipientBlockedError(error.message, options);
    case 'WINDOW_CLOSED': return new WindowClosedError(error.message, options);
    case 'PERMANENT_FAILURE': return new PermanentError(error.message, options);
    default: {
      const retryAfterMs = (error as RetryableError).retryAfterMs;
      return new RetryableError(error.message, { ...options, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    }
  }
}

function resultId(result: unknown, msg: OutboundMessage): string {
  if (isObject(result) && typeof result.message_id === 'number') return String(result.message_id);
  // setMessageReaction answers `true`: the reaction has no message id of its own
  if (msg.content.type === 'reaction') return `reaction:${msg.to.userId}:${msg.content.target}`;
  return `${msg.to.userId}:${msg.id}`;
}

function acceptedAt(result: unknown, clock: Clock): Date {
  if (isObject(result) && typeof result.date === 'number') return new Date(result.date * 1000);
  return new Date(clock.now());
}

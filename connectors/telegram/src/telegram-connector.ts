/**
 * The Telegram Bot API connector.
 * @module
 */
import {
  PermanentError, ProviderHttpError, RateLimitedError, RecipientBlockedError, RetryableError, WindowClosedError,
  executeProviderRequest, isObject, sendInParts, silentLogger, systemClock, verifyStaticToken,
} from '@switchboard/core';
import type {
  Clock, Connector, ConnectorDeps, ConnectorError, InboundEvent, Logger, OutboundMessage, ProviderRequest, RawWebhook, SendContext, SendResult,
} from '@switchboard/core';
import { classifyTelegramError } from './classify-error.js';
import { botIdOf, type TelegramConfig } from './config.js';
import { parseUpdate } from './parse-update.js';
import {
  answerCallbackQueryCall, botApiRequest, renderMessage, setWebhookCall,
  type AnswerCallbackQueryOptions, type SetWebhookOptions,
} from './render-message.js';

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

  /**
   * @param config - a config that passed `parseConfig`
   * @param deps - fetch, clock and logger to use instead of the globals
   * @param options - how follow-up parts wait out throttling
   */
  constructor(config: TelegramConfig, deps: Partial<ConnectorDeps> = {}, options: TelegramConnectorOptions = {}) {
    this.config = config;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxFollowUpWaitMs = options.maxFollowUpWaitMs ?? 30_000;
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
   * @param msg - the outbound message
   * @param context - parts already accepted and the progress callback (optional)
   * @returns the first message's id and the ids of further parts
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
        firstAnswer = await this.call(part);
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
    return result;
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
   * Registers the webhook.
   * @param options - URL, update types, whether to drop pending updates
   * @throws a classified ConnectorError
   */
  async setWebhook(options: SetWebhookOptions): Promise<void> {
    await this.call(this.renderSetWebhook(options));
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

  /** Executes one Bot API request and returns its `result`; failures are classified. */
  private async call(request: ProviderRequest): Promise<unknown> {
    let answer: { status: number; body: unknown; headers: Record<string, string> };
    try {
      answer = await executeProviderRequest(request, { fetch: this.fetch });
    } catch (error) {
      throw this.classify(error);
    }
    // the Bot API reports failures in the body; a 2xx that is not ok:true is still a failure
    if (!isObject(answer.body) || answer.body.ok !== true) {
      const code = isObject(answer.body) && typeof answer.body.error_code === 'number' ? answer.body.error_code : 500;
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

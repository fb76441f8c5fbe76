/**
 * Streaming a media download from a platform to the host, the same way in every connector: the
 * answer's body is passed on chunk by chunk (never held whole), counted against the host's limit,
 * and — where the platform announced them — checked against the announced size and SHA-256 once it
 * ends. One implementation, so that every connector refuses, classifies and reports a download the
 * same way (`details.reason`: `too-large`, `interrupted`, `size-mismatch`, `checksum-mismatch`,
 * `bad-limit`).
 * @module
 */
import { createHash } from 'node:crypto';
import { PermanentError, RetryableError, isSwitchboardError } from '../errors.js';

/** What {@link meteredBody} checks. */
export interface MeteredBodyOptions {
  /** The most bytes the host accepts: one more and the stream fails with a permanent error. */
  maxBytes: number;
  /** Names the file in error messages (`WhatsApp media 1234`); never a URL that holds a secret. */
  what: string;
  /** The file's SHA-256 as the platform announced it (32 bytes; see {@link parseSha256}); checked at the end. */
  sha256?: Buffer;
  /** The file's size as the platform announced it; checked at the end. */
  declaredSize?: number;
  /**
   * Turns the error of a connection that broke off into the `cause` kept on the retryable error (and
   * the text its message quotes). For a connector whose download URL holds a secret (Telegram's bot
   * token): the platform's error chain may quote that URL. Without it the error is kept as it is.
   */
  sanitizeCause?: (error: unknown) => unknown;
}

/**
 * Checks the `maxBytes` a host passed to a download.
 * @param maxBytes - the host's limit
 * @throws PermanentError (`details.reason: 'bad-limit'`) when it is not a positive safe integer
 * @example
 * ```ts
 * checkMaxBytes(options.maxBytes); // before any request is made
 * ```
 */
export function checkMaxBytes(maxBytes: unknown): asserts maxBytes is number {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new PermanentError(`maxBytes must be a positive integer, got ${String(maxBytes)}`, { details: { reason: 'bad-limit' } });
  }
}

/**
 * The error for a file over the host's limit, before it is read (a declared size or `content-length`)
 * or while it is read.
 * @param what - names the file
 * @param maxBytes - the limit
 * @param size - the size announced or read so far, when known
 * @returns a permanent error (the same file will not get smaller), `details: { reason: 'too-large', maxBytes, size? }`
 * @example
 * ```ts
 * if (length > maxBytes) throw tooLarge('the Viber media file', maxBytes, length);
 * ```
 */
export function tooLarge(what: string, maxBytes: number, size?: number): PermanentError {
  const seen = size === undefined ? '' : ` (${size} bytes${size > maxBytes ? '' : ' so far'})`;
  return new PermanentError(`${what} is larger than the ${maxBytes} bytes allowed${seen}`, {
    details: { reason: 'too-large', maxBytes, ...(size !== undefined ? { size } : {}) },
  });
}

/**
 * Reads a SHA-256 digest as platforms write it: 64 hex digits, or Base64 (standard or URL-safe) of
 * the 32 bytes. Meta's webhooks carry Base64 and its media reference samples show hex; both are read.
 * Never throws.
 * @param value - the announced digest
 * @returns the 32 bytes, or undefined when the value is neither
 */
export function parseSha256(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

/**
 * Passes a download's body on as it arrives, counting the bytes and (when a digest was announced)
 * hashing them.
 *
 * The returned stream fails (throws while iterated) with:
 * - a permanent error (`too-large`, see {@link tooLarge}) as soon as more than `maxBytes` arrived —
 *   the chunk that passes the limit is not handed on, and the platform's body is cancelled;
 * - a retryable error when the connection broke off (`interrupted`, with the bytes `received` and the
 *   cause, passed through `sanitizeCause`), when the bytes are fewer or more than `declaredSize`
 *   (`size-mismatch`), or when their SHA-256 is not `sha256` (`checksum-mismatch`): a damaged
 *   transfer, fetching again may work.
 *
 * A consumer that stops early cancels the platform's body too. `maxBytes` is not checked here (see
 * {@link checkMaxBytes}).
 * @param body - the answer's body: a web `ReadableStream` or any async iterable of bytes; `null`
 *   (a fetch answer without a body) is an empty file
 * @param options - the limit, what was announced, and how to sanitise a cause
 * @returns the same bytes, checked
 * @example
 * ```ts
 * const response = await fetch(url);
 * return { body: meteredBody(response.body, { maxBytes, what: `Telegram file ${fileId}` }) };
 * ```
 */
export async function* meteredBody(body: AsyncIterable<Uint8Array> | null | undefined, options: MeteredBodyOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const { maxBytes, sha256, declaredSize, what, sanitizeCause } = options;
  const hash = sha256 ? createHash('sha256') : undefined;
  let total = 0;
  try {
    // leaving this loop by throwing (or by the consumer's return) cancels the platform's body
    for await (const chunk of body ?? []) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(what, maxBytes, total);
      hash?.update(chunk);
      yield chunk;
    }
  } catch (error) {
    if (isSwitchboardError(error)) throw error;
    const cause = sanitizeCause ? sanitizeCause(error) : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new RetryableError(`${what}: the download broke off after ${total} bytes (${reason})`, { cause, details: { reason: 'interrupted', received: total } });
  }
  if (declaredSize !== undefined && total !== declaredSize) {
    throw new RetryableError(`${what}: received ${total} bytes, the platform announced ${declaredSize}`, { details: { reason: 'size-mismatch', received: total, declaredSize } });
  }
  if (hash && sha256 && !hash.digest().equals(sha256)) {
    throw new RetryableError(`${what}: the bytes received do not match the SHA-256 the platform announced`, { details: { reason: 'checksum-mismatch', received: total } });
  }
}

/**
 * Reads a whole download into memory, for small payloads only (a body already bounded by
 * {@link meteredBody}).
 * @param body - the bytes
 * @returns them, concatenated
 */
export async function collectBody(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

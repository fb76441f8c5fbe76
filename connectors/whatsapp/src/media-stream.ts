/**
 * What the two Meta connectors (WhatsApp, Messenger) share when they stream a media download to the
 * host: the answer's body is passed on chunk by chunk (never held whole), counted against the
 * host's limit, and — where the platform announced them — checked against the announced size and
 * SHA-256 once it ends. Both connectors keep an identical copy of this file (a connector imports only
 * core); each connector's `media-stream.test.ts` checks that the copies are the same.
 * @module
 */
import { createHash } from 'node:crypto';
import { PermanentError, RetryableError, isSwitchboardError } from '@switchboard/core';

/** What {@link meteredBody} checks. */
export interface MeteredBodyOptions {
  /** The most bytes the host accepts: one more and the stream fails with a permanent error. */
  maxBytes: number;
  /** The file's SHA-256 as the platform announced it (32 bytes; see {@link parseSha256}); checked at the end. */
  sha256?: Buffer;
  /** The file's size as the platform announced it; checked at the end. */
  declaredSize?: number;
  /** Names the file in error messages (`WhatsApp media 1234`). */
  what: string;
}

/**
 * Checks the `maxBytes` a host passed to a download.
 * @param maxBytes - the host's limit
 * @throws PermanentError when it is not a positive safe integer
 */
export function checkMaxBytes(maxBytes: unknown): asserts maxBytes is number {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new PermanentError(`maxBytes must be a positive integer, got ${String(maxBytes)}`, { details: { reason: 'bad-limit' } });
  }
}

/**
 * The error for a file over the host's limit, before or while it is read.
 * @param what - names the file
 * @param maxBytes - the limit
 * @param size - the size announced or read so far, when known
 * @returns a permanent error (the same file will not get smaller)
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
 * Passes a download's body on as it arrives, counting the bytes and hashing them.
 *
 * The returned stream fails (throws while iterated) with:
 * - a permanent error as soon as more than `maxBytes` arrived (the platform's body is cancelled);
 * - a retryable error when the connection broke off, when the bytes are fewer or more than
 *   `declaredSize`, or when their SHA-256 is not `sha256` (a damaged transfer: fetching again may work).
 * @param body - the answer's body (a web `ReadableStream` or any async iterable of bytes)
 * @param options - the limit and what was announced
 * @returns the same bytes, checked
 */
export async function* meteredBody(body: AsyncIterable<Uint8Array>, options: MeteredBodyOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const { maxBytes, sha256, declaredSize, what } = options;
  const hash = sha256 ? createHash('sha256') : undefined;
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      // leaving the loop by throwing cancels the platform's body: nothing more is read
      if (total > maxBytes) throw tooLarge(what, maxBytes, total);
      hash?.update(chunk);
      yield chunk;
    }
  } catch (error) {
    if (isSwitchboardError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RetryableError(`${what}: the download broke off after ${total} bytes (${reason})`, { cause: error, details: { reason: 'interrupted', received: total } });
  }
  if (declaredSize !== undefined && total !== declaredSize) {
    throw new RetryableError(`${what}: received ${total} bytes, the platform announced ${declaredSize}`, { details: { reason: 'size-mismatch', received: total, declaredSize } });
  }
  if (hash && sha256 && !hash.digest().equals(sha256)) {
    throw new RetryableError(`${what}: the bytes received do not match the SHA-256 the platform announced`, { details: { reason: 'checksum-mismatch', received: total } });
  }
}

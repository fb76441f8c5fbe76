/**
 * Reading a media download within a byte limit (a connector imports only core, so this small
 * reader is the Viber connector's own).
 * @module
 */
import { PermanentError, RetryableError } from '@switchboard/core';

/**
 * Reads a download's body chunk by chunk, counting bytes: it fails with a permanent error as soon as
 * more than `maxBytes` arrived (the chunk that passes the limit is not handed on), and with a
 * retryable one when the connection breaks. Leaving the loop early cancels the download.
 * @param body - the response body
 * @param maxBytes - the most bytes accepted
 * @param describe - what is downloaded, for error messages
 * @returns the bytes, as they arrive
 */
export async function* limitedBody(body: ReadableStream<Uint8Array> | null, maxBytes: number, describe: string): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  let received = 0;
  let finished = false;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new RetryableError(`${describe}: the download broke off after ${received} bytes`, { cause: error, details: { receivedBytes: received } });
      }
      if (chunk.done) { finished = true; return; }
      received += chunk.value.byteLength;
      if (received > maxBytes) {
        throw new PermanentError(`${describe} is larger than the ${maxBytes} bytes allowed`, { details: { maxBytes, receivedBytes: received } });
      }
      yield chunk.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Checks a `maxBytes` the host passed.
 * @param maxBytes - the value
 * @throws PermanentError unless it is a whole number of bytes, 0 or more
 */
export function checkMaxBytes(maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new PermanentError(`maxBytes must be a whole number of bytes, got ${String(maxBytes)}`);
}

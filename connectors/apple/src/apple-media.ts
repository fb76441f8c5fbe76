/**
 * Streaming encryption and decryption of Apple attachments: bytes are deciphered as they arrive
 * from MMCS and enciphered as they are read from the host's file, so no whole file is held in memory.
 * @module
 */
import { PermanentError, meteredBody } from '@switchboard/core';
import { attachmentCipher, attachmentDecipher } from './apple-crypto.js';

/**
 * How long the host may send an uploaded attachment again by reference. Apple documents no
 * retention for MMCS uploads; the only figure it publishes for its messaging servers is that a
 * message not yet delivered is kept "for up to 30 days" (Apple Platform Security, "Apple Messages
 * for Business security"), so a reference is not reused past that.
 */
export const APPLE_UPLOAD_REUSE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The error for a file over the host's limit: permanent (the same file stays too large).
 * @param size - the size known so far (declared, announced or counted)
 * @param maxBytes - the limit
 * @param what - where the size came from
 * @returns the error
 */
export function mediaTooLarge(size: number, maxBytes: number, what: string): PermanentError {
  return new PermanentError(`Apple attachment ${what} ${size} bytes; the limit is ${maxBytes}`, { details: { reason: 'too-large', size, maxBytes } });
}

/**
 * Deciphers an attachment as it streams in, counting the bytes: fails with a permanent error as
 * soon as more than `maxBytes` arrived (AES-256-CTR keeps lengths, so the count of encrypted bytes
 * is the size of the plain file); the counting is core's `meteredBody`, as in every connector.
 * Pull-based: a chunk is read from the source only when the consumer asks for the next one, and a
 * consumer that stops early cancels the source.
 *
 * A wrong key cannot be noticed here: CTR mode has no authentication tag, and Apple's signature is
 * the checksum of the encrypted file, which says nothing about the key. The result is then bytes of
 * the right length that are not the file (the host's check of the real type refuses them).
 * @param source - the encrypted bytes (a fetch body)
 * @param keyHex - the descriptor's `key` (`00` + hex)
 * @param maxBytes - the most bytes accepted
 * @yields the plain bytes, chunk by chunk
 * @throws PermanentError past `maxBytes`; RetryableError when the source fails (connection lost)
 */
export async function* decryptAttachmentStream(source: AsyncIterable<Uint8Array>, keyHex: string, maxBytes: number): AsyncGenerator<Buffer, void, undefined> {
  const decipher = attachmentDecipher(keyHex);
  for await (const chunk of meteredBody(source, { maxBytes, what: 'Apple attachment' })) {
    const plain = decipher.update(chunk);
    if (plain.length > 0) yield plain;
  }
  const tail = decipher.final();
  if (tail.length > 0) yield tail;
}

/**
 * Enciphers a file as it is read, for an upload whose length must be known up front (Apple's
 * `preUpload` takes the encrypted size, which CTR keeps equal to the plain size). The stream fails
 * when the file turns out longer or shorter than `size`, so a body never disagrees with its
 * announced length.
 * @param file - the plain file: a Blob, or a stream of its bytes (read once)
 * @param key - the single-use 32-byte key
 * @param size - the length announced to Apple
 * @returns the encrypted bytes, read on demand
 */
export function encryptAttachmentStream(file: Blob | ReadableStream<Uint8Array>, key: Buffer, size: number): ReadableStream<Uint8Array> {
  const cipher = attachmentCipher(key);
  const reader = (file instanceof Blob ? file.stream() : file).getReader();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        const tail = cipher.final();
        if (tail.length > 0) controller.enqueue(tail);
        if (total !== size) controller.error(new PermanentError(`the file is ${total} bytes, not the ${size} announced`));
        else controller.close();
        return;
      }
      total += value.byteLength;
      if (total > size) {
        controller.error(new PermanentError(`the file is longer than the ${size} bytes announced`));
        await reader.cancel();
        return;
      }
      const encrypted = cipher.update(value);
      if (encrypted.length > 0) controller.enqueue(encrypted);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

/**
 * Apple's attachment encryption (AES-256-CTR, all-zero 16-byte IV, key as hex prefixed with
 * "00") and deterministic message UUIDs.
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, type Cipher, type Decipher } from 'node:crypto';
import { ContentInvalidError } from '@switchboard/core';

const ZERO_IV = Buffer.alloc(16);

/** The only cipher Apple documents for attachments ("AES/CTR/NoPadding", all-zero 16-byte IV). */
export const APPLE_ATTACHMENT_ALGORITHM = 'aes-256-ctr';

/**
 * Reads an attachment key as Apple's descriptors carry it: 32 bytes of hex prefixed with `00`
 * (Apple: "remove the 00 prefix" before decrypting); the bare 64-digit form is accepted too.
 * @param keyHex - the descriptor's `key`
 * @returns the 32-byte AES key
 * @throws ContentInvalidError when it is not 32 bytes of hex (with or without the `00` prefix)
 */
export function parseAttachmentKey(keyHex: string): Buffer {
  const hex = typeof keyHex === 'string' ? keyHex.trim() : '';
  const body = hex.length === 66 && hex.slice(0, 2) === '00' ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{64}$/.test(body)) throw new ContentInvalidError('attachment key must be 32 bytes of hex, optionally prefixed with 00');
  return Buffer.from(body, 'hex');
}

/**
 * A decipher for one attachment: AES-256-CTR, all-zero IV. CTR keeps lengths (the plain file is as
 * long as the encrypted one) and decrypts chunk by chunk as the bytes arrive.
 * @param keyHex - the descriptor's `key` (`00` + hex)
 * @returns a fresh decipher (use `update` per chunk, then `final`)
 * @throws ContentInvalidError when the key is malformed
 */
export function attachmentDecipher(keyHex: string): Decipher {
  return createDecipheriv(APPLE_ATTACHMENT_ALGORITHM, parseAttachmentKey(keyHex), ZERO_IV);
}

/**
 * A cipher for one attachment before upload: AES-256-CTR, all-zero IV, the given single-use key.
 * @param key - 32 random bytes (Apple: from a cryptographically secure generator, one per attachment)
 * @returns a fresh cipher
 * @throws ContentInvalidError when the key is not 32 bytes
 */
export function attachmentCipher(key: Buffer): Cipher {
  if (key.length !== 32) throw new ContentInvalidError('attachment key must be 32 bytes');
  return createCipheriv(APPLE_ATTACHMENT_ALGORITHM, key, ZERO_IV);
}

/**
 * The key as an outbound descriptor carries it.
 * @param key - 32 bytes
 * @returns `00` followed by the key in lower-case hex
 */
export function attachmentKeyHex(key: Buffer): string {
  return `00${key.toString('hex')}`;
}

/**
 * Decrypts a whole attachment or interactive-data reference held in memory (small payloads only;
 * files go through the streaming download).
 * @param bytes - the encrypted bytes
 * @param keyHex - the descriptor's `key`: hex, prefixed with `00`
 * @returns the plain bytes
 * @throws ContentInvalidError when the key is malformed
 */
export function decryptAttachment(bytes: Buffer, keyHex: string): Buffer {
  const decipher = attachmentDecipher(keyHex);
  return Buffer.concat([decipher.update(bytes), decipher.final()]);
}

/**
 * Encrypts an attachment held in memory as Apple requires before upload, with a fresh single-use key.
 * @param bytes - the plain bytes
 * @param key - a 32-byte key (a random one by default; injectable for tests)
 * @returns the encrypted bytes and the key as Apple's descriptor carries it (`00` + hex)
 * @throws ContentInvalidError when the key is not 32 bytes
 */
export function encryptAttachment(bytes: Buffer, key: Buffer = randomBytes(32)): { data: Buffer; keyHex: string } {
  const cipher = attachmentCipher(key);
  return { data: Buffer.concat([cipher.update(bytes), cipher.final()]), keyHex: attachmentKeyHex(key) };
}

/**
 * An attachment's checksum signature as `preDownload` takes it: Base64. Attachments carry it Base64
 * (`signature-base64`) or hex (`signature`); hex is converted.
 * @param signature - the signature as given
 * @param encoding - how it is encoded (guessed from the characters when omitted)
 * @returns the Base64 form
 */
export function signatureBase64(signature: string, encoding?: 'base64' | 'hex'): string {
  const hex = encoding === 'hex' || (encoding === undefined && /^(?:[0-9a-f]{2})+$/i.test(signature));
  return hex ? Buffer.from(signature, 'hex').toString('base64') : signature;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @param value - anything
 * @returns whether it is a UUID string
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The UUID Apple's `id` header needs, derived from the host's message id so that rendering
 * stays pure and a retried send carries the same id.
 * @param messageId - the host's message id
 * @param part - 0 for the first request, 1… for split parts
 * @returns the id itself when it is a UUID (part 0), otherwise a name-based (v5-style) UUID
 */
export function messageUuid(messageId: string, part = 0): string {
  if (part === 0 && isUuid(messageId)) return messageId.toLowerCase();
  const h = createHash('sha1').update(`switchboard.apple:${messageId}#${part}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

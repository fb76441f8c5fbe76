/**
 * Apple's attachment encryption (AES-256-CTR, all-zero 16-byte IV, key as hex prefixed with
 * "00") and deterministic message UUIDs.
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ContentInvalidError } from '@switchboard/core';

const ZERO_IV = Buffer.alloc(16);

function keyFromHex(keyHex: string): Buffer {
  const hex = keyHex.trim();
  // Apple prefixes the 32-byte key with one 00 byte; accept the bare key too
  const body = hex.length === 66 && hex.slice(0, 2) === '00' ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{64}$/.test(body)) throw new ContentInvalidError('attachment key must be 32 bytes of hex, optionally prefixed with 00');
  return Buffer.from(body, 'hex');
}

/**
 * Decrypts an attachment or an interactive-data reference downloaded from Apple.
 * @param bytes - the encrypted bytes
 * @param keyHex - the descriptor's `key`: hex, prefixed with `00`
 * @returns the plain bytes
 * @throws ContentInvalidError when the key is malformed
 */
export function decryptAttachment(bytes: Buffer, keyHex: string): Buffer {
  const decipher = createDecipheriv('aes-256-ctr', keyFromHex(keyHex), ZERO_IV);
  return Buffer.concat([decipher.update(bytes), decipher.final()]);
}

/**
 * Encrypts an attachment as Apple requires before upload, with a fresh single-use key.
 * @param bytes - the plain bytes
 * @param key - a 32-byte key (a random one by default; injectable for tests)
 * @returns the encrypted bytes and the key as Apple's descriptor carries it (`00` + hex)
 */
export function encryptAttachment(bytes: Buffer, key: Buffer = randomBytes(32)): { data: Buffer; keyHex: string } {
  if (key.length !== 32) throw new ContentInvalidError('attachment key must be 32 bytes');
  const cipher = createCipheriv('aes-256-ctr', key, ZERO_IV);
  return { data: Buffer.concat([cipher.update(bytes), cipher.final()]), keyHex: `00${key.toString('hex')}` };
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

/**
 * Time-ordered ids (UUID version 7, RFC 9562) for outbox entries: within a process each id sorts
 * after the previous one, even within the same millisecond (a 12-bit counter takes the place of the
 * first random bits), so "created before" between two entries to the same customer is the order the
 * host accepted them in.
 * @module
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7 whose string sorts after every id this process made before.
 * @param nowMs - the time to stamp (the host clock's)
 * @returns a lowercase UUID string
 */
export function orderedId(nowMs: number): string {
  let ms = Math.max(Math.floor(nowMs), lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) { ms += 1; counter = 0; }
  } else counter = 0;
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/core';
import { attachmentKeyHex, decryptAttachment, encryptAttachment, parseAttachmentKey, signatureBase64 } from './apple-crypto.js';
import { decryptAttachmentStream, encryptAttachmentStream } from './apple-media.js';

/** Splits bytes at the given cut points: how the network might hand them over. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) { parts.push(bytes.subarray(from, p)); from = p; }
  parts.push(bytes.subarray(from));
  return parts;
}
async function* chunks(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}
async function drain(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of source) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => Buffer.from(k));
const file = fc.uint8Array({ maxLength: 5000 }).map((b) => Buffer.from(b));
const cuts = fc.array(fc.nat({ max: 6000 }), { maxLength: 12 });

describe('attachment cipher properties (AES-256-CTR, zero IV, 00-prefixed hex key)', () => {
  it('decrypting as the bytes arrive, however they are split, gives back the original file', async () => {
    await fc.assert(fc.asyncProperty(file, key, cuts, async (plain, k, at) => {
      const { data, keyHex } = encryptAttachment(plain, k);
      expect(data).toHaveLength(plain.length);
      const streamed = await drain(decryptAttachmentStream(chunks(split(data, at)), keyHex, plain.length));
      expect(streamed.equals(plain)).toBe(true);
      expect(decryptAttachment(data, keyHex).equals(plain)).toBe(true);
    }), { numRuns: 150 });
  });

  it('encrypting while reading a Blob gives the same bytes as encrypting it whole', async () => {
    await fc.assert(fc.asyncProperty(file, key, async (plain, k) => {
      const streamed = await drain(encryptAttachmentStream(new Blob([plain]), k, plain.length));
      expect(streamed.equals(encryptAttachment(plain, k).data)).toBe(true);
    }), { numRuns: 100 });
  });

  it('the stream refuses a file that is not the announced length', async () => {
    await fc.assert(fc.asyncProperty(file, key, fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0), async (plain, k, delta) => {
      const announced = plain.length + delta;
      fc.pre(announced >= 0);
      await expect(drain(encryptAttachmentStream(new Blob([plain]), k, announced))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
    }), { numRuns: 60 });
  });

  it('decryption fails with a permanent error exactly when more than maxBytes arrive', async () => {
    await fc.assert(fc.asyncProperty(file, key, cuts, fc.nat({ max: 6000 }), async (plain, k, at, maxBytes) => {
      const { data, keyHex } = encryptAttachment(plain, k);
      const run = drain(decryptAttachmentStream(chunks(split(data, at)), keyHex, maxBytes));
      if (plain.length > maxBytes) await expect(run).rejects.toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large' } });
      else expect((await run).equals(plain)).toBe(true);
    }), { numRuns: 150 });
  });

  it('a key survives the descriptor form (00 + hex) and the bare form, in either case', () => {
    fc.assert(fc.property(key, (k) => {
      const hex = attachmentKeyHex(k);
      expect(hex).toMatch(/^00[0-9a-f]{64}$/);
      expect(parseAttachmentKey(hex).equals(k)).toBe(true);
      expect(parseAttachmentKey(hex.slice(2).toUpperCase()).equals(k)).toBe(true);
    }));
  });

  it('any string is either a 32-byte key or a CONTENT_INVALID error, never a crash', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(00)?[0-9a-fA-F]{60,68}$/)), (s) => {
      try {
        expect(parseAttachmentKey(s)).toHaveLength(32);
      } catch (error) {
        expect(isSwitchboardError(error)).toBe(true);
        expect((error as { code: string }).code).toBe('CONTENT_INVALID');
      }
    }), { numRuns: 500 });
  });

  it('a signature reaches preDownload as Base64 whether it was given as hex or Base64', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
      const b = Buffer.from(bytes);
      expect(signatureBase64(b.toString('hex'), 'hex')).toBe(b.toString('base64'));
      expect(signatureBase64(b.toString('base64'), 'base64')).toBe(b.toString('base64'));
    }));
  });
});

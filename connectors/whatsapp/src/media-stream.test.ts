import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectorErrorKind, isSwitchboardError } from '@switchboard/core';
import { checkMaxBytes, meteredBody, parseSha256 } from './media-stream.js';

async function* chunks(list: Uint8Array[], failAfter?: number): AsyncGenerator<Uint8Array> {
  for (const [i, c] of list.entries()) {
    if (failAfter !== undefined && i === failAfter) throw new TypeError('terminated');
    yield c;
  }
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of body) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

async function failure(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  try {
    await drain(body);
  } catch (error) {
    return error;
  }
  return undefined;
}

const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

describe('media-stream: the copy shared by the Meta connectors', () => {
  it('is identical in the WhatsApp and Messenger connectors', () => {
    const copy = (connector: string): string => readFileSync(fileURLToPath(new URL(`../../${connector}/src/media-stream.ts`, import.meta.url)), 'utf8');
    expect(copy('whatsapp')).toBe(copy('messenger'));
  });
});

describe('parseSha256', () => {
  it('reads hex, Base64 and URL-safe Base64 of the same 32 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const digest = Buffer.from(bytes);
      return [digest.toString('hex'), digest.toString('hex').toUpperCase(), digest.toString('base64'), digest.toString('base64url')]
        .every((text) => parseSha256(text)?.equals(digest) === true);
    }));
  });

  it('never throws: anything else is undefined, a read digest is 32 bytes', () => {
    fc.assert(fc.property(fc.anything(), (value) => {
      const read = parseSha256(value);
      return read === undefined || read.length === 32;
    }));
    fc.assert(fc.property(fc.string(), (value) => {
      const read = parseSha256(value);
      return read === undefined || read.length === 32;
    }));
    expect(parseSha256('IMAGE_HASH')).toBeUndefined();
    expect(parseSha256('ab'.repeat(31))).toBeUndefined();
  });
});

describe('meteredBody', () => {
  it('passes every byte on when the total is within the limit, and fails permanently as soon as it is not', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }), fc.integer({ min: 1, max: 600 }), async (list, maxBytes) => {
      const all = Buffer.concat(list.map((c) => Buffer.from(c)));
      const body = meteredBody(chunks(list), { maxBytes, what: 'the file' });
      if (all.length <= maxBytes) return (await drain(body)).equals(all);
      const error = await failure(body);
      return isSwitchboardError(error) && connectorErrorKind(error) === 'permanent' && (error.details as { reason?: string }).reason === 'too-large';
    }));
  });

  it('stops reading the platform\'s body at the limit', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) { read += 1; yield new Uint8Array(10); }
    }
    const error = await failure(meteredBody(endless(), { maxBytes: 25, what: 'the file' }));
    expect(error).toMatchObject({ code: 'PERMANENT_FAILURE', details: { reason: 'too-large', maxBytes: 25, size: 30 } });
    expect(read).toBe(3);
  });

  it('checks the announced SHA-256 and size at the end: a mismatch is retryable', async () => {
    const bytes = Buffer.from('the customer\'s photo');
    expect(await drain(meteredBody(chunks([bytes]), { maxBytes: 100, sha256: sha(bytes), declaredSize: bytes.length, what: 'f' }))).toEqual(bytes);
    expect(await failure(meteredBody(chunks([bytes]), { maxBytes: 100, sha256: sha(Buffer.from('other')), what: 'f' })))
      .toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'checksum-mismatch' } });
    expect(await failure(meteredBody(chunks([bytes]), { maxBytes: 100, declaredSize: bytes.length + 1, what: 'f' })))
      .toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'size-mismatch', received: bytes.length } });
  });

  it('a connection that breaks off is retryable, with the cause kept', async () => {
    const error = await failure(meteredBody(chunks([new Uint8Array(4), new Uint8Array(4)], 1), { maxBytes: 100, what: 'f' }));
    expect(error).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'interrupted', received: 4 } });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});

describe('checkMaxBytes', () => {
  it('refuses a limit that is not a positive integer with a permanent error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '10', undefined]) expect(() => checkMaxBytes(bad)).toThrow(expect.objectContaining({ code: 'PERMANENT_FAILURE' }));
    expect(() => checkMaxBytes(1)).not.toThrow();
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectorErrorKind, isSwitchboardError, PermanentError, RetryableError } from '../errors.js';
import { checkMaxBytes, collectBody, meteredBody, parseSha256, tooLarge } from './media-download.js';
import { providerHttpErrorOf } from './http.js';

async function* chunks(list: Uint8Array[], failAfter?: number): AsyncGenerator<Uint8Array> {
  for (const [i, c] of list.entries()) {
    if (failAfter !== undefined && i === failAfter) throw new TypeError('terminated');
    yield c;
  }
}

const webStream = (list: Uint8Array[]): ReadableStream<Uint8Array> => new ReadableStream<Uint8Array>({ start(c) { for (const chunk of list) c.enqueue(chunk); c.close(); } });

async function failure(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  try {
    await collectBody(body);
  } catch (error) {
    return error;
  }
  return undefined;
}

const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

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
  it('passes every byte on when the total is within the limit, and fails permanently as soon as it is not, having handed on no more than the limit', async () => {
    const list = fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 });
    await fc.assert(fc.asyncProperty(list, fc.nat({ max: 600 }), fc.boolean(), async (parts, maxBytes, web) => {
      const all = Buffer.concat(parts.map((c) => Buffer.from(c)));
      let handed = 0;
      let error: unknown;
      try {
        for await (const c of meteredBody(web ? webStream(parts) : chunks(parts), { maxBytes, what: 'the file' })) handed += c.byteLength;
      } catch (e) { error = e; }
      if (all.length <= maxBytes) return error === undefined && handed === all.length;
      return error instanceof PermanentError && connectorErrorKind(error) === 'permanent' && handed <= maxBytes
        && (error.details as { reason?: string; size?: number; maxBytes?: number }).reason === 'too-large'
        && (error.details as { maxBytes?: number }).maxBytes === maxBytes;
    }), { numRuns: 200 });
  });

  it('a body of null is an empty file', async () => {
    expect((await collectBody(meteredBody(null, { maxBytes: 1, what: 'f' }))).length).toBe(0);
    expect(await failure(meteredBody(null, { maxBytes: 1, declaredSize: 3, what: 'f' }))).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'size-mismatch', received: 0 } });
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

  it('cancels a web stream it stops reading, at the limit or when the consumer stops', async () => {
    let cancelled = 0;
    const endless = (): ReadableStream<Uint8Array> => new ReadableStream<Uint8Array>({ pull(c) { c.enqueue(new Uint8Array(10)); }, cancel() { cancelled += 1; } });
    await failure(meteredBody(endless(), { maxBytes: 25, what: 'f' }));
    expect(cancelled).toBe(1);
    for await (const _ of meteredBody(endless(), { maxBytes: 100, what: 'f' })) break;
    expect(cancelled).toBe(2);
  });

  it('checks the announced SHA-256 and size at the end: a mismatch is retryable', async () => {
    const bytes = Buffer.from('the customer\'s photo');
    expect(await collectBody(meteredBody(chunks([bytes]), { maxBytes: 100, sha256: sha(bytes), declaredSize: bytes.length, what: 'f' }))).toEqual(bytes);
    expect(await failure(meteredBody(chunks([bytes]), { maxBytes: 100, sha256: sha(Buffer.from('other')), what: 'f' })))
      .toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'checksum-mismatch' } });
    expect(await failure(meteredBody(chunks([bytes]), { maxBytes: 100, declaredSize: bytes.length + 1, what: 'f' })))
      .toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'size-mismatch', received: bytes.length } });
  });

  it('a connection that breaks off is retryable, with the cause kept', async () => {
    const error = await failure(meteredBody(chunks([new Uint8Array(4), new Uint8Array(4)], 1), { maxBytes: 100, what: 'f' }));
    expect(error).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'interrupted', received: 4 } });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    const web = new ReadableStream<Uint8Array>({ pull(c) { c.error(new Error('socket hang up')); } });
    expect(await failure(meteredBody(web, { maxBytes: 10, what: 'f' }))).toBeInstanceOf(RetryableError);
  });

  it('regression: a secret in a broken-off connection\'s error chain reached the error — sanitizeCause decides what is kept and quoted', async () => {
    const secret = '123456:AA-bot-token';
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(2);
      throw new TypeError(`fetch failed for https://api.example/file/bot${secret}/a.jpg`, { cause: new Error(`bot${secret}`) });
    }
    const sanitizeCause = (error: unknown): Error => new Error((error as Error).message.split(secret).join('[redacted]'));
    const error = await failure(meteredBody(broken(), { maxBytes: 10, what: 'f', sanitizeCause }));
    expect(error).toMatchObject({ code: 'RETRYABLE_FAILURE', details: { reason: 'interrupted', received: 2 } });
    const text = JSON.stringify({ message: (error as Error).message, details: (error as RetryableError).details, cause: String((error as Error).cause), chain: String(((error as Error).cause as Error).cause) });
    expect(text).not.toContain(secret);
    expect((error as Error).message).toContain('[redacted]');
  });
});

describe('tooLarge', () => {
  it('is permanent and names the limit and, when known, the size', () => {
    expect(tooLarge('f', 10)).toMatchObject({ code: 'PERMANENT_FAILURE', retryable: false, details: { reason: 'too-large', maxBytes: 10 } });
    expect(tooLarge('f', 10).details).not.toHaveProperty('size');
    expect(tooLarge('f', 10, 11)).toMatchObject({ message: 'f is larger than the 10 bytes allowed (11 bytes)', details: { size: 11 } });
  });
});

describe('checkMaxBytes', () => {
  it('refuses a limit that is not a positive integer with a permanent error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '10', undefined]) {
      expect(() => checkMaxBytes(bad)).toThrow(expect.objectContaining({ code: 'PERMANENT_FAILURE', details: { reason: 'bad-limit' } }));
    }
    expect(() => checkMaxBytes(1)).not.toThrow();
  });
});

describe('providerHttpErrorOf', () => {
  it('keeps the status and headers, parses a JSON body and reads no more than the bound', async () => {
    const json = await providerHttpErrorOf(new Response('{"error":{"code":190}}', { status: 401, headers: { 'x-fb-trace-id': 't' } }), 1024);
    expect(json).toMatchObject({ status: 401, body: { error: { code: 190 } }, headers: { 'x-fb-trace-id': 't' } });
    const long = await providerHttpErrorOf(new Response('x'.repeat(10_000), { status: 500 }), 100);
    expect(long.body).toBe('x'.repeat(100));
    expect(isSwitchboardError(long) && long.retryable).toBe(true);
  });
});

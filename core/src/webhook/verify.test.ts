import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual, hmacSha256Hex, signJwtHs256, verifyHmacSha256, verifyJwtHs256, verifyStaticToken, WebhookVerificationError,
} from '../index.js';

const SECRET = 'app-secret-0123456789';
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[]}]}');
const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const header = 'x-hub-signature-256';

function rejects(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try { fn(); } catch (e) { thrown = e; }
  expect(thrown).toBeInstanceOf(WebhookVerificationError);
  expect((thrown as WebhookVerificationError).code).toBe('WEBHOOK_VERIFICATION_FAILED');
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('HMAC-SHA256 over raw bytes', () => {
  it('hmacSha256Hex matches node:crypto', () => {
    expect(hmacSha256Hex(SECRET, body)).toBe(sig.slice(7));
    expect(hmacSha256Hex(Buffer.from(SECRET), body.toString())).toBe(sig.slice(7));
  });
  it('accepts a good signature, with prefix or bare, in any hex case', () => {
    expect(() => verifyHmacSha256({ secret: SECRET, body, signature: sig, prefix: 'sha256=', header })).not.toThrow();
    expect(() => verifyHmacSha256({ secret: SECRET, body, signature: sig.slice(7).toUpperCase(), header: 'x-viber-content-signature' })).not.toThrow();
  });
  it('rejects a missing or empty header', () => {
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: undefined, prefix: 'sha256=', header }), /missing x-hub-signature-256/);
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: '', prefix: 'sha256=', header }), /missing/);
  });
  it('rejects a wrong prefix, non-hex and wrong length (without crashing timingSafeEqual)', () => {
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: sig.replace('sha256=', 'sha1='), prefix: 'sha256=', header }), /must start with/);
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: 'sha256=zz' + sig.slice(9), prefix: 'sha256=', header }), /not a hex digest/);
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: sig.slice(0, -2), prefix: 'sha256=', header }), /does not match/);
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: `${sig}00`, prefix: 'sha256=', header }), /does not match/);
    rejects(() => verifyHmacSha256({ secret: SECRET, body, signature: 'sha256=', prefix: 'sha256=', header }), /not a hex digest/);
  });
  it('rejects a wrong secret and a tampered body', () => {
    rejects(() => verifyHmacSha256({ secret: 'other-secret', body, signature: sig, prefix: 'sha256=', header }), /does not match the body/);
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10]! ^ 1;
    rejects(() => verifyHmacSha256({ secret: SECRET, body: tampered, signature: sig, prefix: 'sha256=', header }));
    // re-serialised JSON is a different body: signatures are over the bytes as received
    rejects(() => verifyHmacSha256({ secret: SECRET, body: Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)), signature: sig, prefix: 'sha256=', header }));
  });
  it('never leaks the secret in the message', () => {
    try { verifyHmacSha256({ secret: SECRET, body, signature: 'sha256=00', prefix: 'sha256=', header }); } catch (e) {
      expect((e as Error).message).not.toContain(SECRET);
    }
  });
  it('random signatures only ever throw WebhookVerificationError (property)', () => {
    fc.assert(fc.property(fc.string(), fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', 'sha256='), (s, bytes, prefix) => {
      try {
        verifyHmacSha256({ secret: SECRET, body: Buffer.from(bytes), signature: s, prefix, header });
      } catch (e) {
        expect(e).toBeInstanceOf(WebhookVerificationError);
        return;
      }
      // accepted only if it really is the signature
      expect(s.slice(prefix.length).trim().toLowerCase()).toBe(hmacSha256Hex(SECRET, Buffer.from(bytes)));
    }), { numRuns: 500 });
  });
});

describe('static token', () => {
  const h = 'x-telegram-bot-api-secret-token';
  it('accepts the configured token', () => {
    expect(() => verifyStaticToken({ expected: 'tok_ABC-123', given: 'tok_ABC-123', header: h })).not.toThrow();
  });
  it('rejects a missing, empty, shorter, longer or different token', () => {
    for (const given of [undefined, '', 'tok_ABC-12', 'tok_ABC-1234', 'tok_ABC-124', 'TOK_ABC-123']) {
      rejects(() => verifyStaticToken({ expected: 'tok_ABC-123', given, header: h }));
    }
  });
  it('constantTimeEqual handles different lengths and multi-byte text', () => {
    expect(constantTimeEqual('a', 'ab')).toBe(false);
    expect(constantTimeEqual('é', 'e')).toBe(false);
    expect(constantTimeEqual(Buffer.from('xy'), 'xy')).toBe(true);
  });
  it('random tokens only ever throw WebhookVerificationError (property)', () => {
    fc.assert(fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), (given) => {
      try { verifyStaticToken({ expected: 'secret', given, header: h }); } catch (e) {
        expect(e).toBeInstanceOf(WebhookVerificationError);
        return;
      }
      expect(given).toBe('secret');
    }), { numRuns: 500 });
  });
});

describe('HS256 JWT', () => {
  const MSP = 'msp-secret-bytes';
  const now = Date.parse('2026-03-10T12:00:00Z');
  const nowS = now / 1000;
  const claims = { iss: 'msp-1', aud: 'msp-1', iat: nowS - 5, exp: nowS + 300 };
  const opts = { secret: MSP, audience: 'msp-1', issuer: 'msp-1', now };
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const forge = (head: unknown, payload: unknown, secret = MSP): string => {
    const hp = `${b64(head)}.${b64(payload)}`;
    return `${hp}.${createHmac('sha256', secret).update(hp).digest('base64url')}`;
  };

  it('accepts a good token and returns its claims', () => {
    expect(verifyJwtHs256(signJwtHs256(claims, MSP), opts)).toEqual(claims);
    expect(verifyJwtHs256(signJwtHs256({ ...claims, aud: ['other', 'msp-1'] }, Buffer.from(MSP)), opts).aud).toEqual(['other', 'msp-1']);
  });
  it('signJwtHs256 produces a standard compact HS256 token', () => {
    const [h, p, s] = signJwtHs256(claims, MSP).split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p!, 'base64url').toString())).toEqual(claims);
    expect(s).toBe(createHmac('sha256', MSP).update(`${h}.${p}`).digest('base64url'));
  });
  it('rejects a wrong secret', () => rejects(() => verifyJwtHs256(signJwtHs256(claims, 'wrong'), opts), /signature/));
  it('rejects a wrong audience and a wrong issuer', () => {
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, aud: 'msp-2' }, MSP), opts), /audience/);
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, aud: undefined }, MSP), opts), /audience/);
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, iss: 'evil' }, MSP), opts), /issuer/);
  });
  it('rejects another algorithm, including none', () => {
    rejects(() => verifyJwtHs256(forge({ alg: 'HS512', typ: 'JWT' }, claims), opts), /HS256/);
    rejects(() => verifyJwtHs256(`${b64({ alg: 'none' })}.${b64(claims)}.`, opts), /HS256/);
    rejects(() => verifyJwtHs256(forge(null, claims), opts), /HS256/);
  });
  it('rejects an expired token (beyond the skew) and accepts within it', () => {
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, iat: nowS - 1000, exp: nowS - 61 }, MSP), opts), /expired/);
    expect(() => verifyJwtHs256(signJwtHs256({ ...claims, iat: nowS - 1000, exp: nowS - 59 }, MSP), opts)).not.toThrow();
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, exp: nowS - 1 }, MSP), { ...opts, skewSeconds: 0 }), /expired/);
  });
  it('rejects iat in the future beyond the skew, and nbf not yet reached', () => {
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, iat: nowS + 61 }, MSP), opts), /future/);
    expect(() => verifyJwtHs256(signJwtHs256({ ...claims, iat: nowS + 59 }, MSP), opts)).not.toThrow();
    rejects(() => verifyJwtHs256(signJwtHs256({ ...claims, nbf: nowS + 120 }, MSP), opts), /not yet valid/);
  });
  it('rejects a missing iat unless told otherwise', () => {
    const { iat: _iat, ...noIat } = claims;
    rejects(() => verifyJwtHs256(signJwtHs256(noIat, MSP), opts), /no iat/);
    expect(() => verifyJwtHs256(signJwtHs256(noIat, MSP), { ...opts, requireIat: false })).not.toThrow();
  });
  it('rejects a token without exp older than maxAgeSeconds', () => {
    const { exp: _exp, ...noExp } = claims;
    rejects(() => verifyJwtHs256(signJwtHs256({ ...noExp, iat: nowS - 400 }, MSP), { ...opts, maxAgeSeconds: 300 }), /too old/);
    expect(() => verifyJwtHs256(signJwtHs256({ ...noExp, iat: nowS - 200 }, MSP), { ...opts, maxAgeSeconds: 300 })).not.toThrow();
  });
  it('rejects malformed tokens', () => {
    for (const t of [undefined, '', 'abc', 'a.b', 'a.b.c.d', '...', `${b64({ alg: 'HS256' })}.not-json.sig`, `!!.${b64(claims)}.x`]) {
      rejects(() => verifyJwtHs256(t, opts));
    }
    rejects(() => verifyJwtHs256(forge({ alg: 'HS256' }, [1, 2]), opts), /not an object/);
    rejects(() => verifyJwtHs256(forge({ alg: 'HS256' }, 'text'), opts), /not an object/);
  });
  it('a token with a changed payload fails', () => {
    const [h, , s] = signJwtHs256(claims, MSP).split('.');
    rejects(() => verifyJwtHs256(`${h}.${b64({ ...claims, iss: 'msp-1', sub: 'admin' })}.${s}`, opts), /signature/);
  });
  it('random strings as tokens only ever throw WebhookVerificationError (property)', () => {
    const part = fc.oneof(fc.string(), fc.base64String(), fc.jsonValue().map((v) => b64(v)));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.tuple(part, part, part).map((p) => p.join('.')), fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([h, p]) => forge(h, p))), (token) => {
      try { verifyJwtHs256(token, opts); } catch (e) {
        expect(e).toBeInstanceOf(WebhookVerificationError);
        return;
      }
      throw new Error(`accepted ${token}`);
    }), { numRuns: 1000 });
  });
});

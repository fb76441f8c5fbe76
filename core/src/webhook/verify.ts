/**
 * Webhook verification helpers every connector needs: HMAC-SHA256 over raw bytes, static-token
 * comparison, and HS256 JWTs. All comparisons are constant-time; a length mismatch is a
 * verification error, never a crash.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../errors.js';

/**
 * Computes HMAC-SHA256 of raw bytes.
 * @param secret - the key (string as UTF-8, or bytes)
 * @param body - the raw bytes
 * @returns the digest as lower-case hex
 */
export function hmacSha256Hex(secret: string | Buffer, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Compares two strings in constant time (for equal lengths) without throwing on a length mismatch.
 * @param a - first value
 * @param b - second value
 * @returns true when equal
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (x.length !== y.length) {
    // compare against itself so the time spent does not depend on where the strings differ
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * Verifies a hex HMAC-SHA256 signature of the raw body.
 * @param options.secret - the shared secret
 * @param options.body - the raw bytes exactly as received
 * @param options.signature - the header value (undefined when the header is missing)
 * @param options.prefix - a scheme prefix the header carries, e.g. `sha256=`
 * @param options.header - the header's name, for the error message
 * @throws WebhookVerificationError when missing, malformed, or wrong
 */
export function verifyHmacSha256(options: { secret: string | Buffer; body: Buffer; signature: string | undefined; prefix?: string; header: string }): void {
  const { signature, prefix = '', header } = options;
  if (signature === undefined || signature === '') throw new WebhookVerificationError(`missing ${header} header`);
  if (prefix && !signature.startsWith(prefix)) throw new WebhookVerificationError(`${header} must start with "${prefix}"`);
  const given = signature.slice(prefix.length).trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(given)) throw new WebhookVerificationError(`${header} is not a hex digest`);
  const expected = hmacSha256Hex(options.secret, options.body);
  if (!constantTimeEqual(Buffer.from(given, 'utf8'), Buffer.from(expected, 'utf8'))) {
    throw new WebhookVerificationError(`${header} does not match the body`);
  }
}

/**
 * Verifies a static secret token header (Telegram's secret_token).
 * @param options.expected - the configured token
 * @param options.given - the header value
 * @param options.header - header name for the message
 * @throws WebhookVerificationError when missing or different
 */
export function verifyStaticToken(options: { expected: string; given: string | undefined; header: string }): void {
  if (options.given === undefined || options.given === '') throw new WebhookVerificationError(`missing ${options.header} header`);
  if (!constantTimeEqual(options.given, options.expected)) throw new WebhookVerificationError(`${options.header} does not match`);
}

/** Claims Switchboard reads from a JWT. */
export interface JwtClaims {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  iat?: number;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Signs claims as an HS256 JWT.
 * @param claims - the payload
 * @param secret - the key bytes
 * @returns the compact JWT
 */
export function signJwtHs256(claims: JwtClaims, secret: Buffer | string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url');
  return `${head}.${payload}.${sig}`;
}

/** What an HS256 JWT must satisfy. */
export interface JwtVerifyOptions {
  secret: Buffer | string;
  /** Required audience. */
  audience?: string;
  /** Required issuer. */
  issuer?: string;
  /** Current time in ms (from an injected clock). */
  now: number;
  /** Allowed clock skew in seconds (default 60). */
  skewSeconds?: number;
  /** Maximum age from `iat` in seconds when the token carries no `exp` (default: no limit). */
  maxAgeSeconds?: number;
  /** Require `iat` (default true). */
  requireIat?: boolean;
}

/**
 * Verifies a compact HS256 JWT: algorithm, signature (constant time), `aud`, `iss`, `iat` not in
 * the future beyond the skew, `nbf`, `exp` and maximum age.
 * @param token - the compact JWT
 * @param options - secret, expected claims, injected time
 * @returns the verified claims
 * @throws WebhookVerificationError on any failure
 */
export function verifyJwtHs256(token: string | undefined, options: JwtVerifyOptions): JwtClaims {
  if (!token) throw new WebhookVerificationError('missing bearer token');
  const parts = token.split('.');
  if (parts.length !== 3) throw new WebhookVerificationError('token is not a compact JWT');
  const [head, payload, sig] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: JwtClaims;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JwtClaims;
  } catch (cause) {
    throw new WebhookVerificationError('token header or payload is not JSON', { cause });
  }
  if (typeof header !== 'object' || header === null || header.alg !== 'HS256') throw new WebhookVerificationError('token algorithm must be HS256');
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new WebhookVerificationError('token payload is not an object');
  const expected = createHmac('sha256', options.secret).update(`${head}.${payload}`).digest('base64url');
  if (!constantTimeEqual(sig, expected)) throw new WebhookVerificationError('token signature does not match');
  const nowS = options.now / 1000;
  const skew = options.skewSeconds ?? 60;
  if (options.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(options.audience)) throw new WebhookVerificationError('token audience does not match');
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer) throw new WebhookVerificationError('token issuer does not match');
  if (options.requireIat ?? true) {
    if (typeof claims.iat !== 'number') throw new WebhookVerificationError('token has no iat');
  }
  if (typeof claims.iat === 'number') {
    if (claims.iat > nowS + skew) throw new WebhookVerificationError('token issued in the future');
    if (options.maxAgeSeconds !== undefined && claims.exp === undefined && nowS - claims.iat > options.maxAgeSeconds + skew) {
      throw new WebhookVerificationError('token is too old');
    }
  }
  if (typeof claims.nbf === 'number' && claims.nbf > nowS + skew) throw new WebhookVerificationError('token not yet valid');
  if (typeof claims.exp === 'number' && claims.exp < nowS - skew) throw new WebhookVerificationError('token expired');
  return claims;
}

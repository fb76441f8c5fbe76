/**
 * Signing and verifying as the Standard Webhooks specification describes. Every delivery carries
 * three headers:
 * - `webhook-id`: the message's id, the same on every retry (the receiver's idempotency key);
 * - `webhook-timestamp`: when this attempt was signed, in integer seconds since the epoch;
 * - `webhook-signature`: one or more space-separated `v1,<signature>`, where the signature is the
 *   base64 of HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>` (the body's exact bytes),
 *   keyed with the secret's bytes: for a secret written `whsec_<base64>`, the base64 part decoded.
 *   During a secret rotation there is one signature per secret; a receiver accepts the request when
 *   any of them matches a secret it knows.
 *
 * A receiver also refuses a timestamp too far from its own clock (5 minutes either way by default),
 * which bounds replays; and compares signatures in constant time.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix of a Standard Webhooks secret; what follows is the key in base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How far a `webhook-timestamp` may be from the receiver's clock, by default: 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** The three headers of a signed delivery. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The key bytes of a secret: the base64 part of `whsec_<base64>`; any other string as its UTF-8
 * bytes (a secret written before this scheme, such as the forward route's).
 * @param secret - the secret as configured
 * @returns the HMAC key
 * @throws RangeError when a `whsec_` secret's base64 part is empty or not base64
 */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new RangeError('a whsec_ secret must be followed by its key in base64');
  return Buffer.from(encoded, 'base64');
}

/**
 * The signature of one message with one secret.
 * @param secret - `whsec_<base64>` (or a plain string: its UTF-8 bytes are the key)
 * @param id - the `webhook-id`
 * @param timestamp - the `webhook-timestamp`, seconds since the epoch
 * @param body - the exact body sent
 * @returns `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
 */
export function signatureOf(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', webhookSecretKey(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Signs a delivery: the three Standard Webhooks headers, with one signature per secret.
 * @param input - the message id, the time in seconds, the body and the secrets (newest first during a rotation)
 * @returns the headers to send
 * @throws RangeError when no secret is given
 * @example
 * ```ts
 * const headers = signStandardWebhook({ id: 'msg_1', timestamp: 1_700_000_000, body, secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });
 * ```
 */
export function signStandardWebhook(input: { id: string; timestamp: number; body: string | Buffer; secrets: readonly string[] }): StandardWebhookHeaders {
  if (input.secrets.length === 0) throw new RangeError('at least one secret is needed to sign');
  const timestamp = Math.floor(input.timestamp);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': input.secrets.map((s) => signatureOf(s, input.id, timestamp, input.body)).join(' '),
  };
}

/** Why {@link verifyStandardWebhook} refused a request. */
export type WebhookVerificationProblem = 'missing-headers' | 'bad-timestamp' | 'timestamp-too-old' | 'timestamp-too-new' | 'no-matching-signature';

/** The outcome of {@link verifyStandardWebhook}. */
export type WebhookVerification = { ok: true; id: string; timestamp: number } | { ok: false; problem: WebhookVerificationProblem };

/**
 * Verifies a delivery as a receiver would: the headers are present, the timestamp is within the
 * tolerance of the receiver's clock, and one `v1` signature matches one of the secrets (compared in
 * constant time). Integrators can use it in their own endpoint.
 * @param input - the request's headers (names in any case), its raw body, the secrets the receiver
 * accepts, its clock in ms (default `Date.now()`) and the tolerance in seconds (default 300)
 * @returns `{ ok: true, id, timestamp }`, or `{ ok: false, problem }`
 * @example
 * ```ts
 * const check = verifyStandardWebhook({ headers: req.headers, body: rawBody, secrets: [process.env.SWITCHBOARD_WEBHOOK_SECRET!] });
 * if (!check.ok) return res.status(401).end();
 * ```
 */
export function verifyStandardWebhook(input: {
  headers: Readonly<Record<string, string | readonly string[] | undefined>> | Headers;
  body: string | Buffer;
  secrets: readonly string[];
  nowMs?: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  const header = (name: string): string | undefined => {
    if (input.headers instanceof Headers) return input.headers.get(name) ?? undefined;
    const entry = Object.entries(input.headers).find(([k]) => k.toLowerCase() === name);
    const v = entry?.[1];
    return Array.isArray(v) ? v[0] : (v as string | undefined);
  };
  const id = header('webhook-id');
  const stamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !stamp || !signatures) return { ok: false, problem: 'missing-headers' };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, problem: 'bad-timestamp' };
  const timestamp = Number(stamp);
  const now = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) return { ok: false, problem: 'timestamp-too-old' };
  if (timestamp > now + tolerance) return { ok: false, problem: 'timestamp-too-new' };
  const offered = signatures.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of input.secrets) {
    let expected: Buffer;
    try {
      expected = Buffer.from(signatureOf(secret, id, timestamp, input.body).slice(3), 'base64');
    } catch {
      continue;
    }
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return { ok: true, id, timestamp };
  }
  return { ok: false, problem: 'no-matching-signature' };
}

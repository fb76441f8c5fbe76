/**
 * Agent passwords: scrypt (node:crypto) with a per-password random salt, the cost parameters
 * stored beside the hash so they can be raised later without invalidating old hashes, and a
 * constant-time comparison.
 * @module
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost (a power of two). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

/**
 * The default cost: OWASP's recommendation for scrypt (N = 2^17, r = 8, p = 1: 128 MiB, a few
 * hundred milliseconds per hash), so a stolen hash costs an attacker the same per guess.
 */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longest password accepted (scrypt takes any length; this bounds the work per request). */
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is below the recommended cost
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Hashes a password.
 * @param password - the plain password
 * @param params - cost parameters (default {@link DEFAULT_SCRYPT_PARAMS})
 * @returns `scrypt$N$r$p$<salt base64>$<hash base64>`
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Parses a stored hash.
 * @param stored - what {@link hashPassword} returned
 * @returns its parts, or undefined when it is not a hash this module wrote
 */
export function parsePasswordHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || (N & (N - 1)) !== 0 || N > 2 ** 20 || r > 32 || p > 16) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, key };
}

/**
 * Checks a password against a stored hash in constant time.
 * @param password - what the user typed
 * @param stored - the stored hash (undefined for an unknown user: the work is done anyway, so
 *   the answer's timing does not tell which accounts exist)
 * @param dummyParams - the cost of that dummy work (the cost new hashes are made with)
 * @returns whether it matches
 */
export async function verifyPassword(password: string, stored: string | undefined, dummyParams: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<boolean> {
  const parsed = stored ? parsePasswordHash(stored) : undefined;
  const target = parsed ?? { params: dummyParams, salt: DUMMY_SALT, key: Buffer.alloc(KEY_LENGTH) };
  const key = await scrypt(password.slice(0, MAX_PASSWORD_LENGTH), target.salt, target.params);
  return timingSafeEqual(key, target.key) && parsed !== undefined;
}

const DUMMY_SALT = randomBytes(SALT_LENGTH);

/**
 * Whether a hash was made with weaker parameters than the current ones (rehash at the next login).
 * @param stored - the stored hash
 * @param params - the current parameters
 * @returns true when it should be rehashed
 */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parsePasswordHash(stored);
  return !parsed || parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/**
 * Checks a new password's length (the rest of a password policy is the tenant's business).
 * @param password - the candidate
 * @returns a problem, or undefined when acceptable
 */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'must be a string';
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

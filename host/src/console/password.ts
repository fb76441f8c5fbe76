/**
 * Agent passwords: scrypt (node:crypto) with a per-password random salt, the cost parameters
 * stored beside the hash so they can be raised later without invalidating old hashes, and a
 * constant-time comparison.
 * @module
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { COMMON_LONG_PASSWORDS, COMMON_PASSWORD_WORDS, TRIVIAL_SEQUENCES } from './common-passwords.js';

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
/** Shortest password accepted (NIST SP 800-63B asks at least 8; a console reaching customer data asks more). */
export const MIN_PASSWORD_LENGTH = 12;
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

/** What a new password is checked against besides the lists: words of its own context. */
export interface PasswordContext {
  /** The agent's e-mail: neither it nor its local part may be the password's core. */
  email?: string;
  /** The agent's name. */
  name?: string;
  /** Further words to refuse (the tenant's name, the product's). */
  words?: readonly string[];
}

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', '$': 's', '!': 'i', '|': 'i', '+': 't', '€': 'e' };

/** The shortest unit the string repeats (`abcabcabc` → `abc`; the string itself when none). */
function repeatedUnit(s: string): string {
  for (let n = 1; n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return s.slice(0, n);
  }
  return s;
}

/** Letters only, lower case, after undoing letter-for-digit swaps. */
function lettersOf(s: string): string {
  return [...s].map((c) => LEET[c] ?? c).join('').replace(/[^a-z]/g, '');
}

/** The password with affixes of digits, symbols and spaces taken off (`P@ssw0rd2024!` → `p@ssw0rd`). */
function coreOf(s: string): string {
  return s.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
}

/** Whether a string is nothing but a common word, possibly repeated (`dragondragon`). */
function isCommonWord(letters: string, extra: ReadonlySet<string>): boolean {
  if (letters === '') return false;
  const unit = repeatedUnit(letters);
  return COMMON_PASSWORD_WORDS.has(unit) || extra.has(unit) || COMMON_PASSWORD_WORDS.has(letters) || extra.has(letters);
}

function isTrivialSequence(s: string): boolean {
  const reversed = [...s].reverse().join('');
  return TRIVIAL_SEQUENCES.some((seq) => seq.includes(s) || seq.includes(reversed));
}

/**
 * Checks a new password (agent creation, password change, seeded agents) against rules in the
 * spirit of NIST SP 800-63B: length rather than composition, and a refusal of what guessing tries
 * first — at least {@link MIN_PASSWORD_LENGTH} characters, not only spaces, not one character or a
 * short pattern repeated, not a stretch of the alphabet, the digits or a keyboard row, not a common
 * password or a common word with digits and symbols around it (also with letters swapped for
 * look-alike digits), and not the agent's own e-mail or name.
 * @param password - the candidate
 * @param context - the agent's e-mail and name, and further words to refuse
 * @returns a problem, or undefined when acceptable
 * @example
 * passwordProblem('P@ssw0rd2024!'); // 'is a common password …'
 * passwordProblem('tram ladder quietly 42'); // undefined
 */
export function passwordProblem(password: unknown, context: PasswordContext = {}): string | undefined {
  if (typeof password !== 'string') return 'must be a string';
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const normalized = password.normalize('NFKC');
  if ([...normalized].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (normalized.trim() === '') return 'must not be only spaces';
  const compact = normalized.toLowerCase().replace(/\s+/g, '');
  const unit = repeatedUnit(compact);
  if (unit.length === 1) return 'must not be one character repeated';
  if (unit.length <= 4) return `must not be a short pattern repeated (${JSON.stringify(unit)})`;
  if (COMMON_LONG_PASSWORDS.has(compact) || COMMON_LONG_PASSWORDS.has(unit)) return 'is a common password: choose a longer phrase of unrelated words';
  if (isTrivialSequence(unit)) return 'must not be a sequence of letters, digits or keys on the keyboard';
  const extra = new Set<string>();
  const addWords = (text: string | undefined): void => {
    if (!text) return;
    const whole = lettersOf(text.toLowerCase());
    if (whole.length >= 3) extra.add(whole);
    for (const part of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      const letters = lettersOf(part);
      if (letters.length >= 3) extra.add(letters);
    }
  };
  addWords(context.email);
  addWords(context.email?.split('@')[0]);
  addWords(context.name);
  for (const w of context.words ?? []) addWords(w);
  const core = coreOf(unit);
  // the core without its affixes, and the whole, with look-alike digits read as letters (p@ssw0rd → password)
  for (const candidate of [lettersOf(core), lettersOf(unit)]) {
    if (isCommonWord(candidate, extra)) {
      return extra.has(repeatedUnit(candidate)) || extra.has(candidate)
        ? 'must not be built on your e-mail address or name'
        : 'is a common password, or a common word with digits or symbols added: choose a longer phrase of unrelated words';
    }
  }
  return undefined;
}

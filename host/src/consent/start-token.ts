/**
 * Signed start tokens: the payload a click-to-chat link or QR code carries into the chat (the
 * prefilled text, the Messenger `ref`, the Telegram `start` parameter, the Viber `context`, the
 * Apple intent and body), so the customer's first message is tied to the opt-in that produced it.
 *
 * A token is `OI` followed by 34 base64url characters: 9 random bytes naming the opt-in flow, the
 * expiry in seconds (4 bytes) and 12 bytes of HMAC-SHA256 over tenant, flow and expiry with the
 * tenant's secret. That fits Telegram's 64-character `[A-Za-z0-9_-]` limit on deep-link payloads
 * and every other channel's parameter, and it cannot be moved to another tenant or have its expiry
 * extended without the secret.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'OI';
const ID_BYTES = 9;
const EXPIRY_BYTES = 4;
const MAC_BYTES = 12;
const BODY_CHARS = Math.ceil(((ID_BYTES + EXPIRY_BYTES + MAC_BYTES) * 4) / 3);
const TOKEN_IN_TEXT = new RegExp(`(?<![A-Za-z0-9_-])${PREFIX}[A-Za-z0-9_-]{${BODY_CHARS}}(?![A-Za-z0-9_-])`, 'g');

/** The length of every start token. */
export const START_TOKEN_LENGTH = PREFIX.length + BODY_CHARS;

/** What a valid token names. */
export interface StartTokenClaims {
  /** The opt-in flow id (`oi_` and 12 base64url characters). */
  flowId: string;
  expiresAt: Date;
}

/** Why a token was refused. */
export type StartTokenProblem = 'malformed' | 'bad-signature' | 'expired';

/** Issues and verifies start tokens with a per-tenant secret. */
export class StartTokens {
  /**
   * @param secretFor - the tenant's signing secret (at least 16 bytes)
   * @param now - the time source, in epoch milliseconds
   */
  constructor(private readonly secretFor: (tenantId: string) => Buffer, private readonly now: () => number) {}

  /**
   * A new flow id (random).
   * @returns `oi_` and 12 base64url characters
   */
  static newFlowId(): string {
    return `oi_${randomBytes(ID_BYTES).toString('base64url')}`;
  }

  /**
   * Signs a token for a flow.
   * @param tenantId - the tenant the flow belongs to
   * @param flowId - from {@link StartTokens.newFlowId}
   * @param expiresAt - after this the token is refused
   * @returns the token
   */
  issue(tenantId: string, flowId: string, expiresAt: Date): string {
    const id = Buffer.from(flowId.replace(/^oi_/, ''), 'base64url');
    if (id.length !== ID_BYTES) throw new RangeError(`not a flow id: ${flowId}`);
    const expiry = Buffer.alloc(EXPIRY_BYTES);
    expiry.writeUInt32BE(Math.ceil(expiresAt.getTime() / 1000));
    const mac = this.mac(tenantId, id, expiry);
    return PREFIX + Buffer.concat([id, expiry, mac]).toString('base64url');
  }

  /**
   * Verifies a token for a tenant.
   * @param tenantId - the tenant whose webhook carried it
   * @param token - the token
   * @returns the claims, or the problem
   */
  verify(tenantId: string, token: string): StartTokenClaims | { problem: StartTokenProblem } {
    if (token.length !== START_TOKEN_LENGTH || !token.startsWith(PREFIX)) return { problem: 'malformed' };
    const raw = Buffer.from(token.slice(PREFIX.length), 'base64url');
    if (raw.length !== ID_BYTES + EXPIRY_BYTES + MAC_BYTES) return { problem: 'malformed' };
    const id = raw.subarray(0, ID_BYTES);
    const expiry = raw.subarray(ID_BYTES, ID_BYTES + EXPIRY_BYTES);
    const mac = raw.subarray(ID_BYTES + EXPIRY_BYTES);
    if (!timingSafeEqual(mac, this.mac(tenantId, id, expiry))) return { problem: 'bad-signature' };
    const expiresAt = new Date(expiry.readUInt32BE() * 1000);
    if (expiresAt.getTime() <= this.now()) return { problem: 'expired' };
    return { flowId: `oi_${id.toString('base64url')}`, expiresAt };
  }

  private mac(tenantId: string, id: Buffer, expiry: Buffer): Buffer {
    return createHmac('sha256', this.secretFor(tenantId)).update(`switchboard-start-token-v1\0${tenantId}\0`).update(id).update(expiry).digest().subarray(0, MAC_BYTES);
  }
}

/**
 * Finds start-token candidates in a text (a prefilled message the customer may have edited
 * around the token).
 * @param text - message text, deep-link payload or context
 * @returns every candidate, in order
 */
export function findStartTokens(text: string): string[] {
  return [...text.matchAll(TOKEN_IN_TEXT)].map((m) => m[0]);
}

/**
 * Derives a tenant's token secret from a host-wide secret, so one configured secret gives every
 * tenant its own key.
 * @param master - the host-wide secret
 * @returns the per-tenant secret function
 */
export function perTenantSecrets(master: string | Buffer): (tenantId: string) => Buffer {
  if (Buffer.byteLength(master) < 16) throw new RangeError('the opt-in token secret must be at least 16 bytes');
  const cache = new Map<string, Buffer>();
  return (tenantId) => {
    let key = cache.get(tenantId);
    if (!key) { key = createHmac('sha256', master).update(`switchboard-opt-in-tenant\0${tenantId}`).digest(); cache.set(tenantId, key); }
    return key;
  };
}

/**
 * Device cookies (OWASP's defence against online guessing that does not lock the owner out): a
 * browser that logged in to an account receives a signed cookie naming that account; at its next
 * login it is a *known device*, limited by its own failures only, not by an attacker's.
 *
 * The cookie is `v1.<issuedAt>.<nonce>.<mac>`, the MAC an HMAC-SHA256 over the tenant, the agent
 * and the issue time, keyed with a key derived from the agent's stored password hash (and an
 * optional host secret). Nothing is stored: a new password (or a rehash) invalidates every device
 * cookie of the agent, and the cookies survive restarts. Forging one takes the stored hash, and it
 * would only spare its holder the delays, never the password.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@switchboard/core';
import type { Agent } from './agent-store.js';

/** Name of the device cookie (sent to the login route only). */
export const DEVICE_COOKIE = 'sb_console_device';
/** Path of the device cookie: the login route, nothing else. */
export const DEVICE_COOKIE_PATH = '/console/api/login';
/** Default lifetime of a device cookie: 30 days. */
export const DEFAULT_DEVICE_LIFETIME_MS = 30 * 24 * 3_600_000;
/** A cookie longer than this is not one we wrote. */
const MAX_COOKIE_LENGTH = 200;

/** Options of {@link DeviceCookies}. */
export interface DeviceCookieOptions {
  /** How long a device stays known after its last login (default 30 days). */
  lifetimeMs?: number;
  /** Mixed into the MAC key, so a copy of the store alone cannot forge cookies (optional). */
  secret?: string;
}

/** Issues and checks device cookies. */
export class DeviceCookies {
  /** Lifetime of an issued cookie. */
  readonly lifetimeMs: number;
  private readonly secret: string;

  /**
   * @param clock - the time source of issue and expiry
   * @param options - lifetime and secret
   */
  constructor(private readonly clock: Clock, options: DeviceCookieOptions = {}) {
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_DEVICE_LIFETIME_MS;
    this.secret = options.secret ?? '';
  }

  private mac(agent: Agent, issuedAt: string, nonce: string): Buffer {
    const key = createHmac('sha256', this.secret).update(`switchboard console device key\n${agent.passwordHash}`).digest();
    return createHmac('sha256', key).update(`${agent.tenantId}\n${agent.id}\n${issuedAt}\n${nonce}`).digest();
  }

  /**
   * A new device cookie value for an agent that just logged in.
   * @param agent - the agent (its current password hash keys the MAC)
   * @returns the cookie value
   */
  issue(agent: Agent): string {
    const issuedAt = String(this.clock.now());
    const nonce = randomBytes(12).toString('base64url');
    return ['v1', issuedAt, nonce, this.mac(agent, issuedAt, nonce).toString('base64url')].join('.');
  }

  /**
   * Checks a device cookie against the agent trying to log in.
   * @param value - the cookie's value (anything a client sent)
   * @param agent - the agent of the e-mail being logged in to, if it exists
   * @returns the device's id (its nonce) when the cookie is this agent's and unexpired, else undefined
   */
  verify(value: string | undefined, agent: Agent | undefined): string | undefined {
    if (!value || !agent || value.length > MAX_COOKIE_LENGTH) return undefined;
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
    const [, issuedAt, nonce, mac] = parts as [string, string, string, string];
    if (!/^\d{1,15}$/.test(issuedAt) || !/^[A-Za-z0-9_-]{16}$/.test(nonce)) return undefined;
    const age = this.clock.now() - Number(issuedAt);
    if (age < 0 || age >= this.lifetimeMs) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(agent, issuedAt, nonce);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return `${agent.tenantId}/${agent.id}/${nonce}`;
  }
}

/**
 * The console's session: `POST /login` (the one route before the session check), `POST /logout`
 * and `GET /me`.
 * @module
 */
import type { Clock } from '@switchboard/core';
import type express from 'express';
import type { TenantConfig } from '../../config/host-config.js';
import { ConsoleLoginSchema } from '../../api/schemas.js';
import { parseBody } from '../../api/validation.js';
import { ValidationError } from '../../errors.js';
import { publicAgent, type AgentStore } from '../agent-store.js';
import { callerOf, parseCookies, serializeCookie, type ConsoleAuth } from '../console-auth.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH, type DeviceCookies } from '../device-cookie.js';
import type { LoginLimiter, LoginSubject } from '../login-limiter.js';
import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from '../password.js';

/** What `POST /login` needs. */
export interface LoginRouteDeps {
  /** The host's tenants by id (a login names one unless the host serves one). */
  tenants: ReadonlyMap<string, TenantConfig>;
  agents: Pick<AgentStore, 'findByEmail' | 'update'>;
  auth: Pick<ConsoleAuth, 'origin' | 'secure' | 'open'>;
  limiter: LoginLimiter;
  /** Device cookies: a browser that logged in before is not slowed by others' failures. */
  devices: DeviceCookies;
  scrypt: ScryptParams;
  clock: Clock;
}

/**
 * Mounts `POST /login`: limited per account and address (or per known device) before the password
 * is hashed, one answer for every failure, a device cookie and a session on success.
 * @param api - the console's router, before its session check
 * @param deps - tenants, agents, auth, limiter, device cookies, hashing cost, clock
 */
export function mountLoginRoute(api: express.Router, deps: LoginRouteDeps): void {
  const { tenants, agents, auth, limiter, devices, clock } = deps;
  api.post('/login', async (req, res) => {
    const login = parseBody(ConsoleLoginSchema, req);
    // the schema refuses a login without both (every missing one named)
    const email = login.email!;
    const password = login.password!;
    const tenantId = login.tenant ?? (tenants.size === 1 ? [...tenants.keys()][0] : undefined);
    if (!tenantId) throw new ValidationError('tenant', 'is required: this host serves several tenants');
    const agent = tenants.has(tenantId) ? await agents.findByEmail(tenantId, email) : undefined;
    // a browser that logged in to this very account before is limited by its own failures only
    const device = devices.verify(parseCookies(req.headers.cookie)[DEVICE_COOKIE], agent);
    const subject: LoginSubject = device
      ? { kind: 'known-device', device }
      : { kind: 'unknown-device', account: `${tenantId}/${email}`, address: auth.origin(req).address };
    // checked and counted in one synchronous step, before the hash: parallel guesses cannot all pass
    const decision = limiter.begin(subject);
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      res.set('retry-after', String(seconds));
      const overloaded = decision.reason === 'overloaded';
      res.status(overloaded ? 503 : 429).json({ error: {
        code: overloaded ? 'NOT_READY' : 'RATE_LIMITED',
        message: decision.reason === 'busy' ? 'a login for this account is being checked: try again in a moment'
          : overloaded ? 'too many logins are being checked: try again in a moment'
          : `too many failed logins: try again in ${seconds} s`,
        details: { retryAfterMs: seconds * 1000, reason: decision.reason },
      } });
      return;
    }
    let ok = false;
    try {
      ok = await verifyPassword(password, agent?.passwordHash, deps.scrypt) && agent !== undefined && !agent.disabled;
    } finally {
      if (ok) decision.attempt.succeeded(); else decision.attempt.failed();
    }
    if (!agent || !ok) {
      // one answer for every failure: it does not tell which accounts exist
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'e-mail or password is wrong' } });
      return;
    }
    const now = new Date(clock.now());
    const rehash = needsRehash(agent.passwordHash, deps.scrypt) ? { passwordHash: await hashPassword(password, deps.scrypt) } : {};
    const current = { ...agent, ...rehash };
    await agents.update(agent.tenantId, agent.id, { lastLoginAt: now, ...rehash }, now);
    res.append('Set-Cookie', serializeCookie(DEVICE_COOKIE, devices.issue(current), {
      httpOnly: true, secure: auth.secure(req), maxAge: Math.floor(devices.lifetimeMs / 1000), path: DEVICE_COOKIE_PATH,
    }));
    res.json(await auth.open(req, res, agent));
  });
}

/**
 * Mounts `POST /logout` (ends the session, 204) and `GET /me` (the agent and the CSRF token).
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - the console's auth
 */
export function mountSessionRoutes(api: express.Router, deps: { auth: Pick<ConsoleAuth, 'close'> }): void {
  api.post('/logout', async (req, res) => {
    await deps.auth.close(req, res);
    res.status(204).end();
  });

  api.get('/me', async (_req, res) => {
    const { agent, session } = callerOf(res);
    res.json({ agent: publicAgent(agent), csrf: session.csrf });
  });
}

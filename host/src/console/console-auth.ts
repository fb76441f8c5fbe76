/**
 * Console sessions: an opaque random token in an HTTP-only, SameSite=Strict cookie scoped to
 * `/console`, stored only as its SHA-256; a CSRF token in a second, readable cookie that every
 * state-changing call must echo in the `x-csrf-token` header and that must also match the one
 * stored with the session (a forged cookie alone is not enough).
 * @module
 */
import { parse as parseCookieHeader, serialize as serializeCookieHeader } from 'cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SwitchboardError, type Clock } from '@switchboard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../errors.js';
import { requestOrigin, TRUST_NO_PROXY, type ProxyTrust, type RequestOrigin } from '../trusted-proxy.js';
import { publicAgent, roleAtLeast, type Agent, type AgentRole, type AgentSession, type AgentStore, type PublicAgent } from './agent-store.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sb_console_session';
/** Name of the readable CSRF cookie. */
export const CSRF_COOKIE = 'sb_console_csrf';
/** Header carrying the CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** The caller is known but may not do this. */
export class ForbiddenError extends SwitchboardError {
  /** @param message - why */
  constructor(message: string) {
    super('FORBIDDEN', message, false);
  }
}

/**
 * Parses a `Cookie` header (with the `cookie` package: RFC 6265 names and values, percent-decoding,
 * the first of duplicates wins; a value that does not decode is kept as sent, and so matches no token).
 * @param header - the header value
 * @returns cookies by name
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseCookieHeader(header ?? ''))) if (value !== undefined) out[name] = value;
  return out;
}

/** Options of a cookie. */
export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  path: string;
}

/**
 * Serialises a `Set-Cookie` value (always SameSite=Strict) with the `cookie` package, which refuses a
 * name, value or path that a header cannot carry.
 * @returns the header value
 */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  return serializeCookieHeader(name, value, { path: o.path, maxAge: o.maxAge, sameSite: 'strict', httpOnly: o.httpOnly, secure: o.secure });
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function equalStrings(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Session settings. */
export interface SessionOptions {
  /** Idle timeout (default 8 h). */
  idleMs?: number;
  /** Absolute lifetime (default 24 h). */
  absoluteMs?: number;
  /**
   * `Secure` cookies: always, never, or when the request came over HTTPS (default `auto`): a TLS
   * socket, or a proxy listed in `server.trustProxy` saying `X-Forwarded-Proto: https`.
   */
  secureCookies?: boolean | 'auto';
}

/** What an authenticated console request carries (in `res.locals.console`). */
export interface ConsoleCaller {
  agent: Agent;
  session: AgentSession;
}

/**
 * The caller of an authenticated console route.
 * @param res - the response (the auth middleware stored the caller in its locals)
 * @returns the caller
 */
export function callerOf(res: Response): ConsoleCaller {
  const c = res.locals.console as ConsoleCaller | undefined;
  if (!c) throw new UnauthorizedError('log in to the console first');
  return c;
}

/** Sessions, authentication and CSRF checks of the console. */
export class ConsoleAuth {
  private readonly idleMs: number;
  private readonly absoluteMs: number;

  /**
   * @param store - where sessions and agents live
   * @param clock - time source
   * @param options - timeouts and cookie security
   * @param trust - the proxies whose forwarding headers count (`server.trustProxy`; default none)
   */
  constructor(private readonly store: AgentStore, private readonly clock: Clock, private readonly options: SessionOptions = {}, private readonly trust: ProxyTrust = TRUST_NO_PROXY) {
    this.idleMs = options.idleMs ?? 8 * 3_600_000;
    this.absoluteMs = options.absoluteMs ?? 24 * 3_600_000;
  }

  /**
   * Where a request came from: the client's address and scheme, believing forwarding headers from
   * trusted proxies only.
   * @param req - the request
   * @returns its origin
   */
  origin(req: Request): RequestOrigin {
    return requestOrigin(req, this.trust);
  }

  /**
   * Whether cookies set in answer to this request are `Secure`.
   * @param req - the request
   * @returns true over HTTPS (or when configured always)
   */
  secure(req: Request): boolean {
    const s = this.options.secureCookies ?? 'auto';
    return s === 'auto' ? this.origin(req).secure : s;
  }

  /**
   * Opens a session: sets both cookies.
   * @returns the agent and the CSRF token
   */
  async open(req: Request, res: Response, agent: Agent): Promise<{ agent: PublicAgent; csrf: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    await this.store.createSession({
      id: sha256(token), tenantId: agent.tenantId, agentId: agent.id, csrf,
      createdAt: new Date(now), expiresAt: new Date(now + this.idleMs), maxExpiresAt: new Date(now + this.absoluteMs),
    });
    const secure = this.secure(req);
    const maxAge = Math.floor(this.absoluteMs / 1000);
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, token, { httpOnly: true, secure, maxAge, path: '/console' }));
    res.append('Set-Cookie', serializeCookie(CSRF_COOKIE, csrf, { httpOnly: false, secure, maxAge, path: '/console' }));
    return { agent: publicAgent(agent), csrf };
  }

  /** Closes the caller's session and clears the cookies. */
  async close(req: Request, res: Response): Promise<void> {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (token) await this.store.deleteSession(sha256(token));
    const secure = this.secure(req);
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, secure, maxAge: 0, path: '/console' }));
    res.append('Set-Cookie', serializeCookie(CSRF_COOKIE, '', { httpOnly: false, secure, maxAge: 0, path: '/console' }));
  }

  /** Middleware: a valid, unexpired session of an enabled agent, else 401. */
  readonly authenticate: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    void this.resolve(req).then((caller) => {
      if (!caller) { next(new UnauthorizedError('log in to the console first')); return; }
      res.locals.console = caller;
      next();
    }, next);
  };

  /**
   * Finds the caller of a request, moving the session's idle expiry forward.
   * @returns the caller, or undefined
   */
  async resolve(req: Request): Promise<ConsoleCaller | undefined> {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!token || token.length > 100) return undefined;
    const session = await this.store.getSession(sha256(token));
    const now = this.clock.now();
    if (!session) return undefined;
    if (session.expiresAt.getTime() <= now || session.maxExpiresAt.getTime() <= now) {
      await this.store.deleteSession(session.id);
      return undefined;
    }
    const agent = await this.store.get(session.tenantId, session.agentId);
    if (!agent || agent.disabled) return undefined;
    // touching on every request would write on every call: only once a minute
    if (session.expiresAt.getTime() - now < this.idleMs - 60_000) await this.store.touchSession(session.id, new Date(now + this.idleMs));
    return { agent, session };
  }

  /** Middleware: state-changing methods must echo the CSRF token (header = cookie = session's). */
  readonly csrf: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') { next(); return; }
    const { session } = callerOf(res);
    const header = req.headers[CSRF_HEADER];
    const cookie = parseCookies(req.headers.cookie)[CSRF_COOKIE];
    if (typeof header !== 'string' || !cookie || !equalStrings(header, cookie) || !equalStrings(header, session.csrf)) {
      next(new ForbiddenError(`a state-changing console call needs the ${CSRF_HEADER} header matching the ${CSRF_COOKIE} cookie`));
      return;
    }
    next();
  };

  /**
   * Middleware factory: the caller's role must be at least `role`.
   * @param role - the role needed
   * @returns the middleware
   */
  requireRole(role: AgentRole): RequestHandler {
    return (_req, res, next) => {
      const { agent } = callerOf(res);
      next(roleAtLeast(agent.role, role) ? undefined : new ForbiddenError(`this needs the ${role} role`));
    };
  }
}

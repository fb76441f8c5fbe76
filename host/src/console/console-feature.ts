/**
 * The agent console: a web inbox for human agents at `/console`, its JSON API under
 * `/console/api/*`, agent management under `/v1/agents`, and saved replies under
 * `/v1/console/settings`. The browser code is plain ES modules and CSS served as files (no
 * framework, no build step): see README.md.
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { ConfigError, systemClock, type Clock } from '@switchboard/core';
import type { Response } from 'express';
import { NotFoundError } from '../errors.js';
import type { HostFeature, HostFeatureContext, HostFeatureFactory } from '../features.js';
import type { AgentRole, AgentStore, KnowledgeLink, QuickReply } from './agent-store.js';
import { mountAgentRoutes, mountSettingsRoutes } from './agent-routes.js';
import { mountConsoleApi } from './console-api.js';
import { ConsoleAuth, type SessionOptions } from './console-auth.js';
import { DeviceCookies, type DeviceCookieOptions } from './device-cookie.js';
import { LoginLimiter, type LoginLimits } from './login-limiter.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, passwordProblem, type ScryptParams } from './password.js';
import { compileProxyTrust } from '../trusted-proxy.js';

/** An agent created at start-up when the tenant has none with that e-mail (a first admin). */
export interface SeedAgent {
  tenantId: string;
  email: string;
  password: string;
  name?: string;
  role?: AgentRole;
  /**
   * When the agent already exists (the store outlives the process), set its password to this one
   * and enable it — for a password printed at each start, as the sandbox does. Default false: an
   * existing agent is left as it is.
   */
  resetPassword?: boolean;
}

/** Options of {@link createConsoleFeature}. */
export interface ConsoleOptions {
  /** Where agents, sessions, notes and settings live (default: the host's store, `ctx.stores.agents`). */
  store?: AgentStore;
  /** Agents to create at start when missing. */
  seedAgents?: SeedAgent[];
  /** Saved replies and knowledge-base links per tenant, written at start when the tenant has none. */
  seedSettings?: Record<string, { quickReplies?: QuickReply[]; knowledgeBase?: KnowledgeLink[] }>;
  /** Password hashing cost (default {@link DEFAULT_SCRYPT_PARAMS}). */
  scrypt?: ScryptParams;
  sessions?: SessionOptions;
  /** Login slow-down (see login-limiter.ts for the scheme and the defaults). */
  loginLimits?: Partial<LoginLimits>;
  /** Device cookies that spare an agent's own browser the delays others' failures cause (30 days by default). */
  devices?: DeviceCookieOptions;
  /** SSE heartbeat (default 15 s). */
  heartbeatMs?: number;
  /**
   * How long the signed URL of each file the console shows works (default 15 minutes, host clock).
   * The page asks for a fresh one when a link it still holds has expired.
   */
  mediaUrlTtlMs?: number;
  /**
   * The clock sessions and the login limiter use. Default: wall time, not the host's clock — a
   * sandbox clock moved a day ahead to show a closed window must not log every agent out.
   */
  clock?: Clock;
}

/** The browser's files, as the SPA loads them. */
const ASSET_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml', html: 'text/html; charset=utf-8' };

/**
 * Finds the browser files: beside this module when running from source, else in the source tree
 * next to the build output (tsc copies no static files into dist/).
 * @returns the directory
 */
export function consoleAssetDir(): string {
  const candidates = [new URL('./public/', import.meta.url), new URL('../../src/console/public/', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

const SECURITY_HEADERS: Record<string, string> = {
  // no inline script or style anywhere: the SPA is files only. Files are shown from the host's own
  // signed URLs (same origin) or, for an attachment not sent yet, from the agent's own disk (blob:)
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Builds the console feature.
 * @param options - store, seeds, hashing cost, session and login limits
 * @returns the feature factory
 */
export function createConsoleFeature(options: ConsoleOptions = {}): HostFeatureFactory {
  return (ctx: HostFeatureContext): HostFeature => {
    const clock = ctx.clock;
    const authClock = options.clock ?? systemClock;
    const scrypt = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    const agents: AgentStore = options.store ?? ctx.stores.agents;
    const auth = new ConsoleAuth(agents, authClock, options.sessions, compileProxyTrust(ctx.config.server.trustProxy ?? []));
    const limiter = new LoginLimiter(authClock, options.loginLimits);
    const devices = new DeviceCookies(authClock, options.devices);
    const open = new Set<Response>();
    const dir = consoleAssetDir();
    const cache = new Map<string, Buffer>();
    const asset = async (name: string): Promise<Buffer> => {
      let b = cache.get(name);
      if (!b) { b = await readFile(join(dir, name)); cache.set(name, b); }
      return b;
    };

    return {
      name: 'console',
      v1Routes(v1) {
        mountAgentRoutes(v1, { agents, clock, scrypt });
        mountSettingsRoutes(v1, { agents, clock });
      },
      appRoutes(app) {
        const page = async (res: Response, name: string): Promise<void> => {
          const ext = name.slice(name.lastIndexOf('.') + 1);
          res.set({ ...SECURITY_HEADERS, 'content-type': ASSET_TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
          res.send(await asset(name));
        };
        // without strict routing '/console' also matches '/console/': one handler, told apart by the path
        app.get('/console', async (req, res) => {
          if (!req.path.endsWith('/')) { res.redirect(301, '/console/'); return; }
          await page(res, 'index.html');
        });
        app.get('/console/assets/:file', async (req, res) => {
          const file = String(req.params.file);
          // a fixed shape of names: no path ever reaches the file system
          if (!/^[a-z0-9-]+\.(js|css|svg)$/.test(file) || !existsSync(join(dir, file))) throw new NotFoundError('console asset', file);
          await page(res, file);
        });
        mountConsoleApi(app, { ctx, agents, auth, limiter, devices, scrypt, clock, logger: ctx.logger, heartbeatMs: options.heartbeatMs ?? 15_000, streams: open,
          ...(options.mediaUrlTtlMs !== undefined ? { mediaUrlTtlMs: options.mediaUrlTtlMs } : {}),
        });
      },
      async start() {
        for (const seed of options.seedAgents ?? []) {
          if (!ctx.tenants.has(seed.tenantId)) continue;
          // a seeded admin is an agent created like any other: the same password rules
          const problem = passwordProblem(seed.password, { email: seed.email, ...(seed.name ? { name: seed.name } : {}) });
          if (problem) throw new ConfigError(`seedAgents[${seed.email}].password`, problem);
          const existing = await agents.findByEmail(seed.tenantId, seed.email);
          if (existing) {
            if (seed.resetPassword) await agents.update(seed.tenantId, existing.id, { passwordHash: await hashPassword(seed.password, scrypt), disabled: false }, new Date(clock.now()));
            continue;
          }
          const now = new Date(clock.now());
          await agents.insert({
            id: randomUUID(), tenantId: seed.tenantId, email: seed.email.toLowerCase(), name: seed.name ?? seed.email, role: seed.role ?? 'admin',
            passwordHash: await hashPassword(seed.password, scrypt), createdAt: now, updatedAt: now,
          });
        }
        for (const [tenantId, s] of Object.entries(options.seedSettings ?? {})) {
          const current = await agents.getSettings(tenantId);
          if (current.quickReplies.length > 0 || current.knowledgeBase.length > 0) continue;
          await agents.putSettings({ tenantId, quickReplies: s.quickReplies ?? [], knowledgeBase: s.knowledgeBase ?? [], updatedAt: new Date(clock.now()) });
        }
      },
      async stop() {
        for (const res of open) res.end();
        open.clear();
      },
    };
  };
}

/**
 * The console with its defaults (agents in the host's store, OWASP-strength password hashing).
 * Agents are created through `POST /v1/agents`.
 */
export const consoleFeature: HostFeatureFactory = createConsoleFeature();

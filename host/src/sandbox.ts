/**
 * The sandbox: every first-party connector pointed at its own fake platform server, the embedded
 * store, one tenant with an echo bot and a support queue, and `POST /sandbox/:channel/messages`
 * to make a fake platform deliver a signed customer message.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, connectorPluginProblems, OffsetClock, type ConnectorPlugin, type FakePlatform, type Logger } from '@switchboard/core';
import type express from 'express';
import { configFromObject } from './config/load-config.js';
import type { HostConfig } from './config/host-config.js';
import { ValidationError, NotFoundError } from './errors.js';
import type { Host, HostOptions } from './host.js';
import { importPlugin } from './plugins/plugin-loader.js';
import type { BotContext } from './routing/bot-handler.js';
import { createConsoleFeature } from './console/console-feature.js';

/** The first-party connector packages the sandbox runs. */
export const FIRST_PARTY_CONNECTORS: readonly string[] = [
  '@switchboard/whatsapp', '@switchboard/messenger', '@switchboard/telegram', '@switchboard/viber', '@switchboard/apple',
];

/** The sandbox's tenant id and the account key of every sandbox connector. */
export const SANDBOX_TENANT = 'sandbox';
/** The account key every sandbox connector is served under: `/webhooks/<channel>/sandbox`. */
export const SANDBOX_ACCOUNT = 'sandbox';

/** A sandbox connector's fake platform. */
export interface SandboxFake {
  package: string;
  channel: string;
  fake: FakePlatform;
}

/** A prepared sandbox. */
export interface Sandbox {
  config: HostConfig;
  apiKey: string;
  /** True when the key was generated (print it). */
  generatedKey: boolean;
  fakes: Map<string, SandboxFake>;
  /**
   * The sandbox's clock: wall time that `POST /sandbox/clock` moves forward, so a closed service
   * window can be seen without waiting a day.
   */
  clock: OffsetClock;
  /** The agent console's first admin (a generated password unless SWITCHBOARD_CONSOLE_PASSWORD is set). */
  consoleAdmin: { email: string; password: string };
  /** Host options that mount the sandbox routes, use the sandbox clock, seed the console's admin and stop the fakes with the host. */
  hostOptions: Pick<HostOptions, 'extraRoutes' | 'onStop' | 'clock' | 'features'>;
}

/**
 * The sandbox's echo bot: answers every message but consent keywords (the consent feature confirms those)
 * through the policy-checked outbound path.
 * @param ctx - the bot context
 */
export async function sandboxEchoBot(ctx: BotContext): Promise<void> {
  // consent keywords are confirmed by the host's consent feature: the bot stays quiet on them
  if (ctx.keyword) return;
  await ctx.reply(ctx.text !== undefined ? `You said: ${ctx.text}` : `Received your ${ctx.message.content.type}.`);
}

/**
 * Prepares the sandbox: imports each first-party package, starts its fake platform, and builds the
 * config. It listens on 127.0.0.1 unless `hostname` or `HOST` says otherwise, and every secret is
 * drawn at this start (the fakes' own, the API key and console password unless given). A package that cannot be imported or has no fake is still listed, so `/readyz` says why.
 * @param options - packages (default all first-party ones), environment, logger
 * @returns the sandbox
 */
export async function createSandbox(options: {
  packages?: readonly string[]; env?: Record<string, string | undefined>; logger?: Logger; port?: number; baseDir?: string;
  /** Keep everything in memory instead of the SQLite file (lost at exit). */
  ephemeral?: boolean;
  /** The SQLite database file (default `data/switchboard.db` under `baseDir`, else the working directory). */
  database?: string;
  /** The interface to listen on (default `HOST` from the environment, else 127.0.0.1: the sandbox is not for other machines). */
  hostname?: string;
} = {}): Promise<Sandbox> {
  const env = options.env ?? process.env;
  const given = env.SWITCHBOARD_API_KEY;
  if (given !== undefined && given.length < 16) throw new ConfigError('SWITCHBOARD_API_KEY', 'must be at least 16 characters');
  const apiKey = given ?? `sbx_${randomBytes(18).toString('hex')}`;
  const fakes = new Map<string, SandboxFake>();
  const connectors: Record<string, unknown>[] = [];
  for (const pkg of options.packages ?? FIRST_PARTY_CONNECTORS) {
    let plugin: ConnectorPlugin | undefined;
    try {
      const candidate = await importPlugin(pkg, options.baseDir ?? process.cwd());
      if (connectorPluginProblems(candidate).length === 0) plugin = candidate as ConnectorPlugin;
    } catch (error) {
      options.logger?.warn({ package: pkg, err: error }, 'sandbox connector could not be imported');
    }
    if (!plugin?.fake) {
      // listed without a plugin: the loader retries the import and reports the failure in /readyz
      connectors.push({ package: pkg, required: false, accounts: [{ id: SANDBOX_ACCOUNT, tenant: SANDBOX_TENANT, config: {} }] });
      continue;
    }
    try {
      const fake = plugin.fake();
      await fake.start();
      fakes.set(plugin.channel, { package: pkg, channel: plugin.channel, fake });
      connectors.push({ package: pkg, plugin, required: false, accounts: [{ id: SANDBOX_ACCOUNT, tenant: SANDBOX_TENANT, config: fake.connectorConfig() }] });
    } catch (error) {
      options.logger?.warn({ package: pkg, err: error }, 'sandbox fake platform failed to start');
      connectors.push({ package: pkg, required: false, accounts: [{ id: SANDBOX_ACCOUNT, tenant: SANDBOX_TENANT, config: {} }] });
    }
  }
  const config = configFromObject({
    port: options.port ?? (env.PORT ? Number(env.PORT) : 3000),
    hostname: options.hostname ?? (env.HOST || '127.0.0.1'),
    logLevel: env.LOG_LEVEL ?? 'info',
    sandbox: true,
    ...(options.ephemeral ? { store: { kind: 'memory' } } : options.database ? { store: { kind: 'sqlite', path: options.database } } : {}),
    tenants: [{
      id: SANDBOX_TENANT, name: 'Sandbox', apiKeys: [apiKey],
      routing: {
        rules: [
          { match: { keyword: ['agent', 'human', 'person'] }, to: { queue: 'support' } },
          { to: { bot: 'echo' } },
        ],
        escalationQueue: 'support',
      },
    }],
    connectors,
    bots: { echo: sandboxEchoBot },
  }, { env: {}, baseDir: options.baseDir ?? process.cwd() });
  const clock = new OffsetClock();
  const consolePassword = env.SWITCHBOARD_CONSOLE_PASSWORD;
  if (consolePassword !== undefined && consolePassword.length < 12) throw new ConfigError('SWITCHBOARD_CONSOLE_PASSWORD', 'must be at least 12 characters');
  const consoleAdmin = { email: 'admin@sandbox.local', password: consolePassword ?? randomBytes(9).toString('base64url') };
  return {
    config, apiKey, generatedKey: given === undefined, fakes, clock, consoleAdmin,
    hostOptions: {
      clock,
      features: [createConsoleFeature({
        seedAgents: [
          { tenantId: SANDBOX_TENANT, email: consoleAdmin.email, password: consoleAdmin.password, name: 'Sandbox Admin', role: 'admin', resetPassword: true },
        ],
      })],
      extraRoutes: (app, auth, host) => mountSandboxRoutes(app, auth, host, fakes, clock),
      onStop: async () => { await Promise.all([...fakes.values()].map((f) => f.fake.stop())); },
    },
  };
}

/**
 * Mounts `POST /sandbox/:channel/messages` (`{ userId, text, name? }`): the channel's fake platform
 * signs a customer message and delivers it to the host's own webhook URL.
 * @param app - the Express app
 * @param auth - the API-key middleware
 * @param hostOf - the host (for its URL), once built
 * @param fakes - the fakes by channel
 */
export function mountSandboxRoutes(app: express.Express, auth: express.RequestHandler, hostOf: () => Host, fakes: Map<string, SandboxFake>, clock?: OffsetClock): void {
  app.post('/sandbox/clock', auth, async (req, res) => {
    if (!clock) throw new NotFoundError('sandbox clock', 'none');
    const body = await readJson(req);
    const minutes = body.advanceMinutes;
    if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0 || minutes > 60 * 24 * 366) {
      throw new ValidationError('advanceMinutes', 'must be a number of minutes from 0 to 527040');
    }
    clock.advance(minutes * 60_000);
    res.json({ now: new Date(clock.now()).toISOString(), aheadMs: clock.aheadMs });
  });
  app.post('/sandbox/:channel/messages', auth, async (req, res) => {
    const host = hostOf();
    const channel = String(req.params.channel);
    const sandbox = fakes.get(channel);
    if (!sandbox || !host.registry.get(channel, SANDBOX_ACCOUNT)) throw new NotFoundError('sandbox channel', channel);
    const body = await readJson(req);
    const userId = body.userId;
    const text = body.text;
    const name = body.name;
    if (typeof userId !== 'string' || userId === '') throw new ValidationError('userId', 'must be a non-empty string');
    if (typeof text !== 'string' || text === '') throw new ValidationError('text', 'must be a non-empty string');
    if (name !== undefined && typeof name !== 'string') throw new ValidationError('name', 'must be a string');
    const webhookUrl = `${host.url}/webhooks/${encodeURIComponent(channel)}/${SANDBOX_ACCOUNT}`;
    const webhook = sandbox.fake.userMessage({ userId, text, ...(name ? { name } : {}) });
    const answer = await sandbox.fake.deliver(webhookUrl, webhook);
    res.status(answer.status === 200 ? 202 : 502).json({ delivered: answer.status === 200, webhookUrl, hostAnswer: { status: answer.status } });
  });
}

async function readJson(req: express.Request): Promise<Record<string, unknown>> {
  if (req.body !== undefined && typeof req.body === 'object' && req.body !== null) return req.body as Record<string, unknown>;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new ValidationError('body', 'is too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError('body', 'must be a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError('body', 'is not valid JSON');
  }
}

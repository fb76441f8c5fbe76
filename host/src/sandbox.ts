/**
 * The sandbox: every first-party connector pointed at its own fake platform server, the embedded
 * store, one tenant with an echo bot and a support queue, and the `/sandbox/...` routes: make a
 * fake platform deliver a customer's message or any other event it simulates, see what a platform
 * received, approve a template, flush receipts, move the clock. Every fake runs on the sandbox's
 * clock and sends delivery and read receipts to the host by itself.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  ConfigError, connectorPluginProblems, OffsetClock, type ConnectorPlugin, type FakePlatform, type FakeReceiptOptions, type Logger,
} from '@switchboard/core';
import express from 'express';
import { parseBody, parseQuery, RequestValidationError } from './api/validation.js';
import { configFromObject } from './config/load-config.js';
import type { HostConfig } from './config/host-config.js';
import { NotFoundError } from './errors.js';
import type { Host, HostOptions } from './host.js';
import { SandboxClockSchema, SandboxEventSchema, SandboxMessageSchema, SandboxSentQuerySchema, SandboxTemplateReviewSchema } from './sandbox-schemas.js';
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
  /** The receipts every fake sends (from the options, else the environment, else the fakes' defaults). */
  receipts: FakeReceiptOptions;
  /**
   * Host options that mount the sandbox routes, use the sandbox clock, seed the console's admin,
   * tell the fakes the host's webhook URLs once it listens and stop the fakes with the host.
   */
  hostOptions: Pick<HostOptions, 'extraRoutes' | 'onStop' | 'onListen' | 'clock' | 'features'>;
}

/**
 * The host's webhook URL for a sandbox channel.
 * @param hostUrl - the host's base URL, e.g. `http://127.0.0.1:3000`
 * @param channel - the channel
 * @returns e.g. `http://127.0.0.1:3000/webhooks/whatsapp/sandbox`
 */
export function sandboxWebhookUrl(hostUrl: string, channel: string): string {
  return `${hostUrl}/webhooks/${encodeURIComponent(channel)}/${SANDBOX_ACCOUNT}`;
}

/**
 * The receipt settings from the environment: `SWITCHBOARD_SANDBOX_RECEIPTS` (`on`, the default, or
 * `off`), `SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS` (before `delivered`, default 500),
 * `SWITCHBOARD_SANDBOX_READ_DELAY_MS` (from `delivered` to `read`, default 1000; negative: no
 * read receipts) and `SWITCHBOARD_SANDBOX_RECEIPT_LOSS` (the share lost, 0 to 1, default 0).
 * @param env - the environment
 * @returns the options given (unset ones left to the fakes' defaults)
 * @throws ConfigError naming the variable when a value is not one of those
 */
export function sandboxReceiptsFromEnv(env: Record<string, string | undefined>): FakeReceiptOptions {
  const out: FakeReceiptOptions = {};
  const number = (name: string, check: (n: number) => boolean, expected: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || !check(n)) throw new ConfigError(name, `must be ${expected} (got "${raw}")`);
    return n;
  };
  const enabled = env.SWITCHBOARD_SANDBOX_RECEIPTS?.trim().toLowerCase();
  if (enabled !== undefined && enabled !== '') {
    if (!['on', 'off', 'true', 'false', '1', '0'].includes(enabled)) throw new ConfigError('SWITCHBOARD_SANDBOX_RECEIPTS', `must be on or off (got "${env.SWITCHBOARD_SANDBOX_RECEIPTS}")`);
    out.enabled = ['on', 'true', '1'].includes(enabled);
  }
  const delivered = number('SWITCHBOARD_SANDBOX_RECEIPT_DELAY_MS', (n) => n >= 0, 'a number of milliseconds, 0 or more');
  if (delivered !== undefined) out.deliveredAfterMs = delivered;
  const read = number('SWITCHBOARD_SANDBOX_READ_DELAY_MS', () => true, 'a number of milliseconds (negative: no read receipts)');
  if (read !== undefined) out.readAfterMs = read;
  const loss = number('SWITCHBOARD_SANDBOX_RECEIPT_LOSS', (n) => n >= 0 && n <= 1, 'a share from 0 to 1');
  if (loss !== undefined) out.lossRate = loss;
  return out;
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
 * Prepares the sandbox: imports each first-party package, starts its fake platform on the
 * sandbox's clock with the receipt settings, and builds the config. It listens on 127.0.0.1 unless
 * `hostname` or `HOST` says otherwise, and every secret is drawn at this start (the fakes' own, the
 * API key and console password unless given). A package that cannot be imported or has no fake is
 * still listed, so `/readyz` says why.
 * @param options - packages (default all first-party ones), environment, logger, receipts
 * @returns the sandbox
 * @throws ConfigError when an environment variable holds a value it cannot take
 */
export async function createSandbox(options: {
  packages?: readonly string[]; env?: Record<string, string | undefined>; logger?: Logger; port?: number; baseDir?: string;
  /** Keep everything in memory instead of the SQLite file (lost at exit). */
  ephemeral?: boolean;
  /** The SQLite database file (default `data/switchboard.db` under `baseDir`, else the working directory). */
  database?: string;
  /** The interface to listen on (default `HOST` from the environment, else 127.0.0.1: the sandbox is not for other machines). */
  hostname?: string;
  /** Delivery and read receipts of every fake (over the `SWITCHBOARD_SANDBOX_RECEIPT*` variables; see {@link sandboxReceiptsFromEnv}). */
  receipts?: FakeReceiptOptions;
} = {}): Promise<Sandbox> {
  const env = options.env ?? process.env;
  const given = env.SWITCHBOARD_API_KEY;
  if (given !== undefined && given.length < 16) throw new ConfigError('SWITCHBOARD_API_KEY', 'must be at least 16 characters');
  const apiKey = given ?? `sbx_${randomBytes(18).toString('hex')}`;
  const receipts: FakeReceiptOptions = { ...sandboxReceiptsFromEnv(env), ...options.receipts };
  // one clock for the host and every fake: POST /sandbox/clock moves the platforms' time too
  const clock = new OffsetClock();
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
      const fake = plugin.fake({ clock, receipts });
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
  const consolePassword = env.SWITCHBOARD_CONSOLE_PASSWORD;
  if (consolePassword !== undefined && consolePassword.length < 12) throw new ConfigError('SWITCHBOARD_CONSOLE_PASSWORD', 'must be at least 12 characters');
  const consoleAdmin = { email: 'admin@sandbox.local', password: consolePassword ?? randomBytes(9).toString('base64url') };
  return {
    config, apiKey, generatedKey: given === undefined, fakes, clock, consoleAdmin, receipts,
    hostOptions: {
      clock,
      features: [createConsoleFeature({
        seedAgents: [
          { tenantId: SANDBOX_TENANT, email: consoleAdmin.email, password: consoleAdmin.password, name: 'Sandbox Admin', role: 'admin', resetPassword: true },
        ],
      })],
      extraRoutes: (app, auth, host) => mountSandboxRoutes(app, auth, host, fakes, clock),
      // the fakes post receipts and announcements to the host's webhook URL, known once it listens
      onListen: (host) => { for (const f of fakes.values()) f.fake.setWebhookUrl?.(sandboxWebhookUrl(host.url, f.channel)); },
      onStop: async () => { await Promise.all([...fakes.values()].map((f) => f.fake.stop())); },
    },
  };
}

/** The answer of a route that made a fake platform post a webhook to the host. */
interface Delivered {
  delivered: boolean;
  webhookUrl: string;
  hostAnswer: { status: number };
}

/**
 * Mounts the sandbox routes (API key required; JSON bodies up to 64 KiB, closed schemas, every
 * problem a 400 `VALIDATION_FAILED` naming its field):
 * - `POST /sandbox/clock` `{ advanceMinutes }`: moves the host's and every fake's clock forward;
 * - `POST /sandbox/:channel/messages` `{ userId, text, name? }`: the fake delivers a signed customer message;
 * - `POST /sandbox/:channel/events` `{ kind, userId, … }`: any event kind the fake simulates (400 listing them otherwise);
 * - `GET /sandbox/:channel/sent?limit&offset&userId`: what the platform accepted from the business, newest first;
 * - `POST /sandbox/:channel/templates/review` `{ name, language?, status, reason? }`: the platform's review (404 for an unknown template);
 * - `POST /sandbox/:channel/receipts/flush`: posts every pending delivery and read receipt now.
 * @param app - the Express app
 * @param auth - the API-key middleware
 * @param hostOf - the host (for its URL), once built
 * @param fakes - the fakes by channel
 * @param clock - the sandbox clock (without one, `POST /sandbox/clock` answers 404)
 */
export function mountSandboxRoutes(app: express.Express, auth: express.RequestHandler, hostOf: () => Host, fakes: Map<string, SandboxFake>, clock?: OffsetClock): void {
  const router = express.Router();
  router.use(auth, express.json({ limit: '64kb' }));
  const fakeOf = (req: express.Request): { host: Host; sandbox: SandboxFake; channel: string } => {
    const host = hostOf();
    const channel = String(req.params.channel);
    const sandbox = fakes.get(channel);
    if (!sandbox || !host.registry.get(channel, SANDBOX_ACCOUNT)) throw new NotFoundError('sandbox channel', channel);
    return { host, sandbox, channel };
  };
  const deliver = async (host: Host, sandbox: SandboxFake, webhook: ReturnType<FakePlatform['userMessage']>): Promise<Delivered> => {
    const webhookUrl = sandboxWebhookUrl(host.url, sandbox.channel);
    const answer = await sandbox.fake.deliver(webhookUrl, webhook);
    return { delivered: answer.status === 200, webhookUrl, hostAnswer: { status: answer.status } };
  };

  router.post('/clock', (req, res) => {
    if (!clock) throw new NotFoundError('sandbox clock', 'none');
    const { advanceMinutes } = parseBody(SandboxClockSchema, req);
    clock.advance(advanceMinutes * 60_000);
    res.json({ now: new Date(clock.now()).toISOString(), aheadMs: clock.aheadMs });
  });
  router.post('/:channel/messages', async (req, res) => {
    const { host, sandbox } = fakeOf(req);
    const { userId, text, name } = parseBody(SandboxMessageSchema, req);
    const result = await deliver(host, sandbox, sandbox.fake.userMessage({ userId, text, ...(name !== undefined ? { name } : {}) }));
    res.status(result.delivered ? 202 : 502).json(result);
  });
  router.post('/:channel/events', async (req, res) => {
    const { host, sandbox, channel } = fakeOf(req);
    const supported = sandbox.fake.simulatedKinds ?? ['text'];
    const kind = (req.body as { kind?: unknown } | undefined)?.kind;
    if (typeof kind === 'string' && !supported.includes(kind as never)) {
      throw new RequestValidationError([{ field: 'kind', message: `the ${channel} fake platform does not simulate '${kind}' events; it simulates: ${supported.join(', ')}` }]);
    }
    const event = parseBody(SandboxEventSchema, req);
    const webhook = sandbox.fake.simulate
      ? sandbox.fake.simulate(event)
      : event.kind === 'text' ? sandbox.fake.userMessage({ userId: event.userId, text: event.text, ...(event.name !== undefined ? { name: event.name } : {}) }) : undefined;
    if (!webhook) throw new RequestValidationError([{ field: 'kind', message: `the ${channel} fake platform simulates: text` }]);
    const result = await deliver(host, sandbox, webhook);
    res.status(result.delivered ? 202 : 502).json({ kind: event.kind, ...result });
  });
  router.get('/:channel/sent', (req, res) => {
    const { sandbox, channel } = fakeOf(req);
    const query = parseQuery(SandboxSentQuerySchema, req);
    if (!sandbox.fake.sentMessages) throw new NotFoundError('sent log of the fake platform', channel);
    const all = sandbox.fake.sentMessages().filter((m) => query.userId === undefined || m.userId === query.userId).reverse();
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 50;
    res.json({ items: all.slice(offset, offset + limit), total: all.length, offset, limit });
  });
  router.post('/:channel/templates/review', async (req, res) => {
    const { sandbox, channel } = fakeOf(req);
    const review = parseBody(SandboxTemplateReviewSchema, req);
    if (!sandbox.fake.reviewTemplate) throw new NotFoundError('template review on the fake platform', channel);
    if (!(await sandbox.fake.reviewTemplate(review))) throw new NotFoundError('template', review.language ? `${review.name} (${review.language})` : review.name);
    res.json({ reviewed: true, ...review });
  });
  router.post('/:channel/receipts/flush', async (req, res) => {
    const { sandbox } = fakeOf(req);
    const posted = sandbox.fake.flushReceipts ? await sandbox.fake.flushReceipts() : 0;
    res.json({ posted });
  });
  app.use('/sandbox', router);
}

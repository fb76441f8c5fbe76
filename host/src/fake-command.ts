/**
 * `switchboard fake <channel>`: one fake platform server on its own, for an integrator's tests —
 * the platform's API at one URL, and beside it a small control server (127.0.0.1 only) that makes
 * the fake deliver customer events to a webhook URL, lists what it received, reviews templates and
 * flushes receipts. The control routes take the sandbox's schemas.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, connectorPluginProblems, type ConnectorPlugin, type FakePlatform, type FakeReceiptOptions } from '@switchboard/core';
import { z } from 'zod';
import { parseInput, RequestValidationError } from './api/validation.js';
import { errorResponse, NotFoundError } from './errors.js';
import { importPlugin } from './plugins/plugin-loader.js';
import { SandboxEventSchema, SandboxSentQuerySchema, SandboxTemplateReviewSchema } from './sandbox-schemas.js';

/** The package of each first-party channel (`switchboard fake whatsapp`). */
export const FIRST_PARTY_FAKES: Readonly<Record<string, string>> = {
  whatsapp: '@switchboard/whatsapp', messenger: '@switchboard/messenger', telegram: '@switchboard/telegram', viber: '@switchboard/viber', apple: '@switchboard/apple',
};

/** A customer id each first-party platform accepts a reply to (WhatsApp's are phone numbers). */
export const SAMPLE_USER_IDS: Readonly<Record<string, string>> = { whatsapp: '15550101001' };

/**
 * A customer id the channel's platform accepts a reply to, for printed examples.
 * @param channel - the channel
 * @returns `15550101001` for WhatsApp (E.164 digits), `1001` elsewhere
 */
export function sampleUserId(channel: string): string {
  return SAMPLE_USER_IDS[channel] ?? '1001';
}

/** Options of {@link startStandaloneFake}. */
export interface StandaloneFakeOptions {
  /** The channel (a first-party one), or the channel of `package`. */
  channel: string;
  /** A connector package to take the fake from (default the first-party package of `channel`). */
  package?: string;
  /** Port of the fake platform (default 0: a free one). */
  port?: number;
  /** Port of the control server (default 0: a free one). */
  controlPort?: number;
  /** Where the fake delivers events and receipts (the integrator's webhook URL); can be set later with `PUT /webhook`. */
  webhookUrl?: string;
  /** Receipts the fake sends (default: the fake's defaults). */
  receipts?: FakeReceiptOptions;
  /** Where packages are resolved from (default the working directory). */
  baseDir?: string;
}

/** A running standalone fake. */
export interface StandaloneFake {
  channel: string;
  fake: FakePlatform;
  /** The platform API's base URL (what the connector's `apiBaseUrl` points at). */
  url: string;
  /** The control server's base URL. */
  controlUrl: string;
  /** Stops the control server and the fake (pending receipts are dropped). */
  stop(): Promise<void>;
}

const WebhookSchema = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(4000) });

/**
 * Starts a fake platform and its control server:
 * - `POST /events` `{ kind, userId, … }`: the fake signs the event and posts it to the webhook URL (502 when that URL refuses it);
 * - `GET /sent?limit&offset&userId`: what the platform accepted, newest first;
 * - `POST /templates/review` `{ name, language?, status, reason? }`: the platform's review of a template;
 * - `POST /receipts/flush`: posts every pending receipt now;
 * - `PUT /webhook` `{ url }` and `GET /webhook`: where events and receipts go.
 * @param options - channel, ports, webhook URL
 * @returns the running fake
 * @throws ConfigError when the channel is unknown or its package has no fake platform
 */
export async function startStandaloneFake(options: StandaloneFakeOptions): Promise<StandaloneFake> {
  const pkg = options.package ?? FIRST_PARTY_FAKES[options.channel];
  if (!pkg) throw new ConfigError('channel', `no first-party fake platform for "${options.channel}" (one of ${Object.keys(FIRST_PARTY_FAKES).join(', ')}; or give --package <connector package>)`);
  const candidate = await importPlugin(pkg, options.baseDir ?? process.cwd());
  const problems = connectorPluginProblems(candidate);
  if (problems.length > 0) throw new ConfigError('package', `${pkg} is not a connector plugin: ${problems.join('; ')}`);
  const plugin = candidate as ConnectorPlugin;
  if (!plugin.fake) throw new ConfigError('package', `${pkg} offers no fake platform server`);
  if (options.package && plugin.channel !== options.channel) throw new ConfigError('channel', `${pkg} is the ${plugin.channel} connector, not ${options.channel}`);
  const fake = plugin.fake({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
    ...(options.receipts ? { receipts: options.receipts } : {}),
  });
  let webhookUrl = options.webhookUrl;
  if (webhookUrl !== undefined) fake.setWebhookUrl?.(webhookUrl);
  await fake.start();
  const control = createServer((req, res) => { void serve(req, res); });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://control');
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
      switch (route) {
        case 'POST /events': {
          const supported = fake.simulatedKinds ?? ['text'];
          const kind = (body as { kind?: unknown } | undefined)?.kind;
          if (typeof kind === 'string' && !supported.includes(kind as never)) {
            throw new RequestValidationError([{ field: 'kind', message: `the ${plugin.channel} fake platform does not simulate '${kind}' events; it simulates: ${supported.join(', ')}` }]);
          }
          const event = parseInput(SandboxEventSchema, body ?? {});
          if (webhookUrl === undefined) throw new RequestValidationError([{ field: 'webhook', message: 'no webhook URL: start with --webhook <url> or PUT /webhook { "url": … }' }]);
          const webhook = fake.simulate
            ? fake.simulate(event)
            : event.kind === 'text' ? fake.userMessage({ userId: event.userId, text: event.text, ...(event.name !== undefined ? { name: event.name } : {}) }) : undefined;
          if (!webhook) throw new RequestValidationError([{ field: 'kind', message: `the ${plugin.channel} fake platform simulates: text` }]);
          let answer: { status: number };
          try {
            answer = await fake.deliver(webhookUrl, webhook);
          } catch (error) {
            // nothing answered at the webhook URL: say so rather than fail the control call
            return send(res, 502, { delivered: false, kind: event.kind, webhookUrl, webhookAnswer: { error: (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message } });
          }
          const delivered = answer.status >= 200 && answer.status < 300;
          return send(res, delivered ? 202 : 502, { delivered, kind: event.kind, webhookUrl, webhookAnswer: { status: answer.status } });
        }
        case 'GET /sent': {
          const query = parseInput(SandboxSentQuerySchema, Object.fromEntries(url.searchParams), 'query');
          if (!fake.sentMessages) throw new NotFoundError('sent log of the fake platform', plugin.channel);
          const all = fake.sentMessages().filter((m) => query.userId === undefined || m.userId === query.userId).reverse();
          const offset = query.offset ?? 0;
          const limit = query.limit ?? 50;
          return send(res, 200, { items: all.slice(offset, offset + limit), total: all.length, offset, limit });
        }
        case 'POST /templates/review': {
          const review = parseInput(SandboxTemplateReviewSchema, body ?? {});
          if (!fake.reviewTemplate) throw new NotFoundError('template review on the fake platform', plugin.channel);
          if (!(await fake.reviewTemplate(review))) throw new NotFoundError('template', review.name);
          return send(res, 200, { reviewed: true, ...review });
        }
        case 'POST /receipts/flush':
          return send(res, 200, { posted: fake.flushReceipts ? await fake.flushReceipts() : 0 });
        case 'PUT /webhook': {
          webhookUrl = parseInput(WebhookSchema, body ?? {}).url;
          fake.setWebhookUrl?.(webhookUrl);
          return send(res, 200, { url: webhookUrl });
        }
        case 'GET /webhook':
          return send(res, 200, { url: webhookUrl ?? null });
        default:
          throw new NotFoundError('route', route);
      }
    } catch (error) {
      const { status, body } = errorResponse(error);
      send(res, status, body);
    }
  };
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(options.controlPort ?? 0, '127.0.0.1', () => { control.off('error', reject); resolve(); });
  });
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  return {
    channel: plugin.channel, fake, url: fake.url, controlUrl,
    stop: async () => {
      control.closeAllConnections();
      await Promise.all([new Promise<void>((r) => control.close(() => r())), fake.stop()]);
    },
  };
}

/**
 * What `switchboard fake` prints: the URLs, the connector config and how to post an event.
 * @param running - the running fake
 * @returns the lines
 */
export function describeStandaloneFake(running: StandaloneFake): string[] {
  const userId = sampleUserId(running.channel);
  const event = JSON.stringify({ kind: 'text', userId, text: 'Hello' });
  const kinds = running.fake.simulatedKinds ?? ['text'];
  return [
    `Fake ${running.channel} platform at ${running.url}`,
    `  Control: ${running.controlUrl}   (127.0.0.1 only)`,
    `  Connector config (its secrets are drawn at this start):`,
    `    ${JSON.stringify(running.fake.connectorConfig())}`,
    `  Simulated event kinds: ${kinds.join(', ')}`,
    '',
    'Tell it where your webhook is (or start with --webhook <url>), then post a customer event:',
    `  curl -s -X PUT ${running.controlUrl}/webhook -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:3000/webhooks/${running.channel}/main"}'`,
    `  curl -s -X POST ${running.controlUrl}/events -H 'content-type: application/json' -d '${event}'`,
    `  curl -s ${running.controlUrl}/sent`,
    '',
    'Ctrl-C stops it.',
  ];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new RequestValidationError([{ field: 'body', message: 'is larger than 64 KiB' }]);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestValidationError([{ field: 'body', message: 'is not valid JSON' }]);
  }
}

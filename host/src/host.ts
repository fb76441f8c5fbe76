/**
 * Assembles the host: container, stores, plugins, processor, router, API and the HTTP server.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock, ConfigError, Logger, PlatformFetch, systemClock, type Clock as ClockType, type Logger as LoggerType } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import type express from 'express';
import { createApiApp, type Readiness } from './api/rest-api.js';
import { HostConfig } from './config/host-config.js';
import { RequestAdmission, type BodyRoute } from './ingress/request-admission.js';
import { WebhookIngress } from './ingress/webhook-ingress.js';
import { createHostLogger } from './logging.js';
import type { HostFeature, HostFeatureContext, HostFeatureFactory } from './features.js';
import { OutboundGateway } from './outbound/outbound-gateway.js';
import { OutboundRuntime, type OutboundRuntimeOptions } from './outbound/outbound-runtime.js';
import { outboundFeature } from './outbound/outbound-routes.js';
import { consoleFeature } from './console/console-feature.js';
import { createConsentFeature } from './consent/consent-feature.js';
import { ConsentService } from './consent/consent-service.js';
import { createComplianceFeature } from './compliance/compliance-feature.js';
import { createAnalyticsFeature } from './analytics/analytics-feature.js';
import { createEventsFeature } from './events/events-feature.js';
import { ConnectorRegistry, StaticConnectorRegistry } from './plugins/connector-registry.js';
import { loadConnectors, type PluginStatus } from './plugins/plugin-loader.js';
import { InboxProcessor, type InboxProcessorOptions } from './processing/inbox-processor.js';
import { instantiateBotHandler } from './routing/bot-handler.js';
import { ConversationService } from './routing/conversation-service.js';
import { Forwarder } from './routing/forwarder.js';
import { canReachHuman, Router } from './routing/router.js';
import { createHostStores } from './stores/host-stores.js';
import { describeStore, openStorageDriver } from './stores/open-driver.js';
import {
  ConsentLedgerStore, ContactStore, ConversationStore, DeadLetterStore, HostStores, InboxStore, MessageStore, OutboxStore,
} from './stores/stores.js';
import { completeHostStreams, createHostStreams, HostStreams } from './streams.js';
import { createMediaFeature, openMediaRuntime, type MediaRuntime } from './media/media-feature.js';
import type { MediaFetcherOptions } from './media/media-fetcher.js';
import type { DocumentTemplates } from './documents/document-template.js';
import type { MediaScanner } from './media/media-policy.js';
import { MediaStore, MediaUrls, type BlobStore } from './media/media-store.js';

/** What the outbound issue's gateway factory is given. */
export interface GatewayFactoryDeps {
  container: Container;
  stores: HostStores;
  registry: ConnectorRegistry;
  streams: HostStreams;
  clock: ClockType;
  logger: LoggerType;
  config: HostConfig;
}

/** Options of {@link createHost} (everything has a default). */
export interface HostOptions {
  logger?: LoggerType;
  clock?: ClockType;
  /** Stores to use instead of those the config names (the host will not close them). */
  stores?: HostStores;
  /** The fetch the forwarder uses. */
  fetch?: typeof fetch;
  /**
   * The fetch connectors call their platforms with (a proxy, tracing, a shorter timeout than the
   * connectors' 15 s); bound as core's `PlatformFetch`.
   */
  platformFetch?: typeof fetch;
  /** Forwarder's wait between retries (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  processor?: InboxProcessorOptions;
  /** Replaces the policy-enforcing gateway bot handlers and the conversation API send through. */
  gateway?: (deps: GatewayFactoryDeps) => OutboundGateway;
  /** Outbound stores, timer and dispatcher settings. */
  outbound?: OutboundRuntimeOptions;
  /**
   * Features added to the built-in ones (the outbound API and the agent console); one with the
   * name of a built-in replaces it (e.g. `createConsoleFeature({ seedAgents })`).
   */
  features?: HostFeatureFactory[];
  /** Extra Express routes (the sandbox's). */
  extraRoutes?: (app: express.Express, auth: express.RequestHandler, host: () => Host) => void;
  /** Called on stop, after the server closed (the sandbox stops its fake platforms). */
  onStop?: () => Promise<void>;
  /** Called once the server listens, with the host (its `url` set): the sandbox tells its fake platforms the webhook URLs. */
  onListen?: (host: Host) => void | Promise<void>;
  /** Webhook body limit in bytes (default 3 MB). */
  maxWebhookBytes?: number;
  /** Where media bytes go, instead of the blob store the config names (the host will not close it). */
  mediaBlobs?: BlobStore;
  /** A virus scanner for media files, instead of the config's `media.scanner`. */
  mediaScanner?: MediaScanner;
  /** Overrides of the config's `media.fetch` (concurrency, retries, timeouts, the backoff's randomness). */
  mediaFetcher?: MediaFetcherOptions;
  /**
   * The document templates the host renders generated documents from (`POST /v1/messages` with
   * `document`, a bot's `ctx.replyDocument`). Default: the built-in `boarding-pass` and
   * `order-receipt`. To add a business's own, give them all:
   * `new DocumentTemplates([...builtInDocumentTemplates, invoice])`. See `documents/README.md`.
   */
  documents?: DocumentTemplates;
  /**
   * Waits out a stop's deadline (`server.stopDeadlineMs`; default a timer). A test passes one it
   * ends itself, to show what a stop waits for without measuring time.
   */
  stopDeadline?: (ms: number) => Promise<void>;
}

/**
 * How the Express routes read bodies: none reads more than 1 MiB (the API's JSON limit; the console
 * and the sandbox read less), so a body sent chunked is reserved at that much before it is read.
 */
export const EXPRESS_BODY_ROUTE: BodyRoute = { limit: 1024 * 1024, growable: false };

/**
 * How `POST /v1/media` reads bodies: a file streams to the media store a chunk at a time (its
 * tenant's limits apply there), so it holds no body budget; it still counts as a request whose body
 * is arriving.
 */
export const MEDIA_UPLOAD_BODY_ROUTE: BodyRoute = { limit: 0, growable: true };

/** Whether a request is a multipart media upload (`POST /v1/media`, any query). */
function isMediaUpload(req: import('node:http').IncomingMessage): boolean {
  return req.method === 'POST' && /^\/v1\/media\/?(\?|$)/.test(req.url ?? '') && /^multipart\//i.test(req.headers['content-type'] ?? '');
}

/**
 * A fetch for platform calls that every call can be aborted through at once, whatever signal the
 * connector gave it (its own timeout stays in force).
 * @param signal - aborted when the host gives up on its platform calls (at its stop deadline)
 * @param base - the fetch to call (default the global one, looked up at each call)
 * @returns the fetch to bind as core's `PlatformFetch`
 */
export function abortablePlatformFetch(signal: AbortSignal, base?: typeof fetch): typeof fetch {
  return (input, init) => {
    const own = init?.signal;
    return (base ?? globalThis.fetch)(input, { ...init, signal: own ? AbortSignal.any([own, signal]) : signal });
  };
}

/** A running (or ready to listen) host. */
export class Host {
  private server: Server | undefined;
  private baseUrl = '';
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** Limits on work before authentication (body bytes held, bodies arriving); every request passes it first. */
  readonly admission: RequestAdmission;

  /** @internal built by {@link createHost} */
  constructor(
    readonly container: Container,
    readonly config: HostConfig,
    readonly stores: HostStores,
    readonly streams: HostStreams,
    readonly registry: ConnectorRegistry,
    readonly processor: InboxProcessor,
    readonly ingress: WebhookIngress,
    readonly conversations: ConversationService,
    readonly gateway: OutboundGateway,
    readonly forwarder: Forwarder,
    readonly plugins: readonly PluginStatus[],
    readonly logger: LoggerType,
    /** The outbound path: service (library API), dispatcher, templates. */
    readonly outbound: OutboundRuntime,
    /** The features mounted on this host. */
    readonly features: readonly HostFeature[],
    private readonly app: express.Express,
    private readonly ownsStores: boolean,
    private readonly onStop: (() => Promise<void>) | undefined,
    /** Aborted at the stop deadline: every platform call still in flight (see {@link abortablePlatformFetch}). */
    private readonly platformCalls: AbortController = new AbortController(),
    private readonly stopDeadline: (ms: number) => Promise<void> = defaultStopDeadline,
    private readonly onListen?: (host: Host) => void | Promise<void>,
    /** The host's media: store, URLs, inbound fetcher. */
    readonly media?: MediaRuntime,
  ) {
    this.admission = new RequestAdmission(config.server);
  }

  /** Base URL once listening, e.g. `http://127.0.0.1:3000`. */
  get url(): string {
    return this.baseUrl;
  }

  /** The interface and port the server is bound to, once listening. */
  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * The Node request handler: admission first (503 with Retry-After over the body budget, the cap
   * on bodies arriving, or while stopping), then webhooks on the lean path, the rest through Express.
   */
  readonly handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const webhook = this.ingress.owns(req.url);
    const ticket = this.admission.admit(req, res, webhook ? this.ingress.bodyRoute : isMediaUpload(req) ? MEDIA_UPLOAD_BODY_ROUTE : EXPRESS_BODY_ROUTE);
    if (!ticket) return;
    if (webhook) void this.ingress.handle(req, res, ticket);
    else this.app(req, res);
  };

  /**
   * Starts the processor and listens.
   * @param port - port (0 picks a free one; default the config's)
   * @param hostname - interface (default the config's, else all)
   * @returns the bound port and base URL
   */
  async listen(port = this.config.port, hostname = this.config.hostname): Promise<{ port: number; url: string }> {
    this.processor.start();
    this.outbound.start();
    for (const f of this.features) await f.start?.();
    const limits = this.config.server;
    const server = createServer({
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // how often Node looks for connections past those limits: often enough that a limit is kept to within a fraction
      connectionsCheckingInterval: Math.max(50, Math.min(limits.headersTimeoutMs / 4, 30_000)),
    }, this.handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostname, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const shown = hostname && hostname !== '0.0.0.0' && hostname !== '::' ? hostname : '127.0.0.1';
    this.baseUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
    this.logger.info({ url: this.baseUrl, connectors: this.plugins.map((p) => `${p.package}:${p.state}`) }, 'switchboard host listening');
    await this.onListen?.(this);
    return { port: address.port, url: this.baseUrl };
  }

  /** Readiness: the store answers; which plugins loaded or failed and why. */
  async readiness(): Promise<Readiness> {
    let store: Readiness['store'] = { kind: this.stores.kind, ok: true };
    try { await this.stores.ping(); } catch (error) { store = { kind: this.stores.kind, ok: false, error: (error as Error).message }; }
    const connectors = this.plugins.map((p) => ({
      package: p.package, state: p.state, required: p.required, accounts: p.accounts,
      ...(p.channel ? { channel: p.channel } : {}), ...(p.error ? { error: p.error } : {}),
    }));
    const status = this.stopped || !store.ok ? 'not-ready' : connectors.some((c) => c.state === 'failed') ? 'degraded' : 'ready';
    return { status, store, connectors };
  }

  /**
   * Stops within the config's `server.stopDeadlineMs` (default 5 s): new requests get 503; requests
   * being answered and platform calls in flight may finish until the deadline; then the remaining
   * connections are cut and the platform calls still waiting are aborted — their outbox entries
   * are given back, due at once, so the next start (or another process on the store) sends them
   * from the parts the platform accepted and the host recorded, never those again. Messages waiting
   * for a rate slot or behind another send are given back at once. A second call waits for the first.
   * @returns once everything the host opened is closed
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopWithin();
    return this.stopping;
  }

  private async stopWithin(): Promise<void> {
    this.stopped = true;
    this.admission.close();
    let expired = false;
    const deadline = this.stopDeadline(this.config.server.stopDeadlineMs).then(() => { expired = true; });
    // at the deadline every platform call (and forward) still waiting is aborted: nothing below waits longer
    void deadline.then(() => this.platformCalls.abort());
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => { server.close(() => resolve()); });
      server.closeIdleConnections();
      // event streams are not waited for: they end with the host's streams
      await Promise.race([this.admission.settled(), deadline]);
      server.closeAllConnections();
      await closed;
    }
    this.forwarder.stop();
    await this.processor.stop();
    for (const f of [...this.features].reverse()) await f.stop?.();
    await this.outbound.stop();
    await this.media?.close();
    if (expired) this.logger.warn({ deadlineMs: this.config.server.stopDeadlineMs, givenBack: this.outbound.dispatcher.stats.givenBack }, 'stop deadline reached: connections cut, platform calls aborted, their messages given back to the outbox');
    await this.onStop?.();
    completeHostStreams(this.streams);
    if (this.ownsStores) await this.stores.close();
  }
}

function defaultStopDeadline(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref(); });
}

/**
 * Builds a host from a validated config: loads the plugins (isolating optional ones that fail),
 * refuses Apple-like accounts whose conversations cannot reach a human, and wires everything into
 * one inversify container.
 * @param config - from {@link loadConfigFile} or {@link configFromObject}
 * @param options - injected dependencies
 * @returns the host (call `listen`)
 * @throws ConfigError or PluginLoadError when it cannot start
 */
export async function createHost(config: HostConfig, options: HostOptions = {}): Promise<Host> {
  const logger = options.logger ?? createHostLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const container = new Container();
  container.bind(HostConfig).toConstantValue(config);
  container.bind(Logger).toConstantValue(logger);
  container.bind(Clock).toConstantValue(clock);
  // every platform call goes through one fetch the host can abort at its stop deadline
  const platformCalls = new AbortController();
  const platformFetch = abortablePlatformFetch(platformCalls.signal, options.platformFetch);
  container.bind(PlatformFetch).toConstantValue(platformFetch);

  // connectors are built in containers of their own: they get the platform fetch there, not from this one
  const { statuses, bindings } = await loadConnectors(config, container, { logger, clock, fetch: platformFetch });
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  for (const b of bindings) {
    if (!b.plugin.policy.requiresHumanEscalation) continue;
    const tenant = tenants.get(b.tenantId)!;
    if (!canReachHuman(tenant, b.channel, b.account)) {
      const i = config.tenants.indexOf(tenant);
      throw new ConfigError(`tenants[${i}].routing`, `${b.plugin.displayName} account "${b.account}" requires that conversations can reach a human agent: set routing.escalationQueue or a rule routing ${b.channel} to a queue`);
    }
  }

  const ownsStores = !options.stores;
  let stores: HostStores;
  if (options.stores) stores = options.stores;
  else {
    stores = createHostStores(await openStorageDriver(config.store), { now: () => clock.now() });
    logger.info({ store: describeStore(config.store) }, 'store opened');
  }
  container.bind(HostStores).toConstantValue(stores);
  container.bind(ConversationStore).toConstantValue(stores.conversations);
  container.bind(MessageStore).toConstantValue(stores.messages);
  container.bind(ContactStore).toConstantValue(stores.contacts);
  container.bind(ConsentLedgerStore).toConstantValue(stores.consent);
  container.bind(InboxStore).toConstantValue(stores.inbox);
  container.bind(OutboxStore).toConstantValue(stores.outbox);
  container.bind(DeadLetterStore).toConstantValue(stores.deadLetters);

  const streams = createHostStreams();
  container.bind(HostStreams).toConstantValue(streams);
  // the consent ledger's one writer: the inbox, the API, the outbound path and the features record through it
  const consent = new ConsentService({ stores, streams });
  container.bind(ConsentService).toConstantValue(consent);
  const registry = new StaticConnectorRegistry(bindings);
  container.bind(ConnectorRegistry).toConstantValue(registry);

  const conversations = new ConversationService(stores.conversations, streams, clock, (id) => tenants.get(id)?.routing?.escalationQueue);
  container.bind(ConversationService).toConstantValue(conversations);
  const forwarder = new Forwarder({ fetch: abortablePlatformFetch(platformCalls.signal, options.fetch), clock, logger, ...(options.sleep ? { sleep: options.sleep } : {}) });
  container.bind(Forwarder).toConstantValue(forwarder);
  const media = await openMediaRuntime({
    config, stores, registry, streams, clock, logger,
    ...(options.mediaBlobs ? { blobs: options.mediaBlobs } : {}),
    ...(options.mediaScanner ? { scanner: options.mediaScanner } : {}),
    ...(options.mediaFetcher ? { fetcher: options.mediaFetcher } : {}),
  });
  container.bind(MediaStore).toConstantValue(media.store);
  container.bind(MediaUrls).toConstantValue(media.urls);
  // the outbound path sends stored files (media.storedId) the platform's way: it needs the media store and its URLs
  const outbound = new OutboundRuntime({ stores, streams, connectors: registry, tenants, clock, logger, platformCalls: platformCalls.signal, media: { store: media.store, urls: media.urls }, ...(options.documents ? { documents: options.documents } : {}) }, options.outbound);
  container.bind(OutboundRuntime).toConstantValue(outbound);
  const gateway = options.gateway?.({ container, stores, registry, streams, clock, logger, config }) ?? outbound.gateway;
  container.bind(OutboundGateway).toConstantValue(gateway);

  const bots = new Map(Object.entries(config.bots).map(([name, reg]) => [name, instantiateBotHandler(reg)]));
  const router = new Router({ tenants, bots, conversations, gateway, forwarder, logger });
  container.bind(Router).toConstantValue(router);
  const processor = new InboxProcessor({ stores, streams, registry, tenants, router, consent, clock, logger }, options.processor);
  container.bind(InboxProcessor).toConstantValue(processor);
  const observers: ((info: import('./ingress/webhook-ingress.js').WebhookAnswered) => void)[] = [];
  const ingress = new WebhookIngress({
    registry, stores, clock, logger, onInboxWrite: () => processor.kick(),
    onAnswered: (info) => { for (const o of observers) o(info); },
    ...(options.maxWebhookBytes ? { maxBodyBytes: options.maxWebhookBytes } : {}),
  });
  container.bind(WebhookIngress).toConstantValue(ingress);

  const featureContext: HostFeatureContext = { container, config, tenants, stores, streams, registry, bindings, conversations, gateway, outbound, clock, logger, media };
  // a feature the caller passes replaces the built-in of the same name (which is then never built:
  // features may subscribe to streams as they are built)
  const given = (options.features ?? []).map((factory) => factory(featureContext));
  const taken = new Set(given.map((f) => f.name));
  const builtIn: [string, HostFeatureFactory][] = [
    // first: the console's stream and the metrics find its feed in the container
    ['events', createEventsFeature(config.streams ?? {})],
    ['outbound', outboundFeature],
    ['media', () => createMediaFeature(media, { tenants: [...tenants.keys()], clock, logger })],
    ['consent', createConsentFeature(config.optInSecret ? { secret: config.optInSecret } : {})],
    ['compliance', createComplianceFeature(config.pseudonymSalt ? { pseudonymSalt: config.pseudonymSalt } : {})],
    ['analytics', createAnalyticsFeature(config.metricsToken ? { metricsToken: config.metricsToken } : {})],
    ['console', consoleFeature],
  ];
  const byName = new Map<string, HostFeature>();
  for (const [name, factory] of builtIn) if (!taken.has(name)) byName.set(name, factory(featureContext));
  for (const f of given) { byName.delete(f.name); byName.set(f.name, f); }
  const features = [...byName.values()];
  for (const f of features) if (f.onWebhook) observers.push((info) => f.onWebhook!(info));

  // the API answers readiness through the host, which needs the API app: a late-bound reference
  const self: { host?: Host } = {};
  const app = createApiApp({
    tenants: config.tenants, stores, streams, conversations, gateway, clock, logger, features, mediaUrls: media.urls,
    readiness: () => self.host!.readiness(),
    ...(options.extraRoutes ? { extraRoutes: (a: express.Express, auth: express.RequestHandler) => options.extraRoutes!(a, auth, () => self.host!) } : {}),
  });
  const host = new Host(container, config, stores, streams, registry, processor, ingress, conversations, gateway, forwarder, statuses, logger, outbound, features, app, ownsStores, options.onStop, platformCalls, options.stopDeadline, options.onListen, media);
  self.host = host;
  container.bind(Host).toConstantValue(host);
  return host;
}

/**
 * Assembles the host: binds the host-level values in one inversify container, loads the connector
 * plugins (each account in a child container), the areas' container modules and the features, and
 * serves it all over HTTP.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock, ConfigError, Logger, PlatformFetch, systemClock, type Clock as ClockType, type Logger as LoggerType } from '@switchboard/core';
import { Container } from '@switchboard/core/di';
import type express from 'express';
import { createApiApp, type Readiness } from './api/rest-api.js';
import { HostConfig } from './config/host-config.js';
import { ConsentService } from './consent/consent-service.js';
import { InboxSearch } from './search/inbox-search.js';
import { ContactContextService } from './crm/contact-context-service.js';
import { HostFeature, HostFeatureContext } from './features.js';
import { HostOptions, HostTenants, type GatewayFactoryDeps } from './host-options.js';
import { RequestAdmission, type BodyRoute } from './ingress/request-admission.js';
import { WebhookIngress } from './ingress/webhook-ingress.js';
import { createHostLogger } from './logging.js';
import { openMediaRuntime, MediaRuntime } from './media/media-feature.js';
import { BUILT_IN_FEATURES, HOST_MODULES } from './modules/host-modules.js';
import { OutboundGateway } from './outbound/outbound-gateway.js';
import { OutboundRuntime } from './outbound/outbound-runtime.js';
import { abortablePlatformFetch, PlatformCalls } from './platform-calls.js';
import { ConnectorRegistry, type HostConnectorBinding } from './plugins/connector-registry.js';
import { loadConnectors, PluginStatuses, type PluginStatus } from './plugins/plugin-loader.js';
import { InboxProcessor } from './processing/inbox-processor.js';
import { ConversationService } from './routing/conversation-service.js';
import { Forwarder } from './routing/forwarder.js';
import { canReachHuman } from './routing/router.js';
import { createHostStores } from './stores/host-stores.js';
import { describeStore, openStorageDriver } from './stores/open-driver.js';
import {
  ConsentLedgerStore, ContactStore, ConversationStore, DeadLetterStore, HostStores, InboxStore, MessageStore, OutboxStore,
} from './stores/stores.js';
import { completeHostStreams, createHostStreams, HostStreams } from './streams.js';

export { HostOptions, type GatewayFactoryDeps } from './host-options.js';
export { abortablePlatformFetch } from './platform-calls.js';

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

/** A running (or ready to listen) host. */
export class Host {
  private server: Server | undefined;
  private baseUrl = '';
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /** Limits on work before authentication (body bytes held, bodies arriving); every request passes it first. */
  readonly admission: RequestAdmission;

  readonly config: HostConfig;
  readonly stores: HostStores;
  readonly streams: HostStreams;
  readonly registry: ConnectorRegistry;
  readonly processor: InboxProcessor;
  readonly ingress: WebhookIngress;
  readonly conversations: ConversationService;
  readonly gateway: OutboundGateway;
  readonly forwarder: Forwarder;
  /** How each configured connector package fared. */
  readonly plugins: readonly PluginStatus[];
  readonly logger: LoggerType;
  /** The outbound path: service (library API), dispatcher, templates. */
  readonly outbound: OutboundRuntime;
  /** The features mounted on this host: every {@link HostFeature} contribution. */
  readonly features: readonly HostFeature[];
  /** The host's media: store, URLs, inbound fetcher. */
  readonly media?: MediaRuntime;
  private readonly app: express.Express;
  private readonly options: HostOptions;
  /** Aborted at the stop deadline: every platform call still in flight (see {@link abortablePlatformFetch}). */
  private readonly platformCalls: AbortController;

  /**
   * @internal built by {@link createHost}
   * @param container - the host's container, every host-level value bound and every module loaded:
   *   the host resolves its services and features from it
   */
  constructor(readonly container: Container) {
    this.config = container.get<HostConfig>(HostConfig);
    this.options = container.get<HostOptions>(HostOptions);
    this.logger = container.get<LoggerType>(Logger);
    this.stores = container.get<HostStores>(HostStores);
    this.streams = container.get<HostStreams>(HostStreams);
    this.registry = container.get<ConnectorRegistry>(ConnectorRegistry);
    this.plugins = container.get<PluginStatuses>(PluginStatuses);
    this.platformCalls = container.get<PlatformCalls>(PlatformCalls);
    this.media = container.get<MediaRuntime>(MediaRuntime);
    this.conversations = container.get(ConversationService);
    this.forwarder = container.get(Forwarder);
    this.outbound = container.get(OutboundRuntime);
    this.gateway = container.get<OutboundGateway>(OutboundGateway);
    this.processor = container.get(InboxProcessor);
    this.features = container.getAll<HostFeature>(HostFeature, { optional: true });
    this.ingress = container.get(WebhookIngress);
    const extraRoutes = this.options.extraRoutes;
    this.app = createApiApp({
      tenants: this.config.tenants, stores: this.stores, streams: this.streams, conversations: this.conversations, gateway: this.gateway,
      clock: container.get<ClockType>(Clock), logger: this.logger, features: this.features, mediaUrls: this.media.urls, consent: container.get(ConsentService),
      search: container.get<InboxSearch>(InboxSearch),
      contactContext: container.get<ContactContextService>(ContactContextService),
      readiness: () => this.readiness(),
      ...(extraRoutes ? { extraRoutes: (a: express.Express, auth: express.RequestHandler) => extraRoutes(a, auth, () => this) } : {}),
    });
    this.admission = new RequestAdmission(this.config.server);
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
    await this.options.onListen?.(this);
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
    const deadline = (this.options.stopDeadline ?? defaultStopDeadline)(this.config.server.stopDeadlineMs).then(() => { expired = true; });
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
    await this.options.onStop?.();
    completeHostStreams(this.streams);
    // stores the integrator handed in are theirs to close
    if (!this.options.stores) await this.stores.close();
  }
}

function defaultStopDeadline(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref(); });
}

/**
 * The {@link HostFeatureContext} view of a host container, for integrators' feature factories.
 * @param container - the host's container
 * @returns the view (each member resolved from the container)
 */
function featureContextOf(container: Container): HostFeatureContext {
  const registry = container.get<ConnectorRegistry>(ConnectorRegistry);
  return {
    container, config: container.get<HostConfig>(HostConfig), tenants: container.get<HostTenants>(HostTenants),
    stores: container.get<HostStores>(HostStores), streams: container.get<HostStreams>(HostStreams), registry, bindings: registry.bindings,
    conversations: container.get(ConversationService), gateway: container.get<OutboundGateway>(OutboundGateway), outbound: container.get(OutboundRuntime),
    clock: container.get<ClockType>(Clock), logger: container.get<LoggerType>(Logger), media: container.get<MediaRuntime>(MediaRuntime),
  };
}

/**
 * Refuses accounts whose plugin requires that conversations can reach a human (Apple's) when the
 * tenant's routing cannot hand one to a queue.
 * @throws ConfigError naming the tenant's routing
 */
function refuseUnreachableHumans(config: HostConfig, bindings: readonly HostConnectorBinding[]): void {
  for (const b of bindings) {
    if (!b.plugin.policy.requiresHumanEscalation) continue;
    const i = config.tenants.findIndex((t) => t.id === b.tenantId);
    if (!canReachHuman(config.tenants[i]!, b.channel, b.account)) {
      throw new ConfigError(`tenants[${i}].routing`, `${b.plugin.displayName} account "${b.account}" requires that conversations can reach a human agent: set routing.escalationQueue or a rule routing ${b.channel} to a queue`);
    }
  }
}

/** Binds the stores under `HostStores` and each store the areas ask for by its own token. */
function bindStores(container: Container, stores: HostStores): void {
  container.bind<HostStores>(HostStores).toConstantValue(stores);
  container.bind<ConversationStore>(ConversationStore).toConstantValue(stores.conversations);
  container.bind<MessageStore>(MessageStore).toConstantValue(stores.messages);
  container.bind<ContactStore>(ContactStore).toConstantValue(stores.contacts);
  container.bind<ConsentLedgerStore>(ConsentLedgerStore).toConstantValue(stores.consent);
  container.bind<InboxStore>(InboxStore).toConstantValue(stores.inbox);
  container.bind<OutboxStore>(OutboxStore).toConstantValue(stores.outbox);
  container.bind<DeadLetterStore>(DeadLetterStore).toConstantValue(stores.deadLetters);
}

/**
 * Builds a host from a validated config: binds the host-level values (config, options, tenants,
 * logger, clock, platform fetch, stores, streams, media runtime) in one inversify container, loads
 * the plugins there (isolating optional ones that fail; each account in a child container),
 * refuses Apple-like accounts whose conversations cannot reach a human, loads every area's module
 * (`HOST_MODULES`) and the built-in features no feature of `options.features` replaces.
 * @param config - from {@link loadConfigFile} or {@link configFromObject}
 * @param options - injected dependencies
 * @returns the host (call `listen`)
 * @throws ConfigError or PluginLoadError when it cannot start
 */
export async function createHost(config: HostConfig, options: HostOptions = {}): Promise<Host> {
  const logger = options.logger ?? createHostLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const container = new Container();
  container.bind<HostConfig>(HostConfig).toConstantValue(config);
  container.bind<HostOptions>(HostOptions).toConstantValue(options);
  container.bind<HostTenants>(HostTenants).toConstantValue(new Map(config.tenants.map((t) => [t.id, t])));
  container.bind<LoggerType>(Logger).toConstantValue(logger);
  container.bind<ClockType>(Clock).toConstantValue(clock);
  // every platform call goes through one fetch the host can abort at its stop deadline
  const platformCalls = new AbortController();
  container.bind<PlatformCalls>(PlatformCalls).toConstantValue(platformCalls);
  container.bind<typeof fetch>(PlatformFetch).toConstantValue(abortablePlatformFetch(platformCalls.signal, options.platformFetch));

  // each account is built in a child of this container: the bindings above reach every connector
  const { bindings } = await loadConnectors(config, container);
  refuseUnreachableHumans(config, bindings);

  let stores: HostStores;
  if (options.stores) stores = options.stores;
  else {
    stores = createHostStores(await openStorageDriver(config.store), { now: () => clock.now() });
    logger.info({ store: describeStore(config.store) }, 'store opened');
  }
  bindStores(container, stores);
  const streams = createHostStreams();
  container.bind<HostStreams>(HostStreams).toConstantValue(streams);
  const registry = container.get<ConnectorRegistry>(ConnectorRegistry);
  container.bind<MediaRuntime>(MediaRuntime).toConstantValue(await openMediaRuntime({
    config, stores, registry, streams, clock, logger,
    ...(options.mediaBlobs ? { blobs: options.mediaBlobs } : {}),
    ...(options.mediaScanner ? { scanner: options.mediaScanner } : {}),
    ...(options.mediaFetcher ? { fetcher: options.mediaFetcher } : {}),
  }));

  container.load(...HOST_MODULES);
  const gateway = options.gateway;
  if (gateway) {
    const deps: GatewayFactoryDeps = { container, stores, registry, streams, clock, logger, config };
    container.rebind<OutboundGateway>(OutboundGateway).toDynamicValue(() => gateway(deps)).inSingletonScope();
  }
  container.bind<HostFeatureContext>(HostFeatureContext).toDynamicValue(() => featureContextOf(container)).inSingletonScope();

  // a feature the caller passes replaces the built-in of the same name, whose module is then not
  // loaded (so never built: features may subscribe to streams as they are built)
  const context = container.get<HostFeatureContext>(HostFeatureContext);
  const given = (options.features ?? []).map((factory) => factory(context));
  const taken = new Set(given.map((f) => f.name));
  container.load(...BUILT_IN_FEATURES.filter((f) => !taken.has(f.name)).map((f) => f.module));
  // of two given features with one name, the later one
  for (const [i, f] of given.entries()) if (!given.slice(i + 1).some((g) => g.name === f.name)) container.bind<HostFeature>(HostFeature).toConstantValue(f);

  const host = new Host(container);
  container.bind(Host).toConstantValue(host);
  return host;
}

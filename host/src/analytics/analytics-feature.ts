/**
 * The analytics feature: the cost ledger (every sent message priced at its send time), the service
 * report and Prometheus metrics.
 *
 * Routes: `GET /v1/analytics?from&to`, `GET /v1/costs?from&to&channel&limit&offset` (API key; with
 * the bytes the tenant keeps in the media store),
 * `GET /metrics` (open, or a bearer token of its own).
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type express from 'express';
import type { HostFeature, HostFeatureFactory } from '../features.js';
import type { CostLedgerStore } from '../stores/ledger-stores.js';
import { AnalyticsQuerySchema, CostsQuerySchema } from '../api/schemas.js';
import { parseQuery } from '../api/validation.js';
import { tenantOf } from '../compliance/http-params.js';
import { UnauthorizedError } from '../errors.js';
import { buildAnalyticsReport } from './analytics-report.js';
import { CostRecorder } from './cost-recorder.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { EventFeed, type CountRow } from '../events/event-feed.js';
import type { MediaStore, MediaUsage } from '../media/media-store.js';
import type { Clock, Logger, MediaRef } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStores } from '../stores/stores.js';
import type { HostStreams } from '../streams.js';

/** Options of {@link createAnalyticsFeature}. */
export interface AnalyticsFeatureOptions {
  /** Window for channels without a service window, in hours (default 24). */
  defaultWindowHours?: number;
  /** How long after a period an answer to one of its enquiries still counts (default 24 h). */
  answerLookaheadHours?: number;
  /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Buckets of the dispatch latency histogram, in seconds. */
  latencyBuckets?: number[];
  /**
   * How long a tenant's media store usage, once read, answers scrapes and `GET /v1/costs` (ms of the
   * host clock; default 60 s): reading it scans the tenant's file records.
   */
  mediaUsageTtlMs?: number;
}

/** The analytics feature, with its services. */
export interface AnalyticsFeature extends HostFeature {
  readonly costs: CostLedgerStore;
  readonly metrics: MetricsRegistry;
  /** Resolves when every status notice received so far has been priced. */
  flush(): Promise<void>;
}

const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The services the analytics feature works with (what its module resolves from the container). */
export interface AnalyticsFeatureServices {
  stores: HostStores;
  streams: HostStreams;
  /** Tenants by id. */
  tenants: ReadonlyMap<string, TenantConfig>;
  registry: ConnectorRegistry;
  clock: Clock;
  logger: Logger;
  /** The media store, whose usage is reported. */
  media?: MediaStore;
  /** The event feed, read when metrics are scraped. */
  feed: () => EventFeed | undefined;
}

/**
 * Builds the analytics feature factory.
 * @param options - windows, metrics token
 * @returns the factory to pass to `createHost(config, { features })`
 */
export function createAnalyticsFeature(options: AnalyticsFeatureOptions = {}): HostFeatureFactory {
  return (ctx): AnalyticsFeature => analyticsFeatureOf({
    stores: ctx.stores, streams: ctx.streams, tenants: ctx.tenants, registry: ctx.registry, clock: ctx.clock, logger: ctx.logger,
    ...(ctx.media?.store ? { media: ctx.media.store } : {}),
    // the events feature's feed, looked up when scraped: an integrator's features are built in turn
    feed: () => (ctx.container.isBound(EventFeed) ? ctx.container.get<EventFeed>(EventFeed) : undefined),
  }, options);
}

/**
 * The analytics feature over its services: its counters subscribe to the host's streams at once.
 * @param services - stores, streams, tenants, registry, clock, logger, media store, event feed
 * @param options - windows, metrics token
 * @returns the feature
 */
export function analyticsFeatureOf(services: AnalyticsFeatureServices, options: AnalyticsFeatureOptions = {}): AnalyticsFeature {
  const costs = services.stores.costs;
  const metrics = new MetricsRegistry({ defaultMetrics: true });
  const webhooks = metrics.counter('switchboard_webhook_requests_total', 'Webhook requests received, by channel and HTTP status answered.', ['channel', 'status']);
  const inbound = metrics.counter('switchboard_messages_received_total', 'Customer messages stored.', ['tenant', 'channel']);
  const queued = metrics.counter('switchboard_messages_queued_total', 'Outbound messages accepted by the policy and queued.', ['tenant', 'channel']);
  const sends = metrics.counter('switchboard_sends_total', 'Outbound messages the platform accepted.', ['tenant', 'channel']);
  const failures = metrics.counter('switchboard_send_failures_total', 'Outbound messages that failed for good, by error code.', ['tenant', 'channel', 'code']);
  const receipts = metrics.counter('switchboard_receipts_total', 'Delivery and read receipts applied.', ['tenant', 'channel', 'status']);
  const consent = metrics.counter('switchboard_consent_events_total', 'Consent ledger entries recorded.', ['tenant', 'action']);
  const cost = metrics.counter('switchboard_message_cost_total', 'What sent messages cost, in the price schedule\'s currency.', ['tenant', 'channel', 'currency']);
  const api = metrics.counter('switchboard_api_requests_total', 'Authenticated REST API calls, by method and HTTP status.', ['method', 'status']);
  const latency = metrics.histogram('switchboard_dispatch_latency_seconds', 'Time from queueing an outbound message to the platform accepting it.', ['channel'], options.latencyBuckets ?? DEFAULT_BUCKETS);
  const tenants = (): string[] => [...services.tenants.keys()];
  metrics.gauge('switchboard_outbox_entries', 'Outbox entries by status.', ['tenant', 'status'], async () => (await Promise.all(tenants().map(async (t) => {
    const counts = await services.stores.outbox.counts(t);
    return Object.entries(counts).map(([status, value]) => ({ labels: { tenant: t, status }, value }));
  }))).flat());
  metrics.gauge('switchboard_inbox_entries', 'Inbox entries by status.', ['tenant', 'status'], async () => (await Promise.all(tenants().map(async (t) => {
    const counts = await services.stores.inbox.counts(t);
    return Object.entries(counts).map(([status, value]) => ({ labels: { tenant: t, status }, value }));
  }))).flat());
  // the event streams
  const feed = services.feed;
  const perSurface = (rows: readonly CountRow[]): { labels: { tenant: string; surface: string }; value: number }[] =>
    rows.map((r) => ({ labels: { tenant: r.tenantId, surface: r.surface }, value: r.count }));
  metrics.gauge('switchboard_event_stream_clients', 'Open event streams (/v1/events: api, the console: console).', ['tenant', 'surface'], async () => perSurface(feed()?.clientCounts() ?? []));
  metrics.collectedCounter('switchboard_event_stream_dropped_total', 'Event stream clients dropped for not reading (more than the per-client buffer waited for them).', ['tenant', 'surface'], async () => perSurface(feed()?.counters().dropped ?? []));
  metrics.collectedCounter('switchboard_event_stream_refused_total', 'Event streams refused because the tenant held as many as it may (429).', ['tenant', 'surface'], async () => perSurface(feed()?.counters().refused ?? []));
  // the media store: what each tenant keeps (read at scrape time, cached: it scans the records)
  const mediaStore = services.media;
  const usageTtlMs = options.mediaUsageTtlMs ?? 60_000;
  const usageCache = new Map<string, { at: number; usage: Promise<MediaUsage> }>();
  const mediaUsage = (tenantId: string): Promise<MediaUsage> => {
    const now = services.clock.now();
    const cached = usageCache.get(tenantId);
    if (cached && now - cached.at < usageTtlMs) return cached.usage;
    const usage = mediaStore ? mediaStore.usage(tenantId) : Promise.resolve({ files: 0, bytes: 0, quarantined: 0 });
    usageCache.set(tenantId, { at: now, usage });
    // a failed read is not kept: the next scrape asks again
    usage.catch(() => { if (usageCache.get(tenantId)?.usage === usage) usageCache.delete(tenantId); });
    return usage;
  };
  metrics.gauge('switchboard_media_stored_bytes', 'Bytes kept in the media store (quarantined files included).', ['tenant'], async () => Promise.all(tenants().map(async (t) => ({ labels: { tenant: t }, value: (await mediaUsage(t)).bytes }))));
  metrics.gauge('switchboard_media_stored_files', 'Files kept in the media store, by state (stored: served; quarantined: rejected by the virus scanner, never served).', ['tenant', 'state'], async () => (await Promise.all(tenants().map(async (t) => {
    const u = await mediaUsage(t);
    return [{ labels: { tenant: t, state: 'stored' }, value: u.files - u.quarantined }, { labels: { tenant: t, state: 'quarantined' }, value: u.quarantined }];
  }))).flat());
  const mediaFetched = metrics.counter('switchboard_media_fetched_total', 'Customer files the host fetched from the platform, by outcome (stored, quarantined, refused, failed).', ['tenant', 'channel', 'outcome']);
  const mediaFetchedBytes = metrics.counter('switchboard_media_fetched_bytes_total', 'Bytes of customer files fetched and kept (stored or quarantined).', ['tenant', 'channel']);
  metrics.collectedCounter('switchboard_events_discarded_total', 'Events neither logged nor streamed because the event log fell behind or failed.', ['tenant'], async () => (feed()?.counters().discarded ?? []).map((r) => ({ labels: { tenant: r.tenantId }, value: r.count })));

  const recorder = new CostRecorder({
    stores: services.stores, costs, connectors: services.registry, clock: services.clock, logger: services.logger,
    onRecorded: (e) => cost.inc({ tenant: e.tenantId, channel: e.channel, currency: e.currency }, e.amount),
  });
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => { inFlight.add(p); void p.finally(() => inFlight.delete(p)); };
  const flush = async (): Promise<void> => { while (inFlight.size > 0) await Promise.all([...inFlight]); };
  const subscriptions: Subscription[] = [];
  // subscribed at construction, not at start: nothing the host does before it listens goes uncounted
  subscriptions.push(services.streams.inbound$.subscribe((n) => inbound.inc({ tenant: n.tenantId, channel: n.message.channel })));
  subscriptions.push(services.streams.consent$.subscribe((n) => consent.inc({ tenant: n.tenantId, action: n.entry.action })));
  subscriptions.push(services.streams.status$.subscribe((n) => {
    const m = n.message;
    if (m.direction === 'inbound') {
      // an inbound message's notice is the media fetcher telling how the customer's file settled
      const media = (m.content as { media?: MediaRef }).media;
      const outcome = media?.storeState;
      if (!media || outcome === undefined || outcome === 'pending') return;
      const labels = { tenant: n.tenantId, channel: m.channel };
      mediaFetched.inc({ ...labels, outcome });
      if (media.storedId !== undefined && mediaStore) {
        const storedId = media.storedId;
        track(mediaStore.get(n.tenantId, storedId).then((r) => { if (r) mediaFetchedBytes.inc(labels, r.size); }).catch((error: unknown) => services.logger.warn({ err: (error as Error).message, messageId: m.id }, 'could not count a fetched file\'s bytes')));
      }
      return;
    }
    if (m.direction !== 'outbound') return;
    const labels = { tenant: n.tenantId, channel: m.channel };
    if (n.status === 'queued') queued.inc(labels);
    else if (n.status === 'sent') {
      sends.inc(labels);
      latency.observe({ channel: m.channel }, Math.max(0, services.clock.now() - m.createdAt.getTime()) / 1000);
    } else if (n.status === 'failed') failures.inc({ ...labels, code: m.error?.code ?? 'UNKNOWN' });
    else receipts.inc({ ...labels, status: n.status });
    if (n.status === 'sent' || n.status === 'delivered' || n.status === 'read') {
      track(recorder.handle(n).catch((error: unknown) => services.logger.error({ err: (error as Error).message, messageId: m.id }, 'could not record the cost of a message')));
    }
  }));

  const windowHours = (channel: string): number | undefined => services.registry.bindings.find((b) => b.channel === channel)?.plugin.policy.serviceWindowHours;

  return {
    name: 'analytics',
    costs, metrics,
    flush,

    v1Middleware() {
      const counting: express.RequestHandler = (req, res, next) => {
        res.on('finish', () => { if (req.tenant) api.inc({ method: req.method, status: String(res.statusCode) }); });
        next();
      };
      return [counting];
    },

    onWebhook(info) {
      webhooks.inc({ channel: info.known ? info.channel : 'unknown', status: String(info.status) });
    },

    v1Routes(v1: express.Router) {

      v1.get('/analytics', async (req, res) => {
        const range = parseQuery(AnalyticsQuerySchema, req);
        const report = await buildAnalyticsReport(services.stores, costs, tenantOf(req).id, range, {
          windowHours,
          ...(options.defaultWindowHours !== undefined ? { defaultWindowHours: options.defaultWindowHours } : {}),
          ...(options.answerLookaheadHours !== undefined ? { answerLookaheadHours: options.answerLookaheadHours } : {}),
        });
        res.json(report);
      });

      v1.get('/costs', async (req, res) => {
        const { from, to, channel, limit, offset } = parseQuery(CostsQuerySchema, req);
        const range = { from, to };
        const t = tenantOf(req).id;
        const [items, totals, media] = await Promise.all([
          costs.list(t, { ...range, ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}), ...(channel ? { channel } : {}) }),
          costs.totals(t, range),
          mediaUsage(t),
        ]);
        // what the media store keeps now (not priced: storage is the operator's own disk or database)
        const mediaStored = { files: media.files, bytes: media.bytes, quarantined: media.quarantined };
        res.json({ items, totals: channel ? totals.filter((r) => r.channel === channel) : totals, mediaStored });
      });
    },

    appRoutes(app: express.Express) {
      app.get('/metrics', async (req, res) => {
        if (options.metricsToken !== undefined) {
          const header = req.headers.authorization ?? '';
          const given = Buffer.from(header.replace(/^Bearer\s+/i, ''));
          const want = Buffer.from(options.metricsToken);
          if (given.length !== want.length || !timingSafeEqual(given, want)) throw new UnauthorizedError('a valid metrics token is required: Authorization: Bearer <token>');
        }
        res.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
        res.send(await metrics.render());
      });
    },

    async stop() {
      for (const s of subscriptions) s.unsubscribe();
      await flush();
    },
  };
}

/** The analytics feature with default options. */
export const analyticsFeature: HostFeatureFactory = createAnalyticsFeature();

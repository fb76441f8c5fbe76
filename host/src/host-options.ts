/**
 * What an integrator hands {@link createHost} besides the config, and the host-wide values every
 * area's container module may ask for: the options themselves and the tenants by id.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { Container } from '@switchboard/core/di';
import type express from 'express';
import type { HostConfig, TenantConfig } from './config/host-config.js';
import type { DocumentTemplates } from './documents/document-template.js';
import type { HostFeatureFactory } from './features.js';
import type { Host } from './host.js';
import type { MediaFetcherOptions } from './media/media-fetcher.js';
import type { MediaScanner } from './media/media-policy.js';
import type { BlobStore } from './media/media-store.js';
import type { OutboundGateway } from './outbound/outbound-gateway.js';
import type { OutboundRuntimeOptions } from './outbound/outbound-runtime.js';
import type { ConnectorRegistry } from './plugins/connector-registry.js';
import type { InboxProcessorOptions } from './processing/inbox-processor.js';
import type { HostStores } from './stores/stores.js';
import type { HostStreams } from './streams.js';

/** What the outbound issue's gateway factory is given. */
export interface GatewayFactoryDeps {
  container: Container;
  stores: HostStores;
  registry: ConnectorRegistry;
  streams: HostStreams;
  clock: Clock;
  logger: Logger;
  config: HostConfig;
}

/**
 * The token {@link createHost} binds its options under (the object the integrator passed, `{}` when
 * none): each area's module reads its own settings from it.
 */
export const HostOptions = Symbol.for('switchboard.HostOptions');

/** Options of {@link createHost} (everything has a default). */
export interface HostOptions {
  logger?: Logger;
  clock?: Clock;
  /** Stores to use instead of those the config names (the host will not close them). */
  stores?: HostStores;
  /** The fetch the forwarder and the CRM context endpoint (`contactContext.endpoint`) use. */
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

/** The token of the host's tenants by id (from the config, bound once by {@link createHost}). */
export const HostTenants = Symbol.for('switchboard.HostTenants');
/** The host's tenants by id. */
export type HostTenants = ReadonlyMap<string, TenantConfig>;

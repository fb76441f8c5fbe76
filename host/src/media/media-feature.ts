/**
 * The host's media: the media store on the host's database and the blob store its config names,
 * the signed URLs, the inbound fetcher, and the routes — opened once by `createHost` and mounted
 * as the `media` feature.
 * @module
 */
import { dirname, join } from 'node:path';
import type { Clock, Logger } from '@switchboard/core';
import { ConfigError } from '@switchboard/core';
import type { HostConfig, TenantConfig } from '../config/host-config.js';
import type { HostFeature } from '../features.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStreams } from '../streams.js';
import type { HostStores } from '../stores/stores.js';
import { DirectoryBlobStore } from './directory-blob-store.js';
import { HostMediaStore } from './host-media-store.js';
import { MediaFetcher, type MediaFetcherOptions } from './media-fetcher.js';
import { DEFAULT_MEDIA_LIMITS, mergeMediaLimits, type MediaLimits, type MediaScanner } from './media-policy.js';
import { mountMediaApiRoutes, mountSignedMediaRoute } from './media-routes.js';
import type { BlobStore } from './media-store.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import { SignedMediaUrls } from './media-urls.js';

/** Default time an upload by URL may take. */
export const DEFAULT_URL_FETCH_TIMEOUT_MS = 30_000;

/** The token of the host's {@link MediaRuntime} (opened and bound once by `createHost`). */
export const MediaRuntime = Symbol.for('switchboard.MediaRuntime');

/** Everything media the host holds. */
export interface MediaRuntime {
  /** The media store (records, bytes, limits, scanner). */
  store: HostMediaStore;
  /** The API and signed URLs of stored files. */
  urls: SignedMediaUrls;
  /** The inbound fetcher. */
  fetcher: MediaFetcher;
  /** Uploads by URL. */
  urlFetch: { timeoutMs: number; allowPrivateNetworks: boolean };
  /** Closes the blob store (the records close with the stores). */
  close(): Promise<void>;
}

/** What {@link openMediaRuntime} needs. */
export interface MediaRuntimeDeps {
  config: HostConfig;
  stores: HostStores;
  registry: ConnectorRegistry;
  streams: HostStreams;
  clock: Clock;
  logger: Logger;
  /** A blob store to use instead of the one the config names (the host will not close it). */
  blobs?: BlobStore;
  /** A scanner to use instead of the config's. */
  scanner?: MediaScanner;
  /** Overrides of the config's `media.fetch`. */
  fetcher?: MediaFetcherOptions;
}

/**
 * Where the bytes go when the config does not say: beside the SQLite database file, GridFS with
 * MongoDB, memory with the memory store (and with SQLite in memory).
 */
async function openBlobStore(deps: MediaRuntimeDeps): Promise<BlobStore> {
  const configured = deps.config.media?.blobs;
  const driver = deps.stores.driver as unknown as { path?: unknown; gridFsBucket?: unknown };
  const kind = configured?.kind ?? (deps.stores.kind === 'mongodb' ? 'gridfs' : deps.stores.kind === 'sqlite' && typeof driver.path === 'string' && driver.path !== ':memory:' ? 'directory' : 'memory');
  switch (kind) {
    case 'memory': return new MemoryBlobStore();
    case 'directory': {
      const path = configured?.kind === 'directory' ? configured.path : join(dirname(driver.path as string), 'media');
      return DirectoryBlobStore.open(path);
    }
    case 'gridfs': {
      if (typeof driver.gridFsBucket !== 'function') throw new ConfigError('media.blobs.kind', 'gridfs needs the MongoDB store');
      const { GridFsBlobStore } = await import('./gridfs-blob-store.js');
      return new GridFsBlobStore(deps.stores.driver as unknown as import('../stores/drivers/mongodb-driver.js').MongoDriver);
    }
  }
}

/**
 * Opens the host's media: its blob store (creating the directory), the media store with every
 * tenant's limits, the signed URLs and the fetcher (not started).
 * @param deps - config, stores, connectors, streams, clock, logger, injected parts
 * @returns the runtime
 * @throws StorageError when the media directory cannot be created; ConfigError for GridFS without MongoDB
 */
export async function openMediaRuntime(deps: MediaRuntimeDeps): Promise<MediaRuntime> {
  const media = deps.config.media ?? {};
  const blobs = deps.blobs ?? await openBlobStore(deps);
  const hostLimits = mergeMediaLimits(DEFAULT_MEDIA_LIMITS, media.limits);
  const tenants = new Map<string, TenantConfig>(deps.config.tenants.map((t) => [t.id, t]));
  const limitsOf = new Map<string, MediaLimits>();
  const scanner = deps.scanner ?? media.scanner;
  const store = new HostMediaStore({
    records: deps.stores.media, blobs, now: () => deps.clock.now(),
    limits: (tenantId) => {
      let limits = limitsOf.get(tenantId);
      if (!limits) { limits = mergeMediaLimits(hostLimits, tenants.get(tenantId)?.media); limitsOf.set(tenantId, limits); }
      return limits;
    },
    ...(scanner ? { scanner } : {}),
  });
  const urls = new SignedMediaUrls({
    driver: deps.stores.driver, clock: deps.clock,
    ...(deps.config.publicUrl ? { publicUrl: deps.config.publicUrl } : {}),
    ...(media.signedUrlTtlMs ? { defaultTtlMs: media.signedUrlTtlMs } : {}),
  });
  const fetcher = new MediaFetcher({
    stores: deps.stores, media: store, registry: deps.registry, streams: deps.streams, clock: deps.clock, logger: deps.logger,
    tenants: () => [...tenants.keys()],
  }, { ...media.fetch, ...deps.fetcher });
  deps.logger.info({ media: `${blobs.kind} ${blobs.where}` }, 'media store opened');
  return {
    store, urls, fetcher,
    urlFetch: { timeoutMs: media.urlFetch?.timeoutMs ?? DEFAULT_URL_FETCH_TIMEOUT_MS, allowPrivateNetworks: media.urlFetch?.allowPrivateNetworks ?? false },
    close: async () => { if (!deps.blobs) await blobs.close(); },
  };
}

/**
 * The `media` feature: the routes, and the fetcher's life (started with the host: it first removes
 * what interrupted writes left, then adds jobs for files still to fetch).
 * @param runtime - the opened media runtime
 * @param context - the tenants and clock
 * @returns the feature
 */
export function createMediaFeature(runtime: MediaRuntime, context: { tenants: readonly string[]; clock: Clock; logger: Logger }): HostFeature {
  // subscribed at once: a message stored before the host listens still gets its job
  runtime.fetcher.listen();
  return {
    name: 'media',
    v1Routes(v1) {
      mountMediaApiRoutes(v1, { store: runtime.store, urls: runtime.urls, urlFetch: runtime.urlFetch });
    },
    appRoutes(app) {
      mountSignedMediaRoute(app, { store: runtime.store, urls: runtime.urls }, () => context.clock.now());
    },
    async start() {
      const swept = await runtime.store.sweep(context.tenants);
      if (swept > 0) context.logger.warn({ swept }, 'media: removed files whose writes a crash interrupted');
      await runtime.fetcher.start();
    },
    async stop() {
      await runtime.fetcher.stop();
    },
  };
}

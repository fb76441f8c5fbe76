/**
 * Host features: self-contained parts of the host (the outbound API, consent flows, compliance,
 * analytics, the agent console) that add routes and background work to the same server. They are
 * a contribution point: every feature is bound to the multi-bound {@link HostFeature} token and the
 * host mounts `container.getAll(HostFeature)` — its routes mounted, started after the server
 * listens, stopped before the stores close. Each built-in feature is contributed by its area's
 * {@link HostFeatureModule}, which takes its services from the container; an integrator's
 * {@link HostFeatureFactory} (`HostOptions.features`) is given the {@link HostFeatureContext} view.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import { ContainerModule, type Container, type ResolutionContext } from '@switchboard/core/di';
import type express from 'express';
import type { HostConfig, TenantConfig } from './config/host-config.js';
import type { WebhookAnswered } from './ingress/webhook-ingress.js';
import type { OutboundGateway } from './outbound/outbound-gateway.js';
import type { OutboundRuntime } from './outbound/outbound-runtime.js';
import type { ConnectorRegistry, HostConnectorBinding } from './plugins/connector-registry.js';
import type { ConversationService } from './routing/conversation-service.js';
import type { HostStores } from './stores/stores.js';
import type { HostStreams } from './streams.js';
import type { MediaRuntime } from './media/media-feature.js';

/**
 * The token of the {@link HostFeatureContext} view, bound by `createHost` (the built-in features
 * whose routes take the whole view — the outbound API and the console — are given it from there).
 */
export const HostFeatureContext = Symbol.for('switchboard.HostFeatureContext');

/**
 * What an integrator's feature factory is given: a convenience view of the host container's
 * services (each one is also bound under its own token in `container`).
 */
export interface HostFeatureContext {
  container: Container;
  config: HostConfig;
  /** Tenants by id. */
  tenants: ReadonlyMap<string, TenantConfig>;
  stores: HostStores;
  streams: HostStreams;
  registry: ConnectorRegistry;
  /** Every loaded connector account. */
  bindings: readonly HostConnectorBinding[];
  conversations: ConversationService;
  gateway: OutboundGateway;
  /** The policy-checked outbound path (service, dispatcher, templates). */
  outbound: OutboundRuntime;
  clock: Clock;
  logger: Logger;
  /**
   * The host's media: `media.store` (the `MediaStore`: put, read, openBlob, link, delete…),
   * `media.urls` (the `MediaUrls`: API and signed URLs), the inbound fetcher.
   */
  media: MediaRuntime;
}

/** The multi-bound token every feature is contributed under (`container.getAll(HostFeature)`). */
export const HostFeature = Symbol.for('switchboard.HostFeature');

/** A part of the host. Every member is optional. */
export interface HostFeature {
  /** Shown in logs. */
  readonly name: string;
  /**
   * Mounts routes on the authenticated `/v1` router (the tenant is `req.tenant`; JSON bodies are
   * parsed; thrown errors become `{ error: { code, message, details } }`).
   */
  v1Routes?(v1: express.Router): void;
  /**
   * Middleware run on every `/v1` request after authentication and body parsing, before any route
   * of the host or of a feature (auditing, request metrics).
   */
  v1Middleware?(): express.RequestHandler[];
  /**
   * Told of every answered webhook request. Webhooks are served on a lean path before Express, so
   * Express middleware never sees them.
   */
  onWebhook?(info: WebhookAnswered): void;
  /** Mounts routes on the app itself, outside `/v1` (e.g. `/console`, `/metrics`). */
  appRoutes?(app: express.Express, auth: express.RequestHandler): void;
  /** Called once the server listens. */
  start?(): void | Promise<void>;
  /** Called on stop, before the stores close. */
  stop?(): void | Promise<void>;
}

/** Builds a feature from the host's services. */
export type HostFeatureFactory = (context: HostFeatureContext) => HostFeature;

/**
 * A built-in feature's contribution: a container module binding it (once, lazily) to
 * {@link HostFeature}, and the feature's name. `createHost` does not load the module of a built-in
 * whose name a feature of `HostOptions.features` has: that feature replaces it, and the built-in is
 * never built.
 */
export interface HostFeatureModule {
  /** The name of the feature the module contributes. */
  readonly name: string;
  /** Binds the feature to {@link HostFeature}. */
  readonly module: ContainerModule;
}

/**
 * Declares a built-in feature's contribution.
 * @param name - the feature's name (the one its `HostFeature.name` has)
 * @param build - builds the feature from the services it resolves (called once, when the host collects its features)
 * @returns the contribution
 */
export function hostFeatureModule(name: string, build: (container: ResolutionContext) => HostFeature): HostFeatureModule {
  return {
    name,
    module: new ContainerModule(({ bind }) => { bind<HostFeature>(HostFeature).toDynamicValue(build).inSingletonScope(); }),
  };
}

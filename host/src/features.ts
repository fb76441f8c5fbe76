/**
 * Host features: self-contained parts of the host (the outbound API, consent flows, compliance,
 * analytics, the agent console) that add routes and background work to the same server. Each is a
 * factory given the host's services; the host mounts its routes, starts it after the server
 * listens and stops it before the stores close.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { Container } from '@switchboard/core/di';
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

/** What every feature is given. */
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

/**
 * `@switchboard/host`: the runtime integrators start — config, plugin loading, webhook ingress,
 * inbox processing, routing, stores, REST API, sandbox and CLI.
 *
 * This entry point is the integrator's API: what a `switchboard.config.ts`, a bot, a host feature
 * or an application embedding the host names. It is curated: a module of the host is not public
 * because it exists, and an internal change is not a breaking change. What tests, the sandbox and
 * vendors' test suites need besides is in `@switchboard/host/testing`. Both surfaces are recorded
 * in `host/api/*.api.md`; a test fails when they change without the report (see the README's
 * "Public API").
 * @packageDocumentation
 */

// Starting a host
export { createHost, Host, type HostOptions, type GatewayFactoryDeps } from './host.js';
export type { Readiness } from './api/rest-api.js';
export type { PluginStatus } from './plugins/plugin-loader.js';
export type { InboxProcessorOptions } from './processing/inbox-processor.js';

// Configuration
export { loadConfigFile, configFromObject, findConfigFile, CONFIG_FILE_NAMES } from './config/load-config.js';
export { defineConfig, type HostConfigInput, type WithEnvRefs } from './config/define-config.js';
export { DEFAULT_DATABASE_PATH, type HostConfigSchemaInput } from './config/config-schema.js';
export { hostConfigJsonSchema } from './config/config-json-schema.js';
export type {
  HostConfig, TenantConfig, AccountConfig, ConnectorConfig, EnvRef, ForwardingConfig, KeywordConfig, MediaBlobConfig,
  MediaConfig, RouteMatch, RouteRule, RouteTarget, ServerLimits, StoreConfig, StreamLimits,
} from './config/host-config.js';
export { API_SCOPES, PLAIN_KEY_SCOPES, type ApiScope, type ConfiguredApiKey } from './api/api-scopes.js';
export type { KeywordKind } from './consent/keywords.js';

// Bots
export type { BotContext, BotHandler, BotHandlerFunction, BotHandlerRegistration, BotKnowledge } from './routing/bot-handler.js';
export type { RenderedReply } from './knowledge/knowledge.js';
export type { RenderedTemplate } from './knowledge/template-renderer.js';

// CRM context: the contact-context provider SPI (a function in the config, or an HTTPS endpoint)
export type { ContactContext, ContactContextProvider, ContactContextQuery, ContextRecord } from './crm/contact-context.js';
export { ContactContextSchema, ContextRecordSchema } from './crm/contact-context.js';
export type { ContactContextResult, ContactContextService } from './crm/contact-context-service.js';
export { signContextRequest, verifyContextSignature, CONTEXT_SIGNATURE_HEADER } from './crm/https-context-provider.js';
export type { ContactContextConfig } from './config/host-config.js';

// Host features and the built-in ones an integrator passes (one with a built-in's name replaces it)
export type { HostFeature, HostFeatureContext, HostFeatureFactory } from './features.js';
export type { WebhookAnswered } from './ingress/webhook-ingress.js';
export { consoleFeature, createConsoleFeature, type ConsoleOptions, type SeedAgent } from './console/console-feature.js';
export type { AgentRole, QuickReply, KnowledgeLink } from './console/agent-store.js';
export type { SessionOptions } from './console/console-auth.js';

// Event webhooks: verifying a delivery in the integrator's endpoint, and the event types
export {
  verifyStandardWebhook, signStandardWebhook, WEBHOOK_SECRET_PREFIX, type StandardWebhookHeaders, type WebhookVerification, type WebhookVerificationProblem,
} from './webhooks/standard-webhooks.js';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhooks/webhook-store.js';
export type { WebhooksConfig } from './webhooks/webhook-config.js';
export type { LoginLimits } from './console/login-limiter.js';
export type { DeviceCookieOptions } from './console/device-cookie.js';
export { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './console/password.js';
export { consentFeature, createConsentFeature, type ConsentFeatureOptions } from './consent/consent-feature.js';
export type { OptInKeyword } from './consent/opt-in-service.js';
// the consent ledger's one writer: a feature records and reads consent through it
export { ConsentService, consentServiceIn, type ContactConsent, type ConsentServiceDeps, type ConsentTerms } from './consent/consent-service.js';
export { complianceFeature, createComplianceFeature, type ComplianceOptions, type ComplianceFeature } from './compliance/compliance-feature.js';
export type { RetentionPolicy } from './compliance/retention.js';
export { analyticsFeature, createAnalyticsFeature, type AnalyticsFeatureOptions, type AnalyticsFeature } from './analytics/analytics-feature.js';
export { createEventsFeature, type EventsFeatureOptions, type EventsFeature } from './events/events-feature.js';
export { DEFAULT_EVENT_FEED_LIMITS, type EventFeedLimits, type EventFeedOptions } from './events/event-feed.js';
export type { ContactDataHandler, ContactDataSubject } from './compliance/contact-data.js';

// What the host's services are, as a feature or an embedding application holds them
export type { HostStreams, InboundNotice, StatusNotice, ConsentNotice, ConversationNotice, ConversationChange, SlaNotice, SlaNoticeType } from './streams.js';
export { SLA_NOTICE_TYPES } from './streams.js';
export type { HostStores, HostMessage } from './stores/stores.js';
export type { ContactMerge, ContactMergeStore } from './contacts/contact-merge-store.js';
export type { ConnectorRegistry, HostConnectorBinding } from './plugins/connector-registry.js';
export type { ConversationService } from './routing/conversation-service.js';
export type { MediaRuntime } from './media/media-feature.js';
export { BlobTooLargeError, MediaStore, MediaUrls } from './media/media-store.js';
export type {
  BlobStore, BlobWriteOptions, BlobWritten, ByteRange, MediaContent, MediaFile, MediaLinks, MediaListFilter, MediaPutInput,
  MediaPutResult, MediaRecord, MediaSelection, MediaUsage, SignedUrlOptions,
} from './media/media-store.js';
export type { MediaScanner, MediaScanInput, MediaScanVerdict, MediaLimits, MediaLimitsInput } from './media/media-policy.js';
export type { MediaFetcherOptions } from './media/media-fetcher.js';

// Sending: the port every send passes (integrators wrap or replace it) and the library API
export { OutboundGateway } from './outbound/outbound-gateway.js';
export type {
  OutboundRequest, OutboundRequestBase, OutboundTarget, OutboundBody, OutboundResult, OutboundQueued, OutboundDenied,
} from './outbound/outbound-gateway.js';
export type { OutboundRuntime, OutboundRuntimeOptions } from './outbound/outbound-runtime.js';
export type { OutboundService, SendOutcome, SendAccepted, SendDenied, SendOptions, NotificationResult, EvaluateOutcome } from './outbound/outbound-service.js';
export type { Timer } from './outbound/timer.js';
export { eraseUploadedMedia } from './outbound/uploaded-media-store.js';

// REST: request and response bodies, the OpenAPI document
export type { SendRequest, NotificationRequest } from './outbound/send-request.js';
export type { DocumentRequest, DocumentSendRequest } from './outbound/document-send.js';
export type { QueuedBody, PolicyDeniedBody } from './outbound/outbound-routes.js';
export type { TemplateRecord } from './outbound/template-registry.js';
export { buildOpenApi, type OpenApiOptions } from './api/openapi.js';

// Errors integrators throw from feature routes or catch
export { NotFoundError, ValidationError, UnauthorizedError, ConflictError, type ErrorBody } from './errors.js';
export { PluginLoadError } from './plugins/plugin-loader.js';
export { IdempotencyConflictError } from './outbound/outbound-service.js';

// Documents: PDFs rendered from templates, sent as messages
export {
  builtInDocumentTemplates, DocumentTemplates, defineDocumentTemplate, documentText, documentContactOf, renderDocument, documentMessage,
  DocumentLayout, encodeBcbp, parseBcbp, boardingPassTemplate, orderReceiptTemplate,
  type DocumentTemplate, type DocumentRenderContext, type DocumentContact, type RenderDocumentInput, type RenderedDocument,
  type DocumentMessage, type BcbpData, type BcbpLeg, type BoardingPassData, type OrderReceiptData, type DocumentContent, type DocumentContactInput,
  type DocumentPutInput, type LineItem, type LineItemLabels, type PageSize, type BarcodeMatrix, type BarcodeSymbology,
  DocumentContactSchema, BoardingPassSchema, OrderReceiptSchema,
} from './documents/index.js';

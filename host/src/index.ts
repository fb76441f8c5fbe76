/**
 * `@switchboard/host`: the runtime integrators start — config, plugin loading, webhook ingress,
 * inbox processing, routing, stores, REST API, sandbox and CLI.
 * @packageDocumentation
 */
export * from './config/host-config.js';
export * from './config/load-config.js';
export * from './errors.js';
export * from './streams.js';
export * from './logging.js';
export * from './host.js';
export * from './stores/stores.js';
export * from './stores/driver.js';
export * from './stores/host-stores.js';
export * from './stores/document-stores.js';
export * from './stores/open-driver.js';
export { MemoryDriver } from './stores/drivers/memory-driver.js';
export { SqliteDriver } from './stores/drivers/sqlite-driver.js';
export { MongoDriver } from './stores/drivers/mongodb-driver.js';
export * from './plugins/connector-registry.js';
export * from './plugins/plugin-loader.js';
export * from './ingress/webhook-ingress.js';
export * from './processing/inbox-processor.js';
export * from './processing/keywords.js';
export * from './routing/bot-handler.js';
export * from './routing/conversation-service.js';
export * from './routing/forwarder.js';
export * from './routing/router.js';
export * from './outbound/outbound-gateway.js';
export * from './outbound/outbound-service.js';
export * from './outbound/outbound-runtime.js';
export * from './outbound/outbound-routes.js';
export * from './outbound/dispatcher.js';
export * from './outbound/rate-budget.js';
export * from './outbound/backoff.js';
export * from './outbound/circuit-breaker.js';
export * from './outbound/timer.js';
export * from './outbound/idempotency-store.js';
export * from './outbound/template-registry.js';
export { parseSendRequest, parseNotificationRequest, type SendRequest, type NotificationRequest } from './outbound/send-request.js';
export * from './features.js';
export { consentFeature, createConsentFeature, type ConsentFeatureOptions } from './consent/consent-feature.js';
export { consoleFeature, createConsoleFeature, type ConsoleOptions, type SeedAgent } from './console/console-feature.js';
export { complianceFeature, createComplianceFeature, type ComplianceOptions, type ComplianceFeature } from './compliance/compliance-feature.js';
export { ContactDataHandler, type Pseudonymiser, type ContactDataSubject } from './compliance/contact-data.js';
export * from './compliance/contact-privacy.js';
export * from './compliance/retention.js';
export * from './analytics/metrics.js';
export * from './consent/opt-in-flow-store.js';
export type { OptInKeyword } from './consent/opt-in-service.js';
export * from './console/login-limiter.js';
export * from './console/password.js';
export type { SessionOptions } from './console/console-auth.js';
export * from './console/agent-store.js';
export { analyticsFeature, createAnalyticsFeature, type AnalyticsFeatureOptions, type AnalyticsFeature } from './analytics/analytics-feature.js';
export * from './stores/ledger-stores.js';
export * from './api/rest-api.js';
export * from './api/openapi.js';
export * from './sandbox.js';

/**
 * `@switchboard/host/testing`: what tests, the sandbox and vendors' test suites need that an
 * integrator's code does not — the storage contract and its drivers (the memory driver for unit
 * tests), the stores built on it, the sandbox (every connector's fake platform behind one host),
 * a scaled timer for pacing without waiting, the host's logger, plugin loading by specifier.
 *
 * It is public (recorded in `host/api/host-testing.api.md` like the main entry point) but meant
 * for test code: what a production host needs is in `@switchboard/host`, which this entry point
 * does not repeat — a test imports `createHost` from there and its fixtures from here.
 * @packageDocumentation
 */

// The storage contract (a third-party driver implements it) and the stores every driver backs:
// each of these modules is contract through and through, so all of it is re-exported
export * from './stores/driver.js';
export * from './stores/stores.js';
export { MemoryDriver } from './stores/drivers/memory-driver.js';
export { SqliteDriver, type SqliteDriverOptions } from './stores/drivers/sqlite-driver.js';
export { MongoDriver, type MongoDriverOptions } from './stores/drivers/mongodb-driver.js';
export { openStorageDriver, describeStore } from './stores/open-driver.js';
export { createHostStores, DocumentHostStores, MemoryStores, type HostStoresOptions } from './stores/host-stores.js';
export {
  CORE_COLLECTIONS, DocumentAuditLogStore, DocumentConsentLedgerStore, DocumentContactStore, DocumentConversationStore, DocumentCostLedgerStore,
  DocumentDeadLetterStore, DocumentInboxStore, DocumentMediaRecordStore, DocumentMessageStore, DocumentOutboxStore, type DocumentStoreOptions,
} from './stores/document-stores.js';
export { MemoryBlobStore } from './media/memory-blob-store.js';
export { DirectoryBlobStore } from './media/directory-blob-store.js';

// The sandbox: a host with every connector's fake platform
export {
  createSandbox, sandboxWebhookUrl, sandboxEchoBot, sandboxReceiptsFromEnv, FIRST_PARTY_CONNECTORS, SANDBOX_TENANT, SANDBOX_ACCOUNT,
  type Sandbox, type SandboxFake,
} from './sandbox.js';

// Time, logs and plugins
export { Timer, ScaledTimer } from './outbound/timer.js';
export { createHostLogger } from './logging.js';
export { importPlugin } from './plugins/plugin-loader.js';
export { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './console/login-limiter.js';
export { bcbpPassengerName, dayOfYear } from './documents/bcbp.js';
// the host's internals that public types' documentation names (for tests that drive them directly)
export type { AuditLogStore, CostLedgerStore } from './stores/ledger-stores.js';
export type { MediaRecordStore } from './media/media-store.js';
export { CredentialRedactor } from './compliance/credential-redactor.js';
export { EventFeed, TooManyStreamsError } from './events/event-feed.js';
export { DeviceCookies } from './console/device-cookie.js';
export { LoginLimiter } from './console/login-limiter.js';
export { WebhookIngress } from './ingress/webhook-ingress.js';
export type { DocumentFonts } from './documents/pdf-layout.js';
export { MAX_CONVERSATION_TAGS } from './api/schemas.js';

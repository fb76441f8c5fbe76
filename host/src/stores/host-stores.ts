/**
 * Every store the host needs, built by one {@link StorageDriver}: the one place that wires stores
 * to a driver. `createHostStores(await SqliteDriver.open({ path }))` is the embedded default;
 * {@link MemoryStores} is the same on a {@link MemoryDriver} (tests, ephemeral mode).
 * @module
 */
import type { StorageDriver } from './driver.js';
import { MemoryDriver } from './drivers/memory-driver.js';
import {
  DocumentAuditLogStore, DocumentConsentLedgerStore, DocumentContactStore, DocumentConversationStore, DocumentCostLedgerStore,
  DocumentDeadLetterStore, DocumentInboxStore, DocumentMediaRecordStore, DocumentMessageStore, DocumentOutboxStore,
} from './document-stores.js';
import { DocumentMediaJobStore } from '../media/media-job-store.js';
import type { HostStores } from './stores.js';
import { DocumentTemplateStore } from '../outbound/template-registry.js';
import { DocumentIdempotencyStore } from '../outbound/idempotency-store.js';
import { DocumentRateBudget } from '../outbound/rate-budget.js';
import { DocumentOptInFlowStore } from '../consent/opt-in-flow-store.js';
import { DocumentAgentStore } from '../console/agent-store.js';
import { DocumentApiKeyStore } from '../api/api-key-store.js';
import { DocumentEventLogStore } from '../events/event-log-store.js';
import { DocumentDecisionStore } from './document-decision-store.js';
import { DocumentMessagingUsageStore } from './document-messaging-usage-store.js';
import { DocumentContactMergeStore } from '../contacts/contact-merge-store.js';

/** Options of {@link createHostStores}. */
export interface HostStoresOptions {
  /**
   * The host clock in ms: bookkeeping times the stores set themselves, the ledger sequence and the
   * age of idempotency keys follow it. Default `Date.now`.
   */
  now?: () => number;
}

/** {@link HostStores} on one {@link StorageDriver}. */
export class DocumentHostStores implements HostStores {
  readonly kind: StorageDriver['kind'];
  readonly conversations: DocumentConversationStore;
  readonly messages: DocumentMessageStore;
  readonly contacts: DocumentContactStore;
  readonly consent: DocumentConsentLedgerStore;
  readonly inbox: DocumentInboxStore;
  readonly outbox: DocumentOutboxStore;
  readonly deadLetters: DocumentDeadLetterStore;
  readonly audit: DocumentAuditLogStore;
  readonly costs: DocumentCostLedgerStore;
  readonly templates: DocumentTemplateStore;
  readonly idempotency: DocumentIdempotencyStore;
  readonly budget: DocumentRateBudget;
  readonly optInFlows: DocumentOptInFlowStore;
  readonly agents: DocumentAgentStore;
  readonly apiKeys: DocumentApiKeyStore;
  readonly events: DocumentEventLogStore;
  readonly decisions: DocumentDecisionStore;
  readonly usage: DocumentMessagingUsageStore;
  readonly media: DocumentMediaRecordStore;
  readonly mediaJobs: DocumentMediaJobStore;
  readonly contactMerges: DocumentContactMergeStore;

  /**
   * @param driver - the storage driver every store is built on (closed by {@link DocumentHostStores.close})
   * @param options - the host clock
   */
  constructor(readonly driver: StorageDriver, options: HostStoresOptions = {}) {
    const now = options.now ?? Date.now;
    this.kind = driver.kind;
    this.conversations = new DocumentConversationStore(driver, { now });
    this.messages = new DocumentMessageStore(driver, { now });
    this.contacts = new DocumentContactStore(driver, { now });
    this.consent = new DocumentConsentLedgerStore(driver, { now });
    this.inbox = new DocumentInboxStore(driver);
    this.outbox = new DocumentOutboxStore(driver, this.messages);
    this.deadLetters = new DocumentDeadLetterStore(driver);
    this.audit = new DocumentAuditLogStore(driver, { now });
    this.costs = new DocumentCostLedgerStore(driver, { now });
    this.templates = new DocumentTemplateStore(driver);
    this.idempotency = new DocumentIdempotencyStore(driver, now);
    this.budget = new DocumentRateBudget(driver);
    this.optInFlows = new DocumentOptInFlowStore(driver);
    this.agents = new DocumentAgentStore(driver);
    this.apiKeys = new DocumentApiKeyStore(driver);
    this.events = new DocumentEventLogStore(driver);
    this.decisions = new DocumentDecisionStore(driver, { now });
    this.usage = new DocumentMessagingUsageStore(driver);
    this.media = new DocumentMediaRecordStore(driver);
    this.mediaJobs = new DocumentMediaJobStore(driver);
    this.contactMerges = new DocumentContactMergeStore(driver);
  }

  /** Resolves when the database is reachable; throws a `StorageError` otherwise. */
  async ping(): Promise<void> {
    await this.driver.ping();
  }

  /** Closes the driver. */
  async close(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * Builds every store of the host on one driver.
 * @param driver - the storage driver (memory, SQLite, MongoDB or a third party's)
 * @param options - the host clock
 * @returns the stores; `close()` closes the driver
 * @example
 * ```ts
 * const stores = createHostStores(await SqliteDriver.open({ path: './data/switchboard.db' }));
 * ```
 */
export function createHostStores(driver: StorageDriver, options: HostStoresOptions = {}): DocumentHostStores {
  return new DocumentHostStores(driver, options);
}

/**
 * Every store on a fresh {@link MemoryDriver}: nothing survives the process. For tests, benchmarks
 * and the explicit ephemeral mode.
 * @example
 * ```ts
 * const stores = new MemoryStores();
 * ```
 */
export class MemoryStores extends DocumentHostStores {
  /** @param options - the host clock */
  constructor(options: HostStoresOptions = {}) {
    super(new MemoryDriver(), options);
  }
}

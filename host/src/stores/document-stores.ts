/**
 * The host's core stores, written once on the storage driver contract (`driver.ts`): conversations,
 * messages, contacts, the consent ledger, inbox, outbox, dead letters, the audit log, the cost
 * ledger and the media store's records. Every driver (memory, SQLite, MongoDB) runs the same code; the logic that must not differ
 * between them — statuses that only move forward, times that only move forward, per-recipient
 * order, leases, erasure, retention, paging — lives here, above the drivers.
 * @module
 */
import type { CollectionSpec } from './driver.js';
import { DocumentAuditLogStore } from './document-audit-log-store.js';
import { DocumentConsentLedgerStore } from './document-consent-ledger-store.js';
import { DocumentContactStore } from './document-contact-store.js';
import { DocumentConversationStore } from './document-conversation-store.js';
import { DocumentCostLedgerStore } from './document-cost-ledger-store.js';
import { DocumentDeadLetterStore } from './document-dead-letter-store.js';
import { DocumentInboxStore } from './document-inbox-store.js';
import { DocumentMediaRecordStore } from './document-media-store.js';
import { DocumentMessageStore } from './document-message-store.js';
import { DocumentOutboxStore } from './document-outbox-store.js';

export { DocumentAuditLogStore, DocumentConsentLedgerStore, DocumentContactStore, DocumentConversationStore, DocumentCostLedgerStore, DocumentDeadLetterStore, DocumentInboxStore, DocumentMediaRecordStore, DocumentMessageStore, DocumentOutboxStore };
export type { DocumentStoreOptions } from './document-support.js';
export type { PatchableFields, SendOutcomeFields } from './document-message-store.js';

/**
 * Every collection the core stores declare (records and their side collections: address claims,
 * message parts, audit references), e.g. to dump everything a driver holds in a test.
 */
export const CORE_COLLECTIONS: readonly CollectionSpec[] = [
  DocumentConversationStore.spec,
  DocumentMessageStore.spec, DocumentMessageStore.partsSpec,
  DocumentContactStore.spec, DocumentContactStore.claimsSpec,
  DocumentConsentLedgerStore.spec,
  DocumentInboxStore.spec,
  DocumentOutboxStore.spec,
  DocumentDeadLetterStore.spec,
  DocumentAuditLogStore.spec, DocumentAuditLogStore.refsSpec,
  DocumentCostLedgerStore.spec,
  DocumentMediaRecordStore.spec,
];


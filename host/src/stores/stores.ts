/**
 * Store interfaces. Every store is tenant-scoped: each read takes the tenant id, so one tenant can
 * never see another's data. One implementation of each, written on the storage driver contract
 * (`document-stores.ts`), runs on every driver; `createHostStores(driver)` builds them all.
 * @module
 */
import type {
  Address, ConsentEntry, Contact, Conversation, DeliveryStatus, InboundEvent, MediaRef, Message, MessageForm, OutboundMessage,
} from '@switchboard/core';
import type { AuditLogStore, CostLedgerStore } from './ledger-stores.js';
import type { StorageDriver } from './driver.js';
import type { TemplateStore } from '../outbound/template-registry.js';
import type { IdempotencyStore } from '../outbound/idempotency-store.js';
import type { RateBudget } from '../outbound/rate-budget.js';
import type { OptInFlowStore } from '../consent/opt-in-flow-store.js';
import type { AgentStore } from '../console/agent-store.js';
import type { ApiKeyStore } from '../api/api-key-store.js';
import type { EventLogStore } from '../events/event-log-store.js';
import type { DecisionStore } from './document-decision-store.js';
import type { MessagingUsageStore } from './document-messaging-usage-store.js';
import type { MediaRecordStore } from '../media/media-store.js';
import type { MediaJobStore } from '../media/media-job-store.js';
import type { ContactMergeStore } from '../contacts/contact-merge-store.js';

/** A stored message, with the channel address it travelled on. */
export interface HostMessage extends Message {
  channel: string;
  accountId: string;
  userId: string;
  /** Every status the message went through, in the order they were applied. */
  statusHistory?: { status: DeliveryStatus; at: Date }[];
  /** The form the policy engine chose (outbound). */
  form?: MessageForm;
  /** Topic of a transactional or marketing message (outbound). */
  topic?: string;
  /** External ids of further parts when the content was split (outbound). */
  partIds?: string[];
  /**
   * Set by the message store on an inbound message whose file the host has still to fetch (media
   * content with a platform reference and no stored file); cleared when the fetch settles (see
   * {@link MessageStore.updateMedia}). The media fetcher's start-up sweep finds messages by it.
   */
  mediaPending?: boolean;
}

/** What the host records on a message's `content.media` about its stored file. */
export type MediaStoreFields = Partial<Pick<MediaRef, 'storedId' | 'sha256' | 'storeState' | 'storeNote'>>;

/** Paging for list calls. */
export interface Page {
  limit?: number;
  offset?: number;
}

/** DI token for {@link ConversationStore}. */
export const ConversationStore = Symbol.for('switchboard.ConversationStore');
/** Conversations: one per tenant and address. */
export interface ConversationStore {
  /**
   * Finds the conversation of an address or creates it (atomically: unique on tenant + address).
   * @returns the conversation and whether it was created now
   */
  findOrCreate(tenantId: string, address: Address, create: () => Conversation): Promise<{ conversation: Conversation; created: boolean }>;
  get(tenantId: string, id: string): Promise<Conversation | undefined>;
  findByAddress(tenantId: string, address: Address): Promise<Conversation | undefined>;
  list(tenantId: string, filter?: { status?: Conversation['status']; channel?: string; contactId?: string } & Page): Promise<Conversation[]>;
  /** Applies a shallow patch; returns the updated conversation or undefined when it does not exist. */
  update(tenantId: string, id: string, patch: Partial<Omit<Conversation, 'id' | 'tenantId'>>): Promise<Conversation | undefined>;
  /** Moves `lastInboundAt` forward only (never back, whatever order messages arrive in). */
  recordInbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined>;
  /**
   * Records a message the business sent: `lastOutboundAt` moves forward only, `firstResponseAt` is
   * set once, and `outboundSinceInbound` counts up (atomically).
   */
  recordOutbound(tenantId: string, id: string, at: Date): Promise<Conversation | undefined>;
  /** Deletes a conversation (erasure); true when it existed. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** DI token for {@link MessageStore}. */
export const MessageStore = Symbol.for('switchboard.MessageStore');
/**
 * Messages, inbound and outbound. Unique on tenant + channel + account + direction + external id
 * (some platforms number messages per account or chat, so the account belongs in the key).
 */
export interface MessageStore {
  /**
   * Inserts a message; when one with the same tenant, channel, account, customer, direction and external id exists,
   * returns it instead (`inserted: false`).
   */
  insert(message: HostMessage): Promise<{ message: HostMessage; inserted: boolean }>;
  get(tenantId: string, id: string): Promise<HostMessage | undefined>;
  /**
   * Finds a message by its platform id (outbound first when no direction is given; part ids count).
   * Ids are unique per customer (`address.userId`); without it, the latest message with that id on
   * the account is returned.
   */
  findByExternalId(tenantId: string, address: { channel: string; accountId: string; userId?: string }, externalId: string, direction?: HostMessage['direction']): Promise<HostMessage | undefined>;
  /** Messages of a conversation in platform-time order (then creation order). */
  listByConversation(tenantId: string, conversationId: string, page?: Page): Promise<HostMessage[]>;
  /**
   * Applies a status with core's `advanceStatus` semantics atomically: never moves backwards.
   * @returns the message after the update and whether the status changed
   */
  applyStatus(tenantId: string, id: string, status: DeliveryStatus, at: Date, error?: { code: string; message: string }): Promise<{ message: HostMessage; changed: boolean } | undefined>;
  /** Patches fields the dispatcher learns (external id, rendering, price, part ids). Not for status. */
  update(tenantId: string, id: string, patch: Partial<Pick<HostMessage, 'externalId' | 'rendering' | 'price' | 'partIds' | 'error' | 'form'>>): Promise<HostMessage | undefined>;
  /**
   * Records what became of a message's file on its `content.media` (the stored file's id and hash,
   * the fetch's state and note), atomically. `settled: true` also clears `mediaPending`: the fetch
   * is over, whatever its outcome.
   * @returns the message after the change; undefined when it does not exist or carries no media
   */
  updateMedia(tenantId: string, id: string, media: MediaStoreFields, options: { settled: boolean }): Promise<HostMessage | undefined>;
  /** A tenant's messages whose file is still to be fetched (`mediaPending`), oldest first. */
  listMediaPending(tenantId: string, page?: Page): Promise<HostMessage[]>;
  /** Messages with a status, oldest first (the dispatcher's view of what is in flight). */
  listByStatus(tenantId: string, status: DeliveryStatus, page?: Page): Promise<HostMessage[]>;
  /** A tenant's messages with `from <= timestamp < to`, in platform-time order (then creation order, then id). */
  listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<HostMessage[]>;
  /**
   * Messages of several conversations (a contact's timeline across channels), newest first in
   * platform time (then creation order, then id, all descending). At most 1,000 conversation ids.
   */
  listByConversations(tenantId: string, conversationIds: readonly string[], page?: Page): Promise<HostMessage[]>;
  /** Deletes every message of a conversation (erasure). @returns how many were deleted */
  deleteByConversation(tenantId: string, conversationId: string): Promise<number>;
  /**
   * Deletes a tenant's messages older than `before` (retention), except outbound messages still
   * waiting to be sent (accepted or queued): those leave with the outbox. @returns how many were deleted
   */
  deleteBefore(tenantId: string, before: Date): Promise<number>;
}

/** A half-open time interval `[from, to)`. */
export interface TimeRange {
  from: Date;
  to: Date;
}

/** DI token for {@link ContactStore}. */
export const ContactStore = Symbol.for('switchboard.ContactStore');
/** Contacts, found by any of their addresses. */
export interface ContactStore {
  /** Finds the contact owning an address or creates one (atomically: an address belongs to one contact per tenant). */
  findOrCreateByAddress(tenantId: string, address: Address, create: () => Contact): Promise<{ contact: Contact; created: boolean }>;
  /** The contact owning an address, if any (nothing is created). */
  findByAddress(tenantId: string, address: Address): Promise<Contact | undefined>;
  /**
   * Adds an address to a contact, atomically. An address belongs to one contact per tenant: one
   * another contact owns throws a CONFLICT error whose `details.contactId` names the owner.
   * @returns the contact as stored, or undefined when it does not exist
   */
  addAddress(tenantId: string, contactId: string, address: Address): Promise<Contact | undefined>;
  get(tenantId: string, id: string): Promise<Contact | undefined>;
  list(tenantId: string, page?: Page): Promise<Contact[]>;
  update(tenantId: string, id: string, patch: Partial<Omit<Contact, 'id' | 'tenantId' | 'addresses'>>): Promise<Contact | undefined>;
  /** Deletes a contact and frees its addresses (erasure); true when it existed. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Changes a contact by a function of its current state, atomically (compare-and-set: a concurrent
   * change makes the function run again on the newer state). The function may throw to refuse.
   * @param change - the current contact → the fields to set (`undefined` values remove a field)
   * @returns the contact as stored, or undefined when it does not exist
   */
  modify(tenantId: string, id: string, change: (current: Contact) => ContactFields): Promise<Contact | undefined>;
  /**
   * Folds contact `sourceId` into `targetId`: every address of the source is moved to the target
   * (its claims first, so an address never belongs to nobody), the target's fields become
   * `combine(target, source)`, and the source is deleted. Running it again after a crash completes it.
   * @param combine - the two contacts → the target's fields after the merge
   * @returns the target as stored, or undefined when the target does not exist (nothing changed)
   */
  absorb(tenantId: string, targetId: string, sourceId: string, combine: (target: Contact, source: Contact) => ContactFields): Promise<Contact | undefined>;
}

/** The fields of a contact that {@link ContactStore.modify} and {@link ContactStore.absorb} set. */
export type ContactFields = Partial<Omit<Contact, 'id' | 'tenantId' | 'addresses' | 'createdAt'>>;

/** DI token for {@link ConsentLedgerStore}. */
export const ConsentLedgerStore = Symbol.for('switchboard.ConsentLedgerStore');
/**
 * The append-only consent ledger. There is no update and no delete; the one exception is
 * erasure, which replaces a contact's entries by pseudonymised proofs ({@link ConsentLedgerStore.redactContact}).
 */
export interface ConsentLedgerStore {
  append(entry: ConsentEntry): Promise<void>;
  /** Every entry of a contact, oldest first. */
  listByContact(tenantId: string, contactId: string): Promise<ConsentEntry[]>;
  /** A tenant's entries with `from <= at < to`, oldest first (ledger order among equal times). */
  listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<ConsentEntry[]>;
  /**
   * Replaces every entry of a contact by `redact(entry)` (same id, same position in the ledger):
   * erasure keeps a pseudonymised proof of each consent event. @returns how many entries were replaced
   */
  redactContact(tenantId: string, contactId: string, redact: (entry: ConsentEntry) => ConsentEntry): Promise<number>;
}

/** Where an inbox entry is in its life. */
export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';

/** One normalised inbound event, written before the webhook is answered. */
export interface InboxEntry {
  id: string;
  tenantId: string;
  channel: string;
  /** The account key of the webhook URL. */
  account: string;
  /** The dedup key: the platform's event id, else the external id, else a hash of the raw body. */
  key: string;
  event: InboundEvent;
  receivedAt: Date;
  status: InboxStatus;
  attempts: number;
  /** Not to be processed before this time (a retry after a failure). */
  notBefore?: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  processedAt?: Date;
}

/** DI token for {@link InboxStore}. */
export const InboxStore = Symbol.for('switchboard.InboxStore');
/**
 * The inbox: idempotent on (tenant, channel, account, key); drained by one processor per entry via
 * leases. The account is part of the key because some platforms number events per account
 * (Telegram's update_id is per bot).
 */
export interface InboxStore {
  /** Adds entries, dropping those whose (tenant, channel, key) is already there. */
  add(entries: InboxEntry[]): Promise<{ inserted: InboxEntry[]; duplicates: number }>;
  /**
   * Leases up to `limit` entries due now (pending and due, or processing with an expired lease)
   * to `owner`, oldest first.
   */
  claim(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date }): Promise<InboxEntry[]>;
  /** Marks an entry processed (only by its lease owner). */
  complete(id: string, owner: string, now: Date): Promise<void>;
  /** Gives an entry back for a later retry, or marks it failed when `retryAt` is undefined. */
  fail(id: string, owner: string, error: string, retryAt: Date | undefined): Promise<void>;
  get(id: string): Promise<InboxEntry | undefined>;
  /** Counts a tenant's entries by status. */
  counts(tenantId: string): Promise<Record<InboxStatus, number>>;
  /**
   * A tenant's entries whose event names one of the addresses (channel, user id and, when the event
   * has one, account), or names no user and one of the external ids on one of the addresses' channel
   * accounts (an event naming another user is never matched by its external id).
   */
  listMatching(tenantId: string, match: RecordMatch): Promise<InboxEntry[]>;
  /** Deletes what {@link InboxStore.listMatching} finds (erasure). @returns how many were deleted */
  deleteMatching(tenantId: string, match: RecordMatch): Promise<number>;
  /** Deletes a tenant's done or failed entries received before `before` (retention). @returns how many were deleted */
  deleteFinishedBefore(tenantId: string, before: Date): Promise<number>;
}

/** Selects the records of one contact: its addresses, and platform message ids of its messages. */
export interface RecordMatch {
  addresses: Address[];
  externalIds?: string[];
}

/** Where an outbox entry is in its life. */
export type OutboxStatus = 'pending' | 'leased' | 'sent' | 'failed' | 'cancelled';

/** An outbound message waiting for (or done with) the dispatcher. */
export interface OutboxEntry {
  id: string;
  tenantId: string;
  /** The stored message it sends. */
  messageId: string;
  channel: string;
  /** The account key of the connector binding that sends it. */
  account: string;
  /** What the connector is asked to send. */
  message: OutboundMessage;
  status: OutboxStatus;
  attempts: number;
  /** Not to be sent before this time (backoff, retry-after). */
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: { code: string; message: string };
  /** The `Idempotency-Key` of the API call that queued it, if any. */
  idempotencyKey?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** DI token for {@link OutboxStore}. */
export const OutboxStore = Symbol.for('switchboard.OutboxStore');
/**
 * The outbox: written before an outbound message is acknowledged, leased to one dispatcher at a
 * time by an atomic update; a lease expires if its process dies.
 */
/** Options of {@link OutboxStore.retry}. */
export interface RetryOptions {
  /**
   * Whether the lease being given back was an attempt on the platform (default true). A message put
   * back without calling the platform (breaker open, waiting for a rate slot, told to come back
   * later by a 429) gets the attempt its lease counted back, so only real failures use up
   * `maxAttempts`.
   */
  attempted?: boolean;
}

export interface OutboxStore {
  enqueue(entry: OutboxEntry): Promise<void>;
  /** Leases due entries (pending and due, or leased with an expired lease), oldest first. */
  lease(options: { tenantId: string; owner: string; limit: number; leaseMs: number; now: Date; channel?: string; account?: string }): Promise<OutboxEntry[]>;
  /** Extends a lease the owner still holds; false when it was lost. */
  renew(id: string, owner: string, leaseUntil: Date): Promise<boolean>;
  /** Marks an entry sent (only by its lease owner). */
  complete(id: string, owner: string, now: Date): Promise<boolean>;
  /** Puts an entry back for a retry at `notBefore` (only by its lease owner). */
  retry(id: string, owner: string, notBefore: Date, error: { code: string; message: string }, now: Date, options?: RetryOptions): Promise<boolean>;
  /**
   * The oldest entry for the same recipient (tenant, channel, account, user) created before this one
   * (by `createdAt`, then id) that is still pending or leased: while there is one, this entry waits,
   * so a customer receives a conversation's messages in the order they were accepted even when an
   * earlier one needs retries.
   */
  firstOpenBefore(entry: OutboxEntry): Promise<OutboxEntry | undefined>;
  /** Marks an entry failed for good (only by its lease owner). */
  fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean>;
  /**
   * Records what the platform accepted, as one write: the entry completed (by its lease owner) and its
   * message `sent` with the platform's ids and a `sent` entry in its history — so no reader, and no
   * crash, ever finds the entry done and the message still `queued` (on a driver without
   * transactions, the message first: the entry then stays leased, and the dispatcher that takes it
   * over finds every part recorded and sends nothing again). A lease lost meanwhile still records the
   * message (the platform has it). Statuses only move forward: a receipt that overtook the dispatcher
   * keeps its status.
   * @param entry - the leased entry (its id, tenant and message)
   * @param owner - the lease owner
   * @param accepted - the platform's ids not yet recorded on the message (none when its parts were
   *   recorded as they were accepted) and when it accepted the message
   * @param now - the host's time
   * @param seen - the message as the caller last read it, if it did: the first guess of the status's
   *   compare-and-set (a read saved when nothing changed it meanwhile; a stale one costs a retry)
   * @returns whether the entry was completed, and the message as written (`changed` when its status moved)
   */
  completeSend(entry: Pick<OutboxEntry, 'id' | 'tenantId' | 'messageId'>, owner: string, accepted: { externalId?: string; partIds?: string[]; at: Date }, now: Date, seen?: HostMessage): Promise<SendRecorded>;
  /**
   * Records a send that failed for good, as one write: the entry failed (by its lease owner) and its
   * message `failed` with the reason (see {@link OutboxStore.completeSend} for the guarantees).
   * @param entry - the leased entry
   * @param owner - the lease owner
   * @param error - why
   * @param now - the host's time (the failure's time too)
   * @returns whether the entry was failed, and the message as written
   */
  failSend(entry: Pick<OutboxEntry, 'id' | 'tenantId' | 'messageId'>, owner: string, error: { code: string; message: string }, now: Date): Promise<SendRecorded>;
  get(tenantId: string, id: string): Promise<OutboxEntry | undefined>;
  findByMessage(tenantId: string, messageId: string): Promise<OutboxEntry | undefined>;
  list(tenantId: string, filter?: { status?: OutboxStatus } & Page): Promise<OutboxEntry[]>;
  /** Counts a tenant's entries by status. */
  counts(tenantId: string): Promise<Record<OutboxStatus, number>>;
  /** A tenant's entries addressed to one of the addresses, oldest first. */
  listByRecipient(tenantId: string, addresses: Address[]): Promise<OutboxEntry[]>;
  /** Deletes a tenant's entries addressed to one of the addresses, whatever their status (erasure). @returns how many */
  deleteByRecipient(tenantId: string, addresses: Address[]): Promise<number>;
  /** Deletes a tenant's sent, failed or cancelled entries last updated before `before` (retention). @returns how many */
  deleteFinishedBefore(tenantId: string, before: Date): Promise<number>;
}

/** A verified webhook that could not be parsed, kept with its raw body. */
export interface DeadLetter {
  id: string;
  tenantId: string;
  channel: string;
  account: string;
  /** Why it could not be processed. */
  reason: string;
  /** The error code (MALFORMED_PAYLOAD for a parse failure). */
  code: string;
  /** The raw body, base64-encoded (it may not be text). */
  rawBody: string;
  headers: Record<string, string>;
  receivedAt: Date;
}

/** What {@link OutboxStore.completeSend} and {@link OutboxStore.failSend} wrote. */
export interface SendRecorded {
  /** The entry was completed (or failed) by this owner; false when its lease was lost or it was done already. */
  settled: boolean;
  /** The message after the write (undefined when it is gone). */
  message?: HostMessage;
  /** The message's status moved (publish it). */
  changed: boolean;
}

/** DI token for {@link DeadLetterStore}. */
export const DeadLetterStore = Symbol.for('switchboard.DeadLetterStore');
/** Dead letters, visible through the API. */
export interface DeadLetterStore {
  add(letter: DeadLetter): Promise<void>;
  get(tenantId: string, id: string): Promise<DeadLetter | undefined>;
  /** Newest first. */
  list(tenantId: string, page?: Page): Promise<DeadLetter[]>;
  /** Deletes dead letters by id (erasure). @returns how many were deleted */
  delete(tenantId: string, ids: string[]): Promise<number>;
  /** Deletes a tenant's dead letters received before `before` (retention). @returns how many were deleted */
  deleteBefore(tenantId: string, before: Date): Promise<number>;
  /**
   * Rewrites stored dead letters, every tenant's, whose headers still hold a credential's value
   * (letters stored before the host redacted them) with the value `[redacted]`.
   * @param isCredential - whether a header name carries a credential
   * @returns how many letters were rewritten
   */
  redactStoredCredentials(isCredential: (header: string) => boolean): Promise<number>;
}

/** DI token for {@link HostStores}. */
export const HostStores = Symbol.for('switchboard.HostStores');
/**
 * Every store the host needs, all built by one {@link StorageDriver} (see `createHostStores`),
 * plus the connection's life cycle.
 */
export interface HostStores {
  readonly kind: StorageDriver['kind'];
  /** The driver every store is built on. */
  readonly driver: StorageDriver;
  conversations: ConversationStore;
  messages: MessageStore;
  contacts: ContactStore;
  consent: ConsentLedgerStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  deadLetters: DeadLetterStore;
  /** The audit log of API access. */
  audit: AuditLogStore;
  /** The cost ledger. */
  costs: CostLedgerStore;
  /** Message templates (outbound). */
  templates: TemplateStore;
  /** Remembered answers of `Idempotency-Key` requests. */
  idempotency: IdempotencyStore;
  /** The rate budget every host process on this database shares. */
  budget: RateBudget;
  /** Double opt-in flows. */
  optInFlows: OptInFlowStore;
  /** Console agents, sessions, read markers, notes, saved replies and settings. */
  agents: AgentStore;
  /** API keys made by the CLI or the REST API (hashed; the config's keys are not stored). */
  apiKeys: ApiKeyStore;
  /** The bounded log of streamed events (`Last-Event-ID` resume). */
  events: EventLogStore;
  /** Why each outbound message was allowed or refused (decision records). */
  decisions: DecisionStore;
  /** Unique recipients of business-initiated messages per account in a rolling window (messaging limits). */
  usage: MessagingUsageStore;
  /**
   * The media store's records (the bytes are in the host's blob store: see `MediaStore`, which
   * every other part of the host uses instead of this).
   */
  media: MediaRecordStore;
  /** The inbound media fetcher's jobs. */
  mediaJobs: MediaJobStore;
  /** Contact merges: their audit record and journal. */
  contactMerges: ContactMergeStore;
  /** Resolves when the store is reachable; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Default page size and the largest one a caller may ask for. */
export const PAGE_DEFAULT = 50;
/** Largest page size. */
export const PAGE_MAX = 500;

/**
 * Normalises paging input.
 * @param page - caller's paging
 * @returns limit and offset within bounds
 */
export function pageOf(page: Page | undefined): { limit: number; offset: number } {
  const limit = Math.min(Math.max(1, Math.floor(page?.limit ?? PAGE_DEFAULT)), PAGE_MAX);
  const offset = Math.max(0, Math.floor(page?.offset ?? 0));
  return { limit, offset };
}

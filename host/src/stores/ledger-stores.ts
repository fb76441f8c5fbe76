/**
 * Stores of the compliance and analytics features: the audit log of API access and the cost
 * ledger of sent messages. Both are tenant-scoped like every other store, and both can replace a
 * contact's ids by pseudonyms when the contact is erased (the records themselves stay: who read
 * what, and what was spent, must survive the erasure of the person it was about).
 * @module
 */
import type { PriceCategory } from '@switchboard/core';
import type { Page, TimeRange } from './stores.js';

/** One API call, as the audit log keeps it. */
export interface AuditEntry {
  id: string;
  tenantId: string;
  at: Date;
  /** Who: `key:` and the first 16 hex digits of the API key's SHA-256 (never the key itself). */
  actor: string;
  /** `read` for GET and HEAD, `change` otherwise. */
  action: 'read' | 'change';
  method: string;
  /** The path under `/v1`, without the query string. */
  path: string;
  /** The HTTP status answered. */
  status: number;
  /** Contacts the call read or changed (from the path, the query and the answer). */
  contactIds: string[];
  /** Conversations the call read or changed. */
  conversationIds: string[];
}

/** DI token for {@link AuditLogStore}. */
export const AuditLogStore = Symbol.for('switchboard.AuditLogStore');
/** The audit log: append-only, except that erasure pseudonymises the ids of an erased contact. */
export interface AuditLogStore {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first; `contactId` / `conversationId` select entries naming it. */
  list(tenantId: string, filter?: Partial<TimeRange> & { contactId?: string; conversationId?: string } & Page): Promise<AuditEntry[]>;
  /**
   * Replaces ids in `contactIds`, `conversationIds` and `path` by their pseudonyms.
   * @param replacements - id → pseudonym
   * @returns how many entries changed
   */
  pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number>;
}

/** What one sent message cost, priced when it was sent. */
export interface CostEntry {
  id: string;
  tenantId: string;
  /** The stored message (unique per tenant: a message is charged once). */
  messageId: string;
  conversationId: string;
  channel: string;
  accountId: string;
  category: PriceCategory;
  amount: number;
  currency: string;
  /** When the message was sent (the time its price was taken at). */
  at: Date;
  /** Whether a customer-service session was open at that time. */
  inServiceSession: boolean;
  /** The date of the rate applied, when one applied. */
  rateFrom?: string;
  /** The price the policy engine quoted when the message was queued, when it differs. */
  quotedAmount?: number;
}

/** Totals of one channel, category and currency. */
export interface CostTotal {
  channel: string;
  category: PriceCategory;
  currency: string;
  messages: number;
  /** Rounded to 6 decimals. */
  amount: number;
}

/** DI token for {@link CostLedgerStore}. */
export const CostLedgerStore = Symbol.for('switchboard.CostLedgerStore');
/** The cost ledger: one entry per sent message, per tenant and channel. */
export interface CostLedgerStore {
  /** Records an entry once per (tenant, message). @returns false when the message was already charged */
  record(entry: CostEntry): Promise<boolean>;
  /** Entries with `from <= at < to`, oldest first. */
  list(tenantId: string, filter: TimeRange & { channel?: string } & Page): Promise<CostEntry[]>;
  /** Totals per channel, category and currency for `from <= at < to`, sorted by channel then category. */
  totals(tenantId: string, range: TimeRange): Promise<CostTotal[]>;
  /**
   * Replaces `messageId` and `conversationId` values by their pseudonyms (erasure keeps the charge, not the link).
   * @param replacements - id → pseudonym
   * @returns how many entries changed
   */
  pseudonymise(tenantId: string, replacements: Readonly<Record<string, string>>): Promise<number>;
}

/**
 * Rounds a money amount to 6 decimals (sums of binary fractions drift).
 * @param amount - an amount
 * @returns the rounded amount
 */
export function roundAmount(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

/**
 * The hook through which any part of the host takes part in a contact's export and erasure, and
 * the pseudonyms erasure leaves behind.
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import type { Address } from '@switchboard/core';

/** What a handler is told about the contact being exported or erased. */
export interface ContactDataSubject {
  tenantId: string;
  contactId: string;
  /** Every address of the contact (channel, business account, platform user id). */
  addresses: Address[];
  /** Ids of the contact's conversations. */
  conversationIds: string[];
}

/** DI token for {@link ContactDataHandler} (multi-bound: every feature that keeps personal data binds one). */
export const ContactDataHandler = Symbol.for('switchboard.ContactDataHandler');
/**
 * A store outside the host's own stores that holds data about contacts (a feature's opt-in tokens,
 * a CRM cache…). Bind one to {@link ContactDataHandler} in the container, or register it on the
 * compliance feature; export and erasure then include it.
 * @example
 * container.bind(ContactDataHandler).toConstantValue({
 *   name: 'opt-in-tokens',
 *   export: async (s) => tokens.byContact(s.tenantId, s.contactId),
 *   erase: async (s) => ({ deleted: await tokens.deleteByContact(s.tenantId, s.contactId) }),
 * });
 */
export interface ContactDataHandler {
  /** The key its data has in the export, and its name in the erasure report. Unique. */
  readonly name: string;
  /** Everything it holds about the contact, as JSON-serialisable data. */
  export(subject: ContactDataSubject): Promise<unknown>;
  /** Deletes (or pseudonymises) everything it holds about the contact; says what it did. */
  erase(subject: ContactDataSubject): Promise<Record<string, number>>;
}

/**
 * Keyed hashes that replace ids on erasure. HMAC-SHA-256 with a secret salt: without the salt
 * nobody can test a guessed id or phone number against a pseudonym; with it the business can
 * answer "did +49… consent?" by hashing the address the person gives.
 */
export class Pseudonymiser {
  /** @param salt - the secret (keep it out of the database) */
  constructor(private readonly salt: string) {
    if (salt.length < 16) throw new Error('the pseudonymisation salt must be at least 16 characters');
  }

  private hash(kind: string, tenantId: string, value: string): string {
    return createHmac('sha256', this.salt).update(`${kind}\u0000${tenantId}\u0000${value}`).digest('hex').slice(0, 32);
  }

  /**
   * @param tenantId - the tenant
   * @param id - a contact, conversation or message id
   * @returns `erased:` and 32 hex digits
   */
  id(tenantId: string, id: string): string {
    return `erased:${this.hash('id', tenantId, id)}`;
  }

  /**
   * @param tenantId - the tenant
   * @param address - a customer address (the business account does not enter: a person is the same on every number of the business)
   * @returns `addr:` and 32 hex digits
   */
  address(tenantId: string, address: Pick<Address, 'channel' | 'userId'>): string {
    return `addr:${this.hash('address', tenantId, `${address.channel}:${address.userId}`)}`;
  }

  /**
   * @param text - wording shown to the customer
   * @returns its SHA-256 (unsalted: it is the business's own text, matched against its templates)
   */
  static wording(text: string): string {
    return createHash('sha256').update(text).digest('hex');
  }
}

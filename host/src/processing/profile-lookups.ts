/**
 * Names for contacts the platform's webhooks left unnamed: for a connector with core's optional
 * `lookupProfile` (Messenger's User Profile API), the host asks once, off the message's path, for a
 * contact that has no name — one lookup at a time per contact, and after a miss or a failure not
 * again for a while (on the host clock). A name found is written only while the contact still has
 * none, so a name an agent or the integrator set meanwhile is kept.
 * @module
 */
import type { Clock, Contact, Conversation, Logger } from '@switchboard/core';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStores } from '../stores/stores.js';
import type { HostStreams } from '../streams.js';

/** What the lookups need. */
export interface ProfileLookupDeps {
  registry: ConnectorRegistry;
  stores: Pick<HostStores, 'contacts'>;
  /** Where a named contact's conversation is announced as `updated` (the console's inbox shows the name at once). */
  streams?: Pick<HostStreams, 'conversation$'>;
  clock: Clock;
  logger: Logger;
}

/** Tuning of {@link ProfileLookups}. */
export interface ProfileLookupOptions {
  /** After the platform said it has no profile, ask again no sooner than this (default 24 h). */
  missRetryMs?: number;
  /** After a lookup failed (a bad token, throttling, no answer), ask again no sooner than this (default 15 min). */
  failureRetryMs?: number;
  /** Contacts whose miss or failure is remembered at once; the oldest is forgotten beyond it (default 10,000). */
  maxRemembered?: number;
}

/** What one request came to (for the caller's tests and logs). */
export type ProfileLookupOutcome = 'named' | 'no-profile' | 'failed' | 'skipped';

/** Looks customers' names up on the platform, once at a time per contact. */
export class ProfileLookups {
  private readonly inFlight = new Set<string>();
  /** contact key → not before (ms, host clock); insertion order is age order */
  private readonly notBefore = new Map<string, number>();
  private readonly o: Required<ProfileLookupOptions>;

  /**
   * @param deps - the connector registry, the contact store, clock, logger
   * @param options - how long a miss or a failure is remembered, and for how many contacts
   */
  constructor(private readonly deps: ProfileLookupDeps, options: ProfileLookupOptions = {}) {
    this.o = { missRetryMs: 24 * 3_600_000, failureRetryMs: 15 * 60_000, maxRemembered: 10_000, ...options };
  }

  /**
   * Looks the contact's name up when it has none and the account's connector can.
   * @param tenantId - the tenant
   * @param channel - the message's channel
   * @param account - the account (binding) the message came in on
   * @param userId - the customer's id on it
   * @param contact - the contact as the message's processing saw it
   * @param conversation - the message's conversation, announced as `updated` once the contact is named
   * @returns what happened; never rejects
   */
  async request(tenantId: string, channel: string, account: string, userId: string, contact: Contact, conversation?: Conversation): Promise<ProfileLookupOutcome> {
    if (contact.profile.name) return 'skipped';
    const connector = this.deps.registry.find(tenantId, channel, account)?.connector;
    if (typeof connector?.lookupProfile !== 'function') return 'skipped';
    const key = `${tenantId}\u0000${contact.id}`;
    const now = this.deps.clock.now();
    if (this.inFlight.has(key) || (this.notBefore.get(key) ?? 0) > now) return 'skipped';
    this.inFlight.add(key);
    try {
      const profile = await connector.lookupProfile(userId);
      const name = profile?.name?.trim();
      if (!name) { this.remember(key, now + this.o.missRetryMs); return 'no-profile'; }
      const current = await this.deps.stores.contacts.get(tenantId, contact.id);
      // someone named the contact while the platform answered: theirs stays
      if (current && !current.profile.name) {
        await this.deps.stores.contacts.update(tenantId, contact.id, { profile: { ...current.profile, name }, updatedAt: new Date(this.deps.clock.now()) });
        if (conversation) this.deps.streams?.conversation$.next({ tenantId, change: 'updated', conversation });
      }
      this.notBefore.delete(key);
      return 'named';
    } catch (error) {
      this.remember(key, now + this.o.failureRetryMs);
      this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error), channel, account, contactId: contact.id }, 'could not look the customer\'s profile up');
      return 'failed';
    } finally {
      this.inFlight.delete(key);
    }
  }

  private remember(key: string, until: number): void {
    this.notBefore.delete(key);
    this.notBefore.set(key, until);
    while (this.notBefore.size > this.o.maxRemembered) this.notBefore.delete(this.notBefore.keys().next().value!);
  }
}

/**
 * The consent service: the one writer of the consent ledger and the one place that derives a
 * contact's consent state with the tenant's terms (its `consentScope` and privacy-policy version).
 *
 * Everything that records consent — keywords and platform signals in the inbox, `POST
 * /v1/contacts/:id/consent`, the opt-in flows, a platform refusing delivery because the customer
 * blocked the business — calls {@link ConsentService.record}, which appends the entry and
 * publishes it on `consent$`. Everything that asks "what may I send to this contact" — the
 * outbound path, the REST API, the console, the compliance report — reads the state through
 * {@link consentStateOn} or the service's {@link ConsentService.stateOf}, so they all answer the
 * same question the same way. A structural test (`consent-service.structure.test.ts`) keeps other
 * writers out.
 * @module
 */
import { deriveConsentState, type ConsentEntry, type ConsentState, type Contact, type Purpose } from '@switchboard/core';
import type { Container } from '@switchboard/core/di';
import type { TenantConfig } from '../config/host-config.js';
import type { HostStreams } from '../streams.js';
import type { HostStores } from '../stores/stores.js';

/**
 * The tenant's terms consent is read under. The field names are those of the outbound path's
 * tenant policy, so that policy is itself a `ConsentTerms`.
 */
export interface ConsentTerms {
  /** Whether a revocation on one channel counts on the contact's other channels (default `all-channels`). */
  consentScope?: 'all-channels' | 'per-channel';
  /** The privacy-policy version in force: grants accepted under another version no longer count (service excepted). */
  privacyPolicyVersion?: string;
}

/**
 * A tenant's consent terms.
 * @param tenant - the tenant's configuration
 * @returns its consent scope and privacy-policy version
 */
export function consentTermsOf(tenant: Pick<TenantConfig, 'policy' | 'privacyPolicyVersion'>): ConsentTerms {
  return {
    ...(tenant.policy?.consentScope ? { consentScope: tenant.policy.consentScope } : {}),
    ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
  };
}

/**
 * The scope a customer's own signal is recorded with (a STOP keyword, a platform block or
 * opt-out, an API call that names none): every channel of the contact, unless the tenant chose
 * per-channel scope.
 * @param tenant - the tenant's configuration
 * @returns the ledger entry's scope
 */
export function signalScope(tenant: Pick<TenantConfig, 'policy'>): ConsentEntry['scope'] {
  return tenant.policy?.consentScope === 'per-channel' ? 'channel' : 'all-channels';
}

/**
 * A contact's consent state on one channel, derived from their ledger under the tenant's terms.
 * The one derivation every reader uses.
 * @param ledger - the contact's ledger entries (in time order), or a prefix of them for a past state
 * @param channel - the channel asked about
 * @param terms - the tenant's terms
 * @returns grants, revocations, pending requests, "important only" and whether the customer closed the conversation
 * @example
 * ```ts
 * const state = consentStateOn(await consent.history(tenant.id, contact.id), 'whatsapp', consentTermsOf(tenant));
 * findGrant(state, 'marketing');
 * ```
 */
export function consentStateOn(ledger: readonly ConsentEntry[], channel: string, terms: ConsentTerms): ConsentState {
  return deriveConsentState(ledger, {
    channel, scope: terms.consentScope ?? 'all-channels',
    ...(terms.privacyPolicyVersion ? { requiredPrivacyPolicyVersion: terms.privacyPolicyVersion } : {}),
  });
}

/**
 * The privacy policy accepted with the latest opt-in of a purpose and topic (or of the whole
 * purpose), directly or through the request a double opt-in confirmed: what a restored consent
 * (START, a platform's marketing resume) was given under.
 * @param ledger - the contact's ledger entries, in time order
 * @param purpose - the purpose
 * @param topic - the topic, if any
 * @returns the accepted policy, or undefined when no opt-in recorded one
 */
export function lastAcceptedPrivacyPolicy(ledger: readonly ConsentEntry[], purpose: Purpose, topic: string | undefined): ConsentEntry['evidence']['privacyPolicy'] {
  const requested = new Map(ledger.filter((e) => e.action === 'opt-in-requested').map((e) => [e.id, e]));
  for (let i = ledger.length - 1; i >= 0; i--) {
    const e = ledger[i]!;
    if (e.action !== 'opt-in' || e.purpose !== purpose || (e.topic !== undefined && e.topic !== topic)) continue;
    const accepted = e.evidence.privacyPolicy ?? (e.evidence.confirms ? requested.get(e.evidence.confirms)?.evidence.privacyPolicy : undefined);
    if (accepted) return accepted;
  }
  return undefined;
}

/** A contact's ledger and the state it gives on each channel the contact has an address on. */
export interface ContactConsent {
  /** The ledger, in time order. */
  history: ConsentEntry[];
  /** The derived state per channel. */
  state: Record<string, ConsentState>;
}

/** What the consent service needs: the ledger store and the stream it publishes on. */
export interface ConsentServiceDeps {
  stores: Pick<HostStores, 'consent'>;
  streams: Pick<HostStreams, 'consent$'>;
}

/** The consent ledger's one writer and reader (bound in the container under its own class). */
export class ConsentService {
  /**
   * @param deps - the ledger store and `consent$`
   */
  constructor(private readonly deps: ConsentServiceDeps) {}

  /**
   * Records a consent entry: appends it to the ledger, then publishes it on `consent$`. The store
   * ignores an id it already holds, so a retried caller deriving the id from its input records
   * once; the notice is published on every call (at least once: a caller that crashed between the
   * two steps publishes on its retry).
   * @param entry - the entry, with its evidence
   * @returns the entry
   */
  async record(entry: ConsentEntry): Promise<ConsentEntry> {
    await this.deps.stores.consent.append(entry);
    this.deps.streams.consent$.next({ tenantId: entry.tenantId, entry });
    return entry;
  }

  /**
   * Carries one contact's ledger over to another (a contact merge): every entry of `fromContactId`
   * is appended for `toContactId` with its own time and evidence, `mergedFrom` naming the original,
   * and a `confirms` link pointing at the copy of the entry it confirmed. Copy ids derive from the
   * merge and the original, so running it again appends nothing twice. The originals stay (the
   * ledger is append-only). Nothing is published on `consent$`: no consent was given or revoked,
   * the history only moved.
   * @param tenantId - the tenant
   * @param fromContactId - the contact merged away
   * @param toContactId - the contact that remains
   * @param mergeId - the merge's id
   * @returns how many entries the ledger of `fromContactId` held
   */
  async adoptLedger(tenantId: string, fromContactId: string, toContactId: string, mergeId: string): Promise<number> {
    const entries = await this.deps.stores.consent.listByContact(tenantId, fromContactId);
    const copyId = (id: string): string => `${mergeId}:${id}`;
    const ids = new Set(entries.map((e) => e.id));
    for (const e of entries) {
      const { confirms, ...evidence } = e.evidence;
      await this.deps.stores.consent.append({
        ...e, id: copyId(e.id), contactId: toContactId, mergedFrom: e.mergedFrom ?? { contactId: fromContactId, entryId: e.id },
        evidence: { ...evidence, ...(confirms !== undefined ? { confirms: ids.has(confirms) ? copyId(confirms) : confirms } : {}) },
      });
    }
    return entries.length;
  }

  /**
   * A contact's ledger.
   * @param tenantId - the tenant
   * @param contactId - the contact
   * @returns the entries, in time order
   */
  history(tenantId: string, contactId: string): Promise<ConsentEntry[]> {
    return this.deps.stores.consent.listByContact(tenantId, contactId);
  }

  /**
   * A contact's ledger and consent state on every channel they have an address on, under the tenant's terms.
   * @param tenant - the tenant (its consent scope and privacy-policy version apply)
   * @param contact - the contact
   * @returns history and state per channel
   */
  async stateOf(tenant: Pick<TenantConfig, 'id' | 'policy' | 'privacyPolicyVersion'>, contact: Pick<Contact, 'id' | 'addresses'>): Promise<ContactConsent> {
    const history = await this.history(tenant.id, contact.id);
    const terms = consentTermsOf(tenant);
    const channels = [...new Set(contact.addresses.map((a) => a.channel))];
    return { history, state: Object.fromEntries(channels.map((channel) => [channel, consentStateOn(history, channel, terms)])) };
  }
}

/**
 * The host's consent service, as a feature finds it: the one bound in the container, or (a
 * container assembled without one) a service over the same stores and streams.
 * @param scope - the container, stores and streams (a host feature's context)
 * @returns the consent service
 */
export function consentServiceIn(scope: { container: Pick<Container, 'isBound' | 'get'> } & ConsentServiceDeps): ConsentService {
  return scope.container.isBound(ConsentService) ? scope.container.get<ConsentService>(ConsentService) : new ConsentService(scope);
}

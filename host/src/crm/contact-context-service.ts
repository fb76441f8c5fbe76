/**
 * The host's one way to a contact's CRM context: calls the configured provider, validates its
 * answer, and caches it per tenant and contact for a TTL measured on the host clock (an unknown
 * contact is cached as such; a failure for a shorter time, so a CRM that is down is not called for
 * every message). It never throws: a provider that fails, times out or answers nonsense makes
 * `unavailable`, logged, and message processing goes on.
 * @module
 */
import type { Clock, Contact, Logger } from '@switchboard/core';
import type { Container } from '@switchboard/core/di';
import { ContactContextSchema, type ContactContext, type ContactContextProvider } from './contact-context.js';

/** What the service answers. */
export type ContactContextResult =
  | { status: 'found'; context: ContactContext; fetchedAt: Date }
  | { status: 'unknown'; fetchedAt: Date }
  | { status: 'unavailable'; reason: string; fetchedAt: Date }
  | { status: 'not-configured' };

/** The service's settings (the config's `contactContext`, without the provider). */
export interface ContactContextCacheOptions {
  /** How long an answer is kept, in ms (default 5 minutes). */
  ttlMs?: number;
  /** How long a failure is kept before the provider is asked again, in ms (default 30 s). */
  failureTtlMs?: number;
  /** Contacts kept at most (the oldest entries go first; default 10 000). */
  maxEntries?: number;
}

/** DI token for {@link ContactContextService}. */
export const ContactContextService = Symbol.for('switchboard.ContactContextService');
/** A contact's CRM context, cached (see the module's description). */
export interface ContactContextService {
  /** Whether a provider is configured. */
  readonly configured: boolean;
  /**
   * The context of a contact: from the cache while fresh, else from the provider (one call at a
   * time per contact). Never throws.
   * @param contact - the contact (its tenant, id, addresses, name and CRM reference are sent)
   * @param options.refresh - ask the provider even when the cache holds a fresh answer
   */
  get(contact: Contact, options?: { refresh?: boolean }): Promise<ContactContextResult>;
  /** Drops a contact's cached context (after a merge or an edit). */
  forget(tenantId: string, contactId: string): void;
}

interface CacheEntry {
  result: Exclude<ContactContextResult, { status: 'not-configured' }>;
  expiresAt: number;
}

/** {@link ContactContextService} over a provider (or none). */
export class CachedContactContextService implements ContactContextService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<ContactContextResult>>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxEntries: number;

  /**
   * @param provider - the provider, or undefined when none is configured
   * @param deps - the host clock, the logger, and the signal that ends calls at the stop deadline
   * @param options - TTLs and the cache's size
   */
  constructor(
    private readonly provider: ContactContextProvider | undefined,
    private readonly deps: { clock: Clock; logger: Logger; signal?: AbortSignal },
    options: ContactContextCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get configured(): boolean {
    return this.provider !== undefined;
  }

  async get(contact: Contact, options: { refresh?: boolean } = {}): Promise<ContactContextResult> {
    if (!this.provider) return { status: 'not-configured' };
    const key = `${contact.tenantId}\u0000${contact.id}`;
    const now = this.deps.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > now && !options.refresh) return cached.result;
    const running = this.inFlight.get(key);
    if (running) return running;
    const call = this.ask(this.provider, contact).then((result) => {
      const fetched = this.deps.clock.now();
      this.cache.delete(key);
      this.cache.set(key, { result, expiresAt: fetched + (result.status === 'unavailable' ? this.failureTtlMs : this.ttlMs) });
      while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      return result;
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  forget(tenantId: string, contactId: string): void {
    this.cache.delete(`${tenantId}\u0000${contactId}`);
  }

  private async ask(provider: ContactContextProvider, contact: Contact): Promise<Exclude<ContactContextResult, { status: 'not-configured' }>> {
    const fetchedAt = new Date(this.deps.clock.now());
    try {
      const answer = await provider({
        tenantId: contact.tenantId, contactId: contact.id, addresses: contact.addresses,
        ...(typeof contact.profile.name === 'string' ? { name: contact.profile.name } : {}),
        ...(contact.crmRef !== undefined ? { crmRef: contact.crmRef } : {}),
      }, { signal: this.deps.signal ?? new AbortController().signal });
      if (answer === undefined || answer === null) return { status: 'unknown', fetchedAt };
      const parsed = ContactContextSchema.safeParse(answer);
      if (!parsed.success) {
        const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ');
        this.deps.logger.warn({ tenantId: contact.tenantId, contactId: contact.id, problems }, 'contact context refused: the provider\'s answer does not match the schema');
        return { status: 'unavailable', reason: `invalid answer: ${problems}`, fetchedAt };
      }
      return { status: 'found', context: parsed.data, fetchedAt };
    } catch (error) {
      const reason = (error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : error.message) : String(error)).slice(0, 300);
      this.deps.logger.warn({ tenantId: contact.tenantId, contactId: contact.id, reason }, 'contact context unavailable');
      return { status: 'unavailable', reason, fetchedAt };
    }
  }
}

/**
 * The host's contact-context service, as a feature finds it: the one bound in the container, if any.
 * @param scope - a feature's context (its container)
 * @returns the service, or undefined in a container assembled without one
 */
export function contactContextServiceIn(scope: { container: Pick<Container, 'isBound' | 'get'> }): ContactContextService | undefined {
  return scope.container.isBound(ContactContextService) ? scope.container.get<ContactContextService>(ContactContextService) : undefined;
}

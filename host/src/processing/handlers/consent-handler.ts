/**
 * A platform's consent signal (opt-in, opt-out, block, unblock, subscribe, unsubscribe) recorded
 * in the ledger with the platform as evidence.
 * @module
 */
import type { ConsentEvent, Purpose } from '@switchboard/core';
import { signalScope } from '../../consent/consent-service.js';
import type { HostStores } from '../../stores/stores.js';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import type { InboxConsent, InboxConsentRecord } from '../inbox-consent.js';
import type { PartyResolver } from '../party-resolver.js';

/** What the consent handler needs. */
export interface ConsentHandlerDeps {
  stores: Pick<HostStores, 'conversations'>;
  parties: PartyResolver;
  consent: InboxConsent;
}

/** Handles platform consent signals. */
export class ConsentHandler implements InboundHandler<'consent'> {
  readonly kind = 'consent';

  /** @param deps - conversation store, party resolver, inbox consent */
  constructor(private readonly deps: ConsentHandlerDeps) {}

  /**
   * @param event - the signal
   * @param context - its inbox entry and tenant
   */
  async handle(event: ConsentEvent, { entry, tenant }: InboundContext): Promise<void> {
    const { contact, conversation } = await this.deps.parties.resolve(tenant.id, event);
    // subscribing to the business (Viber) is the customer reaching out: on channels where only the
    // customer may start, the business may now write to them
    if (event.action === 'subscribed') await this.deps.stores.conversations.recordInbound(tenant.id, conversation.id, event.timestamp);
    const record = await this.recordOf(event, tenant.id, contact.id, signalScope(tenant));
    await this.deps.consent.record(entry, contact, event, record);
  }

  private async recordOf(event: ConsentEvent, tenantId: string, contactId: string, scope: InboxConsentRecord['scope']): Promise<InboxConsentRecord> {
    const evidence = { source: 'platform' as const, detail: event.detail ?? event.action, ...(event.eventId ? { reference: event.eventId } : {}) };
    const about = (purpose: Purpose | undefined): Pick<InboxConsentRecord, 'purpose' | 'topic'> => ({ ...(purpose ? { purpose } : {}), ...(event.topic ? { topic: event.topic } : {}) });
    switch (event.action) {
      case 'opt-in': {
        // a platform opt-in without a stated purpose is not marketing consent; one that resumes
        // (WhatsApp's marketing resume) carries the privacy policy accepted before, a new one none
        const purpose = event.purpose ?? 'transactional';
        const accepted = await this.deps.consent.acceptedPrivacyPolicy(tenantId, contactId, purpose, event.topic);
        return { action: 'opt-in', evidence: { ...evidence, ...(accepted ? { privacyPolicy: accepted } : {}) }, scope: 'channel', ...about(purpose) };
      }
      case 'opt-out':
        return { action: 'opt-out', evidence, scope, ...about(event.purpose) };
      case 'blocked':
      case 'unsubscribed':
        // blocking the business (Telegram kicked, Viber unsubscribed) is the customer's strongest
        // control: it stops everything but replies to their own messages, on every channel of the
        // contact unless the tenant chose per-channel scope
        return { action: 'blocked', evidence, scope };
      case 'unblocked':
        return { action: 'unblocked', evidence, scope };
      case 'subscribed':
        // Apple's "subscribe" names a purpose: consent to it on this channel; Viber's subscription lifts a block
        if (event.purpose && event.purpose !== 'service') return { action: 'opt-in', evidence, scope: 'channel', suffix: `subscribed-${event.purpose}`, ...about(event.purpose) };
        return { action: 'unblocked', evidence, scope };
    }
  }
}

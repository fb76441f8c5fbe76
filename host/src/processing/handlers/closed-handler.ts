/**
 * A conversation the customer closed (Apple): recorded in the ledger on this channel, so the
 * policy engine stops what may not follow a close until the customer writes again.
 * @module
 */
import type { PresenceEvent } from '@switchboard/core';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import type { InboxConsent } from '../inbox-consent.js';
import type { PartyResolver } from '../party-resolver.js';

/** Handles conversations the customer closed. */
export class ClosedHandler implements InboundHandler<'closed'> {
  readonly kind = 'closed';

  /** @param deps - party resolver, inbox consent */
  constructor(private readonly deps: { parties: PartyResolver; consent: InboxConsent }) {}

  /**
   * @param event - the close
   * @param context - its inbox entry and tenant
   */
  async handle(event: PresenceEvent & { kind: 'closed' }, { entry, tenant }: InboundContext): Promise<void> {
    const { contact } = await this.deps.parties.resolve(tenant.id, event);
    await this.deps.consent.record(entry, contact, event, { action: 'closed', evidence: { source: 'platform', detail: 'conversation closed by the customer' }, scope: 'channel' });
  }
}

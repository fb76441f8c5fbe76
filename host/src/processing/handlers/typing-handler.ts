/**
 * A typing indicator: nothing is stored for it, but it may carry the device's capabilities
 * (Apple sends them on every request), kept for a customer already known.
 * @module
 */
import type { PresenceEvent } from '@switchboard/core';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import { capabilitiesOf, type PartyResolver } from '../party-resolver.js';

/** Handles typing indicators. */
export class TypingHandler implements InboundHandler<'typing'> {
  readonly kind = 'typing';

  /** @param deps - party resolver */
  constructor(private readonly deps: { parties: PartyResolver }) {}

  /**
   * @param event - the indicator
   * @param context - its inbox entry
   */
  async handle(event: PresenceEvent & { kind: 'typing' }, { entry }: InboundContext): Promise<void> {
    if (capabilitiesOf(event) === undefined) return;
    const known = await this.deps.parties.findContact(entry.tenantId, { channel: event.channel, accountId: event.accountId, userId: event.userId });
    if (known) await this.deps.parties.recordCapabilities(entry.tenantId, known, event);
  }
}

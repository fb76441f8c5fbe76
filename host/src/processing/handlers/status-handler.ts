/**
 * A delivery receipt: moves the outbound message's status forward (the store never moves it
 * back) and publishes the change. A watermark receipt (Messenger's read and delivery watermarks,
 * `upTo`) covers every message sent to the customer up to then.
 * @module
 */
import type { Address, StatusEvent } from '@switchboard/core';
import type { HostStreams } from '../../streams.js';
import type { HostMessage, HostStores } from '../../stores/stores.js';
import type { InboundContext, InboundHandler } from '../inbound-handler.js';
import { NotYetError } from '../not-yet-error.js';

/** What the status handler needs. */
export interface StatusHandlerDeps {
  stores: Pick<HostStores, 'conversations' | 'messages'>;
  streams: Pick<HostStreams, 'status$'>;
}

/** Handles delivery receipts. */
export class StatusHandler implements InboundHandler<'status'> {
  readonly kind = 'status';

  /** @param deps - conversation and message stores, `status$` */
  constructor(private readonly deps: StatusHandlerDeps) {}

  /**
   * @param event - the receipt
   * @param context - its inbox entry
   * @throws NotYetError when the receipt overtook the write of its message's external id
   */
  async handle(event: StatusEvent, { entry }: InboundContext): Promise<void> {
    const { stores, streams } = this.deps;
    if (event.upTo !== undefined && event.userId) {
      // a receipt naming no message: it covers every message sent up to then
      await this.applyWatermark(entry.tenantId, { channel: event.channel, accountId: event.accountId, userId: event.userId }, event.upTo, event);
      return;
    }
    const message = await stores.messages.findByExternalId(entry.tenantId, { channel: event.channel, accountId: event.accountId }, event.externalId, 'outbound');
    // the receipt may overtake the dispatcher's write of the external id: try again shortly
    if (!message) throw new NotYetError(`no outbound message with external id ${event.externalId} yet`);
    const result = await stores.messages.applyStatus(entry.tenantId, message.id, event.status, event.timestamp, event.error ? { code: event.error.code, message: event.error.message } : undefined);
    if (result?.changed) streams.status$.next({ tenantId: entry.tenantId, conversationId: message.conversationId, message: result.message, status: result.message.status });
  }

  private async applyWatermark(tenantId: string, address: Address, watermark: Date, event: StatusEvent): Promise<void> {
    const { stores, streams } = this.deps;
    const conversation = await stores.conversations.findByAddress(tenantId, address);
    if (!conversation) return;
    const until = watermark.getTime();
    for (let offset = 0; ; offset += 500) {
      const page = await stores.messages.listByConversation(tenantId, conversation.id, { limit: 500, offset });
      for (const m of page.filter((x) => isSentOutbound(x, until))) {
        const result = await stores.messages.applyStatus(tenantId, m.id, event.status, event.timestamp);
        if (result?.changed) streams.status$.next({ tenantId, conversationId: conversation.id, message: result.message, status: result.message.status });
      }
      if (page.length < 500) break;
    }
  }
}

function isSentOutbound(m: HostMessage, until: number): boolean {
  return m.direction === 'outbound' && m.externalId !== undefined && m.timestamp.getTime() <= until;
}

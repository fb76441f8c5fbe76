/**
 * Writes the cost ledger: one entry per sent message, at the price the policy engine decided.
 *
 * The policy engine is the one place that prices a message: when it is queued (the quote, kept in
 * its decision record) and again at the send point, just before it leaves (`OutboundService.sendCheck`
 * stores that price on the message). A message queued inside the customer-service session and sent
 * after it closed (a utility template waiting on a rate limit, a Viber reply held by a retry) is
 * therefore recorded at the price of its send time, with the quote beside it when they differ.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { priceCategoryFor, type Clock, type Logger, type Price } from '@switchboard/core';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { CostEntry, CostLedgerStore } from '../stores/ledger-stores.js';
import { PAGE_MAX, type HostMessage, type HostStores } from '../stores/stores.js';
import type { StatusNotice } from '../streams.js';

/**
 * When a message left the host: its `sent` status, else the first later status (a receipt that
 * overtook the dispatcher's own update).
 * @param message - a stored outbound message
 * @returns the send time, if it was sent
 */
export function sentAtOf(message: Pick<HostMessage, 'statusHistory'>): Date | undefined {
  const history = message.statusHistory ?? [];
  return (history.find((h) => h.status === 'sent') ?? history.find((h) => h.status === 'delivered' || h.status === 'read'))?.at;
}

/** Dependencies of {@link CostRecorder}. */
export interface CostRecorderDeps {
  stores: HostStores;
  costs: CostLedgerStore;
  /** The loaded accounts: the channel's policy says when a customer-service session is open. */
  connectors: Pick<ConnectorRegistry, 'find'>;
  clock: Clock;
  logger: Logger;
  /** Called for each entry written. */
  onRecorded?: (entry: CostEntry) => void;
}

/** Writes a cost ledger entry once per sent message. */
export class CostRecorder {
  /** @param deps - stores, ledger, connectors, clock */
  constructor(private readonly deps: CostRecorderDeps) {}

  /**
   * Handles a status notice: an outbound message that was sent (or delivered or read) is priced
   * and recorded, once.
   * @param notice - from `status$`
   * @returns the entry written, or undefined when nothing was to be charged or it was already
   */
  async handle(notice: StatusNotice): Promise<CostEntry | undefined> {
    const m = notice.message;
    if (m.direction !== 'outbound' || !['sent', 'delivered', 'read'].includes(notice.status)) return undefined;
    // a 'sent' notice is published as the platform accepts the message: the host's clock then is the
    // send time on the same clock the policy engine quoted by (a connector's acceptedAt may run on another)
    const sentAt = notice.status === 'sent' ? new Date(this.deps.clock.now()) : sentAtOf(m) ?? new Date(this.deps.clock.now());
    const binding = this.deps.connectors.find(notice.tenantId, m.channel, m.accountId);
    // the engine's price at the send point (kept with the decision record and on the message), else its quote when queued
    const record = await this.deps.stores.decisions.findByMessage(notice.tenantId, m.id);
    const price = record?.sendCheck?.price ?? (m.price as Price | undefined) ?? record?.price;
    if (!price) {
      this.deps.logger.warn({ messageId: m.id }, 'a sent message carries no price decided by the policy engine: no cost recorded');
      return undefined;
    }
    const quoted = record?.price;
    const { rateFrom } = price;
    const lastInboundAt = await this.lastInboundBefore(notice.tenantId, m.conversationId, sentAt);
    const entry: CostEntry = {
      id: randomUUID(), tenantId: notice.tenantId, messageId: m.id, conversationId: m.conversationId, channel: m.channel, accountId: m.accountId,
      category: price.category, amount: price.amount, currency: price.currency, at: sentAt,
      // whether a session was open when it left, by the same rule the engine prices by
      inServiceSession: priceCategoryFor({
        policy: binding?.plugin.policy, at: sentAt.getTime(), ...(lastInboundAt ? { lastInboundAt: lastInboundAt.getTime() } : {}),
      }).inServiceSession,
      ...(rateFrom ? { rateFrom } : {}),
      ...(quoted && quoted.amount !== price.amount ? { quotedAmount: quoted.amount } : {}),
    };
    if (!(await this.deps.costs.record(entry))) return undefined;
    this.deps.onRecorded?.(entry);
    return entry;
  }

  private async lastInboundBefore(tenantId: string, conversationId: string, at: Date): Promise<Date | undefined> {
    const conversation = await this.deps.stores.conversations.get(tenantId, conversationId);
    const last = conversation?.lastInboundAt;
    if (!last) return undefined;
    if (last.getTime() <= at.getTime()) return last;
    // the customer wrote again after the send: find their message before it
    let best: Date | undefined;
    for (let offset = 0; ; offset += PAGE_MAX) {
      const page = await this.deps.stores.messages.listByConversation(tenantId, conversationId, { limit: PAGE_MAX, offset });
      for (const msg of page) {
        if (msg.direction === 'inbound' && msg.timestamp.getTime() <= at.getTime() && (!best || msg.timestamp > best)) best = msg.timestamp;
      }
      if (page.length < PAGE_MAX || page.some((msg) => msg.timestamp.getTime() > at.getTime())) break;
    }
    return best;
  }
}

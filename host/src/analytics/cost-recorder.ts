/**
 * Prices every sent message by its channel's price model at the time it was sent, and writes the
 * cost ledger.
 *
 * The price the policy engine quoted when the message was queued is not enough: a message queued
 * inside the customer-service session and sent after it closed (a utility template waiting on a
 * rate limit, a Viber reply held by a retry) is charged as a business-initiated message by the
 * platform. The session is therefore re-derived at the send time from the customer's last message
 * before it.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { priceFor, type ChannelPolicy, type Clock, type Logger, type Price, type PriceCategory } from '@switchboard/core';
import type { HostConnectorBinding } from '../plugins/connector-registry.js';
import type { CostEntry, CostLedgerStore } from '../stores/ledger-stores.js';
import { PAGE_MAX, type HostMessage, type HostStores } from '../stores/stores.js';
import type { StatusNotice } from '../streams.js';

const HOUR = 3_600_000;

/** What pricing a message at its send time needs. */
export interface SendPricingInput {
  message: Pick<HostMessage, 'form'>;
  /** The channel's policy (undefined: a channel the host no longer has; priced as free). */
  policy: ChannelPolicy | undefined;
  sentAt: Date;
  /** The customer's last message before `sentAt`. */
  lastInboundAt: Date | undefined;
  market?: string;
}

/**
 * Prices one message as the policy engine does, at the time it was sent: a template by its
 * category, anything else as a service message inside the session and as business-initiated
 * outside it.
 * @param input - message form, channel policy, send time, last customer message, market
 * @returns the price and whether the session was open
 */
export function priceAtSend(input: SendPricingInput): Price & { inServiceSession: boolean } {
  const { policy, sentAt, lastInboundAt } = input;
  const sessionHours = policy?.pricing?.serviceSessionHours ?? policy?.serviceWindowHours;
  const at = sentAt.getTime();
  const inSession = lastInboundAt !== undefined && lastInboundAt.getTime() <= at
    && (sessionHours === undefined || at - lastInboundAt.getTime() < sessionHours * HOUR);
  const form = input.message.form;
  let category: PriceCategory;
  if (form?.kind === 'template') category = form.category;
  else if (inSession) category = 'service';
  else category = 'business-initiated';
  const price = priceFor(policy?.pricing, { category, at, inServiceSession: inSession, ...(input.market ? { market: input.market } : {}) });
  return { ...price, inServiceSession: inSession };
}

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
  bindings: () => readonly HostConnectorBinding[];
  clock: Clock;
  logger: Logger;
  /** The recipient's market (ISO country) for market-specific rates; default none (the schedule's default rate). */
  marketOf?: (message: HostMessage) => string | undefined;
  /** Called for each entry written. */
  onRecorded?: (entry: CostEntry) => void;
}

/** Writes a cost ledger entry once per sent message. */
export class CostRecorder {
  /** @param deps - stores, ledger, bindings, clock */
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
    const binding = this.deps.bindings().find((b) => b.channel === m.channel && (b.connector.accountId === m.accountId || b.account === m.accountId)
      && b.tenantId === notice.tenantId);
    const lastInboundAt = await this.lastInboundBefore(notice.tenantId, m.conversationId, sentAt);
    const market = this.deps.marketOf?.(m);
    const price = priceAtSend({ message: m, policy: binding?.plugin.policy, sentAt, lastInboundAt, ...(market ? { market } : {}) });
    const entry: CostEntry = {
      id: randomUUID(), tenantId: notice.tenantId, messageId: m.id, conversationId: m.conversationId, channel: m.channel, accountId: m.accountId,
      category: price.category, amount: price.amount, currency: price.currency, at: sentAt, inServiceSession: price.inServiceSession,
      ...(price.rateFrom ? { rateFrom: price.rateFrom } : {}),
      ...(m.price && m.price.amount !== price.amount ? { quotedAmount: m.price.amount } : {}),
    };
    if (!(await this.deps.costs.record(entry))) return undefined;
    if (!m.price || m.price.amount !== price.amount || m.price.category !== price.category || m.price.currency !== price.currency) {
      // the stored message shows what it cost, not what was quoted
      await this.deps.stores.messages.update(notice.tenantId, m.id, { price: { amount: price.amount, currency: price.currency, category: price.category } });
    }
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

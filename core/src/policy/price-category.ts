/**
 * The price category of a message: the one choice the policy engine makes when it quotes a price
 * and the host makes again when it records the cost at send time, written once.
 * @module
 */
import type { Purpose } from '../model/events.js';
import type { PriceCategory } from '../pricing/price-model.js';
import type { MessageForm } from '../spi.js';
import type { ChannelPolicy } from './channel-policy.js';

const HOUR = 3_600_000;

/** What choosing a price category needs. */
export interface PriceCategoryInput {
  /** The form the message is sent in (a template is priced by its category). */
  form?: MessageForm;
  /** Its purpose (a marketing template counts as marketing whatever the caller declared). */
  purpose?: Purpose;
  /** The channel's declared policy (its price schedule and service window). */
  policy?: Pick<ChannelPolicy, 'pricing' | 'serviceWindowHours'>;
  /** When it is (or was) sent, epoch milliseconds. */
  at: number;
  /** The customer's last message before `at`, epoch milliseconds. */
  lastInboundAt?: number;
}

/** The chosen category and whether a free service session was open. */
export interface PriceCategoryChoice {
  category: PriceCategory;
  /** A customer message opened a session that was still open at `at` (any time after it, on channels without sessions). */
  inServiceSession: boolean;
}

/**
 * Chooses the price category of a message:
 * - a template: its own category;
 * - on a channel with a service session (WhatsApp, Messenger, Viber: the schedule's
 *   `serviceSessionHours`, else the service window), a message inside an open session is
 *   `service` (the platform charges nothing for it, whatever it says); outside it, marketing is
 *   `marketing` where the schedule prices marketing, else `business-initiated`, and the rest is
 *   `business-initiated`;
 * - on a channel without sessions (Telegram, Apple), marketing is `marketing`, a message to a
 *   customer who has written is `service`, and the rest is `business-initiated`.
 * @param input - form, purpose, channel policy, send time, last customer message
 * @returns the category, and whether the session was open
 * @example
 * priceCategoryFor({ purpose: 'marketing', policy: telegramPolicy, at, lastInboundAt }).category // 'marketing'
 */
export function priceCategoryFor(input: PriceCategoryInput): PriceCategoryChoice {
  const { form, purpose, policy, at, lastInboundAt } = input;
  const sessionHours = policy?.pricing?.serviceSessionHours ?? policy?.serviceWindowHours;
  const hasWritten = lastInboundAt !== undefined && lastInboundAt <= at;
  const inServiceSession = hasWritten && (sessionHours === undefined || at - lastInboundAt! < sessionHours * HOUR);
  if (form?.kind === 'template') return { category: form.category, inServiceSession };
  if (sessionHours !== undefined) {
    if (inServiceSession) return { category: 'service', inServiceSession };
    const pricesMarketing = policy?.pricing?.entries.some((e) => e.category === 'marketing') ?? false;
    return { category: purpose === 'marketing' && pricesMarketing ? 'marketing' : 'business-initiated', inServiceSession };
  }
  if (purpose === 'marketing') return { category: 'marketing', inServiceSession };
  return { category: inServiceSession ? 'service' : 'business-initiated', inServiceSession };
}

/**
 * The price model: per channel and message category, with effective dates (WhatsApp moved to
 * per-message pricing on 2025-07-01 and changed rates again in 2026).
 * @module
 */

/** Categories a message is priced by. `business-initiated` covers channels that charge any message the business starts (Viber). */
export type PriceCategory = 'service' | 'utility' | 'marketing' | 'authentication' | 'business-initiated';

/** One rate, valid from `from` (inclusive) until the next entry of the same category and market. */
export interface PriceEntry {
  category: PriceCategory;
  /** Price per message in the schedule's currency (decimal, e.g. 0.0591). */
  amount: number;
  /** ISO date the rate takes effect. */
  from: string;
  /** Market (recipient country, ISO 3166 alpha-2); omitted = every market without its own entry. */
  market?: string;
  /** Free when sent inside an open customer-service session (WhatsApp utility since 2025-07-01). */
  freeInServiceWindow?: boolean;
  /** Where the figure comes from. */
  note?: string;
}

/** A channel's price list. */
export interface PriceSchedule {
  currency: string;
  entries: PriceEntry[];
  /** Length of the free service session after a customer message, in hours (defaults to the service window). */
  serviceSessionHours?: number;
  /** Where the figures come from; integrators should load their contract's rates. */
  source: string;
}

/** A price for one message. */
export interface Price {
  amount: number;
  currency: string;
  category: PriceCategory;
  /** The date of the rate applied, when one applied. */
  rateFrom?: string;
}

/** What a price lookup needs. */
export interface PriceQuery {
  category: PriceCategory;
  /** When the message is sent. */
  at: Date | number;
  /** Whether a customer-service session is open. */
  inServiceSession: boolean;
  /** Recipient market. */
  market?: string;
}

/**
 * Prices one message by the rate in force at the time it is sent.
 * @param schedule - the channel's price schedule (undefined = a free channel)
 * @param query - category, time, session state, market
 * @returns the price; zero when the category has no rate (service replies are free unless the
 *   schedule lists a `service` rate) or the message is free in the session
 * @example
 * priceFor(whatsappPrices, { category: 'utility', at: new Date('2025-08-01'), inServiceSession: true }).amount // 0
 */
export function priceFor(schedule: PriceSchedule | undefined, query: PriceQuery): Price {
  const currency = schedule?.currency ?? 'EUR';
  if (!schedule) return { amount: 0, currency, category: query.category };
  const at = typeof query.at === 'number' ? query.at : query.at.getTime();
  let best: PriceEntry | undefined;
  let bestFrom = -Infinity;
  let bestMarketMatch = false;
  for (const e of schedule.entries) {
    if (e.category !== query.category) continue;
    if (e.market !== undefined && e.market !== query.market) continue;
    const from = Date.parse(e.from);
    if (from > at) continue;
    const marketMatch = e.market !== undefined;
    // a market-specific rate beats the default; among equals the most recent wins
    if ((marketMatch && !bestMarketMatch) || (marketMatch === bestMarketMatch && from > bestFrom)) {
      best = e; bestFrom = from; bestMarketMatch = marketMatch;
    }
  }
  if (!best) return { amount: 0, currency, category: query.category };
  const amount = best.freeInServiceWindow && query.inServiceSession ? 0 : best.amount;
  return { amount, currency, category: query.category, rateFrom: best.from };
}

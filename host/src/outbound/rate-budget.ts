/**
 * Rate budgets for the dispatcher: a generic cell-rate algorithm (GCRA) per key, so a budget is
 * one timestamp per key — one small document per key in the host's storage driver, updated with
 * compare-and-set, which lets several host processes sharing one database share one platform limit.
 * @module
 */
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** A pacing rule: at most `limit` sends per `perMs`, with up to `burst` sent back to back. */
export interface PaceRule {
  key: string;
  limit: number;
  perMs: number;
  /** Sends allowed back to back before pacing starts (default 1: strictly even spacing). */
  burst?: number;
}

/** DI token for {@link RateBudget}. */
export const RateBudget = Symbol.for('switchboard.RateBudget');

/**
 * Reserves send slots. `reserve` books the earliest slot that respects every rule and returns how
 * long to wait for it; the booking is immediate, so concurrent callers get distinct slots.
 */
export interface RateBudget {
  /**
   * @param rules - every limit the send must respect (account, recipient, group…)
   * @param now - current time in ms (platform time)
   * @param maxWaitMs - book only when the slot is at most this far away (default: always book)
   * @returns ms to wait before sending (0 = now); when above `maxWaitMs`, nothing was booked
   */
  reserve(rules: PaceRule[], now: number, maxWaitMs?: number): Promise<number>;
  /**
   * Pushes a key's next slot back after the platform throttled us anyway. A penalty only ever
   * delays: a key's next slot never moves earlier.
   * @param key - the budget key
   * @param until - time in ms before which nothing more may be sent on it
   */
  penalize(key: string, until: number): Promise<void>;
  /**
   * Forgets keys (a recipient's keys name their platform user id: erasure forgets them). A send
   * to the same recipient afterwards starts a fresh budget.
   * @param keys - budget keys
   * @returns how many were held
   */
  forget(keys: readonly string[]): Promise<number>;
}

/**
 * The budget keys that name a recipient, as `paceRules` (dispatcher.ts) builds them:
 * `channel:account:userId` per recipient and `channel:account:userId:group` for Telegram groups.
 * @param channel - the channel
 * @param account - the account key of the connector binding that sends (the outbox entry's `account`)
 * @param userId - the recipient's platform user id
 * @returns its keys
 */
export function recipientBudgetKeys(channel: string, account: string, userId: string): string[] {
  const base = `${channel}:${account}:${userId}`;
  return [base, `${base}:group`];
}

/**
 * Emission interval and tolerance of a rule.
 * @param rule - the pacing rule
 * @returns the interval between two sends at the declared rate, and how far ahead a burst may book (both ms)
 */
export function gcraParams(rule: PaceRule): { interval: number; tolerance: number } {
  const interval = rule.perMs / rule.limit;
  return { interval, tolerance: interval * Math.max(0, (rule.burst ?? 1) - 1) };
}

/**
 * One GCRA reservation, as a pure function: the earliest slot that respects every rule given each
 * key's theoretical arrival time (TAT), and the TATs after booking it. A key named by several rules
 * is booked once per rule, in order.
 * @param rules - the limits to respect
 * @param tats - each key's current TAT in ms (missing: never booked, or nothing left to remember)
 * @param now - current time in ms
 * @returns the slot in ms (≥ now) and the keys' TATs once it is booked
 * @example
 * gcraBook([{ key: 'k', limit: 1, perMs: 1000 }], new Map([['k', 1500]]), 1000) // { at: 1500, tats: Map { 'k' => 2500 } }
 */
export function gcraBook(rules: readonly PaceRule[], tats: ReadonlyMap<string, number>, now: number): { at: number; tats: Map<string, number> } {
  // the slot is the latest of each rule's earliest conforming time
  let at = now;
  for (const rule of rules) at = Math.max(at, Math.max(tats.get(rule.key) ?? now, now) - gcraParams(rule).tolerance);
  const next = new Map<string, number>();
  for (const rule of rules) {
    const tat = next.get(rule.key) ?? tats.get(rule.key);
    next.set(rule.key, Math.max(tat ?? at, at) + gcraParams(rule).interval);
  }
  return { at, tats: next };
}

/** A budget key's document: its theoretical arrival time. */
export interface BudgetDocument {
  /** The budget key (`channel:account[:recipient]`). */
  id: string;
  /** Theoretical arrival time in ms. */
  tat: number;
}

/** The rate budget's collection: one document per key. */
export const RATE_BUDGET_COLLECTION: CollectionSpec = {
  name: 'rate_budget',
  fields: { tat: 'number' },
  indexes: [{ fields: ['tat'] }],
};

/** Options of {@link DocumentRateBudget}. */
export interface DocumentRateBudgetOptions {
  /** Compare-and-set rounds before a reservation gives up (default 50). */
  maxAttempts?: number;
}

/**
 * The GCRA budget on the storage driver, shared by every host process on the same database.
 *
 * A reservation reads each rule's theoretical arrival time, computes the slot ({@link gcraBook}),
 * and books each key with a compare-and-set on the value it read (`updateOne` filtered on the old
 * `tat`, or an insert for a key not yet stored). When another process booked one of the keys in
 * between, the keys this round booked are given back — each only when nobody has moved it since —
 * and the reservation starts over with fresh values, so two reservations never get the same slot.
 * A key another process booked on top of an abandoned booking keeps it: that slot stays booked
 * without a send, which delays later sends by one interval at most per collision. Over-booking is
 * conservative (the platform limit still holds); under-booking never happens.
 */
export class DocumentRateBudget implements RateBudget {
  private readonly budget: Collection<BudgetDocument>;
  private readonly maxAttempts: number;

  /**
   * @param driver - the host's storage driver
   * @param options - contention limit
   */
  constructor(driver: StorageDriver, options: DocumentRateBudgetOptions = {}) {
    this.budget = driver.collection<BudgetDocument>(RATE_BUDGET_COLLECTION);
    this.maxAttempts = options.maxAttempts ?? 50;
  }

  /**
   * @inheritdoc
   * @throws Error when every compare-and-set round lost to another process (heavy contention)
   */
  async reserve(rules: PaceRule[], now: number, maxWaitMs = Infinity): Promise<number> {
    if (rules.length === 0) return 0;
    // One reservation at a time in this process: the dispatcher reserves for up to `concurrency`
    // sends at once, nearly all on the same account key, and racing each other they would use up the
    // compare-and-set rounds meant for other processes (and make a send fail for contention).
    const turn = this.queue.then(() => this.reserveNow(rules, now, maxWaitMs));
    this.queue = turn.then(() => undefined, () => undefined);
    return turn;
  }

  /** Tail of this process's reservations (see {@link DocumentRateBudget.reserve}). */
  private queue: Promise<void> = Promise.resolve();

  private async reserveNow(rules: PaceRule[], now: number, maxWaitMs: number): Promise<number> {
    const keys = [...new Set(rules.map((r) => r.key))];
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const docs = await this.budget.find({ id: { $in: keys } });
      const read = new Map(docs.map((d) => [d.id, d.tat]));
      const { at, tats } = gcraBook(rules, read, now);
      if (at - now > maxWaitMs) return at - now;
      const booked: { key: string; from: number | undefined; to: number }[] = [];
      let lost = false;
      for (const key of keys) {
        const from = read.get(key);
        const to = tats.get(key)!;
        if (await this.compareAndSet(key, from, to)) booked.push({ key, from, to });
        else { lost = true; break; }
      }
      if (!lost) return at - now;
      for (const b of booked.reverse()) {
        if (b.from === undefined) await this.budget.deleteMany({ id: b.key, tat: b.to });
        else await this.budget.updateOne({ id: b.key, tat: b.to }, { $set: { tat: b.from } });
      }
    }
    throw new Error(`rate budget: could not book a slot for ${keys.join(', ')} after ${this.maxAttempts} attempts (heavy contention)`);
  }

  private async compareAndSet(key: string, from: number | undefined, to: number): Promise<boolean> {
    if (from === undefined) return this.budget.insert({ id: key, tat: to });
    return (await this.budget.updateOne({ id: key, tat: from }, { $set: { tat: to } })) !== undefined;
  }

  /** @inheritdoc */
  async penalize(key: string, until: number): Promise<void> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (await this.budget.updateOne({ id: key }, { $max: { tat: until } })) return;
      if (await this.budget.insert({ id: key, tat: until })) return;
      // created by another process in between: $max it on the next round
    }
    throw new Error(`rate budget: could not penalize ${key} after ${this.maxAttempts} attempts (heavy contention)`);
  }

  /** @inheritdoc */
  async forget(keys: readonly string[]): Promise<number> {
    return keys.length > 0 ? this.budget.deleteMany({ id: { $in: [...keys] } }) : 0;
  }

  /**
   * The theoretical arrival time of a key (what the next reservation on it starts from).
   * @param key - the budget key
   * @returns the time in ms, or undefined when the key holds nothing
   */
  async tatOf(key: string): Promise<number | undefined> {
    return (await this.budget.get(key))?.tat;
  }

  /**
   * Number of keys held (for memory and size measurements).
   * @returns how many keys have a document
   */
  async size(): Promise<number> {
    return this.budget.count({});
  }

  /**
   * Drops keys whose theoretical arrival time is past: they carry no information any more (a
   * reservation treats a past TAT and a missing key alike). Safe while other processes reserve: a
   * compare-and-set on a dropped key fails and that reservation reads again.
   * @param now - current time in ms
   * @returns how many keys were dropped
   */
  async sweep(now: number): Promise<number> {
    return this.budget.deleteMany({ tat: { $lt: now } });
  }
}

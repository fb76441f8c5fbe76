/**
 * The outbound path's back half: leases outbox entries, paces them under the channel's and the
 * tenant's rate limits (shared budgets, so several hosts together stay within a platform limit),
 * sends them through the connector, retries retryable failures with full-jitter backoff that
 * honours Retry-After, and stops hammering a platform that is down (a circuit breaker per
 * connector account) without dropping anything from the outbox.
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  connectorErrorKind, isSwitchboardError, silentLogger,
  type AcceptedPart, type ConnectorBinding, type ConnectorError, type Logger, type PolicyDecision, type RateLimit, type SendContext, type SendResult,
} from '@switchboard/core';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostMessage, HostStores, OutboxEntry } from '../stores/stores.js';
import { backoffDelay, honouredRetryAfter, type BackoffOptions } from './backoff.js';
import { CircuitBreaker, type BreakerCounts, type BreakerOptions } from './circuit-breaker.js';
import type { PaceRule, RateBudget } from './rate-budget.js';
import { SendWindow } from './send-window.js';
import type { Timer } from './timer.js';

/** The least time after an earlier message to the same recipient is due that a later one looks again, ms of platform time. */
const AHEAD_RECHECK_MS = 50;

/** Dispatcher settings (all optional). */
export interface DispatcherOptions {
  /** Entries processed at once (default 64). */
  concurrency?: number;
  /** Lease length in ms of platform time (default 60 s). */
  leaseMs?: number;
  /** Retryable failures before a message is failed for good (default 8). */
  maxAttempts?: number;
  /** Longest wait for a rate slot while holding a lease; longer waits go back to the outbox (default 20 s). */
  maxHoldMs?: number;
  /**
   * Share of each declared limit the shared rate budget books slots at (default 0.985): a little
   * room for several host processes' requests reaching the platform with different delays. Bursts
   * of one process (sends that woke late together) are held by the send point's window, which
   * admits the declared limit in a window 1 % longer than the platform's (see send-window.ts).
   */
  headroom?: number;
  /** How often to look at the outbox when nothing woke the dispatcher, ms of wall time (default 250). */
  pollMs?: number;
  backoff?: BackoffOptions;
  breaker?: BreakerOptions;
}

/** What the dispatcher reports as it works. */
export interface DispatcherHooks {
  /** A message's status changed (sent or failed). */
  onStatus?: (message: HostMessage) => void;
  /** The platform said the recipient blocked the business. */
  onRecipientBlocked?: (entry: OutboxEntry, error: ConnectorError) => Promise<void>;
  /** Re-checks the policy just before sending; a deny fails the message. */
  recheck?: (entry: OutboxEntry, message: HostMessage) => Promise<PolicyDecision | undefined>;
  /** Extra pacing rules from the tenant's policy. */
  tenantRateLimits?: (tenantId: string) => RateLimit[] | undefined;
  /** Called after a successful send (conversation bookkeeping). */
  onSent?: (entry: OutboxEntry, message: HostMessage, result: SendResult) => Promise<void>;
}

/**
 * Sends one attempt of an outbox entry's message through its connector (default:
 * `binding.connector.send(entry.message, context)`). The host's outbound media passes the stored
 * file the platform's way here (its bytes, a kept platform reference, or a signed URL); the context —
 * the parts already accepted and where to report new ones — is the dispatcher's and must be passed on.
 */
export type SendAttempt = (binding: ConnectorBinding, entry: OutboxEntry, context: SendContext) => Promise<SendResult>;

/** Dependencies of {@link Dispatcher}. */
export interface DispatcherDeps {
  stores: HostStores;
  /** The loaded connector accounts: an entry is sent through its tenant's account (`find`). */
  connectors: Pick<ConnectorRegistry, 'find'>;
  /** Tenant ids to serve (the outbox is leased per tenant: tenant id leads every index). */
  tenants: () => readonly string[];
  budget: RateBudget;
  timer: Timer;
  logger?: Logger;
  hooks?: DispatcherHooks;
  options?: DispatcherOptions;
  /** This process's lease owner id (default a random one). */
  owner?: string;
  /**
   * Aborted when the host gives up on its platform calls (its stop deadline; the connectors' fetch
   * is aborted through the same signal): a send that fails after it is given back to the outbox,
   * due at once and not counted as an attempt — the platform never answered it.
   */
  platformCalls?: AbortSignal;
  /** How an attempt is sent (default: the connector's `send` with the entry's message). */
  send?: SendAttempt;
}

/** What a dispatcher did at its stops (counters since it was made). */
export interface DispatcherStats {
  /** Entries given back to the outbox by a stop: not yet sent, or their platform call aborted. */
  givenBack: number;
  /** Of those, entries whose platform call was aborted (the platform may have received the request). */
  aborted: number;
  /**
   * Sends held back at the send point because this process had already sent the account's declared
   * limit within the send point's window: messages that woke late together (an event-loop stall, a
   * loaded machine) would otherwise reach the platform as a burst above its limit.
   */
  spaced: number;
}

/**
 * The pacing rules for one entry: every `pace` limit of the channel and the tenant, keyed by
 * account, recipient, or group (Telegram groups have negative chat ids).
 * @param limits - rate limits in force
 * @param entry - the outbox entry
 * @returns the declared rules (the dispatcher books the budget at its headroom below them)
 */
export function paceRules(limits: readonly RateLimit[], entry: Pick<OutboxEntry, 'channel' | 'account' | 'message'>): PaceRule[] {
  const rules: PaceRule[] = [];
  const base = `${entry.channel}:${entry.account}`;
  const user = entry.message.to.userId;
  for (const l of limits) {
    if (l.enforcement !== 'pace') continue;
    if (l.contentTypes && !l.contentTypes.includes(entry.message.content.type)) continue;
    const { perMs } = l;
    if (l.scope === 'account') rules.push({ key: `${base}`, limit: l.limit, perMs });
    else if (l.scope === 'recipient') rules.push({ key: `${base}:${user}`, limit: l.limit, perMs });
    else if (l.scope === 'group' && user.startsWith('-')) rules.push({ key: `${base}:${user}:group`, limit: l.limit, perMs });
  }
  // identical keys: keep the tightest interval
  const byKey = new Map<string, PaceRule>();
  for (const r of rules) {
    const prev = byKey.get(r.key);
    if (!prev || r.perMs / r.limit > prev.perMs / prev.limit) byKey.set(r.key, r);
  }
  return [...byKey.values()];
}

/**
 * The parts of one outbound message the platform accepted, as stored on the message: `externalId`
 * is the first part's id, `partIds` the further parts' (see `SendContext` in core). A retry — after a
 * later part failed, or after the process died while sending — starts after them.
 */
class PartProgress {
  /** External ids of the parts accepted so far, in order. */
  readonly accepted: string[];

  /** @param message - the stored message, as read before the attempt */
  constructor(message: HostMessage) {
    this.accepted = message.direction === 'outbound' && message.externalId !== undefined ? [message.externalId, ...(message.partIds ?? [])] : [];
  }

  /**
   * Records a newly accepted part on the message before the connector sends the next one.
   * @param part - the part the platform accepted
   * @param save - writes the message's `externalId` and `partIds`
   */
  async record(part: AcceptedPart, save: (patch: { externalId: string; partIds?: string[] }) => Promise<unknown>): Promise<void> {
    // a part is recorded once, in order; a connector repeating an index changes nothing
    if (part.index !== this.accepted.length) return;
    this.accepted.push(part.externalId);
    const [externalId, ...partIds] = this.accepted;
    await save({ externalId: externalId!, ...(partIds.length > 0 ? { partIds } : {}) });
  }

  /** Whether what is recorded already says what the result says (connectors that report their parts). */
  covers(result: SendResult): boolean {
    const ids = [result.externalId, ...(result.partIds ?? [])];
    return ids.length === this.accepted.length && ids.every((id, i) => id === this.accepted[i]);
  }
}

/** Sends what the outbox holds. One per host process; several processes share a store safely. */
export class Dispatcher {
  /** What stops gave back. */
  readonly stats: DispatcherStats = { givenBack: 0, aborted: 0, spaced: 0 };
  /** The send point's window per account (its pace rule's key): this process's recent sends on it. */
  private readonly sendWindows = new Map<string, SendWindow>();
  private running = false;
  /** Resolved when a stop begins: waits for a rate slot end at once. */
  private stopRequested: Promise<void> = new Promise(() => { /* replaced at start */ });
  private onStopRequested: () => void = () => { /* until started */ };
  private turn = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  /**
   * Entries scheduled in this process and when their lease ends: leases of entries waiting on a
   * chain are renewed before they expire, and an entry is never scheduled twice.
   */
  private readonly held = new Map<string, number>();
  private readonly owner: string;
  private readonly logger: Logger;
  private readonly o: Required<Omit<DispatcherOptions, 'backoff' | 'breaker'>> & Pick<DispatcherOptions, 'backoff' | 'breaker'>;

  /** @param deps - stores, connectors, budget, timer, hooks, options */
  constructor(private readonly deps: DispatcherDeps) {
    this.owner = deps.owner ?? `dispatcher-${randomUUID()}`;
    this.logger = deps.logger ?? silentLogger;
    const o = deps.options ?? {};
    this.o = {
      concurrency: o.concurrency ?? 64, leaseMs: o.leaseMs ?? 60_000, maxAttempts: o.maxAttempts ?? 8,
      maxHoldMs: o.maxHoldMs ?? 20_000, pollMs: o.pollMs ?? 250, headroom: o.headroom ?? 0.985,
      ...(o.backoff ? { backoff: o.backoff } : {}), ...(o.breaker ? { breaker: o.breaker } : {}),
    };
  }

  /** Starts leasing and sending (resumes whatever the outbox holds). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopRequested = new Promise((resolve) => { this.onStopRequested = resolve; });
    this.loop = this.run();
  }

  /** Wakes the dispatcher now (after an enqueue). */
  kick(): void {
    this.wake?.();
  }

  /**
   * Stops leasing new work and waits for the sends already at the platform; entries leased but not
   * yet sent (waiting for a rate slot or behind another send to their recipient) are given back to
   * the outbox at once, due now. A send still waiting when `platformCalls` is aborted is given back
   * too, from the parts recorded so far.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.onStopRequested();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /** State of each connector account's breaker. */
  breakerStates(): Record<string, ReturnType<CircuitBreaker['state']>> {
    const now = this.deps.timer.now();
    return Object.fromEntries([...this.breakers].map(([k, b]) => [k, b.state(now)]));
  }

  /**
   * What each connector account's breaker did since this dispatcher was made (openings, trials,
   * closings): open is a passing state, these counts are not.
   * @returns counts by `channel:account`
   */
  breakerCounts(): Record<string, BreakerCounts> {
    return Object.fromEntries([...this.breakers].map(([k, b]) => [k, b.counts()]));
  }

  /** Renews the leases of entries still waiting on their chains when half the lease is gone. */
  private async renewHeld(): Promise<void> {
    const now = this.deps.timer.now();
    for (const [id, until] of this.held) {
      if (until - now > this.o.leaseMs / 2) continue;
      const next = now + this.o.leaseMs;
      try {
        if (await this.deps.stores.outbox.renew(id, this.owner, new Date(next))) this.held.set(id, next);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, outboxId: id }, 'lease renewal failed');
      }
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.renewHeld();
      let free = this.o.concurrency - this.inFlight.size;
      let leasedAny = false;
      // round-robin over tenants so one tenant's burst does not starve the others
      const tenants = [...this.deps.tenants()];
      const start = tenants.length > 0 ? this.turn++ % tenants.length : 0;
      for (let i = 0; i < tenants.length && free > 0; i++) {
        const tenantId = tenants[(start + i) % tenants.length]!;
        try {
          const leased = await this.deps.stores.outbox.lease({ tenantId, owner: this.owner, limit: free, leaseMs: this.o.leaseMs, now: new Date(this.deps.timer.now()) });
          for (const entry of leased) this.schedule(entry);
          free -= leased.length;
          leasedAny ||= leased.length > 0;
        } catch (error) {
          this.logger.error({ err: (error as Error).message, tenantId }, 'outbox lease failed');
        }
      }
      if (!leasedAny || free <= 0) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, this.o.pollMs);
      function done(): void { clearTimeout(t); resolve(); }
      this.wake = () => { this.wake = undefined; done(); };
    });
  }

  private schedule(entry: OutboxEntry): void {
    if (this.held.has(entry.id)) return;
    this.held.set(entry.id, entry.leaseUntil?.getTime() ?? this.deps.timer.now() + this.o.leaseMs);
    // one chain per recipient keeps a conversation's messages in order within this process
    const key = `${entry.tenantId}:${entry.channel}:${entry.account}:${entry.message.to.userId}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.processLeased(entry)).catch((error: unknown) => {
      this.logger.error({ err: (error as Error).message, outboxId: entry.id }, 'dispatch failed unexpectedly');
    });
    this.chains.set(key, next);
    const tracked = next.finally(() => {
      this.held.delete(entry.id);
      this.inFlight.delete(tracked);
      if (this.chains.get(key) === next) this.chains.delete(key);
      this.kick();
    });
    this.inFlight.add(tracked);
  }

  /** The send point's window of an account (a new one when its declared limit changed). */
  private sendWindow(rule: PaceRule): SendWindow {
    let window = this.sendWindows.get(rule.key);
    if (window === undefined || window.limit !== rule.limit || window.perMs !== rule.perMs) {
      window = new SendWindow(rule.limit, rule.perMs);
      this.sendWindows.set(rule.key, window);
    }
    return window;
  }

  private breaker(entry: OutboxEntry): CircuitBreaker {
    const key = `${entry.channel}:${entry.account}`;
    let b = this.breakers.get(key);
    if (!b) { b = new CircuitBreaker(this.o.breaker); this.breakers.set(key, b); }
    return b;
  }

  /**
   * An entry may wait on its recipient's chain longer than its lease: the lease is renewed when its
   * turn comes, and when another process took it meanwhile this one leaves it alone — a message is
   * sent by one dispatcher only.
   */
  private async processLeased(entry: OutboxEntry): Promise<void> {
    if (!this.running) { await this.giveBack(entry, false); return; }
    const until = new Date(this.deps.timer.now() + this.o.leaseMs);
    this.held.set(entry.id, until.getTime());
    if (!(await this.deps.stores.outbox.renew(entry.id, this.owner, until))) {
      this.logger.info({ outboxId: entry.id }, 'lease lost before sending; another dispatcher has the entry');
      return;
    }
    await this.process({ ...entry, leaseUntil: until });
  }

  private async process(entry: OutboxEntry): Promise<void> {
    const { stores, timer } = this.deps;
    const binding = this.deps.connectors.find(entry.tenantId, entry.channel, entry.account);
    const message = await stores.messages.get(entry.tenantId, entry.messageId);
    if (!message) { await stores.outbox.fail(entry.id, this.owner, { code: 'NOT_FOUND', message: 'the stored message is gone' }, new Date(timer.now())); return; }
    if (!binding) { await this.failFor(entry, 'NO_CONNECTOR', `no connector for ${entry.channel}/${entry.account}`); return; }

    const limits = [...binding.plugin.policy.rateLimits, ...(this.deps.hooks?.tenantRateLimits?.(entry.tenantId) ?? [])];
    // the budget books at the headroom below each declared limit; the send point keeps the declared one
    const declaredRules = paceRules(limits, entry);
    const rules = declaredRules.map((r) => ({ ...r, perMs: r.perMs / this.o.headroom }));

    // a customer gets a conversation's messages in the order they were accepted: an earlier one still
    // waiting (for a retry, or leased elsewhere) goes first. This one cannot follow it sooner than the
    // recipient's own pacing allows, so it comes back then rather than asking again and again.
    const ahead = await stores.outbox.firstOpenBefore(entry);
    if (ahead) {
      const now = timer.now();
      const due = ahead.status === 'pending' ? ahead.notBefore.getTime() : now;
      const account = `${entry.channel}:${entry.account}`;
      const spacing = Math.max(AHEAD_RECHECK_MS, ...rules.filter((r) => r.key !== account).map((r) => r.perMs / r.limit));
      await stores.outbox.retry(entry.id, this.owner, new Date(Math.max(due, now) + spacing), { code: 'WAITING_FOR_EARLIER', message: `an earlier message to this recipient (${ahead.messageId}) is not sent yet` }, new Date(now), { attempted: false });
      return;
    }

    const breaker = this.breaker(entry);
    const deferForBreaker = (): Promise<boolean> => stores.outbox.retry(entry.id, this.owner, new Date(timer.now() + Math.max(breaker.waitMs(timer.now()), 1)), { code: 'CIRCUIT_OPEN', message: 'platform unavailable; waiting for the breaker' }, new Date(timer.now()), { attempted: false });
    const trial = breaker.state(timer.now()) !== 'closed';
    if (!breaker.tryAcquire(timer.now())) {
      await deferForBreaker();
      return;
    }

    const wait = await this.deps.budget.reserve(rules, timer.now(), this.o.maxHoldMs);
    if (wait > this.o.maxHoldMs) {
      // nothing was booked: come back when the slot is near (a trial is given back, not counted a success)
      breaker.release();
      await stores.outbox.retry(entry.id, this.owner, new Date(timer.now() + wait), { code: 'PACED', message: 'waiting for a rate slot' }, new Date(timer.now()), { attempted: false });
      return;
    }
    if (wait > 0) await Promise.race([timer.sleep(wait), this.stopRequested]);
    // Slots are booked ahead and slept for. Sends that wake late together (an event-loop stall, a
    // loaded machine) would reach the platform as a burst above its limit, so at the send point this
    // process also keeps the platform's own moving window over its sends on the account (see
    // send-window.ts). Nothing of the shared budget is wasted: this only delays what woke late.
    const accountKey = `${entry.channel}:${entry.account}`;
    const declared = declaredRules.find((r) => r.key === accountKey);
    if (declared) {
      const window = this.sendWindow(declared);
      let held = false;
      while (this.running) {
        const wait = window.take(timer.now());
        if (wait === 0) break;
        if (!held) { held = true; this.stats.spaced++; }
        await Promise.race([timer.sleep(wait), this.stopRequested]);
      }
    }
    if (!this.running) {
      // stopping: nothing reached the platform (the booked slot goes unused)
      if (trial) breaker.release();
      await this.giveBack(entry, false);
      return;
    }
    // the breaker may have opened while this message waited for its slot: then only the trial calls the platform
    if (!trial && breaker.state(timer.now()) !== 'closed') {
      await deferForBreaker();
      return;
    }

    // the policy is checked again at the send point itself, after every wait above: consent withdrawn
    // while the message waited for its rate slot or the breaker stops it here, not at the platform
    const recheck = await this.deps.hooks?.recheck?.(entry, message);
    if (recheck && !recheck.allowed) {
      if (trial) breaker.release();
      await this.failFor(entry, 'POLICY_DENIED', recheck.reasons.map((r) => `${r.code}: ${r.message}`).join('; '));
      return;
    }

    const progress = new PartProgress(message);
    let result: SendResult;
    try {
      const context: SendContext = {
        ...(progress.accepted.length > 0 ? { acceptedParts: progress.accepted } : {}),
        onPartAccepted: (part) => progress.record(part, (patch) => stores.messages.update(entry.tenantId, message.id, patch)),
      };
      result = await (this.deps.send ? this.deps.send(binding, entry, context) : binding.connector.send(entry.message, context));
    } catch (thrown) {
      await this.settle(entry, rules);
      if (this.deps.platformCalls?.aborted) {
        // the host gave up on the call at its stop deadline: not the platform's failure
        if (trial) breaker.release();
        await this.giveBack(entry, true);
        return;
      }
      const error = this.classify(binding, thrown);
      await this.onFailure(entry, error, breaker);
      return;
    }
    await this.settle(entry, rules);
    breaker.success();
    const now = new Date(timer.now());
    // one write: the entry completed and the message sent with the parts not recorded yet — a reader
    // or a crash never finds the entry done and the message still queued
    const ids = progress.covers(result) ? {} : { externalId: result.externalId, ...(result.partIds?.length ? { partIds: result.partIds } : {}) };
    const recorded = await stores.outbox.completeSend(entry, this.owner, { ...ids, at: result.acceptedAt ?? now }, now, message);
    await this.deps.hooks?.onSent?.(entry, recorded.message ?? message, result);
    if (recorded.changed && recorded.message) this.deps.hooks?.onStatus?.(recorded.message);
  }

  /**
   * A recipient's sends are serial (one chain per recipient), so its next slot can be counted from
   * when this send finished rather than when it started: the platform then sees the declared spacing
   * whatever the network's jitter.
   */
  private async settle(entry: OutboxEntry, rules: PaceRule[]): Promise<void> {
    const account = `${entry.channel}:${entry.account}`;
    const now = this.deps.timer.now();
    for (const rule of rules) if (rule.key !== account) await this.deps.budget.penalize(rule.key, now + rule.perMs / rule.limit);
  }

  private classify(binding: ConnectorBinding, thrown: unknown): ConnectorError {
    if (isSwitchboardError(thrown) && ['RATE_LIMITED', 'RECIPIENT_BLOCKED', 'WINDOW_CLOSED', 'PERMANENT_FAILURE', 'RETRYABLE_FAILURE'].includes(thrown.code)) {
      return thrown as ConnectorError;
    }
    return binding.connector.classify(thrown);
  }

  private async onFailure(entry: OutboxEntry, error: ConnectorError, breaker: CircuitBreaker): Promise<void> {
    const { stores, timer } = this.deps;
    const now = timer.now();
    const kind = connectorErrorKind(error);
    const info = { code: error.code, message: error.message };
    // the platform's reason (e.g. "Invalid recipient phone number") goes with the code: without it the log says only that a send failed
    this.logger.warn({ outboxId: entry.id, kind, code: error.code, reason: error.message, attempt: entry.attempts }, 'send failed');
    switch (kind) {
      case 'rate-limited': {
        breaker.success();
        const delay = honouredRetryAfter((error as { retryAfterMs?: number }).retryAfterMs ?? 1000, this.o.backoff);
        // slow the whole account's budget, not just this message
        await this.deps.budget.penalize(`${entry.channel}:${entry.account}`, now + delay);
        await this.deps.budget.penalize(`${entry.channel}:${entry.account}:${entry.message.to.userId}`, now + delay);
        // the platform said when to come back: that is pacing, not a failure using up an attempt
        await stores.outbox.retry(entry.id, this.owner, new Date(now + delay), info, new Date(now), { attempted: false });
        return;
      }
      case 'retryable': {
        breaker.failure(now);
        // the lease already counted this attempt
        const attempts = entry.attempts;
        if (attempts >= this.o.maxAttempts) { await this.failFor(entry, error.code, `gave up after ${attempts} attempts: ${error.message}`); return; }
        const delay = backoffDelay(attempts, (error as { retryAfterMs?: number }).retryAfterMs, this.o.backoff);
        await stores.outbox.retry(entry.id, this.owner, new Date(now + delay), info, new Date(now));
        return;
      }
      case 'recipient-blocked':
        breaker.success();
        await this.failFor(entry, 'RECIPIENT_BLOCKED', error.message);
        await this.deps.hooks?.onRecipientBlocked?.(entry, error);
        return;
      case 'window-closed':
        breaker.success();
        await this.failFor(entry, 'WINDOW_CLOSED', error.message);
        return;
      case 'permanent':
        breaker.success();
        await this.failFor(entry, error.code, error.message);
        return;
    }
  }

  /**
   * Puts a leased entry back, due now, without counting an attempt: the next start — or another
   * process on the store — sends it from the parts recorded on its message.
   */
  private async giveBack(entry: OutboxEntry, aborted: boolean): Promise<void> {
    const now = new Date(this.deps.timer.now());
    const error = aborted
      ? { code: 'STOPPED', message: 'the host stopped while the platform call was in flight; it is sent again from the parts recorded' }
      : { code: 'STOPPED', message: 'the host stopped before this message was sent' };
    this.stats.givenBack++;
    if (aborted) this.stats.aborted++;
    this.logger.info({ outboxId: entry.id, aborted }, 'outbox entry given back at stop');
    await this.deps.stores.outbox.retry(entry.id, this.owner, now, error, now, { attempted: false });
  }

  private async failFor(entry: OutboxEntry, code: string, text: string): Promise<void> {
    const { stores, timer } = this.deps;
    // one write: the entry and its message failed together
    const recorded = await stores.outbox.failSend(entry, this.owner, { code, message: text }, new Date(timer.now()));
    if (recorded.changed && recorded.message) this.deps.hooks?.onStatus?.(recorded.message);
  }
}

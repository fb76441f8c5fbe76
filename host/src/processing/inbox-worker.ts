/**
 * The inbox worker: leases due inbox entries, hands each to the dispatcher, and records the
 * outcome — complete, or failed with a retry at a doubling delay until the last attempt
 * (then the entry stays failed: the dead end an operator looks at). Entries of one
 * conversation run one after the other in platform-time order, different conversations in
 * parallel. A lease lets another process take over the entries of one that died mid-way.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Clock, InboundEvent, Logger } from '@switchboard/core';
import type { HostStores, InboxEntry } from '../stores/stores.js';
import { NotYetError } from './not-yet-error.js';

/** Tuning of the worker. */
export interface InboxProcessorOptions {
  /** Entries leased per tenant per round (default 100). */
  batchSize?: number;
  /** Lease length (default 30 s): another process takes over entries of a process that died. */
  leaseMs?: number;
  /** How often to look for work nobody kicked us for (other processes, retries) (default 500 ms). */
  pollMs?: number;
  /** Attempts before an entry is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry delay (default 250 ms), doubling. */
  retryBaseMs?: number;
}

/** Handles one leased entry (the dispatcher); throwing fails the entry. */
export interface InboxEntryHandler {
  /** @param entry - a leased entry */
  dispatch(entry: InboxEntry): Promise<void>;
}

/** What the worker needs. */
export interface InboxWorkerDeps {
  inbox: HostStores['inbox'];
  /** The tenants whose entries are leased, each round. */
  tenantIds: () => Iterable<string>;
  handler: InboxEntryHandler;
  clock: Clock;
  logger: Logger;
}

/** Leases inbox entries and hands them to the handler. */
export class InboxWorker {
  private readonly owner = `inbox-${randomUUID()}`;
  private readonly options: Required<InboxProcessorOptions>;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private busy = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * @param deps - inbox store, tenants, handler, clock, logger
   * @param options - tuning
   */
  constructor(private readonly deps: InboxWorkerDeps, options: InboxProcessorOptions = {}) {
    this.options = { batchSize: 100, leaseMs: 30_000, pollMs: 500, maxAttempts: 8, retryBaseMs: 250, ...options };
  }

  /** Starts draining in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current round. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Signals that new entries are waiting (called after an inbox write). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Resolves once a round finds nothing due (everything written so far has been handled or deferred). */
  idle(): Promise<void> {
    return new Promise((resolve) => { this.idleWaiters.push(resolve); this.kick(); });
  }

  /** Whether a round is in progress. */
  get processing(): boolean {
    return this.busy;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      this.busy = true;
      let worked = false;
      try {
        worked = await this.round();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'inbox round failed');
      }
      this.busy = false;
      if (worked || this.kicked) continue;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        timer.unref();
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
  }

  /**
   * One round: lease due entries of every tenant and process them.
   * @returns whether anything was processed
   */
  async round(): Promise<boolean> {
    let worked = false;
    for (const tenantId of this.deps.tenantIds()) {
      const entries = await this.deps.inbox.claim({ tenantId, owner: this.owner, limit: this.options.batchSize, leaseMs: this.options.leaseMs, now: new Date(this.deps.clock.now()) });
      if (entries.length === 0) continue;
      worked = true;
      await this.processBatch(entries);
    }
    return worked;
  }

  private async processBatch(entries: InboxEntry[]): Promise<void> {
    // per conversation, platform time decides the order, not arrival
    const groups = new Map<string, InboxEntry[]>();
    const sorted = [...entries].sort((a, b) => eventTime(a.event) - eventTime(b.event) || a.receivedAt.getTime() - b.receivedAt.getTime());
    for (const e of sorted) {
      const ev = e.event;
      const key = 'userId' in ev && ev.userId ? `${e.tenantId}|${ev.channel}|${ev.accountId ?? ''}|${ev.userId}` : `${e.tenantId}|${e.id}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    await Promise.all([...groups.values()].map(async (list) => {
      for (const e of list) await this.processEntry(e);
    }));
  }

  private async processEntry(entry: InboxEntry): Promise<void> {
    const now = () => new Date(this.deps.clock.now());
    try {
      await this.deps.handler.dispatch(entry);
      await this.deps.inbox.complete(entry.id, this.owner, now());
    } catch (error) {
      const last = entry.attempts >= this.options.maxAttempts;
      const retryAt = last ? undefined : new Date(this.deps.clock.now() + this.options.retryBaseMs * 2 ** (entry.attempts - 1));
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof NotYetError) this.deps.logger.debug({ entryId: entry.id, attempts: entry.attempts }, message);
      else this.deps.logger.error({ entryId: entry.id, tenantId: entry.tenantId, channel: entry.channel, err: error }, 'inbox entry failed');
      await this.deps.inbox.fail(entry.id, this.owner, message, retryAt);
    }
  }
}

function eventTime(event: InboundEvent): number {
  const t = event.timestamp as Date | string | undefined;
  return t === undefined ? 0 : new Date(t).getTime();
}

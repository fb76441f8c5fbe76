/**
 * Retention: messages (and the webhook events, finished outbox entries and dead letters that
 * repeat their content, and the files of the media store whose message is gone) older than a
 * tenant's retention period are purged on a schedule.
 * @module
 */
import type { Logger } from '@switchboard/core';
import type { MediaStore } from '../media/media-store.js';
import { PAGE_MAX, type HostStores } from '../stores/stores.js';

const DAY_MS = 86_400_000;

/** A tenant's retention periods. */
export interface RetentionPolicy {
  /** Messages older than this many days are deleted (with the inbox events, finished outbox entries and dead letters of that age). */
  messageDays: number;
}

/** What one purge deleted for a tenant. */
export interface PurgeReport {
  tenantId: string;
  before: Date;
  messages: number;
  inbox: number;
  outbox: number;
  deadLetters: number;
  /** Files of the media store (bytes and records) older than the period whose message is gone. */
  media: number;
}

/**
 * Checks a retention policy.
 * @param value - the input
 * @param where - its name, for the error
 * @returns the policy
 * @throws Error naming the bad field
 */
export function parseRetentionPolicy(value: unknown, where: string): RetentionPolicy {
  const days = (value as { messageDays?: unknown } | undefined)?.messageDays;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) throw new Error(`${where}.messageDays must be a positive number of days`);
  return { messageDays: days };
}

/** Dependencies of {@link RetentionSweeper}. */
export interface RetentionDeps {
  stores: HostStores;
  /** The tenants to sweep and their policy (undefined = keep forever). */
  policies: () => Iterable<[tenantId: string, policy: RetentionPolicy | undefined]>;
  now: () => number;
  logger: Logger;
  /** The media store: without one, no file is purged. */
  media?: MediaStore;
}

/** Purges what is older than each tenant's retention period. */
export class RetentionSweeper {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<PurgeReport[]> | undefined;

  /** @param deps - stores, policies, clock, logger */
  constructor(private readonly deps: RetentionDeps) {}

  /**
   * Purges now (one sweep at a time: a second call waits for the first).
   * @param only - the tenants to sweep (default: every tenant)
   * @returns one report per tenant with a policy
   */
  async sweep(only?: readonly string[]): Promise<PurgeReport[]> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.run(only);
    try { return await this.running; } finally { this.running = undefined; }
  }

  private async run(only: readonly string[] | undefined): Promise<PurgeReport[]> {
    const { stores } = this.deps;
    const reports: PurgeReport[] = [];
    for (const [tenantId, policy] of this.deps.policies()) {
      if (!policy || (only && !only.includes(tenantId))) continue;
      const before = new Date(this.deps.now() - policy.messageDays * DAY_MS);
      const report: PurgeReport = {
        tenantId, before,
        messages: await stores.messages.deleteBefore(tenantId, before),
        inbox: await stores.inbox.deleteFinishedBefore(tenantId, before),
        outbox: await stores.outbox.deleteFinishedBefore(tenantId, before),
        deadLetters: await stores.deadLetters.deleteBefore(tenantId, before),
        media: await this.purgeMedia(tenantId, before),
      };
      if (report.messages + report.inbox + report.outbox + report.deadLetters + report.media > 0) this.deps.logger.info({ ...report }, 'retention purge');
      reports.push(report);
    }
    return reports;
  }

  /**
   * Deletes the tenant's files stored before `before` whose message is gone: the messages purged by
   * this sweep or an earlier one, erased, or deleted otherwise. A file fetched after its message
   * arrived goes with the first sweep after it too is older than the period. Files linked to no
   * message (an upload not yet sent) and files of messages still kept (an outbound message still
   * waiting) stay.
   */
  private async purgeMedia(tenantId: string, before: Date): Promise<number> {
    const { media } = this.deps;
    if (!media) return 0;
    const messages = this.deps.stores.messages;
    let deleted = 0;
    // oldest first; what this page deletes moves the next page's start back by as much
    for (let offset = 0; ;) {
      const page = await media.list(tenantId, { createdBefore: before, limit: PAGE_MAX, offset });
      let gone = 0;
      const exists = new Map<string, boolean>();
      for (const r of page) {
        if (r.messageId === undefined) continue;
        let kept = exists.get(r.messageId);
        if (kept === undefined) { kept = (await messages.get(tenantId, r.messageId)) !== undefined; exists.set(r.messageId, kept); }
        if (!kept && await media.delete(tenantId, r.id)) gone++;
      }
      deleted += gone;
      if (page.length < PAGE_MAX) break;
      offset += page.length - gone;
    }
    return deleted;
  }

  /**
   * Sweeps now and then every `intervalMs`.
   * @param intervalMs - the period (real time)
   */
  start(intervalMs: number): void {
    const tick = (): void => { this.sweep().catch((error: unknown) => this.deps.logger.error({ err: (error as Error).message }, 'retention purge failed')); };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref?.();
  }

  /** Stops the schedule and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

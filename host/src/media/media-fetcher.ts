/**
 * The inbound media fetcher: fetches each file a customer sends from the platform, off the request
 * path, soon after its message is stored (platform links expire within minutes to an hour), and
 * keeps it in the media store.
 *
 * Nothing is lost across a crash: the message store marks an inbound media message `mediaPending`
 * in the write that stores it; the fetcher adds a durable job for it (on the message's notice, and
 * at start for every message still pending), leases the job while it fetches (a lease expires if
 * its process dies), and removes it only after the message records the outcome. Retries follow
 * what the connector's `classify` says, with exponential backoff on the host clock (a platform's
 * Retry-After honoured). Downloads run at most `concurrencyPerChannel` at a time per channel.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import {
  connectorErrorKind, isSwitchboardError,
  type Clock, type Connector, type Logger, type MediaContent, type MediaKind,
} from '@switchboard/core';
import { backoffDelay } from '../outbound/backoff.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStreams } from '../streams.js';
import type { HostMessage, HostStores, MediaStoreFields } from '../stores/stores.js';
import type { MediaJob } from './media-job-store.js';
import type { MediaLimits } from './media-policy.js';
import type { MediaStore } from './media-store.js';

/** Tuning of the fetcher (the config's `media.fetch`). */
export interface MediaFetcherOptions {
  /** Downloads at once per channel (default 4). */
  concurrencyPerChannel?: number;
  /** Attempts before a file is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry delay in ms, doubling with full jitter (default 2 000). */
  retryBaseMs?: number;
  /** Longest retry delay in ms (default 5 minutes). */
  retryMaxMs?: number;
  /** Time one download may take, in ms (default 2 minutes); also the job's lease, plus a minute. */
  timeoutMs?: number;
  /** How often to look for due jobs nobody kicked the fetcher for (retries, other processes) (default 1 s). */
  pollMs?: number;
  /** Randomness of the backoff's jitter, in [0, 1) (default Math.random). */
  random?: () => number;
}

/** What the fetcher works with. */
export interface MediaFetcherDeps {
  stores: Pick<HostStores, 'messages' | 'mediaJobs' | 'conversations'>;
  /** The media store, and the limits in force per tenant. */
  media: MediaStore & { limits(tenantId: string): MediaLimits };
  registry: ConnectorRegistry;
  streams: HostStreams;
  clock: Clock;
  logger: Logger;
  /** The tenants whose pending media the start-up sweep looks for. */
  tenants: () => readonly string[];
}

const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function mediaOf(m: HostMessage): MediaContent | undefined {
  return MEDIA_TYPES.has(m.content.type) ? m.content as MediaContent : undefined;
}

/** Fetches customers' files into the media store. */
export class MediaFetcher {
  private readonly owner = `media-${randomUUID()}`;
  private readonly options: Required<Omit<MediaFetcherOptions, 'random'>> & Pick<MediaFetcherOptions, 'random'>;
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private stopped = false;
  /** Counters since start. */
  readonly stats = { stored: 0, refused: 0, quarantined: 0, failed: 0, retried: 0 };

  /**
   * @param deps - stores, media store, connectors, streams, clock, logger, tenants
   * @param options - concurrency, retries, timeouts
   */
  constructor(private readonly deps: MediaFetcherDeps, options: MediaFetcherOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 120_000;
    this.options = {
      concurrencyPerChannel: options.concurrencyPerChannel ?? 4,
      maxAttempts: options.maxAttempts ?? 8,
      retryBaseMs: options.retryBaseMs ?? 2_000,
      retryMaxMs: options.retryMaxMs ?? 300_000,
      timeoutMs,
      pollMs: options.pollMs ?? 1_000,
      ...(options.random ? { random: options.random } : {}),
    };
  }

  /** Listens for stored messages, sweeps for pending ones, and starts fetching. */
  async start(): Promise<void> {
    this.listen();
    await this.sweep();
    this.loop ??= this.run();
  }

  /**
   * Subscribes to `inbound$`: every stored message with a file to fetch gets its job. Called by
   * {@link MediaFetcher.start}; alone, nothing is fetched until {@link MediaFetcher.drain}.
   */
  listen(): void {
    this.subscription ??= this.deps.streams.inbound$.subscribe((notice) => {
      if (!notice.message.mediaPending) return;
      this.track(this.enqueue(notice.message).then(() => this.kick()));
    });
  }

  /** Stops fetching: downloads in flight are aborted and their jobs given back, due at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.settled();
  }

  /** Looks for due jobs now. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * Fetches every job due now, and those that fall due meanwhile on the host clock, until none is
   * due and none runs (tests move a manual clock and drain).
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.settled();
      if ((await this.round()) === 0) {
        await this.settled();
        if (this.inFlight.size === 0) return;
      }
    }
  }

  /**
   * Adds the job of a message whose file is to be fetched; a message whose connector cannot
   * download media is settled as it is (its media stays the platform's reference, no `storeState`).
   * @param message - a stored inbound message with `mediaPending`
   * @returns whether the message stays pending (its job is written), once it is
   */
  async enqueue(message: HostMessage): Promise<boolean> {
    if (!message.mediaPending || !mediaOf(message)) return false;
    const binding = this.deps.registry.find(message.tenantId, message.channel, message.accountId);
    if (!binding || typeof binding.connector.downloadMedia !== 'function') {
      await this.deps.stores.messages.updateMedia(message.tenantId, message.id, {}, { settled: true });
      return false;
    }
    const now = new Date(this.deps.clock.now());
    // one write: the message stays `mediaPending` (the API shows that as `storeState: pending`) until settled
    await this.deps.stores.mediaJobs.add({
      id: message.id, tenantId: message.tenantId, channel: message.channel, accountId: message.accountId,
      attempts: 0, notBefore: now, createdAt: now,
    });
    return true;
  }

  /**
   * Adds the jobs of every tenant's messages still `mediaPending` (a crash between storing a message
   * and writing its job, or a job written by a process that died).
   * @returns how many messages were looked at
   */
  async sweep(): Promise<number> {
    let seen = 0;
    for (const tenantId of this.deps.tenants()) {
      for (let offset = 0; ;) {
        const page = await this.deps.stores.messages.listMediaPending(tenantId, { limit: 200, offset });
        // settled messages leave the list; those with a job stay in it
        for (const m of page) if (await this.enqueue(m)) offset++;
        seen += page.length;
        if (page.length < 200) break;
      }
    }
    return seen;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.round();
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, 'media fetcher: could not lease jobs');
      }
      if (this.stopped) break;
      if (this.kicked) { this.kicked = false; continue; }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        timer.unref();
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
      this.kicked = false;
    }
  }

  /** Leases what each channel has room for and starts it. @returns how many jobs were started */
  private async round(): Promise<number> {
    if (this.stopping.signal.aborted) return 0;
    const channels = [...new Set(this.deps.registry.bindings.map((b) => b.channel))];
    let started = 0;
    for (const channel of channels) {
      for (const tenantId of this.deps.tenants()) {
        const free = this.options.concurrencyPerChannel - (this.running.get(channel) ?? 0);
        if (free <= 0) break;
        const jobs = await this.deps.stores.mediaJobs.lease({
          tenantId, channel, owner: this.owner, limit: free, leaseMs: this.options.timeoutMs + 60_000, now: new Date(this.deps.clock.now()),
        });
        for (const job of jobs) {
          this.running.set(channel, (this.running.get(channel) ?? 0) + 1);
          started++;
          this.track(this.fetchOne(job).finally(() => {
            this.running.set(channel, (this.running.get(channel) ?? 1) - 1);
            this.kick();
          }));
        }
      }
    }
    return started;
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((error: unknown) => {
      this.deps.logger.error({ err: (error as Error)?.message }, 'media fetcher: a job could not be settled (it is retried when its lease ends)');
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async fetchOne(job: MediaJob): Promise<void> {
    const { stores, media: store, clock, logger } = this.deps;
    const message = await stores.messages.get(job.tenantId, job.id);
    const content = message ? mediaOf(message) : undefined;
    // erased meanwhile, or settled by another process
    if (!message || !content || !message.mediaPending) { await stores.mediaJobs.remove(job.tenantId, job.id); return; }
    const binding = this.deps.registry.find(job.tenantId, job.channel, job.accountId);
    const connector: Connector | undefined = binding?.connector;
    if (!connector || typeof connector.downloadMedia !== 'function') { await this.settle(message, job, {}); return; }

    // a fetch stored before a crash kept its file: the message only needs to learn of it (the
    // lease counts attempts, so only a job leased before can have one)
    const kept = job.attempts > 1 ? (await store.list(job.tenantId, { messageId: message.id, origin: 'inbound', limit: 1 }))[0] : undefined;
    if (kept) { await this.settle(message, job, outcomeOf(kept)); return; }

    const kind: MediaKind = content.type;
    const maxBytes = store.limits(job.tenantId).maxBytes[kind];
    const ref = content.media;
    if (ref.size !== undefined && ref.size > maxBytes) {
      this.stats.refused++;
      await this.settle(message, job, { storeState: 'refused', storeNote: `the file is larger than the ${maxBytes} bytes allowed for a ${kind} (${ref.size} bytes declared)` });
      return;
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException(`the download took longer than ${this.options.timeoutMs} ms`, 'TimeoutError')), this.options.timeoutMs);
    timer.unref();
    const signal = AbortSignal.any([timeout.signal, this.stopping.signal]);
    try {
      const downloaded = await connector.downloadMedia(ref, { maxBytes, signal });
      const conversation = await stores.conversations.get(job.tenantId, message.conversationId);
      const result = await store.put(job.tenantId, downloaded.body, {
        origin: 'inbound', kind, signal, messageId: message.id, conversationId: message.conversationId,
        ...(conversation ? { contactId: conversation.contactId } : {}),
        ...(downloaded.declaredType ?? ref.mimeType ? { declaredType: downloaded.declaredType ?? ref.mimeType } : {}),
        ...(downloaded.declaredSize !== undefined ? { declaredSize: downloaded.declaredSize } : {}),
        ...(downloaded.filename ?? ref.filename ? { filename: downloaded.filename ?? ref.filename } : {}),
      });
      if (!result.stored) {
        this.stats.refused++;
        await this.settle(message, job, { storeState: 'refused', storeNote: result.reason });
        return;
      }
      if (result.record.quarantine) this.stats.quarantined++; else this.stats.stored++;
      await this.settle(message, job, outcomeOf(result.record));
    } catch (error) {
      if (this.stopping.signal.aborted) {
        // the host is stopping: the next start (or another process) fetches it
        await stores.mediaJobs.retry(job.id, this.owner, new Date(clock.now()), 'the host stopped during the download');
        return;
      }
      const decision = this.decide(connector, error, job);
      if (decision.retryAt) {
        this.stats.retried++;
        logger.warn({ messageId: job.id, channel: job.channel, attempt: job.attempts, err: decision.note }, 'media fetch failed; retrying later');
        await stores.mediaJobs.retry(job.id, this.owner, decision.retryAt, decision.note);
        return;
      }
      if (decision.state === 'refused') this.stats.refused++; else this.stats.failed++;
      logger.warn({ messageId: job.id, channel: job.channel, attempts: job.attempts, err: decision.note }, `media fetch ${decision.state}`);
      await this.settle(message, job, { storeState: decision.state, storeNote: decision.note });
    } finally {
      clearTimeout(timer);
    }
  }

  /** What a failed attempt means: retry later, or the file's final state. */
  private decide(connector: Connector, error: unknown, job: MediaJob): { retryAt?: Date; state: 'failed' | 'refused'; note: string } {
    const note = messageOf(error);
    let retryable: boolean;
    let retryAfterMs: number | undefined;
    let tooLarge = false;
    if (isSwitchboardError(error) && (error.code === 'STORE_UNAVAILABLE' || error.code === 'RETRYABLE_FAILURE')) {
      // the host's own storage or scanner, not the platform
      retryable = error.retryable;
    } else if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') {
      retryable = true;
    } else {
      const classified = safeClassify(connector, error);
      const kind = connectorErrorKind(classified);
      retryable = kind === 'retryable' || kind === 'rate-limited';
      retryAfterMs = (classified as { retryAfterMs?: number }).retryAfterMs;
      tooLarge = kind === 'permanent' && typeof classified.details?.maxBytes === 'number';
    }
    if (tooLarge) return { state: 'refused', note };
    if (retryable && job.attempts < this.options.maxAttempts) {
      const delay = backoffDelay(job.attempts, retryAfterMs, { baseMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs, ...(this.options.random ? { random: this.options.random } : {}) });
      return { retryAt: new Date(this.deps.clock.now() + delay), state: 'failed', note };
    }
    return { state: 'failed', note: retryable ? `gave up after ${job.attempts} attempts: ${note}` : note };
  }

  /** Records the outcome on the message, tells the streams, and removes the job. */
  private async settle(message: HostMessage, job: MediaJob, fields: MediaStoreFields): Promise<void> {
    const updated = await this.deps.stores.messages.updateMedia(message.tenantId, message.id, fields, { settled: true });
    // the message is gone (erased while its file was downloading): nothing may keep the file
    if (!updated && fields.storedId !== undefined) await this.deps.media.delete(message.tenantId, fields.storedId);
    if (updated && fields.storeState !== undefined) {
      // the message changed: its status notice is repeated with the file's state on its content
      this.deps.streams.status$.next({ tenantId: updated.tenantId, conversationId: updated.conversationId, message: updated, status: updated.status });
    }
    await this.deps.stores.mediaJobs.remove(job.tenantId, job.id);
  }
}

function outcomeOf(record: { id: string; sha256: string; quarantine?: { reason: string } }): MediaStoreFields {
  return record.quarantine
    ? { storedId: record.id, sha256: record.sha256, storeState: 'quarantined', storeNote: record.quarantine.reason }
    : { storedId: record.id, sha256: record.sha256, storeState: 'stored' };
}

function safeClassify(connector: Connector, error: unknown): ReturnType<Connector['classify']> {
  try {
    return connector.classify(error);
  } catch {
    return { code: 'RETRYABLE_FAILURE', retryable: true } as ReturnType<Connector['classify']>;
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * The event feed: the one subscriber of the host's streams that serves every SSE client.
 *
 * Each notice is serialised once (with the serialiser that cannot throw), numbered and appended to
 * the tenant's event log in batches, then written to that tenant's clients — each through a
 * bounded {@link SseConnection}, so a client that does not read is dropped instead of growing the
 * process. A client that reconnects with `Last-Event-ID` is sent what it missed from the log
 * before anything live, each event once, in order. Memory is bounded everywhere:
 * - per client: `maxClientBufferBytes` waiting for its socket (and as much queued during a replay);
 * - per tenant: `maxClientsPerTenant` streams of each kind (API, console), beyond which a stream
 *   is refused with 429 `TOO_MANY_STREAMS` before anything is written;
 * - per tenant: `maxPendingEvents` not yet in the log (when the store falls behind, newer events
 *   are discarded and clients are told with an `event: missed`);
 * - the log itself: `retention.maxEvents` per tenant and `retention.maxAgeMs`.
 * Nothing a notice, a client or the store does throws into the streams or the process.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { SwitchboardError } from '@switchboard/core';
import { safeJsonStringify } from '../safe-json.js';
import type { HostStreams } from '../streams.js';
import type { EventLogStore, LoggedEvent, NewLoggedEvent } from './event-log-store.js';
import { SseConnection, sseFrame } from './sse-connection.js';

/** The event names the host's streams produce. */
export const STREAM_EVENT_NAMES = ['inbound', 'status', 'consent', 'conversation'] as const;
/** An event name of the host's streams. */
export type StreamEventName = (typeof STREAM_EVENT_NAMES)[number];
/** The name of the event that tells a client events are gone for good (pruned, or discarded under overload). */
export const MISSED_EVENT = 'missed';

/** Which kind of stream a client holds (caps and metrics count each kind on its own). */
export type StreamSurface = 'api' | 'console';

/** Limits of the feed. */
export interface EventFeedLimits {
  /** Bytes that may wait for one client before it is dropped (default 1 MiB). */
  maxClientBufferBytes: number;
  /** Open streams per tenant, per surface (default 100). */
  maxClientsPerTenant: number;
  /** How long a dropped client has to take its final event (default 5 s). */
  dropGraceMs: number;
  /** Heartbeat period (default 15 s). */
  heartbeatMs: number;
  /** Events not yet in the log, per tenant, beyond which new ones are discarded (default 10,000). */
  maxPendingEvents: number;
  /** What the log keeps per tenant: the newest `maxEvents` (default 10,000), none older than `maxAgeMs` (default 24 h). */
  retention: { maxEvents: number; maxAgeMs: number };
}

/** The defaults of {@link EventFeedLimits}. */
export const DEFAULT_EVENT_FEED_LIMITS: EventFeedLimits = {
  maxClientBufferBytes: 1024 * 1024,
  maxClientsPerTenant: 100,
  dropGraceMs: 5_000,
  heartbeatMs: 15_000,
  maxPendingEvents: 10_000,
  retention: { maxEvents: 10_000, maxAgeMs: 24 * 3600_000 },
};

/** Overrides of {@link DEFAULT_EVENT_FEED_LIMITS}. */
export type EventFeedOptions = Partial<Omit<EventFeedLimits, 'retention'>> & { retention?: Partial<EventFeedLimits['retention']> };

/** A stream refused because the tenant holds as many as it may. */
export class TooManyStreamsError extends SwitchboardError {
  /**
   * @param surface - the kind of stream
   * @param limit - how many the tenant may hold
   */
  constructor(surface: StreamSurface, limit: number) {
    super('TOO_MANY_STREAMS', `the tenant already holds ${limit} open ${surface === 'api' ? '/v1/events' : 'console'} event streams: close one, or retry later`, true, { details: { surface, limit, retryAfterMs: 5_000 } });
    this.name = 'TooManyStreamsError';
  }
}

/**
 * Turns an event's data (the JSON the log keeps, which is what `/v1/events` sends) into what one
 * kind of client is sent. Never throws: a failure sends the data unchanged.
 */
export type EventFormat = (name: string, data: unknown) => unknown;

/** What {@link EventFeed.open} is told about a new client. */
export interface StreamRequest {
  tenantId: string;
  surface: StreamSurface;
  /** Only these event names (default all); `missed` is always sent. */
  names?: readonly string[];
  /** The `Last-Event-ID` the client sent: what it was sent last. */
  lastEventId?: number;
  /** Reshapes the data for this kind of client (the console's smaller events). */
  format?: { key: string; apply: EventFormat };
  /** Written after the headers, before anything else (e.g. `retry: 2000\n`). */
  preamble?: string;
}

/** An open client, as its route sees it. */
export interface StreamClient {
  readonly connection: SseConnection;
  /** Ends the client's stream (e.g. after a logout), with a last frame. */
  end(finalFrame?: string): void;
}

/** DI token for {@link EventFeed}. */
export const EventFeed = Symbol.for('switchboard.EventFeed');
/** The event feed as routes and metrics see it. */
export interface EventFeed {
  /** The limits in force. */
  readonly limits: EventFeedLimits;
  /**
   * Opens a client's stream on a response: checks the tenant's cap (throws {@link TooManyStreamsError}
   * before writing anything), writes the headers, replays what the client missed, then serves it live.
   * @returns the client, once its replay is written (or it was dropped or closed)
   */
  open(res: ServerResponse, request: StreamRequest): Promise<StreamClient>;
  /** Open clients per tenant and surface. */
  clientCounts(): { tenantId: string; surface: StreamSurface; count: number }[];
  /** Totals since start: clients dropped for not reading, streams refused over the cap, events discarded under overload. */
  counters(): { dropped: CountRow[]; refused: CountRow[]; discarded: { tenantId: string; count: number }[] };
}

/** A count per tenant and surface. */
export interface CountRow {
  tenantId: string;
  surface: StreamSurface;
  count: number;
}

/** A logged event on its way to clients, with its frame per format (built once, shared by every client). */
interface FeedEvent {
  seq: number;
  name: string;
  data: string;
  frames: Map<string, Buffer>;
}

interface Client {
  tenantId: string;
  surface: StreamSurface;
  names: ReadonlySet<string> | undefined;
  format: { key: string; apply: EventFormat } | undefined;
  connection: SseConnection;
  /** The last sequence number written (or known to the client). */
  lastSeq: number;
  /** Live events held back while the replay is written. */
  held: FeedEvent[] | undefined;
  heldBytes: number;
}

interface TenantPipeline {
  pending: NewLoggedEvent[];
  /** Events discarded since the last one logged. */
  discarded: number;
  flushing: Promise<void> | undefined;
  lastPrunedSeq: number;
}

const API_FORMAT = 'api';
const BATCH = 200;
const REPLAY_PAGE = 100;

/**
 * A notice with its message's media decryption key (Apple's attachments) replaced by `[redacted]`:
 * the key stays with the stored message for the host's own download, and is neither kept in the
 * event log nor streamed to clients (the REST API answers it redacted the same way).
 * @param notice - a stream notice
 * @returns the notice, or a copy without the key
 */
export function withoutMediaSecrets<N extends object>(notice: N): N {
  const message = (notice as { message?: { content?: { media?: { encryption?: { decryptionKey?: unknown } } } } }).message;
  const media = message?.content?.media;
  if (media?.encryption?.decryptionKey === undefined) return notice;
  return {
    ...notice,
    message: { ...message, content: { ...message!.content, media: { ...media, encryption: { ...media.encryption, decryptionKey: '[redacted]' } } } },
  };
}

/** What a notice is about, for erasure. */
function subjectOf(name: StreamEventName, notice: Record<string, unknown>): { contactId?: string; conversationId?: string } {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const field = (o: unknown, k: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);
  let contactId: string | undefined;
  let conversationId: string | undefined;
  if (name === 'inbound') { contactId = str(field(notice.contact, 'id')); conversationId = str(field(notice.conversation, 'id')); }
  else if (name === 'status') conversationId = str(notice.conversationId);
  else if (name === 'consent') contactId = str(field(notice.entry, 'contactId'));
  else { contactId = str(field(notice.conversation, 'contactId')); conversationId = str(field(notice.conversation, 'id')); }
  return { ...(contactId !== undefined ? { contactId } : {}), ...(conversationId !== undefined ? { conversationId } : {}) };
}

/** Dependencies of {@link HostEventFeed}. */
export interface EventFeedDeps {
  store: EventLogStore;
  streams: HostStreams;
  clock: Clock;
  logger: Logger;
  /** Told of each client dropped for not reading. */
  onDropped?: (info: { tenantId: string; surface: StreamSurface; bufferedBytes: number }) => void;
}

/** The host's {@link EventFeed}. */
export class HostEventFeed implements EventFeed {
  readonly limits: EventFeedLimits;
  private readonly clients = new Map<string, Set<Client>>();
  private readonly pipelines = new Map<string, TenantPipeline>();
  private readonly subscriptions: Subscription[] = [];
  private readonly dropped = new Map<string, CountRow>();
  private readonly refused = new Map<string, CountRow>();
  private readonly discardedTotal = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * Subscribes to the streams at once: nothing published before the host listens is missing from the log.
   * @param deps - the event log, the streams, clock and logger
   * @param limits - overrides of {@link DEFAULT_EVENT_FEED_LIMITS}
   */
  constructor(private readonly deps: EventFeedDeps, limits: EventFeedOptions = {}) {
    this.limits = { ...DEFAULT_EVENT_FEED_LIMITS, ...limits, retention: { ...DEFAULT_EVENT_FEED_LIMITS.retention, ...limits.retention } };
    const s = deps.streams;
    this.subscriptions.push(
      s.inbound$.subscribe((n) => this.publish('inbound', n)),
      s.status$.subscribe((n) => this.publish('status', n)),
      s.consent$.subscribe((n) => this.publish('consent', n)),
      s.conversation$.subscribe((n) => this.publish('conversation', n)),
    );
  }

  /** Starts the heartbeat (every client gets `: ping` when nothing else waits for it). */
  start(): void {
    if (this.heartbeat || this.stopped) return;
    this.heartbeat = setInterval(() => {
      for (const set of this.clients.values()) for (const c of set) c.connection.comment('ping');
    }, this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Unsubscribes, writes what is pending to the log, and ends every client. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.subscriptions) s.unsubscribe();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await Promise.all([...this.pipelines.values()].map((p) => p.flushing));
    for (const set of this.clients.values()) for (const c of set) c.connection.end();
    this.clients.clear();
  }

  // ---- publishing ----

  /** Takes one notice from a stream. Never throws: a stream's other subscribers are not disturbed. */
  private publish(name: StreamEventName, notice: { tenantId: string }): void {
    try {
      const tenantId = notice.tenantId;
      const p = this.pipeline(tenantId);
      if (p.pending.length >= this.limits.maxPendingEvents) {
        p.discarded++;
        this.discardedTotal.set(tenantId, (this.discardedTotal.get(tenantId) ?? 0) + 1);
        return;
      }
      p.pending.push({
        name, data: safeJsonStringify(withoutMediaSecrets(notice)), at: new Date(this.deps.clock.now()),
        ...subjectOf(name, notice as unknown as Record<string, unknown>),
      });
      if (!p.flushing) p.flushing = this.flush(tenantId, p);
    } catch (error) {
      this.deps.logger.error({ err: error, event: name }, 'event feed: could not take an event');
    }
  }

  private pipeline(tenantId: string): TenantPipeline {
    let p = this.pipelines.get(tenantId);
    if (!p) this.pipelines.set(tenantId, p = { pending: [], discarded: 0, flushing: undefined, lastPrunedSeq: 0 });
    return p;
  }

  /** Logs and fans out the tenant's pending events, a batch at a time, until none is left. */
  private async flush(tenantId: string, p: TenantPipeline): Promise<void> {
    try {
      while (p.pending.length > 0 || p.discarded > 0) {
        const batch = p.pending.splice(0, BATCH);
        const carried = p.discarded;
        p.discarded = 0;
        const toLog = carried > 0
          ? [{ name: MISSED_EVENT, data: JSON.stringify({ reason: 'overload', count: carried }), at: new Date(this.deps.clock.now()) }, ...batch]
          : batch;
        let logged: LoggedEvent[];
        try {
          logged = await this.deps.store.append(tenantId, toLog);
        } catch (error) {
          // the store is failing: these events are lost; clients are told once it takes events again
          p.discarded = carried + batch.length;
          this.discardedTotal.set(tenantId, (this.discardedTotal.get(tenantId) ?? 0) + batch.length);
          this.deps.logger.error({ err: error, tenantId, lost: batch.length }, 'event feed: could not log events; they are not streamed');
          if (this.stopped) return;
          await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
          continue;
        }
        this.fanOut(tenantId, logged);
        await this.prune(tenantId, p, logged[logged.length - 1]?.seq ?? 0);
      }
    } catch (error) {
      this.deps.logger.error({ err: error, tenantId }, 'event feed: flush failed');
    } finally {
      p.flushing = undefined;
      if ((p.pending.length > 0 || p.discarded > 0) && !this.stopped) p.flushing = this.flush(tenantId, p);
    }
  }

  private async prune(tenantId: string, p: TenantPipeline, seq: number): Promise<void> {
    const every = Math.max(1, Math.min(1_000, Math.ceil(this.limits.retention.maxEvents / 10)));
    if (seq - p.lastPrunedSeq < every && p.lastPrunedSeq !== 0) return;
    p.lastPrunedSeq = seq;
    try {
      await this.deps.store.prune(tenantId, { keepLast: this.limits.retention.maxEvents, before: new Date(this.deps.clock.now() - this.limits.retention.maxAgeMs) });
    } catch (error) {
      this.deps.logger.warn({ err: error, tenantId }, 'event feed: could not prune the event log');
    }
  }

  private fanOut(tenantId: string, logged: readonly LoggedEvent[]): void {
    const set = this.clients.get(tenantId);
    if (!set || set.size === 0) return;
    for (const e of logged) {
      const event: FeedEvent = { seq: e.seq, name: e.name, data: e.data, frames: new Map() };
      for (const c of set) this.deliver(c, event);
    }
  }

  // ---- clients ----

  private frameOf(c: Client, e: FeedEvent): Buffer {
    const key = c.format?.key ?? API_FORMAT;
    let frame = e.frames.get(key);
    if (!frame) {
      let json = e.data;
      if (c.format && e.name !== MISSED_EVENT) {
        try { json = safeJsonStringify(c.format.apply(e.name, JSON.parse(e.data))); } catch { /* the data as logged */ }
      }
      frame = Buffer.from(sseFrame(e.seq, e.name, json));
      e.frames.set(key, frame);
    }
    return frame;
  }

  private wants(c: Client, e: FeedEvent): boolean {
    return e.seq > c.lastSeq && (e.name === MISSED_EVENT || !c.names || c.names.has(e.name));
  }

  /** Writes an event to a client, or holds it while the client's replay is written. */
  private deliver(c: Client, e: FeedEvent): void {
    if (!this.wants(c, e)) return;
    if (c.held) {
      const size = e.data.length;
      if (c.heldBytes > 0 && c.heldBytes + size > this.limits.maxClientBufferBytes) { c.connection.drop(); return; }
      c.held.push(e);
      c.heldBytes += size;
      return;
    }
    if (c.connection.send(this.frameOf(c, e), String(e.seq))) c.lastSeq = e.seq;
  }

  private count(map: Map<string, CountRow>, tenantId: string, surface: StreamSurface): void {
    const key = `${surface}\u0000${tenantId}`;
    const row = map.get(key) ?? { tenantId, surface, count: 0 };
    row.count++;
    map.set(key, row);
  }

  async open(res: ServerResponse, request: StreamRequest): Promise<StreamClient> {
    const { tenantId, surface } = request;
    const set = this.clients.get(tenantId) ?? new Set<Client>();
    let open = 0;
    for (const c of set) if (c.surface === surface) open++;
    if (open >= this.limits.maxClientsPerTenant) {
      this.count(this.refused, tenantId, surface);
      throw new TooManyStreamsError(surface, this.limits.maxClientsPerTenant);
    }
    const store = this.deps.store;
    const client: Client = {
      tenantId, surface,
      names: request.names ? new Set(request.names) : undefined,
      format: request.format,
      connection: new SseConnection(res, {
        maxBufferBytes: this.limits.maxClientBufferBytes,
        dropGraceMs: this.limits.dropGraceMs,
        onDropped: ({ bufferedBytes }) => {
          this.count(this.dropped, tenantId, surface);
          this.deps.logger.warn({ tenantId, surface, bufferedBytes }, 'event stream: client dropped for not reading');
          this.deps.onDropped?.({ tenantId, surface, bufferedBytes });
        },
      }),
      lastSeq: 0,
      held: [],
      heldBytes: 0,
    };
    // counted from now (before any await), so concurrent opens cannot pass the cap together
    set.add(client);
    this.clients.set(tenantId, set);
    void client.connection.closed.then(() => {
      set.delete(client);
      if (set.size === 0 && this.clients.get(tenantId) === set) this.clients.delete(tenantId);
    });
    const handle: StreamClient = { connection: client.connection, end: (finalFrame) => client.connection.end(finalFrame) };

    let head: number;
    try {
      head = await store.head(tenantId);
    } catch (error) {
      set.delete(client);
      throw error;
    }
    const resumeFrom = request.lastEventId;
    // the base id: an EventSource that never gets an event still resumes from here
    const base = resumeFrom !== undefined && resumeFrom <= head ? resumeFrom : head;
    client.lastSeq = base;
    client.connection.open(`${request.preamble ?? ''}id: ${base}\n: connected\n\n`);
    client.connection.lastEventId = String(base);
    if (resumeFrom !== undefined) {
      try {
        await this.replay(client, resumeFrom, head);
      } catch (error) {
        this.deps.logger.warn({ err: error, tenantId }, 'event stream: replay failed');
        client.connection.end(sseFrame(undefined, 'error', JSON.stringify({ code: 'STORE_UNAVAILABLE', message: 'the missed events could not be read: reconnect with the same Last-Event-ID' })));
      }
    }
    const held = client.held ?? [];
    client.held = undefined;
    client.heldBytes = 0;
    for (const e of held) this.deliver(client, e);
    return handle;
  }

  /** Writes what the client missed after `from`, a page at a time, waiting for it to take each. */
  private async replay(c: Client, from: number, head: number): Promise<void> {
    const conn = c.connection;
    const missed = (data: Record<string, unknown>, id: number): boolean => conn.send(sseFrame(id, MISSED_EVENT, JSON.stringify(data)), String(id));
    if (from > head) {
      // an id this log never gave (another database, or it was reset): nothing can be replayed
      missed({ reason: 'unknown-id', lastEventId: String(from), resumeFrom: String(head) }, head);
      return;
    }
    const since = new Date(this.deps.clock.now() - this.limits.retention.maxAgeMs);
    const oldest = await this.deps.store.after(c.tenantId, from, { since, limit: 1 });
    const first = oldest[0]?.seq;
    if ((first === undefined && head > from) || (first !== undefined && first > from + 1)) {
      // some numbers after the client's are gone from the log (pruned): say so, then replay the rest
      const gone = (first ?? head + 1) - from - 1;
      if (!missed({ reason: 'expired', count: gone, lastEventId: String(from) }, from)) return;
    }
    let after = from;
    const names = c.names ? [...c.names, MISSED_EVENT] : undefined;
    for (;;) {
      const page = await this.deps.store.after(c.tenantId, after, { since, limit: REPLAY_PAGE, ...(names ? { names } : {}) });
      for (const e of page) {
        if (!(await conn.sendWhenRoom(this.frameOf(c, { seq: e.seq, name: e.name, data: e.data, frames: new Map() }), String(e.seq)))) return;
        c.lastSeq = e.seq;
      }
      if (page.length < REPLAY_PAGE) return;
      after = page[page.length - 1]!.seq;
    }
  }

  clientCounts(): { tenantId: string; surface: StreamSurface; count: number }[] {
    const rows = new Map<string, CountRow>();
    for (const [tenantId, set] of this.clients) for (const c of set) this.count(rows, tenantId, c.surface);
    return [...rows.values()];
  }

  counters(): { dropped: CountRow[]; refused: CountRow[]; discarded: { tenantId: string; count: number }[] } {
    return {
      dropped: [...this.dropped.values()].map((r) => ({ ...r })),
      refused: [...this.refused.values()].map((r) => ({ ...r })),
      discarded: [...this.discardedTotal].map(([tenantId, count]) => ({ tenantId, count })),
    };
  }
}

/** What a `Last-Event-ID` the feed gave looks like (trimmed): a non-negative integer of at most 15 digits. */
export const LAST_EVENT_ID_PATTERN = /^\d{1,15}$/;

/**
 * Reads the `Last-Event-ID` header: a non-negative integer (an id the feed gave).
 * @param header - the header's value
 * @returns the number, undefined when absent, or NaN when malformed
 */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const v = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (v === '') return undefined;
  return LAST_EVENT_ID_PATTERN.test(v) ? Number(v) : Number.NaN;
}

/**
 * A base for fake platform servers: an in-process HTTP server that records every request, can be
 * scripted to answer with errors, 429s with retry-after, latency or a reset connection, and leaves
 * the platform's own behaviour (routes, validation, bodies, signatures) to a subclass.
 *
 * It lives in core because a connector's `fake()` is part of its plugin and a connector may only
 * import core; the testkit re-exports it.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { ChannelId } from '../model/address.js';
import type {
  FakeInboundEvent, FakeInboundKind, FakePlatform, FakePlatformOptions, FakeReceiptOptions, FakeSentMessage, RecordedRequest, ScriptedResponse, SignedWebhook,
} from '../spi.js';

/** What a fake platform's handler answers. */
export interface FakeResponse {
  status: number;
  /** A string is sent as text, a Buffer as bytes, anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

interface Script {
  match: string | RegExp | undefined;
  responses: ScriptedResponse[];
}

/** A receipt waiting for its time: built and signed only when it is posted, so its timestamp is the platform's time then. */
interface PendingReceipt {
  seq: number;
  /** Wall-clock time it is due, in ms. */
  dueAt: number;
  userId: string;
  externalId: string;
  status: 'delivered' | 'read';
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** What happened to the receipts a fake scheduled (see {@link FakePlatformServer.receiptStats}). */
export interface FakeReceiptStats {
  /** Receipts scheduled (lost ones included). */
  scheduled: number;
  /** Receipts the webhook answered with a 2xx. */
  posted: number;
  /** Receipts dropped by the configured loss rate (never posted). */
  lost: number;
  /** Receipts dropped after {@link FAKE_RECEIPT_ATTEMPTS} posts that failed (non-2xx or no answer). */
  failed: number;
  /** Receipts still waiting for their time. */
  pending: number;
}

/** How many times a fake posts a receipt or announcement before it drops it (and counts it as failed). */
export const FAKE_RECEIPT_ATTEMPTS = 3;

/** The receipt defaults every fake uses unless its options say otherwise. */
export const DEFAULT_FAKE_RECEIPTS: Required<FakeReceiptOptions> = { enabled: true, deliveredAfterMs: 500, readAfterMs: 1000, lossRate: 0 };

/**
 * Checks fake platform options, filling in the receipt defaults.
 * @param options - the options a fake was created with
 * @returns the receipt options in force
 * @throws ConfigError when `clock` and a `timeScale` other than 1 are both given (a clock is the
 *   platform's time already: pass a scaled clock instead), or a receipt delay or loss rate is out of range
 */
export function fakeReceiptOptions(options: FakePlatformOptions): Required<FakeReceiptOptions> {
  if (options.clock !== undefined && options.timeScale !== undefined && options.timeScale !== 1) {
    throw new ConfigError('timeScale', 'cannot be combined with clock: the clock is the platform\'s time (pass a scaled clock instead)');
  }
  if (options.timeScale !== undefined && !(options.timeScale > 0 && Number.isFinite(options.timeScale))) throw new ConfigError('timeScale', 'must be a positive number');
  const r = { ...DEFAULT_FAKE_RECEIPTS, ...options.receipts };
  if (!(Number.isFinite(r.deliveredAfterMs) && r.deliveredAfterMs >= 0)) throw new ConfigError('receipts.deliveredAfterMs', 'must be a number of ms, 0 or more');
  if (!Number.isFinite(r.readAfterMs)) throw new ConfigError('receipts.readAfterMs', 'must be a number of ms (negative: no read receipts)');
  if (!(r.lossRate >= 0 && r.lossRate <= 1)) throw new ConfigError('receipts.lossRate', 'must be a probability from 0 to 1');
  return r;
}

/**
 * The limiter fakes use to answer 429 as a platform would: a token bucket per key holding up to
 * `limit` tokens and refilling `limit` per `perMs`. Platforms describe their limits as "about N per
 * second" and tolerate short bursts; a bucket models that, where a strict sliding window would
 * refuse a sender pacing just under the limit whenever the network bunched two requests together.
 */
export class FakeRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** @param clock - the platform's time in ms (the fake's scaled clock); defaults to the wall clock */
  constructor(private readonly clock: () => number = Date.now) {}

  private level(key: string, limit: number, perMs: number, now: number): { tokens: number; at: number } {
    const b = this.buckets.get(key) ?? { tokens: limit, at: now };
    const refilled = Math.min(limit, b.tokens + (Math.max(0, now - b.at) * limit) / perMs);
    return { tokens: refilled, at: Math.max(now, b.at) };
  }

  /**
   * Takes a token for a hit and says whether it was within the limit.
   * @param key - what is limited (account, chat…)
   * @param limit - bucket size and refill per window
   * @param perMs - refill window
   * @param now - current time in ms
   * @returns true when allowed; false when the bucket is empty (nothing is taken then)
   */
  take(key: string, limit: number, perMs: number, now = this.clock()): boolean {
    const b = this.level(key, limit, perMs, now);
    if (b.tokens < 1 - 1e-9) { this.buckets.set(key, b); return false; }
    this.buckets.set(key, { tokens: b.tokens - 1, at: b.at });
    return true;
  }

  /**
   * Milliseconds until the next hit for `key` would be allowed.
   * @returns 0 when a hit is allowed now
   */
  retryAfter(key: string, limit: number, perMs: number, now = this.clock()): number {
    const b = this.level(key, limit, perMs, now);
    return b.tokens >= 1 - 1e-9 ? 0 : Math.ceil(((1 - b.tokens) * perMs) / limit - 1e-9);
  }

  /** Forgets every bucket. */
  clear(): void {
    this.buckets.clear();
  }
}

/** A second HTTP server a fake runs beside its API, e.g. the host a platform serves media URLs from. */
export interface FakeSideServer {
  /** Its base URL, e.g. `http://127.0.0.1:40124`. */
  readonly url: string;
  /** Closes it, open connections included. */
  stop(): Promise<void>;
}

/**
 * Starts a side server on 127.0.0.1 (a free port) for a fake whose platform answers some URLs from
 * another host (Meta's media and attachment URLs).
 * @param handler - answers its requests
 * @returns the running server
 */
export async function startFakeSideServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeSideServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The base every connector's fake platform server extends.
 *
 * Time: {@link platformNow} is `options.clock` when given (the sandbox passes the host's clock, so
 * `POST /sandbox/clock` moves the platform too), else the wall clock run `timeScale` times faster.
 * A clock and a `timeScale` other than 1 together are refused: scaling a clock someone else moves
 * would also scale their jumps.
 *
 * Sent log and receipts: a subclass calls {@link recordSent} for every business message the
 * platform accepts. When the subclass implements `statusUpdate`, receipts are on (the default) and
 * a webhook URL is known (`options.webhookUrl` or {@link setWebhookUrl}), the base schedules a
 * `delivered` receipt `deliveredAfterMs` later and a `read` receipt `readAfterMs` after that
 * (wall-clock timers), each lost with probability `lossRate` (drawn from `options.random` when
 * scheduled, delivered first). A receipt is built and signed when it is posted, with the
 * platform's time then. Posts go out one at a time in order; one that fails (non-2xx or no answer)
 * is tried {@link FAKE_RECEIPT_ATTEMPTS} times in all, then dropped and counted in
 * {@link receiptStats} (the base has no logger). {@link flushReceipts} posts every pending receipt
 * at once, so tests need no timers.
 */
export abstract class FakePlatformServer implements FakePlatform {
  /** The channel the fake imitates. */
  abstract readonly channel: ChannelId;
  private server: Server | undefined;
  private baseUrl = '';
  private readonly recorded: RecordedRequest[] = [];
  private scripts: Script[] = [];
  /** Options the fake was created with. */
  protected readonly options: FakePlatformOptions;
  /** A limiter subclasses use to throttle like the platform (in platform time, see {@link platformNow}). */
  protected readonly limiter = new FakeRateLimiter(() => this.platformNow());
  private readonly startedAt = Date.now();
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly sentLog: FakeSentMessage[] = [];
  private readonly receipts: Required<FakeReceiptOptions>;
  private readonly random: () => number;
  private hookUrl: string | undefined;
  private pending: PendingReceipt[] = [];
  private seq = 0;
  private posting: Promise<unknown> = Promise.resolve();
  private readonly stats = { scheduled: 0, posted: 0, lost: 0, failed: 0 };
  /** The inbound event kinds {@link simulate} supports: text only, unless a subclass lists more. */
  readonly simulatedKinds: readonly FakeInboundKind[] = ['text'];

  /**
   * @param options - port, latency, config overrides, clock, receipts, webhook URL
   * @throws ConfigError when the options contradict each other (see {@link fakeReceiptOptions})
   */
  constructor(options: FakePlatformOptions = {}) {
    this.options = options;
    this.receipts = fakeReceiptOptions(options);
    this.random = options.random ?? Math.random;
    this.hookUrl = options.webhookUrl;
  }

  /**
   * The platform's current time in ms: `options.clock` when given, else the wall clock run
   * `timeScale` times faster when set. Limits, windows, timestamps and signature ages the fake
   * uses should be measured in this time.
   */
  platformNow(): number {
    if (this.options.clock) return this.options.clock.now();
    const scale = this.options.timeScale ?? 1;
    const wall = Date.now();
    return scale === 1 ? wall : this.startedAt + (wall - this.startedAt) * scale;
  }

  /**
   * Where receipts and announcements go (undefined until known). Named apart from a platform's own
   * webhook setting (Viber's `set_webhook`), which a subclass may keep in step with {@link setWebhookUrl}.
   */
  get hostWebhookUrl(): string | undefined {
    return this.hookUrl;
  }

  /**
   * Sets where receipts and announcements go (the host's webhook URL for this account); receipts
   * are scheduled only for messages accepted once it is known.
   * @param url - an absolute http(s) URL
   */
  setWebhookUrl(url: string): void {
    this.hookUrl = url;
  }

  /** Messages the platform accepted from the business, oldest first. */
  sentMessages(): readonly FakeSentMessage[] {
    return [...this.sentLog];
  }

  /** What happened to the receipts scheduled so far. */
  receiptStats(): FakeReceiptStats {
    return { ...this.stats, pending: this.pending.length };
  }

  /**
   * Records a business message the platform accepted and schedules its receipts (see the class notes).
   * Subclasses call it where the platform answers success to a send.
   * @param message - what was accepted; `at` defaults to the platform's time now
   * @returns the recorded entry
   */
  protected recordSent(message: Omit<FakeSentMessage, 'at'> & { at?: string }): FakeSentMessage {
    const entry: FakeSentMessage = { ...message, at: message.at ?? new Date(this.platformNow()).toISOString() };
    this.sentLog.push(entry);
    if (this.receipts.enabled && this.receiptSource() && this.hookUrl !== undefined) {
      const now = Date.now();
      const deliveredAt = now + this.receipts.deliveredAfterMs;
      this.schedule(entry.userId, entry.id, 'delivered', deliveredAt);
      if (this.receipts.readAfterMs >= 0) this.schedule(entry.userId, entry.id, 'read', deliveredAt + this.receipts.readAfterMs);
    }
    return entry;
  }

  /**
   * A signed webhook for an inbound event. The base simulates `text` (through {@link userMessage});
   * subclasses that simulate more override it and {@link simulatedKinds}.
   * @param event - the event
   * @returns the webhook to deliver
   * @throws RangeError when the kind is not in {@link simulatedKinds}
   */
  simulate(event: FakeInboundEvent): SignedWebhook {
    if (event.kind === 'text' && this.simulatedKinds.includes('text')) {
      return this.userMessage({ userId: event.userId, text: event.text, ...(event.name !== undefined ? { name: event.name } : {}) });
    }
    throw new RangeError(`${this.channel} fake cannot simulate '${event.kind}' events (supported: ${this.simulatedKinds.join(', ')})`);
  }

  /**
   * Posts every pending receipt now, in the order they were due, whatever their delay, and waits
   * until every post already under way has settled.
   * @returns how many of the pending receipts the webhook accepted (lost and failed ones are not counted)
   */
  async flushReceipts(): Promise<number> {
    const due = this.pending.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    this.pending = [];
    for (const r of due) if (r.timer) clearTimeout(r.timer);
    const results = await Promise.all(due.map((r) => this.enqueue(r)));
    // receipts whose timers fired just before are still in the queue: settle them too
    await this.posting;
    return results.filter(Boolean).length;
  }

  /**
   * Posts a webhook to the known webhook URL in turn with receipts, trying {@link FAKE_RECEIPT_ATTEMPTS}
   * times; subclasses use it for announcements (a template review, a status the platform pushes).
   * @param build - the webhook, or a function building it at posting time (so its timestamp and signature are fresh)
   * @returns true when the webhook answered 2xx; false when it failed every attempt or no URL is known
   */
  protected postToWebhook(build: SignedWebhook | (() => SignedWebhook)): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const url = this.hookUrl;
      if (url === undefined) return false;
      for (let attempt = 1; attempt <= FAKE_RECEIPT_ATTEMPTS; attempt += 1) {
        try {
          const hook = typeof build === 'function' ? build() : build;
          const answer = await this.deliver(url, hook);
          if (answer.status >= 200 && answer.status < 300) return true;
        } catch { /* no answer: try again */ }
      }
      return false;
    };
    const next = this.posting.then(run, run);
    this.posting = next.catch(() => undefined);
    return next;
  }

  private schedule(userId: string, externalId: string, status: 'delivered' | 'read', dueAt: number): void {
    this.stats.scheduled += 1;
    if (this.receipts.lossRate > 0 && this.random() < this.receipts.lossRate) { this.stats.lost += 1; return; }
    const receipt: PendingReceipt = { seq: this.seq += 1, dueAt, userId, externalId, status, timer: undefined };
    receipt.timer = setTimeout(() => {
      this.pending = this.pending.filter((r) => r !== receipt);
      void this.enqueue(receipt);
    }, Math.max(0, dueAt - Date.now()));
    receipt.timer.unref?.();
    this.pending.push(receipt);
  }

  private async enqueue(receipt: PendingReceipt): Promise<boolean> {
    const source = this.receiptSource();
    const ok = source !== undefined && await this.postToWebhook(() => source({
      userId: receipt.userId, externalId: receipt.externalId, status: receipt.status, timestamp: new Date(this.platformNow()),
    }));
    if (ok) this.stats.posted += 1; else this.stats.failed += 1;
    return ok;
  }

  /** The subclass's `statusUpdate` (platforms that send receipts implement it), bound; undefined when it has none. */
  private receiptSource(): FakePlatform['statusUpdate'] {
    return (this as FakePlatform).statusUpdate?.bind(this);
  }

  private cancelReceipts(): void {
    for (const r of this.pending) if (r.timer) clearTimeout(r.timer);
    this.pending = [];
  }

  /** Base URL, e.g. `http://127.0.0.1:40123` (empty until started). */
  get url(): string {
    return this.baseUrl;
  }

  /** Every request received, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** The connector config that talks to this fake. */
  abstract connectorConfig(): Record<string, unknown>;
  /** A signed webhook carrying a customer's text message. */
  abstract userMessage(input: { userId: string; text: string; name?: string; messageId?: string; timestamp?: Date }): SignedWebhook;
  /** The platform's behaviour for one request (after scripts and latency). */
  protected abstract handle(req: RecordedRequest): FakeResponse | Promise<FakeResponse>;

  /** Starts listening on 127.0.0.1. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => { void this.onRequest(req, res); });
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Stops listening, cancels pending receipts and closes open connections. */
  async stop(): Promise<void> {
    this.cancelReceipts();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets recorded requests, scripts, rate-limit state, the sent log and pending receipts. */
  reset(): void {
    this.cancelReceipts();
    this.sentLog.length = 0;
    this.recorded.length = 0;
    this.scripts = [];
    this.limiter.clear();
  }

  /**
   * Queues answers for the next requests whose path matches (every request when `path` is omitted).
   * @param responses - answers, used once each, in order
   * @param path - a path or pattern to match
   */
  script(responses: ScriptedResponse[], path?: string | RegExp): void {
    this.scripts.push({ match: path, responses: [...responses] });
  }

  /**
   * Requests received on a path (exact string or pattern).
   * @param path - what to match
   * @returns matching recorded requests
   */
  requestsTo(path: string | RegExp): RecordedRequest[] {
    return this.recorded.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /**
   * Posts a signed webhook to a URL (the host's webhook endpoint).
   * @param url - where to post
   * @param webhook - from {@link userMessage} or a status helper
   * @returns the answer's status and body
   */
  async deliver(url: string, webhook: SignedWebhook): Promise<{ status: number; body: string }> {
    const res = await fetch(url, { method: webhook.method, headers: webhook.headers, body: webhook.body });
    return { status: res.status, body: await res.text() };
  }

  private takeScript(path: string): ScriptedResponse | undefined {
    for (const s of this.scripts) {
      const hit = s.match === undefined || (typeof s.match === 'string' ? s.match === path : s.match.test(path));
      if (hit && s.responses.length > 0) {
        const r = s.responses.shift();
        if (s.responses.length === 0) this.scripts = this.scripts.filter((x) => x !== s);
        return r;
      }
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let body: unknown = rawBody.toString('utf8');
    if (rawBody.length > 0 && (headers['content-type'] ?? '').includes('json')) {
      try { body = JSON.parse(rawBody.toString('utf8')); } catch { /* keep the text: the handler decides */ }
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, rawBody, at: new Date(this.platformNow()),
    };
    this.recorded.push(recorded);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    const scripted = this.takeScript(url.pathname);
    if (scripted) {
      if (scripted.delayMs) await sleep(scripted.delayMs);
      if (scripted.reset) { req.socket.destroy(); return; }
      this.write(res, { status: scripted.status, body: scripted.body, ...(scripted.headers ? { headers: scripted.headers } : {}) });
      return;
    }
    let answer: FakeResponse;
    try {
      answer = await this.handle(recorded);
    } catch (error) {
      answer = { status: 500, body: { error: { message: (error as Error).message } } };
    }
    this.write(res, answer);
  }

  private write(res: ServerResponse, answer: FakeResponse): void {
    if (Buffer.isBuffer(answer.body)) {
      // bytes (a file download) go out as they are
      res.writeHead(answer.status, { 'content-type': 'application/octet-stream', ...answer.headers });
      res.end(answer.body);
      return;
    }
    const isText = typeof answer.body === 'string';
    const payload = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
      ...answer.headers,
    });
    res.end(payload);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

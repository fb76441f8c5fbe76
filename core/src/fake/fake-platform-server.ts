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
import type { ChannelId } from '../model/address.js';
import type { FakePlatform, FakePlatformOptions, RecordedRequest, ScriptedResponse, SignedWebhook } from '../spi.js';

/** What a fake platform's handler answers. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Script {
  match: string | RegExp | undefined;
  responses: ScriptedResponse[];
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

/** The base every connector's fake platform server extends. */
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

  /** @param options - port, latency, config overrides */
  constructor(options: FakePlatformOptions = {}) {
    this.options = options;
  }

  /**
   * The platform's current time in ms: the wall clock, run `timeScale` times faster when set.
   * Limits the fake enforces should be measured in this time.
   */
  platformNow(): number {
    const scale = this.options.timeScale ?? 1;
    const wall = Date.now();
    return scale === 1 ? wall : this.startedAt + (wall - this.startedAt) * scale;
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

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets recorded requests, scripts and rate-limit state. */
  reset(): void {
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
      method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, rawBody, at: new Date(),
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

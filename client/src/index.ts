/**
 * A typed client of the Switchboard host's REST API. The request and response types are generated
 * from the host's OpenAPI document (see `openapi-types.ts`); requests go through openapi-fetch, so
 * every path, parameter, body and answer is checked by the compiler. The Server-Sent Events feed
 * (`GET /v1/events`) is an async iterator that reconnects and resumes after the last event it
 * yielded (`Last-Event-ID`), so a dropped connection loses nothing the host still holds.
 * @module
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './openapi-types.js';

export type { components, operations, paths };

/** Options of {@link createSwitchboardClient}. */
export interface SwitchboardClientOptions {
  /** The host's URL, e.g. `http://localhost:3000` (no trailing `/v1`). */
  baseUrl: string;
  /** A tenant API key (`Authorization: Bearer …` on every request). */
  apiKey: string;
  /** The fetch to use (default `globalThis.fetch`); a test or a proxy may wrap it. */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request besides the API key (e.g. `x-switchboard-actor`). */
  headers?: Record<string, string>;
}

/** One event of the host's feed. */
export interface SwitchboardEvent {
  /** The feed's sequence number; resume after it with `lastEventId`. Absent on events without an id. */
  id: number | undefined;
  /** The event's name, e.g. `message.received`, `message.status`, `consent.changed`, `missed`, `dropped`. */
  event: string;
  /** The payload: the parsed JSON, or the raw text when it is not JSON. */
  data: unknown;
}

/** Options of {@link SwitchboardClient.events}. */
export interface EventStreamOptions {
  /** Which streams (default: all the key may read), e.g. `['inbound', 'status']`. */
  streams?: readonly string[];
  /** Resume after this event id (what an earlier iterator's `lastEventId` said). */
  lastEventId?: number;
  /** Ends the iteration (the open request is aborted). */
  signal?: AbortSignal;
  /** Wait before reconnecting after the stream ended or failed, in ms (default 1000; the host's `retry:` field wins). */
  reconnectDelayMs?: number;
  /** Reconnections in a row without an event before the iterator gives up (default: never gives up). */
  maxReconnects?: number;
}

/** The feed as an async iterator; `lastEventId` is the id of the last event it yielded. */
export interface EventStream extends AsyncIterable<SwitchboardEvent> {
  readonly lastEventId: number | undefined;
}

/** A refusal of the host (a 4xx or 5xx answer), with its `{ error: { code, message, details } }` body. */
export class SwitchboardApiError extends Error {
  /**
   * @param status - the HTTP status
   * @param code - the error code of the body (`HTTP_<status>` when the body had none)
   * @param details - the body's details, if any
   */
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'SwitchboardApiError';
  }
}

/** The typed REST client (openapi-fetch's `GET`, `POST`, `PATCH`, `PUT`, `DELETE` …) plus the event feed. */
export type SwitchboardClient = Client<paths> & {
  /**
   * The tenant's event feed, reconnecting and resuming after the last event yielded.
   * @param options - streams, where to resume, cancellation, reconnection
   * @returns an async iterator of events; it throws {@link SwitchboardApiError} when the host refuses the stream (401, 403, 400), and ends when `signal` aborts
   */
  events(options?: EventStreamOptions): EventStream;
};

/**
 * Makes a client of a host.
 * @param options - the host's URL and a tenant API key
 * @returns the client
 * @example
 * ```ts
 * const sb = createSwitchboardClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.SWITCHBOARD_API_KEY! });
 * const { data, error } = await sb.GET('/v1/conversations', { params: { query: { limit: '10' } } });
 * for await (const e of sb.events({ streams: ['inbound'] })) console.log(e.event, e.data);
 * ```
 */
export function createSwitchboardClient(options: SwitchboardClientOptions): SwitchboardClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = { ...options.headers, authorization: `Bearer ${options.apiKey}` };
  const doFetch = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const http = createFetchClient<paths>({ baseUrl, headers, fetch: doFetch });
  return Object.assign(http, {
    events: (o: EventStreamOptions = {}): EventStream => eventStream(baseUrl, headers, doFetch, o),
  });
}

/** Reads a refusal's body into an error. */
async function apiError(response: Response): Promise<SwitchboardApiError> {
  const text = await response.text().catch(() => '');
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  try { body = JSON.parse(text) as typeof body; } catch { /* not JSON: the status speaks */ }
  const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${response.status}`;
  const message = typeof body?.error?.message === 'string' ? body.error.message : (text.slice(0, 200) || response.statusText);
  return new SwitchboardApiError(response.status, code, message, body?.error?.details);
}

/** Waits, or stops waiting when the signal aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A parsed frame as the iterator yields it. */
function toEvent(m: EventSourceMessage): SwitchboardEvent {
  let data: unknown = m.data;
  try { data = JSON.parse(m.data); } catch { /* kept as text */ }
  const id = m.id !== undefined && /^\d+$/.test(m.id) ? Number(m.id) : undefined;
  return { id, event: m.event ?? 'message', data };
}

function eventStream(baseUrl: string, headers: Record<string, string>, doFetch: (input: Request) => Promise<Response>, o: EventStreamOptions): EventStream {
  let lastEventId = o.lastEventId;
  const url = `${baseUrl}/v1/events${o.streams?.length ? `?streams=${encodeURIComponent(o.streams.join(','))}` : ''}`;
  async function* run(): AsyncGenerator<SwitchboardEvent> {
    let delay = o.reconnectDelayMs ?? 1_000;
    let quiet = 0;
    while (!o.signal?.aborted) {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      o.signal?.addEventListener('abort', stop, { once: true });
      try {
        let response: Response;
        try {
          response = await doFetch(new Request(url, {
            headers: { ...headers, accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) },
            signal: controller.signal,
          }));
        } catch (error) {
          if (o.signal?.aborted) return;
          if (o.maxReconnects !== undefined && ++quiet > o.maxReconnects) throw error;
          await pause(delay, o.signal);
          continue;
        }
        // a refusal is final, except the host's "busy" answers, which say to come back later
        if (!response.ok) {
          const error = await apiError(response);
          if (response.status !== 429 && response.status !== 503) throw error;
          if (o.maxReconnects !== undefined && ++quiet > o.maxReconnects) throw error;
          await pause(delay, o.signal);
          continue;
        }
        const queue: EventSourceMessage[] = [];
        const parser = createParser({
          onEvent: (m) => { queue.push(m); },
          onRetry: (ms) => { delay = ms; },
        });
        const decoder = new TextDecoder();
        const reader = response.body?.getReader();
        try {
          while (reader) {
            let chunk: Awaited<ReturnType<typeof reader.read>>;
            try { chunk = await reader.read(); } catch { break; }
            if (chunk.done) break;
            parser.feed(decoder.decode(chunk.value, { stream: true }));
            while (queue.length) {
              const event = toEvent(queue.shift()!);
              if (event.id !== undefined) lastEventId = event.id;
              quiet = 0;
              yield event;
            }
          }
        } finally {
          await reader?.cancel().catch(() => undefined);
        }
      } finally {
        o.signal?.removeEventListener('abort', stop);
      }
      if (o.signal?.aborted) return;
      if (o.maxReconnects !== undefined && ++quiet > o.maxReconnects) return;
      await pause(delay, o.signal);
    }
  }
  return {
    [Symbol.asyncIterator]: () => run(),
    get lastEventId() { return lastEventId; },
  };
}

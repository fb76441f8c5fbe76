/**
 * A Server-Sent Events client for tests, on a raw HTTP request: it parses frames as a browser's
 * `EventSource` does (id, event, data; comments ignored), can stop reading on purpose (its socket
 * paused, so the server's writes back up), and waits for conditions without clocks.
 */
import { request, type IncomingMessage } from 'node:http';

/** One parsed event. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** An open test client. */
export interface SseTestClient {
  /** The HTTP status. */
  status: number;
  headers: IncomingMessage['headers'];
  /** Events received so far (with data). */
  events: SseEvent[];
  /** The last `id:` seen, as an EventSource keeps it. */
  lastEventId: string | undefined;
  /** The body, when the answer is not a stream (an error). */
  body(): Promise<string>;
  /** Resolves once the predicate holds over the events, or rejects when the stream ends first. */
  until(predicate: (events: SseEvent[]) => boolean): Promise<SseEvent[]>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** Stops reading (the socket is paused: the server's writes wait in its buffers). */
  stopReading(): void;
  /** Reads again. */
  resumeReading(): void;
  close(): void;
}

/**
 * Opens an event stream.
 * @param url - the stream's URL
 * @param headers - request headers (authorization, last-event-id, cookie)
 * @param options - `paused`: never read from the start (not even the headers are parsed until resumed)
 * @returns the client once the response headers arrived (or, paused, once the request is sent)
 */
export function openSse(url: string, headers: Record<string, string> = {}, options: { paused?: boolean } = {}): Promise<SseTestClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
    const events: SseEvent[] = [];
    const waiters = new Set<() => void>();
    let buffer = '';
    let done = false;
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => { endedResolve = r; });
    let current: { id?: string; event?: string; data: string[] } = { data: [] };
    const client: SseTestClient = {
      status: 0, headers: {}, events, lastEventId: undefined,
      body: async () => buffer,
      until: (predicate) => new Promise((res, rej) => {
        const check = (): void => {
          if (predicate(events)) { waiters.delete(check); res(events); } else if (done) { waiters.delete(check); rej(new Error(`the stream ended first; events: ${events.map((e) => `${e.id ?? ''}:${e.event}`).join(' ')}`)); }
        };
        waiters.add(check);
        check();
      }),
      ended,
      stopReading: () => { req.socket?.pause(); },
      resumeReading: () => { req.socket?.resume(); },
      close: () => { req.destroy(); },
    };
    const notify = (): void => { for (const w of [...waiters]) w(); };
    const line = (l: string): void => {
      if (l === '') {
        if (current.id !== undefined) client.lastEventId = current.id;
        if (current.data.length > 0) events.push({ ...(current.id !== undefined ? { id: current.id } : {}), event: current.event ?? 'message', data: current.data.join('\n') });
        current = { data: [] };
        return;
      }
      if (l.startsWith(':')) return;
      const i = l.indexOf(':');
      const field = i < 0 ? l : l.slice(0, i);
      const value = i < 0 ? '' : l.slice(i + 1).replace(/^ /, '');
      if (field === 'id') current.id = value;
      else if (field === 'event') current.event = value;
      else if (field === 'data') current.data.push(value);
    };
    req.on('response', (res) => {
      client.status = res.statusCode ?? 0;
      client.headers = res.headers;
      res.setEncoding('utf8');
      const stream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
      res.on('data', (chunk: string) => {
        if (!stream) { buffer += chunk; return; }
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) { line(buffer.slice(0, nl).replace(/\r$/, '')); buffer = buffer.slice(nl + 1); }
        notify();
      });
      const finish = (): void => { done = true; endedResolve(); notify(); };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      if (!options.paused) resolve(client);
    });
    req.on('error', (error) => { done = true; endedResolve(); notify(); if (client.status === 0 && !options.paused) reject(error); });
    req.on('socket', (socket) => {
      if (options.paused) socket.once('connect', () => { socket.pause(); resolve(client); });
    });
    req.end();
  });
}

/**
 * One Server-Sent Events connection with a bounded buffer: the writer every event stream of the
 * host (`/v1/events`, the console's) goes through.
 *
 * A client that does not read makes Node keep what the host writes to it in memory, without end.
 * Here a frame is written only while the bytes still waiting for the client stay under
 * `maxBufferBytes` (a frame larger than the bound is still written to a client with nothing
 * waiting); otherwise the client is dropped: it gets a final `event: dropped` naming the last id
 * written to it, so it reconnects with `Last-Event-ID` and is sent the rest from the event log,
 * and its socket is destroyed if it has not taken even that after `dropGraceMs`.
 * @module
 */
import type { ServerResponse } from 'node:http';

/** Options of {@link SseConnection}. */
export interface SseConnectionOptions {
  /** Bytes that may wait for the client before it is dropped. */
  maxBufferBytes: number;
  /** How long a dropped client has to take its final event before its socket is destroyed. */
  dropGraceMs: number;
  /** Told once, when the connection is dropped for not reading. */
  onDropped?: (info: { bufferedBytes: number; lastEventId: string | undefined }) => void;
}

/** Where a connection stands. */
export type SseConnectionState = 'open' | 'dropped' | 'closed';

/** The headers of an event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * One SSE frame: `id`, `event` and one `data` line (JSON text holds no raw line breaks).
 * @param id - the event id (omitted when undefined)
 * @param name - the event name
 * @param json - the data, as JSON text
 * @returns the frame, ending in a blank line
 */
export function sseFrame(id: string | number | undefined, name: string, json: string): string {
  // a line break in the data would end the field: JSON text never has one, but say so in code
  const data = json.includes('\n') || json.includes('\r') ? json.replace(/\r\n|\r|\n/g, '\ndata: ') : json;
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${name}\ndata: ${data}\n\n`;
}

/** A bounded writer over one SSE response. */
export class SseConnection {
  private current: SseConnectionState = 'open';
  private graceTimer: NodeJS.Timeout | undefined;
  /** The id of the last event written, which the client's `Last-Event-ID` will name. */
  lastEventId: string | undefined;
  /** Resolves when the connection has closed (for whatever reason). */
  readonly closed: Promise<void>;

  /**
   * @param res - the response (headers not yet sent)
   * @param options - buffer bound, grace period, drop observer
   */
  constructor(private readonly res: ServerResponse, private readonly options: SseConnectionOptions) {
    // a write racing a reset socket reports an error on the response: it is the client's, not the process's
    res.on('error', () => this.markClosed());
    this.closed = new Promise<void>((resolve) => {
      const done = (): void => { this.markClosed(); resolve(); };
      if (res.destroyed) done();
      res.once('close', done);
    });
  }

  /** Where the connection stands. */
  get state(): SseConnectionState {
    return this.current;
  }

  /** Bytes written and not yet taken by the client's socket. */
  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  private markClosed(): void {
    this.current = 'closed';
    if (this.graceTimer) { clearTimeout(this.graceTimer); this.graceTimer = undefined; }
  }

  private writable(): boolean {
    return this.current === 'open' && !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * Sends the headers and a first chunk (a comment, `retry:`, the base `id:`).
   * @param preamble - written right after the headers
   */
  open(preamble: string): void {
    if (!this.writable()) return;
    this.res.writeHead(200, SSE_HEADERS);
    this.res.write(preamble);
  }

  /**
   * Writes a frame if the client keeps up; drops the client otherwise.
   * @param frame - a complete frame ({@link sseFrame}), as text or bytes
   * @param id - the frame's event id, remembered as the last one written
   * @returns whether the connection is still open
   */
  send(frame: string | Buffer, id?: string): boolean {
    if (!this.writable()) return false;
    const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    const waiting = this.res.writableLength;
    if (waiting > 0 && waiting + size > this.options.maxBufferBytes) {
      this.drop();
      return false;
    }
    this.res.write(frame);
    if (id !== undefined) this.lastEventId = id;
    return true;
  }

  /**
   * Writes a frame once there is room for it, waiting for the client to take what waits (a replay,
   * which can wait: the log keeps the events). A client that never makes room is dropped by the
   * live events held for it meanwhile, which closes the connection and ends the wait.
   * @param frame - a complete frame
   * @param id - the frame's event id
   * @returns whether the connection is still open
   */
  async sendWhenRoom(frame: string | Buffer, id?: string): Promise<boolean> {
    const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    while (this.writable() && this.res.writableNeedDrain && this.res.writableLength + size > this.options.maxBufferBytes) {
      if (!(await this.drained())) return false;
    }
    return this.send(frame, id);
  }

  /**
   * A comment line (heartbeats): written only when nothing else is waiting for the client, so a
   * client that does not read is not fed even pings.
   * @param text - the comment
   */
  comment(text: string): void {
    if (this.writable() && this.res.writableLength === 0) this.res.write(`: ${text}\n\n`);
  }

  /**
   * Resolves once the socket has taken what made the response ask for a pause ('drain'), or the
   * connection closed. Below Node's high-water mark nothing waits: the socket is taking it.
   * @returns whether the connection is still open
   */
  async drained(): Promise<boolean> {
    if (!this.writable()) return false;
    if (!this.res.writableNeedDrain) return true;
    await Promise.race([new Promise<void>((resolve) => this.res.once('drain', resolve)), this.closed]);
    return this.writable();
  }

  /**
   * Drops the client: a final `event: dropped` (with the last id written, also as its `id:` so an
   * `EventSource` resumes from it), the end of the response, and a destroyed socket after the grace period.
   */
  drop(): void {
    if (!this.writable()) return;
    const bufferedBytes = this.res.writableLength;
    this.current = 'dropped';
    const data = JSON.stringify({
      reason: 'slow-consumer',
      message: 'the client did not read its events fast enough: reconnect with Last-Event-ID to be sent what it missed',
      ...(this.lastEventId !== undefined ? { lastEventId: this.lastEventId } : {}),
    });
    this.res.end(sseFrame(this.lastEventId, 'dropped', data));
    this.graceTimer = setTimeout(() => this.res.destroy(), this.options.dropGraceMs);
    this.graceTimer.unref();
    this.options.onDropped?.({ bufferedBytes, lastEventId: this.lastEventId });
  }

  /**
   * Ends the stream normally.
   * @param finalFrame - written last (e.g. `event: logout`)
   */
  end(finalFrame?: string): void {
    if (!this.writable()) return;
    this.current = 'closed';
    this.res.end(finalFrame);
  }
}

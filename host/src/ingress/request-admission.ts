/**
 * Limits on work the host takes on before anyone is authenticated. Every request passes here
 * first, webhooks and API alike:
 * - a byte budget shared by every request body being received or handled: a body is admitted
 *   only when it fits — by its `Content-Length`, before a byte is read, or chunk by chunk when it is
 *   sent chunked — and its bytes are given back when its answer is finished or its connection gone;
 * - a cap on requests whose body is still arriving (a webhook cannot be verified, a login not
 *   checked, before its body is complete: these are the requests nobody has authenticated yet).
 *
 * Over either: `503` with `Retry-After` and `Connection: close`, and nothing of the body is read.
 * A thousand clients that each declare 3 MB and send all but the last kilobyte then hold at most
 * the budget, not 3 GB.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerLimits } from '../config/host-config.js';

/** Which limit turned a request away. */
export type AdmissionRefusal = 'body-budget' | 'pending-requests' | 'stopping';

/** Counters since start (for `/readyz`, metrics and the reliability suite). */
export interface AdmissionStats {
  /** Requests admitted. */
  admitted: number;
  /** Requests refused because their body did not fit the byte budget (at admission or mid-stream). */
  refusedBodyBudget: number;
  /** Requests refused because too many bodies were arriving at once. */
  refusedPendingRequests: number;
  /** Requests refused because the host is stopping. */
  refusedStopping: number;
  /** The most body bytes held at once. */
  peakBufferedBytes: number;
  /** The most requests with a body still arriving at once. */
  peakPendingRequests: number;
}

/** How the route a request goes to reads its body. */
export interface BodyRoute {
  /** The largest body the route reads; a longer declared body is the route's to refuse (413), so nothing is reserved for it. */
  limit: number;
  /**
   * Whether the route reserves a chunked body's bytes as they arrive ({@link AdmissionTicket.grow});
   * otherwise a chunked body is reserved at the route's whole limit up front.
   */
  growable: boolean;
}

/**
 * What one admitted request holds: bytes of the budget and, while its body is arriving, a pending
 * slot. Everything is given back when the response is finished or the connection is gone.
 */
export class AdmissionTicket {
  private bytes = 0;
  private pending: boolean;
  private released = false;

  /** @internal made by {@link RequestAdmission.admit} */
  constructor(private readonly admission: RequestAdmission, pending: boolean) {
    this.pending = pending;
  }

  /** Bytes of the budget this request holds. */
  get reservedBytes(): number {
    return this.bytes;
  }

  /**
   * Takes more of the budget for a body sent chunked, as its chunks arrive.
   * @param bytes - the chunk's length
   * @returns false when the budget cannot hold it (the caller stops reading and answers 503)
   */
  grow(bytes: number): boolean {
    if (this.released) return false;
    if (!this.admission.take(bytes)) return false;
    this.bytes += bytes;
    return true;
  }

  /**
   * Answers the request 503 with `Retry-After` (closing the connection) when its chunked body
   * outgrew the budget and the route stopped reading it.
   * @param res - the request's response
   */
  refuse(res: ServerResponse): void {
    this.admission.refuseMidStream(res);
  }

  /** @internal the initial reservation */
  hold(bytes: number): void {
    this.bytes += bytes;
  }

  /** The body has arrived (or will not): the request no longer counts as pending. */
  received(): void {
    if (!this.pending) return;
    this.pending = false;
    this.admission.leavePending();
  }

  /** Gives everything back; idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.received();
    this.admission.give(this.bytes);
    this.bytes = 0;
  }
}

/** A tracked in-flight request. */
interface InFlight {
  res: ServerResponse;
}

/**
 * Admits or refuses requests before they reach a route (see the module comment). One per host.
 */
export class RequestAdmission {
  /** Counters since start. */
  readonly stats: AdmissionStats = { admitted: 0, refusedBodyBudget: 0, refusedPendingRequests: 0, refusedStopping: 0, peakBufferedBytes: 0, peakPendingRequests: 0 };
  private buffered = 0;
  private pendingCount = 0;
  private stopping = false;
  private readonly inFlight = new Set<InFlight>();
  private readonly idleWaiters: (() => void)[] = [];

  /** @param limits - the config's `server` section (budget, pending cap, Retry-After) */
  constructor(private readonly limits: Pick<ServerLimits, 'maxBufferedBodyBytes' | 'maxPendingRequests' | 'retryAfterSeconds'>) {}

  /** Body bytes held now. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Requests whose body is arriving now. */
  get pendingRequests(): number {
    return this.pendingCount;
  }

  /**
   * Admits a request, or answers it `503` (with `Retry-After`, closing the connection, reading
   * nothing) when a limit is reached or the host is stopping.
   * @param req - the request
   * @param res - its response
   * @param route - how the route reads bodies
   * @returns the ticket, released by itself when the response closes; undefined when refused (already answered)
   */
  admit(req: IncomingMessage, res: ServerResponse, route: BodyRoute): AdmissionTicket | undefined {
    if (this.stopping) return this.refuse(res, 'stopping');
    const declared = declaredLength(req);
    const hasBody = declared === 'chunked' || declared > 0;
    if (hasBody && this.pendingCount >= this.limits.maxPendingRequests) return this.refuse(res, 'pending-requests');
    // a declared length beyond the route's limit is refused by the route before reading (413): nothing to reserve
    const reserve = declared === 'chunked' ? (route.growable ? 0 : route.limit) : declared > route.limit ? 0 : declared;
    if (!this.take(reserve)) return this.refuse(res, 'body-budget');
    const ticket = new AdmissionTicket(this, hasBody);
    ticket.hold(reserve);
    if (hasBody) {
      this.pendingCount++;
      this.stats.peakPendingRequests = Math.max(this.stats.peakPendingRequests, this.pendingCount);
      // listening for 'end' does not start the stream flowing: the route still reads it
      req.once('end', () => ticket.received());
    }
    this.stats.admitted++;
    const tracked: InFlight = { res };
    this.inFlight.add(tracked);
    res.once('close', () => {
      ticket.release();
      this.inFlight.delete(tracked);
      this.checkIdle();
    });
    return ticket;
  }

  /**
   * Answers a request whose chunked body outgrew the budget while it was read (the route stopped
   * reading): `503` with `Retry-After`, closing the connection.
   * @param res - the response
   */
  refuseMidStream(res: ServerResponse): void {
    this.refuse(res, 'body-budget');
  }

  /** From now on every request is answered 503 (the host is stopping). */
  close(): void {
    this.stopping = true;
    this.checkIdle();
  }

  /**
   * Resolves once no admitted request is being answered, event streams aside (they end when the
   * host's streams complete).
   * @returns a promise for that moment
   */
  settled(): Promise<void> {
    if (this.busy() === 0) return Promise.resolve();
    return new Promise((resolve) => { this.idleWaiters.push(resolve); });
  }

  /** @internal takes bytes of the budget */
  take(bytes: number): boolean {
    if (bytes <= 0) return true;
    if (this.buffered + bytes > this.limits.maxBufferedBodyBytes) return false;
    this.buffered += bytes;
    this.stats.peakBufferedBytes = Math.max(this.stats.peakBufferedBytes, this.buffered);
    return true;
  }

  /** @internal gives bytes back */
  give(bytes: number): void {
    this.buffered = Math.max(0, this.buffered - bytes);
  }

  /** @internal a request's body is complete */
  leavePending(): void {
    this.pendingCount = Math.max(0, this.pendingCount - 1);
  }

  private busy(): number {
    let n = 0;
    for (const { res } of this.inFlight) if (!isEventStream(res)) n++;
    return n;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.busy() > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private refuse(res: ServerResponse, why: AdmissionRefusal): undefined {
    if (why === 'body-budget') this.stats.refusedBodyBudget++;
    else if (why === 'pending-requests') this.stats.refusedPendingRequests++;
    else this.stats.refusedStopping++;
    if (res.headersSent) { res.destroy(); return undefined; }
    const retryAfter = String(this.limits.retryAfterSeconds);
    const message = why === 'stopping' ? 'the host is stopping; retry later'
      : why === 'body-budget' ? 'the host is holding as many request bodies as it may; retry later'
        : 'too many requests are being received at once; retry later';
    const code = why === 'stopping' ? 'STOPPING' : 'SERVER_BUSY';
    const payload = JSON.stringify({ error: { code, message, details: { limit: why, retryAfterSeconds: this.limits.retryAfterSeconds } } });
    // Connection: close — the body is never read, so the connection cannot carry another request
    res.shouldKeepAlive = false;
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), 'retry-after': retryAfter, connection: 'close' });
    res.end(payload);
    return undefined;
  }
}

/**
 * A request's declared body length: `chunked` when it has a body of unknown length, 0 when none.
 * @param req - the request
 * @returns bytes, or `chunked`
 */
export function declaredLength(req: IncomingMessage): number | 'chunked' {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  }
  return req.headers['transfer-encoding'] !== undefined ? 'chunked' : 0;
}

function isEventStream(res: ServerResponse): boolean {
  const type = res.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('text/event-stream');
}

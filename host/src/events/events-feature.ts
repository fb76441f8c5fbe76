/**
 * The events feature: `GET /v1/events` (Server-Sent Events of the tenant's inbound, status,
 * consent and conversation streams) on the host's {@link EventFeed}, which the console's stream and
 * the metrics read too. The event log takes part in a contact's export and erasure
 * ({@link eventLogDataHandler}): it holds what the events held.
 *
 * A client reconnecting with `Last-Event-ID` is sent what it missed; a client that does not read
 * is dropped with `event: dropped`; a tenant holding `maxClientsPerTenant` streams is answered
 * 429 `TOO_MANY_STREAMS` with `Retry-After`.
 * @module
 */
import type express from 'express';
import type { HostFeature, HostFeatureFactory } from '../features.js';
import type { ContactDataHandler } from '../compliance/contact-data.js';
import type { EventLogStore } from './event-log-store.js';
import { tenantOf } from '../compliance/http-params.js';
import { parseHeaders, parseQuery } from '../api/validation.js';
import { EVENT_STREAMS, EventsHeadersSchema, EventsQuerySchema } from '../api/schemas.js';
import { containStreamErrors } from '../streams.js';
import { EventFeed, HostEventFeed, TooManyStreamsError, type EventFeedOptions, type StreamSurface } from './event-feed.js';

/** Options of {@link createEventsFeature}: the feed's limits (see `EventFeedLimits`). */
export type EventsFeatureOptions = EventFeedOptions;

/** The events feature, with its feed. */
export interface EventsFeature extends HostFeature {
  readonly feed: HostEventFeed;
}

/**
 * Reads `Last-Event-ID` from a request, refusing a malformed one.
 * @param req - the request
 * @returns the id, or undefined when the client sent none
 * @throws RequestValidationError when it is not an id the feed gives
 */
export function lastEventIdOf(req: express.Request): number | undefined {
  return parseHeaders(EventsHeadersSchema, req)['Last-Event-ID'];
}

/**
 * Opens a stream, answering 429 with `Retry-After` (before any byte of the stream) when the tenant holds too many.
 * @param feed - the event feed
 * @param res - the response
 * @param request - what {@link EventFeed.open} takes
 * @returns the client
 */
export async function openStream(feed: EventFeed, res: express.Response, request: Parameters<EventFeed['open']>[1]): Promise<Awaited<ReturnType<EventFeed['open']>>> {
  try {
    return await feed.open(res, request);
  } catch (error) {
    if (error instanceof TooManyStreamsError && !res.headersSent) res.setHeader('retry-after', '5');
    throw error;
  }
}

/**
 * The event log's part in a contact's export and erasure: what the events held.
 * @param events - the event log
 * @returns the handler (named `event-log`)
 */
export function eventLogDataHandler(events: EventLogStore): ContactDataHandler {
  return {
    name: 'event-log',
    export: async (s) => (await events.listBySubject(s.tenantId, s)).map((e) => ({ id: e.seq, event: e.name, at: e.at, data: safeParse(e.data) })),
    erase: async (s) => ({ deleted: await events.deleteBySubject(s.tenantId, s) }),
  };
}

/**
 * Builds the events feature factory: a feed of its own (with these limits), bound as the
 * container's {@link EventFeed} in place of the host's.
 * @param options - the feed's limits
 * @returns the factory (pass one named `events` in `HostOptions.features` to replace the built-in)
 */
export function createEventsFeature(options: EventsFeatureOptions = {}): HostFeatureFactory {
  return (ctx): EventsFeature => {
    containStreamErrors(ctx.logger);
    const feed = new HostEventFeed({ store: ctx.stores.events, streams: ctx.streams, clock: ctx.clock, logger: ctx.logger }, options);
    if (ctx.container.isBound(EventFeed)) ctx.container.unbind(EventFeed);
    ctx.container.bind(EventFeed).toConstantValue(feed);
    return eventsFeatureOf(feed);
  };
}

/**
 * The events feature over a feed: `GET /v1/events`, and the feed's life (started with the host).
 * @param feed - the event feed
 * @returns the feature
 */
export function eventsFeatureOf(feed: HostEventFeed): EventsFeature {
  return {
    name: 'events',
    feed,
    v1Routes(v1: express.Router) {
      v1.get('/events', async (req, res) => {
        const t = tenantOf(req);
        const names: readonly string[] = parseQuery(EventsQuerySchema, req).streams ?? EVENT_STREAMS;
        const lastEventId = lastEventIdOf(req);
        const surface: StreamSurface = 'api';
        await openStream(feed, res, { tenantId: t.id, surface, names, ...(lastEventId !== undefined ? { lastEventId } : {}) });
      });
    },
    start() { feed.start(); },
    async stop() { await feed.stop(); },
  };
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}

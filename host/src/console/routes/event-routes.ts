/**
 * The console's live updates: `GET /events`, a server-sent event stream on the host's event feed,
 * with what the views need of each event, a heartbeat, and a `logout` event once the session ends.
 * @module
 */
import type express from 'express';
import type { Response } from 'express';
import type { EventFeed } from '../../events/event-feed.js';
import { lastEventIdOf, openStream } from '../../events/events-feature.js';
import { callerOf, type ConsoleAuth } from '../console-auth.js';
import { redactMessageMedia } from '../console-media.js';
import { obj } from './console-route-kit.js';

/**
 * What the console's stream sends of each event (the ids the views key on, not the whole notice):
 * applied to the event's JSON, live and replayed alike.
 */
const CONSOLE_FORMAT = {
  key: 'console',
  apply: (name: string, data: unknown): unknown => {
    const d = obj(data);
    switch (name) {
      // a message's media without the platform's URL or a decryption key: the views reload what they show
      case 'inbound': return { conversationId: obj(d.conversation).id, contactId: obj(d.contact).id, message: redactMessageMedia(d.message) };
      case 'status': return { conversationId: d.conversationId, message: redactMessageMedia(d.message), status: d.status };
      case 'conversation': return { change: d.change, conversation: d.conversation };
      case 'consent': return { contactId: obj(d.entry).contactId, entry: d.entry };
      default: return data;
    }
  },
};

const optionalLastEventId = (id: number | undefined): { lastEventId?: number } => (id !== undefined ? { lastEventId: id } : {});

/** What the event stream needs. */
export interface EventRouteDeps {
  /** The host's event feed, looked up when a stream opens (the events feature binds it). */
  feed: () => EventFeed;
  /** Tells, at each heartbeat, whether the session still holds. */
  auth: Pick<ConsoleAuth, 'resolve'>;
  /** SSE heartbeat period. */
  heartbeatMs: number;
  /** Open event streams, closed when the host stops. */
  streams: Set<Response>;
}

/**
 * Mounts `GET /events`.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - the event feed, auth, heartbeat period, the set of open streams
 */
export function mountEventRoutes(api: express.Router, deps: EventRouteDeps): void {
  api.get('/events', async (req, res) => {
    const { agent, session } = callerOf(res);
    const tenantId = agent.tenantId;
    // the same feed and bounded writer as /v1/events: a tab that stops reading is dropped, and the
    // browser's EventSource resumes with Last-Event-ID from the event log
    const client = await openStream(deps.feed(), res, {
      tenantId, surface: 'console', format: CONSOLE_FORMAT, preamble: 'retry: 2000\n',
      ...optionalLastEventId(lastEventIdOf(req)),
    });
    deps.streams.add(res);
    // the heartbeat also notices a session that ended (logout, expiry, disabled agent)
    const heartbeat = setInterval(() => {
      void deps.auth.resolve(req).then((caller) => {
        if (!caller || caller.session.id !== session.id) { client.end('event: logout\ndata: {}\n\n'); return; }
        client.connection.comment('ping');
      }, () => client.connection.comment('ping'));
    }, deps.heartbeatMs);
    heartbeat.unref();
    void client.connection.closed.then(() => { clearInterval(heartbeat); deps.streams.delete(res); });
  });
}

/**
 * `GET /v1/search`: the inbox search for integrators (scope `read`). One route rather than a `q` on
 * `/v1/conversations` plus `/v1/messages/search`: a hit is a conversation *and* what in it matched
 * (a message, the contact's name, a number, a tag), and one ordered, paged list of both is what an
 * inbox shows.
 * @module
 */
import type express from 'express';
import { presentMessage } from '../media/media-presenter.js';
import type { MediaUrls } from '../media/media-store.js';
import { parseQuery } from '../api/validation.js';
import { tenantOf } from '../api/routes/rest-route-kit.js';
import type { InboxSearch, SearchHit, SearchPage } from './inbox-search.js';
import { SEARCH_PAGE_DEFAULT, SearchQuerySchema } from './search-schemas.js';

/** What the search routes call. */
export interface SearchRouteDeps {
  search: InboxSearch;
  /** The URL a message's stored file is answered with. */
  mediaUrls: Pick<MediaUrls, 'apiUrl'>;
}

/**
 * Runs a search from a request's query string (validated by {@link SearchQuerySchema}).
 * @param search - the inbox search
 * @param tenantId - the caller's tenant
 * @param req - the request
 * @returns the page
 * @throws RequestValidationError (400) for a query the schema refuses
 */
export async function searchFromRequest(search: InboxSearch, tenantId: string, req: express.Request): Promise<SearchPage> {
  const { q, channel, status, queue, agentId, from, to, limit, offset } = parseQuery(SearchQuerySchema, req);
  return search.search(tenantId, {
    q, limit: limit ?? SEARCH_PAGE_DEFAULT, offset: offset ?? 0,
    ...(channel ? { channel } : {}), ...(status ? { status } : {}), ...(queue ? { queue } : {}), ...(agentId ? { agentId } : {}),
    ...(from ? { from } : {}), ...(to ? { to } : {}),
  });
}

/**
 * A hit as answered: its message presented as the other message routes present one (stored files as URLs).
 * @param hit - the hit
 * @param urls - the media URLs
 */
export function presentHit(hit: SearchHit, urls: Pick<MediaUrls, 'apiUrl'>): SearchHit {
  return hit.message ? { ...hit, message: presentMessage(hit.message, urls) } : hit;
}

/**
 * Mounts `GET /v1/search`.
 * @param v1 - the authenticated `/v1` router
 * @param deps - the search and media URLs
 */
export function mountSearchRoutes(v1: express.Router, deps: SearchRouteDeps): void {
  v1.get('/search', async (req, res) => {
    const page = await searchFromRequest(deps.search, tenantOf(req).id, req);
    res.json({ ...page, items: page.items.map((h) => presentHit(h, deps.mediaUrls)) });
  });
}

/**
 * The console's search box: `GET /search`, the inbox search for the agent's tenant (the same query
 * and answer as `GET /v1/search`).
 * @module
 */
import type express from 'express';
import type { MediaUrls } from '../../media/media-store.js';
import type { InboxSearch } from '../../search/inbox-search.js';
import { presentHit, searchFromRequest } from '../../search/search-routes.js';
import { callerOf } from '../console-auth.js';

/** What the console's search route calls. */
export interface ConsoleSearchRouteDeps {
  /** The inbox search (resolved when first used). */
  search: () => InboxSearch;
  urls: Pick<MediaUrls, 'apiUrl'>;
}

/**
 * Mounts `GET /search` on the console's router.
 * @param api - the console's router, after its session and CSRF checks
 * @param deps - the search and the media URLs
 */
export function mountConsoleSearchRoutes(api: express.Router, deps: ConsoleSearchRouteDeps): void {
  api.get('/search', async (req, res) => {
    const { agent } = callerOf(res);
    const page = await searchFromRequest(deps.search(), agent.tenantId, req);
    res.json({ ...page, items: page.items.map((h) => presentHit(h, deps.urls)) });
  });
}

/**
 * The search area's binding: the inbox search over the host's storage driver (the same collections
 * the stores write, with their full-text indexes).
 * @module
 */
import { ContainerModule } from '@switchboard/core/di';
import { DocumentInboxSearch, InboxSearch } from '../search/inbox-search.js';
import { HostStores } from '../stores/stores.js';

/** Binds `InboxSearch`: `GET /v1/search` and the console's search box use it. */
export const searchModule = new ContainerModule(({ bind }) => {
  bind<InboxSearch>(InboxSearch).toDynamicValue((c) => new DocumentInboxSearch(c.get<HostStores>(HostStores).driver)).inSingletonScope();
});

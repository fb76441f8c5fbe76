/**
 * Search of the team inbox, per tenant: one query finds conversations by their messages' text
 * (through the storage driver's full-text index: SQLite FTS5, a MongoDB text index, a scan in
 * memory), by the contact's name (the contacts' text index), by phone number or platform address
 * (digits as typed, partial), by tag and by CRM reference; filtered by channel, status, queue,
 * assigned agent and time; paged. Every hit carries snippets with the ranges that matched (offsets,
 * not markup: whoever shows them escapes the text).
 *
 * Order of the answer: first the conversations that match as a whole (contact name, address, tag,
 * CRM reference), most recently updated first; then the matching messages, newest first. Paging
 * runs over that one list (`offset`, `limit`; `nextOffset` when there is more).
 * @module
 */
import type { Contact, Conversation, ConversationStatus } from '@switchboard/core';
import { searchWords, textWords, type Collection, type Filter, type StorageDriver } from '../stores/driver.js';
import { DocumentContactStore } from '../stores/document-contact-store.js';
import { DocumentConversationStore } from '../stores/document-conversation-store.js';
import { DocumentMessageStore, MESSAGE_TEXT_PATHS } from '../stores/document-message-store.js';
import type { HostMessage } from '../stores/stores.js';

/** DI token for {@link InboxSearch}. */
export const InboxSearch = Symbol.for('switchboard.InboxSearch');

/** What a search asks for. */
export interface InboxSearchQuery {
  /** The text: words of messages or of a contact's name, a phone number or address (partial), a tag, a CRM reference. */
  q: string;
  /** Only conversations on this channel. */
  channel?: string;
  /** Only conversations in this status. */
  status?: ConversationStatus;
  /** Only conversations of this queue (waiting in it, or assigned to an agent from it). */
  queue?: string;
  /** Only conversations assigned to this agent. */
  agentId?: string;
  /** Messages at or after this time (conversations: updated at or after). */
  from?: Date;
  /** Messages before this time (conversations: updated before). */
  to?: Date;
  /** Hits per page. */
  limit: number;
  /** Hits to skip. */
  offset: number;
}

/** What matched, and where in its text. */
export interface SearchMatch {
  /** `message`: a message's text (`path` says which part); the others are the conversation's. */
  field: 'message' | 'contactName' | 'address' | 'tag' | 'crmRef';
  /** The message's content path that matched (`content.text`, `content.media.caption`, …). */
  path?: string;
  /** The text shown: the whole value, or a window of a long one (`…` marks a cut). */
  text: string;
  /** `[start, end)` offsets into `text` (UTF-16 code units) of each matching word. */
  hits: [start: number, end: number][];
}

/** One hit: a conversation, and the message that matched when it is a message hit. */
export interface SearchHit {
  conversation: Conversation;
  /** The conversation's contact (its id and name). */
  contact?: { id: string; name?: string };
  /** The message that matched (message hits only). */
  message?: HostMessage;
  matches: SearchMatch[];
}

/** A page of hits. */
export interface SearchPage {
  items: SearchHit[];
  /** The `offset` of the next page, when there is one. */
  nextOffset?: number;
}

/** The inbox search. */
export interface InboxSearch {
  /**
   * Searches a tenant's conversations and messages.
   * @param tenantId - the tenant (nothing of another tenant is ever read)
   * @param query - the text, filters and page
   * @returns a page of hits
   */
  search(tenantId: string, query: InboxSearchQuery): Promise<SearchPage>;
}

/** Conversations matching as a whole that one search considers (the newest first). */
export const CONVERSATION_MATCH_LIMIT = 200;
/** Conversations whose addresses a partial number is compared with (the most recently updated). */
export const ADDRESS_SCAN_LIMIT = 5000;
/** Conversations a status, queue or agent filter narrows message hits to (the most recently updated). */
export const FILTERED_CONVERSATIONS_LIMIT = 1000;
/** The longest snippet of a message: a window around its first hit. */
export const SNIPPET_LENGTH = 160;
/** The fewest digits a partial number needs. */
const MIN_DIGITS = 3;

type StoredContact = Contact & { pending?: boolean };

/**
 * The ranges of a text's words that are among the wanted (folded) words.
 * @param text - the text
 * @param wanted - folded words ({@link searchWords})
 * @returns `[start, end)` offsets of every matching word, in order
 */
export function wordHits(text: string, wanted: ReadonlySet<string>): [number, number][] {
  const hits: [number, number][] = [];
  if (wanted.size === 0) return hits;
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    // a run may fold into more than one word (a mark between letters): it matches when one of them does
    if (textWords(m[0]).some((w) => wanted.has(w))) hits.push([m.index, m.index + m[0].length]);
  }
  return hits;
}

/**
 * Cuts a long text to a window around its first hit, moving the hits with it.
 * @param text - the whole text
 * @param hits - its hits
 * @param length - the longest window
 * @returns the window (with `…` where it was cut) and the hits inside it
 */
export function snippet(text: string, hits: readonly [number, number][], length = SNIPPET_LENGTH): { text: string; hits: [number, number][] } {
  if (text.length <= length) return { text, hits: hits.map(([a, b]) => [a, b]) };
  const first = hits[0]?.[0] ?? 0;
  let start = Math.max(0, Math.min(first - Math.floor(length / 4), text.length - length));
  // never split a surrogate pair
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start]!)) start--;
  let end = Math.min(text.length, start + length);
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end]!)) end++;
  const head = start > 0 ? '…' : '';
  const shift = head.length - start;
  const inside = hits.filter(([a, b]) => a >= start && b <= end).map(([a, b]): [number, number] => [a + shift, b + shift]);
  return { text: `${head}${text.slice(start, end)}${end < text.length ? '…' : ''}`, hits: inside };
}

/**
 * The digits a query looks for in addresses, when it reads as a phone number (digits, spaces, `+`,
 * `-`, `.`, parentheses) with at least three digits.
 * @param q - the query
 * @returns the digits, or undefined
 */
export function phoneDigits(q: string): string | undefined {
  const trimmed = q.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= MIN_DIGITS ? digits : undefined;
}

/**
 * Where the digits occur in an address, counting only its digits (`+49 151 …` holds `49151`).
 * @returns the `[start, end)` range in the address, or undefined
 */
function digitsRange(address: string, digits: string): [number, number] | undefined {
  const positions: number[] = [];
  let only = '';
  for (let i = 0; i < address.length; i++) {
    const ch = address[i]!;
    if (ch >= '0' && ch <= '9') { positions.push(i); only += ch; }
  }
  const at = only.indexOf(digits);
  if (at < 0) return undefined;
  return [positions[at]!, positions[at + digits.length - 1]! + 1];
}

/** {@link InboxSearch} over the storage driver's collections (the same the stores write). */
export class DocumentInboxSearch implements InboxSearch {
  private readonly messages: Collection<HostMessage>;
  private readonly conversations: Collection<Conversation>;
  private readonly contacts: Collection<StoredContact>;

  /** @param driver - the storage driver the host's stores are on */
  constructor(driver: StorageDriver) {
    this.messages = driver.collection<HostMessage>(DocumentMessageStore.spec);
    this.conversations = driver.collection<Conversation>(DocumentConversationStore.spec);
    this.contacts = driver.collection<StoredContact>(DocumentContactStore.spec);
  }

  async search(tenantId: string, query: InboxSearchQuery): Promise<SearchPage> {
    const q = query.q.trim();
    const words = searchWords(q);
    const scope = this.conversationFilter(tenantId, query);
    const whole = await this.conversationHits(tenantId, q, words, scope, query);
    const { limit, offset } = query;
    const items: SearchHit[] = whole.slice(offset, offset + limit);
    const wanted = limit - items.length;
    const messageOffset = Math.max(0, offset - whole.length);
    let more = offset + limit < whole.length;
    if (wanted > 0 && words.length > 0) {
      const found = await this.messageHits(tenantId, q, words, scope, query, messageOffset, wanted + 1);
      more = found.length > wanted;
      items.push(...found.slice(0, wanted));
    } else if (!more && words.length > 0) {
      more = (await this.messageHits(tenantId, q, words, scope, query, messageOffset, 1)).length > 0;
    }
    const contacts = await this.contactsOf(tenantId, items.map((h) => h.conversation.contactId));
    for (const hit of items) {
      const contact = contacts.get(hit.conversation.contactId);
      if (contact) hit.contact = { id: contact.id, ...(typeof contact.profile?.name === 'string' ? { name: contact.profile.name } : {}) };
    }
    return { items, ...(more ? { nextOffset: offset + items.length } : {}) };
  }

  /** The filter on conversations the query's filters make (always the tenant's). */
  private conversationFilter(tenantId: string, query: InboxSearchQuery): Filter {
    const filter: Filter = { tenantId };
    if (query.channel !== undefined) filter['address.channel'] = query.channel;
    if (query.status !== undefined) filter['status'] = query.status;
    if (query.agentId !== undefined) filter['assignee.agentId'] = query.agentId;
    if (query.queue !== undefined) filter['assignee.queue'] = query.queue;
    return filter;
  }

  private static updatedWithin(query: InboxSearchQuery): Filter {
    if (query.from === undefined && query.to === undefined) return {};
    return { updatedAt: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) } };
  }

  /** Conversations matching as a whole: contact name, address, tag, CRM reference. */
  private async conversationHits(tenantId: string, q: string, words: readonly string[], scope: Filter, query: InboxSearchQuery): Promise<SearchHit[]> {
    const inScope: Filter = { ...scope, ...DocumentInboxSearch.updatedWithin(query) };
    const newest = { sort: [['updatedAt', -1]] as const, limit: CONVERSATION_MATCH_LIMIT };
    // a CRM reference or an address names few conversations: their own indexes find them, and the
    // hits are ordered below (a sort in the query would make SQLite walk the tenant's by time instead)
    const few = { limit: CONVERSATION_MATCH_LIMIT };
    const hits = new Map<string, SearchHit>();
    const add = (c: Conversation, match: SearchMatch): void => {
      const hit = hits.get(c.id) ?? { conversation: c, matches: [] };
      hit.matches.push(match);
      hits.set(c.id, hit);
    };
    if (q.length === 0) return [];

    // tags and CRM references are compared whole (a tag as typed or lower-cased)
    const tags = [...new Set([q, q.toLowerCase()])];
    for (const c of await this.conversations.find({ ...inScope, tags: { $in: tags } }, newest)) {
      for (const tag of c.tags ?? []) if (tags.includes(tag)) add(c, { field: 'tag', text: tag, hits: [[0, tag.length]] });
    }
    const byCrm = await this.conversations.find({ ...inScope, crmRef: q }, few);
    const crmContacts = await this.contacts.find({ tenantId, crmRef: q, pending: { $ne: true } }, { limit: CONVERSATION_MATCH_LIMIT });
    for (const c of byCrm) add(c, { field: 'crmRef', text: q, hits: [[0, q.length]] });
    if (crmContacts.length > 0) {
      for (const c of await this.conversations.find({ ...inScope, contactId: { $in: crmContacts.map((k) => k.id) } }, newest)) {
        if (!byCrm.some((b) => b.id === c.id)) add(c, { field: 'crmRef', text: q, hits: [[0, q.length]] });
      }
    }

    // contact names, through the contacts' text index
    if (words.length > 0) {
      const named = await this.contacts.search(q, { tenantId, pending: { $ne: true } }, { limit: CONVERSATION_MATCH_LIMIT });
      if (named.length > 0) {
        const names = new Map(named.map((k) => [k.id, k.profile?.name ?? '']));
        const wanted = new Set(words);
        for (const c of await this.conversations.find({ ...inScope, contactId: { $in: [...names.keys()] } }, newest)) {
          const name = names.get(c.contactId) ?? '';
          add(c, { field: 'contactName', text: name, hits: wordHits(name, wanted) });
        }
      }
    }

    // addresses: a number as typed, partial; any other address whole
    const digits = phoneDigits(q);
    if (digits !== undefined) {
      for (const c of await this.conversations.find(inScope, { sort: [['updatedAt', -1]], limit: ADDRESS_SCAN_LIMIT })) {
        const range = digitsRange(c.address.userId, digits);
        if (range) add(c, { field: 'address', text: c.address.userId, hits: [range] });
      }
    } else {
      for (const c of await this.conversations.find({ ...inScope, 'address.userId': q }, few)) add(c, { field: 'address', text: q, hits: [[0, q.length]] });
    }

    return [...hits.values()]
      .sort((a, b) => b.conversation.updatedAt.getTime() - a.conversation.updatedAt.getTime() || (a.conversation.id < b.conversation.id ? -1 : 1))
      .slice(0, CONVERSATION_MATCH_LIMIT);
  }

  /** Messages whose text holds every word, newest first, with their conversations. */
  private async messageHits(tenantId: string, q: string, words: readonly string[], scope: Filter, query: InboxSearchQuery, offset: number, limit: number): Promise<SearchHit[]> {
    const filter: Filter = { tenantId };
    if (query.channel !== undefined) filter['channel'] = query.channel;
    if (query.from !== undefined || query.to !== undefined) {
      filter['timestamp'] = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
    }
    const narrowed = query.status !== undefined || query.queue !== undefined || query.agentId !== undefined;
    if (narrowed) {
      const ids = (await this.conversations.find(scope, { sort: [['updatedAt', -1]], limit: FILTERED_CONVERSATIONS_LIMIT })).map((c) => c.id);
      if (ids.length === 0) return [];
      filter['conversationId'] = { $in: ids };
    }
    const found = await this.messages.search(q, filter, { sort: [['timestamp', -1], ['createdAt', -1]], offset, limit });
    const conversations = new Map<string, Conversation>();
    const ids = [...new Set(found.map((m) => m.conversationId))];
    if (ids.length > 0) for (const c of await this.conversations.find({ tenantId, id: { $in: ids } })) conversations.set(c.id, c);
    const wanted = new Set(words);
    const hits: SearchHit[] = [];
    for (const message of found) {
      const conversation = conversations.get(message.conversationId);
      if (!conversation) continue; // a message whose conversation was erased meanwhile
      const matches: SearchMatch[] = [];
      for (const path of MESSAGE_TEXT_PATHS) {
        const value = valueAt(message, path);
        if (typeof value !== 'string') continue;
        const found = wordHits(value, wanted);
        if (found.length > 0) matches.push({ field: 'message', path, ...snippet(value, found) });
      }
      hits.push({ conversation, message, matches });
    }
    return hits;
  }

  private async contactsOf(tenantId: string, ids: readonly string[]): Promise<Map<string, StoredContact>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const found = await this.contacts.find({ tenantId, id: { $in: unique } });
    return new Map(found.map((c) => [c.id, c]));
  }
}

function valueAt(doc: unknown, path: string): unknown {
  let current = doc;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

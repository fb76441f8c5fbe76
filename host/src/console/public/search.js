// @ts-check
/* global setTimeout, clearTimeout, URLSearchParams */
/**
 * The inbox's search box: what the agent types is searched (`GET /console/api/search`) after a short
 * pause; the hits replace the conversation list until the box is cleared (Escape clears it). Each
 * hit shows the contact, what matched and the matching words marked: the answer gives the text and
 * the ranges of the words, and the marks are built as elements around text nodes, never as markup,
 * so nothing a customer wrote can run here.
 */
import { call } from './api.js';
import { channelIcon, channelName, fill, h, short } from './dom.js';

/** How long typing pauses before a search runs (ms). */
const PAUSE_MS = 250;
/** Hits asked for per page. */
const PAGE = 30;

/**
 * A text with its ranges marked: `<mark>` elements around the matching parts, text nodes for the rest.
 * @param {string} text
 * @param {[number, number][]} hits - `[start, end)` offsets, as the search answers them
 * @returns {(string | HTMLElement)[]}
 */
export function highlighted(text, hits) {
  /** @type {(string | HTMLElement)[]} */
  const out = [];
  let at = 0;
  const ranges = [...hits].filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a < b).sort((x, y) => x[0] - y[0]);
  for (const [a, b] of ranges) {
    const start = Math.max(a, at);
    const end = Math.min(b, text.length);
    if (start >= end) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(h('mark', null, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** What a match is called in the list. @param {any} m */
function matchLabel(m) {
  switch (m.field) {
    case 'contactName': return 'Name';
    case 'address': return 'Number';
    case 'tag': return 'Tag';
    case 'crmRef': return 'CRM';
    default: return m.path === 'content.media.caption' ? 'Caption' : 'Message';
  }
}

/** One hit as a list item linking to its conversation. @param {any} hit */
function hitItem(hit) {
  const c = hit.conversation;
  const name = hit.contact?.name ?? c.address.userId;
  const when = hit.message?.timestamp ?? c.updatedAt;
  const first = hit.matches[0];
  return h('li', null, h('a', {
    href: `#/c/${encodeURIComponent(c.id)}`, class: `row hit status-${c.status}`, 'data-id': c.id,
    'aria-label': `${name} on ${channelName(c.address.channel)}: ${first ? `${matchLabel(first)} ${first.text}` : ''}`,
  },
  channelIcon(c.address.channel),
  h('span', { class: 'name' }, name),
  h('time', { class: 'time', datetime: when }, short(when)),
  h('span', { class: 'preview' }, hit.message?.direction === 'outbound' ? '↪ ' : '', hit.matches.map((/** @type {any} */ m) => h('span', { class: 'match' }, h('span', { class: 'match-field' }, matchLabel(m), ': '), highlighted(m.text, m.hits))))));
}

/**
 * The search box and its results list. The hook in the inbox: put `box` above the filters and
 * `results` beside the conversation list; `onActive(true)` is called when results replace the list.
 * @param {{ list: () => HTMLElement | null, filters: () => Record<string, string>, onError: (e: unknown) => void }} options
 * @returns {{ box: HTMLElement, results: HTMLElement }}
 */
export function searchBox(options) {
  const results = h('ul', { id: 'search-results', class: 'inbox-list search-results', 'aria-label': 'Search results', 'aria-live': 'polite', hidden: true });
  const status = h('p', { id: 'search-status', class: 'muted search-status', role: 'status' });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let asked = 0;
  let offset = 0;
  let query = '';

  const show = (/** @type {boolean} */ active) => {
    results.hidden = !active;
    const list = options.list();
    if (list) list.hidden = active;
    if (!active) fill(status);
  };

  const run = async (/** @type {boolean} */ more) => {
    const mine = ++asked;
    const f = options.filters();
    const params = new URLSearchParams({ q: query, limit: String(PAGE), offset: String(more ? offset : 0) });
    if (f.channel) params.set('channel', f.channel);
    if (f.queue) params.set('queue', f.queue);
    if (f.status === 'open' || f.status === 'pending' || f.status === 'resolved') params.set('status', f.status);
    const page = await call(`/search?${params}`);
    if (mine !== asked) return; // a later search answered first or is on its way
    const items = page.items.map(hitItem);
    if (more) {
      results.querySelector('.more')?.remove();
      results.append(...items);
    } else {
      fill(results, items.length === 0 ? h('li', { class: 'empty muted' }, 'Nothing found.') : items);
    }
    offset = page.nextOffset ?? 0;
    if (page.nextOffset !== undefined) {
      results.append(h('li', { class: 'more' }, h('button', { type: 'button', class: 'link', onclick: () => { run(true).catch(options.onError); } }, 'More results')));
    }
    fill(status, items.length === 0 && !more ? `No results for “${query}”.` : `Results for “${query}”.`);
    show(true);
  };

  const input = h('input', {
    id: 'search-q', type: 'search', name: 'q', maxlength: '200', autocomplete: 'off', placeholder: 'Search messages, names, numbers, tags',
    oninput: (/** @type {Event} */ e) => {
      query = /** @type {HTMLInputElement} */ (e.target).value.trim();
      clearTimeout(timer);
      if (query === '') { asked++; show(false); return; }
      timer = setTimeout(() => { run(false).catch(options.onError); }, PAUSE_MS);
    },
    onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key !== 'Escape') return;
      /** @type {HTMLInputElement} */ (e.target).value = '';
      query = '';
      asked++;
      show(false);
    },
  });
  const box = h('form', { class: 'search', role: 'search', 'aria-label': 'Search conversations', onsubmit: (/** @type {Event} */ e) => {
    e.preventDefault();
    clearTimeout(timer);
    if (query !== '') run(false).catch(options.onError);
  } },
  h('label', { for: 'search-q', class: 'visually-hidden' }, 'Search'), input, status);
  return { box, results };
}

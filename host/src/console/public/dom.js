// @ts-check
/* global document, Node */
/**
 * A tiny DOM builder: every piece of data becomes a text node or an attribute, never markup, so
 * nothing a customer writes can run in an agent's browser.
 */

/**
 * Creates an element.
 * @param {string} tag
 * @param {Record<string, any> | null} [props] - attributes; `on<event>` handlers; `class`; `value`, `checked`, `disabled`, `selected` as properties
 * @param {...any} children - nodes, strings, numbers, arrays; null/false skipped
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'value') value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') /** @type {any} */ (el)[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  if (value !== undefined) /** @type {any} */ (el).value = value;
  return el;
}

/** Replaces an element's children. @param {Element} el @param {...any} children */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))));
}

/** @param {string | undefined} url @returns {string | undefined} the URL when it is http(s) */
export function safeUrl(url) {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url, document.baseURI);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch { return undefined; }
}

/** @param {string | number | Date | undefined} t @returns {string} local date and time */
export function when(t) {
  if (t === undefined || t === null) return '';
  const d = new Date(t);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * An unread badge's text: the count, or 99+ so the badge keeps its size.
 * @param {number} n
 */
export function unreadBadge(n) {
  return n > 99 ? '99+' : String(n);
}

/** @param {string | number | Date | undefined} t @returns {string} time today, else date */
export function short(t) {
  if (!t) return '';
  const d = new Date(t);
  const now = new Date();
  return d.toDateString() === now.toDateString() ? d.toLocaleTimeString(undefined, { timeStyle: 'short' }) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** @param {number | undefined} ms @returns {string} a duration such as "4 min" or "1 h 20 min" */
export function duration(ms) {
  if (ms === undefined || ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const hrs = Math.floor(m / 60);
  return `${hrs} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

const CHANNELS = /** @type {Record<string, { label: string, short: string }>} */ ({
  whatsapp: { label: 'WhatsApp', short: 'WA' },
  messenger: { label: 'Messenger', short: 'M' },
  telegram: { label: 'Telegram', short: 'TG' },
  viber: { label: 'Viber', short: 'V' },
  apple: { label: 'Apple Messages for Business', short: 'A' },
});

/** @param {string} channel @returns {string} the channel's name */
export function channelName(channel) {
  return CHANNELS[channel]?.label ?? channel;
}

/** @param {string} channel @returns {HTMLElement} a labelled channel badge */
export function channelIcon(channel) {
  const c = CHANNELS[channel];
  return h('span', { class: `channel channel-${/^[a-z0-9-]+$/.test(channel) ? channel : 'other'}`, role: 'img', 'aria-label': channelName(channel), title: channelName(channel) }, c ? c.short : channel.slice(0, 2).toUpperCase());
}

const TICKS = /** @type {Record<string, [string, string]>} */ ({
  accepted: ['◷', 'accepted'], queued: ['◷', 'queued, not sent yet'], sent: ['✓', 'sent'],
  delivered: ['✓✓', 'delivered'], read: ['✓✓', 'read'], failed: ['!', 'failed'],
});

/** @param {any} m - a stored message @returns {HTMLElement} its delivery status as ticks */
export function ticks(m) {
  const [glyph, label] = TICKS[m.status] ?? ['?', m.status];
  const at = (m.statusHistory ?? []).filter((/** @type {any} */ s) => s.status === m.status).map((/** @type {any} */ s) => s.at)[0];
  const text = `${label}${at ? ` ${when(at)}` : ''}${m.error ? `: ${m.error.message}` : ''}`;
  return h('span', { class: `ticks ticks-${m.status}`, role: 'img', 'aria-label': text, title: text }, glyph);
}

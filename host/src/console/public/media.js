// @ts-check
/* global Date */
/**
 * Files in the transcript: pictures in place, audio and video in the browser's own players,
 * documents as download links with their name and size; a file still being fetched, refused,
 * failed or quarantined says so (a quarantined one gets no link).
 *
 * Every link is a short-lived signed URL the console API handed out with the message. Players and
 * pictures are kept across re-renders of the transcript (a video keeps playing while a receipt
 * arrives, a picture is not downloaded again); when one of them meets an expired link it asks
 * `/console/api/media/:id/link` for a fresh one, once.
 */
import { call } from './api.js';
import { fill, h } from './dom.js';

/** What each media kind is called in the transcript. */
const NOUN = /** @type {Record<string, string>} */ ({ image: 'Picture', sticker: 'Sticker', video: 'Video', audio: 'Audio', document: 'File' });

/** A link is refreshed this long before it expires. */
const MARGIN_MS = 30_000;

/** @param {number | undefined} n - bytes @returns {string} e.g. "120 KB" */
export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** @param {string | undefined} type - a MIME type @returns {string} a short name for it ("PDF", "JPEG") */
function typeName(type) {
  if (!type) return '';
  const sub = type.split(';')[0]?.split('/')[1] ?? '';
  const known = /** @type {Record<string, string>} */ ({ pdf: 'PDF', jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', mp4: 'MP4', ogg: 'Ogg', mpeg: 'MP3', plain: 'text', csv: 'CSV' });
  return known[sub] ?? sub.replace(/^vnd\.|^x-/, '').toUpperCase().slice(0, 12);
}

/**
 * Media elements kept from one render of the transcript to the next, by message and file. A kept
 * element is moved into the new transcript, not rebuilt: playback and loaded pictures survive.
 */
export class MediaShelf {
  constructor() {
    /** @type {Map<string, HTMLElement>} */
    this.kept = new Map();
    /** @type {Map<string, HTMLElement>} */
    this.next = new Map();
    /** The earliest time (local ms) a link the transcript holds must be refreshed by. */
    this.refreshAt = Infinity;
  }

  /** Starts a render. */
  begin() {
    this.next = new Map();
    this.refreshAt = Infinity;
  }

  /** Ends a render: elements not used again are let go. */
  end() {
    this.kept = this.next;
  }

  /** Forgets everything (another conversation is shown). */
  clear() {
    this.kept = new Map();
    this.next = new Map();
    this.refreshAt = Infinity;
  }

  /**
   * The element for a file: the one kept from the last render, or a new one.
   * @param {string} key
   * @param {() => HTMLElement} make
   * @param {(el: HTMLElement) => void} [renew] - given a kept element: refresh its links
   * @returns {HTMLElement}
   */
  take(key, make, renew) {
    const kept = this.kept.get(key);
    const el = kept ?? make();
    if (kept && renew) renew(kept);
    this.next.set(key, el);
    return el;
  }

  /** @param {number} deadline - local ms */
  expiresAt(deadline) {
    this.refreshAt = Math.min(this.refreshAt, deadline);
  }
}

/** @param {any} view @returns {number} local time (ms) by which its link must be replaced */
function deadlineOf(view) {
  return Date.now() + Math.max(0, Number(view.expiresInMs ?? 0) - MARGIN_MS);
}

/**
 * Points a picture or player whose link failed at a fresh link, once per element and only when its
 * link has expired; otherwise (the browser cannot show this type) shows the fallback.
 * @param {HTMLImageElement | HTMLMediaElement} el
 * @param {() => void} fallback
 */
async function recover(el, fallback) {
  const expired = Date.now() >= Number(el.dataset.deadline ?? 0);
  if (!expired || el.dataset.retried) { fallback(); return; }
  el.dataset.retried = '1';
  try {
    const link = await call(`/media/${encodeURIComponent(el.dataset.storedId ?? '')}/link`);
    el.dataset.deadline = String(deadlineOf(link));
    const at = 'currentTime' in el ? el.currentTime : 0;
    el.src = link.url;
    if ('currentTime' in el && at > 0) el.currentTime = at;
    const open = el.closest('a');
    if (open) open.href = link.url;
  } catch { fallback(); }
}

/** @param {any} view @param {string} noun @returns {HTMLElement} a download link with name, type and size */
function downloadLink(view, noun) {
  const name = view.filename ?? noun;
  const details = [typeName(view.contentType), bytes(view.size)].filter(Boolean).join(', ');
  return h('a', { href: view.url, download: view.filename ?? '', class: 'download', 'data-stored-id': view.storedId, 'data-deadline': String(deadlineOf(view)) },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '⤓ '),
    h('span', { class: 'name' }, name),
    details ? h('span', { class: 'size' }, ` (${details})`) : null);
}

/** Points a kept element's links (not its picture or player source: that would load it again) at the fresh URL. @param {HTMLElement} el @param {any} view */
function renewLinks(el, view) {
  for (const a of el.querySelectorAll('a[data-stored-id]')) {
    /** @type {HTMLAnchorElement} */ (a).href = view.url;
    /** @type {HTMLElement} */ (a).dataset.deadline = String(deadlineOf(view));
  }
}

/**
 * The element showing a stored file.
 * @param {any} view - the console API's `media.view` (state `stored`)
 * @param {string} noun - what the file is ("Picture", "Video"…)
 * @returns {HTMLElement}
 */
function storedElement(view, noun) {
  const deadline = String(deadlineOf(view));
  /** What stands in for a picture or player the browser cannot show: a note, and the download link unless one is there already. */
  const fallbackTo = (/** @type {HTMLElement} */ el, /** @type {boolean} */ withLink) => () => {
    const verb = view.display === 'image' ? 'shown' : 'played';
    el.replaceWith(h('p', { class: 'media-fallback' }, `This ${noun.toLowerCase()} cannot be ${verb} in this browser. `, withLink ? downloadLink(view, noun) : null));
  };
  switch (view.display) {
    case 'image': {
      const img = /** @type {HTMLImageElement} */ (h('img', { src: view.url, alt: view.alt, loading: 'lazy', decoding: 'async', 'data-stored-id': view.storedId, 'data-deadline': deadline }));
      const open = h('a', { href: view.url, target: '_blank', rel: 'noopener noreferrer', class: 'media-open', title: 'Open the full picture', 'data-stored-id': view.storedId, 'data-deadline': deadline }, img);
      img.addEventListener('error', () => { void recover(img, fallbackTo(open, true)); });
      return h('div', { class: 'media-body' }, open);
    }
    case 'video': case 'audio': {
      const player = /** @type {HTMLMediaElement} */ (h(view.display, {
        src: view.url, controls: true, preload: 'metadata', 'aria-label': view.alt, 'data-stored-id': view.storedId, 'data-deadline': deadline,
      }));
      player.addEventListener('error', () => { void recover(player, fallbackTo(player, false)); });
      return h('div', { class: `media-body media-${view.display}` }, player, h('p', { class: 'media-download' }, downloadLink(view, noun)));
    }
    default:
      return h('div', { class: 'media-body' }, downloadLink(view, noun));
  }
}

/**
 * A media content: its file as {@link storedElement} shows it, or what stands in for it, and its caption.
 * @param {any} c - image, video, audio, document or sticker content, as the console API presents it
 * @param {{ key: string, shelf?: MediaShelf, channel?: string }} o - the message's key on the shelf
 * @returns {HTMLElement}
 */
export function renderMedia(c, o) {
  const media = c.media ?? {};
  const view = media.view ?? { state: 'not-stored', reason: 'no file' };
  const noun = NOUN[c.type] ?? 'File';
  const caption = media.caption ? h('figcaption', { class: 'caption' }, media.caption) : null;
  /** @type {HTMLElement} */
  let body;
  switch (view.state) {
    case 'stored': {
      const make = () => storedElement(view, noun);
      body = o.shelf ? o.shelf.take(`${o.key}:${view.storedId}`, make, (el) => renewLinks(el, view)) : make();
      o.shelf?.expiresAt(deadlineOf(view));
      break;
    }
    case 'pending':
      body = h('p', { class: 'media-state pending', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `${noun}: fetching…`);
      break;
    case 'quarantined':
      body = h('p', { class: 'media-state quarantined', role: 'note' }, h('strong', null, `⚠ ${noun} quarantined`), ` — the virus scanner rejected it (${view.reason}). It is not shown or offered for download.`);
      break;
    case 'refused':
      body = h('p', { class: 'media-state unavailable' }, h('strong', null, `${noun} not kept`), ` — ${view.reason}`);
      break;
    case 'failed':
      body = h('p', { class: 'media-state unavailable' }, h('strong', null, `${noun} could not be fetched`), ` — ${view.reason}`);
      break;
    default:
      body = h('p', { class: 'media-state unavailable' }, h('strong', null, `${noun} not available`), ` — ${view.reason ?? ''}`);
  }
  return h('figure', { class: `media media-${c.type} state-${view.state}`, 'data-state': view.state }, body, caption);
}

/**
 * Shows a file chosen in the composer before it is sent: a preview for a picture (from the agent's
 * own disk), its name, size, and the upload's state.
 * @param {HTMLElement} el - where
 * @param {File} file
 * @param {string} status - "Uploading…", "Ready", an error
 * @param {string} [previewUrl] - a `blob:` URL of the file when it is a picture
 */
export function showAttachment(el, file, status, previewUrl) {
  fill(el,
    previewUrl ? h('img', { src: previewUrl, alt: `Preview of ${file.name}`, class: 'attachment-preview' }) : null,
    h('span', { class: 'attachment-name' }, file.name),
    h('span', { class: 'muted' }, ` (${bytes(file.size)})`),
    h('span', { class: 'attachment-status', role: 'status' }, ` ${status}`));
}

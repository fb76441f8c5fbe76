// @ts-check
/**
 * Renders any message content readably: files as media.js shows them, locations as map links,
 * contact cards, buttons and lists as the options the customer saw, templates with their
 * parameters filled, rich content by kind with its fallback text.
 */
import { channelIcon, h, ticks, when } from './dom.js';
import { renderMedia } from './media.js';

/** @typedef {import('./media.js').MediaShelf} MediaShelf */

/** @param {any} t - template content @returns {string} its text with parameters filled */
function templateText(t) {
  const body = (t.parameters ?? []).filter((/** @type {any} */ p) => (p.component ?? 'body') === 'body');
  if (!t.fallbackText) return body.map((/** @type {any} */ p) => p.text ?? '').join(' · ');
  let i = 0;
  const positional = body.filter((/** @type {any} */ p) => !p.name);
  return t.fallbackText.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (/** @type {string} */ whole, /** @type {string} */ key) => {
    const named = body.find((/** @type {any} */ p) => p.name === key);
    if (named) return named.text ?? '';
    const idx = /^\d+$/.test(key) ? Number(key) - 1 : i++;
    return positional[idx]?.text ?? whole;
  });
}

/**
 * @param {any} c - message content
 * @param {{ key: string, shelf?: MediaShelf }} [media] - where the message's file elements are kept across renders
 * @returns {HTMLElement}
 */
export function renderContent(c, media = { key: '' }) {
  switch (c.type) {
    case 'text': return h('p', { class: 'text' }, c.text);
    case 'image': case 'sticker': case 'video': case 'audio': case 'document':
      return renderMedia(c, media);
    case 'location': {
      const href = `https://www.openstreetmap.org/?mlat=${encodeURIComponent(c.latitude)}&mlon=${encodeURIComponent(c.longitude)}#map=16/${encodeURIComponent(c.latitude)}/${encodeURIComponent(c.longitude)}`;
      return h('p', { class: 'location' }, '📍 ', h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, [c.name, c.address].filter(Boolean).join(', ') || `${c.latitude}, ${c.longitude}`));
    }
    case 'contacts':
      return h('ul', { class: 'cards', 'aria-label': 'Shared contacts' }, (c.contacts ?? []).map((/** @type {any} */ k) =>
        h('li', null, h('strong', null, k.name), (k.phones ?? []).map((/** @type {any} */ p) => h('span', null, ` ☎ ${p.phone}`)), (k.emails ?? []).map((/** @type {any} */ e) => h('span', null, ` ✉ ${e.email}`)))));
    case 'reply': return h('p', { class: 'choice' }, h('span', { class: 'kind' }, 'Chose: '), c.title);
    case 'reaction': return h('p', { class: 'reaction' }, c.emoji ? `Reacted ${c.emoji}` : 'Removed a reaction');
    case 'interactive': {
      const options = [...(c.buttons ?? []), ...((c.list?.sections ?? []).flatMap((/** @type {any} */ s) => s.rows)), ...(c.quickReplies ?? [])];
      return h('div', { class: 'interactive' },
        c.header ? h('p', { class: 'header' }, c.header) : null,
        h('p', { class: 'text' }, c.body),
        options.length ? h('ul', { class: 'options', 'aria-label': c.list ? `List: ${c.list.button}` : 'Buttons offered' }, options.map((/** @type {any} */ o) => h('li', null, o.title, o.description ? h('span', { class: 'muted' }, ` — ${o.description}`) : null))) : null,
        c.footer ? h('p', { class: 'footer muted' }, c.footer) : null);
    }
    case 'template':
      return h('div', { class: 'template' }, h('p', { class: 'kind' }, `Template ${c.name} (${c.language}, ${c.category})`), h('p', { class: 'text' }, templateText(c)));
    case 'rich':
      return h('div', { class: 'rich' }, h('p', { class: 'kind' }, `Rich message: ${c.kind}`), c.fallbackText ? h('p', { class: 'text' }, c.fallbackText) : null);
    default: return h('p', { class: 'muted' }, `[${c.type}]`);
  }
}

/**
 * One message of the transcript.
 * @param {any} m - a stored message with its `channel`
 * @param {{ multiChannel: boolean, currentId: string, shelf?: MediaShelf }} o
 * @returns {HTMLElement}
 */
export function renderMessage(m, o) {
  const who = m.direction === 'inbound' ? 'Customer' : m.sender === 'bot' ? 'Bot' : m.sender === 'system' ? 'System' : 'Agent';
  return h('li', { class: `msg ${m.direction} sender-${m.sender ?? 'customer'}${m.conversationId !== o.currentId ? ' other-channel' : ''}`, 'data-message-id': m.id },
    h('div', { class: 'meta' }, o.multiChannel ? channelIcon(m.channel) : null, h('span', { class: 'who' }, who), ' ',
      h('time', { datetime: new Date(m.timestamp).toISOString() }, when(m.timestamp)),
      m.direction === 'outbound' ? ticks(m) : null,
      m.rendering?.form === 'degraded' ? h('span', { class: 'badge', title: 'The channel cannot show this natively: it was sent in a simpler form' }, 'degraded') : null,
      m.form?.kind === 'tag' ? h('span', { class: 'badge' }, `tag ${m.form.tag}`) : null),
    h('div', { class: 'bubble' }, renderContent(m.content, { key: m.id, ...(o.shelf ? { shelf: o.shelf } : {}) })),
    m.status === 'failed' && m.error ? h('p', { class: 'error' }, `Not delivered: ${m.error.message} (${m.error.code})`) : null);
}

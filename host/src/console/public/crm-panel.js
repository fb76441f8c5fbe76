// @ts-check
/**
 * The contact panel's CRM section: what the configured contact-context provider says about the
 * contact (display name, customer id, attributes, open orders and cases with links), fetched from
 * `GET /console/api/contacts/:id/context` after the rest of the panel shows, so a slow CRM never
 * holds the panel up. Hidden when no provider is configured.
 */
import { call } from './api.js';
import { h, fill, safeUrl, when } from './dom.js';

/**
 * The section for a contact; it fills itself when the context arrives.
 * @param {string} contactId
 * @returns {HTMLElement}
 */
export function crmContextSection(contactId) {
  const body = h('div', { class: 'crm-body', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Asking the CRM…'));
  const section = h('section', { class: 'crm-context', 'aria-labelledby': 'crm-context-h', hidden: true },
    h('h3', { id: 'crm-context-h' }, 'From the CRM'), body);
  void load(contactId, section, body, false);
  return section;
}

/**
 * @param {string} contactId
 * @param {HTMLElement} section
 * @param {HTMLElement} body
 * @param {boolean} refresh
 */
async function load(contactId, section, body, refresh) {
  /** @type {any} */
  let answer;
  try {
    answer = await call(`/contacts/${encodeURIComponent(contactId)}/context${refresh ? '?refresh=true' : ''}`);
  } catch {
    answer = { status: 'unavailable', reason: 'the console could not ask' };
  }
  if (answer.status === 'not-configured') { section.hidden = true; return; }
  section.hidden = false;
  const again = h('button', { type: 'button', class: 'link', onclick: () => { fill(body, h('p', { class: 'muted' }, 'Asking the CRM…')); void load(contactId, section, body, true); } }, 'Ask again');
  if (answer.status === 'unknown') { fill(body, h('p', { class: 'muted' }, 'The CRM does not know this contact. '), again); return; }
  if (answer.status !== 'found') { fill(body, h('p', { class: 'muted' }, `The CRM is unavailable (${answer.reason ?? 'no answer'}). `), again); return; }
  const c = answer.context;
  const attributes = Object.entries(c.attributes ?? {});
  fill(body,
    h('dl', { class: 'profile' },
      c.displayName ? [h('dt', null, 'Name'), h('dd', { class: 'crm-name' }, c.displayName)] : null,
      c.customerId ? [h('dt', null, 'Customer'), h('dd', null, c.customerId)] : null,
      attributes.map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))])),
    records('Open orders', c.orders),
    records('Open cases', c.cases),
    h('p', { class: 'muted' }, `As of ${when(answer.fetchedAt)} · `, again));
}

/**
 * @param {string} title
 * @param {any[] | undefined} list
 */
function records(title, list) {
  if (!list?.length) return null;
  return [h('h4', null, title), h('ul', { class: 'crm-records' }, list.map((r) => {
    const href = safeUrl(r.url);
    const label = `${r.id}: ${r.title}`;
    return h('li', null, href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : label, r.status ? h('span', { class: 'muted' }, ` · ${r.status}`) : null);
  }))];
}

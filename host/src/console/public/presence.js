// @ts-check
/* global document, window */
/**
 * The console's presence switch (online, away, offline — it ends with the session) and the SLA
 * badges on the inbox rows (running, due soon, breached). Both talk to the assignment feature's
 * console routes; when that feature is not mounted they stay out of the way.
 */
import { call } from './api.js';
import { h } from './dom.js';

const LABELS = /** @type {const} */ ({ online: 'Online', away: 'Away', offline: 'Offline' });
/** @type {Map<string, { state: string; dueAt: string; policy: string }>} */
let timers = new Map();
/** A breach happens without any message: the badges are read again every minute too. */
let refresh = 0;

/**
 * The presence switch for the top bar: shows the agent's status and sets it on change.
 * @param {string} agentId - the signed-in agent
 * @returns {HTMLElement} a labelled select, hidden until the status is known
 */
export function presenceSwitch(agentId) {
  const select = /** @type {HTMLSelectElement} */ (h('select', { id: 'presence', 'aria-label': 'Your presence', class: 'presence' },
    ...Object.entries(LABELS).map(([value, label]) => h('option', { value }, label))));
  const wrap = h('span', { class: 'presence-wrap', hidden: true }, select);
  const show = (/** @type {string} */ status) => { select.value = status; wrap.setAttribute('data-status', status); wrap.hidden = false; };
  call('/presence').then((/** @type {any} */ board) => {
    if (!refresh) refresh = window.setInterval(() => { void markSla(); }, 60_000);
    show(board.items.find((/** @type {any} */ p) => p.agentId === agentId)?.status ?? 'offline');
  }, () => { /* no assignment feature: no switch */ });
  select.addEventListener('change', async () => {
    try { show((await call('/presence', { method: 'PUT', body: { status: select.value } })).status); } catch { select.value = wrap.getAttribute('data-status') ?? 'offline'; }
  });
  return wrap;
}

/**
 * Reads the SLA timers and puts a badge on each inbox row that has one.
 * @returns {Promise<void>}
 */
export async function markSla() {
  try {
    const { items } = await call('/sla');
    timers = new Map(items.map((/** @type {any} */ t) => [t.conversationId, t]));
  } catch { return; }
  for (const a of document.querySelectorAll('#inbox-list a[data-id]')) {
    a.querySelector('.sla-badge')?.remove();
    const t = timers.get(a.getAttribute('data-id') ?? '');
    if (!t) continue;
    const due = new Date(t.dueAt);
    const text = t.state === 'breached' ? 'SLA breached' : t.state === 'due' ? 'Reply due soon' : `Reply by ${due.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    a.querySelector('.tags')?.append(h('span', { class: `sla-badge sla-${t.state}`, title: `${t.policy} due ${due.toLocaleString()}` }, text));
  }
}

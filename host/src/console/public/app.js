// @ts-check
/* global document, window, setTimeout, clearTimeout, Blob, URL, URLSearchParams, confirm, CSS, FormData */
/**
 * The agent console: login, inbox, conversation view with a policy-aware reply box, contact
 * panel, supervisor view. State lives in one object; views re-render from it; live updates
 * arrive as Server-Sent Events and trigger targeted reloads (there is no polling loop; an open
 * conversation showing files is read again before their short-lived links expire).
 */
import { ApiError, call, idempotencyKey, subscribe, upload } from './api.js';
import { channelIcon, channelName, duration, fill, h, safeUrl, short, unreadBadge, when } from './dom.js';
import { bytes, MediaShelf, showAttachment } from './media.js';
import { renderMessage } from './messages.js';
import { searchBox } from './search.js';
import { markSla, presenceSwitch } from './presence.js';
import { crmContextSection } from './crm-panel.js';
import { renderedSavedReply } from './knowledge.js';

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));

/**
 * A file the agent attached to the reply: uploaded as soon as it is chosen (`id` once stored).
 * @typedef {{ file: File, conversationId: string, id?: string, kind?: string, error?: string, asDocument: boolean, previewUrl?: string }} Attachment
 */

/** @type {{ meta: any, filter: Record<string, string>, rows: any[], current: any, contact: any, source: any, live: boolean, timers: Record<string, any>, shelf: MediaShelf, attachment: Attachment | null }} */
const state = {
  meta: null,
  filter: { status: 'active', assignee: 'all', queue: '', channel: '' },
  rows: [], current: null, contact: null, source: null, live: false, timers: {},
  shelf: new MediaShelf(), attachment: null,
};

/** @param {string} text */
function announce(text) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 30);
}

/** @param {unknown} e */
function errorText(e) {
  if (e instanceof ApiError) {
    if (e.status === 404 && e.details?.kind === 'route') return 'This is not available on this host yet.';
    const reasons = e.details?.reasons;
    if (Array.isArray(reasons) && reasons.length) return reasons.map((r) => r.message).join('; ');
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** @param {unknown} e */
function showError(e) {
  if (e instanceof ApiError && e.status === 401) { showLogin(); return; }
  const box = document.getElementById('toast');
  const text = errorText(e);
  if (box) { fill(box, h('p', null, text, ' ', h('button', { type: 'button', class: 'link', onclick: () => fill(box) }, 'Dismiss'))); }
  announce(text);
}

/** Runs a task later, once, however often it is asked for (coalesces bursts of events). @param {string} key @param {() => Promise<unknown>} task */
function soon(key, task, ms = 120) {
  clearTimeout(state.timers[key]);
  state.timers[key] = setTimeout(() => { task().catch(showError); }, ms);
}

const isAtLeast = (/** @type {string} */ role, /** @type {string} */ needed) => ['agent', 'supervisor', 'admin'].indexOf(role) >= ['agent', 'supervisor', 'admin'].indexOf(needed);

// ---------------------------------------------------------------- login

function showLogin(message = '') {
  state.source?.close();
  state.source = null;
  const params = new URLSearchParams(window.location.search);
  const tenant = params.get('tenant') ?? '';
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert' }, message);
  const tenantRow = h('p', { class: 'field', hidden: !tenant },
    h('label', { for: 'login-tenant' }, 'Organisation (tenant id)'), h('input', { id: 'login-tenant', name: 'tenant', autocomplete: 'organization', value: tenant }));
  /** @param {ApiError} e */
  const retryText = (e) => {
    const seconds = Math.max(1, Math.ceil(Number(e.details?.retryAfterMs ?? 1000) / 1000));
    if (e.details?.reason === 'busy' || e.details?.reason === 'overloaded') return `Your login is still being checked. Try again in ${seconds} s.`;
    return `Too many failed attempts. Try again in ${seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`}.`;
  };
  const form = h('form', { class: 'login card', 'aria-labelledby': 'login-title', 'aria-describedby': 'login-error', onsubmit: async (/** @type {Event} */ ev) => {
    ev.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (form));
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button'));
    button.disabled = true;
    try {
      await call('/login', { body: { email: data.get('email'), password: data.get('password'), ...(data.get('tenant') ? { tenant: data.get('tenant') } : {}) } });
      await boot();
    } catch (e) {
      if (e instanceof ApiError && e.details?.field === 'tenant') { tenantRow.hidden = false; /** @type {HTMLElement} */ (tenantRow.querySelector('input')).focus(); }
      fill(error, e instanceof ApiError && (e.status === 429 || e.status === 503) ? retryText(e) : errorText(e));
    } finally { button.disabled = false; }
  } },
  h('h1', { id: 'login-title' }, 'Switchboard console'),
  h('p', { class: 'muted' }, 'Sign in with your agent account.'),
  tenantRow,
  h('p', { class: 'field' }, h('label', { for: 'login-email' }, 'E-mail'), h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true })),
  h('p', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  error,
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  fill(root, h('main', { id: 'main', class: 'login-page' }, form));
  root.removeAttribute('aria-busy');
  /** @type {HTMLElement} */ (form.querySelector('#login-email')).focus();
}

// ---------------------------------------------------------------- shell

async function boot() {
  try {
    await call('/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { showLogin(); return; }
    throw e;
  }
  state.meta = await call('/meta');
  const me = state.meta.agent;
  const status = h('span', { id: 'live', class: 'live off', role: 'status' }, 'Connecting…');
  fill(root,
    h('header', { class: 'topbar' },
      h('span', { class: 'brand' }, 'Switchboard'), h('span', { class: 'tenant' }, state.meta.tenant.name),
      h('nav', { 'aria-label': 'Console' },
        h('a', { href: '#/inbox', id: 'nav-inbox' }, 'Inbox'),
        isAtLeast(me.role, 'supervisor') ? h('a', { href: '#/supervisor', id: 'nav-supervisor' }, 'Team') : null),
      status,
      presenceSwitch(me.id),
      h('span', { class: 'me' }, `${me.name} · ${me.role}`),
      h('button', { type: 'button', class: 'link', onclick: async () => { await call('/logout', { method: 'POST' }).catch(() => {}); showLogin('You are signed out.'); } }, 'Sign out')),
    h('div', { id: 'toast', class: 'toast', role: 'alert' }),
    h('main', { id: 'main', tabindex: '-1' }));
  root.removeAttribute('aria-busy');
  connect();
  window.onhashchange = () => { route().catch(showError); };
  await route();
}

function connect() {
  state.source?.close();
  state.source = subscribe({
    inbound: (d) => {
      soon('inbox', loadInbox);
      if (state.current && (d.conversationId === state.current.conversation.id || d.contactId === state.current.conversation.contactId)) soon('conversation', reloadConversation);
      announce('New customer message');
    },
    status: (d) => {
      soon('inbox', loadInbox);
      if (state.current && state.current.conversations.some((/** @type {any} */ c) => c.id === d.conversationId)) soon('conversation', reloadConversation);
    },
    conversation: (d) => {
      soon('inbox', loadInbox);
      if (state.current?.conversation.id === d.conversation.id) soon('conversation', reloadConversation);
    },
    consent: (d) => { if (state.contact?.contact.id === d.contactId) soon('contact', loadContact); },
    logout: () => showLogin('Your session ended. Sign in again.'),
  }, (live) => {
    state.live = live;
    const el = document.getElementById('live');
    if (el) { el.className = `live ${live ? 'on' : 'off'}`; el.textContent = live ? 'Live' : 'Reconnecting…'; }
    // anything missed while the stream was down is read again once it is back
    if (live) { soon('inbox', loadInbox); if (state.current) soon('conversation', reloadConversation); }
  });
}

async function route() {
  const hash = window.location.hash || '#/inbox';
  for (const a of document.querySelectorAll('nav a')) a.removeAttribute('aria-current');
  if (hash.startsWith('#/supervisor')) {
    document.getElementById('nav-supervisor')?.setAttribute('aria-current', 'page');
    state.current = null;
    await showSupervisor();
    return;
  }
  document.getElementById('nav-inbox')?.setAttribute('aria-current', 'page');
  ensureWorkspace();
  await loadInbox();
  const m = /^#\/c\/([^/]+)$/.exec(hash);
  // on a narrow screen one pane shows at a time: the list, or the conversation (its contact below it)
  document.getElementById('workspace')?.setAttribute('data-pane', m ? 'conversation' : 'list');
  if (m) await openConversation(decodeURIComponent(m[1] ?? ''));
  else { state.current = null; state.contact = null; showEmptyConversation(); }
}

// ---------------------------------------------------------------- inbox

function ensureWorkspace() {
  if (document.getElementById('workspace')) return;
  const meta = state.meta;
  const select = (/** @type {string} */ id, /** @type {string} */ label, /** @type {string} */ key, /** @type {[string, string][]} */ options) =>
    h('p', { class: 'field compact' }, h('label', { for: id }, label),
      h('select', { id, value: state.filter[key], onchange: (/** @type {Event} */ e) => { state.filter[key] = /** @type {HTMLSelectElement} */ (e.target).value; loadInbox().catch(showError); } },
        options.map(([v, t]) => h('option', { value: v }, t))));
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter conversations', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
    select('f-status', 'Status', 'status', [['active', 'Active'], ['open', 'Open'], ['pending', 'Pending'], ['resolved', 'Resolved'], ['all', 'All']]),
    select('f-assignee', 'Assignee', 'assignee', [['all', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned (queues)'], ['bot', 'Bot'], ...meta.agents.filter((/** @type {any} */ a) => a.id !== meta.agent.id).map((/** @type {any} */ a) => [a.id, a.name])]),
    select('f-queue', 'Queue', 'queue', [['', 'All queues'], ...meta.queues.map((/** @type {string} */ q) => [q, q])]),
    select('f-channel', 'Channel', 'channel', [['', 'All channels'], ...meta.channels.map((/** @type {any} */ c) => [c.channel, c.displayName])]));
  const list = h('ul', { id: 'inbox-list', class: 'inbox-list', 'aria-label': 'Conversations', onkeydown: listKeys });
  const search = searchBox({ list: () => document.getElementById('inbox-list'), filters: () => state.filter, onError: showError });
  fill(/** @type {HTMLElement} */ (document.getElementById('main')),
    h('div', { id: 'workspace', class: 'workspace' },
      h('section', { class: 'inbox', 'aria-labelledby': 'inbox-title' }, h('h2', { id: 'inbox-title' }, 'Inbox ', h('span', { id: 'inbox-count', class: 'count' })), search.box, filters, list, search.results),
      h('section', { id: 'conversation', class: 'conversation', 'aria-label': 'Conversation' }),
      h('aside', { id: 'contact', class: 'contact-panel', 'aria-label': 'Contact' })));
}

/** Arrow keys move between conversations; Home/End jump. @param {KeyboardEvent} e */
function listKeys(e) {
  const links = [...document.querySelectorAll('#inbox-list a')];
  const i = links.indexOf(/** @type {Element} */ (document.activeElement));
  let next = -1;
  if (e.key === 'ArrowDown') next = Math.min(links.length - 1, i + 1);
  else if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = links.length - 1;
  if (next >= 0 && links[next]) { e.preventDefault(); /** @type {HTMLElement} */ (links[next]).focus(); }
}

function assigneeText(/** @type {any} */ row) {
  const a = row.assignee;
  if (a.kind === 'agent') return a.agentId === state.meta.agent.id ? 'You' : row.assigneeName ?? 'Agent';
  if (a.kind === 'queue') return `Queue ${a.queue}`;
  if (a.kind === 'bot') return `Bot ${a.handler}`;
  if (a.kind === 'forward') return 'Forwarded';
  return 'Nobody';
}

async function loadInbox() {
  const list = document.getElementById('inbox-list');
  if (!list) return;
  const q = new URLSearchParams(Object.entries(state.filter).filter(([, v]) => v));
  const { items } = await call(`/inbox?${q}`);
  state.rows = items;
  const focused = document.activeElement?.closest?.('#inbox-list a')?.getAttribute('data-id');
  const current = state.current?.conversation.id;
  fill(/** @type {HTMLElement} */ (document.getElementById('inbox-count')), `(${items.length})`);
  fill(list, items.length === 0 ? h('li', { class: 'empty muted' }, 'No conversations match.') : items.map((/** @type {any} */ r) =>
    h('li', null, h('a', {
      href: `#/c/${encodeURIComponent(r.id)}`, class: `row status-${r.status}${r.unread ? ' unread' : ''}`, 'data-id': r.id,
      'aria-current': r.id === current ? 'true' : null,
      'aria-label': `${r.contactName} on ${channelName(r.channel)}, ${r.status}, ${assigneeText(r)}${r.unread ? `, ${r.unread} unread` : ''}: ${r.preview}`,
    },
    channelIcon(r.channel),
    h('span', { class: 'name' }, r.contactName),
    h('time', { class: 'time', datetime: r.lastMessageAt ?? r.updatedAt }, short(r.lastMessageAt ?? r.updatedAt)),
    h('span', { class: 'preview' }, r.lastDirection === 'outbound' ? '↪ ' : '', r.preview),
    h('span', { class: 'tags' }, h('span', { class: `status status-${r.status}` }, r.status), h('span', { class: 'assignee' }, assigneeText(r))),
    r.unread ? h('span', { class: 'unread-count', 'aria-hidden': 'true' }, unreadBadge(r.unread)) : null))));
  if (focused) /** @type {HTMLElement | null} */ (list.querySelector(`a[data-id="${CSS.escape(focused)}"]`))?.focus();
  void markSla();
}

function showEmptyConversation() {
  const pane = document.getElementById('conversation');
  if (pane) fill(pane, h('p', { class: 'placeholder muted' }, 'Choose a conversation. Use the arrow keys in the list, Enter to open.'));
  const side = document.getElementById('contact');
  if (side) fill(side);
}

// ---------------------------------------------------------------- conversation

async function openConversation(/** @type {string} */ id) {
  const data = await call(`/conversations/${encodeURIComponent(id)}`);
  // an attachment not sent stays with the conversation it was chosen for: it is removed
  if (state.attachment) void dropAttachment(true);
  state.shelf.clear();
  state.current = data;
  buildConversation();
  renderConversation();
  await loadContact();
  soon('inbox', loadInbox, 0);
}

async function reloadConversation() {
  if (!state.current) return;
  state.current = await call(`/conversations/${encodeURIComponent(state.current.conversation.id)}`);
  renderConversation();
}

/** Builds the pane once per conversation, so re-renders keep what the agent is typing. */
function buildConversation() {
  const pane = /** @type {HTMLElement} */ (document.getElementById('conversation'));
  const c = state.current.conversation;
  const settings = state.meta.settings;
  const reply = h('textarea', { id: 'reply', name: 'reply', rows: '3', 'aria-describedby': 'policy window-status', placeholder: 'Type a reply… (Ctrl+Enter sends)',
    oninput: () => soon('evaluate', () => evaluateText(false), 350),
    onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); sendText().catch(showError); } } });
  const quick = settings.quickReplies.length ? h('p', { class: 'field compact' }, h('label', { for: 'quick-replies' }, 'Saved replies'),
    h('select', { id: 'quick-replies', onchange: (/** @type {Event} */ e) => {
      const sel = /** @type {HTMLSelectElement} */ (e.target);
      const qr = settings.quickReplies.find((/** @type {any} */ q) => q.id === sel.value);
      if (qr) {
        sel.value = '';
        renderedSavedReply(c.id, qr).then((r) => { insertText(r.text); if (r.note) announce(r.note); }).catch(showError);
      }
    } }, h('option', { value: '' }, 'Insert a saved reply…'), settings.quickReplies.map((/** @type {any} */ q) => h('option', { value: q.id }, q.title)))) : null;
  const transferTargets = [
    h('optgroup', { label: 'Agents' }, state.meta.agents.filter((/** @type {any} */ a) => a.id !== state.meta.agent.id).map((/** @type {any} */ a) => h('option', { value: `agent:${a.id}` }, a.name))),
    h('optgroup', { label: 'Queues' }, state.meta.queues.map((/** @type {string} */ q) => h('option', { value: `queue:${q}` }, q))),
  ];
  fill(pane,
    h('header', { class: 'conv-header' },
      h('a', { href: '#/inbox', id: 'back-to-inbox', class: 'back' }, '← Inbox'),
      h('div', { id: 'conv-title', class: 'conv-title' }),
      h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Conversation actions' },
        h('button', { type: 'button', id: 'act-take', onclick: () => act('assign', {}, 'You took the conversation') }, 'Take'),
        h('label', { for: 'transfer-to', class: 'visually-hidden' }, 'Transfer to'),
        h('select', { id: 'transfer-to' }, transferTargets),
        h('button', { type: 'button', id: 'act-transfer', onclick: () => {
          const v = /** @type {HTMLSelectElement} */ (document.getElementById('transfer-to')).value;
          const [kind, target] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
          return act('transfer', kind === 'agent' ? { agentId: target } : { queue: target }, 'Transferred');
        } }, 'Transfer'),
        h('button', { type: 'button', id: 'act-bot', onclick: () => act('handback', {}, 'Handed back to the bot') }, 'Hand back to bot'),
        h('button', { type: 'button', id: 'act-resolve', onclick: () => act('resolve', {}, 'Resolved') }, 'Resolve'),
        h('button', { type: 'button', id: 'act-reopen', onclick: () => act('reopen', {}, 'Reopened') }, 'Reopen'))),
    h('ol', { id: 'transcript', class: 'transcript', 'aria-label': `Messages with ${c.address.userId}`, tabindex: '0', onscroll: keepAtBottom }),
    h('form', { id: 'composer', class: 'composer', 'aria-label': 'Compose a reply', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); sendText().catch(showError); } },
      h('p', { id: 'window-status', class: 'window' }),
      h('label', { for: 'reply' }, 'Reply'),
      reply,
      h('div', { class: 'attach' },
        h('label', { for: 'attach-file' }, 'Attach a file'),
        h('input', { id: 'attach-file', type: 'file', 'aria-describedby': 'attach-hint', onchange: (/** @type {Event} */ e) => {
          const input = /** @type {HTMLInputElement} */ (e.target);
          const file = input.files?.[0];
          if (file) attachFile(file).catch(showError);
        } }),
        h('p', { id: 'attach-hint', class: 'muted hint' }, 'A picture, video, audio or document; the reply text is sent as its caption.'),
        h('div', { id: 'attachment', class: 'attachment', hidden: true })),
      h('div', { class: 'composer-tools' }, quick, h('div', { id: 'kb', class: 'kb' })),
      h('div', { id: 'policy', class: 'policy', role: 'status', 'aria-live': 'polite' }),
      h('div', { id: 'alternatives', class: 'alternatives' }),
      h('p', { class: 'buttons' }, h('button', { type: 'submit', id: 'send', class: 'primary' }, 'Send'))));
}

/**
 * A transcript read at its end stays at its end while pictures and players load below (they grow
 * after the render that scrolled down); one the agent scrolled up in stays where it is.
 * @param {Event} [e] - a scroll of the transcript (else a picture or player in it loaded)
 */
function keepAtBottom(e) {
  const t = /** @type {HTMLElement | null} */ (document.getElementById('transcript'));
  if (!t) return;
  if (e?.type === 'scroll') { t.dataset.stick = String(t.scrollHeight - t.scrollTop - t.clientHeight < 40); return; }
  if (t.dataset.stick === 'true') t.scrollTop = t.scrollHeight;
}

/** @param {string} text */
function insertText(text) {
  const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('reply'));
  const at = box.selectionStart ?? box.value.length;
  box.value = `${box.value.slice(0, at)}${text}${box.value.slice(box.selectionEnd ?? at)}`;
  box.focus();
  soon('evaluate', () => evaluateText(false), 200);
}

function renderConversation() {
  const d = state.current;
  const c = d.conversation;
  const mine = c.assignee.kind === 'agent' && c.assignee.agentId === state.meta.agent.id;
  const row = state.rows.find((r) => r.id === c.id);
  fill(/** @type {HTMLElement} */ (document.getElementById('conv-title')),
    channelIcon(c.address.channel),
    h('h2', null, d.contact?.profile?.name || `${channelName(c.address.channel)} ${c.address.userId}`),
    h('span', { class: `status status-${c.status}` }, c.status),
    h('span', { class: 'assignee', id: 'conv-assignee' }, assigneeText({ assignee: c.assignee, assigneeName: row?.assigneeName ?? state.meta.agents.find((/** @type {any} */ a) => a.id === c.assignee.agentId)?.name })),
    d.conversations.length > 1 ? h('span', { class: 'muted' }, ` · history from ${d.conversations.length} channels`) : null);
  /** @type {HTMLButtonElement} */ (document.getElementById('act-take')).disabled = mine;
  /** @type {HTMLButtonElement} */ (document.getElementById('act-transfer')).disabled = !(c.assignee.kind === 'agent' || c.assignee.kind === 'queue');
  /** @type {HTMLButtonElement} */ (document.getElementById('act-resolve')).hidden = c.status === 'resolved';
  /** @type {HTMLButtonElement} */ (document.getElementById('act-reopen')).hidden = c.status !== 'resolved';
  /** @type {HTMLButtonElement} */ (document.getElementById('act-bot')).disabled = c.assignee.kind === 'bot' || state.meta.bots.length === 0;

  const transcript = /** @type {HTMLElement} */ (document.getElementById('transcript'));
  const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  const multi = d.conversations.length > 1;
  state.shelf.begin();
  fill(transcript, d.history.length ? d.history.map((/** @type {any} */ m) => renderMessage(m, { multiChannel: multi, currentId: c.id, shelf: state.shelf })) : h('li', { class: 'muted' }, 'No messages yet.'));
  state.shelf.end();
  if (atBottom || transcript.dataset.for !== c.id) transcript.scrollTop = transcript.scrollHeight;
  transcript.dataset.stick = String(atBottom || transcript.dataset.for !== c.id);
  if (transcript.dataset.for !== c.id) {
    // media events do not bubble: listened for on the way down
    transcript.addEventListener('load', () => keepAtBottom(), true);
    transcript.addEventListener('loadedmetadata', () => keepAtBottom(), true);
  }
  transcript.dataset.for = c.id;
  // the files' links are short-lived: read the conversation again before the first one expires
  clearTimeout(state.timers.mediaLinks);
  if (Number.isFinite(state.shelf.refreshAt)) state.timers.mediaLinks = setTimeout(() => { reloadConversation().catch(showError); }, Math.max(1_000, state.shelf.refreshAt - Date.now()));

  renderWindow(d.composer.window);
  const kb = /** @type {HTMLElement} */ (document.getElementById('kb'));
  const links = d.composer.suggestions.length ? d.composer.suggestions : [];
  fill(kb, links.length ? [h('p', { class: 'kb-title' }, 'Suggested articles'), h('ul', null, links.map((/** @type {any} */ l) => {
    const url = safeUrl(l.url);
    return h('li', null, url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, l.title) : l.title, ' ',
      url ? h('button', { type: 'button', class: 'link', onclick: () => insertText(`${l.title}: ${url}`), 'aria-label': `Insert link to ${l.title}` }, 'Insert link') : null);
  }))] : state.meta.settings.knowledgeBase.length ? [h('label', { for: 'kb-all' }, 'Knowledge base'), h('select', { id: 'kb-all', onchange: (/** @type {Event} */ e) => {
    const sel = /** @type {HTMLSelectElement} */ (e.target);
    const l = state.meta.settings.knowledgeBase.find((/** @type {any} */ k) => k.id === sel.value);
    const url = l && safeUrl(l.url);
    if (l && url) insertText(`${l.title}: ${url}`);
    sel.value = '';
  } }, h('option', { value: '' }, 'Insert an article link…'), state.meta.settings.knowledgeBase.map((/** @type {any} */ l) => h('option', { value: l.id }, l.title)))] : []);
  // the situation may have changed (a new customer message reopens the window): ask again
  const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('reply'));
  if (box.value.trim() || state.attachment) soon('evaluate', () => evaluateText(false), 50);
  else if (!d.composer.window.open) showClosedHint(d.composer);
  else { fill(/** @type {HTMLElement} */ (document.getElementById('policy'))); fill(/** @type {HTMLElement} */ (document.getElementById('alternatives'))); }
}

/** @param {any} w */
function renderWindow(w) {
  const el = /** @type {HTMLElement} */ (document.getElementById('window-status'));
  el.className = `window ${w.open ? 'open' : 'closed'}`;
  if (w.hours === undefined) fill(el, 'This channel has no service window.');
  else if (!w.closesAt) fill(el, `The customer has not written yet: only approved templates may start this conversation.`);
  else if (w.open) fill(el, `Service window open until ${when(w.closesAt)} (${w.hours} h after the customer's last message).`);
  else fill(el, h('strong', null, 'Service window closed'), ` at ${when(w.closesAt)}.`);
}

/** Shown when the window is closed before the agent types: what may still be sent. @param {any} composer */
function showClosedHint(composer) {
  renderAlternatives({ templates: composer.templates, tags: composer.window.agentTags.filter((/** @type {any} */ t) => t.usable).map((/** @type {any} */ t) => ({ tag: t.tag, allowed: true })) }, false);
}

/** The engine states times in UTC ISO form: show them in the agent's time zone. @param {string} text */
function localTimes(text) {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (iso) => when(iso));
}

/** @param {string} code */
function reasonTitle(code) {
  return ({
    WINDOW_CLOSED: 'Window closed', TEMPLATE_REQUIRED: 'Template required', NO_CONSENT: 'No consent', OPTED_OUT: 'Opted out', BLOCKED: 'Blocked by the customer',
    CONVERSATION_CLOSED: 'Closed by the customer', USER_MUST_INITIATE: 'Customer must write first', TAG_NOT_ALLOWED: 'Tag not allowed', TEMPLATE_NOT_APPROVED: 'Template not approved',
    RATE_LIMITED: 'Rate limited', CONTENT_UNSUPPORTED: 'Not supported on this channel', TEXT_TOO_LONG: 'Too long', QUIET_HOURS: 'Quiet hours',
  })[code] ?? code;
}

/**
 * The reply as the console API takes it: the attached file with the text as its caption, else the text.
 * @param {string} [tag] - a message tag for outside the window
 * @returns {Record<string, unknown> | undefined} nothing while there is nothing to send (or the file is still uploading)
 */
function draftBody(tag) {
  const text = /** @type {HTMLTextAreaElement} */ (document.getElementById('reply')).value;
  const a = state.attachment;
  if (a) {
    if (!a.id) return undefined;
    return { kind: 'media', storedId: a.id, ...(text.trim() ? { caption: text } : {}), sendAs: a.asDocument ? 'document' : 'auto', ...(tag ? { tag } : {}) };
  }
  return text.trim() ? { kind: 'text', text, ...(tag ? { tag } : {}) } : undefined;
}

/**
 * Asks the policy engine about the reply: the typed text, or the attached file with its caption.
 * @param {boolean} forSend
 * @returns {Promise<boolean>} whether it may be sent
 */
async function evaluateText(forSend) {
  if (!state.current) return false;
  const policy = /** @type {HTMLElement} */ (document.getElementById('policy'));
  const body = draftBody();
  if (!body) { fill(policy); if (state.current.composer.window.open) fill(/** @type {HTMLElement} */ (document.getElementById('alternatives'))); return false; }
  const r = await call(`/conversations/${encodeURIComponent(state.current.conversation.id)}/evaluate`, { body });
  renderWindow(r.window);
  if (r.allowed) {
    fill(policy, h('p', { class: 'ok' }, '✓ Can be sent', r.form?.kind === 'tag' ? ` with tag ${r.form.tag}` : '', r.price?.amount ? ` · ${r.price.amount} ${r.price.currency}` : ''));
    fill(/** @type {HTMLElement} */ (document.getElementById('alternatives')));
  } else {
    fill(policy, h('div', { class: 'denied' }, h('p', null, h('strong', null, forSend ? 'Not sent: ' : 'Cannot be sent: '), 'the policy refuses this message.'),
      h('ul', { class: 'reasons' }, r.reasons.map((/** @type {any} */ x) => h('li', { 'data-code': x.code }, h('strong', null, reasonTitle(x.code)), ` — ${localTimes(x.message)}`, h('span', { class: 'muted' }, ` (${x.source})`))))));
    renderAlternatives(r.alternatives, true);
  }
  /** @type {HTMLButtonElement} */ (document.getElementById('send')).disabled = !r.allowed;
  return r.allowed;
}

/** @param {{ templates: any[], tags: any[] }} alt @param {boolean} afterDenial */
function renderAlternatives(alt, afterDenial) {
  const el = /** @type {HTMLElement} */ (document.getElementById('alternatives'));
  if (!alt.templates.length && !alt.tags.length) {
    fill(el, afterDenial ? h('p', { class: 'muted' }, 'Nothing else may be sent now: wait for the customer to write.') : null);
    return;
  }
  const parts = [];
  for (const t of alt.tags) {
    parts.push(h('p', null, h('button', { type: 'button', class: 'secondary', 'data-tag': t.tag, onclick: () => sendText(t.tag).catch(showError) }, `Send with the ${t.tag} tag`),
      h('span', { class: 'muted' }, t.tag === 'HUMAN_AGENT' ? ' allowed for a human agent within 7 days of the customer\'s last message' : '')));
  }
  if (alt.templates.length) {
    const params = h('div', { id: 'template-params', class: 'template-params' });
    const previewEl = h('p', { id: 'template-preview', class: 'template-preview', 'aria-live': 'polite' });
    const select = h('select', { id: 'template-select', onchange: () => showTemplate() }, alt.templates.map((t) => h('option', { value: t.id }, `${t.name} (${t.language}, ${t.category})`)));
    const showTemplate = () => {
      const t = alt.templates.find((x) => x.id === /** @type {HTMLSelectElement} */ (select).value);
      if (!t) return;
      const update = () => {
        let text = t.body;
        for (const p of t.placeholders) {
          const v = /** @type {HTMLInputElement | null} */ (document.getElementById(`tp-${p}`))?.value;
          text = text.split(`{{${p}}}`).join(v || `{{${p}}}`);
        }
        fill(previewEl, text);
      };
      fill(params, t.placeholders.map((/** @type {string} */ p) => h('p', { class: 'field compact' }, h('label', { for: `tp-${p}` }, `Parameter {{${p}}}`), h('input', { id: `tp-${p}`, 'data-placeholder': p, required: true, oninput: update }))));
      update();
    };
    parts.push(h('fieldset', { class: 'templates' }, h('legend', null, afterDenial ? 'Send an approved template instead' : 'Approved templates'),
      h('p', { class: 'field compact' }, h('label', { for: 'template-select' }, 'Template'), select), params, previewEl,
      h('button', { type: 'button', id: 'send-template', class: 'primary', onclick: () => sendTemplate().catch(showError) }, 'Send template')));
    setTimeout(showTemplate, 0);
  }
  fill(el, parts);
}

/** Sends the reply (text, or the attached file with the text as its caption). @param {string} [tag] - a message tag for outside the window */
async function sendText(tag) {
  const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('reply'));
  const body = draftBody(tag);
  if (!body) {
    if (state.attachment && !state.attachment.id) showError(new Error(state.attachment.error ?? 'Wait until the file is uploaded.'));
    else box.focus();
    return;
  }
  if (!tag && !(await evaluateText(true))) return;
  await send(body);
  box.value = '';
  if (body.kind === 'media') void dropAttachment(false);
  fill(/** @type {HTMLElement} */ (document.getElementById('policy')), h('p', { class: 'ok' }, tag ? `Sent with the ${tag} tag.` : 'Sent.'));
  fill(/** @type {HTMLElement} */ (document.getElementById('alternatives')));
}

const KIND_NAMES = /** @type {Record<string, string>} */ ({ image: 'picture', video: 'video', audio: 'audio file', document: 'document' });

/** @param {File} file @returns {string} the kind the host will find for it (by its declared type; the bytes decide) */
function kindOf(file) {
  const family = (file.type || '').split('/')[0];
  return family === 'image' || family === 'video' || family === 'audio' ? family : 'document';
}

/** Shows the attachment and its controls (or hides the area when there is none). */
function renderAttachment() {
  const el = /** @type {HTMLElement} */ (document.getElementById('attachment'));
  const a = state.attachment;
  if (!a) { fill(el); el.hidden = true; return; }
  el.hidden = false;
  const info = h('p', { class: 'attachment-info' });
  showAttachment(info, a.file, a.error ? `— ${a.error}` : a.id ? '— ready to send' : '— uploading…', a.previewUrl);
  if (a.error) info.classList.add('error');
  fill(el, info,
    a.id && a.kind !== 'document' ? h('p', { class: 'field inline' },
      h('input', { id: 'attach-as-document', type: 'checkbox', checked: a.asDocument, onchange: (/** @type {Event} */ e) => {
        a.asDocument = /** @type {HTMLInputElement} */ (e.target).checked;
        soon('evaluate', () => evaluateText(false), 0);
      } }),
      h('label', { for: 'attach-as-document' }, `Send as a document (not as a ${KIND_NAMES[a.kind ?? 'document'] ?? 'file'})`)) : null,
    h('p', { class: 'buttons' }, h('button', { type: 'button', id: 'attach-remove', class: 'link', onclick: () => { void dropAttachment(true).then(() => evaluateText(false)).catch(showError); } }, `Remove ${a.file.name}`)));
}

/**
 * Attaches a file: checked against the tenant's size limit, then uploaded at once (so a refusal
 * shows before the agent presses Send), then the reply is evaluated with it.
 * @param {File} file
 */
async function attachFile(file) {
  if (!state.current) return;
  if (state.attachment) await dropAttachment(true);
  const conversationId = state.current.conversation.id;
  const kind = kindOf(file);
  /** @type {Attachment} */
  const a = { file, conversationId, asDocument: false, ...(kind === 'image' ? { previewUrl: URL.createObjectURL(file) } : {}) };
  state.attachment = a;
  const max = state.current.composer.mediaMaxBytes?.[kind];
  if (typeof max === 'number' && file.size > max) {
    a.error = `larger than the ${bytes(max)} allowed for a ${KIND_NAMES[kind]}`;
    renderAttachment();
    announce(`Not attached: ${file.name} is ${a.error}.`);
    return;
  }
  renderAttachment();
  /** @type {HTMLButtonElement} */ (document.getElementById('send')).disabled = true;
  try {
    const stored = await upload(`/conversations/${encodeURIComponent(conversationId)}/media`, file, { filename: file.name });
    if (state.attachment !== a) {
      // removed, replaced or another conversation opened meanwhile: the upload is not wanted
      await call(`/conversations/${encodeURIComponent(conversationId)}/media/${encodeURIComponent(stored.id)}`, { method: 'DELETE' }).catch(() => {});
      return;
    }
    a.id = stored.id;
    a.kind = stored.kind;
    announce(`${file.name} attached`);
  } catch (e) {
    if (state.attachment !== a) return;
    a.error = errorText(e);
    announce(`Not attached: ${a.error}`);
  } finally {
    if (state.attachment === a) {
      renderAttachment();
      /** @type {HTMLButtonElement} */ (document.getElementById('send')).disabled = false;
    }
  }
  if (state.attachment === a && a.id) await evaluateText(false);
}

/**
 * Lets go of the attachment.
 * @param {boolean} unsent - the file was not sent: it is deleted from the host
 */
async function dropAttachment(unsent) {
  const a = state.attachment;
  if (!a) return;
  state.attachment = null;
  if (a.previewUrl) URL.revokeObjectURL(a.previewUrl);
  const input = /** @type {HTMLInputElement | null} */ (document.getElementById('attach-file'));
  if (input) input.value = '';
  if (document.getElementById('attachment')) renderAttachment();
  if (unsent && a.id) await call(`/conversations/${encodeURIComponent(a.conversationId)}/media/${encodeURIComponent(a.id)}`, { method: 'DELETE' }).catch(() => {});
}

async function sendTemplate() {
  const id = /** @type {HTMLSelectElement} */ (document.getElementById('template-select')).value;
  /** @type {Record<string, string>} */
  const parameters = {};
  for (const input of document.querySelectorAll('#template-params input')) {
    const el = /** @type {HTMLInputElement} */ (input);
    if (!el.value.trim()) { el.focus(); showError(new Error(`Fill in parameter {{${el.dataset.placeholder}}}`)); return; }
    parameters[el.dataset.placeholder ?? ''] = el.value;
  }
  const check = await call(`/conversations/${encodeURIComponent(state.current.conversation.id)}/evaluate`, { body: { kind: 'template', templateId: id, parameters } });
  if (!check.allowed) {
    fill(/** @type {HTMLElement} */ (document.getElementById('policy')), h('ul', { class: 'reasons' }, check.reasons.map((/** @type {any} */ x) => h('li', null, h('strong', null, reasonTitle(x.code)), ` — ${localTimes(x.message)}`))));
    return;
  }
  // the template takes the place of the draft that could not go (restored if sending fails)
  const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('reply'));
  const draft = box.value;
  box.value = '';
  try { await send({ kind: 'template', templateId: id, parameters }); } catch (e) { box.value = draft; throw e; }
  fill(/** @type {HTMLElement} */ (document.getElementById('policy')), h('p', { class: 'ok' }, 'Template sent.'));
  fill(/** @type {HTMLElement} */ (document.getElementById('alternatives')));
}

/** @param {Record<string, unknown>} body */
async function send(body) {
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('send'));
  button.disabled = true;
  try {
    await call(`/conversations/${encodeURIComponent(state.current.conversation.id)}/messages`, { body, headers: { 'idempotency-key': idempotencyKey() } });
    announce('Message sent');
    await reloadConversation();
  } finally { button.disabled = false; }
}

/** @param {string} action @param {Record<string, string>} body @param {string} done */
async function act(action, body, done) {
  try {
    state.current.conversation = await call(`/conversations/${encodeURIComponent(state.current.conversation.id)}/${action}`, { body });
    announce(done);
    await reloadConversation();
    await loadInbox();
  } catch (e) { showError(e); }
}

// ---------------------------------------------------------------- contact panel

async function loadContact() {
  const side = document.getElementById('contact');
  if (!side || !state.current?.contact) { if (side) fill(side); return; }
  const d = await call(`/contacts/${encodeURIComponent(state.current.contact.id)}`);
  state.contact = d;
  const k = d.contact;
  const me = state.meta.agent;
  const consentState = Object.entries(d.consent.state);
  const profile = Object.entries(k.profile ?? {}).filter(([key, v]) => key !== 'name' && (typeof v === 'string' || typeof v === 'number'));
  fill(side,
    h('h2', null, k.profile?.name || 'Unnamed contact'),
    crmContextSection(k.id),
    profile.length ? h('dl', { class: 'profile' }, profile.map(([key, v]) => [h('dt', null, key), h('dd', null, String(v))])) : null,
    h('section', { 'aria-labelledby': 'addr-h' }, h('h3', { id: 'addr-h' }, 'Addresses'),
      h('ul', { class: 'addresses' }, k.addresses.map((/** @type {any} */ a) => h('li', null, channelIcon(a.channel), ` ${a.userId}`, h('span', { class: 'muted' }, ` via ${a.accountId}`))))),
    h('section', { 'aria-labelledby': 'pref-h' }, h('h3', { id: 'pref-h' }, 'Consent and preferences'),
      consentState.map(([channel, s]) => {
        const st = /** @type {any} */ (s);
        return h('div', { class: 'consent-state' }, h('p', null, channelIcon(channel), ' ', h('strong', null, channelName(channel))),
          h('ul', null,
            st.grants.map((/** @type {any} */ g) => h('li', { class: 'grant' }, `✓ ${g.purpose}${g.topic ? ` (${g.topic})` : ''} since ${when(g.at)}${g.confirmed ? ', double opt-in' : ''}`)),
            st.revocations.map((/** @type {any} */ r) => h('li', { class: 'revocation' }, `✗ opted out of ${r.purpose}${r.topic ? ` (${r.topic})` : ''} on ${r.channel}, ${when(r.at)}`)),
            st.pending.map((/** @type {any} */ p) => h('li', null, `… ${p.purpose} opt-in awaiting confirmation`)),
            st.blockedAt ? h('li', { class: 'revocation' }, `Blocked the business ${when(st.blockedAt)}`) : null,
            st.spamReportedAt ? h('li', { class: 'revocation' }, `Reported spam ${when(st.spamReportedAt)}`) : null,
            st.closedAt ? h('li', null, `Closed the conversation ${when(st.closedAt)}`) : null,
            st.importantOnly ? h('li', null, 'Important messages only') : null,
            !st.grants.length && !st.revocations.length && !st.blockedAt && !st.importantOnly ? h('li', { class: 'muted' }, 'No consent recorded: replies to the customer only.') : null));
      }),
      h('details', null, h('summary', null, `Consent history (${d.consent.history.length})`),
        h('ol', { class: 'ledger' }, d.consent.history.map((/** @type {any} */ e) => h('li', null,
          h('strong', null, e.action), e.purpose ? ` ${e.purpose}` : '', e.topic ? ` (${e.topic})` : '', ` · ${channelName(e.channel)} · ${when(e.at)}`,
          h('dl', { class: 'evidence' },
            h('dt', null, 'Source'), h('dd', null, e.evidence.source),
            e.evidence.wording ? [h('dt', null, 'Wording'), h('dd', null, e.evidence.wording)] : null,
            e.evidence.text ? [h('dt', null, 'Customer wrote'), h('dd', null, e.evidence.text)] : null,
            e.evidence.privacyPolicy ? [h('dt', null, 'Privacy policy'), h('dd', null, e.evidence.privacyPolicy.version)] : null,
            e.evidence.reference ? [h('dt', null, 'Reference'), h('dd', null, e.evidence.reference)] : null,
            e.evidence.recordedBy ? [h('dt', null, 'Recorded by'), h('dd', null, e.evidence.recordedBy)] : null)))))),
    h('section', { 'aria-labelledby': 'crm-h' }, h('h3', { id: 'crm-h' }, 'CRM and tags'),
      h('form', { class: 'inline-form', onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const crm = /** @type {HTMLInputElement} */ (document.getElementById('crm-ref')).value;
        const tags = /** @type {HTMLInputElement} */ (document.getElementById('contact-tags')).value.split(',').map((t) => t.trim()).filter(Boolean);
        try { await call(`/contacts/${encodeURIComponent(k.id)}`, { method: 'PATCH', body: { crmRef: crm, tags } }); announce('Contact saved'); await loadContact(); } catch (err) { showError(err); }
      } },
      h('p', { class: 'field compact' }, h('label', { for: 'crm-ref' }, 'CRM reference'), h('input', { id: 'crm-ref', value: k.crmRef ?? '' })),
      h('p', { class: 'field compact' }, h('label', { for: 'contact-tags' }, 'Tags (comma-separated)'), h('input', { id: 'contact-tags', value: (k.tags ?? []).join(', ') })),
      h('button', { type: 'submit' }, 'Save'))),
    h('section', { 'aria-labelledby': 'notes-h' }, h('h3', { id: 'notes-h' }, 'Notes'),
      h('ul', { class: 'notes' }, d.notes.map((/** @type {any} */ n) => h('li', null, h('p', null, n.text), h('p', { class: 'muted' }, `${n.authorName}, ${when(n.at)}`)))),
      h('form', { class: 'inline-form', onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const box = /** @type {HTMLTextAreaElement} */ (document.getElementById('note-text'));
        if (!box.value.trim()) return;
        try { await call(`/contacts/${encodeURIComponent(k.id)}/notes`, { body: { text: box.value } }); box.value = ''; announce('Note added'); await loadContact(); } catch (err) { showError(err); }
      } }, h('label', { for: 'note-text' }, 'Add a note'), h('textarea', { id: 'note-text', rows: '2' }), h('button', { type: 'submit' }, 'Add note'))),
    d.canExport && isAtLeast(me.role, 'admin') ? h('section', { 'aria-labelledby': 'admin-h' }, h('h3', { id: 'admin-h' }, 'Data protection'),
      h('p', { id: 'admin-result', class: 'muted', role: 'status' }),
      h('p', { class: 'buttons' },
        h('button', { type: 'button', id: 'export-contact', onclick: () => exportContact(k.id) }, 'Export data'),
        h('button', { type: 'button', id: 'erase-contact', class: 'danger', onclick: () => eraseContact(k.id) }, 'Erase contact'))) : null);
}

/** @param {string} id */
async function exportContact(id) {
  const out = /** @type {HTMLElement} */ (document.getElementById('admin-result'));
  try {
    const data = await call(`/contacts/${encodeURIComponent(id)}/export`, { method: 'POST' });
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `contact-${id}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    fill(out, 'Export downloaded.');
  } catch (e) {
    fill(out, e instanceof ApiError && e.status === 404 && e.details?.kind === 'route' ? 'Export is not available on this host yet (the compliance API is not installed).' : `Export failed: ${errorText(e)}`);
  }
}

/** @param {string} id */
async function eraseContact(id) {
  const out = /** @type {HTMLElement} */ (document.getElementById('admin-result'));
  if (!confirm('Erase this contact and all their data? This cannot be undone.')) return;
  try {
    await call(`/contacts/${encodeURIComponent(id)}/erase`, { method: 'POST' });
    fill(out, 'Contact erased.');
    announce('Contact erased');
    window.location.hash = '#/inbox';
  } catch (e) {
    fill(out, e instanceof ApiError && e.status === 404 && e.details?.kind === 'route' ? 'Erasure is not available on this host yet (the compliance API is not installed).' : `Erasure failed: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------- supervisor

async function showSupervisor() {
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const d = await call('/supervisor');
  fill(main, h('div', { class: 'supervisor' },
    h('h2', null, 'Team'),
    h('p', { class: 'muted' }, `First response: median ${duration(d.overall.medianMs)}, average ${duration(d.overall.averageMs)} over ${d.overall.count} answered conversations (time from the conversation's start to the business's first reply).`),
    h('table', null, h('caption', null, 'Agents\' load and first-response times'),
      h('thead', null, h('tr', null, ['Agent', 'Role', 'Open', 'Pending', 'Resolved', 'Answered', 'Median first response', 'Slowest'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, d.agents.map((/** @type {any} */ a) => h('tr', null, h('th', { scope: 'row' }, a.name), h('td', null, a.role), h('td', null, a.open), h('td', null, a.pending), h('td', null, a.resolved),
        h('td', null, a.firstResponse.count), h('td', null, duration(a.firstResponse.medianMs)), h('td', null, duration(a.firstResponse.maxMs)))))),
    h('table', null, h('caption', null, 'Queues'),
      h('thead', null, h('tr', null, ['Queue', 'Waiting', 'Waiting since'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, d.queues.length ? d.queues.map((/** @type {any} */ q) => h('tr', null, h('th', { scope: 'row' }, q.queue), h('td', null, q.waiting), h('td', null, when(q.oldestWaitingSince))))
        : h('tr', null, h('td', { colspan: '3', class: 'muted' }, 'No conversation is waiting in a queue.'))))));
  main.focus();
}

boot().catch((e) => { fill(root, h('main', { id: 'main' }, h('p', { class: 'error' }, `The console could not start: ${errorText(e)}`))); });

import type { Conversation, HostMessage } from '../index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedTemplate, eventually, OTHER_KEY, readConsoleEvents, startConsoleHost, type ConsoleClient, type ConsoleHost, type SseEvent } from './__fixtures__/console-host.js';

const HOUR = 3_600_000;
let h: ConsoleHost;
let admin: ConsoleClient;
let agent: ConsoleClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startConsoleHost({
    seedAgents: [{ tenantId: 'shop', email: 'Admin@Shop.io', password: 'admin password 1', name: 'Ada Admin' }],
    seedSettings: { shop: { quickReplies: [{ id: 'hi', title: 'Greeting', text: 'Hello, this is the shop.' }], knowledgeBase: [{ id: 'r', title: 'Returns', url: 'https://kb.example/returns', keywords: ['refund'] }] } },
  });
  admin = h.browser();
  agent = h.browser();
});
afterAll(async () => { await h?.stop(); });

describe('/v1/agents', () => {
  it('creates agents with the API key, never shows the hash, refuses duplicates and weak passwords', async () => {
    expect((await h.api('/v1/agents', { key: '' })).status).toBe(401);
    const created = await h.api('/v1/agents', { method: 'POST', body: JSON.stringify({ email: 'ben@shop.io', name: 'Ben', password: 'ben password 1', role: 'agent', queues: ['support'] }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'ben@shop.io', name: 'Ben', role: 'agent', tenantId: 'shop', queues: ['support'] });
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    ids.ben = created.body.id;
    const sup = await h.api('/v1/agents', { method: 'POST', body: JSON.stringify({ email: 'cleo@shop.io', name: 'Cleo', password: 'cleo password 1', role: 'supervisor' }) });
    ids.cleo = sup.body.id;
    expect((await h.api('/v1/agents', { method: 'POST', body: JSON.stringify({ email: 'BEN@shop.io', password: 'another password' }) })).status).toBe(409);
    const weak = await h.api('/v1/agents', { method: 'POST', body: JSON.stringify({ email: 'd@shop.io', password: 'short' }) });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.field).toBe('password');
    expect((await h.api('/v1/agents', { method: 'POST', body: JSON.stringify({ email: 'e@shop.io', password: 'long enough 123', role: 'owner' }) })).status).toBe(400);
    const list = await h.api('/v1/agents');
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual(['Ada Admin', 'Ben', 'Cleo']);
    // another tenant's key sees none of them
    expect((await h.api('/v1/agents', { key: OTHER_KEY })).body.items).toEqual([]);
    expect((await h.api(`/v1/agents/${ids.ben}`, { key: OTHER_KEY })).status).toBe(404);
  });

  it('stores saved replies and knowledge-base links per tenant', async () => {
    const bad = await h.api('/v1/console/settings', { method: 'PUT', body: JSON.stringify({ knowledgeBase: [{ title: 'x', url: 'javascript:alert(1)' }] }) });
    expect(bad.status).toBe(400);
    const got = await h.api('/v1/console/settings');
    expect(got.body.quickReplies).toEqual([{ id: 'hi', title: 'Greeting', text: 'Hello, this is the shop.' }]);
  });
});

describe('login and sessions', () => {
  it('refuses wrong passwords with one message, and sets HTTP-only SameSite=Strict cookies on success', async () => {
    const wrong = await agent.login('ben@shop.io', 'not the password');
    expect(wrong.status).toBe(401);
    const unknown = await agent.login('nobody@shop.io', 'not the password');
    expect(unknown.body).toEqual(wrong.body);
    const ok = await agent.login('BEN@shop.io', 'ben password 1');
    expect(ok.status).toBe(200);
    expect(ok.body.agent).toMatchObject({ name: 'Ben', role: 'agent' });
    expect(ok.body.agent.passwordHash).toBeUndefined();
    const cookies = ok.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('sb_console_session='))).toMatch(/Max-Age=86400; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(cookies.find((c) => c.startsWith('sb_console_csrf='))).not.toMatch(/HttpOnly/);
    expect((await admin.login('admin@shop.io', 'admin password 1')).status).toBe(200);
  });

  it('needs a session for the console API', async () => {
    const anon = h.browser();
    expect((await anon.call('/inbox')).status).toBe(401);
    const forged = h.browser();
    forged.cookies.set('sb_console_session', 'made-up');
    expect((await forged.call('/me')).status).toBe(401);
  });

  it('refuses state-changing calls without the CSRF header, or with one that does not match', async () => {
    const none = await agent.call('/contacts/x/notes', { body: { text: 'x' }, csrf: false });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('FORBIDDEN');
    expect((await agent.call('/contacts/x/notes', { body: { text: 'x' }, csrf: 'guess' })).status).toBe(403);
    // a cookie the attacker planted together with a matching header is not the session's token
    const planted = h.browser();
    planted.cookies.set('sb_console_session', agent.cookies.get('sb_console_session')!);
    planted.cookies.set('sb_console_csrf', 'planted');
    expect((await planted.call('/contacts/x/notes', { body: { text: 'x' }, csrf: 'planted' })).status).toBe(403);
    expect((await agent.call('/contacts/x/notes', { body: { text: 'x' } })).status).toBe(404);
  });

  it('slows failed logins per account with Retry-After instead of locking the account', async () => {
    const c = h.browser();
    for (let i = 0; i < 3; i++) expect((await c.login('cleo@shop.io', `wrong ${i}`)).status).toBe(401);
    const slowed = await c.login('cleo@shop.io', 'cleo password 1');
    expect(slowed.status).toBe(429);
    expect(slowed.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'slowed', retryAfterMs: 1_000 } });
    expect(slowed.headers.get('retry-after')).toBe('1');
    h.authClock.advance(1_000);
    expect((await c.login('cleo@shop.io', 'cleo password 1')).status).toBe(200);
  });

  it('ends sessions on logout and when the password changes', async () => {
    const c = h.browser();
    await c.login('cleo@shop.io', 'cleo password 1');
    expect((await c.call('/me')).status).toBe(200);
    const copy = h.browser();
    for (const [k, v] of c.cookies) copy.cookies.set(k, v);
    expect((await c.call('/logout', { method: 'POST' })).status).toBe(204);
    expect((await copy.call('/me')).status).toBe(401);
    const d = h.browser();
    await d.login('cleo@shop.io', 'cleo password 1');
    await h.api(`/v1/agents/${ids.cleo}`, { method: 'PATCH', body: JSON.stringify({ password: 'cleo password 2' }) });
    expect((await d.call('/me')).status).toBe(401);
    expect((await d.login('cleo@shop.io', 'cleo password 2')).status).toBe(200);
  });
});

function readSse(client: ConsoleClient, until: (events: SseEvent[]) => boolean, trigger: () => Promise<void>): Promise<SseEvent[]> {
  return readConsoleEvents(h.url, client, until, trigger);
}

describe('inbox, conversation and reply box', () => {
  it('streams a new conversation live and lists it in the support queue with an unread count', async () => {
    const events = await readSse(agent, (e) => e.some((x) => x.event === 'inbound'), () => h.customerWrites('whatsapp', '4915112345678', 'I need a human agent, my refund is late', 'Dana'));
    const inbound = events.find((e) => e.event === 'inbound')!;
    expect(inbound.data.message.content).toEqual({ type: 'text', text: 'I need a human agent, my refund is late' });
    ids.wa = inbound.data.conversationId;
    const inbox = await eventually(async () => {
      const r = await agent.call('/inbox?assignee=unassigned&queue=support');
      return r.body.items.length === 1 && r.body.items[0].assignee.kind === 'queue' ? r.body : undefined;
    });
    expect(inbox.items[0]).toMatchObject({ id: ids.wa, channel: 'whatsapp', contactName: 'Dana', unread: 1, queue: 'support', preview: 'I need a human agent, my refund is late' });
    // another tenant's agent does not see it
    expect((await agent.call('/inbox?assignee=me')).body.items).toEqual([]);
  });

  it('opens the conversation (marking it read), with window, templates and article suggestions', async () => {
    const r = await agent.call(`/conversations/${ids.wa}`);
    expect(r.status).toBe(200);
    expect(r.body.history.map((m: HostMessage) => m.direction)).toEqual(['inbound']);
    expect(r.body.composer.window).toMatchObject({ hours: 24, open: true });
    // platforms stamp messages in whole seconds
    expect(Math.abs(new Date(r.body.composer.window.closesAt).getTime() - (h.clock.now() + 24 * HOUR))).toBeLessThan(1000);
    expect(r.body.composer.suggestions.map((l: { id: string }) => l.id)).toEqual(['r']);
    expect((await agent.call(`/inbox/${ids.wa}`)).body.unread).toBe(0);
  });

  it('takes the conversation, asks the policy, and sends inside the window', async () => {
    const taken = await agent.call(`/conversations/${ids.wa}/assign`, { body: {} });
    expect(taken.body.assignee).toEqual({ kind: 'agent', agentId: ids.ben, queue: 'support' });
    const ask = await agent.call(`/conversations/${ids.wa}/evaluate`, { body: { kind: 'text', text: 'Hi Dana, I am checking your refund.' } });
    expect(ask.body).toMatchObject({ allowed: true, form: { kind: 'free-form' } });
    const sent = await agent.call(`/conversations/${ids.wa}/messages`, { body: { kind: 'text', text: 'Hi Dana, I am checking your refund.' }, headers: { 'idempotency-key': 'k1' } });
    expect(sent.status).toBe(202);
    const again = await agent.call(`/conversations/${ids.wa}/messages`, { body: { kind: 'text', text: 'Hi Dana, I am checking your refund.' }, headers: { 'idempotency-key': 'k1' } });
    expect(again.body.id).toBe(sent.body.id);
    const stored = await eventually(async () => {
      const m = (await h.api(`/v1/conversations/${ids.wa}/messages`)).body.items as HostMessage[];
      return m.find((x) => x.direction === 'outbound' && x.status === 'sent');
    });
    expect(stored).toMatchObject({ sender: 'agent', content: { type: 'text', text: 'Hi Dana, I am checking your refund.' } });
    expect(stored.id).toBe(sent.body.id);
  });

  it('explains a closed window with its time and offers approved templates; a template goes out', async () => {
    const t = { body: await approvedTemplate(h, { name: 'refund_update', body: 'Hello {{1}}, your refund {{2}} is on its way.', examples: ['Dana', 'R-1'] }) };
    h.clock.advance(25 * HOUR);
    const ask = await agent.call(`/conversations/${ids.wa}/evaluate`, { body: { kind: 'text', text: 'Any news?' } });
    expect(ask.body.allowed).toBe(false);
    const closesAt = ask.body.window.closesAt as string;
    expect(ask.body.window.open).toBe(false);
    const windowClosed = ask.body.reasons.find((r: { code: string }) => r.code === 'WINDOW_CLOSED');
    expect(windowClosed.message).toContain(`closed at ${closesAt}`);
    expect(ask.body.alternatives.templates).toEqual([expect.objectContaining({ name: 'refund_update', placeholders: ['1', '2'] })]);
    expect(ask.body.alternatives.tags).toEqual([]);
    const refused = await agent.call(`/conversations/${ids.wa}/messages`, { body: { kind: 'text', text: 'Any news?' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('POLICY_DENIED');

    const template = { kind: 'template', templateId: t.body.id, parameters: { 1: 'Dana', 2: 'R-1' } };
    expect((await agent.call(`/conversations/${ids.wa}/evaluate`, { body: template })).body.allowed).toBe(true);
    const sent = await agent.call(`/conversations/${ids.wa}/messages`, { body: template });
    expect(sent.status).toBe(202);
    expect(sent.body.form).toEqual({ kind: 'template', category: 'utility' });
    const history = (await agent.call(`/conversations/${ids.wa}`)).body.history as HostMessage[];
    expect(history.at(-1)?.content).toMatchObject({ type: 'template', name: 'refund_update', parameters: [{ text: 'Dana' }, { text: 'R-1' }] });
  });

  it('offers the HUMAN_AGENT tag on Messenger within 7 days of the customer\'s message', async () => {
    await h.customerWrites('messenger', 'psid-77', 'hello, a person please', 'Eli');
    const conv = await eventually(async () => (await agent.call('/inbox?channel=messenger')).body.items[0]);
    h.clock.advance(30 * HOUR);
    const ask = await agent.call(`/conversations/${conv.id}/evaluate`, { body: { kind: 'text', text: 'Sorry for the wait!' } });
    expect(ask.body.allowed).toBe(false);
    expect(ask.body.alternatives.tags).toEqual([{ tag: 'HUMAN_AGENT', allowed: true, reasons: [] }]);
    const sent = await agent.call(`/conversations/${conv.id}/messages`, { body: { kind: 'text', text: 'Sorry for the wait!', tag: 'HUMAN_AGENT' } });
    expect(sent.status).toBe(202);
    expect(sent.body.form).toEqual({ kind: 'tag', tag: 'HUMAN_AGENT' });
    h.clock.advance(7 * 24 * HOUR);
    const late = await agent.call(`/conversations/${conv.id}/evaluate`, { body: { kind: 'text', text: 'Still there?' } });
    expect(late.body.alternatives.tags).toEqual([]);
    ids.ms = conv.id;
  });

  it('transfers to another agent, hands back to the bot, resolves and reopens', async () => {
    expect((await agent.call(`/conversations/${ids.wa}/transfer`, { body: { agentId: 'nobody' } })).status).toBe(400);
    const moved = await agent.call(`/conversations/${ids.wa}/transfer`, { body: { agentId: ids.cleo } });
    expect(moved.body.assignee).toEqual({ kind: 'agent', agentId: ids.cleo });
    // an agent may not assign to someone else; a supervisor may
    expect((await agent.call(`/conversations/${ids.wa}/assign`, { body: { agentId: ids.cleo } })).status).toBe(403);
    const back = await agent.call(`/conversations/${ids.ms}/handback`, { body: {} });
    expect(back.body.assignee).toEqual({ kind: 'bot', handler: 'echo' });
    expect((await agent.call(`/conversations/${ids.ms}/resolve`, { body: {} })).body.status).toBe('resolved');
    expect((await agent.call('/inbox?status=resolved')).body.items.map((r: { id: string }) => r.id)).toEqual([ids.ms]);
    expect((await agent.call(`/conversations/${ids.ms}/reopen`, { body: {} })).body.status).toBe('open');
  });
});

describe('contact panel', () => {
  it('shows addresses, consent with evidence, notes; saves CRM ref and tags', async () => {
    const conv = (await agent.call(`/conversations/${ids.wa}`)).body.conversation as Conversation;
    // the evidence's source is the server's: consent recorded through the API has source api
    expect((await h.api(`/v1/contacts/${conv.contactId}/consent`, { method: 'POST', body: JSON.stringify({ action: 'opt-in', purpose: 'marketing', channel: 'whatsapp', evidence: { wording: 'Send me offers' } }) })).status).toBe(201);
    const note = await agent.call(`/contacts/${conv.contactId}/notes`, { body: { text: 'Prefers WhatsApp' } });
    expect(note.status).toBe(201);
    const saved = await agent.call(`/contacts/${conv.contactId}`, { method: 'PATCH', body: { crmRef: 'CRM-42', tags: ['vip', ' vip', 'refund'] } });
    expect(saved.body).toMatchObject({ crmRef: 'CRM-42', tags: ['vip', 'refund'] });
    const panel = (await agent.call(`/contacts/${conv.contactId}`)).body;
    expect(panel.contact.addresses).toEqual([{ channel: 'whatsapp', accountId: expect.any(String), userId: '4915112345678' }]);
    expect(panel.consent.history[0]).toMatchObject({ action: 'opt-in', purpose: 'marketing', evidence: { source: 'api', wording: 'Send me offers', recordedBy: expect.stringMatching(/^api-key:/) } });
    expect(panel.consent.state.whatsapp.grants).toEqual([expect.objectContaining({ purpose: 'marketing' })]);
    expect(panel.notes).toEqual([expect.objectContaining({ text: 'Prefers WhatsApp', authorName: 'Ben' })]);
    expect(panel.canExport).toBe(false);
  });

  it('lets only admins export and erase a contact, through the host\'s compliance API', async () => {
    // a contact of its own, so the conversations the other tests look at stay
    await h.customerWrites('whatsapp', '4915100000099', 'please delete my data', 'Gil');
    const conv = await eventually(async () => ((await agent.call('/inbox?channel=whatsapp')).body.items as { id: string; contactName: string }[]).find((c) => c.contactName === 'Gil'));
    const { contactId } = (await agent.call(`/conversations/${conv.id}`)).body.conversation as Conversation;
    expect((await agent.call(`/contacts/${contactId}/export`, { method: 'POST' })).status).toBe(403);
    const exported = await admin.call(`/contacts/${contactId}/export`, { method: 'POST' });
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain('please delete my data');
    expect((await agent.call(`/contacts/${contactId}/erase`, { method: 'POST' })).status).toBe(403);
    const erased = await admin.call(`/contacts/${contactId}/erase`, { method: 'POST' });
    expect(erased.status).toBe(200);
    expect((await agent.call(`/conversations/${conv.id}`)).status).toBe(404);
  });
});

describe('supervisor view', () => {
  it('is refused to agents and shows load and first-response times to supervisors', async () => {
    expect((await agent.call('/supervisor')).status).toBe(403);
    const sup = h.browser();
    await sup.login('cleo@shop.io', 'cleo password 2');
    const stats = (await sup.call('/supervisor')).body;
    const cleo = stats.agents.find((a: { name: string }) => a.name === 'Cleo');
    // handed over to the queue (pending), taken and transferred: still pending, now Cleo's
    expect(cleo).toMatchObject({ open: 0, pending: 1, firstResponse: { count: 1 } });
    expect(cleo.firstResponse.medianMs).toBeGreaterThanOrEqual(0);
  });
});

describe('static files', () => {
  it('serves the SPA with a strict CSP and refuses anything but known asset names', async () => {
    const page = await fetch(`${h.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/console/assets/app.js');
    const js = await fetch(`${h.url}/console/assets/app.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${h.url}/console/assets/..%2F..%2Fconsole-feature.ts`)).status).toBe(404);
    expect((await fetch(`${h.url}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${h.url}/console`, { redirect: 'manual' })).status).toBe(301);
  });
});

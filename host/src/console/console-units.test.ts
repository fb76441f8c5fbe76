import { type ChannelPolicy, type Conversation } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { roleAtLeast, type Agent } from './agent-store.js';
import { parseCookies, serializeCookie } from './console-auth.js';
import { inboxRow, matchesInbox, preview, suggestKnowledge, supervisorStats, windowInfo } from './console-views.js';
import { hashPassword, needsRehash, parsePasswordHash, passwordProblem, verifyPassword } from './password.js';

const CHEAP = { N: 2 ** 12, r: 8, p: 1 };
const HOUR = 3_600_000;

describe('passwords', () => {
  it('hash with scrypt, a per-password salt and the parameters beside the hash', async () => {
    const a = await hashPassword('correct horse battery', CHEAP);
    const b = await hashPassword('correct horse battery', CHEAP);
    expect(a).toMatch(/^scrypt\$4096\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(parsePasswordHash(a)?.salt).not.toEqual(parsePasswordHash(b)?.salt);
  });

  it('verify the right password only, and answer false for an unknown user after doing the work', async () => {
    const stored = await hashPassword('correct horse battery', CHEAP);
    expect(await verifyPassword('correct horse battery', stored, CHEAP)).toBe(true);
    expect(await verifyPassword('correct horse batterz', stored, CHEAP)).toBe(false);
    expect(await verifyPassword('correct horse battery', undefined, CHEAP)).toBe(false);
    expect(await verifyPassword('x', 'plain-text-password', CHEAP)).toBe(false);
  });

  it('default to OWASP strength and ask for a rehash of weaker hashes', async () => {
    const weak = await hashPassword('correct horse battery', CHEAP);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(weak, CHEAP)).toBe(false);
    expect(parsePasswordHash('scrypt$3$8$1$AAAAAAAAAAA=$AAAA')).toBeUndefined();
    expect(parsePasswordHash('bcrypt$whatever')).toBeUndefined();
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem(42)).toBe('must be a string');
    expect(passwordProblem('long enough pass')).toBeUndefined();
  });
});

describe('cookies', () => {
  it('serialise session cookies HTTP-only and SameSite=Strict, scoped to /console', () => {
    expect(serializeCookie('s', 'a b', { httpOnly: true, secure: true, maxAge: 60, path: '/console' })).toBe('s=a%20b; Max-Age=60; Path=/console; HttpOnly; Secure; SameSite=Strict');
    expect(parseCookies('a=1; b=x%3Dy; a=2; junk; c=%E0%A4%A')).toEqual({ a: '1', b: 'x=y', c: '%E0%A4%A' });
    expect(parseCookies(undefined)).toEqual({});
    expect(() => serializeCookie('s', 'x', { httpOnly: true, secure: false, maxAge: 0, path: '/console;evil' })).toThrow();
  });
});

const messenger: Pick<ChannelPolicy, 'serviceWindowHours' | 'outsideWindow' | 'entryPointWindowHours'> = {
  serviceWindowHours: 24,
  outsideWindow: { templateCategories: [], tags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, senders: ['agent'] }, { tag: 'ACCOUNT_UPDATE' }] },
};

describe('service window', () => {
  it('says when it closes and when it closed', () => {
    const last = new Date('2025-03-01T10:00:00Z');
    const open = windowInfo({ lastInboundAt: last }, messenger as ChannelPolicy, last.getTime() + HOUR);
    expect(open).toMatchObject({ hours: 24, open: true, closesAt: '2025-03-02T10:00:00.000Z' });
    const closed = windowInfo({ lastInboundAt: last }, messenger as ChannelPolicy, last.getTime() + 30 * HOUR);
    expect(closed).toMatchObject({ open: false, closesAt: '2025-03-02T10:00:00.000Z' });
    // only the tags an agent may use are offered, with the time they stop working
    expect(closed.agentTags).toEqual([{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, until: '2025-03-08T10:00:00.000Z', usable: true }]);
    expect(windowInfo({ lastInboundAt: last }, messenger as ChannelPolicy, last.getTime() + 200 * HOUR).agentTags[0]?.usable).toBe(false);
  });

  it('is open forever on a channel without one, and never opened when the customer never wrote', () => {
    expect(windowInfo({}, { serviceWindowHours: undefined } as ChannelPolicy, 0)).toMatchObject({ open: true });
    expect(windowInfo({}, messenger as ChannelPolicy, 0)).toEqual({ hours: 24, open: false, agentTags: [{ tag: 'HUMAN_AGENT', maxHoursSinceInbound: 168, usable: false }] });
  });
});

function conv(id: string, patch: Partial<Conversation> = {}): Conversation {
  return {
    id, tenantId: 't', contactId: `k-${id}`, address: { channel: 'whatsapp', accountId: 'a', userId: id }, status: 'open',
    assignee: { kind: 'none' }, tags: [], createdAt: new Date(0), updatedAt: new Date(0), ...patch,
  };
}

describe('inbox', () => {
  it('filters by status, assignee, queue and channel', () => {
    const mine = conv('1', { assignee: { kind: 'agent', agentId: 'me', queue: 'support' } });
    const queued = conv('2', { assignee: { kind: 'queue', queue: 'billing' }, status: 'pending' });
    const bot = conv('3', { assignee: { kind: 'bot', handler: 'echo' }, address: { channel: 'telegram', accountId: 'b', userId: '3' } });
    const all = [mine, queued, bot];
    const ids = (f: Parameters<typeof matchesInbox>[1]) => all.filter((c) => matchesInbox(c, f, 'me')).map((c) => c.id);
    expect(ids({ assignee: 'me' })).toEqual(['1']);
    expect(ids({ assignee: 'unassigned' })).toEqual(['2']);
    expect(ids({ assignee: 'bot' })).toEqual(['3']);
    expect(ids({ queue: 'support' })).toEqual(['1']);
    expect(ids({ status: 'pending' })).toEqual(['2']);
    expect(ids({ channel: 'telegram' })).toEqual(['3']);
    expect(ids({ assignee: 'someone-else' })).toEqual([]);
  });

  it('counts customer messages after the read marker as unread and previews the last message', () => {
    const c = conv('1', { assignee: { kind: 'agent', agentId: 'a1' } });
    const msg = (id: string, direction: 'inbound' | 'outbound', at: number, text: string) => ({
      id, tenantId: 't', conversationId: '1', direction, content: { type: 'text' as const, text }, status: 'delivered' as const,
      timestamp: new Date(at), createdAt: new Date(at), updatedAt: new Date(at), channel: 'whatsapp', accountId: 'a', userId: '1',
    });
    const messages = [msg('m1', 'inbound', 1000, 'hi'), msg('m2', 'outbound', 2000, 'hello'), msg('m3', 'inbound', 3000, 'where is my order?'), msg('m4', 'inbound', 4000, 'any news?')];
    const row = inboxRow(c, { profile: { name: 'Ana' } } as never, messages, new Date(2500), [{ id: 'a1', name: 'Bea' }]);
    expect(row).toMatchObject({ contactName: 'Ana', unread: 2, preview: 'any news?', assigneeName: 'Bea', lastDirection: 'inbound' });
    expect(inboxRow(c, undefined, [], undefined, []).contactName).toBe('whatsapp 1');
    expect(preview({ content: { type: 'image', media: { url: 'https://x/y.jpg', caption: 'my car' } } })).toBe('[image] my car https://x/y.jpg');
    expect(preview({ content: { type: 'text', text: 'x'.repeat(300) } })).toHaveLength(120);
  });
});

describe('supervisor view', () => {
  it('shows each agent\'s load and median first response, and who waits in which queue', () => {
    const agents = [{ id: 'a1', name: 'Ana', role: 'agent' }, { id: 'a2', name: 'Ben', role: 'supervisor' }] as Agent[];
    const answered = (id: string, agentId: string, minutes: number, status: Conversation['status'] = 'open') =>
      conv(id, { assignee: { kind: 'agent', agentId }, status, createdAt: new Date(0), firstResponseAt: new Date(minutes * 60_000) });
    const stats = supervisorStats(agents, [
      answered('1', 'a1', 2), answered('2', 'a1', 10, 'pending'), answered('3', 'a1', 4, 'resolved'),
      conv('4', { assignee: { kind: 'queue', queue: 'support' }, updatedAt: new Date(5000) }),
      conv('5', { assignee: { kind: 'queue', queue: 'support' }, updatedAt: new Date(1000) }),
    ]);
    expect(stats.agents[0]).toEqual({ agentId: 'a1', name: 'Ana', role: 'agent', open: 1, pending: 1, resolved: 1, firstResponse: { count: 3, medianMs: 240_000, averageMs: 320_000, maxMs: 600_000 } });
    expect(stats.agents[1]).toMatchObject({ open: 0, firstResponse: { count: 0 } });
    expect(stats.queues).toEqual([{ queue: 'support', waiting: 2, oldestWaitingSince: new Date(1000).toISOString() }]);
    expect(stats.overall.count).toBe(3);
  });
});

describe('knowledge base', () => {
  it('suggests articles whose keywords the customer used', () => {
    const links = [
      { id: '1', title: 'Opening hours', url: 'https://kb/hours', keywords: ['open', 'closing'] },
      { id: '2', title: 'Returns', url: 'https://kb/returns', keywords: ['refund', 'return'] },
    ];
    expect(suggestKnowledge(links, 'Can I get a refund or return it?').map((l) => l.id)).toEqual(['2']);
    expect(suggestKnowledge(links, 'what are your opening hours')).toHaveLength(1);
    expect(suggestKnowledge(links, undefined)).toEqual([]);
  });
});

describe('roles', () => {
  it('rank roles agent < supervisor < admin', () => {
    expect(roleAtLeast('admin', 'supervisor')).toBe(true);
    expect(roleAtLeast('agent', 'supervisor')).toBe(false);
  });
});

/**
 * End-to-end: automatic assignment by capacity, presence, business hours with the out-of-hours
 * reply, and SLA timers — over real HTTP (the fake platform's signed webhooks, the REST API), on a
 * manual host clock (nothing here waits for real time to pass).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Conversation } from '@switchboard/core';
import { createHost, type Host, type HostMessage, type SlaNotice } from '@switchboard/host';
import { AssignmentService, type AssignmentServiceImpl } from '../../host/src/assignment/assignment-service.js';
import { API_KEY, eventually, OTHER_KEY, startHost, type RunningHost } from './support/host-harness.js';

let h: RunningHost | undefined;
let restarted: Host | undefined;
afterEach(async () => {
  await restarted?.stop(); restarted = undefined;
  await h?.stop().catch(() => undefined); h = undefined;
});
type List<T> = { items: T[] };

// Monday 7 December 2026, 10:00 in Berlin (09:00Z)
const MONDAY_10_BERLIN = Date.UTC(2026, 11, 7, 9, 0);
const HOUR = 3_600_000;

const assignment = {
  defaultCapacity: 2,
  queues: {
    support: {
      strategy: 'round-robin',
      hours: { timeZone: 'Europe/Berlin', weekly: { mon: ['09:00-18:00'], tue: ['09:00-18:00'] }, holidays: ['2026-12-24'] },
      outOfHoursReply: 'We are closed now and answer from 9:00.',
      sla: { firstResponseMinutes: 30, nextResponseMinutes: 15, dueSoonMinutes: 5 },
    },
  },
};

/** A key that may send as an agent (a human), as the console's own reply path does. */
const AGENT_KEY = 'test-key-agent-replies-0123456789';

async function start(clock: ManualClock): Promise<{ x: RunningHost; service: AssignmentServiceImpl }> {
  h = await startHost({
    tenant: { apiKeys: [API_KEY, { key: AGENT_KEY, scopes: ['read', 'messages:send', 'messages:send-as-agent'] }], routing: { rules: [{ to: { queue: 'support' } }] }, assignment },
    hostOptions: { clock },
  });
  return { x: h, service: h.host.container.get<AssignmentServiceImpl>(AssignmentService) };
}

async function createAgent(x: RunningHost, name: string): Promise<string> {
  const res = await x.api<{ id: string }>('/v1/agents', { method: 'POST', body: JSON.stringify({ email: `${name}@shop.io`, name, password: `${name} password 123`, queues: ['support'] }) });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Delivers one customer message and waits until the host has processed it and assignment has followed. */
async function customerWrites(x: RunningHost, service: AssignmentServiceImpl, clock: ManualClock, userId: string, text: string): Promise<Conversation> {
  clock.advance(1_000); // customers write one after the other
  expect((await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId, text, timestamp: new Date(clock.now()) }))).status).toBe(200);
  const c = await eventually(async () => (await x.api<List<Conversation>>('/v1/conversations?limit=100')).body.items.find((y) => y.address.userId === userId && y.assignee.kind !== 'bot' && y.assignee.kind !== 'none'));
  await x.host.processor.idle();
  await service.idle();
  return (await x.api<Conversation>(`/v1/conversations/${c.id}`)).body;
}

const messagesOf = async (x: RunningHost, id: string): Promise<HostMessage[]> => (await x.api<List<HostMessage>>(`/v1/conversations/${id}/messages`)).body.items;

describe('automatic assignment', () => {
  it('gives two online agents with capacity 2 four conversations two apiece; the fifth waits in the queue until one is resolved', async () => {
    const clock = new ManualClock(MONDAY_10_BERLIN);
    const { x, service } = await start(clock);
    const ann = await createAgent(x, 'ann');
    const bob = await createAgent(x, 'bob');
    for (const id of [ann, bob]) {
      const set = await x.api<{ status: string; capacity: number; load: number }>(`/v1/agents/${id}/presence`, { method: 'PUT', body: JSON.stringify({ status: 'online' }) });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ status: 'online', capacity: 2, load: 0 });
    }
    const conversations: Conversation[] = [];
    for (let i = 1; i <= 5; i++) conversations.push(await customerWrites(x, service, clock, `u${i}`, `hello ${i}`));
    const agentOf = (c: Conversation): string | undefined => (c.assignee.kind === 'agent' ? c.assignee.agentId : undefined);
    // round-robin: the one never assigned first (ties by id), then the one assigned longest ago — the fifth finds both full
    const first = agentOf(conversations[0]!)!;
    const second = first === ann ? bob : ann;
    expect(conversations.slice(0, 4).map(agentOf)).toEqual([first, second, first, second]);
    expect(conversations[4]!.assignee).toEqual({ kind: 'queue', queue: 'support' });
    expect(conversations[4]!.status).toBe('pending');
    const board = (await x.api<List<{ agentId: string; load: number; status: string }>>('/v1/presence')).body.items;
    expect(board.map((p) => [p.agentId, p.status, p.load]).sort()).toEqual([[ann, 'online', 2], [bob, 'online', 2]].sort());
    // another tenant sees none of it
    expect((await x.api<List<unknown>>('/v1/presence', { key: OTHER_KEY })).body.items).toEqual([]);
    expect((await x.api(`/v1/agents/${ann}/presence`, { key: OTHER_KEY, method: 'PUT', body: JSON.stringify({ status: 'offline' }) })).status).toBe(404);

    // the first agent resolves one: the waiting conversation is theirs
    expect((await x.api(`/v1/conversations/${conversations[0]!.id}/resolve`, { method: 'POST' })).status).toBe(200);
    await service.idle();
    expect(agentOf((await x.api<Conversation>(`/v1/conversations/${conversations[4]!.id}`)).body)).toBe(first);
  });

  it('sends an offline agent\'s open conversations to the others, and waits when nobody has room (least-busy)', async () => {
    const clock = new ManualClock(MONDAY_10_BERLIN);
    h = await startHost({ tenant: { routing: { rules: [{ to: { queue: 'support' } }] }, assignment: { ...assignment, queues: { support: { ...assignment.queues.support, strategy: 'least-busy' } } } }, hostOptions: { clock } });
    const x = h;
    const service = x.host.container.get<AssignmentServiceImpl>(AssignmentService);
    const ann = await createAgent(x, 'ann');
    const bob = await createAgent(x, 'bob');
    await x.api(`/v1/agents/${ann}/presence`, { method: 'PUT', body: JSON.stringify({ status: 'online', capacity: 3 }) });
    const c1 = await customerWrites(x, service, clock, 'u1', 'one');
    const c2 = await customerWrites(x, service, clock, 'u2', 'two');
    expect([c1.assignee, c2.assignee]).toEqual([{ kind: 'agent', agentId: ann, queue: 'support' }, { kind: 'agent', agentId: ann, queue: 'support' }]);
    await x.api(`/v1/agents/${bob}/presence`, { method: 'PUT', body: JSON.stringify({ status: 'online', capacity: 1 }) });
    // ann goes offline: bob takes one (his capacity), the other waits
    const off = await x.api<{ status: string; load: number }>(`/v1/agents/${ann}/presence`, { method: 'PUT', body: JSON.stringify({ status: 'offline' }) });
    expect(off.body).toMatchObject({ status: 'offline', load: 0 });
    await service.idle();
    const after = await Promise.all([c1, c2].map(async (c) => (await x.api<Conversation>(`/v1/conversations/${c.id}`)).body.assignee));
    expect(after).toEqual([{ kind: 'agent', agentId: bob, queue: 'support' }, { kind: 'queue', queue: 'support' }]);
    const bad = await x.api<{ error: { code: string } }>(`/v1/agents/${bob}/presence`, { method: 'PUT', body: JSON.stringify({ status: 'busy', extra: 1 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await x.api(`/v1/agents/nobody/presence`, { method: 'PUT', body: JSON.stringify({ status: 'online' }) })).status).toBe(404);
  });
});

describe('business hours', () => {
  it('answers a message at 22:00 in the queue\'s zone with the out-of-hours reply, through the outbound port, and one at 10:00 not', async () => {
    const clock = new ManualClock(MONDAY_10_BERLIN + 12 * HOUR); // Monday 22:00 in Berlin
    const { x, service } = await start(clock);
    const late = await customerWrites(x, service, clock, 'night-owl', 'anyone there?');
    const replies = await eventually(async () => {
      const out = (await messagesOf(x, late.id)).filter((m) => m.direction === 'outbound');
      return out.length ? out : undefined;
    });
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ sender: 'system', purpose: 'service', content: { type: 'text', text: 'We are closed now and answer from 9:00.' } });
    // the policy engine judged it like any message: its decision is on record
    expect((await x.api(`/v1/messages/${replies[0]!.id}/decision`)).status).toBe(200);
    // a second message the same night gets no second reply
    await customerWrites(x, service, clock, 'night-owl', 'hello?');
    expect((await messagesOf(x, late.id)).filter((m) => m.direction === 'outbound')).toHaveLength(1);

    clock.set(MONDAY_10_BERLIN + 24 * HOUR); // Tuesday 10:00 in Berlin
    const early = await customerWrites(x, service, clock, 'early-bird', 'good morning');
    await x.host.processor.idle();
    expect((await messagesOf(x, early.id)).filter((m) => m.direction === 'outbound')).toEqual([]);
  });
});

describe('SLA timers', () => {
  it('publishes sla.due and sla.breached at the due time for an unanswered conversation; an agent\'s reply stops the timer; timers survive a restart', async () => {
    const clock = new ManualClock(MONDAY_10_BERLIN);
    const { x, service } = await start(clock);
    const notices: SlaNotice[] = [];
    x.host.streams.sla$.subscribe((n) => notices.push(n));
    const waiting = await customerWrites(x, service, clock, 'u1', 'help');
    const answered = await customerWrites(x, service, clock, 'u2', 'help too');
    const timers = (await x.api<List<{ conversationId: string; state: string; dueAt: string; policy: string }>>('/v1/sla/timers')).body.items;
    expect(timers.map((t) => [t.conversationId, t.state, t.policy, t.dueAt]).sort()).toEqual([
      [waiting.id, 'running', 'first-response', new Date(MONDAY_10_BERLIN + 1_000 + 30 * 60_000).toISOString()],
      [answered.id, 'running', 'first-response', new Date(MONDAY_10_BERLIN + 2_000 + 30 * 60_000).toISOString()],
    ].sort());

    // an agent answers the second conversation: its timer stops
    const agent = await createAgent(x, 'cleo');
    await x.api(`/v1/conversations/${answered.id}/assign`, { method: 'POST', body: JSON.stringify({ agentId: agent }) });
    const reply = await x.api(`/v1/conversations/${answered.id}/messages`, { key: AGENT_KEY, method: 'POST', body: JSON.stringify({ content: 'On it!', sender: 'agent' }) });
    expect(reply.status).toBe(202);
    await service.idle();
    expect((await x.api<List<{ conversationId: string }>>('/v1/sla/timers')).body.items.map((t) => t.conversationId)).toEqual([waiting.id]);

    clock.advance(24 * 60_000);
    await service.tick();
    expect(notices).toEqual([]);
    clock.advance(60_000); // 25 minutes: due in 5
    await service.tick();
    expect(notices.map((n) => [n.type, n.conversationId])).toEqual([['sla.due', waiting.id]]);

    // a restart keeps the timer: a new host on the same database publishes the breach
    await x.stop();
    h = undefined;
    restarted = await createHost(x.host.config, { logger: silentLogger, clock, processor: { pollMs: 20 } });
    const { url } = await restarted.listen(0, '127.0.0.1');
    const service2 = restarted.container.get<AssignmentServiceImpl>(AssignmentService);
    restarted.streams.sla$.subscribe((n) => notices.push(n));
    clock.advance(4 * 60_000);
    await service2.tick();
    expect(notices.map((n) => n.type)).toEqual(['sla.due']);
    clock.advance(60_000); // 30 minutes: due now
    await service2.tick();
    await service2.tick(); // once only
    expect(notices.map((n) => [n.type, n.conversationId, n.policy, n.dueAt.toISOString()])).toEqual([
      ['sla.due', waiting.id, 'first-response', new Date(MONDAY_10_BERLIN + 1_000 + 30 * 60_000).toISOString()],
      ['sla.breached', waiting.id, 'first-response', new Date(MONDAY_10_BERLIN + 1_000 + 30 * 60_000).toISOString()],
    ]);
    const board = await fetch(`${url}/v1/sla/timers`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(((await board.json()) as List<{ conversationId: string; state: string }>).items.map((t) => [t.conversationId, t.state])).toEqual([[waiting.id, 'breached']]);
  });
});

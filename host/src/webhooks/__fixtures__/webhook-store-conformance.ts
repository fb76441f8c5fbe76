/**
 * The webhook store's contract (endpoints, the durable delivery queue with leases and per-lane
 * order, the delivery log), written once and run on every driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverUnderTest, OpenedDriver } from '../../__fixtures__/drivers-under-test.js';
import { DocumentWebhookStore, type NewWebhookDelivery, type WebhookAttempt, type WebhookDelivery, type WebhookEndpoint } from '../webhook-store.js';

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const at = (s: number): Date => new Date(T0 + s * 1000);
let n = 0;
/** A tenant of its own per test: the tests of one database do not see each other's rows. */
const tenant = (): string => `t${process.pid}-${++n}`;

function endpoint(tenantId: string, endpointId: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: '', tenantId, endpointId, url: `https://example.test/${endpointId}`, events: ['message.received', 'message.status'],
    secretEnv: ['HOOK_SECRET'], source: 'api', enabled: true, createdAt: at(0), updatedAt: at(0), ...over,
  };
}

let seqN = 0;
function delivery(tenantId: string, endpointId: string, orderKey: string, s = 0): NewWebhookDelivery {
  const seq = String(++seqN).padStart(10, '0');
  return { id: `msg_${tenantId}_${seq}`, tenantId, endpointId, eventId: `evt_${seq}`, type: 'message.received', orderKey, seq, body: `{"n":${seq}}`, createdAt: at(s) };
}

function attemptOf(d: WebhookDelivery, outcome: WebhookAttempt['outcome'], s: number, status?: number): WebhookAttempt {
  return { id: `a_${d.id}_${d.attempts + 1}`, tenantId: d.tenantId, endpointId: d.endpointId, deliveryId: d.id, type: d.type, attempt: d.attempts + 1, at: at(s), latencyMs: 12, outcome, ...(status !== undefined ? { status } : {}) };
}

/** Leases as a worker would (the queue is shared by every tenant), keeping the tenant's deliveries. */
async function leaseOf(s: DocumentWebhookStore, tenantId: string, now: Date, owner: string, leaseMs: number): Promise<WebhookDelivery[]> {
  return (await s.lease(now, owner, leaseMs, 1_000)).filter((x) => x.tenantId === tenantId);
}

/**
 * Defines the webhook store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeWebhookStoreConformance(d: DriverUnderTest): void {
  describe(`webhook store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let s: DocumentWebhookStore;
    beforeAll(async () => { opened = await d.open(); s = new DocumentWebhookStore(opened.driver); });
    afterAll(async () => { await opened.close(); });

    it('keeps endpoints per tenant: create once, read, list, subscribers by type, update, delete', async () => {
      const a = tenant(); const b = tenant();
      expect(await s.createEndpoint(endpoint(a, 'crm'))).toBe(true);
      expect(await s.createEndpoint(endpoint(a, 'crm'))).toBe(false);
      expect(await s.createEndpoint(endpoint(a, 'audit', { events: ['consent.changed'] }))).toBe(true);
      expect(await s.createEndpoint(endpoint(b, 'crm'))).toBe(true);
      expect(await s.getEndpoint(a, 'crm')).toMatchObject({ id: `${a}:crm`, tenantId: a, endpointId: 'crm', secretEnv: ['HOOK_SECRET'] });
      expect(await s.getEndpoint(a, 'nope')).toBeUndefined();
      expect((await s.listEndpoints(a)).map((e) => e.endpointId)).toEqual(['audit', 'crm']);
      expect((await s.subscribers(a, 'consent.changed')).map((e) => e.endpointId)).toEqual(['audit']);
      expect((await s.subscribers(a, 'message.status')).map((e) => e.endpointId)).toEqual(['crm']);
      const updated = await s.updateEndpoint(a, 'crm', { url: 'https://example.test/v2', events: ['message.sent'] }, at(5));
      expect(updated).toMatchObject({ url: 'https://example.test/v2', events: ['message.sent'], updatedAt: at(5) });
      expect(await s.updateEndpoint(b, 'audit', { url: 'https://x.test' }, at(5))).toBeUndefined();
      expect(await s.deleteEndpoint(b, 'audit')).toBe(false);
      expect(await s.deleteEndpoint(a, 'audit')).toBe(true);
      expect((await s.listEndpoints(a)).map((e) => e.endpointId)).toEqual(['crm']);
      expect((await s.listEndpoints(b)).map((e) => e.endpointId)).toEqual(['crm']);
    });

    it('syncs the config\'s endpoints: adds, updates, removes those no longer listed, and keeps API endpoints and the disabled state', async () => {
      const a = tenant();
      await s.createEndpoint(endpoint(a, 'by-api'));
      const base = { tenantId: a, source: 'config' as const, events: ['message.received'], secretEnv: ['A'] };
      await s.syncEndpoints(a, 'config', [{ ...base, endpointId: 'one', url: 'https://one.test' }, { ...base, endpointId: 'two', url: 'https://two.test' }], at(1));
      await s.disableEndpoint(a, 'one', 'gone', at(2));
      await s.syncEndpoints(a, 'config', [{ ...base, endpointId: 'one', url: 'https://one.test/v2' }], at(3));
      const all = await s.listEndpoints(a);
      expect(all.map((e) => [e.endpointId, e.source, e.enabled])).toEqual([['by-api', 'api', true], ['one', 'config', false]]);
      expect(all[1]).toMatchObject({ url: 'https://one.test/v2', disabledReason: 'gone', createdAt: at(1), updatedAt: at(3) });
    });

    it('leases due deliveries once, in order per lane, and only after the earlier one of the lane is settled', async () => {
      const a = tenant();
      const c1a = delivery(a, 'crm', 'conversation:c1');
      const c2a = delivery(a, 'crm', 'conversation:c2');
      const c1b = delivery(a, 'crm', 'conversation:c1');
      const other = delivery(a, 'audit', 'conversation:c1');
      await s.enqueue([c1a, c2a, c1b, other]);
      await s.enqueue([c1a]); // the same id twice is kept once
      const first = await leaseOf(s, a, at(0), 'p1', 60_000);
      expect(first.map((x) => x.id).sort()).toEqual([c1a.id, c2a.id, other.id].sort());
      // another process sees nothing free: the leases hold and c1b waits behind c1a
      expect(await leaseOf(s, a, at(1), 'p2', 60_000)).toEqual([]);
      const leasedC1a = first.find((x) => x.id === c1a.id)!;
      expect(leasedC1a).toMatchObject({ state: 'pending', attempts: 0, leaseOwner: 'p1' });
      // a retry keeps the lane blocked until it is due again
      expect(await s.settle(leasedC1a, 'p1', { kind: 'retry', nextAttemptAt: at(30), status: 500 }, attemptOf(leasedC1a, 'retry', 2, 500))).toBe(true);
      expect(await leaseOf(s, a, at(10), 'p2', 60_000)).toEqual([]);
      // the entry held back is due no earlier than the one it waits for
      expect((await s.getDelivery(a, c1b.id))!.nextAttemptAt).toEqual(at(30));
      const again = await leaseOf(s, a, at(30), 'p2', 60_000);
      expect(again.map((x) => x.id)).toEqual([c1a.id]);
      expect(again[0]).toMatchObject({ attempts: 1, lastStatus: 500 });
      // the first owner lost its lease: it cannot settle any more
      expect(await s.settle(again[0]!, 'p1', { kind: 'delivered', at: at(31), status: 200 }, attemptOf(again[0]!, 'delivered', 31, 200))).toBe(false);
      expect(await s.settle(again[0]!, 'p2', { kind: 'delivered', at: at(31), status: 200 }, attemptOf(again[0]!, 'delivered', 31, 200))).toBe(true);
      expect((await leaseOf(s, a, at(31), 'p2', 60_000)).map((x) => x.id)).toEqual([c1b.id]);
      expect(await s.getDelivery(a, c1a.id)).toMatchObject({ state: 'delivered', attempts: 2, deliveredAt: at(31), lastStatus: 200 });
      expect(await s.getDelivery(tenant(), c1a.id)).toBeUndefined();
    });

    it('a lane held back by a failing endpoint does not starve other lanes beyond the scan', async () => {
      const a = tenant();
      const head = delivery(a, 'down', 'conversation:busy');
      const behind = Array.from({ length: 250 }, () => delivery(a, 'down', 'conversation:busy'));
      const other = delivery(a, 'up', 'conversation:calm');
      await s.enqueue([head, ...behind, other]);
      const [h] = (await leaseOf(s, a, at(0), 'p1', 60_000)).filter((x) => x.id === head.id);
      await s.settle(h!, 'p1', { kind: 'retry', nextAttemptAt: at(600), status: 500 }, attemptOf(h!, 'retry', 0, 500));
      // rounds push the held-back entries past the head's next attempt, a scan at a time
      let got: WebhookDelivery[] = [];
      for (let round = 0; round < 3 && !got.some((x) => x.id === other.id); round++) got = await leaseOf(s, a, at(1), 'p1', 60_000);
      expect(got.map((x) => x.id)).toContain(other.id);
      expect(got.some((x) => x.endpointId === 'down')).toBe(false);
      expect((await s.listDeliveries(a, 'down', { limit: 500 })).every((x) => x.nextAttemptAt.getTime() >= at(600).getTime())).toBe(true);
      // leave nothing due behind for the other tests of this database
      await s.deleteEndpoint(a, 'down'); await s.deleteEndpoint(a, 'up');
    });

    it('takes over a delivery whose lease expired (a process that stopped mid-attempt)', async () => {
      const a = tenant();
      const x = delivery(a, 'crm', 'conversation:z');
      await s.enqueue([x]);
      expect((await leaseOf(s, a, at(0), 'p1', 5_000)).map((y) => y.id)).toEqual([x.id]);
      expect(await leaseOf(s, a, at(4), 'p2', 5_000)).toEqual([]);
      expect((await leaseOf(s, a, at(5), 'p2', 5_000)).map((y) => y.leaseOwner)).toEqual(['p2']);
    });

    it('disabling an endpoint pauses its queue; enabling it again resumes where it stopped', async () => {
      const a = tenant();
      await s.createEndpoint(endpoint(a, 'gone'));
      const x = delivery(a, 'gone', 'conversation:g'); const y = delivery(a, 'gone', 'conversation:g');
      await s.enqueue([x, y]);
      const [lx] = await leaseOf(s, a, at(0), 'p1', 60_000);
      await s.settle(lx!, 'p1', { kind: 'failed', failure: 'gone', status: 410 }, attemptOf(lx!, 'disabled', 1, 410));
      await s.disableEndpoint(a, 'gone', 'gone', at(1));
      expect(await s.getEndpoint(a, 'gone')).toMatchObject({ enabled: false, disabledReason: 'gone', disabledAt: at(1) });
      expect(await s.getDelivery(a, y.id)).toMatchObject({ state: 'paused' });
      expect(await leaseOf(s, a, at(2), 'p1', 60_000)).toEqual([]);
      expect(await s.updateEndpoint(a, 'gone', { enabled: true }, at(3))).toMatchObject({ enabled: true });
      expect((await s.getEndpoint(a, 'gone'))!.disabledReason).toBeUndefined();
      expect((await leaseOf(s, a, at(3), 'p1', 60_000)).map((z) => z.id)).toEqual([y.id]);
      expect((await s.listDeliveries(a, 'gone', { state: 'failed' })).map((z) => [z.id, z.failure])).toEqual([[x.id, 'gone']]);
    });

    it('logs attempts per endpoint, newest first, and redelivers a delivered event under its id', async () => {
      const a = tenant();
      const x = delivery(a, 'crm', 'conversation:l');
      await s.enqueue([x]);
      let [l] = await leaseOf(s, a, at(0), 'p1', 60_000);
      await s.settle(l!, 'p1', { kind: 'retry', nextAttemptAt: at(10), error: 'ECONNREFUSED' }, { ...attemptOf(l!, 'retry', 0), error: 'ECONNREFUSED' });
      [l] = await leaseOf(s, a, at(10), 'p1', 60_000);
      await s.settle(l!, 'p1', { kind: 'delivered', at: at(10), status: 204 }, attemptOf(l!, 'delivered', 10, 204));
      const log = await s.listAttempts(a, 'crm');
      expect(log.map((e) => [e.attempt, e.outcome, e.status ?? null, e.error ?? null])).toEqual([[2, 'delivered', 204, null], [1, 'retry', null, 'ECONNREFUSED']]);
      expect(await s.listAttempts(a, 'crm', { deliveryId: 'other' })).toEqual([]);
      expect(await s.listAttempts(tenant(), 'crm')).toEqual([]);
      expect(await s.redeliver(tenant(), x.id, at(20))).toBeUndefined();
      expect(await s.redeliver(a, x.id, at(20))).toMatchObject({ id: x.id, state: 'pending', nextAttemptAt: at(20) });
      expect((await leaseOf(s, a, at(20), 'p1', 60_000)).map((z) => z.id)).toEqual([x.id]);
      expect((await s.listDeliveries(a, 'crm')).map((z) => z.id)).toEqual([x.id]);
    });

    it('keeps the queue across a restart of the process (drivers whose data outlives it)', async () => {
      const a = tenant();
      const x = delivery(a, 'crm', 'conversation:r');
      await s.enqueue([x]);
      const reopened = new DocumentWebhookStore(await opened.reopen());
      s = reopened;
      expect((await leaseOf(s, a, at(0), 'p9', 60_000)).map((z) => z.id)).toContain(x.id);
    });

    it('finds and deletes the deliveries about a contact and its conversations, and no other (GDPR export and erasure)', async () => {
      const a = tenant(); const b = tenant();
      const mine = [delivery(a, 'crm', 'contact:k1'), delivery(a, 'crm', 'conversation:c1'), delivery(a, 'audit', 'conversation:c2')];
      const others = [delivery(a, 'crm', 'contact:k2'), delivery(a, 'crm', 'conversation:c3'), delivery(b, 'crm', 'conversation:c1')];
      await s.enqueue([...mine, ...others]);
      const subject = { contactId: 'k1', conversationIds: ['c1', 'c2'] };
      expect((await s.listBySubject(a, subject)).map((x) => x.id)).toEqual(mine.map((x) => x.id));
      expect(await s.deleteBySubject(a, subject)).toBe(3);
      expect(await s.listBySubject(a, subject)).toEqual([]);
      expect(await s.getDelivery(a, others[0]!.id)).toBeDefined();
      expect(await s.getDelivery(b, others[2]!.id)).toBeDefined();
    });

    it('deleting an endpoint deletes its queue and log, and nothing of another tenant', async () => {
      const a = tenant(); const b = tenant();
      await s.createEndpoint(endpoint(a, 'crm')); await s.createEndpoint(endpoint(b, 'crm'));
      await s.enqueue([delivery(a, 'crm', 'k'), delivery(b, 'crm', 'k')]);
      expect(await s.deleteEndpoint(a, 'crm')).toBe(true);
      expect(await s.listDeliveries(a, 'crm')).toEqual([]);
      expect(await s.listDeliveries(b, 'crm')).toHaveLength(1);
    });
  });
}

/**
 * The console agent store's contract (agents, sessions, read markers, notes, settings), written
 * once and run on every driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../stores/driver.js';
import { DocumentAgentStore, type Agent, type AgentSession, type ContactNote } from '../console/agent-store.js';
import type { DriverUnderTest, OpenedDriver } from './drivers-under-test.js';

const at = (s: number): Date => new Date(Date.UTC(2026, 10, 25, 8, 0, s));
let n = 0;
const uid = (p: string): string => `${p}-${process.pid}-${++n}`;

/**
 * Defines the agent store's contract tests for one driver.
 * @param d - the driver under test
 */
export function describeAgentStoreConformance(d: DriverUnderTest): void {
  describe(`console agent store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let driver: StorageDriver;
    let s: DocumentAgentStore;
    beforeAll(async () => { opened = await d.open(); driver = opened.driver; s = new DocumentAgentStore(driver); });
    afterAll(async () => { await opened.close(); });

    const agent = (over: Partial<Agent> = {}): Agent => ({
      id: uid('a'), tenantId: 'shop', email: `${uid('ana')}@shop.io`, name: 'Ana', role: 'agent',
      passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', createdAt: at(0), updatedAt: at(0), ...over,
    });
    const session = (a: Agent, over: Partial<AgentSession> = {}): AgentSession => ({
      id: uid('h').padEnd(64, '0'), tenantId: a.tenantId, agentId: a.id, csrf: uid('csrf'),
      createdAt: at(0), expiresAt: at(600), maxExpiresAt: at(3600), ...over,
    });

    describe('agents', () => {
      it('keeps e-mails unique per tenant, whatever their case', async () => {
        const a = agent({ email: 'Bo@Shop.IO' });
        expect(await s.insert(a)).toBe(true);
        expect(await s.insert(agent({ email: 'bo@shop.io' }))).toBe(false);
        expect(await s.insert(agent({ email: 'bo@shop.io', tenantId: 'other' }))).toBe(true);
        expect(await s.findByEmail('shop', 'BO@shop.io')).toEqual({ ...a, email: 'bo@shop.io' });
        expect(await s.get('shop', a.id)).toEqual({ ...a, email: 'bo@shop.io' });
        expect(await s.get('other', a.id)).toBeUndefined();
        const concurrent = await Promise.all(Array.from({ length: 4 }, () => s.insert(agent({ email: 'race@shop.io' }))));
        expect(concurrent.filter(Boolean)).toHaveLength(1);
      });

      it('lists a tenant\'s agents by name', async () => {
        const tenantId = uid('t');
        for (const name of ['Carla', 'Ana', 'Bea']) await s.insert(agent({ tenantId, name }));
        expect((await s.list(tenantId)).map((a) => a.name)).toEqual(['Ana', 'Bea', 'Carla']);
      });

      it('patches agents, removing a field patched to undefined, within the tenant only', async () => {
        const a = agent({ queues: ['support'], disabled: true });
        await s.insert(a);
        const updated = await s.update('shop', a.id, { role: 'supervisor', queues: ['billing', 'support'], disabled: undefined, lastLoginAt: at(50) }, at(50));
        expect(updated).toEqual({ ...a, role: 'supervisor', queues: ['billing', 'support'], lastLoginAt: at(50), updatedAt: at(50), disabled: undefined });
        expect(updated).not.toHaveProperty('disabled');
        expect(await s.update('other', a.id, { role: 'admin' }, at(60))).toBeUndefined();
        expect((await s.get('shop', a.id))?.role).toBe('supervisor');
      });

      it('keeps password hashes only: a password in clear or an unknown role is refused', async () => {
        await expect(s.insert(agent({ passwordHash: 'hunter2' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        const a = agent();
        await s.insert(a);
        await expect(s.update('shop', a.id, { passwordHash: 'hunter2' }, at(1))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        await expect(s.update('shop', a.id, { role: 'owner' as Agent['role'] }, at(1))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        expect((await s.get('shop', a.id))?.passwordHash).toBe(a.passwordHash);
      });

      it('deletes an agent with their sessions', async () => {
        const a = agent();
        await s.insert(a);
        const mine = session(a);
        await s.createSession(mine);
        expect(await s.delete('other', a.id)).toBe(false);
        expect(await s.getSession(mine.id)).toEqual(mine);
        expect(await s.delete('shop', a.id)).toBe(true);
        expect(await s.get('shop', a.id)).toBeUndefined();
        expect(await s.getSession(mine.id)).toBeUndefined();
        expect(await s.delete('shop', a.id)).toBe(false);
      });
    });

    describe('sessions', () => {
      it('slides a session\'s expiry, never past its absolute end', async () => {
        const a = agent();
        const mine = session(a, { expiresAt: at(10), maxExpiresAt: at(20) });
        await s.createSession(mine);
        await s.touchSession(mine.id, at(15));
        expect((await s.getSession(mine.id))?.expiresAt).toEqual(at(15));
        await s.touchSession(mine.id, at(99));
        expect(await s.getSession(mine.id)).toEqual({ ...mine, expiresAt: at(20) });
        await s.touchSession('no-such-session', at(30));
        expect(await s.getSession('no-such-session')).toBeUndefined();
      });

      it('drops one session, or every session of an agent', async () => {
        const a = agent();
        const b = agent();
        const [a1, a2, b1] = [session(a), session(a), session(b)];
        for (const x of [a1, a2, b1]) await s.createSession(x);
        await s.deleteSession(a1.id);
        expect(await s.getSession(a1.id)).toBeUndefined();
        await s.deleteSessionsOf('other', a.id);
        expect(await s.getSession(a2.id)).toBeDefined();
        await s.deleteSessionsOf('shop', a.id);
        expect(await s.getSession(a2.id)).toBeUndefined();
        expect(await s.getSession(b1.id)).toEqual(b1);
      });

      it('purges sessions whose sliding expiry passed when someone logs in', async () => {
        const a = agent();
        const stale = session(a, { createdAt: at(0), expiresAt: at(100) });
        await s.createSession(stale);
        await s.createSession(session(a, { createdAt: at(100), expiresAt: at(700) }));
        expect(await s.getSession(stale.id)).toBeDefined(); // expires at 100: not yet past
        await s.createSession(session(a, { createdAt: at(101), expiresAt: at(701) }));
        expect(await s.getSession(stale.id)).toBeUndefined();
      });

      it('survive a restart: a new store on the same database knows them', async () => {
        const a = agent();
        await s.insert(a);
        const mine = session(a, { createdAt: at(200), expiresAt: at(800) });
        await s.createSession(mine);
        await s.markRead('shop', a.id, 'c-restart', at(250));
        driver = await opened.reopen();
        s = new DocumentAgentStore(driver);
        expect(await s.getSession(mine.id)).toEqual(mine);
        expect(await s.get('shop', a.id)).toEqual(a);
        expect((await s.readMarkers('shop', a.id)).get('c-restart')).toEqual(at(250));
      });
    });

    describe('read markers', () => {
      it('move forward only, per agent and tenant, also when marked concurrently', async () => {
        const agentId = uid('a');
        await s.markRead('shop', agentId, 'c1', at(500));
        await s.markRead('shop', agentId, 'c1', at(100));
        await Promise.all([at(300), at(900), at(700)].map((t) => s.markRead('shop', agentId, 'c2', t)));
        const markers = await s.readMarkers('shop', agentId);
        expect([...markers].sort()).toEqual([['c1', at(500)], ['c2', at(900)]]);
        expect((await s.readMarkers('other', agentId)).size).toBe(0);
        expect((await s.readMarkers('shop', uid('a'))).size).toBe(0);
      });
    });

    describe('notes', () => {
      it('lists a contact\'s notes oldest first, and erases them', async () => {
        const contactId = uid('k');
        const note = (s2: number, over: Partial<ContactNote> = {}): ContactNote => ({ id: uid('n'), tenantId: 'shop', contactId, agentId: 'a1', authorName: 'Ana', text: `note ${s2}`, at: at(s2), ...over });
        const notes = [note(30), note(10), note(20), note(5, { tenantId: 'other' })];
        for (const x of notes) await s.addNote(x);
        expect(await s.listNotes('shop', contactId)).toEqual([notes[1], notes[2], notes[0]]);
        await expect(s.addNote(notes[0]!)).rejects.toMatchObject({ code: 'CONFLICT' });
        await s.deleteNotes('shop', contactId);
        expect(await s.listNotes('shop', contactId)).toEqual([]);
        expect(await s.listNotes('other', contactId)).toEqual([notes[3]]);
      });
    });

    describe('settings', () => {
      it('are empty until written, then replaced as a whole, per tenant', async () => {
        const tenantId = uid('t');
        expect(await s.getSettings(tenantId)).toEqual({ tenantId, quickReplies: [], knowledgeBase: [] });
        const first = { tenantId, quickReplies: [{ id: 'q1', title: 'Hours', text: 'Open 9–17' }], knowledgeBase: [{ id: 'k1', title: 'Returns', url: 'https://shop.example/returns', keywords: ['refund'] }], updatedAt: at(1) };
        await s.putSettings(first);
        expect(await s.getSettings(tenantId)).toEqual(first);
        const second = { tenantId, quickReplies: [], knowledgeBase: [] };
        await s.putSettings(second);
        expect(await s.getSettings(tenantId)).toEqual(second);
        expect(await s.getSettings(uid('t'))).toEqual(expect.objectContaining({ quickReplies: [] }));
      });
    });
  });
}

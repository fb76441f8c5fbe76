/**
 * The console's presence switch over real HTTP: an agent sets their own status with their session
 * (CSRF checked, closed body), the board shows it, and it ends with the session (logout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_KEY, startConsoleHost, type ConsoleHost } from '../console/__fixtures__/console-host.js';
import { AssignmentService, type AssignmentServiceImpl } from './assignment-service.js';

let h: ConsoleHost;
beforeAll(async () => {
  h = await startConsoleHost({ seedAgents: [{ tenantId: 'shop', email: 'ben@shop.io', password: 'ben password 12', name: 'Ben' }] });
});
afterAll(async () => { await h?.stop(); });

describe('presence in the console', () => {
  it('sets the agent\'s own status, refuses bad input and a missing CSRF token, and ends with the session', async () => {
    const ben = h.browser();
    expect((await ben.call('/presence', { method: 'PUT', body: { status: 'online' } })).status).toBe(401);
    expect((await ben.login('ben@shop.io', 'ben password 12')).status).toBe(200);
    expect((await ben.call('/presence', { method: 'PUT', body: { status: 'online' }, csrf: false })).status).toBe(403);
    const bad = await ben.call<{ error: { code: string } }>('/presence', { method: 'PUT', body: { status: 'busy', agentId: 'someone-else' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const set = await ben.call<{ name: string; status: string; load: number; expiresAt?: string }>('/presence', { method: 'PUT', body: { status: 'online' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'Ben', status: 'online', load: 0 });
    expect(set.body.expiresAt).toBeDefined();
    const board = await ben.call<{ items: { name: string; status: string }[] }>('/presence');
    expect(board.body.items.map((p) => [p.name, p.status])).toEqual([['Ben', 'online']]);
    expect((await ben.call<{ items: unknown[] }>('/sla')).body.items).toEqual([]);
    // another tenant's key sees nobody
    expect((await h.api<{ items: unknown[] }>('/v1/presence', { key: OTHER_KEY })).body.items).toEqual([]);

    // signing out ends the session, and with it the presence at the next check
    expect((await ben.call('/logout', { method: 'POST' })).status).toBeLessThan(300);
    await h.host.container.get<AssignmentServiceImpl>(AssignmentService).tick();
    const after = await h.api<{ items: { name: string; status: string }[] }>('/v1/presence');
    expect(after.body.items.map((p) => [p.name, p.status])).toEqual([['Ben', 'offline']]);
  });
});

/**
 * The audit log records a read whose answer was cut off once it had begun (a streamed zip export
 * the client left), once, as it records every finished answer once.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { MemoryStores } from '../stores/host-stores.js';
import type { AuditEntry } from '../stores/ledger-stores.js';
import { auditMiddleware } from './audit-recorder.js';

const NOW = new Date('2026-03-01T10:00:00Z');

describe('audit of streamed answers', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => { await close?.(); close = undefined; });

  async function serve(): Promise<{ url: string; recorded: AuditEntry[]; next: () => Promise<AuditEntry>; stores: MemoryStores; release: () => void }> {
    const stores = new MemoryStores();
    const recorded: AuditEntry[] = [];
    const waiting: ((e: AuditEntry) => void)[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const app = express();
    app.use((req, _res, next) => { req.tenant = { id: 't1' } as TenantConfig; next(); });
    app.use(auditMiddleware({ store: stores.audit, now: () => NOW, logger: silentLogger, onRecorded: (e) => { recorded.push(e); waiting.shift()?.(e); } }));
    app.get('/contacts/:id/export', async (_req, res) => {
      res.setHeader('content-type', 'application/zip');
      res.write(Buffer.alloc(64 * 1024, 1));
      // the rest never comes until the test says so: the client leaves first
      await released;
      res.end();
    });
    app.get('/contacts/:id', (req, res) => { res.json({ id: req.params.id }); });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    close = () => { release(); server.closeAllConnections(); return new Promise<void>((resolve) => server.close(() => resolve())); };
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`, recorded, stores, release,
      next: () => new Promise<AuditEntry>((resolve) => { waiting.push(resolve); }),
    };
  }

  it('records a read the client left mid-answer, once', async () => {
    const s = await serve();
    const abort = new AbortController();
    const entry = s.next();
    const res = await fetch(`${s.url}/contacts/k-ann/export`, { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    expect(await entry).toMatchObject({ tenantId: 't1', action: 'read', method: 'GET', path: '/contacts/k-ann/export', status: 200, contactIds: ['k-ann'] });
    s.release();
    // a finished answer afterwards is one more entry, and the cut one was not written twice
    const second = s.next();
    expect((await fetch(`${s.url}/contacts/k-bob`)).status).toBe(200);
    expect(await second).toMatchObject({ path: '/contacts/k-bob' });
    expect(s.recorded.map((e) => e.path)).toEqual(['/contacts/k-ann/export', '/contacts/k-bob']);
  });
});

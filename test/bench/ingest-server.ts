/**
 * The server side of the ingest benchmark, run in its own process (and core):
 * - `host`: the Switchboard host with the WhatsApp connector on the SQLite default (a fresh file in
 *   a temporary directory, `synchronous: 'normal'`), inbox processing running;
 * - `host-retained`: the same, its tenant keeping messages 30 s (the soak's);
 * - `express`: a bare Express 5 endpoint that parses the same JSON and answers 200;
 * - `node`: a bare node:http endpoint that does the same.
 *
 * Prints `{"port":N}` once listening. Answers IPC messages: `rss` (after a full GC), `sample` (no
 * GC, with event-loop delay), `inbox` (the tenant's inbox counts: how far processing lags), `cpu`
 * (`process.cpuUsage()`), `media` (files and bytes stored, once every fetch due has run).
 *
 * Usage: tsx test/bench/ingest-server.ts <host|host-retained|express|node> [prefilledConversations] [platformApiBaseUrl]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import express from 'express';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createComplianceFeature, createHost, type Host, type HostStores } from '@switchboard/host';
import { createHostStores, SqliteDriver } from '@switchboard/host/testing';
import whatsapp, { whatsappSandboxConfig } from '@switchboard/whatsapp';

const mode = process.argv[2] ?? 'host';
const prefill = Number(process.argv[3] ?? 0);
// the platform the connector talks to (a fake that serves the photos of the image runs); nothing listens on port 9
const apiBaseUrl = process.argv[4] ?? 'http://127.0.0.1:9';
const TENANT = 'bench';

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Stores `count` conversations (each with its contact and one message) through the stores, in the database file. */
async function prefilled(path: string, count: number): Promise<void> {
  if (count === 0) return;
  const stores = createHostStores(await SqliteDriver.open({ path }));
  const at = new Date();
  for (let i = 0; i < count; i++) {
    const address = { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: `3${String(i).padStart(11, '0')}` };
    const { contact } = await stores.contacts.findOrCreateByAddress(TENANT, address, () => ({ id: `k${i}`, tenantId: TENANT, addresses: [address], profile: {}, createdAt: at, updatedAt: at }));
    await stores.conversations.findOrCreate(TENANT, address, () => ({ id: `c${i}`, tenantId: TENANT, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at }));
    await stores.messages.insert({
      id: `m${i}`, tenantId: TENANT, conversationId: `c${i}`, channel: 'whatsapp', accountId: address.accountId, userId: address.userId, direction: 'inbound',
      externalId: `wamid.pre${i}`, content: { type: 'text', text: 'Is my car ready?' }, status: 'delivered', timestamp: at, createdAt: at, updatedAt: at,
    });
  }
  await stores.close();
}

let host: Host | undefined;
let dir: string | undefined;

async function start(): Promise<number> {
  if (mode === 'node') {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      readJson(req).then(() => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'); })
        .catch(() => { res.writeHead(400).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return (server.address() as { port: number }).port;
  }
  if (mode === 'express') {
    const app = express();
    app.post('/webhooks/whatsapp/main', express.json({ limit: '3mb' }), (_req, res) => { res.json({ ok: true }); });
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return (server.address() as { port: number }).port;
  }
  if (mode !== 'host' && mode !== 'host-retained') throw new Error(`unknown mode ${mode}`);
  dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const path = join(dir, 'switchboard.db');
  await prefilled(path, prefill);
  host = await createHost(configFromObject({
    logLevel: 'silent',
    // the default store (a config without `store` gets the same, at data/switchboard.db)
    store: { kind: 'sqlite', path, synchronous: 'normal' },
    tenants: [{ id: TENANT, apiKeys: ['bench-api-key-0123456789abcdef'] }],
    connectors: [{ package: '@switchboard/whatsapp', plugin: whatsapp, required: true, accounts: [{ id: 'main', config: { ...whatsappSandboxConfig, apiBaseUrl } }] }],
  }), {
    logger: silentLogger,
    // the soak's host keeps messages 30 s (a tenant's retention, swept every 5 s): a store that keeps
    // everything grows with the data it holds, which a soak would read as a leak
    ...(mode === 'host-retained' ? { features: [createComplianceFeature({ retention: { [TENANT]: { messageDays: 30_000 / 86_400_000 } }, retentionSweepMs: 5_000 })] } : {}),
  });
  const { port } = await host.listen(0, '127.0.0.1');
  return port;
}

function stores(): HostStores {
  if (!host) throw new Error(`${mode} has no stores`);
  return host.stores;
}

const port = await start();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
process.on('message', (m) => {
  const reply = (value: unknown): void => { process.send?.(value); };
  if (m === 'rss') {
    globalThis.gc?.();
    reply({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
  if (m === 'sample') {
    // no forced GC here: the soak watches memory as the process really holds it
    reply({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 });
    loopDelay.reset();
  }
  if (m === 'inbox') {
    if (!host) { reply({ pending: 0, processing: 0, done: 0, failed: 0 }); return; }
    void stores().inbox.counts(TENANT).then(reply, (err: unknown) => reply({ error: String(err) }));
  }
  if (m === 'cpu') reply(process.cpuUsage());
  if (m === 'media') {
    const media = host?.media;
    if (!media) { reply({ files: 0, bytes: 0, pending: 0 }); return; }
    // after every fetch due now has run (one that is waiting for a retry is not due)
    void media.fetcher.drain().then(() => media.store.usage(TENANT))
      .then((usage) => reply({ files: usage.files, bytes: usage.bytes }), (err: unknown) => reply({ error: String(err) }));
  }
});
console.log(JSON.stringify({ port }));
const cleanUp = (): void => { if (dir) rmSync(dir, { recursive: true, force: true }); };
process.on('exit', cleanUp);
process.on('SIGTERM', () => {
  // a graceful stop (writes the CPU profile when started with --cpu-prof)
  void (host ? host.stop() : Promise.resolve()).finally(() => process.exit(0));
});

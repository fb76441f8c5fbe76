/**
 * The server side of the ingest benchmark, run in its own process (and core): `host` is the
 * Switchboard host with the WhatsApp connector on the embedded store; `express` a bare Express 5
 * endpoint that only parses the same JSON; `node` a bare node:http endpoint that only parses it.
 * Prints `{"port":N}` once listening; answers `{"rss":N}` to an IPC `rss` message.
 *
 * `host-ingress` is the host with its inbox processing paused: the webhook path alone;
 * `host-retained` the host whose tenant keeps messages 30 s (the soak's).
 *
 * Usage: tsx test/bench/ingest-server.ts <host|host-ingress|host-retained|express|node> [prefilledConversations]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import express from 'express';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createComplianceFeature, createHost, MemoryStores } from '@switchboard/host';
import whatsapp, { whatsappSandboxConfig } from '@switchboard/whatsapp';

const mode = process.argv[2] ?? 'host';
const prefill = Number(process.argv[3] ?? 0);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function prefilled(count: number): Promise<MemoryStores> {
  const stores = new MemoryStores();
  const at = new Date();
  for (let i = 0; i < count; i++) {
    const address = { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: `3${String(i).padStart(11, '0')}` };
    const { contact } = await stores.contacts.findOrCreateByAddress('bench', address, () => ({ id: `k${i}`, tenantId: 'bench', addresses: [address], profile: {}, createdAt: at, updatedAt: at }));
    await stores.conversations.findOrCreate('bench', address, () => ({ id: `c${i}`, tenantId: 'bench', contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at }));
    await stores.messages.insert({
      id: `m${i}`, tenantId: 'bench', conversationId: `c${i}`, channel: 'whatsapp', accountId: address.accountId, userId: address.userId, direction: 'inbound',
      externalId: `wamid.pre${i}`, content: { type: 'text', text: 'Is my car ready?' }, status: 'delivered', timestamp: at, createdAt: at, updatedAt: at,
    });
  }
  return stores;
}

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
  const stores = await prefilled(prefill);
  const host = await createHost(configFromObject({
    logLevel: 'silent',
    tenants: [{ id: 'bench', apiKeys: ['bench-api-key-0123456789abcdef'] }],
    connectors: [{ package: '@switchboard/whatsapp', plugin: whatsapp, required: true, accounts: [{ id: 'main', config: { ...whatsappSandboxConfig, apiBaseUrl: 'http://127.0.0.1:9' } }] }],
  }), {
    logger: silentLogger, stores,
    // the soak's host keeps messages 30 s (a tenant's retention, swept every 5 s): a store that keeps
    // everything grows with the data it holds, which a soak would read as a leak
    ...(mode === 'host-retained' ? { features: [createComplianceFeature({ retention: { bench: { messageDays: 30_000 / 86_400_000 } }, retentionSweepMs: 5_000 })] } : {}),
  });
  const { port } = await host.listen(0, '127.0.0.1');
  // the webhook path alone (verify, parse, inbox write, 200): what the request itself costs
  if (mode === 'host-ingress') await host.processor.stop();
  return port;
}

const port = await start();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
process.on('message', (m) => {
  if (m === 'rss') {
    globalThis.gc?.();
    process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
  if (m === 'sample') {
    // no forced GC here: the soak watches memory as the process really holds it
    process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 });
    loopDelay.reset();
  }
});
console.log(JSON.stringify({ port }));
process.on('SIGTERM', () => process.exit(0));

/**
 * The host side of the dispatch benchmark, in its own process so that `process.cpuUsage()` counts the
 * host alone (the fake platform runs in the benchmark's process): the Switchboard host on the SQLite
 * default (a fresh temporary file) with the WhatsApp connector pointed at the benchmark's fake
 * WhatsApp server, the dispatcher on the same scaled platform clock as the fake.
 *
 * The dispatcher is not started until the benchmark has queued its messages through
 * `POST /v1/messages` (so the queue reaches its depth); an IPC message starts it. Prints `{"port":N}` once listening.
 * IPC: `{ cmd: 'start' }` starts the dispatcher; `{ cmd: 'counts' }` answers the outbox counts;
 * `{ cmd: 'retried' }` the sent entries that took more than one lease; `{ cmd: 'cpu' }` answers `process.cpuUsage()` and the memory usage.
 *
 * Usage: tsx test/bench/dispatch-host.ts <timeScale> <connector config JSON>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost } from '@switchboard/host';
import { ScaledTimer } from '@switchboard/host/testing';
import whatsapp from '@switchboard/whatsapp';

const DISPATCH_TENANT = 'bench';
const DISPATCH_API_KEY = 'bench-api-key-0123456789abcdef';

const scale = Number(process.argv[2]);
const connectorConfig = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-dispatch-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const host = await createHost(configFromObject({
  logLevel: 'silent',
  store: { kind: 'sqlite', path: join(dir, 'switchboard.db'), synchronous: 'normal' },
  tenants: [{ id: DISPATCH_TENANT, apiKeys: [DISPATCH_API_KEY] }],
  connectors: [{ package: '@switchboard/whatsapp', plugin: whatsapp, required: true, accounts: [{ id: 'main', config: connectorConfig }] }],
}), { logger: silentLogger, outbound: { timer: new ScaledTimer(scale) } });
// What host.listen() does, except that the dispatcher starts only when told: the queue fills first,
// then the dispatcher starts with all of it in the outbox (as after a restart with a deep queue).
// The inbox processor runs throughout (the customers' messages open the service window).
host.processor.start();
for (const f of host.features) await f.start?.();
const server = createServer(host.handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const { port } = server.address() as AddressInfo;

process.on('message', (m: { cmd: string }) => {
  const reply = (value: unknown): void => { process.send?.(value); };
  if (m.cmd === 'start') { host.outbound.start(); reply({ ok: true }); }
  if (m.cmd === 'counts') {
    void Promise.all([host.stores.outbox.counts(DISPATCH_TENANT), host.stores.inbox.counts(DISPATCH_TENANT)])
      .then(([outbox, inbox]) => reply({ outbox, inbox }), (err: unknown) => reply({ error: String(err) }));
  }
  if (m.cmd === 'retried') {
    // entries that took more than one lease, with their last error (what a tail in the send times is made of)
    void host.stores.outbox.list(DISPATCH_TENANT, { status: 'sent', limit: 100_000 })
      .then((entries) => reply(entries.filter((e) => e.attempts > 1 || e.lastError).map((e) => ({ id: e.id, attempts: e.attempts, lastError: e.lastError, createdAt: e.createdAt, updatedAt: e.updatedAt }))), (err: unknown) => reply({ error: String(err) }));
  }
  if (m.cmd === 'cpu') reply({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
});
process.on('SIGTERM', () => { server.close(); void host.stop().finally(() => process.exit(0)); });
console.log(JSON.stringify({ port }));

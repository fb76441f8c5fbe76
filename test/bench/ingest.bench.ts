/**
 * Ingest benchmark: autocannon against the host's webhook endpoint with correctly signed WhatsApp
 * payloads (a fresh message id and signature per request), full pipeline on the embedded store,
 * side by side with a bare Express 5 endpoint and a bare node:http endpoint that only parse the
 * same JSON — all in this run, the server pinned to one core and the load generator to another.
 * Also: 30 % duplicate deliveries, and the host with 100,000 stored conversations (does the cost
 * grow with the store's size?).
 *
 * Usage: tsx test/bench/ingest.bench.ts [--quick]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { QUICK, printGrid, writeResult } from './bench-util.js';

const DURATION = QUICK ? 4 : 20;
const CONNECTIONS = 32;
const SERVER = fileURLToPath(new URL('./ingest-server.ts', import.meta.url));
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
// the load generator on core 0, the server on core 1 (when the machine lets us pin)
if (hasTaskset) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });

interface Server { child: ChildProcess; port: number }

async function startServer(mode: string, prefill = 0): Promise<Server> {
  const args = ['--expose-gc', '--import', 'tsx', SERVER, mode, String(prefill)];
  const child = hasTaskset
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, port };
}

async function rssOf(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.child.once('message', (m) => resolve((m as { rss: number }).rss));
    server.child.send('rss');
  });
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGKILL');
  await exited;
}

/** Signed WhatsApp webhooks: each a fresh message id and signature, or a repeat of an earlier one. */
function payloads(duplicateShare: number): () => { body: string; headers: Record<string, string> } {
  const fake = new FakeWhatsAppServer();
  const sent: { body: string; headers: Record<string, string> }[] = [];
  let n = 0;
  return () => {
    if (sent.length > 0 && Math.random() < duplicateShare) return sent[Math.floor(Math.random() * sent.length)]!;
    n++;
    const w = fake.userMessage({ userId: `49151${String(n % 50_000).padStart(7, '0')}`, text: 'Is my car ready?', messageId: `wamid.bench.${process.pid}.${n}` });
    const p = { body: w.body.toString('utf8'), headers: { ...w.headers, 'content-type': 'application/json' } };
    if (sent.length < 5_000) sent.push(p);
    return p;
  };
}

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; rssMb: number }

async function load(name: string, mode: string, options: { duplicates?: number; prefill?: number } = {}): Promise<Row> {
  const server = await startServer(mode, options.prefill ?? 0);
  try {
    const next = payloads(options.duplicates ?? 0);
    const run = async (duration: number) => autocannon({
      url: `http://127.0.0.1:${server.port}`, connections: CONNECTIONS, duration,
      requests: [{
        method: 'POST', path: '/webhooks/whatsapp/main',
        setupRequest: (req) => { const p = next(); return { ...req, body: p.body, headers: p.headers }; },
      }],
    });
    await run(1); // warm-up
    const r = await run(DURATION);
    return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, rssMb: (await rssOf(server)) / 1024 / 1024 };
  } finally {
    await stop(server);
  }
}

const rows: Row[] = [];
rows.push(await load('bare node:http (parse only)', 'node'));
rows.push(await load('bare Express 5 (parse only)', 'express'));
rows.push(await load('switchboard host', 'host'));
rows.push(await load('switchboard host, 30 % duplicates', 'host', { duplicates: 0.3 }));
const big = QUICK ? 20_000 : 100_000;
rows.push(await load(`switchboard host, ${big.toLocaleString('en-US')} stored conversations`, 'host', { prefill: big }));
rows.push(await load('switchboard host, webhook path only (processing paused)', 'host-ingress'));

const [node, ex, host, dup, scaled, path] = rows as [Row, Row, Row, Row, Row, Row];
printGrid(`ingest: signed WhatsApp webhooks, ${CONNECTIONS} connections, ${DURATION} s each${hasTaskset ? ', server on core 1, load on core 0' : ''}`,
  ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'RSS MB'],
  rows.map((r) => [r.name, r.rps, r.p50, r.p99, r.errors, r.non2xx, r.rssMb]));
const ratios: [string, number, string][] = [
  ['host / bare Express, req/s', host.rps / ex.rps, '≥ 0.8'],
  ['host / bare Express, p99', host.p99 / Math.max(ex.p99, 1), '≤ 2'],
  ['host / bare node:http, req/s', host.rps / node.rps, '≥ 0.5 (stretch)'],
  ['webhook path only / bare node:http, req/s', path.rps / node.rps, 'what bounds the stretch goal'],
  ['host with 30 % duplicates / host, req/s', dup.rps / host.rps, '≥ 1 (not slower)'],
  [`host with ${big.toLocaleString('en-US')} conversations / host, req/s`, scaled.rps / host.rps, '≈ 1 (no growth with the store)'],
];
printGrid('ratios (measured side by side in this run)', ['ratio', 'value', 'target'], ratios.map(([k, v, t]) => [k, v.toFixed(2), t]));
console.log('wrote', writeResult('ingest', { durationSeconds: DURATION, connections: CONNECTIONS, pinned: hasTaskset, rows, ratios: Object.fromEntries(ratios.map(([k, v]) => [k, v])) }));

/**
 * Dispatch benchmark, through the REST API: the host (its own process, on the SQLite default) with the
 * WhatsApp connector pointed at a fake WhatsApp server (in this process) that enforces the declared
 * account rate (80 msg/s per number) and the pair rate. 1,000 customers write first (signed webhooks,
 * so the service window is open); then 1k, 10k and 50k messages (1k and 5k with --quick) are queued
 * with `POST /v1/messages` before the dispatcher starts, and the dispatcher is started with the whole
 * queue in the outbox.
 *
 * Reported per depth: the achieved send rate as a share of the declared rate (target ≥ 97 % at 50k),
 * the platform's rate-limit refusals (WhatsApp answers them 400 with code 130429/131056 rather than
 * 429; counted as platform requests beyond one per message; target 0), and the host's CPU time per
 * sent message (`process.cpuUsage()` of the host process over the sending phase / messages sent) —
 * which must not grow with the queue.
 *
 * Fake and dispatcher run on the same scaled platform clock (2× by default, `--scale=N`; 1 is the
 * platform's own pace), so 50,000 messages at 80/s take 5.3 minutes instead of 10.4, and the host
 * does twice the work per wall-clock second that the platform allows; rates are in platform time. At 20× a millisecond of timer lateness
 * on a busy machine is 20 ms of platform time and bunched sends draw refusals real time never shows.
 *
 * With `--baseline=<dir>` (another checkout, installed and built — e.g. a `git worktree` at the
 * commit before a change), every depth runs twice, this host and that one alternating (which goes
 * first alternates by depth), and the ratios of this host's share and CPU per send to that one's are
 * reported.
 *
 * Usage: tsx test/bench/dispatch.bench.ts [--quick] [--depths=1000,10000] [--profile] [--baseline=<dir>]
 * (`--profile` starts the host with `node --cpu-prof`, profiles in bench-results/profiles/)
 */
import { type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import whatsapp, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { CAN_PIN, pinToLoadCore, printGrid, QUICK, startBenchServer, writeResult } from './bench-util.js';

const scaleArg = process.argv.find((a) => a.startsWith('--scale='));
const SCALE = scaleArg ? Number(scaleArg.slice('--scale='.length)) : 2;
const depthsArg = process.argv.find((a) => a.startsWith('--depths='));
const DEPTHS = depthsArg ? depthsArg.slice('--depths='.length).split(',').map(Number) : QUICK ? [1_000, 5_000] : [1_000, 10_000, 50_000];
const PROFILE = process.argv.includes('--profile');
const CONVERSATIONS = 1_000;
const API_KEY = 'bench-api-key-0123456789abcdef';
const HOST = fileURLToPath(new URL('./dispatch-host.ts', import.meta.url));
const baselineArg = process.argv.find((a) => a.startsWith('--baseline='));
const BASELINE_HOST = baselineArg ? join(resolve(baselineArg.slice('--baseline='.length)), 'test', 'bench', 'dispatch-host.ts') : undefined;
// the fake platform and the API client on core 0, the host on core 1 (when the machine lets us pin)
pinToLoadCore();
const declared = whatsapp.policy.rateLimits.find((l) => l.scope === 'account')!;
const declaredPerSecond = (declared.limit * 1000) / declared.perMs;
const userId = (i: number): string => `49151${String(1_000_000 + i)}`;

interface Child { child: ChildProcess; url: string; exited: Promise<unknown> }
type Counts = { outbox: Record<string, number>; inbox: Record<string, number> };
type Cpu = { cpu: NodeJS.CpuUsage; rss: number; heapUsed: number };

async function startHost(connectorConfig: Record<string, unknown>, script = HOST): Promise<Child> {
  const prof = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}/bench-results/profiles`] : [];
  const args = [...prof, '--import', 'tsx', script, String(SCALE), JSON.stringify(connectorConfig)];
  const { child, port, exited } = await startBenchServer(args, 'dispatch host');
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

function ask<T>(c: Child, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    c.child.once('message', (m) => resolve(m as T));
    c.child.send({ cmd });
  });
}

/** Runs `task(i)` for i in [0, n) with at most `width` at a time. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await task(next++);
  }));
}

async function waitFor(c: Child, done: (counts: Counts) => boolean, what: string, ms: number): Promise<Counts> {
  const deadline = Date.now() + ms;
  for (;;) {
    const counts = await ask<Counts>(c, 'counts');
    if (done(counts)) return counts;
    if (Date.now() > deadline) throw new Error(`${what}: not done in ${ms / 1000} s (${JSON.stringify(counts)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(depth: number, script = HOST): Promise<Record<string, number>> {
  const fake = new FakeWhatsAppServer({ timeScale: SCALE });
  await fake.start();
  const host = await startHost(fake.connectorConfig(), script);
  try {
    // customers write first: their messages open the service window
    await pool(CONVERSATIONS, 16, async (i) => {
      const r = await fake.deliver(`${host.url}/webhooks/whatsapp/main`, fake.userMessage({ userId: userId(i), text: 'Is my order ready?' }));
      if (r.status !== 200) throw new Error(`webhook answered ${r.status}: ${r.body}`);
    });
    await waitFor(host, (c) => (c.inbox['done'] ?? 0) >= CONVERSATIONS, 'inbound processing', 120_000);

    // the queue, through the REST API, with the dispatcher held
    const queueStart = performance.now();
    const cpuQueue0 = await ask<Cpu>(host, 'cpu');
    await pool(depth, 32, async (m) => {
      const res = await fetch(`${host.url}/v1/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'whatsapp', accountId: 'main', userId: userId(m % CONVERSATIONS), sender: 'bot', purpose: 'service', content: { type: 'text', text: `Order ${m} is ready for collection.` } }),
      });
      const text = await res.text();
      if (res.status !== 202) throw new Error(`POST /v1/messages answered ${res.status}: ${text}`);
    });
    const cpuQueue1 = await ask<Cpu>(host, 'cpu');
    const queueSeconds = (performance.now() - queueStart) / 1000;
    const queued = await ask<Counts>(host, 'counts');

    // the sending phase: from the start of the dispatcher until every message was sent
    const before = fake.requests.length;
    const cpu0 = await ask<Cpu>(host, 'cpu');
    await ask(host, 'start');
    const sent = await waitFor(host, (c) => (c.outbox['sent'] ?? 0) + (c.outbox['failed'] ?? 0) + (c.outbox['cancelled'] ?? 0) >= depth, 'dispatch', 1_800_000);
    const cpu1 = await ask<Cpu>(host, 'cpu');

    const sends = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    // the fake stamps its requests in platform time (its clock runs SCALE times the wall clock's speed)
    const first = sends[0]!.at.getTime();
    const last = sends.at(-1)!.at.getTime();
    const platformSeconds = (last - first) / 1000;
    const wallSeconds = platformSeconds / SCALE;
    const achieved = (depth - 1) / platformSeconds;
    // when each share of the messages had gone out (platform seconds from the first send): a tail shows as a late 100 %
    const progress = Object.fromEntries([0.5, 0.9, 0.99, 1].map((q) => [`p${q * 100}`, (sends[Math.min(sends.length - 1, Math.ceil(q * sends.length) - 1)]!.at.getTime() - first) / 1000]));
    const retried = await ask<{ attempts: number; lastError?: { code: string } }[]>(host, 'retried');
    const cpuUs = (cpu1.cpu.user + cpu1.cpu.system) - (cpu0.cpu.user + cpu0.cpu.system);
    const queueCpuUs = (cpuQueue1.cpu.user + cpuQueue1.cpu.system) - (cpuQueue0.cpu.user + cpuQueue0.cpu.system);
    return {
      shareOfDeclaredFirst90Percent: (Math.ceil(0.9 * sends.length) - 1) / progress['p90']! / declaredPerSecond,
      sentBy50PercentS: progress['p50']!, sentBy90PercentS: progress['p90']!, sentBy99PercentS: progress['p99']!, allSentS: progress['p100']!,
      entriesLeasedMoreThanOnce: retried.length,
      ...Object.fromEntries(Object.entries(retried.reduce<Record<string, number>>((a, e) => { const k = `retriedFor_${e.lastError?.code ?? 'none'}`; a[k] = (a[k] ?? 0) + 1; return a; }, {}))),
      queued: depth, outboxPendingAtStart: queued.outbox['pending'] ?? 0, sent: sent.outbox['sent'] ?? 0, failed: (sent.outbox['failed'] ?? 0) + (sent.outbox['cancelled'] ?? 0),
      conversations: CONVERSATIONS, timeScale: SCALE, declaredPerSecond, achievedPerSecond: achieved, shareOfDeclared: achieved / declaredPerSecond,
      platformRequests: sends.length, rateLimited: sends.length - depth,
      cpuMsPerSent: cpuUs / 1000 / depth, wallSeconds, cpuShareOfOneCore: cpuUs / 1e6 / wallSeconds,
      queueSeconds, queuedPerSecond: depth / queueSeconds, cpuMsPerQueued: queueCpuUs / 1000 / depth, rssMbAfter: cpu1.rss / 1048576,
    };
  } finally {
    host.child.kill('SIGTERM');
    const timer = setTimeout(() => host.child.kill('SIGKILL'), 15_000);
    await host.exited;
    clearTimeout(timer);
    await fake.stop();
  }
}

const results: Record<string, number>[] = [];
const baselineResults: Record<string, number>[] = [];
for (const [i, depth] of DEPTHS.entries()) {
  const before = async (): Promise<void> => {
    if (!BASELINE_HOST) return;
    const b = await run(depth, BASELINE_HOST);
    baselineResults.push(b);
    console.log(`${depth.toLocaleString('en-US')} queued, the host of ${baselineArg!.slice('--baseline='.length)}: ${(b.shareOfDeclared! * 100).toFixed(1)} %, ${b.rateLimited} refused, ${b.cpuMsPerSent!.toFixed(3)} ms CPU per sent message`);
  };
  if (i % 2 === 1) await before();
  const r = await run(depth);
  results.push(r);
  if (i % 2 === 0) await before();
  console.log(`${depth.toLocaleString('en-US')} queued: ${(r.shareOfDeclared! * 100).toFixed(1)} % of ${declaredPerSecond}/s, ${r.rateLimited} refused, ${r.cpuMsPerSent!.toFixed(3)} ms CPU per sent message; 50/90/99/100 % sent after ${[r.sentBy50PercentS, r.sentBy90PercentS, r.sentBy99PercentS, r.allSentS].map((v) => v!.toFixed(1)).join(' / ')} s; ${r.entriesLeasedMoreThanOnce} entries leased more than once ${JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('retriedFor_'))))}`);
}
printGrid(`dispatch through POST /v1/messages: WhatsApp fake at ${declaredPerSecond} msg/s, ${CONVERSATIONS.toLocaleString('en-US')} conversations, platform time ×${SCALE}, host on SQLite${CAN_PIN ? ' (host on core 1)' : ''}`,
  ['queued', 'achieved/s', 'share of declared', 'share, first 90 %', 'all sent after s', 'leased twice', 'rate-limit refusals', 'host CPU ms / sent', 'host CPU share', 'API accepts/s (queueing)', 'CPU ms / queued'],
  results.map((r) => [r.queued!, r.achievedPerSecond!, `${(r.shareOfDeclared! * 100).toFixed(1)} %`, `${(r.shareOfDeclaredFirst90Percent! * 100).toFixed(1)} %`, r.allSentS!.toFixed(1), r.entriesLeasedMoreThanOnce!, r.rateLimited!, r.cpuMsPerSent!.toFixed(3), `${(r.cpuShareOfOneCore! * 100).toFixed(0)} %`, r.queuedPerSecond!, r.cpuMsPerQueued!.toFixed(3)]));
const deepest = results.at(-1)!;
const growth = deepest.cpuMsPerSent! / results[0]!.cpuMsPerSent!;
console.log(`\nCPU per sent message at ${deepest.queued!.toLocaleString('en-US')} queued / at ${results[0]!.queued!.toLocaleString('en-US')} queued: ${growth.toFixed(2)} (target: no growth, ≈ 1)`);
console.log(`target ≥ 97 % of the declared rate with 0 refusals at the deepest queue: ${deepest.shareOfDeclared! >= 0.97 && deepest.rateLimited === 0 ? 'met' : 'NOT met'}`);
if (BASELINE_HOST) {
  printGrid(`this host / the host of ${baselineArg!.slice('--baseline='.length)} (same run, alternating; target within 5 %)`, ['queued', 'share of declared', 'CPU ms / sent (lower is better)', 'CPU ms / queued (lower is better)'],
    results.map((r, i) => { const b = baselineResults[i]!; return [r.queued!, (r.shareOfDeclared! / b.shareOfDeclared!).toFixed(3), (r.cpuMsPerSent! / b.cpuMsPerSent!).toFixed(3), (r.cpuMsPerQueued! / b.cpuMsPerQueued!).toFixed(3)]; }));
}
console.log('wrote', writeResult('dispatch', { path: 'POST /v1/messages', store: 'sqlite (temporary file)', cpuGrowthDeepestOverShallowest: growth, results, ...(BASELINE_HOST ? { baseline: baselineArg!.slice('--baseline='.length), baselineResults } : {}) }));

/**
 * Ingest benchmark: autocannon against the host's webhook endpoint with correctly signed WhatsApp
 * payloads (a fresh message id and signature per request), the host on the SQLite default (a fresh
 * temporary file, `synchronous: 'normal'`) with its inbox processing RUNNING — side by side with a
 * bare node:http and a bare Express 5 endpoint that parse the same JSON and answer 200.
 *
 * Fairness: the systems alternate round by round (the order rotates, so each runs first, second and
 * third in turn), each round on a fresh server process pinned to core 1 with the load generator on
 * core 0 (when `taskset` exists); min / median / max over the rounds are reported. Ratios name their
 * baseline: node:http is the host's honest one (its webhook path is plain node:http), Express 5 the
 * peers' (the frameworks they are built on answer through it). The peers keep nothing; the host
 * commits every webhook to its inbox before the 200 and processes it (contact, conversation,
 * message, routing) on the same core. How far processing lagged is reported with each host round:
 * the inbox backlog when the load stopped and how long it took to drain, and the end-to-end rate
 * (webhooks answered / (load time + drain time)).
 *
 * Every run adds a text-only run and, right after it, one where one webhook in ten is a 128 KiB photo
 * the host fetches from the fake WhatsApp platform off the request path (answered rate and RSS read
 * against the text-only run), and one with 1 MiB photos (RSS read against the 128 KiB run: a host
 * that held files whole would grow with their size). The full run adds, once each: 30 % duplicate deliveries, and a host
 * holding 100,000 stored conversations (does the cost grow with the store's size?).
 *
 * The photo comparison alternates too: three pairs (text-only, then photos; the next pair photos
 * first), the ratio of the medians reported with each pair's own ratio.
 *
 * With `--baseline=<dir>` (another checkout of this repository, installed and built — e.g. a
 * `git worktree` at the commit before a change), its host runs as a fourth system in the same
 * alternating rounds, and the ratio of this host to it is reported: how a change moved the figures,
 * measured side by side rather than against a number from another day.
 *
 * Usage: tsx test/bench/ingest.bench.ts [--quick] [--profile] [--photos] [--baseline=<dir>]
 * (`--profile` starts the host rounds with `node --cpu-prof`, profiles in bench-results/profiles/;
 * `--photos` runs only the photo comparison and the 1 MiB run)
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FakeWhatsAppServer, whatsappSandboxConfig } from '@switchboard/whatsapp';
import { CAN_PIN, pinToLoadCore, printGrid, QUICK, startBenchServer, writeResult, type BenchServer } from './bench-util.js';

const DURATION = QUICK ? 3 : 15;
const WARMUP = QUICK ? 1 : 2;
const ROUNDS = QUICK ? 3 : 5;
const CONNECTIONS = 32;
const PROFILE = process.argv.includes('--profile');
const ONLY_PHOTOS = process.argv.includes('--photos');
const PHOTO_PAIRS = 3;
const baselineArg = process.argv.find((a) => a.startsWith('--baseline='));
const BASELINE_SERVER = baselineArg ? join(resolve(baselineArg.slice('--baseline='.length)), 'test', 'bench', 'ingest-server.ts') : undefined;
const SERVER = fileURLToPath(new URL('./ingest-server.ts', import.meta.url));
const FAKE_PLATFORM = fileURLToPath(new URL('./fake-platform-process.ts', import.meta.url));
// the load generator on core 0, the server on core 1 (when the machine lets us pin)
pinToLoadCore();

type Server = BenchServer;

async function startServer(mode: string, prefill = 0, apiBaseUrl?: string, script = SERVER): Promise<Server> {
  const prof = PROFILE && mode.startsWith('host') ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'bench-results', 'profiles')}`] : [];
  const args = ['--expose-gc', ...prof, '--import', 'tsx', script, mode, String(prefill), ...(apiBaseUrl ? [apiBaseUrl] : [])];
  return startBenchServer(args, `${mode} server`);
}

function ask<T>(server: Server, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    server.child.once('message', (m) => resolve(m as T));
    server.child.send(message);
  });
}

async function stop(server: Server): Promise<void> {
  // SIGTERM: the server stops the host (closing the database, removing its temporary directory)
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await server.exited;
  clearTimeout(timer);
}

type Webhook = { body: string; headers: Record<string, string> };

/**
 * Signed WhatsApp webhooks: each a fresh message id and signature, or a repeat of an earlier one;
 * with `imageEvery`, every so many is one of the photo webhooks the fake platform's process made
 * (it serves the photo; the host fetches it). Photos beyond those made are not sent (text instead).
 */
function payloads(duplicateShare: number, media?: { imageEvery: number; webhooks: readonly Webhook[] }): { (): Webhook; photos: number } {
  // signed with the secret the server's account is configured with (a fake draws its own otherwise)
  const fake = new FakeWhatsAppServer({ config: { ...whatsappSandboxConfig } });
  const sent: Webhook[] = [];
  let n = 0;
  const next = Object.assign((): Webhook => {
    if (sent.length > 0 && Math.random() < duplicateShare) return sent[Math.floor(Math.random() * sent.length)]!;
    n++;
    if (media && n % media.imageEvery === 0 && next.photos < media.webhooks.length) return media.webhooks[next.photos++]!;
    const w = fake.userMessage({ userId: `49151${String(n % 50_000).padStart(7, '0')}`, text: 'Is my car ready?', messageId: `wamid.bench.${process.pid}.${n}` });
    const p = { body: w.body.toString('utf8'), headers: { ...w.headers, 'content-type': 'application/json' } };
    if (sent.length < 5_000) sent.push(p);
    return p;
  }, { photos: 0 });
  return next;
}

/** Photo webhooks made ahead per run: more than the host answers in a run with one webhook in ten a photo. */
const PHOTOS_PER_RUN = QUICK ? 2_000 : 8_000;

type Counts = { pending: number; processing: number; done: number; failed: number };

interface Run {
  system: string; round: number; rps: number; p50: number; p99: number; errors: number; non2xx: number; answered: number; rssMb: number;
  /** host only: inbox backlog (pending + processing) when the load stopped */
  backlog?: number;
  /** host only: seconds from the end of the load until the inbox was drained */
  drainSeconds?: number;
  /** host only: webhooks processed per second while the load ran */
  processedPerSecond?: number;
  /** host only: webhooks answered / (load time + drain time) */
  endToEndPerSecond?: number;
  failed?: number;
  /** image runs: photos stored by the host, their bytes, and fetches not finished */
  media?: MediaCounts;
}

type MediaCounts = { files: number; bytes: number; pending: number };

async function measure(system: string, mode: string, round: number, options: { duplicates?: number; prefill?: number; imageEvery?: number; photoKib?: number; script?: string } = {}): Promise<Run> {
  // the fake platform serves the photos, from a process of its own (neither the load's core nor the server's)
  const fake = options.imageEvery ? await startBenchServer(['--import', 'tsx', FAKE_PLATFORM], 'fake platform', false) : undefined;
  const server = await startServer(mode, options.prefill ?? 0, fake ? `http://127.0.0.1:${fake.port}` : undefined, options.script);
  try {
    const webhooks = fake ? await ask<Webhook[]>(fake, { photos: PHOTOS_PER_RUN, kib: options.photoKib ?? 128 }) : [];
    const next = payloads(options.duplicates ?? 0, options.imageEvery ? { imageEvery: options.imageEvery, webhooks } : undefined);
    const load = async (duration: number) => autocannon({
      url: `http://127.0.0.1:${server.port}`, connections: CONNECTIONS, duration,
      requests: [{
        method: 'POST', path: '/webhooks/whatsapp/main',
        setupRequest: (req) => { const p = next(); return { ...req, body: p.body, headers: p.headers }; },
      }],
    });
    const isHost = mode.startsWith('host');
    await load(WARMUP);
    const before = isHost ? await ask<Counts>(server, 'inbox') : undefined;
    const r = await load(DURATION);
    // a benchmark of refusals would measure nothing: every request must have been answered 200
    if (r.non2xx > 0 || r.errors + r.timeouts > 0) throw new Error(`${system}: ${r.non2xx} answers were not 2xx, ${r.errors + r.timeouts} errors (of ${r.requests.total})`);
    const run: Run = {
      system, round, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx,
      answered: r['2xx'], rssMb: 0,
    };
    if (isHost && before) {
      const after = await ask<Counts>(server, 'inbox');
      run.backlog = after.pending + after.processing;
      run.processedPerSecond = (after.done + after.failed - before.done - before.failed) / DURATION;
      const drainStart = performance.now();
      let now = after;
      while (now.pending + now.processing > 0 && performance.now() - drainStart < 300_000) {
        await new Promise((res) => setTimeout(res, 50));
        now = await ask<Counts>(server, 'inbox');
      }
      run.drainSeconds = now.pending + now.processing > 0 ? Number.POSITIVE_INFINITY : (performance.now() - drainStart) / 1000;
      run.endToEndPerSecond = r['2xx'] / (DURATION + run.drainSeconds);
      run.failed = now.failed;
    }
    if (fake) {
      // every photo fetched before the host's memory is read; photos the webhooks carried that are not stored are counted
      const stored = await ask<{ files: number; bytes: number }>(server, 'media');
      run.media = { files: stored.files, bytes: stored.bytes, pending: Math.max(0, next.photos - stored.files) };
    }
    run.rssMb = (await ask<{ rss: number }>(server, 'rss')).rss / 1024 / 1024;
    return run;
  } finally {
    await stop(server);
    if (fake) await stop(fake);
  }
}

const systems: { key: string; label: string; mode: string; script?: string }[] = [
  { key: 'node', label: 'bare node:http (parse, 200)', mode: 'node' },
  { key: 'express', label: 'bare Express 5 (parse, 200)', mode: 'express' },
  { key: 'host', label: 'switchboard host (SQLite file, processing on)', mode: 'host' },
  ...(BASELINE_SERVER ? [{ key: 'before', label: `the host of ${baselineArg!.slice('--baseline='.length)}`, mode: 'host', script: BASELINE_SERVER }] : []),
];

const runs: Run[] = [];
for (let round = 0; round < (ONLY_PHOTOS ? 0 : ROUNDS); round++) {
  // rotate the order so no system is always first (a cold machine) or last
  const order = systems.map((_, i) => systems[(i + round) % systems.length]!);
  for (const s of order) {
    const run = await measure(s.key, s.mode, round + 1, s.script ? { script: s.script } : {});
    runs.push(run);
    console.log(`round ${round + 1} ${s.key.padEnd(8)} ${Math.round(run.rps).toLocaleString('en-US').padStart(7)} req/s  p99 ${run.p99} ms${run.backlog !== undefined ? `  backlog ${run.backlog}, drained in ${run.drainSeconds!.toFixed(1)} s` : ''}`);
  }
}
const extra: Run[] = [];
const big = 100_000;
// one webhook in ten a 128 KiB photo the host fetches from the fake platform off the request path,
// beside a text-only run measured right before it (same conditions)
// (pairs, alternating which runs first; the medians are compared)
const textRuns: Run[] = [];
const photoRuns: Run[] = [];
for (let pair = 1; pair <= PHOTO_PAIRS; pair++) {
  const text = (): Promise<Run> => measure('host, text only (beside the photo run)', 'host', pair);
  const photos = (): Promise<Run> => measure('host, 1 in 10 a 128 KiB photo', 'host', pair, { imageEvery: 10, photoKib: 128 });
  if (pair % 2 === 1) { textRuns.push(await text()); photoRuns.push(await photos()); } else { photoRuns.push(await photos()); textRuns.push(await text()); }
  console.log(`photo pair ${pair}: text only ${Math.round(textRuns.at(-1)!.rps).toLocaleString('en-US')} req/s, 1 in 10 a photo ${Math.round(photoRuns.at(-1)!.rps).toLocaleString('en-US')} req/s`);
}
const medianRun = (xs: Run[]): Run => [...xs].sort((a, b) => a.rps - b.rps)[xs.length >> 1]!;
const textOnly = medianRun(textRuns);
const withPhotos = medianRun(photoRuns);
// eight times the bytes per photo: a host that held files whole would need more memory here
const bigPhotos = await measure('host, 1 in 10 a 1 MiB photo', 'host', 1, { imageEvery: 10, photoKib: 1024 });
extra.push(textOnly, withPhotos, bigPhotos);
if (!QUICK && !ONLY_PHOTOS) {
  extra.push(await measure('host, 30 % duplicates', 'host', 1, { duplicates: 0.3 }));
  extra.push(await measure(`host, ${big.toLocaleString('en-US')} stored conversations`, 'host', 1, { prefill: big }));
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => { const s = sorted(xs); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const stats = (xs: number[]): { min: number; median: number; max: number } => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
const of = (key: string): Run[] => runs.filter((r) => r.system === key);
const summary = Object.fromEntries(systems.map((s) => {
  const rs = of(s.key);
  return [s.key, {
    label: s.label, rps: stats(rs.map((r) => r.rps)), p99: stats(rs.map((r) => r.p99)), errors: rs.reduce((a, r) => a + r.errors + r.non2xx, 0),
    rssMb: stats(rs.map((r) => r.rssMb)),
    ...(s.mode === 'host' ? {
      backlog: stats(rs.map((r) => r.backlog ?? 0)), drainSeconds: stats(rs.map((r) => r.drainSeconds ?? 0)),
      processedPerSecond: stats(rs.map((r) => r.processedPerSecond ?? 0)), endToEndPerSecond: stats(rs.map((r) => r.endToEndPerSecond ?? 0)),
      failed: rs.reduce((a, r) => a + (r.failed ?? 0), 0),
    } : {}),
  }];
})) as Record<string, { label: string; rps: ReturnType<typeof stats>; p99: ReturnType<typeof stats>; errors: number; rssMb: ReturnType<typeof stats>; backlog?: ReturnType<typeof stats>; drainSeconds?: ReturnType<typeof stats>; processedPerSecond?: ReturnType<typeof stats>; endToEndPerSecond?: ReturnType<typeof stats>; failed?: number }>;

const mmm = (s: { min: number; median: number; max: number }, digits = 0): string => [s.min, s.median, s.max].map((v) => v.toLocaleString('en-US', { maximumFractionDigits: digits })).join(' / ');
if (!ONLY_PHOTOS) printGrid(`ingest: signed WhatsApp webhooks, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} alternating rounds (min / median / max)${CAN_PIN ? ', server on core 1, load on core 0' : ''}`,
  ['system', 'req/s', 'p99 ms', 'errors+non-2xx', 'RSS MB'],
  systems.map((s) => { const x = summary[s.key]!; return [x.label, mmm(x.rps), mmm(x.p99), x.errors, mmm(x.rssMb)]; }));
const h = summary['host']!;
if (!ONLY_PHOTOS) printGrid('host processing lag (min / median / max over its rounds)', ['measure', 'value'], [
  ['inbox backlog when the load stopped (webhooks)', mmm(h.backlog!)],
  ['time to drain it (s)', mmm(h.drainSeconds!, 1)],
  ['processed per second during the load', mmm(h.processedPerSecond!)],
  ['end to end: answered / (load + drain time), per second', mmm(h.endToEndPerSecond!)],
  ['entries failed', String(h.failed)],
]);
if (extra.length > 0) {
  printGrid('host variants (the photo runs: the median pair)', ['run', 'req/s', 'p99 ms', 'backlog', 'drain s', 'end to end/s', 'RSS MB', 'photos stored (MB)'],
    extra.map((r) => [r.system, r.rps, r.p99, r.backlog ?? 0, (r.drainSeconds ?? 0).toFixed(1), r.endToEndPerSecond ?? 0, r.rssMb.toFixed(0),
      r.media ? `${r.media.files} (${(r.media.bytes / 1024 / 1024).toFixed(0)})${r.media.pending > 0 ? `, ${r.media.pending} not fetched` : ''}` : '']));
}

// Ratios of medians; per-round ratios (same round, adjacent in time) show the spread.
const perRound = (a: string, b: string, f: (r: Run) => number): number[] => Array.from({ length: ROUNDS }, (_, i) => f(of(a)[i]!) / f(of(b)[i]!));
const ratioRows: { name: string; baseline: string; value: number; rounds: number[]; target: string }[] = ONLY_PHOTOS ? [] : [
  { name: 'host / bare node:http, req/s', baseline: 'node:http (the host\'s honest baseline: its webhook path is plain node:http)', value: h.rps.median / summary['node']!.rps.median, rounds: perRound('host', 'node', (r) => r.rps), target: 'as high as it goes' },
  { name: 'host / bare Express 5, req/s', baseline: 'Express 5 (the peers\' baseline)', value: h.rps.median / summary['express']!.rps.median, rounds: perRound('host', 'express', (r) => r.rps), target: '≥ 1.0' },
  { name: 'host / bare Express 5, p99', baseline: 'Express 5', value: h.p99.median / Math.max(summary['express']!.p99.median, 1), rounds: perRound('host', 'express', (r) => Math.max(r.p99, 1)), target: 'lower is better' },
  { name: 'host end-to-end (incl. drain) / bare Express 5, req/s', baseline: 'Express 5', value: h.endToEndPerSecond!.median / summary['express']!.rps.median, rounds: perRound('host', 'express', (r) => (r.endToEndPerSecond ?? r.rps)), target: 'what is sustainable' },
];
if (BASELINE_SERVER && !ONLY_PHOTOS) {
  const before = summary['before']!;
  ratioRows.push(
    { name: 'host / host before the change, req/s', baseline: 'the baseline checkout\'s host, same rounds', value: h.rps.median / before.rps.median, rounds: perRound('host', 'before', (r) => r.rps), target: '≥ 0.95' },
    { name: 'host / host before the change, end to end', baseline: 'the baseline checkout\'s host, same rounds', value: h.endToEndPerSecond!.median / before.endToEndPerSecond!.median, rounds: perRound('host', 'before', (r) => r.endToEndPerSecond ?? r.rps), target: '≥ 0.95' },
  );
}
ratioRows.push(
  { name: 'photos (1 in 10) / text only, req/s (medians of the pairs)', baseline: 'the text-only runs paired with them', value: withPhotos.rps / textOnly.rps, rounds: photoRuns.map((r, i) => r.rps / textRuns[i]!.rps), target: '≥ 0.90' },
  { name: 'photos (1 in 10) / text only, end to end', baseline: 'the text-only runs paired with them', value: median(photoRuns.map((r) => r.endToEndPerSecond ?? 0)) / median(textRuns.map((r) => r.endToEndPerSecond ?? 0)), rounds: photoRuns.map((r, i) => (r.endToEndPerSecond ?? 0) / (textRuns[i]!.endToEndPerSecond ?? 1)), target: 'what is sustainable' },
  { name: 'photos (1 in 10) / text only, RSS after the run', baseline: 'the text-only runs paired with them', value: median(photoRuns.map((r) => r.rssMb)) / median(textRuns.map((r) => r.rssMb)), rounds: photoRuns.map((r, i) => r.rssMb / textRuns[i]!.rssMb), target: '≈ 1 (bytes streamed to disk)' },
  { name: '1 MiB photos / 128 KiB photos, RSS after the run', baseline: 'the 128 KiB photo run', value: bigPhotos.rssMb / withPhotos.rssMb, rounds: [], target: '≈ 1 (RSS does not grow with media bytes)' },
);
for (const e of extra.filter((x) => x !== textOnly && x !== withPhotos && x !== bigPhotos)) {
  ratioRows.push({ name: `${e.system} / host (median), req/s`, baseline: 'the host\'s median above', value: e.rps / h.rps.median, rounds: [], target: e.system.includes('duplicates') ? '≥ 1 (not slower)' : '≈ 1 (no growth with the store)' });
}
printGrid('ratios (medians; measured side by side in this run)', ['ratio', 'value', 'per round', 'target'],
  ratioRows.map((r) => [r.name, r.value.toFixed(2), r.rounds.map((v) => v.toFixed(2)).join(' '), r.target]));
console.log('baselines: node:http is the host\'s honest baseline (its webhook path is plain node:http); Express 5 is the peers\' baseline.');
console.log('wrote', writeResult('ingest', {
  durationSeconds: DURATION, warmupSeconds: WARMUP, rounds: ROUNDS, connections: CONNECTIONS, pinned: CAN_PIN, store: 'sqlite (temporary file, synchronous normal)',
  summary, runs, extra, ratios: ratioRows,
}));

/**
 * `npm run bench:soak [-- --minutes N]`: load held at half the host's measured ingest capacity for
 * N minutes (default 5), sampling the server's RSS, heap and event-loop delay every few seconds;
 * prints the samples and the linear trend of RSS and heap (MB per minute, after the first minute).
 * The host's tenant keeps messages 30 s (retention swept every 5 s), so the data it holds levels off
 * and what remains of a trend is the process's own. Not part of `npm test`.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { FakeWhatsAppServer, whatsappSandboxConfig } from '@switchboard/whatsapp';
import { pinToLoadCore, printGrid, startBenchServer, writeResult } from './bench-util.js';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 5;
const SAMPLE_MS = 5_000;
const SERVER = fileURLToPath(new URL('./ingest-server.ts', import.meta.url));
pinToLoadCore();
const { child, port } = await startBenchServer(['--import', 'tsx', SERVER, 'host-retained', '0'], 'soak host');
// signed with the secret the server's account is configured with (a fake draws its own otherwise)
const fake = new FakeWhatsAppServer({ config: { ...whatsappSandboxConfig } });
let n = 0;
const request = {
  method: 'POST' as const, path: '/webhooks/whatsapp/main',
  setupRequest: (req: autocannon.Request) => {
    n++;
    const w = fake.userMessage({ userId: `49151${String(n % 100_000).padStart(7, '0')}`, text: 'Is my car ready?', messageId: `wamid.soak.${n}` });
    return { ...req, body: w.body.toString('utf8'), headers: { ...w.headers, 'content-type': 'application/json' } };
  },
};
const url = `http://127.0.0.1:${port}`;
const capacity = (await autocannon({ url, connections: 32, duration: 5, requests: [request] })).requests.average;
const rate = Math.max(1, Math.floor(capacity / 2));
console.log(`capacity ≈ ${Math.round(capacity)} req/s; holding ${rate} req/s for ${MINUTES} min`);
const sample = (): Promise<{ rss: number; heapUsed: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> =>
  new Promise((resolve) => { child.once('message', (m) => resolve(m as never)); child.send('sample'); });
const samples: { minute: number; rssMb: number; heapMb: number; loopP99: number; loopMax: number }[] = [];
const started = Date.now();
const timer = setInterval(() => {
  void sample().then((s) => samples.push({ minute: (Date.now() - started) / 60_000, rssMb: s.rss / 1048576, heapMb: s.heapUsed / 1048576, loopP99: s.loopDelayP99Ms, loopMax: s.loopDelayMaxMs }));
}, SAMPLE_MS);
const result = await autocannon({ url, connections: 16, duration: MINUTES * 60, overallRate: rate, requests: [request] });
clearInterval(timer);
child.kill('SIGKILL');
// the trend is read after the first minute: by then the retention window is full and every customer seen
const steady = samples.filter((s) => s.minute >= Math.min(1, MINUTES / 2));
const slope = (ys: number[]): number => {
  const xs = steady.map((s) => s.minute);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
};
printGrid(`soak: ${rate} req/s for ${MINUTES} min (samples every ${SAMPLE_MS / 1000} s)`, ['minute', 'RSS MB', 'heap MB', 'loop p99 ms', 'loop max ms'],
  samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 20)) === 0).map((s) => [s.minute.toFixed(1), s.rssMb, s.heapMb, s.loopP99, s.loopMax]));
// the heap saw-tooths between major collections: the floor each minute (its lowest sample) is what
// the process keeps; a leak shows as floors that rise
const floors: { minute: number; rssMb: number; heapMb: number }[] = [];
for (let m = 1; m < MINUTES; m++) {
  const window = samples.filter((s) => s.minute >= m && s.minute < m + 1);
  if (window.length > 0) floors.push({ minute: m, rssMb: Math.min(...window.map((s) => s.rssMb)), heapMb: Math.min(...window.map((s) => s.heapMb)) });
}
const floorSlope = (ys: number[]): number => {
  const xs = floors.map((f) => f.minute);
  const mx = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const my = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / den;
};
const trend = {
  rssMbPerMinute: slope(steady.map((s) => s.rssMb)), heapMbPerMinute: slope(steady.map((s) => s.heapMb)),
  floorRssMbPerMinute: floorSlope(floors.map((f) => f.rssMb)), floorHeapMbPerMinute: floorSlope(floors.map((f) => f.heapMb)),
};
console.log(`\nrequests ${result.requests.total}, errors ${result.errors + result.timeouts}, non-2xx ${result.non2xx}, p99 ${result.latency.p99} ms`);
console.log(`trend of all samples: RSS ${trend.rssMbPerMinute.toFixed(1)} MB/min, heap ${trend.heapMbPerMinute.toFixed(1)} MB/min (saw-tooth between collections)`);
console.log(`floors per minute (MB): ${floors.map((f) => `${f.minute}: heap ${f.heapMb.toFixed(0)} / RSS ${f.rssMb.toFixed(0)}`).join(', ')}`);
console.log(`trend of the floors: RSS ${trend.floorRssMbPerMinute.toFixed(1)} MB/min, heap ${trend.floorHeapMbPerMinute.toFixed(1)} MB/min (the tenant keeps messages 30 s, so the data held is steady: rising floors would be a leak)`);
console.log('wrote', writeResult('soak', { minutes: MINUTES, rate, capacity, samples, floors, trend }));

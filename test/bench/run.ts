/**
 * `npm run bench [-- --quick] [names…]`: every benchmark, one after another, each in its own process
 * (so one's heap and JIT state do not colour the next). Each prints its table and writes
 * bench-results/<name>.json. Figures are ratios against baselines measured in the same run.
 * - ingest: the host on the SQLite default with processing running vs bare node:http and Express 5,
 *   alternating round by round;
 * - dispatch: WhatsApp through `POST /v1/messages` with 1k, 10k and 50k queued;
 * - scale: RSS, heap and query latency at 100k … 1M stored messages on SQLite.
 * `--quick` runs shorter rounds, smaller queues (1k, 5k) and stops the scale run at 100k.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick') ? ['--quick'] : [];
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const benches: [string, string[]][] = [
  ['policy', ['--import', 'tsx', fileURLToPath(new URL('../../core/bench/policy.bench.ts', import.meta.url))]],
  ['ingest', ['--import', 'tsx', here('./ingest.bench.ts')]],
  ['dispatch', ['--import', 'tsx', here('./dispatch.bench.ts')]],
  ['scale', ['--expose-gc', '--import', 'tsx', here('./scale.bench.ts')]],
];
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
let failed = 0;
for (const [name, args] of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n═══ ${name} ═══`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [...args, ...quick], { stdio: 'inherit' });
  console.log(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s${r.status === 0 ? '' : `, exit ${r.status}`})`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;

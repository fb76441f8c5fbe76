/**
 * Policy engine throughput: decisions per second for a mixed scenario set over the five channel
 * policies, on one core, against a bare loop over the same intents measured in the same run.
 * Run with `npm run bench:policy`; writes bench-results/policy.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeetPolicyEngine, type Clock, type PolicyDecision } from '../src/index.js';
import { CHANNEL_POLICIES } from '../src/__fixtures__/channel-policies.js';
import { policyScenarios, type PolicyScenario } from '../src/__fixtures__/policy-scenarios.js';
import { scenarioMismatches } from '../src/__fixtures__/scenario-check.js';

const WARMUP_MS = 1_500;
const MEASURE_MS = process.argv.includes('--quick') ? 2_000 : Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const BATCH = 4096;

/** A clock the loop moves to each scenario's time without allocating. */
class ScenarioClock implements Clock {
  at = 0;
  now(): number { return this.at; }
}

const scenarios = policyScenarios(CHANNEL_POLICIES);
const clock = new ScenarioClock();
const engine = new MeetPolicyEngine(clock);

// check the set first: a benchmark of wrong answers is worth nothing
for (const s of scenarios) {
  clock.at = s.now;
  const problems = scenarioMismatches(s, engine.evaluate(s.intent, s.context));
  if (problems.length > 0) throw new Error(`scenario "${s.name}" is wrong: ${problems.join('; ')}`);
}

// a fixed interleaving so every batch has the same mix
const order: PolicyScenario[] = [];
for (let i = 0; i < BATCH; i++) order.push(scenarios[i % scenarios.length]!);

let sink = 0;
function runEngine(): void {
  for (let i = 0; i < BATCH; i++) {
    const s = order[i]!;
    clock.at = s.now;
    const d: PolicyDecision = engine.evaluate(s.intent, s.context);
    sink += d.allowed ? 1 : d.reasons.length;
  }
}
function runBaseline(): void {
  // reads the same intents and contexts and makes one trivial comparison: the cost of the loop itself
  for (let i = 0; i < BATCH; i++) {
    const s = order[i]!;
    clock.at = s.now;
    sink += s.intent.purpose === 'service' && s.context.channelPolicy.initiation !== 'user' ? 1 : 0;
  }
}

function measure(run: () => void, ms: number): { decisions: number; seconds: number } {
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let n = 0;
  let now = start;
  while (now < end) {
    run();
    n += BATCH;
    now = process.hrtime.bigint();
  }
  return { decisions: n, seconds: Number(now - start) / 1e9 };
}

measure(runEngine, WARMUP_MS);
measure(runBaseline, WARMUP_MS / 3);
const engineRun = measure(runEngine, MEASURE_MS);
const baselineRun = measure(runBaseline, Math.min(MEASURE_MS, 2000));
const rate = engineRun.decisions / engineRun.seconds;
const baseRate = baselineRun.decisions / baselineRun.seconds;

const mix = new Map<string, { count: number; allowed: number }>();
for (const s of order) {
  const m = mix.get(s.group) ?? { count: 0, allowed: 0 };
  m.count += 1;
  if (s.expect.allowed) m.allowed += 1;
  mix.set(s.group, m);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: [string, string][] = [
  ['scenario mix', [...mix].map(([g, m]) => `${g} ${((m.count / BATCH) * 100).toFixed(0)}%`).join(', ')],
  ['scenarios / channels', `${scenarios.length} / ${new Set(scenarios.map((s) => s.channel)).size}`],
  ['allowed share', `${((order.filter((s) => s.expect.allowed).length / BATCH) * 100).toFixed(0)}%`],
  ['decisions', fmt(engineRun.decisions)],
  ['seconds', engineRun.seconds.toFixed(2)],
  ['decisions/s', fmt(rate)],
  ['bare loop iterations/s', fmt(baseRate)],
  ['engine cost vs bare loop', `${(baseRate / rate).toFixed(1)}× slower (${(1e9 / rate).toFixed(0)} ns per decision vs ${(1e9 / baseRate).toFixed(1)} ns)`],
  ['target', `> 500,000 decisions/s: ${rate > 500_000 ? 'met' : 'NOT met'}`],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`policy engine benchmark (node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, one core)`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../bench-results/policy.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({
  benchmark: 'policy-engine',
  at: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  scenarios: scenarios.length,
  mix: Object.fromEntries([...mix].map(([g, m]) => [g, m.count / BATCH])),
  decisions: engineRun.decisions,
  seconds: engineRun.seconds,
  decisionsPerSecond: Math.round(rate),
  baselineIterationsPerSecond: Math.round(baseRate),
  slowdownVsBaseline: baseRate / rate,
  target: 500_000,
  targetMet: rate > 500_000,
}, null, 2)}\n`);
console.log(`wrote ${out}${sink === -1 ? '' : ''}`);

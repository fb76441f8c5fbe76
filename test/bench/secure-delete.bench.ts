/**
 * What `PRAGMA secure_delete` costs the SQLite store (on by default: erased text must not linger
 * in free pages). Runs the host's write mix on a temporary file with it off and on, alternating:
 * insert messages (about 600 bytes each, like a stored message), read them back, update each once
 * (a status change), then delete them by conversation (retention and erasure), and reports the
 * time of each phase and the file size. Run with `npx tsx test/bench/secure-delete.bench.ts [n]`.
 * Not part of `npm test` (it measures the machine).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver } from '../../host/src/stores/drivers/sqlite-driver.js';

interface Row { id: string; conversationId: string; status: string; text: string; n: number }

const count = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);

async function run(secureDelete: boolean): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-secure-delete-'));
  const path = join(dir, 'bench.db');
  const driver = await SqliteDriver.open({ path, secureDelete, checkpointIntervalMs: 0 });
  const docs = driver.collection<Row>({ name: 'messages', fields: { conversationId: 'string', status: 'string', n: 'number' }, indexes: [{ fields: ['conversationId', 'n'] }] });
  const text = 'x'.repeat(500);
  const timed = async (fn: () => Promise<void>): Promise<number> => { const t = performance.now(); await fn(); return performance.now() - t; };
  const insert = await timed(async () => {
    for (let i = 0; i < count; i += 100) {
      await docs.insertMany(Array.from({ length: 100 }, (_, j) => ({ id: `m${i + j}`, conversationId: `c${(i + j) % 500}`, status: 'queued', text: `${i + j} ${text}`, n: i + j })));
    }
  });
  const update = await timed(async () => { for (let i = 0; i < count; i += 10) await docs.updateOne({ id: `m${i}` }, { $set: { status: 'sent' } }); });
  const remove = await timed(async () => { for (let c = 0; c < 500; c++) await docs.deleteMany({ conversationId: `c${c}` }); });
  const purge = await timed(async () => { await driver.purgeDeleted(); });
  const size = statSync(path).size;
  await driver.close();
  rmSync(dir, { recursive: true, force: true });
  return { insert, update, remove, purge, size };
}

const results: Record<'off' | 'on', Record<string, number>[]> = { off: [], on: [] };
for (let r = 0; r < rounds; r++) {
  results.off.push(await run(false));
  results.on.push(await run(true));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`secure_delete, ${count} documents, median of ${rounds} alternating rounds (ms; size in bytes)`);
for (const phase of ['insert', 'update', 'remove', 'purge', 'size']) {
  const off = median(results.off.map((x) => x[phase]!));
  const on = median(results.on.map((x) => x[phase]!));
  console.log(`${phase.padEnd(7)} off ${off.toFixed(0).padStart(9)}  on ${on.toFixed(0).padStart(9)}  ${phase === 'size' ? '' : `${((on / off - 1) * 100).toFixed(1)} %`}`);
}

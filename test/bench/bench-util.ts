/**
 * Shared helpers for the benchmark scripts: argument parsing, tables, JSON results.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when the script was started with `--quick`. */
export const QUICK = process.argv.includes('--quick');

/** Prints a two-column table. */
export function printTable(title: string, rows: [string, string | number][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log('─'.repeat(Math.min(100, title.length + 10)));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${typeof v === 'number' ? formatNumber(v) : v}`);
}

/** Prints a table with a header row. */
export function printGrid(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  cells.forEach((r, j) => {
    console.log(r.map((c, i) => String(c).padStart(widths[i]!)).join('  '));
    if (j === 0) console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  });
}

/** Formats a number with thousands separators and sensible decimals. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Writes a result file under bench-results/. */
export function writeResult(name: string, data: unknown): string {
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, quick: QUICK, node: process.version, at: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
  return file;
}

/** Whether `taskset` can pin processes to cores here. */
export const CAN_PIN = spawnSync('taskset', ['--version']).status === 0;

/** Pins this (the load-generating) process to core 0, when the machine lets us. */
export function pinToLoadCore(): void {
  if (CAN_PIN) spawnSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
}

/** A server process a benchmark started. */
export interface BenchServer { child: ChildProcess; port: number; exited: Promise<unknown> }

/**
 * Starts a server script in its own process (on core 1 when it can be pinned), with an IPC channel,
 * and waits for the `{"port":…}` line it prints once it listens.
 * @param args - node arguments (flags, then the script and its arguments)
 * @param name - what to call it when it exits before listening
 * @param pin - false: leave it to the scheduler (a platform stand-in that is neither the server nor the load)
 */
export async function startBenchServer(args: readonly string[], name: string, pin = true): Promise<BenchServer> {
  const child = CAN_PIN && pin
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    : spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise((r) => child.once('exit', r));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { child, port, exited };
}

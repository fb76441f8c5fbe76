/**
 * Shared helpers for the benchmark scripts: argument parsing, tables, JSON results.
 */
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

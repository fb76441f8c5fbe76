/** What a test finds on disk. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param dir - a directory
 * @returns every file under it, recursively (hidden folders such as a blob store's temp folder included); none when it does not exist
 */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path)); else out.push(path);
  }
  return out;
}

/**
 * @param dir - a directory
 * @returns the hex SHA-256 of every file under it
 */
export function hashesUnder(dir: string): Set<string> {
  return new Set(filesUnder(dir).map((f) => createHash('sha256').update(readFileSync(f)).digest('hex')));
}

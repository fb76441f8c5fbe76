/**
 * A child process for the SQLite driver's tests: inserts documents `{ id: 'w<i>', tenant: 't', n: i }`
 * one commit at a time into a database file, printing after each commit how many are committed,
 * until it is killed.
 *
 * Usage: `node --import tsx sqlite-writer.ts <file> <collection spec as JSON>`
 */
import type { CollectionSpec, Doc } from '../stores/driver.js';
import { SqliteDriver } from '../stores/drivers/sqlite-driver.js';

const [path, specJson] = process.argv.slice(2);
if (path === undefined || specJson === undefined) throw new Error('usage: sqlite-writer.ts <file> <spec json>');
const driver = await SqliteDriver.open({ path });
const c = driver.collection<Doc & { tenant: string; n: number }>(JSON.parse(specJson) as CollectionSpec);
for (let i = 0; ; i++) {
  await c.insert({ id: `w${i}`, tenant: 't', n: i });
  process.stdout.write(`${i + 1}\n`);
  if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
}

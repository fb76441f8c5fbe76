/**
 * Scale benchmark on the SQLite default: memory of the process (RSS and heap after a full GC) and
 * query latency as stored data grows to 100,000 and 1,000,000 messages (100,000 with --quick).
 *
 * Filled through the host's stores (not SQL), in batches: 10,000 conversations (each with its
 * contact), then messages spread over them, alternating inbound and outbound, each outbound one with
 * its outbox entry, already sent — so the outbox grows with the data too. At each checkpoint: RSS,
 * heap, database file size, and the latency (p50 / p99, in ms) of listing a conversation's latest
 * 50 messages, finding a message by its external id, and leasing one entry from the outbox (200
 * fresh pending entries among all the sent ones; each leased entry is completed).
 * Target: RSS flat as stored data grows, under 400 MB at 1M messages.
 *
 * Usage: node --expose-gc --import tsx test/bench/scale.bench.ts [--quick]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostMessage } from '@switchboard/host';
import { createHostStores, SqliteDriver, type OutboxEntry } from '@switchboard/host/testing';
import { QUICK, printGrid, writeResult } from './bench-util.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
const TENANT = 'bench';
const ACCOUNT = '106540352242922';
const CONVERSATIONS = 10_000;
const CHECKPOINTS = QUICK ? [25_000, 100_000] : [100_000, 250_000, 500_000, 750_000, 1_000_000];
/** Inserts in flight at once (each its own commit, as the host's writes are). */
const BATCH = 1_000;

const dir = mkdtempSync(join(tmpdir(), 'switchboard-scale-'));
const file = join(dir, 'switchboard.db');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const stores = createHostStores(await SqliteDriver.open({ path: file, synchronous: 'normal' }));
const at0 = Date.parse('2026-11-01T00:00:00Z');
const userOf = (c: number): string => `4915${String(c).padStart(9, '0')}`;
const convOf = (c: number): string => `c${c}`;
const externalOf = (i: number): string => `wamid.HBgLNDkxNTEyMzQ1Njc4FQIAEhggQ0E${i}`;
const started = performance.now();

// conversations and contacts
for (let c0 = 0; c0 < CONVERSATIONS; c0 += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, CONVERSATIONS - c0) }, async (_, k) => {
    const c = c0 + k;
    const at = new Date(at0);
    const address = { channel: 'whatsapp', accountId: ACCOUNT, userId: userOf(c) };
    const { contact } = await stores.contacts.findOrCreateByAddress(TENANT, address, () => ({ id: `k${c}`, tenantId: TENANT, addresses: [address], profile: { name: `Customer ${c}` }, createdAt: at, updatedAt: at }));
    await stores.conversations.findOrCreate(TENANT, address, () => ({ id: convOf(c), tenantId: TENANT, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at }));
  }));
}

function message(i: number): { message: HostMessage; outbox?: OutboxEntry } {
  const c = i % CONVERSATIONS;
  const at = new Date(at0 + i * 1000);
  const userId = userOf(c);
  if (i % 2 === 0) {
    return { message: {
      id: `m${i}`, tenantId: TENANT, conversationId: convOf(c), channel: 'whatsapp', accountId: ACCOUNT, userId, direction: 'inbound',
      externalId: externalOf(i), content: { type: 'text', text: 'Hello, is my car ready for collection?' }, status: 'delivered', timestamp: at, createdAt: at, updatedAt: at,
    } };
  }
  const to = { channel: 'whatsapp', accountId: ACCOUNT, userId };
  return {
    message: {
      id: `m${i}`, tenantId: TENANT, conversationId: convOf(c), channel: 'whatsapp', accountId: ACCOUNT, userId, direction: 'outbound',
      externalId: externalOf(i), content: { type: 'text', text: 'Your vehicle is being cleaned and will be ready shortly.' }, status: 'sent',
      statusHistory: [{ status: 'queued', at }, { status: 'sent', at }], timestamp: at, createdAt: at, updatedAt: at,
    },
    outbox: {
      id: `o${i}`, tenantId: TENANT, messageId: `m${i}`, channel: 'whatsapp', account: 'main', status: 'sent', attempts: 1,
      message: { to, content: { type: 'text', text: 'Your vehicle is being cleaned and will be ready shortly.' } } as OutboxEntry['message'],
      notBefore: at, createdAt: at, updatedAt: at,
    },
  };
}

/** p50 and p99 of `n` timed calls, in ms. */
async function latency(n: number, call: (k: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    await call(k);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n * 0.5)]!, p99: times[Math.min(n - 1, Math.floor(n * 0.99))]! };
}

interface Checkpoint {
  messages: number; outboxEntries: number; rssMb: number; heapMb: number; fileMb: number; insertsPerSecond: number;
  listConversation: { p50: number; p99: number }; findByExternalId: { p50: number; p99: number }; leaseOne: { p50: number; p99: number };
}
const checkpoints: Checkpoint[] = [];
let stored = 0;
let pendingSeq = 0;
for (const target of CHECKPOINTS) {
  const fillStart = performance.now();
  const from = stored;
  while (stored < target) {
    const n = Math.min(BATCH, target - stored);
    const base = stored;
    await Promise.all(Array.from({ length: n }, async (_, k) => {
      const { message: m, outbox } = message(base + k);
      await stores.messages.insert(m);
      if (outbox) await stores.outbox.enqueue(outbox);
    }));
    stored += n;
  }
  const insertsPerSecond = (stored - from) / ((performance.now() - fillStart) / 1000);
  // queries at this size, on random conversations and messages (a fixed sequence: the same each run)
  let seed = 42;
  const random = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n; };
  const listConversation = await latency(500, async () => {
    const got = await stores.messages.listByConversation(TENANT, convOf(random(CONVERSATIONS)), { limit: 50 });
    if (got.length === 0) throw new Error('a conversation without messages');
  });
  const findByExternalId = await latency(1_000, async () => {
    const i = random(stored);
    const got = await stores.messages.findByExternalId(TENANT, { channel: 'whatsapp', accountId: ACCOUNT, userId: userOf(i % CONVERSATIONS) }, externalOf(i));
    if (got?.id !== `m${i}`) throw new Error(`message m${i} not found by its external id`);
  });
  // 200 pending entries among every sent one: each lease takes one, which is then completed
  const now = new Date(at0 + stored * 1000);
  for (let k = 0; k < 200; k++) {
    const id = `p${pendingSeq++}`;
    const to = { channel: 'whatsapp', accountId: ACCOUNT, userId: userOf(k) };
    await stores.outbox.enqueue({ id, tenantId: TENANT, messageId: id, channel: 'whatsapp', account: 'main', status: 'pending', attempts: 0, message: { to, content: { type: 'text', text: 'Ready.' } } as OutboxEntry['message'], notBefore: now, createdAt: now, updatedAt: now });
  }
  const leaseOne = await latency(200, async () => {
    const [entry] = await stores.outbox.lease({ tenantId: TENANT, owner: 'bench', limit: 1, leaseMs: 60_000, now });
    if (!entry) throw new Error('nothing to lease');
    await stores.outbox.complete(entry.id, 'bench', now);
  });
  gc(); gc();
  const mem = process.memoryUsage();
  const walSize = (() => { try { return statSync(`${file}-wal`).size; } catch { return 0; } })();
  const cp: Checkpoint = {
    messages: stored, outboxEntries: Math.floor(stored / 2) + pendingSeq, rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576,
    fileMb: (statSync(file).size + walSize) / 1048576, insertsPerSecond, listConversation, findByExternalId, leaseOne,
  };
  checkpoints.push(cp);
  console.log(`${stored.toLocaleString('en-US')} messages: RSS ${cp.rssMb.toFixed(0)} MB, heap ${cp.heapMb.toFixed(0)} MB, file ${cp.fileMb.toFixed(0)} MB, ${Math.round(insertsPerSecond).toLocaleString('en-US')} messages stored/s, lease p99 ${leaseOne.p99.toFixed(2)} ms`);
}
await stores.close();

const ms = (l: { p50: number; p99: number }): string => `${l.p50.toFixed(3)} / ${l.p99.toFixed(3)}`;
printGrid(`scale: SQLite file, ${CONVERSATIONS.toLocaleString('en-US')} conversations, messages filled through the stores (half outbound, each with a sent outbox entry)`,
  ['messages', 'RSS MB', 'heap MB', 'db MB', 'stored/s', 'list 50 of a conversation p50/p99 ms', 'by external id p50/p99 ms', 'outbox lease p50/p99 ms'],
  checkpoints.map((c) => [c.messages, c.rssMb, c.heapMb, c.fileMb, c.insertsPerSecond, ms(c.listConversation), ms(c.findByExternalId), ms(c.leaseOne)]));
const first = checkpoints[0]!;
const last = checkpoints.at(-1)!;
console.log(`\nRSS at ${last.messages.toLocaleString('en-US')} / at ${first.messages.toLocaleString('en-US')} messages: ${(last.rssMb / first.rssMb).toFixed(2)} (flat ≈ 1); ${last.rssMb.toFixed(0)} MB (target < 400 MB at 1M)`);
console.log(`lease p99 at ${last.messages.toLocaleString('en-US')} / at ${first.messages.toLocaleString('en-US')}: ${(last.leaseOne.p99 / first.leaseOne.p99).toFixed(2)}`);
console.log(`(fill and queries took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
console.log('wrote', writeResult('scale', { store: 'sqlite (temporary file, synchronous normal)', conversations: CONVERSATIONS, checkpoints }));

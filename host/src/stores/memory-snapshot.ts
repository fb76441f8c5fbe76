/**
 * Snapshots of the embedded (memory) store: written on a graceful stop and read back on start, so
 * a host restarted on the memory store resumes its outbox and keeps its conversations. A snapshot is
 * used once (set aside when restored). A crash (SIGKILL, power loss) writes nothing: everything
 * since the start is lost, and the next start begins empty rather than from stale state that would
 * send messages twice — use the MongoDB store where that matters.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Conversation, Contact, ConsentEntry } from '@switchboard/core';
import type { MemoryStores } from './memory-stores.js';
import type { AuditEntry, CostEntry } from './ledger-stores.js';
import type { DeadLetter, HostMessage, InboxEntry, OutboxEntry } from './stores.js';

/** What a snapshot holds. */
export interface MemorySnapshot {
  version: 1;
  takenAt: Date;
  conversations: Conversation[];
  messages: HostMessage[];
  contacts: Contact[];
  consent: ConsentEntry[];
  inbox: InboxEntry[];
  outbox: OutboxEntry[];
  deadLetters: DeadLetter[];
  /** Absent in snapshots written before the audit log existed. */
  audit?: AuditEntry[];
  /** Absent in snapshots written before the cost ledger existed. */
  costs?: CostEntry[];
}

/**
 * Captures every record of the memory stores.
 * @param stores - the memory stores
 * @param takenAt - when
 * @returns the snapshot
 */
export function captureMemorySnapshot(stores: MemoryStores, takenAt = new Date()): MemorySnapshot {
  return {
    version: 1, takenAt,
    conversations: stores.conversations.all(), messages: stores.messages.all(), contacts: stores.contacts.all(),
    consent: stores.consent.all(), inbox: stores.inbox.all(), outbox: stores.outbox.all(), deadLetters: stores.deadLetters.all(),
    audit: stores.audit.all(), costs: stores.costs.all(),
  };
}

/**
 * Loads a snapshot into empty memory stores through their own insert paths (which rebuild every
 * index). Outbox entries leased by the stopped process become pending again: a graceful stop
 * waited for its sends in flight, so nothing leased was half-sent.
 * @param stores - empty memory stores
 * @param snapshot - from {@link captureMemorySnapshot}
 */
export async function restoreMemorySnapshot(stores: MemoryStores, snapshot: MemorySnapshot): Promise<void> {
  if (snapshot.version !== 1) throw new Error(`unknown memory snapshot version ${String(snapshot.version)}`);
  for (const c of snapshot.contacts) {
    const first = c.addresses[0];
    if (first) await stores.contacts.findOrCreateByAddress(c.tenantId, first, () => c);
  }
  for (const c of snapshot.conversations) await stores.conversations.findOrCreate(c.tenantId, c.address, () => c);
  for (const m of snapshot.messages) await stores.messages.insert(m);
  for (const e of snapshot.consent) await stores.consent.append(e);
  if (snapshot.inbox.length > 0) await stores.inbox.add(snapshot.inbox);
  for (const e of snapshot.outbox) {
    const { leaseOwner: _owner, leaseUntil: _until, ...rest } = e;
    await stores.outbox.enqueue(e.status === 'leased' ? { ...rest, status: 'pending' } : e);
  }
  for (const d of snapshot.deadLetters) await stores.deadLetters.add(d);
  for (const a of snapshot.audit ?? []) await stores.audit.append(a);
  for (const c of snapshot.costs ?? []) await stores.costs.record(c);
}

/**
 * Writes a snapshot file atomically (a temporary file renamed over the old one).
 * @param path - the snapshot file
 * @param stores - the memory stores
 */
export async function writeMemorySnapshot(path: string, stores: MemoryStores): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, serialize(captureMemorySnapshot(stores)));
  await rename(tmp, path);
}

/**
 * Reads a snapshot file into the stores, when it exists, and sets it aside as `<path>.restored`: a
 * snapshot is used once. Were it left in place, a crash of the process that restored it would bring
 * the same state back at the next start — and send again what that process had sent since (the
 * restored outbox still lists it as waiting). The next graceful stop writes a fresh snapshot.
 * @param path - the snapshot file
 * @param stores - empty memory stores
 * @returns whether a snapshot was loaded
 */
export async function readMemorySnapshot(path: string, stores: MemoryStores): Promise<boolean> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await restoreMemorySnapshot(stores, deserialize(raw) as MemorySnapshot);
  await rename(path, `${path}.restored`);
  return true;
}

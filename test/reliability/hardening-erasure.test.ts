/**
 * Lower finding of the hardening issue: erasure left the contact's data in console notes (and,
 * before the store rewrite, in the snapshot file). After `DELETE /v1/contacts/:id` on the default
 * store (SQLite), every table of the database file — every collection of every store: contacts,
 * conversations, messages and their parts, inbox, outbox, dead letters, consent ledger, audit log,
 * costs, idempotency records, rate budget, opt-in flows, console notes, the event log — and the raw
 * bytes of every file the host wrote (the database, its WAL and shared-memory files) are scanned for
 * the contact's name, phone number and message texts: nothing remains but the pseudonymised proofs,
 * while another contact's data is all still there (so the scan can see what it looks for).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type ConnectorPlugin, type Conversation, type FakePlatform } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import { filesUnder } from '../../host/src/compliance/__fixtures__/disk.js';
import { eventually } from '../e2e/support/host-harness.js';
import { signBody } from '../e2e/support/webhook-signing.js';

const KEY = 'erasure-suite-key-0123456789abcdef';
const ZELDA = { phone: '4915770011223', name: 'Zelda Quixotic' };
const BOB = { phone: '4915770099887', name: 'Bob Keeperson' };
/** What identifies Zelda: her name, her number, every text she wrote or was sent, the note about her. */
const ZELDA_NEEDLES = [ZELDA.name, ZELDA.phone, 'ZQ-4711-XYZ plate', 'QX-9981-ZED ships today', 'DL-5522 broken', 'NOTE-3141 calls after six', 'Zelda wants the flight updates'];
const BOB_NEEDLES = [BOB.name, BOB.phone, 'BK-0001 tyres please', 'NOTE-2718 Bob pays cash'];

const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string, options: { readonly: boolean }) => {
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
};

let dir: string;
let dbPath: string;
let host: Host;
let url: string;
let fake: FakePlatform;
let account: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-erasure-'));
  dbPath = join(dir, 'switchboard.db');
  const plugin = (await import('@switchboard/whatsapp')).default as ConnectorPlugin;
  fake = plugin.fake!();
  await fake.start();
  account = fake.connectorConfig();
  const config = configFromObject({
    logLevel: 'silent', store: { kind: 'sqlite', path: dbPath, synchronous: 'normal' }, pseudonymSalt: 'erasure-suite-salt-0123456789',
    tenants: [{ id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'support' } }],
    connectors: [{ package: '@switchboard/whatsapp', plugin, required: true, accounts: [{ id: 'main', tenant: 'shop', config: account }] }],
  });
  host = await createHost(config, { logger: silentLogger, processor: { pollMs: 10, retryBaseMs: 10 } });
  url = (await host.listen(0, '127.0.0.1')).url;
});
afterAll(async () => {
  await host?.stop();
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${KEY}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${url}${path}`, { ...init, headers });
  return { status: res.status, body: (await res.json()) as T };
}

/** A needle as it may be stored: in clear, and base64-encoded at each of the three alignments (dead letters keep the raw body in base64). */
function forms(needle: string): string[] {
  const cores = [0, 1, 2].map((pad) => {
    const encoded = Buffer.from(`${'x'.repeat(pad)}${needle}`).toString('base64');
    // drop the characters the padding or the following bytes share
    return encoded.slice(Math.ceil((pad * 4) / 3) + 1, encoded.length - 4);
  });
  return [needle, ...cores];
}

/** Every row of every table of the database file, read through a connection of its own, as text per table. */
function dumpTables(): Record<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all().map((r) => String(r.name));
    return Object.fromEntries(tables.map((t) => [t, JSON.stringify(db.prepare(`SELECT * FROM "${t.replace(/"/g, '""')}"`).all())]));
  } finally {
    db.close();
  }
}

/** The raw bytes of every file under the database's directory (the database, -wal, -shm, the media directory beside them: everything the host wrote). */
function rawFiles(): Record<string, Buffer> {
  return Object.fromEntries(filesUnder(dir).map((f) => [relative(dir, f), readFileSync(f)]));
}

function findings(haystacks: Record<string, string | Buffer>, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const [where, hay] of Object.entries(haystacks)) {
    for (const needle of needles) if (forms(needle).some((form) => hay.includes(form))) found.push(`${where}: "${needle}"`);
  }
  return found;
}

describe('erasure leaves nothing of the contact in any store or file', () => {
  it('after DELETE /v1/contacts/:id, no table and no file the host wrote holds her name, number or texts (console notes and opt-in flows included)', async () => {
    const webhookUrl = `${url}/webhooks/whatsapp/main`;
    expect((await fake.deliver(webhookUrl, fake.userMessage({ userId: ZELDA.phone, name: ZELDA.name, text: 'ZQ-4711-XYZ plate' }))).status).toBe(200);
    expect((await fake.deliver(webhookUrl, fake.userMessage({ userId: BOB.phone, name: BOB.name, text: 'BK-0001 tyres please' }))).status).toBe(200);
    const conversations = await eventually(async () => {
      const items = (await api<{ items: Conversation[] }>('/v1/conversations?limit=100')).body.items;
      return items.length === 2 ? items : undefined;
    });
    const zelda = conversations.find((c) => c.address.userId === ZELDA.phone)!;
    const bob = conversations.find((c) => c.address.userId === BOB.phone)!;

    // an answer through the send API with an idempotency key; it is sent (booking the pair-rate budget) and delivered
    const sent = await api<{ id: string }>('/v1/messages', {
      method: 'POST', headers: { 'idempotency-key': 'erasure-suite-1' },
      body: JSON.stringify({ channel: 'whatsapp', accountId: zelda.address.accountId, userId: ZELDA.phone, content: { type: 'text', text: 'QX-9981-ZED ships today' }, purpose: 'service' }),
    });
    expect(sent.status).toBe(202);
    const out = await eventually(async () => { const m = await host.stores.messages.get('shop', sent.body.id); return m?.externalId ? m : undefined; });
    expect((await fake.deliver(webhookUrl, fake.statusUpdate!({ userId: ZELDA.phone, externalId: out.externalId!, status: 'delivered' }))).status).toBe(200);
    // a signed webhook the connector cannot parse, naming her: a dead letter
    const broken = Buffer.from(`{"object":"whatsapp_business_account","entry":[{"from":"${ZELDA.phone}","text":"DL-5522 broken`);
    expect((await fake.deliver(webhookUrl, { method: 'POST', headers: signBody('whatsapp', account, broken, { 'content-type': 'application/json' }), body: broken })).status).toBe(200);
    // she opts out by keyword: a consent entry whose evidence is her message
    expect((await fake.deliver(webhookUrl, fake.userMessage({ userId: ZELDA.phone, text: 'STOP' }))).status).toBe(200);
    await eventually(async () => (await host.stores.consent.listByContact('shop', zelda.contactId)).length > 0 || undefined);
    await eventually(async () => (await host.stores.messages.get('shop', out.id))?.status === 'delivered' || undefined);
    // what the console and the opt-in flows keep about each of them
    const now = new Date();
    for (const [who, c, text] of [[ZELDA, zelda, 'NOTE-3141 calls after six'], [BOB, bob, 'NOTE-2718 Bob pays cash']] as const) {
      await host.stores.agents.addNote({ id: `note-${who.phone}`, tenantId: 'shop', contactId: c.contactId, agentId: 'agent-1', authorName: 'Agent', text, at: now });
      await host.stores.optInFlows.create({
        id: `flow-${who.phone}`, tenantId: 'shop', purpose: 'marketing', topic: 'flight updates', source: 'checkbox', privacyPolicy: { version: '2026-01' },
        confirmWith: 'reply', scope: 'channel', language: 'en', channels: [], status: 'awaiting-confirmation', startedOn: c.address,
        ...(who === ZELDA ? { wording: 'Zelda wants the flight updates' } : {}), createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + 86_400_000),
      });
    }
    // settle: every inbox entry processed, every outbox entry done
    await eventually(async () => {
      const inbox = await host.stores.inbox.counts('shop');
      return Object.entries(inbox).every(([status, n]) => status === 'done' || status === 'failed' || n === 0) || undefined;
    });

    const before = dumpTables();
    expect(findings(before, ZELDA_NEEDLES).length, 'the scan sees Zelda before the erasure').toBeGreaterThanOrEqual(ZELDA_NEEDLES.length);

    const erased = await api<{ erased: boolean; filesPurged: boolean; deleted: Record<string, number> }>(`/v1/contacts/${zelda.contactId}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ erased: true, filesPurged: true, deleted: { contact: 1, notes: 1, optInFlows: 1, deadLetters: 1 } });
    expect(erased.body.deleted.rateBudgetKeys).toBeGreaterThanOrEqual(1);

    // every table, through a connection of its own
    expect(findings(dumpTables(), ZELDA_NEEDLES)).toEqual([]);
    // every file's raw bytes, while the host runs
    expect(findings(rawFiles(), ZELDA_NEEDLES)).toEqual([]);
    // Bob's data is all there (the scans see what they look for)
    const bobTables = dumpTables();
    for (const needle of BOB_NEEDLES) expect(findings(bobTables, [needle]).length, `Bob's "${needle}"`).toBeGreaterThan(0);
    expect(await host.stores.agents.listNotes('shop', bob.contactId)).toHaveLength(1);
    // what stays is the pseudonymised proof of her opt-out
    const proofs = (await host.stores.consent.listByContact('shop', (erased.body as unknown as { pseudonym: string }).pseudonym));
    expect(proofs.map((p) => p.action)).toContain('opt-out');

    await host.stop();
    expect(findings(rawFiles(), ZELDA_NEEDLES)).toEqual([]);
  });
});

/**
 * The embedded SQLite store when its file goes wrong, seen from outside the host: a corrupt file
 * stops the start with a typed error naming the file; a full disk turns webhooks and sends into
 * 503 (nothing acknowledged that was not committed) and the platform's redelivery after the disk
 * has room is stored once; `switchboard backup` copies a database a host is using.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSwitchboardError, silentLogger } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import { SqliteDriver } from '@switchboard/host/testing';
import { runCli } from '../../host/src/cli.js';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';
import { FakeAcmeServer } from './support/acme-plugin.js';
import { eventually, SUPPORT_DIR } from './support/host-harness.js';

const KEY = 'store-failure-key-0123456789';
const running: { host?: Host; fake?: FakeAcmeServer }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) { await r.host?.stop(); await r.fake?.stop(); }
});

async function start(database: string): Promise<{ host: Host; fake: FakeAcmeServer; url: string }> {
  const fake = new FakeAcmeServer();
  await fake.start();
  const config = configFromObject({
    logLevel: 'silent',
    store: { kind: 'sqlite', path: database },
    tenants: [{ id: 't1', apiKeys: [KEY] }],
    connectors: [{ package: './acme-plugin.ts', required: true, accounts: [{ id: 'main', tenant: 't1', config: fake.connectorConfig() }] }],
  }, { baseDir: SUPPORT_DIR });
  const entry: { host?: Host; fake?: FakeAcmeServer } = { fake };
  running.push(entry);
  const host = await createHost(config, { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 } });
  entry.host = host;
  const { url } = await host.listen(0, '127.0.0.1');
  return { host, fake, url };
}

/** The open connection of the host's SQLite driver (a test reaching into the driver, as a full disk would). */
interface Connection { exec(sql: string): void; prepare(sql: string): { get(): Record<string, unknown> | undefined } }
const connectionOf = (host: Host): Connection => (host.stores.driver as unknown as { db: Connection }).db;

describe('the SQLite store when its file goes wrong', () => {
  it('refuses to start on a corrupt database file, naming the file and the cause', async () => {
    const { path } = tempDatabase('corrupt');
    await writeFile(path, Buffer.alloc(8192, 'this is not a database '));
    const error = await start(path).then(() => undefined, (e: unknown) => e);
    expect(isSwitchboardError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', details: { failure: 'corrupt', where: path } });
    expect((error as Error).message).toContain(path);

    const dir = await mkdtemp(join(tmpdir(), 'sb-corrupt-'));
    const file = join(dir, 'switchboard.config.json');
    await writeFile(file, JSON.stringify({ logLevel: 'silent', store: { kind: 'sqlite', path }, tenants: [{ id: 't1', apiKeys: [KEY] }] }));
    const lines: string[] = [];
    expect(await runCli(['start', '--config', file], (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(new RegExp(`^STORE_UNAVAILABLE: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*`));
  });

  it('answers 503 while the disk is full, acknowledging nothing, and stores the redelivery once there is room', async () => {
    const { path } = tempDatabase('full');
    const { host, fake, url } = await start(path);
    const first = fake.userMessage({ userId: 'u1', text: 'before', messageId: 'm-1' });
    expect((await fake.deliver(`${url}/webhooks/acme/main`, first)).status).toBe(200);
    await eventually(async () => (await host.stores.messages.listByConversation('t1', (await host.stores.conversations.list('t1'))[0]?.id ?? '-')).length === 1 || undefined);

    // no page may be added: SQLite reports this exactly as a full disk (SQLITE_FULL)
    const db = connectionOf(host);
    const pages = db.prepare('PRAGMA page_count').get()!.page_count as number;
    db.exec(`PRAGMA max_page_count = ${pages}`);
    const big = 'x'.repeat(200_000);
    const during = fake.userMessage({ userId: 'u2', text: big, messageId: 'm-2' });
    const answer = await fake.deliver(`${url}/webhooks/acme/main`, during);
    expect(answer.status).toBe(503);
    const send = await fetch(`${url}/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'acme', accountId: 'main', userId: 'u1', content: { type: 'text', text: big.slice(0, 90_000) }, purpose: 'service' }),
    });
    const sent = (await send.clone().json()) as unknown;
    expect(send.status, JSON.stringify(sent)).toBe(503);
    expect(((await send.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
    expect(await host.stores.outbox.counts('t1')).toMatchObject({ pending: 0, leased: 0, sent: 0 });

    db.exec('PRAGMA max_page_count = 1073741823');
    expect((await fake.deliver(`${url}/webhooks/acme/main`, during)).status).toBe(200);
    expect((await fake.deliver(`${url}/webhooks/acme/main`, during)).status).toBe(200);
    const conversation = await eventually(async () => (await host.stores.conversations.list('t1')).find((c) => c.address.userId === 'u2'));
    const messages = await eventually(async () => { const m = await host.stores.messages.listByConversation('t1', conversation.id); return m.length > 0 ? m : undefined; });
    expect(messages.map((m) => m.externalId)).toEqual(['m-2']);
  });

  it('switchboard backup copies the database a running host is writing', async () => {
    const { path } = tempDatabase('live');
    const { fake, url, host } = await start(path);
    for (let i = 0; i < 20; i++) {
      expect((await fake.deliver(`${url}/webhooks/acme/main`, fake.userMessage({ userId: `u${i}`, text: `hello ${i}`, messageId: `b-${i}` }))).status).toBe(200);
    }
    await eventually(async () => (await host.stores.conversations.list('t1', { limit: 100 })).length === 20 || undefined);
    const target = join(await mkdtemp(join(tmpdir(), 'sb-backup-')), 'copy.db');
    const lines: string[] = [];
    expect(await runCli(['backup', target, '--db', path], (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([`backup of ${path} written to ${target}`]);
    expect(existsSync(target)).toBe(true);
    const copy = await SqliteDriver.open({ path: target });
    try {
      const { createHostStores } = await import('@switchboard/host/testing');
      const stores = createHostStores(copy);
      expect((await stores.conversations.list('t1', { limit: 100 })).length).toBe(20);
    } finally {
      await copy.close();
    }
    expect(await runCli(['backup'], () => {})).toBe(2);
    expect(await runCli(['backup', target, '--db', join(tmpdir(), 'no-such-switchboard.db')], () => {})).toBe(1);
  });
});

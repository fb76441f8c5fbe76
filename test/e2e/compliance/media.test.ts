/**
 * GDPR and media end to end, on the default storage — a SQLite file and the media directory beside
 * it, in a temporary directory of this test's own — with Telegram's fake platform: customers send
 * photos and documents, the host fetches and stores them (one rejected by the tenant's virus
 * scanner), the zip export holds the contact's files byte for byte with a manifest, erasure and
 * retention leave none of their bytes in the media directory (scanned on disk) while another
 * contact's and another tenant's stay, and the metrics and the cost report count the bytes kept.
 * Time is a manual clock (the platform's too): retention periods pass without waiting.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, samplePdf, samplePng, silentLogger, type Conversation, type MediaRef } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { createAnalyticsFeature } from '../../../host/src/analytics/analytics-feature.js';
import { createComplianceFeature, type ComplianceFeature } from '../../../host/src/compliance/compliance-feature.js';
import type { ContactExport } from '../../../host/src/compliance/contact-privacy.js';
import type { ContactExportManifest } from '../../../host/src/compliance/contact-export-zip.js';
import type { MediaScanner } from '../../../host/src/media/media-policy.js';
import type { MediaRecord } from '../../../host/src/media/media-store.js';
import type { HostMessage } from '../../../host/src/stores/stores.js';
import { filesUnder, hashesUnder } from '../../../host/src/compliance/__fixtures__/disk.js';
import { readZip } from '../../../host/src/compliance/__fixtures__/read-zip.js';
import { eventually } from '../support/host-harness.js';

const KEY = 'gdpr-media-key-tenant-one-0123456789';
const OTHER_KEY = 'gdpr-media-key-tenant-two-0123456789';
const DAY = 86_400_000;
/** A safety bound for what the host does off the request path (fetching files), not a deadline. */
const SAFETY_MS = 60_000;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The tenant's scanner: a file named virus… carries the test signature. */
const scanner: MediaScanner = async (input) => {
  input.body.destroy();
  return input.filename?.startsWith('virus') ? { verdict: 'reject', reason: 'test signature found' } : { verdict: 'clean' };
};

interface Running {
  host: Host;
  url: string;
  dir: string;
  clock: ManualClock;
  fake: FakeTelegramServer;
  compliance: ComplianceFeature;
  api<T = unknown>(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; headers: Headers; body: T; bytes: Buffer }>;
  /** A customer sends a file; resolves with the stored message once the host has settled its fetch. */
  send(userId: string, name: string, mediaType: 'image' | 'file', body: Buffer, filename: string, mimeType: string): Promise<HostMessage>;
  stop(): Promise<void>;
}

let running: Running | undefined;
afterEach(async () => { await running?.stop(); running = undefined; });

async function start(options: { retentionDays?: number } = {}): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-gdpr-media-'));
  const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
  const fake = new FakeTelegramServer({ clock });
  await fake.start();
  let compliance: ComplianceFeature | undefined;
  const complianceFactory = createComplianceFeature({
    pseudonymSalt: 'gdpr-media-salt-0123456789', retentionSweepMs: 0,
    ...(options.retentionDays ? { retention: { t1: { messageDays: options.retentionDays } } } : {}),
  });
  const host = await createHost(configFromObject({
    // the default placement: the media directory beside the database file
    store: { kind: 'sqlite', path: join(dir, 'switchboard.db') },
    logLevel: 'silent',
    tenants: [{ id: 't1', apiKeys: [KEY] }, { id: 't2', apiKeys: [OTHER_KEY] }],
    connectors: [{ package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', tenant: 't1', config: fake.connectorConfig() }] }],
  }), {
    logger: silentLogger, clock, processor: { pollMs: 10 }, mediaScanner: scanner,
    features: [(ctx) => (compliance = complianceFactory(ctx) as ComplianceFeature), createAnalyticsFeature()],
  });
  const { url } = await host.listen(0, '127.0.0.1');
  const webhookUrl = `${url}/webhooks/telegram/main`;
  const api: Running['api'] = async (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${init.key ?? KEY}`);
    const res = await fetch(`${url}${path}`, { ...init, headers });
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = /json/.test(res.headers.get('content-type') ?? '') && bytes.length > 0;
    return { status: res.status, headers: res.headers, body: (json ? JSON.parse(bytes.toString('utf8')) : undefined) as never, bytes };
  };
  return {
    host, url, dir, clock, fake, compliance: compliance!, api,
    async send(userId, name, mediaType, body, filename, mimeType) {
      const before = new Set((await host.stores.messages.listBetween('t1', { from: new Date(0), to: new Date(8.64e15) })).map((m) => m.id));
      const answer = await fake.deliver(webhookUrl, fake.simulate({ kind: 'media', userId, name, mediaType, file: { body, filename, mimeType } }));
      expect(answer.status).toBe(200);
      return eventually(async () => {
        const fresh = (await host.stores.messages.listBetween('t1', { from: new Date(0), to: new Date(8.64e15) })).find((m) => !before.has(m.id) && m.direction === 'inbound');
        const state = fresh ? (fresh.content as { media?: MediaRef }).media?.storeState : undefined;
        return fresh && state !== undefined && state !== 'pending' ? fresh : undefined;
      }, SAFETY_MS);
    },
    async stop() {
      await host.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const storedIdOf = (m: HostMessage): string => (m.content as { media: MediaRef }).media.storedId!;

describe('GDPR with media: zip export, erasure and retention on the media directory', () => {
  it('exports the contact\'s files in a zip with a manifest, then erasure removes their bytes from the media directory; another contact\'s and tenant\'s stay', async () => {
    const x = running = await start();
    const annPhoto = samplePng(12, [220, 30, 30]);
    const annInvoice = samplePdf('Invoice for Ann Example, Golf B-AN 4711');
    const annVirus = samplePdf('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-TEST-FILE');
    const bobPhoto = samplePng(12, [30, 30, 220]);
    const photo = await x.send('1001', 'Ann Example', 'image', annPhoto, 'damage.png', 'image/png');
    const invoice = await x.send('1001', 'Ann Example', 'file', annInvoice, 'invoice.pdf', 'application/pdf');
    const virus = await x.send('1001', 'Ann Example', 'file', annVirus, 'virus.pdf', 'application/pdf');
    const bob = await x.send('2002', 'Bob Other', 'image', bobPhoto, 'tyres.png', 'image/png');
    expect([photo, invoice, bob].map((m) => (m.content as { media: MediaRef }).media.storeState)).toEqual(['stored', 'stored', 'stored']);
    expect((virus.content as { media: MediaRef }).media).toMatchObject({ storeState: 'quarantined', storeNote: 'test signature found' });
    const media = x.host.media!.store;
    const ann = (await x.host.stores.conversations.get('t1', photo.conversationId))!;
    const contactId = ann.contactId;
    // another tenant keeps a file carrying the same contact and conversation ids
    const otherTenantBytes = samplePng(12, [30, 220, 30]);
    const put = await media.put('t2', Readable.from([otherTenantBytes]), { origin: 'upload', contactId, conversationId: ann.id });
    expect(put.stored).toBe(true);
    const mediaDir = join(x.dir, 'media');
    const annHashes = [annPhoto, annInvoice, annVirus].map(sha);
    let disk = hashesUnder(mediaDir);
    for (const h of [...annHashes, sha(bobPhoto), sha(otherTenantBytes)]) expect(disk.has(h)).toBe(true);

    // the zip, asked for by Accept
    const zipped = await x.api(`/v1/contacts/${contactId}/export`, { headers: { accept: 'application/zip' } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-type')).toBe('application/zip');
    expect(zipped.headers.get('content-disposition')).toBe(`attachment; filename="contact-${contactId}.zip"`);
    expect(zipped.headers.get('vary')).toMatch(/Accept/i);
    const entries = await readZip(zipped.bytes);
    const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.bytes.toString('utf8')) as ContactExportManifest;
    expect(manifest).toMatchObject({ format: 'switchboard.contact-export/1', tenantId: 't1', contact: { id: contactId, profile: { name: 'Ann Example' } } });
    expect(manifest.messages.map((m) => m.id).sort()).toEqual([photo.id, invoice.id, virus.id].sort());
    // every file: what the platform held, what the store recorded, what the zip holds
    const byMessage = new Map(manifest.media.map((m) => [m.messageId, m]));
    for (const [message, original, kind, contentType] of [[photo, annPhoto, 'image', 'image/png'], [invoice, annInvoice, 'document', 'application/pdf']] as const) {
      const listed = byMessage.get(message.id)!;
      expect(listed).toMatchObject({ id: storedIdOf(message), kind, contentType, size: original.length, sha256: sha(original), origin: 'inbound', conversationId: ann.id });
      expect(listed.path).toMatch(new RegExp(`^media/${storedIdOf(message)}\\.(png|pdf)$`));
      const entry = entries.find((e) => e.name === listed.path)!;
      expect(sha(entry.bytes)).toBe(sha(original));
      expect(sha(entry.bytes)).toBe((await media.get('t1', storedIdOf(message)))!.sha256);
    }
    // the quarantined file: listed with the reason, its bytes not in the zip
    expect(byMessage.get(virus.id)).toMatchObject({ id: storedIdOf(virus), quarantined: { reason: 'test signature found' }, excluded: 'quarantined: test signature found' });
    expect(byMessage.get(virus.id)!.path).toBeUndefined();
    expect(entries.map((e) => e.name).sort()).toEqual(['manifest.json', byMessage.get(photo.id)!.path!, byMessage.get(invoice.id)!.path!].sort());
    expect(zipped.bytes.includes(Buffer.from('EICAR'))).toBe(false);
    // nothing of Bob's, no decryption key
    expect(JSON.stringify(manifest)).not.toContain('Bob Other');
    expect(manifest.media).toHaveLength(3);

    // ?format=zip gives the same files; JSON stays the default (the console and existing clients) and lists the files
    const byQuery = await readZip((await x.api(`/v1/contacts/${contactId}/export?format=zip`)).bytes);
    expect(byQuery.map((e) => e.name).sort()).toEqual(entries.map((e) => e.name).sort());
    const json = await x.api<ContactExport>(`/v1/contacts/${contactId}/export`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body.media.map((m) => m.id).sort()).toEqual(manifest.media.map((m) => m.id).sort());
    expect(json.body.media.every((m) => !('path' in m))).toBe(true);
    expect((await x.api(`/v1/contacts/${contactId}/export?format=tar`)).status).toBe(400);
    expect((await x.api(`/v1/contacts/${contactId}/export?format=zip`, { key: OTHER_KEY })).status).toBe(404);

    // the metrics and the cost report count what is kept
    const stored = annPhoto.length + annInvoice.length + annVirus.length + bobPhoto.length;
    let metrics = await (await fetch(`${x.url}/metrics`)).text();
    expect(metrics).toContain(`switchboard_media_stored_bytes{tenant="t1"} ${stored}`);
    expect(metrics).toContain(`switchboard_media_stored_bytes{tenant="t2"} ${otherTenantBytes.length}`);
    expect(metrics).toContain('switchboard_media_stored_files{state="stored",tenant="t1"} 3');
    expect(metrics).toContain('switchboard_media_stored_files{state="quarantined",tenant="t1"} 1');
    expect(metrics).toContain('switchboard_media_fetched_total{channel="telegram",outcome="stored",tenant="t1"} 3');
    expect(metrics).toContain('switchboard_media_fetched_total{channel="telegram",outcome="quarantined",tenant="t1"} 1');
    expect(metrics).toContain(`switchboard_media_fetched_bytes_total{channel="telegram",tenant="t1"} ${stored}`);
    const costs = await x.api<{ mediaStored: { files: number; bytes: number; quarantined: number } }>('/v1/costs?from=2026-03-01&to=2026-04-01');
    expect(costs.body.mediaStored).toEqual({ files: 4, bytes: stored, quarantined: 1 });

    // erasure
    const erased = await x.api<{ deleted: { media: number; messages: number }; filesPurged: boolean }>(`/v1/contacts/${contactId}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(erased.body.deleted).toMatchObject({ media: 3, messages: 3 });
    await x.compliance.flush();

    // the media directory, scanned on disk: none of Ann's files (quarantined one included), Bob's and the other tenant's still there
    disk = hashesUnder(mediaDir);
    for (const h of annHashes) expect(disk.has(h), `a file of Ann's (${h}) is still in ${mediaDir}`).toBe(false);
    expect(disk.has(sha(bobPhoto))).toBe(true);
    expect(disk.has(sha(otherTenantBytes))).toBe(true);
    const annIds = [photo, invoice, virus].map(storedIdOf);
    expect(filesUnder(mediaDir).filter((f) => annIds.some((id) => f.includes(id)))).toEqual([]);
    for (const id of annIds) expect(await media.get('t1', id)).toBeUndefined();
    expect((await media.list('t2')).map((r: MediaRecord) => r.id)).toEqual([put.stored ? put.record.id : '']);
    // and the database files hold neither their ids nor their hashes (deleted rows are zeroed, the WAL emptied)
    expect(erased.body.filesPurged).toBe(true);
    const database = Buffer.concat(filesUnder(x.dir).filter((f) => f.includes('switchboard.db')).map((f) => readFileSync(f)));
    for (const needle of [...annIds, ...annHashes]) expect(database.includes(Buffer.from(needle)), `the database still holds ${needle}`).toBe(false);
    expect((await x.api(`/v1/media/${storedIdOf(photo)}`)).status).toBe(404);

    // the gauges follow once their cached reading expires (60 s of the host clock)
    x.clock.advance(61_000);
    metrics = await (await fetch(`${x.url}/metrics`)).text();
    expect(metrics).toContain(`switchboard_media_stored_bytes{tenant="t1"} ${bobPhoto.length}`);
    expect(metrics).toContain('switchboard_media_stored_files{state="quarantined",tenant="t1"} 0');
  });

  it('retention deletes the files of messages past the period (scanned on disk) and keeps the newer ones and other tenants\'', async () => {
    const x = running = await start({ retentionDays: 30 });
    const oldBytes = samplePng(10, [1, 100, 200]);
    const newBytes = samplePng(10, [200, 100, 1]);
    const old = await x.send('1001', 'Ann Example', 'image', oldBytes, 'old.png', 'image/png');
    const t2Bytes = samplePng(10, [90, 90, 90]);
    const t2 = await x.host.media!.store.put('t2', Readable.from([t2Bytes]), { origin: 'inbound', messageId: old.id });
    expect(t2.stored).toBe(true);
    x.clock.advance(31 * DAY);
    const fresh = await x.send('1001', 'Ann Example', 'image', newBytes, 'new.png', 'image/png');

    const purge = await x.api<{ messages: number; media: number }>('/v1/retention/purge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(purge.status).toBe(200);
    expect(purge.body).toMatchObject({ messages: 1, media: 1 });
    const disk = hashesUnder(join(x.dir, 'media'));
    expect(disk.has(sha(oldBytes))).toBe(false);
    expect(disk.has(sha(newBytes))).toBe(true);
    expect(disk.has(sha(t2Bytes))).toBe(true);
    expect(await x.host.media!.store.get('t1', storedIdOf(old))).toBeUndefined();
    expect(await x.host.media!.store.get('t1', storedIdOf(fresh))).toBeDefined();
    // the newer message still shows its file
    const conversation = (await x.api<{ items: Conversation[] }>('/v1/conversations')).body.items[0]!;
    const messages = (await x.api<{ items: HostMessage[] }>(`/v1/conversations/${conversation.id}/messages`)).body.items;
    expect(messages.map((m) => m.id)).toEqual([fresh.id]);
  });
});

/**
 * A contact's files in export and erasure, on the memory stores and a real directory blob store:
 * which files are the person's (linked to the contact, its conversations or messages, or named by
 * one of its messages — unless linked to another contact), and that erasure leaves none of their
 * bytes on disk while other contacts' and other tenants' files stay.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RetryableError, samplePdf, samplePng, silentLogger,
  type Address, type Connector, type ConnectorPlugin, type Contact, type Conversation, type MediaRef,
} from '@switchboard/core';
import { MediaFetcher } from '../media/media-fetcher.js';
import { StaticConnectorRegistry } from '../plugins/connector-registry.js';
import { createHostStreams } from '../streams.js';
import { DirectoryBlobStore } from '../media/directory-blob-store.js';
import { HostMediaStore } from '../media/host-media-store.js';
import type { MediaLinks, MediaOrigin, MediaRecord } from '../media/media-store.js';
import { DocumentUploadedMediaStore, eraseUploadedMedia } from '../outbound/uploaded-media-store.js';
import { MemoryStores } from '../stores/host-stores.js';
import type { HostMessage } from '../stores/stores.js';
import { Pseudonymiser } from './contact-data.js';
import { ContactPrivacyService } from './contact-privacy.js';
import { storedIdsOf } from './contact-media.js';
import { hashesUnder } from './__fixtures__/disk.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a contact\'s files in export and erasure', () => {
  let root: string;
  let stores: MemoryStores;
  let blobs: DirectoryBlobStore;
  let media: HostMediaStore;
  let privacy: ContactPrivacyService;
  let uploads: DocumentUploadedMediaStore;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'switchboard-compliance-media-'));
    stores = new MemoryStores({ now: () => NOW });
    blobs = await DirectoryBlobStore.open(join(root, 'media'));
    media = new HostMediaStore({
      records: stores.media, blobs, now: () => NOW,
      scanner: async (input) => { input.body.destroy(); return input.filename === 'virus.pdf' ? { verdict: 'reject', reason: 'test signature' } : { verdict: 'clean' }; },
    });
    uploads = new DocumentUploadedMediaStore(stores.driver);
    privacy = new ContactPrivacyService({
      stores, pseudonymiser: new Pseudonymiser('unit-test-salt-0123456789'), handlers: () => [], now: () => new Date(NOW), media,
      forgetUploads: (tenantId, files) => eraseUploadedMedia(uploads, tenantId, files),
    });
  });
  afterEach(async () => {
    await blobs.close();
    rmSync(root, { recursive: true, force: true });
  });

  const addContact = async (tenantId: string, contactId: string, userId: string): Promise<{ contact: Contact; conversation: Conversation }> => {
    const address: Address = { channel: 'acme', accountId: 'main', userId };
    const now = new Date(NOW);
    const { contact } = await stores.contacts.findOrCreateByAddress(tenantId, address, () => ({ id: contactId, tenantId, addresses: [address], profile: { name: userId }, createdAt: now, updatedAt: now }) as unknown as Contact);
    const { conversation } = await stores.conversations.findOrCreate(tenantId, address, () => ({
      id: `conv-${contactId}`, tenantId, contactId, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now,
    }) as unknown as Conversation);
    return { contact, conversation };
  };
  let seq = 0;
  const addMessage = async (tenantId: string, conversation: Conversation, direction: 'inbound' | 'outbound', storedId?: string): Promise<HostMessage> => {
    const now = new Date(NOW);
    const content: HostMessage['content'] = storedId !== undefined
      ? { type: 'document', media: { storedId, storeState: 'stored' } as MediaRef }
      : { type: 'text', text: 'hello' };
    const { message } = await stores.messages.insert({
      id: `msg-${++seq}`, tenantId, conversationId: conversation.id, channel: 'acme', accountId: 'main', userId: conversation.address.userId,
      direction, externalId: `ext-${seq}`, content, status: direction === 'inbound' ? 'delivered' : 'sent', timestamp: now, createdAt: now, updatedAt: now,
    } as HostMessage);
    return message;
  };
  const put = async (tenantId: string, body: Buffer, origin: MediaOrigin, links: MediaLinks, filename?: string): Promise<MediaRecord> => {
    const r = await media.put(tenantId, Readable.from([body]), { origin, ...links, ...(filename ? { filename } : {}) });
    if (!r.stored) throw new Error(r.reason);
    return r.record;
  };
  /** The hashes of every file on disk under the media directory. */
  const onDisk = (): Set<string> => hashesUnder(join(root, 'media'));

  it('exports and erases exactly the contact\'s files, bytes and records; other contacts\' and tenants\' stay', async () => {
    const ann = await addContact('t1', 'k-ann', 'u-ann');
    const bob = await addContact('t1', 'k-bob', 'u-bob');
    await addContact('t2', 'k-ann-t2', 'u-ann');

    const photo = samplePng(8, [200, 10, 10]);
    const inbound = await addMessage('t1', ann.conversation, 'inbound');
    const annPhoto = await put('t1', photo, 'inbound', { messageId: inbound.id, conversationId: ann.conversation.id, contactId: 'k-ann' });
    // an upload the business sent Ann by its id, linked to nothing yet
    const upload = await put('t1', samplePdf('Your invoice, Ann'), 'upload', {});
    await addMessage('t1', ann.conversation, 'outbound', upload.id);
    // a generated document linked to the conversation only, and a quarantined one linked to the contact only
    const generated = await put('t1', samplePdf('Boarding pass Ann'), 'generated', { conversationId: ann.conversation.id });
    const quarantined = await put('t1', samplePdf('EICAR-ish'), 'inbound', { contactId: 'k-ann' }, 'virus.pdf');
    expect(quarantined.quarantine?.reason).toBe('test signature');
    // the business's brochure sent to Ann too, but linked to Bob (its last recipient): Bob's, not Ann's
    const brochure = await put('t1', samplePdf('Autumn offers brochure'), 'upload', { contactId: 'k-bob', conversationId: bob.conversation.id });
    await addMessage('t1', ann.conversation, 'outbound', brochure.id);
    const bobPhoto = await put('t1', samplePng(8, [10, 10, 200]), 'inbound', { contactId: 'k-bob', conversationId: bob.conversation.id, messageId: (await addMessage('t1', bob.conversation, 'inbound')).id });
    // another tenant's file carrying the very same links
    const otherTenant = await put('t2', samplePng(8, [10, 200, 10]), 'inbound', { contactId: 'k-ann', conversationId: ann.conversation.id, messageId: inbound.id });

    const annFiles = [annPhoto, upload, generated, quarantined];
    const exported = await privacy.export('t1', 'k-ann');
    // oldest first, then by id (all stored at NOW here)
    expect(exported.media.map((m) => m.id)).toEqual(annFiles.map((r) => r.id).sort());
    expect(exported.media.find((m) => m.id === annPhoto.id)).toEqual({
      id: annPhoto.id, messageId: inbound.id, conversationId: ann.conversation.id, kind: 'image', contentType: 'image/png', size: photo.length, sha256: sha(photo), origin: 'inbound', createdAt: new Date(NOW),
    });
    expect(exported.media.find((m) => m.id === quarantined.id)?.quarantined).toEqual({ reason: 'test signature', at: new Date(NOW) });

    // the platform's references of uploads: of Ann's invoice (on two accounts), and of Bob's brochure
    const ref = async (sha256: string, account: string): Promise<void> => {
      await uploads.remember({ tenantId: 't1', channel: 'acme', account, sha256, kind: 'document' }, { ref: { id: `platform-${account}-${sha256.slice(0, 6)}` } }, NOW);
    };
    await ref(upload.sha256, 'main');
    await ref(upload.sha256, 'second');
    await ref(brochure.sha256, 'main');

    const before = onDisk();
    for (const r of [...annFiles, brochure, bobPhoto, otherTenant]) expect(before.has(r.sha256)).toBe(true);

    const report = await privacy.erase('t1', 'k-ann');
    expect(report.deleted.media).toBe(4);
    expect(report.deleted.uploadedMediaRefs).toBe(2);
    expect(await uploads.find({ tenantId: 't1', channel: 'acme', account: 'main', sha256: upload.sha256, kind: 'document' }, NOW)).toBeUndefined();
    expect(await uploads.find({ tenantId: 't1', channel: 'acme', account: 'main', sha256: brochure.sha256, kind: 'document' }, NOW)).toBeDefined();
    const after = onDisk();
    for (const r of annFiles) expect(after.has(r.sha256), `Ann's ${r.origin} file ${r.id} is still on disk`).toBe(false);
    for (const r of [brochure, bobPhoto, otherTenant]) expect(after.has(r.sha256)).toBe(true);
    for (const r of annFiles) expect(await media.get('t1', r.id)).toBeUndefined();
    expect((await media.list('t1')).map((r) => r.id).sort()).toEqual([brochure.id, bobPhoto.id].sort());
    expect((await media.list('t2')).map((r) => r.id)).toEqual([otherTenant.id]);
    // nothing of the erased files is left in the blob store's keys either
    const keys: string[] = [];
    for await (const k of blobs.keys()) keys.push(k);
    for (const r of annFiles) expect(keys.some((k) => k.endsWith(r.id))).toBe(false);
    // running the erasure again finds nothing more (the contact is gone)
    await expect(privacy.erase('t1', 'k-ann')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('drops the fetches still waiting for the contact\'s messages', async () => {
    const ann = await addContact('t1', 'k-ann', 'u-ann');
    const now = new Date(NOW);
    const { message } = await stores.messages.insert({
      id: 'm-pending', tenantId: 't1', conversationId: ann.conversation.id, channel: 'acme', accountId: 'main', userId: 'u-ann', direction: 'inbound', externalId: 'x1',
      content: { type: 'image', media: { id: 'platform-file-1' } }, status: 'delivered', timestamp: now, createdAt: now, updatedAt: now,
    } as HostMessage);
    expect(message.mediaPending).toBe(true);
    await stores.mediaJobs.add({ id: message.id, tenantId: 't1', channel: 'acme', accountId: 'main', attempts: 1, notBefore: now, lastError: 'HTTP 503 from the platform', createdAt: now });
    const report = await privacy.erase('t1', 'k-ann');
    expect(report.deleted.mediaJobs).toBe(1);
    expect(await stores.mediaJobs.get('t1', message.id)).toBeUndefined();
  });

  it('regression: a download in flight when the contact is erased leaves no file behind (the fetcher deletes what it stored for a message that is gone)', async () => {
    const ann = await addContact('t1', 'k-ann', 'u-ann');
    const photo = samplePng(8, [123, 45, 67]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let started!: () => void;
    const downloading = new Promise<void>((resolve) => { started = resolve; });
    const connector = {
      channel: 'acme', accountId: 'main',
      // the platform's answer is slow: the erasure runs while it downloads
      downloadMedia: async () => { started(); await gate; return { body: Readable.from([photo]), declaredType: 'image/png' }; },
      classify: (error: unknown) => new RetryableError(String(error)),
    } as unknown as Connector;
    const streams = createHostStreams();
    const fetcher = new MediaFetcher({
      stores, media, streams, clock: { now: () => NOW } as never, logger: silentLogger, tenants: () => ['t1'],
      registry: new StaticConnectorRegistry([{ tenantId: 't1', channel: 'acme', account: 'main', connector, plugin: {} as ConnectorPlugin }]),
    }, { random: () => 0.5 });
    fetcher.listen();
    try {
      const now = new Date(NOW);
      const { message } = await stores.messages.insert({
        id: 'm-photo', tenantId: 't1', conversationId: ann.conversation.id, channel: 'acme', accountId: 'main', userId: 'u-ann', direction: 'inbound', externalId: 'x-photo',
        content: { type: 'image', media: { id: 'platform-photo' } }, status: 'delivered', timestamp: now, createdAt: now, updatedAt: now,
      } as HostMessage);
      streams.inbound$.next({ tenantId: 't1', message, conversation: ann.conversation, contact: ann.contact });
      const drained = fetcher.drain();
      await downloading;
      const report = await privacy.erase('t1', 'k-ann');
      expect(report.deleted.messages).toBe(1);
      release();
      await drained;
      await fetcher.drain();
      expect(hashesUnder(join(root, 'media')).has(sha(photo))).toBe(false);
      expect(await media.list('t1')).toEqual([]);
    } finally {
      release();
      await fetcher.stop();
    }
  });

  it('storedIdsOf reads each media message\'s stored file once', () => {
    const m = (content: HostMessage['content']): HostMessage => ({ content } as HostMessage);
    expect(storedIdsOf([
      m({ type: 'image', media: { storedId: 'a' } }), m({ type: 'document', media: { storedId: 'a' } }), m({ type: 'video', media: { id: 'platform' } }),
      m({ type: 'text', text: 'storedId' }), m({ type: 'sticker', media: { storedId: 'b' } }),
    ])).toEqual(['a', 'b']);
  });
});

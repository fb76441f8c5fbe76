/**
 * The uploaded-media store's contract on every driver: memory, SQLite (a file, reopened), and
 * MongoDB when SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise). Times are numbers
 * passed explicitly: nothing depends on machine speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnDrivers, type OpenedDriver } from '../__fixtures__/drivers-under-test.js';
import { DocumentUploadedMediaStore, eraseUploadedMedia, type UploadedMediaKey } from './uploaded-media-store.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;
let seq = 0;
const sha = (): string => `${(++seq).toString(16).padStart(8, '0')}${'ab'.repeat(28)}`;
const key = (over: Partial<UploadedMediaKey> = {}): UploadedMediaKey => ({ tenantId: 't1', channel: 'whatsapp', account: 'main', sha256: sha(), kind: 'image', ...over });

describeOnDrivers('uploaded media store', (d) => {
  describe(`uploaded media store: ${d.name}`, () => {
    let opened: OpenedDriver;
    let store: DocumentUploadedMediaStore;
    beforeAll(async () => {
      opened = await d.open();
      store = new DocumentUploadedMediaStore(opened.driver);
    });
    afterAll(async () => { await opened.close(); });

    it('keeps a reference under tenant, account, hash and kind, and finds it until it expires', async () => {
      const k = key();
      const kept = await store.remember(k, { ref: { id: 'media-1' }, expiresAt: new Date(T0 + 30 * DAY) }, T0);
      expect(kept).toEqual({ ...k, ref: { id: 'media-1' }, expiresAt: new Date(T0 + 30 * DAY), createdAt: new Date(T0) });
      expect(await store.find(k, T0 + DAY)).toEqual(kept);
      // another tenant, account, channel or kind finds nothing
      for (const other of [{ tenantId: 't2' }, { account: 'other' }, { channel: 'telegram' }, { kind: 'document' as const }]) {
        expect(await store.find({ ...k, ...other }, T0 + DAY)).toBeUndefined();
      }
      // within the margin before its expiry it is no longer used, and past it it is gone
      expect(await store.find(k, T0 + 30 * DAY - 10, 60_000)).toBeUndefined();
      expect(await store.find(k, T0 + 30 * DAY - 10)).toBeUndefined();
    });

    it('removes an expired reference when it is looked up', async () => {
      const k = key();
      await store.remember(k, { ref: { id: 'old' }, expiresAt: new Date(T0 + 1000) }, T0);
      expect(await store.find(k, T0 + 1000)).toBeUndefined();
      // gone for good, also for a clock that went back
      expect(await store.find(k, T0)).toBeUndefined();
    });

    it('keeps a reference without expiry (Telegram file_id) and the whole ref (Apple url, encryption, size)', async () => {
      const k = key({ channel: 'telegram' });
      await store.remember(k, { ref: { id: 'AgACAgIAAxk', mimeType: 'audio/ogg' } }, T0);
      expect((await store.find(k, T0 + 3650 * DAY))?.ref).toEqual({ id: 'AgACAgIAAxk', mimeType: 'audio/ogg' });
      const a = key({ channel: 'apple' });
      const ref = { url: 'https://mmcs.example/f/1', size: 1234, mimeType: 'image/png', filename: 'photo.png', encryption: { decryptionKey: `00${'1f'.repeat(32)}`, owner: 'o-1', signature: 'c2ln', signatureEncoding: 'base64' as const, algorithm: 'aes-256-ctr' } };
      await store.remember(a, { ref, expiresAt: new Date(T0 + 30 * DAY) }, T0);
      expect((await store.find(a, T0))?.ref).toEqual(ref);
    });

    it('replaces the reference kept under the same key', async () => {
      const k = key();
      await store.remember(k, { ref: { id: 'first' }, expiresAt: new Date(T0 + DAY) }, T0);
      await store.remember(k, { ref: { id: 'second' }, expiresAt: new Date(T0 + 2 * DAY) }, T0 + 10);
      expect(await store.find(k, T0 + 20)).toMatchObject({ ref: { id: 'second' }, expiresAt: new Date(T0 + 2 * DAY), createdAt: new Date(T0 + 10) });
    });

    it('forgets a reference, and only the one named when a ref is given', async () => {
      const k = key();
      await store.remember(k, { ref: { id: 'stale' } }, T0);
      await store.remember(k, { ref: { id: 'fresh' } }, T0 + 1);
      // a process that found 'stale' forgets it: the fresher one another process kept stays
      expect(await store.forget(k, { id: 'stale' })).toBe(false);
      expect((await store.find(k, T0 + 2))?.ref.id).toBe('fresh');
      expect(await store.forget({ ...k, tenantId: 't2' })).toBe(false);
      expect(await store.forget(k, { id: 'fresh' })).toBe(true);
      expect(await store.find(k, T0 + 2)).toBeUndefined();
      expect(await store.forget(k)).toBe(false);
    });

    it('erases a tenant\'s references, all of them or those of given files, on every account and kind', async () => {
      const doomed = sha();
      const kept = sha();
      const keys = [
        key({ tenantId: 'erase', sha256: doomed }), key({ tenantId: 'erase', sha256: doomed, kind: 'document' }), key({ tenantId: 'erase', sha256: doomed, channel: 'telegram', account: 'bot' }),
        key({ tenantId: 'erase', sha256: kept }), key({ tenantId: 'other', sha256: doomed }),
      ];
      for (const k of keys) await store.remember(k, { ref: { id: `id-${k.channel}-${k.kind}` } }, T0);
      expect(await eraseUploadedMedia(store, 'erase', [{ sha256: doomed }, doomed])).toBe(3);
      expect(await store.find(keys[0]!, T0)).toBeUndefined();
      expect(await store.find(keys[3]!, T0)).toBeDefined();
      expect(await store.find(keys[4]!, T0)).toBeDefined();
      expect(await eraseUploadedMedia(store, 'erase', [])).toBe(0);
      expect(await eraseUploadedMedia(store, 'erase')).toBe(1);
      expect(await store.find(keys[3]!, T0)).toBeUndefined();
      // the other tenant's reference to the same bytes is its own
      expect(await store.find(keys[4]!, T0)).toBeDefined();
    });

    it('keeps references across a restart of the host process', async () => {
      const k = key({ account: 'restart' });
      await store.remember(k, { ref: { id: 'durable' }, expiresAt: new Date(T0 + DAY) }, T0);
      store = new DocumentUploadedMediaStore(await opened.reopen());
      // (memory reopens as the same driver: nothing to lose there either)
      expect((await store.find(k, T0))?.ref.id).toBe('durable');
    });
  });
});

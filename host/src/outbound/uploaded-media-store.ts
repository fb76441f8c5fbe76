/**
 * The platforms' references to files the host uploaded (a WhatsApp media id, a Telegram `file_id`,
 * a Messenger `attachment_id`, an Apple MMCS reference with its key), kept per tenant, channel
 * account, content hash and kind, so the next send of the same bytes goes by reference instead of
 * uploading them again — until the reference's `expiresAt`.
 *
 * The kind is part of the key because a platform may tie a reference to how the file was sent:
 * Telegram refuses to resend a photo's `file_id` as a document, Messenger saved the attachment with
 * its type. The same bytes sent as an image and as a document therefore have two entries.
 * @module
 */
import type { MediaKind, MediaRef, UploadedMedia } from '@switchboard/core';
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** What a reference is kept under: the tenant's channel account, the file's bytes and how it is sent. */
export interface UploadedMediaKey {
  tenantId: string;
  channel: string;
  /** The host's account key of the connector (as in the outbox entry). */
  account: string;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  /** What the file is sent as. */
  kind: MediaKind;
}

/** A kept reference. */
export interface UploadedMediaEntry extends UploadedMediaKey {
  /** How the platform knows the file (`id`, or `url` with `encryption`, and the type it was sent with). */
  ref: MediaRef;
  /** When the platform forgets the upload; absent when it keeps it (Telegram). */
  expiresAt?: Date;
  /** When the reference was kept (host clock). */
  createdAt: Date;
}

/** Selects a tenant's references to forget (erasure). */
export interface UploadedMediaSelection {
  /** References of these files' bytes (hex SHA-256), on every account and kind. */
  sha256s?: readonly string[];
}

/** DI token for {@link UploadedMediaStore}. */
export const UploadedMediaStore = Symbol.for('switchboard.UploadedMediaStore');
/**
 * Tenant-scoped platform references of uploaded files, on the host's storage driver (shared by every
 * host process on the same database). A reference past its `expiresAt` is never returned.
 */
export interface UploadedMediaStore {
  /**
   * The reference to send a file by, if one is kept and still valid.
   * @param key - tenant, channel account, hash and kind
   * @param now - the host clock's time in ms
   * @param marginMs - a reference expiring within this margin counts as expired (the send would race its expiry)
   * @returns the entry, or undefined (an expired entry is removed)
   */
  find(key: UploadedMediaKey, now: number, marginMs?: number): Promise<UploadedMediaEntry | undefined>;
  /**
   * Keeps the reference a send produced, replacing any kept before under the same key.
   * @param key - tenant, channel account, hash and kind
   * @param uploaded - the connector's `SendResult.media` (or an error's `details.uploadedMedia`)
   * @param now - the host clock's time in ms
   * @returns the kept entry
   */
  remember(key: UploadedMediaKey, uploaded: UploadedMedia, now: number): Promise<UploadedMediaEntry>;
  /**
   * Forgets a reference: the platform no longer holds the file.
   * @param key - tenant, channel account, hash and kind
   * @param ref - when given, only this reference is forgotten (a fresher one another process kept meanwhile stays)
   * @returns whether an entry was removed
   */
  forget(key: UploadedMediaKey, ref?: MediaRef): Promise<boolean>;
  /**
   * Forgets a tenant's references: every one, or those of the given files' bytes (erasure).
   * @param tenantId - the tenant
   * @param selection - the files' hashes; every reference of the tenant when left out
   * @returns how many were removed
   */
  erase(tenantId: string, selection?: UploadedMediaSelection): Promise<number>;
}

interface UploadedMediaDocument extends UploadedMediaEntry {
  id: string;
}

/** How many hashes one `$in` names at most (SQLite binds each as a parameter). */
const IN_CHUNK = 500;

/** {@link UploadedMediaStore} over any {@link StorageDriver} (memory, SQLite, MongoDB). */
export class DocumentUploadedMediaStore implements UploadedMediaStore {
  /** The references. The id is the key itself; every index is led by the tenant. */
  static readonly spec: CollectionSpec = {
    name: 'uploaded_media',
    fields: { tenantId: 'string', sha256: 'string', createdAt: 'date' },
    indexes: [{ fields: ['tenantId', 'sha256'] }],
  };

  private readonly docs: Collection<UploadedMediaDocument>;

  /** @param driver - the host's storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<UploadedMediaDocument>(DocumentUploadedMediaStore.spec);
  }

  async find(key: UploadedMediaKey, now: number, marginMs = 0): Promise<UploadedMediaEntry | undefined> {
    const doc = await this.docs.get(idOf(key));
    if (!doc || doc.tenantId !== key.tenantId) return undefined;
    if (doc.expiresAt !== undefined && doc.expiresAt.getTime() - marginMs <= now) {
      // only this expired entry: one another process kept meanwhile was kept at another time
      await this.docs.deleteMany({ id: doc.id, createdAt: doc.createdAt });
      return undefined;
    }
    return entryOf(doc);
  }

  async remember(key: UploadedMediaKey, uploaded: UploadedMedia, now: number): Promise<UploadedMediaEntry> {
    const entry: UploadedMediaEntry = {
      tenantId: key.tenantId, channel: key.channel, account: key.account, sha256: key.sha256, kind: key.kind,
      ref: uploaded.ref, createdAt: new Date(now), ...(uploaded.expiresAt ? { expiresAt: uploaded.expiresAt } : {}),
    };
    const doc: UploadedMediaDocument = { id: idOf(key), ...entry };
    // bounded: either the insert wins, or the stored entry is replaced (a delete in between is retried once)
    for (let round = 0; round < 2; round++) {
      if (await this.docs.insert(doc)) return entry;
      if (await this.docs.replaceOne({ id: doc.id, tenantId: key.tenantId }, doc)) return entry;
    }
    return entry;
  }

  async forget(key: UploadedMediaKey, ref?: MediaRef): Promise<boolean> {
    if (!ref) return (await this.docs.deleteMany({ id: idOf(key), tenantId: key.tenantId })) > 0;
    const doc = await this.docs.get(idOf(key));
    if (!doc || doc.tenantId !== key.tenantId || !sameRef(doc.ref, ref)) return false;
    return (await this.docs.deleteMany({ id: doc.id, tenantId: key.tenantId, createdAt: doc.createdAt })) > 0;
  }

  async erase(tenantId: string, selection?: UploadedMediaSelection): Promise<number> {
    if (!selection?.sha256s) return this.docs.deleteMany({ tenantId });
    let removed = 0;
    for (let i = 0; i < selection.sha256s.length; i += IN_CHUNK) {
      removed += await this.docs.deleteMany({ tenantId, sha256: { $in: selection.sha256s.slice(i, i + IN_CHUNK) } });
    }
    return removed;
  }
}

/**
 * Forgets the platform references of a tenant's uploaded files, for erasure: of the given files
 * (their hex SHA-256, as the media store's records hold it), or of every file of the tenant. Call it
 * with the files' records before deleting them: a reference lets the platform's copy be sent again.
 * @param store - the host's uploaded-media store (`OutboundRuntime.uploadedMedia`)
 * @param tenantId - the tenant
 * @param files - the records (or hashes) of the erased files; every reference of the tenant when left out
 * @returns how many references were forgotten
 * @example
 * ```ts
 * const records = await host.media!.store.list(tenantId, { contactId });
 * await eraseUploadedMedia(host.outbound.uploadedMedia, tenantId, records);
 * ```
 */
export async function eraseUploadedMedia(store: UploadedMediaStore, tenantId: string, files?: readonly (string | { sha256: string })[]): Promise<number> {
  if (!files) return store.erase(tenantId);
  const sha256s = [...new Set(files.map((f) => (typeof f === 'string' ? f : f.sha256)).filter((s) => s !== ''))];
  return sha256s.length === 0 ? 0 : store.erase(tenantId, { sha256s });
}

// JSON of the key's parts: injective whatever characters they hold
const idOf = (key: UploadedMediaKey): string => JSON.stringify([key.tenantId, key.channel, key.account, key.sha256, key.kind]);

function entryOf(doc: UploadedMediaDocument): UploadedMediaEntry {
  const { id: _id, ...entry } = doc;
  return entry;
}

/** Whether two references name the same platform file. */
function sameRef(a: MediaRef, b: MediaRef): boolean {
  return a.id === b.id && a.url === b.url && a.encryption?.decryptionKey === b.encryption?.decryptionKey;
}

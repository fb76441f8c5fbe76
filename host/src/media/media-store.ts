/**
 * The media store: the files customers send and businesses upload or generate, kept per tenant.
 *
 * Two layers, each with one contract:
 * - a {@link MediaRecordStore} keeps what is known of each file (its tenant, hash, size, sniffed
 *   type, kind, name, origin, the message, conversation and contact it belongs to, a quarantine
 *   marker) as documents on the storage driver (`stores/document-media-store.ts`), so it lives in
 *   the host's database with everything else (SQLite, MongoDB, memory);
 * - a {@link BlobStore} keeps the bytes: a directory beside the SQLite database by default
 *   (`<db dir>/media/…`), MongoDB GridFS with the MongoDB driver, memory for tests and the
 *   ephemeral mode.
 *
 * The {@link MediaStore} above them is what the rest of the host uses: it streams a file into the
 * blob store while counting and hashing it, checks its real type from its bytes (never the declared
 * MIME type) against the tenant's limits, runs the tenant's virus scanner, and keeps the record.
 * Nothing of a refused file is kept. A quarantined file keeps its record (with the marker) and its
 * bytes, which are never served.
 * @module
 */
import type { Readable } from 'node:stream';
import type { MediaKind } from '@switchboard/core';
import type { Page } from '../stores/stores.js';

/** Where a stored file came from. */
export type MediaOrigin = 'inbound' | 'upload' | 'generated';

/** The message, conversation and contact a file belongs to (erasure and export select by them). */
export interface MediaLinks {
  /** The message that carried it (inbound) or sent it (outbound). */
  messageId?: string;
  /** The conversation of that message. */
  conversationId?: string;
  /** The contact who sent it, or to whom it was sent. */
  contactId?: string;
}

/** Why the tenant's scanner rejected a file. */
export interface MediaQuarantine {
  /** The scanner's reason, as it gave it. */
  reason: string;
  /** When the scanner rejected it (host clock). */
  at: Date;
}

/** A stored file, as the host knows it. Tenant-scoped: a read with another tenant finds nothing. */
export interface MediaRecord extends MediaLinks {
  /** The host's id of the file (what `MediaRef.storedId` holds and `GET /v1/media/:id` serves). */
  id: string;
  tenantId: string;
  /** Hex SHA-256 of the bytes, computed while they were written. */
  sha256: string;
  /** Size in bytes, counted while they were written. */
  size: number;
  /** The MIME type found in the bytes themselves (`file-type`), never the one a sender declared. */
  contentType: string;
  /** What the file is sent or was received as. */
  kind: MediaKind;
  /** The file name a sender gave (as given; the routes encode it safely when serving). */
  filename?: string;
  origin: MediaOrigin;
  /** Set when the tenant's scanner rejected the file: the bytes are kept but never served. */
  quarantine?: MediaQuarantine;
  /** When the file was stored (host clock). */
  createdAt: Date;
}

/** What a caller says about a file it stores ({@link MediaStore.put}). */
export interface MediaPutInput extends MediaLinks {
  origin: MediaOrigin;
  /**
   * What the file is sent or was received as. Given for inbound media (the message's content type)
   * and checked against the bytes (an `image` must be an image type the tenant allows); when left
   * out, it follows from the sniffed type (`image/*` → image, `video/*` → video, `audio/*` → audio,
   * anything else → document).
   */
  kind?: MediaKind;
  /** The file name to keep (cut to 255 characters; control characters removed). */
  filename?: string;
  /** The MIME type a sender declared: only a hint where the bytes say nothing (plain text). */
  declaredType?: string;
  /** The size a sender announced: a file announced larger than the limit is refused before a byte is read. */
  declaredSize?: number;
  /** Aborts the write (nothing is kept). */
  signal?: AbortSignal;
}

/** Why a file was refused (nothing of it is kept). Stable codes, as answered by the API. */
export type MediaRefusalCode =
  /** Larger than the tenant's limit for its kind. */
  | 'MEDIA_TOO_LARGE'
  /** The type found in the bytes is not allowed for its kind by the tenant's limits. */
  | 'MEDIA_TYPE_NOT_ALLOWED'
  /** No byte was sent. */
  | 'MEDIA_EMPTY';

/** The outcome of {@link MediaStore.put}: an expected refusal is a value, not an exception. */
export type MediaPutResult =
  /** Kept. When the scanner rejected it, `record.quarantine` says why and the bytes are never served. */
  | { stored: true; record: MediaRecord }
  /** Refused: nothing was kept. */
  | { stored: false; code: MediaRefusalCode; reason: string; details: Record<string, unknown> };

/** A byte range, both ends inclusive (as in HTTP `Range: bytes=start-end`), within the file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Bytes read from the store. */
export interface MediaContent {
  record: MediaRecord;
  /** How many bytes `body` yields (the range's length, or the whole size). */
  length: number;
  /** The bytes, streamed from the blob store. Destroy it when not read to the end. */
  body: Readable;
}

/**
 * A stored file as a `Blob` (what core's `OutboundFile.body` takes): file-backed where the blob
 * store keeps files (the directory store), so an upload to a platform streams from disk.
 * Call `release()` once the blob is no longer read (removes a temporary copy, if one was made).
 */
export interface MediaFile {
  record: MediaRecord;
  blob: Blob;
  release(): Promise<void>;
}

/** Selects a tenant's files in {@link MediaStore.list}. Every given field must match. */
export interface MediaListFilter extends MediaLinks, Page {
  origin?: MediaOrigin;
  /** Stored before this time. */
  createdBefore?: Date;
}

/** Selects a tenant's files to delete (erasure, retention): any given field selects. */
export interface MediaSelection {
  /** Files of these messages. */
  messageIds?: readonly string[];
  /** Files of these conversations. */
  conversationIds?: readonly string[];
  /** Files of these contacts. */
  contactIds?: readonly string[];
  /** Every file stored before this time (retention). */
  createdBefore?: Date;
}

/** What a tenant keeps in the media store. */
export interface MediaUsage {
  /** Stored files (quarantined ones included). */
  files: number;
  /** Their bytes. */
  bytes: number;
  /** Files the scanner rejected. */
  quarantined: number;
}

/** DI token for {@link MediaStore}. */
export const MediaStore = Symbol.for('switchboard.MediaStore');
/**
 * The host's media: records and bytes, tenant-scoped, with the tenant's limits and scanner applied
 * on the way in. Every read takes the tenant id; another tenant's file is never found.
 *
 * Promises: a file is either wholly kept (record and bytes, both durable when the stores are) or not
 * at all — a write that fails, is refused or aborted leaves no bytes and no record, and a crash
 * mid-write leaves a half-written record that the start-up sweep removes with its bytes. A deleted
 * file's bytes are gone from the blob store (no file remains in the directory store).
 */
export interface MediaStore {
  /**
   * Streams a file in: counts and hashes the bytes as they arrive, sniffs their type from the first
   * bytes, refuses (stopping the read) a file past the tenant's limit for its kind or of a type it
   * does not allow, then asks the tenant's scanner.
   * @param tenantId - the owning tenant
   * @param body - the bytes (a Node `Readable`, a web stream, an async generator)
   * @param input - origin, kind, name, links, what the sender declared
   * @returns the record, or why the file was refused (nothing kept)
   * @throws StorageError when the database or the blob store fails (nothing kept); the body's own error when it fails
   */
  put(tenantId: string, body: AsyncIterable<Uint8Array>, input: MediaPutInput): Promise<MediaPutResult>;
  /** @returns the record (quarantined or not), or undefined when the tenant has no such file */
  get(tenantId: string, id: string): Promise<MediaRecord | undefined>;
  /**
   * Reads a file's bytes, or a range of them.
   * @param tenantId - the owning tenant
   * @param id - the file
   * @param range - a satisfiable range (`0 <= start <= end < size`); the whole file when left out
   * @returns the bytes; undefined when the tenant has no such file, when it is quarantined, or when its bytes are gone
   * @throws RangeError for a range outside the file
   */
  read(tenantId: string, id: string, range?: ByteRange): Promise<MediaContent | undefined>;
  /**
   * A file as a `Blob`, for an upload to a platform (core's `OutboundFile.body`).
   * @returns undefined as {@link MediaStore.read} does
   */
  openBlob(tenantId: string, id: string): Promise<MediaFile | undefined>;
  /**
   * Records which message, conversation and contact a file belongs to (an uploaded file once a
   * message sends it). Given fields replace the stored ones.
   * @returns the record after the change, or undefined when the tenant has no such file
   */
  link(tenantId: string, id: string, links: MediaLinks): Promise<MediaRecord | undefined>;
  /** A tenant's files, oldest first. */
  list(tenantId: string, filter?: MediaListFilter): Promise<MediaRecord[]>;
  /**
   * Deletes a file: its bytes, then its record.
   * @returns whether it existed
   */
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Deletes every file a selection names (erasure of a contact or conversation, retention).
   * @returns how many files were deleted
   */
  deleteMatching(tenantId: string, selection: MediaSelection): Promise<number>;
  /** What the tenant keeps (for metrics and cost counters). */
  usage(tenantId: string): Promise<MediaUsage>;
}

/** Options of {@link MediaUrls.signedUrl}. */
export interface SignedUrlOptions {
  /** How long the URL works, in ms of the host clock (default 15 minutes, at most 7 days). */
  ttlMs?: number;
  /**
   * A file name to end the URL's path with (`/media/<id>/<name>`): platforms that fetch by URL read
   * the type and name from its last segment (Viber wants `.jpg` on a picture's URL). Not signed: it
   * changes nothing of what is served.
   */
  filename?: string;
}

/** DI token for {@link MediaUrls}. */
export const MediaUrls = Symbol.for('switchboard.MediaUrls');
/**
 * The URLs a stored file is reached at: the API's (for API keys of the owning tenant) and short-lived
 * signed ones for the console and for platforms that fetch a file by URL (Messenger, Viber). Both are
 * absolute when the config sets `publicUrl`, else relative to the host.
 */
export interface MediaUrls {
  /** `<publicUrl>/v1/media/<id>`: answered for API keys of the owning tenant only. */
  apiUrl(id: string): string;
  /**
   * `<publicUrl>/media/<id>[/<filename>]?tenant=…&exp=…&sig=…`: works without a key until it expires (host clock), for this
   * tenant's file only. The signature is an HMAC-SHA256 over id, tenant and expiry with a secret the
   * host generates and keeps in its database (never logged or exported).
   */
  signedUrl(tenantId: string, id: string, options?: SignedUrlOptions): Promise<string>;
}

/**
 * A record as the record store keeps it: a {@link MediaRecord} with the life-cycle bookkeeping the
 * media store needs to keep "wholly or not at all" across crashes.
 */
export interface StoredMediaRecord extends MediaRecord {
  /** `writing` from before the first byte until the bytes are durable; `stored` after. */
  state: 'writing' | 'stored';
  /** The blob store's key of the bytes. */
  blobKey: string;
}

/** DI token for {@link MediaRecordStore}. */
export const MediaRecordStore = Symbol.for('switchboard.MediaRecordStore');
/**
 * The records of the media store on the storage driver (one implementation,
 * `DocumentMediaRecordStore`, for every driver). Reads other than {@link MediaRecordStore.listWriting}
 * see only `stored` records.
 */
export interface MediaRecordStore {
  /** Inserts a record in state `writing` (before its bytes are written). @returns false when the id is taken */
  begin(record: StoredMediaRecord): Promise<boolean>;
  /**
   * Marks a `writing` record `stored` with what the write learned.
   * @returns the record, or undefined when it is not (or no longer) `writing`
   */
  commit(tenantId: string, id: string, fields: Pick<MediaRecord, 'sha256' | 'size' | 'contentType' | 'kind'> & { quarantine?: MediaQuarantine }): Promise<StoredMediaRecord | undefined>;
  get(tenantId: string, id: string): Promise<StoredMediaRecord | undefined>;
  link(tenantId: string, id: string, links: MediaLinks): Promise<StoredMediaRecord | undefined>;
  /** Oldest first (then by id). */
  list(tenantId: string, filter?: MediaListFilter): Promise<StoredMediaRecord[]>;
  /** Every stored record a selection names (unpaged, in batches read by key). */
  select(tenantId: string, selection: MediaSelection): AsyncIterable<StoredMediaRecord[]>;
  /** Records still `writing` that began before `before` (a crashed or abandoned write). */
  listWriting(tenantId: string, before: Date, limit: number): Promise<StoredMediaRecord[]>;
  /** Removes a record, in whatever state. @returns whether it existed */
  remove(tenantId: string, id: string): Promise<boolean>;
  usage(tenantId: string): Promise<MediaUsage>;
}

/** Options of {@link BlobStore.write}. */
export interface BlobWriteOptions {
  /** The most bytes to take: past it the write fails with {@link BlobTooLargeError} and keeps nothing. */
  maxBytes: number;
  /** Aborts the write (nothing is kept). */
  signal?: AbortSignal;
}

/** What a write learned from the bytes. */
export interface BlobWritten {
  size: number;
  /** Hex SHA-256. */
  sha256: string;
}

/**
 * Where the bytes live. Keys are `[A-Za-z0-9_-]` segments joined by `/` (at most 4, 128 characters
 * each); the media store makes them. One contract, one conformance suite, three implementations:
 * `DirectoryBlobStore`, `GridFsBlobStore`, `MemoryBlobStore`.
 *
 * Promises: a write is all or nothing and durable when it resolves (directory: temp file, fsync,
 * rename, fsync of the directory; GridFS: the files document is written last, with the driver's
 * write concern); it streams (never holds the whole file); a write to an existing key replaces it
 * only once complete. A deleted key's bytes are gone.
 */
export interface BlobStore {
  /** `directory`, `gridfs`, `memory` or a third party's. */
  readonly kind: string;
  /** Where the bytes are, for logs and `doctor` (a directory, a GridFS bucket; no credentials). */
  readonly where: string;
  /**
   * Writes a key's bytes as they arrive, counting and hashing them.
   * @throws BlobTooLargeError past `maxBytes`; the body's error or an `AbortError`; StorageError when the medium fails. Nothing is kept on any of them.
   */
  write(key: string, body: AsyncIterable<Uint8Array>, options: BlobWriteOptions): Promise<BlobWritten>;
  /** @returns the size, or undefined when the key has no bytes */
  size(key: string): Promise<number | undefined>;
  /**
   * Streams a key's bytes, or an inclusive range of them.
   * @returns undefined when the key has no bytes
   * @throws RangeError for a range outside the bytes
   */
  read(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** The bytes as a `Blob` (file-backed where possible; `release` removes any temporary copy). */
  openBlob(key: string): Promise<{ blob: Blob; release(): Promise<void> } | undefined>;
  /** @returns whether the key had bytes */
  delete(key: string): Promise<boolean>;
  /** Every key with bytes under a prefix (`tenant/`), for sweeps and tests. */
  keys(prefix?: string): AsyncIterable<string>;
  /** Removes what interrupted writes left behind before `before` (temp files, unfinished GridFS chunks). */
  sweep(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** A blob write went past its `maxBytes` (nothing was kept). */
export class BlobTooLargeError extends Error {
  /** @param maxBytes - the limit the write had */
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** The largest key segment and how many segments a key may have. */
const KEY = /^[A-Za-z0-9_-]{1,128}(?:\/[A-Za-z0-9_-]{1,128}){0,3}$/;

/**
 * Checks a blob key (see {@link BlobStore}).
 * @param key - the key
 * @returns the key
 * @throws TypeError for a key that is not `[A-Za-z0-9_-]` segments joined by `/`
 */
export function checkBlobKey(key: string): string {
  if (!KEY.test(key)) throw new TypeError(`invalid blob key "${key.slice(0, 80)}": segments of [A-Za-z0-9_-] joined by /, at most 4`);
  return key;
}

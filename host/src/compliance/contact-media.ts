/**
 * A contact's files in the media store, as export and erasure see them: which files are the
 * person's, and how each is described in the export.
 * @module
 */
import type { MediaKind, MediaRef } from '@switchboard/core';
import type { MediaOrigin, MediaRecord, MediaStore } from '../media/media-store.js';
import { PAGE_MAX, type HostMessage } from '../stores/stores.js';

/** One of the contact's files, as the export describes it (the bytes go in the zip export). */
export interface ContactMediaFile {
  /** The host's id of the file (`GET /v1/media/:id`). */
  id: string;
  /** The message that carried or sent it. */
  messageId?: string;
  conversationId?: string;
  /** What it was received or sent as. */
  kind: MediaKind;
  /** The type found in its bytes. */
  contentType: string;
  /** Size in bytes. */
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** The file name the sender gave. */
  filename?: string;
  origin: MediaOrigin;
  /** When the host stored it. */
  createdAt: Date;
  /** Set when the tenant's virus scanner rejected it: such a file is listed but its bytes are never handed out. */
  quarantined?: { reason: string; at: Date };
}

/** Whom the files belong to. */
export interface ContactMediaSubject {
  tenantId: string;
  contactId: string;
  conversationIds: readonly string[];
  /** The contact's messages: a file a message names by `media.storedId` is the contact's too. */
  messages: readonly HostMessage[];
}

const MEDIA_CONTENT: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/**
 * The ids of stored files the messages name (`content.media.storedId`).
 * @param messages - messages
 * @returns the ids, each once
 */
export function storedIdsOf(messages: readonly HostMessage[]): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    if (!MEDIA_CONTENT.has(m.content.type)) continue;
    const storedId = (m.content as { media?: MediaRef }).media?.storedId;
    if (typeof storedId === 'string') ids.add(storedId);
  }
  return [...ids];
}

async function allPages(read: (offset: number) => Promise<MediaRecord[]>): Promise<MediaRecord[]> {
  const all: MediaRecord[] = [];
  for (let offset = 0; ; offset += PAGE_MAX) {
    const page = await read(offset);
    all.push(...page);
    if (page.length < PAGE_MAX) break;
  }
  return all;
}

/**
 * Every file of the contact, oldest first: the files linked to the contact, to one of its
 * conversations or messages, and the files its messages name by `storedId` — unless such a file is
 * linked to another contact (a business's file it sent to several people belongs to the last one
 * it was linked to, and is that person's, not this one's).
 * @param media - the media store
 * @param subject - tenant, contact, conversations, messages
 * @returns the records (quarantined ones included)
 */
export async function contactMediaOf(media: MediaStore, subject: ContactMediaSubject): Promise<MediaRecord[]> {
  const { tenantId, contactId } = subject;
  const found = new Map<string, MediaRecord>();
  const add = (records: readonly MediaRecord[]): void => { for (const r of records) found.set(r.id, r); };
  add(await allPages((offset) => media.list(tenantId, { contactId, limit: PAGE_MAX, offset })));
  for (const conversationId of subject.conversationIds) {
    add(await allPages((offset) => media.list(tenantId, { conversationId, limit: PAGE_MAX, offset })));
  }
  const ownMessages = new Set(subject.messages.map((m) => m.id));
  for (const id of storedIdsOf(subject.messages)) {
    if (found.has(id)) continue;
    const r = await media.get(tenantId, id);
    if (!r) continue;
    const elsewhere = r.contactId !== undefined && r.contactId !== contactId && !(r.messageId !== undefined && ownMessages.has(r.messageId));
    if (!elsewhere) found.set(r.id, r);
  }
  return [...found.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * How the export describes a file.
 * @param r - the record
 * @returns the description (no blob key, no tenant)
 */
export function describeMediaFile(r: MediaRecord): ContactMediaFile {
  return {
    id: r.id,
    ...(r.messageId !== undefined ? { messageId: r.messageId } : {}),
    ...(r.conversationId !== undefined ? { conversationId: r.conversationId } : {}),
    kind: r.kind, contentType: r.contentType, size: r.size, sha256: r.sha256,
    ...(r.filename !== undefined ? { filename: r.filename } : {}),
    origin: r.origin, createdAt: r.createdAt,
    ...(r.quarantine ? { quarantined: { reason: r.quarantine.reason, at: r.quarantine.at } } : {}),
  };
}

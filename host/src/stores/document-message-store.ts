/**
 * Messages on the storage driver. A unique index on (tenant, channel, account, customer,
 * direction, external id) makes ingest idempotent; statuses move forward only (core's
 * `advanceStatus`, applied by compare-and-set) and their history's times never go back; the
 * further parts of a split message are kept in a second collection so a receipt naming a later
 * part is found through an index.
 * @module
 */
import { advanceStatus, type DeliveryStatus, type MediaContent } from '@switchboard/core';
import type { Collection, CollectionSpec, LinkedUpdate, StorageDriver } from './driver.js';
import { compareAndSet, RETRY, scanByKey, timeRange, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type HostMessage, type MediaStoreFields, type MessageStore, type Page, type TimeRange } from './stores.js';
import { ConflictError } from '../errors.js';

/**
 * The time a new status entry shows: the given one, but never earlier than the entry before it.
 * Platforms stamp receipts and acceptances in their own clock, often to the second (a Telegram
 * `date`, a WhatsApp `timestamp`), while `queued` is the host's millisecond clock, so `sent` could
 * read earlier than `queued`. The order of the history is the order statuses were applied; a time
 * that would contradict it is clamped to the previous entry's (a receipt's own time stays on its
 * event in the inbox, until retention removes it).
 * @param at - the status's time as reported
 * @param history - the entries so far
 * @returns `at`, or the last entry's time when `at` is earlier
 */
export function notBefore(at: Date, history: HostMessage['statusHistory']): Date {
  const last = history?.at(-1)?.at;
  if (last === undefined) return at;
  const floor = new Date(last).getTime();
  return at.getTime() < floor ? new Date(floor) : at;
}

/**
 * A further part of a split outbound message: its platform id, pointing at the message. A part is
 * written before the message names it and checked against the message when read, so a part left
 * behind by a crash is ignored (and swept with the message's retention).
 */
interface MessagePart {
  /** `<message id> <part id>` */
  id: string;
  tenantId: string;
  channel: string;
  accountId: string;
  userId: string;
  externalId: string;
  messageId: string;
  conversationId: string;
  /** The message's timestamp (retention). */
  timestamp: Date;
}

/** What a send's outcome records on its message besides the status ({@link DocumentMessageStore.outcomeUpdates}). */
export interface SendOutcomeFields {
  /** The platform's id of the first part it accepted (when not recorded yet). */
  externalId?: string;
  /** The platform's ids of the further parts. */
  partIds?: string[];
  /** Why the message failed (a failure). */
  error?: { code: string; message: string };
}

/** The message fields the dispatcher may patch ({@link DocumentMessageStore.update}). */
export type PatchableFields = 'externalId' | 'rendering' | 'price' | 'partIds' | 'error' | 'form';

/** The paths of a message whose text is indexed for search (see `search/inbox-search.ts`). */
export const MESSAGE_TEXT_PATHS: readonly string[] = [
  'content.text', 'content.media.caption', 'content.body', 'content.header', 'content.footer', 'content.title',
  'content.fallbackText', 'content.name', 'content.address',
];

/** {@link MessageStore} over any {@link StorageDriver}. */
export class DocumentMessageStore implements MessageStore {
  /** The messages. */
  static readonly spec: CollectionSpec = {
    name: 'messages',
    fields: {
      tenantId: 'string', conversationId: 'string', channel: 'string', accountId: 'string', userId: 'string',
      direction: 'string', externalId: 'string', status: 'string', timestamp: 'date', createdAt: 'date', mediaPending: 'boolean',
    },
    indexes: [
      // platform ids are unique per customer (Telegram numbers messages per chat); outbound
      // messages have no external id until sent and are not indexed until then
      { fields: ['tenantId', 'channel', 'accountId', 'userId', 'direction', 'externalId'], unique: true },
      // receipts that do not name the customer
      { fields: ['tenantId', 'channel', 'accountId', 'direction', 'externalId', 'createdAt'] },
      { fields: ['tenantId', 'conversationId', 'timestamp', 'createdAt'] },
      { fields: ['tenantId', 'status', 'createdAt'] },
      { fields: ['tenantId', 'timestamp', 'createdAt'] },
      // inbound media the host has still to fetch (the start-up sweep of the media fetcher)
      { fields: ['tenantId', 'mediaPending', 'createdAt'] },
    ],
    // what inbox search finds: the text of text messages, captions, interactive and template bodies, reply titles, places
    text: MESSAGE_TEXT_PATHS,
  };

  /** The further parts of split messages. */
  static readonly partsSpec: CollectionSpec = {
    name: 'message_parts',
    fields: {
      tenantId: 'string', channel: 'string', accountId: 'string', userId: 'string', externalId: 'string',
      messageId: 'string', conversationId: 'string', timestamp: 'date',
    },
    indexes: [
      { fields: ['tenantId', 'channel', 'accountId', 'externalId', 'userId'] },
      { fields: ['tenantId', 'conversationId'] },
      { fields: ['tenantId', 'timestamp'] },
    ],
  };

  private readonly docs: Collection<HostMessage>;
  private readonly parts: Collection<MessagePart>;
  private readonly now: () => number;

  /**
   * @param driver - the storage driver
   * @param options - the clock
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<HostMessage>(DocumentMessageStore.spec);
    this.parts = driver.collection<MessagePart>(DocumentMessageStore.partsSpec);
    this.now = options.now ?? Date.now;
  }

  async insert(given: HostMessage): Promise<{ message: HostMessage; inserted: boolean }> {
    // a customer's file is marked for the media fetcher in the same write that stores the message,
    // so no file is forgotten whatever happens between the insert and the fetch
    const message = hasMediaToFetch(given) ? { ...given, mediaPending: true } : given;
    if (await this.docs.insert(message)) {
      if (message.partIds?.length) await this.writeParts(message, message.partIds);
      // the caller's own record (the driver stored a copy of it)
      return { message, inserted: true };
    }
    const existing = (message.externalId !== undefined
      ? await this.docs.findOne({
        tenantId: message.tenantId, channel: message.channel, accountId: message.accountId, userId: message.userId,
        direction: message.direction, externalId: message.externalId,
      })
      : undefined) ?? await this.get(message.tenantId, message.id);
    if (!existing) throw new ConflictError(`message ${message.id} could not be stored: its id is taken`);
    return { message: existing, inserted: false };
  }

  async get(tenantId: string, id: string): Promise<HostMessage | undefined> {
    const m = await this.docs.get(id);
    return m?.tenantId === tenantId ? m : undefined;
  }

  async findByExternalId(tenantId: string, address: { channel: string; accountId: string; userId?: string }, externalId: string, direction?: HostMessage['direction']): Promise<HostMessage | undefined> {
    const where = { tenantId, channel: address.channel, accountId: address.accountId, userId: address.userId };
    for (const d of direction ? [direction] : (['outbound', 'inbound'] as const)) {
      // without the customer: the latest message with that id on the account
      const found = await this.docs.findOne({ ...where, direction: d, externalId }, { sort: [['createdAt', -1]] });
      if (found) return found;
    }
    if (direction !== undefined && direction !== 'outbound') return undefined;
    // a receipt may name a later part of a split message
    for (const part of await this.parts.find({ ...where, externalId }, { limit: 20 })) {
      const m = await this.get(tenantId, part.messageId);
      if (m?.direction === 'outbound' && m.partIds?.includes(externalId)) return m;
    }
    return undefined;
  }

  async listByConversation(tenantId: string, conversationId: string, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    return this.docs.find({ tenantId, conversationId }, { sort: [['timestamp', 1], ['createdAt', 1]], limit, offset });
  }

  async listByConversations(tenantId: string, conversationIds: readonly string[], page?: Page): Promise<HostMessage[]> {
    if (conversationIds.length > 1_000) throw new RangeError('at most 1,000 conversations at once');
    if (conversationIds.length === 0) return [];
    const { limit, offset } = pageOf(page);
    return this.docs.find({ tenantId, conversationId: { $in: conversationIds } }, { sort: [['timestamp', -1], ['createdAt', -1], ['id', -1]], limit, offset });
  }

  async applyStatus(tenantId: string, id: string, status: DeliveryStatus, at: Date, error?: { code: string; message: string }): Promise<{ message: HostMessage; changed: boolean } | undefined> {
    // compare-and-set on the status read: a concurrent receipt makes us read again and decide again
    return compareAndSet(`message ${id}: applying status ${status}`, async () => {
      const current = await this.get(tenantId, id);
      if (!current) return undefined;
      const next = advanceStatus(current.status, status);
      if (next === current.status) return { message: current, changed: false };
      const updated = await this.docs.updateOne(
        { id, tenantId, status: current.status },
        {
          $set: { status: next, updatedAt: new Date(this.now()), ...(next === 'failed' && error ? { error: { code: error.code, message: error.message } } : {}) },
          $push: { statusHistory: { status: next, at: notBefore(at, current.statusHistory) } },
        },
      );
      return updated ? { message: updated, changed: true } : RETRY;
    });
  }

  /**
   * @internal The updates that record a send's outcome on an outbound message as it was read, for a
   * write together with its outbox entry (`OutboxStore.completeSend` and `failSend`).
   * @param current - the message as read
   * @param status - `sent` (accepted) or `failed` (refused for good)
   * @param at - the status's time (clamped to the history's last)
   * @param fields - the platform's ids of the parts it accepted, or the failure
   * @returns `ids`: the platform's ids on the message as it is (when any are given; the unique index
   *   refuses an external id another message of the customer has); `status`: the status advanced from
   *   the one read — a compare-and-set, so a receipt applied meanwhile makes it match nothing — when
   *   it moves forward at all
   */
  outcomeUpdates(current: HostMessage, status: 'sent' | 'failed', at: Date, fields: SendOutcomeFields): { ids?: LinkedUpdate; status?: LinkedUpdate } {
    const { spec } = DocumentMessageStore;
    const updatedAt = new Date(this.now());
    const which = { id: current.id, tenantId: current.tenantId };
    const ids = { ...(fields.externalId !== undefined ? { externalId: fields.externalId } : {}), ...(fields.partIds !== undefined ? { partIds: fields.partIds } : {}) };
    const next = advanceStatus(current.status, status);
    return {
      ...(Object.keys(ids).length > 0 ? { ids: { collection: spec, filter: which, update: { $set: { ...ids, updatedAt } } } } : {}),
      ...(next !== current.status ? {
        status: {
          collection: spec,
          filter: { ...which, status: current.status },
          update: {
            $set: { status: next, updatedAt, ...(next === 'failed' && fields.error ? { error: { code: fields.error.code, message: fields.error.message } } : {}) },
            $push: { statusHistory: { status: next, at: notBefore(at, current.statusHistory) } },
          },
        },
      } : {}),
    };
  }

  /**
   * @internal Keeps the further parts of a message before the message names them (`partIds`): a part
   * left behind by a crash is ignored by reads; parts the message no longer names are deleted after.
   * @param current - the message as read
   * @param partIds - the further parts it is about to name
   * @returns deletes the parts it named before and no longer does (call once the message is written)
   */
  async keepParts(current: HostMessage, partIds: readonly string[]): Promise<() => Promise<void>> {
    await this.writeParts(current, partIds);
    const dropped = (current.partIds ?? []).filter((p) => !partIds.includes(p));
    return async () => {
      if (dropped.length > 0) await this.parts.deleteMany({ id: { $in: dropped.map((p) => DocumentMessageStore.partId(current.id, p)) } });
    };
  }

  async update(tenantId: string, id: string, patch: Partial<Pick<HostMessage, PatchableFields>>): Promise<HostMessage | undefined> {
    let dropParts: (() => Promise<void>) | undefined;
    if (patch.partIds !== undefined) {
      const before = await this.get(tenantId, id);
      if (!before) return undefined;
      // parts first: a crash now leaves parts the message does not name, which reads ignore
      dropParts = await this.keepParts(before, patch.partIds);
    }
    // the unique index refuses an external id another message of the customer has (UniqueViolationError, CONFLICT)
    const updated = await this.docs.updateOne({ id, tenantId }, { $set: { ...patch, updatedAt: new Date(this.now()) } });
    if (updated) await dropParts?.();
    return updated;
  }

  async updateMedia(tenantId: string, id: string, media: MediaStoreFields, options: { settled: boolean }): Promise<HostMessage | undefined> {
    const current = await this.get(tenantId, id);
    // only a message that carries media: another content is never given a media member
    if (!current || !isMediaContent(current.content)) return undefined;
    const set: Record<string, unknown> = { updatedAt: new Date(this.now()) };
    for (const [k, v] of Object.entries(media)) set[`content.media.${k}`] = v;
    return this.docs.updateOne({ id, tenantId }, { $set: set, ...(options.settled ? { $unset: ['mediaPending'] } : {}) });
  }

  async listMediaPending(tenantId: string, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    return this.docs.find({ tenantId, mediaPending: true }, { sort: [['createdAt', 1]], limit, offset });
  }

  async listByStatus(tenantId: string, status: DeliveryStatus, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    return this.docs.find({ tenantId, status }, { sort: [['createdAt', 1]], limit, offset });
  }

  async listBetween(tenantId: string, range: TimeRange, page?: Page): Promise<HostMessage[]> {
    const { limit, offset } = pageOf(page);
    return this.docs.find({ tenantId, ...timeRange('timestamp', range) }, { sort: [['timestamp', 1], ['createdAt', 1]], limit, offset });
  }

  async deleteByConversation(tenantId: string, conversationId: string): Promise<number> {
    const n = await this.docs.deleteMany({ tenantId, conversationId });
    await this.parts.deleteMany({ tenantId, conversationId });
    return n;
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    // outbound messages still waiting to be sent leave with the outbox, not by age
    const n = await this.docs.deleteMany({
      tenantId, timestamp: { $lt: before }, $or: [{ direction: 'inbound' }, { status: { $nin: ['accepted', 'queued'] } }],
    });
    await this.sweepParts(tenantId, before);
    return n;
  }

  /** Deletes the parts of a tenant's messages older than `before` whose message is gone. */
  private async sweepParts(tenantId: string, before: Date): Promise<void> {
    for await (const batch of scanByKey(this.parts, { tenantId, timestamp: { $lt: before } }, ['timestamp'])) {
      const alive = new Set((await this.docs.find({ id: { $in: [...new Set(batch.map((p) => p.messageId))] } })).map((m) => m.id));
      const orphans = batch.filter((p) => !alive.has(p.messageId)).map((p) => p.id);
      if (orphans.length > 0) await this.parts.deleteMany({ id: { $in: orphans } });
    }
  }

  private async writeParts(m: HostMessage, partIds: readonly string[]): Promise<void> {
    await this.parts.insertMany(partIds.map((externalId) => ({
      id: DocumentMessageStore.partId(m.id, externalId), tenantId: m.tenantId, channel: m.channel, accountId: m.accountId, userId: m.userId,
      externalId, messageId: m.id, conversationId: m.conversationId, timestamp: m.timestamp,
    })));
  }

  private static partId(messageId: string, externalId: string): string {
    return `${messageId} ${externalId}`;
  }
}

/** The content types that carry a file. */
const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function isMediaContent(content: HostMessage['content']): content is MediaContent {
  return MEDIA_TYPES.has(content.type);
}

/** An inbound message whose file the host has not fetched yet (a platform reference, no stored file). */
function hasMediaToFetch(m: HostMessage): boolean {
  if (m.direction !== 'inbound' || !isMediaContent(m.content)) return false;
  const media = m.content.media;
  return media.storedId === undefined && (media.id !== undefined || media.url !== undefined);
}

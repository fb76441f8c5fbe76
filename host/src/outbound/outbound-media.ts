/**
 * Outbound media: a message whose content names a stored file (`media.storedId`, from
 * `POST /v1/media` or a generated document) is sent the way its platform takes files.
 *
 * - **At the API** ({@link OutboundMedia.resolveContent}, before the policy engine): the file's
 *   record is read for the message's tenant, and its real size, the type found in its bytes, its
 *   name and hash are put in the content, so the engine judges the real file (`mediaMaxBytes`,
 *   `mediaTypes`); an unknown id is 404, a quarantined file is refused. The connector's render is
 *   then checked on the message as it will leave ({@link OutboundMedia.forRender}).
 * - **At the send** ({@link OutboundMedia.send}, per attempt, inside the dispatcher): a connector
 *   that uploads bytes (`media.upload: 'bytes'`: WhatsApp, Telegram, Apple) sends by the platform's
 *   reference kept from an earlier upload of the same bytes, else gets the file's bytes
 *   (`OutboundMessage.file`, a Blob from the media store, released after the send) and the reference
 *   it answers is kept. A connector whose platform fetches files (`'url'`: Messenger, Viber), or
 *   that declares no media support, gets a signed URL of the host (`publicUrl`) whose last path
 *   segment is the file name with its extension; Messenger's `attachment_id` is kept and reused the
 *   same way. A reference the platform no longer honours (a permanent refusal of the send by
 *   reference, before any part was accepted) is forgotten and the bytes (or URL) are sent once more.
 * @module
 */
import { fileTypeFromBuffer } from 'file-type';
import {
  connectorErrorKind, isMediaContent, isSwitchboardError, PermanentError, silentLogger, SwitchboardError,
  type Clock, type ConnectorBinding, type ConnectorError, type Content, type Logger, type MediaContent, type MediaKind, type MediaRef,
  type OutboundFile, type OutboundMessage, type SendContext, type SendResult, type TemplateParameter, type UploadedMedia,
} from '@switchboard/core';
import { NotFoundError, ValidationError } from '../errors.js';
import { MAX_SIGNED_URL_TTL_MS } from '../media/media-urls.js';
import type { MediaRecord, MediaStore, MediaUrls } from '../media/media-store.js';
import type { UploadedMediaKey, UploadedMediaStore } from './uploaded-media-store.js';

/** Default life of a signed URL handed to a platform: the longest a signed URL may live (7 days). */
export const DEFAULT_PLATFORM_URL_TTL_MS = MAX_SIGNED_URL_TTL_MS;
/** Default margin before a kept reference's expiry within which it is no longer used: 1 hour. */
export const DEFAULT_REUSE_MARGIN_MS = 60 * 60 * 1000;

/** Options of {@link OutboundMedia}. */
export interface OutboundMediaOptions {
  /**
   * How long a signed URL given to a platform works, in ms of the host clock (default
   * {@link DEFAULT_PLATFORM_URL_TTL_MS}): long enough for the platform's fetch, which may come after
   * its answer (Viber fetches when it delivers).
   */
  urlTtlMs?: number;
  /** A kept reference expiring within this many ms is not used (default {@link DEFAULT_REUSE_MARGIN_MS}). */
  reuseMarginMs?: number;
}

/** What {@link OutboundMedia} needs. */
export interface OutboundMediaDeps {
  /** The host's media store (records, bytes as Blobs). */
  store: Pick<MediaStore, 'get' | 'openBlob' | 'read' | 'link'>;
  /** The host's media URLs (signed URLs for platforms that fetch). */
  urls: Pick<MediaUrls, 'signedUrl'>;
  /** The platform references kept from earlier uploads. */
  uploads: UploadedMediaStore;
  /** The host clock (expiry of references and URLs). */
  clock: Clock;
  logger?: Logger;
}

/** A content with its stored files resolved, and the record of the message's own file. */
export interface ResolvedContent {
  /** The content as the policy engine judges it and the host stores it. */
  content: Content;
  /** The record of a media content's stored file (not of template header files). */
  record?: MediaRecord;
}

/** Media kinds whose file must be of that family (a document may be any file; a sticker is platform-specific). */
const FAMILY: Partial<Record<MediaKind, string>> = { image: 'image', video: 'video', audio: 'audio' };

/**
 * Sends messages that name stored files the way each platform takes them (see the module's
 * description). One per host; shared by the outbound service and the dispatcher.
 */
export class OutboundMedia {
  private readonly logger: Logger;
  private readonly urlTtlMs: number;
  private readonly marginMs: number;

  /**
   * @param deps - media store, URLs, reference store, clock, logger
   * @param options - URL life, reuse margin
   */
  constructor(private readonly deps: OutboundMediaDeps, options: OutboundMediaOptions = {}) {
    this.logger = deps.logger ?? silentLogger;
    this.urlTtlMs = Math.min(Math.max(1, options.urlTtlMs ?? DEFAULT_PLATFORM_URL_TTL_MS), MAX_SIGNED_URL_TTL_MS);
    this.marginMs = Math.max(0, options.reuseMarginMs ?? DEFAULT_REUSE_MARGIN_MS);
  }

  /**
   * Resolves the stored files a content names (a media content's `media.storedId`, a template
   * parameter's): each is looked up for the tenant, and its size, the type its bytes show, its name
   * (unless the content gives one) and its hash fill the content; platform ids and URLs given beside
   * the stored id are dropped (the stored file is what is sent).
   * @param tenantId - the sending tenant
   * @param content - the content as requested
   * @returns the content to judge and keep, and the media content's record
   * @throws NotFoundError when the tenant has no such file; CONTENT_UNSUPPORTED (422) for a quarantined
   *   file; ValidationError when an image, video or audio names a file of another family
   */
  async resolveContent(tenantId: string, content: Content): Promise<ResolvedContent> {
    if (isMediaContent(content)) {
      if (content.media.storedId === undefined) return { content };
      const record = await this.record(tenantId, content.media.storedId, 'content.media.storedId');
      const family = FAMILY[content.type];
      if (family && !record.contentType.startsWith(`${family}/`)) {
        throw new ValidationError('content.media.storedId', `the stored file ${record.id} is ${record.contentType}, which cannot be sent as ${content.type === 'image' ? 'an' : 'a'} ${content.type} (send it as a document)`);
      }
      return { content: { ...content, media: fromRecord(content.media, record) }, record };
    }
    if (content.type === 'template' && content.parameters?.some((p) => p.media?.storedId !== undefined)) {
      const parameters: TemplateParameter[] = [];
      for (const [i, p] of content.parameters.entries()) {
        if (p.media?.storedId === undefined) { parameters.push(p); continue; }
        const record = await this.record(tenantId, p.media.storedId, `content.parameters[${i}].media.storedId`);
        parameters.push({ ...p, media: { ...fromRecord(p.media, record), kind: p.media.kind } });
      }
      return { content: { ...content, parameters } };
    }
    return { content };
  }

  /**
   * The message as the connector's pure `render` should check it at the API: what it will be at the
   * send, without moving any bytes. A connector that uploads bytes is given the file's description
   * (`render` never reads the body, so an empty Blob stands for it); the others a signed URL.
   * @param tenantId - the sending tenant
   * @param binding - the connector account
   * @param message - the message with its content resolved
   * @returns the message to render
   * @throws CONTENT_UNSUPPORTED (422) when the platform must fetch the file and the host has no `publicUrl`
   */
  async forRender(tenantId: string, binding: ConnectorBinding, message: OutboundMessage): Promise<OutboundMessage> {
    const content = message.content;
    if (isMediaContent(content) && content.media.storedId !== undefined) {
      if (binding.plugin.media?.upload === 'bytes') {
        const m = content.media;
        const file: OutboundFile = {
          kind: content.type, body: new Blob([]), size: m.size ?? 0, contentType: m.mimeType ?? 'application/octet-stream', sha256: m.sha256 ?? '',
          ...(m.filename !== undefined ? { filename: m.filename } : {}),
        };
        return { ...message, file };
      }
      return { ...message, content: await this.withUrl(tenantId, binding, content, 'api') };
    }
    return { ...message, content: await this.templateWithUrls(tenantId, binding, content, 'api') };
  }

  /**
   * Sends one attempt of a message through its connector, moving its stored file the platform's way
   * (see the module's description). Messages without a stored file go to `connector.send` unchanged.
   * @param tenantId - the message's tenant
   * @param binding - the connector account
   * @param message - the message as queued (its content names the stored file)
   * @param context - the attempt's accepted parts and progress callback (passed on untouched)
   * @returns the connector's result
   * @throws what the connector throws; a PermanentError when the stored file is gone or the host has no `publicUrl`
   */
  async send(tenantId: string, binding: ConnectorBinding, message: OutboundMessage, context: SendContext = {}): Promise<SendResult> {
    const content = message.content;
    if (!isMediaContent(content) || content.media.storedId === undefined) {
      const templated = await this.templateWithUrls(tenantId, binding, content, 'send');
      return binding.connector.send(templated === content ? message : { ...message, content: templated }, context);
    }
    const mode = binding.plugin.media?.upload;
    const key: UploadedMediaKey = {
      tenantId, channel: binding.channel, account: binding.account, kind: content.type,
      sha256: content.media.sha256 ?? (await this.record(tenantId, content.media.storedId, 'media.storedId', true)).sha256,
    };
    if (mode === 'bytes' || mode === 'url') {
      const cached = await this.deps.uploads.find(key, this.deps.clock.now(), this.marginMs);
      if (cached) {
        const sent = await this.sendByReference(binding, message, content, cached.ref, key, context);
        if (sent) return sent;
      }
    }
    if (mode === 'bytes') return this.sendBytes(tenantId, binding, message, content, key, context);
    // a file deleted since the message was accepted fails it here, not as a platform's failed fetch
    await this.record(tenantId, content.media.storedId, 'media.storedId', true);
    const result = await binding.connector.send({ ...message, content: await this.withUrl(tenantId, binding, content, 'send') }, context);
    if (mode === 'url' && result.media) await this.keep(key, result.media);
    return result;
  }

  /**
   * Records which message sent a stored file, the first time one does (erasure and export select files by it).
   * @param tenantId - the tenant
   * @param record - the file's record as resolved
   * @param links - the message, its conversation and contact
   */
  async linkFirstSend(tenantId: string, record: MediaRecord, links: { messageId: string; conversationId: string; contactId: string }): Promise<void> {
    if (record.messageId !== undefined) return;
    try {
      await this.deps.store.link(tenantId, record.id, links);
    } catch (error) {
      // the message is queued already: a missing link only leaves the file out of the contact's export
      this.logger.warn({ err: (error as Error).message, storedId: record.id, messageId: links.messageId }, 'could not link a stored file to the message sending it');
    }
  }

  /**
   * One try by a kept reference. A permanent refusal before any part was accepted means the platform
   * no longer honours it: the reference is forgotten and undefined returned, for the caller to send
   * the file again. Anything else is thrown as is.
   */
  private async sendByReference(binding: ConnectorBinding, message: OutboundMessage, content: MediaContent, ref: MediaRef, key: UploadedMediaKey, context: SendContext): Promise<SendResult | undefined> {
    const resumed = (context.acceptedParts?.length ?? 0) > 0;
    let accepted = false;
    const watched: SendContext = {
      ...context,
      onPartAccepted: async (part) => { accepted = true; await context.onPartAccepted?.(part); },
    };
    try {
      const result = await binding.connector.send({ ...message, content: byReference(content, ref) }, watched);
      if (result.media) await this.keep(key, result.media);
      return result;
    } catch (thrown) {
      if (resumed || accepted || connectorErrorKind(classify(binding, thrown)) !== 'permanent') throw thrown;
      await this.deps.uploads.forget(key, ref);
      this.logger.warn({ channel: key.channel, account: key.account, messageId: message.id, reason: (thrown as Error).message }, 'send by a kept media reference refused: the reference is forgotten and the file sent again');
      return undefined;
    }
  }

  /** Hands the connector the file's bytes (a Blob from the media store, released after the send) and keeps what it uploaded. */
  private async sendBytes(tenantId: string, binding: ConnectorBinding, message: OutboundMessage, content: MediaContent, key: UploadedMediaKey, context: SendContext): Promise<SendResult> {
    const storedId = content.media.storedId!;
    const opened = await this.deps.store.openBlob(tenantId, storedId);
    if (!opened) throw new PermanentError(`the stored file ${storedId} is no longer available (deleted, or quarantined since the message was accepted)`, { details: { storedId } });
    try {
      const r = opened.record;
      const filename = content.media.filename ?? r.filename;
      const file: OutboundFile = { kind: content.type, body: opened.blob, size: r.size, contentType: r.contentType, sha256: r.sha256, ...(filename !== undefined ? { filename } : {}) };
      let result: SendResult;
      try {
        result = await binding.connector.send({ ...message, file }, context);
      } catch (thrown) {
        // the upload went through and a later step failed: the retry sends by the reference
        const uploaded = uploadedOf(thrown);
        if (uploaded) await this.keep(key, uploaded);
        throw thrown;
      }
      if (result.media) await this.keep(key, result.media);
      return result;
    } finally {
      await opened.release().catch((error: unknown) => this.logger.warn({ err: (error as Error).message, storedId }, 'could not release a media file after its send'));
    }
  }

  private async keep(key: UploadedMediaKey, uploaded: UploadedMedia): Promise<void> {
    try {
      await this.deps.uploads.remember(key, uploaded, this.deps.clock.now());
    } catch (error) {
      // the message is sent: failing to keep the reference only costs an upload next time
      this.logger.warn({ err: (error as Error).message, channel: key.channel, account: key.account }, 'could not keep the platform reference of an uploaded file');
    }
  }

  /** The media content with a signed URL of its stored file, for a platform that fetches it. */
  private async withUrl(tenantId: string, binding: ConnectorBinding, content: MediaContent, at: 'api' | 'send'): Promise<MediaContent> {
    const media = content.media;
    const url = await this.platformUrl(tenantId, binding, media.storedId!, await this.urlName(tenantId, media, content.type), at);
    const { id: _id, encryption: _encryption, ...rest } = media;
    return { ...content, media: { ...rest, url } };
  }

  /** A template whose parameters name stored files, with signed URLs of them (every platform takes header media by link). */
  private async templateWithUrls(tenantId: string, binding: ConnectorBinding, content: Content, at: 'api' | 'send'): Promise<Content> {
    if (content.type !== 'template' || !content.parameters?.some((p) => p.media?.storedId !== undefined)) return content;
    const parameters: TemplateParameter[] = [];
    for (const p of content.parameters) {
      if (p.media?.storedId === undefined) { parameters.push(p); continue; }
      const { id: _id, encryption: _encryption, ...rest } = p.media;
      const url = await this.platformUrl(tenantId, binding, p.media.storedId, await this.urlName(tenantId, p.media, p.media.kind), at);
      parameters.push({ ...p, media: { ...rest, url } });
    }
    return { ...content, parameters };
  }

  private async platformUrl(tenantId: string, binding: ConnectorBinding, storedId: string, filename: string, at: 'api' | 'send'): Promise<string> {
    const url = await this.deps.urls.signedUrl(tenantId, storedId, { ttlMs: this.urlTtlMs, filename });
    if (/^https?:\/\//i.test(url)) return url;
    const message = `${binding.plugin.displayName} fetches files by URL, and this host has no publicUrl to give it one: set publicUrl in the config`;
    if (at === 'send') throw new PermanentError(message, { details: { refusal: 'NO_PUBLIC_URL', storedId } });
    throw new SwitchboardError('CONTENT_UNSUPPORTED', message, false, { details: { refusal: 'NO_PUBLIC_URL', channel: binding.channel, storedId } });
  }

  /**
   * The last path segment of a platform URL: the file's name when it has an extension (Viber reads a
   * picture's type and a file's name from it), else its name (or kind) with the extension of the type
   * its bytes show.
   */
  private async urlName(tenantId: string, media: MediaRef, kind: MediaKind): Promise<string> {
    const given = (media.filename ?? '').split(/[\\/]/).pop()!.trim();
    if (/\.[A-Za-z0-9]{1,10}$/.test(given)) return given;
    const extension = await this.extensionOf(tenantId, media);
    const base = given !== '' ? given : kind;
    return extension ? `${base}.${extension}` : base;
  }

  /** The extension of a stored file's format, read from its first bytes (`file-type`, as the store sniffed it); text has no signature. */
  private async extensionOf(tenantId: string, media: MediaRef): Promise<string | undefined> {
    const essence = (media.mimeType ?? '').split(';')[0]!.trim().toLowerCase();
    if (essence === 'text/plain') return 'txt';
    if (essence === 'text/csv') return 'csv';
    if (media.size === 0) return undefined;
    const head = await this.deps.store.read(tenantId, media.storedId!, { start: 0, end: Math.min(media.size ?? 4100, 4100) - 1 }).catch(() => undefined);
    if (!head) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of head.body) chunks.push(Buffer.from(chunk as Uint8Array));
    return (await fileTypeFromBuffer(Buffer.concat(chunks)))?.ext;
  }

  private async record(tenantId: string, storedId: string, field: string, atSend = false): Promise<MediaRecord> {
    const record = await this.deps.store.get(tenantId, storedId);
    if (!record) {
      if (atSend) throw new PermanentError(`the stored file ${storedId} is no longer available`, { details: { storedId } });
      throw new NotFoundError('media', storedId);
    }
    if (record.quarantine) {
      const message = `the stored file ${storedId} was rejected by the virus scanner (${record.quarantine.reason}) and is never sent`;
      if (atSend) throw new PermanentError(message, { details: { refusal: 'MEDIA_QUARANTINED', storedId } });
      throw new SwitchboardError('CONTENT_UNSUPPORTED', message, false, { details: { refusal: 'MEDIA_QUARANTINED', field, storedId, reason: record.quarantine.reason } });
    }
    return record;
  }
}

/** A media reference filled from its stored file: real size, sniffed type, hash; the given name wins. */
function fromRecord(media: MediaRef, record: MediaRecord): MediaRef {
  const { id: _id, url: _url, encryption: _encryption, storeState: _state, storeNote: _note, ...rest } = media;
  const filename = media.filename ?? record.filename;
  return { ...rest, storedId: record.id, size: record.size, mimeType: record.contentType, sha256: record.sha256, ...(filename !== undefined ? { filename } : {}) };
}

/** The media content sent by a platform reference instead of its bytes or URL. */
function byReference(content: MediaContent, ref: MediaRef): MediaContent {
  const { id: _id, url: _url, encryption: _encryption, ...rest } = content.media;
  const media: MediaRef = {
    ...rest,
    ...(ref.id !== undefined ? { id: ref.id } : {}),
    ...(ref.url !== undefined ? { url: ref.url } : {}),
    ...(ref.encryption !== undefined ? { encryption: ref.encryption } : {}),
    ...(ref.size !== undefined ? { size: ref.size } : {}),
    // the type the platform holds the file as (Telegram resends a voice note only as one)
    ...(ref.mimeType !== undefined ? { mimeType: ref.mimeType } : {}),
  };
  if (media.filename === undefined && ref.filename !== undefined) media.filename = ref.filename;
  return { ...content, media };
}

function classify(binding: ConnectorBinding, thrown: unknown): ConnectorError {
  if (isSwitchboardError(thrown) && ['RATE_LIMITED', 'RECIPIENT_BLOCKED', 'WINDOW_CLOSED', 'PERMANENT_FAILURE', 'RETRYABLE_FAILURE'].includes(thrown.code)) return thrown as ConnectorError;
  return binding.connector.classify(thrown);
}

/** The reference a failed send's error carries of a file it did upload (`details.uploadedMedia`). */
function uploadedOf(thrown: unknown): UploadedMedia | undefined {
  const candidate = (thrown as { details?: { uploadedMedia?: unknown } } | undefined)?.details?.uploadedMedia as Partial<UploadedMedia> | undefined;
  if (!candidate || typeof candidate !== 'object' || !candidate.ref || typeof candidate.ref !== 'object') return undefined;
  const expiresAt = candidate.expiresAt instanceof Date ? candidate.expiresAt : typeof candidate.expiresAt === 'string' ? new Date(candidate.expiresAt) : undefined;
  return { ref: candidate.ref, ...(expiresAt && !Number.isNaN(expiresAt.getTime()) ? { expiresAt } : {}) };
}

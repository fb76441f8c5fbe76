/**
 * The "relay" test channel with media, for the conformance suite's media checks: customers send
 * files (`{ file: { id, type, caption } }` in a message), the connector downloads them from
 * `GET /files/:id`, and sends files either as bytes (`POST /upload` multipart, then by id) or by
 * URL (the platform fetches it). A variant encrypts its uploads (XOR with a key, as a stand-in for
 * Apple's AES), so no request carries the file's bytes in the clear.
 */
import {
  CONTENT_TYPES, MalformedPayloadError, PermanentError, ProviderHttpError, executeProviderRequest, hmacSha256Hex, isMediaContent,
  isObject, optArray, parseJsonObject, readFormBody, reqString, sampleMedia, toDate,
  type CapabilityTable, type ChannelPolicy, type ConnectorPlugin, type DownloadedMedia, type FakeInboundEvent, type FakeResponse, type InboundEvent,
  type MediaDownloadOptions, type MediaKind, type MediaRef, type OutboundMessage, type ProviderRequest, type RecordedRequest, type SendResult, type SignedWebhook,
} from '@switchboard/core';
import { FakeRelayServer, RelayConnector, relayPlugin, policy as relayPolicy, type RelayConfig } from './relay-plugin.js';

/** How a relay media plugin moves outbound files. */
export type RelayUploadMode = 'bytes' | 'encrypted-bytes' | 'url';

const XOR_KEY = 0x5a;
const xor = (bytes: Uint8Array): Buffer => Buffer.from(bytes.map((b) => b ^ XOR_KEY));

const kindOf = (mimeType: string): MediaKind => {
  const [top] = mimeType.split('/');
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
};

/** Media kinds render natively; the rest as the plain relay. */
export const mediaCapabilities = Object.fromEntries(CONTENT_TYPES.map((t) => [
  t, t === 'text' || t === 'image' || t === 'video' || t === 'audio' || t === 'document' ? 'native' : t === 'interactive' || t === 'template' ? 'degraded' : 'unsupported',
])) as CapabilityTable;

/** The relay's policy with media limits: 1 MB images (PNG and JPEG), 5 MB documents. */
export const mediaPolicy: ChannelPolicy = {
  ...relayPolicy,
  mediaMaxBytes: { image: 1024 * 1024, document: 5 * 1024 * 1024, video: 5 * 1024 * 1024, audio: 5 * 1024 * 1024 },
  mediaTypes: { image: ['image/png', 'image/jpeg'] },
};

/** The relay connector with media: downloads customer files, uploads or links outbound ones. */
export class RelayMediaConnector extends RelayConnector {
  constructor(config: RelayConfig, deps: ConstructorParameters<typeof RelayConnector>[1], private readonly mode: RelayUploadMode) { super(config, deps); }

  override parse(req: RawWebhookLike): InboundEvent[] {
    const root = parseJsonObject(req.body);
    return optArray(root, 'messages').map((m): InboundEvent => {
      if (!isObject(m)) throw new MalformedPayloadError('messages[] must be objects');
      if (typeof m.ts !== 'number') throw new MalformedPayloadError('ts must be a number');
      const head = { kind: 'message' as const, channel: 'relay', accountId: this.accountId, userId: reqString(m, 'from'), externalId: reqString(m, 'id'), timestamp: toDate(m.ts, 'ms') };
      if (!isObject(m.file)) return { ...head, content: { type: 'text', text: reqString(m, 'text') } };
      const mimeType = reqString(m.file, 'type');
      const caption = typeof m.file.caption === 'string' ? m.file.caption : undefined;
      return { ...head, content: { type: kindOf(mimeType), media: { id: reqString(m.file, 'id'), mimeType, ...(caption !== undefined ? { caption } : {}) } } };
    });
  }

  override render(msg: OutboundMessage): ProviderRequest {
    const c = msg.content;
    if (!isMediaContent(c) || c.type === 'sticker') return super.render(msg);
    // pure: a file still to upload is rendered as sent by the id the upload will give
    const file = c.media.id !== undefined ? { id: c.media.id } : c.media.url !== undefined ? { url: c.media.url } : { id: '<upload>' };
    return {
      method: 'POST', url: `${this.config.apiBaseUrl}/send`, headers: { authorization: `Bearer ${this.config.secret}` },
      body: { to: msg.to.userId, file, ...(c.media.caption !== undefined ? { caption: c.media.caption } : {}) }, rendering: { form: 'native', parts: 1 },
    };
  }

  override async send(msg: OutboundMessage): Promise<SendResult> {
    try {
      let uploaded: MediaRef | undefined;
      let toSend = msg;
      if (msg.file && isMediaContent(msg.content) && msg.content.media.id === undefined && this.mode !== 'url') {
        uploaded = { id: await this.upload(msg.file.body, msg.file.contentType), mimeType: msg.file.contentType };
        toSend = { ...msg, content: { ...msg.content, media: { ...msg.content.media, id: uploaded.id! } } };
      }
      const res = await executeProviderRequest(this.render(toSend), this.deps.fetch ? { fetch: this.deps.fetch } : {});
      return { externalId: String((res.body as { id: string }).id), acceptedAt: new Date(), ...(uploaded ? { media: { ref: uploaded } } : {}) };
    } catch (e) { throw this.classify(e); }
  }

  private async upload(body: Blob, contentType: string): Promise<string> {
    const bytes = new Uint8Array(await body.arrayBuffer());
    const form = new FormData();
    form.append('file', new Blob([this.mode === 'encrypted-bytes' ? xor(bytes) : bytes], { type: contentType }), 'upload');
    const res = await (this.deps.fetch ?? fetch)(`${this.config.apiBaseUrl}/upload`, {
      method: 'POST', body: form,
      headers: { authorization: `Bearer ${this.config.secret}`, ...(this.mode === 'encrypted-bytes' ? { 'x-relay-cipher': 'xor' } : {}) },
    });
    const answer = await res.json() as { id?: string };
    if (!res.ok || !answer.id) throw new ProviderHttpError(res.status, answer, {});
    return answer.id;
  }

  async downloadMedia(media: MediaRef, options: MediaDownloadOptions): Promise<DownloadedMedia> {
    if (!media.id) throw new PermanentError('a relay file is downloaded by its id');
    const res = await (this.deps.fetch ?? fetch)(`${this.config.apiBaseUrl}/files/${encodeURIComponent(media.id)}`, {
      headers: { authorization: `Bearer ${this.config.secret}` }, ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!res.ok || !res.body) throw this.classify(new ProviderHttpError(res.status, await res.text(), {}));
    const size = Number(res.headers.get('content-length') ?? NaN);
    if (size > options.maxBytes) {
      await res.body.cancel();
      throw new PermanentError(`the file has ${size} bytes, over the limit of ${options.maxBytes}`);
    }
    const body = res.body;
    return {
      body: (async function* limited() {
        let seen = 0;
        for await (const chunk of body) {
          seen += chunk.byteLength;
          if (seen > options.maxBytes) throw new PermanentError(`the file passed the limit of ${options.maxBytes} bytes`);
          yield chunk;
        }
      })(),
      ...(Number.isFinite(size) ? { declaredSize: size } : {}),
      ...(res.headers.get('content-type') ? { declaredType: res.headers.get('content-type')! } : {}),
    };
  }
}

type RawWebhookLike = Parameters<RelayConnector['parse']>[0];

/** The relay platform with media: keeps customers' files and uploads, serves them, fetches URLs. */
export class FakeRelayMediaServer extends FakeRelayServer {
  override readonly simulatedKinds = ['text', 'media'] as const;
  private readonly files = new Map<string, Buffer>();
  private readonly fetched = new Map<string, Buffer>();
  private seq = 0;

  private keep(bytes: Buffer): string {
    const id = `f-${++this.seq}`;
    this.files.set(id, bytes);
    return id;
  }

  simulate(event: FakeInboundEvent): SignedWebhook {
    if (event.kind === 'text') return this.userMessage(event);
    if (event.kind !== 'media') throw new Error(`relay cannot simulate ${event.kind}`);
    const sample = sampleMedia(event.mediaType);
    const id = this.keep(event.file?.body ?? sample.body);
    const file = { id, type: event.file?.mimeType ?? sample.mimeType, ...(event.caption !== undefined ? { caption: event.caption } : {}) };
    const body = Buffer.from(JSON.stringify({ messages: [{ id: `m-${this.seq}`, from: event.userId, ts: this.platformNow(), file }] }));
    return { method: 'POST', headers: { 'content-type': 'application/json', 'x-relay-signature': hmacSha256Hex('relay-secret', body) }, body };
  }

  storedMedia(ref: MediaRef): Buffer | undefined {
    return (ref.id !== undefined ? this.files.get(ref.id) : undefined) ?? (ref.url !== undefined ? this.fetched.get(ref.url) : undefined);
  }

  protected override async handle(req: RecordedRequest): Promise<FakeResponse> {
    if (req.headers.authorization !== 'Bearer relay-secret') return { status: 401, body: { error: 'unauthorized' } };
    if (req.method === 'POST' && req.path === '/upload') {
      const part = (await readFormBody(req)).find(([name]) => name === 'file')?.[1];
      if (part === undefined || typeof part === 'string') return { status: 400, body: { error: 'file part required' } };
      return { status: 200, body: { id: this.keep(req.headers['x-relay-cipher'] === 'xor' ? xor(part.bytes) : part.bytes) } };
    }
    const download = /^\/files\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && download) {
      const bytes = this.files.get(decodeURIComponent(download[1]!));
      return bytes ? { status: 200, body: bytes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } } : { status: 404, body: { error: 'no such file' } };
    }
    if (req.method === 'POST' && req.path === '/send') {
      const body = req.body as { file?: { id?: string; url?: string } };
      if (body.file?.id !== undefined && !this.files.has(body.file.id)) return { status: 400, body: { error: `unknown file ${body.file.id}` } };
      if (body.file?.url !== undefined) {
        const res = await fetch(body.file.url);
        if (!res.ok) return { status: 400, body: { error: `could not fetch ${body.file.url}: ${res.status}` } };
        this.fetched.set(body.file.url, Buffer.from(await res.arrayBuffer()));
      }
      return { status: 200, body: { id: `out-${this.requests.length}` } };
    }
    return super.handle(req);
  }
}

/**
 * A relay plugin with media: downloads declared, uploads as bytes (optionally encrypted) or by URL.
 * @param mode - how it sends outbound files
 * @returns the plugin
 */
export function relayMediaPlugin(mode: RelayUploadMode): ConnectorPlugin<RelayConfig> {
  return {
    ...relayPlugin, displayName: `Relay with media (${mode})`, policy: mediaPolicy, capabilities: mediaCapabilities,
    media: { download: true, upload: mode === 'url' ? 'url' : 'bytes' },
    create: (config, deps = {}) => new RelayMediaConnector(config, deps, mode),
    fake: (options) => new FakeRelayMediaServer(options),
  };
}

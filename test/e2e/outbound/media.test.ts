/**
 * Outbound media through a real host, for every first-party channel against its fake platform
 * (each loaded by package name): a file uploaded with `POST /v1/media` and sent with
 * `{ type: 'image' | 'document', media: { storedId } }` through `POST /v1/messages` reaches the
 * platform in its own format — WhatsApp's multipart media upload then the message by id, Telegram's
 * multipart sendPhoto / sendDocument, Apple's preUpload, encrypted MMCS upload and attachment
 * message, Messenger's and Viber's send with the host's signed URL, which the fake fetched — and
 * the platform holds exactly the uploaded bytes (`fake.storedMedia`, hash-compared). The next send
 * of the same bytes uploads nothing (by media id, file_id, attachment_id, Apple reference; Viber,
 * which keeps no reference, fetches the URL again). A file the channel cannot carry is refused by
 * the policy with a reason naming the rule, and nothing is queued or sent.
 *
 * Time: the host and the fakes share a wall clock; waits are for conditions (a safety net bound),
 * never for a duration.
 */
import { createHash, createDecipheriv } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMedia, silentLogger, type ConnectorPlugin, type Conversation, type FakePlatform, type MediaRef, type RecordedRequest } from '@switchboard/core';
import { API_SCOPES, configFromObject, createHost, type Host } from '@switchboard/host';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'outbound-media-e2e-key-0123456789abcdef';
const TENANT = 'shop';
const sha = (b: Uint8Array | ArrayBuffer): string => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');
const png = sampleMedia('image');
const pdf = sampleMedia('file');
/** A 1×1 GIF: a picture most channels do not take. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Channel = 'whatsapp' | 'messenger' | 'telegram' | 'viber' | 'apple';

/** What one send did at the platform: its requests (and Apple's MMCS ones) since the mark. */
interface Seen { requests: RecordedRequest[]; mmcs: RecordedRequest[] }
/** What a case is given to check a send. */
interface Sent {
  seen: Seen;
  user: string;
  /** The file the host sent: its stored id, bytes, name and type. */
  file: { storedId: string; bytes: Buffer; filename: string; contentType: string };
  /** The platform reference the host kept for the bytes (none for Viber). */
  kept?: MediaRef;
  url: string;
}

interface Case {
  channel: Channel;
  /** Customers: one per send, so no recipient pacing slows the test. */
  users: [string, string, string];
  /** A tenant policy for the channel (Apple takes any type up to 100 MB: the business tightens it). */
  policy?: Json;
  /** Checks the exact requests of a first send of an image; returns the platform's reference to the file. */
  image(s: Sent): Promise<MediaRef>;
  /** Checks that a second send of the same bytes uploaded nothing, and went by `ref`. */
  again(s: Sent, ref: MediaRef): Promise<void>;
  /** Checks the exact requests of a document (a PDF) and returns the reference to the file. */
  document(s: Sent): Promise<MediaRef>;
  /**
   * Where the platform lets the business delete an upload: deletes it (as another tool of the
   * business would), so the host's kept reference names a file the platform no longer holds.
   */
  forget?: { user: string; remove(fake: FakePlatform, ref: MediaRef): Promise<void> };
  /** A file the channel (or the business) refuses, and the rule the refusal names. */
  refused: { content: 'image' | 'video' | 'audio' | 'document'; bytes: Buffer; filename: string; code: string; rule: string; source: 'channel' | 'business' };
}

/** The parts of a recorded multipart body, as a platform reads them. */
async function formOf(r: RecordedRequest): Promise<FormData> {
  expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  return new Response(new Uint8Array(r.rawBody), { headers: { 'content-type': r.headers['content-type']! } }).formData();
}
async function fileOf(form: FormData, field: string): Promise<{ name: string; type: string; bytes: Buffer }> {
  const part = form.get(field) as File;
  expect(part).toBeInstanceOf(Blob);
  return { name: part.name, type: part.type, bytes: Buffer.from(await part.arrayBuffer()) };
}
/** The host's signed URL of a stored file, ending in its name. */
const signed = (base: string, storedId: string, name: string): RegExp => new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/media/${storedId}/${encodeURIComponent(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?tenant=${TENANT}&exp=\\d+&sig=[A-Za-z0-9_-]{43}$`);

const PNID = '106540352242922';
const CASES: Case[] = [
  {
    channel: 'whatsapp', users: ['4915112340001', '4915112340002', '4915112340003'],
    async image({ seen, user, file, kept }) {
      // the upload (multipart: messaging_product, type, file), then the message by the id Graph answered
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', `/v23.0/${PNID}/media`], ['POST', `/v23.0/${PNID}/messages`]]);
      const [upload, message] = seen.requests;
      const form = await formOf(upload!);
      expect([...form.keys()]).toEqual(['messaging_product', 'type', 'file']);
      expect([form.get('messaging_product'), form.get('type')]).toEqual(['whatsapp', 'image/png']);
      expect(await fileOf(form, 'file')).toEqual({ name: file.filename, type: 'image/png', bytes: file.bytes });
      expect(message!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: user, type: 'image', image: { id: kept!.id, caption: 'Your car' } });
      return { id: kept!.id! };
    },
    async again({ seen, user }, ref) {
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', `/v23.0/${PNID}/messages`]]);
      expect(seen.requests[0]!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: user, type: 'image', image: { id: ref.id } });
    },
    async document({ seen, user, file, kept }) {
      expect(seen.requests.map((r) => r.path)).toEqual([`/v23.0/${PNID}/media`, `/v23.0/${PNID}/messages`]);
      const form = await formOf(seen.requests[0]!);
      expect(form.get('type')).toBe('application/pdf');
      expect(await fileOf(form, 'file')).toEqual({ name: 'boarding-pass.pdf', type: 'application/pdf', bytes: file.bytes });
      expect(seen.requests[1]!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: user, type: 'document', document: { id: kept!.id, filename: 'boarding-pass.pdf' } });
      return { id: kept!.id! };
    },
    forget: {
      user: '4915112340004',
      async remove(fake, ref) {
        const { accessToken } = fake.connectorConfig() as { accessToken: string };
        const res = await fetch(`${fake.url}/v23.0/${ref.id}?phone_number_id=${PNID}`, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` } });
        expect(await res.json()).toEqual({ success: true });
      },
    },
    // WhatsApp takes JPEG and PNG pictures only
    refused: { content: 'image', bytes: GIF, filename: 'dot.gif', code: 'MEDIA_TYPE_UNSUPPORTED', rule: 'mediaTypes', source: 'channel' },
  },
  {
    channel: 'messenger', users: ['6800000000000101', '6800000000000102', '6800000000000103'],
    async image({ seen, user, file, url, kept }) {
      // the host's signed URL, with is_reusable: Meta fetches it and answers an attachment_id; the caption follows as text
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', expect.stringMatching(/^\/v23\.0\/\d+\/messages$/)], ['POST', expect.stringMatching(/^\/v23\.0\/\d+\/messages$/)]]);
      const [attachment, caption] = seen.requests.map((r) => r.body as Json);
      expect(attachment).toEqual({ recipient: { id: user }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: expect.stringMatching(signed(url, file.storedId, file.filename)), is_reusable: true } } } });
      expect(caption).toEqual({ recipient: { id: user }, messaging_type: 'RESPONSE', message: { text: 'Your car' } });
      expect(kept!.id).toMatch(/^\d+$/);
      return { id: kept!.id! };
    },
    async again({ seen, user }, ref) {
      expect(seen.requests.map((r) => r.body)).toEqual([{ recipient: { id: user }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { attachment_id: ref.id } } } }]);
    },
    async document({ seen, user, file, url, kept }) {
      expect(seen.requests.map((r) => r.body)).toEqual([{ recipient: { id: user }, messaging_type: 'RESPONSE', message: { attachment: { type: 'file', payload: { url: expect.stringMatching(signed(url, file.storedId, 'boarding-pass.pdf')), is_reusable: true } } } }]);
      return { id: kept!.id! };
    },
    // Messenger plays MP3, MP4 and AMR audio: an Ogg voice note is refused
    refused: { content: 'audio', bytes: sampleMedia('audio').body, filename: 'voice.ogg', code: 'MEDIA_TYPE_UNSUPPORTED', rule: 'mediaTypes', source: 'channel' },
  },
  {
    channel: 'telegram', users: ['3330001', '3330002', '3330003'],
    async image({ seen, user, file, kept }) {
      // one multipart sendPhoto: chat_id, the photo part and the caption; the largest size's file_id is kept
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', expect.stringMatching(/^\/bot[^/]+\/sendPhoto$/)]]);
      const form = await formOf(seen.requests[0]!);
      expect([...form.keys()]).toEqual(['chat_id', 'photo', 'caption']);
      expect([form.get('chat_id'), form.get('caption')]).toEqual([user, 'Your car']);
      expect(await fileOf(form, 'photo')).toEqual({ name: file.filename, type: 'image/png', bytes: file.bytes });
      expect(kept).toEqual({ id: expect.any(String), mimeType: 'image/png' });
      return kept!;
    },
    async again({ seen, user }, ref) {
      expect(seen.requests.map((r) => [r.path.replace(/^\/bot[^/]+/, ''), r.headers['content-type'], r.body])).toEqual([['/sendPhoto', 'application/json', { chat_id: Number(user), photo: ref.id }]]);
    },
    async document({ seen, user, file, kept }) {
      expect(seen.requests.map((r) => r.path.replace(/^\/bot[^/]+/, ''))).toEqual(['/sendDocument']);
      const form = await formOf(seen.requests[0]!);
      expect([...form.keys()]).toEqual(['chat_id', 'document']);
      expect(form.get('chat_id')).toBe(user);
      expect(await fileOf(form, 'document')).toEqual({ name: 'boarding-pass.pdf', type: 'application/pdf', bytes: file.bytes });
      return kept!;
    },
    // Telegram sends JPEG, PNG and WebP as photos; a GIF is an animation
    refused: { content: 'image', bytes: GIF, filename: 'dot.gif', code: 'MEDIA_TYPE_UNSUPPORTED', rule: 'mediaTypes', source: 'channel' },
  },
  {
    channel: 'viber', users: ['vK6cLmD4PQ1t1AqrvvA1k1==', 'vK6cLmD4PQ1t1AqrvvA1k2==', 'vK6cLmD4PQ1t1AqrvvA1k3=='],
    async image({ seen, user, file, url }) {
      // a picture message with the host's signed URL ending in .png (Viber reads the type from it); the fake fetched it
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/pa/send_message']]);
      const body = seen.requests[0]!.body as Json;
      expect(body).toMatchObject({ receiver: user, type: 'picture', text: 'Your car', media: expect.stringMatching(signed(url, file.storedId, file.filename)) });
      return { url: body.media as string };
    },
    async again({ seen, user, file, url }) {
      // Viber keeps no reference: the next send is the URL again (of the other stored copy), fetched again
      expect(seen.requests.map((r) => (r.body as Json).media)).toEqual([expect.stringMatching(signed(url, file.storedId, file.filename))]);
      expect((seen.requests[0]!.body as Json).receiver).toBe(user);
    },
    async document({ seen, user, file, url }) {
      const body = seen.requests[0]!.body as Json;
      expect(seen.requests).toHaveLength(1);
      expect(body).toMatchObject({ receiver: user, type: 'file', size: file.bytes.length, file_name: 'boarding-pass.pdf', media: expect.stringMatching(signed(url, file.storedId, 'boarding-pass.pdf')) });
      return { url: body.media as string };
    },
    // Viber takes pictures up to 1 MB
    refused: { content: 'image', bytes: Buffer.concat([png.body, Buffer.alloc(1_000_001 - png.body.length)]), filename: 'big.png', code: 'MEDIA_TOO_LARGE', rule: 'mediaMaxBytes', source: 'channel' },
  },
  {
    channel: 'apple', users: ['urn:mbid:AQAAY7i1dYGrbjOPLpnLwplfdCnm9kM1z9G6f6p8A6cD0Fj5QA4k6IOtWHvbjv1kdP4m9Vr4', 'urn:mbid:AQAAY7i1dYGrbjOPLpnLwplfdCnm9kM1z9G6f6p8A6cD0Fj5QA4k6IOtWHvbjv1kdP4m9Vr5', 'urn:mbid:AQAAY7i1dYGrbjOPLpnLwplfdCnm9kM1z9G6f6p8A6cD0Fj5QA4k6IOtWHvbjv1kdP4m9Vr6'],
    policy: { mediaMaxBytes: { video: 1000 } },
    async image({ seen, file, kept }) {
      // preUpload of the encrypted size, the encrypted bytes to MMCS, then the attachment message (and the caption as text)
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/preUpload'], ['POST', '/message'], ['POST', '/message']]);
      expect(seen.requests[0]!.headers.size).toBe(String(file.bytes.length));
      expect(seen.mmcs.map((r) => [r.method, r.headers['content-type'], r.headers['content-length']])).toEqual([['POST', 'application/octet-stream', String(file.bytes.length)]]);
      const encrypted = seen.mmcs[0]!.rawBody;
      expect(encrypted.equals(file.bytes)).toBe(false);
      const [attachment, caption] = seen.requests.slice(1).map((r) => r.body as Json);
      expect(attachment).toMatchObject({ type: 'text', body: '\uFFFC', attachments: [{ name: file.filename, mimeType: 'image/png', size: file.bytes.length, url: kept!.url, owner: kept!.encryption!.owner, key: kept!.encryption!.decryptionKey }] });
      expect(caption).toMatchObject({ type: 'text', body: 'Your car' });
      // the key in the message decrypts what MMCS received to the file (AES-256-CTR, zero IV)
      const decipher = createDecipheriv('aes-256-ctr', Buffer.from(kept!.encryption!.decryptionKey.slice(2), 'hex'), Buffer.alloc(16));
      expect(Buffer.concat([decipher.update(encrypted), decipher.final()]).equals(file.bytes)).toBe(true);
      return kept!;
    },
    async again({ seen }, ref) {
      expect(seen.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/message']]);
      expect(seen.mmcs).toEqual([]);
      expect((seen.requests[0]!.body as Json).attachments).toEqual([expect.objectContaining({ url: ref.url, key: ref.encryption!.decryptionKey, owner: ref.encryption!.owner })]);
    },
    async document({ seen, file, kept }) {
      expect(seen.requests.map((r) => r.path)).toEqual(['/preUpload', '/message']);
      expect(seen.mmcs).toHaveLength(1);
      expect((seen.requests[1]!.body as Json).attachments).toEqual([expect.objectContaining({ name: 'boarding-pass.pdf', mimeType: 'application/pdf', size: file.bytes.length, url: kept!.url })]);
      return kept!;
    },
    // Apple carries any type up to 100 MB: this business sends videos of at most 1000 bytes
    refused: { content: 'video', bytes: Buffer.concat([sampleMedia('video').body, Buffer.alloc(2000)]), filename: 'tour.mp4', code: 'MEDIA_TOO_LARGE', rule: 'mediaMaxBytes', source: 'business' },
  },
];

/** A free TCP port on the loopback, for a host whose publicUrl must be known before it listens. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.each(CASES)('outbound media through the host: $channel', (c) => {
  let fake: FakePlatform;
  let host: Host;
  let url: string;

  const api = async (path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined && init.form === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${KEY}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : init.form ? { body: init.form } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const upload = async (bytes: Buffer, filename: string, type: string): Promise<{ storedId: string; bytes: Buffer; filename: string; contentType: string }> => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
    const answer = await api('/v1/media', { form });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ size: bytes.length, sha256: sha(bytes), filename });
    return { storedId: answer.body.id as string, bytes, filename, contentType: answer.body.contentType as string };
  };
  const mmcs = (): RecordedRequest[] => (fake as unknown as { mmcsRequests?: RecordedRequest[] }).mmcsRequests ?? [];
  /** Sends a stored file to a customer and waits until the platform accepted it; returns what the platform saw. */
  const sendAndWait = async (user: string, content: Json): Promise<{ id: string; seen: Seen }> => {
    const mark = { requests: fake.requests.length, mmcs: mmcs().length };
    const answer = await api('/v1/messages', { body: { channel: c.channel, accountId: 'main', userId: user, sender: 'agent', purpose: 'service', content } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const id = answer.body.id as string;
    const sent = await eventually(async () => { const m = await host.stores.messages.get(TENANT, id); return m?.status === 'sent' || m?.status === 'failed' ? m : undefined; });
    expect(sent.status, JSON.stringify(sent.error)).toBe('sent');
    return { id, seen: { requests: fake.requests.slice(mark.requests).filter((r) => r.method !== 'GET' || r.path === '/preUpload'), mmcs: mmcs().slice(mark.mmcs) } };
  };
  const kept = (sha256: string, kind: 'image' | 'document') => host.outbound.uploadedMedia.find({ tenantId: TENANT, channel: c.channel, account: 'main', sha256, kind }, Date.now());

  beforeAll(async () => {
    const plugin = (await import(`@switchboard/${c.channel}`)).default as ConnectorPlugin;
    fake = plugin.fake!();
    await fake.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    host = await createHost(configFromObject({
      store: tempDatabase(), logLevel: 'silent', publicUrl: url,
      tenants: [{ id: TENANT, apiKeys: [{ key: KEY, scopes: [...API_SCOPES] }], routing: { escalationQueue: 'support' }, ...(c.policy ? { policy: c.policy } : {}) }],
      connectors: [{ package: `@switchboard/${c.channel}`, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, outbound: { dispatcher: { pollMs: 20 } } });
    await host.listen(port, '127.0.0.1');
    // each customer writes first: the service window is open
    for (const user of [...c.users, ...(c.forget ? [c.forget.user] : [])]) {
      expect((await fake.deliver(`${url}/webhooks/${c.channel}/main`, fake.userMessage({ userId: user, text: 'Can you send it?' }))).status).toBe(200);
    }
    await eventually(async () => {
      const conversations = (await api('/v1/conversations')).body.items as Conversation[];
      return [...c.users, ...(c.forget ? [c.forget.user] : [])].every((u) => conversations.some((x) => x.address.userId === u && x.lastInboundAt));
    });
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  let imageRef: MediaRef;
  it('sends an uploaded image the platform\'s way, and the platform holds exactly its bytes', async () => {
    const file = await upload(png.body, 'car damage.png', 'image/png');
    const { seen } = await sendAndWait(c.users[0], { type: 'image', media: { storedId: file.storedId, caption: 'Your car' } });
    const reference = (await kept(sha(png.body), 'image'))?.ref;
    if (c.channel === 'viber') expect(reference).toBeUndefined();
    imageRef = await c.image({ seen, user: c.users[0], file, url, ...(reference ? { kept: reference } : {}) });
    expect(sha(fake.storedMedia!(imageRef)!)).toBe(sha(png.body));
  });

  it('sends the same bytes again without uploading them', async () => {
    // another upload of the same bytes: another stored file, the same platform object
    const file = await upload(png.body, 'car damage.png', 'image/png');
    const { seen } = await sendAndWait(c.users[1], { type: 'image', media: { storedId: file.storedId } });
    await c.again({ seen, user: c.users[1], file, url }, imageRef);
    if (c.channel === 'viber') {
      expect(sha(fake.storedMedia!({ url: (seen.requests[0]!.body as Json).media as string })!)).toBe(sha(png.body));
    } else {
      // nothing of the file went over the wire
      const carried = [...seen.requests, ...seen.mmcs].some((r) => r.rawBody.includes(png.body.subarray(16, 64)));
      expect(carried).toBe(false);
    }
  });

  it('sends a document (a PDF) with its name', async () => {
    const file = await upload(pdf.body, 'boarding-pass.pdf', 'application/pdf');
    const { seen } = await sendAndWait(c.users[2], { type: 'document', media: { storedId: file.storedId } });
    const reference = (await kept(sha(pdf.body), 'document'))?.ref;
    const ref = await c.document({ seen, user: c.users[2], file, url, ...(reference ? { kept: reference } : {}) });
    expect(sha(fake.storedMedia!(ref)!)).toBe(sha(pdf.body));
  });

  it.runIf(c.forget !== undefined)('uploads the bytes again when the platform no longer holds the file the kept reference names', async () => {
    const before = (await kept(sha(png.body), 'image'))!.ref;
    await c.forget!.remove(fake, before);
    const file = await upload(png.body, 'car damage.png', 'image/png');
    const { seen } = await sendAndWait(c.forget!.user, { type: 'image', media: { storedId: file.storedId } });
    // the send by the kept id is refused, the reference dropped, the bytes uploaded and sent by the new id
    expect(seen.requests.map((r) => [r.method, r.path.replace(/^\/v\d+\.\d+\/\d+/, '')])).toEqual([['POST', '/messages'], ['POST', '/media'], ['POST', '/messages']]);
    const after = (await kept(sha(png.body), 'image'))!.ref;
    expect(after.id).not.toBe(before.id);
    expect((seen.requests[2]!.body as Json).image).toEqual({ id: after.id });
    expect(sha(fake.storedMedia!(after)!)).toBe(sha(png.body));
  });

  it('refuses a file the channel cannot carry, naming the rule, and queues nothing', async () => {
    const { content, bytes, filename, code, rule, source } = c.refused;
    const file = await upload(bytes, filename, 'application/octet-stream');
    const before = { outbox: await host.stores.outbox.counts(TENANT), requests: fake.requests.length };
    const answer = await api('/v1/messages', { body: { channel: c.channel, accountId: 'main', userId: c.users[0], sender: 'agent', purpose: 'service', content: { type: content, media: { storedId: file.storedId } } } });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('POLICY_DENIED');
    expect(answer.body.error.reasons).toEqual([expect.objectContaining({ code, rule, source, message: expect.any(String) })]);
    expect(await host.stores.outbox.counts(TENANT)).toEqual(before.outbox);
    expect(fake.requests.length).toBe(before.requests);
  });

  it('answers 404 for a stored id the tenant does not have, and queues nothing', async () => {
    const before = await host.stores.outbox.counts(TENANT);
    const answer = await api('/v1/messages', { body: { channel: c.channel, accountId: 'main', userId: c.users[0], sender: 'agent', purpose: 'service', content: { type: 'image', media: { storedId: 'not-a-stored-file' } } } });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 'NOT_FOUND', details: { kind: 'media', id: 'not-a-stored-file' } });
    expect(await host.stores.outbox.counts(TENANT)).toEqual(before);
  });
});

/**
 * The media routes through a real host: uploads (multipart and by URL) within the tenant's limits,
 * serving to the owning tenant only with the file's real type, ranges, nosniff and a safe
 * disposition, signed URLs that expire on the host clock, and messages presenting their stored file.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, sampleMedia, silentLogger } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { parseContent } from '../api/rest-api.js';
import { buildOpenApi } from '../api/openapi.js';
import type { MediaScanner } from './media-policy.js';

const A = 'media-routes-tenant-a-key-0123456789';
const B = 'media-routes-tenant-b-key-0123456789';
const STRICT = 'media-routes-strict-key-0123456789';
const READER = 'media-routes-reader-key-0123456789';

/** A JSON answer, read loosely (each test asserts the shape it expects). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const sha = (b: Buffer | ArrayBuffer): string => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');
const png = sampleMedia('image');
const pdf = sampleMedia('file');

function form(file: Buffer, filename: string, type: string, fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append('file', new Blob([file], { type }), filename);
  return f;
}

describe('media routes', () => {
  let host: Host;
  let url: string;
  let clock: ManualClock;
  let scanner: MediaScanner = async () => ({ verdict: 'clean' });
  const upload = async (key: string, body: FormData | string, contentType?: string): Promise<{ status: number; body: Json; headers: Headers }> => {
    const res = await fetch(`${url}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...(contentType ? { 'content-type': contentType } : {}) }, body });
    return { status: res.status, body: await res.json() as Json, headers: res.headers };
  };
  const get = (path: string, key?: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

  beforeAll(async () => {
    clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    host = await createHost(configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [
        { id: 'a', apiKeys: [A, { key: READER, scopes: ['read'] }] },
        { id: 'b', apiKeys: [B] },
        { id: 'strict', apiKeys: [STRICT], media: { maxBytes: { image: 1000 }, allowedTypes: { document: ['application/pdf'] } } },
      ],
      connectors: [],
    }), { logger: silentLogger, clock, mediaScanner: (input) => scanner(input) });
    ({ url } = await host.listen(0, '127.0.0.1'));
  });
  afterAll(async () => { await host?.stop(); });

  it('stores an upload with the type its bytes show, and serves it to its own tenant only', async () => {
    const up = await upload(A, form(png.body, 'car damage.png', 'image/jpeg', { kind: 'image' }));
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ contentType: 'image/png', kind: 'image', size: png.body.length, sha256: sha(png.body), filename: 'car damage.png', url: `/v1/media/${up.body.id}` });
    const res = await get(`/v1/media/${up.body.id}`, A);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(png.body.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="car damage.png"');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(sha(await res.arrayBuffer())).toBe(sha(png.body));
    // another tenant's key finds nothing, as for an id that does not exist
    const other = await get(`/v1/media/${up.body.id}`, B);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await get('/v1/media/does-not-exist', A)).status).toBe(404);
    expect((await get(`/v1/media/${up.body.id}`)).status).toBe(401);
    // a HEAD says the same without the body
    const head = await fetch(`${url}/v1/media/${up.body.id}`, { method: 'HEAD', headers: { authorization: `Bearer ${A}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(png.body.length));
  });

  it('answers byte ranges with 206, and a range outside the file with 416', async () => {
    const { body: { id } } = await upload(A, form(png.body, 'p.png', 'image/png'));
    const part = await get(`/v1/media/${id}`, A, { range: 'bytes=1-3' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${png.body.length}`);
    expect(part.headers.get('content-length')).toBe('3');
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('PNG');
    const tail = await get(`/v1/media/${id}`, A, { range: 'bytes=-4' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(png.body.subarray(-4))).toBe(true);
    const outside = await get(`/v1/media/${id}`, A, { range: `bytes=${png.body.length}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${png.body.length}`);
    expect(await outside.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: { field: 'Range' } } });
    // a range for another version of the file is ignored (If-Range), a malformed one too
    expect((await get(`/v1/media/${id}`, A, { range: 'bytes=1-3', 'if-range': '"sha256-other"' })).status).toBe(200);
    expect((await get(`/v1/media/${id}`, A, { range: 'lines=1-3' })).status).toBe(200);
    const etag = part.headers.get('etag')!;
    expect((await get(`/v1/media/${id}`, A, { 'if-none-match': etag })).status).toBe(304);
  });

  it('names a file safely in Content-Disposition: no header injection, non-ASCII names encoded (RFC 6266/5987), documents as attachments', async () => {
    // given as a field: a multipart filename parameter is percent-encoded by the client already
    const evil = await upload(A, form(pdf.body, 'x.pdf', 'application/pdf', { filename: 'in"voice\r\nSet-Cookie: x=1.pdf' }));
    expect(evil.status).toBe(201);
    const res = await get(`/v1/media/${evil.body.id}`, A);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="in\\"voiceSet-Cookie: x=1.pdf"');
    const unicode = await upload(A, form(pdf.body, 'Rechnung Ü 2026.pdf', 'application/pdf'));
    const named = await get(`/v1/media/${unicode.body.id}`, A);
    expect(named.headers.get('content-disposition')).toBe('attachment; filename="Rechnung ? 2026.pdf"; filename*=UTF-8\'\'Rechnung%20%C3%9C%202026.pdf');
    const path = await upload(A, form(pdf.body, '../../etc/passwd', 'application/pdf'));
    expect(path.body.filename).toBe('passwd');
  });

  it('a signed URL works without a key for its tenant\'s file until it expires on the host clock', async () => {
    const { body: { id } } = await upload(A, form(png.body, 'p.png', 'image/png'));
    const signed = await host.media!.urls.signedUrl('a', id, { ttlMs: 60_000 });
    expect(signed).toMatch(new RegExp(`^/media/${id}\\?tenant=a&exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const ok = await get(signed);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('cache-control')).toBe('private, max-age=60');
    expect(sha(await ok.arrayBuffer())).toBe(sha(png.body));
    expect((await get(signed, undefined, { range: 'bytes=0-0' })).status).toBe(206);
    // tampered: another tenant, another file, another expiry, another signature
    for (const bad of [signed.replace('tenant=a', 'tenant=b'), signed.replace(/exp=(\d+)/, (_, e: string) => `exp=${Number(e) + 1000}`), signed.replace(/sig=.{5}/, 'sig=AAAAA'), signed.replace(id, 'x' + id.slice(1))]) {
      const res = await get(bad);
      expect(res.status, bad).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN', details: { link: 'invalid' } } });
    }
    expect((await get(`${signed}&extra=1`)).status).toBe(400);
    clock.advance(60_001);
    const expired = await get(signed);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { code: 'FORBIDDEN', details: { link: 'expired' } } });
  });

  it('refuses a file over the tenant\'s limit or of a type it does not allow, with the reason, keeping nothing', async () => {
    const before = await host.media!.store.usage('strict');
    const big = Buffer.concat([png.body, Buffer.alloc(5000, 1)]);
    const tooLarge = await upload(STRICT, form(big, 'big.png', 'image/png', { kind: 'image' }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: { refusal: 'MEDIA_TOO_LARGE', maxBytes: 1000, kind: 'image' } } });
    const wrongType = await upload(STRICT, form(pdf.body, 'photo.jpg', 'image/jpeg', { kind: 'image' }));
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', details: { refusal: 'MEDIA_TYPE_NOT_ALLOWED', kind: 'image', contentType: 'application/pdf', declaredType: 'image/jpeg' } } });
    expect(wrongType.body.error.message).toMatch(/image of type application\/pdf is not allowed/);
    const text = await upload(STRICT, form(Buffer.from('just text'), 'notes.txt', 'text/plain'));
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ error: { details: { refusal: 'MEDIA_TYPE_NOT_ALLOWED', contentType: 'text/plain', allowed: ['application/pdf'] } } });
    const empty = await upload(STRICT, form(Buffer.alloc(0), 'e.pdf', 'application/pdf'));
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { details: { refusal: 'MEDIA_EMPTY' } } });
    expect(await host.media!.store.usage('strict')).toEqual(before);
    expect(await host.media!.store.list('strict')).toEqual([]);
  });

  it('refuses a malformed upload with a typed 4xx', async () => {
    const noFile = new FormData();
    noFile.append('kind', 'image');
    expect(await upload(A, noFile)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', details: { field: 'file' } } } });
    const two = form(png.body, 'a.png', 'image/png');
    two.append('file2', new Blob([png.body]), 'b.png');
    expect(await upload(A, two)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await upload(A, form(png.body, 'a.png', 'image/png', { colour: 'red' }))).toMatchObject({ status: 400, body: { error: { details: { problems: [{ field: 'colour', message: 'is not a known field' }] } } } });
    expect(await upload(A, form(png.body, 'a.png', 'image/png', { kind: 'hologram' }))).toMatchObject({ status: 400, body: { error: { details: { field: 'kind' } } } });
    expect(await upload(A, 'just bytes', 'application/octet-stream')).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    expect(await upload(A, '--x\r\nbroken', 'multipart/form-data')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await upload(A, JSON.stringify({ url: 'file:///etc/passwd' }), 'application/json')).toMatchObject({ status: 400, body: { error: { details: { field: 'url' } } } });
    expect(await upload(A, JSON.stringify({ url: 'https://example.com/a.png', extra: 1 }), 'application/json')).toMatchObject({ status: 400 });
    // uploading needs messages:send
    expect(await upload(READER, form(png.body, 'a.png', 'image/png'))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', details: { requiredScope: 'messages:send' } } } });
    expect((await get('/v1/media/x', READER)).status).toBe(404);
  });

  it('keeps nothing of an upload the client abandons midway', async () => {
    const before = (await host.media!.store.list('a', { limit: 500 })).length;
    const boundary = 'sb-test-boundary';
    const req = request(`${url}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${A}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="half.png"\r\ncontent-type: image/png\r\n\r\n`);
    req.write(Buffer.concat([png.body, Buffer.alloc(64 * 1024, 1)]));
    const writing = () => host.stores.media.listWriting('a', new Date(clock.now() + 86_400_000), 10);
    // the host has begun to keep it…
    await expect.poll(async () => (await writing()).length).toBe(1);
    // …and the client goes away
    req.destroy();
    await expect.poll(async () => (await writing()).length).toBe(0);
    expect(await host.media!.store.list('a', { limit: 500 })).toHaveLength(before);
  });

  describe('upload by URL', () => {
    let files: Server;
    let filesUrl: string;
    beforeAll(async () => {
      files = createServer((req, res) => {
        if (req.url === '/redirect') { res.writeHead(302, { location: '/photo' }); res.end(); return; }
        if (req.url === '/photo') { res.writeHead(200, { 'content-type': 'image/jpeg', 'content-disposition': 'attachment; filename="from-crm.png"' }); res.end(png.body); return; }
        res.writeHead(404); res.end();
      });
      await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
      filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    });
    afterAll(async () => { await new Promise((resolve) => files.close(resolve)); });

    it('refuses loopback and private addresses unless the config allows them', async () => {
      const refused = await upload(A, JSON.stringify({ url: `${filesUrl}/photo` }), 'application/json');
      expect(refused).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', details: { field: 'url' } } } });
      expect(refused.body.error.message).toMatch(/not allowed/);
      expect(await host.media!.store.list('a', { origin: 'upload', limit: 500 })).not.toContainEqual(expect.objectContaining({ filename: 'from-crm.png' }));
    });

    it('fetches the file itself when allowed, following a redirect, within the limits', async () => {
      const allowed = await createHost(configFromObject({
        store: { kind: 'memory' }, logLevel: 'silent', media: { urlFetch: { allowPrivateNetworks: true } },
        tenants: [{ id: 'a', apiKeys: [A] }, { id: 'strict', apiKeys: [STRICT], media: { maxBytes: { image: 10 } } }], connectors: [],
      }), { logger: silentLogger });
      try {
        const { url: base } = await allowed.listen(0, '127.0.0.1');
        const post = async (key: string, body: unknown) => {
          const res = await fetch(`${base}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          return { status: res.status, body: await res.json() as Json };
        };
        const ok = await post(A, { url: `${filesUrl}/redirect` });
        expect(ok).toMatchObject({ status: 201, body: { contentType: 'image/png', kind: 'image', filename: 'from-crm.png', sha256: sha(png.body) } });
        expect(await post(A, { url: `${filesUrl}/missing` })).toMatchObject({ status: 400, body: { error: { details: { field: 'url' } } } });
        expect(await post(STRICT, { url: `${filesUrl}/photo` })).toMatchObject({ status: 413, body: { error: { details: { refusal: 'MEDIA_TOO_LARGE' } } } });
        expect(await allowed.media!.store.list('strict')).toEqual([]);
      } finally {
        await allowed.stop();
      }
    });
  });

  it('quarantines what the scanner rejects: the upload is refused with the reason and the file never served', async () => {
    scanner = async (input) => (input.filename === 'eicar.pdf' ? { verdict: 'reject', reason: 'Eicar-Signature FOUND' } : { verdict: 'clean' });
    try {
      const res = await upload(A, form(pdf.body, 'eicar.pdf', 'application/pdf'));
      expect(res).toMatchObject({ status: 422, body: { error: { code: 'CONTENT_UNSUPPORTED', details: { refusal: 'MEDIA_QUARANTINED', reason: 'Eicar-Signature FOUND' } } } });
      const served = await get(`/v1/media/${res.body.error.details.id}`, A);
      expect(served.status).toBe(403);
      expect(await served.json()).toMatchObject({ error: { details: { refusal: 'MEDIA_QUARANTINED' } } });
      expect(await host.media!.store.openBlob('a', res.body.error.details.id)).toBeUndefined();
    } finally {
      scanner = async () => ({ verdict: 'clean' });
    }
  });

  it('presents a message\'s stored file with the host\'s URL, keeping the platform\'s reference', async () => {
    const { body: file } = await upload(A, form(png.body, 'p.png', 'image/png'));
    const now = new Date(clock.now());
    const address = { channel: 'messenger', accountId: 'page1', userId: 'psid1' };
    const { conversation } = await host.stores.conversations.findOrCreate('a', address, () => ({ id: 'conv-media', tenantId: 'a', contactId: 'k1', address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now }) as never);
    await host.stores.messages.insert({
      id: 'in-media', tenantId: 'a', conversationId: conversation.id, direction: 'inbound', externalId: 'mid.1', ...address,
      content: { type: 'image', media: { url: 'https://cdn.platform.example/x.png', mimeType: 'image/png' } }, status: 'delivered', timestamp: now, createdAt: now, updatedAt: now,
    } as never);
    await host.stores.messages.updateMedia('a', 'in-media', { storedId: file.id, sha256: file.sha256, storeState: 'stored' }, { settled: true });
    const res = await get(`/v1/conversations/${conversation.id}/messages`, A);
    const { items } = await res.json() as { items: Json[] };
    expect(items[0]).not.toHaveProperty('mediaPending');
    expect(items[0]!.content.media).toMatchObject({ url: `/v1/media/${file.id}`, sourceUrl: 'https://cdn.platform.example/x.png', storedId: file.id, storeState: 'stored', sha256: sha(png.body) });
    const served = await get(items[0]!.content.media.url, A);
    expect(sha(await served.arrayBuffer())).toBe(sha(png.body));
    expect((await get(items[0]!.content.media.url, B)).status).toBe(404);
  });

  it('the API accepts content that sends a stored file by its id, and documents every media route', () => {
    expect(parseContent({ type: 'document', media: { storedId: 'abc-123', caption: 'Your invoice' } })).toEqual({ type: 'document', media: { storedId: 'abc-123', caption: 'Your invoice' } });
    expect(() => parseContent({ type: 'image', media: { caption: 'nothing to send' } })).toThrow(/needs an id, a url or a storedId/);
    expect(() => parseContent({ type: 'image', media: { storedId: '../x' } })).toThrow();
    expect(() => parseContent({ type: 'image', media: { storedId: 'x', storeState: 'stored' } })).toThrow();
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.paths['/v1/media']!.post!.operationId).toBe('uploadMedia');
    expect(doc.paths['/v1/media/{id}']!.get!.operationId).toBe('getMedia');
    expect(doc.paths['/media/{id}']!.get!.operationId).toBe('getSignedMedia');
  });
});

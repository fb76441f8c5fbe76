import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type MessageEvent, type OutboundMessage, type RawWebhook, type SignedWebhook } from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { decryptAttachment, encryptAttachment } from './apple-crypto.js';
import type { AppleAttachmentDescriptor, AppleInteractiveDataRef } from './apple-payloads.js';
import { parseConfig } from './config.js';
import { FakeAppleServer, appleSandboxConfig } from './fake-apple-server.js';

const fake = new FakeAppleServer({ config: { ...appleSandboxConfig } });
let connector: AppleConnector;
const USER = 'urn:mbid:AQAAYfakeCustomer0001';

beforeAll(async () => {
  await fake.start();
  connector = new AppleConnector(parseConfig(fake.connectorConfig()));
});
afterAll(async () => { await fake.stop(); });
beforeEach(() => { fake.reset(); });

const raw = (w: SignedWebhook): RawWebhook => ({ method: w.method, path: '/webhooks/apple', query: {}, headers: w.headers, body: w.body });
function receive(w: SignedWebhook) {
  connector.verify(raw(w));
  return connector.parse(raw(w));
}

describe('FakeAppleServer webhooks', () => {
  it('uses the sandbox credentials by default', () => {
    expect(fake.connectorConfig()).toEqual({ ...appleSandboxConfig, apiBaseUrl: fake.url });
  });
  it('userMessage is signed as Apple signs it and parses, plain and gzipped', () => {
    for (const gzip of [false, true]) {
      const w = fake.userMessage({ userId: USER, text: 'Hi', gzip, capabilities: ['LIST'] });
      expect(w.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
      expect(receive(w)).toMatchObject([{ kind: 'message', userId: USER, accountId: appleSandboxConfig.businessId, content: { type: 'text', text: 'Hi' }, metadata: { capabilities: ['LIST'], deviceAgent: 'iPhone OS' } }]);
    }
  });
  it('forged tokens fail verification: other secret, other MSP, expired', () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = [
      fake.userMessage({ userId: USER, text: 'x', secret: Buffer.from('z'.repeat(32)).toString('base64') }),
      fake.userMessage({ userId: USER, text: 'x', claims: { aud: 'other-msp', iat: now } }),
      fake.userMessage({ userId: USER, text: 'x', claims: { aud: appleSandboxConfig.mspId, iat: now - 7200, exp: now - 3600 } }),
    ];
    for (const w of forged) expect(() => connector.verify(raw(w))).toThrow(expect.objectContaining({ code: 'WEBHOOK_VERIFICATION_FAILED' }));
  });
  it('typing, close and interactive reply helpers', () => {
    expect(receive(fake.typing(USER, true))).toMatchObject([{ kind: 'typing', active: true }]);
    expect(receive(fake.typing(USER, false))).toMatchObject([{ kind: 'typing', active: false }]);
    expect(receive(fake.close(USER))).toMatchObject([{ kind: 'closed', userId: USER }]);
    const data = { version: '1.0', requestIdentifier: 'r', 'quick-reply': { selectedIdentifier: 'yes', items: [{ identifier: 'yes', title: 'Yes' }] } };
    expect(receive(fake.interactiveReply(USER, data))).toMatchObject([{ kind: 'message', content: { type: 'reply', id: 'yes', title: 'Yes' } }]);
  });
  it('regression: preDownload was called with mmcs-url/mmcs-signature/mmcs-owner — Apple takes url, signature (Base64) and owner; the attachment decrypts to the original bytes', async () => {
    const bytes = Buffer.from('%PDF-1.7 fake invoice');
    const [event] = receive(fake.attachmentMessage(USER, { bytes, name: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice' })) as MessageEvent[];
    expect(event).toMatchObject({ content: { type: 'document', media: { filename: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice' } } });
    const descriptor = event!.metadata!.attachment as AppleAttachmentDescriptor;
    const plain = await connector.downloadAttachment(descriptor);
    expect(plain.equals(bytes)).toBe(true);
    const pre = fake.requestsTo('/preDownload')[0]!;
    expect(pre.method).toBe('GET');
    expect(pre.headers).toMatchObject({ 'source-id': appleSandboxConfig.businessId, url: descriptor.url, owner: descriptor.owner, signature: descriptor['signature-base64'] });
    expect(pre.headers['mmcs-url']).toBeUndefined();
    // the Base64 signature is a 0x81 type byte and the SHA-1 of the encrypted file
    expect(Buffer.from(descriptor['signature-base64']!, 'base64')).toHaveLength(21);
    expect(Buffer.from(descriptor['signature-base64']!, 'base64')[0]).toBe(0x81);
    expect(pre.headers.authorization).toMatch(/^Bearer /);
  });
  it('interactive data over 10 KB arrives by reference and resolves through preDownload + decodePayload', async () => {
    const data = { version: '1.0', requestIdentifier: 'big', listPicker: { sections: [{ items: [{ identifier: 'a', title: 'A' }, { identifier: 'b', title: 'B' }] }] }, padding: 'x'.repeat(12_000) };
    const [event] = receive(fake.largeInteractiveReply(USER, data, { title: 'Your choice' })) as MessageEvent[];
    expect(event).toMatchObject({ content: { type: 'text', text: 'Your choice' }, metadata: { interactiveDataPending: true } });
    const ref = event!.metadata!.interactiveDataRef as AppleInteractiveDataRef;
    // an interactive data reference carries its signature as hex (42 digits: 0x81 and the SHA-1), the key as 00 + 64 hex digits
    expect(ref.signature).toMatch(/^81[0-9a-f]{40}$/);
    expect(ref['signature-base64']).toBeUndefined();
    expect(ref.key).toMatch(/^00[0-9a-f]{64}$/);
    const resolved = await connector.resolveInteractiveDataRef(ref);
    expect(fake.requestsTo('/preDownload')[0]!.headers.signature).toBe(Buffer.from(ref.signature!, 'hex').toString('base64'));
    expect(resolved.content).toMatchObject({ type: 'rich', kind: 'list-picker', payload: data });
    const decode = fake.requestsTo('/decodePayload')[0]!;
    expect(decode.method).toBe('POST');
    expect(decode.headers).toMatchObject({ bid: expect.stringContaining('MSMessageExtensionBalloonPlugin'), 'source-id': appleSandboxConfig.businessId });
  });
});

describe('FakeAppleServer gateway behaviour', () => {
  const post = (headers: Record<string, string>, body: unknown) => fetch(`${fake.url}/message`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const valid = () => {
    const r = connector.render({ id: 'm1', to: { channel: 'apple', accountId: appleSandboxConfig.businessId, userId: USER }, content: { type: 'text', text: 'hi' } });
    return { headers: r.headers, body: r.body as Record<string, unknown> };
  };
  it('accepts a valid message with 200 and an empty body', async () => {
    const { headers, body } = valid();
    const res = await post(headers, body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
  it('401 without Authorization, 403 with a token it cannot validate', async () => {
    const { headers, body } = valid();
    const { authorization: _, ...rest } = headers;
    expect((await post(rest, body)).status).toBe(401);
    expect((await post({ ...headers, authorization: 'Bearer a.b.c' }, body)).status).toBe(403);
  });
  it('400 when headers and body disagree, when the id is not a UUID, or the type is unknown', async () => {
    const { headers, body } = valid();
    expect((await post(headers, { ...body, destinationId: 'someone-else' })).status).toBe(400);
    expect((await post({ ...headers, id: 'not-a-uuid' }, { ...body, id: 'not-a-uuid' })).status).toBe(400);
    expect((await post(headers, { ...body, type: 'carousel' })).status).toBe(400);
    expect((await post(headers, { ...body, attachments: [{ url: 'https://elsewhere/x', owner: 'o', key: '00', name: 'n', mimeType: 'm', size: 1 }] })).status).toBe(400);
  });
  it('MMCS upload refuses a size different from the preUpload', async () => {
    const pre = await fetch(`${fake.url}/preUpload`, { headers: { authorization: `Bearer ${connector.token()}`, 'source-id': appleSandboxConfig.businessId, size: '10' } });
    const { 'upload-url': uploadUrl } = await pre.json() as { 'upload-url': string };
    expect((await fetch(uploadUrl, { method: 'POST', body: Buffer.alloc(3) })).status).toBe(400);
  });
});

describe('attachment crypto', () => {
  it('encrypts with AES-256-CTR and a zero IV; the 00-prefixed and bare keys decrypt alike', () => {
    const key = Buffer.alloc(32, 9);
    const { data, keyHex } = encryptAttachment(Buffer.from('hello apple'), key);
    expect(keyHex).toBe(`00${key.toString('hex')}`);
    expect(data.equals(Buffer.from('hello apple'))).toBe(false);
    expect(decryptAttachment(data, keyHex).toString()).toBe('hello apple');
    expect(decryptAttachment(data, keyHex.slice(2).toUpperCase()).toString()).toBe('hello apple');
  });
  it('refuses a malformed key', () => {
    expect(() => decryptAttachment(Buffer.alloc(4), '00abc')).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
});

describe('FakeAppleServer on the platform clock', () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
  const timed = new FakeAppleServer({ config: { ...appleSandboxConfig }, clock });
  let host: AppleConnector;
  beforeAll(async () => {
    await timed.start();
    host = new AppleConnector(parseConfig(timed.connectorConfig()), { clock });
  });
  afterAll(async () => { await timed.stop(); });
  const text = (id: string): OutboundMessage => ({ id, to: { channel: 'apple', accountId: appleSandboxConfig.businessId, userId: USER }, content: { type: 'text', text: 'Your car is ready' } });

  it('regression: after the sandbox clock moved 25 h, webhooks failed with "token is too old" and sends with 403 blamed on the credentials — both sides agree on the platform clock', async () => {
    clock.advance(25 * 3_600_000);
    const w = timed.userMessage({ userId: USER, text: 'Is my car ready?' });
    const r = raw(w);
    expect(() => host.verify(r)).not.toThrow();
    const claims = JSON.parse(Buffer.from(w.headers.authorization!.split('.')[1]!, 'base64url').toString()) as { iat: number };
    expect(claims.iat).toBe(Math.floor(clock.now() / 1000));
    await expect(host.send(text('after-clock'))).resolves.toMatchObject({ externalId: expect.any(String) });
    // a token over an hour old (and a minute of skew) by the platform clock is refused, as Apple refuses it
    const stale = new AppleConnector(parseConfig(timed.connectorConfig()), { clock: { now: () => clock.now() - 3_700_000 } });
    await expect(stale.send(text('stale'))).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });

  it('records every accepted message (not typing indicators) with its id and no receipts: Apple sends the MSP none', async () => {
    timed.reset();
    const result = await host.send(text('recorded'));
    expect(timed.sentMessages()).toEqual([{
      id: result.externalId, userId: USER, type: 'text', at: new Date(clock.now()).toISOString(),
      request: { method: 'POST', path: '/message', body: expect.objectContaining({ type: 'text', body: 'Your car is ready', destinationId: USER }) },
    }]);
    expect('statusUpdate' in timed).toBe(false);
    expect(await timed.flushReceipts()).toBe(0);
  });

  it('every simulated kind parses with the connector into the expected event', () => {
    const parsed = (w: SignedWebhook) => { const r = raw(w); host.verify(r); return host.parse(r); };
    expect(timed.simulatedKinds).toEqual(['text', 'media', 'button', 'close', 'capabilities']);
    expect(parsed(timed.simulate({ kind: 'text', userId: USER, text: 'Hi' }))).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'Hi' } }]);
    expect(parsed(timed.simulate({ kind: 'media', userId: USER, mediaType: 'image', caption: 'Dent' }))).toMatchObject([{ kind: 'message', content: { type: 'image', media: { mimeType: 'image/png', filename: 'photo.png', caption: 'Dent' } } }]);
    expect(parsed(timed.simulate({ kind: 'media', userId: USER, mediaType: 'video' }))).toMatchObject([{ kind: 'message', content: { type: 'video', media: { mimeType: 'video/mp4' } } }]);
    expect(parsed(timed.simulate({ kind: 'media', userId: USER, mediaType: 'audio' }))).toMatchObject([{ kind: 'message', content: { type: 'audio', media: { mimeType: 'audio/ogg' } } }]);
    expect(parsed(timed.simulate({ kind: 'media', userId: USER, mediaType: 'file' }))).toMatchObject([{ kind: 'message', content: { type: 'document' } }]);
    expect(parsed(timed.simulate({ kind: 'button', userId: USER, payload: 'slot-2', title: 'Tuesday 10:00' }))).toMatchObject([{ kind: 'message', content: { type: 'reply', id: 'slot-2', title: 'Tuesday 10:00' } }]);
    expect(parsed(timed.simulate({ kind: 'close', userId: USER }))).toMatchObject([{ kind: 'closed', userId: USER }]);
    const caps = timed.simulate({ kind: 'capabilities', userId: USER, capabilities: ['LIST', 'TIME'] });
    expect(caps.headers['capability-list']).toBe('LIST,TIME');
    expect(parsed(caps)).toMatchObject([{ kind: 'typing', active: true, userId: USER }]);
    expect(() => timed.simulate({ kind: 'location', userId: USER, latitude: 1, longitude: 2 })).toThrow(RangeError);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageEvent, RawWebhook, SignedWebhook } from '@switchboard/core';
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
  it('an attachment sent by the customer downloads (preDownload) and decrypts to the original bytes', async () => {
    const bytes = Buffer.from('%PDF-1.7 fake invoice');
    const [event] = receive(fake.attachmentMessage(USER, { bytes, name: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice' })) as MessageEvent[];
    expect(event).toMatchObject({ content: { type: 'document', media: { filename: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice' } } });
    const descriptor = event!.metadata!.attachment as AppleAttachmentDescriptor;
    const plain = await connector.downloadAttachment(descriptor);
    expect(plain.equals(bytes)).toBe(true);
    const pre = fake.requestsTo('/preDownload')[0]!;
    expect(pre.method).toBe('GET');
    expect(pre.headers).toMatchObject({ 'source-id': appleSandboxConfig.businessId, 'mmcs-url': descriptor.url, 'mmcs-owner': descriptor.owner, 'mmcs-signature': descriptor['signature-base64'] });
    expect(pre.headers.authorization).toMatch(/^Bearer /);
  });
  it('interactive data over 10 KB arrives by reference and resolves through preDownload + decodePayload', async () => {
    const data = { version: '1.0', requestIdentifier: 'big', listPicker: { sections: [{ items: [{ identifier: 'a', title: 'A' }, { identifier: 'b', title: 'B' }] }] }, padding: 'x'.repeat(12_000) };
    const [event] = receive(fake.largeInteractiveReply(USER, data, { title: 'Your choice' })) as MessageEvent[];
    expect(event).toMatchObject({ content: { type: 'text', text: 'Your choice' }, metadata: { interactiveDataPending: true } });
    const resolved = await connector.resolveInteractiveDataRef(event!.metadata!.interactiveDataRef as AppleInteractiveDataRef);
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

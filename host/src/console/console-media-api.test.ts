/**
 * Files through the console API, on a real host with WhatsApp on its fake platform: a customer's
 * picture shown through a short-lived signed link (hash-equal to what the platform held), the live
 * update when its fetch settles, refusals and quarantine shown with their reason; an agent's
 * upload streamed into the media store with the tenant's limits, judged by the policy and sent to
 * the platform, which receives the same bytes; what an agent may not send, remove or see.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock, sampleMedia, samplePdf, type MediaRef } from '@switchboard/core';
import type { HostMessage } from '../index.js';
import type { MediaScanner } from '../media/media-policy.js';
import { eventually, KEY, OTHER_KEY, readConsoleEvents, startConsoleHost, type ConsoleClient, type ConsoleHost, type Json } from './__fixtures__/console-host.js';

const IMAGE_LIMIT = 64 * 1024;
const sha = (b: Buffer | ArrayBuffer | Uint8Array): string => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');
const png = sampleMedia('image');

let h: ConsoleHost;
let agent: ConsoleClient;
let outsider: ConsoleClient;
let scanner: MediaScanner = async () => ({ verdict: 'clean' });
let n = 0;

beforeAll(async () => {
  h = await startConsoleHost({
    seedAgents: [
      { tenantId: 'shop', email: 'ana@shop.io', password: 'ana password 1', name: 'Ana', role: 'agent' },
      { tenantId: 'other', email: 'otto@other.io', password: 'otto password 1', name: 'Otto', role: 'agent' },
    ],
  }, { shopMedia: { maxBytes: { image: IMAGE_LIMIT } }, mediaScanner: (input) => scanner(input), clock: new OffsetClock() });
  agent = h.browser();
  expect((await agent.login('ana@shop.io', 'ana password 1')).status).toBe(200);
  outsider = h.browser();
  expect((await outsider.login('otto@other.io', 'otto password 1', 'other')).status).toBe(200);
});
afterAll(async () => { await h?.stop(); });

/** A customer (one per call) sends a picture on WhatsApp; resolves with their conversation's id once it exists. */
async function customerSendsPicture(file?: { body: Buffer; mimeType?: string; filename?: string }, caption = 'My dented door'): Promise<{ userId: string; conversationId: string }> {
  const userId = `49151555${String(++n).padStart(4, '0')}`;
  const fake = h.fakes.whatsapp;
  const answer = await fake.deliver(`${h.url}/webhooks/whatsapp/main`, fake.simulate!({ kind: 'media', userId, mediaType: 'image', caption, ...(file ? { file } : {}) }));
  expect(answer.status).toBe(200);
  const conversationId = await eventually(async () => {
    const list = (await h.api('/v1/conversations')).body.items as { id: string; address: { userId: string } }[];
    return list.find((c) => c.address.userId === userId)?.id;
  }, 30_000);
  return { userId, conversationId };
}

/** The conversation's first message of a content type, as the console shows it, once `ready` says so. */
async function shown(conversationId: string, type: string, ready: (media: Json) => boolean, direction = 'inbound'): Promise<Json> {
  return eventually(async () => {
    const r = await agent.call(`/conversations/${conversationId}`);
    const m = (r.body.history as Json[]).find((x) => x.content.type === type && x.direction === direction);
    return m && ready(m.content.media) ? m : undefined;
  }, 30_000);
}

const settled = (media: Json): boolean => media.view.state !== 'pending';

describe('a customer\'s picture in the console', () => {
  let conversationId: string;

  it('is shown through a short-lived signed link serving exactly what the platform held, with no key or platform URL', async () => {
    ({ conversationId } = await customerSendsPicture());
    const m = await shown(conversationId, 'image', settled);
    const view = m.content.media.view;
    expect(view).toMatchObject({ state: 'stored', display: 'image', contentType: 'image/png', alt: 'My dented door', expiresInMs: 15 * 60 * 1000 });
    expect(view.url).toMatch(/^\/media\/[A-Za-z0-9_-]+\?tenant=shop&exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
    const held = h.fakes.whatsapp.storedMedia!((await h.host.stores.messages.get('shop', m.id) as HostMessage & { content: { media: MediaRef } }).content.media);
    expect(held).toBeDefined();
    // no cookie, no key: the link alone
    const res = await fetch(`${h.url}${view.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(sha(await res.arrayBuffer())).toBe(sha(held!));
    expect(m.content.media.sha256).toBe(sha(held!));
    const json = JSON.stringify(m);
    expect(json).not.toContain(KEY);
    expect(json).not.toContain('/v1/media');
    expect(m.content.media).not.toHaveProperty('url');
    // the link names its tenant and is signed for it: another tenant's name breaks it
    expect((await fetch(`${h.url}${view.url.replace('tenant=shop', 'tenant=other')}`)).status).toBe(403);
  });

  it('reaches an open console live: the stream announces the settled fetch, without the platform\'s URL', async () => {
    let id = '';
    const events = await readConsoleEvents(h.url, agent, (e) => e.some((x) => x.event === 'status' && x.data.message?.content?.media?.storeState === 'stored'), async () => {
      ({ conversationId: id } = await customerSendsPicture(undefined, 'live photo'));
    });
    const settledEvent = events.find((x) => x.event === 'status' && x.data.message?.content?.media?.storeState === 'stored')!;
    expect(settledEvent.data.conversationId).toBe(id);
    expect(settledEvent.data.message.content.media).not.toHaveProperty('url');
    expect(settledEvent.data.message.content.media).not.toHaveProperty('encryption');
  });

  it('says why a picture the tenant\'s limits refused is not shown', async () => {
    const big = Buffer.concat([png.body, Buffer.alloc(IMAGE_LIMIT + 1024, 7)]);
    const { conversationId: id } = await customerSendsPicture({ body: big, mimeType: 'image/png', filename: 'big.png' });
    const m = await shown(id, 'image', settled);
    expect(m.content.media.view).toEqual({ state: 'refused', reason: expect.stringContaining(String(IMAGE_LIMIT)) });
  });

  it('shows a quarantined picture as a warning with no link', async () => {
    scanner = async () => ({ verdict: 'reject', reason: 'Eicar-Test-Signature' });
    try {
      const { conversationId: id } = await customerSendsPicture(undefined, 'scanned');
      const m = await shown(id, 'image', settled);
      expect(m.content.media.view).toEqual({ state: 'quarantined', reason: 'Eicar-Test-Signature' });
      expect(JSON.stringify(m)).not.toMatch(/\/media\//);
      expect((await agent.call(`/media/${m.content.media.storedId}/link`)).body.error).toMatchObject({ code: 'FORBIDDEN', details: { refusal: 'MEDIA_QUARANTINED' } });
    } finally { scanner = async () => ({ verdict: 'clean' }); }
  });
});

describe('an agent sends a file', () => {
  let conversationId: string;
  let uploaded: Json;

  beforeAll(async () => {
    // the customer writes first (the service window is open) and asks for a person: no bot answers
    ({ conversationId } = await customerSendsPicture(undefined, 'Can an agent fix this?'));
  });

  it('uploads it into the media store, linked to the conversation', async () => {
    const r = await agent.upload(`/conversations/${conversationId}/media?filename=quote.png`, png.body, 'image/png');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.any(String), kind: 'image', contentType: 'image/png', size: png.body.length, sha256: sha(png.body), filename: 'quote.png' });
    uploaded = r.body;
    const record = await h.host.media!.store.get('shop', uploaded.id);
    const conversation = await h.host.stores.conversations.get('shop', conversationId);
    expect(record).toMatchObject({ origin: 'upload', conversationId, contactId: conversation!.contactId });
  });

  it('asks the policy, sends it, and the platform receives the same bytes with the caption', async () => {
    const draft = { kind: 'media', storedId: uploaded.id, caption: 'Your quote' };
    const ask = await agent.call(`/conversations/${conversationId}/evaluate`, { body: draft });
    expect(ask.body).toMatchObject({ allowed: true });
    const before = h.fakes.whatsapp.sentMessages!().length;
    const sent = await agent.call(`/conversations/${conversationId}/messages`, { body: draft, headers: { 'idempotency-key': 'file-1' } });
    expect(sent.status).toBe(202);
    const platform = await eventually(() => h.fakes.whatsapp.sentMessages!().slice(before).find((x) => x.type === 'image'), 30_000);
    const body = platform.request.body as { image: { id: string; caption?: string } };
    expect(body.image.caption).toBe('Your quote');
    expect(sha(h.fakes.whatsapp.storedMedia!({ id: body.image.id })!)).toBe(sha(png.body));
    // the transcript shows the agent's file through its own signed link
    const m = await shown(conversationId, 'image', (media) => media.view.state === 'stored', 'outbound');
    expect(m.content.media.view).toMatchObject({ display: 'image', storedId: uploaded.id, alt: 'Your quote' });
    expect(sha(await (await fetch(`${h.url}${m.content.media.view.url}`)).arrayBuffer())).toBe(sha(png.body));
    // once sent, the file stays with its message
    expect((await agent.call(`/conversations/${conversationId}/media/${uploaded.id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('sends a PDF as a document under its name; a picture sent as a document is judged by the channel\'s rules', async () => {
    const { conversationId } = await customerSendsPicture(undefined, 'human please, I need the quote');
    const pdf = samplePdf('Quote 2026-117');
    const r = await agent.upload(`/conversations/${conversationId}/media?filename=quote-117.pdf`, pdf, 'application/pdf');
    expect(r.body).toMatchObject({ kind: 'document', contentType: 'application/pdf' });
    const before = h.fakes.whatsapp.sentMessages!().length;
    expect((await agent.call(`/conversations/${conversationId}/messages`, { body: { kind: 'media', storedId: r.body.id } })).status).toBe(202);
    const platform = await eventually(() => h.fakes.whatsapp.sentMessages!().slice(before).find((x) => x.type === 'document'), 30_000);
    const document = (platform.request.body as { document: { id: string; filename?: string } }).document;
    expect(document.filename).toBe('quote-117.pdf');
    expect(sha(h.fakes.whatsapp.storedMedia!({ id: document.id })!)).toBe(sha(pdf));
    // WhatsApp takes no PNG as a document: the policy says so before anything is queued
    const picture = await agent.upload(`/conversations/${conversationId}/media?filename=door.png`, png.body, 'image/png');
    const asDocument = { kind: 'media', storedId: picture.body.id, sendAs: 'document' };
    const ask = await agent.call(`/conversations/${conversationId}/evaluate`, { body: asDocument });
    expect(ask.body).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'MEDIA_TYPE_UNSUPPORTED', source: 'channel' })] });
    const refused = await agent.call(`/conversations/${conversationId}/messages`, { body: asDocument });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('POLICY_DENIED');
  });

  it('removes an attachment the agent did not send', async () => {
    const r = await agent.upload(`/conversations/${conversationId}/media?filename=oops.pdf`, samplePdf(), 'application/pdf');
    expect(r.body.kind).toBe('document');
    expect((await outsider.call(`/conversations/${conversationId}/media/${r.body.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await agent.call(`/conversations/${conversationId}/media/${r.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await h.host.media!.store.get('shop', r.body.id)).toBeUndefined();
    expect((await agent.call(`/conversations/${conversationId}/media/${r.body.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses uploads past the tenant\'s limits, of types it does not allow, empty, or without the CSRF token — keeping nothing', async () => {
    const usage = await h.host.media!.store.usage('shop');
    const big = Buffer.concat([png.body, Buffer.alloc(IMAGE_LIMIT + 1024, 7)]);
    const tooLarge = await agent.upload(`/conversations/${conversationId}/media?filename=big.png`, big, 'image/png');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { refusal: 'MEDIA_TOO_LARGE' } });
    // an archive is not among the types the tenant allows
    const zip = await agent.upload(`/conversations/${conversationId}/media?filename=photos.zip`, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64)]), 'application/zip');
    expect(zip.status).toBe(415);
    expect(zip.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { refusal: 'MEDIA_TYPE_NOT_ALLOWED' } });
    const empty = await agent.upload(`/conversations/${conversationId}/media?filename=empty.png`, new Uint8Array(0), 'image/png');
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.refusal).toBe('MEDIA_EMPTY');
    const noCsrf = await agent.upload(`/conversations/${conversationId}/media`, png.body, 'image/png', { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await agent.upload(`/conversations/${conversationId}/media?unknown=1`, png.body, 'image/png')).status).toBe(400);
    expect((await agent.upload('/conversations/no-such-conversation/media', png.body, 'image/png')).status).toBe(404);
    expect((await outsider.upload(`/conversations/${conversationId}/media`, png.body, 'image/png')).status).toBe(404);
    expect(await h.host.media!.store.usage('shop')).toEqual(usage);
  });

  it('stores a JSON file as the file it is, never reading it as the request\'s JSON', async () => {
    const bytes = Buffer.from('{"kind":"media","storedId":"x"}');
    const r = await agent.upload(`/conversations/${conversationId}/media?filename=data.json`, bytes, 'application/json');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'document', size: bytes.length, sha256: sha(bytes), filename: 'data.json' });
    expect((await agent.call(`/conversations/${conversationId}/media/${r.body.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses a quarantined upload with the scanner\'s reason', async () => {
    scanner = async () => ({ verdict: 'reject', reason: 'Eicar-Test-Signature' });
    try {
      const r = await agent.upload(`/conversations/${conversationId}/media?filename=x.png`, png.body, 'image/png');
      expect(r.status).toBe(422);
      expect(r.body.error.details).toMatchObject({ refusal: 'MEDIA_QUARANTINED', reason: 'Eicar-Test-Signature' });
    } finally { scanner = async () => ({ verdict: 'clean' }); }
  });

  it('cannot send a customer\'s file, another contact\'s upload, or an unknown one', async () => {
    const inbound = await shown(conversationId, 'image', settled);
    const customers = await agent.call(`/conversations/${conversationId}/messages`, { body: { kind: 'media', storedId: inbound.content.media.storedId } });
    expect(customers.status).toBe(400);
    expect(customers.body.error.details.field).toBe('storedId');
    const { conversationId: elsewhere } = await customerSendsPicture(undefined, 'another customer');
    const theirs = await agent.upload(`/conversations/${elsewhere}/media?filename=theirs.png`, png.body, 'image/png');
    expect((await agent.call(`/conversations/${conversationId}/evaluate`, { body: { kind: 'media', storedId: theirs.body.id } })).status).toBe(400);
    expect((await agent.call(`/conversations/${conversationId}/messages`, { body: { kind: 'media', storedId: 'no-such-file' } })).status).toBe(404);
    expect((await agent.call(`/conversations/${conversationId}/messages`, { body: { kind: 'media', storedId: theirs.body.id, sendAs: 'sticker' } })).status).toBe(400);
    // an API key of another tenant cannot read the agent's uploads either
    expect((await h.api(`/v1/media/${theirs.body.id}`, { key: OTHER_KEY })).status).toBe(404);
  });
});

// last: it moves the host's clock ahead of the wall clock the dispatcher runs on
describe('a signed link', () => {
  it('stops working when it expires; the page gets a fresh one for the same file', async () => {
    const { conversationId } = await customerSendsPicture(undefined, 'expiring');
    const m = await shown(conversationId, 'image', settled);
    const { url, storedId } = m.content.media.view;
    h.clock.advance(15 * 60 * 1000 + 1);
    const expired = await fetch(`${h.url}${url}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as Json).error.details).toEqual({ link: 'expired' });
    const fresh = await agent.call(`/media/${storedId}/link`);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ display: 'image', contentType: 'image/png', expiresInMs: 15 * 60 * 1000 });
    expect((await fetch(`${h.url}${fresh.body.url}`)).status).toBe(200);
    // another tenant's agent finds no such file; a malformed id is not looked up
    expect((await outsider.call(`/media/${storedId}/link`)).status).toBe(404);
    expect((await agent.call('/media/..%2F..%2Fetc/link')).status).toBe(404);
    expect((await agent.call('/media/unknown-id/link')).status).toBe(404);
  });
});

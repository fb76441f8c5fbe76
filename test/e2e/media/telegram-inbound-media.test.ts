/**
 * Inbound media end to end with the Telegram connector and its fake Bot API, through a real host
 * on the default store (a SQLite file, files in the media directory beside it): a customer's photo
 * is fetched off the request path (getFile, then the file path), kept, and served by
 * `GET /v1/media/:id` byte for byte as the platform held it — to the owning tenant only; an
 * oversize file and a file whose bytes are not what it claims are refused with a reason and never
 * reach the media directory; deleting a contact's files leaves no file on disk.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMedia, samplePdf, silentLogger, type Conversation, type MediaRef } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostMessage } from '@switchboard/host';
import telegram, { FakeTelegramServer } from '@switchboard/telegram';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'media-e2e-shop-key-0123456789';
const OTHER = 'media-e2e-other-key-0123456789';
type List<T> = { items: T[] };
type Presented = HostMessage & { content: { type: string; media: MediaRef & { url?: string } } };

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every regular file under a directory (recursively), relative to it. */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
  } catch {
    return [];
  }
}

describe('inbound media through a host with @switchboard/telegram', () => {
  let fake: FakeTelegramServer;
  let host: Host;
  let url: string;
  let webhookUrl: string;
  let mediaDir: string;
  let n = 0;
  const api = async <T>(path: string, key = KEY): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  /** The customer sends a file; resolves with their message once its fetch has settled. */
  const customerSends = async (userId: string, mediaType: 'image' | 'file', file?: { body: Buffer; mimeType?: string; filename?: string }): Promise<{ message: Presented; conversation: Conversation }> => {
    const caption = `file ${++n}`;
    const answer = await fake.deliver(webhookUrl, fake.simulate({ kind: 'media', userId, mediaType, caption, ...(file ? { file } : {}) }));
    expect(answer.status).toBe(200);
    return eventually(async () => {
      const conversation = (await api<List<Conversation>>('/v1/conversations')).body.items.find((c) => c.address.userId === userId);
      if (!conversation) return undefined;
      const message = (await api<List<Presented>>(`/v1/conversations/${conversation.id}/messages`)).body.items.find((m) => m.content.media?.caption === caption);
      const state = message?.content.media.storeState;
      return message && state !== undefined && state !== 'pending' ? { message, conversation } : undefined;
    }, 30_000);
  };

  beforeAll(async () => {
    fake = telegram.fake!() as FakeTelegramServer;
    await fake.start();
    const store = tempDatabase('media-e2e');
    mediaDir = join(dirname(store.path), 'media');
    host = await createHost(configFromObject({
      store, logLevel: 'silent',
      tenants: [
        { id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'support' }, media: { maxBytes: { image: 64 * 1024 } } },
        { id: 'other', apiKeys: [OTHER] },
      ],
      connectors: [{ package: '@switchboard/telegram', required: true, accounts: [{ id: 'main', tenant: 'shop', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    webhookUrl = `${url}/webhooks/telegram/main`;
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  it('fetches a customer\'s photo and serves the bytes the platform held to the owning tenant, and to no other', async () => {
    const { message } = await customerSends('5001', 'image');
    const media = message.content.media;
    expect(media).toMatchObject({ storeState: 'stored', storedId: expect.any(String), url: `/v1/media/${media.storedId}`, id: expect.any(String) });
    const held = fake.storedMedia({ id: media.id! })!;
    expect(held).toBeDefined();
    expect(media.sha256).toBe(sha(held));
    const res = await fetch(`${url}${media.url}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(held));
    expect((await api(media.url!, OTHER)).status).toBe(404);
    // the bytes are in the media directory beside the database
    expect(filesUnder(mediaDir).some((f) => f.endsWith(media.storedId!))).toBe(true);
  });

  it('refuses an oversize file and one whose bytes are not what it claims, with a reason, keeping them out of the store', async () => {
    const before = filesUnder(mediaDir).length;
    const usage = await host.media!.store.usage('shop');
    const big = Buffer.concat([sampleMedia('image').body, Buffer.alloc(100 * 1024, 7)]);
    const { message: oversize } = await customerSends('5002', 'image', { body: big, mimeType: 'image/png' });
    expect(oversize.content.media).toMatchObject({ storeState: 'refused', storeNote: expect.stringContaining(`larger than the ${64 * 1024} bytes allowed`) });
    expect(oversize.content.media.storedId).toBeUndefined();
    const { message: disguised } = await customerSends('5002', 'image', { body: samplePdf(), mimeType: 'image/jpeg' });
    expect(disguised.content.media).toMatchObject({ storeState: 'refused', storeNote: expect.stringMatching(/image of type application\/pdf is not allowed/) });
    expect(disguised.content.media.url).toBeUndefined();
    expect(filesUnder(mediaDir)).toHaveLength(before);
    expect(await host.media!.store.usage('shop')).toEqual(usage);
  });

  it('a document is kept with its name and served as an attachment', async () => {
    const { message } = await customerSends('5003', 'file');
    const media = message.content.media;
    expect(media.storeState).toBe('stored');
    const res = await fetch(`${url}${media.url}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(fake.storedMedia({ id: media.id! })!));
  });

  it('deleting a contact\'s files leaves no file of theirs in the media directory', async () => {
    const { conversation } = await customerSends('5004', 'image');
    await customerSends('5004', 'file');
    const theirs = await host.media!.store.list('shop', { contactId: conversation.contactId });
    expect(theirs).toHaveLength(2);
    expect(await host.media!.store.deleteMatching('shop', { contactIds: [conversation.contactId] })).toBe(2);
    const left = filesUnder(mediaDir);
    for (const r of theirs) expect(left.some((f) => f.endsWith(r.id))).toBe(false);
    expect(left.filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });
});

/**
 * Inbound media end to end on every first-party channel, each connector loaded by package name and
 * driven by its own fake platform: a customer's image is fetched after the webhook is answered,
 * kept, and served by `GET /v1/media/:id` identical to what the fake platform held (hash compared;
 * Apple's decrypted), through the URL the message carries — for the owning tenant only; an oversize
 * file and a file whose bytes are not an image are refused with a reason and kept out of the store.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleMedia, samplePdf, silentLogger, type ConnectorPlugin, type Conversation, type FakePlatform, type MediaRef } from '@switchboard/core';
import { configFromObject, createHost, type Host, type HostMessage } from '@switchboard/host';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'media-channels-shop-key-0123456789';
const OTHER = 'media-channels-other-key-0123456789';
const CHANNELS = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;
const IMAGE_LIMIT = 64 * 1024;
type List<T> = { items: T[] };
type Presented = HostMessage & { content: { type: string; media: MediaRef & { url?: string; sourceUrl?: string } } };

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.each(CHANNELS)('inbound media on %s', (channel) => {
  let fake: FakePlatform;
  let host: Host;
  let url: string;
  let webhookUrl: string;
  let n = 0;
  const api = async <T>(path: string, key = KEY): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  /**
   * A customer (one per call: their conversation holds this one image) sends an image; resolves
   * once its fetch settled, with the message as answered and as stored.
   */
  const customerSendsImage = async (userId: string, file?: { body: Buffer; mimeType?: string; filename?: string }): Promise<{ answered: Presented; stored: HostMessage }> => {
    const caption = `photo ${++n}`;
    const answer = await fake.deliver(webhookUrl, fake.simulate!({ kind: 'media', userId, mediaType: 'image', caption, ...(file ? { file } : {}) }));
    expect(answer.status).toBe(200);
    const answered = await eventually(async () => {
      const conversation = (await api<List<Conversation>>('/v1/conversations')).body.items.find((c) => c.address.userId === userId);
      if (!conversation) return undefined;
      const message = (await api<List<Presented>>(`/v1/conversations/${conversation.id}/messages`)).body.items.find((m) => m.content.type === 'image');
      const state = message?.content.media.storeState;
      return message && state !== undefined && state !== 'pending' ? message : undefined;
    }, 30_000);
    return { answered, stored: (await host.stores.messages.get('shop', answered.id))! };
  };

  beforeAll(async () => {
    const plugin = (await import(`@switchboard/${channel}`)).default as ConnectorPlugin;
    expect(plugin.media?.download).toBe(true);
    fake = plugin.fake!();
    await fake.start();
    host = await createHost(configFromObject({
      store: tempDatabase(`media-${channel}`), logLevel: 'silent',
      tenants: [
        { id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'support' }, media: { maxBytes: { image: IMAGE_LIMIT } } },
        { id: 'other', apiKeys: [OTHER] },
      ],
      connectors: [{ package: `@switchboard/${channel}`, required: true, accounts: [{ id: 'main', tenant: 'shop', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    webhookUrl = `${url}/webhooks/${channel}/main`;
    fake.setWebhookUrl?.(webhookUrl);
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.stop();
  });

  it('serves the image the platform held, through the message\'s media.url, to the owning tenant only', async () => {
    const { answered, stored } = await customerSendsImage('6001');
    const media = answered.content.media;
    expect(media).toMatchObject({ storeState: 'stored', storedId: expect.any(String), url: `/v1/media/${media.storedId}` });
    const held = fake.storedMedia!((stored.content as { media: MediaRef }).media);
    expect(held, 'the fake knows the file it sent').toBeDefined();
    expect(media.sha256).toBe(sha(held!));
    const res = await fetch(`${url}${media.url}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\//);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(held!));
    const other = await api<{ error: { code: string } }>(media.url!, OTHER);
    expect(other).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('refuses an oversize image and a PDF sent as an image with a reason, keeping both out of the store', async () => {
    const usage = await host.media!.store.usage('shop');
    const big = Buffer.concat([sampleMedia('image').body, Buffer.alloc(IMAGE_LIMIT + 1024, 7)]);
    const { answered: oversize } = await customerSendsImage('6002', { body: big, mimeType: 'image/png', filename: 'big.png' });
    expect(oversize.content.media.storeState).toBe('refused');
    expect(oversize.content.media.storeNote).toMatch(new RegExp(`${IMAGE_LIMIT}`));
    expect(oversize.content.media.storedId).toBeUndefined();
    const { answered: disguised } = await customerSendsImage('6003', { body: samplePdf(), mimeType: 'image/jpeg', filename: 'photo.jpg' });
    expect(disguised.content.media).toMatchObject({ storeState: 'refused', storeNote: expect.stringMatching(/image of type application\/pdf is not allowed/) });
    expect(await host.media!.store.usage('shop')).toEqual(usage);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Contact, type MediaRef } from '@switchboard/core';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import { scrubLogObject } from '../logging.js';

// the host knows connectors only as plugins it is handed (lint keeps static imports out): so does this test
const { default: apple, FakeAppleServer } = await import('@switchboard/apple');

const KEY = 'apple-capabilities-key-0123456789abcdef';
const LIST = { type: 'interactive', body: 'Which service?', list: { button: 'Choose', sections: [{ title: 'Services', rows: [{ id: 'oil', title: 'Oil change' }, { id: 'tyres', title: 'Tyres' }] }] } };
const QUICK = { type: 'interactive', body: 'Ready?', quickReplies: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] };

describe('Apple: the device capabilities and attachments the host keeps', () => {
  const fake = new FakeAppleServer();
  let host: Host;
  let url: string;
  let webhookUrl: string;
  const send = async (userId: string, content: unknown): Promise<{ status: number; body: { rendering?: { form: string } } }> => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'apple', accountId: 'main', userId, content, purpose: 'service' }),
    });
    return { status: res.status, body: await res.json() as { rendering?: { form: string } } };
  };
  const contactOf = async (userId: string): Promise<Contact | undefined> =>
    (await host.stores.contacts.list('shop')).find((c) => c.addresses.some((a) => a.userId === userId));

  beforeAll(async () => {
    await fake.start();
    host = await createHost(configFromObject({
      store: { kind: 'memory' }, logLevel: 'silent',
      tenants: [{ id: 'shop', apiKeys: [KEY], routing: { escalationQueue: 'desk' } }],
      connectors: [{ package: '@switchboard/apple', plugin: apple, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    }), { logger: silentLogger, processor: { pollMs: 10, retryBaseMs: 10 } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    webhookUrl = `${url}/webhooks/apple/main`;
  });
  afterAll(async () => {
    await host?.stop();
    await fake.stop();
  });

  it('regression: a device\'s capability-list is stored on the contact, so a list picker goes out natively (it always degraded to text)', async () => {
    const user = 'urn:mbid:capabilities-list-only';
    expect((await fake.deliver(webhookUrl, fake.userMessage({ userId: user, text: 'Hello', capabilities: ['LIST'] }))).status).toBe(200);
    await host.processor.idle();
    expect((await contactOf(user))?.capabilities).toEqual({ apple: ['LIST'] });
    const list = await send(user, LIST);
    expect(list.status).toBe(202);
    expect(list.body.rendering?.form).toBe('native');
    // a device that declared no list picker still gets the numbered text
    const other = 'urn:mbid:capabilities-time-only';
    await fake.deliver(webhookUrl, fake.userMessage({ userId: other, text: 'Hello', capabilities: ['TIME'] }));
    await host.processor.idle();
    expect((await send(other, LIST)).body.rendering?.form).toBe('degraded');
  });

  it('a later declaration replaces the earlier one; a request without the header leaves it; a typing indicator can declare it', async () => {
    const user = 'urn:mbid:capabilities-change';
    await fake.deliver(webhookUrl, fake.userMessage({ userId: user, text: 'Hi', capabilities: ['TIME'] }));
    await host.processor.idle();
    expect((await send(user, QUICK)).body.rendering?.form).toBe('degraded');
    await fake.deliver(webhookUrl, fake.simulate({ kind: 'capabilities', userId: user, capabilities: ['LIST', 'QUICK'] }));
    await host.processor.idle();
    expect((await contactOf(user))?.capabilities).toEqual({ apple: ['LIST', 'QUICK'] });
    expect((await send(user, QUICK)).body.rendering?.form).toBe('native');
    const withoutHeader = fake.userMessage({ userId: user, text: 'again' });
    delete (withoutHeader.headers as Record<string, string>)['capability-list'];
    // re-signing is not needed: Apple's JWT does not cover the headers
    expect((await fake.deliver(webhookUrl, withoutHeader)).status).toBe(200);
    await host.processor.idle();
    expect((await contactOf(user))?.capabilities).toEqual({ apple: ['LIST', 'QUICK'] });
  });

  it('regression: an attachment keeps its decryption key, MMCS owner and signature in the stored message (the key was dropped), and no log line carries the key', async () => {
    const user = 'urn:mbid:attachment';
    await fake.deliver(webhookUrl, fake.attachmentMessage(user, { bytes: Buffer.from('%PDF-1.7 invoice'), name: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice' }));
    await host.processor.idle();
    const conversation = (await host.stores.conversations.list('shop')).find((c) => c.address.userId === user)!;
    const [message] = await host.stores.messages.listByConversation('shop', conversation.id);
    const media = (message!.content as { media: MediaRef }).media;
    expect(media).toMatchObject({ filename: 'invoice.pdf', mimeType: 'application/pdf', caption: 'Invoice', url: expect.stringContaining('/files/') });
    expect(media.encryption).toMatchObject({ decryptionKey: expect.stringMatching(/^00[0-9a-f]{64}$/), owner: expect.any(String), signature: expect.any(String), signatureEncoding: 'base64' });
    // the stored details decrypt the file (what a media download does later)
    const plain = await (host.registry.get('apple', 'main')!.connector as unknown as { downloadAttachment(d: unknown): Promise<Buffer> })
      .downloadAttachment({ url: media.url, owner: media.encryption!.owner, key: media.encryption!.decryptionKey, size: media.size, 'signature-base64': media.encryption!.signature, name: media.filename, mimeType: media.mimeType });
    expect(plain.toString()).toBe('%PDF-1.7 invoice');
    // logged as a message, as its media, or as the encryption details alone: the key never shows
    for (const record of [{ message }, { media }, { encryption: media.encryption }]) {
      expect(JSON.stringify(scrubLogObject(record))).not.toContain(media.encryption!.decryptionKey);
    }
    // the contact's export carries the attachment's details, not its key (not in the message, not in the inbox event)
    const res = await fetch(`${url}/v1/contacts/${conversation.contactId}/export`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    const exported = await res.text();
    expect(exported).not.toContain(media.encryption!.decryptionKey);
    const exportedMedia = (JSON.parse(exported) as { messages: { content: { media: MediaRef } }[] }).messages[0]!.content.media;
    expect(exportedMedia.encryption).toMatchObject({ decryptionKey: '[redacted]', owner: media.encryption!.owner });
  });
});

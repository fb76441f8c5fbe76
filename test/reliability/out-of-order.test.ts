/**
 * Platforms deliver out of order: a customer's messages may arrive newest first, and receipts may
 * arrive read before delivered before sent. Messages are kept in platform-time order, the
 * conversation's last inbound time only moves forward, and a message's status never moves back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePlatform } from '@switchboard/core';
import type { HostMessage } from '@switchboard/host';
import { eventually } from '../e2e/support/host-harness.js';
import { FIRST_PARTY_CHANNELS, type FirstPartyChannel } from '../e2e/support/webhook-signing.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

let h: ChannelsHost;
beforeAll(async () => { h = await startChannelsHost(); });
afterAll(async () => { await h?.stop(); });

const conversationOf = (channel: FirstPartyChannel, userId: string) =>
  eventually(async () => (await h.stores.conversations.list('shop', { channel, limit: 1000 })).find((c) => c.address.userId === userId));

// Apple's MSP payloads carry no timestamp: arrival is the only order Apple gives, so it is left out here
describe.each(FIRST_PARTY_CHANNELS.filter((c) => c !== 'apple'))('out-of-order deliveries on %s', (channel) => {
  it('keeps messages in platform-time order whatever order they arrive in', async () => {
    const fake = h.fakes[channel];
    const userId = `49151${FIRST_PARTY_CHANNELS.indexOf(channel)}000001`;
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const sent = [2, 0, 3, 1].map((i) => ({ i, at: new Date(t0 + i * 1000), text: `message ${i}` }));
    for (const m of sent) {
      expect((await fake.deliver(h.webhookUrl(channel), fake.userMessage({ userId, text: m.text, timestamp: m.at, messageId: String(7_000 + m.i) }))).status).toBe(200);
    }
    const conversation = await conversationOf(channel, userId);
    const stored = await eventually(async () => {
      const list = (await h.stores.messages.listByConversation('shop', conversation.id, { limit: 100 })).filter((m) => m.direction === 'inbound');
      return list.length === 4 ? list : undefined;
    });
    expect(stored.map((m) => (m.content as { text?: string }).text)).toEqual(['message 0', 'message 1', 'message 2', 'message 3']);
    const latest = await h.stores.conversations.get('shop', conversation.id);
    expect(new Date(latest!.lastInboundAt!).getTime()).toBe(t0 + 3000);
  });
});

/** The one-way order of delivery statuses (core's state machine). */
const ORDER = ['accepted', 'queued', 'sent', 'delivered', 'read', 'failed'];

// the platforms whose fakes send receipts (Telegram has none; Apple's MSP API reports none to the business)
describe.each(['whatsapp', 'messenger', 'viber'] as const)('receipts out of order on %s', (channel) => {
  let fake: FakePlatform;
  beforeAll(() => { fake = h.fakes[channel]; expect(typeof fake.statusUpdate).toBe('function'); });

  it('ends at read when read, delivered and sent arrive in reverse order (and again)', async () => {
    const userId = `49151${FIRST_PARTY_CHANNELS.indexOf(channel)}000002`;
    expect((await fake.deliver(h.webhookUrl(channel), fake.userMessage({ userId, text: 'where is my order?' }))).status).toBe(200);
    const conversation = await conversationOf(channel, userId);
    const answer = await h.api<{ id: string }>('/v1/messages', {
      method: 'POST',
      body: JSON.stringify({ channel, accountId: 'main', conversationId: conversation.id, sender: 'bot', purpose: 'service', content: { type: 'text', text: 'It leaves the kitchen now.' } }),
    });
    expect(answer.status).toBe(202);
    const sentMessage = await eventually(async () => {
      const m = await h.stores.messages.get('shop', answer.body.id);
      return m?.externalId ? m : undefined;
    });
    const base = Date.now() + 1_000;
    const receipts: ['read' | 'delivered' | 'sent', number][] = [['read', 3], ['delivered', 2], ['sent', 1], ['delivered', 2], ['read', 3]];
    // Viber has no "sent" callback (the send answer is the acceptance)
    for (const [status, s] of receipts.filter(([status]) => channel !== 'viber' || status !== 'sent')) {
      const hook = fake.statusUpdate!({ userId, externalId: sentMessage.externalId!, status, timestamp: new Date(base + s * 1000) });
      expect((await fake.deliver(h.webhookUrl(channel), hook)).status).toBe(200);
    }
    const final = await eventually(async () => {
      const m = await h.stores.messages.get('shop', answer.body.id);
      return m?.status === 'read' ? m : undefined;
    });
    // every receipt delivered has been processed (not merely 150 ms passed): the late ones too
    await eventually(async () => { const n = await h.stores.inbox.counts('shop'); return n.pending + n.processing === 0; }, 30_000);
    const settled = (await h.stores.messages.get('shop', answer.body.id)) as HostMessage;
    expect(settled.status).toBe('read');
    const ranks = (settled.statusHistory ?? final.statusHistory ?? []).map((e) => ORDER.indexOf(e.status));
    expect(ranks.length).toBeGreaterThan(0);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});

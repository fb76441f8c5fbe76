/**
 * Platforms deliver at least once: the same webhook may come again later, several times in the
 * same millisecond, or to two host processes behind a load balancer. Each must be answered 2xx and
 * produce one stored message and one routing, on every first-party channel. Two processes sharing
 * a store are modelled by two hosts in one process sharing the memory stores (MongoDB gives the
 * same guarantee through its unique inbox index).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedWebhook } from '@switchboard/core';
import type { HostMessage } from '@switchboard/host';
import { eventually } from '../e2e/support/host-harness.js';
import { FIRST_PARTY_CHANNELS, type FirstPartyChannel } from '../e2e/support/webhook-signing.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

let h: ChannelsHost;
beforeAll(async () => { h = await startChannelsHost({ hostCount: 2 }); });
afterAll(async () => { await h?.stop(); });

/**
 * Every delivery answered so far has been processed: the inbox (written before each 200) holds
 * nothing pending or being processed. A second copy, had one got through, is stored by then.
 */
const settle = (): Promise<unknown> => eventually(async () => { const n = await h.stores.inbox.counts('shop'); return n.pending + n.processing === 0; }, 30_000);

/** The inbound messages stored for a customer and the routings they caused, once processing is done. */
async function outcome(channel: FirstPartyChannel, userId: string): Promise<{ stored: HostMessage[]; routed: HostMessage[] }> {
  const conversation = await eventually(async () => (await h.stores.conversations.list('shop', { channel, limit: 1000 })).find((c) => c.address.userId === userId));
  await eventually(() => h.routed.some((m) => m.conversationId === conversation.id));
  await settle(); // a second copy, had one got through, is processed now
  const stored = (await h.stores.messages.listByConversation('shop', conversation.id, { limit: 100 })).filter((m) => m.direction === 'inbound');
  return { stored, routed: h.routed.filter((m) => m.conversationId === conversation.id) };
}

describe.each(FIRST_PARTY_CHANNELS)('duplicate deliveries on %s', (channel) => {
  let n = 0;
  const webhook = (): { userId: string; hook: SignedWebhook } => {
    const userId = `4916${FIRST_PARTY_CHANNELS.indexOf(channel)}${String(++n).padStart(6, '0')}`;
    return { userId, hook: h.fakes[channel].userMessage({ userId, text: 'Is my car ready?' }) };
  };
  const send = async (hook: SignedWebhook, hostIndex = 0): Promise<number> =>
    (await fetch(h.webhookUrl(channel, 'main', hostIndex), { method: 'POST', headers: hook.headers, body: hook.body })).status;

  it('the same webhook three times in a row: one message, one routing', async () => {
    const { userId, hook } = webhook();
    const statuses = [await send(hook), await send(hook), await send(hook)];
    expect(statuses).toEqual([200, 200, 200]);
    const { stored, routed } = await outcome(channel, userId);
    expect(stored).toHaveLength(1);
    expect(routed).toHaveLength(1);
  });

  it('the same webhook 25 times at once: one message, one routing', async () => {
    const { userId, hook } = webhook();
    const statuses = await Promise.all(Array.from({ length: 25 }, () => send(hook)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const { stored, routed } = await outcome(channel, userId);
    expect(stored).toHaveLength(1);
    expect(routed).toHaveLength(1);
  });

  it('the same webhook to two hosts sharing a store, 10 times each at once: one message, one routing', async () => {
    const { userId, hook } = webhook();
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => send(hook, i % 2)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const { stored, routed } = await outcome(channel, userId);
    expect(stored).toHaveLength(1);
    expect(routed).toHaveLength(1);
  });

  it('a redelivery after the message was processed changes nothing', async () => {
    const { userId, hook } = webhook();
    expect(await send(hook, 0)).toBe(200);
    const first = await outcome(channel, userId);
    expect(await send(hook, 1)).toBe(200);
    await settle();
    const again = await outcome(channel, userId);
    expect(again.stored.map((m) => m.id)).toEqual(first.stored.map((m) => m.id));
    expect(again.routed).toHaveLength(1);
  });
});

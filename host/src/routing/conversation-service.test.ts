import { describe, expect, it } from 'vitest';
import { ManualClock, type Conversation } from '@switchboard/core';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams, type ConversationNotice } from '../streams.js';
import { ConversationService } from './conversation-service.js';

async function setUp(): Promise<{ service: ConversationService; conversation: Conversation; changes: ConversationNotice[] }> {
  const stores = new MemoryStores();
  const streams = createHostStreams();
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
  const changes: ConversationNotice[] = [];
  streams.conversation$.subscribe((e) => changes.push(e));
  const now = new Date(clock.now());
  const address = { channel: 'whatsapp', accountId: 'main', userId: '4915112345678' };
  const { conversation } = await stores.conversations.findOrCreate('t', address, () => ({
    id: 'c1', tenantId: 't', contactId: 'k1', address, status: 'open', assignee: { kind: 'bot', handler: 'assistant' }, tags: [], createdAt: now, updatedAt: now,
  }));
  return { service: new ConversationService(stores.conversations, streams, clock, new Map([['t', { routing: { escalationQueue: 'support' } }]])), conversation, changes };
}

describe('ConversationService.handover', () => {
  it('regression: handing a conversation back to the bot makes it open again (it stayed pending)', async () => {
    const { service, conversation, changes } = await setUp();
    const escalated = await service.handover('t', conversation.id, { kind: 'human' });
    expect(escalated).toMatchObject({ status: 'pending', assignee: { kind: 'queue', queue: 'support' } });
    const back = await service.handover('t', conversation.id, { kind: 'bot', handler: 'assistant' });
    expect(back).toMatchObject({ status: 'open', assignee: { kind: 'bot', handler: 'assistant' } });
    expect(changes.at(-1)).toMatchObject({ change: 'handover', conversation: { status: 'open' } });
  });

  it('handing back from an agent who took it also leaves it open', async () => {
    const { service, conversation } = await setUp();
    await service.handover('t', conversation.id, { kind: 'human' });
    await service.assign('t', conversation.id, 'agent-7');
    expect((await service.handover('t', conversation.id, { kind: 'bot', handler: 'assistant' })).status).toBe('open');
  });

  it('a resolved conversation handed back to the bot stays resolved', async () => {
    const { service, conversation } = await setUp();
    await service.handover('t', conversation.id, { kind: 'human' });
    await service.resolve('t', conversation.id);
    expect((await service.handover('t', conversation.id, { kind: 'bot', handler: 'assistant' })).status).toBe('resolved');
  });
});

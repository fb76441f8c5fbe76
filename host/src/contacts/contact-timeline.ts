/**
 * A contact's timeline: every message of every conversation the contact has, on every channel,
 * newest first, paged. Each entry names its channel and conversation so a client can show one
 * stream across WhatsApp, Telegram and the rest.
 * @module
 */
import type { Conversation } from '@switchboard/core';
import type { HostMessage, HostStores, Page } from '../stores/stores.js';

/** Conversations of one contact the timeline covers at most (the store's batch bound). */
export const TIMELINE_MAX_CONVERSATIONS = 1_000;

/** One entry of a timeline. */
export interface TimelineEntry {
  at: Date;
  channel: string;
  accountId: string;
  conversationId: string;
  message: HostMessage;
}

/** A page of a contact's timeline. */
export interface ContactTimeline {
  contactId: string;
  /** The contact's conversations (one per channel address), most recently updated first. */
  conversations: Pick<Conversation, 'id' | 'address' | 'status'>[];
  items: TimelineEntry[];
  limit: number;
  offset: number;
}

/**
 * Reads a page of a contact's timeline.
 * @param stores - contacts, conversations and messages
 * @param tenantId - the tenant (another tenant's contact is not found)
 * @param contactId - the contact
 * @param page - limit (default 50, at most 500) and offset
 * @returns the page, or undefined when the contact does not exist
 */
export async function contactTimeline(stores: Pick<HostStores, 'contacts' | 'conversations' | 'messages'>, tenantId: string, contactId: string, page: Page = {}): Promise<ContactTimeline | undefined> {
  const contact = await stores.contacts.get(tenantId, contactId);
  if (!contact) return undefined;
  const conversations: Conversation[] = [];
  while (conversations.length < TIMELINE_MAX_CONVERSATIONS) {
    const batch = await stores.conversations.list(tenantId, { contactId, limit: 500, offset: conversations.length });
    conversations.push(...batch);
    if (batch.length < 500) break;
  }
  const limit = Math.min(Math.max(1, page.limit ?? 50), 500);
  const offset = Math.max(0, page.offset ?? 0);
  const messages = await stores.messages.listByConversations(tenantId, conversations.slice(0, TIMELINE_MAX_CONVERSATIONS).map((c) => c.id), { limit, offset });
  return {
    contactId,
    conversations: conversations.map((c) => ({ id: c.id, address: c.address, status: c.status })),
    items: messages.map((m) => ({ at: m.timestamp, channel: m.channel, accountId: m.accountId, conversationId: m.conversationId, message: m })),
    limit, offset,
  };
}

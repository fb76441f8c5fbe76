/**
 * The host's event streams (rxjs). Everything the inbox processor and the outbound path do is
 * published here: the SSE endpoint, bot handlers and embedding code subscribe.
 * @module
 */
import { Subject } from 'rxjs';
import type { ConsentEntry, Contact, Conversation, DeliveryStatus } from '@switchboard/core';
import type { HostMessage } from './stores/stores.js';

/** A customer's message, stored. */
export interface InboundNotice {
  tenantId: string;
  message: HostMessage;
  conversation: Conversation;
  contact: Contact;
}

/** A message's status changed. */
export interface StatusNotice {
  tenantId: string;
  conversationId: string;
  message: HostMessage;
  status: DeliveryStatus;
}

/** A consent ledger entry was recorded. */
export interface ConsentNotice {
  tenantId: string;
  entry: ConsentEntry;
}

/** What happened to a conversation. */
export type ConversationChange = 'created' | 'reopened' | 'assigned' | 'handover' | 'transferred' | 'resolved' | 'tagged' | 'updated';

/** A conversation changed. */
export interface ConversationNotice {
  tenantId: string;
  change: ConversationChange;
  conversation: Conversation;
}

/** DI token for {@link HostStreams}. */
export const HostStreams = Symbol.for('switchboard.HostStreams');
/** The four streams. */
export interface HostStreams {
  inbound$: Subject<InboundNotice>;
  status$: Subject<StatusNotice>;
  consent$: Subject<ConsentNotice>;
  conversation$: Subject<ConversationNotice>;
}

/**
 * Creates a fresh set of streams.
 * @returns the streams
 */
export function createHostStreams(): HostStreams {
  return {
    inbound$: new Subject<InboundNotice>(),
    status$: new Subject<StatusNotice>(),
    consent$: new Subject<ConsentNotice>(),
    conversation$: new Subject<ConversationNotice>(),
  };
}

/**
 * Completes every stream (on shutdown).
 * @param streams - the streams
 */
export function completeHostStreams(streams: HostStreams): void {
  streams.inbound$.complete();
  streams.status$.complete();
  streams.consent$.complete();
  streams.conversation$.complete();
}

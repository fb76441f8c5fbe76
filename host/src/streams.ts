/**
 * The host's event streams (rxjs). Everything the inbox processor and the outbound path do is
 * published here: the SSE endpoint, bot handlers and embedding code subscribe.
 * @module
 */
import { config as rxjsConfig, Subject } from 'rxjs';
import type { ConsentEntry, Contact, Conversation, DeliveryStatus, Logger } from '@switchboard/core';
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

/**
 * Makes an error a subscriber throws a logged error instead of the end of the process. rxjs reports
 * an error no subscriber handles by rethrowing it from a timer, where nothing can catch it: one
 * notice that a subscriber cannot handle (a value its serialiser chokes on) would stop the host for
 * every tenant. The others go on (and so does the one that threw, unless an operator of its pipe
 * turned the error into the end of its subscription, as rxjs does).
 *
 * rxjs keeps this setting per process: it is installed once, and never over a handler the
 * embedding application set itself.
 * @param logger - where the errors go
 * @returns whether it was installed now
 */
export function containStreamErrors(logger: Logger): boolean {
  if (rxjsConfig.onUnhandledError) return false;
  rxjsConfig.onUnhandledError = (error: unknown) => {
    try { logger.error({ err: error }, 'a stream subscriber failed; the host goes on'); } catch { /* the logger failed too: nothing left to tell */ }
  };
  return true;
}

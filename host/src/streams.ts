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

/** The SLA notices' types: a reply is soon due, or is past due and still missing. */
export type SlaNoticeType = 'sla.due' | 'sla.breached';
/** Every SLA notice type, for subscribers (event webhooks) that list what they deliver. */
export const SLA_NOTICE_TYPES: readonly SlaNoticeType[] = ['sla.due', 'sla.breached'];

/**
 * An SLA timer of a conversation fired: `sla.due` when the reply is due within the queue's
 * `sla.dueSoonMinutes`, `sla.breached` when its due time passed without an agent's reply. Each is
 * published once per timer (the timers are kept in the store; a restart does not repeat them).
 */
export interface SlaNotice {
  tenantId: string;
  type: SlaNoticeType;
  conversationId: string;
  queue?: string;
  /** The agent holding the conversation, if any. */
  agentId?: string;
  /** `first-response` (no agent has answered yet) or `next-response` (the customer wrote again). */
  policy: 'first-response' | 'next-response';
  /** When the timer started. */
  startedAt: Date;
  /** When the reply is (was) due. */
  dueAt: Date;
}

/** DI token for {@link HostStreams}. */
export const HostStreams = Symbol.for('switchboard.HostStreams');
/** The host's streams. */
export interface HostStreams {
  inbound$: Subject<InboundNotice>;
  status$: Subject<StatusNotice>;
  consent$: Subject<ConsentNotice>;
  conversation$: Subject<ConversationNotice>;
  /** SLA timers firing (`sla.due`, `sla.breached`). */
  sla$: Subject<SlaNotice>;
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
    sla$: new Subject<SlaNotice>(),
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
  streams.sla$.complete();
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

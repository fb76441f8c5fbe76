/**
 * Normalised inbound events: what a connector's `parse` produces from a platform webhook.
 * @module
 */
import type { ChannelId } from './address.js';
import type { Content } from './content.js';
import type { ReceiptStatus } from './delivery-status.js';

/** Consent actions a platform can signal. */
export type ConsentAction = 'opt-in' | 'opt-out' | 'subscribed' | 'unsubscribed' | 'blocked' | 'unblocked';

/** Purposes of a message, and of consent to receive it. */
export type Purpose = 'service' | 'transactional' | 'marketing';

/** All purposes, least to most intrusive. */
export const PURPOSES: readonly Purpose[] = ['service', 'transactional', 'marketing'] as const;

/** Fields common to every event that concerns one customer. */
interface EventBase {
  channel: ChannelId;
  accountId: string;
  userId: string;
  timestamp: Date;
  /**
   * The platform's id for this delivery of the event, used as the inbox's dedup key when it
   * differs from `externalId` (Telegram's update_id). Optional.
   */
  eventId?: string;
}

/** A customer's message. */
export interface MessageEvent extends EventBase {
  kind: 'message';
  /** The platform's message id (wamid, mid, message_id, message_token, Apple id). */
  externalId: string;
  profile?: { name?: string; [key: string]: unknown };
  content: Content;
  /** External id of the message this one replies to. */
  replyTo?: string;
  /** Set when the platform reports an edit of an earlier message. */
  edited?: boolean;
  /** Connector-specific extras the host keeps (tracking data, capability list, referral…). */
  metadata?: Record<string, unknown>;
}

/** A delivery receipt for an outbound message. */
export interface StatusEvent extends Omit<EventBase, 'userId'> {
  kind: 'status';
  userId?: string;
  /** External id of the outbound message. */
  externalId: string;
  status: ReceiptStatus;
  error?: { code: string; message: string; details?: string };
  /** Pricing category the platform reported, when it did. */
  pricing?: { category?: string; billable?: boolean; model?: string };
  /**
   * Set for watermark receipts (Messenger delivery and read): the status applies to every outbound
   * message to this user sent at or before this time, not only to `externalId`.
   */
  upTo?: Date;
}

/** A platform-level consent signal. */
export interface ConsentEvent extends EventBase {
  kind: 'consent';
  action: ConsentAction;
  purpose?: Purpose;
  /** A stated context, e.g. "flight updates", when the platform carries one. */
  topic?: string;
  /** What the platform sent, for the ledger's evidence. */
  detail?: string;
}

/** The customer opened a conversation (Viber conversation_started, Messenger referral, /start). */
export interface ConversationStartedEvent extends EventBase {
  kind: 'conversation-started';
  subscribed?: boolean;
  /** Context carried by the entry point (ref, start parameter, context). */
  context?: string;
  /** An ad or referral entry point that opens a longer service window (click-to-WhatsApp / click-to-Messenger ads). */
  entryPoint?: { source: string; at: Date };
  profile?: { name?: string; [key: string]: unknown };
}

/** Typing indicators and closed conversations. */
export interface PresenceEvent extends EventBase {
  kind: 'typing' | 'closed';
  /** For typing: whether the customer started or stopped typing. */
  active?: boolean;
  /** Connector-specific extras the host keeps (the device's capability list Apple sends on every request). */
  metadata?: Record<string, unknown>;
}

/** Anything the connector understood to be valid but has no model for. */
export interface UnsupportedEvent {
  kind: 'unsupported';
  channel: ChannelId;
  accountId?: string;
  userId?: string;
  reason: string;
  timestamp?: Date;
  eventId?: string;
}

/** Every normalised inbound event. */
export type InboundEvent =
  | MessageEvent
  | StatusEvent
  | ConsentEvent
  | ConversationStartedEvent
  | PresenceEvent
  | UnsupportedEvent;

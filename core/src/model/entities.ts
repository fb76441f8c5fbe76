/**
 * Stored entities: contacts, conversations and messages.
 * @module
 */
import type { Address } from './address.js';
import type { Content } from './content.js';
import type { DeliveryStatus } from './delivery-status.js';
import type { Purpose } from './events.js';

/** A person, with one or more channel addresses and a profile. */
export interface Contact {
  id: string;
  tenantId: string;
  addresses: Address[];
  profile: { name?: string; locale?: string; [key: string]: unknown };
  /** Per-channel device capabilities (Apple's capability-list), keyed by channel. */
  capabilities?: Record<string, string[]>;
  tags?: string[];
  crmRef?: string;
  /** The business's own attributes of the contact (loyalty tier, account number…): flat scalar values. */
  attributes?: Record<string, string | number | boolean>;
  createdAt: Date;
  updatedAt: Date;
}

/** Conversation status, as an agent inbox shows it. */
export type ConversationStatus = 'open' | 'pending' | 'resolved';

/** Who handles a conversation right now. */
export type Assignee =
  | { kind: 'bot'; handler: string }
  | { kind: 'queue'; queue: string }
  | { kind: 'agent'; agentId: string; queue?: string }
  | { kind: 'forward'; url: string }
  | { kind: 'none' };

/** One contact on one channel account. */
export interface Conversation {
  id: string;
  tenantId: string;
  contactId: string;
  address: Address;
  status: ConversationStatus;
  assignee: Assignee;
  /** Time of the customer's last message: opens the customer-service window. */
  lastInboundAt?: Date;
  /** Time of the business's last message. */
  lastOutboundAt?: Date;
  /** Time the conversation was opened by an ad or referral entry point (extends some windows). */
  entryPointAt?: Date;
  /** Outbound messages since the customer's last message (Viber: ≤ 100/hour without a reply). */
  outboundSinceInbound?: number;
  /** First time the business answered, for first-response metrics. */
  firstResponseAt?: Date;
  tags: string[];
  crmRef?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Direction of a message. */
export type Direction = 'inbound' | 'outbound';

/** Who sent an outbound message. */
export type SenderKind = 'bot' | 'agent' | 'system';

/** A stored message. */
export interface Message {
  id: string;
  tenantId: string;
  conversationId: string;
  direction: Direction;
  /** Platform message id, once known. */
  externalId?: string;
  content: Content;
  status: DeliveryStatus;
  /** Platform time for inbound messages; acceptance time for outbound ones. */
  timestamp: Date;
  createdAt: Date;
  updatedAt: Date;
  replyTo?: string;
  purpose?: Purpose;
  sender?: SenderKind;
  error?: { code: string; message: string };
  /** How the connector rendered it (native, degraded, split into n parts). */
  rendering?: { form: 'native' | 'degraded'; parts: number };
  price?: { amount: number; currency: string; category: string };
}

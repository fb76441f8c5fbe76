/**
 * Validation of outbound requests (REST and library): unknown input in, a typed request or a
 * VALIDATION_FAILED error naming every bad field out — never a TypeError. The schemas are in
 * `api/schemas.ts`, with every other request body's.
 * @module
 */
import type { Content, Purpose, TemplateParameter } from '@switchboard/core';
import { NotificationRequestSchema, SendRequestSchema } from '../api/schemas.js';
import { parseInput } from '../api/validation.js';

/** A request to send one message. */
export interface SendRequest {
  channel: string;
  accountId: string;
  /** The customer's id on the channel; or give `conversationId`. */
  userId?: string;
  conversationId?: string;
  content: Content;
  purpose: Purpose;
  /** The stated context of a transactional or marketing message ("flight updates"). */
  topic?: string;
  /** A message tag for sending outside the window (Messenger). */
  tag?: string;
  sender: 'bot' | 'agent' | 'system';
  /** External id of the customer message this one answers. */
  replyTo?: string;
  /** Commerce category of a product message. */
  commerceCategory?: string;
}

/** A template send to many recipients. */
export interface NotificationRequest {
  channel: string;
  accountId: string;
  /** The template: its parameters may be overridden per recipient. */
  content: Extract<Content, { type: 'template' }>;
  purpose: Exclude<Purpose, 'service'>;
  topic?: string;
  recipients: { userId: string; parameters?: TemplateParameter[] }[];
}

/**
 * Validates a send request against {@link SendRequestSchema}.
 * @param input - parsed JSON
 * @returns the request: only what the schema declares (empty optional strings left out)
 * @throws RequestValidationError (VALIDATION_FAILED) naming every bad field
 */
export function parseSendRequest(input: unknown): SendRequest {
  const b = parseInput(SendRequestSchema, input);
  return {
    channel: b.channel, accountId: b.accountId, content: b.content, purpose: b.purpose, sender: b.sender,
    ...(b.userId ? { userId: b.userId } : {}), ...(b.conversationId ? { conversationId: b.conversationId } : {}),
    ...(b.topic ? { topic: b.topic } : {}), ...(b.tag ? { tag: b.tag } : {}),
    ...(b.replyTo ? { replyTo: b.replyTo } : {}), ...(b.commerceCategory ? { commerceCategory: b.commerceCategory } : {}),
  };
}

/**
 * Validates a notification request against {@link NotificationRequestSchema}.
 * @param input - parsed JSON
 * @returns the request: only what the schema declares
 * @throws RequestValidationError (VALIDATION_FAILED) naming every bad field
 */
export function parseNotificationRequest(input: unknown): NotificationRequest {
  const b = parseInput(NotificationRequestSchema, input);
  return {
    channel: b.channel, accountId: b.accountId, content: b.content as NotificationRequest['content'], purpose: b.purpose,
    ...(b.topic ? { topic: b.topic } : {}),
    recipients: b.recipients.map((r) => ({ userId: r.userId, ...(r.parameters ? { parameters: r.parameters as TemplateParameter[] } : {}) })),
  };
}

/**
 * The seam between what wants to send in a conversation (bot handlers, agents through the API)
 * and the outbound path. The host binds `PolicyOutboundGateway` (outbound-runtime.ts), which
 * checks every message with the policy engine before it reaches the outbox; an integrator may wrap
 * or replace it through the same token.
 * @module
 */
import type { Content, MessageForm, PolicyReason, Purpose, SenderKind } from '@switchboard/core';
import type { HostMessage } from '../stores/stores.js';

/** A request to send a message in a conversation. */
export interface OutboundRequest {
  tenantId: string;
  conversationId: string;
  content: Content;
  purpose?: Purpose;
  topic?: string;
  sender: SenderKind;
  /** External id of the customer message this answers. */
  replyTo?: string;
  /** A message tag, for channels that use them outside the window. */
  tag?: string;
  idempotencyKey?: string;
}

/** The outcome of a send request. */
export interface OutboundResult {
  status: 'queued' | 'denied';
  /** The stored message (queued) — absent when denied before storing. */
  message?: HostMessage;
  /** Why it was denied (the policy engine's reasons). */
  reasons?: PolicyReason[];
  form?: MessageForm;
  /** The decision record of the send or the refusal (`GET /v1/decisions/:id`). */
  decisionId?: string;
}

/** DI token for {@link OutboundGateway}. */
export const OutboundGateway = Symbol.for('switchboard.OutboundGateway');
/** Accepts outbound messages. */
export interface OutboundGateway {
  send(request: OutboundRequest): Promise<OutboundResult>;
}

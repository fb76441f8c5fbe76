/**
 * The outbound port: every send of the host — the REST API (`POST /v1/messages`,
 * `POST /v1/conversations/:id/messages`, `POST /v1/notifications`), bot handlers (`ctx.reply`,
 * `ctx.replyDocument`, `ctx.notify`), the agent console and the opt-in flow's messages — is one
 * {@link OutboundGateway.send}. The host binds `PolicyOutboundGateway` (outbound-runtime.ts), which
 * has the policy engine judge every message, keeps the decision record and writes the outbox; an
 * integrator may wrap or replace it through `HostOptions.gateway`, and then every send goes through
 * theirs.
 * @module
 */
import type { Content, MessageForm, PolicyReason, Price, Purpose, SenderKind } from '@switchboard/core';
import type { DecisionRecord } from '../stores/document-decision-store.js';
import type { HostMessage } from '../stores/stores.js';
import type { DocumentRequest } from './document-send.js';

/** How a send is made, whatever its target and body. */
export interface OutboundRequestBase {
  tenantId: string;
  /** Default `service`. */
  purpose?: Purpose;
  /** The stated context of a transactional or marketing message ("flight updates"). */
  topic?: string;
  sender: SenderKind;
  /** External id of the customer message this answers. */
  replyTo?: string;
  /** A message tag, for channels that use them outside the window. */
  tag?: string;
  /** Commerce category of a product message. */
  commerceCategory?: string;
  /** The same key and request replay the first answer; another request with it is a conflict. */
  idempotencyKey?: string;
  /**
   * The entry point, as the decision record names it. Default: `conversation` for a request naming
   * only its conversation, `api` for one naming its channel and account.
   */
  via?: DecisionRecord['via'];
  /** One of several recipients of the same notification (the policy judges it as a broadcast). */
  broadcast?: boolean;
}

/**
 * Where a message goes: a conversation (it names the channel, the account and the customer), or a
 * channel account and a customer (`userId`, or a `conversationId` on that account).
 */
export type OutboundTarget =
  | { conversationId: string; channel?: undefined; accountId?: undefined; userId?: undefined }
  | { channel: string; accountId: string; userId?: string; conversationId?: string };

/** What is sent: a content, or a document the host renders from a template and sends as a file. */
export type OutboundBody =
  | { content: Content; document?: undefined }
  | { document: DocumentRequest; content?: undefined };

/** A request to send one message. */
export type OutboundRequest = OutboundRequestBase & OutboundTarget & OutboundBody;

/** A message the policy allowed, stored and queued in the outbox. */
export interface OutboundQueued {
  status: 'queued';
  /** The message's id. */
  id: string;
  conversationId: string;
  /** The channel form it goes in (in the window, a template, a tag). */
  form: MessageForm;
  price: Price;
  /** How the connector renders it (natively or degraded, in how many parts). */
  rendering?: { form: 'native' | 'degraded'; parts: number };
  /** The decision record of the send (`GET /v1/decisions/:id`). */
  decisionId: string;
  /** The stored message. */
  message?: HostMessage;
}

/** A message the policy refused: nothing was stored or queued. */
export interface OutboundDenied {
  status: 'denied';
  /** Why it was denied (the policy engine's reasons). */
  reasons: PolicyReason[];
  /** The decision record of the refusal (`GET /v1/decisions/:id`). */
  decisionId?: string;
}

/** The outcome of a send request. */
export type OutboundResult = OutboundQueued | OutboundDenied;

/** DI token for {@link OutboundGateway}. */
export const OutboundGateway = Symbol.for('switchboard.OutboundGateway');
/** Accepts outbound messages: the one port every send of the host goes through. */
export interface OutboundGateway {
  /**
   * Sends one message: judged by the policy, recorded and queued — or refused with every reason.
   * @param request - target, body and how
   * @returns queued (the message's id, form, price, decision record) or denied (the reasons)
   * @throws NotFoundError for an unknown conversation, account or document template; a
   *   VALIDATION_FAILED error for a request the channel or template cannot take; CONFLICT for an
   *   idempotency key reused with another request
   */
  send(request: OutboundRequest): Promise<OutboundResult>;
}

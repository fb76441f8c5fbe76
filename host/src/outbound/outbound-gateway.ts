/**
 * The seam between what wants to send (bot handlers, agents through the API) and the outbound
 * path. This package's default stores the message as `queued` and writes it to the outbox; the
 * outbound issue's policy-enforcing gateway and dispatcher replace or extend it through the same
 * token.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import type { Clock, Content, MessageForm, Purpose, SenderKind } from '@switchboard/core';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStreams } from '../streams.js';
import type { HostMessage, HostStores, OutboxEntry } from '../stores/stores.js';

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
  /** The outbox entry id, when queued. */
  outboxId?: string;
  /** Why it was denied (the policy engine's reasons). */
  reasons?: { code: string; source?: string; message: string }[];
  form?: MessageForm;
}

/** DI token for {@link OutboundGateway}. */
export const OutboundGateway = Symbol.for('switchboard.OutboundGateway');
/** Accepts outbound messages. */
export interface OutboundGateway {
  send(request: OutboundRequest): Promise<OutboundResult>;
}

/**
 * The default gateway: stores the message as `queued` and writes its outbox entry. It does not
 * evaluate policy and nothing dispatches the outbox yet: the outbound issue plugs both in.
 */
export class QueueingOutboundGateway implements OutboundGateway {
  /**
   * @param stores - where messages and the outbox live
   * @param registry - finds the connector account of a conversation
   * @param streams - where `queued` is published
   * @param clock - time source
   */
  constructor(
    private readonly stores: HostStores,
    private readonly registry: ConnectorRegistry,
    private readonly streams: HostStreams,
    private readonly clock: Clock,
  ) {}

  async send(request: OutboundRequest): Promise<OutboundResult> {
    const conversation = await this.stores.conversations.get(request.tenantId, request.conversationId);
    if (!conversation) throw new NotFoundError('conversation', request.conversationId);
    const binding = this.registry.forAddress(request.tenantId, conversation.address);
    const now = new Date(this.clock.now());
    const message: HostMessage = {
      id: randomUUID(),
      tenantId: request.tenantId,
      conversationId: conversation.id,
      channel: conversation.address.channel,
      accountId: conversation.address.accountId,
      userId: conversation.address.userId,
      direction: 'outbound',
      content: request.content,
      status: 'queued',
      timestamp: now,
      createdAt: now,
      updatedAt: now,
      sender: request.sender,
      statusHistory: [{ status: 'queued', at: now }],
      ...(request.purpose ? { purpose: request.purpose } : {}),
      ...(request.topic ? { topic: request.topic } : {}),
      ...(request.replyTo ? { replyTo: request.replyTo } : {}),
    };
    await this.stores.messages.insert(message);
    const entry: OutboxEntry = {
      id: randomUUID(),
      tenantId: request.tenantId,
      messageId: message.id,
      channel: conversation.address.channel,
      account: binding?.account ?? conversation.address.accountId,
      message: {
        id: message.id, to: conversation.address, content: request.content, sender: request.sender,
        ...(request.purpose ? { purpose: request.purpose } : {}),
        ...(request.replyTo ? { replyTo: request.replyTo } : {}),
      },
      status: 'pending',
      attempts: 0,
      notBefore: now,
      createdAt: now,
      updatedAt: now,
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    };
    await this.stores.outbox.enqueue(entry);
    this.streams.status$.next({ tenantId: request.tenantId, message, status: 'queued', conversationId: conversation.id });
    return { status: 'queued', message, outboxId: entry.id };
  }
}

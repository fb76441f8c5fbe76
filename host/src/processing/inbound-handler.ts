/**
 * The contract between the dispatcher and the handlers: one handler per `InboundEvent['kind']`.
 * @module
 */
import type { InboundEvent } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { InboxEntry } from '../stores/stores.js';

/** An inbound event's kind. */
export type InboundKind = InboundEvent['kind'];

/** The event of one kind (typing and closed share one event type: each handler gets its own kind). */
export type InboundEventOf<K extends InboundKind> = NarrowKind<InboundEvent, K>;
type NarrowKind<E, K> = E extends { kind: infer EK } ? (K extends EK ? E & { kind: K } : never) : never;

/**
 * Every kind, checked by the compiler to be complete: adding a kind to core's union fails the
 * build here until it is listed (and then the dispatcher until it has a handler).
 */
const KINDS = { message: true, status: true, consent: true, 'conversation-started': true, typing: true, closed: true, unsupported: true } as const satisfies Record<InboundKind, true>;

/** Every inbound event kind. */
export const INBOUND_KINDS = Object.keys(KINDS) as InboundKind[];

/** What a handler is told besides the event. */
export interface InboundContext {
  /** The inbox entry the event came from (its id is stable across retries: derive idempotency keys from it). */
  entry: InboxEntry;
  /** The entry's tenant. */
  tenant: TenantConfig;
}

/** Multi-bound DI token: the handlers of inbound events, one per kind. */
export const InboundHandler = Symbol.for('switchboard.InboundHandler');

/**
 * Handles the inbound events of one kind. A handler that throws fails the entry, which is
 * retried (so a handler must be idempotent); {@link NotYetError} marks an expected retry.
 */
export interface InboundHandler<K extends InboundKind = InboundKind> {
  /** The kind handled. */
  readonly kind: K;
  /**
   * @param event - the event, its dates revived
   * @param context - its inbox entry and tenant
   */
  handle(event: InboundEventOf<K>, context: InboundContext): Promise<void>;
}

/** One handler per kind: what the dispatcher is built from, complete by type. */
export type InboundHandlers = { [K in InboundKind]: InboundHandler<K> };

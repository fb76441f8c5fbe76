/**
 * The dispatcher: hands each leased entry's event to the handler for its kind. Built once from
 * one handler per kind (a kind without one fails construction, so the host fails to start); a
 * kind the build does not know (a stored entry from a newer connector) goes to the `unsupported`
 * handler.
 * @module
 */
import type { InboundEvent, StatusEvent } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import type { InboxEntry } from '../stores/stores.js';
import { INBOUND_KINDS, type InboundHandler, type InboundHandlers, type InboundKind } from './inbound-handler.js';

/** Dispatches inbox entries to the handler of their event's kind (the worker's `InboxEntryHandler`). */
export class InboundDispatcher {
  private readonly byKind = new Map<string, InboundHandler>();

  /**
   * @param tenants - the configured tenants
   * @param handlers - one handler per kind
   * @throws Error when a kind has no handler or two
   */
  constructor(private readonly tenants: ReadonlyMap<string, TenantConfig>, handlers: readonly InboundHandler[]) {
    for (const h of handlers) {
      if (this.byKind.has(h.kind)) throw new Error(`two inbound handlers for kind ${h.kind}`);
      this.byKind.set(h.kind, h);
    }
    const missing = INBOUND_KINDS.filter((k) => !this.byKind.has(k));
    if (missing.length > 0) throw new Error(`no inbound handler for kind ${missing.join(', ')}`);
  }

  /**
   * Builds the dispatcher from a handler per kind, checked complete by the compiler.
   * @param tenants - the configured tenants
   * @param handlers - the handlers, by kind
   * @returns the dispatcher
   */
  static of(tenants: ReadonlyMap<string, TenantConfig>, handlers: InboundHandlers): InboundDispatcher {
    return new InboundDispatcher(tenants, Object.values(handlers) as InboundHandler[]);
  }

  /**
   * Handles one entry.
   * @param entry - a leased inbox entry
   */
  async dispatch(entry: InboxEntry): Promise<void> {
    const event = reviveEvent(entry.event);
    const tenant = this.tenants.get(entry.tenantId);
    if (!tenant) throw new Error(`unknown tenant ${entry.tenantId}`);
    const handler = this.byKind.get(event.kind) ?? this.byKind.get('unsupported' satisfies InboundKind)!;
    await handler.handle(event as never, { entry, tenant });
  }
}

/** Inbox entries may come back from a store with dates as strings: make them Dates again. */
function reviveEvent(event: InboundEvent): InboundEvent {
  const t = event.timestamp as Date | string | undefined;
  const revived = t === undefined || t instanceof Date ? event : { ...event, timestamp: new Date(t) } as InboundEvent;
  return revived.kind === 'status' ? reviveUpTo(revived) : revived;
}

/**
 * A watermark receipt's `upTo` as a Date (events are kept in the inbox as JSON). An entry kept by an
 * earlier version names it `watermark` only (Messenger's parser before it set core's `upTo`): it is
 * read here, once, so the handlers see only the typed field.
 */
function reviveUpTo(event: StatusEvent): StatusEvent {
  const given: unknown = event.upTo ?? ('watermark' in event ? event.watermark : undefined);
  if (given === undefined || given instanceof Date) return given === event.upTo ? event : { ...event, upTo: given };
  if (typeof given !== 'string' && typeof given !== 'number') return event;
  return { ...event, upTo: new Date(given) };
}

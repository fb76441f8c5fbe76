/**
 * An event the connector understood but the host has no model for (and any kind this build does
 * not know): kept in the inbox as handled, nothing else.
 * @module
 */
import type { UnsupportedEvent } from '@switchboard/core';
import type { InboundHandler } from '../inbound-handler.js';

/** Handles unsupported events: nothing to do. */
export class UnsupportedHandler implements InboundHandler<'unsupported'> {
  readonly kind = 'unsupported';

  /** @param _event - the event */
  async handle(_event: UnsupportedEvent): Promise<void> {
    // the connector logged what it did not understand; the entry completes
  }
}

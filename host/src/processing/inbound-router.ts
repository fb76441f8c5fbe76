/**
 * The processing side's view of routing: the one call the inbound path makes once a message is
 * stored and published. Declared here so processing needs nothing of routing's internals (the
 * host passes its `Router`, which has this shape), and routing imports nothing of processing.
 * @module
 */
import type { KeywordKind } from '../consent/keywords.js';
import type { InboundNotice } from '../streams.js';

/** DI token of {@link InboundRouter}. */
export const InboundRouter = Symbol.for('switchboard.InboundRouter');

/** Hands a stored inbound message to whoever handles it (a bot, an agent queue, the integrator's endpoint). */
export interface InboundRouter {
  /**
   * @param notice - the stored message, its conversation and contact
   * @param account - the account key it arrived on
   * @param keyword - the consent keyword it was, if any (already recorded)
   */
  route(notice: InboundNotice, account: string, keyword?: KeywordKind): Promise<void>;
}

/**
 * The inbox processor: drains the inbox off the request path. It assembles the inbound pipeline,
 * one file per step:
 *
 * 1. {@link InboxWorker} (`inbox-worker.ts`) leases due entries, orders them per conversation,
 *    completes or retries each;
 * 2. {@link InboundDispatcher} (`inbound-dispatcher.ts`) hands each event to the handler of its kind;
 * 3. the handlers (`handlers/<kind>-handler.ts`) resolve contact and conversation
 *    (`party-resolver.ts`), record consent (`inbox-consent.ts`, through the consent service),
 *    call the consent hooks (`consent-hooks.ts`), store and publish;
 * 4. the message handler hands the stored message to routing through {@link InboundRouter}
 *    (`inbound-router.ts`), the only thing processing knows of routing.
 * @module
 */
import type { Clock, Logger } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { ConsentService } from '../consent/consent-service.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { HostStreams } from '../streams.js';
import type { HostStores } from '../stores/stores.js';
import { ConsentHooks, type InboxConsentHook } from './consent-hooks.js';
import { ClosedHandler } from './handlers/closed-handler.js';
import { ConsentHandler } from './handlers/consent-handler.js';
import { ConversationStartedHandler } from './handlers/conversation-started-handler.js';
import { MessageHandler } from './handlers/message-handler.js';
import { StatusHandler } from './handlers/status-handler.js';
import { TypingHandler } from './handlers/typing-handler.js';
import { UnsupportedHandler } from './handlers/unsupported-handler.js';
import { InboundDispatcher } from './inbound-dispatcher.js';
import type { InboundRouter } from './inbound-router.js';
import { InboxConsent } from './inbox-consent.js';
import { InboxWorker, type InboxProcessorOptions } from './inbox-worker.js';
import { ProfileLookups } from './profile-lookups.js';
import { PartyResolver } from './party-resolver.js';

export type { ConsentHookEvent, InboxConsentHook, ResolvedConsentHookEvent } from './consent-hooks.js';
export type { InboxProcessorOptions } from './inbox-worker.js';
export { NotYetError } from './not-yet-error.js';
export { capabilitiesOf } from './party-resolver.js';

/** What the processor needs. */
export interface InboxProcessorDeps {
  stores: HostStores;
  streams: HostStreams;
  registry: ConnectorRegistry;
  tenants: ReadonlyMap<string, TenantConfig>;
  /** Where stored messages go next (the host's `Router`). */
  router: InboundRouter;
  /** The consent ledger's writer (default: one over `stores` and `streams`). */
  consent?: ConsentService;
  clock: Clock;
  logger: Logger;
}

/** Drains the inbox: the inbound pipeline, assembled. */
export class InboxProcessor {
  private readonly hooks = new ConsentHooks();
  private readonly settleHooks: ((tenantId: string) => Promise<void>)[] = [];
  private readonly worker: InboxWorker;

  /**
   * @param deps - stores, streams, registry, tenants, router, consent service, clock, logger
   * @param options - tuning
   */
  constructor(deps: InboxProcessorDeps, options: InboxProcessorOptions = {}) {
    const { stores, streams, registry, tenants, router, clock, logger } = deps;
    const parties = new PartyResolver({ stores, streams, clock });
    const consent = new InboxConsent(deps.consent ?? new ConsentService({ stores, streams }));
    const hooks = this.hooks;
    const dispatcher = InboundDispatcher.of(tenants, {
      message: new MessageHandler({ stores, streams, registry, parties, consent, hooks, router, profiles: new ProfileLookups({ registry, stores, streams, clock, logger }), clock, logger }),
      status: new StatusHandler({ stores, streams }),
      consent: new ConsentHandler({ stores, parties, consent }),
      'conversation-started': new ConversationStartedHandler({ stores, parties, hooks }),
      typing: new TypingHandler({ parties }),
      closed: new ClosedHandler({ parties, consent }),
      unsupported: new UnsupportedHandler(),
    });
    const settleHooks = this.settleHooks;
    const handler = {
      async dispatch(entry: Parameters<typeof dispatcher.dispatch>[0]): Promise<void> {
        await dispatcher.dispatch(entry);
        // what the entry's handlers set going (events for integrators) is written before the entry is done
        for (const settle of settleHooks) await settle(entry.tenantId);
      },
    };
    this.worker = new InboxWorker({ inbox: stores.inbox, tenantIds: () => tenants.keys(), handler, clock, logger }, options);
  }

  /**
   * Adds a consent hook (called for every customer message and conversation start, in the order added).
   * @param hook - the hook
   */
  addConsentHook(hook: InboxConsentHook): void {
    this.hooks.add(hook);
  }

  /**
   * Adds a hook awaited after an entry's handlers ran and before the entry is completed: a part that
   * writes something of its own for the entry (the webhook publisher's queue) waits for the write
   * there, so a crash in between leaves the entry to be processed again rather than the write lost.
   * @param hook - called with the entry's tenant
   */
  addSettleHook(hook: (tenantId: string) => Promise<void>): void {
    this.settleHooks.push(hook);
  }

  /** Starts draining in the background. */
  start(): void {
    this.worker.start();
  }

  /** Stops after the current round. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Signals that new entries are waiting (called after an inbox write). */
  kick(): void {
    this.worker.kick();
  }

  /** Resolves once a round finds nothing due (everything written so far has been handled or deferred). */
  idle(): Promise<void> {
    return this.worker.idle();
  }

  /** Whether a round is in progress. */
  get processing(): boolean {
    return this.worker.processing;
  }

  /**
   * One round: lease due entries of every tenant and process them.
   * @returns whether anything was processed
   */
  round(): Promise<boolean> {
    return this.worker.round();
  }
}

/**
 * A library-level harness for the outbound path: memory stores, the policy engine, the outbound
 * service and the dispatcher wired to real connectors talking to their fake platform servers.
 */
import { ManualClock, createPolicyEngine, type BusinessPolicy, type ConnectorPlugin, type FakePlatform } from '@switchboard/core';
import { StaticConnectorRegistry, type HostConnectorBinding } from '../../../host/src/plugins/connector-registry.js';
import { MemoryStores } from '../../../host/src/stores/host-stores.js';
import { Dispatcher, type DispatcherOptions } from '../../../host/src/outbound/dispatcher.js';
import { OutboundService } from '../../../host/src/outbound/outbound-service.js';
import type { RateBudget } from '../../../host/src/outbound/rate-budget.js';
import type { TemplateStore } from '../../../host/src/outbound/template-registry.js';
import { ScaledTimer, type Timer } from '../../../host/src/outbound/timer.js';
import { VirtualTime } from '../support/virtual-time.js';

export interface Harness {
  stores: MemoryStores;
  templates: TemplateStore;
  service: OutboundService;
  dispatcher: Dispatcher;
  clock: ManualClock;
  timer: Timer;
  bindings: HostConnectorBinding[];
  /**
   * Runs until `done` holds. On virtual time (`options.time`) time jumps from one due moment to the
   * next (a rate slot, a retry, a cool-down) once nothing is in flight; otherwise it polls for up
   * to `ms` of wall time.
   */
  run(done: () => Promise<boolean> | boolean, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export const TENANT = 't1';

export function outboundHarness(options: {
  plugins: { plugin: ConnectorPlugin; fake: FakePlatform; account?: string }[];
  business?: BusinessPolicy;
  timeScale?: number;
  /**
   * Virtual time shared with the fakes (create them with `clock: time.clock`): the dispatcher
   * sleeps on it and the connectors call the platform through its tracked fetch. Excludes `timeScale`.
   */
  time?: VirtualTime;
  dispatcher?: DispatcherOptions;
  stores?: MemoryStores;
  budget?: RateBudget;
}): Harness {
  const clock = new ManualClock(Date.parse('2026-11-20T10:00:00Z'));
  const stores = options.stores ?? new MemoryStores({ now: () => clock.now() });
  const templates = stores.templates;
  const { time } = options;
  if (time && options.timeScale !== undefined) throw new Error('outboundHarness: timeScale and virtual time exclude each other');
  const timer: Timer = time ?? new ScaledTimer(options.timeScale ?? 1);
  const bindings: HostConnectorBinding[] = options.plugins.map(({ plugin, fake, account }) => {
    const connector = plugin.create(plugin.parseConfig(fake.connectorConfig()), { clock, ...(time ? { fetch: time.fetch() } : {}) });
    return { tenantId: TENANT, channel: plugin.channel, account: account ?? connector.accountId ?? 'default', connector, plugin };
  });
  const tenants = { policyFor: (id: string) => (id === TENANT ? { business: options.business ?? { consentRequiredFor: ['transactional', 'marketing'] as const }, consentScope: 'all-channels' as const } : undefined) };
  const late: { dispatcher?: Dispatcher } = {};
  const service = new OutboundService({
    stores, templates, engine: createPolicyEngine(clock), connectors: new StaticConnectorRegistry(bindings), tenants: tenants as never, clock,
    idempotency: stores.idempotency, onQueued: () => late.dispatcher?.kick(),
  });
  const dispatcher = new Dispatcher({
    stores, connectors: new StaticConnectorRegistry(bindings), tenants: () => [TENANT], budget: options.budget ?? stores.budget, timer,
    options: { pollMs: 20, ...options.dispatcher },
    hooks: {
      recheck: (_entry, message) => service.recheck(TENANT, message),
      onRecipientBlocked: async (entry) => {
        const conversation = await stores.conversations.findByAddress(entry.tenantId, entry.message.to);
        if (!conversation) return;
        await stores.consent.append({
          id: `blocked-${entry.id}`, tenantId: entry.tenantId, contactId: conversation.contactId, channel: entry.channel, action: 'blocked',
          scope: 'channel', at: new Date(clock.now()), evidence: { source: 'platform', detail: 'the platform refused delivery: recipient blocked the business' },
        });
      },
    },
  });
  late.dispatcher = dispatcher;
  /** The earliest `notBefore` of a pending entry: a retry or a paced entry nobody sleeps for. */
  const due = async (): Promise<number | undefined> => {
    const pending = await stores.outbox.list(TENANT, { status: 'pending', limit: 100_000 });
    return pending.length > 0 ? Math.min(...pending.map((e) => e.notBefore.getTime())) : undefined;
  };
  return {
    stores, templates, service, dispatcher, clock, timer, bindings,
    run: (done, ms) => (time ? time.runUntil(done, { due, onStep: () => dispatcher.kick() }) : until(done, ms)),
    stop: async () => { await dispatcher.stop(); },
  };
}

/** Records a customer message on the conversation so the service window is open. */
export async function customerWrote(h: Harness, channel: string, accountId: string, userId: string, at = new Date(h.clock.now())): Promise<string> {
  const address = { channel, accountId, userId };
  const now = new Date(h.clock.now());
  const { contact } = await h.stores.contacts.findOrCreateByAddress(TENANT, address, () => ({ id: `contact-${userId}`, tenantId: TENANT, addresses: [address], profile: {}, createdAt: now, updatedAt: now }));
  const { conversation } = await h.stores.conversations.findOrCreate(TENANT, address, () => ({
    id: `conv-${channel}-${userId}`, tenantId: TENANT, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now,
  }));
  await h.stores.conversations.recordInbound(TENANT, conversation.id, at);
  return conversation.id;
}

/** Waits until a predicate holds (polling), or fails after `ms`. */
export async function until(predicate: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

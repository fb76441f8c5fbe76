/**
 * A small outbound world for unit tests of the decision path: memory stores, the outbound runtime
 * (service, dispatcher, decision records), connectors that record what they are asked to send
 * instead of calling a platform, channel policies written for the test, and a clock that moves
 * only when the test (or a dispatcher wait) moves it.
 */
import {
  ManualClock, type ChannelPolicy, type ConsentEntry, type Connector, type ConnectorPlugin, type OutboundMessage, type Purpose, type SendResult,
} from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { OutboundRuntime } from '../outbound/outbound-runtime.js';
import type { Timer } from '../outbound/timer.js';
import { StaticConnectorRegistry, type HostConnectorBinding } from '../plugins/connector-registry.js';
import { MemoryStores } from '../stores/host-stores.js';
import { createHostStreams } from '../streams.js';

const DAY = 86_400_000;

/** A WhatsApp-like policy: 24 h window, approved templates outside it, a 1K unique-recipient tier, DE and US marketing rates. */
export const waPolicy: ChannelPolicy = {
  channel: 'whatsapp', initiation: 'template', serviceWindowHours: 24,
  outsideWindow: { templateCategories: ['marketing', 'utility', 'authentication'] },
  consentRequiredFor: ['transactional', 'marketing'], marketingAllowed: true, broadcast: { allowed: true, maxRecipientsPerRequest: 1 },
  rateLimits: [
    { scope: 'account', limit: 80, perMs: 1000, enforcement: 'pace' },
    { scope: 'unique-recipients-per-day', limit: 1000, perMs: DAY, enforcement: 'deny', note: 'the account is on the 1K tier' },
  ],
  text: { maxLength: 4096, overflow: 'split' }, restrictedCommerce: [],
  pricing: {
    currency: 'EUR', serviceSessionHours: 24, source: 'test rates',
    entries: [
      { category: 'marketing', amount: 0.0800, from: '2025-07-01' },
      { category: 'marketing', amount: 0.1131, from: '2025-07-01', market: 'DE' },
      { category: 'marketing', amount: 0.0250, from: '2025-07-01', market: 'US' },
      { category: 'utility', amount: 0.0456, from: '2025-07-01', freeInServiceWindow: true },
    ],
  },
  sources: [],
};

/** A Telegram-like policy: no window, free. */
export const tgPolicy: ChannelPolicy = {
  channel: 'telegram', initiation: 'user', consentRequiredFor: ['marketing'], marketingAllowed: true, broadcast: { allowed: true },
  rateLimits: [{ scope: 'account', limit: 30, perMs: 1000, enforcement: 'pace' }],
  text: { maxLength: 4096, overflow: 'split' }, restrictedCommerce: [],
  pricing: { currency: 'EUR', source: 'free', entries: [] },
  sources: [],
};

/** A Viber-like policy: business-initiated messages charged per market, free inside the 24 h session. */
export const viberPolicy: ChannelPolicy = {
  channel: 'viber', initiation: 'user', consentRequiredFor: ['marketing'], marketingAllowed: true, broadcast: { allowed: true },
  rateLimits: [], text: { maxLength: 7000, overflow: 'split' }, restrictedCommerce: [],
  pricing: {
    currency: 'EUR', serviceSessionHours: 24, source: 'test rates',
    entries: [
      { category: 'business-initiated', amount: 0.0196, from: '2022-09-01', freeInServiceWindow: true },
      { category: 'business-initiated', amount: 0.0115, from: '2022-09-01', market: 'GE', freeInServiceWindow: true },
    ],
  },
  sources: [],
};

/** What the recording connectors were asked to send. */
export interface SentMessage { channel: string; message: OutboundMessage; at: number }

/** The world. */
export interface OutboundWorld {
  clock: ManualClock;
  stores: MemoryStores;
  runtime: OutboundRuntime;
  bindings: HostConnectorBinding[];
  sent: SentMessage[];
  tenant: TenantConfig;
  /** Runs before every wait of the dispatcher (then the clock moves by the wait). */
  onWait: ((ms: number) => Promise<void> | void) | undefined;
  /** Records a customer message (opens the window) and returns the conversation and contact ids. */
  customerWrote(channel: string, userId: string, profile?: Record<string, unknown>): Promise<{ conversationId: string; contactId: string }>;
  /** Appends a consent entry for a contact. */
  consent(contactId: string, channel: string, action: ConsentEntry['action'], purpose: Purpose, over?: Partial<ConsentEntry>): Promise<ConsentEntry>;
  /** Registers an approved template. */
  template(channel: string, name: string, category: 'marketing' | 'utility' | 'authentication'): Promise<void>;
  /** Starts the dispatcher and waits until a message is sent or failed (wall-time limit only, never a measurement). */
  dispatched(messageId: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Builds the world.
 * @param options - the tenant's config fields
 * @returns the world
 */
export function outboundWorld(options: Partial<TenantConfig> = {}): OutboundWorld {
  const clock = new ManualClock(Date.parse('2026-12-01T10:00:00Z'));
  const stores = new MemoryStores({ now: () => clock.now() });
  const streams = createHostStreams();
  const sent: SentMessage[] = [];
  const tenant: TenantConfig = { id: 'shop', apiKeys: ['shop-key-0123456789abcdef'], ...options };
  const connector = (channel: string, accountId: string): Connector => ({
    channel, accountId,
    handshake: () => undefined, verify: () => undefined, parse: () => [],
    render: (m) => ({ method: 'POST', url: `https://platform.example/${channel}/${accountId}`, headers: {}, body: m.content }),
    send: async (m): Promise<SendResult> => { sent.push({ channel, message: m, at: clock.now() }); return { externalId: `x-${sent.length}`, acceptedAt: new Date(clock.now()) }; },
    classify: (e) => { throw e; },
  });
  const bindings: HostConnectorBinding[] = [waPolicy, tgPolicy, viberPolicy].map((policy) => ({
    channel: policy.channel, account: 'main', tenantId: tenant.id, connector: connector(policy.channel, `${policy.channel}-acc`),
    plugin: { apiVersion: 1, channel: policy.channel, displayName: policy.channel, policy } as unknown as ConnectorPlugin,
  }));
  const world: OutboundWorld = {
    clock, stores, bindings, sent, tenant, onWait: undefined,
    runtime: undefined as never,
    async customerWrote(channel, userId, profile = {}) {
      const address = { channel, accountId: `${channel}-acc`, userId };
      const now = new Date(clock.now());
      const { contact } = await stores.contacts.findOrCreateByAddress(tenant.id, address, () => ({ id: `contact-${userId}`, tenantId: tenant.id, addresses: [address], profile, createdAt: now, updatedAt: now }));
      const { conversation } = await stores.conversations.findOrCreate(tenant.id, address, () => ({
        id: `conv-${channel}-${userId}`, tenantId: tenant.id, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: now, updatedAt: now,
      }));
      await stores.conversations.recordInbound(tenant.id, conversation.id, now);
      return { conversationId: conversation.id, contactId: contact.id };
    },
    async consent(contactId, channel, action, purpose, over = {}) {
      const entry: ConsentEntry = {
        id: `consent-${contactId}-${action}-${purpose}-${clock.now()}`, tenantId: tenant.id, contactId, channel, action, purpose, scope: 'all-channels',
        at: new Date(clock.now()), evidence: { source: 'web-form', wording: 'Yes, send me offers and updates', privacyPolicy: { version: '2026-01' }, reference: 'form-17' }, ...over,
      };
      await stores.consent.append(entry);
      return entry;
    },
    async template(channel, name, category) {
      const now = new Date(clock.now());
      await stores.templates.insert({ id: `${channel}-${name}`, tenantId: tenant.id, channel, name, language: 'en', category, body: `${name} body`, status: 'approved', createdAt: now, updatedAt: now });
    },
    async dispatched(messageId) {
      world.runtime.start();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const m = await stores.messages.get(tenant.id, messageId);
        if (m && (m.status === 'sent' || m.status === 'failed')) return m.status;
        if (Date.now() > deadline) throw new Error(`message ${messageId} was neither sent nor failed`);
        world.runtime.dispatcher.kick();
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() { await world.runtime.stop(); },
  };
  const timer: Timer = {
    now: () => clock.now(),
    sleep: async (ms) => { await world.onWait?.(ms); clock.advance(Math.max(0, ms)); },
  };
  world.runtime = new OutboundRuntime(
    { stores, streams, connectors: new StaticConnectorRegistry(bindings), tenants: new Map([[tenant.id, tenant]]), clock },
    { timer, dispatcher: { pollMs: 5 } },
  );
  return world;
}

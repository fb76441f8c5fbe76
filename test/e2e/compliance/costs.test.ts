/**
 * Costs of a scripted month (September 2025) of traffic through WhatsApp, Viber and Telegram's
 * fake servers, priced at each message's send time by the channels' own price schedules, against a
 * table computed by hand from those schedules:
 *
 * WhatsApp (2025 per-message model, indicative DE rates, EUR): service replies free; utility
 * templates free inside the customer-service window, 0.0456 outside; marketing 0.1131 always;
 * authentication 0.0456. Viber: messages inside the 24 h session free, every bot-initiated message
 * 0.0189, the rate of the market Viber reports for the user (`sender.country`: DE), not the
 * schedule's default 0.0196. Telegram: free.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type Content, type Conversation, type FakePlatform, type Purpose } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import whatsapp, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import viber from '@switchboard/viber';
import telegram from '@switchboard/telegram';
import { createAnalyticsFeature, type AnalyticsFeature } from '../../../host/src/analytics/analytics-feature.js';
import type { CostEntry, CostTotal } from '../../../host/src/stores/ledger-stores.js';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'costs-e2e-key-0123456789abcdef';
const TENANT = 'garage';
const HOUR = 3_600_000;

/** The hand-computed table: channel, category, messages, amount in EUR. */
const EXPECTED: CostTotal[] = [
  { channel: 'telegram', category: 'service', currency: 'EUR', messages: 3, amount: 0 },
  { channel: 'viber', category: 'business-initiated', currency: 'EUR', messages: 3, amount: 0.0567 }, // 3 × 0.0189 (DE)
  { channel: 'viber', category: 'service', currency: 'EUR', messages: 4, amount: 0 },
  { channel: 'whatsapp', category: 'authentication', currency: 'EUR', messages: 1, amount: 0.0456 },
  { channel: 'whatsapp', category: 'marketing', currency: 'EUR', messages: 4, amount: 0.4524 }, // 4 × 0.1131, in the window or not
  { channel: 'whatsapp', category: 'service', currency: 'EUR', messages: 4, amount: 0 },
  { channel: 'whatsapp', category: 'utility', currency: 'EUR', messages: 6, amount: 0.1368 }, // 3 in the window free, 3 × 0.0456
];
const EXPECTED_TOTAL = 0.6915;

describe('costs of a scripted month', () => {
  const clock = new ManualClock(Date.parse('2025-09-01T08:00:00Z'));
  const fakes: Record<string, FakePlatform> = {};
  let host: Host;
  let url: string;
  let analytics: AnalyticsFeature | undefined;
  const factory = createAnalyticsFeature();
  const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    // the platform on the scripted clock too: its 24-hour window agrees with the host's
    const wa = new FakeWhatsAppServer({ clock });
    fakes.whatsapp = wa;
    fakes.viber = viber.fake!();
    fakes.telegram = telegram.fake!();
    for (const f of Object.values(fakes)) await f.start();
    for (const [name, category] of [['order_shipped', 'UTILITY'], ['autumn_offer', 'MARKETING'], ['login_code', 'AUTHENTICATION']] as const) {
      wa.seedTemplate({ name, language: 'en_US', category, status: 'APPROVED', components: [{ type: 'BODY', text: `${name} body` }] });
    }
    host = await createHost(configFromObject({ store: tempDatabase(),
      logLevel: 'silent',
      tenants: [{ id: TENANT, apiKeys: [KEY] }],
      connectors: [
        { package: '@switchboard/whatsapp', plugin: whatsapp, required: true, accounts: [{ id: 'main', config: fakes.whatsapp.connectorConfig() }] },
        { package: '@switchboard/viber', plugin: viber, required: true, accounts: [{ id: 'main', config: fakes.viber.connectorConfig() }] },
        { package: '@switchboard/telegram', plugin: telegram, required: true, accounts: [{ id: 'main', config: fakes.telegram.connectorConfig() }] },
      ],
    }), {
      logger: silentLogger, clock, processor: { pollMs: 10 },
      // pacing waits (WhatsApp's pair rate) pass on the scripted clock, not in real time
      outbound: { dispatcher: { pollMs: 10 }, timer: { now: () => clock.now(), sleep: async (ms: number) => { clock.advance(ms); } } },
      features: [(ctx) => (analytics = factory(ctx) as AnalyticsFeature)],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    const now = new Date(clock.now());
    for (const [name, category] of [['order_shipped', 'utility'], ['autumn_offer', 'marketing'], ['login_code', 'authentication']] as const) {
      await host.outbound.templates.insert({ id: name, tenantId: TENANT, channel: 'whatsapp', name, language: 'en_US', category, body: `${name} body`, status: 'approved', createdAt: now, updatedAt: now });
    }
  }, 30_000);
  afterAll(async () => {
    await host?.stop();
    for (const f of Object.values(fakes)) await f.stop();
  });

  let n = 0;
  /** A customer writes at the clock's time; resolves with the conversation once it is stored. */
  async function customerWrites(channel: string, userId: string): Promise<Conversation> {
    const res = await fakes[channel]!.deliver(`${url}/webhooks/${channel}/main`, fakes[channel]!.userMessage({ userId, text: `question ${++n}`, timestamp: new Date(clock.now()) }));
    expect(res.status).toBe(200);
    const at = clock.now();
    const c = await eventually(async () => {
      const conv = (await host.stores.conversations.list(TENANT, { channel })).find((x) => x.address.userId === userId);
      return conv?.lastInboundAt && conv.lastInboundAt.getTime() >= at - 1000 ? conv : undefined;
    });
    // the tenant holds opt-ins for notifications and marketing on every channel
    if ((await host.stores.consent.listByContact(TENANT, c.contactId)).length === 0) {
      for (const purpose of ['transactional', 'marketing'] as const) {
        await host.stores.consent.append({ id: `optin-${c.contactId}-${purpose}`, tenantId: TENANT, contactId: c.contactId, channel, action: 'opt-in', purpose, scope: 'all-channels', at: new Date(at - 1), evidence: { source: 'import' } });
      }
    }
    return c;
  }

  /** Queues a message; with `holdFor`, the platform answers 503 first and the retry goes out that much later. */
  async function send(channel: string, userId: string, content: Content, purpose: Purpose, options: { holdFor?: number } = {}): Promise<CostEntry> {
    const fake = fakes[channel]!;
    if (options.holdFor) fake.script([{ status: 503, body: { error: 'temporarily unavailable' } }]);
    const outcome = await host.outbound.service.send(TENANT, { channel, accountId: 'main', userId, content, purpose, sender: 'bot' });
    if (!outcome.accepted) throw new Error(`refused: ${JSON.stringify(outcome.reasons)}`);
    if (options.holdFor) {
      await eventually(async () => (await host.stores.outbox.findByMessage(TENANT, outcome.id))?.lastError);
      clock.advance(options.holdFor);
      host.outbound.dispatcher.kick();
    }
    await eventually(async () => {
      if ((await host.stores.messages.get(TENANT, outcome.id))?.status === 'sent') return true;
      // the dispatcher paces a recipient's messages (WhatsApp's pair rate): let the clock reach the slot
      const entry = await host.stores.outbox.findByMessage(TENANT, outcome.id);
      if (entry?.status === 'pending' && entry.notBefore.getTime() > clock.now()) { clock.set(entry.notBefore); host.outbound.dispatcher.kick(); }
      return false;
    });
    // the cost is recorded from the status notice, which the dispatcher publishes after it stored
    // 'sent' (a commit or two later on SQLite): wait for the entry, flushing what the recorder holds
    return eventually(async () => {
      await analytics!.flush();
      const [entry] = (await host.stores.costs!.list(TENANT, { from: new Date(0), to: new Date(8.64e15) })).filter((e) => e.messageId === outcome.id);
      return entry;
    });
  }

  const text = (t: string): Content => ({ type: 'text', text: t });
  const template = (name: string, category: 'utility' | 'marketing' | 'authentication'): Content => ({ type: 'template', name, language: 'en_US', category });
  const later = (hours: number): void => clock.advance(hours * HOUR);

  it('prices every message when it was sent and totals the ledger per channel and category as computed by hand', async () => {
    const W1 = '4915110000001';
    const W2 = '4915110000002';
    const V1 = 'viberUser0000001AAAA=';
    const V2 = 'viberUser0000002BBBB=';
    const T1 = '700001';

    // week 1: questions answered in the window (free), utility templates in the window (free)
    await customerWrites('whatsapp', W1);
    later(1);
    expect((await send('whatsapp', W1, text('Your car is in the workshop'), 'service')).amount).toBe(0);
    expect((await send('whatsapp', W1, template('order_shipped', 'utility'), 'transactional')).amount).toBe(0);
    later(2);
    expect((await send('whatsapp', W1, text('It will be ready tomorrow'), 'service')).amount).toBe(0);
    expect((await send('whatsapp', W1, template('order_shipped', 'utility'), 'transactional')).amount).toBe(0);
    await customerWrites('whatsapp', W2);
    later(1);
    expect((await send('whatsapp', W2, text('Yes, we have winter tyres'), 'service')).amount).toBe(0);
    expect((await send('whatsapp', W2, template('order_shipped', 'utility'), 'transactional')).amount).toBe(0);
    // a marketing template inside the window is charged all the same
    expect((await send('whatsapp', W2, template('autumn_offer', 'marketing'), 'marketing')).amount).toBe(0.1131);
    await customerWrites('viber', V1);
    later(1);
    expect((await send('viber', V1, text('Your car is ready'), 'service')).category).toBe('service');
    expect((await send('viber', V1, text('We are open until 18:00'), 'service')).amount).toBe(0);
    await customerWrites('telegram', T1);
    expect((await send('telegram', T1, text('Hello from the workshop bot'), 'service')).amount).toBe(0);

    // week 2: the windows have closed
    later(24 * 6);
    expect((await send('whatsapp', W1, template('order_shipped', 'utility'), 'transactional'))).toMatchObject({ amount: 0.0456, inServiceSession: false });
    expect((await send('whatsapp', W2, template('order_shipped', 'utility'), 'transactional')).amount).toBe(0.0456);
    expect((await send('whatsapp', W1, template('autumn_offer', 'marketing'), 'marketing')).amount).toBe(0.1131);
    expect((await send('whatsapp', W2, template('autumn_offer', 'marketing'), 'marketing')).amount).toBe(0.1131);
    expect((await send('whatsapp', W1, template('login_code', 'authentication'), 'transactional')).amount).toBe(0.0456);
    // Viber charges every message the bot starts outside the 24 h session, at the rate of the user's reported
    // market (regression: every message was priced at the schedule's default market)
    expect((await send('viber', V1, text('Your service is due next week'), 'transactional'))).toMatchObject({ category: 'business-initiated', amount: 0.0189 });
    expect((await send('telegram', T1, text('Your service is due next week'), 'transactional')).amount).toBe(0);

    // week 3: quoted free in the window, sent after it closed (the platform was down for a day): charged
    later(24 * 7);
    await customerWrites('whatsapp', W1);
    const held = await send('whatsapp', W1, template('order_shipped', 'utility'), 'transactional', { holdFor: 25 * HOUR });
    expect(held).toMatchObject({ category: 'utility', amount: 0.0456, quotedAmount: 0, inServiceSession: false });
    // the stored message shows what it cost, not what was quoted
    expect((await host.stores.messages.get(TENANT, held.messageId))?.price).toEqual({ amount: 0.0456, currency: 'EUR', category: 'utility' });
    await customerWrites('viber', V2);
    later(2);
    expect((await send('viber', V2, text('Thanks, noted'), 'service')).amount).toBe(0);
    const heldViber = await send('viber', V2, text('Your appointment is confirmed'), 'service', { holdFor: 30 * HOUR });
    expect(heldViber).toMatchObject({ category: 'business-initiated', amount: 0.0189, quotedAmount: 0 });

    // week 4: answered in the window again
    later(24 * 5);
    await customerWrites('whatsapp', W2);
    expect((await send('whatsapp', W2, text('The parts arrived'), 'service')).amount).toBe(0);
    expect((await send('whatsapp', W2, template('autumn_offer', 'marketing'), 'marketing')).amount).toBe(0.1131);
    await customerWrites('viber', V1);
    later(3);
    expect((await send('viber', V1, text('See you tomorrow'), 'service')).amount).toBe(0);
    later(30);
    expect((await send('viber', V1, text('How was the service?'), 'transactional')).amount).toBe(0.0189);
    await customerWrites('telegram', T1);
    expect((await send('telegram', T1, text('Noted, thanks'), 'service')).amount).toBe(0);
    expect(new Date(clock.now()).toISOString().slice(0, 7)).toBe('2025-09');

    // the ledger per channel and category, over the month
    const month = '?from=2025-09-01&to=2025-10-01';
    const costs = await api<{ items: CostEntry[]; totals: CostTotal[] }>(`/v1/costs${month}`);
    expect(costs.status).toBe(200);
    expect(costs.body.totals).toEqual(EXPECTED);
    expect(costs.body.items).toHaveLength(25);
    const report = await api<{ cost: { total: { currency: string; messages: number; amount: number }[] } }>(`/v1/analytics${month}`);
    expect(report.body.cost.total).toEqual([{ currency: 'EUR', messages: 25, amount: EXPECTED_TOTAL }]);
    const viberOnly = await api<{ items: CostEntry[]; totals: CostTotal[] }>(`/v1/costs${month}&channel=viber`);
    expect(viberOnly.body.items.map((e) => e.amount)).toEqual([0, 0, 0.0189, 0, 0.0189, 0, 0.0189]);
    // nothing in August
    expect((await api<{ totals: CostTotal[] }>('/v1/costs?from=2025-08-01&to=2025-09-01')).body.totals).toEqual([]);

    // a receipt for an already charged message charges nothing more
    const before = (await host.stores.costs!.list(TENANT, { from: new Date(0), to: new Date(8.64e15) })).length;
    const sentMessage = await host.stores.messages.get(TENANT, held.messageId);
    host.streams.status$.next({ tenantId: TENANT, conversationId: sentMessage!.conversationId, message: { ...sentMessage!, status: 'delivered' }, status: 'delivered' });
    await analytics!.flush();
    expect((await host.stores.costs!.list(TENANT, { from: new Date(0), to: new Date(8.64e15) })).length).toBe(before);

    // and the metrics say the same
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('switchboard_message_cost_total{channel="whatsapp",currency="EUR",tenant="garage"} 0.6348');
    expect(metrics).toContain('switchboard_sends_total{channel="viber",tenant="garage"} 7');
    expect(metrics).toMatch(/switchboard_dispatch_latency_seconds_count\{channel="whatsapp"\} 15\n/);
    // and, beside the host's own families, the process and Node.js runtime metrics prom-client adds
    expect(metrics).toMatch(/^# TYPE switchboard_message_cost_total counter$/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  }, 120_000);
});

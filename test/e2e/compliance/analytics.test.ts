/**
 * The service report over a scripted month: the car workshop's 3,800 enquiries, 3,000 answered by
 * the bot (78.9 %), 760 by agents, 40 not at all; first-response times, answers inside the window,
 * traffic per channel and consent changes, all known by construction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsentEntry } from '@switchboard/core';
import { MemoryStores } from '../../../host/src/stores/host-stores.js';
import type { HostMessage } from '../../../host/src/stores/stores.js';
import { createAnalyticsFeature } from '../../../host/src/analytics/analytics-feature.js';
import type { AnalyticsReport } from '../../../host/src/analytics/analytics-report.js';
import { startHost, type RunningHost } from '../support/host-harness.js';

let h: RunningHost | undefined;
afterEach(async () => { await h?.stop(); h = undefined; });

const START = Date.parse('2025-09-01T00:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Builds the month: 1,900 conversations with two enquiries each. */
async function scriptMonth(stores: MemoryStores): Promise<void> {
  let seq = 0;
  const msg = (conversationId: string, channel: string, userId: string, direction: 'inbound' | 'outbound', at: number, over: Partial<HostMessage> = {}): HostMessage => ({
    id: `m-${++seq}`, tenantId: 't1', conversationId, channel, accountId: 'acc', userId, direction, content: { type: 'text', text: `${direction} ${seq}` },
    status: direction === 'inbound' ? 'delivered' : 'delivered', timestamp: new Date(at), createdAt: new Date(at), updatedAt: new Date(at),
    ...(direction === 'outbound' ? { statusHistory: [{ status: 'queued', at: new Date(at) }, { status: 'sent', at: new Date(at) }, { status: 'delivered', at: new Date(at + SECOND) }] } : {}),
    ...over,
  });
  let enquiry = 0;
  for (let c = 0; c < 1900; c++) {
    // 1,000 conversations on WhatsApp, 900 on Telegram
    const channel = c < 1000 ? 'whatsapp' : 'telegram';
    const conversationId = `conv-${c}`;
    const userId = `user-${c}`;
    let t = START + c * 10 * MINUTE;
    const messages: HostMessage[] = [];
    for (let turn = 0; turn < 2; turn++) {
      const e = enquiry++;
      messages.push(msg(conversationId, channel, userId, 'inbound', t));
      // every tenth enquiry comes in two messages: still one enquiry
      if (e % 10 === 0) messages.push(msg(conversationId, channel, userId, 'inbound', t + SECOND));
      if (e < 3000) {
        // a failed attempt answers nothing; the bot's next message does
        if (e % 100 === 0) messages.push(msg(conversationId, channel, userId, 'outbound', t + 2 * SECOND, { sender: 'bot', status: 'failed', statusHistory: [{ status: 'failed', at: new Date(t + 2 * SECOND) }] }));
        messages.push(msg(conversationId, channel, userId, 'outbound', t + 5 * SECOND, { sender: 'bot' }));
      } else if (e < 3700) {
        messages.push(msg(conversationId, channel, userId, 'outbound', t + 30 * MINUTE, { sender: 'agent' }));
      } else if (e < 3760) {
        // agents late: after the 24 h window
        messages.push(msg(conversationId, channel, userId, 'outbound', t + 30 * HOUR, { sender: 'agent' }));
      } else {
        // a notification the system sends answers no enquiry
        messages.push(msg(conversationId, channel, userId, 'outbound', t + 1 * HOUR, { sender: 'system' }));
      }
      t += 2 * 24 * HOUR;
    }
    for (const m of messages) await stores.messages.insert(m);
  }
  // an enquiry of August answered in September belongs to August
  await stores.messages.insert(msg('conv-aug', 'whatsapp', 'user-aug', 'inbound', START - 10 * MINUTE));
  await stores.messages.insert(msg('conv-aug', 'whatsapp', 'user-aug', 'outbound', START + 10 * MINUTE, { sender: 'agent' }));
  // consent: 120 marketing opt-ins, 20 marketing opt-outs, 10 opt-outs of everything, 5 opt-ins in August
  const entry = (i: number, action: ConsentEntry['action'], at: number, purpose?: 'marketing'): ConsentEntry => ({
    id: `e-${i}`, tenantId: 't1', contactId: `k-${i}`, channel: 'whatsapp', action, scope: 'all-channels', at: new Date(at), evidence: { source: 'keyword' }, ...(purpose ? { purpose } : {}),
  });
  let i = 0;
  for (let k = 0; k < 120; k++) await stores.consent.append(entry(i++, 'opt-in', START + k * HOUR, 'marketing'));
  for (let k = 0; k < 20; k++) await stores.consent.append(entry(i++, 'opt-out', START + k * HOUR, 'marketing'));
  for (let k = 0; k < 10; k++) await stores.consent.append(entry(i++, 'opt-out', START + k * HOUR));
  for (let k = 0; k < 5; k++) await stores.consent.append(entry(i++, 'opt-in', START - (k + 1) * HOUR, 'marketing'));
  await stores.consent.append(entry(i, 'blocked', START + 5 * HOUR));
}

describe('GET /v1/analytics', () => {
  it('reports a month of the car workshop: 3,000 of 3,800 enquiries answered automatically (78.9 %)', async () => {
    const stores = new MemoryStores();
    await scriptMonth(stores);
    h = await startHost({ hostOptions: { stores, features: [createAnalyticsFeature()] } });
    const res = await h.api<AnalyticsReport>('/v1/analytics?from=2025-09-01&to=2025-10-01');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.enquiries).toMatchObject({
      total: 3800,
      answeredAutomatically: { count: 3000, share: 0.7895, percent: 78.9 },
      answeredByAgents: { count: 760, share: 0.2, percent: 20 },
      unanswered: { count: 40, share: 0.0105, percent: 1.1 },
    });
    // enquiries 0–1999 are on WhatsApp (conversations 0–999), the rest on Telegram
    expect(r.enquiries.byChannel).toEqual({
      whatsapp: { total: 2000, automatic: 2000, agent: 0, unanswered: 0 },
      telegram: { total: 1800, automatic: 1000, agent: 760, unanswered: 40 },
    });
    // 3,000 × 5 s, 700 × 1,800 s, 60 × 108,000 s
    expect(r.firstResponse).toEqual({ answered: 3760, meanSeconds: 2062.5, medianSeconds: 5, p90Seconds: 1800 });
    expect(r.answeredInsideWindow).toEqual({ count: 3700, share: 0.984, percent: 98.4 });
    // messages: 3,800 enquiries + 380 second messages in; 3,760 answers + 40 notifications + August's late answer out; 30 failed
    expect(r.messages.total).toEqual({ inbound: 4180, outbound: 3801, failed: 30 });
    expect(r.messages.byChannel.whatsapp).toEqual({ inbound: 2200, outbound: 2001, failed: 20 });
    expect(r.consent).toEqual({
      optIns: 120, optOuts: 30,
      byAction: { 'opt-in': 120, 'opt-out': 30, blocked: 1 },
      byPurpose: { marketing: { optIns: 120, optOuts: 20 }, all: { optIns: 0, optOuts: 10 } },
    });
    expect(r.cost).toEqual({ byChannel: [], total: [] });
  }, 60_000);

  it('validates the period', async () => {
    h = await startHost({ hostOptions: { features: [createAnalyticsFeature()] } });
    expect((await h.api('/v1/analytics')).status).toBe(400);
    expect((await h.api('/v1/analytics?from=2025-09-01&to=2025-08-01')).status).toBe(400);
    expect((await h.api('/v1/analytics?from=last-week&to=2025-08-01')).status).toBe(400);
    expect((await h.api('/v1/analytics?from=2025-09-01&to=2025-10-01', { key: '' })).status).toBe(401);
    const empty = await h.api<AnalyticsReport>('/v1/analytics?from=2025-09-01T00:00:00Z&to=2025-09-02T00:00:00Z');
    expect(empty.body.enquiries.answeredAutomatically).toEqual({ count: 0, share: 0, percent: 0 });
    expect(empty.body.firstResponse).toEqual({ answered: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null });
  });
});

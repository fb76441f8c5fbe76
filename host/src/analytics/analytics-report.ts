/**
 * The service report of a period: traffic per channel, how enquiries were answered (by the bot or
 * by agents), how fast, how many inside the customer-service window, consent changes, and cost.
 *
 * An **enquiry** is a customer's turn: their first message after the business last answered (or
 * after a whole service window of silence), and every message they add before it answers. It belongs to the period its first message falls in,
 * and is answered by the first message a bot or an agent sends after it (notifications sent by the
 * system answer nothing). The first-response time runs from the enquiry's first message to the
 * moment the answer was sent; the answer is inside the window when it was sent within the
 * channel's service window after the customer's last message.
 * @module
 */
import type { ConsentLedgerAction } from '@switchboard/core';
import type { CostLedgerStore, CostTotal } from '../stores/ledger-stores.js';
import { roundAmount } from '../stores/ledger-stores.js';
import { PAGE_MAX, type HostMessage, type HostStores, type TimeRange } from '../stores/stores.js';
import { sentAtOf } from './cost-recorder.js';

const HOUR = 3_600_000;

/** Traffic of one channel. */
export interface ChannelTraffic {
  inbound: number;
  /** Outbound messages that did not fail (queued, sent, delivered, read). */
  outbound: number;
  failed: number;
}

/** A share of a whole: the fraction (4 decimals) and the percentage (1 decimal). */
export interface Share {
  count: number;
  share: number;
  percent: number;
}

/** The report. */
export interface AnalyticsReport {
  tenantId: string;
  from: Date;
  to: Date;
  messages: { total: ChannelTraffic; byChannel: Record<string, ChannelTraffic> };
  enquiries: {
    total: number;
    answeredAutomatically: Share;
    answeredByAgents: Share;
    unanswered: Share;
    byChannel: Record<string, { total: number; automatic: number; agent: number; unanswered: number }>;
  };
  /** Seconds from an enquiry's first message to its answer; null when nothing was answered. */
  firstResponse: { answered: number; meanSeconds: number | null; medianSeconds: number | null; p90Seconds: number | null };
  /** Answers sent inside the channel's service window, as a share of answered enquiries. */
  answeredInsideWindow: Share;
  consent: {
    optIns: number;
    optOuts: number;
    byAction: Partial<Record<ConsentLedgerAction, number>>;
    /** Opt-ins and opt-outs per purpose (`all` for an opt-out without one). */
    byPurpose: Record<string, { optIns: number; optOuts: number }>;
  };
  cost: { byChannel: CostTotal[]; total: { currency: string; messages: number; amount: number }[] };
}

/** Options of {@link buildAnalyticsReport}. */
export interface AnalyticsOptions {
  /** The service window of a channel in hours (undefined: the default). */
  windowHours: (channel: string) => number | undefined;
  /** For channels without a service window (default 24). */
  defaultWindowHours?: number;
  /** How long after the period an answer to one of its enquiries is still looked for (default 24 h). */
  answerLookaheadHours?: number;
}

const share = (count: number, total: number): Share => ({
  count,
  share: total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000,
  percent: total === 0 ? 0 : Math.round((count / total) * 1000) / 10,
});

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Builds the report of a period from the stores.
 * @param stores - the host's stores
 * @param costs - the cost ledger
 * @param tenantId - the tenant
 * @param range - the period, `to` exclusive
 * @param options - windows and look-ahead
 * @returns the report
 */
export async function buildAnalyticsReport(stores: HostStores, costs: CostLedgerStore | undefined, tenantId: string, range: TimeRange, options: AnalyticsOptions): Promise<AnalyticsReport> {
  const lookahead = (options.answerLookaheadHours ?? 24) * HOUR;
  const windowOf = (channel: string): number => (options.windowHours(channel) ?? options.defaultWindowHours ?? 24) * HOUR;
  const to = range.to.getTime();

  const traffic: Record<string, ChannelTraffic> = {};
  const total: ChannelTraffic = { inbound: 0, outbound: 0, failed: 0 };
  const byConversation = new Map<string, HostMessage[]>();
  for (let offset = 0; ; offset += PAGE_MAX) {
    const page = await stores.messages.listBetween(tenantId, { from: range.from, to: new Date(to + lookahead) }, { limit: PAGE_MAX, offset });
    for (const m of page) {
      const list = byConversation.get(m.conversationId) ?? [];
      list.push(m);
      byConversation.set(m.conversationId, list);
      if (m.timestamp.getTime() >= to) continue;
      const t = (traffic[m.channel] ??= { inbound: 0, outbound: 0, failed: 0 });
      const key = m.direction === 'inbound' ? 'inbound' : m.status === 'failed' ? 'failed' : 'outbound';
      t[key]++;
      total[key]++;
    }
    if (page.length < PAGE_MAX) break;
  }

  let enquiries = 0;
  let automatic = 0;
  let agent = 0;
  let inside = 0;
  const responseSeconds: number[] = [];
  const enquiriesByChannel: AnalyticsReport['enquiries']['byChannel'] = {};
  for (const messages of byConversation.values()) {
    // listBetween is in time order, so each conversation's list is too
    let turn: { start: number; last: number; channel: string } | undefined;
    for (const m of messages) {
      const at = m.timestamp.getTime();
      if (m.direction === 'inbound') {
        // a message after a whole window of silence is a new enquiry, even when the last one went unanswered
        if (turn && at - turn.last >= windowOf(turn.channel)) turn = undefined;
        if (turn) turn.last = at;
        else if (at < to) {
          turn = { start: at, last: at, channel: m.channel };
          enquiries++;
          (enquiriesByChannel[m.channel] ??= { total: 0, automatic: 0, agent: 0, unanswered: 0 }).total++;
        }
        continue;
      }
      if (!turn || m.status === 'failed' || (m.sender !== 'bot' && m.sender !== 'agent')) continue;
      const answeredAt = (sentAtOf(m) ?? m.timestamp).getTime();
      const row = enquiriesByChannel[turn.channel]!;
      if (m.sender === 'bot') { automatic++; row.automatic++; } else { agent++; row.agent++; }
      responseSeconds.push(Math.max(0, answeredAt - turn.start) / 1000);
      if (answeredAt - turn.last < windowOf(turn.channel)) inside++;
      turn = undefined;
    }
  }
  for (const row of Object.values(enquiriesByChannel)) row.unanswered = row.total - row.automatic - row.agent;
  const answered = automatic + agent;
  responseSeconds.sort((a, b) => a - b);

  const byAction: Partial<Record<ConsentLedgerAction, number>> = {};
  const byPurpose: Record<string, { optIns: number; optOuts: number }> = {};
  for (let offset = 0; ; offset += PAGE_MAX) {
    const page = await stores.consent.listBetween(tenantId, range, { limit: PAGE_MAX, offset });
    for (const e of page) {
      byAction[e.action] = (byAction[e.action] ?? 0) + 1;
      if (e.action === 'opt-in' || e.action === 'opt-out') {
        const row = (byPurpose[e.purpose ?? 'all'] ??= { optIns: 0, optOuts: 0 });
        if (e.action === 'opt-in') row.optIns++; else row.optOuts++;
      }
    }
    if (page.length < PAGE_MAX) break;
  }

  const byChannel = costs ? await costs.totals(tenantId, range) : [];
  const totals = new Map<string, { currency: string; messages: number; amount: number }>();
  for (const row of byChannel) {
    const t = totals.get(row.currency) ?? { currency: row.currency, messages: 0, amount: 0 };
    t.messages += row.messages;
    t.amount = roundAmount(t.amount + row.amount);
    totals.set(row.currency, t);
  }

  return {
    tenantId, from: range.from, to: range.to,
    messages: { total, byChannel: traffic },
    enquiries: {
      total: enquiries,
      answeredAutomatically: share(automatic, enquiries),
      answeredByAgents: share(agent, enquiries),
      unanswered: share(enquiries - answered, enquiries),
      byChannel: enquiriesByChannel,
    },
    firstResponse: {
      answered,
      meanSeconds: answered === 0 ? null : Math.round((responseSeconds.reduce((a, b) => a + b, 0) / answered) * 1000) / 1000,
      medianSeconds: median(responseSeconds),
      p90Seconds: quantile(responseSeconds, 0.9),
    },
    answeredInsideWindow: share(inside, answered),
    consent: { optIns: byAction['opt-in'] ?? 0, optOuts: byAction['opt-out'] ?? 0, byAction, byPurpose },
    cost: { byChannel, total: [...totals.values()] },
  };
}

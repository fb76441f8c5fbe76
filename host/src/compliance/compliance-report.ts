/**
 * The compliance report of a tenant for a period: the marketing and notification (transactional)
 * messages the policy allowed, each with the consent it relied on and whether it left the host, and
 * every such message that left after the customer had withdrawn that consent — found from the
 * ledger, independently of the send-point check that should have stopped it (so the list is empty
 * when the system works, and names each failure when it does not).
 * @module
 */
import { findRevocation, type ConsentEntry, type Purpose } from '@switchboard/core';
import { consentStateOn, type ConsentTerms } from '../consent/consent-service.js';
import type { DecisionConsentRef, DecisionRecord, DecisionVersions } from '../stores/document-decision-store.js';
import { pageOf, type HostMessage, type HostStores, type Page, type TimeRange } from '../stores/stores.js';
import { sentAtOf } from '../analytics/cost-recorder.js';

/** The report's two kinds of sends. */
export type ReportedKind = 'marketing' | 'notification';

/** One reported send. */
export interface ReportedSend {
  decisionId: string;
  messageId: string;
  kind: ReportedKind;
  /** When the policy allowed it. */
  decidedAt: Date;
  channel: string;
  accountId: string;
  contactId?: string;
  topic?: string;
  template?: { name: string; language: string; category: string };
  /** The message's status now (`missing` when it is no longer stored: erased or purged). */
  status: HostMessage['status'] | 'missing';
  /** When it left the host: the send point's check, else its `sent` time. */
  leftAt?: Date;
  /** The consent entries the decision relied on (and, when the send point checked again, those it relied on then). */
  consent: DecisionConsentRef[];
  sendCheck?: { at: Date; verdict: 'allow' | 'deny' };
  versions: DecisionVersions;
}

/** A send that left after the consent it needed was withdrawn. */
export interface WithdrawnBeforeSend {
  decisionId: string;
  messageId: string;
  kind: ReportedKind;
  decidedAt: Date;
  leftAt: Date;
  /** The opt-out (ledger entry) in force when it left. */
  withdrawal: DecisionConsentRef;
}

/** The report. */
export interface ComplianceReport {
  tenantId: string;
  from: Date;
  to: Date;
  /** Allowed marketing and notification sends of the period, oldest first, one page. */
  sends: { items: ReportedSend[]; limit: number; offset: number };
  /** Counts of the whole period. */
  totals: { marketing: number; notification: number; leftHost: number; stoppedAtSendPoint: number };
  /** Sends of the whole period that left after their consent was withdrawn (empty when the system works). */
  withdrawnBeforeSend: WithdrawnBeforeSend[];
}

const REPORTED: Purpose[] = ['marketing', 'transactional'];
const LEFT: readonly string[] = ['sent', 'delivered', 'read'];
const kindOf = (r: DecisionRecord): ReportedKind => (r.intent.purpose === 'marketing' ? 'marketing' : 'notification');

/**
 * When a message left the host: the time of the send point's check (the platform was called right
 * after it), else the time of its `sent` status.
 */
function leftAtOf(record: DecisionRecord, message: HostMessage | undefined): Date | undefined {
  if (!message || !LEFT.includes(message.status)) return undefined;
  if (record.sendCheck?.verdict === 'allow') return record.sendCheck.at;
  return sentAtOf(message);
}

/**
 * Builds the report.
 * @param stores - the host's stores
 * @param tenantId - the tenant
 * @param range - `from <= decision time < to`
 * @param options - the page of sends, the tenant's consent scope
 * @returns the report
 */
export async function buildComplianceReport(
  stores: HostStores, tenantId: string, range: TimeRange,
  options: Page & ConsentTerms = {},
): Promise<ComplianceReport> {
  const { limit, offset } = pageOf(options);
  const filter = { ...range, verdict: 'allow' as const, purposes: REPORTED };
  const messages = new Map<string, HostMessage | undefined>();
  const message = async (id: string): Promise<HostMessage | undefined> => {
    if (!messages.has(id)) messages.set(id, await stores.messages.get(tenantId, id));
    return messages.get(id);
  };
  const ledgers = new Map<string, ConsentEntry[]>();
  const ledger = async (contactId: string): Promise<ConsentEntry[]> => {
    let entries = ledgers.get(contactId);
    if (!entries) { entries = await stores.consent.listByContact(tenantId, contactId); ledgers.set(contactId, entries); }
    return entries;
  };

  const totals = { marketing: 0, notification: 0, leftHost: 0, stoppedAtSendPoint: 0 };
  const withdrawn: WithdrawnBeforeSend[] = [];
  for await (const batch of stores.decisions.scan(tenantId, filter)) {
    for (const r of batch) {
      if (!r.messageId) continue;
      totals[kindOf(r)]++;
      if (r.sendCheck?.verdict === 'deny') totals.stoppedAtSendPoint++;
      const m = await message(r.messageId);
      const leftAt = leftAtOf(r, m);
      if (!leftAt) continue;
      totals.leftHost++;
      if (!r.contactId) continue;
      // the ledger as it stood when the message left: a withdrawal recorded by then covers it
      const entries = (await ledger(r.contactId)).filter((e) => e.at.getTime() <= leftAt.getTime());
      const state = consentStateOn(entries, r.channel, options);
      const revocation = findRevocation(state, r.intent.purpose, r.intent.topic);
      if (!revocation) continue;
      const entry = entries.find((e) => e.id === revocation.entryId);
      if (!entry) continue;
      withdrawn.push({
        decisionId: r.id, messageId: r.messageId, kind: kindOf(r), decidedAt: r.at, leftAt,
        withdrawal: {
          id: entry.id, role: 'revocation', action: entry.action, channel: entry.channel, scope: entry.scope, at: entry.at, evidence: entry.evidence,
          ...(entry.purpose !== undefined ? { purpose: entry.purpose } : {}), ...(entry.topic !== undefined ? { topic: entry.topic } : {}),
        },
      });
    }
  }

  const page = await stores.decisions.list(tenantId, { ...filter, limit, offset });
  const items: ReportedSend[] = [];
  for (const r of page) {
    if (!r.messageId) continue;
    const m = await message(r.messageId);
    const leftAt = leftAtOf(r, m);
    const consent = [...r.consent, ...(r.sendCheck?.consent ?? []).filter((c) => !r.consent.some((x) => x.id === c.id))];
    items.push({
      decisionId: r.id, messageId: r.messageId, kind: kindOf(r), decidedAt: r.at, channel: r.channel, accountId: r.accountId,
      status: m?.status ?? 'missing', consent, versions: r.versions,
      ...(r.contactId ? { contactId: r.contactId } : {}), ...(r.intent.topic ? { topic: r.intent.topic } : {}),
      ...(r.intent.template ? { template: r.intent.template } : {}), ...(leftAt ? { leftAt } : {}),
      ...(r.sendCheck ? { sendCheck: { at: r.sendCheck.at, verdict: r.sendCheck.verdict } } : {}),
    });
  }
  return { tenantId, from: range.from, to: range.to, sends: { items, limit, offset }, totals, withdrawnBeforeSend: withdrawn };
}

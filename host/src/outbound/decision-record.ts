/**
 * How a decision record is made from what the outbound path knew when it decided: the versions of
 * the tenant's policy and the channel's price table, and the consent entries the decision relied on.
 *
 * **Versions.** A version is `sha256:` and the first 16 hex digits of the SHA-256 of the thing's
 * canonical JSON (object keys sorted, arrays in order, `undefined` members dropped). The same
 * content always has the same version — in every process, across restarts and config reloads — and
 * any change to it (a rate, a quiet-hours bound, the consent scope) gives another. An auditor who
 * holds the config or price table of a date can recompute its version and compare.
 * @module
 */
import { createHash } from 'node:crypto';
import {
  findGrant, findRevocation, type ChannelPolicy, type ConsentEntry, type ConsentState, type MessageIntent, type PolicyDecision, type Purpose,
} from '@switchboard/core';
import type { DecisionConsentRef, DecisionRecord, DecisionVersions, EffectiveRuleRow } from '../stores/document-decision-store.js';

/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, dates as ISO strings.
 * @param value - JSON-like data
 * @returns the text
 */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The version of a piece of configuration or data.
 * @param value - JSON-like data (undefined: `none`)
 * @returns `sha256:` and 16 hex digits of its canonical JSON, or `none`
 * @example
 * versionOf({ b: 1, a: 2 }) === versionOf({ a: 2, b: 1 }) // true
 */
export function versionOf(value: unknown): string {
  if (value === undefined) return 'none';
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)}`;
}

/** Versions of everything a decision on one channel depended on, but the customer's state. */
export function decisionVersions(tenantPolicy: unknown, channelPolicy: ChannelPolicy, effective: readonly EffectiveRuleRow[]): DecisionVersions {
  return {
    tenantPolicy: versionOf(tenantPolicy),
    priceTable: versionOf(channelPolicy.pricing),
    channelPolicy: versionOf(channelPolicy),
    effective: versionOf(effective),
  };
}

const ref = (entry: ConsentEntry | undefined, role: DecisionConsentRef['role']): DecisionConsentRef[] => {
  if (!entry) return [];
  return [{
    id: entry.id, role, action: entry.action, channel: entry.channel, scope: entry.scope, at: entry.at, evidence: entry.evidence,
    ...(entry.purpose !== undefined ? { purpose: entry.purpose } : {}), ...(entry.topic !== undefined ? { topic: entry.topic } : {}),
  }];
};

/**
 * The consent entries a decision relied on: for an allowed transactional or marketing message the
 * opt-in that covers it (and the request step a double opt-in confirmed); for a refusal the
 * opt-out in force. Service replies rely on the customer's own message, not on a ledger entry.
 * @param ledger - the contact's ledger entries
 * @param state - the consent state the engine saw (derived from them)
 * @param purpose - the purpose the engine judged (a marketing template is marketing)
 * @param topic - the message's topic
 * @param requireConfirmed - whether the effective policy required double opt-in
 * @returns the entries, each with its role
 */
export function consentRelied(ledger: readonly ConsentEntry[], state: ConsentState, purpose: Purpose, topic: string | undefined, requireConfirmed: boolean): DecisionConsentRef[] {
  if (purpose === 'service') return [];
  const byId = new Map(ledger.map((e) => [e.id, e]));
  const revocation = findRevocation(state, purpose, topic);
  if (revocation) return ref(byId.get(revocation.entryId), 'revocation');
  const grant = findGrant(state, purpose, topic, requireConfirmed) ?? findGrant(state, purpose, topic, false);
  if (!grant) return [];
  const entry = byId.get(grant.entryId);
  const confirms = entry?.evidence.confirms;
  return [...ref(entry, 'grant'), ...(confirms ? ref(byId.get(confirms), 'request') : [])];
}

/**
 * The purpose the engine judges a message by: a marketing template is marketing whatever purpose
 * the caller declared.
 * @param intent - the message intent
 * @returns the purpose
 */
export function judgedPurpose(intent: Pick<MessageIntent, 'purpose' | 'content'>): Purpose {
  return intent.content.type === 'template' && intent.content.category === 'marketing' ? 'marketing' : intent.purpose;
}

/**
 * The intent as a decision record keeps it: what was asked for, never the text of the message.
 * @param intent - the message intent
 * @returns the record's `intent`
 */
export function recordedIntent(intent: MessageIntent): DecisionRecord['intent'] {
  const c = intent.content;
  return {
    purpose: judgedPurpose(intent), sender: intent.sender, contentType: c.type,
    ...(intent.topic ? { topic: intent.topic } : {}), ...(intent.tag ? { tag: intent.tag } : {}),
    ...(intent.broadcast ? { broadcast: true } : {}), ...(intent.commerceCategory ? { commerceCategory: intent.commerceCategory } : {}),
    ...(c.type === 'template' ? { template: { name: c.name, language: c.language, category: c.category } } : {}),
  };
}

/**
 * The verdict part of a record.
 * @param decision - the engine's (or the render check's) answer
 * @returns verdict, reasons, form, price and window state
 */
export function verdictOf(decision: PolicyDecision): Pick<DecisionRecord, 'verdict' | 'reasons' | 'form' | 'price' | 'inWindow'> {
  if (!decision.allowed) return { verdict: 'deny', reasons: decision.reasons };
  return { verdict: 'allow', reasons: [], form: decision.form, price: decision.price, inWindow: decision.inWindow };
}

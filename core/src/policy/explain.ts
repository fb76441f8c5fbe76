/**
 * Renders an effective policy as a readable table: each rule, its value, and the sources that imposed it.
 * @module
 */
import type { ChannelPolicy } from './channel-policy.js';
import type { EffectivePolicy, PolicySourceName, RuleKey } from './effective-policy.js';
import { RULE_SOURCE_KEYS, type PolicyDecision, type PolicyReasonCode } from './policy-engine.js';

const LABELS: Record<RuleKey, string> = {
  initiation: 'who may start',
  serviceWindowHours: 'service window (h)',
  entryPointWindowHours: 'entry-point window (h)',
  templateCategories: 'templates outside window',
  templatesRequireApproval: 'templates need approval',
  tags: 'message tags outside window',
  consentRequiredFor: 'consent required for',
  requireDoubleOptIn: 'double opt-in required',
  marketingAllowed: 'marketing allowed',
  marketingBlockedCallingCodes: 'no marketing to calling codes',
  marketingTemplateBlockedCountries: 'no marketing templates to',
  broadcastAllowed: 'broadcast allowed',
  broadcastMaxRecipients: 'broadcast recipients/request',
  rateLimits: 'rate limits',
  maxTextLength: 'max text length',
  captionMaxLength: 'max caption length',
  textOverflow: 'longer text',
  mediaMaxBytes: 'max media size',
  mediaTypes: 'media types',
  contentTypes: 'content types',
  restrictedCommerce: 'restricted commerce',
  bannedTopics: 'banned topics',
  quietHours: 'quiet hours',
  repliesOnly: 'replies only',
};

function show(key: RuleKey, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (key === 'tags') return value.map((t: { tag: string; maxHoursSinceInbound?: number; senders?: string[] }) => `${t.tag}${t.maxHoursSinceInbound !== undefined ? ` ≤${t.maxHoursSinceInbound}h` : ''}${t.senders ? ` (${t.senders.join('/')})` : ''}`).join(', ');
    if (key === 'rateLimits') return value.map((l: { scope: string; limit: number; perMs: number; enforcement: string }) => `${l.limit}/${formatMs(l.perMs)} per ${l.scope} (${l.enforcement})`).join('; ');
    if (key === 'quietHours') return value.map((q: { start: string; end: string; timeZone: string }) => `${q.start}–${q.end} ${q.timeZone}`).join(', ');
    return value.join(', ');
  }
  if (key === 'mediaMaxBytes') return Object.entries(value as Record<string, number>).map(([kind, bytes]) => `${kind} ${formatSize(bytes)}`).join(', ');
  if (key === 'mediaTypes') return Object.entries(value as Record<string, string[]>).map(([kind, types]) => `${kind}: ${types.length > 0 ? types.join(' ') : 'none'}`).join('; ');
  return String(value);
}

function formatSize(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} B`;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * Renders the effective policy as a table of rule, value and source.
 * @param policy - an effective policy
 * @returns a plain-text table
 */
export function explain(policy: EffectivePolicy): string {
  const rows: [string, string, string][] = [['rule', 'value', 'imposed by']];
  for (const key of Object.keys(LABELS) as RuleKey[]) {
    const value = policy.rules[key];
    if (value === undefined) continue;
    rows.push([LABELS[key], show(key, value), (policy.provenance[key] ?? []).join(' + ')]);
  }
  return table(rows, `effective policy: ${policy.channel}`);
}

/**
 * Lists the effective policy as rows, for JSON APIs.
 * @param policy - an effective policy
 * @returns one row per rule present
 */
export function explainRows(policy: EffectivePolicy): { rule: RuleKey; label: string; value: unknown; sources: string[] }[] {
  return (Object.keys(LABELS) as RuleKey[])
    .filter((k) => policy.rules[k] !== undefined)
    .map((k) => ({ rule: k, label: LABELS[k], value: policy.rules[k], sources: policy.provenance[k] ?? [] }));
}

/**
 * Renders a decision in one or more lines.
 * @param decision - the engine's answer
 * @returns "ALLOW …" or "DENY" followed by one line per reason
 */
export function explainDecision(decision: PolicyDecision): string {
  if (decision.allowed) {
    const form = decision.form.kind === 'template' ? `template (${decision.form.category})` : decision.form.kind === 'tag' ? `tag ${decision.form.tag}` : 'free-form';
    return `ALLOW as ${form}, price ${decision.price.amount.toFixed(4)} ${decision.price.currency} (${decision.price.category})`;
  }
  return ['DENY', ...decision.reasons.map((r) => `  ${r.code.padEnd(30)} [${r.source}] ${r.message}`)].join('\n');
}

/** One reason of a verdict, with its documented source. */
export interface VerdictReason {
  code: PolicyReasonCode;
  /** Who imposed the rule: the channel, the business, the law or the customer. */
  source: PolicySourceName;
  /** The rule that refused the message, when known. */
  rule?: RuleKey;
  message: string;
  /** Where the rule is documented (platform page or legal text), when it has a public source. */
  url?: string;
}

/** A decision in words: the verdict first, then every reason with its source. */
export interface Verdict {
  verdict: 'allowed' | 'refused';
  /** One or two sentences that say whether the message may go and why. */
  summary: string;
  /** Every reason it was refused (empty when allowed). */
  reasons: VerdictReason[];
}

const SOURCE_WORDS: Record<PolicySourceName, string> = {
  channel: 'the channel\'s rule',
  business: 'the business\'s own rule',
  law: 'the law',
  customer: 'the customer\'s choice',
};

/**
 * Says in words whether a message is allowed and why: the verdict first, then each reason with
 * the source that imposed it and, where the rule is documented, the page or legal text.
 * @param decision - the engine's answer
 * @param channelPolicy - the channel's declared policy, to find the documentation of channel rules a reason does not carry
 * @returns the verdict, a summary and the reasons
 * @example
 * explainVerdict(decision, whatsappPolicy).summary
 * // 'Refused: the 24 h customer-service window closed at … (the channel\'s rule); …'
 */
export function explainVerdict(decision: PolicyDecision, channelPolicy?: ChannelPolicy): Verdict {
  if (decision.allowed) {
    const form = decision.form.kind === 'template' ? `a ${decision.form.category} template` : decision.form.kind === 'tag' ? `a message with tag ${decision.form.tag}` : 'a free-form message';
    return {
      verdict: 'allowed',
      summary: `Allowed: no rule of the channel, the business, the law or the customer refuses it. It goes as ${form}`
        + `${decision.inWindow ? '' : ' outside the customer-service window'}, priced ${decision.price.amount.toFixed(4)} ${decision.price.currency} (${decision.price.category}).`,
      reasons: [],
    };
  }
  const reasons = decision.reasons.map((r): VerdictReason => {
    const url = r.url ?? (r.source === 'channel' && r.rule && channelPolicy
      ? channelPolicy.sources.find((s) => s.rule === RULE_SOURCE_KEYS[r.rule!])?.url
      : undefined);
    return { code: r.code, source: r.source, ...(r.rule ? { rule: r.rule } : {}), message: r.message, ...(url ? { url } : {}) };
  });
  const summary = `Refused: ${reasons.map((r) => `${r.message} (${SOURCE_WORDS[r.source]})`).join('; ')}.`;
  return { verdict: 'refused', summary, reasons };
}

function table(rows: [string, string, string][], title: string): string {
  const widths = [0, 1, 2].map((i) => Math.min(60, Math.max(...rows.map((r) => r[i]!.length))));
  const line = (r: [string, string, string]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  const sep = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [title, line(rows[0]!), sep, ...rows.slice(1).map(line)].join('\n');
}

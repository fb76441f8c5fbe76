/**
 * The consent model: an append-only ledger of consent events per contact, channel, purpose and
 * topic, each with its evidence. The current state is derived from the ledger, never stored beside it.
 * @module
 */
import type { ChannelId } from '../model/address.js';
import type { Purpose } from '../model/events.js';

/**
 * What a ledger entry records:
 * - `opt-in-requested`: the first step of a double opt-in (form, checkbox, link) — not yet consent;
 * - `opt-in` / `opt-out`: consent given or revoked for a purpose (and topic);
 * - `blocked` / `unblocked`, `spam-reported`: the customer's platform-level controls;
 * - `important-only` / `all-messages`: the customer's "important only" preference and its reversal;
 * - `closed`: the customer closed the conversation (Apple): an opt-out until they write again;
 * - `reopened`: the customer wrote again after `closed`.
 */
export type ConsentLedgerAction =
  | 'opt-in-requested'
  | 'opt-in'
  | 'opt-out'
  | 'blocked'
  | 'unblocked'
  | 'spam-reported'
  | 'important-only'
  | 'all-messages'
  | 'closed'
  | 'reopened';

/** Where a consent event came from and what the customer saw. */
export interface ConsentEvidence {
  /** How it was given: web form, checkbox, click-to-chat link, keyword, platform signal, API, agent. */
  source: 'web-form' | 'checkbox' | 'click-to-chat' | 'keyword' | 'platform' | 'api' | 'agent' | 'import' | (string & {});
  /** The wording shown to the customer. */
  wording?: string;
  /** The privacy policy's URL and version accepted. */
  privacyPolicy?: { url?: string; version: string };
  /** The message (external id) or form submission that carried it. */
  reference?: string;
  /** The text the customer sent (for keywords). */
  text?: string;
  /** For a double opt-in's confirmation: the id of the `opt-in-requested` entry it confirms. */
  confirms?: string;
  /** Who recorded it through the API (an API key name or agent id). */
  recordedBy?: string;
  /** Free-form detail (the platform's raw signal). */
  detail?: string;
}

/** One immutable entry of the ledger. */
export interface ConsentEntry {
  id: string;
  tenantId: string;
  contactId: string;
  /** The channel it was given on. */
  channel: ChannelId;
  /** The business account, when it matters. */
  accountId?: string;
  action: ConsentLedgerAction;
  /** The purpose, for opt-in/opt-out; omitted for preferences (they cover every purpose). */
  purpose?: Purpose;
  /** The stated context, e.g. "flight updates"; omitted = every topic of the purpose. */
  topic?: string;
  /** Whether the entry applies to every channel of the contact or only `channel`. */
  scope: 'all-channels' | 'channel';
  at: Date;
  evidence: ConsentEvidence;
  /**
   * Set on the copy a contact merge makes of another contact's entry: the contact and entry it
   * was copied from (the copy keeps the original's time and evidence).
   */
  mergedFrom?: { contactId: string; entryId: string };
}

/** A consent currently in force. */
export interface Grant {
  purpose: Purpose;
  topic?: string;
  channel: ChannelId;
  at: Date;
  /** True when the grant completed a double opt-in. */
  confirmed: boolean;
  privacyPolicyVersion?: string;
  entryId: string;
}

/** A revocation currently in force. */
export interface Revocation {
  purpose: Purpose;
  topic?: string;
  channel: ChannelId;
  at: Date;
  entryId: string;
}

/** The customer's state on one channel, derived from the ledger. */
export interface ConsentState {
  grants: Grant[];
  revocations: Revocation[];
  /** Opt-ins awaiting their confirming step. */
  pending: { purpose: Purpose; topic?: string; at: Date; entryId: string }[];
  /** Set when the customer blocked the business; the time it happened. */
  blockedAt?: Date;
  /** Set when the customer reported the business as spam. */
  spamReportedAt?: Date;
  /** "Important only": transactional passes, marketing stops. */
  importantOnly: boolean;
  /** Set when the customer closed the conversation (until they write again). */
  closedAt?: Date;
}

/** An empty consent state: nothing granted, nothing revoked. */
export const NO_CONSENT: ConsentState = Object.freeze({ grants: [], revocations: [], pending: [], importantOnly: false }) as ConsentState;

/** Options for deriving state. */
export interface DeriveOptions {
  /** The channel to derive the state for. */
  channel: ChannelId;
  /** Whether revocations on other channels count (default `all-channels`). */
  scope?: 'all-channels' | 'per-channel';
  /** Current privacy-policy version: grants under an older version no longer count when set. */
  requiredPrivacyPolicyVersion?: string;
}

/**
 * Derives the customer's current consent state on a channel from ledger entries.
 *
 * Entries are replayed in time order (ties keep ledger order). An opt-in given on the channel counts
 * for it; an opt-in on another channel counts only when it was recorded with scope `all-channels`.
 * A revocation counts everywhere unless the tenant chose per-channel scope or the entry itself is
 * channel-scoped. A later opt-in for the same purpose and topic lifts an earlier opt-out.
 * @param entries - every ledger entry of the contact (any order)
 * @param options - channel, scope and required privacy-policy version
 * @returns the derived state
 */
export function deriveConsentState(entries: readonly ConsentEntry[], options: DeriveOptions): ConsentState {
  const crossChannelRevocations = (options.scope ?? 'all-channels') === 'all-channels';
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
    .map((x) => x.e);
  const state: ConsentState = { grants: [], revocations: [], pending: [], importantOnly: false };
  const requested = new Map<string, ConsentEntry>();
  const same = (p: Purpose, t: string | undefined) => (x: { purpose: Purpose; topic?: string }) => x.purpose === p && x.topic === t;

  for (const e of sorted) {
    const here = e.channel === options.channel;
    const appliesAsGrant = here || e.scope === 'all-channels';
    const appliesAsRevocation = here || (crossChannelRevocations && e.scope === 'all-channels');
    switch (e.action) {
      case 'opt-in-requested':
        requested.set(e.id, e);
        if (appliesAsGrant && e.purpose) state.pending.push({ purpose: e.purpose, ...(e.topic !== undefined ? { topic: e.topic } : {}), at: e.at, entryId: e.id });
        break;
      case 'opt-in': {
        if (!appliesAsGrant || !e.purpose) break;
        const p = e.purpose;
        const confirmed = e.evidence.confirms !== undefined && requested.has(e.evidence.confirms);
        const version = e.evidence.privacyPolicy?.version ?? (e.evidence.confirms ? requested.get(e.evidence.confirms)?.evidence.privacyPolicy?.version : undefined);
        state.grants = state.grants.filter((g) => !same(p, e.topic)(g));
        // an opt-in for the whole purpose lifts topic-level revocations of it as well
        state.revocations = state.revocations.filter((r) => !(r.purpose === p && (e.topic === undefined || r.topic === e.topic)));
        state.pending = state.pending.filter((x) => !(x.purpose === p && x.topic === e.topic));
        state.grants.push({
          purpose: p, channel: e.channel, at: e.at, confirmed, entryId: e.id,
          ...(e.topic !== undefined ? { topic: e.topic } : {}),
          ...(version !== undefined ? { privacyPolicyVersion: version } : {}),
        });
        if (p === 'marketing') state.importantOnly = false;
        break;
      }
      case 'opt-out': {
        if (!appliesAsRevocation) break;
        // an opt-out without a purpose revokes everything but service
        const purposes: Purpose[] = e.purpose ? [e.purpose] : ['transactional', 'marketing'];
        for (const p of purposes) {
          state.grants = state.grants.filter((g) => !(g.purpose === p && (e.topic === undefined || g.topic === e.topic)));
          state.pending = state.pending.filter((x) => !(x.purpose === p && (e.topic === undefined || x.topic === e.topic)));
          state.revocations = state.revocations.filter((r) => !same(p, e.topic)(r));
          state.revocations.push({ purpose: p, channel: e.channel, at: e.at, entryId: e.id, ...(e.topic !== undefined ? { topic: e.topic } : {}) });
        }
        break;
      }
      case 'blocked': if (appliesAsRevocation) state.blockedAt = e.at; break;
      // an unblock reaches every channel its block reached, or a block on one channel would stick on the others for good
      case 'unblocked': if (appliesAsRevocation) delete state.blockedAt; break;
      case 'spam-reported': if (appliesAsRevocation) state.spamReportedAt = e.at; break;
      case 'important-only': if (appliesAsRevocation) state.importantOnly = true; break;
      case 'all-messages': if (appliesAsGrant) state.importantOnly = false; break;
      case 'closed': if (here) state.closedAt = e.at; break;
      case 'reopened': if (here) delete state.closedAt; break;
    }
  }
  if (options.requiredPrivacyPolicyVersion !== undefined) {
    const v = options.requiredPrivacyPolicyVersion;
    state.grants = state.grants.filter((g) => g.purpose === 'service' || g.privacyPolicyVersion === v);
  }
  return state;
}

/**
 * Finds the grant that covers a purpose and topic: a grant without a topic covers every topic of
 * its purpose; a grant with a topic covers only that topic (compared case-insensitively).
 * @param state - derived consent state
 * @param purpose - the message's purpose
 * @param topic - the message's stated context
 * @param requireConfirmed - only count double-opt-in grants
 * @returns the covering grant, if any
 */
export function findGrant(state: ConsentState, purpose: Purpose, topic?: string, requireConfirmed = false): Grant | undefined {
  const t = topic?.toLowerCase();
  return state.grants.find((g) => g.purpose === purpose
    && (g.topic === undefined || (t !== undefined && g.topic.toLowerCase() === t))
    && (!requireConfirmed || g.confirmed));
}

/**
 * Finds the revocation that applies to a purpose and topic (a purpose-wide revocation covers every topic).
 * @param state - derived consent state
 * @param purpose - the message's purpose
 * @param topic - the message's stated context
 * @returns the revocation in force, if any
 */
export function findRevocation(state: ConsentState, purpose: Purpose, topic?: string): Revocation | undefined {
  const t = topic?.toLowerCase();
  return state.revocations.find((r) => r.purpose === purpose && (r.topic === undefined || r.topic.toLowerCase() === t));
}

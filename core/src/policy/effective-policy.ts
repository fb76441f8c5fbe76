/**
 * The meet of policy sources: any prohibition wins, numeric limits take the minimum, allowed sets
 * intersect, required sets unite. Every rule keeps the sources that imposed it.
 * @module
 */
import type { ContentType, MediaKind, TemplateCategory } from '../model/content.js';
import type { Purpose } from '../model/events.js';
import type { ConsentState } from '../consent/consent-ledger.js';
import type { BusinessPolicy, ChannelPolicy, Initiation, LegalBaseline, MessageTagRule, QuietHours, RateLimit } from './channel-policy.js';

/** The four places a rule can come from. */
export type PolicySourceName = 'channel' | 'business' | 'law' | 'customer';

/** Rules in one normalised shape; every source contributes a partial set. */
export interface PolicyRules {
  initiation?: Initiation;
  serviceWindowHours?: number;
  entryPointWindowHours?: number;
  /** Template categories allowed outside the window. */
  templateCategories?: TemplateCategory[];
  /** Whether templates need platform approval. */
  templatesRequireApproval?: boolean;
  /** Message tags allowed outside the window. */
  tags?: MessageTagRule[];
  consentRequiredFor?: Purpose[];
  requireDoubleOptIn?: boolean;
  marketingAllowed?: boolean;
  marketingBlockedCallingCodes?: string[];
  /** Countries (ISO alpha-2) whose numbers may not receive marketing templates. */
  marketingTemplateBlockedCountries?: string[];
  broadcastAllowed?: boolean;
  broadcastMaxRecipients?: number;
  rateLimits?: RateLimit[];
  maxTextLength?: number;
  captionMaxLength?: number;
  textOverflow?: 'split' | 'refuse';
  /** Largest file per media kind, in bytes (a kind left out has no limit here). */
  mediaMaxBytes?: Partial<Record<MediaKind, number>>;
  /** MIME types accepted per media kind (a kind left out accepts any type; an empty list accepts none). */
  mediaTypes?: Partial<Record<MediaKind, string[]>>;
  contentTypes?: ContentType[];
  restrictedCommerce?: string[];
  bannedTopics?: string[];
  quietHours?: QuietHours[];
  /** Only replies to the customer's own messages (blocked, reported as spam, conversation closed). */
  repliesOnly?: boolean;
}

/** A rule key. */
export type RuleKey = keyof PolicyRules;

/** One source's rules. */
export interface SourcedRules {
  source: PolicySourceName;
  rules: PolicyRules;
}

/** The effective policy: the meet of its sources, with the sources behind each rule. */
export interface EffectivePolicy {
  channel: string;
  rules: PolicyRules;
  /** For each rule present, the sources that imposed its value. */
  provenance: Partial<Record<RuleKey, PolicySourceName[]>>;
  /** The sources it was computed from. */
  sources: SourcedRules[];
}

const INITIATION_RANK: Record<Initiation, number> = { business: 0, template: 1, user: 2 };

/**
 * Normalises a channel's declared policy.
 * @param p - the channel policy
 * @param contentTypes - content types from the capability table (native or degraded), used when the policy lists none
 * @returns the channel's rules
 */
export function channelRules(p: ChannelPolicy, contentTypes?: ContentType[]): PolicyRules {
  const r: PolicyRules = {
    initiation: p.initiation,
    consentRequiredFor: [...p.consentRequiredFor],
    marketingAllowed: p.marketingAllowed,
    broadcastAllowed: p.broadcast.allowed,
    rateLimits: [...p.rateLimits],
    maxTextLength: p.text.maxLength,
    textOverflow: p.text.overflow,
    restrictedCommerce: [...p.restrictedCommerce],
  };
  if (p.serviceWindowHours !== undefined) r.serviceWindowHours = p.serviceWindowHours;
  if (p.entryPointWindowHours !== undefined) r.entryPointWindowHours = p.entryPointWindowHours;
  if (p.outsideWindow?.templateCategories) {
    r.templateCategories = [...p.outsideWindow.templateCategories];
    r.templatesRequireApproval = true;
  }
  if (p.outsideWindow?.tags) r.tags = p.outsideWindow.tags.map((t) => ({ ...t }));
  if (p.serviceWindowHours !== undefined) {
    // a channel with a window allows nothing outside it but what it lists
    r.templateCategories ??= [];
    r.tags ??= [];
  }
  if (p.marketingBlockedCallingCodes) r.marketingBlockedCallingCodes = [...p.marketingBlockedCallingCodes];
  if (p.marketingTemplateBlockedCountries) r.marketingTemplateBlockedCountries = p.marketingTemplateBlockedCountries.map((c) => c.toUpperCase());
  if (p.broadcast.maxRecipientsPerRequest !== undefined) r.broadcastMaxRecipients = p.broadcast.maxRecipientsPerRequest;
  if (p.text.captionMaxLength !== undefined) r.captionMaxLength = p.text.captionMaxLength;
  if (p.mediaMaxBytes) r.mediaMaxBytes = { ...p.mediaMaxBytes };
  if (p.mediaTypes) r.mediaTypes = copyMediaTypes(p.mediaTypes);
  const types = p.contentTypes ?? contentTypes;
  if (types) r.contentTypes = [...types];
  return r;
}

/**
 * Normalises a business policy.
 * @param b - the tenant's policy
 * @returns the business's rules
 */
export function businessRules(b: BusinessPolicy): PolicyRules {
  const r: PolicyRules = {};
  if (b.serviceWindowHours !== undefined) r.serviceWindowHours = b.serviceWindowHours;
  if (b.quietHours) r.quietHours = [b.quietHours];
  if (b.marketingAllowed !== undefined) r.marketingAllowed = b.marketingAllowed;
  if (b.broadcastAllowed !== undefined) r.broadcastAllowed = b.broadcastAllowed;
  if (b.consentRequiredFor) r.consentRequiredFor = [...b.consentRequiredFor];
  if (b.requireDoubleOptIn !== undefined) r.requireDoubleOptIn = b.requireDoubleOptIn;
  if (b.bannedTopics) r.bannedTopics = [...b.bannedTopics];
  if (b.restrictedCommerce) r.restrictedCommerce = [...b.restrictedCommerce];
  if (b.rateLimits) r.rateLimits = [...b.rateLimits];
  if (b.maxTextLength !== undefined) r.maxTextLength = b.maxTextLength;
  if (b.mediaMaxBytes) r.mediaMaxBytes = { ...b.mediaMaxBytes };
  if (b.mediaTypes) r.mediaTypes = copyMediaTypes(b.mediaTypes);
  if (b.contentTypes) r.contentTypes = [...b.contentTypes];
  if (b.templateCategories) r.templateCategories = [...b.templateCategories];
  return r;
}

/**
 * Normalises the legal baseline: the purposes that need consent, and the categories whose
 * advertising it bans as restricted commerce.
 * @param l - the baseline
 * @returns the law's rules
 */
export function lawRules(l: LegalBaseline): PolicyRules {
  const r: PolicyRules = { consentRequiredFor: [...l.consentRequiredFor] };
  const banned = [...new Set((l.advertisingBans ?? []).map((b) => b.category))];
  if (banned.length > 0) r.restrictedCommerce = banned;
  return r;
}

/**
 * The rules a customer's own controls impose: blocked, reported as spam, or a closed conversation
 * leave only replies to the customer's own messages; "important only" stops marketing.
 * @param state - derived consent state
 * @returns the customer's rules
 */
export function customerRules(state: Pick<ConsentState, 'blockedAt' | 'spamReportedAt' | 'importantOnly' | 'closedAt'>): PolicyRules {
  const r: PolicyRules = {};
  if (state.blockedAt || state.spamReportedAt || state.closedAt) {
    r.repliesOnly = true;
    r.marketingAllowed = false;
    r.broadcastAllowed = false;
    r.initiation = 'user';
  }
  if (state.importantOnly) r.marketingAllowed = false;
  return r;
}

const copyMediaTypes = (types: Partial<Record<MediaKind, string[]>>): Partial<Record<MediaKind, string[]>> =>
  Object.fromEntries(Object.entries(types).filter(([, list]) => list !== undefined).map(([kind, list]) => [kind, [...list]]));

/**
 * The essence of a MIME type (`type/subtype`, lower-cased) and its parameters (names lower-cased,
 * quotes removed): `Audio/OGG; codecs="opus"` → `audio/ogg`, `{ codecs: 'opus' }`.
 * @param mimeType - a MIME type as given
 * @returns its essence and parameters
 */
export function parseMimeType(mimeType: string): { essence: string; parameters: Record<string, string> } {
  const [head = '', ...rest] = mimeType.split(';');
  const parameters: Record<string, string> = {};
  for (const part of rest) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    const value = part.slice(at + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (name) parameters[name] = value;
  }
  return { essence: head.trim().toLowerCase(), parameters };
}

/**
 * Whether a MIME type is one of an accepted list. Case and parameters the list does not name are
 * ignored (`audio/ogg; codecs=opus` is an `audio/ogg`); an entry `type/*` accepts every subtype;
 * an entry with parameters refuses a type that gives one of them another value
 * (`audio/ogg; codecs=opus` refuses `audio/ogg; codecs=vorbis`, not a bare `audio/ogg`).
 * @param mimeType - the media's MIME type
 * @param accepted - the accepted types
 * @returns true when the type is accepted
 * @example
 * mimeTypeAccepted('image/PNG', ['image/jpeg', 'image/png']) // true
 * mimeTypeAccepted('image/webp', ['image/jpeg', 'image/png']) // false
 */
export function mimeTypeAccepted(mimeType: string, accepted: readonly string[]): boolean {
  const given = parseMimeType(mimeType);
  return accepted.some((entry) => {
    const want = parseMimeType(entry);
    const sameEssence = want.essence === given.essence || (want.essence.endsWith('/*') && given.essence.startsWith(want.essence.slice(0, -1)));
    return sameEssence && Object.entries(want.parameters).every(([name, value]) => given.parameters[name] === undefined || given.parameters[name] === value);
  });
}

/** Per media kind, the smallest limit any source declares. */
const minPerKind = (sources: SourcedRules[], out: EffectivePolicy): void => {
  const value: Partial<Record<MediaKind, number>> = {};
  for (const s of sources) {
    for (const [kind, max] of Object.entries(s.rules.mediaMaxBytes ?? {}) as [MediaKind, number | undefined][]) {
      if (max !== undefined && (value[kind] === undefined || max < value[kind])) value[kind] = max;
    }
  }
  const kinds = Object.keys(value) as MediaKind[];
  if (kinds.length === 0) return;
  out.rules.mediaMaxBytes = value;
  out.provenance.mediaMaxBytes = sources.filter((s) => kinds.some((k) => s.rules.mediaMaxBytes?.[k] === value[k])).map((s) => s.source);
};

/**
 * Whether every type an accepted-list entry lets through is also let through by `list`: the same
 * essence (or one a `type/*` of the list covers), with at least the parameters the list's entry names.
 */
const entryCovered = (entry: string, list: readonly string[]): boolean => {
  const e = parseMimeType(entry);
  return list.some((other) => {
    const w = parseMimeType(other);
    const essence = w.essence === e.essence || (w.essence.endsWith('/*') && e.essence.startsWith(w.essence.slice(0, -1)));
    return essence && Object.entries(w.parameters).every(([name, value]) => e.parameters[name] === value);
  });
};

/**
 * Per media kind, the types every source that lists the kind accepts: the entries of each list the
 * other covers (never looser than either; `image/*` and `image/png` meet at `image/png`).
 */
const intersectPerKind = (sources: SourcedRules[], out: EffectivePolicy): void => {
  const value: Partial<Record<MediaKind, string[]>> = {};
  const by: PolicySourceName[] = [];
  for (const s of sources) {
    const declared = Object.entries(s.rules.mediaTypes ?? {}).filter(([, list]) => list !== undefined) as [MediaKind, string[]][];
    if (declared.length === 0) continue;
    by.push(s.source);
    for (const [kind, list] of declared) {
      const current = value[kind];
      value[kind] = current === undefined ? [...list]
        : [...new Set([...current.filter((t) => entryCovered(t, list)), ...list.filter((t) => entryCovered(t, current))])];
    }
  }
  if (by.length === 0) return;
  out.rules.mediaTypes = value;
  out.provenance.mediaTypes = by;
};

const minOf = (key: RuleKey, sources: SourcedRules[], out: EffectivePolicy): void => {
  let value: number | undefined;
  for (const s of sources) {
    const v = s.rules[key] as number | undefined;
    if (v !== undefined && (value === undefined || v < value)) value = v;
  }
  if (value === undefined) return;
  (out.rules as Record<string, unknown>)[key] = value;
  out.provenance[key] = sources.filter((s) => s.rules[key] === value).map((s) => s.source);
};

const intersect = <T>(key: RuleKey, sources: SourcedRules[], out: EffectivePolicy, id: (x: T) => string = String): void => {
  let value: T[] | undefined;
  const by: PolicySourceName[] = [];
  for (const s of sources) {
    const v = s.rules[key] as T[] | undefined;
    if (v === undefined) continue;
    by.push(s.source);
    const ids = new Set(v.map(id));
    value = value === undefined ? [...v] : value.filter((x) => ids.has(id(x)));
  }
  if (value === undefined) return;
  (out.rules as Record<string, unknown>)[key] = value;
  out.provenance[key] = by;
};

const unite = <T>(key: RuleKey, sources: SourcedRules[], out: EffectivePolicy, id: (x: T) => string = (x) => String(x).toLowerCase()): void => {
  const seen = new Map<string, T>();
  const by: PolicySourceName[] = [];
  for (const s of sources) {
    const v = s.rules[key] as T[] | undefined;
    if (v === undefined || v.length === 0) continue;
    by.push(s.source);
    for (const x of v) if (!seen.has(id(x))) seen.set(id(x), x);
  }
  if (by.length === 0) return;
  (out.rules as Record<string, unknown>)[key] = [...seen.values()];
  out.provenance[key] = by;
};

/** `true` wins for prohibitions (`restrictive` = the value that restricts). */
const prohibit = (key: RuleKey, restrictive: boolean, sources: SourcedRules[], out: EffectivePolicy): void => {
  const declared = sources.filter((s) => s.rules[key] !== undefined);
  if (declared.length === 0) return;
  const imposing = declared.filter((s) => s.rules[key] === restrictive);
  (out.rules as Record<string, unknown>)[key] = imposing.length > 0 ? restrictive : !restrictive;
  out.provenance[key] = (imposing.length > 0 ? imposing : declared).map((s) => s.source);
};

const tagKey = (t: MessageTagRule): string => t.tag;
/** What a tag may carry when its rule lists no purposes (as the engine reads it). */
const DEFAULT_TAG_PURPOSES: Purpose[] = ['service', 'transactional'];

/**
 * Computes the meet of policy sources: the most restrictive value of every rule.
 * @param sources - the sources' rules (channel, business, law, customer, in any order)
 * @param channel - the channel id, for display
 * @returns the effective policy, each rule with the sources behind it
 */
export function meetPolicies(sources: SourcedRules[], channel: string): EffectivePolicy {
  const out: EffectivePolicy = { channel, rules: {}, provenance: {}, sources };
  let initiation: Initiation | undefined;
  for (const s of sources) {
    const v = s.rules.initiation;
    if (v !== undefined && (initiation === undefined || INITIATION_RANK[v] > INITIATION_RANK[initiation])) initiation = v;
  }
  if (initiation !== undefined) {
    out.rules.initiation = initiation;
    out.provenance.initiation = sources.filter((s) => s.rules.initiation === initiation).map((s) => s.source);
  }
  minOf('serviceWindowHours', sources, out);
  minOf('entryPointWindowHours', sources, out);
  minOf('broadcastMaxRecipients', sources, out);
  minOf('maxTextLength', sources, out);
  minOf('captionMaxLength', sources, out);
  minPerKind(sources, out);
  intersectPerKind(sources, out);
  intersect<TemplateCategory>('templateCategories', sources, out);
  intersect<ContentType>('contentTypes', sources, out);
  // tags: intersect by name; a tag both sources allow takes the shorter period and the common senders
  intersect<MessageTagRule>('tags', sources, out, tagKey);
  if (out.rules.tags) {
    out.rules.tags = out.rules.tags.map((tag) => {
      const all = sources.flatMap((s) => s.rules.tags?.filter((t) => t.tag === tag.tag) ?? []);
      const merged: MessageTagRule = { tag: tag.tag };
      const hours = all.map((t) => t.maxHoursSinceInbound).filter((h): h is number => h !== undefined);
      if (hours.length > 0) merged.maxHoursSinceInbound = Math.min(...hours);
      // an omitted purpose list means the default (service, transactional), so it still binds once another source names purposes
      const namesPurposes = all.some((t) => t.purposes !== undefined);
      for (const t of all) {
        if (t.senders) merged.senders = merged.senders ? merged.senders.filter((x) => t.senders!.includes(x)) : [...t.senders];
        const purposes = t.purposes ?? (namesPurposes ? DEFAULT_TAG_PURPOSES : undefined);
        if (purposes) merged.purposes = merged.purposes ? merged.purposes.filter((x) => purposes.includes(x)) : [...purposes];
      }
      return merged;
    });
  }
  unite<Purpose>('consentRequiredFor', sources, out);
  unite<string>('marketingBlockedCallingCodes', sources, out);
  unite<string>('marketingTemplateBlockedCountries', sources, out);
  unite<string>('restrictedCommerce', sources, out);
  unite<string>('bannedTopics', sources, out);
  unite<RateLimit>('rateLimits', sources, out, (r) => JSON.stringify(r));
  unite<QuietHours>('quietHours', sources, out, (q) => JSON.stringify(q));
  prohibit('marketingAllowed', false, sources, out);
  prohibit('broadcastAllowed', false, sources, out);
  prohibit('requireDoubleOptIn', true, sources, out);
  prohibit('templatesRequireApproval', true, sources, out);
  prohibit('repliesOnly', true, sources, out);
  const overflow = sources.filter((s) => s.rules.textOverflow !== undefined);
  if (overflow.length > 0) {
    const refuse = overflow.filter((s) => s.rules.textOverflow === 'refuse');
    out.rules.textOverflow = refuse.length > 0 ? 'refuse' : 'split';
    out.provenance.textOverflow = (refuse.length > 0 ? refuse : overflow).map((s) => s.source);
  }
  return out;
}

/**
 * Lists every way `effective` is less restrictive than `source` (empty when it is at least as
 * restrictive in every rule). The policy engine's invariant, and a check for custom sources.
 * @param effective - effective rules
 * @param source - one source's rules
 * @returns human-readable violations
 */
export function restrictivenessViolations(effective: PolicyRules, source: PolicyRules): string[] {
  const v: string[] = [];
  const subset = (a: unknown[] | undefined, b: unknown[] | undefined, key: string, id: (x: unknown) => string = String): void => {
    if (b === undefined) return;
    if (a === undefined) { v.push(`${key}: source restricts it, effective does not`); return; }
    const allowed = new Set(b.map(id));
    for (const x of a) if (!allowed.has(id(x))) v.push(`${key}: effective allows ${id(x)}`);
  };
  const superset = (a: unknown[] | undefined, b: unknown[] | undefined, key: string, id: (x: unknown) => string = (x) => String(x).toLowerCase()): void => {
    const have = new Set((a ?? []).map(id));
    for (const x of b ?? []) if (!have.has(id(x))) v.push(`${key}: effective lacks ${id(x)}`);
  };
  const atMost = (a: number | undefined, b: number | undefined, key: string): void => {
    if (b !== undefined && (a === undefined || a > b)) v.push(`${key}: effective ${String(a)} > ${b}`);
  };
  const never = (a: boolean | undefined, b: boolean | undefined, key: string, restrictive: boolean): void => {
    if (b === restrictive && a !== restrictive) v.push(`${key}: source says ${String(b)}`);
  };
  if (source.initiation !== undefined && (effective.initiation === undefined || INITIATION_RANK[effective.initiation] < INITIATION_RANK[source.initiation])) {
    v.push(`initiation: effective ${String(effective.initiation)} is looser than ${source.initiation}`);
  }
  atMost(effective.serviceWindowHours, source.serviceWindowHours, 'serviceWindowHours');
  atMost(effective.entryPointWindowHours, source.entryPointWindowHours, 'entryPointWindowHours');
  atMost(effective.broadcastMaxRecipients, source.broadcastMaxRecipients, 'broadcastMaxRecipients');
  atMost(effective.maxTextLength, source.maxTextLength, 'maxTextLength');
  atMost(effective.captionMaxLength, source.captionMaxLength, 'captionMaxLength');
  for (const [kind, max] of Object.entries(source.mediaMaxBytes ?? {}) as [MediaKind, number | undefined][]) {
    atMost(effective.mediaMaxBytes?.[kind], max, `mediaMaxBytes.${kind}`);
  }
  for (const [kind, list] of Object.entries(source.mediaTypes ?? {}) as [MediaKind, string[] | undefined][]) {
    if (list === undefined) continue;
    const allowed = effective.mediaTypes?.[kind];
    if (allowed === undefined) { v.push(`mediaTypes.${kind}: source restricts it, effective does not`); continue; }
    for (const t of allowed) if (!entryCovered(t, list)) v.push(`mediaTypes.${kind}: effective allows ${t}`);
  }
  subset(effective.templateCategories, source.templateCategories, 'templateCategories');
  subset(effective.contentTypes, source.contentTypes, 'contentTypes');
  subset(effective.tags, source.tags, 'tags', (x) => (x as MessageTagRule).tag);
  for (const t of source.tags ?? []) {
    const e = effective.tags?.find((x) => x.tag === t.tag);
    if (!e) continue;
    atMost(e.maxHoursSinceInbound, t.maxHoursSinceInbound, `tags.${t.tag}.maxHoursSinceInbound`);
    subset(e.senders, t.senders, `tags.${t.tag}.senders`);
    subset(e.purposes ?? DEFAULT_TAG_PURPOSES, t.purposes ?? DEFAULT_TAG_PURPOSES, `tags.${t.tag}.purposes`);
  }
  superset(effective.consentRequiredFor, source.consentRequiredFor, 'consentRequiredFor');
  superset(effective.marketingBlockedCallingCodes, source.marketingBlockedCallingCodes, 'marketingBlockedCallingCodes');
  superset(effective.marketingTemplateBlockedCountries, source.marketingTemplateBlockedCountries, 'marketingTemplateBlockedCountries');
  superset(effective.restrictedCommerce, source.restrictedCommerce, 'restrictedCommerce');
  superset(effective.bannedTopics, source.bannedTopics, 'bannedTopics');
  superset(effective.rateLimits, source.rateLimits, 'rateLimits', (x) => JSON.stringify(x));
  superset(effective.quietHours, source.quietHours, 'quietHours', (x) => JSON.stringify(x));
  never(effective.marketingAllowed, source.marketingAllowed, 'marketingAllowed', false);
  never(effective.broadcastAllowed, source.broadcastAllowed, 'broadcastAllowed', false);
  never(effective.requireDoubleOptIn, source.requireDoubleOptIn, 'requireDoubleOptIn', true);
  never(effective.templatesRequireApproval, source.templatesRequireApproval, 'templatesRequireApproval', true);
  never(effective.repliesOnly, source.repliesOnly, 'repliesOnly', true);
  if (source.textOverflow === 'refuse' && effective.textOverflow !== 'refuse') v.push('textOverflow: source refuses');
  return v;
}

/**
 * Decision records: why each outbound message was allowed (or refused), kept so it can be shown to
 * an auditor. A record holds the verdict and every reason, the effective rules with the sources that
 * imposed them, the consent entries the decision relied on (ids and evidence), and the versions of
 * the tenant's policy and of the channel's price table in force — plus, for an accepted message,
 * the re-check at the send point just before it left the host.
 *
 * The effective rules repeat from one message to the next (they change only with the tenant's
 * config, the connector and the customer's controls), so they are kept once per version in a side
 * collection and named by their hash in each record.
 * @module
 */
import type { ConsentEntry, MessageForm, PolicyReason, Price, Purpose, SenderKind } from '@switchboard/core';
import type { Collection, CollectionSpec, Filter, StorageDriver } from './driver.js';
import { LedgerSequence, scanByKey, timeRange, withoutHidden, type DocumentStoreOptions } from './document-support.js';
import { pageOf, type Page, type TimeRange } from './stores.js';

/** One row of an effective policy, as core's `explainRows` lists it. */
export interface EffectiveRuleRow {
  rule: string;
  label: string;
  value: unknown;
  /** The sources that imposed the value (channel, business, law, customer). */
  sources: string[];
}

/** A consent ledger entry a decision relied on (a grant) or was refused by (a revocation). */
export interface DecisionConsentRef {
  /** The ledger entry's id. */
  id: string;
  /** `grant`: the opt-in the send relied on; `request`: the first step a double opt-in confirmed; `revocation`: the opt-out that refused it. */
  role: 'grant' | 'request' | 'revocation';
  action: ConsentEntry['action'];
  channel: string;
  scope: ConsentEntry['scope'];
  purpose?: Purpose;
  topic?: string;
  at: Date;
  evidence: ConsentEntry['evidence'];
}

/** The versions in force when a decision was taken (see `decision-record.ts` for how they are computed). */
export interface DecisionVersions {
  /** `sha256:` and 16 hex digits of the tenant's outbound policy as canonical JSON. */
  tenantPolicy: string;
  /** `sha256:` and 16 hex digits of the channel's price schedule as canonical JSON (`none` for a free channel). */
  priceTable: string;
  /** The same of the channel's declared policy. */
  channelPolicy: string;
  /** The same of the effective rules (the key of their snapshot). */
  effective: string;
}

/** The re-check at the send point, just before the message left the host. */
export interface SendCheck {
  at: Date;
  verdict: 'allow' | 'deny';
  reasons: PolicyReason[];
  /** The price the engine decided at that time (what the cost ledger records). */
  price?: Price;
  consent: DecisionConsentRef[];
}

/** Why one outbound message was allowed or refused. */
export interface DecisionRecord {
  /** The decision id (given to the integrator with a refusal). */
  id: string;
  tenantId: string;
  /** The message it allowed (absent for a refusal: nothing was stored). */
  messageId?: string;
  conversationId?: string;
  contactId?: string;
  channel: string;
  accountId: string;
  userId: string;
  /** When the decision was taken (host clock). */
  at: Date;
  /** Which entry point asked. */
  via: 'api' | 'notification' | 'conversation';
  intent: {
    purpose: Purpose;
    topic?: string;
    sender: SenderKind;
    tag?: string;
    broadcast?: boolean;
    commerceCategory?: string;
    contentType: string;
    template?: { name: string; language: string; category: string };
  };
  verdict: 'allow' | 'deny';
  /** Every reason of a refusal, each with its source. */
  reasons: PolicyReason[];
  form?: MessageForm;
  price?: Price;
  inWindow?: boolean;
  /** The recipient's market the price was taken for (ISO 3166-1 alpha-2). */
  market?: string;
  /** The countries whose law the decision considered (tenant's, recipient's), when known. */
  jurisdiction?: { tenantCountry?: string; recipientCountry?: string };
  /** The account's unique-recipient usage fed to the engine (business-initiated messages in the rolling window). */
  usage?: { uniqueRecipients: number; recipientCounted: boolean; limit: number; windowMs: number };
  /** The consent entries the decision relied on (or was refused by). */
  consent: DecisionConsentRef[];
  versions: DecisionVersions;
  /** The effective rules with their sources (stored once per version; filled in when read). */
  effective?: EffectiveRuleRow[];
  sendCheck?: SendCheck;
}

/** DI token for {@link DecisionStore}. */
export const DecisionStore = Symbol.for('switchboard.DecisionStore');
/** Decision records of outbound messages, tenant-scoped. */
export interface DecisionStore {
  /**
   * Keeps a record (and the snapshot of its effective rules, once per version).
   * @param record - the record; `effective` holds the rows to snapshot
   */
  record(record: DecisionRecord & { effective: EffectiveRuleRow[] }): Promise<void>;
  /** A record by id, its effective rules filled in. */
  get(tenantId: string, id: string): Promise<DecisionRecord | undefined>;
  /** The record of an accepted message, its effective rules filled in. */
  findByMessage(tenantId: string, messageId: string): Promise<DecisionRecord | undefined>;
  /** Records the re-check at the send point. @returns the record after the update */
  recordSendCheck(tenantId: string, messageId: string, check: SendCheck): Promise<DecisionRecord | undefined>;
  /** A tenant's records with `from <= at < to`, oldest first (without their effective rules). */
  list(tenantId: string, filter: TimeRange & { verdict?: 'allow' | 'deny'; purposes?: Purpose[] } & Page): Promise<DecisionRecord[]>;
  /** Every record of the range in batches, oldest first (without their effective rules). */
  scan(tenantId: string, filter: TimeRange & { verdict?: 'allow' | 'deny'; purposes?: Purpose[] }): AsyncGenerator<DecisionRecord[]>;
  /** Records of a contact's messages or of one of its addresses, oldest first, effective rules filled in. */
  listBySubject(tenantId: string, subject: { contactId: string; messageIds: string[]; userIds: string[] }): Promise<DecisionRecord[]>;
  /**
   * Erasure: replaces the records of a contact by pseudonymised ones (`redact`), found as in
   * {@link DecisionStore.listBySubject}. @returns how many were replaced
   */
  redactSubject(tenantId: string, subject: { contactId: string; messageIds: string[]; userIds: string[] }, redact: (record: DecisionRecord) => DecisionRecord): Promise<number>;
}

type StoredDecision = Omit<DecisionRecord, 'effective'> & { seq: number };
interface Snapshot { id: string; rows: EffectiveRuleRow[] }
const HIDDEN = ['seq'] as const;
const ORDER = [['at', 1], ['seq', 1]] as const;

/** {@link DecisionStore} over any {@link StorageDriver}. */
export class DocumentDecisionStore implements DecisionStore {
  /** The records. */
  static readonly spec: CollectionSpec = {
    name: 'policy_decisions',
    fields: {
      tenantId: 'string', messageId: 'string', contactId: 'string', userId: 'string', channel: 'string',
      verdict: 'string', 'intent.purpose': 'string', at: 'date', seq: 'number',
    },
    indexes: [
      // a message has one decision
      { fields: ['tenantId', 'messageId'], unique: true },
      { fields: ['tenantId', 'at', 'seq'] },
      { fields: ['tenantId', 'verdict', 'intent.purpose', 'at', 'seq'] },
      { fields: ['tenantId', 'contactId'] },
      { fields: ['tenantId', 'channel', 'userId'] },
      { fields: ['seq'] },
    ],
  };

  /** Effective rules by version (content-addressed: the id is the hash of the rows; no personal data). */
  static readonly snapshotSpec: CollectionSpec = { name: 'policy_snapshots', fields: {} };

  private readonly docs: Collection<StoredDecision>;
  private readonly snapshots: Collection<Snapshot>;
  private readonly seq: LedgerSequence;
  /** Snapshot versions this process knows are stored. */
  private readonly known = new Set<string>();

  /**
   * @param driver - the storage driver
   * @param options - the clock (of the ledger sequence)
   */
  constructor(driver: StorageDriver, options: DocumentStoreOptions = {}) {
    this.docs = driver.collection<StoredDecision>(DocumentDecisionStore.spec);
    this.snapshots = driver.collection<Snapshot>(DocumentDecisionStore.snapshotSpec);
    this.seq = new LedgerSequence(this.docs, options.now ?? Date.now);
  }

  async record(record: DecisionRecord & { effective: EffectiveRuleRow[] }): Promise<void> {
    const { effective, ...rest } = record;
    const version = record.versions.effective;
    if (!this.known.has(version)) {
      // insert answers false when another process (or an earlier run) stored it: same content either way
      await this.snapshots.insert({ id: version, rows: effective });
      this.known.add(version);
    }
    await this.docs.insert({ ...rest, seq: await this.seq.next() });
  }

  private async withRules(stored: StoredDecision | undefined): Promise<DecisionRecord | undefined> {
    if (!stored) return undefined;
    const record = withoutHidden<DecisionRecord>(stored, HIDDEN);
    const snapshot = await this.snapshots.get(record.versions.effective);
    return { ...record, effective: snapshot?.rows ?? [] };
  }

  async get(tenantId: string, id: string): Promise<DecisionRecord | undefined> {
    return this.withRules(await this.docs.findOne({ id, tenantId }));
  }

  async findByMessage(tenantId: string, messageId: string): Promise<DecisionRecord | undefined> {
    return this.withRules(await this.docs.findOne({ tenantId, messageId }));
  }

  async recordSendCheck(tenantId: string, messageId: string, check: SendCheck): Promise<DecisionRecord | undefined> {
    const updated = await this.docs.updateOne({ tenantId, messageId }, { $set: { sendCheck: check } });
    return updated ? withoutHidden<DecisionRecord>(updated, HIDDEN) : undefined;
  }

  private filterOf(tenantId: string, filter: TimeRange & { verdict?: 'allow' | 'deny'; purposes?: Purpose[] }): Filter {
    return {
      tenantId, ...timeRange('at', filter),
      ...(filter.verdict ? { verdict: filter.verdict } : {}),
      ...(filter.purposes ? { 'intent.purpose': { $in: filter.purposes } } : {}),
    };
  }

  async list(tenantId: string, filter: TimeRange & { verdict?: 'allow' | 'deny'; purposes?: Purpose[] } & Page): Promise<DecisionRecord[]> {
    const { limit, offset } = pageOf(filter);
    const docs = await this.docs.find(this.filterOf(tenantId, filter), { sort: ORDER, limit, offset });
    return docs.map((d) => withoutHidden<DecisionRecord>(d, HIDDEN));
  }

  async *scan(tenantId: string, filter: TimeRange & { verdict?: 'allow' | 'deny'; purposes?: Purpose[] }): AsyncGenerator<DecisionRecord[]> {
    for await (const batch of scanByKey(this.docs, this.filterOf(tenantId, filter), ['at', 'seq'], 500)) {
      yield batch.map((d) => withoutHidden<DecisionRecord>(d, HIDDEN));
    }
  }

  private async subjectDocs(tenantId: string, subject: { contactId: string; messageIds: string[]; userIds: string[] }): Promise<StoredDecision[]> {
    const alternatives = [
      { contactId: subject.contactId },
      ...(subject.messageIds.length > 0 ? [{ messageId: { $in: subject.messageIds } }] : []),
      ...(subject.userIds.length > 0 ? [{ userId: { $in: subject.userIds } }] : []),
    ];
    return this.docs.find({ tenantId, $or: alternatives }, { sort: ORDER });
  }

  async listBySubject(tenantId: string, subject: { contactId: string; messageIds: string[]; userIds: string[] }): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = [];
    for (const d of await this.subjectDocs(tenantId, subject)) out.push((await this.withRules(d))!);
    return out;
  }

  async redactSubject(tenantId: string, subject: { contactId: string; messageIds: string[]; userIds: string[] }, redact: (record: DecisionRecord) => DecisionRecord): Promise<number> {
    let n = 0;
    for (const stored of await this.subjectDocs(tenantId, subject)) {
      const { seq } = stored;
      const redacted = redact(withoutHidden<DecisionRecord>(stored, HIDDEN));
      const { effective: _rules, ...rest } = redacted;
      // same id and sequence: the record keeps its place
      if (await this.docs.replaceOne({ id: stored.id, tenantId }, { ...rest, id: stored.id, tenantId, seq })) n++;
    }
    return n;
  }
}

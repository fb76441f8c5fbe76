/**
 * Opt-in flows: one double opt-in from its first step (form, checkbox, link, keyword) to the
 * customer's confirming message. The ledger holds the consent itself; a flow holds what the
 * ledger cannot until the customer is known (the first step's evidence, the links handed out) and
 * where the flow stands.
 * @module
 */
import type { Address, ConsentEvidence, Purpose } from '@switchboard/core';
import { ConflictError } from '../errors.js';
import type { Collection, CollectionSpec, Filter, StorageDriver } from '../stores/driver.js';
import type { ClickToChatChannel } from './click-to-chat.js';

/** Where a flow stands. */
export type OptInFlowStatus =
  /** Links handed out; no start message yet. */
  | 'awaiting-start'
  /** The customer is known on a channel; their confirming message is awaited. */
  | 'awaiting-confirmation'
  | 'confirmed';

/** One double opt-in. */
export interface OptInFlow {
  id: string;
  tenantId: string;
  purpose: Exclude<Purpose, 'service'>;
  /** The stated context ("flight updates"); omitted = every topic of the purpose. */
  topic?: string;
  /** How the first step was taken. */
  source: ConsentEvidence['source'];
  /** The wording the customer saw at the first step. */
  wording?: string;
  /** The privacy policy shown at the first step. */
  privacyPolicy: { url?: string; version: string };
  /**
   * What completes the flow: the tokenised start message itself (the first step happened
   * elsewhere: a form, a checkbox) or a reply to the host's confirmation question (the first step
   * was the start message or a keyword).
   */
  confirmWith: 'start-message' | 'reply';
  /** Whether the resulting consent covers every channel of the contact or only the one confirmed on. */
  scope: 'channel' | 'all-channels';
  /** Language of the host's questions and confirmations. */
  language: string;
  /** The contact, once known (given at the start, or found by the start message). */
  contactId?: string;
  /** The links handed out, per channel (none for a flow a keyword started). */
  channels: { channel: ClickToChatChannel; account: string; target: string }[];
  status: OptInFlowStatus;
  /** The address the start message came from. */
  startedOn?: Address;
  /** When the host asked the customer to confirm (at most once per flow). */
  promptedAt?: Date;
  /** Ledger entry of the first step, and its time. */
  requestedEntryId?: string;
  requestedAt?: Date;
  /** Ledger entry of the confirmation. */
  confirmedEntryId?: string;
  /** Set when the start message's address already belonged to another contact than the flow's. */
  contactConflict?: { addressContactId: string };
  /** Who started the flow through the API. */
  recordedBy?: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

/** DI token for {@link OptInFlowStore}. */
export const OptInFlowStore = Symbol.for('switchboard.OptInFlowStore');
/** Opt-in flows, tenant-scoped. */
export interface OptInFlowStore {
  create(flow: OptInFlow): Promise<void>;
  get(tenantId: string, id: string): Promise<OptInFlow | undefined>;
  /** Applies a patch; returns the updated flow. */
  update(tenantId: string, id: string, patch: Partial<Omit<OptInFlow, 'id' | 'tenantId'>>): Promise<OptInFlow | undefined>;
  /** The newest flow started on an address and still awaiting its confirmation. */
  findAwaiting(tenantId: string, address: Address): Promise<OptInFlow | undefined>;
  /** A tenant's flows, newest first. */
  list(tenantId: string, filter?: { contactId?: string; status?: OptInFlowStatus; limit?: number; offset?: number }): Promise<OptInFlow[]>;
  /** Every flow of a contact, or started from one of its addresses, oldest first (export). */
  listBySubject(tenantId: string, subject: { contactId: string; addresses: readonly Address[] }): Promise<OptInFlow[]>;
  /**
   * Deletes every flow of a contact, or started from one of its addresses (erasure: a flow holds
   * the address and what the first step recorded; the consent ledger keeps the proof).
   * @returns how many were deleted
   */
  deleteBySubject(tenantId: string, subject: { contactId: string; addresses: readonly Address[] }): Promise<number>;
}

/** The opt-in flows' collection. */
export const OPT_IN_FLOW_COLLECTION: CollectionSpec = {
  name: 'opt_in_flows',
  fields: {
    tenantId: 'string', status: 'string', contactId: 'string',
    'startedOn.channel': 'string', 'startedOn.accountId': 'string', 'startedOn.userId': 'string',
    createdAt: 'date', updatedAt: 'date',
  },
  indexes: [
    // the start message's lookup
    { fields: ['tenantId', 'status', 'startedOn.channel', 'startedOn.accountId', 'startedOn.userId', 'updatedAt'] },
    { fields: ['tenantId', 'createdAt'] },
    { fields: ['tenantId', 'contactId', 'createdAt'] },
  ],
};

/**
 * The opt-in flow store on the storage driver: a click-to-chat link handed out by one host process
 * is confirmed by whichever process receives the start message, and survives restarts on a durable
 * driver.
 */
export class DocumentOptInFlowStore implements OptInFlowStore {
  private readonly flows: Collection<OptInFlow>;

  /** @param driver - the host's storage driver */
  constructor(driver: StorageDriver) {
    this.flows = driver.collection<OptInFlow>(OPT_IN_FLOW_COLLECTION);
  }

  /**
   * @inheritdoc
   * @throws ConflictError when a flow with the same id exists
   */
  async create(flow: OptInFlow): Promise<void> {
    if (!(await this.flows.insert(flow))) throw new ConflictError(`opt-in flow ${flow.id} exists`, { id: flow.id });
  }

  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<OptInFlow | undefined> {
    return this.flows.findOne({ id, tenantId });
  }

  /** Applies a patch atomically; a member set to `undefined` removes the field. */
  async update(tenantId: string, id: string, patch: Partial<Omit<OptInFlow, 'id' | 'tenantId'>>): Promise<OptInFlow | undefined> {
    const { id: _id, tenantId: _tenant, ...fields } = patch as Partial<OptInFlow>;
    if (Object.keys(fields).length === 0) return this.get(tenantId, id);
    return this.flows.updateOne({ id, tenantId }, { $set: fields });
  }

  /** @inheritdoc */
  async findAwaiting(tenantId: string, address: Address): Promise<OptInFlow | undefined> {
    return this.flows.findOne({
      tenantId, status: 'awaiting-confirmation',
      'startedOn.channel': address.channel, 'startedOn.accountId': address.accountId, 'startedOn.userId': address.userId,
    }, { sort: [['updatedAt', -1]] });
  }

  private subjectFilter(tenantId: string, subject: { contactId: string; addresses: readonly Address[] }): Filter {
    const alternatives: Filter[] = [{ contactId: subject.contactId }];
    for (const a of subject.addresses) alternatives.push({ 'startedOn.channel': a.channel, 'startedOn.accountId': a.accountId, 'startedOn.userId': a.userId });
    return { tenantId, $or: alternatives };
  }

  /** @inheritdoc */
  async listBySubject(tenantId: string, subject: { contactId: string; addresses: readonly Address[] }): Promise<OptInFlow[]> {
    return this.flows.find(this.subjectFilter(tenantId, subject), { sort: [['createdAt', 1]] });
  }

  /** @inheritdoc */
  async deleteBySubject(tenantId: string, subject: { contactId: string; addresses: readonly Address[] }): Promise<number> {
    return this.flows.deleteMany(this.subjectFilter(tenantId, subject));
  }

  /** A tenant's flows, newest first (100 unless a limit is given). */
  async list(tenantId: string, filter: { contactId?: string; status?: OptInFlowStatus; limit?: number; offset?: number } = {}): Promise<OptInFlow[]> {
    return this.flows.find({ tenantId, contactId: filter.contactId, status: filter.status }, {
      sort: [['createdAt', -1]], limit: filter.limit ?? 100, offset: filter.offset ?? 0,
    });
  }
}

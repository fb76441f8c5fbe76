/**
 * Opt-in flows: one double opt-in from its first step (form, checkbox, link, keyword) to the
 * customer's confirming message. The ledger holds the consent itself; a flow holds what the
 * ledger cannot until the customer is known (the first step's evidence, the links handed out) and
 * where the flow stands.
 * @module
 */
import type { Address, ConsentEvidence, Purpose } from '@switchboard/core';
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
}

const sameAddress = (a: Address | undefined, b: Address): boolean => a !== undefined && a.channel === b.channel && a.accountId === b.accountId && a.userId === b.userId;

/** In-memory {@link OptInFlowStore} (one process; the flows of a restarted host are gone, their ledger entries are not). */
export class MemoryOptInFlowStore implements OptInFlowStore {
  private readonly flows = new Map<string, OptInFlow>();

  async create(flow: OptInFlow): Promise<void> {
    if (this.flows.has(flow.id)) throw new Error(`opt-in flow ${flow.id} exists`);
    this.flows.set(flow.id, structuredClone(flow));
  }

  async get(tenantId: string, id: string): Promise<OptInFlow | undefined> {
    const f = this.flows.get(id);
    return f && f.tenantId === tenantId ? structuredClone(f) : undefined;
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<OptInFlow, 'id' | 'tenantId'>>): Promise<OptInFlow | undefined> {
    const f = this.flows.get(id);
    if (!f || f.tenantId !== tenantId) return undefined;
    for (const [k, v] of Object.entries(patch)) {
      // a patch to undefined removes the field, as it does in the MongoDB store
      if (v === undefined) delete (f as unknown as Record<string, unknown>)[k];
      else (f as unknown as Record<string, unknown>)[k] = structuredClone(v);
    }
    return structuredClone(f);
  }

  async findAwaiting(tenantId: string, address: Address): Promise<OptInFlow | undefined> {
    const found = [...this.flows.values()]
      .filter((f) => f.tenantId === tenantId && f.status === 'awaiting-confirmation' && sameAddress(f.startedOn, address))
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    return found ? structuredClone(found) : undefined;
  }

  async list(tenantId: string, filter: { contactId?: string; status?: OptInFlowStatus; limit?: number; offset?: number } = {}): Promise<OptInFlow[]> {
    const offset = filter.offset ?? 0;
    return [...this.flows.values()]
      .filter((f) => f.tenantId === tenantId && (filter.contactId === undefined || f.contactId === filter.contactId) && (filter.status === undefined || f.status === filter.status))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id))
      .slice(offset, offset + (filter.limit ?? 100))
      .map((f) => structuredClone(f));
  }
}

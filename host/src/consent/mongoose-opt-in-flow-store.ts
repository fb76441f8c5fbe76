/**
 * Opt-in flows on MongoDB (collection `sb_opt_in_flows`), used automatically when the host runs on
 * the MongoDB store: a click-to-chat link handed out by one host process is confirmed by whichever
 * process receives the start message, and survives restarts until it expires.
 * @module
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Address } from '@switchboard/core';
import type { OptInFlow, OptInFlowStatus, OptInFlowStore } from './opt-in-flow-store.js';

/** An opt-in flow as stored (`_id` is the flow id). */
export type OptInFlowDocument = Omit<OptInFlow, 'id'> & { _id: string };

const Mixed = Schema.Types.Mixed;

/**
 * The schema and its indexes (tenant first in each).
 * @returns the mongoose schema of `sb_opt_in_flows`
 */
export function createOptInFlowSchema(): Schema {
  const schema = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    purpose: { type: String, required: true },
    topic: String,
    source: { type: String, required: true },
    wording: String,
    privacyPolicy: { type: Mixed, required: true },
    confirmWith: { type: String, required: true },
    scope: { type: String, required: true },
    language: { type: String, required: true },
    contactId: String,
    channels: { type: Mixed, required: true },
    status: { type: String, required: true },
    startedOn: Mixed,
    promptedAt: Date,
    requestedEntryId: String,
    requestedAt: Date,
    confirmedEntryId: String,
    contactConflict: Mixed,
    recordedBy: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  }, { versionKey: false, minimize: false, id: false, collection: 'sb_opt_in_flows' });
  schema.index({ tenantId: 1, status: 1, 'startedOn.channel': 1, 'startedOn.accountId': 1, 'startedOn.userId': 1, updatedAt: -1 }, { name: 'tenant_awaiting_address' });
  schema.index({ tenantId: 1, createdAt: -1, _id: 1 }, { name: 'tenant_created' });
  schema.index({ tenantId: 1, contactId: 1, createdAt: -1 }, { name: 'tenant_contact_created' });
  return schema;
}

function toFlow(doc: unknown): OptInFlow {
  const { _id, ...rest } = doc as Record<string, unknown>;
  const out: Record<string, unknown> = { id: _id };
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined) out[k] = v;
  return out as unknown as OptInFlow;
}

/** {@link OptInFlowStore} on a mongoose model. */
export class MongooseOptInFlowStore implements OptInFlowStore {
  /** @param model - the `sb_opt_in_flows` model (see {@link mongooseOptInFlowStore}) */
  constructor(private readonly model: Model<OptInFlowDocument>) {}

  /** @inheritdoc */
  async create(flow: OptInFlow): Promise<void> {
    const { id, ...rest } = flow;
    await this.model.create({ _id: id, ...rest });
  }

  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<OptInFlow | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? toFlow(doc) : undefined;
  }

  /** @inheritdoc */
  async update(tenantId: string, id: string, patch: Partial<Omit<OptInFlow, 'id' | 'tenantId'>>): Promise<OptInFlow | undefined> {
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, 1> = {};
    for (const [k, v] of Object.entries(patch)) { if (v === undefined) $unset[k] = 1; else $set[k] = v; }
    const doc = await this.model.findOneAndUpdate({ _id: id, tenantId }, { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) }, { returnDocument: 'after' }).lean();
    return doc ? toFlow(doc) : undefined;
  }

  /** @inheritdoc */
  async findAwaiting(tenantId: string, address: Address): Promise<OptInFlow | undefined> {
    const doc = await this.model.findOne({
      tenantId, status: 'awaiting-confirmation',
      'startedOn.channel': address.channel, 'startedOn.accountId': address.accountId, 'startedOn.userId': address.userId,
    }).sort({ updatedAt: -1 }).lean();
    return doc ? toFlow(doc) : undefined;
  }

  /** @inheritdoc */
  async list(tenantId: string, filter: { contactId?: string; status?: OptInFlowStatus; limit?: number; offset?: number } = {}): Promise<OptInFlow[]> {
    const docs = await this.model.find({ tenantId, ...(filter.contactId !== undefined ? { contactId: filter.contactId } : {}), ...(filter.status !== undefined ? { status: filter.status } : {}) })
      .sort({ createdAt: -1, _id: 1 }).skip(filter.offset ?? 0).limit(filter.limit ?? 100).lean();
    return docs.map(toFlow);
  }
}

/**
 * The opt-in flow store on a mongoose connection (the host's store connection).
 * @param connection - an open (or opening) connection
 */
export function mongooseOptInFlowStore(connection: Connection): MongooseOptInFlowStore {
  const name = 'SwitchboardOptInFlow';
  const model = (connection.models[name] as Model<OptInFlowDocument> | undefined) ?? connection.model<OptInFlowDocument>(name, createOptInFlowSchema());
  return new MongooseOptInFlowStore(model);
}

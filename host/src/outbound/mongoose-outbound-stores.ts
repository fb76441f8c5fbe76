/**
 * The outbound path's stores on MongoDB: templates, idempotency keys and the rate budget every
 * host process shares, so several hosts together stay within one platform limit.
 * @module
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { TemplateStatus } from '@switchboard/core';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';
import type { OutboundStores } from './outbound-runtime.js';
import { gcraParams, type PaceRule, type RateBudget } from './rate-budget.js';
import type { TemplateRecord, TemplateStore } from './template-registry.js';

/** Collection names of the outbound stores. */
export const OUTBOUND_COLLECTIONS = {
  templates: 'sb_templates',
  idempotency: 'sb_idempotency_keys',
  budget: 'sb_rate_budget',
} as const;

const options = { versionKey: false, minimize: false, id: false } as const;
const isDuplicateKey = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

/**
 * The schemas, with their indexes (fresh instances each call).
 * @param idempotencyRetentionSeconds - how long idempotency keys live (TTL index; default 24 h)
 * @returns one schema per collection
 */
export function createOutboundSchemas(idempotencyRetentionSeconds = 86_400): { template: Schema; idempotency: Schema; budget: Schema } {
  const template = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    channel: { type: String, required: true },
    name: { type: String, required: true },
    language: { type: String, required: true },
    category: { type: String, required: true, enum: ['marketing', 'utility', 'authentication'] },
    body: { type: String, required: true },
    header: String,
    footer: String,
    status: { type: String, required: true, enum: ['draft', 'submitted', 'approved', 'rejected', 'paused'] },
    externalId: String,
    reason: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  }, { ...options, collection: OUTBOUND_COLLECTIONS.templates });
  template.index({ tenantId: 1, channel: 1, name: 1, language: 1 }, { unique: true, name: 'tenant_template_unique' });
  template.index({ tenantId: 1, channel: 1, status: 1 }, { name: 'tenant_channel_status' });

  const idempotency = new Schema({
    tenantId: { type: String, required: true },
    key: { type: String, required: true },
    bodyHash: { type: String, required: true },
    status: { type: Number, required: true },
    response: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  }, { ...options, collection: OUTBOUND_COLLECTIONS.idempotency });
  idempotency.index({ tenantId: 1, key: 1 }, { unique: true, name: 'tenant_key_unique' });
  // keys expire after the retention period (MongoDB's TTL monitor removes them within a minute or so)
  idempotency.index({ createdAt: 1 }, { expireAfterSeconds: idempotencyRetentionSeconds, name: 'idempotency_ttl' });

  // one document per budget key (`channel:account[:recipient]`): the GCRA's theoretical arrival time
  const budget = new Schema({
    _id: { type: String, required: true },
    tat: { type: Number, required: true },
  }, { ...options, collection: OUTBOUND_COLLECTIONS.budget });
  return { template, idempotency, budget };
}

/** A record of the outbound MongoDB stores (templates, idempotency keys, rate budget). */
export type OutboundDocument = Record<string, unknown>;
const plain = <T>(doc: unknown): T => {
  const { _id, ...rest } = doc as OutboundDocument;
  return { id: _id, ...rest } as T;
};
const dropUndefined = (o: OutboundDocument): OutboundDocument => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** MongoDB {@link TemplateStore}. */
export class MongooseTemplateStore implements TemplateStore {
  /** @param model - the template model */
  constructor(private readonly model: Model<OutboundDocument>) {}
  /** @inheritdoc */
  async insert(record: TemplateRecord): Promise<boolean> {
    const { id, ...rest } = record;
    try {
      await this.model.create({ _id: id, ...dropUndefined(rest) });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<TemplateRecord | undefined> {
    const doc = await this.model.findOne({ _id: id, tenantId }).lean();
    return doc ? plain<TemplateRecord>(doc) : undefined;
  }
  /** @inheritdoc */
  async find(tenantId: string, channel: string, name: string, language: string): Promise<TemplateRecord | undefined> {
    const doc = await this.model.findOne({ tenantId, channel, name, language }).lean();
    return doc ? plain<TemplateRecord>(doc) : undefined;
  }
  /** @inheritdoc */
  async list(tenantId: string, filter: { channel?: string; status?: TemplateStatus } = {}): Promise<TemplateRecord[]> {
    const docs = await this.model.find({ tenantId, ...(filter.channel ? { channel: filter.channel } : {}), ...(filter.status ? { status: filter.status } : {}) })
      .sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map((d) => plain<TemplateRecord>(d));
  }
  /** @inheritdoc */
  async update(tenantId: string, id: string, patch: Partial<Pick<TemplateRecord, 'status' | 'externalId' | 'reason' | 'body' | 'category' | 'header' | 'footer'>>, now: Date): Promise<TemplateRecord | undefined> {
    const doc = await this.model.findOneAndUpdate({ _id: id, tenantId }, { $set: { ...dropUndefined(patch), updatedAt: now } }, { returnDocument: 'after' }).lean();
    return doc ? plain<TemplateRecord>(doc) : undefined;
  }
}

/** MongoDB {@link IdempotencyStore}; the first answer for a key wins across host processes. */
export class MongooseIdempotencyStore implements IdempotencyStore {
  /**
   * @param model - the idempotency model
   * @param now - the host clock's time in ms (keys older than the retention are ignored even before the TTL monitor removes them)
   * @param retentionMs - how long keys are remembered (default 24 h)
   */
  constructor(private readonly model: Model<OutboundDocument>, private readonly now: () => number = Date.now, private readonly retentionMs = 86_400_000) {}
  /** @inheritdoc */
  async get(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const doc = await this.model.findOne({ tenantId, key, createdAt: { $gt: new Date(this.now() - this.retentionMs) } }).lean();
    if (!doc) return undefined;
    const { _id: _ignored, ...rest } = doc as OutboundDocument;
    return rest as unknown as IdempotencyRecord;
  }
  /** @inheritdoc */
  async putIfAbsent(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    try {
      await this.model.create({ ...record });
      return record;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // an expired key not yet removed by the TTL monitor is replaced; a live one wins
      const live = await this.get(record.tenantId, record.key);
      if (live) return live;
      await this.model.deleteOne({ tenantId: record.tenantId, key: record.key, createdAt: { $lte: new Date(this.now() - this.retentionMs) } });
      return this.putIfAbsent(record);
    }
  }
}

/**
 * The GCRA budget in MongoDB, shared by every host process: a reservation reads each rule's
 * theoretical arrival time, computes the slot, and books every rule with a compare-and-set on the
 * value it read. When another process booked in between, the rules booked so far are given back
 * and the reservation starts over, so two hosts never get the same slot.
 */
export class MongooseRateBudget implements RateBudget {
  /**
   * @param model - the budget model
   * @param maxAttempts - compare-and-set rounds before giving up (default 20)
   */
  constructor(private readonly model: Model<OutboundDocument>, private readonly maxAttempts = 20) {}

  /** @inheritdoc */
  async reserve(rules: PaceRule[], now: number, maxWaitMs = Infinity): Promise<number> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const keys = rules.map((r) => r.key);
      const docs = await this.model.find({ _id: { $in: keys } }).lean();
      const seen = new Map(docs.map((d) => [String((d as OutboundDocument)._id), Number((d as OutboundDocument).tat)]));
      let at = now;
      for (const rule of rules) {
        const { tolerance } = gcraParams(rule);
        at = Math.max(at, Math.max(seen.get(rule.key) ?? now, now) - tolerance);
      }
      if (at - now > maxWaitMs) return at - now;
      const booked: { key: string; from: number | undefined; to: number }[] = [];
      let lost = false;
      for (const rule of rules) {
        const from = seen.get(rule.key);
        const to = Math.max(from ?? at, at) + gcraParams(rule).interval;
        if (await this.compareAndSet(rule.key, from, to)) booked.push({ key: rule.key, from, to });
        else { lost = true; break; }
      }
      if (!lost) return at - now;
      // give back what this round booked (only where nobody moved it since), then read again
      for (const b of booked.reverse()) {
        if (b.from === undefined) await this.model.deleteOne({ _id: b.key, tat: b.to });
        else await this.model.updateOne({ _id: b.key, tat: b.to }, { $set: { tat: b.from } });
      }
    }
    throw new Error(`rate budget: could not book a slot for ${rules.map((r) => r.key).join(', ')} after ${this.maxAttempts} attempts (heavy contention)`);
  }

  private async compareAndSet(key: string, from: number | undefined, to: number): Promise<boolean> {
    if (from === undefined) {
      try {
        await this.model.create({ _id: key, tat: to });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const result = await this.model.updateOne({ _id: key, tat: from }, { $set: { tat: to } });
    return result.modifiedCount === 1;
  }

  /** @inheritdoc */
  async penalize(key: string, until: number): Promise<void> {
    await this.model.updateOne({ _id: key }, { $max: { tat: until } }, { upsert: true });
  }
}

/**
 * The outbound stores on a mongoose connection (the host's store connection).
 * @param connection - an open (or opening) connection
 * @param now - the host clock's time in ms
 * @returns templates, idempotency keys and the shared rate budget
 */
export function mongooseOutboundStores(connection: Connection, now: () => number = Date.now): OutboundStores {
  const schemas = createOutboundSchemas();
  const model = (name: string, schema: Schema): Model<OutboundDocument> => (connection.models[name] as Model<OutboundDocument> | undefined) ?? connection.model<OutboundDocument>(name, schema);
  return {
    templates: new MongooseTemplateStore(model('SwitchboardTemplate', schemas.template)),
    idempotency: new MongooseIdempotencyStore(model('SwitchboardIdempotencyKey', schemas.idempotency), now),
    budget: new MongooseRateBudget(model('SwitchboardRateBudget', schemas.budget)),
  };
}

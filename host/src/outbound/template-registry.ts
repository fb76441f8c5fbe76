/**
 * The template registry: per tenant and channel, templates with their approval state. Only
 * approved templates pass the policy; parameters are validated against the body.
 * @module
 */
import type { TemplateCategory, TemplateParameter, TemplateStatus } from '@switchboard/core';
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** A registered template. */
export interface TemplateRecord {
  id: string;
  tenantId: string;
  channel: string;
  name: string;
  language: string;
  category: TemplateCategory;
  /** Body with `{{1}}` or `{{name}}` placeholders. */
  body: string;
  header?: string;
  footer?: string;
  status: TemplateStatus;
  /** The platform's id once submitted. */
  externalId?: string;
  /** Why the platform rejected or paused it. */
  reason?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** DI token for {@link TemplateStore}. */
export const TemplateStore = Symbol.for('switchboard.TemplateStore');
/** Templates by tenant, channel, name and language. */
export interface TemplateStore {
  /** Inserts; fails with `false` when (tenant, channel, name, language) exists. */
  insert(record: TemplateRecord): Promise<boolean>;
  get(tenantId: string, id: string): Promise<TemplateRecord | undefined>;
  find(tenantId: string, channel: string, name: string, language: string): Promise<TemplateRecord | undefined>;
  list(tenantId: string, filter?: { channel?: string; status?: TemplateStatus }): Promise<TemplateRecord[]>;
  update(tenantId: string, id: string, patch: Partial<Pick<TemplateRecord, 'status' | 'externalId' | 'reason' | 'body' | 'category' | 'header' | 'footer'>>, now: Date): Promise<TemplateRecord | undefined>;
}

/** The templates' collection. */
export const TEMPLATE_COLLECTION: CollectionSpec = {
  name: 'templates',
  fields: { tenantId: 'string', channel: 'string', name: 'string', language: 'string', status: 'string', createdAt: 'date' },
  indexes: [
    { fields: ['tenantId', 'channel', 'name', 'language'], unique: true },
    { fields: ['tenantId', 'channel', 'status'] },
    { fields: ['tenantId', 'createdAt'] },
  ],
};

/** The template store on the storage driver (one template per tenant, channel, name and language: a unique index). */
export class DocumentTemplateStore implements TemplateStore {
  private readonly templates: Collection<TemplateRecord>;

  /** @param driver - the host's storage driver */
  constructor(driver: StorageDriver) {
    this.templates = driver.collection<TemplateRecord>(TEMPLATE_COLLECTION);
  }

  /** @inheritdoc */
  async insert(record: TemplateRecord): Promise<boolean> {
    return this.templates.insert(record);
  }

  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<TemplateRecord | undefined> {
    return this.templates.findOne({ id, tenantId });
  }

  /** @inheritdoc */
  async find(tenantId: string, channel: string, name: string, language: string): Promise<TemplateRecord | undefined> {
    return this.templates.findOne({ tenantId, channel, name, language });
  }

  /** The tenant's templates, oldest first. */
  async list(tenantId: string, filter: { channel?: string; status?: TemplateStatus } = {}): Promise<TemplateRecord[]> {
    return this.templates.find({ tenantId, channel: filter.channel, status: filter.status }, { sort: [['createdAt', 1]] });
  }

  /** Applies a patch (a member set to `undefined` removes the field) and stamps `updatedAt`. */
  async update(tenantId: string, id: string, patch: Partial<Pick<TemplateRecord, 'status' | 'externalId' | 'reason' | 'body' | 'category' | 'header' | 'footer'>>, now: Date): Promise<TemplateRecord | undefined> {
    return this.templates.updateOne({ id, tenantId }, { $set: { ...patchOf(patch), updatedAt: now } });
  }
}

// only the patchable members: a caller's stray id or tenantId never reaches the document
const PATCHABLE = ['status', 'externalId', 'reason', 'body', 'category', 'header', 'footer'] as const;
function patchOf(patch: Partial<Record<(typeof PATCHABLE)[number], unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PATCHABLE) if (k in patch) out[k] = patch[k];
  return out;
}

/**
 * The placeholders of a template body.
 * @param body - text with `{{1}}` / `{{name}}` placeholders
 * @returns positional indexes (1-based) and names, each once
 */
export function templatePlaceholders(body: string): { positional: number[]; named: string[] } {
  const positional = new Set<number>();
  const named = new Set<string>();
  for (const m of body.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const key = m[1]!;
    if (/^\d+$/.test(key)) positional.add(Number(key));
    else named.add(key);
  }
  return { positional: [...positional].sort((a, b) => a - b), named: [...named] };
}

/**
 * Checks send-time parameters against a template body: every placeholder filled, nothing extra,
 * positional placeholders numbered 1..n without gaps, no empty values.
 * @param body - the registered body
 * @param parameters - the parameters of the send
 * @returns problems; empty when they fit
 */
export function templateParameterProblems(body: string, parameters: TemplateParameter[] = []): string[] {
  const problems: string[] = [];
  const { positional, named } = templatePlaceholders(body);
  positional.forEach((n, i) => { if (n !== i + 1) problems.push(`placeholder {{${n}}} leaves a gap: placeholders must be numbered 1..n`); });
  const bodyParams = parameters.filter((p) => (p.component ?? 'body') === 'body');
  const givenPositional = bodyParams.filter((p) => p.name === undefined);
  const givenNamed = new Map(bodyParams.filter((p) => p.name !== undefined).map((p) => [p.name!, p]));
  if (givenPositional.length !== positional.length) problems.push(`the body has ${positional.length} positional parameter(s); ${givenPositional.length} given`);
  for (const name of named) if (!givenNamed.has(name)) problems.push(`parameter "${name}" is missing`);
  for (const name of givenNamed.keys()) if (!named.includes(name)) problems.push(`parameter "${name}" is not in the template`);
  for (const p of bodyParams) if (p.text !== undefined && p.text.trim() === '') problems.push(`parameter ${p.name ?? '(positional)'} is empty`);
  return problems;
}

/**
 * The template registry: per tenant and channel, templates with their approval state. Only
 * approved templates pass the policy; parameters are validated against the body.
 * @module
 */
import type { TemplateCategory, TemplateParameter, TemplateStatus } from '@switchboard/core';

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

/** In-memory template store. */
export class MemoryTemplateStore implements TemplateStore {
  private readonly byId = new Map<string, TemplateRecord>();
  private readonly byKey = new Map<string, string>();
  private key(t: { tenantId: string; channel: string; name: string; language: string }): string {
    return `${t.tenantId}\u0000${t.channel}\u0000${t.name}\u0000${t.language}`;
  }
  /** @inheritdoc */
  async insert(record: TemplateRecord): Promise<boolean> {
    const k = this.key(record);
    if (this.byKey.has(k)) return false;
    this.byKey.set(k, record.id);
    this.byId.set(record.id, structuredClone(record));
    return true;
  }
  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<TemplateRecord | undefined> {
    const t = this.byId.get(id);
    return t && t.tenantId === tenantId ? structuredClone(t) : undefined;
  }
  /** @inheritdoc */
  async find(tenantId: string, channel: string, name: string, language: string): Promise<TemplateRecord | undefined> {
    const id = this.byKey.get(this.key({ tenantId, channel, name, language }));
    return id ? this.get(tenantId, id) : undefined;
  }
  /** @inheritdoc */
  async list(tenantId: string, filter: { channel?: string; status?: TemplateStatus } = {}): Promise<TemplateRecord[]> {
    return [...this.byId.values()]
      .filter((t) => t.tenantId === tenantId && (!filter.channel || t.channel === filter.channel) && (!filter.status || t.status === filter.status))
      .map((t) => structuredClone(t));
  }
  /** @inheritdoc */
  async update(tenantId: string, id: string, patch: Partial<TemplateRecord>, now: Date): Promise<TemplateRecord | undefined> {
    const t = this.byId.get(id);
    if (!t || t.tenantId !== tenantId) return undefined;
    Object.assign(t, patch, { updatedAt: now });
    return structuredClone(t);
  }
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

/**
 * API keys: made, listed, revoked and rotated (CLI and REST), and resolved to a tenant and scopes
 * on every request. A key is `sb_<16 characters>_<secret>`; its first part is its public id, the
 * whole key is stored only as a SHA-256 digest and compared in constant time. Keys from the config
 * (`tenants[].apiKeys`) are digested at start and checked the same way.
 *
 * Stored keys are read from the store on every request, never cached: a revocation holds at once
 * in every host process sharing the database.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TenantConfig } from '../config/host-config.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { ApiKeyRecord, ApiKeyStore, PublicApiKey } from './api-key-store.js';
import { publicApiKey } from './api-key-store.js';
import { API_SCOPES, isApiScope, MissingScopeError, PLAIN_KEY_SCOPES, type ApiCaller, type ApiScope, type ConfiguredApiKey } from './api-scopes.js';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY_PATTERN = /^(sb_[a-z2-7]{16})_[A-Za-z0-9_-]{43}$/;

/**
 * The SHA-256 digest of a key, hex.
 * @param key - the key
 * @returns its digest
 */
export function digestApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The scopes of a configured key.
 * @param entry - the config entry
 * @returns its scopes
 */
export function configuredScopes(entry: ConfiguredApiKey): readonly ApiScope[] {
  return typeof entry === 'string' ? PLAIN_KEY_SCOPES : entry.scopes;
}

/**
 * The key string of a configured key.
 * @param entry - the config entry
 * @returns the key
 */
export function configuredKey(entry: ConfiguredApiKey): string {
  return typeof entry === 'string' ? entry : entry.key;
}

/**
 * A configured key of a tenant holding every scope asked for (the console uses one to call the
 * compliance API on an admin's behalf).
 * @param tenant - the tenant
 * @param scopes - the scopes needed
 * @returns the key, or undefined when none has them all
 */
export function configuredKeyWith(tenant: TenantConfig, ...scopes: ApiScope[]): string | undefined {
  const entry = tenant.apiKeys.find((k) => scopes.every((s) => configuredScopes(k).includes(s)));
  return entry === undefined ? undefined : configuredKey(entry);
}

/** A configured key as a list shows it. */
export interface ConfigApiKeyView {
  /** `config:` and the first 12 hex digits of the key's digest. */
  id: string;
  tenantId: string;
  name?: string;
  scopes: ApiScope[];
  source: 'config';
}

/** What resolving a key yields. */
export interface ResolvedApiKey {
  tenant: TenantConfig;
  caller: ApiCaller;
}

/** A new key: the only time it is shown. */
export interface CreatedApiKey {
  /** The key itself; it is not stored and cannot be shown again. */
  key: string;
  record: PublicApiKey;
}

/** Options of {@link ApiKeyService}. */
export interface ApiKeyServiceOptions {
  /** The configured tenants (their `apiKeys`). */
  tenants: readonly TenantConfig[];
  store: ApiKeyStore;
  /** The clock, ms. */
  now: () => number;
  /** Random bytes (tests may make keys predictable). Default `crypto.randomBytes`. */
  random?: (size: number) => Buffer;
}

/** Who is asking for a key change: the CLI (the operator) or an admin key. */
export type KeyActor = { kind: 'cli' } | { kind: 'api-key'; caller: ApiCaller };

interface ConfigEntry { digest: Buffer; tenant: TenantConfig; caller: ApiCaller; name?: string }

/** Makes, lists, revokes, rotates and resolves API keys. */
export class ApiKeyService {
  private readonly config: ConfigEntry[] = [];
  private readonly tenants = new Map<string, TenantConfig>();
  private readonly random: (size: number) => Buffer;

  /** @param options - tenants, store, clock */
  constructor(private readonly options: ApiKeyServiceOptions) {
    this.random = options.random ?? randomBytes;
    for (const t of options.tenants) {
      this.tenants.set(t.id, t);
      for (const entry of t.apiKeys) {
        const hex = digestApiKey(configuredKey(entry));
        this.config.push({
          digest: Buffer.from(hex, 'hex'), tenant: t,
          caller: { keyId: `config:${hex.slice(0, 12)}`, source: 'config', scopes: [...configuredScopes(entry)] },
          ...(typeof entry !== 'string' && entry.name ? { name: entry.name } : {}),
        });
      }
    }
  }

  /**
   * The tenant and scopes of a presented key.
   * @param key - the bearer token
   * @returns them, or undefined for an unknown, revoked or malformed key
   */
  async resolve(key: string): Promise<ResolvedApiKey | undefined> {
    if (key.length < 16 || key.length > 256) return undefined;
    const digest = Buffer.from(digestApiKey(key), 'hex');
    // every configured digest is compared, whichever matches, so the time taken says nothing
    let found: ConfigEntry | undefined;
    for (const c of this.config) if (timingSafeEqual(c.digest, digest) && !found) found = c;
    if (found) return { tenant: found.tenant, caller: found.caller };
    const id = KEY_PATTERN.exec(key)?.[1];
    if (!id) return undefined;
    const record = await this.options.store.find(id);
    if (!record || record.revokedAt !== undefined) return undefined;
    if (!timingSafeEqual(Buffer.from(record.hash, 'hex'), digest)) return undefined;
    const tenant = this.tenants.get(record.tenantId);
    if (!tenant) return undefined;
    return { tenant, caller: { keyId: record.id, source: 'store', scopes: record.scopes.filter(isApiScope) } };
  }

  /**
   * Makes a key.
   * @param tenantId - the tenant
   * @param input - its scopes (checked: unknown ones are refused) and name
   * @param actor - who asks: an admin key may only grant scopes it holds itself
   * @returns the key (shown once) and its record
   */
  async create(tenantId: string, input: { scopes: readonly string[]; name?: string }, actor: KeyActor): Promise<CreatedApiKey> {
    this.tenant(tenantId);
    const scopes = normaliseScopes(input.scopes);
    this.mayGrant(actor, scopes);
    for (;;) {
      const id = `sb_${[...this.random(16)].map((b) => ID_ALPHABET[b & 31]).join('')}`;
      const key = `${id}_${this.random(32).toString('base64url')}`;
      const record: ApiKeyRecord = {
        id, tenantId, scopes, hash: digestApiKey(key), createdAt: new Date(this.options.now()),
        createdBy: actor.kind === 'cli' ? 'cli' : `api-key:${actor.caller.keyId}`,
        ...(input.name ? { name: input.name } : {}),
      };
      // 80 random bits make a taken id all but impossible; a clash draws again
      if (await this.options.store.insert(record)) return { key, record: publicApiKey(record) };
    }
  }

  /**
   * A tenant's keys: the configured ones (which only the config changes) and the stored ones.
   * @param tenantId - the tenant
   * @returns the keys, never with a key or its digest
   */
  async list(tenantId: string): Promise<{ config: ConfigApiKeyView[]; stored: PublicApiKey[] }> {
    this.tenant(tenantId);
    const config = this.config.filter((c) => c.tenant.id === tenantId)
      .map((c): ConfigApiKeyView => ({ id: c.caller.keyId, tenantId, scopes: [...c.caller.scopes], source: 'config', ...(c.name ? { name: c.name } : {}) }));
    return { config, stored: (await this.options.store.list(tenantId)).map(publicApiKey) };
  }

  /**
   * Revokes a stored key: from now on it authenticates nothing, in every host process.
   * @param tenantId - the tenant
   * @param id - the key's id
   * @returns the revoked key
   * @throws NotFoundError for no such key; ConflictError for a configured or already revoked key
   */
  async revoke(tenantId: string, id: string): Promise<PublicApiKey> {
    await this.existing(tenantId, id);
    const revoked = await this.options.store.revoke(tenantId, id, new Date(this.options.now()));
    if (!revoked) throw new ConflictError(`API key ${id} is already revoked`, { id });
    return publicApiKey(revoked);
  }

  /**
   * Replaces a stored key by a new one with the same scopes and name; the old key stops at once.
   * @param tenantId - the tenant
   * @param id - the key's id
   * @param actor - who asks: an admin key may only rotate a key whose scopes it holds
   * @returns the new key (shown once) and its record
   */
  async rotate(tenantId: string, id: string, actor: KeyActor): Promise<CreatedApiKey & { revoked: PublicApiKey }> {
    const old = await this.existing(tenantId, id);
    if (old.revokedAt !== undefined) throw new ConflictError(`API key ${id} is revoked; create a new one`, { id });
    this.mayGrant(actor, old.scopes);
    const created = await this.create(tenantId, { scopes: old.scopes, ...(old.name ? { name: old.name } : {}) }, actor);
    const revoked = await this.options.store.revoke(tenantId, id, new Date(this.options.now()), created.record.id);
    if (!revoked) {
      // revoked by someone else meanwhile: the new key must not outlive the race
      await this.options.store.revoke(tenantId, created.record.id, new Date(this.options.now()));
      throw new ConflictError(`API key ${id} was revoked meanwhile`, { id });
    }
    return { ...created, revoked: publicApiKey(revoked) };
  }

  private tenant(tenantId: string): TenantConfig {
    const t = this.tenants.get(tenantId);
    if (!t) throw new NotFoundError('tenant', tenantId);
    return t;
  }

  private async existing(tenantId: string, id: string): Promise<ApiKeyRecord> {
    this.tenant(tenantId);
    if (this.config.some((c) => c.tenant.id === tenantId && c.caller.keyId === id)) {
      throw new ConflictError(`API key ${id} is defined in the config; remove it there`, { id });
    }
    const record = await this.options.store.get(tenantId, id);
    if (!record) throw new NotFoundError('API key', id);
    return record;
  }

  private mayGrant(actor: KeyActor, scopes: readonly ApiScope[]): void {
    if (actor.kind === 'cli') return;
    const missing = scopes.find((s) => !actor.caller.scopes.includes(s));
    if (missing) throw new MissingScopeError(missing, 'granting a scope');
  }
}

/**
 * Checks and de-duplicates a list of scopes (in the order of {@link API_SCOPES}).
 * @param scopes - the scopes asked for
 * @returns them, checked
 * @throws ValidationError for an empty list or an unknown scope
 */
export function normaliseScopes(scopes: readonly string[]): ApiScope[] {
  if (scopes.length === 0) throw new ValidationError('scopes', 'must name at least one scope');
  const unknown = scopes.filter((s) => !isApiScope(s));
  if (unknown.length > 0) throw new ValidationError('scopes', `unknown scope(s): ${unknown.join(', ')}`);
  return API_SCOPES.filter((s) => scopes.includes(s));
}

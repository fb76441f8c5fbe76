/**
 * What the console keeps about the people who use it: agent accounts, their sessions, which
 * conversations each has read, notes on contacts, and the tenant's saved replies and
 * knowledge-base links. Tenant-scoped like every host store.
 * @module
 */
import { ConflictError, ValidationError } from '../errors.js';
import type { Collection, CollectionSpec, StorageDriver } from '../stores/driver.js';

/** An agent's role: agents work conversations, supervisors also see everyone's load, admins also export and erase contacts. */
export type AgentRole = 'agent' | 'supervisor' | 'admin';

/** Every role, least privileged first. */
export const AGENT_ROLES: readonly AgentRole[] = ['agent', 'supervisor', 'admin'];

/**
 * Whether a role includes another's rights.
 * @param role - the agent's role
 * @param needed - the role an action needs
 * @returns true when `role` is `needed` or above it
 */
export function roleAtLeast(role: AgentRole, needed: AgentRole): boolean {
  return AGENT_ROLES.indexOf(role) >= AGENT_ROLES.indexOf(needed);
}

/** A person who logs in to the console. */
export interface Agent {
  id: string;
  tenantId: string;
  /** Lower-cased; unique per tenant. */
  email: string;
  name: string;
  role: AgentRole;
  /** `scrypt$N$r$p$salt$hash` (see password.ts). Never leaves the server. */
  passwordHash: string;
  /** A disabled agent cannot log in; their sessions are dropped. */
  disabled?: boolean;
  /** Queues the agent works (shown first in the inbox). */
  queues?: string[];
  lastLoginAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** An agent as the API shows it: everything but the password hash. */
export type PublicAgent = Omit<Agent, 'passwordHash'>;

/**
 * Strips the password hash.
 * @param agent - a stored agent
 * @returns the agent without its hash
 */
export function publicAgent(agent: Agent): PublicAgent {
  const { passwordHash: _hash, ...rest } = agent;
  return rest;
}

/** A logged-in browser. */
export interface AgentSession {
  /** SHA-256 of the cookie's token, so a leaked store holds no usable session. */
  id: string;
  tenantId: string;
  agentId: string;
  /** The CSRF token the browser must echo in `x-csrf-token` (also in a readable cookie). */
  csrf: string;
  createdAt: Date;
  /** Sliding expiry, moved forward as the agent works. */
  expiresAt: Date;
  /** Absolute end, however active the agent is. */
  maxExpiresAt: Date;
}

/** A note an agent wrote about a contact. */
export interface ContactNote {
  id: string;
  tenantId: string;
  contactId: string;
  agentId: string;
  authorName: string;
  text: string;
  at: Date;
}

/** A saved answer an agent can insert into the reply box. */
export interface QuickReply {
  id: string;
  title: string;
  text: string;
}

/** A knowledge-base article an agent can link. */
export interface KnowledgeLink {
  id: string;
  title: string;
  url: string;
  /** Words that suggest it when the customer uses them. */
  keywords?: string[];
}

/** A tenant's console settings. */
export interface ConsoleSettings {
  tenantId: string;
  quickReplies: QuickReply[];
  knowledgeBase: KnowledgeLink[];
  updatedAt?: Date;
}

/** DI token for {@link AgentStore}. */
export const AgentStore = Symbol.for('switchboard.AgentStore');
/** Agents, sessions, read markers, notes and settings. */
export interface AgentStore {
  /** Inserts an agent; `false` when the tenant already has one with that e-mail. */
  insert(agent: Agent): Promise<boolean>;
  get(tenantId: string, id: string): Promise<Agent | undefined>;
  findByEmail(tenantId: string, email: string): Promise<Agent | undefined>;
  /** The tenant's agents, by name. */
  list(tenantId: string): Promise<Agent[]>;
  update(tenantId: string, id: string, patch: Partial<Pick<Agent, 'name' | 'role' | 'passwordHash' | 'disabled' | 'queues' | 'lastLoginAt'>>, now: Date): Promise<Agent | undefined>;
  /** Deletes an agent and their sessions; `false` when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;

  createSession(session: AgentSession): Promise<void>;
  getSession(id: string): Promise<AgentSession | undefined>;
  /** Moves a session's sliding expiry (never past its absolute end). */
  touchSession(id: string, expiresAt: Date): Promise<void>;
  deleteSession(id: string): Promise<void>;
  /** Drops every session of an agent (password change, disabling, deletion). */
  deleteSessionsOf(tenantId: string, agentId: string): Promise<void>;

  /** Records that an agent saw a conversation up to `at` (only ever moves forward). */
  markRead(tenantId: string, agentId: string, conversationId: string, at: Date): Promise<void>;
  /** An agent's read markers by conversation id. */
  readMarkers(tenantId: string, agentId: string): Promise<Map<string, Date>>;

  addNote(note: ContactNote): Promise<void>;
  /** A contact's notes, oldest first. */
  listNotes(tenantId: string, contactId: string): Promise<ContactNote[]>;
  /** Removes a contact's notes (when the contact is erased). */
  deleteNotes(tenantId: string, contactId: string): Promise<void>;
  /** Moves a contact's notes to another contact (a merge). @returns how many moved */
  moveNotes(tenantId: string, fromContactId: string, toContactId: string): Promise<number>;

  getSettings(tenantId: string): Promise<ConsoleSettings>;
  putSettings(settings: ConsoleSettings): Promise<void>;

  close?(): Promise<void>;
}

/** The console's collections. */
export const CONSOLE_COLLECTIONS = {
  agents: {
    name: 'console_agents',
    fields: { tenantId: 'string', email: 'string', name: 'string' },
    indexes: [{ fields: ['tenantId', 'email'], unique: true }, { fields: ['tenantId', 'name'] }],
  },
  /** Sessions by the SHA-256 of their cookie token. */
  sessions: {
    name: 'console_sessions',
    fields: { tenantId: 'string', agentId: 'string', expiresAt: 'date' },
    indexes: [{ fields: ['tenantId', 'agentId'] }, { fields: ['expiresAt'] }],
  },
  reads: {
    name: 'console_reads',
    fields: { tenantId: 'string', agentId: 'string', conversationId: 'string', at: 'date' },
    indexes: [{ fields: ['tenantId', 'agentId'] }],
  },
  notes: {
    name: 'console_notes',
    fields: { tenantId: 'string', contactId: 'string', at: 'date' },
    indexes: [{ fields: ['tenantId', 'contactId', 'at'] }],
  },
  /** One document per tenant (its id is the tenant id). */
  settings: {
    name: 'console_settings',
    fields: { tenantId: 'string' },
  },
} as const satisfies Record<string, CollectionSpec>;

/** A read marker as stored (its id is the agent and conversation). */
export interface ReadMarkerDocument {
  id: string;
  tenantId: string;
  agentId: string;
  conversationId: string;
  at: Date;
}

/** A tenant's settings as stored (its id is the tenant id). */
export type SettingsDocument = ConsoleSettings & { id: string };

/** A password hash as password.ts writes it; anything else (a password in clear) is refused. */
const HASH = /^scrypt\$/;
const AGENT_PATCHABLE = ['name', 'role', 'passwordHash', 'disabled', 'queues', 'lastLoginAt'] as const;

/**
 * The console's store on the storage driver: agents (unique e-mail per tenant, password hashes
 * only), sessions (stored under the SHA-256 of the cookie's token, so the database holds no usable
 * session; expired ones are purged whenever someone logs in), read markers (forward only, by
 * `$max`), notes and settings.
 */
export class DocumentAgentStore implements AgentStore {
  private readonly agents: Collection<Agent>;
  private readonly sessions: Collection<AgentSession>;
  private readonly reads: Collection<ReadMarkerDocument>;
  private readonly notes: Collection<ContactNote>;
  private readonly settings: Collection<SettingsDocument>;

  /** @param driver - the host's storage driver */
  constructor(driver: StorageDriver) {
    this.agents = driver.collection<Agent>(CONSOLE_COLLECTIONS.agents);
    this.sessions = driver.collection<AgentSession>(CONSOLE_COLLECTIONS.sessions);
    this.reads = driver.collection<ReadMarkerDocument>(CONSOLE_COLLECTIONS.reads);
    this.notes = driver.collection<ContactNote>(CONSOLE_COLLECTIONS.notes);
    this.settings = driver.collection<SettingsDocument>(CONSOLE_COLLECTIONS.settings);
  }

  /**
   * Inserts an agent (its e-mail lower-cased and trimmed).
   * @throws ValidationError when the password hash is not a scrypt hash or the role is unknown
   */
  async insert(agent: Agent): Promise<boolean> {
    checkAgent(agent);
    return this.agents.insert({ ...agent, email: agent.email.trim().toLowerCase() });
  }
  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    return this.agents.findOne({ id, tenantId });
  }
  /** @inheritdoc */
  async findByEmail(tenantId: string, email: string): Promise<Agent | undefined> {
    return this.agents.findOne({ tenantId, email: email.trim().toLowerCase() });
  }
  /** @inheritdoc */
  async list(tenantId: string): Promise<Agent[]> {
    return this.agents.find({ tenantId }, { sort: [['name', 1]] });
  }
  /**
   * Applies a patch (a member set to `undefined` removes the field) and stamps `updatedAt`.
   * @throws ValidationError when the patch holds something other than a scrypt hash or a known role
   */
  async update(tenantId: string, id: string, patch: Partial<Pick<Agent, 'name' | 'role' | 'passwordHash' | 'disabled' | 'queues' | 'lastLoginAt'>>, now: Date): Promise<Agent | undefined> {
    checkAgent(patch);
    const $set: Record<string, unknown> = { updatedAt: now };
    for (const k of AGENT_PATCHABLE) if (k in patch) $set[k] = patch[k];
    return this.agents.updateOne({ id, tenantId }, { $set });
  }
  /** @inheritdoc */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const deleted = await this.agents.deleteMany({ id, tenantId });
    await this.deleteSessionsOf(tenantId, id);
    return deleted > 0;
  }

  /** Stores a session and purges every session whose sliding expiry passed before it was created. */
  async createSession(session: AgentSession): Promise<void> {
    await this.sessions.deleteMany({ expiresAt: { $lt: session.createdAt } });
    if (!(await this.sessions.insert(session))) throw new ConflictError('a session with this token exists');
  }
  /** @inheritdoc */
  async getSession(id: string): Promise<AgentSession | undefined> {
    return this.sessions.get(id);
  }
  /** @inheritdoc */
  async touchSession(id: string, expiresAt: Date): Promise<void> {
    const session = await this.sessions.get(id);
    if (!session) return;
    // maxExpiresAt never changes, so the bound read here still holds when the update lands
    const bounded = new Date(Math.min(expiresAt.getTime(), session.maxExpiresAt.getTime()));
    await this.sessions.updateOne({ id }, { $set: { expiresAt: bounded } });
  }
  /** @inheritdoc */
  async deleteSession(id: string): Promise<void> {
    await this.sessions.deleteMany({ id });
  }
  /** @inheritdoc */
  async deleteSessionsOf(tenantId: string, agentId: string): Promise<void> {
    await this.sessions.deleteMany({ tenantId, agentId });
  }

  /** @inheritdoc */
  async markRead(tenantId: string, agentId: string, conversationId: string, at: Date): Promise<void> {
    const id = JSON.stringify([tenantId, agentId, conversationId]);
    // forward only, atomically; the first marker is inserted, and a rival's insert is $max-ed over
    for (let round = 0; round < 3; round++) {
      if (await this.reads.updateOne({ id }, { $max: { at } })) return;
      if (await this.reads.insert({ id, tenantId, agentId, conversationId, at })) return;
    }
    throw new Error(`read marker ${id}: could not be stored`);
  }
  /** @inheritdoc */
  async readMarkers(tenantId: string, agentId: string): Promise<Map<string, Date>> {
    const docs = await this.reads.find({ tenantId, agentId });
    return new Map(docs.map((d) => [d.conversationId, d.at]));
  }

  /** @inheritdoc */
  async addNote(note: ContactNote): Promise<void> {
    if (!(await this.notes.insert(note))) throw new ConflictError(`note ${note.id} exists`, { id: note.id });
  }
  /** @inheritdoc */
  async listNotes(tenantId: string, contactId: string): Promise<ContactNote[]> {
    return this.notes.find({ tenantId, contactId }, { sort: [['at', 1]] });
  }
  /** @inheritdoc */
  async deleteNotes(tenantId: string, contactId: string): Promise<void> {
    await this.notes.deleteMany({ tenantId, contactId });
  }

  /** @inheritdoc */
  async moveNotes(tenantId: string, fromContactId: string, toContactId: string): Promise<number> {
    return this.notes.updateMany({ tenantId, contactId: fromContactId }, { $set: { contactId: toContactId } });
  }

  /** @inheritdoc */
  async getSettings(tenantId: string): Promise<ConsoleSettings> {
    const doc = await this.settings.get(tenantId);
    if (!doc) return { tenantId, quickReplies: [], knowledgeBase: [] };
    const { id: _id, ...settings } = doc;
    return settings;
  }
  /** Replaces the tenant's settings (created on first write). */
  async putSettings(settings: ConsoleSettings): Promise<void> {
    const doc: SettingsDocument = { ...settings, id: settings.tenantId };
    for (let round = 0; round < 3; round++) {
      if (await this.settings.replaceOne({ id: doc.id }, doc)) return;
      if (await this.settings.insert(doc)) return;
    }
    throw new Error(`console settings of ${settings.tenantId}: could not be stored`);
  }
}

function checkAgent(agent: Partial<Pick<Agent, 'passwordHash' | 'role'>>): void {
  // the store keeps hashes only: a password in clear never reaches the database
  if (agent.passwordHash !== undefined && !HASH.test(agent.passwordHash)) throw new ValidationError('passwordHash', 'must be a scrypt hash (see password.ts), never a password');
  if (agent.role !== undefined && !AGENT_ROLES.includes(agent.role)) throw new ValidationError('role', `must be one of ${AGENT_ROLES.join(', ')}`);
}

/**
 * What the console keeps about the people who use it: agent accounts, their sessions, which
 * conversations each has read, notes on contacts, and the tenant's saved replies and
 * knowledge-base links. Tenant-scoped like every host store.
 * @module
 */

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

  getSettings(tenantId: string): Promise<ConsoleSettings>;
  putSettings(settings: ConsoleSettings): Promise<void>;

  close?(): Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);

/** The embedded store: everything in memory (lost on restart; the sandbox's default). */
export class MemoryAgentStore implements AgentStore {
  private readonly agents = new Map<string, Agent>();
  private readonly sessions = new Map<string, AgentSession>();
  private readonly reads = new Map<string, Map<string, Date>>();
  private readonly notes: ContactNote[] = [];
  private readonly settings = new Map<string, ConsoleSettings>();

  /** @inheritdoc */
  async insert(agent: Agent): Promise<boolean> {
    if ([...this.agents.values()].some((a) => a.tenantId === agent.tenantId && a.email === agent.email)) return false;
    this.agents.set(agent.id, clone(agent));
    return true;
  }
  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    const a = this.agents.get(id);
    return a && a.tenantId === tenantId ? clone(a) : undefined;
  }
  /** @inheritdoc */
  async findByEmail(tenantId: string, email: string): Promise<Agent | undefined> {
    const a = [...this.agents.values()].find((x) => x.tenantId === tenantId && x.email === email.toLowerCase());
    return a ? clone(a) : undefined;
  }
  /** @inheritdoc */
  async list(tenantId: string): Promise<Agent[]> {
    return [...this.agents.values()].filter((a) => a.tenantId === tenantId).sort((a, b) => a.name.localeCompare(b.name)).map(clone);
  }
  /** @inheritdoc */
  async update(tenantId: string, id: string, patch: Partial<Agent>, now: Date): Promise<Agent | undefined> {
    const a = this.agents.get(id);
    if (!a || a.tenantId !== tenantId) return undefined;
    Object.assign(a, clone(patch), { updatedAt: now });
    return clone(a);
  }
  /** @inheritdoc */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const a = this.agents.get(id);
    if (!a || a.tenantId !== tenantId) return false;
    this.agents.delete(id);
    await this.deleteSessionsOf(tenantId, id);
    return true;
  }
  /** @inheritdoc */
  async createSession(session: AgentSession): Promise<void> {
    this.sessions.set(session.id, clone(session));
  }
  /** @inheritdoc */
  async getSession(id: string): Promise<AgentSession | undefined> {
    const s = this.sessions.get(id);
    return s ? clone(s) : undefined;
  }
  /** @inheritdoc */
  async touchSession(id: string, expiresAt: Date): Promise<void> {
    const s = this.sessions.get(id);
    if (s) s.expiresAt = new Date(Math.min(expiresAt.getTime(), s.maxExpiresAt.getTime()));
  }
  /** @inheritdoc */
  async deleteSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }
  /** @inheritdoc */
  async deleteSessionsOf(tenantId: string, agentId: string): Promise<void> {
    for (const [id, s] of this.sessions) if (s.tenantId === tenantId && s.agentId === agentId) this.sessions.delete(id);
  }
  /** @inheritdoc */
  async markRead(tenantId: string, agentId: string, conversationId: string, at: Date): Promise<void> {
    const key = `${tenantId}\u0000${agentId}`;
    let m = this.reads.get(key);
    if (!m) this.reads.set(key, (m = new Map()));
    const prev = m.get(conversationId);
    if (!prev || prev.getTime() < at.getTime()) m.set(conversationId, new Date(at));
  }
  /** @inheritdoc */
  async readMarkers(tenantId: string, agentId: string): Promise<Map<string, Date>> {
    return new Map(this.reads.get(`${tenantId}\u0000${agentId}`) ?? []);
  }
  /** @inheritdoc */
  async addNote(note: ContactNote): Promise<void> {
    this.notes.push(clone(note));
  }
  /** @inheritdoc */
  async listNotes(tenantId: string, contactId: string): Promise<ContactNote[]> {
    return this.notes.filter((n) => n.tenantId === tenantId && n.contactId === contactId).sort((a, b) => a.at.getTime() - b.at.getTime()).map(clone);
  }
  /** @inheritdoc */
  async deleteNotes(tenantId: string, contactId: string): Promise<void> {
    for (let i = this.notes.length - 1; i >= 0; i--) if (this.notes[i]!.tenantId === tenantId && this.notes[i]!.contactId === contactId) this.notes.splice(i, 1);
  }
  /** @inheritdoc */
  async getSettings(tenantId: string): Promise<ConsoleSettings> {
    return clone(this.settings.get(tenantId) ?? { tenantId, quickReplies: [], knowledgeBase: [] });
  }
  /** @inheritdoc */
  async putSettings(settings: ConsoleSettings): Promise<void> {
    this.settings.set(settings.tenantId, clone(settings));
  }
}

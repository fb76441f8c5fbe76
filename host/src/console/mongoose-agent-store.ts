/**
 * The console's MongoDB store (mongoose), on the host's own connection. Unique indexes keep one
 * agent per e-mail and tenant and one read marker per agent and conversation; a TTL index lets
 * MongoDB drop expired sessions by itself.
 * @module
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { Agent, AgentSession, AgentStore, ConsoleSettings, ContactNote } from './agent-store.js';

const { Mixed } = Schema.Types;
const options = { versionKey: false, minimize: false, id: false } as const;

/** Collection names of the console. */
export const CONSOLE_COLLECTIONS = {
  agents: 'sb_console_agents',
  sessions: 'sb_console_sessions',
  reads: 'sb_console_reads',
  notes: 'sb_console_notes',
  settings: 'sb_console_settings',
} as const;

/** The console's schemas. */
export interface ConsoleSchemas {
  agent: Schema;
  session: Schema;
  read: Schema;
  note: Schema;
  settings: Schema;
}

/**
 * Builds the console's schemas (fresh instances each call).
 * @returns one schema per collection, with its indexes
 */
export function createConsoleSchemas(): ConsoleSchemas {
  const agent = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 200 },
    role: { type: String, required: true, enum: ['agent', 'supervisor', 'admin'] },
    passwordHash: { type: String, required: true, match: /^scrypt\$/ },
    disabled: Boolean,
    queues: { type: [String], default: undefined },
    lastLoginAt: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  }, { ...options, collection: CONSOLE_COLLECTIONS.agents });
  agent.index({ tenantId: 1, email: 1 }, { unique: true, name: 'tenant_email_unique' });

  const session = new Schema({
    _id: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    tenantId: { type: String, required: true },
    agentId: { type: String, required: true },
    csrf: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    maxExpiresAt: { type: Date, required: true },
  }, { ...options, collection: CONSOLE_COLLECTIONS.sessions });
  session.index({ tenantId: 1, agentId: 1 }, { name: 'tenant_agent' });
  // MongoDB's TTL monitor removes a session once its sliding expiry passed
  session.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' });

  const read = new Schema({
    tenantId: { type: String, required: true },
    agentId: { type: String, required: true },
    conversationId: { type: String, required: true },
    at: { type: Date, required: true },
  }, { ...options, collection: CONSOLE_COLLECTIONS.reads });
  read.index({ tenantId: 1, agentId: 1, conversationId: 1 }, { unique: true, name: 'tenant_agent_conversation_unique' });

  const note = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    contactId: { type: String, required: true },
    agentId: { type: String, required: true },
    authorName: { type: String, required: true },
    text: { type: String, required: true, maxlength: 10_000 },
    at: { type: Date, required: true },
  }, { ...options, collection: CONSOLE_COLLECTIONS.notes });
  note.index({ tenantId: 1, contactId: 1, at: 1 }, { name: 'tenant_contact_at' });

  const settings = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    quickReplies: { type: Mixed, default: () => [] },
    knowledgeBase: { type: Mixed, default: () => [] },
    updatedAt: Date,
  }, { ...options, collection: CONSOLE_COLLECTIONS.settings });
  settings.index({ tenantId: 1 }, { unique: true, name: 'tenant_unique' });

  return { agent, session, read, note, settings };
}

type Doc = Record<string, unknown> & { _id: string };
const isDuplicateKey = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

function entity<T>(doc: unknown): T {
  const { _id, ...rest } = doc as Doc;
  const out: Record<string, unknown> = { id: _id };
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== undefined) out[k] = v;
  return out as T;
}

function toDoc(value: { id: string } & object): Doc {
  const { id, ...rest } = value as { id: string } & Record<string, unknown>;
  return { _id: id, ...rest };
}

/** MongoDB {@link AgentStore}. */
export class MongooseAgentStore implements AgentStore {
  private readonly agents: Model<Doc>;
  private readonly sessions: Model<Doc>;
  private readonly reads: Model<Doc>;
  private readonly notes: Model<Doc>;
  private readonly settings: Model<Doc>;

  /** @param connection - the host's mongoose connection (the host closes it) */
  constructor(connection: Connection) {
    const s = createConsoleSchemas();
    const model = (name: string, schema: Schema): Model<Doc> => connection.models[name] as Model<Doc> | undefined ?? connection.model<Doc>(name, schema);
    this.agents = model('ConsoleAgent', s.agent);
    this.sessions = model('ConsoleSession', s.session);
    this.reads = model('ConsoleRead', s.read);
    this.notes = model('ConsoleNote', s.note);
    this.settings = model('ConsoleSettings', s.settings);
  }

  /** Creates the indexes (the host connects with autoIndex off). */
  async ensureIndexes(): Promise<void> {
    await Promise.all([this.agents, this.sessions, this.reads, this.notes, this.settings].map((m) => m.createIndexes()));
  }

  /** @inheritdoc */
  async insert(agent: Agent): Promise<boolean> {
    try {
      await this.agents.create(toDoc(agent));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }
  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<Agent | undefined> {
    const d = await this.agents.findOne({ _id: id, tenantId }).lean();
    return d ? entity<Agent>(d) : undefined;
  }
  /** @inheritdoc */
  async findByEmail(tenantId: string, email: string): Promise<Agent | undefined> {
    const d = await this.agents.findOne({ tenantId, email: email.toLowerCase() }).lean();
    return d ? entity<Agent>(d) : undefined;
  }
  /** @inheritdoc */
  async list(tenantId: string): Promise<Agent[]> {
    return (await this.agents.find({ tenantId }).sort({ name: 1 }).lean()).map((d) => entity<Agent>(d));
  }
  /** @inheritdoc */
  async update(tenantId: string, id: string, patch: Partial<Agent>, now: Date): Promise<Agent | undefined> {
    const d = await this.agents.findOneAndUpdate({ _id: id, tenantId }, { $set: { ...patch, updatedAt: now } }, { new: true }).lean();
    return d ? entity<Agent>(d) : undefined;
  }
  /** @inheritdoc */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const r = await this.agents.deleteOne({ _id: id, tenantId });
    await this.deleteSessionsOf(tenantId, id);
    return r.deletedCount > 0;
  }
  /** @inheritdoc */
  async createSession(session: AgentSession): Promise<void> {
    await this.sessions.create(toDoc(session));
  }
  /** @inheritdoc */
  async getSession(id: string): Promise<AgentSession | undefined> {
    const d = await this.sessions.findOne({ _id: id }).lean();
    return d ? entity<AgentSession>(d) : undefined;
  }
  /** @inheritdoc */
  async touchSession(id: string, expiresAt: Date): Promise<void> {
    // never past the absolute end: $min keeps the earlier of the two
    await this.sessions.updateOne({ _id: id }, [{ $set: { expiresAt: { $min: [expiresAt, '$maxExpiresAt'] } } }]);
  }
  /** @inheritdoc */
  async deleteSession(id: string): Promise<void> {
    await this.sessions.deleteOne({ _id: id });
  }
  /** @inheritdoc */
  async deleteSessionsOf(tenantId: string, agentId: string): Promise<void> {
    await this.sessions.deleteMany({ tenantId, agentId });
  }
  /** @inheritdoc */
  async markRead(tenantId: string, agentId: string, conversationId: string, at: Date): Promise<void> {
    // forward only, atomically: $max never moves the marker back
    await this.reads.updateOne({ tenantId, agentId, conversationId }, { $max: { at } }, { upsert: true });
  }
  /** @inheritdoc */
  async readMarkers(tenantId: string, agentId: string): Promise<Map<string, Date>> {
    const docs = await this.reads.find({ tenantId, agentId }).lean();
    return new Map(docs.map((d) => [String(d.conversationId), d.at as Date]));
  }
  /** @inheritdoc */
  async addNote(note: ContactNote): Promise<void> {
    await this.notes.create(toDoc(note));
  }
  /** @inheritdoc */
  async listNotes(tenantId: string, contactId: string): Promise<ContactNote[]> {
    return (await this.notes.find({ tenantId, contactId }).sort({ at: 1 }).lean()).map((d) => entity<ContactNote>(d));
  }
  /** @inheritdoc */
  async deleteNotes(tenantId: string, contactId: string): Promise<void> {
    await this.notes.deleteMany({ tenantId, contactId });
  }
  /** @inheritdoc */
  async getSettings(tenantId: string): Promise<ConsoleSettings> {
    const d = await this.settings.findOne({ _id: tenantId }).lean();
    if (!d) return { tenantId, quickReplies: [], knowledgeBase: [] };
    const { _id: _ignored, ...rest } = d;
    return rest as unknown as ConsoleSettings;
  }
  /** @inheritdoc */
  async putSettings(settings: ConsoleSettings): Promise<void> {
    await this.settings.replaceOne({ _id: settings.tenantId }, { ...settings, _id: settings.tenantId }, { upsert: true });
  }
}

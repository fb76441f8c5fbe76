/**
 * What the console shows, computed from the stores: inbox rows, the service window, the
 * supervisor's per-agent load and first-response times, knowledge-base suggestions. Pure
 * functions, so each rule is tested without a server.
 * @module
 */
import { contentToText, type Assignee, type ChannelPolicy, type Contact, type Conversation } from '@switchboard/core';
import type { HostMessage } from '../stores/stores.js';
import type { Agent, KnowledgeLink } from './agent-store.js';

const HOUR = 3_600_000;

/** The customer-service window of a conversation. */
export interface WindowInfo {
  /** Hours the channel keeps it open after the customer's message; absent: no window on this channel. */
  hours?: number;
  open: boolean;
  /** When it closes (open) or closed (closed); absent when the customer never wrote. */
  closesAt?: string;
  /** Message tags an agent may use outside it, with how long after the customer's message. */
  agentTags: { tag: string; maxHoursSinceInbound?: number; until?: string; usable: boolean }[];
}

/**
 * The service window as the channel's policy declares it.
 * @param conversation - the conversation
 * @param policy - the channel's policy (the tenant may be stricter: the policy engine has the last word)
 * @param now - current time (ms)
 * @returns whether it is open and when it closes or closed
 */
export function windowInfo(conversation: Pick<Conversation, 'lastInboundAt' | 'entryPointAt'>, policy: ChannelPolicy | undefined, now: number): WindowInfo {
  const hours = policy?.serviceWindowHours;
  const lastIn = conversation.lastInboundAt ? new Date(conversation.lastInboundAt).getTime() : undefined;
  const agentTags = (policy?.outsideWindow?.tags ?? [])
    .filter((t) => t.senders?.includes('agent'))
    .map((t) => {
      const until = t.maxHoursSinceInbound !== undefined && lastIn !== undefined ? lastIn + t.maxHoursSinceInbound * HOUR : undefined;
      return {
        tag: t.tag,
        ...(t.maxHoursSinceInbound !== undefined ? { maxHoursSinceInbound: t.maxHoursSinceInbound } : {}),
        ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
        usable: lastIn !== undefined && (until === undefined || now < until),
      };
    });
  if (hours === undefined) return { open: true, agentTags };
  if (lastIn === undefined) return { hours, open: false, agentTags };
  let closes = lastIn + hours * HOUR;
  const entry = conversation.entryPointAt ? new Date(conversation.entryPointAt).getTime() : undefined;
  if (entry !== undefined && policy?.entryPointWindowHours !== undefined) closes = Math.max(closes, entry + policy.entryPointWindowHours * HOUR);
  return { hours, open: now < closes, closesAt: new Date(closes).toISOString(), agentTags };
}

/** A row of the inbox. */
export interface InboxRow {
  id: string;
  channel: string;
  accountId: string;
  contactId: string;
  contactName: string;
  status: Conversation['status'];
  assignee: Assignee;
  /** The agent's name when an agent holds it. */
  assigneeName?: string;
  queue?: string;
  tags: string[];
  preview: string;
  lastMessageAt?: string;
  lastDirection?: HostMessage['direction'];
  /** Customer messages newer than the viewing agent's read marker. */
  unread: number;
  updatedAt: string;
}

/**
 * Builds an inbox row.
 * @param c - the conversation
 * @param contact - its contact
 * @param messages - its messages, oldest first
 * @param readUpTo - the viewing agent's read marker
 * @param agents - the tenant's agents (for names)
 * @returns the row
 */
export function inboxRow(c: Conversation, contact: Contact | undefined, messages: readonly HostMessage[], readUpTo: Date | undefined, agents: readonly Pick<Agent, 'id' | 'name'>[]): InboxRow {
  const last = messages[messages.length - 1];
  const read = readUpTo?.getTime() ?? -Infinity;
  const unread = messages.filter((m) => m.direction === 'inbound' && new Date(m.timestamp).getTime() > read).length;
  const queue = c.assignee.kind === 'queue' ? c.assignee.queue : c.assignee.kind === 'agent' ? c.assignee.queue : undefined;
  const assigneeName = c.assignee.kind === 'agent' ? agents.find((a) => a.id === (c.assignee as { agentId: string }).agentId)?.name : undefined;
  return {
    id: c.id, channel: c.address.channel, accountId: c.address.accountId, contactId: c.contactId,
    contactName: contactName(contact, c),
    status: c.status, assignee: c.assignee, ...(assigneeName ? { assigneeName } : {}), ...(queue ? { queue } : {}), tags: c.tags,
    preview: last ? preview(last) : '',
    ...(last ? { lastMessageAt: new Date(last.timestamp).toISOString(), lastDirection: last.direction } : {}),
    unread, updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

/**
 * The name to show for a contact.
 * @returns the profile name, else the channel and user id
 */
export function contactName(contact: Pick<Contact, 'profile'> | undefined, c: Pick<Conversation, 'address'>): string {
  const name = contact?.profile.name;
  return typeof name === 'string' && name.trim() !== '' ? name : `${c.address.channel} ${c.address.userId}`;
}

/**
 * A one-line preview of a message.
 * @returns at most 120 characters
 */
export function preview(m: Pick<HostMessage, 'content'>): string {
  const kind = m.content.type === 'rich' ? m.content.kind : m.content.type;
  const text = contentToText(m.content).replace(/\s+/g, ' ').trim();
  const labelled = kind === 'text' || kind === 'reply' ? text : `[${kind}] ${text}`.trim();
  return labelled.length > 120 ? `${labelled.slice(0, 119)}…` : labelled;
}

/** Filters of the inbox. */
export interface InboxFilter {
  status?: Conversation['status'] | 'all';
  /** `me`, `unassigned` (in a queue or nobody), `bot`, `all`, or an agent id. */
  assignee?: string;
  queue?: string;
  channel?: string;
}

/**
 * Whether a conversation passes the inbox filter.
 * @param c - the conversation
 * @param f - the filter
 * @param me - the viewing agent's id
 * @returns true when it is shown
 */
export function matchesInbox(c: Conversation, f: InboxFilter, me: string): boolean {
  if (f.status && f.status !== 'all' && c.status !== f.status) return false;
  if (f.channel && c.address.channel !== f.channel) return false;
  const a = c.assignee;
  if (f.queue && !((a.kind === 'queue' && a.queue === f.queue) || (a.kind === 'agent' && a.queue === f.queue))) return false;
  switch (f.assignee ?? 'all') {
    case 'all': return true;
    case 'me': return a.kind === 'agent' && a.agentId === me;
    case 'unassigned': return a.kind === 'queue' || a.kind === 'none';
    case 'bot': return a.kind === 'bot';
    default: return a.kind === 'agent' && a.agentId === f.assignee;
  }
}

/** One agent's line in the supervisor view. */
export interface AgentLoad {
  agentId: string;
  name: string;
  role: Agent['role'];
  open: number;
  pending: number;
  resolved: number;
  /** First-response times (ms) of the conversations the agent holds that were answered. */
  firstResponse: { count: number; medianMs?: number; averageMs?: number; maxMs?: number };
}

/**
 * Per-agent load and first-response times. A conversation's first response is
 * `firstResponseAt − createdAt` (the first message the business sent, by bot or agent).
 * @param agents - the tenant's agents
 * @param conversations - the tenant's conversations
 * @returns one line per agent, plus the queues' waiting counts and the tenant-wide times
 */
export function supervisorStats(agents: readonly Agent[], conversations: readonly Conversation[]): {
  agents: AgentLoad[];
  queues: { queue: string; waiting: number; oldestWaitingSince?: string }[];
  overall: AgentLoad['firstResponse'];
} {
  const times = (list: readonly Conversation[]): AgentLoad['firstResponse'] => {
    const ms = list.filter((c) => c.firstResponseAt).map((c) => new Date(c.firstResponseAt!).getTime() - new Date(c.createdAt).getTime()).filter((x) => x >= 0).sort((a, b) => a - b);
    if (ms.length === 0) return { count: 0 };
    const mid = Math.floor(ms.length / 2);
    const median = ms.length % 2 ? ms[mid]! : Math.round((ms[mid - 1]! + ms[mid]!) / 2);
    return { count: ms.length, medianMs: median, averageMs: Math.round(ms.reduce((s, x) => s + x, 0) / ms.length), maxMs: ms[ms.length - 1]! };
  };
  const lines = agents.map((a) => {
    const held = conversations.filter((c) => c.assignee.kind === 'agent' && c.assignee.agentId === a.id);
    return {
      agentId: a.id, name: a.name, role: a.role,
      open: held.filter((c) => c.status === 'open').length,
      pending: held.filter((c) => c.status === 'pending').length,
      resolved: held.filter((c) => c.status === 'resolved').length,
      firstResponse: times(held),
    };
  });
  const queues = new Map<string, Conversation[]>();
  for (const c of conversations) {
    if (c.assignee.kind !== 'queue' || c.status === 'resolved') continue;
    const list = queues.get(c.assignee.queue) ?? [];
    list.push(c);
    queues.set(c.assignee.queue, list);
  }
  return {
    agents: lines,
    queues: [...queues].map(([queue, list]) => {
      const oldest = Math.min(...list.map((c) => new Date(c.updatedAt).getTime()));
      return { queue, waiting: list.length, oldestWaitingSince: new Date(oldest).toISOString() };
    }).sort((a, b) => a.queue.localeCompare(b.queue)),
    overall: times(conversations),
  };
}

/**
 * Knowledge-base articles whose keywords (or title words) appear in the customer's last message.
 * @param links - the tenant's articles
 * @param text - the customer's last message
 * @returns the matching articles, best first (at most 5)
 */
export function suggestKnowledge(links: readonly KnowledgeLink[], text: string | undefined): KnowledgeLink[] {
  if (!text) return [];
  const words = new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2));
  return links
    .map((l) => ({ l, score: [...(l.keywords ?? []), ...l.title.split(/\s+/)].map((k) => k.toLowerCase()).filter((k) => words.has(k)).length }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, 5)
    .map((x) => x.l);
}

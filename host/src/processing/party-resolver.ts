/**
 * Contact and conversation resolution for inbound events: the event's contact and conversation,
 * created when new, and what a customer's device declared it can show.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Address, Clock, Contact, Conversation, MessageEvent } from '@switchboard/core';
import type { HostStreams } from '../streams.js';
import type { HostStores } from '../stores/stores.js';

/** The customer side of an event: enough to find or create its contact and conversation. */
export interface PartyEvent {
  channel: string;
  accountId: string;
  userId: string;
  timestamp: Date;
  profile?: { [key: string]: unknown };
}

/** An event's contact and conversation. */
export interface Parties {
  contact: Contact;
  conversation: Conversation;
  /** Whether the conversation was created now. */
  created: boolean;
}

/** What the resolver needs. */
export interface PartyResolverDeps {
  stores: Pick<HostStores, 'contacts' | 'conversations'>;
  streams: Pick<HostStreams, 'conversation$'>;
  clock: Clock;
}

/** Finds or creates the contact and conversation of inbound events. */
export class PartyResolver {
  /** @param deps - contact and conversation stores, `conversation$`, clock */
  constructor(private readonly deps: PartyResolverDeps) {}

  /**
   * The event's contact and conversation, created when new.
   * @param tenantId - the tenant
   * @param event - the event's customer side
   * @param name - the profile name the platform reported, if any
   * @param inboundAt - when the customer wrote (a message): a conversation created now starts with
   *   it as `lastInboundAt`, as `recordInbound` would set it, so the caller need not write it again
   * @returns contact, conversation and whether the conversation is new
   */
  async resolve(tenantId: string, event: PartyEvent, name?: string, inboundAt?: Date): Promise<Parties> {
    const { stores, clock, streams } = this.deps;
    const address: Address = { channel: event.channel, accountId: event.accountId, userId: event.userId };
    const at = new Date(clock.now());
    // the country a platform reports (Viber's sender.country) is the market the contact's messages are priced in
    const reported = event.profile?.country;
    const country = typeof reported === 'string' && /^[A-Za-z]{2}$/.test(reported) ? reported.toUpperCase() : undefined;
    const { contact: found, created: contactCreated } = await stores.contacts.findOrCreateByAddress(tenantId, address, () => ({
      id: randomUUID(), tenantId, addresses: [address], profile: { ...(name ? { name } : {}), ...(country ? { country } : {}) }, createdAt: at, updatedAt: at,
    }));
    let contact = found;
    if (!contactCreated && ((name && contact.profile.name !== name) || (country && contact.profile.country !== country))) {
      contact = (await stores.contacts.update(tenantId, contact.id, { profile: { ...contact.profile, ...(name ? { name } : {}), ...(country ? { country } : {}) }, updatedAt: at })) ?? contact;
    }
    const { conversation, created } = await stores.conversations.findOrCreate(tenantId, address, () => ({
      id: randomUUID(), tenantId, contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at,
      ...(inboundAt ? { lastInboundAt: inboundAt, outboundSinceInbound: 0 } : {}),
    }));
    if (created) streams.conversation$.next({ tenantId, change: 'created', conversation });
    return { contact, conversation, created };
  }

  /**
   * The contact of an address, when known (nothing is created).
   * @param tenantId - the tenant
   * @param address - the customer's address
   * @returns the contact, or undefined
   */
  findContact(tenantId: string, address: Address): Promise<Contact | undefined> {
    return this.deps.stores.contacts.findByAddress(tenantId, address);
  }

  /**
   * Keeps what the customer's device declared it can show (Apple's `capability-list`, which the
   * connector puts in `metadata.capabilities`) on the contact, per channel: the send path passes it
   * to the connector as `recipientCapabilities`, so list pickers, time pickers, quick replies,
   * forms and sign-in go out natively to a device that declared them and degrade for one that did
   * not. The latest declaration wins (the customer may have changed device); an event without one
   * leaves what was known.
   * @param tenantId - the tenant
   * @param contact - the contact
   * @param event - the event that may declare capabilities
   * @returns the contact as stored
   */
  async recordCapabilities(tenantId: string, contact: Contact, event: Pick<MessageEvent, 'channel' | 'metadata'>): Promise<Contact> {
    const declared = capabilitiesOf(event);
    if (declared === undefined) return contact;
    const known = contact.capabilities?.[event.channel];
    if (known && known.length === declared.length && known.every((c, i) => c === declared[i])) return contact;
    const capabilities = { ...contact.capabilities, [event.channel]: declared };
    return (await this.deps.stores.contacts.update(tenantId, contact.id, { capabilities, updatedAt: new Date(this.deps.clock.now()) })) ?? contact;
  }
}

/** Capability tokens kept per channel at most, and their length: a header is the customer's to write. */
const MAX_CAPABILITIES = 64;
const MAX_CAPABILITY_LENGTH = 64;

/**
 * The device capabilities a connector read from a message (`metadata.capabilities`: a list of
 * tokens such as Apple's `LIST`, `TIME`, `QUICK`, `AUTH2`, `FORM`), bounded; undefined when the
 * message declared none.
 * @param event - a customer message
 * @returns the tokens, or undefined
 */
export function capabilitiesOf(event: Pick<MessageEvent, 'metadata'>): string[] | undefined {
  const raw = event.metadata?.capabilities;
  if (!Array.isArray(raw)) return undefined;
  const tokens = raw.filter((t): t is string => typeof t === 'string' && t !== '' && t.length <= MAX_CAPABILITY_LENGTH);
  return [...new Set(tokens)].slice(0, MAX_CAPABILITIES);
}

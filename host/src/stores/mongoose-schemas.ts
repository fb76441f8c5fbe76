/**
 * Mongoose schemas of the MongoDB store. The tenant id leads every index, so each query a tenant
 * makes is served by its own slice of the index; unique indexes make ingest idempotent across
 * several host processes.
 * @module
 */
import { Schema } from 'mongoose';

const { Mixed } = Schema.Types;
const options = { versionKey: false, minimize: false, id: false } as const;

const address = new Schema({ channel: { type: String, required: true }, accountId: { type: String, required: true }, userId: { type: String, required: true } }, { _id: false });

/** Collection names, one per store. */
export const COLLECTIONS = {
  conversations: 'sb_conversations',
  messages: 'sb_messages',
  contacts: 'sb_contacts',
  consent: 'sb_consent_ledger',
  inbox: 'sb_inbox',
  outbox: 'sb_outbox',
  deadLetters: 'sb_dead_letters',
  audit: 'sb_audit_log',
  costs: 'sb_cost_ledger',
} as const;

/** The schemas of every collection, with their indexes. */
export interface StoreSchemas {
  conversation: Schema;
  message: Schema;
  contact: Schema;
  consent: Schema;
  inbox: Schema;
  outbox: Schema;
  deadLetter: Schema;
  audit: Schema;
  cost: Schema;
}

/**
 * Builds the schemas (fresh instances each call, so several connections never share state).
 * @returns one schema per collection
 */
export function createStoreSchemas(): StoreSchemas {
  const conversation = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    contactId: { type: String, required: true },
    address: { type: address, required: true },
    status: { type: String, required: true, enum: ['open', 'pending', 'resolved'] },
    assignee: { type: Mixed, required: true },
    lastInboundAt: Date,
    lastOutboundAt: Date,
    entryPointAt: Date,
    outboundSinceInbound: Number,
    firstResponseAt: Date,
    tags: { type: [String], default: [] },
    crmRef: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  }, { ...options, collection: COLLECTIONS.conversations });
  conversation.index({ tenantId: 1, 'address.channel': 1, 'address.accountId': 1, 'address.userId': 1 }, { unique: true, name: 'tenant_address_unique' });
  conversation.index({ tenantId: 1, status: 1, updatedAt: -1 }, { name: 'tenant_status_updated' });
  conversation.index({ tenantId: 1, updatedAt: -1 }, { name: 'tenant_updated' });
  conversation.index({ tenantId: 1, contactId: 1 }, { name: 'tenant_contact' });

  const message = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    userId: { type: String, required: true },
    direction: { type: String, required: true, enum: ['inbound', 'outbound'] },
    externalId: String,
    content: { type: Mixed, required: true },
    status: { type: String, required: true },
    timestamp: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    replyTo: String,
    purpose: String,
    sender: String,
    topic: String,
    error: Mixed,
    rendering: Mixed,
    price: Mixed,
    form: Mixed,
    partIds: { type: [String], default: undefined },
    statusHistory: { type: [{ _id: false, status: String, at: Date }], default: undefined },
  }, { ...options, collection: COLLECTIONS.messages });
  message.index(
    // platform ids are unique per customer (Telegram numbers messages per chat)
    { tenantId: 1, channel: 1, accountId: 1, userId: 1, direction: 1, externalId: 1 },
    { unique: true, name: 'tenant_channel_external_unique', partialFilterExpression: { externalId: { $type: 'string' } } },
  );
  message.index({ tenantId: 1, channel: 1, accountId: 1, partIds: 1 }, { name: 'tenant_channel_parts', partialFilterExpression: { partIds: { $exists: true } } });
  message.index({ tenantId: 1, conversationId: 1, timestamp: 1, createdAt: 1 }, { name: 'tenant_conversation_time' });
  message.index({ tenantId: 1, status: 1, createdAt: 1 }, { name: 'tenant_status_created' });
  // analytics reads a period; retention deletes what is older than one
  message.index({ tenantId: 1, timestamp: 1, createdAt: 1 }, { name: 'tenant_time' });

  const contact = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    addresses: { type: [address], required: true },
    // `channel:accountId:userId` of every address: a multikey unique index gives an address one owner
    addressKeys: { type: [String], required: true },
    profile: { type: Mixed, default: {} },
    capabilities: Mixed,
    tags: { type: [String], default: undefined },
    crmRef: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  }, { ...options, collection: COLLECTIONS.contacts });
  contact.index({ tenantId: 1, addressKeys: 1 }, { unique: true, name: 'tenant_address_unique' });
  contact.index({ tenantId: 1, createdAt: 1 }, { name: 'tenant_created' });

  const consent = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    contactId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: String,
    action: { type: String, required: true },
    purpose: String,
    topic: String,
    scope: { type: String, required: true, enum: ['all-channels', 'channel'] },
    at: { type: Date, required: true },
    evidence: { type: Mixed, required: true },
    seq: { type: Number, required: true },
  }, { ...options, collection: COLLECTIONS.consent });
  consent.index({ tenantId: 1, contactId: 1, at: 1, seq: 1 }, { name: 'tenant_contact_time' });
  consent.index({ tenantId: 1, at: 1, seq: 1 }, { name: 'tenant_time' });

  const inbox = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    channel: { type: String, required: true },
    account: { type: String, required: true },
    key: { type: String, required: true },
    event: { type: Mixed, required: true },
    receivedAt: { type: Date, required: true },
    status: { type: String, required: true, enum: ['pending', 'processing', 'done', 'failed'] },
    attempts: { type: Number, required: true },
    notBefore: Date,
    leaseOwner: String,
    leaseUntil: Date,
    lastError: String,
    processedAt: Date,
  }, { ...options, collection: COLLECTIONS.inbox });
  inbox.index({ tenantId: 1, channel: 1, account: 1, key: 1 }, { unique: true, name: 'tenant_channel_key_unique' });
  inbox.index({ tenantId: 1, status: 1, notBefore: 1, receivedAt: 1 }, { name: 'tenant_status_due' });
  inbox.index({ tenantId: 1, status: 1, leaseUntil: 1 }, { name: 'tenant_status_lease' });
  // erasure and export find a contact's events by address and by message id
  inbox.index({ tenantId: 1, 'event.channel': 1, 'event.userId': 1 }, { name: 'tenant_event_user' });
  inbox.index({ tenantId: 1, 'event.externalId': 1 }, { name: 'tenant_event_external', partialFilterExpression: { 'event.externalId': { $type: 'string' } } });

  const outbox = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    messageId: { type: String, required: true },
    channel: { type: String, required: true },
    account: { type: String, required: true },
    message: { type: Mixed, required: true },
    status: { type: String, required: true, enum: ['pending', 'leased', 'sent', 'failed', 'cancelled'] },
    attempts: { type: Number, required: true },
    notBefore: { type: Date, required: true },
    leaseOwner: String,
    leaseUntil: Date,
    lastError: Mixed,
    idempotencyKey: String,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  }, { ...options, collection: COLLECTIONS.outbox });
  outbox.index({ tenantId: 1, status: 1, notBefore: 1, createdAt: 1 }, { name: 'tenant_status_due' });
  outbox.index({ tenantId: 1, status: 1, leaseUntil: 1 }, { name: 'tenant_status_lease' });
  outbox.index({ tenantId: 1, messageId: 1 }, { unique: true, name: 'tenant_message_unique' });
  outbox.index({ tenantId: 1, idempotencyKey: 1 }, { name: 'tenant_idempotency', partialFilterExpression: { idempotencyKey: { $type: 'string' } } });
  outbox.index({ tenantId: 1, 'message.to.channel': 1, 'message.to.userId': 1 }, { name: 'tenant_recipient' });
  // the dispatcher's "is an earlier message to this recipient still open?" (per-recipient order)
  outbox.index({ tenantId: 1, channel: 1, account: 1, 'message.to.userId': 1, status: 1, createdAt: 1 }, { name: 'tenant_recipient_open' });

  const deadLetter = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    channel: { type: String, required: true },
    account: { type: String, required: true },
    reason: { type: String, required: true },
    code: { type: String, required: true },
    rawBody: { type: String, required: true },
    headers: { type: Mixed, default: {} },
    receivedAt: { type: Date, required: true },
  }, { ...options, collection: COLLECTIONS.deadLetters });
  deadLetter.index({ tenantId: 1, receivedAt: -1 }, { name: 'tenant_received' });

  const audit = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true, enum: ['read', 'change'] },
    method: { type: String, required: true },
    path: { type: String, required: true },
    status: { type: Number, required: true },
    contactIds: { type: [String], default: [] },
    conversationIds: { type: [String], default: [] },
  }, { ...options, collection: COLLECTIONS.audit });
  audit.index({ tenantId: 1, at: -1 }, { name: 'tenant_time' });
  audit.index({ tenantId: 1, contactIds: 1, at: -1 }, { name: 'tenant_contact_time' });
  audit.index({ tenantId: 1, conversationIds: 1, at: -1 }, { name: 'tenant_conversation_time' });

  const cost = new Schema({
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    messageId: { type: String, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    accountId: { type: String, required: true },
    category: { type: String, required: true },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    at: { type: Date, required: true },
    inServiceSession: { type: Boolean, required: true },
    rateFrom: String,
    quotedAmount: Number,
  }, { ...options, collection: COLLECTIONS.costs });
  // a message is charged once, whichever process saw it sent
  cost.index({ tenantId: 1, messageId: 1 }, { unique: true, name: 'tenant_message_unique' });
  cost.index({ tenantId: 1, at: 1 }, { name: 'tenant_time' });
  cost.index({ tenantId: 1, conversationId: 1 }, { name: 'tenant_conversation' });

  return { conversation, message, contact, consent, inbox, outbox, deadLetter, audit, cost };
}

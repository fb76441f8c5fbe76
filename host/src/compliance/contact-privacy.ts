/**
 * The data-subject rights of the GDPR over every store of the host: access (Art. 15) and data
 * portability (Art. 20) as one JSON export, erasure (Art. 17) with a pseudonymised proof of the
 * consent events left in the ledger (see the compliance README for what is kept and why).
 * @module
 */
import type { Address, ConsentEntry, Contact, Conversation } from '@switchboard/core';
import type { ContactNote } from '../console/agent-store.js';
import type { OptInFlow } from '../consent/opt-in-flow-store.js';
import { NotFoundError } from '../errors.js';
import type { MediaRecord, MediaStore } from '../media/media-store.js';
import { recipientBudgetKeys } from '../outbound/rate-budget.js';
import type { AuditEntry } from '../stores/ledger-stores.js';
import type { DecisionRecord } from '../stores/document-decision-store.js';
import { PAGE_MAX, type DeadLetter, type HostMessage, type HostStores, type InboxEntry, type OutboxEntry } from '../stores/stores.js';
import { Pseudonymiser, type ContactDataHandler, type ContactDataSubject } from './contact-data.js';
import { contactMediaOf, describeMediaFile, type ContactMediaFile } from './contact-media.js';
import { withoutDecryptionKeys } from './credential-redactor.js';

/** Everything the host holds about a contact. */
export interface ContactExport {
  format: 'switchboard.contact-export/1';
  exportedAt: Date;
  tenantId: string;
  contact: Contact;
  addresses: Address[];
  conversations: Conversation[];
  messages: HostMessage[];
  consent: ConsentEntry[];
  outbox: OutboxEntry[];
  /** Normalised webhook events that name the contact or one of its messages. */
  inbox: InboxEntry[];
  /** Unparseable webhooks whose raw body names one of the contact's user ids (body decoded when it is text). */
  deadLetters: (DeadLetter & { decodedBody?: string })[];
  /** Who read or changed the contact's data through the API (Art. 15(1)(c): the recipients). */
  access: AuditEntry[];
  /** What console agents wrote about the contact. */
  notes: ContactNote[];
  /** Double opt-in flows of the contact, or started from one of its addresses. */
  optInFlows: OptInFlow[];
  /** Why each message to the contact was allowed or refused (decision records, with the consent they relied on). */
  decisions: DecisionRecord[];
  /** Data of other features, by handler name. */
  extensions: Record<string, unknown>;
  /**
   * The files the contact sent or was sent (kept by the media store), oldest first. The JSON export
   * describes them; the zip export (`?format=zip`) also holds their bytes.
   */
  media: ContactMediaFile[];
}

/** What an erasure did. */
export interface ErasureReport {
  /** The pseudonym the consent proof and the audit log now carry. */
  pseudonym: string;
  erasedAt: Date;
  deleted: {
    contact: number; conversations: number; messages: number; outbox: number; inbox: number; deadLetters: number;
    notes: number; optInFlows: number; rateBudgetKeys: number; idempotencyRecords: number;
    /** Files of the media store: bytes and records. */
    media: number;
    /** Inbound files still waiting to be fetched from the platform (never fetched now). */
    mediaJobs: number;
    /** Platform references of uploads of the contact's files, kept to send the same bytes again by reference. */
    uploadedMediaRefs: number;
    /** Records of contact merges into or of the contact (they name the merged addresses). */
    contactMerges: number;
  };
  pseudonymised: { consentEntries: number; auditEntries: number; costEntries: number; idempotencyRecords: number; decisionRecords: number; usageSlots: number };
  /**
   * Whether the store's files no longer hold what was deleted (SQLite: the WAL was emptied). False
   * when another connection kept the checkpoint from completing: the next checkpoint does it.
   */
  filesPurged: boolean;
  extensions: Record<string, Record<string, number>>;
  /** id → pseudonym of every id erasure replaced (not returned by the API: the caller already knows the ids). */
  replacements: Record<string, string>;
}

/** Dependencies of {@link ContactPrivacyService}. */
export interface ContactPrivacyDeps {
  stores: HostStores;
  pseudonymiser: Pseudonymiser;
  /** Every handler of other features, looked up at each call (features register late). */
  handlers: () => readonly ContactDataHandler[];
  now: () => Date;
  /**
   * The account keys of the tenant's connector bindings on a channel (the rate budget keys a
   * recipient under them). Default: none, and no budget key is forgotten.
   */
  accountsOf?: (tenantId: string, channel: string) => readonly string[];
  /** The media store: its files of the contact are exported and erased. Without one, none are. */
  media?: MediaStore;
  /**
   * Forgets the platforms' references to uploads of these files (a WhatsApp media id, a Telegram
   * `file_id`…), before the files are deleted; answers how many. The host passes `eraseUploadedMedia`
   * over the outbound runtime's store.
   */
  forgetUploads?: (tenantId: string, files: readonly MediaRecord[]) => Promise<number>;
}

interface Gathered {
  contact: Contact;
  subject: ContactDataSubject;
  conversations: Conversation[];
  messages: HostMessage[];
  deadLetters: DeadLetter[];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Decodes a dead letter's body as UTF-8 when it is valid text. */
function decodeBody(rawBody: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(rawBody, 'base64'));
  } catch {
    return undefined;
  }
}

/** Export and erasure of one contact across every store. */
export class ContactPrivacyService {
  /** @param deps - stores, pseudonymiser, handlers, clock */
  constructor(private readonly deps: ContactPrivacyDeps) {}

  private async gather(tenantId: string, contactId: string): Promise<Gathered> {
    const { stores } = this.deps;
    const contact = await stores.contacts.get(tenantId, contactId);
    if (!contact) throw new NotFoundError('contact', contactId);
    const conversations: Conversation[] = [];
    for (let offset = 0; ; offset += PAGE_MAX) {
      const page = await stores.conversations.list(tenantId, { contactId, limit: PAGE_MAX, offset });
      conversations.push(...page);
      if (page.length < PAGE_MAX) break;
    }
    const messages: HostMessage[] = [];
    for (const c of conversations) {
      for (let offset = 0; ; offset += PAGE_MAX) {
        const page = await stores.messages.listByConversation(tenantId, c.id, { limit: PAGE_MAX, offset });
        messages.push(...page);
        if (page.length < PAGE_MAX) break;
      }
    }
    const addresses = [...contact.addresses];
    for (const c of conversations) {
      if (!addresses.some((a) => a.channel === c.address.channel && a.accountId === c.address.accountId && a.userId === c.address.userId)) addresses.push(c.address);
    }
    const deadLetters = await this.deadLettersOf(tenantId, addresses);
    return {
      contact, conversations, messages, deadLetters,
      subject: { tenantId, contactId, addresses, conversationIds: conversations.map((c) => c.id) },
    };
  }

  /** Dead letters could not be parsed, so only their raw bytes can say whom they are about. */
  private async deadLettersOf(tenantId: string, addresses: Address[]): Promise<DeadLetter[]> {
    const patterns = addresses.map((a) => ({ channel: a.channel, re: new RegExp(`(^|[^0-9A-Za-z_-])${escapeRegExp(a.userId)}($|[^0-9A-Za-z_-])`) }));
    const found: DeadLetter[] = [];
    for (let offset = 0; ; offset += PAGE_MAX) {
      const page = await this.deps.stores.deadLetters.list(tenantId, { limit: PAGE_MAX, offset });
      for (const l of page) {
        const text = decodeBody(l.rawBody);
        if (text !== undefined && patterns.some((p) => p.channel === l.channel && p.re.test(text))) found.push(l);
      }
      if (page.length < PAGE_MAX) break;
    }
    return found;
  }

  /** What names the contact in decision records: its id, its messages, its user ids. */
  private static decisionSubject(g: Gathered): { contactId: string; messageIds: string[]; userIds: string[] } {
    return { contactId: g.contact.id, messageIds: g.messages.map((m) => m.id), userIds: [...new Set(g.subject.addresses.map((a) => a.userId))] };
  }

  private static externalIds(messages: HostMessage[]): string[] {
    return messages.flatMap((m) => [...(m.externalId !== undefined ? [m.externalId] : []), ...(m.partIds ?? [])]);
  }

  private async mediaOf(g: Gathered): Promise<MediaRecord[]> {
    if (!this.deps.media) return [];
    return contactMediaOf(this.deps.media, { tenantId: g.subject.tenantId, contactId: g.contact.id, conversationIds: g.subject.conversationIds, messages: g.messages });
  }

  /**
   * Deletes the contact's files, bytes first (see {@link MediaStore.delete}), after forgetting the
   * platform references of their uploads.
   */
  private async eraseMedia(g: Gathered): Promise<{ files: number; uploads: number }> {
    const media = this.deps.media;
    if (!media) return { files: 0, uploads: 0 };
    const { tenantId } = g.subject;
    const records = await this.mediaOf(g);
    const uploads = records.length > 0 && this.deps.forgetUploads ? await this.deps.forgetUploads(tenantId, records) : 0;
    let files = 0;
    // what the export lists (files named by a message but linked to nothing of the contact's included)…
    for (const r of records) if (await media.delete(tenantId, r.id)) files++;
    // …and whatever else is linked to the contact, its conversations or messages
    files += await media.deleteMatching(tenantId, { contactIds: [g.contact.id], conversationIds: g.subject.conversationIds, messageIds: g.messages.map((m) => m.id) });
    return { files, uploads };
  }

  /**
   * Everything held about a contact.
   * @param tenantId - the tenant
   * @param contactId - the contact
   * @returns the export
   * @throws NotFoundError when the tenant has no such contact
   */
  async export(tenantId: string, contactId: string): Promise<ContactExport> {
    const { stores } = this.deps;
    const g = await this.gather(tenantId, contactId);
    const [consent, outbox, inbox] = await Promise.all([
      stores.consent.listByContact(tenantId, contactId),
      stores.outbox.listByRecipient(tenantId, g.subject.addresses),
      stores.inbox.listMatching(tenantId, { addresses: g.subject.addresses, externalIds: ContactPrivacyService.externalIds(g.messages) }),
    ]);
    const access = new Map<string, AuditEntry>();
    for (const filter of [{ contactId }, ...g.conversations.map((c) => ({ conversationId: c.id }))]) {
      for (const e of await stores.audit.list(tenantId, { ...filter, limit: PAGE_MAX })) access.set(e.id, e);
    }
    const [notes, optInFlows, decisions] = await Promise.all([
      stores.agents.listNotes(tenantId, contactId),
      stores.optInFlows.listBySubject(tenantId, { contactId, addresses: g.subject.addresses }),
      stores.decisions.listBySubject(tenantId, ContactPrivacyService.decisionSubject(g)),
    ]);
    const extensions: Record<string, unknown> = {};
    for (const h of this.deps.handlers()) extensions[h.name] = await h.export(g.subject);
    const media = (await this.mediaOf(g)).map(describeMediaFile);
    // media decryption keys stay in the host, wherever a copy of a message sits in the export (the
    // message, its inbox event, an extension's event log): the export is a file that travels
    return withoutDecryptionKeys({
      format: 'switchboard.contact-export/1' as const, exportedAt: this.deps.now(), tenantId,
      contact: g.contact, addresses: g.subject.addresses, conversations: g.conversations, messages: g.messages, consent, outbox, inbox,
      deadLetters: g.deadLetters.map((l) => { const decodedBody = decodeBody(l.rawBody); return decodedBody !== undefined ? { ...l, decodedBody } : l; }),
      access: [...access.values()].sort((a, b) => a.at.getTime() - b.at.getTime()),
      notes, optInFlows, decisions,
      extensions, media,
    });
  }

  /**
   * Erases a contact: deletes its files in the media store (bytes and records, and the fetches still
   * waiting), its messages, conversations, outbox and inbox entries, dead letters,
   * console notes, opt-in flows, rate-budget keys and profile (and, through its handler, the
   * events feature's log); replaces its consent entries by pseudonymised proofs; pseudonymises its ids in the
   * audit log and the cost ledger. The contact goes last, so an erasure interrupted half-way can be
   * run again.
   * @param tenantId - the tenant
   * @param contactId - the contact
   * @returns what was done
   * @throws NotFoundError when the tenant has no such contact
   */
  async erase(tenantId: string, contactId: string): Promise<ErasureReport> {
    const { stores, pseudonymiser } = this.deps;
    const g = await this.gather(tenantId, contactId);
    const erasedAt = this.deps.now();
    const pseudonym = pseudonymiser.id(tenantId, contactId);
    const replacements: Record<string, string> = { [contactId]: pseudonym };
    for (const c of g.conversations) replacements[c.id] = pseudonymiser.id(tenantId, c.id);
    for (const m of g.messages) replacements[m.id] = pseudonymiser.id(tenantId, m.id);

    const extensions: Record<string, Record<string, number>> = {};
    for (const h of this.deps.handlers()) extensions[h.name] = await h.erase(g.subject);

    // pending sends first, so nothing more goes out to the person while the rest is erased
    const outbox = await stores.outbox.deleteByRecipient(tenantId, g.subject.addresses);
    // files before messages: a file a message names is found through it, should the erasure be run again
    let mediaJobs = 0;
    for (const m of g.messages) if (m.mediaPending && await stores.mediaJobs.remove(tenantId, m.id)) mediaJobs++;
    const erasedMedia = await this.eraseMedia(g);
    let media = erasedMedia.files;
    const uploadedMediaRefs = erasedMedia.uploads;
    let messages = 0;
    for (const c of g.conversations) messages += await stores.messages.deleteByConversation(tenantId, c.id);
    const inbox = await stores.inbox.deleteMatching(tenantId, { addresses: g.subject.addresses, externalIds: ContactPrivacyService.externalIds(g.messages) });
    const deadLetters = g.deadLetters.length > 0 ? await stores.deadLetters.delete(tenantId, g.deadLetters.map((l) => l.id)) : 0;
    const optInFlows = await stores.optInFlows.deleteBySubject(tenantId, { contactId, addresses: g.subject.addresses });
    const notes = (await stores.agents.listNotes(tenantId, contactId)).length;
    if (notes > 0) await stores.agents.deleteNotes(tenantId, contactId);
    const budgetKeys = g.subject.addresses.flatMap((a) => (this.deps.accountsOf?.(tenantId, a.channel) ?? []).flatMap((account) => recipientBudgetKeys(a.channel, account, a.userId)));
    const rateBudgetKeys = await stores.budget.forget([...new Set(budgetKeys)]);
    const idempotency = await stores.idempotency.eraseSubject(tenantId, { userIds: g.subject.addresses.map((a) => a.userId), replacements });
    let conversations = 0;
    for (const c of g.conversations) if (await stores.conversations.delete(tenantId, c.id)) conversations++;

    const subjects = [...new Set(g.subject.addresses.map((a) => pseudonymiser.address(tenantId, a)))];
    let consentEntries = await stores.consent.redactContact(tenantId, contactId, (e) => consentProof(e, pseudonym, subjects, erasedAt));
    // contacts merged into this one: their own ledger entries (copied at the merge) become proofs too, and the merge records go
    for (const m of await stores.contactMerges.listByContact(tenantId, contactId, 500)) {
      if (m.intoContactId === contactId) consentEntries += await stores.consent.redactContact(tenantId, m.contactId, (e) => consentProof(e, pseudonym, subjects, erasedAt));
    }
    const contactMerges = await stores.contactMerges.deleteByContact(tenantId, contactId);
    const auditEntries = await stores.audit.pseudonymise(tenantId, replacements);
    const costEntries = await stores.costs.pseudonymise(tenantId, replacements);
    const addressPseudonym = (a: { channel: string; userId: string }): string => pseudonymiser.address(tenantId, a);
    const decisionRecords = await stores.decisions.redactSubject(tenantId, ContactPrivacyService.decisionSubject(g), (r) => decisionProof(r, replacements, addressPseudonym, subjects, erasedAt));
    const usageSlots = await stores.usage.pseudonymise(tenantId, g.subject.addresses, addressPseudonym);
    const contact = (await stores.contacts.delete(tenantId, contactId)) ? 1 : 0;
    // once more: a download that was in flight may have stored a file of the contact meanwhile
    media += (await this.eraseMedia(g)).files;
    // deleted is not yet gone from the files: the WAL still holds the pages as they were
    // (a failure here leaves that to the next checkpoint: the erasure itself is done)
    const filesPurged = stores.driver.purgeDeleted ? await stores.driver.purgeDeleted().catch(() => false) : true;
    return {
      pseudonym, erasedAt,
      deleted: { contact, conversations, messages, outbox, inbox, deadLetters, notes, optInFlows, rateBudgetKeys, idempotencyRecords: idempotency.deleted, media, mediaJobs, uploadedMediaRefs, contactMerges },
      pseudonymised: { consentEntries, auditEntries, costEntries, idempotencyRecords: idempotency.pseudonymised, decisionRecords, usageSlots },
      filesPurged, extensions, replacements,
    };
  }
}

/**
 * The minimal proof of a consent event that survives erasure: what was agreed or refused, for
 * which purpose and topic, on which channel and business account, when, how (the evidence's
 * source), under which privacy-policy version, and which request step a confirmation confirmed —
 * about a person known only by keyed hashes. Everything that could identify the person or repeat
 * what they wrote (the text, the platform message id, free-form detail) is dropped; the wording
 * shown is kept as its SHA-256 only.
 * @param e - the ledger entry
 * @param pseudonym - the contact's pseudonym
 * @param subjects - keyed hashes of the contact's addresses
 * @param erasedAt - when the contact was erased
 * @returns the proof (same id, same time)
 */
export function consentProof(e: ConsentEntry, pseudonym: string, subjects: string[], erasedAt: Date): ConsentEntry {
  const detail: Record<string, unknown> = { erasedAt: erasedAt.toISOString(), subjects };
  if (e.evidence.wording !== undefined) detail.wordingSha256 = Pseudonymiser.wording(e.evidence.wording);
  return {
    id: e.id, tenantId: e.tenantId, contactId: pseudonym, channel: e.channel, action: e.action, scope: e.scope, at: e.at,
    ...(e.accountId !== undefined ? { accountId: e.accountId } : {}),
    ...(e.purpose !== undefined ? { purpose: e.purpose } : {}),
    ...(e.topic !== undefined ? { topic: e.topic } : {}),
    evidence: {
      source: e.evidence.source,
      ...(e.evidence.privacyPolicy ? { privacyPolicy: { version: e.evidence.privacyPolicy.version, ...(e.evidence.privacyPolicy.url ? { url: e.evidence.privacyPolicy.url } : {}) } } : {}),
      ...(e.evidence.confirms !== undefined ? { confirms: e.evidence.confirms } : {}),
      ...(e.evidence.recordedBy !== undefined ? { recordedBy: e.evidence.recordedBy } : {}),
      detail: JSON.stringify(detail),
    },
  };
}

/**
 * What survives erasure of a decision record: the verdict, its reasons, the rules and versions in
 * force, the intent (purpose, topic, template — never a text), the price — about a person known only
 * by pseudonyms: the message, conversation and contact ids by theirs, the recipient by the keyed hash
 * of its address, and each consent entry it relied on by the same proof the ledger keeps.
 * @param r - the record
 * @param replacements - id → pseudonym (contact, conversations, messages)
 * @param addressPseudonym - the keyed hash of an address
 * @param subjects - keyed hashes of the contact's addresses (for the consent proofs)
 * @param erasedAt - when the contact was erased
 * @returns the pseudonymised record (same id)
 */
export function decisionProof(
  r: DecisionRecord, replacements: Readonly<Record<string, string>>, addressPseudonym: (a: { channel: string; userId: string }) => string,
  subjects: string[], erasedAt: Date,
): DecisionRecord {
  const pseudonym = (id: string | undefined): string | undefined => (id === undefined ? undefined : replacements[id] ?? id);
  const proofOf = (c: DecisionRecord['consent'][number]): DecisionRecord['consent'][number] => {
    const p = consentProof({ ...c, tenantId: r.tenantId, contactId: '' }, '', subjects, erasedAt);
    return {
      id: c.id, role: c.role, action: c.action, channel: c.channel, scope: c.scope, at: c.at, evidence: p.evidence,
      ...(c.purpose !== undefined ? { purpose: c.purpose } : {}), ...(c.topic !== undefined ? { topic: c.topic } : {}),
    };
  };
  const messageId = pseudonym(r.messageId);
  const conversationId = pseudonym(r.conversationId);
  const contactId = pseudonym(r.contactId);
  const { messageId: _m, conversationId: _c, contactId: _k, sendCheck, ...rest } = r;
  return {
    ...rest,
    userId: addressPseudonym({ channel: r.channel, userId: r.userId }),
    consent: r.consent.map(proofOf),
    ...(messageId ? { messageId } : {}), ...(conversationId ? { conversationId } : {}), ...(contactId ? { contactId } : {}),
    ...(sendCheck ? { sendCheck: { ...sendCheck, consent: sendCheck.consent.map(proofOf) } } : {}),
  };
}

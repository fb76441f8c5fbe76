/**
 * Consent the inbound path records: a customer's keyword (STOP, START, "important only"), a
 * platform's signal, a conversation the customer closed or reopened. Every entry goes through the
 * consent service; its id is derived from the inbox entry, so a retried entry records nothing twice.
 * @module
 */
import type { Contact, ConsentEntry, ConsentLedgerAction, MessageEvent, Purpose } from '@switchboard/core';
import type { TenantConfig } from '../config/host-config.js';
import { consentStateOn, consentTermsOf, lastAcceptedPrivacyPolicy, signalScope, type ConsentService } from '../consent/consent-service.js';
import type { KeywordMatch } from '../consent/keywords.js';
import type { InboxEntry } from '../stores/stores.js';

/** Where and when a consent signal happened. */
export interface SignalEvent {
  channel: string;
  accountId: string;
  timestamp: Date;
}

/** One consent entry to record for an inbox entry. */
export interface InboxConsentRecord {
  action: ConsentLedgerAction;
  evidence: ConsentEntry['evidence'];
  scope: ConsentEntry['scope'];
  /** Makes the entry's id (`<inbox entry id>:<suffix>`) unique among those one inbox entry records (default: the action). */
  suffix?: string;
  purpose?: Purpose;
  topic?: string;
}

/** Records the consent of inbound events. */
export class InboxConsent {
  /** @param consent - the ledger's writer */
  constructor(private readonly consent: ConsentService) {}

  /**
   * Records one entry for an inbox entry.
   * @param entry - the inbox entry (its id keys the consent entry)
   * @param contact - the contact
   * @param event - channel, account and time of the signal
   * @param record - what to record
   */
  async record(entry: InboxEntry, contact: Contact, event: SignalEvent, record: InboxConsentRecord): Promise<void> {
    const { action, evidence, scope, suffix = action, purpose, topic } = record;
    await this.consent.record({
      // derived from the inbox entry so a retried entry never writes the same consent twice
      id: `${entry.id}:${suffix}`,
      tenantId: entry.tenantId,
      contactId: contact.id,
      channel: event.channel,
      accountId: event.accountId,
      action,
      scope,
      at: event.timestamp,
      evidence,
      ...(purpose ? { purpose } : {}),
      ...(topic ? { topic } : {}),
    });
  }

  /**
   * A customer's message: reopens a conversation they had closed, and applies the consent
   * keyword the message is, if any.
   * @param entry - the inbox entry
   * @param tenant - the tenant
   * @param contact - the contact
   * @param event - the message
   * @param keyword - the keyword the whole message is, with its text
   */
  async fromMessage(entry: InboxEntry, tenant: TenantConfig, contact: Contact, event: MessageEvent, keyword?: { match: KeywordMatch; text: string }): Promise<void> {
    const ledger = await this.consent.history(tenant.id, contact.id);
    const state = consentStateOn(ledger, event.channel, consentTermsOf(tenant));
    if (state.closedAt) await this.record(entry, contact, event, { action: 'reopened', evidence: { source: 'platform', detail: 'customer wrote after closing the conversation', reference: event.externalId }, scope: 'channel' });
    if (!keyword) return;
    const scope = signalScope(tenant);
    const { match, text } = keyword;
    const evidence = { source: 'keyword' as const, text, reference: event.externalId, ...(match.language ? { detail: `keyword language ${match.language}` } : {}) };
    if (match.kind === 'stop') {
      await this.record(entry, contact, event, { action: 'opt-out', evidence, scope, suffix: 'stop' });
    } else if (match.kind === 'important-only') {
      await this.record(entry, contact, event, { action: 'important-only', evidence, scope });
    } else {
      // START restores what was revoked, nothing more: it is not consent to anything new
      const purposes = [...new Map(state.revocations.map((r) => [`${r.purpose}|${r.topic ?? ''}`, r])).values()];
      for (const [i, r] of purposes.entries()) {
        // the restored consent is the one given before, under the privacy policy accepted then: a
        // policy version bump still requires re-consent, START does not sidestep it
        const accepted = lastAcceptedPrivacyPolicy(ledger, r.purpose, r.topic);
        await this.record(entry, contact, event, {
          action: 'opt-in', evidence: { ...evidence, ...(accepted ? { privacyPolicy: accepted } : {}) }, scope, suffix: `start-${i}`, purpose: r.purpose,
          ...(r.topic !== undefined ? { topic: r.topic } : {}),
        });
      }
      if (state.importantOnly) await this.record(entry, contact, event, { action: 'all-messages', evidence, scope });
    }
  }

  /**
   * The privacy policy accepted with the contact's latest opt-in of a purpose and topic.
   * @param tenantId - the tenant
   * @param contactId - the contact
   * @param purpose - the purpose
   * @param topic - the topic, if any
   * @returns the policy, or undefined
   */
  async acceptedPrivacyPolicy(tenantId: string, contactId: string, purpose: Purpose, topic: string | undefined): Promise<ConsentEntry['evidence']['privacyPolicy']> {
    return lastAcceptedPrivacyPolicy(await this.consent.history(tenantId, contactId), purpose, topic);
  }
}

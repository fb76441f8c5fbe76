/**
 * The tenant's knowledge — saved replies and knowledge-base links, kept in the console settings —
 * for bots and agents alike: a saved reply rendered for a contact (its name, locale, time zone,
 * tags, CRM reference and attributes, and the CRM context's fields), and the articles a customer's
 * words suggest.
 * @module
 */
import type { Contact } from '@switchboard/core';
import type { AgentStore, KnowledgeLink, QuickReply } from '../console/agent-store.js';
import { suggestKnowledge } from '../console/console-views.js';
import type { ContactContext } from '../crm/contact-context.js';
import { renderTemplate, type MissingVariables, type RenderedTemplate, type TemplateVariables } from './template-renderer.js';

/** A saved reply rendered for a contact. */
export interface RenderedReply extends RenderedTemplate {
  id: string;
  title: string;
}

/**
 * The variables a saved reply may use: `contact.*` (name, locale, timeZone, crmRef, tags as a
 * comma-separated list, attributes.*, channel addresses are left out) and `crm.*` (displayName,
 * customerId, attributes.*, orders.N.*, cases.N.*).
 * @param contact - the contact
 * @param crm - the contact's CRM context, when there is one
 * @returns the variables
 */
export function replyVariables(contact: Contact, crm?: ContactContext): TemplateVariables {
  const p = contact.profile;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    contact: {
      id: contact.id,
      ...(str(p.name) !== undefined ? { name: str(p.name) } : {}),
      ...(str(p.locale) !== undefined ? { locale: str(p.locale) } : {}),
      ...(str(p.timeZone) !== undefined ? { timeZone: str(p.timeZone) } : {}),
      ...(contact.crmRef !== undefined ? { crmRef: contact.crmRef } : {}),
      ...(contact.tags?.length ? { tags: contact.tags.join(', ') } : {}),
      attributes: { ...contact.attributes },
    },
    ...(crm ? { crm: JSON.parse(JSON.stringify(crm)) as Record<string, unknown> } : {}),
  };
}

/** The tenant's saved replies and knowledge-base links, as bots and agents use them. */
export class Knowledge {
  /** @param settings - where the tenant's saved replies and links are kept (the console settings) */
  constructor(private readonly settings: Pick<AgentStore, 'getSettings'>) {}

  /** The tenant's saved replies and knowledge-base links. */
  async of(tenantId: string): Promise<{ savedReplies: QuickReply[]; knowledgeBase: KnowledgeLink[] }> {
    const s = await this.settings.getSettings(tenantId);
    return { savedReplies: s.quickReplies, knowledgeBase: s.knowledgeBase };
  }

  /**
   * A saved reply rendered for a contact.
   * @param tenantId - the tenant
   * @param idOrTitle - the reply's id, or its title (case-insensitive)
   * @param variables - see {@link replyVariables}
   * @param missing - what an unfilled placeholder becomes (default `keep`)
   * @returns the rendered reply, or undefined when the tenant has no such reply
   */
  async render(tenantId: string, idOrTitle: string, variables: TemplateVariables, missing: MissingVariables = 'keep'): Promise<RenderedReply | undefined> {
    const { savedReplies } = await this.of(tenantId);
    const wanted = idOrTitle.toLowerCase();
    const reply = savedReplies.find((r) => r.id === idOrTitle) ?? savedReplies.find((r) => r.title.toLowerCase() === wanted);
    return reply ? { id: reply.id, title: reply.title, ...renderTemplate(reply.text, variables, { missing }) } : undefined;
  }

  /**
   * Knowledge-base articles a text suggests (the console's suggestions).
   * @param tenantId - the tenant
   * @param text - what the customer wrote
   * @returns at most 5, best first
   */
  async suggest(tenantId: string, text: string | undefined): Promise<KnowledgeLink[]> {
    return suggestKnowledge((await this.of(tenantId)).knowledgeBase, text);
  }
}

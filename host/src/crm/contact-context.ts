/**
 * The contact-context provider SPI: given a contact's addresses, the business's CRM answers who
 * the customer is — a display name, a customer id, attributes, and open orders and cases with
 * links. A provider is either a function in `switchboard.config.ts` or an HTTPS endpoint the host
 * POSTs to (see `https-context-provider.ts`). Whatever it answers passes one closed, bounded
 * schema before anything uses it.
 * @module
 */
import type { Address } from '@switchboard/core';
import { z } from 'zod';

/** The bounds of a contact context. */
export const CONTEXT_LIMITS = {
  /** Characters of a display name, customer id, record id. */
  short: 200,
  /** Characters of a record's title or an attribute's string value. */
  long: 1_000,
  /** Attributes. */
  attributes: 50,
  /** Open orders, and open cases. */
  records: 20,
  /** Characters of a URL. */
  url: 2_000,
} as const;

const str = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const filled = (max: number) => str(max).refine((s) => s.trim() !== '', 'must not be empty');
/** A link the console shows: https only (an agent clicks it). */
const link = str(CONTEXT_LIMITS.url).refine((s) => URL.canParse(s) && new URL(s).protocol === 'https:', 'must be an https URL');

/** An open order or case. */
export const ContextRecordSchema = z.strictObject({
  id: filled(CONTEXT_LIMITS.short),
  title: filled(CONTEXT_LIMITS.long),
  status: str(CONTEXT_LIMITS.short).optional(),
  url: link.optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});

/** What a provider answers about a contact (closed: an unknown key is refused). */
export const ContactContextSchema = z.strictObject({
  displayName: filled(CONTEXT_LIMITS.short).optional(),
  customerId: filled(CONTEXT_LIMITS.short).optional(),
  attributes: z.record(
    str(64).regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and hold only letters, digits, _ and -'),
    z.union([str(CONTEXT_LIMITS.long), z.number().finite(), z.boolean()]),
  ).refine((r) => Object.keys(r).length <= CONTEXT_LIMITS.attributes, `must have at most ${CONTEXT_LIMITS.attributes} attributes`).optional(),
  orders: z.array(ContextRecordSchema).max(CONTEXT_LIMITS.records, `must have at most ${CONTEXT_LIMITS.records} items`).optional(),
  cases: z.array(ContextRecordSchema).max(CONTEXT_LIMITS.records, `must have at most ${CONTEXT_LIMITS.records} items`).optional(),
});

/** A contact's context from the CRM. */
export type ContactContext = z.output<typeof ContactContextSchema>;
/** An open order or case of a {@link ContactContext}. */
export type ContextRecord = z.output<typeof ContextRecordSchema>;

/** What a provider is asked. */
export interface ContactContextQuery {
  tenantId: string;
  contactId: string;
  /** Every channel address of the contact (a WhatsApp address's `userId` is the phone number). */
  addresses: Address[];
  /** The name the host knows (the platform profile's or an agent's). */
  name?: string;
  /** The CRM reference an agent or the API set on the contact. */
  crmRef?: string;
}

/**
 * A provider as a function (in a JS/TS config). Answers `undefined` (or `null`) when the CRM does
 * not know the contact; throws (or rejects) when it cannot tell. The answer is checked with
 * {@link ContactContextSchema}.
 * @example
 * ```ts
 * contactContext: { provider: async ({ addresses }) => crm.lookup(addresses.find((a) => a.channel === 'whatsapp')?.userId) }
 * ```
 */
export type ContactContextProvider = (query: ContactContextQuery, options: { signal: AbortSignal }) => Promise<unknown> | unknown;

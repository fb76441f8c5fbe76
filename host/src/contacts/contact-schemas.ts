/**
 * Request schemas of the contact API (`PATCH /v1/contacts/:id`, `POST /v1/contacts/:id/merge`,
 * `GET /v1/contacts/:id/timeline`): closed objects, bounded sizes and counts; a time zone must be
 * one the runtime knows (IANA), a locale one it can format.
 * @module
 */
import { isValidTimeZone } from '@switchboard/core';
import { z } from 'zod';
import { isUsableLocale } from '../documents/format.js';
import { LIMITS, PAGE_QUERY } from '../api/schemas.js';

/** The bounds of a contact's editable fields. */
export const CONTACT_LIMITS = {
  /** Characters of a display name. */
  name: 200,
  /** Characters of a CRM reference. */
  crmRef: 200,
  /** Tags a contact keeps. */
  tags: 50,
  /** Characters of a tag. */
  tag: 64,
  /** Custom attributes a contact keeps. */
  attributes: 50,
  /** Characters of an attribute's name. */
  attributeName: 64,
  /** Characters of a string attribute value. */
  attributeValue: 1_000,
} as const;

/** An attribute name: a letter, then letters, digits, `_` or `-` (usable as `{{contact.attributes.name}}`). */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const name = z.string().max(CONTACT_LIMITS.name, `must be at most ${CONTACT_LIMITS.name} characters`)
  .transform((s) => s.trim()).refine((s) => s !== '', 'must not be empty');

/** A custom attribute's value: a bounded string, a finite number or a boolean. */
export const AttributeValueSchema = z.union([
  z.string().max(CONTACT_LIMITS.attributeValue, `must be at most ${CONTACT_LIMITS.attributeValue} characters`),
  z.number().finite(),
  z.boolean(),
]);

/** Custom attributes: at most {@link CONTACT_LIMITS.attributes}, names per {@link ATTRIBUTE_NAME}; `null` removes one. */
export const AttributesPatchSchema = z.record(
  z.string().max(CONTACT_LIMITS.attributeName, `must be at most ${CONTACT_LIMITS.attributeName} characters`).regex(ATTRIBUTE_NAME, 'must start with a letter and hold only letters, digits, _ and -'),
  AttributeValueSchema.nullable(),
).refine((r) => Object.keys(r).length <= CONTACT_LIMITS.attributes, `must have at most ${CONTACT_LIMITS.attributes} attributes`);

/**
 * `PATCH /v1/contacts/:id`: each field given replaces the stored one; `null` clears it. Attributes
 * are merged key by key (`null` removes a key); tags replace the list (trimmed, deduplicated).
 */
export const ContactUpdateSchema = z.strictObject({
  name: name.nullable().optional(),
  locale: z.string().max(35, 'must be at most 35 characters')
    .refine(isUsableLocale, 'must be a BCP 47 locale the host can format (e.g. de-CH)')
    .transform((l) => Intl.getCanonicalLocales(l)[0]!).nullable().optional(),
  timeZone: z.string().max(64, 'must be at most 64 characters').refine(isValidTimeZone, 'must be an IANA time zone (e.g. Europe/Zurich)').nullable().optional(),
  tags: z.array(z.string().max(CONTACT_LIMITS.tag, `must be at most ${CONTACT_LIMITS.tag} characters`).refine((s) => s.trim() !== '', 'must not be empty'))
    .max(CONTACT_LIMITS.tags, `must have at most ${CONTACT_LIMITS.tags} items`)
    .transform((l) => [...new Set(l.map((x) => x.trim()))]).optional(),
  crmRef: z.string().max(CONTACT_LIMITS.crmRef, `must be at most ${CONTACT_LIMITS.crmRef} characters`).transform((s) => s.trim()).nullable().optional(),
  attributes: AttributesPatchSchema.optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'name at least one field to change');

/** A parsed {@link ContactUpdateSchema}. */
export type ContactUpdate = z.output<typeof ContactUpdateSchema>;

/** `POST /v1/contacts/:id/merge`: the contact to fold into the one named in the path. */
export const ContactMergeSchema = z.strictObject({
  contactId: z.string().max(LIMITS.id, `must be at most ${LIMITS.id} characters`).refine((s) => s.trim() !== '', 'must not be empty'),
});

/** `GET /v1/contacts/:id/timeline`: paging (newest first). */
export const TimelineQuerySchema = z.strictObject(PAGE_QUERY);
